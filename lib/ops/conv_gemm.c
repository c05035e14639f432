/*
 * conv_gemm.c - float convolution lowered to the kernel table's GEMM.
 *
 * For each group, Y [M/g, O1*..*On] = A [M/g, K] * B [K, O1*..*On] with
 * K = C/g * k1*..*kn and A the weights, packed once per plan when they are
 * constant. B is never built whole:
 *
 *   - Shifted rows (2-D, stride 1): the input is copied into a zero-padded
 *     band of rows, and row (c, kh, kw) of B is that band read from offset
 *     c * plane + kh * dh * Wp + kw * dw. Output row oh, column ow is then
 *     column oh * Wp + ow of the product, so the GEMM runs straight over
 *     the padded band; the Wp - OW columns per row that fall in the
 *     padding are computed and dropped. A row's right padding and the next
 *     row's left padding are the same zeros, so Wp is W + max(left, right)
 *     and few columns are dropped.
 *   - im2col (any other case): a chunk of output columns at a time is
 *     gathered into packed panels.
 *
 * Bands and chunks are sized so that the part of B in use stays near
 * 256 KiB, within the L2 cache, or 1 MiB for deep products.
 */
#include <string.h>

#include "ops/conv.h"

/* Floats of B to keep in use at once: 256 KiB, and of a band of input
 * rows: 512 KiB. Both stay within a 1 MiB L2 cache. */
#define TILE_FLOATS ((size_t)64 * 1024)
#define BAND_FLOATS ((size_t)128 * 1024)

static size_t align_up(size_t n)
{
    return (n + OM_ALIGNMENT - 1) / OM_ALIGNMENT * OM_ALIGNMENT;
}

/* a * b, or SIZE_MAX when it overflows. */
static size_t mul(size_t a, size_t b)
{
    return b && a > SIZE_MAX / b ? SIZE_MAX : a * b;
}

/* Layout of the weights block: packed A of every group, the bias of every
 * output channel, the k row offsets of B in the band (shifted rows) and
 * those of packed B panels. */
typedef struct weights_layout {
    size_t a_group_bytes;             /* packed A of one group, or its
                                       * transpose as packed B panels */
    size_t bias_at;
    size_t rows_at;                   /* shifted rows: offsets in the band */
    size_t panel_rows_at;             /* p * nr */
    size_t total;
} weights_layout;

static weights_layout layout(const conv_state *s, const om_kernels *kt)
{
    weights_layout l;
    l.a_group_bytes =
        s->transposed
            ? align_up(om_packed_b_bytes(s->k, s->out_channels, kt->gemm_nr))
            : align_up(om_packed_a_bytes(s->out_channels, s->k, kt->gemm_mr));
    l.bias_at = l.a_group_bytes * s->group;
    l.rows_at = l.bias_at + align_up(s->group * s->out_channels * sizeof(float));
    l.panel_rows_at = l.rows_at + align_up(s->k * sizeof(size_t));
    l.total = l.panel_rows_at + align_up(s->k * sizeof(size_t));
    return l;
}

/* n rounded up to a multiple of `to`, or SIZE_MAX when n is. */
static size_t round_up(size_t n, size_t to)
{
    return n == SIZE_MAX ? SIZE_MAX : (n + to - 1) / to * to;
}

/* Columns of a flattened band of `rows` output rows. */
static size_t band_columns(const conv_state *s, size_t rows)
{
    return mul(rows, s->padded_w);
}

/* Columns the GEMM computes for `rows` output rows without segments: one
 * GEMM per row, or the band read as one long row. */
static size_t plain_columns(const conv_state *s, const om_kernels *kt,
                            size_t rows)
{
    size_t nr = kt->gemm_nr;

    if (s->per_row)
        return mul(rows, round_up((size_t)s->win.out[1], nr));
    return round_up(band_columns(s, rows), nr);
}

/* Segments that cover `rows` output rows, padded to whole tiles. */
static size_t segment_count(const conv_state *s, const om_kernels *kt,
                            size_t rows)
{
    size_t seg = kt->gemm_segment, per_tile = kt->gemm_nr / seg;
    size_t per_row = round_up((size_t)s->win.out[1], seg) / seg;

    return round_up(mul(rows, per_row), per_tile);
}

