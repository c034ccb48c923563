package io.dpdm.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** Expected values worked out by hand from the triangle filter (half-pixel centres). */
class ResamplerTest {
    @Test
    void sameSizeIsIdentity() {
        byte[] src = TestData.bytes(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
        assertArrayEquals(src, Resampler.resize(src, 3, 2, 2, 2, 2));
    }

    @Test
    void upscaleIsBilinear() {
        // centres 0.25, 0.75, 1.25, 1.75 over pixels at 0.5 and 1.5: weights of the 255 pixel 0, 1/4, 3/4, 1
        assertArrayEquals(TestData.bytes(0, 64, 191, 255), Resampler.resize(TestData.bytes(0, 255), 1, 1, 2, 1, 4));
    }

    @Test
    void downscaleAveragesWithWidenedSupport() {
        // centre 1.0, support 2: weights 3/4, 3/4, 1/4 on pixels 0,0,255 -> 255/7 = 36.4; mirrored: 218.6
        assertArrayEquals(TestData.bytes(36, 219), Resampler.resize(TestData.bytes(0, 0, 255, 255), 1, 1, 4, 1, 2));
    }
}
