/*
 * sse2.c - kernels for SSE2 (4 floats per register, 16 registers, no
 * FMA), the baseline of every x86-64 CPU.
 */
#include <emmintrin.h>

#include <stdint.h>

#include "kernels/kernels.h"

/* The GEMM tile: 4 rows by 12 columns (three registers) is 12
 * accumulators, with three B registers and one broadcast. */
#define MR 4
#define NR 12

/* How far ahead of its reads the GEMM prefetches packed A: 2 KiB, tuned on
 * ResNet-18, whose weights do not fit in the cache. The address is formed
 * as an integer because it may lie past the end of A, which prefetching
 * allows but pointer arithmetic does not. */
#define PREFETCH_ADDRESS(a) ((const char *)((uintptr_t)(a) + 2048))

static void f32_relu__sse2(size_t n, const float *x, float *y)
{
    const __m128 zero = _mm_setzero_ps();
    size_t i = 0;

    /* max(0, x) returns x when x is NaN: the second operand wins. */
    for (; i + 4 <= n; i += 4)
        _mm_storeu_ps(y + i, _mm_max_ps(zero, _mm_loadu_ps(x + i)));
    for (; i < n; i++)
        y[i] = x[i] < 0.0f ? 0.0f : x[i];
}

static void f32_add__sse2(size_t n, const float *a, size_t step_a,
                          const float *b, size_t step_b, float *y)
{
    size_t i = 0;

    if (step_a == 1 && step_b == 1) {
        for (; i + 4 <= n; i += 4)
            _mm_storeu_ps(y + i,
                          _mm_add_ps(_mm_loadu_ps(a + i), _mm_loadu_ps(b + i)));
    } else if (step_a == 1 || step_b == 1) {
        /* One operand is a single broadcast value. */
        const float *v = step_a == 1 ? a : b;
        const __m128 s = _mm_set1_ps(step_a == 1 ? b[0] : a[0]);
        for (; i + 4 <= n; i += 4)
            _mm_storeu_ps(y + i, _mm_add_ps(_mm_loadu_ps(v + i), s));
    }
    for (; i < n; i++)
        y[i] = a[i * step_a] + b[i * step_b];
}

/* max(y, x) returns x when either is NaN; a NaN already in y is then put
 * back, so it stays. */
static __m128 nan_max(__m128 y, __m128 x)
{
    __m128 nan = _mm_cmpunord_ps(y, y);
    return _mm_or_ps(_mm_and_ps(nan, y), _mm_andnot_ps(nan, _mm_max_ps(y, x)));
}

/* x[0], x[stride], x[2 * stride], x[3 * stride] for stride 1 or 2. */
static __m128 load_strided(const float *x, size_t stride)
{
    if (stride == 1)
        return _mm_loadu_ps(x);
    return _mm_shuffle_ps(_mm_loadu_ps(x), _mm_loadu_ps(x + 4), 0x88);
}

static void f32_max_window__sse2(size_t n, const float *x, size_t row_stride,
                                 size_t rows, size_t cols, size_t stride,
                                 size_t dilation, float *y)
{
    size_t i = 0, r, c;

    /* Full groups of 4 whose last element is not the last of the row, so
     * that the stride-2 loads stay inside it; the rest is scalar. */
    if (stride <= 2)
        for (; i + 4 < n; i += 4) {
            const float *w = x + i * stride;
            __m128 m = load_strided(w, stride);
            for (r = 0; r < rows; r++)
                for (c = 0; c < cols; c++)
                    m = nan_max(m, load_strided(w + r * row_stride + c * dilation,
                                                stride));
            _mm_storeu_ps(y + i, m);
        }
    if (i < n)
        om_kernels_scalar.f32_max_window(n - i, x + i * stride, row_stride,
                                         rows, cols, stride, dilation, y + i);
}

/* The maxima down `rows` window rows (row_stride floats apart) of the 4
 * floats at x, folded in ascending rows. */
static inline __m128 column_max(const float *x, size_t row_stride,
                                size_t rows)
{
    __m128 m = _mm_loadu_ps(x);
    size_t r;

    for (r = 1; r < rows; r++)
        m = nan_max(m, _mm_loadu_ps(x + r * row_stride));
    return m;
}

