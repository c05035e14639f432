/*
 * test_api.c - behaviour of the public API, including misuse: NULL
 * arguments, calls in the wrong order, inputs that do not match the model,
 * damaged model bytes.
 *
 * Most tests use mnist-12.onnx from the data directory (see test_data.h):
 * one input "Input3", float [1,1,28,28], one output "Plus214_Output_0",
 * float [1,10]. Models with a symbolic dimension are built in memory with
 * the model builder.
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
#include "onnx.pb-c.h"
#include "onnxmini.h"
#include "test_data.h"

#define IMAGE_PIXELS (28 * 28)
#define IMAGE_BYTES (IMAGE_PIXELS * sizeof(float))
#define CLASSES 10
#define OUTPUT_BYTES (CLASSES * sizeof(float))

static const char *const input_name = "Input3";
static const char *const output_name = "Plus214_Output_0";
static const int64_t image_dims[4] = {1, 1, 28, 28};

/* Fails the test unless `message` contains `text`: messages must name the
 * input, node or value they are about, in the library's own words. */
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

/* A model from the data directory and one session on it. */
typedef struct fixture {
    onnxmini_model *model;
    onnxmini_session *session;
    float image[IMAGE_PIXELS];
} fixture;

static onnxmini_model *load_data_model(const char *file)
{
    char *path = testdata_require_path(file);
    onnxmini_model *model = NULL;
    onnxmini_error error;
    onnxmini_status status = onnxmini_model_load_file(path, &model, &error);

    if (status != ONNXMINI_OK)
        fail_msg("loading %s failed with status %d: %s", path, (int)status,
                 error.message);
    free(path);
    assert_non_null(model);
    return model;
}

/* A test image with pixels spread over 0..1, so that every logit depends on
 * it. */
static void fill_image(float *image, unsigned seed)
{
    for (size_t i = 0; i < IMAGE_PIXELS; i++)
        image[i] = (float)((i * 37u + seed * 101u) % 256u) / 255.0f;
}

static void fixture_open_with(fixture *f, const char *file,
                              const onnxmini_session_options *options)
{
    onnxmini_error error;
    onnxmini_status status;

    f->model = load_data_model(file);
    f->session = NULL;
    status = onnxmini_session_create(f->model, options, &f->session, &error);
    if (status != ONNXMINI_OK)
        fail_msg("session on %s failed with status %d: %s", file, (int)status,
                 error.message);
    assert_non_null(f->session);
    fill_image(f->image, 1);
}

static void fixture_open(fixture *f)
{
    fixture_open_with(f, "mnist-12.onnx", NULL);
}

static void fixture_close(fixture *f)
{
    onnxmini_session_destroy(f->session);
    onnxmini_model_free(f->model);
    f->session = NULL;
    f->model = NULL;
}

/* Sets the fixture's image, runs and fails the test on any error. */
static void fixture_run(fixture *f)
{
    onnxmini_status status;

    status = onnxmini_session_set_input(f->session, input_name,
                                        ONNXMINI_FLOAT, image_dims, 4,
                                        f->image, IMAGE_BYTES);
    if (status != ONNXMINI_OK)
        fail_msg("set_input failed with status %d: %s", (int)status,
                 onnxmini_session_message(f->session));
    status = onnxmini_session_run(f->session);
    if (status != ONNXMINI_OK)
        fail_msg("run failed with status %d: %s", (int)status,
                 onnxmini_session_message(f->session));
}

/* Runs and copies the 10 logits out. */
static void fixture_logits(fixture *f, float logits[CLASSES])
{
    size_t bytes = 0;

    fixture_run(f);
    assert_int_equal(onnxmini_session_copy_output(f->session, 0, logits,
                                                  OUTPUT_BYTES, &bytes),
                     ONNXMINI_OK);
    assert_int_equal(bytes, OUTPUT_BYTES);
}

/* ------------------------------------------------------------- version */

/* The header's version macros describe the linked library. */
static void test_version_matches_macros(void **state)
{
    char expected[32];

    (void)state;
    assert_non_null(onnxmini_version());
    assert_string_equal(onnxmini_version(), ONNXMINI_VERSION_STRING);
    assert_int_equal(onnxmini_version_number(), ONNXMINI_VERSION_NUMBER);

    snprintf(expected, sizeof expected, "%d.%d.%d", ONNXMINI_VERSION_MAJOR,
             ONNXMINI_VERSION_MINOR, ONNXMINI_VERSION_PATCH);
    assert_string_equal(onnxmini_version(), expected);
    assert_int_equal(onnxmini_version_number(),
                     ONNXMINI_VERSION_MAJOR * 10000 +
                         ONNXMINI_VERSION_MINOR * 100 +
                         ONNXMINI_VERSION_PATCH);
}

/* ----------------------------------------------------- status and dtype */

/* Every status code has its own non-empty description. */
static void test_status_string_distinct(void **state)
{
    const int last = ONNXMINI_ERR_LIMIT;

    (void)state;
    for (int a = 0; a <= last; a++) {
        const char *text = onnxmini_status_string((onnxmini_status)a);

        assert_non_null(text);
        if (text[0] == '\0')
            fail_msg("status %d has an empty description", a);
        for (int b = 0; b < a; b++) {
            if (strcmp(text, onnxmini_status_string((onnxmini_status)b)) == 0)
                fail_msg("statuses %d and %d share the description \"%s\"",
                         b, a, text);
        }
    }
}

/* A value outside the enumeration still gets a string, never NULL. */
static void test_status_string_unknown_code(void **state)
{
    (void)state;
    assert_non_null(onnxmini_status_string((onnxmini_status)1000));
    assert_non_null(onnxmini_status_string((onnxmini_status)-1));
}

typedef struct dtype_case {
    onnxmini_dtype dtype;
    const char *name;   /* the TensorProto.DataType name in lower case */
    size_t size;
} dtype_case;

static const dtype_case dtype_cases[] = {
    {ONNXMINI_FLOAT, "float", 4},         {ONNXMINI_UINT8, "uint8", 1},
    {ONNXMINI_INT8, "int8", 1},           {ONNXMINI_UINT16, "uint16", 2},
    {ONNXMINI_INT16, "int16", 2},         {ONNXMINI_INT32, "int32", 4},
    {ONNXMINI_INT64, "int64", 8},         {ONNXMINI_STRING, "string", 0},
    {ONNXMINI_BOOL, "bool", 1},           {ONNXMINI_FLOAT16, "float16", 2},
    {ONNXMINI_DOUBLE, "double", 8},       {ONNXMINI_UINT32, "uint32", 4},
    {ONNXMINI_UINT64, "uint64", 8},       {ONNXMINI_COMPLEX64, "complex64", 8},
    {ONNXMINI_COMPLEX128, "complex128", 16},
    {ONNXMINI_BFLOAT16, "bfloat16", 2},
};

/* Element types are named as in ONNX. */
static void test_dtype_names(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof dtype_cases / sizeof dtype_cases[0]; i++) {
        const char *name = onnxmini_dtype_name(dtype_cases[i].dtype);

        assert_non_null(name);
        if (strcmp(name, dtype_cases[i].name) != 0)
            fail_msg("dtype %d is named \"%s\", expected \"%s\"",
                     (int)dtype_cases[i].dtype, name, dtype_cases[i].name);
    }
    assert_non_null(onnxmini_dtype_name(ONNXMINI_UNDEFINED));
}

