package dev.vitals.core.data;

import dev.vitals.core.tensor.Shape;

import java.util.SplittableRandom;

/**
 * {@code synthetic:documents}: a stand-in for a TF-IDF document classifier (business documents in
 * many categories). Each document is a bag of words from three vocabularies:
 * <ul>
 * <li>a Zipf-distributed background vocabulary shared by all categories (the most frequent words
 *     act as stop words and get a low idf);</li>
 * <li>the vocabulary of its category's family: categories come in families of about five related
 *     ones (invoices, receipts, purchase orders...) that share words, which makes them confusable;</li>
 * <li>its category's own topic words, drawn from the whole vocabulary, so that categories overlap
 *     by chance as well.</li>
 * </ul>
 * How much a document talks about its topic varies from document to document, and some barely do:
 * the task is learnable well above chance but not perfectly. Term counts become TF-IDF with the
 * idf of the generated corpus, rows L2-normalised; sparse in content, stored dense.
 */
final class Documents {
    private Documents() {}

    /** Family size: categories that share a vocabulary. */
    static final int FAMILY = 5;
    /** The most frequent background words, never topic words. */
    static final double STOP_FRACTION = 0.02;
    /** Words in a family's and a category's vocabulary (capped by the vocabulary size). */
    static final int FAMILY_WORDS = 60, TOPIC_WORDS = 40;
    /** Per document, the share of words from the family and from the category topic: uniform in [0, max). */
    static final double MAX_FAMILY_SHARE = 0.25, MAX_TOPIC_SHARE = 0.12;

    static LoadedData generate(Options opts, long specSeed) {
        int n = opts.integer("samples", 10_000, 2, 10_000_000);
        int classes = opts.integer("classes", 50, 2, 1000);
        int features = opts.integer("features", 5000, 20, 1_000_000);
        int words = opts.integer("words", 80, 1, 100_000);
        long seed = Synthetic.seed(opts, specSeed);
        opts.finish();
        Synthetic.atLeastOnePerClass(n, classes);
        Synthetic.fits(n, features);
        SplittableRandom rng = new SplittableRandom(seed ^ 0xD0C5L);

        int stop = Math.max(1, (int) (features * STOP_FRACTION));
        Alias background = new Alias(zipf(features, 1.07, 2.7));
        int families = Math.max(1, (classes + FAMILY - 1) / FAMILY);
        int[][] familyWords = new int[families][], topicWords = new int[classes][];
        Alias[] familyDist = new Alias[families], topicDist = new Alias[classes];
        for (int f = 0; f < families; f++) {
            familyWords[f] = distinctWords(Math.min(FAMILY_WORDS, features - stop), stop, features, rng);
            familyDist[f] = new Alias(zipf(familyWords[f].length, 0.8, 1));
        }
        for (int c = 0; c < classes; c++) {
            topicWords[c] = distinctWords(Math.min(TOPIC_WORDS, features - stop), stop, features, rng);
            topicDist[c] = new Alias(zipf(topicWords[c].length, 0.8, 1));
        }

        // balanced classes in a shuffled order
        float[] y = new float[n];
        for (int i = 0, c = 0; c < classes; c++) for (int k = Synthetic.share(n, classes, c); k > 0; k--) y[i++] = c;
        for (int i = n - 1; i > 0; i--) {
            int r = rng.nextInt(i + 1);
            float t = y[i];
            y[i] = y[r];
            y[r] = t;
        }

        float[] x = new float[n * features];
        int[] df = new int[features];
        int[][] touched = new int[n][];
        int[] seen = new int[Math.max(16, words * 4)];
        long tokens = 0;
        for (int i = 0; i < n; i++) {
            int c = (int) y[i], f = c / FAMILY % families;
            int length = length(words, rng);
            double familyShare = rng.nextDouble() * MAX_FAMILY_SHARE, topicShare = rng.nextDouble() * MAX_TOPIC_SHARE;
            int row = i * features, distinct = 0;
            for (int t = 0; t < length; t++) {
                double u = rng.nextDouble();
                int w = u < topicShare ? topicWords[c][topicDist[c].sample(rng)]
                        : u < topicShare + familyShare ? familyWords[f][familyDist[f].sample(rng)]
                        : background.sample(rng);
                if (x[row + w] == 0) {
                    if (distinct == seen.length) seen = java.util.Arrays.copyOf(seen, seen.length * 2);
                    seen[distinct++] = w;
                    df[w]++;
                }
                x[row + w]++;
            }
            touched[i] = java.util.Arrays.copyOf(seen, distinct);
            tokens += length;
        }

        // smoothed idf as scikit-learn's TfidfVectorizer computes it, then unit rows
        float[] idf = new float[features];
        for (int w = 0; w < features; w++) idf[w] = (float) (Math.log((1.0 + n) / (1.0 + df[w])) + 1);
        for (int i = 0; i < n; i++) {
            int row = i * features;
            double sq = 0;
            for (int w : touched[i]) {
                float v = x[row + w] * idf[w];
                x[row + w] = v;
                sq += (double) v * v;
            }
            float inv = (float) (1 / Math.sqrt(sq));
            for (int w : touched[i]) x[row + w] *= inv;
        }
        Dataset d = new Dataset(Shape.of(features), x, y, classes, Synthetic.classNames(classes));
        return new LoadedData(d, null, String.format(java.util.Locale.ROOT,
                "synthetic documents: %d TF-IDF vectors over %d words (%.1f words per document, %.1f distinct), %d categories in %d families",
                n, features, (double) tokens / n, nonZeros(touched) / (double) n, classes, families));
    }

