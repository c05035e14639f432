/*
 * test_graph.c - graph features that exported models use: Constant and
 * Identity nodes, initializers that a feed may replace, unused
 * initializers, graph outputs that are graph inputs or initializers, UTF-8
 * names, and tensor data stored in external files.
 *
 * The external-data tests write model.onnx and its data files into a fresh
 * folder under /tmp; the teardown removes that folder, also after a failed
 * assertion.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "model_builder.h"
#include "onnx.pb-c.h"
#include "onnxmini.h"

/* Longest path the tests build under their temporary folder. */
#define PATH_SIZE 512

/* ===================================================================== */
/* Fixture                                                                */
/* ===================================================================== */

/* A test's state: the model builder's fixture, plus the model, session and
 * temporary folder of the tests that drive the API themselves. The teardown
 * releases all of them, even when an assertion ends the test early. */
typedef struct graph_case {
    void *builder;                  /* state of mb_case_setup() */
    onnxmini_model *model;
    onnxmini_session *session;
    char dir[64];                   /* temporary folder, or "" for none */
} graph_case;

/* Removes a file, a symbolic link (never its target) or a folder with
 * everything inside. Returns 0 on success. */
static int remove_tree(const char *path)
{
    struct stat st;
    DIR *dir;
    struct dirent *entry;
    int result = 0;

    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return unlink(path);

    dir = opendir(path);
    if (dir == NULL)
        return -1;
    while ((entry = readdir(dir)) != NULL) {
        char child[PATH_SIZE];
        int n;

        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
            continue;
        n = snprintf(child, sizeof child, "%s/%s", path, entry->d_name);
        if (n < 0 || (size_t)n >= sizeof child || remove_tree(child) != 0)
            result = -1;
    }
    closedir(dir);
    if (rmdir(path) != 0)
        result = -1;
    return result;
}

static int graph_setup(void **state)
{
    graph_case *gc = calloc(1, sizeof *gc);

    if (gc == NULL)
        return -1;
    if (mb_case_setup(&gc->builder) != 0) {
        free(gc);
        return -1;
    }
    *state = gc;
    return 0;
}

static int graph_teardown(void **state)
{
    graph_case *gc = *state;
    int result = 0;

    if (gc == NULL)
        return 0;
    onnxmini_session_destroy(gc->session);
    onnxmini_model_free(gc->model);
    if (gc->dir[0] != '\0' && remove_tree(gc->dir) != 0) {
        print_error("could not remove the temporary folder %s\n", gc->dir);
        result = -1;
    }
    mb_case_teardown(&gc->builder);
    free(gc);
    *state = NULL;
    return result;
}

#define GRAPH_TEST(f)                                                       \
    cmocka_unit_test_setup_teardown(f, graph_setup, graph_teardown)

static graph_case *case_of(void **state)
{
    return *state;
}

/* A new model for the test that imports opset `opset` of the default
 * domain, with the IR version ONNX released alongside it. */
static mb_model *new_model(void **state, int64_t opset)
{
    return mb_case_model(&case_of(state)->builder, opset);
}

/* A new model for the test with the given IR version and no opset yet. */
static mb_model *new_model_ir(void **state, int64_t ir_version)
{
    return mb_case_model_ir(&case_of(state)->builder, ir_version);
}

/* Runs the test's model through mb_run(). */
static mb_result *run_model(void **state)
{
    return mb_case_run(&case_of(state)->builder);
}

/* ===================================================================== */
/* Checks                                                                 */
/* ===================================================================== */

/* Fails the test unless `message` contains `text`. */
#define assert_contains(message, text)                                      \
    assert_contains_at((message), (text), __FILE__, __LINE__)

static void assert_contains_at(const char *message, const char *text,
                               const char *file, int line)
{
    if (message != NULL && strstr(message, text) != NULL)
        return;
    print_error("message \"%s\" does not contain \"%s\"\n",
                message != NULL ? message : "(null)", text);
    _fail(file, line);
}

/* Fails the test unless `actual` is `expected`, printing both and the
 * message that came with the status. */
#define assert_status(actual, expected, message)                            \
    assert_status_at((actual), (expected), (message), __FILE__, __LINE__)

static void assert_status_at(onnxmini_status actual, onnxmini_status expected,
                             const char *message, const char *file, int line)
{
    if (actual == expected)
        return;
    print_error("expected status %d (%s), got %d (%s): %s\n", (int)expected,
                onnxmini_status_string(expected), (int)actual,
                onnxmini_status_string(actual), message);
    _fail(file, line);
}

/* Fails the test unless the result failed with `expected` at load or
 * session creation and its message contains `text`. */
#define assert_rejected(result, expected, text)                             \
    do {                                                                    \
        assert_status((result)->status, (expected), (result)->message);     \
        mb_assert_model_error((result), (text));                            \
    } while (0)

/* Loads the model from memory into the fixture and creates a session on
 * it, failing the test when either step fails. */
static onnxmini_session *open_session(void **state, mb_model *m)
{
    graph_case *gc = case_of(state);
    onnxmini_error error;
    onnxmini_status status;

    status = mb_model_load(m, &gc->model, &error);
    assert_status(status, ONNXMINI_OK, error.message);
    status = onnxmini_session_create(gc->model, NULL, &gc->session, &error);
    assert_status(status, ONNXMINI_OK, error.message);
    return gc->session;
}

/* Sets input `name` to `data` of the given shape and returns the status. */
static onnxmini_status set_input(onnxmini_session *s, const char *name,
                                 onnxmini_dtype dtype, int rank,
                                 const int64_t *dims, const void *data)
{
    size_t bytes = mb_element_count(rank, dims) * mb_dtype_size(dtype);

    return onnxmini_session_set_input(s, name, dtype, dims, (size_t)rank,
                                      data, bytes);
}

/* Sets input `name`, failing the test when the library rejects it. */
#define feed_ok(s, name, dtype, ...)                                        \
    feed_ok_at(__FILE__, __LINE__, (s), (name), (dtype), __VA_ARGS__)

static void feed_ok_at(const char *file, int line, onnxmini_session *s,
                       const char *name, onnxmini_dtype dtype, int rank,
                       const int64_t *dims, const void *data)
{
    onnxmini_status status = set_input(s, name, dtype, rank, dims, data);

    assert_status_at(status, ONNXMINI_OK, onnxmini_session_message(s), file,
                     line);
}

/* Runs the session, failing the test when the run fails. */
static void run_ok(onnxmini_session *s)
{
    onnxmini_status status = onnxmini_session_run(s);

    assert_status(status, ONNXMINI_OK, onnxmini_session_message(s));
}

/* Compares output `name` of the session with the expected tensor, printing
 * what differs. Returns the number of problems (0 when all match). */
static size_t check_output(void **state, onnxmini_session *s, const char *name,
                           onnxmini_dtype dtype, int rank, const int64_t *dims,
                           const void *expected)
{
    void **builder = &case_of(state)->builder;
    onnxmini_tensor view;
    onnxmini_status status = onnxmini_session_output_by_name(s, name, &view);
    mb_tensor copy;
    size_t size;

    if (status != ONNXMINI_OK) {
        print_error("output '%s': status %d (%s): %s\n", name, (int)status,
                    onnxmini_status_string(status),
                    onnxmini_session_message(s));
        return 1;
    }

    /* mb_check_tensor() reads an mb_tensor, so the view is copied into
     * memory that the teardown frees. */
    size = mb_dtype_size(view.dtype);
    copy.dtype = view.dtype;
    copy.rank = view.rank;
    copy.dims = mb_case_alloc(builder, (view.rank + 1) * sizeof(int64_t));
    if (view.rank > 0)
        memcpy(copy.dims, view.dims, view.rank * sizeof(int64_t));
    copy.data = mb_case_alloc(builder, view.bytes + 1);
    if (view.bytes > 0)
        memcpy(copy.data, view.data, view.bytes);
    copy.bytes = view.bytes;
    copy.count = size > 0 ? view.bytes / size : 0;
    mb_context("output '%s'", name);
    return mb_check_tensor(&copy, dtype, rank, dims, expected, 0);
}

