/*
 * fuzz_graph.c - structured fuzz target: the input bytes are a small
 * program that builds an ONNX model with the protobuf-c types generated
 * from onnx.proto.
 *
 * Why a structured target: most mutations of fuzz_model.c's .onnx files
 * break the wire format, a name or a shape, so few of its inputs get past
 * the loader into planning and the kernels. Here every input becomes a
 * valid message, packed and then loaded from memory like any file. The
 * bytes choose what matters to the library instead: the opset and IR
 * version, the graph inputs with fixed, symbolic and unknown dimensions,
 * a chain of up to MAX_NODES supported operators (Add, Clip, Concat,
 * Constant, Conv, Flatten, Gemm, GlobalAveragePool, Identity, MatMul,
 * MaxPool, Relu, Reshape) with their attributes, initializers in raw_data
 * or typed fields, and the graph outputs. A simple shape tracker picks shapes
 * that mostly fit, so that most graphs get past the loader into planning,
 * fusion, packing and the kernels. About one input in eight gets a defect
 * (a wrong attribute type, a dangling name, a cycle, a raw_data of the
 * wrong length, ...) to reach the error paths.
 *
 * Instrumenting protobuf-c's parser (`make fuzz` builds it from Debian's
 * source package) helps fuzz_model.c through the wire format, but the
 * parser is not this project's code; generating valid messages reaches
 * the converter and the operators in far fewer executions.
 *
 * Input layout: the first bytes choose the model (each choice takes one
 * byte; bytes past the end read as 0, which always picks the most common
 * valid option), and whatever follows fills the graph inputs. In "exact"
 * mode (the default) all data are small multiples of 1/4 and at most one
 * Conv, Gemm or MatMul node is built, so every kernel gives the same sums,
 * and the outputs of sessions without rewrites and with the scalar kernels
 * must match the default session's. In "wild" mode the data are raw bytes
 * (NaN, infinities, integer extremes) and only memory safety, undefined
 * behaviour and determinism are checked.
 *
 * What an input builds changes whenever this file changes, so an input
 * that finds a bug is kept as the model it builds (written by setting
 * FUZZ_GRAPH_DUMP, see dump_model()) under tests/fuzz/regressions/model/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_support.h"
#include "onnx.pb-c.h"

typedef Onnxmini__Pb__ModelProto ModelProto;
typedef Onnxmini__Pb__GraphProto GraphProto;
typedef Onnxmini__Pb__NodeProto NodeProto;
typedef Onnxmini__Pb__AttributeProto AttributeProto;
typedef Onnxmini__Pb__TensorProto TensorProto;
typedef Onnxmini__Pb__ValueInfoProto ValueInfoProto;

#define MAX_NODES 10
#define MAX_INITIALIZERS 32
#define MAX_INPUTS 8
#define MAX_OUTPUTS 8
#define MAX_VALUES 64
#define MAX_ATTRIBUTES 8
#define MAX_RANK 8
/* Largest element count of a generated initializer or Constant. */
#define MAX_TENSOR_ELEMENTS 1024
/* Conv, Gemm and MatMul nodes allowed in exact mode (see the file
 * comment). With one, every sum stays far below 2^24 units of its finest
 * step, so float and double represent it exactly in any order. */
#define MAX_EXACT_PRODUCTS 1
/* Relative tolerance between sessions in exact mode. Sums and products
 * are exact there, so only a division (the mean of GlobalAveragePool) may
 * round differently, by one unit in the last place. */
#define EXACT_TOLERANCE 1e-6

/* AttributeProto.AttributeType values. */
enum {
    ATTR_FLOAT = 1,
    ATTR_INT = 2,
    ATTR_STRING = 3,
    ATTR_TENSOR = 4,
    ATTR_FLOATS = 6,
    ATTR_INTS = 7
};

/* What the builder believes about a value. */
typedef struct value {
    char *name;
    int dtype;                        /* 0 when unknown */
    int rank;                         /* -1 when unknown */
    int64_t dims[MAX_RANK];
} value;

/* A block the builder owns, freed with the builder. */
typedef union block {
    union block *next;
    max_align_t align;
} block;

typedef struct builder {
    const uint8_t *data;              /* the bytes not yet read */
    size_t size;
    block *blocks;

    ModelProto model;
    GraphProto graph;
    Onnxmini__Pb__OperatorSetIdProto opset_proto;
    Onnxmini__Pb__OperatorSetIdProto *opset_list[1];
    NodeProto *nodes[MAX_NODES];
    TensorProto *initializers[MAX_INITIALIZERS];
    ValueInfoProto *inputs[MAX_INPUTS];
    ValueInfoProto *outputs[MAX_OUTPUTS];

    value values[MAX_VALUES];
    int n_values;
    int opset;
    int exact;                        /* exact mode, see the file comment */
    int products;                     /* Conv, Gemm and MatMul nodes */
    int default_dtype;
    /* 0, or the element limit (and 16 times it in bytes) to load with. */
    unsigned load_limits;
} builder;

/* ------------------------------------------------------------ bytes */

static unsigned take(builder *b)
{
    unsigned v;
    if (b->size == 0)
        return 0;
    v = b->data[0];
    b->data++;
    b->size--;
    return v;
}

/* A number in [0, n). */
static unsigned pick(builder *b, unsigned n)
{
    return take(b) % n;
}

/* True with a probability of about percent / 100; false past the end. */
static int chance(builder *b, unsigned percent)
{
    return b->size > 0 && take(b) * 100u < percent * 256u;
}

/* ------------------------------------------------------------ memory */

static void *alloc(builder *b, size_t bytes)
{
    block *p = calloc(1, sizeof(block) + bytes);
    FUZZ_CHECK(p != NULL, "the builder cannot allocate %zu bytes", bytes);
    p->next = b->blocks;
    b->blocks = p;
    return p + 1;
}

static char *copy_string(builder *b, const char *s)
{
    char *p = alloc(b, strlen(s) + 1);
    memcpy(p, s, strlen(s));
    return p;
}

static void free_blocks(builder *b)
{
    while (b->blocks) {
        block *next = b->blocks->next;
        free(b->blocks);
        b->blocks = next;
    }
}

/* ------------------------------------------------------------ values */

static size_t element_count(int rank, const int64_t *dims)
{
    size_t n = 1;
    int i;
    for (i = 0; i < rank; i++)
        n *= (size_t)(dims[i] > 0 ? dims[i] : 0);
    return n;
}

/* Registers a value; returns its index, or -1 when the table is full. */
static int add_value(builder *b, int dtype, int rank, const int64_t *dims)
{
    char name[16];
    value *v;

    if (b->n_values == MAX_VALUES)
        return -1;
    v = &b->values[b->n_values];
    snprintf(name, sizeof name, "v%d", b->n_values);
    v->name = copy_string(b, name);
    v->dtype = dtype;
    v->rank = rank;
    if (rank > 0)
        memcpy(v->dims, dims, (size_t)rank * sizeof *dims);
    return b->n_values++;
}

/* A value for an operator's main input: usually the newest one that
 * satisfies min_rank and the dtype filter (0 for any), else any such one.
 * Returns -1 when none does. */