/* Element sizes follow the types; string has no fixed size. */
static void test_dtype_sizes(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof dtype_cases / sizeof dtype_cases[0]; i++) {
        size_t size = onnxmini_dtype_size(dtype_cases[i].dtype);

        if (size != dtype_cases[i].size)
            fail_msg("dtype %s has size %zu, expected %zu",
                     dtype_cases[i].name, size, dtype_cases[i].size);
    }
    assert_int_equal(onnxmini_dtype_size(ONNXMINI_UNDEFINED), 0);
}

/* Values outside the enumeration are "unknown" with size 0. */
static void test_dtype_unknown_value(void **state)
{
    (void)state;
    assert_string_equal(onnxmini_dtype_name((onnxmini_dtype)17), "unknown");
    assert_string_equal(onnxmini_dtype_name((onnxmini_dtype)999), "unknown");
    assert_string_equal(onnxmini_dtype_name((onnxmini_dtype)-1), "unknown");
    assert_int_equal(onnxmini_dtype_size((onnxmini_dtype)17), 0);
    assert_int_equal(onnxmini_dtype_size((onnxmini_dtype)-1), 0);
}

/* ------------------------------------------------------------- loading */

/* Checks a failed load: the status is returned and stored, the model
 * pointer is NULL and the message is not empty. */
static void check_load_failed(onnxmini_status status, onnxmini_status expected,
                              const onnxmini_model *model,
                              const onnxmini_error *error)
{
    assert_int_equal(status, expected);
    assert_int_equal(error->status, status);
    assert_null(model);
    assert_true(error->message[0] != '\0');
}

/* The sentinel that a failed load must overwrite with NULL. */
static onnxmini_model *not_null_model(void)
{
    static char sentinel;

    return (onnxmini_model *)(void *)&sentinel;
}

/* A NULL path is an invalid argument. */
static void test_load_file_null_path(void **state)
{
    onnxmini_model *model = not_null_model();
    onnxmini_error error;
    onnxmini_status status;

    (void)state;
    status = onnxmini_model_load_file(NULL, &model, &error);
    check_load_failed(status, ONNXMINI_ERR_INVALID_ARGUMENT, model, &error);
}

/* A NULL model out-pointer is an invalid argument, even for a good file. */
static void test_load_file_null_out(void **state)
{
    char *path = testdata_require_path("mnist-12.onnx");
    onnxmini_error error;
    onnxmini_status status;

    (void)state;
    status = onnxmini_model_load_file(path, NULL, &error);
    free(path);
    assert_int_equal(status, ONNXMINI_ERR_INVALID_ARGUMENT);
    assert_int_equal(error.status, status);
    assert_true(error.message[0] != '\0');
}

/* A file that does not exist is an I/O error whose message names it. */
static void test_load_file_missing(void **state)
{
    const char *path = "/nonexistent-onnxmini-dir/missing-model.onnx";
    onnxmini_model *model = not_null_model();
    onnxmini_error error;
    onnxmini_status status;

    (void)state;
    status = onnxmini_model_load_file(path, &model, &error);
    check_load_failed(status, ONNXMINI_ERR_IO, model, &error);
    assert_contains(error.message, path);
}

/* A directory opens on POSIX systems but cannot be read as a file. */
static void test_load_file_directory(void **state)
{
    onnxmini_model *model = not_null_model();
    onnxmini_error error;
    onnxmini_status status;

    (void)state;
    status = onnxmini_model_load_file("/", &model, &error);
    check_load_failed(status, ONNXMINI_ERR_IO, model, &error);
}

/* The error out-parameter may be NULL; the status is still returned. */
static void test_load_file_null_error(void **state)
{
    onnxmini_model *model = not_null_model();
    onnxmini_status status;

    (void)state;
    status = onnxmini_model_load_file("/nonexistent-onnxmini-dir/x.onnx",
                                      &model, NULL);
    assert_int_equal(status, ONNXMINI_ERR_IO);
    assert_null(model);
    status = onnxmini_model_load_file(NULL, &model, NULL);
    assert_int_equal(status, ONNXMINI_ERR_INVALID_ARGUMENT);
}

/* A NULL buffer is an invalid argument whatever the size. */
static void test_load_memory_null_data(void **state)
{
    onnxmini_model *model = not_null_model();
    onnxmini_error error;
    onnxmini_status status;

    (void)state;
    status = onnxmini_model_load_memory(NULL, 100, &model, &error);
    check_load_failed(status, ONNXMINI_ERR_INVALID_ARGUMENT, model, &error);

    model = not_null_model();
    status = onnxmini_model_load_memory(NULL, 0, &model, &error);
    assert_int_not_equal(status, ONNXMINI_OK);
    assert_null(model);
}

/* A NULL model out-pointer is an invalid argument. */
static void test_load_memory_null_out(void **state)
{
    static const uint8_t bytes[] = {0x08, 0x07};
    onnxmini_error error;

    (void)state;
    assert_int_equal(onnxmini_model_load_memory(bytes, sizeof bytes, NULL,
                                                &error),
                     ONNXMINI_ERR_INVALID_ARGUMENT);
}

/* Zero bytes parse as an empty ModelProto, which has no graph: it must not
 * load. */
static void test_load_memory_empty(void **state)
{
    static const uint8_t bytes[1] = {0};
    onnxmini_model *model = not_null_model();
    onnxmini_error error;
    onnxmini_status status;

    (void)state;
    status = onnxmini_model_load_memory(bytes, 0, &model, &error);
    assert_int_not_equal(status, ONNXMINI_OK);
    assert_int_equal(error.status, status);
    assert_null(model);
    assert_true(error.message[0] != '\0');
}

/* Bytes that are not a protobuf message are a parse error. */
static void test_load_memory_garbage(void **state)
{
    uint8_t bytes[256];
    Onnxmini__Pb__ModelProto *proto;
    onnxmini_model *model = not_null_model();
    onnxmini_error error;
    onnxmini_status status;

    (void)state;
    /* Text is not protobuf: 't' (0x74) is field 14 with wire type 4, an
     * end-group marker without a start. */
    memset(bytes, 0, sizeof bytes);
    snprintf((char *)bytes, sizeof bytes, "this is not an ONNX model");
    proto = onnxmini__pb__model_proto__unpack(NULL, sizeof bytes, bytes);
    assert_null(proto);

    status = onnxmini_model_load_memory(bytes, sizeof bytes, &model, &error);
    check_load_failed(status, ONNXMINI_ERR_PARSE, model, &error);
}

