/* json.c - JSON string escaping and number formatting. */
#include "json.h"

#include <math.h>
#include <stddef.h>

/* Returns the length of the valid UTF-8 sequence at `s` (1..4), or 0 when
 * the bytes there are not one. Overlong forms, surrogates and code points
 * above U+10FFFF are invalid (RFC 3629, section 4). */
static size_t utf8_sequence_length(const unsigned char *s)
{
    size_t length;
    unsigned long code_point;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        length = 2;
        code_point = s[0] & 0x1f;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        length = 3;
        code_point = s[0] & 0x0f;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        length = 4;
        code_point = s[0] & 0x07;
    } else {
        return 0;
    }

    /* A NUL stops this loop too, since it is not a continuation byte. */
    for (size_t i = 1; i < length; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        code_point = code_point << 6 | (s[i] & 0x3f);
    }
    if ((length == 3 && code_point < 0x800) ||
        (length == 4 && (code_point < 0x10000 || code_point > 0x10ffff)) ||
        (code_point >= 0xd800 && code_point <= 0xdfff))
        return 0;
    return length;
}

void json_write_string(FILE *out, const char *text)
{
    const unsigned char *s = (const unsigned char *)text;

    fputc('"', out);
    while (*s != '\0') {
        size_t length = utf8_sequence_length(s);

        if (length == 0) {
            fputs("\\ufffd", out);
            s++;
        } else if (length > 1) {
            fwrite(s, 1, length, out);
            s += length;
        } else if (*s == '"' || *s == '\\') {
            fputc('\\', out);
            fputc(*s++, out);
        } else if (*s == '\n') {
            fputs("\\n", out);
            s++;
        } else if (*s == '\t') {
            fputs("\\t", out);
            s++;
        } else if (*s < 0x20 || *s == 0x7f) {
            fprintf(out, "\\u%04x", *s++);
        } else {
            fputc(*s++, out);
        }
    }
    fputc('"', out);
}

void json_write_number(FILE *out, double value)
{
    if (isfinite(value))
        fprintf(out, "%.9g", value);
    else
        fputs("null", out);
}
