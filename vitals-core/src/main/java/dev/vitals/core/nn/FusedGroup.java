package dev.vitals.core.nn;

import dev.vitals.core.tensor.Tensor;

/**
 * A convolution, the ReLU after it and a 2x2 max pooling after that, which the forward pass of a
 * training step ({@link Sequential#forwardStep}) may run as one pass; any other forward pass runs
 * the three layers one after another ({@link #forwardLayers}). The backward pass follows whichever
 * the last forward pass took.
 */
abstract sealed class FusedGroup permits ConvReluPool, WinogradReluPool {
    final Conv2d conv;
    final Activation relu;
    final MaxPool pool;
    /** Whether the last forward pass was fused (the backward pass must then be too). */
    boolean fused;

    FusedGroup(Conv2d conv, Activation relu, MaxPool pool) {
        this.conv = conv;
        this.relu = relu;
        this.pool = pool;
    }

    /**
     * The forward pass of a training step, fused where the group can; returns the pooling's output.
     * {@code observed}: the step's observers will read the three layers' outputs and gradients.
     * {@code inexactToo}: the step may also take fused passes whose values differ from the layers'
     * by rounding (whole training runs, from {@code Trainer.fusedFrom}); otherwise only those that
     * give the layers' own values bit for bit.
     */
    abstract Tensor forwardStep(Tensor x, Mode mode, boolean observed, boolean inexactToo);

    /**
     * The backward pass after a fused {@link #forwardStep}, from dLoss/d(pooled output); returns the
     * gradient of the group's input when {@code needInputGrad}.
     */
    abstract Tensor backwardStep(Tensor g, boolean needInputGrad);

    /** The three layers' own forward passes, one after another (ReLU and pooling plane by plane). */
    final Tensor forwardLayers(Tensor x, Mode mode) {
        fused = false;
        return pool.forwardAfter(relu, conv.forward(x, mode), mode);
    }

    /** The three layers' own backward passes, after {@link #forwardLayers}. */
    final Tensor backwardLayers(Tensor g, boolean needInputGrad) {
        Tensor gz = pool.backwardThrough(relu, g);
        conv.lastGradOutput(gz);
        return conv.backward(gz, needInputGrad);
    }
}
