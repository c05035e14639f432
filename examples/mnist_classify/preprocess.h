/*
 * preprocess.h - turning any gray picture into a 28x28 MNIST-style digit.
 */
#ifndef MNIST_CLASSIFY_PREPROCESS_H
#define MNIST_CLASSIFY_PREPROCESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error_message.h"
#include "image.h"

/* MNIST digits are 28x28 pixels, white (255) on black (0). */
#define MNIST_SIDE 28
#define MNIST_PIXELS (MNIST_SIDE * MNIST_SIDE)

/* MNIST scaled each digit to fit a 20x20 box inside the 28x28 field. */
#define MNIST_DIGIT_BOX 20

/* A pixel belongs to the digit when its level-normalised value (0..255,
 * background 0) is above this threshold. A picture whose brightest pixel
 * exceeds the background level by no more than this contains no digit. */
#define INK_THRESHOLD 32

/* What mnist_preprocess() did to a picture, for display. */
typedef struct preprocess_report {
    int inverted; /* 1 when the picture was dark-on-light */
    int resized;  /* 1 when cropped, scaled and centred; 0 for 28x28 input */
    size_t crop_x, crop_y;          /* bounding box origin in the picture */
    size_t crop_width, crop_height; /* bounding box size in the picture */
    size_t scaled_width, scaled_height; /* digit size in the 28x28 field */
} preprocess_report;

/* Converts `image` to the 28x28 white-on-black digit the model expects,
 * writing row-major pixels to `out` and a description of the steps to
 * *report. The rules are described in preprocess.c. Fails only when a
 * picture other than 28x28 contains no digit. */
int mnist_preprocess(const gray_image *image, uint8_t out[MNIST_PIXELS],
                     preprocess_report *report, error_message *error);

/* Prints 28 lines showing the pixels with the ASCII ramp " .:-=+*#%@"
 * (black to white), two characters per pixel so the digit keeps roughly
 * its shape in a terminal, inside a frame. */
void mnist_render(FILE *out, const uint8_t pixels[MNIST_PIXELS]);

#endif
