package dev.vitals.doctor.check;

import dev.vitals.core.report.Finding;

import java.util.List;
import java.util.Map;

/** One step of the diagnostic hierarchy: what it is, what it measured, what it found, how long it took. */
public record StepReport(int number, String name, String status, Map<String, Object> measured, List<Finding> findings, double seconds) {
    public static final String OK = "ok", FOUND = "found", SKIPPED = "skipped";
}
