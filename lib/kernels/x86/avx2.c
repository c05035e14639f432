/*
 * avx2.c - kernels for AVX2 with FMA (8 floats per register, 16
 * registers). Built with -mavx2 -mfma; dispatch.c uses them only when the
 * CPU and the operating system support both.
 */
#include <immintrin.h>

#include "kernels/kernels.h"

/* The GEMM tile: 4 rows by 24 columns (three registers) is 12
 * accumulators; with three B registers and one broadcast that fills all
 * 16 registers. */
#define MR 4
#define NR 24

static void f32_relu__avx2(size_t n, const float *x, float *y)
{
    const __m256 zero = _mm256_setzero_ps();
    size_t i = 0;

    /* max(0, x) returns x when x is NaN: the second operand wins. */
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_max_ps(zero, _mm256_loadu_ps(x + i)));
    for (; i < n; i++)
        y[i] = x[i] < 0.0f ? 0.0f : x[i];
}

static void f32_add__avx2(size_t n, const float *a, size_t step_a,
                          const float *b, size_t step_b, float *y)
{
    size_t i = 0;

    if (step_a == 1 && step_b == 1) {
        for (; i + 8 <= n; i += 8)
            _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(a + i),
                                                  _mm256_loadu_ps(b + i)));
    } else if (step_a == 1 || step_b == 1) {
        /* One operand is a single broadcast value. */
        const float *v = step_a == 1 ? a : b;
        const __m256 s = _mm256_set1_ps(step_a == 1 ? b[0] : a[0]);
        for (; i + 8 <= n; i += 8)
            _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(v + i), s));
    }
    for (; i < n; i++)
        y[i] = a[i * step_a] + b[i * step_b];
}

/* max(y, x) returns x when either is NaN; a NaN already in y is then put
 * back, so it stays. */
static __m256 nan_max(__m256 y, __m256 x)
{
    return _mm256_blendv_ps(_mm256_max_ps(y, x), y,
                            _mm256_cmp_ps(y, y, _CMP_UNORD_Q));
}

/* x[0], x[stride], ... x[7 * stride] for stride 1 or 2. */
static __m256 load_strided(const float *x, size_t stride)
{
    __m256 a, b, v;
    if (stride == 1)
        return _mm256_loadu_ps(x);
    /* Even elements within each 128-bit half, then the halves in order. */
    a = _mm256_loadu_ps(x);
    b = _mm256_loadu_ps(x + 8);
    v = _mm256_shuffle_ps(a, b, 0x88);
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(v), 0xD8));
}

static void f32_max_window__avx2(size_t n, const float *x, size_t row_stride,
                                 size_t rows, size_t cols, size_t stride,
                                 size_t dilation, float *y)
{
    size_t i = 0, r, c;

    /* Full groups of 8 whose last element is not the last of the row, so
     * that the stride-2 loads stay inside it; the rest is scalar. */
    if (stride <= 2)
        for (; i + 8 < n; i += 8) {
            const float *w = x + i * stride;
            __m256 m = load_strided(w, stride);
            for (r = 0; r < rows; r++)
                for (c = 0; c < cols; c++)
                    m = nan_max(m, load_strided(w + r * row_stride + c * dilation,
                                                stride));
            _mm256_storeu_ps(y + i, m);
        }
    if (i < n)
        om_kernels_scalar.f32_max_window(n - i, x + i * stride, row_stride,
                                         rows, cols, stride, dilation, y + i);
}

