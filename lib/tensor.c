/*
 * tensor.c - element types, shapes and multidirectional broadcasting.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* Element sizes and names, indexed by TensorProto.DataType. */
static const struct {
    const char *name;
    size_t size;
} dtypes[] = {
    {"undefined", 0}, {"float", 4},     {"uint8", 1},     {"int8", 1},
    {"uint16", 2},    {"int16", 2},     {"int32", 4},     {"int64", 8},
    {"string", 0},    {"bool", 1},      {"float16", 2},   {"double", 8},
    {"uint32", 4},    {"uint64", 8},    {"complex64", 8}, {"complex128", 16},
    {"bfloat16", 2},
};

#define N_DTYPES (sizeof dtypes / sizeof dtypes[0])

size_t om_dtype_size(int dtype)
{
    if (dtype < 0 || (size_t)dtype >= N_DTYPES)
        return 0;
    return dtypes[dtype].size;
}

const char *om_dtype_name(int dtype)
{
    if (dtype < 0 || (size_t)dtype >= N_DTYPES)
        return "unknown";
    return dtypes[dtype].name;
}

const char *onnxmini_dtype_name(onnxmini_dtype dtype)
{
    return om_dtype_name((int)dtype);
}

size_t onnxmini_dtype_size(onnxmini_dtype dtype)
{
    return om_dtype_size((int)dtype);
}

int64_t om_shape_count(const int64_t *dims, int rank)
{
    int64_t n = 1;
    int i;

    for (i = 0; i < rank; i++) {
        if (dims[i] < 0)
            return -1;
        if (dims[i] != 0 && n > INT64_MAX / dims[i])
            return -1;
        n *= dims[i];
    }
    return n;
}

const char *om_dims_str(const int64_t *dims, int rank, char *buf, size_t size)
{
    size_t used = 0;
    int i;

    if (rank < 0) {
        snprintf(buf, size, "(unknown)");
        return buf;
    }
    used += (size_t)snprintf(buf, size, "[");
    for (i = 0; i < rank && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%lld",
                                 i ? "," : "", (long long)dims[i]);
    if (used < size)
        snprintf(buf + used, size - used, "]");
    return buf;
}

onnxmini_status om_tensor_set_shape(om_tensor *t, int dtype, const int64_t *dims,
                                    int rank, onnxmini_error *err)
{
    char shape[OM_DIMS_STR_SIZE];
    size_t elem = om_dtype_size(dtype);
    int64_t count;

    if (rank < 0 || rank > OM_MAX_RANK)
        return om_fail(err, ONNXMINI_ERR_LIMIT,
                       "rank %d is outside 0..%d", rank, OM_MAX_RANK);
    if (elem == 0)
        return om_fail(err, ONNXMINI_ERR_UNSUPPORTED,
                       "element type %s (%d) is not supported",
                       om_dtype_name(dtype), dtype);
    count = om_shape_count(dims, rank);
    if (count < 0 || (uint64_t)count > OM_MAX_TENSOR_BYTES / elem)
        return om_fail(err, ONNXMINI_ERR_LIMIT,
                       "shape %s is negative or too large",
                       om_dims_str(dims, rank, shape, sizeof shape));
    t->dtype = dtype;
    t->rank = rank;
    if (rank > 0)
        memcpy(t->dims, dims, (size_t)rank * sizeof dims[0]);
    t->count = (size_t)count;
    t->bytes = (size_t)count * elem;
    return ONNXMINI_OK;
}

