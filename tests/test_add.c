/*
 * test_add.c - Add (opsets 1, 6, 7, 13, 14) through the public API.
 *
 * From opset 7, Add broadcasts both inputs numpy-style (multidirectional):
 * shapes are aligned at their last dimension, and each pair of sizes must be
 * equal or contain a 1. Opsets 1 and 6 broadcast only B onto A, and only
 * with the attribute broadcast=1. The attribute `axis` then gives the
 * dimension of A where B's dimensions start. Opset 14 adds uint8, uint16,
 * int8 and int16.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "model_builder.h"

#define MAX_RANK 6

/* Elements of the largest output in the reference comparison. */
#define MAX_OUTPUT 4096

/* Builds Y = Add(A, B) with both inputs fed at run time. */
static mb_model *add_model(void **state, int64_t opset, onnxmini_dtype dtype,
                           int rank_a, const int64_t *dims_a, const void *a,
                           int rank_b, const int64_t *dims_b, const void *b)
{
    mb_model *m = mb_case_model(state, opset);

    mb_node_add(m, "Add", "add", MB_NAMES("A", "B"), MB_NAMES("Y"));
    mb_input_data(m, "A", dtype, rank_a, dims_a, a);
    mb_input_data(m, "B", dtype, rank_b, dims_b, b);
    mb_output(m, "Y", dtype, MB_NO_SHAPE, NULL);
    return m;
}

/* Reference for float Add with numpy broadcasting, written with explicit
 * per-dimension index arithmetic. Fills dims_y and returns its rank, or -1
 * when the output has more than `capacity` elements. */
static int reference_add(int rank_a, const int64_t *dims_a, const float *a,
                         int rank_b, const int64_t *dims_b, const float *b,
                         int64_t *dims_y, float *y, size_t capacity)
{
    int rank = rank_a > rank_b ? rank_a : rank_b;
    int64_t da[MAX_RANK], db[MAX_RANK];
    size_t count = 1;

    /* Left-pad both shapes with 1s to the common rank. */
    for (int i = 0; i < rank; i++) {
        int ia = i - (rank - rank_a), ib = i - (rank - rank_b);

        da[i] = ia >= 0 ? dims_a[ia] : 1;
        db[i] = ib >= 0 ? dims_b[ib] : 1;
        dims_y[i] = da[i] == 1 ? db[i] : da[i];
        count *= (size_t)dims_y[i];
    }
    if (count > capacity)
        return -1;

    for (size_t flat = 0; flat < count; flat++) {
        size_t rest = flat, offset_a = 0, offset_b = 0, stride_a = 1,
               stride_b = 1;

        for (int i = rank - 1; i >= 0; i--) {
            size_t coord = rest % (size_t)dims_y[i];

            rest /= (size_t)dims_y[i];
            offset_a += (da[i] == 1 ? 0 : coord) * stride_a;
            offset_b += (db[i] == 1 ? 0 : coord) * stride_b;
            stride_a *= (size_t)da[i];
            stride_b *= (size_t)db[i];
        }
        y[flat] = a[offset_a] + b[offset_b];
    }
    return rank;
}

/* Ensures two inputs of one shape add element by element. */
static void test_add_same_shape(void **state)
{
    const float a[6] = {1, 2, 3, 4, 5, 6};
    const float b[6] = {0.5f, -2, 10, -4, 0, 100};
    const float expected[6] = {1.5f, 0, 13, 0, 5, 106};

    add_model(state, 13, ONNXMINI_FLOAT, MB_DIMS(2, 3), a, MB_DIMS(2, 3), b);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(2, 3), expected,
                     0);
}

/* Ensures a rank-0 B is added to every element of A. */
static void test_add_scalar_on_right(void **state)
{
    const float a[6] = {1, 2, 3, 4, 5, 6};
    const float b = 10;
    const float expected[6] = {11, 12, 13, 14, 15, 16};

    add_model(state, 13, ONNXMINI_FLOAT, MB_DIMS(2, 3), a, 0, NULL, &b);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(2, 3), expected,
                     0);
}

