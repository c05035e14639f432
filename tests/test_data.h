/*
 * test_data.h - access to the data directory that model tests read.
 *
 * The data directory is named by the environment variable ONNXMINI_DATA_DIR
 * (the Makefile exports an absolute path). It holds the model zoo's MNIST
 * models, the MNIST test set in IDX format and reference logits. When it is
 * missing, tests that need it are skipped, except when the environment
 * variable CI is "true": there a missing directory or file fails the test,
 * so that a misconfigured CI job cannot pass by skipping everything.
 *
 * The functions that take a file name (testdata_require_path) must be called
 * from inside a cmocka test, since they may call skip() or fail_msg().
 */
#ifndef ONNXMINI_TEST_DATA_H
#define ONNXMINI_TEST_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Number of classes in MNIST and of logits per reference line. */
#define TESTDATA_MNIST_CLASSES 10

/* Returns the value of ONNXMINI_DATA_DIR when it names an existing
 * directory, else NULL. */
const char *testdata_dir(void);

/* Returns true when the environment variable CI is "true". */
bool testdata_in_ci(void);

/* Returns a malloc'd path "<data dir>/<name>" to a file that exists. When
 * the directory or the file is missing, skips the current test, or fails it
 * when testdata_in_ci() is true. The caller frees the result. */
char *testdata_require_path(const char *name);

/* Reads a whole file into a malloc'd buffer and stores its length in *size.
 * A NUL byte follows the data (not counted in *size), so a text file can be
 * parsed as a string. Returns NULL on failure, with errno set. */
void *testdata_read_file(const char *path, size_t *size);

/* The MNIST test set: images of rows x cols 8-bit pixels, 0 is background. */
typedef struct testdata_mnist {
    size_t count;
    size_t rows;
    size_t cols;
    uint8_t *pixels; /* [count, rows, cols] row-major */
    uint8_t *labels; /* [count], each 0..9 */
} testdata_mnist;

/* Loads IDX image and label files, gzipped or not. Checks the magic
 * numbers (2051 for images, 2049 for labels), that both files hold the same
 * number of items, that images are 28x28, that the file has every byte the
 * header promises, and that labels are 0..9. On failure returns false and
 * writes the reason to message. */
bool testdata_mnist_load(const char *images_path, const char *labels_path,
                         testdata_mnist *mnist, char *message,
                         size_t message_size);

/* Frees what testdata_mnist_load() allocated. NULL is allowed. */
void testdata_mnist_free(testdata_mnist *mnist);

/* One line of a reference logits file. */
typedef struct testdata_logits_row {
    long index;  /* image index in the MNIST test set */
    int label;   /* true class */
    int argmax;  /* class with the largest logit */
    float logits[TESTDATA_MNIST_CLASSES];
} testdata_logits_row;

typedef struct testdata_logits {
    size_t count;
    testdata_logits_row *rows; /* [count], in file order */
} testdata_logits;

/* Parses a reference logits file: two header lines that start with '#',
 * then one line per image, "index label argmax logit0 ... logit9". On
 * failure returns false and writes the reason (with the line number) to
 * message. */
bool testdata_logits_load(const char *path, testdata_logits *logits,
                          char *message, size_t message_size);

/* Frees what testdata_logits_load() allocated. NULL is allowed. */
void testdata_logits_free(testdata_logits *logits);

#endif /* ONNXMINI_TEST_DATA_H */