/* The maxima of 4 windows of kernel_w columns (1 to 4) at w: the column
 * maxima of the 4 * kernel_w floats first, then the columns of each
 * window are gathered into lanes by shuffles. */
static inline __m128 pool_group(const float *w, size_t row_stride,
                                size_t rows, size_t kernel_w)
{
    __m128 v[4], u, t;
    size_t k;

    for (k = 0; k < kernel_w; k++)
        v[k] = column_max(w + 4 * k, row_stride, rows);
    switch (kernel_w) {
    case 1:
        return v[0];
    case 2:
        return nan_max(_mm_shuffle_ps(v[0], v[1], _MM_SHUFFLE(2, 0, 2, 0)),
                       _mm_shuffle_ps(v[0], v[1], _MM_SHUFFLE(3, 1, 3, 1)));
    case 3: {
        /* Column c of output i is float 3 * i + c: floats 0 3 6 9, then
         * 1 4 7 10, then 2 5 8 11. */
        __m128 column0, column1, column2;
        u = _mm_shuffle_ps(v[1], v[2], _MM_SHUFFLE(0, 1, 0, 2));
        column0 = _mm_shuffle_ps(v[0], u, _MM_SHUFFLE(2, 0, 3, 0));
        t = _mm_shuffle_ps(v[0], v[1], _MM_SHUFFLE(0, 0, 0, 1));
        u = _mm_shuffle_ps(v[1], v[2], _MM_SHUFFLE(0, 2, 0, 3));
        column1 = _mm_shuffle_ps(t, u, _MM_SHUFFLE(2, 0, 2, 0));
        t = _mm_shuffle_ps(v[0], v[1], _MM_SHUFFLE(0, 1, 0, 2));
        column2 = _mm_shuffle_ps(t, v[2], _MM_SHUFFLE(3, 0, 2, 0));
        return nan_max(nan_max(column0, column1), column2);
    }
    default:
        /* Each register contains the columns of one window, and the
         * transpose gives register c column c of the four windows. */
        _MM_TRANSPOSE4_PS(v[0], v[1], v[2], v[3]);
        return nan_max(nan_max(nan_max(v[0], v[1]), v[2]), v[3]);
    }
}

/* Computes every pooling row of the call for one kernel_w and kernel_h
 * (0 to read it from p). It is inlined per value, so that pool_group's
 * loops and switch fold away. The parameters are copied into locals
 * because the compiler must assume that the stores to y may change *p. Rows of 4 outputs or more end with a group that overlaps the one
 * before it, and shorter rows go to the scalar table. */
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
            if (out_w < 4) {
                om_max_pool_tiled_params one_row = *p;
                one_row.planes = 1;
                one_row.out_h = 1;
                om_kernels_scalar.f32_max_pool_tiled(row, &one_row, out);
                continue;
            }
            for (j = 0; j + 4 <= out_w; j += 4)
                _mm_storeu_ps(out + j,
                              pool_group(row + j * kernel_w, x_window_row,
                                         rows, kernel_w));
            if (j < out_w) {
                j = out_w - 4;
                _mm_storeu_ps(out + j,
                              pool_group(row + j * kernel_w, x_window_row,
                                         rows, kernel_w));
            }
        }
}

