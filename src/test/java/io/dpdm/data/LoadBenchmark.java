package io.dpdm.data;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Prints how long the embedded sets take to load (sha256 checks + gunzip + parse): the first
 * (cold JVM) load and three warm ones, as wall time and process CPU time. CPU time shows the
 * work itself when the machine is shared. Run after {@code mvn -o package}:
 * {@code java -Ddpdm.home=. -cp "target/classes:target/test-classes:target/lib/*" io.dpdm.data.LoadBenchmark}
 */
public final class LoadBenchmark {
    private LoadBenchmark() {}

    public static void main(String[] args) {
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (String name : args.length > 0 ? args : new String[] {"fashion-mnist", "mnist"}) {
            for (int run = 0; run < 4; run++) {
                long cpu = os.getProcessCpuTime();
                long wall = System.nanoTime();
                ImageDataset data = Datasets.open(name, LoadOptions.defaults());
                System.out.printf(Locale.ROOT, "%-14s %s  %d+%d images  wall %.3f s  cpu %.3f s%n", name,
                        run == 0 ? "cold" : "warm", data.train().size(), data.test().size(),
                        (System.nanoTime() - wall) / 1e9, (os.getProcessCpuTime() - cpu) / 1e9);
            }
        }
    }
}
