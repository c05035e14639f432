/*
 * maxpool.c - MaxPool over any number of spatial axes, with the optional
 * Indices output.
 *
 * Versions: 1 (kernel_shape, strides, pads, auto_pad); 8 adds
 * storage_order and the Indices output; 10 adds ceil_mode and dilations;
 * 11 changes pads/auto_pad documentation only; 12 adds int8 and uint8;
 * 22 adds bfloat16.
 *
 * Only real elements compete for the maximum: padding never wins. A NaN in
 * a window makes the result NaN (the first NaN's index), as in PyTorch and
 * numpy's max. Indices are positions in the flattened input tensor,
 * including the batch and channel offsets; with storage_order=1 the
 * spatial part of the position is counted in column-major order.
 */
#include <float.h>
#include <string.h>

#include "ops/op.h"
#include "ops/window.h"

static const int versions[] = {1, 8, 10, 11, 12, 22, 0};

static const int float_types[] = {ONNXMINI_FLOAT, ONNXMINI_DOUBLE, 0};
static const int all_types[] = {ONNXMINI_FLOAT, ONNXMINI_DOUBLE, ONNXMINI_INT8,
                                ONNXMINI_UINT8, 0};
static const om_type_rule types[] = {{1, float_types}, {12, all_types}, {0, 0}};

typedef struct maxpool_state {
    om_window win;
    size_t planes;                    /* N * C */
    size_t in_size;                   /* D1 * .. * Dn */
    size_t out_size;                  /* O1 * .. * On */
    int column_major;                 /* storage_order = 1 */
} maxpool_state;

static onnxmini_status maxpool_check(const om_node *node, onnxmini_error *err)
{
    static const char *const v1[] = {"auto_pad", "kernel_shape", "pads",
                                     "strides", NULL};
    static const char *const v8[] = {"auto_pad", "kernel_shape", "pads",
                                     "storage_order", "strides", NULL};
    static const char *const v10[] = {"auto_pad",      "ceil_mode",
                                      "dilations",     "kernel_shape",
                                      "pads",          "storage_order",
                                      "strides",       NULL};
    const int64_t *kernel;
    size_t n;
    int64_t v;
    int version = node->since_version;
    onnxmini_status st = om_check_counts(node, 1, 1, 1, version >= 8 ? 2 : 1,
                                         err);

    if (st == ONNXMINI_OK)
        st = om_check_known_attrs(node, version >= 10  ? v10
                                        : version >= 8 ? v8
                                                       : v1,
                                  err);
    if (st == ONNXMINI_OK)
        st = om_window_check(node, err);
    if (st == ONNXMINI_OK)
        st = om_attr_ints(node, "kernel_shape", &kernel, &n, err);
    if (st == ONNXMINI_OK && !kernel)
        st = om_node_fail(err, node, ONNXMINI_ERR_INVALID_MODEL,
                          "attribute 'kernel_shape' is missing");
    if (st == ONNXMINI_OK)
        st = om_attr_int(node, "storage_order", 0, &v, err);
    if (st == ONNXMINI_OK && v != 0 && v != 1)
        st = om_node_fail(err, node, ONNXMINI_ERR_INVALID_MODEL,
                          "attribute 'storage_order' is %lld, expected 0 or 1",
                          (long long)v);
    if (st == ONNXMINI_OK)
        st = om_attr_int(node, "ceil_mode", 0, &v, err);
    if (st == ONNXMINI_OK && v != 0 && v != 1)
        st = om_node_fail(err, node, ONNXMINI_ERR_INVALID_MODEL,
                          "attribute 'ceil_mode' is %lld, expected 0 or 1",
                          (long long)v);
    return st;
}

