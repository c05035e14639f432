/*
 * matmul.c - MatMul with numpy.matmul semantics (opsets 1, 9 and 13; the
 * later versions only add types).
 *
 * A 1-D left operand [K] is treated as [1, K] and a 1-D right operand [K]
 * as [K, 1], and the added axis is removed from the result. Leading (batch)
 * axes broadcast against each other.
 */
#include <math.h>
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

    /* Float path: B's row offsets, then B packed when it is one constant
     * matrix, in ctx->packed; A (and B otherwise) packed per run in
     * scratch. */
    int b_packed;
    int transposed;                   /* B stored as Bt [N][K] instead,
                                       * for f32_gemm_nt and unpacked A */
    size_t rows_bytes;                /* aligned size of the row offsets */
    size_t a_bytes;                   /* aligned size of packed A */

    /* Columns of C per thread: a multiple of four panels, so that each
     * part keeps the kernels' widest path (of eight for f32_gemm_nt). */
    size_t span;

    /* f32_gemm_nt: rows of C per task, all of them unless there are
     * fewer column spans than threads. */
    size_t row_span;

    /* What the session folded: an Add of one value per column (or one
     * value) and a Relu. */
    const float *fused_bias;
    size_t fused_bias_count;
    float lo, hi;
} matmul_state;

static size_t align_up(size_t n)
{
    return (n + OM_ALIGNMENT - 1) / OM_ALIGNMENT * OM_ALIGNMENT;
}

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
    st = om_tensor_set_shape(ctx->out[0], a->dtype, out, rank, ctx->err);
    if (st != ONNXMINI_OK || a->dtype != ONNXMINI_FLOAT)
        return st;

    /* The float path's memory. */
    state->lo = -INFINITY;
    state->hi = INFINITY;
    if (ctx->fusion) {
        state->lo = ctx->fusion->lo;
        state->hi = ctx->fusion->hi;
        if (ctx->fusion->bias) {
            state->fused_bias = ctx->fusion->bias->data;
            state->fused_bias_count = ctx->fusion->bias->count;
        }
    }
    {
        const om_kernels *kt = ctx->kernels;
        size_t b_bytes = align_up(om_packed_b_bytes(state->k, state->n,
                                                    kt->gemm_nr));
        state->rows_bytes = align_up(state->k * sizeof(size_t));
        state->a_bytes = align_up(om_packed_a_bytes(state->m, state->k,
                                                    kt->gemm_mr));
        state->b_packed = b->is_constant && rb <= 2;
        state->transposed =
            state->b_packed && om_gemm_prefers_nt(kt, state->n, state->k);
        if (state->transposed) {
            b_bytes = align_up(state->n * state->k * sizeof(float));
            state->a_bytes = 0;
        }
        {
            size_t quad = state->transposed ? 8 : 4 * kt->gemm_nr;
            size_t share = (state->n + (size_t)ctx->threads - 1) /
                           (size_t)(ctx->threads > 0 ? ctx->threads : 1);
            state->span = (share + quad - 1) / quad * quad;
            if (state->span == 0)
                state->span = quad;
            state->row_span = state->m;
            if (state->transposed && state->m > 1) {
                /* A narrow C splits across threads by rows instead. */
                size_t spans = (state->n + state->span - 1) / state->span;
                size_t parts = spans >= (size_t)ctx->threads
                                   ? 1
                                   : (size_t)ctx->threads / (spans ? spans : 1);
                if (parts > state->m)
                    parts = state->m;
                state->row_span = (state->m + parts - 1) / (parts ? parts : 1);
            }
        }
        ctx->packed_bytes = state->rows_bytes;
        ctx->scratch_bytes = state->a_bytes;
        if (state->b_packed)
            ctx->packed_bytes += b_bytes;
        else
            ctx->scratch_bytes += b_bytes;
    }
    return ONNXMINI_OK;
}

typedef struct matmul_rows {
    const matmul_state *s;
    const void *a, *b;
    void *y;
    const om_kernels *kernels;
    const void *packed;
    void *scratch;
    om_pool *pool;
} matmul_rows;

