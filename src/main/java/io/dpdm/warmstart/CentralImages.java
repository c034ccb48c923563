package io.dpdm.warmstart;

import io.dpdm.DpdmException;
import io.dpdm.data.ImageSplit;
import io.dpdm.dp.DpRandom;
import io.dpdm.dp.PoissonSampler;
import io.dpdm.privacy.Phase;
import java.util.Locale;

/**
 * DP-FETA's central images: noisy per-class means of the private images, released by the
 * Poisson-subsampled Gaussian mechanism. Each of {@code rounds} rounds samples every record with
 * probability q (the RELEASE_SAMPLING stream of that round) and releases, for every class k, the
 * vector (sum of the sampled class-k images, downsampled and with pixels in [0, 1]; w times their
 * number) plus Gaussian noise of standard deviation sigma * Delta on every coordinate (the
 * RELEASE_NOISE stream). The mean image is then the noisy sum divided by the noisy count:
 * post-processing.
 *
 * <p>Sensitivity, add/remove neighbours: adding or removing one record of class k changes only
 * block k, by that record's contribution v = (its pixels, w); with C h w pixels in [0, 1],
 * ||v||_2 &lt;= sqrt(C h w + w^2) = Delta. The code clips every contribution to norm Delta anyway
 * ({@link #contribution}), so the bound holds whatever the pixels. The whole release is thus R
 * rounds of a subsampled Gaussian mechanism with noise multiplier sigma: one {@link Phase}
 * (q, sigma, R) in the ledger. With the defaults (28x28 -> 14x14, w = 4, q = 0.1, sigma = 5, 5
 * rounds) Delta = 14.56, and each of ~600 images per class sees noise of std 0.12 per pixel.
 *
 * @param sampleRate q of every round, in (0, 1]
 * @param noiseMultiplier sigma (noise std / Delta), &gt; 0
 * @param rounds R, each an independent subsample, &gt;= 1
 * @param downsample averaging factor of each image side before the release (1 = none); the
 *     released means are upsampled back (bilinear)
 * @param median post-process each released mean with a 3x3 median filter (DP-FETA's light
 *     denoising: it removes isolated noise and keeps edges; free, as all post-processing)
 */
public record CentralImages(double sampleRate, double noiseMultiplier, int rounds, int downsample, boolean median) {
    /** w, the weight of the count coordinate: counts are released with noise std sigma Delta / w. */
    static final double COUNT_WEIGHT = 4;

    public CentralImages {
        new Phase(sampleRate, noiseMultiplier, Math.max(1, rounds)); // validates q and sigma
        if (rounds < 1 || downsample < 1) {
            throw new IllegalArgumentException("central images: rounds and downsample must be >= 1, got " + rounds
                    + " and " + downsample);
        }
    }

    /** Delta, the L2 sensitivity of one round's release for images of C x H x W. */
    public double sensitivity(int channels, int height, int width) {
        checkShape(height, width);
        return Math.sqrt((double) channels * (height / downsample) * (width / downsample) + COUNT_WEIGHT * COUNT_WEIGHT);
    }

    /**
     * Records expected per class and round (q N / classes, from the public N and class list) over
     * the std of the released count's noise (sigma Delta / w). Below 1 the released means are
     * mostly noise: the classes are too small for this release.
     */
    public double countSignalToNoise(int n, int numClasses, int channels, int height, int width) {
        return sampleRate * n / numClasses / (noiseMultiplier * sensitivity(channels, height, width) / COUNT_WEIGHT);
    }

    /** Refuses, before anything is released, a data set whose classes are too small for the release. */
    public void checkClassesLargeEnough(int n, int numClasses, int channels, int height, int width) {
        double snr = countSignalToNoise(n, numClasses, channels, height, width);
        if (snr < 1) {
            throw new DpdmException(String.format(Locale.ROOT, "warm start: the release samples about %.1f images per"
                    + " class and round (q N / classes = %.3g x %d / %d) against count noise of std %.1f: the classes are"
                    + " too small for it; raise warmStart.release.sampleRate or use no warm start",
                    sampleRate * n / numClasses, sampleRate, n, numClasses, sampleRate * n / numClasses / snr));
        }
    }

    /** The ledger phase of the whole release. */
    public Phase phase(int channels, int height, int width) {
        return new Phase(sampleRate, noiseMultiplier, rounds, String.format(Locale.ROOT,
                "central images: per-class sums and counts of %dx%dx%d images, sensitivity %.4g",
                channels, height / downsample, width / downsample, sensitivity(channels, height, width)));
    }

