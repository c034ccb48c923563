package io.dpdm.sample;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How many images of each class to generate. Images are generated class by class in class-index
 * order, so image i's label is fixed by the plan alone and its seed (seed + i) reproduces it.
 *
 * @param counts images per class index (length = number of classes; 0 for classes not chosen),
 *     or a single entry for an unconditional model
 * @param conditional whether the images carry class labels
 */
public record ClassPlan(int[] counts, boolean conditional) {
    public ClassPlan {
        counts = counts.clone();
        if (counts.length == 0 || (!conditional && counts.length != 1)) {
            throw new IllegalArgumentException("a class plan needs one count per class (one when unconditional)");
        }
        long total = 0;
        for (int c : counts) {
            if (c < 0) {
                throw new IllegalArgumentException("class counts must be >= 0, got " + Arrays.toString(counts));
            }
            total += c;
        }
        if (total < 1 || total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the number of images must be between 1 and " + Integer.MAX_VALUE
                    + ", got " + total);
        }
    }

    /** The one pseudo-class name of an unconditional set. */
    public static final String UNCONDITIONAL = "unconditional";

    /** {@code count} unlabelled images. */
    public static ClassPlan unconditional(int count) {
        checkCount(count);
        return new ClassPlan(new int[] {count}, false);
    }

    /** {@code count} images spread as evenly as possible over all classes (lower indices get the extras). */
    public static ClassPlan balanced(int count, int numClasses) {
        boolean[] all = new boolean[numClasses];
        Arrays.fill(all, true);
        return spread(count, all);
    }

    /**
     * Parses a {@code --classes} value: comma-separated classes given by name (exact match first)
     * or index, either all with counts ({@code Dress=100,Coat=50}; {@code count} must then be 0,
     * meaning "not given", or equal their sum) or none ({@code 0,3,5}: {@code count} images spread
     * evenly over them).
     *
     * @param count the requested total, 0 when not given
     */
    public static ClassPlan parse(String spec, List<String> classNames, int count) {
        if (classNames.isEmpty()) {
            throw new IllegalArgumentException("--classes given, but the model is unconditional (it has no classes)");
        }
        String[] items = spec.split(",", -1);
        boolean[] chosen = new boolean[classNames.size()];
        int[] counts = new int[classNames.size()];
        int withCounts = 0;
        for (String raw : items) {
            String item = raw.strip();
            int eq = item.lastIndexOf('=');
            String name = eq < 0 ? item : item.substring(0, eq).strip();
            int k = classIndex(name, classNames);
            if (chosen[k]) {
                throw new IllegalArgumentException("--classes: class '" + classNames.get(k) + "' is listed twice");
            }
            chosen[k] = true;
            if (eq >= 0) {
                withCounts++;
                counts[k] = parseCount(item.substring(eq + 1).strip(), classNames.get(k));
            }
        }
        if (withCounts == 0) {
            if (count == 0) {
                throw new IllegalArgumentException("--count is required unless --classes gives a count per class");
            }
            return spread(count, chosen);
        }
        if (withCounts != items.length) {
            throw new IllegalArgumentException("--classes: give a count for every class (Dress=100,Coat=50) or for none,"
                    + " got '" + spec + "'");
        }
        int sum = Arrays.stream(counts).sum();
        if (count != 0 && count != sum) {
            throw new IllegalArgumentException("--count " + count + " disagrees with the per-class counts of --classes,"
                    + " which add up to " + sum);
        }
        return new ClassPlan(counts, true);
    }

    /** Total number of images. */
    public int total() {
        return Arrays.stream(counts).sum();
    }

    /** The label of every image in generation order (null when unconditional). */
    public int[] labels() {
        if (!conditional) {
            return null;
        }
        int[] labels = new int[total()];
        int i = 0;
        for (int k = 0; k < counts.length; k++) {
            Arrays.fill(labels, i, i + counts[k], k);
            i += counts[k];
        }
        return labels;
    }

    /** Class name -> count for the chosen classes (in class order); "unconditional" when unconditional. */
    public Map<String, Integer> named(List<String> classNames) {
        Map<String, Integer> out = new LinkedHashMap<>();
        if (!conditional) {
            out.put(UNCONDITIONAL, counts[0]);
            return out;
        }
        for (int k = 0; k < counts.length; k++) {
            if (counts[k] > 0) {
                out.put(classNames.get(k), counts[k]);
            }
        }
        return out;
    }

    @Override
    public int[] counts() {
        return counts.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClassPlan p && p.conditional == conditional && Arrays.equals(p.counts, counts);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(counts) + Boolean.hashCode(conditional);
    }

    @Override
    public String toString() {
        return "ClassPlan" + Arrays.toString(counts) + (conditional ? "" : " unconditional");
    }

    private static ClassPlan spread(int count, boolean[] chosen) {
        checkCount(count);
        int k = 0;
        for (boolean c : chosen) {
            k += c ? 1 : 0;
        }
        int[] counts = new int[chosen.length];
        int extra = count % k;
        for (int i = 0; i < chosen.length; i++) {
            if (chosen[i]) {
                counts[i] = count / k + (extra-- > 0 ? 1 : 0);
            }
        }
        return new ClassPlan(counts, true);
    }

    private static void checkCount(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("--count must be >= 1, got " + count);
        }
    }

    private static int classIndex(String name, List<String> classNames) {
        int exact = classNames.indexOf(name);
        if (exact >= 0) {
            return exact;
        }
        if (name.matches("\\d{1,9}")) {
            int k = Integer.parseInt(name);
            if (k < classNames.size()) {
                return k;
            }
            throw new IllegalArgumentException("--classes: class index " + k + " is out of range: the model has "
                    + classNames.size() + " classes (0.." + (classNames.size() - 1) + ")");
        }
        throw new IllegalArgumentException("--classes: unknown class '" + name + "'; the model's classes are "
                + String.join(", ", classNames));
    }

    private static int parseCount(String text, String className) {
        try {
            int n = Integer.parseInt(text);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("--classes: count for class '" + className + "' must be an integer >= 1,"
                + " got '" + text + "'");
    }
}