/* The error out-parameter may be NULL for load_memory too. */
static void test_load_memory_null_error(void **state)
{
    static const uint8_t bytes[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                    0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    onnxmini_model *model = not_null_model();

    (void)state;
    assert_int_equal(onnxmini_model_load_memory(bytes, sizeof bytes, &model,
                                                NULL),
                     ONNXMINI_ERR_PARSE);
    assert_null(model);
}

/* A prefix of a real model fails to load with a status and a message, and
 * with ONNXMINI_ERR_PARSE whenever protobuf-c itself rejects the prefix. */
static void test_load_memory_truncated(void **state)
{
    char *path = testdata_require_path("mnist-12.onnx");
    size_t size = 0;
    uint8_t *bytes = testdata_read_file(path, &size);
    /* mnist-12.onnx contains the ir_version, producer and domain fields
     * (bytes 0..25), the graph (26..26136) and the opset import (the last 6
     * bytes). A cut inside a field makes the bytes unparsable. A cut between
     * fields gives a model without its graph or without its opset import. */
    const size_t cuts[] = {1, 2, 10, 25, 26, 28, 29, 100, 1000, size / 2,
                           size - 100, size - 7, size - 6, size - 1};

    (void)state;
    assert_non_null(bytes);
    free(path);
    assert_int_equal(size, 26143);

    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        onnxmini_model *model = not_null_model();
        onnxmini_error error;
        onnxmini_status status;
        Onnxmini__Pb__ModelProto *proto =
            onnxmini__pb__model_proto__unpack(NULL, cuts[i], bytes);

        status = onnxmini_model_load_memory(bytes, cuts[i], &model, &error);
        if (status == ONNXMINI_OK)
            fail_msg("mnist-12.onnx cut to %zu of %zu bytes loaded", cuts[i],
                     size);
        if (proto == NULL && status != ONNXMINI_ERR_PARSE)
            fail_msg("mnist-12.onnx cut to %zu bytes is not protobuf, but "
                     "the status is %d (%s), not ONNXMINI_ERR_PARSE",
                     cuts[i], (int)status, error.message);
        assert_int_equal(error.status, status);
        assert_null(model);
        assert_true(error.message[0] != '\0');
        onnxmini__pb__model_proto__free_unpacked(proto, NULL);
    }
    free(bytes);
}

/* The model keeps no pointer into the buffer it was loaded from. */
static void test_load_memory_copies_buffer(void **state)
{
    char *path = testdata_require_path("mnist-12.onnx");
    size_t size = 0;
    uint8_t *bytes = testdata_read_file(path, &size);
    fixture from_file, from_memory;
    float expected[CLASSES], actual[CLASSES];
    onnxmini_error error;

    (void)state;
    free(path);
    assert_non_null(bytes);
    fixture_open(&from_file);
    fixture_logits(&from_file, expected);
    fixture_close(&from_file);

    assert_int_equal(onnxmini_model_load_memory(bytes, size,
                                                &from_memory.model, &error),
                     ONNXMINI_OK);
    /* Overwrite, then free, the buffer before the model is used. */
    memset(bytes, 0xa5, size);
    free(bytes);

    assert_int_equal(onnxmini_session_create(from_memory.model, NULL,
                                             &from_memory.session, &error),
                     ONNXMINI_OK);
    fill_image(from_memory.image, 1);
    fixture_logits(&from_memory, actual);
    fixture_close(&from_memory);
    assert_memory_equal(actual, expected, sizeof expected);
}

/* Every free and destroy function accepts NULL. */
static void test_free_null(void **state)
{
    (void)state;
    onnxmini_model_free(NULL);
    onnxmini_session_destroy(NULL);
    /* The behaviour checked is that neither call crashes: cmocka reports a
     * signal as a failure. */
}

/* --------------------------------------------------------- sessions */

/* A NULL model is an invalid argument and leaves the session NULL. */
static void test_session_create_null_model(void **state)
{
    char sentinel;
    onnxmini_session *session = (onnxmini_session *)(void *)&sentinel;
    onnxmini_error error;
    onnxmini_status status;

    (void)state;
    status = onnxmini_session_create(NULL, NULL, &session, &error);
    assert_int_equal(status, ONNXMINI_ERR_INVALID_ARGUMENT);
    assert_int_equal(error.status, status);
    assert_null(session);
    assert_true(error.message[0] != '\0');

    status = onnxmini_session_create(NULL, NULL, &session, NULL);
    assert_int_equal(status, ONNXMINI_ERR_INVALID_ARGUMENT);
}

/* A NULL session out-pointer is an invalid argument. */
static void test_session_create_null_out(void **state)
{
    onnxmini_model *model = load_data_model("mnist-12.onnx");
    onnxmini_error error;

    (void)state;
    assert_int_equal(onnxmini_session_create(model, NULL, NULL, &error),
                     ONNXMINI_ERR_INVALID_ARGUMENT);
    onnxmini_model_free(model);
}

/* Checks one value_info against a fixed, fully known shape. */
static void check_value_info(const onnxmini_value_info *info, const char *name,
                             onnxmini_dtype dtype, int rank,
                             const int64_t *dims)
{
    assert_non_null(info->name);
    assert_string_equal(info->name, name);
    assert_int_equal(info->dtype, dtype);
    assert_int_equal(info->rank, rank);
    assert_non_null(info->dims);
    for (int d = 0; d < rank; d++) {
        if (info->dims[d] != dims[d])
            fail_msg("%s: dim %d is %lld, expected %lld", name, d,
                     (long long)info->dims[d], (long long)dims[d]);
        if (info->dim_names != NULL && info->dim_names[d] != NULL)
            fail_msg("%s: fixed dim %d has the name \"%s\"", name, d,
                     info->dim_names[d]);
    }
}

/* mnist-12 has one input Input3 [1,1,28,28] and one output
 * Plus214_Output_0 [1,10], both float. */
static void test_mnist12_inputs_outputs(void **state)
{
    static const int64_t output_dims[2] = {1, CLASSES};
    onnxmini_model *model = load_data_model("mnist-12.onnx");
    onnxmini_value_info info;

    (void)state;
    assert_int_equal(onnxmini_model_input_count(model), 1);
    assert_int_equal(onnxmini_model_output_count(model), 1);

    assert_int_equal(onnxmini_model_input_info(model, 0, &info), ONNXMINI_OK);
    check_value_info(&info, input_name, ONNXMINI_FLOAT, 4, image_dims);
    assert_int_equal(onnxmini_model_output_info(model, 0, &info), ONNXMINI_OK);
    check_value_info(&info, output_name, ONNXMINI_FLOAT, 2, output_dims);
    onnxmini_model_free(model);
}

/* mnist-8 (IR version 3) also lists its 8 initializers as graph inputs;
 * only Input3 is an input the caller feeds. */
