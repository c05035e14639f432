/*
 * graph.c - topological order, cycle detection and attribute access.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* Returns a node on the cycle that blocks `start`: every unsorted node has
 * an input produced by another unsorted node, so walking those producers
 * must revisit a node. Writes the cycle as "a -> b -> a" into buf. */
static void describe_cycle(const onnxmini_model *m, const char *sorted,
                           int start, char *buf, size_t size)
{
    int *step = om_calloc(&m->alloc, (size_t)m->n_nodes, sizeof *step);
    int *path = om_calloc(&m->alloc, (size_t)m->n_nodes, sizeof *path);
    int node = start, len = 0, first, i;
    size_t used = 0;

    if (!step || !path) {
        snprintf(buf, size, "'%s'", m->nodes[start].name);
        om_free(&m->alloc, step);
        om_free(&m->alloc, path);
        return;
    }
    for (i = 0; i < m->n_nodes; i++)
        step[i] = -1;

    /* Walk producers until a node repeats. */
    while (step[node] < 0) {
        const om_node *n = &m->nodes[node];
        int next = -1;
        step[node] = len;
        path[len++] = node;
        for (i = 0; i < n->n_inputs && next < 0; i++) {
            int v = n->inputs[i];
            if (v >= 0 && m->values[v].producer >= 0 &&
                !sorted[m->values[v].producer])
                next = m->values[v].producer;
        }
        if (next < 0)
            break;                    /* cannot happen for an unsorted node */
        node = next;
    }

    /* The walk followed edges backwards, so print it in reverse. */
    first = step[node];
    buf[0] = '\0';
    for (i = len - 1; i >= first && used < size; i--)
        used += (size_t)snprintf(buf + used, size - used, "'%s' -> ",
                                 m->nodes[path[i]].name);
    if (used < size)
        snprintf(buf + used, size - used, "'%s'", m->nodes[path[len - 1]].name);
    om_free(&m->alloc, step);
    om_free(&m->alloc, path);
}

onnxmini_status om_graph_sort(onnxmini_model *m, onnxmini_error *err)
{
    const onnxmini_allocator *a = &m->alloc;
    int n = m->n_nodes, i, j, head = 0, tail = 0;
    int *pending = om_calloc(a, (size_t)n, sizeof *pending);
    int *queue = om_calloc(a, (size_t)n, sizeof *queue);
    char *sorted = om_calloc(a, (size_t)n, 1);
    int *first_use = NULL, *next_use = NULL, *use_node = NULL;
    om_node *ordered = NULL;
    int n_uses = 0, k;
    onnxmini_status st = ONNXMINI_OK;

    if (!pending || !queue || !sorted)
        goto oom;

    /* Consumers of each value as linked lists over input slots. */
    for (i = 0; i < n; i++)
        n_uses += m->nodes[i].n_inputs;
    first_use = om_calloc(a, (size_t)m->n_values, sizeof(int));
    next_use = om_calloc(a, (size_t)n_uses, sizeof(int));
    use_node = om_calloc(a, (size_t)n_uses, sizeof(int));
    if (!first_use || !next_use || !use_node)
        goto oom;
    for (i = 0; i < m->n_values; i++)
        first_use[i] = -1;
    k = 0;
    for (i = 0; i < n; i++) {
        const om_node *node = &m->nodes[i];
        for (j = 0; j < node->n_inputs; j++) {
            int v = node->inputs[j];
            if (v < 0 || m->values[v].producer < 0)
                continue;
            pending[i]++;
            use_node[k] = i;
            next_use[k] = first_use[v];
            first_use[v] = k++;
        }
    }

    /* Kahn's algorithm: emit a node once all its producers are emitted. */
    for (i = 0; i < n; i++)
        if (pending[i] == 0)
            queue[tail++] = i;
    while (head < tail) {
        const om_node *node = &m->nodes[queue[head++]];
        for (j = 0; j < node->n_outputs; j++) {
            int v = node->outputs[j];
            if (v < 0)
                continue;
            for (k = first_use[v]; k >= 0; k = next_use[k])
                if (--pending[use_node[k]] == 0)
                    queue[tail++] = use_node[k];
        }
    }

    if (tail < n) {
        char cycle[ONNXMINI_ERROR_MESSAGE_SIZE - 64];
        for (i = 0; i < tail; i++)
            sorted[queue[i]] = 1;
        for (i = 0; i < n && sorted[i]; i++)
            ;
        describe_cycle(m, sorted, i, cycle, sizeof cycle);
        st = om_fail(err, ONNXMINI_ERR_INVALID_MODEL,
                     "the graph has a cycle: %s", cycle);
        goto done;
    }

    /* Reorder the nodes and renumber the producers. */
    ordered = om_calloc(a, (size_t)n, sizeof *ordered);
    if (!ordered)
        goto oom;
    for (i = 0; i < n; i++)
        ordered[i] = m->nodes[queue[i]];
    om_free(a, m->nodes);
    m->nodes = ordered;
    for (i = 0; i < n; i++)
        for (j = 0; j < m->nodes[i].n_outputs; j++)
            if (m->nodes[i].outputs[j] >= 0)
                m->values[m->nodes[i].outputs[j]].producer = i;
    goto done;

oom:
    st = om_fail(err, ONNXMINI_ERR_OUT_OF_MEMORY, "out of memory");
done:
    om_free(a, pending);
    om_free(a, queue);
    om_free(a, sorted);
    om_free(a, first_use);
    om_free(a, next_use);
    om_free(a, use_node);
    return st;
}

