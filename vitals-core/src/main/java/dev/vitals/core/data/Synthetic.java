package dev.vitals.core.data;

import dev.vitals.core.InputException;
import dev.vitals.core.Words;
import dev.vitals.core.tensor.Shape;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The {@code synthetic:} generators. Each is a pure function of its options and seed: the same
 * options and seed give bit-identical data. Examples come out in a shuffled order, so that a run
 * with {@code shuffle: false} does not see batches sorted by class by accident. Each
 * generator reads all its options before any work, so that an unknown one fails at once.
 */
final class Synthetic {
    private Synthetic() {}

    /** Upper bound on generated values, so that a typo in an option fails clearly instead of exhausting memory. */
    static final long MAX_VALUES = 400_000_000L;

    static LoadedData generate(String name, Options opts, long specSeed) {
        return switch (name) {
            case "xor" -> xor(opts, specSeed);
            case "spirals" -> spirals(opts, specSeed);
            case "blobs" -> blobs(opts, specSeed);
            case "documents" -> Documents.generate(opts, specSeed);
            default -> throw new InputException("data.source: unknown synthetic generator '" + name + "'; expected one of xor, spirals, blobs, documents");
        };
    }

    static long seed(Options opts, long specSeed) {
        Long s = opts.seed("seed");
        return s != null ? s : specSeed;
    }

    /**
     * XOR cycles over the four corners of the unit square. Its own test split is the noise-free truth
     * table: a random 20% hold-out of four points would leave a training set that cannot express XOR.
     */
    static LoadedData xor(Options opts, long specSeed) {
        int n = opts.integer("samples", 4, 4, 10_000_000);
        double noise = opts.number("noise", 0, 0, 100);
        SplittableRandom rng = new SplittableRandom(seed(opts, specSeed) ^ 0x0A0AL);
        opts.finish();
        float[] x = new float[2 * n], y = new float[n];
        for (int i = 0; i < n; i++) {
            int a = (i >> 1) & 1, b = i & 1;
            x[2 * i] = (float) (a + (noise > 0 ? noise * rng.nextGaussian() : 0));
            x[2 * i + 1] = (float) (b + (noise > 0 ? noise * rng.nextGaussian() : 0));
            y[i] = a ^ b;
        }
        Dataset data = new Dataset(Shape.of(2), x, y, 2, List.of("0", "1"));
        Dataset truth = new Dataset(Shape.of(2), new float[] {0, 0, 0, 1, 1, 0, 1, 1}, new float[] {0, 1, 1, 0}, 2, List.of("0", "1"));
        return new LoadedData(data, truth, "synthetic xor: " + n + " points on the corners of the unit square"
                + (noise > 0 ? " with gaussian noise " + noise : "") + ", 2 classes; tested on the 4-point truth table");
    }

    /** Interleaved spiral arms, one per class (the CS231n toy problem): not linearly separable. */
    static LoadedData spirals(Options opts, long specSeed) {
        int n = opts.integer("samples", 600, 2, 10_000_000);
        int classes = opts.integer("classes", 3, 2, 100);
        double noise = opts.number("noise", 0.2, 0, 10);
        SplittableRandom rng = new SplittableRandom(seed(opts, specSeed) ^ 0x5917A15L);
        opts.finish();
        atLeastOnePerClass(n, classes);
        float[] x = new float[2 * n], y = new float[n];
        int i = 0;
        for (int c = 0; c < classes; c++) {
            int m = share(n, classes, c);
            for (int k = 0; k < m; k++, i++) {
                double r = m == 1 ? 0.5 : (double) k / (m - 1);
                double t = 4.0 * c + 4.0 * r + noise * rng.nextGaussian();
                x[2 * i] = (float) (r * Math.sin(t));
                x[2 * i + 1] = (float) (r * Math.cos(t));
                y[i] = c;
            }
        }
        Dataset d = shuffled(new Dataset(Shape.of(2), x, y, classes, classNames(classes)), rng);
        return new LoadedData(d, null, "synthetic spirals: " + n + " points on " + classes + " interleaved spiral arms, noise " + noise);
    }

    /** Gaussian clusters, one per class, around centres drawn uniformly from [-10, 10]^features. */
    static LoadedData blobs(Options opts, long specSeed) {
        int n = opts.integer("samples", 600, 2, 10_000_000);
        int classes = opts.integer("classes", 3, 2, 1000);
        int features = opts.integer("features", 2, 1, 1_000_000);
        double spread = opts.number("spread", 1.0, 0, 1000);
        SplittableRandom rng = new SplittableRandom(seed(opts, specSeed) ^ 0xB10B5L);
        opts.finish();
        atLeastOnePerClass(n, classes);
        fits(n, features);
        double[] centres = new double[classes * features];
        for (int k = 0; k < centres.length; k++) centres[k] = rng.nextDouble(-10, 10);
        float[] x = new float[n * features], y = new float[n];
        int i = 0;
        for (int c = 0; c < classes; c++) {
            for (int k = share(n, classes, c); k > 0; k--, i++) {
                for (int j = 0; j < features; j++) x[i * features + j] = (float) (centres[c * features + j] + spread * rng.nextGaussian());
                y[i] = c;
            }
        }
        Dataset d = shuffled(new Dataset(Shape.of(features), x, y, classes, classNames(classes)), rng);
        return new LoadedData(d, null, "synthetic blobs: " + n + " points in " + classes + " gaussian clusters (spread " + spread
                + ") in " + Words.count(features, "dimension"));
    }

    /** Examples of class {@code c} when {@code n} are shared among {@code classes} as evenly as possible. */
    static int share(int n, int classes, int c) {
        return n / classes + (c < n % classes ? 1 : 0);
    }

    static void atLeastOnePerClass(int n, int classes) {
        if (n < classes) throw new InputException("data.options.samples: " + n + " is fewer than the " + classes + " classes; expected at least one example per class");
    }

    static void fits(long n, long features) {
        if (n * features > MAX_VALUES) {
            throw new InputException("data.options.samples: " + n + " samples x " + features + " features = " + n * features
                    + " values; expected at most " + MAX_VALUES + " (lower samples or features)");
        }
    }

    static List<String> classNames(int classes) {
        String[] names = new String[classes];
        for (int c = 0; c < classes; c++) names[c] = Integer.toString(c);
        return List.of(names);
    }

    static Dataset shuffled(Dataset d, SplittableRandom rng) {
        int[] order = Splits.range(d.size());
        Splits.shuffle(order, rng);
        return d.subset(order);
    }
}