static int pick_value(builder *b, int min_rank, const int *dtypes)
{
    int candidates[MAX_VALUES], n = 0, i;

    for (i = 0; i < b->n_values; i++) {
        const value *v = &b->values[i];
        int ok = v->rank >= min_rank;
        if (ok && dtypes) {
            const int *d;
            for (d = dtypes; *d && *d != v->dtype; d++)
                ;
            ok = *d != 0;
        }
        if (ok)
            candidates[n++] = i;
    }
    if (n == 0)
        return -1;
    if (!chance(b, 40))
        return candidates[n - 1];
    return candidates[pick(b, (unsigned)n)];
}

/* ------------------------------------------------------------ tensors */

static const int dtype_choices[] = {
    ONNXMINI_FLOAT,  ONNXMINI_DOUBLE, ONNXMINI_INT64,  ONNXMINI_INT32,
    ONNXMINI_INT8,   ONNXMINI_UINT8,  ONNXMINI_INT16,  ONNXMINI_UINT16,
    ONNXMINI_UINT32, ONNXMINI_UINT64, ONNXMINI_BOOL,   ONNXMINI_FLOAT16,
    ONNXMINI_BFLOAT16, ONNXMINI_COMPLEX64, ONNXMINI_STRING, 0, 99,
};

static int pick_dtype(builder *b)
{
    /* Mostly the model's main type, so that operators agree. */
    if (!chance(b, 15))
        return b->default_dtype;
    return dtype_choices[pick(b, sizeof dtype_choices /
                                     sizeof dtype_choices[0])];
}

/* Fills a TensorProto's elements, in raw_data or in the typed field that
 * ONNX assigns to the dtype, with data from the bytes. */
static void fill_tensor(builder *b, TensorProto *t, int dtype, size_t count)
{
    size_t elem = onnxmini_dtype_size((onnxmini_dtype)dtype), i;
    unsigned char *raw;

    if (elem == 0)
        return;                       /* string or unknown: no data */
    raw = alloc(b, count * elem + 1);
    for (i = 0; i < count; i++) {
        if (b->exact) {
            fuzz_small_value((onnxmini_dtype)dtype, take(b), raw + i * elem);
        } else {
            size_t j;
            for (j = 0; j < elem; j++)
                raw[i * elem + j] = (unsigned char)take(b);
        }
    }

    if (chance(b, 50)) {
        t->has_raw_data = 1;
        t->raw_data.data = raw;
        t->raw_data.len = count * elem;
        return;
    }
    switch (dtype) {
    case ONNXMINI_FLOAT:
    case ONNXMINI_COMPLEX64:
        t->n_float_data = count * elem / sizeof(float);
        t->float_data = (float *)(void *)raw;
        break;
    case ONNXMINI_DOUBLE:
    case ONNXMINI_COMPLEX128:
        t->n_double_data = count * elem / sizeof(double);
        t->double_data = (double *)(void *)raw;
        break;
    case ONNXMINI_INT64:
        t->n_int64_data = count;
        t->int64_data = (int64_t *)(void *)raw;
        break;
    case ONNXMINI_UINT32:
    case ONNXMINI_UINT64:
        t->n_uint64_data = count;
        t->uint64_data = alloc(b, count * sizeof(uint64_t) + 1);
        for (i = 0; i < count; i++) {
            uint64_t v = 0;
            memcpy(&v, raw + i * elem, elem);
            t->uint64_data[i] = v;
        }
        break;
    default:
        /* int32_data contains int32 and every narrower type, sign-extended
         * for the signed ones. */
        t->n_int32_data = count;
        t->int32_data = alloc(b, count * sizeof(int32_t) + 1);
        for (i = 0; i < count; i++) {
            int32_t v;
            if (elem == 4) {
                memcpy(&v, raw + i * elem, 4);
            } else if (elem == 2) {
                uint16_t h;
                memcpy(&h, raw + i * elem, 2);
                v = dtype == ONNXMINI_INT16 ? (int16_t)h : (int32_t)h;
            } else {
                v = dtype == ONNXMINI_INT8 ? (signed char)raw[i]
                                           : (int32_t)raw[i];
            }
            t->int32_data[i] = v;
        }
        break;
    }
}

/* Builds a TensorProto of the given type and shape, sometimes with a
 * defect that the loader must reject. */
static TensorProto *make_tensor(builder *b, const char *name, int dtype,
                                int rank, const int64_t *dims)
{
    TensorProto *t = alloc(b, sizeof *t);
    size_t count = element_count(rank, dims);
    int i;

    onnxmini__pb__tensor_proto__init(t);
    if (name)
        t->name = copy_string(b, name);
    t->has_data_type = 1;
    t->data_type = dtype;
    t->n_dims = (size_t)rank;
    t->dims = alloc(b, (size_t)(rank + 1) * sizeof *t->dims);
    for (i = 0; i < rank; i++)
        t->dims[i] = dims[i];
    if (count > MAX_TENSOR_ELEMENTS)
        count = 0;                    /* the loader must reject the size */
    fill_tensor(b, t, dtype, count);

    if (chance(b, 3)) {
        switch (pick(b, 5)) {
        case 0:                       /* one element too few */
            if (t->has_raw_data && t->raw_data.len)
                t->raw_data.len--;
            else if (t->n_float_data)
                t->n_float_data--;
            else if (t->n_int32_data)
                t->n_int32_data--;
            break;
        case 1:
            if (rank > 0)
                t->dims[pick(b, (unsigned)rank)] = -1 - (int64_t)take(b);
            break;
        case 2:                       /* a dimension too large to hold */
            if (rank > 0)
                t->dims[0] = INT64_MAX / (1 + take(b));
            break;
        case 3:
            t->has_data_location = 1;
            t->data_location =
                ONNXMINI__PB__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
            break;
        default:
            t->segment = alloc(b, sizeof *t->segment);
            onnxmini__pb__tensor_proto__segment__init(t->segment);
            break;
        }
    }
    return t;
}

/* Adds an initializer; returns its value index, or -1 when full. */
static int add_initializer(builder *b, int dtype, int rank,
                           const int64_t *dims)
{
    int id;

    if (b->graph.n_initializer == MAX_INITIALIZERS)
        return -1;
    id = add_value(b, dtype, rank, dims);
    if (id < 0)
        return -1;
    b->initializers[b->graph.n_initializer++] =
        make_tensor(b, b->values[id].name, dtype, rank, dims);
    return id;
}

/* ------------------------------------------------------------ inputs */

