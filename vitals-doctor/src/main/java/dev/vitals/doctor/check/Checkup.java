package dev.vitals.doctor.check;

import dev.vitals.core.data.PreparedData;
import dev.vitals.core.nn.Model;
import dev.vitals.core.report.Finding;
import dev.vitals.core.spec.Spec;
import dev.vitals.core.train.Experiment;
import dev.vitals.core.train.LayerInfo;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.Rules;
import dev.vitals.doctor.rules.DataRule;
import dev.vitals.doctor.rules.LintRule;
import dev.vitals.doctor.rules.ProbeRule;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * The diagnostic hierarchy of {@code vitals check}, in order: data checks, lint, then the probes
 * (initial loss, gradient check, batch mixing, overfit one batch, a short real run under the
 * monitors, the learning-rate range test, the input-independent baseline). Each step reports what it
 * measured. Later steps are skipped when an earlier finding makes them meaningless.
 */
public final class Checkup {
    private Checkup() {}

    public record Result(List<StepReport> steps, List<Finding> findings, double seconds) {}

    /** Runs the hierarchy; bad input (spec, data, model) surfaces as an InputException before any step. */
    public static Result run(Spec spec, Consumer<StepReport> progress) {
        return run(spec, Experiment.loadData(spec), progress);
    }

    /** The hierarchy on data already prepared from the spec. */
    public static Result run(Spec spec, PreparedData data, Consumer<StepReport> progress) {
        return run(spec, data, Experiment.Parts.SPEC, progress);
    }

    /**
     * The hierarchy for a model and optimizer of the user's own making ({@code parts}, through the
     * API): the same probes check a custom layer's gradients and a custom optimizer's update.
     */
    public static Result run(Spec spec, PreparedData data, Experiment.Parts parts, Consumer<StepReport> progress) {
        long t0 = System.nanoTime();
        List<StepReport> steps = new ArrayList<>();
        List<Finding> all = new ArrayList<>();
        // not kept in a variable: a large model's weights would stay alive through every probe
        List<StepReport> pre = preflight(spec, data, parts.build(spec, data.train().exampleShape(), spec.seed()));
        // data that cannot be trained on (the same findings stop vitals train): inputs without any spread,
        // for one, would read to every probe that trains as a bug (a batch it cannot memorise, labels that
        // do not belong to their inputs, dead units, accuracy at chance)
        List<Finding> dataFindings = pre.get(0).findings();
        boolean blocked = blocksTraining(dataFindings);
        // the loss must fit the output (an InputException otherwise), found before any step is
        // reported: bad input is one error line, not a check that starts and then fails
        if (!blocked) Experiment.of(spec, data, parts);
        for (StepReport r : pre) add(steps, all, progress, r);

        List<ProbeRule> probes = new ArrayList<>(Rules.probeRules());
        probes.add(new ShortRun());
        probes.sort(Comparator.comparingInt(ProbeRule::order));
        if (blocked) {
            String why = has(dataFindings, Code.DATA_LABEL_RANGE) ? "labels do not fit the model's outputs"
                    : has(dataFindings, Code.DATA_NONFINITE) ? "the inputs hold NaN or infinity" : "every training example has the same inputs";
            for (ProbeRule p : probes) {
                add(steps, all, progress, new StepReport(steps.size() + 1, p.probeName(), StepReport.SKIPPED,
                        java.util.Map.of("reason", why + "; fix the data first"), List.of(), 0));
            }
            return new Result(steps, all, secs(t0));
        }
        ProbeContext shared = null;
        for (ProbeRule p : probes) {
            long s0 = System.nanoTime();
            Measurements m = new Measurements();
            ProbeContext pc = new ProbeContext(spec, data, parts, m, budget(p));
            if (shared != null) pc.shortRun(shared.shortRun());
            pc.earlier(all);
            List<Finding> f = new ArrayList<>();
            List<Finding> found = probe(p, pc, parts, m);
            // a later step that meets a code already found on the same layer adds nothing new
            for (Finding x : found) {
                if (all.stream().noneMatch(y -> y.code().equals(x.code()) && java.util.Objects.equals(y.layer(), x.layer()))) f.add(x);
            }
            if (pc.shortRun() != null) shared = pc;
            add(steps, all, progress, new StepReport(steps.size() + 1, p.probeName(), m.values().containsKey("skipped") ? StepReport.SKIPPED : status(f),
                    m.values(), f, secs(s0)));
        }
        withdrawMeasuredLint(steps, all);
        confirmMeasuredDecay(steps, all);
        return new Result(steps, all, secs(t0));
    }

