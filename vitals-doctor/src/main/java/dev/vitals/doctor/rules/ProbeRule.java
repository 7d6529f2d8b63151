package dev.vitals.doctor.rules;

import dev.vitals.core.report.Finding;
import dev.vitals.doctor.check.ProbeContext;

import java.util.List;

/** A rule decided by an experiment on fresh copies of the spec's model: a probe. */
public interface ProbeRule {
    List<Finding> probe(ProbeContext ctx);

    /** The step of the diagnostic hierarchy this probe belongs to (3 = initial loss ... 9 = baseline). */
    int order();

    /** A short name for the hierarchy's report, e.g. "gradient check". */
    String probeName();
}
