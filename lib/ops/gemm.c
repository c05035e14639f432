/*
 * gemm.c - Gemm: Y = alpha * A' * B' + beta * C, with A' = transpose(A)
 * when transA = 1 and B' likewise, A' [M, K], B' [K, N], Y [M, N].
 *
 * Opsets 1 and 6 broadcast C only with broadcast = 1 (else C must be
 * [M, N]); from opset 7, C broadcasts to [M, N] numpy-style; from 11 it
 * is optional. Float runs on the kernel table's GEMM with B packed once
 * when it is constant, or as dot products with B transposed once when N
 * is narrow (f32_gemm_nt). Double and the integer types of opset 9 and
 * later take a plain loop.
 */
#include <math.h>
#include <string.h>

#include "ops/op.h"

static const int versions[] = {1, 6, 7, 9, 11, 13, 0};

static const int float_types[] = {ONNXMINI_FLOAT, ONNXMINI_DOUBLE, 0};
static const int all_types[] = {ONNXMINI_FLOAT, ONNXMINI_DOUBLE,
                                ONNXMINI_INT32, ONNXMINI_INT64,
                                ONNXMINI_UINT32, ONNXMINI_UINT64, 0};
static const om_type_rule types[] = {{1, float_types}, {9, all_types}, {0, 0}};

typedef struct gemm_state {
    size_t m, n, k;
    int trans_a, trans_b;
    float alpha, beta;
    int64_t alpha_int, beta_int;      /* for the integer types */
    om_bcast c;                       /* C against [M, N] */
    int has_c;
    int b_packed;                     /* B packed once in ctx->packed */
    int transposed;                   /* B' stored as [N][K] for
                                       * f32_gemm_nt, which reads A as is */
    size_t rows_bytes, a_bytes;
    size_t span;                      /* columns per task (f32_gemm) */
    size_t row_span;                  /* rows per task (f32_gemm_nt) */
} gemm_state;

static size_t align_up(size_t n)
{
    return (n + OM_ALIGNMENT - 1) / OM_ALIGNMENT * OM_ALIGNMENT;
}

static onnxmini_status gemm_check(const om_node *node, onnxmini_error *err)
{
    static const char *const legacy[] = {"alpha", "beta", "broadcast",
                                         "transA", "transB", NULL};
    static const char *const attrs[] = {"alpha", "beta", "transA", "transB",
                                        NULL};
    onnxmini_status st = om_check_counts(
        node, node->since_version >= 11 ? 2 : 3, 3, 1, 1, err);
    if (st == ONNXMINI_OK)
        st = om_check_known_attrs(node, node->since_version < 7 ? legacy : attrs,
                                  err);
    return st;
}

