package io.dpdm.warmstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The warm start trains on the released central images only: following class references through
 * the compiled code from {@link WarmStartTraining}, no class of the data package is reachable at
 * all (no loader, no split, no data set), nor the release itself ({@link CentralImages}, which does
 * read the private data). It is handed {@link ReleasedImages}, plain arrays.
 */
class WarmStartReadsNoDataTest {
    private static final Pattern REFERENCE = Pattern.compile("io/dpdm/[A-Za-z0-9_/$]+");

    @Test
    void warmStartTrainingReachesNoDataClass() throws IOException {
        Set<String> seen = new TreeSet<>();
        Deque<String> todo = new ArrayDeque<>(Set.of("io/dpdm/warmstart/WarmStartTraining"));
        while (!todo.isEmpty()) {
            String cls = todo.pop();
            if (seen.add(cls)) {
                references(cls).stream().filter(r -> !seen.contains(r)).forEach(todo::add);
            }
        }
        assertTrue(seen.contains("io/dpdm/warmstart/ReleasedImages") && seen.contains("io/dpdm/nn/Gradients"),
                "the scan follows references: " + seen);
        assertEquals(Set.of(), seen.stream().filter(c -> c.startsWith("io/dpdm/data/")
                || c.equals("io/dpdm/warmstart/CentralImages")).collect(java.util.stream.Collectors.toSet()));
    }

    @Test
    void theScanWouldSeeTheData() throws IOException {
        assertTrue(references("io/dpdm/warmstart/CentralImages").contains("io/dpdm/data/ImageSplit"));
    }

    /** dpdm classes named in the constant pool of a compiled class (and its nested classes). */
    private static Set<String> references(String cls) throws IOException {
        Set<String> out = new TreeSet<>();
        try (InputStream in = WarmStartReadsNoDataTest.class.getClassLoader().getResourceAsStream(cls + ".class")) {
            if (in == null) {
                return out;
            }
            Matcher m = REFERENCE.matcher(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1));
            while (m.find()) {
                String ref = m.group();
                out.add(ref.contains("$") && !ref.startsWith(cls) ? ref.substring(0, ref.indexOf('$')) : ref);
            }
        }
        out.remove(cls);
        return out;
    }
}
