/*
 * onnxmini.h - the public API of libonnxmini, a small ONNX inference library.
 *
 * Usage in four steps:
 *
 *   onnxmini_model *model;
 *   onnxmini_error err;
 *   if (onnxmini_model_load_file("mnist-12.onnx", &model, &err) != ONNXMINI_OK)
 *       fprintf(stderr, "%s\n", err.message);
 *   onnxmini_session *session;
 *   onnxmini_session_create(model, NULL, &session, &err);
 *   onnxmini_session_set_input(session, "Input3", ONNXMINI_FLOAT, dims, 4,
 *                              pixels, sizeof pixels);
 *   onnxmini_session_run(session);
 *   onnxmini_tensor out;
 *   onnxmini_session_output(session, 0, &out);
 *   ...
 *   onnxmini_session_destroy(session);
 *   onnxmini_model_free(model);
 *
 * Ownership and threads:
 *   - A model is immutable after loading. One model may back any number of
 *     sessions, on any number of threads at once. Free the model only after
 *     every session created from it has been destroyed.
 *   - A session is used by one thread at a time.
 *   - Every destroy and free function accepts NULL.
 *   - The library never prints, aborts or exits, and keeps no global mutable
 *     state.
 *
 * Errors:
 *   Every fallible function returns an onnxmini_status (ONNXMINI_OK is 0).
 *   Functions that work on a session store a message naming what failed,
 *   where, and the value; read it with onnxmini_session_message(). Functions
 *   that create an object fill the onnxmini_error out-parameter instead,
 *   since there is no object yet to hold the message.
 */
#ifndef ONNXMINI_H
#define ONNXMINI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ===================================================================== */
/* Version                                                                */
/* ===================================================================== */

#define ONNXMINI_VERSION_MAJOR 0
#define ONNXMINI_VERSION_MINOR 1
#define ONNXMINI_VERSION_PATCH 0
#define ONNXMINI_VERSION_STRING "0.1.0"
/* One number for comparisons: MAJOR * 10000 + MINOR * 100 + PATCH. */
#define ONNXMINI_VERSION_NUMBER                                              \
    (ONNXMINI_VERSION_MAJOR * 10000 + ONNXMINI_VERSION_MINOR * 100 +         \
     ONNXMINI_VERSION_PATCH)

#if defined(_WIN32) && defined(ONNXMINI_SHARED_BUILD)
#define ONNXMINI_API __declspec(dllexport)
#elif defined(__GNUC__) && __GNUC__ >= 4
#define ONNXMINI_API __attribute__((visibility("default")))
#else
#define ONNXMINI_API
#endif

/* Returns the version of the linked library, such as "0.1.0". It may differ
 * from ONNXMINI_VERSION_STRING when the program was built against another
 * header. */
ONNXMINI_API const char *onnxmini_version(void);

/* Returns the linked library's ONNXMINI_VERSION_NUMBER. */
ONNXMINI_API unsigned onnxmini_version_number(void);

/* ===================================================================== */
/* Status codes                                                           */
/* ===================================================================== */

/* The values are stable: new codes are only ever appended. */
typedef enum onnxmini_status {
    ONNXMINI_OK = 0,
    /* A NULL pointer or an out-of-range argument in an API call. */
    ONNXMINI_ERR_INVALID_ARGUMENT = 1,
    /* A file could not be opened or read. */
    ONNXMINI_ERR_IO = 2,
    /* The bytes are not a valid ONNX protobuf message. */
    ONNXMINI_ERR_PARSE = 3,
    /* The model parses but breaks a rule of the ONNX format or of an
     * operator: an undefined tensor, a cycle, a bad attribute. */
    ONNXMINI_ERR_INVALID_MODEL = 4,
    /* The model uses an operator, opset version, element type or feature
     * that this library does not implement. */
    ONNXMINI_ERR_UNSUPPORTED = 5,
    /* An allocation failed or a configured memory limit was exceeded. */
    ONNXMINI_ERR_OUT_OF_MEMORY = 6,
    /* Shapes or element types do not fit: a fed input of the wrong shape,
     * a MatMul whose inner dimensions differ, an Add that cannot broadcast. */
    ONNXMINI_ERR_SHAPE = 7,
    /* No input or output has the given name or index. */
    ONNXMINI_ERR_NOT_FOUND = 8,
    /* A call made in the wrong order: run before every input is set, an
     * output read before a successful run. */
    ONNXMINI_ERR_STATE = 9,
    /* A size exceeds a limit: rank, elements per tensor, total bytes. */
    ONNXMINI_ERR_LIMIT = 10
} onnxmini_status;

