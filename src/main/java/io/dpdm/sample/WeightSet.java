package io.dpdm.sample;

import io.dpdm.model.ModelCheckpoint;

/** Which of a checkpoint's weight sets to sample with. */
public enum WeightSet {
    /** The exponential moving average of the weights (DPDM samples with it; the default). */
    EMA(ModelCheckpoint.EMA),
    /** The weights as the last DP-SGD step left them. */
    RAW(ModelCheckpoint.PARAMS);

    private final String group;

    WeightSet(String group) {
        this.group = group;
    }

    /** The checkpoint's tensor group holding these weights. */
    public String group() {
        return group;
    }
}
