/*
 * fuzz_support.c - contract checks and the bounded model run that the fuzz
 * targets share; see fuzz_support.h.
 */
#include "fuzz_support.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The maximum rank of a tensor view: the library's OM_MAX_RANK, which
 * the public header does not export. */
#define FUZZ_MAX_RANK 8

/* One output copied out of a session. */
typedef struct fuzz_output {
    onnxmini_dtype dtype;
    size_t rank;
    int64_t dims[FUZZ_MAX_RANK];
    size_t bytes;
    unsigned char *data;              /* [bytes], never NULL */
} fuzz_output;

/* What one session configuration produced. */
typedef struct fuzz_result {
    onnxmini_status status;           /* first failure, or ONNXMINI_OK */
    size_t count;
    fuzz_output *outputs;             /* [count] when status is OK */
} fuzz_result;

/* The data fed to every graph input, made once per model. */
typedef struct fuzz_feed {
    onnxmini_dtype dtype;
    size_t rank;
    int64_t dims[FUZZ_MAX_RANK];
    size_t bytes;
    unsigned char *data;              /* fed to the sessions */
    unsigned char *pristine;          /* a copy, to detect writes */
} fuzz_feed;

/* AddressSanitizer reads its defaults from this function in a sanitizer
 * build, and ASAN_OPTIONS overrides them. A single allocation above 64 MiB
 * returns NULL instead of ending the fuzzer. The sessions are bounded by
 * fuzz_heap (below). This bounds the loader, which uses malloc, so that a
 * model that needs a huge tensor exercises its out-of-memory path. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1:max_allocation_size_mb=64";
}

void fuzz_fail(const char *file, int line, const char *format, ...)
{
    va_list ap;

    fprintf(stderr, "%s:%d: fuzz check failed: ", file, line);
    va_start(ap, format);
    vfprintf(stderr, format, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
    abort();
}

static void *checked_malloc(size_t bytes)
{
    void *p = malloc(bytes ? bytes : 1);
    FUZZ_CHECK(p != NULL, "the harness cannot allocate %zu bytes", bytes);
    return p;
}

static int status_is_known(onnxmini_status status)
{
    return strcmp(onnxmini_status_string(status), "unknown status") != 0;
}

void fuzz_check_error(const char *call, onnxmini_status status,
                      const onnxmini_error *error)
{
    FUZZ_CHECK(status_is_known(status), "%s returned the unknown status %d",
               call, (int)status);
    FUZZ_CHECK(memchr(error->message, '\0', sizeof error->message) != NULL,
               "%s left the error message without a NUL", call);
    FUZZ_CHECK(error->status == status,
               "%s returned status %d but stored %d in the error", call,
               (int)status, (int)error->status);
    if (status == ONNXMINI_OK)
        FUZZ_CHECK(error->message[0] == '\0',
                   "%s succeeded but left the message '%s'", call,
                   error->message);
    else
        FUZZ_CHECK(error->message[0] != '\0',
                   "%s failed with status %d (%s) and an empty message", call,
                   (int)status, onnxmini_status_string(status));
}

/* The session counterpart of fuzz_check_error(): the session's message is
 * empty after a success and names the failure otherwise. */
static void check_session_call(const char *call, onnxmini_status status,
                               const onnxmini_session *session)
{
    const char *message = onnxmini_session_message(session);

    FUZZ_CHECK(status_is_known(status), "%s returned the unknown status %d",
               call, (int)status);
    FUZZ_CHECK(message != NULL, "%s left a NULL session message", call);
    FUZZ_CHECK(strlen(message) < ONNXMINI_ERROR_MESSAGE_SIZE,
               "%s left a session message of %zu characters", call,
               strlen(message));
    if (status == ONNXMINI_OK)
        FUZZ_CHECK(message[0] == '\0',
                   "%s succeeded but left the session message '%s'", call,
                   message);
    else
        FUZZ_CHECK(message[0] != '\0',
                   "%s failed with status %d (%s) and an empty session "
                   "message",
                   call, (int)status, onnxmini_status_string(status));
}

