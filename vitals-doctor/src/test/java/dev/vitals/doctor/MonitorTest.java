package dev.vitals.doctor;

import dev.vitals.core.train.LayerStats;
import dev.vitals.core.train.ParamStats;
import dev.vitals.core.train.RunInfo;
import dev.vitals.core.train.StepEvent;
import dev.vitals.doctor.rules.TraceRule;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** When the Monitor asks its rules during training. */
class MonitorTest {
    @Test
    void aBurstOfObservedStepsIsJudgedEveryFifthStepAndSparseObservationsAlways() {
        RunInfo info = TraceBuilder.mlp(2, "relu", 8).build().info();
        List<Long> asked = new ArrayList<>();
        TraceRule probe = (t, moment) -> {
            if (moment == TraceRule.Moment.STEP) asked.add((long) t.steps() - 1);
            return List.of();
        };
        Monitor m = new Monitor(List.of(probe), null);
        m.onRunBegin(info);
        StepEvent ev = event(info);
        for (long s = 0; s < 300; s++) {
            ev.globalStep = s;
            ev.loss = 1;
            // as the trainer observes: the first 20 steps, then every 100th
            ev.observed = s < 20 || s % 100 == 0;
            m.onStep(ev);
        }
        assertEquals(List.of(0L, 5L, 10L, 15L, 100L, 200L), asked);
        assertEquals(300, m.trace().steps(), "every step is recorded, judged or not");
        assertEquals(22, m.trace().observations().size(), "every observation is recorded, judged or not");

        // a non-finite loss is judged at once, observed or not
        ev.globalStep = 300;
        ev.loss = Double.NaN;
        ev.observed = false;
        m.onStep(ev);
        assertEquals(300L, asked.get(asked.size() - 1));
    }

    @Test
    void everyObservedStepIsJudgedWhenObservationsAreApart() {
        RunInfo info = TraceBuilder.mlp(2, "relu", 8).build().info();
        List<Long> asked = new ArrayList<>();
        Monitor m = new Monitor(List.of((t, moment) -> {
            asked.add((long) t.steps() - 1);
            return List.of();
        }), null);
        m.onRunBegin(info);
        StepEvent ev = event(info);
        for (long s = 0; s < 50; s++) {
            ev.globalStep = s;
            ev.loss = 1;
            ev.observed = s % 2 == 0;
            m.onStep(ev);
        }
        assertEquals(25, asked.size());
    }

    @Test
    void aFindingThatNoLongerHoldsAtTheEndIsWithdrawn() {
        RunInfo info = TraceBuilder.mlp(2, "relu", 8).build().info();
        dev.vitals.core.report.Finding f = new dev.vitals.core.report.Finding("ACCURACY_AT_CHANCE", dev.vitals.core.report.Finding.Severity.ERROR,
                dev.vitals.core.report.Finding.Stage.TRAIN, null, 0L, "at chance", java.util.Map.of(), "c", "f", null);
        boolean[] holds = {true};
        TraceRule rule = new TraceRule() {
            @Override public List<dev.vitals.core.report.Finding> evaluate(dev.vitals.doctor.trace.Trace t, Moment moment) { return List.of(f); }

            @Override public boolean stillHolds(dev.vitals.doctor.trace.Trace t, dev.vitals.core.report.Finding x) { return holds[0]; }
        };
        for (boolean stillHolds : new boolean[] {true, false}) {
            holds[0] = stillHolds;
            List<dev.vitals.core.report.Finding> printed = new ArrayList<>();
            Monitor m = new Monitor(List.of(rule), printed::add);
            m.onRunBegin(info);
            StepEvent ev = event(info);
            ev.loss = 1;
            ev.observed = true;
            m.onStep(ev);
            assertEquals(1, m.findings().size());
            m.onRunEnd(null);
            assertEquals(stillHolds ? 1 : 0, m.findings().size());
            assertEquals(1, printed.size(), "printed when it appeared either way");
        }
    }

    private static StepEvent event(RunInfo info) {
        ParamStats[] ps = new ParamStats[info.parameters().size()];
        for (int i = 0; i < ps.length; i++) ps[i] = new ParamStats(info.parameters().get(i), 0, 10);
        LayerStats[] ls = new LayerStats[info.layers().size()];
        for (int i = 0; i < ls.length; i++) ls[i] = new LayerStats(info.layers().get(i).path(), info.layers().get(i).kind());
        StepEvent ev = new StepEvent(ps, ls);
        ev.batchSize = 8;
        return ev;
    }
}
