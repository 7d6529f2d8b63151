package dev.vitals.core.data;

import dev.vitals.core.InputException;
import dev.vitals.core.nn.Fault;
import dev.vitals.core.spec.Spec;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * From a spec's {@code data} section to training, validation and test splits: load the source, hold
 * out the test split (the source's own, or a stratified fraction whose draw does not depend on the
 * seed), reproduce data bugs if asked, hold out validation, then fit the normaliser on the training
 * split alone and apply it to all three.
 */
public final class DataPipeline {
    private DataPipeline() {}

    /**
     * Source arrays of at least this many bytes that the splits copied and dropped are handed back
     * at once (see {@link #prepare}).
     */
    static final long RECLAIM_BYTES = 64L << 20;

    public static PreparedData prepare(Spec.Data spec, long seed, Set<Fault> faults, Path baseDir) {
        SplitData s = split(spec, seed, faults, baseDir);
        Normalizer norm = Normalizer.fit(spec.normalize(), s.train);
        // The arrays are this pipeline's own (fresh from the loader or copied by a split), so they are
        // normalised in place: a second copy of a 188 MB training set would only raise the peak memory.
        PreparedData out = new PreparedData(norm.applyInPlace(s.train), s.validation == null ? null : norm.applyInPlace(s.validation),
                s.test == null ? null : norm.applyInPlace(s.test), norm, s.description, s.origin);
        // When the splits were copied out of a large source, the source is garbage now, and the model's
        // parameters are allocated next. A collection here lets them reuse its memory; without it the
        // heap grows past both (the 200 MB documents' peak RSS: 746 MB without, 587 MB with it).
        if (s.droppedBytes >= RECLAIM_BYTES) System.gc();
        return out;
    }

    private record SplitData(Dataset train, Dataset validation, Dataset test, String description, long droppedBytes, PreparedData.Origin origin) {}

    /** Loads the source and holds out test and validation; the source goes out of scope on return. */
    private static SplitData split(Spec.Data spec, long seed, Set<Fault> faults, Path baseDir) {
        LoadedData loaded = Sources.load(spec.source(), spec.options(), baseDir, seed);
        if (spec.testSource() != null) loaded = Sources.withTestFile(loaded, spec.testSource(), baseDir);
        long dropped = 0;
        Dataset all = loaded.data();
        if (all.size() == 0) throw new InputException("data.source: " + spec.source() + " holds no examples; expected at least one");
        Dataset pool, test;
        // which loaded example each split's example is, followed only for a source that knows its examples' lines
        int[] lines = loaded.lines();
        int[] poolIdx = lines == null ? null : Splits.range(all.size()), testIdx = null, trainIdx, validationIdx = null;
        if ((spec.testAuto() || spec.testSource() != null) && loaded.ownTest() != null) {
            pool = all;
            test = loaded.ownTest();
        } else {
            double fraction = spec.testAuto() ? 0.2 : spec.test();
            if (fraction > 0) {
                Splits.Split s = Splits.stratified(all.labels(), fraction, new SplittableRandom(Splits.TEST_SEED));
                test = all.subset(s.heldOut());
                pool = all.subset(s.kept());
                testIdx = lines == null ? null : s.heldOut();
                poolIdx = lines == null ? null : s.kept();
                dropped += 4L * all.x().length;
            } else {
                pool = all;
                test = null;
            }
        }
        if (faults.contains(Fault.SHUFFLED_LABELS)) pool = shuffledLabels(pool, seed);
        Dataset train, validation = null;
        if (spec.validation() > 0) {
            Splits.Split s = Splits.stratified(pool.labels(), spec.validation(), new SplittableRandom(seed ^ 0x0A11_DA7EL));
            validation = pool.subset(s.heldOut());
            train = pool.subset(s.kept());
            validationIdx = pick(poolIdx, s.heldOut());
            trainIdx = pick(poolIdx, s.kept());
            dropped += 4L * pool.x().length;
        } else {
            train = pool;
            trainIdx = poolIdx;
        }
        if (train.size() == 0) {
            throw new InputException("data.test, data.validation: no training examples left after the test and validation splits ("
                    + spec.source() + ": " + all.size() + " examples, " + (test == null ? 0 : test.size()) + " to test, "
                    + (validation == null ? 0 : validation.size()) + " to validate); expected smaller fractions that leave examples to train on");
        }
        if (faults.contains(Fault.NAN_INPUTS)) {
            train = nanInputs(train, seed);
            trainIdx = null;  // its values are no longer the file's: a NaN named by file line was not in that line
        }
        if (faults.contains(Fault.UNSHUFFLED)) {
            train = sortedByLabel(train);
            trainIdx = null;  // reordered: its lines are not followed
        }
        PreparedData.Origin origin = lines == null ? null
                : new PreparedData.Origin(loaded.file(), pick(lines, trainIdx), pick(lines, validationIdx), pick(lines, testIdx), loaded.featureNames());

        String desc = loaded.description() + String.format("; %d train, %s validation, %s test",
                train.size(), validation == null ? "no" : Integer.toString(validation.size()), test == null ? "no" : Integer.toString(test.size()));
        return new SplitData(train, validation, test, desc, dropped, origin);
    }

    /** {@code from[idx[i]]} for each i; null where either is. */
    private static int[] pick(int[] from, int[] idx) {
        if (from == null || idx == null) return null;
        int[] out = new int[idx.length];
        for (int i = 0; i < idx.length; i++) out[i] = from[idx[i]];
        return out;
    }



    /** The bug of shuffling inputs and labels separately: labels permuted against their inputs. */
    private static Dataset shuffledLabels(Dataset d, long seed) {
        int[] perm = Splits.range(d.size());
        Splits.shuffle(perm, new SplittableRandom(seed ^ 0x1ABE_15L));
        float[] src = d.labelValues(), out = new float[src.length];
        for (int i = 0; i < out.length; i++) out[i] = src[perm[i]];
        return d.withLabels(out);
    }

    /** A corrupt source: about 1% of training examples, at least one, get a NaN in one value. */
    private static Dataset nanInputs(Dataset d, long seed) {
        float[] x = d.x().clone();
        int f = d.features(), n = d.size();
        int count = Math.max(1, n / 100);
        SplittableRandom rng = new SplittableRandom(seed ^ 0x0BAD_DA7AL);
        for (int k = 0; k < count; k++) x[rng.nextInt(n) * f + rng.nextInt(f)] = Float.NaN;
        return d.withX(x);
    }

    /** Training data sorted by label, as a loader that never shuffles a label-ordered file delivers it. */
    private static Dataset sortedByLabel(Dataset d) {
        Integer[] idx = new Integer[d.size()];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        int[] labels = d.labels();
        Arrays.sort(idx, Comparator.comparingInt(i -> labels[i]));
        return d.subset(Arrays.stream(idx).mapToInt(Integer::intValue).toArray());
    }
}
