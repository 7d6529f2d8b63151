package dev.vitals.doctor.repair;

import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Report;
import dev.vitals.core.spec.Spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code vitals fix} did: the spec before and after (and its YAML), the findings of the first
 * and the final check, the repairs kept, every attempt, and the short runs before and after.
 */
public record FixResult(Spec original, Spec repaired, String yaml, List<Finding> before, List<Finding> after,
                        List<Fixer.Kept> kept, List<Attempt> attempts, ShortTrial.Outcome trialBefore,
                        ShortTrial.Outcome trialAfter, boolean budgetSpent, double seconds) {

    /** Whether the repaired spec checks without an error. */
    public boolean healthy() { return after.stream().noneMatch(Finding::isError); }

    public boolean changed() { return !kept.isEmpty(); }

    /**
     * The original check's findings, each with {@code verified}: what the repairs measurably changed
     * about it; then the findings of the repaired spec that the original did not have.
     */
    public List<Finding> findings() {
        List<Finding> out = new ArrayList<>();
        for (Finding f : before) out.add(f.withVerified(verdict(f)));
        for (Finding f : after) {
            if (before.stream().noneMatch(x -> x.code().equals(f.code()))) {
                out.add(f.withVerified("appeared in the repaired spec" + (kept.isEmpty() ? "" : " (after " + names(kept) + ")") + "; not repaired"));
            }
        }
        return out;
    }

    private String verdict(Finding f) {
        boolean remains = Fixer.holds(after, f);
        if (!remains) {
            // cured at its severity, perhaps still there as a lesser one: say so, as the list of the
            // repaired spec's findings will show it
            String lesser = after.stream().filter(x -> x.code().equals(f.code())).findFirst()
                    .map(x -> "; it remains as a " + x.severity().name().toLowerCase(java.util.Locale.ROOT) + ": " + x.message()).orElse("");
            // a finding can go, come back and go again: the last repair that took it away is the one that held
            for (Fixer.Kept k : kept.reversed()) {
                if (!k.gone().contains(f.code())) continue;
                String how = k.target().equals(f.code()) ? "cured by '" + k.repair().name() + "' (" + k.repair().description() + ")"
                        : "gone with '" + k.repair().name() + "', the repair of " + k.target();
                String change = Outcomes.change(k.before(), k.after());
                return how + ": finding gone" + (change.isEmpty() ? "" : "; " + change) + lesser;
            }
            return "gone in the repaired spec" + (kept.isEmpty() ? "" : " (after " + names(kept) + ")") + lesser;
        }
        List<Attempt> tried = attempts.stream().filter(a -> a.code().equals(f.code())).toList();
        if (f.severity() == Finding.Severity.INFO && tried.isEmpty()) return "not repaired: informational";
        if (tried.isEmpty()) {
            boolean hasCandidates = !RepairCatalogue.candidates(f, original, Double.NaN).isEmpty();
            return budgetSpent && hasCandidates ? "not cured: the time budget was spent before its repairs were tried"
                    : "not cured: no candidate repair for " + f.code() + " applies to this spec";
        }
        StringBuilder sb = new StringBuilder("not cured: ");
        for (int i = 0; i < tried.size(); i++) {
            if (i > 0) sb.append("; ");
            sb.append('\'').append(tried.get(i).repair()).append("': ").append(tried.get(i).why());
        }
        return sb.toString();
    }

    private static String names(List<Fixer.Kept> kept) {
        return String.join(", ", kept.stream().map(k -> k.repair().name()).toList());
    }

    /** The report's {@code metrics}: the repairs kept, every attempt, the short runs before and after. */
    public Map<String, Object> metrics() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epochs", List.of());
        List<Map<String, Object>> repairs = new ArrayList<>();
        for (Fixer.Kept k : kept) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("repair", k.repair().name());
            r.put("description", k.repair().description());
            r.put("target", k.target());
            r.put("gone", List.copyOf(k.gone()));
            r.put("short_run_before", trial(k.before()));
            r.put("short_run_after", trial(k.after()));
            repairs.add(r);
        }
        m.put("repairs", repairs);
        List<Map<String, Object>> tried = new ArrayList<>();
        for (Attempt a : attempts) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("code", a.code());
            t.put("repair", a.repair());
            t.put("kept", a.kept());
            t.put("why", a.why());
            tried.add(t);
        }
        m.put("attempts", tried);
        m.put("short_run_before", trial(trialBefore));
        m.put("short_run_after", trial(trialAfter));
        m.put("errors_before", before.stream().filter(Finding::isError).count());
        m.put("errors_after", after.stream().filter(Finding::isError).count());
        m.put("budget_spent", budgetSpent);
        m.put("seconds", Report.num(seconds));
        return m;
    }

    private static Map<String, Object> trial(ShortTrial.Outcome o) {
        if (o == null) return null;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("split", o.split());
        m.put("examples", o.examples());
        m.put("loss_function", o.lossKind());
        m.put("accuracy", Report.num(o.accuracy()));
        m.put("loss", Report.num(o.loss()));
        m.put("epochs", o.epochs());
        m.put("steps", o.steps());
        m.put("seconds", Report.num(o.seconds()));
        return m;
    }
}
