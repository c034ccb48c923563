package io.dpdm.model;

import io.dpdm.diffusion.Preconditioning;
import com.fasterxml.jackson.annotation.JsonIgnore;
import io.dpdm.diffusion.UNetConfig;
import java.util.List;

/**
 * What a saved model is: everything needed to rebuild its denoiser and to state its guarantee.
 * It holds nothing computed from the private data beyond what DP covers (no loss, no data
 * hash: a hash of a data set would let anyone who knows all but one record test guesses of the
 * last one), so it may be copied into released artifacts.
 *
 * @param network the U-Net hyperparameters
 * @param preconditioning how the network is wrapped into a denoiser D(x; sigma)
 * @param classNames names of the classes, index order; empty for an unconditional model
 * @param dataset the training data set's name (an embedded set's name, or a folder's own name;
 *     treated as public like N, the image shape and the class list), never a path
 * @param privacy the model's (epsilon, delta) guarantee and ledger
 * @param provenance software versions, seed and training step
 */
public record ModelCard(UNetConfig network, Preconditioning preconditioning, List<String> classNames, String dataset,
        PrivacyGuarantee privacy, Provenance provenance) {
    public ModelCard {
        classNames = List.copyOf(classNames);
        if (network.numClasses() != classNames.size()) {
            throw new IllegalArgumentException("the network has " + network.numClasses() + " classes but "
                    + classNames.size() + " class names were given");
        }
    }

    @JsonIgnore
    public boolean conditional() {
        return network.numClasses() > 0;
    }
}
