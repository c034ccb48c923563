package io.dpdm.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.dpdm.nn.Torch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SamplerApiTest {
    private static final Solver CHURN = new Solver.Stochastic(30, 0.05, 50, 1.007, Solver.Stochastic.EDM_GAMMA_MAX);

    private NDManager m;

    @BeforeEach
    void start() {
        Torch.engine();
        m = NDManager.newBaseManager();
    }

    @AfterEach
    void stop() {
        m.close();
    }

    private float[] churn(long[] seeds, int batch) {
        return new Sampler(new SamplerSettings(NoiseGrid.edm(20), CHURN, 0), m).sample(
                GaussianData.unconditional(0.3, 0.5), new SampleJob(seeds, null, 0, 2, 3, 3, batch),
                SamplingProgress.NONE);
    }

    /** EDM-style seeding: an image depends on its seed only, not on batch size or neighbours. */
    @Test
    void anImageReproducesWhateverTheBatch() {
        long[] seeds = {11, 12, 13, 14, 15, 16, 17};
        float[] whole = churn(seeds, 7);
        assertArrayEquals(whole, churn(seeds, 3), 0f);
        assertArrayEquals(whole, churn(seeds, 1), 0f);
        int size = 18;
        float[] alone = churn(new long[] {15}, 4);
        assertArrayEquals(Arrays.copyOfRange(whole, 4 * size, 5 * size), alone, 0f);
        float[] other = churn(new long[] {99, 15}, 2);
        assertArrayEquals(alone, Arrays.copyOfRange(other, size, 2 * size), 0f);
        assertTrue(!Arrays.equals(Arrays.copyOfRange(whole, 0, size), Arrays.copyOfRange(whole, size, 2 * size)));
    }

    /** Each step's temporaries are released: the live-array count does not grow with steps. */
    @Test
    void memoryDoesNotGrowWithSteps() {
        List<Integer> live = new ArrayList<>();
        GaussianData data = GaussianData.unconditional(0.3, 0.5);
        io.dpdm.diffusion.Denoiser counting = (x, sigma, labels) -> {
            live.add(((ai.djl.ndarray.BaseNDManager) m).getManagedArrays().size());
            return data.denoise(x, sigma, labels);
        };
        new Sampler(new SamplerSettings(NoiseGrid.edm(200), CHURN, 0), m).sample(
                counting, new SampleJob(SampleJob.seedRange(0, 4), null, 0, 1, 2, 2, 4), SamplingProgress.NONE);
        assertTrue(live.get(live.size() - 1) <= live.get(10), live.get(10) + " -> " + live.get(live.size() - 1));
        assertTrue(((ai.djl.ndarray.BaseNDManager) m).getManagedArrays().isEmpty());
    }

    @Test
    void progressCountsSolverStepsOverAllBatches() {
        List<long[]> calls = new ArrayList<>();
        new Sampler(new SamplerSettings(NoiseGrid.edm(5), new Solver.Euler(), 0), m).sample(
                GaussianData.unconditional(0, 1), new SampleJob(SampleJob.seedRange(0, 7), null, 0, 1, 2, 2, 3),
                (done, total) -> calls.add(new long[] {done, total}));
        assertEquals(15, calls.size());
        for (int i = 0; i < 15; i++) {
            assertArrayEquals(new long[] {i + 1, 15}, calls.get(i));
        }
    }

    @Test
    void outputIsClippedToTheImageRange() {
        float[] out = new Sampler(new SamplerSettings(NoiseGrid.edm(10), new Solver.Heun(), 0), m).sample(
                GaussianData.unconditional(0.8, 1), new SampleJob(SampleJob.seedRange(0, 50), null, 0, 1, 4, 4, 50),
                SamplingProgress.NONE);
        double lo = 0;
        double hi = 0;
        for (float f : out) {
            lo = Math.min(lo, f);
            hi = Math.max(hi, f);
        }
        assertEquals(-1, lo, 0);
        assertEquals(1, hi, 0);
    }

    /** Hand-worked: s = 0.5, sigma = 1: D = (0.25 x + mu)/1.25; w = 2 gives 3 D(c) - 2 D(none). */
    @Test
    void guidanceCombinesConditionalAndUnconditionalDenoisers() {
        GaussianData data = new GaussianData(new double[] {-0.4, 0.4}, 0.1, 0.5);
        NDArray x = m.create(new float[] {1, -2}, new Shape(2, 1, 1, 1));
        float[] d = new GuidedDenoiser(data, 2, 2).denoise(x, new double[] {1, 1}, new int[] {0, 1}).toFloatArray();
        double c0 = (0.25 - 0.4) / 1.25;
        double c1 = (-0.5 + 0.4) / 1.25;
        double u0 = (0.25 + 0.1) / 1.25;
        double u1 = (-0.5 + 0.1) / 1.25;
        assertArrayEquals(new float[] {(float) (3 * c0 - 2 * u0), (float) (3 * c1 - 2 * u1)}, d, 1e-6f);
    }

    /**
     * With Gaussian classes the guided denoiser is the ideal denoiser of mean
     * (1 + w) mu_c - w mu_none, so guided samples of class c have that mean: here -0.5 and 0.7
     * (s = 0.1, 400 images x 16 pixels per class: standard error 0.0013, plus 0.005 allowance).
     */
    @Test
    void guidedSamplingShiftsEachClassMean() {
        GaussianData data = new GaussianData(new double[] {-0.2, 0.4}, 0.1, 0.1);
        int count = 800;
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = i % 2;
        }
        float[] out = new Sampler(new SamplerSettings(NoiseGrid.edm(50), new Solver.Heun(), 1), m).sample(
                data, new SampleJob(SampleJob.seedRange(5, count), labels, 2, 1, 4, 4, 300), SamplingProgress.NONE);
        double[] sum = new double[2];
        for (int i = 0; i < out.length; i++) {
            sum[labels[i / 16]] += out[i];
        }
        assertEquals(-0.5, sum[0] / (count / 2 * 16), 0.012);
        assertEquals(0.7, sum[1] / (count / 2 * 16), 0.012);
    }

    @Test
    void churnFactorIsCappedAndLimitedToItsRange() {
        Solver.Stochastic edm = new Solver.Stochastic(100, 0.05, 50, 1, Solver.Stochastic.EDM_GAMMA_MAX);
        Solver.Stochastic dpdm = new Solver.Stochastic(100, 0.05, 50, 1, Solver.Stochastic.DPDM_GAMMA_MAX);
        assertEquals(Math.sqrt(2) - 1, edm.gamma(1, 10), 1e-15);
        assertEquals(1, dpdm.gamma(1, 10), 0);
        assertEquals(0.1, dpdm.gamma(1, 1000), 1e-15);
        assertEquals(0, dpdm.gamma(0.01, 10), 0);
        assertEquals(0, dpdm.gamma(60, 10), 0);
    }

    @Test
    void rejectsInconsistentRequests() {
        Sampler guided = new Sampler(new SamplerSettings(NoiseGrid.edm(5), new Solver.Euler(), 1), m);
        SampleJob unconditional = new SampleJob(new long[] {1}, null, 0, 1, 2, 2, 1);
        assertEquals("guidance weight 1.0 needs a class-conditional model (numClasses = 0)",
                assertThrows(IllegalArgumentException.class,
                        () -> guided.sample(GaussianData.unconditional(0, 1), unconditional, SamplingProgress.NONE))
                        .getMessage());
        assertEquals("need one label per image: 2 images, 1 labels", assertThrows(IllegalArgumentException.class,
                () -> new SampleJob(new long[] {1, 2}, new int[] {0}, 10, 1, 2, 2, 1)).getMessage());
        assertEquals("label 11 of image 0 is outside [0, 10]", assertThrows(IllegalArgumentException.class,
                () -> new SampleJob(new long[] {1}, new int[] {11}, 10, 1, 2, 2, 1)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SampleJob(new long[] {1}, null, 0, 1, 2, 2, 0));
        assertThrows(IllegalArgumentException.class, () -> new Solver.Stochastic(-1, 0, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new Solver.Stochastic(1, 2, 1, 1, 1));
        assertThrows(IllegalArgumentException.class,
                () -> new SamplerSettings(NoiseGrid.edm(5), new Solver.Euler(), -0.5));
    }
}
