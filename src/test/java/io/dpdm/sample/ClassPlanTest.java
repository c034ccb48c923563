package io.dpdm.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClassPlanTest {
    private static final List<String> FASHION = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
            "Shirt", "Sneaker", "Bag", "Ankle boot");

    @Test
    void balancedSplitsAsEvenlyAsPossible() {
        for (int n : new int[] {1, 9, 10, 11, 19, 60000, 60007}) {
            int[] c = ClassPlan.balanced(n, 10).counts();
            assertEquals(n, java.util.Arrays.stream(c).sum());
            int min = java.util.Arrays.stream(c).min().orElseThrow();
            int max = java.util.Arrays.stream(c).max().orElseThrow();
            assertTrue(max - min <= 1, n + ": " + java.util.Arrays.toString(c));
        }
        assertArrayEquals(new int[] {4, 3, 3}, ClassPlan.balanced(10, 3).counts());
        assertArrayEquals(new int[] {0, 0, 0, 1, 1, 1, 2, 2, 2}, ClassPlan.balanced(9, 3).labels());
    }

    @Test
    void classesByIndexOrNameWithOrWithoutCounts() {
        assertArrayEquals(new int[] {2, 0, 0, 2, 0, 1, 0, 0, 0, 0}, ClassPlan.parse("0,3,5", FASHION, 5).counts());
        ClassPlan named = ClassPlan.parse("Dress=100, Coat=50", FASHION, 0);
        assertEquals(Map.of("Dress", 100, "Coat", 50), named.named(FASHION));
        assertEquals(150, named.total());
        assertEquals(3, named.labels()[0]);
        assertEquals(4, named.labels()[149]);
        assertEquals(150, ClassPlan.parse("Dress=100,Coat=50", FASHION, 150).total());
        assertArrayEquals(new int[] {0, 7}, ClassPlan.parse("1", List.of("x", "y"), 7).counts());
    }

    @Test
    void exactNamesWinOverIndices() {
        List<String> digits = List.of("1", "0");
        assertArrayEquals(new int[] {0, 4}, ClassPlan.parse("0", digits, 4).counts());
    }

    @Test
    void unconditionalPlanHasNoLabels() {
        ClassPlan p = ClassPlan.unconditional(5);
        assertNull(p.labels());
        assertEquals(Map.of("unconditional", 5), p.named(List.of()));
    }

    @Test
    void badSpecsNameTheProblem() {
        assertMessage("class index 10 is out of range", () -> ClassPlan.parse("10", FASHION, 5));
        assertMessage("unknown class 'Hat'", () -> ClassPlan.parse("Hat=3", FASHION, 0));
        assertMessage("listed twice", () -> ClassPlan.parse("Dress,3", FASHION, 5));
        assertMessage("for every class", () -> ClassPlan.parse("Dress=3,Coat", FASHION, 0));
        assertMessage("must be an integer >= 1, got '0'", () -> ClassPlan.parse("Dress=0", FASHION, 0));
        assertMessage("disagrees", () -> ClassPlan.parse("Dress=3", FASHION, 4));
        assertMessage("--count is required", () -> ClassPlan.parse("Dress", FASHION, 0));
        assertMessage("unconditional", () -> ClassPlan.parse("0", List.of(), 3));
        assertMessage("--count must be >= 1, got 0", () -> ClassPlan.balanced(0, 10));
        assertMessage("--count must be >= 1, got -2", () -> ClassPlan.unconditional(-2));
    }

    private static void assertMessage(String part, org.junit.jupiter.api.function.Executable call) {
        String message = assertThrows(IllegalArgumentException.class, call).getMessage();
        assertTrue(message.contains(part), message);
    }
}
