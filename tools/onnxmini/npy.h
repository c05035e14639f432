/*
 * npy.h - read and write NumPy .npy files (format versions 1.0, 2.0 and
 * 3.0, as numpy.lib.format describes them) for the onnxmini tool.
 *
 * A file starts with the magic string "\x93NUMPY", a major and a minor
 * version byte, and the header length (2 bytes little-endian in version
 * 1.0, 4 bytes in 2.0 and 3.0). The header follows: a Python dict literal
 * with the keys 'descr', 'fortran_order' and 'shape', padded with spaces
 * and ended by a newline. The elements come last.
 */
#ifndef TOOLS_ONNXMINI_NPY_H
#define TOOLS_ONNXMINI_NPY_H

#include <stddef.h>
#include <stdint.h>

#include "onnxmini.h"

/* The highest rank the reader accepts. The library itself takes rank 8 at
 * most and rejects a higher one with its own message. */
#define NPY_MAX_RANK 32

typedef struct npy_array {
    onnxmini_dtype dtype;
    size_t rank;
    int64_t dims[NPY_MAX_RANK];
    void *data;         /* elements in host byte order, row-major */
    size_t bytes;
} npy_array;

/* Returns 1 when the bytes start with the .npy magic string. */
int npy_has_magic(const void *data, size_t size);

/* Decodes a .npy file held in memory into *array, copying the elements
 * into a new buffer (array->data, freed by the caller with free()) in host
 * byte order. Returns 0, or -1 with a message in `error`. Rejected:
 * Fortran order, structured and object arrays, strings, byte orders or
 * element types with no ONNX equivalent, and a data size that does not
 * match the shape. */
int npy_decode(const void *data, size_t size, npy_array *array, char *error,
               size_t error_size);

/* Encodes a tensor as a version 1.0 .npy file (2.0 when the header needs
 * more than 65535 bytes) with little-endian elements, into a new buffer
 * (*out, freed by the caller). Returns 0, or -1 with a message in `error`
 * for an element type that .npy cannot store (bfloat16, string). */
int npy_encode(const onnxmini_tensor *tensor, uint8_t **out, size_t *out_size,
               char *error, size_t error_size);

#endif /* TOOLS_ONNXMINI_NPY_H */
