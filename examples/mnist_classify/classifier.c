/*
 * classifier.c - loading an MNIST model, checking its interface, scaling
 * pixels and running inference through the public onnxmini API.
 */
#include "classifier.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Values per image: the model's input and output. */
#define INPUT_VALUES MNIST_PIXELS
#define OUTPUT_VALUES DIGIT_CLASSES

/* The default pixel scaling for each kind of model input.
 *
 * The model zoo's float models (mnist-8, mnist-12: float input
 * [1,1,28,28]) were trained on pixel/255. A model with a uint8 input takes
 * the raw bytes. --scale overrides the choice for float inputs.
 *
 * NOTE: mnist-12-int8 has the same float input as mnist-12 but expects raw
 * 0..255 values, because its QuantizeLinear scale was calibrated on them.
 * The public API does not list a model's operators, so this table cannot
 * distinguish the two. That model needs --scale raw once the library
 * supports its quantised operators. */
static const struct input_kind {
    onnxmini_dtype dtype;
    input_scaling scaling;
} input_kinds[] = {
    {ONNXMINI_FLOAT, INPUT_SCALING_UNIT},
    /* NOTE: untested, because the library has no operator yet (such as
     * Cast) that a uint8-input MNIST model would use. */
    {ONNXMINI_UINT8, INPUT_SCALING_RAW},
};

/* Returns the library's message, or the status description should the
 * message be empty. */
static const char *library_message(const char *message, onnxmini_status status)
{
    return message[0] != '\0' ? message : onnxmini_status_string(status);
}

/* Writes a shape such as "[N,1,28,28]" into buffer. */
static void format_shape(const onnxmini_value_info *info, char *buffer,
                         size_t size)
{
    size_t used;

    if (info->rank < 0) {
        snprintf(buffer, size, "(none declared)");
        return;
    }
    snprintf(buffer, size, "[");
    for (int i = 0; i < info->rank; i++) {
        used = strlen(buffer);
        if (info->dims[i] >= 0)
            snprintf(buffer + used, size - used, "%s%lld", i > 0 ? "," : "",
                     (long long)info->dims[i]);
        else
            snprintf(buffer + used, size - used, "%s%s", i > 0 ? "," : "",
                     info->dim_names != NULL && info->dim_names[i] != NULL
                         ? info->dim_names[i]
                         : "?");
    }
    used = strlen(buffer);
    snprintf(buffer + used, size - used, "]");
}

/* Returns 1 when a declared shape is that of a batch of one item: the
 * first dimension is the batch (1 or symbolic), and the others are fixed
 * and multiply to `values`. Writes the shape with the batch bound to 1
 * into dims when not NULL. A rank above 4 is rejected, as no MNIST model
 * uses one. */
static int is_shape_of_one_item(const onnxmini_value_info *info,
                                 int64_t values, int64_t dims[4])
{
    int64_t product = 1;

    if (info->rank < 2 || info->rank > 4)
        return 0;
    if (info->dims[0] != 1 && info->dims[0] != -1)
        return 0;
    for (int i = 1; i < info->rank; i++) {
        if (info->dims[i] <= 0 || info->dims[i] > values)
            return 0;
        product *= info->dims[i];
    }
    if (product != values)
        return 0;

    if (dims != NULL) {
        dims[0] = 1;
        for (int i = 1; i < info->rank; i++)
            dims[i] = info->dims[i];
    }
    return 1;
}

/* Checks the model's input and output and resolves the scaling. */
static int check_interface(classifier *c, input_scaling requested,
                           error_message *error)
{
    onnxmini_value_info input, output;
    char shape[128];
    size_t count = onnxmini_model_input_count(c->model);
    int known_kind = 0;

    if (count != 1)
        return error_set(error, "the model has %zu inputs; this program "
                                "feeds exactly one image input", count);
    if (onnxmini_model_input_info(c->model, 0, &input) != ONNXMINI_OK)
        return error_set(error, "cannot read the description of input 0");

    /* The element type selects the default scaling. */
    for (size_t i = 0; i < sizeof input_kinds / sizeof input_kinds[0]; i++) {
        if (input_kinds[i].dtype == input.dtype) {
            known_kind = 1;
            c->scaling = input_kinds[i].scaling;
        }
    }
    if (!known_kind)
        return error_set(error, "input '%s' has element type %s; this "
                                "program feeds float or uint8 pixels",
                         input.name, onnxmini_dtype_name(input.dtype));
    if (requested == INPUT_SCALING_UNIT && input.dtype != ONNXMINI_FLOAT)
        return error_set(error, "--scale unit needs a float input, but "
                                "input '%s' is %s",
                         input.name, onnxmini_dtype_name(input.dtype));
    if (requested != INPUT_SCALING_AUTO)
        c->scaling = requested;
    c->input_dtype = input.dtype;

    if (!is_shape_of_one_item(&input, INPUT_VALUES, c->input_dims)) {
        format_shape(&input, shape, sizeof shape);
        return error_set(error, "input '%s' has shape %s; expected one 28x28 "
                                "image (784 values) such as [1,1,28,28] or "
                                "[N,1,28,28]",
                         input.name, shape);
    }
    c->input_rank = (size_t)input.rank;

    /* An output whose shape is not declared is checked after each run. */
    if (onnxmini_model_output_count(c->model) < 1 ||
        onnxmini_model_output_info(c->model, 0, &output) != ONNXMINI_OK)
        return error_set(error, "the model declares no output");
    if (output.dtype != ONNXMINI_FLOAT && output.dtype != ONNXMINI_UNDEFINED)
        return error_set(error, "output '%s' has element type %s; expected "
                                "float scores", output.name,
                         onnxmini_dtype_name(output.dtype));
    if (output.rank >= 0 && !is_shape_of_one_item(&output, OUTPUT_VALUES,
                                                   NULL)) {
        format_shape(&output, shape, sizeof shape);
        return error_set(error, "output '%s' has shape %s; expected 10 "
                                "scores per image such as [1,10]",
                         output.name, shape);
    }
    return 0;
}

