/*
 * op.h - the operator contract.
 *
 * Each operator is one const om_op found through the registry. The loader
 * calls check() once per node; a session calls infer() whenever it plans
 * (at creation and when a symbolic dimension changes) and run() on every
 * inference. run() never allocates: everything it needs was sized by
 * infer().
 */
#ifndef OM_OP_H
#define OM_OP_H

#include "internal.h"
#include "kernels/kernels.h"
#include "pool.h"

/* What a session folded into a node: the bias of a following Add of a
 * constant (one value per output channel for Conv, per column for MatMul)
 * and the clamp of a following Relu. */
typedef struct om_fusion {
    const om_tensor *bias;            /* NULL when no Add was folded */
    float lo, hi;                     /* -inf, +inf when no Relu was folded */
} om_fusion;

/* What infer() sees and fills for one node. */
typedef struct om_infer_ctx {
    const om_node *node;
    om_tensor **in;                   /* [n_in], NULL for an omitted input */
    int n_in;
    om_tensor **out;                  /* [n_out], NULL for an omitted output */
    int n_out;
    void *state;                      /* op->state_size zeroed bytes */
    size_t scratch_bytes;             /* set by infer: scratch run() needs */
    size_t packed_bytes;              /* set by infer: memory pack() fills */
    const om_fusion *fusion;          /* what the session folded, or NULL */
    int threads;                      /* run() may use this many threads */
    const om_kernels *kernels;
    onnxmini_error *err;
} om_infer_ctx;

/* What run() sees for one node. */
typedef struct om_run_ctx {
    const om_node *node;
    om_tensor **in;
    int n_in;
    om_tensor **out;
    int n_out;
    const void *state;
    void *scratch;                    /* scratch_bytes, aligned */
    void *packed;                     /* packed_bytes, aligned, kept */
    om_pool *pool;                    /* NULL: run on the calling thread */
    const om_kernels *kernels;
    onnxmini_error *err;
} om_run_ctx;

enum {
    /* Output 0 may share input 0's buffer (Reshape, Identity): run() copies
     * only when the session did not make them share. */
    OM_OP_ALIAS = 1u << 0,
    /* Output 0 may be written over input 0 or input 1 when that input has
     * the output's shape and type and dies at this node. */
    OM_OP_IN_PLACE = 1u << 1
};

typedef struct om_op {
    const char *domain;
    const char *op_type;
    /* Opset versions where the operator's definition changed, ascending,
     * 0-terminated. A node uses the newest one not above its opset. */
    const int *versions;
    unsigned flags;
    /* Input indices whose contents infer() reads (Reshape's shape). A graph
     * input in such a slot makes the session re-plan when its data change. */
    unsigned data_inputs;
    size_t state_size;

    /* At load: input and output counts, attribute kinds and values. */
    onnxmini_status (*check)(const om_node *node, onnxmini_error *err);
    /* At planning: output types and shapes, per-node state, scratch size. */
    onnxmini_status (*infer)(om_infer_ctx *ctx);
    /* At every inference. */
    onnxmini_status (*run)(const om_run_ctx *ctx);
    /* Optional: once per plan, when packed_bytes > 0, to fill ctx->packed
     * from constant inputs (prepacked weights). */
    onnxmini_status (*pack)(const om_run_ctx *ctx);
    /* With bias < 0: whether the node can absorb a following Add of a
     * constant and a following Relu. With a value id: whether that
     * constant fits as the bias (one value per output channel for Conv,
     * per column for MatMul, or a single value). NULL when the operator
     * absorbs nothing. Called at session creation with model-level facts
     * only; the session checks the shapes again when it plans. */
    int (*can_fuse)(const om_node *node, const struct onnxmini_model *model,
                    int bias);
} om_op;

/* Finds the definition for a node's op_type and domain at the given opset
 * version. Fails with ONNXMINI_ERR_UNSUPPORTED naming the operator, domain
 * and version. */
onnxmini_status om_registry_resolve(om_node *node, onnxmini_error *err);

/* Iterates the registry: returns entry i, or NULL past the end. */
const om_op *om_registry_entry(size_t i);

/* Shared checks. */
onnxmini_status om_check_counts(const om_node *node, int min_in, int max_in,
                                int min_out, int max_out, onnxmini_error *err);
/* Fails unless every attribute of the node is in the NULL-terminated list. */
onnxmini_status om_check_known_attrs(const om_node *node,
                                     const char *const *names,
                                     onnxmini_error *err);
/* Fails unless the dtype is in the 0-terminated list. A type the library
 * implements but the node's opset does not allow is an invalid model; one
 * the library does not implement is unsupported. */
onnxmini_status om_check_dtype(const om_node *node, const char *what,
                               int dtype, const int *allowed,
                               onnxmini_error *err);

/* The element types an operator accepts from a given opset version on:
 * a table ends with an entry of since_version 0. */
typedef struct om_type_rule {
    int since_version;
    const int *types;                 /* 0-terminated */
} om_type_rule;

/* Like om_check_dtype(), with the types of the newest rule not above the
 * node's since_version. */
onnxmini_status om_check_dtype_versioned(const om_node *node, const char *what,
                                         int dtype, const om_type_rule *rules,
                                         onnxmini_error *err);

extern const om_op om_op_add;
extern const om_op om_op_clip;
extern const om_op om_op_concat;
extern const om_op om_op_constant;
extern const om_op om_op_conv;
extern const om_op om_op_flatten;
extern const om_op om_op_gemm;
extern const om_op om_op_global_average_pool;
extern const om_op om_op_identity;
extern const om_op om_op_matmul;
extern const om_op om_op_maxpool;
extern const om_op om_op_relu;
extern const om_op om_op_reshape;

/* The bounds of a Clip node when they are known without running the
 * graph (attributes, float initializers or Constant nodes); returns 0
 * otherwise. */
int om_clip_constant_bounds(const om_node *node,
                            const struct onnxmini_model *model, float *lo,
                            float *hi);

#endif /* OM_OP_H */