static onnxmini_status gemm_infer(om_infer_ctx *ctx)
{
    const om_node *node = ctx->node;
    const om_tensor *a = ctx->in[0], *b = ctx->in[1];
    const om_tensor *c = ctx->n_in > 2 ? ctx->in[2] : NULL;
    gemm_state *s = ctx->state;
    char sa[OM_DIMS_STR_SIZE], sb[OM_DIMS_STR_SIZE];
    int64_t ta, tb, broadcast, out[2], cdims[OM_MAX_RANK];
    int64_t m, k, kb, n;
    int crank, r;
    onnxmini_status st;

    st = om_check_dtype_versioned(node, "input A", a->dtype, types, ctx->err);
    if (st == ONNXMINI_OK)
        st = om_attr_int(node, "transA", 0, &ta, ctx->err);
    if (st == ONNXMINI_OK)
        st = om_attr_int(node, "transB", 0, &tb, ctx->err);
    if (st == ONNXMINI_OK)
        st = om_attr_float(node, "alpha", 1.0f, &s->alpha, ctx->err);
    if (st == ONNXMINI_OK)
        st = om_attr_float(node, "beta", 1.0f, &s->beta, ctx->err);
    if (st == ONNXMINI_OK)
        st = om_attr_int(node, "broadcast", 0, &broadcast, ctx->err);
    if (st != ONNXMINI_OK)
        return st;
    if (b->dtype != a->dtype || (c && c->dtype != a->dtype))
        return om_node_fail(ctx->err, node, ONNXMINI_ERR_SHAPE,
                            "inputs A, B and C must have the same element "
                            "type");
    om_dims_str(a->dims, a->rank, sa, sizeof sa);
    om_dims_str(b->dims, b->rank, sb, sizeof sb);
    if (a->rank != 2 || b->rank != 2)
        return om_node_fail(ctx->err, node, ONNXMINI_ERR_SHAPE,
                            "A %s and B %s must both have rank 2", sa, sb);

    /* Shapes after the transpositions. */
    m = ta ? a->dims[1] : a->dims[0];
    k = ta ? a->dims[0] : a->dims[1];
    kb = tb ? b->dims[1] : b->dims[0];
    n = tb ? b->dims[0] : b->dims[1];
    if (k != kb)
        return om_node_fail(ctx->err, node, ONNXMINI_ERR_SHAPE,
                            "inner dimensions differ: A %s (transA %lld) and "
                            "B %s (transB %lld) give %lld against %lld",
                            sa, (long long)ta, sb, (long long)tb, (long long)k,
                            (long long)kb);
    out[0] = m;
    out[1] = n;

    /* C broadcasts to [M, N] in one direction only. */
    s->has_c = c != NULL;
    if (c) {
        char sc[OM_DIMS_STR_SIZE];
        crank = c->rank;
        memcpy(cdims, c->dims, sizeof cdims);
        if (node->since_version < 7 && !broadcast &&
            (c->rank != 2 || c->dims[0] != m || c->dims[1] != n))
            return om_node_fail(ctx->err, node, ONNXMINI_ERR_SHAPE,
                                "C %s must be [%lld,%lld] when broadcast is "
                                "0 (opset %d)",
                                om_dims_str(c->dims, c->rank, sc, sizeof sc),
                                (long long)m, (long long)n, node->opset);
        if (crank > 2)
            return om_node_fail(ctx->err, node, ONNXMINI_ERR_SHAPE,
                                "C %s cannot broadcast to [%lld,%lld]",
                                om_dims_str(c->dims, c->rank, sc, sizeof sc),
                                (long long)m, (long long)n);
        for (r = 0; r < crank; r++) {
            int64_t want = out[r + 2 - crank];
            if (cdims[r] != 1 && cdims[r] != want)
                return om_node_fail(ctx->err, node, ONNXMINI_ERR_SHAPE,
                                    "C %s cannot broadcast to [%lld,%lld]",
                                    om_dims_str(c->dims, c->rank, sc,
                                                sizeof sc),
                                    (long long)m, (long long)n);
        }
        om_bcast_init(&s->c, out, 2, cdims, crank, out, 2);
    }
    s->m = (size_t)m;
    s->n = (size_t)n;
    s->k = (size_t)k;
    s->trans_a = ta != 0;
    s->trans_b = tb != 0;
    st = om_tensor_set_shape(ctx->out[0], a->dtype, out, 2, ctx->err);
    if (st != ONNXMINI_OK)
        return st;

    /* Integer types scale by whole numbers: a fraction, or a value past
     * 2^31, has no defined meaning for them. */
    if (a->dtype != ONNXMINI_FLOAT && a->dtype != ONNXMINI_DOUBLE) {
        float v[2];
        int i;
        v[0] = s->alpha;
        v[1] = s->beta;
        for (i = 0; i < 2; i++)
            if (!(v[i] == floorf(v[i])) || fabsf(v[i]) > 2147483648.0f)
                return om_node_fail(ctx->err, node, ONNXMINI_ERR_INVALID_MODEL,
                                    "attribute '%s' is %g; for %s it must be "
                                    "a whole number of at most 2^31",
                                    i ? "beta" : "alpha", (double)v[i],
                                    om_dtype_name(a->dtype));
        s->alpha_int = (int64_t)s->alpha;
        s->beta_int = (int64_t)s->beta;
    }
    if (a->dtype != ONNXMINI_FLOAT)
        return ONNXMINI_OK;

    /* Float: B's row offsets (and B itself when constant) packed once, A
     * packed per run. */
    s->rows_bytes = align_up(s->k * sizeof(size_t));
    s->a_bytes = align_up(om_packed_a_bytes(s->m, s->k, ctx->kernels->gemm_mr));
    s->b_packed = b->is_constant;
    s->transposed = s->b_packed && !s->trans_a &&
                    om_gemm_prefers_nt(ctx->kernels, s->n, s->k);
    {
        /* Work per task: a share of the columns for the GEMM, in whole
         * groups of four panels, or of the rows for dot products. */
        size_t threads = ctx->threads > 0 ? (size_t)ctx->threads : 1;
        size_t quad = 4 * ctx->kernels->gemm_nr;
        size_t share = (s->n + threads - 1) / threads;
        s->span = (share + quad - 1) / quad * quad;
        if (s->span == 0)
            s->span = quad;
        s->row_span = (s->m + threads - 1) / threads;
        if (s->row_span == 0)
            s->row_span = 1;
    }
    if (s->transposed) {
        ctx->packed_bytes = align_up(s->n * s->k * sizeof(float));
        ctx->scratch_bytes = 0;
        return ONNXMINI_OK;
    }
    ctx->packed_bytes = s->rows_bytes;
    ctx->scratch_bytes = s->a_bytes;
    if (s->b_packed)
        ctx->packed_bytes +=
            align_up(om_packed_b_bytes(s->k, s->n, ctx->kernels->gemm_nr));
    else
        ctx->scratch_bytes +=
            align_up(om_packed_b_bytes(s->k, s->n, ctx->kernels->gemm_nr));
    return ONNXMINI_OK;
}

