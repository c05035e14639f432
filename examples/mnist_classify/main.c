/*
 * main.c - mnist_classify: classify handwritten digits with libonnxmini.
 *
 * Command-line parsing and the choice of mode; the modes live in
 * classify_images.c and evaluate.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error_message.h"
#include "program.h"

#define DEFAULT_MODEL_NAME "mnist-12.onnx"

static void print_usage(FILE *out)
{
    fputs(
        "Usage: mnist_classify [OPTIONS] IMAGE...\n"
        "       mnist_classify [OPTIONS] --mnist DIR [--limit N]\n"
        "\n"
        "Classify handwritten digits with an ONNX MNIST model and libonnxmini "
        "(" ONNXMINI_VERSION_STRING ").\n"
        "\n"
        "The first form classifies PGM (P2, P5) and PNG pictures of up to 64\n"
        "megapixels. A picture is inverted if it is dark on light. Unless it\n"
        "is 28x28, it is then cropped to the digit, scaled into 20x20 and\n"
        "centred in 28x28 by its centre of mass, as MNIST was prepared. It\n"
        "prints the digit, the ten probabilities and the 28x28 input.\n"
        "\n"
        "The second form evaluates the MNIST test set in DIR\n"
        "(t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz]) and\n"
        "prints accuracy, the confusion matrix, latency and throughput.\n"
        "\n"
        "Options:\n"
        "  --model FILE    ONNX model (default: mnist-12.onnx in\n"
        "                  $ONNXMINI_DATA_DIR, or in ./data when it is unset)\n"
        "  --mnist DIR     evaluate the MNIST test set in DIR\n"
        "  --limit N       evaluate only the first N test images (N >= 1)\n"
        "  --json          print JSON: one object per image, or one object\n"
        "                  for the evaluation\n"
        "  --scale MODE    input scaling: unit (pixel/255, 0..1) or raw\n"
        "                  (0..255); default: unit for a float input, raw for\n"
        "                  a uint8 input\n"
        "  --isa NAME      kernel instruction set, such as scalar or avx2\n"
        "                  (default: $ONNXMINI_ISA, else the best the CPU\n"
        "                  supports)\n"
        "  -h, --help      print this help and exit\n"
        "\n"
        "Options may follow the image files; \"--\" ends the options.\n"
        "\n"
        "Exit status: 0 on success, 1 when anything failed, 2 for an invalid\n"
        "command line.\n",
        out);
}

/* Prints the problem and the usage to stderr; returns EXIT_USAGE. */
static int usage_error(const char *format, ...) PRINTF_FORMAT(1, 2);

static int usage_error(const char *format, ...)
{
    va_list args;

    fputs("mnist_classify: ", stderr);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fputs("\n\n", stderr);
    print_usage(stderr);
    return EXIT_USAGE;
}

/* Returns 1 when `argument` is option `name`, alone or as "name=value". */
static int is_option(const char *argument, const char *name)
{
    size_t length = strlen(name);

    return strncmp(argument, name, length) == 0 &&
           (argument[length] == '\0' || argument[length] == '=');
}

/* Returns the value of the option at argv[*i]: the text after "=" in
 * "--name=value", or the next argument (advancing *i). NULL when there is
 * none. */
static const char *option_value(int argc, char **argv, int *i)
{
    const char *equals = strchr(argv[*i], '=');

    if (equals != NULL)
        return equals + 1;
    if (*i + 1 >= argc)
        return NULL;
    (*i)++;
    return argv[*i];
}

/* Parses a decimal count of at least 1. */
static int parse_limit(const char *text, unsigned long *limit)
{
    char *end;
    unsigned long value;

    if (text[0] < '0' || text[0] > '9')
        return -1;
    errno = 0;
    value = strtoul(text, &end, 10);
    if (errno != 0 || *end != '\0' || value == 0)
        return -1;
    *limit = value;
    return 0;
}

/* Fills *options from the command line. Returns -1 after printing --help
 * (exit 0), EXIT_USAGE after a usage error, else 0. */
