package dev.vitals.core.kernel;

/**
 * Element passes that the JIT leaves scalar, with a Vector API version ({@link VectorPasses}) used
 * when the incubator module is present. The JDK 25 JIT does not vectorise a loop whose loads and
 * stores use different offsets into arrays it cannot prove distinct (col2im's {@code dx[d+i] += col[s+i]}),
 * nor one that reads every second value (2x2 max pooling, {@link #maxPool2}); written with the Vector API both run
 * several times faster (docs/PERFORMANCE.md). Both versions give bit-identical results: each output
 * value sees the same operations in the same order. {@code -Dvitals.vectorPasses=false} keeps the
 * scalar loops (to compare).
 */
public final class Passes {
    private static final boolean VECTOR = VectorSupport.available() && !"false".equals(System.getProperty("vitals.vectorPasses"));
    /**
     * Values after which the vector loops are warmed up: about 350 steps of the Fashion-MNIST CNN
     * (6.1 million values a step, 3.5 million of them Winograd's transforms; 800 steps before those).
     * The warm-up takes about 2 s, most of it the JIT compiling, 2-4 s while training keeps the cores
     * busy (see {@link VectorPasses#warmUp}); the vector loops save 0.4-0.6 s an epoch there,
     * so a shorter run (a {@code vitals check}, the casebook's budgets) is better off with the scalar
     * loops throughout.
     */
    static final long WARM_UP_AFTER = 1L << 31;
    /** Values the scalar loops were asked for before the warm-up; only needs to be roughly right. */
    private static long scalarValues;

    private Passes() {}

    /** Whether the Vector API versions can run in this JVM (they do once warmed up: {@link #vectorFor}). */
    public static boolean vector() { return VECTOR; }

    /**
     * Which loops the passes take now, for reports: "Vector API passes after a warm-up" once it has
     * won; otherwise scalar, and why (a run that reports a lost warm-up ran its passes several times slower).
     */
    public static String describe() {
        if (!VECTOR) return "scalar passes";
        if (VectorPasses.ready()) return "Vector API passes after a warm-up";
        if (VectorPasses.warmUpEnded) return "scalar passes (the Vector API loops lost their warm-up)";
        // scalarValues is another thread's count: good enough for a report
        return scalarValues > WARM_UP_AFTER ? "scalar passes (Vector API warm-up running)"
                : "scalar passes (Vector API warm-up not reached)";
    }

    /**
     * Whether a layer's pass over {@code values} values should take the vector loops; asked once per
     * pass by the thread that runs it. Until the vector loops are compiled, the scalar ones (same
     * results) run, and after {@link #WARM_UP_AFTER} values a warm-up starts on a thread of its own.
     */
    public static boolean vectorFor(long values) {
        if (!VECTOR) return false;
        if (VectorPasses.ready()) return true;
        if ((scalarValues += values) > WARM_UP_AFTER) VectorPasses.startWarmUp();
        return false;
    }

    /**
     * {@link #vectorFor} for a pass whose scalar loops are many times slower than its vector ones
     * ({@link ConvPool}'s fused pass, 10-20x): starts the warm-up at once instead of after
     * {@link #WARM_UP_AFTER} values. Only asked by the passes of a whole training run.
     */
    public static boolean vectorSoon(long values) {
        if (!VECTOR) return false;
        if (VectorPasses.ready()) return true;
        VectorPasses.startWarmUp();
        scalarValues += values;
        return false;
    }

    /** dst[d + i] += src[s + i] for i in [0, n) with the vector loop or not; the ranges must not overlap unless equal. */
    public static void addTo(float[] dst, int d, float[] src, int s, int n, boolean vector) {
        if (vector) VectorPasses.addTo(dst, d, src, s, n);
        else addToScalar(dst, d, src, s, n);
    }

    static void addToScalar(float[] dst, int d, float[] src, int s, int n) {
        for (int i = 0; i < n; i++) dst[d + i] += src[s + i];
    }

    /**
     * 2x2 max pooling with stride 2 of planes [planeFrom, planeTo), each h x w values, into oh x ow
     * outputs (an odd last row or column is dropped), and the input index of each output's maximum.
     * Ties go to the first position in scan order, NaN wins (so a NaN input is never silently
     * dropped); the value is Math.max's, so +0 beats -0. {@code vector}: from {@link #vectorFor}.
     */
    public static void maxPool2(float[] xs, float[] y, int[] argmax, int h, int w, int oh, int ow, int planeFrom, int planeTo,
                                boolean vector) {
        // a row pair costs the vector loop the same whatever its width (18-19 ns, 16 lanes): rows
        // of 5 outputs (11x11 inputs) ran 25% slower than the scalar loop, rows of 13 twice as fast
        if (vector && 2 * ow >= VectorPasses.lanes()) {
            // one call a plane: if the compiled vector loop meets a case its profile has not seen
            // (the JIT then drops back to the interpreter for the rest of the call, and
            // recompiles), only that plane runs slowly; whole ranges once cost 0.4 s a trap
            for (int plane = planeFrom; plane < planeTo; plane++) VectorPasses.maxPool2(xs, y, argmax, h, w, oh, ow, plane, plane + 1);
        } else {
            maxPool2Scalar(xs, y, argmax, h, w, oh, ow, planeFrom, planeTo);
        }
    }

    static void maxPool2Scalar(float[] xs, float[] y, int[] argmax, int h, int w, int oh, int ow, int planeFrom, int planeTo) {
        int o = planeFrom * oh * ow;
        for (int plane = planeFrom; plane < planeTo; plane++) {
            for (int oy = 0, r0 = plane * h * w; oy < oh; oy++, r0 += 2 * w, o += ow) maxPool2Row(xs, y, argmax, r0, w, o, 0, ow);
        }
    }

    /**
     * Outputs [from, ow) of the row pair starting at r0 (the upper row; the lower one starts at
     * r0 + w), written from y[o + from]. Without branches on the data: the maximum by Math.max and
     * the index by selects the JIT turns into conditional moves (written with the value read back
     * through the index instead, it compiled to branches and ran 3-6x slower on ReLU's outputs).
     */
    static void maxPool2Row(float[] xs, float[] y, int[] argmax, int r0, int w, int o, int from, int ow) {
        int r1 = r0 + w;
        for (int ox = from; ox < ow; ox++) {
            int i = 2 * ox;
            float a = xs[r0 + i], b = xs[r0 + i + 1], c = xs[r1 + i], d = xs[r1 + i + 1];
            float m1 = Math.max(a, b), m2 = Math.max(c, d);
            y[o + ox] = Math.max(m1, m2);
            int i1 = a >= b | a != a ? r0 + i : r0 + i + 1;
            int i2 = c >= d | c != c ? r1 + i : r1 + i + 1;
            argmax[o + ox] = m1 >= m2 | m1 != m1 ? i1 : i2;
        }
    }
}
