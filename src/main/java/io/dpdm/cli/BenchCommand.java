package io.dpdm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code dpdm bench ...}: a thin parent for the benchmarks; each one is a subcommand. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks (warm up, repeat, print medians).",
        subcommands = {AccountantBenchCommand.class, DpStepBenchCommand.class, SampleBenchCommand.class})
public final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing benchmark name (try dpdm bench --help)");
    }
}
