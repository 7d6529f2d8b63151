package dev.vitals.cli;

import dev.vitals.core.report.Finding;

import java.util.Locale;

/** Renders a finding for the console: severity, code, where, the symptom, evidence, cause and fix. */
final class FindingPrinter {
    private FindingPrinter() {}

    static String format(Finding f) {
        StringBuilder sb = new StringBuilder();
        sb.append(f.severity().key().toUpperCase(Locale.ROOT)).append(' ').append(f.code());
        if (f.layer() != null) sb.append(" [").append(f.layer()).append(']');
        if (f.step() != null) sb.append(" (step ").append(f.step()).append(')');
        sb.append(": ").append(f.message());
        if (!f.evidence().isEmpty()) sb.append("\n    evidence: ").append(f.evidence());
        if (f.cause() != null) sb.append("\n    cause: ").append(f.cause());
        if (f.fix() != null) sb.append("\n    fix: ").append(f.fix());
        if (f.verified() != null) sb.append("\n    verified: ").append(f.verified());
        return sb.toString();
    }
}