    /**
     * Releases {@code rounds} noisy means of every class, in round-major order (round r, class k at
     * index r * numClasses + k), upsampled to the data's size, in [-1, 1].
     */
    public ReleasedImages release(ImageSplit train, int numClasses, DpRandom random) {
        int c = train.shape().channels();
        int h = train.shape().height();
        int w = train.shape().width();
        double delta = sensitivity(c, h, w);
        int small = c * (h / downsample) * (w / downsample);
        PoissonSampler sampler = new PoissonSampler(train.size(), sampleRate);
        double minCount = Math.max(1, 0.25 * sampleRate * train.size() / numClasses);
        float[] images = new float[rounds * numClasses * c * h * w];
        int[] labels = new int[rounds * numClasses];
        for (int r = 0; r < rounds; r++) {
            int[] sampled = sampler.sample(random, r, DpRandom.Purpose.RELEASE_SAMPLING);
            double[][] blocks = sums(train, numClasses, sampled);
            DpRandom.Stream noise = random.stream(DpRandom.Purpose.RELEASE_NOISE, r);
            for (int k = 0; k < numClasses; k++) {
                double[] block = blocks[k];
                for (int i = 0; i < block.length; i++) {
                    block[i] += noiseMultiplier * delta * noise.nextGaussian();
                }
                double count = Math.max(minCount, block[small] / COUNT_WEIGHT);
                float[] mean = new float[small];
                for (int i = 0; i < small; i++) {
                    mean[i] = (float) Math.max(0, Math.min(1, block[i] / count));
                }
                if (median) {
                    mean = median3x3(mean, c, h / downsample, w / downsample);
                }
                int at = r * numClasses + k;
                labels[at] = k;
                float[] full = upsample(mean, c, h / downsample, w / downsample, downsample);
                for (int i = 0; i < full.length; i++) {
                    images[at * c * h * w + i] = 2 * full[i] - 1;
                }
            }
        }
        return new ReleasedImages(c, h, w, images, labels);
    }

    /**
     * The pre-noise release of one round: for every class, the sum of the sampled records'
     * contributions (downsampled pixels, then the count weight).
     */
    double[][] sums(ImageSplit train, int numClasses, int[] sampled) {
        int c = train.shape().channels();
        int h = train.shape().height();
        int w = train.shape().width();
        double delta = sensitivity(c, h, w);
        double[][] blocks = new double[numClasses][c * (h / downsample) * (w / downsample) + 1];
        for (int i : sampled) {
            int label = train.label(i);
            if (label >= numClasses) {
                throw new IllegalArgumentException("label " + label + " of record " + i + " is outside the "
                        + numClasses + " declared classes");
            }
            double[] v = contribution(train.rawImage(i), c, h, w, delta);
            for (int j = 0; j < v.length; j++) {
                blocks[label][j] += v[j];
            }
        }
        return blocks;
    }

    /** One record's contribution (pixels / 255 averaged over downsample^2 blocks, then w), clipped to norm delta. */
    double[] contribution(byte[] pixels, int c, int h, int w, double delta) {
        int sh = h / downsample;
        int sw = w / downsample;
        double[] v = new double[c * sh * sw + 1];
        double area = downsample * downsample;
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    v[(ch * sh + y / downsample) * sw + x / downsample] += (pixels[(ch * h + y) * w + x] & 0xff) / 255.0
                            / area;
                }
            }
        }
        v[v.length - 1] = COUNT_WEIGHT;
        double norm = 0;
        for (double x : v) {
            norm += x * x;
        }
        norm = Math.sqrt(norm);
        if (norm > delta) { // cannot happen for pixels in [0, 1]; the bound must hold regardless
            for (int j = 0; j < v.length; j++) {
                v[j] *= delta / norm;
            }
        }
        return v;
    }

    /** The median of each pixel's 3x3 neighbourhood (clamped at the border), per channel. */
    static float[] median3x3(float[] src, int channels, int h, int w) {
        float[] out = new float[src.length];
        float[] window = new float[9];
        for (int ch = 0; ch < channels; ch++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int n = 0;
                    for (int dy = -1; dy <= 1; dy++) {
                        for (int dx = -1; dx <= 1; dx++) {
                            int yy = Math.max(0, Math.min(h - 1, y + dy));
                            int xx = Math.max(0, Math.min(w - 1, x + dx));
                            window[n++] = src[(ch * h + yy) * w + xx];
                        }
                    }
                    java.util.Arrays.sort(window);
                    out[(ch * h + y) * w + x] = window[4];
                }
            }
        }
        return out;
    }

    /** Bilinear upsampling by an integer factor (half-pixel centres, edges clamped). */
    static float[] upsample(float[] src, int channels, int h, int w, int factor) {
        if (factor == 1) {
            return src.clone();
        }
        int bigH = h * factor;
        int bigW = w * factor;
        float[] out = new float[channels * bigH * bigW];
        for (int ch = 0; ch < channels; ch++) {
            for (int y = 0; y < bigH; y++) {
                double sy = Math.max(0, Math.min(h - 1, (y + 0.5) / factor - 0.5));
                int y0 = (int) sy;
                int y1 = Math.min(h - 1, y0 + 1);
                double fy = sy - y0;
                for (int x = 0; x < bigW; x++) {
                    double sx = Math.max(0, Math.min(w - 1, (x + 0.5) / factor - 0.5));
                    int x0 = (int) sx;
                    int x1 = Math.min(w - 1, x0 + 1);
                    double fx = sx - x0;
                    int base = ch * h * w;
                    double top = src[base + y0 * w + x0] * (1 - fx) + src[base + y0 * w + x1] * fx;
                    double bottom = src[base + y1 * w + x0] * (1 - fx) + src[base + y1 * w + x1] * fx;
                    out[(ch * bigH + y) * bigW + x] = (float) (top * (1 - fy) + bottom * fy);
                }
            }
        }
        return out;
    }

    private void checkShape(int height, int width) {
        if (height % downsample != 0 || width % downsample != 0) {
            throw new IllegalArgumentException("central images: downsample " + downsample + " must divide the image"
                    + " size " + height + "x" + width);
        }
    }
}
