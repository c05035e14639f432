/*
 * test_relu.c - Relu (opsets 1, 6, 13, 14) through the public API.
 *
 * Relu computes y = max(0, x) element-wise. Opsets 1 to 13 accept float16,
 * float and double (13 adds bfloat16); opset 14 adds int8, int16, int32 and
 * int64.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "model_builder.h"

/* Builds Y = Relu(X) for an input of the given type and shape, fed with
 * `data`. */
static mb_model *relu_model(void **state, int64_t opset, onnxmini_dtype dtype,
                            int rank, const int64_t *dims, const void *data)
{
    mb_model *m = mb_case_model(state, opset);

    mb_node_add(m, "Relu", "relu", MB_NAMES("X"), MB_NAMES("Y"));
    mb_input_data(m, "X", dtype, rank, dims, data);
    mb_output(m, "Y", dtype, MB_NO_SHAPE, NULL);
    return m;
}

/* Ensures negative values become 0 and positive values pass unchanged. */
static void test_relu_negatives_become_zero(void **state)
{
    const float x[6] = {-3.5f, -1e-30f, 0.25f, 2.0f, -0.0001f, 7.0f};
    const float expected[6] = {0, 0, 0.25f, 2.0f, 0, 7.0f};

    relu_model(state, 13, ONNXMINI_FLOAT, MB_DIMS(2, 3), x);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(2, 3), expected,
                     0);
}

/* Ensures zero of either sign maps to a zero. */
static void test_relu_zero_stays_zero(void **state)
{
    const float x[2] = {0.0f, -0.0f};
    const float expected[2] = {0.0f, 0.0f};

    relu_model(state, 13, ONNXMINI_FLOAT, MB_DIMS(2), x);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    /* -0.0 == 0.0, so the sign of a zero result is not checked. */
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(2), expected, 0);
}

/* Ensures a NaN input gives a NaN output rather than 0. */
static void test_relu_nan_passes_through(void **state)
{
    const float x[3] = {NAN, -1.0f, -NAN};
    const float expected[3] = {NAN, 0.0f, NAN};

    relu_model(state, 13, ONNXMINI_FLOAT, MB_DIMS(3), x);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(3), expected, 0);
}

/* Ensures +inf stays +inf and -inf becomes 0. */
static void test_relu_infinities(void **state)
{
    const float x[2] = {INFINITY, -INFINITY};
    const float expected[2] = {INFINITY, 0.0f};

    relu_model(state, 13, ONNXMINI_FLOAT, MB_DIMS(2), x);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(2), expected, 0);
}

/* Ensures a rank-0 (scalar) input gives a rank-0 output. */
static void test_relu_scalar_input(void **state)
{
    const float x = -2.0f;
    const float expected = 0.0f;

    relu_model(state, 13, ONNXMINI_FLOAT, 0, NULL, &x);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, 0, NULL, &expected, 0);
}

/* Ensures double inputs are computed in double, keeping values that float
 * cannot represent. */
static void test_relu_double(void **state)
{
    const double x[4] = {-1e-300, 1e-300, 1.0 + 1e-15, -5.0};
    const double expected[4] = {0.0, 1e-300, 1.0 + 1e-15, 0.0};

    relu_model(state, 13, ONNXMINI_DOUBLE, MB_DIMS(4), x);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_DOUBLE, MB_DIMS(4), expected, 0);
}

/* Ensures int32 inputs work from opset 14, including the extreme values. */
static void test_relu_int32_opset14(void **state)
{
    const int32_t x[5] = {INT32_MIN, -1, 0, 1, INT32_MAX};
    const int32_t expected[5] = {0, 0, 0, 1, INT32_MAX};

    relu_model(state, 14, ONNXMINI_INT32, MB_DIMS(5), x);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_INT32, MB_DIMS(5), expected, 0);
}

/* Ensures int8 inputs work from opset 14. */
static void test_relu_int8_opset14(void **state)
{
    const int8_t x[4] = {-128, -1, 5, 127};
    const int8_t expected[4] = {0, 0, 5, 127};

    relu_model(state, 14, ONNXMINI_INT8, MB_DIMS(4), x);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_INT8, MB_DIMS(4), expected, 0);
}