/* Fails the test unless output `name` matches. The arguments after dtype
 * are rank, dims and expected, as for mb_assert_tensor(). */
#define assert_output(state, s, name, dtype, ...)                           \
    assert_int_equal(check_output((state), (s), (name), (dtype),            \
                                  __VA_ARGS__),                             \
                     0)

/* ===================================================================== */
/* Constant                                                               */
/* ===================================================================== */

/* Builds Y = Add(X, C) in opset 13, where C is the output of the Constant
 * node "const" returned in *constant, whose value attribute the caller
 * adds. X is fed with `x`. */
static mb_model *constant_add_model(void **state, onnxmini_dtype dtype,
                                    int rank, const int64_t *dims,
                                    const void *x, mb_node **constant)
{
    mb_model *m = new_model(state, 13);

    *constant = mb_node_add(m, "Constant", "const", NULL, MB_NAMES("C"));
    mb_node_add(m, "Add", "add", MB_NAMES("X", "C"), MB_NAMES("Y"));
    mb_input_data(m, "X", dtype, rank, dims, x);
    mb_output(m, "Y", dtype, MB_NO_SHAPE, NULL);
    return m;
}

/* Builds Y = Reshape(X, C) in opset 13 with X = 0..5 of shape [2, 3], where
 * C is the output of the Constant node returned in *constant. */
static mb_model *constant_reshape_model(void **state, mb_node **constant)
{
    static const float x[6] = {0, 1, 2, 3, 4, 5};
    mb_model *m = new_model(state, 13);

    *constant = mb_node_add(m, "Constant", "const", NULL, MB_NAMES("C"));
    mb_node_add(m, "Reshape", "reshape", MB_NAMES("X", "C"), MB_NAMES("Y"));
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(2, 3), x);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    return m;
}

/* Ensures a float tensor in `value` is added element by element. */
static void test_graph_constant_value_float_tensor(void **state)
{
    const float x[4] = {1, 2, 3, 4};
    const float c[4] = {0.5f, -1, 2, 100};
    const float expected[4] = {1.5f, 1, 5, 104};
    mb_node *n;

    constant_add_model(state, ONNXMINI_FLOAT, MB_DIMS(2, 2), x, &n);
    mb_attr_tensor(n, "value", ONNXMINI_FLOAT, MB_DIMS(2, 2), c, MB_RAW);
    mb_result *r = run_model(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(2, 2), expected,
                     0);
}

/* Ensures an int64 tensor in `value` keeps all 64 bits. */
static void test_graph_constant_value_int64_tensor(void **state)
{
    const int64_t x[3] = {5, 7, 1};
    const int64_t c[3] = {-5, 0, INT64_C(1) << 40};
    const int64_t expected[3] = {0, 7, (INT64_C(1) << 40) + 1};
    mb_node *n;

    constant_add_model(state, ONNXMINI_INT64, MB_DIMS(3), x, &n);
    mb_attr_tensor(n, "value", ONNXMINI_INT64, MB_DIMS(3), c, MB_TYPED);
    mb_result *r = run_model(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_INT64, MB_DIMS(3), expected, 0);
}

/* Ensures an int64 tensor in `value` works as Reshape's shape input. */
static void test_graph_constant_value_as_reshape_shape(void **state)
{
    const int64_t shape[3] = {1, 6, 1};
    const float expected[6] = {0, 1, 2, 3, 4, 5};
    mb_node *n;

    constant_reshape_model(state, &n);
    mb_attr_tensor(n, "value", ONNXMINI_INT64, MB_DIMS(3), shape, MB_RAW);
    mb_result *r = run_model(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 6, 1),
                     expected, 0);
}

