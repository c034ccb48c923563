package io.dpdm.privacy;

import java.lang.ref.SoftReference;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Privacy loss random variable (PRV) accountant: Gopi, Lee, Wutschitz 2021, "Numerical composition
 * of differential privacy" (Alg. 1), with the discretisation choices of Opacus' PRVAccountant, so
 * that its upper bound reproduces Opacus/prv_accountant to about 1e-5.
 *
 * <ol>
 *   <li>Domain [-L, L] with L = max(eps_rdp(delta_error/4) of the whole run, eps_rdp(delta_error /
 *       (8 T)) of any single step, eps_error) + 3 (paper Remark 5.6), on a mesh aligned to
 *       multiples of h = eps_error / sqrt(T log(12/delta_error) / 2).
 *   <li>Each phase's loss is truncated to the domain and discretised into cell masses
 *       {@code F(t_i + h/2) - F(t_i - h/2)}; the grid is shifted so that the discrete mean equals
 *       the continuous truncated mean.
 *   <li>Phases compose by FFT: the product of the spectra, each raised to its number of steps.
 *       Unlike Opacus (circular convolution on exactly the domain size) the arrays are zero-padded
 *       to a power of two, which only removes wrap-around of mass that lies beyond the domain.
 *   <li>{@code delta(eps) = sum_{t_i > eps} p_i (1 - e^(eps - t_i))} is inverted exactly between
 *       grid points. Bounds: upper = eps(delta - delta_error) + eps_error (the default, the only
 *       one safe to promise), estimate = eps(delta), lower = eps(delta + delta_error) - eps_error.
 * </ol>
 *
 * <p>Robustness: when the target delta is not reached inside the domain the domain is doubled;
 * when the grid would exceed {@code maxGridSize} points (large epsilon over long horizons, where
 * Opacus runs out of memory or fails) or the discretisation is unusable, the RDP bound (always
 * valid, looser) is returned with a note saying so. The same happens when delta is so small that
 * FFT rounding could matter: the composed pmf's total negative mass (pure rounding noise) must stay
 * below delta/100 (Opacus only checks machine epsilon times the grid size).
 */
public final class PrvAccountant implements Accountant {
    /** Which of the three PRV numbers {@link #epsilon} reports. */
    public enum Bound { UPPER, ESTIMATE, LOWER }

    /**
     * Lower, estimate and upper bound on the true epsilon, with the grid used.
     *
     * @param lower eps(delta + delta_error) - eps_error: the true epsilon is at least this
     * @param estimate eps(delta) of the discretised composition (not a guarantee)
     * @param upper eps(delta - delta_error) + eps_error: the true epsilon is at most this
     * @param domainHalfWidth L of the final domain [-L, L]
     * @param gridSize FFT length used
     * @param note set when the domain had to grow, else empty
     */
    public record Bounds(double lower, double estimate, double upper, double domainHalfWidth, int gridSize,
            String note) {}

    public static final double DEFAULT_EPS_ERROR = 0.01;
    /**
     * 2^24 points: about 8 doubles live per grid point (pmf, composed pmf, two tail sums, two
     * spectra, FFT tables), so about 1 GB of heap at the limit.
     */
    public static final int DEFAULT_MAX_GRID = 1 << 24;

    private final double epsError;
    private final double relativeDeltaError;
    private final Bound bound;
    private final int maxGridSize;
    private final RdpAccountant rdp = new RdpAccountant();

    /** eps_error 0.01, delta_error = delta/1000, upper bound: Opacus' defaults. */
    public PrvAccountant() {
        this(DEFAULT_EPS_ERROR, 1e-3, Bound.UPPER, DEFAULT_MAX_GRID);
    }

    /**
     * @param epsError allowed error in epsilon (sets the mesh), &gt; 0
     * @param relativeDeltaError delta_error as a fraction of delta, in (0, 1)
     * @param bound which bound {@link #epsilon} reports
     * @param maxGridSize largest FFT length before falling back to RDP (a power of two &ge; 2^10)
     */
    public PrvAccountant(double epsError, double relativeDeltaError, Bound bound, int maxGridSize) {
        if (!(epsError > 0) || Double.isInfinite(epsError)) {
            throw new IllegalArgumentException("eps_error=" + epsError + " must be > 0");
        }
        if (!(relativeDeltaError > 0 && relativeDeltaError < 1)) {
            throw new IllegalArgumentException("relative delta_error=" + relativeDeltaError + " must be in (0, 1)");
        }
        if (maxGridSize < 1024 || Integer.bitCount(maxGridSize) != 1) {
            throw new IllegalArgumentException("max grid size " + maxGridSize + " must be a power of two >= 1024");
        }
        this.epsError = epsError;
        this.relativeDeltaError = relativeDeltaError;
        this.bound = bound;
        this.maxGridSize = maxGridSize;
    }

    @Override
    public String name() {
        return "prv";
    }