/* Whether f32_gemm_segments computes fewer columns for a band than the
 * chosen layout, or as many without the copy of a flattened band's kept
 * columns. Segments skip the padding columns, and each output row wastes
 * only the lanes of its last vector: none when the row width is a
 * multiple of the vector, as for 16 x 16 images. */
static int segments_compute_less(const conv_state *s, const om_kernels *kt)
{
    size_t rows = s->band_rows, current, segmented;

    if (kt->gemm_segment == 0 || !kt->f32_gemm_segments)
        return 0;
    segmented = mul(segment_count(s, kt, rows), kt->gemm_segment);
    current = plain_columns(s, kt, rows);
    if (segmented < current)
        return 1;
    return segmented == current && !s->per_row &&
           s->padded_w != (size_t)s->win.out[1];
}

/* Floats of A' in transposed mode: a full band's columns as rows, in
 * blocks of gemm_mr, by K. */
static size_t swapped_a_floats(const conv_state *s, const om_kernels *kt)
{
    return mul(round_up(band_columns(s, s->band_rows), kt->gemm_mr), s->k);
}

/* Bytes after the band in transposed mode: A' and the product C'
 * [columns][M]. */
static size_t transposed_bytes(const conv_state *s, const om_kernels *kt)
{
    size_t cols = round_up(band_columns(s, s->band_rows), kt->gemm_mr);
    size_t a = mul(swapped_a_floats(s, kt), sizeof(float));
    size_t c = mul(mul(cols, s->out_channels), sizeof(float));

    if (a == SIZE_MAX || c == SIZE_MAX)
        return SIZE_MAX;
    return align_up(a) + align_up(c);
}

/* Whether to swap the GEMM's operands: C' [columns x M] = A' [columns x
 * K] * W^T, with the band's columns as rows of A' and the weights as
 * packed B panels. Small feature maps with many channels (7 x 7, 512
 * channels in ResNet-18) round their few columns up to whole tiles of
 * gemm_nr, but only up to gemm_mr as rows, while their channels fill the
 * panels. The swap costs a copy of the band into A' and a transpose of
 * C', which a short K does not repay. Measured on an AMD Zen 4 with
 * AVX-512, one thread: 7 x 7 maps (12.5 % fewer products) ran 5 to 10 %
 * faster from K = 160 on, while 14 x 14 maps (10.7 % fewer) ran between
 * 2 % faster and 13 % slower (K = 64). So the swap must save 12 % of the
 * products, K must be 128 or more, and A' is kept to 2 MiB. */
static int transposed_computes_less(const conv_state *s, const om_kernels *kt)
{
    size_t rows = s->band_rows, m = s->out_channels, current, swapped;

    if (band_columns(s, rows) == SIZE_MAX || s->k < 128 || m == 0)
        return 0;
    current = s->segments
                  ? mul(segment_count(s, kt, rows), kt->gemm_segment)
                  : plain_columns(s, kt, rows);
    current = mul(round_up(m, kt->gemm_mr), current);
    swapped = mul(round_up(band_columns(s, rows), kt->gemm_mr),
                  round_up(m, kt->gemm_nr));
    if (current == SIZE_MAX || swapped == SIZE_MAX)
        return 0;
    return swapped <= current / 100 * 88 &&
           mul(swapped_a_floats(s, kt), sizeof(float)) <= ((size_t)2 << 20);
}

