/**
 * A private warm start for the denoiser, after DP-FETA (Li et al., IEEE S&amp;P 2025, "From Easy
 * to Hard"): a few noisy per-class mean images are released from the private data by a
 * subsampled Gaussian mechanism ({@link io.dpdm.warmstart.CentralImages}: its own phase in the
 * privacy ledger, composed with DP-SGD), and the denoiser is first trained on those released
 * images alone ({@link io.dpdm.warmstart.WarmStartTraining}): post-processing of a DP release,
 * so plain gradients, no clipping, no budget. DP-SGD on the real data then starts from a model
 * that already draws the coarse class shapes.
 *
 * <p>{@link io.dpdm.warmstart.WarmStartTraining} sees only {@link io.dpdm.warmstart.ReleasedImages};
 * it references no data set type or loader (a test scans its compiled class references).
 */
package io.dpdm.warmstart;
