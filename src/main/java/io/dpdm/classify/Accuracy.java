package io.dpdm.classify;

import java.util.Arrays;

/**
 * Classification accuracy on a labelled split, overall and per true class.
 *
 * @param correct correctly classified images per true class
 * @param total images per true class
 */
public record Accuracy(int[] correct, int[] total) {
    public Accuracy {
        if (correct.length != total.length || correct.length == 0) {
            throw new IllegalArgumentException("need one correct/total count per class, got "
                    + correct.length + " and " + total.length);
        }
        for (int k = 0; k < total.length; k++) {
            if (correct[k] < 0 || correct[k] > total[k]) {
                throw new IllegalArgumentException("class " + k + ": " + correct[k] + " correct of " + total[k]);
            }
        }
        correct = correct.clone();
        total = total.clone();
    }

    /** From predicted and true labels. */
    public static Accuracy of(int[] predicted, int[] truth, int numClasses) {
        if (predicted.length != truth.length) {
            throw new IllegalArgumentException(predicted.length + " predictions for " + truth.length + " labels");
        }
        int[] correct = new int[numClasses];
        int[] total = new int[numClasses];
        for (int i = 0; i < truth.length; i++) {
            total[truth[i]]++;
            correct[truth[i]] += predicted[i] == truth[i] ? 1 : 0;
        }
        return new Accuracy(correct, total);
    }

    /** Fraction correct over all images (0 for an empty split). */
    public double overall() {
        int n = Arrays.stream(total).sum();
        return n == 0 ? 0 : (double) Arrays.stream(correct).sum() / n;
    }

    /** Fraction correct per class; NaN for a class with no images. */
    public double[] perClass() {
        double[] out = new double[total.length];
        for (int k = 0; k < out.length; k++) {
            out[k] = total[k] == 0 ? Double.NaN : (double) correct[k] / total[k];
        }
        return out;
    }

    @Override
    public int[] correct() {
        return correct.clone();
    }

    @Override
    public int[] total() {
        return total.clone();
    }
}
