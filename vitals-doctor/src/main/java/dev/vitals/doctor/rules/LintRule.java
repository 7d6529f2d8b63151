package dev.vitals.doctor.rules;

import dev.vitals.core.report.Finding;
import dev.vitals.doctor.check.LintContext;

import java.util.List;

/** A rule about how the model, loss, targets and optimizer fit together, decided from their structure. */
public interface LintRule {
    List<Finding> lint(LintContext ctx);
}
