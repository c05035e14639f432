/*
 * error_message.h - the detail of a failure inside mnist_classify.
 *
 * Helpers that can fail return -1 and write one line into an error_message;
 * the caller adds what it was doing and prints
 * "mnist_classify: <what failed>: <detail>".
 */
#ifndef MNIST_CLASSIFY_ERROR_MESSAGE_H
#define MNIST_CLASSIFY_ERROR_MESSAGE_H

#define ERROR_MESSAGE_SIZE 512

typedef struct error_message {
    char text[ERROR_MESSAGE_SIZE];
} error_message;

#if defined(__GNUC__)
#define PRINTF_FORMAT(fmt_index, first_arg) \
    __attribute__((format(printf, fmt_index, first_arg)))
#else
#define PRINTF_FORMAT(fmt_index, first_arg)
#endif

/* Formats the detail into *error (truncated to fit) and returns -1, so a
 * helper can write `return error_set(error, ...);`. */
int error_set(error_message *error, const char *format, ...)
    PRINTF_FORMAT(2, 3);

/* Prints "mnist_classify: <what>: <detail>" and a newline to stderr. */
void error_print(const char *what, const char *detail);

/* Prints "mnist_classify: <step> '<subject>': <detail>", such as
 * "mnist_classify: reading image 'a.png': No such file or directory". */
void error_print_about(const char *step, const char *subject,
                       const char *detail);

#endif
