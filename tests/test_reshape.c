/*
 * test_reshape.c - Reshape (opsets 1, 5, 13, 14, 19, 21) through the
 * public API.
 *
 * Opsets 1 to 4 take the new shape from the `shape` attribute; from
 * opset 5 it is the second input, an int64 tensor. In the shape, 0 copies
 * the input's dimension at the same index and one -1 is inferred from the
 * element count. From opset 14, allowzero=1 makes 0 a literal zero-sized
 * dimension instead. Reshape never changes the order of the elements.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "model_builder.h"

/* 0, 1, ..., 23: the data of every [2,3,4] test input. */
static const float iota24[24] = {0,  1,  2,  3,  4,  5,  6,  7,
                                 8,  9,  10, 11, 12, 13, 14, 15,
                                 16, 17, 18, 19, 20, 21, 22, 23};

/* Builds Y = Reshape(X, S) for opset 5 and later, with X a fed [2,3,4]
 * float tensor holding iota24 and S an int64 initializer. Returns the node
 * so a test can add allowzero. */
static mb_node *reshape_model(void **state, int64_t opset, int shape_rank,
                              const int64_t *shape)
{
    mb_model *m = mb_case_model(state, opset);
    mb_node *n = mb_node_add(m, "Reshape", "reshape", MB_NAMES("X", "S"),
                             MB_NAMES("Y"));
    int64_t shape_dims[1] = {shape_rank};

    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(2, 3, 4), iota24);
    mb_initializer(m, "S", ONNXMINI_INT64, 1, shape_dims, shape, MB_RAW);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    return n;
}

/* Ensures a plain reshape [2,3,4] -> [4,6] keeps the element order. */
static void test_reshape_basic(void **state)
{
    reshape_model(state, 13, MB_I64S(4, 6));
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(4, 6), iota24,
                     0);
}

/* Ensures 0 copies the input dimension at its index: [0,12] on [2,3,4] is
 * [2,12]. */
static void test_reshape_zero_copies_dimension(void **state)
{
    reshape_model(state, 13, MB_I64S(0, 12));
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(2, 12), iota24,
                     0);
}

/* Ensures several 0s copy their own indices: [0,0,2,2] on [2,3,4] is
 * [2,3,2,2]. */
static void test_reshape_zeros_copy_their_indices(void **state)
{
    reshape_model(state, 13, MB_I64S(0, 0, 2, 2));
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(2, 3, 2, 2),
                     iota24, 0);
}

/* Ensures -1 takes the size that keeps the element count: [-1,4] on
 * [2,3,4] is [6,4]. */
static void test_reshape_minus_one_inferred(void **state)
{
    reshape_model(state, 13, MB_I64S(-1, 4));
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(6, 4), iota24,
                     0);
}

/* Ensures 0 then -1: [0,-1] on [2,3,4] is [2,12]. */
static void test_reshape_zero_then_minus_one(void **state)
{
    reshape_model(state, 13, MB_I64S(0, -1));
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(2, 12), iota24,
                     0);
}

/* Ensures -1 then 0: [-1,0] on [2,3,4] copies 3 at index 1, so -1 is
 * 24 / 3 = 8. */
static void test_reshape_minus_one_then_zero(void **state)
{
    reshape_model(state, 13, MB_I64S(-1, 0));
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(8, 3), iota24,
                     0);
}

/* Ensures an empty shape turns a one-element tensor into a scalar. */
static void test_reshape_empty_shape_gives_scalar(void **state)
{
    const float x[1] = {42};
    mb_model *m = mb_case_model(state, 13);

    mb_node_add(m, "Reshape", "reshape", MB_NAMES("X", "S"), MB_NAMES("Y"));
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(1, 1), x);
    mb_initializer(m, "S", ONNXMINI_INT64, MB_DIMS(0), NULL, MB_RAW);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, 0, NULL, x, 0);
}

/* Ensures allowzero=1 keeps a 0 as a zero-sized dimension (opset 14):
 * an empty [0,3] tensor reshaped to [3,0] is [3,0]. */
static void test_reshape_allowzero_keeps_zero(void **state)
{
    mb_model *m = mb_case_model(state, 14);
    mb_node *n = mb_node_add(m, "Reshape", "reshape", MB_NAMES("X", "S"),
                             MB_NAMES("Y"));

    mb_attr_int(n, "allowzero", 1);
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(0, 3), NULL);
    mb_initializer(m, "S", ONNXMINI_INT64, MB_DIMS(2),
                   (const int64_t[]){3, 0}, MB_RAW);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(3, 0), NULL, 0);
}

