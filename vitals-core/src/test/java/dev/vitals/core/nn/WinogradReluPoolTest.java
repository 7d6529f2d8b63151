package dev.vitals.core.nn;

import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A training step runs a convolution computed by Winograd's transforms, its ReLU and a 2x2 pooling
 * as one pass (WinogradReluPool). Unlike conv1's fused pass it must give the three layers' own
 * numbers bit for bit: outputs, every parameter gradient and the input gradient; and run the
 * layers one by one where it cannot (an observed step, a NaN).
 */
class WinogradReluPoolTest {
    /**
     * input [C, H, W], filters, padding, batch: the CNN's conv2 (odd output, split over the workers),
     * an even output, padding with filters off the vector width, a one-tile output.
     */
    private static final int[][] CASES = {{32, 13, 13, 64, 0, 64}, {16, 12, 12, 16, 0, 3}, {17, 9, 8, 20, 1, 5}, {16, 4, 4, 16, 0, 2}};

    /** A convolution before the fused group, so that the group's input gradient is needed. */
    private static Model cnn(int[] t, long seed) {
        List<Layer> layers = List.of(new Conv2d(t[0], 3, 1, 1), new Activation.Tanh(), new Conv2d(t[3], 3, 1, t[4]),
                new Activation.ReLU(), new MaxPool(2), new Flatten(), new Dense(5));
        return Model.build(layers, Shape.of(3, t[1], t[2]), new BuildContext(Init.DEFAULT, new SplittableRandom(seed)));
    }

    private static List<float[]> grads(Model m) {
        List<float[]> out = new ArrayList<>();
        for (Parameter p : m.parameters()) out.add(p.grad().data().clone());
        return out;
    }

    private static FusedGroup group(Model m) {
        FusedGroup g = m.body().fusedGroup(2);
        assertTrue(g instanceof WinogradReluPool, "the second convolution, its ReLU and the pooling make a group");
        assertTrue(((Conv2d) m.layers().get(2)).winograd());
        return g;
    }

    /** One step with the layers one by one, or as a training step; returns output, input gradient, parameter gradients. */
    private static List<float[]> step(Model m, Tensor x, Tensor g, boolean fusedStep) { return step(m, x, g, fusedStep, false, false); }

    private static List<float[]> step(Model m, Tensor x, Tensor g, boolean fusedStep, boolean inexactToo, boolean observed) {
        m.zeroGrad();
        List<float[]> out = new ArrayList<>();
        out.add((fusedStep ? m.forwardStep(x, Mode.TRAIN, observed, inexactToo) : m.forward(x, Mode.TRAIN)).data().clone());
        out.add(m.backward(g, true).data().clone());
        out.addAll(grads(m));
        return out;
    }

