package dev.vitals.bench;

import dev.vitals.core.data.Batch;
import dev.vitals.core.data.Dataset;
import dev.vitals.core.data.PreparedData;
import dev.vitals.core.data.Splits;
import dev.vitals.core.kernel.Gemm;
import dev.vitals.core.kernel.Kernels;
import dev.vitals.core.loss.TargetEncoding;
import dev.vitals.core.nn.Layer;
import dev.vitals.core.nn.Mode;
import dev.vitals.core.nn.Model;
import dev.vitals.core.nn.Sequential;
import dev.vitals.core.spec.Spec;
import dev.vitals.core.tensor.Tensor;
import dev.vitals.core.train.Experiment;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Where a training epoch's time goes: the trainer's step (batch, forward, loss, backward, optimizer)
 * written out with a clock around every layer's forward and backward, and a GEMM wrapper that charges
 * matrix-multiply time to the layer that called it. The layers' own time minus their GEMM time is
 * im2col/col2im, layout copies, bias, activations and pooling. The first epoch warms the JIT and is
 * not counted (unless it is the only one); the parts are means over the counted epochs. The
 * observed-step statistics the trainer adds on some steps are not included.
 * {@code SideBySide profile --workload cnn [--epochs 2] [--subset 6400,1000]}.
 */
final class StepProfile {
    private StepProfile() {}

    /**
     * Charges each call's time to the current slot. Products a layer runs on several threads at once
     * ({@link Gemm#onCallerThreads}) are charged their time divided by the threads sharing the work,
     * an estimate of their share of the wall clock when the threads are equally busy.
     */
    static final class TimedGemm implements Gemm {
        final Gemm inner;
        final java.util.concurrent.atomic.AtomicLongArray slots;
        volatile int current;

        TimedGemm(Gemm inner, int slots) {
            this.inner = inner;
            this.slots = new java.util.concurrent.atomic.AtomicLongArray(slots);
        }

        @Override
        public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                          float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
            long t0 = System.nanoTime();
            inner.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            slots.addAndGet(current, System.nanoTime() - t0);
        }

