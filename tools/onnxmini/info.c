/*
 * info.c - 'onnxmini info': parse a model with the generated protobuf-c
 * code, gather its structure, ask the library what it supports and how
 * much memory a session plans, then print it (info_print.c).
 */
#include <stdlib.h>
#include <string.h>

#include "info.h"
#include "tool.h"

/* Subgraphs (the bodies of If, Loop and Scan) nested deeper than this are
 * not walked, so that a hostile file cannot exhaust the stack. */
#define MAX_GRAPH_DEPTH 64

/* The library's rank limit; inputs of a higher rank get no memory plan. */
#define MAX_RANK 8

static void usage(FILE *out)
{
    fprintf(out,
"Usage: onnxmini info MODEL [options]\n"
"\n"
"Describe an ONNX model: IR version, producer, opset imports, inputs and\n"
"outputs with their element types and shapes, an operator histogram, the\n"
"operators libonnxmini does not support (with their domain, opset and\n"
"nodes), the parameters stored in initializers, and the memory a session\n"
"plans. A model that the library cannot load is still described.\n"
"\n"
"Options:\n"
"  --batch N         plan memory with N as dimension 0 of every input that\n"
"                    leaves it symbolic or unknown (default 1); other\n"
"                    symbolic or unknown dimensions get 1\n"
"  --json            print one JSON object instead of text\n"
"  -h, --help        show this help\n"
"\n"
"Exit status: 0 when the model was described (even if the library cannot\n"
"load it), 1 when the file cannot be read or parsed, 2 on an invalid\n"
"command line.\n");
}

/* ------------------------------------------------------------ operators */

static int is_default_domain(const char *domain)
{
    return !domain || !domain[0] || strcmp(domain, "ai.onnx") == 0;
}

/* Looks up the opset version the model imports for `domain`. */
static int find_opset(const model_proto *model, const char *domain,
                      int64_t *version)
{
    size_t i;

    for (i = 0; i < model->n_opset_import; i++) {
        const Onnxmini__Pb__OperatorSetIdProto *o = model->opset_import[i];
        int same = is_default_domain(domain)
                       ? is_default_domain(o->domain)
                       : o->domain && strcmp(o->domain, domain) == 0;

        if (same) {
            *version = o->has_version ? o->version : 0;
            return 1;
        }
    }
    return 0;
}

/* Explains why the library does not support op_type at this opset. */
static void explain_unsupported(op_usage *op, const char *domain)
{
    size_t n = onnxmini_op_count(), i;

    if (!op->imported) {
        snprintf(op->reason, sizeof op->reason,
                 "the model imports no opset of domain '%s'", op->domain);
        return;
    }
    for (i = 0; i < n; i++) {
        onnxmini_op_info known;

        if (onnxmini_op_get(i, &known) != ONNXMINI_OK ||
            strcmp(known.op_type, op->op_type) != 0 ||
            strcmp(known.domain, is_default_domain(domain) ? "" : domain) != 0)
            continue;
        snprintf(op->reason, sizeof op->reason,
                 "not supported at opset %lld (the library has opsets %d "
                 "to %d)",
                 (long long)op->opset, known.first_opset, known.last_opset);
        return;
    }
    snprintf(op->reason, sizeof op->reason, "not implemented");
}

/* Finds or adds the entry of a node's operator. */
static op_usage *find_op(model_info *info, const node_proto *node)
{
    const char *domain = is_default_domain(node->domain) ? "ai.onnx"
                                                         : node->domain;
    const char *op_type = node->op_type ? node->op_type : "";
    op_usage *op;
    size_t i;

    for (i = 0; i < info->n_ops; i++)
        if (strcmp(info->ops[i].op_type, op_type) == 0 &&
            strcmp(info->ops[i].domain, domain) == 0)
            return &info->ops[i];

    op = realloc(info->ops, (info->n_ops + 1) * sizeof *op);
    if (!op)
        return NULL;
    info->ops = op;
    op = &info->ops[info->n_ops++];
    memset(op, 0, sizeof *op);
    op->domain = domain;
    op->op_type = op_type;
    op->imported = find_opset(info->model, domain, &op->opset);
    op->supported = op->imported &&
                    onnxmini_op_supported(domain, op_type, op->opset);
    if (!op->supported) {
        explain_unsupported(op, domain);
        info->n_unsupported++;
    }
    return op;
}

/* Returns the name of a node, or "#K" (after `prefix`) when it has none. */
static char *node_label(const node_proto *node, size_t index,
                        const char *prefix)
{
    size_t n;
    char *label;

    if (node->name && node->name[0]) {
        label = malloc(strlen(node->name) + 1);
        if (label)
            strcpy(label, node->name);
        return label;
    }
    n = strlen(prefix) + 24;
    label = malloc(n);
    if (label)
        snprintf(label, n, "%s#%zu", prefix, index);
    return label;
}

