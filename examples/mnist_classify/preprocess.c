/*
 * preprocess.c - the MNIST preparation of an arbitrary gray picture.
 *
 * LeCun, Cortes and Burges describe how the MNIST digits were prepared
 * (yann.lecun.com/exdb/mnist). Each digit was size-normalised to fit a
 * 20x20 box with its aspect ratio preserved and anti-aliased. It was then
 * centred in a 28x28 field so that its centre of mass falls on the
 * field's centre. The rules here follow that for pictures that are not
 * already MNIST digits:
 *
 *   1. Background level: the median of the outermost ring of pixels. The
 *      median, not the mean, so that strokes touching the edge do not
 *      move it much.
 *   2. Polarity: MNIST digits are white on black, so a picture whose
 *      background level is above 127 (dark on light) is inverted.
 *   3. A 28x28 picture is then used as it is. Others continue:
 *   4. Levels are stretched so the background maps to 0 and the brightest
 *      pixel to 255, which removes a gray paper tone.
 *   5. Crop to the bounding box of the pixels above INK_THRESHOLD.
 *   6. Scale the box so its longer side is 20 pixels and the other side
 *      in proportion (at least 1). The method is area averaging. Each
 *      output pixel is the mean of the picture over the rectangle it
 *      covers, with partial pixels weighted by the covered fraction. This
 *      anti-aliases when shrinking and gives soft-edged blocks when
 *      enlarging.
 *   7. Place the scaled digit in the 28x28 field with an integer shift
 *      that brings its centre of mass nearest to the field's centre,
 *      limited so the digit stays entirely inside the field.
 */
#include "preprocess.h"

#include <math.h>
#include <string.h>

/* Returns the median of the outermost ring of pixels. */
static unsigned border_median(const gray_image *image)
{
    size_t histogram[256] = {0};
    size_t count = 0, seen = 0;
    size_t w = image->width, h = image->height;

    for (size_t y = 0; y < h; y++) {
        const uint8_t *row = image->pixels + y * w;

        if (y == 0 || y == h - 1) {
            for (size_t x = 0; x < w; x++)
                histogram[row[x]]++;
            count += w;
        } else {
            histogram[row[0]]++;
            count++;
            if (w > 1) {
                histogram[row[w - 1]]++;
                count++;
            }
        }
    }

    /* The lower median: the smallest level that reaches half the count. */
    for (unsigned level = 0; level < 256; level++) {
        seen += histogram[level];
        if (2 * seen >= count)
            return level;
    }
    return 255;
}

/* Builds the table that maps a picture's pixel to its inverted (when
 * `invert`) and level-stretched value. Fails when no pixel differs from
 * the background by more than INK_THRESHOLD. */
static int build_level_table(const gray_image *image, int invert,
                             unsigned background, uint8_t table[256],
                             error_message *error)
{
    size_t count = image->width * image->height;
    unsigned peak = 0;

    for (size_t i = 0; i < count; i++) {
        unsigned value = invert ? 255u - image->pixels[i] : image->pixels[i];

        if (value > peak)
            peak = value;
    }
    if (peak <= background + INK_THRESHOLD)
        return error_set(error, "no digit found: no pixel differs from the "
                                "background level %u by more than %d of 255",
                         invert ? 255 - background : background,
                         INK_THRESHOLD);

    for (unsigned raw = 0; raw < 256; raw++) {
        unsigned value = invert ? 255u - raw : raw;
        unsigned range = peak - background;

        /* value <= peak, so the result is at most 255. */
        table[raw] = value <= background
            ? 0
            : (uint8_t)(((value - background) * 255 + range / 2) / range);
    }
    return 0;
}

/* Finds the bounding box of the pixels whose mapped value is above
 * INK_THRESHOLD. build_level_table() guarantees there is at least one. */
static void find_digit_box(const gray_image *image, const uint8_t table[256],
                           preprocess_report *report)
{
    size_t left = image->width, right = 0, top = image->height, bottom = 0;

    for (size_t y = 0; y < image->height; y++) {
        const uint8_t *row = image->pixels + y * image->width;

        for (size_t x = 0; x < image->width; x++) {
            if (table[row[x]] <= INK_THRESHOLD)
                continue;
            if (x < left)
                left = x;
            if (x > right)
                right = x;
            if (y < top)
                top = y;
            if (y > bottom)
                bottom = y;
        }
    }
    report->crop_x = left;
    report->crop_y = top;
    report->crop_width = right - left + 1;
    report->crop_height = bottom - top + 1;
}

/* Area-averages the cropped box into scaled[0..oh)[0..ow), in 0..255.
 *
 * In output units a source pixel sx spans [sx / fx, (sx + 1) / fx), where
 * fx is the number of source pixels per output pixel. Adding each source
 * value times its overlap with each output pixel gives the mean over the
 * output pixel, since an output pixel has unit area. Visiting the source
 * once keeps the cost linear in the picture's size whichever way it is
 * scaled. */