static ValueInfoProto *make_value_info(builder *b, const char *name,
                                       int dtype, int rank,
                                       const int64_t *dims,
                                       const char *const *dim_names)
{
    ValueInfoProto *vi = alloc(b, sizeof *vi);
    Onnxmini__Pb__TypeProto *type = alloc(b, sizeof *type);
    Onnxmini__Pb__TypeProto__Tensor *tensor = alloc(b, sizeof *tensor);
    int i;

    onnxmini__pb__value_info_proto__init(vi);
    onnxmini__pb__type_proto__init(type);
    onnxmini__pb__type_proto__tensor__init(tensor);
    vi->name = copy_string(b, name);
    vi->type = type;
    type->value_case = ONNXMINI__PB__TYPE_PROTO__VALUE_TENSOR_TYPE;
    type->tensor_type = tensor;
    if (dtype) {
        tensor->has_elem_type = 1;
        tensor->elem_type = dtype;
    }
    if (rank < 0)
        return vi;
    tensor->shape = alloc(b, sizeof *tensor->shape);
    onnxmini__pb__tensor_shape_proto__init(tensor->shape);
    tensor->shape->n_dim = (size_t)rank;
    tensor->shape->dim = alloc(b, (size_t)(rank + 1) * sizeof(void *));
    for (i = 0; i < rank; i++) {
        Onnxmini__Pb__TensorShapeProto__Dimension *d = alloc(b, sizeof *d);
        onnxmini__pb__tensor_shape_proto__dimension__init(d);
        if (dim_names && dim_names[i]) {
            d->value_case =
                ONNXMINI__PB__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
            d->dim_param = copy_string(b, dim_names[i]);
        } else if (dims[i] >= 0) {
            d->value_case =
                ONNXMINI__PB__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
            d->dim_value = dims[i];
        }
        tensor->shape->dim[i] = d;
    }
    return vi;
}

/* Adds a graph input. Each dimension is sometimes declared symbolic ("N"
 * or "M") or unknown; the harness feeds those with FUZZ_UNKNOWN_DIM, which
 * is what the builder assumes. Returns the value index, or -1. */
static int add_input(builder *b, int dtype, int rank, const int64_t *dims)
{
    static const char *const symbols[] = {"N", "M"};
    const char *names[MAX_RANK] = {0};
    int64_t declared[MAX_RANK], fed[MAX_RANK];
    int id, i;

    if (b->graph.n_input == MAX_INPUTS)
        return -1;
    for (i = 0; i < rank; i++) {
        declared[i] = dims[i];
        fed[i] = dims[i];
        if (chance(b, 10)) {
            names[i] = symbols[pick(b, 2)];
            fed[i] = FUZZ_UNKNOWN_DIM;
        } else if (chance(b, 5)) {
            declared[i] = -1;
            fed[i] = FUZZ_UNKNOWN_DIM;
        }
    }
    id = add_value(b, dtype, rank, fed);
    if (id < 0)
        return -1;
    b->inputs[b->graph.n_input++] =
        make_value_info(b, b->values[id].name, dtype,
                        chance(b, 3) ? -1 : rank, declared, names);
    return id;
}

/* A random shape: rank 0 to max_rank, sizes 1 to max_dim, sometimes 0. */
static int random_shape(builder *b, int min_rank, int max_rank, int max_dim,
                        int64_t *dims)
{
    int rank = min_rank + (int)pick(b, (unsigned)(max_rank - min_rank + 1));
    int i;
    for (i = 0; i < rank; i++)
        dims[i] = chance(b, 3) ? 0 : 1 + (int64_t)pick(b, (unsigned)max_dim);
    return rank;
}

/* A new value for an operand: a graph input or an initializer. */
static int new_operand(builder *b, int dtype, int rank, const int64_t *dims,
                       int constant_percent)
{
    if (chance(b, constant_percent))
        return add_initializer(b, dtype, rank, dims);
    return add_input(b, dtype, rank, dims);
}

/* ------------------------------------------------------------ nodes */

static NodeProto *add_node(builder *b, const char *op_type)
{
    NodeProto *n;

    if (b->graph.n_node == MAX_NODES)
        return NULL;
    n = alloc(b, sizeof *n);
    onnxmini__pb__node_proto__init(n);
    n->op_type = copy_string(b, op_type);
    n->input = alloc(b, 4 * sizeof(char *));
    n->output = alloc(b, 3 * sizeof(char *));
    n->attribute = alloc(b, MAX_ATTRIBUTES * sizeof(AttributeProto *));
    if (chance(b, 70)) {
        char name[24];
        snprintf(name, sizeof name, "node%zu", b->graph.n_node);
        n->name = copy_string(b, name);
    }
    b->nodes[b->graph.n_node++] = n;
    return n;
}

static void node_input(builder *b, NodeProto *n, int id)
{
    n->input[n->n_input++] = id >= 0 ? b->values[id].name : copy_string(b, "");
}

/* Adds a node output with the believed type and shape, and returns its
 * value index. When the table is full, the output gets the empty name and
 * the result is -1. */
static int node_output(builder *b, NodeProto *n, int dtype, int rank,
                       const int64_t *dims)
{
    int id = add_value(b, dtype, rank, dims);
    n->output[n->n_output++] = id >= 0 ? b->values[id].name
                                       : copy_string(b, "");
    return id;
}

static AttributeProto *add_attribute(builder *b, NodeProto *n,
                                     const char *name, int type)
{
    AttributeProto *a;

    if (n->n_attribute == MAX_ATTRIBUTES)
        return NULL;
    a = alloc(b, sizeof *a);
    onnxmini__pb__attribute_proto__init(a);
    a->name = copy_string(b, name);
    /* Early IR versions allowed attributes without a type field. */
    if (!chance(b, 5)) {
        a->has_type = 1;
        a->type = type;
    }
    n->attribute[n->n_attribute++] = a;
    return a;
}

static void attr_int(builder *b, NodeProto *n, const char *name, int64_t v)
{
    AttributeProto *a = add_attribute(b, n, name, ATTR_INT);
    if (a) {
        a->has_i = 1;
        a->i = v;
    }
}

static void attr_float(builder *b, NodeProto *n, const char *name, float v)
{
    AttributeProto *a = add_attribute(b, n, name, ATTR_FLOAT);
    if (a) {
        a->has_f = 1;
        a->f = v;
    }
}

static void attr_ints(builder *b, NodeProto *n, const char *name, int count,
                      const int64_t *v)
{
    AttributeProto *a = add_attribute(b, n, name, ATTR_INTS);
    if (a) {
        a->n_ints = (size_t)count;
        a->ints = alloc(b, (size_t)(count + 1) * sizeof *a->ints);
        if (count)
            memcpy(a->ints, v, (size_t)count * sizeof *v);
    }
}

static void attr_string(builder *b, NodeProto *n, const char *name,
                        const char *s)
{
    AttributeProto *a = add_attribute(b, n, name, ATTR_STRING);
    if (a) {
        a->has_s = 1;
        a->s.data = (uint8_t *)copy_string(b, s);
        a->s.len = strlen(s);
    }
}

/* A list attribute of `count` values in [lo, lo + span), given with the
 * given probability. */
static int maybe_ints(builder *b, NodeProto *n, const char *name, int count,
                      int64_t lo, unsigned span, unsigned percent,
                      int64_t *values)
{
    int i;
    if (!chance(b, percent))
        return 0;
    for (i = 0; i < count; i++)
        values[i] = lo + (int64_t)pick(b, span);
    attr_ints(b, n, name, count, values);
    return 1;
}

/* ------------------------------------------------------------ shapes */

