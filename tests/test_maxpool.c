/*
 * test_maxpool.c - MaxPool (opsets 1, 8, 10, 11, 12) through the public
 * API.
 *
 * Rules under test, from the ONNX MaxPool specification:
 *   - Output size per spatial axis is
 *     floor((in + pad_begin + pad_end - ((k - 1) * dilation + 1)) / stride)
 *     + 1, or ceil(...) + 1 with ceil_mode=1 (opset 10). With ceil_mode, a
 *     window that would start in the end padding (at or past
 *     in + pad_begin) is dropped, as ONNX Runtime and PyTorch do and later
 *     versions of the ONNX text state.
 *   - Padding never takes part in the maximum ("maximum number of elements
 *     exclude pad"), so an all-negative input never yields 0.
 *   - The optional second output Indices (opset 8) is int64: the flattened
 *     index of each selected element in the whole input tensor, so it
 *     includes the batch and channel offset (n * C + c) * spatial_size.
 *     With storage_order=1 the spatial part is column-major (the first
 *     spatial axis varies fastest: h + w * H in 2-D), while the batch and
 *     channel offset stays the same; this is how ONNX Runtime computes it
 *     and what the ONNX backend test maxpool_with_argmax_2d_precomputed_
 *     strides expects.
 *   - auto_pad SAME_UPPER / SAME_LOWER make the output ceil(in / stride)
 *     and put an odd extra pad at the end / at the beginning; VALID uses no
 *     padding.
 *   - Opset 12 adds int8 and uint8 inputs.
 * ONNX does not say how NaN compares; the NaN test accepts both common
 * behaviours (propagating it or skipping it) and checks nothing else
 * changes.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "model_builder.h"

#define MAX_SPATIAL 3

/* Pooling parameters for the reference and for building the node. */
typedef struct pool_params {
    int spatial;                        /* number of spatial axes, 1..3 */
    int64_t n, c;
    int64_t in[MAX_SPATIAL];
    int64_t kernel[MAX_SPATIAL];
    int64_t stride[MAX_SPATIAL];
    int64_t dilation[MAX_SPATIAL];
    int64_t pad_begin[MAX_SPATIAL];
    int64_t pad_end[MAX_SPATIAL];
    int ceil_mode;
    int storage_order;                  /* 1: column-major indices */
} pool_params;

/* Returns the output size of one axis, applying the rule that drops a
 * ceil_mode window starting in the end padding. */
static int64_t pooled_size(const pool_params *p, int axis)
{
    int64_t span = (p->kernel[axis] - 1) * p->dilation[axis] + 1;
    int64_t room = p->in[axis] + p->pad_begin[axis] + p->pad_end[axis] - span;
    int64_t out = room / p->stride[axis] + 1;

    if (p->ceil_mode && room % p->stride[axis] != 0) {
        out++;
        if ((out - 1) * p->stride[axis] >= p->in[axis] + p->pad_begin[axis])
            out--;
    }
    return out;
}

/* Reference MaxPool over float data by explicit loops; missing spatial
 * axes count as size 1. Ties keep the first element in row-major window
 * order. Writes y and indices (either may be NULL) and the output
 * dims. */
static void reference_maxpool(const pool_params *p, const float *x, float *y,
                              int64_t *indices, int64_t *dims_y)
{
    int64_t in[MAX_SPATIAL], out[MAX_SPATIAL], k[MAX_SPATIAL];
    int64_t s[MAX_SPATIAL], d[MAX_SPATIAL], pb[MAX_SPATIAL];
    int64_t in_size = 1, out_size = 1;

    dims_y[0] = p->n;
    dims_y[1] = p->c;
    for (int a = 0; a < MAX_SPATIAL; a++) {
        int used = a < p->spatial;

        in[a] = used ? p->in[a] : 1;
        out[a] = used ? pooled_size(p, a) : 1;
        k[a] = used ? p->kernel[a] : 1;
        s[a] = used ? p->stride[a] : 1;
        d[a] = used ? p->dilation[a] : 1;
        pb[a] = used ? p->pad_begin[a] : 0;
        if (used)
            dims_y[2 + a] = out[a];
        in_size *= in[a];
        out_size *= out[a];
    }

    for (int64_t plane = 0; plane < p->n * p->c; plane++)
        for (int64_t o0 = 0; o0 < out[0]; o0++)
            for (int64_t o1 = 0; o1 < out[1]; o1++)
                for (int64_t o2 = 0; o2 < out[2]; o2++) {
                    float best = -INFINITY;
                    int64_t best_index = -1;

                    for (int64_t k0 = 0; k0 < k[0]; k0++)
                        for (int64_t k1 = 0; k1 < k[1]; k1++)
                            for (int64_t k2 = 0; k2 < k[2]; k2++) {
                                int64_t i0 = o0 * s[0] - pb[0] + k0 * d[0];
                                int64_t i1 = o1 * s[1] - pb[1] + k1 * d[1];
                                int64_t i2 = o2 * s[2] - pb[2] + k2 * d[2];

                                if (i0 < 0 || i0 >= in[0] || i1 < 0 ||
                                    i1 >= in[1] || i2 < 0 || i2 >= in[2])
                                    continue;
                                int64_t flat = (i0 * in[1] + i1) * in[2] + i2;
                                float v = x[plane * in_size + flat];

                                if (best_index < 0 || v > best) {
                                    best = v;
                                    /* Column-major over the axes in use:
                                     * the first axis varies fastest. */
                                    int64_t spatial_index =
                                        p->storage_order == 0
                                            ? flat
                                            : p->spatial == 1 ? i0
                                            : p->spatial == 2
                                                ? i0 + i1 * in[0]
                                                : i0 + (i1 + i2 * in[1]) *
                                                           in[0];
                                    best_index =
                                        plane * in_size + spatial_index;
                                }
                            }
                    int64_t at = plane * out_size +
                                 (o0 * out[1] + o1) * out[2] + o2;
                    if (y != NULL)
                        y[at] = best;
                    if (indices != NULL)
                        indices[at] = best_index;
                }
}

