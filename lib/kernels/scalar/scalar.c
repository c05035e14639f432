/*
 * scalar.c - the reference kernels, plain C for every target. The SIMD
 * kernels are tested against these.
 */
#include <string.h>

#include "kernels/kernels.h"

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

static void f32_gemm__scalar(size_t m, size_t n, size_t k,
                             const float *restrict a,
                             size_t lda, const float *restrict b, size_t ldb,
                             float *restrict c,
                             size_t ldc)
{
    size_t i, j, p;

    for (i = 0; i < m; i++) {
        float *crow = c + i * ldc;
        for (j = 0; j < n; j++)
            crow[j] = 0.0f;
        /* Row-times-matrix order keeps the inner loop contiguous while the
         * products for each C element still add up in ascending p. */
        for (p = 0; p < k; p++) {
            const float aip = a[i * lda + p];
            const float *brow = b + p * ldb;
            for (j = 0; j < n; j++)
                crow[j] += aip * brow[j];
        }
    }
}

const om_kernels om_kernels_scalar = {
    "scalar",
    f32_relu__scalar,
    f32_add__scalar,
    f32_gemm__scalar,
};