/* numpy broadcasting; returns the rank, or -1 when the shapes do not fit. */
static int broadcast(int ra, const int64_t *a, int rb, const int64_t *b,
                     int64_t *out)
{
    int rank = ra > rb ? ra : rb, i;
    for (i = 0; i < rank; i++) {
        int ia = i - (rank - ra), ib = i - (rank - rb);
        int64_t da = ia >= 0 ? a[ia] : 1, db = ib >= 0 ? b[ib] : 1;
        if (da == db || db == 1)
            out[i] = da;
        else if (da == 1)
            out[i] = db;
        else
            return -1;
    }
    return rank;
}

/* Output sizes of a sliding window, as the ONNX Conv and MaxPool
 * definitions give them; -1 when the padded input is smaller than the
 * dilated kernel. */
static int64_t window_out(int64_t in, int64_t kernel, int64_t stride,
                          int64_t dilation, int64_t pad_begin,
                          int64_t pad_end, const char *auto_pad,
                          int ceil_mode)
{
    int64_t span = (kernel - 1) * dilation + 1, padded, out;

    if (strcmp(auto_pad, "SAME_UPPER") == 0 ||
        strcmp(auto_pad, "SAME_LOWER") == 0)
        return (in + stride - 1) / stride;
    if (strcmp(auto_pad, "VALID") == 0)
        pad_begin = pad_end = 0;
    padded = in + pad_begin + pad_end;
    if (padded < span)
        return -1;
    out = (ceil_mode ? (padded - span + stride - 1) / stride
                     : (padded - span) / stride) +
          1;
    if (ceil_mode && (out - 1) * stride >= in + pad_begin)
        out--;
    return out;
}

/* Sliding-window attributes shared by Conv and MaxPool. Writes the output
 * spatial sizes to out (-1 where unknown). With real_in_window set, pads
 * stay below the kernel size, so that every window covers at least one
 * real element. */
static void window_attributes(builder *b, NodeProto *n, int spatial,
                              const int64_t *in, const int64_t *kernel,
                              int allow_dilation, int ceil_mode,
                              int real_in_window, int64_t *out)
{
    static const char *const modes[] = {"NOTSET", "SAME_UPPER", "SAME_LOWER",
                                        "VALID"};
    int64_t strides[MAX_RANK], dilations[MAX_RANK], pads[2 * MAX_RANK];
    const char *auto_pad = "NOTSET";
    int i;

    for (i = 0; i < spatial; i++) {
        strides[i] = 1;
        dilations[i] = 1;
        pads[i] = pads[i + spatial] = 0;
    }
    maybe_ints(b, n, "strides", spatial, 1, 3, 40, strides);
    if (allow_dilation)
        maybe_ints(b, n, "dilations", spatial, 1, 3, 20, dilations);
    if (chance(b, 20)) {
        auto_pad = modes[pick(b, 4)];
        attr_string(b, n, "auto_pad", auto_pad);
    }
    if (strcmp(auto_pad, "NOTSET") == 0 && chance(b, 40)) {
        for (i = 0; i < 2 * spatial; i++) {
            pads[i] = pick(b, 3);
            if (real_in_window && pads[i] >= kernel[i % spatial])
                pads[i] = kernel[i % spatial] - 1;
        }
        attr_ints(b, n, "pads", 2 * spatial, pads);
    }
    for (i = 0; i < spatial; i++)
        out[i] = window_out(in[i], kernel[i], strides[i], dilations[i],
                            pads[i], pads[i + spatial], auto_pad, ceil_mode);
}

static const int float_types[] = {ONNXMINI_FLOAT, ONNXMINI_DOUBLE, 0};

/* Sets the output's believed shape, unknown when any size is. */
static int shaped_output(builder *b, NodeProto *n, int dtype, int rank,
                         const int64_t *dims)
{
    int i;
    for (i = 0; i < rank; i++)
        if (dims[i] < 0)
            return node_output(b, n, dtype, -1, NULL);
    return node_output(b, n, dtype, rank, dims);
}

/* A [N, C, spatial...] input for Conv and MaxPool. */
static int new_image(builder *b, int dtype)
{
    int64_t dims[MAX_RANK];
    int spatial = 1 + (int)pick(b, chance(b, 10) ? 6 : 3), i;

    dims[0] = 1 + pick(b, 2);
    dims[1] = 1 + pick(b, 4);
    for (i = 0; i < spatial; i++)
        dims[2 + i] = 1 + pick(b, spatial > 2 ? 4 : 8);
    return new_operand(b, dtype, spatial + 2, dims, 10);
}

static void gen_conv(builder *b)
{
    int64_t w_dims[MAX_RANK], kernel[MAX_RANK], out[MAX_RANK];
    int x = pick_value(b, 3, float_types), w, bias = -1, spatial, i;
    int64_t channels, group = 1, per_group;
    NodeProto *n;
    const value *xv;

    if (x < 0 || chance(b, 15))
        x = new_image(b, b->default_dtype);
    if (x < 0 || !(n = add_node(b, "Conv")))
        return;
    xv = &b->values[x];
    spatial = xv->rank - 2;
    channels = xv->dims[1];

    /* A group count that divides the channels: 1, depthwise or another
     * divisor. */
    if (channels > 1 && chance(b, 30)) {
        group = chance(b, 50) ? channels : 1 + pick(b, (unsigned)channels);
        if (channels % group != 0)
            group = 1;
        attr_int(b, n, "group", group);
    }
    per_group = channels / group;
    w_dims[0] = group * (1 + pick(b, 3));
    w_dims[1] = per_group;
    /* Kernels of 1 or 2 on more than two spatial axes keep the sums of
     * exact mode small. */
    for (i = 0; i < spatial; i++)
        kernel[i] = w_dims[2 + i] = 1 + pick(b, spatial > 2 ? 2 : 3);
    w = new_operand(b, xv->dtype, xv->rank, w_dims, 85);
    if (w >= 0 && chance(b, 50))
        bias = new_operand(b, xv->dtype, 1, w_dims, 85);
    if (chance(b, 30))
        attr_ints(b, n, "kernel_shape", spatial, kernel);
    window_attributes(b, n, spatial, xv->dims + 2, kernel, 1, 0, 0, out + 2);

    node_input(b, n, x);
    node_input(b, n, w);
    if (bias >= 0 || chance(b, 5))
        node_input(b, n, bias);       /* -1 gives the empty name */
    out[0] = xv->dims[0];
    out[1] = w_dims[0];
    shaped_output(b, n, xv->dtype, xv->rank, out);
    b->products++;
}

