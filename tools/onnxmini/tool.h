/*
 * tool.h - declarations shared by the files of the onnxmini command-line
 * tool: the subcommands, message and option helpers, file reading, JSON
 * strings and element conversions.
 */
#ifndef TOOLS_ONNXMINI_TOOL_H
#define TOOLS_ONNXMINI_TOOL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "npy.h"
#include "onnxmini.h"

/* Exit statuses of every subcommand. */
#define EXIT_OK 0
#define EXIT_FAILED 1
#define EXIT_USAGE 2

#if defined(__GNUC__)
#define TOOL_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define TOOL_PRINTF(f, a)
#endif

/* ------------------------------------------------------------ subcommands */

/* Each takes the subcommand's arguments with argv[0] being its name
 * ("info") and returns the exit status. */
int tool_info(int argc, char **argv);
int tool_run(int argc, char **argv);
int tool_ops(int argc, char **argv);
int tool_compare(int argc, char **argv);

/* ------------------------------------------------------------ messages */

/* Sets the prefix of messages, such as "onnxmini info". */
void tool_set_command(const char *command);

/* Prints "PREFIX: message" and a newline to stderr. */
void tool_error(const char *format, ...) TOOL_PRINTF(1, 2);

/* Prints the message as tool_error() does, then a pointer to --help, and
 * returns EXIT_USAGE. */
int tool_usage_error(const char *format, ...) TOOL_PRINTF(1, 2);

/* ------------------------------------------------------------ options */

/* Matches argv[*index] against the option `name`, which takes a value as
 * "--name value" or "--name=value". Returns 0 when the argument is another
 * one, 1 with *value set (advancing *index past a separate value), and -1
 * after printing a message when the value is missing. */
int tool_option_value(int argc, char **argv, int *index, const char *name,
                      const char **value);

/* Returns 1 for "-h" and "--help". */
int tool_is_help(const char *arg);

/* Parses a decimal integer from min to max. Prints a message and returns
 * -1 when `text` is not one. */
int tool_parse_long(const char *option, const char *text, long min, long max,
                    long *out);

/* Parses a finite number >= 0. Prints a message and returns -1 otherwise. */
int tool_parse_non_negative(const char *option, const char *text,
                            double *out);

/* ------------------------------------------------------------ files */

/* Reads a whole file into a new buffer (freed by the caller). Prints a
 * message naming `what` and the path and returns -1 on failure. */
int tool_read_file(const char *what, const char *path, uint8_t **data,
                   size_t *size);

/* Writes `size` bytes to a new file at `path`, replacing any old one.
 * Prints a message and returns -1 on failure. */
int tool_write_file(const char *path, const void *data, size_t size);

/* Returns "dir/name" in a new string, or NULL when out of memory. */
char *tool_join_path(const char *dir, const char *name);

/* Returns 1 when `path` names an existing regular file. */
int tool_is_file(const char *path);

/* ------------------------------------------------------------ output */

/* Writes `s` as a JSON string literal, with quotes and escapes. */
void tool_json_string(FILE *out, const char *s);

/* Formats dims[rank] as "[1,1,28,28]" into buf, truncating to `size`. */
void tool_format_dims(char *buf, size_t size, const int64_t *dims,
                      size_t rank);

/* ------------------------------------------------------------ elements */

/* Returns 1 on a little-endian host. */
int tool_host_is_little_endian(void);

/* Returns the size of the unit whose byte order the file formats fix: the
 * element size, or the size of one part of a complex number. */
size_t tool_byte_order_unit(onnxmini_dtype dtype);

/* Copies `bytes` bytes of elements of `unit` bytes each, reversing the
 * byte order of every element when `swap` is set. */
void tool_copy_elements(void *dst, const void *src, size_t bytes, size_t unit,
                        int swap);

/* Stores element `index` of a real-valued tensor as a double: floating
 * point (float16 and bfloat16 included), integer and bool types. Returns
 * 0 for complex, string and unknown types. */
int tool_element_as_double(onnxmini_dtype dtype, const void *data,
                           size_t index, double *out);

/* Returns 1 for float16, bfloat16, float and double. */
int tool_is_floating(onnxmini_dtype dtype);

/* Formats element `index` of a tensor: integers exactly, floating point
 * with `digits` significant digits, complex as "re+imj". */
void tool_format_element(char *buf, size_t size, onnxmini_dtype dtype,
                         const void *data, size_t index, int digits);

/* ------------------------------------------------------------ tensors */

/* A tensor read from a TensorProto (.pb) or NumPy (.npy) file. */
typedef struct tool_tensor {
    onnxmini_tensor view;             /* elements in host byte order */
    const char *name;                 /* "" when the file gives none */
    onnxmini_tensor_proto *proto;     /* set for a .pb file */
    void *npy_data;                   /* set for a .npy file */
    int64_t npy_dims[NPY_MAX_RANK];
} tool_tensor;

/* Reads a .npy file (recognised by its magic string, whatever its name) or
 * else a TensorProto file. Prints a message and returns -1 on failure. */
int tool_tensor_load(const char *path, tool_tensor *tensor);

/* Frees what tool_tensor_load() allocated; a zeroed tensor is allowed. */
void tool_tensor_free(tool_tensor *tensor);

/* Writes `tensor` as a serialized ONNX TensorProto named `name`: dims,
 * data_type and little-endian raw_data. Prints a message and returns -1 on
 * failure. */
int tool_write_tensor_proto(const char *path, const char *name,
                            const onnxmini_tensor *tensor);

#endif /* TOOLS_ONNXMINI_TOOL_H */
