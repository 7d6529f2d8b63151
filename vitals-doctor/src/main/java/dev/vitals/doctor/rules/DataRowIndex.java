package dev.vitals.doctor.rules;

import dev.vitals.core.data.Dataset;
import dev.vitals.core.data.PreparedData;
import dev.vitals.core.report.Finding;
import dev.vitals.core.report.Finding.Severity;
import dev.vitals.core.report.Finding.Stage;
import dev.vitals.doctor.Code;
import dev.vitals.doctor.check.DataContext;

import java.util.List;
import java.util.Map;

/**
 * A feature that numbers the file's rows: a row index or running id left among the inputs (pandas
 * writes its index as the first column unless told not to). It says nothing about an example, and
 * in a file ordered by label it says the label: validation and test rows drawn from the same file
 * are then scored on their position. A CSV of 1,000 rows sorted by label with its row_id kept
 * trained to 99.0% on its test split where the same data without it reaches 57.5%, and read
 * "healthy, nothing found".
 *
 * <p>Observed from the data and the file's lines alone: the feature's values, after whatever
 * normalisation, are an exact affine function of the line each training example came from
 * (normalising is affine too, so the relation survives it).
 */
public final class DataRowIndex extends Rule implements DataRule {
    static final int MIN_ROWS = 50;
    /** The share of the feature's variance the line number must explain: an index is exact, a trend is not. */
    static final double EXACT = 1 - 1e-9;
    /** Neighbouring rows of the file sharing a label at least this share of the way from the class shares' chance of it to always: the labels run in blocks along the index. */
    static final double BLOCKS = 0.5;

    @Override public Code code() { return Code.DATA_ROW_INDEX; }

    @Override public Severity severity() { return Severity.WARNING; }

    @Override public String condition() {
        return "a CSV source with at least " + MIN_ROWS + " training rows whose lines are known, and a feature whose values are an exact affine function of the line each training example "
                + "came from (R² of at least " + EXACT + "), rising or falling by one a row in the file's own units: the feature numbers the rows. An error where the labels run in blocks along the file "
                + "(neighbouring rows sharing a label at least " + (int) (BLOCKS * 100) + "% of the way from the class shares' chance of it to always)";
    }

    @Override public Map<String, Object> thresholds() { return ordered("training rows at least", MIN_ROWS, "R² at least", EXACT, "label blocks: share of the way from chance to always", BLOCKS); }

    @Override public String basis() {
        return "exact: a column that equals a + b x line in every row can only be a counter of the rows; a measured feature is never exactly affine in the line "
                + "over 50 rows, and a grid written in order (linspace) steps by other than one a row. A 1,000-row file sorted by label with its row_id kept trained to 99.0% on its test split, 57.5% without it";
    }

    @Override public String cause() {
        return "a row index or running id was saved among the features (pandas' to_csv writes its index unless index=False; an export's id column); it describes no example, "
                + "and where the file is ordered by label it tells the model the label by the row's position";
    }

    @Override public String fix() { return "drop the column from the CSV (to_csv(..., index=False), or delete the id column) and train again; judge earlier scores as measuring the row order"; }

    @Override
    public List<Finding> check(DataContext ctx) {
        PreparedData p = ctx.data();
        if (p.origin() == null || p.origin().train() == null) return List.of();
        Dataset train = p.train();
        int[] lines = p.origin().train();
        int n = train.size(), f = train.features();
        if (n < MIN_ROWS || lines.length != n || train.exampleShape().dims().length != 1) return List.of();
        double lineMean = 0;
        for (int line : lines) lineMean += line;
        lineMean /= n;
        double lineVar = 0;
        for (int line : lines) lineVar += (line - lineMean) * (line - lineMean);
        if (!(lineVar > 0)) return List.of();
        float[] x = train.x();
        for (int k = 0; k < f; k++) {
            double mean = 0;
            boolean finite = true;
            for (int i = 0; i < n && finite; i++) {
                float v = x[i * f + k];
                finite = Float.isFinite(v);
                mean += v;
            }
            if (!finite) continue;
            mean /= n;
            double cov = 0, var = 0;
            for (int i = 0; i < n; i++) {
                double d = x[i * f + k] - mean;
                cov += d * (lines[i] - lineMean);
                var += d * d;
            }
            if (!(var > 0)) continue;
            double r2 = cov * cov / (var * lineVar);
            if (!(r2 >= EXACT)) continue;
            // ...that counts one a row, as a row number or a running id does, read back through the normaliser
            // (a grid such as linspace(0, 10, 1000) written in order is affine in the line too, by 0.01 a row)
            double slope = cov / lineVar;
            var norm = p.normalizer();
            if (norm != null && norm.kind() != dev.vitals.core.data.Normalizer.Kind.NONE) slope /= norm.scale()[k];
            if (!(Math.abs(Math.abs(slope) - 1) < 1e-3)) continue;
            return List.of(finding(ctx, k, lines, r2));
        }
        return List.of();
    }

    private Finding finding(DataContext ctx, int k, int[] lines, double r2) {
        Dataset train = ctx.data().train();
        String name = DataSplits.position(ctx.data(), train, k);
        // the labels along the file: neighbouring rows (by line) sharing a label, against the class shares' chance of it
        int n = train.size();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> Integer.compare(lines[a], lines[b]));
        int[] labels = train.labels();
        int same = 0;
        for (int i = 1; i < n; i++) if (labels[order[i]] == labels[order[i - 1]]) same++;
        double sameShare = (double) same / (n - 1);
        double[] counts = new double[Math.max(1, train.classes())];
        for (int y : labels) if (y >= 0 && y < counts.length) counts[y]++;
        double chance = 0;
        for (double c : counts) chance += (c / n) * (c / n);
        boolean blocks = chance > 0 && chance < 1 && sameShare >= chance + BLOCKS * (1 - chance);
        String msg = name + " numbers the rows of " + ctx.data().origin().file() + ": in every one of the " + n + " training rows it is an exact affine function of the row's line "
                + "(R² " + Numbers.fmt(r2) + "), one more a row: a row index or id left among the inputs"
                + (blocks ? "; the labels run in blocks along the file (" + Numbers.pct(sameShare) + " of neighbouring rows share a label, " + Numbers.pct(chance)
                        + " by the class shares), so the model can read the label off the row number, and validation and test rows from the same file score it" : "");
        // with the labels in blocks the held-out scores measure the row order, as copies between the splits make them
        // measure memory (DATA_LEAKAGE, an error too)
        return finding(Stage.DATA, blocks ? Severity.ERROR : severity(), null, null, msg,
                evidence("feature", name, "r_squared_with_line", r2, "training_rows", n, "same_label_neighbours", sameShare, "same_label_by_chance", chance, "labels_in_blocks", blocks),
                cause(), fix());
    }
}