/* Ensures value_float gives a rank-0 float that broadcasts in Add. */
static void test_graph_constant_value_float(void **state)
{
    const float x[6] = {0, 1, 2, 3, 4, 5};
    const float c = 0.25f;
    const float expected[6] = {0.25f, 1.25f, 2.25f, 3.25f, 4.25f, 5.25f};
    mb_node *n;

    mb_model *m = constant_add_model(state, ONNXMINI_FLOAT, MB_DIMS(2, 3), x,
                                     &n);
    mb_attr_float(n, "value_float", c);
    mb_output(m, "C", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = run_model(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(2, 3), expected,
                     0);
    mb_assert_tensor(&r->outputs[1], ONNXMINI_FLOAT, 0, NULL, &c, 0);
}

/* Ensures value_floats gives a 1-D float tensor of its length. */
static void test_graph_constant_value_floats(void **state)
{
    const float x[6] = {1, 2, 3, 4, 5, 6};
    const float c[3] = {10, 20, 30};
    const float expected[6] = {11, 22, 33, 14, 25, 36};
    mb_node *n;

    mb_model *m = constant_add_model(state, ONNXMINI_FLOAT, MB_DIMS(2, 3), x,
                                     &n);
    mb_attr_floats(n, "value_floats", MB_F32S(10, 20, 30));
    mb_output(m, "C", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = run_model(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(2, 3), expected,
                     0);
    mb_assert_tensor(&r->outputs[1], ONNXMINI_FLOAT, MB_DIMS(3), c, 0);
}

/* Ensures value_int gives a rank-0 int64 that broadcasts in Add. */
static void test_graph_constant_value_int(void **state)
{
    const int64_t x[2] = {10, 3};
    const int64_t c = -3;
    const int64_t expected[2] = {7, 0};
    mb_node *n;

    mb_model *m = constant_add_model(state, ONNXMINI_INT64, MB_DIMS(2), x, &n);
    mb_attr_int(n, "value_int", c);
    mb_output(m, "C", ONNXMINI_INT64, MB_NO_SHAPE, NULL);
    mb_result *r = run_model(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_INT64, MB_DIMS(2), expected, 0);
    mb_assert_tensor(&r->outputs[1], ONNXMINI_INT64, 0, NULL, &c, 0);
}

/* Ensures value_ints gives a 1-D int64 tensor that broadcasts in Add. */
static void test_graph_constant_value_ints(void **state)
{
    const int64_t x[4] = {0, 0, 5, 5};
    const int64_t c[2] = {1, -2};
    const int64_t expected[4] = {1, -2, 6, 3};
    mb_node *n;

    mb_model *m = constant_add_model(state, ONNXMINI_INT64, MB_DIMS(2, 2), x,
                                     &n);
    mb_attr_ints(n, "value_ints", MB_I64S(1, -2));
    mb_output(m, "C", ONNXMINI_INT64, MB_NO_SHAPE, NULL);
    mb_result *r = run_model(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_INT64, MB_DIMS(2, 2), expected,
                     0);
    mb_assert_tensor(&r->outputs[1], ONNXMINI_INT64, MB_DIMS(2), c, 0);
}

/* Ensures value_ints works as Reshape's shape input, -1 included. */
static void test_graph_constant_value_ints_as_reshape_shape(void **state)
{
    const float expected[6] = {0, 1, 2, 3, 4, 5};
    mb_node *n;

    constant_reshape_model(state, &n);
    mb_attr_ints(n, "value_ints", MB_I64S(3, -1));
    mb_result *r = run_model(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(3, 2), expected,
                     0);
}

/* Ensures a Constant with two value attributes fails to load, naming the
 * node, because the spec allows exactly one. */
static void test_graph_constant_two_values_rejected(void **state)
{
    const float x[2] = {1, 2};
    mb_node *n;

    mb_model *m = constant_add_model(state, ONNXMINI_FLOAT, MB_DIMS(2), x,
                                     &n);
    mb_node_proto(n)->name = mb_strdup(m, "two_values");
    mb_attr_float(n, "value_float", 1.0f);
    mb_attr_floats(n, "value_floats", MB_F32S(1, 2));
    mb_result *r = run_model(state);
    assert_rejected(r, ONNXMINI_ERR_INVALID_MODEL, "two_values");
}

/* Ensures sparse_value is reported unsupported, naming the attribute. */
static void test_graph_constant_sparse_value_unsupported(void **state)
{
    const float x[3] = {1, 2, 3};
    const float values[1] = {5};
    const int64_t indices[1] = {1};
    mb_node *n;

    mb_model *m = constant_add_model(state, ONNXMINI_FLOAT, MB_DIMS(3), x, &n);

    /* The dense form is {0, 5, 0}: one value at index 1 of shape [3]. */
    Onnxmini__Pb__SparseTensorProto *sparse = mb_alloc(m, sizeof *sparse);
    onnxmini__pb__sparse_tensor_proto__init(sparse);
    sparse->values = mb_tensor_proto(m, "values", ONNXMINI_FLOAT, MB_DIMS(1),
                                     values, MB_RAW);
    sparse->indices = mb_tensor_proto(m, "indices", ONNXMINI_INT64,
                                      MB_DIMS(1), indices, MB_RAW);
    sparse->n_dims = 1;
    sparse->dims = mb_alloc(m, sizeof(int64_t));
    sparse->dims[0] = 3;
    mb_attr_empty(n, "sparse_value",
                  ONNXMINI__PB__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__SPARSE_TENSOR)
        ->sparse_tensor = sparse;

    mb_result *r = run_model(state);
    assert_rejected(r, ONNXMINI_ERR_UNSUPPORTED, "sparse_value");
}

/* Ensures value_string is reported unsupported, naming the attribute. */
static void test_graph_constant_value_string_unsupported(void **state)
{
    mb_model *m = new_model(state, 13);
    mb_node *n = mb_node_add(m, "Constant", "const", NULL, MB_NAMES("C"));

    mb_attr_string(n, "value_string", "hello");
    mb_output(m, "C", ONNXMINI_STRING, 0, NULL);
    mb_result *r = run_model(state);
    assert_rejected(r, ONNXMINI_ERR_UNSUPPORTED, "value_string");
}

/* Ensures value_strings is reported unsupported, naming the attribute. */
static void test_graph_constant_value_strings_unsupported(void **state)
{
    mb_model *m = new_model(state, 13);
    mb_node *n = mb_node_add(m, "Constant", "const", NULL, MB_NAMES("C"));

    mb_attr_strings(n, "value_strings", 2, MB_NAMES("a", "b"));
    mb_output(m, "C", ONNXMINI_STRING, MB_DIMS(2));
    mb_result *r = run_model(state);
    assert_rejected(r, ONNXMINI_ERR_UNSUPPORTED, "value_strings");
}

/* ===================================================================== */
/* Identity                                                               */
/* ===================================================================== */

/* Ensures Identity -> Relu -> Identity computes Relu of the input. */
static void test_graph_identity_relu_chain(void **state)
{
    const float x[5] = {-2, -0.5f, 0, 1.5f, 3};
    const float expected[5] = {0, 0, 0, 1.5f, 3};
    mb_model *m = new_model(state, 14);

    mb_node_add(m, "Identity", "copy_in", MB_NAMES("X"), MB_NAMES("A"));
    mb_node_add(m, "Relu", "relu", MB_NAMES("A"), MB_NAMES("B"));
    mb_node_add(m, "Identity", "copy_out", MB_NAMES("B"), MB_NAMES("Y"));
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(5), x);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = run_model(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(5), expected, 0);
}

/* Ensures an Identity of a graph input to a graph output follows a new
 * input buffer, and leaves the earlier buffer as it was. */
static void test_graph_identity_input_to_output(void **state)
{
    const float first_copy[3] = {1, 2, 3};
    float first[3] = {1, 2, 3};
    float second[3] = {-7, 8.5f, 0};
    mb_model *m = new_model(state, 13);

    mb_node_add(m, "Identity", "copy", MB_NAMES("X"), MB_NAMES("Y"));
    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(3));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    onnxmini_session *s = open_session(state, m);

    feed_ok(s, "X", ONNXMINI_FLOAT, MB_DIMS(3), first);
    run_ok(s);
    assert_output(state, s, "Y", ONNXMINI_FLOAT, MB_DIMS(3), first_copy);

    feed_ok(s, "X", ONNXMINI_FLOAT, MB_DIMS(3), second);
    run_ok(s);
    assert_output(state, s, "Y", ONNXMINI_FLOAT, MB_DIMS(3), second);
    assert_int_equal(mb_count_mismatches(ONNXMINI_FLOAT, first, first_copy,
                                         3, 0),
                     0);
}

/* Ensures an Identity output that is a graph output keeps its values when
 * a later node reads the same input for the last time (where an in-place
 * kernel could reuse the buffer). */
static void test_graph_identity_output_survives_later_node(void **state)
{
    const float x[4] = {-1, 2, -3, 4};
    const float relu[4] = {0, 2, 0, 4};
    const float doubled[4] = {0, 4, 0, 8};
    mb_model *m = new_model(state, 14);

    mb_node_add(m, "Relu", "relu", MB_NAMES("X"), MB_NAMES("A"));
    mb_node_add(m, "Identity", "copy", MB_NAMES("A"), MB_NAMES("Y"));
    mb_node_add(m, "Add", "double", MB_NAMES("A", "A"), MB_NAMES("Z"));
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(4), x);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_output(m, "Z", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = run_model(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(4), relu, 0);
    mb_assert_tensor(&r->outputs[1], ONNXMINI_FLOAT, MB_DIMS(4), doubled, 0);
}

/* Ensures an Identity of an initializer returns the initializer's values. */
static void test_graph_identity_of_initializer(void **state)
{
    const int64_t w[3] = {4, -5, INT64_C(1) << 33};
    mb_model *m = new_model(state, 13);

    mb_node_add(m, "Identity", "copy", MB_NAMES("W"), MB_NAMES("Y"));
    mb_initializer(m, "W", ONNXMINI_INT64, MB_DIMS(3), w, MB_RAW);
    mb_output(m, "Y", ONNXMINI_INT64, MB_NO_SHAPE, NULL);
    mb_result *r = run_model(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_INT64, MB_DIMS(3), w, 0);
}

/* ===================================================================== */
/* Initializers a feed may replace                                        */
/* ===================================================================== */

static const float default_bias[3] = {1, 2, 3};

/* Builds Y = Add(X, bias) with X of shape [3] and the initializer
 * bias = {1, 2, 3}, which graph.input also lists (after X, or before it
 * when bias_first is set) with shape bias_rank/bias_dims. */
static mb_model *bias_model(void **state, int64_t ir_version, int64_t opset,
                            int bias_first, int bias_rank,
                            const int64_t *bias_dims)
{
    mb_model *m = new_model_ir(state, ir_version);

    mb_opset(m, "", opset);
    mb_node_add(m, "Add", "add", MB_NAMES("X", "bias"), MB_NAMES("Y"));
    if (bias_first)
        mb_input(m, "bias", ONNXMINI_FLOAT, bias_rank, bias_dims);
    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(3));
    if (!bias_first)
        mb_input(m, "bias", ONNXMINI_FLOAT, bias_rank, bias_dims);
    mb_initializer(m, "bias", ONNXMINI_FLOAT, MB_DIMS(3), default_bias,
                   MB_RAW);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    return m;
}

/* Builds the bias_model() of IR version 7 and opset 13, with bias declared
 * as [3] after X. */
