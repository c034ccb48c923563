/**
 * Layers and per-example gradients for DP-SGD.
 *
 * <p>A network is plain Java: layer records ({@link io.dpdm.nn.Conv2d}, {@link io.dpdm.nn.Linear},
 * {@link io.dpdm.nn.GroupNorm}, {@link io.dpdm.nn.Embedding}, {@link io.dpdm.nn.SelfAttention},
 * {@link io.dpdm.nn.Dropout}, {@link io.dpdm.nn.Activation}, {@link io.dpdm.nn.Spatial}) hold only
 * parameter names and hyperparameters; each declares its parameters in a
 * {@link io.dpdm.nn.ParameterStore} when created and reads them from a {@link io.dpdm.nn.Weights}
 * view in {@code forward(w, x)}. Activations always have K*B rows, draw-major (row = k*B + b).
 *
 * <p>The same forward code runs in three modes, chosen by {@link io.dpdm.nn.Gradients}:
 * <ul>
 *   <li><b>shared</b> ({@code batch}, {@code forward}): every parameter has its own shape; one
 *       backward pass gives the gradient of the summed loss (non-private training, sampling);</li>
 *   <li><b>per-example</b> ({@code perExample}): every example b gets its own copy of each
 *       parameter (the "expanded weights" technique), a leaf of shape (B, ...). Convolutions run
 *       as one grouped convolution over (K, B*C, H, W) with B*groups groups, dense maps as one
 *       batched matrix product over (B, K*rows, in), norm affines and biases as (B, C)
 *       broadcasts. One backward pass of sum_b loss_b then leaves d loss_b / d theta in row b of
 *       each leaf's gradient, already summed over the example's K draws, exactly what DPDM's
 *       noise multiplicity clips.</li>
 *   <li><b>factored</b> ({@code factored}): shared weights; Linear, Embedding and dense Conv2d
 *       layers report their input and output ({@link io.dpdm.nn.Weights#observe}), GroupNorm its
 *       normalised input and output ({@link io.dpdm.nn.Weights#observeAffine}), a zero leaf
 *       added to each output yields its gradient, and {@link io.dpdm.nn.PerExampleGradients}
 *       forms per-example norms and clipped sums from inputs x output gradients (materialised or
 *       by ghost norms, whichever is cheaper per layer). Grouped convolutions are refused. Used
 *       for the classifiers (CNN private step 2.9x faster than with expanded weights). The U-Net
 *       keeps expanded weights: measured with {@code dpdm bench dp-step --model unet-cpu
 *       --examples 256 --method factored}, its factored step is 1.2-1.4x slower (the im2col
 *       columns of 14x14 maps cost more than the grouped convolutions they replace).</li>
 * </ul>
 * Independent passes (the parts of a micro-batch, sampling chunks) run concurrently in
 * {@link io.dpdm.nn.Lanes}; gradient recording is per thread ({@link io.dpdm.nn.Torch#recordGradients}).
 *
 * <p>Statistics never mix rows (group norm is per row; there is no batch norm), so examples stay
 * independent, which per-example clipping requires.
 *
 * <p>DJL hazard (verified): arithmetic with a Java number ({@code x.mul(0.5f)}) or DJL's swish
 * on the gradient path can corrupt gradients; use {@link io.dpdm.nn.Torch#scalar}. See there.
 */
package io.dpdm.nn;
