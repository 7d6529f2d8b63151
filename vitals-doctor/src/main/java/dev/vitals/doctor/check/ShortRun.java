package dev.vitals.doctor.check;

import dev.vitals.core.report.Finding;
import dev.vitals.core.train.Experiment;
import dev.vitals.core.train.RunInfo;
import dev.vitals.core.train.RunResult;
import dev.vitals.core.train.StepEvent;
import dev.vitals.core.train.TrainingListener;
import dev.vitals.doctor.Monitor;
import dev.vitals.doctor.rules.ProbeRule;
import dev.vitals.doctor.trace.Decay;
import dev.vitals.doctor.trace.Trace;

import java.util.List;

/**
 * Step 7 of the hierarchy: a short run of the real training loop on the real data, watched by every
 * runtime rule. It stops after {@link #MAX_STEPS} steps or when its time is up, whichever comes first,
 * but never before {@link #MIN_STEPS}: what the rules see must not depend on how loaded the machine is.
 */
final class ShortRun implements ProbeRule {
    static final int MIN_STEPS = 40, MAX_STEPS = 300;
    /** How many steps past its minimum a run cut by its time may go on to end on an observed step. */
    static final int LATE_STEPS = 10;

    @Override public int order() { return 7; }

    @Override public String probeName() { return "short run"; }

    @Override
    public List<Finding> probe(ProbeContext ctx) {
        Experiment e = ctx.fresh();
        Monitor monitor = new Monitor(null).inLightOf(ctx.earlier());
        TrainingListener stop = new TrainingListener() {
            private RunInfo run;

            @Override public void onRunBegin(RunInfo r) { run = r; }

            @Override public void onStep(StepEvent s) {
                // cut by its time, the run ends on an observed step (or LATE_STEPS after its minimum):
                // stopped after step 39 its last observations were steps 19, 20 and 30, and gradients
                // that had vanished by step 40 (20 layers of 1024, 2e-5 of the last layer's) read healthy
                boolean minimumDone = s.globalStep + 1 >= MIN_STEPS;
                boolean atObservation = s.observed || s.globalStep + 1 >= MIN_STEPS + LATE_STEPS;
                if (s.globalStep + 1 >= MAX_STEPS || minimumDone && atObservation && !ctx.timeLeft()) run.control().requestStop("short run done");
            }
        };
        e.trainer().listen(monitor).listen(stop);
        // with the spec's validation split, as the run would have it: rules that judge held-out
        // examples (a learned loss under a heavy imbalance, overfitting) read the same evidence in
        // check as in train, which they did not on training accuracy alone (85.6% against 83.5% by
        // the majority: an error in check, withdrawn in train by the validation loss)
        RunResult r = e.trainer().fit(e.data().train(), e.data().validation(), null);
        Trace t = monitor.trace();
        ctx.shortRun(t);
        int n = t.steps();
        ctx.measured().put("steps", n);
        if (n > 0) {
            int k = Math.max(1, Math.min(10, n / 5));
            ctx.measured().put("first_loss", t.meanLoss(0, k));
            ctx.measured().put("last_loss", t.meanLoss(n - k, n));
            double acc = 0;
            for (int i = n - k; i < n; i++) acc += t.accuracy(i);
            ctx.measured().put("last_batch_accuracy", acc / k);
        }
        // a weight decay's pull against the loss's gradient, as the run measured it: check's evidence for the
        // setting beside the lint's judgement of it (sgd at decay 5: 8 times the loss's pull, the weights at 1e-33 of their start)
        Decay.Pull p = Decay.of(t);
        if (p != null && p.normStart() > 0) {
            ctx.measured().put("decay_pull", p.pull());
            ctx.measured().put("weight_norm_now_over_start", p.normNow() / p.normStart());
        }
        if (r.stopReason() != null && !r.stopReason().startsWith("short run done")) ctx.measured().put("stopped", r.stopReason());
        return monitor.findings();
    }
}
