package dev.vitals.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * GEMM in plain Java with the Vector API, used when OpenBLAS is absent. Only loaded when the
 * incubator module is present (see {@link VectorSupport}).
 */
public final class VectorGemm implements Gemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorGemm() {}

    static Gemm create() { return new VectorGemm(); }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float alpha, float[] a, int aOff, int lda,
                      float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        int bound = S.loopBound(n);
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            if (beta == 0f) {
                for (int j = 0; j < n; j++) c[ci + j] = 0f;
            } else if (beta != 1f) {
                for (int j = 0; j < n; j++) c[ci + j] *= beta;
            }
            if (transB) {
                for (int j = 0; j < n; j++) {
                    FloatVector acc = FloatVector.zero(S);
                    int p = 0, kb = S.loopBound(k);
                    for (; p < kb; p += S.length()) {
                        FloatVector av = transA ? gatherCol(a, aOff, lda, i, p) : FloatVector.fromArray(S, a, aOff + i * lda + p);
                        acc = av.fma(FloatVector.fromArray(S, b, bOff + j * ldb + p), acc);
                    }
                    float s = acc.reduceLanes(VectorOperators.ADD);
                    for (; p < k; p++) s += aAt(a, aOff, lda, transA, i, p) * b[bOff + j * ldb + p];
                    c[ci + j] += alpha * s;
                }
                continue;
            }
            for (int p = 0; p < k; p++) {
                float aip = alpha * aAt(a, aOff, lda, transA, i, p);
                if (aip == 0f) continue;
                FloatVector av = FloatVector.broadcast(S, aip);
                int bp = bOff + p * ldb, j = 0;
                for (; j < bound; j += S.length()) {
                    FloatVector cv = FloatVector.fromArray(S, c, ci + j);
                    av.fma(FloatVector.fromArray(S, b, bp + j), cv).intoArray(c, ci + j);
                }
                for (; j < n; j++) c[ci + j] += aip * b[bp + j];
            }
        }
    }

    private static float aAt(float[] a, int aOff, int lda, boolean transA, int i, int p) {
        return transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
    }

    private static FloatVector gatherCol(float[] a, int aOff, int lda, int i, int p) {
        float[] tmp = new float[S.length()];
        for (int l = 0; l < tmp.length; l++) tmp[l] = a[aOff + (p + l) * lda + i];
        return FloatVector.fromArray(S, tmp, 0);
    }

    @Override public String name() { return "vector"; }
}
