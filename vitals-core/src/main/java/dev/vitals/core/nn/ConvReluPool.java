package dev.vitals.core.nn;

import dev.vitals.core.kernel.ConvPool;
import dev.vitals.core.kernel.Passes;
import dev.vitals.core.kernel.Workers;
import dev.vitals.core.tensor.Tensor;

/**
 * A model's first convolution, the ReLU after it and a 2x2 max pooling after that, run as one
 * pass in training steps ({@link ConvPool}): the convolution's and ReLU's outputs, the largest
 * tensors of an image CNN, are neither written nor read back. Only a training step's forward and
 * backward pass take it ({@link Sequential#forwardStep}, in whole training runs after their first
 * thousand steps: {@code Trainer.fusedFrom}); anything else (evaluation, the doctor's probes and its gradient check)
 * runs the three layers one after another.
 *
 * <p>A training step computes the same values whether it is observed or not: on an observed step
 * the fused pass still gives the outputs and the weight gradients, and the three layers' buffers,
 * which observers read, are filled besides: the convolution's output by {@link ConvPool#convolve}
 * (each value as the fused pass computes it) and ReLU's output by ReLU's own pass, and backward the
 * pooling's and ReLU's input gradients.
 * The convolution's values differ from its own pass's (an unfolded product) by rounding only.
 */
final class ConvReluPool extends FusedGroup {
    private final ConvPool kernel;
    /** The batch's examples as shifted planes (written forward, read backward). */
    private float[] shifted = new float[0];
    /** Per part: the weight and bias gradients' lane sums, and their totals. */
    private float[][] lanes = new float[0][], sums = new float[0][];
    /** Whether the last forward pass was observed. */
    private boolean observed;

    private ConvReluPool(Conv2d conv, Activation relu, MaxPool pool) {
        super(conv, relu, pool);
        this.kernel = new ConvPool(conv.inputShape().dim(0), conv.inputShape().dim(1), conv.inputShape().dim(2),
                conv.kernel(), conv.padding(), conv.filters());
    }

    /**
     * The group of layers a, b, c when they are a stride-1 convolution of few taps
     * ({@link ConvPool#fits}), a ReLU and a 2x2 max pooling, built; else null.
     */
    static ConvReluPool of(Layer a, Layer b, Layer c) {
        if (!(a instanceof Conv2d conv && b instanceof Activation.ReLU relu && c instanceof MaxPool pool)) return null;
        if (conv.stride() != 1 || pool.size() != 2 || !ConvPool.fits(conv.inputShape().dim(0), conv.kernel())) return null;
        return new ConvReluPool(conv, relu, pool);
    }

    /**
     * The fused forward pass of a training step, only with {@code inexactToo} (the convolution sums
     * in another order than the layer's); returns the pooling's output. {@code observed}: also fill
     * the convolution's and ReLU's outputs.
     */
    @Override
    Tensor forwardStep(Tensor x, Mode mode, boolean observed, boolean inexactToo) {
        if (!inexactToo) return forwardLayers(x, mode);
        conv.checkInput(x);
        fused = true;
        this.observed = observed;
        int b = x.batch(), parts = Conv2d.parts(b), inSize = x.exampleSize(), per = kernel.shiftedFloats();
        int zSize = conv.outputShape().size(), ySize = pool.outputShape().size();
        if (shifted.length < b * per) shifted = new float[b * per];
        float[] xs = x.data(), y = pool.begin(b), wt = conv.weight().value().data(), bs = conv.bias().value().data();
        int[] argmax = pool.argmax();
        float[] sh = shifted;
        boolean vector = Passes.vectorSoon((long) b * ySize * 4 * kernel.taps());
        Workers.runParts(b, parts, share(b), (part, from, to) -> {
            for (int i = from; i < to; i++) {
                kernel.shift(xs, i * inSize, sh, i * per);
                kernel.forward(sh, i * per, wt, bs, y, i * ySize, argmax, i * zSize, vector);
            }
        });
        if (observed) {
            float[] z = conv.beginOutput(x).data();
            Workers.runParts(b, parts, share(b), (part, from, to) -> {
                for (int i = from; i < to; i++) kernel.convolve(xs, i * inSize, wt, bs, z, i * zSize);
            });
            // ReLU's output (the pooling's, and its indices, are the fused pass's)
            relu.forward(conv.lastOutput(), mode);
        }
        return pool.lastOutput();
    }

    /** A training step computes no input gradient for its first trained layer: this pass gives none. */
    @Override
    Tensor backwardStep(Tensor g, boolean needInputGrad) {
        if (needInputGrad) throw new IllegalStateException("a training step's fused pass gives no input gradient");
        backward(g);
        return null;
    }

    /**
     * The fused backward pass from dLoss/d(pooled output) {@code g}: adds the convolution's weight
     * and bias gradients. After an observed forward pass, also fills the pooling's and ReLU's input
     * gradients (the gradients that reached ReLU and the convolution).
     */
    void backward(Tensor g) {
        int b = g.batch(), parts = Conv2d.parts(b), per = kernel.shiftedFloats(), sumFloats = kernel.sumFloats();
        int zSize = conv.outputShape().size(), ySize = pool.outputShape().size();
        if (lanes.length < parts) {
            lanes = java.util.Arrays.copyOf(lanes, parts);
            sums = java.util.Arrays.copyOf(sums, parts);
        }
        for (int q = 0; q < parts; q++) {
            if (lanes[q] == null) {
                lanes[q] = new float[kernel.laneFloats()];
                sums[q] = new float[sumFloats / ConvPool.CW];
            }
        }
        float[] gs = g.data(), y = pool.lastOutput().data(), sh = shifted;
        int[] argmax = pool.argmax();
        boolean vector = Passes.vectorSoon((long) b * ySize * 4 * kernel.taps());
        Workers.runParts(b, parts, share(b), (part, from, to) -> {
            float[] ln = lanes[part];
            // the sums only: the scratch after them is written before it is read
            java.util.Arrays.fill(ln, 0, sumFloats, 0f);
            for (int i = from; i < to; i++) kernel.backward(sh, i * per, gs, y, argmax, i * ySize, i * zSize, ln, vector);
            kernel.reduceLanes(ln, sums[part]);
        });
        // the parts' sums in part order: the result does not depend on who computed a part
        float[] dw = conv.weight().grad().data(), db = conv.bias().grad().data();
        int taps = kernel.taps();
        for (int f = 0; f < conv.filters(); f++) {
            for (int t = 0; t <= taps; t++) {
                float s = sums[0][f * (taps + 1) + t];
                for (int q = 1; q < parts; q++) s += sums[q][f * (taps + 1) + t];
                if (t < taps) dw[f * taps + t] += s;
                else db[f] += s;
            }
        }
        if (observed) {
            conv.lastGradOutput(pool.backwardThrough(relu, g));
        }
    }

    /** Whether to hand a batch's parts to the worker threads (as {@link Conv2d} decides for its products). */
    private boolean share(int b) {
        return Conv2d.parallel && (long) b * conv.outputShape().size() * kernel.taps() >= Conv2d.PARALLEL_MIN_MACS;
    }
}
