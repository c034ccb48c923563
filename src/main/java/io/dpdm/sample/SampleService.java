package io.dpdm.sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpdm.DpdmException;
import io.dpdm.data.ImageShape;
import io.dpdm.diffusion.UNetConfig;
import io.dpdm.model.ModelCard;
import io.dpdm.model.ModelCheckpoint;
import io.dpdm.model.Provenance;
import io.dpdm.nn.Precision;
import io.dpdm.nn.Torch;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code dpdm sample}: loads a trained model (card + EMA or raw weights) from its checkpoint,
 * generates the requested images with a {@link Sampler} and writes them as a synthetic data set
 * ({@link SyntheticDataExporter}) whose manifest carries the model's privacy guarantee.
 *
 * <p>Sampling is post-processing of the private model: it reads the checkpoint and nothing
 * else. This package has no access to data set loaders (only to the IDX and PNG writers), which
 * a test of its class references enforces.
 */
public final class SampleService {
    public static final String FORMAT = "dpdm-synthetic-data";
    public static final int VERSION = 1;
    static final String POST_PROCESSING = "These images were generated from the trained model alone (its checkpoint"
            + " weights and the sampler's own random seeds); sampling never opened the training data or any other"
            + " data set. Sampling is post-processing of the model, so this data set carries exactly the model's"
            + " (epsilon, delta) guarantee stated under 'privacy'";
    static final String PRIVATE = ".";
    static final String NON_PRIVATE = ", which is none: the model was trained without differential privacy.";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What was written.
     *
     * @param out the output folder
     * @param perClass images per class name ("unconditional" for an unconditional model)
     * @param files files and folders written, relative to {@code out}
     * @param seconds wall time of sampling alone
     * @param precision the denoiser's precision, and why when it was chosen by timing
     */
    public record Result(Path out, Map<String, Integer> perClass, List<String> files, double seconds, String precision) {
        public int images() {
            return perClass.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    private SampleService() {}

    /**
     * @param progress receives (images done, images total) as sampling advances
     */
    public static Result run(SampleRequest request, SamplingProgress progress) {
        ModelCheckpoint.resolve(request.model()); // a missing file fails before the engine starts
        try (NDManager manager = Torch.engine().newBaseManager()) {
            ModelCheckpoint.Loaded loaded = ModelCheckpoint.read(request.model(), manager);
            ModelCard card = loaded.card();
            ClassPlan plan = plan(request, card);
            if (request.settings().guidance() > 0 && !card.conditional()) {
                throw new DpdmException(loaded.file() + ": --guidance " + request.settings().guidance()
                        + " needs a class-conditional model, but this model is unconditional");
            }
            SyntheticDataExporter.prepare(request.out());
            UNetConfig net = card.network();
            float[] images;
            Precision.Choice precision;
            long start = System.nanoTime();
            try (DenoiserNetwork network = DenoiserNetwork.create(net, card.preconditioning(), 0)) {
                precision = network.usePrecision(request.precision(), Math.min(request.batchSize(), plan.total()));
                Map<String, NDArray> weights = request.weights() == WeightSet.EMA ? loaded.ema() : loaded.params();
                network.assign(weights, loaded.file() + " ('" + request.weights().group() + "' weights)");
                loaded.params().values().forEach(NDArray::close);
                loaded.ema().values().forEach(NDArray::close);
                int total = plan.total();
                SampleJob job = new SampleJob(SampleJob.seedRange(request.seed(), total), plan.labels(),
                        net.numClasses(), net.channels(), net.imageSize(), net.imageSize(), request.batchSize());
                images = new Sampler(request.settings(), manager).sample(network.denoiser(), job,
                        (done, all) -> progress.update(done * total / all, total));
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            List<String> classNames = card.conditional() ? card.classNames() : List.of(ClassPlan.UNCONDITIONAL);
            int[] labels = card.conditional() ? plan.labels() : new int[plan.total()];
            Map<String, Integer> perClass = plan.named(card.classNames());
            List<String> files = SyntheticDataExporter.write(request.out(), request.formats(),
                    new ImageShape(net.channels(), net.imageSize(), net.imageSize()), images, labels, classNames,
                    manifest(request, precision.precision(), loaded.file(), card, perClass));
            return new Result(request.out(), perClass, files, seconds, precision.describe(request.precision()));
        }
    }

    private static ClassPlan plan(SampleRequest request, ModelCard card) {
        if (request.classes() != null) {
            return ClassPlan.parse(request.classes(), card.classNames(), request.count());
        }
        return card.conditional()
                ? ClassPlan.balanced(request.count(), card.classNames().size())
                : ClassPlan.unconditional(request.count());
    }

    /** Denoiser evaluations per image: Heun-type solvers evaluate twice per step except the last. */
    static int evaluationsPerImage(SamplerSettings s) {
        int steps = s.grid().steps();
        int perImage = s.solver() instanceof Solver.Heun || s.solver() instanceof Solver.Stochastic ? 2 * steps - 1 : steps;
        return s.guidance() > 0 ? 2 * perImage : perImage;
    }

    /**
     * The manifest: the guarantee, the card without anything computed from data beyond the
     * guarantee (the card holds no losses or metrics, by design), the sampler settings and the
     * counts. Training losses and metrics are never copied here.
     */
    static ObjectNode manifest(SampleRequest request, Precision precision, Path checkpoint, ModelCard card,
            Map<String, Integer> perClass) {
        ObjectNode m = JSON.createObjectNode();
        m.put("format", FORMAT).put("version", VERSION);
        m.set("privacy", JSON.valueToTree(card.privacy()));
        m.put("post_processing", POST_PROCESSING + (card.privacy().isPrivate() ? PRIVATE : NON_PRIVATE));
        ObjectNode model = ModelCheckpoint.cardJson(card);
        model.remove("privacy");
        // The file's name only: a path describes the operator's machine, not the model.
        model.put("file", checkpoint.getFileName().toString());
        model.put("weights", request.weights().group());
        m.set("model", model);
        ObjectNode sampler = JSON.valueToTree(request.settings());
        sampler.put("evaluations_per_image", evaluationsPerImage(request.settings()));
        sampler.put("seed", request.seed());
        sampler.put("image_seeds", "image i (in file order) is generated from seed + i alone, whatever the batch size");
        sampler.put("batch_size", request.batchSize());
        // what the images were computed in (with the seeds, it reproduces them); AUTO's timings stay with the operator
        sampler.put("precision", precision.name().toLowerCase(Locale.ROOT));
        m.set("sampler", sampler);
        ObjectNode images = m.putObject("images");
        images.put("count", perClass.values().stream().mapToInt(Integer::intValue).sum());
        images.put("channels", card.network().channels());
        images.put("height", card.network().imageSize());
        images.put("width", card.network().imageSize());
        images.put("pixels", "model output clipped to [-1, 1], stored as uint8 round((x + 1) * 127.5)");
        images.set("per_class", JSON.valueToTree(perClass));
        m.put("generated_by", Provenance.SOFTWARE + ", " + Provenance.ENGINE);
        return m;
    }
}