void fuzz_check_view(const char *what, const onnxmini_tensor *view)
{
    size_t elem = onnxmini_dtype_size(view->dtype), count = 1, i;
    const volatile unsigned char *bytes = view->data;
    unsigned sum = 0;

    FUZZ_CHECK(elem != 0, "%s has element type %d, which has no fixed size",
               what, (int)view->dtype);
    FUZZ_CHECK(view->rank <= FUZZ_MAX_RANK, "%s has rank %zu", what,
               view->rank);
    FUZZ_CHECK(view->rank == 0 || view->dims != NULL,
               "%s has rank %zu and NULL dims", what, view->rank);
    for (i = 0; i < view->rank; i++)
        FUZZ_CHECK(view->dims[i] >= 0, "%s has dimension %zu of size %lld",
                   what, i, (long long)view->dims[i]);

    /* A zero dimension makes the tensor empty whatever the other sizes,
     * which may be as large as INT64_MAX. */
    for (i = 0; i < view->rank && count > 0; i++) {
        if (view->dims[i] == 0) {
            count = 0;
            break;
        }
    }
    for (i = 0; i < view->rank && count > 0; i++) {
        FUZZ_CHECK(count <= SIZE_MAX / elem / (size_t)view->dims[i],
                   "%s has a shape whose byte size overflows", what);
        count *= (size_t)view->dims[i];
    }
    FUZZ_CHECK(view->bytes == count * elem,
               "%s has %zu bytes for %zu elements of %zu bytes", what,
               view->bytes, count, elem);
    FUZZ_CHECK(view->bytes == 0 || view->data != NULL,
               "%s has %zu bytes and NULL data", what, view->bytes);

    /* Reading every byte lets AddressSanitizer check the whole range. */
    for (i = 0; i < view->bytes; i++)
        sum += bytes[i];
    (void)sum;
}

/* ------------------------------------------------------------ feeds */

static int dtype_is_unsigned(onnxmini_dtype dtype)
{
    return dtype == ONNXMINI_UINT8 || dtype == ONNXMINI_UINT16 ||
           dtype == ONNXMINI_UINT32 || dtype == ONNXMINI_UINT64 ||
           dtype == ONNXMINI_BOOL;
}

void fuzz_small_value(onnxmini_dtype dtype, unsigned choice,
                      unsigned char *out)
{
    int64_t integer = dtype_is_unsigned(dtype) ? (int64_t)(choice % 4)
                                               : (int64_t)(choice % 7) - 3;
    double real = ((int)(choice % 17) - 8) / 4.0;

    switch (dtype) {
    case ONNXMINI_FLOAT:
    case ONNXMINI_COMPLEX64: {
        float f = (float)real;
        memcpy(out, &f, sizeof f);
        if (dtype == ONNXMINI_COMPLEX64)
            memcpy(out + sizeof f, &f, sizeof f);
        break;
    }
    case ONNXMINI_DOUBLE:
    case ONNXMINI_COMPLEX128:
        memcpy(out, &real, sizeof real);
        if (dtype == ONNXMINI_COMPLEX128)
            memcpy(out + sizeof real, &real, sizeof real);
        break;
    case ONNXMINI_BOOL:
        out[0] = (unsigned char)(choice & 1);
        break;
    case ONNXMINI_INT8:
    case ONNXMINI_UINT8:
        out[0] = (unsigned char)(integer & 0xff);
        break;
    case ONNXMINI_INT16:
    case ONNXMINI_UINT16: {
        uint16_t v = (uint16_t)(integer & 0xffff);
        memcpy(out, &v, sizeof v);
        break;
    }
    case ONNXMINI_INT32:
    case ONNXMINI_UINT32: {
        uint32_t v = (uint32_t)(integer & 0xffffffff);
        memcpy(out, &v, sizeof v);
        break;
    }
    case ONNXMINI_INT64:
    case ONNXMINI_UINT64:
        memcpy(out, &integer, sizeof integer);
        break;
    default:
        /* float16 and bfloat16: the library does no arithmetic on them,
         * so zero bits are as good as any. */
        memset(out, 0, onnxmini_dtype_size(dtype));
        break;
    }
}

static void fill_feed(fuzz_feed *feed, const fuzz_run_config *config,
                      size_t input_index)
{
    size_t elem = onnxmini_dtype_size(feed->dtype), i;

    feed->data = checked_malloc(feed->bytes);
    memset(feed->data, 0, feed->bytes ? feed->bytes : 1);
    if (config->fill != FUZZ_FILL_ZEROS && config->size > 0) {
        /* Each input starts at another offset so that inputs differ. */
        size_t start = input_index * 7;
        for (i = 0; i < feed->bytes / elem; i++) {
            size_t at = (start + i) % config->size;
            if (config->fill == FUZZ_FILL_SMALL) {
                fuzz_small_value(feed->dtype, config->bytes[at],
                            feed->data + i * elem);
            } else {
                size_t j;
                for (j = 0; j < elem; j++)
                    feed->data[i * elem + j] =
                        config->bytes[(at + j) % config->size];
            }
        }
    }
    feed->pristine = checked_malloc(feed->bytes);
    memcpy(feed->pristine, feed->data, feed->bytes ? feed->bytes : 1);
}

