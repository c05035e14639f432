/*
 * test_loader.c - what the loader accepts and rejects, on models built in
 * memory with the model builder.
 *
 * Covered: every field an initializer can store its elements in,
 * IR-version-3 initializers listed as graph inputs, node order, and invalid
 * or unsupported graphs. Each rejection's message must name the node,
 * tensor, domain or version at fault.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "model_builder.h"
#include "onnxmini.h"

/* Runs the model and checks that it failed at load or session creation
 * with `expected`, and that the message names every string in `names`
 * (a NULL-terminated list, or NULL). */
#define assert_model_rejected(m, expected, names)                           \
    assert_model_rejected_at((m), (expected), (names), __FILE__, __LINE__)

static void assert_model_rejected_at(mb_model *m, onnxmini_status expected,
                                     const char *const *names,
                                     const char *file, int line)
{
    mb_result r;
    bool ok = true;

    mb_run(m, &r);
    if (r.status != expected) {
        print_error("expected status %d (%s), got %d (%s) at step %s: %s\n",
                    (int)expected, onnxmini_status_string(expected),
                    (int)r.status, onnxmini_status_string(r.status),
                    mb_step_name(r.step), r.message);
        ok = false;
    } else if (r.step != MB_STEP_LOAD && r.step != MB_STEP_SESSION) {
        print_error("expected a failure at load or session creation, got one "
                    "at %s: %s\n",
                    mb_step_name(r.step), r.message);
        ok = false;
    }
    for (size_t i = 0; ok && names != NULL && names[i] != NULL; i++) {
        if (strstr(r.message, names[i]) == NULL) {
            print_error("the message \"%s\" does not name \"%s\"\n",
                        r.message, names[i]);
            ok = false;
        }
    }
    mb_result_free(&r);
    if (!ok)
        _fail(file, line);
}

/* Runs the model and fails the test, with the step and message, unless
 * every step succeeded. */
static void run_ok(mb_model *m, mb_result *r)
{
    if (mb_run(m, r) != ONNXMINI_OK)
        fail_msg("%s failed with status %d: %s", mb_step_name(r->step),
                 (int)r->status, r->message);
    assert_int_equal(r->n_outputs, 1);
}

/* -------------------------------------------------- initializer storage */

/* Builds Y = X + W with W an initializer in the given storage, feeds x and
 * checks Y against `expected` (4 elements of dtype, shape [2,2]). Add is
 * defined for every type used here from opset 14. */
static void check_add_initializer(onnxmini_dtype dtype, mb_storage storage,
                                  const void *x, const void *w,
                                  const void *expected)
{
    mb_model *m = mb_op_model(14);
    mb_result r;

    mb_input_data(m, "X", dtype, MB_DIMS(2, 2), x);
    mb_initializer(m, "W", dtype, MB_DIMS(2, 2), w, storage);
    mb_node_add(m, "Add", "add", MB_NAMES("X", "W"), MB_NAMES("Y"));
    mb_output(m, "Y", dtype, MB_DIMS(2, 2));

    run_ok(m, &r);
    mb_assert_tensor(&r.outputs[0], dtype, MB_DIMS(2, 2), expected, 0.0);
    mb_result_free(&r);
    mb_model_free(m);
}

/* float_data and raw_data hold the same floats. */
static void test_initializer_float_data(void **state)
{
    static const float x[4] = {1.0f, -2.0f, 0.5f, 100.0f};
    static const float w[4] = {0.25f, 3.0f, -0.5f, -1e6f};
    static const float y[4] = {1.25f, 1.0f, 0.0f, -999900.0f};

    (void)state;
    check_add_initializer(ONNXMINI_FLOAT, MB_TYPED, x, w, y);
    check_add_initializer(ONNXMINI_FLOAT, MB_RAW, x, w, y);
}

/* int32_data and raw_data hold the same int32 values, including ones that
 * need all 32 bits. */
