/*
 * flop_count.c - shape propagation and FLOP count for the benchmark; see
 * flop_count.h for the contract.
 *
 * Shapes follow the ONNX operator specification. The nodes are visited in
 * file order, which the ONNX IR requires to be a topological order. A node
 * whose inputs are unknown, an operator without a rule here, or a shape
 * that breaks an operator's rule stops the propagation: the benchmark then
 * reports the FLOP count as unknown instead of guessing.
 */
#include "flop_count.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx.pb-c.h"

#define MAX_RANK FLOP_COUNT_MAX_RANK

/* TensorProto.DataType of int64, the element type of Reshape's shape. */
#define DTYPE_INT64 7

/* A tensor known to the propagation: its shape and, for a small constant
 * int64 vector such as Reshape's shape, its elements. */
typedef struct value {
    const char *name;           /* points into the parsed model */
    size_t rank;
    int64_t dims[MAX_RANK];
    int has_elements;
    size_t n_elements;
    int64_t elements[MAX_RANK];
} value;

typedef struct propagation {
    value *values;              /* [n_values], later definitions last */
    size_t n_values;
    size_t capacity;
    double flops;
    flop_count *count;          /* receives the first failure's reason */
} propagation;

typedef Onnxmini__Pb__NodeProto node_proto;

#if defined(__GNUC__)
#define PRINTF_FORMAT(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_FORMAT(f, a)
#endif

/* Records the reason of the first failure and returns -1. */
static int fail(propagation *p, const char *format, ...) PRINTF_FORMAT(2, 3);

static int fail(propagation *p, const char *format, ...)
{
    va_list args;

    if (p->count->reason[0])
        return -1;
    va_start(args, format);
    vsnprintf(p->count->reason, sizeof p->count->reason, format, args);
    va_end(args);
    return -1;
}

/* ------------------------------------------------------------ value table */

static const value *find_value(const propagation *p, const char *name)
{
    size_t i;

    /* Search from the end so that the latest definition of a name wins. */
    for (i = p->n_values; i-- > 0;)
        if (strcmp(p->values[i].name, name) == 0)
            return &p->values[i];
    return NULL;
}

static int add_value(propagation *p, const value *v)
{
    if (p->n_values == p->capacity) {
        size_t capacity = p->capacity ? 2 * p->capacity : 64;
        value *grown = realloc(p->values, capacity * sizeof *grown);

        if (!grown)
            return fail(p, "out of memory");
        p->values = grown;
        p->capacity = capacity;
    }
    p->values[p->n_values++] = *v;
    return 0;
}

/* Looks up input `index` of a node; an absent or empty (optional, omitted)
 * input fails. */
static const value *node_input(propagation *p, const node_proto *node,
                               size_t index)
{
    const value *v;

    if (index >= node->n_input || !node->input[index][0]) {
        fail(p, "node '%s' (%s) has no input %zu", node->name, node->op_type,
             index);
        return NULL;
    }
    v = find_value(p, node->input[index]);
    if (!v)
        fail(p, "node '%s' (%s): input '%s' has no known shape", node->name,
             node->op_type, node->input[index]);
    return v;
}

/* Defines output `index` of a node with the shape of *v (elements are not
 * carried over). A node may leave optional outputs unnamed. */
static int set_output(propagation *p, const node_proto *node, size_t index,
                      const value *shape)
{
    value v = *shape;

    if (index >= node->n_output || !node->output[index][0])
        return 0;
    v.name = node->output[index];
    v.has_elements = 0;
    return add_value(p, &v);
}

/* ------------------------------------------------------------ attributes */

static const Onnxmini__Pb__AttributeProto *find_attr(const node_proto *node,
                                                     const char *name)
{
    size_t i;

    for (i = 0; i < node->n_attribute; i++)
        if (strcmp(node->attribute[i]->name, name) == 0)
            return node->attribute[i];
    return NULL;
}

static int64_t attr_int(const node_proto *node, const char *name,
                        int64_t fallback)
{
    const Onnxmini__Pb__AttributeProto *a = find_attr(node, name);

    return a && a->has_i ? a->i : fallback;
}

/* Copies the ints attribute `name` into out[count]. A missing attribute
 * fills `fallback`; one with another length than `count` fails. */
