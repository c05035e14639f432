/*
 * classify_images.c - the image mode: classify picture files one by one.
 *
 * A file that cannot be read or classified is reported on stderr and the
 * remaining files are still classified; the exit status is then 1.
 */
#include <stdio.h>
#include <stdlib.h>

#include "classifier.h"
#include "error_message.h"
#include "image.h"
#include "json.h"
#include "preprocess.h"
#include "program.h"

/* Width in characters of a probability bar of 1.0. */
#define BAR_WIDTH 40

/* The classification of one picture. */
typedef struct image_result {
    uint8_t pixels[MNIST_PIXELS]; /* the 28x28 input fed to the model */
    preprocess_report report;
    int digit;
    double probabilities[DIGIT_CLASSES];
} image_result;

/* Reads, preprocesses and classifies one file. Prints its error itself. */
static int classify_file(classifier *c, const char *path,
                         image_result *result)
{
    gray_image image;
    error_message error;
    float logits[DIGIT_CLASSES];
    int status;

    if (gray_image_read_file(path, &image, &error) != 0) {
        error_print_about("reading image", path, error.text);
        return -1;
    }
    status = mnist_preprocess(&image, result->pixels, &result->report, &error);
    gray_image_free(&image);
    if (status != 0) {
        error_print_about("preprocessing image", path, error.text);
        return -1;
    }

    classifier_load_pixels(c, result->pixels);
    if (classifier_infer(c, logits, &error) != 0) {
        error_print_about("classifying image", path, error.text);
        return -1;
    }
    result->digit = softmax_digit(logits, result->probabilities);
    return 0;
}

static void print_json(const char *path, const image_result *result)
{
    fputs("{\"file\": ", stdout);
    json_write_string(stdout, path);
    printf(", \"digit\": %d, \"probabilities\": [", result->digit);
    for (int i = 0; i < DIGIT_CLASSES; i++) {
        if (i > 0)
            fputs(", ", stdout);
        json_write_number(stdout, result->probabilities[i]);
    }
    fputs("]}\n", stdout);
}

static void print_preprocessing(const preprocess_report *report)
{
    fputs("preprocessing: ", stdout);
    if (!report->inverted && !report->resized) {
        puts("none (already a 28x28 white-on-black digit)");
        return;
    }
    if (report->inverted)
        fputs("inverted (dark digit on light background)", stdout);
    if (report->inverted && report->resized)
        fputs("; ", stdout);
    if (report->resized)
        printf("cropped to %zux%zu at (%zu, %zu), scaled to %zux%zu, "
               "centred by centre of mass",
               report->crop_width, report->crop_height, report->crop_x,
               report->crop_y, report->scaled_width, report->scaled_height);
    putchar('\n');
}

static void print_text(const char *path, const image_result *result,
                       int first)
{
    if (!first)
        putchar('\n');
    printf("%s: digit %d (probability %.4f)\n", path, result->digit,
           result->probabilities[result->digit]);
    print_preprocessing(&result->report);

    puts("probabilities:");
    for (int i = 0; i < DIGIT_CLASSES; i++) {
        int bar = (int)(result->probabilities[i] * BAR_WIDTH + 0.5);

        printf("  %d  %.6f", i, result->probabilities[i]);
        if (bar > 0)
            fputs("  ", stdout);
        for (int j = 0; j < bar; j++)
            putchar('#');
        putchar('\n');
    }

    puts("input fed to the model (28x28):");
    mnist_render(stdout, result->pixels);
}

int classify_images(const program_options *options)
{
    classifier c;
    image_result result;
    int failed = 0, printed = 0;

    if (program_open_classifier(options, &c) != 0)
        return EXIT_FAILURE;

    for (size_t i = 0; i < options->image_count; i++) {
        const char *path = options->images[i];

        if (classify_file(&c, path, &result) != 0) {
            failed = 1;
            continue;
        }
        if (options->json)
            print_json(path, &result);
        else
            print_text(path, &result, printed == 0);
        printed++;
        fflush(stdout);
    }

    classifier_close(&c);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
