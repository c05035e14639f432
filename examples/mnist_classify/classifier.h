/*
 * classifier.h - an MNIST model behind libonnxmini's public API.
 */
#ifndef MNIST_CLASSIFY_CLASSIFIER_H
#define MNIST_CLASSIFY_CLASSIFIER_H

#include <stddef.h>
#include <stdint.h>

#include "error_message.h"
#include "onnxmini.h"
#include "preprocess.h"

#define DIGIT_CLASSES 10

/* How 0..255 pixels become the model's input values. */
typedef enum input_scaling {
    INPUT_SCALING_AUTO, /* chosen from the model's input; see classifier.c */
    INPUT_SCALING_UNIT, /* float pixel / 255, in 0..1 */
    INPUT_SCALING_RAW   /* the pixel value 0..255, as float or uint8 */
} input_scaling;

/* A loaded model, its session and the input buffer fed to it. */
typedef struct classifier {
    onnxmini_model *model;
    onnxmini_session *session;
    /* Set when classifier_open() fails: the step that failed, such as
     * "loading model". */
    const char *failed_step;

    onnxmini_dtype input_dtype; /* ONNXMINI_FLOAT or ONNXMINI_UINT8 */
    size_t input_rank;
    int64_t input_dims[4]; /* the declared shape with the batch size 1 */
    input_scaling scaling; /* UNIT or RAW, never AUTO after opening */

    float input_floats[MNIST_PIXELS]; /* fed when input_dtype is FLOAT */
    uint8_t input_bytes[MNIST_PIXELS]; /* fed when input_dtype is UINT8 */
} classifier;

/* Loads the model, checks that it takes one image of 28x28 = 784 values
 * and returns 10 values, resolves the scaling and creates a session with
 * the kernel instruction set `isa` (NULL for the library's choice).
 * On failure returns -1 with the detail in *error, the step in
 * c->failed_step, and *c needs no cleanup. */
int classifier_open(classifier *c, const char *model_path,
                    input_scaling scaling, const char *isa,
                    error_message *error);

/* Destroys the session and frees the model. A zeroed or failed classifier
 * is allowed. */
void classifier_close(classifier *c);

/* Returns a short description of the resolved scaling, such as
 * "float pixel/255 (0..1)". */
const char *classifier_scaling_name(const classifier *c);

/* Converts 28x28 pixels (white digit on black) into the input buffer.
 * Kept apart from classifier_infer() so timing covers only the library. */
void classifier_load_pixels(classifier *c, const uint8_t pixels[MNIST_PIXELS]);

/* Sets the input, runs the model and copies out its 10 logits. Fails with
 * the session's message, or when the output is not 10 finite floats. */
int classifier_infer(classifier *c, float logits[DIGIT_CLASSES],
                     error_message *error);

/* Converts logits to probabilities with a numerically stable softmax and
 * returns the index of the largest one. */
int softmax_digit(const float logits[DIGIT_CLASSES],
                  double probabilities[DIGIT_CLASSES]);

#endif
