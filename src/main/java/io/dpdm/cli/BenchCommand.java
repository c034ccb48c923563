package io.dpdm.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code dpdm bench ...}: a thin parent for the benchmarks; each one is a subcommand. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks (warm up, repeat, print medians).",
        subcommands = {AccountantBenchCommand.class, DpStepBenchCommand.class, SampleBenchCommand.class})
public final class BenchCommand implements Runnable {
    /** Operators a benchmark's {@code --profile} names, most self time first. */
    static final int PROFILED_OPERATORS = 12;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing benchmark name (try dpdm bench --help)");
    }

    /** A benchmark's figures as indented "name: value" lines; nested figures and lists one item per line. */
    static void printFigures(PrintWriter out, Map<String, ?> figures, String indent) {
        figures.forEach((name, value) -> {
            if (value instanceof Map<?, ?> nested) {
                out.println(indent + name + ":");
                @SuppressWarnings("unchecked")
                Map<String, ?> inner = (Map<String, ?>) nested;
                printFigures(out, inner, indent + "  ");
            } else if (value instanceof List<?> items) {
                out.println(indent + name + ":");
                items.forEach(item -> out.println(indent + "  - " + item));
            } else {
                out.println(indent + name + ": " + (value instanceof double[] d ? Arrays.toString(d) : value));
            }
        });
    }
}