static int add_node(model_info *info, const node_proto *node, size_t index,
                    const char *prefix)
{
    op_usage *op = find_op(info, node);
    char **grown;

    if (!op)
        return -1;
    op->count++;
    if (op->supported)
        return 0;
    grown = realloc(op->nodes, (op->n_nodes + 1) * sizeof *grown);
    if (!grown)
        return -1;
    op->nodes = grown;
    op->nodes[op->n_nodes] = node_label(node, index, prefix);
    if (!op->nodes[op->n_nodes])
        return -1;
    op->n_nodes++;
    return 0;
}

static int walk_graph(model_info *info, const graph_proto *graph,
                      const char *prefix, int depth);

/* Walks the subgraphs held in a node's attributes. */
static int walk_subgraphs(model_info *info, const node_proto *node,
                          size_t index, const char *prefix, int depth)
{
    size_t i, j;
    char *label = NULL, *nested_prefix = NULL;
    int status = 0;

    for (i = 0; i < node->n_attribute && status == 0; i++) {
        const Onnxmini__Pb__AttributeProto *a = node->attribute[i];

        if (!a->g && a->n_graphs == 0)
            continue;
        if (!nested_prefix) {
            label = node_label(node, index, prefix);
            nested_prefix = label ? malloc(strlen(label) + 2) : NULL;
            if (!nested_prefix) {
                status = -1;
                break;
            }
            snprintf(nested_prefix, strlen(label) + 2, "%s/", label);
        }
        if (a->g)
            status = walk_graph(info, a->g, nested_prefix, depth + 1);
        for (j = 0; j < a->n_graphs && status == 0; j++)
            status = walk_graph(info, a->graphs[j], nested_prefix, depth + 1);
    }
    free(label);
    free(nested_prefix);
    return status;
}

static int walk_graph(model_info *info, const graph_proto *graph,
                      const char *prefix, int depth)
{
    size_t i;

    if (depth > MAX_GRAPH_DEPTH) {
        tool_error("'%s' nests subgraphs deeper than %d levels", info->path,
                   MAX_GRAPH_DEPTH);
        return -2;
    }
    for (i = 0; i < graph->n_node; i++) {
        int status;

        if (add_node(info, graph->node[i], i, prefix) != 0)
            return -1;
        if (depth == 0)
            info->n_nodes++;
        else
            info->n_subgraph_nodes++;
        status = walk_subgraphs(info, graph->node[i], i, prefix, depth);
        if (status != 0)
            return status;
    }
    return 0;
}

static int compare_ops(const void *a, const void *b)
{
    const op_usage *x = a, *y = b;
    int d;

    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    d = strcmp(x->domain, y->domain);
    return d ? d : strcmp(x->op_type, y->op_type);
}

/* ------------------------------------------------------------ values */

static int is_initializer(const graph_proto *graph, const char *name)
{
    size_t i;

    for (i = 0; i < graph->n_initializer; i++)
        if (graph->initializer[i]->name &&
            strcmp(graph->initializer[i]->name, name) == 0)
            return 1;
    return 0;
}

static int gather_inputs(model_info *info, const graph_proto *graph)
{
    size_t i;

    info->inputs = calloc(graph->n_input ? graph->n_input : 1,
                          sizeof *info->inputs);
    if (!info->inputs)
        return -1;
    for (i = 0; i < graph->n_input; i++) {
        const value_info_proto *v = graph->input[i];

        if (v->name && is_initializer(graph, v->name))
            info->n_initializer_inputs++;
        else
            info->inputs[info->n_inputs++] = v;
    }
    return 0;
}

/* Sets *out to a * b; returns -1 on overflow. */
static int multiply(uint64_t a, uint64_t b, uint64_t *out)
{
    if (a != 0 && b > UINT64_MAX / a)
        return -1;
    *out = a * b;
    return 0;
}