/* Ensures int64 inputs work from opset 14, with values beyond 32 bits. */
static void test_relu_int64_opset14(void **state)
{
    const int64_t x[3] = {-(INT64_C(1) << 40), INT64_C(1) << 40, -7};
    const int64_t expected[3] = {0, INT64_C(1) << 40, 0};

    relu_model(state, 14, ONNXMINI_INT64, MB_DIMS(3), x);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_INT64, MB_DIMS(3), expected, 0);
}

/* Ensures int32 is rejected before opset 14, whose type constraint is the
 * first to list it. */
static void test_relu_int32_before_opset14_fails(void **state)
{
    const int32_t x[2] = {-1, 1};

    relu_model(state, 13, ONNXMINI_INT32, MB_DIMS(2), x);
    mb_result *r = mb_case_run(state);
    mb_assert_model_error(r, "relu");
}

/* Ensures opset 1 Relu runs and ignores its legacy consumed_inputs
 * attribute. */
static void test_relu_opset1_consumed_inputs(void **state)
{
    const float x[3] = {-1.0f, 0.5f, 3.0f};
    const float expected[3] = {0.0f, 0.5f, 3.0f};
    mb_model *m = mb_case_model(state, 1);
    mb_node *n = mb_node_add(m, "Relu", "relu", MB_NAMES("X"), MB_NAMES("Y"));

    mb_attr_ints(n, "consumed_inputs", MB_I64S(0));
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(3), x);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(3), expected, 0);
}

/* Ensures opset 6 Relu gives the same results as later opsets. */
static void test_relu_opset6(void **state)
{
    const float x[4] = {-2.0f, -0.5f, 0.5f, 2.0f};
    const float expected[4] = {0.0f, 0.0f, 0.5f, 2.0f};

    relu_model(state, 6, ONNXMINI_FLOAT, MB_DIMS(2, 2), x);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(2, 2), expected,
                     0);
}

/* Ensures every length from 1 to 70 is right on every kernel instruction
 * set, covering vector bodies and tails of 4, 8 and 16 lanes. */
static void test_relu_lengths_around_vector_widths(void **state)
{
    const char *const isas[] = {NULL, "scalar"};
    uint32_t seed = 7;
    float *x = mb_case_alloc(state, 70 * sizeof *x);
    float *expected = mb_case_alloc(state, 70 * sizeof *expected);

    for (int64_t length = 1; length <= 70; length++) {
        mb_random_floats(&seed, x, (size_t)length);
        for (int64_t i = 0; i < length; i++)
            expected[i] = x[i] > 0 ? x[i] : 0.0f;
        relu_model(state, 14, ONNXMINI_FLOAT, MB_DIMS(length), x);

        for (size_t k = 0; k < sizeof isas / sizeof isas[0]; k++) {
            onnxmini_session_options options;

            onnxmini_session_options_init(&options);
            options.isa = isas[k];
            mb_result *r = mb_case_run_with(state, &options);
            mb_context("length %lld, isa %s", (long long)length,
                       isas[k] != NULL ? isas[k] : "default");
            mb_assert_ok(r);
            mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(length),
                             expected, 0);
        }
    }
}

/* Ensures Relu applied to its own output in a chain of two nodes gives the
 * same values, so in-place reuse of a buffer does not corrupt data. */
static void test_relu_chain_of_two(void **state)
{
    const float x[5] = {-1.0f, 2.0f, -3.0f, 4.0f, 0.0f};
    const float expected[5] = {0.0f, 2.0f, 0.0f, 4.0f, 0.0f};
    mb_model *m = mb_case_model(state, 14);

    mb_node_add(m, "Relu", "relu1", MB_NAMES("X"), MB_NAMES("T"));
    mb_node_add(m, "Relu", "relu2", MB_NAMES("T"), MB_NAMES("Y"));
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(5), x);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(5), expected, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        MB_TEST(test_relu_negatives_become_zero),
        MB_TEST(test_relu_zero_stays_zero),
        MB_TEST(test_relu_nan_passes_through),
        MB_TEST(test_relu_infinities),
        MB_TEST(test_relu_scalar_input),
        MB_TEST(test_relu_double),
        MB_TEST(test_relu_int32_opset14),
        MB_TEST(test_relu_int8_opset14),
        MB_TEST(test_relu_int64_opset14),
        MB_TEST(test_relu_int32_before_opset14_fails),
        MB_TEST(test_relu_opset1_consumed_inputs),
        MB_TEST(test_relu_opset6),
        MB_TEST(test_relu_lengths_around_vector_widths),
        MB_TEST(test_relu_chain_of_two),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
