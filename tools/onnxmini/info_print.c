/*
 * info_print.c - the text and JSON output of 'onnxmini info'.
 */
#include <stdio.h>
#include <string.h>

#include "info.h"
#include "tool.h"

/* Unsupported nodes named per operator in the text output; --json lists
 * them all. */
#define MAX_NODES_SHOWN 10

/* Formats a byte count, with KiB, MiB or GiB beside it from 1024 bytes. */
static void format_bytes(char *buf, size_t size, uint64_t bytes)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
    double v = (double)bytes;
    int unit = -1;

    while (v >= 1024 && unit < 3) {
        v /= 1024;
        unit++;
    }
    if (unit < 0)
        snprintf(buf, size, "%llu bytes", (unsigned long long)bytes);
    else
        snprintf(buf, size, "%llu bytes (%.1f %s)", (unsigned long long)bytes,
                 v, units[unit]);
}

static const Onnxmini__Pb__TensorShapeProto *value_shape(
    const value_info_proto *value)
{
    const Onnxmini__Pb__TypeProto *t = value->type;

    if (!t || t->value_case != ONNXMINI__PB__TYPE_PROTO__VALUE_TENSOR_TYPE ||
        !t->tensor_type)
        return NULL;
    return t->tensor_type->shape;
}

/* Formats a declared shape: "[N,1,28,28]", "?" for a dimension with
 * neither a size nor a name, "unknown shape" when none is declared. */
static void format_shape(char *buf, size_t size, const value_info_proto *v)
{
    const Onnxmini__Pb__TensorShapeProto *shape = value_shape(v);
    size_t used, i;

    if (!shape) {
        snprintf(buf, size, "unknown shape");
        return;
    }
    used = (size_t)snprintf(buf, size, "[");
    for (i = 0; i < shape->n_dim && used < size; i++) {
        const Onnxmini__Pb__TensorShapeProto__Dimension *d = shape->dim[i];
        const char *sep = i ? "," : "";

        if (d->value_case ==
            ONNXMINI__PB__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE)
            used += (size_t)snprintf(buf + used, size - used, "%s%lld", sep,
                                     (long long)d->dim_value);
        else if (d->value_case ==
                     ONNXMINI__PB__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM &&
                 d->dim_param && d->dim_param[0])
            used += (size_t)snprintf(buf + used, size - used, "%s%s", sep,
                                     d->dim_param);
        else
            used += (size_t)snprintf(buf + used, size - used, "%s?", sep);
    }
    if (used < size)
        snprintf(buf + used, size - used, "]");
}

static const char *plural(size_t n)
{
    return n == 1 ? "" : "s";
}

static const char *text(const char *s)
{
    return s ? s : "";
}

static const char *domain_name(const char *domain)
{
    return domain && domain[0] ? domain : "ai.onnx";
}

/* ------------------------------------------------------------ text */

/* Returns the longest name among the values, at least `width`. */
static size_t name_width(const value_info_proto *const *values, size_t n,
                         size_t width)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strlen(text(values[i]->name)) > width)
            width = strlen(text(values[i]->name));
    return width;
}

static void print_values(const char *title,
                         const value_info_proto *const *values, size_t n,
                         size_t width)
{
    size_t i;
    char type[32], shape[1024];

    printf("%s (%zu)\n", title, n);
    for (i = 0; i < n; i++) {
        format_shape(shape, sizeof shape, values[i]);
        printf("  %-*s  %-8s %s\n", (int)width, text(values[i]->name),
               info_type_name(values[i], type, sizeof type), shape);
    }
}

