/*
 * conv.c - Conv over any number of spatial axes (opsets 1, 11 and 22; the
 * later versions changed only the type list and the documentation).
 *
 * X [N, C, D1..Dn] and W [M, C/group, k1..kn] give Y [N, M, O1..On]. Each
 * group of C/group input channels produces M/group output channels. Float
 * convolutions with one input channel per group run the depthwise path
 * (conv_depthwise.c), and the others are lowered to the kernel table's
 * GEMM (conv_gemm.c). Double ones run a direct loop here.
 */
#include <math.h>
#include <string.h>

#include "ops/conv.h"

static const int versions[] = {1, 11, 22, 0};

/* float16 is also in the spec's list, but has no arithmetic here yet. */
static const int types[] = {ONNXMINI_FLOAT, ONNXMINI_DOUBLE, 0};

static onnxmini_status conv_check(const om_node *node, onnxmini_error *err)
{
    static const char *const attrs[] = {"auto_pad",     "dilations", "group",
                                        "kernel_shape", "pads",      "strides",
                                        NULL};
    int64_t group;
    onnxmini_status st = om_check_counts(node, 2, 3, 1, 1, err);

    if (st == ONNXMINI_OK)
        st = om_check_known_attrs(node, attrs, err);
    if (st == ONNXMINI_OK)
        st = om_window_check(node, err);
    if (st == ONNXMINI_OK)
        st = om_attr_int(node, "group", 1, &group, err);
    if (st == ONNXMINI_OK && group < 1)
        st = om_node_fail(err, node, ONNXMINI_ERR_INVALID_MODEL,
                          "attribute 'group' is %lld, expected at least 1",
                          (long long)group);
    return st;
}

