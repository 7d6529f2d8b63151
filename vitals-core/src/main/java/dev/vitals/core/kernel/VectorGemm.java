package dev.vitals.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * GEMM in plain Java with the Vector API, used when OpenBLAS is absent. Only loaded when the
 * incubator module is present (see {@link VectorSupport}).
 *
 * <p>The structure is the classic Goto/BLIS one. C is computed in tiles of {@link #MR} rows by
 * {@link #NR} columns whose accumulators live in vector registers for a whole run over k; the
 * operands feeding a tile are first copied ("packed") into contiguous buffers in exactly the order
 * the micro-kernel reads them, so the inner loop is two sequential streams whatever the transposes,
 * offsets and strides of the caller's matrices. Packing layout, once:
 * <ul>
 *   <li>A block (rows {@code ic..ic+mc}, depth {@code pc..pc+kc}) becomes {@code ceil(mc/MR)} panels;
 *       panel {@code q} holds, for each {@code p}, the {@code MR} values {@code op(A)[ic+q*MR+r][pc+p]}:
 *       {@code aPack[q*kc*MR + p*MR + r]}.</li>
 *   <li>B block (depth {@code pc..pc+kc}, columns {@code jc..jc+nc}) becomes {@code ceil(nc/NR)}
 *       panels; {@code bPack[q*kc*NR + p*NR + j] = op(B)[pc+p][jc+q*NR+j]}.</li>
 * </ul>
 * Rows and columns past the edge of the matrix are packed as zeros, so the micro-kernel always
 * computes a full tile and only the write-back is clipped.
 *
 * <p>Blocking: a B block ({@link #KC}×{@link #NC}) is packed once and reused by every row block of A; an
 * A block ({@link #MC}×{@link #KC}) stays in L2 while the tiles sweep across it; one B panel
 * ({@link #KC}×{@link #NR}) stays in L1 while the kernel runs down the A panels.
 *
 * <p>Large products are split across a small fixed pool of platform threads. Each part is a range
 * of C's columns (or rows) aligned to whole tiles, packed and computed by one thread; the k blocking
 * depends only on k. Every element of C therefore sees exactly the same sequence of operations
 * whatever the number of parts or threads, so results are bit-identical run to run and across
 * thread counts.
 */
public final class VectorGemm implements Gemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    /*
     * Tile: 4 rows x 2 vectors (16 floats on AVX2) = 8 accumulator registers, just enough independent
     * FMA chains to cover the FMA latency (4 cycles x 2 pipes on Zen 3). The textbook AVX2 tile is 6x16
     * (12 accumulators + 2 B + 1 A = 15 of 16 ymm registers), but C2's register allocator does not fit
     * it and spills an accumulator every iteration. Measured in isolation (kc=256, data in L1, Zen 3,
     * best of 40 runs, GFLOPS): 4x16 99, 3x24 90, 2x32 86, 8x8 84, 4x24 42, 3x32 43, 6x16 42, 5x16 35.
     * The kernel and the A packing spell out these 4 rows.
     */
    static final int MR = 4;
    static final int NR = 2 * L;
    /*
     * Blocking, measured on Zen 3 (32 KB L1d, 512 KB L2 per core), single thread, best of 25 rounds
     * interleaved, GFLOPS at 1024^3 / 512^3 / 64x256x784 (N,T):
     *   KC=256 MC=144: 77 / 85 / 64    KC=512 MC=96: 81 / 88 / 67    KC=1024 MC=96: 87 / 88 / 60
     * Deeper blocks mean fewer passes of read-modify-write over C; past 512 the B panel no longer
     * fits in L1 and the small shapes lose. k is cut into equal blocks of at most KC.
     */
    /** Depth of a block: one B panel (KC x NR floats, 32 KB) fills L1. */
    static final int KC = 512;
    /** Rows of A per block: MC x KC floats (192 KB) stay in L2. A multiple of MR. */
    static final int MC = 24 * MR;
    /**
     * Columns of B per block: KC x NC floats (2 MB per thread) sit in L3. A multiple of NR. 4096 was
     * no faster at 1024^3 and 2048^3 (within noise) and needs 8 MB of packing buffer per thread.
     */
    static final int NC = 1024;

    /**
     * Below this many multiply-adds (m*n*k) a product runs on the calling thread alone: waking a
     * worker and packing the shared operand twice cost more than the second core saves. Measured
     * (2 cores, best of 300 interleaved rounds, GFLOPS 1 thread / 2 threads): 64x121x288 (2.2M) 72 / 66,
     * 64x128x512 (4.2M) 78 / 82, 128x128x256 (4.2M) 82 / 86, 96x256x256 (6.3M) 84 / 109,
     * 64x256x784 (12.8M) 68 / 112.
     */
    static final long PARALLEL_MIN_MACS = 1L << 22;
    /** Fewest rows (or columns) of C per part when a product is split. */
    static final int MIN_PART = 64;

    private final int threads;

    private VectorGemm(int threads) {
        this.threads = threads;
    }

    /** A kernel that uses every core for large products. */
    static Gemm create() { return new VectorGemm(Runtime.getRuntime().availableProcessors()); }

    /**
     * A kernel that splits large products into at most {@code threads} parts (1: the caller does
     * everything), computed by the caller and the shared pool, which has one worker per extra core.
     */
    public static VectorGemm create(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, not " + threads);
        return new VectorGemm(threads);
    }

    public int threads() { return threads; }

    @Override
    public void onCallerThreads(java.util.function.Consumer<Gemm> body) {
        body.accept(threads == 1 ? this : new VectorGemm(1));
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float alpha, float[] a, int aOff, int lda,
                      float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) throw new IllegalArgumentException("sgemm: negative size " + m + "x" + n + "x" + k);
        if (m == 0 || n == 0) return;
        OpenBlasGemm.checkBounds(false, m, n, c, cOff, ldc, "C");
        if (k == 0 || alpha == 0f) {
            scale(m, n, beta, c, cOff, ldc);
            return;
        }
        OpenBlasGemm.checkBounds(transA, m, k, a, aOff, lda, "A");
        OpenBlasGemm.checkBounds(transB, k, n, b, bOff, ldb, "B");
        long macs = (long) m * n * k;
        // Every part must carry enough work to pay for its wake-up and its own packing (on a many-core
        // machine, one part per core would leave slivers that spend their time packing).
        int parts = macs < PARALLEL_MIN_MACS ? 1
                : (int) Math.min(threads, 2 * macs / PARALLEL_MIN_MACS);
        if (parts <= 1) {
            // The caller's own Task object, so that the many small calls of a training step allocate nothing.
            Task task = Workspace.LOCAL.get().call.set(transA, transB, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            try {
                task.run(0, m, 0, n);
            } finally {
                task.set(false, false, 0, 0f, null, 0, 0, null, 0, 0, 0f, null, 0, 0);
            }
            return;
        }
        Task task = new Task().set(transA, transB, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        // Split the dimension whose operand is cheaper to pack more than once: each part packs all of
        // the other operand itself, amortised over the part's MIN_PART or more rows (or columns).
        if (m <= n) {
            int tiles = ceilDiv(n, NR), p = Math.max(1, Math.min(parts, n / MIN_PART));
            Workers.run(p, i -> task.run(0, m, split(tiles, p, i) * NR, Math.min(n, split(tiles, p, i + 1) * NR)));
        } else {
            int tiles = ceilDiv(m, MR), p = Math.max(1, Math.min(parts, m / MIN_PART));
            Workers.run(p, i -> task.run(split(tiles, p, i) * MR, Math.min(m, split(tiles, p, i + 1) * MR), 0, n));
        }
    }

    /** Start (in tiles) of part {@code i} of {@code parts} near-equal parts of {@code tiles}. */
    private static int split(int tiles, int parts, int i) {
        return (int) ((long) tiles * i / parts);
    }

    private static int ceilDiv(int x, int y) { return (x + y - 1) / y; }

    /** C = beta * C, with beta == 0 writing zeros (NaN in C must not survive, as in BLAS). */
    private static void scale(int m, int n, float beta, float[] c, int cOff, int ldc) {
        if (beta == 1f) return;
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            if (beta == 0f) java.util.Arrays.fill(c, row, row + n, 0f);
            else for (int j = 0; j < n; j++) c[row + j] *= beta;
        }
    }

    /**
     * One call's operands; {@link #run} computes the sub-block rows [m0,m1) x columns [n0,n1) of C.
     * Set once before any thread reads it (handing it to the pool publishes it).
     */
    private static final class Task {
        private boolean transA, transB;
        private int k, aOff, lda, bOff, ldb, cOff, ldc;
        private float alpha, beta;
        private float[] a, b, c;

        Task set(boolean transA, boolean transB, int k, float alpha, float[] a, int aOff, int lda,
                 float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
            this.transA = transA;
            this.transB = transB;
            this.k = k;
            this.alpha = alpha;
            this.a = a;
            this.aOff = aOff;
            this.lda = lda;
            this.b = b;
            this.bOff = bOff;
            this.ldb = ldb;
            this.beta = beta;
            this.c = c;
            this.cOff = cOff;
            this.ldc = ldc;
            return this;
        }

        void run(int m0, int m1, int n0, int n1) {
            if (m0 >= m1 || n0 >= n1) return;
            // Equal k blocks (depending on k alone, for determinism) so that no block is a short tail.
            int kBlocks = ceilDiv(k, KC);
            int kcMax = ceilDiv(k, kBlocks);
            Workspace ws = Workspace.get(Math.min(m1 - m0, MC), Math.min(n1 - n0, NC), kcMax);
            float[] ap = ws.a, bp = ws.b;
            for (int jc = n0; jc < n1; jc += NC) {
                int nc = Math.min(NC, n1 - jc);
                for (int kb = 0, pc = 0; kb < kBlocks; kb++) {
                    int kc = k / kBlocks + (kb < k % kBlocks ? 1 : 0);
                    packB(bp, pc, kc, jc, nc);
                    float betaHere = kb == 0 ? beta : 1f;
                    for (int ic = m0; ic < m1; ic += MC) {
                        int mc = Math.min(MC, m1 - ic);
                        packA(ap, ic, mc, pc, kc);
                        for (int jr = 0; jr < nc; jr += NR) {
                            int cols = Math.min(NR, nc - jr);
                            int bi = (jr / NR) * kc * NR;
                            for (int ir = 0; ir < mc; ir += MR) {
                                int rows = Math.min(MR, mc - ir);
                                int ci = cOff + (ic + ir) * ldc + jc + jr;
                                if (rows == MR && cols == NR) {
                                    kernel(kc, ap, (ir / MR) * kc * MR, bp, bi, c, ci, ldc, alpha, betaHere);
                                } else {
                                    kernel(kc, ap, (ir / MR) * kc * MR, bp, bi, ws.tile, 0, NR, 1f, 0f);
                                    clippedWriteBack(ws.tile, c, ci, ldc, rows, cols, alpha, betaHere);
                                }
                            }
                        }
                    }
                    pc += kc;
                }
            }
        }

        private void packA(float[] ap, int ic, int mc, int pc, int kc) {
            int dst = 0;
            for (int ir = 0; ir < mc; ir += MR) {
                int rows = Math.min(MR, mc - ir);
                if (transA) {
                    // op(A)[i][p] = a[p*lda + i]: the panel's MR values for one p are contiguous.
                    // (Element by element: System.arraycopy of 4 floats costs more than the copy.)
                    int src = aOff + pc * lda + ic + ir;
                    if (rows == MR) {
                        for (int p = 0; p < kc; p++, src += lda, dst += MR) {
                            ap[dst] = a[src];
                            ap[dst + 1] = a[src + 1];
                            ap[dst + 2] = a[src + 2];
                            ap[dst + 3] = a[src + 3];
                        }
                    } else {
                        for (int p = 0; p < kc; p++, src += lda, dst += MR) {
                            int r = 0;
                            for (; r < rows; r++) ap[dst + r] = a[src + r];
                            for (; r < MR; r++) ap[dst + r] = 0f;
                        }
                    }
                } else {
                    for (int r = 0; r < rows; r++) {
                        int src = aOff + (ic + ir + r) * lda + pc;
                        for (int p = 0, d = dst + r; p < kc; p++, d += MR) ap[d] = a[src + p];
                    }
                    for (int r = rows; r < MR; r++) {
                        for (int p = 0, d = dst + r; p < kc; p++, d += MR) ap[d] = 0f;
                    }
                    dst += kc * MR;
                }
            }
        }

        private void packB(float[] bp, int pc, int kc, int jc, int nc) {
            int dst = 0;
            for (int jr = 0; jr < nc; jr += NR) {
                int cols = Math.min(NR, nc - jr);
                if (!transB) {
                    // op(B)[p][j] = b[p*ldb + j]: the panel's NR values for one p are contiguous.
                    int src = bOff + pc * ldb + jc + jr;
                    if (cols == NR) {
                        for (int p = 0; p < kc; p++, src += ldb, dst += NR) {
                            FloatVector.fromArray(S, b, src).intoArray(bp, dst);
                            FloatVector.fromArray(S, b, src + L).intoArray(bp, dst + L);
                        }
                    } else {
                        for (int p = 0; p < kc; p++, src += ldb, dst += NR) {
                            int j = 0;
                            for (; j < cols; j++) bp[dst + j] = b[src + j];
                            for (; j < NR; j++) bp[dst + j] = 0f;
                        }
                    }
                } else {
                    // op(B)[p][j] = b[j*ldb + p]: read each stored row along p, scatter into the panel.
                    // (8x8 transposes in registers were tried: 1.5x faster in isolation, no faster here,
                    // where reading B from L3 dominates; 64x256x784 N,T stayed at 66 GFLOPS.)
                    for (int j = 0; j < cols; j++) {
                        int src = bOff + (jc + jr + j) * ldb + pc;
                        for (int p = 0, d = dst + j; p < kc; p++, d += NR) bp[d] = b[src + p];
                    }
                    for (int j = cols; j < NR; j++) {
                        for (int p = 0, d = dst + j; p < kc; p++, d += NR) bp[d] = 0f;
                    }
                    dst += kc * NR;
                }
            }
        }
    }

    /**
     * The micro-kernel: C[ci..] = alpha * (A panel . B panel) + beta * C[ci..] for one MR x NR tile of
     * depth kc, C rows {@code ldc} apart. Edge tiles run it on a scratch tile (alpha 1, beta 0) and are
     * clipped into C by {@link #clippedWriteBack}. The write-back is spelled out here rather than in a
     * helper taking vectors: a vector passed to a method that C2 declines to inline gets boxed.
     */
    private static void kernel(int kc, float[] ap, int ai, float[] bp, int bi,
                               float[] c, int ci, int ldc, float alpha, float beta) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++, ai += MR, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector a0 = FloatVector.broadcast(S, ap[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
        }
        int c1 = ci + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        if (beta == 0f) {
            // C is not read: NaN there must not survive (BLAS semantics).
            if (alpha != 1f) {
                FloatVector va = FloatVector.broadcast(S, alpha);
                c00 = c00.mul(va); c01 = c01.mul(va); c10 = c10.mul(va); c11 = c11.mul(va);
                c20 = c20.mul(va); c21 = c21.mul(va); c30 = c30.mul(va); c31 = c31.mul(va);
            }
        } else {
            // One rounding of alpha*acc + beta*C, as in clippedWriteBack (beta*C is exact when beta is 1).
            FloatVector va = FloatVector.broadcast(S, alpha), vb = FloatVector.broadcast(S, beta);
            c00 = c00.fma(va, FloatVector.fromArray(S, c, ci).mul(vb));
            c01 = c01.fma(va, FloatVector.fromArray(S, c, ci + L).mul(vb));
            c10 = c10.fma(va, FloatVector.fromArray(S, c, c1).mul(vb));
            c11 = c11.fma(va, FloatVector.fromArray(S, c, c1 + L).mul(vb));
            c20 = c20.fma(va, FloatVector.fromArray(S, c, c2).mul(vb));
            c21 = c21.fma(va, FloatVector.fromArray(S, c, c2 + L).mul(vb));
            c30 = c30.fma(va, FloatVector.fromArray(S, c, c3).mul(vb));
            c31 = c31.fma(va, FloatVector.fromArray(S, c, c3 + L).mul(vb));
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c10.intoArray(c, c1);
        c11.intoArray(c, c1 + L);
        c20.intoArray(c, c2);
        c21.intoArray(c, c2 + L);
        c30.intoArray(c, c3);
        c31.intoArray(c, c3 + L);
    }

    /**
     * C = alpha * tile + beta * C for the {@code rows x cols} corner of an edge tile that lies inside C,
     * with the same arithmetic as the kernel's own write-back, so that an element's value does not
     * depend on where tile boundaries fall.
     */
    private static void clippedWriteBack(float[] tile, float[] c, int ci, int ldc, int rows, int cols, float alpha, float beta) {
        for (int r = 0; r < rows; r++, ci += ldc) {
            for (int j = 0; j < cols; j++) {
                float v = tile[r * NR + j];
                c[ci + j] = beta == 0f ? (alpha == 1f ? v : v * alpha) : Math.fma(v, alpha, c[ci + j] * beta);
            }
        }
    }

    /** Packing buffers of one thread, grown on demand and then reused, so steady-state calls allocate nothing. */
    private static final class Workspace {
        private static final ThreadLocal<Workspace> LOCAL = ThreadLocal.withInitial(Workspace::new);
        float[] a = new float[0], b = new float[0];
        final float[] tile = new float[MR * NR];
        final Task call = new Task();

        static Workspace get(int mc, int nc, int kc) {
            Workspace ws = LOCAL.get();
            int aSize = ceilDiv(mc, MR) * MR * kc, bSize = ceilDiv(nc, NR) * NR * kc;
            if (ws.a.length < aSize) ws.a = new float[aSize];
            if (ws.b.length < bSize) ws.b = new float[bSize];
            return ws;
        }
    }

    @Override public String name() { return "vector"; }

    @Override public String toString() { return name(); }
}