/* Ensures a rank-0 A broadcasts onto B and the output takes B's shape. */
static void test_add_scalar_on_left(void **state)
{
    const float a = -1;
    const float b[4] = {1, 2, 3, 4};
    const float expected[4] = {0, 1, 2, 3};

    add_model(state, 13, ONNXMINI_FLOAT, 0, NULL, &a, MB_DIMS(4, 1), b);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(4, 1), expected,
                     0);
}

/* Ensures two rank-0 inputs give a rank-0 output. */
static void test_add_two_scalars(void **state)
{
    const float a = 1.5f, b = 2.25f;
    const float expected = 3.75f;

    add_model(state, 13, ONNXMINI_FLOAT, 0, NULL, &a, 0, NULL, &b);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, 0, NULL, &expected, 0);
}

/* Ensures a [C,1,1] tensor adds one value per channel of an NCHW tensor. */
static void test_add_channel_bias_nchw(void **state)
{
    float a[24], expected[24];
    const float b[3] = {100, 200, 300};

    /* A = 0..23 in shape [2,3,2,2]: element i is in channel (i / 4) % 3. */
    for (int i = 0; i < 24; i++) {
        a[i] = (float)i;
        expected[i] = (float)i + b[(i / 4) % 3];
    }
    add_model(state, 13, ONNXMINI_FLOAT, MB_DIMS(2, 3, 2, 2), a,
              MB_DIMS(3, 1, 1), b);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(2, 3, 2, 2),
                     expected, 0);
}

/* Ensures [3,1] + [1,4] broadcasts both sides to [3,4]. */
static void test_add_both_sides_broadcast(void **state)
{
    const float a[3] = {10, 20, 30};
    const float b[4] = {1, 2, 3, 4};
    const float expected[12] = {11, 12, 13, 14, 21, 22, 23, 24,
                                31, 32, 33, 34};

    add_model(state, 13, ONNXMINI_FLOAT, MB_DIMS(3, 1), a, MB_DIMS(1, 4), b);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(3, 4), expected,
                     0);
}

/* Ensures broadcasting over a middle dimension ([2,1,4] + [1,3,1]). */
static void test_add_middle_dimension_broadcast(void **state)
{
    float a[8], b[3], expected[24];

    for (int i = 0; i < 8; i++)
        a[i] = (float)i;
    for (int i = 0; i < 3; i++)
        b[i] = 100.0f * (float)(i + 1);
    /* Y[i,j,k] = A[i,0,k] + B[0,j,0] = 4i + k + 100(j + 1). */
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 4; k++)
                expected[(i * 3 + j) * 4 + k] =
                    (float)(4 * i + k + 100 * (j + 1));
    add_model(state, 13, ONNXMINI_FLOAT, MB_DIMS(2, 1, 4), a,
              MB_DIMS(1, 3, 1), b);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(2, 3, 4),
                     expected, 0);
}

/* Ensures uint8 addition wraps modulo 256 (opset 14 adds uint8). */
static void test_add_uint8_wraps(void **state)
{
    const uint8_t a[4] = {200, 255, 0, 128};
    const uint8_t b[4] = {100, 1, 0, 128};
    /* 300 mod 256 = 44, 256 mod 256 = 0. */
    const uint8_t expected[4] = {44, 0, 0, 0};

    add_model(state, 14, ONNXMINI_UINT8, MB_DIMS(4), a, MB_DIMS(4), b);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_UINT8, MB_DIMS(4), expected, 0);
}

/* Ensures int8 addition with broadcasting (opset 14). */
static void test_add_int8_broadcast(void **state)
{
    const int8_t a[4] = {-100, -1, 0, 50};
    const int8_t b = -20;
    const int8_t expected[4] = {-120, -21, -20, 30};

    add_model(state, 14, ONNXMINI_INT8, MB_DIMS(2, 2), a, 0, NULL, &b);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_INT8, MB_DIMS(2, 2), expected,
                     0);
}

/* Ensures int32 addition is exact near the type's limits. */
static void test_add_int32(void **state)
{
    const int32_t a[4] = {-5, 7, 2147483000, -2147483000};
    const int32_t b[4] = {3, -10, 647, -648};
    const int32_t expected[4] = {-2, -3, INT32_MAX, INT32_MIN};

    add_model(state, 13, ONNXMINI_INT32, MB_DIMS(4), a, MB_DIMS(4), b);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_INT32, MB_DIMS(4), expected, 0);
}

