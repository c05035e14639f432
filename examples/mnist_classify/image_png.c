/*
 * image_png.c - PNG reading through libpng's simplified API (libpng 1.6).
 *
 * libpng converts every colour type and bit depth (palette, RGB, 16-bit,
 * tRNS transparency) to 8-bit sRGB gray plus alpha (PNG_FORMAT_GA, alpha
 * not premultiplied). This file then removes the alpha channel:
 *
 *   - A picture without transparent pixels keeps its gray values.
 *   - A picture with transparency is composited onto a background that
 *     contrasts with its opaque parts: onto white when the alpha-weighted
 *     mean gray of the pixels is below 128 (dark strokes drawn on a
 *     transparent canvas), otherwise onto black. Compositing every picture
 *     onto white would make light strokes on a transparent canvas vanish.
 */
#include "image.h"

#include <png.h>
#include <stdlib.h>
#include <string.h>

/* Composites gray+alpha pixel pairs into gray pixels as described above.
 * `pairs` contains count (gray, alpha) byte pairs, and `out` receives count
 * bytes. */
static void composite_alpha(const uint8_t *pairs, size_t count, uint8_t *out)
{
    double weighted_gray = 0.0, total_alpha = 0.0;
    int transparent = 0;
    unsigned background;

    for (size_t i = 0; i < count; i++) {
        unsigned alpha = pairs[2 * i + 1];

        weighted_gray += (double)pairs[2 * i] * alpha;
        total_alpha += alpha;
        if (alpha < 255)
            transparent = 1;
    }

    /* A fully transparent picture has no strokes: it becomes white. */
    background = 255;
    if (transparent && total_alpha > 0.0 &&
        weighted_gray / total_alpha >= 128.0)
        background = 0;

    for (size_t i = 0; i < count; i++) {
        unsigned gray = pairs[2 * i];
        unsigned alpha = pairs[2 * i + 1];

        out[i] = (uint8_t)((gray * alpha + background * (255 - alpha) + 127) /
                           255);
    }
}

/* Describes a libpng failure. libpng reports a file that ends early only
 * as "Read Error", so the end of file is checked to say so plainly. */
static int png_failure(FILE *file, const png_image *png, error_message *error)
{
    if (feof(file))
        return error_set(error, "truncated PNG: the file ends early "
                                "(libpng: %s)", png->message);
    return error_set(error, "invalid PNG: %s", png->message);
}

int gray_image_read_png(FILE *file, gray_image *image, error_message *error)
{
    png_image png;
    uint8_t *pairs;
    size_t width, height;

    image->width = 0;
    image->height = 0;
    image->pixels = NULL;

    memset(&png, 0, sizeof png);
    png.version = PNG_IMAGE_VERSION;

    /* On failure libpng frees its own state and writes png.message. */
    if (!png_image_begin_read_from_stdio(&png, file))
        return png_failure(file, &png, error);

    /* The size is checked before the pixel buffers are allocated. */
    width = png.width;
    height = png.height;
    if (gray_image_alloc(image, width, height, error) != 0) {
        png_image_free(&png);
        return -1;
    }
    png.format = PNG_FORMAT_GA;
    pairs = malloc(2 * width * height);
    if (pairs == NULL) {
        png_image_free(&png);
        gray_image_free(image);
        return error_set(error, "out of memory for %zu x %zu pixels", width,
                         height);
    }

    /* finish_read releases libpng's state on success and on failure; the
     * extra png_image_free() is a no-op then, kept so no path can leak. */
    if (!png_image_finish_read(&png, NULL, pairs, 0, NULL)) {
        png_image_free(&png);
        free(pairs);
        gray_image_free(image);
        return png_failure(file, &png, error);
    }
    png_image_free(&png);

    composite_alpha(pairs, width * height, image->pixels);
    free(pairs);
    return 0;
}
