package io.dpdm.eval;

import io.dpdm.classify.Classifier;
import io.dpdm.data.ImageSplit;

/**
 * Maps images to feature vectors for the Frechet distance and the feature-space memorisation
 * audit. {@link #name()} says what the features are, so that a distance is never reported as
 * "FID" unless the extractor is one the user vouches for ({@link #standardFid()}).
 */
public interface FeatureExtractor extends AutoCloseable {
    /** What the features are, e.g. "dpdm CNN features (128-d, trained on fashion-mnist)". */
    String name();

    /** True only for a user-supplied network that the user declares to be the FID network. */
    boolean standardFid();

    /** One feature vector per image of the split, in order. */
    float[][] features(ImageSplit split);

    @Override
    void close();

    /**
     * The penultimate-layer activations of a classifier (the default extractor: the CNN trained
     * on the real training data). The classifier stays owned by the caller.
     */
    static FeatureExtractor of(Classifier classifier, String name) {
        return new FeatureExtractor() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public boolean standardFid() {
                return false;
            }

            @Override
            public float[][] features(ImageSplit split) {
                return classifier.features(split);
            }

            @Override
            public void close() {}
        };
    }
}
