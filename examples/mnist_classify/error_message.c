/* error_message.c - formatting and printing failure details. */
#include "error_message.h"

#include <stdarg.h>
#include <stdio.h>

int error_set(error_message *error, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    vsnprintf(error->text, sizeof error->text, format, args);
    va_end(args);
    return -1;
}

void error_print(const char *what, const char *detail)
{
    fflush(stdout);
    fprintf(stderr, "mnist_classify: %s: %s\n", what, detail);
}

void error_print_about(const char *step, const char *subject,
                       const char *detail)
{
    fflush(stdout);
    fprintf(stderr, "mnist_classify: %s '%s': %s\n", step, subject, detail);
}