    @Override
    public PrivacyResult epsilon(List<Phase> phases, double delta) {
        Accountant.checkArguments(phases, delta);
        Bounds b;
        try {
            b = bounds(phases, delta);
        } catch (Unusable e) {
            return rdp.epsilon(phases, delta).withNote("PRV " + e.getMessage() + "; fell back to RDP");
        }
        double eps = switch (bound) {
            case UPPER -> b.upper();
            case ESTIMATE -> b.estimate();
            case LOWER -> b.lower();
        };
        return new PrivacyResult(Math.max(0, eps), delta, name(), Double.NaN, b.note());
    }

    /**
     * All three PRV numbers. Throws {@link IllegalStateException} if PRV cannot be computed within
     * {@code maxGridSize} ({@link #epsilon} falls back to RDP instead).
     */
    public Bounds bounds(List<Phase> allPhases, double delta) {
        Accountant.checkArguments(allPhases, delta);
        List<Phase> phases = Phase.byMechanism(allPhases);
        double deltaError = delta * relativeDeltaError;
        long totalSteps = phases.stream().mapToLong(Phase::steps).sum();
        double mesh = epsError / Math.sqrt(totalSteps * Math.log(12 / deltaError) / 2);
        double halfWidth = safeDomainHalfWidth(phases, totalSteps, deltaError);
        String note = "";
        while (true) {
            Composed c = compose(phases, totalSteps, halfWidth, mesh);
            double lower = c.epsilonAt(delta + deltaError);
            double estimate = c.epsilonAt(delta);
            double upper = c.epsilonAt(delta - deltaError);
            if (!Double.isNaN(upper) && !Double.isNaN(lower) && !Double.isNaN(estimate)) {
                return new Bounds(lower - epsError, estimate, upper + epsError, halfWidth, c.p.length, note);
            }
            halfWidth *= 2; // the target delta lies beyond the domain: widen it
            note = String.format(Locale.ROOT, "PRV grew its domain to [-%.4g, %.4g]", halfWidth, halfWidth);
        }
    }

    /** Remark 5.6 of Gopi et al. as implemented by Opacus: RDP tail bounds plus a margin of 3. */
    private double safeDomainHalfWidth(List<Phase> phases, long totalSteps, double deltaError) {
        double l = rdp.epsilon(phases, deltaError / 4).epsilon();
        double perStepDelta = deltaError / (8.0 * totalSteps);
        for (Phase p : phases) {
            l = Math.max(l, rdp.epsilon(p.q(), p.sigma(), 1, perStepDelta).epsilon());
        }
        return Math.max(l, epsError) + 3;
    }

    /** Thrown when the grid cannot represent the composition; the message says why. */
    private static final class Unusable extends IllegalStateException {
        Unusable(String message) {
            super(message);
        }
    }

    private Composed compose(List<Phase> phases, long totalSteps, double halfWidth, double mesh) {
        long m = (long) -Math.floor(-halfWidth / mesh); // t_min = -m h, t_max = (m + 1) h, as Opacus aligns it
        long domainSize = 2 * m + 2;
        // The limit depends on the arguments only, never on the JVM's heap: the accountant that
        // planned a run must give the same answer when the run's guarantee is released.
        if (domainSize > maxGridSize) {
            throw new Unusable(String.format(Locale.ROOT,
                    "needs %d grid points for domain [-%.4g, %.4g] at mesh %.3g (limit %d)",
                    domainSize, halfWidth, halfWidth, mesh, maxGridSize));
        }
        int size = Integer.highestOneBit((int) domainSize - 1) << 1;
        int center = size / 2 - 1; // array index of t = 0
        RealFft fft = FftCache.get(size);
        double[] spectrumRe = new double[size / 2 + 1];
        double[] spectrumIm = new double[size / 2 + 1];
        Arrays.fill(spectrumRe, 1.0);
        double[] re = new double[size / 2 + 1];
        double[] im = new double[size / 2 + 1];
        double[] pmf = new double[size];
        double tMin = -m * mesh;
        double tMax = (m + 1) * mesh;
        double totalShift = 0;
        for (Phase phase : phases) {
            totalShift += phase.steps() * discretise(phase, tMin, tMax, mesh, (int) (center - m), (int) domainSize, pmf);
            fft.forward(pmf, re, im);
            multiplyByPower(spectrumRe, spectrumIm, re, im, phase.steps());
        }
        fft.inverse(spectrumRe, spectrumIm, pmf);
        // Index s of the circular sum of T indices holds loss (s - T*center) h: rotate by (T-1)*center.
        double[] composed = new double[size];
        long rotation = Math.floorMod((totalSteps - 1) % size * center, (long) size);
        for (int j = 0; j < size; j++) {
            composed[j] = pmf[(int) ((j + rotation) % size)];
        }
        return new Composed(composed, -center * mesh + totalShift, mesh);
    }

