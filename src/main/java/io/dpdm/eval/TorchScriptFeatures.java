package io.dpdm.eval;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import io.dpdm.DpdmException;
import io.dpdm.data.ImageSplit;
import io.dpdm.nn.Torch;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A user-supplied TorchScript feature extractor (a {@code .pt} file made by
 * {@code torch.jit.script/trace(...).save(...)}), run through DJL's PyTorch engine, offline. Meant
 * for the standard FID network (InceptionV3 with the pytorch-fid weights), which dpdm cannot ship.
 *
 * <p>Input contract, the one pytorch-fid's {@code InceptionV3} module expects: a float32 batch
 * (N, 3, H, W) with values in [0, 1]; grayscale images are repeated to 3 channels (as the DPDM
 * reference does); the module resizes internally if it needs to. Output: (N, D) or
 * (N, D, 1, 1) features (pool3 for InceptionV3, D = 2048).
 */
public final class TorchScriptFeatures implements FeatureExtractor {
    private static final int BATCH = 100;
    /** First bytes of a zip archive: every TorchScript file is one. */
    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};

    private final Path file;
    private final Model model;
    private final Predictor<NDList, NDList> predictor;

    private TorchScriptFeatures(Path file, Model model) {
        this.file = file;
        this.model = model;
        this.predictor = model.newPredictor(new NoopTranslator());
    }

    /** Loads {@code file}; a missing, non-TorchScript or unloadable file is a one-line DpdmException. */
    public static TorchScriptFeatures load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new DpdmException("feature extractor " + file + ": no such file (expected a TorchScript .pt file)");
        }
        try (InputStream in = Files.newInputStream(file)) {
            if (!Arrays.equals(in.readNBytes(ZIP_MAGIC.length), ZIP_MAGIC)) {
                throw new DpdmException("feature extractor " + file + ": not a TorchScript file (expected the zip"
                        + " archive written by torch.jit.save)");
            }
        } catch (IOException e) {
            throw new DpdmException("feature extractor " + file + ": cannot read (" + e.getMessage() + ")");
        }
        Torch.engine();
        Model model = Model.newInstance(file.getFileName().toString(), "PyTorch");
        try {
            model.load(file.toAbsolutePath().getParent(), file.getFileName().toString());
            return new TorchScriptFeatures(file, model);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            String why = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            throw new DpdmException("feature extractor " + file + ": PyTorch cannot load it as TorchScript (" + why + ")");
        }
    }

    @Override
    public String name() {
        return "TorchScript " + file.getFileName();
    }

    @Override
    public boolean standardFid() {
        return true;
    }

    @Override
    public float[][] features(ImageSplit split) {
        float[][] out = new float[split.size()][];
        int c = split.shape().channels();
        for (int from = 0; from < split.size(); from += BATCH) {
            int n = Math.min(BATCH, split.size() - from);
            int[] idx = new int[n];
            int start = from;
            Arrays.setAll(idx, i -> start + i);
            try (NDManager m = model.getNDManager().newSubManager()) {
                NDArray x = split.images(m, idx).add(1).div(2); // [-1, 1] -> [0, 1]; inference only
                if (c == 1) {
                    x = x.repeat(1, 3);
                }
                NDArray y = predictor.predict(new NDList(x)).singletonOrThrow();
                if (y.getShape().dimension() < 2 || y.getShape().get(0) != n || y.size() % n != 0) {
                    throw new DpdmException("feature extractor " + file + ": expected (N, D) features for a batch of "
                            + n + ", got shape " + y.getShape());
                }
                float[] flat = y.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
                int d = flat.length / n;
                for (int i = 0; i < n; i++) {
                    out[start + i] = Arrays.copyOfRange(flat, i * d, (i + 1) * d);
                }
            } catch (TranslateException e) {
                throw new DpdmException("feature extractor " + file + ": inference failed (" + e.getMessage() + ")");
            }
        }
        return out;
    }

    @Override
    public void close() {
        predictor.close();
        model.close();
    }
}
