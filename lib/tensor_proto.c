/*
 * tensor_proto.c - decode serialized TensorProto files.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "onnx.pb-c.h"

struct onnxmini_tensor_proto {
    char *name;
    om_const_tensor t;
};

void onnxmini_tensor_proto_free(onnxmini_tensor_proto *tensor)
{
    if (!tensor)
        return;
    free(tensor->name);
    om_aligned_free(tensor->t.data);
    free(tensor);
}

onnxmini_status onnxmini_tensor_proto_load_memory(const void *data, size_t size,
                                                  onnxmini_tensor_proto **tensor,
                                                  onnxmini_error *error)
{
    Onnxmini__Pb__TensorProto *tp;
    onnxmini_tensor_proto *out;
    onnxmini_status st;

    om_clear(error);
    if (!tensor)
        return om_fail(error, ONNXMINI_ERR_INVALID_ARGUMENT,
                       "the tensor out-parameter is NULL");
    *tensor = NULL;
    if (!data && size)
        return om_fail(error, ONNXMINI_ERR_INVALID_ARGUMENT,
                       "the tensor data pointer is NULL");

    /* protobuf-c accepts NULL data for 0 bytes: an empty message, which
     * decodes as a float scalar without data and is rejected below. */
    tp = onnxmini__pb__tensor_proto__unpack(NULL, size, data);
    if (!tp)
        return om_fail(error, ONNXMINI_ERR_PARSE,
                       "the %zu bytes are not a valid TensorProto: protobuf "
                       "parsing failed",
                       size);
    out = calloc(1, sizeof *out);
    if (!out) {
        onnxmini__pb__tensor_proto__free_unpacked(tp, NULL);
        return om_fail(error, ONNXMINI_ERR_OUT_OF_MEMORY, "out of memory");
    }
    out->name = om_strdup(tp->name ? tp->name : "");
    st = out->name ? om_convert_tensor(tp, NULL, "tensor", out->name, NULL,
                                       &out->t, error)
                   : om_fail(error, ONNXMINI_ERR_OUT_OF_MEMORY,
                             "out of memory");
    onnxmini__pb__tensor_proto__free_unpacked(tp, NULL);
    if (st != ONNXMINI_OK) {
        onnxmini_tensor_proto_free(out);
        return st;
    }
    *tensor = out;
    return ONNXMINI_OK;
}

onnxmini_status onnxmini_tensor_proto_load_file(const char *path,
                                                onnxmini_tensor_proto **tensor,
                                                onnxmini_error *error)
{
    void *buf;
    size_t size;
    onnxmini_status st;

    om_clear(error);
    if (!tensor)
        return om_fail(error, ONNXMINI_ERR_INVALID_ARGUMENT,
                       "the tensor out-parameter is NULL");
    *tensor = NULL;
    st = om_read_file(path, "tensor", &buf, &size, error);
    if (st != ONNXMINI_OK)
        return st;
    st = onnxmini_tensor_proto_load_memory(buf, size, tensor, error);
    if (st != ONNXMINI_OK && error) {
        char detail[ONNXMINI_ERROR_MESSAGE_SIZE];
        memcpy(detail, error->message, sizeof detail);
        om_fail(error, st, "%s: %s", path, detail);
    }
    free(buf);
    return st;
}

const char *onnxmini_tensor_proto_name(const onnxmini_tensor_proto *tensor)
{
    return tensor ? tensor->name : "";
}

void onnxmini_tensor_proto_view(const onnxmini_tensor_proto *tensor,
                                onnxmini_tensor *view)
{
    if (!view)
        return;
    memset(view, 0, sizeof *view);
    if (!tensor)
        return;
    view->dtype = (onnxmini_dtype)tensor->t.dtype;
    view->rank = (size_t)tensor->t.rank;
    view->dims = tensor->t.dims;
    view->data = tensor->t.data;
    view->bytes = tensor->t.bytes;
}