static void test_initializer_int32_data(void **state)
{
    static const int32_t x[4] = {1, -2, 2000000000, -7};
    static const int32_t w[4] = {10, 20, 100000000, INT32_MIN + 7};
    static const int32_t y[4] = {11, 18, 2100000000, INT32_MIN};

    (void)state;
    check_add_initializer(ONNXMINI_INT32, MB_TYPED, x, w, y);
    check_add_initializer(ONNXMINI_INT32, MB_RAW, x, w, y);
}

/* int8 elements live in int32_data, one per entry, sign included. */
static void test_initializer_int8_in_int32_data(void **state)
{
    static const int8_t x[4] = {1, -2, 100, -100};
    static const int8_t w[4] = {-128, 127, 27, -28};
    static const int8_t y[4] = {-127, 125, 127, -128};

    (void)state;
    check_add_initializer(ONNXMINI_INT8, MB_TYPED, x, w, y);
    check_add_initializer(ONNXMINI_INT8, MB_RAW, x, w, y);
}

/* int64_data and raw_data hold the same int64 values beyond 32 bits. */
static void test_initializer_int64_data(void **state)
{
    static const int64_t x[4] = {1, -2, INT64_C(5000000000), -7};
    static const int64_t w[4] = {INT64_C(1) << 40, 20, INT64_C(-5000000001),
                                 INT64_MIN + 7};
    static const int64_t y[4] = {(INT64_C(1) << 40) + 1, 18, -1, INT64_MIN};

    (void)state;
    check_add_initializer(ONNXMINI_INT64, MB_TYPED, x, w, y);
    check_add_initializer(ONNXMINI_INT64, MB_RAW, x, w, y);
}

/* double_data and raw_data hold the same doubles, with more precision than
 * a float has. */
static void test_initializer_double_data(void **state)
{
    static const double x[4] = {1.0, -2.0, 0.1, 1e300};
    static const double w[4] = {1e-12, 3.0, 0.2, -1e300};
    static const double y[4] = {1.0 + 1e-12, 1.0, 0.1 + 0.2, 0.0};

    (void)state;
    check_add_initializer(ONNXMINI_DOUBLE, MB_TYPED, x, w, y);
    check_add_initializer(ONNXMINI_DOUBLE, MB_RAW, x, w, y);
}

/* uint64_data and raw_data hold the same uint64 values above INT64_MAX. */
static void test_initializer_uint64_data(void **state)
{
    static const uint64_t x[4] = {1, 2, UINT64_C(1) << 63, 7};
    static const uint64_t w[4] = {UINT64_MAX - 1, 40, 5, 0};
    static const uint64_t y[4] = {UINT64_MAX, 42, (UINT64_C(1) << 63) + 5, 7};

    (void)state;
    check_add_initializer(ONNXMINI_UINT64, MB_TYPED, x, w, y);
    check_add_initializer(ONNXMINI_UINT64, MB_RAW, x, w, y);
}

/* uint32 elements live in uint64_data, one per entry. */
static void test_initializer_uint32_in_uint64_data(void **state)
{
    static const uint32_t x[4] = {1, 2, UINT32_C(3000000000), 7};
    static const uint32_t w[4] = {UINT32_MAX - 1, 40, UINT32_C(1000000000),
                                  0};
    static const uint32_t y[4] = {UINT32_MAX, 42, UINT32_C(4000000000), 7};

    (void)state;
    check_add_initializer(ONNXMINI_UINT32, MB_TYPED, x, w, y);
    check_add_initializer(ONNXMINI_UINT32, MB_RAW, x, w, y);
}

/* ------------------------------------------------------- graph layout */

/* An IR-version-3 model also lists each initializer as a graph input. Such
 * an input is not one the caller must feed, and the initializer's value is
 * used. */