static void scale_box(const gray_image *image, const uint8_t table[256],
                      const preprocess_report *report,
                      double scaled[MNIST_DIGIT_BOX][MNIST_DIGIT_BOX])
{
    size_t ow = report->scaled_width, oh = report->scaled_height;
    double fx = (double)report->crop_width / (double)ow;
    double fy = (double)report->crop_height / (double)oh;

    memset(scaled, 0, sizeof(double) * MNIST_DIGIT_BOX * MNIST_DIGIT_BOX);
    for (size_t sy = 0; sy < report->crop_height; sy++) {
        const uint8_t *row =
            image->pixels + (report->crop_y + sy) * image->width +
            report->crop_x;
        double y0 = (double)sy / fy, y1 = (double)(sy + 1) / fy;
        size_t oy_last = (size_t)ceil(y1) - 1;

        if (oy_last >= oh)
            oy_last = oh - 1;
        for (size_t oy = (size_t)floor(y0); oy <= oy_last; oy++) {
            double wy = fmin(y1, (double)oy + 1) - fmax(y0, (double)oy);

            if (wy <= 0.0)
                continue;
            for (size_t sx = 0; sx < report->crop_width; sx++) {
                double value = table[row[sx]];
                double x0 = (double)sx / fx, x1 = (double)(sx + 1) / fx;
                size_t ox_last = (size_t)ceil(x1) - 1;

                if (value == 0.0)
                    continue;
                if (ox_last >= ow)
                    ox_last = ow - 1;
                for (size_t ox = (size_t)floor(x0); ox <= ox_last; ox++) {
                    double wx = fmin(x1, (double)ox + 1) - fmax(x0, (double)ox);

                    if (wx > 0.0)
                        scaled[oy][ox] += value * wx * wy;
                }
            }
        }
    }
}

/* Returns the shift along one axis that moves `centre` (in field
 * coordinates of a digit placed at 0) nearest to the field's centre, kept
 * within 0 .. MNIST_SIDE - size. */
static size_t centring_shift(double centre, size_t size)
{
    double shift = floor(MNIST_SIDE / 2.0 - centre + 0.5);
    double last = (double)(MNIST_SIDE - size);

    if (shift < 0.0)
        shift = 0.0;
    if (shift > last)
        shift = last;
    return (size_t)shift;
}

/* Places the scaled digit in the field by its centre of mass. */
static void place_by_centre_of_mass(
    double scaled[MNIST_DIGIT_BOX][MNIST_DIGIT_BOX],
    const preprocess_report *report, uint8_t out[MNIST_PIXELS])
{
    size_t ow = report->scaled_width, oh = report->scaled_height;
    double mass = 0.0, sum_x = 0.0, sum_y = 0.0;
    double centre_x = ow / 2.0, centre_y = oh / 2.0;
    size_t shift_x, shift_y;

    /* Pixel (x, y) has its centre at (x + 0.5, y + 0.5). */
    for (size_t y = 0; y < oh; y++) {
        for (size_t x = 0; x < ow; x++) {
            mass += scaled[y][x];
            sum_x += scaled[y][x] * ((double)x + 0.5);
            sum_y += scaled[y][x] * ((double)y + 0.5);
        }
    }
    if (mass > 0.0) {
        centre_x = sum_x / mass;
        centre_y = sum_y / mass;
    }
    shift_x = centring_shift(centre_x, ow);
    shift_y = centring_shift(centre_y, oh);

    memset(out, 0, MNIST_PIXELS);
    for (size_t y = 0; y < oh; y++) {
        for (size_t x = 0; x < ow; x++) {
            double value = floor(scaled[y][x] + 0.5);

            out[(y + shift_y) * MNIST_SIDE + x + shift_x] =
                (uint8_t)(value > 255.0 ? 255.0 : value);
        }
    }
}

/* Returns round(length * MNIST_DIGIT_BOX / longest), at least 1. */
static size_t scaled_length(size_t length, size_t longest)
{
    size_t scaled = (length * MNIST_DIGIT_BOX + longest / 2) / longest;

    return scaled < 1 ? 1 : scaled;
}

int mnist_preprocess(const gray_image *image, uint8_t out[MNIST_PIXELS],
                     preprocess_report *report, error_message *error)
{
    unsigned background = border_median(image);
    uint8_t table[256];
    double scaled[MNIST_DIGIT_BOX][MNIST_DIGIT_BOX];
    size_t longest;

    memset(report, 0, sizeof *report);
    report->inverted = background > 127;

    /* A 28x28 picture is taken to be an MNIST digit already. */
    if (image->width == MNIST_SIDE && image->height == MNIST_SIDE) {
        for (size_t i = 0; i < MNIST_PIXELS; i++)
            out[i] = report->inverted ? (uint8_t)(255 - image->pixels[i])
                                      : image->pixels[i];
        report->crop_width = report->scaled_width = MNIST_SIDE;
        report->crop_height = report->scaled_height = MNIST_SIDE;
        return 0;
    }

    if (report->inverted)
        background = 255 - background;
    if (build_level_table(image, report->inverted, background, table,
                          error) != 0)
        return -1;
    report->resized = 1;
    find_digit_box(image, table, report);

    longest = report->crop_width > report->crop_height ? report->crop_width
                                                       : report->crop_height;
    report->scaled_width = scaled_length(report->crop_width, longest);
    report->scaled_height = scaled_length(report->crop_height, longest);
    scale_box(image, table, report, scaled);
    place_by_centre_of_mass(scaled, report, out);
    return 0;
}

void mnist_render(FILE *out, const uint8_t pixels[MNIST_PIXELS])
{
    static const char ramp[] = " .:-=+*#%@";
    const size_t levels = sizeof ramp - 1;

    fputc('+', out);
    for (int x = 0; x < 2 * MNIST_SIDE; x++)
        fputc('-', out);
    fputs("+\n", out);

    for (int y = 0; y < MNIST_SIDE; y++) {
        fputc('|', out);
        for (int x = 0; x < MNIST_SIDE; x++) {
            char c = ramp[pixels[y * MNIST_SIDE + x] * levels / 256];

            fputc(c, out);
            fputc(c, out);
        }
        fputs("|\n", out);
    }

    fputc('+', out);
    for (int x = 0; x < 2 * MNIST_SIDE; x++)
        fputc('-', out);
    fputs("+\n", out);
}
