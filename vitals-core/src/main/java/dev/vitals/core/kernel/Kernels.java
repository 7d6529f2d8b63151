package dev.vitals.core.kernel;

/**
 * Chooses the matrix-multiply kernel once per process: the system's OpenBLAS when it loads, the
 * Vector API kernel when the incubator module is present, else the plain Java loops.
 * {@code VITALS_GEMM=openblas|vector|java} (or {@code -Dvitals.gemm=...}) forces one.
 */
public final class Kernels {
    private static volatile Gemm gemm;
    private static volatile String note = "";

    private Kernels() {}

    public static Gemm gemm() {
        Gemm g = gemm;
        if (g == null) {
            synchronized (Kernels.class) {
                if (gemm == null) gemm = choose();
                g = gemm;
            }
        }
        return g;
    }

    /** Why the chosen kernel was chosen, when it is not the best one (empty otherwise). */
    public static String note() {
        gemm();
        return note;
    }

    /** Replaces the process-wide kernel (tests and benchmarks compare implementations). */
    public static synchronized void use(Gemm g) { gemm = g; }

    private static Gemm choose() {
        String forced = System.getProperty("vitals.gemm", System.getenv("VITALS_GEMM"));
        if (forced != null && !forced.isBlank()) {
            return switch (forced.trim()) {
                case "java" -> new JavaGemm();
                case "vector" -> vectorOrJava();
                case "openblas" -> {
                    Gemm b = OpenBlasGemm.load();
                    if (b == null) {
                        note = "OpenBLAS was requested but " + OpenBlasGemm.loadError();
                        yield vectorOrJava();
                    }
                    yield b;
                }
                default -> throw new IllegalArgumentException("VITALS_GEMM must be openblas, vector or java, not '" + forced + "'");
            };
        }
        // OpenBLAS runs each call on one thread; large products are split over Vitals' workers (see OpenBlasGemm).
        Gemm b = OpenBlasGemm.load();
        if (b != null) return b;
        note = "OpenBLAS not available (" + OpenBlasGemm.loadError() + "); install libopenblas0-pthread for full speed";
        return vectorOrJava();
    }

    private static Gemm vectorOrJava() {
        if (VectorSupport.available()) return VectorGemm.create();
        note = (note.isEmpty() ? "" : note + "; ") + "Vector API module absent, using plain Java loops";
        return new JavaGemm();
    }
}
