/*
 * internal.h - the in-memory IR shared by the loader, the session and the
 * operators. Nothing here is part of the public API.
 */
#ifndef OM_INTERNAL_H
#define OM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "onnxmini.h"

/* The largest tensor rank the library handles. Fixed-size shape arrays keep
 * shape work free of allocation. */
#define OM_MAX_RANK 8

/* Alignment of initializers and of every buffer in a session's arena, in
 * bytes: one cache line, and enough for any vector load. */
#define OM_ALIGNMENT 64

/* The largest tensor, in bytes. Far above any real allocation, and low
 * enough that sizes rounded up to OM_ALIGNMENT and sums of a few of them
 * cannot wrap around. */
#define OM_MAX_TENSOR_BYTES (SIZE_MAX / 16)

/* The newest version of the default ONNX operator set whose definitions of
 * the supported operators this library knows. */
#define OM_MAX_ONNX_OPSET 24

#if defined(__MINGW32__) && !defined(__clang__)
/* MinGW's GCC checks "printf" formats against msvcrt.dll, which lacks %zu.
 * The library is built with MinGW's own C99 printf (__USE_MINGW_ANSI_STDIO,
 * which _POSIX_C_SOURCE turns on), so formats are checked as C99 ones.
 * Clang has no gnu_printf and checks "printf" as C99 already. */
#define OM_PRINTF(fmt, args) __attribute__((format(gnu_printf, fmt, args)))
#elif defined(__GNUC__) || defined(__clang__)
#define OM_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define OM_PRINTF(fmt, args)
#endif

/* ------------------------------------------------------------------ errors */

/* Stores status and a formatted message in *err (which may be NULL) and
 * returns status. */
onnxmini_status om_fail(onnxmini_error *err, onnxmini_status status,
                        const char *fmt, ...) OM_PRINTF(3, 4);

/* Marks *err as a success: status OK and an empty message. */
void om_clear(onnxmini_error *err);

/* ------------------------------------------------------------------ memory */

/* Alignment of the library's own objects, arrays and strings (not tensor
 * data), in bytes: enough for any scalar type. */
#define OM_OBJECT_ALIGNMENT 16

/* The allocator of a model or session whose caller gives none: the C
 * library's malloc and free (posix_memalign for alignments above
 * max_align_t's, _aligned_malloc on Windows). */
extern const onnxmini_allocator om_default_allocator;

/* Allocate through `a`, where a size of 0 counts as 1. om_malloc and
 * om_calloc align to OM_OBJECT_ALIGNMENT, om_aligned_malloc to
 * OM_ALIGNMENT (for tensor data). om_calloc zeroes the block and returns
 * NULL when count * size overflows. */
void *om_malloc(const onnxmini_allocator *a, size_t bytes);
void *om_calloc(const onnxmini_allocator *a, size_t count, size_t size);
void *om_aligned_malloc(const onnxmini_allocator *a, size_t bytes);
/* Releases a block from the functions above. NULL is allowed. */
void om_free(const onnxmini_allocator *a, void *p);
/* Copies s ("" when NULL) into memory from `a`. */
char *om_strdup(const onnxmini_allocator *a, const char *s);

/* Reads a whole file in binary mode into a buffer from `a`. `what` names
 * the file's role in messages ("model"). An empty file is an error. */
onnxmini_status om_read_file(const onnxmini_allocator *a, const char *path,
                             const char *what, void **data, size_t *size,
                             onnxmini_error *err);

/* ------------------------------------------------------------------ shapes */

typedef struct om_shape {
    int rank;
    int64_t dims[OM_MAX_RANK];
} om_shape;

/* Product of dims, or -1 when it overflows or a dimension is negative. */
int64_t om_shape_count(const int64_t *dims, int rank);

/* Writes "[1,3,28,28]" into buf and returns buf. */
const char *om_dims_str(const int64_t *dims, int rank, char *buf, size_t size);
#define OM_DIMS_STR_SIZE 160

/* ------------------------------------------------------------------ values */

typedef enum om_value_kind {
    OM_VALUE_INTERMEDIATE = 0, /* produced by a node */
    OM_VALUE_INPUT,            /* fed by the caller */
    OM_VALUE_INITIALIZER       /* constant data owned by the model */
} om_value_kind;

/* One named tensor of the graph. */
typedef struct om_value {
    char *name;
    om_value_kind kind;
    int dtype;                        /* onnxmini_dtype; 0 when undeclared */
    int rank;                         /* declared rank; -1 when undeclared */
    int64_t dims[OM_MAX_RANK];        /* declared sizes; -1 when unknown */
    char *dim_names[OM_MAX_RANK];     /* symbolic names, NULL when fixed */
    void *data;                       /* initializer elements, aligned */
    size_t bytes;                     /* initializer size in bytes */
    int producer;                     /* node index, -1 when none */
    int is_graph_output;
} om_value;

/* ------------------------------------------------------------- attributes */

