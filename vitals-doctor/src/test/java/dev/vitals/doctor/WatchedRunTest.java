package dev.vitals.doctor;

import dev.vitals.core.report.Finding;
import dev.vitals.core.spec.Spec;
import dev.vitals.core.spec.SpecParser;
import dev.vitals.core.train.Experiment;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A watched training run ({@code vitals train}): what its preflight and its monitor report, and that they agree with {@code vitals check}. */
class WatchedRunTest {
    @Test
    void aWatchedRunReportsACodeTheDataCheckFoundOnlyOnce() {
        // wine unshuffled: the data check finds the batches ordered by label, and so does the monitor at step 20
        Spec spec = SpecParser.parse("""
                name: split
                seed: 1
                data: {source: wine, test: 0.3, validation: 0.1, shuffle: false}
                model: {layers: [{dense: 16}, relu, {dense: 3}]}
                optimizer: {name: adam, lr: 0.01}
                train: {epochs: 20, batch: 16}
                """, null);
        List<Finding> printed = new ArrayList<>();
        WatchedRun.Outcome o = WatchedRun.train(spec, Experiment.loadData(spec), printed::add);
        assertEquals(1, o.findings().stream().filter(f -> f.code().equals("DATA_UNSHUFFLED")).count(), o.findings().toString());
        assertEquals(1, printed.stream().filter(f -> f.code().equals("DATA_UNSHUFFLED")).count(), printed.toString());
    }

    @Test
    void theLintsLearningRateWarningGoesWhenTheRangeTestMeasuresTheRateAsWorking() {
        // adam at 0.05 is above the lint's 0.03; on digits the range test's minimum is at 0.2, a quarter
        // of which vouches for it: check withdraws the warning, and a run must too
        Spec works = SpecParser.parse("""
                name: digits
                seed: 1
                data: {source: digits, validation: 0.2}
                model: {layers: [{dense: 64}, relu, {dense: 10}]}
                optimizer: {name: adam, lr: 0.05}
                train: {epochs: 10, batch: 32}
                """, null);
        List<Finding> pre = WatchedRun.preflight(works, Experiment.loadData(works)).findings();
        assertTrue(pre.stream().noneMatch(f -> f.code().equals("LEARNING_RATE_RANGE")), pre.toString());
        // adam at 0.3, above the minimum's third (such runs ended at chance), and at 3: the warning stays
        for (String lr : List.of("0.3", "3")) {
            Spec hot = SpecParser.parse(works.text().replace("lr: 0.05", "lr: " + lr), null);
            List<Finding> kept = WatchedRun.preflight(hot, Experiment.loadData(hot)).findings();
            assertEquals(1, kept.stream().filter(f -> f.code().equals("LEARNING_RATE_RANGE")).count(), lr + ": " + kept);
        }
    }
}
