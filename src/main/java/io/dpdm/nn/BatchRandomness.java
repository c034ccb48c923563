package io.dpdm.nn;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The randomness of one training pass over B examples with K draws each: one generator per
 * example (draws shared by its K rows, e.g. classifier-free guidance label dropout) and one per
 * (example, draw) (sigma, noise, augmentation, dropout masks of that row). Row r = k*B + b of the
 * activations uses {@code draw(b, k)}.
 *
 * <p>In private training every generator is a function of (secret key, step, the example's own
 * identity) only ({@code io.dpdm.dp.ExampleRandomness}): what enters example b's gradient does not
 * depend on which other examples share the pass, on b's position in it, or on the micro-batch.
 * Generators are stateful: consumers draw in a fixed order (the loss first, then the layers in
 * forward order), so a row's values never depend on other rows.
 */
public interface BatchRandomness {
    /** B. */
    int examples();

    /** K. */
    int draws();

    /** The generator of example b (0 &lt;= b &lt; B), the same object on every call. */
    RandomGenerator example(int b);

    /** The generator of draw k of example b, the same object on every call. */
    RandomGenerator draw(int b, int k);

    /** The generator of activation row r = k*B + b. */
    default RandomGenerator row(int r) {
        return draw(r % examples(), r / examples());
    }

    /**
     * Independent generators split off one seeded generator, in (example, then draws) order: for
     * non-private training, tests and benchmarks only. They depend on positions in the batch, so
     * they must never drive a private step.
     */
    static BatchRandomness seeded(long seed, int examples, int draws) {
        if (examples < 1 || draws < 1) {
            throw new IllegalArgumentException("examples and draws must be >= 1, got " + examples + " and " + draws);
        }
        SplittableRandom root = new SplittableRandom(seed);
        RandomGenerator[] perExample = new RandomGenerator[examples];
        RandomGenerator[] perDraw = new RandomGenerator[examples * draws];
        for (int b = 0; b < examples; b++) {
            perExample[b] = root.split();
            for (int k = 0; k < draws; k++) {
                perDraw[k * examples + b] = root.split();
            }
        }
        return new BatchRandomness() {
            @Override
            public int examples() {
                return examples;
            }

            @Override
            public int draws() {
                return draws;
            }

            @Override
            public RandomGenerator example(int b) {
                return perExample[b];
            }

            @Override
            public RandomGenerator draw(int b, int k) {
                return perDraw[k * examples + b];
            }
        };
    }
}
