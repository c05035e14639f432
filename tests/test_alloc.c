/*
 * test_alloc.c - what the library allocates, and through what.
 *
 * onnxmini_session_run allocates nothing. The test replaces malloc,
 * calloc, realloc, free, aligned_alloc and posix_memalign for the whole
 * program, which glibc lets an executable do. It counts the calls made
 * while onnxmini_session_run runs, for every instruction set the CPU has,
 * at batch 1 and larger.
 *
 * With an allocator in onnxmini_load_options, loading a model, creating
 * and running a session from it and freeing both make no call to those
 * functions from outside the C library, and none at all for a model
 * loaded from memory. The calls that the C library makes itself, such as
 * fopen's for its FILE, are recognised by their return address.
 *
 * Under AddressSanitizer, which owns these functions itself, those tests
 * are skipped. The fault-injection tests, which fail each allocation of a
 * load in turn through the caller's allocator, run in every build.
 */
#define _GNU_SOURCE /* dl_iterate_phdr */

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "model_builder.h"
#include "onnx.pb-c.h"
#include "onnxmini.h"
#include "test_data.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif

/* Calls counted while `counting` is set: allocation_calls from anywhere
 * but the C library, libc_calls from inside it. */
static volatile int counting;
static volatile long allocation_calls;
static volatile long libc_calls;

#if !defined(SANITIZED) && defined(__GLIBC__)
#define COUNTING_ALLOCATOR 1

#include <link.h>

/* The replacements must be in the executable's dynamic symbol table, or
 * shared libraries (protobuf-c, the C library) would keep calling glibc's
 * own functions. The build's -fvisibility=hidden would keep them out. */
#define REPLACEMENT __attribute__((visibility("default")))

void *__libc_malloc(size_t size);
void *__libc_calloc(size_t count, size_t size);
void *__libc_realloc(void *p, size_t size);
void *__libc_memalign(size_t alignment, size_t size);
void __libc_free(void *p);

/* The executable segments of the C library, found before any test runs. */
static uintptr_t libc_text_start, libc_text_end;

static int find_libc_text(struct dl_phdr_info *info, size_t size, void *data)
{
    int i;

    (void)size;
    (void)data;
    if (!info->dlpi_name || !strstr(info->dlpi_name, "/libc.so."))
        return 0;
    for (i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t start = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
            continue;
        if (!libc_text_start || start < libc_text_start)
            libc_text_start = start;
        if (start + ph->p_memsz > libc_text_end)
            libc_text_end = start + ph->p_memsz;
    }
    return 1;
}

static void count_call(const void *caller)
{
    uintptr_t address = (uintptr_t)caller;
    if (!counting)
        return;
    if (address >= libc_text_start && address < libc_text_end)
        libc_calls++;
    else
        allocation_calls++;
}

REPLACEMENT void *malloc(size_t size)
{
    count_call(__builtin_return_address(0));
    return __libc_malloc(size);
}

REPLACEMENT void *calloc(size_t count, size_t size)
{
    count_call(__builtin_return_address(0));
    return __libc_calloc(count, size);
}

REPLACEMENT void *realloc(void *p, size_t size)
{
    count_call(__builtin_return_address(0));
    return __libc_realloc(p, size);
}

REPLACEMENT void free(void *p)
{
    if (p)
        count_call(__builtin_return_address(0));
    __libc_free(p);
}

REPLACEMENT void *aligned_alloc(size_t alignment, size_t size)
{
    count_call(__builtin_return_address(0));
    return __libc_memalign(alignment, size);
}

REPLACEMENT int posix_memalign(void **out, size_t alignment, size_t size)
{
    count_call(__builtin_return_address(0));
    *out = __libc_memalign(alignment, size);
    return *out ? 0 : 12; /* ENOMEM */
}

/* Whether the replacements above see calls from this program and from the
 * C library (fopen allocates its FILE). They do not under valgrind, which
 * replaces the functions itself. */
static int replacements_in_effect(void)
{
    void *(*volatile allocate)(size_t) = malloc;
    void *p;
    FILE *f;

    dl_iterate_phdr(find_libc_text, NULL);
    allocation_calls = 0;
    libc_calls = 0;
    counting = 1;
    p = allocate(16);
    free(p);
    f = fopen("/dev/null", "r");
    if (f)
        fclose(f);
    counting = 0;
    return allocation_calls == 2 && libc_calls > 0;
}
#endif

