package dev.vitals.core.train;

import dev.vitals.core.Words;
import dev.vitals.core.kernel.Passes;

import dev.vitals.core.data.Batch;
import dev.vitals.core.data.Dataset;
import dev.vitals.core.data.Splits;
import dev.vitals.core.loss.Loss;
import dev.vitals.core.loss.TargetEncoding;
import dev.vitals.core.nn.Layer;
import dev.vitals.core.nn.Mode;
import dev.vitals.core.nn.Model;
import dev.vitals.core.nn.Parameter;
import dev.vitals.core.optim.Optimizer;
import dev.vitals.core.optim.Schedule;
import dev.vitals.core.report.Finding;
import dev.vitals.core.tensor.Tensor;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Runs mini-batch training. The trainer, not its user, puts the model in training mode for steps
 * and evaluation mode for validation and test, and clears gradients before each step; it tells
 * listeners everything they need to judge the run (see {@link StepEvent}).
 */
public final class Trainer {
    private final Model model;
    private final Loss loss;
    private final Optimizer optimizer;
    private final Schedule schedule;
    private final Config cfg;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private final List<Layer> layers;
    private final StatsCollector stats;
    private final Predictions predictions;
    private final RunControl control = new RunControl();
    /**
     * The first step that takes the fused passes whose values differ from the layers' by rounding
     * ({@link Model#forwardStep}'s {@code inexactToo}: conv1's fused pass, a Winograd convolution's
     * gradients from its nonzero values); never by default. Those passes are faster once their Vector
     * API loops are compiled and several times slower until then (their scalar loops), so a whole
     * training run ({@code vitals train}) takes them from {@link #FUSED_FROM_STEP} on, by when the
     * warm-up has usually compiled them, and only where the Vector API is present; the doctor's short
     * probes never do. A step count, not the warm-up's state, decides, so that a run's numbers do not
     * depend on timing. Fused passes that give the layers' own values run in every step.
     */
    private long fusedFrom = Long.MAX_VALUE;
    /**
     * Where whole training runs start fusing: the Fashion-MNIST CNN's warm-up starts after about 350
     * steps and takes 2-4 s (300-700 steps); a run of fewer steps never fuses, and runs as before.
     */
    public static final long FUSED_FROM_STEP = 1000;
    /** Observed steps below this also measure each gradient's largest entry and share of zeros (a slower pass). */
    static final int DETAILED_STEPS = 3;
    /** Observed steps per epoch after the first ones, at least: long epochs are not observed more often. */
    public static final int OBSERVATIONS_PER_EPOCH = 8;

    /**
     * How to train. {@code clearGradients=false} and {@code stepMode=EVAL} reproduce the
     * missing-zero_grad and training-in-eval-mode bugs. Steps {@code < observeFirst} are observed
     * (full statistics), and after them every {@code observeEvery}-th step, or every
     * {@link #OBSERVATIONS_PER_EPOCH}-th part of an epoch where that is longer: long epochs are
     * watched at the same number of points per epoch, so watching costs a fixed share of the time.
     */
    public record Config(String name, float lr, int epochs, int batch, double clipNorm, int earlyStop,
                         TargetEncoding encoding, boolean shuffle, long seed, boolean clearGradients, Mode stepMode,
                         int observeFirst, int observeEvery) {
        public Config {
            if (epochs <= 0) throw new IllegalArgumentException("epochs must be positive");
            if (batch <= 0) throw new IllegalArgumentException("batch must be positive");
            if (observeEvery <= 0) throw new IllegalArgumentException("observeEvery must be positive");
        }

        public static Config defaults(String name, float lr, int epochs, int batch) {
            return new Config(name, lr, epochs, batch, 0, 0, TargetEncoding.INDEX, true, 0, true, Mode.TRAIN, 50, 10);
        }

        public Config withEpochs(int e) {
            return new Config(name, lr, e, batch, clipNorm, 0, encoding, shuffle, seed, clearGradients, stepMode, observeFirst, observeEvery);
        }

        /** The same plan with gradients cleared and training-mode steps: a textbook loop for measurements. */
        public Config textbook() {
            return new Config(name, lr, epochs, batch, clipNorm, earlyStop, encoding, true, seed, true, Mode.TRAIN, observeFirst, observeEvery);
        }

        public Config withObserve(int first, int every) {
            return new Config(name, lr, epochs, batch, clipNorm, earlyStop, encoding, shuffle, seed, clearGradients, stepMode, first, every);
        }
    }

