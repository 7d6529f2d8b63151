package dev.vitals.core.nn;

import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;

/**
 * Batch normalisation, per feature for flat inputs and per channel for images [C, H, W], as
 * PyTorch's BatchNorm1d/2d: training mode normalises with the batch's statistics and updates running
 * estimates (momentum 0.1, unbiased variance); evaluation mode uses the running estimates.
 */
public final class BatchNorm extends Layer {
    public static final double EPS = 1e-5, MOMENTUM = 0.1;
    private Parameter gamma, beta;
    private Tensor runningMean, runningVar;
    private int channels, spatial;
    private Tensor out, xhat, gradIn;
    private float[] invStd;
    private boolean lastTrain;

    @Override public String kind() { return "batchnorm"; }

    @Override
    protected Shape doBuild(Shape input, BuildContext ctx) {
        if (input.rank() != 1 && input.rank() != 3) {
            throw new IllegalArgumentException("batchnorm needs a flat input or an image [C, H, W] per example but gets " + input);
        }
        channels = input.dim(0);
        spatial = input.size() / channels;
        gamma = addParameter("weight", Tensor.zeros(channels));
        gamma.value().fill(1f);
        beta = addParameter("bias", Tensor.zeros(channels));
        runningMean = Tensor.zeros(channels);
        runningVar = Tensor.zeros(channels);
        runningVar.fill(1f);
        addBuffer("running_mean", runningMean);
        addBuffer("running_var", runningVar);
        invStd = new float[channels];
        return input;
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        checkInput(x);
        int b = x.batch();
        out = Tensor.reuse(out, b, outputShape());
        xhat = Tensor.reuse(xhat, b, outputShape());
        float[] xs = x.data(), y = out.data(), xh = xhat.data();
        float[] g = gamma.value().data(), bt = beta.value().data(), rm = runningMean.data(), rv = runningVar.data();
        lastTrain = mode == Mode.TRAIN;
        long m = (long) b * spatial;
        for (int c = 0; c < channels; c++) {
            double mean, var;
            if (lastTrain) {
                double s = 0;
                for (int i = 0; i < b; i++) {
                    int o = (i * channels + c) * spatial;
                    for (int k = 0; k < spatial; k++) s += xs[o + k];
                }
                mean = s / m;
                double ss = 0;
                for (int i = 0; i < b; i++) {
                    int o = (i * channels + c) * spatial;
                    for (int k = 0; k < spatial; k++) {
                        double d = xs[o + k] - mean;
                        ss += d * d;
                    }
                }
                var = ss / m;
                // one value (an epoch's last batch of one example) estimates no variance: the running
                // statistics keep what they had rather than drift towards a variance of 0, which
                // evaluation would then divide by (PyTorch refuses such a batch outright)
                if (m > 1) {
                    rm[c] = (float) ((1 - MOMENTUM) * rm[c] + MOMENTUM * mean);
                    rv[c] = (float) ((1 - MOMENTUM) * rv[c] + MOMENTUM * ss / (m - 1));
                }
            } else {
                mean = rm[c];
                var = rv[c];
            }
            float inv = (float) (1 / Math.sqrt(var + EPS));
            invStd[c] = inv;
            float mf = (float) mean, gc = g[c], bc = bt[c];
            for (int i = 0; i < b; i++) {
                int o = (i * channels + c) * spatial;
                for (int k = 0; k < spatial; k++) {
                    float h = (xs[o + k] - mf) * inv;
                    xh[o + k] = h;
                    y[o + k] = gc * h + bc;
                }
            }
        }
        lastOutput = out;
        return out;
    }

    @Override
    public Tensor backward(Tensor gy, boolean needInputGrad) {
        int b = gy.batch();
        float[] dy = gy.data(), xh = xhat.data(), g = gamma.value().data();
        float[] dg = gamma.grad().data(), db = beta.grad().data();
        float[] gx = null;
        if (needInputGrad) {
            gradIn = Tensor.reuse(gradIn, b, inputShape());
            gx = gradIn.data();
        }
        long m = (long) b * spatial;
        for (int c = 0; c < channels; c++) {
            double sumDy = 0, sumDyXh = 0;
            for (int i = 0; i < b; i++) {
                int o = (i * channels + c) * spatial;
                for (int k = 0; k < spatial; k++) {
                    sumDy += dy[o + k];
                    sumDyXh += dy[o + k] * xh[o + k];
                }
            }
            dg[c] += (float) sumDyXh;
            db[c] += (float) sumDy;
            if (gx == null) continue;
            float scale = g[c] * invStd[c];
            if (lastTrain) {
                float meanDy = (float) (sumDy / m), meanDyXh = (float) (sumDyXh / m);
                for (int i = 0; i < b; i++) {
                    int o = (i * channels + c) * spatial;
                    for (int k = 0; k < spatial; k++) gx[o + k] = scale * (dy[o + k] - meanDy - xh[o + k] * meanDyXh);
                }
            } else {
                for (int i = 0; i < b; i++) {
                    int o = (i * channels + c) * spatial;
                    for (int k = 0; k < spatial; k++) gx[o + k] = scale * dy[o + k];
                }
            }
        }
        return gradIn;
    }
}