static void print_unsupported(const model_info *info)
{
    size_t i, j, nodes = 0;

    if (info->n_unsupported == 0) {
        printf("unsupported operators: none\n");
        return;
    }
    for (i = 0; i < info->n_ops; i++)
        if (!info->ops[i].supported)
            nodes += info->ops[i].count;
    printf("unsupported operators: %zu of %zu operator type%s (%zu node%s)\n",
           info->n_unsupported, info->n_ops, plural(info->n_ops), nodes,
           plural(nodes));
    for (i = 0; i < info->n_ops; i++) {
        const op_usage *op = &info->ops[i];

        if (op->supported)
            continue;
        if (op->imported)
            printf("  %s (domain %s, opset %lld)", op->op_type, op->domain,
                   (long long)op->opset);
        else
            printf("  %s (domain %s, not imported)", op->op_type, op->domain);
        printf(": %s; %zu node%s:", op->reason, op->count, plural(op->count));
        for (j = 0; j < op->n_nodes && j < MAX_NODES_SHOWN; j++)
            printf("%s %s", j ? "," : "", op->nodes[j]);
        if (op->n_nodes > MAX_NODES_SHOWN)
            printf(" and %zu more", op->n_nodes - MAX_NODES_SHOWN);
        printf("\n");
    }
}

static void print_histogram(const model_info *info)
{
    size_t i, width = 8;
    char name[256];

    printf("operators: %zu node%s", info->n_nodes, plural(info->n_nodes));
    if (info->n_subgraph_nodes)
        printf(" and %zu inside subgraphs", info->n_subgraph_nodes);
    printf(", %zu operator type%s\n", info->n_ops, plural(info->n_ops));
    for (i = 0; i < info->n_ops; i++) {
        const op_usage *op = &info->ops[i];
        size_t n = strcmp(op->domain, "ai.onnx") == 0
                       ? strlen(op->op_type)
                       : strlen(op->op_type) + strlen(op->domain) + 3;

        if (n > width)
            width = n < sizeof name ? n : sizeof name - 1;
    }
    for (i = 0; i < info->n_ops; i++) {
        const op_usage *op = &info->ops[i];

        if (strcmp(op->domain, "ai.onnx") == 0)
            snprintf(name, sizeof name, "%s", op->op_type);
        else
            snprintf(name, sizeof name, "%s (%s)", op->op_type, op->domain);
        printf("  %-*s %6zu%s\n", (int)width, name, op->count,
               op->supported ? "" : "  not supported");
    }
}

static void print_memory(const model_info *info)
{
    const memory_plan *m = &info->memory;
    char bytes[64];

    if (!m->available) {
        printf("memory plan       not available: %s\n", m->message);
        return;
    }
    printf("memory plan       batch %ld, isa %s\n", m->batch, m->isa);
    format_bytes(bytes, sizeof bytes, m->info.arena_bytes);
    printf("  arena           %s\n", bytes);
    format_bytes(bytes, sizeof bytes, m->info.values_bytes);
    printf("  values          %s\n", bytes);
    format_bytes(bytes, sizeof bytes, m->info.values_lower_bound);
    printf("  lower bound     %s\n", bytes);
    format_bytes(bytes, sizeof bytes, m->info.scratch_bytes);
    printf("  scratch         %s\n", bytes);
    format_bytes(bytes, sizeof bytes, m->info.packed_bytes);
    printf("  packed weights  %s\n", bytes);
    format_bytes(bytes, sizeof bytes, m->info.initializer_bytes);
    printf("  initializers    %s\n", bytes);
}

