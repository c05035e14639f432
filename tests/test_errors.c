/*
 * test_errors.c - one test per row of docs/ERRORS.md: each class of bad
 * input, the status the library returns for it, and the parts its message
 * must name (the node, the attribute, input or tensor, and the bad value).
 *
 * The checks look for those parts, not for the whole text, so a reworded
 * message still passes as long as it names them. With the environment
 * variable ONNXMINI_PRINT_MESSAGES set, every test prints the status and
 * message it got; docs/ERRORS.md quotes that output.
 *
 * Models are built in memory with the model builder. Tests that need files
 * (models on disk, external data, FIFOs, symbolic links) write them into a
 * fresh folder from mkdtemp(), which the teardown removes.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
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

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

/* ===================================================================== */
/* Fixture                                                                */
/* ===================================================================== */

/* What a test creates besides the builder's model: the library objects and
 * a temporary folder. The model builder's fixture (MB_TEST) owns the rest.
 * cmocka runs one test at a time, so one static instance is enough. */
static struct {
    onnxmini_model *model;
    onnxmini_session *session;
    char dir[PATH_MAX];         /* "" until temp_dir() creates it */
} resources;

static int errors_setup(void **state)
{
    memset(&resources, 0, sizeof resources);
    return mb_case_setup(state);
}

/* Removes a folder and everything in it, without following symbolic
 * links. Returns 0 on success. */
static int remove_tree(const char *path)
{
    struct stat info;
    DIR *dir;
    struct dirent *entry;
    int result = 0;

    if (lstat(path, &info) != 0)
        return -1;
    if (!S_ISDIR(info.st_mode))
        return unlink(path);
    dir = opendir(path);
    if (dir == NULL)
        return -1;
    while ((entry = readdir(dir)) != NULL) {
        char child[PATH_MAX];

        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
            continue;
        snprintf(child, sizeof child, "%s/%s", path, entry->d_name);
        if (remove_tree(child) != 0)
            result = -1;
    }
    closedir(dir);
    if (rmdir(path) != 0)
        result = -1;
    return result;
}

static int errors_teardown(void **state)
{
    int result = 0;

    onnxmini_session_destroy(resources.session);
    onnxmini_model_free(resources.model);
    if (resources.dir[0] != '\0' && remove_tree(resources.dir) != 0) {
        fprintf(stderr, "cannot remove the temporary folder %s\n",
                resources.dir);
        result = -1;
    }
    memset(&resources, 0, sizeof resources);
    if (mb_case_teardown(state) != 0)
        result = -1;
    return result;
}

#define ERRORS_TEST(f)                                                       \
    cmocka_unit_test_setup_teardown(f, errors_setup, errors_teardown)

/* Returns the test's temporary folder, creating it on first use. */
static const char *temp_dir(void)
{
    const char *base = getenv("TMPDIR");

    if (resources.dir[0] != '\0')
        return resources.dir;
    if (base == NULL || base[0] == '\0')
        base = "/tmp";
    snprintf(resources.dir, sizeof resources.dir, "%s/onnxmini-errors-XXXXXX",
             base);
    if (mkdtemp(resources.dir) == NULL) {
        resources.dir[0] = '\0';
        fail_msg("mkdtemp in %s failed: %s", base, strerror(errno));
    }
    return resources.dir;
}

/* Returns "<temp dir>/<name>" in memory the teardown frees. */
static char *temp_path(void **state, const char *name)
{
    const char *dir = temp_dir();
    size_t size = strlen(dir) + strlen(name) + 2;
    char *path = mb_case_alloc(state, size);

    snprintf(path, size, "%s/%s", dir, name);
    return path;
}

/* Writes `size` bytes to "<temp dir>/<name>" and returns the path. */
static char *temp_file(void **state, const char *name, const void *data,
                       size_t size)
{
    char *path = temp_path(state, name);
    FILE *f = fopen(path, "wb");

    if (f == NULL)
        fail_msg("cannot create %s: %s", path, strerror(errno));
    if (size > 0 && fwrite(data, 1, size, f) != size) {
        fclose(f);
        fail_msg("cannot write %zu bytes to %s", size, path);
    }
    if (fclose(f) != 0)
        fail_msg("cannot close %s: %s", path, strerror(errno));
    return path;
}

/* Creates the folder "<temp dir>/<name>" and returns its path. */
static char *temp_subdir(void **state, const char *name)
{
    char *path = temp_path(state, name);

    if (mkdir(path, 0700) != 0)
        fail_msg("cannot create the folder %s: %s", path, strerror(errno));
    return path;
}

/* Packs the test's model and writes it to "<temp dir>/<name>". */
static char *temp_model_file(void **state, mb_model *m, const char *name)
{
    size_t size = 0;
    uint8_t *bytes = mb_model_pack(m, &size);
    char *path = temp_file(state, name, bytes, size);

    free(bytes);
    return path;
}

/* ===================================================================== */
/* Checks                                                                 */
/* ===================================================================== */

static const char *status_name(onnxmini_status status)
{
    static const char *const names[] = {
        "ONNXMINI_OK",
        "ONNXMINI_ERR_INVALID_ARGUMENT",
        "ONNXMINI_ERR_IO",
        "ONNXMINI_ERR_PARSE",
        "ONNXMINI_ERR_INVALID_MODEL",
        "ONNXMINI_ERR_UNSUPPORTED",
        "ONNXMINI_ERR_OUT_OF_MEMORY",
        "ONNXMINI_ERR_SHAPE",
        "ONNXMINI_ERR_NOT_FOUND",
        "ONNXMINI_ERR_STATE",
        "ONNXMINI_ERR_LIMIT",
    };

    if ((unsigned)status < sizeof names / sizeof names[0])
        return names[status];
    return "(unknown status)";
}

/* Fails the test unless `status` is `expected` and `message` contains every
 * string of the NULL-terminated list `parts` (MB_NAMES(...)). Each missing
 * part is reported on its own line. */
#define assert_error(status, expected, message, parts)                      \
    assert_error_at((status), (expected), (message), (parts), __FILE__,     \
                    __LINE__)

/* Returns 1 when `message` contains every string of `parts`, else prints
 * each missing one and returns 0. */
static int message_names(const char *message, const char *const *parts)
{
    int ok = 1;

    for (size_t i = 0; parts != NULL && parts[i] != NULL; i++) {
        if (strstr(message, parts[i]) == NULL) {
            print_error("the message \"%s\" does not contain \"%s\"\n",
                        message, parts[i]);
            ok = 0;
        }
    }
    return ok;
}

static void assert_error_at(onnxmini_status status, onnxmini_status expected,
                            const char *message, const char *const *parts,
                            const char *file, int line)
{
    int ok = 1;

    if (message == NULL)
        message = "(null)";
    if (getenv("ONNXMINI_PRINT_MESSAGES") != NULL)
        print_message("%s: %s\n", status_name(status), message);
    if (status != expected) {
        print_error("status %s, expected %s; message \"%s\"\n",
                    status_name(status), status_name(expected), message);
        ok = 0;
    }
    if (!message_names(message, parts))
        ok = 0;
    if (!ok)
        _fail(file, line);
}

/* Runs the test's model through mb_case_run_with() and checks that it
 * failed at `step` with `expected` and a message naming every part. */
#define assert_run_error(state, options, step, expected, parts)             \
    assert_run_error_at((state), (options), (step), (expected), (parts),    \
                        __FILE__, __LINE__)

static void assert_run_error_at(void **state,
                                const onnxmini_session_options *options,
                                mb_step step, onnxmini_status expected,
                                const char *const *parts, const char *file,
                                int line)
{
    const mb_result *r = mb_case_run_with(state, options);

    if (r->step != step) {
        print_error("the run stopped at step '%s' with %s (\"%s\"), "
                    "expected a failure at step '%s'\n",
                    mb_step_name(r->step), status_name(r->status), r->message,
                    mb_step_name(step));
        _fail(file, line);
    }
    assert_error_at(r->status, expected, r->message, parts, file, line);
}

/* Loads `m` and creates a session on it with default options, failing
 * the test on any error. The teardown frees both. */
static onnxmini_session *open_session(mb_model *m)
{
    onnxmini_error error;
    onnxmini_status status;

    status = mb_model_load(m, &resources.model, &error);
    if (status != ONNXMINI_OK)
        fail_msg("loading the model failed with %s: %s", status_name(status),
                 error.message);
    status = onnxmini_session_create(resources.model, NULL, &resources.session,
                                     &error);
    if (status != ONNXMINI_OK)
        fail_msg("creating the session failed with %s: %s",
                 status_name(status), error.message);
    return resources.session;
}

/* ===================================================================== */
/* Models the tests break                                                 */
/* ===================================================================== */

/* X float [2,2] -> Relu 'relu' -> Y float [2,2], importing `opset`. */
static mb_model *relu_model(void **state, int64_t opset)
{
    mb_model *m = mb_case_model(state, opset);

    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(2, 2));
    mb_node_add(m, "Relu", "relu", MB_NAMES("X"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_DIMS(2, 2));
    return m;
}

/* Y = X + W with X and W float [2,2], W an initializer in raw_data. */
static mb_model *add_weight_model(void **state,
                                  Onnxmini__Pb__TensorProto **weight)
{
    static const float w[4] = {1.0f, 2.0f, 3.0f, 4.0f};
    mb_model *m = mb_case_model(state, 13);

    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(2, 2));
    *weight = mb_initializer(m, "W", ONNXMINI_FLOAT, MB_DIMS(2, 2), w, MB_RAW);
    mb_node_add(m, "Add", "add", MB_NAMES("X", "W"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_DIMS(2, 2));
    return m;
}

/* Y = Conv(X, W) with X float [1,1,4,4] and W float [1,1,2,2]; the test
 * adds the attributes. */
