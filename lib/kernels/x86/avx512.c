/*
 * avx512.c - kernels for AVX-512F (16 floats per register, 32 registers).
 * Built with -mavx512f -mfma; dispatch.c uses them only when the CPU and
 * the operating system support AVX-512.
 */
#include <immintrin.h>

#include <stdint.h>

#include "kernels/kernels.h"

/* The GEMM tile: 8 rows by 32 columns (two registers) is 16 accumulators,
 * enough independent FMAs to hide their latency, with registers to spare. */
#define MR 8
#define NR 32

/* How far ahead of its reads the GEMM prefetches packed A: 2 KiB, tuned on
 * ResNet-18, whose weights do not fit in the cache. The address is formed
 * as an integer because it may lie past the end of A, which prefetching
 * allows but pointer arithmetic does not. */
#define PREFETCH_ADDRESS(a) ((const char *)((uintptr_t)(a) + 2048))

/* The first n lanes, n <= 16. */
static __mmask16 tail_mask(size_t n)
{
    return (__mmask16)((1u << n) - 1u);
}

static void f32_relu__avx512(size_t n, const float *x, float *y)
{
    const __m512 zero = _mm512_setzero_ps();
    size_t i = 0;

    /* max(0, x) returns x when x is NaN: the second operand wins. */
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(y + i, _mm512_max_ps(zero, _mm512_loadu_ps(x + i)));
    if (i < n) {
        __mmask16 m = tail_mask(n - i);
        _mm512_mask_storeu_ps(y + i, m,
                              _mm512_max_ps(zero, _mm512_maskz_loadu_ps(m, x + i)));
    }
}

static void f32_add__avx512(size_t n, const float *a, size_t step_a,
                            const float *b, size_t step_b, float *y)
{
    size_t i = 0;

    if (step_a == 1 && step_b == 1) {
        for (; i + 16 <= n; i += 16)
            _mm512_storeu_ps(y + i, _mm512_add_ps(_mm512_loadu_ps(a + i),
                                                  _mm512_loadu_ps(b + i)));
        if (i < n) {
            __mmask16 m = tail_mask(n - i);
            _mm512_mask_storeu_ps(y + i, m,
                                  _mm512_add_ps(_mm512_maskz_loadu_ps(m, a + i),
                                                _mm512_maskz_loadu_ps(m, b + i)));
        }
        return;
    }
    if (step_a == 1 || step_b == 1) {
        /* One operand is a single broadcast value. */
        const float *v = step_a == 1 ? a : b;
        const __m512 s = _mm512_set1_ps(step_a == 1 ? b[0] : a[0]);
        for (; i + 16 <= n; i += 16)
            _mm512_storeu_ps(y + i, _mm512_add_ps(_mm512_loadu_ps(v + i), s));
        if (i < n) {
            __mmask16 m = tail_mask(n - i);
            _mm512_mask_storeu_ps(y + i, m,
                                  _mm512_add_ps(_mm512_maskz_loadu_ps(m, v + i), s));
        }
        return;
    }
    for (; i < n; i++)
        y[i] = a[0] + b[0];
}

/* max(y, x) returns x when either is NaN; a NaN already in y is then put
 * back, so it stays. */
static __m512 nan_max(__m512 y, __m512 x)
{
    __m512 r = _mm512_max_ps(y, x);
    return _mm512_mask_mov_ps(r, _mm512_cmp_ps_mask(y, y, _CMP_UNORD_Q), y);
}

/* 16 elements x[0], x[stride], ... for stride 1 or 2, of which the first
 * `count` are loaded and the rest are zero; nothing past them is read. */
static __m512 load_strided(const float *x, size_t stride, size_t count)
{
    static const int even[16] = {0,  2,  4,  6,  8,  10, 12, 14,
                                 16, 18, 20, 22, 24, 26, 28, 30};
    size_t span;
    __m512 lo, hi;

    if (stride == 1)
        return count >= 16 ? _mm512_loadu_ps(x)
                           : _mm512_maskz_loadu_ps(tail_mask(count), x);
    span = 2 * count - 1;
    lo = _mm512_maskz_loadu_ps(span >= 16 ? (__mmask16)0xFFFF : tail_mask(span),
                               x);
    hi = _mm512_maskz_loadu_ps(span >= 32   ? (__mmask16)0xFFFF
                               : span > 16 ? tail_mask(span - 16)
                                           : (__mmask16)0,
                               x + 16);
    return _mm512_permutex2var_ps(lo, _mm512_loadu_si512(even), hi);
}

