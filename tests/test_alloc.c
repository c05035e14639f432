/*
 * test_alloc.c - onnxmini_session_run allocates nothing.
 *
 * The test replaces malloc, calloc, realloc, free, aligned_alloc and
 * posix_memalign for the whole program (glibc lets an executable define
 * them) and counts the calls made while onnxmini_session_run runs, for
 * every instruction set the CPU has, at batch 1 and larger. Under
 * AddressSanitizer, which owns these functions itself, the test is
 * skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model_builder.h"
#include "onnxmini.h"
#include "test_data.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif

/* Calls counted while `counting` is set. */
static volatile int counting;
static volatile long allocation_calls;

#if !defined(SANITIZED) && defined(__GLIBC__)
#define COUNTING_ALLOCATOR 1

void *__libc_malloc(size_t size);
void *__libc_calloc(size_t count, size_t size);
void *__libc_realloc(void *p, size_t size);
void *__libc_memalign(size_t alignment, size_t size);
void __libc_free(void *p);

void *malloc(size_t size)
{
    if (counting)
        allocation_calls++;
    return __libc_malloc(size);
}

void *calloc(size_t count, size_t size)
{
    if (counting)
        allocation_calls++;
    return __libc_calloc(count, size);
}

void *realloc(void *p, size_t size)
{
    if (counting)
        allocation_calls++;
    return __libc_realloc(p, size);
}

void free(void *p)
{
    if (counting && p)
        allocation_calls++;
    __libc_free(p);
}

void *aligned_alloc(size_t alignment, size_t size)
{
    if (counting)
        allocation_calls++;
    return __libc_memalign(alignment, size);
}

int posix_memalign(void **out, size_t alignment, size_t size)
{
    if (counting)
        allocation_calls++;
    *out = __libc_memalign(alignment, size);
    return *out ? 0 : 12; /* ENOMEM */
}
#endif

#ifdef COUNTING_ALLOCATOR
/* Creates a session on `isa`, feeds every input with pseudo-random data at
 * the given batch (dimension 0 when it is symbolic), runs once to warm up,
 * then counts the allocations of three more runs. */
static long allocations_in_run(const onnxmini_model *model, const char *isa,
                               int64_t batch)
{
    onnxmini_session_options options;
    onnxmini_session *session = NULL;
    onnxmini_error err;
    void *buffers[8] = {0};
    size_t n_inputs = onnxmini_model_input_count(model), i, j;
    long calls;
    int r;

    onnxmini_session_options_init(&options);
    options.isa = isa;
    if (onnxmini_session_create(model, &options, &session, &err) != ONNXMINI_OK)
        fail_msg("session on %s: %s", isa, err.message);
    assert_true(n_inputs <= 8);
    for (i = 0; i < n_inputs; i++) {
        onnxmini_value_info info;
        int64_t dims[8];
        size_t count = 1, bytes;
        float *data;

        assert_int_equal(onnxmini_model_input_info(model, i, &info),
                         ONNXMINI_OK);
        assert_int_equal(info.dtype, ONNXMINI_FLOAT);
        for (j = 0; j < (size_t)info.rank; j++) {
            dims[j] = info.dims[j] >= 0 ? info.dims[j] : (j == 0 ? batch : 1);
            count *= (size_t)dims[j];
        }
        bytes = count * sizeof(float);
        data = malloc(bytes);
        assert_non_null(data);
        for (j = 0; j < count; j++)
            data[j] = (float)((j * 37) % 101) / 101.0f;
        buffers[i] = data;
        if (onnxmini_session_set_input(session, info.name, info.dtype, dims,
                                       (size_t)info.rank, data, bytes) !=
            ONNXMINI_OK)
            fail_msg("%s", onnxmini_session_message(session));
    }
    assert_int_equal(onnxmini_session_run(session), ONNXMINI_OK);

    allocation_calls = 0;
    counting = 1;
    for (r = 0; r < 3; r++)
        if (onnxmini_session_run(session) != ONNXMINI_OK)
            break;
    counting = 0;
    calls = allocation_calls;
    assert_int_equal(r, 3);

    onnxmini_session_destroy(session);
    for (i = 0; i < n_inputs; i++)
        free(buffers[i]);
    return calls;
}

/* Checks a model on every instruction set at the given batches. */
static void check_model(const onnxmini_model *model, const char *label,
                        const int64_t *batches, size_t n_batches)
{
    size_t k, b;
    for (k = 0; k < onnxmini_isa_count(); k++)
        for (b = 0; b < n_batches; b++) {
            long calls = allocations_in_run(model, onnxmini_isa_name(k),
                                            batches[b]);
            if (calls != 0)
                fail_msg("%s on %s, batch %lld: %ld allocation calls in 3 "
                         "runs",
                         label, onnxmini_isa_name(k), (long long)batches[b],
                         calls);
        }
}

/* The counting allocator sees the library's allocations at all, so that a
 * zero below means something. */
static void test_alloc_counter_sees_library(void **state)
{
    onnxmini_model *model = NULL;
    onnxmini_error err;
    char *path = testdata_require_path("mnist-12.onnx");

    (void)state;
    allocation_calls = 0;
    counting = 1;
    assert_int_equal(onnxmini_model_load_file(path, &model, &err), ONNXMINI_OK);
    counting = 0;
    assert_true(allocation_calls > 0);
    onnxmini_model_free(model);
    free(path);
}