/* Ensures int64 addition keeps values beyond 2^53, where a float or double
 * detour would round. */
static void test_add_int64(void **state)
{
    const int64_t a[2] = {(INT64_C(1) << 60) + 1, -3};
    const int64_t b[2] = {2, INT64_C(1) << 55};
    const int64_t expected[2] = {(INT64_C(1) << 60) + 3,
                                 (INT64_C(1) << 55) - 3};

    add_model(state, 13, ONNXMINI_INT64, MB_DIMS(2), a, MB_DIMS(2), b);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_INT64, MB_DIMS(2), expected, 0);
}

/* Ensures double addition keeps double precision. */
static void test_add_double(void **state)
{
    const double a[2] = {1.0, 1e300};
    const double b[2] = {1e-15, 1e300};
    const double expected[2] = {1.0 + 1e-15, 2e300};

    add_model(state, 13, ONNXMINI_DOUBLE, MB_DIMS(2), a, MB_DIMS(2), b);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_DOUBLE, MB_DIMS(2), expected, 0);
}

/* Ensures uint64 addition is exact above INT64_MAX (opset 7 lists
 * uint64). */
static void test_add_uint64(void **state)
{
    const uint64_t a[1] = {UINT64_C(18000000000000000000)};
    const uint64_t b[1] = {UINT64_C(400000000000000000)};
    const uint64_t expected[1] = {UINT64_C(18400000000000000000)};

    add_model(state, 7, ONNXMINI_UINT64, MB_DIMS(1), a, MB_DIMS(1), b);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_UINT64, MB_DIMS(1), expected, 0);
}

/* Ensures NaN and infinities follow IEEE addition. */
static void test_add_nan_and_infinities(void **state)
{
    const float a[4] = {NAN, INFINITY, INFINITY, -INFINITY};
    const float b[4] = {1, 1, -INFINITY, -1};
    const float expected[4] = {NAN, INFINITY, NAN, -INFINITY};

    add_model(state, 13, ONNXMINI_FLOAT, MB_DIMS(4), a, MB_DIMS(4), b);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(4), expected, 0);
}

/* Ensures opset 6 with broadcast=1 and axis=1 places B's dimensions at
 * A's dimension 1: A [2,3,4,5] + B [3,4] adds B[c,h] to A[n,c,h,w]. */
static void test_add_legacy_broadcast_axis(void **state)
{
    float a[120], b[12], expected[120];
    mb_model *m = mb_case_model(state, 6);
    mb_node *n = mb_node_add(m, "Add", "add", MB_NAMES("A", "B"),
                             MB_NAMES("Y"));

    for (int i = 0; i < 120; i++)
        a[i] = (float)i;
    for (int i = 0; i < 12; i++)
        b[i] = 1000.0f * (float)(i + 1);
    for (int i = 0; i < 120; i++) {
        int c = (i / 20) % 3, h = (i / 5) % 4;

        expected[i] = a[i] + b[c * 4 + h];
    }
    mb_attr_int(n, "broadcast", 1);
    mb_attr_int(n, "axis", 1);
    mb_input_data(m, "A", ONNXMINI_FLOAT, MB_DIMS(2, 3, 4, 5), a);
    mb_input_data(m, "B", ONNXMINI_FLOAT, MB_DIMS(3, 4), b);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(2, 3, 4, 5),
                     expected, 0);
}

/* Ensures opset 6 with broadcast=1 and no axis matches B against A's
 * trailing dimensions. */
static void test_add_legacy_broadcast_suffix(void **state)
{
    const float a[6] = {1, 2, 3, 4, 5, 6};
    const float b[3] = {10, 20, 30};
    const float expected[6] = {11, 22, 33, 14, 25, 36};
    mb_model *m = mb_case_model(state, 6);
    mb_node *n = mb_node_add(m, "Add", "add", MB_NAMES("A", "B"),
                             MB_NAMES("Y"));

    mb_attr_int(n, "broadcast", 1);
    mb_input_data(m, "A", ONNXMINI_FLOAT, MB_DIMS(2, 3), a);
    mb_input_data(m, "B", ONNXMINI_FLOAT, MB_DIMS(3), b);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(2, 3), expected,
                     0);
}

