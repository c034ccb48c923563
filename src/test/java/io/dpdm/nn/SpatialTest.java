package io.dpdm.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import java.util.Random;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Pooling and nearest up-sampling against their definitions evaluated by hand: a pooled
 * pixel is the mean or the largest value of its tile (tiles that do not fit are dropped; the
 * largest takes the tile's whole gradient), an up-sampled pixel
 * (i, j) is the input's (i / 2, j / 2); their input gradients for the loss sum(r * y) are r / size^2
 * spread over each tile, and the sum of r over each 2 x 2 block. Also in a bfloat16 inference
 * pass, where the activations arrive and leave in bfloat16.
 */
class SpatialTest {
    private static final int N = 2;
    private static final int C = 3;

    @ParameterizedTest(name = "{0} x {1}, size {2}")
    @CsvSource({"8, 6, 2", "7, 9, 2", "9, 7, 3", "4, 4, 1"})
    void averagePoolingIsTheMeanOfEachTile(int height, int width, int size) {
        float[] x = random(N * C * height * width, 1);
        float[] r = random(N * C * (height / size) * (width / size), 2);
        float[] expected = new float[r.length];
        float[] expectedGradient = new float[x.length];
        forEachTile(height, width, size, (out, tile) -> {
            for (int in : tile) {
                expected[out] += x[in] / (size * size);
                expectedGradient[in] = r[out] / (size * size);
            }
        });
        check(new Spatial.AvgPool2d(size), x, new Shape(N, C, height, width), r, expected, expectedGradient);
    }

    @ParameterizedTest(name = "{0} x {1}, size {2}")
    @CsvSource({"8, 6, 2", "7, 9, 2", "9, 7, 3", "4, 4, 1"})
    void maxPoolingTakesEachTilesLargestAndRoutesItsGradientThere(int height, int width, int size) {
        float[] x = random(N * C * height * width, 5); // continuous values: no ties
        float[] r = random(N * C * (height / size) * (width / size), 6);
        float[] expected = new float[r.length];
        float[] expectedGradient = new float[x.length];
        forEachTile(height, width, size, (out, tile) -> {
            int largest = tile[0];
            for (int in : tile) {
                largest = x[in] > x[largest] ? in : largest;
            }
            expected[out] = x[largest];
            expectedGradient[largest] = r[out];
        });
        check(new Spatial.MaxPool2d(size), x, new Shape(N, C, height, width), r, expected, expectedGradient);
    }

    /** Each pooled pixel's flat index with the flat input indices of its size x size tile (tiles that do not fit dropped). */
    private static void forEachTile(int height, int width, int size, BiConsumer<Integer, int[]> action) {
        int ph = height / size;
        int pw = width / size;
        for (int plane = 0; plane < N * C; plane++) {
            for (int i = 0; i < ph; i++) {
                for (int j = 0; j < pw; j++) {
                    int[] tile = new int[size * size];
                    for (int a = 0; a < size; a++) {
                        for (int b = 0; b < size; b++) {
                            tile[a * size + b] = (plane * height + i * size + a) * width + j * size + b;
                        }
                    }
                    action.accept((plane * ph + i) * pw + j, tile);
                }
            }
        }
    }

    @Test
    void upSamplingCopiesEachPixelToItsTwoByTwoBlock() {
        int height = 3;
        int width = 5;
        float[] x = random(N * C * height * width, 3);
        float[] r = random(N * C * 4 * height * width, 4);
        float[] expected = new float[r.length];
        float[] expectedGradient = new float[x.length];
        for (int plane = 0; plane < N * C; plane++) {
            for (int i = 0; i < 2 * height; i++) {
                for (int j = 0; j < 2 * width; j++) {
                    int out = (plane * 2 * height + i) * 2 * width + j;
                    int in = (plane * height + i / 2) * width + j / 2;
                    expected[out] = x[in];
                    expectedGradient[in] += r[out];
                }
            }
        }
        check(Spatial.UPSAMPLE_NEAREST_2X, x, new Shape(N, C, height, width), r, expected, expectedGradient);
    }

    /** In a bfloat16 inference pass the layers take and return bfloat16, within its rounding of the definition. */
    @Test
    void bfloat16ActivationsStayBfloat16() {
        try (NDManager m = Torch.engine().newBaseManager()) {
            Weights w = new PassWeights(Map.of(), false, 1, 1, null, m, Precision.BF16, null);
            NDArray half = Bfloat16.toBfloat16(m.randomNormal(new Shape(N, C, 6, 4)));
            NDArray exact = Bfloat16.toFloat32(half); // the input as the layers see it
            NDArray pooled = new Spatial.AvgPool2d(2).forward(w, half);
            NDArray up = Spatial.UPSAMPLE_NEAREST_2X.forward(w, half);
            NDArray largest = new Spatial.MaxPool2d(2).forward(w, half);
            assertTrue(Bfloat16.is(pooled) && Bfloat16.is(up) && Bfloat16.is(largest), "bfloat16 in, bfloat16 out");
            // up-sampling and max pooling only copy: exact; average pooling rounds each of its three sums to 8 significant bits
            assertArrayEquals(exact.getNDArrayInternal().interpolation(new long[] {12, 8}, 0, false).toFloatArray(),
                    Bfloat16.toFloat32(up).toFloatArray());
            assertArrayEquals(exact.reshape(N, C, 3, 2, 2, 2).max(new int[] {5}).max(new int[] {3}).toFloatArray(),
                    Bfloat16.toFloat32(largest).toFloatArray());
            NDArray reference = exact.getNDArrayInternal().avgPool(new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false, true);
            double error = Bfloat16.toFloat32(pooled).sub(reference).abs().max().getFloat();
            assertTrue(error <= 3 * Math.pow(2, -8) * exact.abs().max().getFloat(), "pooling error " + error);
        }
    }

    private static void check(Layer layer, float[] x, Shape shape, float[] r, float[] expected, float[] expectedGradient) {
        try (NDManager m = Torch.engine().newBaseManager()) {
            Weights w = new PassWeights(Map.of(), false, 1, 1, null, m, Precision.FP32, null);
            NDArray input = m.create(x, shape);
            input.setRequiresGradient(true);
            try (Torch.GradientRecording recording = Torch.recordGradients()) {
                NDArray y = layer.forward(w, input);
                assertEquals(DataType.FLOAT32, y.getDataType());
                assertArrayEquals(expected, y.reshape(-1).toFloatArray(), 1e-6f, "output");
                recording.backward(y.mul(m.create(r, y.getShape())).sum());
            }
            assertArrayEquals(expectedGradient, input.getGradient().reshape(-1).toFloatArray(), 1e-6f, "input gradient");
        }
    }

    private static float[] random(int n, long seed) {
        Random random = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextGaussian();
        }
        return a;
    }
}