static void test_mnist8_initializer_inputs_hidden(void **state)
{
    char *path = testdata_require_path("mnist-8.onnx");
    size_t size = 0;
    uint8_t *bytes = testdata_read_file(path, &size);
    Onnxmini__Pb__ModelProto *proto;
    onnxmini_model *model;
    onnxmini_value_info info;

    (void)state;
    free(path);
    assert_non_null(bytes);

    /* The premise: the file declares more graph inputs than the caller
     * feeds. */
    proto = onnxmini__pb__model_proto__unpack(NULL, size, bytes);
    assert_non_null(proto);
    assert_int_equal(proto->ir_version, 3);
    assert_non_null(proto->graph);
    assert_int_equal(proto->graph->n_input, 9);
    assert_int_equal(proto->graph->n_initializer, 8);
    onnxmini__pb__model_proto__free_unpacked(proto, NULL);
    free(bytes);

    model = load_data_model("mnist-8.onnx");
    assert_int_equal(onnxmini_model_input_count(model), 1);
    assert_int_equal(onnxmini_model_input_info(model, 0, &info), ONNXMINI_OK);
    check_value_info(&info, input_name, ONNXMINI_FLOAT, 4, image_dims);
    assert_int_equal(onnxmini_model_output_count(model), 1);
    assert_int_equal(onnxmini_model_input_info(model, 1, &info),
                     ONNXMINI_ERR_NOT_FOUND);
    onnxmini_model_free(model);
}

/* input_info and output_info reject an index past the end. */
static void test_value_info_out_of_range(void **state)
{
    onnxmini_model *model = load_data_model("mnist-12.onnx");
    onnxmini_value_info info;

    (void)state;
    assert_int_equal(onnxmini_model_input_info(model, 1, &info),
                     ONNXMINI_ERR_NOT_FOUND);
    assert_int_equal(onnxmini_model_input_info(model, SIZE_MAX, &info),
                     ONNXMINI_ERR_NOT_FOUND);
    assert_int_equal(onnxmini_model_output_info(model, 1, &info),
                     ONNXMINI_ERR_NOT_FOUND);
    assert_int_equal(onnxmini_model_output_info(model, SIZE_MAX, &info),
                     ONNXMINI_ERR_NOT_FOUND);
    onnxmini_model_free(model);
}

/* set_input with a name the model does not have is NOT_FOUND, and the
 * message names it. */
static void test_set_input_unknown_name(void **state)
{
    fixture f;
    onnxmini_status status;

    (void)state;
    fixture_open(&f);
    status = onnxmini_session_set_input(f.session, "NoSuchInput",
                                        ONNXMINI_FLOAT, image_dims, 4,
                                        f.image, IMAGE_BYTES);
    assert_int_equal(status, ONNXMINI_ERR_NOT_FOUND);
    assert_contains(onnxmini_session_message(f.session), "NoSuchInput");
    fixture_close(&f);
}

/* An initializer is not an input the caller can set, even where the
 * IR-version-3 file lists it as a graph input. */
static void test_set_input_initializer_name(void **state)
{
    fixture f;
    static const int64_t bias_dims[3] = {8, 1, 1};
    float bias[8] = {0};

    (void)state;
    fixture_open_with(&f, "mnist-8.onnx", NULL);
    assert_int_equal(onnxmini_session_set_input(f.session, "Parameter6",
                                                ONNXMINI_FLOAT, bias_dims, 3,
                                                bias, sizeof bias),
                     ONNXMINI_ERR_NOT_FOUND);
    assert_contains(onnxmini_session_message(f.session), "Parameter6");
    fixture_close(&f);
}

/* A NULL name, session, data or dims pointer is an invalid argument. */
static void test_set_input_null_arguments(void **state)
{
    fixture f;

    (void)state;
    fixture_open(&f);
    assert_int_equal(onnxmini_session_set_input(f.session, NULL,
                                                ONNXMINI_FLOAT, image_dims, 4,
                                                f.image, IMAGE_BYTES),
                     ONNXMINI_ERR_INVALID_ARGUMENT);
    assert_int_equal(onnxmini_session_set_input(f.session, input_name,
                                                ONNXMINI_FLOAT, image_dims, 4,
                                                NULL, IMAGE_BYTES),
                     ONNXMINI_ERR_INVALID_ARGUMENT);
    assert_true(onnxmini_session_message(f.session)[0] != '\0');
    assert_int_equal(onnxmini_session_set_input(f.session, input_name,
                                                ONNXMINI_FLOAT, NULL, 4,
                                                f.image, IMAGE_BYTES),
                     ONNXMINI_ERR_INVALID_ARGUMENT);
    assert_int_equal(onnxmini_session_set_input(NULL, input_name,
                                                ONNXMINI_FLOAT, image_dims, 4,
                                                f.image, IMAGE_BYTES),
                     ONNXMINI_ERR_INVALID_ARGUMENT);
    fixture_close(&f);
}

/* Data of another element type is a shape error naming the input and the
 * type given. */
static void test_set_input_wrong_dtype(void **state)
{
    fixture f;
    int32_t data[IMAGE_PIXELS] = {0};
    onnxmini_status status;

    (void)state;
    fixture_open(&f);
    status = onnxmini_session_set_input(f.session, input_name, ONNXMINI_INT32,
                                        image_dims, 4, data, sizeof data);
    assert_int_equal(status, ONNXMINI_ERR_SHAPE);
    assert_contains(onnxmini_session_message(f.session), input_name);
    assert_contains(onnxmini_session_message(f.session), "int32");
    fixture_close(&f);
}

/* Data of another rank is a shape error naming the input and the rank. */
static void test_set_input_wrong_rank(void **state)
{
    static const int64_t dims[5] = {1, 1, 1, 28, 28};
    fixture f;
    onnxmini_status status;

    (void)state;
    fixture_open(&f);
    status = onnxmini_session_set_input(f.session, input_name, ONNXMINI_FLOAT,
                                        dims, 5, f.image, IMAGE_BYTES);
    assert_int_equal(status, ONNXMINI_ERR_SHAPE);
    assert_contains(onnxmini_session_message(f.session), input_name);
    assert_contains(onnxmini_session_message(f.session), "5");
    fixture_close(&f);
}

/* A dimension that differs from a fixed declared one is a shape error
 * naming the input and the size given. */
static void test_set_input_wrong_dims(void **state)
{
    static const int64_t dims[4] = {1, 1, 28, 27};
    fixture f;
    onnxmini_status status;

    (void)state;
    fixture_open(&f);
    status = onnxmini_session_set_input(f.session, input_name, ONNXMINI_FLOAT,
                                        dims, 4, f.image,
                                        28 * 27 * sizeof(float));
    assert_int_equal(status, ONNXMINI_ERR_SHAPE);
    assert_contains(onnxmini_session_message(f.session), input_name);
    assert_contains(onnxmini_session_message(f.session), "27");
    fixture_close(&f);
}

/* A byte count that is not the element count times the element size is
 * rejected, with a message naming the input and the count. The header
 * fixes no status for it, so both fitting codes are accepted. */
static void test_set_input_wrong_bytes(void **state)
{
    fixture f;
    onnxmini_status status;

    (void)state;
    fixture_open(&f);
    status = onnxmini_session_set_input(f.session, input_name, ONNXMINI_FLOAT,
                                        image_dims, 4, f.image,
                                        IMAGE_BYTES - 4);
    assert_true(status == ONNXMINI_ERR_INVALID_ARGUMENT ||
                status == ONNXMINI_ERR_SHAPE);
    assert_contains(onnxmini_session_message(f.session), input_name);
    assert_contains(onnxmini_session_message(f.session), "3132");

    status = onnxmini_session_set_input(f.session, input_name, ONNXMINI_FLOAT,
                                        image_dims, 4, f.image,
                                        IMAGE_BYTES + 4);
    assert_true(status == ONNXMINI_ERR_INVALID_ARGUMENT ||
                status == ONNXMINI_ERR_SHAPE);
    assert_contains(onnxmini_session_message(f.session), "3140");
    fixture_close(&f);
}

