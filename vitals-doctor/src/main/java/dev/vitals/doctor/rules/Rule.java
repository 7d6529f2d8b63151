package dev.vitals.doctor.rules;

import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.report.Finding.Stage;
import dev.vitals.doctor.Code;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one place where a finding code is decided: its condition and thresholds, the evidence it
 * reports, the likely cause and the fix. A rule looks at what the run shows (data, the model's
 * structure, probes' measurements, the trace of training events), never at how the run was set up
 * to fail. Concrete rules implement one or more of {@link DataRule}, {@link LintRule},
 * {@link ProbeRule}, {@link TraceRule}; the catalog page (docs/catalog.md) is generated from them.
 */
public abstract class Rule {
    public abstract Code code();

    /** The severity the rule usually reports (a rule may report a milder one where it explains why). */
    public abstract Severity severity();

    /** When it fires, in words that name the thresholds. */
    public abstract String condition();

    /** Named thresholds with their values, in the order {@link #condition()} mentions them. */
    public Map<String, Object> thresholds() { return ordered(); }

    /** Where the threshold values come from: published anchors and what Vitals measured. */
    public String basis() { return ""; }

    public abstract String cause();

    public abstract String fix();

    /**
     * The number an earlier finding of {@code code} measured under {@code key}, NaN where none did: what a
     * rule reads to explain its own finding by another's ({@link TraceRule#inLightOf}).
     */
    protected static double measuredBefore(java.util.List<Finding> earlier, Code code, String key) {
        for (Finding e : earlier) {
            if (e.code().equals(code.name()) && e.evidence().get(key) instanceof Number n) return n.doubleValue();
        }
        return Double.NaN;
    }

    protected final Finding finding(Stage stage, String layer, Long step, String message, Map<String, Object> evidence) {
        return finding(stage, severity(), layer, step, message, evidence, cause(), fix());
    }

    protected final Finding finding(Stage stage, Severity severity, String layer, Long step, String message,
                                    Map<String, Object> evidence, String cause, String fix) {
        return new Finding(code().name(), severity, stage, layer, step, message, evidence, cause, fix, null);
    }

    /** A thresholds map built from alternating names and values, keeping their order (the catalog shows it as is). */
    protected static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    /** An evidence map built from alternating keys and values, keeping their order. */
    protected static Map<String, Object> evidence(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) m.put((String) kv[i], Numbers.tidy(kv[i + 1]));
        return m;
    }

    /**
     * Drops the named values that are NaN: metrics a log did not record (its learning rate, its
     * accuracy), which would read as measurements in the evidence. Only for values that cannot be
     * NaN when they are known.
     */
    protected static Map<String, Object> unlogged(Map<String, Object> evidence, String... keys) {
        for (String k : keys) if (evidence.get(k) instanceof Double d && d.isNaN()) evidence.remove(k);
        return evidence;
    }
}
