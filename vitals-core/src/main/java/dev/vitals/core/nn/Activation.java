package dev.vitals.core.nn;

import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;

/** An element-wise activation: the output has the input's shape. */
public abstract class Activation extends Layer {
    protected Tensor input, out, gradIn;

    @Override
    protected Shape doBuild(Shape input, BuildContext ctx) { return input; }

    @Override
    public final Tensor forward(Tensor x, Mode mode) {
        checkInput(x);
        input = x;
        out = Tensor.reuse(out, x.batch(), outputShape());
        apply(x.data(), out.data(), x.size());
        lastOutput = out;
        return out;
    }

    @Override
    public final Tensor backward(Tensor gy, boolean needInputGrad) {
        if (!needInputGrad) return null;
        gradIn = Tensor.reuse(gradIn, gy.batch(), inputShape());
        derivative(input.data(), out.data(), gy.data(), gradIn.data(), gy.size());
        return gradIn;
    }

    /** y = f(x) for the first n values. */
    protected abstract void apply(float[] x, float[] y, int n);

    /** gx = gy · f'(x), given both the input x and the output y of the forward pass. */
    protected abstract void derivative(float[] x, float[] y, float[] gy, float[] gx, int n);

    /** Where the activation's slope vanishes: {@code none}, {@code negative} (ReLU) or {@code tails} (sigmoid, tanh). */
    public Saturation saturation() { return Saturation.NONE; }

    public enum Saturation { NONE, NEGATIVE, TAILS }

    public static final class ReLU extends Activation {
        @Override public String kind() { return "relu"; }

        @Override public Saturation saturation() { return Saturation.NEGATIVE; }

        @Override protected void apply(float[] x, float[] y, int n) {
            for (int i = 0; i < n; i++) y[i] = Math.max(x[i], 0f);
        }

        @Override protected void derivative(float[] x, float[] y, float[] gy, float[] gx, int n) {
            // max(signum(x), 0) is the step function without a branch: the JIT vectorises it, while
            // a select on random signs mispredicts and runs about 20x slower
            for (int i = 0; i < n; i++) gx[i] = gy[i] * Math.max(Math.signum(x[i]), 0f);
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

        @Override protected void apply(float[] x, float[] y, int n) {
            for (int i = 0; i < n; i++) y[i] = Math.max(x[i], 0f) + slope * Math.min(x[i], 0f);
        }

        @Override protected void derivative(float[] x, float[] y, float[] gy, float[] gx, int n) {
            float rest = 1f - slope;
            for (int i = 0; i < n; i++) gx[i] = gy[i] * (slope + rest * Math.max(Math.signum(x[i]), 0f));
        }
    }

    /** GELU with the exact Gaussian CDF, {@code x·Φ(x)}, as PyTorch's default. */
    public static final class GELU extends Activation {
        private static final double INV_SQRT2 = 1 / Math.sqrt(2), INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

        @Override public String kind() { return "gelu"; }

        @Override protected void apply(float[] x, float[] y, int n) {
            for (int i = 0; i < n; i++) y[i] = (float) (x[i] * phi(x[i]));
        }

        @Override protected void derivative(float[] x, float[] y, float[] gy, float[] gx, int n) {
            for (int i = 0; i < n; i++) {
                double v = x[i];
                gx[i] = (float) (gy[i] * (phi(v) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v)));
            }
        }

        private static double phi(double v) { return 0.5 * MathUtil.erfc(-v * INV_SQRT2); }
    }

    public static final class Sigmoid extends Activation {
        @Override public String kind() { return "sigmoid"; }

        @Override public Saturation saturation() { return Saturation.TAILS; }

        @Override protected void apply(float[] x, float[] y, int n) {
            for (int i = 0; i < n; i++) y[i] = MathUtil.sigmoid(x[i]);
        }

        @Override protected void derivative(float[] x, float[] y, float[] gy, float[] gx, int n) {
            for (int i = 0; i < n; i++) gx[i] = gy[i] * y[i] * (1f - y[i]);
        }
    }

    public static final class Tanh extends Activation {
        @Override public String kind() { return "tanh"; }

        @Override public Saturation saturation() { return Saturation.TAILS; }

        @Override protected void apply(float[] x, float[] y, int n) {
            for (int i = 0; i < n; i++) y[i] = (float) Math.tanh(x[i]);
        }

        @Override protected void derivative(float[] x, float[] y, float[] gy, float[] gx, int n) {
            for (int i = 0; i < n; i++) gx[i] = gy[i] * (1f - y[i] * y[i]);
        }
    }
}