onnxmini_status om_conv_plan_f32(om_infer_ctx *ctx, conv_state *s)
{
    const om_tensor *w = ctx->in[1];
    const om_tensor *b = ctx->n_in > 2 ? ctx->in[2] : NULL;
    const om_window *win = &s->win;
    size_t nr = ctx->kernels->gemm_nr, scratch = 0;

    s->transposed = 0;
    s->weights_packed = w->is_constant && (!b || b->is_constant);

    s->shifted_rows =
        win->n == 2 && win->stride[0] == 1 && win->stride[1] == 1;
    if (s->shifted_rows) {
        int64_t side = win->pad_begin[1] > win->pad_end[1] ? win->pad_begin[1]
                                                           : win->pad_end[1];
        /* A row holds at least one output row: pads wider than the
         * kernel make the output wider than the input plus one pad. */
        size_t pw = (size_t)(win->in[1] + side) > (size_t)win->out[1]
                        ? (size_t)(win->in[1] + side)
                        : (size_t)win->out[1];
        /* The kernel's extra input rows, plus one zero row that the last
         * row's right padding runs into. */
        size_t extra = (size_t)((win->kernel[0] - 1) * win->dilation[0]) + 1;
        size_t tail = (size_t)((win->kernel[1] - 1) * win->dilation[1]) + nr;
        size_t per_row = mul(s->in_channels, pw), band = 1;
        size_t out_rows = (size_t)win->out[0], band_floats, ytmp = 0;

        /* As many output rows per band as keep the band near the tile,
         * and at least one band per thread when the images and groups
         * alone cannot keep the threads busy. */
        if (per_row && per_row != SIZE_MAX && BAND_FLOATS / per_row > extra)
            band = BAND_FLOATS / per_row - extra;
        if (band > out_rows)
            band = out_rows ? out_rows : 1;
        if (s->batch * s->group < (size_t)ctx->threads && out_rows) {
            size_t share = (out_rows + (size_t)ctx->threads - 1) /
                           (size_t)ctx->threads;
            if (band > share)
                band = share;
        }
        s->padded_w = pw;
        s->band_rows = band;
        s->band_plane = mul(band + extra, pw);
        band_floats = mul(s->in_channels, s->band_plane);
        if (band_floats != SIZE_MAX)
            band_floats += tail;
        /* Wide rows get a GEMM each, straight into the output; narrow
         * ones are computed as one flattened band and then compacted, or
         * as runs of vectors where the table has f32_gemm_segments. With
         * the tables that lack it, a B read by more than 64 rows of A is
         * packed first, so that the micro-kernel's loads are aligned and
         * sequential. Below that, the copy cost more than it saved
         * (measured on AVX-512, AVX2 and SSE2 with 32 and 64 output
         * channels on an Intel Xeon). The tables with segments read the
         * band faster unpacked at any channel count: on an AMD Zen 4,
         * packing made ResNet-18 3 % slower on both, and a 64->128
         * Conv3x3 at 112x112 11 % slower with AVX-512. */
        {
            /* Per row when whole rows fill the tiles to at least 7/8. */
            size_t ow = (size_t)win->out[1], tiles = (ow + nr - 1) / nr * nr;
            s->per_row = ow >= nr && (tiles - ow) * 8 <= ow;
        }
        s->pack_panels = s->out_channels > 64 && !ctx->kernels->gemm_segment;
        s->segments = !s->pack_panels && segments_compute_less(s, ctx->kernels);
        s->transposed = transposed_computes_less(s, ctx->kernels);
        if (s->transposed) {
            s->segments = 0;
            s->pack_panels = 0;
        }
        /* After the band: the segment list, or the product of a
         * flattened band before its kept columns are copied out, or the
         * transposed operands and product. */
        if (s->transposed)
            ytmp = transposed_bytes(s, ctx->kernels);
        else if (s->segments)
            ytmp = mul(segment_count(s, ctx->kernels, band),
                       sizeof(om_gemm_segment));
        else if (pw != (size_t)win->out[1] && !s->per_row)
            ytmp = mul(mul(s->out_channels, band), mul(pw, sizeof(float)));
        scratch = mul(band_floats, sizeof(float));
        if (scratch != SIZE_MAX && ytmp != SIZE_MAX)
            scratch = align_up(scratch) + align_up(ytmp);
        else
            scratch = SIZE_MAX;
    }

    /* Both ways run the GEMM over packed panels of B, a chunk of columns
     * at a time: aligned, sequential loads for the micro-kernel. */
    {
        /* k is 0 for a convolution of no input channels, whose output is
         * its bias. Deep products (k of 1024 or more) have weights of
         * megabytes that come from memory on every pass over them, so
         * they take chunks of up to 1 MiB of B and fewer passes. */
        size_t chunk = (s->k >= 1024 ? TILE_FLOATS * 4 : TILE_FLOATS / 2) /
                       (s->k ? s->k : 1) / nr * nr;
        size_t cols = s->shifted_rows ? s->band_rows * s->padded_w : s->out_size;
        size_t all = (cols + nr - 1) / nr * nr;
        size_t panels;
        if (chunk < nr)
            chunk = nr;
        if (chunk > all)
            chunk = all ? all : nr;
        if (!s->shifted_rows && s->batch * s->group < (size_t)ctx->threads) {
            size_t share = ((s->out_size + (size_t)ctx->threads - 1) /
                                (size_t)ctx->threads +
                            nr - 1) /
                           nr * nr;
            if (chunk > share)
                chunk = share ? share : nr;
        }
        s->chunk = chunk;
        panels = mul(mul(s->k, chunk), sizeof(float));
        if (scratch == SIZE_MAX || panels == SIZE_MAX)
            scratch = SIZE_MAX;
        else if (!s->shifted_rows)
            scratch = panels;
        else if (s->pack_panels)
            scratch += align_up(panels);
    }
    if (scratch == SIZE_MAX || scratch > SIZE_MAX / 2)
        return om_node_fail(ctx->err, ctx->node, ONNXMINI_ERR_LIMIT,
                            "the convolution's working memory would be too "
                            "large");
    s->weights_bytes = layout(s, ctx->kernels).total;

    /* Each thread has its own slice of scratch; weights the session cannot
     * pack once are packed per run, before the slices. */
    s->units = s->shifted_rows
                   ? ((size_t)win->out[0] + s->band_rows - 1) / s->band_rows
                   : (s->out_size + s->chunk - 1) / s->chunk;
    if (s->units == 0)
        s->units = 1;
    s->slice_bytes = align_up(scratch);
    scratch = mul(s->slice_bytes, (size_t)ctx->threads);
    if (scratch == SIZE_MAX || scratch > SIZE_MAX / 2)
        return om_node_fail(ctx->err, ctx->node, ONNXMINI_ERR_LIMIT,
                            "the convolution's working memory would be too "
                            "large");
    if (s->weights_packed)
        ctx->packed_bytes = s->weights_bytes;
    else
        scratch += s->weights_bytes;
    ctx->scratch_bytes = scratch;
    return ONNXMINI_OK;
}

