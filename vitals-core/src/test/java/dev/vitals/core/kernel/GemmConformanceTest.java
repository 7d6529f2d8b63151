package dev.vitals.core.kernel;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every fast kernel against the reference {@link JavaGemm}: all four transpose combinations, odd and
 * degenerate sizes, offsets and wide leading dimensions, and the BLAS alpha/beta rules.
 */
class GemmConformanceTest {
    private static final Gemm REFERENCE = new JavaGemm();
    private static final int[] ODD = {1, 7, 13, 63, 65, 129};

    /** Kernel names; built inside each test so that an absent Vector API or OpenBLAS only skips. */
    static Stream<String> kernels() {
        return Stream.of("vector-1", "vector-2", "openblas-1", "openblas-2");
    }

    static Gemm kernel(String name) {
        return switch (name) {
            case "vector-1", "vector-2" -> {
                assumeTrue(VectorSupport.available(), "jdk.incubator.vector not present");
                yield VectorGemm.create(name.endsWith("1") ? 1 : 2);
            }
            case "openblas-1", "openblas-2" -> {
                OpenBlasGemm o = OpenBlasGemm.load();
                assumeTrue(o != null, () -> "OpenBLAS not loaded: " + OpenBlasGemm.loadError());
                o.threads(name.endsWith("1") ? 1 : 2);
                yield o;
            }
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static void check(Gemm g, GemmCase tc) {
        tc.assertMatches(tc.run(REFERENCE), tc.run(g), g.name());
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void oddSizesAllTransposes(String name) {
        Gemm g = kernel(name);
        long seed = 1;
        for (boolean ta : new boolean[]{false, true}) {
            for (boolean tb : new boolean[]{false, true}) {
                for (int m : ODD) {
                    for (int n : ODD) {
                        for (int k : ODD) {
                            // The full cube of the largest sizes adds time and no new code paths.
                            if (m == 129 && n == 129 && k == 129) continue;
                            check(g, GemmCase.dense(ta, tb, m, n, k, 1f, 0f, seed++));
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void offsetsAndWideLeadingDimensions(String name) {
        Gemm g = kernel(name);
        long seed = 100;
        int[][] shapes = {{1, 1, 1}, {5, 3, 7}, {13, 17, 9}, {33, 70, 41}, {66, 31, 130}, {4, 16, 300}};
        for (boolean ta : new boolean[]{false, true}) {
            for (boolean tb : new boolean[]{false, true}) {
                for (int[] s : shapes) {
                    check(g, GemmCase.padded(ta, tb, s[0], s[1], s[2], 1f, 1f, 3, 5, seed++));
                    check(g, GemmCase.padded(ta, tb, s[0], s[1], s[2], 0.5f, 0f, 17, 1, seed++));
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void alphaBetaVariants(String name) {
        Gemm g = kernel(name);
        long seed = 200;
        float[] alphas = {1f, -0.5f, 2f};
        float[] betas = {0f, 1f, 0.25f, -1f};
        for (boolean ta : new boolean[]{false, true}) {
            for (boolean tb : new boolean[]{false, true}) {
                for (float alpha : alphas) {
                    for (float beta : betas) {
                        check(g, GemmCase.padded(ta, tb, 37, 45, 29, alpha, beta, 2, 3, seed++));
                        check(g, GemmCase.dense(ta, tb, 9, 18, 300, alpha, beta, seed++));
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void betaZeroIgnoresNaNInC(String name) {
        Gemm g = kernel(name);
        for (boolean ta : new boolean[]{false, true}) {
            for (boolean tb : new boolean[]{false, true}) {
                GemmCase tc = GemmCase.padded(ta, tb, 21, 35, 19, 1.5f, 0f, 4, 2, 7);
                float[] c = tc.run(g);
                for (int i = 0; i < tc.m; i++) {
                    for (int j = 0; j < tc.n; j++) {
                        assertTrue(Float.isFinite(c[tc.cOff + i * tc.ldc + j]), () -> g.name() + " let NaN through with beta=0: " + tc);
                    }
                }
                tc.assertMatches(tc.run(REFERENCE), c, g.name());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void betaOneAccumulatesOverCalls(String name) {
        Gemm g = kernel(name);
        // Weight gradients are summed over the examples of a batch this way (Conv2d, Dense).
        GemmCase tc = GemmCase.dense(false, true, 24, 40, 50, 1f, 1f, 11);
        float[] expected = tc.c0.clone(), actual = tc.c0.clone();
        for (int rep = 0; rep < 3; rep++) {
            REFERENCE.sgemm(false, true, tc.m, tc.n, tc.k, 1f, tc.a, 0, tc.lda, tc.b, 0, tc.ldb, 1f, expected, 0, tc.ldc);
            g.sgemm(false, true, tc.m, tc.n, tc.k, 1f, tc.a, 0, tc.lda, tc.b, 0, tc.ldb, 1f, actual, 0, tc.ldc);
        }
        for (int i = 0; i < expected.length; i++) {
            double mag = 3 * tc.k + Math.abs(tc.c0[i]);
            assertEquals(expected[i], actual[i], 1e-5 * mag, "element " + i);
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void zeroDepthScalesCByBeta(String name) {
        Gemm g = kernel(name);
        for (float beta : new float[]{0f, 1f, 0.5f}) {
            for (boolean ta : new boolean[]{false, true}) {
                for (boolean tb : new boolean[]{false, true}) {
                    GemmCase tc = GemmCase.padded(ta, tb, 6, 19, 0, 1f, beta, 2, 1, 31);
                    float[] c = tc.run(g);
                    for (int i = 0; i < tc.m; i++) {
                        for (int j = 0; j < tc.n; j++) {
                            int idx = tc.cOff + i * tc.ldc + j;
                            float want = beta == 0f ? 0f : beta * tc.c0[idx];
                            assertEquals(want, c[idx], 0f, g.name() + " k=0 beta=" + beta);
                        }
                    }
                    tc.assertGuardsIntact(c, g.name());
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void vectorAndRowShapes(String name) {
        Gemm g = kernel(name);
        long seed = 300;
        List<int[]> shapes = new ArrayList<>();
        for (int s : new int[]{1, 2, 15, 16, 17, 100, 1000}) {
            shapes.add(new int[]{1, s, 37});
            shapes.add(new int[]{s, 1, 37});
            shapes.add(new int[]{1, 1, s});
            shapes.add(new int[]{s, s, 1});
        }
        for (boolean ta : new boolean[]{false, true}) {
            for (boolean tb : new boolean[]{false, true}) {
                for (int[] s : shapes) check(g, GemmCase.padded(ta, tb, s[0], s[1], s[2], 1f, 0.5f, 1, 2, seed++));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void emptyResultLeavesCAlone(String name) {
        Gemm g = kernel(name);
        float[] c = {1f, 2f, 3f};
        g.sgemm(false, false, 0, 3, 4, 1f, new float[0], 0, 4, new float[12], 0, 3, 0f, c, 0, 3);
        g.sgemm(false, false, 1, 0, 4, 1f, new float[4], 0, 4, new float[0], 0, 1, 0f, c, 0, 1);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[]{1f, 2f, 3f}, c);
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void modelShapes(String name) {
        Gemm g = kernel(name);
        long seed = 400;
        // The calls Dense and Conv2d make (see the layer code), at the project's workloads' sizes.
        int[][] nt = {{64, 256, 784}, {64, 10, 128}, {32, 288, 121}, {64, 288, 121}};
        int[][] tn = {{256, 784, 64}, {10, 128, 64}, {288, 121, 64}, {9, 676, 32}};
        int[][] nn = {{64, 784, 256}, {64, 121, 288}, {32, 676, 9}, {64, 128, 10}};
        for (int[] s : nt) check(g, GemmCase.dense(false, true, s[0], s[1], s[2], 1f, 1f, seed++));
        for (int[] s : tn) check(g, GemmCase.dense(true, false, s[0], s[1], s[2], 1f, 0f, seed++));
        for (int[] s : nn) check(g, GemmCase.dense(false, false, s[0], s[1], s[2], 1f, 1f, seed++));
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void convenienceOverloadUsesDenseStrides(String name) {
        Gemm g = kernel(name);
        for (boolean ta : new boolean[]{false, true}) {
            for (boolean tb : new boolean[]{false, true}) {
                GemmCase tc = GemmCase.dense(ta, tb, 7, 9, 11, 1f, 0f, 500);
                float[] expected = tc.run(REFERENCE), actual = tc.c0.clone();
                g.sgemm(ta, tb, tc.m, tc.n, tc.k, 1f, tc.a, tc.b, 0f, actual);
                tc.assertMatches(expected, actual, g.name());
            }
        }
    }
}