void info_print_text(const model_info *info)
{
    const model_proto *m = info->model;
    const graph_proto *g = m->graph;
    const value_info_proto *const *outputs =
        (const value_info_proto *const *)g->output;
    char bytes[64];
    size_t i, width;

    /* What stops the library first: unsupported operators, a load error. */
    printf("model             %s (%zu bytes)\n", info->path, info->file_bytes);
    print_unsupported(info);
    if (info->load_error[0])
        printf("library           cannot load the model: %s\n",
               info->load_error);
    else
        printf("library           loads the model\n");
    printf("\n");

    /* Where the model comes from. */
    if (m->has_ir_version)
        printf("ir version        %lld\n", (long long)m->ir_version);
    else
        printf("ir version        not set\n");
    printf("producer          %s%s%s\n",
           m->producer_name && m->producer_name[0] ? m->producer_name
                                                   : "not set",
           m->producer_version && m->producer_version[0] ? " " : "",
           text(m->producer_version));
    if (m->domain && m->domain[0])
        printf("model domain      %s\n", m->domain);
    if (m->has_model_version)
        printf("model version     %lld\n", (long long)m->model_version);
    printf("graph             %s\n", g->name && g->name[0] ? g->name : "(unnamed)");
    printf("opset imports    ");
    for (i = 0; i < m->n_opset_import; i++)
        printf("%s %s %lld", i ? "," : "",
               domain_name(m->opset_import[i]->domain),
               (long long)m->opset_import[i]->version);
    printf("%s\n\n", m->n_opset_import ? "" : " none");

    /* The interface, in columns shared by inputs and outputs. */
    width = name_width(info->inputs, info->n_inputs, 4);
    width = name_width(outputs, g->n_output, width);
    print_values("inputs", info->inputs, info->n_inputs, width);
    if (info->n_initializer_inputs)
        printf("  (and %zu inputs backed by initializers)\n",
               info->n_initializer_inputs);
    print_values("outputs", outputs, g->n_output, width);
    printf("\n");

    print_histogram(info);
    printf("\n");

    /* Weights and memory. */
    if (info->parameters_overflow) {
        printf("parameters        too many to count in 64 bits\n");
    } else {
        format_bytes(bytes, sizeof bytes, info->parameter_bytes);
        printf("parameters        %llu in %zu initializer%s, %s\n",
               (unsigned long long)info->parameters, info->n_initializers,
               plural(info->n_initializers), bytes);
    }
    if (info->n_external)
        printf("                  (%zu initializers stored as external "
               "data)\n", info->n_external);
    if (info->n_sparse)
        printf("                  (%zu sparse initializers not counted)\n",
               info->n_sparse);
    printf("\n");
    print_memory(info);
}

/* ------------------------------------------------------------ JSON */

static void json_key(const char *key)
{
    printf(", ");
    tool_json_string(stdout, key);
    printf(": ");
}

static void json_shape(const value_info_proto *v)
{
    const Onnxmini__Pb__TensorShapeProto *shape = value_shape(v);
    size_t i;

    if (!shape) {
        printf("null");
        return;
    }
    printf("[");
    for (i = 0; i < shape->n_dim; i++) {
        const Onnxmini__Pb__TensorShapeProto__Dimension *d = shape->dim[i];

        printf("%s", i ? ", " : "");
        if (d->value_case ==
            ONNXMINI__PB__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE)
            printf("%lld", (long long)d->dim_value);
        else if (d->value_case ==
                     ONNXMINI__PB__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM &&
                 d->dim_param && d->dim_param[0])
            tool_json_string(stdout, d->dim_param);
        else
            printf("null");
    }
    printf("]");
}

static void json_values(const value_info_proto *const *values, size_t n)
{
    size_t i;
    char type[32];

    printf("[");
    for (i = 0; i < n; i++) {
        printf("%s{\"name\": ", i ? ", " : "");
        tool_json_string(stdout, text(values[i]->name));
        json_key("type");
        tool_json_string(stdout, info_type_name(values[i], type, sizeof type));
        json_key("shape");
        json_shape(values[i]);
        printf("}");
    }
    printf("]");
}

