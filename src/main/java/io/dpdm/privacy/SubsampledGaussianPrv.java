package io.dpdm.privacy;


/**
 * Privacy loss random variable Y of one Poisson-subsampled Gaussian step (Gopi, Lee, Wutschitz
 * 2021, Prop. B.4): with x drawn from P = (1-q) N(0, s^2) + q N(1, s^2), Y = log((1-q) + q
 * exp((2x - 1)/(2 s^2))). Y &gt; log(1-q); writing z = log((e^t + q - 1)/q) and x(t) = s^2 z + 1/2,
 * {@code P(Y <= t) = (q/2) erfc(-(x(t)-1)/(sqrt2 s)) + ((1-q)/2) erfc(-x(t)/(sqrt2 s))}.
 *
 * <p>Both the CDF and the survival function are available in forms that keep full relative
 * accuracy in their small tails, so that cell masses in the tails are not lost to cancellation.
 */
final class SubsampledGaussianPrv {
    /** erfc(27) &lt; 1e-317: beyond this argument both tail terms are zero in double precision. */
    private static final double ERFC_ZERO = 27;
    /** Mixture components are negligible (density &lt; e^-720) beyond 38 sigma. */
    private static final double SUPPORT_SIGMAS = 38;
    /** 20-point Gauss-Legendre rule on [0, 1]: nodes, then weights. */
    private static final double[][] UNIT_RULE = gaussLegendre(20);

    private final double q;
    private final double sigma;
    private final double logQ;
    private final double log1mQ;
    private final double sqrt2Sigma;

    SubsampledGaussianPrv(double q, double sigma) {
        this.q = q;
        this.sigma = sigma;
        this.logQ = Math.log(q);
        this.log1mQ = Math.log1p(-q);
        this.sqrt2Sigma = Math.sqrt(2) * sigma;
    }

    /** Smallest value of the loss: log(1 - q) (-infinity when q = 1). */
    double lowerEnd() {
        return log1mQ;
    }

    /** x(t): the Gaussian sample at which the loss equals t (t &gt; log(1 - q)). */
    double sampleAtLoss(double t) {
        double logDiff; // log(e^t - (1 - q)), computed without cancellation
        if (q == 1) {
            logDiff = t;
        } else {
            double u = t - log1mQ;
            logDiff = u > 40 ? t + Math.log1p(-Math.exp(log1mQ - t)) : log1mQ + Math.log(Math.expm1(u));
        }
        return sigma * sigma * (logDiff - logQ) + 0.5;
    }

    /** P(Y &le; t), accurate when small. */
    double cdf(double t) {
        if (t <= log1mQ) {
            return 0;
        }
        double x = sampleAtLoss(t);
        double a = -(x - 1) / sqrt2Sigma; // argument for the q component
        double b = -x / sqrt2Sigma; // argument for the (1-q) component, b < a
        if (b > ERFC_ZERO) {
            return 0;
        }
        return 0.5 * q * LogErfc.erfc(a) + 0.5 * (1 - q) * LogErfc.erfc(b);
    }

    /** P(Y &gt; t), accurate when small. */
    double survival(double t) {
        if (t <= log1mQ) {
            return 1;
        }
        double x = sampleAtLoss(t);
        double a = (x - 1) / sqrt2Sigma; // a < b
        if (a > ERFC_ZERO) {
            return 0;
        }
        return 0.5 * q * LogErfc.erfc(a) + 0.5 * (1 - q) * LogErfc.erfc(x / sqrt2Sigma);
    }

    /**
     * E[Y | tMin &lt; Y &le; tMax]: the mean of the truncated loss, by composite Gauss-Legendre
     * quadrature in x, where the integrand y(x) p(x) is smooth.
     */
    double truncatedMean(double tMin, double tMax) {
        double lo = -SUPPORT_SIGMAS * sigma;
        if (tMin > log1mQ) {
            lo = Math.max(lo, sampleAtLoss(tMin));
        }
        double hi = Math.min(sampleAtLoss(tMax), 1 + SUPPORT_SIGMAS * sigma);
        double mass = 1 - cdf(tMin) - survival(tMax);
        double panel = sigma / 4;
        int panels = Math.max(1, (int) Math.ceil((hi - lo) / panel));
        double width = (hi - lo) / panels;
        double sum = 0;
        for (int k = 0; k < panels; k++) {
            double left = lo + k * width;
            for (int n = 0; n < UNIT_RULE[0].length; n++) {
                double x = left + width * UNIT_RULE[0][n];
                sum += UNIT_RULE[1][n] * lossAt(x) * density(x);
            }
        }
        return sum * width / mass;
    }

    private double lossAt(double x) {
        double u = (2 * x - 1) / (2 * sigma * sigma);
        return q == 1 ? u : RdpAccountant.logAdd(log1mQ, logQ + u);
    }

    private double density(double x) {
        double s2 = 2 * sigma * sigma;
        return ((1 - q) * Math.exp(-x * x / s2) + q * Math.exp(-(x - 1) * (x - 1) / s2))
                / (sigma * Math.sqrt(2 * Math.PI));
    }

    /**
     * Nodes and weights of the n-point Gauss-Legendre rule mapped to [0, 1]: roots of P_n by
     * Newton's method from the asymptotic guesses, weights 2 / ((1 - x^2) P_n'(x)^2).
     */
    static double[][] gaussLegendre(int n) {
        double[] nodes = new double[n];
        double[] weights = new double[n];
        for (int i = 0; i < n; i++) {
            double x = Math.cos(Math.PI * (i + 0.75) / (n + 0.5));
            double derivative = 0;
            for (int iteration = 0; iteration < 100; iteration++) {
                double p0 = 1, p1 = x;
                for (int k = 2; k <= n; k++) {
                    double p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
                    p0 = p1;
                    p1 = p2;
                }
                derivative = n * (x * p1 - p0) / (x * x - 1);
                double step = p1 / derivative;
                x -= step;
                if (Math.abs(step) < 1e-16) {
                    break;
                }
            }
            nodes[i] = (1 - x) / 2;
            weights[i] = 1 / ((1 - x * x) * derivative * derivative);
        }
        return new double[][] {nodes, weights};
    }
}
