/*
 * test_conv.c - Conv (opsets 1 and 11) through the public API.
 *
 * Rules under test, from the ONNX Conv specification:
 *   - X is [N, C, D1, ...], W is [M, C / group, k1, ...], the optional B is
 *     [M]; output channel m belongs to group m / (M / group) and reads that
 *     group's C / group input channels.
 *   - Output size per spatial axis is
 *     floor((in + pad_begin + pad_end - ((k - 1) * dilation + 1)) / stride)
 *     + 1, with pads given as [x1_begin, x2_begin, ..., x1_end, x2_end, ...].
 *   - kernel_shape, when absent, is taken from W.
 *   - auto_pad SAME_UPPER / SAME_LOWER give an output of ceil(in / stride).
 *     The total pad (out - 1) * stride + span - in is split in two, and an
 *     odd unit goes to the end (SAME_UPPER) or to the beginning
 *     (SAME_LOWER). VALID means no padding.
 * Expected values come from hand computation (in comments) or from
 * reference_conv() below, a direct nested-loop convolution.
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

/* Random inputs are multiples of 1/4, so the reference sums are exact;
 * the tolerance only leaves room for kernels that reorder or transform
 * the arithmetic. */
#define TOLERANCE 1e-5

/* Convolution parameters for the reference and for building the node. */
typedef struct conv_params {
    int spatial;                        /* number of spatial axes, 1..3 */
    int64_t n, c, m, group;
    int64_t in[MAX_SPATIAL];
    int64_t kernel[MAX_SPATIAL];
    int64_t stride[MAX_SPATIAL];
    int64_t dilation[MAX_SPATIAL];
    int64_t pad_begin[MAX_SPATIAL];
    int64_t pad_end[MAX_SPATIAL];
    int has_bias;
} conv_params;

static int64_t conv_out_size(const conv_params *p, int axis)
{
    int64_t span = (p->kernel[axis] - 1) * p->dilation[axis] + 1;

    return (p->in[axis] + p->pad_begin[axis] + p->pad_end[axis] - span) /
               p->stride[axis] +
           1;
}

/* Returns the element count of X ('x'), W ('w') or Y (any other tensor
 * letter). */
static size_t conv_count(const conv_params *p, char tensor)
{
    size_t count;

    switch (tensor) {
    case 'x':
        count = (size_t)(p->n * p->c);
        for (int a = 0; a < p->spatial; a++)
            count *= (size_t)p->in[a];
        return count;
    case 'w':
        count = (size_t)(p->m * (p->c / p->group));
        for (int a = 0; a < p->spatial; a++)
            count *= (size_t)p->kernel[a];
        return count;
    default:
        count = (size_t)(p->n * p->m);
        for (int a = 0; a < p->spatial; a++)
            count *= (size_t)conv_out_size(p, a);
        return count;
    }
}

/* Reference convolution by direct loops; missing spatial axes count as
 * size 1. b may be NULL. Writes the output dims. */
static void reference_conv(const conv_params *p, const float *x,
                           const float *w, const float *b, float *y,
                           int64_t *dims_y)
{
    int64_t in[MAX_SPATIAL], out[MAX_SPATIAL], k[MAX_SPATIAL];
    int64_t s[MAX_SPATIAL], d[MAX_SPATIAL], pb[MAX_SPATIAL];
    int64_t in_size = 1, out_size = 1, k_size = 1;
    int64_t cg = p->c / p->group, mg = p->m / p->group;

    dims_y[0] = p->n;
    dims_y[1] = p->m;
    for (int a = 0; a < MAX_SPATIAL; a++) {
        int used = a < p->spatial;

        in[a] = used ? p->in[a] : 1;
        out[a] = used ? conv_out_size(p, a) : 1;
        k[a] = used ? p->kernel[a] : 1;
        s[a] = used ? p->stride[a] : 1;
        d[a] = used ? p->dilation[a] : 1;
        pb[a] = used ? p->pad_begin[a] : 0;
        if (used)
            dims_y[2 + a] = out[a];
        in_size *= in[a];
        out_size *= out[a];
        k_size *= k[a];
    }

    for (int64_t n = 0; n < p->n; n++)
        for (int64_t oc = 0; oc < p->m; oc++) {
            int64_t g = oc / mg;

            for (int64_t o0 = 0; o0 < out[0]; o0++)
                for (int64_t o1 = 0; o1 < out[1]; o1++)
                    for (int64_t o2 = 0; o2 < out[2]; o2++) {
                        double sum = b != NULL ? b[oc] : 0.0;

                        for (int64_t ic = 0; ic < cg; ic++)
                            for (int64_t k0 = 0; k0 < k[0]; k0++)
                                for (int64_t k1 = 0; k1 < k[1]; k1++)
                                    for (int64_t k2 = 0; k2 < k[2]; k2++) {
                                        int64_t i0 = o0 * s[0] - pb[0] +
                                                     k0 * d[0];
                                        int64_t i1 = o1 * s[1] - pb[1] +
                                                     k1 * d[1];
                                        int64_t i2 = o2 * s[2] - pb[2] +
                                                     k2 * d[2];

                                        if (i0 < 0 || i0 >= in[0] ||
                                            i1 < 0 || i1 >= in[1] ||
                                            i2 < 0 || i2 >= in[2])
                                            continue;
                                        int64_t xi =
                                            (n * p->c + g * cg + ic) *
                                                in_size +
                                            (i0 * in[1] + i1) * in[2] + i2;
                                        int64_t wi =
                                            (oc * cg + ic) * k_size +
                                            (k0 * k[1] + k1) * k[2] + k2;
                                        sum += (double)x[xi] * w[wi];
                                    }
                        y[(n * p->m + oc) * out_size +
                          (o0 * out[1] + o1) * out[2] + o2] = (float)sum;
                    }
        }
}

/* Adds a Conv node reading X, W and (when p->has_bias) B, with strides,
 * pads, dilations, group and, when with_kernel_shape, kernel_shape. */
static mb_node *add_conv_node(mb_model *m, const char *name,
                              const conv_params *p, int with_kernel_shape)
{
    mb_node *n = mb_node_add(m, "Conv", name,
                             p->has_bias ? MB_NAMES("X", "W", "B")
                                         : MB_NAMES("X", "W"),
                             MB_NAMES("Y"));
    int64_t pads[2 * MAX_SPATIAL];

    for (int a = 0; a < p->spatial; a++) {
        pads[a] = p->pad_begin[a];
        pads[p->spatial + a] = p->pad_end[a];
    }
    if (with_kernel_shape)
        mb_attr_ints(n, "kernel_shape", p->spatial, p->kernel);
    mb_attr_ints(n, "strides", p->spatial, p->stride);
    mb_attr_ints(n, "pads", 2 * p->spatial, pads);
    mb_attr_ints(n, "dilations", p->spatial, p->dilation);
    mb_attr_int(n, "group", p->group);
    return n;
}

