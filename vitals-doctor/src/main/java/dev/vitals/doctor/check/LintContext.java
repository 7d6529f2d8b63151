package dev.vitals.doctor.check;

import dev.vitals.core.spec.Spec;
import dev.vitals.core.train.LayerInfo;

import java.util.List;

/** The spec and the structure of the model it builds, with the sizes of the data splits. */
public record LintContext(Spec spec, List<LayerInfo> layers, int[] input, int[] output, int classes,
                          int trainSize, int validationSize, int testSize, Measurements measured) {

    /** Layers with weights (dense, conv2d), the depth that matters for vanishing gradients. */
    public List<LayerInfo> weightLayers() {
        return layers.stream().filter(LayerInfo::weights).toList();
    }

    /** The last layer of the model proper (not nested in a block). */
    public LayerInfo last() {
        for (int i = layers.size() - 1; i >= 0; i--) if (layers.get(i).depth() == 0) return layers.get(i);
        return layers.get(layers.size() - 1);
    }
}
