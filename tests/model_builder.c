/*
 * model_builder.c - builds ONNX models in memory for the tests; see
 * model_builder.h for the contract.
 *
 * Every allocation goes through track(), which links a header in front of
 * the block into the model's list, so mb_model_free() releases the whole
 * protobuf tree without walking it. An array that grows (nodes, inputs,
 * attributes) is replaced by a copy twice the size when full. The old copy
 * stays on the list until the model is freed.
 */
#include "model_builder.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Header in front of every block the model owns; the union keeps the
 * block's payload aligned for any type. */
typedef union block_header {
    union block_header *next;
    max_align_t align;
} block_header;

/* Data that mb_run() feeds to one graph input. */
typedef struct feed {
    char *name;
    onnxmini_dtype dtype;
    size_t rank;
    int64_t *dims;      /* [rank] */
    void *data;         /* never NULL, even for 0 bytes */
    size_t bytes;
} feed;

struct mb_model {
    Onnxmini__Pb__ModelProto proto;
    Onnxmini__Pb__GraphProto graph;
    block_header *blocks;
    feed *feeds;
    size_t n_feeds;
};

struct mb_node {
    mb_model *model;
    Onnxmini__Pb__NodeProto *proto;
};

/* Number of mismatching elements printed before the rest are only
 * counted. */
#define MAX_PRINTED_MISMATCHES 10

/* ===================================================================== */
/* Owned memory                                                           */
/* ===================================================================== */

static void out_of_memory(size_t bytes)
{
    fprintf(stderr, "model_builder: out of memory allocating %zu bytes\n",
            bytes);
    abort();
}

void *mb_alloc(mb_model *m, size_t bytes)
{
    block_header *block;

    if (bytes > SIZE_MAX - sizeof(block_header))
        out_of_memory(bytes);
    block = calloc(1, sizeof(block_header) + bytes);
    if (block == NULL)
        out_of_memory(bytes);
    block->next = m->blocks;
    m->blocks = block;
    return block + 1;
}

char *mb_strdup(mb_model *m, const char *s)
{
    size_t length;
    char *copy;

    if (s == NULL)
        return NULL;
    length = strlen(s);
    copy = mb_alloc(m, length + 1);
    memcpy(copy, s, length + 1);
    return copy;
}

static void *copy_bytes(mb_model *m, const void *data, size_t bytes)
{
    /* One spare byte so that a copy of nothing is still a valid pointer. */
    void *copy = mb_alloc(m, bytes + 1);

    if (bytes > 0)
        memcpy(copy, data, bytes);
    return copy;
}

/* Returns an array with room for element `count`: the same array while its
 * capacity (4, then the next power of two) has room, else a larger copy. */
static void *grow(mb_model *m, void *array, size_t count, size_t elem_size)
{
    void *bigger;

    if (count == 0)
        return mb_alloc(m, 4 * elem_size);
    if (count < 4 || (count & (count - 1)) != 0)
        return array;
    bigger = mb_alloc(m, 2 * count * elem_size);
    memcpy(bigger, array, count * elem_size);
    return bigger;
}

#define APPEND(m, array, count, item)                                        \
    do {                                                                     \
        (array) = grow((m), (array), (count), sizeof *(array));              \
        (array)[(count)++] = (item);                                         \
    } while (0)

/* ===================================================================== */
/* Models                                                                 */
/* ===================================================================== */

mb_model *mb_model_new(int64_t ir_version)
{
    mb_model *m = calloc(1, sizeof *m);

    if (m == NULL)
        out_of_memory(sizeof *m);
    onnxmini__pb__model_proto__init(&m->proto);
    onnxmini__pb__graph_proto__init(&m->graph);
    if (ir_version >= 0) {
        m->proto.has_ir_version = 1;
        m->proto.ir_version = ir_version;
    }
    m->proto.producer_name = mb_strdup(m, "onnxmini-tests");
    m->graph.name = mb_strdup(m, "test");
    m->proto.graph = &m->graph;
    return m;
}

/* Returns the IR version that ONNX released together with a default-domain
 * opset version (the table in ONNX's docs/Versioning.md). */
static int64_t ir_version_for_opset(int64_t opset)
{
    if (opset <= 8)
        return 3;
    if (opset <= 11)
        return opset - 5;       /* opset 9 -> IR 4, 10 -> 5, 11 -> 6 */
    if (opset <= 13)
        return 7;
    if (opset <= 18)
        return 8;
    if (opset <= 20)
        return 9;
    return 10;
}

