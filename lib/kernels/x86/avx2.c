/*
 * avx2.c - kernels for AVX2 with FMA (8 floats per register, 16
 * registers). Built with -mavx2 -mfma; dispatch.c uses them only when the
 * CPU and the operating system support both.
 */
#include <immintrin.h>

#include <stdint.h>
#include <string.h>

#include "kernels/kernels.h"

/* The GEMM tile: 4 rows by 24 columns (three registers) is 12
 * accumulators; with three B registers and one broadcast that fills all
 * 16 registers. */
#define MR 4
#define NR 24

/* How far ahead of its reads the GEMM prefetches packed A: 2 KiB, tuned on
 * ResNet-18, whose weights do not fit in the cache. The address is formed
 * as an integer because it may lie past the end of A, which prefetching
 * allows but pointer arithmetic does not. */
#define PREFETCH_ADDRESS(a) ((const char *)((uintptr_t)(a) + 2048))

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

/* The 8 floats at x, of which those below `count` are loaded and the
 * others are zero; a masked load reads nothing past them. */
static inline __m256 load_first(const float *x, size_t count)
{
    static const int32_t lanes[16] = {-1, -1, -1, -1, -1, -1, -1, -1,
                                      0,  0,  0,  0,  0,  0,  0,  0};

    if (count >= 8)
        return _mm256_loadu_ps(x);
    return _mm256_maskload_ps(
        x, _mm256_loadu_si256((const __m256i *)(lanes + 8 - count)));
}

/* The maxima down `rows` window rows (row_stride floats apart) of the 8
 * floats at x, folded in ascending rows; only floats below `count` are
 * read. */
static inline __m256 column_max(const float *x, size_t row_stride,
                                size_t rows, size_t count)
{
    __m256 m = load_first(x, count);
    size_t r;

    for (r = 1; r < rows; r++)
        m = nan_max(m, load_first(x + r * row_stride, count));
    return m;
}

/* Returns the number of floats from `start` to the end of a span of
 * `span` floats, or 0 when start lies past it. */
static size_t count_from(size_t span, size_t start)
{
    return span > start ? span - start : 0;
}

/* The maxima of `count` (1 to 8) windows of kernel_w columns (1 to 4) at
 * w: the column maxima of the kernel_w * count floats first, then the
 * columns of each window are gathered into lanes by shuffles. */
static inline __m256 pool_group(const float *w, size_t row_stride,
                                size_t rows, size_t kernel_w, size_t count)
{
    const size_t span = kernel_w * count;
    __m256 v[4], column[4], m;
    size_t k, c;

    /* Registers past the span, in a group of a short row, stay zero;
     * their lanes are never stored. */
    for (k = 0; k < kernel_w; k++)
        v[k] = 8 * k < span ? column_max(w + 8 * k, row_stride, rows,
                                         count_from(span, 8 * k))
                            : _mm256_setzero_ps();
    switch (kernel_w) {
    case 1:
        return v[0];
    case 2:
        /* Lanes in output order 0 1 4 5 2 3 6 7; the 64-bit permutation
         * at the end restores 0 .. 7. */
        m = nan_max(_mm256_shuffle_ps(v[0], v[1], 0x88),
                    _mm256_shuffle_ps(v[0], v[1], 0xDD));
        return _mm256_castpd_ps(
            _mm256_permute4x64_pd(_mm256_castps_pd(m), 0xD8));
    case 3: {
        /* Column c of output i is float 3 * i + c, at position
         * (3 * i + c) % 8 of v[(3 * i + c) / 8]. The three registers are
         * blended so that each position contains its column's float, and
         * then the lanes are put in output order. */
        static const int32_t order[3][8] = {{0, 3, 6, 1, 4, 7, 2, 5},
                                            {1, 4, 7, 2, 5, 0, 3, 6},
                                            {2, 5, 0, 3, 6, 1, 4, 7}};
        column[0] = _mm256_blend_ps(_mm256_blend_ps(v[0], v[1], 0x92), v[2],
                                    0x24);
        column[1] = _mm256_blend_ps(_mm256_blend_ps(v[0], v[1], 0x24), v[2],
                                    0x49);
        column[2] = _mm256_blend_ps(_mm256_blend_ps(v[0], v[1], 0x49), v[2],
                                    0x92);
        for (c = 0; c < 3; c++)
            column[c] = _mm256_permutevar8x32_ps(
                column[c], _mm256_loadu_si256((const __m256i *)order[c]));
        m = nan_max(nan_max(column[0], column[1]), column[2]);
        return m;
    }
    default: {
        /* A 4 x 4 transpose within each 128-bit half: lanes in output
         * order 0 2 4 6 1 3 5 7, which the permutation at the end
         * restores. */
        static const int32_t order[8] = {0, 4, 1, 5, 2, 6, 3, 7};
        __m256 t0 = _mm256_unpacklo_ps(v[0], v[1]);
        __m256 t1 = _mm256_unpackhi_ps(v[0], v[1]);
        __m256 t2 = _mm256_unpacklo_ps(v[2], v[3]);
        __m256 t3 = _mm256_unpackhi_ps(v[2], v[3]);
        column[0] = _mm256_shuffle_ps(t0, t2, 0x44);
        column[1] = _mm256_shuffle_ps(t0, t2, 0xEE);
        column[2] = _mm256_shuffle_ps(t1, t3, 0x44);
        column[3] = _mm256_shuffle_ps(t1, t3, 0xEE);
        m = nan_max(nan_max(nan_max(column[0], column[1]), column[2]),
                    column[3]);
        return _mm256_permutevar8x32_ps(
            m, _mm256_loadu_si256((const __m256i *)order));
    }
    }
}

