package dev.vitals.core.kernel;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * Which of its kernels a DYNAMIC_ARCH OpenBLAS should use, decided before the library loads.
 *
 * <p>OpenBLAS picks its kernels from the CPU model when it loads, and a release older than the CPU
 * falls back to an older core: Debian's 0.3.21 runs its Haswell (AVX2) kernels on a Zen 5, which has
 * AVX-512. Forcing its SkylakeX (AVX-512) kernels there doubled sgemm (measured from C, same library:
 * 1024-square 94 -> 194 GFLOPS on one thread, 187 -> 340 on two; the CNN's 64x7744x288 182 -> 303 on
 * two). OpenBLAS reads the choice from {@code OPENBLAS_CORETYPE} in its load-time constructor, so it
 * has to be in the process environment before {@code dlopen}; it is set with libc's {@code setenv}.
 *
 * <p>The rule: when the CPU reports every AVX-512 subset the SkylakeX kernels use (F, CD, BW, DQ,
 * VL) and the user has not set {@code OPENBLAS_CORETYPE}, ask for SkylakeX; CPUs that OpenBLAS
 * already knows as SkylakeX or later get the same sgemm kernel either way. A value of {@code
 * OPENBLAS_CORETYPE} in the environment is the user's choice and stays. {@code
 * -Dvitals.openblas.coretype=NAME} asks for a core even over the environment, {@code =auto} leaves
 * the choice to the environment or OpenBLAS's own detection.
 */
final class OpenBlasCore {
    static final String PROPERTY = "vitals.openblas.coretype", ENV = "OPENBLAS_CORETYPE";
    private static final Set<String> AVX512_SKYLAKEX = Set.of("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl");

    private OpenBlasCore() {}

    /**
     * The core to request, or null to leave OpenBLAS's detection alone. {@code cpuFlags} is the
     * CPU's flag list as /proc/cpuinfo writes it (null where unknown).
     */
    static String choose(String property, String environment, String cpuFlags) {
        if (property != null && !property.isBlank()) {
            return property.trim().equalsIgnoreCase("auto") ? null : property.trim();
        }
        if (environment != null && !environment.isBlank()) return null; // the user's own choice stands
        if (cpuFlags == null) return null;
        Set<String> flags = Set.of(cpuFlags.trim().split("\\s+"));
        return flags.containsAll(AVX512_SKYLAKEX) ? "SkylakeX" : null;
    }

    /** Sets {@code OPENBLAS_CORETYPE} for this process when {@link #choose} asks for a core; returns it or null. */
    static String prepare() {
        String core = choose(System.getProperty(PROPERTY), System.getenv(ENV), cpuFlags());
        if (core == null) return null;
        try {
            Linker linker = Linker.nativeLinker();
            MemorySegment setenv = linker.defaultLookup().find("setenv").orElse(null);
            if (setenv == null) return null;
            MethodHandle h = linker.downcallHandle(setenv, FunctionDescriptor.of(ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
            try (Arena arena = Arena.ofConfined()) {
                int overwrite = System.getProperty(PROPERTY) != null ? 1 : 0; // the property outranks the environment
                int rc = (int) h.invokeExact(arena.allocateFrom(ENV), arena.allocateFrom(core), overwrite);
                return rc == 0 ? core : null;
            }
        } catch (Throwable t) {
            return null; // no libc setenv (not Linux): OpenBLAS detects its core by itself
        }
    }

    /** The first "flags" line of /proc/cpuinfo, or null where there is none. */
    static String cpuFlags() {
        try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("flags")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1)).orElse(null);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
