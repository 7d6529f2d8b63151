package dev.vitals.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API versions of {@link Passes}; only loaded when the incubator
 * module is present. The species are constants: the JIT compiles vector operations to instructions
 * only when their species is known at compile time (as a parameter, the same loops ran 10-25x slower).
 */
public final class VectorPasses {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** The same number of lanes as {@link #S} (both 32-bit), for the pooling's indices. */
    private static final VectorSpecies<Integer> SI = IntVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Lanes 0, 2, 4... and 1, 3, 5... of two vectors side by side: indices past the first wrap to the second. */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, j -> 2 * j), ODD = VectorShuffle.fromOp(S, j -> 2 * j + 1);
    private static final IntVector TWICE_LANE = IntVector.zero(SI).addIndex(2);

    private VectorPasses() {}

    /** Floats per vector. */
    static int lanes() { return L; }

    static void addTo(float[] dst, int d, float[] src, int s, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector.fromArray(S, dst, d + i).add(FloatVector.fromArray(S, src, s + i)).intoArray(dst, d + i);
        }
        for (; i < n; i++) dst[d + i] += src[s + i];
    }

    /**
     * {@link Passes#maxPool2}, value for value and index for index. A row pair yields up to L
     * outputs per step: its two rows are each loaded as two vectors and split into even and odd
     * columns; the window's left and right values are compared first, then the upper and lower. The
     * last rows of the array, where two vectors would read past its end, take the scalar loop.
     */
    static void maxPool2(float[] xs, float[] y, int[] argmax, int h, int w, int oh, int ow, int planeFrom, int planeTo) {
        int o = planeFrom * oh * ow;
        for (int plane = planeFrom; plane < planeTo; plane++) {
            for (int oy = 0, r0 = plane * h * w; oy < oh; oy++, r0 += 2 * w, o += ow) {
                int r1 = r0 + w;
                for (int ox = 0; ox < ow; ox += L) {
                    int i = r0 + 2 * ox, j = r1 + 2 * ox;
                    if (j + 2 * L > xs.length) {
                        Passes.maxPool2Row(xs, y, argmax, r0, w, o, ox, ow);
                        break;
                    }
                    // values past the row's last window are loaded but never stored
                    FloatVector u0 = FloatVector.fromArray(S, xs, i), u1 = FloatVector.fromArray(S, xs, i + L);
                    FloatVector l0 = FloatVector.fromArray(S, xs, j), l1 = FloatVector.fromArray(S, xs, j + L);
                    FloatVector a = u0.rearrange(EVEN, u1), b = u0.rearrange(ODD, u1);
                    FloatVector c = l0.rearrange(EVEN, l1), d = l0.rearrange(ODD, l1);
                    VectorMask<Float> upperLeft = a.compare(VectorOperators.GE, b).or(a.test(VectorOperators.IS_NAN));
                    VectorMask<Float> lowerLeft = c.compare(VectorOperators.GE, d).or(c.test(VectorOperators.IS_NAN));
                    FloatVector m1 = a.max(b), m2 = c.max(d);
                    VectorMask<Float> upper = m1.compare(VectorOperators.GE, m2).or(m1.test(VectorOperators.IS_NAN));
                    VectorMask<Float> out = S.indexInRange(ox, ow);
                    m1.max(m2).intoArray(y, o + ox, out);
                    IntVector left = TWICE_LANE.add(i);
                    IntVector i1 = left.add(1, upperLeft.cast(SI).not()), i2 = left.add(w).add(1, lowerLeft.cast(SI).not());
                    i2.blend(i1, upper.cast(SI)).intoArray(argmax, o + ox, out.cast(SI));
                }
            }
        }
    }
}
