/*
 * neon.c - kernels for AArch64 Advanced SIMD (NEON: 4 floats per register,
 * 32 registers, fused multiply-add). NEON is part of every AArch64 CPU, so
 * dispatch.c always accepts this table there. Only standard ACLE
 * intrinsics from <arm_neon.h> are used, so that GCC, Clang and MSVC for
 * Arm64 all build it.
 */
#include <arm_neon.h>

#include "kernels/kernels.h"

/* The GEMM tile: 8 rows by 12 columns (three registers) is 24
 * accumulators. Per k step the kernel loads the 8 A values into two
 * registers and the 12 B values into three, and multiplies each B
 * register by one lane of an A register (FMLA by element), so no
 * broadcast is needed: 24 + 2 + 3 = 29 of the 32 registers. That is 24
 * FMAs per 5 loads, and 24 independent sums hide the FMA latency. Eight
 * rows also match the output channels of common convolutions (8, 16, 32,
 * 64), so few tiles carry zero rows. */
#define MR 8
#define NR 12

static void f32_relu__neon(size_t n, const float *x, float *y)
{
    const float32x4_t zero = vdupq_n_f32(0.0f);
    size_t i = 0;

    /* x < 0 ? 0 : x, as the scalar kernel: the comparison is false for
     * NaN and for -0, which both pass unchanged. */
    for (; i + 4 <= n; i += 4) {
        float32x4_t v = vld1q_f32(x + i);
        vst1q_f32(y + i, vbslq_f32(vcltq_f32(v, zero), zero, v));
    }
    for (; i < n; i++)
        y[i] = x[i] < 0.0f ? 0.0f : x[i];
}

static void f32_add__neon(size_t n, const float *a, size_t step_a,
                          const float *b, size_t step_b, float *y)
{
    size_t i = 0;

    if (step_a == 1 && step_b == 1) {
        for (; i + 4 <= n; i += 4)
            vst1q_f32(y + i, vaddq_f32(vld1q_f32(a + i), vld1q_f32(b + i)));
    } else if (step_a == 1) {
        /* b is a single broadcast value. The operands keep their order,
         * because with two NaNs FADD returns the first one's payload. */
        const float32x4_t s = vdupq_n_f32(b[0]);
        for (; i + 4 <= n; i += 4)
            vst1q_f32(y + i, vaddq_f32(vld1q_f32(a + i), s));
    } else if (step_b == 1) {
        const float32x4_t s = vdupq_n_f32(a[0]);
        for (; i + 4 <= n; i += 4)
            vst1q_f32(y + i, vaddq_f32(s, vld1q_f32(b + i)));
    }
    for (; i < n; i++)
        y[i] = a[i * step_a] + b[i * step_b];
}

/* The scalar kernel's step m = m is NaN ? m : (v >= m || v is NaN) ? v : m,
 * lane by lane: a NaN in m stays, a NaN in v replaces m, and a tie takes
 * the later value v (so +0 and -0 come out as in the scalar kernel). */
static inline float32x4_t nan_max(float32x4_t m, float32x4_t v)
{
    uint32x4_t take_v = vornq_u32(vcgeq_f32(v, m), vceqq_f32(v, v));
    take_v = vandq_u32(take_v, vceqq_f32(m, m));
    return vbslq_f32(take_v, v, m);
}

/* x[0], x[stride], x[2 * stride], x[3 * stride] for stride 1 to 4. The
 * de-interleaving loads read 4 * stride floats from x. */
static inline float32x4_t load_strided(const float *x, size_t stride)
{
    switch (stride) {
    case 1:
        return vld1q_f32(x);
    case 2:
        return vld2q_f32(x).val[0];
    case 3:
        return vld3q_f32(x).val[0];
    default:
        return vld4q_f32(x).val[0];
    }
}

/* x[0], x[stride], x[2 * stride], x[3 * stride] for any stride, one lane
 * at a time: four loads, but none past the last of the four elements. */
