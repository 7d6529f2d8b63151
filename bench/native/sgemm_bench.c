/*
 * OpenBLAS called from C: the reference point for "Vitals' FFM call within 5% of OpenBLAS itself".
 * Reads shapes from stdin, one per line: name transA transB m n k beta (as GemmShapes prints them),
 * and times cblas_sgemm on each the way the JMH benchmarks do: the same operands every call (random
 * in [-1, 1)), warm-up, then timed rounds of back-to-back calls; prints mean and best GFLOPS.
 * Usage: sgemm_bench THREADS [WARMUP_ROUNDS MEASURED_ROUNDS ROUND_SECONDS] < shapes
 * Built by bench/gemm-native against the system's libopenblas.so.0 (no headers needed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };
void cblas_sgemm(int order, int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda,
                 const float *b, int ldb, float beta, float *c, int ldc);
void openblas_set_num_threads(int n);
char *openblas_get_config(void);

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static float *random_floats(size_t n, unsigned *state) {
    float *x = malloc(n * sizeof(float));
    if (!x) { perror("malloc"); exit(1); }
    for (size_t i = 0; i < n; i++) {
        *state = *state * 1664525u + 1013904223u;
        x[i] = (float)((*state >> 8) * (1.0 / 16777216.0) * 2 - 1);
    }
    return x;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s THREADS [WARMUP MEASURED SECONDS] < shapes\n", argv[0]); return 2; }
    int threads = atoi(argv[1]);
    int warmup = argc > 2 ? atoi(argv[2]) : 2, measured = argc > 3 ? atoi(argv[3]) : 5;
    double seconds = argc > 4 ? atof(argv[4]) : 0.5;
    openblas_set_num_threads(threads);
    printf("# %s, %d thread(s), %d x %.2f s warm-up, %d x %.2f s measured\n", openblas_get_config(), threads, warmup,
           seconds, measured, seconds);
    char name[128];
    int ta, tb, m, n, k;
    float beta;
    unsigned state = 42;
    while (scanf("%127s %d %d %d %d %d %f", name, &ta, &tb, &m, &n, &k, &beta) == 7) {
        float *a = random_floats((size_t)m * k, &state), *b = random_floats((size_t)k * n, &state),
              *c = random_floats((size_t)m * n, &state);
        int lda = ta ? m : k, ldb = tb ? k : n, ldc = n;
        double flops = 2.0 * m * n * k, sum = 0, best = 0;
        for (int round = 0; round < warmup + measured; round++) {
            long calls = 0;
            double t0 = now(), t;
            do {
                cblas_sgemm(ROW_MAJOR, ta ? TRANS : NO_TRANS, tb ? TRANS : NO_TRANS, m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc);
                calls++;
                t = now();
            } while (t - t0 < seconds);
            double gflops = flops * calls / (t - t0) / 1e9;
            if (round >= warmup) {
                sum += gflops;
                if (gflops > best) best = gflops;
            }
        }
        printf("%-20s %s%s %dx%dx%d %8.1f %8.1f\n", name, ta ? "T" : "N", tb ? "T" : "N", m, n, k, sum / measured, best);
        fflush(stdout);
        free(a);
        free(b);
        free(c);
    }
    return 0;
}
