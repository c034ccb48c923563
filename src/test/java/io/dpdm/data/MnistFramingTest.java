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
        int rows = 0;
        int ink = 0;
        double mx = 0;
        double my = 0;
        double mass = 0;
        for (int y = 0; y < 28; y++) {
            int inRow = 0;
            for (int x = 0; x < 28; x++) {
                int v = framed[y * 28 + x] & 0xff;
                if (v > 0) {
                    assertEquals(255, v, "pixel " + x + "," + y + " inside the bar is full white");
                    inRow++;
                    ink++;
                    mass += v;
                    mx += v * x;
                    my += v * y;
                }
            }
            if (inRow > 0) {
                assertEquals(10, inRow, "row " + y);
                rows++;
            }
        }
        assertEquals(20, rows);
        assertEquals(200, ink);
        assertEquals(13.5, mx / mass, 0.5);
        assertEquals(13.5, my / mass, 0.5);
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
