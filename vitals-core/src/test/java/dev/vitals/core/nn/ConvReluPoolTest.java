package dev.vitals.core.nn;

import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A training step runs a model's first convolution, its ReLU and a 2x2 pooling as one fused pass
 * (ConvReluPool). It must compute what the three layers compute (up to rounding: the convolution
 * sums in another order), give the same numbers whether or not the step is observed, fill every
 * buffer an observer reads on an observed step, and pass a finite-difference check.
 */
class ConvReluPoolTest {
    /** input [C, H, W], filters, kernel, padding, batch: the CNN's conv1 (split over the workers), RGB, 5x5, wide rows, odd edges. */
    private static final int[][] CASES = {{1, 28, 28, 32, 3, 0, 64}, {3, 9, 8, 4, 3, 1, 5}, {1, 11, 12, 3, 5, 2, 3},
            {1, 12, 41, 2, 3, 0, 4}, {2, 7, 7, 3, 2, 0, 2}};

    private static Model cnn(int[] t, long seed) {
        List<Layer> layers = new ArrayList<>(List.of(new Conv2d(t[3], t[4], 1, t[5]), new Activation.ReLU(), new MaxPool(2),
                new Flatten(), new Dense(5)));
        return Model.build(layers, Shape.of(t[0], t[1], t[2]), new BuildContext(Init.DEFAULT, new SplittableRandom(seed)));
    }

    private static List<float[]> grads(Model m) {
        List<float[]> out = new ArrayList<>();
        for (Parameter p : m.parameters()) out.add(p.grad().data().clone());
        return out;
    }

    @Test
    void fusedStepComputesWhatTheLayersCompute() {
        for (int[] t : CASES) {
            Model m = cnn(t, 7);
            assertEquals(3, m.body().groupEnd(0), "the first three layers make one group");
            Tensor x = GradChecks.random(t[6], m.inputShape(), 11);
            Tensor g = GradChecks.random(t[6], m.outputShape(), 12);
            m.zeroGrad();
            float[] plain = m.forward(x, Mode.TRAIN).data().clone();
            m.backward(g, false);
            List<float[]> plainGrads = grads(m);
            m.zeroGrad();
            float[] fused = m.forwardStep(x, Mode.TRAIN, false).data().clone();
            m.backward(g, false);
            List<float[]> fusedGrads = grads(m);
            String where = java.util.Arrays.toString(t);
            assertClose(plain, fused, 2e-5, "output " + where);
            for (int i = 0; i < plainGrads.size(); i++) {
                assertClose(plainGrads.get(i), fusedGrads.get(i), 2e-5, m.parameters().get(i).fullName() + " " + where);
            }
        }
    }