static void test_ir3_initializer_listed_as_input(void **state)
{
    static const float x[4] = {1.0f, 2.0f, 3.0f, 4.0f};
    static const float w[4] = {10.0f, 20.0f, 30.0f, 40.0f};
    static const float y[4] = {11.0f, 22.0f, 33.0f, 44.0f};
    mb_model *m = mb_op_model(8);
    onnxmini_model *model = NULL;
    onnxmini_error error;
    onnxmini_value_info info;
    mb_result r;

    (void)state;
    assert_int_equal(mb_model_proto(m)->ir_version, 3);
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(2, 2), x);
    mb_input(m, "W", ONNXMINI_FLOAT, MB_DIMS(2, 2));
    mb_initializer(m, "W", ONNXMINI_FLOAT, MB_DIMS(2, 2), w, MB_RAW);
    mb_node_add(m, "Add", "add", MB_NAMES("X", "W"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_DIMS(2, 2));

    assert_int_equal(mb_model_load(m, &model, &error), ONNXMINI_OK);
    assert_int_equal(onnxmini_model_input_count(model), 1);
    assert_int_equal(onnxmini_model_input_info(model, 0, &info), ONNXMINI_OK);
    assert_string_equal(info.name, "X");
    onnxmini_model_free(model);

    run_ok(m, &r);
    mb_assert_tensor(&r.outputs[0], ONNXMINI_FLOAT, MB_DIMS(2, 2), y, 0.0);
    mb_result_free(&r);
    mb_model_free(m);
}

/* Nodes listed in reverse dependency order run in a topological order:
 * A = Relu(X), B = Add(A, X), Y = Add(B, A). */
static void test_nodes_out_of_order(void **state)
{
    static const float x[4] = {-1.0f, 2.0f, -3.0f, 4.0f};
    /* A = {0, 2, 0, 4}, B = {-1, 4, -3, 8}, Y = {-1, 6, -3, 12}. */
    static const float y[4] = {-1.0f, 6.0f, -3.0f, 12.0f};
    mb_model *m = mb_op_model(13);
    mb_result r;

    (void)state;
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(4), x);
    mb_node_add(m, "Add", "last", MB_NAMES("B", "A"), MB_NAMES("Y"));
    mb_node_add(m, "Add", "middle", MB_NAMES("A", "X"), MB_NAMES("B"));
    mb_node_add(m, "Relu", "first", MB_NAMES("X"), MB_NAMES("A"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_DIMS(4));

    run_ok(m, &r);
    mb_assert_tensor(&r.outputs[0], ONNXMINI_FLOAT, MB_DIMS(4), y, 0.0);
    mb_result_free(&r);
    mb_model_free(m);
}

/* A cycle (A = Relu(B), B = Relu(A)) is an invalid model, and the message
 * names the nodes on it. */
static void test_cycle_rejected(void **state)
{
    mb_model *m = mb_op_model(13);

    (void)state;
    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(2));
    mb_node_add(m, "Relu", "loop_a", MB_NAMES("B"), MB_NAMES("A"));
    mb_node_add(m, "Relu", "loop_b", MB_NAMES("A"), MB_NAMES("B"));
    mb_node_add(m, "Add", "sum", MB_NAMES("X", "A"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_DIMS(2));
    assert_model_rejected(m, ONNXMINI_ERR_INVALID_MODEL,
                          MB_NAMES("loop_a", "loop_b"));
    mb_model_free(m);
}

/* A node that reads itself is the smallest cycle. */
static void test_self_loop_rejected(void **state)
{
    mb_model *m = mb_op_model(13);

    (void)state;
    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(2));
    mb_node_add(m, "Add", "self", MB_NAMES("X", "A"), MB_NAMES("A"));
    mb_node_add(m, "Relu", "out", MB_NAMES("A"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_DIMS(2));
    assert_model_rejected(m, ONNXMINI_ERR_INVALID_MODEL, MB_NAMES("self"));
    mb_model_free(m);
}

/* A node input that no graph input, initializer or node defines is an
 * invalid model naming the tensor and the node. */
