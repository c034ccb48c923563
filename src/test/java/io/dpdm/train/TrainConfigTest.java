package io.dpdm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpdm.DpdmException;
import io.dpdm.data.ImageShape;
import io.dpdm.diffusion.Augmentation;
import io.dpdm.diffusion.NoiseDistribution;
import io.dpdm.diffusion.Preconditioning;
import io.dpdm.diffusion.UNetConfig;
import io.dpdm.dp.Clipping;
import io.dpdm.privacy.Accountants;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Config records, YAML/JSON round trips, layering and the privacy plan (no tensor engine). */
class TrainConfigTest {
    private static TrainConfig everyFeature(double epsilon) {
        return new TrainConfig("some/data",
                new TrainConfig.Privacy(epsilon, 1e-5, "rdp", Double.isInfinite(epsilon) ? null : 2.5, io.dpdm.dp.KeyMode.FRESH),
                new TrainConfig.Schedule(4096, 300.0, null, 16),
                new TrainConfig.Objective(new Preconditioning.VPrediction(),
                        NoiseDistribution.Mixture.highNoiseBiased(new NoiseDistribution.LogNormal(-1.2, 1.2), 0.3, 1, 80),
                        32, 0.1, new Augmentation(true, 2)),
                new TrainConfig.Optimisation(3e-4, 0.999, 1.0, Clipping.PER_LAYER),
                UNetConfig.dpdm28(10), 123, new TrainConfig.Intervals(10, 100, 500));
    }

    @Test
    void roundTripsThroughYamlAndJson(@TempDir Path dir) throws Exception {
        for (double eps : new double[] {10, Double.POSITIVE_INFINITY}) {
            TrainConfig config = everyFeature(eps);
            Path yaml = Files.writeString(dir.resolve("c.yaml"), TrainConfigs.toYaml(config));
            assertEquals(config, TrainConfigs.read(yaml));
            Path json = Files.writeString(dir.resolve("c.json"), TrainConfigs.toJson(config));
            assertEquals(config, TrainConfigs.read(json));
        }
    }

    @Test
    void handWrittenYamlLayersOverAPreset(@TempDir Path dir) throws Exception {
        TrainConfig base = everyFeature(1);
        Path file = Files.writeString(dir.resolve("over.yaml"), String.join("\n",
                "privacy: {epsilon: inf}",
                "schedule: {batchSize: 64, epochs: null, steps: 10}",
                "objective:",
                "  preconditioning: {type: edm, sigmaData: 0.5}",
                "  draws: 4",
                "network: {baseChannels: 16}", ""));
        ObjectNode tree = TrainConfigs.merge(TrainConfigs.toTree(base), TrainConfigs.readTree(file));
        tree.with("privacy").putNull("noiseMultiplier");
        TrainConfig c = TrainConfigs.fromTree(tree, file.toString());
        assertEquals(Double.POSITIVE_INFINITY, c.privacy().epsilon());
        assertEquals(new TrainConfig.Schedule(64, null, 10L, 16), c.schedule());
        assertEquals(new Preconditioning.Edm(0.5), c.objective().preconditioning()); // type change: replaced whole
        assertEquals(4, c.objective().draws());
        assertEquals(base.objective().noise(), c.objective().noise()); // untouched fields stay
        assertEquals(16, c.network().baseChannels());
        assertEquals(base.network().channelMultipliers(), c.network().channelMultipliers());
    }

    @Test
    void passSizeKeepsAPassWithinEightMebibytesOfFirstLevelActivations() {
        // 28x28 nf 32 on pixels: 4 * 32 * 28^2 = 100,352 bytes a row, 8 MiB / that = 83.6 -> 64 rows
        UNetConfig pixels = UNetConfig.dpdm28(10);
        assertEquals(16, PassSize.examples(pixels, 4, 64));
        assertEquals(2, PassSize.examples(pixels, 32, 4096));
        assertEquals(1, PassSize.examples(pixels, 128, 4096)); // one example even past the budget
        assertEquals(8, PassSize.examples(pixels, 1, 8)); // never more than the batch
        // patch-2 nf 16 on a 14x14 grid: 12,544 bytes a row, 668.7 -> 512 rows
        UNetConfig patches = Preset.CPU.network(new ImageShape(1, 28, 28), 10);
        assertEquals(512, PassSize.examples(patches, 1, 2048));
        assertEquals(256, PassSize.examples(patches, 2, 2048));
    }

    @Test
    void anUnsetPassSizeFollowsTheDrawsLayeredOverIt(@TempDir Path dir) throws Exception {
        TrainConfig base = everyFeature(10);
        base = base.withSchedule(new TrainConfig.Schedule(4096, 300.0, null, null, null, null));
        assertEquals(2, base.passSize()); // 64 rows of 32 draws
        Path file = Files.writeString(dir.resolve("over.yaml"), "objective: {draws: 4}\n");
        TrainConfig four = TrainConfigs.fromTree(
                TrainConfigs.merge(TrainConfigs.toTree(base), TrainConfigs.readTree(file)), file.toString());
        assertEquals(16, four.passSize());
        assertEquals(16, four.withPassSizeFixed().schedule().microBatchSize()); // what config.json records
        assertEquals(7, four.withSchedule(new TrainConfig.Schedule(4096, 300.0, null, 7)).passSize());
        Path written = Files.writeString(dir.resolve("c.json"), TrainConfigs.toJson(base));
        assertEquals(base, TrainConfigs.read(written));
    }