/* Computes every pooling row of the call for one kernel_w and kernel_h
 * (0 to read it from p). It is inlined per value, so that pool_group's
 * loops and switch fold away. The parameters are copied into locals
 * because the compiler must assume that the stores to y may change *p. Rows of 8 outputs or more end with a group that overlaps the one
 * before it, and shorter rows are stored through a buffer, because masked
 * stores are slow on some CPUs (AMD Zen 4 among them). */
static inline void pool_tiled_rows(const float *x,
                                   const om_max_pool_tiled_params *p,
                                   size_t kernel_w, size_t kernel_h, float *y)
{
    const size_t planes = p->planes, out_h = p->out_h, out_w = p->out_w;
    const size_t rows = kernel_h ? kernel_h : p->kernel_h;
    const size_t x_plane = p->x_plane, x_out_row = p->x_out_row;
    const size_t x_window_row = p->x_window_row;
    const size_t y_plane = p->y_plane, y_row = p->y_row;
    size_t plane, i, j;

    for (plane = 0; plane < planes; plane++)
        for (i = 0; i < out_h; i++) {
            const float *row = x + plane * x_plane + i * x_out_row;
            float *out = y + plane * y_plane + i * y_row;
            if (out_w < 8) {
                float group[8];
                _mm256_storeu_ps(group, pool_group(row, x_window_row, rows,
                                                   kernel_w, out_w));
                memcpy(out, group, out_w * sizeof(float));
                continue;
            }
            for (j = 0; j + 8 <= out_w; j += 8)
                _mm256_storeu_ps(out + j,
                                 pool_group(row + j * kernel_w, x_window_row,
                                            rows, kernel_w, 8));
            if (j < out_w) {
                j = out_w - 8;
                _mm256_storeu_ps(out + j,
                                 pool_group(row + j * kernel_w, x_window_row,
                                            rows, kernel_w, 8));
            }
        }
}

static void f32_max_pool_tiled__avx2(const float *x,
                                     const om_max_pool_tiled_params *p,
                                     float *y)
{
    /* 2 x 2 and 3 x 3 windows, the common ones, get their row loops
     * unrolled. */
    if (p->kernel_w == 2 && p->kernel_h == 2)
        pool_tiled_rows(x, p, 2, 2, y);
    else if (p->kernel_w == 3 && p->kernel_h == 3)
        pool_tiled_rows(x, p, 3, 3, y);
    else if (p->kernel_w >= 1 && p->kernel_w <= 4)
        switch (p->kernel_w) {
        case 1:
            pool_tiled_rows(x, p, 1, 0, y);
            break;
        case 2:
            pool_tiled_rows(x, p, 2, 0, y);
            break;
        case 3:
            pool_tiled_rows(x, p, 3, 0, y);
            break;
        default:
            pool_tiled_rows(x, p, 4, 0, y);
            break;
        }
    else
        om_kernels_scalar.f32_max_pool_tiled(x, p, y);
}

/* The sums of one tile: acc[i][v] is the sum over p of a[p * MR + i] times
 * the 8 floats at bv + b_rows[p], with b0, b1 and b2 for v = 0, 1 and 2. */