/* mnist-8 and mnist-12 run without allocating, on every instruction
 * set. */
static void test_alloc_mnist_models(void **state)
{
    static const char *const names[] = {"mnist-8.onnx", "mnist-12.onnx"};
    static const int64_t one[] = {1};
    size_t i;

    (void)state;
    for (i = 0; i < 2; i++) {
        char *path = testdata_require_path(names[i]);
        onnxmini_model *model = NULL;
        onnxmini_error err;
        if (onnxmini_model_load_file(path, &model, &err) != ONNXMINI_OK)
            fail_msg("%s", err.message);
        check_model(model, names[i], one, 1);
        onnxmini_model_free(model);
        free(path);
    }
}

/* A network with every kernel path (a stride-1 and a strided Conv, both
 * fused with bias and Relu, MaxPool, Reshape, MatMul + Add) and a
 * symbolic batch runs without allocating at batch 1 and 3, also after
 * the batch changed. */
static void test_alloc_symbolic_batch_network(void **state)
{
    static const int64_t batches[] = {1, 3, 1};
    float w1[8 * 3 * 3 * 3], b1[8], w2[8 * 8 * 3 * 3], w3[8 * 2 * 2 * 10],
        b3[10];
    uint32_t seed = 7;
    mb_model *m = mb_case_model(state, 13);
    onnxmini_model *model = NULL;
    onnxmini_error err;
    mb_node *n;

    mb_random_floats(&seed, w1, sizeof w1 / sizeof w1[0]);
    mb_random_floats(&seed, b1, 8);
    mb_random_floats(&seed, w2, sizeof w2 / sizeof w2[0]);
    mb_random_floats(&seed, w3, sizeof w3 / sizeof w3[0]);
    mb_random_floats(&seed, b3, 10);

    mb_input_symbolic(m, "x", ONNXMINI_FLOAT, MB_DIMS(1, 3, 8, 8),
                      MB_NAMES("N", NULL, NULL, NULL));
    mb_initializer(m, "w1", ONNXMINI_FLOAT, MB_DIMS(8, 3, 3, 3), w1, MB_RAW);
    mb_initializer(m, "b1", ONNXMINI_FLOAT, MB_DIMS(8, 1, 1), b1, MB_RAW);
    mb_initializer(m, "w2", ONNXMINI_FLOAT, MB_DIMS(8, 8, 3, 3), w2, MB_RAW);
    mb_initializer(m, "w3", ONNXMINI_FLOAT, MB_DIMS(32, 10), w3, MB_RAW);
    mb_initializer(m, "b3", ONNXMINI_FLOAT, MB_DIMS(1, 10), b3, MB_RAW);
    mb_initializer(m, "shape", ONNXMINI_INT64, MB_DIMS(2),
                   (const int64_t[]){-1, 32},
                   MB_RAW);
    n = mb_node_add(m, "Conv", "conv1", MB_NAMES("x", "w1"), MB_NAMES("c1"));
    mb_attr_ints(n, "pads", MB_I64S(1, 1, 1, 1));
    mb_node_add(m, "Add", "add1", MB_NAMES("c1", "b1"), MB_NAMES("a1"));
    mb_node_add(m, "Relu", "relu1", MB_NAMES("a1"), MB_NAMES("r1"));
    n = mb_node_add(m, "Conv", "conv2", MB_NAMES("r1", "w2"), MB_NAMES("c2"));
    mb_attr_ints(n, "strides", MB_I64S(2, 2));
    mb_attr_ints(n, "pads", MB_I64S(1, 1, 1, 1));
    mb_node_add(m, "Relu", "relu2", MB_NAMES("c2"), MB_NAMES("r2"));
    n = mb_node_add(m, "MaxPool", "pool", MB_NAMES("r2"), MB_NAMES("p"));
    mb_attr_ints(n, "kernel_shape", MB_I64S(2, 2));
    mb_attr_ints(n, "strides", MB_I64S(2, 2));
    mb_node_add(m, "Reshape", "flat", MB_NAMES("p", "shape"), MB_NAMES("f"));
    mb_node_add(m, "MatMul", "fc", MB_NAMES("f", "w3"), MB_NAMES("mm"));
    mb_node_add(m, "Add", "fc_bias", MB_NAMES("mm", "b3"), MB_NAMES("y"));
    mb_output(m, "y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);

    if (mb_model_load(m, &model, &err) != ONNXMINI_OK)
        fail_msg("%s", err.message);
    check_model(model, "network", batches, 3);
    onnxmini_model_free(model);
}

#endif /* COUNTING_ALLOCATOR */

int main(void)
{
#ifndef COUNTING_ALLOCATOR
    /* cmocka counts skipped tests as failures in its exit status. */
    printf("test_alloc: not run: this build's allocator cannot be "
           "replaced (a sanitizer or a C library other than glibc)\n");
    return 0;
#else
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_counter_sees_library),
        cmocka_unit_test(test_alloc_mnist_models),
        MB_TEST(test_alloc_symbolic_batch_network),
    };
    return cmocka_run_group_tests_name("alloc", tests, NULL, NULL);
#endif
}
