package dev.vitals.doctor.logs;

import dev.vitals.core.report.Finding;
import dev.vitals.core.train.EpochResult;
import dev.vitals.core.train.LayerInfo;
import dev.vitals.core.train.RunControl;
import dev.vitals.core.train.RunInfo;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.Rules;
import dev.vitals.doctor.rules.LossNonFinite;
import dev.vitals.doctor.rules.TraceJudge;
import dev.vitals.doctor.rules.TraceRule.Moment;
import dev.vitals.doctor.trace.Observation;
import dev.vitals.doctor.trace.Trace;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replays a foreign run's log through the runtime rules that watch {@code vitals train}: each
 * logged step becomes a step of a {@link Trace} (an observed one where the log has gradient norms),
 * each epoch an epoch, and the rules are asked after every logged step, every epoch and at the end,
 * as the monitor asks them live. What a log does not record stays unknown (NaN, or no observation):
 * update ratios, activations, the mode, the batch's labels; the rules that need those stay silent.
 * Like the engine, the replay stops at the first non-finite loss.
 */
public final class LogReplay {
    /** Stands in for the unknown size of the data: chance margins fall to their floor of 2 points. */
    public static final int UNKNOWN_SIZE = 1 << 28;

    public record Result(RunLog log, Trace trace, Classes classes, List<Finding> findings, Long stoppedAt) {}

    private LogReplay() {}

    public static Result run(RunLog log, Classes classes) {
        List<String> params = new ArrayList<>();
        List<LayerInfo> layers = new ArrayList<>();
        int[] owner = layers(log.layerColumns(), params, layers);
        Trace t = new Trace(info(log, classes, layers, params), params, owner, layers).replay();
        // epochs whose training loss is the mean of the step rows logged in them, where those are batches
        // sampled every k steps (a log of epoch rows alone, Keras', gives each epoch's own mean)
        if (log.has(Column.Kind.STEP) && !log.has(Column.Kind.EPOCH_LOSS)) t.sampledEpochLosses();
        TraceJudge judge = new TraceJudge(Rules.traceRules());
        List<EpochResult> epochs = log.epochs();
        int nextEpoch = 0;
        Long stopped = null;
        while (nextEpoch < epochs.size() && epochs.get(nextEpoch).steps() == 0) {
            t.epoch(epochs.get(nextEpoch++));
            judge.evaluate(t, Moment.EPOCH);
        }
        // Vitals' own metrics.jsonl logs every step from 0 and numbers an epoch by the steps done at its end,
        // as the live run does: replayed as the run counts (its OVERFITTING at epoch 6 read step 245, live 246)
        boolean asRun = everyStepFromZero(log.rows()) && log.header(RunLog.BATCH, 1) > 0;
        if (asRun) t.everyStepLogged();
        for (RunLog.Row r : log.rows()) {
            if (asRun) t.step(r.loss(), r.accuracy(), Double.NaN);
            else t.step(r.loss(), r.accuracy(), Double.NaN, r.step());
            if (r.observed()) t.observe(observation(r, params.size(), layers.size(), t.epochs().size()));
            judge.evaluate(t, Moment.STEP);
            if (!Double.isFinite(r.loss())) {
                stopped = r.step();
                break;
            }
            while (nextEpoch < epochs.size() && epochs.get(nextEpoch).steps() == t.steps()) {
                t.epoch(epochs.get(nextEpoch++));
                judge.evaluate(t, Moment.EPOCH);
            }
        }
        judge.end(t);
        List<Finding> found = new ArrayList<>(judge.findings().stream().map(f -> withClasses(f, classes)).toList());
        // the held-out side's own overflow, which no epoch of the trace can carry (NaN there means "not validated")
        RunLog.NonFinite v = log.nonFiniteValidation();
        if (v != null && found.stream().noneMatch(f -> f.code().equals(Code.LOSS_NONFINITE.name()))) found.add(LossNonFinite.onValidation(t, v.epoch(), v.value()));
        return new Result(log, t, classes, List.copyOf(found), stopped);
    }

    private static boolean everyStepFromZero(List<RunLog.Row> rows) {
        for (int i = 0; i < rows.size(); i++) if (rows.get(i).step() != i) return false;
        return !rows.isEmpty();
    }

    /** Findings judged against chance say where the number of classes came from. */
    private static Finding withClasses(Finding f, Classes classes) {
        if (!f.code().equals(Code.ACCURACY_AT_CHANCE.name()) && !f.code().equals(Code.UNDERFITTING.name())) return f;
        Map<String, Object> ev = new LinkedHashMap<>(f.evidence());
        ev.put("classes", classes.count());
        ev.put("classes_from", classes.from());
        return new Finding(f.code(), f.severity(), f.stage(), f.layer(), f.step(), f.message(), ev, f.cause(), f.fix(), f.verified());
    }