void om_conv_pack_f32(const om_run_ctx *ctx, const conv_state *s, void *mem)
{
    const om_kernels *kt = ctx->kernels;
    weights_layout l = layout(s, kt);
    const float *w = ctx->in[1]->data;
    const float *b = ctx->n_in > 2 && ctx->in[2] ? ctx->in[2]->data : NULL;
    unsigned char *base = mem;
    float *bias = (float *)(base + l.bias_at);
    size_t *rows = (size_t *)(base + l.rows_at);
    size_t mg = s->out_channels, g, m, p;

    om_packed_b_rows(s->k, kt->gemm_nr, (size_t *)(base + l.panel_rows_at));

    /* A: the weights of each group, [M/g][K] row-major, packed. In
     * transposed mode, their transpose [K][M/g] as B panels instead. */
    for (g = 0; g < s->group; g++)
        if (s->transposed)
            om_pack_b_strided(s->k, mg, w + g * mg * s->k, 1, s->k,
                              kt->gemm_nr,
                              (float *)(base + g * l.a_group_bytes));
        else
            om_pack_a(mg, s->k, w + g * mg * s->k, s->k, kt->gemm_mr,
                      (float *)(base + g * l.a_group_bytes));

    /* One bias per output channel: B's plus a folded Add's. */
    for (m = 0; m < s->group * mg; m++) {
        float v = b ? b[m] : 0.0f;
        if (s->fused_bias)
            v += s->fused_bias[s->fused_bias_count == 1 ? 0 : m];
        bias[m] = v;
    }

    /* Where row p = (c, kernel offset) of B starts. */
    if (s->shifted_rows) {
        const om_window *win = &s->win;
        size_t kh, kw, c;
        p = 0;
        for (c = 0; c < s->in_channels; c++)
            for (kh = 0; kh < (size_t)win->kernel[0]; kh++)
                for (kw = 0; kw < (size_t)win->kernel[1]; kw++)
                    rows[p++] = c * s->band_plane +
                                kh * (size_t)win->dilation[0] * s->padded_w +
                                kw * (size_t)win->dilation[1];
    }
}

/* Copies output rows [r0, r0 + rows_out) of one group's input, with the
 * rows and columns the kernel needs around them, into the zero-padded
 * band. */