/* set_input_at sets the same input as set_input by name. */
static void test_set_input_at_matches_name(void **state)
{
    fixture f;
    float first[CLASSES], other[CLASSES], by_index[CLASSES];
    size_t bytes = 0;

    (void)state;
    fixture_open(&f);
    fixture_logits(&f, first);

    /* Another image first, so that a set_input_at that changed nothing
     * would leave different logits behind. */
    fill_image(f.image, 2);
    fixture_logits(&f, other);
    assert_memory_not_equal(other, first, sizeof first);

    fill_image(f.image, 1);
    assert_int_equal(onnxmini_session_set_input_at(f.session, 0,
                                                   ONNXMINI_FLOAT, image_dims,
                                                   4, f.image, IMAGE_BYTES),
                     ONNXMINI_OK);
    assert_int_equal(onnxmini_session_run(f.session), ONNXMINI_OK);
    assert_int_equal(onnxmini_session_copy_output(f.session, 0, by_index,
                                                  sizeof by_index, &bytes),
                     ONNXMINI_OK);
    assert_memory_equal(by_index, first, sizeof first);
    fixture_close(&f);
}

/* set_input_at with an index past the end is NOT_FOUND. */
static void test_set_input_at_out_of_range(void **state)
{
    fixture f;

    (void)state;
    fixture_open(&f);
    assert_int_equal(onnxmini_session_set_input_at(f.session, 1,
                                                   ONNXMINI_FLOAT, image_dims,
                                                   4, f.image, IMAGE_BYTES),
                     ONNXMINI_ERR_NOT_FOUND);
    assert_true(onnxmini_session_message(f.session)[0] != '\0');
    fixture_close(&f);
}

/* Running before every input is set is a state error naming the input. */
static void test_run_before_input(void **state)
{
    fixture f;

    (void)state;
    fixture_open(&f);
    assert_int_equal(onnxmini_session_run(f.session), ONNXMINI_ERR_STATE);
    assert_contains(onnxmini_session_message(f.session), input_name);
    assert_int_equal(onnxmini_session_run(NULL),
                     ONNXMINI_ERR_INVALID_ARGUMENT);
    fixture_close(&f);
}

/* A failed set_input does not count as setting the input. */
static void test_run_after_failed_input(void **state)
{
    fixture f;

    (void)state;
    fixture_open(&f);
    assert_int_equal(onnxmini_session_set_input(f.session, input_name,
                                                ONNXMINI_INT32, image_dims, 4,
                                                f.image, IMAGE_BYTES),
                     ONNXMINI_ERR_SHAPE);
    assert_int_equal(onnxmini_session_run(f.session), ONNXMINI_ERR_STATE);
    fixture_close(&f);
}

/* Outputs cannot be read before a successful run. */
static void test_output_before_run(void **state)
{
    fixture f;
    onnxmini_tensor tensor;
    float logits[CLASSES];
    size_t bytes = 0;

    (void)state;
    fixture_open(&f);
    assert_int_equal(onnxmini_session_output(f.session, 0, &tensor),
                     ONNXMINI_ERR_STATE);
    assert_true(onnxmini_session_message(f.session)[0] != '\0');
    assert_int_equal(onnxmini_session_output_by_name(f.session, output_name,
                                                     &tensor),
                     ONNXMINI_ERR_STATE);
    assert_int_equal(onnxmini_session_copy_output(f.session, 0, logits,
                                                  sizeof logits, &bytes),
                     ONNXMINI_ERR_STATE);

    /* Setting the input alone is not a run. */
    assert_int_equal(onnxmini_session_set_input(f.session, input_name,
                                                ONNXMINI_FLOAT, image_dims, 4,
                                                f.image, IMAGE_BYTES),
                     ONNXMINI_OK);
    assert_int_equal(onnxmini_session_output(f.session, 0, &tensor),
                     ONNXMINI_ERR_STATE);
    fixture_close(&f);
}

/* After a run, output 0 is a float [1,10] view, and index 1 is
 * NOT_FOUND. */
static void test_output_index(void **state)
{
    fixture f;
    onnxmini_tensor tensor;

    (void)state;
    fixture_open(&f);
    fixture_run(&f);
    assert_int_equal(onnxmini_session_output(f.session, 0, &tensor),
                     ONNXMINI_OK);
    assert_int_equal(tensor.dtype, ONNXMINI_FLOAT);
    assert_int_equal(tensor.rank, 2);
    assert_int_equal(tensor.dims[0], 1);
    assert_int_equal(tensor.dims[1], CLASSES);
    assert_int_equal(tensor.bytes, OUTPUT_BYTES);
    assert_non_null(tensor.data);

    assert_int_equal(onnxmini_session_output(f.session, 1, &tensor),
                     ONNXMINI_ERR_NOT_FOUND);
    assert_int_equal(onnxmini_session_output(f.session, SIZE_MAX, &tensor),
                     ONNXMINI_ERR_NOT_FOUND);
    assert_int_equal(onnxmini_session_output(f.session, 0, NULL),
                     ONNXMINI_ERR_INVALID_ARGUMENT);
    fixture_close(&f);
}

/* output_by_name returns the same tensor as output 0; an unknown name is
 * NOT_FOUND and named in the message. */
static void test_output_by_name(void **state)
{
    fixture f;
    onnxmini_tensor by_index, by_name;

    (void)state;
    fixture_open(&f);
    fixture_run(&f);
    assert_int_equal(onnxmini_session_output(f.session, 0, &by_index),
                     ONNXMINI_OK);
    assert_int_equal(onnxmini_session_output_by_name(f.session, output_name,
                                                     &by_name),
                     ONNXMINI_OK);
    assert_int_equal(by_name.dtype, by_index.dtype);
    assert_int_equal(by_name.rank, by_index.rank);
    assert_int_equal(by_name.bytes, by_index.bytes);
    assert_memory_equal(by_name.data, by_index.data, by_index.bytes);

    assert_int_equal(onnxmini_session_output_by_name(f.session, "NoSuchOutput",
                                                     &by_name),
                     ONNXMINI_ERR_NOT_FOUND);
    assert_contains(onnxmini_session_message(f.session), "NoSuchOutput");
    fixture_close(&f);
}

/* copy_output with a buffer too small fails, copies nothing and reports the
 * size needed. */
static void test_copy_output_too_small(void **state)
{
    fixture f;
    float buffer[CLASSES];
    float untouched[CLASSES];
    size_t bytes = 0;

    (void)state;
    fixture_open(&f);
    fixture_run(&f);
    memset(buffer, 0x5a, sizeof buffer);
    memcpy(untouched, buffer, sizeof buffer);

    assert_int_equal(onnxmini_session_copy_output(f.session, 0, buffer,
                                                  OUTPUT_BYTES - 1, &bytes),
                     ONNXMINI_ERR_INVALID_ARGUMENT);
    assert_int_equal(bytes, OUTPUT_BYTES);
    assert_memory_equal(buffer, untouched, sizeof buffer);
    assert_true(onnxmini_session_message(f.session)[0] != '\0');

    bytes = 0;
    assert_int_equal(onnxmini_session_copy_output(f.session, 0, NULL, 0,
                                                  &bytes),
                     ONNXMINI_ERR_INVALID_ARGUMENT);
    assert_int_equal(bytes, OUTPUT_BYTES);
    fixture_close(&f);
}

