/*
 * test_classify.c - the example classifier, run as a user runs it: the
 * sample PGM digits of the data directory, and large dark-on-light pictures
 * this test draws itself from MNIST test digits, must come out as their
 * labels.
 *
 * The classifier is found at $ONNXMINI_BUILD_DIR/bin/mnist_classify
 * (default build/bin/mnist_classify, relative to the working directory).
 * When ONNXMINI_TEST_RUNNER is set (see tests/run-tests.sh), its value is
 * put before the classifier's path in the shell command, so that an
 * emulator such as qemu-aarch64 runs it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_data.h"

static char *classifier_path(void)
{
    const char *build = getenv("ONNXMINI_BUILD_DIR");
    size_t n;
    char *path;

    if (!build || !build[0])
        build = "build";
    n = strlen(build) + 32;
    path = malloc(n);
    assert_non_null(path);
    snprintf(path, n, "%s/bin/mnist_classify", build);
    return path;
}

/* Runs the classifier with --json on one image and returns the "digit"
 * field, or -1 when the run fails or the output has none. */
static int classify(const char *model, const char *image)
{
    char *program = classifier_path();
    const char *runner = getenv("ONNXMINI_TEST_RUNNER");
    char command[4096], output[8192];
    size_t got;
    const char *digit;
    FILE *p;
    int status;

    if (!runner)
        runner = "";
    snprintf(command, sizeof command, "%s '%s' --json --model '%s' '%s'",
             runner, program, model, image);
    free(program);
    p = popen(command, "r");
    assert_non_null(p);
    got = fread(output, 1, sizeof output - 1, p);
    output[got] = '\0';
    status = pclose(p);
    if (status != 0) {
        print_error("classifier exited with status %d for %s:\n%s\n", status,
                    image, output);
        return -1;
    }
    digit = strstr(output, "\"digit\":");
    if (!digit) {
        print_error("no \"digit\" field in the output for %s:\n%s\n", image,
                    output);
        return -1;
    }
    return atoi(digit + strlen("\"digit\":"));
}

/* Every sample digit listed in digits/INDEX.txt is classified as its
 * label. */
static void test_classify_sample_digits(void **state)
{
    char *model = testdata_require_path("mnist-12.onnx");
    char *index_path = testdata_require_path("digits/INDEX.txt");
    size_t size;
    char *text = testdata_read_file(index_path, &size);
    char *line, *save = NULL;
    int checked = 0;

    (void)state;
    assert_non_null(text);
    for (line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char file[256], path[1024];
        long index;
        int label, digit;

        if (line[0] == '#' || sscanf(line, "%255s %ld %d", file, &index,
                                     &label) != 3)
            continue;
        snprintf(path, sizeof path, "%s/digits/%s", testdata_dir(), file);
        digit = classify(model, path);
        if (digit != label)
            fail_msg("%s: classified as %d, label %d", file, digit, label);
        checked++;
    }
    assert_int_equal(checked, 20);
    free(text);
    free(model);
    free(index_path);
}

/* Draws MNIST test image `index` dark on light: scaled up `scale` times,
 * placed off-centre on a larger grey-white canvas, as a binary PGM. */
static void draw_large_digit(const testdata_mnist *mnist, size_t index,
                             int scale, const char *path)
{
    const int width = 28 * scale + 97, height = 28 * scale + 151;
    const int left = 71, top = 23;
    const uint8_t *src = mnist->pixels + index * 28 * 28;
    unsigned char *canvas = malloc((size_t)width * (size_t)height);
    FILE *f;
    int x, y;

    assert_non_null(canvas);
    for (y = 0; y < height; y++)
        for (x = 0; x < width; x++) {
            int sx = (x - left) / scale, sy = (y - top) / scale;
            int ink = 0;
            if (x >= left && y >= top && sx < 28 && sy < 28)
                ink = src[sy * 28 + sx];
            /* Paper at 235, ink down to 20. */
            canvas[(size_t)y * (size_t)width + (size_t)x] =
                (unsigned char)(235 - ink * 215 / 255);
        }
    f = fopen(path, "wb");
    assert_non_null(f);
    fprintf(f, "P5\n%d %d\n255\n", width, height);
    assert_int_equal(fwrite(canvas, 1, (size_t)width * (size_t)height, f),
                     (size_t)width * (size_t)height);
    assert_int_equal(fclose(f), 0);
    free(canvas);
}

/* Large dark-on-light pictures of real digits go through the MNIST
 * preprocessing (invert, crop, scale to 20x20, centre) and are classified
 * as their labels. */
static void test_classify_large_dark_on_light(void **state)
{
    static const size_t indices[] = {0, 1, 2, 3, 4, 7, 8, 11, 18, 61};
    char *model = testdata_require_path("mnist-12.onnx");
    char *images = testdata_require_path("t10k-images-idx3-ubyte.gz");
    char *labels = testdata_require_path("t10k-labels-idx1-ubyte.gz");
    char message[256], path[] = "/tmp/onnxmini-classify-XXXXXX";
    testdata_mnist mnist;
    size_t i;
    int fd;

    (void)state;
    if (!testdata_mnist_load(images, labels, &mnist, message, sizeof message))
        fail_msg("%s", message);
    fd = mkstemp(path);
    assert_true(fd >= 0);
    for (i = 0; i < sizeof indices / sizeof indices[0]; i++) {
        int digit;
        draw_large_digit(&mnist, indices[i], 9, path);
        digit = classify(model, path);
        if (digit != mnist.labels[indices[i]])
            fail_msg("test image %zu drawn at 9x dark on light: classified "
                     "as %d, label %d",
                     indices[i], digit, mnist.labels[indices[i]]);
    }
    remove(path);
    testdata_mnist_free(&mnist);
    free(model);
    free(images);
    free(labels);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify_sample_digits),
        cmocka_unit_test(test_classify_large_dark_on_light),
    };
    return cmocka_run_group_tests_name("classify", tests, NULL, NULL);
}
