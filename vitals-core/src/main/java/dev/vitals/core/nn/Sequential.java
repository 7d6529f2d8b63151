package dev.vitals.core.nn;

import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;

import java.util.List;

/** Layers applied one after another. The body of a model and of a residual block. */
public class Sequential extends Layer {
    private final List<Layer> layers;
    /**
     * The first layer with parameters. Below it nothing needs a gradient, so unless the caller asks
     * for the input's gradient, the backward pass stops there: an MLP behind a flatten would
     * otherwise compute its first layer's input gradient (a third of that layer's products) for
     * nothing.
     */
    private int firstTrained;

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
            } catch (IllegalArgumentException e) {
                throw new ShapeException(l, s, e.getMessage());
            }
        }
        firstTrained = 0;
        while (firstTrained < layers.size() && layers.get(firstTrained).parameters().isEmpty()) firstTrained++;
        return s;
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        Tensor h = x;
        for (Layer l : layers) h = l.forward(h, mode);
        lastOutput = h;
        return h;
    }

    /** Index of the first layer with parameters (the size when none has): the backward pass ends there. */
    public int firstTrained() { return firstTrained; }

    @Override
    public Tensor backward(Tensor gradOutput, boolean needInputGrad) {
        Tensor g = gradOutput;
        int last = needInputGrad ? 0 : firstTrained;
        for (int i = layers.size() - 1; i >= 0; i--) {
            Layer l = layers.get(i);
            l.lastGradOutput(g);
            g = i >= last ? l.backward(g, i > last || needInputGrad) : null;
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