static int attr_ints(propagation *p, const node_proto *node, const char *name,
                     size_t count, int64_t fallback, int64_t *out)
{
    const Onnxmini__Pb__AttributeProto *a = find_attr(node, name);
    size_t i;

    if (!a || a->n_ints == 0) {
        for (i = 0; i < count; i++)
            out[i] = fallback;
        return 0;
    }
    if (a->n_ints != count)
        return fail(p, "node '%s' (%s): attribute %s has %zu values, "
                    "expected %zu", node->name, node->op_type, name,
                    a->n_ints, count);
    memcpy(out, a->ints, count * sizeof *out);
    return 0;
}

/* Returns the string attribute `name` if it is present and fits in
 * `size` bytes, else `fallback`. */
static const char *attr_string(const node_proto *node, const char *name,
                               const char *fallback, char *buffer,
                               size_t size)
{
    const Onnxmini__Pb__AttributeProto *a = find_attr(node, name);

    if (!a || !a->has_s || a->s.len >= size)
        return fallback;
    memcpy(buffer, a->s.data, a->s.len);
    buffer[a->s.len] = '\0';
    return buffer;
}

/* ------------------------------------------------------------ arithmetic */

/* Sets *product to a * b for sizes a, b >= 0; fails on overflow. */
static int checked_mul(propagation *p, int64_t a, int64_t b, int64_t *product)
{
    if (a < 0 || b < 0 || (a != 0 && b > INT64_MAX / a))
        return fail(p, "a size overflows: %lld * %lld", (long long)a,
                    (long long)b);
    *product = a * b;
    return 0;
}

static int element_count(propagation *p, const int64_t *dims, size_t rank,
                         int64_t *count)
{
    size_t i;

    *count = 1;
    for (i = 0; i < rank; i++)
        if (checked_mul(p, *count, dims[i], count) != 0)
            return -1;
    return 0;
}

/* Broadcasts the shapes a[rank_a] and b[rank_b] by the numpy rule the ONNX
 * spec calls multidirectional broadcasting. */
static int broadcast(propagation *p, const node_proto *node,
                     const int64_t *a, size_t rank_a, const int64_t *b,
                     size_t rank_b, int64_t *out, size_t *rank_out)
{
    size_t rank = rank_a > rank_b ? rank_a : rank_b;
    size_t i;

    for (i = 0; i < rank; i++) {
        int64_t da = i < rank - rank_a ? 1 : a[i - (rank - rank_a)];
        int64_t db = i < rank - rank_b ? 1 : b[i - (rank - rank_b)];

        if (da != db && da != 1 && db != 1)
            return fail(p, "node '%s' (%s): dimensions %lld and %lld do not "
                        "broadcast", node->name, node->op_type, (long long)da,
                        (long long)db);
        out[i] = da == 1 ? db : da;
    }
    *rank_out = rank;
    return 0;
}

/* Computes the output size of one spatial axis of a sliding window (Conv,
 * MaxPool) by the formulas of the ONNX spec for Conv-11 and MaxPool-12.
 * With ceil_mode, a last window that would start in the end padding is
 * dropped, as PyTorch and libonnxmini do; MaxPool-12's formula alone would
 * keep it. */
static int window_output(propagation *p, const node_proto *node,
                         const char *auto_pad, int ceil_mode, int64_t in,
                         int64_t kernel, int64_t stride, int64_t dilation,
                         int64_t pad_begin, int64_t pad_end, int64_t *out)
{
    int64_t extent = (kernel - 1) * dilation + 1;
    int64_t span;

    if (kernel < 1 || stride < 1 || dilation < 1 || pad_begin < 0 ||
        pad_end < 0)
        return fail(p, "node '%s' (%s): kernel %lld, stride %lld, dilation "
                    "%lld or pads %lld,%lld out of range", node->name,
                    node->op_type, (long long)kernel, (long long)stride,
                    (long long)dilation, (long long)pad_begin,
                    (long long)pad_end);
    if (strcmp(auto_pad, "SAME_UPPER") == 0 ||
        strcmp(auto_pad, "SAME_LOWER") == 0) {
        /* Already rounded up, so ceil_mode changes nothing. */
        *out = (in + stride - 1) / stride;
        return 0;
    }
    if (strcmp(auto_pad, "VALID") == 0)
        pad_begin = pad_end = 0;
    else if (strcmp(auto_pad, "NOTSET") != 0 && auto_pad[0])
        return fail(p, "node '%s' (%s): unknown auto_pad '%s'", node->name,
                    node->op_type, auto_pad);

    span = in + pad_begin + pad_end - extent;
    if (span < 0)
        return fail(p, "node '%s' (%s): window of %lld does not fit input of "
                    "%lld", node->name, node->op_type, (long long)extent,
                    (long long)in);
    if (!ceil_mode) {
        *out = span / stride + 1;
        return 0;
    }
    *out = (span + stride - 1) / stride + 1;
    if ((*out - 1) * stride >= in + pad_begin)
        (*out)--;
    return 0;
}

