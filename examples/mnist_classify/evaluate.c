/*
 * evaluate.c - the --mnist mode: accuracy, confusion matrix, latency and
 * throughput on the MNIST test set.
 *
 * Latency covers only the library calls of one inference (set input, run,
 * read the output), timed with CLOCK_MONOTONIC. Reading, scaling and
 * bookkeeping are outside the timed section, and throughput is the number
 * of images divided by the sum of those latencies.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classifier.h"
#include "error_message.h"
#include "idx.h"
#include "json.h"
#include "program.h"
#include "stats.h"

/* How often the progress line is updated, in images. */
#define PROGRESS_INTERVAL 100

/* Accepted file names, in order of preference. The dotted spellings are
 * those of some mirrors of the data set. */
static const char *const image_file_names[] = {
    "t10k-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte",
    "t10k-images.idx3-ubyte.gz", "t10k-images.idx3-ubyte"};
static const char *const label_file_names[] = {
    "t10k-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte",
    "t10k-labels.idx1-ubyte.gz", "t10k-labels.idx1-ubyte"};
#define NAME_CHOICES 4

typedef struct evaluation {
    unsigned long images;
    unsigned long correct;
    unsigned long confusion[DIGIT_CLASSES][DIGIT_CLASSES]; /* [true][predicted] */
    latency_log latencies;
} evaluation;

/* Returns the malloc'd path of the first of `names` that exists in
 * `directory`, or NULL with the reason in *error. */
static char *find_file(const char *directory, const char *const *names,
                       const char *what, error_message *error)
{
    for (size_t i = 0; i < NAME_CHOICES; i++) {
        size_t size = strlen(directory) + strlen(names[i]) + 2;
        char *path = malloc(size);

        if (path == NULL) {
            error_set(error, "out of memory");
            return NULL;
        }
        snprintf(path, size, "%s/%s", directory, names[i]);
        if (access(path, F_OK) == 0)
            return path;
        free(path);
    }
    error_set(error, "no %s file found; expected %s, %s, %s or %s", what,
              names[0], names[1], names[2], names[3]);
    return NULL;
}

/* Opens the test images and labels in `directory` and checks that they
 * contain the same number of items. */
static int open_test_set(const char *directory, idx_file *images,
                         idx_file *labels)
{
    error_message error;
    char *images_path = NULL, *labels_path = NULL;
    int status = -1;

    memset(images, 0, sizeof *images);
    memset(labels, 0, sizeof *labels);

    images_path = find_file(directory, image_file_names, "test image", &error);
    if (images_path == NULL) {
        error_print_about("finding the MNIST test set in", directory,
                          error.text);
        goto done;
    }
    labels_path = find_file(directory, label_file_names, "test label", &error);
    if (labels_path == NULL) {
        error_print_about("finding the MNIST test set in", directory,
                          error.text);
        goto done;
    }

    if (idx_open_images(images, images_path, &error) != 0) {
        error_print_about("reading test images", images_path, error.text);
        goto done;
    }
    if (idx_open_labels(labels, labels_path, &error) != 0) {
        error_print_about("reading test labels", labels_path, error.text);
        goto done;
    }
    if (images->count != labels->count) {
        error_set(&error, "'%s' contains %lu images but '%s' contains %lu "
                          "labels",
                  images_path, (unsigned long)images->count, labels_path,
                  (unsigned long)labels->count);
        error_print("checking the MNIST test set", error.text);
        goto done;
    }
    status = 0;

done:
    if (status != 0) {
        idx_close(images);
        idx_close(labels);
    }
    free(images_path);
    free(labels_path);
    return status;
}

/* Overwrites the progress line with spaces, so later output starts clean. */
static void clear_progress(int progress_shown)
{
    if (progress_shown) {
        printf("\r%60s\r", "");
        fflush(stdout);
    }
}

/* Classifies `count` test images, filling *result. Prints its error. */
static int run_test_set(classifier *c, idx_file *images, idx_file *labels,
                        unsigned long count, evaluation *result)
{
    int show_progress = isatty(STDOUT_FILENO);
    uint8_t pixels[MNIST_PIXELS];
    float logits[DIGIT_CLASSES];
    double probabilities[DIGIT_CLASSES];
    error_message error;

    for (unsigned long i = 0; i < count; i++) {
        uint8_t label;
        double start, elapsed;
        int digit;

        if (idx_read_image(images, pixels, &error) != 0) {
            clear_progress(show_progress);
            error_print_about("reading test images", images->path,
                              error.text);
            return -1;
        }
        if (idx_read_label(labels, &label, &error) != 0) {
            clear_progress(show_progress);
            error_print_about("reading test labels", labels->path,
                              error.text);
            return -1;
        }

        classifier_load_pixels(c, pixels);
        start = monotonic_microseconds();
        if (classifier_infer(c, logits, &error) != 0) {
            char what[64];

            clear_progress(show_progress);
            snprintf(what, sizeof what, "classifying test image %lu", i);
            error_print(what, error.text);
            return -1;
        }
        elapsed = monotonic_microseconds() - start;

        if (latency_log_add(&result->latencies, elapsed, &error) != 0) {
            clear_progress(show_progress);
            error_print("recording latencies", error.text);
            return -1;
        }
        digit = softmax_digit(logits, probabilities);
        result->confusion[label][digit]++;
        result->correct += (unsigned long)(digit == label);
        result->images++;

        if (show_progress && (result->images % PROGRESS_INTERVAL == 0 ||
                              result->images == count)) {
            printf("\revaluated %lu of %lu images, %.2f %% correct",
                   result->images, count,
                   100.0 * (double)result->correct / (double)result->images);
            fflush(stdout);
        }
    }
    clear_progress(show_progress);
    return 0;
}

