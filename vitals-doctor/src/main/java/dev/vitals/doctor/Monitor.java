package dev.vitals.doctor;

import dev.vitals.core.report.Finding;
import dev.vitals.core.train.EpochResult;
import dev.vitals.core.train.RunInfo;
import dev.vitals.core.train.RunResult;
import dev.vitals.core.train.StepEvent;
import dev.vitals.core.train.TrainingListener;
import dev.vitals.doctor.rules.TraceJudge;
import dev.vitals.doctor.rules.TraceRule;
import dev.vitals.doctor.trace.Recorder;
import dev.vitals.doctor.trace.Trace;

import java.util.List;
import java.util.function.Consumer;

/**
 * Watches a training run: records what the engine reports and asks the runtime rules after every
 * observed step, every epoch and at the end. A finding is handed to {@code onFinding} the first time
 * its code appears (per layer), so it can be printed while the run goes on.
 */
public final class Monitor implements TrainingListener {
    private final Recorder recorder = new Recorder();
    private final TraceJudge judge;
    private final Consumer<Finding> onFinding;

    public Monitor(List<TraceRule> rules, Consumer<Finding> onFinding) {
        this.judge = new TraceJudge(rules);
        this.onFinding = onFinding;
    }

    public Monitor(Consumer<Finding> onFinding) { this(Rules.traceRules(), onFinding); }

    /**
     * Findings reported before the run (the preflight's data checks): the monitor does not report
     * their code again for the same layer (DATA_UNSHUFFLED was found by the data check and again at
     * step 20). Returns this monitor.
     */
    public Monitor alreadyReported(List<Finding> earlier) {
        judge.alreadyReported(earlier);
        return this;
    }

    /** Findings of the check's earlier steps, which explain some of the run's (they are reported again where the run shows them too). Returns this monitor. */
    public Monitor inLightOf(List<Finding> earlier) {
        judge.inLightOf(earlier);
        return this;
    }

    @Override
    public void onRunBegin(RunInfo run) { recorder.onRunBegin(run); }

    /**
     * In a run of consecutive observed steps (a run observes its first steps one after another), the
     * rules are asked at the first and then at every {@code BURST_STRIDE}-th: each asking costs about
     * as much as a step of a small model or more (0.3-1.5 ms on the MLP of docs/PERFORMANCE.md, most
     * of it in rule code that runs too rarely to be compiled), and the steps in between add observations the
     * next asking reads anyway. Sparse observations, and a non-finite loss, are always judged.
     */
    static final int BURST_STRIDE = 5;
    private long lastObserved = Long.MIN_VALUE / 2, lastJudged = Long.MIN_VALUE / 2;

    @Override
    public void onStep(StepEvent step) {
        recorder.onStep(step);
        if (!Double.isFinite(step.loss)) {
            evaluate(TraceRule.Moment.STEP);
            return;
        }
        if (!step.observed) return;
        long s = step.globalStep;
        boolean burst = s - lastObserved == 1;
        lastObserved = s;
        if (burst && s - lastJudged < BURST_STRIDE) return;
        lastJudged = s;
        evaluate(TraceRule.Moment.STEP);
    }

    @Override
    public void onEpochEnd(EpochResult epoch) {
        recorder.onEpochEnd(epoch);
        evaluate(TraceRule.Moment.EPOCH);
    }

    @Override
    public void onRunEnd(RunResult result) {
        Trace t = recorder.trace();
        if (t == null) return;
        for (Finding f : judge.end(t)) if (onFinding != null) onFinding.accept(f);
    }

    private void evaluate(TraceRule.Moment moment) {
        Trace t = recorder.trace();
        if (t == null) return;
        for (Finding f : judge.evaluate(t, moment)) if (onFinding != null) onFinding.accept(f);
    }

    public List<Finding> findings() { return judge.findings(); }

    public Trace trace() { return recorder.trace(); }
}
