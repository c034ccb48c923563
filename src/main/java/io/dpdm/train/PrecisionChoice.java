package io.dpdm.train;

import ai.djl.ndarray.NDManager;
import io.dpdm.data.ImageShape;
import io.dpdm.data.ImageSplit;
import io.dpdm.diffusion.Preconditioned;
import io.dpdm.diffusion.UNet;
import io.dpdm.diffusion.UNetConfig;
import io.dpdm.dp.DpRandom;
import io.dpdm.dp.ExampleRandomness;
import io.dpdm.nn.Lanes;
import io.dpdm.nn.ParameterStore;
import io.dpdm.nn.PerExampleGradients;
import io.dpdm.nn.Precision;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Resolves a run's precision request when it starts. AUTO times one micro-batch of per-example
 * gradients, in lanes as DP-SGD runs them, in float32 and in bfloat16 ({@link Precision#resolve}),
 * on a throwaway copy of the network fed with uniform-noise images and public randomness: the
 * choice depends on the network, the schedule and the CPU, never on the private data or the
 * run's keys.
 */
final class PrecisionChoice {
    private PrecisionChoice() {}

    /** {@code config} with its precision resolved to FP32 or BF16, and how. */
    record Resolved(TrainConfig config, String description) {}

    static Resolved resolve(TrainConfig config) {
        TrainConfig.Schedule schedule = config.schedule();
        Precision requested = schedule.precision();
        Precision.Choice choice;
        try (ParameterStore store = new ParameterStore(config.seed())) {
            // only AUTO runs the pass: an explicit request builds no network for it
            choice = requested.resolve(store, requested == Precision.AUTO ? timedPass(config, store) : () -> { });
        }
        return new Resolved(config.withSchedule(schedule.withPrecision(choice.precision())), choice.describe(requested));
    }

    /**
     * One micro-batch's per-example gradients of the config's loss over {@code store} (which it
     * fills with the config's network), on noise images with public randomness, in lanes as
     * DP-SGD runs it.
     */
    static Runnable timedPass(TrainConfig config, ParameterStore store) {
        UNetConfig net = config.network();
        Preconditioned model = new Preconditioned(UNet.create(store, net), config.objective().preconditioning());
        int rows = Math.min(config.passSize(), config.schedule().batchSize());
        ImageShape shape = new ImageShape(net.channels(), net.imageSize(), net.imageSize());
        byte[] pixels = new byte[Math.toIntExact(rows * shape.size())];
        new SplittableRandom(0).nextBytes(pixels);
        int[] labels = new int[rows];
        DenoisingSource source = new DenoisingSource(store, Trainer.denoisingLoss(config, model),
                new ImageSplit(shape, pixels, labels), config.schedule().drawsPerPass(config.objective().draws()));
        int[] pass = new int[rows];
        Arrays.setAll(pass, i -> i);
        ExampleRandomness randomness = DpRandom.publicSeed(0).examples(0);
        return () -> {
            try (NDManager m = store.manager().newSubManager()) {
                Lanes.all(Arrays.stream(Lanes.split(pass))
                        .<Supplier<PerExampleGradients>>map(part -> () -> source.perExample(part, randomness, m))
                        .toList());
            }
        };
    }
}