/* Ensures opset 1 with broadcast=0 adds inputs of equal shape. */
static void test_add_opset1_equal_shapes(void **state)
{
    const float a[2] = {1, 2};
    const float b[2] = {3, 4};
    const float expected[2] = {4, 6};
    mb_model *m = mb_case_model(state, 1);
    mb_node *n = mb_node_add(m, "Add", "add", MB_NAMES("A", "B"),
                             MB_NAMES("Y"));

    mb_attr_int(n, "broadcast", 0);
    mb_input_data(m, "A", ONNXMINI_FLOAT, MB_DIMS(2), a);
    mb_input_data(m, "B", ONNXMINI_FLOAT, MB_DIMS(2), b);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(2), expected, 0);
}

/* Ensures opset 1 with broadcast=0 rejects shapes that differ, since
 * broadcasting there needs broadcast=1. */
static void test_add_opset1_no_broadcast_rejects_shapes(void **state)
{
    const float a[6] = {0};
    const float b[3] = {0};
    mb_model *m = mb_case_model(state, 1);
    mb_node *n = mb_node_add(m, "Add", "add_legacy", MB_NAMES("A", "B"),
                             MB_NAMES("Y"));

    mb_attr_int(n, "broadcast", 0);
    mb_input_data(m, "A", ONNXMINI_FLOAT, MB_DIMS(2, 3), a);
    mb_input_data(m, "B", ONNXMINI_FLOAT, MB_DIMS(3), b);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_model_error(r, "add_legacy");
}

/* Ensures shapes that cannot broadcast ([2,3] + [4]) are an error that
 * names the node. */
static void test_add_incompatible_shapes_fail(void **state)
{
    const float a[6] = {0};
    const float b[4] = {0};
    mb_model *m = mb_case_model(state, 13);

    mb_node_add(m, "Add", "add_bad", MB_NAMES("A", "B"), MB_NAMES("Y"));
    mb_input_data(m, "A", ONNXMINI_FLOAT, MB_DIMS(2, 3), a);
    mb_input_data(m, "B", ONNXMINI_FLOAT, MB_DIMS(4), b);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_model_error(r, "add_bad");
}

/* Ensures inputs of different element types are rejected. */
static void test_add_mixed_types_fail(void **state)
{
    const float a[2] = {0};
    const double b[2] = {0};
    mb_model *m = mb_case_model(state, 13);

    mb_node_add(m, "Add", "add_mixed", MB_NAMES("A", "B"), MB_NAMES("Y"));
    mb_input_data(m, "A", ONNXMINI_FLOAT, MB_DIMS(2), a);
    mb_input_data(m, "B", ONNXMINI_DOUBLE, MB_DIMS(2), b);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_model_error(r, "add_mixed");
}

/* Ensures a zero-sized dimension broadcasts: [0,3] + [1,3] is [0,3]. */
static void test_add_zero_sized_dimension(void **state)
{
    const float b[3] = {1, 2, 3};

    add_model(state, 13, ONNXMINI_FLOAT, MB_DIMS(0, 3), NULL, MB_DIMS(1, 3),
              b);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(0, 3), NULL, 0);
}

/* Ensures Add(X, X) reads one input twice correctly. */
static void test_add_same_input_twice(void **state)
{
    const float x[3] = {1.5f, -2, 0};
    const float expected[3] = {3, -4, 0};
    mb_model *m = mb_case_model(state, 13);

    mb_node_add(m, "Add", "add", MB_NAMES("X", "X"), MB_NAMES("Y"));
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(3), x);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(3), expected, 0);
}

/* Ensures a constant B (an initializer) works as well as a fed one. */
static void test_add_initializer_operand(void **state)
{
    const float a[4] = {1, 2, 3, 4};
    const float b[2] = {0.5f, -0.5f};
    const float expected[4] = {1.5f, 1.5f, 3.5f, 3.5f};
    mb_model *m = mb_case_model(state, 13);

    mb_node_add(m, "Add", "add", MB_NAMES("A", "B"), MB_NAMES("Y"));
    mb_input_data(m, "A", ONNXMINI_FLOAT, MB_DIMS(2, 2), a);
    mb_initializer(m, "B", ONNXMINI_FLOAT, MB_DIMS(2), b, MB_TYPED);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(2, 2), expected,
                     0);
}

