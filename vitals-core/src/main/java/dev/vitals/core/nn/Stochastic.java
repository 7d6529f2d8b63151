package dev.vitals.core.nn;

/**
 * A layer whose training-mode forward pass draws random numbers. A gradient check must see the same
 * function at every evaluation, so it can hold the last draw fixed.
 */
public interface Stochastic {
    /** While frozen, forward passes reuse the last random draw instead of drawing anew. */
    void freeze(boolean frozen);
}
