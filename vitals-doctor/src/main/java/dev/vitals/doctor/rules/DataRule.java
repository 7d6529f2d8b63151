package dev.vitals.doctor.rules;

import dev.vitals.core.report.Finding;
import dev.vitals.doctor.check.DataContext;

import java.util.List;

/** A rule about the data as the model will see it, decided before any training. */
public interface DataRule {
    List<Finding> check(DataContext data);
}