mb_model *mb_op_model(int64_t opset)
{
    mb_model *m = mb_model_new(ir_version_for_opset(opset));

    mb_opset(m, "", opset);
    return m;
}

void mb_model_free(mb_model *m)
{
    block_header *block;

    if (m == NULL)
        return;
    block = m->blocks;
    while (block != NULL) {
        block_header *next = block->next;
        free(block);
        block = next;
    }
    free(m);
}

Onnxmini__Pb__OperatorSetIdProto *mb_opset(mb_model *m, const char *domain,
                                           int64_t version)
{
    Onnxmini__Pb__OperatorSetIdProto *opset = mb_alloc(m, sizeof *opset);

    onnxmini__pb__operator_set_id_proto__init(opset);
    opset->domain = mb_strdup(m, domain);
    opset->has_version = 1;
    opset->version = version;
    APPEND(m, m->proto.opset_import, m->proto.n_opset_import, opset);
    return opset;
}

Onnxmini__Pb__ModelProto *mb_model_proto(mb_model *m)
{
    return &m->proto;
}

Onnxmini__Pb__GraphProto *mb_graph_proto(mb_model *m)
{
    return &m->graph;
}

uint8_t *mb_model_pack(mb_model *m, size_t *size)
{
    size_t length = onnxmini__pb__model_proto__get_packed_size(&m->proto);
    uint8_t *bytes = malloc(length > 0 ? length : 1);

    if (bytes == NULL)
        out_of_memory(length);
    *size = onnxmini__pb__model_proto__pack(&m->proto, bytes);
    return bytes;
}

onnxmini_status mb_model_load(mb_model *m, onnxmini_model **model,
                              onnxmini_error *error)
{
    size_t size;
    uint8_t *bytes = mb_model_pack(m, &size);
    onnxmini_status status = onnxmini_model_load_memory(bytes, size, model,
                                                        error);

    free(bytes);
    return status;
}

/* ===================================================================== */
/* Graph inputs, outputs and value_info                                   */
/* ===================================================================== */

#define DIM_PARAM ONNXMINI__PB__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM
#define DIM_VALUE ONNXMINI__PB__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE

static Onnxmini__Pb__ValueInfoProto *
new_value_info(mb_model *m, const char *name, onnxmini_dtype dtype, int rank,
               const int64_t *dims, const char *const *dim_names)
{
    Onnxmini__Pb__ValueInfoProto *info = mb_alloc(m, sizeof *info);
    Onnxmini__Pb__TypeProto *type = mb_alloc(m, sizeof *type);
    Onnxmini__Pb__TypeProto__Tensor *tensor = mb_alloc(m, sizeof *tensor);

    onnxmini__pb__value_info_proto__init(info);
    onnxmini__pb__type_proto__init(type);
    onnxmini__pb__type_proto__tensor__init(tensor);
    info->name = mb_strdup(m, name);
    info->type = type;
    type->value_case = ONNXMINI__PB__TYPE_PROTO__VALUE_TENSOR_TYPE;
    type->tensor_type = tensor;
    if (dtype != ONNXMINI_UNDEFINED) {
        tensor->has_elem_type = 1;
        tensor->elem_type = (int32_t)dtype;
    }

    /* A shape with no dims is a scalar; no shape at all is MB_NO_SHAPE. */
    if (rank >= 0) {
        Onnxmini__Pb__TensorShapeProto *shape = mb_alloc(m, sizeof *shape);

        onnxmini__pb__tensor_shape_proto__init(shape);
        shape->n_dim = (size_t)rank;
        shape->dim = mb_alloc(m, (size_t)rank * sizeof *shape->dim + 1);
        for (int i = 0; i < rank; i++) {
            Onnxmini__Pb__TensorShapeProto__Dimension *dim =
                mb_alloc(m, sizeof *dim);

            onnxmini__pb__tensor_shape_proto__dimension__init(dim);
            if (dim_names != NULL && dim_names[i] != NULL) {
                dim->value_case = DIM_PARAM;
                dim->dim_param = mb_strdup(m, dim_names[i]);
            } else if (dims[i] >= 0) {
                dim->value_case = DIM_VALUE;
                dim->dim_value = dims[i];
            }
            shape->dim[i] = dim;
        }
        tensor->shape = shape;
    }
    return info;
}

Onnxmini__Pb__ValueInfoProto *mb_input(mb_model *m, const char *name,
                                       onnxmini_dtype dtype, int rank,
                                       const int64_t *dims)
{
    return mb_input_symbolic(m, name, dtype, rank, dims, NULL);
}