/* One shape pair for the reference comparison below. */
typedef struct shape_pair {
    int rank_a;
    int64_t dims_a[MAX_RANK];
    int rank_b;
    int64_t dims_b[MAX_RANK];
} shape_pair;

/* Ensures many broadcast patterns (same shape at vector-width edges,
 * scalar-like, per-channel, both sides) match the reference on every
 * kernel instruction set. */
static void test_add_broadcast_patterns_match_reference(void **state)
{
    static const shape_pair pairs[] = {
        {1, {1}, 1, {1}},
        {1, {7}, 1, {7}},
        {1, {8}, 1, {8}},
        {1, {17}, 1, {17}},
        {1, {33}, 1, {33}},
        {1, {70}, 1, {1}},
        {1, {1}, 1, {70}},
        {2, {4, 5}, 1, {5}},
        {2, {4, 5}, 2, {4, 1}},
        {3, {2, 3, 4}, 2, {3, 1}},
        {3, {1, 3, 1}, 3, {2, 1, 4}},
        {4, {2, 1, 4, 1}, 3, {3, 1, 5}},
        {2, {2, 33}, 2, {2, 1}},
        {4, {1, 16, 7, 7}, 3, {16, 1, 1}},
        {4, {2, 5, 3, 9}, 4, {2, 5, 1, 1}},
        {3, {16, 1, 1}, 4, {2, 16, 3, 3}},
    };
    const char *const isas[] = {NULL, "scalar"};
    uint32_t seed = 11;

    for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
        const shape_pair *s = &pairs[p];
        size_t count_a = mb_element_count(s->rank_a, s->dims_a);
        size_t count_b = mb_element_count(s->rank_b, s->dims_b);
        float *a = mb_case_alloc(state, count_a * sizeof *a);
        float *b = mb_case_alloc(state, count_b * sizeof *b);
        float *expected = mb_case_alloc(state, MAX_OUTPUT * sizeof *expected);
        int64_t dims_y[MAX_RANK];
        int rank_y;

        mb_random_floats(&seed, a, count_a);
        mb_random_floats(&seed, b, count_b);
        rank_y = reference_add(s->rank_a, s->dims_a, a, s->rank_b, s->dims_b,
                               b, dims_y, expected, MAX_OUTPUT);
        assert_true(rank_y >= 0);
        add_model(state, 13, ONNXMINI_FLOAT, s->rank_a, s->dims_a, a,
                  s->rank_b, s->dims_b, b);

        for (size_t k = 0; k < sizeof isas / sizeof isas[0]; k++) {
            onnxmini_session_options options;

            onnxmini_session_options_init(&options);
            options.isa = isas[k];
            mb_result *r = mb_case_run_with(state, &options);
            mb_context("shape pair %zu, isa %s", p,
                       isas[k] != NULL ? isas[k] : "default");
            mb_assert_ok(r);
            mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, rank_y, dims_y,
                             expected, 0);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        MB_TEST(test_add_same_shape),
        MB_TEST(test_add_scalar_on_right),
        MB_TEST(test_add_scalar_on_left),
        MB_TEST(test_add_two_scalars),
        MB_TEST(test_add_channel_bias_nchw),
        MB_TEST(test_add_both_sides_broadcast),
        MB_TEST(test_add_middle_dimension_broadcast),
        MB_TEST(test_add_uint8_wraps),
        MB_TEST(test_add_int8_broadcast),
        MB_TEST(test_add_int32),
        MB_TEST(test_add_int64),
        MB_TEST(test_add_double),
        MB_TEST(test_add_uint64),
        MB_TEST(test_add_nan_and_infinities),
        MB_TEST(test_add_legacy_broadcast_axis),
        MB_TEST(test_add_legacy_broadcast_suffix),
        MB_TEST(test_add_opset1_equal_shapes),
        MB_TEST(test_add_opset1_no_broadcast_rejects_shapes),
        MB_TEST(test_add_incompatible_shapes_fail),
        MB_TEST(test_add_mixed_types_fail),
        MB_TEST(test_add_zero_sized_dimension),
        MB_TEST(test_add_same_input_twice),
        MB_TEST(test_add_initializer_operand),
        MB_TEST(test_add_broadcast_patterns_match_reference),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