static void print_text(const program_options *options, const classifier *c,
                       const evaluation *result,
                       const latency_summary *latency, double throughput)
{
    printf("model:            %s\n", options->model_path);
    printf("input scaling:    %s\n", classifier_scaling_name(c));
    printf("kernels:          %s\n", onnxmini_session_isa(c->session));
    printf("images evaluated: %lu\n", result->images);
    printf("correct:          %lu\n", result->correct);
    printf("accuracy:         %.2f %%\n",
           100.0 * (double)result->correct / (double)result->images);

    puts("confusion matrix (rows: true label, columns: predicted label):");
    fputs("      ", stdout);
    for (int predicted = 0; predicted < DIGIT_CLASSES; predicted++)
        printf("%6d", predicted);
    putchar('\n');
    for (int label = 0; label < DIGIT_CLASSES; label++) {
        printf("  %d | ", label);
        for (int predicted = 0; predicted < DIGIT_CLASSES; predicted++)
            printf("%6lu", result->confusion[label][predicted]);
        putchar('\n');
    }

    printf("latency per inference: median %.1f us, p99 %.1f us\n",
           latency->median_us, latency->p99_us);
    printf("throughput:       %.0f inferences/s\n", throughput);
}

/* Rounds to one decimal, the precision the text report shows, since the
 * clock's noise makes further digits meaningless. */
static double round_to_tenth(double value)
{
    return floor(value * 10.0 + 0.5) / 10.0;
}

static void print_json(const program_options *options, const classifier *c,
                       const evaluation *result,
                       const latency_summary *latency, double throughput)
{
    fputs("{\"model\": ", stdout);
    json_write_string(stdout, options->model_path);
    fputs(", \"scaling\": ", stdout);
    json_write_string(stdout, c->scaling == INPUT_SCALING_RAW ? "raw" : "unit");
    fputs(", \"isa\": ", stdout);
    json_write_string(stdout, onnxmini_session_isa(c->session));
    printf(", \"images\": %lu, \"correct\": %lu, \"accuracy\": ",
           result->images, result->correct);
    json_write_number(stdout,
                      (double)result->correct / (double)result->images);
    fputs(", \"latency_us\": {\"median\": ", stdout);
    json_write_number(stdout, round_to_tenth(latency->median_us));
    fputs(", \"p99\": ", stdout);
    json_write_number(stdout, round_to_tenth(latency->p99_us));
    fputs("}, \"throughput_per_s\": ", stdout);
    json_write_number(stdout, round_to_tenth(throughput));

    fputs(", \"confusion\": [", stdout);
    for (int label = 0; label < DIGIT_CLASSES; label++) {
        fputs(label > 0 ? ", [" : "[", stdout);
        for (int predicted = 0; predicted < DIGIT_CLASSES; predicted++)
            printf("%s%lu", predicted > 0 ? ", " : "",
                   result->confusion[label][predicted]);
        putchar(']');
    }
    fputs("]}\n", stdout);
}

int evaluate_mnist(const program_options *options)
{
    classifier c;
    idx_file images, labels;
    evaluation result;
    latency_summary latency;
    unsigned long count;
    double throughput;
    int status = EXIT_FAILURE;

    if (open_test_set(options->mnist_dir, &images, &labels) != 0)
        return EXIT_FAILURE;
    if (program_open_classifier(options, &c) != 0) {
        idx_close(&images);
        idx_close(&labels);
        return EXIT_FAILURE;
    }
    memset(&result, 0, sizeof result);

    count = images.count;
    if (options->limit != 0 && options->limit < count)
        count = options->limit;
    if (run_test_set(&c, &images, &labels, count, &result) != 0)
        goto done;

    latency_summarise(&result.latencies, &latency);
    throughput = latency.total_us > 0.0
        ? (double)result.images / (latency.total_us / 1e6)
        : 0.0;
    if (options->json)
        print_json(options, &c, &result, &latency, throughput);
    else
        print_text(options, &c, &result, &latency, throughput);
    status = EXIT_SUCCESS;

done:
    latency_log_free(&result.latencies);
    classifier_close(&c);
    idx_close(&images);
    idx_close(&labels);
    return status;
}
