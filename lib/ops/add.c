/*
 * add.c - Add: c = a + b, element-wise.
 *
 * Opsets 7, 13 and 14 broadcast both operands in numpy style (14 added the
 * 8- and 16-bit integer types). Opsets 1 and 6 broadcast only when the
 * attribute broadcast=1, and then only b onto a: b's shape must match a
 * contiguous run of a's dimensions starting at `axis` (by default the
 * trailing ones), or b is a single element.
 */
#include <string.h>

#include "ops/op.h"

static const int versions[] = {1, 6, 7, 13, 14, 0};

static const int float_types[] = {ONNXMINI_FLOAT, ONNXMINI_DOUBLE, 0};
static const int wide_types[] = {ONNXMINI_FLOAT, ONNXMINI_DOUBLE,
                                 ONNXMINI_INT32, ONNXMINI_INT64,
                                 ONNXMINI_UINT32, ONNXMINI_UINT64, 0};
static const int all_types[] = {ONNXMINI_FLOAT,  ONNXMINI_DOUBLE, ONNXMINI_INT8,
                                ONNXMINI_INT16,  ONNXMINI_INT32,  ONNXMINI_INT64,
                                ONNXMINI_UINT8,  ONNXMINI_UINT16, ONNXMINI_UINT32,
                                ONNXMINI_UINT64, 0};
static const om_type_rule types[] = {
    {1, float_types}, {6, wide_types}, {14, all_types}, {0, 0}};

typedef struct add_state {
    om_bcast bc;
} add_state;

static onnxmini_status add_check(const om_node *node, onnxmini_error *err)
{
    static const char *const legacy[] = {"broadcast", "axis",
                                         "consumed_inputs", NULL};
    static const char *const none[] = {NULL};
    onnxmini_status st = om_check_counts(node, 2, 2, 1, 1, err);
    if (st == ONNXMINI_OK)
        st = om_check_known_attrs(node, node->since_version < 7 ? legacy : none,
                                  err);
    return st;
}

/* Rewrites b's shape for the legacy broadcast of opsets 1 and 6 so that
 * the numpy-style rules give the same result: b's dimensions are placed at
 * `axis` in a shape of a's rank, padded with ones. */
static onnxmini_status legacy_shape(const om_infer_ctx *ctx, int64_t *b_dims,
                                    int *b_rank)
{
    const om_tensor *a = ctx->in[0], *b = ctx->in[1];
    char sa[OM_DIMS_STR_SIZE], sb[OM_DIMS_STR_SIZE];
    int64_t broadcast, axis;
    int i;
    onnxmini_status st =
        om_attr_int(ctx->node, "broadcast", 0, &broadcast, ctx->err);

    if (st == ONNXMINI_OK)
        st = om_attr_int(ctx->node, "axis", a->rank - b->rank, &axis, ctx->err);
    if (st != ONNXMINI_OK)
        return st;
    om_dims_str(a->dims, a->rank, sa, sizeof sa);
    om_dims_str(b->dims, b->rank, sb, sizeof sb);

    if (!broadcast) {
        if (a->rank != b->rank ||
            memcmp(a->dims, b->dims, (size_t)a->rank * sizeof a->dims[0]) != 0)
            return om_node_fail(ctx->err, ctx->node, ONNXMINI_ERR_SHAPE,
                                "shapes %s and %s differ and broadcast is 0 "
                                "(opset %d)",
                                sa, sb, ctx->node->opset);
        *b_rank = b->rank;
        memcpy(b_dims, b->dims, sizeof b->dims);
        return ONNXMINI_OK;
    }

    /* A single element broadcasts anywhere. */
    if (b->count == 1) {
        *b_rank = 0;
        return ONNXMINI_OK;
    }
    if (axis < 0 || axis > a->rank - b->rank)
        return om_node_fail(ctx->err, ctx->node, ONNXMINI_ERR_SHAPE,
                            "shape %s cannot be broadcast onto %s at axis "
                            "%lld",
                            sb, sa, (long long)axis);
    *b_rank = a->rank;
    for (i = 0; i < a->rank; i++) {
        int j = i - (int)axis;
        b_dims[i] = j >= 0 && j < b->rank ? b->dims[j] : 1;
        if (b_dims[i] != 1 && b_dims[i] != a->dims[i])
            return om_node_fail(ctx->err, ctx->node, ONNXMINI_ERR_SHAPE,
                                "shape %s does not match %s at axis %lld", sb,
                                sa, (long long)axis);
    }
    return ONNXMINI_OK;
}

