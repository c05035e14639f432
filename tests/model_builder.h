/*
 * model_builder.h - builds ONNX models in memory for the tests.
 *
 * The builder fills a protobuf-c ModelProto (the types generated from
 * onnx.proto) and packs it into the bytes that onnxmini_model_load_memory()
 * reads, so tests need no .onnx files. It checks nothing: tests also use it
 * to build broken models (an undefined input, a cycle, a raw_data of the
 * wrong length, an unknown operator).
 *
 * Memory: everything the builder allocates, including the protobuf tree and
 * any buffer from mb_alloc() or mb_strdup(), is owned by the mb_model and
 * released by mb_model_free(). Strings and arrays passed in are copied, so
 * callers may pass temporaries. The builder aborts when malloc fails.
 *
 * A typical operator test:
 *
 *   mb_model *m = mb_op_model(13);
 *   mb_node *n = mb_node_add(m, "Conv", "conv", MB_NAMES("X", "W"),
 *                            MB_NAMES("Y"));
 *   mb_attr_ints(n, "pads", MB_I64S(1, 1, 1, 1));
 *   mb_input_data(m, "X", ONNXMINI_FLOAT, MB_DIMS(1, 1, 3, 3), x);
 *   mb_initializer(m, "W", ONNXMINI_FLOAT, MB_DIMS(1, 1, 2, 2), w, MB_RAW);
 *   mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
 *   mb_result r;
 *   mb_run(m, &r);
 *   assert_int_equal(r.status, ONNXMINI_OK);
 *   mb_assert_tensor(&r.outputs[0], ONNXMINI_FLOAT, MB_DIMS(1, 1, 4, 4),
 *                    expected, 1e-6);
 *   mb_result_free(&r);
 *   mb_model_free(m);
 */
#ifndef MODEL_BUILDER_H
#define MODEL_BUILDER_H

#include <stddef.h>
#include <stdint.h>

#include "onnx.pb-c.h"
#include "onnxmini.h"

/* ===================================================================== */
/* List macros                                                            */
/* ===================================================================== */

/* A NULL-terminated list of names: MB_NAMES("X", "W", "B"). An empty string
 * in a node's input list is a skipped optional input, as in ONNX. */
#define MB_NAMES(...) ((const char *const[]){__VA_ARGS__, NULL})

/* A count and an int64 array, for dims and int-list attributes:
 * MB_DIMS(1, 3, 28, 28) expands to `4, (const int64_t[]){1, 3, 28, 28}`.
 * A rank-0 shape is written `0, NULL`. */
#define MB_I64S(...)                                                         \
    (int)(sizeof((const int64_t[]){__VA_ARGS__}) / sizeof(int64_t)),         \
        ((const int64_t[]){__VA_ARGS__})
#define MB_DIMS(...) MB_I64S(__VA_ARGS__)

/* A count and a float array, for float-list attributes. */
#define MB_F32S(...)                                                         \
    (int)(sizeof((const float[]){__VA_ARGS__}) / sizeof(float)),             \
        ((const float[]){__VA_ARGS__})

/* The rank to pass for a value declared without any shape. */
#define MB_NO_SHAPE (-1)

/* A dims entry that declares a dimension with neither a size nor a name. */
#define MB_DIM_UNKNOWN (-1)

/* ===================================================================== */
/* Models                                                                 */
/* ===================================================================== */

typedef struct mb_model mb_model;
typedef struct mb_node mb_node;

/* Creates an empty model with a graph named "test". ir_version < 0 leaves
 * the ir_version field unset. No opset is imported until mb_opset(). */
mb_model *mb_model_new(int64_t ir_version);

/* Creates a model that imports the default domain "" at `opset`. Its IR
 * version is the one ONNX released with that opset: 3 up to opset 8, 7 for
 * opsets 12 and 13, 8 for 14 to 18, and so on. */
mb_model *mb_op_model(int64_t opset);

/* Frees the model and everything allocated through it. NULL is allowed. */
void mb_model_free(mb_model *m);

/* Imports an operator set. A NULL domain leaves the domain field unset,
 * and "" sets it to the empty string. Call it again to import several. */
Onnxmini__Pb__OperatorSetIdProto *mb_opset(mb_model *m, const char *domain,
                                           int64_t version);

/* Direct access to the protobuf tree, for changes the functions here do not
 * offer. Memory hung into the tree must come from mb_alloc() or
 * mb_strdup() so that mb_model_free() releases it. */