/* Declares X (fed), W and B (initializers) for p. */
static void add_conv_operands(mb_model *m, const conv_params *p,
                              const float *x, const float *w, const float *b)
{
    int64_t dims_x[2 + MAX_SPATIAL] = {p->n, p->c};
    int64_t dims_w[2 + MAX_SPATIAL] = {p->m, p->c / p->group};

    memcpy(dims_x + 2, p->in, (size_t)p->spatial * sizeof(int64_t));
    memcpy(dims_w + 2, p->kernel, (size_t)p->spatial * sizeof(int64_t));
    mb_input_data(m, "X", ONNXMINI_FLOAT, 2 + p->spatial, dims_x, x);
    mb_initializer(m, "W", ONNXMINI_FLOAT, 2 + p->spatial, dims_w, w, MB_RAW);
    if (p->has_bias)
        mb_initializer(m, "B", ONNXMINI_FLOAT, MB_DIMS(p->m), b, MB_RAW);
}

/* Runs p on random data and compares with reference_conv() on every
 * kernel instruction set. */
static void check_conv_against_reference(void **state, const conv_params *p,
                                         uint32_t seed)
{
    const char *const isas[] = {NULL, "scalar"};
    size_t count_x = conv_count(p, 'x'), count_w = conv_count(p, 'w');
    size_t count_y = conv_count(p, 'y');
    float *x = mb_case_alloc(state, count_x * sizeof *x);
    float *w = mb_case_alloc(state, count_w * sizeof *w);
    float *b = mb_case_alloc(state, (size_t)p->m * sizeof *b);
    float *y = mb_case_alloc(state, count_y * sizeof *y);
    int64_t dims_y[2 + MAX_SPATIAL];

    mb_random_floats(&seed, x, count_x);
    mb_random_floats(&seed, w, count_w);
    mb_random_floats(&seed, b, (size_t)p->m);
    reference_conv(p, x, w, p->has_bias ? b : NULL, y, dims_y);

    mb_model *m = mb_case_model(state, 11);
    add_conv_node(m, "conv", p, 1);
    add_conv_operands(m, p, x, w, b);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    for (size_t k = 0; k < sizeof isas / sizeof isas[0]; k++) {
        onnxmini_session_options options;

        onnxmini_session_options_init(&options);
        options.isa = isas[k];
        mb_result *r = mb_case_run_with(state, &options);
        mb_subcontext("isa %s", isas[k] != NULL ? isas[k] : "default");
        mb_assert_ok(r);
        mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, 2 + p->spatial,
                         dims_y, y, TOLERANCE);
    }
}

/* Builds Y = Conv(X, W) on a fed X and initializer W for the
 * hand-computed cases; returns the node for its attributes. */
static mb_node *plain_conv_model(void **state, int64_t opset, int rank,
                                 const int64_t *dims_x, const float *x,
                                 const int64_t *dims_w, const float *w)
{
    mb_model *m = mb_case_model(state, opset);
    mb_node *n = mb_node_add(m, "Conv", "conv", MB_NAMES("X", "W"),
                             MB_NAMES("Y"));

    mb_input_data(m, "X", ONNXMINI_FLOAT, rank, dims_x, x);
    mb_initializer(m, "W", ONNXMINI_FLOAT, rank, dims_w, w, MB_RAW);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    return n;
}

/* 1..9 as a 3x3 image. */
static const float nine[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
static const float ones9[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};

/* x(i, j) = 5i + j on a 5x5 grid. */
static void fill_ramp5(float *x)
{
    for (int i = 0; i < 25; i++)
        x[i] = (float)i;
}

/* Ensures a 2x2 kernel without padding slides over a 3x3 image. */
static void test_conv_no_padding(void **state)
{
    const float w[4] = {1, 2, 3, 4};
    /* y(0,0) = 1*1 + 2*2 + 3*4 + 4*5 = 37, and each step right adds
     * 1+2+3+4 = 10, each step down 3 * 10 = 30. */
    const float expected[4] = {37, 47, 67, 77};
    mb_node *n = plain_conv_model(state, 11, 4, (const int64_t[]){1, 1, 3, 3},
                                  nine, (const int64_t[]){1, 1, 2, 2}, w);

    mb_attr_ints(n, "kernel_shape", MB_I64S(2, 2));
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 1, 2, 2),
                     expected, 0);
}

/* Ensures symmetric pads of 1 with a 3x3 kernel of ones keep the size and
 * sum each 3x3 neighbourhood. */
static void test_conv_symmetric_pads(void **state)
{
    /* Neighbourhood sums of 1..9, e.g. corner 1+2+4+5 = 12, centre 45. */
    const float expected[9] = {12, 21, 16, 27, 45, 33, 24, 39, 28};
    mb_node *n = plain_conv_model(state, 11, 4, (const int64_t[]){1, 1, 3, 3},
                                  nine, (const int64_t[]){1, 1, 3, 3}, ones9);

    mb_attr_ints(n, "pads", MB_I64S(1, 1, 1, 1));
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 1, 3, 3),
                     expected, 0);
}

/* Ensures asymmetric pads [0, 1, 1, 0] (width begin, height end) with a
 * 2x2 kernel of ones. */
static void test_conv_asymmetric_pads(void **state)
{
    /* y(i, j) sums rows {i, i+1} and columns {j-1, j} of 1..9, zero
     * outside: (0,0) = 1 + 4, (2,0) = 7, (2,2) = 8 + 9. */
    const float expected[9] = {5, 12, 16, 11, 24, 28, 7, 15, 17};
    mb_node *n = plain_conv_model(state, 11, 4, (const int64_t[]){1, 1, 3, 3},
                                  nine, (const int64_t[]){1, 1, 2, 2}, ones9);

    mb_attr_ints(n, "pads", MB_I64S(0, 1, 1, 0));
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 1, 3, 3),
                     expected, 0);
}

/* Ensures stride 2 skips every other position. */
static void test_conv_strides(void **state)
{
    float x[16];
    /* 2x2 block sums of 0..15 laid out 4x4: 0+1+4+5 = 10, 2+3+6+7 = 18,
     * 8+9+12+13 = 42, 10+11+14+15 = 50. */
    const float expected[4] = {10, 18, 42, 50};

    for (int i = 0; i < 16; i++)
        x[i] = (float)i;
    mb_node *n = plain_conv_model(state, 11, 4, (const int64_t[]){1, 1, 4, 4},
                                  x, (const int64_t[]){1, 1, 2, 2}, ones9);
    mb_attr_ints(n, "strides", MB_I64S(2, 2));
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 1, 2, 2),
                     expected, 0);
}

/* Ensures dilation 2 spreads a 2x2 kernel over a 3x3 area. */
static void test_conv_dilations(void **state)
{
    float x[25];
    /* With x(i,j) = 5i + j: y(i,j) = x(i,j) + x(i,j+2) + x(i+2,j) +
     * x(i+2,j+2) = 20i + 4j + 24. */
    const float expected[9] = {24, 28, 32, 44, 48, 52, 64, 68, 72};

    fill_ramp5(x);
    mb_node *n = plain_conv_model(state, 11, 4, (const int64_t[]){1, 1, 5, 5},
                                  x, (const int64_t[]){1, 1, 2, 2}, ones9);
    mb_attr_ints(n, "dilations", MB_I64S(2, 2));
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 1, 3, 3),
                     expected, 0);
}