/* Checks the introspection calls and plans a feed for every input.
 * Returns 0 when some input cannot be fed within the bounds: an element
 * type without a fixed size, or too many elements. */
static int plan_feeds(const onnxmini_model *model, fuzz_feed *feeds,
                      size_t n_inputs)
{
    onnxmini_value_info info;
    int feedable = 1;
    size_t i, j;

    for (i = 0; i < n_inputs; i++) {
        size_t count = 1;
        fuzz_feed *feed = &feeds[i];

        FUZZ_CHECK(onnxmini_model_input_info(model, i, &info) == ONNXMINI_OK,
                   "input_info(%zu) failed with %zu inputs", i, n_inputs);
        FUZZ_CHECK(info.name != NULL && info.name[0] != '\0',
                   "input %zu has no name", i);
        FUZZ_CHECK(info.rank >= -1 && info.rank <= FUZZ_MAX_RANK,
                   "input '%s' has rank %d", info.name, info.rank);
        FUZZ_CHECK(info.dtype != ONNXMINI_UNDEFINED,
                   "input '%s' was loaded without an element type",
                   info.name);
        for (j = 0; j < (size_t)(info.rank > 0 ? info.rank : 0); j++) {
            FUZZ_CHECK(info.dims[j] >= -1,
                       "input '%s' has dimension %zu of size %lld", info.name,
                       j, (long long)info.dims[j]);
            FUZZ_CHECK(info.dim_names[j] == NULL || info.dims[j] == -1,
                       "input '%s' has dimension %zu named '%s' with the "
                       "fixed size %lld",
                       info.name, j, info.dim_names[j],
                       (long long)info.dims[j]);
        }

        /* An undeclared shape is fed as a vector, unknown sizes as
         * FUZZ_UNKNOWN_DIM. */
        feed->dtype = info.dtype;
        if (info.rank < 0) {
            feed->rank = 1;
            feed->dims[0] = FUZZ_UNKNOWN_DIM;
        } else {
            feed->rank = (size_t)info.rank;
            for (j = 0; j < feed->rank; j++)
                feed->dims[j] = info.dims[j] >= 0 ? info.dims[j]
                                                  : FUZZ_UNKNOWN_DIM;
        }
        for (j = 0; j < feed->rank && count <= FUZZ_MAX_FEED_ELEMENTS; j++)
            count = feed->dims[j] > FUZZ_MAX_FEED_ELEMENTS
                        ? FUZZ_MAX_FEED_ELEMENTS + 1
                        : count * (size_t)feed->dims[j];
        if (onnxmini_dtype_size(info.dtype) == 0 ||
            count > FUZZ_MAX_FEED_ELEMENTS)
            feedable = 0;
        else
            feed->bytes = count * onnxmini_dtype_size(info.dtype);
    }
    FUZZ_CHECK(onnxmini_model_input_info(model, n_inputs, &info) ==
                   ONNXMINI_ERR_NOT_FOUND,
               "input_info(%zu) past the last input did not fail", n_inputs);
    return feedable;
}

static void check_outputs_declared(const onnxmini_model *model,
                                   size_t n_outputs)
{
    onnxmini_value_info info;
    size_t i;

    FUZZ_CHECK(n_outputs >= 1, "a model was loaded without outputs");
    for (i = 0; i < n_outputs; i++) {
        FUZZ_CHECK(onnxmini_model_output_info(model, i, &info) == ONNXMINI_OK,
                   "output_info(%zu) failed with %zu outputs", i, n_outputs);
        FUZZ_CHECK(info.name != NULL && info.name[0] != '\0',
                   "output %zu has no name", i);
        FUZZ_CHECK(info.rank >= -1 && info.rank <= FUZZ_MAX_RANK,
                   "output '%s' has rank %d", info.name, info.rank);
    }
    FUZZ_CHECK(onnxmini_model_output_info(model, n_outputs, &info) ==
                   ONNXMINI_ERR_NOT_FOUND,
               "output_info(%zu) past the last output did not fail",
               n_outputs);
}

/* ------------------------------------------------------------ outputs */

static void free_result(fuzz_result *result)
{
    size_t i;
    for (i = 0; i < result->count; i++)
        free(result->outputs[i].data);
    free(result->outputs);
    memset(result, 0, sizeof *result);
}

/* Reads output `index` by index, by name and by copy, checks that the
 * three agree, and stores a copy in *out. */
