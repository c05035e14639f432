/*
 * test_fusion.c - each graph rewrite gives the results of the graph as
 * written: a session with graph_rewrites = 1 against one with 0, on every
 * pattern the session folds (Conv or MatMul followed by an Add of a
 * constant and by Relu or Clip; MaxPool followed by Relu or Clip) and on
 * near misses it must leave alone.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model_builder.h"
#include "onnxmini.h"

/* Runs the packed model with rewrites on or off; returns the output copy. */
static float *run(const uint8_t *bytes, size_t size, int rewrites,
                  const float *x, const int64_t *dims, size_t rank,
                  size_t *count)
{
    onnxmini_model *model = NULL;
    onnxmini_session *session = NULL;
    onnxmini_session_options options;
    onnxmini_error err;
    onnxmini_tensor out;
    size_t n = 1, i;
    float *copy;

    for (i = 0; i < rank; i++)
        n *= (size_t)dims[i];
    if (onnxmini_model_load_memory(bytes, size, &model, &err) != ONNXMINI_OK)
        fail_msg("%s", err.message);
    onnxmini_session_options_init(&options);
    options.graph_rewrites = rewrites;
    if (onnxmini_session_create(model, &options, &session, &err) != ONNXMINI_OK)
        fail_msg("%s", err.message);
    if (onnxmini_session_set_input(session, "x", ONNXMINI_FLOAT, dims, rank, x,
                                   n * sizeof *x) != ONNXMINI_OK ||
        onnxmini_session_run(session) != ONNXMINI_OK ||
        onnxmini_session_output(session, 0, &out) != ONNXMINI_OK)
        fail_msg("%s", onnxmini_session_message(session));
    copy = malloc(out.bytes);
    assert_non_null(copy);
    memcpy(copy, out.data, out.bytes);
    *count = out.bytes / sizeof(float);
    onnxmini_session_destroy(session);
    onnxmini_model_free(model);
    return copy;
}

/* Packs the test's model and compares the two runs element by element:
 * a folded bias is added in another order, so allow a few float steps. */
static void compare_rewrites(mb_model *m, int rank_arg, const int64_t *dims)
{
    size_t rank = (size_t)rank_arg;
    size_t size, n = 1, i, c1, c0;
    uint8_t *bytes;
    float *x, *y1, *y0;
    uint32_t seed = 5;

    for (i = 0; i < rank; i++)
        n *= (size_t)dims[i];
    x = malloc(n * sizeof *x);
    assert_non_null(x);
    mb_random_floats(&seed, x, n);
    bytes = mb_model_pack(m, &size);
    y1 = run(bytes, size, 1, x, dims, rank, &c1);
    y0 = run(bytes, size, 0, x, dims, rank, &c0);
    assert_int_equal(c1, c0);
    for (i = 0; i < c0; i++)
        if (!(fabsf(y1[i] - y0[i]) <= 1e-5f * (1.0f + fabsf(y0[i]))))
            fail_msg("element %zu: %.9g rewritten, %.9g as written", i, y1[i],
                     y0[i]);
    free(x);
    free(y1);
    free(y0);
    free(bytes);
}

/* x [1, 3, 9, 9] -> Conv 3x3 (8 channels, pads 1) -> "c". */
static mb_model *conv_graph(void **state, int with_bias)
{
    static float w[8 * 3 * 3 * 3], b[8];
    uint32_t seed = 3;
    mb_model *m = mb_case_model(state, 13);
    mb_node *n;

    mb_random_floats(&seed, w, sizeof w / sizeof w[0]);
    mb_random_floats(&seed, b, 8);
    mb_input(m, "x", ONNXMINI_FLOAT, MB_DIMS(1, 3, 9, 9));
    mb_initializer(m, "w", ONNXMINI_FLOAT, MB_DIMS(8, 3, 3, 3), w, MB_RAW);
    mb_initializer(m, "cb", ONNXMINI_FLOAT, MB_DIMS(8), b, MB_RAW);
    mb_initializer(m, "b", ONNXMINI_FLOAT, MB_DIMS(8, 1, 1), b, MB_RAW);
    n = mb_node_add(m, "Conv", "conv",
                    with_bias ? MB_NAMES("x", "w", "cb") : MB_NAMES("x", "w"),
                    MB_NAMES("c"));
    mb_attr_ints(n, "pads", MB_I64S(1, 1, 1, 1));
    return m;
}