static onnxmini_status conv_infer(om_infer_ctx *ctx)
{
    const om_node *node = ctx->node;
    const om_tensor *x = ctx->in[0], *w = ctx->in[1];
    const om_tensor *b = ctx->n_in > 2 ? ctx->in[2] : NULL;
    conv_state *s = ctx->state;
    char sx[OM_DIMS_STR_SIZE], sw[OM_DIMS_STR_SIZE];
    const int64_t *kernel_attr;
    size_t n_kernel;
    int64_t group, out[OM_MAX_RANK];
    int spatial = x->rank - 2, i;
    onnxmini_status st;

    om_dims_str(x->dims, x->rank, sx, sizeof sx);
    om_dims_str(w->dims, w->rank, sw, sizeof sw);
    st = om_check_dtype(node, "input X", x->dtype, types, ctx->err);
    if (st != ONNXMINI_OK)
        return st;
    if (w->dtype != x->dtype || (b && b->dtype != x->dtype))
        return om_node_fail(ctx->err, node, ONNXMINI_ERR_SHAPE,
                            "inputs X, W and B must have the same element "
                            "type, got %s, %s and %s",
                            om_dtype_name(x->dtype), om_dtype_name(w->dtype),
                            b ? om_dtype_name(b->dtype) : "(none)");
    if (x->rank < 3)
        return om_node_fail(ctx->err, node, ONNXMINI_ERR_SHAPE,
                            "input X %s needs rank 3 or more "
                            "([N, C, spatial...])",
                            sx);
    if (w->rank != x->rank)
        return om_node_fail(ctx->err, node, ONNXMINI_ERR_SHAPE,
                            "weight W %s has rank %d, expected %d like X %s",
                            sw, w->rank, x->rank, sx);

    /* Channels and groups. */
    st = om_attr_int(node, "group", 1, &group, ctx->err);
    if (st != ONNXMINI_OK)
        return st;
    /* C == W's C/group * group, without a product that can overflow. */
    if (x->dims[1] % group != 0 || x->dims[1] / group != w->dims[1])
        return om_node_fail(ctx->err, node, ONNXMINI_ERR_SHAPE,
                            "X %s has %lld channels, but W %s with group %lld "
                            "needs %lld per group",
                            sx, (long long)x->dims[1], sw, (long long)group,
                            (long long)w->dims[1]);
    if (w->dims[0] % group != 0)
        return om_node_fail(ctx->err, node, ONNXMINI_ERR_SHAPE,
                            "W %s has %lld output channels, not a multiple of "
                            "group %lld",
                            sw, (long long)w->dims[0], (long long)group);
    if (b && (b->rank != 1 || b->dims[0] != w->dims[0]))
        return om_node_fail(ctx->err, node, ONNXMINI_ERR_SHAPE,
                            "bias B has shape %s, expected [%lld]",
                            om_dims_str(b->dims, b->rank, sx, sizeof sx),
                            (long long)w->dims[0]);

    /* kernel_shape, when given, must agree with W. */
    st = om_attr_ints(node, "kernel_shape", &kernel_attr, &n_kernel, ctx->err);
    if (st != ONNXMINI_OK)
        return st;
    if (kernel_attr) {
        if (n_kernel != (size_t)spatial)
            return om_node_fail(ctx->err, node, ONNXMINI_ERR_INVALID_MODEL,
                                "attribute 'kernel_shape' has %zu values, "
                                "expected %d",
                                n_kernel, spatial);
        for (i = 0; i < spatial; i++)
            if (kernel_attr[i] != w->dims[i + 2])
                return om_node_fail(ctx->err, node, ONNXMINI_ERR_SHAPE,
                                    "attribute 'kernel_shape' does not match "
                                    "W %s at axis %d",
                                    sw, i);
    }

    st = om_window_init(&s->win, node, x->dims + 2, spatial, w->dims + 2, 0,
                        ctx->err);
    if (st != ONNXMINI_OK)
        return st;

    out[0] = x->dims[0];
    out[1] = w->dims[0];
    s->in_size = 1;
    s->out_size = 1;
    s->kernel_size = 1;
    for (i = 0; i < spatial; i++) {
        out[i + 2] = s->win.out[i];
        s->in_size *= (size_t)x->dims[i + 2];
        s->out_size *= (size_t)s->win.out[i];
        s->kernel_size *= (size_t)w->dims[i + 2];
    }
    st = om_tensor_set_shape(ctx->out[0], x->dtype, out, x->rank, ctx->err);
    if (st != ONNXMINI_OK)
        return st;

    s->batch = (size_t)x->dims[0];
    s->group = (size_t)group;
    s->in_channels = (size_t)w->dims[1];
    s->out_channels = (size_t)(w->dims[0] / group);
    s->k = s->in_channels * s->kernel_size;

    /* A folded Add and Relu (float only: the session fuses nothing else). */
    s->lo = -INFINITY;
    s->hi = INFINITY;
    if (ctx->fusion) {
        s->lo = ctx->fusion->lo;
        s->hi = ctx->fusion->hi;
        if (ctx->fusion->bias) {
            s->fused_bias = ctx->fusion->bias->data;
            s->fused_bias_count = ctx->fusion->bias->count;
        }
    }
    s->depthwise =
        x->dtype == ONNXMINI_FLOAT && om_conv_depthwise_fits(ctx, s);
    if (s->depthwise)
        return om_conv_depthwise_plan_f32(ctx, s);
    if (x->dtype == ONNXMINI_FLOAT)
        return om_conv_plan_f32(ctx, s);
    return ONNXMINI_OK;
}

/* Double precision: a direct loop over every output element, kernel
 * offset and input channel, summing in that order. */