/* One product's columns [t * span, (t + 1) * span): any thread may run it,
 * as each part writes its own columns with the same arithmetic. */
typedef struct matmul_part {
    const matmul_state *s;
    const om_kernels *kernels;
    const float *a, *b;               /* packed, or A and Bt in f32_gemm_nt */
    const size_t *rows;
    float *y;
    om_gemm_epilogue ep;
} matmul_part;

static void matmul_task(void *arg, size_t t, int thread)
{
    const matmul_part *p = arg;
    const matmul_state *s = p->s;
    size_t nr = p->kernels->gemm_nr, j0 = t * s->span;
    size_t cols = s->n - j0 < s->span ? s->n - j0 : s->span;
    om_gemm_epilogue ep = p->ep;

    (void)thread;
    if (ep.bias_n)
        ep.bias_n += j0;
    p->kernels->f32_gemm(s->m, cols, s->k, p->a,
                         p->b + j0 / nr * s->k * nr, p->rows,
                         s->k * nr, p->y + j0, s->n, &ep);
}

/* Task count of f32_gemm_nt: column spans times row spans. */
static size_t nt_tasks(const matmul_state *s)
{
    size_t spans = (s->n + s->span - 1) / s->span;
    size_t row_spans = s->row_span ? (s->m + s->row_span - 1) / s->row_span
                                   : 1;
    return spans * (row_spans ? row_spans : 1);
}

/* Columns [j0, j0 + span) of rows [i0, i0 + row_span) through
 * f32_gemm_nt, with A read in place. Each output is computed the same way
 * whatever the split. */
static void matmul_nt_task(void *arg, size_t t, int thread)
{
    const matmul_part *p = arg;
    const matmul_state *s = p->s;
    size_t spans = (s->n + s->span - 1) / s->span;
    size_t j0 = t % spans * s->span, i0 = t / spans * s->row_span;
    size_t cols = s->n - j0 < s->span ? s->n - j0 : s->span;
    size_t rows = s->m - i0 < s->row_span ? s->m - i0 : s->row_span;
    om_gemm_epilogue ep = p->ep;

    (void)thread;
    if (ep.bias_n)
        ep.bias_n += j0;
    p->kernels->f32_gemm_nt(rows, cols, s->k, p->a + i0 * s->k, s->k,
                            p->b + j0 * s->k, s->k, p->y + i0 * s->n + j0,
                            s->n, &ep);
}

