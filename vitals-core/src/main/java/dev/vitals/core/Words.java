package dev.vitals.core;

/** Counts in messages: "1 epoch", "2 epochs", since a model of one layer or an early stop after one epoch is common. */
public final class Words {
    private Words() {}

    /** {@code n} and the noun, plural unless n is 1 ("class" becomes "classes"). */
    public static String count(long n, String noun) {
        if (n == 1) return "1 " + noun;
        boolean es = noun.endsWith("s") || noun.endsWith("x") || noun.endsWith("sh") || noun.endsWith("tch");  // epoch(k) takes an s
        return n + " " + noun + (es ? "es" : "s");
    }
}
