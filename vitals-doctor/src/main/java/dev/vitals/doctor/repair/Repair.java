package dev.vitals.doctor.repair;

import dev.vitals.core.spec.Spec;

import java.util.function.UnaryOperator;

/**
 * A candidate cure: a named, pure transformation of a spec with a one-line description of what it
 * changes. A repair never edits its input; a spec it cannot improve comes back unchanged.
 */
public record Repair(String name, String description, UnaryOperator<Spec> transform) {
    public Spec apply(Spec spec) { return transform.apply(spec); }

    /** Whether this repair changes anything in {@code spec}: one that does not is not worth a trial. */
    public boolean changes(Spec spec) { return !apply(spec).equals(spec); }
}