static void gen_maxpool(builder *b)
{
    static const int types[] = {ONNXMINI_FLOAT, ONNXMINI_DOUBLE, ONNXMINI_INT8,
                                ONNXMINI_UINT8, 0};
    int64_t kernel[MAX_RANK], out[MAX_RANK];
    int x = pick_value(b, 3, types), spatial, i, ceil_mode = 0;
    NodeProto *n;
    const value *xv;

    if (x < 0 || chance(b, 10))
        x = new_image(b, b->default_dtype);
    if (x < 0 || !(n = add_node(b, "MaxPool")))
        return;
    xv = &b->values[x];
    spatial = xv->rank - 2;
    for (i = 0; i < spatial; i++)
        kernel[i] = 1 + pick(b, 3);
    attr_ints(b, n, "kernel_shape", spatial, kernel);
    if (b->opset >= 10 && chance(b, 25)) {
        ceil_mode = 1;
        attr_int(b, n, "ceil_mode", 1);
    }
    if (b->opset >= 8 && chance(b, 15))
        attr_int(b, n, "storage_order", pick(b, 2));
    /* A MaxPool window of padding alone gives the lowest value, which
     * overflows later sums in kernel-specific ways, so exact mode keeps
     * real elements in every window (no dilation, pads below the
     * kernel). */
    window_attributes(b, n, spatial, xv->dims + 2, kernel,
                      b->opset >= 10 && !b->exact, ceil_mode, b->exact,
                      out + 2);
    node_input(b, n, x);
    out[0] = xv->dims[0];
    out[1] = xv->dims[1];
    shaped_output(b, n, xv->dtype, xv->rank, out);
    if (b->opset >= 8 && chance(b, 30))
        shaped_output(b, n, ONNXMINI_INT64, xv->rank, out);
}

static void gen_matmul(builder *b)
{
    int64_t b_dims[MAX_RANK], out[MAX_RANK];
    int a = pick_value(b, 1, NULL), other, rank_b, rank;
    NodeProto *n;
    const value *av;
    int64_t k, cols = 1 + pick(b, 6);

    if (a < 0 || chance(b, 10)) {
        int64_t dims[MAX_RANK];
        int r = random_shape(b, 1, 4, 5, dims);
        a = new_operand(b, b->default_dtype, r, dims, 10);
    }
    if (a < 0 || !(n = add_node(b, "MatMul")))
        return;
    av = &b->values[a];
    k = av->dims[av->rank - 1];

    /* B: [K, N] mostly, else a vector [K] or a batch of matrices. */
    switch (pick(b, 4)) {
    case 1:
        rank_b = 1;
        b_dims[0] = k;
        break;
    case 2:
        rank_b = 3;
        b_dims[0] = 1 + pick(b, 2);
        b_dims[1] = k;
        b_dims[2] = cols;
        break;
    default:
        rank_b = 2;
        b_dims[0] = k;
        b_dims[1] = cols;
        break;
    }
    other = new_operand(b, av->dtype, rank_b, b_dims, 80);
    if (chance(b, 15)) {
        node_input(b, n, other);      /* the operands swapped */
        node_input(b, n, a);
        node_output(b, n, av->dtype, -1, NULL);
        b->products++;
        return;
    }
    node_input(b, n, a);
    node_input(b, n, other);

    /* The result's shape by numpy's matmul rules. */
    rank = broadcast(av->rank > 2 ? av->rank - 2 : 0, av->dims,
                     rank_b > 2 ? rank_b - 2 : 0, b_dims, out);
    if (rank < 0) {
        node_output(b, n, av->dtype, -1, NULL);
    } else {
        if (av->rank >= 2)
            out[rank++] = av->dims[av->rank - 2];
        if (rank_b >= 2)
            out[rank++] = cols;
        node_output(b, n, av->dtype, rank, out);
    }
    b->products++;
}

static void gen_add(builder *b)
{
    int64_t b_dims[MAX_RANK], out[MAX_RANK];
    int a = pick_value(b, 0, NULL), other, rank_b = 0, rank, i;
    NodeProto *n;
    const value *av;

    if (a < 0) {
        int64_t dims[MAX_RANK];
        int r = random_shape(b, 0, 4, 4, dims);
        a = new_operand(b, b->default_dtype, r, dims, 10);
    }
    if (a < 0 || !(n = add_node(b, "Add")))
        return;
    av = &b->values[a];

    /* B's shape: the same, a scalar, one value per channel (the bias of a
     * Conv), the last axis (the bias of a MatMul), a random broadcast, or
     * more leading axes. */
    switch (pick(b, 6)) {
    case 1:
        rank_b = 0;
        break;
    case 2:
        rank_b = av->rank >= 2 ? av->rank - 1 : av->rank;
        for (i = 0; i < rank_b; i++)
            b_dims[i] = i == 0 && av->rank >= 2 ? av->dims[1] : 1;
        break;
    case 3:
        rank_b = av->rank >= 1 ? 1 : 0;
        if (rank_b)
            b_dims[0] = av->dims[av->rank - 1];
        break;
    case 4:
        rank_b = av->rank;
        for (i = 0; i < rank_b; i++)
            b_dims[i] = chance(b, 50) ? 1 : av->dims[i];
        break;
    case 5:
        rank_b = av->rank < MAX_RANK ? av->rank + 1 : av->rank;
        b_dims[0] = 1 + pick(b, 3);
        for (i = 1; i < rank_b; i++)
            b_dims[i] = av->dims[i - (rank_b - av->rank)];
        break;
    default:
        rank_b = av->rank;
        memcpy(b_dims, av->dims, sizeof b_dims);
        break;
    }
    other = new_operand(b, av->dtype, rank_b, b_dims, 70);

    /* Opsets 1 to 6 broadcast only with broadcast=1, B onto A. */
    if (b->opset < 7 && (rank_b != av->rank || chance(b, 50))) {
        attr_int(b, n, "broadcast", 1);
        if (chance(b, 20))
            attr_int(b, n, "axis", pick(b, 3));
    }
    if (chance(b, 25)) {
        node_input(b, n, other);
        node_input(b, n, a);
    } else {
        node_input(b, n, a);
        node_input(b, n, other);
    }
    rank = broadcast(av->rank, av->dims, rank_b, b_dims, out);
    node_output(b, n, av->dtype, rank, out);
}

static void gen_unary(builder *b, const char *op_type)
{
    int x = pick_value(b, 0, NULL);
    NodeProto *n;

    if (x < 0) {
        int64_t dims[MAX_RANK];
        int r = random_shape(b, 0, 5, 4, dims);
        x = new_operand(b, b->default_dtype, r, dims, 10);
    }
    if (x < 0 || !(n = add_node(b, op_type)))
        return;
    node_input(b, n, x);
    node_output(b, n, b->values[x].dtype, b->values[x].rank,
                b->values[x].dims);
}

/* A target shape for Reshape with the same element count: flat, -1
 * forms, 0 forms, or a split of the count into factors. */