/* Adds a MaxPool node reading X with the attributes of p (kernel_shape,
 * strides, dilations when not all 1, pads, ceil_mode when set,
 * storage_order when set). outputs is "Y" or "Y", "I". */
static mb_node *add_pool_node(mb_model *m, const char *name,
                              const pool_params *p,
                              const char *const *outputs)
{
    mb_node *n = mb_node_add(m, "MaxPool", name, MB_NAMES("X"), outputs);
    int64_t pads[2 * MAX_SPATIAL];
    int dilated = 0;

    for (int a = 0; a < p->spatial; a++) {
        pads[a] = p->pad_begin[a];
        pads[p->spatial + a] = p->pad_end[a];
        dilated |= p->dilation[a] != 1;
    }
    mb_attr_ints(n, "kernel_shape", p->spatial, p->kernel);
    mb_attr_ints(n, "strides", p->spatial, p->stride);
    mb_attr_ints(n, "pads", 2 * p->spatial, pads);
    if (dilated)
        mb_attr_ints(n, "dilations", p->spatial, p->dilation);
    if (p->ceil_mode)
        mb_attr_int(n, "ceil_mode", 1);
    if (p->storage_order)
        mb_attr_int(n, "storage_order", 1);
    return n;
}

/* Builds a one-node float MaxPool model on X of shape [n, c, in...] with
 * outputs Y and, when with_indices, Indices. */
static mb_model *pool_model(void **state, int64_t opset, const pool_params *p,
                            const float *x, int with_indices)
{
    mb_model *m = mb_case_model(state, opset);
    int64_t dims[2 + MAX_SPATIAL] = {p->n, p->c};

    memcpy(dims + 2, p->in, (size_t)p->spatial * sizeof(int64_t));
    add_pool_node(m, "pool", p,
                  with_indices ? MB_NAMES("Y", "I") : MB_NAMES("Y"));
    mb_input_data(m, "X", ONNXMINI_FLOAT, 2 + p->spatial, dims, x);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    if (with_indices)
        mb_output(m, "I", ONNXMINI_INT64, MB_NO_SHAPE, NULL);
    return m;
}

/* Builds a float MaxPool model from an attribute list written by the
 * test, for the hand-computed cases. */
static mb_node *plain_pool_model(void **state, int64_t opset,
                                 onnxmini_dtype dtype, int rank,
                                 const int64_t *dims, const void *x)
{
    mb_model *m = mb_case_model(state, opset);
    mb_node *n = mb_node_add(m, "MaxPool", "pool", MB_NAMES("X"),
                             MB_NAMES("Y"));

    mb_input_data(m, "X", dtype, rank, dims, x);
    mb_output(m, "Y", dtype, MB_NO_SHAPE, NULL);
    return n;
}

/* A 4x4 input with distinct values, used by several hand-computed tests:
 *    1   5   2   0
 *    3   4   8   7
 *   -1  -2   6   9
 *   10  -3  11  12                                                      */
static const float grid4[16] = {1, 5, 2, 0, 3, 4, 8, 7, -1, -2, 6, 9,
                                10, -3, 11, 12};

/* x(i, j) = 5i + j on a 5x5 grid, so each window's maximum is its
 * bottom-right element inside the input. */
static void fill_ramp5(float *x)
{
    for (int i = 0; i < 25; i++)
        x[i] = (float)i;
}

/* Ensures a 2x2 kernel with stride 2 takes each block's maximum. */
static void test_maxpool_kernel_stride_2x2(void **state)
{
    /* Blocks {1,5,3,4}, {2,0,8,7}, {-1,-2,10,-3}, {6,9,11,12}. */
    const float expected[4] = {5, 8, 10, 12};
    mb_node *n = plain_pool_model(state, 12, ONNXMINI_FLOAT,
                                  MB_DIMS(1, 1, 4, 4), grid4);

    mb_attr_ints(n, "kernel_shape", MB_I64S(2, 2));
    mb_attr_ints(n, "strides", MB_I64S(2, 2));
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 1, 2, 2),
                     expected, 0);
}

/* Ensures strides default to 1 when absent: a 3x3 kernel on 4x4 gives
 * 2x2. */
static void test_maxpool_default_stride_is_one(void **state)
{
    /* Windows rows 0-2 / 1-3 by columns 0-2 / 1-3. */
    const float expected[4] = {8, 9, 11, 12};
    mb_node *n = plain_pool_model(state, 12, ONNXMINI_FLOAT,
                                  MB_DIMS(1, 1, 4, 4), grid4);

    mb_attr_ints(n, "kernel_shape", MB_I64S(3, 3));
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 1, 2, 2),
                     expected, 0);
}

/* Ensures padding never wins: on an all-negative input with pads 1, every
 * output is a real (negative) element, never 0. */
static void test_maxpool_padding_never_wins(void **state)
{
    /* x(i, j) = -(3i + j + 1); each window's maximum is its top-left
     * element inside the input: y(i, j) = x(max(i-1, 0), max(j-1, 0)). */
    const float x[9] = {-1, -2, -3, -4, -5, -6, -7, -8, -9};
    const float expected[9] = {-1, -1, -2, -1, -1, -2, -4, -4, -5};
    mb_node *n = plain_pool_model(state, 12, ONNXMINI_FLOAT,
                                  MB_DIMS(1, 1, 3, 3), x);

    mb_attr_ints(n, "kernel_shape", MB_I64S(3, 3));
    mb_attr_ints(n, "pads", MB_I64S(1, 1, 1, 1));
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 1, 3, 3),
                     expected, 0);
}

/* Ensures asymmetric pads: [1, 0, 0, 1] pads the top and the right. */
static void test_maxpool_asymmetric_pads(void **state)
{
    /* Kernel 2, stride 2. Rows: 1 + 4 = 5 padded rows give 2 windows,
     * rows {-1,0} and {1,2}. Columns: 4 + 1 = 5 give columns {0,1} and
     * {2,3}. Maxima: {1,5}, {2,0}, {3,4,-1,-2}, {8,7,6,9}. */
    const float expected[4] = {5, 2, 4, 9};
    mb_node *n = plain_pool_model(state, 12, ONNXMINI_FLOAT,
                                  MB_DIMS(1, 1, 4, 4), grid4);

    mb_attr_ints(n, "kernel_shape", MB_I64S(2, 2));
    mb_attr_ints(n, "strides", MB_I64S(2, 2));
    mb_attr_ints(n, "pads", MB_I64S(1, 0, 0, 1));
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 1, 2, 2),
                     expected, 0);
}

