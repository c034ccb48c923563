package io.dpdm.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.dpdm.DpdmException;
import java.util.List;

/**
 * The one way dpdm starts the PyTorch engine: always offline (DJL must never call home), with
 * native memory kept mapped between steps ({@link NativeAllocator}) and PyTorch's C++ warnings
 * off ({@link NativeLogLevel}), and its convolutions checked before first use ({@link ConvolutionCheck}).
 */
public final class Torch {
    private Torch() {}

    /**
     * The engine, once its convolutions have been checked against float64.
     *
     * @throws DpdmException on a CPU where they disagree: no result computed there could be trusted
     */
    public static Engine engine() {
        if (Checked.FAULT != null) {
            throw new DpdmException(Checked.FAULT);
        }
        return Started.ENGINE;
    }

    /**
     * Runs {@link ConvolutionCheck#atStart} once per process. The check itself uses the engine:
     * while this initialiser runs, the JVM lets the initialising thread read FAULT (as null)
     * and makes every other thread wait for the result.
     */
    private static final class Checked {
        static final String FAULT = fault(Precision.FP32, ConvolutionCheck.atStart(BlockedConvolution::apply,
                Precision.FP32, ConvolutionCheck.FLOAT32_TOLERANCE), "here");
    }

    /**
     * Runs {@link ConvolutionCheck#atStart} on the bfloat16 route once per process, before its
     * first use ({@link ParameterStore#usePrecision}).
     *
     * @throws DpdmException on a CPU where it disagrees with float64 beyond bfloat16's rounding
     */
    static void checkBfloat16() {
        if (Bfloat16Checked.FAULT != null) {
            throw new DpdmException(Bfloat16Checked.FAULT);
        }
    }

    private static final class Bfloat16Checked {
        static final String FAULT = fault(Precision.BF16, ConvolutionCheck.atStart(ConvolutionCheck.BFLOAT16,
                Precision.BF16, ConvolutionCheck.BFLOAT16_TOLERANCE), "in bfloat16 here (use --precision fp32)");
    }

    private static String fault(Precision precision, List<String> wrong, String where) {
        String name = precision == Precision.FP32 ? "float32" : "bfloat16";
        return wrong.isEmpty() ? null : name + " convolutions on this CPU disagree with float64 in " + wrong.size()
                + " of " + ConvolutionCheck.atStartChecks(precision) + " checks (" + wrong.get(0)
                + "): dpdm cannot compute trustworthy gradients " + where + "; please report your `lscpu` output";
    }

    /** Starts the engine once per process, on first use (the JVM runs a holder's initialiser once). */
    private static final class Started {
        static final Engine ENGINE = start();

        private static Engine start() {
            System.setProperty("ai.djl.offline", "true");
            System.setProperty("OPT_OUT_TRACKING", "true");
            NativeAllocator.configure();
            Engine engine = Engine.getEngine("PyTorch");
            NativeLogLevel.configure(); // once libc10 is loaded
            return engine;
        }
    }

    /**
     * A detached native copy (torch clone) in the manager of {@code a}. Use this instead of
     * NDArray.duplicate(), which round-trips through Java and leaves the copy pointing at a Java
     * buffer (see {@link #scalar}).
     */
    public static NDArray copy(NDArray a) {
        return JniUtils.clone((PtNDArray) a);
    }

    /**
     * A float32 scalar in native memory, for arithmetic on the gradient path. Never write
     * {@code x.mul(0.5f)} (or add/sub/div with a Number) on arrays that take part in a backward
     * pass: DJL 0.34 wraps the number in a tensor over a Java direct buffer and closes its wrapper
     * at once, while autograd keeps the tensor for the backward pass; when the JVM collects the
     * buffer, the backward pass reads freed memory (seen here as gradients of 1e30 or NaN, now and
     * then). Arrays made by {@code full/zeros/ones/random*} are owned by PyTorch and safe.
     */
    public static NDArray scalar(NDManager manager, double value) {
        return manager.full(new Shape(), (float) value);
    }

    /**
     * Copies {@code src} into {@code dst} in place, natively. NDArray.set(Buffer) and copyTo would
     * instead point {@code dst} at a Java buffer (the same hazard as {@link #scalar}).
     */
    public static void assign(NDArray dst, NDArray src) {
        dst.set(new NDIndex(":"), src);
    }

    /**
     * Records the operations of the calling thread for a backward pass until closed (PyTorch's
     * grad mode is per thread). DJL's GradientCollector does the same but allows one collector
     * per process; this one lets threads run independent passes concurrently.
     */
    public static GradientRecording recordGradients() {
        engine();
        return new GradientRecording();
    }

    /**
     * Turns the calling thread's gradient recording off until closed, for a pass that takes no
     * gradient: PyTorch starts every new thread (a {@link Lanes} worker) recording, and
     * {@link Bfloat16} takes its modules' inference route only where the thread does not record.
     */
    public static GradMode withoutGradients() {
        engine();
        return new GradMode(false);
    }

    /** The calling thread's grad mode, set until closed, then restored. */
    public static class GradMode implements AutoCloseable {
        private final boolean previous = JniUtils.isGradMode();

        private GradMode(boolean on) {
            JniUtils.setGradMode(on);
        }

        @Override
        public void close() {
            JniUtils.setGradMode(previous);
        }
    }

    /** A thread's gradient recording; {@link #backward} of a scalar fills its leaves' gradients. */
    public static final class GradientRecording extends GradMode {
        private GradientRecording() {
            super(true);
        }

        /** d scalar / d leaf into every leaf the scalar depends on; frees the graph. */
        public void backward(NDArray scalar) {
            try (NDArray ones = scalar.onesLike()) {
                JniUtils.backward((PtNDArray) scalar, (PtNDArray) ones, false, false);
            }
        }
    }

    /** PyTorch's intra-op thread count (one per core unless -Dai.djl.pytorch.num_threads says otherwise). */
    public static int intraOpThreads() {
        engine();
        return ai.djl.pytorch.jni.JniUtils.getNumThreads();
    }

    /**
     * Sets PyTorch's intra-op thread count for the calling thread and for threads that first use
     * PyTorch after this call (PyTorch keeps one global count that each thread reads once).
     */
    public static void setIntraOpThreads(int threads) {
        engine();
        ai.djl.pytorch.jni.JniUtils.setNumThreads(threads);
    }
}
