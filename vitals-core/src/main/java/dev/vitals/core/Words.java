package dev.vitals.core;

/** Quantities in messages: counts ("1 epoch", "2 epochs": a model of one layer or an early stop after one epoch is common) and memory sizes. */
public final class Words {
    private Words() {}

    /** {@code n} and the noun, plural unless n is 1 ("class" becomes "classes"). */
    public static String count(long n, String noun) {
        if (n == 1) return "1 " + noun;
        boolean es = noun.endsWith("s") || noun.endsWith("x") || noun.endsWith("sh") || noun.endsWith("tch");  // epoch(k) takes an s
        return n + " " + noun + (es ? "es" : "s");
    }

    /** A size in bytes as gibibytes with one decimal ("5.9 GiB"), as the heap and what training needs are compared. */
    public static String gib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }
}