int classifier_open(classifier *c, const char *model_path,
                    input_scaling scaling, const char *isa,
                    error_message *error)
{
    onnxmini_error library_error;
    onnxmini_session_options options;
    onnxmini_status status;

    memset(c, 0, sizeof *c);

    c->failed_step = "loading model";
    status = onnxmini_model_load_file(model_path, &c->model, &library_error);
    if (status != ONNXMINI_OK) {
        const char *message = library_message(library_error.message, status);
        size_t length = strlen(model_path);

        /* The caller prints the path already, so a message that starts
         * with "<path>: " is shortened. */
        if (strncmp(message, model_path, length) == 0 &&
            strncmp(message + length, ": ", 2) == 0)
            message += length + 2;
        return error_set(error, "%s", message);
    }

    c->failed_step = "checking model";
    if (check_interface(c, scaling, error) != 0)
        goto fail;

    c->failed_step = "creating a session for model";
    onnxmini_session_options_init(&options);
    options.isa = isa;
    status = onnxmini_session_create(c->model, &options, &c->session,
                                     &library_error);
    if (status != ONNXMINI_OK) {
        error_set(error, "%s", library_message(library_error.message, status));
        goto fail;
    }

    c->failed_step = NULL;
    return 0;

fail:
    onnxmini_session_destroy(c->session);
    onnxmini_model_free(c->model);
    c->session = NULL;
    c->model = NULL;
    return -1;
}

void classifier_close(classifier *c)
{
    if (c == NULL)
        return;
    onnxmini_session_destroy(c->session);
    onnxmini_model_free(c->model);
    c->session = NULL;
    c->model = NULL;
}

const char *classifier_scaling_name(const classifier *c)
{
    if (c->input_dtype == ONNXMINI_UINT8)
        return "uint8 pixel (0..255)";
    if (c->scaling == INPUT_SCALING_RAW)
        return "float pixel (0..255)";
    return "float pixel/255 (0..1)";
}

void classifier_load_pixels(classifier *c, const uint8_t pixels[MNIST_PIXELS])
{
    if (c->input_dtype == ONNXMINI_UINT8) {
        memcpy(c->input_bytes, pixels, MNIST_PIXELS);
        return;
    }
    for (size_t i = 0; i < MNIST_PIXELS; i++)
        c->input_floats[i] = c->scaling == INPUT_SCALING_RAW
            ? (float)pixels[i]
            : (float)pixels[i] / 255.0f;
}

int classifier_infer(classifier *c, float logits[DIGIT_CLASSES],
                     error_message *error)
{
    onnxmini_tensor output;
    const void *data = c->input_dtype == ONNXMINI_UINT8
        ? (const void *)c->input_bytes
        : (const void *)c->input_floats;
    size_t bytes = c->input_dtype == ONNXMINI_UINT8
        ? sizeof c->input_bytes
        : sizeof c->input_floats;
    const float *scores;
    onnxmini_status status;

    status = onnxmini_session_set_input_at(c->session, 0, c->input_dtype,
                                           c->input_dims, c->input_rank, data,
                                           bytes);
    if (status == ONNXMINI_OK)
        status = onnxmini_session_run(c->session);
    if (status == ONNXMINI_OK)
        status = onnxmini_session_output(c->session, 0, &output);
    if (status != ONNXMINI_OK)
        return error_set(error, "%s",
                         library_message(onnxmini_session_message(c->session),
                                         status));

    if (output.dtype != ONNXMINI_FLOAT ||
        output.bytes != OUTPUT_VALUES * sizeof(float))
        return error_set(error, "the model returned %zu bytes of %s; "
                                "expected 10 float scores",
                         output.bytes, onnxmini_dtype_name(output.dtype));

    scores = output.data;
    for (int i = 0; i < DIGIT_CLASSES; i++) {
        if (!isfinite(scores[i]))
            return error_set(error, "the model returned a non-finite score "
                                    "(%g) for digit %d", scores[i], i);
        logits[i] = scores[i];
    }
    return 0;
}

int softmax_digit(const float logits[DIGIT_CLASSES],
                  double probabilities[DIGIT_CLASSES])
{
    int best = 0;
    double sum = 0.0;

    for (int i = 1; i < DIGIT_CLASSES; i++) {
        if (logits[i] > logits[best])
            best = i;
    }

    /* Subtracting the largest logit keeps exp() from overflowing. */
    for (int i = 0; i < DIGIT_CLASSES; i++) {
        probabilities[i] = exp((double)logits[i] - (double)logits[best]);
        sum += probabilities[i];
    }
    for (int i = 0; i < DIGIT_CLASSES; i++)
        probabilities[i] /= sum;
    return best;
}
