package dev.vitals.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The GEMM calls worth measuring, by name: squares, and the calls the layers make on the project's
 * workloads (see Dense and Conv2d for where each transpose combination comes from).
 */
public final class GemmShapes {
    /** One sgemm call: C(m x n) = op(A)(m x k) . op(B)(k x n) + beta C. */
    public record Shape(String name, boolean transA, boolean transB, int m, int n, int k, float beta) {
        public double flops() { return 2.0 * m * n * k; }

        public String describe() {
            return (transA ? "T" : "N") + (transB ? "T" : "N") + " " + m + "x" + n + "x" + k;
        }
    }

    private static final Map<String, Shape> SHAPES = new LinkedHashMap<>();

    static {
        for (int s : new int[]{64, 128, 256, 512, 1024, 2048}) add("square-" + s, false, false, s, s, s, 0f);
        // MLP 784-256-128-10. Dense forward: (N,T) batch x units x in; weight gradient: (T,N)
        // units x in x batch, accumulated; input gradient: (N,N) batch x in x units.
        for (int b : new int[]{64, 256}) {
            add("mlp-b" + b + "-fc1-fwd", false, true, b, 256, 784, 1f);
            add("mlp-b" + b + "-fc1-wgrad", true, false, 256, 784, b, 1f);
            add("mlp-b" + b + "-fc2-fwd", false, true, b, 128, 256, 1f);
            add("mlp-b" + b + "-fc2-igrad", false, false, b, 256, 128, 0f);
            add("mlp-b" + b + "-fc3-fwd", false, true, b, 10, 128, 1f);
        }
        // CNN on 28x28x1 at batch 64: conv 32 3x3 (P=26*26=676 positions, C*k*k=9) -> pool -> conv 64 3x3
        // (P=11*11=121, C*k*k=288) -> pool -> dense 1600->128. Conv2d unfolds the whole batch into
        // cols[Ckk, 64*P] (im2col) and makes one call per pass: forward (N,N) filters x 64P x Ckk;
        // weight gradient (N,T) filters x Ckk x 64P, accumulated; input gradient (T,N) Ckk x 64P x filters
        // (the first layer needs none).
        add("cnn-b64-conv1-fwd", false, false, 32, 64 * 676, 9, 0f);
        add("cnn-b64-conv1-wgrad", false, true, 32, 9, 64 * 676, 1f);
        add("cnn-b64-conv2-fwd", false, false, 64, 64 * 121, 288, 0f);
        add("cnn-b64-conv2-wgrad", false, true, 64, 288, 64 * 121, 1f);
        add("cnn-b64-conv2-igrad", true, false, 288, 64 * 121, 64, 0f);
        add("cnn-fc-b64-fwd", false, true, 64, 128, 1600, 1f);
        add("cnn-fc-b64-wgrad", true, false, 128, 1600, 64, 1f);
        // the per-example product of the earlier (unbatched) Conv2d, kept as a small-shape point
        add("cnn-conv2-fwd", false, false, 64, 121, 288, 1f);
        // Document MLP 5000-2048-1024-512-256-128-50 at batch 64.
        add("doc-b64-fc1-fwd", false, true, 64, 2048, 5000, 1f);
        add("doc-b64-fc1-wgrad", true, false, 2048, 5000, 64, 1f);
        add("doc-b64-fc2-fwd", false, true, 64, 1024, 2048, 1f);
        add("doc-b64-fc2-igrad", false, false, 64, 2048, 1024, 0f);
    }

    private GemmShapes() {}

    private static void add(String name, boolean ta, boolean tb, int m, int n, int k, float beta) {
        SHAPES.put(name, new Shape(name, ta, tb, m, n, k, beta));
    }

    /** Every shape, in the order above. */
    public static java.util.Collection<Shape> all() { return SHAPES.values(); }

    /**
     * Prints the named shapes (all without arguments), one per line: name, transA, transB, m, n, k, beta
     * (transposes as 0/1), for the native comparison program (bench/gemm-native).
     */
    public static void main(String[] args) {
        java.util.List<Shape> list = new java.util.ArrayList<>();
        if (args.length == 0) list.addAll(SHAPES.values());
        for (String a : args) for (String n : a.split(",")) if (!n.isBlank()) list.add(get(n.trim()));
        for (Shape s : list) {
            System.out.println(s.name() + " " + (s.transA() ? 1 : 0) + " " + (s.transB() ? 1 : 0) + " " + s.m() + " " + s.n() + " "
                    + s.k() + " " + s.beta());
        }
    }

    public static Shape get(String name) {
        Shape s = SHAPES.get(name);
        if (s == null) throw new IllegalArgumentException("unknown GEMM shape '" + name + "'; known: " + SHAPES.keySet());
        return s;
    }
}
