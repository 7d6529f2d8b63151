package dev.vitals.core.tensor;

import java.util.Arrays;

/** The shape of one example (no batch dimension), e.g. {@code [1, 28, 28]} or {@code [64]}. Immutable. */
public final class Shape {
    private final int[] dims;
    private final int size;

    private Shape(int[] dims) {
        long n = 1;
        for (int d : dims) {
            if (d <= 0) throw new IllegalArgumentException("shape " + Arrays.toString(dims) + " has a non-positive dimension");
            n *= d;
            if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("shape " + Arrays.toString(dims) + " is too large");
        }
        this.dims = dims;
        this.size = (int) n;
    }

    public static Shape of(int... dims) {
        return new Shape(dims.clone());
    }

    public int rank() { return dims.length; }

    public int dim(int i) { return dims[i]; }

    /** Number of values in one example. */
    public int size() { return size; }

    public int[] dims() { return dims.clone(); }

    /** The shape of a batch of {@code n} such examples. */
    public int[] withBatch(int n) {
        int[] s = new int[dims.length + 1];
        s[0] = n;
        System.arraycopy(dims, 0, s, 1, dims.length);
        return s;
    }

    @Override public boolean equals(Object o) { return o instanceof Shape s && Arrays.equals(dims, s.dims); }

    @Override public int hashCode() { return Arrays.hashCode(dims); }

    @Override public String toString() { return Arrays.toString(dims); }
}