/* ===================================================================== */
/* The caller's allocator                                                 */
/* ===================================================================== */

/* Counts requests and live blocks, fails request number fail_at (0-based;
 * -1 for none), and counts requests that break the onnxmini_allocator
 * contract, since an assertion inside the library's call would skip its
 * cleanup. Its memory comes from glibc directly when the functions above
 * are replaced, so that they do not count it. */
typedef struct caller_allocator {
    long calls;
    long live;
    long fail_at;
    long bad_requests;
} caller_allocator;

static void *caller_allocate(void *user, size_t bytes, size_t alignment)
{
    caller_allocator *c = user;
    long call = c->calls++;
    void *p;

    if (bytes == 0 || alignment == 0 || alignment > 64 ||
        (alignment & (alignment - 1)) != 0) {
        c->bad_requests++;
        return NULL;
    }
    if (call == c->fail_at)
        return NULL;
#ifdef COUNTING_ALLOCATOR
    p = __libc_memalign(alignment, bytes);
#else
    if (posix_memalign(&p, alignment < sizeof(void *) ? sizeof(void *)
                                                      : alignment,
                       bytes) != 0)
        p = NULL;
#endif
    if (p && (uintptr_t)p % alignment != 0)
        c->bad_requests++;
    if (p)
        c->live++;
    return p;
}

static void caller_release(void *user, void *pointer)
{
    caller_allocator *c = user;
    if (!pointer) {
        c->bad_requests++;
        return;
    }
    c->live--;
#ifdef COUNTING_ALLOCATOR
    __libc_free(pointer);
#else
    free(pointer);
#endif
}

/* ===================================================================== */
/* Models and files                                                       */
/* ===================================================================== */

/* A folder for the files of the load tests, from mkdtemp(); the group
 * teardown removes it with the files named in temp_files. */
static char temp_dir[PATH_MAX];
static const char *const temp_files[] = {"external.onnx", "weights.bin",
                                         "tensor.pb"};

static int load_group_setup(void **state)
{
    const char *base = getenv("TMPDIR");
    (void)state;
    snprintf(temp_dir, sizeof temp_dir, "%s/onnxmini-alloc-XXXXXX",
             base && base[0] ? base : "/tmp");
    if (!mkdtemp(temp_dir)) {
        fprintf(stderr, "cannot create a folder from %s: %s\n", temp_dir,
                strerror(errno));
        return -1;
    }
    return 0;
}

static int load_group_teardown(void **state)
{
    char path[PATH_MAX + 32];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof temp_files / sizeof temp_files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", temp_dir, temp_files[i]);
        unlink(path);
    }
    return rmdir(temp_dir) == 0 ? 0 : -1;
}

/* Writes `size` bytes to "<temp_dir>/<name>" and returns the malloc'd
 * path. */
static char *write_temp_file(const char *name, const void *data, size_t size)
{
    size_t length = strlen(temp_dir) + strlen(name) + 2;
    char *path = malloc(length);
    FILE *f;

    assert_non_null(path);
    snprintf(path, length, "%s/%s", temp_dir, name);
    f = fopen(path, "wb");
    if (!f)
        fail_msg("cannot create %s: %s", path, strerror(errno));
    if (fwrite(data, 1, size, f) != size || fclose(f) != 0)
        fail_msg("cannot write %zu bytes to %s", size, path);
    return path;
}

/* A network with every kernel path (a stride-1 and a strided Conv, both
 * fused with bias and Relu, MaxPool, Reshape, MatMul + Add) and a
 * symbolic batch. */
static void build_network(mb_model *m)
{
    float w1[8 * 3 * 3 * 3], b1[8], w2[8 * 8 * 3 * 3], w3[8 * 2 * 2 * 10],
        b3[10];
    uint32_t seed = 7;
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
}

/* A model whose load takes every allocating path of the loader: string,
 * int, ints, float and tensor attributes, a node without a name, a
 * symbolic dimension, and an initializer that a feed may override. */
