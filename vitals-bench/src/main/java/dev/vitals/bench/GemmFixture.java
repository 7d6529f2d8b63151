package dev.vitals.bench;

import dev.vitals.core.kernel.Gemm;
import dev.vitals.core.kernel.JavaGemm;
import dev.vitals.core.kernel.OpenBlasGemm;
import dev.vitals.core.kernel.VectorGemm;

import java.util.SplittableRandom;

/** Operands for one shape and the kernel under test, set up once per benchmark fork. */
final class GemmFixture {
    final GemmShapes.Shape shape;
    final Gemm gemm;
    final float[] a, b, c;
    final int lda, ldb, ldc;

    GemmFixture(String shapeName, String kernel) {
        shape = GemmShapes.get(shapeName);
        gemm = kernel(kernel);
        SplittableRandom rnd = new SplittableRandom(42);
        a = random(shape.m() * shape.k(), rnd);
        b = random(shape.k() * shape.n(), rnd);
        c = random(shape.m() * shape.n(), rnd);
        lda = shape.transA() ? shape.m() : shape.k();
        ldb = shape.transB() ? shape.k() : shape.n();
        ldc = shape.n();
    }

    /**
     * "openblas-N": the system OpenBLAS with N threads of its own; "vector-N": VectorGemm splitting
     * large products over at most N threads; "java": the reference loops.
     */
    static Gemm kernel(String name) {
        int dash = name.indexOf('-');
        String kind = dash < 0 ? name : name.substring(0, dash);
        int threads = dash < 0 ? 1 : Integer.parseInt(name.substring(dash + 1));
        return switch (kind) {
            case "java" -> new JavaGemm();
            case "vector" -> VectorGemm.create(threads);
            case "openblas" -> {
                OpenBlasGemm o = OpenBlasGemm.load();
                if (o == null) throw new IllegalStateException("OpenBLAS: " + OpenBlasGemm.loadError());
                o.threads(threads);
                yield o;
            }
            default -> throw new IllegalArgumentException("unknown kernel '" + name + "'");
        };
    }

    private static float[] random(int size, SplittableRandom rnd) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
        return x;
    }

    float[] run() {
        GemmShapes.Shape s = shape;
        gemm.sgemm(s.transA(), s.transB(), s.m(), s.n(), s.k(), 1f, a, 0, lda, b, 0, ldb, s.beta(), c, 0, ldc);
        return c;
    }
}
