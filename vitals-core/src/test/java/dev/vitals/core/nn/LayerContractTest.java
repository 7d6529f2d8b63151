package dev.vitals.core.nn;

import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a model checks of the layers an API user writes: the shapes their forward and backward passes
 * return, that one layer object stands in one place, and that each parameter is registered once. The
 * failures are named by the layer at fault, not by the layer after it or a loss reading past an array.
 */
class LayerContractTest {
    /** Scales its input by 2; its outputs' widths and its gradient can be set wrong. */
    static final class Twice extends Layer {
        private final int extraOut, extraGrad;
        private final boolean nullGrad;
        private Parameter p;

        Twice(int extraOut, int extraGrad, boolean nullGrad) {
            this.extraOut = extraOut;
            this.extraGrad = extraGrad;
            this.nullGrad = nullGrad;
        }

        @Override public String kind() { return "twice"; }

        @Override protected Shape doBuild(Shape in, BuildContext ctx) {
            p = addParameter("unused", Tensor.zeros(1));
            return in;
        }

        @Override public Tensor forward(Tensor x, Mode mode) {
            int n = x.exampleSize() + extraOut;
            Tensor y = Tensor.zeros(x.batch(), n);
            for (int b = 0; b < x.batch(); b++) for (int j = 0; j < x.exampleSize(); j++) y.data()[b * n + j] = 2 * x.data()[b * x.exampleSize() + j];
            return y;   // lastOutput deliberately not set: the model keeps it
        }

        @Override public Tensor backward(Tensor g, boolean needInputGrad) {
            if (nullGrad) return null;
            int n = g.exampleSize() - extraOut - extraGrad;
            Tensor dx = Tensor.zeros(g.batch(), n);
            for (int b = 0; b < g.batch(); b++) for (int j = 0; j < n; j++) dx.data()[b * n + j] = 2 * g.data()[b * g.exampleSize() + j];
            return dx;
        }
    }

    private static Model model(Layer middle) {
        return Model.build(List.of(new Dense(4), middle, new Dense(3)), Shape.of(5), new BuildContext(Init.parse("he"), new SplittableRandom(1)));
    }

    private static Tensor batch() {
        Tensor x = Tensor.zeros(2, 5);
        for (int i = 0; i < x.size(); i++) x.data()[i] = i * 0.1f;
        return x;
    }

    @Test
    void aLayerThatKeepsTheContractRunsAndItsOutputIsKeptForObservers() {
        Twice t = new Twice(0, 0, false);
        Model m = model(t);
        Tensor y = m.forward(batch(), Mode.TRAIN);
        assertEquals(List.of(2, 3), List.of(y.dim(0), y.dim(1)));
        assertTupleShape(t.lastOutput(), 2, 4);
        Tensor g = Tensor.zeros(2, 3);
        g.fill(1f);
        Tensor dx = m.backward(g, true);
        assertTupleShape(dx, 2, 5);
    }

    @Test
    void aForwardPassOfAnotherShapeThanItsBuildDeclaredIsNamedAtTheLayer() {
        Model m = model(new Twice(3, 0, false));
        Layer.LayerContractException e = assertThrows(Layer.LayerContractException.class, () -> m.forward(batch(), Mode.TRAIN));
        assertEquals("twice at layers.1: forward returned [2, 7] for a batch of 2 where its build declared [batch, 4]", e.getMessage());
    }

    @Test
    void anInputGradientOfTheWrongShapeOrNoneIsNamedAtTheLayer() {
        for (boolean none : new boolean[] {false, true}) {
            Model m = model(new Twice(0, 1, none));
            m.forward(batch(), Mode.TRAIN);
            Tensor g = Tensor.zeros(2, 3);
            Layer.LayerContractException e = assertThrows(Layer.LayerContractException.class, () -> m.backward(g, true));
            assertEquals("twice at layers.1: backward returned an input gradient of " + (none ? "null" : "[2, 3]") + " for an input of [2, 4]", e.getMessage());
        }
    }

    @Test
    void aLayerNeedNotReturnAGradientNobodyAskedFor() {
        // the first layer's input gradient is not wanted in a training step: null is allowed there
        Model m = Model.build(List.of(new Twice(0, 0, true), new Dense(3)), Shape.of(5), new BuildContext(Init.parse("he"), new SplittableRandom(1)));
        m.forward(batch(), Mode.TRAIN);
        Tensor g = Tensor.zeros(2, 3);
        assertEquals(null, m.backward(g, false));
    }