static void read_output(onnxmini_session *session, const onnxmini_model *model,
                        size_t index, fuzz_output *out)
{
    onnxmini_value_info info;
    onnxmini_tensor view, by_name;
    onnxmini_status st;
    size_t needed = 0;
    char what[64];

    snprintf(what, sizeof what, "output %zu", index);
    st = onnxmini_session_output(session, index, &view);
    check_session_call("onnxmini_session_output", st, session);
    FUZZ_CHECK(st == ONNXMINI_OK, "output %zu cannot be read after a run: %s",
               index, onnxmini_session_message(session));
    fuzz_check_view(what, &view);

    /* A declared element type is the one the session produces. */
    FUZZ_CHECK(onnxmini_model_output_info(model, index, &info) == ONNXMINI_OK,
               "output_info(%zu) failed", index);
    FUZZ_CHECK(info.dtype == ONNXMINI_UNDEFINED || info.dtype == view.dtype,
               "output '%s' is declared %s but the session produced %s",
               info.name, onnxmini_dtype_name(info.dtype),
               onnxmini_dtype_name(view.dtype));

    /* By name: the same tensor (or, for a name listed twice, the first
     * output of that name, which is the same value). */
    st = onnxmini_session_output_by_name(session, info.name, &by_name);
    check_session_call("onnxmini_session_output_by_name", st, session);
    FUZZ_CHECK(st == ONNXMINI_OK, "output '%s' cannot be read by name: %s",
               info.name, onnxmini_session_message(session));
    FUZZ_CHECK(by_name.bytes == view.bytes && by_name.dtype == view.dtype &&
                   by_name.rank == view.rank &&
                   (view.bytes == 0 ||
                    memcmp(by_name.data, view.data, view.bytes) == 0),
               "output '%s' differs when read by name", info.name);

    out->dtype = view.dtype;
    out->rank = view.rank;
    if (view.rank)
        memcpy(out->dims, view.dims, view.rank * sizeof *view.dims);
    out->bytes = view.bytes;
    out->data = checked_malloc(view.bytes);

    /* By copy: exact capacity works, one byte less copies nothing and
     * reports the size needed. */
    st = onnxmini_session_copy_output(session, index, out->data, view.bytes,
                                      &needed);
    check_session_call("onnxmini_session_copy_output", st, session);
    FUZZ_CHECK(st == ONNXMINI_OK && needed == view.bytes,
               "copy_output(%zu) of %zu bytes returned %d with %zu needed",
               index, view.bytes, (int)st, needed);
    FUZZ_CHECK(view.bytes == 0 ||
                   memcmp(out->data, view.data, view.bytes) == 0,
               "copy_output(%zu) copied other bytes than the view holds",
               index);
    if (view.bytes > 0) {
        needed = 0;
        st = onnxmini_session_copy_output(session, index, out->data,
                                          view.bytes - 1, &needed);
        check_session_call("onnxmini_session_copy_output", st, session);
        FUZZ_CHECK(st == ONNXMINI_ERR_INVALID_ARGUMENT && needed == view.bytes,
                   "copy_output(%zu) into %zu of %zu bytes returned %d with "
                   "%zu needed",
                   index, view.bytes - 1, view.bytes, (int)st, needed);
    }
}

static void read_outputs(onnxmini_session *session,
                         const onnxmini_model *model, fuzz_result *result)
{
    onnxmini_tensor view;
    onnxmini_status st;
    size_t i, n = onnxmini_model_output_count(model);

    result->outputs = checked_malloc(n * sizeof *result->outputs);
    memset(result->outputs, 0, n * sizeof *result->outputs);
    result->count = n;
    for (i = 0; i < n; i++)
        read_output(session, model, i, &result->outputs[i]);
    st = onnxmini_session_output(session, n, &view);
    check_session_call("onnxmini_session_output", st, session);
    FUZZ_CHECK(st == ONNXMINI_ERR_NOT_FOUND,
               "output(%zu) past the last output returned %d", n, (int)st);
}

/* Returns a floating element (or part of a complex one) as a double, for
 * messages; 0 for other types, which the messages do not need. */
static double element_value(onnxmini_dtype dtype, const unsigned char *p)
{
    if (dtype == ONNXMINI_FLOAT || dtype == ONNXMINI_COMPLEX64) {
        float f;
        memcpy(&f, p, sizeof f);
        return f;
    }
    if (dtype == ONNXMINI_DOUBLE || dtype == ONNXMINI_COMPLEX128) {
        double d;
        memcpy(&d, p, sizeof d);
        return d;
    }
    return 0.0;
}

/* Whether two elements agree: floating ones within the tolerance, NaN
 * with NaN (and with either infinity when non_finite_agrees is set);
 * others bit for bit. */
