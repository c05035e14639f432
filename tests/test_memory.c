/*
 * test_memory.c - caller-controlled memory: the allocator options of
 * loads and sessions, the caller's arena, the required-bytes query, every
 * allocation failure during session creation, and re-planning without
 * leaks. test_alloc.c fails every allocation of a load.
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

/* An allocator that counts its calls, keeps the balance of live blocks,
 * and fails the request numbered fail_at (0-based), or every request once
 * fail_all is set. */
typedef struct counting {
    long calls;
    long live;
    long fail_at;                     /* -1 for none */
    int fail_all;
} counting;

static void *counting_allocate(void *user, size_t bytes, size_t alignment)
{
    counting *c = user;
    void *p = NULL;
    long call = c->calls++;

    assert_true(bytes > 0);
    assert_true(alignment > 0 && alignment <= 64 &&
                (alignment & (alignment - 1)) == 0);
    if (c->fail_all || call == c->fail_at)
        return NULL;
    if (posix_memalign(&p, 64, bytes) != 0)
        return NULL;
    c->live++;
    return p;
}

static void counting_release(void *user, void *pointer)
{
    counting *c = user;
    assert_non_null(pointer);
    c->live--;
    free(pointer);
}

static onnxmini_model *load(const char *name)
{
    char *path = testdata_require_path(name);
    onnxmini_model *model = NULL;
    onnxmini_error err;
    if (onnxmini_model_load_file(path, &model, &err) != ONNXMINI_OK)
        fail_msg("%s", err.message);
    free(path);
    return model;
}

/* The first MNIST test image as the model's input, pixel / 255. */
static void mnist_input(float *x)
{
    int i;
    for (i = 0; i < 784; i++)
        x[i] = (float)((i * 29) % 256) / 255.0f;
}

static const int64_t mnist_dims[4] = {1, 1, 28, 28};

/* The required-bytes query gives the arena size a normal session plans. */
static void test_memory_required_bytes_match(void **state)
{
    onnxmini_model *model = load("mnist-12.onnx");
    onnxmini_session *session = NULL;
    onnxmini_memory_info info;
    onnxmini_error err;
    size_t required = 0;

    (void)state;
    assert_int_equal(onnxmini_session_required_bytes(model, NULL, &required,
                                                     &err),
                     ONNXMINI_OK);
    assert_int_equal(onnxmini_session_create(model, NULL, &session, &err),
                     ONNXMINI_OK);
    assert_int_equal(onnxmini_session_memory(session, &info), ONNXMINI_OK);
    assert_true(required > 0);
    assert_int_equal(required, info.arena_bytes);
    assert_true(info.values_bytes >= info.values_lower_bound);
    onnxmini_session_destroy(session);
    onnxmini_model_free(model);
}

/* A session runs from the caller's static arena with an allocator that
 * fails every request once the session exists, and gives the same logits
 * as a default session. */
static void test_memory_static_arena_no_allocation(void **state)
{
    static _Alignas(64) unsigned char arena[1 << 20];
    onnxmini_model *model = load("mnist-12.onnx");
    onnxmini_session_options options;
    onnxmini_allocator allocator;
    counting c = {0, 0, -1, 0};
    onnxmini_session *session = NULL, *reference = NULL;
    onnxmini_error err;
    onnxmini_tensor out, want;
    float x[784];
    size_t required = 0;
    int run, i;

    (void)state;
    mnist_input(x);
    allocator.allocate = counting_allocate;
    allocator.release = counting_release;
    allocator.user = &c;
    onnxmini_session_options_init(&options);
    options.allocator = &allocator;
    assert_int_equal(onnxmini_session_required_bytes(model, &options,
                                                     &required, &err),
                     ONNXMINI_OK);
    assert_true(required <= sizeof arena);
    options.arena = arena;
    options.arena_bytes = sizeof arena;

    assert_int_equal(onnxmini_session_create(model, &options, &session, &err),
                     ONNXMINI_OK);
    assert_true(c.calls > 0);

    /* From here on every request fails. */
    c.fail_all = 1;
    for (run = 0; run < 3; run++) {
        assert_int_equal(onnxmini_session_set_input(session, "Input3",
                                                    ONNXMINI_FLOAT, mnist_dims,
                                                    4, x, sizeof x),
                         ONNXMINI_OK);
        assert_int_equal(onnxmini_session_run(session), ONNXMINI_OK);
    }
    assert_int_equal(onnxmini_session_output(session, 0, &out), ONNXMINI_OK);
    assert_ptr_not_equal(out.data, NULL);
    assert_true((const unsigned char *)out.data >= arena &&
                (const unsigned char *)out.data < arena + sizeof arena);

    /* The same logits as a session with the default allocator. */
    c.fail_all = 0;
    assert_int_equal(onnxmini_session_create(model, NULL, &reference, &err),
                     ONNXMINI_OK);
    assert_int_equal(onnxmini_session_set_input(reference, "Input3",
                                                ONNXMINI_FLOAT, mnist_dims, 4,
                                                x, sizeof x),
                     ONNXMINI_OK);
    assert_int_equal(onnxmini_session_run(reference), ONNXMINI_OK);
    assert_int_equal(onnxmini_session_output(reference, 0, &want),
                     ONNXMINI_OK);
    assert_int_equal(out.bytes, want.bytes);
    for (i = 0; i < 10; i++)
        if (((const float *)out.data)[i] != ((const float *)want.data)[i])
            fail_msg("logit %d: %g with the caller's arena, %g without", i,
                     ((const float *)out.data)[i],
                     ((const float *)want.data)[i]);

    onnxmini_session_destroy(reference);
    onnxmini_session_destroy(session);
    assert_int_equal(c.live, 0);
    onnxmini_model_free(model);
}

