package dev.vitals.core.nn;

import dev.vitals.core.loss.Loss;
import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Finite-difference check of a layer's (or a model's, or a loss's) backward pass.
 *
 * <p>For a built layer it draws a seeded random input batch x and a seeded random projection r of
 * the output, so that {@code L(x, θ) = Σ r·y} is a scalar whose gradient backward computes exactly
 * when handed r. It compares that analytic gradient, for the input and for every parameter, with a
 * numerical one: every entry of small tensors; of larger ones, {@code maxEntries}: the corners of
 * the tensor (first and last index along each axis) and a seeded sample of the rest.
 *
 * <p>Numerics. The layers compute in float32, so the difference quotients can only be as good as a
 * float32 forward pass: L is summed in double, each perturbed coordinate is set to the float
 * nearest {@code x + k·h} and the quotient divides by the step actually taken,
 * {@code (float)(x + k·h) - x}, never by the nominal one. The derivative is the fourth-order
 * Richardson combination of the central differences at h and 2h (the five-point stencil), which
 * lets h be large ({@value #DEFAULT_STEP} · max(1, |x|)) so that float rounding in L, divided by h,
 * stays small while the truncation error (order h⁴) is negligible.
 *
 * <p>Precision. A tensor passes when its relative error {@code ‖a - n‖ / max(‖a‖, ‖n‖)} is at most
 * {@link #tolerance} (default {@value #DEFAULT_TOLERANCE}), or when {@code ‖a - n‖} is within its
 * noise floor, where nothing can be told apart: the rounding bound of the numerical derivative
 * (float rounding of each output value the perturbation moved, carried through the stencil), the
 * error bound of kinks (below), and {@value #ANALYTIC_ULPS} float ulps per entry of the subject's
 * typical gradient, the residue float backprop leaves where exact arithmetic cancels to zero (a
 * bias in front of batch-norm). Measured over 20 seeds: single layers have a median relative error
 * of 1e-6 to 1e-5 (exactly 0 up to double rounding for ReLU, max-pool, flatten) and a worst of
 * 5e-5; residual blocks and whole models a median of 2e-5, and where a whole model's error exceeds
 * the tolerance (up to 5e-3 for a CNN with batch-norm before ReLU) the difference is under a third
 * of its floor. Wrong gradients measure 0.3 to 1.3, thousands of times their floor.
 *
 * <p>Kinks. ReLU at 0, leaky ReLU and max-pool ties make L non-differentiable at some points; where a
 * kink lies within ±2h of x the difference quotient is off. Kinks are found from the four one-sided
 * slopes between x-2h, x-h, x, x+h, x+2h: for a smooth function consecutive slopes change linearly
 * (their second differences are h²·L''', tiny), while a kink makes one of them jump, and the jump
 * bounds the harm (the five-point estimate moves by at most 1.5 times it). Such a coordinate is
 * measured again with h/4 and h/16 and the estimate with the smallest error bound is kept, so only
 * kinks closer than about h/8 remain. Many kinks at once (a convolution's bias moves hundreds of ReLU
 * inputs) can bend the slopes without one large jump; so every kinked coordinate is measured once
 * more at a quarter of its smallest step, and what the estimate still moves counts into its bound.
 * A coordinate whose remaining jump exceeds {@link #kinkTolerance} of the tensor's slope scale is
 * skipped and counted; a tensor with more than {@link #maxSkipped} of its checked entries skipped
 * fails, since it was not really checked. Every
 * error bound that remains is part of the noise floor. Layer by layer, kinks are rare (ReLU inputs
 * exactly at 0, max-pool windows with equal maxima); through a whole model, a first-layer weight
 * moves hundreds of downstream ReLU inputs and a fifth to a third of its entries can sit at kinks:
 * check layer by layer to locate a fault.
 *
 * <p>Stochastic layers are frozen for the check (one random draw serves every evaluation), and the
 * check runs in each requested {@link Mode} (by default training and evaluation, which differ for
 * batch-norm and dropout). The layer is left as it was found: parameter values, gradients and
 * buffers (batch-norm running statistics) are restored; stochastic layers are left unfrozen.
 */
public final class GradientCheck {
    /** Nominal step relative to max(1, |x|): a power of two, so that x ± k·h are mostly exact floats. */
    public static final double DEFAULT_STEP = 0x1p-7;
    public static final double DEFAULT_TOLERANCE = 1e-3;
    public static final double DEFAULT_KINK_TOLERANCE = 1e-2;
    public static final double DEFAULT_MAX_SKIPPED = 0.5;
    public static final int DEFAULT_MAX_ENTRIES = 96;
    public static final int DEFAULT_BATCH = 4;
    /**
     * Units of rounding allowed per output value that a perturbation changes: the last rounding of
     * the output and a few in what produced it.
     */
    static final double ROUNDING_UNITS = 4;
    /** Float32 ulps of the subject's typical gradient entry below which a difference is rounding. */
    static final double ANALYTIC_ULPS = 64;
    /** Retries, each with a step four times smaller, for a coordinate whose stencil holds a kink. */
    static final int KINK_RETRIES = 2;
    private static final double FLOAT_EPS = 0x1p-24, DOUBLE_EPS = 0x1p-53, TINY = 1e-30;

    private final long seed;
    private final int batch, maxEntries;
    private final double step, tolerance, kinkTolerance, maxSkipped;
    private final List<Mode> modes;

    private GradientCheck(long seed, int batch, int maxEntries, double step, double tolerance, double kinkTolerance,
                          double maxSkipped, List<Mode> modes) {
        if (batch <= 0) throw new IllegalArgumentException("batch must be positive, not " + batch);
        if (maxEntries <= 0) throw new IllegalArgumentException("maxEntries must be positive, not " + maxEntries);
        if (!(step > 0 && step < 1)) throw new IllegalArgumentException("step must be in (0, 1), not " + step);
        if (!(tolerance > 0)) throw new IllegalArgumentException("tolerance must be positive, not " + tolerance);
        if (!(kinkTolerance > 0)) throw new IllegalArgumentException("kinkTolerance must be positive, not " + kinkTolerance);
        if (!(maxSkipped >= 0 && maxSkipped <= 1)) throw new IllegalArgumentException("maxSkipped must be in [0, 1], not " + maxSkipped);
        if (modes.isEmpty()) throw new IllegalArgumentException("at least one mode is needed");
        this.seed = seed;
        this.batch = batch;
        this.maxEntries = maxEntries;
        this.step = step;
        this.tolerance = tolerance;
        this.kinkTolerance = kinkTolerance;
        this.maxSkipped = maxSkipped;
        this.modes = List.copyOf(modes);
    }

    /** Seed 0, batch {@value #DEFAULT_BATCH}, both modes, and the default step and tolerances. */
    public static GradientCheck defaults() {
        return new GradientCheck(0, DEFAULT_BATCH, DEFAULT_MAX_ENTRIES, DEFAULT_STEP, DEFAULT_TOLERANCE,
                DEFAULT_KINK_TOLERANCE, DEFAULT_MAX_SKIPPED, List.of(Mode.TRAIN, Mode.EVAL));
    }

    /** Seeds the random input, projection and entry sample. */
    public GradientCheck seed(long s) { return new GradientCheck(s, batch, maxEntries, step, tolerance, kinkTolerance, maxSkipped, modes); }

    /** Examples in the random input batch. */
    public GradientCheck batch(int b) { return new GradientCheck(seed, b, maxEntries, step, tolerance, kinkTolerance, maxSkipped, modes); }

    /** Entries checked per tensor; larger tensors are sampled. */
    public GradientCheck maxEntries(int n) { return new GradientCheck(seed, batch, n, step, tolerance, kinkTolerance, maxSkipped, modes); }

    /** Nominal step relative to max(1, |x|). */
    public GradientCheck step(double h) { return new GradientCheck(seed, batch, maxEntries, h, tolerance, kinkTolerance, maxSkipped, modes); }

    /** Largest relative error ‖a - n‖ / max(‖a‖, ‖n‖) that passes (a difference within the noise floor passes too). */
    public GradientCheck tolerance(double t) { return new GradientCheck(seed, batch, maxEntries, step, t, kinkTolerance, maxSkipped, modes); }

    /** Slope jump left after the retries, relative to the tensor's slope scale, above which a coordinate is skipped as a kink. */
    public GradientCheck kinkTolerance(double t) { return new GradientCheck(seed, batch, maxEntries, step, tolerance, t, maxSkipped, modes); }

    /** Largest fraction of checked entries that may be skipped as kinks. */
    public GradientCheck maxSkipped(double f) { return new GradientCheck(seed, batch, maxEntries, step, tolerance, kinkTolerance, f, modes); }

    /** The modes to check in. */
    public GradientCheck modes(Mode... ms) { return new GradientCheck(seed, batch, maxEntries, step, tolerance, kinkTolerance, maxSkipped, List.of(ms)); }

    public double tolerance() { return tolerance; }

    public double stepSize() { return step; }

    // ---- subjects ---------------------------------------------------------------------------

    /** Checks a built layer on a random standard-normal input batch. */
    public Result check(Layer layer) {
        return check(layer, null);
    }

    /** Checks a built layer on {@code input} (not modified; null for a random batch). */
    public Result check(Layer layer, Tensor input) {
        if (layer.inputShape() == null) throw new IllegalStateException("layer " + layer.describe() + " is not built; build it before checking it");
        List<Layer> tree = new ArrayList<>();
        collect(layer, tree);
        String name = layer.path().isEmpty() ? layer.describe() : layer.path() + " " + layer.describe();
        Subject s = new Subject(name, layer.path(), layer.inputShape(), layer.parameters(), tree) {
            @Override Tensor forward(Tensor x, Mode m) { return layer.output(layer.forward(x, m), x.batch()); }

            @Override Tensor backward(Tensor g) { return layer.inputGradient(layer.backward(g, true), g.batch(), true); }
        };
        return run(s, input);
    }

    /**
     * Checks each top-level layer of a model on its own random input (a residual block with its
     * body), in model order: the way to locate a wrong gradient, since a layer alone has few kinks
     * and a failing result names its layer and parameter.
     */
    public List<Result> checkLayers(Model model) {
        List<Result> out = new ArrayList<>();
        for (Layer l : model.layers()) out.add(check(l));
        return out;
    }

    /** Checks a whole model end to end: its input and every parameter, by full name. */
    public Result check(Model model) {
        return check(model, null);
    }

    public Result check(Model model, Tensor input) {
        List<Layer> tree = model.allLayers();
        Subject s = new Subject("model", "", model.inputShape(), model.parameters(), tree) {
            @Override Tensor forward(Tensor x, Mode m) { return model.forward(x, m); }

            @Override Tensor backward(Tensor g) { return model.backward(g, true); }
        };
        return run(s, input);
    }

    /**
     * Checks a model's parameter gradients as a training step computes them ({@link Model#forwardStep}:
     * a fused group's pass, see {@link ConvReluPool}); a step computes no input gradient, so none is checked.
     */
    public Result checkTrainingStep(Model model) {
        Subject s = new Subject("training step", "", model.inputShape(), model.parameters(), model.allLayers()) {
            @Override Tensor forward(Tensor x, Mode m) { return model.forwardStep(x, m, false); }

            @Override Tensor backward(Tensor g) { return model.backward(g, false); }
        };
        return run(s, null);
    }

    /**
     * Checks a loss's gradient with respect to the model output at {@code output} (not modified),
     * for these labels and encoded targets (either may be null, as the loss needs).
     */
    public Result checkLoss(Loss loss, Tensor output, int[] labels, float[] targets) {
        Tensor z = output.copy();
        Tensor grad = Tensor.zeros(z.shape());
        double f0 = loss.forward(z, labels, targets, grad);
        // A loss is computed in double from float logits that the check sets exactly, so only
        // double rounding disturbs its differences.
        Probe f = new Probe() {
            double last;

            @Override public double eval() { return last = loss.forward(z, labels, targets, null); }

            @Override public double noise() { return ROUNDING_UNITS * DOUBLE_EPS * (Math.abs(last) + Math.abs(f0)); }
        };
        SplittableRandom rng = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
        Measured me = measure("output", "", null, null, z.shape(), z.data(), z.size(), grad.data(), f, f0, rng);
        return new Result(loss.key(), verdicts(List.of(me)), tolerance);
    }

    // ---- the check --------------------------------------------------------------------------

    private abstract static class Subject {
        final String name, path;
        final Shape inputShape;
        final List<Parameter> params;
        final List<Layer> layers;

        Subject(String name, String path, Shape inputShape, List<Parameter> params, List<Layer> layers) {
            this.name = name;
            this.path = path;
            this.inputShape = inputShape;
            this.params = params;
            this.layers = layers;
        }

        abstract Tensor forward(Tensor x, Mode m);

        abstract Tensor backward(Tensor g);
    }

    private static void collect(Layer l, List<Layer> out) {
        out.add(l);
        for (Layer c : l.children()) collect(c, out);
    }

    private Result run(Subject s, Tensor given) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor x;
        if (given != null) {
            x = given.copy();
        } else {
            // an array a row longer than the tensor, as the trainer's reused buffers are on a short last batch:
            // a layer that loops over data().length fails here, in the check, not mid-epoch
            x = Tensor.reuse(Tensor.zeros(s.inputShape.withBatch(batch + 1)), batch, s.inputShape);
            float[] xs = x.data();
            for (int i = 0; i < x.size(); i++) xs[i] = (float) rng.nextGaussian();
        }
        // What the check disturbs, to put back afterwards.
        // By identity: the names of buffers in a block that was never given a path can collide.
        Map<Tensor, Tensor> buffers = new IdentityHashMap<>();
        for (Layer l : s.layers) for (Tensor t : l.buffers().values()) buffers.putIfAbsent(t, t.copy());
        List<Tensor> savedGrads = new ArrayList<>();
        for (Parameter p : s.params) savedGrads.add(p.grad().copy());
        List<Stochastic> stochastic = new ArrayList<>();
        for (Layer l : s.layers) if (l instanceof Stochastic st) stochastic.add(st);

        List<TensorResult> results = new ArrayList<>();
        Tensor r = null;
        try {
            for (Mode mode : modes) {
                buffers.forEach((t, saved) -> t.copyFrom(saved));
                if (!stochastic.isEmpty()) {
                    // One fresh draw, then held fixed so that every evaluation sees the same function.
                    for (Stochastic st : stochastic) st.freeze(false);
                    s.forward(x, mode);
                    for (Stochastic st : stochastic) st.freeze(true);
                    buffers.forEach((t, saved) -> t.copyFrom(saved));
                }
                for (Parameter p : s.params) p.zeroGrad();
                Tensor xs = x.copy();
                Tensor y = s.forward(x, mode);
                // finite differences need a function of the input: a forward pass that writes into its input
                // corrupts the layer below's output, and one that draws anew each time gives noise for slopes
                if (!same(x, xs)) throw new Layer.LayerContractException(s.name + ": forward changed its input in place; the layer below's output is its own", true);
                Tensor y1 = y.copy();
                buffers.forEach((t, saved) -> t.copyFrom(saved));
                if (!same(s.forward(x, mode), y1)) {
                    throw new Layer.LayerContractException(s.name + ": two forward passes over the same input gave different outputs (" + mode.label()
                            + " mode): a layer that draws random numbers must implement Stochastic, whose freeze(true) holds its last draw, and a layer must keep no state between calls that changes its output", false);
                }
                buffers.forEach((t, saved) -> t.copyFrom(saved));
                y = s.forward(x, mode);
                if (r == null) {
                    r = Tensor.zeros(y.shape());
                    float[] rs = r.data();
                    for (int i = 0; i < r.size(); i++) rs[i] = (float) rng.nextGaussian();
                }
                double f0 = project(y, r);
                Tensor y0 = y.copy();
                Tensor gb = s.backward(r), gx = gb == null ? null : gb.copy();
                List<Tensor> gp = new ArrayList<>();
                for (Parameter p : s.params) gp.add(p.grad().copy());

                Probe f = new OutputProbe(s, x, mode, r, y0);
                SplittableRandom sample = new SplittableRandom(seed * 31 + mode.ordinal() + 1);
                String inputName = s.path.isEmpty() ? "input" : s.path + ".input";
                List<Measured> ms = new ArrayList<>();
                // the backward pass may compute no input gradient (a training step)
                if (gx != null) ms.add(measure(inputName, s.path, null, mode, x.shape(), x.data(), x.size(), gx.data(), f, f0, sample));
                for (int i = 0; i < s.params.size(); i++) {
                    Parameter p = s.params.get(i);
                    String owner = p.owner() == null ? "" : p.owner().path();
                    ms.add(measure(p.fullName(), owner, p.name(), mode, p.value().shape(), p.value().data(), p.size(),
                            gp.get(i).data(), f, f0, sample));
                }
                results.addAll(verdicts(ms));
            }
        } finally {
            for (Stochastic st : stochastic) st.freeze(false);
            buffers.forEach((t, saved) -> t.copyFrom(saved));
            for (int i = 0; i < s.params.size(); i++) s.params.get(i).grad().copyFrom(savedGrads.get(i));
        }
        return new Result(s.name, List.copyOf(results), tolerance);
    }

    /** Same shape and the same bits in every value (NaN equal to NaN). */
    private static boolean same(Tensor a, Tensor b) {
        if (!java.util.Arrays.equals(a.shape(), b.shape())) return false;
        float[] u = a.data(), v = b.data();
        for (int i = 0; i < a.size(); i++) if (Float.floatToIntBits(u[i]) != Float.floatToIntBits(v[i])) return false;
        return true;
    }

    /** f at the current point, and a bound on the rounding error of f(current) - f(base). */
    private interface Probe {
        double eval();

        double noise();
    }

    /** L = Σ r·y, whose rounding comes from the float32 outputs that the perturbation moved. */
    private static final class OutputProbe implements Probe {
        private final Subject s;
        private final Tensor x, r, y0;
        private final Mode mode;
        private double changed;

        OutputProbe(Subject s, Tensor x, Mode mode, Tensor r, Tensor y0) {
            this.s = s;
            this.x = x;
            this.mode = mode;
            this.r = r;
            this.y0 = y0;
        }

        @Override public double eval() {
            Tensor y = s.forward(x, mode);
            float[] ys = y.data(), rs = r.data(), bs = y0.data();
            double sum = 0, ch = 0;
            for (int i = 0; i < r.size(); i++) {
                sum += (double) rs[i] * ys[i];
                if (ys[i] != bs[i]) ch += Math.abs(rs[i]) * (Math.abs(ys[i]) + Math.abs(bs[i]));
            }
            changed = ch;
            return sum;
        }

        @Override public double noise() { return ROUNDING_UNITS * FLOAT_EPS * changed; }
    }

    private static double project(Tensor y, Tensor r) {
        float[] ys = y.data(), rs = r.data();
        double sum = 0;
        for (int i = 0; i < r.size(); i++) sum += (double) rs[i] * ys[i];
        return sum;
    }

    /** One tensor's entries measured, before the verdict (which needs the subject's gradient scale). */
    private record Measured(String name, String layer, String parameter, Mode mode, int[] shape, int entries, int[] idx,
                            double[] analytic, double[] numeric, double[] bound, boolean[] skipped, boolean finite) {
        /** RMS of the analytic entries that were checked. */
        double rms() {
            double s = 0;
            int c = 0;
            for (int q = 0; q < idx.length; q++) {
                if (skipped[q] || !Double.isFinite(analytic[q])) continue;
                s += analytic[q] * analytic[q];
                c++;
            }
            return c == 0 ? 0 : Math.sqrt(s / c);
        }
    }

    /** The five-point estimate at one coordinate and one step, with what tells a kink from a smooth point. */
    private record Stencil(double derivative, double jump, double slope, double noise, double jumpNoise) {
        /** What rounding and a kink inside the stencil can make the estimate be off by. */
        double bound() { return noise + 1.5 * jump; }

        /** The part of the slope jump that rounding cannot explain: a kink (or strong curvature). */
        double kink() { return Math.max(0, jump - jumpNoise); }
    }

    /**
     * Evaluates f at x0 - 2h .. x0 + 2h along coordinate {@code i} of v (in place, restored exactly).
     * Each point is the float nearest x0 + k·h and the quotients use the steps actually taken.
     */
    private static Stencil stencil(float[] v, int i, double h, Probe f, double f0) {
        float x0 = v[i];
        double[] d = new double[5], fv = new double[5], e = new double[5];
        fv[2] = f0;
        try {
            for (int k = -2; k <= 2; k++) {
                if (k == 0) continue;
                v[i] = (float) (x0 + k * h);
                d[k + 2] = (double) v[i] - x0;
                fv[k + 2] = f.eval();
                e[k + 2] = f.noise();
            }
        } finally {
            v[i] = x0;
        }
        // Richardson on the central differences at h1 and h2 (= 2·h1 up to rounding of the points).
        double h1 = (d[3] - d[1]) / 2, h2 = (d[4] - d[0]) / 2;
        double c1 = (fv[3] - fv[1]) / (2 * h1), c2 = (fv[4] - fv[0]) / (2 * h2);
        double rho2 = (h2 / h1) * (h2 / h1);
        double derivative = (rho2 * c1 - c2) / (rho2 - 1);
        // One-sided slopes of the four segments. Smooth: they change linearly, so their second
        // differences are h²·f''' (tiny). A kink inside the stencil makes one of them jump.
        double s1 = (fv[1] - fv[0]) / (d[1] - d[0]), s2 = (fv[2] - fv[1]) / (d[2] - d[1]);
        double s3 = (fv[3] - fv[2]) / (d[3] - d[2]), s4 = (fv[4] - fv[3]) / (d[4] - d[3]);
        double jump = Math.max(Math.abs(s1 - 2 * s2 + s3), Math.abs(s2 - 2 * s3 + s4));
        double slope = Math.max(Math.max(Math.abs(s1), Math.abs(s2)), Math.max(Math.abs(s3), Math.abs(s4)));
        // Rounding bounds carried through the same formulas: (8(f1 - f-1) - (f2 - f-2)) / 12h.
        double noise = (8 * (e[3] + e[1]) + e[4] + e[0]) / (12 * h1);
        double jumpNoise = (e[0] + 3 * e[1] + 3 * e[3] + e[4]) / h1;
        return new Stencil(derivative, jump, slope, noise, jumpNoise);
    }

    /**
     * Measures the numerical derivative of f with respect to the sampled entries of {@code v[0..n)}.
     * Each estimate carries an error bound: the rounding bound plus 1.5 times the slope jump (a
     * kink anywhere in the stencil moves the five-point estimate by at most that much). Where the
     * jump dominates, the coordinate is measured again with the step divided by 4, then by 16, and
     * the estimate with the smallest bound is kept: kinks further away than the smaller stencil drop
     * out, while rounding grows only as 1/h. A coordinate whose remaining kink (1.5 times the jump
     * that rounding cannot explain) still exceeds {@link #kinkTolerance} of the tensor's slope scale
     * is skipped.
     */
    private Measured measure(String name, String layer, String parameter, Mode mode, int[] shape, float[] v, int n,
                             float[] analytic, Probe f, double f0, SplittableRandom rng) {
        int[] idx = sample(shape, n, rng);
        int m = idx.length;
        Stencil[] st = new Stencil[m];
        double slopeScale = 0;
        for (int q = 0; q < m; q++) {
            st[q] = stencil(v, idx[q], step * Math.max(1, Math.abs(v[idx[q]])), f, f0);
            slopeScale += st[q].slope() * st[q].slope();
        }
        slopeScale = m == 0 ? 0 : Math.sqrt(slopeScale / m);
        double[] a = new double[m], num = new double[m], bound = new double[m];
        boolean[] skipped = new boolean[m];
        boolean finite = true;
        for (int q = 0; q < m; q++) {
            int i = idx[q];
            Stencil best = st[q], s = best;
            double scale = Math.max(best.slope(), slopeScale);
            double h = step * Math.max(1, Math.abs(v[i]));
            int retries = 0;
            for (; retries < KINK_RETRIES && 1.5 * s.kink() > Math.max(s.noise(), tolerance / 10 * scale); retries++) {
                h /= 4;
                s = stencil(v, i, h, f, f0);
                if (s.bound() < best.bound()) best = s;
            }
            double spread = 0;
            if (retries > 0 || s.kink() > 0) {
                // The jump test bounds one kink well, not many: several kinks inside the stencil
                // (a convolution's bias moves hundreds of ReLU inputs at once) can bend the slopes
                // without one large jump, and the estimates at h and h/4 then agree on a wrong value
                // (28.66 against 26.54 for a residual block ending in ReLU; 26.84 at h/16, 26.68 at
                // h/64). So a kinked coordinate is measured once more at a quarter of the smallest
                // step so far; while the estimate still moves with the step by more than rounding,
                // that movement counts into the bound, and the finer estimate is kept if its own
                // bound is smaller. A smooth point's estimates agree, so a wrong gradient still shows.
                Stencil finer = stencil(v, i, h / 4, f, f0);
                spread = Math.max(0, Math.abs(finer.derivative() - best.derivative()) - best.noise() - finer.noise());
                if (finer.bound() < best.bound()) best = finer;
            }
            skipped[q] = 1.5 * best.kink() > kinkTolerance * scale;
            a[q] = analytic[i];
            num[q] = best.derivative();
            bound[q] = best.bound() + spread;
            if (!Double.isFinite(num[q]) || !Float.isFinite(analytic[i])) finite = false;
        }
        return new Measured(name, layer, parameter, mode, shape.clone(), n, idx, a, num, bound, skipped, finite);
    }

    /**
     * The verdict on one measured tensor. {@code scale} is the typical analytic gradient entry of
     * the whole subject: float32 backprop leaves residues of a few ulps of such values where exact
     * arithmetic would cancel to zero (a bias in front of batch-norm), so differences below
     * {@value #ANALYTIC_ULPS} ulps of it per entry, or below the numerical rounding bound, cannot be
     * told from zero.
     */
    private TensorResult verdict(Measured me, double scale) {
        int m = me.idx().length, skipped = 0, worst = -1, used = 0;
        double diffSq = 0, aSq = 0, nSq = 0, boundSq = 0, worstDiff = -1;
        for (int q = 0; q < m; q++) {
            if (me.skipped()[q]) {
                skipped++;
                continue;
            }
            double a = me.analytic()[q], nn = me.numeric()[q], diff = Math.abs(a - nn);
            used++;
            diffSq += diff * diff;
            aSq += a * a;
            nSq += nn * nn;
            boundSq += me.bound()[q] * me.bound()[q];
            if (diff > worstDiff || worst < 0) {
                worstDiff = diff;
                worst = q;
            }
        }
        double floor = Math.sqrt(boundSq) + ANALYTIC_ULPS * FLOAT_EPS * scale * Math.sqrt(used);
        double diff = Math.sqrt(diffSq);
        double rel = diff / Math.max(Math.max(Math.sqrt(aSq), Math.sqrt(nSq)), TINY);
        String problem = null;
        if (!me.finite()) problem = "non-finite gradient values";
        else if (m > 0 && skipped > maxSkipped * m) problem = skipped + " of " + m + " entries sit at kinks and could not be checked";
        else if (!(rel <= tolerance) && !(diff <= floor)) problem = "analytic and numerical gradients disagree";
        return new TensorResult(me.name(), me.layer(), me.parameter(), me.mode(), me.shape(), me.entries(), m, skipped,
                me.finite() ? rel : Double.NaN, worst < 0 ? -1 : me.idx()[worst], worst < 0 ? Double.NaN : me.analytic()[worst],
                worst < 0 ? Double.NaN : me.numeric()[worst], Math.sqrt(aSq), Math.sqrt(nSq), floor, problem == null, problem);
    }

    private List<TensorResult> verdicts(List<Measured> ms) {
        double scale = 0;
        for (Measured me : ms) scale = Math.max(scale, me.rms());
        List<TensorResult> out = new ArrayList<>();
        for (Measured me : ms) out.add(verdict(me, scale));
        return out;
    }

    /**
     * All entries of a small tensor; of a larger one, its corners (the first and the last index
     * along every axis, in each combination: an off-by-one that skips a tensor's last row, column or
     * example is there) and seeded random entries up to {@code maxEntries}, sorted for locality.
     */
    private int[] sample(int[] shape, int n, SplittableRandom rng) {
        if (n <= maxEntries) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) all[i] = i;
            return all;
        }
        java.util.LinkedHashSet<Integer> picked = new java.util.LinkedHashSet<>();
        for (int c : corners(shape, n)) if (picked.size() < maxEntries) picked.add(c);
        // a partial Fisher-Yates shuffle for the rest: distinct indices, none of them a corner twice
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        for (int i = 0; picked.size() < maxEntries; i++) {
            int j = i + rng.nextInt(n - i);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
            picked.add(perm[i]);
        }
        int[] out = picked.stream().mapToInt(Integer::intValue).toArray();
        Arrays.sort(out);
        return out;
    }

    /** Row-major indices of every combination of the first and last index of each axis of {@code shape}. */
    static int[] corners(int[] shape, int n) {
        int rank = shape.length;
        long product = 1;
        for (int d : shape) product *= d;
        if (rank == 0 || product != n || rank > 16) return new int[] {0, n - 1};
        java.util.TreeSet<Integer> out = new java.util.TreeSet<>();
        for (int mask = 0; mask < (1 << rank); mask++) {
            int idx = 0;
            for (int a = 0; a < rank; a++) idx = idx * shape[a] + (((mask >> a) & 1) == 1 ? shape[a] - 1 : 0);
            out.add(idx);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    // ---- results ----------------------------------------------------------------------------

    /**
     * The check of one tensor in one mode. {@code name} is {@code input} (prefixed by the layer's
     * path when it has one) or the parameter's full name, e.g. {@code layers.2.bias}; {@code layer}
     * is the path of the layer that owns it and {@code parameter} its short name (null for the
     * input). {@code relativeError} is {@code ‖a - n‖ / max(‖a‖, ‖n‖)} over the checked entries that
     * were not skipped as kinks; {@code noiseFloor} is the float32 bound on ‖a - n‖ for a correct
     * gradient (see the class comment); the worst entry is the one with the largest |a - n| (its
     * flat index into the tensor). {@code mode} is null for a loss.
     */
    public record TensorResult(String name, String layer, String parameter, Mode mode, int[] shape, int entries,
                               int checked, int skipped, double relativeError, int worstIndex, double worstAnalytic,
                               double worstNumeric, double analyticNorm, double numericNorm, double noiseFloor,
                               boolean passed, String problem) {
        public boolean isInput() { return parameter == null; }

        /** The worst entry's index within the tensor's shape, e.g. {@code [2, 0]}. */
        public int[] worstPosition() {
            if (worstIndex < 0) return new int[0];
            int[] pos = new int[shape.length];
            int rest = worstIndex;
            for (int d = shape.length - 1; d >= 0; d--) {
                pos[d] = rest % shape[d];
                rest /= shape[d];
            }
            return pos;
        }

        @Override public String toString() {
            return String.format(Locale.ROOT, "%s%s: relative error %.2e, worst %s analytic %.6g numeric %.6g, %d/%d checked skipped%s",
                    name, mode == null ? "" : " [" + mode.label() + "]", relativeError, Arrays.toString(worstPosition()),
                    worstAnalytic, worstNumeric, skipped, checked, passed ? "" : " FAILED: " + problem);
        }
    }

    /** Every tensor's check for one subject (a layer, a model or a loss). */
    public record Result(String subject, List<TensorResult> tensors, double tolerance) {
        public boolean passed() {
            for (TensorResult t : tensors) if (!t.passed()) return false;
            return true;
        }

        public List<TensorResult> failures() {
            List<TensorResult> out = new ArrayList<>();
            for (TensorResult t : tensors) if (!t.passed()) out.add(t);
            return out;
        }

        /** The result for this tensor name in this mode (null mode for a loss), or null. */
        public TensorResult get(String name, Mode mode) {
            for (TensorResult t : tensors) if (t.name().equals(name) && t.mode() == mode) return t;
            return null;
        }

        /** The largest relative error over all tensors and modes (NaN if any was not finite). */
        public double maxRelativeError() {
            double m = 0;
            for (TensorResult t : tensors) {
                if (Double.isNaN(t.relativeError())) return Double.NaN;
                m = Math.max(m, t.relativeError());
            }
            return m;
        }

        @Override public String toString() {
            StringBuilder sb = new StringBuilder("gradient check of " + subject + (passed() ? ": passed" : ": FAILED")).append('\n');
            for (TensorResult t : tensors) sb.append("  ").append(t).append('\n');
            return sb.toString();
        }
    }
}