static int elements_agree(onnxmini_dtype dtype, const unsigned char *a,
                          const unsigned char *b, double tolerance,
                          int non_finite_agrees)
{
    double x, y;

    if (dtype == ONNXMINI_FLOAT || dtype == ONNXMINI_COMPLEX64) {
        float fa, fb;
        memcpy(&fa, a, sizeof fa);
        memcpy(&fb, b, sizeof fb);
        x = fa;
        y = fb;
    } else if (dtype == ONNXMINI_DOUBLE || dtype == ONNXMINI_COMPLEX128) {
        memcpy(&x, a, sizeof x);
        memcpy(&y, b, sizeof y);
    } else {
        return memcmp(a, b, onnxmini_dtype_size(dtype)) == 0;
    }
    if (non_finite_agrees && !isfinite(x) && !isfinite(y))
        return 1;
    if (isnan(x) || isnan(y))
        return isnan(x) && isnan(y);
    if (x == y)
        return 1;
    return fabs(x - y) <= tolerance * (1.0 + fabs(x) + fabs(y));
}

/* Whether two elements are both NaN (float and double only; complex
 * parts compare bit for bit). */
static int both_nan(onnxmini_dtype dtype, const unsigned char *a,
                    const unsigned char *b)
{
    if (dtype == ONNXMINI_FLOAT) {
        float fa, fb;
        memcpy(&fa, a, sizeof fa);
        memcpy(&fb, b, sizeof fb);
        return isnan(fa) && isnan(fb);
    }
    if (dtype == ONNXMINI_DOUBLE) {
        double da, db;
        memcpy(&da, a, sizeof da);
        memcpy(&db, b, sizeof db);
        return isnan(da) && isnan(db);
    }
    return 0;
}

/* Compares the outputs of two sessions: their types and shapes always,
 * then the values bit for bit when bitwise is set (NaN payloads aside),
 * else element by element
 * with elements_agree() unless the tolerance is negative. */
static void compare_results(const char *label, const fuzz_result *a,
                            const fuzz_result *b, double tolerance,
                            int non_finite_agrees, int bitwise)
{
    size_t i, j;

    FUZZ_CHECK(a->count == b->count, "%s: %zu outputs against %zu", label,
               a->count, b->count);
    for (i = 0; i < a->count; i++) {
        const fuzz_output *x = &a->outputs[i], *y = &b->outputs[i];
        size_t elem = onnxmini_dtype_size(x->dtype), step;

        FUZZ_CHECK(x->dtype == y->dtype && x->rank == y->rank &&
                       x->bytes == y->bytes &&
                       memcmp(x->dims, y->dims, x->rank * sizeof *x->dims) ==
                           0,
                   "%s: output %zu differs in type or shape", label, i);
        if (bitwise) {
            /* Bit for bit, except that any NaN matches any NaN: which
             * operand's payload a NaN result carries depends on the
             * instruction forms the compiler picks, and ONNX leaves it
             * open. */
            FUZZ_CHECK(elem > 0 || memcmp(x->data, y->data, x->bytes) == 0,
                       "%s: output %zu differs", label, i);
            for (j = 0; elem > 0 && j < x->bytes; j += elem)
                FUZZ_CHECK(memcmp(x->data + j, y->data + j, elem) == 0 ||
                               both_nan(x->dtype, x->data + j, y->data + j),
                           "%s: output %zu differs at element %zu", label, i,
                           j / elem);
            continue;
        }
        if (tolerance < 0)
            continue;
        /* Complex elements are compared as their two parts. */
        step = elem;
        if (x->dtype == ONNXMINI_COMPLEX64 || x->dtype == ONNXMINI_COMPLEX128)
            step = elem / 2;
        for (j = 0; j < x->bytes; j += step)
            FUZZ_CHECK(elements_agree(x->dtype, x->data + j, y->data + j,
                                      tolerance, non_finite_agrees),
                       "%s: output %zu differs at element %zu: %.9g against "
                       "%.9g",
                       label, i, j / step, element_value(x->dtype, y->data + j),
                       element_value(x->dtype, x->data + j));
    }
}

/* ------------------------------------------------------------ allocator */

/* Every session allocates through a fuzz_heap. It counts the blocks and
 * fills new ones with the heap's own byte pattern, so that a read of
 * memory the library never wrote differs between sessions and shows up in
 * the comparisons. It fails an allocation that would take the session's
 * live total over FUZZ_MAX_SESSION_BYTES, which keeps each input fast in
 * every build, with or without AddressSanitizer. */
