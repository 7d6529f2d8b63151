package dev.vitals.core.nn;

import dev.vitals.core.tensor.Shape;

import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Building layers for gradient-check tests, and the assertion they share. */
final class GradChecks {
    private GradChecks() {}

    static <L extends Layer> L built(L layer, Shape input, long seed) {
        return built(layer, input, seed, Set.of());
    }

    static <L extends Layer> L built(L layer, Shape input, long seed, Set<Fault> faults) {
        layer.build(input, new BuildContext(Init.DEFAULT, new SplittableRandom(seed), faults));
        return layer;
    }

    /** Passes every tensor in every mode, each well inside the tolerance (or its noise floor). */
    static GradientCheck.Result assertPasses(GradientCheck.Result r) {
        assertTrue(r.passed(), r::toString);
        for (GradientCheck.TensorResult t : r.tensors()) {
            double diff = t.relativeError() * Math.max(t.analyticNorm(), t.numericNorm());
            // Margin: 5x below the tolerance, or 5x inside the noise floor.
            assertTrue(t.relativeError() < r.tolerance() / 5 || diff < t.noiseFloor() / 5, () -> "thin margin: " + t);
            assertTrue(t.checked() > 0, () -> "nothing checked: " + t);
        }
        return r;
    }
}
