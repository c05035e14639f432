/*
 * fuzz_support.h - what the fuzz targets share: checks of the public API's
 * contracts, and a bounded run of a loaded model through sessions.
 *
 * A broken contract aborts the process with a message on stderr, so that
 * libFuzzer and the replay program both report it as a crash. The same
 * code runs in the libFuzzer build (build-fuzz/) and in the replay programs
 * of the normal build, which `make check` runs over tests/fuzz/regressions/.
 */
#ifndef FUZZ_SUPPORT_H
#define FUZZ_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include "onnxmini.h"

#if defined(__GNUC__)
#define FUZZ_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define FUZZ_NORETURN __attribute__((noreturn))
#else
#define FUZZ_PRINTF(fmt, args)
#define FUZZ_NORETURN
#endif

/* Largest element count fed to one graph input. Dimensions that a model
 * leaves unknown or symbolic are fed with FUZZ_UNKNOWN_DIM. A model whose
 * declared inputs need more is loaded and inspected, but not run, so that
 * each input of the fuzzer finishes in milliseconds. */
#define FUZZ_MAX_FEED_ELEMENTS 4096
#define FUZZ_UNKNOWN_DIM 2

/* Prints "fuzz check failed" with the location and message, and aborts. */
FUZZ_NORETURN void fuzz_fail(const char *file, int line, const char *format,
                             ...) FUZZ_PRINTF(3, 4);

/* Aborts unless cond holds; the message arguments follow printf rules. */
#define FUZZ_CHECK(cond, ...)                                               \
    do {                                                                    \
        if (!(cond))                                                        \
            fuzz_fail(__FILE__, __LINE__, __VA_ARGS__);                     \
    } while (0)

/* Checks the result of a call that fills an onnxmini_error: on success the
 * message is empty, on failure error->status equals the returned status,
 * which is a known code, and the message is a non-empty NUL-terminated
 * string. `call` names the function in the failure message. */
void fuzz_check_error(const char *call, onnxmini_status status,
                      const onnxmini_error *error);

/* Checks a tensor view: a known element type with a fixed size, a rank of
 * at most 8, and non-negative dimensions whose product times the element
 * size is `bytes`. Every data byte is read, so that AddressSanitizer checks
 * the range. */
void fuzz_check_view(const char *what, const onnxmini_tensor *view);

/* Stores one element of dtype chosen by `choice`. Floating types get a
 * multiple of 1/4 in [-2, 2] (in both parts of a complex number), signed
 * integers -3 to 3, unsigned ones 0 to 3, bool 0 or 1, and float16 and
 * bfloat16 zero bits. Sums and products of a few such values are exact,
 * so every kernel gives the same result. */
void fuzz_small_value(onnxmini_dtype dtype, unsigned choice,
                      unsigned char *out);

/* How fuzz_run_model() fills the graph inputs. */
typedef enum fuzz_fill {
    /* All bits zero. */
    FUZZ_FILL_ZEROS,
    /* The bytes of fuzz_run_config.bytes, repeated: any bit pattern,
     * NaN, infinities and integer extremes included. */
    FUZZ_FILL_BYTES,
    /* Values of fuzz_small_value() chosen by the bytes. */
    FUZZ_FILL_SMALL
} fuzz_fill;

typedef struct fuzz_run_config {
    fuzz_fill fill;
    const uint8_t *bytes;             /* for FUZZ_FILL_BYTES and _SMALL */
    size_t size;
    /* Outputs of sessions that differ only in their options (graph
     * rewrites off, the scalar kernels) must agree: floating elements
     * within tolerance * (1 + |a| + |b|), NaN with NaN, integers exactly.
     * A negative tolerance compares only their types and shapes. */
    double tolerance;
    /* Set: NaN and both infinities all agree with each other in that
     * comparison. Sums of huge weights overflow to an infinity or to NaN
     * depending on their order, which differs between kernels. */
    int non_finite_agrees;
} fuzz_run_config;

/* Inspects a loaded model through the public API and, when every declared
 * input can be fed within the bounds above, runs it in five sessions that
 * each allocate through a counting allocator with a 64 MiB limit:
 *
 *   defaults         feeds every input, sets the first again by name and
 *                    runs twice. Both runs must give the same bytes, and
 *                    the fed buffers must stay unchanged. Reads every
 *                    output by index, by name and by copy, and checks the
 *                    memory sizes and onnxmini_session_required_bytes()
 *   graph_rewrites 0 and isa scalar
 *                    must agree with the defaults within config->tolerance
 *   threads 2 and a caller's arena filled with 0x7b
 *                    must match the defaults bit for bit
 *
 * In every session, run() and a set_input that changes no shape must not
 * allocate, and destroy must release every block. Every call's status and
 * message are checked. */
void fuzz_run_model(const onnxmini_model *model,
                    const fuzz_run_config *config);

/* The entry point of every target, called by libFuzzer or by the replay
 * program. Returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* FUZZ_SUPPORT_H */