/* Returns a short fixed description of a status code, such as
 * "unsupported feature"; never NULL. */
ONNXMINI_API const char *onnxmini_status_string(onnxmini_status status);

/* Length of the message buffer in onnxmini_error, including the final NUL. */
#define ONNXMINI_ERROR_MESSAGE_SIZE 512

/* The result of a call that creates an object. message is always
 * NUL-terminated; it is "" when status is ONNXMINI_OK. */
typedef struct onnxmini_error {
    onnxmini_status status;
    char message[ONNXMINI_ERROR_MESSAGE_SIZE];
} onnxmini_error;

/* ===================================================================== */
/* Element types                                                          */
/* ===================================================================== */

/* The values are those of ONNX TensorProto.DataType. */
typedef enum onnxmini_dtype {
    ONNXMINI_UNDEFINED = 0,
    ONNXMINI_FLOAT = 1,
    ONNXMINI_UINT8 = 2,
    ONNXMINI_INT8 = 3,
    ONNXMINI_UINT16 = 4,
    ONNXMINI_INT16 = 5,
    ONNXMINI_INT32 = 6,
    ONNXMINI_INT64 = 7,
    ONNXMINI_STRING = 8,
    ONNXMINI_BOOL = 9,
    ONNXMINI_FLOAT16 = 10,
    ONNXMINI_DOUBLE = 11,
    ONNXMINI_UINT32 = 12,
    ONNXMINI_UINT64 = 13,
    ONNXMINI_COMPLEX64 = 14,
    ONNXMINI_COMPLEX128 = 15,
    ONNXMINI_BFLOAT16 = 16
} onnxmini_dtype;

/* Returns the ONNX name of an element type ("float", "int64", ...), or
 * "unknown" for a value outside the enumeration. */
ONNXMINI_API const char *onnxmini_dtype_name(onnxmini_dtype dtype);

/* Returns the size in bytes of one element, or 0 for a type without a
 * fixed size (string) and for unknown values. */
ONNXMINI_API size_t onnxmini_dtype_size(onnxmini_dtype dtype);

/* ===================================================================== */
/* Models                                                                 */
/* ===================================================================== */

typedef struct onnxmini_model onnxmini_model;

/* Loads an ONNX model from a file.
 *
 * path   the .onnx file; read in binary mode.
 * model  receives the new model on success, NULL on failure.
 * error  receives the status and a message on failure; may be NULL.
 *
 * Operators, domains, opset versions and attributes are checked here: a
 * model that uses an operator the library does not implement fails to load
 * with ONNXMINI_ERR_UNSUPPORTED and a message that lists every missing one.
 * Element types and shapes are checked when a session plans (see
 * onnxmini_session_create()). The caller owns the model and frees it with
 * onnxmini_model_free(). */
ONNXMINI_API onnxmini_status onnxmini_model_load_file(const char *path,
                                                      onnxmini_model **model,
                                                      onnxmini_error *error);

/* Loads an ONNX model from a memory buffer of `size` bytes. The buffer is
 * only read during the call; the model keeps no pointer into it. The rest
 * is as for onnxmini_model_load_file(). */
ONNXMINI_API onnxmini_status onnxmini_model_load_memory(const void *data,
                                                        size_t size,
                                                        onnxmini_model **model,
                                                        onnxmini_error *error);

/* Memory functions the library calls instead of malloc and free, given in
 * onnxmini_load_options (for a model and, by default, its sessions) or in
 * onnxmini_session_options (for one session). The library calls them on
 * the thread that calls it, so sessions or models used on several threads
 * at once need functions that are safe to call concurrently. */