static mb_node *conv_node(void **state)
{
    static const float w[4] = {1.0f, 0.0f, 0.0f, 1.0f};
    mb_model *m = mb_case_model(state, 13);

    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(1, 1, 4, 4));
    mb_initializer(m, "W", ONNXMINI_FLOAT, MB_DIMS(1, 1, 2, 2), w, MB_RAW);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    return mb_node_add(m, "Conv", "conv", MB_NAMES("X", "W"), MB_NAMES("Y"));
}

/* Y = MaxPool(X) with X float [1,1,4,4] and a 2x2 kernel. */
static mb_node *maxpool_node(void **state)
{
    mb_model *m = mb_case_model(state, 13);
    mb_node *n;

    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(1, 1, 4, 4));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    n = mb_node_add(m, "MaxPool", "pool", MB_NAMES("X"), MB_NAMES("Y"));
    mb_attr_ints(n, "kernel_shape", MB_I64S(2, 2));
    return n;
}

/* Y = Reshape(X, shape) with X float [2,3,4] and `shape` an int64
 * initializer of `count` values. */
static void reshape_model(void **state, int count, const int64_t *shape)
{
    mb_model *m = mb_case_model(state, 14);
    const int64_t shape_dims[1] = {count};

    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(2, 3, 4));
    mb_initializer(m, "shape", ONNXMINI_INT64, 1, shape_dims, shape, MB_RAW);
    mb_node_add(m, "Reshape", "reshape", MB_NAMES("X", "shape"),
                MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
}

/* ===================================================================== */
/* File and format                                                        */
/* ===================================================================== */

/* A file of zero bytes is a parse error naming the file. */
static void test_errors_file_empty(void **state)
{
    char *path = temp_file(state, "empty.onnx", "", 0);
    onnxmini_error error;
    onnxmini_status status;

    status = onnxmini_model_load_file(path, &resources.model, &error);
    assert_error(status, ONNXMINI_ERR_PARSE, error.message,
                 MB_NAMES(path, "empty"));
}

/* A valid model cut one byte short is a parse error naming the file and
 * the byte count. */
static void test_errors_file_truncated(void **state)
{
    mb_model *m = relu_model(state, 13);
    size_t size = 0;
    uint8_t *bytes = mb_model_pack(m, &size);
    Onnxmini__Pb__ModelProto *proto;
    char count[32], *path;
    onnxmini_error error;
    onnxmini_status status;

    /* The premise: protobuf-c itself rejects the cut bytes. */
    proto = onnxmini__pb__model_proto__unpack(NULL, size - 1, bytes);
    onnxmini__pb__model_proto__free_unpacked(proto, NULL);
    path = temp_file(state, "truncated.onnx", bytes, size - 1);
    free(bytes);
    assert_null(proto);

    snprintf(count, sizeof count, "%zu bytes", size - 1);
    status = onnxmini_model_load_file(path, &resources.model, &error);
    assert_error(status, ONNXMINI_ERR_PARSE, error.message,
                 MB_NAMES(path, count));
}

/* A text file is a parse error naming the file. */
static void test_errors_file_not_protobuf(void **state)
{
    static const char text[] = "this is not an ONNX model\n";
    char *path = temp_file(state, "text.onnx", text, sizeof text - 1);
    onnxmini_error error;
    onnxmini_status status;

    status = onnxmini_model_load_file(path, &resources.model, &error);
    assert_error(status, ONNXMINI_ERR_PARSE, error.message,
                 MB_NAMES(path, "not a valid ONNX model"));
}

/* A path that does not exist is an I/O error naming it. */
static void test_errors_file_missing(void **state)
{
    char *path = temp_path(state, "missing.onnx");
    onnxmini_error error;
    onnxmini_status status;

    status = onnxmini_model_load_file(path, &resources.model, &error);
    assert_error(status, ONNXMINI_ERR_IO, error.message, MB_NAMES(path));
}

/* A directory opens on POSIX systems but cannot be read: an I/O error
 * naming it. */
static void test_errors_file_directory(void **state)
{
    char *path = temp_subdir(state, "folder.onnx");
    onnxmini_error error;
    onnxmini_status status;

    status = onnxmini_model_load_file(path, &resources.model, &error);
    assert_error(status, ONNXMINI_ERR_IO, error.message, MB_NAMES(path));
}

/* A ModelProto without a graph is an invalid model. */
static void test_errors_model_without_graph(void **state)
{
    mb_model *m = relu_model(state, 13);
    Onnxmini__Pb__ModelProto *proto = mb_model_proto(m);

    proto->graph = NULL;
    assert_run_error(state, NULL, MB_STEP_LOAD, ONNXMINI_ERR_INVALID_MODEL,
                     MB_NAMES("graph"));
    /* The builder owns the graph; the link is restored so that freeing the
     * model frees it. */
    proto->graph = mb_graph_proto(m);
}

/* ===================================================================== */
/* Graph structure                                                        */
/* ===================================================================== */

/* A node input that nothing defines names the node and the tensor. */
static void test_errors_undefined_tensor(void **state)
{
    mb_model *m = mb_case_model(state, 13);

    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(2));
    mb_node_add(m, "Add", "adder", MB_NAMES("X", "Missing"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_DIMS(2));
    assert_run_error(state, NULL, MB_STEP_LOAD, ONNXMINI_ERR_INVALID_MODEL,
                     MB_NAMES("adder", "Missing"));
}

/* A graph output that no node produces names the output. */
static void test_errors_output_not_produced(void **state)
{
    mb_model *m = relu_model(state, 13);

    mb_output(m, "Nowhere", ONNXMINI_FLOAT, MB_DIMS(2, 2));
    assert_run_error(state, NULL, MB_STEP_LOAD, ONNXMINI_ERR_INVALID_MODEL,
                     MB_NAMES("Nowhere"));
}

/* A cycle (A = Relu(B), B = Relu(A)) names the nodes on it. */
static void test_errors_cycle(void **state)
{
    mb_model *m = mb_case_model(state, 13);

    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(2));
    mb_node_add(m, "Relu", "loop_a", MB_NAMES("B"), MB_NAMES("A"));
    mb_node_add(m, "Relu", "loop_b", MB_NAMES("A"), MB_NAMES("B"));
    mb_node_add(m, "Add", "sum", MB_NAMES("X", "A"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_DIMS(2));
    assert_run_error(state, NULL, MB_STEP_LOAD, ONNXMINI_ERR_INVALID_MODEL,
                     MB_NAMES("loop_a", "loop_b"));
}

/* Two nodes writing one tensor break single assignment; the message names
 * both nodes and the tensor. */
static void test_errors_two_writers(void **state)
{
    mb_model *m = mb_case_model(state, 13);

    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(2));
    mb_node_add(m, "Relu", "writer_1", MB_NAMES("X"), MB_NAMES("Twice"));
    mb_node_add(m, "Relu", "writer_2", MB_NAMES("X"), MB_NAMES("Twice"));
    mb_node_add(m, "Relu", "reader", MB_NAMES("Twice"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_DIMS(2));
    assert_run_error(state, NULL, MB_STEP_LOAD, ONNXMINI_ERR_INVALID_MODEL,
                     MB_NAMES("writer_1", "writer_2", "Twice"));
}

/* A node output that is also a graph input names the node and the
 * tensor. */
static void test_errors_output_is_graph_input(void **state)
{
    mb_model *m = mb_case_model(state, 13);

    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(2));
    mb_input(m, "Z", ONNXMINI_FLOAT, MB_DIMS(2));
    mb_node_add(m, "Relu", "overwrite", MB_NAMES("Z"), MB_NAMES("X"));
    mb_node_add(m, "Relu", "relu", MB_NAMES("X"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_DIMS(2));
    assert_run_error(state, NULL, MB_STEP_LOAD, ONNXMINI_ERR_INVALID_MODEL,
                     MB_NAMES("overwrite", "'X'", "graph input"));
}

/* ===================================================================== */
/* Tensors                                                                */
/* ===================================================================== */

/* raw_data of 12 bytes for a float [2,2] (16 bytes) names the initializer
 * and both lengths. */
static void test_errors_raw_data_short(void **state)
{
    static const float w[4] = {1.0f, 2.0f, 3.0f, 4.0f};
    mb_model *m = mb_case_model(state, 13);

    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(2, 2));
    mb_initializer_raw(m, "W", ONNXMINI_FLOAT, MB_DIMS(2, 2), w, 12);
    mb_node_add(m, "Add", "add", MB_NAMES("X", "W"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_DIMS(2, 2));
    assert_run_error(state, NULL, MB_STEP_LOAD, ONNXMINI_ERR_INVALID_MODEL,
                     MB_NAMES("'W'", "raw_data", "12", "16"));
}

/* raw_data of 20 bytes for a float [2,2] names the initializer and both
 * lengths. */
static void test_errors_raw_data_long(void **state)
{
    static const float w[5] = {1.0f, 2.0f, 3.0f, 4.0f, 5.0f};
    mb_model *m = mb_case_model(state, 13);

    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(2, 2));
    mb_initializer_raw(m, "W", ONNXMINI_FLOAT, MB_DIMS(2, 2), w, 20);
    mb_node_add(m, "Add", "add", MB_NAMES("X", "W"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_DIMS(2, 2));
    assert_run_error(state, NULL, MB_STEP_LOAD, ONNXMINI_ERR_INVALID_MODEL,
                     MB_NAMES("'W'", "raw_data", "20", "16"));
}

/* float_data with 3 values for a float [2,2] names the initializer, the
 * field and both counts. */
static void test_errors_float_data_count(void **state)
{
    static const float w[4] = {1.0f, 2.0f, 3.0f, 4.0f};
    mb_model *m = mb_case_model(state, 13);
    Onnxmini__Pb__TensorProto *tensor;

    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(2, 2));
    tensor = mb_initializer(m, "W", ONNXMINI_FLOAT, MB_DIMS(2, 2), w,
                            MB_TYPED);
    assert_int_equal(tensor->n_float_data, 4);
    tensor->n_float_data = 3;
    mb_node_add(m, "Add", "add", MB_NAMES("X", "W"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_DIMS(2, 2));
    assert_run_error(state, NULL, MB_STEP_LOAD, ONNXMINI_ERR_INVALID_MODEL,
                     MB_NAMES("'W'", "float_data", "3", "4"));
}

