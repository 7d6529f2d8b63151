package dev.vitals.doctor.rules;

import dev.vitals.core.report.Finding;
import dev.vitals.doctor.trace.Trace;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Asks the runtime rules about a trace, for a run being watched and for a replayed log alike: keeps
 * the first finding of each code (per layer) and the rule that raised it, replaces it when the rule
 * later raises it at a graver severity (a loss that climbed back up, then diverged), and at the end
 * drops those their rule no longer holds of the whole run.
 */
public final class TraceJudge {
    private final List<TraceRule> rules;
    private final Set<String> seen = new HashSet<>();
    private final List<Finding> findings = new ArrayList<>();
    private final Map<Finding, TraceRule> raisedBy = new IdentityHashMap<>();
    private final Map<String, Finding> kept = new HashMap<>();

    public TraceJudge(List<TraceRule> rules) { this.rules = List.copyOf(rules); }

    private List<Finding> earlier = List.of();

    /** Codes (per layer) reported elsewhere, which are not raised again, and which explain what is (see {@link #inLightOf}). */
    public void alreadyReported(List<Finding> earlier) {
        for (Finding f : earlier) seen.add(f.code() + "|" + f.layer());
        inLightOf(earlier);
    }

    /** Findings measured before the run, which the rules may read to explain theirs (see {@link TraceRule#inLightOf}). */
    public void inLightOf(List<Finding> earlier) { this.earlier = List.copyOf(earlier); }

    /** Asks every rule at this moment; returns the findings new to this judge, or graver than before, in the order raised. */
    public List<Finding> evaluate(Trace t, TraceRule.Moment moment) {
        List<Finding> news = null;  // asked on every observed step: nothing is allocated when nothing is new
        for (TraceRule r : rules) {
            for (Finding raised : r.evaluate(t, moment)) {
                Finding f = earlier.isEmpty() ? raised : r.inLightOf(raised, earlier);
                String key = f.code() + "|" + f.layer();
                Finding old = kept.get(key);
                if (seen.add(key)) {
                    findings.add(f);
                } else if (old != null && f.severity().ordinal() < old.severity().ordinal()) {
                    findings.set(findings.indexOf(old), f);
                    raisedBy.remove(old);
                } else {
                    continue;
                }
                kept.put(key, f);
                raisedBy.put(f, r);
                if (news == null) news = new ArrayList<>();
                news.add(f);
            }
        }
        return news == null ? List.of() : news;
    }

    /** Drops the findings that no longer hold of the run as it ended. */
    private void withdrawStale(Trace t) {
        findings.removeIf(f -> !raisedBy.get(f).stillHolds(t, f));
    }

    /**
     * The end of the run: what no longer holds is withdrawn first, and its code (per layer) may then be
     * raised anew by what the rules see at the end (a 2-unit bottleneck on digits "levelled off" at
     * epoch 8, fell slowly on, and ended at 47%: the finding was withdrawn, and the end's "far from
     * fitted" was never raised, the code being taken); then the end's own findings are judged too.
     * Returns the findings new at the end.
     */
    public List<Finding> end(Trace t) {
        List<Finding> stale = findings.stream().filter(f -> !raisedBy.get(f).stillHolds(t, f)).toList();
        for (Finding f : stale) {
            String key = f.code() + "|" + f.layer();
            if (kept.get(key) == f) {
                kept.remove(key);
                seen.remove(key);
            }
        }
        findings.removeAll(stale);
        List<Finding> news = evaluate(t, TraceRule.Moment.END);
        withdrawStale(t);
        return news.stream().filter(findings::contains).toList();
    }

    public List<Finding> findings() { return List.copyOf(findings); }
}
