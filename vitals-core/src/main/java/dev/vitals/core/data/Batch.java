package dev.vitals.core.data;

import dev.vitals.core.kernel.Workers;
import dev.vitals.core.tensor.Shape;
import dev.vitals.core.tensor.Tensor;

/** A reusable batch: inputs [size, example shape], their labels and encoded targets. */
public final class Batch {
    private final Shape shape;
    private final int capacity, targetWidth;
    private final float[] xs, ts;
    private final int[] labels;
    private Tensor x;
    private int size;

    public Batch(Shape shape, int capacity, int targetWidth) {
        this.shape = shape;
        this.capacity = capacity;
        this.targetWidth = targetWidth;
        this.xs = new float[capacity * shape.size()];
        this.ts = new float[capacity * Math.max(targetWidth, 1)];
        this.labels = new int[capacity];
    }

    /** Inputs of the current batch (a view with the current size). */
    public Tensor x() { return x; }

    public int[] labels() { return labels; }

    /** Encoded targets [size, targetWidth]. */
    public float[] targets() { return ts; }

    public int size() { return size; }

    public int capacity() { return capacity; }

    public int targetWidth() { return targetWidth; }

    /** Copies examples {@code order[from..from+n)} of {@code d} into this batch. */
    public void fill(Dataset d, int[] order, int from, int n, dev.vitals.core.loss.TargetEncoding enc, int outputs) {
        if (n > capacity) throw new IllegalArgumentException("batch of " + n + " exceeds capacity " + capacity);
        int f = shape.size();
        float[] src = d.x();
        int[] dl = d.labels();
        // Rows gathered from all over a large data set wait on memory (cache and TLB misses) rather than
        // stream, so their work counts 4x what a streaming pass over the same values would (Workers.split):
        // a batch of 64 Fashion-MNIST images is then cut over the cores; mlp64's batch assembly 49 -> 28 ms an epoch.
        Workers.split(n, 4L * n * f, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                int e = order == null ? from + i : order[from + i];
                System.arraycopy(src, e * f, xs, i * f, f);
                labels[i] = dl[e];
            }
        });
        if (enc != null) enc.encode(labels, n, outputs, ts);
        if (x == null || size != n) x = Tensor.reuse(x == null ? Tensor.wrap(xs, shape.withBatch(capacity)) : x, n, shape);
        size = n;
    }
}