Onnxmini__Pb__ModelProto *mb_model_proto(mb_model *m);
Onnxmini__Pb__GraphProto *mb_graph_proto(mb_model *m);

/* Allocates zeroed memory, or copies a string, owned by the model. */
void *mb_alloc(mb_model *m, size_t bytes);
char *mb_strdup(mb_model *m, const char *s);

/* Packs the model into protobuf bytes. Returns a malloc'd buffer that the
 * caller frees with free(), and stores its length in *size. */
uint8_t *mb_model_pack(mb_model *m, size_t *size);

/* Packs the model and loads it with onnxmini_model_load_memory(). */
onnxmini_status mb_model_load(mb_model *m, onnxmini_model **model,
                              onnxmini_error *error);

/* ===================================================================== */
/* Graph inputs, outputs and value_info                                   */
/* ===================================================================== */

/* Declares a graph input of a tensor type. rank MB_NO_SHAPE declares no
 * shape at all, and a dims entry MB_DIM_UNKNOWN declares a dimension with
 * neither size nor name. dtype ONNXMINI_UNDEFINED leaves elem_type unset.
 * Returns the new ValueInfoProto so a test can break it further. */
Onnxmini__Pb__ValueInfoProto *mb_input(mb_model *m, const char *name,
                                       onnxmini_dtype dtype, int rank,
                                       const int64_t *dims);

/* Like mb_input(), but a non-NULL dim_names[i] makes dimension i symbolic
 * (dim_param) and dims[i] is then ignored. */
Onnxmini__Pb__ValueInfoProto *mb_input_symbolic(mb_model *m, const char *name,
                                                onnxmini_dtype dtype, int rank,
                                                const int64_t *dims,
                                                const char *const *dim_names);

/* Declares a graph output; arguments as for mb_input(). */
Onnxmini__Pb__ValueInfoProto *mb_output(mb_model *m, const char *name,
                                        onnxmini_dtype dtype, int rank,
                                        const int64_t *dims);
Onnxmini__Pb__ValueInfoProto *mb_output_symbolic(mb_model *m,
                                                 const char *name,
                                                 onnxmini_dtype dtype,
                                                 int rank, const int64_t *dims,
                                                 const char *const *dim_names);

/* Adds a graph.value_info entry (a type for an intermediate value). */
Onnxmini__Pb__ValueInfoProto *mb_value_info(mb_model *m, const char *name,
                                            onnxmini_dtype dtype, int rank,
                                            const int64_t *dims);

/* ===================================================================== */
/* Tensors and initializers                                               */
/* ===================================================================== */

/* Where a TensorProto keeps its elements. */
typedef enum mb_storage {
    /* raw_data: the elements' bytes, little-endian. */
    MB_RAW,
    /* The typed field ONNX assigns to the dtype. float uses float_data,
     * int64 int64_data, double double_data, and uint32 and uint64 use
     * uint64_data. int32_data takes int32, int16, int8, uint16, uint8,
     * bool and the bits of float16 and bfloat16. */
    MB_TYPED
} mb_storage;

/* Creates a TensorProto that is not yet part of the graph (for a tensor
 * attribute). `data` contains the elements as the C type of dtype (float,
 * uint8_t, int64_t, ...; uint16_t bits for float16 and bfloat16), as many
 * as the product of dims; it may be NULL when that product is 0. name may
 * be NULL. */
Onnxmini__Pb__TensorProto *mb_tensor_proto(mb_model *m, const char *name,
                                           onnxmini_dtype dtype, int rank,
                                           const int64_t *dims,
                                           const void *data,
                                           mb_storage storage);

/* Adds an initializer built as by mb_tensor_proto(). */
Onnxmini__Pb__TensorProto *mb_initializer(mb_model *m, const char *name,
                                          onnxmini_dtype dtype, int rank,
                                          const int64_t *dims,
                                          const void *data,
                                          mb_storage storage);

/* Adds an initializer whose raw_data is exactly `bytes` bytes of `data`,
 * whatever the dims require, so a test can give it the wrong length. */
Onnxmini__Pb__TensorProto *mb_initializer_raw(mb_model *m, const char *name,
                                              onnxmini_dtype dtype, int rank,
                                              const int64_t *dims,
                                              const void *data, size_t bytes);

/* ===================================================================== */
/* Nodes and attributes                                                   */
/* ===================================================================== */

