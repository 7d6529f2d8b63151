package dev.vitals.core.report;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One problem found in a run or a check, in the shape DESIGN.md fixes for the JSON report:
 * a stable code, a severity, the stage that found it, optionally the layer and step, the symptom,
 * the numbers that show it, the likely cause and the fix; {@code verified} after a repair was tried.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Finding(String code, Severity severity, Stage stage, String layer, Long step, String message,
                      Map<String, Object> evidence, String cause, String fix, String verified) {

    public enum Severity {
        ERROR, WARNING, INFO;

        @com.fasterxml.jackson.annotation.JsonValue
        public String key() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    public enum Stage {
        DATA, LINT, PROBE, TRAIN;

        @com.fasterxml.jackson.annotation.JsonValue
        public String key() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    public Finding {
        evidence = evidence == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(evidence));
    }

    public Finding withVerified(String v) {
        return new Finding(code, severity, stage, layer, step, message, evidence, cause, fix, v);
    }

    /** The same finding explained anew (by what another finding measured): this evidence, cause and fix. */
    public Finding explained(Map<String, Object> newEvidence, String newCause, String newFix) {
        return new Finding(code, severity, stage, layer, step, message, newEvidence, newCause, newFix, verified);
    }

    /** This finding's evidence with one more entry, for {@link #explained}. */
    public Map<String, Object> evidenceWith(String key, Object value) {
        Map<String, Object> e = new LinkedHashMap<>(evidence);
        e.put(key, value);
        return e;
    }

    /** Not a field of the report: DESIGN.md lists a finding's fields, and "error" is not one. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isError() { return severity == Severity.ERROR; }
}
