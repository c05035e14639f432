/*
 * conv.h - state shared by Conv's shape logic (conv.c), its float
 * lowering to GEMM (conv_gemm.c) and its depthwise path
 * (conv_depthwise.c).
 */
#ifndef OM_CONV_H
#define OM_CONV_H

#include "ops/op.h"
#include "ops/window.h"

typedef struct conv_state {
    om_window win;
    size_t batch;                     /* N */
    size_t group;
    size_t in_channels;               /* C / group */
    size_t out_channels;              /* M / group */
    size_t in_size;                   /* D1 * .. * Dn */
    size_t out_size;                  /* O1 * .. * On */
    size_t kernel_size;               /* k1 * .. * kn */
    size_t k;                         /* GEMM depth: in_channels * kernel_size */

    /* What the session folded: the bias of an Add (fused_bias_count is 1
     * or M) and the clamp of a Relu. */
    const float *fused_bias;
    size_t fused_bias_count;
    float lo, hi;

    /* The float lowering, chosen at planning (conv_gemm.c). */
    int shifted_rows;                 /* 2-D, stride 1: no im2col */
    size_t padded_w;                  /* shifted rows: padded input width */
    size_t band_rows;                 /* shifted rows: output rows per band */
    size_t band_plane;                /* floats per channel of a band */
    size_t chunk;                     /* B columns packed at a time */
    int pack_panels;                  /* shifted rows: pack B before GEMM */
    int per_row;                      /* shifted rows: one GEMM per row */
    int segments;                     /* shifted rows: f32_gemm_segments
                                       * over each row's vectors */
    int transposed;                   /* shifted rows: W^T as B, the band
                                       * as A (conv_gemm.c) */
    int weights_packed;               /* weights live in ctx->packed */
    size_t weights_bytes;             /* packed A, bias and B row offsets */
    size_t units;                     /* bands or chunks per (image, group) */
    size_t slice_bytes;               /* scratch of one thread */

    /* The depthwise path instead (conv_depthwise.c), a zero-padded band
     * of one input channel at a time; slice_bytes is its scratch too. */
    int depthwise;
    int flat_band;                    /* the band as one long row */
    size_t band_width;                /* floats per padded band row */
    size_t band_out_rows;             /* output rows per band */
    size_t bands;                     /* bands per output plane */
    size_t tasks;                     /* pool tasks of one run */
} conv_state;

/* Chooses the float lowering and sets ctx->packed_bytes and
 * ctx->scratch_bytes. */
onnxmini_status om_conv_plan_f32(om_infer_ctx *ctx, conv_state *s);

/* Packs W, the combined bias and the B row offsets into mem. */
void om_conv_pack_f32(const om_run_ctx *ctx, const conv_state *s, void *mem);

void om_conv_run_f32(const om_run_ctx *ctx, const conv_state *s);

/* Whether the depthwise path takes this float convolution: 1-D or 2-D,
 * one input channel per group, and fewer output channels per group than
 * the GEMM's row tile. */
int om_conv_depthwise_fits(const om_infer_ctx *ctx, const conv_state *s);

/* Sizes the depthwise bands and splits the work into tasks; sets
 * ctx->scratch_bytes. W is read as it is, so nothing is packed. */
onnxmini_status om_conv_depthwise_plan_f32(om_infer_ctx *ctx, conv_state *s);

void om_conv_depthwise_run_f32(const om_run_ctx *ctx, const conv_state *s);

#endif /* OM_CONV_H */
