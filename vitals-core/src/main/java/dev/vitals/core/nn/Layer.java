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
 * reused between steps, so a caller must not keep a returned tensor past the next call. A tensor's
 * array may be longer than the tensor (a short last batch views a larger buffer): loop to its size.
 * A layer that draws random numbers implements {@link Stochastic}. The model holds every layer to the
 * shapes of this contract as it runs it ({@link LayerContractException}).
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
     * The share of its input's positions that some output reads, once built: 1 for a layer that reads
     * all of them; less for a window layer whose stride steps over positions (a 3x3 convolution with
     * stride 20 on 14x14 images reads 9 of 196, and no weight can learn from the rest).
     */
    public double inputCoverage() { return 1; }

    /** The positions of a side of {@code size} that windows of {@code kernel} at {@code stride}, {@code padding} and {@code outputs} cover. */
    protected static int covered(int size, int kernel, int stride, int padding, int outputs) {
        int n = 0, reachedTo = -1;
        for (int i = 0; i < outputs; i++) {
            int from = Math.max(Math.max(0, i * stride - padding), reachedTo + 1), to = Math.min(size - 1, i * stride - padding + kernel - 1);
            if (to >= from) n += to - from + 1;
            reachedTo = Math.max(reachedTo, to);
        }
        return n;
    }

    /**
     * Creates the parameters for this input shape and returns the output shape. Throws
     * {@link IllegalArgumentException} when the input shape cannot work, saying why.
     */
    public final Shape build(Shape input, BuildContext ctx) {
        this.inputShape = input;
        this.outputShape = doBuild(input, ctx);
        if (outputShape == null) throw new IllegalStateException(describe() + ": doBuild returned null; expected the output shape per example (Shape.of(...), or the input's)");
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

    /**
     * {@code out}, the forward output for a batch of {@code batch}, kept as {@link #lastOutput()} for
     * observers, once it has the shape {@link #doBuild} declared: a layer of the user's own that returns
     * another shape is named here, not by the layer after it or by a loss reading past an array's end.
     */
    final Tensor output(Tensor out, int batch) {
        if (outputShape != null && !fits(out, batch, outputShape)) {
            throw new LayerContractException(this, "forward returned " + shapeOf(out) + " for a batch of " + batch + " where its build declared [batch, " + outputShape.toString().substring(1));
        }
        lastOutput = out;
        return out;
    }

    /** {@code g}, the input gradient backward returned, once it has the input's shape (when asked for: null is allowed otherwise). */
    final Tensor inputGradient(Tensor g, int batch, boolean needInputGrad) {
        if (needInputGrad && inputShape != null && !fits(g, batch, inputShape)) {
            throw new LayerContractException(this, "backward returned an input gradient of " + shapeOf(g) + " for an input of [" + batch + ", " + inputShape.toString().substring(1));
        }
        return g;
    }

    /** Whether {@code t} is a batch of {@code batch} examples of shape {@code s}. */
    static boolean fits(Tensor t, int batch, Shape s) {
        if (t == null || t.rank() != s.rank() + 1 || t.dim(0) != batch) return false;
        for (int i = 0; i < s.rank(); i++) if (t.dim(i + 1) != s.dim(i)) return false;
        return true;
    }

    private static String shapeOf(Tensor t) { return t == null ? "null" : java.util.Arrays.toString(t.shape()); }

    /**
     * A layer broke the contract above: the output or gradient it returned does not have the shape it
     * must, its forward pass changed its input, or two forward passes over one input differed.
     */
    public static final class LayerContractException extends IllegalStateException {
        private final boolean wrong;

        LayerContractException(Layer l, String what) { this(l.describe() + " at " + l.path() + ": " + what, true); }

        LayerContractException(String message, boolean wrong) {
            super(message);
            this.wrong = wrong;
        }

        /**
         * False where the layer may compute correctly but cannot be checked: a forward pass that draws
         * random numbers without {@link Stochastic}, so that no two evaluations see the same function.
         */
        public boolean wrong() { return wrong; }
    }

    protected final Parameter addParameter(String name, Tensor value) {
        for (Parameter q : own) {
            if (q.name().equals(name)) throw new IllegalArgumentException(describe() + ": a second parameter named '" + name + "'; each needs a name of its own");
            if (q.value() == value) throw new IllegalArgumentException(describe() + ": parameter '" + name + "' holds the tensor of '" + q.name() + "'; an optimizer would update it twice");
        }
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
