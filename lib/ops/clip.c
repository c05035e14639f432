/*
 * clip.c - Clip: y = min(max(x, min), max), element-wise; NaN stays NaN.
 *
 * Opsets 1 and 6 take the bounds from the attributes min and max
 * (defaults: the lowest and highest float). From opset 11 they are the
 * optional scalar inputs 1 and 2, absent meaning unbounded; 12 adds the
 * integer types and 13 bfloat16.
 */
#include <float.h>
#include <math.h>

#include "ops/op.h"

static const int versions[] = {1, 6, 11, 12, 13, 0};

static const int float_types[] = {ONNXMINI_FLOAT, ONNXMINI_DOUBLE, 0};
static const int all_types[] = {ONNXMINI_FLOAT,  ONNXMINI_DOUBLE, ONNXMINI_INT8,
                                ONNXMINI_INT16,  ONNXMINI_INT32,  ONNXMINI_INT64,
                                ONNXMINI_UINT8,  ONNXMINI_UINT16, ONNXMINI_UINT32,
                                ONNXMINI_UINT64, 0};
static const om_type_rule types[] = {
    {1, float_types}, {12, all_types}, {0, 0}};

static onnxmini_status clip_check(const om_node *node, onnxmini_error *err)
{
    static const char *const legacy[] = {"min", "max", "consumed_inputs", NULL};
    static const char *const none[] = {NULL};

    if (node->since_version < 11) {
        onnxmini_status st = om_check_counts(node, 1, 1, 1, 1, err);
        float v;
        if (st == ONNXMINI_OK)
            st = om_check_known_attrs(node, legacy, err);
        if (st == ONNXMINI_OK)
            st = om_attr_float(node, "min", 0.0f, &v, err);
        if (st == ONNXMINI_OK)
            st = om_attr_float(node, "max", 0.0f, &v, err);
        return st;
    }
    {
        onnxmini_status st = om_check_counts(node, 1, 3, 1, 1, err);
        if (st == ONNXMINI_OK)
            st = om_check_known_attrs(node, none, err);
        return st;
    }
}

static onnxmini_status clip_infer(om_infer_ctx *ctx)
{
    const om_tensor *x = ctx->in[0];
    int i;
    onnxmini_status st = om_check_dtype_versioned(ctx->node, "input X",
                                                  x->dtype, types, ctx->err);
    if (st != ONNXMINI_OK)
        return st;
    for (i = 1; i < ctx->n_in; i++) {
        const om_tensor *b = ctx->in[i];
        if (!b)
            continue;
        if (b->dtype != x->dtype || b->count != 1)
            return om_node_fail(ctx->err, ctx->node, ONNXMINI_ERR_SHAPE,
                                "input '%s' must be a single %s value, got "
                                "%zu %s values",
                                i == 1 ? "min" : "max",
                                om_dtype_name(x->dtype), b->count,
                                om_dtype_name(b->dtype));
    }
    return om_tensor_set_shape(ctx->out[0], x->dtype, x->dims, x->rank,
                               ctx->err);
}

/* The bounds: attributes before opset 11, else the optional inputs. */
#define CLIP_LOOP(T, LOWEST, HIGHEST)                                        \
    do {                                                                     \
        const T *x = ctx->in[0]->data;                                       \
        T *y = ctx->out[0]->data;                                            \
        T lo = LOWEST, hi = HIGHEST;                                         \
        if (legacy) {                                                        \
            lo = (T)attr_lo;                                                 \
            hi = (T)attr_hi;                                                 \
        } else {                                                             \
            if (ctx->n_in > 1 && ctx->in[1])                                 \
                lo = *(const T *)ctx->in[1]->data;                           \
            if (ctx->n_in > 2 && ctx->in[2])                                 \
                hi = *(const T *)ctx->in[2]->data;                           \
        }                                                                    \
        for (i = 0; i < n; i++) {                                            \
            T v = x[i];                                                      \
            if (v < lo)                                                      \
                v = lo;                                                      \
            if (v > hi)                                                      \
                v = hi;                                                      \
            y[i] = v;                                                        \
        }                                                                    \
    } while (0)