static mb_model *bias_model_ir7(void **state)
{
    return bias_model(state, 7, 13, 0, MB_DIMS(3));
}

/* Ensures the initializer's value is used when the caller does not feed
 * it. */
static void test_graph_initializer_default_without_feed(void **state)
{
    const float x[3] = {10, 20, 30};
    const float expected[3] = {11, 22, 33};
    mb_model *m = bias_model_ir7(state);

    mb_feed(m, "X", ONNXMINI_FLOAT, MB_DIMS(3), x);
    mb_result *r = run_model(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(3), expected, 0);
}

/* Ensures feeding the initializer by name replaces its value. */
static void test_graph_initializer_feed_replaces_default(void **state)
{
    const float x[3] = {10, 20, 30};
    const float bias[3] = {100, 200, 300};
    const float expected[3] = {110, 220, 330};
    onnxmini_session *s = open_session(state, bias_model_ir7(state));

    feed_ok(s, "X", ONNXMINI_FLOAT, MB_DIMS(3), x);
    feed_ok(s, "bias", ONNXMINI_FLOAT, MB_DIMS(3), bias);
    run_ok(s);
    assert_output(state, s, "Y", ONNXMINI_FLOAT, MB_DIMS(3), expected);
}

/* Ensures a run first with the default and then with a fed value uses
 * each in turn. */
static void test_graph_initializer_feed_after_default_run(void **state)
{
    const float x[3] = {10, 20, 30};
    const float bias[3] = {-10, -20, -30};
    const float with_default[3] = {11, 22, 33};
    const float with_feed[3] = {0, 0, 0};
    onnxmini_session *s = open_session(state, bias_model_ir7(state));

    feed_ok(s, "X", ONNXMINI_FLOAT, MB_DIMS(3), x);
    run_ok(s);
    assert_output(state, s, "Y", ONNXMINI_FLOAT, MB_DIMS(3), with_default);

    feed_ok(s, "bias", ONNXMINI_FLOAT, MB_DIMS(3), bias);
    run_ok(s);
    assert_output(state, s, "Y", ONNXMINI_FLOAT, MB_DIMS(3), with_feed);
}

/* Ensures later feeds of either input take effect in the next run while
 * the other input keeps its last fed value. */
static void test_graph_initializer_feeds_between_runs(void **state)
{
    const float x1[3] = {10, 20, 30};
    const float x2[3] = {-1, -1, -1};
    const float bias1[3] = {100, 200, 300};
    const float bias2[3] = {0.5f, 0.25f, 0.125f};
    const float expected1[3] = {110, 220, 330};
    const float expected2[3] = {10.5f, 20.25f, 30.125f};
    const float expected3[3] = {-0.5f, -0.75f, -0.875f};
    onnxmini_session *s = open_session(state, bias_model_ir7(state));

    feed_ok(s, "X", ONNXMINI_FLOAT, MB_DIMS(3), x1);
    feed_ok(s, "bias", ONNXMINI_FLOAT, MB_DIMS(3), bias1);
    run_ok(s);
    assert_output(state, s, "Y", ONNXMINI_FLOAT, MB_DIMS(3), expected1);

    feed_ok(s, "bias", ONNXMINI_FLOAT, MB_DIMS(3), bias2);
    run_ok(s);
    assert_output(state, s, "Y", ONNXMINI_FLOAT, MB_DIMS(3), expected2);

    feed_ok(s, "X", ONNXMINI_FLOAT, MB_DIMS(3), x2);
    run_ok(s);
    assert_output(state, s, "Y", ONNXMINI_FLOAT, MB_DIMS(3), expected3);
}

/* Ensures input_count and input_info list only X, even when graph.input
 * lists the initializer first. */
static void test_graph_initializer_input_not_counted(void **state)
{
    mb_model *m = bias_model(state, 7, 13, 1, MB_DIMS(3));
    graph_case *gc = case_of(state);
    onnxmini_value_info info;
    onnxmini_error error;
    onnxmini_status status = mb_model_load(m, &gc->model, &error);

    assert_status(status, ONNXMINI_OK, error.message);
    assert_int_equal(onnxmini_model_input_count(gc->model), 1);
    assert_int_equal(onnxmini_model_input_info(gc->model, 0, &info),
                     ONNXMINI_OK);
    assert_string_equal(info.name, "X");
    assert_int_equal(onnxmini_model_input_info(gc->model, 1, &info),
                     ONNXMINI_ERR_NOT_FOUND);
}

/* Ensures an IR-version-3 model treats the listed initializer as a
 * constant, so feeding it by name is NOT_FOUND and the message names it. */
static void test_graph_initializer_ir3_feed_not_found(void **state)
{
    const float bias[3] = {100, 200, 300};
    onnxmini_session *s = open_session(state, bias_model(state, 3, 7, 0,
                                                         MB_DIMS(3)));
    onnxmini_status status =
        set_input(s, "bias", ONNXMINI_FLOAT, MB_DIMS(3), bias);

    assert_status(status, ONNXMINI_ERR_NOT_FOUND, onnxmini_session_message(s));
    assert_contains(onnxmini_session_message(s), "bias");
}

/* Ensures an IR-version-3 model still runs with the initializer's value. */
static void test_graph_initializer_ir3_uses_initializer(void **state)
{
    const float x[3] = {10, 20, 30};
    const float expected[3] = {11, 22, 33};
    mb_model *m = bias_model(state, 3, 7, 0, MB_DIMS(3));

    mb_feed(m, "X", ONNXMINI_FLOAT, MB_DIMS(3), x);
    mb_result *r = run_model(state);
    mb_assert_ok(r);
    assert_int_equal(r->n_outputs, 1);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(3), expected, 0);
}

/* Ensures a feed of the wrong element type is rejected, naming the
 * initializer. */
static void test_graph_initializer_feed_wrong_dtype(void **state)
{
    const int64_t bias[3] = {1, 2, 3};
    onnxmini_session *s = open_session(state, bias_model_ir7(state));
    onnxmini_status status =
        set_input(s, "bias", ONNXMINI_INT64, MB_DIMS(3), bias);

    assert_status(status, ONNXMINI_ERR_SHAPE, onnxmini_session_message(s));
    assert_contains(onnxmini_session_message(s), "bias");
}

/* Ensures a feed of the wrong shape is rejected, naming the initializer. */
static void test_graph_initializer_feed_wrong_shape(void **state)
{
    const float bias[4] = {1, 2, 3, 4};
    onnxmini_session *s = open_session(state, bias_model_ir7(state));
    onnxmini_status status =
        set_input(s, "bias", ONNXMINI_FLOAT, MB_DIMS(4), bias);

    assert_status(status, ONNXMINI_ERR_SHAPE, onnxmini_session_message(s));
    assert_contains(onnxmini_session_message(s), "bias");
}

/* Ensures the initializer's own shape binds a feed even when graph.input
 * declares none for it. */
static void test_graph_initializer_shape_binds_feed(void **state)
{
    const float bias[4] = {1, 2, 3, 4};
    onnxmini_session *s =
        open_session(state, bias_model(state, 7, 13, 0, MB_NO_SHAPE, NULL));
    onnxmini_status status =
        set_input(s, "bias", ONNXMINI_FLOAT, MB_DIMS(4), bias);

    assert_status(status, ONNXMINI_ERR_SHAPE, onnxmini_session_message(s));
    assert_contains(onnxmini_session_message(s), "bias");
}

/* Ensures a fed value replaces an initializer that Reshape reads as its
 * shape, so the output shape follows the feed. */