static inline float32x4_t load_gathered(const float *x, size_t stride)
{
    float32x4_t v = vld1q_dup_f32(x);
    v = vld1q_lane_f32(x + stride, v, 1);
    v = vld1q_lane_f32(x + 2 * stride, v, 2);
    return vld1q_lane_f32(x + 3 * stride, v, 3);
}

/* Outputs i .. i + 3 of a max_window row with a fixed stride. Inlined per
 * stride, so that load_strided's switch folds away. */
static inline void max_window_group(const float *w, size_t row_stride,
                                    size_t rows, size_t cols, size_t stride,
                                    size_t dilation, float *y)
{
    float32x4_t m = load_strided(w, stride);
    size_t r, c;

    for (r = 0; r < rows; r++)
        for (c = 0; c < cols; c++)
            m = nan_max(m, load_strided(w + r * row_stride + c * dilation,
                                        stride));
    vst1q_f32(y, m);
}

static void f32_max_window__neon(size_t n, const float *x, size_t row_stride,
                                 size_t rows, size_t cols, size_t stride,
                                 size_t dilation, float *y)
{
    size_t i = 0;

    /* Groups of 4 outputs with at least one output after them. A strided
     * load for outputs i .. i + 3 reads up to 4 * stride - 1 floats past
     * the first window element of output i, and output i + 4 reads the
     * float at 4 * stride, so every load stays inside the input. */
    switch (stride) {
    case 1:
        for (; i + 4 < n; i += 4)
            max_window_group(x + i, row_stride, rows, cols, 1, dilation,
                             y + i);
        break;
    case 2:
        for (; i + 4 < n; i += 4)
            max_window_group(x + i * 2, row_stride, rows, cols, 2, dilation,
                             y + i);
        break;
    case 3:
        for (; i + 4 < n; i += 4)
            max_window_group(x + i * 3, row_stride, rows, cols, 3, dilation,
                             y + i);
        break;
    case 4:
        for (; i + 4 < n; i += 4)
            max_window_group(x + i * 4, row_stride, rows, cols, 4, dilation,
                             y + i);
        break;
    default:
        break;
    }

    /* The last whole groups, and every group of a stride above 4: lanes
     * loaded one by one, which still beats the scalar kernel's compare and
     * select per output. */
    for (; i + 4 <= n; i += 4) {
        const float *w = x + i * stride;
        float32x4_t m = load_gathered(w, stride);
        size_t r, c;
        for (r = 0; r < rows; r++)
            for (c = 0; c < cols; c++)
                m = nan_max(m, load_gathered(w + r * row_stride + c * dilation,
                                             stride));
        vst1q_f32(y + i, m);
    }
    if (i < n)
        om_kernels_scalar.f32_max_window(n - i, x + i * stride, row_stride,
                                         rows, cols, stride, dilation, y + i);
}

/* Column c (c < kernel_w, 1 to 4) of 4 windows in a row at x, into v[c]:
 * the de-interleaving loads read exactly the 4 * kernel_w floats of the
 * windows. */
static inline void load_columns(const float *x, size_t kernel_w,
                                float32x4_t *v)
{
    switch (kernel_w) {
    case 1:
        v[0] = vld1q_f32(x);
        break;
    case 2: {
        float32x4x2_t t = vld2q_f32(x);
        v[0] = t.val[0];
        v[1] = t.val[1];
        break;
    }
    case 3: {
        float32x4x3_t t = vld3q_f32(x);
        v[0] = t.val[0];
        v[1] = t.val[1];
        v[2] = t.val[2];
        break;
    }
    default: {
        float32x4x4_t t = vld4q_f32(x);
        v[0] = t.val[0];
        v[1] = t.val[1];
        v[2] = t.val[2];
        v[3] = t.val[3];
        break;
    }
    }
}

/* The maxima of 4 windows of kernel_w columns (1 to 4) at w: each column
 * down the rows first, then across the columns. */