    public Trainer(Model model, Loss loss, Optimizer optimizer, Schedule schedule, Config cfg) {
        this.model = model;
        this.loss = loss;
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.cfg = cfg;
        this.layers = model.allLayers();
        this.stats = new StatsCollector(layers, model.parameters());
        this.predictions = new Predictions(loss.key(), cfg.encoding());
    }

    /** Sets the first step that runs fused (see {@link #fusedFrom}; {@link Long#MAX_VALUE}: none); returns this trainer. */
    public Trainer fusedSteps(long fromStep) {
        fusedFrom = fromStep;
        return this;
    }

    public Trainer listen(TrainingListener l) {
        listeners.add(l);
        return this;
    }

    public Model model() { return model; }

    public RunControl control() { return control; }

    /** Trains on {@code train}; validates on {@code validation} and tests on {@code test} (both nullable). */
    public RunResult fit(Dataset train, Dataset validation, Dataset test) {
        long t0 = System.nanoTime();
        int outputs = model.outputShape().size();
        int stepsPerEpoch = (train.size() + cfg.batch() - 1) / cfg.batch();
        long observeEvery = Math.max(cfg.observeEvery(), stepsPerEpoch / OBSERVATIONS_PER_EPOCH);
        RunInfo info = runInfo(train, validation, test, outputs, stepsPerEpoch);
        for (TrainingListener l : listeners) l.onRunBegin(info);

        int width = cfg.encoding().width(outputs);
        boolean needTargets = loss.needsTargets(cfg.encoding());
        Batch batch = new Batch(train.exampleShape(), Math.min(cfg.batch(), train.size()), width);
        Tensor grad = null;
        int[] order = Splits.range(train.size());
        SplittableRandom shuffleRng = new SplittableRandom(cfg.seed() ^ 0x5AFE_5EEDL);
        StepEvent ev = newStepEvent();
        Optimizer.UpdateStats upd = new Optimizer.UpdateStats(optimizer.parameters().size());
        // an optimizer built from the API may hold the parameters in its own order, or only some of
        // them (a frozen layer): its measurements are filed under the model's parameter they describe
        int[] heldAt = heldAt(model.parameters(), optimizer.parameters());
        List<Parameter> unheld = unheld(model.parameters(), heldAt);

        List<EpochResult> history = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        double[] recentLoss = new double[8];
        String stopReason = null;
        double bestVal = Double.POSITIVE_INFINITY;
        int bestEpoch = -1, sinceBest = 0;
        boolean midEpoch = false;
        String stopAt = null;  // where inside an epoch a run stopped, for the stop reason
        Map<String, Tensor> best = null;
        long globalStep = 0;

        epochs:
        for (int epoch = 0; epoch < cfg.epochs(); epoch++) {
            for (TrainingListener l : listeners) l.onEpochBegin(epoch);
            long e0 = System.nanoTime();
            if (cfg.shuffle()) Splits.shuffle(order, shuffleRng);
            double lossSum = 0;
            long correct = 0, seen = 0;
            float lr = cfg.lr();
            for (int s = 0; s < stepsPerEpoch; s++, globalStep++) {
                int from = s * cfg.batch(), n = Math.min(cfg.batch(), train.size() - from);
                batch.fill(train, order, from, n, needTargets ? cfg.encoding() : null, outputs);
                boolean observed = globalStep < cfg.observeFirst() || globalStep % observeEvery == 0;
                // after the first step the optimizer clears the gradients in its own pass (see below)
                if (cfg.clearGradients() && globalStep == 0) model.zeroGrad();
                if (observed) ev.gradNormAtStart = stats.gradNormSampled();

                // groups that fuse exactly, always; those that round differently from the step set
                boolean inexactToo = globalStep >= fusedFrom && Passes.vector();
                Tensor out = model.forwardStep(batch.x(), cfg.stepMode(), observed, inexactToo);
                grad = Tensor.reuse(grad, n, model.outputShape());
                double l = loss.forward(out, batch.labels(), needTargets ? batch.targets() : null, grad);
                int c = predictions.correct(out, batch.labels());
                if (!Double.isFinite(l)) {
                    findings.add(nonFinite(l, epoch, s, globalStep, recentLoss, ev, lr));
                    stopReason = "the loss became " + (Double.isNaN(l) ? "NaN" : "infinite") + " at step " + globalStep + " (epoch " + (epoch + 1) + ")";
                    // the step is not applied: inside an epoch the weights are those of the step before, no finished epoch's
                    if (s > 0) {
                        midEpoch = true;
                        stopAt = "; during epoch " + (epoch + 1) + ", after " + s + " of its " + stepsPerEpoch + " steps";
                    }
                    ev.loss = l;
                    ev.epoch = epoch;
                    ev.step = s;
                    ev.globalStep = globalStep;
                    ev.observed = false;
                    for (TrainingListener li : listeners) li.onStep(ev);
                    break epochs;
                }
                recentLoss[(int) (globalStep % recentLoss.length)] = l;
                model.backward(grad, false);

                double gn = Double.NaN;
                boolean clipped = false;
                // observed steps measure every parameter's gradient norm in the same pass as the global one
                if (observed) gn = Math.sqrt(stats.params(ev.params, globalStep < DETAILED_STEPS));
                else if (cfg.clipNorm() > 0) gn = stats.gradNorm();
                if (cfg.clipNorm() > 0 && gn > cfg.clipNorm()) {
                    scaleGradients((float) (cfg.clipNorm() / (gn + 1e-6)));
                    clipped = true;
                }
                lr = schedule.lr(cfg.lr(), epoch, s, stepsPerEpoch, cfg.epochs());
                if (observed) upd.exact(globalStep < DETAILED_STEPS);
                optimizer.step(lr, observed ? upd : null, cfg.clearGradients());
                // (indexed: no iterator a step for a list that is nearly always empty)
                if (cfg.clearGradients()) for (int i = 0; i < unheld.size(); i++) unheld.get(i).zeroGrad();

                ev.epoch = epoch;
                ev.step = s;
                ev.globalStep = globalStep;
                ev.batchSize = n;
                ev.labels = batch.labels();
                ev.loss = l;
                ev.correct = c;
                ev.lr = lr;
                ev.mode = cfg.stepMode();
                ev.observed = observed;
                ev.gradNorm = gn;
                ev.clipped = clipped;
                if (observed) {
                    if (clipped) {
                        double f = cfg.clipNorm() / (gn + 1e-6);
                        for (ParamStats p : ev.params) {
                            p.gradNorm *= f;
                            p.gradMaxAbs *= f;
                        }
                    }
                    for (int i = 0; i < ev.params.length; i++) {
                        int k = heldAt[i];
                        // a parameter no optimizer holds stays where it is: measured, not assumed
                        ev.params[i].valueNorm = k >= 0 ? upd.valueNorm[k] : Math.sqrt(StatsCollector.sumSquares(model.parameters().get(i).value().data(), 0, model.parameters().get(i).size()));
                        ev.params[i].updateNorm = k >= 0 ? upd.updateNorm[k] : 0;
                    }
                    stats.layers(ev.layers);
                }
                for (TrainingListener li : listeners) li.onStep(ev);
                lossSum += l * n;
                correct += c;
                seen += n;
                if (control.stopRequested()) {
                    stopReason = control.stopReason();
                    // at an epoch's last step the epoch ends as usual (evaluated, kept) and the run stops there;
                    // inside one the weights are no finished epoch's, and best_epoch must not say so
                    if (s + 1 == stepsPerEpoch) break;
                    midEpoch = true;
                    stopAt = "; during epoch " + (epoch + 1) + ", after " + (s + 1) + " of its " + stepsPerEpoch + " steps";
                    break epochs;
                }
            }
            double seconds = (System.nanoTime() - e0) / 1e9;
            Eval val = validation == null || validation.size() == 0 ? Eval.NONE : evaluate(validation);
            EpochResult r = new EpochResult(epoch, lossSum / seen, (double) correct / seen, val.loss, val.accuracy,
                    seconds, lr, globalStep);
            history.add(r);
            for (TrainingListener li : listeners) li.onEpochEnd(r);
            if (control.stopRequested()) {
                stopReason = control.stopReason();
                break;
            }
            if (cfg.earlyStop() > 0 && r.hasValidation()) {
                if (r.valLoss() < bestVal) {
                    bestVal = r.valLoss();
                    bestEpoch = epoch;
                    best = model.snapshot();
                    sinceBest = 0;
                } else if (++sinceBest >= cfg.earlyStop()) {
                    stopReason = "early stop: validation loss did not improve for " + Words.count(cfg.earlyStop(), "epoch") + " after epoch " + (bestEpoch + 1);
                    break;
                }
            }
        }
        if (best != null) model.load(best);
        else bestEpoch = history.isEmpty() || midEpoch ? -1 : history.size() - 1;
        // which weights a run stopped inside an epoch keeps: early stopping's best epoch, else that step's
        if (stopAt != null) stopReason += stopAt + (best != null ? ": the weights are epoch " + (bestEpoch + 1) + "'s, the best validation loss (early stopping restores it)"
                : ": the weights are as of that step");

        // a step whose loss was not finite is not applied: the weights it stopped with are measured
        // when they are finite (an exploding run's, large but finite, were reported as NaN)
        Eval t = test == null || test.size() == 0 || !finiteWeights() ? Eval.NONE : evaluate(test);
        if (!Double.isFinite(t.loss) && t != Eval.NONE) t = Eval.NONE;  // a measurement that met NaN says nothing
        RunResult result = new RunResult(List.copyOf(history), t.loss, t.accuracy, stopReason, bestEpoch,
                (System.nanoTime() - t0) / 1e9, List.copyOf(findings));
        for (TrainingListener l : listeners) l.onRunEnd(result);
        return result;
    }