/* Two channels [1,2,3,4] and [5,6,7,8], for the 1x1 and bias tests. */
static const float two_channels[8] = {1, 2, 3, 4, 5, 6, 7, 8};
static const float mix_weights[4] = {1, 2, 3, -1};

/* Ensures a 1x1 kernel with bias: Y0 = x0 + 2 x1 + 10,
 * Y1 = 3 x0 - x1 - 10. */
static void test_conv_1x1_with_bias(void **state)
{
    const float b[2] = {10, -10};
    const float expected[8] = {21, 24, 27, 30, -12, -10, -8, -6};
    mb_model *m = mb_case_model(state, 11);

    mb_node_add(m, "Conv", "conv", MB_NAMES("X", "W", "B"), MB_NAMES("Y"));
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(1, 2, 2, 2), two_channels);
    mb_initializer(m, "W", ONNXMINI_FLOAT, MB_DIMS(2, 2, 1, 1), mix_weights,
                   MB_RAW);
    mb_initializer(m, "B", ONNXMINI_FLOAT, MB_DIMS(2), b, MB_TYPED);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 2, 2, 2),
                     expected, 0);
}

/* Ensures the same 1x1 convolution without a bias input adds nothing. */
static void test_conv_1x1_without_bias(void **state)
{
    const float expected[8] = {11, 14, 17, 20, -2, 0, 2, 4};

    plain_conv_model(state, 11, 4, (const int64_t[]){1, 2, 2, 2},
                     two_channels, (const int64_t[]){2, 2, 1, 1},
                     mix_weights);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 2, 2, 2),
                     expected, 0);
}

/* Ensures an empty name for the optional B input means no bias. */
static void test_conv_skipped_bias_input(void **state)
{
    const float expected[8] = {11, 14, 17, 20, -2, 0, 2, 4};
    mb_model *m = mb_case_model(state, 11);

    mb_node_add(m, "Conv", "conv", MB_NAMES("X", "W", ""), MB_NAMES("Y"));
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(1, 2, 2, 2), two_channels);
    mb_initializer(m, "W", ONNXMINI_FLOAT, MB_DIMS(2, 2, 1, 1), mix_weights,
                   MB_RAW);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 2, 2, 2),
                     expected, 0);
}

/* Ensures group=2 keeps the channels apart: each output channel reads only
 * its own input channel, Y0 = 2 x0 and Y1 = 3 x1. */
static void test_conv_group_two_by_hand(void **state)
{
    const float w[2] = {2, 3};
    const float expected[8] = {2, 4, 6, 8, 15, 18, 21, 24};
    mb_node *n = plain_conv_model(state, 11, 4, (const int64_t[]){1, 2, 2, 2},
                                  two_channels, (const int64_t[]){2, 1, 1, 1},
                                  w);

    mb_attr_int(n, "group", 2);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 2, 2, 2),
                     expected, 0);
}

/* Ensures group=2 with two channels per group and a 3x3 kernel matches
 * the reference. */
static void test_conv_group_two(void **state)
{
    const conv_params p = {
        .spatial = 2, .n = 1, .c = 4, .m = 6, .group = 2,
        .in = {6, 7}, .kernel = {3, 3}, .stride = {1, 1},
        .dilation = {1, 1}, .pad_begin = {1, 1}, .pad_end = {1, 1},
        .has_bias = 1,
    };

    check_conv_against_reference(state, &p, 1);
}

/* Ensures depthwise convolution with a channel multiplier of 2
 * (C = group = 3, M = 6) matches the reference. */
static void test_conv_depthwise_multiplier(void **state)
{
    const conv_params p = {
        .spatial = 2, .n = 1, .c = 3, .m = 6, .group = 3,
        .in = {7, 7}, .kernel = {3, 3}, .stride = {1, 1},
        .dilation = {1, 1}, .pad_begin = {1, 1}, .pad_end = {1, 1},
        .has_bias = 1,
    };

    check_conv_against_reference(state, &p, 2);
}

/* Ensures plain depthwise convolution (C = M = group = 8) with stride 2
 * matches the reference. */
static void test_conv_depthwise_stride2(void **state)
{
    const conv_params p = {
        .spatial = 2, .n = 1, .c = 8, .m = 8, .group = 8,
        .in = {9, 9}, .kernel = {3, 3}, .stride = {2, 2},
        .dilation = {1, 1}, .pad_begin = {1, 1}, .pad_end = {1, 1},
    };

    check_conv_against_reference(state, &p, 3);
}

/* Ensures kernel_shape is inferred from W when the attribute is absent,
 * here a non-square 3x2 kernel. */
static void test_conv_kernel_shape_inferred(void **state)
{
    float x[16];
    /* x(i,j) = 4i + j and a kernel of ones, 3 rows by 2 columns:
     * y(i,j) = sum over a < 3, b < 2 of 4(i+a) + j + b
     *        = 6(4i + j) + 2 * 4 * (0+1+2) + 3 * (0+1) = 24i + 6j + 27. */
    const float expected[6] = {27, 33, 39, 51, 57, 63};

    for (int i = 0; i < 16; i++)
        x[i] = (float)i;
    plain_conv_model(state, 11, 4, (const int64_t[]){1, 1, 4, 4}, x,
                     (const int64_t[]){1, 1, 3, 2}, ones9);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 1, 2, 3),
                     expected, 0);
}

/* Runs a 5x5 ramp through a 2x2 kernel of ones, stride 2, and the given
 * auto_pad. */
static mb_result *run_auto_pad(void **state, const char *auto_pad)
{
    float x[25];

    fill_ramp5(x);
    mb_node *n = plain_conv_model(state, 11, 4, (const int64_t[]){1, 1, 5, 5},
                                  x, (const int64_t[]){1, 1, 2, 2}, ones9);
    mb_attr_ints(n, "strides", MB_I64S(2, 2));
    mb_attr_string(n, "auto_pad", auto_pad);
    return mb_case_run(state);
}

/* Ensures SAME_UPPER with an even kernel and stride 2 puts the odd pad at
 * the end: out = ceil(5/2) = 3, total pad (3-1)*2 + 2 - 5 = 1, so the
 * windows are rows/columns {0,1}, {2,3}, {4}. */
static void test_conv_auto_pad_same_upper(void **state)
{
    /* (0,0) = 0+1+5+6, (0,2) = 4+9, (2,2) = 24. */
    const float expected[9] = {12, 20, 13, 52, 60, 33, 41, 45, 24};
    mb_result *r = run_auto_pad(state, "SAME_UPPER");

    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 1, 3, 3),
                     expected, 0);
}

/* Ensures SAME_LOWER puts the odd pad at the beginning: windows {0},
 * {1,2}, {3,4}. */