    @Test
    void observedStepGivesTheSameNumbersAndFillsTheBuffers() {
        for (int[] t : CASES) {
            Model quiet = cnn(t, 5), watched = cnn(t, 5);
            Tensor x = GradChecks.random(t[6], quiet.inputShape(), 3);
            Tensor g = GradChecks.random(t[6], quiet.outputShape(), 4);
            String where = java.util.Arrays.toString(t);
            for (int step = 0; step < 2; step++) {
                // the second step reuses every buffer the first one grew
                quiet.zeroGrad();
                watched.zeroGrad();
                assertArrayEquals(quiet.forwardStep(x, Mode.TRAIN, false).data(), watched.forwardStep(x, Mode.TRAIN, true).data(), where);
                quiet.backward(g, false);
                watched.backward(g, false);
                List<float[]> a = grads(quiet), b = grads(watched);
                for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i), "gradient " + i + " " + where);
            }
            // the observed step's buffers: what the layers one by one hold, up to the convolution's rounding
            Layer conv = watched.layers().get(0), relu = watched.layers().get(1), pool = watched.layers().get(2);
            Tensor z = conv.lastOutput().copy(), r = relu.lastOutput().copy(), p = pool.lastOutput().copy();
            Tensor gz = conv.lastGradOutput().copy(), gr = relu.lastGradOutput().copy();
            assertSame(g.batch(), pool.lastGradOutput().batch());
            for (int i = 0; i < z.size(); i++) assertEquals(Math.max(z.data()[i], 0f), r.data()[i], "ReLU's output " + where);
            Model plain = cnn(t, 5);
            plain.forward(x, Mode.TRAIN);
            plain.backward(g, false);
            assertClose(plain.layers().get(0).lastOutput().data(), z.data(), 2e-5, "convolution's output " + where);
            assertClose(plain.layers().get(2).lastOutput().data(), p.data(), 2e-5, "pooled output " + where);
            assertClose(plain.layers().get(1).lastGradOutput().data(), gr.data(), 2e-5, "ReLU's gradient " + where);
            assertClose(plain.layers().get(0).lastGradOutput().data(), gz.data(), 2e-5, "convolution's gradient " + where);
        }
    }

    @Test
    void aFusedStepGivesNoInputGradient() {
        Model m = cnn(CASES[1], 1);
        Tensor x = GradChecks.random(2, m.inputShape(), 1);
        m.forwardStep(x, Mode.TRAIN, false);
        assertThrows(IllegalStateException.class, () -> m.backward(GradChecks.random(2, m.outputShape(), 2), true));
        // a plain forward pass afterwards runs the layers and their backward pass again
        m.forward(x, Mode.TRAIN);
        assertEquals(x.size(), m.backward(GradChecks.random(2, m.outputShape(), 2), true).size());
    }

    @Test
    void finiteDifferencesAgreeWithTheFusedStep() {
        for (int[] t : new int[][] {{1, 8, 8, 3, 3, 0}, {3, 7, 6, 2, 3, 1}, {1, 9, 9, 2, 5, 2}}) {
            Model m = Model.build(List.of(new Conv2d(t[3], t[4], 1, t[5]), new Activation.ReLU(), new MaxPool(2)),
                    Shape.of(t[0], t[1], t[2]), new BuildContext(Init.DEFAULT, new SplittableRandom(t[1])));
            GradChecks.assertPasses(GradientCheck.defaults().seed(t[1]).checkTrainingStep(m));
        }
    }

    @Test
    void onlyTheFirstTrainedConvolutionOfFewTapsBeforeReluAndPoolingOf2IsFused() {
        Shape in = Shape.of(1, 12, 12);
        BuildContext ctx = new BuildContext(Init.DEFAULT, new SplittableRandom(1));
        Model behind = Model.build(List.of(new Activation.Tanh(), new Conv2d(4, 3, 1, 0), new Activation.ReLU(), new MaxPool(2)), in, ctx);
        assertEquals(1, behind.body().groupEnd(0));
        assertEquals(4, behind.body().groupEnd(1), "the first layer with parameters, after one without");
        assertEquals(1, Model.build(List.of(new Conv2d(4, 3, 1, 0), new Activation.Tanh(), new MaxPool(2)), in, ctx).body().groupEnd(0));
        assertEquals(1, Model.build(List.of(new Conv2d(4, 3, 2, 0), new Activation.ReLU(), new MaxPool(2)), in, ctx).body().groupEnd(0));
        assertEquals(1, Model.build(List.of(new Conv2d(4, 3, 1, 0), new Activation.ReLU(), new MaxPool(3)), in, ctx).body().groupEnd(0));
        assertEquals(1, Model.build(List.of(new Conv2d(4, 3, 1, 0), new Activation.ReLU(), new MaxPool(2)), Shape.of(4, 12, 12), ctx)
                .body().groupEnd(0), "4 channels of 3x3: 36 taps");
        Model second = Model.build(List.of(new Conv2d(2, 3, 1, 1), new Activation.ReLU(), new Conv2d(4, 3, 1, 0), new Activation.ReLU(),
                new MaxPool(2)), in, ctx);
        assertEquals(3, second.body().groupEnd(2), "a later convolution: a training step needs its input gradient");
    }

    /** Each value within {@code rel} of the largest magnitude of {@code expected}. */
    private static void assertClose(float[] expected, float[] actual, double rel, String what) {
        assertEquals(expected.length, actual.length, what);
        double scale = 1e-30;
        for (float v : expected) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs(expected[i] - actual[i]);
            int at = i;
            assertTrue(d <= rel * scale, () -> what + ": at " + at + " expected " + expected[at] + " but got " + actual[at]);
        }
    }
}
