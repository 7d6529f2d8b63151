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
 * the native code in place: no copies, no pinning of native buffers.
 */
public final class OpenBlasGemm implements Gemm {
    private static final int ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;
    private static volatile String loadError = "not tried";

    private final MethodHandle sgemm;
    private final MethodHandle setThreads;
    private final MethodHandle getThreads;

    private OpenBlasGemm(MethodHandle sgemm, MethodHandle setThreads, MethodHandle getThreads) {
        this.sgemm = sgemm;
        this.setThreads = setThreads;
        this.getThreads = getThreads;
    }

    /** Binds to the system OpenBLAS, or returns null (see {@link #loadError()}). */
    public static OpenBlasGemm load() {
        try {
            SymbolLookup lib = SymbolLookup.libraryLookup("libopenblas.so.0", Arena.global());
            Linker linker = Linker.nativeLinker();
            ValueLayout.OfInt i = ValueLayout.JAVA_INT;
            ValueLayout.OfFloat f = ValueLayout.JAVA_FLOAT;
            var addr = ValueLayout.ADDRESS;
            MethodHandle sgemm = linker.downcallHandle(lib.findOrThrow("cblas_sgemm"),
                    FunctionDescriptor.ofVoid(i, i, i, i, i, i, f, addr, i, addr, i, f, addr, i),
                    Linker.Option.critical(true));
            MethodHandle set = lib.find("openblas_set_num_threads")
                    .map(s -> linker.downcallHandle(s, FunctionDescriptor.ofVoid(i))).orElse(null);
            MethodHandle get = lib.find("openblas_get_num_threads")
                    .map(s -> linker.downcallHandle(s, FunctionDescriptor.of(i))).orElse(null);
            loadError = "";
            return new OpenBlasGemm(sgemm, set, get);
        } catch (IllegalArgumentException | IllegalCallerException | java.util.NoSuchElementException | UnsatisfiedLinkError e) {
            loadError = "libopenblas.so.0 could not be loaded: " + e.getMessage();
            return null;
        }
    }

    public static String loadError() { return loadError; }

    /** Sets OpenBLAS's own thread pool size (it defaults to the number of cores). */
    public void threads(int n) {
        if (setThreads == null) return;
        try {
            setThreads.invokeExact(n);
        } catch (Throwable t) {
            throw new IllegalStateException("openblas_set_num_threads failed", t);
        }
    }

    public int threads() {
        if (getThreads == null) return -1;
        try {
            return (int) getThreads.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("openblas_get_num_threads failed", t);
        }
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float alpha, float[] a, int aOff, int lda,
                      float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) return;
        checkBounds(transA, m, k, a, aOff, lda, "A");
        checkBounds(transB, k, n, b, bOff, ldb, "B");
        checkBounds(false, m, n, c, cOff, ldc, "C");
        MemorySegment sa = slice(a, aOff), sb = slice(b, bOff), sc = slice(c, cOff);
        try {
            sgemm.invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k,
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
}