    @Test
    void aFusedStepGivesTheLayersOwnNumbersBitForBit() {
        for (int[] t : CASES) {
            Model plain = cnn(t, 7), fused = cnn(t, 7);
            FusedGroup group = group(fused);
            String where = java.util.Arrays.toString(t);
            for (int s = 0; s < 2; s++) {
                // the second step reuses every buffer the first one grew
                Tensor x = GradChecks.random(t[5], plain.inputShape(), 11 + s), g = GradChecks.random(t[5], plain.outputShape(), 12 + s);
                List<float[]> a = step(plain, x, g, false), b = step(fused, x, g, true);
                assertTrue(group.fused, "the step ran fused " + where);
                assertArrayEquals(a.get(0), b.get(0), "output " + where);
                assertArrayEquals(a.get(1), b.get(1), "input gradient " + where);
                for (int i = 2; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i), fused.parameters().get(i - 2).fullName() + " " + where);
            }
        }
    }

    @Test
    void wholeRunStepsSumTheGradientsFromTheNonzeroValues() {
        for (int[] t : CASES) {
            Model plain = cnn(t, 7), fused = cnn(t, 7);
            FusedGroup group = group(fused);
            String where = java.util.Arrays.toString(t);
            for (int s = 0; s < 2; s++) {
                Tensor x = GradChecks.random(t[5], plain.inputShape(), 21 + s), g = GradChecks.random(t[5], plain.outputShape(), 22 + s);
                List<float[]> a = step(plain, x, g, false), b = step(fused, x, g, true, true, false);
                assertTrue(group.fused, "the step ran fused " + where);
                assertArrayEquals(a.get(0), b.get(0), "output " + where);
                assertClose(a.get(1), b.get(1), 2e-5, "input gradient " + where);
                for (int i = 2; i < a.size(); i++) assertClose(a.get(i), b.get(i), 2e-5, fused.parameters().get(i - 2).fullName() + " " + where);
            }
        }
    }

    @Test
    void anObservedWholeRunStepGivesTheSameNumbersAndFillsTheBuffers() {
        int[] t = CASES[0];
        Model quiet = cnn(t, 5), watched = cnn(t, 5), plain = cnn(t, 5);
        for (int s = 0; s < 2; s++) {
            Tensor x = GradChecks.random(t[5], quiet.inputShape(), 3 + s), g = GradChecks.random(t[5], quiet.outputShape(), 4 + s);
            List<float[]> a = step(quiet, x, g, true, true, false), b = step(watched, x, g, true, true, true);
            for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i), "value set " + i + ", step " + s);
            step(plain, x, g, false);
            for (int l = 2; l <= 4; l++) {
                assertArrayEquals(plain.layers().get(l).lastOutput().data(), watched.layers().get(l).lastOutput().data(), "layer " + l + "'s output");
                assertArrayEquals(plain.layers().get(l).lastGradOutput().data(), watched.layers().get(l).lastGradOutput().data(),
                        "layer " + l + "'s output gradient");
            }
        }
    }

    @Test
    void negativeZerosAndTiesGiveTheLayersOwnNumbers() {
        int[] t = CASES[1];
        Model plain = cnn(t, 3), fused = cnn(t, 3);
        // the group's convolution all zero but its bias: every window a tie; half the biases negative
        for (Model m : List.of(plain, fused)) {
            Conv2d conv = (Conv2d) m.layers().get(2);
            java.util.Arrays.fill(conv.weight().value().data(), 0f);
            float[] b = conv.bias().value().data();
            for (int i = 0; i < b.length; i++) b[i] = i % 2 == 0 ? 0.5f : i % 4 == 1 ? -0.25f : -0f;
        }
        Tensor x = GradChecks.random(t[5], plain.inputShape(), 1), g = GradChecks.random(t[5], plain.outputShape(), 2);
        List<float[]> a = step(plain, x, g, false), b = step(fused, x, g, true);
        assertTrue(group(fused).fused);
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i), "value set " + i);
    }

    @Test
    void aNaNRunsTheLayersOneByOne() {
        int[] t = CASES[2];
        Model plain = cnn(t, 9), fused = cnn(t, 9);
        FusedGroup group = group(fused);
        for (int at : new int[] {0, 3 * t[1] * t[2] - 1}) {
            // the first pixel and the last (which reaches the row and column the pooling drops as well as windows)
            Tensor x = GradChecks.random(t[5], plain.inputShape(), 4), g = GradChecks.random(t[5], plain.outputShape(), 5);
            x.data()[at] = Float.NaN;
            List<float[]> a = step(plain, x, g, false), b = step(fused, x, g, true);
            assertFalse(group.fused, "a NaN output: the layers one by one");
            for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i), "value set " + i + ", NaN at " + at);
            boolean nan = false;
            for (float v : fused.layers().get(2).lastOutput().data()) nan |= Float.isNaN(v);
            assertTrue(nan, "the convolution's output is this step's");
        }
    }

    @Test
    void anObservedStepRunsTheLayersAndFillsTheirBuffers() {
        int[] t = CASES[2];
        Model quiet = cnn(t, 5), watched = cnn(t, 5);
        Tensor x = GradChecks.random(t[5], quiet.inputShape(), 3), g = GradChecks.random(t[5], quiet.outputShape(), 4);
        quiet.forwardStep(x, Mode.TRAIN, false, false);
        assertTrue(group(quiet).fused);
        watched.forwardStep(x, Mode.TRAIN, true, false);
        assertFalse(group(watched).fused);
        assertArrayEquals(quiet.layers().get(4).lastOutput().data(), watched.layers().get(4).lastOutput().data());
        Layer conv = watched.layers().get(2), relu = watched.layers().get(3);
        for (int i = 0; i < conv.lastOutput().size(); i++) {
            assertEquals(Math.max(conv.lastOutput().data()[i], 0f), relu.lastOutput().data()[i]);
        }
        quiet.backward(g, false);
        watched.backward(g, false);
        assertArrayEquals(quiet.layers().get(2).lastGradOutput().data(), conv.lastGradOutput().data(), "the convolution's gradient");
        assertSame(relu.lastGradOutput().batch(), g.batch());
    }

    @Test
    void evaluationRunsTheLayers() {
        int[] t = CASES[1];
        Model m = cnn(t, 2);
        m.forward(GradChecks.random(2, m.inputShape(), 1), Mode.EVAL);
        assertFalse(group(m).fused);
        assertEquals(2, m.layers().get(3).lastOutput().batch(), "ReLU's output is filled");
    }

    @Test
    void finiteDifferencesAgreeWithTheFusedStep() {
        for (int[] t : new int[][] {{16, 6, 6, 16, 0}, {16, 5, 7, 17, 1}}) {
            Model m = Model.build(List.of(new Conv2d(t[3], 3, 1, t[4]), new Activation.ReLU(), new MaxPool(2)),
                    Shape.of(t[0], t[1], t[2]), new BuildContext(Init.DEFAULT, new SplittableRandom(t[1])));
            assertTrue(m.body().fusedGroup(0) instanceof WinogradReluPool);
            GradChecks.assertPasses(GradientCheck.defaults().seed(t[1]).checkTrainingStep(m));
        }
    }

    /** Each value within {@code rel} of the largest magnitude of {@code expected}. */
    private static void assertClose(float[] expected, float[] actual, double rel, String what) {
        assertEquals(expected.length, actual.length, what);
        double scale = 1e-30;
        for (float v : expected) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < expected.length; i++) {
            int at = i;
            assertTrue(Math.abs(expected[i] - actual[i]) <= rel * scale, () -> what + ": at " + at + " expected " + expected[at] + " but got " + actual[at]);
        }
    }

    @Test
    void onlyAWinogradConvolutionBeforeReluAndPoolingOf2IsFused() {
        Shape in = Shape.of(16, 8, 8);
        BuildContext ctx = new BuildContext(Init.DEFAULT, new SplittableRandom(1));
        assertNull(Model.build(List.of(new Conv2d(16, 3, 1, 0), new Activation.Tanh(), new MaxPool(2)), in, ctx).body().fusedGroup(0));
        assertNull(Model.build(List.of(new Conv2d(16, 3, 1, 0), new Activation.ReLU(), new MaxPool(3)), in, ctx).body().fusedGroup(0));
        assertNull(Model.build(List.of(new Conv2d(16, 5, 1, 0), new Activation.ReLU(), new MaxPool(2)), in, ctx).body().fusedGroup(0),
                "a 5x5 kernel: no Winograd pass");
        assertNull(Model.build(List.of(new Conv2d(8, 3, 1, 0), new Activation.ReLU(), new MaxPool(2)), in, ctx).body().fusedGroup(0),
                "8 filters: unfolded");
        Model m = Model.build(List.of(new Conv2d(16, 3, 1, 1), new Activation.ReLU(), new MaxPool(2)), in, ctx);
        assertEquals(3, m.body().groupEnd(0));
    }
}