static void gather_parameters(model_info *info, const graph_proto *graph)
{
    size_t i, j;

    info->n_initializers = graph->n_initializer;
    info->n_sparse = graph->n_sparse_initializer;
    for (i = 0; i < graph->n_initializer; i++) {
        const Onnxmini__Pb__TensorProto *t = graph->initializer[i];
        size_t element = t->has_data_type
                             ? onnxmini_dtype_size((onnxmini_dtype)t->data_type)
                             : 0;
        uint64_t count = 1, bytes = 0;

        if (t->has_data_location &&
            t->data_location ==
                ONNXMINI__PB__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
            info->n_external++;
        for (j = 0; j < t->n_dims; j++)
            if (t->dims[j] < 0 ||
                multiply(count, (uint64_t)t->dims[j], &count) != 0)
                info->parameters_overflow = 1;

        /* Strings have no fixed size: count their stored bytes. */
        if (element)
            info->parameters_overflow |= multiply(count, element, &bytes) != 0;
        else
            for (j = 0; j < t->n_string_data; j++)
                bytes += t->string_data[j].len;

        if (info->parameters > UINT64_MAX - count ||
            info->parameter_bytes > UINT64_MAX - bytes)
            info->parameters_overflow = 1;
        info->parameters += count;
        info->parameter_bytes += bytes;
    }
}

const char *info_type_name(const value_info_proto *value, char *buf,
                           size_t size)
{
    const Onnxmini__Pb__TypeProto *type = value->type;
    const char *name;
    int32_t elem;

    if (!type)
        return "unknown";
    if (type->value_case != ONNXMINI__PB__TYPE_PROTO__VALUE_TENSOR_TYPE ||
        !type->tensor_type)
        return "non-tensor";
    if (!type->tensor_type->has_elem_type)
        return "unknown";
    elem = type->tensor_type->elem_type;
    name = onnxmini_dtype_name((onnxmini_dtype)elem);
    if (strcmp(name, "unknown") != 0)
        return name;
    snprintf(buf, size, "type %ld", (long)elem);
    return buf;
}

/* ------------------------------------------------------------ memory */

/* Returns 1 when some input leaves dimension 0 symbolic or unknown. */
static int has_batch_dimension(const model_info *info)
{
    size_t i;

    for (i = 0; i < info->n_inputs; i++) {
        const Onnxmini__Pb__TypeProto *t = info->inputs[i]->type;
        const Onnxmini__Pb__TensorShapeProto *shape;

        if (!t || t->value_case != ONNXMINI__PB__TYPE_PROTO__VALUE_TENSOR_TYPE ||
            !t->tensor_type || !t->tensor_type->shape)
            continue;
        shape = t->tensor_type->shape;
        if (shape->n_dim > 0 &&
            shape->dim[0]->value_case !=
                ONNXMINI__PB__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE)
            return 1;
    }
    return 0;
}

/* Sets every input to zeros of its declared shape, with the batch size as
 * a symbolic or unknown dimension 0 and 1 for any other, so that the
 * session plans for those shapes. buffers[] receives the zeros, which the
 * session borrows until it is destroyed. */
static int bind_inputs(onnxmini_session *session,
                       const onnxmini_model *model, long batch,
                       void **buffers, memory_plan *plan)
{
    size_t n = onnxmini_model_input_count(model), i, j;

    for (i = 0; i < n; i++) {
        onnxmini_value_info v;
        int64_t dims[MAX_RANK];
        size_t count = 1, element;

        onnxmini_model_input_info(model, i, &v);
        element = onnxmini_dtype_size(v.dtype);
        if (v.rank < 0 || v.rank > MAX_RANK || element == 0) {
            snprintf(plan->message, sizeof plan->message,
                     "input '%s' declares %s, so no shape can be bound",
                     v.name, v.rank < 0 ? "no shape" :
                     element == 0 ? "an element type without a fixed size" :
                     "a rank above the library's limit");
            return -1;
        }
        for (j = 0; j < (size_t)v.rank; j++) {
            if (v.dims[j] >= 0)
                dims[j] = v.dims[j];
            else if (j == 0)
                dims[j] = batch;
            else
                dims[j] = 1;
            if (dims[j] != 0 && count > SIZE_MAX / element / (size_t)dims[j]) {
                snprintf(plan->message, sizeof plan->message,
                         "input '%s' is too large to bind", v.name);
                return -1;
            }
            count *= (size_t)dims[j];
        }
        buffers[i] = calloc(count ? count : 1, element);
        if (!buffers[i]) {
            snprintf(plan->message, sizeof plan->message,
                     "out of memory for input '%s' (%zu bytes)", v.name,
                     count * element);
            return -1;
        }
        if (onnxmini_session_set_input_at(session, i, v.dtype, dims,
                                          (size_t)v.rank, buffers[i],
                                          count * element) != ONNXMINI_OK) {
            snprintf(plan->message, sizeof plan->message, "input '%s': %s",
                     v.name, onnxmini_session_message(session));
            return -1;
        }
    }
    return 0;
}

/* Plans a session for the model and fills info->memory; a failure is
 * recorded as the plan's message, not returned. */
static void plan_memory(model_info *info, const onnxmini_model *model,
                        long batch)
{
    memory_plan *plan = &info->memory;
    onnxmini_session *session = NULL;
    onnxmini_error err;
    onnxmini_status status;
    size_t n = onnxmini_model_input_count(model), i;
    void **buffers = calloc(n ? n : 1, sizeof *buffers);

    plan->batch = batch;
    if (!buffers) {
        snprintf(plan->message, sizeof plan->message, "out of memory");
        return;
    }
    if (onnxmini_session_create(model, NULL, &session, &err) != ONNXMINI_OK) {
        snprintf(plan->message, sizeof plan->message,
                 "the library cannot create a session: %s", err.message);
        goto done;
    }
    if (bind_inputs(session, model, batch, buffers, plan) != 0)
        goto done;
    status = onnxmini_session_memory(session, &plan->info);
    if (status != ONNXMINI_OK) {
        snprintf(plan->message, sizeof plan->message, "%s: %s",
                 onnxmini_status_string(status),
                 onnxmini_session_message(session));
        goto done;
    }
    snprintf(plan->isa, sizeof plan->isa, "%s", onnxmini_session_isa(session));
    plan->available = 1;

done:
    onnxmini_session_destroy(session);
    for (i = 0; i < n; i++)
        free(buffers[i]);
    free(buffers);
}

/* ------------------------------------------------------------ main */

static void free_info(model_info *info)
{
    size_t i, j;

    for (i = 0; i < info->n_ops; i++) {
        for (j = 0; j < info->ops[i].n_nodes; j++)
            free(info->ops[i].nodes[j]);
        free(info->ops[i].nodes);
    }
    free(info->ops);
    free(info->inputs);
}

/* Parses the options; returns 0 to go on, -1 after printing the help, or
 * EXIT_USAGE after printing a message. */
static int parse_options(int argc, char **argv, const char **path,
                         long *batch, int *json)
{
    const char *value;
    int i, r;

    *path = NULL;
    *batch = 1;
    *json = 0;
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];

        if (tool_is_help(arg)) {
            usage(stdout);
            return -1;
        }
        if (strcmp(arg, "--json") == 0) {
            *json = 1;
        } else if ((r = tool_option_value(argc, argv, &i, "--batch",
                                          &value)) != 0) {
            if (r < 0 || tool_parse_long("--batch", value, 1, 1L << 20,
                                         batch) != 0)
                return EXIT_USAGE;
        } else if (arg[0] == '-' && arg[1]) {
            return tool_usage_error("unknown option '%s'", arg);
        } else if (*path) {
            return tool_usage_error("more than one model given ('%s' and "
                                    "'%s')", *path, arg);
        } else {
            *path = arg;
        }
    }
    if (!*path)
        return tool_usage_error("no model given");
    return 0;
}

