/*
 * test_threads.c - intra-op threads change nothing: every output is
 * bit-identical for 1, 2 and 3 threads, on the official conformance
 * models of tests/conformance-expected.txt, the MNIST models and a network
 * large enough to split into many tasks. Also several sessions of one
 * model running at once on different threads agree with one at a time.
 */
#include <pthread.h>
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

#define MAX_INPUTS 8

/* Inputs for one run: decoded TensorProtos, or generated data. */
typedef struct feed {
    size_t n;
    const char *names[MAX_INPUTS];    /* NULL: by position */
    onnxmini_tensor tensors[MAX_INPUTS];
} feed;

/* Runs the model with `threads` threads and returns a malloc'd copy of
 * every output's bytes, concatenated; *bytes receives the total. */
static unsigned char *run_outputs(const onnxmini_model *model, int threads,
                                  const feed *f, size_t *bytes,
                                  const char *label)
{
    onnxmini_session_options options;
    onnxmini_session *session = NULL;
    onnxmini_error err;
    unsigned char *all = NULL;
    size_t i, total = 0;

    onnxmini_session_options_init(&options);
    options.threads = threads;
    if (onnxmini_session_create(model, &options, &session, &err) != ONNXMINI_OK)
        fail_msg("%s: %s", label, err.message);
    for (i = 0; i < f->n; i++) {
        const onnxmini_tensor *t = &f->tensors[i];
        onnxmini_status st =
            f->names[i] ? onnxmini_session_set_input(session, f->names[i],
                                                     t->dtype, t->dims,
                                                     t->rank, t->data, t->bytes)
                        : onnxmini_session_set_input_at(session, i, t->dtype,
                                                        t->dims, t->rank,
                                                        t->data, t->bytes);
        if (st != ONNXMINI_OK)
            fail_msg("%s: %s", label, onnxmini_session_message(session));
    }
    if (onnxmini_session_run(session) != ONNXMINI_OK)
        fail_msg("%s: %s", label, onnxmini_session_message(session));
    for (i = 0; i < onnxmini_model_output_count(model); i++) {
        onnxmini_tensor out;
        unsigned char *grown;
        assert_int_equal(onnxmini_session_output(session, i, &out),
                         ONNXMINI_OK);
        grown = realloc(all, total + out.bytes + 1);
        assert_non_null(grown);
        all = grown;
        if (out.bytes)
            memcpy(all + total, out.data, out.bytes);
        total += out.bytes;
    }
    onnxmini_session_destroy(session);
    *bytes = total;
    return all;
}

/* Fails unless 2 and 3 threads give the bytes of 1 thread. */
static void check_threads(const onnxmini_model *model, const feed *f,
                          const char *label)
{
    size_t b1, bn, i;
    unsigned char *one = run_outputs(model, 1, f, &b1, label);
    int threads;

    for (threads = 2; threads <= 3; threads++) {
        unsigned char *many = run_outputs(model, threads, f, &bn, label);
        assert_int_equal(bn, b1);
        for (i = 0; i < b1; i++)
            if (one[i] != many[i])
                fail_msg("%s: output byte %zu differs with %d threads", label,
                         i, threads);
        free(many);
    }
    free(one);
}

/* The first data set of every listed conformance test. */
static void test_threads_conformance_identical(void **state)
{
    const char *root = getenv("ONNX_TESTDATA");
    FILE *list = fopen("tests/conformance-expected.txt", "r");
    char line[512];
    int checked = 0;

    (void)state;
    if (!root)
        root = "/usr/share/libonnx-testdata/data";
    if (!list)
        fail_msg("cannot open tests/conformance-expected.txt (run from the "
                 "repository root)");
    while (fgets(line, sizeof line, list)) {
        char path[1024];
        onnxmini_model *model = NULL;
        onnxmini_tensor_proto *protos[MAX_INPUTS] = {0};
        onnxmini_error err;
        feed f;
        size_t k;

        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        snprintf(path, sizeof path, "%s/%s/model.onnx", root, line);
        if (onnxmini_model_load_file(path, &model, &err) != ONNXMINI_OK)
            fail_msg("%s", err.message);
        memset(&f, 0, sizeof f);
        for (k = 0; k < MAX_INPUTS; k++) {
            snprintf(path, sizeof path, "%s/%s/test_data_set_0/input_%zu.pb",
                     root, line, k);
            if (onnxmini_tensor_proto_load_file(path, &protos[k], &err) !=
                ONNXMINI_OK)
                break;
            onnxmini_tensor_proto_view(protos[k], &f.tensors[k]);
            f.names[k] = onnxmini_tensor_proto_name(protos[k])[0]
                             ? onnxmini_tensor_proto_name(protos[k])
                             : NULL;
            f.n++;
        }
        check_threads(model, &f, line);
        for (k = 0; k < MAX_INPUTS; k++)
            onnxmini_tensor_proto_free(protos[k]);
        onnxmini_model_free(model);
        checked++;
    }
    fclose(list);
    assert_true(checked >= 80);
}

