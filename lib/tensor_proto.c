/*
 * tensor_proto.c - decode serialized TensorProto files.
 */
#include <string.h>

#include "internal.h"
#include "onnx.pb-c.h"

struct onnxmini_tensor_proto {
    onnxmini_allocator alloc;         /* the struct and its blocks */
    char *name;
    om_const_tensor t;
};

void onnxmini_tensor_proto_free(onnxmini_tensor_proto *tensor)
{
    onnxmini_allocator alloc;

    if (!tensor)
        return;
    alloc = tensor->alloc;
    om_free(&alloc, tensor->name);
    om_free(&alloc, tensor->t.data);
    om_free(&alloc, tensor);
}

/* Decodes `size` bytes, allocating through `alloc` within `limits`. */
static onnxmini_status decode(const void *data, size_t size,
                              const onnxmini_allocator *alloc,
                              om_load_limits *limits,
                              onnxmini_tensor_proto **tensor,
                              onnxmini_error *error)
{
    Onnxmini__Pb__TensorProto *tp;
    onnxmini_tensor_proto *out;
    onnxmini_status st;
    int out_of_memory;

    if (!data && size)
        return om_fail(error, ONNXMINI_ERR_INVALID_ARGUMENT,
                       "the tensor data pointer is NULL");

    /* protobuf-c accepts NULL data for 0 bytes: an empty message, which
     * decodes as a float scalar without data and is rejected below. */
    tp = (Onnxmini__Pb__TensorProto *)om_unpack(
        alloc, &onnxmini__pb__tensor_proto__descriptor, size, data,
        &out_of_memory);
    if (!tp && out_of_memory)
        return om_fail(error, ONNXMINI_ERR_OUT_OF_MEMORY,
                       "out of memory while parsing the %zu bytes of the "
                       "TensorProto",
                       size);
    if (!tp)
        return om_fail(error, ONNXMINI_ERR_PARSE,
                       "the %zu bytes are not a valid TensorProto: protobuf "
                       "parsing failed",
                       size);
    out = om_calloc(alloc, 1, sizeof *out);
    if (!out) {
        om_unpack_free(alloc, &tp->base);
        return om_fail(error, ONNXMINI_ERR_OUT_OF_MEMORY, "out of memory");
    }
    out->alloc = *alloc;
    out->name = om_strdup(alloc, tp->name);
    st = out->name ? om_convert_tensor(alloc, tp, NULL, "tensor", out->name,
                                       limits, &out->t, error)
                   : om_fail(error, ONNXMINI_ERR_OUT_OF_MEMORY,
                             "out of memory");
    om_unpack_free(alloc, &tp->base);
    if (st != ONNXMINI_OK) {
        onnxmini_tensor_proto_free(out);
        return st;
    }
    *tensor = out;
    return ONNXMINI_OK;
}

onnxmini_status onnxmini_tensor_proto_load_memory_with(
    const void *data, size_t size, const onnxmini_load_options *options,
    onnxmini_tensor_proto **tensor, onnxmini_error *error)
{
    onnxmini_allocator alloc;
    om_load_limits limits;
    onnxmini_status st;

    om_clear(error);
    if (!tensor)
        return om_fail(error, ONNXMINI_ERR_INVALID_ARGUMENT,
                       "the tensor out-parameter is NULL");
    *tensor = NULL;
    st = om_load_options_read(options, &alloc, &limits, error);
    if (st != ONNXMINI_OK)
        return st;
    return decode(data, size, &alloc, &limits, tensor, error);
}

onnxmini_status onnxmini_tensor_proto_load_memory(const void *data, size_t size,
                                                  onnxmini_tensor_proto **tensor,
                                                  onnxmini_error *error)
{
    return onnxmini_tensor_proto_load_memory_with(data, size, NULL, tensor,
                                                  error);
}

onnxmini_status onnxmini_tensor_proto_load_file_with(
    const char *path, const onnxmini_load_options *options,
    onnxmini_tensor_proto **tensor, onnxmini_error *error)
{
    onnxmini_allocator alloc;
    om_load_limits limits;
    void *buf;
    size_t size;
    onnxmini_status st;

    om_clear(error);
    if (!tensor)
        return om_fail(error, ONNXMINI_ERR_INVALID_ARGUMENT,
                       "the tensor out-parameter is NULL");
    *tensor = NULL;
    st = om_load_options_read(options, &alloc, &limits, error);
    if (st != ONNXMINI_OK)
        return st;
    st = om_read_file(&alloc, path, "tensor", &buf, &size, error);
    if (st != ONNXMINI_OK)
        return st;
    st = decode(buf, size, &alloc, &limits, tensor, error);
    if (st != ONNXMINI_OK && error) {
        char detail[ONNXMINI_ERROR_MESSAGE_SIZE];
        memcpy(detail, error->message, sizeof detail);
        om_fail(error, st, "%s: %s", path, detail);
    }
    om_free(&alloc, buf);
    return st;
}

onnxmini_status onnxmini_tensor_proto_load_file(const char *path,
                                                onnxmini_tensor_proto **tensor,
                                                onnxmini_error *error)
{
    return onnxmini_tensor_proto_load_file_with(path, NULL, tensor, error);
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
