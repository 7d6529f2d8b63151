package dev.vitals.core.data;

import dev.vitals.core.tensor.Shape;

import java.util.Locale;

/**
 * Per-feature (flat examples) or per-channel (images [C, H, W]) affine normalisation,
 * {@code x' = (x - shift) * scale}, fitted on the training split only. Statistics skip non-finite
 * values, and a feature with no spread is centred, never divided by zero.
 */
public final class Normalizer {
    public enum Kind {
        NONE, STANDARD, MINMAX;

        public String key() { return name().toLowerCase(Locale.ROOT); }

        public static Kind fromKey(String s) {
            for (Kind k : values()) if (k.key().equals(s)) return k;
            return null;
        }
    }

    private final Kind kind;
    private final Shape shape;
    private final float[] shift, scale;

    public Normalizer(Kind kind, Shape shape, float[] shift, float[] scale) {
        this.kind = kind;
        this.shape = shape;
        this.shift = shift;
        this.scale = scale;
    }

    /** The values of one example that share a statistic: the features of a vector, the pixels of a channel. */
    private static int groups(Shape s) { return s.rank() == 3 ? s.dim(0) : s.size(); }

    public static Normalizer fit(Kind kind, Dataset train) {
        Shape s = train.exampleShape();
        int g = groups(s), per = s.size() / g, f = s.size(), n = train.size();
        float[] shift = new float[g], scale = new float[g];
        java.util.Arrays.fill(scale, 1f);
        if (kind == Kind.NONE) return new Normalizer(kind, s, shift, scale);
        float[] x = train.x();
        for (int c = 0; c < g; c++) {
            double sum = 0, sumSq = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
            long count = 0;
            for (int i = 0; i < n; i++) {
                int o = i * f + c * per;
                for (int k = 0; k < per; k++) {
                    float v = x[o + k];
                    if (!Float.isFinite(v)) continue;
                    sum += v;
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                    count++;
                }
            }
            if (count == 0) continue;
            double mean = sum / count;
            if (kind == Kind.STANDARD) {
                for (int i = 0; i < n; i++) {
                    int o = i * f + c * per;
                    for (int k = 0; k < per; k++) {
                        float v = x[o + k];
                        if (Float.isFinite(v)) sumSq += (v - mean) * (v - mean);
                    }
                }
                double std = Math.sqrt(sumSq / count);
                shift[c] = (float) mean;
                scale[c] = std > 1e-12 * Math.max(1, Math.abs(mean)) ? (float) (1 / std) : 1f;
            } else {
                double range = max - min;
                shift[c] = (float) min;
                scale[c] = range > 1e-12 * Math.max(1, Math.abs(max)) ? (float) (1 / range) : 1f;
            }
        }
        return new Normalizer(kind, s, shift, scale);
    }

    /** A normalised copy of {@code d}. */
    public Dataset apply(Dataset d) {
        return kind == Kind.NONE ? d : applyInPlace(d.withX(d.x().clone()));
    }

    /** Normalises {@code d}'s examples where they are, for data no one else holds; returns {@code d}. */
    public Dataset applyInPlace(Dataset d) {
        if (kind == Kind.NONE) return d;
        if (!d.exampleShape().equals(shape)) {
            throw new IllegalArgumentException("normaliser fitted on " + shape + " applied to " + d.exampleShape());
        }
        int g = shift.length, f = shape.size(), per = f / g;
        float[] x = d.x();
        for (int i = 0; i < d.size(); i++) {
            for (int c = 0; c < g; c++) {
                int o = i * f + c * per;
                float sh = shift[c], sc = scale[c];
                for (int k = 0; k < per; k++) x[o + k] = (x[o + k] - sh) * sc;
            }
        }
        return d;
    }

    public Kind kind() { return kind; }

    public float[] shift() { return shift.clone(); }

    public float[] scale() { return scale.clone(); }

    public Shape shape() { return shape; }
}