static void test_undefined_tensor_rejected(void **state)
{
    mb_model *m = mb_op_model(13);

    (void)state;
    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(2));
    mb_node_add(m, "Add", "adder", MB_NAMES("X", "Missing"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_DIMS(2));
    assert_model_rejected(m, ONNXMINI_ERR_INVALID_MODEL,
                          MB_NAMES("Missing", "adder"));
    mb_model_free(m);
}

/* A graph output that nothing produces is an invalid model naming it. */
static void test_undefined_graph_output_rejected(void **state)
{
    mb_model *m = mb_op_model(13);

    (void)state;
    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(2));
    mb_node_add(m, "Relu", "relu", MB_NAMES("X"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_DIMS(2));
    mb_output(m, "Nowhere", ONNXMINI_FLOAT, MB_DIMS(2));
    assert_model_rejected(m, ONNXMINI_ERR_INVALID_MODEL, MB_NAMES("Nowhere"));
    mb_model_free(m);
}

/* Two nodes writing one tensor break ONNX's single-assignment rule. */
static void test_two_writers_rejected(void **state)
{
    mb_model *m = mb_op_model(13);

    (void)state;
    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(2));
    mb_node_add(m, "Relu", "writer_1", MB_NAMES("X"), MB_NAMES("Twice"));
    mb_node_add(m, "Relu", "writer_2", MB_NAMES("X"), MB_NAMES("Twice"));
    mb_node_add(m, "Relu", "reader", MB_NAMES("Twice"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_DIMS(2));
    assert_model_rejected(m, ONNXMINI_ERR_INVALID_MODEL, MB_NAMES("Twice"));
    mb_model_free(m);
}

/* A node that writes a graph input breaks the same rule. */
static void test_node_writes_graph_input_rejected(void **state)
{
    mb_model *m = mb_op_model(13);

    (void)state;
    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(2));
    mb_input(m, "Z", ONNXMINI_FLOAT, MB_DIMS(2));
    mb_node_add(m, "Relu", "overwrite", MB_NAMES("Z"), MB_NAMES("X"));
    mb_node_add(m, "Relu", "relu", MB_NAMES("X"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_DIMS(2));
    assert_model_rejected(m, ONNXMINI_ERR_INVALID_MODEL, MB_NAMES("X"));
    mb_model_free(m);
}

/* Two initializers with one name are an invalid model naming it. */
static void test_duplicate_initializer_rejected(void **state)
{
    static const float w[2] = {1.0f, 2.0f};
    mb_model *m = mb_op_model(13);

    (void)state;
    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(2));
    mb_initializer(m, "Weight", ONNXMINI_FLOAT, MB_DIMS(2), w, MB_RAW);
    mb_initializer(m, "Weight", ONNXMINI_FLOAT, MB_DIMS(2), w, MB_TYPED);
    mb_node_add(m, "Add", "add", MB_NAMES("X", "Weight"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_DIMS(2));
    assert_model_rejected(m, ONNXMINI_ERR_INVALID_MODEL, MB_NAMES("Weight"));
    mb_model_free(m);
}

/* ------------------------------------------------------ tensor payloads */

/* raw_data shorter or longer than the dims declare is an invalid model naming
 * the initializer. */
static void test_raw_data_wrong_length(void **state)
{
    static const float w[5] = {1.0f, 2.0f, 3.0f, 4.0f, 5.0f};
    const size_t lengths[] = {0, 3 * sizeof(float), 4 * sizeof(float) - 1,
                              5 * sizeof(float)};

    (void)state;
    for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
        mb_model *m = mb_op_model(13);

        print_message("raw_data of %zu bytes for a float [2,2]\n",
                      lengths[i]);
        mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(2, 2));
        mb_initializer_raw(m, "ShortWeight", ONNXMINI_FLOAT, MB_DIMS(2, 2), w,
                           lengths[i]);
        mb_node_add(m, "Add", "add", MB_NAMES("X", "ShortWeight"),
                    MB_NAMES("Y"));
        mb_output(m, "Y", ONNXMINI_FLOAT, MB_DIMS(2, 2));
        assert_model_rejected(m, ONNXMINI_ERR_INVALID_MODEL,
                              MB_NAMES("ShortWeight"));
        mb_model_free(m);
    }
}

