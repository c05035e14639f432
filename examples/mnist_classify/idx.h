/*
 * idx.h - streaming the MNIST test set from IDX files.
 *
 * The IDX format (yann.lecun.com/exdb/mnist): a big-endian 32-bit magic
 * number whose low byte is the number of dimensions and whose third byte
 * is the element type (0x08 = unsigned byte), one big-endian 32-bit size
 * per dimension, then the elements in row-major order. MNIST image files
 * have magic 2051 (0x00000803) and dimensions [count, 28, 28]; label
 * files have magic 2049 (0x00000801) and dimension [count].
 *
 * Files are read through zlib's gzopen/gzread, which read gzip-compressed
 * and plain files alike. Items are read one at a time, so a header that
 * declares a huge count allocates nothing.
 */
#ifndef MNIST_CLASSIFY_IDX_H
#define MNIST_CLASSIFY_IDX_H

#include <stdint.h>
#include <zlib.h>

#include "error_message.h"

#define IDX_IMAGES_MAGIC 2051u
#define IDX_LABELS_MAGIC 2049u

/* An open IDX file positioned at its next item. */
typedef struct idx_file {
    gzFile gz;
    char *path;         /* copy of the path, for messages */
    uint32_t count;     /* items declared by the header */
    uint32_t next;      /* index of the next item to read */
    uint32_t item_size; /* bytes per item: rows * columns, or 1 for labels */
} idx_file;

/* Opens an MNIST image file and checks its header: magic 2051, rows and
 * columns both 28, at least one image. On failure the file is closed. */
int idx_open_images(idx_file *file, const char *path, error_message *error);

/* Opens an MNIST label file and checks its header: magic 2049, at least
 * one label. On failure the file is closed. */
int idx_open_labels(idx_file *file, const char *path, error_message *error);

/* Reads the next image (item_size bytes) into `pixels`. Fails when the
 * file ends early or cannot be decompressed. */
int idx_read_image(idx_file *file, uint8_t *pixels, error_message *error);

/* Reads the next label and checks that it is a digit 0..9. */
int idx_read_label(idx_file *file, uint8_t *label, error_message *error);

/* Closes the file and frees the path. A file that failed to open, or was
 * zeroed, is allowed. */
void idx_close(idx_file *file);

#endif