static void batch_f32(void *ctx, size_t count, size_t oa, size_t sa, size_t ob,
                      size_t sb, size_t oy)
{
    const matmul_rows *r = ctx;
    const matmul_state *s = r->s;
    const om_kernels *kt = r->kernels;
    const size_t *rows = r->packed;
    float *a_packed = r->scratch;
    float *b_scratch = (float *)((unsigned char *)r->scratch + s->a_bytes);
    const float *b_packed =
        (const float *)((const unsigned char *)r->packed + s->rows_bytes);
    om_gemm_epilogue ep;
    size_t i;

    ep.bias_m = NULL;
    ep.bias_n = s->fused_bias && s->fused_bias_count > 1 ? s->fused_bias : NULL;
    ep.lo = s->lo;
    ep.hi = s->hi;
    if (s->fused_bias && s->fused_bias_count == 1) {
        /* The single bias value is added after the product, and the clamp
         * must come after it. */
        ep.lo = -INFINITY;
        ep.hi = INFINITY;
    }
    for (i = 0; i < count; i++) {
        const float *a = (const float *)r->a + (oa + i * sa) * s->m * s->k;
        float *y = (float *)r->y + (oy + i) * s->m * s->n;
        matmul_part part;

        part.s = s;
        part.kernels = kt;
        part.rows = rows;
        part.y = y;
        part.ep = ep;
        if (s->transposed) {
            part.a = a;
            part.b = b_packed;
            om_pool_run(r->pool, nt_tasks(s), matmul_nt_task, &part);
        } else {
            om_pack_a(s->m, s->k, a, s->k, kt->gemm_mr, a_packed);
            part.a = a_packed;
            part.b = b_packed;
            if (!s->b_packed) {
                om_pack_b(s->k, s->n,
                          (const float *)r->b + (ob + i * sb) * s->k * s->n,
                          s->n, kt->gemm_nr, b_scratch);
                part.b = b_scratch;
            }
            om_pool_run(r->pool, (s->n + s->span - 1) / s->span, matmul_task,
                        &part);
        }

        /* A single folded bias value is added after the product. */
        if (s->fused_bias && s->fused_bias_count == 1) {
            size_t j;
            for (j = 0; j < s->m * s->n; j++) {
                float v = y[j] + s->fused_bias[0];
                y[j] = v < s->lo ? s->lo : v > s->hi ? s->hi : v;
            }
        }
    }
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
    rows.packed = ctx->packed;
    rows.scratch = ctx->scratch;
    rows.pool = ctx->pool;
    switch (ctx->in[0]->dtype) {
    case ONNXMINI_FLOAT: fn = batch_f32; break;
    case ONNXMINI_DOUBLE: fn = batch_f64; break;
    case ONNXMINI_INT32: fn = batch_i32; break;
    case ONNXMINI_INT64: fn = batch_i64; break;
    case ONNXMINI_UINT32: fn = batch_u32; break;
    default: fn = batch_u64; break;
    }
    if (state->k == 0 && ctx->in[0]->dtype != ONNXMINI_FLOAT) {
        /* An empty sum is zero (the float GEMM handles k = 0 itself, with
         * its epilogue). */
        memset(ctx->out[0]->data, 0, ctx->out[0]->bytes);
        return ONNXMINI_OK;
    }
    om_bcast_run(&state->batch, fn, &rows);
    return ONNXMINI_OK;
}

/* Fills the row offsets of packed B and, when B is one constant matrix,
 * packs it once (or transposes it, for f32_gemm_nt). */
static onnxmini_status matmul_pack(const om_run_ctx *ctx)
{
    const matmul_state *s = ctx->state;
    const om_kernels *kt = ctx->kernels;
    unsigned char *mem = ctx->packed;

    om_packed_b_rows(s->k, kt->gemm_nr, (size_t *)mem);
    if (s->transposed)
        om_pack_bt_strided(s->k, s->n, ctx->in[1]->data, s->n, 1,
                           (float *)(mem + s->rows_bytes));
    else if (s->b_packed)
        om_pack_b(s->k, s->n, ctx->in[1]->data, s->n, kt->gemm_nr,
                  (float *)(mem + s->rows_bytes));
    return ONNXMINI_OK;
}

/* A float MatMul by a constant matrix [K, N] can take a following Add and
 * a Relu into its GEMM epilogue. The Add's constant fits when it has one
 * value, or N values on its last axis and ones elsewhere ([N], [1, N]). */
static int matmul_can_fuse(const om_node *node, const onnxmini_model *model,
                           int bias)
{
    int weights = om_value_source(model, node->inputs[1]);
    const om_value *w = &model->values[weights], *b;
    int i;

    if (!om_value_is_constant(model, node->inputs[1]) ||
        w->dtype != ONNXMINI_FLOAT || w->rank != 2)
        return 0;
    if (bias < 0)
        return 1;
    b = &model->values[om_value_source(model, bias)];
    if (b->dtype != ONNXMINI_FLOAT || b->rank < 0)
        return 0;
    if (om_shape_count(b->dims, b->rank) == 1)
        return 1;
    for (i = 0; i < b->rank; i++)
        if (b->dims[i] != (i == b->rank - 1 ? w->dims[1] : 1))
            return 0;
    return b->rank >= 1;
}

const om_op om_op_matmul = {
    .domain = "",
    .op_type = "MatMul",
    .versions = versions,
    .state_size = sizeof(matmul_state),
    .check = matmul_check,
    .infer = matmul_infer,
    .run = matmul_run,
    .pack = matmul_pack,
    .can_fuse = matmul_can_fuse,
};