    /**
     * A lint rule's guess gives way to a measurement of the same question: when the range test found
     * the spec's learning rate inside the range it measured, the lint's learning-rate warning goes.
     */
    private static void withdrawMeasuredLint(List<StepReport> steps, List<Finding> all) {
        boolean measuredOk = steps.stream().anyMatch(s -> Boolean.TRUE.equals(s.measured().get(
                dev.vitals.doctor.rules.LearningRateRange.WITHIN_MEASURED_RANGE)));
        if (!measuredOk) return;
        all.removeIf(Checkup::lintedRate);
        for (int i = 0; i < steps.size(); i++) {
            StepReport s = steps.get(i);
            if (s.findings().stream().noneMatch(Checkup::lintedRate)) continue;
            List<Finding> kept = s.findings().stream().filter(f -> !lintedRate(f)).toList();
            java.util.Map<String, Object> m = new java.util.LinkedHashMap<>(s.measured());
            m.put("withdrawn", Code.LEARNING_RATE_RANGE.name() + ": the range test measured the spec's rate as working");
            steps.set(i, new StepReport(s.number(), s.name(), status(kept), m, kept, s.seconds()));
        }
    }

    /**
     * ...and a lint's guess that a measurement confirms becomes an error: the weight decay the lint
     * called far above the optimizer's range, measured by the short run holding the weights down.
     */
    private static void confirmMeasuredDecay(List<StepReport> steps, List<Finding> all) {
        java.util.Map<String, Object> run = steps.stream().map(StepReport::measured).filter(m -> m.containsKey("decay_pull")).findFirst().orElse(null);
        if (run == null || !(run.get("decay_pull") instanceof Number pull) || !(run.get("weight_norm_now_over_start") instanceof Number kept)) return;
        if (!dev.vitals.doctor.rules.WeightDecayRange.holds(pull.doubleValue(), kept.doubleValue())) return;
        // the range test ran under the same decay: its valley is the decay's as much as the rate's (sgd at
        // decay 5 was told to cut its rate to 5.2e-5, and trained to 22%; the decay at 1e-4 alone: 97.8%)
        java.util.function.UnaryOperator<Finding> confirm = f -> lintedDecay(f) ? dev.vitals.doctor.rules.WeightDecayRange.confirmed(f, pull.doubleValue(), kept.doubleValue())
                : measuredRate(f) ? dev.vitals.doctor.rules.WeightDecayRange.underDecay(f, pull.doubleValue()) : f;
        all.replaceAll(confirm);
        for (int i = 0; i < steps.size(); i++) {
            StepReport s = steps.get(i);
            if (s.findings().stream().noneMatch(f -> lintedDecay(f) || measuredRate(f))) continue;
            List<Finding> now = s.findings().stream().map(confirm).toList();
            steps.set(i, new StepReport(s.number(), s.name(), status(now), s.measured(), now, s.seconds()));
        }
    }

    private static boolean measuredRate(Finding f) { return f.code().equals(Code.LEARNING_RATE_RANGE.name()) && f.stage() == Finding.Stage.PROBE; }

    private static boolean lintedDecay(Finding f) { return f.code().equals(Code.WEIGHT_DECAY_RANGE.name()) && f.stage() == Finding.Stage.LINT; }

    /** The lint's learning-rate warning: a rule of thumb that the range test measures. */
    private static boolean lintedRate(Finding f) { return f.code().equals(Code.LEARNING_RATE_RANGE.name()) && f.stage() == Finding.Stage.LINT; }

    /**
     * For a run that takes steps 1 and 2 only ({@code vitals train}): where the lint doubts the
     * learning rate, the range test runs as in step 9 and the same withdrawal applies, so that check,
     * fix and train agree on a spec. Returns {@code found} without the lint's warning when the test
     * vouches for the rate, else {@code found} itself.
     */
    public static List<Finding> measureLintedRate(Spec spec, PreparedData data, List<Finding> found) {
        if (blocksTraining(found) || found.stream().noneMatch(Checkup::lintedRate)) return found;
        dev.vitals.doctor.rules.LearningRateRange test = new dev.vitals.doctor.rules.LearningRateRange();
        Measurements m = new Measurements();
        test.probe(new ProbeContext(spec, data, m, budget(test)));
        if (!Boolean.TRUE.equals(m.values().get(dev.vitals.doctor.rules.LearningRateRange.WITHIN_MEASURED_RANGE))) return found;
        return found.stream().filter(f -> !lintedRate(f)).toList();
    }