/* One float input of the model's declared shape, batch in dimension 0,
 * filled with a fixed pattern. */
static float *fill_feed(const onnxmini_model *model, int64_t batch, feed *f,
                        int64_t *dims)
{
    onnxmini_value_info info;
    size_t count = 1, i;
    float *data;

    assert_int_equal(onnxmini_model_input_info(model, 0, &info), ONNXMINI_OK);
    for (i = 0; i < (size_t)info.rank; i++) {
        dims[i] = info.dims[i] >= 0 ? info.dims[i] : batch;
        count *= (size_t)dims[i];
    }
    data = malloc(count * sizeof *data);
    assert_non_null(data);
    for (i = 0; i < count; i++)
        data[i] = (float)((i * 2654435761u) % 1000) / 500.0f - 1.0f;
    memset(f, 0, sizeof *f);
    f->n = 1;
    f->names[0] = info.name;
    f->tensors[0].dtype = ONNXMINI_FLOAT;
    f->tensors[0].rank = (size_t)info.rank;
    f->tensors[0].dims = dims;
    f->tensors[0].data = data;
    f->tensors[0].bytes = count * sizeof *data;
    return data;
}

/* mnist-8 and mnist-12. */
static void test_threads_mnist_identical(void **state)
{
    static const char *const names[] = {"mnist-8.onnx", "mnist-12.onnx"};
    size_t i;

    (void)state;
    for (i = 0; i < 2; i++) {
        char *path = testdata_require_path(names[i]);
        onnxmini_model *model = NULL;
        onnxmini_error err;
        int64_t dims[8];
        feed f;
        float *data;
        if (onnxmini_model_load_file(path, &model, &err) != ONNXMINI_OK)
            fail_msg("%s", err.message);
        data = fill_feed(model, 1, &f, dims);
        check_threads(model, &f, names[i]);
        free(data);
        onnxmini_model_free(model);
        free(path);
    }
}

/* A network with stride-1 and strided convolutions, grouped channels,
 * pooling and a matrix product wide enough to split across threads, at
 * batch 1 and 3. */
