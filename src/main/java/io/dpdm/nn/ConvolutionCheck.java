package io.dpdm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Compares float32 convolutions with the same convolutions in float64 (PyTorch's own kernels:
 * oneDNN, which runs the float32 ones, has none for float64): output and the gradients of input,
 * weight and bias. The engine runs {@link #AT_START} before its first use and refuses to work
 * if any disagrees, because a wrong per-example gradient may carry other examples' data, which
 * clipping does not bound (on an AMD Zen5 VM oneDNN was wrong on partial channel blocks: see
 * {@link BlockedConvolution}).
 */
final class ConvolutionCheck {
    /** float32 accumulation over at most a few hundred taps: errors near 1e-6 of the largest entry. */
    static final double FLOAT32_TOLERANCE = 1e-4;
    /**
     * The bfloat16 route rounds both operands to 8 significant bits (relative error up to 2^-9
     * each), then accumulates in float32: every product is off by at most about 4e-3 of itself,
     * and errors measured on these cases stayed below 6e-3 of the largest entry. The tolerance
     * leaves room for that and still fails, by 20x, on the wrong kernels seen (errors of 0.4-1).
     */
    static final double BFLOAT16_TOLERANCE = 2e-2;

    /**
     * dpdm's bfloat16 convolution ({@link BlockedConvolution#bfloat16}), with float64 taken as the
     * float64 reference; passes that take no gradient (sampling) run a route of its own
     * ({@link Bfloat16#conv}), which {@link #wrongOutputs} checks.
     */
    static final Convolution BFLOAT16 = (x, k, b, stride, padding, groups) -> x.getDataType() == DataType.FLOAT64
            ? BlockedConvolution.apply(x, k, b, stride, padding, groups)
            : Bfloat16.toFloat32(BlockedConvolution.bfloat16(x, k, b, stride, padding, groups));

    /** One convolution: batch x in -> out channels on side x side, 3x3 kernel. */
    record Case(int batch, int in, int out, int side, int stride, int groups, int padding) {
        /** The U-Net's padding, 1, which keeps the side at stride 1. */
        Case(int batch, int in, int out, int side, int stride, int groups) {
            this(batch, in, out, side, stride, groups, 1);
        }

        /** The output's side for the checks' 3x3 kernel. */
        int outSide() {
            return (side + 2 * padding - 3) / stride + 1;
        }

        @Override
        public String toString() {
            return String.format("%dx%d->%d %dx%d stride %d groups %d padding %d", batch, in, out, side, side, stride,
                    groups, padding);
        }
    }

    /** A float32 or float64 convolution as dpdm runs it. */
    interface Convolution {
        NDArray apply(NDArray x, NDArray k, NDArray b, int stride, int padding, int groups);
    }

    /** The channel counts that broke oneDNN (partial blocks of 8 and 16, above and below 16). */
    static final List<Case> AT_START = List.of(new Case(4, 1, 1, 6, 1, 1), new Case(4, 4, 4, 6, 1, 1),
            new Case(4, 12, 12, 6, 1, 1), new Case(4, 16, 4, 6, 1, 1), new Case(4, 17, 16, 6, 1, 1),
            new Case(4, 20, 20, 6, 1, 1), new Case(4, 36, 36, 6, 1, 1), new Case(3, 32, 12, 8, 2, 1),
            new Case(2, 36, 12, 5, 1, 3), new Case(8, 8, 1, 8, 1, 1));

    /**
     * The per-example weight-gradient kernel ({@link ConvWeightGradient}: one group per example,
     * whole blocks of 16 channels), with stride 1 and 2 at the U-Net's padding 1, and at the
     * classifier CNN's padding 0; batch = examples, one draw each.
     */
    static final List<Case> WEIGHT_GRADIENTS = List.of(new Case(3, 16, 32, 6, 1, 1), new Case(3, 32, 16, 7, 2, 1),
            new Case(3, 32, 64, 8, 1, 1, 0));

    private ConvolutionCheck() {}

    /** How many checks {@link #atStart} runs in {@code precision}. */
    static int atStartChecks(Precision precision) {
        return AT_START.size() * (precision == Precision.BF16 ? 2 : 1) + WEIGHT_GRADIENTS.size();
    }

    /**
     * Every start-up check of one precision: {@link #AT_START} through {@code conv}, in bfloat16
     * also the outputs of {@link #BFLOAT16} without gradients, then {@link #WEIGHT_GRADIENTS}.
     */
    static List<String> atStart(Convolution conv, Precision precision, double tolerance) {
        List<String> wrong = wrong(AT_START, conv, tolerance);
        if (precision == Precision.BF16) {
            wrong.addAll(wrongOutputs(AT_START, BFLOAT16, tolerance));
        }
        try (NDManager m = Torch.engine().newBaseManager()) {
            for (Case c : WEIGHT_GRADIENTS) {
                compareWeightGradients(m, c, precision, tolerance).ifPresent(wrong::add);
            }
        }
        return wrong;
    }

    /** The cases {@code conv} gets wrong by more than {@code tolerance} of the largest entry, each with its errors, or none. */
    static List<String> wrong(List<Case> cases, Convolution conv, double tolerance) {
        List<String> wrong = new ArrayList<>();
        try (NDManager m = Torch.engine().newBaseManager()) {
            for (Case c : cases) {
                compare(m, c, conv, tolerance).ifPresent(wrong::add);
            }
        }
        return wrong;
    }

    /**
     * The cases whose output {@code conv} gets wrong by more than {@code tolerance}, run as passes
     * without gradients run it: with the thread's grad mode off.
     */
    static List<String> wrongOutputs(List<Case> cases, Convolution conv, double tolerance) {
        List<String> wrong = new ArrayList<>();
        try (NDManager m = Torch.engine().newBaseManager(); Torch.GradMode off = Torch.withoutGradients()) {
            for (Case c : cases) {
                try (NDManager scope = m.newSubManager()) {
                    NDArray[] xkb = inputs(scope, c);
                    NDArray single = conv.apply(xkb[0].toType(DataType.FLOAT32, true),
                            xkb[1].toType(DataType.FLOAT32, true), xkb[2].toType(DataType.FLOAT32, true), c.stride(),
                            c.padding(), c.groups());
                    double error = relativeError(single.toType(DataType.FLOAT64, false),
                            conv.apply(xkb[0], xkb[1], xkb[2], c.stride(), c.padding(), c.groups()));
                    if (!(error <= tolerance)) {
                        wrong.add(c + String.format(", output without gradients error %.1e", error));
                    }
                }
            }
        }
        return wrong;
    }

    private static Optional<String> compare(NDManager m, Case c, Convolution conv, double tolerance) {
        try (NDManager scope = m.newSubManager()) {
            NDArray[] xkb = inputs(scope, c);
            NDArray weights = scope.randomUniform(0.5f, 1.5f, new Shape(c.batch(), c.out(), c.outSide(), c.outSide()),
                    DataType.FLOAT64);
            NDArray[] single = pass(conv, xkb, weights, c, DataType.FLOAT32);
            NDArray[] exact = pass(conv, xkb, weights, c, DataType.FLOAT64);
            String[] names = {"output", "input gradient", "weight gradient", "bias gradient"};
            StringBuilder bad = new StringBuilder();
            for (int i = 0; i < names.length; i++) {
                double error = relativeError(single[i].toType(DataType.FLOAT64, false), exact[i]);
                if (!(error <= tolerance)) {
                    bad.append(String.format(", %s error %.1e", names[i], error));
                }
            }
            return bad.isEmpty() ? Optional.empty() : Optional.of(c + bad.toString());
        }
    }

    /** Random float64 input, kernel and bias of a case. */
    private static NDArray[] inputs(NDManager scope, Case c) {
        return new NDArray[] {scope.randomNormal(new Shape(c.batch(), c.in(), c.side(), c.side()), DataType.FLOAT64),
            scope.randomNormal(new Shape(c.out(), c.in() / c.groups(), 3, 3), DataType.FLOAT64),
            scope.randomNormal(new Shape(c.out()), DataType.FLOAT64)};
    }

    /** Each example's weight gradient for random inputs and output gradients, against the same kernel in float64. */
    private static Optional<String> compareWeightGradients(NDManager m, Case c, Precision precision, double tolerance) {
        try (NDManager scope = m.newSubManager()) {
            NDArray x = scope.randomNormal(new Shape(c.batch(), c.in(), c.side(), c.side()), DataType.FLOAT64);
            NDArray g = scope.randomNormal(new Shape(c.batch(), c.out(), c.outSide(), c.outSide()), DataType.FLOAT64);
            Shape kernel = new Shape(c.out(), c.in(), 3, 3);
            NDArray single = ConvWeightGradient.perExample(g.toType(DataType.FLOAT32, true),
                    x.toType(DataType.FLOAT32, true), kernel, c.batch(), 1, c.stride(), c.padding(), precision);
            // float64 operands: PyTorch's own kernel (oneDNN has none), rounded to float32 at the end
            NDArray exact = ConvWeightGradient.perExample(g, x, kernel, c.batch(), 1, c.stride(), c.padding(),
                    Precision.FP32);
            double error = relativeError(single.toType(DataType.FLOAT64, false), exact.toType(DataType.FLOAT64, false));
            return error <= tolerance ? Optional.empty()
                    : Optional.of(c + String.format(", per-example weight gradient error %.1e", error));
        }
    }

    /** The largest error of {@code actual} relative to the largest entry of {@code exact} (both float64). */
    static double relativeError(NDArray actual, NDArray exact) {
        return actual.sub(exact).abs().max().getDouble() / exact.abs().max().getDouble();
    }

    /**
     * Output and the gradients of x, weight and bias of sum(conv(x) * w) for positive weights w
     * (uniform on [0.5, 1.5]): a bias gradient sums its channel's w, and weights that cancel (sin of
     * the position, or zero-mean noise in a one-channel case) leave a small sum of large terms, on
     * which bfloat16's rounding of the output gradient (which bfloat16 passes carry) showed as
     * errors of 2-13% while every term was off by 0.4% at most.
     */
    private static NDArray[] pass(Convolution conv, NDArray[] xkb, NDArray weights, Case c, DataType type) {
        NDArray x = xkb[0].toType(type, true);
        NDArray k = xkb[1].toType(type, true);
        NDArray b = xkb[2].toType(type, true);
        x.setRequiresGradient(true);
        k.setRequiresGradient(true);
        b.setRequiresGradient(true);
        try (Torch.GradientRecording recording = Torch.recordGradients()) {
            NDArray y = conv.apply(x, k, b, c.stride(), c.padding(), c.groups());
            recording.backward(y.mul(weights.toType(type, true)).sum());
            return new NDArray[] {y, x.getGradient(), k.getGradient(), b.getGradient()};
        }
    }
}