    @Test
    void theModelNamesAnInputOrGradientOfTheWrongShapeAndABackwardWithoutForward() {
        Model m = Model.build(List.of(new Dense(3)), Shape.of(5), new BuildContext(Init.DEFAULT, new SplittableRandom(1)));
        // a user's own first layer met a wrong input as an index out of bounds; PyTorch names the mismatch
        IllegalStateException before = assertThrows(IllegalStateException.class, () -> m.backward(Tensor.zeros(4, 3), true));
        assertTrue(before.getMessage().startsWith("backward before any forward pass"), before.getMessage());
        IllegalArgumentException input = assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.zeros(4, 6), Mode.TRAIN));
        assertEquals("the model was built for inputs of [5] per example, and was given [4, 6] (batch first)", input.getMessage());
        m.forward(Tensor.zeros(4, 5), Mode.TRAIN);
        IllegalArgumentException grad = assertThrows(IllegalArgumentException.class, () -> m.backward(Tensor.zeros(4, 4), true));
        assertEquals("backward: dLoss/dOutput of [4, 4] for an output of [4, 3] (the last forward pass's)", grad.getMessage());
        assertEquals(4, m.backward(Tensor.zeros(4, 3), true).batch());
    }

    @Test
    void oneLayerObjectInTwoPlacesIsRefused() {
        Dense d = new Dense(5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Model.build(List.of(d, new Activation.ReLU(), d), Shape.of(5), new BuildContext(Init.parse("he"), new SplittableRandom(1))));
        assertTrue(e.getMessage().startsWith("the same dense 5 object stands twice in the model"), e.getMessage());
    }

    /** Registers a parameter twice: under one name, or one tensor under two names. */
    static final class Registers extends Layer {
        private final boolean sameName;

        Registers(boolean sameName) { this.sameName = sameName; }

        @Override public String kind() { return "registers"; }

        @Override protected Shape doBuild(Shape in, BuildContext ctx) {
            Tensor t = Tensor.zeros(1);
            addParameter("gain", t);
            addParameter(sameName ? "gain" : "gain2", sameName ? Tensor.zeros(1) : t);
            return in;
        }

        @Override public Tensor forward(Tensor x, Mode mode) { return x; }

        @Override public Tensor backward(Tensor g, boolean needInputGrad) { return g; }
    }

    @Test
    void aParameterRegisteredTwiceIsRefused() {
        for (boolean sameName : new boolean[] {true, false}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model(new Registers(sameName)));
            assertTrue(e.getMessage().contains(sameName ? "a second parameter named 'gain'" : "parameter 'gain2' holds the tensor of 'gain'"), e.getMessage());
        }
    }

    @Test
    void aParameterSharedByTwoLayersThatBothRegisterItIsRefused() {
        Dense a = new Dense(5);
        Layer borrower = new Layer() {
            @Override public String kind() { return "borrower"; }

            @Override protected Shape doBuild(Shape in, BuildContext ctx) {
                addParameter("weight", a.parameters().get(0).value());
                return in;
            }

            @Override public Tensor forward(Tensor x, Mode mode) { return x; }

            @Override public Tensor backward(Tensor g, boolean needInputGrad) { return g; }
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Model.build(List.of(a, borrower), Shape.of(5), new BuildContext(Init.parse("he"), new SplittableRandom(1))));
        assertEquals("parameters layers.0.weight and layers.1.weight hold the same tensor, which an optimizer would update twice; register it once", e.getMessage());
    }

    private static void assertTupleShape(Tensor t, int b, int n) {
        assertEquals(2, t.rank());
        assertEquals(b, t.dim(0));
        assertEquals(n, t.dim(1));
    }

    @Test
    void theGradientCheckOfOneLayerNamesAWrongShapeToo() {
        Twice t = new Twice(0, 1, false);
        t.path("layers.7");
        t.build(Shape.of(4), new BuildContext(Init.parse("he"), new SplittableRandom(1)));
        Layer.LayerContractException e = assertThrows(Layer.LayerContractException.class, () -> GradientCheck.defaults().check(t));
        assertTrue(e.getMessage().startsWith("twice at layers.7: backward returned an input gradient of"), e.getMessage());
        assertSame(Layer.LayerContractException.class, e.getClass());
    }

    @Test
    void aBuildThatReturnsNoShapeOrAListWithANullIsNamed() {
        Layer noShape = new Layer() {
            @Override public String kind() { return "noshape"; }

            @Override protected Shape doBuild(Shape in, BuildContext ctx) { return null; }

            @Override public Tensor forward(Tensor x, Mode mode) { return x; }

            @Override public Tensor backward(Tensor g, boolean needInputGrad) { return g; }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> model(noShape));
        assertTrue(e.getMessage().startsWith("noshape: doBuild returned null"), e.getMessage());
        BuildContext ctx = new BuildContext(Init.parse("he"), new SplittableRandom(1));
        assertEquals("Model.build: no list of layers (null)", assertThrows(IllegalArgumentException.class, () -> Model.build(null, Shape.of(5), ctx)).getMessage());
        java.util.List<Layer> withNull = new java.util.ArrayList<>(List.of(new Dense(3)));
        withNull.add(null);
        assertEquals("Model.build: the list of layers holds null at 1", assertThrows(IllegalArgumentException.class, () -> Model.build(withNull, Shape.of(5), ctx)).getMessage());
    }
}