/* AttributeProto.AttributeType values. */
enum {
    OM_ATTR_FLOAT = 1,
    OM_ATTR_INT = 2,
    OM_ATTR_STRING = 3,
    OM_ATTR_TENSOR = 4,
    OM_ATTR_GRAPH = 5,
    OM_ATTR_FLOATS = 6,
    OM_ATTR_INTS = 7,
    OM_ATTR_STRINGS = 8,
    OM_ATTR_TENSORS = 9,
    OM_ATTR_GRAPHS = 10,
    OM_ATTR_SPARSE_TENSOR = 11,
    OM_ATTR_SPARSE_TENSORS = 12,
    OM_ATTR_TYPE_PROTO = 13,
    OM_ATTR_TYPE_PROTOS = 14
};

/* A constant tensor held by an attribute (Constant's value). */
typedef struct om_const_tensor {
    int dtype;
    int rank;
    int64_t dims[OM_MAX_RANK];
    void *data;                       /* aligned, owned */
    size_t bytes;
} om_const_tensor;

/* Load limits and what the loader has used of them; NULL for none. */
typedef struct om_load_limits {
    size_t max_initializer_bytes;     /* 0: no limit */
    size_t max_tensor_elements;       /* 0: no limit */
    size_t used_bytes;
} om_load_limits;

/* Checks load options (NULL for the defaults) and stores the allocator
 * they name, or om_default_allocator, in *alloc and their limits in
 * *limits. Fields past options->struct_size take their defaults. */
onnxmini_status om_load_options_read(const onnxmini_load_options *options,
                                     onnxmini_allocator *alloc,
                                     om_load_limits *limits,
                                     onnxmini_error *err);

struct ProtobufCMessage;
struct ProtobufCMessageDescriptor;

/* Parses a serialized message of the given type with protobuf-c, every
 * allocation going through `a`. Returns NULL on failure and then sets
 * *out_of_memory to 1 when an allocation failed, 0 when the bytes are not
 * such a message. om_unpack_free releases a result through the same
 * allocator, and NULL is allowed. */
struct ProtobufCMessage *om_unpack(
    const onnxmini_allocator *a,
    const struct ProtobufCMessageDescriptor *descriptor, size_t size,
    const void *data, int *out_of_memory);
void om_unpack_free(const onnxmini_allocator *a,
                    struct ProtobufCMessage *message);

/* Copies the elements of an Onnxmini__Pb__TensorProto into *out (aligned,
 * allocated through `a`; out->data is set even on failure and must be
 * freed). External data is read relative to base_dir, which is NULL for a
 * model loaded from memory. `what` and `name` name the tensor in messages
 * ("initializer 'W'"). */
onnxmini_status om_convert_tensor(const onnxmini_allocator *a,
                                  const void *proto, const char *base_dir,
                                  const char *what, const char *name,
                                  om_load_limits *limits, om_const_tensor *out,
                                  onnxmini_error *err);

/* Reads the external data of a TensorProto, `bytes` bytes, into a new
 * aligned buffer from `a` stored in *data, allocated only once the file is
 * known to hold them. */
onnxmini_status om_read_external(const onnxmini_allocator *a,
                                 const void *proto, const char *base_dir,
                                 const char *what, const char *name,
                                 size_t bytes, void **data,
                                 onnxmini_error *err);

/* Returns the folder part of a path ("." when it has none) in memory from
 * `a`. */
char *om_dirname(const onnxmini_allocator *a, const char *path);

typedef struct om_attr {
    char *name;
    int type;                         /* OM_ATTR_* */
    float f;
    int64_t i;
    char *s;                          /* NUL-terminated copy of the bytes */
    size_t s_len;
    float *floats;                    /* [count] for FLOATS */
    int64_t *ints;                    /* [count] for INTS */
    size_t count;
    om_const_tensor *t;               /* for TENSOR */
} om_attr;

/* ------------------------------------------------------------------- nodes */

struct om_op;

typedef struct om_node {
    char *name;                       /* "" when the model gives none */
    char *op_type;
    char *domain;                     /* "" for the default ONNX domain */
    int opset;                        /* version imported for the domain */
    int since_version;                /* of the operator definition in use */
    const struct om_op *op;
    int *inputs;                      /* [n_inputs] value ids, -1 = omitted */
    int n_inputs;
    int *outputs;                     /* [n_outputs] value ids, -1 = omitted */
    int n_outputs;
    om_attr *attrs;                   /* [n_attrs] */
    int n_attrs;
} om_node;

typedef struct om_opset {
    char *domain;
    int64_t version;
} om_opset;

/* ------------------------------------------------------------------- model */

struct onnxmini_model {
    /* The loader's allocator: every block of the model comes from it, and
     * it is the default allocator of the model's sessions. */
    onnxmini_allocator alloc;

    int64_t ir_version;
    char *producer_name;
    char *producer_version;
    char *graph_name;

