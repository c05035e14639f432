/*
 * test_data.c - the data directory, whole-file reads, the MNIST IDX reader
 * and the reference logits parser shared by the model tests.
 */
#include "test_data.h"

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <zlib.h>

/* IDX magic numbers: two zero bytes, element type 0x08 (unsigned byte),
 * then the number of dimensions (3 for images, 1 for labels). */
#define IDX_IMAGES_MAGIC 2051u
#define IDX_LABELS_MAGIC 2049u
#define MNIST_SIDE 28u
/* Far above the 10000 test images; guards the allocation against a
 * corrupt header. */
#define MNIST_MAX_ITEMS 1000000u

const char *testdata_dir(void)
{
    const char *dir = getenv("ONNXMINI_DATA_DIR");
    struct stat st;

    if (dir == NULL || dir[0] == '\0')
        return NULL;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return NULL;
    return dir;
}

bool testdata_in_ci(void)
{
    const char *ci = getenv("CI");

    return ci != NULL && strcmp(ci, "true") == 0;
}

char *testdata_require_path(const char *name)
{
    const char *dir = testdata_dir();
    const char *env = getenv("ONNXMINI_DATA_DIR");
    struct stat st;
    char *path;
    size_t length;

    if (dir == NULL) {
        if (testdata_in_ci())
            fail_msg("data directory '%s' not found (needed for %s): set "
                     "ONNXMINI_DATA_DIR to the directory that holds the "
                     "MNIST models and data",
                     env != NULL ? env : "(unset)", name);
        print_message("skipped: data directory '%s' not found; set "
                      "ONNXMINI_DATA_DIR to run this test\n",
                      env != NULL ? env : "(unset)");
        skip();
    }

    length = strlen(dir) + 1 + strlen(name) + 1;
    path = malloc(length);
    assert_non_null(path);
    snprintf(path, length, "%s/%s", dir, name);

    if (stat(path, &st) != 0) {
        if (testdata_in_ci()) {
            fail_msg("data file '%s' not found: set ONNXMINI_DATA_DIR to "
                     "the directory that holds the MNIST models and data",
                     path);
        }
        print_message("skipped: data file '%s' not found\n", path);
        free(path);
        skip();
    }
    return path;
}

void *testdata_read_file(const char *path, size_t *size)
{
    FILE *file = fopen(path, "rb");
    unsigned char *buffer = NULL;
    size_t capacity = 0;
    size_t length = 0;

    if (file == NULL)
        return NULL;

    /* Grow the buffer as the file is read, so that pipes and files whose
     * size changes are read correctly too. */
    for (;;) {
        size_t got;

        if (length == capacity) {
            size_t new_capacity = capacity == 0 ? 65536 : capacity * 2;
            unsigned char *grown = realloc(buffer, new_capacity);

            if (grown == NULL) {
                free(buffer);
                fclose(file);
                errno = ENOMEM;
                return NULL;
            }
            buffer = grown;
            capacity = new_capacity;
        }
        got = fread(buffer + length, 1, capacity - length, file);
        length += got;
        if (got == 0)
            break;
    }
    if (ferror(file)) {
        int saved = errno;

        free(buffer);
        fclose(file);
        errno = saved != 0 ? saved : EIO;
        return NULL;
    }
    fclose(file);

    /* The loop ends on a read of 0 bytes, which it only makes with room
     * left, so the terminating NUL fits. */
    buffer[length] = '\0';
    *size = length;
    return buffer;
}

/* Reads exactly `size` bytes; returns false on a short read or an error. */
static bool gz_read_exact(gzFile file, void *buffer, size_t size)
{
    unsigned char *out = buffer;

    while (size > 0) {
        unsigned chunk = size > (1u << 30) ? (1u << 30) : (unsigned)size;
        int got = gzread(file, out, chunk);

        if (got <= 0)
            return false;
        out += got;
        size -= (size_t)got;
    }
    return true;
}

static bool gz_read_u32_be(gzFile file, uint32_t *value)
{
    unsigned char bytes[4];

    if (!gz_read_exact(file, bytes, sizeof bytes))
        return false;
    *value = (uint32_t)bytes[0] << 24 | (uint32_t)bytes[1] << 16 |
             (uint32_t)bytes[2] << 8 | (uint32_t)bytes[3];
    return true;
}

