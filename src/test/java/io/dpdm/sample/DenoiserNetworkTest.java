package io.dpdm.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
     * run one after another or concurrently in lanes (three chunks for two lanes).
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void rowsAreEvaluatedIndependentlyOfChunking(boolean concurrent) {
        int rows = 2 * DenoiserNetwork.CHUNK_ROWS + 6;
        try (DenoiserNetwork net = DenoiserNetwork.create(UNetConfig.tiny(1, 3), new Preconditioning.Edm(), 5, concurrent);
                NDManager m = Torch.engine().newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(rows, 1, 8, 8)).mul(3);
            double[] sigma = new double[rows];
            int[] labels = new int[rows];
            for (int i = 0; i < rows; i++) {
                sigma[i] = 0.01 * Math.pow(1.1, i);
                labels[i] = i % 4; // 3 = "no class"
            }
            float[] all = net.denoiser().denoise(x, sigma, labels).toFloatArray();
            for (int i : new int[] {0, 1, DenoiserNetwork.CHUNK_ROWS - 1, DenoiserNetwork.CHUNK_ROWS,
                    2 * DenoiserNetwork.CHUNK_ROWS, rows - 1}) {
                float[] one = net.denoiser().denoise(x.get(i + ":" + (i + 1)), new double[] {sigma[i]},
                        new int[] {labels[i]}).toFloatArray();
                assertArrayEquals(one, Arrays.copyOfRange(all, i * 64, (i + 1) * 64), 1e-6f, "row " + i);
            }
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