static void test_conv_auto_pad_same_lower(void **state)
{
    /* (0,0) = 0, (0,1) = 1+2, (1,1) = 6+7+11+12, (2,2) = 18+19+23+24. */
    const float expected[9] = {0, 3, 7, 15, 36, 44, 35, 76, 84};
    mb_result *r = run_auto_pad(state, "SAME_LOWER");

    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 1, 3, 3),
                     expected, 0);
}

/* Ensures VALID uses no padding: 5x5 gives 2x2. */
static void test_conv_auto_pad_valid(void **state)
{
    const float expected[4] = {12, 20, 52, 60};
    mb_result *r = run_auto_pad(state, "VALID");

    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 1, 2, 2),
                     expected, 0);
}

/* Ensures 1-D convolution with stride and pads. */
static void test_conv_1d_by_hand(void **state)
{
    const float x[5] = {1, 2, 3, 4, 5};
    const float w[3] = {1, 0, -1};
    /* Padded [0 1 2 3 4 5 0], windows at -1, 1, 3: 0 - 2, 2 - 4, 4 - 0. */
    const float expected[3] = {-2, -2, 4};
    mb_node *n = plain_conv_model(state, 11, 3, (const int64_t[]){1, 1, 5}, x,
                                  (const int64_t[]){1, 1, 3}, w);

    mb_attr_ints(n, "strides", MB_I64S(2));
    mb_attr_ints(n, "pads", MB_I64S(1, 1));
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 1, 3),
                     expected, 0);
}

/* Ensures 1-D convolution with several channels, dilation and bias matches
 * the reference. */
static void test_conv_1d(void **state)
{
    const conv_params p = {
        .spatial = 1, .n = 2, .c = 3, .m = 5, .group = 1,
        .in = {20}, .kernel = {4}, .stride = {3}, .dilation = {2},
        .pad_begin = {2}, .pad_end = {1}, .has_bias = 1,
    };

    check_conv_against_reference(state, &p, 4);
}

/* Ensures 3-D convolution with strides, pads and bias matches the
 * reference. */
static void test_conv_3d(void **state)
{
    const conv_params p = {
        .spatial = 3, .n = 1, .c = 2, .m = 3, .group = 1,
        .in = {4, 5, 6}, .kernel = {2, 3, 2}, .stride = {1, 2, 1},
        .dilation = {1, 1, 2}, .pad_begin = {1, 0, 1}, .pad_end = {0, 1, 1},
        .has_bias = 1,
    };

    check_conv_against_reference(state, &p, 5);
}

/* Ensures a batch of 3 images is convolved image by image. */
static void test_conv_batch(void **state)
{
    const conv_params p = {
        .spatial = 2, .n = 3, .c = 2, .m = 4, .group = 1,
        .in = {6, 5}, .kernel = {3, 3}, .stride = {1, 1},
        .dilation = {1, 1}, .pad_begin = {1, 1}, .pad_end = {1, 1},
        .has_bias = 1,
    };

    check_conv_against_reference(state, &p, 6);
}

/* Ensures every attribute at once (batch 2, group 2, stride 2,
 * dilation 2, asymmetric pads, bias) matches the reference. */
static void test_conv_all_attributes_combined(void **state)
{
    const conv_params p = {
        .spatial = 2, .n = 2, .c = 6, .m = 4, .group = 2,
        .in = {11, 10}, .kernel = {3, 2}, .stride = {2, 2},
        .dilation = {2, 2}, .pad_begin = {2, 0}, .pad_end = {1, 3},
        .has_bias = 1,
    };

    check_conv_against_reference(state, &p, 7);
}

/* Ensures channel counts below, at and above common register tiles and
 * the 64 rows above which B is packed, with a 3x3 kernel and a 1x1 kernel
 * (stride 1 and 2), match the reference. */
static void test_conv_channel_counts_around_tiles(void **state)
{
    static const int64_t out_channels[] = {1, 7, 8, 9, 16, 17, 33, 64, 65};
    static const int64_t in_channels[] = {1, 3, 8};
    uint32_t seed = 100;

    for (size_t i = 0; i < sizeof out_channels / sizeof out_channels[0]; i++)
        for (size_t j = 0; j < sizeof in_channels / sizeof in_channels[0];
             j++)
            for (int shape = 0; shape < 3; shape++) {
                int64_t k = shape == 0 ? 3 : 1;
                int64_t s = shape == 2 ? 2 : 1;
                conv_params p = {
                    .spatial = 2, .n = 1, .c = in_channels[j],
                    .m = out_channels[i], .group = 1, .in = {7, 9},
                    .kernel = {k, k}, .stride = {s, s}, .dilation = {1, 1},
                    .pad_begin = {k / 2, k / 2}, .pad_end = {k / 2, k / 2},
                    .has_bias = 1,
                };

                mb_context("M %lld, C %lld, kernel %lld, stride %lld",
                           (long long)p.m, (long long)p.c, (long long)k,
                           (long long)s);
                check_conv_against_reference(state, &p, seed++);
            }
}

/* Ensures 2-D convolutions that gather input columns (strides above 1)
 * match the reference when the gathered columns start inside an output
 * row and cross panel edges. A deep kernel (64 channels of 5x5) keeps each
 * gathered chunk to a few panels. Odd widths, asymmetric pads, pads wider
 * than the kernel, dilation and stride 3 move every run of columns
 * against the padding. */
static void test_conv_strided_chunks_inside_rows(void **state)
{
    static const struct {
        int64_t in[2], kernel[2], stride[2], dilation[2];
        int64_t pad_begin[2], pad_end[2];
    } cases[] = {
        {{27, 25}, {5, 5}, {2, 2}, {1, 1}, {2, 3}, {1, 2}},
        {{19, 31}, {5, 3}, {3, 2}, {1, 2}, {0, 4}, {3, 0}},
        {{12, 17}, {3, 5}, {2, 3}, {2, 1}, {4, 6}, {5, 7}},
        {{9, 40}, {1, 1}, {2, 2}, {1, 1}, {0, 0}, {0, 0}},
    };
    uint32_t seed = 300;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        conv_params p = {
            .spatial = 2, .n = 2, .c = 64, .m = 9, .group = 1, .has_bias = 1,
        };

        for (int a = 0; a < 2; a++) {
            p.in[a] = cases[i].in[a];
            p.kernel[a] = cases[i].kernel[a];
            p.stride[a] = cases[i].stride[a];
            p.dilation[a] = cases[i].dilation[a];
            p.pad_begin[a] = cases[i].pad_begin[a];
            p.pad_end[a] = cases[i].pad_end[a];
        }
        mb_context("case %zu: input %lldx%lld, kernel %lldx%lld", i,
                   (long long)p.in[0], (long long)p.in[1],
                   (long long)p.kernel[0], (long long)p.kernel[1]);
        check_conv_against_reference(state, &p, seed++);
    }
}