    @Test
    void invalidFieldsFailWithTheFieldName(@TempDir Path dir) throws Exception {
        ObjectNode tree = TrainConfigs.toTree(everyFeature(1));
        tree.with("schedule").put("steps", 5); // epochs is set too
        DpdmException both = assertThrows(DpdmException.class, () -> TrainConfigs.fromTree(tree, "x.yaml"));
        assertTrue(both.getMessage().contains("x.yaml") && both.getMessage().contains("exactly one of epochs and steps"),
                both.getMessage());
        ObjectNode negative = TrainConfigs.toTree(everyFeature(1));
        negative.with("objective").put("draws", 0);
        assertTrue(assertThrows(DpdmException.class, () -> TrainConfigs.fromTree(negative, "y"))
                .getMessage().contains("objective.draws must be >= 1"));
        Path notYaml = Files.writeString(dir.resolve("bad.yaml"), "privacy: [unclosed");
        assertTrue(assertThrows(DpdmException.class, () -> TrainConfigs.readTree(notYaml)).getMessage()
                .startsWith(notYaml.toString()));
        assertThrows(IllegalArgumentException.class, () -> new TrainConfig.Privacy(0, 1e-5, "prv", null, null));
        assertThrows(IllegalArgumentException.class, () -> new TrainConfig.Privacy(1, 1e-5, "moments", null, null));
    }

    @Test
    void paperScheduleMatchesTheReferenceWhenBIsNOver15() {
        // q = 1/15 and T = 300 * 15 = 4500: the reference code's schedule for N = 60,000.
        assertEquals(4500, new TrainConfig.Schedule(4000, 300.0, null, 16).totalSteps(60_000));
        // B = 4096: q = 0.0683, T = ceil(300 * 60000 / 4096) = 4395.
        assertEquals(4395, new TrainConfig.Schedule(4096, 300.0, null, 16).totalSteps(60_000));
    }

    @Test
    void planCalibratesSigmaToMeetTheTarget() {
        TrainConfig c = withPrivacy(new TrainConfig.Privacy(10, 1e-5, "rdp", null, null), 4000);
        TrainPlan plan = TrainPlan.of(c, 60_000);
        assertEquals(1.0 / 15, plan.sampleRate(), 1e-15);
        assertEquals(4500, plan.steps());
        // Opacus' search with the RDP accountant: DPDM's published sigma for eps 10 is 2.488.
        assertEquals(2.488, plan.noiseMultiplier(), 0.01);
        assertTrue(plan.plannedEpsilon() <= 10 && plan.plannedEpsilon() > 9.9, "planned " + plan.plannedEpsilon());
    }

    @Test
    void refusesATooSmallNoiseMultiplierNamingThePlannedEpsilon() {
        TrainConfig c = withPrivacy(new TrainConfig.Privacy(1, 1e-5, "rdp", 2.488, null), 4000);
        double planned = Accountants.byName("rdp").epsilon(1.0 / 15, 2.488, 4500, 1e-5).epsilon();
        DpdmException e = assertThrows(DpdmException.class, () -> TrainPlan.of(c, 60_000));
        assertTrue(e.getMessage().startsWith("refusing to start") && e.getMessage().contains(
                String.format(java.util.Locale.ROOT, "%.4g", planned)), e.getMessage());
        assertTrue(planned > 9, "independent check: sigma 2.488 is DPDM's eps-10 setting, got " + planned);
    }

    @Test
    void refusesAnUnreachableTarget() {
        // RDP with orders up to 63 cannot certify below log(1/delta)/62 = 0.186 at delta 1e-5, whatever sigma.
        TrainConfig c = withPrivacy(new TrainConfig.Privacy(0.1, 1e-5, "rdp", null, null), 4000);
        DpdmException e = assertThrows(DpdmException.class, () -> TrainPlan.of(c, 60_000));
        assertTrue(e.getMessage().contains("cannot meet epsilon 0.1"), e.getMessage());
        DpdmException big = assertThrows(DpdmException.class,
                () -> TrainPlan.of(withPrivacy(new TrainConfig.Privacy(1, 1e-5, "rdp", null, null), 4000), 100));
        assertTrue(big.getMessage().contains("batchSize 4000 exceeds the data set size 100"), big.getMessage());
    }

    /** A warm-start release that alone spends the target: the error names what it spends and the setting to change. */
    @Test
    void refusesEarlierReleasesThatSpendTheWholeTarget() {
        TrainConfig c = withPrivacy(new TrainConfig.Privacy(10, 1e-5, "rdp", null, null), 4000);
        java.util.List<io.dpdm.privacy.Phase> release = java.util.List.of(new io.dpdm.privacy.Phase(1, 0.5, 20));
        double spent = Accountants.byName("rdp").epsilon(1, 0.5, 20, 1e-5).epsilon();
        DpdmException e = assertThrows(DpdmException.class, () -> TrainPlan.of(c, 60_000, release));
        assertTrue(e.getMessage().startsWith("the earlier releases alone spend epsilon "
                + String.format(java.util.Locale.ROOT, "%.4g", spent)), e.getMessage());
        assertTrue(e.getMessage().contains("warmStart.release.noiseMultiplier"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void nonPrivatePlanSpendsNothingAndAddsNoNoise() {
        TrainPlan plan = TrainPlan.of(withPrivacy(new TrainConfig.Privacy(Double.POSITIVE_INFINITY, 1e-5, "prv", null,
                null), 4000), 60_000);
        assertEquals(0, plan.noiseMultiplier());
        assertEquals(Double.POSITIVE_INFINITY, plan.plannedEpsilon());
    }

    private static TrainConfig withPrivacy(TrainConfig.Privacy p, int batch) {
        TrainConfig c = everyFeature(1);
        return new TrainConfig(c.data(), p, new TrainConfig.Schedule(batch, 300.0, null, 16), c.objective(),
                c.optimisation(), c.network(), c.seed(), c.intervals());
    }
}