static onnxmini_status add_infer(om_infer_ctx *ctx)
{
    const om_tensor *a = ctx->in[0], *b = ctx->in[1];
    add_state *state = ctx->state;
    int64_t b_dims[OM_MAX_RANK], out[OM_MAX_RANK];
    int b_rank = b->rank, rank;
    onnxmini_status st;

    st = om_check_dtype_versioned(ctx->node, "input A", a->dtype, types,
                                  ctx->err);
    if (st != ONNXMINI_OK)
        return st;
    if (a->dtype != b->dtype)
        return om_node_fail(ctx->err, ctx->node, ONNXMINI_ERR_SHAPE,
                            "inputs have different element types (%s and %s)",
                            om_dtype_name(a->dtype), om_dtype_name(b->dtype));

    memcpy(b_dims, b->dims, sizeof b_dims);
    if (ctx->node->since_version < 7) {
        st = legacy_shape(ctx, b_dims, &b_rank);
        if (st != ONNXMINI_OK)
            return st;
    }
    st = om_broadcast_shape(a->dims, a->rank, b_dims, b_rank, out, &rank,
                            ctx->node, ctx->err);
    if (st != ONNXMINI_OK)
        return st;
    om_bcast_init(&state->bc, a->dims, a->rank, b_dims, b_rank, out, rank);
    return om_tensor_set_shape(ctx->out[0], a->dtype, out, rank, ctx->err);
}

/* Pointers for the row callbacks. */
typedef struct add_rows {
    const void *a, *b;
    void *y;
    const om_kernels *kernels;
} add_rows;

static void row_f32(void *ctx, size_t n, size_t oa, size_t sa, size_t ob,
                    size_t sb, size_t oy)
{
    const add_rows *r = ctx;
    r->kernels->f32_add(n, (const float *)r->a + oa, sa,
                        (const float *)r->b + ob, sb, (float *)r->y + oy);
}

/* Integer sums wrap around, as in ONNX Runtime: they are computed in the
 * unsigned type of the same width, where overflow is defined. */
#define ADD_ROW(name, T, U)                                                  \
    static void name(void *ctx, size_t n, size_t oa, size_t sa, size_t ob,   \
                     size_t sb, size_t oy)                                   \
    {                                                                        \
        const add_rows *r = ctx;                                             \
        const T *a = (const T *)r->a + oa, *b = (const T *)r->b + ob;        \
        T *y = (T *)r->y + oy;                                               \
        size_t i;                                                            \
        for (i = 0; i < n; i++)                                              \
            y[i] = (T)(U)((U)a[i * sa] + (U)b[i * sb]);                      \
    }

ADD_ROW(row_f64, double, double)
ADD_ROW(row_i8, int8_t, uint8_t)
ADD_ROW(row_i16, int16_t, uint16_t)
ADD_ROW(row_i32, int32_t, uint32_t)
ADD_ROW(row_i64, int64_t, uint64_t)
ADD_ROW(row_u8, uint8_t, uint8_t)
ADD_ROW(row_u16, uint16_t, uint16_t)
ADD_ROW(row_u32, uint32_t, uint32_t)
ADD_ROW(row_u64, uint64_t, uint64_t)

static onnxmini_status add_run(const om_run_ctx *ctx)
{
    const add_state *state = ctx->state;
    add_rows rows;
    om_bcast_row_fn fn;

    rows.a = ctx->in[0]->data;
    rows.b = ctx->in[1]->data;
    rows.y = ctx->out[0]->data;
    rows.kernels = ctx->kernels;
    switch (ctx->in[0]->dtype) {
    case ONNXMINI_FLOAT: fn = row_f32; break;
    case ONNXMINI_DOUBLE: fn = row_f64; break;
    case ONNXMINI_INT8: fn = row_i8; break;
    case ONNXMINI_INT16: fn = row_i16; break;
    case ONNXMINI_INT32: fn = row_i32; break;
    case ONNXMINI_INT64: fn = row_i64; break;
    case ONNXMINI_UINT8: fn = row_u8; break;
    case ONNXMINI_UINT16: fn = row_u16; break;
    case ONNXMINI_UINT32: fn = row_u32; break;
    default: fn = row_u64; break;
    }
    om_bcast_run(&state->bc, fn, &rows);
    return ONNXMINI_OK;
}

const om_op om_op_add = {
    .domain = "",
    .op_type = "Add",
    .versions = versions,
    .flags = OM_OP_IN_PLACE,
    .state_size = sizeof(add_state),
    .check = add_check,
    .infer = add_infer,
    .run = add_run,
};
