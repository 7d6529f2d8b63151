package dev.vitals.core.nn;

/** Training or evaluation behaviour of dropout and batch normalisation. */
public enum Mode {
    TRAIN, EVAL;

    public String label() { return name().toLowerCase(java.util.Locale.ROOT); }
}
