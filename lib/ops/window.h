/*
 * window.h - the sliding-window geometry Conv and MaxPool share: kernel,
 * strides, dilations, pads and auto_pad, as the ONNX spec defines them.
 */
#ifndef OM_WINDOW_H
#define OM_WINDOW_H

#include "ops/op.h"

#define OM_MAX_SPATIAL (OM_MAX_RANK - 2)

typedef struct om_window {
    int n;                            /* spatial rank */
    int64_t in[OM_MAX_SPATIAL];       /* input spatial sizes */
    int64_t out[OM_MAX_SPATIAL];      /* output spatial sizes */
    int64_t kernel[OM_MAX_SPATIAL];
    int64_t stride[OM_MAX_SPATIAL];
    int64_t dilation[OM_MAX_SPATIAL];
    int64_t pad_begin[OM_MAX_SPATIAL];
    int64_t pad_end[OM_MAX_SPATIAL];
} om_window;

/* Checks the window attributes at load: auto_pad is one of NOTSET,
 * SAME_UPPER, SAME_LOWER and VALID; strides and dilations are positive and
 * pads non-negative. The list lengths are checked by om_window_init(),
 * once the spatial rank is known. */
onnxmini_status om_window_check(const om_node *node, onnxmini_error *err);

/* Computes the output size and the effective pads for n spatial dimensions
 * of sizes in[] and the given kernel. ceil_mode rounds the output size up,
 * as MaxPool allows, dropping a last window that would start in the end
 * padding. */
onnxmini_status om_window_init(om_window *w, const om_node *node,
                               const int64_t *in, int n, const int64_t *kernel,
                               int ceil_mode, onnxmini_error *err);

#endif /* OM_WINDOW_H */
