package dev.vitals.core.nn;

import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The backward pass computes no gradient that nothing uses: below the first layer with parameters
 * (a flatten in front of an MLP), unless the caller asks for the input's gradient.
 */
class SequentialBackwardTest {
    /** Wraps a layer and writes down how each backward call was asked. */
    static final class Recording extends Layer {
        final Layer inner;
        final List<Boolean> asked = new ArrayList<>();

        Recording(Layer inner) { this.inner = inner; }

        @Override public String kind() { return "recording " + inner.kind(); }

        @Override public List<Layer> children() { return List.of(inner); }

        @Override protected Shape doBuild(Shape input, BuildContext ctx) { return inner.build(input, ctx); }

        @Override public Tensor forward(Tensor x, Mode mode) { return inner.forward(x, mode); }

        @Override
        public Tensor backward(Tensor g, boolean needInputGrad) {
            asked.add(needInputGrad);
            return inner.backward(g, needInputGrad);
        }
    }

    @Test
    void stopsAtTheFirstLayerWithParameters() {
        Recording flatten = new Recording(new Flatten()), first = new Recording(new Dense(5)), second = new Recording(new Dense(3));
        Sequential s = GradChecks.built(new Sequential(List.of(flatten, first, new Activation.ReLU(), second)), Shape.of(2, 2, 2), 1);
        Tensor x = GradChecks.random(4, Shape.of(2, 2, 2), 2);
        Tensor y = s.forward(x, Mode.TRAIN);
        Tensor g = GradChecks.random(4, y.exampleShape(), 3);

        assertNull(s.backward(g, false));
        assertEquals(List.of(), flatten.asked, "nothing below the first dense layer runs");
        assertEquals(List.of(false), first.asked, "the first dense layer is not asked for its input's gradient");
        assertEquals(List.of(true), second.asked);
        assertNull(flatten.lastGradOutput());
        float[] dw = first.inner.parameters().get(0).grad().data().clone();

        // asked for the input's gradient, every layer computes it, and the parameter gradients are the same
        for (Parameter p : s.parameters()) p.zeroGrad();
        Tensor gx = s.backward(g, true);
        assertNotNull(gx);
        assertArrayEquals(x.shape(), gx.shape());
        assertEquals(List.of(true), flatten.asked);
        assertEquals(List.of(false, true), first.asked);
        assertNotNull(flatten.lastGradOutput());
        assertArrayEquals(dw, first.inner.parameters().get(0).grad().data());
    }

    @Test
    void aModelWithoutParametersPassesNothingBack() {
        Recording flatten = new Recording(new Flatten());
        Sequential s = GradChecks.built(new Sequential(List.of(flatten, new Activation.ReLU())), Shape.of(3), 1);
        Tensor y = s.forward(GradChecks.random(2, Shape.of(3), 2), Mode.TRAIN);
        assertNull(s.backward(y, false));
        assertEquals(List.of(), flatten.asked);
        assertNotNull(s.backward(y, true));
    }
}