Onnxmini__Pb__ValueInfoProto *mb_input_symbolic(mb_model *m, const char *name,
                                                onnxmini_dtype dtype, int rank,
                                                const int64_t *dims,
                                                const char *const *dim_names)
{
    Onnxmini__Pb__ValueInfoProto *info =
        new_value_info(m, name, dtype, rank, dims, dim_names);

    APPEND(m, m->graph.input, m->graph.n_input, info);
    return info;
}

Onnxmini__Pb__ValueInfoProto *mb_output(mb_model *m, const char *name,
                                        onnxmini_dtype dtype, int rank,
                                        const int64_t *dims)
{
    return mb_output_symbolic(m, name, dtype, rank, dims, NULL);
}

Onnxmini__Pb__ValueInfoProto *mb_output_symbolic(mb_model *m,
                                                 const char *name,
                                                 onnxmini_dtype dtype,
                                                 int rank, const int64_t *dims,
                                                 const char *const *dim_names)
{
    Onnxmini__Pb__ValueInfoProto *info =
        new_value_info(m, name, dtype, rank, dims, dim_names);

    APPEND(m, m->graph.output, m->graph.n_output, info);
    return info;
}

Onnxmini__Pb__ValueInfoProto *mb_value_info(mb_model *m, const char *name,
                                            onnxmini_dtype dtype, int rank,
                                            const int64_t *dims)
{
    Onnxmini__Pb__ValueInfoProto *info =
        new_value_info(m, name, dtype, rank, dims, NULL);

    APPEND(m, m->graph.value_info, m->graph.n_value_info, info);
    return info;
}

/* ===================================================================== */
/* Tensors and initializers                                               */
/* ===================================================================== */

size_t mb_dtype_size(onnxmini_dtype dtype)
{
    switch (dtype) {
    case ONNXMINI_UINT8:
    case ONNXMINI_INT8:
    case ONNXMINI_BOOL:
        return 1;
    case ONNXMINI_UINT16:
    case ONNXMINI_INT16:
    case ONNXMINI_FLOAT16:
    case ONNXMINI_BFLOAT16:
        return 2;
    case ONNXMINI_FLOAT:
    case ONNXMINI_INT32:
    case ONNXMINI_UINT32:
        return 4;
    case ONNXMINI_INT64:
    case ONNXMINI_DOUBLE:
    case ONNXMINI_UINT64:
    case ONNXMINI_COMPLEX64:
        return 8;
    case ONNXMINI_COMPLEX128:
        return 16;
    case ONNXMINI_UNDEFINED:
    case ONNXMINI_STRING:
        return 0;
    }
    return 0;
}

size_t mb_element_count(int rank, const int64_t *dims)
{
    size_t count = 1;

    for (int i = 0; i < rank; i++)
        count *= dims[i] > 0 ? (size_t)dims[i] : 0;
    return count;
}

/* Reads element i of `data` (C type of dtype) as an int32 for int32_data,
 * which ONNX uses for every integer type of 32 bits or less. */
static int32_t element_as_int32(onnxmini_dtype dtype, const void *data,
                                size_t i)
{
    switch (dtype) {
    case ONNXMINI_INT8:
        return ((const int8_t *)data)[i];
    case ONNXMINI_UINT8:
    case ONNXMINI_BOOL:
        return ((const uint8_t *)data)[i];
    case ONNXMINI_INT16:
        return ((const int16_t *)data)[i];
    case ONNXMINI_UINT16:
    case ONNXMINI_FLOAT16:
    case ONNXMINI_BFLOAT16:
        return ((const uint16_t *)data)[i];
    default:
        return ((const int32_t *)data)[i];
    }
}

