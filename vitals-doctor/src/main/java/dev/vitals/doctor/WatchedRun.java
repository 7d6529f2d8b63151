package dev.vitals.doctor;

import dev.vitals.core.data.PreparedData;
import dev.vitals.core.report.Finding;
import dev.vitals.core.spec.Spec;
import dev.vitals.core.train.EpochResult;
import dev.vitals.core.train.Experiment;
import dev.vitals.core.train.RunResult;
import dev.vitals.core.train.Trainer;
import dev.vitals.core.train.TrainingListener;
import dev.vitals.doctor.check.Checkup;
import dev.vitals.doctor.check.StepReport;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A training run under the doctor's watch, as {@code vitals train} runs it: the preflight first (the data
 * checks, the lint, the initial loss, and the gradient check, update rule and batch mixing on the model's
 * code; a run whose labels or inputs make training meaningless, or whose own layer breaks the shape
 * contract, is not started), then training with every monitor attached. Findings reach {@code onFinding}
 * as they appear.
 */
public final class WatchedRun {
    private WatchedRun() {}

    /** The data checks, the lint and the initial loss of a spec, before anything trains. */
    public record Preflight(List<StepReport> steps, List<Finding> findings) {
        /** Labels the model cannot predict, or non-finite inputs: training would mean nothing. */
        public boolean blocksTraining() { return Checkup.blocksTraining(findings); }
    }

    /**
     * What a watched run found.
     *
     * @param experiment null when the preflight stopped the run before training
     * @param result     null when it did not train: the data blocks it, or a layer of the API user's own breaks
     *                   the shape contract of {@code Layer}
     * @param findings   preflight, monitors and the engine's own, without duplicates of a code on the same layer
     * @param withdrawn  the preflight's findings that the run measured away, each with the measurement
     */
    public record Outcome(Preflight preflight, Experiment experiment, RunResult result, List<Finding> findings, java.util.Map<Finding, String> withdrawn) {
        public Outcome(Preflight preflight, Experiment experiment, RunResult result, List<Finding> findings) {
            this(preflight, experiment, result, findings, java.util.Map.of());
        }

        public boolean trained() { return result != null; }

        public boolean healthy() { return findings.stream().noneMatch(Finding::isError); }
    }

    public static Preflight preflight(Spec spec, PreparedData data) { return preflight(spec, data, Experiment.Parts.SPEC); }

    /**
     * The preflight of a model and optimizer of the API user's own making ({@code parts}): the lint
     * reads that model's structure, and the gradient check, update rule and batch mixing probe its code.
     */
    public static Preflight preflight(Spec spec, PreparedData data, Experiment.Parts parts) {
        // the model the lint reads is not kept: the probes build their own, and a large model held
        // here was a third copy of the weights alive beside theirs and their optimizer's state
        List<StepReport> steps = new ArrayList<>(Checkup.preflight(spec, data, parts.build(spec, data.train().exampleShape(), spec.seed())));
        if (!Checkup.blocksTraining(steps.get(0).findings())) steps.addAll(Checkup.beforeTraining(spec, data, parts));
        List<Finding> found = new ArrayList<>();
        for (StepReport s : steps) found.addAll(s.findings());
        // as vitals check does, or train and check would disagree on the same spec (fix's final
        // check said 0 warnings, the run then warned)
        return new Preflight(List.copyOf(steps), List.copyOf(Checkup.measureLintedRate(spec, data, found)));
    }

    /** Preflight, then training unless the preflight blocks it. */
    public static Outcome train(Spec spec, PreparedData data, Consumer<Finding> onFinding, TrainingListener... extra) {
        return train(spec, data, Experiment.Parts.SPEC, onFinding, extra);
    }

    /** {@link #train(Spec, PreparedData, Consumer, TrainingListener...)} with a model and optimizer of the API user's own making. */
    public static Outcome train(Spec spec, PreparedData data, Experiment.Parts parts, Consumer<Finding> onFinding, TrainingListener... extra) {
        Preflight pre = preflight(spec, data, parts);
        if (onFinding != null) pre.findings().forEach(onFinding);
        if (pre.blocksTraining()) return new Outcome(pre, null, null, pre.findings());
        return train(pre, Experiment.of(spec, data, parts), onFinding, extra);
    }