static void build_attribute_model(mb_model *m)
{
    float w[2 * 1 * 3 * 3], gw[3 * 8];
    const float gb[3] = {0.5f, -0.5f, 0.25f}, one = 1.0f;
    uint32_t seed = 11;
    mb_node *n;

    mb_random_floats(&seed, w, sizeof w / sizeof w[0]);
    mb_random_floats(&seed, gw, sizeof gw / sizeof gw[0]);
    mb_input_symbolic(m, "x", ONNXMINI_FLOAT, MB_DIMS(1, 1, 4, 4),
                      MB_NAMES("N", NULL, NULL, NULL));
    mb_initializer(m, "w", ONNXMINI_FLOAT, MB_DIMS(2, 1, 3, 3), w, MB_RAW);
    mb_initializer(m, "gw", ONNXMINI_FLOAT, MB_DIMS(3, 8), gw, MB_TYPED);
    mb_initializer(m, "gb", ONNXMINI_FLOAT, MB_DIMS(3), gb, MB_RAW);
    mb_input(m, "gb", ONNXMINI_FLOAT, MB_DIMS(3));
    n = mb_node_add(m, "Conv", "conv", MB_NAMES("x", "w"), MB_NAMES("c"));
    mb_attr_string(n, "auto_pad", "NOTSET");
    mb_attr_ints(n, "pads", MB_I64S(1, 1, 1, 1));
    mb_attr_int(n, "group", 1);
    n = mb_node_add(m, "Constant", NULL, NULL, MB_NAMES("k"));
    mb_attr_tensor(n, "value", ONNXMINI_FLOAT, MB_DIMS(1), &one, MB_RAW);
    mb_node_add(m, "Add", "add", MB_NAMES("c", "k"), MB_NAMES("a"));
    n = mb_node_add(m, "MaxPool", "pool", MB_NAMES("a"), MB_NAMES("p"));
    mb_attr_ints(n, "kernel_shape", MB_I64S(2, 2));
    mb_attr_ints(n, "strides", MB_I64S(2, 2));
    n = mb_node_add(m, "Flatten", "flatten", MB_NAMES("p"), MB_NAMES("f"));
    mb_attr_int(n, "axis", 1);
    n = mb_node_add(m, "Gemm", "gemm", MB_NAMES("f", "gw", "gb"),
                    MB_NAMES("y"));
    mb_attr_float(n, "alpha", 1.0f);
    mb_attr_int(n, "transB", 1);
    mb_output(m, "y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
}

/* Appends a key/value entry to a tensor's external_data. */
static void add_external_entry(mb_model *m, Onnxmini__Pb__TensorProto *tensor,
                               const char *key, const char *value)
{
    static const Onnxmini__Pb__StringStringEntryProto init =
        ONNXMINI__PB__STRING_STRING_ENTRY_PROTO__INIT;
    Onnxmini__Pb__StringStringEntryProto **entries =
        mb_alloc(m, (tensor->n_external_data + 1) * sizeof *entries);
    Onnxmini__Pb__StringStringEntryProto *entry = mb_alloc(m, sizeof *entry);
    size_t i;

    *entry = init;
    entry->key = mb_strdup(m, key);
    entry->value = mb_strdup(m, value);
    for (i = 0; i < tensor->n_external_data; i++)
        entries[i] = tensor->external_data[i];
    entries[tensor->n_external_data++] = entry;
    tensor->external_data = entries;
}

/* Writes Y = X + W, with W (float [2,2]) 4 bytes into the external data
 * file weights.bin, to external.onnx in temp_dir and returns the malloc'd
 * path of the model. */
static char *write_external_model(void)
{
    static const unsigned char weights[4 + 16] = {0};
    mb_model *m = mb_op_model(13);
    Onnxmini__Pb__TensorProto *w;
    uint8_t *bytes;
    size_t size = 0;
    char *path;

    mb_input(m, "X", ONNXMINI_FLOAT, MB_DIMS(2, 2));
    w = mb_initializer(m, "W", ONNXMINI_FLOAT, MB_DIMS(2, 2),
                       (const float[]){1.0f, 2.0f, 3.0f, 4.0f}, MB_RAW);
    w->has_raw_data = 0;
    w->raw_data.len = 0;
    w->raw_data.data = NULL;
    w->has_data_location = 1;
    w->data_location = ONNXMINI__PB__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
    add_external_entry(m, w, "location", "weights.bin");
    add_external_entry(m, w, "offset", "4");
    add_external_entry(m, w, "length", "16");
    mb_node_add(m, "Add", "add", MB_NAMES("X", "W"), MB_NAMES("Y"));
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_DIMS(2, 2));

    free(write_temp_file("weights.bin", weights, sizeof weights));
    bytes = mb_model_pack(m, &size);
    path = write_temp_file("external.onnx", bytes, size);
    free(bytes);
    mb_model_free(m);
    return path;
}

