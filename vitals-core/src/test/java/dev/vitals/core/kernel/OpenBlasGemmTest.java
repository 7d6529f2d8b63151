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