/* Ensures a 3x3 kernel with stride 2 on 5x5 gives 2x2. */
static void test_maxpool_strides(void **state)
{
    /* Windows start at 0 and 2: maxima x(2,2), x(2,4), x(4,2), x(4,4). */
    const float expected[4] = {12, 14, 22, 24};
    float x[25];

    fill_ramp5(x);
    mb_node *n = plain_pool_model(state, 12, ONNXMINI_FLOAT,
                                  MB_DIMS(1, 1, 5, 5), x);
    mb_attr_ints(n, "kernel_shape", MB_I64S(3, 3));
    mb_attr_ints(n, "strides", MB_I64S(2, 2));
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 1, 2, 2),
                     expected, 0);
}

/* Ensures ceil_mode=1 keeps the partial last window: 5x5, kernel 2,
 * stride 2 gives 3x3 (ceil(3/2) + 1) instead of 2x2. */
static void test_maxpool_ceil_mode_keeps_partial_window(void **state)
{
    /* Row windows {0,1}, {2,3}, {4}, the same for columns. */
    const float expected[9] = {6, 8, 9, 16, 18, 19, 21, 23, 24};
    float x[25];

    fill_ramp5(x);
    mb_node *n = plain_pool_model(state, 12, ONNXMINI_FLOAT,
                                  MB_DIMS(1, 1, 5, 5), x);
    mb_attr_ints(n, "kernel_shape", MB_I64S(2, 2));
    mb_attr_ints(n, "strides", MB_I64S(2, 2));
    mb_attr_int(n, "ceil_mode", 1);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 1, 3, 3),
                     expected, 0);
}

/* Ensures the default floor mode drops the partial last window. */
static void test_maxpool_floor_mode_drops_partial_window(void **state)
{
    const float expected[4] = {6, 8, 16, 18};
    float x[25];

    fill_ramp5(x);
    mb_node *n = plain_pool_model(state, 12, ONNXMINI_FLOAT,
                                  MB_DIMS(1, 1, 5, 5), x);
    mb_attr_ints(n, "kernel_shape", MB_I64S(2, 2));
    mb_attr_ints(n, "strides", MB_I64S(2, 2));
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 1, 2, 2),
                     expected, 0);
}

/* Ensures ceil_mode drops a window that would start in the end padding:
 * length 5, kernel 2, stride 3, pads [0, 1] gives ceil(4/3) + 1 = 3
 * windows by the formula, but the third starts at 6 >= 5 + 0, so the
 * output has 2. */
static void test_maxpool_ceil_mode_drops_window_in_end_padding(void **state)
{
    const float x[5] = {3, -1, 4, 1, -5};
    /* Windows [0,1] and [3,4]. */
    const float expected[2] = {3, 1};
    mb_node *n = plain_pool_model(state, 12, ONNXMINI_FLOAT,
                                  MB_DIMS(1, 1, 5), x);

    mb_attr_ints(n, "kernel_shape", MB_I64S(2));
    mb_attr_ints(n, "strides", MB_I64S(3));
    mb_attr_ints(n, "pads", MB_I64S(0, 1));
    mb_attr_int(n, "ceil_mode", 1);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 1, 2),
                     expected, 0);
}

/* Ensures ceil_mode drops a window that would start past the input with no
 * padding at all: 2x2, kernel 1, stride 2 gives 1x1, not 2x2 (the ONNX
 * backend test maxpool_2d_ceil_output_size_reduce_by_one). */
static void test_maxpool_ceil_mode_drops_window_past_input(void **state)
{
    const float x[4] = {7, 8, 9, 10};
    const float expected[1] = {7};
    mb_node *n = plain_pool_model(state, 12, ONNXMINI_FLOAT,
                                  MB_DIMS(1, 1, 2, 2), x);

    mb_attr_ints(n, "kernel_shape", MB_I64S(1, 1));
    mb_attr_ints(n, "strides", MB_I64S(2, 2));
    mb_attr_int(n, "ceil_mode", 1);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 1, 1, 1),
                     expected, 0);
}

/* Ensures dilations spread the kernel: a 2x2 kernel with dilation 2 reads
 * x(i,j), x(i,j+2), x(i+2,j), x(i+2,j+2). */
static void test_maxpool_dilations(void **state)
{
    /* (0,0): {1,2,-1,6}; (0,1): {5,0,-2,9}; (1,0): {3,8,10,11};
     * (1,1): {4,7,-3,12}. */
    const float expected[4] = {6, 9, 11, 12};
    mb_node *n = plain_pool_model(state, 12, ONNXMINI_FLOAT,
                                  MB_DIMS(1, 1, 4, 4), grid4);

    mb_attr_ints(n, "kernel_shape", MB_I64S(2, 2));
    mb_attr_ints(n, "dilations", MB_I64S(2, 2));
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 1, 2, 2),
                     expected, 0);
}

/* Ensures Indices contains row-major indices over the whole input, including
 * the (n * C + c) * H * W offset of each plane. */
