package io.dpdm.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Against 40-digit values from mpmath (log(erfc(x)) and erfc(x)). */
class LogErfcTest {
    @ParameterizedTest
    @CsvSource({
        "-3, 0.69313613525044681032", "-0.5, 0.41903914777555958036", "0, 0.0", "0.3, -0.3984300514400852726",
        "1, -1.8496055099332482486", "2.5, -7.8068152727272643589", "4.9, -26.191438028169552343",
        "5.1, -28.22998234520042042", "10, -102.87988902484488857", "26.9, -727.47518101989586635",
        "27.1, -738.28257833451494132", "40, -1604.2615566532735557", "100, -10005.177585122664333"})
    void logErfcIsAccurateIntoTheFarTail(double x, double expected) {
        assertEquals(expected, LogErfc.logErfc(x), 2e-15 * Math.max(1, Math.abs(expected)));
    }

    @ParameterizedTest
    @CsvSource({
        "0.1, 0.8875370839817151016", "1.7, 0.016209541409225439159", "3.3, 3.0577097964381651988e-6",
        "6.2, 1.81667561723812702e-18", "12.5, 6.2319427819799110061e-70", "20, 5.3958656116079009289e-176"})
    void erfcHasFullRelativeAccuracy(double x, double expected) {
        assertEquals(expected, LogErfc.erfc(x), 5e-15 * expected);
        assertEquals(2 - expected, LogErfc.erfc(-x), 5e-15);
    }
}