typedef struct onnxmini_allocator {
    /* Returns `bytes` bytes (at least 1) aligned to `alignment` (a power of
     * two, at most 64), or NULL when it cannot. */
    void *(*allocate)(void *user, size_t bytes, size_t alignment);
    /* Releases memory from allocate(); never called with NULL. */
    void (*release)(void *user, void *pointer);
    void *user;
} onnxmini_allocator;

/* Settings for loading: limits on what a model file may make the loader
 * allocate, and the allocator. Initialise with onnxmini_load_options_init()
 * before setting fields. */
typedef struct onnxmini_load_options {
    /* Size of the caller's struct, set by onnxmini_load_options_init().
     * Sizes down to that of the first version of the struct, which ended
     * with max_tensor_elements, are accepted: fields past struct_size take
     * their defaults. */
    size_t struct_size;
    /* Limits; 0 means no limit beyond the library's own (tensors of rank
     * 8 at most and of fewer than SIZE_MAX / 16 bytes). */
    size_t max_initializer_bytes; /* all initializers and Constant values */
    size_t max_tensor_elements;  /* per initializer or Constant value */
    /* The functions every allocation of the load goes through: the file's
     * contents, protobuf-c's parse tree and everything the model keeps.
     * NULL means malloc and free. The model copies the struct and releases
     * its memory through it in onnxmini_model_free(). Sessions created
     * without an allocator of their own use it too, so its functions and
     * `user` must stay valid until the model and those sessions are gone.
     * Opening a file (fopen) may still allocate inside the C library, and
     * loading from memory makes no other allocation. */
    const onnxmini_allocator *allocator;
} onnxmini_load_options;

/* Sets every field of *options to its default and struct_size to the size
 * of this library's struct.
 * NOTE: a program built against an older header whose struct is shorter
 * must be rebuilt before it calls this function of a newer library, which
 * would write past its struct. One that sets struct_size itself works with
 * newer libraries unchanged. */
ONNXMINI_API void onnxmini_load_options_init(onnxmini_load_options *options);

/* onnxmini_model_load_file() with limits and an allocator; options may be
 * NULL. A model over a limit fails with ONNXMINI_ERR_LIMIT naming the
 * tensor, and an allocation that fails with ONNXMINI_ERR_OUT_OF_MEMORY,
 * after everything allocated so far has been released. */
ONNXMINI_API onnxmini_status onnxmini_model_load_file_with(
    const char *path, const onnxmini_load_options *options,
    onnxmini_model **model, onnxmini_error *error);

/* onnxmini_model_load_memory() with limits and an allocator; options may
 * be NULL. */
ONNXMINI_API onnxmini_status onnxmini_model_load_memory_with(
    const void *data, size_t size, const onnxmini_load_options *options,
    onnxmini_model **model, onnxmini_error *error);

/* Frees a model, through the allocator it was loaded with. NULL is
 * allowed. Every session created from the model must have been destroyed
 * first. */
ONNXMINI_API void onnxmini_model_free(onnxmini_model *model);

/* Description of a graph input or output. The pointers stay valid as long
 * as the model lives. */
typedef struct onnxmini_value_info {
    const char *name;
    onnxmini_dtype dtype;
    /* Rank, or -1 when the model declares no shape. */
    int rank;
    /* [rank] sizes; -1 where a dimension is symbolic or unknown. */
    const int64_t *dims;
    /* [rank] names of symbolic dimensions ("N", "batch"); an entry is NULL
     * where the dimension is a fixed number or has no name. */
    const char *const *dim_names;
} onnxmini_value_info;

/* Number of graph inputs a caller feeds. Inputs backed by an initializer
 * (weights that IR-version-3 models also list as inputs) are not counted. */
ONNXMINI_API size_t onnxmini_model_input_count(const onnxmini_model *model);

/* Number of graph outputs. */
ONNXMINI_API size_t onnxmini_model_output_count(const onnxmini_model *model);

/* Fills *info for input `index` (0 .. input_count - 1). Returns
 * ONNXMINI_ERR_NOT_FOUND for an index out of range. */
ONNXMINI_API onnxmini_status onnxmini_model_input_info(
    const onnxmini_model *model, size_t index, onnxmini_value_info *info);