static void test_maxpool_indices_row_major(void **state)
{
    float x[64], expected_y[16];
    int64_t expected_i[16];
    /* In grid4 the 2x2 blocks' maxima 5, 8, 10, 12 sit at (0,1), (1,2),
     * (3,0), (3,3): flat 1, 6, 12, 15. Plane k contains grid4 + 100k. */
    const int64_t block_max_index[4] = {1, 6, 12, 15};
    const float block_max[4] = {5, 8, 10, 12};
    mb_model *m = mb_case_model(state, 12);
    mb_node *n;

    for (int k = 0; k < 4; k++) {
        for (int i = 0; i < 16; i++)
            x[16 * k + i] = grid4[i] + 100.0f * (float)k;
        for (int b = 0; b < 4; b++) {
            expected_y[4 * k + b] = block_max[b] + 100.0f * (float)k;
            expected_i[4 * k + b] = block_max_index[b] + 16 * k;
        }
    }
    n = mb_node_add(m, "MaxPool", "pool", MB_NAMES("X"), MB_NAMES("Y", "I"));
    mb_attr_ints(n, "kernel_shape", MB_I64S(2, 2));
    mb_attr_ints(n, "strides", MB_I64S(2, 2));
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(2, 2, 4, 4), x);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_output(m, "I", ONNXMINI_INT64, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    assert_int_equal(r->n_outputs, 2);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(2, 2, 2, 2),
                     expected_y, 0);
    mb_assert_tensor(&r->outputs[1], ONNXMINI_INT64, MB_DIMS(2, 2, 2, 2),
                     expected_i, 0);
}

/* Ensures storage_order=1 makes the spatial part of Indices column-major
 * (h + w * H) on a non-square 2x4 plane, keeping the plane offset. */
static void test_maxpool_indices_column_major(void **state)
{
    /* Channel 0:  1 5 2 0      channel 1: the same + 100.
     *             3 4 8 7
     * Block maxima 5 at (0,1) and 8 at (1,2): column-major 0 + 1*2 = 2 and
     * 1 + 2*2 = 5; channel 1 adds 2 * 4 = 8. */
    const float x[16] = {1,   5,   2,   0,   3,   4,   8,   7,
                         101, 105, 102, 100, 103, 104, 108, 107};
    const float expected_y[4] = {5, 8, 105, 108};
    const int64_t expected_i[4] = {2, 5, 10, 13};
    mb_model *m = mb_case_model(state, 12);
    mb_node *n = mb_node_add(m, "MaxPool", "pool", MB_NAMES("X"),
                             MB_NAMES("Y", "I"));

    mb_attr_ints(n, "kernel_shape", MB_I64S(2, 2));
    mb_attr_ints(n, "strides", MB_I64S(2, 2));
    mb_attr_int(n, "storage_order", 1);
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(1, 2, 2, 4), x);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_output(m, "I", ONNXMINI_INT64, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    assert_int_equal(r->n_outputs, 2);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 2, 1, 2),
                     expected_y, 0);
    mb_assert_tensor(&r->outputs[1], ONNXMINI_INT64, MB_DIMS(1, 2, 1, 2),
                     expected_i, 0);
}

/* Ensures Indices point into the unpadded input when pads are present. */
static void test_maxpool_indices_with_padding(void **state)
{
    /* 3x3 input 1..9, pads 1, kernel 2, stride 2: windows rows {-1,0},
     * {1,2} by the same columns, maxima x(0,0)=1, x(0,2)=3, x(2,0)=7,
     * x(2,2)=9 at flat 0, 2, 6, 8. */
    const float x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    const float expected_y[4] = {1, 3, 7, 9};
    const int64_t expected_i[4] = {0, 2, 6, 8};
    mb_model *m = mb_case_model(state, 12);
    mb_node *n = mb_node_add(m, "MaxPool", "pool", MB_NAMES("X"),
                             MB_NAMES("Y", "I"));

    mb_attr_ints(n, "kernel_shape", MB_I64S(2, 2));
    mb_attr_ints(n, "strides", MB_I64S(2, 2));
    mb_attr_ints(n, "pads", MB_I64S(1, 1, 1, 1));
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(1, 1, 3, 3), x);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_output(m, "I", ONNXMINI_INT64, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 1, 2, 2),
                     expected_y, 0);
    mb_assert_tensor(&r->outputs[1], ONNXMINI_INT64, MB_DIMS(1, 1, 2, 2),
                     expected_i, 0);
}

/* Ensures the Indices output exists from opset 8. */
static void test_maxpool_indices_opset8(void **state)
{
    const float x[4] = {1, 4, 3, 2};
    const float expected_y[1] = {4};
    const int64_t expected_i[1] = {1};
    mb_model *m = mb_case_model(state, 8);
    mb_node *n = mb_node_add(m, "MaxPool", "pool", MB_NAMES("X"),
                             MB_NAMES("Y", "I"));

    mb_attr_ints(n, "kernel_shape", MB_I64S(2, 2));
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(1, 1, 2, 2), x);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_output(m, "I", ONNXMINI_INT64, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 1, 1, 1),
                     expected_y, 0);
    mb_assert_tensor(&r->outputs[1], ONNXMINI_INT64, MB_DIMS(1, 1, 1, 1),
                     expected_i, 0);
}

/* Runs a 5x5 ramp through kernel 2, stride 2 and the given auto_pad. */
static mb_result *run_auto_pad(void **state, const char *auto_pad)
{
    float x[25];

    fill_ramp5(x);
    mb_node *n = plain_pool_model(state, 12, ONNXMINI_FLOAT,
                                  MB_DIMS(1, 1, 5, 5), x);
    mb_attr_ints(n, "kernel_shape", MB_I64S(2, 2));
    mb_attr_ints(n, "strides", MB_I64S(2, 2));
    mb_attr_string(n, "auto_pad", auto_pad);
    return mb_case_run(state);
}

/* Ensures SAME_UPPER on 5x5, kernel 2, stride 2 gives 3x3 with the odd
 * pad at the end: windows {0,1}, {2,3}, {4} per axis. */
static void test_maxpool_auto_pad_same_upper(void **state)
{
    const float expected[9] = {6, 8, 9, 16, 18, 19, 21, 23, 24};
    mb_result *r = run_auto_pad(state, "SAME_UPPER");

    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 1, 3, 3),
                     expected, 0);
}

/* Ensures SAME_LOWER puts the odd pad at the beginning: windows {0},
 * {1,2}, {3,4} per axis, maxima at rows and columns 0, 2, 4. */
static void test_maxpool_auto_pad_same_lower(void **state)
{
    const float expected[9] = {0, 2, 4, 10, 12, 14, 20, 22, 24};
    mb_result *r = run_auto_pad(state, "SAME_LOWER");

    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 1, 3, 3),
                     expected, 0);
}