static void test_graph_initializer_feed_reshape_shape(void **state)
{
    const float x[6] = {0, 1, 2, 3, 4, 5};
    const int64_t default_shape[2] = {3, 2};
    const int64_t fed_shape[2] = {1, 6};
    mb_model *m = new_model(state, 13);

    mb_node_add(m, "Reshape", "reshape", MB_NAMES("X", "shape"),
                MB_NAMES("Y"));
    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(2, 3));
    mb_input(m, "shape", ONNXMINI_INT64, MB_DIMS(2));
    mb_initializer(m, "shape", ONNXMINI_INT64, MB_DIMS(2), default_shape,
                   MB_RAW);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    onnxmini_session *s = open_session(state, m);

    feed_ok(s, "X", ONNXMINI_FLOAT, MB_DIMS(2, 3), x);
    run_ok(s);
    assert_output(state, s, "Y", ONNXMINI_FLOAT, MB_DIMS(3, 2), x);

    feed_ok(s, "shape", ONNXMINI_INT64, MB_DIMS(2), fed_shape);
    run_ok(s);
    assert_output(state, s, "Y", ONNXMINI_FLOAT, MB_DIMS(1, 6), x);
}

/* ===================================================================== */
/* Unused initializers                                                    */
/* ===================================================================== */

/* Builds Y = Relu(X) for X = {-1, 2} with two initializers no node reads. */
static mb_model *unused_initializer_model(void **state)
{
    const float x[2] = {-1, 2};
    const float w[4] = {1, 2, 3, 4};
    const int64_t k[3] = {7, 8, 9};
    mb_model *m = new_model(state, 14);

    mb_node_add(m, "Relu", "relu", MB_NAMES("X"), MB_NAMES("Y"));
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(2), x);
    mb_initializer(m, "unused_w", ONNXMINI_FLOAT, MB_DIMS(2, 2), w, MB_RAW);
    mb_initializer(m, "unused_k", ONNXMINI_INT64, MB_DIMS(3), k, MB_TYPED);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    return m;
}

/* Ensures initializers that no node reads load and run. */
static void test_graph_unused_initializers(void **state)
{
    const float expected[2] = {0, 2};

    unused_initializer_model(state);
    mb_result *r = run_model(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(2), expected, 0);
}

/* Ensures an unused initializer also listed as a graph input loads, runs,
 * and is not counted as an input. */
static void test_graph_unused_initializer_listed_as_input(void **state)
{
    const float expected[2] = {0, 2};
    graph_case *gc = case_of(state);
    onnxmini_error error;

    mb_model *m = unused_initializer_model(state);
    mb_input(m, "unused_w", ONNXMINI_FLOAT, MB_DIMS(2, 2));
    mb_result *r = run_model(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(2), expected, 0);

    onnxmini_status status = mb_model_load(m, &gc->model, &error);
    assert_status(status, ONNXMINI_OK, error.message);
    assert_int_equal(onnxmini_model_input_count(gc->model), 1);
}

/* ===================================================================== */
/* Graph outputs that are graph inputs or initializers                    */
/* ===================================================================== */

/* Ensures a graph input listed as a graph output, before a computed
 * output, returns the fed values. */
static void test_graph_output_is_graph_input(void **state)
{
    const float x[3] = {-1, 0.5f, 2};
    const float expected[3] = {0, 0.5f, 2};
    mb_model *m = new_model(state, 14);

    mb_node_add(m, "Relu", "relu", MB_NAMES("X"), MB_NAMES("Y"));
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(3), x);
    mb_output(m, "X", ONNXMINI_FLOAT, MB_DIMS(3));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = run_model(state);
    mb_assert_ok(r);
    assert_int_equal(r->n_outputs, 2);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(3), x, 0);
    mb_assert_tensor(&r->outputs[1], ONNXMINI_FLOAT, MB_DIMS(3), expected, 0);
}

/* Ensures a graph with no nodes returns its input as its output. */
static void test_graph_output_is_input_without_nodes(void **state)
{
    const int64_t x[2] = {-(INT64_C(1) << 50), 3};
    mb_model *m = new_model(state, 13);

    mb_input_data(m, "X", ONNXMINI_INT64, MB_DIMS(2), x);
    mb_output(m, "X", ONNXMINI_INT64, MB_DIMS(2));
    mb_result *r = run_model(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_INT64, MB_DIMS(2), x, 0);
}

/* Ensures an initializer listed as a graph output returns its values. */
static void test_graph_output_is_initializer(void **state)
{
    const float x[2] = {-3, 3};
    const float w[2] = {7, -8.5f};
    const float expected[2] = {0, 3};
    mb_model *m = new_model(state, 14);

    mb_node_add(m, "Relu", "relu", MB_NAMES("X"), MB_NAMES("Y"));
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(2), x);
    mb_initializer(m, "W", ONNXMINI_FLOAT, MB_DIMS(2), w, MB_RAW);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_output(m, "W", ONNXMINI_FLOAT, MB_DIMS(2));
    mb_result *r = run_model(state);
    mb_assert_ok(r);
    assert_int_equal(r->n_outputs, 2);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(2), expected, 0);
    mb_assert_tensor(&r->outputs[1], ONNXMINI_FLOAT, MB_DIMS(2), w, 0);
}

/* Ensures a graph with no nodes and no inputs returns an initializer. */
static void test_graph_output_is_initializer_without_nodes(void **state)
{
    const float w[3] = {1, -2, 3.5f};
    mb_model *m = new_model(state, 13);

    mb_initializer(m, "W", ONNXMINI_FLOAT, MB_DIMS(3), w, MB_TYPED);
    mb_output(m, "W", ONNXMINI_FLOAT, MB_DIMS(3));
    mb_result *r = run_model(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(3), w, 0);
}

/* ===================================================================== */
/* UTF-8 names                                                            */
/* ===================================================================== */

/* Names with Cyrillic, CJK, an emoji and spaces. */
static const char utf8_node[] = "сложение 加法 🚀";
static const char utf8_input[] = "вход 入力";
static const char utf8_weight[] = "вес 权重 ✨";
static const char utf8_output[] = "выход 出力 🎯";

/* Builds output = Add(input, weight) with UTF-8 names, X of shape [2]. */
static mb_model *utf8_model(void **state)
{
    const float w[2] = {0.5f, -4};
    mb_model *m = new_model(state, 13);

    mb_node_add(m, "Add", utf8_node, MB_NAMES(utf8_input, utf8_weight),
                MB_NAMES(utf8_output));
    mb_input(m, utf8_input, ONNXMINI_FLOAT, MB_DIMS(2));
    mb_initializer(m, utf8_weight, ONNXMINI_FLOAT, MB_DIMS(2), w, MB_RAW);
    mb_output(m, utf8_output, ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    return m;
}

/* Ensures UTF-8 names survive load, input and output info, set_input by
 * name and output_by_name. */
static void test_graph_utf8_names_run(void **state)
{
    const float x[2] = {1, 2};
    const float expected[2] = {1.5f, -2};
    onnxmini_session *s = open_session(state, utf8_model(state));
    onnxmini_value_info info;

    assert_int_equal(onnxmini_model_input_info(case_of(state)->model, 0,
                                               &info),
                     ONNXMINI_OK);
    assert_string_equal(info.name, utf8_input);
    assert_int_equal(onnxmini_model_output_info(case_of(state)->model, 0,
                                                &info),
                     ONNXMINI_OK);
    assert_string_equal(info.name, utf8_output);

    feed_ok(s, utf8_input, ONNXMINI_FLOAT, MB_DIMS(2), x);
    run_ok(s);
    assert_output(state, s, utf8_output, ONNXMINI_FLOAT, MB_DIMS(2),
                  expected);
}

/* Ensures a failing node's UTF-8 name appears intact in the message. */
static void test_graph_utf8_node_name_in_error(void **state)
{
    static const char name[] = "изменить форму 形状 🔧";
    const float x[6] = {0, 1, 2, 3, 4, 5};
    const int64_t shape[2] = {4, 4};
    mb_model *m = new_model(state, 13);

    /* 16 elements cannot hold the 6 of X. */
    mb_node_add(m, "Reshape", name, MB_NAMES("X", "shape"), MB_NAMES("Y"));
    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(2, 3), x);
    mb_initializer(m, "shape", ONNXMINI_INT64, MB_DIMS(2), shape, MB_RAW);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = run_model(state);
    mb_assert_error(r, name);
}

