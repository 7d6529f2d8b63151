package dev.vitals.doctor.rules;

import dev.vitals.core.data.Dataset;
import dev.vitals.core.data.PreparedData;
import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.spec.Spec;
import dev.vitals.core.tensor.Shape;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.check.Checkup;
import dev.vitals.doctor.check.DataContext;
import dev.vitals.doctor.check.StepReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static dev.vitals.doctor.rules.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each data rule provoked on data built for it, with its evidence checked, and kept quiet where the data is fine. */
class DataRulesTest {
    @TempDir Path dir;

    private static List<Finding> check(DataRule r, DataContext c) { return r.check(c); }

    /** A CSV of {@code rows} examples with 4 gaussian features around the label and the label last. */
    /** A CSV of {@code rows} lines written whole by {@code line}. */
    private Path csv(String name, int rows, java.util.function.IntFunction<String> line, boolean whole) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < rows; i++) b.append(line.apply(i)).append('\n');
        Path p = dir.resolve(name);
        Files.writeString(p, b);
        return p;
    }

    private Path csv(String name, int rows, java.util.function.IntFunction<String> label) throws IOException {
        SplittableRandom rng = new SplittableRandom(5);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < rows; i++) {
            String y = label.apply(i);
            double c = Double.parseDouble(y);
            for (int j = 0; j < 4; j++) b.append(String.format("%.4f,", c + rng.nextGaussian()));
            b.append(y).append('\n');
        }
        Path p = dir.resolve(name);
        Files.writeString(p, b);
        return p;
    }

    // ---- DATA_NONFINITE ----------------------------------------------------------------------

    @Test void nonFiniteInputsAndLabelsAreCountedPerSplitWithPositions() {
        DataContext c = data(spec("source: iris, validation: 0.2", "he", "{dense: 8}, relu, {dense: 3}", "cross_entropy", "name: adam"));
        float[] x = c.data().train().x().clone();
        x[3 * 4 + 2] = Float.NaN;                        // train example 3, feature 2
        x[7 * 4] = Float.POSITIVE_INFINITY;               // train example 7, feature 0
        float[] y = c.data().test().labelValues().clone();
        y[5] = Float.NaN;
        PreparedData d = prepared(c.data().train().withX(x), c.data().validation(), c.data().test().withLabels(y));
        Finding f = one(check(new DataNonFinite(), data(c.spec(), d)), Code.DATA_NONFINITE);
        assertEquals(Severity.ERROR, f.severity());
        assertNull(f.layer());
        assertEquals(Map.of("train", 1L, "validation", 0L, "test", 0L), f.evidence().get("nan_inputs"));
        assertEquals(Map.of("train", 1L, "validation", 0L, "test", 0L), f.evidence().get("infinite_inputs"));
        assertEquals(Map.of("train", 2L, "validation", 0L, "test", 0L), f.evidence().get("examples_affected"));
        assertEquals(Map.of("train", 0L, "validation", 0L, "test", 1L), f.evidence().get("nonfinite_labels"));
        assertEquals(List.of("train example 3, feature 2: NaN", "train example 7, feature 0: Infinity", "test example 5, label: NaN"),
                f.evidence().get("first_positions"));
        assertTrue(f.message().startsWith("2 input values are NaN or infinite (train: 2 in 2 examples) and 1 label is NaN or infinite"), f.message());
    }

    @Test void aNonFiniteValueInACsvIsNamedByItsLineAndColumn() throws IOException {
        // a user opens the file, not "train example 6": the row's line survives the splits
        StringBuilder b = new StringBuilder("a,b,c,y\n");
        for (int i = 0; i < 60; i++) b.append(i).append(',').append(i == 7 ? "nan" : Integer.toString(2 * i)).append(',').append(-i).append(',').append(i % 2).append('\n');
        Path p = dir.resolve("holes.csv");
        Files.writeString(p, b);
        DataContext c = data(spec("source: 'csv:" + p + "', validation: 0.2", "he", "{dense: 8}, relu, {dense: 2}", "cross_entropy", "name: adam"));
        Finding f = one(check(new DataNonFinite(), c), Code.DATA_NONFINITE);
        String pos = String.valueOf(f.evidence().get("first_positions"));
        assertTrue(pos.contains("(holes.csv line 9, column 2), feature 1 ('b'): NaN"), "named by the header too: " + pos);

        // without a header there is no name to give
        Files.writeString(p, b.substring(b.indexOf("\n") + 1));
        DataContext bare = data(spec("source: 'csv:" + p + "', validation: 0.2", "he", "{dense: 8}, relu, {dense: 2}", "cross_entropy", "name: adam"));
        String unnamed = String.valueOf(one(check(new DataNonFinite(), bare), Code.DATA_NONFINITE).evidence().get("first_positions"));
        assertTrue(unnamed.contains("(holes.csv line 8, column 2), feature 1: NaN"), unnamed);

        // NaN put in by the nan_inputs reproduction is in no line of the file: it is not named by one
        // (it read "counts.csv line 168, column 4: NaN" of a cell holding 1.4622)
        Files.writeString(p, b.toString().replace("nan", "14"));
        DataContext injected = data(spec("name: t\nseed: 1\ndata: {source: 'csv:" + p + "', validation: 0.2}\nmodel: {layers: [{dense: 2}]}\nfaults: [nan_inputs]\n"));
        String at = String.valueOf(one(check(new DataNonFinite(), injected), Code.DATA_NONFINITE).evidence().get("first_positions"));
        assertFalse(at.contains("line"), at);
    }

    @Test void nonFinitePixelsAreNamedByChannelRowAndColumn() {
        float[] x = new float[2 * 2 * 3 * 4];
        x[24 + 12 + 4 + 3] = Float.NaN;                   // example 1, channel 1, row 1, column 3
        Dataset d = dataset(Shape.of(2, 3, 4), x, new float[] {0, 1}, 2);
        Spec s = spec("source: iris", "he", "{dense: 3}", "cross_entropy", "name: adam");
        Finding f = one(new DataNonFinite().check(new DataContext(s, prepared(d, null, null), 2, new dev.vitals.doctor.check.Measurements())), Code.DATA_NONFINITE);
        assertEquals(List.of("train example 1, pixel [1, 1, 3]: NaN"), f.evidence().get("first_positions"));
    }

    @Test void nanInputsOfACorruptSourceAreFound() {
        // the pipeline's reproduction of a corrupt source: about 1% of training examples get one NaN
        Spec s = spec("name: t\ndata: {source: digits}\nmodel: {layers: [{dense: 10}]}\nloss: cross_entropy\nfaults: [nan_inputs]\n");
        DataContext c = data(s);
        long nans = 0;
        for (float v : c.data().train().x()) if (Float.isNaN(v)) nans++;
        assertTrue(nans >= 10, "the reproduction put NaNs in: " + nans);
        Finding f = one(new DataNonFinite().check(c), Code.DATA_NONFINITE);
        assertEquals(nans, ((Map<?, ?>) f.evidence().get("nan_inputs")).get("train"));
        assertEquals(nans, c.measured().values().get("nonfinite_inputs"));
    }

    @Test void aClassOnlyTheHeldOutSplitsHaveIsNamed() {
        // digits without a 9 in training and with 9s in the test files: "healthy, nothing found"
        float[] x = new float[40];
        float[] train = new float[20], test = new float[20];
        for (int i = 0; i < 20; i++) {
            x[2 * i] = i;
            x[2 * i + 1] = -i;
            train[i] = i % 3;          // classes 0, 1, 2
            test[i] = i % 4;           // and 3, which training never shows
        }
        Spec s = spec("source: iris", "he", "{dense: 4}", "cross_entropy", "name: adam");
        Dataset tr = dataset(Shape.of(2), x, train, 4), te = dataset(Shape.of(2), x, test, 4);
        Finding f = one(new DataClassImbalance().check(new DataContext(s, prepared(tr, null, te), 4, new dev.vitals.doctor.check.Measurements())), Code.DATA_CLASS_IMBALANCE);
        assertEquals(Severity.WARNING, f.severity());
        assertTrue(f.message().startsWith("class 3 has no training examples but 5 held-out ones"), f.message());
        // the same classes in both: nothing to say
        assertTrue(new DataClassImbalance().check(new DataContext(s, prepared(dataset(Shape.of(2), x, train, 3), null, dataset(Shape.of(2), x, train, 3)), 3,
                new dev.vitals.doctor.check.Measurements())).isEmpty());
    }

    // ---- DATA_CONSTANT_INPUTS ----------------------------------------------------------------

    @Test void inputsThatAreTheSameInEveryExampleCarryNothing() {
        // 600 rows of "1,2" with balanced labels: the data step said ok, and the probes blamed a bug
        float[] x = new float[600 * 2];
        float[] y = new float[600];
        for (int i = 0; i < 600; i++) {
            x[2 * i] = 1;
            x[2 * i + 1] = 2;
            y[i] = i % 2;
        }
        x[10] = Float.NaN;   // a missing value is DATA_NONFINITE's, not a second input
        Spec s = spec("source: iris", "he", "{dense: 2}", "cross_entropy", "name: adam");
        Finding f = one(new DataConstantInputs().check(new DataContext(s, prepared(dataset(Shape.of(2), x, y, 2), null, null), 2, new dev.vitals.doctor.check.Measurements())),
                Code.DATA_CONSTANT_INPUTS);
        assertTrue(f.isError());
        assertTrue(f.message().startsWith("every one of the 600 training examples has the same 2 input values"), f.message());
        // one value that differs anywhere is spread enough for this rule (what it is worth is the baseline's to judge)
        x[1199] = 3;
        assertTrue(new DataConstantInputs().check(new DataContext(s, prepared(dataset(Shape.of(2), x, y, 2), null, null), 2, new dev.vitals.doctor.check.Measurements())).isEmpty());
        // and none of the bundled sets is constant
        for (String src : List.of("iris", "wine", "breast-cancer", "digits")) {
            assertTrue(check(new DataConstantInputs(), data(spec("source: " + src, "he", "{dense: 10}", "cross_entropy", "name: adam"))).isEmpty(), src);
        }
    }

    // ---- DATA_LABEL_RANGE --------------------------------------------------------------------

    @Test void oneBasedLabelsAreOutOfRangeAndSaidToLookOneBased() throws IOException {
        Path p = csv("one-based.csv", 150, i -> Integer.toString(i % 3 + 1));
        DataContext c = data(spec("source: 'csv:" + p + "'", "he", "{dense: 8}, relu, {dense: 3}", "cross_entropy", "name: adam"));
        Finding f = one(new DataLabelRange().check(c), Code.DATA_LABEL_RANGE);
        assertEquals(Severity.ERROR, f.severity());
        assertEquals(1.0, num(f, "min_label"));
        assertEquals(3.0, num(f, "max_label"));
        assertEquals("0..2", f.evidence().get("expected"));
        assertEquals(3, f.evidence().get("outputs"));
        assertEquals(50L, f.evidence().get("out_of_range"), "every label 3, in all splits");
        assertEquals(50L, f.evidence().get("above_range"));
        assertEquals(true, f.evidence().get("looks_one_based"));
        assertTrue(f.message().contains("labels run from 1 to 3 but the model's 3 outputs under cross_entropy stand for classes 0..2: 50 of 150 (33.3%) are out of range; labels look 1-based"), f.message());
    }

    @Test void aLabelLeftInTheFirstColumnIsPointedAt() throws IOException {
        // exported label first: the last column (a measurement) read as labels, the 3 classes in column 1
        java.util.SplittableRandom r = new java.util.SplittableRandom(2);
        StringBuilder b = new StringBuilder("label,f1,f2\n");
        for (int i = 0; i < 120; i++) b.append(i % 3).append(',').append(String.format(java.util.Locale.ROOT, "%.3f,%.3f", r.nextGaussian() + i % 3, r.nextGaussian())).append('\n');
        Path p = Files.writeString(dir.resolve("first.csv"), b);
        Finding f = one(new DataLabelRange().check(data(spec("source: 'csv:" + p + "'", "he", "{dense: 8}, relu, {dense: 3}", "cross_entropy", "name: adam"))),
                Code.DATA_LABEL_RANGE);
        assertTrue(f.message().endsWith("are not integers; the first column takes only 3 values, as class labels do: if it is the label, move it to the last column"), f.message());
        // a regression target beside continuous features: no such hint
        StringBuilder c = new StringBuilder();
        for (int i = 0; i < 120; i++) c.append(String.format(java.util.Locale.ROOT, "%.3f,%.3f,%.3f", r.nextGaussian(), r.nextGaussian(), 100 * r.nextDouble())).append('\n');
        Path q = Files.writeString(dir.resolve("price.csv"), c);
        Finding g = one(new DataLabelRange().check(data(spec("source: 'csv:" + q + "'", "he", "{dense: 8}, relu, {dense: 3}", "cross_entropy", "name: adam"))),
                Code.DATA_LABEL_RANGE);
        assertTrue(!g.message().contains("first column"), g.message());
    }

    @Test void wordLabelsOutOfRangeAreShownAsTheWordsTheUserWrote() throws IOException {
        // 4 animal names for 3 outputs: "labels run from 0 to 3" never showed a label of the file
        String[] names = {"bird", "cat", "dog", "eel"};
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 120; i++) b.append(i % 4).append(',').append(i % 7).append(',').append(names[i % 4]).append('\n');
        Path p = Files.writeString(dir.resolve("animals.csv"), b);
        Finding f = one(new DataLabelRange().check(data(spec("source: 'csv:" + p + "'", "he", "{dense: 8}, relu, {dense: 3}", "cross_entropy", "name: adam"))),
                Code.DATA_LABEL_RANGE);
        assertTrue(f.message().startsWith("labels run from 0 to 3 (4 class names in sorted order, 'bird' to 'eel') but"), f.message());
        assertTrue(String.valueOf(f.evidence().get("first_values")).contains(": 3 ('eel')"), String.valueOf(f.evidence().get("first_values")));
    }

    @Test void minusOnePlusOneLabelsForASingleBinaryOutput() throws IOException {
        Path p = csv("pm1.csv", 100, i -> i % 2 == 0 ? "-1" : "1");
        DataContext c = data(spec("source: 'csv:" + p + "'", "he", "{dense: 8}, relu, {dense: 1}", "binary_cross_entropy", "name: adam"));
        Finding f = one(new DataLabelRange().check(c), Code.DATA_LABEL_RANGE);
        assertEquals(50L, f.evidence().get("negative"));
        assertEquals("0..1", f.evidence().get("expected"));
        assertEquals(false, f.evidence().get("looks_one_based"));
        assertTrue(f.message().contains("single output under binary_cross_entropy stands for classes 0 and 1") && f.message().contains("look like -1/+1 codes"), f.message());
    }

    @Test void oneHotTargetsOverASingleOutputStandForClassZeroOnly() throws IOException {
        // the message once said "classes 0 and 1" while its evidence said 0..0
        Path p = csv("binary.csv", 100, i -> Integer.toString(i % 2));
        DataContext c = data(spec("source: 'csv:" + p + "', targets: onehot", "he", "{dense: 8}, relu, {dense: 1}", "mse", "name: adam"));
        Finding f = one(new DataLabelRange().check(c), Code.DATA_LABEL_RANGE);
        assertEquals("0..0", f.evidence().get("expected"));
        assertTrue(f.message().contains("single output under mse with onehot targets stands for class 0 only"), f.message());
    }

    @Test void fractionalLabelsAreNotClassIndicesEvenForMse() throws IOException {
        Path p = csv("frac.csv", 100, i -> i % 10 == 0 ? "0.5" : Integer.toString(i % 2));
        DataContext c = data(spec("source: 'csv:" + p + "'", "he", "{dense: 8}, relu, {dense: 1}", "mse", "name: adam"));
        Finding f = one(new DataLabelRange().check(c), Code.DATA_LABEL_RANGE);
        assertEquals(10L, f.evidence().get("not_integer"));
        assertEquals("whole numbers 0..1048575", f.evidence().get("expected"));
        assertTrue(f.message().endsWith("are not integers"), f.message());
    }

    @Test void regressedLabelsMustBeWholeNumbersBelowTwoToTheTwenty() throws IOException {
        // prices as a regression target: above 2^20 the engine takes no label as a class index (check once crashed on them)
        Path p = csv("prices.csv", 100, i -> Integer.toString(i % 2 == 0 ? 1_000_000 + i : 1_200_000 + i));
        DataContext c = data(spec("source: 'csv:" + p + "'", "he", "{dense: 8}, relu, {dense: 1}", "mse", "name: adam"));
        Finding f = one(new DataLabelRange().check(c), Code.DATA_LABEL_RANGE);
        assertEquals(50L, f.evidence().get("above_range"), "the 1,200,000s");
        assertTrue(f.message().contains("must be whole numbers from 0 to 1048575"), f.message());
        // negative fractions are counted as both, so the evidence does not say none is negative
        Path q = csv("real.csv", 100, i -> i % 2 == 0 ? "-10.43" : "3");
        Finding g = one(new DataLabelRange().check(data(spec("source: 'csv:" + q + "'", "he", "{dense: 8}, relu, {dense: 1}", "mse", "name: adam"))), Code.DATA_LABEL_RANGE);
        assertEquals(50L, g.evidence().get("negative"));
        assertEquals(50L, g.evidence().get("not_integer"));
        assertEquals(50L, g.evidence().get("out_of_range"));
    }

    @Test void mseOnOneOutputRegressesAnyClassIndex() {
        DataContext c = data(spec("source: digits", "he", "{dense: 8}, relu, {dense: 1}", "mse", "name: adam"));
        none(new DataLabelRange().check(c), Code.DATA_LABEL_RANGE);
        assertEquals(9.0, c.measured().values().get("label_max"));
    }

    @Test void theCheckupReportsBadLabelsInsteadOfRejectingTheSpec() throws IOException {
        // the loss check would reject 4 classes on 3 outputs as bad input; the data step must speak first
        Path p = csv("one-based.csv", 150, i -> Integer.toString(i % 3 + 1));
        Spec s = spec("source: 'csv:" + p + "'", "he", "{dense: 8}, relu, {dense: 3}", "cross_entropy", "name: adam");
        Checkup.Result r = Checkup.run(s, null);
        Finding f = one(r.findings(), Code.DATA_LABEL_RANGE);
        assertEquals(Severity.ERROR, f.severity());
        assertTrue(r.steps().stream().filter(st -> st.number() > 2).allMatch(st -> st.status().equals(StepReport.SKIPPED)), "probes skipped");
    }

    @Test void constantInputsSkipTheProbesAndBlockTraining() throws IOException {
        // 600 rows of 1,2 with balanced labels: every probe ran and three more errors named competing
        // causes (a batch the model cannot memorise, labels that do not belong to their inputs, chance)
        Path p = csv("constant.csv", 600, i -> "1,2," + (i % 2), true);
        Spec s = spec("source: 'csv:" + p + "'", "he", "{dense: 8}, relu, {dense: 2}", "cross_entropy", "name: adam");
        Checkup.Result r = Checkup.run(s, null);
        assertEquals(List.of(Code.DATA_CONSTANT_INPUTS.name()), r.findings().stream().filter(Finding::isError).map(Finding::code).toList());
        assertTrue(r.steps().stream().filter(st -> st.number() > 2).allMatch(st -> st.status().equals(StepReport.SKIPPED)), "probes skipped");
        assertTrue(r.steps().get(2).measured().get("reason").toString().contains("every training example has the same inputs"));
        assertTrue(Checkup.blocksTraining(r.findings()), "training does not start");
        // one column with spread is data to train on
        Path q = csv("spread.csv", 600, i -> "1," + (i % 7) + "," + (i % 2), true);
        assertFalse(Checkup.blocksTraining(Checkup.run(spec("source: 'csv:" + q + "'", "he", "{dense: 8}, relu, {dense: 2}", "cross_entropy", "name: adam"), null).findings()));
    }

    // ---- DATA_UNSCALED -----------------------------------------------------------------------

    @Test void rawBreastCancerIsUnscaled() {
        DataContext c = data(spec("source: breast-cancer, normalize: none", "he", "{dense: 8}, relu, {dense: 1}", "binary_cross_entropy", "name: adam"));
        Finding f = one(new DataUnscaled().check(c), Code.DATA_UNSCALED);
        assertEquals(Severity.WARNING, f.severity());
        assertEquals("feature 23", f.evidence().get("largest"), "worst area");
        near(1085, num(f, "largest_rms"), 0.01, "largest RMS");
        near(906.9, num(f, "largest_mean"), 0.01, "its mean");
        near(0.238, num(f, "median_rms"), 0.01, "median RMS");
        assertTrue(num(f, "largest_over_median") > DataUnscaled.SPREAD * 50, "thousands of times the median: " + f.evidence());
        assertEquals(30, f.evidence().get("features_judged"));
        assertEquals("none", f.evidence().get("normalize"));
        assertEquals(num(f, "largest_rms"), ((Number) c.measured().values().get("feature_rms_largest")).doubleValue());
    }

    @Test void oneRawColumnAmongScaledOnesIsFoundBySpread() {
        // 5 features near unit scale and one around 40: RMS 40 alone would pass, 40x the median would too; 400 fires
        SplittableRandom rng = new SplittableRandom(2);
        int n = 200, f = 6;
        float[] x = new float[n * f], y = new float[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 5; j++) x[i * f + j] = (float) (rng.nextGaussian() * 0.05);
            x[i * f + 5] = (float) (20 + 5 * rng.nextGaussian());
            y[i] = i % 2;
        }
        Spec s = spec("source: iris", "he", "{dense: 2}", "cross_entropy", "name: adam");
        Finding fd = one(new DataUnscaled().check(new DataContext(s, prepared(dataset(Shape.of(f), x, y, 2), null, null), 2, new dev.vitals.doctor.check.Measurements())),
                Code.DATA_UNSCALED);
        assertEquals("feature 5", fd.evidence().get("largest"));
        assertTrue(num(fd, "largest_rms") < DataUnscaled.LARGE && num(fd, "largest_over_median") > DataUnscaled.SPREAD, fd.evidence().toString());
    }

    // ---- DATA_ROW_INDEX ------------------------------------------------------------------------

    /** A CSV of two features and a label; {@code first} gives row i's first column. */
    private Path rows(String name, int n, java.util.function.IntToDoubleFunction first, java.util.function.IntUnaryOperator label) throws IOException {
        SplittableRandom rng = new SplittableRandom(7);
        StringBuilder b = new StringBuilder("row_id,x,y\n");
        for (int i = 0; i < n; i++) b.append(String.format(java.util.Locale.ROOT, "%s,%.4f,%d%n", Numbers.fmt(first.applyAsDouble(i)), rng.nextGaussian(), label.applyAsInt(i)));
        Path p = dir.resolve(name);
        Files.writeString(p, b);
        return p;
    }

    @Test void aRowIndexLeftAmongTheFeaturesIsFoundThroughTheNormaliser() throws IOException {
        // a 1,000-row file sorted by label with its row_id kept trained to 99.0% on its test split (57.5% without it), "healthy"
        for (String norm : List.of("standard", "minmax", "none")) {
            Path sorted = rows("sorted-" + norm + ".csv", 400, i -> 1000 + i, i -> i < 200 ? 0 : 1);
            DataContext c = data(spec("source: 'csv:" + sorted + "', validation: 0.2, normalize: " + norm, "he", "{dense: 8}, relu, {dense: 2}", "cross_entropy", "name: adam"));
            Finding f = one(new DataRowIndex().check(c), Code.DATA_ROW_INDEX);
            assertEquals(Severity.ERROR, f.severity(), norm + ": the labels run in blocks along it");
            assertTrue(f.message().startsWith("feature 0 ('row_id') numbers the rows of sorted-" + norm + ".csv") && f.message().contains("the labels run in blocks"), f.message());
        }
        // the same index in a file whose labels are mixed: a warning, a feature that describes nothing
        Path mixed = rows("mixed.csv", 400, i -> i, i -> i % 2);
        Finding w = one(new DataRowIndex().check(data(spec("source: 'csv:" + mixed + "', validation: 0.2", "he", "{dense: 8}, relu, {dense: 2}", "cross_entropy", "name: adam"))), Code.DATA_ROW_INDEX);
        assertEquals(Severity.WARNING, w.severity());
        assertFalse(w.message().contains("blocks"), w.message());
    }

    @Test void measuredFeaturesAndGridsAreNoRowIndex() throws IOException {
        // a grid written in order is affine in the line too, but steps by 0.01 a row
        Path grid = rows("grid.csv", 400, i -> i * 0.01, i -> Math.sin(i * 0.01) > 0 ? 1 : 0);
        none(new DataRowIndex().check(data(spec("source: 'csv:" + grid + "', validation: 0.2", "he", "{dense: 8}, relu, {dense: 2}", "cross_entropy", "name: adam"))), Code.DATA_ROW_INDEX);
        // ids in no order, and an id with a gap: not an exact function of the line
        Path shuffled = rows("shuffled.csv", 400, i -> (i * 7919) % 400, i -> i % 2);
        none(new DataRowIndex().check(data(spec("source: 'csv:" + shuffled + "', validation: 0.2", "he", "{dense: 8}, relu, {dense: 2}", "cross_entropy", "name: adam"))), Code.DATA_ROW_INDEX);
        Path gap = rows("gap.csv", 400, i -> i < 200 ? i : i + 5, i -> i % 2);
        none(new DataRowIndex().check(data(spec("source: 'csv:" + gap + "', validation: 0.2", "he", "{dense: 8}, relu, {dense: 2}", "cross_entropy", "name: adam"))), Code.DATA_ROW_INDEX);
        // the bundled sets (no lines followed) and the digits' pixels
        for (String src : List.of("digits", "iris", "wine", "breast-cancer")) {
            none(new DataRowIndex().check(data(spec("source: " + src, "he", "{dense: 8}, relu, {dense: 3}", "cross_entropy", "name: adam"))), Code.DATA_ROW_INDEX);
        }
    }

    @Test void anUnscaledCsvColumnIsNamedByItsHeader() throws IOException {
        // "feature 3" sent a user counting columns; the header says which one it is
        SplittableRandom rng = new SplittableRandom(4);
        StringBuilder b = new StringBuilder("age_z,\"tenure z\",score,income,churned\n");
        for (int i = 0; i < 200; i++) {
            b.append(String.format(java.util.Locale.ROOT, "%.4f,%.4f,%.4f,%.1f,%d%n", rng.nextGaussian(), rng.nextGaussian(), rng.nextGaussian(),
                    50_000 + 20_000 * rng.nextGaussian(), i % 2));
        }
        Path p = dir.resolve("churn.csv");
        Files.writeString(p, b);
        DataContext c = data(spec("source: 'csv:" + p + "', normalize: none", "he", "{dense: 8}, relu, {dense: 2}", "cross_entropy", "name: adam"));
        Finding f = one(new DataUnscaled().check(c), Code.DATA_UNSCALED);
        assertTrue(f.message().startsWith("feature 3 ('income') of the training inputs has RMS"), f.message());
        assertEquals("feature 3", f.evidence().get("largest"), "the evidence's key stays the index");
        assertEquals("income", f.evidence().get("largest_name"));
        assertEquals(List.of("age_z", "tenure z", "score", "income"), c.data().origin().featureNames(), "quotes taken off");
    }

    @Test void imagesAreJudgedPerChannelNotPerPixel() {
        // 3 channels of 4x4; the border pixels are constant 0 in every channel; channel 2 is on a 0..255 scale
        SplittableRandom rng = new SplittableRandom(3);
        int n = 100, f = 3 * 16;
        float[] x = new float[n * f], y = new float[n];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 3; c++) {
                for (int h = 1; h < 3; h++) {
                    for (int w = 1; w < 3; w++) x[i * f + c * 16 + h * 4 + w] = (float) (c == 2 ? 128 + 60 * rng.nextGaussian() : rng.nextGaussian());
                }
            }
            y[i] = i % 2;
        }
        Spec s = spec("source: iris", "he", "{dense: 2}", "cross_entropy", "name: adam");
        DataContext c = new DataContext(s, prepared(dataset(Shape.of(3, 4, 4), x, y, 2), null, null), 2, new dev.vitals.doctor.check.Measurements());
        Finding fd = one(new DataUnscaled().check(c), Code.DATA_UNSCALED);
        assertEquals("channel 2", fd.evidence().get("largest"));
        assertEquals(3, fd.evidence().get("channels_judged"), "three channels, not 48 pixels");
        assertTrue(fd.message().startsWith("channel 2 of the training inputs has RMS"), fd.message());
    }

    @ParameterizedTest
    @ValueSource(strings = {"digits", "iris", "wine", "breast-cancer"})
    void bundledSetsAreScaledWhenNormalised(String source) {
        for (String norm : List.of("standard", "minmax")) {
            DataContext c = data(spec("source: " + source + ", normalize: " + norm, "he", "{dense: 8}, relu, {dense: 3}", "cross_entropy", "name: adam"));
            none(new DataUnscaled().check(c), Code.DATA_UNSCALED);
            double largest = ((Number) c.measured().values().get("feature_rms_largest")).doubleValue();
            assertTrue(norm.equals("standard") ? Math.abs(largest - 1) < 1e-3 : largest <= 1, norm + " " + source + ": " + largest);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"synthetic:xor", "synthetic:spirals", "synthetic:blobs", "synthetic:documents"})
    void syntheticSetsNeedNoScalingEvenRaw(String source) {
        String options = source.endsWith("documents") ? ", options: {samples: 2000, classes: 20, features: 2000}" : "";
        DataContext c = data(spec("source: '" + source + "', normalize: none, validation: 0" + options, "he", "{dense: 8}, relu, {dense: 2}", "cross_entropy", "name: adam"));
        none(new DataUnscaled().check(c), Code.DATA_UNSCALED);
    }

    @Test void rawDigitsStayBelowTheLine() {
        // 0..16 intensities train as well raw as standardised: the measured reason the largest-RMS line sits above 12.8
        DataContext c = data(spec("source: digits, normalize: none", "he", "{dense: 8}, relu, {dense: 10}", "cross_entropy", "name: adam"));
        none(new DataUnscaled().check(c), Code.DATA_UNSCALED);
        near(12.8, ((Number) c.measured().values().get("feature_rms_largest")).doubleValue(), 0.05, "largest RMS of raw digits");
    }

    // ---- DATA_CLASS_IMBALANCE ----------------------------------------------------------------

    @Test void aDwarfedClassIsReportedWithCountsAndTheMajorityShare() throws IOException {
        Path p = csv("imbalanced.csv", 1000, i -> i % 20 == 0 ? "1" : "0");
        DataContext c = data(spec("source: 'csv:" + p + "'", "he", "{dense: 8}, relu, {dense: 1}", "binary_cross_entropy", "name: adam"));
        Finding f = one(new DataClassImbalance().check(c), Code.DATA_CLASS_IMBALANCE);
        assertEquals(Severity.WARNING, f.severity());
        assertEquals("0", f.evidence().get("largest_class"));
        assertEquals("1", f.evidence().get("smallest_class"));
        int big = (Integer) f.evidence().get("largest_count"), small = (Integer) f.evidence().get("smallest_count");
        assertEquals(c.data().train().size(), big + small);
        assertEquals(608, big);
        assertEquals(32, small);
        assertEquals(19.0, num(f, "ratio"));
        assertEquals(0.95, num(f, "majority_share"));
    }

    @Test void aSingleClassIsAnError() throws IOException {
        // binary_cross_entropy on labels that are all 1 trained to 100% and was called healthy
        Path p = csv("one-class.csv", 100, i -> "1");
        DataContext c = data(spec("source: 'csv:" + p + "'", "he", "{dense: 8}, relu, {dense: 1}", "binary_cross_entropy", "name: adam"));
        Finding f = one(new DataClassImbalance().check(c), Code.DATA_CLASS_IMBALANCE);
        assertEquals(Severity.ERROR, f.severity());
        assertTrue(f.message().contains("is class 1: there is nothing to tell apart"), f.message());
        assertEquals(List.of("0"), f.evidence().get("classes_without_examples"));
    }

    @Test void labelsOutsideTheClassesAreNotCountedAsOneClass() throws IOException {
        // -1/+1 codes, half each, under binary_cross_entropy: DATA_LABEL_RANGE names them; "every one of
        // the 634 training examples is class 1" counted only the +1s of a balanced set
        Path p = csv("pm1.csv", 200, i -> i % 2 == 0 ? "-1" : "1");
        DataContext c = data(spec("source: 'csv:" + p + "'", "he", "{dense: 8}, relu, {dense: 1}", "binary_cross_entropy", "name: adam"));
        none(new DataClassImbalance().check(c), Code.DATA_CLASS_IMBALANCE);
        one(new DataLabelRange().check(c), Code.DATA_LABEL_RANGE);
    }

    @Test void breastCancerIsNotImbalanced() {
        DataContext c = data(spec("source: breast-cancer, validation: 0.15", "he", "{dense: 8}, relu, {dense: 1}", "binary_cross_entropy", "name: adam"));
        none(new DataClassImbalance().check(c), Code.DATA_CLASS_IMBALANCE);
        near(243.0 / 144, ((Number) c.measured().values().get("class_ratio_largest_to_smallest")).doubleValue(), 0.001, "benign to malignant");
    }

    // ---- DATA_LEAKAGE ------------------------------------------------------------------------

    /** {@code n} distinct 3-feature examples; example i has label i % 2. */
    private static Dataset distinct(int n, int offset) {
        float[] x = new float[n * 3], y = new float[n];
        for (int i = 0; i < n; i++) {
            x[3 * i] = i + offset;
            x[3 * i + 1] = (i + offset) * 0.5f;
            x[3 * i + 2] = -(i + offset);
            y[i] = (i + offset) % 2;
        }
        return dataset(Shape.of(3), x, y, 2);
    }

    /** The held-out set {@code fresh} with its first {@code k} examples replaced by training examples 0..k-1 (label {@code relabel} flips them). */
    private static Dataset withCopies(Dataset fresh, Dataset train, int k, boolean relabel) {
        float[] x = fresh.x().clone(), y = fresh.labelValues().clone();
        for (int i = 0; i < k; i++) {
            System.arraycopy(train.x(), 3 * i, x, 3 * i, 3);
            y[i] = relabel ? 1 - train.labelValues()[i] : train.labelValues()[i];
        }
        return dataset(Shape.of(3), x, y, 2);
    }

    private static List<Finding> leakage(Dataset train, Dataset val, Dataset test) {
        Spec s = spec("source: iris", "he", "{dense: 2}", "cross_entropy", "name: adam");
        return new DataLeakage().check(new DataContext(s, prepared(train, val, test), 2, new dev.vitals.doctor.check.Measurements()));
    }

    @Test void aFewCopiesInTheTestSplitWarn() {
        Dataset train = distinct(400, 0);
        Finding f = one(leakage(train, distinct(100, 1000), withCopies(distinct(100, 2000), train, 5, false)), Code.DATA_LEAKAGE);
        assertEquals(Severity.WARNING, f.severity());
        assertEquals(Map.of("validation", 0, "test", 5), f.evidence().get("copies_with_same_label"));
        assertEquals(0.05, ((Map<?, ?>) f.evidence().get("copied_share")).get("test"));
        assertEquals(400, f.evidence().get("distinct_training_inputs"));
        assertEquals(0, f.evidence().get("training_rows_with_a_twin_in_training"));
        assertTrue(f.message().startsWith("5 of 100 test examples (5.0%) are exact copies of training examples with the same label"), f.message());
    }

    @Test void aDuplicatedSourceIsAnError() {
        Dataset train = distinct(300, 0);
        // the source held every example twice: training repeats half of itself and validation copies it
        float[] x = new float[600 * 3], y = new float[600];
        System.arraycopy(train.x(), 0, x, 0, 900);
        System.arraycopy(train.x(), 0, x, 900, 900);
        System.arraycopy(train.labelValues(), 0, y, 0, 300);
        System.arraycopy(train.labelValues(), 0, y, 300, 300);
        Dataset doubled = dataset(Shape.of(3), x, y, 2);
        Finding f = one(leakage(doubled, withCopies(distinct(100, 5000), train, 40, false), null), Code.DATA_LEAKAGE);
        assertEquals(Severity.ERROR, f.severity());
        assertEquals(600, f.evidence().get("training_rows_with_a_twin_in_training"));
        assertEquals(300, f.evidence().get("distinct_training_inputs"));
        assertTrue(f.message().contains("40 of 100 validation examples (40.0%)") && f.message().contains("the source holds duplicates"), f.message());
    }

    @Test void binaryFeaturesRepeatByTheirNatureAndAreNoLeak() throws IOException {
        // 1000 rows of 7 binary features: 128 possible inputs, so every held-out row copies a training row
        SplittableRandom r = new SplittableRandom(0);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            int[] v = new int[7];
            for (int k = 0; k < 7; k++) {
                v[k] = r.nextInt(2);
                b.append(v[k]).append(',');
            }
            b.append((v[0] & v[1]) | v[2]).append('\n');
        }
        Path p = dir.resolve("binary.csv");
        Files.writeString(p, b);
        DataContext c = data(spec("source: 'csv:" + p + "'", "he", "{dense: 16}, relu, {dense: 2}", "cross_entropy", "name: adam"));
        Finding f = one(new DataLeakage().check(c), Code.DATA_LEAKAGE);
        assertEquals(Severity.INFO, f.severity(), f.message());
        assertTrue(f.message().contains("at most 128 distinct values") && f.message().contains("in the nature of this data"), f.message());
    }

    @Test void copiesWithAnotherLabelAreNoiseNotLeakage() {
        Dataset train = distinct(400, 0);
        List<Finding> fs = leakage(train, null, withCopies(distinct(100, 2000), train, 10, true));
        none(fs, Code.DATA_LEAKAGE);
    }

    @Test void twoCopiesAreNotMaterial() {
        Dataset train = distinct(400, 0);
        none(leakage(train, null, withCopies(distinct(100, 2000), train, 2, false)), Code.DATA_LEAKAGE);
    }

    @Test void xorsFourPointsAreTheWholeTaskNotALeak() {
        DataContext c = data(spec(Fixtures.XOR));
        assertEquals(4, c.data().test().size());
        none(new DataLeakage().check(c), Code.DATA_LEAKAGE);
        assertEquals("only 4 distinct training inputs", c.measured().values().get("leakage_not_judged"));
    }

    @Test void bundledSplitsHoldNoCopies() {
        for (String source : List.of("digits", "iris", "wine", "breast-cancer", "synthetic:spirals")) {
            DataContext c = data(spec("source: '" + source + "'", "he", "{dense: 8}, relu, {dense: 3}", "cross_entropy", "name: adam"));
            none(new DataLeakage().check(c), Code.DATA_LEAKAGE);
            assertEquals(0, c.measured().values().get("test_copies_of_training"), source);
        }
    }
}
