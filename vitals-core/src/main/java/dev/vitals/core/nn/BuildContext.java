package dev.vitals.core.nn;

import java.util.EnumSet;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * What a layer needs to create its parameters: the initialiser, a seeded random source, and the
 * bugs it must reproduce (see {@link Fault}). A fault that lives in one layer is claimed by the
 * first layer that can carry it, so it appears exactly once in a model.
 */
public final class BuildContext {
    private final Init init;
    private final RandomGenerator rng;
    private final Set<Fault> faults;
    private final Set<Fault> claimed = EnumSet.noneOf(Fault.class);

    public BuildContext(Init init, RandomGenerator rng, Set<Fault> faults) {
        this.init = init;
        this.rng = rng;
        this.faults = faults.isEmpty() ? EnumSet.noneOf(Fault.class) : EnumSet.copyOf(faults);
    }

    public BuildContext(Init init, RandomGenerator rng) { this(init, rng, Set.of()); }

    public Init init() { return init; }

    public RandomGenerator rng() { return rng; }

    /** Whether a layer took {@code f} on. */
    public boolean claimed(Fault f) { return claimed.contains(f); }

    /** True exactly once, for the first caller, when {@code f} is to be reproduced. */
    public boolean claim(Fault f) {
        if (!faults.contains(f) || claimed.contains(f)) return false;
        claimed.add(f);
        return true;
    }
}
