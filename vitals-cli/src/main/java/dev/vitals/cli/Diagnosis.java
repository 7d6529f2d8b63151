package dev.vitals.cli;

import dev.vitals.core.report.Finding;

import java.io.PrintWriter;
import java.util.Comparator;
import java.util.List;

/** The end-of-run diagnosis: findings grouped by stage (data, lint, probe, train), most severe first. */
final class Diagnosis {
    private Diagnosis() {}

    static void print(PrintWriter o, List<Finding> findings) {
        if (findings.isEmpty()) {
            o.println("diagnosis: healthy, nothing found");
            return;
        }
        long errors = findings.stream().filter(Finding::isError).count();
        long warnings = findings.stream().filter(f -> f.severity() == Finding.Severity.WARNING).count();
        o.printf("diagnosis: %s (%d error%s, %d warning%s)%n", errors > 0 ? "UNHEALTHY" : "healthy", errors, errors == 1 ? "" : "s",
                warnings, warnings == 1 ? "" : "s");
        for (Finding.Stage stage : Finding.Stage.values()) {
            List<Finding> in = findings.stream().filter(f -> f.stage() == stage)
                    .sorted(Comparator.comparing(Finding::severity)).toList();
            if (in.isEmpty()) continue;
            o.println("  " + stage.key() + ":");
            for (Finding f : in) o.println(indent(FindingPrinter.format(f), "    "));
        }
    }

    /** One line for a finding the moment it appears during a run. */
    static String notice(Finding f) {
        return "  ! " + f.severity().key().toUpperCase(java.util.Locale.ROOT) + " " + f.code()
                + (f.layer() != null ? " [" + f.layer() + "]" : "") + ": " + f.message();
    }

    private static String indent(String s, String pad) { return pad + s.replace("\n", "\n" + pad); }
}
