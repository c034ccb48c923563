package io.dpdm.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MnistFramingTest {
    /**
     * A solid 40 x 80 bar anywhere on a 112 canvas becomes a 10 x 20 bar (the longer side fitted to
     * 20, the aspect kept), full white inside (area averaging of a full region), centred on 13.5.
     */
    @Test
    void fitsTheInkBoxIntoTwentyPixelsAndCentresItsMass() {
        int side = 112;
        float[] canvas = new float[side * side];
        for (int y = 7; y < 87; y++) {
            for (int x = 60; x < 100; x++) {
                canvas[y * side + x] = 255;
            }
        }
        byte[] framed = MnistFraming.frame(canvas, side, 20);
        for (byte v : framed) {
            assertTrue(v == 0 || (v & 0xff) == 255, "inside the bar full white, outside black: " + (v & 0xff));
        }
        Ink ink = Ink.of(framed);
        assertEquals(10, ink.width());
        assertEquals(20, ink.height());
        assertEquals(200, ink.pixels(), "a solid bar");
        assertEquals(13.5, ink.centreX(), 0.5);
        assertEquals(13.5, ink.centreY(), 0.5);
    }

    @Test
    void aCanvasWithoutInkHasNoFrame() {
        float[] canvas = new float[64 * 64];
        canvas[5] = 10;
        assertNull(MnistFraming.frame(canvas, 64, 20));
        canvas[6] = 30;
        assertTrue(MnistFraming.frame(canvas, 64, 20) != null);
    }
}
