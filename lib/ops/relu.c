/*
 * relu.c - Relu: y = max(x, 0), element-wise.
 *
 * Opsets 1, 6, 13 and 14 share the semantics; 1 also had the ignored
 * consumed_inputs attribute, and 14 added the signed integer types.
 */
#include "ops/op.h"

static const int versions[] = {1, 6, 13, 14, 0};

static const int float_types[] = {ONNXMINI_FLOAT, ONNXMINI_DOUBLE, 0};
static const int all_types[] = {ONNXMINI_FLOAT, ONNXMINI_DOUBLE, ONNXMINI_INT8,
                                ONNXMINI_INT16, ONNXMINI_INT32,  ONNXMINI_INT64,
                                0};
static const om_type_rule types[] = {{1, float_types}, {14, all_types}, {0, 0}};

static onnxmini_status relu_check(const om_node *node, onnxmini_error *err)
{
    static const char *const attrs[] = {"consumed_inputs", NULL};
    onnxmini_status st = om_check_counts(node, 1, 1, 1, 1, err);
    if (st == ONNXMINI_OK)
        st = om_check_known_attrs(node, attrs, err);
    return st;
}

static onnxmini_status relu_infer(om_infer_ctx *ctx)
{
    const om_tensor *x = ctx->in[0];
    onnxmini_status st = om_check_dtype_versioned(ctx->node, "input X", x->dtype, types,
                                        ctx->err);
    if (st != ONNXMINI_OK)
        return st;
    return om_tensor_set_shape(ctx->out[0], x->dtype, x->dims, x->rank,
                               ctx->err);
}

#define RELU_LOOP(T)                                                         \
    do {                                                                     \
        const T *x = ctx->in[0]->data;                                       \
        T *y = ctx->out[0]->data;                                            \
        for (i = 0; i < n; i++)                                              \
            y[i] = x[i] < 0 ? 0 : x[i];                                      \
    } while (0)

static onnxmini_status relu_run(const om_run_ctx *ctx)
{
    size_t n = ctx->in[0]->count, i;

    switch (ctx->in[0]->dtype) {
    case ONNXMINI_FLOAT:
        ctx->kernels->f32_relu(n, ctx->in[0]->data, ctx->out[0]->data);
        break;
    case ONNXMINI_DOUBLE:
        RELU_LOOP(double);
        break;
    case ONNXMINI_INT8:
        RELU_LOOP(int8_t);
        break;
    case ONNXMINI_INT16:
        RELU_LOOP(int16_t);
        break;
    case ONNXMINI_INT32:
        RELU_LOOP(int32_t);
        break;
    default:
        RELU_LOOP(int64_t);
        break;
    }
    return ONNXMINI_OK;
}

const om_op om_op_relu = {
    .domain = "",
    .op_type = "Relu",
    .versions = versions,
    .flags = OM_OP_IN_PLACE,
    .check = relu_check,
    .infer = relu_infer,
    .run = relu_run,
};
