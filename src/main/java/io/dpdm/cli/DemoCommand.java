package io.dpdm.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * The main job on the embedded default data. Until training, sampling and evaluation exist it
 * runs what exists and says plainly what is not there yet; it never prints a fake result.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Train privately on Fashion-MNIST (eps=10), sample, evaluate, report.")
final class DemoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.println("dpdm demo: private training, sampling and evaluation are not built yet.");
        return Main.OK;
    }
}