static void test_threads_network_identical(void **state)
{
    static float w1[32 * 3 * 3 * 3], w2[32 * 16 * 3 * 3], w3[2048 * 300];
    static float b1[32], b3[300];
    uint32_t seed = 11;
    mb_model *m = mb_case_model(state, 13);
    onnxmini_model *model = NULL;
    onnxmini_error err;
    int64_t dims[8], batch;
    mb_node *n;

    mb_random_floats(&seed, w1, sizeof w1 / sizeof w1[0]);
    mb_random_floats(&seed, w2, sizeof w2 / sizeof w2[0]);
    mb_random_floats(&seed, w3, sizeof w3 / sizeof w3[0]);
    mb_random_floats(&seed, b1, 32);
    mb_random_floats(&seed, b3, 300);
    mb_input_symbolic(m, "x", ONNXMINI_FLOAT, MB_DIMS(1, 3, 32, 32),
                      MB_NAMES("N", NULL, NULL, NULL));
    mb_initializer(m, "w1", ONNXMINI_FLOAT, MB_DIMS(32, 3, 3, 3), w1, MB_RAW);
    mb_initializer(m, "b1", ONNXMINI_FLOAT, MB_DIMS(32, 1, 1), b1, MB_RAW);
    mb_initializer(m, "w2", ONNXMINI_FLOAT, MB_DIMS(32, 16, 3, 3), w2, MB_RAW);
    mb_initializer(m, "w3", ONNXMINI_FLOAT, MB_DIMS(2048, 300), w3, MB_RAW);
    mb_initializer(m, "b3", ONNXMINI_FLOAT, MB_DIMS(300), b3, MB_RAW);
    mb_initializer(m, "shape", ONNXMINI_INT64, MB_DIMS(2),
                   (const int64_t[]){-1, 2048}, MB_RAW);
    n = mb_node_add(m, "Conv", "conv1", MB_NAMES("x", "w1"), MB_NAMES("c1"));
    mb_attr_ints(n, "pads", MB_I64S(1, 1, 1, 1));
    mb_node_add(m, "Add", "add1", MB_NAMES("c1", "b1"), MB_NAMES("a1"));
    mb_node_add(m, "Relu", "relu1", MB_NAMES("a1"), MB_NAMES("r1"));
    n = mb_node_add(m, "Conv", "conv2", MB_NAMES("r1", "w2"), MB_NAMES("c2"));
    mb_attr_ints(n, "strides", MB_I64S(2, 2));
    mb_attr_ints(n, "pads", MB_I64S(1, 1, 1, 1));
    mb_attr_int(n, "group", 2);
    n = mb_node_add(m, "MaxPool", "pool", MB_NAMES("c2"), MB_NAMES("p"));
    mb_attr_ints(n, "kernel_shape", MB_I64S(2, 2));
    mb_attr_ints(n, "strides", MB_I64S(2, 2));
    mb_node_add(m, "Reshape", "flat", MB_NAMES("p", "shape"), MB_NAMES("f"));
    mb_node_add(m, "MatMul", "fc", MB_NAMES("f", "w3"), MB_NAMES("mm"));
    mb_node_add(m, "Add", "fc_bias", MB_NAMES("mm", "b3"), MB_NAMES("y"));
    mb_output(m, "y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    if (mb_model_load(m, &model, &err) != ONNXMINI_OK)
        fail_msg("%s", err.message);

    for (batch = 1; batch <= 3; batch += 2) {
        feed f;
        float *data = fill_feed(model, batch, &f, dims);
        check_threads(model, &f, batch == 1 ? "network, batch 1"
                                            : "network, batch 3");
        free(data);
    }
    onnxmini_model_free(model);
}

/* Ensures products split between threads by rows or columns give the
 * bits of one thread, at batch 1 and 37. A MatMul of 8 columns and a Gemm
 * with transB of 10 columns run as dot products, split by rows. A Gemm of
 * 200 columns runs on packed panels, split by columns. */
static void test_threads_products_identical(void **state)
{
    static float w_narrow[300 * 8], w_t[10 * 300], w_wide[300 * 200];
    static float b8[8], c10[10], c200[200];
    uint32_t seed = 12;
    mb_model *m = mb_case_model(state, 13);
    onnxmini_model *model = NULL;
    onnxmini_error err;
    int64_t dims[8], batch;
    mb_node *n;

    mb_random_floats(&seed, w_narrow, sizeof w_narrow / sizeof w_narrow[0]);
    mb_random_floats(&seed, w_t, sizeof w_t / sizeof w_t[0]);
    mb_random_floats(&seed, w_wide, sizeof w_wide / sizeof w_wide[0]);
    mb_random_floats(&seed, b8, 8);
    mb_random_floats(&seed, c10, 10);
    mb_random_floats(&seed, c200, 200);
    mb_input_symbolic(m, "x", ONNXMINI_FLOAT, MB_DIMS(1, 300),
                      MB_NAMES("N", NULL));
    mb_initializer(m, "w_narrow", ONNXMINI_FLOAT, MB_DIMS(300, 8), w_narrow,
                   MB_RAW);
    mb_initializer(m, "b8", ONNXMINI_FLOAT, MB_DIMS(8), b8, MB_RAW);
    mb_initializer(m, "w_t", ONNXMINI_FLOAT, MB_DIMS(10, 300), w_t, MB_RAW);
    mb_initializer(m, "c10", ONNXMINI_FLOAT, MB_DIMS(10), c10, MB_RAW);
    mb_initializer(m, "w_wide", ONNXMINI_FLOAT, MB_DIMS(300, 200), w_wide,
                   MB_RAW);
    mb_initializer(m, "c200", ONNXMINI_FLOAT, MB_DIMS(200), c200, MB_RAW);
    mb_node_add(m, "MatMul", "narrow", MB_NAMES("x", "w_narrow"),
                MB_NAMES("mm"));
    mb_node_add(m, "Add", "narrow_bias", MB_NAMES("mm", "b8"),
                MB_NAMES("y1"));
    n = mb_node_add(m, "Gemm", "gemm_narrow", MB_NAMES("x", "w_t", "c10"),
                    MB_NAMES("y2"));
    mb_attr_int(n, "transB", 1);
    mb_node_add(m, "Gemm", "gemm_wide", MB_NAMES("x", "w_wide", "c200"),
                MB_NAMES("y3"));
    mb_output(m, "y1", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_output(m, "y2", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_output(m, "y3", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    if (mb_model_load(m, &model, &err) != ONNXMINI_OK)
        fail_msg("%s", err.message);

    for (batch = 1; batch <= 37; batch += 36) {
        feed f;
        float *data = fill_feed(model, batch, &f, dims);
        check_threads(model, &f, batch == 1 ? "products, batch 1"
                                            : "products, batch 37");
        free(data);
    }
    onnxmini_model_free(model);
}

/* Every model in the folder named by ONNXMINI_BENCH_MODELS (make check
 * points it at the generated benchmark models: the MNIST graph with a
 * symbolic batch, the CIFAR-size CNN and the VGG-style block), at batch 1
 * and 2. Skipped when the variable is unset, as in the cross-platform
 * runs, where these large models would take minutes under emulation. */
static void test_threads_bench_models_identical(void **state)
{
    static const char *const names[] = {"mnist.onnx", "cifar_cnn.onnx",
                                        "vgg_block.onnx"};
    const char *dir = getenv("ONNXMINI_BENCH_MODELS");
    size_t i;

    (void)state;
    if (!dir || !dir[0])
        skip();
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[1024];
        onnxmini_model *model = NULL;
        onnxmini_error err;
        int64_t dims[8], batch;

        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (onnxmini_model_load_file(path, &model, &err) != ONNXMINI_OK)
            fail_msg("%s", err.message);
        for (batch = 1; batch <= 2; batch++) {
            char label[1100];
            feed f;
            float *data = fill_feed(model, batch, &f, dims);
            snprintf(label, sizeof label, "%s, batch %lld", names[i],
                     (long long)batch);
            check_threads(model, &f, label);
            free(data);
        }
        onnxmini_model_free(model);
    }
}

/* Sessions of one model on four threads at once. */
typedef struct concurrent {
    const onnxmini_model *model;
    const feed *f;
    unsigned char *out;
    size_t bytes;
    int failed;
} concurrent;

static void *concurrent_main(void *arg)
{
    concurrent *c = arg;
    onnxmini_session *session = NULL;
    onnxmini_error err;
    onnxmini_tensor out;
    int r;

    if (onnxmini_session_create(c->model, NULL, &session, &err) != ONNXMINI_OK) {
        c->failed = 1;
        return NULL;
    }
    for (r = 0; r < 20 && !c->failed; r++) {
        const onnxmini_tensor *t = &c->f->tensors[0];
        if (onnxmini_session_set_input(session, c->f->names[0], t->dtype,
                                       t->dims, t->rank, t->data,
                                       t->bytes) != ONNXMINI_OK ||
            onnxmini_session_run(session) != ONNXMINI_OK ||
            onnxmini_session_output(session, 0, &out) != ONNXMINI_OK)
            c->failed = 1;
    }
    if (!c->failed) {
        c->out = malloc(out.bytes);
        if (c->out)
            memcpy(c->out, out.data, out.bytes);
        c->bytes = out.bytes;
    }
    onnxmini_session_destroy(session);
    return NULL;
}

/* One model shared by four sessions running at once gives the results of
 * one session alone. */
static void test_threads_shared_model_sessions(void **state)
{
    char *path = testdata_require_path("mnist-12.onnx");
    onnxmini_model *model = NULL;
    onnxmini_error err;
    pthread_t threads[4];
    concurrent c[4];
    int64_t dims[8];
    feed f;
    float *data;
    size_t alone_bytes;
    unsigned char *alone;
    int i;

    (void)state;
    if (onnxmini_model_load_file(path, &model, &err) != ONNXMINI_OK)
        fail_msg("%s", err.message);
    data = fill_feed(model, 1, &f, dims);
    alone = run_outputs(model, 1, &f, &alone_bytes, "mnist-12 alone");
    for (i = 0; i < 4; i++) {
        memset(&c[i], 0, sizeof c[i]);
        c[i].model = model;
        c[i].f = &f;
        assert_int_equal(pthread_create(&threads[i], NULL, concurrent_main,
                                        &c[i]),
                         0);
    }
    for (i = 0; i < 4; i++)
        pthread_join(threads[i], NULL);
    for (i = 0; i < 4; i++) {
        assert_false(c[i].failed);
        assert_int_equal(c[i].bytes, alone_bytes);
        assert_memory_equal(c[i].out, alone, alone_bytes);
        free(c[i].out);
    }
    free(alone);
    free(data);
    onnxmini_model_free(model);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_conformance_identical),
        cmocka_unit_test(test_threads_mnist_identical),
        MB_TEST(test_threads_network_identical),
        MB_TEST(test_threads_products_identical),
        cmocka_unit_test(test_threads_bench_models_identical),
        cmocka_unit_test(test_threads_shared_model_sessions),
    };
    return cmocka_run_group_tests_name("threads", tests, NULL, NULL);
}
