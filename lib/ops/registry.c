/*
 * registry.c - the operator table: (domain, op_type) -> definition, and the
 * shared checks operators use at load.
 */
#include <stdlib.h>
#include <string.h>

#include "ops/op.h"

/* Alphabetical by op_type, the order onnxmini_op_get promises. */
static const om_op *const registry[] = {
    &om_op_add,       &om_op_clip,   &om_op_concat,
    &om_op_constant,  &om_op_conv,   &om_op_flatten,
    &om_op_gemm,      &om_op_global_average_pool,
    &om_op_identity,  &om_op_matmul, &om_op_maxpool,
    &om_op_relu,      &om_op_reshape,
};

#define N_OPS (sizeof registry / sizeof registry[0])

const om_op *om_registry_entry(size_t i)
{
    return i < N_OPS ? registry[i] : NULL;
}

size_t onnxmini_op_count(void)
{
    return N_OPS;
}

onnxmini_status onnxmini_op_get(size_t index, onnxmini_op_info *info)
{
    const om_op *op;
    size_t i;

    if (!info)
        return ONNXMINI_ERR_INVALID_ARGUMENT;
    if (index >= N_OPS)
        return ONNXMINI_ERR_NOT_FOUND;
    op = registry[index];
    info->domain = op->domain;
    info->op_type = op->op_type;
    info->first_opset = op->versions[0];
    for (i = 0; op->versions[i]; i++)
        ;
    /* The default domain's operators are known up to the newest opset
     * this library knows; the definition may be older. */
    info->last_opset = op->domain[0] ? op->versions[i - 1] : OM_MAX_ONNX_OPSET;
    return ONNXMINI_OK;
}

int onnxmini_op_supported(const char *domain, const char *op_type,
                          int64_t opset)
{
    om_node node;
    char name[] = "", default_domain[] = "";

    if (!domain || !op_type || opset < 1 || opset > 0x7fffffff)
        return 0;
    memset(&node, 0, sizeof node);
    /* om_registry_resolve only reads the strings, so the node may point at
     * the caller's, and this query allocates nothing. */
    node.name = name;
    node.domain = strcmp(domain, "ai.onnx") == 0 || domain[0] == '\0'
                      ? default_domain
                      : (char *)(uintptr_t)domain;
    node.op_type = (char *)(uintptr_t)op_type;
    node.opset = (int)opset;
    return om_registry_resolve(&node, NULL) == ONNXMINI_OK;
}

onnxmini_status om_registry_resolve(om_node *node, onnxmini_error *err)
{
    const om_op *op = NULL;
    size_t i;

    for (i = 0; i < N_OPS; i++)
        if (strcmp(registry[i]->op_type, node->op_type) == 0 &&
            strcmp(registry[i]->domain, node->domain) == 0)
            op = registry[i];
    if (!op)
        return om_node_fail(err, node, ONNXMINI_ERR_UNSUPPORTED,
                            "operator %s of domain '%s' (opset %d) is not "
                            "supported",
                            node->op_type,
                            node->domain[0] ? node->domain : "ai.onnx",
                            node->opset);
    if (op->domain[0] == '\0' && node->opset > OM_MAX_ONNX_OPSET)
        return om_node_fail(err, node, ONNXMINI_ERR_UNSUPPORTED,
                            "opset %d of domain 'ai.onnx' is newer than this "
                            "library knows (up to %d)",
                            node->opset, OM_MAX_ONNX_OPSET);

    /* The definition in force is the newest one not above the opset. */
    node->since_version = 0;
    for (i = 0; op->versions[i]; i++)
        if (op->versions[i] <= node->opset)
            node->since_version = op->versions[i];
    if (node->since_version == 0)
        return om_node_fail(err, node, ONNXMINI_ERR_UNSUPPORTED,
                            "operator %s does not exist in opset %d (it was "
                            "added in opset %d)",
                            node->op_type, node->opset, op->versions[0]);
    node->op = op;
    return ONNXMINI_OK;
}

onnxmini_status om_check_counts(const om_node *node, int min_in, int max_in,
                                int min_out, int max_out, onnxmini_error *err)
{
    int n_in = node->n_inputs, n_out = node->n_outputs, i;

    if (n_in < min_in || n_in > max_in)
        return om_node_fail(err, node, ONNXMINI_ERR_INVALID_MODEL,
                            "has %d inputs, expected %d to %d (opset %d)", n_in,
                            min_in, max_in, node->opset);
    if (n_out < min_out || n_out > max_out)
        return om_node_fail(err, node, ONNXMINI_ERR_INVALID_MODEL,
                            "has %d outputs, expected %d to %d (opset %d)",
                            n_out, min_out, max_out, node->opset);
    for (i = 0; i < min_in; i++)
        if (node->inputs[i] < 0)
            return om_node_fail(err, node, ONNXMINI_ERR_INVALID_MODEL,
                                "required input %d is empty", i);
    for (i = 0; i < min_out; i++)
        if (node->outputs[i] < 0)
            return om_node_fail(err, node, ONNXMINI_ERR_INVALID_MODEL,
                                "required output %d is empty", i);
    return ONNXMINI_OK;
}

onnxmini_status om_check_known_attrs(const om_node *node,
                                     const char *const *names,
                                     onnxmini_error *err)
{
    int i;
    for (i = 0; i < node->n_attrs; i++) {
        const char *const *n;
        for (n = names; *n; n++)
            if (strcmp(*n, node->attrs[i].name) == 0)
                break;
        if (!*n)
            return om_node_fail(err, node, ONNXMINI_ERR_INVALID_MODEL,
                                "unknown attribute '%s' for %s opset %d",
                                node->attrs[i].name, node->op_type,
                                node->opset);
    }
    return ONNXMINI_OK;
}

onnxmini_status om_check_dtype(const om_node *node, const char *what,
                               int dtype, const int *allowed,
                               onnxmini_error *err)
{
    const int *a;
    for (a = allowed; *a; a++)
        if (*a == dtype)
            return ONNXMINI_OK;
    return om_node_fail(err, node, ONNXMINI_ERR_UNSUPPORTED,
                        "%s has element type %s, which this operator does not "
                        "support",
                        what, om_dtype_name(dtype));
}

static int contains(const int *types, int dtype)
{
    for (; *types; types++)
        if (*types == dtype)
            return 1;
    return 0;
}

onnxmini_status om_check_dtype_versioned(const om_node *node, const char *what,
                                         int dtype, const om_type_rule *rules,
                                         onnxmini_error *err)
{
    const om_type_rule *rule, *in_force = rules;

    for (rule = rules; rule->since_version; rule++)
        if (rule->since_version <= node->since_version)
            in_force = rule;
    if (contains(in_force->types, dtype))
        return ONNXMINI_OK;

    /* A later version that allows the type means the opset is too old. */
    for (rule = rules; rule->since_version; rule++)
        if (rule->since_version > node->since_version &&
            contains(rule->types, dtype))
            return om_node_fail(err, node, ONNXMINI_ERR_INVALID_MODEL,
                                "%s has element type %s, which %s allows only "
                                "from opset %d (the model imports opset %d)",
                                what, om_dtype_name(dtype), node->op_type,
                                rule->since_version, node->opset);
    return om_check_dtype(node, what, dtype, in_force->types, err);
}