static void set_typed_data(mb_model *m, Onnxmini__Pb__TensorProto *t,
                           onnxmini_dtype dtype, const void *data,
                           size_t count)
{
    switch (dtype) {
    case ONNXMINI_FLOAT:
    case ONNXMINI_COMPLEX64:
        t->n_float_data = dtype == ONNXMINI_FLOAT ? count : 2 * count;
        t->float_data = copy_bytes(m, data, t->n_float_data * sizeof(float));
        break;
    case ONNXMINI_DOUBLE:
    case ONNXMINI_COMPLEX128:
        t->n_double_data = dtype == ONNXMINI_DOUBLE ? count : 2 * count;
        t->double_data =
            copy_bytes(m, data, t->n_double_data * sizeof(double));
        break;
    case ONNXMINI_INT64:
        t->n_int64_data = count;
        t->int64_data = copy_bytes(m, data, count * sizeof(int64_t));
        break;
    case ONNXMINI_UINT64:
        t->n_uint64_data = count;
        t->uint64_data = copy_bytes(m, data, count * sizeof(uint64_t));
        break;
    case ONNXMINI_UINT32:
        t->n_uint64_data = count;
        t->uint64_data = mb_alloc(m, count * sizeof(uint64_t) + 1);
        for (size_t i = 0; i < count; i++)
            t->uint64_data[i] = ((const uint32_t *)data)[i];
        break;
    case ONNXMINI_STRING:
        t->n_string_data = count;
        t->string_data = mb_alloc(m, count * sizeof *t->string_data + 1);
        for (size_t i = 0; i < count; i++) {
            const char *s = ((const char *const *)data)[i];

            t->string_data[i].len = strlen(s);
            t->string_data[i].data = copy_bytes(m, s, strlen(s));
        }
        break;
    default:
        t->n_int32_data = count;
        t->int32_data = mb_alloc(m, count * sizeof(int32_t) + 1);
        for (size_t i = 0; i < count; i++)
            t->int32_data[i] = element_as_int32(dtype, data, i);
        break;
    }
}

/* Creates a TensorProto with name, type and dims but no data. */
static Onnxmini__Pb__TensorProto *new_tensor(mb_model *m, const char *name,
                                             onnxmini_dtype dtype, int rank,
                                             const int64_t *dims)
{
    Onnxmini__Pb__TensorProto *t = mb_alloc(m, sizeof *t);

    onnxmini__pb__tensor_proto__init(t);
    t->name = mb_strdup(m, name);
    t->has_data_type = 1;
    t->data_type = (int32_t)dtype;
    if (rank > 0) {
        t->n_dims = (size_t)rank;
        t->dims = copy_bytes(m, dims, (size_t)rank * sizeof(int64_t));
    }
    return t;
}

Onnxmini__Pb__TensorProto *mb_tensor_proto(mb_model *m, const char *name,
                                           onnxmini_dtype dtype, int rank,
                                           const int64_t *dims,
                                           const void *data,
                                           mb_storage storage)
{
    Onnxmini__Pb__TensorProto *t = new_tensor(m, name, dtype, rank, dims);
    size_t count = mb_element_count(rank, dims);

    /* raw_data is little-endian; the hosts the tests run on (x86-64 and
     * aarch64) are too, so the C array's bytes are copied as they are.
     * Strings have no raw form and always use string_data. */
    if (storage == MB_RAW && dtype != ONNXMINI_STRING) {
        size_t bytes = count * mb_dtype_size(dtype);

        t->has_raw_data = 1;
        t->raw_data.len = bytes;
        t->raw_data.data = copy_bytes(m, data, bytes);
    } else {
        set_typed_data(m, t, dtype, data, count);
    }
    return t;
}

Onnxmini__Pb__TensorProto *mb_initializer(mb_model *m, const char *name,
                                          onnxmini_dtype dtype, int rank,
                                          const int64_t *dims,
                                          const void *data,
                                          mb_storage storage)
{
    Onnxmini__Pb__TensorProto *t =
        mb_tensor_proto(m, name, dtype, rank, dims, data, storage);

    APPEND(m, m->graph.initializer, m->graph.n_initializer, t);
    return t;
}

Onnxmini__Pb__TensorProto *mb_initializer_raw(mb_model *m, const char *name,
                                              onnxmini_dtype dtype, int rank,
                                              const int64_t *dims,
                                              const void *data, size_t bytes)
{
    Onnxmini__Pb__TensorProto *t = new_tensor(m, name, dtype, rank, dims);

    t->has_raw_data = 1;
    t->raw_data.len = bytes;
    t->raw_data.data = copy_bytes(m, data, bytes);
    APPEND(m, m->graph.initializer, m->graph.n_initializer, t);
    return t;
}

/* ===================================================================== */
/* Nodes and attributes                                                   */
/* ===================================================================== */

/* Copies a NULL-terminated name list into a counted array. */
static char **copy_names(mb_model *m, const char *const *names,
                         size_t *count)
{
    size_t n = 0;
    char **copy;

    while (names != NULL && names[n] != NULL)
        n++;
    copy = mb_alloc(m, n * sizeof *copy + 1);
    for (size_t i = 0; i < n; i++)
        copy[i] = mb_strdup(m, names[i]);
    *count = n;
    return copy;
}

