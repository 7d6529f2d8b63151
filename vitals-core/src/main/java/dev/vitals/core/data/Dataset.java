package dev.vitals.core.data;

import dev.vitals.core.tensor.Shape;

import java.util.Arrays;
import java.util.List;

/**
 * Labelled examples held in memory: {@code x} is [n, example shape] row-major. {@code labels} are
 * class indices, or -1 where the value read was not a class index; {@code labelValues} keep the
 * labels exactly as read, for the checks that explain why.
 */
public final class Dataset {
    private final Shape exampleShape;
    private final float[] x;
    private final int[] labels;
    private final float[] labelValues;
    private final int classes;
    private final List<String> classNames;

    public Dataset(Shape exampleShape, float[] x, float[] labelValues, int classes, List<String> classNames) {
        int n = labelValues.length;
        if ((long) n * exampleShape.size() != x.length) {
            throw new IllegalArgumentException(n + " labels but " + x.length + " values for examples of shape " + exampleShape);
        }
        this.exampleShape = exampleShape;
        this.x = x;
        this.labelValues = labelValues;
        this.labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = classIndex(labelValues[i]);
        this.classes = classes;
        this.classNames = classNames == null ? List.of() : List.copyOf(classNames);
    }

    /**
     * The most classes a data set may have. A label at or above it is not taken as a class index
     * (it is a typo or a regression target, which the doctor's label check names), so that one stray
     * value such as 1e9 cannot make the engine allocate per-class tables of a billion entries.
     */
    public static final int MAX_CLASSES = 1 << 20;

    /** The class index a label value stands for, or -1 if it is not an integer in [0, MAX_CLASSES). */
    public static int classIndex(float v) {
        return v >= 0 && v == Math.rint(v) && v < MAX_CLASSES ? (int) v : -1;
    }

    /** Classes implied by the labels: one more than the largest valid class index. */
    public static int classesOf(float[] labelValues) {
        int max = -1;
        for (float v : labelValues) max = Math.max(max, classIndex(v));
        return max + 1;
    }

    public int size() { return labels.length; }

    public Shape exampleShape() { return exampleShape; }

    public int features() { return exampleShape.size(); }

    /** The examples, [n, example shape], not copied. */
    public float[] x() { return x; }

    public int[] labels() { return labels; }

    public float[] labelValues() { return labelValues; }

    public int classes() { return classes; }

    public List<String> classNames() { return classNames; }

    /** The examples at {@code idx}, in that order (a copy). */
    public Dataset subset(int[] idx) {
        int f = features();
        float[] nx = new float[idx.length * f];
        float[] nl = new float[idx.length];
        for (int i = 0; i < idx.length; i++) {
            System.arraycopy(x, idx[i] * f, nx, i * f, f);
            nl[i] = labelValues[idx[i]];
        }
        return new Dataset(exampleShape, nx, nl, classes, classNames);
    }

    /** The examples of {@code a} followed by those of {@code b}, which must have the same example shape. */
    public static Dataset concat(Dataset a, Dataset b) {
        if (!a.exampleShape.equals(b.exampleShape)) throw new IllegalArgumentException("examples of shape " + a.exampleShape + " and " + b.exampleShape);
        float[] nx = java.util.Arrays.copyOf(a.x, a.x.length + b.x.length);
        System.arraycopy(b.x, 0, nx, a.x.length, b.x.length);
        float[] nl = java.util.Arrays.copyOf(a.labelValues, a.size() + b.size());
        System.arraycopy(b.labelValues, 0, nl, a.size(), b.size());
        return new Dataset(a.exampleShape, nx, nl, Math.max(a.classes, b.classes), a.classNames.isEmpty() ? b.classNames : a.classNames);
    }

    /** Examples per class index (labels that are not class indices are not counted). */
    public int[] classCounts() {
        int[] c = new int[Math.max(classes, 1)];
        for (int y : labels) if (y >= 0 && y < c.length) c[y]++;
        return c;
    }

    /** Same examples with other label values (used to reproduce label bugs). */
    public Dataset withLabels(float[] newLabels) {
        return new Dataset(exampleShape, x, newLabels, classes, classNames);
    }

    /** Same labels with other example values of the same shape. */
    public Dataset withX(float[] newX) {
        return new Dataset(exampleShape, newX, labelValues, classes, classNames);
    }

    @Override public String toString() {
        return "Dataset(" + size() + " x " + exampleShape + ", " + classes + " classes " + Arrays.toString(classCounts()) + ")";
    }
}