/* Ensures VALID uses no padding: 5x5 gives 2x2. */
static void test_maxpool_auto_pad_valid(void **state)
{
    const float expected[4] = {6, 8, 16, 18};
    mb_result *r = run_auto_pad(state, "VALID");

    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 1, 2, 2),
                     expected, 0);
}

/* Ensures 1-D pooling over two channels. */
static void test_maxpool_1d(void **state)
{
    const float x[12] = {1, 3, 2, 5, 4, 0, -1, -2, -3, -4, -5, -6};
    /* Kernel 3, stride 1: windows [0..2] .. [3..5] per channel. */
    const float expected[8] = {3, 5, 5, 5, -1, -2, -3, -4};
    mb_node *n = plain_pool_model(state, 12, ONNXMINI_FLOAT,
                                  MB_DIMS(1, 2, 6), x);

    mb_attr_ints(n, "kernel_shape", MB_I64S(3));
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 2, 4),
                     expected, 0);
}

/* Fills x with distinct values (a permutation of -count/2 ..), so that
 * indices are unambiguous. count must not be a multiple of 7919. */
static void fill_distinct(float *x, size_t count)
{
    for (size_t i = 0; i < count; i++)
        x[i] = (float)((i * 7919) % count) - (float)(count / 2);
}

/* Runs p on distinct data and compares Y and Indices with the reference
 * on every kernel instruction set. */
static void check_pool_against_reference(void **state, int64_t opset,
                                         const pool_params *p)
{
    const char *const isas[] = {NULL, "scalar"};
    size_t count = (size_t)(p->n * p->c);
    size_t out_count = (size_t)(p->n * p->c);
    int64_t dims_y[2 + MAX_SPATIAL];

    for (int a = 0; a < p->spatial; a++) {
        count *= (size_t)p->in[a];
        out_count *= (size_t)pooled_size(p, a);
    }
    float *x = mb_case_alloc(state, count * sizeof *x);
    float *y = mb_case_alloc(state, out_count * sizeof *y);
    int64_t *indices = mb_case_alloc(state, out_count * sizeof *indices);

    fill_distinct(x, count);
    reference_maxpool(p, x, y, indices, dims_y);
    pool_model(state, opset, p, x, 1);
    for (size_t k = 0; k < sizeof isas / sizeof isas[0]; k++) {
        onnxmini_session_options options;

        onnxmini_session_options_init(&options);
        options.isa = isas[k];
        mb_result *r = mb_case_run_with(state, &options);
        mb_subcontext("isa %s", isas[k] != NULL ? isas[k] : "default");
        mb_assert_ok(r);
        mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, 2 + p->spatial,
                         dims_y, y, 0);
        mb_assert_tensor(&r->outputs[1], ONNXMINI_INT64, 2 + p->spatial,
                         dims_y, indices, 0);
    }
}

/* Ensures 3-D pooling with strides, asymmetric pads and Indices matches
 * the reference. */
static void test_maxpool_3d(void **state)
{
    const pool_params p = {
        .spatial = 3, .n = 1, .c = 2,
        .in = {3, 4, 5}, .kernel = {2, 2, 2}, .stride = {1, 2, 2},
        .dilation = {1, 1, 1}, .pad_begin = {0, 1, 0}, .pad_end = {1, 0, 1},
    };

    check_pool_against_reference(state, 12, &p);
}

/* Ensures column-major Indices in 3-D (d + h * D + w * D * H) match the
 * reference. */
static void test_maxpool_3d_column_major_indices(void **state)
{
    const pool_params p = {
        .spatial = 3, .n = 2, .c = 1,
        .in = {2, 3, 4}, .kernel = {1, 2, 2}, .stride = {1, 1, 2},
        .dilation = {1, 1, 1}, .storage_order = 1,
    };

    check_pool_against_reference(state, 12, &p);
}

/* Ensures mixed 2-D settings (batch, strides, dilations, ceil_mode, pads)
 * match the reference. The third case keeps a partial ceil_mode window on
 * the first axis and drops one that starts in the end padding on the
 * second. */
static void test_maxpool_2d_combinations_match_reference(void **state)
{
    const pool_params cases[] = {
        {.spatial = 2, .n = 2, .c = 3, .in = {7, 9}, .kernel = {3, 3},
         .stride = {2, 2}, .dilation = {1, 1}, .pad_begin = {1, 1},
         .pad_end = {1, 1}},
        {.spatial = 2, .n = 1, .c = 4, .in = {8, 8}, .kernel = {2, 3},
         .stride = {2, 1}, .dilation = {2, 1}, .pad_begin = {0, 1},
         .pad_end = {1, 0}, .ceil_mode = 1},
        {.spatial = 2, .n = 1, .c = 1, .in = {12, 12}, .kernel = {3, 2},
         .stride = {3, 3}, .dilation = {1, 2}, .pad_begin = {1, 0},
         .pad_end = {1, 1}, .ceil_mode = 1},
        {.spatial = 2, .n = 3, .c = 17, .in = {5, 5}, .kernel = {2, 2},
         .stride = {1, 1}, .dilation = {1, 1}},
        {.spatial = 2, .n = 1, .c = 2, .in = {6, 7}, .kernel = {3, 3},
         .stride = {2, 2}, .dilation = {1, 1}, .pad_begin = {1, 1},
         .pad_end = {1, 1}, .storage_order = 1},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mb_context("case %zu", i);
        check_pool_against_reference(state, 12, &cases[i]);
    }
}

/* Runs p without the Indices output on x, on the session's instruction
 * set and on the scalar kernels, and compares Y with the reference.
 * Without Indices, float 2-D pooling whose column stride equals the
 * kernel width pools the windows inside the input in one kernel call. */
