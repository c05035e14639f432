/*
 * kernels.h - the kernel table: one function pointer per kernel family.
 *
 * Kernels are plain functions over raw pointers and counts. They never
 * allocate, keep no state and check nothing: callers validate shapes first.
 * Every family has a scalar reference, which is the ground truth in tests.
 * A table exists per instruction set (scalar, sse2, avx2, avx512, neon);
 * dispatch.c picks one per session.
 */
#ifndef OM_KERNELS_H
#define OM_KERNELS_H

#include <stddef.h>

#include "onnxmini.h"

/* The GEMM computes C[m x n] = A[m x k] * B[k x n]. A is packed once into
 * ceil(m / mr) blocks of [k][mr], rows past m zero. B is addressed by row
 * offsets, so one kernel serves two layouts: the tile of columns j0 ..
 * j0 + nr - 1 reads row p of B at b + (j0 / nr) * b_tile_stride +
 * b_rows[p], nr floats.
 *
 *   Packed B: ceil(n / nr) panels of [k][nr], columns past n zero;
 *             b_rows[p] = p * nr and b_tile_stride = k * nr.
 *   Shifted rows: every row is a window of one buffer, as a stride-1
 *             convolution over a padded input reads it; b_rows[p] is the
 *             window's start and b_tile_stride = nr. The buffer must be
 *             readable up to b_rows[p] + ceil(n / nr) * nr.
 *
 * Each micro-kernel keeps an mr x nr tile of C in registers and sums the
 * products of every element in ascending k. The epilogue adds bias_m[i]
 * (one per row, Conv's bias) and bias_n[j] (one per column, a MatMul
 * followed by Add), then clamps to [lo, hi] (Relu is [0, +inf]) with NaN
 * kept as NaN, and stores only the valid part of each tile. */
/* A run of consecutive columns of C for f32_gemm_segments: column l of
 * the run (l < count) reads row p of B at b_offset + b_rows[p] + l and is
 * stored at c_offset + l in its row of C. */
typedef struct om_gemm_segment {
    size_t b_offset;
    size_t c_offset;
    size_t count;                     /* 0 .. gemm_segment columns kept */
} om_gemm_segment;

typedef struct om_gemm_epilogue {
    const float *bias_m;              /* [m] or NULL */
    const float *bias_n;              /* [n] or NULL */
    float lo, hi;                     /* clamp bounds; -inf, +inf for none */
} om_gemm_epilogue;

/* Output j of f32_depthwise_conv_rows is clamp(sum + bias, lo, hi), where
 * sum starts at 0 and adds x[j * stride + r * row_stride + c * dilation] *
 * weights[r * kernel_w + c] for r < kernel_h, then c < kernel_w, in
 * ascending order. Tables with FMA fuse each product into the sum. An
 * output's arithmetic does not depend on where it falls in a call, so
 * callers may split the outputs between calls (and threads) freely. The
 * clamp is the GEMM epilogue's (NaN passes); -inf, +inf clamp nothing.
 *
 * The outputs form rows of `pitch`, of which the first `width` are kept:
 * output j is stored at y[(j / pitch) * width + j % pitch] when
 * j % pitch < width, and dropped otherwise, so the kept outputs fill y
 * without gaps. A zero-padded band of input rows read as one long row
 * gives the columns past the output width this way (see
 * conv_depthwise.c); pitch == width keeps every output. x is read only
 * inside the windows of outputs j < n, dropped ones included. Strides 1
 * and 2 are vectorised; larger ones run the scalar loop. */
typedef struct om_depthwise_params {
    size_t kernel_h, kernel_w;        /* window rows and columns, >= 1 */
    size_t row_stride;                /* floats between window rows */
    size_t stride, dilation;          /* along a row, in floats */
    size_t width, pitch;              /* 1 <= width <= pitch */
    const float *weights;             /* [kernel_h][kernel_w] */
    float bias;
    float lo, hi;                     /* clamp bounds */
} om_depthwise_params;

/* f32_max_pool_tiled pools windows that tile each input row: the column
 * stride equals kernel_w, so that the windows of one output row cover
 * out_w * kernel_w consecutive floats. For plane p < planes, row
 * i < out_h and column j < out_w, the output
 * y[p * y_plane + i * y_row + j] is the maximum of
 * x[p * x_plane + i * x_out_row + r * x_window_row + j * kernel_w + c]
 * over r < kernel_h and c < kernel_w. x_out_row is the stride of the
 * pooling rows and x_window_row its dilation, in floats. x is read only
 * inside the windows.
 *
 * The fold step is f32_max_window's: a NaN met first stays, else a value
 * >= the maximum so far replaces it. But where f32_max_window folds in
 * row-major order, every table here folds each window column by column:
 * down each column in ascending r, then across the column maxima in
 * ascending c. So a window holding a NaN gives NaN, a window
 * whose maximum is a zero of both signs gives the one last in
 * column-major order, and every table gives the scalar table's bits, NaN
 * payloads included. */
