package io.dpdm.privacy;

import java.util.List;

/**
 * Renyi-DP accountant for the Poisson-subsampled Gaussian mechanism (Mironov, Talwar, Zhang 2019,
 * "Renyi Differential Privacy of the Sampled Gaussian Mechanism", Sec. 3.3), exact at integer and
 * fractional orders, with phases composed order by order and the conversion to (eps, delta) of
 * Balle et al. 2020 (Thm. 21):
 * {@code eps = min_a rdp(a) + log((a-1)/a) - (log delta + log a)/(a-1)}.
 *
 * <p>Default orders are Opacus' (1.1, 1.2, ..., 10.9, 12, 13, ..., 63), so results agree with
 * Opacus to the last digit; custom orders (all &gt; 1) may be given.
 */
public final class RdpAccountant implements Accountant {
    /** Opacus' default orders: 1 + x/10 for x = 1..99, then 12..63. */
    public static final double[] OPACUS_ORDERS = opacusOrders();

    /** Terms of the fractional-order series below e^-30 are dropped (as in Opacus/TF-Privacy). */
    private static final double SERIES_CUTOFF = -30;

    private final double[] orders;

    public RdpAccountant() {
        this(OPACUS_ORDERS);
    }

    /** @param orders Renyi orders, each &gt; 1 and finite */
    public RdpAccountant(double[] orders) {
        if (orders == null || orders.length == 0) {
            throw new IllegalArgumentException("at least one RDP order is required");
        }
        for (double a : orders) {
            if (!(a > 1) || Double.isInfinite(a)) {
                throw new IllegalArgumentException("RDP order " + a + " must be > 1 and finite");
            }
        }
        this.orders = orders.clone();
    }

    @Override
    public String name() {
        return "rdp";
    }

    public double[] orders() {
        return orders.clone();
    }

    @Override
    public PrivacyResult epsilon(List<Phase> phases, double delta) {
        Accountant.checkArguments(phases, delta);
        return toEpsilon(rdpCurve(phases), delta);
    }

    /** Total RDP at each of this accountant's orders: the sum over phases of steps * rdp(q, sigma, a). */
    public double[] rdpCurve(List<Phase> phases) {
        double[] total = new double[orders.length];
        for (Phase p : Phase.byMechanism(phases)) {
            for (int k = 0; k < orders.length; k++) {
                total[k] += p.steps() * rdp(p.q(), p.sigma(), orders[k]);
            }
        }
        return total;
    }

    /** Converts an RDP curve over this accountant's orders to the tightest epsilon at delta. */
    public PrivacyResult toEpsilon(double[] rdp, double delta) {
        if (rdp.length != orders.length) {
            throw new IllegalArgumentException("RDP curve has " + rdp.length + " values, expected " + orders.length);
        }
        double best = Double.POSITIVE_INFINITY;
        double bestOrder = Double.NaN;
        double logDelta = Math.log(delta);
        for (int k = 0; k < orders.length; k++) {
            double a = orders[k];
            double eps = rdp[k] - (logDelta + Math.log(a)) / (a - 1) + Math.log((a - 1) / a);
            if (eps < best) { // strict: the first order wins ties, as numpy's argmin
                best = eps;
                bestOrder = a;
            }
        }
        return new PrivacyResult(Math.max(0, best), delta, name(), bestOrder, "");
    }

    /**
     * RDP of one step of the Poisson-subsampled Gaussian mechanism at order {@code alpha}.
     * q = 1 is the plain Gaussian mechanism, alpha / (2 sigma^2).
     */
    public static double rdp(double q, double sigma, double alpha) {
        if (q == 0) {
            return 0;
        }
        if (sigma == 0) {
            return Double.POSITIVE_INFINITY;
        }
        if (q == 1) {
            return alpha / (2 * sigma * sigma);
        }
        double logA = alpha == Math.rint(alpha) && alpha < Integer.MAX_VALUE
                ? logAIntegerOrder(q, sigma, (int) alpha)
                : logAFractionalOrder(q, sigma, alpha);
        return logA / (alpha - 1);
    }