/* A typed field with fewer elements than the dims declare is an invalid model
 * naming the initializer. */
static void test_typed_data_wrong_count(void **state)
{
    static const float w[4] = {1.0f, 2.0f, 3.0f, 4.0f};
    mb_model *m = mb_op_model(13);
    Onnxmini__Pb__TensorProto *tensor;

    (void)state;
    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(2, 2));
    tensor = mb_initializer(m, "FewWeights", ONNXMINI_FLOAT, MB_DIMS(2, 2), w,
                            MB_TYPED);
    assert_int_equal(tensor->n_float_data, 4);
    tensor->n_float_data = 3;
    mb_node_add(m, "Add", "add", MB_NAMES("X", "FewWeights"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_DIMS(2, 2));
    assert_model_rejected(m, ONNXMINI_ERR_INVALID_MODEL,
                          MB_NAMES("FewWeights"));
    mb_model_free(m);
}

/* A negative dimension in an initializer is an invalid model naming it. */
static void test_initializer_negative_dim(void **state)
{
    static const float w[4] = {1.0f, 2.0f, 3.0f, 4.0f};
    mb_model *m = mb_op_model(13);
    Onnxmini__Pb__TensorProto *tensor;

    (void)state;
    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(2, 2));
    tensor = mb_initializer(m, "BadDims", ONNXMINI_FLOAT, MB_DIMS(2, 2), w,
                            MB_RAW);
    tensor->dims[0] = -2;
    tensor->dims[1] = -2;
    mb_node_add(m, "Add", "add", MB_NAMES("X", "BadDims"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_DIMS(2, 2));
    assert_model_rejected(m, ONNXMINI_ERR_INVALID_MODEL, MB_NAMES("BadDims"));
    mb_model_free(m);
}

/* ---------------------------------------------- operators and opsets */

/* A default-domain opset version newer than the library implements is
 * unsupported, and the message names the operator and the version. */
static void test_opset_version_unsupported(void **state)
{
    mb_model *m = mb_model_new(8);
    mb_result r;

    (void)state;
    mb_opset(m, "", 99);
    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(2));
    mb_node_add(m, "Relu", "relu", MB_NAMES("X"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_DIMS(2));
    assert_model_rejected(m, ONNXMINI_ERR_UNSUPPORTED,
                          MB_NAMES("Relu", "ai.onnx", "99"));

    /* The header promises the check at load time. */
    mb_run(m, &r);
    assert_int_equal(r.step, MB_STEP_LOAD);
    mb_result_free(&r);
    mb_model_free(m);
}

/* An op_type that no opset defines is unsupported, named in the message. */
static void test_unknown_op_type(void **state)
{
    mb_model *m = mb_op_model(13);
    mb_result r;

    (void)state;
    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(2));
    mb_node_add(m, "FooBar", "foo", MB_NAMES("X"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_DIMS(2));
    assert_model_rejected(m, ONNXMINI_ERR_UNSUPPORTED,
                          MB_NAMES("FooBar", "ai.onnx", "13"));
    mb_run(m, &r);
    assert_int_equal(r.step, MB_STEP_LOAD);
    mb_result_free(&r);
    mb_model_free(m);
}

/* A node in a domain the library does not implement is unsupported, and
 * the message names the operator, the domain and its version. */
static void test_custom_domain_unsupported(void **state)
{
    mb_model *m = mb_op_model(13);
    mb_node *node;
    mb_result r;

    (void)state;
    mb_opset(m, "com.example", 42);
    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(2));
    node = mb_node_add(m, "Relu", "custom", MB_NAMES("X"), MB_NAMES("Y"));
    mb_node_domain(node, "com.example");
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_DIMS(2));
    assert_model_rejected(m, ONNXMINI_ERR_UNSUPPORTED,
                          MB_NAMES("Relu", "com.example", "42"));
    mb_run(m, &r);
    assert_int_equal(r.step, MB_STEP_LOAD);
    mb_result_free(&r);
    mb_model_free(m);
}