/* Derives the output shape of a Conv or MaxPool window over x[2:], with
 * the kernel's spatial sizes in kernel[rank - 2]. */
static int window_shape(propagation *p, const node_proto *node,
                        const value *x, const int64_t *kernel, int ceil_mode,
                        value *out)
{
    int64_t strides[MAX_RANK], dilations[MAX_RANK], pads[2 * MAX_RANK];
    char buffer[16];
    const char *auto_pad;
    size_t spatial = x->rank - 2, i;

    auto_pad = attr_string(node, "auto_pad", "NOTSET", buffer, sizeof buffer);
    if (attr_ints(p, node, "strides", spatial, 1, strides) != 0 ||
        attr_ints(p, node, "dilations", spatial, 1, dilations) != 0 ||
        attr_ints(p, node, "pads", 2 * spatial, 0, pads) != 0)
        return -1;

    out->rank = x->rank;
    for (i = 0; i < spatial; i++)
        if (window_output(p, node, auto_pad, ceil_mode, x->dims[2 + i],
                          kernel[i], strides[i], dilations[i], pads[i],
                          pads[spatial + i], &out->dims[2 + i]) != 0)
            return -1;
    return 0;
}

/* ------------------------------------------------------------ operators */

/* Conv: X [N, C, D1..Dk], W [M, C/group, K1..Kk] -> Y [N, M, O1..Ok].
 * FLOPs = 2 * N * M * prod(O) * C/group * prod(K). */
static int infer_conv(propagation *p, const node_proto *node)
{
    const value *x = node_input(p, node, 0), *w;
    int64_t kernel[MAX_RANK], group = attr_int(node, "group", 1);
    double macs;
    value y;
    size_t i;

    if (!x || !(w = node_input(p, node, 1)))
        return -1;
    if (x->rank < 3 || w->rank != x->rank)
        return fail(p, "node '%s' (Conv): X has rank %zu and W rank %zu, "
                    "expected equal ranks of at least 3", node->name,
                    x->rank, w->rank);
    if (group < 1 || x->dims[1] % group != 0 ||
        x->dims[1] / group != w->dims[1])
        return fail(p, "node '%s' (Conv): X has %lld channels, W expects "
                    "%lld per group with group %lld", node->name,
                    (long long)x->dims[1], (long long)w->dims[1],
                    (long long)group);
    if (attr_ints(p, node, "kernel_shape", x->rank - 2, 0, kernel) != 0)
        return -1;
    for (i = 0; i < x->rank - 2; i++)
        if (kernel[i] == 0)
            kernel[i] = w->dims[2 + i];

    y = *x;
    y.dims[1] = w->dims[0];
    if (window_shape(p, node, x, kernel, 0, &y) != 0)
        return -1;

    macs = (double)y.dims[0] * (double)y.dims[1] * (double)w->dims[1];
    for (i = 2; i < y.rank; i++)
        macs *= (double)y.dims[i] * (double)kernel[i - 2];
    p->flops += 2.0 * macs;
    return set_output(p, node, 0, &y);
}

