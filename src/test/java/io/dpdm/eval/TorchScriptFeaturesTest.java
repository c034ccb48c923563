package io.dpdm.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dpdm.data.ImageShape;
import io.dpdm.data.ImageSplit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loads a TorchScript feature extractor through DJL. No Python torch is available here, so the
 * test writes a minimal TorchScript archive by hand (the zip layout torch.jit.save produces: the
 * module's TorchScript source, a pickled module object and its constants): a module returning the
 * per-channel mean of its input. Its features are known in closed form, which checks the input
 * contract ([0, 1] values, grayscale repeated to 3 channels).
 */
public class TorchScriptFeaturesTest {
    private static final String CODE = """
            class Net(Module):
              __parameters__ = []
              __buffers__ = []
              training : bool
              def forward(self: __torch__.Net,
                x: Tensor) -> Tensor:
                return torch.flatten(torch.mean(x, [2, 3]), 1)
            """;

    /** A TorchScript archive of the module above, as torch.jit.save lays it out. */
    public static Path channelMeanModule(Path dir) throws IOException {
        // pickle protocol 2: __torch__.Net object with state {'training': True}
        byte[] data = concat(new byte[] {(byte) 0x80, 2, 'c'}, "__torch__\nNet\n".getBytes(StandardCharsets.US_ASCII),
                new byte[] {'q', 0, ')', (byte) 0x81, '}', '(', 'X', 8, 0, 0, 0},
                "training".getBytes(StandardCharsets.US_ASCII), new byte[] {'q', 1, (byte) 0x88, 'u', 'b', '.'});
        Path file = dir.resolve("net.pt");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(file))) {
            entry(z, "net/data.pkl", data);
            entry(z, "net/code/__torch__.py", CODE.getBytes(StandardCharsets.UTF_8));
            entry(z, "net/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
            entry(z, "net/version", "3\n".getBytes(StandardCharsets.US_ASCII));
            entry(z, "net/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
        }
        return file;
    }

    private static void entry(ZipOutputStream z, String name, byte[] bytes) throws IOException {
        z.putNextEntry(new ZipEntry(name));
        z.write(bytes);
        z.closeEntry();
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void featuresFollowTheInputContract(@TempDir Path tmp) throws Exception {
        ImageShape shape = new ImageShape(1, 4, 4);
        int n = 150; // more than one batch of 100
        byte[] pixels = new byte[n * 16];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) ((i * 37) % 256);
        }
        ImageSplit split = new ImageSplit(shape, pixels, new int[n]);
        try (TorchScriptFeatures f = TorchScriptFeatures.load(channelMeanModule(tmp))) {
            assertTrue(f.standardFid());
            assertEquals("TorchScript net.pt", f.name());
            float[][] features = f.features(split);
            assertEquals(n, features.length);
            for (int i = 0; i < n; i++) {
                double mean = 0;
                for (int p = 0; p < 16; p++) {
                    mean += (pixels[i * 16 + p] & 0xff) / 255.0 / 16;
                }
                assertEquals(3, features[i].length, "grayscale repeated to 3 channels");
                for (float v : features[i]) {
                    assertEquals(mean, v, 1e-5, "image " + i);
                }
            }
        }
    }
}
