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

    /** Set once the vector loops measure faster than the scalar ones (see {@link #warmUp}). */
    private static volatile boolean ready;
    private static final java.util.concurrent.atomic.AtomicBoolean WARMING = new java.util.concurrent.atomic.AtomicBoolean();

    /** Whether the warm-up has found the compiled vector loops faster than the scalar ones. */
    static boolean ready() { return ready; }

    /** Set when the warm-up has ended, whether or not the vector loops won. */
    static volatile boolean warmUpEnded;

    /**
     * Starts {@link #warmUp} on a thread of its own (once). Until the JIT has compiled them the
     * vector loops are far slower than the scalar ones (interpreted, every vector is an object: the
     * first pooling of a CNN batch took 0.8 s, and a {@code vitals check} of the Fashion-MNIST CNN
     * that took them from its first step ran 8.3-9.7 s instead of 7.0-7.1 s, with 220-245 MB more
     * memory), so callers keep the scalar loops (same results) until then.
     */
    static void startWarmUp() {
        if (!WARMING.compareAndSet(false, true)) return;
        Thread t = new Thread(VectorPasses::warmUp, "vitals-vector-warm-up");
        t.setDaemon(true);
        t.start();
    }

    static final long WARM_UP_LIMIT_NS = 3_000_000_000L;

    /**
     * Calls each loop on small inputs (the JIT compiles a method after a number of calls and loop
     * turns, so small calls reach the compiler after the least slow work), then times batches of the
     * vector and the scalar loops on the same values until the vector ones win: 1.0-1.2 s here.
     * The inputs take every path that real ones do (several planes and row pairs, rows of one and of
     * two vectors, the scalar tail at the array's end): a path the compiled code has never seen is a
     * trap back to the interpreter, where one pooling of a CNN batch then took most of a second.
     * If the vector loops do not win within {@link #WARM_UP_LIMIT_NS}, they stay unused.
     */
    private static void warmUp() {
        try {
            compileAndCompare();
        } finally {
            warmUpEnded = true;
        }
    }

    private static void compileAndCompare() {
        // two planes of two row pairs, rows of one vector of outputs and of two; one row pair that
        // ends the array (its last vectors would read past it: the scalar tail)
        int narrow = 2 * L - 1, wide = 4 * L - 1;
        float[] a = values(2 * 4 * narrow + 2 * L), b = values(2 * 4 * wide + 2 * L), tail = values(2 * narrow);
        float[] y = new float[2 * 2 * (wide / 2)], src = values(6 * L), dst = new float[6 * L];
        int[] at = new int[y.length];
        long deadline = System.nanoTime() + WARM_UP_LIMIT_NS;
        for (int i = 0; i < 3_000; i++) {
            switch (i % 3) {
                case 0 -> maxPool2(a, y, at, 4, narrow, 2, narrow / 2, 0, 2);
                case 1 -> maxPool2(b, y, at, 4, wide, 2, wide / 2, 0, 2);
                default -> maxPool2(tail, y, at, 2, narrow, 1, narrow / 2, 0, 1);
            }
            addTo(dst, i & 1, src, 0, 6 * L - 1 - (i & 7));
        }
        while (System.nanoTime() < deadline) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 1_000; i++) {
                maxPool2(a, y, at, 4, narrow, 2, narrow / 2, 0, 2);
                maxPool2(b, y, at, 4, wide, 2, wide / 2, 0, 2);
                addTo(dst, 1, src, 0, 5 * L);
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < 1_000; i++) {
                Passes.maxPool2Scalar(a, y, at, 4, narrow, 2, narrow / 2, 0, 2);
                Passes.maxPool2Scalar(b, y, at, 4, wide, 2, wide / 2, 0, 2);
                Passes.addToScalar(dst, 1, src, 0, 5 * L);
            }
            long t2 = System.nanoTime();
            if (t1 - t0 < t2 - t1) {
                ready = true;
                return;
            }
        }
    }

    /**
     * Values in no order, half of them zero, as ReLU's outputs are. The scalar loops the warm-up also
     * runs share their branch profile with the training's calls: on an ordered pattern (a < b at every
     * step) C2 compiled the pooling's selects to branches, and the 11x11 pooling of the CNN then ran
     * 3x slower on real data (690 vs 230 us a batch with its ReLU).
     */
    private static float[] values(int n) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(n);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = Math.max(0f, (float) r.nextDouble(-1, 1));
        return v;
    }

    /** Floats per vector. */
    static int lanes() { return L; }

    static void addTo(float[] dst, int d, float[] src, int s, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector.fromArray(S, dst, d + i).add(FloatVector.fromArray(S, src, s + i)).intoArray(dst, d + i);
        }
        Passes.addToScalar(dst, d + i, src, s + i, n - i);
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
