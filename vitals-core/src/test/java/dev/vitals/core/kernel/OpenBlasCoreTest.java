package dev.vitals.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class OpenBlasCoreTest {
    private static final String ZEN5 = "fpu sse2 avx avx2 fma avx512f avx512dq avx512cd avx512bw avx512vl avx512_bf16";
    private static final String HASWELL = "fpu sse2 avx avx2 fma bmi2";
    /** Knights Landing: AVX-512 F and CD, but not the BW/DQ/VL subsets the SkylakeX kernels use. */
    private static final String KNL = "fpu sse2 avx avx2 fma avx512f avx512cd avx512er avx512pf";

    @Test
    void asksForTheAvx512KernelsWhenTheCpuHasAllTheirSubsets() {
        assertEquals("SkylakeX", OpenBlasCore.choose(null, null, ZEN5));
    }

    @Test
    void leavesOpenBlasAloneWithoutTheFullAvx512Set() {
        assertNull(OpenBlasCore.choose(null, null, HASWELL));
        assertNull(OpenBlasCore.choose(null, null, KNL));
        assertNull(OpenBlasCore.choose(null, null, null), "no /proc/cpuinfo");
    }

    @Test
    void theUsersEnvironmentWinsOverTheCpuFlags() {
        assertNull(OpenBlasCore.choose(null, "Haswell", ZEN5));
        assertNull(OpenBlasCore.choose("auto", "Haswell", ZEN5));
    }

    @Test
    void thePropertyForcesACoreOrAutoDetection() {
        assertEquals("Haswell", OpenBlasCore.choose(" Haswell ", null, ZEN5));
        assertNull(OpenBlasCore.choose("auto", null, ZEN5));
        assertEquals("SkylakeX", OpenBlasCore.choose("", null, ZEN5));
        assertEquals("SkylakeX", OpenBlasCore.choose("SkylakeX", "Haswell", ZEN5), "the property outranks the environment");
    }
}
