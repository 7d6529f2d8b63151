package dev.vitals.core.nn;

import dev.vitals.core.tensor.Shape;

import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Building layers for gradient-check tests, and the assertion they share. */
final class GradChecks {
    private GradChecks() {}

    /** A batch of standard normal values. */
    static dev.vitals.core.tensor.Tensor random(int batch, Shape example, long seed) {
        dev.vitals.core.tensor.Tensor x = dev.vitals.core.tensor.Tensor.reuse(null, batch, example);
        SplittableRandom r = new SplittableRandom(seed);
        float[] d = x.data();
        for (int i = 0; i < x.size(); i++) d[i] = (float) r.nextGaussian();
        return x;
    }

    static <L extends Layer> L built(L layer, Shape input, long seed) {
        return built(layer, input, seed, Set.of());
    }

    static <L extends Layer> L built(L layer, Shape input, long seed, Set<Fault> faults) {
        layer.build(input, new BuildContext(Init.DEFAULT, new SplittableRandom(seed), faults));
        return layer;
    }

    /** Passes every tensor in every mode, 5x inside the tolerance (or the noise floor). */
    static GradientCheck.Result assertPasses(GradientCheck.Result r) {
        return assertPasses(r, 5);
    }

    /**
     * Passes with {@code margin}: a whole model, whose float noise and kinks are many, measured up
     * to 0.3 of its floor over 20 seeds; single layers stay far inside.
     */
    static GradientCheck.Result assertPasses(GradientCheck.Result r, double margin) {
        assertTrue(r.passed(), r::toString);
        for (GradientCheck.TensorResult t : r.tensors()) {
            double diff = t.relativeError() * Math.max(t.analyticNorm(), t.numericNorm());
            assertTrue(t.relativeError() < r.tolerance() / margin || diff < t.noiseFloor() / margin, () -> "thin margin: " + t);
            assertTrue(t.checked() > 0, () -> "nothing checked: " + t);
        }
        return r;
    }
}
