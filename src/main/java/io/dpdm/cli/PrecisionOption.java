package io.dpdm.cli;

import io.dpdm.nn.Precision;
import picocli.CommandLine.Option;

/** {@code --precision}, shared by train, sample and the benchmarks (a picocli mixin). */
final class PrecisionOption {
    @Option(names = "--precision", paramLabel = "fp32|bf16|auto",
            description = "Arithmetic of the network's convolutions and matrix products: fp32, bf16 (bfloat16 "
                    + "operands and activations; weights, gradients, norms, clipping, noise, Adam and EMA stay "
                    + "float32) or auto "
                    + "(bf16 only where it measured faster on this CPU) (default: fp32; sample: auto; train: the config's).")
    String value;

    /** The precision given, or FP32. */
    Precision get() {
        return value == null ? Precision.FP32 : Precision.parse(value);
    }

    /** The precision given, or null when the option is absent. */
    Precision given() {
        return value == null ? null : Precision.parse(value);
    }
}