/* Ensures stride-1 2-D convolutions whose output rows are computed as
 * runs of one vector each match the reference. The row widths lie below,
 * at, between and above the vector widths of 4, 8 and 16 floats, with
 * asymmetric pads, pads wider than the kernel and dilation. */
static void test_conv_row_widths_around_vectors(void **state)
{
    static const struct {
        int64_t in[2], kernel[2], dilation[2], pad_begin[2], pad_end[2];
    } shapes[] = {
        {{16, 16}, {3, 3}, {1, 1}, {1, 1}, {1, 1}},
        {{14, 14}, {5, 5}, {1, 1}, {2, 2}, {2, 2}},
        {{9, 7}, {3, 3}, {1, 1}, {1, 1}, {1, 1}},
        {{5, 8}, {3, 3}, {1, 1}, {0, 1}, {2, 0}},
        {{6, 17}, {3, 3}, {2, 2}, {2, 2}, {2, 2}},
        {{4, 24}, {1, 3}, {1, 1}, {0, 4}, {0, 3}},
        {{5, 28}, {3, 3}, {1, 1}, {1, 1}, {1, 1}},
        {{3, 33}, {3, 3}, {1, 1}, {1, 1}, {1, 1}},
        {{3, 48}, {3, 3}, {1, 1}, {1, 1}, {1, 1}},
    };
    static const int64_t out_channels[] = {8, 17, 64};
    uint32_t seed = 400;

    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        for (size_t j = 0; j < sizeof out_channels / sizeof out_channels[0];
             j++) {
            conv_params p = {
                .spatial = 2, .n = 2, .c = 3, .m = out_channels[j],
                .group = 1, .stride = {1, 1}, .has_bias = 1,
            };

            for (int a = 0; a < 2; a++) {
                p.in[a] = shapes[i].in[a];
                p.kernel[a] = shapes[i].kernel[a];
                p.dilation[a] = shapes[i].dilation[a];
                p.pad_begin[a] = shapes[i].pad_begin[a];
                p.pad_end[a] = shapes[i].pad_end[a];
            }
            mb_context("input %lldx%lld, kernel %lldx%lld, M %lld",
                       (long long)p.in[0], (long long)p.in[1],
                       (long long)p.kernel[0], (long long)p.kernel[1],
                       (long long)p.m);
            check_conv_against_reference(state, &p, seed++);
        }
}

/* Ensures small feature maps with deep kernels match the reference. The
 * library may compute them with the operands swapped, the weights as the
 * right-hand side of the product. Cases: 7x7 and smaller maps, output
 * channels around the register tiles, 1x1 and 3x3 kernels, batch 2. */
static void test_conv_small_maps_many_channels(void **state)
{
    static const struct {
        int64_t in[2], c, kernel, pad;
    } shapes[] = {
        {{7, 7}, 16, 3, 1}, {{7, 7}, 130, 1, 0}, {{5, 3}, 20, 3, 1},
        {{4, 4}, 64, 3, 2}, {{7, 6}, 144, 1, 0}, {{3, 9}, 15, 3, 0},
    };
    static const int64_t out_channels[] = {17, 32, 40, 64, 96};
    uint32_t seed = 500;

    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        for (size_t j = 0; j < sizeof out_channels / sizeof out_channels[0];
             j++) {
            int64_t k = shapes[i].kernel, pad = shapes[i].pad;
            conv_params p = {
                .spatial = 2, .n = 2, .c = shapes[i].c, .m = out_channels[j],
                .group = 1, .in = {shapes[i].in[0], shapes[i].in[1]},
                .kernel = {k, k}, .stride = {1, 1}, .dilation = {1, 1},
                .pad_begin = {pad, pad}, .pad_end = {pad, pad},
                .has_bias = (int)(j % 2 == 0),
            };

            mb_context("input %lldx%lld, C %lld, kernel %lld, M %lld",
                       (long long)p.in[0], (long long)p.in[1],
                       (long long)p.c, (long long)k, (long long)p.m);
            check_conv_against_reference(state, &p, seed++);
        }
}

/* Ensures Conv followed by Add of a per-channel [M,1,1] constant and Relu
 * (a chain the library may fuse) gives relu(conv + bias). */
static void test_conv_add_relu_chain(void **state)
{
    const conv_params p = {
        .spatial = 2, .n = 1, .c = 3, .m = 5, .group = 1,
        .in = {6, 6}, .kernel = {3, 3}, .stride = {1, 1},
        .dilation = {1, 1}, .pad_begin = {1, 1}, .pad_end = {1, 1},
    };
    float x[108], w[135], bias[5], y[180];
    int64_t dims_y[4];
    uint32_t seed = 8;
    mb_model *m;

    mb_random_floats(&seed, x, 108);
    mb_random_floats(&seed, w, 135);
    mb_random_floats(&seed, bias, 5);
    reference_conv(&p, x, w, NULL, y, dims_y);
    for (int i = 0; i < 180; i++) {
        float v = y[i] + bias[i / 36];

        y[i] = v > 0 ? v : 0;
    }

    m = mb_case_model(state, 13);
    add_conv_node(m, "conv", &p, 1);
    mb_node_add(m, "Add", "bias", MB_NAMES("Y", "C"), MB_NAMES("Z"));
    mb_node_add(m, "Relu", "relu", MB_NAMES("Z"), MB_NAMES("R"));
    add_conv_operands(m, &p, x, w, NULL);
    mb_initializer(m, "C", ONNXMINI_FLOAT, MB_DIMS(5, 1, 1), bias, MB_RAW);
    mb_output(m, "R", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, 4, dims_y, y, TOLERANCE);
}

/* Ensures opset 1 Conv works in an IR-3 model that lists its weights as
 * graph inputs too, as IR versions before 4 require. */
static void test_conv_opset1(void **state)
{
    const float w[4] = {1, 2, 3, 4};
    const float expected[4] = {37, 47, 67, 77};
    mb_model *m = mb_case_model(state, 1);
    mb_node *n = mb_node_add(m, "Conv", "conv", MB_NAMES("X", "W"),
                             MB_NAMES("Y"));

    mb_attr_ints(n, "kernel_shape", MB_I64S(2, 2));
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(1, 1, 3, 3), nine);
    mb_input(m, "W", ONNXMINI_FLOAT, MB_DIMS(1, 1, 2, 2));
    mb_initializer(m, "W", ONNXMINI_FLOAT, MB_DIMS(1, 1, 2, 2), w, MB_TYPED);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 1, 2, 2),
                     expected, 0);
}

/* Ensures double Conv runs in double (opset 11 lists double). */
static void test_conv_double(void **state)
{
    const double x[2] = {1.0, 1e-10};
    const double w[2] = {1.0, 1.0};
    const double expected[1] = {1.0 + 1e-10};
    mb_model *m = mb_case_model(state, 11);

    mb_node_add(m, "Conv", "conv", MB_NAMES("X", "W"), MB_NAMES("Y"));
    mb_input_data(m, "X", ONNXMINI_DOUBLE, MB_DIMS(1, 2, 1, 1), x);
    mb_initializer(m, "W", ONNXMINI_DOUBLE, MB_DIMS(1, 2, 1, 1), w, MB_RAW);
    mb_output(m, "Y", ONNXMINI_DOUBLE, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_DOUBLE, MB_DIMS(1, 1, 1, 1),
                     expected, 1e-15);
}