static onnxmini_status maxpool_infer(om_infer_ctx *ctx)
{
    const om_node *node = ctx->node;
    const om_tensor *x = ctx->in[0];
    maxpool_state *s = ctx->state;
    const int64_t *kernel;
    size_t n_kernel;
    int64_t ceil_mode, order, out[OM_MAX_RANK];
    int spatial = x->rank - 2, i;
    char sx[OM_DIMS_STR_SIZE];
    onnxmini_status st;

    st = om_check_dtype_versioned(node, "input X", x->dtype, types, ctx->err);
    if (st != ONNXMINI_OK)
        return st;
    if (x->rank < 3)
        return om_node_fail(ctx->err, node, ONNXMINI_ERR_SHAPE,
                            "input X %s needs rank 3 or more "
                            "([N, C, spatial...])",
                            om_dims_str(x->dims, x->rank, sx, sizeof sx));
    st = om_attr_ints(node, "kernel_shape", &kernel, &n_kernel, ctx->err);
    if (st == ONNXMINI_OK)
        st = om_attr_int(node, "ceil_mode", 0, &ceil_mode, ctx->err);
    if (st == ONNXMINI_OK)
        st = om_attr_int(node, "storage_order", 0, &order, ctx->err);
    if (st != ONNXMINI_OK)
        return st;
    if (n_kernel != (size_t)spatial)
        return om_node_fail(ctx->err, node, ONNXMINI_ERR_SHAPE,
                            "attribute 'kernel_shape' has %zu values, but X "
                            "%s has %d spatial axes",
                            n_kernel,
                            om_dims_str(x->dims, x->rank, sx, sizeof sx),
                            spatial);
    st = om_window_init(&s->win, node, x->dims + 2, spatial, kernel,
                        (int)ceil_mode, ctx->err);
    if (st != ONNXMINI_OK)
        return st;

    out[0] = x->dims[0];
    out[1] = x->dims[1];
    s->in_size = 1;
    s->out_size = 1;
    for (i = 0; i < spatial; i++) {
        out[i + 2] = s->win.out[i];
        s->in_size *= (size_t)x->dims[i + 2];
        s->out_size *= (size_t)s->win.out[i];
    }
    s->planes = (size_t)(x->dims[0] * x->dims[1]);
    s->column_major = order == 1;
    st = om_tensor_set_shape(ctx->out[0], x->dtype, out, x->rank, ctx->err);
    if (st == ONNXMINI_OK && ctx->n_out > 1 && ctx->out[1])
        st = om_tensor_set_shape(ctx->out[1], ONNXMINI_INT64, out, x->rank,
                                 ctx->err);
    return st;
}

/* Row-major and column-major strides of the spatial axes. */
static void spatial_strides(const maxpool_state *s, int64_t *stride)
{
    const om_window *w = &s->win;
    int64_t step = 1;
    int d;
    if (s->column_major) {
        for (d = 0; d < w->n; d++) {
            stride[d] = step;
            step *= w->in[d];
        }
    } else {
        for (d = w->n - 1; d >= 0; d--) {
            stride[d] = step;
            step *= w->in[d];
        }
    }
}

