package io.dpdm.train;

import io.dpdm.data.IdxWriter;
import io.dpdm.data.ImageDataset;
import io.dpdm.data.ImageShape;
import io.dpdm.data.ImageSplit;
import io.dpdm.diffusion.Augmentation;
import io.dpdm.diffusion.Preconditioning;
import io.dpdm.diffusion.UNetConfig;
import io.dpdm.dp.Clipping;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/** Test fixtures: a tiny two-class 8x8 IDX data set and tiny training configs over it. */
final class TinyRuns {
    static final int N = 24;
    static final int SIZE = 8;

    private TinyRuns() {}

    /** Class 0: bright left half; class 1: bright top half; plus pixel noise. Written as IDX into {@code folder}. */
    static Path dataset(Path folder) {
        ImageShape shape = new ImageShape(1, SIZE, SIZE);
        SplittableRandom rng = new SplittableRandom(42);
        byte[] pixels = new byte[N * shape.size()];
        int[] labels = new int[N];
        for (int i = 0; i < N; i++) {
            labels[i] = i % 2;
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    boolean bright = labels[i] == 0 ? x < SIZE / 2 : y < SIZE / 2;
                    int v = (bright ? 200 : 40) + rng.nextInt(-30, 31);
                    pixels[i * shape.size() + y * SIZE + x] = (byte) v;
                }
            }
        }
        IdxWriter.writeDataset(folder, new ImageDataset("tiny", shape, List.of("left", "top"),
                new ImageSplit(shape, pixels, labels), ImageSplit.empty(shape)));
        return folder;
    }

    /** A complete config for the tiny data: B = 8 expected, K = 2, micro-batches of 4. */
    static TrainConfig config(Path data, double epsilon, long steps) {
        return new TrainConfig(data.toString(),
                new TrainConfig.Privacy(epsilon, 1e-3, "rdp", null, null),
                new TrainConfig.Schedule(8, null, steps, 4),
                new TrainConfig.Objective(new Preconditioning.Edm(), new Preconditioning.Edm().defaultNoise(), 2, 0.1,
                        Augmentation.NONE),
                new TrainConfig.Optimisation(3e-3, 0.9, 1.0, Clipping.FLAT),
                UNetConfig.tiny(1, 2), 7, new TrainConfig.Intervals(1, 2, 0));
    }
}
