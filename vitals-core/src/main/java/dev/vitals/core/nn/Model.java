package dev.vitals.core.nn;

import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A built network: layers with their parameters, for a fixed per-example input shape. Layers are
 * named {@code layers.0}, {@code layers.1}, ...; their parameters {@code layers.0.weight} and so on.
 */
public final class Model {
    private final Sequential body;
    private final Shape inputShape;
    private final Shape outputShape;
    private final List<Parameter> parameters;

    private Model(Sequential body, Shape inputShape, Shape outputShape) {
        this.body = body;
        this.inputShape = inputShape;
        this.outputShape = outputShape;
        this.parameters = List.copyOf(body.parameters());
    }

    /**
     * Builds the layers for {@code input}. Throws {@link Sequential.ShapeException} naming the
     * first layer whose input shape does not work.
     */
    public static Model build(List<Layer> layers, Shape input, BuildContext ctx) {
        if (layers == null) throw new IllegalArgumentException("Model.build: no list of layers (null)");
        // (List.of's contains(null) throws: asked one by one)
        for (int i = 0; i < layers.size(); i++) if (layers.get(i) == null) throw new IllegalArgumentException("Model.build: the list of layers holds null at " + i);
        Sequential body = new Sequential(layers);
        List<Layer> ls = body.children();
        List<Layer> all = new ArrayList<>();
        collect(ls, all);
        // one object at two places would keep one place's buffers and one path, and its parameters
        // would be updated twice a step: the second place is refused (layers of the API user's own)
        java.util.IdentityHashMap<Layer, Boolean> seen = new java.util.IdentityHashMap<>();
        for (Layer l : all) {
            if (seen.put(l, true) != null) {
                throw new IllegalArgumentException("the same " + l.describe() + " object stands twice in the model; give each place a layer of its own (share weights through one Parameter)");
            }
        }
        for (int i = 0; i < ls.size(); i++) ls.get(i).path("layers." + i);
        Shape out = body.build(input, ctx);
        java.util.IdentityHashMap<Tensor, Parameter> owners = new java.util.IdentityHashMap<>();
        for (Parameter p : body.parameters()) {
            Parameter first = owners.put(p.value(), p);
            if (first != null) {
                throw new IllegalArgumentException("parameters " + first.fullName() + " and " + p.fullName() + " hold the same tensor, which an optimizer would update twice; register it once");
            }
        }
        return new Model(body, input, out);
    }

    public Tensor forward(Tensor x, Mode mode) { return ran(x, body.forward(requireInput(x), mode)); }

    /**
     * The forward pass of a training step, whose {@link #backward} asks for no input gradient
     * ({@link Sequential#forwardStep}); {@code observed}: observers will read every layer's buffers.
     */
    public Tensor forwardStep(Tensor x, Mode mode, boolean observed) { return ran(x, body.forwardStep(requireInput(x), mode, observed)); }

    /** {@link #forwardStep} with the fused groups that round differently only when {@code inexactToo} ({@link Sequential#forwardStep(Tensor, Mode, boolean, boolean)}). */
    public Tensor forwardStep(Tensor x, Mode mode, boolean observed, boolean inexactToo) {
        return ran(x, body.forwardStep(requireInput(x), mode, observed, inexactToo));
    }

    /**
     * Backpropagates dLoss/dOutput, of the last forward pass's output shape; returns dLoss/dInput only
     * when asked (it costs a product).
     */
    public Tensor backward(Tensor gradOutput, boolean needInputGrad) {
        if (lastBatch < 0) throw new IllegalStateException("backward before any forward pass: there is nothing to backpropagate through");
        if (!Layer.fits(gradOutput, lastBatch, outputShape)) {
            throw new IllegalArgumentException("backward: dLoss/dOutput of " + java.util.Arrays.toString(gradOutput.shape()) + " for an output of "
                    + java.util.Arrays.toString(outputShape.withBatch(lastBatch)) + " (the last forward pass's)");
        }
        return body.backward(gradOutput, needInputGrad);
    }

    /** The batch of the last forward pass; -1 before any. */
    private int lastBatch = -1;

    private Tensor ran(Tensor x, Tensor y) {
        lastBatch = x.batch();
        return y;
    }

