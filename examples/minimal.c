/*
 * minimal.c - load a model, feed every input with zeros, run it once and
 * print each output's shape and first values. A starting point for using
 * libonnxmini from C.
 *
 * Build: cc -Iinclude minimal.c build/lib/libonnxmini.a -lprotobuf-c -lm
 * Usage: minimal MODEL.onnx
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnxmini.h"

int main(int argc, char **argv)
{
    onnxmini_model *model = NULL;
    onnxmini_session *session = NULL;
    onnxmini_error err;
    void **buffers = NULL;
    size_t n_inputs, i, j;
    int status = 1;

    if (argc == 2 &&
        (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        printf("usage: %s MODEL.onnx\n\nLoads the model, feeds every input "
               "with zeros, runs it once and prints\neach output's shape "
               "and first values.\n",
               argv[0]);
        return 0;
    }
    if (argc != 2) {
        fprintf(stderr, "usage: %s MODEL.onnx\n", argv[0]);
        return 2;
    }

    /* Load the model and plan a session for it. */
    if (onnxmini_model_load_file(argv[1], &model, &err) != ONNXMINI_OK) {
        fprintf(stderr, "minimal: %s\n", err.message);
        return 1;
    }
    if (onnxmini_session_create(model, NULL, &session, &err) != ONNXMINI_OK) {
        fprintf(stderr, "minimal: %s\n", err.message);
        goto done;
    }

    /* Feed zeros of each input's declared shape; a symbolic dimension such
     * as a batch size gets 1. */
    n_inputs = onnxmini_model_input_count(model);
    buffers = calloc(n_inputs ? n_inputs : 1, sizeof *buffers);
    if (!buffers)
        goto done;
    for (i = 0; i < n_inputs; i++) {
        onnxmini_value_info info;
        int64_t dims[16];
        size_t count = 1, bytes;

        onnxmini_model_input_info(model, i, &info);
        if (info.rank < 0 || info.rank > 16) {
            fprintf(stderr, "minimal: input '%s' declares no usable shape\n",
                    info.name);
            goto done;
        }
        for (j = 0; j < (size_t)info.rank; j++) {
            dims[j] = info.dims[j] >= 0 ? info.dims[j] : 1;
            count *= (size_t)dims[j];
        }
        bytes = count * onnxmini_dtype_size(info.dtype);
        buffers[i] = calloc(bytes ? bytes : 1, 1);
        if (!buffers[i] ||
            onnxmini_session_set_input(session, info.name, info.dtype, dims,
                                       (size_t)info.rank, buffers[i],
                                       bytes) != ONNXMINI_OK) {
            fprintf(stderr, "minimal: %s\n", onnxmini_session_message(session));
            goto done;
        }
    }

    /* Run, then print every output. */
    if (onnxmini_session_run(session) != ONNXMINI_OK) {
        fprintf(stderr, "minimal: %s\n", onnxmini_session_message(session));
        goto done;
    }
    for (i = 0; i < onnxmini_model_output_count(model); i++) {
        onnxmini_value_info info;
        onnxmini_tensor out;

        onnxmini_model_output_info(model, i, &info);
        onnxmini_session_output(session, i, &out);
        printf("%s: %s [", info.name, onnxmini_dtype_name(out.dtype));
        for (j = 0; j < out.rank; j++)
            printf("%s%lld", j ? "," : "", (long long)out.dims[j]);
        printf("]");
        if (out.dtype == ONNXMINI_FLOAT) {
            const float *v = out.data;
            for (j = 0; j < out.bytes / sizeof(float) && j < 10; j++)
                printf(" %g", v[j]);
        }
        printf("\n");
    }
    status = 0;

done:
    for (i = 0; buffers && i < onnxmini_model_input_count(model); i++)
        free(buffers[i]);
    free(buffers);
    onnxmini_session_destroy(session);
    onnxmini_model_free(model);
    return status;
}
