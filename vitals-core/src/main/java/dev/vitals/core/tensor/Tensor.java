package dev.vitals.core.tensor;

import java.util.Arrays;

/**
 * A float32 array with an explicit row-major shape. The first dimension is the batch wherever a
 * tensor flows between layers. The backing array may be longer than the shape needs: layers keep
 * one buffer sized for the largest batch and view it with a smaller batch dimension, so the step
 * loop does not allocate. There is no implicit broadcasting; operations check shapes and name both.
 */
public final class Tensor {
    private final float[] data;
    private final int[] shape;
    private final int size;

    private Tensor(float[] data, int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            n *= d;
        }
        if (n > data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n
                    + " values but the buffer holds " + data.length);
        }
        this.data = data;
        this.shape = shape;
        this.size = (int) n;
    }

    public static Tensor zeros(int... shape) {
        long n = 1;
        for (int d : shape) n *= Math.max(d, 0);
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " is too large");
        return new Tensor(new float[(int) n], shape.clone());
    }

    /** Wraps {@code data} (not copied) with the given shape. */
    public static Tensor wrap(float[] data, int... shape) {
        return new Tensor(data, shape.clone());
    }

    /** A tensor of shape {@code [batch, example...]} over a reused buffer: returns {@code old} when
     * it already has that shape, a view of its buffer when the buffer is big enough, else a new one. */
    public static Tensor reuse(Tensor old, int batch, Shape example) {
        if (old != null && old.shape.length == example.rank() + 1 && old.shape[0] == batch) {
            boolean same = true;
            for (int i = 0; i < example.rank(); i++) same &= old.shape[i + 1] == example.dim(i);
            if (same) return old;
        }
        int[] s = example.withBatch(batch);
        long need = (long) batch * example.size();
        if (old != null && old.data.length >= need) return new Tensor(old.data, s);
        return zeros(s);
    }

    public float[] data() { return data; }

    public int[] shape() { return shape.clone(); }

    public int rank() { return shape.length; }

    public int dim(int i) { return shape[i]; }

    /** Number of values the shape covers (the backing array may be longer). */
    public int size() { return size; }

    /** First dimension: the number of examples in a batch tensor. */
    public int batch() { return shape[0]; }

    /** Values per example: {@code size() / batch()}. */
    public int exampleSize() { return shape[0] == 0 ? 0 : size / shape[0]; }

    /** The per-example shape (everything after the batch dimension). */
    public Shape exampleShape() { return Shape.of(Arrays.copyOfRange(shape, 1, shape.length)); }

    /** Same buffer, another shape with the same number of values. */
    public Tensor reshape(int... newShape) {
        long n = 1;
        for (int d : newShape) n *= d;
        if (n != size) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " (" + size
                    + " values) to " + Arrays.toString(newShape) + " (" + n + " values)");
        }
        return new Tensor(data, newShape.clone());
    }

    public float get(int... index) { return data[offset(index)]; }

    public void set(float value, int... index) { data[offset(index)] = value; }

    private int offset(int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index " + Arrays.toString(index) + " does not fit shape " + Arrays.toString(shape));
        }
        int off = 0;
        for (int i = 0; i < shape.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " is outside shape " + Arrays.toString(shape));
            }
            off = off * shape[i] + index[i];
        }
        return off;
    }

    public void fill(float v) { Arrays.fill(data, 0, size, v); }

    /** An independent copy with a tight buffer. */
    public Tensor copy() { return new Tensor(Arrays.copyOf(data, size), shape.clone()); }

    /** Copies {@code src} into this tensor; shapes must match exactly. */
    public void copyFrom(Tensor src) {
        requireSameShape(this, src, "copy");
        System.arraycopy(src.data, 0, data, 0, size);
    }

    public boolean sameShape(Tensor o) { return Arrays.equals(shape, o.shape); }

    /** Fails with a message naming both shapes unless {@code a} and {@code b} have the same shape. */
    public static void requireSameShape(Tensor a, Tensor b, String op) {
        if (!Arrays.equals(a.shape, b.shape)) {
            throw new IllegalArgumentException(op + ": shapes " + Arrays.toString(a.shape) + " and "
                    + Arrays.toString(b.shape) + " differ");
        }
    }

    @Override public String toString() { return "Tensor" + Arrays.toString(shape); }
}