    /** For each of the model's parameters, its index in the optimizer's list, or -1 when the optimizer does not hold it. */
    static int[] heldAt(List<Parameter> model, List<Parameter> held) {
        Map<Parameter, Integer> at = new IdentityHashMap<>();
        for (int i = 0; i < held.size(); i++) at.putIfAbsent(held.get(i), i);
        int[] r = new int[model.size()];
        for (int i = 0; i < r.length; i++) r[i] = at.getOrDefault(model.get(i), -1);
        return r;
    }

    private static List<Parameter> unheld(List<Parameter> model, int[] heldAt) {
        List<Parameter> r = new ArrayList<>();
        for (int i = 0; i < heldAt.length; i++) if (heldAt[i] < 0) r.add(model.get(i));
        return r;
    }

    private record Eval(double loss, double accuracy) {
        static final Eval NONE = new Eval(Double.NaN, Double.NaN);
    }

    private boolean finiteWeights() {
        for (Parameter p : model.parameters()) {
            float[] w = p.value().data();
            for (int i = 0, n = p.size(); i < n; i++) if (!Float.isFinite(w[i])) return false;
        }
        return true;
    }

    private Eval evaluate(Dataset d) {
        int outputs = model.outputShape().size();
        boolean needTargets = loss.needsTargets(cfg.encoding());
        int bs = Math.min(cfg.batch(), d.size());
        Batch b = new Batch(d.exampleShape(), bs, cfg.encoding().width(outputs));
        double sum = 0;
        long correct = 0;
        for (int from = 0; from < d.size(); from += bs) {
            int n = Math.min(bs, d.size() - from);
            b.fill(d, null, from, n, needTargets ? cfg.encoding() : null, outputs);
            Tensor out = model.forward(b.x(), Mode.EVAL);
            sum += loss.forward(out, b.labels(), needTargets ? b.targets() : null, null) * n;
            correct += predictions.correct(out, b.labels());
        }
        return new Eval(sum / d.size(), (double) correct / d.size());
    }