static void gemm_tile(size_t k, const float *a, const float *b,
                      const size_t *b_rows, float *c, size_t ldc, size_t rows,
                      size_t cols, size_t i0, size_t j0,
                      const om_gemm_epilogue *ep)
{
    __m256 acc[MR][3];
    size_t p, i, j;

    /* Main loop: per k, three loads of B and four broadcasts of A. */
    {
        __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps(),
               c02 = _mm256_setzero_ps();
        __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps(),
               c12 = _mm256_setzero_ps();
        __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps(),
               c22 = _mm256_setzero_ps();
        __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps(),
               c32 = _mm256_setzero_ps();
        for (p = 0; p < k; p++, a += MR) {
            const float *row = b + b_rows[p];
            const __m256 b0 = _mm256_loadu_ps(row),
                         b1 = _mm256_loadu_ps(row + 8),
                         b2 = _mm256_loadu_ps(row + 16);
            __m256 av;
            av = _mm256_broadcast_ss(a);
            c00 = _mm256_fmadd_ps(av, b0, c00);
            c01 = _mm256_fmadd_ps(av, b1, c01);
            c02 = _mm256_fmadd_ps(av, b2, c02);
            av = _mm256_broadcast_ss(a + 1);
            c10 = _mm256_fmadd_ps(av, b0, c10);
            c11 = _mm256_fmadd_ps(av, b1, c11);
            c12 = _mm256_fmadd_ps(av, b2, c12);
            av = _mm256_broadcast_ss(a + 2);
            c20 = _mm256_fmadd_ps(av, b0, c20);
            c21 = _mm256_fmadd_ps(av, b1, c21);
            c22 = _mm256_fmadd_ps(av, b2, c22);
            av = _mm256_broadcast_ss(a + 3);
            c30 = _mm256_fmadd_ps(av, b0, c30);
            c31 = _mm256_fmadd_ps(av, b1, c31);
            c32 = _mm256_fmadd_ps(av, b2, c32);
        }
        acc[0][0] = c00, acc[0][1] = c01, acc[0][2] = c02;
        acc[1][0] = c10, acc[1][1] = c11, acc[1][2] = c12;
        acc[2][0] = c20, acc[2][1] = c21, acc[2][2] = c22;
        acc[3][0] = c30, acc[3][1] = c31, acc[3][2] = c32;
    }

    /* A partial tile goes through the shared scalar epilogue. */
    if (rows < MR || cols < NR) {
        float tile[MR * NR];
        for (i = 0; i < MR; i++)
            for (j = 0; j < 3; j++)
                _mm256_storeu_ps(tile + i * NR + j * 8, acc[i][j]);
        om_gemm_store_tile(tile, NR, rows, cols, i0, j0, ep, c, ldc);
        return;
    }
    {
        const __m256 lo = _mm256_set1_ps(ep->lo), hi = _mm256_set1_ps(ep->hi);
        for (i = 0; i < MR; i++)
            for (j = 0; j < 3; j++) {
                __m256 v = acc[i][j];
                if (ep->bias_m)
                    v = _mm256_add_ps(v, _mm256_set1_ps(ep->bias_m[i0 + i]));
                if (ep->bias_n)
                    v = _mm256_add_ps(v, _mm256_loadu_ps(ep->bias_n + j0 + j * 8));
                /* The value as the second operand keeps NaN. */
                v = _mm256_min_ps(hi, _mm256_max_ps(lo, v));
                _mm256_storeu_ps(c + i * ldc + j * 8, v);
            }
    }
}

/* One row of C for four panels of B (96 columns): for a single row (a
 * MatMul of one vector), where a 4-row tile would spend most of its work
 * on zero rows. The row's A values are a[p * MR]. */
static void gemm_row4(size_t k, const float *a, const float *b,
                      const size_t *b_rows, size_t b_tile_stride, float *c,
                      size_t i, size_t j0, const om_gemm_epilogue *ep)
{
    __m256 acc[12];
    const __m256 lo = _mm256_set1_ps(ep->lo), hi = _mm256_set1_ps(ep->hi);
    size_t p, t, u;

    for (t = 0; t < 12; t++)
        acc[t] = _mm256_setzero_ps();
    for (p = 0; p < k; p++) {
        const __m256 av = _mm256_broadcast_ss(a + p * MR);
        const size_t r = b_rows[p];
        /* Twelve independent sums: enough to hide the FMA latency. */
        for (t = 0; t < 4; t++)
            for (u = 0; u < 3; u++)
                acc[t * 3 + u] = _mm256_fmadd_ps(
                    av, _mm256_loadu_ps(b + t * b_tile_stride + r + u * 8),
                    acc[t * 3 + u]);
    }
    for (t = 0; t < 12; t++) {
        __m256 v = acc[t];
        if (ep->bias_m)
            v = _mm256_add_ps(v, _mm256_set1_ps(ep->bias_m[i]));
        if (ep->bias_n)
            v = _mm256_add_ps(v, _mm256_loadu_ps(ep->bias_n + j0 + 8 * t));
        v = _mm256_min_ps(hi, _mm256_max_ps(lo, v));
        _mm256_storeu_ps(c + 8 * t, v);
    }
}

static void f32_gemm__avx2(size_t m, size_t n, size_t k,
                          const float *a_packed, const float *b,
                          const size_t *b_rows, size_t b_tile_stride,
                          float *c, size_t ldc, const om_gemm_epilogue *ep)
{
    size_t i0, j0;

    /* A vector times a matrix: four panels at once; the columns past the
     * last whole group of four take the tile path. */
    if (m == 1 && n >= 4 * NR) {
        size_t whole = n / (4 * NR) * (4 * NR);
        for (j0 = 0; j0 < whole; j0 += 4 * NR)
            gemm_row4(k, a_packed, b + j0 / NR * b_tile_stride, b_rows,
                      b_tile_stride, c + j0, 0, j0, ep);
        for (j0 = whole; j0 < n; j0 += NR)
            gemm_tile(k, a_packed, b + j0 / NR * b_tile_stride, b_rows,
                      c + j0, ldc, 1, n - j0 < NR ? n - j0 : NR, 0, j0, ep);
        return;
    }

    for (i0 = 0; i0 < m; i0 += MR)
        for (j0 = 0; j0 < n; j0 += NR)
            gemm_tile(k, a_packed + i0 * k, b + j0 / NR * b_tile_stride,
                      b_rows, c + i0 * ldc + j0, ldc,
                      m - i0 < MR ? m - i0 : MR, n - j0 < NR ? n - j0 : NR,
                      i0, j0, ep);
}

const om_kernels om_kernels_avx2 = {
    "avx2",
    f32_relu__avx2,
    f32_add__avx2,
    f32_max_window__avx2,
    MR,
    NR,
    f32_gemm__avx2,
};
