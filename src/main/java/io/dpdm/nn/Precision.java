package io.dpdm.nn;

import io.dpdm.DpdmException;
import java.util.Locale;

/**
 * The arithmetic of a network's convolutions and matrix products ({@link Bfloat16}). BF16 passes
 * also keep the activations between them, and the gradients flowing back through those, in
 * bfloat16; master weights, every parameter gradient, per-example norms, clipping, the noisy sum,
 * Adam and EMA are float32 in every precision, and so is what a pass without gradients returns.
 *
 * <p>AUTO is a request, not a precision: {@link #resolve} turns it into FP32 or BF16 by timing
 * the caller's own pass in both, on inputs that are not private data (so the choice reveals
 * nothing about them).
 */
public enum Precision {
    FP32, BF16, AUTO;

    /** bfloat16 must be at least this much faster to be chosen: smaller gaps are within a timing's noise. */
    static final double MIN_GAIN = 0.05;
    private static final int ROUNDS = 3;

    /** The precision named {@code text} (fp32, bf16 or auto, any case), for command lines and config files. */
    public static Precision parse(String text) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new DpdmException("precision '" + text + "': expected fp32, bf16 or auto");
        }
    }

    /** What {@link #resolve} chose, with the medians that decided (NaN when nothing was timed). */
    public record Choice(Precision precision, double fp32Seconds, double bf16Seconds) {
        /** One line for the operator, e.g. "bf16 (auto: 0.21 s against fp32 0.30 s per pass)". */
        public String describe(Precision requested) {
            String name = precision.name().toLowerCase(Locale.ROOT);
            if (requested != AUTO) {
                return name;
            }
            return Double.isNaN(fp32Seconds) ? name + " (auto: this CPU has no bfloat16 arithmetic)"
                    : String.format(Locale.ROOT, "%s (auto: bf16 %.3f s against fp32 %.3f s per pass)", name, bf16Seconds,
                            fp32Seconds);
        }
    }

    /**
     * FP32 or BF16 for this request, set on {@code store}. FP32 and BF16 are taken as they are
     * (BF16 runs on any CPU; without AVX512-BF16 or AMX, PyTorch emulates it slowly, and without
     * AVX512BW/VL/DQ by its own kernels rather than oneDNN's). AUTO is FP32 on a CPU without
     * bfloat16 arithmetic; otherwise {@code pass} (one representative pass over
     * {@code store}, e.g. a micro-batch's per-example gradients) runs once in each precision to
     * warm up, then {@value #ROUNDS} times in each, alternating, and BF16 is chosen only if its
     * median time is at least {@value #MIN_GAIN} below FP32's.
     */
    public Choice resolve(ParameterStore store, Runnable pass) {
        if (this != AUTO || !CpuInfo.read().bfloat16()) {
            Precision chosen = this == AUTO ? FP32 : this;
            store.usePrecision(chosen);
            return new Choice(chosen, Double.NaN, Double.NaN);
        }
        double[][] seconds = new double[2][ROUNDS];
        Precision[] candidates = {FP32, BF16};
        for (int round = -1; round < ROUNDS; round++) {
            for (int c = 0; c < 2; c++) {
                store.usePrecision(candidates[c]);
                long start = System.nanoTime();
                pass.run();
                if (round >= 0) {
                    seconds[c][round] = (System.nanoTime() - start) / 1e9;
                }
            }
        }
        double fp32 = Timing.median(seconds[0]);
        double bf16 = Timing.median(seconds[1]);
        Precision chosen = bf16 <= (1 - MIN_GAIN) * fp32 ? BF16 : FP32;
        store.usePrecision(chosen);
        return new Choice(chosen, fp32, bf16);
    }
}