/* Packs B with the strides its transposition gives. */
static void pack_b(const gemm_state *s, const om_kernels *kt, const float *b,
                   float *out)
{
    if (s->trans_b)
        om_pack_b_strided(s->k, s->n, b, 1, s->k, kt->gemm_nr, out);
    else
        om_pack_b_strided(s->k, s->n, b, s->n, 1, kt->gemm_nr, out);
}

static onnxmini_status gemm_pack(const om_run_ctx *ctx)
{
    const gemm_state *s = ctx->state;
    unsigned char *mem = ctx->packed;

    if (s->transposed) {
        if (s->trans_b)
            om_pack_bt_strided(s->k, s->n, ctx->in[1]->data, 1, s->k,
                               ctx->packed);
        else
            om_pack_bt_strided(s->k, s->n, ctx->in[1]->data, s->n, 1,
                               ctx->packed);
        return ONNXMINI_OK;
    }
    om_packed_b_rows(s->k, ctx->kernels->gemm_nr, (size_t *)mem);
    if (s->b_packed)
        pack_b(s, ctx->kernels, ctx->in[1]->data,
               (float *)(mem + s->rows_bytes));
    return ONNXMINI_OK;
}

/* One task's part of a float product: columns [t * span, ...) through
 * f32_gemm, or rows [t * row_span, ...) through f32_gemm_nt. Each output
 * is computed the same way whatever the split. */
typedef struct gemm_part {
    const gemm_state *s;
    const om_kernels *kernels;
    const float *a;                   /* packed A, or A itself for nt */
    const float *b;                   /* packed B panels, or B' [N][K] */
    const size_t *panel_rows;
    float *y;
} gemm_part;

static void gemm_task(void *arg, size_t t, int thread)
{
    const gemm_part *p = arg;
    const gemm_state *s = p->s;
    om_gemm_epilogue ep = {NULL, NULL, -INFINITY, INFINITY};

    (void)thread;
    if (s->transposed) {
        size_t i0 = t * s->row_span;
        size_t rows = s->m - i0 < s->row_span ? s->m - i0 : s->row_span;
        p->kernels->f32_gemm_nt(rows, s->n, s->k, p->a + i0 * s->k, s->k, p->b,
                                s->k, p->y + i0 * s->n, s->n, &ep);
    } else {
        size_t nr = p->kernels->gemm_nr, j0 = t * s->span;
        size_t cols = s->n - j0 < s->span ? s->n - j0 : s->span;
        p->kernels->f32_gemm(s->m, cols, s->k, p->a,
                             p->b + j0 / nr * s->k * nr, p->panel_rows,
                             s->k * nr, p->y + j0, s->n, &ep);
    }
}

/* Y = alpha * Y + beta * C, row by row over C's broadcast. */
typedef struct scale_rows {
    const gemm_state *s;
    const void *c;
    void *y;
} scale_rows;

#define SCALE_ROW(name, T)                                                   \
    static void name(void *ctx, size_t n, size_t oy, size_t sy, size_t oc,   \
                     size_t sc, size_t oo)                                   \
    {                                                                        \
        const scale_rows *r = ctx;                                           \
        T *y = (T *)r->y;                                                    \
        const T *c = (const T *)r->c + oc;                                   \
        const T alpha = (T)r->s->alpha, beta = (T)r->s->beta;                \
        size_t i;                                                            \
        (void)oy;                                                            \
        (void)sy;                                                            \
        for (i = 0; i < n; i++)                                              \
            y[oo + i] = alpha * y[oo + i] + beta * c[i * sc];                \
    }

SCALE_ROW(scale_f32, float)
SCALE_ROW(scale_f64, double)

/* Integers: whole-number alpha and beta, products that wrap around (in
 * the unsigned type of the same width, where overflow is defined). */
#define SCALE_ROW_INT(name, T, U)                                            \
    static void name(void *ctx, size_t n, size_t oy, size_t sy, size_t oc,   \
                     size_t sc, size_t oo)                                   \
    {                                                                        \
        const scale_rows *r = ctx;                                           \
        T *y = (T *)r->y;                                                    \
        const T *c = (const T *)r->c + oc;                                   \
        const U alpha = (U)r->s->alpha_int, beta = (U)r->s->beta_int;        \
        size_t i;                                                            \
        (void)oy;                                                            \
        (void)sy;                                                            \
        for (i = 0; i < n; i++)                                              \
            y[oo + i] = (T)(alpha * (U)y[oo + i] + beta * (U)c[i * sc]);     \
    }

