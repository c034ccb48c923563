/**
 * Diffusion maths, independent of the network: the EDM-style preconditioning wrapper
 * D(x; sigma) = c_skip x + c_out F(c_in x, c_noise) around a {@link io.dpdm.diffusion.Backbone}
 * (Karras et al. 2022, "EDM", Table 1 and eq. 7), the training noise-level distributions, and the
 * per-example denoising loss with noise multiplicity (Dockhorn et al. 2023, "DPDM"):
 * each example is replicated K times with its own noise level and noise, and its loss is the mean
 * over its K copies, so that one per-example gradient (one unit of sensitivity) covers all K.
 *
 * <p>Scalar formulas (coefficients, distributions) are plain Java doubles; tensor work is DJL.
 * All randomness comes from the caller's per-example generators ({@link io.dpdm.nn.BatchRandomness}),
 * never from DJL's global generator: in private training they are keyed by the run's secret, the
 * step and each record's own identity, so a step is reproducible from them and no example's draws
 * depend on its batch mates.
 */
package io.dpdm.diffusion;