    /** Evaluation-mode loss and accuracy of the current model on {@code d}: {@code [loss, accuracy]}. */
    public double[] evaluateOn(Dataset d) {
        Eval e = evaluate(d);
        return new double[] {e.loss, e.accuracy};
    }

    private void scaleGradients(float f) {
        for (Parameter p : model.parameters()) {
            float[] g = p.grad().data();
            for (int i = 0; i < p.size(); i++) g[i] *= f;
        }
    }

    private StepEvent newStepEvent() {
        List<Parameter> ps = model.parameters();
        ParamStats[] pst = new ParamStats[ps.size()];
        for (int i = 0; i < ps.size(); i++) pst[i] = new ParamStats(ps.get(i).fullName(), layers.indexOf(ps.get(i).owner()), ps.get(i).size());
        LayerStats[] lst = new LayerStats[layers.size()];
        for (int i = 0; i < layers.size(); i++) lst[i] = new LayerStats(layers.get(i).path(), layers.get(i).kind());
        return new StepEvent(pst, lst);
    }

    private RunInfo runInfo(Dataset train, Dataset val, Dataset test, int outputs, int stepsPerEpoch) {
        List<LayerInfo> li = LayerInfo.describe(model);
        List<String> params = new ArrayList<>();
        for (Parameter p : model.parameters()) params.add(p.fullName());
        RunInfo.OptimizerInfo oi = OptimizerInfos.describe(optimizer, cfg.lr());
        return new RunInfo(cfg.name(), List.copyOf(li), List.copyOf(params), loss.key(), oi, schedule.key(),
                cfg.encoding().key(), train.classes(), outputs, cfg.epochs(), cfg.batch(), stepsPerEpoch, train.size(),
                val == null ? 0 : val.size(), test == null ? 0 : test.size(), cfg.clipNorm(), cfg.earlyStop(), shares(train),
                val == null || val.size() == 0 ? null : shares(val), control);
    }

