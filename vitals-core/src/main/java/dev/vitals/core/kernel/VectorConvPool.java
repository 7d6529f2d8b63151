package dev.vitals.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API version of {@link ConvPool}'s passes, value for value; only loaded when the
 * incubator module is present. A chunk of {@link ConvPool#CW} pooled columns is one vector or
 * several ({@link #L} lanes each), so the weight gradient's lane sums are the same at any width.
 */
final class VectorConvPool {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> SI = IntVector.SPECIES_PREFERRED;
    static final int L = S.length();
    private static final IntVector TWICE_LANE = IntVector.zero(SI).addIndex(2);

    private VectorConvPool() {}

    /** Whether the chunks split into whole vectors (every preferred species does, from 4 to 16 floats). */
    static boolean usable() { return ConvPool.CW % L == 0; }

    static void forward(ConvPool p, float[] s, int so, float[] wt, float[] bias, float[] y, int yo, int[] argmax, int zo) {
        if (p.c == 1 && p.k == 3) {
            forward3x3(p, s, so, wt, bias, y, yo, argmax, zo);
            return;
        }
        int c = p.c, k = p.k, oh = p.oh, ow = p.ow, oh2 = p.oh2, ow2 = p.ow2, rowLen = p.rowLen, taps = p.taps;
        for (int f = 0; f < p.filters; f++) {
            FloatVector b = FloatVector.broadcast(S, bias[f]);
            // one loop over (row, chunk): two nested loops of unknown trip counts ran 2.3x slower (C2, JDK 25)
            int chunks = (ow2 + L - 1) / L;
            for (int q = 0, n = oh2 * chunks; q < n; q++) {
                int oy = q / chunks, j = (q - oy * chunks) * L;
                int top = zo + (f * oh + 2 * oy) * ow, o = yo + (f * oh2 + oy) * ow2;
                {
                    FloatVector z00 = b, z01 = b, z10 = b, z11 = b;
                    int t = f * taps;
                    for (int ch = 0; ch < c; ch++) {
                        for (int dy = 0; dy < k; dy++) {
                            int r0 = 2 * oy + dy;
                            for (int dx = 0; dx < k; dx++) {
                                FloatVector wv = FloatVector.broadcast(S, wt[t++]);
                                int e = so + p.row(ch, dx, r0) + j, d = so + p.row(ch, dx + 1, r0) + j;
                                z00 = FloatVector.fromArray(S, s, e).fma(wv, z00);
                                z01 = FloatVector.fromArray(S, s, d).fma(wv, z01);
                                z10 = FloatVector.fromArray(S, s, e + rowLen).fma(wv, z10);
                                z11 = FloatVector.fromArray(S, s, d + rowLen).fma(wv, z11);
                            }
                        }
                    }
                    // ReLU, then the window's maximum and index as Passes.maxPool2 (inline: vectors passed to a call
                    // are boxed). ReLU as Math.max(z, 0f): 0 where z <= 0 (-0 gives +0), z elsewhere (NaN stays)
                    FloatVector zero = FloatVector.zero(S);
                    FloatVector r00 = z00.blend(zero, z00.compare(VectorOperators.LE, 0f));
                    FloatVector r01 = z01.blend(zero, z01.compare(VectorOperators.LE, 0f));
                    FloatVector r10 = z10.blend(zero, z10.compare(VectorOperators.LE, 0f));
                    FloatVector r11 = z11.blend(zero, z11.compare(VectorOperators.LE, 0f));
                    VectorMask<Float> upperLeft, lowerLeft, upper;
                    FloatVector m;
                    // ReLU's outputs are never negative, so their sum is NaN exactly when one of them is
                    if (r00.add(r01).add(r10).add(r11).test(VectorOperators.IS_NAN).anyTrue()) {
                        // a NaN wins its window: Math.max and the NaN tests of Passes.maxPool2
                        upperLeft = r00.compare(VectorOperators.GE, r01).or(r00.test(VectorOperators.IS_NAN));
                        lowerLeft = r10.compare(VectorOperators.GE, r11).or(r10.test(VectorOperators.IS_NAN));
                        FloatVector m1 = r00.max(r01), m2 = r10.max(r11);
                        upper = m1.compare(VectorOperators.GE, m2).or(m1.test(VectorOperators.IS_NAN));
                        m = m1.max(m2);
                    } else {
                        // no NaN and no -0: the larger of two is the one the comparison picks (Math.max's
                        // NaN and signed-zero rules cost 1.6x this whole pass)
                        upperLeft = r00.compare(VectorOperators.GE, r01);
                        lowerLeft = r10.compare(VectorOperators.GE, r11);
                        FloatVector m1 = r01.blend(r00, upperLeft), m2 = r11.blend(r10, lowerLeft);
                        upper = m1.compare(VectorOperators.GE, m2);
                        m = m2.blend(m1, upper);
                    }
                    m.intoArray(y, o + j, S.indexInRange(j, ow2));
                    // the index chosen by blends on the candidates' bits as floats: no casts of masks
                    IntVector left = TWICE_LANE.add(top + 2 * j);
                    FloatVector c00 = left.reinterpretAsFloats(), c01 = left.add(1).reinterpretAsFloats();
                    FloatVector c10 = left.add(ow).reinterpretAsFloats(), c11 = left.add(ow + 1).reinterpretAsFloats();
                    c11.blend(c10, lowerLeft).blend(c01.blend(c00, upperLeft), upper).reinterpretAsInts()
                            .intoArray(argmax, o + j, SI.indexInRange(j, ow2));
                }
            }
        }
    }

    /**
     * {@link #forward} for one channel and 3x3 kernels: the filter's nine weights in registers, and
     * the sixteen input vectors under a chunk of windows (four rows, four shifts) loaded once.
     */
    private static void forward3x3(ConvPool p, float[] s, int so, float[] wt, float[] bias, float[] y, int yo, int[] argmax, int zo) {
        int oh = p.oh, ow = p.ow, oh2 = p.oh2, ow2 = p.ow2, rl = p.rowLen, sh = p.hp * rl;
        for (int f = 0; f < p.filters; f++) {
            FloatVector b = FloatVector.broadcast(S, bias[f]);
            int t = 9 * f;
            FloatVector w0 = FloatVector.broadcast(S, wt[t]), w1 = FloatVector.broadcast(S, wt[t + 1]), w2 = FloatVector.broadcast(S, wt[t + 2]);
            FloatVector w3 = FloatVector.broadcast(S, wt[t + 3]), w4 = FloatVector.broadcast(S, wt[t + 4]), w5 = FloatVector.broadcast(S, wt[t + 5]);
            FloatVector w6 = FloatVector.broadcast(S, wt[t + 6]), w7 = FloatVector.broadcast(S, wt[t + 7]), w8 = FloatVector.broadcast(S, wt[t + 8]);
            // one loop over (row, chunk): two nested loops of unknown trip counts ran 2.3x slower (C2, JDK 25)
            int chunks = (ow2 + L - 1) / L;
            for (int q = 0, n = oh2 * chunks; q < n; q++) {
                int oy = q / chunks, j = (q - oy * chunks) * L;
                int top = zo + (f * oh + 2 * oy) * ow, o = yo + (f * oh2 + oy) * ow2;
                {
                    int e = so + 2 * oy * rl + j;
                    // x{row}{shift}: rows 2oy..2oy+3, columns 2j + shift
                    FloatVector x00 = at(s, e), x01 = at(s, e + sh), x02 = at(s, e + 2 * sh), x03 = at(s, e + 3 * sh);
                    e += rl;
                    FloatVector x10 = at(s, e), x11 = at(s, e + sh), x12 = at(s, e + 2 * sh), x13 = at(s, e + 3 * sh);
                    e += rl;
                    FloatVector x20 = at(s, e), x21 = at(s, e + sh), x22 = at(s, e + 2 * sh), x23 = at(s, e + 3 * sh);
                    e += rl;
                    FloatVector x30 = at(s, e), x31 = at(s, e + sh), x32 = at(s, e + 2 * sh), x33 = at(s, e + 3 * sh);
                    FloatVector z00 = x00.fma(w0, b);
                    z00 = x01.fma(w1, z00);
                    z00 = x02.fma(w2, z00);
                    z00 = x10.fma(w3, z00);
                    z00 = x11.fma(w4, z00);
                    z00 = x12.fma(w5, z00);
                    z00 = x20.fma(w6, z00);
                    z00 = x21.fma(w7, z00);
                    z00 = x22.fma(w8, z00);
                    FloatVector z01 = x01.fma(w0, b);
                    z01 = x02.fma(w1, z01);
                    z01 = x03.fma(w2, z01);
                    z01 = x11.fma(w3, z01);
                    z01 = x12.fma(w4, z01);
                    z01 = x13.fma(w5, z01);
                    z01 = x21.fma(w6, z01);
                    z01 = x22.fma(w7, z01);
                    z01 = x23.fma(w8, z01);
                    FloatVector z10 = x10.fma(w0, b);
                    z10 = x11.fma(w1, z10);
                    z10 = x12.fma(w2, z10);
                    z10 = x20.fma(w3, z10);
                    z10 = x21.fma(w4, z10);
                    z10 = x22.fma(w5, z10);
                    z10 = x30.fma(w6, z10);
                    z10 = x31.fma(w7, z10);
                    z10 = x32.fma(w8, z10);
                    FloatVector z11 = x11.fma(w0, b);
                    z11 = x12.fma(w1, z11);
                    z11 = x13.fma(w2, z11);
                    z11 = x21.fma(w3, z11);
                    z11 = x22.fma(w4, z11);
                    z11 = x23.fma(w5, z11);
                    z11 = x31.fma(w6, z11);
                    z11 = x32.fma(w7, z11);
                    z11 = x33.fma(w8, z11);
                    // ReLU, then the window's maximum and index as Passes.maxPool2 (inline: vectors passed to a call
                    // are boxed). ReLU as Math.max(z, 0f): 0 where z <= 0 (-0 gives +0), z elsewhere (NaN stays)
                    FloatVector zero = FloatVector.zero(S);
                    FloatVector r00 = z00.blend(zero, z00.compare(VectorOperators.LE, 0f));
                    FloatVector r01 = z01.blend(zero, z01.compare(VectorOperators.LE, 0f));
                    FloatVector r10 = z10.blend(zero, z10.compare(VectorOperators.LE, 0f));
                    FloatVector r11 = z11.blend(zero, z11.compare(VectorOperators.LE, 0f));
                    VectorMask<Float> upperLeft, lowerLeft, upper;
                    FloatVector m;
                    // ReLU's outputs are never negative, so their sum is NaN exactly when one of them is
                    if (r00.add(r01).add(r10).add(r11).test(VectorOperators.IS_NAN).anyTrue()) {
                        // a NaN wins its window: Math.max and the NaN tests of Passes.maxPool2
                        upperLeft = r00.compare(VectorOperators.GE, r01).or(r00.test(VectorOperators.IS_NAN));
                        lowerLeft = r10.compare(VectorOperators.GE, r11).or(r10.test(VectorOperators.IS_NAN));
                        FloatVector m1 = r00.max(r01), m2 = r10.max(r11);
                        upper = m1.compare(VectorOperators.GE, m2).or(m1.test(VectorOperators.IS_NAN));
                        m = m1.max(m2);
                    } else {
                        // no NaN and no -0: the larger of two is the one the comparison picks (Math.max's
                        // NaN and signed-zero rules cost 1.6x this whole pass)
                        upperLeft = r00.compare(VectorOperators.GE, r01);
                        lowerLeft = r10.compare(VectorOperators.GE, r11);
                        FloatVector m1 = r01.blend(r00, upperLeft), m2 = r11.blend(r10, lowerLeft);
                        upper = m1.compare(VectorOperators.GE, m2);
                        m = m2.blend(m1, upper);
                    }
                    m.intoArray(y, o + j, S.indexInRange(j, ow2));
                    // the index chosen by blends on the candidates' bits as floats: no casts of masks
                    IntVector left = TWICE_LANE.add(top + 2 * j);
                    FloatVector c00 = left.reinterpretAsFloats(), c01 = left.add(1).reinterpretAsFloats();
                    FloatVector c10 = left.add(ow).reinterpretAsFloats(), c11 = left.add(ow + 1).reinterpretAsFloats();
                    c11.blend(c10, lowerLeft).blend(c01.blend(c00, upperLeft), upper).reinterpretAsInts()
                            .intoArray(argmax, o + j, SI.indexInRange(j, ow2));
                }
            }
        }
    }

    static void backward(ConvPool p, float[] s, int so, float[] g, float[] y, int[] argmax, int go, int zo, float[] lanes) {
        int c = p.c, k = p.k, rl = p.rowLen, taps = p.taps, sh = p.hp * rl, cw = ConvPool.CW;
        int chunks = rl / cw, n = p.oh2 * chunks, dz = p.sumFloats();
        for (int f = 0; f < p.filters; f++) {
            int acc = f * (taps + 1) * cw;
            // one vector of each chunk's lanes at a time
            for (int v = 0; v < cw; v += L) {
                if (c == 1 && k == 3) {
                    backward3x3(p, s, so, g, y, argmax, go, zo, lanes, f, acc + v, v);
                    continue;
                }
                windowGradients(p, g, y, argmax, go, zo, lanes, f, acc + taps * cw + v, v, dz);
                // tap by tap, each sum in a register over the (row, chunk)s
                int t = 0;
                for (int ch = 0; ch < c; ch++) {
                    for (int dy = 0; dy < k; dy++) {
                        for (int dx = 0; dx < k; dx++, t++) {
                            int at = acc + t * cw + v;
                            FloatVector a = at(lanes, at);
                            for (int q = 0; q < n; q++) {
                                int oy = q / chunks, j = v + (q - oy * chunks) * cw, w = dz + 4 * L * q;
                                int e = so + p.row(ch, dx, 2 * oy + dy) + j;
                                a = at(s, e).fma(at(lanes, w), a);
                                a = at(s, e + sh).fma(at(lanes, w + L), a);
                                a = at(s, e + rl).fma(at(lanes, w + 2 * L), a);
                                a = at(s, e + sh + rl).fma(at(lanes, w + 3 * L), a);
                            }
                            a.intoArray(lanes, at);
                        }
                    }
                }
            }
        }
    }

    /**
     * {@link #backward} of one filter and one vector of lanes (from lane {@code v} of each chunk, its
     * sums from lanes[at...]) for one channel and 3x3 kernels: first the windows' gradients of every
     * (row, chunk) into lanes[dz...], then each kernel row's three sums in registers over them. In
     * one method the JIT stopped inlining the vector operations partway (the method grew past its
     * inlining budget) and the rest ran boxed, allocating 40 MB a batch.
     */
    private static void backward3x3(ConvPool p, float[] s, int so, float[] g, float[] y, int[] argmax, int go, int zo, float[] lanes,
                                    int f, int at, int v) {
        int chunks = p.rowLen / ConvPool.CW, n = p.oh2 * chunks, dz = p.sumFloats();
        windowGradients(p, g, y, argmax, go, zo, lanes, f, at + 9 * ConvPool.CW, v, dz);
        for (int dy = 0; dy < 3; dy++) kernelRow(p, s, so, lanes, at + 3 * dy * ConvPool.CW, v, dy, n, chunks, dz);
    }

    /** The gradients of window positions 0-3 (zero but at the maximum) of each (row, chunk) into lanes[dz + 4L·q...]; the bias's sum at lanes[ab...]. */
    private static void windowGradients(ConvPool p, float[] g, float[] y, int[] argmax, int go, int zo, float[] lanes, int f, int ab,
                                        int v, int dz) {
        int oh = p.oh, ow = p.ow, oh2 = p.oh2, ow2 = p.ow2, chunks = p.rowLen / ConvPool.CW;
        FloatVector zero = FloatVector.zero(S), bias = at(lanes, ab);
        IntVector izero = IntVector.zero(SI);
        for (int q = 0, n = oh2 * chunks; q < n; q++) {
            int oy = q / chunks, j = v + (q - oy * chunks) * ConvPool.CW;
            int top = zo + (f * oh + 2 * oy) * ow, o = go + (f * oh2 + oy) * ow2;
            VectorMask<Float> in = S.indexInRange(j, ow2);
            VectorMask<Integer> inI = SI.indexInRange(j, ow2);
            FloatVector gv = zero.add(FloatVector.fromArray(S, g, o + j, in));
            // ReLU's slope at the maximum, max(signum(y), 0) for the pooled y (never negative): 1, 0 or NaN
            FloatVector yv = FloatVector.fromArray(S, y, o + j, in);
            FloatVector d = gv.mul(zero.blend(1f, yv.compare(VectorOperators.GT, 0f)).blend(yv, yv.test(VectorOperators.IS_NAN)));
            IntVector pos = IntVector.fromArray(SI, argmax, o + j, inI).sub(TWICE_LANE.add(top + 2 * j)), di = d.reinterpretAsInts();
            int w = dz + 4 * L * q;
            izero.blend(di, pos.compare(VectorOperators.EQ, 0).and(inI)).reinterpretAsFloats().intoArray(lanes, w);
            izero.blend(di, pos.compare(VectorOperators.EQ, 1).and(inI)).reinterpretAsFloats().intoArray(lanes, w + L);
            izero.blend(di, pos.compare(VectorOperators.EQ, ow).and(inI)).reinterpretAsFloats().intoArray(lanes, w + 2 * L);
            izero.blend(di, pos.compare(VectorOperators.EQ, ow + 1).and(inI)).reinterpretAsFloats().intoArray(lanes, w + 3 * L);
            bias = bias.add(d);
        }
        bias.intoArray(lanes, ab);
    }

    /** The sums of taps (dy, 0..2), at lanes[at...], over every (row, chunk): four products each, in window-position order. */
    private static void kernelRow(ConvPool p, float[] s, int so, float[] lanes, int at, int v, int dy, int n, int chunks, int dz) {
        int rl = p.rowLen, sh = p.hp * rl, cw = ConvPool.CW;
        FloatVector a0 = at(lanes, at), a1 = at(lanes, at + cw), a2 = at(lanes, at + 2 * cw);
        for (int q = 0; q < n; q++) {
            int oy = q / chunks, j = v + (q - oy * chunks) * cw, w = dz + 4 * L * q;
            FloatVector d0 = at(lanes, w), d1 = at(lanes, w + L), d2 = at(lanes, w + 2 * L), d3 = at(lanes, w + 3 * L);
            int e = so + (2 * oy + dy) * rl + j;
            FloatVector x0 = at(s, e), x1 = at(s, e + sh), x2 = at(s, e + 2 * sh), x3 = at(s, e + 3 * sh);
            e += rl;
            FloatVector u0 = at(s, e), u1 = at(s, e + sh), u2 = at(s, e + 2 * sh), u3 = at(s, e + 3 * sh);
            a0 = x0.fma(d0, a0);
            a0 = x1.fma(d1, a0);
            a0 = u0.fma(d2, a0);
            a0 = u1.fma(d3, a0);
            a1 = x1.fma(d0, a1);
            a1 = x2.fma(d1, a1);
            a1 = u1.fma(d2, a1);
            a1 = u2.fma(d3, a1);
            a2 = x2.fma(d0, a2);
            a2 = x3.fma(d1, a2);
            a2 = u2.fma(d2, a2);
            a2 = u3.fma(d3, a2);
        }
        a0.intoArray(lanes, at);
        a1.intoArray(lanes, at + cw);
        a2.intoArray(lanes, at + 2 * cw);
    }

    private static FloatVector at(float[] a, int i) { return FloatVector.fromArray(S, a, i); }
}