/* A caller arena smaller than the plan needs is an out-of-memory error
 * that gives both sizes. */
static void test_memory_small_arena_rejected(void **state)
{
    static _Alignas(64) unsigned char arena[1024];
    onnxmini_model *model = load("mnist-12.onnx");
    onnxmini_session_options options;
    onnxmini_session *session = NULL;
    onnxmini_error err;

    (void)state;
    onnxmini_session_options_init(&options);
    options.arena = arena;
    options.arena_bytes = sizeof arena;
    assert_int_equal(onnxmini_session_create(model, &options, &session, &err),
                     ONNXMINI_ERR_OUT_OF_MEMORY);
    assert_null(session);
    assert_non_null(strstr(err.message, "1024"));
    onnxmini_model_free(model);
}

/* An unaligned caller arena is rejected. */
static void test_memory_unaligned_arena_rejected(void **state)
{
    static _Alignas(64) unsigned char arena[1 << 16];
    onnxmini_model *model = load("mnist-12.onnx");
    onnxmini_session_options options;
    onnxmini_session *session = NULL;
    onnxmini_error err;

    (void)state;
    onnxmini_session_options_init(&options);
    options.arena = arena + 4;
    options.arena_bytes = sizeof arena - 4;
    assert_int_equal(onnxmini_session_create(model, &options, &session, &err),
                     ONNXMINI_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "aligned"));
    onnxmini_model_free(model);
}

/* Failing each allocation of session creation in turn gives
 * ONNXMINI_ERR_OUT_OF_MEMORY and leaks nothing, until creation needs no
 * more allocations than the allocator grants. */
static void test_memory_every_allocation_failure(void **state)
{
    onnxmini_model *model = load("mnist-12.onnx");
    onnxmini_session_options options;
    onnxmini_allocator allocator;
    long k, total;

    (void)state;
    allocator.allocate = counting_allocate;
    allocator.release = counting_release;
    onnxmini_session_options_init(&options);
    options.allocator = &allocator;

    /* How many allocations a successful creation makes. */
    {
        counting c = {0, 0, -1, 0};
        onnxmini_session *session = NULL;
        onnxmini_error err;
        allocator.user = &c;
        assert_int_equal(onnxmini_session_create(model, &options, &session,
                                                 &err),
                         ONNXMINI_OK);
        total = c.calls;
        onnxmini_session_destroy(session);
        assert_int_equal(c.live, 0);
    }
    for (k = 0; k < total; k++) {
        counting c = {0, 0, -1, 0};
        onnxmini_session *session = NULL;
        onnxmini_error err;
        onnxmini_status st;
        c.fail_at = k;
        allocator.user = &c;
        st = onnxmini_session_create(model, &options, &session, &err);
        if (st != ONNXMINI_ERR_OUT_OF_MEMORY)
            fail_msg("allocation %ld of %ld failing: status %d (%s)", k, total,
                     (int)st, err.message);
        assert_null(session);
        if (c.live != 0)
            fail_msg("allocation %ld of %ld failing: %ld blocks leaked", k,
                     total, c.live);
    }
    onnxmini_model_free(model);
}

