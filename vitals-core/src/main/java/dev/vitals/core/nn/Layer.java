package dev.vitals.core.nn;

import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One step of a model: a forward map and its backward pass. Tensors carry a batch dimension first;
 * shapes given to {@link #build} are per example.
 *
 * <p>Contract: {@code forward} keeps what {@code backward} needs; {@code backward} receives dLoss/dOutput,
 * <em>adds</em> the parameter gradients into {@link Parameter#grad()} and returns dLoss/dInput (or
 * null when {@code needInputGrad} is false). Output and gradient buffers are owned by the layer and
 * reused between steps, so a caller must not keep a returned tensor past the next call.
 */
public abstract class Layer {
    private String path = "";
    private Shape inputShape;
    private Shape outputShape;
    private final List<Parameter> own = new ArrayList<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    protected Tensor lastOutput;
    private Tensor lastGradOutput;

    /** The spec keyword of this layer: {@code dense}, {@code relu}, {@code conv2d}... */
    public abstract String kind();

    /** Kind and arguments as a spec would say them, e.g. {@code dense 128}. */
    public String describe() { return kind(); }

    /**
     * Creates the parameters for this input shape and returns the output shape. Throws
     * {@link IllegalArgumentException} when the input shape cannot work, saying why.
     */
    public final Shape build(Shape input, BuildContext ctx) {
        this.inputShape = input;
        this.outputShape = doBuild(input, ctx);
        return outputShape;
    }

    protected abstract Shape doBuild(Shape input, BuildContext ctx);

    public abstract Tensor forward(Tensor x, Mode mode);

    public abstract Tensor backward(Tensor gradOutput, boolean needInputGrad);

    /** Trainable parameters, this layer's and its children's, in a fixed order. */
    public List<Parameter> parameters() {
        if (children().isEmpty()) return Collections.unmodifiableList(own);
        List<Parameter> all = new ArrayList<>(own);
        for (Layer c : children()) all.addAll(c.parameters());
        return all;
    }

    /** Non-trainable state saved with the model (batch-norm running statistics), by full name. */
    public Map<String, Tensor> buffers() {
        Map<String, Tensor> all = new LinkedHashMap<>();
        buffers.forEach((k, v) -> all.put(path.isEmpty() ? k : path + "." + k, v));
        for (Layer c : children()) all.putAll(c.buffers());
        return all;
    }

    /** Layers nested inside this one (a residual block's body); empty for plain layers. */
    public List<Layer> children() { return List.of(); }

    /** Dotted position in the model, e.g. {@code layers.3}; set by the containing model. */
    public String path() { return path; }

    public void path(String p) {
        this.path = p;
        List<Layer> cs = children();
        for (int i = 0; i < cs.size(); i++) cs.get(i).path(p + ".block." + i);
    }

    public Shape inputShape() { return inputShape; }

    public Shape outputShape() { return outputShape; }

    /** The output of the last forward pass (a reused buffer), for observers. */
    public Tensor lastOutput() { return lastOutput; }

    /** dLoss/dOutput received by the last backward pass (a reused buffer), for observers. */
    public Tensor lastGradOutput() { return lastGradOutput; }

    void lastGradOutput(Tensor g) { this.lastGradOutput = g; }

    protected final Parameter addParameter(String name, Tensor value) {
        Parameter p = new Parameter(name, value);
        p.owner(this);
        own.add(p);
        return p;
    }

    protected final void addBuffer(String name, Tensor value) { buffers.put(name, value); }

    /** Fails unless {@code x} is a batch of this layer's input shape; names both shapes. */
    protected final void checkInput(Tensor x) {
        if (x.rank() != inputShape.rank() + 1 || x.exampleSize() != inputShape.size() && x.batch() > 0) {
            throw new IllegalArgumentException(describe() + " at " + path + ": expected input [batch, "
                    + inputShape.toString().substring(1) + " but got " + java.util.Arrays.toString(x.shape()));
        }
        for (int i = 0; i < inputShape.rank(); i++) {
            if (x.dim(i + 1) != inputShape.dim(i)) {
                throw new IllegalArgumentException(describe() + " at " + path + ": expected input [batch, "
                        + inputShape.toString().substring(1) + " but got " + java.util.Arrays.toString(x.shape()));
            }
        }
    }

    @Override public String toString() { return (path.isEmpty() ? "" : path + " ") + describe(); }
}