static int parse_options(int argc, char **argv, program_options *options)
{
    int limit_given = 0;
    int image_count = 0;
    int i;

    memset(options, 0, sizeof *options);
    options->scaling = INPUT_SCALING_AUTO;

    /* Options may come before or after the image files, as with GNU
     * getopt. The image arguments are gathered at the front of argv, which
     * is safe because they move only to slots already read. */
    for (i = 1; i < argc; i++) {
        const char *argument = argv[i];
        const char *value;

        if (strcmp(argument, "--") == 0) {
            for (i++; i < argc; i++)
                argv[1 + image_count++] = argv[i];
            break;
        }
        if (argument[0] != '-' || argument[1] == '\0') {
            argv[1 + image_count++] = argv[i];
            continue;
        }

        if (strcmp(argument, "-h") == 0 || strcmp(argument, "--help") == 0) {
            print_usage(stdout);
            return -1;
        }
        if (strcmp(argument, "--json") == 0) {
            options->json = 1;
            continue;
        }
        if (!is_option(argument, "--model") && !is_option(argument, "--mnist") &&
            !is_option(argument, "--limit") && !is_option(argument, "--scale") &&
            !is_option(argument, "--isa"))
            return usage_error("unknown option '%s'", argument);

        /* Every remaining option takes a value. */
        value = option_value(argc, argv, &i);
        if (value == NULL)
            return usage_error("option '%s' requires a value", argument);
        if (is_option(argument, "--model")) {
            options->model_path = value;
        } else if (is_option(argument, "--mnist")) {
            options->mnist_dir = value;
        } else if (is_option(argument, "--limit")) {
            if (parse_limit(value, &options->limit) != 0)
                return usage_error("invalid --limit '%s': expected a whole "
                                   "number of at least 1", value);
            limit_given = 1;
        } else if (is_option(argument, "--scale")) {
            if (strcmp(value, "unit") == 0)
                options->scaling = INPUT_SCALING_UNIT;
            else if (strcmp(value, "raw") == 0)
                options->scaling = INPUT_SCALING_RAW;
            else
                return usage_error("invalid --scale '%s': expected unit or "
                                   "raw", value);
        } else {
            options->isa = value;
        }
    }

    options->images = argv + 1;
    options->image_count = (size_t)image_count;
    if (options->mnist_dir != NULL && options->image_count > 0)
        return usage_error("--mnist cannot be combined with image files "
                           "('%s')", options->images[0]);
    if (options->mnist_dir == NULL && options->image_count == 0)
        return usage_error("missing IMAGE files or --mnist DIR");
    if (limit_given && options->mnist_dir == NULL)
        return usage_error("--limit applies only with --mnist");
    return 0;
}

/* Returns the default model path, malloc'd: $ONNXMINI_DATA_DIR/mnist-12.onnx
 * or data/mnist-12.onnx. NULL when out of memory. */
static char *default_model_path(void)
{
    const char *directory = getenv("ONNXMINI_DATA_DIR");
    size_t size;
    char *path;

    if (directory == NULL || directory[0] == '\0')
        directory = "data";
    size = strlen(directory) + 1 + sizeof DEFAULT_MODEL_NAME;
    path = malloc(size);
    if (path != NULL)
        snprintf(path, size, "%s/%s", directory, DEFAULT_MODEL_NAME);
    return path;
}

int program_open_classifier(const program_options *options, classifier *c)
{
    error_message error;

    if (classifier_open(c, options->model_path, options->scaling,
                        options->isa, &error) == 0)
        return 0;

    error_print_about(c->failed_step, options->model_path, error.text);
    if (options->default_model && access(options->model_path, F_OK) != 0)
        fputs("mnist_classify: this is the default model; pass --model FILE "
              "or set ONNXMINI_DATA_DIR to the directory that contains "
              DEFAULT_MODEL_NAME "\n", stderr);
    return -1;
}

int main(int argc, char **argv)
{
    program_options options;
    char *model_path = NULL;
    int status;

    status = parse_options(argc, argv, &options);
    if (status == -1)
        return EXIT_SUCCESS;
    if (status != 0)
        return status;

    if (options.model_path == NULL) {
        model_path = default_model_path();
        if (model_path == NULL) {
            error_print("finding the default model", "out of memory");
            return EXIT_FAILURE;
        }
        options.model_path = model_path;
        options.default_model = 1;
    }

    status = options.mnist_dir != NULL ? evaluate_mnist(&options)
                                       : classify_images(&options);
    free(model_path);

    if (fflush(stdout) != 0 || ferror(stdout)) {
        error_print("writing the results", strerror(errno));
        status = EXIT_FAILURE;
    }
    return status;
}
