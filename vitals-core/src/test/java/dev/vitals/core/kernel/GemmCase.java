package dev.vitals.core.kernel;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One sgemm call on operands embedded in larger arrays (offsets, leading dimensions wider than the
 * matrix, a guard value everywhere else), with the checks the kernel tests share.
 */
final class GemmCase {
    /** Written into every array slot outside the matrices; a kernel must neither read it into C nor overwrite it. */
    static final float GUARD = 1234.5f;

    final boolean transA, transB;
    final int m, n, k;
    final float alpha, beta;
    final int aOff, lda, bOff, ldb, cOff, ldc;
    final float[] a, b, c0;

    private GemmCase(boolean transA, boolean transB, int m, int n, int k, float alpha, float beta,
                     int aOff, int lda, int bOff, int ldb, int cOff, int ldc, float[] a, float[] b, float[] c0) {
        this.transA = transA; this.transB = transB; this.m = m; this.n = n; this.k = k;
        this.alpha = alpha; this.beta = beta;
        this.aOff = aOff; this.lda = lda; this.bOff = bOff; this.ldb = ldb; this.cOff = cOff; this.ldc = ldc;
        this.a = a; this.b = b; this.c0 = c0;
    }

    /** Dense operands, no offsets, C filled with random values (or NaN when beta == 0, which must not leak). */
    static GemmCase dense(boolean transA, boolean transB, int m, int n, int k, float alpha, float beta, long seed) {
        return padded(transA, transB, m, n, k, alpha, beta, 0, 0, seed);
    }

    /**
     * Operands at offset {@code off} with leading dimensions {@code pad} wider than needed.
     * With beta == 0 the C region starts out NaN.
     */
    static GemmCase padded(boolean transA, boolean transB, int m, int n, int k, float alpha, float beta,
                           int off, int pad, long seed) {
        Random rnd = new Random(seed);
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        int lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
        float[] a = filled(off + aRows * lda + off, rnd, aRows, aCols, off, lda, false);
        float[] b = filled(off + bRows * ldb + off, rnd, bRows, bCols, off, ldb, false);
        float[] c = filled(off + m * ldc + off, rnd, m, n, off, ldc, beta == 0f);
        // An empty matrix may have leading dimension 0 in the formula above; BLAS wants at least 1.
        return new GemmCase(transA, transB, m, n, k, alpha, beta, off, Math.max(lda, 1), off, Math.max(ldb, 1),
                off, Math.max(ldc, 1), a, b, c);
    }

    private static float[] filled(int size, Random rnd, int rows, int cols, int off, int ld, boolean nan) {
        float[] x = new float[Math.max(size, 0)];
        java.util.Arrays.fill(x, GUARD);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) x[off + i * ld + j] = nan ? Float.NaN : rnd.nextFloat() * 2f - 1f;
        }
        return x;
    }

    /** Runs the kernel on a fresh copy of C and returns it. */
    float[] run(Gemm g) {
        float[] c = c0.clone();
        g.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        return c;
    }

    float opA(int i, int p) { return transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p]; }

    float opB(int p, int j) { return transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j]; }

    /**
     * Checks {@code actual} against {@code expected} element by element, allowing for a different
     * float summation order: |diff| <= 1e-5 * (|alpha| * sum_p |a_ip||b_pj| + |beta c_ij|), plus a hair
     * for denormals. Also checks that nothing outside the m x n block of C was written.
     */
    void assertMatches(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int idx = cOff + i * ldc + j;
                double mag = 0;
                for (int p = 0; p < k; p++) mag += Math.abs((double) opA(i, p) * opB(p, j));
                mag = Math.abs(alpha) * mag + (beta == 0f ? 0 : Math.abs(beta * c0[idx]));
                double tol = 1e-5 * mag + 1e-30;
                float e = expected[idx], x = actual[idx];
                if (!(Math.abs((double) e - x) <= tol)) {
                    fail(what + " " + this + ": C[" + i + "][" + j + "] = " + x + ", expected " + e + " (tolerance " + tol + ")");
                }
            }
        }
        assertGuardsIntact(actual, what);
    }

    void assertGuardsIntact(float[] actual, String what) {
        for (int idx = 0; idx < actual.length; idx++) {
            int rel = idx - cOff;
            boolean inside = rel >= 0 && rel / ldc < m && rel % ldc < n;
            if (!inside && Float.compare(actual[idx], c0[idx]) != 0) {
                fail(what + " " + this + ": wrote C outside the matrix at index " + idx + " (" + actual[idx] + ")");
            }
        }
    }

    @Override
    public String toString() {
        return (transA ? "T" : "N") + (transB ? "T" : "N") + " m=" + m + " n=" + n + " k=" + k
                + " alpha=" + alpha + " beta=" + beta + " off=" + aOff + " lda=" + lda + " ldb=" + ldb + " ldc=" + ldc;
    }
}
