package dev.vitals.core.nn;

import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;

import java.util.List;

/**
 * Layers applied one after another. The body of a model and of a residual block.
 *
 * <p>The layers run in groups: one layer, or an activation and the max pooling after it, which run
 * together plane by plane ({@link MaxPool#forwardAfter}) so that the pooling reads the activation's
 * output from the L1 cache. A group gives the same results and fills the same buffers as its layers
 * one after the other; the groups are public so that a profile can time them as training runs them.
 * A convolution followed by ReLU and 2x2 max pooling makes a group of three that a training step
 * ({@link #forwardStep}) runs as one fused pass ({@link FusedGroup}) when the convolution is the
 * first trained layer and has few channels ({@link ConvReluPool}), or when it runs by Winograd's
 * transforms ({@link WinogradReluPool}); any other forward pass runs those layers one after another.
 */
public class Sequential extends Layer {
    private final List<Layer> layers;
    /**
     * The first layer with parameters. Below it nothing needs a gradient, so unless the caller asks
     * for the input's gradient, the backward pass stops there: an MLP behind a flatten would
     * otherwise compute its first layer's input gradient (a third of that layer's products) for
     * nothing.
     */
    private int firstTrained;
    /** The first layer of each group, in order. */
    private int[] groupStarts = new int[0];
    /** The fused group that starts at a layer, or null (see the class comment). */
    private FusedGroup[] fusedAt = new FusedGroup[0];

    public Sequential(List<Layer> layers) {
        this.layers = List.copyOf(layers);
    }

    @Override public String kind() { return "sequential"; }

    @Override public List<Layer> children() { return layers; }

    @Override
    protected Shape doBuild(Shape input, BuildContext ctx) {
        Shape s = input;
        for (Layer l : layers) {
            try {
                s = l.build(s, ctx);
            } catch (ShapeException inner) {
                throw inner;  // raised inside a block: the layer inside is the one to name
            } catch (IllegalArgumentException e) {
                throw new ShapeException(l, s, e.getMessage());
            } catch (OutOfMemoryError e) {
                // one allocation larger than the heap (400,000 units on 5,000 inputs are 8 GB of
                // weights): nothing else was lost, so it is the model's size to name, at its layer
                throw new ShapeException(l, s, "ran out of memory allocating its parameters (the JVM may use "
                        + dev.vitals.core.Words.gib(Runtime.getRuntime().maxMemory())
                        + " in all); expected a smaller model, or a larger Java heap (-Xmx; for the vitals command, VITALS_JAVA_OPTS=-Xmx16g)");
            }
        }
        firstTrained = 0;
        while (firstTrained < layers.size() && layers.get(firstTrained).parameters().isEmpty()) firstTrained++;
        fusedAt = new FusedGroup[layers.size()];
        for (int i = firstTrained; i + 2 < layers.size(); i++) {
            Layer a = layers.get(i), b = layers.get(i + 1), c = layers.get(i + 2);
            // ConvReluPool only for the first trained layer: it computes no input gradient
            FusedGroup g = i == firstTrained ? ConvReluPool.of(a, b, c) : null;
            fusedAt[i] = g != null ? g : WinogradReluPool.of(a, b, c);
            if (fusedAt[i] != null) i += 2;
        }
        groupStarts = new int[layers.size()];
        int groups = 0;
        for (int i = 0; i < layers.size(); i = groupEnd(i)) groupStarts[groups++] = i;
        groupStarts = java.util.Arrays.copyOf(groupStarts, groups);
        return s;
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) { return forward(x, mode, Fusion.NONE, false); }

    /** Which fused groups a forward pass takes. */
    private enum Fusion { NONE, EXACT, ALL }

    /**
     * The forward pass of a training step, whose backward pass will ask for no input gradient: every
     * fused group runs as one pass. {@code observed}: the step's observers will read every layer's
     * output and gradient, so a fused group fills its layers' buffers too (or runs them one by one).
     */
    public Tensor forwardStep(Tensor x, Mode mode, boolean observed) { return forward(x, mode, Fusion.ALL, observed); }

    /**
     * {@link #forwardStep}, with the fused passes whose values differ from their layers' by rounding
     * ({@link ConvReluPool}; {@link WinogradReluPool}'s backward pass) taken only when {@code inexactToo}.
     */
    public Tensor forwardStep(Tensor x, Mode mode, boolean observed, boolean inexactToo) {
        return forward(x, mode, inexactToo ? Fusion.ALL : Fusion.EXACT, observed);
    }