static inline void gemm_sums(size_t k, const float *a, const float *b0,
                             const float *b1, const float *b2,
                             const size_t *b_rows, __m256 acc[MR][3])
{
    size_t p;

    /* Main loop: per k, three loads of B and four broadcasts of A. */
    __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps(),
           c02 = _mm256_setzero_ps();
    __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps(),
           c12 = _mm256_setzero_ps();
    __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps(),
           c22 = _mm256_setzero_ps();
    __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps(),
           c32 = _mm256_setzero_ps();
    for (p = 0; p < k; p++, a += MR) {
        const size_t r = b_rows[p];
        /* Large weights stream from memory: ask for A early, once per
         * 64-byte line. */
        if (((uintptr_t)a & 63) == 0)
            _mm_prefetch(PREFETCH_ADDRESS(a), _MM_HINT_T0);
        const __m256 v0 = _mm256_loadu_ps(b0 + r),
                     v1 = _mm256_loadu_ps(b1 + r),
                     v2 = _mm256_loadu_ps(b2 + r);
        __m256 av;
        av = _mm256_broadcast_ss(a);
        c00 = _mm256_fmadd_ps(av, v0, c00);
        c01 = _mm256_fmadd_ps(av, v1, c01);
        c02 = _mm256_fmadd_ps(av, v2, c02);
        av = _mm256_broadcast_ss(a + 1);
        c10 = _mm256_fmadd_ps(av, v0, c10);
        c11 = _mm256_fmadd_ps(av, v1, c11);
        c12 = _mm256_fmadd_ps(av, v2, c12);
        av = _mm256_broadcast_ss(a + 2);
        c20 = _mm256_fmadd_ps(av, v0, c20);
        c21 = _mm256_fmadd_ps(av, v1, c21);
        c22 = _mm256_fmadd_ps(av, v2, c22);
        av = _mm256_broadcast_ss(a + 3);
        c30 = _mm256_fmadd_ps(av, v0, c30);
        c31 = _mm256_fmadd_ps(av, v1, c31);
        c32 = _mm256_fmadd_ps(av, v2, c32);
    }
    acc[0][0] = c00, acc[0][1] = c01, acc[0][2] = c02;
    acc[1][0] = c10, acc[1][1] = c11, acc[1][2] = c12;
    acc[2][0] = c20, acc[2][1] = c21, acc[2][2] = c22;
    acc[3][0] = c30, acc[3][1] = c31, acc[3][2] = c32;
}

static void gemm_tile(size_t k, const float *a, const float *b,
                      const size_t *b_rows, float *c, size_t ldc, size_t rows,
                      size_t cols, size_t i0, size_t j0,
                      const om_gemm_epilogue *ep)
{
    __m256 acc[MR][3];
    size_t i, j;

    gemm_sums(k, a, b, b + 8, b + 16, b_rows, acc);

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

/* Lane masks: the first n of 8 lanes are those of lane_masks + 8 - n. */
static const int lane_masks[16] = {-1, -1, -1, -1, -1, -1, -1, -1,
                                   0,  0,  0,  0,  0,  0,  0,  0};

static __m256i first_lanes(size_t n)
{
    return _mm256_loadu_si256((const __m256i *)(const void *)(lane_masks + 8 -
                                                              n));
}

/* The sum of the eight lanes of v. */
static float sum_lanes(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v),
                          _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}

/* Eight dot products of length k. Lane l of each accumulator sums the
 * products at p = l, l + 8, ..., and a masked load takes the last k % 8. */