    /** An input of another shape than the model was built for fails here, named, not as an index out of bounds layers later. */
    private Tensor requireInput(Tensor x) {
        if (x.rank() == 0 || !Layer.fits(x, x.batch(), inputShape)) {
            throw new IllegalArgumentException("the model was built for inputs of " + inputShape + " per example, and was given "
                    + java.util.Arrays.toString(x.shape()) + " (batch first)");
        }
        return x;
    }

    public List<Layer> layers() { return body.children(); }

    /** The layers as one {@link Sequential}: how they run in groups, for a profile that times each group. */
    public Sequential body() { return body; }

    /** The first of {@link #layers()} with parameters; a training step's backward pass ends there. */
    public int firstTrained() { return body.firstTrained(); }

    /** Every layer, nested ones included, in forward order (a residual block before its body). */
    public List<Layer> allLayers() {
        List<Layer> out = new ArrayList<>();
        collect(body.children(), out);
        return out;
    }

    private static void collect(List<Layer> ls, List<Layer> out) {
        for (Layer l : ls) {
            out.add(l);
            collect(l.children(), out);
        }
    }

    public List<Parameter> parameters() { return parameters; }

    public long parameterCount() {
        long n = 0;
        for (Parameter p : parameters) n += p.size();
        return n;
    }

    public void zeroGrad() {
        for (Parameter p : parameters) p.zeroGrad();
    }

    public Shape inputShape() { return inputShape; }

    public Shape outputShape() { return outputShape; }

    /** The most values one array may hold: a batch's activations at any layer must fit in one. */
    public static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    /** The layer (nested ones included) whose output per example is the largest, or null for a model without layers. */
    public Layer largestOutput() {
        Layer best = null;
        java.util.ArrayDeque<Layer> todo = new java.util.ArrayDeque<>(layers());
        while (!todo.isEmpty()) {
            Layer l = todo.pop();
            if (l.outputShape() != null && (best == null || l.outputShape().size() > best.outputShape().size())) best = l;
            todo.addAll(l.children());
        }
        return best;
    }

    /** How many examples one forward pass can take before a layer's activations outgrow one array. */
    public int examplesPerForward() {
        long per = Math.max(inputShape.size(), largestOutput() == null ? 1 : largestOutput().outputShape().size());
        return (int) Math.min(Integer.MAX_VALUE, MAX_ARRAY / Math.max(1, per));
    }

    /** Parameters and buffers by full name, in a fixed order: what a checkpoint holds. */
    public Map<String, Tensor> state() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Parameter p : parameters) m.put(p.fullName(), p.value());
        m.putAll(body.buffers());
        return m;
    }

    /** Copies values from {@code state} into this model; names and shapes must match exactly. */
    public void load(Map<String, Tensor> state) {
        Map<String, Tensor> mine = state();
        for (String k : mine.keySet()) {
            if (!state.containsKey(k)) throw new IllegalArgumentException("missing tensor '" + k + "'");
        }
        for (String k : state.keySet()) {
            Tensor dst = mine.get(k);
            if (dst == null) throw new IllegalArgumentException("unexpected tensor '" + k + "' (this model has no such parameter)");
            Tensor src = state.get(k);
            if (!dst.sameShape(src)) {
                throw new IllegalArgumentException("tensor '" + k + "' has shape " + java.util.Arrays.toString(src.shape())
                        + " but the model expects " + java.util.Arrays.toString(dst.shape()));
            }
            dst.copyFrom(src);
        }
    }

    /** A deep copy of every parameter and buffer value (for restoring the best weights). */
    public Map<String, Tensor> snapshot() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        state().forEach((k, v) -> m.put(k, v.copy()));
        return m;
    }

    /** One line per layer: position, description, output shape, parameter count. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-10s %-28s %-16s %s%n", "layer", "kind", "output", "params"));
        sb.append(String.format("%-10s %-28s %-16s %s%n", "input", "", inputShape, ""));
        for (Layer l : allLayers()) {
            long n = 0;
            if (l.children().isEmpty()) for (Parameter p : l.parameters()) n += p.size();
            String pos = l.path().replace("layers.", "").replace(".block.", "/");
            sb.append(String.format("%-10s %-28s %-16s %s%n", pos, l.describe(), l.outputShape(), n == 0 ? "" : Long.toString(n)));
        }
        sb.append(String.format("%d parameters%n", parameterCount()));
        return sb.toString();
    }
}
