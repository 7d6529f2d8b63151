package dev.vitals.doctor.rules;

import dev.vitals.core.report.Finding;
import dev.vitals.doctor.trace.Trace;

import java.util.List;

/**
 * A rule about a training run, decided from its trace. It is asked after each observed step, each
 * epoch and at the end, and should answer as soon as the evidence is there: the monitor reports a
 * code (per layer) the first time it appears and ignores repeats.
 */
public interface TraceRule {
    enum Moment { STEP, EPOCH, END }

    List<Finding> evaluate(Trace trace, Moment moment);

    /**
     * Asked at the end of the run for each finding this rule raised during it: whether what it
     * claims still holds of the whole run. One that no longer does (accuracy "at chance" at epoch 12
     * of a run that ended well above it) is withdrawn from the run's findings.
     */
    default boolean stillHolds(Trace trace, Finding finding) { return true; }

    /**
     * A finding this rule raises, read beside what was measured before the run ({@code earlier}: the
     * preflight's or the check's earlier steps), where those measurements explain it better than the
     * trace alone can; the finding itself by default.
     */
    default Finding inLightOf(Finding finding, List<Finding> earlier) { return finding; }
}
