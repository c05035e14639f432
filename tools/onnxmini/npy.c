/*
 * npy.c - the .npy reader and writer; see npy.h for the format.
 */
#include "npy.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

#define MAGIC "\x93NUMPY"
#define MAGIC_SIZE 6

/* NumPy pads the header so that the data starts at a multiple of 64
 * bytes (numpy.lib.format.ARRAY_ALIGN). */
#define HEADER_ALIGN 64

/* The longest 'descr' string worth reading: "<c16" and the like. */
#define DESCR_SIZE 16

static void set_error(char *error, size_t size, const char *format, ...)
    TOOL_PRINTF(3, 4);

static void set_error(char *error, size_t size, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    vsnprintf(error, size, format, args);
    va_end(args);
}

int npy_has_magic(const void *data, size_t size)
{
    return size >= MAGIC_SIZE && memcmp(data, MAGIC, MAGIC_SIZE) == 0;
}

/* ------------------------------------------------------------ types */

/* One NumPy element type ("f4") and its ONNX element type. */
typedef struct npy_type {
    const char *code;
    onnxmini_dtype dtype;
} npy_type;

static const npy_type npy_types[] = {
    {"f2", ONNXMINI_FLOAT16},   {"f4", ONNXMINI_FLOAT},
    {"f8", ONNXMINI_DOUBLE},    {"i1", ONNXMINI_INT8},
    {"i2", ONNXMINI_INT16},     {"i4", ONNXMINI_INT32},
    {"i8", ONNXMINI_INT64},     {"u1", ONNXMINI_UINT8},
    {"u2", ONNXMINI_UINT16},    {"u4", ONNXMINI_UINT32},
    {"u8", ONNXMINI_UINT64},    {"b1", ONNXMINI_BOOL},
    {"c8", ONNXMINI_COMPLEX64}, {"c16", ONNXMINI_COMPLEX128},
};

#define N_NPY_TYPES (sizeof npy_types / sizeof npy_types[0])

/* Maps a 'descr' such as "<f4" to an element type. Sets *swap when the
 * elements need their bytes reversed on this host. */
static int parse_descr(const char *descr, onnxmini_dtype *dtype, int *swap,
                       char *error, size_t error_size)
{
    char order = descr[0];
    const char *code = descr;
    size_t i;

    if (order == '<' || order == '>' || order == '|' || order == '=')
        code++;
    else
        order = '=';
    for (i = 0; i < N_NPY_TYPES; i++)
        if (strcmp(code, npy_types[i].code) == 0)
            break;
    if (i == N_NPY_TYPES) {
        set_error(error, error_size,
                  "element type '%s' has no ONNX equivalent; supported are "
                  "bool, int8 to int64, uint8 to uint64, float16, float32, "
                  "float64, complex64 and complex128",
                  descr);
        return -1;
    }
    *dtype = npy_types[i].dtype;

    /* '|' means "byte order not applicable", which NumPy writes only for
     * one-byte types. */
    if (order == '|' && onnxmini_dtype_size(*dtype) != 1) {
        set_error(error, error_size,
                  "element type '%s' gives no byte order for a type of "
                  "more than one byte",
                  descr);
        return -1;
    }
    if (order == '<')
        *swap = !tool_host_is_little_endian();
    else if (order == '>')
        *swap = tool_host_is_little_endian();
    else
        *swap = 0;
    return 0;
}

static const char *npy_code(onnxmini_dtype dtype)
{
    size_t i;

    for (i = 0; i < N_NPY_TYPES; i++)
        if (npy_types[i].dtype == dtype)
            return npy_types[i].code;
    return NULL;
}

/* ------------------------------------------------------------ header */

/* A cursor over the header text, a Python dict literal. */
typedef struct cursor {
    const char *p;
    const char *end;
} cursor;

