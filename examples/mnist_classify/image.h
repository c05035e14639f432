/*
 * image.h - reading grayscale pictures from PGM and PNG files.
 */
#ifndef MNIST_CLASSIFY_IMAGE_H
#define MNIST_CLASSIFY_IMAGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error_message.h"

/* Largest picture accepted, in pixels (width * height). A header that
 * declares more is rejected before any pixel memory is allocated, so a
 * hostile file cannot make the program allocate gigabytes. */
#define IMAGE_MAX_PIXELS ((size_t)64 * 1024 * 1024)

/* A grayscale picture: 0 is black, 255 is white. */
typedef struct gray_image {
    size_t width;
    size_t height;
    uint8_t *pixels; /* [height][width], row-major, malloc'd */
} gray_image;

/* Reads a PGM (P2 or P5) or PNG file, chosen by the file's first bytes,
 * into *image as 8-bit gray. On failure returns -1 with the reason in
 * *error and leaves image->pixels NULL. The caller frees a read image with
 * gray_image_free(). */
int gray_image_read_file(const char *path, gray_image *image,
                         error_message *error);

/* Reads a PNG file from the start of `file` into *image as 8-bit gray,
 * compositing any transparency as described in image_png.c. The same
 * contract as gray_image_read_file(). */
int gray_image_read_png(FILE *file, gray_image *image, error_message *error);

/* Allocates image->pixels for width * height pixels after checking the size
 * against IMAGE_MAX_PIXELS. */
int gray_image_alloc(gray_image *image, size_t width, size_t height,
                     error_message *error);

/* Frees the pixels and zeroes *image. NULL and an empty image are allowed. */
void gray_image_free(gray_image *image);

#endif