static void check_values_against_reference(void **state, const pool_params *p,
                                           const float *x)
{
    const char *const isas[] = {NULL, "scalar"};
    size_t out_count = (size_t)(p->n * p->c);
    int64_t dims_y[2 + MAX_SPATIAL];

    for (int a = 0; a < p->spatial; a++)
        out_count *= (size_t)pooled_size(p, a);
    float *y = mb_case_alloc(state, out_count * sizeof *y);

    reference_maxpool(p, x, y, NULL, dims_y);
    pool_model(state, 12, p, x, 0);
    for (size_t k = 0; k < sizeof isas / sizeof isas[0]; k++) {
        onnxmini_session_options options;

        onnxmini_session_options_init(&options);
        options.isa = isas[k];
        mb_result *r = mb_case_run_with(state, &options);
        mb_subcontext("isa %s", isas[k] != NULL ? isas[k] : "default");
        mb_assert_ok(r);
        mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, 2 + p->spatial,
                         dims_y, y, 0);
    }
}

/* Returns the number of input elements of p. */
static size_t input_count(const pool_params *p)
{
    size_t count = (size_t)(p->n * p->c);

    for (int a = 0; a < p->spatial; a++)
        count *= (size_t)p->in[a];
    return count;
}

/* Ensures float pooling whose column stride equals the kernel width
 * matches the reference without Indices. The cases are the MNIST model's
 * 2x2 and 3x3 pools, rows longer than two AVX-512 registers, odd sizes
 * that leave input rows and columns out, and planes of one row. Then come
 * windows of 1, 4 and 5 columns, a vertical stride and dilation of their
 * own, and a horizontal dilation, whose windows do not tile the rows. */
static void test_maxpool_tiled_shapes_match_reference(void **state)
{
    const pool_params cases[] = {
        {.spatial = 2, .n = 2, .c = 3, .in = {7, 9}, .kernel = {2, 2},
         .stride = {2, 2}, .dilation = {1, 1}},
        {.spatial = 2, .n = 1, .c = 8, .in = {28, 28}, .kernel = {2, 2},
         .stride = {2, 2}, .dilation = {1, 1}},
        {.spatial = 2, .n = 1, .c = 16, .in = {14, 14}, .kernel = {3, 3},
         .stride = {3, 3}, .dilation = {1, 1}},
        {.spatial = 2, .n = 1, .c = 2, .in = {5, 70}, .kernel = {2, 2},
         .stride = {2, 2}, .dilation = {1, 1}},
        {.spatial = 2, .n = 1, .c = 3, .in = {1, 33}, .kernel = {1, 2},
         .stride = {1, 2}, .dilation = {1, 1}},
        {.spatial = 2, .n = 1, .c = 2, .in = {9, 8}, .kernel = {3, 1},
         .stride = {2, 1}, .dilation = {1, 1}},
        {.spatial = 2, .n = 1, .c = 2, .in = {12, 18}, .kernel = {4, 4},
         .stride = {4, 4}, .dilation = {1, 1}},
        {.spatial = 2, .n = 1, .c = 2, .in = {11, 26}, .kernel = {5, 5},
         .stride = {5, 5}, .dilation = {1, 1}},
        {.spatial = 2, .n = 1, .c = 2, .in = {10, 13}, .kernel = {2, 3},
         .stride = {3, 3}, .dilation = {2, 1}},
        {.spatial = 2, .n = 1, .c = 2, .in = {8, 13}, .kernel = {2, 2},
         .stride = {2, 2}, .dilation = {1, 2}},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        float *x = mb_case_alloc(state, input_count(&cases[i]) * sizeof *x);

        mb_context("case %zu", i);
        fill_distinct(x, input_count(&cases[i]));
        check_values_against_reference(state, &cases[i], x);
    }
}

/* Ensures pads and ceil_mode around windows that tile the input rows
 * match the reference: the windows inside the input and the partial ones
 * at the borders are computed by different paths. */
static void test_maxpool_tiled_borders_match_reference(void **state)
{
    const pool_params cases[] = {
        {.spatial = 2, .n = 1, .c = 3, .in = {7, 9}, .kernel = {2, 2},
         .stride = {2, 2}, .dilation = {1, 1}, .ceil_mode = 1},
        {.spatial = 2, .n = 2, .c = 2, .in = {10, 11}, .kernel = {3, 3},
         .stride = {3, 3}, .dilation = {1, 1}, .pad_begin = {1, 1},
         .pad_end = {1, 1}},
        {.spatial = 2, .n = 1, .c = 2, .in = {8, 8}, .kernel = {2, 2},
         .stride = {2, 2}, .dilation = {1, 1}, .pad_begin = {1, 0},
         .pad_end = {0, 1}},
        {.spatial = 2, .n = 1, .c = 2, .in = {6, 40}, .kernel = {3, 3},
         .stride = {3, 3}, .dilation = {1, 1}, .pad_begin = {2, 0},
         .pad_end = {2, 2}, .ceil_mode = 1},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        float *x = mb_case_alloc(state, input_count(&cases[i]) * sizeof *x);

        mb_context("case %zu", i);
        fill_distinct(x, input_count(&cases[i]));
        check_values_against_reference(state, &cases[i], x);
    }
}

/* Ensures a NaN at any position of a 2x2 or 3x3 window that tiles the
 * input makes that window's output NaN and no other, as maxpool.c states
 * for this library. Window j of the first output row gets a NaN at
 * position j of the window, in row-major order. */
static void test_maxpool_tiled_nan_in_every_position(void **state)
{
    for (int64_t k = 2; k <= 3; k++) {
        /* One plane of k rows of 2 * k * k windows: the first k * k get
         * a NaN each, the rest none. */
        const int64_t in_w = 2 * k * k * k;
        const pool_params p = {
            .spatial = 2, .n = 1, .c = 1, .in = {k, in_w},
            .kernel = {k, k}, .stride = {k, k}, .dilation = {1, 1},
        };
        const size_t count = (size_t)(k * in_w), outputs = (size_t)(in_w / k);
        float *x = mb_case_alloc(state, count * sizeof *x);

        mb_context("kernel %lld", (long long)k);
        fill_distinct(x, count);
        for (int64_t j = 0; j < k * k; j++)
            x[(j / k) * in_w + j * k + j % k] = NAN;
        pool_model(state, 12, &p, x, 0);
        mb_result *r = mb_case_run(state);
        mb_assert_ok(r);
        assert_int_equal(r->outputs[0].count, outputs);

        const float *y = r->outputs[0].data;
        for (size_t j = 0; j < outputs; j++) {
            float expected = -INFINITY;
            for (int64_t row = 0; row < k; row++)
                for (int64_t col = 0; col < k; col++) {
                    float v = x[row * in_w + (int64_t)j * k + col];
                    if (v > expected)
                        expected = v;
                }
            if (j < (size_t)(k * k) && !isnan(y[j]))
                fail_msg("output %zu is %g, expected NaN", j, (double)y[j]);
            if (j >= (size_t)(k * k) && y[j] != expected)
                fail_msg("output %zu is %g, expected %g", j, (double)y[j],
                         (double)expected);
        }
    }
}