typedef struct om_max_pool_tiled_params {
    size_t planes;
    size_t out_h, out_w;              /* outputs per plane */
    size_t kernel_h, kernel_w;        /* window rows and columns, >= 1 */
    size_t x_plane, x_out_row, x_window_row;  /* input strides, in floats */
    size_t y_plane, y_row;            /* output strides, in floats */
} om_max_pool_tiled_params;

typedef struct om_kernels {
    const char *isa;                  /* "scalar", "sse2", ... */

    /* y[i] = max(x[i], 0); NaN stays NaN. x and y may be the same. */
    void (*f32_relu)(size_t n, const float *x, float *y);

    /* y[i] = a[i * step_a] + b[i * step_b], steps 0 or 1. y may alias an
     * operand whose step is 1. */
    void (*f32_add)(size_t n, const float *a, size_t step_a, const float *b,
                    size_t step_b, float *y);

    /* One row of 2-D max pooling over windows inside the input: for i < n,
     * y[i] = the maximum of x[r * row_stride + i * stride + c * dilation]
     * over r < rows and c < cols (rows, cols >= 1). A window holding a NaN
     * gives NaN. Which NaN, and the sign of a maximum of zeros of both
     * signs, depend on the order of the fold and so on the table. The
     * AVX-512 table reduces the rows first for strides above 2, and the
     * others fold in row-major order. The ONNX spec leaves both open. */
    void (*f32_max_window)(size_t n, const float *x, size_t row_stride,
                           size_t rows, size_t cols, size_t stride,
                           size_t dilation, float *y);

    /* Max pooling of whole planes over windows that tile the input rows
     * (see om_max_pool_tiled_params). */
    void (*f32_max_pool_tiled)(const float *x,
                               const om_max_pool_tiled_params *params,
                               float *y);

    /* Register tile of the packed GEMM. */
    size_t gemm_mr, gemm_nr;

    /* C = A * B with the epilogue above; ldc is C's row stride. */
    void (*f32_gemm)(size_t m, size_t n, size_t k, const float *a_packed,
                     const float *b, const size_t *b_rows,
                     size_t b_tile_stride, float *c, size_t ldc,
                     const om_gemm_epilogue *epilogue);

    /* Columns per segment of f32_gemm_segments (one vector), or 0 when
     * the table has no f32_gemm_segments. */
    size_t gemm_segment;

    /* C = A * B over runs of columns that need not be evenly spaced in B
     * or C, as the output rows of a stride-1 convolution lie in a padded
     * band. Every gemm_nr / gemm_segment consecutive segments form one
     * register tile, so `segments` is a multiple of that. A segment reads
     * whole vectors, gemm_segment floats from b + b_offset + b_rows[p],
     * whatever its count. The epilogue's bias_n must be NULL. The entry
     * is NULL in tables whose gemm_segment is 0. */
    void (*f32_gemm_segments)(size_t m, size_t segments, size_t k,
                              const float *a_packed, const float *b,
                              const size_t *b_rows,
                              const om_gemm_segment *segs, float *c,
                              size_t ldc, const om_gemm_epilogue *epilogue);

    /* C = A * Bt^T for a narrow C, without packing: A [m x k] and Bt
     * [n x k] are row-major with row strides lda and ldb, so every output
     * is the dot product of two rows. Each output's products are summed
     * in vector lanes (lane l takes p = l, l + width, ...), then across
     * the lanes, in an order that does not depend on where the output
     * falls in a call. The epilogue is f32_gemm's. */
    void (*f32_gemm_nt)(size_t m, size_t n, size_t k, const float *a,
                        size_t lda, const float *bt, size_t ldb, float *c,
                        size_t ldc, const om_gemm_epilogue *epilogue);

    /* The gather of an im2col row: y[i] = x[i * stride] for i < n, with
     * stride >= 1. It reads nothing past x[(n - 1) * stride], and x and
     * y do not overlap. */
    void (*f32_copy_strided)(size_t n, const float *x, size_t stride,
                             float *y);

    /* Depthwise convolution over windows inside x (see
     * om_depthwise_params), n outputs numbered along one long row. */
    void (*f32_depthwise_conv_rows)(size_t n, const float *x,
                                    const om_depthwise_params *params,
                                    float *y);
} om_kernels;

/* The tables. A table for an instruction set this build leaves out is
 * absent from dispatch.c. */