    /** Trains an experiment built from the spec the preflight looked at, with every monitor on. */
    public static Outcome train(Preflight pre, Experiment e, Consumer<Finding> onFinding, TrainingListener... extra) {
        // a layer of the API user's own that returns outputs or gradients of the wrong shape cannot be trained
        // through: the preflight named it, and training would only throw the same words from the first step.
        // A gradient that merely disagrees with the numerical one (its finding names the tensor) trains as
        // the bug would: wrong_bias_grad stopped every run here, and vitals train fell over the missing result
        if (pre.findings().stream().anyMatch(WatchedRun::breaksTheContract)) {
            return new Outcome(pre, e, null, pre.findings());
        }
        // everything the monitor raised, what it withdrew at the end included (a rate that threw the loss
        // from 0.71 to 10.1 and then trained to 100% showed its rate, whatever the end reads)
        List<Finding> raised = new ArrayList<>();
        Monitor monitor = new Monitor(f -> {
            raised.add(f);
            if (onFinding != null) onFinding.accept(f);
        }).alreadyReported(pre.findings());
        TrainingListener[] all = new TrainingListener[extra.length + 1];
        all[0] = monitor;
        System.arraycopy(extra, 0, all, 1, extra.length);
        // a whole training run: fused steps from the step where they pay (see Trainer.fusedFrom)
        e.trainer().fusedSteps(Trainer.FUSED_FROM_STEP);
        RunResult r = e.fit(all);
        List<Finding> found = new ArrayList<>(pre.findings());
        found.addAll(monitor.findings());
        // the engine reports a non-finite loss itself; the monitor's report of it says more
        Set<String> seen = new HashSet<>();
        for (Finding f : found) seen.add(f.code() + "|" + f.layer());
        for (Finding f : r.findings()) {
            if (seen.add(f.code() + "|" + f.layer())) {
                found.add(f);
                if (onFinding != null) onFinding.accept(f);
            }
        }
        java.util.Map<Finding, String> withdrawn = new java.util.LinkedHashMap<>();
        String depth = trainedClear(found, r, monitor.trace(), DEPTH_TROUBLE, "vanishing or exploding gradients, saturated or dead units");
        if (depth != null) {
            for (Finding f : found) if (f.code().equals(Code.NO_NORMALIZATION.name()) && f.stage() == Finding.Stage.LINT) withdrawn.put(f, depth);
        }
        // a rate the lint found outside its optimizer's range (a warning) that the run measured: adam at 0.05 on XOR fell from 0.706 to 0.00018 without one rise and
        // reached 100%, and still ended "steps overshoot and the loss bounces or diverges"
        List<Finding> ever = new ArrayList<>(found);
        ever.addAll(raised);
        String rate = trainedClear(ever, r, monitor.trace(), RATE_TROUBLE, "a rate too high or too low: no bounce, divergence, stall or slow fall");
        if (rate != null) {
            for (Finding f : found) {
                if (f.code().equals(Code.LEARNING_RATE_RANGE.name()) && f.stage() == Finding.Stage.LINT && f.severity() == Finding.Severity.WARNING) withdrawn.put(f, rate);
            }
        }
        found.removeAll(withdrawn.keySet());
        return new Outcome(pre, e, r, List.copyOf(found), java.util.Collections.unmodifiableMap(withdrawn));
    }

    /** A gradient-check error about a layer that cannot be run at all (wrong shapes, a throw), not one whose gradient is wrong. */
    private static boolean breaksTheContract(Finding f) {
        return f.isError() && f.code().equals(Code.GRADIENT_CHECK_FAILED.name()) && f.evidence().containsKey("problem") && !f.evidence().containsKey("tensor");
    }

    /** What a deep network without normalisation must show to have trained well: no sign of a signal lost or blown up through its layers. */
    private static final Set<String> DEPTH_TROUBLE = Set.of(Code.VANISHING_GRADIENTS.name(), Code.EXPLODING_GRADIENTS.name(), Code.LOSS_NONFINITE.name(),
            Code.LEARNING_RATE_TOO_HIGH.name(), Code.SATURATED_UNITS.name(), Code.DEAD_RELU.name(), Code.LOSS_PLATEAU.name(), Code.UNDERFITTING.name(),
            Code.ACCURACY_AT_CHANCE.name(), Code.LEARNING_RATE_TOO_LOW.name());

    /** What a rate the lint doubted must show to have served: none of the signs of a rate too high or too low. */
    private static final Set<String> RATE_TROUBLE = Set.of(Code.EXPLODING_GRADIENTS.name(), Code.LOSS_NONFINITE.name(), Code.LEARNING_RATE_TOO_HIGH.name(),
            Code.LEARNING_RATE_TOO_LOW.name(), Code.DEAD_RELU.name(), Code.LOSS_PLATEAU.name(), Code.UNDERFITTING.name(), Code.ACCURACY_AT_CHANCE.name(),
            Code.PARAMETERS_FROZEN.name());

    /**
     * A lint warning is a guess at what a run will show: NO_NORMALIZATION that a deep network will
     * struggle without it, LEARNING_RATE_RANGE that a rate a little outside its optimizer's range will
     * overshoot or crawl. A run that ended at least halfway from chance to a perfect score, with no
     * error and none of the {@code trouble} codes, measured the question (four conv layers and a dense
     * one reached 100% on their test split and still read "a deep network with no normalisation"). The
     * measurement in words, or null where the run does not show it. Regressions keep the warning: no chance level.
     */
    private static String trainedClear(List<Finding> found, RunResult r, dev.vitals.doctor.trace.Trace t, Set<String> trouble, String signs) {
        if (r == null || r.last() == null || t == null || t.info() == null || t.info().regressesLabels()) return null;
        if (found.stream().anyMatch(f -> f.isError() || trouble.contains(f.code()))) return null;
        EpochResult last = r.last();
        boolean val = !Double.isNaN(last.valAccuracy());
        double acc = val ? last.valAccuracy() : last.trainAccuracy(), chance = t.info().chance();
        if (!(acc >= chance + (1 - chance) / 2)) return null;
        return String.format(java.util.Locale.ROOT, "the run trained to %.1f%% %s accuracy (chance %.1f%%) with no sign of %s",
                100 * acc, val ? "validation" : "training", 100 * chance, signs);
    }
}