#define FUZZ_MAX_SESSION_BYTES ((size_t)64 << 20)

/* The session limit on the elements of a computed tensor, which bounds
 * the work of a Conv whose padding is far larger than its input. */
#define FUZZ_MAX_TENSOR_ELEMENTS ((size_t)1 << 18)

/* Bytes in front of each block, where its size is stored: a multiple of
 * the largest alignment the library requests (64). */
#define HEAP_HEADER 64

typedef struct fuzz_heap {
    unsigned char pattern;
    size_t calls;                     /* allocate() calls */
    size_t live;                      /* blocks not yet released */
    size_t live_bytes;
} fuzz_heap;

static void *heap_allocate(void *user, size_t bytes, size_t alignment)
{
    fuzz_heap *heap = user;
    unsigned char *block;

    FUZZ_CHECK(bytes >= 1, "allocate() was called for 0 bytes");
    FUZZ_CHECK(alignment >= 1 && alignment <= HEAP_HEADER &&
                   (alignment & (alignment - 1)) == 0,
               "allocate() was called with alignment %zu", alignment);
    heap->calls++;
    if (bytes > FUZZ_MAX_SESSION_BYTES - heap->live_bytes)
        return NULL;
    block = aligned_alloc(HEAP_HEADER,
                          (HEAP_HEADER + bytes + HEAP_HEADER - 1) /
                              HEAP_HEADER * HEAP_HEADER);
    if (!block)
        return NULL;
    memcpy(block, &bytes, sizeof bytes);
    memset(block + HEAP_HEADER, heap->pattern, bytes);
    heap->live++;
    heap->live_bytes += bytes;
    return block + HEAP_HEADER;
}

static void heap_release(void *user, void *pointer)
{
    fuzz_heap *heap = user;
    unsigned char *block = (unsigned char *)pointer - HEAP_HEADER;
    size_t bytes;

    FUZZ_CHECK(pointer != NULL, "release() was called with NULL");
    FUZZ_CHECK(heap->live > 0, "release() was called with no live block");
    memcpy(&bytes, block, sizeof bytes);
    heap->live--;
    heap->live_bytes -= bytes;
    free(block);
}

/* ------------------------------------------------------------ sessions */

/* A session configuration. The reference (index 0) gets every check; the
 * others run once and are compared with it. */
typedef struct fuzz_variant {
    const char *label;
    const char *isa;                  /* NULL for the default */
    int graph_rewrites;
    int threads;
    int caller_arena;                 /* the arena size the reference used */
    int bitwise;                      /* must match the reference exactly */
} fuzz_variant;

static const fuzz_variant variants[] = {
    {"defaults", NULL, 1, 1, 0, 1},
    {"graph_rewrites 0", NULL, 0, 1, 0, 0},
    {"isa scalar", "scalar", 1, 1, 0, 0},
    /* The library promises bit-identical results for any thread count. */
    {"threads 2", NULL, 1, 2, 0, 1},
    /* The caller's arena, filled with 0x7b: the same plan and kernels. */
    {"caller's arena", NULL, 1, 1, 1, 1},
};

/* Checks the sizes that onnxmini_session_memory() reports. */
static void check_memory(onnxmini_session *session, onnxmini_memory_info *info)
{
    onnxmini_status st = onnxmini_session_memory(session, info);

    FUZZ_CHECK(st == ONNXMINI_OK,
               "session_memory returned %d after a successful run", (int)st);
    FUZZ_CHECK(info->values_bytes >= info->values_lower_bound,
               "values are placed in %zu bytes, below the lower bound %zu",
               info->values_bytes, info->values_lower_bound);
    FUZZ_CHECK(info->arena_bytes >= info->values_bytes + info->scratch_bytes,
               "the arena has %zu bytes for %zu of values and %zu of scratch",
               info->arena_bytes, info->values_bytes, info->scratch_bytes);
}

/* Creates a session, feeds every input and runs it. With `full` set, also
 * checks the call order rules, the allocation rules, runs twice and checks
 * that the feeds were left unchanged. Stores the outputs (or the first
 * failure) in *result, and the memory sizes of a successful run in *info. */