/* MaxPool: X [N, C, D1..Dk] -> Y and the optional Indices [N, C, O1..Ok]. */
static int infer_maxpool(propagation *p, const node_proto *node)
{
    const value *x = node_input(p, node, 0);
    int64_t kernel[MAX_RANK];
    const Onnxmini__Pb__AttributeProto *k = find_attr(node, "kernel_shape");
    value y;

    if (!x)
        return -1;
    if (x->rank < 3)
        return fail(p, "node '%s' (MaxPool): X has rank %zu, expected at "
                    "least 3", node->name, x->rank);
    if (!k || k->n_ints != x->rank - 2)
        return fail(p, "node '%s' (MaxPool): kernel_shape missing or not of "
                    "length %zu", node->name, x->rank - 2);
    memcpy(kernel, k->ints, (x->rank - 2) * sizeof *kernel);

    y = *x;
    if (window_shape(p, node, x, kernel, attr_int(node, "ceil_mode", 0) != 0,
                     &y) != 0)
        return -1;
    if (set_output(p, node, 0, &y) != 0)
        return -1;
    return set_output(p, node, 1, &y);
}

/* Relu, Identity, Clip: the output has the shape of input 0. Clip's
 * optional min and max inputs are scalars and do not change it. */
static int infer_same_shape(propagation *p, const node_proto *node)
{
    const value *x = node_input(p, node, 0);

    return x ? set_output(p, node, 0, x) : -1;
}

/* GlobalAveragePool: X [N, C, D1..Dk] -> Y [N, C, 1..1]. Its additions
 * are not counted (see flop_count.h). */
static int infer_global_average_pool(propagation *p, const node_proto *node)
{
    const value *x = node_input(p, node, 0);
    value y;
    size_t i;

    if (!x)
        return -1;
    if (x->rank < 3)
        return fail(p, "node '%s' (GlobalAveragePool): X has rank %zu, "
                    "expected at least 3", node->name, x->rank);
    y = *x;
    for (i = 2; i < y.rank; i++)
        y.dims[i] = 1;
    return set_output(p, node, 0, &y);
}

/* Concat: the inputs have equal ranks and equal sizes outside `axis`, and
 * the output's size on `axis` is the sum of theirs. A negative axis counts
 * from the end (opset 11 and later); opset 1's default axis is 1. */
static int infer_concat(propagation *p, const node_proto *node)
{
    const value *first = node_input(p, node, 0);
    int64_t given_axis = attr_int(node, "axis", 1), axis = given_axis;
    value y;
    size_t i, d;

    if (!first)
        return -1;
    if (axis < 0)
        axis += (int64_t)first->rank;
    if (axis < 0 || axis >= (int64_t)first->rank)
        return fail(p, "node '%s' (Concat): axis %lld out of range for "
                    "rank %zu", node->name, (long long)given_axis,
                    first->rank);
    y = *first;
    y.dims[axis] = 0;
    for (i = 0; i < node->n_input; i++) {
        const value *x = node_input(p, node, i);

        if (!x)
            return -1;
        if (x->rank != first->rank)
            return fail(p, "node '%s' (Concat): input %zu has rank %zu, "
                        "input 0 rank %zu", node->name, i, x->rank,
                        first->rank);
        for (d = 0; d < x->rank; d++)
            if ((int64_t)d != axis && x->dims[d] != first->dims[d])
                return fail(p, "node '%s' (Concat): input %zu has size "
                            "%lld on axis %zu, input 0 %lld", node->name, i,
                            (long long)x->dims[d], d,
                            (long long)first->dims[d]);
        if (x->dims[axis] > INT64_MAX - y.dims[axis])
            return fail(p, "node '%s' (Concat): the joined axis overflows",
                        node->name);
        y.dims[axis] += x->dims[axis];
    }
    return set_output(p, node, 0, &y);
}

/* Add: multidirectional broadcasting since opset 7. Opsets 1 and 6 with
 * broadcast=1 instead broadcast B onto A, so the output has A's shape. */
static int infer_add(propagation *p, const node_proto *node)
{
    const value *a = node_input(p, node, 0), *b;
    value c;

    if (!a || !(b = node_input(p, node, 1)))
        return -1;
    if (find_attr(node, "broadcast"))
        return set_output(p, node, 0, a);
    c = *a;
    if (broadcast(p, node, a->dims, a->rank, b->dims, b->rank, c.dims,
                  &c.rank) != 0)
        return -1;
    return set_output(p, node, 0, &c);
}

/* Reshape: the shape comes from input 1 (opset 5 and later) or from the
 * attribute `shape` (opsets 1 to 4). An entry 0 copies the input's
 * dimension unless allowzero is 1; one entry -1 takes what is left. */
