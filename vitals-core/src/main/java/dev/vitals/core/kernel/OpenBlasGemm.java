package dev.vitals.core.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * {@code cblas_sgemm} from the system's OpenBLAS ({@code libopenblas.so.0}), called through the FFM
 * API. The downcall is marked critical with heap access, so {@code float[]} operands are passed to
 * the native code in place: no copies, no pinning of native buffers, and no allocation per call.
 *
 * <p>Threads: OpenBLAS runs every call on one thread, and Vitals splits large products (at least
 * {@link #SPLIT_MNK} multiply-adds) into column or row blocks on its own worker threads
 * ({@link Workers}), which also run the convolutions' per-example products, activations and pooling.
 * One pool then owns the cores. With OpenBLAS's own threads (its default), each threaded call left a
 * thread spinning on the second core for a while after it, and the Java-side parallel work competed
 * with it. Measured in alternating profiles on 2 cores (Haswell kernels, last epoch of
 * {@code SideBySide profile}): the CNN 2.17-2.42 s against 2.58-2.89 s with OpenBLAS's threads;
 * the MLP at batch 64 0.45-0.46 s against 0.49-0.50, at batch 256 0.30-0.32 against 0.35.
 * {@code -Dvitals.openblas.javaThreads=false} goes back to OpenBLAS's threads, to compare. The
 * blocks are cut by the thread count, and OpenBLAS rounds a block's outputs a little differently
 * from the same outputs inside a larger call (measured: a few percent of the values differ in the
 * last bits), so a machine with another number of cores can give slightly different results; on
 * one machine, runs are bit-identical.
 */
public final class OpenBlasGemm implements Gemm {
    private static final int ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;
    private static volatile String loadError = "not tried";

    private OpenBlasGemm() {}

    /**
     * The bound native functions. They live in static finals so that C2 treats the method handles as
     * constants and inlines the downcall, and most of what a call builds is never allocated: with the
     * handles in instance fields every call allocated ~200 bytes, now 64 (Temurin 25.0.3, with or
     * without offsets: the heap session {@code MemorySegment.ofArray} creates for each operand, seen
     * in JFR's allocation samples). Young garbage: 100-150 MB over an epoch of the CNN.
     * The holder is initialised on first use, so a missing library costs nothing until asked for.
     */
    private static final class Lib {
        static final MethodHandle SGEMM, SET_THREADS, GET_THREADS;
        static final String ERROR, CORE;

        static {
            MethodHandle sgemm = null, set = null, get = null;
            String error = "", core = "";
            try {
                SymbolLookup lib = SymbolLookup.libraryLookup("libopenblas.so.0", Arena.global());
                Linker linker = Linker.nativeLinker();
                ValueLayout.OfInt i = ValueLayout.JAVA_INT;
                ValueLayout.OfFloat f = ValueLayout.JAVA_FLOAT;
                var addr = ValueLayout.ADDRESS;
                sgemm = linker.downcallHandle(lib.findOrThrow("cblas_sgemm"),
                        FunctionDescriptor.ofVoid(i, i, i, i, i, i, f, addr, i, addr, i, f, addr, i),
                        Linker.Option.critical(true));
                set = lib.find("openblas_set_num_threads")
                        .map(s -> linker.downcallHandle(s, FunctionDescriptor.ofVoid(i))).orElse(null);
                get = lib.find("openblas_get_num_threads")
                        .map(s -> linker.downcallHandle(s, FunctionDescriptor.of(i))).orElse(null);
                var name = lib.find("openblas_get_corename");
                if (name.isPresent()) {
                    MemorySegment p = (MemorySegment) linker.downcallHandle(name.get(), FunctionDescriptor.of(addr)).invokeExact();
                    core = p.reinterpret(64).getString(0);
                }
            } catch (IllegalArgumentException | IllegalCallerException | java.util.NoSuchElementException | UnsatisfiedLinkError e) {
                sgemm = null;
                error = "libopenblas.so.0 could not be loaded: " + e.getMessage();
            } catch (Throwable t) {
                core = ""; // the core's name is only reported; the library itself loaded
                if (sgemm == null) error = "libopenblas.so.0 could not be bound: " + t;
            }
            SGEMM = sgemm;
            CORE = core;
            SET_THREADS = set;
            GET_THREADS = get;
            ERROR = error;
        }
    }

    /** Binds to the system OpenBLAS, or returns null (see {@link #loadError()}). */
    public static OpenBlasGemm load() {
        loadError = Lib.ERROR;
        if (Lib.SGEMM == null) return null;
        OpenBlasGemm g = new OpenBlasGemm();
        if (JAVA_THREADS) g.threads(1);
        return g;
    }

    static final boolean JAVA_THREADS = !"false".equals(System.getProperty("vitals.openblas.javaThreads"));
    /** Products below this many multiply-adds (about 10 us) stay on the caller: waking a worker would cost more. */
    static final long SPLIT_MNK = 1L << 20;

    /** The same kernel without the split, for bodies that run their own products in parallel. */
    private final Gemm serial = new Gemm() {
        @Override
        public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                          float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
            if (m == 0 || n == 0) return;
            checkBounds(transA, m, k, a, aOff, lda, "A");
            checkBounds(transB, k, n, b, bOff, ldb, "B");
            checkBounds(false, m, n, c, cOff, ldc, "C");
            single(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        }

        @Override public String name() { return "openblas"; }

    /** How products use the cores, for reports: "1 thread per call, split over 2 Vitals threads". */
    public String threading() {
        return JAVA_THREADS ? "1 thread per call, split over " + Workers.threads() + " Vitals threads" : threads() + " OpenBLAS threads";
    }
    };

    public static String loadError() { return loadError; }

    /**
     * The kernel set OpenBLAS chose for this CPU ("Cooperlake", "Haswell", ...), empty if it does not
     * say. A DYNAMIC_ARCH build picks it when it loads, or takes it from {@code OPENBLAS_CORETYPE}:
     * on the Zen 5 of docs/PERFORMANCE.md it detects Cooperlake (AVX-512), while an environment
     * with {@code OPENBLAS_CORETYPE=Haswell} halves its sgemm speed (AVX2).
     */
    public String core() { return Lib.CORE; }

    /**
     * Sets OpenBLAS's own thread pool size (Vitals sets 1 when it loads the library; see the class
     * comment). Process-wide: it affects every caller of OpenBLAS.
     */
    public void threads(int n) {
        if (Lib.SET_THREADS == null) return;
        try {
            Lib.SET_THREADS.invokeExact(n);
        } catch (Throwable t) {
            throw new IllegalStateException("openblas_set_num_threads failed", t);
        }
    }

    public int threads() {
        if (Lib.GET_THREADS == null) return -1;
        try {
            return (int) Lib.GET_THREADS.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("openblas_get_num_threads failed", t);
        }
    }

    private static final Object THREADS_LOCK = new Object();
    private static int callerThreadUsers, threadsBefore;

    /**
     * OpenBLAS's thread count is one setting for the whole process (0.3.21 has no per-call count), so
     * it is set to 1 while any body runs and restored when the last one ends. Measured on the CNN's
     * conv2 forward (64 examples of 64x121x288): one product per example on two Java threads, each
     * on one OpenBLAS thread, 2.0-2.3 ms a batch, against 3.0-3.7 ms for one 64x7744x288 product on
     * OpenBLAS's two threads with the unfolding and layout copies around it.
     */
    @Override
    public void onCallerThreads(java.util.function.Consumer<Gemm> body) {
        if (JAVA_THREADS) {
            body.accept(serial);
            return;
        }
        synchronized (THREADS_LOCK) {
            if (callerThreadUsers++ == 0) {
                threadsBefore = threads();
                if (threadsBefore > 1) threads(1);
            }
        }
        try {
            body.accept(this);
        } finally {
            synchronized (THREADS_LOCK) {
                if (--callerThreadUsers == 0 && threadsBefore > 1) threads(threadsBefore);
            }
        }
    }

    /**
     * OpenBLAS (0.3.21, interface/gemm.c) runs a product on one thread when m*n*k is at most
     * 65536 x GEMM_MULTITHREAD_THRESHOLD (4) multiply-adds.
     */
    static final long SINGLE_THREAD_MNK = 262_144;
    /** Outputs at most this large are computed in slices of the depth when the depth is long (see {@link #sgemm}). */
    static final int SMALL_OUTPUT = 1024;
    /** {@code -Dvitals.openblas.splitDepth=false} turns the split off, to measure what it gains. */
    static final boolean SPLIT_DEPTH = !"false".equals(System.getProperty("vitals.openblas.splitDepth"));

    /**
     * A product with a tiny output and a long depth, such as the first convolution's weight gradient
     * (32 x 9 over 64*676 = 43,264 positions), is computed as a sum of products over slices of the depth,
     * each small enough for OpenBLAS to keep on one thread; the slices accumulate into C with beta 1.
     * OpenBLAS's own threading of such a product partitions the tiny output, not the depth: measured on
     * 2 cores, 32x9x43264 took 2.0-4.3 ms a call on 2 threads and 0.6-0.9 ms in slices (from C, on a
     * busy machine; ~15 ms on 2 threads inside a CNN epoch). The slices are fixed by the shape, so the
     * result does not depend on the thread count. They matter where OpenBLAS runs its own threads
     * ({@code -Dvitals.openblas.javaThreads=false}, or a caller that raised its thread count); on one
     * OpenBLAS thread, the default, they only cut the same work into a few calls. Products too large
     * for one core are split over Vitals' workers instead, by output blocks ({@link #SPLIT_MNK}).
     */
    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float alpha, float[] a, int aOff, int lda,
                      float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) return;
        checkBounds(transA, m, k, a, aOff, lda, "A");
        checkBounds(transB, k, n, b, bOff, ldb, "B");
        checkBounds(false, m, n, c, cOff, ldc, "C");
        long mn = (long) m * n;
        int parts = Workers.threads();
        if (JAVA_THREADS && parts > 1 && mn > SMALL_OUTPUT && mn * k >= SPLIT_MNK) {
            // blocks of whole 16-column groups of a wide output, or of rows of a tall one
            boolean columns = n >= m;
            int unit = columns ? 16 : 1, items = columns ? (n + 15) / 16 : m, size = columns ? n : m;
            Workers.runParts(items, parts, true, (q, from, to) -> {
                int lo = from * unit, hi = Math.min(size, to * unit);
                if (hi <= lo) return;
                if (columns) {
                    single(transA, transB, m, hi - lo, k, alpha, a, aOff, lda, b, transB ? bOff + lo * ldb : bOff + lo, ldb,
                            beta, c, cOff + lo, ldc);
                } else {
                    single(transA, transB, hi - lo, n, k, alpha, a, transA ? aOff + lo : aOff + lo * lda, lda, b, bOff, ldb,
                            beta, c, cOff + lo * ldc, ldc);
                }
            });
            return;
        }
        single(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    private static void single(boolean transA, boolean transB, int m, int n, int k,
                               float alpha, float[] a, int aOff, int lda,
                               float[] b, int bOff, int ldb,
                               float beta, float[] c, int cOff, int ldc) {
        long mn = (long) m * n;
        if (SPLIT_DEPTH && mn <= SMALL_OUTPUT && mn * k > SINGLE_THREAD_MNK) {
            int slice = (int) (SINGLE_THREAD_MNK / mn);
            for (int p = 0; p < k; p += slice) {
                int kp = Math.min(slice, k - p);
                call(transA, transB, m, n, kp, alpha, a, aOff + (transA ? p * lda : p), lda,
                        b, bOff + (transB ? p : p * ldb), ldb, p == 0 ? beta : 1f, c, cOff, ldc);
            }
            return;
        }
        call(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    private static void call(boolean transA, boolean transB, int m, int n, int k,
                             float alpha, float[] a, int aOff, int lda,
                             float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        MemorySegment sa = slice(a, aOff), sb = slice(b, bOff), sc = slice(c, cOff);
        try {
            Lib.SGEMM.invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k,
                    alpha, sa, lda, sb, ldb, beta, sc, ldc);
        } catch (Throwable t) {
            throw new IllegalStateException("cblas_sgemm failed", t);
        }
    }

    private static MemorySegment slice(float[] x, int off) {
        MemorySegment s = MemorySegment.ofArray(x);
        return off == 0 ? s : s.asSlice((long) off * Float.BYTES);
    }

    /** Native code does not check bounds, so a wrong stride must fail here, not corrupt the heap. */
    static void checkBounds(boolean trans, int rows, int cols, float[] x, int off, int ld, String what) {
        int storedRows = trans ? cols : rows, storedCols = trans ? rows : cols;
        if (storedRows == 0 || storedCols == 0) return;
        if (ld < storedCols || off < 0 || (long) off + (long) (storedRows - 1) * ld + storedCols > x.length) {
            throw new IllegalArgumentException("sgemm: " + what + " (" + storedRows + "x" + storedCols + ", offset " + off
                    + ", stride " + ld + ") does not fit its array of " + x.length);
        }
    }

    @Override public String name() { return "openblas"; }

    /** How products use the cores, for reports: "1 thread per call, split over 2 Vitals threads". */
    public String threading() {
        return JAVA_THREADS ? "1 thread per call, split over " + Workers.threads() + " Vitals threads" : threads() + " OpenBLAS threads";
    }

    @Override public String toString() { return Lib.CORE.isEmpty() ? name() : name() + " (" + Lib.CORE + ")"; }
}