static void run_session(const onnxmini_model *model,
                        const onnxmini_session_options *options,
                        fuzz_heap *heap, const fuzz_feed *feeds,
                        size_t n_inputs, int full, fuzz_result *result,
                        onnxmini_memory_info *info)
{
    onnxmini_session *session = NULL;
    onnxmini_error error;
    onnxmini_tensor view;
    onnxmini_status st;
    size_t i, calls;

    memset(result, 0, sizeof *result);
    st = onnxmini_session_create(model, options, &session, &error);
    fuzz_check_error("onnxmini_session_create", st, &error);
    FUZZ_CHECK((st == ONNXMINI_OK) == (session != NULL),
               "session_create returned %d and session %p", (int)st,
               (void *)session);
    result->status = st;
    if (st != ONNXMINI_OK) {
        FUZZ_CHECK(heap->live == 0,
                   "a failed session_create left %zu blocks allocated",
                   heap->live);
        return;
    }

    if (full) {
        st = onnxmini_session_output(session, 0, &view);
        check_session_call("onnxmini_session_output", st, session);
        FUZZ_CHECK(st != ONNXMINI_OK, "an output was read before any run");
    }

    for (i = 0; i < n_inputs; i++) {
        const fuzz_feed *f = &feeds[i];
        st = onnxmini_session_set_input_at(session, i, f->dtype, f->dims,
                                           f->rank, f->data, f->bytes);
        check_session_call("onnxmini_session_set_input_at", st, session);
        if (st != ONNXMINI_OK && result->status == ONNXMINI_OK)
            result->status = st;
    }
    if (full && n_inputs > 0 && result->status == ONNXMINI_OK) {
        /* The same data again, by name: no new shape, so no allocation. */
        onnxmini_value_info input;
        FUZZ_CHECK(onnxmini_model_input_info(model, 0, &input) == ONNXMINI_OK,
                   "input_info(0) failed");
        calls = heap->calls;
        st = onnxmini_session_set_input(session, input.name, feeds[0].dtype,
                                        feeds[0].dims, feeds[0].rank,
                                        feeds[0].data, feeds[0].bytes);
        check_session_call("onnxmini_session_set_input", st, session);
        FUZZ_CHECK(st == ONNXMINI_OK,
                   "input '%s' was accepted by index but not by name: %s",
                   input.name, onnxmini_session_message(session));
        FUZZ_CHECK(heap->calls == calls,
                   "setting input '%s' again with the same shape allocated",
                   input.name);
    }

    calls = heap->calls;
    st = onnxmini_session_run(session);
    check_session_call("onnxmini_session_run", st, session);
    FUZZ_CHECK(heap->calls == calls, "session_run allocated %zu times",
               heap->calls - calls);
    if (st != ONNXMINI_OK) {
        if (result->status == ONNXMINI_OK)
            result->status = st;
        if (full) {
            onnxmini_status read = onnxmini_session_output(session, 0, &view);
            check_session_call("onnxmini_session_output", read, session);
            FUZZ_CHECK(read != ONNXMINI_OK,
                       "an output was read after a failed run");
        }
        onnxmini_session_destroy(session);
        FUZZ_CHECK(heap->live == 0,
                   "session_destroy left %zu blocks allocated", heap->live);
        return;
    }
    result->status = ONNXMINI_OK;
    read_outputs(session, model, result);
    check_memory(session, info);

    if (full) {
        fuzz_result again;

        /* A second run of the same session gives the same bytes. */
        memset(&again, 0, sizeof again);
        st = onnxmini_session_run(session);
        check_session_call("onnxmini_session_run", st, session);
        FUZZ_CHECK(st == ONNXMINI_OK, "the second run failed: %s",
                   onnxmini_session_message(session));
        read_outputs(session, model, &again);
        compare_results("second run", result, &again, 0.0, 0, 1);
        free_result(&again);

        /* The session borrows the feeds read-only. */
        for (i = 0; i < n_inputs; i++)
            FUZZ_CHECK(feeds[i].bytes == 0 ||
                           memcmp(feeds[i].data, feeds[i].pristine,
                                  feeds[i].bytes) == 0,
                       "a run wrote into the buffer fed to input %zu", i);
    }
    onnxmini_session_destroy(session);
    FUZZ_CHECK(heap->live == 0, "session_destroy left %zu blocks allocated",
               heap->live);
}

/* Whether a failure may depend on the session's options: memory and size
 * limits, since plans with and without rewrites, or with other kernels,
 * need different amounts of memory. */
static int status_may_differ(onnxmini_status status)
{
    return status == ONNXMINI_ERR_OUT_OF_MEMORY ||
           status == ONNXMINI_ERR_LIMIT;
}

/* Whether every input declares its whole shape, so that a plan at the
 * declared shapes is the plan of the fed ones. */
static int shapes_declared(const onnxmini_model *model, size_t n_inputs)
{
    onnxmini_value_info info;
    size_t i;
    int j;

    for (i = 0; i < n_inputs; i++) {
        if (onnxmini_model_input_info(model, i, &info) != ONNXMINI_OK ||
            info.rank < 0)
            return 0;
        for (j = 0; j < info.rank; j++)
            if (info.dims[j] < 0)
                return 0;
    }
    return 1;
}