/* Ensures an input of -inf gives -inf through windows that tile the
 * input, padded or not, and never the lowest finite float or 0. */
static void test_maxpool_tiled_minus_infinity(void **state)
{
    const pool_params p = {
        .spatial = 2, .n = 1, .c = 2, .in = {5, 19}, .kernel = {2, 2},
        .stride = {2, 2}, .dilation = {1, 1}, .pad_begin = {1, 1},
        .pad_end = {0, 0},
    };
    const size_t count = input_count(&p);
    float *x = mb_case_alloc(state, count * sizeof *x);

    for (size_t i = 0; i < count; i++)
        x[i] = -INFINITY;
    check_values_against_reference(state, &p, x);
}

/* Ensures uint8 input (opset 12) pools without sign problems above 127. */
static void test_maxpool_uint8(void **state)
{
    /* Rows 0 255 3 4 / 200 1 128 129: blocks {0,255,200,1} and
     * {3,4,128,129}. */
    const uint8_t x[8] = {0, 255, 3, 4, 200, 1, 128, 129};
    const uint8_t expected[2] = {255, 129};
    mb_node *n = plain_pool_model(state, 12, ONNXMINI_UINT8,
                                  MB_DIMS(1, 1, 2, 4), x);

    mb_attr_ints(n, "kernel_shape", MB_I64S(2, 2));
    mb_attr_ints(n, "strides", MB_I64S(2, 2));
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_UINT8, MB_DIMS(1, 1, 1, 2),
                     expected, 0);
}

/* Ensures int8 input (opset 12) with pads: padding must not act as 0 (or
 * any value) and beat the negative elements. */
static void test_maxpool_int8_padding_never_wins(void **state)
{
    /* x = [[-128, -100], [-50, -1]], kernel 2, pads 1: window (i, j)
     * covers rows {i-1, i} and columns {j-1, j}. */
    const int8_t x[4] = {-128, -100, -50, -1};
    const int8_t expected[9] = {-128, -100, -100, -50, -1, -1, -50, -1, -1};
    mb_node *n = plain_pool_model(state, 12, ONNXMINI_INT8,
                                  MB_DIMS(1, 1, 2, 2), x);

    mb_attr_ints(n, "kernel_shape", MB_I64S(2, 2));
    mb_attr_ints(n, "pads", MB_I64S(1, 1, 1, 1));
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_INT8, MB_DIMS(1, 1, 3, 3),
                     expected, 0);
}

/* Ensures int8 is rejected before opset 12, which first lists it. */
static void test_maxpool_int8_opset11_fails(void **state)
{
    const int8_t x[4] = {1, 2, 3, 4};
    mb_node *n = plain_pool_model(state, 11, ONNXMINI_INT8,
                                  MB_DIMS(1, 1, 2, 2), x);

    mb_attr_ints(n, "kernel_shape", MB_I64S(2, 2));
    mb_result *r = mb_case_run(state);
    mb_assert_model_error(r, "pool");
}

/* Ensures double input is pooled in double. */
static void test_maxpool_double(void **state)
{
    const double x[4] = {1.0, 1.0 + 1e-12, 0.5, -3.0};
    const double expected[1] = {1.0 + 1e-12};
    mb_node *n = plain_pool_model(state, 12, ONNXMINI_DOUBLE,
                                  MB_DIMS(1, 1, 2, 2), x);

    mb_attr_ints(n, "kernel_shape", MB_I64S(2, 2));
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_DOUBLE, MB_DIMS(1, 1, 1, 1),
                     expected, 0);
}

/* Ensures infinities: +inf wins a window, and a window of -inf elements
 * (padded or not) gives -inf, not the lowest finite float or 0. */
static void test_maxpool_infinities(void **state)
{
    /* Kernel [1, 2], stride [1, 2], pads 1 on the width only: windows
     * {pad, -inf}, {-inf, +inf}, {1, pad}. */
    const float x[4] = {-INFINITY, -INFINITY, INFINITY, 1};
    const float expected[3] = {-INFINITY, INFINITY, 1};
    mb_node *n = plain_pool_model(state, 12, ONNXMINI_FLOAT,
                                  MB_DIMS(1, 1, 1, 4), x);

    mb_attr_ints(n, "kernel_shape", MB_I64S(1, 2));
    mb_attr_ints(n, "strides", MB_I64S(1, 2));
    mb_attr_ints(n, "pads", MB_I64S(0, 1, 0, 1));
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 1, 1, 3),
                     expected, 0);
}

/* Ensures a NaN affects at most its own window, where the output is NaN
 * (propagated) or the maximum of the other elements (skipped). */
static void test_maxpool_nan_stays_in_its_window(void **state)
{
    const float x[6] = {NAN, 1, 2, 3, 5, NAN};
    mb_node *n = plain_pool_model(state, 12, ONNXMINI_FLOAT,
                                  MB_DIMS(1, 1, 1, 6), x);

    mb_attr_ints(n, "kernel_shape", MB_I64S(1, 2));
    mb_attr_ints(n, "strides", MB_I64S(1, 2));
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    assert_int_equal(r->outputs[0].count, 3);
    assert_int_equal(r->outputs[0].bytes, 3 * sizeof(float));

    const float *y = r->outputs[0].data;
    /* Windows {NaN, 1}, {2, 3}, {5, NaN}. */
    if (!(isnan(y[0]) || y[0] == 1.0f))
        fail_msg("element 0: actual %g, expected NaN or 1", (double)y[0]);
    assert_true(y[1] == 3.0f);
    if (!(isnan(y[2]) || y[2] == 5.0f))
        fail_msg("element 2: actual %g, expected NaN or 5", (double)y[2]);
}

