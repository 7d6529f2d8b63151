package dev.vitals.core.kernel;

/**
 * Single-precision general matrix multiply on row-major arrays:
 * {@code C = alpha * op(A) * op(B) + beta * C}, where {@code op(X)} is {@code X} or its transpose.
 * {@code op(A)} is m×k, {@code op(B)} is k×n, C is m×n; {@code lda}, {@code ldb}, {@code ldc} are the
 * row strides of the matrices as stored. Transposed operands are read in place, never copied.
 * With {@code beta == 0} the old contents of C are ignored (NaN in C does not leak through).
 */
public interface Gemm {
    void sgemm(boolean transA, boolean transB, int m, int n, int k,
               float alpha, float[] a, int aOff, int lda,
               float[] b, int bOff, int ldb,
               float beta, float[] c, int cOff, int ldc);

    /** A short name for reports: "openblas", "vector", "java". */
    String name();

    /**
     * Runs {@code body} with a kernel that computes each product on the thread that calls it, so the
     * body can run many small independent products on its own threads (Conv2d's products per
     * example) without the kernel's threads competing for the same cores.
     */
    default void onCallerThreads(java.util.function.Consumer<Gemm> body) { body.accept(this); }

    /** Convenience for dense, contiguous operands. */
    default void sgemm(boolean transA, boolean transB, int m, int n, int k,
                       float alpha, float[] a, float[] b, float beta, float[] c) {
        sgemm(transA, transB, m, n, k, alpha, a, 0, transA ? m : k, b, 0, transB ? k : n, beta, c, 0, n);
    }
}