/* Returns true when the file has no byte left to read. */
static bool gz_at_end(gzFile file)
{
    unsigned char extra;

    return gzread(file, &extra, 1) == 0;
}

/* Reads one IDX file: the header (magic, count, and for images rows and
 * cols) and then every item byte. *items receives a malloc'd buffer. */
static bool read_idx(const char *path, uint32_t expected_magic,
                     size_t *count, uint8_t **items, char *message,
                     size_t message_size)
{
    gzFile file = gzopen(path, "rb");
    uint32_t magic, header_count, rows = 1, cols = 1;
    size_t bytes;
    uint8_t *data = NULL;

    if (file == NULL) {
        snprintf(message, message_size, "%s: cannot open: %s", path,
                 strerror(errno));
        return false;
    }

    if (!gz_read_u32_be(file, &magic) || !gz_read_u32_be(file, &header_count)) {
        snprintf(message, message_size, "%s: truncated IDX header", path);
        goto fail;
    }
    if (magic != expected_magic) {
        snprintf(message, message_size,
                 "%s: IDX magic number is %u, expected %u", path,
                 (unsigned)magic, (unsigned)expected_magic);
        goto fail;
    }
    if (header_count == 0 || header_count > MNIST_MAX_ITEMS) {
        snprintf(message, message_size,
                 "%s: item count %u is outside 1..%u", path,
                 (unsigned)header_count, MNIST_MAX_ITEMS);
        goto fail;
    }
    if (expected_magic == IDX_IMAGES_MAGIC) {
        if (!gz_read_u32_be(file, &rows) || !gz_read_u32_be(file, &cols)) {
            snprintf(message, message_size, "%s: truncated IDX header", path);
            goto fail;
        }
        if (rows != MNIST_SIDE || cols != MNIST_SIDE) {
            snprintf(message, message_size,
                     "%s: images are %ux%u, expected %ux%u", path,
                     (unsigned)rows, (unsigned)cols, MNIST_SIDE, MNIST_SIDE);
            goto fail;
        }
    }

    bytes = (size_t)header_count * rows * cols;
    data = malloc(bytes);
    if (data == NULL) {
        snprintf(message, message_size, "%s: out of memory for %zu bytes",
                 path, bytes);
        goto fail;
    }
    if (!gz_read_exact(file, data, bytes)) {
        snprintf(message, message_size,
                 "%s: file ends before the %u items its header declares",
                 path, (unsigned)header_count);
        goto fail;
    }
    if (!gz_at_end(file)) {
        snprintf(message, message_size,
                 "%s: bytes follow the %u items its header declares", path,
                 (unsigned)header_count);
        goto fail;
    }

    gzclose(file);
    *count = header_count;
    *items = data;
    return true;

fail:
    free(data);
    gzclose(file);
    return false;
}

bool testdata_mnist_load(const char *images_path, const char *labels_path,
                         testdata_mnist *mnist, char *message,
                         size_t message_size)
{
    size_t image_count = 0, label_count = 0;
    uint8_t *pixels = NULL, *labels = NULL;

    memset(mnist, 0, sizeof *mnist);
    if (!read_idx(images_path, IDX_IMAGES_MAGIC, &image_count, &pixels,
                  message, message_size))
        return false;
    if (!read_idx(labels_path, IDX_LABELS_MAGIC, &label_count, &labels,
                  message, message_size))
        goto fail;

    if (image_count != label_count) {
        snprintf(message, message_size,
                 "%s holds %zu images but %s holds %zu labels", images_path,
                 image_count, labels_path, label_count);
        goto fail;
    }
    for (size_t i = 0; i < label_count; i++) {
        if (labels[i] >= TESTDATA_MNIST_CLASSES) {
            snprintf(message, message_size, "%s: label %zu is %u, not 0..9",
                     labels_path, i, (unsigned)labels[i]);
            goto fail;
        }
    }

    mnist->count = image_count;
    mnist->rows = MNIST_SIDE;
    mnist->cols = MNIST_SIDE;
    mnist->pixels = pixels;
    mnist->labels = labels;
    return true;

fail:
    free(pixels);
    free(labels);
    return false;
}