static int infer_reshape(propagation *p, const node_proto *node)
{
    const value *x = node_input(p, node, 0), *shape_input;
    const Onnxmini__Pb__AttributeProto *attr = find_attr(node, "shape");
    const int64_t *shape;
    int64_t total, known = 1;
    size_t rank, i, unknown_axis = MAX_RANK;
    int allowzero = attr_int(node, "allowzero", 0) != 0;
    value y;

    memset(&y, 0, sizeof y);
    if (!x)
        return -1;
    if (node->n_input >= 2) {
        if (!(shape_input = node_input(p, node, 1)))
            return -1;
        if (!shape_input->has_elements)
            return fail(p, "node '%s' (Reshape): shape '%s' is not a constant",
                        node->name, node->input[1]);
        shape = shape_input->elements;
        rank = shape_input->n_elements;
    } else if (attr) {
        shape = attr->ints;
        rank = attr->n_ints;
    } else {
        return fail(p, "node '%s' (Reshape): no shape", node->name);
    }
    if (rank > MAX_RANK)
        return fail(p, "node '%s' (Reshape): rank %zu is above %d",
                    node->name, rank, MAX_RANK);

    y.rank = rank;
    for (i = 0; i < rank; i++) {
        y.dims[i] = shape[i];
        if (shape[i] == 0 && !allowzero) {
            if (i >= x->rank)
                return fail(p, "node '%s' (Reshape): shape entry %zu is 0 "
                            "but the input has rank %zu", node->name, i,
                            x->rank);
            y.dims[i] = x->dims[i];
        } else if (shape[i] == -1) {
            if (unknown_axis != MAX_RANK)
                return fail(p, "node '%s' (Reshape): more than one -1",
                            node->name);
            unknown_axis = i;
            continue;
        } else if (shape[i] < 0) {
            return fail(p, "node '%s' (Reshape): invalid shape entry %lld",
                        node->name, (long long)shape[i]);
        }
        if (checked_mul(p, known, y.dims[i], &known) != 0)
            return -1;
    }

    if (element_count(p, x->dims, x->rank, &total) != 0)
        return -1;
    if (unknown_axis != MAX_RANK) {
        if (known == 0 || total % known != 0)
            return fail(p, "node '%s' (Reshape): %lld elements do not divide "
                        "into %lld", node->name, (long long)total,
                        (long long)known);
        y.dims[unknown_axis] = total / known;
    } else if (known != total) {
        return fail(p, "node '%s' (Reshape): %lld elements cannot take a "
                    "shape of %lld", node->name, (long long)total,
                    (long long)known);
    }
    return set_output(p, node, 0, &y);
}

/* MatMul with numpy semantics. A 1-D A is read as [1, K] and a 1-D B as
 * [K, 1], and the added axis is removed from the output. The axes before
 * the last two broadcast. FLOPs = 2 * batch * M * N * K. */
static int infer_matmul(propagation *p, const node_proto *node)
{
    const value *a = node_input(p, node, 0), *b;
    int64_t m, k, n;
    size_t batch_rank_a, batch_rank_b, i;
    double batch = 1.0;
    value y = {0};

    if (!a || !(b = node_input(p, node, 1)))
        return -1;
    if (a->rank == 0 || b->rank == 0)
        return fail(p, "node '%s' (MatMul): scalar operand", node->name);
    m = a->rank == 1 ? 1 : a->dims[a->rank - 2];
    k = a->dims[a->rank - 1];
    n = b->rank == 1 ? 1 : b->dims[b->rank - 1];
    if ((b->rank == 1 ? b->dims[0] : b->dims[b->rank - 2]) != k)
        return fail(p, "node '%s' (MatMul): inner dimensions differ",
                    node->name);

    batch_rank_a = a->rank > 2 ? a->rank - 2 : 0;
    batch_rank_b = b->rank > 2 ? b->rank - 2 : 0;
    if (broadcast(p, node, a->dims, batch_rank_a, b->dims, batch_rank_b,
                  y.dims, &y.rank) != 0)
        return -1;
    for (i = 0; i < y.rank; i++)
        batch *= (double)y.dims[i];
    if (a->rank > 1)
        y.dims[y.rank++] = m;
    if (b->rank > 1)
        y.dims[y.rank++] = n;

    p->flops += 2.0 * batch * (double)m * (double)n * (double)k;
    return set_output(p, node, 0, &y);
}