/* Ensures a symbolic batch dimension "N" takes its size from the fed
 * input: the model declares X as [N, 2, 6, 5] and the test feeds N = 3. */
static void test_conv_symbolic_batch(void **state)
{
    const conv_params p = {
        .spatial = 2, .n = 3, .c = 2, .m = 4, .group = 1,
        .in = {6, 5}, .kernel = {3, 3}, .stride = {1, 1},
        .dilation = {1, 1}, .pad_begin = {1, 1}, .pad_end = {1, 1},
        .has_bias = 1,
    };
    float x[180], w[72], b[4], y[360];
    int64_t dims_y[4];
    uint32_t seed = 12;
    mb_model *m;

    mb_random_floats(&seed, x, 180);
    mb_random_floats(&seed, w, 72);
    mb_random_floats(&seed, b, 4);
    reference_conv(&p, x, w, b, y, dims_y);

    m = mb_case_model(state, 11);
    add_conv_node(m, "conv", &p, 1);
    mb_input_symbolic(m, "X", ONNXMINI_FLOAT, MB_DIMS(MB_DIM_UNKNOWN, 2, 6, 5),
                      MB_NAMES("N", NULL, NULL, NULL));
    mb_feed(m, "X", ONNXMINI_FLOAT, MB_DIMS(3, 2, 6, 5), x);
    mb_initializer(m, "W", ONNXMINI_FLOAT, MB_DIMS(4, 2, 3, 3), w, MB_RAW);
    mb_initializer(m, "B", ONNXMINI_FLOAT, MB_DIMS(4), b, MB_RAW);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, 4, dims_y, y, TOLERANCE);
}

/* Ensures weights and bias fed at run time, not initializers, are read:
 * ONNX lets W and B be any tensor. */
static void test_conv_weights_fed_at_run_time(void **state)
{
    const conv_params p = {
        .spatial = 2, .n = 1, .c = 3, .m = 2, .group = 1,
        .in = {5, 5}, .kernel = {3, 3}, .stride = {2, 2},
        .dilation = {1, 1}, .pad_begin = {1, 1}, .pad_end = {1, 1},
        .has_bias = 1,
    };
    float x[75], w[54], b[2], y[18];
    int64_t dims_y[4];
    uint32_t seed = 13;
    mb_model *m;

    mb_random_floats(&seed, x, 75);
    mb_random_floats(&seed, w, 54);
    mb_random_floats(&seed, b, 2);
    reference_conv(&p, x, w, b, y, dims_y);

    m = mb_case_model(state, 11);
    add_conv_node(m, "conv", &p, 1);
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(1, 3, 5, 5), x);
    mb_input_data(m, "W", ONNXMINI_FLOAT, MB_DIMS(2, 3, 3, 3), w);
    mb_input_data(m, "B", ONNXMINI_FLOAT, MB_DIMS(2), b);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, 4, dims_y, y, TOLERANCE);
}

/* Builds a Conv named "conv_bad" over X [1, c, 5, 5] with the given W
 * shape, group and (when bias_length > 0) bias, for the error tests. */
static void bad_conv_model(void **state, int64_t c, int w_rank,
                           const int64_t *w_dims, int64_t group,
                           int64_t bias_length)
{
    static const float zeros[256];
    mb_model *m = mb_case_model(state, 11);
    mb_node *n = mb_node_add(m, "Conv", "conv_bad",
                             bias_length > 0 ? MB_NAMES("X", "W", "B")
                                             : MB_NAMES("X", "W"),
                             MB_NAMES("Y"));

    mb_attr_int(n, "group", group);
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(1, c, 5, 5), zeros);
    mb_initializer(m, "W", ONNXMINI_FLOAT, w_rank, w_dims, zeros, MB_RAW);
    if (bias_length > 0)
        mb_initializer(m, "B", ONNXMINI_FLOAT, MB_DIMS(bias_length), zeros,
                       MB_RAW);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
}

/* Ensures W with 2 input channels against an X with 3 is rejected with a
 * message naming the node. */
static void test_conv_weight_channels_mismatch_fails(void **state)
{
    bad_conv_model(state, 3, MB_DIMS(2, 2, 3, 3), 1, 0);
    mb_result *r = mb_case_run(state);
    mb_assert_model_error(r, "conv_bad");
}

/* Ensures W must have C / group input channels: with C = 4 and group 2,
 * W [2, 4, 3, 3] is rejected. */
static void test_conv_group_weight_channels_mismatch_fails(void **state)
{
    bad_conv_model(state, 4, MB_DIMS(2, 4, 3, 3), 2, 0);
    mb_result *r = mb_case_run(state);
    mb_assert_model_error(r, "conv_bad");
}

/* Ensures C must divide by group: C = 3 with group 2 is rejected. */
static void test_conv_channels_not_divisible_by_group_fails(void **state)
{
    bad_conv_model(state, 3, MB_DIMS(2, 1, 3, 3), 2, 0);
    mb_result *r = mb_case_run(state);
    mb_assert_model_error(r, "conv_bad");
}

/* Ensures M must divide by group: M = 3 with group 2 is rejected. */
static void test_conv_output_channels_not_divisible_by_group_fails(
    void **state)
{
    bad_conv_model(state, 4, MB_DIMS(3, 2, 3, 3), 2, 0);
    mb_result *r = mb_case_run(state);
    mb_assert_model_error(r, "conv_bad");
}

/* Ensures a W of rank 3 against a rank-4 X is rejected. */
static void test_conv_wrong_weight_rank_fails(void **state)
{
    bad_conv_model(state, 2, MB_DIMS(2, 2, 3), 1, 0);
    mb_result *r = mb_case_run(state);
    mb_assert_model_error(r, "conv_bad");
}

/* Ensures a bias whose length is not M is rejected. */
static void test_conv_bias_length_mismatch_fails(void **state)
{
    bad_conv_model(state, 2, MB_DIMS(2, 2, 3, 3), 1, 3);
    mb_result *r = mb_case_run(state);
    mb_assert_model_error(r, "conv_bad");
}

/* Ensures a kernel_shape that contradicts W's spatial dims is rejected. */
static void test_conv_kernel_shape_mismatch_fails(void **state)
{
    static const float zeros[64];
    mb_model *m = mb_case_model(state, 11);
    mb_node *n = mb_node_add(m, "Conv", "conv_bad", MB_NAMES("X", "W"),
                             MB_NAMES("Y"));

    mb_attr_ints(n, "kernel_shape", MB_I64S(3, 3));
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(1, 1, 5, 5), zeros);
    mb_initializer(m, "W", ONNXMINI_FLOAT, MB_DIMS(1, 1, 2, 2), zeros,
                   MB_RAW);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_model_error(r, "conv_bad");
}