SCALE_ROW_INT(scale_i32, int32_t, uint32_t)
SCALE_ROW_INT(scale_i64, int64_t, uint64_t)
SCALE_ROW_INT(scale_u32, uint32_t, uint32_t)
SCALE_ROW_INT(scale_u64, uint64_t, uint64_t)

/* Other types: a plain triple loop over the transposed operands; integer
 * sums wrap around, computed in the unsigned type U. */
#define GEMM_LOOP(T, U)                                                      \
    do {                                                                     \
        const T *a = ctx->in[0]->data, *b = ctx->in[1]->data;                \
        T *y = ctx->out[0]->data;                                            \
        size_t i, j, p;                                                      \
        for (i = 0; i < s->m; i++)                                           \
            for (j = 0; j < s->n; j++) {                                     \
                U acc = 0;                                                   \
                for (p = 0; p < s->k; p++)                                   \
                    acc += (U)(s->trans_a ? a[p * s->m + i]                  \
                                          : a[i * s->k + p]) *               \
                           (U)(s->trans_b ? b[j * s->k + p]                  \
                                          : b[p * s->n + j]);                \
                y[i * s->n + j] = (T)acc;                                    \
            }                                                                \
    } while (0)

static onnxmini_status gemm_run(const om_run_ctx *ctx)
{
    const gemm_state *s = ctx->state;
    int dtype = ctx->in[0]->dtype;
    om_bcast_row_fn fn;
    scale_rows rows;

    if (dtype == ONNXMINI_FLOAT) {
        const om_kernels *kt = ctx->kernels;
        float *a_packed = ctx->scratch;
        const float *b_packed =
            (const float *)((const unsigned char *)ctx->packed + s->rows_bytes);
        gemm_part part;

        part.s = s;
        part.kernels = kt;
        part.panel_rows = ctx->packed;
        part.y = ctx->out[0]->data;
        if (s->transposed) {
            part.a = ctx->in[0]->data;
            part.b = ctx->packed;
            om_pool_run(ctx->pool, (s->m + s->row_span - 1) / s->row_span,
                        gemm_task, &part);
        } else {
            if (s->trans_a)
                om_pack_a_strided(s->m, s->k, ctx->in[0]->data, 1, s->m,
                                  kt->gemm_mr, a_packed);
            else
                om_pack_a_strided(s->m, s->k, ctx->in[0]->data, s->k, 1,
                                  kt->gemm_mr, a_packed);
            if (!s->b_packed) {
                float *b_scratch =
                    (float *)((unsigned char *)ctx->scratch + s->a_bytes);
                pack_b(s, kt, ctx->in[1]->data, b_scratch);
                b_packed = b_scratch;
            }
            part.a = a_packed;
            part.b = b_packed;
            om_pool_run(ctx->pool, (s->n + s->span - 1) / s->span, gemm_task,
                        &part);
        }
    } else if (dtype == ONNXMINI_DOUBLE) {
        GEMM_LOOP(double, double);
    } else if (dtype == ONNXMINI_INT32) {
        GEMM_LOOP(int32_t, uint32_t);
    } else if (dtype == ONNXMINI_INT64) {
        GEMM_LOOP(int64_t, uint64_t);
    } else if (dtype == ONNXMINI_UINT32) {
        GEMM_LOOP(uint32_t, uint32_t);
    } else {
        GEMM_LOOP(uint64_t, uint64_t);
    }

    /* alpha and beta * C, after the product. */
    if (!s->has_c && s->alpha == 1.0f)
        return ONNXMINI_OK;
    rows.s = s;
    rows.y = ctx->out[0]->data;
    switch (dtype) {
    case ONNXMINI_FLOAT: fn = scale_f32; break;
    case ONNXMINI_DOUBLE: fn = scale_f64; break;
    case ONNXMINI_INT32: fn = scale_i32; break;
    case ONNXMINI_INT64: fn = scale_i64; break;
    case ONNXMINI_UINT32: fn = scale_u32; break;
    default: fn = scale_u64; break;
    }
    if (s->has_c) {
        rows.c = ctx->in[2]->data;
        om_bcast_run(&s->c, fn, &rows);
    } else {
        /* alpha alone: C as a single zero. */
        static const uint64_t zero = 0;
        om_bcast zero_c;
        const int64_t out[2] = {(int64_t)s->m, (int64_t)s->n};
        om_bcast_init(&zero_c, out, 2, NULL, 0, out, 2);
        rows.c = &zero;
        om_bcast_run(&zero_c, fn, &rows);
    }
    return ONNXMINI_OK;
}

const om_op om_op_gemm = {
    .domain = "",
    .op_type = "Gemm",
    .versions = versions,
    .state_size = sizeof(gemm_state),
    .check = gemm_check,
    .infer = gemm_infer,
    .run = gemm_run,
    .pack = gemm_pack,
};