    /** Share of each class in a split. */
    private static double[] shares(Dataset d) {
        int[] c = d.classCounts();
        double[] s = new double[c.length];
        for (int i = 0; i < c.length; i++) s[i] = d.size() == 0 ? 0 : (double) c[i] / d.size();
        return s;
    }

    private Finding nonFinite(double l, int epoch, int step, long globalStep, double[] recent, StepEvent last, float lr) {
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("loss", Double.isNaN(l) ? "NaN" : l > 0 ? "Infinity" : "-Infinity");
        ev.put("epoch", epoch + 1);
        ev.put("step", globalStep);
        List<Double> prev = new ArrayList<>();
        for (long g = Math.max(0, globalStep - recent.length); g < globalStep; g++) prev.add(recent[(int) (g % recent.length)]);
        ev.put("previous_losses", prev);
        if (!Double.isNaN(last.gradNorm)) ev.put("last_observed_grad_norm", last.gradNorm);
        ev.put("lr", lr);
        String msg = "the loss became " + ev.get("loss") + " at step " + globalStep + " (epoch " + (epoch + 1) + ", batch " + (step + 1) + "); training stopped";
        return new Finding("LOSS_NONFINITE", Finding.Severity.ERROR, Finding.Stage.TRAIN, null, globalStep, msg, ev,
                "a non-finite value reached the loss: from the inputs (NaN in the data), or from weights or activations that overflowed (learning rate too high, exploding gradients)",
                "check the data for NaN/inf, lower the learning rate, or clip gradients (train.clip_norm)", null);
    }
}
