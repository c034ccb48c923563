package io.dpdm.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.dpdm.DpdmException;
import io.dpdm.diffusion.Preconditioning;
import io.dpdm.diffusion.UNetConfig;
import io.dpdm.nn.ParameterStore;
import io.dpdm.nn.Precision;
import io.dpdm.nn.Torch;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DenoiserNetworkTest {
    /**
     * Chunked evaluation of many rows equals evaluating each row on its own, whether the chunks
     * run one after another or concurrently in lanes (three chunks).
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void rowsAreEvaluatedIndependentlyOfChunking(boolean concurrent) {
        try (DenoiserNetwork net = DenoiserNetwork.create(UNetConfig.tiny(1, 3), new Preconditioning.Edm(), 5, concurrent);
                NDManager m = Torch.engine().newBaseManager()) {
            int chunk = net.chunkRows(Integer.MAX_VALUE);
            int rows = 2 * chunk + 6;
            assertEquals(chunk, net.chunkRows(rows), "three chunks");
            NDArray x = m.randomNormal(new Shape(rows, 1, 8, 8)).mul(3);
            double[] sigma = new double[rows];
            int[] labels = new int[rows];
            for (int i = 0; i < rows; i++) {
                sigma[i] = 0.01 * Math.pow(1.1, i);
                labels[i] = i % 4; // 3 = "no class"
            }
            float[] all = net.denoiser().denoise(x, sigma, labels).toFloatArray();
            for (int i : new int[] {0, 1, chunk - 1, chunk, 2 * chunk, rows - 1}) {
                float[] one = net.denoiser().denoise(x.get(i + ":" + (i + 1)), new double[] {sigma[i]},
                        new int[] {labels[i]}).toFloatArray();
                assertArrayEquals(one, Arrays.copyOfRange(all, i * 64, (i + 1) * 64), 1e-6f, "row " + i);
            }
        }
    }

    /**
     * Chunks are the largest power of two of rows whose first-level activations (base channels x
     * grid side^2 per row, 4 bytes each in float32, 2 in bfloat16) fit 4 MiB, split evenly enough
     * that every lane gets one.
     */
    @Test
    void chunksAreCacheSizedAndShareTheLanes() {
        int lanes = io.dpdm.nn.Lanes.count();
        UNetConfig pixels = UNetConfig.dpdm28(10);
        try (DenoiserNetwork net = DenoiserNetwork.create(pixels, new Preconditioning.Edm(), 1)) {
            assertEquals(32, net.chunkRows(10_000), "2^22 / (4 x 32 x 28 x 28) = 41.8 rows");
            assertEquals((5 + lanes - 1) / lanes, net.chunkRows(5));
            net.usePrecision(Precision.BF16, 1);
            assertEquals(64, net.chunkRows(10_000), "2^22 / (2 x 32 x 28 x 28) = 83.6 rows");
            assertEquals(64 / lanes, net.chunkRows(64 / lanes * lanes));
        }
        UNetConfig patches = io.dpdm.train.Preset.CPU.network(new io.dpdm.data.ImageShape(1, 28, 28), 10);
        try (DenoiserNetwork net = DenoiserNetwork.create(patches, new Preconditioning.Edm(), 1)) {
            assertEquals(256, net.chunkRows(10_000), "2^22 / (4 x 16 x 14 x 14) = 334 rows");
            assertEquals(256 / lanes, net.chunkRows(256));
        }
    }

    @Test
    void assignRefusesForeignWeights() {
        UNetConfig config = UNetConfig.tiny(1, 3);
        try (DenoiserNetwork net = DenoiserNetwork.create(config, new Preconditioning.Edm(), 1);
                ParameterStore other = new ParameterStore(2)) {
            io.dpdm.diffusion.UNet.create(other, config);
            Map<String, NDArray> missing = new LinkedHashMap<>(other.asMap());
            missing.remove("head.conv.bias");
            assertMessage("'head.conv.bias' (1) is missing", () -> net.assign(missing, "f.zip"));
            Map<String, NDArray> extra = new LinkedHashMap<>(other.asMap());
            extra.put("ghost", other.manager().zeros(new Shape(1)));
            assertMessage("parameter 'ghost' does not exist", () -> net.assign(extra, "f.zip"));
            Map<String, NDArray> doubles = new LinkedHashMap<>(other.asMap());
            doubles.put("head.conv.bias", other.manager().zeros(new Shape(1), DataType.FLOAT64));
            assertMessage("has shape (1) float64 but the network needs (1) float32", () -> net.assign(doubles, "f.zip"));
        }
    }

    private static void assertMessage(String part, org.junit.jupiter.api.function.Executable call) {
        String message = assertThrows(DpdmException.class, call).getMessage();
        assertTrue(message.startsWith("f.zip: ") && message.contains(part), message);
    }
}