static void f32_max_pool_tiled__sse2(const float *x,
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

static void gemm_tile(size_t k, const float *a, const float *b,
                      const size_t *b_rows, float *c, size_t ldc, size_t rows,
                      size_t cols, size_t i0, size_t j0,
                      const om_gemm_epilogue *ep)
{
    __m128 acc[MR][3];
    size_t p, i, j;

    /* Main loop: per k, three loads of B and four broadcasts of A. The
     * product is rounded before the sum, as there is no FMA. */
    {
        __m128 c00 = _mm_setzero_ps(), c01 = _mm_setzero_ps(),
               c02 = _mm_setzero_ps();
        __m128 c10 = _mm_setzero_ps(), c11 = _mm_setzero_ps(),
               c12 = _mm_setzero_ps();
        __m128 c20 = _mm_setzero_ps(), c21 = _mm_setzero_ps(),
               c22 = _mm_setzero_ps();
        __m128 c30 = _mm_setzero_ps(), c31 = _mm_setzero_ps(),
               c32 = _mm_setzero_ps();
        for (p = 0; p < k; p++, a += MR) {
            const float *row = b + b_rows[p];
            /* Large weights stream from memory: ask for A early. */
            _mm_prefetch(PREFETCH_ADDRESS(a), _MM_HINT_T0);
            const __m128 b0 = _mm_loadu_ps(row), b1 = _mm_loadu_ps(row + 4),
                         b2 = _mm_loadu_ps(row + 8);
            __m128 av;
            av = _mm_set1_ps(a[0]);
            c00 = _mm_add_ps(c00, _mm_mul_ps(av, b0));
            c01 = _mm_add_ps(c01, _mm_mul_ps(av, b1));
            c02 = _mm_add_ps(c02, _mm_mul_ps(av, b2));
            av = _mm_set1_ps(a[1]);
            c10 = _mm_add_ps(c10, _mm_mul_ps(av, b0));
            c11 = _mm_add_ps(c11, _mm_mul_ps(av, b1));
            c12 = _mm_add_ps(c12, _mm_mul_ps(av, b2));
            av = _mm_set1_ps(a[2]);
            c20 = _mm_add_ps(c20, _mm_mul_ps(av, b0));
            c21 = _mm_add_ps(c21, _mm_mul_ps(av, b1));
            c22 = _mm_add_ps(c22, _mm_mul_ps(av, b2));
            av = _mm_set1_ps(a[3]);
            c30 = _mm_add_ps(c30, _mm_mul_ps(av, b0));
            c31 = _mm_add_ps(c31, _mm_mul_ps(av, b1));
            c32 = _mm_add_ps(c32, _mm_mul_ps(av, b2));
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
                _mm_storeu_ps(tile + i * NR + j * 4, acc[i][j]);
        om_gemm_store_tile(tile, NR, rows, cols, i0, j0, ep, c, ldc);
        return;
    }
    {
        const __m128 lo = _mm_set1_ps(ep->lo), hi = _mm_set1_ps(ep->hi);
        for (i = 0; i < MR; i++)
            for (j = 0; j < 3; j++) {
                __m128 v = acc[i][j];
                if (ep->bias_m)
                    v = _mm_add_ps(v, _mm_set1_ps(ep->bias_m[i0 + i]));
                if (ep->bias_n)
                    v = _mm_add_ps(v, _mm_loadu_ps(ep->bias_n + j0 + j * 4));
                /* The value as the second operand keeps NaN. */
                v = _mm_min_ps(hi, _mm_max_ps(lo, v));
                _mm_storeu_ps(c + i * ldc + j * 4, v);
            }
    }
}

static void f32_gemm__sse2(size_t m, size_t n, size_t k,
                          const float *a_packed, const float *b,
                          const size_t *b_rows, size_t b_tile_stride,
                          float *c, size_t ldc, const om_gemm_epilogue *ep)
{
    size_t i0, j0;

    for (i0 = 0; i0 < m; i0 += MR)
        for (j0 = 0; j0 < n; j0 += NR)
            gemm_tile(k, a_packed + i0 * k, b + j0 / NR * b_tile_stride,
                      b_rows, c + i0 * ldc + j0, ldc,
                      m - i0 < MR ? m - i0 : MR, n - j0 < NR ? n - j0 : NR,
                      i0, j0, ep);
}

/* Where the next outputs go: the column of the next output in its row of
 * `pitch`, and the place in y of the next kept one. */
typedef struct depthwise_cursor {
    size_t col;
    float *y;
} depthwise_cursor;

/* Applies the bias and the clamp to 4 sums, then stores the kept ones at
 * the cursor, packed together, and moves it on. */
static inline void depthwise_store(__m128 sum, const om_depthwise_params *p,
                                   depthwise_cursor *at)
{
    /* The value as the second operand keeps NaN. */
    const __m128 v =
        _mm_min_ps(_mm_set1_ps(p->hi),
                   _mm_max_ps(_mm_set1_ps(p->lo),
                              _mm_add_ps(sum, _mm_set1_ps(p->bias))));
    float lane[4];
    size_t k;

    if (p->pitch == p->width || at->col + 4 <= p->width) {
        _mm_storeu_ps(at->y, v);
        at->y += 4;
        at->col += 4;
    } else {
        _mm_storeu_ps(lane, v);
        for (k = 0; k < 4; k++) {
            if (at->col < p->width)
                *at->y++ = lane[k];
            if (++at->col == p->pitch)
                at->col = 0;
        }
    }
    while (at->col >= p->pitch)
        at->col -= p->pitch;
}

/* Outputs 0 .. 15 at x: four accumulators share each broadcast weight.
 * The product is rounded before the sum, as in the scalar kernel. At
 * stride 2 the loads read one float past the last window, so output 16
 * must exist. */
static inline void depthwise_block16(const float *x,
                                     const om_depthwise_params *p,
                                     size_t stride, depthwise_cursor *at)
{
    __m128 a0 = _mm_setzero_ps(), a1 = _mm_setzero_ps();
    __m128 a2 = _mm_setzero_ps(), a3 = _mm_setzero_ps();
    size_t r, c;

    for (r = 0; r < p->kernel_h; r++)
        for (c = 0; c < p->kernel_w; c++) {
            const float *q = x + r * p->row_stride + c * p->dilation;
            const __m128 w = _mm_set1_ps(p->weights[r * p->kernel_w + c]);
            const __m128 x0 = load_strided(q, stride);
            const __m128 x1 = load_strided(q + 4 * stride, stride);
            const __m128 x2 = load_strided(q + 8 * stride, stride);
            const __m128 x3 = load_strided(q + 12 * stride, stride);
            a0 = _mm_add_ps(a0, _mm_mul_ps(x0, w));
            a1 = _mm_add_ps(a1, _mm_mul_ps(x1, w));
            a2 = _mm_add_ps(a2, _mm_mul_ps(x2, w));
            a3 = _mm_add_ps(a3, _mm_mul_ps(x3, w));
        }
    depthwise_store(a0, p, at);
    depthwise_store(a1, p, at);
    depthwise_store(a2, p, at);
    depthwise_store(a3, p, at);
}

/* Outputs 0 .. 3 at x, with the same read rule as depthwise_block16. */
static inline void depthwise_block4(const float *x,
                                    const om_depthwise_params *p,
                                    size_t stride, depthwise_cursor *at)
{
    __m128 acc = _mm_setzero_ps();
    size_t r, c;

    for (r = 0; r < p->kernel_h; r++)
        for (c = 0; c < p->kernel_w; c++) {
            const __m128 v =
                load_strided(x + r * p->row_stride + c * p->dilation, stride);
            const __m128 w = _mm_set1_ps(p->weights[r * p->kernel_w + c]);
            acc = _mm_add_ps(acc, _mm_mul_ps(v, w));
        }
    depthwise_store(acc, p, at);
}

/* Outputs j .. n - 1 one at a time, with the scalar kernel's arithmetic:
 * the last ones, and every one of a stride above 2. */
static void depthwise_scalar(size_t j, size_t n, const float *x,
                             const om_depthwise_params *p,
                             depthwise_cursor *at)
{
    size_t r, c;

    for (; j < n; j++) {
        const float *window = x + j * p->stride;
        float sum = 0.0f;

        if (at->col < p->width) {
            for (r = 0; r < p->kernel_h; r++)
                for (c = 0; c < p->kernel_w; c++)
                    sum += window[r * p->row_stride + c * p->dilation] *
                           p->weights[r * p->kernel_w + c];
            /* v < lo ? lo : v, then v > hi ? hi : v: NaN passes. */
            sum += p->bias;
            sum = sum < p->lo ? p->lo : sum;
            *at->y++ = sum > p->hi ? p->hi : sum;
        }
        if (++at->col == p->pitch)
            at->col = 0;
    }
}

/* The vector part for one stride (1 or 2); returns the number of outputs
 * done. Inlined per stride, so that load_strided's branch folds away. */
static inline size_t depthwise_rows(size_t n, const float *x,
                                    const om_depthwise_params *p,
                                    size_t stride, depthwise_cursor *at)
{
    /* At stride 2 a whole block needs one more output after it. */
    size_t ahead = stride == 2 ? 1 : 0, j = 0;

    for (; j + 16 + ahead <= n; j += 16)
        depthwise_block16(x + j * stride, p, stride, at);
    for (; j + 4 + ahead <= n; j += 4)
        depthwise_block4(x + j * stride, p, stride, at);
    return j;
}

/* Eight dot products of length k, four lanes each. Lane l sums the
 * products at p = l, l + 4, ..., and the last k % 4 go through a
 * zero-padded copy, so nothing past the rows is read. */
static void gemm_nt_row__sse2(size_t k, const float *a,
                              const float *const b[8], float sums[8])
{
    __m128 s[8];
    size_t p = 0, j;

    for (j = 0; j < 8; j++)
        s[j] = _mm_setzero_ps();
    for (; p + 4 <= k; p += 4) {
        const __m128 x = _mm_loadu_ps(a + p);
        for (j = 0; j < 8; j++)
            s[j] = _mm_add_ps(s[j], _mm_mul_ps(x, _mm_loadu_ps(b[j] + p)));
    }
    if (p < k) {
        float xa[4] = {0.0f}, xb[4] = {0.0f};
        __m128 x;
        size_t t;
        for (t = 0; t < k - p; t++)
            xa[t] = a[p + t];
        x = _mm_loadu_ps(xa);
        for (j = 0; j < 8; j++) {
            for (t = 0; t < k - p; t++)
                xb[t] = b[j][p + t];
            s[j] = _mm_add_ps(s[j], _mm_mul_ps(x, _mm_loadu_ps(xb)));
        }
    }
    for (j = 0; j < 8; j++) {
        __m128 v = _mm_add_ps(s[j], _mm_movehl_ps(s[j], s[j]));
        v = _mm_add_ss(v, _mm_shuffle_ps(v, v, 1));
        sums[j] = _mm_cvtss_f32(v);
    }
}

static void f32_gemm_nt__sse2(size_t m, size_t n, size_t k, const float *a,
                              size_t lda, const float *bt, size_t ldb,
                              float *c, size_t ldc, const om_gemm_epilogue *ep)
{
    om_gemm_nt_rows(m, n, k, a, lda, bt, ldb, c, ldc, ep, gemm_nt_row__sse2);
}

/* Stride 2 takes the even lanes of two loads. A vector step reads up to
 * x[2 * i + 7], so it runs only while that is within the input. */
static void f32_copy_strided__sse2(size_t n, const float *x, size_t stride,
                                   float *y)
{
    size_t i = 0;

    if (stride == 1) {
        for (; i + 4 <= n; i += 4)
            _mm_storeu_ps(y + i, _mm_loadu_ps(x + i));
    } else if (stride == 2) {
        for (; i + 4 < n; i += 4)
            _mm_storeu_ps(y + i, _mm_shuffle_ps(_mm_loadu_ps(x + 2 * i),
                                                _mm_loadu_ps(x + 2 * i + 4),
                                                _MM_SHUFFLE(2, 0, 2, 0)));
    }
    for (; i < n; i++)
        y[i] = x[i * stride];
}

static void f32_depthwise_conv_rows__sse2(size_t n, const float *x,
                                          const om_depthwise_params *p,
                                          float *y)
{
    depthwise_cursor at;
    size_t j = 0;

    at.col = 0;
    at.y = y;
    if (p->stride == 1)
        j = depthwise_rows(n, x, p, 1, &at);
    else if (p->stride == 2)
        j = depthwise_rows(n, x, p, 2, &at);
    depthwise_scalar(j, n, x, p, &at);
}

const om_kernels om_kernels_sse2 = {
    "sse2",
    f32_relu__sse2,
    f32_add__sse2,
    f32_max_window__sse2,
    f32_max_pool_tiled__sse2,
    MR,
    NR,
    f32_gemm__sse2,
    0,
    NULL,
    f32_gemm_nt__sse2,
    f32_copy_strided__sse2,
    f32_depthwise_conv_rows__sse2,
};