static void f32_max_window__avx512(size_t n, const float *x, size_t row_stride,
                                   size_t rows, size_t cols, size_t stride,
                                   size_t dilation, float *y)
{
    size_t i, r, c;

    if (stride > 2 && dilation == 1 && cols <= 16) {
        /* Larger strides: a chunk of `per` outputs spans at most 16 input
         * columns. The window rows are reduced first, lane by lane; then
         * each kernel column picks its lanes with a permutation. */
        size_t per = (16 - cols) / stride + 1;
        int idx[16][16];
        for (c = 0; c < cols; c++)
            for (r = 0; r < 16; r++)
                idx[c][r] = r < per ? (int)(r * stride + c) : 0;
        for (i = 0; i < n; i += per) {
            size_t count = n - i < per ? n - i : per;
            __mmask16 m = tail_mask((count - 1) * stride + cols);
            const float *w = x + i * stride;
            __m512 v = _mm512_maskz_loadu_ps(m, w), out;
            for (r = 1; r < rows; r++)
                v = nan_max(v, _mm512_maskz_loadu_ps(m, w + r * row_stride));
            out = _mm512_permutexvar_ps(_mm512_loadu_si512(idx[0]), v);
            for (c = 1; c < cols; c++)
                out = nan_max(out, _mm512_permutexvar_ps(
                                       _mm512_loadu_si512(idx[c]), v));
            _mm512_mask_storeu_ps(y + i, tail_mask(count), out);
        }
        return;
    }
    if (stride > 2) {
        /* Other cases would need gathers, which cost more than they save
         * here. */
        om_kernels_scalar.f32_max_window(n, x, row_stride, rows, cols, stride,
                                         dilation, y);
        return;
    }
    for (i = 0; i < n; i += 16) {
        size_t count = n - i < 16 ? n - i : 16;
        const float *w = x + i * stride;
        __m512 m = load_strided(w, stride, count);
        for (r = 0; r < rows; r++)
            for (c = 0; c < cols; c++)
                m = nan_max(m, load_strided(w + r * row_stride + c * dilation,
                                            stride, count));
        _mm512_mask_storeu_ps(y + i, tail_mask(count), m);
    }
}

/* Returns the mask of the lanes of floats start .. start + 15 that lie
 * below `end`. */
static __mmask16 lanes_below(size_t end, size_t start)
{
    if (end <= start)
        return 0;
    return end - start >= 16 ? (__mmask16)0xFFFF : tail_mask(end - start);
}

/* The maxima down `rows` window rows (row_stride floats apart) of the 16
 * floats at x, folded in ascending rows. Lanes outside `mask` are zero and
 * read nothing. */
static inline __m512 column_max(const float *x, size_t row_stride,
                                size_t rows, __mmask16 mask)
{
    __m512 m = _mm512_maskz_loadu_ps(mask, x);
    size_t r;

    for (r = 1; r < rows; r++)
        m = nan_max(m, _mm512_maskz_loadu_ps(mask, x + r * row_stride));
    return m;
}

/* The maxima of `count` (1 to 16) windows of kernel_w columns (1 to 4) at
 * w: the column maxima of the kernel_w * count floats first, then lane i
 * of column c takes column maximum kernel_w * i + c by a permutation. */
static inline __m512 pool_group(const float *w, size_t row_stride,
                                size_t rows, size_t kernel_w, size_t count)
{
    /* Entry i of row c is kernel_w * i + c, for kernel_w 2, 3 and 4. A
     * two-source permutation reads the 5 low bits of an entry, and a
     * one-source one the 4 low bits. */
    static const int index2[2][16] = {
        {0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30},
        {1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31}};
    static const int index3[3][16] = {
        {0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 33, 36, 39, 42, 45},
        {1, 4, 7, 10, 13, 16, 19, 22, 25, 28, 31, 34, 37, 40, 43, 46},
        {2, 5, 8, 11, 14, 17, 20, 23, 26, 29, 32, 35, 38, 41, 44, 47}};
    /* The lanes of each row of index3 whose entry is 32 or more. */
    static const __mmask16 past32[3] = {0xF800, 0xF800, 0xFC00};
    static const int index4[4][16] = {
        {0, 4, 8, 12, 16, 20, 24, 28, 0, 4, 8, 12, 16, 20, 24, 28},
        {1, 5, 9, 13, 17, 21, 25, 29, 1, 5, 9, 13, 17, 21, 25, 29},
        {2, 6, 10, 14, 18, 22, 26, 30, 2, 6, 10, 14, 18, 22, 26, 30},
        {3, 7, 11, 15, 19, 23, 27, 31, 3, 7, 11, 15, 19, 23, 27, 31}};
    const size_t span = kernel_w * count;
    __m512 v[4], m = _mm512_setzero_ps(), column;
    size_t k, c;

    /* Registers past the span, in groups at the end of a row, stay
     * zero; their lanes are never stored. */
    for (k = 0; k < kernel_w; k++)
        v[k] = 16 * k < span ? column_max(w + 16 * k, row_stride, rows,
                                          lanes_below(span, 16 * k))
                             : _mm512_setzero_ps();
    for (c = 0; c < kernel_w; c++) {
        switch (kernel_w) {
        case 1:
            column = v[0];
            break;
        case 2:
            column = _mm512_permutex2var_ps(
                v[0], _mm512_loadu_si512(index2[c]), v[1]);
            break;
        case 3: {
            __m512i index = _mm512_loadu_si512(index3[c]);
            column = _mm512_permutex2var_ps(v[0], index, v[1]);
            column = _mm512_mask_permutexvar_ps(column, past32[c], index,
                                                v[2]);
            break;
        }
        default: {
            __m512i index = _mm512_loadu_si512(index4[c]);
            column = _mm512_mask_blend_ps(
                (__mmask16)0xFF00, _mm512_permutex2var_ps(v[0], index, v[1]),
                _mm512_permutex2var_ps(v[2], index, v[3]));
            break;
        }
        }
        m = c == 0 ? column : nan_max(m, column);
    }
    return m;
}

