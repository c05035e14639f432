/*
 * matmul.c - MatMul with numpy.matmul semantics (opsets 1, 9 and 13; the
 * later versions only add types).
 *
 * A 1-D left operand [K] is treated as [1, K] and a 1-D right operand [K]
 * as [K, 1], and the added axis is removed from the result. Leading (batch)
 * axes broadcast against each other.
 */
#include <string.h>

#include "ops/op.h"

static const int versions[] = {1, 9, 13, 0};

static const int float_types[] = {ONNXMINI_FLOAT, ONNXMINI_DOUBLE, 0};
static const int all_types[] = {ONNXMINI_FLOAT,  ONNXMINI_DOUBLE,
                                ONNXMINI_INT32,  ONNXMINI_INT64,
                                ONNXMINI_UINT32, ONNXMINI_UINT64, 0};
static const om_type_rule types[] = {{1, float_types}, {9, all_types}, {0, 0}};

typedef struct matmul_state {
    size_t m, n, k;
    om_bcast batch;                   /* over the broadcast batch axes */
} matmul_state;

static onnxmini_status matmul_check(const om_node *node, onnxmini_error *err)
{
    static const char *const attrs[] = {NULL};
    onnxmini_status st = om_check_counts(node, 2, 2, 1, 1, err);
    if (st == ONNXMINI_OK)
        st = om_check_known_attrs(node, attrs, err);
    return st;
}

static onnxmini_status matmul_infer(om_infer_ctx *ctx)
{
    const om_tensor *a = ctx->in[0], *b = ctx->in[1];
    matmul_state *state = ctx->state;
    int64_t out[OM_MAX_RANK];
    int64_t m, k, kb, n;
    int ra = a->rank, rb = b->rank, batch_rank, rank;
    char sa[OM_DIMS_STR_SIZE], sb[OM_DIMS_STR_SIZE];
    onnxmini_status st;

    st = om_check_dtype_versioned(ctx->node, "input A", a->dtype, types,
                                  ctx->err);
    if (st != ONNXMINI_OK)
        return st;
    if (a->dtype != b->dtype)
        return om_node_fail(ctx->err, ctx->node, ONNXMINI_ERR_SHAPE,
                            "inputs have different element types (%s and %s)",
                            om_dtype_name(a->dtype), om_dtype_name(b->dtype));
    om_dims_str(a->dims, ra, sa, sizeof sa);
    om_dims_str(b->dims, rb, sb, sizeof sb);
    if (ra < 1 || rb < 1)
        return om_node_fail(ctx->err, ctx->node, ONNXMINI_ERR_SHAPE,
                            "operands %s and %s: both need rank 1 or more", sa,
                            sb);

    m = ra >= 2 ? a->dims[ra - 2] : 1;
    k = a->dims[ra - 1];
    kb = rb >= 2 ? b->dims[rb - 2] : b->dims[0];
    n = rb >= 2 ? b->dims[rb - 1] : 1;
    if (k != kb)
        return om_node_fail(ctx->err, ctx->node, ONNXMINI_ERR_SHAPE,
                            "inner dimensions differ: %s times %s (%lld "
                            "against %lld)",
                            sa, sb, (long long)k, (long long)kb);

    /* Batch axes: everything before the last two of each operand. */
    st = om_broadcast_shape(a->dims, ra > 2 ? ra - 2 : 0, b->dims,
                            rb > 2 ? rb - 2 : 0, out, &batch_rank, ctx->node,
                            ctx->err);
    if (st != ONNXMINI_OK)
        return st;
    om_bcast_init(&state->batch, a->dims, ra > 2 ? ra - 2 : 0, b->dims,
                  rb > 2 ? rb - 2 : 0, out, batch_rank);
    rank = batch_rank;
    if (ra >= 2)
        out[rank++] = m;
    if (rb >= 2)
        out[rank++] = n;
    state->m = (size_t)m;
    state->n = (size_t)n;
    state->k = (size_t)k;
    return om_tensor_set_shape(ctx->out[0], a->dtype, out, rank, ctx->err);
}

typedef struct matmul_rows {
    const matmul_state *s;
    const void *a, *b;
    void *y;
    const om_kernels *kernels;
} matmul_rows;

static void batch_f32(void *ctx, size_t count, size_t oa, size_t sa, size_t ob,
                      size_t sb, size_t oy)
{
    const matmul_rows *r = ctx;
    const matmul_state *s = r->s;
    size_t i;
    for (i = 0; i < count; i++)
        r->kernels->f32_gemm(
            s->m, s->n, s->k,
            (const float *)r->a + (oa + i * sa) * s->m * s->k, s->k,
            (const float *)r->b + (ob + i * sb) * s->k * s->n, s->n,
            (float *)r->y + (oy + i) * s->m * s->n, s->n);
}

/* Other types: a plain triple loop; integer products wrap around. */
#define MATMUL_BATCH(name, T, U)                                             \
    static void name(void *ctx, size_t count, size_t oa, size_t sa,          \
                     size_t ob, size_t sb, size_t oy)                        \
    {                                                                        \
        const matmul_rows *r = ctx;                                          \
        const matmul_state *s = r->s;                                        \
        size_t c, i, j, p;                                                   \
        for (c = 0; c < count; c++) {                                        \
            const T *a = (const T *)r->a + (oa + c * sa) * s->m * s->k;      \
            const T *b = (const T *)r->b + (ob + c * sb) * s->k * s->n;      \
            T *y = (T *)r->y + (oy + c) * s->m * s->n;                       \
            for (i = 0; i < s->m; i++)                                       \
                for (j = 0; j < s->n; j++) {                                 \
                    U acc = 0;                                               \
                    for (p = 0; p < s->k; p++)                               \
                        acc += (U)a[i * s->k + p] * (U)b[p * s->n + j];      \
                    y[i * s->n + j] = (T)acc;                                \
                }                                                            \
        }                                                                    \
    }

MATMUL_BATCH(batch_f64, double, double)
MATMUL_BATCH(batch_i32, int32_t, uint32_t)
MATMUL_BATCH(batch_i64, int64_t, uint64_t)
MATMUL_BATCH(batch_u32, uint32_t, uint32_t)
MATMUL_BATCH(batch_u64, uint64_t, uint64_t)

static onnxmini_status matmul_run(const om_run_ctx *ctx)
{
    const matmul_state *state = ctx->state;
    matmul_rows rows;
    om_bcast_row_fn fn;

    rows.s = state;
    rows.a = ctx->in[0]->data;
    rows.b = ctx->in[1]->data;
    rows.y = ctx->out[0]->data;
    rows.kernels = ctx->kernels;
    switch (ctx->in[0]->dtype) {
    case ONNXMINI_FLOAT: fn = batch_f32; break;
    case ONNXMINI_DOUBLE: fn = batch_f64; break;
    case ONNXMINI_INT32: fn = batch_i32; break;
    case ONNXMINI_INT64: fn = batch_i64; break;
    case ONNXMINI_UINT32: fn = batch_u32; break;
    default: fn = batch_u64; break;
    }
    if (ctx->out[0]->count == 0)
        return ONNXMINI_OK;
    if (state->k == 0) {
        /* An empty sum is zero. */
        memset(ctx->out[0]->data, 0, ctx->out[0]->bytes);
        return ONNXMINI_OK;
    }
    om_bcast_run(&state->batch, fn, &rows);
    return ONNXMINI_OK;
}

const om_op om_op_matmul = {
    "", "MatMul", versions, 0, 0, sizeof(matmul_state),
    matmul_check, matmul_infer, matmul_run,
};