#define MAXPOOL_KERNEL(name, T, IS_NAN, LOWEST)                              \
    static void name(const maxpool_state *s, const T *x, T *y,              \
                     int64_t *indices)                                       \
    {                                                                        \
        const om_window *w = &s->win;                                        \
        int64_t row_stride[OM_MAX_SPATIAL], index_stride[OM_MAX_SPATIAL];   \
        size_t p, o;                                                         \
        int d;                                                               \
                                                                             \
        /* Offsets in memory are row-major whatever storage_order says. */   \
        {                                                                    \
            int64_t step = 1;                                                \
            for (d = w->n - 1; d >= 0; d--) {                                \
                row_stride[d] = step;                                        \
                step *= w->in[d];                                            \
            }                                                                \
        }                                                                    \
        spatial_strides(s, index_stride);                                    \
                                                                             \
        for (p = 0; p < s->planes; p++) {                                    \
            const T *plane = x + p * s->in_size;                             \
            int64_t oidx[OM_MAX_SPATIAL] = {0};                              \
            for (o = 0; o < s->out_size; o++) {                              \
                int64_t kidx[OM_MAX_SPATIAL] = {0};                          \
                T best = LOWEST;                                             \
                int64_t best_index = -1;                                     \
                int found = 0;                                               \
                /* Every kernel offset of this window. */                    \
                for (;;) {                                                   \
                    int64_t mem = 0, idx = 0;                                \
                    int inside = 1;                                          \
                    for (d = 0; d < w->n; d++) {                             \
                        int64_t i = oidx[d] * w->stride[d] -                 \
                                    w->pad_begin[d] +                        \
                                    kidx[d] * w->dilation[d];                \
                        if (i < 0 || i >= w->in[d]) {                        \
                            inside = 0;                                      \
                            break;                                           \
                        }                                                    \
                        mem += i * row_stride[d];                            \
                        idx += i * index_stride[d];                          \
                    }                                                        \
                    if (inside) {                                            \
                        T v = plane[mem];                                    \
                        if (!found || (!(IS_NAN(best)) &&                    \
                                       (v > best || IS_NAN(v)))) {           \
                            best = v;                                        \
                            best_index = idx;                                \
                            found = 1;                                       \
                        }                                                    \
                    }                                                        \
                    for (d = w->n - 1; d >= 0; d--) {                        \
                        if (++kidx[d] < w->kernel[d])                        \
                            break;                                           \
                        kidx[d] = 0;                                         \
                    }                                                        \
                    if (d < 0)                                               \
                        break;                                               \
                }                                                            \
                y[p * s->out_size + o] = best;                               \
                if (indices)                                                 \
                    indices[p * s->out_size + o] =                           \
                        best_index < 0                                       \
                            ? -1                                             \
                            : (int64_t)(p * s->in_size) + best_index;        \
                /* Next output position, last axis fastest. */               \
                for (d = w->n - 1; d >= 0; d--) {                            \
                    if (++oidx[d] < w->out[d])                               \
                        break;                                               \
                    oidx[d] = 0;                                             \
                }                                                            \
            }                                                                \
        }                                                                    \
    }

#define FLOAT_IS_NAN(v) ((v) != (v))
#define INT_IS_NAN(v) 0

/* NOTE: a window made only of padding (possible when a pad is at least the
 * kernel size) yields the type's lowest value and index -1, as ONNX
 * Runtime does; the ONNX spec does not define this case. */
MAXPOOL_KERNEL(maxpool_f32, float, FLOAT_IS_NAN, -FLT_MAX)
MAXPOOL_KERNEL(maxpool_f64, double, FLOAT_IS_NAN, -DBL_MAX)
MAXPOOL_KERNEL(maxpool_i8, int8_t, INT_IS_NAN, INT8_MIN)
MAXPOOL_KERNEL(maxpool_u8, uint8_t, INT_IS_NAN, 0)

static onnxmini_status maxpool_run(const om_run_ctx *ctx)
{
    const maxpool_state *s = ctx->state;
    int64_t *indices =
        ctx->n_out > 1 && ctx->out[1] ? ctx->out[1]->data : NULL;
    const void *x = ctx->in[0]->data;
    void *y = ctx->out[0]->data;

    switch (ctx->in[0]->dtype) {
    case ONNXMINI_FLOAT:
        maxpool_f32(s, x, y, indices);
        break;
    case ONNXMINI_DOUBLE:
        maxpool_f64(s, x, y, indices);
        break;
    case ONNXMINI_INT8:
        maxpool_i8(s, x, y, indices);
        break;
    default:
        maxpool_u8(s, x, y, indices);
        break;
    }
    return ONNXMINI_OK;
}

const om_op om_op_maxpool = {
    "", "MaxPool", versions, 0, 0, sizeof(maxpool_state),
    maxpool_check, maxpool_infer, maxpool_run,
};
