package dev.vitals.core.kernel;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** The reference kernel itself, against a worked example and a double-precision sum. */
class JavaGemmTest {
    @Test
    void workedExample() {
        // [1 2 3; 4 5 6] . [7 8; 9 10; 11 12] = [58 64; 139 154]
        float[] a = {1, 2, 3, 4, 5, 6}, b = {7, 8, 9, 10, 11, 12}, c = {1, 1, 1, 1};
        new JavaGemm().sgemm(false, false, 2, 2, 3, 1f, a, b, 0f, c);
        assertArrayEquals(new float[]{58, 64, 139, 154}, c);
        // Aᵀ stored as 3x2 and Bᵀ stored as 2x3, with alpha 2 and beta 1 on top of the previous result.
        float[] at = {1, 4, 2, 5, 3, 6}, bt = {7, 9, 11, 8, 10, 12};
        new JavaGemm().sgemm(true, true, 2, 2, 3, 2f, at, bt, 1f, c);
        assertArrayEquals(new float[]{174, 192, 417, 462}, c);
    }

    @Test
    void agreesWithDoublePrecision() {
        long seed = 1;
        for (boolean ta : new boolean[]{false, true}) {
            for (boolean tb : new boolean[]{false, true}) {
                for (int[] s : new int[][]{{1, 1, 1}, {7, 13, 65}, {33, 5, 129}}) {
                    for (float beta : new float[]{0f, 0.5f}) {
                        GemmCase tc = GemmCase.padded(ta, tb, s[0], s[1], s[2], -1.5f, beta, 2, 3, seed++);
                        float[] c = tc.run(new JavaGemm());
                        for (int i = 0; i < tc.m; i++) {
                            for (int j = 0; j < tc.n; j++) {
                                int idx = tc.cOff + i * tc.ldc + j;
                                double sum = 0, mag = 0;
                                for (int p = 0; p < tc.k; p++) {
                                    sum += (double) tc.opA(i, p) * tc.opB(p, j);
                                    mag += Math.abs((double) tc.opA(i, p) * tc.opB(p, j));
                                }
                                double want = tc.alpha * sum + (beta == 0f ? 0 : beta * (double) tc.c0[idx]);
                                double tol = 1e-5 * (Math.abs(tc.alpha) * mag + Math.abs(beta * tc.c0[idx])) + 1e-30;
                                if (Math.abs(want - c[idx]) > tol) fail(tc + " C[" + i + "][" + j + "] = " + c[idx] + ", want " + want);
                            }
                        }
                        tc.assertGuardsIntact(c, "java");
                    }
                }
            }
        }
        assertEquals(0, 0);
    }
}
