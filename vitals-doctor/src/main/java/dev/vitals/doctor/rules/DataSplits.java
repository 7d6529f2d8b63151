package dev.vitals.doctor.rules;

import dev.vitals.core.data.Dataset;
import dev.vitals.core.data.PreparedData;

import java.util.ArrayList;
import java.util.List;

/** The splits of prepared data that exist, by name, in the order training, validation, test. */
final class DataSplits {
    private DataSplits() {}

    record Named(String name, Dataset data) {}

    static List<Named> of(PreparedData d) {
        List<Named> out = new ArrayList<>();
        out.add(new Named("train", d.train()));
        if (d.validation() != null) out.add(new Named("validation", d.validation()));
        if (d.test() != null) out.add(new Named("test", d.test()));
        return out;
    }

    /**
     * "train example 6", and where the source can say, its file line and, for a value, its column:
     * "train example 6 (t.csv line 9, column 2)". {@code feature} is -1 for the example as a whole.
     */
    static String example(PreparedData d, String split, int i, int feature) {
        String where = d.origin() == null ? null : d.origin().where(split, i);
        return split + " example " + i + (where == null ? "" : " (" + where + (feature >= 0 ? ", column " + (feature + 1) : "") + ")");
    }

    /** Where a flat feature index lies in an example: "feature 17", or "pixel [c, h, w]" for images. */
    static String position(Dataset d, int feature) {
        int[] s = d.exampleShape().dims();
        if (s.length == 3) {
            int hw = s[1] * s[2];
            return "pixel [" + feature / hw + ", " + feature % hw / s[2] + ", " + feature % s[2] + "]";
        }
        return "feature " + feature;
    }

    /** {@link #position}, with the CSV header's name of the feature where the file has one: "feature 0 ('customer_id')". */
    static String position(PreparedData p, Dataset d, int feature) {
        String name = name(p, d, feature);
        return position(d, feature) + (name == null ? "" : " ('" + name + "')");
    }

    /** The CSV header's name of a flat feature of {@code d}, or null where there is none. */
    static String name(PreparedData p, Dataset d, int feature) {
        return p == null || p.origin() == null || d.exampleShape().dims().length != 1 ? null : p.origin().featureName(feature);
    }
}