    /**
     * Steps 1 and 2, which need no training: the data checks on the data as the model will see it,
     * and the lint of the model's structure against the spec's loss, targets and optimizer.
     */
    public static List<StepReport> preflight(Spec spec, PreparedData data, Model model) {
        int outputs = model.outputShape().rank() == 1 ? model.outputShape().size() : -1;
        long s0 = System.nanoTime();
        Measurements m = new Measurements();
        List<Finding> found = new ArrayList<>();
        DataContext dc = new DataContext(spec, data, outputs, m);
        for (DataRule r : Rules.dataRules()) found.addAll(r.check(dc));
        StepReport dataStep = new StepReport(1, "data", status(found), m.values(), found, secs(s0));
        s0 = System.nanoTime();
        m = new Measurements();
        found = new ArrayList<>();
        LintContext lc = new LintContext(spec, LayerInfo.describe(model), model.inputShape().dims(), model.outputShape().dims(),
                data.train().classes(), data.train().size(), size(data.validation()), size(data.test()), m);
        for (LintRule r : Rules.lintRules()) found.addAll(r.lint(lc));
        return List.of(dataStep, new StepReport(2, "lint", status(found), m.values(), found, secs(s0)));
    }

    /**
     * Steps 3 to 6 for a run that trains ({@code vitals train}), each a fraction of a second to about
     * one: the untrained model's loss against an uninformed prediction's, which the monitors cannot see
     * once the first step has moved the weights (a start thousands of times too confident trained to
     * 70% and read as healthy); and the three probes of the code itself, whose bugs a run's curves
     * may not show (a bias gradient summed over the wrong axis trained breast cancer to 92.9% against
     * 94.7%, "healthy", while the gradient check fails it): the gradient check, the update rule and
     * batch mixing.
     */
    public static List<StepReport> beforeTraining(Spec spec, PreparedData data) { return beforeTraining(spec, data, Experiment.Parts.SPEC); }

    /** {@link #beforeTraining(Spec, PreparedData)} on a model and optimizer of the API user's own making. */
    public static List<StepReport> beforeTraining(Spec spec, PreparedData data, Experiment.Parts parts) {
        List<ProbeRule> probes = Rules.probeRules().stream().filter(p -> p.order() >= 3 && p.order() <= 5)
                .sorted(Comparator.comparingInt(ProbeRule::order)).toList();
        List<StepReport> steps = new ArrayList<>();
        for (ProbeRule p : probes) {
            long s0 = System.nanoTime();
            Measurements m = new Measurements();
            List<Finding> found = probe(p, new ProbeContext(spec, data, parts, m, budget(p)), parts, m);
            steps.add(new StepReport(3 + steps.size(), p.probeName(), m.values().containsKey("skipped") ? StepReport.SKIPPED : status(found),
                    m.values(), found, secs(s0)));
        }
        return steps;
    }

    /** Whether the data findings make training meaningless: labels the model cannot predict, non-finite inputs, or inputs the same in every example. */
    public static boolean blocksTraining(List<Finding> findings) {
        return has(findings, Code.DATA_LABEL_RANGE) || has(findings, Code.DATA_NONFINITE) || has(findings, Code.DATA_CONSTANT_INPUTS);
    }

    /**
     * The probe's findings; none, and in {@code m} why it was skipped, where the API user's own code (a
     * layer or an optimizer of {@code parts}) broke its contract or threw: the gradient check names such a
     * layer as a finding, every other probe that meets it says why it could not run, and the rest go on.
     * Anything else, and anything the spec's own parts throw, is Vitals' failure and goes on up.
     */
    private static List<Finding> probe(ProbeRule p, ProbeContext pc, Experiment.Parts parts, Measurements m) {
        try {
            return p.probe(pc);
        } catch (dev.vitals.core.nn.Layer.LayerContractException broken) {
            m.put("skipped", broken.getMessage());
        } catch (RuntimeException thrown) {
            if (parts == Experiment.Parts.SPEC || thrown instanceof dev.vitals.core.InputException) throw thrown;
            m.put("skipped", "the API user's model or optimizer threw " + thrown.getClass().getSimpleName() + (thrown.getMessage() == null ? "" : ": " + thrown.getMessage()));
        }
        return List.of();
    }

    /** Seconds each probe may take: the whole check should stay within a few seconds. */
    private static double budget(ProbeRule p) {
        return switch (p.order()) {
            case 4 -> 1.0;   // gradient check, update rule
            case 6 -> 1.5;   // overfit one batch
            case 7 -> 1.5;   // short run
            case 8 -> 1.0;   // learning-rate range test
            case 9 -> 1.5;   // baseline
            default -> 0.5;
        };
    }

    private static void add(List<StepReport> steps, List<Finding> all, Consumer<StepReport> progress, StepReport r) {
        steps.add(r);
        all.addAll(r.findings());
        if (progress != null) progress.accept(r);
    }

    private static String status(List<Finding> f) { return f.isEmpty() ? StepReport.OK : StepReport.FOUND; }

    private static boolean has(List<Finding> f, Code c) {
        return f.stream().anyMatch(x -> x.code().equals(c.name()) && x.isError());
    }

    private static int size(dev.vitals.core.data.Dataset d) { return d == null ? 0 : d.size(); }

    private static double secs(long t0) { return (System.nanoTime() - t0) / 1e9; }
}