/* Ensures a kernel larger than the padded input is rejected rather than
 * giving a negative output size. */
static void test_conv_kernel_larger_than_input_fails(void **state)
{
    bad_conv_model(state, 1, MB_DIMS(1, 1, 7, 7), 1, 0);
    mb_result *r = mb_case_run(state);
    mb_assert_model_error(r, "conv_bad");
}

/* ------------------------------------------------------------- depthwise */

/* Runs the Conv of p (group == C) on random data on every kernel
 * instruction set, with 1 and 2 threads, and compares each output with
 * reference_conv(). 2 threads must give the bytes of 1 thread. X is
 * scaled by 0.3 so that the sums round. A different order or fusion of
 * the arithmetic on another thread then shows in the bytes, while the
 * rounding error of 25 products stays within TOLERANCE. */
static void check_depthwise_conv(void **state, const conv_params *p,
                                 uint32_t seed)
{
    size_t count_x = conv_count(p, 'x'), count_w = conv_count(p, 'w');
    size_t count_y = conv_count(p, 'y');
    float *x = mb_case_alloc(state, count_x * sizeof *x);
    float *w = mb_case_alloc(state, count_w * sizeof *w);
    float *b = mb_case_alloc(state, (size_t)p->m * sizeof *b);
    float *y = mb_case_alloc(state, count_y * sizeof *y);
    float *one_thread = mb_case_alloc(state, count_y * sizeof *y);
    int64_t dims_y[2 + MAX_SPATIAL];

    mb_random_floats(&seed, x, count_x);
    for (size_t i = 0; i < count_x; i++)
        x[i] *= 0.3f;
    mb_random_floats(&seed, w, count_w);
    mb_random_floats(&seed, b, (size_t)p->m);
    reference_conv(p, x, w, p->has_bias ? b : NULL, y, dims_y);

    mb_model *m = mb_case_model(state, 11);
    add_conv_node(m, "conv", p, 1);
    add_conv_operands(m, p, x, w, b);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    for (size_t i = 0; i < onnxmini_isa_count(); i++)
        for (int threads = 1; threads <= 2; threads++) {
            onnxmini_session_options options;

            onnxmini_session_options_init(&options);
            options.isa = onnxmini_isa_name(i);
            options.threads = threads;
            mb_result *r = mb_case_run_with(state, &options);
            mb_subcontext("isa %s, %d threads", options.isa, threads);
            mb_assert_ok(r);
            mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, 2 + p->spatial,
                             dims_y, y, TOLERANCE);
            if (threads == 1)
                memcpy(one_thread, r->outputs[0].data, count_y * sizeof *y);
            else if (memcmp(one_thread, r->outputs[0].data,
                            count_y * sizeof *y) != 0)
                fail_msg("isa %s: 2 threads differ from 1 thread",
                         options.isa);
        }
}

/* Ensures depthwise Conv matches the reference for strides 1 to 3,
 * kernels 1, 3 and 5, channel multipliers 1 and 2, with and without bias,
 * on a batch of 2 with asymmetric pads. */
static void test_conv_depthwise_strides_and_kernels(void **state)
{
    uint32_t seed = 200;

    for (int64_t s = 1; s <= 3; s++)
        for (int64_t k = 1; k <= 5; k += 2)
            for (int64_t mult = 1; mult <= 2; mult++)
                for (int bias = 0; bias <= 1; bias++) {
                    const conv_params p = {
                        .spatial = 2, .n = 2, .c = 3, .m = 3 * mult,
                        .group = 3, .in = {9, 19}, .kernel = {k, k},
                        .stride = {s, s}, .dilation = {1, 1},
                        .pad_begin = {k / 2, k / 2 + 1},
                        .pad_end = {k / 2 + 1, 0}, .has_bias = bias,
                    };

                    mb_context("stride %lld, kernel %lld, multiplier %lld, "
                               "bias %d",
                               (long long)s, (long long)k, (long long)mult,
                               bias);
                    check_depthwise_conv(state, &p, seed++);
                }
}

/* Ensures dilation 2 on both axes, and different strides and dilations
 * per axis, match the reference. */
static void test_conv_depthwise_dilations(void **state)
{
    static const int64_t shapes[][4] = {
        /* stride h, stride w, dilation h, dilation w */
        {1, 1, 2, 2}, {2, 2, 2, 2}, {1, 2, 2, 1}, {2, 1, 1, 2}, {3, 1, 2, 2},
    };
    uint32_t seed = 300;

    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        const conv_params p = {
            .spatial = 2, .n = 2, .c = 4, .m = 8, .group = 4,
            .in = {13, 21}, .kernel = {3, 3},
            .stride = {shapes[i][0], shapes[i][1]},
            .dilation = {shapes[i][2], shapes[i][3]},
            .pad_begin = {2, 1}, .pad_end = {0, 2}, .has_bias = 1,
        };

        mb_context("strides %lld x %lld, dilations %lld x %lld",
                   (long long)shapes[i][0], (long long)shapes[i][1],
                   (long long)shapes[i][2], (long long)shapes[i][3]);
        check_depthwise_conv(state, &p, seed++);
    }
}

/* Ensures output rows of widths around the 4, 8 and 16 floats of a
 * vector and a 64-output block match the reference at strides 1 and 2. */
static void test_conv_depthwise_widths_around_vectors(void **state)
{
    static const int64_t widths[] = {1,  2,  3,  4,  5,  7,  8,  9,  15, 16,
                                     17, 31, 32, 33, 63, 64, 65, 66, 130};
    uint32_t seed = 400;

    for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++)
        for (int64_t s = 1; s <= 2; s++) {
            const conv_params p = {
                .spatial = 2, .n = 1, .c = 2, .m = 2, .group = 2,
                .in = {5, widths[i]}, .kernel = {3, 3}, .stride = {s, s},
                .dilation = {1, 1}, .pad_begin = {1, 1}, .pad_end = {1, 1},
                .has_bias = 1,
            };

            mb_context("width %lld, stride %lld", (long long)widths[i],
                       (long long)s);
            check_depthwise_conv(state, &p, seed++);
        }
}

/* Ensures one large channel, whose rows are split into bands across the
 * threads, matches the reference with bit-identical results. */
static void test_conv_depthwise_one_channel_in_bands(void **state)
{
    const conv_params p = {
        .spatial = 2, .n = 1, .c = 1, .m = 1, .group = 1,
        .in = {301, 67}, .kernel = {3, 3}, .stride = {1, 1},
        .dilation = {1, 1}, .pad_begin = {1, 1}, .pad_end = {1, 1},
        .has_bias = 1,
    };

    check_depthwise_conv(state, &p, 500);
}

