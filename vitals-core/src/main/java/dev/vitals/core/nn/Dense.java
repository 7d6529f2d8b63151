package dev.vitals.core.nn;

import dev.vitals.core.kernel.Gemm;
import dev.vitals.core.kernel.Kernels;
import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;

/**
 * Fully connected layer, {@code y = x Wᵀ + b}, with W stored [out, in] as in PyTorch.
 * Input must be a flat vector per example (put a {@code flatten} before it for images).
 */
public final class Dense extends Layer {
    private final int units;
    private Parameter weight, bias;
    private int in;
    private boolean wrongBiasGrad, mixedBatch;
    private Tensor input, mixed, out, gradIn, mixedGrad;

    public Dense(int units) {
        if (units <= 0) throw new IllegalArgumentException("dense needs a positive number of units, not " + units);
        this.units = units;
    }

    @Override public String kind() { return "dense"; }

    @Override public String describe() { return "dense " + units; }

    public int units() { return units; }

    public Parameter weight() { return weight; }

    public Parameter bias() { return bias; }

    @Override
    protected Shape doBuild(Shape input, BuildContext ctx) {
        if (input.rank() != 1) {
            throw new IllegalArgumentException("dense needs a flat input per example but gets " + input
                    + "; add a 'flatten' layer before it");
        }
        in = input.dim(0);
        weight = addParameter("weight", Tensor.zeros(units, in));
        bias = addParameter("bias", Tensor.zeros(units));
        ctx.init().fillWeights(weight.value().data(), units * in, in, units, ctx.rng());
        ctx.init().fillBias(bias.value().data(), units, in, ctx.rng());
        wrongBiasGrad = ctx.claim(Fault.WRONG_BIAS_GRAD);
        mixedBatch = ctx.claim(Fault.MIXED_BATCH);
        return Shape.of(units);
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        checkInput(x);
        int b = x.batch();
        if (mixedBatch) {
            mixed = Tensor.reuse(mixed, b, inputShape());
            MixedBatchReshape.forward(x.data(), mixed.data(), b, in);
            x = mixed;
        }
        input = x;
        out = Tensor.reuse(out, b, outputShape());
        float[] y = out.data(), bv = bias.value().data();
        for (int i = 0; i < b; i++) System.arraycopy(bv, 0, y, i * units, units);
        Kernels.gemm().sgemm(false, true, b, units, in, 1f, x.data(), 0, in, weight.value().data(), 0, in, 1f, y, 0, units);
        lastOutput = out;
        return out;
    }

    @Override
    public Tensor backward(Tensor gy, boolean needInputGrad) {
        int b = gy.batch();
        Gemm gemm = Kernels.gemm();
        float[] g = gy.data();
        // dW[out, in] += gyᵀ · x
        gemm.sgemm(true, false, units, in, b, 1f, g, 0, units, input.data(), 0, in, 1f, weight.grad().data(), 0, in);
        float[] db = bias.grad().data();
        if (wrongBiasGrad) {
            // The bug: reduce over every axis (np.sum(d_z) without axis=0) and broadcast the total.
            double total = 0;
            for (int i = 0; i < b * units; i++) total += g[i];
            for (int j = 0; j < units; j++) db[j] += (float) total;
        } else {
            for (int i = 0; i < b; i++) {
                int row = i * units;
                for (int j = 0; j < units; j++) db[j] += g[row + j];
            }
        }
        if (!needInputGrad) return null;
        gradIn = Tensor.reuse(gradIn, b, inputShape());
        float[] target = gradIn.data();
        if (mixedBatch) {
            mixedGrad = Tensor.reuse(mixedGrad, b, inputShape());
            target = mixedGrad.data();
        }
        // dx[b, in] = gy · W
        gemm.sgemm(false, false, b, in, units, 1f, g, 0, units, weight.value().data(), 0, in, 0f, target, 0, in);
        if (mixedBatch) MixedBatchReshape.backward(target, gradIn.data(), b, in);
        return gradIn;
    }
}
