package io.dpdm.nn;

/**
 * How a per-channel affine layer is linear in its parameters, for factored per-example
 * gradients: y = x_hat * scale + shift along axis 1 of (N, C, ...), where x_hat (the layer's
 * normalised input) does not depend on scale or shift. Example b's gradients are then sums over
 * its K draws and the spatial positions: d scale = sum x_hat * g, d shift = sum g, per channel.
 *
 * @param scale name of the per-channel gain (C)
 * @param shift name of the per-channel shift (C)
 */
public record ChannelAffineMap(String scale, String shift) {}