        @Override
        public void onCallerThreads(java.util.function.Consumer<Gemm> body) {
            int share = dev.vitals.core.kernel.Workers.threads();
            inner.onCallerThreads(g -> body.accept(new Gemm() {
                @Override
                public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                                  float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
                    long t0 = System.nanoTime();
                    g.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
                    slots.addAndGet(current, (System.nanoTime() - t0) / share);
                }

                @Override public String name() { return g.name(); }
            }));
        }

        @Override public String name() { return inner.name(); }
    }

    static void run(Spec spec, PreparedData data) {
        Experiment e = Experiment.of(spec, data);
        Model model = e.model();
        List<Layer> layers = model.layers();
        int nl = layers.size();
        // training runs the layers in groups (an activation and the pooling after it together)
        Sequential body = model.body();
        int[] groups = body.groupStarts();
        // slots: 0..nl-1 forward of the group starting at layer i, nl..2nl-1 its backward
        TimedGemm gemm = new TimedGemm(Kernels.gemm(), 2 * nl);
        Kernels.use(gemm);
        long[] layerTime = new long[2 * nl];
        long fill = 0, loss = 0, zero = 0, opt = 0, total = 0, last = 0;
        int counted = 0;
        Dataset train = data.train();
        int bs = spec.train().batch(), outputs = model.outputShape().size();
        Batch batch = new Batch(train.exampleShape(), Math.min(bs, train.size()), 0);
        int[] order = Splits.range(train.size());
        SplittableRandom rng = new SplittableRandom(1);
        Tensor grad = null;
        int epochs = spec.train().epochs();
        for (int epoch = 0; epoch < epochs; epoch++) {
            boolean counts = epoch > 0 || epochs == 1;
            if (epoch == 1) {
                java.util.Arrays.fill(layerTime, 0);
                for (int s = 0; s < gemm.slots.length(); s++) gemm.slots.set(s, 0);
                fill = loss = zero = opt = 0;
            }
            Splits.shuffle(order, rng);
            long e0 = System.nanoTime();
            for (int from = 0; from < train.size(); from += bs) {
                int n = Math.min(bs, train.size() - from);
                long t = System.nanoTime();
                batch.fill(train, order, from, n, null, outputs);
                long t1 = System.nanoTime();
                fill += t1 - t;
                if (from == 0 && epoch == 0) model.zeroGrad(); // later, the optimizer's pass clears them, as in the trainer
                long t2 = System.nanoTime();
                zero += t2 - t1;
                Tensor h = batch.x();
                for (int i : groups) {
                    gemm.current = i;
                    long a = System.nanoTime();
                    h = body.forwardGroup(i, h, Mode.TRAIN, true, false);
                    layerTime[i] += System.nanoTime() - a;
                }
                long t3 = System.nanoTime();
                grad = Tensor.reuse(grad, n, model.outputShape());
                e.loss().forward(h, batch.labels(), null, grad);
                long t4 = System.nanoTime();
                loss += t4 - t3;
                Tensor g = grad;
                for (int k = groups.length - 1; k >= 0 && groups[k] >= model.firstTrained(); k--) {
                    int i = groups[k];
                    gemm.current = nl + i;
                    long a = System.nanoTime();
                    g = body.backwardGroup(i, g, i > model.firstTrained());
                    layerTime[nl + i] += System.nanoTime() - a;
                }
                long t5 = System.nanoTime();
                e.optimizer().step(spec.optimizer().lr() > 0 ? (float) spec.optimizer().lr() : 1e-3f, null, true);
                opt += System.nanoTime() - t5;
            }
            last = System.nanoTime() - e0;
            if (counts) {
                total += last;
                counted++;
            } else {
                System.err.printf(Locale.ROOT, "epoch %d (warm-up): %.3f s%n", epoch + 1, last / 1e9);
            }
        }
        // every part is the mean over the counted epochs, so that the rows add up to the mean epoch
        double all = total, ms = 1e6 * counted;
        System.out.printf(Locale.ROOT, "Epoch profile, %s, %d training examples, batch %d, GEMM %s; mean of %d counted epoch%s %.3f s, last epoch %.3f s%n",
                spec.name(), train.size(), bs, SideBySide.kernelDescription(), counted, counted == 1 ? "" : "s", total / 1e9 / counted, last / 1e9);
        System.out.printf(Locale.ROOT, "%-28s %10s %7s %10s %7s %10s %7s%n", "part (ms an epoch)", "total", "%", "GEMM", "%", "other", "%");
        long accounted = fill + zero + loss + opt;
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < nl; i++) {
                int s = pass * nl + i;
                long t = layerTime[s], gm = gemm.slots.get(s);
                accounted += t;
                if (t == 0) continue;
                StringBuilder name = new StringBuilder(pass == 0 ? "fwd " : "bwd ").append(i).append(' ').append(layers.get(i).describe());
                for (int j = i + 1; j < body.groupEnd(i); j++) name.append(" + ").append(layers.get(j).describe());
                System.out.printf(Locale.ROOT, "%-28s %10.1f %6.1f%% %10.1f %6.1f%% %10.1f %6.1f%%%n", name, t / ms, 100 * t / all,
                        gm / ms, 100 * gm / all, (t - gm) / ms, 100 * (t - gm) / all);
            }
        }
        row("batch fill", fill, ms, all);
        row("zero_grad", zero, ms, all);
        row("loss (fwd+grad)", loss, ms, all);
        row("optimizer step", opt, ms, all);
        row("unaccounted (loop, clocks)", total - accounted, ms, all);
        long gemmAll = 0;
        for (int s = 0; s < gemm.slots.length(); s++) gemmAll += gemm.slots.get(s);
        System.out.printf(Locale.ROOT, "GEMM in all: %.1f ms an epoch (%.1f%%)%n", gemmAll / ms, 100 * gemmAll / all);
    }

    private static void row(String name, long t, double ms, double all) {
        System.out.printf(Locale.ROOT, "%-28s %10.1f %6.1f%%%n", name, t / ms, 100 * t / all);
    }
}