    /**
     * One dense layer per logged layer column, in the log's order; a column names a layer
     * ({@code fc1}), or a parameter ({@code fc1.weight}, {@code fc1.bias}). Returns each parameter's layer.
     */
    private static int[] layers(List<String> columns, List<String> params, List<LayerInfo> layers) {
        List<String> paths = new ArrayList<>();
        List<List<String>> owned = new ArrayList<>();
        List<Integer> owner = new ArrayList<>();
        for (String c : columns) {
            String name = Column.classify(c).layer();
            String path = name.endsWith(".weight") || name.endsWith(".bias") ? name.substring(0, name.lastIndexOf('.')) : name;
            String param = name.equals(path) ? path + ".weight" : name;
            int l = paths.indexOf(path);
            if (l < 0) {
                l = paths.size();
                paths.add(path);
                owned.add(new ArrayList<>());
            }
            owned.get(l).add(param);
            params.add(param);
            owner.add(l);
        }
        for (int i = 0; i < paths.size(); i++) {
            // a log names its layers and nothing more: no description to put beside the name (it read "0 (as logged)")
            layers.add(new LayerInfo(i, paths.get(i), "dense", "", new int[] {0}, new int[] {0}, List.copyOf(owned.get(i)), "none", 0));
        }
        return owner.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The plan as far as a log tells it: the epochs it holds, the classes, the first learning rate; sizes unknown. */
    private static RunInfo info(RunLog log, Classes classes, List<LayerInfo> layers, List<String> params) {
        int c = classes.count();
        // as the log gives them (Vitals' own header), else balanced: guessing is then right 1/C of the time
        double[] shares = c > 0 ? log.classShares(c) : null;
        if (shares == null) {
            shares = new double[c];
            Arrays.fill(shares, c > 0 ? 1.0 / c : 0);
        }
        double lr = log.rows().stream().mapToDouble(RunLog.Row::lr).filter(Double::isFinite).findFirst().orElse(Double.NaN);
        List<EpochResult> ep = log.epochs();
        int perEpoch = ep.isEmpty() ? log.rows().size() : (int) Math.max(1, ep.get(0).steps());
        // cross-entropy unless the log says otherwise: the counts inferred are cross-entropy's ln C, and
        // --classes is given for the usual classifier
        String declared = log.lossFunction();
        // what Vitals' own header says of the plan (a binary cross-entropy's one output, the split sizes
        // that set chance margins, the batch, early stopping); unknown in another trainer's log
        int outputs = log.header(RunLog.OUTPUTS, 1), train = log.header(RunLog.TRAIN_EXAMPLES, 1), val = log.header(RunLog.VALIDATION_EXAMPLES, 0);
        int batch = log.header(RunLog.BATCH, 1), earlyStop = log.header(RunLog.EARLY_STOP, 0);
        return new RunInfo("log", List.copyOf(layers), List.copyOf(params), declared != null ? declared : c > 0 ? "cross_entropy" : "unknown",
                // the optimizer where the header names it: a rate judged against its range, as live (adam at 1.0)
                new RunInfo.OptimizerInfo(log.optimizer() != null ? log.optimizer() : "unknown", lr, log.momentum(), false, Double.NaN, Double.NaN, Double.NaN, Double.NaN),
                "unknown", "index", c, outputs > 0 ? outputs : c, ep.size(), batch > 0 ? batch : 1, perEpoch, train > 0 ? train : UNKNOWN_SIZE,
                val > 0 ? val : UNKNOWN_SIZE, 0, 0, Math.max(earlyStop, 0), shares, null, new RunControl());
    }

    private static Observation observation(RunLog.Row r, int params, int layers, int epoch) {
        double[] grad = r.layerGradNorms().clone(), unknown = new double[params], perLayer = new double[layers];
        Arrays.fill(unknown, Double.NaN);
        Arrays.fill(perLayer, Double.NaN);
        // a logged update/weight ratio stands as an update of that size on weights of norm 1 (NaN: not logged)
        double[] update = r.layerUpdateRatios().clone(), value = new double[params];
        Arrays.fill(value, 1);
        return new Observation(r.step(), epoch, 0, r.loss(), (float) r.lr(), true, r.gradNorm(), Double.NaN, false,
                grad, update, value, unknown.clone(), perLayer.clone(), perLayer.clone(), perLayer.clone(),
                perLayer.clone(), perLayer.clone(), perLayer.clone(), false);
    }
}