static void gemm_nt_row__avx2(size_t k, const float *a,
                              const float *const b[8], float sums[8])
{
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    __m256 s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
    __m256 s4 = _mm256_setzero_ps(), s5 = _mm256_setzero_ps();
    __m256 s6 = _mm256_setzero_ps(), s7 = _mm256_setzero_ps();
    const float *b0 = b[0], *b1 = b[1], *b2 = b[2], *b3 = b[3];
    const float *b4 = b[4], *b5 = b[5], *b6 = b[6], *b7 = b[7];
    size_t p = 0;

    for (; p + 8 <= k; p += 8) {
        const __m256 x = _mm256_loadu_ps(a + p);
        s0 = _mm256_fmadd_ps(x, _mm256_loadu_ps(b0 + p), s0);
        s1 = _mm256_fmadd_ps(x, _mm256_loadu_ps(b1 + p), s1);
        s2 = _mm256_fmadd_ps(x, _mm256_loadu_ps(b2 + p), s2);
        s3 = _mm256_fmadd_ps(x, _mm256_loadu_ps(b3 + p), s3);
        s4 = _mm256_fmadd_ps(x, _mm256_loadu_ps(b4 + p), s4);
        s5 = _mm256_fmadd_ps(x, _mm256_loadu_ps(b5 + p), s5);
        s6 = _mm256_fmadd_ps(x, _mm256_loadu_ps(b6 + p), s6);
        s7 = _mm256_fmadd_ps(x, _mm256_loadu_ps(b7 + p), s7);
    }
    if (p < k) {
        const __m256i m = first_lanes(k - p);
        const __m256 x = _mm256_maskload_ps(a + p, m);
        s0 = _mm256_fmadd_ps(x, _mm256_maskload_ps(b0 + p, m), s0);
        s1 = _mm256_fmadd_ps(x, _mm256_maskload_ps(b1 + p, m), s1);
        s2 = _mm256_fmadd_ps(x, _mm256_maskload_ps(b2 + p, m), s2);
        s3 = _mm256_fmadd_ps(x, _mm256_maskload_ps(b3 + p, m), s3);
        s4 = _mm256_fmadd_ps(x, _mm256_maskload_ps(b4 + p, m), s4);
        s5 = _mm256_fmadd_ps(x, _mm256_maskload_ps(b5 + p, m), s5);
        s6 = _mm256_fmadd_ps(x, _mm256_maskload_ps(b6 + p, m), s6);
        s7 = _mm256_fmadd_ps(x, _mm256_maskload_ps(b7 + p, m), s7);
    }
    sums[0] = sum_lanes(s0);
    sums[1] = sum_lanes(s1);
    sums[2] = sum_lanes(s2);
    sums[3] = sum_lanes(s3);
    sums[4] = sum_lanes(s4);
    sums[5] = sum_lanes(s5);
    sums[6] = sum_lanes(s6);
    sums[7] = sum_lanes(s7);
}

static void f32_gemm_nt__avx2(size_t m, size_t n, size_t k, const float *a,
                              size_t lda, const float *bt, size_t ldb,
                              float *c, size_t ldc, const om_gemm_epilogue *ep)
{
    om_gemm_nt_rows(m, n, k, a, lda, bt, ldb, c, ldc, ep, gemm_nt_row__avx2);
}

static void f32_gemm_segments__avx2(size_t m, size_t segments, size_t k,
                                    const float *a_packed, const float *b,
                                    const size_t *b_rows,
                                    const om_gemm_segment *segs, float *c,
                                    size_t ldc, const om_gemm_epilogue *ep)
{
    const __m256 lo = _mm256_set1_ps(ep->lo), hi = _mm256_set1_ps(ep->hi);
    size_t i0, t, i, v;

    /* One A block stays in L1 while the segments of B stream past it. */
    for (i0 = 0; i0 < m; i0 += MR) {
        const size_t rows = m - i0 < MR ? m - i0 : MR;
        for (t = 0; t + 3 <= segments; t += 3) {
            const om_gemm_segment *sg = segs + t;
            __m256 acc[MR][3];

            gemm_sums(k, a_packed + i0 * k, b + sg[0].b_offset,
                      b + sg[1].b_offset, b + sg[2].b_offset, b_rows, acc);
            for (v = 0; v < 3; v++) {
                const __m256i keep = first_lanes(sg[v].count);
                for (i = 0; i < rows; i++) {
                    float *out = c + (i0 + i) * ldc + sg[v].c_offset;
                    __m256 x = acc[i][v];
                    if (ep->bias_m)
                        x = _mm256_add_ps(x,
                                          _mm256_set1_ps(ep->bias_m[i0 + i]));
                    /* The value as the second operand keeps NaN. */
                    x = _mm256_min_ps(hi, _mm256_max_ps(lo, x));
                    /* Masked stores are slow on some CPUs (AMD Zen 4
                     * among them): whole segments take a plain one. */
                    if (sg[v].count == 8)
                        _mm256_storeu_ps(out, x);
                    else
                        _mm256_maskstore_ps(out, keep, x);
                }
            }
        }
    }
}

/* The load masks of one vector of a depthwise block: the lanes of its
 * first and second 8-float load (the second only at stride 2). */
typedef struct depthwise_masks {
    __m256i lo, hi;
} depthwise_masks;

/* The load masks of outputs first .. first + 7 in a block of `count`
 * outputs. */
