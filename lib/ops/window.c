/*
 * window.c - output sizes and pads of sliding-window operators.
 */
#include <string.h>

#include "ops/window.h"

static onnxmini_status read_list(const om_node *node, const char *name,
                                 int n, int64_t def, int64_t *out,
                                 int64_t min, onnxmini_error *err)
{
    const int64_t *v;
    size_t count, i;
    onnxmini_status st = om_attr_ints(node, name, &v, &count, err);

    if (st != ONNXMINI_OK)
        return st;
    if (!v) {
        for (i = 0; i < (size_t)n; i++)
            out[i] = def;
        return ONNXMINI_OK;
    }
    if (count != (size_t)n)
        return om_node_fail(err, node, ONNXMINI_ERR_INVALID_MODEL,
                            "attribute '%s' has %zu values, expected %d", name,
                            count, n);
    for (i = 0; i < count; i++) {
        if (v[i] < min)
            return om_node_fail(err, node, ONNXMINI_ERR_INVALID_MODEL,
                                "attribute '%s' has value %lld at index %zu, "
                                "expected at least %lld",
                                name, (long long)v[i], i, (long long)min);
        out[i] = v[i];
    }
    return ONNXMINI_OK;
}

onnxmini_status om_window_check(const om_node *node, onnxmini_error *err)
{
    static const char *const names[] = {"strides", "dilations", "pads"};
    const char *auto_pad;
    onnxmini_status st = om_attr_string(node, "auto_pad", &auto_pad, err);
    size_t i, j;

    if (st != ONNXMINI_OK)
        return st;
    if (auto_pad && strcmp(auto_pad, "NOTSET") != 0 &&
        strcmp(auto_pad, "SAME_UPPER") != 0 &&
        strcmp(auto_pad, "SAME_LOWER") != 0 && strcmp(auto_pad, "VALID") != 0)
        return om_node_fail(err, node, ONNXMINI_ERR_INVALID_MODEL,
                            "attribute 'auto_pad' is '%s', expected NOTSET, "
                            "SAME_UPPER, SAME_LOWER or VALID",
                            auto_pad);
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        const int64_t *v;
        size_t count;
        int64_t min = i == 2 ? 0 : 1;
        st = om_attr_ints(node, names[i], &v, &count, err);
        if (st != ONNXMINI_OK)
            return st;
        for (j = 0; j < count; j++)
            if (v[j] < min)
                return om_node_fail(err, node, ONNXMINI_ERR_INVALID_MODEL,
                                    "attribute '%s' has value %lld at index "
                                    "%zu, expected at least %lld",
                                    names[i], (long long)v[j], j,
                                    (long long)min);
    }
    return ONNXMINI_OK;
}

onnxmini_status om_window_init(om_window *w, const om_node *node,
                               const int64_t *in, int n, const int64_t *kernel,
                               int ceil_mode, onnxmini_error *err)
{
    int64_t pads[2 * OM_MAX_SPATIAL];
    const char *auto_pad;
    onnxmini_status st;
    int i;

    memset(w, 0, sizeof *w);
    w->n = n;
    if (n < 1 || n > OM_MAX_SPATIAL)
        return om_node_fail(err, node, ONNXMINI_ERR_UNSUPPORTED,
                            "%d spatial dimensions; supported are 1 to %d", n,
                            OM_MAX_SPATIAL);
    st = read_list(node, "strides", n, 1, w->stride, 1, err);
    if (st == ONNXMINI_OK)
        st = read_list(node, "dilations", n, 1, w->dilation, 1, err);
    if (st == ONNXMINI_OK)
        st = read_list(node, "pads", 2 * n, 0, pads, 0, err);
    if (st == ONNXMINI_OK)
        st = om_attr_string(node, "auto_pad", &auto_pad, err);
    if (st != ONNXMINI_OK)
        return st;
    if (!auto_pad || !auto_pad[0])
        auto_pad = "NOTSET";

    for (i = 0; i < n; i++) {
        /* The extent of the dilated kernel; all sizes here come from
         * checked shapes and attributes, far below overflow. */
        int64_t span, total, out;

        /* Sizes up to 2^31 - 1 keep every product below in range. */
        if (kernel[i] < 1 || kernel[i] > INT32_MAX)
            return om_node_fail(err, node, ONNXMINI_ERR_INVALID_MODEL,
                                "kernel size %lld at axis %d is outside 1 to "
                                "2147483647",
                                (long long)kernel[i], i);
        if (w->stride[i] > INT32_MAX || w->dilation[i] > INT32_MAX ||
            pads[i] > INT32_MAX || pads[i + n] > INT32_MAX)
            return om_node_fail(err, node, ONNXMINI_ERR_INVALID_MODEL,
                                "axis %d: stride %lld, dilation %lld or pads "
                                "%lld, %lld above 2147483647",
                                i, (long long)w->stride[i],
                                (long long)w->dilation[i], (long long)pads[i],
                                (long long)pads[i + n]);
        span = (kernel[i] - 1) * w->dilation[i] + 1;
        w->in[i] = in[i];
        w->kernel[i] = kernel[i];

        if (strcmp(auto_pad, "SAME_UPPER") == 0 ||
            strcmp(auto_pad, "SAME_LOWER") == 0) {
            /* Output size ceil(in / stride); the pad that needs is split
             * evenly, the odd one at the end (SAME_UPPER) or at the
             * beginning (SAME_LOWER). */
            out = (in[i] + w->stride[i] - 1) / w->stride[i];
            total = (out - 1) * w->stride[i] + span - in[i];
            if (total < 0)
                total = 0;
            if (auto_pad[5] == 'U') {
                w->pad_begin[i] = total / 2;
                w->pad_end[i] = total - total / 2;
            } else {
                w->pad_begin[i] = total - total / 2;
                w->pad_end[i] = total / 2;
            }
        } else {
            int64_t padded, steps;
            if (strcmp(auto_pad, "VALID") == 0) {
                w->pad_begin[i] = 0;
                w->pad_end[i] = 0;
            } else {
                w->pad_begin[i] = pads[i];
                w->pad_end[i] = pads[i + n];
            }
            padded = in[i] + w->pad_begin[i] + w->pad_end[i];
            if (padded < span)
                return om_node_fail(err, node, ONNXMINI_ERR_SHAPE,
                                    "axis %d: the padded input size %lld is "
                                    "smaller than the dilated kernel size "
                                    "%lld",
                                    i, (long long)padded, (long long)span);
            steps = padded - span;
            out = (ceil_mode ? (steps + w->stride[i] - 1) / w->stride[i]
                             : steps / w->stride[i]) +
                  1;
            /* With ceil_mode, a last window starting in the end padding
             * is dropped. */
            if (ceil_mode && (out - 1) * w->stride[i] >= in[i] + w->pad_begin[i])
                out--;
        }
        w->out[i] = out;
    }
    return ONNXMINI_OK;
}