static onnxmini_status clip_run(const om_run_ctx *ctx)
{
    size_t n = ctx->in[0]->count, i;
    int legacy = ctx->node->since_version < 11;
    float attr_lo = -FLT_MAX, attr_hi = FLT_MAX;

    if (legacy) {
        om_attr_float(ctx->node, "min", -FLT_MAX, &attr_lo, NULL);
        om_attr_float(ctx->node, "max", FLT_MAX, &attr_hi, NULL);
    }
    switch (ctx->in[0]->dtype) {
    case ONNXMINI_FLOAT: CLIP_LOOP(float, -INFINITY, INFINITY); break;
    case ONNXMINI_DOUBLE: CLIP_LOOP(double, -INFINITY, INFINITY); break;
    case ONNXMINI_INT8: CLIP_LOOP(int8_t, INT8_MIN, INT8_MAX); break;
    case ONNXMINI_INT16: CLIP_LOOP(int16_t, INT16_MIN, INT16_MAX); break;
    case ONNXMINI_INT32: CLIP_LOOP(int32_t, INT32_MIN, INT32_MAX); break;
    case ONNXMINI_INT64: CLIP_LOOP(int64_t, INT64_MIN, INT64_MAX); break;
    case ONNXMINI_UINT8: CLIP_LOOP(uint8_t, 0, UINT8_MAX); break;
    case ONNXMINI_UINT16: CLIP_LOOP(uint16_t, 0, UINT16_MAX); break;
    case ONNXMINI_UINT32: CLIP_LOOP(uint32_t, 0, UINT32_MAX); break;
    default: CLIP_LOOP(uint64_t, 0, UINT64_MAX); break;
    }
    return ONNXMINI_OK;
}

/* Reads a constant float scalar: an initializer, or the output of a
 * Constant node whose `value` is a one-element float tensor or whose
 * `value_float` is set (PyTorch exports ReLU6's bounds that way), directly
 * or through Identity nodes. Returns 0 when the value is anything else. */
static int constant_float(const onnxmini_model *model, int value, float *out)
{
    const om_value *v;
    const om_node *producer;
    const om_attr *a;

    if (!om_value_is_constant(model, value))
        return 0;
    v = &model->values[om_value_source(model, value)];
    if (v->kind == OM_VALUE_INITIALIZER) {
        if (v->dtype != ONNXMINI_FLOAT || v->bytes != sizeof(float))
            return 0;
        *out = *(const float *)v->data;
        return 1;
    }
    producer = &model->nodes[v->producer];
    a = om_attr_find(producer, "value");
    if (a && a->type == OM_ATTR_TENSOR && a->t &&
        a->t->dtype == ONNXMINI_FLOAT && a->t->bytes == sizeof(float)) {
        *out = *(const float *)a->t->data;
        return 1;
    }
    a = om_attr_find(producer, "value_float");
    if (a && a->type == OM_ATTR_FLOAT) {
        *out = a->f;
        return 1;
    }
    return 0;
}

int om_clip_constant_bounds(const om_node *node, const onnxmini_model *model,
                            float *lo, float *hi)
{
    int i;

    *lo = -INFINITY;
    *hi = INFINITY;
    if (node->since_version < 11) {
        om_attr_float(node, "min", -FLT_MAX, lo, NULL);
        om_attr_float(node, "max", FLT_MAX, hi, NULL);
        return 1;
    }
    for (i = 1; i < node->n_inputs && i < 3; i++) {
        if (node->inputs[i] < 0)
            continue;
        if (!constant_float(model, node->inputs[i], i == 1 ? lo : hi))
            return 0;
    }
    return 1;
}

const om_op om_op_clip = {
    .domain = "",
    .op_type = "Clip",
    .versions = versions,
    .flags = OM_OP_IN_PLACE,
    .check = clip_check,
    .infer = clip_infer,
    .run = clip_run,
};