    /**
     * Fills pmf (zeroed outside [offset, offset + n)) with the truncated loss' cell masses and
     * returns the shift that makes the discrete mean equal the continuous one.
     */
    private static double discretise(Phase phase, double tMin, double tMax, double h, int offset, int n,
            double[] pmf) {
        SubsampledGaussianPrv prv = new SubsampledGaussianPrv(phase.q(), phase.sigma());
        Arrays.fill(pmf, 0);
        double massBelowMin = prv.cdf(tMin);
        double massAboveMax = prv.survival(tMax);
        double mass = 1 - massBelowMin - massAboveMax;
        // Cell edges t_min + (i - 1/2) h; the first lies below t_min (truncated CDF 0), the last
        // above t_max (1). Left of 0 differences of the CDF are exact, right of 0 those of the survival.
        double previous = 0; // truncated CDF (or survival, once past 0) at the previous edge
        boolean upper = false;
        double discreteMean = 0;
        for (int i = 0; i < n; i++) {
            double right = tMin + (i + 0.5) * h;
            double cell;
            if (right >= tMax) {
                cell = upper ? previous : 1 - previous;
            } else if (right <= 0) {
                double f = (prv.cdf(right) - massBelowMin) / mass;
                cell = f - previous;
                previous = f;
            } else {
                double s = (prv.survival(right) - massAboveMax) / mass;
                cell = upper ? previous - s : 1 - previous - s;
                previous = s;
                upper = true;
            }
            pmf[offset + i] = cell;
            discreteMean += (tMin + i * h) * cell;
        }
        double shift = prv.truncatedMean(tMin, tMax) - discreteMean;
        if (!(Math.abs(shift) < h / 2)) {
            throw new Unusable(String.format(Locale.ROOT,
                    "discretisation of (q=%s, sigma=%s) is too coarse (mean shift %.3g >= h/2)", phase.q(),
                    phase.sigma(), shift));
        }
        return shift;
    }

    /** acc *= x^power, element-wise on complex numbers, by binary exponentiation. */
    private static void multiplyByPower(double[] accRe, double[] accIm, double[] xRe, double[] xIm, long power) {
        for (int k = 0; k < accRe.length; k++) {
            double br = xRe[k], bi = xIm[k];
            double rr = 1, ri = 0;
            for (long e = power; e > 0; e >>= 1) {
                if ((e & 1) != 0) {
                    double t = rr * br - ri * bi;
                    ri = rr * bi + ri * br;
                    rr = t;
                }
                double t = br * br - bi * bi;
                bi = 2 * br * bi;
                br = t;
            }
            double ar = accRe[k];
            accRe[k] = ar * rr - accIm[k] * ri;
            accIm[k] = ar * ri + accIm[k] * rr;
        }
    }

    /** The composed loss distribution on the grid t_j = t0 + j h. */
    private static final class Composed {
        final double[] p;
        final double t0;
        final double h;
        final double[] tailMass; // sum_{i >= j} p_i
        final double[] tailDiscounted; // sum_{i >= j} p_i e^(-t_i)
        final double roundoff; // total negative mass: what FFT rounding left in the pmf

        Composed(double[] p, double t0, double h) {
            this.p = p;
            this.t0 = t0;
            this.h = h;
            int n = p.length;
            tailMass = new double[n];
            tailDiscounted = new double[n];
            double a = 0, b = 0, negative = 0;
            for (int j = n - 1; j >= 0; j--) {
                a += p[j];
                negative -= Math.min(0, p[j]);
                b += p[j] * Math.exp(-(t0 + j * h));
                tailMass[j] = a;
                tailDiscounted[j] = b;
            }
            roundoff = negative;
        }

        /** -delta(t_j): increasing in j. */
        private double negDelta(int j) {
            return Math.exp(t0 + j * h) * tailDiscounted[j] - tailMass[j];
        }

        /** Smallest eps with delta(eps) &le; target, or NaN if the grid does not reach it. */
        double epsilonAt(double targetDelta) {
            if (targetDelta < 100 * roundoff) {
                throw new Unusable(String.format(Locale.ROOT,
                        "cannot resolve delta=%.3g: FFT rounding noise is %.2g on this grid", targetDelta, roundoff));
            }
            int lo = 0, hi = p.length; // leftmost j with negDelta(j) >= -target (numpy searchsorted "left")
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (negDelta(mid) < -targetDelta) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            if (lo <= 0) {
                throw new Unusable("cannot reach delta=" + targetDelta + " (it exceeds the delta of the grid's lowest loss)");
            }
            if (lo >= p.length) {
                return Double.NaN;
            }
            return Math.log((tailMass[lo] - targetDelta) / tailDiscounted[lo]);
        }
    }

    /** One twiddle table per FFT length, kept while memory allows (calibration reuses it). */
    private static final class FftCache {
        private static SoftReference<RealFft> last = new SoftReference<>(null);

        static synchronized RealFft get(int size) {
            RealFft f = last.get();
            if (f == null || f.size() != size) {
                f = new RealFft(size);
                last = new SoftReference<>(f);
            }
            return f;
        }
    }
}
