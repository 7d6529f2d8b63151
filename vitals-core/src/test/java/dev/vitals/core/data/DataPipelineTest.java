package dev.vitals.core.data;

import dev.vitals.core.loss.TargetEncoding;
import dev.vitals.core.nn.Fault;
import dev.vitals.core.spec.Spec;
import dev.vitals.core.tensor.Shape;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataPipelineTest {
    private static Spec.Data data(String source, Map<String, Object> options, double test, double validation, Normalizer.Kind norm) {
        return new Spec.Data(source, options, test, validation, norm, true, TargetEncoding.INDEX);
    }

    private static PreparedData prepare(Spec.Data d, long seed, Fault... faults) {
        Set<Fault> set = faults.length == 0 ? EnumSet.noneOf(Fault.class) : EnumSet.copyOf(List.of(faults));
        return DataPipeline.prepare(d, seed, set, null);
    }

    // ---- stratified splits -------------------------------------------------------------------

    @Test void stratifiedSplitKeepsClassProportions() {
        int[] labels = new int[1000];
        for (int i = 0; i < 1000; i++) labels[i] = i < 700 ? 0 : i < 900 ? 1 : 2;
        Splits.Split s = Splits.stratified(labels, 0.2, new SplittableRandom(3));
        int[] held = new int[3], kept = new int[3];
        for (int i : s.heldOut()) held[labels[i]]++;
        for (int i : s.kept()) kept[labels[i]]++;
        assertArrayEquals(new int[] {140, 40, 20}, held);
        assertArrayEquals(new int[] {560, 160, 80}, kept);
        int[] all = new int[1000];
        for (int i : s.heldOut()) all[i]++;
        for (int i : s.kept()) all[i]++;
        for (int c : all) assertEquals(1, c, "every example on exactly one side");
        assertFalse(Arrays.equals(s.heldOut(), Splits.stratified(labels, 0.2, new SplittableRandom(4)).heldOut()), "the draw depends on the generator");
    }

    @Test void foldsDealEveryClassEvenly() {
        int[] labels = new int[103];
        for (int i = 0; i < labels.length; i++) labels[i] = i < 71 ? 0 : i < 97 ? 1 : 2;
        int[] fold = Splits.folds(labels, 5, new SplittableRandom(3));
        int[][] perFold = new int[5][3];
        for (int i = 0; i < labels.length; i++) perFold[fold[i]][labels[i]]++;
        for (int c = 0; c < 3; c++) {
            int lo = Integer.MAX_VALUE, hi = 0;
            for (int[] f : perFold) {
                lo = Math.min(lo, f[c]);
                hi = Math.max(hi, f[c]);
            }
            assertTrue(hi - lo <= 1, "class " + c + " spread over the folds within one example: " + Arrays.deepToString(perFold));
        }
        int[] sizes = new int[5];
        for (int f : fold) sizes[f]++;
        assertTrue(Arrays.stream(sizes).max().getAsInt() - Arrays.stream(sizes).min().getAsInt() <= 1, Arrays.toString(sizes));
    }

    @Test void concatenatedDatasetsKeepTheirExamplesInOrder() {
        Dataset a = new Dataset(Shape.of(2), new float[] {1, 2, 3, 4}, new float[] {0, 1}, 2, null);
        Dataset b = new Dataset(Shape.of(2), new float[] {5, 6}, new float[] {2}, 3, null);
        Dataset c = Dataset.concat(a, b);
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, c.x());
        assertArrayEquals(new int[] {0, 1, 2}, c.labels());
        assertEquals(3, c.classes());
    }

    @Test void aSmallClassKeepsAnExampleForTraining() {
        int[] labels = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1};
        Splits.Split s = Splits.stratified(labels, 0.1, new SplittableRandom(1));
        assertEquals(1, s.heldOut().length, "10% of 12");
        assertTrue(Arrays.stream(s.kept()).filter(i -> labels[i] == 1).count() >= 1);
        // at 60%, the small class still keeps one example for training
        Splits.Split most = Splits.stratified(labels, 0.6, new SplittableRandom(1));
        assertEquals(7, most.heldOut().length, "60% of 12");
        assertEquals(1, Arrays.stream(most.kept()).filter(i -> labels[i] == 1).count());
        // at 90% of three classes of five (iris after a test split of 0.9), every class keeps one, though
        // the split then holds 12 of 15 rather than 13 or 14
        int[] five = repeat(3, 5);
        Splits.Split nine = Splits.stratified(five, 0.9, new SplittableRandom(1));
        for (int c = 0; c < 3; c++) {
            int cls = c;
            assertEquals(1, Arrays.stream(nine.kept()).filter(i -> five[i] == cls).count(), "class " + c + " keeps one for training");
        }
    }

    @Test void manySmallClassesGiveTheFractionAskedFor() {
        // per-class rounding held out 33% of 60 classes of 3, 50% of classes of 2, and none of labels seen once
        int[][] cases = {repeat(60, 3), repeat(30, 2), repeat(200, 1)};
        int[] expected = {37, 11, 39};  // within one example of 20%
        for (int k = 0; k < cases.length; k++) {
            int[] labels = cases[k];
            Splits.Split s = Splits.stratified(labels, 0.2, new SplittableRandom(5));
            assertEquals(expected[k], s.heldOut().length, "20% of " + labels.length + ", within one");
            assertEquals(labels.length, s.heldOut().length + s.kept().length);
            if (k < 2) {
                int[] kept = new int[labels.length];
                for (int i : s.kept()) kept[labels[i]]++;
                for (int c = 0; c < labels.length / (k == 0 ? 3 : 2); c++) assertTrue(kept[c] >= 1, "class " + c + " keeps one for training");
            }
        }
    }

    private static int[] repeat(int classes, int each) {
        int[] labels = new int[classes * each];
        for (int i = 0; i < labels.length; i++) labels[i] = i / each;
        return labels;
    }

    @Test void pipelineSplitsAreStratifiedAndTheTestSplitIgnoresTheSeed() {
        Spec.Data d = data("iris", Map.of(), Double.NaN, 0.25, Normalizer.Kind.NONE);
        PreparedData a = prepare(d, 1), b = prepare(d, 2);
        assertArrayEquals(new int[] {10, 10, 10}, a.test().classCounts(), "auto: a fixed 20% of each class");
        assertArrayEquals(new int[] {10, 10, 10}, a.validation().classCounts(), "25% of the remaining 40 per class");
        assertArrayEquals(new int[] {30, 30, 30}, a.train().classCounts());
        assertArrayEquals(a.test().x(), b.test().x(), "the test examples do not depend on the seed");
        assertFalse(Arrays.equals(a.validation().x(), b.validation().x()), "the validation draw does");
        assertEquals("iris (UCI): 150 examples, 4 features, 3 classes; 90 train, 30 validation, 30 test", a.description());
    }

    @Test void ownTestSplitIsUsedOnAuto() {
        PreparedData p = prepare(data("synthetic:xor", Map.of("samples", 40L), Double.NaN, 0, Normalizer.Kind.NONE), 1);
        assertEquals(40, p.train().size(), "trains on everything generated");
        assertNull(p.validation());
        assertArrayEquals(new float[] {0, 0, 0, 1, 1, 0, 1, 1}, p.test().x());
        PreparedData q = prepare(data("synthetic:xor", Map.of("samples", 40L), 0.5, 0, Normalizer.Kind.NONE), 1);
        assertEquals(20, q.test().size(), "an explicit fraction holds out part of the generated data instead");
    }

    // ---- normalisation -----------------------------------------------------------------------

    @Test void normaliserIsFittedOnTheTrainingSplitOnly() {
        Dataset all = Sources.load("wine", Map.of(), null, 1).data();
        PreparedData p = prepare(data("wine", Map.of(), Double.NaN, 0.2, Normalizer.Kind.STANDARD), 5);
        int f = all.features();
        double[] trainMean = columnMeans(p.train()), trainSd = columnSds(p.train()), valMean = columnMeans(p.validation());
        double[] allMean = columnMeans(all);
        float[] shift = p.normalizer().shift();
        assertEquals(13, shift.length, "one statistic per feature");
        boolean valExactlyCentred = true, shiftIsAllDataMean = true;
        for (int j = 0; j < f; j++) {
            assertEquals(0, trainMean[j], 1e-5, "feature " + j);
            assertEquals(1, trainSd[j], 1e-4, "feature " + j);
            valExactlyCentred &= Math.abs(valMean[j]) < 1e-5;
            shiftIsAllDataMean &= Math.abs(shift[j] - allMean[j]) < 1e-6 * Math.max(1, Math.abs(allMean[j]));
        }
        assertFalse(valExactlyCentred, "validation is normalised with the training statistics, not its own");
        assertFalse(shiftIsAllDataMean, "statistics come from the training split, not all the data");
    }

    @Test void perChannelForImages() {
        // two channels of 2x2 pixels: channel 0 around 100, channel 1 around 0.5
        float[] x = new float[3 * 8];
        for (int i = 0; i < 3; i++) {
            for (int k = 0; k < 4; k++) {
                x[i * 8 + k] = 100 + 10 * (k + i);
                x[i * 8 + 4 + k] = 0.5f + 0.1f * (k - i);
            }
        }
        Dataset d = new Dataset(Shape.of(2, 2, 2), x, new float[] {0, 1, 0}, 2, null);
        Normalizer n = Normalizer.fit(Normalizer.Kind.STANDARD, d);
        assertEquals(2, n.shift().length, "one statistic per channel, not per pixel");
        assertEquals(125, n.shift()[0], 1e-4);
        assertEquals(0.55f, n.shift()[1], 1e-6);
        float[] y = n.apply(d).x();
        for (int c = 0; c < 2; c++) {
            double s = 0, sq = 0;
            for (int i = 0; i < 3; i++) for (int k = 0; k < 4; k++) {
                double v = y[i * 8 + c * 4 + k];
                s += v;
                sq += v * v;
            }
            assertEquals(0, s / 12, 1e-5, "channel " + c);
            assertEquals(1, sq / 12, 1e-4, "channel " + c);
        }
        // pixels keep their order within a channel: one statistic shifts them all alike
        assertTrue(y[0] < y[1] && y[1] < y[2] && y[2] < y[3]);
    }

    @Test void zeroVarianceFeaturesAreCentredNotDividedByZero() {
        float[] x = {5, 1, 5, 2, 5, 3, 5, 4};
        Dataset d = new Dataset(Shape.of(2), x, new float[] {0, 1, 0, 1}, 2, null);
        Normalizer std = Normalizer.fit(Normalizer.Kind.STANDARD, d);
        float[] y = std.apply(d).x();
        for (int i = 0; i < 4; i++) assertEquals(0f, y[2 * i], "constant feature centred to 0");
        assertEquals(1f, std.scale()[0]);
        assertEquals(-1.3416408f, y[1], 1e-6);   // (1 - 2.5) / sd 1.118
        float[] m = Normalizer.fit(Normalizer.Kind.MINMAX, d).apply(d).x();
        for (int i = 0; i < 4; i++) assertEquals(0f, m[2 * i]);
        assertArrayEquals(new float[] {0, 1 / 3f, 2 / 3f, 1}, new float[] {m[1], m[3], m[5], m[7]}, 1e-6f);
    }

    @Test void statisticsSkipNonFiniteValues() {
        float[] x = {1, Float.NaN, 3, Float.POSITIVE_INFINITY};
        Dataset d = new Dataset(Shape.of(1), x, new float[] {0, 0, 1, 1}, 2, null);
        Normalizer n = Normalizer.fit(Normalizer.Kind.STANDARD, d);
        assertEquals(2f, n.shift()[0]);
        assertEquals(1f, n.scale()[0]);
        float[] y = n.apply(d).x();
        assertEquals(-1f, y[0]);
        assertTrue(Float.isNaN(y[1]), "a NaN stays NaN for the data checks to find");
    }

    @Test void noneLeavesDataUntouched() {
        Dataset d = new Dataset(Shape.of(1), new float[] {7, 9}, new float[] {0, 1}, 2, null);
        assertSame(d, Normalizer.fit(Normalizer.Kind.NONE, d).apply(d));
    }

    @Test void applyCopiesAndApplyInPlaceGivesTheSameNumbers() {
        Dataset d = Sources.load("wine", Map.of(), null, 1).data();
        float[] raw = d.x().clone();
        Normalizer n = Normalizer.fit(Normalizer.Kind.STANDARD, d);
        Dataset copy = n.apply(d);
        assertArrayEquals(raw, d.x(), "apply leaves its input alone");
        assertFalse(copy.x() == d.x(), "apply returns a copy");
        assertSame(d, n.applyInPlace(d));
        assertArrayEquals(copy.x(), d.x(), "in place: the same values as the copy");
    }

    @Test void pipelineNormalisesItsOwnSplitsAsACopyWould() {
        // the pipeline normalises in place; the values must equal normalising the raw splits
        Spec.Data spec = data("wine", Map.of(), 0.2, 0.2, Normalizer.Kind.MINMAX);
        PreparedData raw = prepare(data("wine", Map.of(), 0.2, 0.2, Normalizer.Kind.NONE), 3);
        PreparedData p = prepare(spec, 3);
        Normalizer n = Normalizer.fit(Normalizer.Kind.MINMAX, raw.train());
        assertArrayEquals(n.apply(raw.train()).x(), p.train().x());
        assertArrayEquals(n.apply(raw.validation()).x(), p.validation().x());
        assertArrayEquals(n.apply(raw.test()).x(), p.test().x());
        assertArrayEquals(raw.train().labelValues(), p.train().labelValues());
    }

    // ---- data faults -------------------------------------------------------------------------

    private static final Spec.Data BLOBS = data("synthetic:blobs", Map.of("samples", 500L, "classes", 5L), 0, 0, Normalizer.Kind.NONE);

    @Test void shuffledLabelsPermutesLabelsAgainstInputs() {
        Dataset clean = prepare(BLOBS, 3).train(), broken = prepare(BLOBS, 3, Fault.SHUFFLED_LABELS).train();
        assertArrayEquals(clean.x(), broken.x(), "inputs untouched");
        assertArrayEquals(clean.classCounts(), broken.classCounts(), "the same labels...");
        int same = 0;
        for (int i = 0; i < clean.size(); i++) if (clean.labels()[i] == broken.labels()[i]) same++;
        assertTrue(same < clean.size() * 0.35, "...on other inputs: only " + same + " of 500 keep their label (chance is 100)");
    }

    @Test void nanInputsPutsAFewNansInTrainingInputsOnly() {
        Spec.Data d = data("synthetic:blobs", Map.of("samples", 1000L, "classes", 4L), 0.2, 0.2, Normalizer.Kind.NONE);
        PreparedData clean = prepare(d, 3), broken = prepare(d, 3, Fault.NAN_INPUTS);
        float[] a = clean.train().x(), b = broken.train().x();
        int nans = 0;
        for (int i = 0; i < b.length; i++) {
            if (Float.isNaN(b[i])) nans++;
            else assertEquals(a[i], b[i], "other values unchanged");
        }
        int n = broken.train().size();
        assertEquals(640, n);
        assertTrue(nans >= 1 && nans <= n / 100, nans + " NaNs in " + n + " training examples");
        assertTrue(nans >= n / 100 - 1, "about 1% of examples: " + nans);
        for (float v : broken.validation().x()) assertFalse(Float.isNaN(v));
        for (float v : broken.test().x()) assertFalse(Float.isNaN(v));
    }

    @Test void unshuffledSortsTrainingDataByLabel() {
        Dataset clean = prepare(BLOBS, 3).train(), broken = prepare(BLOBS, 3, Fault.UNSHUFFLED).train();
        int[] l = broken.labels();
        boolean sortedClean = true;
        for (int i = 1; i < l.length; i++) {
            assertTrue(l[i - 1] <= l[i], "sorted at " + i);
            sortedClean &= clean.labels()[i - 1] <= clean.labels()[i];
        }
        assertFalse(sortedClean, "without the fault the order is mixed");
        assertArrayEquals(clean.classCounts(), broken.classCounts());
        // each example keeps its own label: find the first clean example in the sorted data
        int f = clean.features();
        float[] first = Arrays.copyOf(clean.x(), f);
        boolean found = false;
        for (int i = 0; i < broken.size() && !found; i++) {
            if (Arrays.equals(first, Arrays.copyOfRange(broken.x(), i * f, i * f + f))) {
                assertEquals(clean.labels()[0], l[i]);
                found = true;
            }
        }
        assertTrue(found);
    }

    @Test void noTrainingDataLeft() {
        Spec.Data d = data("synthetic:xor", Map.of(), 0.5, 0.9, Normalizer.Kind.NONE);
        IdxTest.assertMessage(() -> prepare(d, 1), "data.test, data.validation: no training examples left after the test and validation splits "
                + "(synthetic:xor: 4 examples, 2 to test, 2 to validate); expected smaller fractions that leave examples to train on");
    }

    // ---- through a spec ----------------------------------------------------------------------

    @Test void aTestFileOfItsOwnIsTheTestSplitWithTheTrainingFilesClasses(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        // a user's train.csv and test.csv: "data.test: expected 'auto' or a fraction" left them to merge the files
        StringBuilder train = new StringBuilder("a,b,fruit\n"), test = new StringBuilder("a,b,fruit\n");
        String[] names = {"apple", "cherry", "pear"};
        for (int i = 0; i < 60; i++) train.append(i).append(',').append(-i).append(',').append(names[i % 3]).append('\n');
        // the test file holds only two of the words: on its own it would number pear 1, not 2
        for (int i = 0; i < 10; i++) test.append(100 + i).append(',').append(i).append(',').append(i % 2 == 0 ? "apple" : "pear").append('\n');
        java.nio.file.Files.writeString(dir.resolve("train.csv"), train);
        java.nio.file.Files.writeString(dir.resolve("test.csv"), test);
        Spec.Data d = new Spec.Data("csv:train.csv", Map.of(), Double.NaN, 0.2, Normalizer.Kind.NONE, true, TargetEncoding.INDEX, "csv:test.csv");
        PreparedData p = DataPipeline.prepare(d, 1, EnumSet.noneOf(Fault.class), dir);
        assertEquals(10, p.test().size());
        assertEquals(60, p.train().size() + p.validation().size(), "the training file is not split for a test");
        assertEquals(List.of("apple", "cherry", "pear"), p.test().classNames());
        assertEquals(3, p.test().classes());
        assertEquals(0, p.test().labels()[0]);
        assertEquals(2, p.test().labels()[1], "pear is the training file's class 2");
        assertEquals(100f, p.test().x()[0]);
        assertTrue(p.description().contains("tested on test.csv (10 examples)"), p.description());

        // a word the training file never saw, columns that differ, labels of another kind: each named
        java.nio.file.Files.writeString(dir.resolve("odd.csv"), "a,b,fruit\n1,2,apple\n3,4,plum\n");
        String m = org.junit.jupiter.api.Assertions.assertThrows(dev.vitals.core.InputException.class,
                () -> DataPipeline.prepare(new Spec.Data("csv:train.csv", Map.of(), Double.NaN, 0.2, Normalizer.Kind.NONE, true, TargetEncoding.INDEX, "csv:odd.csv"),
                        1, EnumSet.noneOf(Fault.class), dir)).getMessage();
        assertTrue(m.contains("data.test: odd.csv line 3: label 'plum' is not a class of the training file train.csv (apple, cherry, pear)"), m);
        java.nio.file.Files.writeString(dir.resolve("wide.csv"), "a,b,c,fruit\n1,2,3,apple\n");
        m = org.junit.jupiter.api.Assertions.assertThrows(dev.vitals.core.InputException.class,
                () -> DataPipeline.prepare(new Spec.Data("csv:train.csv", Map.of(), Double.NaN, 0.2, Normalizer.Kind.NONE, true, TargetEncoding.INDEX, "csv:wide.csv"),
                        1, EnumSet.noneOf(Fault.class), dir)).getMessage();
        assertTrue(m.contains("data.test: wide.csv has 3 features a row, the training file train.csv 2"), m);
        java.nio.file.Files.writeString(dir.resolve("numbers.csv"), "a,b,fruit\n1,2,0\n");
        m = org.junit.jupiter.api.Assertions.assertThrows(dev.vitals.core.InputException.class,
                () -> DataPipeline.prepare(new Spec.Data("csv:train.csv", Map.of(), Double.NaN, 0.2, Normalizer.Kind.NONE, true, TargetEncoding.INDEX, "csv:numbers.csv"),
                        1, EnumSet.noneOf(Fault.class), dir)).getMessage();
        assertTrue(m.contains("numbers.csv has number labels, the training file train.csv word labels"), m);
    }

    @Test void specFileNamesOptionErrorsAndAnchorsRelativePaths(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path specFile = dir.resolve("specs/xor.yaml");
        Spec bad = dev.vitals.core.spec.SpecParser.parse("""
                data: {source: "synthetic:xor", options: {samples: 8, nois: 0.1}}
                model: {layers: [{dense: 2}]}
                """, specFile);
        IdxTest.assertMessage(() -> dev.vitals.core.train.Experiment.loadData(bad),
                specFile + ": data.options.nois: unknown option for synthetic:xor; expected one of noise, samples, seed");

        IdxFiles.dataset(dir.resolve("specs/images"), 10, 4, 5, 5, 2, true);
        Spec idx = dev.vitals.core.spec.SpecParser.parse("""
                data: {source: "idx:images", validation: 0.2}
                model: {layers: [flatten, {dense: 2}]}
                """, specFile);
        PreparedData p = dev.vitals.core.train.Experiment.loadData(idx);
        assertEquals(Shape.of(1, 5, 5), p.train().exampleShape());
        assertEquals(4, p.test().size(), "the folder's t10k files are its test split");
        assertEquals(8, p.train().size());
        assertEquals(2, p.validation().size());
        assertEquals(1, p.normalizer().shift().length, "one channel");
    }

    private static double[] columnMeans(Dataset d) {
        int f = d.features();
        double[] m = new double[f];
        for (int i = 0; i < d.size(); i++) for (int j = 0; j < f; j++) m[j] += d.x()[i * f + j];
        for (int j = 0; j < f; j++) m[j] /= d.size();
        return m;
    }

    private static double[] columnSds(Dataset d) {
        int f = d.features();
        double[] m = columnMeans(d), s = new double[f];
        for (int i = 0; i < d.size(); i++) for (int j = 0; j < f; j++) s[j] += Math.pow(d.x()[i * f + j] - m[j], 2);
        for (int j = 0; j < f; j++) s[j] = Math.sqrt(s[j] / d.size());
        return s;
    }
}
