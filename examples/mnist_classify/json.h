/*
 * json.h - the little JSON output mnist_classify needs.
 */
#ifndef MNIST_CLASSIFY_JSON_H
#define MNIST_CLASSIFY_JSON_H

#include <stdio.h>

/* Writes `text` as a quoted JSON string (RFC 8259) with quotes,
 * backslashes and control characters escaped. Bytes that are not valid
 * UTF-8, which a file name may contain, become U+FFFD so the output stays
 * valid JSON. */
void json_write_string(FILE *out, const char *text);

/* Writes a number with up to 9 significant digits, or null when it is not
 * finite, which JSON cannot represent. */
void json_write_number(FILE *out, double value);

#endif
