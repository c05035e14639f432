/*
 * compare.c - 'onnxmini compare': compare a tensor file with an expected
 * one by the rule of the conformance runner. Floating-point values must be
 * within atol + rtol * |expected|, with NaN equal to NaN and infinities
 * matched exactly. Every other type must match exactly.
 */
#include <math.h>
#include <string.h>

#include "tool.h"

/* The conformance runner's defaults (onnxmini-conformance --help). */
#define DEFAULT_RTOL 1e-3
#define DEFAULT_ATOL 1e-7

static void usage(FILE *out)
{
    fprintf(out,
"Usage: onnxmini compare ACTUAL EXPECTED [options]\n"
"\n"
"Compare two tensors, each read from an ONNX TensorProto (.pb) or NumPy\n"
"(.npy) file. They are equal when the element types and shapes match and\n"
"every value does: floating-point values within ATOL + RTOL * |expected|\n"
"(NaN equals NaN, infinities must match), other types exactly.\n"
"\n"
"Options:\n"
"  --rtol X          relative tolerance (default %g)\n"
"  --atol X          absolute tolerance (default %g)\n"
"  -h, --help        show this help\n"
"\n"
"Exit status: 0 when equal, 1 when they differ or a file cannot be read,\n"
"2 on an invalid command line.\n",
            DEFAULT_RTOL, DEFAULT_ATOL);
}

/* Compares the values of two tensors of the same type and shape. Prints
 * the verdict and returns 1 when they are equal. */
static int compare_values(const onnxmini_tensor *got,
                          const onnxmini_tensor *want, double rtol,
                          double atol)
{
    size_t element = onnxmini_dtype_size(want->dtype);
    size_t count = want->bytes / element, n_bad = 0, first = 0, worst_at = 0;
    size_t i;
    double worst = 0;
    char a[64], e[64];

    /* Complex numbers compare part by part, as two floats each. */
    onnxmini_dtype parts = want->dtype == ONNXMINI_COMPLEX64  ? ONNXMINI_FLOAT
                         : want->dtype == ONNXMINI_COMPLEX128 ? ONNXMINI_DOUBLE
                                                              : want->dtype;
    size_t n_parts = parts != want->dtype ? 2 * count : count;

    for (i = 0; i < n_parts; i++) {
        double x, y, diff;
        int bad;

        if (!tool_is_floating(parts)) {
            bad = memcmp((const char *)got->data + i * element,
                         (const char *)want->data + i * element,
                         element) != 0;
            diff = 0;
        } else {
            tool_element_as_double(parts, got->data, i, &x);
            tool_element_as_double(parts, want->data, i, &y);
            diff = fabs(x - y);
            if (isnan(x) || isnan(y))
                bad = !(isnan(x) && isnan(y));
            else if (isinf(y))
                bad = x != y;
            else
                bad = !(diff <= atol + rtol * fabs(y));
        }
        if (!bad)
            continue;
        if (n_bad++ == 0)
            first = i;
        if (tool_is_floating(parts) && (isnan(diff) || diff > worst)) {
            worst = isnan(diff) ? INFINITY : diff;
            worst_at = i;
        }
    }

    if (n_bad == 0) {
        printf("equal: %zu values", count);
        if (tool_is_floating(parts))
            printf(" within rtol %g, atol %g", rtol, atol);
        printf("\n");
        return 1;
    }
    tool_format_element(a, sizeof a, parts, got->data, first, 9);
    tool_format_element(e, sizeof e, parts, want->data, first, 9);
    printf("differ: %zu of %zu %s; first at index %zu: got %s, expected %s",
           n_bad, n_parts, parts != want->dtype ? "real and imaginary parts"
                                                : "values",
           first, a, e);
    if (tool_is_floating(parts))
        printf("; largest error %.3g at index %zu (rtol %g, atol %g)", worst,
               worst_at, rtol, atol);
    printf("\n");
    return 0;
}

int tool_compare(int argc, char **argv)
{
    const char *paths[2] = {NULL, NULL}, *value;
    double rtol = DEFAULT_RTOL, atol = DEFAULT_ATOL;
    tool_tensor got, want;
    char got_dims[1024], want_dims[1024];
    int n_paths = 0, status = EXIT_FAILED, i, r;

    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];

        if (tool_is_help(arg)) {
            usage(stdout);
            return EXIT_OK;
        }
        if ((r = tool_option_value(argc, argv, &i, "--rtol", &value)) != 0) {
            if (r < 0 || tool_parse_non_negative("--rtol", value, &rtol) != 0)
                return EXIT_USAGE;
        } else if ((r = tool_option_value(argc, argv, &i, "--atol",
                                          &value)) != 0) {
            if (r < 0 || tool_parse_non_negative("--atol", value, &atol) != 0)
                return EXIT_USAGE;
        } else if (arg[0] == '-' && arg[1]) {
            return tool_usage_error("unknown option '%s'", arg);
        } else if (n_paths == 2) {
            return tool_usage_error("more than two files given");
        } else {
            paths[n_paths++] = arg;
        }
    }
    if (n_paths != 2)
        return tool_usage_error("two files are needed, ACTUAL and EXPECTED");

    memset(&got, 0, sizeof got);
    memset(&want, 0, sizeof want);
    if (tool_tensor_load(paths[0], &got) != 0 ||
        tool_tensor_load(paths[1], &want) != 0)
        goto done;

    /* Element type and shape first: values compare only when they match. */
    tool_format_dims(got_dims, sizeof got_dims, got.view.dims, got.view.rank);
    tool_format_dims(want_dims, sizeof want_dims, want.view.dims,
                     want.view.rank);
    if (got.view.dtype != want.view.dtype) {
        printf("differ: element type %s, expected %s\n",
               onnxmini_dtype_name(got.view.dtype),
               onnxmini_dtype_name(want.view.dtype));
        goto done;
    }
    if (got.view.rank != want.view.rank ||
        (want.view.rank &&
         memcmp(got.view.dims, want.view.dims,
                want.view.rank * sizeof *want.view.dims) != 0)) {
        printf("differ: shape %s, expected %s\n", got_dims, want_dims);
        goto done;
    }
    if (onnxmini_dtype_size(want.view.dtype) == 0 ||
        got.view.bytes != want.view.bytes) {
        printf("differ: %zu bytes, expected %zu\n", got.view.bytes,
               want.view.bytes);
        goto done;
    }
    printf("%s %s: ", onnxmini_dtype_name(want.view.dtype), want_dims);
    if (compare_values(&got.view, &want.view, rtol, atol))
        status = EXIT_OK;

done:
    tool_tensor_free(&got);
    tool_tensor_free(&want);
    return status;
}
