/*
 * info.h - what 'onnxmini info' gathers about a model, shared by the code
 * that gathers it (info.c) and the code that prints it (info_print.c).
 *
 * Everything structural comes from the ModelProto parsed with the
 * generated protobuf-c code, so that a model the library cannot load is
 * still described. The library is asked only which operators it supports
 * and, when it loads the model, for the session's memory plan.
 */
#ifndef TOOLS_ONNXMINI_INFO_H
#define TOOLS_ONNXMINI_INFO_H

#include <stddef.h>
#include <stdint.h>

#include "onnx.pb-c.h"
#include "onnxmini.h"

typedef Onnxmini__Pb__ModelProto model_proto;
typedef Onnxmini__Pb__GraphProto graph_proto;
typedef Onnxmini__Pb__NodeProto node_proto;
typedef Onnxmini__Pb__ValueInfoProto value_info_proto;

/* The nodes of one (domain, op_type) pair, in every graph and subgraph. */
typedef struct op_usage {
    const char *domain;         /* "ai.onnx" for the default domain */
    const char *op_type;
    int imported;               /* 1 when the model imports the domain */
    int64_t opset;              /* the imported opset version */
    size_t count;
    int supported;              /* onnxmini_op_supported() */
    char reason[160];           /* why it is not supported */
    char **nodes;               /* [n_nodes] node names of an unsupported
                                   operator; "#K" for the K-th unnamed
                                   node of a graph, "parent/#K" in a
                                   subgraph */
    size_t n_nodes;
} op_usage;

/* The memory plan of a session, when the library loads the model. */
typedef struct memory_plan {
    int available;
    char message[ONNXMINI_ERROR_MESSAGE_SIZE + 64];  /* why not */
    char isa[32];
    long batch;
    onnxmini_memory_info info;
} memory_plan;

typedef struct model_info {
    const char *path;
    size_t file_bytes;
    const model_proto *model;

    /* Operators, sorted by count (descending), domain, then op_type. */
    op_usage *ops;
    size_t n_ops;
    size_t n_unsupported;
    size_t n_nodes;             /* nodes of the main graph */
    size_t n_subgraph_nodes;    /* nodes inside subgraph attributes */

    /* Graph inputs a caller feeds, and those backed by an initializer. */
    const value_info_proto **inputs;
    size_t n_inputs;
    size_t n_initializer_inputs;

    /* Initializers: elements and bytes by their declared type and shape. */
    size_t n_initializers;
    size_t n_external;          /* stored as external data */
    size_t n_sparse;            /* sparse initializers, not counted */
    uint64_t parameters;
    uint64_t parameter_bytes;
    int parameters_overflow;    /* a count does not fit in 64 bits */

    /* The library's view: "" when it loads the model, else its message. */
    char load_error[ONNXMINI_ERROR_MESSAGE_SIZE];
    memory_plan memory;
} model_info;

/* Writes the text description of *info to stdout. */
void info_print_text(const model_info *info);

/* Writes *info as one JSON object to stdout. */
void info_print_json(const model_info *info);

/* Returns the name of the ValueInfo's element type, such as "float". For
 * a number the library cannot name it writes "type 17" or the like into
 * buf and returns buf. A sequence, map or optional type gives
 * "non-tensor", and a value without a declared type "unknown". */
const char *info_type_name(const value_info_proto *value, char *buf,
                           size_t size);

#endif /* TOOLS_ONNXMINI_INFO_H */