/* Ensures a UTF-8 input name appears intact in a set_input error. */
static void test_graph_utf8_input_name_in_error(void **state)
{
    const float x[3] = {1, 2, 3};
    onnxmini_session *s = open_session(state, utf8_model(state));
    onnxmini_status status =
        set_input(s, utf8_input, ONNXMINI_FLOAT, MB_DIMS(3), x);

    assert_status(status, ONNXMINI_ERR_SHAPE, onnxmini_session_message(s));
    assert_contains(onnxmini_session_message(s), utf8_input);
}

/* Ensures an unknown UTF-8 input name appears intact in the NOT_FOUND
 * message. */
static void test_graph_utf8_unknown_name_in_error(void **state)
{
    static const char unknown[] = "нет 无 🙈";
    const float x[2] = {1, 2};
    onnxmini_session *s = open_session(state, utf8_model(state));
    onnxmini_status status = set_input(s, unknown, ONNXMINI_FLOAT, MB_DIMS(2),
                                       x);

    assert_status(status, ONNXMINI_ERR_NOT_FOUND, onnxmini_session_message(s));
    assert_contains(onnxmini_session_message(s), unknown);
}

/* Ensures a UTF-8 initializer name appears intact in a load error. */
static void test_graph_utf8_initializer_name_in_error(void **state)
{
    const float w[3] = {1, 2, 3};
    mb_model *m = new_model(state, 13);

    /* 12 bytes of raw_data for a [2] float tensor, which needs 8. */
    mb_node_add(m, "Add", utf8_node, MB_NAMES(utf8_input, utf8_weight),
                MB_NAMES(utf8_output));
    mb_input(m, utf8_input, ONNXMINI_FLOAT, MB_DIMS(2));
    mb_initializer_raw(m, utf8_weight, ONNXMINI_FLOAT, MB_DIMS(2), w,
                       sizeof w);
    mb_output(m, utf8_output, ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = run_model(state);
    assert_rejected(r, ONNXMINI_ERR_INVALID_MODEL, utf8_weight);
}

/* ===================================================================== */
/* External data                                                          */
/* ===================================================================== */

/* The external initializer "scale" of shape [4]. ONNX stores external
 * data as raw little-endian bytes, which is the layout of this array on
 * the hosts the tests run on (x86-64 and aarch64). */
static const float scale_values[4] = {1.5f, -2, 0.25f, 1000};
static const float external_x[4] = {1, 1, 1, 1};
static const float external_expected[4] = {2.5f, -1, 1.25f, 1001};

/* Appends a key/value entry to the tensor's external_data list. */
static void add_external_entry(mb_model *m, Onnxmini__Pb__TensorProto *t,
                               const char *key, const char *value)
{
    Onnxmini__Pb__StringStringEntryProto *entry = mb_alloc(m, sizeof *entry);
    Onnxmini__Pb__StringStringEntryProto **entries =
        mb_alloc(m, (t->n_external_data + 1) * sizeof *entries);

    onnxmini__pb__string_string_entry_proto__init(entry);
    entry->key = mb_strdup(m, key);
    entry->value = mb_strdup(m, value);
    if (t->n_external_data > 0)
        memcpy(entries, t->external_data,
               t->n_external_data * sizeof *entries);
    entries[t->n_external_data++] = entry;
    t->external_data = entries;
}

/* Turns t into a tensor without elements of its own whose data is
 * external, under the keys location, offset and length. A NULL value
 * leaves that key out. */
static void make_external(mb_model *m, Onnxmini__Pb__TensorProto *t,
                          const char *location, const char *offset,
                          const char *length)
{
    t->has_raw_data = 0;
    t->raw_data.len = 0;
    t->raw_data.data = NULL;
    t->has_data_location = 1;
    t->data_location = ONNXMINI__PB__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
    if (location != NULL)
        add_external_entry(m, t, "location", location);
    if (offset != NULL)
        add_external_entry(m, t, "offset", offset);
    if (length != NULL)
        add_external_entry(m, t, "length", length);
}

/* Builds Y = Add(X, scale) with X of shape [4] and the initializer scale
 * of shape [4] stored externally under the given keys. */
static mb_model *external_model(void **state, const char *location,
                                const char *offset, const char *length)
{
    mb_model *m = new_model(state, 13);
    Onnxmini__Pb__TensorProto *t;

    mb_node_add(m, "Add", "add", MB_NAMES("X", "scale"), MB_NAMES("Y"));
    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(4));
    t = mb_initializer_raw(m, "scale", ONNXMINI_FLOAT, MB_DIMS(4), NULL, 0);
    make_external(m, t, location, offset, length);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    return m;
}

/* Creates the test's temporary folder. */
static void make_temp_dir(void **state)
{
    graph_case *gc = case_of(state);

    strcpy(gc->dir, "/tmp/onnxmini-graph-XXXXXX");
    if (mkdtemp(gc->dir) == NULL) {
        gc->dir[0] = '\0';
        fail_msg("mkdtemp failed: %s", strerror(errno));
    }
}

/* Writes the path of `relative` inside the temporary folder to `path`. */
static void temp_path(void **state, const char *relative, char *path)
{
    int n = snprintf(path, PATH_SIZE, "%s/%s", case_of(state)->dir, relative);

    assert_true(n > 0 && n < PATH_SIZE);
}

/* Creates the folder `relative` inside the temporary folder. */
static void make_dir(void **state, const char *relative)
{
    char path[PATH_SIZE];

    temp_path(state, relative, path);
    if (mkdir(path, 0700) != 0)
        fail_msg("mkdir %s failed: %s", path, strerror(errno));
}

/* Writes `bytes` bytes to the file `relative` inside the temporary
 * folder. */
static void write_file(void **state, const char *relative, const void *data,
                       size_t bytes)
{
    char path[PATH_SIZE];
    FILE *f;
    int ok;

    temp_path(state, relative, path);
    f = fopen(path, "wb");
    if (f == NULL)
        fail_msg("cannot create %s: %s", path, strerror(errno));
    ok = fwrite(data, 1, bytes, f) == bytes;
    ok = fclose(f) == 0 && ok;
    if (!ok)
        fail_msg("cannot write %s", path);
}

/* Writes the packed model to `relative` inside the temporary folder. */
static void save_model(void **state, mb_model *m, const char *relative)
{
    size_t size;
    uint8_t *bytes = mb_model_pack(m, &size);
    char path[PATH_SIZE];
    FILE *f;
    int ok;

    temp_path(state, relative, path);
    f = fopen(path, "wb");
    ok = f != NULL && fwrite(bytes, 1, size, f) == size;
    if (f != NULL)
        ok = fclose(f) == 0 && ok;
    free(bytes);
    if (!ok)
        fail_msg("cannot write %s", path);
}

/* Loads the model file `relative` inside the temporary folder into the
 * fixture. Returns the status and stores the message in *error. */
static onnxmini_status load_temp_model(void **state, const char *relative,
                                       onnxmini_error *error)
{
    char path[PATH_SIZE];

    temp_path(state, relative, path);
    return onnxmini_model_load_file(path, &case_of(state)->model, error);
}