/* Fills *info for output `index` (0 .. output_count - 1). */
ONNXMINI_API onnxmini_status onnxmini_model_output_info(
    const onnxmini_model *model, size_t index, onnxmini_value_info *info);

/* ===================================================================== */
/* Sessions                                                               */
/* ===================================================================== */

typedef struct onnxmini_session onnxmini_session;

/* The maximum number of intra-op threads of a session. */
#define ONNXMINI_MAX_THREADS 1024

/* Settings for a session. Initialise with onnxmini_session_options_init()
 * before setting fields, so that fields added later get their defaults. */
typedef struct onnxmini_session_options {
    /* Size of this struct, set by onnxmini_session_options_init(). */
    size_t struct_size;
    /* Kernel instruction set: NULL or "" for the best the CPU has (or the
     * one named by the environment variable ONNXMINI_ISA), else a name such
     * as "scalar". A name the library or the CPU does not have makes
     * session creation fail. */
    const char *isa;
    /* Intra-op threads; 0 or 1 runs on the calling thread. At most
     * ONNXMINI_MAX_THREADS. */
    int threads;
    /* 1 (the default) lets the session rewrite the graph for speed: a Conv
     * or MatMul followed by an Add of a constant bias and by a Relu runs
     * as one node. 0 runs every node as written, to compare results. */
    int graph_rewrites;
    /* The functions every allocation of the session goes through. NULL
     * means the model's: onnxmini_load_options.allocator, or malloc and
     * free when the model was loaded without one. After
     * onnxmini_session_create() returns, only a set_input that changes a
     * shape allocates, and onnxmini_session_run() never does. */
    const onnxmini_allocator *allocator;
    /* Caller's memory for the arena (intermediate values and scratch),
     * 64-byte aligned, or NULL to allocate it. It must stay valid until
     * the session is destroyed; onnxmini_session_required_bytes() says
     * how large it must be. A plan that needs more fails with
     * ONNXMINI_ERR_OUT_OF_MEMORY. */
    void *arena;
    size_t arena_bytes;
    /* Limits checked when the session plans (0: none): the arena's size,
     * and the element count of any tensor the graph computes. A plan over
     * a limit fails with ONNXMINI_ERR_LIMIT naming the node and output. */
    size_t max_arena_bytes;
    size_t max_tensor_elements;
} onnxmini_session_options;

/* Computes the arena a session of this model needs with these options,
 * its inputs at their declared shapes (symbolic dimensions 1), and stores
 * it in *arena_bytes. It plans a temporary session and allocates only
 * through the session's allocator (see onnxmini_session_options). */
ONNXMINI_API onnxmini_status onnxmini_session_required_bytes(
    const onnxmini_model *model, const onnxmini_session_options *options,
    size_t *arena_bytes, onnxmini_error *error);

/* Sets every field of *options to its default. */
ONNXMINI_API void onnxmini_session_options_init(
    onnxmini_session_options *options);

/* Creates a session: infers shapes from the declared input shapes, picks
 * kernels and plans memory.
 *
 * options  NULL for the defaults.
 * session  receives the new session, NULL on failure.
 * error    receives the status and message on failure; may be NULL.
 *
 * A symbolic dimension (such as a batch size "N") is planned with size 1
 * until an input binds it; see onnxmini_session_set_input(). When the
 * model does not fit size 1 (a 5x5 convolution over a symbolic image
 * size) and the planning fails with ONNXMINI_ERR_SHAPE, the session is
 * still created, without a plan. The first set_input that binds sizes
 * that fit plans it, and runs fail with ONNXMINI_ERR_STATE until then. */
ONNXMINI_API onnxmini_status onnxmini_session_create(
    const onnxmini_model *model, const onnxmini_session_options *options,
    onnxmini_session **session, onnxmini_error *error);

/* Destroys a session. NULL is allowed. Output views become invalid. */
ONNXMINI_API void onnxmini_session_destroy(onnxmini_session *session);

/* Returns the message of the last failed call on this session, or "" when
 * the last call succeeded. Valid until the next call on the session. */