static void fill_band(const conv_state *s, const float *x, size_t r0,
                      size_t rows_out, float *band, size_t tail)
{
    const om_window *win = &s->win;
    size_t h = (size_t)win->in[0], w = (size_t)win->in[1];
    size_t pl = (size_t)win->pad_begin[1], pw = s->padded_w;
    size_t rows_in = rows_out + (size_t)((win->kernel[0] - 1) * win->dilation[0]);
    size_t c, t, i;

    for (c = 0; c < s->in_channels; c++) {
        const float *plane = x + c * s->in_size;
        float *dst = band + c * s->band_plane;
        int64_t first = (int64_t)r0 - win->pad_begin[0];

        /* Without padding the band rows are the input rows: one copy. */
        if (pw == w && first >= 0 && first + (int64_t)rows_in <= (int64_t)h) {
            memcpy(dst, plane + (size_t)first * w, rows_in * w * sizeof(float));
            for (i = rows_in * pw; i < s->band_plane; i++)
                dst[i] = 0.0f;
            continue;
        }
        for (t = 0; t < rows_in; t++, dst += pw) {
            int64_t ih = (int64_t)(r0 + t) - win->pad_begin[0];
            const float *src;
            if (ih < 0 || ih >= (int64_t)h) {
                for (i = 0; i < pw; i++)
                    dst[i] = 0.0f;
                continue;
            }
            src = plane + (size_t)ih * w;
            /* Short rows: plain loops beat library calls here. */
            for (i = 0; i < pl; i++)
                dst[i] = 0.0f;
            for (i = 0; i < w; i++)
                dst[pl + i] = src[i];
            for (i = pl + w; i < pw; i++)
                dst[i] = 0.0f;
        }
        /* The rest of the plane: at least the zero row that the last row's
         * right padding runs into. */
        for (i = rows_in * pw; i < s->band_plane; i++)
            band[c * s->band_plane + i] = 0.0f;
    }
    /* The last tile of the last channel reads up to `tail` floats past
     * the band; they only feed dropped columns, but must be initialised. */
    memset(band + s->in_channels * s->band_plane, 0, tail * sizeof(float));
}

/* The GEMM over band columns [0, cols), a chunk of panels at a time. */
static void gemm_band(const om_run_ctx *ctx, const conv_state *s,
                      const float *a, const float *band, const size_t *rows,
                      const size_t *panel_rows, float *panels, size_t cols,
                      float *c, size_t ldc, const om_gemm_epilogue *ep)
{
    const om_kernels *kt = ctx->kernels;
    size_t j0;

    if (!s->pack_panels) {
        kt->f32_gemm(s->out_channels, cols, s->k, a, band, rows, kt->gemm_nr,
                     c, ldc, ep);
        return;
    }
    for (j0 = 0; j0 < cols; j0 += s->chunk) {
        size_t n = cols - j0 < s->chunk ? cols - j0 : s->chunk;
        om_pack_b_shifted(s->k, n, band + j0, rows, kt->gemm_nr, panels);
        kt->f32_gemm(s->out_channels, n, s->k, a, panels, panel_rows,
                     s->k * kt->gemm_nr, c + j0, ldc, ep);
    }
}

/* The band's product with the operands swapped (see
 * transposed_computes_less): A' packed from the band, one GEMM per panel
 * of output channels with the bias per column, then C' transposed into
 * the output rows, without the padding columns. */
static void transposed_band(const om_run_ctx *ctx, const conv_state *s,
                            const float *band, float *y, const float *w_panels,
                            const size_t *rows, const size_t *panel_rows,
                            const om_gemm_epilogue *ep, unsigned char *after,
                            size_t rows_out)
{
    const om_kernels *kt = ctx->kernels;
    size_t mr = kt->gemm_mr, nr = kt->gemm_nr, mg = s->out_channels;
    size_t out_w = (size_t)s->win.out[1], pw = s->padded_w;
    size_t cols = rows_out * pw, j0, t, ow, m, m0;
    size_t a_bytes = align_up(swapped_a_floats(s, kt) * sizeof(float));
    float *a_swapped = (float *)(void *)after;
    float *product = (float *)(void *)(after + a_bytes);

    om_pack_b_shifted(s->k, cols, band, rows, mr, a_swapped);
    for (j0 = 0; j0 < mg; j0 += nr) {
        om_gemm_epilogue panel = *ep;
        panel.bias_n = ep->bias_m ? ep->bias_m + j0 : NULL;
        panel.bias_m = NULL;
        kt->f32_gemm(cols, mg - j0 < nr ? mg - j0 : nr, s->k, a_swapped,
                     w_panels + j0 / nr * s->k * nr, panel_rows, s->k * nr,
                     product + j0, mg, &panel);
    }
    /* Sixteen channels at a time: 64 contiguous bytes of each row of C'
     * go to sixteen output rows that stay in L1. */
    for (m0 = 0; m0 < mg; m0 += 16) {
        size_t block = mg - m0 < 16 ? mg - m0 : 16;
        for (t = 0; t < rows_out; t++)
            for (ow = 0; ow < out_w; ow++) {
                const float *from = product + (t * pw + ow) * mg + m0;
                float *to = y + m0 * s->out_size + t * out_w + ow;
                for (m = 0; m < block; m++)
                    to[m * s->out_size] = from[m];
            }
    }
}

