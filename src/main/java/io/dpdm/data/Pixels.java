package io.dpdm.data;

/**
 * The one mapping between stored uint8 pixels and model inputs: x -> x / 127.5 - 1, so 0 -> -1
 * and 255 -> +1 exactly (the [-1, 1] range diffusion models are trained on, as in DDPM/EDM).
 */
public final class Pixels {
    private Pixels() {}

    /** uint8 value (0..255) to [-1, 1]. */
    public static float toSigned(int uint8) {
        return uint8 / 127.5f - 1f;
    }

    /** [-1, 1] value to the nearest uint8, clamping values outside the range (model outputs may overshoot). */
    public static int toUint8(float signed) {
        float v = (signed + 1f) * 127.5f;
        if (!(v > 0f)) { // also maps NaN to 0
            return 0;
        }
        return v >= 255f ? 255 : Math.round(v);
    }
}
