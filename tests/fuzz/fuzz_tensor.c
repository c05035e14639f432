/*
 * fuzz_tensor.c - fuzz target: the input bytes are a serialized
 * TensorProto, as in the input_N.pb and output_N.pb files of the ONNX
 * backend tests.
 *
 * The bytes go to onnxmini_tensor_proto_load_memory(); a tensor that loads
 * is viewed (every byte of its data is read) and freed.
 */
#include <string.h>

#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    onnxmini_tensor_proto *tensor = NULL;
    onnxmini_tensor view;
    onnxmini_error error;
    onnxmini_status st;
    const char *name;

    st = onnxmini_tensor_proto_load_memory(data, size, &tensor, &error);
    fuzz_check_error("onnxmini_tensor_proto_load_memory", st, &error);
    FUZZ_CHECK((st == ONNXMINI_OK) == (tensor != NULL),
               "tensor_proto_load_memory returned %d and tensor %p", (int)st,
               (void *)tensor);
    if (st != ONNXMINI_OK)
        return 0;

    name = onnxmini_tensor_proto_name(tensor);
    FUZZ_CHECK(name != NULL, "a loaded tensor has a NULL name");
    FUZZ_CHECK(strlen(name) <= size, "the name has %zu characters, more "
               "than the %zu input bytes", strlen(name), size);
    onnxmini_tensor_proto_view(tensor, &view);
    fuzz_check_view("tensor", &view);
    onnxmini_tensor_proto_free(tensor);
    return 0;
}