mb_node *mb_node_add(mb_model *m, const char *op_type, const char *name,
                     const char *const *inputs, const char *const *outputs)
{
    mb_node *n = mb_alloc(m, sizeof *n);
    Onnxmini__Pb__NodeProto *node = mb_alloc(m, sizeof *node);

    onnxmini__pb__node_proto__init(node);
    node->op_type = mb_strdup(m, op_type);
    node->name = mb_strdup(m, name);
    node->input = copy_names(m, inputs, &node->n_input);
    node->output = copy_names(m, outputs, &node->n_output);
    APPEND(m, m->graph.node, m->graph.n_node, node);
    n->model = m;
    n->proto = node;
    return n;
}

void mb_node_domain(mb_node *n, const char *domain)
{
    n->proto->domain = mb_strdup(n->model, domain);
}

Onnxmini__Pb__NodeProto *mb_node_proto(mb_node *n)
{
    return n->proto;
}

Onnxmini__Pb__AttributeProto *mb_attr_empty(mb_node *n, const char *name,
                                            int type)
{
    mb_model *m = n->model;
    Onnxmini__Pb__AttributeProto *attr = mb_alloc(m, sizeof *attr);

    onnxmini__pb__attribute_proto__init(attr);
    attr->name = mb_strdup(m, name);
    attr->has_type = 1;
    attr->type = type;
    APPEND(m, n->proto->attribute, n->proto->n_attribute, attr);
    return attr;
}

Onnxmini__Pb__AttributeProto *mb_attr_int(mb_node *n, const char *name,
                                          int64_t value)
{
    Onnxmini__Pb__AttributeProto *attr = mb_attr_empty(
        n, name, ONNXMINI__PB__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);

    attr->has_i = 1;
    attr->i = value;
    return attr;
}

Onnxmini__Pb__AttributeProto *mb_attr_float(mb_node *n, const char *name,
                                            float value)
{
    Onnxmini__Pb__AttributeProto *attr = mb_attr_empty(
        n, name, ONNXMINI__PB__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);

    attr->has_f = 1;
    attr->f = value;
    return attr;
}

Onnxmini__Pb__AttributeProto *mb_attr_string(mb_node *n, const char *name,
                                             const char *value)
{
    Onnxmini__Pb__AttributeProto *attr = mb_attr_empty(
        n, name, ONNXMINI__PB__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING);

    attr->has_s = 1;
    attr->s.len = strlen(value);
    attr->s.data = copy_bytes(n->model, value, attr->s.len);
    return attr;
}

Onnxmini__Pb__AttributeProto *mb_attr_ints(mb_node *n, const char *name,
                                           int count, const int64_t *values)
{
    Onnxmini__Pb__AttributeProto *attr = mb_attr_empty(
        n, name, ONNXMINI__PB__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);

    attr->n_ints = (size_t)count;
    attr->ints = copy_bytes(n->model, values, attr->n_ints * sizeof(int64_t));
    return attr;
}

Onnxmini__Pb__AttributeProto *mb_attr_floats(mb_node *n, const char *name,
                                             int count, const float *values)
{
    Onnxmini__Pb__AttributeProto *attr = mb_attr_empty(
        n, name, ONNXMINI__PB__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS);

    attr->n_floats = (size_t)count;
    attr->floats =
        copy_bytes(n->model, values, attr->n_floats * sizeof(float));
    return attr;
}

Onnxmini__Pb__AttributeProto *mb_attr_strings(mb_node *n, const char *name,
                                              int count,
                                              const char *const *values)
{
    mb_model *m = n->model;
    Onnxmini__Pb__AttributeProto *attr = mb_attr_empty(
        n, name, ONNXMINI__PB__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS);

    attr->n_strings = (size_t)count;
    attr->strings = mb_alloc(m, attr->n_strings * sizeof *attr->strings + 1);
    for (size_t i = 0; i < attr->n_strings; i++) {
        attr->strings[i].len = strlen(values[i]);
        attr->strings[i].data = copy_bytes(m, values[i], strlen(values[i]));
    }
    return attr;
}

Onnxmini__Pb__AttributeProto *mb_attr_tensor(mb_node *n, const char *name,
                                             onnxmini_dtype dtype, int rank,
                                             const int64_t *dims,
                                             const void *data,
                                             mb_storage storage)
{
    Onnxmini__Pb__AttributeProto *attr = mb_attr_empty(
        n, name, ONNXMINI__PB__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR);

    attr->t =
        mb_tensor_proto(n->model, NULL, dtype, rank, dims, data, storage);
    return attr;
}

/* ===================================================================== */
/* Running a model                                                        */
/* ===================================================================== */