/* Creates a session on the fixture's model, feeds X, runs and checks Y. */
static void check_external_run(void **state)
{
    graph_case *gc = case_of(state);
    onnxmini_error error;
    onnxmini_status status =
        onnxmini_session_create(gc->model, NULL, &gc->session, &error);

    assert_status(status, ONNXMINI_OK, error.message);
    feed_ok(gc->session, "X", ONNXMINI_FLOAT, MB_DIMS(4), external_x);
    run_ok(gc->session);
    assert_output(state, gc->session, "Y", ONNXMINI_FLOAT, MB_DIMS(4),
                  external_expected);
}

/* Ensures a location alone reads the whole file. */
static void test_graph_external_whole_file(void **state)
{
    onnxmini_error error;

    make_temp_dir(state);
    write_file(state, "w.bin", scale_values, sizeof scale_values);
    save_model(state, external_model(state, "w.bin", NULL, NULL),
               "model.onnx");
    assert_status(load_temp_model(state, "model.onnx", &error), ONNXMINI_OK,
                  error.message);
    check_external_run(state);
}

/* Ensures offset and length select the tensor's bytes from a larger file
 * with other bytes around them. */
static void test_graph_external_offset_length(void **state)
{
    unsigned char file[8 + sizeof scale_values + 8];
    onnxmini_error error;

    memset(file, 0xAB, 8);
    memcpy(file + 8, scale_values, sizeof scale_values);
    memset(file + 8 + sizeof scale_values, 0xCD, 8);
    make_temp_dir(state);
    write_file(state, "w.bin", file, sizeof file);
    save_model(state, external_model(state, "w.bin", "8", "16"),
               "model.onnx");
    assert_status(load_temp_model(state, "model.onnx", &error), ONNXMINI_OK,
                  error.message);
    check_external_run(state);
}

/* Ensures an offset without a length reads the tensor's size from there. */
static void test_graph_external_offset_only(void **state)
{
    unsigned char file[4 + sizeof scale_values + 4];
    onnxmini_error error;

    memset(file, 0x7F, sizeof file);
    memcpy(file + 4, scale_values, sizeof scale_values);
    make_temp_dir(state);
    write_file(state, "w.bin", file, sizeof file);
    save_model(state, external_model(state, "w.bin", "4", NULL),
               "model.onnx");
    assert_status(load_temp_model(state, "model.onnx", &error), ONNXMINI_OK,
                  error.message);
    check_external_run(state);
}

/* Ensures a location in a subfolder of the model's folder is read. */
static void test_graph_external_subfolder(void **state)
{
    onnxmini_error error;

    make_temp_dir(state);
    make_dir(state, "weights");
    write_file(state, "weights/w.bin", scale_values, sizeof scale_values);
    save_model(state, external_model(state, "weights/w.bin", NULL, NULL),
               "model.onnx");
    assert_status(load_temp_model(state, "model.onnx", &error), ONNXMINI_OK,
                  error.message);
    check_external_run(state);
}

/* Ensures a model loaded by a path without a folder part reads its
 * external data from the current folder. */
static void test_graph_external_relative_model_path(void **state)
{
    char cwd[PATH_SIZE];
    onnxmini_error error;
    onnxmini_status status;
    int moved;

    make_temp_dir(state);
    write_file(state, "w.bin", scale_values, sizeof scale_values);
    save_model(state, external_model(state, "w.bin", NULL, NULL),
               "model.onnx");
    assert_non_null(getcwd(cwd, sizeof cwd));

    /* Back to the old folder before any assertion can end the test. */
    moved = chdir(case_of(state)->dir) == 0;
    status = moved ? onnxmini_model_load_file("model.onnx",
                                              &case_of(state)->model, &error)
                   : ONNXMINI_ERR_IO;
    if (chdir(cwd) != 0)
        fail_msg("cannot return to %s: %s", cwd, strerror(errno));
    assert_true(moved);
    assert_status(status, ONNXMINI_OK, error.message);
    check_external_run(state);
}

/* Ensures a symbolic link that stays inside the model's folder is
 * followed. */
static void test_graph_external_symlink_inside(void **state)
{
    char link_path[PATH_SIZE];
    onnxmini_error error;

    make_temp_dir(state);
    make_dir(state, "data");
    write_file(state, "data/w.bin", scale_values, sizeof scale_values);
    temp_path(state, "link.bin", link_path);
    if (symlink("data/w.bin", link_path) != 0)
        fail_msg("symlink %s failed: %s", link_path, strerror(errno));
    save_model(state, external_model(state, "link.bin", NULL, NULL),
               "model.onnx");
    assert_status(load_temp_model(state, "model.onnx", &error), ONNXMINI_OK,
                  error.message);
    check_external_run(state);
}

/* Ensures a tensor attribute of a Constant can keep its data externally. */
static void test_graph_external_constant_value(void **state)
{
    onnxmini_error error;
    mb_node *n;

    make_temp_dir(state);
    write_file(state, "c.bin", scale_values, sizeof scale_values);
    mb_model *m = constant_add_model(state, ONNXMINI_FLOAT, MB_DIMS(4),
                                     external_x, &n);
    Onnxmini__Pb__AttributeProto *a = mb_attr_tensor(
        n, "value", ONNXMINI_FLOAT, MB_DIMS(4), scale_values, MB_RAW);
    make_external(m, a->t, "c.bin", NULL, NULL);
    save_model(state, m, "model.onnx");
    assert_status(load_temp_model(state, "model.onnx", &error), ONNXMINI_OK,
                  error.message);

    graph_case *gc = case_of(state);
    onnxmini_status status =
        onnxmini_session_create(gc->model, NULL, &gc->session, &error);
    assert_status(status, ONNXMINI_OK, error.message);
    feed_ok(gc->session, "X", ONNXMINI_FLOAT, MB_DIMS(4), external_x);
    run_ok(gc->session);
    assert_output(state, gc->session, "Y", ONNXMINI_FLOAT, MB_DIMS(4),
                  external_expected);
}

/* Ensures an absolute location is rejected, naming it, although the file
 * exists. */
static void test_graph_external_absolute_rejected(void **state)
{
    char location[PATH_SIZE];
    onnxmini_error error;

    make_temp_dir(state);
    write_file(state, "w.bin", scale_values, sizeof scale_values);
    temp_path(state, "w.bin", location);
    save_model(state, external_model(state, location, NULL, NULL),
               "model.onnx");
    assert_status(load_temp_model(state, "model.onnx", &error),
                  ONNXMINI_ERR_INVALID_MODEL, error.message);
    assert_contains(error.message, location);
    assert_null(case_of(state)->model);
}

/* Ensures a location that climbs out with ".." is rejected, naming it,
 * although the file exists there. */
static void test_graph_external_dotdot_rejected(void **state)
{
    onnxmini_error error;

    make_temp_dir(state);
    make_dir(state, "model");
    write_file(state, "w.bin", scale_values, sizeof scale_values);
    save_model(state, external_model(state, "../w.bin", NULL, NULL),
               "model/model.onnx");
    assert_status(load_temp_model(state, "model/model.onnx", &error),
                  ONNXMINI_ERR_INVALID_MODEL, error.message);
    assert_contains(error.message, "../w.bin");
    assert_null(case_of(state)->model);
}

/* Ensures a symbolic link inside the model's folder that points to a file
 * outside it is rejected. */
static void test_graph_external_symlink_outside_rejected(void **state)
{
    char target[PATH_SIZE], link_path[PATH_SIZE];
    onnxmini_error error;

    make_temp_dir(state);
    make_dir(state, "model");
    write_file(state, "outside.bin", scale_values, sizeof scale_values);
    temp_path(state, "outside.bin", target);
    temp_path(state, "model/w.bin", link_path);
    if (symlink(target, link_path) != 0)
        fail_msg("symlink %s failed: %s", link_path, strerror(errno));
    save_model(state, external_model(state, "w.bin", NULL, NULL),
               "model/model.onnx");
    assert_status(load_temp_model(state, "model/model.onnx", &error),
                  ONNXMINI_ERR_INVALID_MODEL, error.message);
    assert_contains(error.message, "outside the model's folder");
    assert_null(case_of(state)->model);
}