/* Gemm: A [M, K] (or [K, M] with transA), B [K, N] (or [N, K] with transB)
 * -> Y [M, N]. FLOPs = 2 * M * N * K; the C term is not counted. */
static int infer_gemm(propagation *p, const node_proto *node)
{
    const value *a = node_input(p, node, 0), *b;
    int trans_a = attr_int(node, "transA", 0) != 0;
    int trans_b = attr_int(node, "transB", 0) != 0;
    int64_t m, k, n;
    value y = {0};

    if (!a || !(b = node_input(p, node, 1)))
        return -1;
    if (a->rank != 2 || b->rank != 2)
        return fail(p, "node '%s' (Gemm): A has rank %zu and B rank %zu, "
                    "expected 2", node->name, a->rank, b->rank);
    m = a->dims[trans_a ? 1 : 0];
    k = a->dims[trans_a ? 0 : 1];
    n = b->dims[trans_b ? 0 : 1];
    if (b->dims[trans_b ? 1 : 0] != k)
        return fail(p, "node '%s' (Gemm): inner dimensions differ",
                    node->name);

    y.rank = 2;
    y.dims[0] = m;
    y.dims[1] = n;
    p->flops += 2.0 * (double)m * (double)n * (double)k;
    return set_output(p, node, 0, &y);
}

/* Flatten: [d0..d(axis-1)] and [d(axis)..] each become one dimension. */
static int infer_flatten(propagation *p, const node_proto *node)
{
    const value *x = node_input(p, node, 0);
    int64_t axis = attr_int(node, "axis", 1);
    value y = {0};

    if (!x)
        return -1;
    if (axis < 0)
        axis += (int64_t)x->rank;
    if (axis < 0 || axis > (int64_t)x->rank)
        return fail(p, "node '%s' (Flatten): axis %lld out of range for "
                    "rank %zu", node->name, (long long)axis, x->rank);
    y.rank = 2;
    if (element_count(p, x->dims, (size_t)axis, &y.dims[0]) != 0 ||
        element_count(p, x->dims + axis, x->rank - (size_t)axis,
                      &y.dims[1]) != 0)
        return -1;
    return set_output(p, node, 0, &y);
}

/* Reads the elements of a small int64 vector, the form of a Reshape
 * shape, into v->elements; any other tensor keeps only its shape. */
static void read_int64_elements(const Onnxmini__Pb__TensorProto *t, value *v)
{
    size_t i, n;

    v->has_elements = 0;
    if (t->data_type != DTYPE_INT64 || t->n_dims != 1 ||
        t->dims[0] < 0 || t->dims[0] > MAX_RANK)
        return;
    n = (size_t)t->dims[0];
    if (t->has_raw_data && t->raw_data.len == n * 8) {
        /* raw_data is little-endian whatever the host. */
        for (i = 0; i < n; i++) {
            uint64_t u = 0;
            int byte;

            for (byte = 7; byte >= 0; byte--)
                u = (u << 8) | t->raw_data.data[8 * i + (size_t)byte];
            v->elements[i] = (int64_t)u;
        }
    } else if (t->n_int64_data == n) {
        memcpy(v->elements, t->int64_data, n * sizeof *v->elements);
    } else {
        return;
    }
    v->n_elements = n;
    v->has_elements = 1;
}

/* Fills *v with the shape (and small int64 elements) of an initializer or
 * a Constant's tensor. */
static int tensor_value(propagation *p, const Onnxmini__Pb__TensorProto *t,
                        value *v)
{
    size_t i;

    if (t->n_dims > MAX_RANK)
        return fail(p, "tensor '%s' has rank %zu, above %d", t->name,
                    t->n_dims, MAX_RANK);
    v->rank = t->n_dims;
    for (i = 0; i < t->n_dims; i++) {
        if (t->dims[i] < 0)
            return fail(p, "tensor '%s' has a negative dimension", t->name);
        v->dims[i] = t->dims[i];
    }
    read_int64_elements(t, v);
    return 0;
}

