/*
 * reshape.c - Reshape: the same elements under a new shape.
 *
 * Opsets 1 to 4 take the shape from the `shape` attribute; from opset 5 it
 * is the int64 input 1. In the shape, -1 (at most once) stands for the size
 * that keeps the element count, and 0 copies the input's size at that axis
 * unless allowzero=1 (opset 14 and later), where 0 means an empty axis and
 * then cannot be combined with -1. Later versions only add types.
 */
#include <string.h>

#include "ops/op.h"

static const int versions[] = {1, 5, 13, 14, 19, 21, 23, 24, 0};

static onnxmini_status reshape_check(const om_node *node, onnxmini_error *err)
{
    static const char *const legacy[] = {"shape", "consumed_inputs", NULL};
    static const char *const v5[] = {NULL};
    static const char *const v14[] = {"allowzero", NULL};
    onnxmini_status st;

    if (node->since_version < 5) {
        const int64_t *shape;
        size_t n;
        st = om_check_counts(node, 1, 1, 1, 1, err);
        if (st == ONNXMINI_OK)
            st = om_check_known_attrs(node, legacy, err);
        if (st == ONNXMINI_OK)
            st = om_attr_ints(node, "shape", &shape, &n, err);
        if (st == ONNXMINI_OK && !shape)
            st = om_node_fail(err, node, ONNXMINI_ERR_INVALID_MODEL,
                              "attribute 'shape' is missing (required in "
                              "opset %d)",
                              node->opset);
        return st;
    }
    st = om_check_counts(node, 2, 2, 1, 1, err);
    if (st == ONNXMINI_OK)
        st = om_check_known_attrs(node, node->since_version >= 14 ? v14 : v5,
                                  err);
    return st;
}

static onnxmini_status reshape_infer(om_infer_ctx *ctx)
{
    const om_node *node = ctx->node;
    const om_tensor *x = ctx->in[0];
    const int64_t *shape;
    size_t n, i;
    int64_t allowzero = 0, known = 1, dims[OM_MAX_RANK];
    int infer_at = -1;
    char sx[OM_DIMS_STR_SIZE], ss[OM_DIMS_STR_SIZE];
    onnxmini_status st;

    /* The requested shape. */
    if (node->since_version < 5) {
        st = om_attr_ints(node, "shape", &shape, &n, ctx->err);
        if (st != ONNXMINI_OK)
            return st;
    } else {
        const om_tensor *s = ctx->in[1];
        if (s->dtype != ONNXMINI_INT64 || s->rank != 1)
            return om_node_fail(ctx->err, node, ONNXMINI_ERR_SHAPE,
                                "input 'shape' must be a 1-D int64 tensor, "
                                "got %s of rank %d",
                                om_dtype_name(s->dtype), s->rank);
        if (!s->is_constant)
            return om_node_fail(ctx->err, node, ONNXMINI_ERR_UNSUPPORTED,
                                "input 'shape' is computed while running; "
                                "it must be an initializer, a constant or a "
                                "graph input");
        shape = s->data;
        n = s->count;
        st = om_attr_int(node, "allowzero", 0, &allowzero, ctx->err);
        if (st != ONNXMINI_OK)
            return st;
    }
    if (n > OM_MAX_RANK)
        return om_node_fail(ctx->err, node, ONNXMINI_ERR_LIMIT,
                            "the target shape has rank %zu, above the limit "
                            "of %d",
                            n, OM_MAX_RANK);
    om_dims_str(x->dims, x->rank, sx, sizeof sx);
    om_dims_str(shape, (int)n, ss, sizeof ss);

    /* Resolve 0 and find -1. */
    for (i = 0; i < n; i++) {
        int64_t d = shape[i];
        if (d == -1) {
            if (infer_at >= 0)
                return om_node_fail(ctx->err, node, ONNXMINI_ERR_SHAPE,
                                    "shape %s has more than one -1", ss);
            infer_at = (int)i;
            continue;
        }
        if (d < -1)
            return om_node_fail(ctx->err, node, ONNXMINI_ERR_SHAPE,
                                "shape %s has the invalid size %lld at axis "
                                "%zu",
                                ss, (long long)d, i);
        if (d == 0 && !allowzero) {
            if ((int)i >= x->rank)
                return om_node_fail(ctx->err, node, ONNXMINI_ERR_SHAPE,
                                    "shape %s copies axis %zu with 0, but the "
                                    "input %s has rank %d",
                                    ss, i, sx, x->rank);
            d = x->dims[i];
        }
        dims[i] = d;
        if (d != 0 && known > INT64_MAX / d)
            return om_node_fail(ctx->err, node, ONNXMINI_ERR_LIMIT,
                                "shape %s is too large", ss);
        known *= d;
    }

    /* The -1 takes whatever size keeps the element count. */
    if (infer_at >= 0) {
        if (allowzero && known == 0)
            return om_node_fail(ctx->err, node, ONNXMINI_ERR_SHAPE,
                                "shape %s combines 0 and -1 with allowzero=1",
                                ss);
        if (known == 0 || (int64_t)x->count % known != 0)
            return om_node_fail(ctx->err, node, ONNXMINI_ERR_SHAPE,
                                "cannot reshape %s (%zu elements) to %s", sx,
                                x->count, ss);
        dims[infer_at] = (int64_t)x->count / known;
    } else if (known != (int64_t)x->count) {
        return om_node_fail(ctx->err, node, ONNXMINI_ERR_SHAPE,
                            "cannot reshape %s (%zu elements) to %s (%lld "
                            "elements)",
                            sx, x->count, ss, (long long)known);
    }
    return om_tensor_set_shape(ctx->out[0], x->dtype, dims, (int)n, ctx->err);
}

static onnxmini_status reshape_run(const om_run_ctx *ctx)
{
    /* The session makes the output share the input's buffer where it can;
     * otherwise (a graph input, a graph output) this copies. */
    if (ctx->out[0]->data != ctx->in[0]->data && ctx->in[0]->bytes)
        memcpy(ctx->out[0]->data, ctx->in[0]->data, ctx->in[0]->bytes);
    return ONNXMINI_OK;
}

const om_op om_op_reshape = {
    .domain = "",
    .op_type = "Reshape",
    .versions = versions,
    .flags = OM_OP_ALIAS,
    .data_inputs = 1u << 1,
    .check = reshape_check,
    .infer = reshape_infer,
    .run = reshape_run,
};