ONNXMINI_API const char *onnxmini_session_message(
    const onnxmini_session *session);

/* Returns the name of the kernel instruction set the session uses, such as
 * "scalar". */
ONNXMINI_API const char *onnxmini_session_isa(const onnxmini_session *session);

/* Returns the number of kernel instruction sets that this build has and
 * this CPU runs, at least 1 (the portable "scalar" one). */
ONNXMINI_API size_t onnxmini_isa_count(void);

/* Returns the name of instruction set `index`, 0 being the fastest (the
 * default), or NULL for an index out of range. The names are those that
 * onnxmini_session_options.isa and ONNXMINI_ISA accept. */
ONNXMINI_API const char *onnxmini_isa_name(size_t index);

/* Sets a graph input by name. Besides the inputs counted by
 * onnxmini_model_input_count(), this accepts an initializer that the graph
 * also lists as an input in a model of IR version 4 or later: the feed then
 * replaces the initializer's value, with the same element type and shape.
 *
 * dtype, dims, rank  the element type and shape of the data. They must
 *                    match the model's declaration; a symbolic dimension
 *                    takes the size given here, and every input that uses
 *                    the same name must agree on it.
 * data, bytes        the elements in row-major order; bytes must equal the
 *                    element count times the element size.
 *
 * The session borrows `data` (no copy), and every later run reads it, so
 * the buffer must stay valid until another set_input replaces it or the
 * session is destroyed, and unchanged while a run reads it. When a
 * symbolic dimension takes a new size, the session re-plans its memory
 * here, never inside onnxmini_session_run().
 *
 * When the new binding cannot be planned with the other inputs (a Reshape
 * target that does not fit, a broadcast that does not match), the call
 * fails but keeps the binding. Inputs whose shapes must change together
 * can so be set one after the other. Until every binding plans, a run
 * fails with ONNXMINI_ERR_STATE and the planning error. A binding rejected
 * on its own (element type, declared shape, byte count) is not kept. */
ONNXMINI_API onnxmini_status onnxmini_session_set_input(
    onnxmini_session *session, const char *name, onnxmini_dtype dtype,
    const int64_t *dims, size_t rank, const void *data, size_t bytes);

/* Sets graph input `index` (the order of onnxmini_model_input_info()). */
ONNXMINI_API onnxmini_status onnxmini_session_set_input_at(
    onnxmini_session *session, size_t index, onnxmini_dtype dtype,
    const int64_t *dims, size_t rank, const void *data, size_t bytes);

/* Runs the graph. Every input must have been set. Performs no heap
 * allocation. */
ONNXMINI_API onnxmini_status onnxmini_session_run(onnxmini_session *session);

/* A view of a tensor owned by the session. */
typedef struct onnxmini_tensor {
    onnxmini_dtype dtype;
    size_t rank;
    const int64_t *dims;     /* [rank] */
    const void *data;        /* elements in row-major order */
    size_t bytes;            /* element count times element size */
} onnxmini_tensor;

/* Fills *tensor with a view of graph output `index` after a successful run.
 * The view stays valid until the next set_input, run or destroy on the
 * session. */
ONNXMINI_API onnxmini_status onnxmini_session_output(onnxmini_session *session,
                                                     size_t index,
                                                     onnxmini_tensor *tensor);

/* Like onnxmini_session_output(), for the output with the given name. */
ONNXMINI_API onnxmini_status onnxmini_session_output_by_name(
    onnxmini_session *session, const char *name, onnxmini_tensor *tensor);

/* Copies graph output `index` into `buffer` of `capacity` bytes. Returns
 * ONNXMINI_ERR_INVALID_ARGUMENT, copying nothing, when the buffer is too
 * small; *bytes (if not NULL) receives the size needed either way. */
ONNXMINI_API onnxmini_status onnxmini_session_copy_output(
    onnxmini_session *session, size_t index, void *buffer, size_t capacity,
    size_t *bytes);

