/*
 * pack.c - rearrange GEMM operands into the packed order of kernels.h,
 * and the unpacked reference product. Plain C, shared by every table.
 */
#include <string.h>

#include "kernels/kernels.h"

size_t om_packed_a_bytes(size_t m, size_t k, size_t mr)
{
    return (m + mr - 1) / mr * mr * k * sizeof(float);
}

size_t om_packed_b_bytes(size_t k, size_t n, size_t nr)
{
    return (n + nr - 1) / nr * nr * k * sizeof(float);
}

void om_pack_a(size_t m, size_t k, const float *a, size_t lda, size_t mr,
               float *packed)
{
    size_t i0, i, p;

    for (i0 = 0; i0 < m; i0 += mr) {
        size_t rows = m - i0 < mr ? m - i0 : mr;
        for (p = 0; p < k; p++) {
            for (i = 0; i < rows; i++)
                packed[i] = a[(i0 + i) * lda + p];
            for (; i < mr; i++)
                packed[i] = 0.0f;
            packed += mr;
        }
    }
}

void om_pack_b(size_t k, size_t n, const float *b, size_t ldb, size_t nr,
               float *packed)
{
    size_t j0, p;

    for (j0 = 0; j0 < n; j0 += nr) {
        size_t cols = n - j0 < nr ? n - j0 : nr;
        for (p = 0; p < k; p++) {
            memcpy(packed, b + p * ldb + j0, cols * sizeof(float));
            if (cols < nr)
                memset(packed + cols, 0, (nr - cols) * sizeof(float));
            packed += nr;
        }
    }
}

void om_pack_b_shifted(size_t k, size_t n, const float *src,
                       const size_t *rows, size_t nr, float *packed)
{
    size_t j0, p;

    /* Whole panels: the source is readable past n, and the columns past n
     * only reach the product's columns that are dropped. */
    for (j0 = 0; j0 < n; j0 += nr)
        for (p = 0; p < k; p++) {
            /* A plain loop: a library call per short row costs more than
             * the copy. */
            const float *from = src + rows[p] + j0;
            size_t j;
            for (j = 0; j < nr; j++)
                packed[j] = from[j];
            packed += nr;
        }
}

void om_pack_bt_strided(size_t k, size_t n, const float *b, size_t row_stride,
                        size_t col_stride, float *bt)
{
    size_t j, p;

    for (j = 0; j < n; j++)
        for (p = 0; p < k; p++)
            bt[j * k + p] = b[p * row_stride + j * col_stride];
}

void om_packed_b_rows(size_t k, size_t nr, size_t *rows)
{
    size_t p;
    for (p = 0; p < k; p++)
        rows[p] = p * nr;
}

void om_f32_gemm_reference(size_t m, size_t n, size_t k, const float *a,
                           size_t lda, const float *b, size_t ldb, float *c,
                           size_t ldc)
{
    size_t i, j, p;

    for (i = 0; i < m; i++)
        for (j = 0; j < n; j++) {
            float acc = 0.0f;
            for (p = 0; p < k; p++)
                acc += a[i * lda + p] * b[p * ldb + j];
            c[i * ldc + j] = acc;
        }
}

void om_gemm_store_tile(const float *tile, size_t nr, size_t rows, size_t cols,
                        size_t i0, size_t j0, const om_gemm_epilogue *ep,
                        float *c, size_t ldc)
{
    size_t i, j;

    for (i = 0; i < rows; i++)
        for (j = 0; j < cols; j++) {
            float v = tile[i * nr + j];
            if (ep->bias_m)
                v += ep->bias_m[i0 + i];
            if (ep->bias_n)
                v += ep->bias_n[j0 + j];
            /* NaN fails both comparisons and passes through. */
            if (v < ep->lo)
                v = ep->lo;
            if (v > ep->hi)
                v = ep->hi;
            c[i * ldc + j] = v;
        }
}

int om_gemm_prefers_nt(const om_kernels *kernels, size_t n, size_t k)
{
    size_t nr = kernels->gemm_nr, padded = (n + nr - 1) / nr * nr;

    return n > 0 && k >= 64 && 2 * padded >= 3 * n;
}

void om_gemm_nt_rows(size_t m, size_t n, size_t k, const float *a, size_t lda,
                     const float *bt, size_t ldb, float *c, size_t ldc,
                     const om_gemm_epilogue *ep, om_gemm_nt_row_fn row)
{
    size_t i, j0, t;

    for (i = 0; i < m; i++)
        for (j0 = 0; j0 < n; j0 += 8) {
            const float *b[8];
            float sums[8];
            for (t = 0; t < 8; t++)
                b[t] = bt + (j0 + t < n ? j0 + t : n - 1) * ldb;
            row(k, a + i * lda, b, sums);
            om_gemm_store_tile(sums, 8, 1, n - j0 < 8 ? n - j0 : 8, i, j0, ep,
                               c + i * ldc + j0, ldc);
        }
}

void om_pack_a_strided(size_t m, size_t k, const float *a, size_t row_stride,
                       size_t col_stride, size_t mr, float *packed)
{
    size_t i0, i, p;

    for (i0 = 0; i0 < m; i0 += mr) {
        size_t rows = m - i0 < mr ? m - i0 : mr;
        for (p = 0; p < k; p++) {
            for (i = 0; i < rows; i++)
                packed[i] = a[(i0 + i) * row_stride + p * col_stride];
            for (; i < mr; i++)
                packed[i] = 0.0f;
            packed += mr;
        }
    }
}

void om_pack_b_strided(size_t k, size_t n, const float *b, size_t row_stride,
                       size_t col_stride, size_t nr, float *packed)
{
    size_t j0, j, p;

    for (j0 = 0; j0 < n; j0 += nr) {
        size_t cols = n - j0 < nr ? n - j0 : nr;
        for (p = 0; p < k; p++) {
            for (j = 0; j < cols; j++)
                packed[j] = b[p * row_stride + (j0 + j) * col_stride];
            for (; j < nr; j++)
                packed[j] = 0.0f;
            packed += nr;
        }
    }
}
