package io.dpdm.cli;

import io.dpdm.DpdmException;
import io.dpdm.model.Provenance;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** Entry point: parses the command line and maps failures to exit codes 0 ok / 1 failed / 2 usage. */
@Command(
        name = "dpdm",
        mixinStandardHelpOptions = true,
        version = Provenance.SOFTWARE,
        description = "Differentially private diffusion models: train, sample, evaluate.",
        subcommands = {DataCommand.class, PrivacyCommand.class, TrainCommand.class, SampleCommand.class,
            ClassifyCommand.class, EvaluateCommand.class, BenchCommand.class, DemoCommand.class})
public final class Main implements Runnable {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Print stack traces on errors.")
    boolean debug;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                new CommandLine(this), "missing command (try dpdm --help)");
    }

    public static void main(String[] args) {
        System.setProperty("ai.djl.offline", "true");
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code (tests call this directly). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(Main::handleFailure);
        return cli.execute(args);
    }

    /** --debug is inherited by every subcommand, so it may have been matched at any level. */
    private static boolean debugRequested(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult r = parsed; r != null; r = r.subcommand()) {
            if (r.hasMatchedOption("--debug")) {
                return true;
            }
        }
        return false;
    }

    private static int handleFailure(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        boolean debug = debugRequested(parsed);
        if (debug) {
            e.printStackTrace(cli.getErr());
        }
        if (e instanceof DpdmException) {
            cli.getErr().println("dpdm: error: " + e.getMessage());
            return FAILED;
        }
        if (e instanceof IllegalArgumentException) {
            cli.getErr().println("dpdm: invalid argument: " + e.getMessage());
            return USAGE;
        }
        cli.getErr().println("dpdm: internal error: " + e + (debug ? "" : " (run with --debug for details)"));
        return FAILED;
    }
}