onnxmini_status om_broadcast_shape(const int64_t *a, int rank_a,
                                   const int64_t *b, int rank_b,
                                   int64_t *out, int *rank_out,
                                   const om_node *node, onnxmini_error *err)
{
    int rank = rank_a > rank_b ? rank_a : rank_b;
    int i;

    for (i = 0; i < rank; i++) {
        /* Align trailing dimensions; missing leading ones count as 1. */
        int ia = i - (rank - rank_a), ib = i - (rank - rank_b);
        int64_t da = ia >= 0 ? a[ia] : 1, db = ib >= 0 ? b[ib] : 1;

        if (da == db || db == 1)
            out[i] = da;
        else if (da == 1)
            out[i] = db;
        else {
            char sa[OM_DIMS_STR_SIZE], sb[OM_DIMS_STR_SIZE];
            return om_node_fail(err, node, ONNXMINI_ERR_SHAPE,
                                "shapes %s and %s cannot be broadcast "
                                "(dimension %d: %lld against %lld)",
                                om_dims_str(a, rank_a, sa, sizeof sa),
                                om_dims_str(b, rank_b, sb, sizeof sb), i,
                                (long long)da, (long long)db);
        }
    }
    *rank_out = rank;
    return ONNXMINI_OK;
}

void om_bcast_init(om_bcast *bc, const int64_t *a, int rank_a,
                   const int64_t *b, int rank_b, const int64_t *out,
                   int rank_out)
{
    int64_t sa[OM_MAX_RANK], sb[OM_MAX_RANK];
    int64_t step_a = 1, step_b = 1;
    int i, r = 0;

    /* Element strides of each input in the output's coordinates; a
     * broadcast (size 1 or missing) dimension gets stride 0. */
    for (i = rank_out - 1; i >= 0; i--) {
        int ia = i - (rank_out - rank_a), ib = i - (rank_out - rank_b);
        int64_t da = ia >= 0 ? a[ia] : 1, db = ib >= 0 ? b[ib] : 1;

        sa[i] = (da == 1 && out[i] != 1) ? 0 : step_a;
        sb[i] = (db == 1 && out[i] != 1) ? 0 : step_b;
        step_a *= da;
        step_b *= db;
    }

    /* Drop size-1 dimensions, then merge each dimension into the inner
     * neighbour when both inputs step through the pair contiguously (a
     * stride equal to the inner stride times the inner size, which also
     * covers two broadcast dimensions). */
    for (i = 0; i < rank_out; i++) {
        if (out[i] == 1)
            continue;
        if (r > 0 && bc->stride_a[r - 1] == sa[i] * out[i] &&
            bc->stride_b[r - 1] == sb[i] * out[i]) {
            bc->dims[r - 1] *= out[i];
            bc->stride_a[r - 1] = sa[i];
            bc->stride_b[r - 1] = sb[i];
            continue;
        }
        bc->dims[r] = out[i];
        bc->stride_a[r] = sa[i];
        bc->stride_b[r] = sb[i];
        r++;
    }
    if (r == 0) {
        bc->dims[0] = 1;
        bc->stride_a[0] = 0;
        bc->stride_b[0] = 0;
        r = 1;
    }
    bc->rank = r;
}

void om_bcast_run(const om_bcast *bc, om_bcast_row_fn row, void *ctx)
{
    int64_t index[OM_MAX_RANK] = {0};
    int inner = bc->rank - 1;
    size_t n = (size_t)bc->dims[inner];
    size_t off_a = 0, off_b = 0, off_out = 0;
    int i;

    for (i = 0; i < bc->rank; i++)
        if (bc->dims[i] == 0)
            return;

    for (;;) {
        row(ctx, n, off_a, (size_t)bc->stride_a[inner], off_b,
            (size_t)bc->stride_b[inner], off_out);
        off_out += n;

        /* Advance the odometer over the outer dimensions. */
        for (i = inner - 1; i >= 0; i--) {
            off_a += (size_t)bc->stride_a[i];
            off_b += (size_t)bc->stride_b[i];
            if (++index[i] < bc->dims[i])
                break;
            off_a -= (size_t)(bc->stride_a[i] * bc->dims[i]);
            off_b -= (size_t)(bc->stride_b[i] * bc->dims[i]);
            index[i] = 0;
        }
        if (i < 0)
            return;
    }
}
