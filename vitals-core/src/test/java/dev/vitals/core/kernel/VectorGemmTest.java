package dev.vitals.core.kernel;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What is particular to {@link VectorGemm}: blocking boundaries, threads, determinism, argument checks. */
class VectorGemmTest {
    private static final Gemm REFERENCE = new JavaGemm();

    @BeforeAll
    static void needsVectorApi() {
        assumeTrue(VectorSupport.available(), "jdk.incubator.vector not present");
    }

    @Test
    void sizesAroundTheBlockingBoundaries() {
        Gemm g = VectorGemm.create(1);
        long seed = 1;
        // k just past one and two depth blocks, m past a row block, n past a column panel.
        int[][] shapes = {
                {VectorGemm.MR + 1, VectorGemm.NR + 1, VectorGemm.KC + 1},
                {VectorGemm.MC + 3, 2 * VectorGemm.NR - 1, 2 * VectorGemm.KC + 7},
                {VectorGemm.MC - 1, 40, VectorGemm.KC - 1},
                {3, VectorGemm.NC + 20, 5},
        };
        for (boolean ta : new boolean[]{false, true}) {
            for (boolean tb : new boolean[]{false, true}) {
                for (int[] s : shapes) {
                    GemmCase tc = GemmCase.padded(ta, tb, s[0], s[1], s[2], 0.75f, 0.5f, 3, 4, seed++);
                    tc.assertMatches(tc.run(REFERENCE), tc.run(g), "vector");
                }
            }
        }
    }

    @Test
    void largeProductsSplitAcrossThreadsMatchReferenceAndAreBitIdentical() {
        Gemm one = VectorGemm.create(1), two = VectorGemm.create(2), many = VectorGemm.create(7);
        long seed = 10;
        // m <= n splits the columns of C, m > n splits its rows; both well above the parallel threshold.
        int[][] shapes = {{150, 517, 263}, {517, 150, 263}, {97, 1031, 77}, {300, 300, 300}};
        for (boolean ta : new boolean[]{false, true}) {
            for (boolean tb : new boolean[]{false, true}) {
                for (int[] s : shapes) {
                    assertTrue((long) s[0] * s[1] * s[2] >= VectorGemm.PARALLEL_MIN_MACS);
                    GemmCase tc = GemmCase.padded(ta, tb, s[0], s[1], s[2], 1f, ta ? 0f : 1f, 5, 3, seed++);
                    float[] first = tc.run(two);
                    tc.assertMatches(tc.run(REFERENCE), first, "vector-2");
                    for (int rep = 0; rep < 3; rep++) {
                        assertArrayEquals(first, tc.run(two), "two threads, repeat " + rep + ": " + tc);
                    }
                    // The partition is aligned to whole tiles, so the number of parts does not change a bit
                    // (seven parts here: more than this machine's cores, claimed by whoever is free).
                    assertArrayEquals(first, tc.run(one), "one thread vs two: " + tc);
                    assertArrayEquals(first, tc.run(many), "seven parts vs two: " + tc);
                }
            }
        }
    }

    @Test
    void concurrentCallersGetTheirOwnWorkspaces() throws Exception {
        Gemm g = VectorGemm.create(2);
        List<GemmCase> cases = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            cases.add(GemmCase.dense(i % 2 == 0, i % 3 == 0, 60 + 13 * i, 200 - 11 * i, 150 + 7 * i, 1f, 0f, 900 + i));
        }
        List<float[]> expected = new ArrayList<>();
        for (GemmCase tc : cases) expected.add(tc.run(g));
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 5; round++) {
                List<Future<float[]>> results = new ArrayList<>();
                for (GemmCase tc : cases) results.add(callers.submit(() -> tc.run(g)));
                for (int i = 0; i < cases.size(); i++) {
                    assertArrayEquals(expected.get(i), results.get(i).get(), "concurrent call " + i + ": " + cases.get(i));
                }
            }
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void rejectsOperandsThatDoNotFitTheirArrays() {
        Gemm g = VectorGemm.create(1);
        float[] a = new float[6], b = new float[6], c = new float[4];
        // 2x3 times 3x2: fine as given.
        g.sgemm(false, false, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 2);
        assertThrows(IllegalArgumentException.class, () -> g.sgemm(false, false, 2, 2, 3, 1f, a, 0, 4, b, 0, 2, 0f, c, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> g.sgemm(false, false, 2, 2, 3, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> g.sgemm(false, false, 2, 2, 3, 1f, a, 0, 3, b, 1, 2, 0f, c, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> g.sgemm(false, false, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 3));
        assertThrows(IllegalArgumentException.class, () -> g.sgemm(true, false, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> g.sgemm(false, false, -1, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> VectorGemm.create(0));
    }
}
