package dev.vitals.core.nn;

import dev.vitals.core.tensor.Tensor;

/**
 * A trainable tensor and the gradient that backward passes accumulate into it. Backward adds to
 * {@link #grad()}; clearing it between steps is the trainer's job (as {@code zero_grad} in PyTorch).
 */
public final class Parameter {
    private final String name;
    private final Tensor value;
    private final Tensor grad;
    private Layer owner;

    public Parameter(String name, Tensor value) {
        this.name = name;
        this.value = value;
        this.grad = Tensor.zeros(value.shape());
    }

    /** Short name within its layer: {@code weight}, {@code bias}, {@code gamma}, {@code beta}. */
    public String name() { return name; }

    /** Name within the model, e.g. {@code layers.2.bias}. */
    public String fullName() { return owner == null || owner.path().isEmpty() ? name : owner.path() + "." + name; }

    public Tensor value() { return value; }

    public Tensor grad() { return grad; }

    public Layer owner() { return owner; }

    void owner(Layer layer) { this.owner = layer; }

    public int size() { return value.size(); }

    public void zeroGrad() { grad.fill(0f); }
}
