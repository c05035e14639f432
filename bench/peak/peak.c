/*
 * peak.c - measures one core's single-precision FMA throughput, the peak
 * that docs/BENCHMARKS.md compares the kernels with.
 *
 * Usage: onnxmini-peak
 *
 * Prints "ISA GFLOP/s" lines for the widest FMA instructions this CPU and
 * build have (avx512 and avx2 on x86-64), best of five timed loops of 24
 * independent accumulators each, which keeps both FMA pipes of current
 * x86 cores busy. Exits 1 and prints nothing on other CPUs or compilers.
 */
#include <stdio.h>
#include <time.h>

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>

#define ACCUMULATORS 24
#define LOOPS 20000000L

static double now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* GFLOP/s of LOOPS rounds of ACCUMULATORS independent 16-lane FMAs. The
 * sum of the results is stored, so the compiler keeps every FMA. */
__attribute__((target("avx512f,fma"))) static double avx512(float *sink)
{
    __m512 acc[ACCUMULATORS], b = _mm512_set1_ps(0.9999f);
    __m512 c = _mm512_set1_ps(1e-4f), sum = _mm512_setzero_ps();
    double start;
    long i;
    int j;

    for (j = 0; j < ACCUMULATORS; j++)
        acc[j] = _mm512_set1_ps((float)j * 1e-3f);
    start = now();
    for (i = 0; i < LOOPS; i++) {
        /* Written out, so that every accumulator stays in a register. */
#define F(j) acc[j] = _mm512_fmadd_ps(acc[j], b, c)
        F(0); F(1); F(2); F(3); F(4); F(5); F(6); F(7); F(8); F(9); F(10);
        F(11); F(12); F(13); F(14); F(15); F(16); F(17); F(18); F(19);
        F(20); F(21); F(22); F(23);
#undef F
    }
    start = now() - start;
    for (j = 0; j < ACCUMULATORS; j++)
        sum = _mm512_add_ps(sum, acc[j]);
    *sink += _mm512_reduce_add_ps(sum);
    return (double)LOOPS * ACCUMULATORS * 32 / start * 1e-9;
}

__attribute__((target("avx2,fma"))) static double avx2(float *sink)
{
    /* 12 accumulators: AVX2 has 16 registers. */
    __m256 acc[12], b = _mm256_set1_ps(0.9999f), c = _mm256_set1_ps(1e-4f);
    __m256 sum = _mm256_setzero_ps();
    float lanes[8];
    double start;
    long i;
    int j;

    for (j = 0; j < 12; j++)
        acc[j] = _mm256_set1_ps((float)j * 1e-3f);
    start = now();
    for (i = 0; i < 2 * LOOPS; i++) {
#define F(j) acc[j] = _mm256_fmadd_ps(acc[j], b, c)
        F(0); F(1); F(2); F(3); F(4); F(5); F(6); F(7); F(8); F(9); F(10);
        F(11);
#undef F
    }
    start = now() - start;
    for (j = 0; j < 12; j++)
        sum = _mm256_add_ps(sum, acc[j]);
    _mm256_storeu_ps(lanes, sum);
    for (j = 0; j < 8; j++)
        *sink += lanes[j];
    return 2.0 * LOOPS * 12 * 16 / start * 1e-9;
}

static double best_of_five(double (*run)(float *), float *sink)
{
    double best = 0.0;
    int k;

    for (k = 0; k < 5; k++) {
        double g = run(sink);
        if (g > best)
            best = g;
    }
    return best;
}

int main(void)
{
    float sink = 0.0f;
    int any = 0;

    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) {
        printf("avx512 %.1f\n", best_of_five(avx512, &sink));
        any = 1;
    }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        printf("avx2 %.1f\n", best_of_five(avx2, &sink));
        any = 1;
    }
    /* The sink is never 0 for these inputs; testing it keeps it live. */
    return any && sink != 0.0f ? 0 : 1;
}
#else
int main(void)
{
    return 1;
}
#endif
