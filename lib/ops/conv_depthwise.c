/*
 * conv_depthwise.c - float depthwise convolution over 1 or 2 spatial axes:
 * every group has one input channel (group == C), and output channel m
 * reads input channel m / (M / C) through its own kh x kw weights. A 1-D
 * convolution is a 2-D one with a single row.
 *
 * A band of output rows at a time, the input rows their windows read are
 * copied into a buffer with the padding written out as zeros. Every
 * window then lies inside the buffer, and the kernel table's
 * f32_depthwise_conv_rows computes whole vectors without border cases.
 * The real zeros also give the ONNX result for infinite or NaN weights,
 * whose products with the padding are NaN.
 *
 * With stride s on both axes, output (oh, ow) of a band reads the buffer
 * from oh * s * width + ow * s. That is where output oh * width + ow of
 * one long row read at stride s starts. A flat band is one kernel call
 * over (rows - 1) * width + OW such outputs, and the kernel drops the
 * width - OW outputs of each row that fall past the output row. Long
 * calls keep the vectors full on narrow planes. Other bands take one call
 * per output row.
 *
 * The M / C output channels of an input channel share its band. A task
 * takes whole bands, whose rows are fixed at planning, so results do not
 * depend on the number of threads.
 */
#include "ops/conv.h"

/* Floats of one padded band: 64 KiB, so that the band and the output rows
 * it feeds stay in a core's L2 cache. */
#define BAND_FLOATS ((size_t)16 * 1024)

/* Output widths below which a strided band still runs flat. */
#define FLAT_STRIDED_MAX_WIDTH 16

/* The window of one output plane, with a 1-D convolution as one row. */
typedef struct plane_geometry {
    size_t in_h, in_w, out_h, out_w;
    size_t kernel_h, kernel_w;
    size_t stride_h, stride_w;
    size_t dilation_h, dilation_w;
    int64_t pad_top, pad_left;
} plane_geometry;

static plane_geometry geometry(const om_window *win)
{
    plane_geometry g;
    int w = win->n - 1;               /* the last axis runs along rows */

    g.in_h = win->n == 2 ? (size_t)win->in[0] : 1;
    g.out_h = win->n == 2 ? (size_t)win->out[0] : 1;
    g.kernel_h = win->n == 2 ? (size_t)win->kernel[0] : 1;
    g.stride_h = win->n == 2 ? (size_t)win->stride[0] : 1;
    g.dilation_h = win->n == 2 ? (size_t)win->dilation[0] : 1;
    g.pad_top = win->n == 2 ? win->pad_begin[0] : 0;
    g.in_w = (size_t)win->in[w];
    g.out_w = (size_t)win->out[w];
    g.kernel_w = (size_t)win->kernel[w];
    g.stride_w = (size_t)win->stride[w];
    g.dilation_w = (size_t)win->dilation[w];
    g.pad_left = win->pad_begin[w];
    return g;
}

static size_t align_up(size_t n)
{
    return (n + OM_ALIGNMENT - 1) / OM_ALIGNMENT * OM_ALIGNMENT;
}

/* a * b, or SIZE_MAX when it overflows. */
static size_t mul(size_t a, size_t b)
{
    return b && a > SIZE_MAX / b ? SIZE_MAX : a * b;
}

