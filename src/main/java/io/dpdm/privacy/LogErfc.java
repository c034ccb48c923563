package io.dpdm.privacy;

import org.hipparchus.special.Erf;

/**
 * The complementary error function in forms that stay accurate far in the tail: {@code logErfc}
 * (needed by the RDP bound at fractional orders, for arguments in the tens where erfc underflows),
 * the scaled {@code erfcx(x) = exp(x^2) erfc(x)}, and a fast {@code erfc} (the PRV accountant
 * evaluates it millions of times).
 *
 * <p>Below |x| = 1/2, erfc = 1 - erf with erf's Taylor series. On [0, 27], erfcx is a piecewise Chebyshev interpolant (degree 15 on panels of width 1/4)
 * built once from reference values: Hipparchus' erfc below 5 and Laplace's continued fraction
 * {@code erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))} (modified Lentz)
 * above, where it converges in a few dozen terms. Beyond 27 the continued fraction is used
 * directly. exp(-x^2) is formed from the exact split x^2 = hi + lo so that large arguments lose no
 * relative accuracy. Negative arguments use erfc(-x) = 2 - erfc(x). Relative error is about 1e-15
 * (tested against high-precision values).
 */
public final class LogErfc {
    private static final double HALF_LOG_PI = 0.5 * Math.log(Math.PI);
    private static final double INV_SQRT_PI = 1 / Math.sqrt(Math.PI);
    private static final double CONTINUED_FRACTION_FROM = 5.0;
    private static final int MAX_TERMS = 500;
    private static final double PANEL = 0.25;
    private static final double SERIES_BELOW = 0.5;
    private static final double TABLE_END = 27;
    private static final int NODES = 16;
    private static final double[][] CHEBYSHEV = buildTable();

    private LogErfc() {}

    /** log(erfc(x)) for any x. */
    public static double logErfc(double x) {
        if (Double.isNaN(x)) {
            return Double.NaN;
        }
        if (x < 0.5) {
            return Math.log(erfc(x));
        }
        if (x == Double.POSITIVE_INFINITY) {
            return Double.NEGATIVE_INFINITY;
        }
        return -x * x + Math.log(erfcx(x));
    }

    /** erfc(x) for any x. */
    public static double erfc(double x) {
        if (Math.abs(x) < SERIES_BELOW) {
            return 1 - erf(x);
        }
        if (x < 0) {
            return 2 - erfc(-x);
        }
        if (!(x < TABLE_END)) {
            return x == x ? 0 : Double.NaN; // erfc(27) < 1e-317: zero in double precision
        }
        double hi = x * x;
        double lo = Math.fma(x, x, -hi);
        return Math.exp(-hi) * (1 - lo) * erfcx(x);
    }

    /** erf(x) = 2/sqrt(pi) sum_n (-1)^n x^(2n+1) / (n! (2n+1)), for |x| &lt; 1/2 (terms fall 4x each). */
    private static double erf(double x) {
        double x2 = x * x;
        double power = x; // (-1)^n x^(2n+1) / n!
        double sum = 0;
        for (int n = 0; n < 30; n++) {
            double term = power / (2 * n + 1);
            sum += term;
            if (Math.abs(term) < 1e-17 * Math.abs(sum)) {
                break;
            }
            power *= -x2 / (n + 1);
        }
        return 2 * INV_SQRT_PI * sum;
    }

    /** exp(x^2) erfc(x) for x &ge; 0. */
    public static double erfcx(double x) {
        if (!(x >= 0)) {
            throw new IllegalArgumentException("erfcx is implemented for x >= 0, got " + x);
        }
        if (x >= TABLE_END) {
            return INV_SQRT_PI / laplaceContinuedFraction(x);
        }
        int panel = (int) (x / PANEL);
        double u = 2 * (x - panel * PANEL) / PANEL - 1;
        return clenshaw(CHEBYSHEV[panel], u);
    }

    /** Reference erfcx for the table nodes: Hipparchus below 5, the continued fraction above. */
    private static double referenceErfcx(double x) {
        if (x < CONTINUED_FRACTION_FROM) {
            double hi = x * x;
            double lo = Math.fma(x, x, -hi);
            return Math.exp(hi) * (1 + lo) * Erf.erfc(x);
        }
        return INV_SQRT_PI / laplaceContinuedFraction(x);
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
                break;
            }
        }
        return f;
    }

    private static double[][] buildTable() {
        int panels = (int) Math.round(TABLE_END / PANEL);
        double[][] table = new double[panels][];
        for (int p = 0; p < panels; p++) {
            double mid = (p + 0.5) * PANEL;
            double[] values = new double[NODES];
            for (int k = 0; k < NODES; k++) {
                values[k] = referenceErfcx(mid + 0.5 * PANEL * Math.cos(Math.PI * (k + 0.5) / NODES));
            }
            double[] c = new double[NODES];
            for (int j = 0; j < NODES; j++) {
                double s = 0;
                for (int k = 0; k < NODES; k++) {
                    s += values[k] * Math.cos(Math.PI * j * (k + 0.5) / NODES);
                }
                c[j] = 2.0 * s / NODES;
            }
            c[0] /= 2;
            table[p] = c;
        }
        return table;
    }

    /** sum_j c_j T_j(u) by Clenshaw's recurrence. */
    private static double clenshaw(double[] c, double u) {
        double b1 = 0, b2 = 0;
        double twoU = 2 * u;
        for (int j = c.length - 1; j >= 1; j--) {
            double b0 = twoU * b1 - b2 + c[j];
            b2 = b1;
            b1 = b0;
        }
        return u * b1 - b2 + c[0];
    }
}
