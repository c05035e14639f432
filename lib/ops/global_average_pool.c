/*
 * global_average_pool.c - GlobalAveragePool: the mean of each channel's
 * spatial values, X [N, C, D1..Dn] to Y [N, C, 1..1] (opset 1; 22 adds
 * bfloat16). Sums are accumulated in double so that large planes keep
 * float precision.
 */
#include "ops/op.h"

static const int versions[] = {1, 22, 0};

static const int types[] = {ONNXMINI_FLOAT, ONNXMINI_DOUBLE, 0};

static onnxmini_status gap_check(const om_node *node, onnxmini_error *err)
{
    static const char *const attrs[] = {NULL};
    onnxmini_status st = om_check_counts(node, 1, 1, 1, 1, err);
    if (st == ONNXMINI_OK)
        st = om_check_known_attrs(node, attrs, err);
    return st;
}

static onnxmini_status gap_infer(om_infer_ctx *ctx)
{
    const om_tensor *x = ctx->in[0];
    int64_t dims[OM_MAX_RANK];
    char sx[OM_DIMS_STR_SIZE];
    int i;
    onnxmini_status st =
        om_check_dtype(ctx->node, "input X", x->dtype, types, ctx->err);

    if (st != ONNXMINI_OK)
        return st;
    if (x->rank < 3)
        return om_node_fail(ctx->err, ctx->node, ONNXMINI_ERR_SHAPE,
                            "input X %s needs rank 3 or more "
                            "([N, C, spatial...])",
                            om_dims_str(x->dims, x->rank, sx, sizeof sx));
    for (i = 0; i < x->rank; i++)
        dims[i] = i < 2 ? x->dims[i] : 1;
    return om_tensor_set_shape(ctx->out[0], x->dtype, dims, x->rank, ctx->err);
}

static onnxmini_status gap_run(const om_run_ctx *ctx)
{
    const om_tensor *x = ctx->in[0];
    size_t planes = (size_t)(x->dims[0] * x->dims[1]);
    size_t size = planes ? x->count / planes : 0, p, i;

    for (p = 0; p < planes; p++) {
        double sum = 0.0;
        if (x->dtype == ONNXMINI_FLOAT) {
            const float *v = (const float *)x->data + p * size;
            for (i = 0; i < size; i++)
                sum += v[i];
            ((float *)ctx->out[0]->data)[p] = (float)(sum / (double)size);
        } else {
            const double *v = (const double *)x->data + p * size;
            for (i = 0; i < size; i++)
                sum += v[i];
            ((double *)ctx->out[0]->data)[p] = sum / (double)size;
        }
    }
    return ONNXMINI_OK;
}

const om_op om_op_global_average_pool = {
    .domain = "",
    .op_type = "GlobalAveragePool",
    .versions = versions,
    .check = gap_check,
    .infer = gap_infer,
    .run = gap_run,
};