/* Ensures that without allowzero the same 0 copies the input's 3, so
 * [3,0] on an empty [0,3] requests 9 elements and is an error. */
static void test_reshape_zero_without_allowzero_copies(void **state)
{
    mb_model *m = mb_case_model(state, 14);

    mb_node_add(m, "Reshape", "reshape_copy", MB_NAMES("X", "S"),
                MB_NAMES("Y"));
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(0, 3), NULL);
    mb_initializer(m, "S", ONNXMINI_INT64, MB_DIMS(2),
                   (const int64_t[]){3, 0}, MB_RAW);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_model_error(r, "reshape_copy");
}

/* Ensures allowzero=1 with both 0 and -1 in the shape is an error: the
 * Reshape-14 specification calls it invalid because -1 cannot be
 * determined when another dimension is zero. */
static void test_reshape_allowzero_with_minus_one_fails(void **state)
{
    mb_model *m = mb_case_model(state, 14);
    mb_node *n = mb_node_add(m, "Reshape", "reshape_az", MB_NAMES("X", "S"),
                             MB_NAMES("Y"));

    mb_attr_int(n, "allowzero", 1);
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(0, 3), NULL);
    mb_initializer(m, "S", ONNXMINI_INT64, MB_DIMS(2),
                   (const int64_t[]){-1, 0}, MB_RAW);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_model_error(r, "reshape_az");
}

/* Ensures opset 1 reads the shape from the `shape` attribute, with -1
 * inferred, and has no second input. */
static void test_reshape_opset1_shape_attribute(void **state)
{
    const float x[6] = {1, 2, 3, 4, 5, 6};
    mb_model *m = mb_case_model(state, 1);
    mb_node *n = mb_node_add(m, "Reshape", "reshape", MB_NAMES("X"),
                             MB_NAMES("Y"));

    mb_attr_ints(n, "shape", MB_I64S(3, -1));
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(2, 3), x);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(3, 2), x, 0);
}

/* Ensures opset 5 takes the shape from its second input. The shape is an
 * initializer that this IR-3 model also lists as a graph input, as IR
 * versions before 4 require. */
static void test_reshape_opset5_shape_input(void **state)
{
    const float x[6] = {1, 2, 3, 4, 5, 6};
    const int64_t shape[3] = {3, 1, 2};
    mb_model *m = mb_case_model(state, 5);

    mb_node_add(m, "Reshape", "reshape", MB_NAMES("X", "S"), MB_NAMES("Y"));
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(2, 3), x);
    mb_input(m, "S", ONNXMINI_INT64, MB_DIMS(3));
    mb_initializer(m, "S", ONNXMINI_INT64, MB_DIMS(3), shape, MB_TYPED);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(3, 1, 2), x, 0);
}

/* Ensures a shape stored in int64_data (not raw_data) is read. */
static void test_reshape_shape_in_typed_field(void **state)
{
    mb_model *m = mb_case_model(state, 13);

    mb_node_add(m, "Reshape", "reshape", MB_NAMES("X", "S"), MB_NAMES("Y"));
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(2, 3, 4), iota24);
    mb_initializer(m, "S", ONNXMINI_INT64, MB_DIMS(2),
                   (const int64_t[]){12, 2}, MB_TYPED);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(12, 2), iota24,
                     0);
}

/* Ensures opsets 19 and 21 behave as 14 for float data. */
static void test_reshape_opsets_19_and_21(void **state)
{
    const int64_t opsets[2] = {19, 21};

    for (int i = 0; i < 2; i++) {
        mb_context("opset %lld", (long long)opsets[i]);
        reshape_model(state, opsets[i], MB_I64S(3, -1, 2));
        mb_result *r = mb_case_run(state);
        mb_assert_ok(r);
        mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(3, 4, 2),
                         iota24, 0);
    }
}

/* Ensures int64 data is reshaped without change (opset 5 lists every
 * numeric type). */
static void test_reshape_int64_data(void **state)
{
    const int64_t x[4] = {INT64_C(1) << 62, -1, 2, 3};
    mb_model *m = mb_case_model(state, 13);

    mb_node_add(m, "Reshape", "reshape", MB_NAMES("X", "S"), MB_NAMES("Y"));
    mb_input_data(m, "X", ONNXMINI_INT64, MB_DIMS(4), x);
    mb_initializer(m, "S", ONNXMINI_INT64, MB_DIMS(2),
                   (const int64_t[]){2, 2}, MB_RAW);
    mb_output(m, "Y", ONNXMINI_INT64, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_INT64, MB_DIMS(2, 2), x, 0);
}