    /** Document length: around {@code mean}, skewed like real documents, at least one word. */
    private static int length(int mean, SplittableRandom rng) {
        double sigma = 0.5;
        return Math.max(1, (int) Math.round(mean * Math.exp(sigma * rng.nextGaussian() - sigma * sigma / 2)));
    }

    /** Zipf-Mandelbrot weights 1 / (rank + q)^s. */
    static double[] zipf(int n, double s, double q) {
        double[] w = new double[n];
        for (int r = 0; r < n; r++) w[r] = 1 / Math.pow(r + 1 + q, s);
        return w;
    }

    /** {@code k} distinct words from [from, to). */
    private static int[] distinctWords(int k, int from, int to, SplittableRandom rng) {
        int[] pool = new int[to - from];
        for (int i = 0; i < pool.length; i++) pool[i] = from + i;
        for (int i = 0; i < k; i++) {
            int r = i + rng.nextInt(pool.length - i);
            int t = pool[i];
            pool[i] = pool[r];
            pool[r] = t;
        }
        return java.util.Arrays.copyOf(pool, k);
    }

    private static long nonZeros(int[][] touched) {
        long s = 0;
        for (int[] t : touched) s += t.length;
        return s;
    }

    /** Walker's alias method: draws from a discrete distribution in constant time. */
    static final class Alias {
        private final double[] prob;
        private final int[] alias;

        Alias(double[] weights) {
            int n = weights.length;
            prob = new double[n];
            alias = new int[n];
            double sum = 0;
            for (double w : weights) sum += w;
            double[] scaled = new double[n];
            int[] small = new int[n], large = new int[n];
            int ns = 0, nl = 0;
            for (int i = 0; i < n; i++) {
                scaled[i] = weights[i] * n / sum;
                if (scaled[i] < 1) small[ns++] = i;
                else large[nl++] = i;
            }
            while (ns > 0 && nl > 0) {
                int s = small[--ns], l = large[--nl];
                prob[s] = scaled[s];
                alias[s] = l;
                scaled[l] -= 1 - scaled[s];
                if (scaled[l] < 1) small[ns++] = l;
                else large[nl++] = l;
            }
            while (nl > 0) prob[large[--nl]] = 1;
            while (ns > 0) prob[small[--ns]] = 1;
        }

        int sample(SplittableRandom rng) {
            int i = rng.nextInt(prob.length);
            return rng.nextDouble() < prob[i] ? i : alias[i];
        }
    }
}
