/*
 * program.h - the command-line options and the two modes of mnist_classify.
 */
#ifndef MNIST_CLASSIFY_PROGRAM_H
#define MNIST_CLASSIFY_PROGRAM_H

#include <stddef.h>

#include "classifier.h"

/* Exit status for an invalid command line; EXIT_SUCCESS (0) and
 * EXIT_FAILURE (1) cover the rest. */
#define EXIT_USAGE 2

typedef struct program_options {
    const char *model_path;  /* --model, or mnist-12.onnx in the data dir */
    int default_model;       /* 1 when --model was not given */
    const char *mnist_dir;   /* --mnist; NULL in image mode */
    unsigned long limit;     /* --limit; 0 evaluates every test image */
    int json;                /* --json */
    input_scaling scaling;   /* --scale; INPUT_SCALING_AUTO when absent */
    const char *isa;         /* --isa; NULL for the library's choice */
    char *const *images;     /* IMAGE arguments */
    size_t image_count;
} program_options;

/* Opens the classifier that the options name, printing any failure.
 * Defined in main.c. */
int program_open_classifier(const program_options *options, classifier *c);

/* Classifies each image file and prints the results. Returns an exit
 * status: EXIT_FAILURE when the model or any image failed. */
int classify_images(const program_options *options);

/* Evaluates the MNIST test set in options->mnist_dir and prints the
 * report. Returns an exit status. */
int evaluate_mnist(const program_options *options);

#endif