/* -------------------------------------------------------------- attributes */

const om_attr *om_attr_find(const om_node *node, const char *name)
{
    int i;
    for (i = 0; i < node->n_attrs; i++)
        if (strcmp(node->attrs[i].name, name) == 0)
            return &node->attrs[i];
    return NULL;
}

static const char *const attr_kind_names[] = {
    "UNDEFINED", "FLOAT",  "INT",     "STRING",        "TENSOR",
    "GRAPH",     "FLOATS", "INTS",    "STRINGS",       "TENSORS",
    "GRAPHS",    "SPARSE_TENSOR",     "SPARSE_TENSORS", "TYPE_PROTO",
    "TYPE_PROTOS",
};

static onnxmini_status wrong_kind(const om_node *node, const om_attr *a,
                                  int expected, onnxmini_error *err)
{
    int n = (int)(sizeof attr_kind_names / sizeof attr_kind_names[0]);
    if (a->type < 0 || a->type >= n)
        return om_node_fail(err, node, ONNXMINI_ERR_INVALID_MODEL,
                            "attribute '%s' has the unknown type %d, "
                            "expected %s",
                            a->name, a->type, attr_kind_names[expected]);
    return om_node_fail(err, node, ONNXMINI_ERR_INVALID_MODEL,
                        "attribute '%s' has type %s, expected %s", a->name,
                        attr_kind_names[a->type], attr_kind_names[expected]);
}

onnxmini_status om_attr_int(const om_node *node, const char *name, int64_t def,
                            int64_t *out, onnxmini_error *err)
{
    const om_attr *a = om_attr_find(node, name);
    *out = def;
    if (!a)
        return ONNXMINI_OK;
    if (a->type != OM_ATTR_INT)
        return wrong_kind(node, a, OM_ATTR_INT, err);
    *out = a->i;
    return ONNXMINI_OK;
}

onnxmini_status om_attr_float(const om_node *node, const char *name, float def,
                              float *out, onnxmini_error *err)
{
    const om_attr *a = om_attr_find(node, name);
    *out = def;
    if (!a)
        return ONNXMINI_OK;
    if (a->type != OM_ATTR_FLOAT)
        return wrong_kind(node, a, OM_ATTR_FLOAT, err);
    *out = a->f;
    return ONNXMINI_OK;
}

onnxmini_status om_attr_string(const om_node *node, const char *name,
                               const char **out, onnxmini_error *err)
{
    const om_attr *a = om_attr_find(node, name);
    *out = NULL;
    if (!a)
        return ONNXMINI_OK;
    if (a->type != OM_ATTR_STRING)
        return wrong_kind(node, a, OM_ATTR_STRING, err);
    *out = a->s;
    return ONNXMINI_OK;
}

onnxmini_status om_attr_ints(const om_node *node, const char *name,
                             const int64_t **values, size_t *count,
                             onnxmini_error *err)
{
    const om_attr *a = om_attr_find(node, name);
    *values = NULL;
    *count = 0;
    if (!a)
        return ONNXMINI_OK;
    if (a->type != OM_ATTR_INTS)
        return wrong_kind(node, a, OM_ATTR_INTS, err);
    *values = a->ints;
    *count = a->count;
    return ONNXMINI_OK;
}

int om_value_source(const onnxmini_model *m, int value)
{
    int steps;

    /* At most one step per node, so a malformed chain cannot loop. */
    for (steps = 0; steps < m->n_nodes; steps++) {
        const om_node *p;
        if (value < 0 || value >= m->n_values || m->values[value].producer < 0)
            break;
        p = &m->nodes[m->values[value].producer];
        if (p->domain[0] != '\0' || strcmp(p->op_type, "Identity") != 0 ||
            p->n_inputs < 1 || p->inputs[0] < 0)
            break;
        value = p->inputs[0];
    }
    return value;
}

int om_value_is_constant(const onnxmini_model *m, int value)
{
    const om_value *v;
    int i;

    value = om_value_source(m, value);
    if (value < 0 || value >= m->n_values)
        return 0;
    v = &m->values[value];
    if (v->kind == OM_VALUE_INITIALIZER) {
        for (i = m->n_inputs; i < m->n_inputs + m->n_defaults; i++)
            if (m->inputs[i] == value)
                return 0;
        return 1;
    }
    return v->producer >= 0 &&
           strcmp(m->nodes[v->producer].op_type, "Constant") == 0 &&
           m->nodes[v->producer].domain[0] == '\0';
}