void mb_feed(mb_model *m, const char *name, onnxmini_dtype dtype, int rank,
             const int64_t *dims, const void *data)
{
    feed f;

    f.name = mb_strdup(m, name);
    f.dtype = dtype;
    f.rank = rank > 0 ? (size_t)rank : 0;
    f.dims = copy_bytes(m, dims, f.rank * sizeof(int64_t));
    f.bytes = mb_element_count(rank, dims) * mb_dtype_size(dtype);
    f.data = copy_bytes(m, data, f.bytes);
    APPEND(m, m->feeds, m->n_feeds, f);
}

void mb_input_data(mb_model *m, const char *name, onnxmini_dtype dtype,
                   int rank, const int64_t *dims, const void *data)
{
    mb_input(m, name, dtype, rank, dims);
    mb_feed(m, name, dtype, rank, dims, data);
}

static void *malloc_or_abort(size_t bytes)
{
    void *p = malloc(bytes > 0 ? bytes : 1);

    if (p == NULL)
        out_of_memory(bytes);
    return p;
}

/* Copies a session's output view into memory owned by the result. */
static void copy_output(const onnxmini_tensor *view, mb_tensor *out)
{
    out->dtype = view->dtype;
    out->rank = view->rank;
    out->dims = malloc_or_abort(view->rank * sizeof(int64_t));
    if (view->rank > 0)
        memcpy(out->dims, view->dims, view->rank * sizeof(int64_t));
    out->count = mb_element_count((int)view->rank, view->dims);
    out->bytes = view->bytes;
    out->data = NULL;
    if (view->bytes > 0) {
        out->data = malloc_or_abort(view->bytes);
        memcpy(out->data, view->data, view->bytes);
    }
}

static void record_failure(mb_result *result, onnxmini_status status,
                           mb_step step, const char *message)
{
    result->status = status;
    result->step = step;
    snprintf(result->message, sizeof result->message, "%s",
             message != NULL ? message : "");
}

onnxmini_status mb_run(mb_model *m, mb_result *result)
{
    return mb_run_with(m, NULL, result);
}

onnxmini_status mb_run_with(mb_model *m,
                            const onnxmini_session_options *options,
                            mb_result *result)
{
    onnxmini_model *model = NULL;
    onnxmini_session *session = NULL;
    onnxmini_error error;
    onnxmini_status status;

    memset(result, 0, sizeof *result);
    result->status = ONNXMINI_OK;
    result->step = MB_STEP_DONE;

    /* Load and plan. */
    status = mb_model_load(m, &model, &error);
    if (status != ONNXMINI_OK) {
        record_failure(result, status, MB_STEP_LOAD, error.message);
        goto done;
    }
    status = onnxmini_session_create(model, options, &session, &error);
    if (status != ONNXMINI_OK) {
        record_failure(result, status, MB_STEP_SESSION, error.message);
        goto done;
    }

    /* Feed and run. */
    for (size_t i = 0; i < m->n_feeds; i++) {
        const feed *f = &m->feeds[i];

        status = onnxmini_session_set_input(session, f->name, f->dtype,
                                            f->dims, f->rank, f->data,
                                            f->bytes);
        if (status != ONNXMINI_OK) {
            record_failure(result, status, MB_STEP_INPUT,
                           onnxmini_session_message(session));
            goto done;
        }
    }
    status = onnxmini_session_run(session);
    if (status != ONNXMINI_OK) {
        record_failure(result, status, MB_STEP_RUN,
                       onnxmini_session_message(session));
        goto done;
    }

    /* Copy out every graph output. */
    result->n_outputs = onnxmini_model_output_count(model);
    result->outputs =
        malloc_or_abort(result->n_outputs * sizeof *result->outputs);
    memset(result->outputs, 0, result->n_outputs * sizeof *result->outputs);
    for (size_t i = 0; i < result->n_outputs; i++) {
        onnxmini_tensor view;

        status = onnxmini_session_output(session, i, &view);
        if (status != ONNXMINI_OK) {
            record_failure(result, status, MB_STEP_OUTPUT,
                           onnxmini_session_message(session));
            goto done;
        }
        copy_output(&view, &result->outputs[i]);
    }

done:
    onnxmini_session_destroy(session);
    onnxmini_model_free(model);
    return result->status;
}

void mb_result_free(mb_result *result)
{
    if (result == NULL)
        return;
    for (size_t i = 0; i < result->n_outputs; i++) {
        free(result->outputs[i].dims);
        free(result->outputs[i].data);
    }
    free(result->outputs);
    result->outputs = NULL;
    result->n_outputs = 0;
}

