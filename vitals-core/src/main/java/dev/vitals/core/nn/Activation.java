package dev.vitals.core.nn;

import dev.vitals.core.kernel.Workers;
import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;

/**
 * An element-wise activation: the output has the input's shape. Large tensors are cut into ranges
 * computed on the worker threads ({@link Workers#split}); each value depends only on its own input,
 * so the result is the same however they are cut.
 */
public abstract class Activation extends Layer {
    protected Tensor input, out, gradIn;

    @Override
    protected Shape doBuild(Shape input, BuildContext ctx) { return input; }

    @Override
    public final Tensor forward(Tensor x, Mode mode) {
        beginForward(x);
        float[] xs = x.data(), y = out.data();
        Workers.split(x.size(), x.size(), (from, to) -> apply(xs, y, from, to));
        return out;
    }

    @Override
    public final Tensor backward(Tensor gy, boolean needInputGrad) {
        if (!needInputGrad) return null;
        beginBackward(gy.batch());
        float[] xs = input.data(), y = out.data(), g = gy.data(), gx = gradIn.data();
        Workers.split(gy.size(), gy.size(), (from, to) -> derivative(xs, y, g, gx, from, to));
        return gradIn;
    }

    /**
     * Takes {@code x} as the input of a forward pass whose output the caller then computes range by
     * range with {@link #forwardRange}; returns the output buffer. For a layer that runs this
     * activation in the same pass as its own work ({@link MaxPool#forwardAfter}).
     */
    final Tensor beginForward(Tensor x) {
        checkInput(x);
        input = x;
        out = Tensor.reuse(out, x.batch(), outputShape());
        lastOutput = out;
        return out;
    }

    /** Output values [from, to) of the forward pass begun by {@link #beginForward}. */
    final void forwardRange(int from, int to) { apply(input.data(), out.data(), from, to); }

    /** The input-gradient buffer of a backward pass over {@code batch} examples, computed by {@link #backwardRange}. */
    final Tensor beginBackward(int batch) {
        gradIn = Tensor.reuse(gradIn, batch, inputShape());
        return gradIn;
    }

    /** Input-gradient values [from, to) of the backward pass begun by {@link #beginBackward}, from dLoss/dOutput {@code gy}. */
    final void backwardRange(float[] gy, int from, int to) { derivative(input.data(), out.data(), gy, gradIn.data(), from, to); }

    /** y = f(x) for the values [from, to). */
    protected abstract void apply(float[] x, float[] y, int from, int to);

    /** gx = gy · f'(x) for the values [from, to), given both the input x and the output y of the forward pass. */
    protected abstract void derivative(float[] x, float[] y, float[] gy, float[] gx, int from, int to);

    /** Where the activation's slope vanishes: {@code none}, {@code negative} (ReLU) or {@code tails} (sigmoid, tanh). */
    public Saturation saturation() { return Saturation.NONE; }

    public enum Saturation { NONE, NEGATIVE, TAILS }

    public static final class ReLU extends Activation {
        @Override public String kind() { return "relu"; }

        @Override public Saturation saturation() { return Saturation.NEGATIVE; }

        @Override protected void apply(float[] x, float[] y, int from, int to) {
            for (int i = from; i < to; i++) y[i] = Math.max(x[i], 0f);
        }

        @Override protected void derivative(float[] x, float[] y, float[] gy, float[] gx, int from, int to) {
            // max(signum(x), 0) is the step function without a branch: the JIT vectorises it, while
            // a select on random signs mispredicts and runs about 20x slower
            for (int i = from; i < to; i++) gx[i] = gy[i] * Math.max(Math.signum(x[i]), 0f);
        }
    }

    public static final class LeakyReLU extends Activation {
        private final float slope;

        public LeakyReLU(float slope) {
            if (!(slope >= 0 && slope < 1)) throw new IllegalArgumentException("leaky_relu slope must be in [0, 1), not " + slope);
            this.slope = slope;
        }

        @Override public String kind() { return "leaky_relu"; }

        @Override public String describe() { return slope == 0.01f ? "leaky_relu" : "leaky_relu " + slope; }

        @Override public Saturation saturation() { return Saturation.NEGATIVE; }

        @Override protected void apply(float[] x, float[] y, int from, int to) {
            for (int i = from; i < to; i++) y[i] = Math.max(x[i], 0f) + slope * Math.min(x[i], 0f);
        }

        @Override protected void derivative(float[] x, float[] y, float[] gy, float[] gx, int from, int to) {
            float rest = 1f - slope;
            for (int i = from; i < to; i++) gx[i] = gy[i] * (slope + rest * Math.max(Math.signum(x[i]), 0f));
        }
    }

    /** GELU with the exact Gaussian CDF, {@code x·Φ(x)}, as PyTorch's default. */
    public static final class GELU extends Activation {
        private static final double INV_SQRT2 = 1 / Math.sqrt(2), INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

        @Override public String kind() { return "gelu"; }

        @Override protected void apply(float[] x, float[] y, int from, int to) {
            for (int i = from; i < to; i++) y[i] = (float) (x[i] * phi(x[i]));
        }

        @Override protected void derivative(float[] x, float[] y, float[] gy, float[] gx, int from, int to) {
            for (int i = from; i < to; i++) {
                double v = x[i];
                gx[i] = (float) (gy[i] * (phi(v) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v)));
            }
        }

        private static double phi(double v) { return 0.5 * MathUtil.erfc(-v * INV_SQRT2); }
    }

    public static final class Sigmoid extends Activation {
        @Override public String kind() { return "sigmoid"; }

        @Override public Saturation saturation() { return Saturation.TAILS; }

        @Override protected void apply(float[] x, float[] y, int from, int to) {
            for (int i = from; i < to; i++) y[i] = MathUtil.sigmoid(x[i]);
        }

        @Override protected void derivative(float[] x, float[] y, float[] gy, float[] gx, int from, int to) {
            for (int i = from; i < to; i++) gx[i] = gy[i] * y[i] * (1f - y[i]);
        }
    }

    public static final class Tanh extends Activation {
        @Override public String kind() { return "tanh"; }

        @Override public Saturation saturation() { return Saturation.TAILS; }

        @Override protected void apply(float[] x, float[] y, int from, int to) {
            for (int i = from; i < to; i++) y[i] = (float) Math.tanh(x[i]);
        }

        @Override protected void derivative(float[] x, float[] y, float[] gy, float[] gx, int from, int to) {
            for (int i = from; i < to; i++) gx[i] = gy[i] * (1f - y[i] * y[i]);
        }
    }
}
