package dev.vitals.doctor.repair;

import dev.vitals.core.spec.Spec;

import java.util.function.UnaryOperator;

/**
 * A candidate cure: a named, pure transformation of a spec with a one-line description of what it
 * changes. A repair never edits its input; a spec it cannot improve comes back unchanged.
 * {@code removesBug}: it takes out a deliberate bug of the training loop, a correction that is kept
 * once its finding is gone even if a short run then learns more slowly (gradients that were never
 * cleared took larger steps than the rate asked for).
 */
public record Repair(String name, String description, UnaryOperator<Spec> transform, boolean removesBug) {
    public Repair(String name, String description, UnaryOperator<Spec> transform) { this(name, description, transform, false); }

    public Spec apply(Spec spec) { return transform.apply(spec); }

    /** Whether this repair changes anything in {@code spec}: one that does not is not worth a trial. */
    public boolean changes(Spec spec) { return !apply(spec).equals(spec); }
}
