/**
 * Privacy accounting for DP-SGD with Poisson subsampling and Gaussian noise. Pure Java (no DJL).
 *
 * <ul>
 *   <li>{@link io.dpdm.privacy.Phase}: {@code steps} steps at sampling rate {@code q} and noise
 *       multiplier {@code sigma}.
 *   <li>{@link io.dpdm.privacy.Accountant}: epsilon of a list of phases at a given delta;
 *       {@link io.dpdm.privacy.RdpAccountant} (Mironov, Talwar, Zhang 2019 with the Balle et al.
 *       2020 conversion) and {@link io.dpdm.privacy.PrvAccountant} (Gopi, Lee, Wutschitz 2021,
 *       the default: tightest). {@link io.dpdm.privacy.Accountants#byName} picks one.
 *   <li>{@link io.dpdm.privacy.NoiseCalibration}: sigma for a target (eps, delta), Opacus' search;
 *       steps allowed by a sigma.
 *   <li>{@link io.dpdm.privacy.PrivacyLedger}: append-only record of spent steps, JSON round trip,
 *       carried by checkpoints so a resumed run never forgets spent budget.
 * </ul>
 *
 * Values agree with Opacus / TF-Privacy / dp_accounting / prv_accountant (see the reference
 * vectors in {@code shared/vectors/accounting.json}, each of which is a test).
 */
package io.dpdm.privacy;
