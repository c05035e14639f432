/*
 * status.c - status codes, their messages, error formatting and the
 * version functions.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

const char *onnxmini_version(void) { return ONNXMINI_VERSION_STRING; }

unsigned onnxmini_version_number(void) { return ONNXMINI_VERSION_NUMBER; }

/* Every status message, indexed by code. */
static const char *const status_strings[] = {
    "success",
    "invalid argument",
    "input/output error",
    "not a valid ONNX protobuf message",
    "invalid model",
    "unsupported feature",
    "out of memory",
    "shape or type mismatch",
    "not found",
    "call out of order",
    "size limit exceeded",
};

const char *onnxmini_status_string(onnxmini_status status)
{
    size_t n = sizeof status_strings / sizeof status_strings[0];
    if ((unsigned)status >= n)
        return "unknown status";
    return status_strings[status];
}

onnxmini_status om_fail(onnxmini_error *err, onnxmini_status status,
                        const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
        err->status = status;
    }
    return status;
}

void om_clear(onnxmini_error *err)
{
    if (err) {
        err->status = ONNXMINI_OK;
        err->message[0] = '\0';
    }
}

const char *om_node_label(const om_node *node, char *buf, size_t size)
{
    if (node->domain[0])
        snprintf(buf, size, "node '%s' (%s, domain '%s')", node->name,
                 node->op_type, node->domain);
    else
        snprintf(buf, size, "node '%s' (%s)", node->name, node->op_type);
    return buf;
}

onnxmini_status om_node_fail(onnxmini_error *err, const om_node *node,
                             onnxmini_status status, const char *fmt, ...)
{
    char label[OM_LABEL_SIZE];
    char detail[ONNXMINI_ERROR_MESSAGE_SIZE];
    va_list ap;

    if (!err)
        return status;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    return om_fail(err, status, "%s: %s",
                   om_node_label(node, label, sizeof label), detail);
}