/* A negative initializer dimension names the initializer and the value. */
static void test_errors_initializer_negative_dim(void **state)
{
    Onnxmini__Pb__TensorProto *weight;

    add_weight_model(state, &weight);
    weight->dims[1] = -2;
    assert_run_error(state, NULL, MB_STEP_LOAD, ONNXMINI_ERR_INVALID_MODEL,
                     MB_NAMES("'W'", "-2"));
}

/* Dimensions whose product overflows int64 (2^32 * 2^32) are a limit error
 * naming the initializer and the shape, found before anything is
 * allocated. */
static void test_errors_initializer_dims_overflow(void **state)
{
    Onnxmini__Pb__TensorProto *weight;

    add_weight_model(state, &weight);
    weight->dims[0] = INT64_C(1) << 32;
    weight->dims[1] = INT64_C(1) << 32;
    assert_run_error(state, NULL, MB_STEP_LOAD, ONNXMINI_ERR_LIMIT,
                     MB_NAMES("'W'", "4294967296"));
}

/* An initializer of rank 9 is above the rank limit of 8. */
static void test_errors_initializer_rank_9(void **state)
{
    static const float w[1] = {1.0f};
    mb_model *m = mb_case_model(state, 13);

    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(1));
    mb_initializer(m, "W", ONNXMINI_FLOAT, MB_DIMS(1, 1, 1, 1, 1, 1, 1, 1, 1),
                   w, MB_RAW);
    mb_node_add(m, "Add", "add", MB_NAMES("X", "W"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    assert_run_error(state, NULL, MB_STEP_LOAD, ONNXMINI_ERR_LIMIT,
                     MB_NAMES("'W'", "rank 9", "8"));
}

/* A graph input declared with rank 9 is above the same limit. */
static void test_errors_input_rank_9(void **state)
{
    mb_model *m = mb_case_model(state, 13);

    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(1, 1, 1, 1, 1, 1, 1, 1, 1));
    mb_node_add(m, "Relu", "relu", MB_NAMES("X"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    assert_run_error(state, NULL, MB_STEP_LOAD, ONNXMINI_ERR_LIMIT,
                     MB_NAMES("'X'", "rank 9", "8"));
}

/* A graph input declared with dim_value -3 names the input, the value and
 * the axis. */
static void test_errors_input_negative_dim(void **state)
{
    mb_model *m = relu_model(state, 13);
    Onnxmini__Pb__ValueInfoProto *input = mb_graph_proto(m)->input[0];

    input->type->tensor_type->shape->dim[0]->dim_value = -3;
    assert_run_error(state, NULL, MB_STEP_LOAD, ONNXMINI_ERR_INVALID_MODEL,
                     MB_NAMES("'X'", "-3", "axis 0"));
}

/* A data_type outside TensorProto.DataType (99) names the initializer and
 * the number. */
static void test_errors_initializer_unknown_dtype(void **state)
{
    Onnxmini__Pb__TensorProto *weight;

    add_weight_model(state, &weight);
    weight->data_type = 99;
    assert_run_error(state, NULL, MB_STEP_LOAD, ONNXMINI_ERR_UNSUPPORTED,
                     MB_NAMES("'W'", "99"));
}

/* A string initializer is not supported; the message names it. */
static void test_errors_initializer_strings(void **state)
{
    Onnxmini__Pb__TensorProto *weight;

    add_weight_model(state, &weight);
    weight->data_type = ONNXMINI_STRING;
    assert_run_error(state, NULL, MB_STEP_LOAD, ONNXMINI_ERR_UNSUPPORTED,
                     MB_NAMES("'W'", "string"));
}

/* ===================================================================== */
/* Attributes                                                             */
/* ===================================================================== */

/* Conv strides given as a FLOAT instead of INTS names the node, the
 * attribute and both kinds. */
static void test_errors_attribute_wrong_kind(void **state)
{
    mb_node *n = conv_node(state);

    mb_attr_float(n, "strides", 1.0f);
    assert_run_error(state, NULL, MB_STEP_LOAD, ONNXMINI_ERR_INVALID_MODEL,
                     MB_NAMES("'conv'", "strides", "FLOAT", "INTS"));
}

/* A negative stride names the node, the attribute and the value. */
static void test_errors_attribute_negative_stride(void **state)
{
    mb_node *n = conv_node(state);

    mb_attr_ints(n, "strides", MB_I64S(1, -1));
    assert_run_error(state, NULL, MB_STEP_LOAD, ONNXMINI_ERR_INVALID_MODEL,
                     MB_NAMES("'conv'", "strides", "-1"));
}

/* group 0 names the node, the attribute and the value. */
static void test_errors_attribute_group_zero(void **state)
{
    mb_node *n = conv_node(state);

    mb_attr_int(n, "group", 0);
    assert_run_error(state, NULL, MB_STEP_LOAD, ONNXMINI_ERR_INVALID_MODEL,
                     MB_NAMES("'conv'", "group", "0"));
}

/* MaxPool storage_order 5 (only 0 and 1 exist). */
static void test_errors_attribute_storage_order(void **state)
{
    mb_node *n = maxpool_node(state);

    mb_attr_int(n, "storage_order", 5);
    assert_run_error(state, NULL, MB_STEP_LOAD, ONNXMINI_ERR_INVALID_MODEL,
                     MB_NAMES("'pool'", "storage_order", "5"));
}

/* MaxPool ceil_mode 2 (only 0 and 1 exist). */
static void test_errors_attribute_ceil_mode(void **state)
{
    mb_node *n = maxpool_node(state);

    mb_attr_int(n, "ceil_mode", 2);
    assert_run_error(state, NULL, MB_STEP_LOAD, ONNXMINI_ERR_INVALID_MODEL,
                     MB_NAMES("'pool'", "ceil_mode", "2"));
}

/* auto_pad "WRONG" names the node, the attribute and the value. */
static void test_errors_attribute_auto_pad(void **state)
{
    mb_node *n = conv_node(state);

    mb_attr_string(n, "auto_pad", "WRONG");
    assert_run_error(state, NULL, MB_STEP_LOAD, ONNXMINI_ERR_INVALID_MODEL,
                     MB_NAMES("'conv'", "auto_pad", "WRONG"));
}

/* pads with 3 values for a 2-D Conv (which needs 4) names the node, the
 * attribute and both counts. The count depends on X's rank, so it is
 * found when the session plans. */
static void test_errors_attribute_pads_length(void **state)
{
    mb_node *n = conv_node(state);

    mb_attr_ints(n, "pads", MB_I64S(0, 0, 0));
    assert_run_error(state, NULL, MB_STEP_SESSION, ONNXMINI_ERR_INVALID_MODEL,
                     MB_NAMES("'conv'", "pads", "3", "4"));
}

/* An attribute the operator does not define names the node and the
 * attribute. */
static void test_errors_attribute_unknown(void **state)
{
    mb_node *n = conv_node(state);

    mb_attr_int(n, "stride", 2);
    assert_run_error(state, NULL, MB_STEP_LOAD, ONNXMINI_ERR_INVALID_MODEL,
                     MB_NAMES("'conv'", "'stride'"));
}

/* An attribute whose type field is 99, outside AttributeProto's
 * AttributeType, names the attribute and the number. */
static void test_errors_attribute_unknown_type(void **state)
{
    mb_node *n = conv_node(state);
    Onnxmini__Pb__AttributeProto *group = mb_attr_int(n, "group", 1);

    group->type = 99;
    assert_run_error(state, NULL, MB_STEP_LOAD, ONNXMINI_ERR_INVALID_MODEL,
                     MB_NAMES("'conv'", "group", "99"));
}

/* MaxPool without its required kernel_shape names the node and the
 * attribute. */
static void test_errors_attribute_missing(void **state)
{
    mb_model *m = mb_case_model(state, 13);

    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(1, 1, 4, 4));
    mb_node_add(m, "MaxPool", "pool", MB_NAMES("X"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    assert_run_error(state, NULL, MB_STEP_LOAD, ONNXMINI_ERR_INVALID_MODEL,
                     MB_NAMES("'pool'", "kernel_shape", "missing"));
}

/* An attribute given twice names the node and the attribute. */
static void test_errors_attribute_twice(void **state)
{
    mb_node *n = conv_node(state);

    mb_attr_int(n, "group", 1);
    mb_attr_int(n, "group", 1);
    assert_run_error(state, NULL, MB_STEP_LOAD, ONNXMINI_ERR_INVALID_MODEL,
                     MB_NAMES("'conv'", "group", "twice"));
}

/* A Conv with only one input names the node, the count and the range. */
static void test_errors_input_count(void **state)
{
    mb_model *m = mb_case_model(state, 13);

    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(1, 1, 4, 4));
    mb_node_add(m, "Conv", "conv", MB_NAMES("X"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    assert_run_error(state, NULL, MB_STEP_LOAD, ONNXMINI_ERR_INVALID_MODEL,
                     MB_NAMES("'conv'", "1 inputs", "2 to 3"));
}

/* ===================================================================== */
/* Shapes and types                                                       */
/* ===================================================================== */

/* Conv weights of rank 3 for an input of rank 4 name the node, W and both
 * ranks. */
static void test_errors_conv_weight_rank(void **state)
{
    static const float w[4] = {1.0f, 0.0f, 0.0f, 1.0f};
    mb_model *m = mb_case_model(state, 13);

    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(1, 1, 4, 4));
    mb_initializer(m, "W", ONNXMINI_FLOAT, MB_DIMS(1, 1, 4), w, MB_RAW);
    mb_node_add(m, "Conv", "conv", MB_NAMES("X", "W"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    assert_run_error(state, NULL, MB_STEP_SESSION, ONNXMINI_ERR_SHAPE,
                     MB_NAMES("'conv'", "W", "rank 3", "4"));
}

/* X with 3 channels against W [2,2,2,2] and group 1 names the node, both
 * shapes and the group. */
static void test_errors_conv_channels(void **state)
{
    float w[16] = {0};
    mb_model *m = mb_case_model(state, 13);

    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(1, 3, 4, 4));
    mb_initializer(m, "W", ONNXMINI_FLOAT, MB_DIMS(2, 2, 2, 2), w, MB_RAW);
    mb_node_add(m, "Conv", "conv", MB_NAMES("X", "W"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    assert_run_error(state, NULL, MB_STEP_SESSION, ONNXMINI_ERR_SHAPE,
                     MB_NAMES("'conv'", "[1,3,4,4]", "[2,2,2,2]", "group 1"));
}

/* A bias of 3 values for 2 output channels names the node, B, its shape
 * and the shape it needs. */
static void test_errors_conv_bias_length(void **state)
{
    static const float w[8] = {0};
    static const float b[3] = {0};
    mb_model *m = mb_case_model(state, 13);

    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(1, 1, 4, 4));
    mb_initializer(m, "W", ONNXMINI_FLOAT, MB_DIMS(2, 1, 2, 2), w, MB_RAW);
    mb_initializer(m, "B", ONNXMINI_FLOAT, MB_DIMS(3), b, MB_RAW);
    mb_node_add(m, "Conv", "conv", MB_NAMES("X", "W", "B"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    assert_run_error(state, NULL, MB_STEP_SESSION, ONNXMINI_ERR_SHAPE,
                     MB_NAMES("'conv'", "B", "[3]", "[2]"));
}

/* Conv of a float X with a double W names the node and both types. */
static void test_errors_conv_mixed_types(void **state)
{
    static const double w[4] = {1.0, 0.0, 0.0, 1.0};
    mb_model *m = mb_case_model(state, 13);

    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(1, 1, 4, 4));
    mb_initializer(m, "W", ONNXMINI_DOUBLE, MB_DIMS(1, 1, 2, 2), w, MB_RAW);
    mb_node_add(m, "Conv", "conv", MB_NAMES("X", "W"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    assert_run_error(state, NULL, MB_STEP_SESSION, ONNXMINI_ERR_SHAPE,
                     MB_NAMES("'conv'", "float", "double"));
}

/* A 3x3 kernel over a 2x2 input without padding leaves no output; the
 * message names the node, the axis and both sizes. */
static void test_errors_conv_kernel_too_large(void **state)
{
    static const float w[9] = {0};
    mb_model *m = mb_case_model(state, 13);

    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(1, 1, 2, 2));
    mb_initializer(m, "W", ONNXMINI_FLOAT, MB_DIMS(1, 1, 3, 3), w, MB_RAW);
    mb_node_add(m, "Conv", "conv", MB_NAMES("X", "W"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    assert_run_error(state, NULL, MB_STEP_SESSION, ONNXMINI_ERR_SHAPE,
                     MB_NAMES("'conv'", "axis 0", "2", "3"));
}

/* Conv of X [1,0,4,4] with W [1,0,2,2] and a bias of 0.5: each output is
 * an empty sum plus the bias. The library may compute that, or reject
 * the shape with a message naming the node, but must not crash or return
 * other values.
 * Float and double Conv both give the bias, 0.5. */
static void test_errors_conv_zero_channels(void **state)
{
    static const float b[1] = {0.5f};
    static const float expected[9] = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f,
                                      0.5f, 0.5f, 0.5f, 0.5f};
    mb_model *m = mb_case_model(state, 13);
    const mb_result *r;

    mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(1, 0, 4, 4), NULL);
    mb_initializer(m, "W", ONNXMINI_FLOAT, MB_DIMS(1, 0, 2, 2), NULL, MB_RAW);
    mb_initializer(m, "B", ONNXMINI_FLOAT, MB_DIMS(1), b, MB_RAW);
    mb_node_add(m, "Conv", "conv", MB_NAMES("X", "W", "B"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    r = mb_case_run(state);
    if (getenv("ONNXMINI_PRINT_MESSAGES") != NULL)
        print_message("%s: %s\n", status_name(r->status), r->message);
    if (r->status == ONNXMINI_OK) {
        mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 1, 3, 3),
                         expected, 0.0);
        return;
    }
    assert_int_equal(r->step, MB_STEP_SESSION);
    assert_true(message_names(r->message, MB_NAMES("'conv'")));
}

/* A Reshape target with two -1 names the node and the target. */
static void test_errors_reshape_two_minus_one(void **state)
{
    static const int64_t shape[2] = {-1, -1};

    reshape_model(state, 2, shape);
    assert_run_error(state, NULL, MB_STEP_SESSION, ONNXMINI_ERR_SHAPE,
                     MB_NAMES("'reshape'", "[-1,-1]"));
}

/* A Reshape target of 25 elements for 24 names the node, both shapes and
 * both counts. */
static void test_errors_reshape_count(void **state)
{
    static const int64_t shape[2] = {5, 5};

    reshape_model(state, 2, shape);
    assert_run_error(state, NULL, MB_STEP_SESSION, ONNXMINI_ERR_SHAPE,
                     MB_NAMES("'reshape'", "[2,3,4]", "24", "[5,5]", "25"));
}

/* MatMul of [2,3] and [4,5] names the node, both shapes and the inner
 * sizes. */
static void test_errors_matmul_inner(void **state)
{
    mb_model *m = mb_case_model(state, 13);

    mb_input(m, "A", ONNXMINI_FLOAT, MB_DIMS(2, 3));
    mb_input(m, "B", ONNXMINI_FLOAT, MB_DIMS(4, 5));
    mb_node_add(m, "MatMul", "matmul", MB_NAMES("A", "B"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    assert_run_error(state, NULL, MB_STEP_SESSION, ONNXMINI_ERR_SHAPE,
                     MB_NAMES("'matmul'", "[2,3]", "[4,5]"));
}

/* Add of [2,3] and [4] names the node and both shapes. */
static void test_errors_add_broadcast(void **state)
{
    mb_model *m = mb_case_model(state, 13);

    mb_input(m, "A", ONNXMINI_FLOAT, MB_DIMS(2, 3));
    mb_input(m, "B", ONNXMINI_FLOAT, MB_DIMS(4));
    mb_node_add(m, "Add", "add", MB_NAMES("A", "B"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    assert_run_error(state, NULL, MB_STEP_SESSION, ONNXMINI_ERR_SHAPE,
                     MB_NAMES("'add'", "[2,3]", "[4]"));
}

/* Add of float and int32 names the node and both types. */
static void test_errors_add_mixed_types(void **state)
{
    mb_model *m = mb_case_model(state, 13);

    mb_input(m, "A", ONNXMINI_FLOAT, MB_DIMS(2));
    mb_input(m, "B", ONNXMINI_INT32, MB_DIMS(2));
    mb_node_add(m, "Add", "add", MB_NAMES("A", "B"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    assert_run_error(state, NULL, MB_STEP_SESSION, ONNXMINI_ERR_SHAPE,
                     MB_NAMES("'add'", "float", "int32"));
}

/* Relu of int32 at opset 13: the type exists in Relu only from opset 14,
 * so the model is invalid, and the message names both versions. */
static void test_errors_dtype_not_in_opset(void **state)
{
    mb_model *m = mb_case_model(state, 13);

    mb_input(m, "X", ONNXMINI_INT32, MB_DIMS(2));
    mb_node_add(m, "Relu", "relu", MB_NAMES("X"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_INT32, MB_DIMS(2));
    assert_run_error(state, NULL, MB_STEP_SESSION, ONNXMINI_ERR_INVALID_MODEL,
                     MB_NAMES("'relu'", "int32", "14", "13"));
}

/* A graph output declared int32 where Relu produces float names the
 * output, the node and both types. */
static void test_errors_output_dtype_declared(void **state)
{
    mb_model *m = mb_case_model(state, 13);

    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(2));
    mb_node_add(m, "Relu", "relu", MB_NAMES("X"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_INT32, MB_DIMS(2));
    assert_run_error(state, NULL, MB_STEP_SESSION, ONNXMINI_ERR_INVALID_MODEL,
                     MB_NAMES("'Y'", "'relu'", "int32", "float"));
}

/* ===================================================================== */
/* Operators and opsets                                                   */
/* ===================================================================== */

/* An op_type no opset defines names the operator and the node. */
static void test_errors_unsupported_operator(void **state)
{
    mb_model *m = mb_case_model(state, 13);

    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(2));
    mb_node_add(m, "FooBar", "foo", MB_NAMES("X"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_DIMS(2));
    assert_run_error(state, NULL, MB_STEP_LOAD, ONNXMINI_ERR_UNSUPPORTED,
                     MB_NAMES("'foo'", "FooBar", "13"));
}

/* A node of a domain the library does not implement names the domain and
 * its version. */
static void test_errors_unsupported_domain(void **state)
{
    mb_model *m = mb_case_model(state, 13);
    mb_node *n;

    mb_opset(m, "com.example", 42);
    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(2));
    n = mb_node_add(m, "Relu", "custom", MB_NAMES("X"), MB_NAMES("Y"));
    mb_node_domain(n, "com.example");
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_DIMS(2));
    assert_run_error(state, NULL, MB_STEP_LOAD, ONNXMINI_ERR_UNSUPPORTED,
                     MB_NAMES("'custom'", "com.example", "42"));
}

/* Default-domain opset 99 is newer than any opset the library implements. */
static void test_errors_opset_too_new(void **state)
{
    mb_model *m = mb_case_model_ir(state, 8);

    mb_opset(m, "", 99);
    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(2));
    mb_node_add(m, "Relu", "relu", MB_NAMES("X"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_DIMS(2));
    assert_run_error(state, NULL, MB_STEP_LOAD, ONNXMINI_ERR_UNSUPPORTED,
                     MB_NAMES("'relu'", "99"));
}

/* Every operator the library implements exists since opset 1, so the only
 * opset older than an operator is version 0, which ONNX does not define:
 * the message names the node and the version. */
static void test_errors_opset_too_old(void **state)
{
    mb_model *m = mb_case_model_ir(state, 3);

    mb_opset(m, "", 0);
    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(2));
    mb_node_add(m, "Relu", "relu", MB_NAMES("X"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_DIMS(2));
    assert_run_error(state, NULL, MB_STEP_LOAD, ONNXMINI_ERR_INVALID_MODEL,
                     MB_NAMES("'relu'", "version 0"));
}

/* A model that imports only another domain has no opset for its Relu. */
static void test_errors_missing_default_opset(void **state)
{
    mb_model *m = mb_case_model_ir(state, 7);

    mb_opset(m, "com.example", 1);
    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(2));
    mb_node_add(m, "Relu", "relu", MB_NAMES("X"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_DIMS(2));
    assert_run_error(state, NULL, MB_STEP_LOAD, ONNXMINI_ERR_INVALID_MODEL,
                     MB_NAMES("'relu'", "ai.onnx"));
}

/* ===================================================================== */
/* Inputs and API use                                                     */
/* ===================================================================== */

/* A graph input without elem_type names the input. */
static void test_errors_input_no_dtype(void **state)
{
    mb_model *m = mb_case_model(state, 13);

    mb_input(m, "X", ONNXMINI_UNDEFINED, MB_DIMS(2));
    mb_node_add(m, "Relu", "relu", MB_NAMES("X"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_DIMS(2));
    assert_run_error(state, NULL, MB_STEP_LOAD, ONNXMINI_ERR_INVALID_MODEL,
                     MB_NAMES("'X'", "element type"));
}

/* A graph input whose TypeProto has no tensor_type names the input. In a
 * full ONNX schema such an input is a sequence, map or optional. The
 * project's onnx.proto reads only tensor_type, so the test clears it. */
static void test_errors_input_not_tensor(void **state)
{
    mb_model *m = relu_model(state, 13);
    Onnxmini__Pb__GraphProto *graph = mb_graph_proto(m);
    Onnxmini__Pb__TypeProto *type = graph->input[0]->type;

    assert_non_null(type);
    type->value_case = ONNXMINI__PB__TYPE_PROTO__VALUE__NOT_SET;
    assert_run_error(state, NULL, MB_STEP_LOAD, ONNXMINI_ERR_UNSUPPORTED,
                     MB_NAMES("'X'", "not a tensor"));
    /* The builder frees the tensor type through the union it set. */
    type->value_case = ONNXMINI__PB__TYPE_PROTO__VALUE_TENSOR_TYPE;
}

/* int32 data for a float input names the input and both types. */
static void test_errors_input_wrong_dtype(void **state)
{
    static const int32_t x[4] = {1, 2, 3, 4};
    static const int64_t dims[2] = {2, 2};
    onnxmini_session *session = open_session(relu_model(state, 13));
    onnxmini_status status;

    status = onnxmini_session_set_input(session, "X", ONNXMINI_INT32, dims, 2,
                                        x, sizeof x);
    assert_error(status, ONNXMINI_ERR_SHAPE, onnxmini_session_message(session),
                 MB_NAMES("'X'", "int32", "float"));
}

/* Data of rank 3 for an input declared [2,2] names the input and both
 * ranks. */
static void test_errors_input_wrong_rank(void **state)
{
    static const float x[4] = {1.0f, 2.0f, 3.0f, 4.0f};
    static const int64_t dims[3] = {1, 2, 2};
    onnxmini_session *session = open_session(relu_model(state, 13));
    onnxmini_status status;

    status = onnxmini_session_set_input(session, "X", ONNXMINI_FLOAT, dims, 3,
                                        x, sizeof x);
    assert_error(status, ONNXMINI_ERR_SHAPE, onnxmini_session_message(session),
                 MB_NAMES("'X'", "rank 3", "rank 2"));
}

/* Data of shape [2,3] for an input declared [2,2] names the input, both
 * shapes and the axis. */
static void test_errors_input_wrong_dim(void **state)
{
    static const float x[6] = {0};
    static const int64_t dims[2] = {2, 3};
    onnxmini_session *session = open_session(relu_model(state, 13));
    onnxmini_status status;

    status = onnxmini_session_set_input(session, "X", ONNXMINI_FLOAT, dims, 2,
                                        x, sizeof x);
    assert_error(status, ONNXMINI_ERR_SHAPE, onnxmini_session_message(session),
                 MB_NAMES("'X'", "[2,3]", "[2,2]", "axis 1"));
}

/* 12 bytes for a float [2,2] input (16 bytes) names the input and both
 * counts. */
static void test_errors_input_wrong_bytes(void **state)
{
    static const float x[4] = {1.0f, 2.0f, 3.0f, 4.0f};
    static const int64_t dims[2] = {2, 2};
    onnxmini_session *session = open_session(relu_model(state, 13));
    onnxmini_status status;

    status = onnxmini_session_set_input(session, "X", ONNXMINI_FLOAT, dims, 2,
                                        x, 12);
    assert_error(status, ONNXMINI_ERR_SHAPE, onnxmini_session_message(session),
                 MB_NAMES("'X'", "12", "16"));
}

/* Inputs A and B share the symbolic dimension N: A is set with N = 2, then
 * B with N = 3. The run fails with a message naming both inputs, the
 * dimension and both sizes. */
static void test_errors_symbolic_dim_conflict(void **state)
{
    static const char *const names[2] = {"N", NULL};
    static const int64_t declared[2] = {MB_DIM_UNKNOWN, 2};
    static const int64_t dims_a[2] = {2, 2};
    static const int64_t dims_b[2] = {3, 2};
    static const float data[6] = {0};
    mb_model *m = mb_case_model(state, 13);
    onnxmini_session *session;
    onnxmini_status status;

    mb_input_symbolic(m, "A", ONNXMINI_FLOAT, 2, declared, names);
    mb_input_symbolic(m, "B", ONNXMINI_FLOAT, 2, declared, names);
    mb_node_add(m, "Add", "add", MB_NAMES("A", "B"), MB_NAMES("Y"));
    mb_output_symbolic(m, "Y", ONNXMINI_FLOAT, 2, declared, names);
    session = open_session(m);

    assert_int_equal(onnxmini_session_set_input(session, "A", ONNXMINI_FLOAT,
                                                dims_a, 2, data,
                                                4 * sizeof(float)),
                     ONNXMINI_OK);
    /* Each set_input is valid on its own; the conflict shows when both are
     * needed. */
    assert_int_equal(onnxmini_session_set_input(session, "B", ONNXMINI_FLOAT,
                                                dims_b, 2, data, sizeof data),
                     ONNXMINI_OK);
    status = onnxmini_session_run(session);
    assert_error(status, ONNXMINI_ERR_STATE, onnxmini_session_message(session),
                 MB_NAMES("'A'", "'B'", "N", "2", "3"));
}

/* An input declared [N,N] fed [2,3] would give N two sizes at once:
 * set_input rejects it, naming the input, the dimension and both sizes. */
static void test_errors_symbolic_dim_within_input(void **state)
{
    static const char *const names[2] = {"N", "N"};
    static const int64_t declared[2] = {MB_DIM_UNKNOWN, MB_DIM_UNKNOWN};
    static const int64_t dims[2] = {2, 3};
    static const float data[6] = {0};
    mb_model *m = mb_case_model(state, 13);
    onnxmini_session *session;
    onnxmini_status status;

    mb_input_symbolic(m, "X", ONNXMINI_FLOAT, 2, declared, names);
    mb_node_add(m, "Relu", "relu", MB_NAMES("X"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    session = open_session(m);

    status = onnxmini_session_set_input(session, "X", ONNXMINI_FLOAT, dims, 2,
                                        data, sizeof data);
    assert_error(status, ONNXMINI_ERR_SHAPE, onnxmini_session_message(session),
                 MB_NAMES("'X'", "N", "2", "3"));
}

/* A name the model has no input for is not found, named in the message. */
static void test_errors_input_unknown_name(void **state)
{
    static const float x[4] = {0};
    static const int64_t dims[2] = {2, 2};
    onnxmini_session *session = open_session(relu_model(state, 13));
    onnxmini_status status;

    status = onnxmini_session_set_input(session, "NoSuchInput",
                                        ONNXMINI_FLOAT, dims, 2, x, sizeof x);
    assert_error(status, ONNXMINI_ERR_NOT_FOUND,
                 onnxmini_session_message(session), MB_NAMES("NoSuchInput"));
}

/* Running before an input is set is a state error naming the input. */
static void test_errors_run_before_input(void **state)
{
    onnxmini_session *session = open_session(relu_model(state, 13));
    onnxmini_status status;

    status = onnxmini_session_run(session);
    assert_error(status, ONNXMINI_ERR_STATE, onnxmini_session_message(session),
                 MB_NAMES("'X'"));
}

/* Reading an output before a run is a state error naming the output. */
static void test_errors_output_before_run(void **state)
{
    onnxmini_session *session = open_session(relu_model(state, 13));
    onnxmini_tensor tensor;
    onnxmini_status status;

    status = onnxmini_session_output(session, 0, &tensor);
    assert_error(status, ONNXMINI_ERR_STATE, onnxmini_session_message(session),
                 MB_NAMES("'Y'"));
}

/* An output name the model does not have is not found, named in the
 * message. */
static void test_errors_output_unknown_name(void **state)
{
    onnxmini_session *session = open_session(relu_model(state, 13));
    onnxmini_tensor tensor;
    onnxmini_status status;

    status = onnxmini_session_output_by_name(session, "NoSuchOutput",
                                             &tensor);
    assert_error(status, ONNXMINI_ERR_NOT_FOUND,
                 onnxmini_session_message(session), MB_NAMES("NoSuchOutput"));
}

/* An output index past the end names the index and the output count. */
static void test_errors_output_index(void **state)
{
    onnxmini_session *session = open_session(relu_model(state, 13));
    onnxmini_tensor tensor;
    onnxmini_status status;

    status = onnxmini_session_output(session, 5, &tensor);
    assert_error(status, ONNXMINI_ERR_NOT_FOUND,
                 onnxmini_session_message(session),
                 MB_NAMES("index 5", "has 1"));
}

/* A copy buffer one byte too small names both sizes. */
static void test_errors_copy_buffer_small(void **state)
{
    static const float x[4] = {-1.0f, 2.0f, -3.0f, 4.0f};
    static const int64_t dims[2] = {2, 2};
    onnxmini_session *session = open_session(relu_model(state, 13));
    float y[4];
    size_t bytes = 0;
    onnxmini_status status;

    assert_int_equal(onnxmini_session_set_input(session, "X", ONNXMINI_FLOAT,
                                                dims, 2, x, sizeof x),
                     ONNXMINI_OK);
    assert_int_equal(onnxmini_session_run(session), ONNXMINI_OK);
    status = onnxmini_session_copy_output(session, 0, y, sizeof y - 1, &bytes);
    assert_error(status, ONNXMINI_ERR_INVALID_ARGUMENT,
                 onnxmini_session_message(session), MB_NAMES("16", "15"));
    assert_int_equal(bytes, sizeof y);
}

/* ===================================================================== */
/* External data                                                          */
/* ===================================================================== */

/* The 16 bytes of a float [2,2] tensor: 1, 2, 3, 4. */
static const float external_values[4] = {1.0f, 2.0f, 3.0f, 4.0f};

/* Appends a key/value entry to a tensor's external_data. */
static void add_external_entry(mb_model *m, Onnxmini__Pb__TensorProto *tensor,
                               const char *key, const char *value)
{
    static const Onnxmini__Pb__StringStringEntryProto init =
        ONNXMINI__PB__STRING_STRING_ENTRY_PROTO__INIT;
    Onnxmini__Pb__StringStringEntryProto **entries = mb_alloc(
        m, (tensor->n_external_data + 1) * sizeof *entries);
    Onnxmini__Pb__StringStringEntryProto *entry = mb_alloc(m, sizeof *entry);

    *entry = init;
    entry->key = mb_strdup(m, key);
    entry->value = mb_strdup(m, value);
    for (size_t i = 0; i < tensor->n_external_data; i++)
        entries[i] = tensor->external_data[i];
    entries[tensor->n_external_data++] = entry;
    tensor->external_data = entries;
}

/* Builds Y = X + W, where W (float [2,2], 16 bytes) is stored in external
 * data at `location`, and `offset` bytes into it unless offset is NULL. */
static mb_model *external_model(void **state, const char *location,
                                const char *offset)
{
    Onnxmini__Pb__TensorProto *weight;
    mb_model *m = add_weight_model(state, &weight);

    weight->has_raw_data = 0;
    weight->raw_data.len = 0;
    weight->raw_data.data = NULL;
    weight->has_data_location = 1;
    weight->data_location = ONNXMINI__PB__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
    add_external_entry(m, weight, "location", location);
    if (offset != NULL)
        add_external_entry(m, weight, "offset", offset);
    return m;
}

/* Writes the model built by external_model() to "<temp dir>/<name>" and
 * loads it from there, returning the status and filling *error. */
static onnxmini_status load_external(void **state, const char *name,
                                     const char *location, const char *offset,
                                     onnxmini_error *error)
{
    mb_model *m = external_model(state, location, offset);
    char *path = temp_model_file(state, m, name);

    onnxmini_model_free(resources.model);
    resources.model = NULL;
    return onnxmini_model_load_file(path, &resources.model, error);
}

/* An absolute location is rejected, even for a file that exists. The same
 * file given by its relative name loads, which shows that the location is
 * the only fault. */
static void test_errors_external_absolute(void **state)
{
    char *weights = temp_file(state, "weights.bin", external_values,
                              sizeof external_values);
    onnxmini_error error;
    onnxmini_status status;

    assert_int_equal(load_external(state, "relative.onnx", "weights.bin",
                                   NULL, &error),
                     ONNXMINI_OK);
    status = load_external(state, "absolute.onnx", weights, NULL, &error);
    assert_error(status, ONNXMINI_ERR_INVALID_MODEL, error.message,
                 MB_NAMES("'W'", weights, "absolute"));
}

/* A location with a ".." component is rejected, even when the file it
 * names exists. */
static void test_errors_external_dot_dot(void **state)
{
    onnxmini_error error;
    onnxmini_status status;

    temp_subdir(state, "model");
    temp_file(state, "weights.bin", external_values, sizeof external_values);
    status = load_external(state, "model/model.onnx", "../weights.bin", NULL,
                           &error);
    assert_error(status, ONNXMINI_ERR_INVALID_MODEL, error.message,
                 MB_NAMES("'W'", "../weights.bin", ".."));
}

/* A symbolic link inside the model's folder that points outside it is
 * rejected, naming the location and where it resolves to. */
static void test_errors_external_symlink_outside(void **state)
{
    char *link;
    onnxmini_error error;
    onnxmini_status status;

    temp_subdir(state, "model");
    temp_subdir(state, "outside");
    temp_file(state, "outside/weights.bin", external_values,
              sizeof external_values);
    link = temp_path(state, "model/link.bin");
    if (symlink("../outside/weights.bin", link) != 0)
        fail_msg("cannot create the symbolic link %s: %s", link,
                 strerror(errno));
    status = load_external(state, "model/model.onnx", "link.bin", NULL,
                           &error);
    assert_error(status, ONNXMINI_ERR_INVALID_MODEL, error.message,
                 MB_NAMES("'W'", "link.bin", "outside/weights.bin",
                          "outside the model's folder"));
}

/* A location whose file does not exist is an I/O error naming it. */
static void test_errors_external_missing(void **state)
{
    onnxmini_error error;
    onnxmini_status status;

    status = load_external(state, "model.onnx", "missing.bin", NULL, &error);
    assert_error(status, ONNXMINI_ERR_IO, error.message,
                 MB_NAMES("'W'", "missing.bin"));
}

/* A 16-byte file read at offset 8 holds only 8 of the 16 bytes needed. The
 * message names the file, its size, the offset and the length. */
static void test_errors_external_short(void **state)
{
    onnxmini_error error;
    onnxmini_status status;

    temp_file(state, "weights.bin", external_values, sizeof external_values);
    status = load_external(state, "model.onnx", "weights.bin", "8", &error);
    assert_error(status, ONNXMINI_ERR_INVALID_MODEL, error.message,
                 MB_NAMES("'W'", "weights.bin", "16 bytes", "offset 8"));
}

/* A location that is a directory is not a regular file. */
static void test_errors_external_directory(void **state)
{
    onnxmini_error error;
    onnxmini_status status;

    temp_subdir(state, "weights.bin");
    status = load_external(state, "model.onnx", "weights.bin", NULL, &error);
    assert_error(status, ONNXMINI_ERR_INVALID_MODEL, error.message,
                 MB_NAMES("'W'", "weights.bin", "not a regular file"));
}

/* A location that is a FIFO is not a regular file, and is rejected without
 * opening it (which would block until a writer came). */
static void test_errors_external_fifo(void **state)
{
    char *fifo = temp_path(state, "weights.fifo");
    onnxmini_error error;
    onnxmini_status status;

    if (mkfifo(fifo, 0600) != 0)
        fail_msg("mkfifo %s failed: %s", fifo, strerror(errno));
    status = load_external(state, "model.onnx", "weights.fifo", NULL, &error);
    assert_error(status, ONNXMINI_ERR_INVALID_MODEL, error.message,
                 MB_NAMES("'W'", "weights.fifo", "not a regular file"));
}

/* A "length" key that disagrees with the tensor's 16 bytes names the
 * initializer and both lengths. */
static void test_errors_external_length(void **state)
{
    mb_model *m = external_model(state, "weights.bin", NULL);
    Onnxmini__Pb__TensorProto *weight = mb_graph_proto(m)->initializer[0];
    char *path;
    onnxmini_error error;
    onnxmini_status status;

    temp_file(state, "weights.bin", external_values, sizeof external_values);
    add_external_entry(m, weight, "length", "8");
    path = temp_model_file(state, m, "model.onnx");
    status = onnxmini_model_load_file(path, &resources.model, &error);
    assert_error(status, ONNXMINI_ERR_INVALID_MODEL, error.message,
                 MB_NAMES("'W'", "length", "8", "16"));
}

/* An "offset" that is not a decimal byte count names the initializer, the
 * key and the value. */
static void test_errors_external_offset_text(void **state)
{
    onnxmini_error error;
    onnxmini_status status;

    temp_file(state, "weights.bin", external_values, sizeof external_values);
    status = load_external(state, "model.onnx", "weights.bin", "-8", &error);
    assert_error(status, ONNXMINI_ERR_INVALID_MODEL, error.message,
                 MB_NAMES("'W'", "offset", "-8"));
}

/* A model loaded from memory has no folder to read external data from. */
static void test_errors_external_from_memory(void **state)
{
    external_model(state, "weights.bin", NULL);
    assert_run_error(state, NULL, MB_STEP_LOAD, ONNXMINI_ERR_UNSUPPORTED,
                     MB_NAMES("'W'", "weights.bin", "folder"));
}

/* ===================================================================== */
/* Serialized tensors                                                     */
/* ===================================================================== */

/* Writes a TensorProto to "<temp dir>/<name>" and returns the path. */
static char *temp_tensor_file(void **state,
                              const Onnxmini__Pb__TensorProto *tensor,
                              const char *name)
{
    size_t size = onnxmini__pb__tensor_proto__get_packed_size(tensor);
    uint8_t *bytes = mb_case_alloc(state, size > 0 ? size : 1);

    onnxmini__pb__tensor_proto__pack(tensor, bytes);
    return temp_file(state, name, bytes, size);
}

/* A .pb tensor whose raw_data is 12 bytes for a float [2,2] names the
 * file, the tensor and both lengths. */
static void test_errors_tensor_file_raw_data(void **state)
{
    mb_model *m = mb_case_model(state, 13);
    Onnxmini__Pb__TensorProto *tensor = mb_tensor_proto(
        m, "input_0", ONNXMINI_FLOAT, MB_DIMS(2, 2), external_values, MB_RAW);
    onnxmini_tensor_proto *decoded = NULL;
    char *path;
    onnxmini_error error;
    onnxmini_status status;

    tensor->raw_data.len = 12;
    path = temp_tensor_file(state, tensor, "input_0.pb");
    status = onnxmini_tensor_proto_load_file(path, &decoded, &error);
    onnxmini_tensor_proto_free(decoded);
    assert_error(status, ONNXMINI_ERR_INVALID_MODEL, error.message,
                 MB_NAMES(path, "'input_0'", "12", "16"));
}

/* A .pb tensor with external data cannot be read: there is no model
 * folder to resolve it against. */
static void test_errors_tensor_file_external(void **state)
{
    mb_model *m = external_model(state, "weights.bin", NULL);
    Onnxmini__Pb__TensorProto *tensor = mb_graph_proto(m)->initializer[0];
    onnxmini_tensor_proto *decoded = NULL;
    char *path;
    onnxmini_error error;
    onnxmini_status status;

    temp_file(state, "weights.bin", external_values, sizeof external_values);
    path = temp_tensor_file(state, tensor, "input_0.pb");
    status = onnxmini_tensor_proto_load_file(path, &decoded, &error);
    onnxmini_tensor_proto_free(decoded);
    assert_error(status, ONNXMINI_ERR_UNSUPPORTED, error.message,
                 MB_NAMES(path, "'W'", "weights.bin"));
}

/* ===================================================================== */
/* Limits                                                                 */
/* ===================================================================== */

/* Packs the test's model and loads it from memory with `options`. */
static onnxmini_status load_with(mb_model *m,
                                 const onnxmini_load_options *options,
                                 onnxmini_error *error)
{
    size_t size = 0;
    uint8_t *bytes = mb_model_pack(m, &size);
    onnxmini_status status = onnxmini_model_load_memory_with(
        bytes, size, options, &resources.model, error);

    free(bytes);
    return status;
}

/* A 16-byte initializer over max_initializer_bytes 8 names the tensor, its
 * size and the limit. */
static void test_errors_load_max_initializer_bytes(void **state)
{
    Onnxmini__Pb__TensorProto *weight;
    mb_model *m = add_weight_model(state, &weight);
    onnxmini_load_options options;
    onnxmini_error error;
    onnxmini_status status;

    onnxmini_load_options_init(&options);
    options.max_initializer_bytes = 8;
    status = load_with(m, &options, &error);
    assert_error(status, ONNXMINI_ERR_LIMIT, error.message,
                 MB_NAMES("'W'", "16 bytes", "8 bytes"));
}

/* A 4-element initializer over max_tensor_elements 3 names the tensor, its
 * count and the limit. */
static void test_errors_load_max_tensor_elements(void **state)
{
    Onnxmini__Pb__TensorProto *weight;
    mb_model *m = add_weight_model(state, &weight);
    onnxmini_load_options options;
    onnxmini_error error;
    onnxmini_status status;

    onnxmini_load_options_init(&options);
    options.max_tensor_elements = 3;
    status = load_with(m, &options, &error);
    assert_error(status, ONNXMINI_ERR_LIMIT, error.message,
                 MB_NAMES("'W'", "4 elements", "3"));
}

/* Load options whose struct_size is 0 (not initialised) are an invalid
 * argument naming the field. */
static void test_errors_load_options_uninitialised(void **state)
{
    Onnxmini__Pb__TensorProto *weight;
    mb_model *m = add_weight_model(state, &weight);
    onnxmini_load_options options;
    onnxmini_error error;
    onnxmini_status status;

    memset(&options, 0, sizeof options);
    status = load_with(m, &options, &error);
    assert_error(status, ONNXMINI_ERR_INVALID_ARGUMENT, error.message,
                 MB_NAMES("struct_size", "0"));
}

/* X [1024] -> Relu 'first' -> A -> Relu 'second' -> Y, so that the arena
 * holds computed float tensors of 4 KiB. */
static void two_relu_model(void **state)
{
    mb_model *m = mb_case_model(state, 13);

    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(1024));
    mb_node_add(m, "Relu", "first", MB_NAMES("X"), MB_NAMES("A"));
    mb_node_add(m, "Relu", "second", MB_NAMES("A"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_DIMS(1024));
}

/* A plan over max_arena_bytes names the size needed and the limit. */
static void test_errors_session_max_arena_bytes(void **state)
{
    onnxmini_session_options options;

    two_relu_model(state);
    onnxmini_session_options_init(&options);
    options.max_arena_bytes = 1000;
    assert_run_error(state, &options, MB_STEP_SESSION, ONNXMINI_ERR_LIMIT,
                     MB_NAMES("arena", "1000"));
}

/* A computed tensor over max_tensor_elements names the node, the output,
 * its count and the limit. */
static void test_errors_session_max_tensor_elements(void **state)
{
    onnxmini_session_options options;

    two_relu_model(state);
    onnxmini_session_options_init(&options);
    options.max_tensor_elements = 1000;
    assert_run_error(state, &options, MB_STEP_SESSION, ONNXMINI_ERR_LIMIT,
                     MB_NAMES("'first'", "'A'", "1024", "1000"));
}

/* A caller arena of 64 bytes for a plan that needs more names both
 * sizes. */
static void test_errors_arena_too_small(void **state)
{
    static _Alignas(64) unsigned char arena[128];
    onnxmini_session_options options;

    two_relu_model(state);
    onnxmini_session_options_init(&options);
    options.arena = arena;
    options.arena_bytes = 64;
    assert_run_error(state, &options, MB_STEP_SESSION,
                     ONNXMINI_ERR_OUT_OF_MEMORY, MB_NAMES("arena", "has 64"));
}

/* A caller arena that is not 64-byte aligned is an invalid argument. */
static void test_errors_arena_unaligned(void **state)
{
    static _Alignas(64) unsigned char arena[16384 + 64];
    onnxmini_session_options options;

    two_relu_model(state);
    onnxmini_session_options_init(&options);
    options.arena = arena + 1;
    options.arena_bytes = 16384;
    assert_run_error(state, &options, MB_STEP_SESSION,
                     ONNXMINI_ERR_INVALID_ARGUMENT,
                     MB_NAMES("arena", "64-byte aligned"));
}

/* Session options whose struct_size is 0 are an invalid argument naming
 * the field. */
static void test_errors_session_options_uninitialised(void **state)
{
    onnxmini_session_options options;

    relu_model(state, 13);
    memset(&options, 0, sizeof options);
    assert_run_error(state, &options, MB_STEP_SESSION,
                     ONNXMINI_ERR_INVALID_ARGUMENT,
                     MB_NAMES("struct_size", "0"));
}

/* A negative thread count names the option and the value. */
static void test_errors_session_threads_negative(void **state)
{
    onnxmini_session_options options;

    relu_model(state, 13);
    onnxmini_session_options_init(&options);
    options.threads = -1;
    assert_run_error(state, &options, MB_STEP_SESSION,
                     ONNXMINI_ERR_INVALID_ARGUMENT,
                     MB_NAMES("threads", "-1"));
}

/* A thread count above ONNXMINI_MAX_THREADS names the value and the
 * limit, before any thread starts. */
static void test_errors_session_threads_too_many(void **state)
{
    onnxmini_session_options options;

    relu_model(state, 13);
    onnxmini_session_options_init(&options);
    options.threads = ONNXMINI_MAX_THREADS + 1;
    assert_run_error(state, &options, MB_STEP_SESSION,
                     ONNXMINI_ERR_INVALID_ARGUMENT,
                     MB_NAMES("threads", "1025", "0 to 1024"));
}

/* An instruction set the library does not have is named in the message. */
static void test_errors_session_unknown_isa(void **state)
{
    onnxmini_session_options options;

    relu_model(state, 13);
    onnxmini_session_options_init(&options);
    options.isa = "no-such-isa";
    assert_run_error(state, &options, MB_STEP_SESSION,
                     ONNXMINI_ERR_UNSUPPORTED, MB_NAMES("no-such-isa"));
}

/* ===================================================================== */
/* NULL arguments                                                         */
/* ===================================================================== */

/* A NULL path names the argument. */
static void test_errors_null_path(void **state)
{
    onnxmini_error error;
    onnxmini_status status;

    (void)state;
    status = onnxmini_model_load_file(NULL, &resources.model, &error);
    assert_error(status, ONNXMINI_ERR_INVALID_ARGUMENT, error.message,
                 MB_NAMES("path", "NULL"));
}

/* A NULL buffer names the argument. */
static void test_errors_null_data(void **state)
{
    onnxmini_error error;
    onnxmini_status status;

    (void)state;
    status = onnxmini_model_load_memory(NULL, 16, &resources.model, &error);
    assert_error(status, ONNXMINI_ERR_INVALID_ARGUMENT, error.message,
                 MB_NAMES("data", "NULL"));
}

/* A NULL model out-parameter names the argument. */
static void test_errors_null_model_out(void **state)
{
    char *path = temp_file(state, "model.onnx", "", 0);
    onnxmini_error error;
    onnxmini_status status;

    status = onnxmini_model_load_file(path, NULL, &error);
    assert_error(status, ONNXMINI_ERR_INVALID_ARGUMENT, error.message,
                 MB_NAMES("model", "NULL"));
}

/* session_create with a NULL model names the argument. */
static void test_errors_null_model(void **state)
{
    onnxmini_error error;
    onnxmini_status status;

    (void)state;
    status = onnxmini_session_create(NULL, NULL, &resources.session, &error);
    assert_error(status, ONNXMINI_ERR_INVALID_ARGUMENT, error.message,
                 MB_NAMES("model", "NULL"));
}

/* session_create with a NULL session out-parameter names the argument. */
static void test_errors_null_session_out(void **state)
{
    mb_model *m = relu_model(state, 13);
    onnxmini_error error;
    onnxmini_status status;

    assert_int_equal(mb_model_load(m, &resources.model, &error), ONNXMINI_OK);
    status = onnxmini_session_create(resources.model, NULL, NULL, &error);
    assert_error(status, ONNXMINI_ERR_INVALID_ARGUMENT, error.message,
                 MB_NAMES("session", "NULL"));
}

/* set_input with a NULL name names the argument. */
static void test_errors_null_input_name(void **state)
{
    static const float x[4] = {0};
    static const int64_t dims[2] = {2, 2};
    onnxmini_session *session = open_session(relu_model(state, 13));
    onnxmini_status status;

    status = onnxmini_session_set_input(session, NULL, ONNXMINI_FLOAT, dims, 2,
                                        x, sizeof x);
    assert_error(status, ONNXMINI_ERR_INVALID_ARGUMENT,
                 onnxmini_session_message(session), MB_NAMES("name", "NULL"));
}

/* set_input with NULL data and a non-zero byte count names the input. */
static void test_errors_null_input_data(void **state)
{
    static const int64_t dims[2] = {2, 2};
    onnxmini_session *session = open_session(relu_model(state, 13));
    onnxmini_status status;

    status = onnxmini_session_set_input(session, "X", ONNXMINI_FLOAT, dims, 2,
                                        NULL, 16);
    assert_error(status, ONNXMINI_ERR_INVALID_ARGUMENT,
                 onnxmini_session_message(session),
                 MB_NAMES("'X'", "data", "NULL"));
}

/* set_input with NULL dims for rank 2 names the input and the rank. */
static void test_errors_null_input_dims(void **state)
{
    static const float x[4] = {0};
    onnxmini_session *session = open_session(relu_model(state, 13));
    onnxmini_status status;

    status = onnxmini_session_set_input(session, "X", ONNXMINI_FLOAT, NULL, 2,
                                        x, sizeof x);
    assert_error(status, ONNXMINI_ERR_INVALID_ARGUMENT,
                 onnxmini_session_message(session),
                 MB_NAMES("'X'", "dims", "NULL", "2"));
}

/* output with a NULL tensor out-parameter names the argument. */
static void test_errors_null_output_tensor(void **state)
{
    onnxmini_session *session = open_session(relu_model(state, 13));
    onnxmini_status status;

    status = onnxmini_session_output(session, 0, NULL);
    assert_error(status, ONNXMINI_ERR_INVALID_ARGUMENT,
                 onnxmini_session_message(session),
                 MB_NAMES("tensor", "NULL"));
}

/* A NULL session has nowhere to keep a message, so the status alone reports
 * it. onnxmini_session_message(NULL) returns a message naming the NULL
 * session. */
static void test_errors_null_session(void **state)
{
    onnxmini_status status;

    (void)state;
    status = onnxmini_session_run(NULL);
    assert_error(status, ONNXMINI_ERR_INVALID_ARGUMENT,
                 onnxmini_session_message(NULL), MB_NAMES("session", "NULL"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* File and format. */
        ERRORS_TEST(test_errors_file_empty),
        ERRORS_TEST(test_errors_file_truncated),
        ERRORS_TEST(test_errors_file_not_protobuf),
        ERRORS_TEST(test_errors_file_missing),
        ERRORS_TEST(test_errors_file_directory),
        ERRORS_TEST(test_errors_model_without_graph),
        /* Graph structure. */
        ERRORS_TEST(test_errors_undefined_tensor),
        ERRORS_TEST(test_errors_output_not_produced),
        ERRORS_TEST(test_errors_cycle),
        ERRORS_TEST(test_errors_two_writers),
        ERRORS_TEST(test_errors_output_is_graph_input),
        /* Tensors. */
        ERRORS_TEST(test_errors_raw_data_short),
        ERRORS_TEST(test_errors_raw_data_long),
        ERRORS_TEST(test_errors_float_data_count),
        ERRORS_TEST(test_errors_initializer_negative_dim),
        ERRORS_TEST(test_errors_initializer_dims_overflow),
        ERRORS_TEST(test_errors_initializer_rank_9),
        ERRORS_TEST(test_errors_input_rank_9),
        ERRORS_TEST(test_errors_input_negative_dim),
        ERRORS_TEST(test_errors_initializer_unknown_dtype),
        ERRORS_TEST(test_errors_initializer_strings),
        /* Attributes. */
        ERRORS_TEST(test_errors_attribute_wrong_kind),
        ERRORS_TEST(test_errors_attribute_negative_stride),
        ERRORS_TEST(test_errors_attribute_group_zero),
        ERRORS_TEST(test_errors_attribute_storage_order),
        ERRORS_TEST(test_errors_attribute_ceil_mode),
        ERRORS_TEST(test_errors_attribute_auto_pad),
        ERRORS_TEST(test_errors_attribute_pads_length),
        ERRORS_TEST(test_errors_attribute_unknown),
        ERRORS_TEST(test_errors_attribute_unknown_type),
        ERRORS_TEST(test_errors_attribute_missing),
        ERRORS_TEST(test_errors_attribute_twice),
        ERRORS_TEST(test_errors_input_count),
        /* Shapes and types. */
        ERRORS_TEST(test_errors_conv_weight_rank),
        ERRORS_TEST(test_errors_conv_channels),
        ERRORS_TEST(test_errors_conv_bias_length),
        ERRORS_TEST(test_errors_conv_mixed_types),
        ERRORS_TEST(test_errors_conv_kernel_too_large),
        ERRORS_TEST(test_errors_conv_zero_channels),
        ERRORS_TEST(test_errors_reshape_two_minus_one),
        ERRORS_TEST(test_errors_reshape_count),
        ERRORS_TEST(test_errors_matmul_inner),
        ERRORS_TEST(test_errors_add_broadcast),
        ERRORS_TEST(test_errors_add_mixed_types),
        ERRORS_TEST(test_errors_dtype_not_in_opset),
        ERRORS_TEST(test_errors_output_dtype_declared),
        /* Operators and opsets. */
        ERRORS_TEST(test_errors_unsupported_operator),
        ERRORS_TEST(test_errors_unsupported_domain),
        ERRORS_TEST(test_errors_opset_too_new),
        ERRORS_TEST(test_errors_opset_too_old),
        ERRORS_TEST(test_errors_missing_default_opset),
        /* Inputs and API use. */
        ERRORS_TEST(test_errors_input_no_dtype),
        ERRORS_TEST(test_errors_input_not_tensor),
        ERRORS_TEST(test_errors_input_wrong_dtype),
        ERRORS_TEST(test_errors_input_wrong_rank),
        ERRORS_TEST(test_errors_input_wrong_dim),
        ERRORS_TEST(test_errors_input_wrong_bytes),
        ERRORS_TEST(test_errors_symbolic_dim_conflict),
        ERRORS_TEST(test_errors_symbolic_dim_within_input),
        ERRORS_TEST(test_errors_input_unknown_name),
        ERRORS_TEST(test_errors_run_before_input),
        ERRORS_TEST(test_errors_output_before_run),
        ERRORS_TEST(test_errors_output_unknown_name),
        ERRORS_TEST(test_errors_output_index),
        ERRORS_TEST(test_errors_copy_buffer_small),
        /* External data. */
        ERRORS_TEST(test_errors_external_absolute),
        ERRORS_TEST(test_errors_external_dot_dot),
        ERRORS_TEST(test_errors_external_symlink_outside),
        ERRORS_TEST(test_errors_external_missing),
        ERRORS_TEST(test_errors_external_short),
        ERRORS_TEST(test_errors_external_directory),
        ERRORS_TEST(test_errors_external_fifo),
        ERRORS_TEST(test_errors_external_length),
        ERRORS_TEST(test_errors_external_offset_text),
        ERRORS_TEST(test_errors_external_from_memory),
        /* Serialized tensors. */
        ERRORS_TEST(test_errors_tensor_file_raw_data),
        ERRORS_TEST(test_errors_tensor_file_external),
        /* Limits. */
        ERRORS_TEST(test_errors_load_max_initializer_bytes),
        ERRORS_TEST(test_errors_load_max_tensor_elements),
        ERRORS_TEST(test_errors_load_options_uninitialised),
        ERRORS_TEST(test_errors_session_max_arena_bytes),
        ERRORS_TEST(test_errors_session_max_tensor_elements),
        ERRORS_TEST(test_errors_arena_too_small),
        ERRORS_TEST(test_errors_arena_unaligned),
        ERRORS_TEST(test_errors_session_options_uninitialised),
        ERRORS_TEST(test_errors_session_threads_negative),
        ERRORS_TEST(test_errors_session_threads_too_many),
        ERRORS_TEST(test_errors_session_unknown_isa),
        /* NULL arguments. */
        ERRORS_TEST(test_errors_null_path),
        ERRORS_TEST(test_errors_null_data),
        ERRORS_TEST(test_errors_null_model_out),
        ERRORS_TEST(test_errors_null_model),
        ERRORS_TEST(test_errors_null_session_out),
        ERRORS_TEST(test_errors_null_input_name),
        ERRORS_TEST(test_errors_null_input_data),
        ERRORS_TEST(test_errors_null_input_dims),
        ERRORS_TEST(test_errors_null_output_tensor),
        ERRORS_TEST(test_errors_null_session),
    };

    return cmocka_run_group_tests_name("errors", tests, NULL, NULL);
}
