/*
 * concat.c - Concat: inputs joined along one axis.
 *
 * Opset 1 makes axis optional (default 1); opset 4 requires it; opset 11
 * allows negative axes counted from the end; 13 widened the types. Every
 * input has the same rank and the same sizes on the other axes.
 */
#include <string.h>

#include "ops/op.h"

static const int versions[] = {1, 4, 11, 13, 0};

typedef struct concat_state {
    int axis;
    size_t outer;                     /* product of the sizes before axis */
} concat_state;

static onnxmini_status concat_check(const om_node *node, onnxmini_error *err)
{
    static const char *const attrs[] = {"axis", NULL};
    onnxmini_status st = om_check_counts(node, 1, 1 << 20, 1, 1, err);
    int i;

    if (st == ONNXMINI_OK)
        st = om_check_known_attrs(node, attrs, err);
    if (st == ONNXMINI_OK && node->since_version >= 4 &&
        !om_attr_find(node, "axis"))
        st = om_node_fail(err, node, ONNXMINI_ERR_INVALID_MODEL,
                          "attribute 'axis' is missing (required from "
                          "opset 4)");
    for (i = 0; st == ONNXMINI_OK && i < node->n_inputs; i++)
        if (node->inputs[i] < 0)
            st = om_node_fail(err, node, ONNXMINI_ERR_INVALID_MODEL,
                              "input %d is empty", i);
    return st;
}

static onnxmini_status concat_infer(om_infer_ctx *ctx)
{
    const om_tensor *first = ctx->in[0];
    concat_state *s = ctx->state;
    int64_t axis, dims[OM_MAX_RANK];
    char sa[OM_DIMS_STR_SIZE], sb[OM_DIMS_STR_SIZE];
    int i, d;
    onnxmini_status st = om_attr_int(ctx->node, "axis", 1, &axis, ctx->err);

    if (st != ONNXMINI_OK)
        return st;
    if (axis < 0 && ctx->node->since_version >= 11)
        axis += first->rank;
    if (axis < 0 || axis >= first->rank)
        return om_node_fail(ctx->err, ctx->node, ONNXMINI_ERR_INVALID_MODEL,
                            "attribute 'axis' is %lld, outside the rank %d "
                            "of the inputs",
                            (long long)axis, first->rank);
    memcpy(dims, first->dims, sizeof dims);
    dims[axis] = 0;
    for (i = 0; i < ctx->n_in; i++) {
        const om_tensor *t = ctx->in[i];
        if (t->dtype != first->dtype)
            return om_node_fail(ctx->err, ctx->node, ONNXMINI_ERR_SHAPE,
                                "input %d has element type %s, input 0 %s", i,
                                om_dtype_name(t->dtype),
                                om_dtype_name(first->dtype));
        for (d = 0; d < first->rank; d++)
            if (t->rank != first->rank ||
                (d != axis && t->dims[d] != first->dims[d]))
                return om_node_fail(
                    ctx->err, ctx->node, ONNXMINI_ERR_SHAPE,
                    "input %d has shape %s, which does not match input 0 %s "
                    "outside axis %lld",
                    i, om_dims_str(t->dims, t->rank, sa, sizeof sa),
                    om_dims_str(first->dims, first->rank, sb, sizeof sb),
                    (long long)axis);
        if (dims[axis] > INT64_MAX - t->dims[axis])
            return om_node_fail(ctx->err, ctx->node, ONNXMINI_ERR_LIMIT,
                                "the joined axis is too large");
        dims[axis] += t->dims[axis];
    }
    s->axis = (int)axis;
    s->outer = 1;
    for (d = 0; d < axis; d++)
        s->outer *= (size_t)first->dims[d];
    return om_tensor_set_shape(ctx->out[0], first->dtype, dims, first->rank,
                               ctx->err);
}

static onnxmini_status concat_run(const om_run_ctx *ctx)
{
    const concat_state *s = ctx->state;
    unsigned char *y = ctx->out[0]->data;
    size_t o, out_row = s->outer ? ctx->out[0]->bytes / s->outer : 0;
    int i;

    /* An empty output (some axis of size 0) has nothing to copy, however
     * many outer indices its other axes count. */
    if (ctx->out[0]->bytes == 0)
        return ONNXMINI_OK;

    /* Each input contributes one block per outer index, in order. */
    for (o = 0; o < s->outer; o++) {
        unsigned char *dst = y + o * out_row;
        for (i = 0; i < ctx->n_in; i++) {
            const om_tensor *t = ctx->in[i];
            size_t row = t->bytes / s->outer;
            if (row)
                memcpy(dst, (const unsigned char *)t->data + o * row, row);
            dst += row;
        }
    }
    return ONNXMINI_OK;
}

const om_op om_op_concat = {
    .domain = "",
    .op_type = "Concat",
    .versions = versions,
    .state_size = sizeof(concat_state),
    .check = concat_check,
    .infer = concat_infer,
    .run = concat_run,
};