/* Appends a node to the graph. Nodes stay in call order, so a test can add
 * them out of topological order on purpose. name NULL leaves the name
 * unset. inputs and outputs are NULL-terminated lists (MB_NAMES) or NULL
 * for none. The node's domain is unset until mb_node_domain(). */
mb_node *mb_node_add(mb_model *m, const char *op_type, const char *name,
                     const char *const *inputs, const char *const *outputs);

/* Sets the node's domain ("" and NULL as for mb_opset()). */
void mb_node_domain(mb_node *n, const char *domain);

/* The node's protobuf message, for changes not offered here. */
Onnxmini__Pb__NodeProto *mb_node_proto(mb_node *n);

/* Adds one attribute of each kind. The returned AttributeProto may be
 * changed further (a wrong `type`, say). */
Onnxmini__Pb__AttributeProto *mb_attr_int(mb_node *n, const char *name,
                                          int64_t value);
Onnxmini__Pb__AttributeProto *mb_attr_float(mb_node *n, const char *name,
                                            float value);
Onnxmini__Pb__AttributeProto *mb_attr_string(mb_node *n, const char *name,
                                             const char *value);
Onnxmini__Pb__AttributeProto *mb_attr_ints(mb_node *n, const char *name,
                                           int count, const int64_t *values);
Onnxmini__Pb__AttributeProto *mb_attr_floats(mb_node *n, const char *name,
                                             int count, const float *values);
Onnxmini__Pb__AttributeProto *mb_attr_strings(mb_node *n, const char *name,
                                              int count,
                                              const char *const *values);
/* A tensor attribute built as by mb_tensor_proto(). */
Onnxmini__Pb__AttributeProto *mb_attr_tensor(mb_node *n, const char *name,
                                             onnxmini_dtype dtype, int rank,
                                             const int64_t *dims,
                                             const void *data,
                                             mb_storage storage);
/* An attribute with only its name and `type` field set (an
 * AttributeProto.AttributeType value), to be filled by hand. */
Onnxmini__Pb__AttributeProto *mb_attr_empty(mb_node *n, const char *name,
                                            int type);

/* ===================================================================== */
/* Running a model                                                        */
/* ===================================================================== */

/* Records data that mb_run() feeds to graph input `name`. The data is
 * copied. It does not declare the input (see mb_input_data()). */
void mb_feed(mb_model *m, const char *name, onnxmini_dtype dtype, int rank,
             const int64_t *dims, const void *data);

/* Declares a graph input with this exact shape and records data for it:
 * mb_input() followed by mb_feed(). */
void mb_input_data(mb_model *m, const char *name, onnxmini_dtype dtype,
                   int rank, const int64_t *dims, const void *data);

/* One output copied out of a session: owned by the mb_result. */
typedef struct mb_tensor {
    onnxmini_dtype dtype;
    size_t rank;
    int64_t *dims;      /* [rank] */
    void *data;         /* row-major elements; NULL when bytes is 0 */
    size_t bytes;
    size_t count;       /* element count */
} mb_tensor;

/* The step of mb_run() that produced the status. */
typedef enum mb_step {
    MB_STEP_LOAD,       /* onnxmini_model_load_memory */
    MB_STEP_SESSION,    /* onnxmini_session_create */
    MB_STEP_INPUT,      /* onnxmini_session_set_input */
    MB_STEP_RUN,        /* onnxmini_session_run */
    MB_STEP_OUTPUT,     /* reading the outputs */
    MB_STEP_DONE        /* every step succeeded */
} mb_step;

typedef struct mb_result {
    onnxmini_status status;     /* ONNXMINI_OK, or the first failure */
    mb_step step;               /* where the first failure happened */
    char message[ONNXMINI_ERROR_MESSAGE_SIZE];  /* its message, or "" */
    size_t n_outputs;           /* every graph output, in graph order */
    mb_tensor *outputs;         /* [n_outputs] */
} mb_result;

/* Packs and loads the model, creates a session with default options, sets
 * every input recorded by mb_feed() in recording order, runs, and copies
 * out every graph output. Stops at the first failure and records it in
 * *result. Returns result->status. Free the result with mb_result_free(),
 * whatever the status. */
onnxmini_status mb_run(mb_model *m, mb_result *result);

/* Like mb_run(), with session options (NULL for the defaults). */
onnxmini_status mb_run_with(mb_model *m,
                            const onnxmini_session_options *options,
                            mb_result *result);

/* Frees the output copies of a result. */
void mb_result_free(mb_result *result);

/* Returns the name of a step ("load", "session create", ...). */
const char *mb_step_name(mb_step step);