/* Loads mnist-12.onnx with `allocator` in the load options. */
static onnxmini_model *load_with_allocator(const onnxmini_allocator *allocator)
{
    char *path = testdata_require_path("mnist-12.onnx");
    onnxmini_load_options options;
    onnxmini_model *model = NULL;
    onnxmini_error err;

    onnxmini_load_options_init(&options);
    options.allocator = allocator;
    if (onnxmini_model_load_file_with(path, &options, &model, &err) !=
        ONNXMINI_OK)
        fail_msg("%s", err.message);
    free(path);
    return model;
}

/* Creates a session with `options`, runs it on the first MNIST input and
 * destroys it. */
static void run_once(const onnxmini_model *model,
                     const onnxmini_session_options *options)
{
    onnxmini_session *session = NULL;
    onnxmini_error err;
    float x[784];

    mnist_input(x);
    if (onnxmini_session_create(model, options, &session, &err) !=
        ONNXMINI_OK)
        fail_msg("%s", err.message);
    assert_int_equal(onnxmini_session_set_input(session, "Input3",
                                                ONNXMINI_FLOAT, mnist_dims, 4,
                                                x, sizeof x),
                     ONNXMINI_OK);
    assert_int_equal(onnxmini_session_run(session), ONNXMINI_OK);
    onnxmini_session_destroy(session);
}

/* A session without an allocator of its own allocates through the one the
 * model was loaded with, and one with its own allocator does not touch
 * the model's. */
static void test_memory_session_uses_model_allocator(void **state)
{
    counting for_model = {0, 0, -1, 0}, for_session = {0, 0, -1, 0};
    onnxmini_allocator model_allocator, session_allocator;
    onnxmini_session_options options;
    onnxmini_model *model;
    onnxmini_error err;
    size_t required = 0;
    long calls, live;

    (void)state;
    model_allocator.allocate = counting_allocate;
    model_allocator.release = counting_release;
    model_allocator.user = &for_model;
    session_allocator = model_allocator;
    session_allocator.user = &for_session;
    model = load_with_allocator(&model_allocator);
    calls = for_model.calls;
    live = for_model.live;
    assert_true(calls > 0);
    assert_true(live > 0);

    /* NULL options, then options without an allocator. */
    run_once(model, NULL);
    assert_true(for_model.calls > calls);
    assert_int_equal(for_model.live, live);
    calls = for_model.calls;
    onnxmini_session_options_init(&options);
    run_once(model, &options);
    assert_true(for_model.calls > calls);
    assert_int_equal(for_model.live, live);
    calls = for_model.calls;
    assert_int_equal(onnxmini_session_required_bytes(model, NULL, &required,
                                                     &err),
                     ONNXMINI_OK);
    assert_true(for_model.calls > calls);
    assert_int_equal(for_model.live, live);

    /* The session's own allocator. */
    calls = for_model.calls;
    options.allocator = &session_allocator;
    run_once(model, &options);
    assert_int_equal(for_model.calls, calls);
    assert_true(for_session.calls > 0);
    assert_int_equal(for_session.live, 0);

    onnxmini_model_free(model);
    assert_int_equal(for_model.live, 0);
}

/* Load options of the first version of the struct, which ended before
 * `allocator`, are accepted, and the allocator past their struct_size is
 * ignored. A shorter struct_size is rejected. */
static void test_memory_load_options_first_version(void **state)
{
    counting c = {0, 0, -1, 1};
    onnxmini_allocator failing;
    onnxmini_load_options options;
    onnxmini_model *model = NULL;
    onnxmini_error err;
    char *path = testdata_require_path("mnist-12.onnx");

    (void)state;
    failing.allocate = counting_allocate;
    failing.release = counting_release;
    failing.user = &c;
    onnxmini_load_options_init(&options);
    assert_int_equal(options.struct_size, sizeof options);
    assert_null(options.allocator);
    options.allocator = &failing;
    options.struct_size = offsetof(onnxmini_load_options, allocator);
    if (onnxmini_model_load_file_with(path, &options, &model, &err) !=
        ONNXMINI_OK)
        fail_msg("struct_size %zu: %s", options.struct_size, err.message);
    assert_int_equal(c.calls, 0);
    onnxmini_model_free(model);

    options.struct_size--;
    assert_int_equal(onnxmini_model_load_file_with(path, &options, &model,
                                                   &err),
                     ONNXMINI_ERR_INVALID_ARGUMENT);
    assert_null(model);
    assert_non_null(strstr(err.message, "struct_size"));
    free(path);
}