const char *mb_step_name(mb_step step)
{
    switch (step) {
    case MB_STEP_LOAD:
        return "load";
    case MB_STEP_SESSION:
        return "session create";
    case MB_STEP_INPUT:
        return "set input";
    case MB_STEP_RUN:
        return "run";
    case MB_STEP_OUTPUT:
        return "output";
    case MB_STEP_DONE:
        return "done";
    }
    return "unknown";
}

/* ===================================================================== */
/* Comparing results                                                      */
/* ===================================================================== */

/* The labels set by mb_context() and mb_subcontext(). They are global
 * because the checks have no other way to reach them, and cmocka runs one
 * test at a time. */
static char context_label[256];
static char subcontext_label[128];

void mb_context(const char *format, ...)
{
    va_list args;

    va_start(args, format);
    vsnprintf(context_label, sizeof context_label, format, args);
    va_end(args);
    subcontext_label[0] = '\0';
}

void mb_subcontext(const char *format, ...)
{
    va_list args;

    va_start(args, format);
    vsnprintf(subcontext_label, sizeof subcontext_label, format, args);
    va_end(args);
}

static void print_context(void)
{
    if (context_label[0] != '\0' || subcontext_label[0] != '\0')
        print_error("in case: %s%s%s\n", context_label,
                    context_label[0] != '\0' && subcontext_label[0] != '\0'
                        ? ", "
                        : "",
                    subcontext_label);
}

/* Returns the builder's own name for a dtype, for failure messages. */
static const char *dtype_label(onnxmini_dtype dtype)
{
    static const char *const names[] = {
        "undefined", "float", "uint8", "int8", "uint16", "int16", "int32",
        "int64", "string", "bool", "float16", "double", "uint32", "uint64",
        "complex64", "complex128", "bfloat16",
    };

    if ((unsigned)dtype < sizeof names / sizeof names[0])
        return names[dtype];
    return "unknown";
}

static int reals_match(double actual, double expected, double tol)
{
    if (isnan(expected))
        return isnan(actual);
    if (isinf(expected))
        return actual == expected;
    if (isnan(actual) || isinf(actual))
        return 0;
    return fabs(actual - expected) <= tol * (1.0 + fabs(expected));
}

/* Reads element i of an integer dtype as a signed 64-bit value; uint64
 * values above INT64_MAX are compared through their bits. */
static int64_t integer_at(onnxmini_dtype dtype, const void *data, size_t i)
{
    switch (dtype) {
    case ONNXMINI_UINT8:
    case ONNXMINI_BOOL:
        return ((const uint8_t *)data)[i];
    case ONNXMINI_INT8:
        return ((const int8_t *)data)[i];
    case ONNXMINI_UINT16:
    case ONNXMINI_FLOAT16:
    case ONNXMINI_BFLOAT16:
        return ((const uint16_t *)data)[i];
    case ONNXMINI_INT16:
        return ((const int16_t *)data)[i];
    case ONNXMINI_INT32:
        return ((const int32_t *)data)[i];
    case ONNXMINI_UINT32:
        return ((const uint32_t *)data)[i];
    case ONNXMINI_UINT64:
        return (int64_t)((const uint64_t *)data)[i];
    default:
        return ((const int64_t *)data)[i];
    }
}

size_t mb_count_mismatches(onnxmini_dtype dtype, const void *actual,
                           const void *expected, size_t count, double tol)
{
    size_t mismatches = 0;

    for (size_t i = 0; i < count; i++) {
        int match;
        double a = 0, e = 0;
        int64_t ia = 0, ie = 0;
        int real = dtype == ONNXMINI_FLOAT || dtype == ONNXMINI_DOUBLE;

        if (dtype == ONNXMINI_FLOAT) {
            a = ((const float *)actual)[i];
            e = ((const float *)expected)[i];
        } else if (dtype == ONNXMINI_DOUBLE) {
            a = ((const double *)actual)[i];
            e = ((const double *)expected)[i];
        } else {
            ia = integer_at(dtype, actual, i);
            ie = integer_at(dtype, expected, i);
        }
        match = real ? reals_match(a, e, tol) : ia == ie;
        if (match)
            continue;

        mismatches++;
        if (mismatches > MAX_PRINTED_MISMATCHES)
            continue;
        if (real)
            print_error("element %zu: actual %.9g, expected %.9g\n", i, a, e);
        else
            print_error("element %zu: actual %lld, expected %lld\n", i,
                        (long long)ia, (long long)ie);
    }
    if (mismatches > MAX_PRINTED_MISMATCHES)
        print_error("... %zu mismatching elements in all\n", mismatches);
    return mismatches;
}

