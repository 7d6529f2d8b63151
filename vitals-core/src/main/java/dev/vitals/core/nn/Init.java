package dev.vitals.core.nn;

import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * Weight initialisation. {@code fanIn}/{@code fanOut} count the inputs/outputs of one unit
 * (for conv2d: channels × kernel area). Biases start at zero except under {@code default},
 * which follows PyTorch's default for linear and conv layers: U(±1/√fanIn) for weights and biases.
 */
public record Init(Kind kind, double value) {
    public enum Kind { HE, XAVIER, LECUN, NORMAL, UNIFORM, DEFAULT }

    public static final Init DEFAULT = new Init(Kind.DEFAULT, 0);

    /** Parses {@code he | xavier | lecun | normal:STD | uniform:LIMIT | default}. */
    public static Init parse(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "he": return new Init(Kind.HE, 0);
            case "xavier": return new Init(Kind.XAVIER, 0);
            case "lecun": return new Init(Kind.LECUN, 0);
            case "default": return DEFAULT;
            default:
        }
        int colon = t.indexOf(':');
        if (colon > 0) {
            String head = t.substring(0, colon), arg = t.substring(colon + 1).trim();
            if (head.equals("normal") || head.equals("uniform")) {
                double v;
                try {
                    v = Double.parseDouble(arg);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + s + "': expected " + head + ":NUMBER, e.g. " + head + ":0.01");
                }
                if (!(v > 0) || Double.isInfinite(v)) {
                    throw new IllegalArgumentException("'" + s + "': the " + (head.equals("normal") ? "standard deviation" : "limit") + " must be a positive number");
                }
                // weights are float32: 1e40 became infinity and every loss NaN, 1e-50 zero
                if (Float.isInfinite((float) v) || (float) v == 0) {
                    throw new IllegalArgumentException("'" + s + "': the " + (head.equals("normal") ? "standard deviation" : "limit") + " must be one float32 weights hold (1.4e-45 to 3.4e38)");
                }
                return new Init(head.equals("normal") ? Kind.NORMAL : Kind.UNIFORM, v);
            }
        }
        throw new IllegalArgumentException("unknown initialiser '" + s + "' (expected he, xavier, lecun, normal:STD, uniform:LIMIT or default)");
    }

    public void fillWeights(float[] w, int n, int fanIn, int fanOut, RandomGenerator rng) {
        switch (kind) {
            case HE -> gaussian(w, n, Math.sqrt(2.0 / fanIn), rng);
            case LECUN -> gaussian(w, n, Math.sqrt(1.0 / fanIn), rng);
            case XAVIER -> uniform(w, n, Math.sqrt(6.0 / (fanIn + fanOut)), rng);
            case NORMAL -> gaussian(w, n, value, rng);
            case UNIFORM -> uniform(w, n, value, rng);
            case DEFAULT -> uniform(w, n, 1.0 / Math.sqrt(fanIn), rng);
        }
    }

    public void fillBias(float[] b, int n, int fanIn, RandomGenerator rng) {
        if (kind == Kind.DEFAULT) uniform(b, n, 1.0 / Math.sqrt(fanIn), rng);
        else java.util.Arrays.fill(b, 0, n, 0f);
    }

    private static void gaussian(float[] w, int n, double std, RandomGenerator rng) {
        for (int i = 0; i < n; i++) w[i] = (float) (rng.nextGaussian() * std);
    }

    private static void uniform(float[] w, int n, double limit, RandomGenerator rng) {
        for (int i = 0; i < n; i++) w[i] = (float) ((rng.nextDouble() * 2 - 1) * limit);
    }

    @Override public String toString() {
        return switch (kind) {
            case NORMAL -> "normal:" + value;
            case UNIFORM -> "uniform:" + value;
            default -> kind.name().toLowerCase(Locale.ROOT);
        };
    }
}