/* Memory a session uses for its current plan, in bytes. */
typedef struct onnxmini_memory_info {
    size_t arena_bytes;          /* one allocation: values and scratch */
    size_t values_bytes;         /* intermediate values as placed */
    size_t values_lower_bound;   /* the largest total size of intermediate
                                    values alive at the same time: no
                                    placement needs less */
    size_t scratch_bytes;        /* working memory of the largest node */
    size_t packed_bytes;         /* weights repacked for the kernels */
    size_t initializer_bytes;    /* the model's weights, shared by sessions */
} onnxmini_memory_info;

/* Fills *info for the session's current plan. Returns ONNXMINI_ERR_STATE
 * while the session has no plan (an input it needs is not set yet). */
ONNXMINI_API onnxmini_status onnxmini_session_memory(
    const onnxmini_session *session, onnxmini_memory_info *info);

/* ===================================================================== */
/* Operators                                                              */
/* ===================================================================== */

/* One operator this library implements. */
typedef struct onnxmini_op_info {
    const char *domain;          /* "" for the default ONNX domain */
    const char *op_type;         /* "Conv" */
    int first_opset;             /* the oldest opset version supported */
    int last_opset;              /* the newest opset version supported */
} onnxmini_op_info;

/* Returns the number of operators the library implements. */
ONNXMINI_API size_t onnxmini_op_count(void);

/* Fills *info for operator `index` (0 .. onnxmini_op_count() - 1), in
 * alphabetical order. Returns ONNXMINI_ERR_NOT_FOUND past the end. */
ONNXMINI_API onnxmini_status onnxmini_op_get(size_t index,
                                             onnxmini_op_info *info);

/* Returns 1 when the library implements op_type of `domain` ("" or
 * "ai.onnx" for the default domain) as a model importing `opset` for that
 * domain uses it, else 0. */
ONNXMINI_API int onnxmini_op_supported(const char *domain, const char *op_type,
                                       int64_t opset);

/* ===================================================================== */
/* Serialized tensors                                                     */
/* ===================================================================== */

/* A tensor decoded from a serialized ONNX TensorProto, such as the
 * input_0.pb and output_0.pb files of the ONNX backend tests. */
typedef struct onnxmini_tensor_proto onnxmini_tensor_proto;

/* Decodes a TensorProto from `size` bytes. Elements stored as raw_data or
 * in the typed fields are both read; external data, segments and string
 * tensors are rejected with ONNXMINI_ERR_UNSUPPORTED. The caller frees the
 * result with onnxmini_tensor_proto_free(). */
ONNXMINI_API onnxmini_status onnxmini_tensor_proto_load_memory(
    const void *data, size_t size, onnxmini_tensor_proto **tensor,
    onnxmini_error *error);

/* Like onnxmini_tensor_proto_load_memory(), from a file. */
ONNXMINI_API onnxmini_status onnxmini_tensor_proto_load_file(
    const char *path, onnxmini_tensor_proto **tensor, onnxmini_error *error);

/* The two functions above with load options (NULL for the defaults): the
 * tensor counts against the limits as one initializer would, and every
 * allocation, the tensor's included, goes through options->allocator. */
ONNXMINI_API onnxmini_status onnxmini_tensor_proto_load_memory_with(
    const void *data, size_t size, const onnxmini_load_options *options,
    onnxmini_tensor_proto **tensor, onnxmini_error *error);
ONNXMINI_API onnxmini_status onnxmini_tensor_proto_load_file_with(
    const char *path, const onnxmini_load_options *options,
    onnxmini_tensor_proto **tensor, onnxmini_error *error);

/* Returns the tensor's name, "" when the file gives none. */
ONNXMINI_API const char *onnxmini_tensor_proto_name(
    const onnxmini_tensor_proto *tensor);

/* Fills *view with the tensor's type, shape and elements (host byte
 * order), valid until the tensor is freed. */
ONNXMINI_API void onnxmini_tensor_proto_view(const onnxmini_tensor_proto *tensor,
                                             onnxmini_tensor *view);

/* Frees a decoded tensor, through the allocator it was decoded with. NULL
 * is allowed. */
ONNXMINI_API void onnxmini_tensor_proto_free(onnxmini_tensor_proto *tensor);

#ifdef __cplusplus
}
#endif

#endif /* ONNXMINI_H */