static void print_shape(const char *label, size_t rank, const int64_t *dims)
{
    char text[256];
    size_t used = 0;

    text[0] = '\0';
    for (size_t i = 0; i < rank && used < sizeof text; i++)
        used += (size_t)snprintf(text + used, sizeof text - used, "%s%lld",
                                 i > 0 ? ", " : "", (long long)dims[i]);
    print_error("%s shape [%s]\n", label, text);
}

size_t mb_check_tensor(const mb_tensor *t, onnxmini_dtype dtype, int rank,
                       const int64_t *dims, const void *expected, double tol)
{
    size_t problems = 0;
    size_t count = mb_element_count(rank, dims);

    if (t->dtype != dtype) {
        print_context();
        print_error("output dtype %s, expected %s\n", dtype_label(t->dtype),
                    dtype_label(dtype));
        return 1;
    }
    if (t->rank != (size_t)rank ||
        (rank > 0 && memcmp(t->dims, dims, (size_t)rank * sizeof *dims))) {
        print_context();
        print_shape("actual", t->rank, t->dims);
        print_shape("expected", (size_t)rank, dims);
        return 1;
    }
    if (t->bytes != count * mb_dtype_size(dtype)) {
        print_context();
        print_error("output has %zu bytes, expected %zu for %zu elements\n",
                    t->bytes, count * mb_dtype_size(dtype), count);
        return 1;
    }
    if (count > 0)
        problems += mb_count_mismatches(dtype, t->data, expected, count, tol);
    if (problems > 0)
        print_context();
    return problems;
}

int mb_result_ok(const mb_result *result)
{
    if (result->status == ONNXMINI_OK)
        return 1;
    print_context();
    print_error("%s failed with status %d: %s\n", mb_step_name(result->step),
                (int)result->status, result->message);
    return 0;
}

int mb_result_error(const mb_result *result, const char *text)
{
    if (result->status == ONNXMINI_OK) {
        print_context();
        print_error("expected a failure, but every step succeeded\n");
        return 0;
    }
    if (text != NULL && strstr(result->message, text) == NULL) {
        print_error("%s failed with status %d as expected, but the message "
                    "\"%s\" does not contain \"%s\"\n",
                    mb_step_name(result->step), (int)result->status,
                    result->message, text);
        return 0;
    }
    return 1;
}

int mb_result_model_error(const mb_result *result, const char *text)
{
    if (!mb_result_error(result, text))
        return 0;
    if (result->step != MB_STEP_LOAD && result->step != MB_STEP_SESSION) {
        print_error("expected a failure at load or session create, got one "
                    "at %s: %s\n",
                    mb_step_name(result->step), result->message);
        return 0;
    }
    return 1;
}

void mb_random_floats(uint32_t *seed, float *data, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        /* Numerical Recipes' 32-bit LCG; the top bits are the most random. */
        *seed = *seed * 1664525u + 1013904223u;
        data[i] = (float)((int)(*seed >> 24) % 33 - 16) / 4.0f;
    }
}

/* ===================================================================== */
/* cmocka fixture                                                         */
/* ===================================================================== */

typedef struct mb_case {
    mb_model *model;
    mb_model *scratch;      /* only an owner of mb_case_alloc() memory */
    mb_result result;
} mb_case;

int mb_case_setup(void **state)
{
    mb_case *c = calloc(1, sizeof *c);

    if (c == NULL)
        return -1;
    c->scratch = mb_model_new(-1);
    context_label[0] = '\0';
    subcontext_label[0] = '\0';
    *state = c;
    return 0;
}

int mb_case_teardown(void **state)
{
    mb_case *c = *state;

    if (c == NULL)
        return 0;
    mb_result_free(&c->result);
    mb_model_free(c->model);
    mb_model_free(c->scratch);
    free(c);
    *state = NULL;
    return 0;
}

mb_model *mb_case_model(void **state, int64_t opset)
{
    mb_case *c = *state;

    mb_model_free(c->model);
    c->model = mb_op_model(opset);
    return c->model;
}

mb_model *mb_case_model_ir(void **state, int64_t ir_version)
{
    mb_case *c = *state;

    mb_model_free(c->model);
    c->model = mb_model_new(ir_version);
    return c->model;
}

mb_result *mb_case_run(void **state)
{
    return mb_case_run_with(state, NULL);
}

mb_result *mb_case_run_with(void **state,
                            const onnxmini_session_options *options)
{
    mb_case *c = *state;

    mb_result_free(&c->result);
    mb_run_with(c->model, options, &c->result);
    return &c->result;
}

void *mb_case_alloc(void **state, size_t bytes)
{
    mb_case *c = *state;

    return mb_alloc(c->scratch, bytes);
}
