/**
 * The DP-SGD engine (Abadi et al. 2016, "Deep learning with differential privacy", Algorithm 1)
 * as DPDM uses it (Dockhorn et al. 2023): Poisson subsampling, per-example clipping to norm C
 * (flat, or per layer with C / sqrt(L)), Gaussian noise of std sigma * C added once per logical
 * batch in float32, division by the expected batch size N q, Adam or SGD, and an EMA of the
 * weights.
 *
 * <p>Entry point: {@link io.dpdm.dp.DpSgd}. It needs only two small interfaces from the rest of
 * the system: a {@link io.dpdm.dp.GradientSource} (per-example gradients of a micro-batch) and a
 * {@link io.dpdm.dp.StepListener} (the privacy ledger hook). {@link io.dpdm.dp.PrivateGradient}
 * is the five-step DP-SGD mechanism for one logical batch; {@link io.dpdm.dp.DpRandom} is the
 * randomness under secret AES keys ({@link io.dpdm.dp.KeyMode}) and documents the floating-point
 * caveat (Mironov 2012); {@link io.dpdm.dp.ExampleRandomness} keys every per-example draw by record.
 *
 * <p>Nothing about sampling or noise depends on the data: the coins and the noise of step t are
 * functions of (key, purpose, t) only, drawn whether or not the batch is empty. A record's own
 * draws depend on (key, t, its own content) only.
 */
package io.dpdm.dp;