static int reshape_target(builder *b, const value *x, int64_t *shape,
                          int64_t *out)
{
    size_t count = element_count(x->rank, x->dims);
    int n, i;

    switch (pick(b, 5)) {
    case 1:
        shape[0] = -1;
        out[0] = (int64_t)count;
        return 1;
    case 2:
        if (x->rank < 1)
            break;
        shape[0] = 0;
        shape[1] = -1;
        out[0] = x->dims[0];
        out[1] = x->dims[0] ? (int64_t)count / x->dims[0] : 0;
        return 2;
    case 3: {
        /* Split the count into up to four factors, the rest of it last. */
        size_t rest = count;
        n = 1 + (int)pick(b, 4);
        for (i = 0; i < n - 1; i++) {
            int64_t f = 1 + pick(b, 4);
            if (rest % (size_t)f != 0)
                f = 1;
            shape[i] = out[i] = f;
            rest /= (size_t)f;
        }
        shape[n - 1] = out[n - 1] = (int64_t)rest;
        if (chance(b, 30)) {
            int at = (int)pick(b, (unsigned)n);
            shape[at] = -1;
        }
        return n;
    }
    case 4:
        /* Anything, mostly wrong. */
        n = random_shape(b, 0, MAX_RANK, 4, shape);
        for (i = 0; i < n; i++)
            if (chance(b, 10))
                shape[i] = -1 - (int64_t)pick(b, 2);
        return -1 - n;
    default:
        break;
    }
    shape[0] = (int64_t)count;
    out[0] = (int64_t)count;
    return 1;
}

static void gen_reshape(builder *b)
{
    int64_t shape[MAX_RANK], out[MAX_RANK];
    int x = pick_value(b, 0, NULL), n_shape, known = 1;
    NodeProto *n;

    if (x < 0) {
        int64_t dims[MAX_RANK];
        int r = random_shape(b, 0, 4, 4, dims);
        x = new_operand(b, b->default_dtype, r, dims, 10);
    }
    if (x < 0 || !(n = add_node(b, "Reshape")))
        return;
    n_shape = reshape_target(b, &b->values[x], shape, out);
    if (n_shape < 0) {
        n_shape = -1 - n_shape;
        known = 0;
    }
    node_input(b, n, x);
    if (b->opset < 5) {
        attr_ints(b, n, "shape", n_shape, shape);
    } else {
        int64_t len = n_shape;
        int id;
        if (chance(b, 10)) {
            /* A graph input: its contents shape the plan. */
            id = add_input(b, ONNXMINI_INT64, 1, &len);
        } else {
            id = add_initializer(b, ONNXMINI_INT64, 1, &len);
            if (id >= 0) {
                TensorProto *t = b->initializers[b->graph.n_initializer - 1];
                t->has_raw_data = 1;
                t->raw_data.data = alloc(b, (size_t)n_shape * 8 + 1);
                memcpy(t->raw_data.data, shape, (size_t)n_shape * 8);
                t->raw_data.len = (size_t)n_shape * 8;
                t->n_int64_data = 0;
            }
        }
        node_input(b, n, id);
        if (b->opset >= 14 && chance(b, 15))
            attr_int(b, n, "allowzero", pick(b, 2));
    }
    if (known)
        node_output(b, n, b->values[x].dtype, n_shape, out);
    else
        node_output(b, n, b->values[x].dtype, -1, NULL);
}

/* A multiple of 1/4 in [-2, 2], exact in float. */
static float small_float(builder *b)
{
    return (float)((int)pick(b, 17) - 8) / 4.0f;
}

static void gen_clip(builder *b)
{
    int x = pick_value(b, 0, NULL), i;
    NodeProto *n;

    if (x < 0) {
        int64_t dims[MAX_RANK];
        int r = random_shape(b, 0, 4, 4, dims);
        x = new_operand(b, b->default_dtype, r, dims, 10);
    }
    if (x < 0 || !(n = add_node(b, "Clip")))
        return;
    node_input(b, n, x);
    if (b->opset < 11) {
        /* The bounds are attributes before opset 11. */
        if (chance(b, 60))
            attr_float(b, n, "min", small_float(b));
        if (chance(b, 60))
            attr_float(b, n, "max", small_float(b));
    } else {
        /* Optional scalar inputs min and max; an empty name is absent. */
        int count = (int)pick(b, 3);
        for (i = 0; i < count; i++) {
            int64_t one = 1;
            int bound = chance(b, 15) ? -1
                        : chance(b, 80)
                            ? add_initializer(b, b->values[x].dtype, 0, NULL)
                            : new_operand(b, b->values[x].dtype,
                                          chance(b, 50) ? 1 : 0, &one, 50);
            node_input(b, n, bound);
        }
    }
    node_output(b, n, b->values[x].dtype, b->values[x].rank,
                b->values[x].dims);
}

static void gen_concat(builder *b)
{
    int x = pick_value(b, 1, NULL), count, i, axis;
    int64_t dims[MAX_RANK], total;
    NodeProto *n;
    const value *xv;

    if (x < 0) {
        int r = random_shape(b, 1, 4, 4, dims);
        x = new_operand(b, b->default_dtype, r, dims, 10);
    }
    if (x < 0 || !(n = add_node(b, "Concat")))
        return;
    xv = &b->values[x];
    axis = (int)pick(b, (unsigned)xv->rank);
    memcpy(dims, xv->dims, sizeof dims);
    total = xv->dims[axis];
    node_input(b, n, x);

    /* More inputs of the same shape but for the joined axis. */
    count = (int)pick(b, 4);
    for (i = 0; i < count; i++) {
        int other;
        dims[axis] = pick(b, 4);
        other = chance(b, 20)
                    ? x
                    : new_operand(b, xv->dtype, xv->rank, dims, 50);
        total += b->values[other >= 0 ? other : x].dims[axis];
        node_input(b, n, other);
    }
    if (b->opset >= 4 || chance(b, 50))
        attr_int(b, n, "axis",
                 b->opset >= 11 && chance(b, 30) ? axis - xv->rank : axis);
    else
        axis = 1;                     /* the default before opset 4 */
    memcpy(dims, xv->dims, sizeof dims);
    if (axis < xv->rank) {
        dims[axis] = total;
        node_output(b, n, xv->dtype, xv->rank, dims);
    } else {
        node_output(b, n, xv->dtype, -1, NULL);
    }
}

static void gen_flatten(builder *b)
{
    int x = pick_value(b, 0, NULL), axis, i;
    int64_t dims[2] = {1, 1};
    NodeProto *n;
    const value *xv;

    if (x < 0) {
        int64_t shape[MAX_RANK];
        int r = random_shape(b, 0, 5, 4, shape);
        x = new_operand(b, b->default_dtype, r, shape, 10);
    }
    if (x < 0 || !(n = add_node(b, "Flatten")))
        return;
    xv = &b->values[x];
    axis = chance(b, 50) ? 1 : (int)pick(b, (unsigned)xv->rank + 1);
    if (axis != 1 || chance(b, 30))
        attr_int(b, n, "axis",
                 b->opset >= 11 && chance(b, 30) ? axis - xv->rank : axis);
    node_input(b, n, x);
    for (i = 0; i < xv->rank; i++)
        dims[i < axis ? 0 : 1] *= xv->dims[i];
    if (axis <= xv->rank)
        node_output(b, n, xv->dtype, 2, dims);
    else
        node_output(b, n, xv->dtype, -1, NULL);
}