/* Conv, then Add of a [C, 1, 1] bias, then Relu. */
static void test_fusion_conv_add_relu(void **state)
{
    mb_model *m = conv_graph(state, 1);
    mb_node_add(m, "Add", "add", MB_NAMES("c", "b"), MB_NAMES("a"));
    mb_node_add(m, "Relu", "relu", MB_NAMES("a"), MB_NAMES("y"));
    mb_output(m, "y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    compare_rewrites(m, MB_DIMS(1, 3, 9, 9));
}

/* Conv, then Relu. */
static void test_fusion_conv_relu(void **state)
{
    mb_model *m = conv_graph(state, 1);
    mb_node_add(m, "Relu", "relu", MB_NAMES("c"), MB_NAMES("y"));
    mb_output(m, "y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    compare_rewrites(m, MB_DIMS(1, 3, 9, 9));
}

/* Conv, then a Clip of constant bounds [0, 0.5] (ReLU6-style). */
static void test_fusion_conv_clip(void **state)
{
    mb_model *m = conv_graph(state, 0);
    mb_initializer(m, "lo", ONNXMINI_FLOAT, 0, NULL, (const float[]){0.0f},
                   MB_RAW);
    mb_initializer(m, "hi", ONNXMINI_FLOAT, 0, NULL, (const float[]){0.5f},
                   MB_RAW);
    mb_node_add(m, "Clip", "clip", MB_NAMES("c", "lo", "hi"), MB_NAMES("y"));
    mb_output(m, "y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    compare_rewrites(m, MB_DIMS(1, 3, 9, 9));
}

/* Conv, then a Clip whose bounds come from Constant nodes, as PyTorch
 * exports ReLU6: min as a `value` tensor, max as `value_float`. */
static void test_fusion_conv_clip_constant_nodes(void **state)
{
    mb_model *m = conv_graph(state, 1);
    mb_node *lo = mb_node_add(m, "Constant", "lo", NULL, MB_NAMES("lo"));
    mb_node *hi = mb_node_add(m, "Constant", "hi", NULL, MB_NAMES("hi"));

    mb_attr_tensor(lo, "value", ONNXMINI_FLOAT, 0, NULL, (const float[]){-0.5f},
                   MB_RAW);
    mb_attr_float(hi, "value_float", 0.75f);
    mb_node_add(m, "Clip", "clip", MB_NAMES("c", "lo", "hi"), MB_NAMES("y"));
    mb_output(m, "y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    compare_rewrites(m, MB_DIMS(1, 3, 9, 9));
}

/* Conv, then Add and Relu, where the Add's bias is an Identity of an
 * initializer (as PyTorch exports shared tensors) that comes after the
 * Conv in the node order. The session must not fold a bias that has no
 * data yet when the Conv is planned. */
static void test_fusion_conv_add_bias_through_later_identity(void **state)
{
    mb_model *m = conv_graph(state, 1);
    mb_node_add(m, "Identity", "copy", MB_NAMES("b"), MB_NAMES("b2"));
    mb_node_add(m, "Add", "add", MB_NAMES("c", "b2"), MB_NAMES("a"));
    mb_node_add(m, "Relu", "relu", MB_NAMES("a"), MB_NAMES("y"));
    mb_output(m, "y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    compare_rewrites(m, MB_DIMS(1, 3, 9, 9));
}

/* Conv whose weights and bias are Identity copies of initializers,
 * followed by a ReLU6-style Clip: the Conv can still take the Clip. */
static void test_fusion_conv_weights_through_identity(void **state)
{
    static float w[8 * 3 * 3 * 3], b[8];
    uint32_t seed = 13;
    mb_model *m = mb_case_model(state, 13);
    mb_node *n;

    mb_random_floats(&seed, w, sizeof w / sizeof w[0]);
    mb_random_floats(&seed, b, 8);
    mb_input(m, "x", ONNXMINI_FLOAT, MB_DIMS(1, 3, 9, 9));
    mb_initializer(m, "w0", ONNXMINI_FLOAT, MB_DIMS(8, 3, 3, 3), w, MB_RAW);
    mb_initializer(m, "b0", ONNXMINI_FLOAT, MB_DIMS(8), b, MB_RAW);
    mb_initializer(m, "lo", ONNXMINI_FLOAT, 0, NULL, (const float[]){0.0f},
                   MB_RAW);
    mb_initializer(m, "hi", ONNXMINI_FLOAT, 0, NULL, (const float[]){1.5f},
                   MB_RAW);
    mb_node_add(m, "Identity", "copy_w", MB_NAMES("w0"), MB_NAMES("w"));
    mb_node_add(m, "Identity", "copy_b", MB_NAMES("b0"), MB_NAMES("cb"));
    n = mb_node_add(m, "Conv", "conv", MB_NAMES("x", "w", "cb"),
                    MB_NAMES("c"));
    mb_attr_ints(n, "pads", MB_I64S(1, 1, 1, 1));
    mb_node_add(m, "Clip", "clip", MB_NAMES("c", "lo", "hi"), MB_NAMES("y"));
    mb_output(m, "y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    compare_rewrites(m, MB_DIMS(1, 3, 9, 9));
}

/* An Add whose bias broadcasts beyond the Conv's output shape cannot be
 * folded; the session plans again without the fusion. */
static void test_fusion_conv_add_expanding(void **state)
{
    static float wide[2 * 8 * 9 * 9];
    uint32_t seed = 9;
    mb_model *m = conv_graph(state, 0);
    mb_random_floats(&seed, wide, sizeof wide / sizeof wide[0]);
    mb_initializer(m, "wide", ONNXMINI_FLOAT, MB_DIMS(2, 8, 9, 9), wide,
                   MB_RAW);
    mb_node_add(m, "Add", "add", MB_NAMES("c", "wide"), MB_NAMES("y"));
    mb_output(m, "y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    compare_rewrites(m, MB_DIMS(1, 3, 9, 9));
}

/* A Conv output that another node also reads is not folded away. */
static void test_fusion_conv_output_read_twice(void **state)
{
    mb_model *m = conv_graph(state, 1);
    mb_node_add(m, "Relu", "relu", MB_NAMES("c"), MB_NAMES("r"));
    mb_node_add(m, "Add", "sum", MB_NAMES("c", "r"), MB_NAMES("y"));
    mb_output(m, "y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    compare_rewrites(m, MB_DIMS(1, 3, 9, 9));
}

/* MatMul by a constant, then Add of a [1, N] bias, then Relu; and the
 * same with one bias value for every column. */
static void test_fusion_matmul_add_relu(void **state)
{
    static float w[40 * 70], b[70];
    uint32_t seed = 4;
    int variant;

    mb_random_floats(&seed, w, sizeof w / sizeof w[0]);
    mb_random_floats(&seed, b, 70);
    for (variant = 0; variant < 2; variant++) {
        mb_model *m = mb_case_model(state, 13);
        mb_input(m, "x", ONNXMINI_FLOAT, MB_DIMS(3, 40));
        mb_initializer(m, "w", ONNXMINI_FLOAT, MB_DIMS(40, 70), w, MB_RAW);
        if (variant == 0)
            mb_initializer(m, "b", ONNXMINI_FLOAT, MB_DIMS(1, 70), b, MB_RAW);
        else
            mb_initializer(m, "b", ONNXMINI_FLOAT, MB_DIMS(1), b, MB_RAW);
        mb_node_add(m, "MatMul", "mm", MB_NAMES("x", "w"), MB_NAMES("p"));
        mb_node_add(m, "Add", "add", MB_NAMES("b", "p"), MB_NAMES("a"));
        mb_node_add(m, "Relu", "relu", MB_NAMES("a"), MB_NAMES("y"));
        mb_output(m, "y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
        compare_rewrites(m, MB_DIMS(3, 40));
    }
}

/* x [1, 3, 9, 9] -> MaxPool 1x2, stride 2, pads 1 on the width -> "p".
 * Windows of one or two inputs keep about a quarter of the maxima
 * negative, so a Relu or Clip after it has work to do. */
static mb_model *maxpool_graph(void **state)
{
    mb_model *m = mb_case_model(state, 13);
    mb_node *n;

    mb_input(m, "x", ONNXMINI_FLOAT, MB_DIMS(1, 3, 9, 9));
    n = mb_node_add(m, "MaxPool", "pool", MB_NAMES("x"), MB_NAMES("p"));
    mb_attr_ints(n, "kernel_shape", MB_I64S(1, 2));
    mb_attr_ints(n, "strides", MB_I64S(2, 2));
    mb_attr_ints(n, "pads", MB_I64S(0, 1, 0, 1));
    return m;
}

/* MaxPool, then Relu: clamping the maxima equals pooling the clamped
 * input. */
static void test_fusion_maxpool_relu(void **state)
{
    mb_model *m = maxpool_graph(state);
    mb_node_add(m, "Relu", "relu", MB_NAMES("p"), MB_NAMES("y"));
    mb_output(m, "y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    compare_rewrites(m, MB_DIMS(1, 3, 9, 9));
}

/* MaxPool, then a Clip of constant bounds [-0.25, 0.5]. */
static void test_fusion_maxpool_clip(void **state)
{
    mb_model *m = maxpool_graph(state);
    mb_initializer(m, "lo", ONNXMINI_FLOAT, 0, NULL, (const float[]){-0.25f},
                   MB_RAW);
    mb_initializer(m, "hi", ONNXMINI_FLOAT, 0, NULL, (const float[]){0.5f},
                   MB_RAW);
    mb_node_add(m, "Clip", "clip", MB_NAMES("p", "lo", "hi"), MB_NAMES("y"));
    mb_output(m, "y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    compare_rewrites(m, MB_DIMS(1, 3, 9, 9));
}

/* A MaxPool whose Indices output is read keeps its Relu as a node. */
static void test_fusion_maxpool_with_indices(void **state)
{
    mb_model *m = mb_case_model(state, 13);
    mb_node *n;

    mb_input(m, "x", ONNXMINI_FLOAT, MB_DIMS(1, 3, 9, 9));
    n = mb_node_add(m, "MaxPool", "pool", MB_NAMES("x"), MB_NAMES("p", "i"));
    mb_attr_ints(n, "kernel_shape", MB_I64S(2, 2));
    mb_node_add(m, "Relu", "relu", MB_NAMES("p"), MB_NAMES("y"));
    mb_output(m, "y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_output(m, "i", ONNXMINI_INT64, MB_NO_SHAPE, NULL);
    compare_rewrites(m, MB_DIMS(1, 3, 9, 9));
}

/* A double MaxPool followed by a Relu: the folded epilogues compute in
 * float, so the session must keep the Relu as a node. */
static void test_fusion_maxpool_double_relu_not_folded(void **state)
{
    static const double x[4] = {0.05, -0.1, 0.3, -0.4};
    const double *y;
    onnxmini_model *model = NULL;
    onnxmini_session *session = NULL;
    onnxmini_error err;
    onnxmini_tensor out;
    mb_model *m = mb_case_model(state, 13);
    mb_node *n;
    uint8_t *bytes;
    size_t size;

    mb_input(m, "x", ONNXMINI_DOUBLE, MB_DIMS(1, 1, 2, 2));
    n = mb_node_add(m, "MaxPool", "pool", MB_NAMES("x"), MB_NAMES("p"));
    mb_attr_ints(n, "kernel_shape", MB_I64S(1, 1));
    mb_node_add(m, "Relu", "relu", MB_NAMES("p"), MB_NAMES("y"));
    mb_output(m, "y", ONNXMINI_DOUBLE, MB_NO_SHAPE, NULL);
    bytes = mb_model_pack(m, &size);
    if (onnxmini_model_load_memory(bytes, size, &model, &err) != ONNXMINI_OK)
        fail_msg("%s", err.message);
    if (onnxmini_session_create(model, NULL, &session, &err) != ONNXMINI_OK)
        fail_msg("%s", err.message);
    if (onnxmini_session_set_input(session, "x", ONNXMINI_DOUBLE,
                                   (const int64_t[]){1, 1, 2, 2}, 4, x,
                                   sizeof x) != ONNXMINI_OK ||
        onnxmini_session_run(session) != ONNXMINI_OK ||
        onnxmini_session_output(session, 0, &out) != ONNXMINI_OK)
        fail_msg("%s", onnxmini_session_message(session));
    y = out.data;
    assert_true(y[0] == 0.05);
    assert_true(y[1] == 0.0);
    assert_true(y[2] == 0.3);
    assert_true(y[3] == 0.0);
    onnxmini_session_destroy(session);
    onnxmini_model_free(model);
    free(bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        MB_TEST(test_fusion_conv_add_relu),
        MB_TEST(test_fusion_conv_relu),
        MB_TEST(test_fusion_conv_clip),
        MB_TEST(test_fusion_conv_clip_constant_nodes),
        MB_TEST(test_fusion_conv_add_bias_through_later_identity),
        MB_TEST(test_fusion_conv_weights_through_identity),
        MB_TEST(test_fusion_conv_add_expanding),
        MB_TEST(test_fusion_conv_output_read_twice),
        MB_TEST(test_fusion_matmul_add_relu),
        MB_TEST(test_fusion_maxpool_relu),
        MB_TEST(test_fusion_maxpool_clip),
        MB_TEST(test_fusion_maxpool_with_indices),
        MB_TEST(test_fusion_maxpool_double_relu_not_folded),
    };
    return cmocka_run_group_tests_name("fusion", tests, NULL, NULL);
}