/* copy_output with room copies the output view's bytes; bytes may be
 * NULL. */
static void test_copy_output_copies_view(void **state)
{
    fixture f;
    onnxmini_tensor view;
    float buffer[CLASSES + 1];
    size_t bytes = 0;

    (void)state;
    fixture_open(&f);
    fixture_run(&f);
    assert_int_equal(onnxmini_session_output(f.session, 0, &view),
                     ONNXMINI_OK);
    memset(buffer, 0, sizeof buffer);
    assert_int_equal(onnxmini_session_copy_output(f.session, 0, buffer,
                                                  sizeof buffer, &bytes),
                     ONNXMINI_OK);
    assert_int_equal(bytes, OUTPUT_BYTES);
    assert_memory_equal(buffer, view.data, OUTPUT_BYTES);

    memset(buffer, 0, sizeof buffer);
    assert_int_equal(onnxmini_session_copy_output(f.session, 0, buffer,
                                                  OUTPUT_BYTES, NULL),
                     ONNXMINI_OK);
    assert_int_equal(onnxmini_session_output(f.session, 0, &view),
                     ONNXMINI_OK);
    assert_memory_equal(buffer, view.data, OUTPUT_BYTES);
    assert_int_equal(onnxmini_session_copy_output(f.session, 1, buffer,
                                                  sizeof buffer, &bytes),
                     ONNXMINI_ERR_NOT_FOUND);
    fixture_close(&f);
}

/* The session message is cleared by the next successful call. */
static void test_session_message_cleared(void **state)
{
    fixture f;

    (void)state;
    fixture_open(&f);
    assert_int_equal(onnxmini_session_run(f.session), ONNXMINI_ERR_STATE);
    assert_true(onnxmini_session_message(f.session)[0] != '\0');
    fixture_run(&f);
    assert_string_equal(onnxmini_session_message(f.session), "");
    fixture_close(&f);
}

/* Each run reads the input buffer as it is then, and returns the same
 * logits for the same data. */
static void test_run_reads_current_input(void **state)
{
    fixture f;
    float first[CLASSES], second[CLASSES], again[CLASSES];

    (void)state;
    fixture_open(&f);
    fixture_logits(&f, first);
    fill_image(f.image, 7);
    fixture_logits(&f, second);
    fill_image(f.image, 1);
    fixture_logits(&f, again);
    fixture_close(&f);

    assert_memory_not_equal(second, first, sizeof first);
    assert_memory_equal(again, first, sizeof first);
}

/* Two sessions on one model are independent and agree. */
static void test_two_sessions_one_model(void **state)
{
    fixture f;
    onnxmini_session *other = NULL;
    onnxmini_error error;
    float a[CLASSES], b[CLASSES];
    size_t bytes = 0;

    (void)state;
    fixture_open(&f);
    assert_int_equal(onnxmini_session_create(f.model, NULL, &other, &error),
                     ONNXMINI_OK);
    fixture_logits(&f, a);

    /* The second session has not run, whatever the first one did. */
    assert_int_equal(onnxmini_session_run(other), ONNXMINI_ERR_STATE);
    assert_int_equal(onnxmini_session_set_input(other, input_name,
                                                ONNXMINI_FLOAT, image_dims, 4,
                                                f.image, IMAGE_BYTES),
                     ONNXMINI_OK);
    assert_int_equal(onnxmini_session_run(other), ONNXMINI_OK);
    assert_int_equal(onnxmini_session_copy_output(other, 0, b, sizeof b,
                                                  &bytes),
                     ONNXMINI_OK);
    onnxmini_session_destroy(other);
    fixture_close(&f);
    assert_memory_equal(a, b, sizeof a);
}

/* ---------------------------------------------------- symbolic shapes */

/* Builds X [N,3] -> Relu -> Y [N,3] with a symbolic batch dimension N. */
static mb_model *build_symbolic_relu(void)
{
    static const char *const dim_names[2] = {"N", NULL};
    static const int64_t dims[2] = {MB_DIM_UNKNOWN, 3};
    mb_model *m = mb_op_model(13);

    mb_input_symbolic(m, "X", ONNXMINI_FLOAT, 2, dims, dim_names);
    mb_node_add(m, "Relu", "relu", MB_NAMES("X"), MB_NAMES("Y"));
    mb_output_symbolic(m, "Y", ONNXMINI_FLOAT, 2, dims, dim_names);
    return m;
}

/* A symbolic dimension is reported as -1 with its name. */
static void test_symbolic_dim_info(void **state)
{
    mb_model *m = build_symbolic_relu();
    onnxmini_model *model = NULL;
    onnxmini_error error;
    onnxmini_value_info info;

    (void)state;
    assert_int_equal(mb_model_load(m, &model, &error), ONNXMINI_OK);
    assert_int_equal(onnxmini_model_input_info(model, 0, &info), ONNXMINI_OK);
    assert_string_equal(info.name, "X");
    assert_int_equal(info.rank, 2);
    assert_int_equal(info.dims[0], -1);
    assert_int_equal(info.dims[1], 3);
    assert_non_null(info.dim_names);
    assert_non_null(info.dim_names[0]);
    assert_string_equal(info.dim_names[0], "N");
    assert_null(info.dim_names[1]);
    onnxmini_model_free(model);
    mb_model_free(m);
}

/* Runs the symbolic Relu model with batch n and checks shape and values. */
static void check_symbolic_batch(onnxmini_session *session, int64_t n)
{
    float input[4 * 3], expected[4 * 3];
    const int64_t dims[2] = {n, 3};
    onnxmini_tensor output;
    const float *values;

    assert_true(n >= 1 && n <= 4);
    for (int64_t i = 0; i < n * 3; i++) {
        /* Alternate signs, and differ per batch size, so that stale data
         * from an earlier run would show. */
        input[i] = (float)((i % 2 == 0) ? -(i + n) : (i + n * 10));
        expected[i] = input[i] > 0.0f ? input[i] : 0.0f;
    }

    assert_int_equal(onnxmini_session_set_input(session, "X", ONNXMINI_FLOAT,
                                                dims, 2, input,
                                                (size_t)(n * 3) *
                                                    sizeof(float)),
                     ONNXMINI_OK);
    if (onnxmini_session_run(session) != ONNXMINI_OK)
        fail_msg("run with N=%lld failed: %s", (long long)n,
                 onnxmini_session_message(session));
    assert_int_equal(onnxmini_session_output(session, 0, &output),
                     ONNXMINI_OK);
    assert_int_equal(output.dtype, ONNXMINI_FLOAT);
    assert_int_equal(output.rank, 2);
    assert_int_equal(output.dims[0], n);
    assert_int_equal(output.dims[1], 3);
    assert_int_equal(output.bytes, (size_t)(n * 3) * sizeof(float));
    values = output.data;
    for (int64_t i = 0; i < n * 3; i++) {
        if (values[i] != expected[i])
            fail_msg("N=%lld: Y[%lld] is %g, expected %g", (long long)n,
                     (long long)i, (double)values[i], (double)expected[i]);
    }
}