void testdata_mnist_free(testdata_mnist *mnist)
{
    if (mnist == NULL)
        return;
    free(mnist->pixels);
    free(mnist->labels);
    memset(mnist, 0, sizeof *mnist);
}

/* Parses a whole number in [minimum, maximum] at *cursor and moves the
 * cursor past it. */
static bool parse_long(char **cursor, long minimum, long maximum, long *value)
{
    char *end;

    errno = 0;
    *value = strtol(*cursor, &end, 10);
    if (end == *cursor || errno != 0 || *value < minimum || *value > maximum)
        return false;
    *cursor = end;
    return true;
}

static bool parse_float(char **cursor, float *value)
{
    char *end;

    errno = 0;
    *value = strtof(*cursor, &end);
    if (end == *cursor || errno != 0)
        return false;
    *cursor = end;
    return true;
}

/* Parses one data line (NUL-terminated, without its newline). */
static bool parse_logits_line(char *line, testdata_logits_row *row)
{
    char *cursor = line;
    long label, argmax;

    if (!parse_long(&cursor, 0, LONG_MAX, &row->index) ||
        !parse_long(&cursor, 0, TESTDATA_MNIST_CLASSES - 1, &label) ||
        !parse_long(&cursor, 0, TESTDATA_MNIST_CLASSES - 1, &argmax))
        return false;
    row->label = (int)label;
    row->argmax = (int)argmax;
    for (int k = 0; k < TESTDATA_MNIST_CLASSES; k++) {
        if (!parse_float(&cursor, &row->logits[k]))
            return false;
    }

    /* Only white space may follow the tenth logit. */
    while (*cursor == ' ' || *cursor == '\t' || *cursor == '\r')
        cursor++;
    return *cursor == '\0';
}

bool testdata_logits_load(const char *path, testdata_logits *logits,
                          char *message, size_t message_size)
{
    size_t size = 0;
    char *text = testdata_read_file(path, &size);
    char *text_end, *line;
    size_t line_number = 0, capacity = 0;
    testdata_logits_row *rows = NULL;

    memset(logits, 0, sizeof *logits);
    if (text == NULL) {
        snprintf(message, message_size, "%s: cannot read: %s", path,
                 strerror(errno));
        return false;
    }
    if (memchr(text, '\0', size) != NULL) {
        snprintf(message, message_size, "%s: contains a NUL byte", path);
        goto fail;
    }

    /* Walk the lines in place, replacing each newline by NUL; the last
     * line ends at the NUL that testdata_read_file() appends. */
    text_end = text + size;
    line = text;
    while (line < text_end) {
        char *newline = memchr(line, '\n', (size_t)(text_end - line));
        char *next = newline != NULL ? newline + 1 : text_end;

        if (newline != NULL)
            *newline = '\0';
        line_number++;

        if (line_number <= 2) {
            if (line[0] != '#') {
                snprintf(message, message_size,
                         "%s:%zu: expected a '#' header line", path,
                         line_number);
                goto fail;
            }
        } else if (line[0] != '\0') {
            if (logits->count == capacity) {
                size_t new_capacity = capacity == 0 ? 128 : capacity * 2;
                testdata_logits_row *grown =
                    realloc(rows, new_capacity * sizeof *rows);

                if (grown == NULL) {
                    snprintf(message, message_size, "%s: out of memory", path);
                    goto fail;
                }
                rows = grown;
                capacity = new_capacity;
            }
            if (!parse_logits_line(line, &rows[logits->count])) {
                snprintf(message, message_size,
                         "%s:%zu: expected 'index label argmax' and %d "
                         "logits",
                         path, line_number, TESTDATA_MNIST_CLASSES);
                goto fail;
            }
            logits->count++;
        }
        line = next;
    }

    if (line_number < 2) {
        snprintf(message, message_size, "%s: missing the two header lines",
                 path);
        goto fail;
    }
    free(text);
    logits->rows = rows;
    return true;

fail:
    free(text);
    free(rows);
    memset(logits, 0, sizeof *logits);
    return false;
}

void testdata_logits_free(testdata_logits *logits)
{
    if (logits == NULL)
        return;
    free(logits->rows);
    memset(logits, 0, sizeof *logits);
}