    private Tensor forward(Tensor x, Mode mode, Fusion fusion, boolean observed) {
        Tensor h = x;
        for (int i : groupStarts) h = forwardGroup(i, h, mode, fusion, observed);
        lastOutput = h;
        return h;
    }

    /** Index of the first layer with parameters (the size when none has): the backward pass ends there. */
    public int firstTrained() { return firstTrained; }

    /** The fused group that starts at layer {@code i}, or null. */
    FusedGroup fusedGroup(int i) { return i < fusedAt.length ? fusedAt[i] : null; }

    /** The first layers of the groups, in order (see the class comment). */
    public int[] groupStarts() { return groupStarts.clone(); }

    /** The end (exclusive) of the group that starts at layer {@code i}. */
    public int groupEnd(int i) {
        if (i < fusedAt.length && fusedAt[i] != null) return i + 3;
        return i + 1 < layers.size() && layers.get(i) instanceof Activation && layers.get(i + 1) instanceof MaxPool ? i + 2 : i + 1;
    }

    /** The forward pass of the group that starts at layer {@code i}; returns its last layer's output. */
    public Tensor forwardGroup(int i, Tensor x, Mode mode) { return forwardGroup(i, x, mode, Fusion.NONE, false); }

    /**
     * The forward pass of the group that starts at layer {@code i}, as {@link #forwardStep} runs it
     * when {@code step}; returns its last layer's output.
     */
    public Tensor forwardGroup(int i, Tensor x, Mode mode, boolean step, boolean observed) {
        return forwardGroup(i, x, mode, step ? Fusion.ALL : Fusion.NONE, observed);
    }

    private Tensor forwardGroup(int i, Tensor x, Mode mode, Fusion fusion, boolean observed) {
        FusedGroup fused = fusedAt[i];
        if (fused != null) {
            return fusion == Fusion.NONE ? fused.forwardLayers(x, mode) : fused.forwardStep(x, mode, observed, fusion == Fusion.ALL);
        }
        if (groupEnd(i) == i + 1) return layers.get(i).output(layers.get(i).forward(x, mode), x.batch());
        return ((MaxPool) layers.get(i + 1)).forwardAfter((Activation) layers.get(i), x, mode);
    }

    /**
     * The backward pass of the group that starts at layer {@code i}, from dLoss/dOutput of its last
     * layer; records what reached each layer ({@link #lastGradOutput}) and returns the gradient of
     * the group's input (null unless {@code needInputGrad}).
     */
    public Tensor backwardGroup(int i, Tensor g, boolean needInputGrad) {
        FusedGroup fused = fusedAt[i];
        if (fused != null) {
            fused.pool.lastGradOutput(g);
            return fused.fused ? fused.backwardStep(g, needInputGrad) : fused.backwardLayers(g, needInputGrad);
        }
        Layer l = layers.get(i);
        if (groupEnd(i) == i + 1) {
            l.lastGradOutput(g);
            return l.inputGradient(l.backward(g, needInputGrad), g.batch(), needInputGrad);
        }
        MaxPool pool = (MaxPool) layers.get(i + 1);
        pool.lastGradOutput(g);
        if (needInputGrad) return pool.backwardThrough((Activation) l, g);
        Tensor gp = pool.backward(g, true);
        l.lastGradOutput(gp);
        return l.backward(gp, false);
    }

    @Override
    public Tensor backward(Tensor gradOutput, boolean needInputGrad) {
        Tensor g = gradOutput;
        int last = needInputGrad ? 0 : firstTrained;
        for (int k = groupStarts.length - 1; k >= 0; k--) {
            int i = groupStarts[k];
            if (i >= last) {
                g = backwardGroup(i, g, i > last || needInputGrad);
            } else {
                for (int j = i; j < groupEnd(i); j++) layers.get(j).lastGradOutput(g);
                g = null;
            }
        }
        return g;
    }

    /** A layer could not be built for the shape that reaches it. */
    public static final class ShapeException extends IllegalArgumentException {
        private final transient Layer layer;

        ShapeException(Layer layer, Shape input, String reason) {
            super(reason);
            this.layer = layer;
        }

        public Layer layer() { return layer; }
    }
}
