/*
 * flatten.c - Flatten: the input as a matrix [d0 * .. * d(axis-1),
 * d(axis) * .. * d(n-1)].
 *
 * Opset 1 allows axis in [0, rank]; opset 11 adds negative axes counted
 * from the end; 9, 13, 21, 23 and 24 only widened the types. The output
 * shares the input's buffer.
 */
#include <string.h>

#include "ops/op.h"

static const int versions[] = {1, 9, 11, 13, 21, 23, 24, 0};

static onnxmini_status flatten_check(const om_node *node, onnxmini_error *err)
{
    static const char *const attrs[] = {"axis", NULL};
    onnxmini_status st = om_check_counts(node, 1, 1, 1, 1, err);
    if (st == ONNXMINI_OK)
        st = om_check_known_attrs(node, attrs, err);
    return st;
}

static onnxmini_status flatten_infer(om_infer_ctx *ctx)
{
    const om_tensor *x = ctx->in[0];
    int64_t given, axis, dims[2] = {1, 1};
    int i;
    onnxmini_status st = om_attr_int(ctx->node, "axis", 1, &given, ctx->err);

    if (st != ONNXMINI_OK)
        return st;
    axis = given;
    if (axis < 0 && ctx->node->since_version >= 11)
        axis += x->rank;
    if (axis < 0 || axis > x->rank)
        return om_node_fail(ctx->err, ctx->node, ONNXMINI_ERR_INVALID_MODEL,
                            "attribute 'axis' is %lld, outside [%d, %d] for "
                            "an input of rank %d (opset %d)",
                            (long long)given,
                            ctx->node->since_version >= 11 ? -x->rank : 0,
                            x->rank, x->rank, ctx->node->opset);
    for (i = 0; i < x->rank; i++)
        dims[i < axis ? 0 : 1] *= x->dims[i];
    return om_tensor_set_shape(ctx->out[0], x->dtype, dims, 2, ctx->err);
}

static onnxmini_status flatten_run(const om_run_ctx *ctx)
{
    /* The session makes the output share the input's buffer where it can;
     * otherwise (a graph input, a graph output) this copies. */
    if (ctx->out[0]->data != ctx->in[0]->data && ctx->in[0]->bytes)
        memcpy(ctx->out[0]->data, ctx->in[0]->data, ctx->in[0]->bytes);
    return ONNXMINI_OK;
}

const om_op om_op_flatten = {
    .domain = "",
    .op_type = "Flatten",
    .versions = versions,
    .flags = OM_OP_ALIAS,
    .check = flatten_check,
    .infer = flatten_infer,
    .run = flatten_run,
};