static void conv_f64(const conv_state *s, const double *x, const double *w,
                     const double *bias, double *y)
{
    const om_window *win = &s->win;
    size_t n, oc, o, c, kp;
    int d;

    for (n = 0; n < s->batch; n++) {
        for (oc = 0; oc < s->group * s->out_channels; oc++) {
            size_t g = oc / s->out_channels;
            const double *xg =
                x + (n * s->group + g) * s->in_channels * s->in_size;
            const double *wo = w + oc * s->in_channels * s->kernel_size;
            double *yo = y + (n * s->group * s->out_channels + oc) * s->out_size;

            for (o = 0; o < s->out_size; o++) {
                int64_t oidx[OM_MAX_SPATIAL];
                size_t rest = o;
                double acc = bias ? bias[oc] : 0.0;

                for (d = win->n - 1; d >= 0; d--) {
                    oidx[d] = (int64_t)(rest % (size_t)win->out[d]);
                    rest /= (size_t)win->out[d];
                }
                for (c = 0; c < s->in_channels; c++) {
                    for (kp = 0; kp < s->kernel_size; kp++) {
                        int64_t kidx[OM_MAX_SPATIAL], offset = 0;
                        size_t krest = kp;
                        int inside = 1;

                        for (d = win->n - 1; d >= 0; d--) {
                            kidx[d] = (int64_t)(krest % (size_t)win->kernel[d]);
                            krest /= (size_t)win->kernel[d];
                        }
                        for (d = 0; d < win->n; d++) {
                            int64_t i = oidx[d] * win->stride[d] -
                                        win->pad_begin[d] +
                                        kidx[d] * win->dilation[d];
                            if (i < 0 || i >= win->in[d])
                                inside = 0;
                            offset = offset * win->in[d] + i;
                        }
                        if (inside)
                            acc += xg[c * s->in_size + (size_t)offset] *
                                   wo[c * s->kernel_size + kp];
                    }
                }
                yo[o] = acc;
            }
        }
    }
}

static onnxmini_status conv_run(const om_run_ctx *ctx)
{
    const conv_state *s = ctx->state;

    if (ctx->in[0]->dtype == ONNXMINI_DOUBLE) {
        conv_f64(s, ctx->in[0]->data, ctx->in[1]->data,
                 ctx->n_in > 2 && ctx->in[2] ? ctx->in[2]->data : NULL,
                 ctx->out[0]->data);
        return ONNXMINI_OK;
    }
    if (s->depthwise)
        om_conv_depthwise_run_f32(ctx, s);
    else
        om_conv_run_f32(ctx, s);
    return ONNXMINI_OK;
}

static onnxmini_status conv_pack(const om_run_ctx *ctx)
{
    const conv_state *s = ctx->state;

    if (s->depthwise)
        return ONNXMINI_OK;           /* it reads W as it is */
    om_conv_pack_f32(ctx, s, ctx->packed);
    return ONNXMINI_OK;
}

/* A float Conv with constant weights (and bias) can take a following Add
 * of a per-channel constant and a Relu into its GEMM epilogue. A bias
 * fits when it has one value, or M values on the channel axis (axis 1 of
 * the output once the shapes are aligned at the right) and ones
 * elsewhere, as [M, 1, 1] or [1, M, 1, 1] against NCHW. */
static int conv_can_fuse(const om_node *node, const onnxmini_model *model,
                         int bias)
{
    const om_value *w, *b;
    int i, channel_axis;

    if (!om_value_is_constant(model, node->inputs[1]) ||
        (node->n_inputs > 2 && node->inputs[2] >= 0 &&
         !om_value_is_constant(model, node->inputs[2])))
        return 0;
    w = &model->values[om_value_source(model, node->inputs[1])];
    if (w->dtype != ONNXMINI_FLOAT || w->rank < 3)
        return 0;
    if (bias < 0)
        return 1;

    b = &model->values[om_value_source(model, bias)];
    if (b->dtype != ONNXMINI_FLOAT || b->rank < 0 || b->rank > w->rank)
        return 0;
    if (om_shape_count(b->dims, b->rank) == 1)
        return 1;
    channel_axis = 1 - (w->rank - b->rank);
    for (i = 0; i < b->rank; i++)
        if (b->dims[i] != (i == channel_axis ? w->dims[0] : 1))
            return 0;
    return channel_axis >= 0;
}

const om_op om_op_conv = {
    .domain = "",
    .op_type = "Conv",
    .versions = versions,
    .state_size = sizeof(conv_state),
    .check = conv_check,
    .infer = conv_infer,
    .run = conv_run,
    .pack = conv_pack,
    .can_fuse = conv_can_fuse,
};