/* An opset import for an unused domain does not stop a model from
 * loading. */
static void test_unused_domain_import_accepted(void **state)
{
    static const float x[2] = {-1.0f, 1.0f};
    static const float y[2] = {0.0f, 1.0f};
    mb_model *m = mb_op_model(13);
    mb_result r;

    (void)state;
    mb_opset(m, "com.example", 1);
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(2), x);
    mb_node_add(m, "Relu", "relu", MB_NAMES("X"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_DIMS(2));
    run_ok(m, &r);
    mb_assert_tensor(&r.outputs[0], ONNXMINI_FLOAT, MB_DIMS(2), y, 0.0);
    mb_result_free(&r);
    mb_model_free(m);
}

/* ONNX requires an opset import for every domain its nodes use. A model
 * that imports only another domain is invalid, and the message names the
 * operator without one. */
static void test_missing_default_opset_import(void **state)
{
    mb_model *m = mb_model_new(7);

    (void)state;
    mb_opset(m, "com.example", 1);
    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(2));
    mb_node_add(m, "Relu", "relu", MB_NAMES("X"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_DIMS(2));
    assert_model_rejected(m, ONNXMINI_ERR_INVALID_MODEL, MB_NAMES("Relu"));
    mb_model_free(m);
}

/* A model with no opset import at all is invalid. */
static void test_no_opset_import(void **state)
{
    mb_model *m = mb_model_new(7);

    (void)state;
    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(2));
    mb_node_add(m, "Relu", "relu", MB_NAMES("X"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_DIMS(2));
    assert_model_rejected(m, ONNXMINI_ERR_INVALID_MODEL, NULL);
    mb_model_free(m);
}

/* A ModelProto without a graph is an invalid model. */
static void test_model_without_graph(void **state)
{
    mb_model *m = mb_op_model(13);
    Onnxmini__Pb__ModelProto *proto = mb_model_proto(m);

    (void)state;
    proto->graph = NULL;
    assert_model_rejected(m, ONNXMINI_ERR_INVALID_MODEL, NULL);
    /* The builder owns the graph either way. The link is restored so that
     * the model is whole again when it is freed. */
    proto->graph = mb_graph_proto(m);
    mb_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_initializer_float_data),
        cmocka_unit_test(test_initializer_int32_data),
        cmocka_unit_test(test_initializer_int8_in_int32_data),
        cmocka_unit_test(test_initializer_int64_data),
        cmocka_unit_test(test_initializer_double_data),
        cmocka_unit_test(test_initializer_uint64_data),
        cmocka_unit_test(test_initializer_uint32_in_uint64_data),
        cmocka_unit_test(test_ir3_initializer_listed_as_input),
        cmocka_unit_test(test_nodes_out_of_order),
        cmocka_unit_test(test_cycle_rejected),
        cmocka_unit_test(test_self_loop_rejected),
        cmocka_unit_test(test_undefined_tensor_rejected),
        cmocka_unit_test(test_undefined_graph_output_rejected),
        cmocka_unit_test(test_two_writers_rejected),
        cmocka_unit_test(test_node_writes_graph_input_rejected),
        cmocka_unit_test(test_duplicate_initializer_rejected),
        cmocka_unit_test(test_raw_data_wrong_length),
        cmocka_unit_test(test_typed_data_wrong_count),
        cmocka_unit_test(test_initializer_negative_dim),
        cmocka_unit_test(test_opset_version_unsupported),
        cmocka_unit_test(test_unknown_op_type),
        cmocka_unit_test(test_custom_domain_unsupported),
        cmocka_unit_test(test_unused_domain_import_accepted),
        cmocka_unit_test(test_missing_default_opset_import),
        cmocka_unit_test(test_no_opset_import),
        cmocka_unit_test(test_model_without_graph),
    };

    return cmocka_run_group_tests_name("loader", tests, NULL, NULL);
}