static depthwise_masks depthwise_vector_masks(size_t count, size_t first,
                                              size_t stride)
{
    depthwise_masks m;
    size_t span;

    count = count > first ? count - first : 0;
    if (count > 8)
        count = 8;
    span = count ? (count - 1) * stride + 1 : 0;
    m.lo = first_lanes(span < 8 ? span : 8);
    m.hi = first_lanes(span > 8 ? span - 8 : 0);
    return m;
}

/* x[0], x[stride], ... (stride 1 or 2) in the masked lanes, zero in the
 * rest. Masked-off lanes read nothing and cannot fault. */
static inline __m256 depthwise_load_masked(const float *x, size_t stride,
                                           const depthwise_masks *m)
{
    __m256 a, b, v;

    if (stride == 1)
        return _mm256_maskload_ps(x, m->lo);
    a = _mm256_maskload_ps(x, m->lo);
    b = _mm256_maskload_ps(x + 8, m->hi);
    v = _mm256_shuffle_ps(a, b, 0x88);
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(v), 0xD8));
}

/* The sums of up to 32 outputs, 8 per vector. */
typedef struct depthwise_sums {
    __m256 v0, v1, v2, v3;
} depthwise_sums;

/* The sums of outputs 0 .. 31 at x: four accumulators share each
 * broadcast weight. At stride 2 the loads read one float past the last
 * window, so output 32 must exist. */
static inline depthwise_sums depthwise_sums32(const float *x,
                                              const om_depthwise_params *p,
                                              size_t stride)
{
    depthwise_sums a;
    size_t r, c;

    a.v0 = a.v1 = a.v2 = a.v3 = _mm256_setzero_ps();
    for (r = 0; r < p->kernel_h; r++)
        for (c = 0; c < p->kernel_w; c++) {
            const float *q = x + r * p->row_stride + c * p->dilation;
            const __m256 w =
                _mm256_broadcast_ss(p->weights + r * p->kernel_w + c);
            a.v0 = _mm256_fmadd_ps(load_strided(q, stride), w, a.v0);
            a.v1 = _mm256_fmadd_ps(load_strided(q + 8 * stride, stride), w,
                                   a.v1);
            a.v2 = _mm256_fmadd_ps(load_strided(q + 16 * stride, stride), w,
                                   a.v2);
            a.v3 = _mm256_fmadd_ps(load_strided(q + 24 * stride, stride), w,
                                   a.v3);
        }
    return a;
}

/* The sums of outputs 0 .. count - 1 (1 <= count <= 32) at x, in
 * ceil(count / 8) vectors with masked loads. */
static inline depthwise_sums depthwise_sums_tail(const float *x,
                                                 const om_depthwise_params *p,
                                                 size_t stride, size_t count)
{
    const size_t vectors = (count + 7) / 8;
    const depthwise_masks m0 = depthwise_vector_masks(count, 0, stride);
    const depthwise_masks m1 = depthwise_vector_masks(count, 8, stride);
    const depthwise_masks m2 = depthwise_vector_masks(count, 16, stride);
    const depthwise_masks m3 = depthwise_vector_masks(count, 24, stride);
    depthwise_sums a;
    size_t r, c;

    a.v0 = a.v1 = a.v2 = a.v3 = _mm256_setzero_ps();
    for (r = 0; r < p->kernel_h; r++)
        for (c = 0; c < p->kernel_w; c++) {
            const float *q = x + r * p->row_stride + c * p->dilation;
            const __m256 w =
                _mm256_broadcast_ss(p->weights + r * p->kernel_w + c);
            a.v0 = _mm256_fmadd_ps(depthwise_load_masked(q, stride, &m0), w,
                                   a.v0);
            if (vectors > 1)
                a.v1 = _mm256_fmadd_ps(
                    depthwise_load_masked(q + 8 * stride, stride, &m1), w,
                    a.v1);
            if (vectors > 2)
                a.v2 = _mm256_fmadd_ps(
                    depthwise_load_masked(q + 16 * stride, stride, &m2), w,
                    a.v2);
            if (vectors > 3)
                a.v3 = _mm256_fmadd_ps(
                    depthwise_load_masked(q + 24 * stride, stride, &m3), w,
                    a.v3);
        }
    return a;
}

/* Where the next outputs go: the column of the next output in its row of
 * `pitch`, and the place in y of the next kept one. */
typedef struct depthwise_cursor {
    size_t col;
    float *y;
} depthwise_cursor;

/* Applies the bias and the clamp to the first `lanes` of 8 sums, then
 * stores the kept ones at the cursor, packed together, and moves it on. */
