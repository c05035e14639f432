/*
 * util.c - messages, option parsing, files, JSON strings and element
 * conversions shared by the onnxmini subcommands.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tool.h"

/* ------------------------------------------------------------ messages */

static const char *command_name = "onnxmini";

void tool_set_command(const char *command)
{
    command_name = command;
}

static void print_message(const char *format, va_list args)
{
    fprintf(stderr, "%s: ", command_name);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
}

void tool_error(const char *format, ...)
{
    va_list args;

    va_start(args, format);
    print_message(format, args);
    va_end(args);
}

int tool_usage_error(const char *format, ...)
{
    va_list args;

    va_start(args, format);
    print_message(format, args);
    va_end(args);
    fprintf(stderr, "Try '%s --help'.\n", command_name);
    return EXIT_USAGE;
}

/* ------------------------------------------------------------ options */

int tool_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int tool_option_value(int argc, char **argv, int *index, const char *name,
                      const char **value)
{
    const char *arg = argv[*index];
    size_t length = strlen(name);

    if (strncmp(arg, name, length) != 0)
        return 0;
    if (arg[length] == '=') {
        *value = arg + length + 1;
        return 1;
    }
    if (arg[length] != '\0')
        return 0;
    if (*index + 1 >= argc) {
        tool_usage_error("option '%s' needs a value", name);
        return -1;
    }
    *value = argv[++*index];
    return 1;
}

int tool_parse_long(const char *option, const char *text, long min, long max,
                    long *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < min || v > max) {
        tool_usage_error("invalid value '%s' for %s: expected an integer "
                         "from %ld to %ld", text, option, min, max);
        return -1;
    }
    *out = v;
    return 0;
}

int tool_parse_non_negative(const char *option, const char *text,
                            double *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(text, &end);
    if (errno || end == text || *end || !isfinite(v) || v < 0) {
        tool_usage_error("invalid value '%s' for %s: expected a "
                         "non-negative number", text, option);
        return -1;
    }
    *out = v;
    return 0;
}

/* ------------------------------------------------------------ files */

int tool_read_file(const char *what, const char *path, uint8_t **data,
                   size_t *size)
{
    FILE *f;
    uint8_t *buffer = NULL;
    size_t capacity = 0, used = 0;
    struct stat st;

    *data = NULL;
    *size = 0;
    /* Regular files and pipes only: a device such as /dev/zero never
     * ends, and a directory has no contents to read. */
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
        tool_error("%s '%s' is not a regular file or a pipe", what, path);
        return -1;
    }
    f = fopen(path, "rb");
    if (!f) {
        tool_error("cannot open %s '%s': %s", what, path, strerror(errno));
        return -1;
    }

    /* Read in growing chunks, so that pipes and files whose size changes
     * are read whole too. */
    for (;;) {
        size_t got;

        if (used == capacity) {
            size_t grown_capacity = capacity ? 2 * capacity : 65536;
            uint8_t *grown;

            if (grown_capacity < capacity) {
                tool_error("%s '%s' is too large", what, path);
                goto fail;
            }
            grown = realloc(buffer, grown_capacity);
            if (!grown) {
                tool_error("out of memory reading %s '%s'", what, path);
                goto fail;
            }
            buffer = grown;
            capacity = grown_capacity;
        }
        got = fread(buffer + used, 1, capacity - used, f);
        used += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        tool_error("cannot read %s '%s': %s", what, path, strerror(errno));
        goto fail;
    }
    fclose(f);
    *data = buffer;
    *size = used;
    return 0;

fail:
    fclose(f);
    free(buffer);
    return -1;
}

