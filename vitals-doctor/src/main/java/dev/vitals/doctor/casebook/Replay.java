package dev.vitals.doctor.casebook;

import dev.vitals.core.data.PreparedData;
import dev.vitals.core.report.Finding;
import dev.vitals.core.spec.Spec;
import dev.vitals.core.spec.SpecParser;
import dev.vitals.core.train.EpochResult;
import dev.vitals.core.train.Experiment;
import dev.vitals.core.train.RunResult;
import dev.vitals.core.train.TrainingListener;
import dev.vitals.doctor.WatchedRun;
import dev.vitals.doctor.check.Checkup;
import dev.vitals.doctor.check.StepReport;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Replays one run of an incident the way a user would meet it: a broken spec is checked
 * ({@code vitals check}) and then trained under the monitors ({@code vitals train}); a fixed one is
 * trained. The outcome says whether the casebook's expectations hold.
 */
public final class Replay {
    private Replay() {}

    /**
     * @param missing   expected codes that no step produced (broken runs)
     * @param problems  errors and warnings a fixed or sanity run must not have
     * @param reached   each target's measured value
     * @param failed    targets not reached
     */
    public record Outcome(Casebook.Run run, Spec spec, Checkup.Result check, WatchedRun.Outcome train, Set<String> codes,
                          List<String> missing, List<Finding> problems, Map<String, Double> reached, List<String> failed) {
        public boolean ok() { return missing.isEmpty() && problems.isEmpty() && failed.isEmpty(); }
    }

    public static Outcome run(Casebook.Case c, Casebook.Run run, Consumer<StepReport> checkSteps, Consumer<Finding> onFinding,
                              TrainingListener... listeners) {
        Spec spec = SpecParser.read(c.dir().resolve(run.spec()));
        PreparedData data = Experiment.loadData(spec);
        Checkup.Result check = run.broken() ? Checkup.run(spec, data, checkSteps) : null;
        WatchedRun.Outcome train = WatchedRun.train(spec, data, onFinding, listeners);
        Set<String> codes = new LinkedHashSet<>();
        if (check != null) check.findings().forEach(f -> codes.add(f.code()));
        train.findings().forEach(f -> codes.add(f.code()));
        List<String> missing = new ArrayList<>();
        for (String e : run.expect()) if (!codes.contains(e)) missing.add(e);
        List<Finding> problems = new ArrayList<>();
        if (!run.broken()) {
            for (Finding f : train.findings()) if (f.severity() != Finding.Severity.INFO) problems.add(f);
        }
        Map<String, Double> reached = new LinkedHashMap<>();
        List<String> failed = new ArrayList<>();
        for (var t : run.reaches().entrySet()) {
            double v = measure(t.getKey(), train.result());
            reached.put(t.getKey(), v);
            boolean ok = t.getKey().endsWith("_below") ? v <= t.getValue() : v >= t.getValue();
            if (!ok) failed.add(t.getKey() + " " + fmt(v) + (t.getKey().endsWith("_below") ? " > " : " < ") + fmt(t.getValue()));
        }
        return new Outcome(run, spec, check, train, codes, missing, problems, reached, failed);
    }

    /** The result a target names, from the weights the run kept (its best epoch under early stopping). */
    static double measure(String target, RunResult r) {
        if (r == null) return Double.NaN;
        EpochResult best = r.epochs().isEmpty() ? null : r.epochs().get(Math.max(0, Math.min(r.bestEpoch(), r.epochs().size() - 1)));
        return switch (target) {
            case "test_accuracy" -> r.testAccuracy();
            case "val_accuracy" -> best == null ? Double.NaN : best.valAccuracy();
            case "val_loss_below" -> r.epochs().stream().mapToDouble(EpochResult::valLoss).filter(Double::isFinite).min().orElse(Double.NaN);
            default -> throw new IllegalArgumentException("unknown casebook target '" + target + "'");
        };
    }

    private static String fmt(double d) { return String.format("%.4f", d); }
}
