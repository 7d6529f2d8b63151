package dev.vitals.core.kernel;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The FFM binding: its bounds check (native code checks nothing) and its thread control. */
class OpenBlasGemmTest {
    private static OpenBlasGemm blas;

    @BeforeAll
    static void load() {
        blas = OpenBlasGemm.load();
        assumeTrue(blas != null, () -> "OpenBLAS not loaded: " + OpenBlasGemm.loadError());
    }

    @Test
    void boundsCheckRejectsAStrideThatDoesNotFit() {
        float[] a = new float[6], b = new float[6], c = new float[4];
        blas.sgemm(false, false, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 2);
        // lda 4: the second row of A would end at index 7 of a 6-element array.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> blas.sgemm(false, false, 2, 2, 3, 1f, a, 0, 4, b, 0, 2, 0f, c, 0, 2));
        assertTrue(e.getMessage().contains("A"), e.getMessage());
        // A stride narrower than a row would make rows overlap.
        assertThrows(IllegalArgumentException.class, () -> blas.sgemm(false, false, 2, 2, 3, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2));
        // Transposed B is stored n x k: 2x3 needs ldb >= 3.
        assertThrows(IllegalArgumentException.class, () -> blas.sgemm(false, true, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 2));
        // An offset that pushes the last row of C past the end.
        assertThrows(IllegalArgumentException.class, () -> blas.sgemm(false, false, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> blas.sgemm(false, false, 2, 2, 3, 1f, a, -1, 3, b, 0, 2, 0f, c, 0, 2));
    }

    /**
     * Tiny outputs over a long depth go through OpenBLAS in slices of the depth (the first
     * convolution's weight gradient is the case that needed it): the sum of the slices must be the
     * product, for every transpose, with offsets and wide strides, with beta 0 (NaN in C ignored) and
     * beta 1 (accumulating), on one thread and on two.
     */
    @Test
    void longDepthWithATinyOutputIsSplitAndStillExact() {
        int before = blas.threads();
        try {
            long seed = 100;
            for (int threads : new int[] {1, 2}) {
                blas.threads(threads);
                int[][] shapes = {{32, 9, 43264}, {9, 32, 5000}, {1, 1, 300_000}, {32, 32, 257}, {3, 7, 12_483}};
                for (int[] s : shapes) {
                    for (boolean ta : new boolean[] {false, true}) {
                        for (boolean tb : new boolean[] {false, true}) {
                            GemmCase dense = GemmCase.dense(ta, tb, s[0], s[1], s[2], 1f, 1f, seed++);
                            dense.assertMatches(dense.run(new JavaGemm()), dense.run(blas), "split depth");
                            GemmCase padded = GemmCase.padded(ta, tb, s[0], s[1], s[2], 0.5f, 0f, 3, 2, seed++);
                            padded.assertMatches(padded.run(new JavaGemm()), padded.run(blas), "split depth, padded");
                        }
                    }
                }
            }
        } finally {
            blas.threads(Math.max(before, 1));
        }
    }

    /**
     * Products of at least {@link OpenBlasGemm#SPLIT_MNK} multiply-adds are cut into column or row
     * blocks computed on the worker threads, each by a one-thread OpenBLAS call: the blocks must
     * make up the product for every transpose, wide and tall outputs, widths that are not a
     * multiple of the 16-column block alignment, offsets and strides, beta 0 and beta 1.
     */
    @Test
    void largeProductsSplitOverTheWorkersAreTheProduct() {
        long seed = 500;
        int[][] shapes = {{64, 256, 784}, {256, 64, 784}, {64, 7744, 288}, {288, 121, 64 * 40}, {33, 1000, 37}, {1001, 40, 31}};
        for (int[] s : shapes) {
            assertTrue((long) s[0] * s[1] * s[2] >= OpenBlasGemm.SPLIT_MNK, "too small to split: " + java.util.Arrays.toString(s));
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    GemmCase dense = GemmCase.dense(ta, tb, s[0], s[1], s[2], 1f, 0f, seed++);
                    dense.assertMatches(dense.run(new JavaGemm()), dense.run(blas), "split over workers");
                    GemmCase padded = GemmCase.padded(ta, tb, s[0], s[1], s[2], 0.5f, 1f, 3, 2, seed++);
                    padded.assertMatches(padded.run(new JavaGemm()), padded.run(blas), "split over workers, padded");
                }
            }
        }
    }

    @Test
    void threadCountCanBeSetAndRead() {
        int before = blas.threads();
        try {
            blas.threads(1);
            assertEquals(1, blas.threads());
        } finally {
            blas.threads(Math.max(before, 1));
        }
    }
}