/* a + b, or SIZE_MAX when it overflows. */
static size_t add(size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

/* Input rows that `rows` output rows read: (rows - 1) * stride_h plus
 * the kernel's dilated height. */
static size_t band_in_rows(const plane_geometry *g, size_t rows)
{
    return add(mul(rows - 1, g->stride_h),
               add(mul(g->kernel_h - 1, g->dilation_h), 1));
}

/* Outputs of a band of `rows` output rows read as one long row: (rows -
 * 1) whole band rows and the last row's OW. */
static size_t flat_outputs(const conv_state *s, const plane_geometry *g,
                           size_t rows)
{
    return add(mul(rows - 1, s->band_width), g->out_w);
}

int om_conv_depthwise_fits(const om_infer_ctx *ctx, const conv_state *s)
{
    return (s->win.n == 1 || s->win.n == 2) && s->in_channels == 1 &&
           s->out_channels < ctx->kernels->gemm_mr;
}

onnxmini_status om_conv_depthwise_plan_f32(om_infer_ctx *ctx, conv_state *s)
{
    plane_geometry g = geometry(&s->win);
    size_t threads = ctx->threads > 1 ? (size_t)ctx->threads : 1;
    size_t channels = s->batch * s->group, rows, band;

    ctx->scratch_bytes = 0;
    ctx->packed_bytes = 0;
    s->tasks = 1;
    s->bands = 1;
    s->band_out_rows = g.out_h ? g.out_h : 1;
    /* Flat bands at stride 1, where the dropped columns are few. At
     * stride 2 about half of each band row is dropped, which pays only
     * on planes too narrow to fill vectors row by row (onnxmini-bench on
     * MobileNetV2's stride-2 layers, 56 to 7 outputs wide, AVX-512 on an
     * Intel Xeon). */
    s->flat_band = g.stride_h == g.stride_w &&
                   (g.stride_w == 1 || g.out_w < FLAT_STRIDED_MAX_WIDTH);
    if (g.out_h == 0 || g.out_w == 0 || channels == 0) {
        s->band_width = 0;
        s->slice_bytes = 0;
        return ONNXMINI_OK;           /* an empty output: nothing runs */
    }

    /* A band row spans the windows of one output row. */
    s->band_width = add(mul(g.out_w - 1, g.stride_w),
                        add(mul(g.kernel_w - 1, g.dilation_w), 1));

    /* As many output rows as keep the band near BAND_FLOATS, and bands
     * enough for a few per thread when the channels alone are too
     * few. */
    rows = 1;
    if (BAND_FLOATS / s->band_width > band_in_rows(&g, 1))
        rows += (BAND_FLOATS / s->band_width - band_in_rows(&g, 1)) /
                g.stride_h;
    if (rows > g.out_h)
        rows = g.out_h;
    if (threads > 1 && channels < 4 * threads) {
        size_t want = (4 * threads + channels - 1) / channels;
        size_t share = (g.out_h + want - 1) / want;
        if (rows > share)
            rows = share;
    }
    s->band_out_rows = rows;
    s->bands = (g.out_h + rows - 1) / rows;

    /* One padded band per thread. */
    band = mul(band_in_rows(&g, rows), s->band_width);
    s->slice_bytes = align_up(mul(band, sizeof(float)));
    if (band == SIZE_MAX || flat_outputs(s, &g, rows) == SIZE_MAX ||
        s->slice_bytes > SIZE_MAX / 2 / threads)
        return om_node_fail(ctx->err, ctx->node, ONNXMINI_ERR_LIMIT,
                            "the convolution's working memory would be too "
                            "large");
    ctx->scratch_bytes = s->slice_bytes * threads;

    /* A few tasks per thread: each takes a pool lock, so one per band of
     * a small plane would cost more than its work. */
    if (threads > 1) {
        size_t items = channels * s->bands;
        s->tasks = items < 8 * threads ? items : 8 * threads;
    }
    return ONNXMINI_OK;
}

/* What every task of one convolution shares. */
typedef struct depthwise_job {
    const om_run_ctx *ctx;
    const conv_state *s;
    plane_geometry g;
    const float *x;                   /* [N, C, H, W] */
    const float *w;                   /* [M, 1, kh, kw] */
    const float *b;                   /* [M] or NULL */
    float *y;                         /* [N, M, OH, OW] */
    int has_bias;
    size_t items;                     /* N * C * bands */
} depthwise_job;

/* Output channel m's bias: B's plus a folded Add's, as the GEMM path
 * packs it. Without either it is -0, which leaves every sum unchanged
 * (+0 + -0 is +0). */
static float channel_bias(const depthwise_job *job, size_t m)
{
    const conv_state *s = job->s;
    float v;

    if (!job->has_bias)
        return -0.0f;
    v = job->b ? job->b[m] : 0.0f;
    if (s->fused_bias)
        v += s->fused_bias[s->fused_bias_count == 1 ? 0 : m];
    return v;
}

/* Copies the input rows that output rows [r0, r0 + rows) read from one
 * input plane into the band: band row t is input row r0 * stride_h -
 * pad_top + t, from column -pad_left on. The padding is written as zeros
 * only when `zeros` is set. It sits in the same places for every band of
 * the same index, so a buffer that held such a band keeps it. */
static void fill_band(const conv_state *s, const plane_geometry *g,
                      const float *restrict plane, size_t r0, size_t rows,
                      int zeros, float *restrict band)
{
    size_t width = s->band_width, t, in_rows = band_in_rows(g, rows);
    int64_t top = (int64_t)(r0 * g->stride_h) - g->pad_top;
    /* Columns [left, left + copy) of each band row hold input columns
     * [0, copy). Pads are never negative: om_window_check rejects them. */
    size_t left = (uint64_t)g->pad_left < width ? (size_t)g->pad_left : width;
    size_t copy = g->in_w < width - left ? g->in_w : width - left;

    for (t = 0; t < in_rows; t++, band += width) {
        int64_t ih = top + (int64_t)t;
        const float *restrict src;
        size_t i;

        if (ih < 0 || ih >= (int64_t)g->in_h) {
            for (i = 0; zeros && i < width; i++)
                band[i] = 0.0f;
            continue;
        }
        src = plane + (size_t)ih * g->in_w;
        for (i = 0; zeros && i < left; i++)
            band[i] = 0.0f;
        for (i = 0; i < copy; i++)
            band[left + i] = src[i];
        for (i = left + copy; zeros && i < width; i++)
            band[i] = 0.0f;
    }
}

/* Band `band_index` of input channel `channel` of image `image`: the
 * padded input rows, then every output channel that reads them.
 * *zeros_of is the index of the band whose padding the buffer holds. */
static void depthwise_band(const depthwise_job *job, size_t image,
                           size_t channel, size_t band_index, float *band,
                           size_t *zeros_of)
{
    const conv_state *s = job->s;
    const plane_geometry *g = &job->g;
    const om_kernels *kt = job->ctx->kernels;
    size_t r0 = band_index * s->band_out_rows;
    size_t rows = g->out_h - r0 < s->band_out_rows ? g->out_h - r0
                                                   : s->band_out_rows;
    size_t width = s->band_width, j, t;
    om_depthwise_params p;

    fill_band(s, g, job->x + (image * s->group + channel) * s->in_size, r0,
              rows, *zeros_of != band_index, band);
    *zeros_of = band_index;

    p.kernel_h = g->kernel_h;
    p.kernel_w = g->kernel_w;
    p.row_stride = g->dilation_h * width;
    p.stride = g->stride_w;
    p.dilation = g->dilation_w;
    p.width = g->out_w;
    p.lo = s->lo;
    p.hi = s->hi;
    for (j = 0; j < s->out_channels; j++) {
        size_t m = channel * s->out_channels + j;
        float *y = job->y + (image * s->group * s->out_channels + m) *
                                s->out_size +
                   r0 * g->out_w;

        p.weights = job->w + m * s->kernel_size;
        p.bias = channel_bias(job, m);
        if (s->flat_band) {
            /* The band as one long row; the kernel drops the columns
             * past OW. */
            p.pitch = width;
            kt->f32_depthwise_conv_rows(flat_outputs(s, g, rows), band, &p,
                                        y);
            continue;
        }
        p.pitch = g->out_w;
        for (t = 0; t < rows; t++)
            kt->f32_depthwise_conv_rows(g->out_w,
                                        band + t * g->stride_h * width, &p,
                                        y + t * g->out_w);
    }
}

/* Task t runs items [t * items / tasks, (t + 1) * items / tasks), where
 * item i is band i % bands of the input plane i / bands. */
static void depthwise_task(void *arg, size_t t, int thread)
{
    const depthwise_job *job = arg;
    const conv_state *s = job->s;
    float *band = (float *)(void *)((unsigned char *)job->ctx->scratch +
                                    (size_t)thread * s->slice_bytes);
    size_t begin = t * job->items / s->tasks;
    size_t end = (t + 1) * job->items / s->tasks, i;
    size_t zeros_of = SIZE_MAX;       /* no padding written yet */

    for (i = begin; i < end; i++) {
        size_t plane = i / s->bands;
        depthwise_band(job, plane / s->group, plane % s->group, i % s->bands,
                       band, &zeros_of);
    }
}

void om_conv_depthwise_run_f32(const om_run_ctx *ctx, const conv_state *s)
{
    depthwise_job job;

    job.ctx = ctx;
    job.s = s;
    job.g = geometry(&s->win);
    job.x = ctx->in[0]->data;
    job.w = ctx->in[1]->data;
    job.b = ctx->n_in > 2 && ctx->in[2] ? ctx->in[2]->data : NULL;
    job.y = ctx->out[0]->data;
    job.has_bias = job.b || s->fused_bias;
    job.items = s->batch * s->group * s->bands;
    om_pool_run(ctx->pool, s->tasks, depthwise_task, &job);
}
