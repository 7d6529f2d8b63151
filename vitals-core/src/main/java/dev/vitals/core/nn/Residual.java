package dev.vitals.core.nn;

import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;

import java.util.List;

/** {@code y = x + body(x)}: the body must keep the shape of its input. */
public final class Residual extends Layer {
    private final Sequential body;
    private Tensor out, gradIn;

    public Residual(List<Layer> layers) {
        if (layers.isEmpty()) throw new IllegalArgumentException("residual needs at least one layer in its block");
        this.body = new Sequential(layers);
    }

    @Override public String kind() { return "residual"; }

    @Override public String describe() {
        int n = body.children().size();
        return "residual (" + n + (n == 1 ? " layer)" : " layers)");
    }

    @Override public List<Layer> children() { return body.children(); }

    @Override
    protected Shape doBuild(Shape input, BuildContext ctx) {
        Shape s = body.build(input, ctx);
        if (!s.equals(input)) {
            throw new IllegalArgumentException("residual block maps " + input + " to " + s
                    + "; its output must have the shape of its input to be added to it");
        }
        return input;
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        checkInput(x);
        Tensor f = body.forward(x, mode);
        out = Tensor.reuse(out, x.batch(), outputShape());
        float[] xs = x.data(), fs = f.data(), y = out.data();
        for (int i = 0; i < x.size(); i++) y[i] = xs[i] + fs[i];
        lastOutput = out;
        return out;
    }

    @Override
    public Tensor backward(Tensor gy, boolean needInputGrad) {
        // The body needs its input gradient even if ours is not wanted: its parameters depend on it only through gy.
        Tensor gBody = body.backward(gy, needInputGrad);
        if (!needInputGrad) return null;
        gradIn = Tensor.reuse(gradIn, gy.batch(), inputShape());
        float[] a = gy.data(), c = gBody.data(), gx = gradIn.data();
        for (int i = 0; i < gy.size(); i++) gx[i] = a[i] + c[i];
        return gradIn;
    }
}