static void gen_gemm(builder *b)
{
    int a = pick_value(b, 2, NULL), other, bias = -1, trans_a = 0, trans_b;
    int64_t a_dims[2], b_dims[2], c_dims[2], m, k, cols = 1 + pick(b, 6);
    NodeProto *n;
    const value *av;

    if (a < 0 || b->values[a].rank != 2 || chance(b, 15)) {
        a_dims[0] = 1 + pick(b, 5);
        a_dims[1] = 1 + pick(b, 6);
        a = new_operand(b, b->default_dtype, 2, a_dims, 10);
    }
    if (a < 0 || !(n = add_node(b, "Gemm")))
        return;
    av = &b->values[a];
    if (chance(b, 20)) {
        trans_a = 1;
        attr_int(b, n, "transA", 1);
    }
    m = av->dims[trans_a ? 1 : 0];
    k = av->dims[trans_a ? 0 : 1];
    trans_b = chance(b, 30);
    if (trans_b)
        attr_int(b, n, "transB", 1);
    b_dims[trans_b ? 1 : 0] = k;
    b_dims[trans_b ? 0 : 1] = cols;
    other = new_operand(b, av->dtype, 2, b_dims, 80);

    /* alpha and beta of 1/2, 1 or 2 keep exact sums exact. */
    if (chance(b, 20))
        attr_float(b, n, "alpha", (float)(1 << pick(b, 3)) / 2.0f);
    if (chance(b, 20))
        attr_float(b, n, "beta", (float)(1 << pick(b, 3)) / 2.0f);

    /* C: [N], [M, N], [M, 1], [1] or a scalar; optional from opset 11. */
    if (b->opset < 11 || chance(b, 70)) {
        int rank = 1;
        switch (pick(b, 5)) {
        case 1:
            rank = 2;
            c_dims[0] = m;
            c_dims[1] = cols;
            break;
        case 2:
            rank = 2;
            c_dims[0] = m;
            c_dims[1] = 1;
            break;
        case 3:
            c_dims[0] = 1;
            break;
        case 4:
            rank = 0;
            break;
        default:
            c_dims[0] = cols;
            break;
        }
        bias = new_operand(b, av->dtype, rank, c_dims, 80);
        if (b->opset < 7 && (rank != 2 || c_dims[1] != cols || chance(b, 30)))
            attr_int(b, n, "broadcast", 1);
    }
    node_input(b, n, a);
    node_input(b, n, other);
    if (bias >= 0)
        node_input(b, n, bias);
    c_dims[0] = m;
    c_dims[1] = cols;
    node_output(b, n, av->dtype, 2, c_dims);
    b->products++;
}

static void gen_global_average_pool(builder *b)
{
    int x = pick_value(b, 3, float_types), i;
    int64_t dims[MAX_RANK];
    NodeProto *n;

    if (x < 0 || chance(b, 10))
        x = new_image(b, b->default_dtype);
    if (x < 0 || !(n = add_node(b, "GlobalAveragePool")))
        return;
    node_input(b, n, x);
    memcpy(dims, b->values[x].dims, sizeof dims);
    for (i = 2; i < b->values[x].rank; i++)
        dims[i] = 1;
    node_output(b, n, b->values[x].dtype, b->values[x].rank, dims);
}

static void gen_constant(builder *b)
{
    NodeProto *n = add_node(b, "Constant");
    int64_t dims[MAX_RANK];
    int rank, dtype, kind;
    AttributeProto *a;

    if (!n)
        return;
    kind = b->opset >= 12 ? (int)pick(b, 5) : 0;
    switch (kind) {
    case 1:
        a = add_attribute(b, n, "value_float", ATTR_FLOAT);
        if (a) {
            a->has_f = 1;
            a->f = (float)((int)take(b) - 128) / 4.0f;
        }
        node_output(b, n, ONNXMINI_FLOAT, 0, NULL);
        return;
    case 2:
        attr_int(b, n, "value_int", (int64_t)take(b) - 128);
        node_output(b, n, ONNXMINI_INT64, 0, NULL);
        return;
    case 3: {
        int64_t count = pick(b, 6), i;
        float *values = alloc(b, (size_t)(count + 1) * sizeof *values);
        a = add_attribute(b, n, "value_floats", ATTR_FLOATS);
        for (i = 0; i < count; i++)
            values[i] = (float)((int)pick(b, 17) - 8) / 4.0f;
        if (a) {
            a->n_floats = (size_t)count;
            a->floats = values;
        }
        node_output(b, n, ONNXMINI_FLOAT, 1, &count);
        return;
    }
    case 4: {
        int64_t count = pick(b, 6), values[8], i;
        for (i = 0; i < count; i++)
            values[i] = (int64_t)pick(b, 7) - 3;
        attr_ints(b, n, "value_ints", (int)count, values);
        node_output(b, n, ONNXMINI_INT64, 1, &count);
        return;
    }
    default:
        break;
    }
    dtype = pick_dtype(b);
    rank = random_shape(b, 0, 4, 4, dims);
    a = add_attribute(b, n, "value", ATTR_TENSOR);
    if (a)
        a->t = make_tensor(b, NULL, dtype, rank, dims);
    node_output(b, n, dtype, rank, dims);
}

/* ------------------------------------------------------------ defects */

/* Breaks the model in one of several ways that the loader or the session
 * must reject with a message (or, for a few, must accept). */
static void add_defect(builder *b)
{
    NodeProto *n = NULL;

    if (b->graph.n_node)
        n = b->nodes[pick(b, (unsigned)b->graph.n_node)];

    switch (pick(b, 12)) {
    case 0:
        b->model.n_opset_import = 0;
        break;
    case 1:
        b->opset_proto.version = (int64_t)take(b) * 1000 - 1;
        break;
    case 2:
        if (n)
            n->domain =
                copy_string(b, chance(b, 50) ? "ai.onnx" : "com.example");
        break;
    case 3:                           /* an input no node produces */
        if (n && n->n_input)
            n->input[0] = copy_string(b, "undefined");
        break;
    case 4:                           /* a cycle: a node reads its output */
        if (n && n->n_input && n->n_output && n->output[0][0])
            n->input[n->n_input - 1] = n->output[0];
        break;
    case 5:                           /* two producers of one name */
        if (n && n->n_output && b->graph.n_node > 1)
            n->output[0] = b->nodes[0]->output[0];
        break;
    case 6:                           /* an attribute of the wrong type */
        if (n && n->n_attribute) {
            AttributeProto *a =
                n->attribute[pick(b, (unsigned)n->n_attribute)];
            a->has_type = 1;
            a->type = (int32_t)pick(b, 16);
        }
        break;
    case 7:
        if (n)
            attr_int(b, n, chance(b, 50) ? "unknown" : "group", -1);
        break;
    case 8:                           /* an initializer also listed as input */
        if (b->graph.n_initializer && b->graph.n_input < MAX_INPUTS) {
            TensorProto *t =
                b->initializers[pick(b, (unsigned)b->graph.n_initializer)];
            int64_t dims[MAX_RANK];
            size_t i;
            for (i = 0; i < t->n_dims && i < MAX_RANK; i++)
                dims[i] = t->dims[i];
            b->inputs[b->graph.n_input++] = make_value_info(
                b, t->name, t->data_type, (int)i, dims, NULL);
        }
        break;
    case 9:
        b->model.has_ir_version = chance(b, 50);
        b->model.ir_version = (int64_t)pick(b, 12);
        break;
    case 10:                          /* an empty optional input or output */
        if (n && n->n_input)
            n->input[n->n_input - 1] = copy_string(b, "");
        break;
    default:                          /* the nodes in reverse order */
        {
            size_t i;
            for (i = 0; i < b->graph.n_node / 2; i++) {
                NodeProto *t = b->nodes[i];
                b->nodes[i] = b->nodes[b->graph.n_node - 1 - i];
                b->nodes[b->graph.n_node - 1 - i] = t;
            }
        }
        break;
    }
}