/* Ensures a length that differs from the tensor's 16 bytes is rejected,
 * naming the tensor. */
static void test_graph_external_length_mismatch(void **state)
{
    onnxmini_error error;

    make_temp_dir(state);
    write_file(state, "w.bin", scale_values, sizeof scale_values);
    save_model(state, external_model(state, "w.bin", "0", "12"),
               "model.onnx");
    assert_status(load_temp_model(state, "model.onnx", &error),
                  ONNXMINI_ERR_INVALID_MODEL, error.message);
    assert_contains(error.message, "scale");
    assert_null(case_of(state)->model);
}

/* Ensures a file shorter than offset + length is rejected, naming the
 * tensor and the file. */
static void test_graph_external_file_too_short(void **state)
{
    unsigned char file[20];
    onnxmini_error error;
    onnxmini_status status;

    /* offset 8 + length 16 needs 24 bytes. */
    memset(file, 0, sizeof file);
    make_temp_dir(state);
    write_file(state, "w.bin", file, sizeof file);
    save_model(state, external_model(state, "w.bin", "8", "16"),
               "model.onnx");
    status = load_temp_model(state, "model.onnx", &error);
    if (status != ONNXMINI_ERR_INVALID_MODEL && status != ONNXMINI_ERR_IO)
        fail_msg("expected status INVALID_MODEL or IO, got %d (%s): %s",
                 (int)status, onnxmini_status_string(status), error.message);
    assert_contains(error.message, "scale");
    assert_contains(error.message, "w.bin");
    assert_null(case_of(state)->model);
}

/* Ensures a missing data file is ONNXMINI_ERR_IO, naming the file. */
static void test_graph_external_missing_file(void **state)
{
    onnxmini_error error;

    make_temp_dir(state);
    save_model(state, external_model(state, "missing.bin", NULL, NULL),
               "model.onnx");
    assert_status(load_temp_model(state, "model.onnx", &error),
                  ONNXMINI_ERR_IO, error.message);
    assert_contains(error.message, "missing.bin");
    assert_null(case_of(state)->model);
}

/* Ensures external data without a location is rejected. */
static void test_graph_external_no_location_rejected(void **state)
{
    onnxmini_error error;

    make_temp_dir(state);
    write_file(state, "w.bin", scale_values, sizeof scale_values);
    save_model(state, external_model(state, NULL, "0", "16"), "model.onnx");
    assert_status(load_temp_model(state, "model.onnx", &error),
                  ONNXMINI_ERR_INVALID_MODEL, error.message);
    assert_contains(error.message, "scale");
    assert_null(case_of(state)->model);
}

/* Ensures an offset that is not a decimal byte count is rejected. */
static void test_graph_external_bad_offset_rejected(void **state)
{
    onnxmini_error error;

    make_temp_dir(state);
    write_file(state, "w.bin", scale_values, sizeof scale_values);
    save_model(state, external_model(state, "w.bin", "-8", NULL),
               "model.onnx");
    assert_status(load_temp_model(state, "model.onnx", &error),
                  ONNXMINI_ERR_INVALID_MODEL, error.message);
    assert_contains(error.message, "-8");
    assert_null(case_of(state)->model);
}

/* Ensures loading external data from memory is ONNXMINI_ERR_UNSUPPORTED,
 * because without a file there is no folder to resolve the location in. */
static void test_graph_external_from_memory_unsupported(void **state)
{
    onnxmini_error error;
    onnxmini_status status =
        mb_model_load(external_model(state, "w.bin", NULL, NULL),
                      &case_of(state)->model, &error);

    assert_status(status, ONNXMINI_ERR_UNSUPPORTED, error.message);
    assert_contains(error.message, "folder");
    assert_null(case_of(state)->model);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        GRAPH_TEST(test_graph_constant_value_float_tensor),
        GRAPH_TEST(test_graph_constant_value_int64_tensor),
        GRAPH_TEST(test_graph_constant_value_as_reshape_shape),
        GRAPH_TEST(test_graph_constant_value_float),
        GRAPH_TEST(test_graph_constant_value_floats),
        GRAPH_TEST(test_graph_constant_value_int),
        GRAPH_TEST(test_graph_constant_value_ints),
        GRAPH_TEST(test_graph_constant_value_ints_as_reshape_shape),
        GRAPH_TEST(test_graph_constant_two_values_rejected),
        GRAPH_TEST(test_graph_constant_sparse_value_unsupported),
        GRAPH_TEST(test_graph_constant_value_string_unsupported),
        GRAPH_TEST(test_graph_constant_value_strings_unsupported),
        GRAPH_TEST(test_graph_identity_relu_chain),
        GRAPH_TEST(test_graph_identity_input_to_output),
        GRAPH_TEST(test_graph_identity_output_survives_later_node),
        GRAPH_TEST(test_graph_identity_of_initializer),
        GRAPH_TEST(test_graph_initializer_default_without_feed),
        GRAPH_TEST(test_graph_initializer_feed_replaces_default),
        GRAPH_TEST(test_graph_initializer_feed_after_default_run),
        GRAPH_TEST(test_graph_initializer_feeds_between_runs),
        GRAPH_TEST(test_graph_initializer_input_not_counted),
        GRAPH_TEST(test_graph_initializer_ir3_feed_not_found),
        GRAPH_TEST(test_graph_initializer_ir3_uses_initializer),
        GRAPH_TEST(test_graph_initializer_feed_wrong_dtype),
        GRAPH_TEST(test_graph_initializer_feed_wrong_shape),
        GRAPH_TEST(test_graph_initializer_shape_binds_feed),
        GRAPH_TEST(test_graph_initializer_feed_reshape_shape),
        GRAPH_TEST(test_graph_unused_initializers),
        GRAPH_TEST(test_graph_unused_initializer_listed_as_input),
        GRAPH_TEST(test_graph_output_is_graph_input),
        GRAPH_TEST(test_graph_output_is_input_without_nodes),
        GRAPH_TEST(test_graph_output_is_initializer),
        GRAPH_TEST(test_graph_output_is_initializer_without_nodes),
        GRAPH_TEST(test_graph_utf8_names_run),
        GRAPH_TEST(test_graph_utf8_node_name_in_error),
        GRAPH_TEST(test_graph_utf8_input_name_in_error),
        GRAPH_TEST(test_graph_utf8_unknown_name_in_error),
        GRAPH_TEST(test_graph_utf8_initializer_name_in_error),
        GRAPH_TEST(test_graph_external_whole_file),
        GRAPH_TEST(test_graph_external_offset_length),
        GRAPH_TEST(test_graph_external_offset_only),
        GRAPH_TEST(test_graph_external_subfolder),
        GRAPH_TEST(test_graph_external_relative_model_path),
        GRAPH_TEST(test_graph_external_symlink_inside),
        GRAPH_TEST(test_graph_external_constant_value),
        GRAPH_TEST(test_graph_external_absolute_rejected),
        GRAPH_TEST(test_graph_external_dotdot_rejected),
        GRAPH_TEST(test_graph_external_symlink_outside_rejected),
        GRAPH_TEST(test_graph_external_length_mismatch),
        GRAPH_TEST(test_graph_external_file_too_short),
        GRAPH_TEST(test_graph_external_missing_file),
        GRAPH_TEST(test_graph_external_no_location_rejected),
        GRAPH_TEST(test_graph_external_bad_offset_rejected),
        GRAPH_TEST(test_graph_external_from_memory_unsupported),
    };

    return cmocka_run_group_tests_name("graph", tests, NULL, NULL);
}