/* Packs a float [2,3] TensorProto named "t" into a malloc'd buffer. */
static uint8_t *pack_tensor(size_t *size)
{
    mb_model *m = mb_op_model(13);
    Onnxmini__Pb__TensorProto *t =
        mb_tensor_proto(m, "t", ONNXMINI_FLOAT, MB_DIMS(2, 3),
                        (const float[]){1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f},
                        MB_RAW);
    uint8_t *bytes;

    *size = onnxmini__pb__tensor_proto__get_packed_size(t);
    bytes = malloc(*size ? *size : 1);
    assert_non_null(bytes);
    onnxmini__pb__tensor_proto__pack(t, bytes);
    mb_model_free(m);
    return bytes;
}

/* ===================================================================== */
/* Loads                                                                  */
/* ===================================================================== */

typedef enum load_kind {
    LOAD_MODEL_FILE,
    LOAD_MODEL_MEMORY,
    LOAD_TENSOR_FILE,
    LOAD_TENSOR_MEMORY
} load_kind;

/* One load: a model or a TensorProto, from a file or from memory. */
typedef struct load_case {
    const char *label;
    load_kind kind;
    const char *path;                 /* for the file kinds */
    const void *data;                 /* for the memory kinds */
    size_t size;
} load_case;

/* Loads a case through the caller's allocator `c`. On success stores the
 * model or the tensor. */
static onnxmini_status load_case_run(const load_case *lc, caller_allocator *c,
                                     onnxmini_model **model,
                                     onnxmini_tensor_proto **tensor,
                                     onnxmini_error *err)
{
    onnxmini_allocator allocator;
    onnxmini_load_options options;

    allocator.allocate = caller_allocate;
    allocator.release = caller_release;
    allocator.user = c;
    onnxmini_load_options_init(&options);
    options.allocator = &allocator;
    *model = NULL;
    *tensor = NULL;
    switch (lc->kind) {
    case LOAD_MODEL_FILE:
        return onnxmini_model_load_file_with(lc->path, &options, model, err);
    case LOAD_MODEL_MEMORY:
        return onnxmini_model_load_memory_with(lc->data, lc->size, &options,
                                               model, err);
    case LOAD_TENSOR_FILE:
        return onnxmini_tensor_proto_load_file_with(lc->path, &options,
                                                    tensor, err);
    default:
        return onnxmini_tensor_proto_load_memory_with(lc->data, lc->size,
                                                      &options, tensor, err);
    }
}

/* Fails allocation k of the load for k = 0, 1, ... up to the number a
 * successful load makes. Each must give ONNXMINI_ERR_OUT_OF_MEMORY with a
 * message, no result and no live block. */
static void check_every_load_failure(const load_case *lc)
{
    caller_allocator c = {0, 0, -1, 0};
    onnxmini_model *model;
    onnxmini_tensor_proto *tensor;
    onnxmini_error err;
    onnxmini_status st;
    long k, total;

    st = load_case_run(lc, &c, &model, &tensor, &err);
    if (st != ONNXMINI_OK)
        fail_msg("%s: %s", lc->label, err.message);
    total = c.calls;
    if (total == 0 || c.live == 0)
        fail_msg("%s: the caller's allocator saw %ld requests, %ld live "
                 "blocks after the load",
                 lc->label, total, c.live);
    onnxmini_model_free(model);
    onnxmini_tensor_proto_free(tensor);
    if (c.live != 0)
        fail_msg("%s: %ld blocks still live after freeing", lc->label, c.live);

    for (k = 0; k < total; k++) {
        caller_allocator failing = {0, 0, -1, 0};
        failing.fail_at = k;
        st = load_case_run(lc, &failing, &model, &tensor, &err);
        if (st != ONNXMINI_ERR_OUT_OF_MEMORY) {
            onnxmini_model_free(model);
            onnxmini_tensor_proto_free(tensor);
            fail_msg("%s, allocation %ld of %ld failing: status %s (%s)",
                     lc->label, k, total, onnxmini_status_string(st),
                     err.message);
        }
        assert_null(model);
        assert_null(tensor);
        if (err.status != ONNXMINI_ERR_OUT_OF_MEMORY || !err.message[0])
            fail_msg("%s, allocation %ld of %ld failing: error status %d, "
                     "message '%s'",
                     lc->label, k, total, (int)err.status, err.message);
        if (failing.live != 0)
            fail_msg("%s, allocation %ld of %ld failing: %ld blocks leaked",
                     lc->label, k, total, failing.live);
        assert_int_equal(failing.bad_requests, 0);
    }
    assert_int_equal(c.bad_requests, 0);
}

