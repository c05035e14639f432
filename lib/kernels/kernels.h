/*
 * kernels.h - the kernel table: one function pointer per kernel family.
 *
 * Kernels are plain functions over raw pointers and counts. They never
 * allocate, keep no state and check nothing: callers validate shapes first.
 * Every family has a scalar reference, which is the ground truth in tests.
 */
#ifndef OM_KERNELS_H
#define OM_KERNELS_H

#include <stddef.h>

#include "onnxmini.h"

typedef struct om_kernels {
    const char *isa;                  /* "scalar", ... */

    /* y[i] = max(x[i], 0); NaN stays NaN. x and y may be the same. */
    void (*f32_relu)(size_t n, const float *x, float *y);

    /* y[i] = a[i * step_a] + b[i * step_b], steps 0 or 1. y may alias an
     * operand whose step is 1. */
    void (*f32_add)(size_t n, const float *a, size_t step_a, const float *b,
                    size_t step_b, float *y);

    /* C[m x n] = A[m x k] * B[k x n], row-major with leading dimensions
     * lda, ldb, ldc. For each element of C the products are summed in
     * ascending k. */
    void (*f32_gemm)(size_t m, size_t n, size_t k, const float *a,
                     size_t lda, const float *b, size_t ldb, float *c,
                     size_t ldc);
} om_kernels;

/* The scalar reference table. */
extern const om_kernels om_kernels_scalar;

/* Picks the table for an instruction set name: NULL or "" for the best one
 * this CPU runs (or the name in ONNXMINI_ISA when that is set). Fails with
 * a message naming the instruction set when it is unknown or unavailable. */
onnxmini_status om_kernels_select(const char *isa, const om_kernels **out,
                                  onnxmini_error *err);

#endif /* OM_KERNELS_H */