/* Constant: the shape of its one value attribute. */
static int infer_constant(propagation *p, const node_proto *node)
{
    const Onnxmini__Pb__AttributeProto *a;
    value v;
    size_t i;

    memset(&v, 0, sizeof v);
    if ((a = find_attr(node, "value")) && a->t) {
        if (tensor_value(p, a->t, &v) != 0)
            return -1;
    } else if ((a = find_attr(node, "value_int"))) {
        v.rank = 0;
        v.has_elements = 1;
        v.n_elements = 1;
        v.elements[0] = a->i;
    } else if (find_attr(node, "value_float")) {
        v.rank = 0;
    } else if ((a = find_attr(node, "value_ints"))) {
        v.rank = 1;
        v.dims[0] = (int64_t)a->n_ints;
        if (a->n_ints <= MAX_RANK) {
            for (i = 0; i < a->n_ints; i++)
                v.elements[i] = a->ints[i];
            v.n_elements = a->n_ints;
            v.has_elements = 1;
        }
    } else if ((a = find_attr(node, "value_floats"))) {
        v.rank = 1;
        v.dims[0] = (int64_t)a->n_floats;
    } else {
        return fail(p, "node '%s' (Constant): value kind has no rule in the "
                    "FLOP counter", node->name);
    }
    if (node->n_output < 1)
        return fail(p, "node '%s' (Constant) has no output", node->name);
    v.name = node->output[0];
    return add_value(p, &v);
}

typedef struct shape_rule {
    const char *op_type;
    int (*infer)(propagation *p, const node_proto *node);
} shape_rule;

static const shape_rule rules[] = {
    {"Add", infer_add},
    {"Clip", infer_same_shape},
    {"Concat", infer_concat},
    {"Constant", infer_constant},
    {"Conv", infer_conv},
    {"Flatten", infer_flatten},
    {"Gemm", infer_gemm},
    {"GlobalAveragePool", infer_global_average_pool},
    {"Identity", infer_same_shape},
    {"MatMul", infer_matmul},
    {"MaxPool", infer_maxpool},
    {"Relu", infer_same_shape},
    {"Reshape", infer_reshape},
};