/* A symbolic batch dimension takes the size of each input: 1, 4, then 1
 * again. */
static void test_symbolic_batch_rebinds(void **state)
{
    mb_model *m = build_symbolic_relu();
    onnxmini_model *model = NULL;
    onnxmini_session *session = NULL;
    onnxmini_error error;

    (void)state;
    assert_int_equal(mb_model_load(m, &model, &error), ONNXMINI_OK);
    assert_int_equal(onnxmini_session_create(model, NULL, &session, &error),
                     ONNXMINI_OK);
    check_symbolic_batch(session, 1);
    check_symbolic_batch(session, 4);
    check_symbolic_batch(session, 1);
    check_symbolic_batch(session, 3);
    onnxmini_session_destroy(session);
    onnxmini_model_free(model);
    mb_model_free(m);
}

/* The fixed dimension of a partly symbolic input is still checked. */
static void test_symbolic_fixed_dim_checked(void **state)
{
    static const int64_t dims[2] = {2, 4};
    float input[8] = {0};
    mb_model *m = build_symbolic_relu();
    onnxmini_model *model = NULL;
    onnxmini_session *session = NULL;
    onnxmini_error error;

    (void)state;
    assert_int_equal(mb_model_load(m, &model, &error), ONNXMINI_OK);
    assert_int_equal(onnxmini_session_create(model, NULL, &session, &error),
                     ONNXMINI_OK);
    assert_int_equal(onnxmini_session_set_input(session, "X", ONNXMINI_FLOAT,
                                                dims, 2, input, sizeof input),
                     ONNXMINI_ERR_SHAPE);
    assert_contains(onnxmini_session_message(session), "X");
    onnxmini_session_destroy(session);
    onnxmini_model_free(model);
    mb_model_free(m);
}

/* ---------------------------------------------------- session options */

/* options_init sets the struct size and the defaults. */
static void test_session_options_init(void **state)
{
    onnxmini_session_options options;

    (void)state;
    memset(&options, 0xa5, sizeof options);
    onnxmini_session_options_init(&options);
    assert_int_equal(options.struct_size, sizeof options);
    assert_true(options.isa == NULL || options.isa[0] == '\0');
    assert_true(options.threads == 0 || options.threads == 1);
}

/* A session reports a non-empty instruction set name. */
static void test_session_isa_named(void **state)
{
    fixture f;
    const char *isa;

    (void)state;
    fixture_open(&f);
    isa = onnxmini_session_isa(f.session);
    assert_non_null(isa);
    assert_true(isa[0] != '\0');
    fixture_close(&f);
}

/* The scalar kernels can always be chosen, and match the default ISA. */
static void test_session_scalar_isa(void **state)
{
    onnxmini_session_options options;
    fixture best, scalar;
    float expected[CLASSES], actual[CLASSES];

    (void)state;
    onnxmini_session_options_init(&options);
    options.isa = "scalar";
    fixture_open_with(&scalar, "mnist-12.onnx", &options);
    assert_string_equal(onnxmini_session_isa(scalar.session), "scalar");
    fixture_logits(&scalar, actual);
    fixture_close(&scalar);

    fixture_open(&best);
    fixture_logits(&best, expected);
    fixture_close(&best);
    for (int k = 0; k < CLASSES; k++) {
        double tol = 1e-4 + 1e-4 * fabs((double)expected[k]);

        if (fabs((double)actual[k] - (double)expected[k]) > tol)
            fail_msg("class %d: scalar logit %g, default ISA %g", k,
                     (double)actual[k], (double)expected[k]);
    }
}

/* An instruction set the library does not have makes creation fail with a
 * message naming it. */
static void test_session_unknown_isa(void **state)
{
    onnxmini_model *model = load_data_model("mnist-12.onnx");
    onnxmini_session_options options;
    onnxmini_session *session = NULL;
    onnxmini_error error;
    onnxmini_status status;

    (void)state;
    onnxmini_session_options_init(&options);
    options.isa = "no-such-isa";
    status = onnxmini_session_create(model, &options, &session, &error);
    assert_int_not_equal(status, ONNXMINI_OK);
    assert_int_equal(error.status, status);
    assert_null(session);
    assert_contains(error.message, "no-such-isa");
    onnxmini_model_free(model);
}

/* The result does not depend on the thread count. */
static void test_session_threads_same_result(void **state)
{
    onnxmini_session_options options;
    fixture one, two;
    float a[CLASSES], b[CLASSES];

    (void)state;
    onnxmini_session_options_init(&options);
    options.threads = 1;
    fixture_open_with(&one, "mnist-12.onnx", &options);
    fixture_logits(&one, a);
    fixture_close(&one);

    options.threads = 2;
    fixture_open_with(&two, "mnist-12.onnx", &options);
    fixture_logits(&two, b);
    fixture_close(&two);
    assert_memory_equal(a, b, sizeof a);
}

/* Ensures a binding that cannot be planned with the other inputs is kept,
 * so that two inputs whose sizes must match can change one after the
 * other, and that a run in between fails with ONNXMINI_ERR_STATE. */