int tool_info(int argc, char **argv)
{
    model_info info;
    model_proto *model = NULL;
    onnxmini_model *loaded = NULL;
    onnxmini_error err;
    uint8_t *bytes = NULL;
    long batch;
    int json, status = EXIT_FAILED, walked;

    memset(&info, 0, sizeof info);
    switch (parse_options(argc, argv, &info.path, &batch, &json)) {
    case 0:
        break;
    case -1:
        return EXIT_OK;
    default:
        return EXIT_USAGE;
    }

    /* The structure, from the file itself. */
    if (tool_read_file("model", info.path, &bytes, &info.file_bytes) != 0)
        return EXIT_FAILED;
    model = onnxmini__pb__model_proto__unpack(NULL, info.file_bytes, bytes);
    free(bytes);
    if (!model) {
        tool_error("'%s' is not a valid ONNX model: the protobuf message "
                   "cannot be parsed", info.path);
        return EXIT_FAILED;
    }
    if (!model->graph) {
        tool_error("'%s' has no graph", info.path);
        goto done;
    }
    info.model = model;
    walked = walk_graph(&info, model->graph, "", 0);
    if (walked == -1 || gather_inputs(&info, model->graph) != 0) {
        tool_error("out of memory");
        goto done;
    }
    if (walked != 0)
        goto done;
    qsort(info.ops, info.n_ops, sizeof *info.ops, compare_ops);
    gather_parameters(&info, model->graph);
    if (batch != 1 && !has_batch_dimension(&info)) {
        tool_error("--batch %ld cannot apply: no input of the model has a "
                   "symbolic or unknown dimension 0", batch);
        goto done;
    }

    /* The library's view: does it load the model, and what does a session
     * plan for it? */
    if (onnxmini_model_load_file(info.path, &loaded, &err) == ONNXMINI_OK) {
        plan_memory(&info, loaded, batch);
    } else {
        snprintf(info.load_error, sizeof info.load_error, "%s", err.message);
        snprintf(info.memory.message, sizeof info.memory.message,
                 "the library cannot load the model");
        info.memory.batch = batch;
    }

    if (json)
        info_print_json(&info);
    else
        info_print_text(&info);
    status = EXIT_OK;

done:
    onnxmini_model_free(loaded);
    free_info(&info);
    onnxmini__pb__model_proto__free_unpacked(model, NULL);
    return status;
}