extern const om_kernels om_kernels_scalar;
extern const om_kernels om_kernels_sse2;
extern const om_kernels om_kernels_avx2;
extern const om_kernels om_kernels_avx512;
extern const om_kernels om_kernels_neon;

/* Picks the table for an instruction set name: NULL or "" for the best one
 * this CPU runs (or the name in ONNXMINI_ISA when that is set). Fails with
 * a message naming the instruction set when it is unknown or unavailable. */
onnxmini_status om_kernels_select(const char *isa, const om_kernels **out,
                                  onnxmini_error *err);

/* Stores up to `capacity` tables that this build has and this CPU runs,
 * best first, and returns their number; for tests and benchmarks. */
size_t om_kernels_available(const om_kernels **tables, size_t capacity);

/* ------------------------------------------------------------- packing */

/* Bytes of a packed A (m x k) or B (k x n) for a tile size. */
size_t om_packed_a_bytes(size_t m, size_t k, size_t mr);
size_t om_packed_b_bytes(size_t k, size_t n, size_t nr);

/* Packs row-major A [m x k] (row stride lda) into blocks of [k][mr]. */
void om_pack_a(size_t m, size_t k, const float *a, size_t lda, size_t mr,
               float *packed);

/* Packs row-major B [k x n] (row stride ldb) into panels of [k][nr]. */
void om_pack_b(size_t k, size_t n, const float *b, size_t ldb, size_t nr,
               float *packed);

/* Packs a B whose row p starts at src + rows[p] (the shifted-rows layout
 * above) into panels of [k][nr], for columns [0, n). Every source row must
 * be readable for ceil(n / nr) * nr floats. */
void om_pack_b_shifted(size_t k, size_t n, const float *src,
                       const size_t *rows, size_t nr, float *packed);

/* The same packings for operands stored with any strides: element (i, p)
 * of A at a[i * row_stride + p * col_stride], element (p, j) of B at
 * b[p * row_stride + j * col_stride]. A transposed operand is a swap of
 * the two strides. */
void om_pack_a_strided(size_t m, size_t k, const float *a, size_t row_stride,
                       size_t col_stride, size_t mr, float *packed);
void om_pack_b_strided(size_t k, size_t n, const float *b, size_t row_stride,
                       size_t col_stride, size_t nr, float *packed);

/* Stores B [k x n], element (p, j) at b[p * row_stride + j * col_stride],
 * as the row-major Bt [n x k] that f32_gemm_nt reads. */
void om_pack_bt_strided(size_t k, size_t n, const float *b, size_t row_stride,
                        size_t col_stride, float *bt);

/* Fills b_rows for a packed B: rows[p] = p * nr. */
void om_packed_b_rows(size_t k, size_t nr, size_t *rows);

/* Applies the epilogue to a raw mr x nr tile of sums (row stride nr) and
 * stores its valid rows x cols part at c: the edge path that the SIMD
 * kernels share. i0 and j0 are the tile's first row and column in C. */
void om_gemm_store_tile(const float *tile, size_t nr, size_t rows, size_t cols,
                        size_t i0, size_t j0, const om_gemm_epilogue *ep,
                        float *c, size_t ldc);

/* The dot products of one row of A with rows b[0] .. b[7] of Bt, k floats
 * each: an instruction set's part of f32_gemm_nt. */
typedef void (*om_gemm_nt_row_fn)(size_t k, const float *a,
                                  const float *const b[8], float sums[8]);

/* f32_gemm_nt on top of a row kernel: every row of A against groups of
 * eight rows of Bt, where a group past column n - 1 repeats row n - 1,
 * then the epilogue on the valid outputs. */
void om_gemm_nt_rows(size_t m, size_t n, size_t k, const float *a, size_t lda,
                     const float *bt, size_t ldb, float *c, size_t ldc,
                     const om_gemm_epilogue *ep, om_gemm_nt_row_fn row);

/* Whether a product with n columns and k-long sums should take
 * f32_gemm_nt rather than f32_gemm. It should when panels of gemm_nr
 * columns would hold at least half as many padding columns as real ones,
 * and k is long enough to fill the vector lanes. (Ten classes against
 * 32-column panels move 3.2 times the weights.) */
int om_gemm_prefers_nt(const om_kernels *kernels, size_t n, size_t k);

/* The plain product C[m x n] = A[m x k] * B[k x n], row-major, without
 * packing: the reference the tests compare the packed kernels with. */
void om_f32_gemm_reference(size_t m, size_t n, size_t k, const float *a,
                           size_t lda, const float *b, size_t ldb, float *c,
                           size_t ldc);

#endif /* OM_KERNELS_H */
