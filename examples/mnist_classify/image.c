/*
 * image.c - the gray image type, file type detection and the PGM reader.
 *
 * PGM follows the Netpbm format description (netpbm.sourceforge.net/doc/
 * pgm.html): "P2" (decimal samples) or "P5" (binary samples), then width,
 * height and maxval as decimal numbers separated by whitespace, with "#"
 * comments allowed up to the end of a line. maxval is 1..65535. A binary
 * sample is one byte when maxval < 256, else two bytes, most significant
 * first. Exactly one whitespace byte separates maxval from binary samples.
 * Only the first image of a file that contains several is read.
 */
#include "image.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PGM_MAX_MAXVAL 65535u

int gray_image_alloc(gray_image *image, size_t width, size_t height,
                     error_message *error)
{
    image->width = 0;
    image->height = 0;
    image->pixels = NULL;
    if (width == 0 || height == 0)
        return error_set(error, "image is %zu x %zu pixels; both sizes must "
                                "be at least 1", width, height);

    /* Each size is compared first so that the product cannot overflow. */
    if (width > IMAGE_MAX_PIXELS || height > IMAGE_MAX_PIXELS ||
        width * height > IMAGE_MAX_PIXELS)
        return error_set(error, "image is %zu x %zu pixels; the maximum is "
                                "%zu pixels in total",
                         width, height, IMAGE_MAX_PIXELS);

    image->pixels = malloc(width * height);
    if (image->pixels == NULL)
        return error_set(error, "out of memory for %zu x %zu pixels", width,
                         height);
    image->width = width;
    image->height = height;
    return 0;
}

void gray_image_free(gray_image *image)
{
    if (image == NULL)
        return;
    free(image->pixels);
    image->pixels = NULL;
    image->width = 0;
    image->height = 0;
}

static int is_pgm_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
           c == '\r';
}

/* Reads one decimal number of the header or of a P2 raster, skipping the
 * whitespace and comments before it. The byte after the digits is consumed
 * when it is whitespace, so that after maxval the file is positioned at the
 * first binary sample; EOF is accepted there (the last P2 sample). */
static int pgm_read_number(FILE *file, const char *field, unsigned long max,
                           unsigned long *value, error_message *error)
{
    int c = getc(file);
    unsigned long number = 0;

    /* Skip whitespace and comments. */
    for (;;) {
        if (c == '#') {
            while (c != '\n' && c != '\r' && c != EOF)
                c = getc(file);
        } else if (is_pgm_space(c)) {
            c = getc(file);
        } else {
            break;
        }
    }
    if (c == EOF)
        return error_set(error, "file ends before the %s", field);
    if (c < '0' || c > '9')
        return error_set(error, "invalid %s: expected a decimal number, "
                                "found byte 0x%02x", field, (unsigned)c);

    while (c >= '0' && c <= '9') {
        number = number * 10 + (unsigned long)(c - '0');
        if (number > max)
            return error_set(error, "%s is larger than %lu", field, max);
        c = getc(file);
    }

    /* A comment may follow a header number directly. */
    if (c == '#')
        ungetc(c, file);
    else if (c != EOF && !is_pgm_space(c))
        return error_set(error, "invalid %s: byte 0x%02x after the digits",
                         field, (unsigned)c);
    *value = number;
    return 0;
}

/* Returns the number of bytes left in a regular file, or -1 when that is
 * unknown (a pipe, a terminal) or cannot be determined. */
static long long bytes_left(FILE *file)
{
    struct stat info;
    long position = ftell(file);

    if (position < 0 || fstat(fileno(file), &info) != 0 ||
        !S_ISREG(info.st_mode))
        return -1;
    return (long long)info.st_size - position;
}

/* Maps a sample in 0..maxval to 0..255, rounding to nearest. */
static uint8_t scale_sample(unsigned long sample, unsigned long maxval)
{
    return (uint8_t)((sample * 255 + maxval / 2) / maxval);
}

static int pgm_read_binary(FILE *file, gray_image *image,
                           unsigned long maxval, error_message *error)
{
    size_t sample_bytes = maxval < 256 ? 1 : 2;
    size_t row_bytes = image->width * sample_bytes;
    uint8_t *row = malloc(row_bytes);

    if (row == NULL)
        return error_set(error, "out of memory for a row of %zu bytes",
                         row_bytes);

    for (size_t y = 0; y < image->height; y++) {
        uint8_t *out = image->pixels + y * image->width;

        if (fread(row, 1, row_bytes, file) != row_bytes) {
            free(row);
            return error_set(error, "truncated pixel data: the file ends in "
                                    "row %zu of %zu", y + 1, image->height);
        }
        for (size_t x = 0; x < image->width; x++) {
            unsigned long sample = sample_bytes == 1
                ? row[x]
                : ((unsigned long)row[2 * x] << 8) | row[2 * x + 1];

            if (sample > maxval) {
                free(row);
                return error_set(error, "pixel (%zu, %zu) has value %lu, "
                                        "above maxval %lu",
                                 x, y, sample, maxval);
            }
            out[x] = scale_sample(sample, maxval);
        }
    }
    free(row);
    return 0;
}