/* Output rows [r0, r0 + band_rows) of one image and group. */
static void shifted_band(const om_run_ctx *ctx, const conv_state *s,
                         const float *x, float *y, const float *a,
                         const size_t *rows, const size_t *panel_rows,
                         const om_gemm_epilogue *ep, unsigned char *scratch,
                         size_t r0)
{
    const om_window *win = &s->win;
    size_t nr = ctx->kernels->gemm_nr;
    size_t out_h = (size_t)win->out[0], out_w = (size_t)win->out[1];
    size_t pw = s->padded_w, mg = s->out_channels;
    size_t tail = (size_t)((win->kernel[1] - 1) * win->dilation[1]) + nr;
    float *band = (float *)scratch;
    size_t band_bytes =
        align_up((s->in_channels * s->band_plane + tail) * sizeof(float));
    size_t ytmp_bytes = pw == out_w || s->per_row || s->segments
                            ? 0
                            : align_up(mg * s->band_rows * pw * sizeof(float));
    float *ytmp = (float *)(scratch + band_bytes);
    float *panels = (float *)(scratch + band_bytes + ytmp_bytes);
    size_t rows_out = out_h - r0 < s->band_rows ? out_h - r0 : s->band_rows;
    size_t cols = rows_out * pw, m, t;

    fill_band(s, x, r0, rows_out, band, tail);
    if (s->transposed) {
        transposed_band(ctx, s, band, y + r0 * out_w, a, rows, panel_rows, ep,
                        scratch + band_bytes, rows_out);
        return;
    }
    if (s->segments) {
        const om_kernels *kt = ctx->kernels;
        om_gemm_segment *segs =
            (om_gemm_segment *)(void *)(scratch + band_bytes);
        size_t seg = kt->gemm_segment, count = 0, c0;
        size_t total = segment_count(s, kt, rows_out);

        for (t = 0; t < rows_out; t++)
            for (c0 = 0; c0 < out_w; c0 += seg, count++) {
                segs[count].b_offset = t * pw + c0;
                segs[count].c_offset = t * out_w + c0;
                segs[count].count = out_w - c0 < seg ? out_w - c0 : seg;
            }
        /* The last tile's unused segments read the last one's columns
         * again and store nothing. */
        for (; count < total; count++) {
            segs[count] = segs[count - 1];
            segs[count].count = 0;
        }
        kt->f32_gemm_segments(mg, total, s->k, a, band, rows, segs,
                              y + r0 * out_w, s->out_size, ep);
        return;
    }
    if (s->per_row) {
        for (t = 0; t < rows_out; t++)
            gemm_band(ctx, s, a, band + t * pw, rows, panel_rows, panels,
                      out_w, y + (r0 + t) * out_w, s->out_size, ep);
        return;
    }
    if (pw == out_w) {
        /* No horizontal padding: the product is the output itself. */
        gemm_band(ctx, s, a, band, rows, panel_rows, panels, cols,
                  y + r0 * out_w, s->out_size, ep);
        return;
    }
    gemm_band(ctx, s, a, band, rows, panel_rows, panels, cols, ytmp, cols, ep);
    for (m = 0; m < mg; m++)
        for (t = 0; t < rows_out; t++) {
            const float *src = ytmp + m * cols + t * pw;
            float *dst = y + m * s->out_size + (r0 + t) * out_w;
            size_t i;
            for (i = 0; i < out_w; i++)
                dst[i] = src[i];
        }
}

/* Gathers output columns [j0, j0 + cols) of one group's im2col matrix into
 * panels of nr columns: row p = (c, kernel offset), padding read as 0. */