/* Every model of the suite, from a file and from memory, an external-data
 * model and a TensorProto fail cleanly at every allocation. */
static void test_alloc_every_load_failure(void **state)
{
    mb_model *network = mb_op_model(13), *attributes = mb_op_model(13);
    char *mnist8 = testdata_require_path("mnist-8.onnx");
    char *mnist12 = testdata_require_path("mnist-12.onnx");
    size_t mnist12_size = 0, network_size = 0, attributes_size = 0;
    size_t tensor_size = 0;
    void *mnist12_bytes = testdata_read_file(mnist12, &mnist12_size);
    uint8_t *network_bytes, *attribute_bytes, *tensor_bytes;
    char *external = write_external_model();
    char *tensor_path;
    size_t i;

    (void)state;
    assert_non_null(mnist12_bytes);
    build_network(network);
    build_attribute_model(attributes);
    network_bytes = mb_model_pack(network, &network_size);
    attribute_bytes = mb_model_pack(attributes, &attributes_size);
    tensor_bytes = pack_tensor(&tensor_size);
    tensor_path = write_temp_file("tensor.pb", tensor_bytes, tensor_size);
    {
        const load_case cases[] = {
            {"mnist-12.onnx from its file", LOAD_MODEL_FILE, mnist12, NULL,
             0},
            {"mnist-12.onnx from memory", LOAD_MODEL_MEMORY, NULL,
             mnist12_bytes, mnist12_size},
            {"mnist-8.onnx from its file", LOAD_MODEL_FILE, mnist8, NULL, 0},
            {"network from memory", LOAD_MODEL_MEMORY, NULL, network_bytes,
             network_size},
            {"attribute model from memory", LOAD_MODEL_MEMORY, NULL,
             attribute_bytes, attributes_size},
            {"external-data model", LOAD_MODEL_FILE, external, NULL, 0},
            {"TensorProto from its file", LOAD_TENSOR_FILE, tensor_path, NULL,
             0},
            {"TensorProto from memory", LOAD_TENSOR_MEMORY, NULL, tensor_bytes,
             tensor_size},
        };
        for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
            check_every_load_failure(&cases[i]);
    }

    free(tensor_path);
    free(tensor_bytes);
    free(attribute_bytes);
    free(network_bytes);
    free(external);
    free(mnist12_bytes);
    free(mnist12);
    free(mnist8);
    mb_model_free(attributes);
    mb_model_free(network);
}

#ifdef COUNTING_ALLOCATOR
/* ===================================================================== */
/* Runs                                                                   */
/* ===================================================================== */

/* Input data for every graph input of a model, at its declared shape with
 * a symbolic dimension 0 set to `batch` and any other to 1. */
typedef struct feeds {
    size_t count;
    int64_t dims[8][8];
    size_t rank[8];
    float *data[8];
    size_t bytes[8];
} feeds;

static void feeds_make(const onnxmini_model *model, int64_t batch, feeds *f)
{
    size_t i, j;

    memset(f, 0, sizeof *f);
    f->count = onnxmini_model_input_count(model);
    assert_true(f->count <= 8);
    for (i = 0; i < f->count; i++) {
        onnxmini_value_info info;
        size_t count = 1;

        assert_int_equal(onnxmini_model_input_info(model, i, &info),
                         ONNXMINI_OK);
        assert_int_equal(info.dtype, ONNXMINI_FLOAT);
        assert_true(info.rank >= 0 && info.rank <= 8);
        f->rank[i] = (size_t)info.rank;
        for (j = 0; j < f->rank[i]; j++) {
            f->dims[i][j] =
                info.dims[j] >= 0 ? info.dims[j] : (j == 0 ? batch : 1);
            count *= (size_t)f->dims[i][j];
        }
        f->bytes[i] = count * sizeof(float);
        f->data[i] = malloc(f->bytes[i] ? f->bytes[i] : 1);
        assert_non_null(f->data[i]);
        for (j = 0; j < count; j++)
            f->data[i][j] = (float)((j * 37) % 101) / 101.0f;
    }
}