static int infer_node(propagation *p, const node_proto *node)
{
    size_t i;

    if (node->domain[0] &&
        strcmp(node->domain, "ai.onnx") != 0)
        return fail(p, "node '%s' (%s) is in domain '%s', which the FLOP "
                    "counter does not know", node->name, node->op_type,
                    node->domain);
    for (i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (strcmp(rules[i].op_type, node->op_type) == 0)
            return rules[i].infer(p, node);
    return fail(p, "operator %s (node '%s') has no shape rule in the FLOP "
                "counter", node->op_type, node->name);
}

/* ------------------------------------------------------------ the graph */

static int read_file(propagation *p, const char *path, uint8_t **data,
                     size_t *size)
{
    FILE *f = fopen(path, "rb");
    long length;

    *data = NULL;
    if (!f)
        return fail(p, "cannot open %s", path);
    if (fseek(f, 0, SEEK_END) != 0 || (length = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return fail(p, "cannot read %s", path);
    }
    *size = (size_t)length;
    *data = malloc(*size ? *size : 1);
    if (!*data || fread(*data, 1, *size, f) != *size) {
        fclose(f);
        free(*data);
        *data = NULL;
        return fail(p, "cannot read %s", path);
    }
    fclose(f);
    return 0;
}

/* Defines the initializers, then the fed graph inputs. An IR-version-3
 * model also lists its initializers as inputs; those keep the
 * initializer's shape. */
static int define_graph_inputs(propagation *p,
                               const Onnxmini__Pb__GraphProto *graph,
                               const flop_input_shape *inputs,
                               size_t n_inputs)
{
    size_t i, j;

    for (i = 0; i < graph->n_initializer; i++) {
        value v;

        memset(&v, 0, sizeof v);
        v.name = graph->initializer[i]->name;
        if (tensor_value(p, graph->initializer[i], &v) != 0 ||
            add_value(p, &v) != 0)
            return -1;
    }
    for (i = 0; i < n_inputs; i++) {
        value v;

        if (find_value(p, inputs[i].name))
            continue;
        if (inputs[i].rank > MAX_RANK)
            return fail(p, "input '%s' has rank %zu, above %d",
                        inputs[i].name, inputs[i].rank, MAX_RANK);
        memset(&v, 0, sizeof v);
        v.name = inputs[i].name;
        v.rank = inputs[i].rank;
        for (j = 0; j < v.rank; j++)
            v.dims[j] = inputs[i].dims[j];
        if (add_value(p, &v) != 0)
            return -1;
    }
    return 0;
}

/* Absent optional strings (a node without a name, an initializer without
 * a name) are NULL in protobuf-c's proto2 messages. The propagation reads
 * them as "" instead: set_empty_strings(graph, NULL, empty_string) points
 * them at empty_string, and set_empty_strings(graph, empty_string, NULL)
 * restores them before the message is freed. */
static char empty_string[1];

static void swap_string(char **field, char *from, char *to)
{
    if (*field == from)
        *field = to;
}

static void set_empty_strings(Onnxmini__Pb__GraphProto *graph, char *from,
                              char *to)
{
    size_t i, j;

    for (i = 0; i < graph->n_node; i++) {
        node_proto *node = graph->node[i];

        swap_string(&node->name, from, to);
        swap_string(&node->op_type, from, to);
        swap_string(&node->domain, from, to);
        for (j = 0; j < node->n_attribute; j++)
            swap_string(&node->attribute[j]->name, from, to);
        for (j = 0; j < node->n_attribute; j++)
            if (node->attribute[j]->t)
                swap_string(&node->attribute[j]->t->name, from, to);
    }
    for (i = 0; i < graph->n_initializer; i++)
        swap_string(&graph->initializer[i]->name, from, to);
    for (i = 0; i < graph->n_output; i++)
        swap_string(&graph->output[i]->name, from, to);
}

static int collect_outputs(propagation *p,
                           const Onnxmini__Pb__GraphProto *graph)
{
    flop_count *count = p->count;
    size_t i;

    count->outputs = calloc(graph->n_output ? graph->n_output : 1,
                            sizeof *count->outputs);
    if (!count->outputs)
        return fail(p, "out of memory");
    for (i = 0; i < graph->n_output; i++) {
        const value *v = find_value(p, graph->output[i]->name);
        flop_output_shape *out = &count->outputs[count->n_outputs];

        if (!v)
            return fail(p, "graph output '%s' has no known shape",
                        graph->output[i]->name);
        out->name = strdup(v->name);
        if (!out->name)
            return fail(p, "out of memory");
        out->rank = v->rank;
        memcpy(out->dims, v->dims, sizeof out->dims);
        count->n_outputs++;
    }
    return 0;
}

void flop_count_model(const char *path, const flop_input_shape *inputs,
                      size_t n_inputs, flop_count *count)
{
    propagation p;
    Onnxmini__Pb__ModelProto *model = NULL;
    uint8_t *data;
    size_t size = 0, i;

    memset(count, 0, sizeof *count);
    memset(&p, 0, sizeof p);
    p.count = count;

    /* Parse the file with the library's generated protobuf-c code. */
    if (read_file(&p, path, &data, &size) != 0)
        goto done;
    model = onnxmini__pb__model_proto__unpack(NULL, size, data);
    free(data);
    if (!model || !model->graph) {
        fail(&p, "%s is not an ONNX model", path);
        goto done;
    }

    /* Propagate shapes node by node, adding up the FLOPs. */
    set_empty_strings(model->graph, NULL, empty_string);
    if (define_graph_inputs(&p, model->graph, inputs, n_inputs) != 0)
        goto done;
    for (i = 0; i < model->graph->n_node; i++)
        if (infer_node(&p, model->graph->node[i]) != 0)
            goto done;
    if (collect_outputs(&p, model->graph) != 0)
        goto done;
    count->known = 1;
    count->flops = p.flops;

done:
    if (!count->known) {
        flop_count_free(count);
        count->known = 0;
    }
    free(p.values);
    if (model) {
        if (model->graph)
            set_empty_strings(model->graph, empty_string, NULL);
        onnxmini__pb__model_proto__free_unpacked(model, NULL);
    }
}

void flop_count_free(flop_count *count)
{
    size_t i;

    for (i = 0; i < count->n_outputs; i++)
        free(count->outputs[i].name);
    free(count->outputs);
    count->outputs = NULL;
    count->n_outputs = 0;
}