/* ------------------------------------------------------------ model */

/* The IR version of the ONNX release that introduced each opset, as
 * onnx.helper.VERSION_TABLE of onnx 1.12 lists them up to opset 17. Later
 * opsets get 8 to 10 by estimate: the library reads the IR version only to
 * tell whether initializers listed as inputs may be fed (4 and later). */
static int64_t ir_for_opset(int opset)
{
    if (opset <= 8)
        return 3;
    if (opset <= 11)
        return opset - 5;
    if (opset <= 14)
        return 7;
    if (opset <= 18)
        return 8;
    if (opset <= 20)
        return 9;
    return 10;
}

static void declare_outputs(builder *b)
{
    int last = b->n_values - 1, i;

    /* The newest value always; a few others sometimes. */
    for (i = 0; i < b->n_values && b->graph.n_output < MAX_OUTPUTS; i++) {
        const value *v = &b->values[i];
        int dtype = v->dtype, rank = v->rank;
        if (i != last && !chance(b, 12))
            continue;
        if (chance(b, 10))
            dtype = chance(b, 50) ? 0 : pick_dtype(b);
        if (!chance(b, 30))
            rank = -1;
        b->outputs[b->graph.n_output++] =
            make_value_info(b, v->name, dtype, rank, v->dims, NULL);
    }
}

static void build(builder *b)
{
    static const int opsets[] = {13, 7, 11, 12, 14, 17, 18, 21, 24, 1,
                                 5,  6, 8,  9,  10, 22, 25, 0};
    int n_nodes, i;

    onnxmini__pb__model_proto__init(&b->model);
    onnxmini__pb__graph_proto__init(&b->graph);
    onnxmini__pb__operator_set_id_proto__init(&b->opset_proto);
    b->opset = opsets[pick(b, sizeof opsets / sizeof opsets[0])];
    b->exact = !chance(b, 25);
    b->default_dtype = chance(b, 20) ? pick_dtype(b) : ONNXMINI_FLOAT;
    b->load_limits = chance(b, 10) ? 1 + pick(b, 64) : 0;
    b->opset_proto.domain = copy_string(b, "");
    b->opset_proto.has_version = 1;
    b->opset_proto.version = b->opset;
    b->opset_list[0] = &b->opset_proto;
    b->model.n_opset_import = 1;
    b->model.opset_import = b->opset_list;
    b->model.has_ir_version = 1;
    b->model.ir_version = ir_for_opset(b->opset);
    b->model.graph = &b->graph;
    b->graph.name = copy_string(b, "fuzz");
    b->graph.node = b->nodes;
    b->graph.initializer = b->initializers;
    b->graph.input = b->inputs;
    b->graph.output = b->outputs;

    n_nodes = 1 + (int)pick(b, MAX_NODES);
    for (i = 0; i < n_nodes; i++) {
        int products_left = !b->exact || b->products < MAX_EXACT_PRODUCTS;
        switch (pick(b, 13)) {
        case 0:
            if (products_left)
                gen_conv(b);
            else
                gen_unary(b, "Relu");
            break;
        case 1:
            gen_add(b);
            break;
        case 2:
            gen_unary(b, "Relu");
            break;
        case 3:
            gen_maxpool(b);
            break;
        case 4:
            if (products_left)
                gen_matmul(b);
            else
                gen_reshape(b);
            break;
        case 5:
            gen_reshape(b);
            break;
        case 6:
            gen_constant(b);
            break;
        case 7:
            gen_clip(b);
            break;
        case 8:
            gen_concat(b);
            break;
        case 9:
            gen_flatten(b);
            break;
        case 10:
            if (products_left)
                gen_gemm(b);
            else
                gen_flatten(b);
            break;
        case 11:
            gen_global_average_pool(b);
            break;
        default:
            gen_unary(b, "Identity");
            break;
        }
    }
    if (b->n_values == 0)
        return;
    declare_outputs(b);
    if (chance(b, 12))
        add_defect(b);
}

/* Writes the packed model to the file named by the environment variable
 * FUZZ_GRAPH_DUMP, when it is set, so that a crashing input can be looked
 * at as an .onnx file (with onnx.load, say) and replayed by other tools. */
static void dump_model(const uint8_t *packed, size_t size)
{
    const char *path = getenv("FUZZ_GRAPH_DUMP");
    FILE *f;

    if (!path || !path[0])
        return;
    f = fopen(path, "wb");
    FUZZ_CHECK(f != NULL, "cannot open %s to write the model", path);
    FUZZ_CHECK(fwrite(packed, 1, size, f) == size && fclose(f) == 0,
               "cannot write the model to %s", path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    builder b;
    onnxmini_model *model = NULL;
    onnxmini_error error;
    onnxmini_status st;
    fuzz_run_config config;
    uint8_t *packed;
    size_t packed_size;

    memset(&b, 0, sizeof b);
    b.data = data;
    b.size = size;
    build(&b);
    if (b.graph.n_output == 0) {
        free_blocks(&b);
        return 0;
    }

    packed_size = onnxmini__pb__model_proto__get_packed_size(&b.model);
    packed = malloc(packed_size ? packed_size : 1);
    FUZZ_CHECK(packed != NULL, "cannot allocate %zu bytes to pack the model",
               packed_size);
    onnxmini__pb__model_proto__pack(&b.model, packed);
    dump_model(packed, packed_size);

    /* Sometimes with small load limits, to reach their checks. */
    if (b.load_limits) {
        onnxmini_load_options limits;
        onnxmini_load_options_init(&limits);
        limits.max_initializer_bytes = b.load_limits * 16u;
        limits.max_tensor_elements = b.load_limits;
        st = onnxmini_model_load_memory_with(packed, packed_size, &limits,
                                             &model, &error);
        fuzz_check_error("onnxmini_model_load_memory_with", st, &error);
    } else {
        st = onnxmini_model_load_memory(packed, packed_size, &model, &error);
        fuzz_check_error("onnxmini_model_load_memory", st, &error);
    }
    FUZZ_CHECK((st == ONNXMINI_OK) == (model != NULL),
               "model_load_memory returned %d and model %p", (int)st,
               (void *)model);
    if (st == ONNXMINI_OK) {
        /* What the program did not read fills the graph inputs. */
        config.fill = b.exact ? FUZZ_FILL_SMALL : FUZZ_FILL_BYTES;
        config.bytes = b.data;
        config.size = b.size;
        config.tolerance = b.exact ? EXACT_TOLERANCE : -1.0;
        config.non_finite_agrees = 0;
        fuzz_run_model(model, &config);
        onnxmini_model_free(model);
    }
    free(packed);
    free_blocks(&b);
    return 0;
}
