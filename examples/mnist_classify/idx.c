/* idx.c - IDX header checks and item reading; the format is in idx.h. */
#include "idx.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MNIST_ROWS 28u
#define MNIST_COLUMNS 28u

/* Describes the last zlib or system error on the file. */
static const char *gz_reason(const idx_file *file)
{
    int code = Z_OK;
    const char *message = gzerror(file->gz, &code);
    size_t length = strlen(file->path);

    if (code == Z_ERRNO)
        return strerror(errno);
    if (code == Z_OK)
        return "unexpected end of file";

    /* zlib 1.2 prefixes its messages with "<path>: ", which the caller
     * already prints. */
    if (strncmp(message, file->path, length) == 0 &&
        strncmp(message + length, ": ", 2) == 0)
        return message + length + 2;
    return message;
}

/* Reads exactly `size` bytes. Returns the number read (less than size at
 * the end of the file) or -1 on a read or decompression error. */
static long read_fully(gzFile gz, uint8_t *buffer, unsigned size)
{
    unsigned done = 0;

    while (done < size) {
        int got = gzread(gz, buffer + done, size - done);

        if (got < 0)
            return -1;
        if (got == 0)
            break;
        done += (unsigned)got;
    }
    return (long)done;
}

static uint32_t big_endian_32(const uint8_t *bytes)
{
    return (uint32_t)bytes[0] << 24 | (uint32_t)bytes[1] << 16 |
           (uint32_t)bytes[2] << 8 | (uint32_t)bytes[3];
}

/* Opens `path` and reads a header of `words` 32-bit numbers into `header`,
 * checking the magic number. On failure the caller closes the file. */
static int open_with_header(idx_file *file, const char *path,
                            uint32_t magic, uint32_t *header, unsigned words,
                            error_message *error)
{
    uint8_t bytes[16];
    long got;

    file->gz = NULL;
    file->count = 0;
    file->next = 0;
    file->item_size = 0;
    file->path = strdup(path);
    if (file->path == NULL)
        return error_set(error, "out of memory");

    errno = 0;
    file->gz = gzopen(path, "rb");
    if (file->gz == NULL)
        return error_set(error, "%s", errno != 0 ? strerror(errno)
                                                 : "out of memory");

    got = read_fully(file->gz, bytes, 4 * words);
    if (got < 0)
        return error_set(error, "cannot read the header: %s",
                         gz_reason(file));
    if (got < (long)(4 * words))
        return error_set(error, "truncated header: %ld of %u bytes", got,
                         4 * words);
    for (unsigned i = 0; i < words; i++)
        header[i] = big_endian_32(bytes + 4 * i);

    if (header[0] != magic)
        return error_set(error, "invalid magic number %lu (0x%08lx); "
                                "expected %lu",
                         (unsigned long)header[0], (unsigned long)header[0],
                         (unsigned long)magic);
    file->count = header[1];
    if (file->count == 0)
        return error_set(error, "the header declares 0 items");
    return 0;
}

int idx_open_images(idx_file *file, const char *path, error_message *error)
{
    uint32_t header[4];

    if (open_with_header(file, path, IDX_IMAGES_MAGIC, header, 4, error) != 0) {
        idx_close(file);
        return -1;
    }
    if (header[2] != MNIST_ROWS || header[3] != MNIST_COLUMNS) {
        idx_close(file);
        return error_set(error, "images are %lu x %lu pixels; expected "
                                "%u x %u",
                         (unsigned long)header[2], (unsigned long)header[3],
                         MNIST_ROWS, MNIST_COLUMNS);
    }
    file->item_size = MNIST_ROWS * MNIST_COLUMNS;
    return 0;
}

int idx_open_labels(idx_file *file, const char *path, error_message *error)
{
    uint32_t header[2];

    if (open_with_header(file, path, IDX_LABELS_MAGIC, header, 2, error) != 0) {
        idx_close(file);
        return -1;
    }
    file->item_size = 1;
    return 0;
}

/* Reads item `file->next` into `buffer`. */
static int read_item(idx_file *file, uint8_t *buffer, const char *what,
                     error_message *error)
{
    long got;

    if (file->next >= file->count)
        return error_set(error, "all %lu %ss have been read",
                         (unsigned long)file->count, what);
    got = read_fully(file->gz, buffer, file->item_size);
    if (got < 0)
        return error_set(error, "cannot read the %s at index %lu: %s", what,
                         (unsigned long)file->next, gz_reason(file));
    if (got < (long)file->item_size)
        return error_set(error, "truncated file: it ends after %lu of the "
                                "%lu %ss its header declares",
                         (unsigned long)file->next,
                         (unsigned long)file->count, what);
    file->next++;
    return 0;
}

int idx_read_image(idx_file *file, uint8_t *pixels, error_message *error)
{
    return read_item(file, pixels, "image", error);
}

int idx_read_label(idx_file *file, uint8_t *label, error_message *error)
{
    if (read_item(file, label, "label", error) != 0)
        return -1;
    if (*label > 9)
        return error_set(error, "the label at index %lu is %u; labels "
                                "must be 0..9",
                         (unsigned long)(file->next - 1), *label);
    return 0;
}

void idx_close(idx_file *file)
{
    if (file == NULL)
        return;
    if (file->gz != NULL)
        gzclose(file->gz);
    free(file->path);
    file->gz = NULL;
    file->path = NULL;
}