/* Ensures every opset version of MaxPool runs the same basic pooling. */
static void test_maxpool_every_opset(void **state)
{
    const int64_t opsets[] = {1, 8, 10, 11, 12};
    const float expected[4] = {5, 8, 10, 12};

    for (size_t i = 0; i < sizeof opsets / sizeof opsets[0]; i++) {
        mb_context("opset %lld", (long long)opsets[i]);
        mb_node *n = plain_pool_model(state, opsets[i], ONNXMINI_FLOAT,
                                      MB_DIMS(1, 1, 4, 4), grid4);
        mb_attr_ints(n, "kernel_shape", MB_I64S(2, 2));
        mb_attr_ints(n, "strides", MB_I64S(2, 2));
        mb_result *r = mb_case_run(state);
        mb_assert_ok(r);
        mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 1, 2, 2),
                         expected, 0);
    }
}

/* Ensures a missing kernel_shape, a required attribute, is an error that
 * names the node. */
static void test_maxpool_missing_kernel_shape_fails(void **state)
{
    mb_model *m = mb_case_model(state, 12);

    mb_node_add(m, "MaxPool", "pool_nokernel", MB_NAMES("X"), MB_NAMES("Y"));
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(1, 1, 4, 4), grid4);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_model_error(r, "pool_nokernel");
}

/* Ensures pads of the wrong length (3 for 2 spatial axes) are an error. */
static void test_maxpool_wrong_pads_length_fails(void **state)
{
    mb_model *m = mb_case_model(state, 12);
    mb_node *n = mb_node_add(m, "MaxPool", "pool_pads", MB_NAMES("X"),
                             MB_NAMES("Y"));

    mb_attr_ints(n, "kernel_shape", MB_I64S(2, 2));
    mb_attr_ints(n, "pads", MB_I64S(1, 1, 1));
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(1, 1, 4, 4), grid4);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_model_error(r, "pool_pads");
}

/* Ensures pads as wide as the kernel, which leave the first window with
 * padding only, are an error that names the node and the position. */
static void test_maxpool_padding_only_window_fails(void **state)
{
    mb_node *n = plain_pool_model(state, 12, ONNXMINI_FLOAT,
                                  MB_DIMS(1, 1, 4, 4), grid4);

    mb_attr_ints(n, "kernel_shape", MB_I64S(2, 2));
    mb_attr_ints(n, "pads", MB_I64S(2, 0, 0, 0));
    mb_result *r = mb_case_run(state);
    mb_assert_model_error(r, "pool");
    assert_non_null(strstr(r->message, "covers padding only"));
    assert_non_null(strstr(r->message, "output position 0 on spatial axis 0"));
}

/* Ensures a dilated window that steps over the whole input (input 2,
 * kernel 2, dilation 3, pads 1: elements at -1 and 2) is an error too,
 * although its pads are below the kernel size. */
static void test_maxpool_window_stepping_over_input_fails(void **state)
{
    const float x[2] = {1, 2};
    mb_node *n = plain_pool_model(state, 12, ONNXMINI_FLOAT,
                                  MB_DIMS(1, 1, 1, 2), x);

    mb_attr_ints(n, "kernel_shape", MB_I64S(1, 2));
    mb_attr_ints(n, "dilations", MB_I64S(1, 3));
    mb_attr_ints(n, "pads", MB_I64S(0, 1, 0, 1));
    mb_result *r = mb_case_run(state);
    mb_assert_model_error(r, "pool");
    assert_non_null(strstr(r->message, "spatial axis 1"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        MB_TEST(test_maxpool_kernel_stride_2x2),
        MB_TEST(test_maxpool_default_stride_is_one),
        MB_TEST(test_maxpool_padding_never_wins),
        MB_TEST(test_maxpool_asymmetric_pads),
        MB_TEST(test_maxpool_strides),
        MB_TEST(test_maxpool_ceil_mode_keeps_partial_window),
        MB_TEST(test_maxpool_floor_mode_drops_partial_window),
        MB_TEST(test_maxpool_ceil_mode_drops_window_in_end_padding),
        MB_TEST(test_maxpool_ceil_mode_drops_window_past_input),
        MB_TEST(test_maxpool_dilations),
        MB_TEST(test_maxpool_indices_row_major),
        MB_TEST(test_maxpool_indices_column_major),
        MB_TEST(test_maxpool_indices_with_padding),
        MB_TEST(test_maxpool_indices_opset8),
        MB_TEST(test_maxpool_auto_pad_same_upper),
        MB_TEST(test_maxpool_auto_pad_same_lower),
        MB_TEST(test_maxpool_auto_pad_valid),
        MB_TEST(test_maxpool_1d),
        MB_TEST(test_maxpool_3d),
        MB_TEST(test_maxpool_3d_column_major_indices),
        MB_TEST(test_maxpool_2d_combinations_match_reference),
        MB_TEST(test_maxpool_tiled_shapes_match_reference),
        MB_TEST(test_maxpool_tiled_borders_match_reference),
        MB_TEST(test_maxpool_tiled_nan_in_every_position),
        MB_TEST(test_maxpool_tiled_minus_infinity),
        MB_TEST(test_maxpool_uint8),
        MB_TEST(test_maxpool_int8_padding_never_wins),
        MB_TEST(test_maxpool_int8_opset11_fails),
        MB_TEST(test_maxpool_double),
        MB_TEST(test_maxpool_infinities),
        MB_TEST(test_maxpool_nan_stays_in_its_window),
        MB_TEST(test_maxpool_every_opset),
        MB_TEST(test_maxpool_missing_kernel_shape_fails),
        MB_TEST(test_maxpool_wrong_pads_length_fails),
        MB_TEST(test_maxpool_padding_only_window_fails),
        MB_TEST(test_maxpool_window_stepping_over_input_fails),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