static void pack_columns(const conv_state *s, const float *x, size_t j0,
                         size_t cols, size_t nr, float *out)
{
    const om_window *w = &s->win;
    int n = w->n, d;
    size_t c, kp;

    for (c = 0; c < s->in_channels; c++) {
        const float *plane = x + c * s->in_size;
        for (kp = 0; kp < s->kernel_size; kp++) {
            int64_t base[OM_MAX_SPATIAL], oidx[OM_MAX_SPATIAL];
            size_t rest = kp, lane = 0, t;
            float *dst = out + (c * s->kernel_size + kp) * nr;

            /* The kernel offset of this row, then the first column's
             * output position; the last axis varies fastest. */
            for (d = n - 1; d >= 0; d--) {
                base[d] = (int64_t)(rest % (size_t)w->kernel[d]) *
                              w->dilation[d] -
                          w->pad_begin[d];
                rest /= (size_t)w->kernel[d];
            }
            rest = j0;
            for (d = n - 1; d >= 0; d--) {
                oidx[d] = (int64_t)(rest % (size_t)w->out[d]);
                rest /= (size_t)w->out[d];
            }

            for (t = 0; t < cols; t++) {
                int64_t offset = 0;
                int inside = 1;
                for (d = 0; d < n; d++) {
                    int64_t i = oidx[d] * w->stride[d] + base[d];
                    if (i < 0 || i >= w->in[d])
                        inside = 0;
                    offset = offset * w->in[d] + i;
                }
                dst[lane] = inside ? plane[offset] : 0.0f;
                if (++lane == nr) {
                    lane = 0;
                    dst += s->k * nr;
                }
                for (d = n - 1; d >= 0; d--) {
                    if (++oidx[d] < w->out[d])
                        break;
                    oidx[d] = 0;
                }
            }
            while (lane && lane < nr)
                dst[lane++] = 0.0f;
        }
    }
}

/* The first output column whose input column o * stride + offset falls in
 * [0, width), and the end of that run, both clipped to [0, out). */
static void inside_columns(int64_t offset, int64_t stride, int64_t width,
                           int64_t out, int64_t *lo, int64_t *hi)
{
    int64_t a = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
    int64_t b = width - 1 - offset >= 0 ? (width - 1 - offset) / stride + 1 : 0;

    *lo = a < out ? a : out;
    *hi = b < out ? b : out;
    if (*hi < *lo)
        *hi = *lo;
}

/* pack_columns() for 2-D windows: the same panels, built a run of output
 * columns at a time. Within one output row and one kernel offset, the
 * input columns read are evenly spaced, and the ones in the padding form
 * a run at each end, so each run is zeros, a strided copy and zeros. */
static void pack_columns_2d(const om_kernels *kt, const conv_state *s,
                            const float *x, size_t j0, size_t cols, size_t nr,
                            float *out)
{
    const om_window *w = &s->win;
    const int64_t out_w = w->out[1], in_h = w->in[0], in_w = w->in[1];
    const int64_t sh = w->stride[0], sw = w->stride[1];
    size_t c, kh, kw, kernel_h = (size_t)w->kernel[0];
    size_t kernel_w = (size_t)w->kernel[1], panel = s->k * nr;

    for (c = 0; c < s->in_channels; c++) {
        const float *plane = x + c * s->in_size;
        for (kh = 0; kh < kernel_h; kh++) {
            int64_t h_off = (int64_t)kh * w->dilation[0] - w->pad_begin[0];
            for (kw = 0; kw < kernel_w; kw++) {
                int64_t w_off = (int64_t)kw * w->dilation[1] - w->pad_begin[1];
                size_t p = (c * kernel_h + kh) * kernel_w + kw, t = 0;
                float *row = out + p * nr;
                int64_t lo, hi, oh = (int64_t)(j0 / (size_t)out_w);
                int64_t ow = (int64_t)(j0 % (size_t)out_w);

                inside_columns(w_off, sw, in_w, out_w, &lo, &hi);
                while (t < cols) {
                    int64_t ih = oh * sh + h_off, end = out_w;
                    const float *src =
                        ih >= 0 && ih < in_h ? plane + ih * in_w : NULL;
                    if ((size_t)(end - ow) > cols - t)
                        end = ow + (int64_t)(cols - t);
                    /* Columns [ow, end) of output row oh, cut where they
                     * cross into the next panel. */
                    while (ow < end) {
                        size_t lane = t % nr;
                        int64_t stop = ow + (int64_t)(nr - lane), i;
                        float *dst = row + t / nr * panel + lane;
                        if (stop > end)
                            stop = end;
                        t += (size_t)(stop - ow);
                        if (!src) {
                            for (i = ow; i < stop; i++)
                                dst[i - ow] = 0.0f;
                            ow = stop;
                            continue;
                        }
                        for (i = ow; i < stop && i < lo; i++)
                            dst[i - ow] = 0.0f;
                        if (i < stop && i < hi) {
                            int64_t copy_end = stop < hi ? stop : hi;
                            kt->f32_copy_strided((size_t)(copy_end - i),
                                                 src + i * sw + w_off,
                                                 (size_t)sw, dst + (i - ow));
                            i = copy_end;
                        }
                        for (; i < stop; i++)
                            dst[i - ow] = 0.0f;
                        ow = stop;
                    }
                    oh++;
                    ow = 0;
                }
                /* Lanes past the last column of the last panel. */
                if (t % nr) {
                    float *dst = row + t / nr * panel;
                    size_t lane;
                    for (lane = t % nr; lane < nr; lane++)
                        dst[lane] = 0.0f;
                }
            }
        }
    }
}