static inline float32x4_t pool_group(const float *w, size_t row_stride,
                                     size_t rows, size_t kernel_w)
{
    float32x4_t column[4], v[4], m;
    size_t r, c;

    load_columns(w, kernel_w, column);
    for (r = 1; r < rows; r++) {
        load_columns(w + r * row_stride, kernel_w, v);
        for (c = 0; c < kernel_w; c++)
            column[c] = nan_max(column[c], v[c]);
    }
    m = column[0];
    for (c = 1; c < kernel_w; c++)
        m = nan_max(m, column[c]);
    return m;
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
                vst1q_f32(out + j, pool_group(row + j * kernel_w,
                                              x_window_row, rows, kernel_w));
            if (j < out_w) {
                j = out_w - 4;
                vst1q_f32(out + j, pool_group(row + j * kernel_w,
                                              x_window_row, rows, kernel_w));
            }
        }
}

static void f32_max_pool_tiled__neon(const float *x,
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

/* Applies the epilogue to 4 sums of row i, columns j .. j + 3, and stores
 * them at c. The clamp is the scalar kernel's v < lo ? lo : v, then
 * v > hi ? hi : v, so NaN and signed zeros come out the same. */
static inline void store_epilogue4(float32x4_t v, const om_gemm_epilogue *ep,
                                   size_t i, size_t j, float32x4_t lo,
                                   float32x4_t hi, float *c)
{
    if (ep->bias_m)
        v = vaddq_f32(v, vdupq_n_f32(ep->bias_m[i]));
    if (ep->bias_n)
        v = vaddq_f32(v, vld1q_f32(ep->bias_n + j));
    v = vbslq_f32(vcltq_f32(v, lo), lo, v);
    v = vbslq_f32(vcgtq_f32(v, hi), hi, v);
    vst1q_f32(c, v);
}

/* One MR x NR tile of C: the sums in registers, then the epilogue on the
 * valid rows x cols part. */
static void gemm_tile(size_t k, const float *a, const float *b,
                      const size_t *b_rows, float *c, size_t ldc, size_t rows,
                      size_t cols, size_t i0, size_t j0,
                      const om_gemm_epilogue *ep)
{
    float32x4_t acc[MR][3];
    size_t p, i, j;

    /* Main loop. Per k: A rows 0-3 in a_lo and 4-7 in a_hi, B columns in
     * b0, b1, b2, and FMLA by element into the named accumulators, which
     * the compiler keeps in registers. */
    {
        float32x4_t c00 = vdupq_n_f32(0.0f), c01 = c00, c02 = c00;
        float32x4_t c10 = c00, c11 = c00, c12 = c00;
        float32x4_t c20 = c00, c21 = c00, c22 = c00;
        float32x4_t c30 = c00, c31 = c00, c32 = c00;
        float32x4_t c40 = c00, c41 = c00, c42 = c00;
        float32x4_t c50 = c00, c51 = c00, c52 = c00;
        float32x4_t c60 = c00, c61 = c00, c62 = c00;
        float32x4_t c70 = c00, c71 = c00, c72 = c00;

        for (p = 0; p < k; p++, a += MR) {
            const float *row = b + b_rows[p];
            const float32x4_t a_lo = vld1q_f32(a), a_hi = vld1q_f32(a + 4);
            const float32x4_t b0 = vld1q_f32(row), b1 = vld1q_f32(row + 4),
                              b2 = vld1q_f32(row + 8);

            c00 = vfmaq_laneq_f32(c00, b0, a_lo, 0);
            c01 = vfmaq_laneq_f32(c01, b1, a_lo, 0);
            c02 = vfmaq_laneq_f32(c02, b2, a_lo, 0);
            c10 = vfmaq_laneq_f32(c10, b0, a_lo, 1);
            c11 = vfmaq_laneq_f32(c11, b1, a_lo, 1);
            c12 = vfmaq_laneq_f32(c12, b2, a_lo, 1);
            c20 = vfmaq_laneq_f32(c20, b0, a_lo, 2);
            c21 = vfmaq_laneq_f32(c21, b1, a_lo, 2);
            c22 = vfmaq_laneq_f32(c22, b2, a_lo, 2);
            c30 = vfmaq_laneq_f32(c30, b0, a_lo, 3);
            c31 = vfmaq_laneq_f32(c31, b1, a_lo, 3);
            c32 = vfmaq_laneq_f32(c32, b2, a_lo, 3);
            c40 = vfmaq_laneq_f32(c40, b0, a_hi, 0);
            c41 = vfmaq_laneq_f32(c41, b1, a_hi, 0);
            c42 = vfmaq_laneq_f32(c42, b2, a_hi, 0);
            c50 = vfmaq_laneq_f32(c50, b0, a_hi, 1);
            c51 = vfmaq_laneq_f32(c51, b1, a_hi, 1);
            c52 = vfmaq_laneq_f32(c52, b2, a_hi, 1);
            c60 = vfmaq_laneq_f32(c60, b0, a_hi, 2);
            c61 = vfmaq_laneq_f32(c61, b1, a_hi, 2);
            c62 = vfmaq_laneq_f32(c62, b2, a_hi, 2);
            c70 = vfmaq_laneq_f32(c70, b0, a_hi, 3);
            c71 = vfmaq_laneq_f32(c71, b1, a_hi, 3);
            c72 = vfmaq_laneq_f32(c72, b2, a_hi, 3);
        }
        acc[0][0] = c00, acc[0][1] = c01, acc[0][2] = c02;
        acc[1][0] = c10, acc[1][1] = c11, acc[1][2] = c12;
        acc[2][0] = c20, acc[2][1] = c21, acc[2][2] = c22;
        acc[3][0] = c30, acc[3][1] = c31, acc[3][2] = c32;
        acc[4][0] = c40, acc[4][1] = c41, acc[4][2] = c42;
        acc[5][0] = c50, acc[5][1] = c51, acc[5][2] = c52;
        acc[6][0] = c60, acc[6][1] = c61, acc[6][2] = c62;
        acc[7][0] = c70, acc[7][1] = c71, acc[7][2] = c72;
    }

    /* A partial tile goes through the shared scalar epilogue. */
    if (rows < MR || cols < NR) {
        float tile[MR * NR];
        for (i = 0; i < MR; i++)
            for (j = 0; j < 3; j++)
                vst1q_f32(tile + i * NR + j * 4, acc[i][j]);
        om_gemm_store_tile(tile, NR, rows, cols, i0, j0, ep, c, ldc);
        return;
    }
    {
        const float32x4_t lo = vdupq_n_f32(ep->lo), hi = vdupq_n_f32(ep->hi);
        for (i = 0; i < MR; i++)
            for (j = 0; j < 3; j++)
                store_epilogue4(acc[i][j], ep, i0 + i, j0 + j * 4, lo, hi,
                                c + i * ldc + j * 4);
    }
}

/* One row of C for four panels of B (48 columns), for a single row (a
 * MatMul of one vector), where an 8-row tile would spend 7/8 of its work
 * on zero rows. The row's A values are a[p * MR]. */
static void gemm_row4(size_t k, const float *a, const float *b,
                      const size_t *b_rows, size_t b_tile_stride, float *c,
                      size_t j0, const om_gemm_epilogue *ep)
{
    float32x4_t acc[12];
    const float32x4_t lo = vdupq_n_f32(ep->lo), hi = vdupq_n_f32(ep->hi);
    size_t p, t, u;

    for (t = 0; t < 12; t++)
        acc[t] = vdupq_n_f32(0.0f);
    for (p = 0; p < k; p++) {
        const float av = a[p * MR];
        /* Row p of each panel through its own pointer, so that the loads
         * take constant offsets. Twelve independent sums: enough to hide
         * the FMA latency. */
        const float *panel[4];
        panel[0] = b + b_rows[p];
        for (t = 1; t < 4; t++)
            panel[t] = panel[t - 1] + b_tile_stride;
        for (t = 0; t < 4; t++)
            for (u = 0; u < 3; u++)
                acc[t * 3 + u] = vfmaq_n_f32(acc[t * 3 + u],
                                             vld1q_f32(panel[t] + u * 4), av);
    }
    for (t = 0; t < 12; t++)
        store_epilogue4(acc[t], ep, 0, j0 + 4 * t, lo, hi, c + 4 * t);
}

/* One row of C for one panel of B: the columns past the last group of four
 * panels, and every column when n < 4 * NR. */
static void gemm_row1(size_t k, const float *a, const float *b,
                      const size_t *b_rows, float *c, size_t cols, size_t j0,
                      const om_gemm_epilogue *ep)
{
    float32x4_t s0 = vdupq_n_f32(0.0f), s1 = s0, s2 = s0;
    float tile[NR];
    size_t p;

    for (p = 0; p < k; p++) {
        const float av = a[p * MR];
        const float *row = b + b_rows[p];
        s0 = vfmaq_n_f32(s0, vld1q_f32(row), av);
        s1 = vfmaq_n_f32(s1, vld1q_f32(row + 4), av);
        s2 = vfmaq_n_f32(s2, vld1q_f32(row + 8), av);
    }
    vst1q_f32(tile, s0);
    vst1q_f32(tile + 4, s1);
    vst1q_f32(tile + 8, s2);
    om_gemm_store_tile(tile, NR, 1, cols, 0, j0, ep, c, 0);
}

static void f32_gemm__neon(size_t m, size_t n, size_t k,
                           const float *a_packed, const float *b,
                           const size_t *b_rows, size_t b_tile_stride,
                           float *c, size_t ldc, const om_gemm_epilogue *ep)
{
    size_t i0, j0;

    /* A vector times a matrix: four panels at once, then one at a time. */
    if (m == 1) {
        size_t whole = n / (4 * NR) * (4 * NR);
        for (j0 = 0; j0 < whole; j0 += 4 * NR)
            gemm_row4(k, a_packed, b + j0 / NR * b_tile_stride, b_rows,
                      b_tile_stride, c + j0, j0, ep);
        for (j0 = whole; j0 < n; j0 += NR)
            gemm_row1(k, a_packed, b + j0 / NR * b_tile_stride, b_rows,
                      c + j0, n - j0 < NR ? n - j0 : NR, j0, ep);
        return;
    }

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
 * the cursor, packed together, and moves it on. The clamp is the scalar
 * kernel's, as in store_epilogue4. */
static inline void depthwise_store(float32x4_t sum,
                                   const om_depthwise_params *p,
                                   depthwise_cursor *at)
{
    const float32x4_t lo = vdupq_n_f32(p->lo), hi = vdupq_n_f32(p->hi);
    float32x4_t v = vaddq_f32(sum, vdupq_n_f32(p->bias));
    float lane[4];
    size_t k;

    v = vbslq_f32(vcltq_f32(v, lo), lo, v);
    v = vbslq_f32(vcgtq_f32(v, hi), hi, v);
    if (p->pitch == p->width || at->col + 4 <= p->width) {
        vst1q_f32(at->y, v);
        at->y += 4;
        at->col += 4;
    } else {
        vst1q_f32(lane, v);
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

/* Outputs 0 .. 15 at x: four accumulators share each weight. At stride 2
 * the de-interleaving loads read one float past the last window, so
 * output 16 must exist. */
static inline void depthwise_block16(const float *x,
                                     const om_depthwise_params *p,
                                     size_t stride, depthwise_cursor *at)
{
    float32x4_t a0 = vdupq_n_f32(0.0f), a1 = a0, a2 = a0, a3 = a0;
    size_t r, c;

    for (r = 0; r < p->kernel_h; r++)
        for (c = 0; c < p->kernel_w; c++) {
            const float *q = x + r * p->row_stride + c * p->dilation;
            const float32x4_t w =
                vld1q_dup_f32(p->weights + r * p->kernel_w + c);
            a0 = vfmaq_f32(a0, load_strided(q, stride), w);
            a1 = vfmaq_f32(a1, load_strided(q + 4 * stride, stride), w);
            a2 = vfmaq_f32(a2, load_strided(q + 8 * stride, stride), w);
            a3 = vfmaq_f32(a3, load_strided(q + 12 * stride, stride), w);
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
    float32x4_t acc = vdupq_n_f32(0.0f);
    size_t r, c;

    for (r = 0; r < p->kernel_h; r++)
        for (c = 0; c < p->kernel_w; c++)
            acc = vfmaq_f32(acc,
                            load_strided(x + r * p->row_stride +
                                             c * p->dilation,
                                         stride),
                            vld1q_dup_f32(p->weights + r * p->kernel_w + c));
    depthwise_store(acc, p, at);
}

/* Outputs j .. n - 1 one at a time: the last ones, and every one of a
 * stride above 2. The sum runs in lane 0 of a 2-lane vector, so that each
 * product is fused into it as in the 4-lane code, and an output does not
 * depend on where it falls in a call. */
static void depthwise_scalar(size_t j, size_t n, const float *x,
                             const om_depthwise_params *p,
                             depthwise_cursor *at)
{
    size_t r, c;

    for (; j < n; j++) {
        const float *window = x + j * p->stride;
        float32x2_t acc = vdup_n_f32(0.0f);
        float sum;

        if (at->col < p->width) {
            for (r = 0; r < p->kernel_h; r++)
                for (c = 0; c < p->kernel_w; c++)
                    acc = vfma_f32(
                        acc,
                        vdup_n_f32(window[r * p->row_stride + c * p->dilation]),
                        vdup_n_f32(p->weights[r * p->kernel_w + c]));
            sum = vget_lane_f32(acc, 0);
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
 * done. Inlined per stride, so that load_strided's switch folds away. */
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
static void gemm_nt_row__neon(size_t k, const float *a,
                              const float *const b[8], float sums[8])
{
    float32x4_t s[8];
    size_t p = 0, j;

    for (j = 0; j < 8; j++)
        s[j] = vdupq_n_f32(0.0f);
    for (; p + 4 <= k; p += 4) {
        const float32x4_t x = vld1q_f32(a + p);
        for (j = 0; j < 8; j++)
            s[j] = vfmaq_f32(s[j], x, vld1q_f32(b[j] + p));
    }
    if (p < k) {
        float xa[4] = {0.0f}, xb[4] = {0.0f};
        float32x4_t x;
        size_t t;
        for (t = 0; t < k - p; t++)
            xa[t] = a[p + t];
        x = vld1q_f32(xa);
        for (j = 0; j < 8; j++) {
            for (t = 0; t < k - p; t++)
                xb[t] = b[j][p + t];
            s[j] = vfmaq_f32(s[j], x, vld1q_f32(xb));
        }
    }
    for (j = 0; j < 8; j++)
        sums[j] = vaddvq_f32(s[j]);
}

static void f32_gemm_nt__neon(size_t m, size_t n, size_t k, const float *a,
                              size_t lda, const float *bt, size_t ldb,
                              float *c, size_t ldc, const om_gemm_epilogue *ep)
{
    om_gemm_nt_rows(m, n, k, a, lda, bt, ldb, c, ldc, ep, gemm_nt_row__neon);
}

/* Stride 2 splits pairs with a de-interleaving load. A vector step reads
 * up to x[2 * i + 7], so it runs only while that is within the input. */
static void f32_copy_strided__neon(size_t n, const float *x, size_t stride,
                                   float *y)
{
    size_t i = 0;

    if (stride == 1) {
        for (; i + 4 <= n; i += 4)
            vst1q_f32(y + i, vld1q_f32(x + i));
    } else if (stride == 2) {
        for (; i + 4 < n; i += 4)
            vst1q_f32(y + i, vld2q_f32(x + 2 * i).val[0]);
    }
    for (; i < n; i++)
        y[i] = x[i * stride];
}

static void f32_depthwise_conv_rows__neon(size_t n, const float *x,
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

const om_kernels om_kernels_neon = {
    "neon",
    f32_relu__neon,
    f32_add__neon,
    f32_max_window__neon,
    f32_max_pool_tiled__neon,
    MR,
    NR,
    f32_gemm__neon,
    0,
    NULL,
    f32_gemm_nt__neon,
    f32_copy_strided__neon,
    f32_depthwise_conv_rows__neon,
};