    om_opset *opsets;                 /* [n_opsets] */
    int n_opsets;

    om_value *values;                 /* [n_values] every named tensor */
    int n_values;

    om_node *nodes;                   /* [n_nodes] in topological order */
    int n_nodes;

    /* Graph inputs: the n_inputs that the caller must feed, followed by
     * the n_defaults initializers that a feed may override (those listed
     * as graph inputs in IR version 4 and later). */
    int *inputs;                      /* [n_inputs + n_defaults] */
    int n_inputs;
    int n_defaults;
    int *outputs;                     /* [n_outputs] graph outputs */
    int n_outputs;
};

/* The value that `value` copies through a chain of Identity nodes, or
 * `value` itself. PyTorch's exporter routes shared weights that way. */
int om_value_source(const onnxmini_model *model, int value);

/* Whether a value is the same for every run: an initializer that no feed
 * may override, or the output of a Constant node, directly or through
 * Identity nodes. */
int om_value_is_constant(const onnxmini_model *model, int value);

/* Looks a value up by name; returns its id or -1. */
int om_model_find_value(const onnxmini_model *model, const char *name);

/* Writes "node 'conv1' (Conv)" for messages into buf and returns buf. */
const char *om_node_label(const om_node *node, char *buf, size_t size);
#define OM_LABEL_SIZE 200

/* Fails with a message that starts with the node's label. */
onnxmini_status om_node_fail(onnxmini_error *err, const om_node *node,
                             onnxmini_status status, const char *fmt, ...)
    OM_PRINTF(4, 5);

/* Orders model->nodes topologically (Kahn's algorithm, stable for nodes
 * already in order). A cycle is an error naming the nodes on it. */
onnxmini_status om_graph_sort(onnxmini_model *model, onnxmini_error *err);

/* -------------------------------------------------------------- attributes */

const om_attr *om_attr_find(const om_node *node, const char *name);

/* Each getter leaves *out at `def` when the attribute is absent, and fails
 * naming the node and attribute when it has another kind. */
onnxmini_status om_attr_int(const om_node *node, const char *name,
                            int64_t def, int64_t *out, onnxmini_error *err);
onnxmini_status om_attr_float(const om_node *node, const char *name,
                              float def, float *out, onnxmini_error *err);
/* *out is NULL when absent. */
onnxmini_status om_attr_string(const om_node *node, const char *name,
                               const char **out, onnxmini_error *err);
/* *values is NULL and *count 0 when absent. */
onnxmini_status om_attr_ints(const om_node *node, const char *name,
                             const int64_t **values, size_t *count,
                             onnxmini_error *err);

/* ------------------------------------------------------------------ tensors */

/* A tensor as a session sees it while planning and running. */
typedef struct om_tensor {
    int dtype;
    int rank;
    int64_t dims[OM_MAX_RANK];
    size_t count;                     /* elements */
    size_t bytes;
    void *data;                       /* NULL while planning unless constant */
    int is_constant;                  /* data is known at plan time */
} om_tensor;

/* Sets dtype, rank, dims, count and bytes, checking the element count and
 * byte size for overflow and against max_bytes. */
onnxmini_status om_tensor_set_shape(om_tensor *t, int dtype, const int64_t *dims,
                                    int rank, onnxmini_error *err);

size_t om_dtype_size(int dtype);
const char *om_dtype_name(int dtype);

/* ------------------------------------------------------------ broadcasting */

/* Output shape of multidirectional (numpy-style) broadcasting of a and b.
 * Fails with ONNXMINI_ERR_SHAPE naming both shapes. */
onnxmini_status om_broadcast_shape(const int64_t *a, int rank_a,
                                   const int64_t *b, int rank_b,
                                   int64_t *out, int *rank_out,
                                   const om_node *node, onnxmini_error *err);

/* An iteration plan over a broadcast binary operation: the output is walked
 * as `rows` rows of `inner` elements, and input offsets advance by their
 * element strides (0 along a broadcast dimension). Adjacent dimensions that
 * broadcast the same way are merged so that rows are as long as possible. */
typedef struct om_bcast {
    int rank;                         /* after merging, >= 1 */
    int64_t dims[OM_MAX_RANK];
    int64_t stride_a[OM_MAX_RANK];
    int64_t stride_b[OM_MAX_RANK];
} om_bcast;

void om_bcast_init(om_bcast *bc, const int64_t *a, int rank_a,
                   const int64_t *b, int rank_b, const int64_t *out,
                   int rank_out);

/* Calls row(ctx, n, offset_a, step_a, offset_b, step_b, offset_out) for each
 * innermost row; steps are 0 or 1. */
typedef void (*om_bcast_row_fn)(void *ctx, size_t n, size_t off_a,
                                size_t step_a, size_t off_b, size_t step_b,
                                size_t off_out);
void om_bcast_run(const om_bcast *bc, om_bcast_row_fn row, void *ctx);

#endif /* OM_INTERNAL_H */