/* Computes every pooling row of the call for one kernel_w and kernel_h
 * (0 to read it from p). It is inlined per value, so that pool_group's
 * loops and switch fold away. The parameters are copied into locals
 * because the compiler must assume that the stores to y may change *p. */
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
            for (j = 0; j + 16 <= out_w; j += 16)
                _mm512_storeu_ps(out + j,
                                 pool_group(row + j * kernel_w, x_window_row,
                                            rows, kernel_w, 16));
            if (j < out_w)
                _mm512_mask_storeu_ps(out + j, tail_mask(out_w - j),
                                      pool_group(row + j * kernel_w,
                                                 x_window_row, rows,
                                                 kernel_w, out_w - j));
        }
}

static void f32_max_pool_tiled__avx512(const float *x,
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
 * the 16 floats at bv + b_rows[p], with b0 for v = 0 and b1 for v = 1. */
static inline void gemm_sums(size_t k, const float *a, const float *b0,
                             const float *b1, const size_t *b_rows,
                             __m512 acc[MR][2])
{
    size_t p;

    /* Main loop: per k, two loads of B and eight broadcasts of A. */
    __m512 c00 = _mm512_setzero_ps(), c01 = _mm512_setzero_ps();
    __m512 c10 = _mm512_setzero_ps(), c11 = _mm512_setzero_ps();
    __m512 c20 = _mm512_setzero_ps(), c21 = _mm512_setzero_ps();
    __m512 c30 = _mm512_setzero_ps(), c31 = _mm512_setzero_ps();
    __m512 c40 = _mm512_setzero_ps(), c41 = _mm512_setzero_ps();
    __m512 c50 = _mm512_setzero_ps(), c51 = _mm512_setzero_ps();
    __m512 c60 = _mm512_setzero_ps(), c61 = _mm512_setzero_ps();
    __m512 c70 = _mm512_setzero_ps(), c71 = _mm512_setzero_ps();
    for (p = 0; p < k; p++, a += MR) {
        const size_t r = b_rows[p];
        /* Large weights stream from memory: ask for A early. */
        _mm_prefetch(PREFETCH_ADDRESS(a), _MM_HINT_T0);
        const __m512 v0 = _mm512_loadu_ps(b0 + r), v1 = _mm512_loadu_ps(b1 + r);
        __m512 av;
        av = _mm512_set1_ps(a[0]);
        c00 = _mm512_fmadd_ps(av, v0, c00);
        c01 = _mm512_fmadd_ps(av, v1, c01);
        av = _mm512_set1_ps(a[1]);
        c10 = _mm512_fmadd_ps(av, v0, c10);
        c11 = _mm512_fmadd_ps(av, v1, c11);
        av = _mm512_set1_ps(a[2]);
        c20 = _mm512_fmadd_ps(av, v0, c20);
        c21 = _mm512_fmadd_ps(av, v1, c21);
        av = _mm512_set1_ps(a[3]);
        c30 = _mm512_fmadd_ps(av, v0, c30);
        c31 = _mm512_fmadd_ps(av, v1, c31);
        av = _mm512_set1_ps(a[4]);
        c40 = _mm512_fmadd_ps(av, v0, c40);
        c41 = _mm512_fmadd_ps(av, v1, c41);
        av = _mm512_set1_ps(a[5]);
        c50 = _mm512_fmadd_ps(av, v0, c50);
        c51 = _mm512_fmadd_ps(av, v1, c51);
        av = _mm512_set1_ps(a[6]);
        c60 = _mm512_fmadd_ps(av, v0, c60);
        c61 = _mm512_fmadd_ps(av, v1, c61);
        av = _mm512_set1_ps(a[7]);
        c70 = _mm512_fmadd_ps(av, v0, c70);
        c71 = _mm512_fmadd_ps(av, v1, c71);
    }
    acc[0][0] = c00, acc[0][1] = c01, acc[1][0] = c10, acc[1][1] = c11;
    acc[2][0] = c20, acc[2][1] = c21, acc[3][0] = c30, acc[3][1] = c31;
    acc[4][0] = c40, acc[4][1] = c41, acc[5][0] = c50, acc[5][1] = c51;
    acc[6][0] = c60, acc[6][1] = c61, acc[7][0] = c70, acc[7][1] = c71;
}

/* Stores rows [0, rows) of a tile's sums as rows i0 .. of C. Vector v of
 * row i goes to out_v + i * ldc, masked by mask_v, after the row bias,
 * the column biases (bias_n, NULL for none) and the clamp. */
static inline void store_tile(__m512 acc[MR][2], size_t rows, size_t i0,
                              const om_gemm_epilogue *ep,
                              const __m512 *bias_n, float *out0, float *out1,
                              size_t ldc, __mmask16 mask0, __mmask16 mask1)
{
    const __m512 lo = _mm512_set1_ps(ep->lo), hi = _mm512_set1_ps(ep->hi);
    size_t i;

    for (i = 0; i < rows; i++) {
        __m512 v0 = acc[i][0], v1 = acc[i][1];
        if (ep->bias_m) {
            const __m512 bm = _mm512_set1_ps(ep->bias_m[i0 + i]);
            v0 = _mm512_add_ps(v0, bm);
            v1 = _mm512_add_ps(v1, bm);
        }
        if (bias_n) {
            v0 = _mm512_add_ps(v0, bias_n[0]);
            v1 = _mm512_add_ps(v1, bias_n[1]);
        }
        /* The value as the second operand keeps NaN. */
        v0 = _mm512_min_ps(hi, _mm512_max_ps(lo, v0));
        v1 = _mm512_min_ps(hi, _mm512_max_ps(lo, v1));
        _mm512_mask_storeu_ps(out0 + i * ldc, mask0, v0);
        _mm512_mask_storeu_ps(out1 + i * ldc, mask1, v1);
    }
}

static void gemm_tile(size_t k, const float *a, const float *b,
                      const size_t *b_rows, float *c, size_t ldc, size_t rows,
                      size_t cols, size_t i0, size_t j0,
                      const om_gemm_epilogue *ep)
{
    /* Masked stores for a partial tile. */
    const __mmask16 m0 = cols >= 16 ? (__mmask16)0xFFFF : tail_mask(cols);
    const __mmask16 m1 = cols >= 32   ? (__mmask16)0xFFFF
                         : cols > 16 ? tail_mask(cols - 16)
                                     : (__mmask16)0;
    __m512 acc[MR][2], bias_n[2];

    gemm_sums(k, a, b, b + 16, b_rows, acc);
    if (ep->bias_n) {
        bias_n[0] = _mm512_maskz_loadu_ps(m0, ep->bias_n + j0);
        bias_n[1] = _mm512_maskz_loadu_ps(m1, ep->bias_n + j0 + 16);
    }
    store_tile(acc, rows, i0, ep, ep->bias_n ? bias_n : NULL, c, c + 16, ldc,
               m0, m1);
}

/* One row of C for four panels of B (128 columns): for m of 1 or 2 (a
 * MatMul of one vector), where an 8-row tile would spend most of its work
 * on zero rows. The row's A values are a[p * MR]. */
static void gemm_row4(size_t k, const float *a, const float *b,
                      const size_t *b_rows, size_t b_tile_stride, float *c,
                      size_t i, size_t j0, const om_gemm_epilogue *ep)
{
    __m512 acc[8];
    const __m512 lo = _mm512_set1_ps(ep->lo), hi = _mm512_set1_ps(ep->hi);
    size_t p, t;

    {
        __m512 c0 = _mm512_setzero_ps(), c1 = _mm512_setzero_ps();
        __m512 c2 = _mm512_setzero_ps(), c3 = _mm512_setzero_ps();
        __m512 c4 = _mm512_setzero_ps(), c5 = _mm512_setzero_ps();
        __m512 c6 = _mm512_setzero_ps(), c7 = _mm512_setzero_ps();
        const float *b0 = b, *b1 = b + b_tile_stride;
        const float *b2 = b + 2 * b_tile_stride, *b3 = b + 3 * b_tile_stride;
        for (p = 0; p < k; p++) {
            const __m512 av = _mm512_set1_ps(a[p * MR]);
            const size_t r = b_rows[p];
            c0 = _mm512_fmadd_ps(av, _mm512_loadu_ps(b0 + r), c0);
            c1 = _mm512_fmadd_ps(av, _mm512_loadu_ps(b0 + r + 16), c1);
            c2 = _mm512_fmadd_ps(av, _mm512_loadu_ps(b1 + r), c2);
            c3 = _mm512_fmadd_ps(av, _mm512_loadu_ps(b1 + r + 16), c3);
            c4 = _mm512_fmadd_ps(av, _mm512_loadu_ps(b2 + r), c4);
            c5 = _mm512_fmadd_ps(av, _mm512_loadu_ps(b2 + r + 16), c5);
            c6 = _mm512_fmadd_ps(av, _mm512_loadu_ps(b3 + r), c6);
            c7 = _mm512_fmadd_ps(av, _mm512_loadu_ps(b3 + r + 16), c7);
        }
        acc[0] = c0, acc[1] = c1, acc[2] = c2, acc[3] = c3;
        acc[4] = c4, acc[5] = c5, acc[6] = c6, acc[7] = c7;
    }

    /* The same epilogue as a full tile's, for 128 whole columns. */
    for (t = 0; t < 8; t++) {
        __m512 v = acc[t];
        if (ep->bias_m)
            v = _mm512_add_ps(v, _mm512_set1_ps(ep->bias_m[i]));
        if (ep->bias_n)
            v = _mm512_add_ps(v, _mm512_loadu_ps(ep->bias_n + j0 + 16 * t));
        v = _mm512_min_ps(hi, _mm512_max_ps(lo, v));
        _mm512_storeu_ps(c + 16 * t, v);
    }
}

static void f32_gemm__avx512(size_t m, size_t n, size_t k,
                          const float *a_packed, const float *b,
                          const size_t *b_rows, size_t b_tile_stride,
                          float *c, size_t ldc, const om_gemm_epilogue *ep)
{
    size_t i0, j0, i;

    /* A vector times a matrix: one row at a time, four panels at once;
     * the columns past the last whole group of four take the tile path. */
    if (m <= 2 && n >= 4 * NR) {
        size_t whole = n / (4 * NR) * (4 * NR);
        for (i = 0; i < m; i++)
            for (j0 = 0; j0 < whole; j0 += 4 * NR)
                gemm_row4(k, a_packed + i, b + j0 / NR * b_tile_stride, b_rows,
                          b_tile_stride, c + i * ldc + j0, i, j0, ep);
        for (j0 = whole; j0 < n; j0 += NR)
            gemm_tile(k, a_packed, b + j0 / NR * b_tile_stride, b_rows,
                      c + j0, ldc, m, n - j0 < NR ? n - j0 : NR, 0, j0, ep);
        return;
    }

    /* One A block stays in L1 while the B panels stream past it. */
    for (i0 = 0; i0 < m; i0 += MR)
        for (j0 = 0; j0 < n; j0 += NR)
            gemm_tile(k, a_packed + i0 * k, b + j0 / NR * b_tile_stride,
                      b_rows, c + i0 * ldc + j0, ldc,
                      m - i0 < MR ? m - i0 : MR, n - j0 < NR ? n - j0 : NR,
                      i0, j0, ep);
}

/* Eight dot products of length k. Lane l of each accumulator sums the
 * products at p = l, l + 16, ..., and a masked load takes the last k % 16. */
static void gemm_nt_row__avx512(size_t k, const float *a,
                                const float *const b[8], float sums[8])
{
    __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
    __m512 s2 = _mm512_setzero_ps(), s3 = _mm512_setzero_ps();
    __m512 s4 = _mm512_setzero_ps(), s5 = _mm512_setzero_ps();
    __m512 s6 = _mm512_setzero_ps(), s7 = _mm512_setzero_ps();
    const float *b0 = b[0], *b1 = b[1], *b2 = b[2], *b3 = b[3];
    const float *b4 = b[4], *b5 = b[5], *b6 = b[6], *b7 = b[7];
    size_t p = 0;

    for (; p + 16 <= k; p += 16) {
        const __m512 x = _mm512_loadu_ps(a + p);
        s0 = _mm512_fmadd_ps(x, _mm512_loadu_ps(b0 + p), s0);
        s1 = _mm512_fmadd_ps(x, _mm512_loadu_ps(b1 + p), s1);
        s2 = _mm512_fmadd_ps(x, _mm512_loadu_ps(b2 + p), s2);
        s3 = _mm512_fmadd_ps(x, _mm512_loadu_ps(b3 + p), s3);
        s4 = _mm512_fmadd_ps(x, _mm512_loadu_ps(b4 + p), s4);
        s5 = _mm512_fmadd_ps(x, _mm512_loadu_ps(b5 + p), s5);
        s6 = _mm512_fmadd_ps(x, _mm512_loadu_ps(b6 + p), s6);
        s7 = _mm512_fmadd_ps(x, _mm512_loadu_ps(b7 + p), s7);
    }
    if (p < k) {
        const __mmask16 m = tail_mask(k - p);
        const __m512 x = _mm512_maskz_loadu_ps(m, a + p);
        s0 = _mm512_fmadd_ps(x, _mm512_maskz_loadu_ps(m, b0 + p), s0);
        s1 = _mm512_fmadd_ps(x, _mm512_maskz_loadu_ps(m, b1 + p), s1);
        s2 = _mm512_fmadd_ps(x, _mm512_maskz_loadu_ps(m, b2 + p), s2);
        s3 = _mm512_fmadd_ps(x, _mm512_maskz_loadu_ps(m, b3 + p), s3);
        s4 = _mm512_fmadd_ps(x, _mm512_maskz_loadu_ps(m, b4 + p), s4);
        s5 = _mm512_fmadd_ps(x, _mm512_maskz_loadu_ps(m, b5 + p), s5);
        s6 = _mm512_fmadd_ps(x, _mm512_maskz_loadu_ps(m, b6 + p), s6);
        s7 = _mm512_fmadd_ps(x, _mm512_maskz_loadu_ps(m, b7 + p), s7);
    }
    sums[0] = _mm512_reduce_add_ps(s0);
    sums[1] = _mm512_reduce_add_ps(s1);
    sums[2] = _mm512_reduce_add_ps(s2);
    sums[3] = _mm512_reduce_add_ps(s3);
    sums[4] = _mm512_reduce_add_ps(s4);
    sums[5] = _mm512_reduce_add_ps(s5);
    sums[6] = _mm512_reduce_add_ps(s6);
    sums[7] = _mm512_reduce_add_ps(s7);
}

static void f32_gemm_nt__avx512(size_t m, size_t n, size_t k, const float *a,
                                size_t lda, const float *bt, size_t ldb,
                                float *c, size_t ldc,
                                const om_gemm_epilogue *ep)
{
    om_gemm_nt_rows(m, n, k, a, lda, bt, ldb, c, ldc, ep,
                    gemm_nt_row__avx512);
}

static void f32_gemm_segments__avx512(size_t m, size_t segments, size_t k,
                                      const float *a_packed, const float *b,
                                      const size_t *b_rows,
                                      const om_gemm_segment *segs, float *c,
                                      size_t ldc, const om_gemm_epilogue *ep)
{
    size_t i0, t;

    /* One A block stays in L1 while the segments of B stream past it. */
    for (i0 = 0; i0 < m; i0 += MR) {
        const size_t rows = m - i0 < MR ? m - i0 : MR;
        float *row = c + i0 * ldc;
        for (t = 0; t + 2 <= segments; t += 2) {
            const om_gemm_segment *s0 = segs + t, *s1 = segs + t + 1;
            __m512 acc[MR][2];

            gemm_sums(k, a_packed + i0 * k, b + s0->b_offset,
                      b + s1->b_offset, b_rows, acc);
            store_tile(acc, rows, i0, ep, NULL, row + s0->c_offset,
                       row + s1->c_offset, ldc, tail_mask(s0->count),
                       tail_mask(s1->count));
        }
    }
}

/* The load masks of one vector of a depthwise block: the lanes of its
 * first and second 16-float load (the second only at stride 2). */
typedef struct depthwise_masks {
    __mmask16 lo, hi;
} depthwise_masks;

/* The load masks of outputs first .. first + 15 in a block of `count`
 * outputs. */
static depthwise_masks depthwise_vector_masks(size_t count, size_t first,
                                              size_t stride)
{
    depthwise_masks m;
    size_t span;

    count = count > first ? count - first : 0;
    if (count > 16)
        count = 16;
    span = count ? (count - 1) * stride + 1 : 0;
    m.lo = span >= 16 ? (__mmask16)0xFFFF : tail_mask(span);
    m.hi = span >= 32   ? (__mmask16)0xFFFF
           : span > 16 ? tail_mask(span - 16)
                       : (__mmask16)0;
    return m;
}

/* 16 elements x[0], x[stride], ... (stride 1 or 2), of which the masked
 * ones are loaded. Masked-off lanes read nothing. */
static inline __m512 depthwise_load_masked(const float *x, size_t stride,
                                           const depthwise_masks *m,
                                           __m512i even)
{
    if (stride == 1)
        return _mm512_maskz_loadu_ps(m->lo, x);
    return _mm512_permutex2var_ps(_mm512_maskz_loadu_ps(m->lo, x), even,
                                  _mm512_maskz_loadu_ps(m->hi, x + 16));
}

/* 16 elements x[0], x[stride], ... (stride 1 or 2). At stride 2 the
 * 32nd float, past the last element, is not read. Plain loads cost less
 * than masked ones when they cross a cache line. */
static inline __m512 depthwise_load(const float *x, size_t stride,
                                    __m512i even)
{
    if (stride == 1)
        return _mm512_loadu_ps(x);
    return _mm512_permutex2var_ps(_mm512_loadu_ps(x), even,
                                  _mm512_maskz_loadu_ps(0x7FFF, x + 16));
}

/* The sums of up to 64 outputs, 16 per vector. */
typedef struct depthwise_sums {
    __m512 v0, v1, v2, v3;
} depthwise_sums;

static const int depthwise_even[16] = {0,  2,  4,  6,  8,  10, 12, 14,
                                       16, 18, 20, 22, 24, 26, 28, 30};

/* The sums of outputs 0 .. 63 at x: four accumulators share each
 * broadcast weight, and their independent FMAs hide the latency. */
static inline depthwise_sums depthwise_sums64(const float *x,
                                              const om_depthwise_params *p,
                                              size_t stride)
{
    const __m512i even = _mm512_loadu_si512(depthwise_even);
    depthwise_sums a;
    size_t r, c;

    a.v0 = a.v1 = a.v2 = a.v3 = _mm512_setzero_ps();
    for (r = 0; r < p->kernel_h; r++)
        for (c = 0; c < p->kernel_w; c++) {
            const float *q = x + r * p->row_stride + c * p->dilation;
            const __m512 w = _mm512_set1_ps(p->weights[r * p->kernel_w + c]);
            const __m512 x0 = depthwise_load(q, stride, even);
            const __m512 x1 = depthwise_load(q + 16 * stride, stride, even);
            const __m512 x2 = depthwise_load(q + 32 * stride, stride, even);
            const __m512 x3 = depthwise_load(q + 48 * stride, stride, even);
            a.v0 = _mm512_fmadd_ps(x0, w, a.v0);
            a.v1 = _mm512_fmadd_ps(x1, w, a.v1);
            a.v2 = _mm512_fmadd_ps(x2, w, a.v2);
            a.v3 = _mm512_fmadd_ps(x3, w, a.v3);
        }
    return a;
}

/* The sums of outputs 0 .. count - 1 (1 <= count < 64) at x, in
 * ceil(count / 16) vectors with masked loads. */
static inline depthwise_sums depthwise_sums_tail(const float *x,
                                                 const om_depthwise_params *p,
                                                 size_t stride, size_t count)
{
    const __m512i even = _mm512_loadu_si512(depthwise_even);
    const size_t vectors = (count + 15) / 16;
    const depthwise_masks m0 = depthwise_vector_masks(count, 0, stride);
    const depthwise_masks m1 = depthwise_vector_masks(count, 16, stride);
    const depthwise_masks m2 = depthwise_vector_masks(count, 32, stride);
    const depthwise_masks m3 = depthwise_vector_masks(count, 48, stride);
    depthwise_sums a;
    size_t r, c;

    a.v0 = a.v1 = a.v2 = a.v3 = _mm512_setzero_ps();
    for (r = 0; r < p->kernel_h; r++)
        for (c = 0; c < p->kernel_w; c++) {
            const float *q = x + r * p->row_stride + c * p->dilation;
            const __m512 w = _mm512_set1_ps(p->weights[r * p->kernel_w + c]);
            a.v0 = _mm512_fmadd_ps(depthwise_load_masked(q, stride, &m0, even),
                                   w, a.v0);
            if (vectors > 1)
                a.v1 = _mm512_fmadd_ps(
                    depthwise_load_masked(q + 16 * stride, stride, &m1, even),
                    w, a.v1);
            if (vectors > 2)
                a.v2 = _mm512_fmadd_ps(
                    depthwise_load_masked(q + 32 * stride, stride, &m2, even),
                    w, a.v2);
            if (vectors > 3)
                a.v3 = _mm512_fmadd_ps(
                    depthwise_load_masked(q + 48 * stride, stride, &m3, even),
                    w, a.v3);
        }
    return a;
}

/* Where the next outputs go: the column of the next output in its row of
 * `pitch`, and the place in y of the next kept one. */
typedef struct depthwise_cursor {
    size_t col;
    float *y;
} depthwise_cursor;

/* Applies the bias and the clamp to the first `lanes` of 16 sums, then
 * stores the kept ones at the cursor, packed together, and moves it on. */
static inline void depthwise_store(__m512 sum, const om_depthwise_params *p,
                                   size_t lanes, depthwise_cursor *at)
{
    /* The value as the second operand keeps NaN. */
    const __m512 v = _mm512_min_ps(
        _mm512_set1_ps(p->hi),
        _mm512_max_ps(_mm512_set1_ps(p->lo),
                      _mm512_add_ps(sum, _mm512_set1_ps(p->bias))));
    unsigned kept_lanes = 0;
    size_t k = 0, count = 0, col = at->col;

    if (p->pitch == p->width) {
        _mm512_mask_storeu_ps(at->y, tail_mask(lanes), v);
        at->y += lanes;
        return;
    }

    /* The kept lanes: runs of columns below width, one per row. */
    while (k < lanes) {
        if (col < p->width) {
            size_t run = p->width - col;
            if (run > lanes - k)
                run = lanes - k;
            kept_lanes |= ((1u << run) - 1u) << k;
            count += run;
            k += run;
            col += run;
        } else {
            k += p->pitch - col;
            col = 0;
        }
    }
    if (count == 16) {
        _mm512_storeu_ps(at->y, v);
    } else {
        const __m512 packed =
            _mm512_maskz_compress_ps((__mmask16)kept_lanes, v);
        _mm512_mask_storeu_ps(at->y, tail_mask(count), packed);
    }
    at->y += count;
    at->col += lanes;
    while (at->col >= p->pitch)
        at->col -= p->pitch;
}

/* The outputs for one stride (1 or 2), 64 at a time. Inlined per stride,
 * so that the loads' branch folds away. */
static inline void depthwise_rows(size_t n, const float *x,
                                  const om_depthwise_params *p, size_t stride,
                                  float *y)
{
    depthwise_cursor at;
    depthwise_sums a;
    size_t j = 0, count;

    at.col = 0;
    at.y = y;
    for (; j + 64 <= n; j += 64) {
        a = depthwise_sums64(x + j * stride, p, stride);
        depthwise_store(a.v0, p, 16, &at);
        depthwise_store(a.v1, p, 16, &at);
        depthwise_store(a.v2, p, 16, &at);
        depthwise_store(a.v3, p, 16, &at);
    }
    if (j == n)
        return;
    count = n - j;
    a = depthwise_sums_tail(x + j * stride, p, stride, count);
    depthwise_store(a.v0, p, count < 16 ? count : 16, &at);
    if (count > 16)
        depthwise_store(a.v1, p, count < 32 ? count - 16 : 16, &at);
    if (count > 32)
        depthwise_store(a.v2, p, count < 48 ? count - 32 : 16, &at);
    if (count > 48)
        depthwise_store(a.v3, p, count - 48, &at);
}

/* Stride 2 takes the even lanes of two loads, masked at the end so that
 * nothing past x[2 * (n - 1)] is read. */
static void f32_copy_strided__avx512(size_t n, const float *x, size_t stride,
                                     float *y)
{
    size_t i = 0;

    if (stride == 1) {
        for (; i + 16 <= n; i += 16)
            _mm512_storeu_ps(y + i, _mm512_loadu_ps(x + i));
        if (i < n)
            _mm512_mask_storeu_ps(y + i, tail_mask(n - i),
                                  _mm512_maskz_loadu_ps(tail_mask(n - i),
                                                        x + i));
        return;
    }
    if (stride == 2) {
        for (; i < n; i += 16)
            _mm512_mask_storeu_ps(y + i, tail_mask(n - i < 16 ? n - i : 16),
                                  load_strided(x + 2 * i, 2,
                                               n - i < 16 ? n - i : 16));
        return;
    }
    for (; i < n; i++)
        y[i] = x[i * stride];
}

static void f32_depthwise_conv_rows__avx512(size_t n, const float *x,
                                            const om_depthwise_params *p,
                                            float *y)
{
    if (p->stride == 1)
        depthwise_rows(n, x, p, 1, y);
    else if (p->stride == 2)
        depthwise_rows(n, x, p, 2, y);
    else
        /* Larger strides would need gathers, which cost more than they
         * save here. */
        om_kernels_scalar.f32_depthwise_conv_rows(n, x, p, y);
}

const om_kernels om_kernels_avx512 = {
    "avx512",
    f32_relu__avx512,
    f32_add__avx512,
    f32_max_window__avx512,
    f32_max_pool_tiled__avx512,
    MR,
    NR,
    f32_gemm__avx512,
    16,
    f32_gemm_segments__avx512,
    f32_gemm_nt__avx512,
    f32_copy_strided__avx512,
    f32_depthwise_conv_rows__avx512,
};