/* An allocator without release is an invalid argument naming the field,
 * before anything is allocated. */
static void test_memory_load_allocator_incomplete(void **state)
{
    counting c = {0, 0, -1, 0};
    onnxmini_allocator incomplete;
    onnxmini_load_options options;
    onnxmini_model *model = NULL;
    onnxmini_error err;
    static const unsigned char bytes[4] = {0x08, 0x07, 0x12, 0x00};

    (void)state;
    incomplete.allocate = counting_allocate;
    incomplete.release = NULL;
    incomplete.user = &c;
    onnxmini_load_options_init(&options);
    options.allocator = &incomplete;
    assert_int_equal(onnxmini_model_load_memory_with(bytes, sizeof bytes,
                                                     &options, &model, &err),
                     ONNXMINI_ERR_INVALID_ARGUMENT);
    assert_null(model);
    assert_non_null(strstr(err.message, "options.allocator"));
    assert_int_equal(c.calls, 0);
}

/* A symbolic batch changed from 1 to 64 and back re-plans each time,
 * reports the new arena size, and leaks nothing. */
static void test_memory_replan_batch(void **state)
{
    static const int64_t batches[] = {1, 64, 1};
    mb_model *m = mb_case_model(state, 13);
    onnxmini_model *model = NULL;
    onnxmini_session_options options;
    onnxmini_allocator allocator;
    onnxmini_session *session = NULL;
    onnxmini_error err;
    counting c = {0, 0, -1, 0};
    size_t arenas[3];
    float *x = calloc(64 * 16, sizeof *x);
    int i;

    assert_non_null(x);
    mb_input_symbolic(m, "x", ONNXMINI_FLOAT, MB_DIMS(1, 16),
                      MB_NAMES("N", NULL));
    mb_node_add(m, "Relu", "relu", MB_NAMES("x"), MB_NAMES("r"));
    mb_node_add(m, "Relu", "relu2", MB_NAMES("r"), MB_NAMES("y"));
    mb_output(m, "y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    if (mb_model_load(m, &model, &err) != ONNXMINI_OK)
        fail_msg("%s", err.message);

    allocator.allocate = counting_allocate;
    allocator.release = counting_release;
    allocator.user = &c;
    onnxmini_session_options_init(&options);
    options.allocator = &allocator;
    assert_int_equal(onnxmini_session_create(model, &options, &session, &err),
                     ONNXMINI_OK);
    for (i = 0; i < 3; i++) {
        const int64_t dims[2] = {batches[i], 16};
        onnxmini_memory_info info;
        assert_int_equal(onnxmini_session_set_input(session, "x",
                                                    ONNXMINI_FLOAT, dims, 2, x,
                                                    (size_t)batches[i] * 16 *
                                                        sizeof(float)),
                         ONNXMINI_OK);
        assert_int_equal(onnxmini_session_run(session), ONNXMINI_OK);
        assert_int_equal(onnxmini_session_memory(session, &info), ONNXMINI_OK);
        arenas[i] = info.arena_bytes;
    }
    assert_true(arenas[1] > arenas[0]);
    assert_int_equal(arenas[2], arenas[0]);
    onnxmini_session_destroy(session);
    assert_int_equal(c.live, 0);
    onnxmini_model_free(model);
    free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory_required_bytes_match),
        cmocka_unit_test(test_memory_static_arena_no_allocation),
        cmocka_unit_test(test_memory_small_arena_rejected),
        cmocka_unit_test(test_memory_unaligned_arena_rejected),
        cmocka_unit_test(test_memory_every_allocation_failure),
        MB_TEST(test_memory_replan_batch),
        cmocka_unit_test(test_memory_session_uses_model_allocator),
        cmocka_unit_test(test_memory_load_options_first_version),
        cmocka_unit_test(test_memory_load_allocator_incomplete),
    };
    return cmocka_run_group_tests_name("memory", tests, NULL, NULL);
}
