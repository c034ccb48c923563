package io.dpdm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import org.junit.jupiter.api.Test;

/**
 * Every command's --help shows its defaults: an option that has a value when not given (a
 * picocli default or a field's initial value, other than a false flag) must say so in its
 * description. Required options have none to show.
 */
class HelpDefaultsTest {
    @Test
    void everyOptionWithADefaultShowsIt() {
        List<String> missing = new ArrayList<>();
        check(new CommandLine(new Main()), missing);
        assertEquals(List.of(), missing, "options whose --help hides their default");
    }

    private static void check(CommandLine cli, List<String> missing) {
        CommandSpec spec = cli.getCommandSpec();
        for (OptionSpec o : spec.options()) {
            if (o.usageHelp() || o.versionHelp() || o.required() || o.names()[0].equals("--debug")) {
                continue;
            }
            Object initial = o.initialValue();
            boolean hasDefault = o.defaultValue() != null
                    || (initial != null && !(initial instanceof Boolean b && !b) && !(initial instanceof List<?> l
                            && l.isEmpty()));
            String description = String.join(" ", o.description());
            if (hasDefault && !description.contains("default")) {
                missing.add(spec.qualifiedName() + " " + o.longestName());
            }
        }
        cli.getSubcommands().values().forEach(sub -> check(sub, missing));
    }
}
