package dev.vitals.core.nn;

import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;

/** Turns each example into a flat vector (a view of the same buffer, no copy). */
public final class Flatten extends Layer {
    private boolean mixedBatch;
    private Tensor mixed, gradIn;
    private int features;

    @Override public String kind() { return "flatten"; }

    @Override
    protected Shape doBuild(Shape input, BuildContext ctx) {
        features = input.size();
        mixedBatch = ctx.claim(Fault.MIXED_BATCH);
        return Shape.of(features);
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        checkInput(x);
        int b = x.batch();
        if (mixedBatch) {
            mixed = Tensor.reuse(mixed, b, outputShape());
            MixedBatchReshape.forward(x.data(), mixed.data(), b, features);
            lastOutput = mixed;
            return mixed;
        }
        lastOutput = x.reshape(b, features);
        return lastOutput;
    }

    @Override
    public Tensor backward(Tensor gy, boolean needInputGrad) {
        if (!needInputGrad) return null;
        int b = gy.batch();
        if (mixedBatch) {
            gradIn = Tensor.reuse(gradIn, b, inputShape());
            MixedBatchReshape.backward(gy.data(), gradIn.data(), b, features);
            return gradIn;
        }
        return gy.reshape(inputShape().withBatch(b));
    }
}