/* Ensures uint8 data is reshaped without change. */
static void test_reshape_uint8_data(void **state)
{
    const uint8_t x[6] = {0, 1, 127, 128, 254, 255};
    mb_model *m = mb_case_model(state, 13);

    mb_node_add(m, "Reshape", "reshape", MB_NAMES("X", "S"), MB_NAMES("Y"));
    mb_input_data(m, "X", ONNXMINI_UINT8, MB_DIMS(6), x);
    mb_initializer(m, "S", ONNXMINI_INT64, MB_DIMS(3),
                   (const int64_t[]){1, 3, 2}, MB_RAW);
    mb_output(m, "Y", ONNXMINI_UINT8, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_UINT8, MB_DIMS(1, 3, 2), x, 0);
}

/* Ensures a shape fed at run time, not a constant, is honoured. */
static void test_reshape_shape_fed_at_run_time(void **state)
{
    mb_model *m = mb_case_model(state, 13);

    mb_node_add(m, "Reshape", "reshape", MB_NAMES("X", "S"), MB_NAMES("Y"));
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(2, 3, 4), iota24);
    mb_input_data(m, "S", ONNXMINI_INT64, MB_DIMS(3),
                  (const int64_t[]){4, 3, 2});
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(4, 3, 2), iota24,
                     0);
}

/* Ensures two -1 entries are an error that names the node. */
static void test_reshape_two_minus_ones_fail(void **state)
{
    mb_model *m = mb_case_model(state, 13);

    mb_node_add(m, "Reshape", "reshape_two", MB_NAMES("X", "S"),
                MB_NAMES("Y"));
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(2, 3, 4), iota24);
    mb_initializer(m, "S", ONNXMINI_INT64, MB_DIMS(3),
                   (const int64_t[]){-1, -1, 4}, MB_RAW);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_model_error(r, "reshape_two");
}

/* Ensures a shape with a different element count (25 for 24) is an
 * error. */
static void test_reshape_count_mismatch_fails(void **state)
{
    mb_model *m = mb_case_model(state, 13);

    mb_node_add(m, "Reshape", "reshape_count", MB_NAMES("X", "S"),
                MB_NAMES("Y"));
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(2, 3, 4), iota24);
    mb_initializer(m, "S", ONNXMINI_INT64, MB_DIMS(2),
                   (const int64_t[]){5, 5}, MB_RAW);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_model_error(r, "reshape_count");
}

/* Ensures -1 that cannot divide the count evenly (24 / 5) is an error. */
static void test_reshape_minus_one_not_divisible_fails(void **state)
{
    mb_model *m = mb_case_model(state, 13);

    mb_node_add(m, "Reshape", "reshape_div", MB_NAMES("X", "S"),
                MB_NAMES("Y"));
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(2, 3, 4), iota24);
    mb_initializer(m, "S", ONNXMINI_INT64, MB_DIMS(2),
                   (const int64_t[]){-1, 5}, MB_RAW);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_model_error(r, "reshape_div");
}

/* Ensures a shape entry below -1 is an error. */
static void test_reshape_negative_dimension_fails(void **state)
{
    mb_model *m = mb_case_model(state, 13);

    mb_node_add(m, "Reshape", "reshape_neg", MB_NAMES("X", "S"),
                MB_NAMES("Y"));
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(2, 3, 4), iota24);
    mb_initializer(m, "S", ONNXMINI_INT64, MB_DIMS(2),
                   (const int64_t[]){-2, -12}, MB_RAW);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_model_error(r, "reshape_neg");
}

/* Ensures a 0 at an index past the input's rank is an error, since there
 * is no dimension to copy. */
static void test_reshape_zero_past_input_rank_fails(void **state)
{
    mb_model *m = mb_case_model(state, 13);

    mb_node_add(m, "Reshape", "reshape_past", MB_NAMES("X", "S"),
                MB_NAMES("Y"));
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(24), iota24);
    mb_initializer(m, "S", ONNXMINI_INT64, MB_DIMS(2),
                   (const int64_t[]){24, 0}, MB_RAW);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_model_error(r, "reshape_past");
}

/* Ensures that when a reshaped value feeds two nodes, an element-wise node
 * reusing its buffer does not corrupt what the other reads:
 * T = Reshape(X), Y1 = Relu(T), Y2 = Add(T, T). */
