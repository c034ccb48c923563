package io.dpdm.privacy;

import org.hipparchus.special.Erf;

/**
 * Natural logarithm of the complementary error function, accurate far into the right tail where
 * {@code erfc(x)} itself underflows (it does below about 1e-308, at x &gt; 26.5). The RDP bound at
 * fractional orders needs {@code log erfc} of arguments in the tens.
 *
 * <p>For x &lt; 5, {@code log(erfc(x))} is taken directly (erfc(5) = 1.5e-12, far from
 * underflow). Beyond, {@code erfc(x) = exp(-x^2)/sqrt(pi) / K(x)} with Laplace's continued fraction
 * {@code K(x) = x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))}, evaluated by the modified Lentz method,
 * which converges in a few dozen terms for x &ge; 5.
 */
public final class LogErfc {
    private static final double HALF_LOG_PI = 0.5 * Math.log(Math.PI);
    private static final double CONTINUED_FRACTION_FROM = 5.0;
    private static final int MAX_TERMS = 500;

    private LogErfc() {}

    /** log(erfc(x)) for any finite x. */
    public static double logErfc(double x) {
        if (Double.isNaN(x)) {
            return Double.NaN;
        }
        if (x < CONTINUED_FRACTION_FROM) {
            return Math.log(Erf.erfc(x));
        }
        if (x == Double.POSITIVE_INFINITY) {
            return Double.NEGATIVE_INFINITY;
        }
        return -x * x - HALF_LOG_PI - Math.log(laplaceContinuedFraction(x));
    }

    /** K(x) = x + a1/(x + a2/(x + ...)) with a_n = n/2 (modified Lentz). */
    private static double laplaceContinuedFraction(double x) {
        double f = x;
        double c = x;
        double d = 0;
        for (int n = 1; n <= MAX_TERMS; n++) {
            double a = n / 2.0;
            d = 1.0 / (x + a * d);
            c = x + a / c;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) {
                return f;
            }
        }
        return f;
    }
}
