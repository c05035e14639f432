/*
 * constant.c - Constant: a tensor given as an attribute.
 *
 * Opset 1 has only `value`; 9 widened the types; 11 added sparse_value;
 * 12 added value_float(s), value_int(s) and value_string(s); 13, 19, 21,
 * 23 and 24 widened the types again. Exactly one value attribute must be present.
 * A session computes Constant once, when it plans.
 */
#include <string.h>

#include "ops/op.h"

static const int versions[] = {1, 9, 11, 12, 13, 19, 21, 23, 24, 0};

static const char *const value_attrs[] = {
    "value",      "sparse_value", "value_float",   "value_floats",
    "value_int",  "value_ints",   "value_string",  "value_strings",
    NULL,
};

static onnxmini_status constant_check(const om_node *node, onnxmini_error *err)
{
    const om_attr *found = NULL;
    onnxmini_status st = om_check_counts(node, 0, 0, 1, 1, err);
    int i;

    if (st == ONNXMINI_OK)
        st = om_check_known_attrs(node, value_attrs, err);
    if (st != ONNXMINI_OK)
        return st;
    for (i = 0; i < node->n_attrs; i++) {
        if (found)
            return om_node_fail(err, node, ONNXMINI_ERR_INVALID_MODEL,
                                "has both '%s' and '%s'; exactly one value "
                                "attribute is allowed",
                                found->name, node->attrs[i].name);
        found = &node->attrs[i];
    }
    if (!found)
        return om_node_fail(err, node, ONNXMINI_ERR_INVALID_MODEL,
                            "has no value attribute");
    if (strcmp(found->name, "value") != 0 &&
        node->since_version < (strcmp(found->name, "sparse_value") == 0 ? 11 : 12))
        return om_node_fail(err, node, ONNXMINI_ERR_INVALID_MODEL,
                            "attribute '%s' needs opset %d or later (the model "
                            "imports opset %d)",
                            found->name,
                            strcmp(found->name, "sparse_value") == 0 ? 11 : 12,
                            node->opset);
    if (strcmp(found->name, "sparse_value") == 0 ||
        strcmp(found->name, "value_string") == 0 ||
        strcmp(found->name, "value_strings") == 0)
        return om_node_fail(err, node, ONNXMINI_ERR_UNSUPPORTED,
                            "attribute '%s' is not supported (sparse and "
                            "string tensors are not implemented)",
                            found->name);
    {
        /* Each attribute must have the kind its name implies. */
        static const struct {
            const char *name;
            int type;
        } kinds[] = {{"value", OM_ATTR_TENSOR},
                     {"value_float", OM_ATTR_FLOAT},
                     {"value_floats", OM_ATTR_FLOATS},
                     {"value_int", OM_ATTR_INT},
                     {"value_ints", OM_ATTR_INTS}};
        size_t k;
        for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
            if (strcmp(found->name, kinds[k].name) == 0 &&
                found->type != kinds[k].type)
                return om_node_fail(err, node, ONNXMINI_ERR_INVALID_MODEL,
                                    "attribute '%s' has the wrong type (%d)",
                                    found->name, found->type);
    }
    return ONNXMINI_OK;
}

static onnxmini_status constant_infer(om_infer_ctx *ctx)
{
    const om_attr *a = &ctx->node->attrs[0];
    int64_t n = (int64_t)a->count;

    switch (a->type) {
    case OM_ATTR_TENSOR:
        return om_tensor_set_shape(ctx->out[0], a->t->dtype, a->t->dims,
                                   a->t->rank, ctx->err);
    case OM_ATTR_FLOAT:
        return om_tensor_set_shape(ctx->out[0], ONNXMINI_FLOAT, NULL, 0,
                                   ctx->err);
    case OM_ATTR_INT:
        return om_tensor_set_shape(ctx->out[0], ONNXMINI_INT64, NULL, 0,
                                   ctx->err);
    case OM_ATTR_FLOATS:
        return om_tensor_set_shape(ctx->out[0], ONNXMINI_FLOAT, &n, 1,
                                   ctx->err);
    default:
        return om_tensor_set_shape(ctx->out[0], ONNXMINI_INT64, &n, 1,
                                   ctx->err);
    }
}

static onnxmini_status constant_run(const om_run_ctx *ctx)
{
    const om_attr *a = &ctx->node->attrs[0];
    om_tensor *y = ctx->out[0];
    const void *src;

    switch (a->type) {
    case OM_ATTR_TENSOR:
        src = a->t->data;
        break;
    case OM_ATTR_FLOAT:
        src = &a->f;
        break;
    case OM_ATTR_INT:
        src = &a->i;
        break;
    case OM_ATTR_FLOATS:
        src = a->floats;
        break;
    default:
        src = a->ints;
        break;
    }
    if (y->bytes)
        memcpy(y->data, src, y->bytes);
    return ONNXMINI_OK;
}

const om_op om_op_constant = {
    .domain = "",
    .op_type = "Constant",
    .versions = versions,
    .check = constant_check,
    .infer = constant_infer,
    .run = constant_run,
};
