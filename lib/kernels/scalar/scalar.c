/*
 * scalar.c - the reference kernels, plain C for every target. The SIMD
 * kernels are tested against these.
 */
#include <string.h>

#include "kernels/kernels.h"

#define MR 4
#define NR 8

static void f32_relu__scalar(size_t n, const float *x, float *y)
{
    size_t i;
    /* x > 0 ? x : 0 would turn NaN into 0; ONNX Relu keeps NaN. */
    for (i = 0; i < n; i++)
        y[i] = x[i] < 0.0f ? 0.0f : x[i];
}

static void f32_add__scalar(size_t n, const float *a, size_t step_a,
                            const float *b, size_t step_b, float *y)
{
    size_t i;
    for (i = 0; i < n; i++)
        y[i] = a[i * step_a] + b[i * step_b];
}

/* The fold step of the max kernels: a NaN in m stays, and otherwise v
 * replaces m when it is NaN or not below m. */
static float max_step(float m, float v)
{
    return m != m ? m : (v >= m || v != v) ? v : m;
}

static void f32_max_window__scalar(size_t n, const float *x,
                                  size_t row_stride, size_t rows, size_t cols,
                                  size_t stride, size_t dilation, float *y)
{
    size_t i, r, c;

    for (i = 0; i < n; i++) {
        const float *w = x + i * stride;
        float m = w[0];
        for (r = 0; r < rows; r++)
            for (c = 0; c < cols; c++)
                m = max_step(m, w[r * row_stride + c * dilation]);
        y[i] = m;
    }
}

static void f32_max_pool_tiled__scalar(const float *x,
                                       const om_max_pool_tiled_params *p,
                                       float *y)
{
    size_t plane, i, j, r, c;

    for (plane = 0; plane < p->planes; plane++)
        for (i = 0; i < p->out_h; i++) {
            const float *row = x + plane * p->x_plane + i * p->x_out_row;
            float *out = y + plane * p->y_plane + i * p->y_row;
            for (j = 0; j < p->out_w; j++) {
                const float *w = row + j * p->kernel_w;
                float m = 0.0f;
                /* Down each column, then across the columns. */
                for (c = 0; c < p->kernel_w; c++) {
                    float column = w[c];
                    for (r = 1; r < p->kernel_h; r++)
                        column = max_step(column, w[r * p->x_window_row + c]);
                    m = c == 0 ? column : max_step(m, column);
                }
                out[j] = m;
            }
        }
}

/* Clamps to [lo, hi]; a NaN compares false both ways and passes. */
static float clamp(float v, float lo, float hi)
{
    if (v < lo)
        v = lo;
    if (v > hi)
        v = hi;
    return v;
}

/* One MR x NR tile: the sums, then the epilogue on the valid part. */
static void gemm_tile(size_t k, const float *a, const float *b,
                      const size_t *b_rows, float *c, size_t ldc, size_t rows,
                      size_t cols, size_t i0, size_t j0,
                      const om_gemm_epilogue *ep)
{
    float acc[MR][NR];
    size_t i, j, p;

    memset(acc, 0, sizeof acc);
    for (p = 0; p < k; p++, a += MR) {
        const float *row = b + b_rows[p];
        for (i = 0; i < MR; i++)
            for (j = 0; j < NR; j++)
                acc[i][j] += a[i] * row[j];
    }

    for (i = 0; i < rows; i++)
        for (j = 0; j < cols; j++) {
            float v = acc[i][j];
            if (ep->bias_m)
                v += ep->bias_m[i0 + i];
            if (ep->bias_n)
                v += ep->bias_n[j0 + j];
            c[i * ldc + j] = clamp(v, ep->lo, ep->hi);
        }
}

static void f32_gemm__scalar(size_t m, size_t n, size_t k,
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

/* Eight sums per output, as the vector tables keep eight lanes at least:
 * the reference order is then close to theirs. */
static void gemm_nt_row__scalar(size_t k, const float *a,
                                const float *const b[8], float sums[8])
{
    size_t j, p, l;

    for (j = 0; j < 8; j++) {
        float lanes[8] = {0.0f};
        float sum = 0.0f;
        for (p = 0; p < k; p++)
            lanes[p % 8] += a[p] * b[j][p];
        for (l = 0; l < 8; l++)
            sum += lanes[l];
        sums[j] = sum;
    }
}

static void f32_gemm_nt__scalar(size_t m, size_t n, size_t k, const float *a,
                                size_t lda, const float *bt, size_t ldb,
                                float *c, size_t ldc,
                                const om_gemm_epilogue *ep)
{
    om_gemm_nt_rows(m, n, k, a, lda, bt, ldb, c, ldc, ep,
                    gemm_nt_row__scalar);
}

static void f32_copy_strided__scalar(size_t n, const float *x, size_t stride,
                                     float *y)
{
    size_t i;

    for (i = 0; i < n; i++)
        y[i] = x[i * stride];
}

static void f32_depthwise_conv_rows__scalar(size_t n, const float *x,
                                            const om_depthwise_params *p,
                                            float *y)
{
    size_t j, r, c, col = 0;

    /* The kept outputs follow each other in y, so y only moves on. */
    for (j = 0; j < n; j++, col = col + 1 == p->pitch ? 0 : col + 1) {
        const float *window = x + j * p->stride;
        float sum = 0.0f;

        if (col >= p->width)
            continue;
        for (r = 0; r < p->kernel_h; r++)
            for (c = 0; c < p->kernel_w; c++)
                sum += window[r * p->row_stride + c * p->dilation] *
                       p->weights[r * p->kernel_w + c];
        *y++ = clamp(sum + p->bias, p->lo, p->hi);
    }
}

const om_kernels om_kernels_scalar = {
    "scalar",
    f32_relu__scalar,
    f32_add__scalar,
    f32_max_window__scalar,
    f32_max_pool_tiled__scalar,
    MR,
    NR,
    f32_gemm__scalar,
    0,
    NULL,
    f32_gemm_nt__scalar,
    f32_copy_strided__scalar,
    f32_depthwise_conv_rows__scalar,
};
