package dev.vitals.core.kernel;

/**
 * The simple, obviously correct GEMM: plain loops, no blocking. It is the reference the fast
 * kernels are tested against, and the last resort when neither OpenBLAS nor the Vector API is there.
 * The i-k-j order keeps the inner loop contiguous in B and C so that the JIT can vectorise it.
 */
public final class JavaGemm implements Gemm {
    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float alpha, float[] a, int aOff, int lda,
                      float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            if (beta == 0f) {
                for (int j = 0; j < n; j++) c[ci + j] = 0f;
            } else if (beta != 1f) {
                for (int j = 0; j < n; j++) c[ci + j] *= beta;
            }
            for (int p = 0; p < k; p++) {
                float aip = alpha * (transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p]);
                if (aip == 0f) continue;
                if (!transB) {
                    int bp = bOff + p * ldb;
                    for (int j = 0; j < n; j++) c[ci + j] += aip * b[bp + j];
                } else {
                    for (int j = 0; j < n; j++) c[ci + j] += aip * b[bOff + j * ldb + p];
                }
            }
        }
    }

    @Override public String name() { return "java"; }

    @Override public String toString() { return name(); }
}
