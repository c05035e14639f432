/*
 * identity.c - Identity: the output is the input. Opsets 1, 13, 14, 16, 19,
 * 21, 23 and 24 only widened the accepted types (sequences and optionals,
 * which this library does not handle, are rejected at load as non-tensor
 * values).
 */
#include <string.h>

#include "ops/op.h"

static const int versions[] = {1, 13, 14, 16, 19, 21, 23, 24, 0};

static onnxmini_status identity_check(const om_node *node, onnxmini_error *err)
{
    static const char *const attrs[] = {NULL};
    onnxmini_status st = om_check_counts(node, 1, 1, 1, 1, err);
    if (st == ONNXMINI_OK)
        st = om_check_known_attrs(node, attrs, err);
    return st;
}

static onnxmini_status identity_infer(om_infer_ctx *ctx)
{
    const om_tensor *x = ctx->in[0];
    return om_tensor_set_shape(ctx->out[0], x->dtype, x->dims, x->rank,
                               ctx->err);
}

static onnxmini_status identity_run(const om_run_ctx *ctx)
{
    /* The session makes the output share the input's buffer where it can;
     * otherwise (a graph input, a graph output) this copies. */
    if (ctx->out[0]->data != ctx->in[0]->data && ctx->in[0]->bytes)
        memcpy(ctx->out[0]->data, ctx->in[0]->data, ctx->in[0]->bytes);
    return ONNXMINI_OK;
}

const om_op om_op_identity = {
    .domain = "",
    .op_type = "Identity",
    .versions = versions,
    .flags = OM_OP_ALIAS,
    .check = identity_check,
    .infer = identity_infer,
    .run = identity_run,
};
