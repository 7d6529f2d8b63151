package dev.vitals.doctor;

import dev.vitals.core.train.EpochResult;
import dev.vitals.core.train.LayerInfo;
import dev.vitals.core.train.RunControl;
import dev.vitals.core.train.RunInfo;
import dev.vitals.doctor.trace.Observation;
import dev.vitals.doctor.trace.Trace;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds traces by hand for rule tests: an MLP of {@code depth} dense layers (each followed by the
 * given activation except the last), then steps, observations and epochs with chosen numbers.
 */
public final class TraceBuilder {
    private final List<LayerInfo> layers = new ArrayList<>();
    private final List<String> params = new ArrayList<>();
    private final List<Integer> owner = new ArrayList<>();
    private final List<Integer> sizes = new ArrayList<>();
    private String optimizer = "adam", loss = "cross_entropy";
    private double lr = 1e-3, weightDecay = 0, momentum = 0, clip = 0;
    private int outputs = 10;
    private int classes = 10, epochs = 10, batch = 32, stepsPerEpoch = 100, trainSize = 3200, validation = 800, earlyStop = 0;
    private double[] shares;
    private double[] validationShares;
    private Trace trace;

    public static TraceBuilder mlp(int depth, String activation, int width) {
        TraceBuilder b = new TraceBuilder();
        int in = 64;
        for (int i = 0; i < depth; i++) {
            int out = i == depth - 1 ? 10 : width;
            b.layer("dense", "dense " + out, in, out, "none", true);
            if (i < depth - 1) {
                String sat = activation.equals("relu") || activation.equals("leaky_relu") ? "negative" : activation.equals("sigmoid") || activation.equals("tanh") ? "tails" : "none";
                b.layer(activation, activation, out, out, sat, false);
            }
            in = out;
        }
        return b;
    }

    private void layer(String kind, String desc, int in, int out, String sat, boolean weights) {
        int idx = layers.size();
        String path = "layers." + idx;
        List<String> ps = new ArrayList<>();
        if (weights) {
            ps.add(path + ".weight");
            ps.add(path + ".bias");
            params.add(path + ".weight");
            owner.add(idx);
            sizes.add(in * out);
            params.add(path + ".bias");
            owner.add(idx);
            sizes.add(out);
        }
        layers.add(new LayerInfo(idx, path, kind, desc, new int[] {in}, new int[] {out}, ps, sat, 0));
    }

    /** A dropout layer of probability {@code p} appended (as after a hidden layer). */
    public TraceBuilder dropout(double p) {
        int width = layers.get(layers.size() - 1).outputShape()[0];
        layer("dropout", "dropout " + (float) p, width, width, "none", false);
        return this;
    }

    /** A batchnorm layer over the last layer's flat output appended. */
    public TraceBuilder batchnorm() {
        int width = layers.get(layers.size() - 1).outputShape()[0];
        layer("batchnorm", "batchnorm", width, width, "none", false);
        return this;
    }

    public TraceBuilder optimizer(String name, double lr) {
        this.optimizer = name;
        this.lr = lr;
        return this;
    }

    public TraceBuilder plan(int classes, int epochs, int stepsPerEpoch, int batch, int validation) {
        this.classes = classes;
        this.epochs = epochs;
        this.stepsPerEpoch = stepsPerEpoch;
        this.batch = batch;
        this.trainSize = stepsPerEpoch * batch;
        this.validation = validation;
        return this;
    }

    /** The validation split's label shares (none by default, as for a replayed log). */
    public TraceBuilder validationShares(double... shares) {
        this.validationShares = shares.clone();
        return this;
    }

    /** The training split's class shares (uniform unless given). */
    public TraceBuilder shares(double... classShares) {
        this.shares = classShares.clone();
        return this;
    }

    public TraceBuilder weightDecay(double wd) {
        this.weightDecay = wd;
        return this;
    }

    public TraceBuilder clipNorm(double c) {
        this.clip = c;
        return this;
    }

    /** The same observation at learning rate {@code lr}. */
    public static Observation atLr(Observation o, float lr) {
        return new Observation(o.step(), o.epoch(), o.batchSize(), o.loss(), lr, o.trainMode(), o.gradNorm(), o.gradNormAtStart(), o.clipped(),
                o.paramGrad(), o.paramUpdate(), o.paramValue(), o.paramGradZero(), o.layerZero(), o.layerDead(), o.layerSaturated(),
                o.layerMean(), o.layerStd(), o.layerGrad(), o.nonFiniteActivation());
    }

    /** The same observation with its gradient clipped. */
    public static Observation clipped(Observation o) {
        return new Observation(o.step(), o.epoch(), o.batchSize(), o.loss(), o.lr(), o.trainMode(), o.gradNorm(), o.gradNormAtStart(), true,
                o.paramGrad(), o.paramUpdate(), o.paramValue(), o.paramGradZero(), o.layerZero(), o.layerDead(), o.layerSaturated(),
                o.layerMean(), o.layerStd(), o.layerGrad(), o.nonFiniteActivation());
    }

    public TraceBuilder earlyStop(int patience) {
        this.earlyStop = patience;
        return this;
    }

    public TraceBuilder loss(String key) {
        this.loss = key;
        return this;
    }

    /** The model's outputs (10 unless given): one with mse regresses the label value. */
    public TraceBuilder outputs(int n) {
        this.outputs = n;
        return this;
    }

    public Trace build() {
        if (shares == null) {
            shares = new double[classes];
            Arrays.fill(shares, 1.0 / classes);
        }
        RunInfo info = new RunInfo("test", List.copyOf(layers), List.copyOf(params), loss,
                new RunInfo.OptimizerInfo(optimizer, lr, momentum, false, weightDecay, 0.9, 0.999, 1e-8), "constant", "index",
                classes, outputs, epochs, batch, stepsPerEpoch, trainSize, validation, 0, clip, earlyStop, shares, validationShares, new RunControl());
        trace = new Trace(info, params, owner.stream().mapToInt(Integer::intValue).toArray(), layers);
        trace.parameterSizes(sizes.stream().mapToInt(Integer::intValue).toArray());
        return trace;
    }

    public int parameters() { return params.size(); }

    public int layers() { return layers.size(); }

    public int size(int param) { return sizes.get(param); }

    /** An observation with the same statistics for every parameter and layer unless the arrays say otherwise. */
    public static Observation obs(long step, int epoch, double loss, double gradNorm, double[] paramGrad, double[] paramUpdate,
                                  double[] paramValue, int layers, double dead, double saturated, boolean train, double gradAtStart) {
        int n = paramGrad.length;
        double[] zero = new double[n];
        double[] ld = new double[layers], ls = new double[layers], lz = new double[layers], lm = new double[layers], lsd = new double[layers], lg = new double[layers];
        Arrays.fill(ld, dead);
        Arrays.fill(ls, saturated);
        Arrays.fill(lz, dead);
        Arrays.fill(lsd, 1);
        Arrays.fill(lg, 1);
        return new Observation(step, epoch, 32, loss, 1e-3f, train, gradNorm, gradAtStart, false, paramGrad, paramUpdate, paramValue, zero,
                lz, ld, ls, lm, lsd, lg, false);
    }

    public static double[] fill(int n, double v) {
        double[] a = new double[n];
        Arrays.fill(a, v);
        return a;
    }

    public static EpochResult epoch(int e, double trainLoss, double trainAcc, double valLoss, double valAcc, long steps) {
        return new EpochResult(e, trainLoss, trainAcc, valLoss, valAcc, 1.0, 1e-3f, steps);
    }
}
