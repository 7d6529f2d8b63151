package dev.vitals.doctor.rules;

import dev.vitals.core.data.Dataset;
import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.report.Finding.Stage;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.check.DataContext;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Held-out examples that are exact copies of training examples: the validation or test score then
 * partly measures memory, not generalisation. Rows are compared bit for bit (hashed, then checked),
 * as the model sees them; all splits share one normaliser, so rows identical in the source stay
 * identical. A copy whose label differs from its training twin leaks nothing (it is label noise)
 * and is only counted.
 * <p>
 * Not judged when the training split holds fewer than {@link #MIN_DISTINCT} distinct inputs: the
 * inputs are then a handful of points (a truth table such as XOR, a few categories) that every
 * held-out example must repeat.
 */
public final class DataLeakage extends Rule implements DataRule {
    static final double WARN_SHARE = 0.01, ERROR_SHARE = 0.10;
    static final int MIN_COPIES = 3, MIN_DISTINCT = 20;
    /** A held-out copy share up to this multiple of what chance gives on the inputs' grid is the data's nature: info, not a finding to act on. */
    static final double WITHIN_FACTOR = 2;

    @Override public Code code() { return Code.DATA_LEAKAGE; }

    @Override public Severity severity() { return Severity.WARNING; }

    @Override public String condition() {
        return "at least " + MIN_COPIES + " examples and at least " + Numbers.pct(WARN_SHARE) + " of the validation or test split are exact copies of training examples "
                + "with the same label (an error from " + Numbers.pct(ERROR_SHARE) + "); info only where the share is at most " + (int) WITHIN_FACTOR + " times what chance gives "
                + "on the inputs' grid (n training inputs over G possible ones, G the product of each feature's distinct values: binary or coded features); "
                + "not judged when the training split has fewer than " + MIN_DISTINCT + " distinct inputs";
    }

    @Override public Map<String, Object> thresholds() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("copied share of a held-out split (warning)", WARN_SHARE);
        m.put("copied share of a held-out split (error)", ERROR_SHARE);
        m.put("minimum copies", MIN_COPIES);
        m.put("minimum distinct training inputs", MIN_DISTINCT);
        m.put("info when within this multiple of the copy share chance gives on the inputs' grid", WITHIN_FACTOR);
        return m;
    }

    @Override public String basis() {
        return "measured on the bundled specs and the casebook: no held-out example of digits, iris, wine, breast-cancer, fashion-mnist (its own 10,000 test images "
                + "against all 60,000 training images), blobs or documents copies a training example; iris holds one duplicate pair in its source, and spirals "
                + "puts every arm's first point at the origin, so up to 2 of its held-out examples copy a training input, always with another label. "
                + "Three copies and 1% keep such single coincidences quiet; at 10% the held-out score is inflated by up to ten points";
    }

    @Override public String cause() {
        return "the source holds duplicate examples (the same record or image saved twice, augmented copies made before splitting), "
                + "or the validation/test files were drawn from the training data";
    }

    @Override public String fix() {
        return "remove exact duplicates from the source before splitting, and make sure validation and test examples were never part of the training data";
    }

    @Override
    public List<Finding> check(DataContext ctx) {
        Dataset train = ctx.data().train();
        RowIndex index = new RowIndex(train);
        ctx.measured().put("distinct_training_inputs", index.distinct);
        if (index.distinct < MIN_DISTINCT) {
            ctx.measured().put("leakage_not_judged", "only " + index.distinct + " distinct training inputs");
            return List.of();
        }
        Map<String, Object> copiedBySplit = new LinkedHashMap<>(), conflictBySplit = new LinkedHashMap<>(), shareBySplit = new LinkedHashMap<>();
        String worst = null;
        double worstShare = 0;
        int worstCount = 0, worstSize = 0;
        for (DataSplits.Named s : DataSplits.of(ctx.data())) {
            if (s.name().equals("train")) continue;
            Dataset d = s.data();
            int same = 0, conflicting = 0;
            for (int i = 0; i < d.size(); i++) {
                int m = index.match(d, i);
                if (m == RowIndex.SAME_LABEL) same++;
                else if (m == RowIndex.OTHER_LABEL) conflicting++;
            }
            double share = d.size() == 0 ? 0 : (double) same / d.size();
            copiedBySplit.put(s.name(), same);
            conflictBySplit.put(s.name(), conflicting);
            shareBySplit.put(s.name(), Numbers.round(share));
            ctx.measured().put(s.name() + "_copies_of_training", same);
            if (same >= MIN_COPIES && share > worstShare) {
                worst = s.name();
                worstShare = share;
                worstCount = same;
                worstSize = d.size();
            }
        }
        if (worst == null || worstShare < WARN_SHARE) return List.of();
        Severity sev = worstShare >= ERROR_SHARE ? Severity.ERROR : Severity.WARNING;
        StringBuilder msg = new StringBuilder(worstCount + " of " + worstSize + " " + worst + " examples (" + Numbers.pct(worstShare)
                + ") are exact copies of training examples with the same label: the " + worst + " score partly measures memory");
        // Inputs on a coarse grid (binary or coded features, measurements rounded to whole numbers)
        // repeat by chance: spread over G possible points, a held-out example copies one of n training
        // inputs about n/G of the time (1000 rows of 7 binary features: 100% "copies" of a healthy set)
        double grid = log10Grid(train, train.size());
        double chanceShare = Math.min(1, train.size() / Math.pow(10, grid));
        boolean byChance = worstShare <= WITHIN_FACTOR * chanceShare;
        if (byChance) {
            sev = Severity.INFO;
            msg.append("; but the inputs can take at most ").append(Numbers.fmt(Math.pow(10, grid))).append(" distinct values (the product of each feature's), so a held-out example copies one of the ")
                    .append(train.size()).append(" training inputs by chance about ").append(Numbers.pct(chanceShare)).append(" of the time: repeats are in the nature of this data");
        } else if (index.duplicatedRows > 0) {
            msg.append("; ").append(index.duplicatedRows).append(" training examples have an identical twin within the training split too, so the source holds duplicates");
        }
        return List.of(finding(Stage.DATA, sev, null, null, msg.toString(),
                evidence("copies_with_same_label", copiedBySplit, "copied_share", shareBySplit, "copies_with_other_label", conflictBySplit,
                        "training_rows_with_a_twin_in_training", index.duplicatedRows, "distinct_training_inputs", index.distinct,
                        "training_examples", train.size(), "possible_inputs_log10", grid, "copy_share_by_chance", chanceShare),
                cause(), fix()));
    }

    /**
     * log10 of the number of points the inputs could take: the product over features of the distinct
     * values each takes in {@code d}, counting each feature only up to {@code cap} + 1 values (beyond
     * that the grid is at least that large anyway, and counting stops early).
     */
    static double log10Grid(Dataset d, int cap) {
        int f = d.features(), n = d.size();
        float[] x = d.x();
        double log = 0;
        java.util.HashSet<Float> seen = new java.util.HashSet<>();
        for (int k = 0; k < f; k++) {
            seen.clear();
            for (int i = 0; i < n && seen.size() <= cap; i++) seen.add(x[i * f + k]);
            log += Math.log10(seen.size());
            if (log > Math.log10(cap) + 1) break;  // already far more points than examples
        }
        return log;
    }

    /**
     * The distinct training inputs, sorted by a 64-bit hash of their bits, each with the labels it
     * carries; matches are confirmed value by value.
     */
    static final class RowIndex {
        static final int NONE = 0, SAME_LABEL = 1, OTHER_LABEL = 2;
        private final Dataset train;
        private final long[] hashes;
        private final int[] rows;
        private final float[][] labels;
        final int distinct, duplicatedRows;

        RowIndex(Dataset train) {
            this.train = train;
            int n = train.size();
            long[] h = new long[n];
            for (int i = 0; i < n; i++) h[i] = hash(train, i);
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) order[i] = i;
            Arrays.sort(order, (a, b) -> Long.compare(h[a], h[b]));
            List<Long> gh = new ArrayList<>();
            List<Integer> gr = new ArrayList<>();
            List<float[]> gl = new ArrayList<>();
            int dup = 0;
            float[] y = train.labelValues();
            for (int i = 0; i < n; ) {
                int j = i;
                while (j < n && h[order[j]] == h[order[i]]) j++;
                // one hash run (almost always a single row): its distinct rows, how often each occurs, their labels
                int firstGroup = gr.size();
                List<Integer> count = new ArrayList<>();
                for (int a = i; a < j; a++) {
                    int row = order[a], g = firstGroup;
                    while (g < gr.size() && !same(train, row, train, gr.get(g))) g++;
                    if (g == gr.size()) {
                        gh.add(h[row]);
                        gr.add(row);
                        gl.add(new float[] {y[row]});
                        count.add(1);
                    } else {
                        count.set(g - firstGroup, count.get(g - firstGroup) + 1);
                        float[] l = gl.get(g);
                        boolean known = false;
                        for (float v : l) known |= Float.compare(v, y[row]) == 0;
                        if (!known) {
                            l = Arrays.copyOf(l, l.length + 1);
                            l[l.length - 1] = y[row];
                            gl.set(g, l);
                        }
                    }
                }
                for (int c : count) if (c > 1) dup += c;
                i = j;
            }
            hashes = gh.stream().mapToLong(Long::longValue).toArray();
            rows = gr.stream().mapToInt(Integer::intValue).toArray();
            labels = gl.toArray(new float[0][]);
            distinct = rows.length;
            duplicatedRows = dup;
        }

        /** Whether example {@code i} of {@code d} copies a training input, and whether a copy has its label. */
        int match(Dataset d, int i) {
            long h = hash(d, i);
            int k = Arrays.binarySearch(hashes, h);
            if (k < 0) return NONE;
            while (k > 0 && hashes[k - 1] == h) k--;
            float label = d.labelValues()[i];
            for (; k < hashes.length && hashes[k] == h; k++) {
                if (!same(d, i, train, rows[k])) continue;
                for (float v : labels[k]) if (Float.compare(v, label) == 0) return SAME_LABEL;
                return OTHER_LABEL;
            }
            return NONE;
        }

        /** A 64-bit hash of example {@code i}'s bits, in four independent lanes so the multiplications overlap. */
        static long hash(Dataset d, int i) {
            float[] x = d.x();
            int f = d.features(), j = i * f, end = j + f;
            long a = 0x9E3779B97F4A7C15L, b = 0xC2B2AE3D27D4EB4FL, c = 0x165667B19E3779F9L, e = 0x27D4EB2F165667C5L;
            for (; j + 3 < end; j += 4) {
                a = (a ^ Float.floatToIntBits(x[j])) * 0xBF58476D1CE4E5B9L;
                b = (b ^ Float.floatToIntBits(x[j + 1])) * 0x94D049BB133111EBL;
                c = (c ^ Float.floatToIntBits(x[j + 2])) * 0xBF58476D1CE4E5B9L;
                e = (e ^ Float.floatToIntBits(x[j + 3])) * 0x94D049BB133111EBL;
            }
            for (; j < end; j++) a = (a ^ Float.floatToIntBits(x[j])) * 0xBF58476D1CE4E5B9L;
            long h = a ^ Long.rotateLeft(b, 16) ^ Long.rotateLeft(c, 32) ^ Long.rotateLeft(e, 48);
            h ^= h >>> 31;
            h *= 0xBF58476D1CE4E5B9L;
            return h ^ (h >>> 29);
        }

        static boolean same(Dataset a, int i, Dataset b, int j) {
            int f = a.features();
            return Arrays.equals(a.x(), i * f, (i + 1) * f, b.x(), j * f, (j + 1) * f);
        }
    }
}
