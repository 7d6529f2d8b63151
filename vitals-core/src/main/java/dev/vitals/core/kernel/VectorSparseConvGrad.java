package dev.vitals.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API version of {@link SparseConvGrad#accumulate}, value for value: each lane does
 * what the scalar loop does for its value, in the same order. Only loaded when the incubator module
 * is present.
 */
final class VectorSparseConvGrad {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private VectorSparseConvGrad() {}

    /**
     * Six vectors of a row at a time held in registers over all the entries (each entry: six loads
     * and six multiply-adds, six independent chains), then single vectors, then the scalar tail.
     */
    static void accumulate(float[] dst, int d, int dRow, float[] src, int[] bases, int sRow, float[] values, int s, int e, int k, int kc) {
        for (int r = 0; r < k; r++) {
            int dr = d + r * dRow, sr = r * sRow, j = 0;
            for (; j + 6 * L <= kc; j += 6 * L) {
                int o = dr + j;
                FloatVector a0 = at(dst, o), a1 = at(dst, o + L), a2 = at(dst, o + 2 * L), a3 = at(dst, o + 3 * L), a4 = at(dst, o + 4 * L),
                        a5 = at(dst, o + 5 * L);
                for (int i = s; i < e; i++) {
                    FloatVector v = FloatVector.broadcast(S, values[i]);
                    int q = bases[i] + sr + j;
                    a0 = at(src, q).fma(v, a0);
                    a1 = at(src, q + L).fma(v, a1);
                    a2 = at(src, q + 2 * L).fma(v, a2);
                    a3 = at(src, q + 3 * L).fma(v, a3);
                    a4 = at(src, q + 4 * L).fma(v, a4);
                    a5 = at(src, q + 5 * L).fma(v, a5);
                }
                a0.intoArray(dst, o);
                a1.intoArray(dst, o + L);
                a2.intoArray(dst, o + 2 * L);
                a3.intoArray(dst, o + 3 * L);
                a4.intoArray(dst, o + 4 * L);
                a5.intoArray(dst, o + 5 * L);
            }
            for (; j + L <= kc; j += L) {
                FloatVector a = at(dst, dr + j);
                for (int i = s; i < e; i++) a = at(src, bases[i] + sr + j).fma(FloatVector.broadcast(S, values[i]), a);
                a.intoArray(dst, dr + j);
            }
            for (; j < kc; j++) {
                float a = dst[dr + j];
                for (int i = s; i < e; i++) a = Math.fma(values[i], src[bases[i] + sr + j], a);
                dst[dr + j] = a;
            }
        }
    }

    private static FloatVector at(float[] a, int i) { return FloatVector.fromArray(S, a, i); }
}