/* Output columns [j0, j0 + chunk) of one image and group. */
static void im2col_chunk(const om_run_ctx *ctx, const conv_state *s,
                         const float *x, float *y, const float *a,
                         const size_t *rows, const om_gemm_epilogue *ep,
                         unsigned char *scratch, size_t j0)
{
    size_t nr = ctx->kernels->gemm_nr;
    size_t cols = s->out_size - j0 < s->chunk ? s->out_size - j0 : s->chunk;
    float *panels = (float *)scratch;

    if (s->win.n == 2)
        pack_columns_2d(ctx->kernels, s, x, j0, cols, nr, panels);
    else
        pack_columns(s, x, j0, cols, nr, panels);
    ctx->kernels->f32_gemm(s->out_channels, cols, s->k, a, panels, rows,
                           s->k * nr, y + j0, s->out_size, ep);
}

/* What every task of one convolution shares. */
typedef struct conv_job {
    const om_run_ctx *ctx;
    const conv_state *s;
    weights_layout l;
    const unsigned char *weights;
    unsigned char *slices;            /* thread i's scratch at i * slice */
    int has_bias;
} conv_job;

/* Task t is band or chunk t % units of image and group t / units; every
 * task writes its own part of Y, so any thread may run it. */
static void conv_task(void *arg, size_t t, int thread)
{
    const conv_job *job = arg;
    const om_run_ctx *ctx = job->ctx;
    const conv_state *s = job->s;
    size_t unit = t % s->units, ng = t / s->units;
    size_t n = ng / s->group, g = ng % s->group, mg = s->out_channels;
    const float *x = ctx->in[0]->data;
    const float *xg = x + (n * s->group + g) * s->in_channels * s->in_size;
    float *yg = (float *)ctx->out[0]->data +
                (n * s->group + g) * mg * s->out_size;
    const float *a = (const float *)(job->weights + g * job->l.a_group_bytes);
    const float *bias = (const float *)(job->weights + job->l.bias_at);
    unsigned char *scratch = job->slices + (size_t)thread * s->slice_bytes;
    om_gemm_epilogue ep;

    ep.bias_m = job->has_bias ? bias + g * mg : NULL;
    ep.bias_n = NULL;
    ep.lo = s->lo;
    ep.hi = s->hi;
    if (s->shifted_rows)
        shifted_band(ctx, s, xg, yg, a,
                     (const size_t *)(job->weights + job->l.rows_at),
                     (const size_t *)(job->weights + job->l.panel_rows_at),
                     &ep, scratch, unit * s->band_rows);
    else
        im2col_chunk(ctx, s, xg, yg, a,
                     (const size_t *)(job->weights + job->l.panel_rows_at),
                     &ep, scratch, unit * s->chunk);
}

void om_conv_run_f32(const om_run_ctx *ctx, const conv_state *s)
{
    conv_job job;

    job.ctx = ctx;
    job.s = s;
    job.l = layout(s, ctx->kernels);
    job.weights = ctx->packed;
    job.slices = ctx->scratch;
    job.has_bias = (ctx->n_in > 2 && ctx->in[2]) || s->fused_bias;
    if (!s->weights_packed) {
        om_conv_pack_f32(ctx, s, ctx->scratch);
        job.weights = ctx->scratch;
        job.slices = (unsigned char *)ctx->scratch + s->weights_bytes;
    }
    om_pool_run(ctx->pool, s->batch * s->group * s->units, conv_task, &job);
}