static void test_reshape_output_shared_by_two_nodes(void **state)
{
    const float x[4] = {-1, 2, -3, 4};
    const float relu[4] = {0, 2, 0, 4};
    const float twice[4] = {-2, 4, -6, 8};
    mb_model *m = mb_case_model(state, 14);

    mb_node_add(m, "Reshape", "reshape", MB_NAMES("X", "S"), MB_NAMES("T"));
    mb_node_add(m, "Relu", "relu", MB_NAMES("T"), MB_NAMES("Y1"));
    mb_node_add(m, "Add", "add", MB_NAMES("T", "T"), MB_NAMES("Y2"));
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(4), x);
    mb_initializer(m, "S", ONNXMINI_INT64, MB_DIMS(2),
                   (const int64_t[]){2, 2}, MB_RAW);
    mb_output(m, "Y1", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_output(m, "Y2", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    assert_int_equal(r->n_outputs, 2);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(2, 2), relu, 0);
    mb_assert_tensor(&r->outputs[1], ONNXMINI_FLOAT, MB_DIMS(2, 2), twice, 0);
}

/* Ensures Relu after Reshape of a graph input leaves the caller's input
 * buffer unchanged: the session only borrows it, so running in place on
 * the alias would be a bug. */
static void test_reshape_then_relu_keeps_caller_input(void **state)
{
    float x[4] = {-1, 2, -3, 4};
    const float original[4] = {-1, 2, -3, 4};
    const float expected[4] = {0, 2, 0, 4};
    const int64_t dims[1] = {4};
    mb_model *m = mb_case_model(state, 14);
    onnxmini_model *model = NULL;
    onnxmini_session *session = NULL;
    onnxmini_error error;
    onnxmini_tensor y;

    mb_node_add(m, "Reshape", "reshape", MB_NAMES("X", "S"), MB_NAMES("T"));
    mb_node_add(m, "Relu", "relu", MB_NAMES("T"), MB_NAMES("Y"));
    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(4));
    mb_initializer(m, "S", ONNXMINI_INT64, MB_DIMS(2),
                   (const int64_t[]){2, 2}, MB_RAW);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);

    /* The public API by hand, so that the session reads `x` itself. */
    assert_int_equal(mb_model_load(m, &model, &error), ONNXMINI_OK);
    if (onnxmini_session_create(model, NULL, &session, &error) !=
        ONNXMINI_OK) {
        onnxmini_model_free(model);
        fail_msg("session create failed: %s", error.message);
    }
    int ok = onnxmini_session_set_input(session, "X", ONNXMINI_FLOAT, dims, 1,
                                        x, sizeof x) == ONNXMINI_OK &&
             onnxmini_session_run(session) == ONNXMINI_OK &&
             onnxmini_session_output(session, 0, &y) == ONNXMINI_OK;
    size_t input_changes = 0, output_mismatches = 0;

    if (ok) {
        input_changes = mb_count_mismatches(ONNXMINI_FLOAT, x, original, 4, 0);
        output_mismatches = y.bytes == sizeof expected
                                ? mb_count_mismatches(ONNXMINI_FLOAT, y.data,
                                                      expected, 4, 0)
                                : 1;
    } else {
        print_error("session call failed: %s\n",
                    onnxmini_session_message(session));
    }
    onnxmini_session_destroy(session);
    onnxmini_model_free(model);
    assert_true(ok);
    assert_int_equal(input_changes, 0);
    assert_int_equal(output_mismatches, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        MB_TEST(test_reshape_basic),
        MB_TEST(test_reshape_zero_copies_dimension),
        MB_TEST(test_reshape_zeros_copy_their_indices),
        MB_TEST(test_reshape_minus_one_inferred),
        MB_TEST(test_reshape_zero_then_minus_one),
        MB_TEST(test_reshape_minus_one_then_zero),
        MB_TEST(test_reshape_empty_shape_gives_scalar),
        MB_TEST(test_reshape_allowzero_keeps_zero),
        MB_TEST(test_reshape_zero_without_allowzero_copies),
        MB_TEST(test_reshape_allowzero_with_minus_one_fails),
        MB_TEST(test_reshape_opset1_shape_attribute),
        MB_TEST(test_reshape_opset5_shape_input),
        MB_TEST(test_reshape_shape_in_typed_field),
        MB_TEST(test_reshape_opsets_19_and_21),
        MB_TEST(test_reshape_int64_data),
        MB_TEST(test_reshape_uint8_data),
        MB_TEST(test_reshape_shape_fed_at_run_time),
        MB_TEST(test_reshape_two_minus_ones_fail),
        MB_TEST(test_reshape_count_mismatch_fails),
        MB_TEST(test_reshape_minus_one_not_divisible_fails),
        MB_TEST(test_reshape_negative_dimension_fails),
        MB_TEST(test_reshape_zero_past_input_rank_fails),
        MB_TEST(test_reshape_output_shared_by_two_nodes),
        MB_TEST(test_reshape_then_relu_keeps_caller_input),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