static void test_set_input_keeps_binding_that_does_not_plan(void **state)
{
    static const float a[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    static const float b[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    const int64_t two[2] = {2, 3}, three[2] = {3, 3};
    onnxmini_model *model = NULL;
    onnxmini_session *session = NULL;
    onnxmini_error error;
    onnxmini_tensor out;
    mb_model *m = mb_case_model(state, 13);
    uint8_t *bytes;
    size_t size;

    mb_input(m, "A", ONNXMINI_FLOAT, 2, (const int64_t[]){-1, 3});
    mb_input(m, "B", ONNXMINI_FLOAT, 2, (const int64_t[]){-1, 3});
    mb_node_add(m, "Add", "add", MB_NAMES("A", "B"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    bytes = mb_model_pack(m, &size);
    assert_int_equal(onnxmini_model_load_memory(bytes, size, &model, &error),
                     ONNXMINI_OK);
    assert_int_equal(onnxmini_session_create(model, NULL, &session, &error),
                     ONNXMINI_OK);

    assert_int_equal(onnxmini_session_set_input(session, "A", ONNXMINI_FLOAT,
                                                two, 2, a, 6 * sizeof(float)),
                     ONNXMINI_OK);
    assert_int_equal(onnxmini_session_set_input(session, "B", ONNXMINI_FLOAT,
                                                two, 2, b, 6 * sizeof(float)),
                     ONNXMINI_OK);
    assert_int_equal(onnxmini_session_run(session), ONNXMINI_OK);

    /* A grows first: [3, 3] + [2, 3] does not broadcast. */
    assert_int_equal(onnxmini_session_set_input(session, "A", ONNXMINI_FLOAT,
                                                three, 2, a, sizeof a),
                     ONNXMINI_ERR_SHAPE);
    assert_int_equal(onnxmini_session_run(session), ONNXMINI_ERR_STATE);
    assert_non_null(strstr(onnxmini_session_message(session), "broadcast"));

    /* Then B: the kept binding of A now plans. */
    assert_int_equal(onnxmini_session_set_input(session, "B", ONNXMINI_FLOAT,
                                                three, 2, b, sizeof b),
                     ONNXMINI_OK);
    assert_int_equal(onnxmini_session_run(session), ONNXMINI_OK);
    assert_int_equal(onnxmini_session_output(session, 0, &out), ONNXMINI_OK);
    assert_int_equal(out.dims[0], 3);
    assert_true(((const float *)out.data)[8] == 10.0f);

    onnxmini_session_destroy(session);
    onnxmini_model_free(model);
    free(bytes);
}

/* Ensures a model that does not plan with its symbolic dimensions at 1
 * (a 5x5 convolution over a symbolic image size) still gets a session.
 * It plans once set_input binds sizes that fit, and its runs fail with
 * ONNXMINI_ERR_STATE while it has no plan. */
static void test_session_waits_for_symbolic_sizes(void **state)
{
    static float w[25], x[6 * 7];
    const int64_t fits[4] = {1, 1, 6, 7}, too_small[4] = {1, 1, 3, 3};
    onnxmini_model *model = NULL;
    onnxmini_session *session = NULL;
    onnxmini_error error;
    onnxmini_tensor out;
    mb_model *m = mb_case_model(state, 13);
    uint8_t *bytes;
    size_t size, i;

    for (i = 0; i < 25; i++)
        w[i] = 1.0f;
    for (i = 0; i < 6 * 7; i++)
        x[i] = 1.0f;
    mb_input_symbolic(m, "X", ONNXMINI_FLOAT, MB_DIMS(1, 1, 1, 1),
                      MB_NAMES(NULL, NULL, "H", "W"));
    mb_initializer(m, "Wt", ONNXMINI_FLOAT, MB_DIMS(1, 1, 5, 5), w, MB_RAW);
    mb_node_add(m, "Conv", "conv5x5", MB_NAMES("X", "Wt"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    bytes = mb_model_pack(m, &size);
    assert_int_equal(onnxmini_model_load_memory(bytes, size, &model, &error),
                     ONNXMINI_OK);
    assert_int_equal(onnxmini_session_create(model, NULL, &session, &error),
                     ONNXMINI_OK);

    /* No plan yet: a run reports the input that is not set. */
    assert_int_equal(onnxmini_session_run(session), ONNXMINI_ERR_STATE);
    assert_non_null(strstr(onnxmini_session_message(session), "'X'"));

    /* 6x7 fits: 2x3 outputs, each the sum of 25 ones. */
    assert_int_equal(onnxmini_session_set_input(session, "X", ONNXMINI_FLOAT,
                                                fits, 4, x, sizeof x),
                     ONNXMINI_OK);
    assert_int_equal(onnxmini_session_run(session), ONNXMINI_OK);
    assert_int_equal(onnxmini_session_output(session, 0, &out), ONNXMINI_OK);
    assert_int_equal(out.rank, 4);
    assert_int_equal(out.dims[2], 2);
    assert_int_equal(out.dims[3], 3);
    for (i = 0; i < 6; i++)
        assert_true(((const float *)out.data)[i] == 25.0f);

    /* 3x3 does not fit: set_input names the node, and a run fails. */
    assert_int_equal(onnxmini_session_set_input(session, "X", ONNXMINI_FLOAT,
                                                too_small, 4, x,
                                                9 * sizeof(float)),
                     ONNXMINI_ERR_SHAPE);
    assert_non_null(strstr(onnxmini_session_message(session), "conv5x5"));
    assert_int_equal(onnxmini_session_run(session), ONNXMINI_ERR_STATE);

    onnxmini_session_destroy(session);
    onnxmini_model_free(model);
    free(bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_matches_macros),
        MB_TEST(test_set_input_keeps_binding_that_does_not_plan),
        MB_TEST(test_session_waits_for_symbolic_sizes),
        cmocka_unit_test(test_status_string_distinct),
        cmocka_unit_test(test_status_string_unknown_code),
        cmocka_unit_test(test_dtype_names),
        cmocka_unit_test(test_dtype_sizes),
        cmocka_unit_test(test_dtype_unknown_value),
        cmocka_unit_test(test_load_file_null_path),
        cmocka_unit_test(test_load_file_null_out),
        cmocka_unit_test(test_load_file_missing),
        cmocka_unit_test(test_load_file_directory),
        cmocka_unit_test(test_load_file_null_error),
        cmocka_unit_test(test_load_memory_null_data),
        cmocka_unit_test(test_load_memory_null_out),
        cmocka_unit_test(test_load_memory_empty),
        cmocka_unit_test(test_load_memory_garbage),
        cmocka_unit_test(test_load_memory_null_error),
        cmocka_unit_test(test_load_memory_truncated),
        cmocka_unit_test(test_load_memory_copies_buffer),
        cmocka_unit_test(test_free_null),
        cmocka_unit_test(test_session_create_null_model),
        cmocka_unit_test(test_session_create_null_out),
        cmocka_unit_test(test_mnist12_inputs_outputs),
        cmocka_unit_test(test_mnist8_initializer_inputs_hidden),
        cmocka_unit_test(test_value_info_out_of_range),
        cmocka_unit_test(test_set_input_unknown_name),
        cmocka_unit_test(test_set_input_initializer_name),
        cmocka_unit_test(test_set_input_null_arguments),
        cmocka_unit_test(test_set_input_wrong_dtype),
        cmocka_unit_test(test_set_input_wrong_rank),
        cmocka_unit_test(test_set_input_wrong_dims),
        cmocka_unit_test(test_set_input_wrong_bytes),
        cmocka_unit_test(test_set_input_at_matches_name),
        cmocka_unit_test(test_set_input_at_out_of_range),
        cmocka_unit_test(test_run_before_input),
        cmocka_unit_test(test_run_after_failed_input),
        cmocka_unit_test(test_output_before_run),
        cmocka_unit_test(test_output_index),
        cmocka_unit_test(test_output_by_name),
        cmocka_unit_test(test_copy_output_too_small),
        cmocka_unit_test(test_copy_output_copies_view),
        cmocka_unit_test(test_session_message_cleared),
        cmocka_unit_test(test_run_reads_current_input),
        cmocka_unit_test(test_two_sessions_one_model),
        cmocka_unit_test(test_symbolic_dim_info),
        cmocka_unit_test(test_symbolic_batch_rebinds),
        cmocka_unit_test(test_symbolic_fixed_dim_checked),
        cmocka_unit_test(test_session_options_init),
        cmocka_unit_test(test_session_isa_named),
        cmocka_unit_test(test_session_scalar_isa),
        cmocka_unit_test(test_session_unknown_isa),
        cmocka_unit_test(test_session_threads_same_result),
    };

    return cmocka_run_group_tests_name("api", tests, NULL, NULL);
}
