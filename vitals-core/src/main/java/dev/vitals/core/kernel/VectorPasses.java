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

    /**
     * How long the warm-up waits for the vector loops to win. The JIT compiles them one after the
     * other on a compiler thread that shares the cores with training: on this 2-core VM that took
     * 2.3-2.6 s on an idle machine and often more than 3 s with one or two cores busy (the limit was
     * 3 s; the race was then lost, and every pass stayed scalar for the rest of the run: a CNN epoch
     * 40-60% slower).
     */
    static final long WARM_UP_LIMIT_NS = 30_000_000_000L;
    /** The pause after a lost race, leaving the core to the compiler and to training. */
    static final long RETRY_PAUSE_MS = 50;
    /**
     * Calls of each loop in one timed round. Until C2 has compiled them every vector is an object
     * (80-odd bytes), so a round is garbage: the warm-up allocated 296-339 MB with rounds of 1,000
     * calls, 169-238 MB with 200 (alone, with 0-2 cores busy, after 3,000 calls to compile; the
     * garbage grows the heap, and so a run's peak RSS). Once compiled, a round of 200 took about
     * 0.1 ms of vector calls against 0.2-0.3 ms of scalar ones (probe): still far above the clock's
     * resolution.
     */
    static final int RACE_CALLS = 200;

    /**
     * Calls each loop on small inputs (the JIT compiles a method after a number of calls and loop
     * turns, so small calls reach the compiler after the least slow work), then times batches of the
     * vector and the scalar loops on the same values, case by case, until the vector ones win in all
     * and none is more than {@link #SLOWER_AT_MOST} times slower than its scalar loops (pausing
     * between tries while the compiler works): about 2-3 s here, more with the cores busy.
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
        // Winograd's transforms on one 4x4 tile of one vector of channels and a scalar tail, into one
        // vector of filters and a tail; they run in the race below too, so that the JIT has compiled
        // them by the time training takes them. One small tile: until then every vector is an object
        // (JFR, a CNN epoch: the warm-up thread allocated 189 MB before these calls, 273 MB with them)
        float[] tile = values(16 * (L + 1)), wv = new float[16 * (L + 1)], wo = new float[4 * (L + 1)];
        // the output transform with ReLU and pooling: 2x2 tiles of a 3x3 output, one pooled and three
        // at its edges
        float[] tiles4 = values(4 * 16 * (L + 1)), pooled = new float[L + 1], code = new float[L + 1];
        // the fused convolution, ReLU and pooling (ConvPool) on one example of one channel: its 3x3
        // loops (one row of 9 windows, a partial chunk), a greyscale CNN's. Its general loops (RGB,
        // other kernels) are left to the JIT on first use: warming them too made this thread's
        // garbage 564 and 655 MB instead of 491 (JFR, a CNN epoch each; see docs/PERFORMANCE.md)
        FusedCase fusedOne = new FusedCase(new ConvPool(1, 5, 20, 3, 0, 2));
        // the gradients from nonzero values (SparseConvGrad) of a 3x3 convolution behind pooling: window
        // rows of six vectors and a tail (conv2's 32 channels are six vectors), and of three vectors and a tail
        SparseCase sparseWide = new SparseCase(2 * L + 1), sparseNarrow = new SparseCase(L + 1);
        long deadline = System.nanoTime() + WARM_UP_LIMIT_NS;
        // enough calls to put the loops on the compiler's queue; the race's rounds do the rest. 1,000
        // instead of 3,000: the warm-up's garbage 109-206 instead of 108-247 MB (six probes each),
        // CNN peak RSS 581-590 instead of 580-685 MB (four alternating runs of two epochs)
        for (int i = 0; i < 1_000; i++) {
            switch (i % 3) {
                case 0 -> maxPool2(a, y, at, 4, narrow, 2, narrow / 2, 0, 2);
                case 1 -> maxPool2(b, y, at, 4, wide, 2, wide / 2, 0, 2);
                default -> maxPool2(tail, y, at, 2, narrow, 1, narrow / 2, 0, 1);
            }
            addTo(dst, i & 1, src, 0, 6 * L - 1 - (i & 7));
            winogradInput(tile, L + 1, 4, 1, 1, wv, 1, 0);
            winogradOutput(tile, L + 1, 1, 1, 1, 0, tile, wo);
            winogradOutputPooled(tiles4, L + 1, 2, 2, 3, 3, 4, 0, tile, pooled, code);
            fusedOne.run(true);
            (i % 2 == 0 ? sparseWide : sparseNarrow).run(true);
        }
        // each case's vector loops and its scalar ones, on the same values
        Runnable[][] cases = {
                {() -> {
                    maxPool2(a, y, at, 4, narrow, 2, narrow / 2, 0, 2);
                    maxPool2(b, y, at, 4, wide, 2, wide / 2, 0, 2);
                }, () -> {
                    Passes.maxPool2Scalar(a, y, at, 4, narrow, 2, narrow / 2, 0, 2);
                    Passes.maxPool2Scalar(b, y, at, 4, wide, 2, wide / 2, 0, 2);
                }},
                {() -> addTo(dst, 1, src, 0, 5 * L), () -> Passes.addToScalar(dst, 1, src, 0, 5 * L)},
                {() -> winogradInput(tile, L + 1, 4, 1, 1, wv, 1, 0), () -> Winograd.transformInput(tile, L + 1, 0, 4, 1, 1, wv, 1, 0)},
                {() -> winogradOutput(tile, L + 1, 1, 1, 1, 0, tile, wo), () -> Winograd.transformOutput(tile, L + 1, 0, 1, 1, 1, 0, tile, wo)},
                {() -> winogradOutputPooled(tiles4, L + 1, 2, 2, 3, 3, 4, 0, tile, pooled, code),
                        () -> Winograd.transformOutputPooled(tiles4, L + 1, 0, 2, 2, 3, 3, 4, 0, tile, pooled, code)},
                {() -> fusedOne.run(true), () -> fusedOne.run(false)},
                {() -> {
                    sparseWide.run(true);
                    sparseNarrow.run(true);
                }, () -> {
                    sparseWide.run(false);
                    sparseNarrow.run(false);
                }}};
        while (System.nanoTime() < deadline) {
            long vectorTime = 0, scalarTime = 0;
            boolean each = true;
            for (Runnable[] c : cases) {
                long t0 = System.nanoTime();
                for (int i = 0; i < RACE_CALLS; i++) c[0].run();
                long t1 = System.nanoTime();
                for (int i = 0; i < RACE_CALLS; i++) c[1].run();
                long t2 = System.nanoTime();
                vectorTime += t1 - t0;
                scalarTime += t2 - t1;
                each &= t1 - t0 < SLOWER_AT_MOST * (t2 - t1);
            }
            if (vectorTime < scalarTime && each) {
                ready = true;
                return;
            }
            try {
                Thread.sleep(RETRY_PAUSE_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
    /**
     * How much slower than its scalar loops a case's vector loops may still be when the warm-up ends
     * (with all cases together faster). Compiled, each ran at 0.1-1.2x the scalar time on the race's
     * small inputs; a loop not yet compiled by C2 (interpreted, or C1's code, where every vector is
     * an object) at 4-800x. With only the total compared, the large cases (the fused pass, the sparse
     * gradients) won the race while the pooling and Winograd's transforms still ran 5-35x slower:
     * training then took them uncompiled, and their garbage (about 700 MB in half a second, JFR)
     * grew the heap (a CNN run's peak RSS 717-731 MB in three runs of six). Asking each case ended
     * the warm-up 2.7 s into its race instead of 1.0 s.
     */
    static final int SLOWER_AT_MOST = 2;

    /** One example through {@link ConvPool}'s forward and backward passes, with the vector loops or the scalar ones. */
    private static final class FusedCase {
        final ConvPool p;
        final float[] x, wt, bias, s, y, g, lanes;
        final int[] argmax;

        FusedCase(ConvPool p) {
            this.p = p;
            x = values(p.c * p.h * p.w);
            wt = values(p.filters * p.taps);
            bias = new float[p.filters];
            s = new float[p.shiftedFloats()];
            y = new float[p.filters * p.oh2 * p.ow2];
            g = values(y.length);
            argmax = new int[y.length];
            lanes = new float[p.laneFloats()];
        }

        void run(boolean vector) {
            p.shift(x, 0, s, 0);
            p.forward(s, 0, wt, bias, y, 0, argmax, 0, vector);
            p.backward(s, 0, g, y, argmax, 0, 0, lanes, vector);
        }
    }

    /** One example of two filters through {@link SparseConvGrad}'s two passes: a 3x3 convolution of {@code c} channels, a 2x2 output. */
    private static final class SparseCase {
        final SparseConvGrad p;
        final float[] img, wl, dw, dimg;
        final int ld;

        SparseCase(int c) {
            p = new SparseConvGrad(c, 3, 2, 2, 2, 4);
            img = values(4 * 4 * c);
            wl = values(2 * 9 * c);
            ld = 9 * c + 1;
            dw = new float[2 * ld];
            dimg = new float[img.length];
            // both filters' windows pass ReLU, their maxima at the first and the last position
            p.collect(new float[] {0.5f, -0.25f}, new float[] {1f, 2f}, new int[] {0, 7}, 0, 0);
        }

        void run(boolean vector) {
            p.weightGrad(img, dw, ld, vector);
            p.inputGrad(wl, dimg, vector);
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

    /**
     * {@link Winograd#transformInput} of the whole vectors of channels, [0, c - c % L), with the same
     * operations in the same order as the scalar loop; returns the first channel left to it.
     */
    static int winogradInput(float[] img, int c, int wp, int th, int tw, float[] v, int tilesAll, int t0) {
        int row = wp * c, plane = tilesAll * c, end = c - c % L;
        for (int ty = 0; ty < th; ty++) {
            for (int tx = 0; tx < tw; tx++) {
                int r0 = (2 * ty * wp + 2 * tx) * c, r1 = r0 + row, r2 = r1 + row, r3 = r2 + row;
                int o = (t0 + ty * tw + tx) * c;
                for (int ch = 0; ch < end; ch += L) {
                    FloatVector d00 = at(img, r0 + ch), d01 = at(img, r0 + c + ch), d02 = at(img, r0 + 2 * c + ch), d03 = at(img, r0 + 3 * c + ch);
                    FloatVector d10 = at(img, r1 + ch), d11 = at(img, r1 + c + ch), d12 = at(img, r1 + 2 * c + ch), d13 = at(img, r1 + 3 * c + ch);
                    FloatVector d20 = at(img, r2 + ch), d21 = at(img, r2 + c + ch), d22 = at(img, r2 + 2 * c + ch), d23 = at(img, r2 + 3 * c + ch);
                    FloatVector d30 = at(img, r3 + ch), d31 = at(img, r3 + c + ch), d32 = at(img, r3 + 2 * c + ch), d33 = at(img, r3 + 3 * c + ch);
                    FloatVector s00 = d00.sub(d20), s01 = d01.sub(d21), s02 = d02.sub(d22), s03 = d03.sub(d23);
                    FloatVector s10 = d10.add(d20), s11 = d11.add(d21), s12 = d12.add(d22), s13 = d13.add(d23);
                    FloatVector s20 = d20.sub(d10), s21 = d21.sub(d11), s22 = d22.sub(d12), s23 = d23.sub(d13);
                    FloatVector s30 = d10.sub(d30), s31 = d11.sub(d31), s32 = d12.sub(d32), s33 = d13.sub(d33);
                    int q = o + ch;
                    s00.sub(s02).intoArray(v, q);
                    s01.add(s02).intoArray(v, q + plane);
                    s02.sub(s01).intoArray(v, q + 2 * plane);
                    s01.sub(s03).intoArray(v, q + 3 * plane);
                    s10.sub(s12).intoArray(v, q + 4 * plane);
                    s11.add(s12).intoArray(v, q + 5 * plane);
                    s12.sub(s11).intoArray(v, q + 6 * plane);
                    s11.sub(s13).intoArray(v, q + 7 * plane);
                    s20.sub(s22).intoArray(v, q + 8 * plane);
                    s21.add(s22).intoArray(v, q + 9 * plane);
                    s22.sub(s21).intoArray(v, q + 10 * plane);
                    s21.sub(s23).intoArray(v, q + 11 * plane);
                    s30.sub(s32).intoArray(v, q + 12 * plane);
                    s31.add(s32).intoArray(v, q + 13 * plane);
                    s32.sub(s31).intoArray(v, q + 14 * plane);
                    s31.sub(s33).intoArray(v, q + 15 * plane);
                }
            }
        }
        return end;
    }

    /**
     * {@link Winograd#transformOutput} of the whole vectors of filters, [0, filters - filters % L),
     * with the same operations in the same order as the scalar loop; returns the first filter left to it.
     */
    static int winogradOutput(float[] m, int filters, int th, int tw, int tilesAll, int t0, float[] bias, float[] out) {
        int plane = tilesAll * filters, row = 2 * tw * filters, end = filters - filters % L;
        for (int ty = 0; ty < th; ty++) {
            for (int tx = 0; tx < tw; tx++) {
                int o = (t0 + ty * tw + tx) * filters;
                int d0 = (2 * ty * 2 * tw + 2 * tx) * filters, d1 = d0 + row;
                for (int f = 0; f < end; f += L) {
                    int q = o + f;
                    FloatVector m0 = at(m, q), m1 = at(m, q + plane), m2 = at(m, q + 2 * plane), m3 = at(m, q + 3 * plane);
                    FloatVector m4 = at(m, q + 4 * plane), m5 = at(m, q + 5 * plane), m6 = at(m, q + 6 * plane), m7 = at(m, q + 7 * plane);
                    FloatVector m8 = at(m, q + 8 * plane), m9 = at(m, q + 9 * plane), m10 = at(m, q + 10 * plane), m11 = at(m, q + 11 * plane);
                    FloatVector m12 = at(m, q + 12 * plane), m13 = at(m, q + 13 * plane), m14 = at(m, q + 14 * plane), m15 = at(m, q + 15 * plane);
                    FloatVector r00 = m0.add(m4).add(m8), r01 = m1.add(m5).add(m9), r02 = m2.add(m6).add(m10), r03 = m3.add(m7).add(m11);
                    FloatVector r10 = m4.sub(m8).sub(m12), r11 = m5.sub(m9).sub(m13), r12 = m6.sub(m10).sub(m14), r13 = m7.sub(m11).sub(m15);
                    FloatVector b = at(bias, f);
                    b.add(r00.add(r01).add(r02)).intoArray(out, d0 + f);
                    b.add(r01.sub(r02).sub(r03)).intoArray(out, d0 + filters + f);
                    b.add(r10.add(r11).add(r12)).intoArray(out, d1 + f);
                    b.add(r11.sub(r12).sub(r13)).intoArray(out, d1 + filters + f);
                }
            }
        }
        return end;
    }

    /**
     * {@link Winograd#transformOutputPooled} of the whole vectors of filters, [0, filters - filters % L),
     * value for value; returns the first filter left to the scalar loop, or -1 when an output may be
     * NaN. ReLU and the maxima are compares and blends, which agree with {@code Math.max} for every
     * value but NaN (ReLU's outputs are never -0), so a tile whose four outputs sum to NaN stops the
     * pass (an infinity that cancels, or a sum that overflows, stops it too: the caller then runs the
     * layers one by one, which is only slower). The transform repeats {@link #winogradOutput}'s: a
     * helper returning the four outputs would box them (see {@link VectorConvPool}).
     */
    static int winogradOutputPooled(float[] m, int filters, int th, int tw, int oh, int ow, int tilesAll, int t0, float[] bias,
                                    float[] pooled, float[] code) {
        int plane = tilesAll * filters, ph = oh / 2, pw = ow / 2, end = filters - filters % L;
        FloatVector zero = FloatVector.zero(S), one = FloatVector.broadcast(S, 1f), two = FloatVector.broadcast(S, 2f),
                three = FloatVector.broadcast(S, 3f);
        for (int ty = 0; ty < th; ty++) {
            for (int tx = 0; tx < tw; tx++) {
                int o = (t0 + ty * tw + tx) * filters, p = (ty * pw + tx) * filters;
                boolean window = ty < ph && tx < pw;
                for (int f = 0; f < end; f += L) {
                    int q = o + f;
                    FloatVector m0 = at(m, q), m1 = at(m, q + plane), m2 = at(m, q + 2 * plane), m3 = at(m, q + 3 * plane);
                    FloatVector m4 = at(m, q + 4 * plane), m5 = at(m, q + 5 * plane), m6 = at(m, q + 6 * plane), m7 = at(m, q + 7 * plane);
                    FloatVector m8 = at(m, q + 8 * plane), m9 = at(m, q + 9 * plane), m10 = at(m, q + 10 * plane), m11 = at(m, q + 11 * plane);
                    FloatVector m12 = at(m, q + 12 * plane), m13 = at(m, q + 13 * plane), m14 = at(m, q + 14 * plane), m15 = at(m, q + 15 * plane);
                    FloatVector r00 = m0.add(m4).add(m8), r01 = m1.add(m5).add(m9), r02 = m2.add(m6).add(m10), r03 = m3.add(m7).add(m11);
                    FloatVector r10 = m4.sub(m8).sub(m12), r11 = m5.sub(m9).sub(m13), r12 = m6.sub(m10).sub(m14), r13 = m7.sub(m11).sub(m15);
                    FloatVector b = at(bias, f);
                    FloatVector o00 = b.add(r00.add(r01).add(r02)), o01 = b.add(r01.sub(r02).sub(r03));
                    FloatVector o10 = b.add(r10.add(r11).add(r12)), o11 = b.add(r11.sub(r12).sub(r13));
                    if (o00.add(o01).add(o10).add(o11).test(VectorOperators.IS_NAN).anyTrue()) return -1;
                    if (!window) continue;
                    FloatVector a = zero.blend(o00, o00.compare(VectorOperators.GT, 0f)), c = zero.blend(o01, o01.compare(VectorOperators.GT, 0f));
                    FloatVector d = zero.blend(o10, o10.compare(VectorOperators.GT, 0f)), e = zero.blend(o11, o11.compare(VectorOperators.GT, 0f));
                    VectorMask<Float> left = a.compare(VectorOperators.GE, c), lowerLeft = d.compare(VectorOperators.GE, e);
                    FloatVector upper = c.blend(a, left), lower = e.blend(d, lowerLeft);
                    VectorMask<Float> up = upper.compare(VectorOperators.GE, lower);
                    lower.blend(upper, up).intoArray(pooled, p + f);
                    three.blend(two, lowerLeft).blend(one.blend(zero, left), up).intoArray(code, p + f);
                }
            }
        }
        return end;
    }

    private static FloatVector at(float[] a, int i) { return FloatVector.fromArray(S, a, i); }
}