static void skip_space(cursor *c)
{
    while (c->p < c->end &&
           (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

/* Skips spaces, then consumes `ch` if it comes next. */
static int accept(cursor *c, char ch)
{
    skip_space(c);
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return 1;
    }
    return 0;
}

/* Reads a quoted string without escapes into buf. */
static int parse_string(cursor *c, char *buf, size_t size)
{
    char quote;
    size_t n = 0;

    skip_space(c);
    if (c->p >= c->end || (*c->p != '\'' && *c->p != '"'))
        return -1;
    quote = *c->p++;
    while (c->p < c->end && *c->p != quote) {
        if (*c->p == '\\' || n + 1 >= size)
            return -1;
        buf[n++] = *c->p++;
    }
    if (c->p >= c->end)
        return -1;
    c->p++;
    buf[n] = '\0';
    return 0;
}

static int parse_bool(cursor *c, int *value)
{
    skip_space(c);
    if ((size_t)(c->end - c->p) >= 4 && memcmp(c->p, "True", 4) == 0) {
        c->p += 4;
        *value = 1;
        return 0;
    }
    if ((size_t)(c->end - c->p) >= 5 && memcmp(c->p, "False", 5) == 0) {
        c->p += 5;
        *value = 0;
        return 0;
    }
    return -1;
}

/* Reads a tuple of non-negative integers: "()", "(5,)", "(1, 28, 28)".
 * Files written by NumPy under Python 2 may end each number with 'L'. */
static int parse_shape(cursor *c, npy_array *array, char *error,
                       size_t error_size)
{
    array->rank = 0;
    if (!accept(c, '('))
        goto invalid;
    if (accept(c, ')'))
        return 0;
    for (;;) {
        int64_t v = 0;
        int digits = 0;

        skip_space(c);
        while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
            if (v > (INT64_MAX - 9) / 10) {
                set_error(error, error_size, "a dimension in 'shape' is too "
                          "large");
                return -1;
            }
            v = v * 10 + (*c->p++ - '0');
            digits++;
        }
        if (!digits)
            goto invalid;
        if (c->p < c->end && *c->p == 'L')
            c->p++;
        if (array->rank == NPY_MAX_RANK) {
            set_error(error, error_size, "'shape' has more than %d dimensions",
                      NPY_MAX_RANK);
            return -1;
        }
        array->dims[array->rank++] = v;
        if (accept(c, ')'))
            return 0;
        if (!accept(c, ','))
            goto invalid;
        if (accept(c, ')'))
            return 0;
    }

invalid:
    set_error(error, error_size, "'shape' is not a tuple of non-negative "
              "integers");
    return -1;
}

/* Parses the header dict and fills the array's type and shape. */
static int parse_header(const char *text, size_t length, npy_array *array,
                        int *swap, char *error, size_t error_size)
{
    cursor c = {text, text + length};
    char key[32], descr[DESCR_SIZE];
    int have_descr = 0, have_order = 0, have_shape = 0, fortran = 0;

    if (!accept(&c, '{'))
        goto invalid;
    while (!accept(&c, '}')) {
        if (parse_string(&c, key, sizeof key) != 0 || !accept(&c, ':'))
            goto invalid;
        if (strcmp(key, "descr") == 0) {
            skip_space(&c);
            if (c.p < c.end && *c.p == '[') {
                set_error(error, error_size, "structured arrays (a list in "
                          "'descr') are not supported");
                return -1;
            }
            if (parse_string(&c, descr, sizeof descr) != 0) {
                set_error(error, error_size, "'descr' is not a short string "
                          "such as '<f4'");
                return -1;
            }
            have_descr = 1;
        } else if (strcmp(key, "fortran_order") == 0) {
            if (parse_bool(&c, &fortran) != 0)
                goto invalid;
            have_order = 1;
        } else if (strcmp(key, "shape") == 0) {
            if (parse_shape(&c, array, error, error_size) != 0)
                return -1;
            have_shape = 1;
        } else {
            set_error(error, error_size, "unexpected key '%s' in the header",
                      key);
            return -1;
        }
        if (!accept(&c, ',')) {
            if (!accept(&c, '}'))
                goto invalid;
            break;
        }
    }
    skip_space(&c);
    if (c.p != c.end)
        goto invalid;
    if (!have_descr || !have_order || !have_shape) {
        set_error(error, error_size, "the header lacks the key '%s'",
                  !have_descr ? "descr" :
                  !have_order ? "fortran_order" : "shape");
        return -1;
    }
    if (fortran) {
        set_error(error, error_size,
                  "the array is stored in Fortran (column-major) order, "
                  "which is not supported; save np.ascontiguousarray(a) "
                  "instead");
        return -1;
    }
    return parse_descr(descr, &array->dtype, swap, error, error_size);

invalid:
    set_error(error, error_size, "the header is not a dict literal with "
              "'descr', 'fortran_order' and 'shape'");
    return -1;
}

/* ------------------------------------------------------------ reading */

int npy_decode(const void *data, size_t size, npy_array *array, char *error,
               size_t error_size)
{
    const uint8_t *bytes = data;
    size_t header_length, data_offset, count = 1, element_size, i;
    int major, minor, swap = 0;

    memset(array, 0, sizeof *array);

    /* The preamble: magic, version, header length. */
    if (!npy_has_magic(data, size) || size < MAGIC_SIZE + 2) {
        set_error(error, error_size, "not a .npy file (no \\x93NUMPY magic "
                  "string)");
        return -1;
    }
    major = bytes[6];
    minor = bytes[7];
    if (major < 1 || major > 3 || minor != 0) {
        set_error(error, error_size, ".npy format version %d.%d is not "
                  "supported (only 1.0, 2.0 and 3.0)", major, minor);
        return -1;
    }
    if (major == 1) {
        if (size < 10)
            goto truncated;
        header_length = (size_t)bytes[8] | (size_t)bytes[9] << 8;
        data_offset = 10;
    } else {
        if (size < 12)
            goto truncated;
        header_length = (size_t)bytes[8] | (size_t)bytes[9] << 8 |
                        (size_t)bytes[10] << 16 | (size_t)bytes[11] << 24;
        data_offset = 12;
    }
    if (header_length > size - data_offset)
        goto truncated;

    /* The header, then the data size it implies. */
    if (parse_header((const char *)bytes + data_offset, header_length, array,
                     &swap, error, error_size) != 0)
        return -1;
    data_offset += header_length;
    element_size = onnxmini_dtype_size(array->dtype);
    for (i = 0; i < array->rank; i++) {
        if (array->dims[i] != 0 &&
            count > SIZE_MAX / element_size / (size_t)array->dims[i]) {
            set_error(error, error_size, "the shape is too large");
            return -1;
        }
        count *= (size_t)array->dims[i];
    }
    array->bytes = count * element_size;
    if (size - data_offset != array->bytes) {
        set_error(error, error_size, "the file has %zu bytes of data, but "
                  "the shape needs %zu", size - data_offset, array->bytes);
        return -1;
    }

    /* The elements, in host byte order. */
    array->data = malloc(array->bytes ? array->bytes : 1);
    if (!array->data) {
        set_error(error, error_size, "out of memory (%zu bytes)",
                  array->bytes);
        return -1;
    }
    tool_copy_elements(array->data, bytes + data_offset, array->bytes,
                       tool_byte_order_unit(array->dtype), swap);
    return 0;

truncated:
    set_error(error, error_size, "the file ends inside the .npy header");
    return -1;
}

/* ------------------------------------------------------------ writing */

int npy_encode(const onnxmini_tensor *tensor, uint8_t **out, size_t *out_size,
               char *error, size_t error_size)
{
    const char *code = npy_code(tensor->dtype);
    char *header;
    size_t capacity, length = 0, padded, preamble, i;
    uint8_t *file;
    int version;

    *out = NULL;
    *out_size = 0;
    if (!code) {
        set_error(error, error_size, "element type %s has no .npy "
                  "equivalent", onnxmini_dtype_name(tensor->dtype));
        return -1;
    }

    /* The dict, as NumPy writes it: keys in alphabetical order, a shape of
     * rank 1 with a trailing comma. Each dimension takes at most 20
     * digits and 2 separators. */
    capacity = 96 + 22 * tensor->rank;
    header = malloc(capacity);
    if (!header) {
        set_error(error, error_size, "out of memory");
        return -1;
    }
    length += (size_t)snprintf(header, capacity,
                               "{'descr': '%c%s', 'fortran_order': False, "
                               "'shape': (",
                               onnxmini_dtype_size(tensor->dtype) == 1 ? '|'
                                                                      : '<',
                               code);
    for (i = 0; i < tensor->rank; i++)
        length += (size_t)snprintf(header + length, capacity - length,
                                   "%s%lld", i ? ", " : "",
                                   (long long)tensor->dims[i]);
    length += (size_t)snprintf(header + length, capacity - length, "%s), }",
                               tensor->rank == 1 ? "," : "");

    /* Version 1.0 stores the header length in 2 bytes; 2.0 in 4. The
     * padding makes the preamble, header and newline a multiple of 64. */
    version = 10 + length + 1 + HEADER_ALIGN > 0xffff ? 2 : 1;
    preamble = version == 1 ? 10 : 12;
    padded = length + 1;
    padded += (HEADER_ALIGN - (preamble + padded) % HEADER_ALIGN) %
              HEADER_ALIGN;
    if (tensor->bytes > SIZE_MAX - preamble - padded) {
        free(header);
        set_error(error, error_size, "the tensor is too large");
        return -1;
    }
    file = malloc(preamble + padded + tensor->bytes);
    if (!file) {
        free(header);
        set_error(error, error_size, "out of memory (%zu bytes)",
                  preamble + padded + tensor->bytes);
        return -1;
    }

    memcpy(file, MAGIC, MAGIC_SIZE);
    file[6] = (uint8_t)version;
    file[7] = 0;
    file[8] = (uint8_t)(padded & 0xff);
    file[9] = (uint8_t)(padded >> 8 & 0xff);
    if (version == 2) {
        file[10] = (uint8_t)(padded >> 16 & 0xff);
        file[11] = (uint8_t)(padded >> 24 & 0xff);
    }
    memcpy(file + preamble, header, length);
    memset(file + preamble + length, ' ', padded - length - 1);
    file[preamble + padded - 1] = '\n';
    tool_copy_elements(file + preamble + padded, tensor->data, tensor->bytes,
                       tool_byte_order_unit(tensor->dtype),
                       !tool_host_is_little_endian());
    free(header);

    *out = file;
    *out_size = preamble + padded + tensor->bytes;
    return 0;
}
