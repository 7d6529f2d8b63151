package dev.vitals.core.nn;

import dev.vitals.core.kernel.Workers;
import dev.vitals.core.tensor.Tensor;

/**
 * A convolution computed by Winograd's transforms, the ReLU after it and a 2x2 max pooling after
 * that, in a training step. Forward, ReLU and the pooling are applied as the convolution's output
 * tiles are transformed back (each 2x2 tile is a pooling window), so the convolution's and ReLU's
 * outputs are neither written nor read back, nor turned from channels-last into the layer's layout
 * ({@link Conv2d#forwardPooled}); the values are the three layers' own, bit for bit. Backward, the
 * convolution's output gradient is nonzero only at each window's maximum, where ReLU passed it:
 * <ul>
 * <li>in whole training runs ({@code inexactToo}, from {@code Trainer.fusedFrom}), the convolution's
 * gradients are summed from those values alone ({@link Conv2d#backwardPooled}, a quarter of the
 * dense products' work or less), which differs from the layers' own backward pass by rounding; an
 * observed step computes them the same way, and fills the layers' buffers besides, so observers
 * change no number;
 * <li>otherwise the pooled gradient goes straight to the convolution's output gradient and the
 * convolution's own backward pass follows: the layers' own values, bit for bit, so any training step
 * (the doctor's probes included) takes this.
 * </ul>
 * A batch with a NaN among the convolution's outputs (NaN's rules for the pooling's index and ReLU's
 * gradient need the outputs themselves) runs the three layers one after another, and so does an
 * observed step outside whole training runs.
 */
final class WinogradReluPool extends FusedGroup {
    private Tensor gradConv;
    /** Whether the backward pass sums from the nonzero output gradients alone ({@link Conv2d#backwardPooled}), and whether the step is observed. */
    private boolean sparse, observed;

    private WinogradReluPool(Conv2d conv, Activation relu, MaxPool pool) { super(conv, relu, pool); }

    /** The group of layers a, b, c when they are a convolution computed by Winograd's transforms, a ReLU and a 2x2 max pooling, built; else null. */
    static WinogradReluPool of(Layer a, Layer b, Layer c) {
        if (!(a instanceof Conv2d conv && b instanceof Activation.ReLU relu && c instanceof MaxPool pool)) return null;
        return conv.winograd() && pool.size() == 2 ? new WinogradReluPool(conv, relu, pool) : null;
    }

    @Override
    Tensor forwardStep(Tensor x, Mode mode, boolean observed, boolean inexactToo) {
        if (observed && !inexactToo) return forwardLayers(x, mode);
        float[] y = pool.begin(x.batch());
        if (!conv.forwardPooled(x, y, pool.argmax())) return forwardLayers(x, mode);
        fused = true;
        sparse = inexactToo;
        this.observed = observed;
        // the layers' buffers for the observers: the same values, the pooled ones and their indices included
        if (observed) pool.forwardAfter(relu, conv.forward(x, mode), mode);
        return pool.lastOutput();
    }

    /**
     * In whole training runs, {@link Conv2d#backwardPooled}. Otherwise the convolution's output
     * gradient is written out: zero but at each window's maximum, where it is the pooled gradient
     * times ReLU's slope there: {@code max(signum(x), 0)} of the convolution's output x,
     * which is that of the pooled value (ReLU's output at the maximum) for every x but NaN, which
     * never reaches this pass. {@code 0f + g} as the pooling's own pass adds it to zero (a -0
     * gradient becomes +0), so the values are the layers' own bit for bit.
     */
    @Override
    Tensor backwardStep(Tensor g, boolean needInputGrad) {
        if (sparse) {
            if (observed) conv.lastGradOutput(pool.backwardThrough(relu, g));
            return conv.backwardPooled(g, pool.lastOutput().data(), pool.argmax(), needInputGrad);
        }
        int b = g.batch(), in = conv.outputShape().size() / conv.filters(), outs = pool.outputShape().size() / conv.filters();
        gradConv = Tensor.reuse(gradConv, b, conv.outputShape());
        float[] gs = g.data(), y = pool.lastOutput().data(), gz = gradConv.data();
        int[] argmax = pool.argmax();
        Workers.split(b * conv.filters(), gradConv.size(), (from, to) -> {
            java.util.Arrays.fill(gz, from * in, to * in, 0f);
            for (int o = from * outs, e = to * outs; o < e; o++) gz[argmax[o]] = (0f + gs[o]) * Math.max(Math.signum(y[o]), 0f);
        });
        conv.lastGradOutput(gradConv);
        return conv.backward(gradConv, needInputGrad);
    }
}