/* Ensures 1-D depthwise Conv (group == C) matches the reference. */
static void test_conv_depthwise_1d(void **state)
{
    uint32_t seed = 600;

    for (int64_t s = 1; s <= 2; s++) {
        const conv_params p = {
            .spatial = 1, .n = 2, .c = 3, .m = 6, .group = 3,
            .in = {40}, .kernel = {3}, .stride = {s},
            .dilation = {2}, .pad_begin = {2}, .pad_end = {1},
            .has_bias = 1,
        };

        mb_context("stride %lld", (long long)s);
        check_depthwise_conv(state, &p, seed++);
    }
}

/* Ensures depthwise Conv followed by Add of a [M, 1, 1] constant and Clip
 * to [0, 6] gives clip(conv + bias), both when the session folds the two
 * nodes into the Conv and when it runs every node. */
static void test_conv_depthwise_add_clip_chain(void **state)
{
    const conv_params p = {
        .spatial = 2, .n = 2, .c = 4, .m = 4, .group = 4,
        .in = {11, 18}, .kernel = {3, 3}, .stride = {1, 1},
        .dilation = {1, 1}, .pad_begin = {1, 1}, .pad_end = {1, 1},
        .has_bias = 1,
    };
    static const float lo = 0.0f, hi = 6.0f;
    float x[1584], w[36], b[4], bias[4], y[1584];
    int64_t dims_y[4];
    uint32_t seed = 700;
    mb_model *m;

    mb_random_floats(&seed, x, 1584);
    mb_random_floats(&seed, w, 36);
    mb_random_floats(&seed, b, 4);
    mb_random_floats(&seed, bias, 4);
    reference_conv(&p, x, w, b, y, dims_y);
    for (int i = 0; i < 1584; i++) {
        float v = y[i] + bias[i / 198 % 4];

        if (v < lo)
            v = lo;
        if (v > hi)
            v = hi;
        y[i] = v;
    }

    m = mb_case_model(state, 13);
    add_conv_node(m, "conv", &p, 1);
    mb_node_add(m, "Add", "bias", MB_NAMES("Y", "C"), MB_NAMES("Z"));
    mb_node_add(m, "Clip", "relu6", MB_NAMES("Z", "LO", "HI"),
                MB_NAMES("R"));
    add_conv_operands(m, &p, x, w, b);
    mb_initializer(m, "C", ONNXMINI_FLOAT, MB_DIMS(4, 1, 1), bias, MB_RAW);
    mb_initializer(m, "LO", ONNXMINI_FLOAT, 0, NULL, &lo, MB_RAW);
    mb_initializer(m, "HI", ONNXMINI_FLOAT, 0, NULL, &hi, MB_RAW);
    mb_output(m, "R", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    for (size_t i = 0; i < onnxmini_isa_count(); i++)
        for (int rewrites = 0; rewrites <= 1; rewrites++) {
            onnxmini_session_options options;

            onnxmini_session_options_init(&options);
            options.isa = onnxmini_isa_name(i);
            options.graph_rewrites = rewrites;
            mb_result *r = mb_case_run_with(state, &options);
            mb_context("isa %s, graph rewrites %d", options.isa, rewrites);
            mb_assert_ok(r);
            mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, 4, dims_y, y,
                             TOLERANCE);
        }
}

/* Ensures an infinite weight gives NaN where it meets the padding: the
 * ONNX spec pads with zeros, and 0 * inf is NaN. */
static void test_conv_depthwise_infinite_weight_meets_padding(void **state)
{
    static const float x[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    /* Only the top-left weight is nonzero. Output (i, j) reads it at
     * input (i - 1, j - 1): padding (NaN) in the first row and column,
     * 1 * inf = inf elsewhere. */
    const float w[9] = {INFINITY, 0, 0, 0, 0, 0, 0, 0, 0};
    const float expected[9] = {NAN, NAN,      NAN, NAN,     INFINITY,
                               INFINITY, NAN, INFINITY, INFINITY};

    for (size_t i = 0; i < onnxmini_isa_count(); i++) {
        onnxmini_session_options options;
        mb_node *n = plain_conv_model(state, 11, 4,
                                      (const int64_t[]){1, 1, 3, 3}, x,
                                      (const int64_t[]){1, 1, 3, 3}, w);

        mb_attr_ints(n, "pads", MB_I64S(1, 1, 1, 1));
        onnxmini_session_options_init(&options);
        options.isa = onnxmini_isa_name(i);
        mb_result *r = mb_case_run_with(state, &options);
        mb_context("isa %s", options.isa);
        mb_assert_ok(r);
        mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 1, 3, 3),
                         expected, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        MB_TEST(test_conv_no_padding),
        MB_TEST(test_conv_symmetric_pads),
        MB_TEST(test_conv_asymmetric_pads),
        MB_TEST(test_conv_strides),
        MB_TEST(test_conv_dilations),
        MB_TEST(test_conv_1x1_with_bias),
        MB_TEST(test_conv_1x1_without_bias),
        MB_TEST(test_conv_skipped_bias_input),
        MB_TEST(test_conv_group_two_by_hand),
        MB_TEST(test_conv_group_two),
        MB_TEST(test_conv_depthwise_multiplier),
        MB_TEST(test_conv_depthwise_stride2),
        MB_TEST(test_conv_depthwise_strides_and_kernels),
        MB_TEST(test_conv_depthwise_dilations),
        MB_TEST(test_conv_depthwise_widths_around_vectors),
        MB_TEST(test_conv_depthwise_one_channel_in_bands),
        MB_TEST(test_conv_depthwise_1d),
        MB_TEST(test_conv_depthwise_add_clip_chain),
        MB_TEST(test_conv_depthwise_infinite_weight_meets_padding),
        MB_TEST(test_conv_kernel_shape_inferred),
        MB_TEST(test_conv_auto_pad_same_upper),
        MB_TEST(test_conv_auto_pad_same_lower),
        MB_TEST(test_conv_auto_pad_valid),
        MB_TEST(test_conv_1d_by_hand),
        MB_TEST(test_conv_1d),
        MB_TEST(test_conv_3d),
        MB_TEST(test_conv_batch),
        MB_TEST(test_conv_all_attributes_combined),
        MB_TEST(test_conv_channel_counts_around_tiles),
        MB_TEST(test_conv_strided_chunks_inside_rows),
        MB_TEST(test_conv_row_widths_around_vectors),
        MB_TEST(test_conv_small_maps_many_channels),
        MB_TEST(test_conv_add_relu_chain),
        MB_TEST(test_conv_opset1),
        MB_TEST(test_conv_double),
        MB_TEST(test_conv_symbolic_batch),
        MB_TEST(test_conv_weights_fed_at_run_time),
        MB_TEST(test_conv_weight_channels_mismatch_fails),
        MB_TEST(test_conv_group_weight_channels_mismatch_fails),
        MB_TEST(test_conv_channels_not_divisible_by_group_fails),
        MB_TEST(test_conv_output_channels_not_divisible_by_group_fails),
        MB_TEST(test_conv_wrong_weight_rank_fails),
        MB_TEST(test_conv_bias_length_mismatch_fails),
        MB_TEST(test_conv_kernel_shape_mismatch_fails),
        MB_TEST(test_conv_kernel_larger_than_input_fails),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