/* onnxmini_session_required_bytes() with the reference's options agrees
 * with the arena the reference planned when the inputs were fed at their
 * declared shapes. */
static void check_required_bytes(const onnxmini_model *model,
                                 const onnxmini_session_options *options,
                                 size_t n_inputs,
                                 const onnxmini_memory_info *info)
{
    onnxmini_error error;
    size_t bytes = 0;
    onnxmini_status st =
        onnxmini_session_required_bytes(model, options, &bytes, &error);

    fuzz_check_error("onnxmini_session_required_bytes", st, &error);
    if (st == ONNXMINI_OK && shapes_declared(model, n_inputs))
        FUZZ_CHECK(bytes == info->arena_bytes,
                   "required_bytes is %zu, the session planned %zu", bytes,
                   info->arena_bytes);
}

void fuzz_run_model(const onnxmini_model *model, const fuzz_run_config *config)
{
    size_t n_inputs = onnxmini_model_input_count(model);
    size_t n_outputs = onnxmini_model_output_count(model);
    fuzz_feed *feeds = checked_malloc(n_inputs * sizeof *feeds);
    onnxmini_allocator allocator = {heap_allocate, heap_release, NULL};
    onnxmini_memory_info reference_info;
    fuzz_result reference;
    size_t i;

    memset(feeds, 0, n_inputs * sizeof *feeds);
    check_outputs_declared(model, n_outputs);
    if (!plan_feeds(model, feeds, n_inputs)) {
        free(feeds);
        return;
    }
    for (i = 0; i < n_inputs; i++)
        fill_feed(&feeds[i], config, i);

    memset(&reference, 0, sizeof reference);
    memset(&reference_info, 0, sizeof reference_info);
    for (i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        const fuzz_variant *v = &variants[i];
        onnxmini_session_options options;
        onnxmini_memory_info info;
        /* 0xff bytes are NaN as float and double, 0x7f to 0x7c bytes huge
         * numbers, so unwritten memory cannot pass a comparison. */
        fuzz_heap heap = {(unsigned char)(i == 0 ? 0xff : 0x80 - i), 0, 0, 0};
        unsigned char *arena = NULL;
        fuzz_result other;
        char label[96];

        onnxmini_session_options_init(&options);
        options.isa = v->isa;
        options.graph_rewrites = v->graph_rewrites;
        options.threads = v->threads;
        allocator.user = &heap;
        options.allocator = &allocator;
        options.max_arena_bytes = FUZZ_MAX_SESSION_BYTES;
        options.max_tensor_elements = FUZZ_MAX_TENSOR_ELEMENTS;
        if (v->caller_arena) {
            /* The reference's size; nothing to compare without a run. */
            if (reference.status != ONNXMINI_OK)
                continue;
            options.arena_bytes = reference_info.arena_bytes;
            arena = aligned_alloc(64, (options.arena_bytes + 64) / 64 * 64);
            FUZZ_CHECK(arena != NULL, "cannot allocate an arena of %zu bytes",
                       options.arena_bytes);
            memset(arena, 0x7b, options.arena_bytes);
            options.arena = arena;
        }

        if (i == 0) {
            run_session(model, &options, &heap, feeds, n_inputs, 1,
                        &reference, &reference_info);
            if (reference.status == ONNXMINI_OK)
                check_required_bytes(model, &options, n_inputs,
                                     &reference_info);
            continue;
        }
        run_session(model, &options, &heap, feeds, n_inputs, 0, &other,
                    &info);
        free(arena);
        if (status_may_differ(reference.status) ||
            status_may_differ(other.status)) {
            free_result(&other);
            continue;
        }
        snprintf(label, sizeof label, "%s against the defaults", v->label);
        FUZZ_CHECK((reference.status == ONNXMINI_OK) ==
                       (other.status == ONNXMINI_OK),
                   "%s: status %d against %d", label, (int)other.status,
                   (int)reference.status);
        if (reference.status == ONNXMINI_OK && v->bitwise)
            compare_results(label, &reference, &other, 0.0, 0, 1);
        else if (reference.status == ONNXMINI_OK)
            compare_results(label, &reference, &other, config->tolerance,
                            config->non_finite_agrees, 0);
        free_result(&other);
    }

    free_result(&reference);
    for (i = 0; i < n_inputs; i++) {
        free(feeds[i].data);
        free(feeds[i].pristine);
    }
    free(feeds);
}