    /** log A_a = logsumexp_i [log C(a,i) + i log q + (a-i) log(1-q) + (i^2-i)/(2 sigma^2)] (MTZ19 Thm. 9). */
    static double logAIntegerOrder(double q, double sigma, int alpha) {
        double logQ = Math.log(q);
        double log1mQ = Math.log1p(-q);
        double twoVar = 2 * sigma * sigma;
        double logA = Double.NEGATIVE_INFINITY;
        double logBinom = 0; // log C(alpha, 0)
        for (int i = 0; i <= alpha; i++) {
            if (i > 0) {
                logBinom += Math.log((double) (alpha - i + 1) / i);
            }
            double term = logBinom + i * logQ + (alpha - i) * log1mQ + ((double) i * i - i) / twoVar;
            logA = logAdd(logA, term);
        }
        return logA;
    }

    /**
     * log A_a at fractional a (MTZ19 Sec. 3.3): two series A0 (i = 0, 1, ...) and A1 (j = a - i)
     * split at z0 = sigma^2 log(1/q - 1) + 1/2. The generalised binomial C(a, i) changes sign
     * beyond i = a; signed terms are added or subtracted, which is the exact value (dp_accounting
     * sums absolute values, a looser bound).
     */
    static double logAFractionalOrder(double q, double sigma, double alpha) {
        double logQ = Math.log(q);
        double log1mQ = Math.log1p(-q);
        double twoVar = 2 * sigma * sigma;
        double sqrt2Sigma = Math.sqrt(2) * sigma;
        double z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
        double logHalf = Math.log(0.5);
        double logA0 = Double.NEGATIVE_INFINITY;
        double logA1 = Double.NEGATIVE_INFINITY;
        double logAbsBinom = 0; // C(alpha, 0) = 1
        boolean positive = true;
        for (int i = 0; ; i++) {
            if (i > 0) {
                double factor = (alpha - i + 1) / i;
                logAbsBinom += Math.log(Math.abs(factor));
                positive = positive == (factor > 0);
            }
            double j = alpha - i;
            double logS0 = logAbsBinom + i * logQ + j * log1mQ + ((double) i * i - i) / twoVar
                    + logHalf + LogErfc.logErfc((i - z0) / sqrt2Sigma);
            double logS1 = logAbsBinom + j * logQ + i * log1mQ + (j * j - j) / twoVar
                    + logHalf + LogErfc.logErfc((z0 - j) / sqrt2Sigma);
            if (positive) {
                logA0 = logAdd(logA0, logS0);
                logA1 = logAdd(logA1, logS1);
            } else {
                logA0 = logSub(logA0, logS0);
                logA1 = logSub(logA1, logS1);
            }
            if (Math.max(logS0, logS1) < SERIES_CUTOFF) {
                return logAdd(logA0, logA1);
            }
        }
    }

    static double logAdd(double x, double y) {
        double hi = Math.max(x, y);
        double lo = Math.min(x, y);
        if (lo == Double.NEGATIVE_INFINITY) {
            return hi;
        }
        return hi + Math.log1p(Math.exp(lo - hi));
    }

    /** log(e^x - e^y), x &ge; y. */
    static double logSub(double x, double y) {
        if (y == Double.NEGATIVE_INFINITY) {
            return x;
        }
        if (x < y) {
            throw new ArithmeticException("RDP series lost precision: log-difference of " + x + " and " + y);
        }
        if (x == y) {
            return Double.NEGATIVE_INFINITY;
        }
        return x + Math.log(-Math.expm1(y - x));
    }

    private static double[] opacusOrders() {
        double[] o = new double[99 + 52];
        for (int x = 1; x < 100; x++) {
            o[x - 1] = 1.0 + x / 10.0;
        }
        for (int a = 12; a < 64; a++) {
            o[99 + a - 12] = a;
        }
        return o;
    }

    @Override
    public String toString() {
        return "RdpAccountant(" + orders.length + " orders from " + orders[0] + " to " + orders[orders.length - 1] + ")";
    }
}
