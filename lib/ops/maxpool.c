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
#include <math.h>
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
    float lo, hi;                     /* a folded Relu or Clip; else +-inf */
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

static void valid_range(int64_t start, int64_t dilation, int64_t kernel,
                        int64_t size, int64_t *lo, int64_t *hi);

/* Fails when the window of some output position covers padding only. The
 * maximum of no element is undefined, and ONNX Runtime and PyTorch reject
 * such pads. Checking each axis on its own is enough, because a window is
 * empty exactly when its part on some axis is. Axes of more than
 * 65536 outputs are checked at their first and last 32768 positions,
 * where padding-only windows start. */
static onnxmini_status check_windows_hold_input(const om_node *node,
                                                const om_window *w,
                                                onnxmini_error *err)
{
    const int64_t edge = 32768;
    int i;

    for (i = 0; i < w->n; i++) {
        int64_t o, lo, hi;
        for (o = 0; o < w->out[i]; o++) {
            if (o == edge && w->out[i] > 2 * edge)
                o = w->out[i] - edge;
            valid_range(o * w->stride[i] - w->pad_begin[i], w->dilation[i],
                        w->kernel[i], w->in[i], &lo, &hi);
            if (lo >= hi)
                return om_node_fail(
                    err, node, ONNXMINI_ERR_INVALID_MODEL,
                    "the window of output position %lld on spatial axis %d "
                    "covers padding only (input size %lld, kernel %lld, "
                    "stride %lld, dilation %lld, pads %lld and %lld); every "
                    "window must hold at least one input element",
                    (long long)o, i, (long long)w->in[i],
                    (long long)w->kernel[i], (long long)w->stride[i],
                    (long long)w->dilation[i], (long long)w->pad_begin[i],
                    (long long)w->pad_end[i]);
        }
    }
    return ONNXMINI_OK;
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
    if (st == ONNXMINI_OK)
        st = check_windows_hold_input(node, &s->win, ctx->err);
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
    s->lo = ctx->fusion ? ctx->fusion->lo : -INFINITY;
    s->hi = ctx->fusion ? ctx->fusion->hi : INFINITY;
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

/* The first and one-past-last kernel offsets along an axis whose window
 * starts at `start` (possibly in the padding) and that stay inside
 * [0, size). */
static void valid_range(int64_t start, int64_t dilation, int64_t kernel,
                        int64_t size, int64_t *lo, int64_t *hi)
{
    *lo = start < 0 ? (-start + dilation - 1) / dilation : 0;
    *hi = size - start <= 0 ? 0 : (size - start + dilation - 1) / dilation;
    if (*hi > kernel)
        *hi = kernel;
    if (*lo > *hi)
        *lo = *hi;
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
                int64_t kidx[OM_MAX_SPATIAL], lo[OM_MAX_SPATIAL],            \
                    hi[OM_MAX_SPATIAL], start[OM_MAX_SPATIAL];               \
                T best = LOWEST;                                             \
                int64_t best_index = -1;                                     \
                int found = 0, empty = 0;                                    \
                /* Only the kernel offsets that land inside the input, so  \
                 * that huge kernels and pads cost nothing extra. */         \
                for (d = 0; d < w->n; d++) {                                 \
                    start[d] = oidx[d] * w->stride[d] - w->pad_begin[d];     \
                    valid_range(start[d], w->dilation[d], w->kernel[d],      \
                                w->in[d], &lo[d], &hi[d]);                   \
                    kidx[d] = lo[d];                                         \
                    empty |= lo[d] == hi[d];                                 \
                }                                                            \
                while (!empty) {                                             \
                    int64_t mem = 0, idx = 0;                                \
                    T v;                                                     \
                    for (d = 0; d < w->n; d++) {                             \
                        int64_t i = start[d] + kidx[d] * w->dilation[d];     \
                        mem += i * row_stride[d];                            \
                        idx += i * index_stride[d];                          \
                    }                                                        \
                    v = plane[mem];                                          \
                    if (!found ||                                            \
                        (!(IS_NAN(best)) && (v > best || IS_NAN(v)))) {      \
                        best = v;                                            \
                        best_index = idx;                                    \
                        found = 1;                                           \
                    }                                                        \
                    for (d = w->n - 1; d >= 0; d--) {                        \
                        if (++kidx[d] < hi[d])                               \
                            break;                                           \
                        kidx[d] = lo[d];                                     \
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


/* 2-D pooling without the per-element window arithmetic of the general
 * kernel: the valid kernel rows and columns of each window are computed
 * once, so the inner loops only compare. Same results as the general
 * kernel, Indices included. */
#define MAXPOOL_2D(name, T, IS_NAN, LOWEST)                                  \
    static void name(const maxpool_state *s, const T *x, T *y,              \
                     int64_t *indices)                                       \
    {                                                                        \
        const om_window *w = &s->win;                                        \
        const int64_t in_h = w->in[0], in_w = w->in[1];                      \
        size_t p;                                                            \
        int64_t oh, ow, kh, kw;                                              \
                                                                             \
        for (p = 0; p < s->planes; p++) {                                    \
            const T *plane = x + p * s->in_size;                             \
            for (oh = 0; oh < w->out[0]; oh++) {                             \
                int64_t h0 = oh * w->stride[0] - w->pad_begin[0], h_lo, h_hi; \
                valid_range(h0, w->dilation[0], w->kernel[0], in_h, &h_lo,   \
                            &h_hi);                                          \
                for (ow = 0; ow < w->out[1]; ow++) {                         \
                    int64_t w0 = ow * w->stride[1] - w->pad_begin[1], w_lo,  \
                            w_hi, best_at = -1;                              \
                    T best = LOWEST;                                         \
                    valid_range(w0, w->dilation[1], w->kernel[1], in_w,      \
                                &w_lo, &w_hi);                               \
                    for (kh = h_lo; kh < h_hi; kh++) {                       \
                        int64_t ih = h0 + kh * w->dilation[0];               \
                        const T *row = plane + ih * in_w;                    \
                        for (kw = w_lo; kw < w_hi; kw++) {                   \
                            int64_t iw = w0 + kw * w->dilation[1];           \
                            T v = row[iw];                                   \
                            if (best_at < 0 ||                               \
                                (!(IS_NAN(best)) && (v > best || IS_NAN(v)))) { \
                                best = v;                                    \
                                best_at = s->column_major                    \
                                              ? ih + iw * in_h               \
                                              : ih * in_w + iw;              \
                            }                                                \
                        }                                                    \
                    }                                                        \
                    *y++ = best;                                             \
                    if (indices)                                             \
                        *indices++ = best_at < 0                             \
                                         ? -1                                \
                                         : (int64_t)(p * s->in_size) +       \
                                               best_at;                      \
                }                                                            \
            }                                                                \
        }                                                                    \
    }

MAXPOOL_2D(maxpool2d_f32, float, FLOAT_IS_NAN, -FLT_MAX)
MAXPOOL_2D(maxpool2d_f64, double, FLOAT_IS_NAN, -DBL_MAX)
MAXPOOL_2D(maxpool2d_i8, int8_t, INT_IS_NAN, INT8_MIN)
MAXPOOL_2D(maxpool2d_u8, uint8_t, INT_IS_NAN, 0)

/* The output positions a <= o < b on one axis whose windows lie inside
 * the input: the window starts at or after element 0 and ends at or before
 * the last element. */
static void interior_range(const om_window *w, int axis, int64_t *a,
                           int64_t *b)
{
    const int64_t k = w->kernel[axis], stride = w->stride[axis];
    const int64_t pad = w->pad_begin[axis];
    int64_t last = w->in[axis] - 1 - (k - 1) * w->dilation[axis] + pad;

    *a = (pad + stride - 1) / stride;
    *b = last < 0 ? 0 : last / stride + 1;
    if (*b > w->out[axis])
        *b = w->out[axis];
    if (*a > *b)
        *a = *b;
}

/* Output row oh of one plane. The interior columns ow_a <= ow < ow_b are
 * computed a whole row segment at a time by the kernel table's strided
 * maximum, unless interior_done is set because they are already stored.
 * The few border columns take the general path. */
static void maxpool2d_f32_row(const maxpool_state *s, const om_kernels *kt,
                              const float *plane, int64_t oh, int64_t ow_a,
                              int64_t ow_b, int interior_done, float *y)
{
    const om_window *w = &s->win;
    const int64_t in_h = w->in[0], in_w = w->in[1], out_w = w->out[1];
    const int64_t kw_n = w->kernel[1], sw = w->stride[1], dw = w->dilation[1];
    const int64_t pw = w->pad_begin[1];
    int64_t h0 = oh * w->stride[0] - w->pad_begin[0], h_lo, h_hi, ow;

    valid_range(h0, w->dilation[0], w->kernel[0], in_h, &h_lo, &h_hi);

    /* Interior: whole windows, or none when the rows of this output row
     * fall in the padding. */
    if (!interior_done) {
        if (ow_a < ow_b && h_lo < h_hi)
            kt->f32_max_window(
                (size_t)(ow_b - ow_a),
                plane + (h0 + h_lo * w->dilation[0]) * in_w + ow_a * sw - pw,
                (size_t)(w->dilation[0] * in_w), (size_t)(h_hi - h_lo),
                (size_t)kw_n, (size_t)sw, (size_t)dw, y + ow_a);
        else
            for (ow = ow_a; ow < ow_b; ow++)
                y[ow] = -FLT_MAX;
    }

    /* Borders: the part of each window inside the input. */
    for (ow = 0; ow < out_w; ow++) {
        int64_t w0, w_lo, w_hi;
        float best = -FLT_MAX;
        if (ow == ow_a && ow_a < ow_b)
            ow = ow_b;
        if (ow >= out_w)
            break;
        w0 = ow * sw - pw;
        valid_range(w0, dw, kw_n, in_w, &w_lo, &w_hi);
        if (h_lo < h_hi && w_lo < w_hi)
            om_kernels_scalar.f32_max_window(
                1, plane + (h0 + h_lo * w->dilation[0]) * in_w + w0 + w_lo * dw,
                (size_t)(w->dilation[0] * in_w), (size_t)(h_hi - h_lo),
                (size_t)(w_hi - w_lo), 1, (size_t)dw, &best);
        y[ow] = best;
    }
}

/* The common float case, 2-D without Indices. When the windows tile the
 * input rows (the column stride equals the kernel width), the windows
 * that lie wholly inside the input are pooled by one kernel call for all
 * planes, which reduces each window's columns first. The other output
 * rows go one at a time through maxpool2d_f32_row, and so do the border
 * columns of every row. */
static void maxpool2d_f32_values(const maxpool_state *s, const om_kernels *kt,
                                 const float *x, float *y)
{
    const om_window *w = &s->win;
    const int64_t in_w = w->in[1], out_w = w->out[1];
    const int tiled = w->stride[1] == w->kernel[1] &&
                      (w->dilation[1] == 1 || w->kernel[1] == 1);
    int64_t ow_a, ow_b, oh_a = 0, oh_b = 0, oh;
    int borders;
    size_t p;

    interior_range(w, 1, &ow_a, &ow_b);
    borders = ow_a > 0 || ow_b < out_w;
    if (tiled && ow_a < ow_b)
        interior_range(w, 0, &oh_a, &oh_b);
    if (oh_a < oh_b) {
        om_max_pool_tiled_params tp;
        tp.planes = s->planes;
        tp.out_h = (size_t)(oh_b - oh_a);
        tp.out_w = (size_t)(ow_b - ow_a);
        tp.kernel_h = (size_t)w->kernel[0];
        tp.kernel_w = (size_t)w->kernel[1];
        tp.x_plane = s->in_size;
        tp.x_out_row = (size_t)(w->stride[0] * in_w);
        tp.x_window_row = (size_t)(w->dilation[0] * in_w);
        tp.y_plane = s->out_size;
        tp.y_row = (size_t)out_w;
        kt->f32_max_pool_tiled(
            x + (oh_a * w->stride[0] - w->pad_begin[0]) * in_w +
                ow_a * w->stride[1] - w->pad_begin[1],
            &tp, y + oh_a * out_w + ow_a);
    }

    for (p = 0; p < s->planes; p++) {
        const float *plane = x + p * s->in_size;
        for (oh = 0; oh < w->out[0]; oh++, y += out_w) {
            int done = oh >= oh_a && oh < oh_b;
            if (!done || borders)
                maxpool2d_f32_row(s, kt, plane, oh, ow_a, ow_b, done, y);
        }
    }
}

/* Applies a folded Relu or Clip to the float output: max and min commute
 * with a clamp to [lo, hi], so clamping the maxima equals pooling the
 * clamped input. NaN stays NaN, as Relu and Clip keep it. */
static void clamp_output(const om_run_ctx *ctx, const maxpool_state *s)
{
    float *y = ctx->out[0]->data;
    size_t n = ctx->out[0]->count, i;

    if (s->lo == 0.0f && s->hi == INFINITY) {
        ctx->kernels->f32_relu(n, y, y);
        return;
    }
    for (i = 0; i < n; i++) {
        float v = y[i];
        if (v < s->lo)
            v = s->lo;
        if (v > s->hi)
            v = s->hi;
        y[i] = v;
    }
}

static onnxmini_status maxpool_run_values(const om_run_ctx *ctx);

static onnxmini_status maxpool_run(const om_run_ctx *ctx)
{
    const maxpool_state *s = ctx->state;
    onnxmini_status st = maxpool_run_values(ctx);

    if (st == ONNXMINI_OK && (s->lo > -INFINITY || s->hi < INFINITY))
        clamp_output(ctx, s);
    return st;
}

static onnxmini_status maxpool_run_values(const om_run_ctx *ctx)
{
    const maxpool_state *s = ctx->state;
    int64_t *indices =
        ctx->n_out > 1 && ctx->out[1] ? ctx->out[1]->data : NULL;
    const void *x = ctx->in[0]->data;
    void *y = ctx->out[0]->data;

    if (s->win.n == 2 && !indices && ctx->in[0]->dtype == ONNXMINI_FLOAT) {
        maxpool2d_f32_values(s, ctx->kernels, x, y);
        return ONNXMINI_OK;
    }
    if (s->win.n == 2) {
        switch (ctx->in[0]->dtype) {
        case ONNXMINI_FLOAT:
            maxpool2d_f32(s, x, y, indices);
            break;
        case ONNXMINI_DOUBLE:
            maxpool2d_f64(s, x, y, indices);
            break;
        case ONNXMINI_INT8:
            maxpool2d_i8(s, x, y, indices);
            break;
        default:
            maxpool2d_u8(s, x, y, indices);
            break;
        }
        return ONNXMINI_OK;
    }
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

/* A MaxPool whose only output is Y can take a following Relu or Clip of
 * constant bounds, applied to its maxima. It takes no Add, and the session
 * keeps the fold only for float outputs. */
static int maxpool_can_fuse(const om_node *node, const onnxmini_model *model,
                            int bias)
{
    (void)model;
    return bias < 0 && (node->n_outputs < 2 || node->outputs[1] < 0);
}

const om_op om_op_maxpool = {
    .domain = "",
    .op_type = "MaxPool",
    .versions = versions,
    .state_size = sizeof(maxpool_state),
    .check = maxpool_check,
    .infer = maxpool_infer,
    .run = maxpool_run,
    .can_fuse = maxpool_can_fuse,
};
