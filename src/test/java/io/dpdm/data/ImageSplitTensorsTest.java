package io.dpdm.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.dpdm.nn.Torch;
import org.junit.jupiter.api.Test;

/** Batches become float32 (n, C, H, W) in [-1, 1] by x / 127.5 - 1, in the requested order. */
class ImageSplitTensorsTest {
    @Test
    void imagesAreScaledChannelFirstInIndexOrder() {
        Torch.engine();
        ImageShape shape = new ImageShape(3, 2, 2);
        byte[] pixels = new byte[2 * shape.size()];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 11); // 0, 11, ..., 253
        }
        ImageSplit split = new ImageSplit(shape, pixels, new int[] {4, 7});
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray images = split.images(manager, new int[] {1, 0, 1});
            assertEquals(new Shape(3, 3, 2, 2), images.getShape());
            assertEquals(DataType.FLOAT32, images.getDataType());
            float[] values = images.toFloatArray();
            int[] order = {1, 0, 1};
            for (int k = 0; k < order.length; k++) {
                for (int j = 0; j < shape.size(); j++) {
                    double expected = ((order[k] * shape.size() + j) * 11) / 127.5 - 1;
                    assertEquals(expected, values[k * shape.size() + j], 1e-6);
                }
            }
            NDArray labels = split.labels(manager, new int[] {1, 0, 1});
            assertEquals(DataType.INT32, labels.getDataType());
            assertArrayEquals(new int[] {7, 4, 7}, labels.toIntArray());
        }
    }

    @Test
    void scalingEndpointsAreExactAndInvertible() {
        assertEquals(-1f, Pixels.toSigned(0));
        assertEquals(1f, Pixels.toSigned(255));
        for (int v = 0; v < 256; v++) {
            assertEquals(v, Pixels.toUint8(Pixels.toSigned(v)));
        }
        assertEquals(0, Pixels.toUint8(Float.NaN));
        assertEquals(0, Pixels.toUint8(-7f));
    }
}
