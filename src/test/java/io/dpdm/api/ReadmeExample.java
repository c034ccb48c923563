package io.dpdm.api;

import io.dpdm.classify.ClassifierKind;
import io.dpdm.eval.Evaluation;
import io.dpdm.eval.EvaluationRequest;
import io.dpdm.sample.SampleService;
import io.dpdm.train.TrainConfig;
import io.dpdm.train.Trainer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The README's "Use from Java" example, verbatim between the markers (ReadmeExampleTest checks both). */
final class ReadmeExample {
    private ReadmeExample() {}

    // README:begin
    static double trainSampleEvaluate(String data, String preset, Path out) {
        // A preset's config (the CLI's --preset); records, so every part can be replaced.
        TrainConfig config = Dpdm.preset(preset, data, 10, 1e-5);
        Trainer.Result trained = Dpdm.train(config, out.resolve("run"));
        System.out.printf("(epsilon %.3f, delta %.0e)%n", trained.privacy().epsilon(), trained.privacy().delta());

        // Post-processing of the model alone: out/run/model.zip is what may be shared.
        SampleService.Result synthetic = Dpdm.sample(out.resolve("run"), 1000, out.resolve("synthetic"));
        System.out.println(synthetic.images() + " synthetic images in " + synthetic.out());

        // DPDM's protocol: a CNN trained on the synthetic images, tested on the real test split.
        Evaluation.Result figures = Dpdm.evaluate(new EvaluationRequest(out.resolve("synthetic"), data,
                out.resolve("report"), List.of(ClassifierKind.CNN), 20, 2, Optional.empty(), out.resolve("cache"),
                0.1, 1000, 0, List.of()));
        return figures.scores().get(ClassifierKind.CNN).synthetic();
    }
    // README:end
}
