package dev.vitals.core.data;

import dev.vitals.core.loss.TargetEncoding;
import dev.vitals.core.tensor.Shape;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A batch holds exactly the rows, labels and targets it was filled with, in order, however it is cut over the cores. */
class BatchTest {
    private static Dataset data(int n, int f) {
        SplittableRandom r = new SplittableRandom(7);
        float[] x = new float[n * f], y = new float[n];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        for (int i = 0; i < n; i++) y[i] = i % 10;
        return new Dataset(Shape.of(f), x, y, 10, null);
    }

    @Test void shuffledRowsOfLargeAndSmallBatches() {
        // 64 x 784 is cut over the cores; 5 x 3 is not
        for (int[] nf : new int[][] {{1000, 784}, {40, 3}}) {
            int n = nf[0], f = nf[1], size = Math.min(64, n / 8);
            Dataset d = data(n, f);
            int[] order = new int[n];
            for (int i = 0; i < n; i++) order[i] = (i * 7919) % n;
            Batch b = new Batch(d.exampleShape(), size, 10);
            for (int from = 0; from + size <= n; from += size * 3) {
                b.fill(d, order, from, size, TargetEncoding.ONEHOT, 10);
                assertEquals(size, b.size());
                assertEquals(size, b.x().batch());
                for (int i = 0; i < size; i++) {
                    int e = order[from + i];
                    assertArrayEquals(Arrays.copyOfRange(d.x(), e * f, (e + 1) * f), Arrays.copyOfRange(b.x().data(), i * f, (i + 1) * f), "row " + i);
                    assertEquals(d.labels()[e], b.labels()[i]);
                    for (int k = 0; k < 10; k++) assertEquals(k == d.labels()[e] ? 1f : 0f, b.targets()[i * 10 + k]);
                }
            }
            b.fill(d, null, 3, size - 1, null, 10);
            assertEquals(size - 1, b.x().batch());
            assertArrayEquals(Arrays.copyOfRange(d.x(), 3 * f, (3 + size - 1) * f), Arrays.copyOfRange(b.x().data(), 0, (size - 1) * f));
            assertThrows(IllegalArgumentException.class, () -> b.fill(d, null, 0, size + 1, null, 10));
        }
    }
}
