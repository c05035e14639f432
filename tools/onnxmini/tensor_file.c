/*
 * tensor_file.c - read tensors from TensorProto (.pb) and NumPy (.npy)
 * files, and write TensorProto files with the generated protobuf-c code.
 */
#include <stdlib.h>
#include <string.h>

#include "npy.h"
#include "onnx.pb-c.h"
#include "tool.h"

int tool_tensor_load(const char *path, tool_tensor *tensor)
{
    onnxmini_error err;
    uint8_t *bytes;
    size_t size;
    char message[256];
    npy_array array;

    memset(tensor, 0, sizeof *tensor);
    tensor->name = "";
    if (tool_read_file("tensor file", path, &bytes, &size) != 0)
        return -1;

    /* A .npy file, whatever its name ends with. */
    if (npy_has_magic(bytes, size)) {
        int status = npy_decode(bytes, size, &array, message, sizeof message);

        free(bytes);
        if (status != 0) {
            tool_error("invalid .npy file '%s': %s", path, message);
            return -1;
        }
        memcpy(tensor->npy_dims, array.dims, array.rank * sizeof *array.dims);
        tensor->npy_data = array.data;
        tensor->view.dtype = array.dtype;
        tensor->view.rank = array.rank;
        tensor->view.dims = tensor->npy_dims;
        tensor->view.data = array.data;
        tensor->view.bytes = array.bytes;
        return 0;
    }

    /* Otherwise a serialized TensorProto. The library's message names
     * what is wrong with it. */
    if (onnxmini_tensor_proto_load_memory(bytes, size, &tensor->proto, &err) !=
        ONNXMINI_OK) {
        free(bytes);
        tool_error("invalid tensor file '%s' (neither .npy nor an ONNX "
                   "TensorProto): %s", path, err.message);
        return -1;
    }
    free(bytes);
    onnxmini_tensor_proto_view(tensor->proto, &tensor->view);
    tensor->name = onnxmini_tensor_proto_name(tensor->proto);
    return 0;
}

void tool_tensor_free(tool_tensor *tensor)
{
    onnxmini_tensor_proto_free(tensor->proto);
    free(tensor->npy_data);
    memset(tensor, 0, sizeof *tensor);
}

int tool_write_tensor_proto(const char *path, const char *name,
                            const onnxmini_tensor *tensor)
{
    Onnxmini__Pb__TensorProto proto = ONNXMINI__PB__TENSOR_PROTO__INIT;
    int64_t *dims = NULL;
    uint8_t *raw = NULL, *packed = NULL;
    char *name_copy = NULL;
    size_t size;
    int status = -1;

    if (onnxmini_dtype_size(tensor->dtype) == 0) {
        tool_error("cannot write '%s': element type %s has no fixed size",
                   path, onnxmini_dtype_name(tensor->dtype));
        return -1;
    }

    /* The message's fields point to copies, since the generated struct
     * takes non-const pointers. raw_data is little-endian on every host
     * (ONNX TensorProto). */
    dims = malloc((tensor->rank ? tensor->rank : 1) * sizeof *dims);
    raw = malloc(tensor->bytes ? tensor->bytes : 1);
    name_copy = malloc(strlen(name) + 1);
    if (!dims || !raw || !name_copy) {
        tool_error("out of memory writing '%s'", path);
        goto done;
    }
    if (tensor->rank)
        memcpy(dims, tensor->dims, tensor->rank * sizeof *dims);
    tool_copy_elements(raw, tensor->data, tensor->bytes,
                       tool_byte_order_unit(tensor->dtype),
                       !tool_host_is_little_endian());
    strcpy(name_copy, name);

    proto.n_dims = tensor->rank;
    proto.dims = dims;
    proto.has_data_type = 1;
    proto.data_type = (int32_t)tensor->dtype;
    proto.name = name_copy;
    proto.has_raw_data = 1;
    proto.raw_data.len = tensor->bytes;
    proto.raw_data.data = raw;

    size = onnxmini__pb__tensor_proto__get_packed_size(&proto);
    packed = malloc(size ? size : 1);
    if (!packed) {
        tool_error("out of memory writing '%s' (%zu bytes)", path, size);
        goto done;
    }
    if (onnxmini__pb__tensor_proto__pack(&proto, packed) != size) {
        tool_error("cannot encode the tensor for '%s'", path);
        goto done;
    }
    status = tool_write_file(path, packed, size);

done:
    free(packed);
    free(name_copy);
    free(raw);
    free(dims);
    return status;
}