static inline void depthwise_store(__m256 sum, const om_depthwise_params *p,
                                   size_t lanes, depthwise_cursor *at)
{
    /* The value as the second operand keeps NaN. */
    const __m256 v = _mm256_min_ps(
        _mm256_set1_ps(p->hi),
        _mm256_max_ps(_mm256_set1_ps(p->lo),
                      _mm256_add_ps(sum, _mm256_set1_ps(p->bias))));
    float lane[8];
    size_t k;

    if (p->pitch == p->width || at->col + lanes <= p->width) {
        /* Every lane is kept. */
        if (lanes == 8)
            _mm256_storeu_ps(at->y, v);
        else
            _mm256_maskstore_ps(at->y, first_lanes(lanes), v);
        at->y += lanes;
        at->col += lanes;
    } else {
        _mm256_storeu_ps(lane, v);
        for (k = 0; k < lanes; k++) {
            if (at->col < p->width)
                *at->y++ = lane[k];
            if (++at->col == p->pitch)
                at->col = 0;
        }
    }
    while (at->col >= p->pitch)
        at->col -= p->pitch;
}

/* The outputs for one stride (1 or 2), 32 at a time. Inlined per stride,
 * so that load_strided's branch folds away. */
static inline void depthwise_rows(size_t n, const float *x,
                                  const om_depthwise_params *p, size_t stride,
                                  float *y)
{
    /* At stride 2 a whole block needs one more output after it. */
    size_t ahead = stride == 2 ? 1 : 0, j = 0, count;
    depthwise_cursor at;
    depthwise_sums a;

    at.col = 0;
    at.y = y;
    for (; j + 32 + ahead <= n; j += 32) {
        a = depthwise_sums32(x + j * stride, p, stride);
        depthwise_store(a.v0, p, 8, &at);
        depthwise_store(a.v1, p, 8, &at);
        depthwise_store(a.v2, p, 8, &at);
        depthwise_store(a.v3, p, 8, &at);
    }
    for (; j < n; j += count) {
        count = n - j < 32 ? n - j : 32;
        a = depthwise_sums_tail(x + j * stride, p, stride, count);
        depthwise_store(a.v0, p, count < 8 ? count : 8, &at);
        if (count > 8)
            depthwise_store(a.v1, p, count < 16 ? count - 8 : 8, &at);
        if (count > 16)
            depthwise_store(a.v2, p, count < 24 ? count - 16 : 8, &at);
        if (count > 24)
            depthwise_store(a.v3, p, count - 24, &at);
    }
}

/* Stride 2 takes the even lanes of two loads. A vector step reads up to
 * x[2 * i + 15], so it runs only while that is within the input. */
static void f32_copy_strided__avx2(size_t n, const float *x, size_t stride,
                                   float *y)
{
    size_t i = 0;

    if (stride == 1) {
        for (; i + 8 <= n; i += 8)
            _mm256_storeu_ps(y + i, _mm256_loadu_ps(x + i));
    } else if (stride == 2) {
        for (; i + 8 < n; i += 8) {
            /* Even lanes of each 128-bit half, then the halves in order. */
            const __m256 even = _mm256_shuffle_ps(_mm256_loadu_ps(x + 2 * i),
                                                  _mm256_loadu_ps(x + 2 * i + 8),
                                                  _MM_SHUFFLE(2, 0, 2, 0));
            _mm256_storeu_ps(y + i, _mm256_castpd_ps(_mm256_permute4x64_pd(
                                        _mm256_castps_pd(even),
                                        _MM_SHUFFLE(3, 1, 2, 0))));
        }
    }
    for (; i < n; i++)
        y[i] = x[i * stride];
}

static void f32_depthwise_conv_rows__avx2(size_t n, const float *x,
                                          const om_depthwise_params *p,
                                          float *y)
{
    if (p->stride == 1)
        depthwise_rows(n, x, p, 1, y);
    else if (p->stride == 2)
        depthwise_rows(n, x, p, 2, y);
    else
        om_kernels_scalar.f32_depthwise_conv_rows(n, x, p, y);
}

const om_kernels om_kernels_avx2 = {
    "avx2",
    f32_relu__avx2,
    f32_add__avx2,
    f32_max_window__avx2,
    f32_max_pool_tiled__avx2,
    MR,
    NR,
    f32_gemm__avx2,
    8,
    f32_gemm_segments__avx2,
    f32_gemm_nt__avx2,
    f32_copy_strided__avx2,
    f32_depthwise_conv_rows__avx2,
};