/* ===================================================================== */
/* Comparing results (cmocka)                                             */
/* ===================================================================== */

/* Returns the size of one element of dtype, or 0 for string and unknown
 * types. Written here so tests do not depend on the library for it. */
size_t mb_dtype_size(onnxmini_dtype dtype);

/* Counts the elements of `actual` that differ from `expected` and prints
 * the index and both values of the first few through cmocka's
 * print_error(). Floating types match when |a - e| <= tol * (1 + |e|), when
 * both are NaN, or when both are the same infinity. Other types must be
 * equal. */
size_t mb_count_mismatches(onnxmini_dtype dtype, const void *actual,
                           const void *expected, size_t count, double tol);

/* Checks a copied output's dtype, shape and elements, printing what
 * differs. Returns the number of problems found (0 when all match). */
size_t mb_check_tensor(const mb_tensor *t, onnxmini_dtype dtype, int rank,
                       const int64_t *dims, const void *expected, double tol);

/* Fails the current cmocka test unless the output matches. The arguments
 * after dtype are rank, dims, expected and tol, as for mb_check_tensor();
 * the macro is variadic so that MB_DIMS(...) can supply rank and dims. */
#define mb_assert_tensor(t, dtype, ...)                                     \
    assert_int_equal(mb_check_tensor((t), (dtype), __VA_ARGS__), 0)

/* Fails the current cmocka test unless the result is OK, printing the step
 * and message of the failure. */
#define mb_assert_ok(result) assert_true(mb_result_ok(result))
int mb_result_ok(const mb_result *result);

/* Fails the current cmocka test unless the result failed with a status
 * other than OK at load or session creation and its message contains
 * `text` (NULL to skip that check). */
#define mb_assert_model_error(result, text)                                 \
    assert_true(mb_result_model_error((result), (text)))
int mb_result_model_error(const mb_result *result, const char *text);

/* Fails the current cmocka test unless the result failed at any step and
 * its message contains `text` (NULL to skip that check). */
#define mb_assert_error(result, text)                                       \
    assert_true(mb_result_error((result), (text)))
int mb_result_error(const mb_result *result, const char *text);

#if defined(__GNUC__)
#define MB_PRINTF_FORMAT(f, a) __attribute__((format(printf, f, a)))
#else
#define MB_PRINTF_FORMAT(f, a)
#endif

/* Sets a label, such as "M 17, C 3", that the checks above print with a
 * failure, so a test looping over cases shows which case failed. It also
 * clears the sub-label. mb_case_setup() clears both. */
void mb_context(const char *format, ...) MB_PRINTF_FORMAT(1, 2);

/* Sets a second label printed after the first, for an inner loop (such as
 * "isa scalar") inside a helper that does not know the outer label. */
void mb_subcontext(const char *format, ...) MB_PRINTF_FORMAT(1, 2);

/* Returns the number of elements of a shape (1 for rank 0). */
size_t mb_element_count(int rank, const int64_t *dims);

/* Fills data with pseudo-random multiples of 1/4 in [-4, 4] from a linear
 * congruential generator, so runs repeat. A sum of up to 65536 products of
 * two such values is exact in float, which keeps reference comparisons
 * tight. */
void mb_random_floats(uint32_t *seed, float *data, size_t count);

/* ===================================================================== */
/* cmocka fixture                                                         */
/* ===================================================================== */

/* A test's model, last result and scratch memory, freed by the teardown
 * even when an assertion ends the test early, so failing tests do not
 * leak under valgrind. Register tests with MB_TEST(). */
#define MB_TEST(f) cmocka_unit_test_setup_teardown(f, mb_case_setup,        \
                                                   mb_case_teardown)
int mb_case_setup(void **state);
int mb_case_teardown(void **state);

/* Creates the test's model with mb_op_model(opset); any earlier model of
 * the test is freed. */
mb_model *mb_case_model(void **state, int64_t opset);

/* Creates the test's model with mb_model_new(ir_version). */
mb_model *mb_case_model_ir(void **state, int64_t ir_version);

/* Runs the test's model with mb_run_with() and returns the result, which
 * stays valid until the next run or the end of the test. */
mb_result *mb_case_run(void **state);
mb_result *mb_case_run_with(void **state,
                            const onnxmini_session_options *options);

/* Allocates zeroed memory that the teardown frees. */
void *mb_case_alloc(void **state, size_t bytes);

#endif /* MODEL_BUILDER_H */