int tool_write_file(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");

    if (!f) {
        tool_error("cannot create '%s': %s", path, strerror(errno));
        return -1;
    }
    if (fwrite(data, 1, size, f) != size) {
        tool_error("cannot write '%s': %s", path, strerror(errno));
        fclose(f);
        return -1;
    }
    if (fclose(f) != 0) {
        tool_error("cannot write '%s': %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

char *tool_join_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *path = malloc(n);

    if (path)
        snprintf(path, n, "%s/%s", dir, name);
    return path;
}

int tool_is_file(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* ------------------------------------------------------------ output */

void tool_json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

void tool_format_dims(char *buf, size_t size, const int64_t *dims,
                      size_t rank)
{
    size_t used, i;

    if (size == 0)
        return;
    used = (size_t)snprintf(buf, size, "[");
    for (i = 0; i < rank && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%lld",
                                 i ? "," : "", (long long)dims[i]);
    if (used < size)
        snprintf(buf + used, size - used, "]");
}

/* ------------------------------------------------------------ elements */

int tool_host_is_little_endian(void)
{
    const uint16_t probe = 1;

    return *(const uint8_t *)&probe == 1;
}

size_t tool_byte_order_unit(onnxmini_dtype dtype)
{
    if (dtype == ONNXMINI_COMPLEX64)
        return 4;
    if (dtype == ONNXMINI_COMPLEX128)
        return 8;
    return onnxmini_dtype_size(dtype);
}

void tool_copy_elements(void *dst, const void *src, size_t bytes, size_t unit,
                        int swap)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    size_t i, j;

    if (!swap || unit <= 1) {
        memcpy(dst, src, bytes);
        return;
    }
    for (i = 0; i + unit <= bytes; i += unit)
        for (j = 0; j < unit; j++)
            d[i + j] = s[i + unit - 1 - j];
}

/* IEEE 754 binary16: 1 sign, 5 exponent and 10 fraction bits. */
static double half_to_double(uint16_t h)
{
    int exponent = (h >> 10) & 0x1f;
    double fraction = (double)(h & 0x3ff);
    double v;

    if (exponent == 0)
        v = ldexp(fraction, -24);
    else if (exponent == 31)
        v = fraction != 0 ? NAN : INFINITY;
    else
        v = ldexp(fraction + 1024.0, exponent - 25);
    return h & 0x8000 ? -v : v;
}

/* bfloat16 is the upper half of a binary32. */
static double bfloat16_to_double(uint16_t b)
{
    uint32_t bits = (uint32_t)b << 16;
    float f;

    memcpy(&f, &bits, sizeof f);
    return f;
}

int tool_is_floating(onnxmini_dtype dtype)
{
    return dtype == ONNXMINI_FLOAT || dtype == ONNXMINI_DOUBLE ||
           dtype == ONNXMINI_FLOAT16 || dtype == ONNXMINI_BFLOAT16;
}

int tool_element_as_double(onnxmini_dtype dtype, const void *data,
                           size_t index, double *out)
{
    switch (dtype) {
    case ONNXMINI_FLOAT:
        *out = ((const float *)data)[index];
        return 1;
    case ONNXMINI_DOUBLE:
        *out = ((const double *)data)[index];
        return 1;
    case ONNXMINI_FLOAT16:
        *out = half_to_double(((const uint16_t *)data)[index]);
        return 1;
    case ONNXMINI_BFLOAT16:
        *out = bfloat16_to_double(((const uint16_t *)data)[index]);
        return 1;
    case ONNXMINI_INT8:
        *out = ((const int8_t *)data)[index];
        return 1;
    case ONNXMINI_UINT8:
    case ONNXMINI_BOOL:
        *out = ((const uint8_t *)data)[index];
        return 1;
    case ONNXMINI_INT16:
        *out = ((const int16_t *)data)[index];
        return 1;
    case ONNXMINI_UINT16:
        *out = ((const uint16_t *)data)[index];
        return 1;
    case ONNXMINI_INT32:
        *out = ((const int32_t *)data)[index];
        return 1;
    case ONNXMINI_UINT32:
        *out = ((const uint32_t *)data)[index];
        return 1;
    case ONNXMINI_INT64:
        *out = (double)((const int64_t *)data)[index];
        return 1;
    case ONNXMINI_UINT64:
        *out = (double)((const uint64_t *)data)[index];
        return 1;
    default:
        return 0;
    }
}

void tool_format_element(char *buf, size_t size, onnxmini_dtype dtype,
                         const void *data, size_t index, int digits)
{
    double v;

    switch (dtype) {
    case ONNXMINI_INT64:
        snprintf(buf, size, "%lld",
                 (long long)((const int64_t *)data)[index]);
        return;
    case ONNXMINI_UINT64:
        snprintf(buf, size, "%llu",
                 (unsigned long long)((const uint64_t *)data)[index]);
        return;
    case ONNXMINI_COMPLEX64: {
        const float *c = (const float *)data + 2 * index;
        snprintf(buf, size, "%.*g%+.*gj", digits, c[0], digits, c[1]);
        return;
    }
    case ONNXMINI_COMPLEX128: {
        const double *c = (const double *)data + 2 * index;
        snprintf(buf, size, "%.*g%+.*gj", digits, c[0], digits, c[1]);
        return;
    }
    default:
        break;
    }
    if (!tool_element_as_double(dtype, data, index, &v))
        snprintf(buf, size, "?");
    else if (tool_is_floating(dtype))
        snprintf(buf, size, "%.*g", digits, v);
    else
        snprintf(buf, size, "%.0f", v);
}