static void feeds_set(onnxmini_session *session, const feeds *f)
{
    size_t i;
    for (i = 0; i < f->count; i++)
        if (onnxmini_session_set_input_at(session, i, ONNXMINI_FLOAT,
                                          f->dims[i], f->rank[i], f->data[i],
                                          f->bytes[i]) != ONNXMINI_OK)
            fail_msg("input %zu: %s", i, onnxmini_session_message(session));
}

static void feeds_free(feeds *f)
{
    size_t i;
    for (i = 0; i < f->count; i++)
        free(f->data[i]);
}

/* Creates a session on `isa`, feeds every input with pseudo-random data at
 * the given batch (dimension 0 when it is symbolic), runs once to warm up,
 * then counts the allocations of three more runs. */
static long allocations_in_run(const onnxmini_model *model, const char *isa,
                               int64_t batch)
{
    onnxmini_session_options options;
    onnxmini_session *session = NULL;
    onnxmini_error err;
    feeds f;
    long calls;
    int r;

    onnxmini_session_options_init(&options);
    options.isa = isa;
    if (onnxmini_session_create(model, &options, &session, &err) != ONNXMINI_OK)
        fail_msg("session on %s: %s", isa, err.message);
    feeds_make(model, batch, &f);
    feeds_set(session, &f);
    assert_int_equal(onnxmini_session_run(session), ONNXMINI_OK);

    allocation_calls = 0;
    libc_calls = 0;
    counting = 1;
    for (r = 0; r < 3; r++)
        if (onnxmini_session_run(session) != ONNXMINI_OK)
            break;
    counting = 0;
    calls = allocation_calls + libc_calls;
    assert_int_equal(r, 3);

    onnxmini_session_destroy(session);
    feeds_free(&f);
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
    size_t size = 0;
    void *bytes = testdata_read_file(path, &size);

    (void)state;
    assert_non_null(bytes);
    allocation_calls = 0;
    counting = 1;
    assert_int_equal(onnxmini_model_load_memory(bytes, size, &model, &err),
                     ONNXMINI_OK);
    counting = 0;
    assert_true(allocation_calls > 0);
    onnxmini_model_free(model);
    free(bytes);
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

/* The network of build_network() runs without allocating at batch 1 and
 * 3, also after the batch changed. */
static void test_alloc_symbolic_batch_network(void **state)
{
    static const int64_t batches[] = {1, 3, 1};
    mb_model *m = mb_case_model(state, 13);
    onnxmini_model *model = NULL;
    onnxmini_error err;

    build_network(m);
    if (mb_model_load(m, &model, &err) != ONNXMINI_OK)
        fail_msg("%s", err.message);
    check_model(model, "network", batches, 3);
    onnxmini_model_free(model);
}

/* Loads a case with the caller's allocator, creates a session without an
 * allocator of its own (so the model's is used), runs it at batch 2,
 * destroys it and frees the model. Fails when the library called the C
 * library's allocator or left a block of the caller's allocator live. */
static void check_no_libc_calls(const load_case *lc)
{
    caller_allocator c = {0, 0, -1, 0};
    onnxmini_model *model = NULL;
    onnxmini_tensor_proto *unused;
    onnxmini_session *session = NULL;
    onnxmini_error err;
    onnxmini_status st;
    feeds f;
    long calls, inside_libc;

    /* Input buffers, from a model loaded outside the counted part. */
    st = load_case_run(lc, &c, &model, &unused, &err);
    if (st != ONNXMINI_OK)
        fail_msg("%s: %s", lc->label, err.message);
    feeds_make(model, 2, &f);
    onnxmini_model_free(model);
    memset(&c, 0, sizeof c);
    c.fail_at = -1;

    allocation_calls = 0;
    libc_calls = 0;
    counting = 1;
    st = load_case_run(lc, &c, &model, &unused, &err);
    if (st == ONNXMINI_OK)
        st = onnxmini_session_create(model, NULL, &session, &err);
    counting = 0;
    if (st != ONNXMINI_OK)
        fail_msg("%s: %s", lc->label, err.message);
    counting = 1;
    feeds_set(session, &f);
    st = onnxmini_session_run(session);
    onnxmini_session_destroy(session);
    onnxmini_model_free(model);
    counting = 0;
    calls = allocation_calls;
    inside_libc = libc_calls;

    assert_int_equal(st, ONNXMINI_OK);
    feeds_free(&f);
    if (calls != 0)
        fail_msg("%s: %ld calls to malloc and friends from outside the C "
                 "library (and %ld from inside it)",
                 lc->label, calls, inside_libc);
    /* Without files there is no fopen, so no call at all. */
    if (lc->kind == LOAD_MODEL_MEMORY && inside_libc != 0)
        fail_msg("%s: %ld calls to malloc and friends from inside the C "
                 "library",
                 lc->label, inside_libc);
    if (c.calls == 0)
        fail_msg("%s: the caller's allocator saw no request", lc->label);
    if (c.live != 0)
        fail_msg("%s: %ld blocks of the caller's allocator still live",
                 lc->label, c.live);
    assert_int_equal(c.bad_requests, 0);
}

/* With an allocator in the load options, load, session, run and free of
 * every model of the suite make no call to the C library's allocator. */
static void test_alloc_load_without_libc(void **state)
{
    mb_model *network = mb_op_model(13), *attributes = mb_op_model(13);
    char *mnist8 = testdata_require_path("mnist-8.onnx");
    char *mnist12 = testdata_require_path("mnist-12.onnx");
    size_t mnist12_size = 0, network_size = 0, attributes_size = 0;
    void *mnist12_bytes = testdata_read_file(mnist12, &mnist12_size);
    uint8_t *network_bytes, *attribute_bytes;
    char *external = write_external_model();
    size_t i;

    (void)state;
    assert_non_null(mnist12_bytes);
    build_network(network);
    build_attribute_model(attributes);
    network_bytes = mb_model_pack(network, &network_size);
    attribute_bytes = mb_model_pack(attributes, &attributes_size);
    {
        const load_case cases[] = {
            {"mnist-12.onnx from its file", LOAD_MODEL_FILE, mnist12, NULL,
             0},
            {"mnist-12.onnx from memory", LOAD_MODEL_MEMORY, NULL,
             mnist12_bytes, mnist12_size},
            {"mnist-8.onnx from its file", LOAD_MODEL_FILE, mnist8, NULL, 0},
            {"network from memory", LOAD_MODEL_MEMORY, NULL, network_bytes,
             network_size},
            {"attribute model from memory", LOAD_MODEL_MEMORY, NULL,
             attribute_bytes, attributes_size},
            {"external-data model", LOAD_MODEL_FILE, external, NULL, 0},
        };
        for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
            check_no_libc_calls(&cases[i]);
    }

    free(attribute_bytes);
    free(network_bytes);
    free(external);
    free(mnist12_bytes);
    free(mnist12);
    free(mnist8);
    mb_model_free(attributes);
    mb_model_free(network);
}
#endif /* COUNTING_ALLOCATOR */

int main(void)
{
    const struct CMUnitTest load_tests[] = {
        cmocka_unit_test(test_alloc_every_load_failure),
    };
    int failed = 0;

#ifdef COUNTING_ALLOCATOR
    if (replacements_in_effect()) {
        const struct CMUnitTest counting_tests[] = {
            cmocka_unit_test(test_alloc_counter_sees_library),
            cmocka_unit_test(test_alloc_mnist_models),
            MB_TEST(test_alloc_symbolic_batch_network),
            cmocka_unit_test(test_alloc_load_without_libc),
        };
        failed = cmocka_run_group_tests_name("alloc", counting_tests,
                                             load_group_setup,
                                             load_group_teardown);
    } else {
        printf("test_alloc: the tests that count calls to malloc are not "
               "run: the program's malloc does not see all calls (valgrind "
               "replaces it)\n");
    }
#else
    printf("test_alloc: the tests that count calls to malloc are not run: "
           "this build's allocator cannot be replaced (a sanitizer or a C "
           "library other than glibc)\n");
#endif
    failed += cmocka_run_group_tests_name("load allocation", load_tests,
                                          load_group_setup,
                                          load_group_teardown);
    return failed ? 1 : 0;
}