static void json_ops(const model_info *info, int unsupported_only)
{
    size_t i, j;
    int first = 1;

    printf("[");
    for (i = 0; i < info->n_ops; i++) {
        const op_usage *op = &info->ops[i];

        if (unsupported_only && op->supported)
            continue;
        printf("%s{\"domain\": ", first ? "" : ", ");
        first = 0;
        tool_json_string(stdout, op->domain);
        json_key("op_type");
        tool_json_string(stdout, op->op_type);
        json_key("opset");
        if (op->imported)
            printf("%lld", (long long)op->opset);
        else
            printf("null");
        printf(", \"count\": %zu, \"supported\": %s", op->count,
               op->supported ? "true" : "false");
        if (unsupported_only) {
            json_key("reason");
            tool_json_string(stdout, op->reason);
            json_key("nodes");
            printf("[");
            for (j = 0; j < op->n_nodes; j++) {
                printf("%s", j ? ", " : "");
                tool_json_string(stdout, op->nodes[j]);
            }
            printf("]");
        }
        printf("}");
    }
    printf("]");
}

static void json_memory(const memory_plan *m)
{
    printf("{\"available\": %s, \"batch\": %ld", m->available ? "true" : "false",
           m->batch);
    if (!m->available) {
        json_key("message");
        tool_json_string(stdout, m->message);
        printf("}");
        return;
    }
    json_key("isa");
    tool_json_string(stdout, m->isa);
    printf(", \"arena_bytes\": %zu, \"values_bytes\": %zu, "
           "\"values_lower_bound\": %zu, \"scratch_bytes\": %zu, "
           "\"packed_bytes\": %zu, \"initializer_bytes\": %zu}",
           m->info.arena_bytes, m->info.values_bytes,
           m->info.values_lower_bound, m->info.scratch_bytes,
           m->info.packed_bytes, m->info.initializer_bytes);
}

void info_print_json(const model_info *info)
{
    const model_proto *m = info->model;
    const graph_proto *g = m->graph;
    size_t i;

    printf("{\"model\": ");
    tool_json_string(stdout, info->path);
    printf(", \"file_bytes\": %zu", info->file_bytes);
    json_key("ir_version");
    if (m->has_ir_version)
        printf("%lld", (long long)m->ir_version);
    else
        printf("null");
    json_key("producer_name");
    tool_json_string(stdout, text(m->producer_name));
    json_key("producer_version");
    tool_json_string(stdout, text(m->producer_version));
    json_key("model_domain");
    tool_json_string(stdout, text(m->domain));
    json_key("model_version");
    if (m->has_model_version)
        printf("%lld", (long long)m->model_version);
    else
        printf("null");
    json_key("graph_name");
    tool_json_string(stdout, text(g->name));

    json_key("opset_imports");
    printf("[");
    for (i = 0; i < m->n_opset_import; i++) {
        printf("%s{\"domain\": ", i ? ", " : "");
        tool_json_string(stdout, domain_name(m->opset_import[i]->domain));
        printf(", \"version\": %lld}", (long long)m->opset_import[i]->version);
    }
    printf("]");

    json_key("library_loads");
    printf("%s", info->load_error[0] ? "false" : "true");
    json_key("load_error");
    if (info->load_error[0])
        tool_json_string(stdout, info->load_error);
    else
        printf("null");
    json_key("unsupported_operators");
    json_ops(info, 1);

    json_key("inputs");
    json_values(info->inputs, info->n_inputs);
    printf(", \"initializer_inputs\": %zu", info->n_initializer_inputs);
    json_key("outputs");
    json_values((const value_info_proto *const *)g->output, g->n_output);

    printf(", \"nodes\": %zu, \"subgraph_nodes\": %zu", info->n_nodes,
           info->n_subgraph_nodes);
    json_key("operators");
    json_ops(info, 0);

    json_key("parameters");
    if (info->parameters_overflow)
        printf("null");
    else
        printf("{\"initializers\": %zu, \"elements\": %llu, \"bytes\": %llu, "
               "\"external\": %zu, \"sparse_not_counted\": %zu}",
               info->n_initializers, (unsigned long long)info->parameters,
               (unsigned long long)info->parameter_bytes, info->n_external,
               info->n_sparse);
    json_key("memory");
    json_memory(&info->memory);
    printf("}\n");
}