static int pgm_read_plain(FILE *file, gray_image *image,
                          unsigned long maxval, error_message *error)
{
    size_t count = image->width * image->height;

    for (size_t i = 0; i < count; i++) {
        unsigned long sample;
        error_message detail;

        /* The limit lets any value above maxval through to the clearer
         * check below, without allowing overflow. */
        if (pgm_read_number(file, "pixel value", PGM_MAX_MAXVAL + 1, &sample,
                            &detail) != 0)
            return error_set(error, "pixel %zu of %zu: %s", i + 1, count,
                             detail.text);
        if (sample > maxval)
            return error_set(error, "pixel (%zu, %zu) has value %lu, above "
                                    "maxval %lu", i % image->width,
                             i / image->width, sample, maxval);
        image->pixels[i] = scale_sample(sample, maxval);
    }
    return 0;
}

/* Reads a PGM after its first byte 'P'. */
static int pgm_read(FILE *file, gray_image *image, error_message *error)
{
    int kind = getc(file);
    unsigned long width, height, maxval;
    long long left;
    size_t count, needed;

    if (kind != '2' && kind != '5') {
        if (kind == '1' || kind == '3' || kind == '4' || kind == '6')
            return error_set(error, "Netpbm format P%c is not supported; "
                                    "convert it to PGM (P2 or P5) or PNG",
                             kind);
        return error_set(error, "not a PGM or PNG file (unknown signature)");
    }

    if (pgm_read_number(file, "width", IMAGE_MAX_PIXELS, &width, error) != 0 ||
        pgm_read_number(file, "height", IMAGE_MAX_PIXELS, &height, error) != 0 ||
        pgm_read_number(file, "maxval", PGM_MAX_MAXVAL, &maxval, error) != 0)
        return -1;
    if (maxval == 0)
        return error_set(error, "invalid maxval 0: it must be 1..65535");

    /* The file must be large enough for the declared raster before any
     * pixel memory is allocated. P2 needs at least a digit and a separator
     * per sample, except the last. */
    count = (size_t)width * (size_t)height;
    if (width != 0 && height != 0 && count / width == height &&
        count <= IMAGE_MAX_PIXELS) {
        if (kind == '2')
            needed = 2 * count - 1;
        else if (maxval < 256)
            needed = count;
        else
            needed = 2 * count;
        left = bytes_left(file);
        if (left >= 0 && (unsigned long long)left < needed)
            return error_set(error, "truncated pixel data: %zu x %zu pixels "
                                    "need at least %zu bytes, the file has "
                                    "%lld after the header",
                             (size_t)width, (size_t)height, needed, left);
    }

    if (gray_image_alloc(image, width, height, error) != 0)
        return -1;
    if ((kind == '5' ? pgm_read_binary(file, image, maxval, error)
                     : pgm_read_plain(file, image, maxval, error)) != 0) {
        gray_image_free(image);
        return -1;
    }
    return 0;
}

int gray_image_read_file(const char *path, gray_image *image,
                         error_message *error)
{
    FILE *file;
    int first, status;

    image->width = 0;
    image->height = 0;
    image->pixels = NULL;

    file = fopen(path, "rb");
    if (file == NULL)
        return error_set(error, "%s", strerror(errno));

    /* The first byte identifies the format: 'P' starts a Netpbm magic
     * number and 0x89 the PNG signature. */
    first = getc(file);
    if (first == 'P') {
        status = pgm_read(file, image, error);
    } else if (first == 0x89) {
        ungetc(first, file);
        status = gray_image_read_png(file, image, error);
    } else if (first == EOF) {
        status = ferror(file) ? error_set(error, "%s", strerror(errno))
                              : error_set(error, "the file is empty");
    } else {
        status = error_set(error, "not a PGM or PNG file (unknown signature)");
    }

    if (status == 0 && ferror(file))
        status = error_set(error, "read error: %s", strerror(errno));
    fclose(file);
    if (status != 0)
        gray_image_free(image);
    return status;
}
