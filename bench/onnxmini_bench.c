/*
 * onnxmini_bench.c - measure the inference latency of one ONNX model with
 * libonnxmini.
 *
 * The program feeds every graph input with deterministic pseudo-random data
 * of its declared type and shape, runs some warm-up runs, then times each
 * onnxmini_session_run() call on its own with CLOCK_MONOTONIC. Inputs are
 * set once before the timed loop, so the times cover the run alone. It
 * reports the median, p90, p99 and minimum latency, the inferences per
 * second and the GFLOP/s of the model's Conv, MatMul and Gemm nodes; the
 * other operators count as 0 FLOPs (see flop_count.h).
 *
 * Usage: onnxmini-bench MODEL [options]; see usage() or --help. The
 * program's main() is onnxmini_bench_main(), which the onnxmini tool also
 * calls for 'onnxmini bench'.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif

#include "flop_count.h"
#include "onnxmini.h"
#include "onnxmini_bench.h"

#if defined(__GNUC__)
#define PRINTF_FORMAT(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_FORMAT(f, a)
#endif

/* The name that messages and the help start with, set on each call of
 * onnxmini_bench_main(). */
static const char *program_name = "onnxmini-bench";

/* Exit statuses besides 0 (success) and 1 (any other failure). */
#define EXIT_USAGE 2
#define EXIT_ISA_UNAVAILABLE 3

/* --max-time stops the timed loop early, but never before this many runs,
 * so that the median still rests on several samples. */
#define MIN_TIMED_RUNS 5

/* The library's rank limit. */
#define MAX_INPUT_RANK 8

typedef struct bench_options {
    const char *model_path;
    long batch;
    long threads;
    const char *isa;            /* NULL: the library's default */
    long warmup;
    long iterations;
    double min_time;            /* seconds; 0 for no minimum */
    double max_time;            /* seconds; 0 for no bound */
    double peak_gflops;         /* 0 when not given */
    int json;
} bench_options;

/* One graph input and the data fed to it. */
typedef struct fed_input {
    onnxmini_value_info info;
    size_t rank;
    int64_t dims[MAX_INPUT_RANK];
    void *data;
    size_t bytes;
} fed_input;

typedef struct bench_stats {
    size_t warmup_runs;
    size_t runs;
    double median_us;
    double p90_us;
    double p99_us;
    double min_us;
    double max_us;
} bench_stats;

/* Prints "program: " and the message to stderr. */
static void bench_error(const char *format, ...) PRINTF_FORMAT(1, 2);

static void bench_error(const char *format, ...)
{
    va_list args;

    fprintf(stderr, "%s: ", program_name);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
}

static void usage(FILE *out)
{
    fprintf(out,
"Usage: %s MODEL [options]\n"
"\n"
"Measure the latency of one ONNX model with libonnxmini. Every input gets\n"
"deterministic pseudo-random data of its declared type and shape.\n"
"\n"
"Options:\n"
"  --batch N          size of dimension 0 where an input leaves it symbolic\n"
"                     or unknown (default 1); other unknown dimensions get 1\n"
"  --threads T        intra-op threads of the session (default 1)\n"
"  --isa X            kernel instruction set: scalar, sse2, avx2, avx512\n"
"                     on x86-64, scalar or neon on aarch64\n"
"                     (default: the library's choice)\n"
"  --warmup W         untimed runs before the timed ones (default 10)\n"
"  --iterations K     timed runs (default 200)\n"
"  --min-time S       keep making timed runs until S seconds have passed,\n"
"                     even after K runs (default 0)\n"
"  --max-time S       stop the warm-up and the timed runs once S seconds\n"
"                     have passed in each, after at least 1 warm-up and %d\n"
"                     timed runs (default: no bound)\n"
"  --peak-gflops P    also report the fraction of a peak of P GFLOP/s\n"
"  --json             print one JSON object instead of text\n"
"  -h, --help         show this help\n"
"\n"
"GFLOP/s counts 2 FLOPs per multiply-accumulate of every Conv, MatMul and\n"
"Gemm, over the median latency. Bias terms and the other operators (Add,\n"
"Clip, Concat, Constant, Flatten, GlobalAveragePool, Identity, MaxPool,\n"
"Relu, Reshape) count as 0 FLOPs. The count is unknown for a model with\n"
"any other operator.\n"
"\n"
"Exit status: 0 on success, 1 on an error, 2 on an invalid option, 3 when\n"
"the model runs with the default instruction set but not with --isa.\n",
            program_name, MIN_TIMED_RUNS);
}

/* ------------------------------------------------------------ options */

static int parse_long(const char *option, const char *text, long min,
                      long max, long *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < min || v > max) {
        bench_error("invalid value '%s' for %s: expected an "
                    "integer from %ld to %ld\n", text, option, min, max);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_positive_number(const char *option, const char *text,
                                 int allow_zero, double *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(text, &end);
    if (errno || end == text || *end || !isfinite(v) || v < 0 ||
        (!allow_zero && v == 0)) {
        bench_error("invalid value '%s' for %s: expected a "
                    "%s number\n", text, option,
                    allow_zero ? "non-negative" : "positive");
        return -1;
    }
    *out = v;
    return 0;
}

/* The options that take a value, all handled by apply_option(). */
static const char *const value_options[] = {
    "--batch", "--threads", "--isa", "--warmup", "--iterations",
    "--min-time", "--max-time", "--peak-gflops",
};

static int is_value_option(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof value_options / sizeof value_options[0]; i++)
        if (strcmp(name, value_options[i]) == 0)
            return 1;
    return 0;
}

/* Applies one option that takes a value. */
static int apply_option(bench_options *o, const char *name, const char *value)
{
    if (strcmp(name, "--batch") == 0)
        return parse_long(name, value, 1, 1L << 20, &o->batch);
    if (strcmp(name, "--threads") == 0)
        return parse_long(name, value, 0, 4096, &o->threads);
    if (strcmp(name, "--warmup") == 0)
        return parse_long(name, value, 0, 100000000L, &o->warmup);
    if (strcmp(name, "--iterations") == 0)
        return parse_long(name, value, 1, 100000000L, &o->iterations);
    if (strcmp(name, "--min-time") == 0)
        return parse_positive_number(name, value, 1, &o->min_time);
    if (strcmp(name, "--max-time") == 0)
        return parse_positive_number(name, value, 0, &o->max_time);
    if (strcmp(name, "--peak-gflops") == 0)
        return parse_positive_number(name, value, 0, &o->peak_gflops);
    if (strcmp(name, "--isa") == 0) {
        if (!value[0]) {
            bench_error("--isa needs a name\n");
            return -1;
        }
        o->isa = value;
        return 0;
    }
    if (strcmp(name, "--json") == 0)
        bench_error("option --json takes no value\n");
    else
        bench_error("unknown option '%s'\n", name);
    return -1;
}

/* Parses the command line. Returns 0 to run, 1 when help was printed and
 * -1 on an invalid command line (the message is printed). Options take
 * their value as the next argument or after '='. */
static int parse_options(int argc, char **argv, bench_options *o)
{
    int i;

    memset(o, 0, sizeof *o);
    o->batch = 1;
    o->threads = 1;
    o->warmup = 10;
    o->iterations = 200;

    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *equals = strchr(arg, '=');
        char name[32];

        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            usage(stdout);
            return 1;
        }
        if (strcmp(arg, "--json") == 0) {
            o->json = 1;
            continue;
        }
        if (strncmp(arg, "--", 2) != 0 || !arg[2]) {
            if (arg[0] == '-' && arg[1]) {
                bench_error("unknown option '%s'\n", arg);
                return -1;
            }
            if (o->model_path) {
                bench_error("more than one model given "
                            "('%s' and '%s')\n", o->model_path, arg);
                return -1;
            }
            o->model_path = arg;
            continue;
        }

        /* "--name=value" or "--name value". */
        if (equals) {
            size_t length = (size_t)(equals - arg);

            if (length >= sizeof name) {
                bench_error("unknown option '%s'\n", arg);
                return -1;
            }
            memcpy(name, arg, length);
            name[length] = '\0';
            if (apply_option(o, name, equals + 1) != 0)
                return -1;
        } else if (!is_value_option(arg)) {
            bench_error("unknown option '%s'\n", arg);
            return -1;
        } else if (i + 1 < argc) {
            if (apply_option(o, arg, argv[++i]) != 0)
                return -1;
        } else {
            bench_error("option '%s' needs a value\n", arg);
            return -1;
        }
    }

    if (!o->model_path) {
        bench_error("no model given\n");
        return -1;
    }
    if (o->max_time > 0 && o->min_time > o->max_time) {
        bench_error("--min-time %g is above --max-time %g\n",
                    o->min_time, o->max_time);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ inputs */

/* splitmix64: a small generator whose sequence depends only on the seed,
 * so every run and every machine feeds the same data. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* Returns a uniform number in [-1, 1). */
static double random_unit(uint64_t *state)
{
    return (double)(next_random(state) >> 11) * 0x1.0p-52 - 1.0;
}

/* Fills `count` elements: floating point uniform in [-1, 1), uint8 and
 * int8 over their whole range, int32 and int64 from 0 to 15 (small
 * non-negative values, valid as indices or sizes on small axes). */
static int fill_random(onnxmini_dtype dtype, void *data, size_t count,
                       uint64_t seed)
{
    uint64_t state = seed;
    size_t i;

    for (i = 0; i < count; i++) {
        switch (dtype) {
        case ONNXMINI_FLOAT:
            ((float *)data)[i] = (float)random_unit(&state);
            break;
        case ONNXMINI_DOUBLE:
            ((double *)data)[i] = random_unit(&state);
            break;
        case ONNXMINI_INT32:
            ((int32_t *)data)[i] = (int32_t)(next_random(&state) % 16);
            break;
        case ONNXMINI_INT64:
            ((int64_t *)data)[i] = (int64_t)(next_random(&state) % 16);
            break;
        case ONNXMINI_UINT8:
            ((uint8_t *)data)[i] = (uint8_t)next_random(&state);
            break;
        case ONNXMINI_INT8:
            ((int8_t *)data)[i] =
                (int8_t)((int)(next_random(&state) % 256) - 128);
            break;
        default:
            return -1;
        }
    }
    return 0;
}

/* Sets the dimensions of input `input` from its declaration: dimension 0
 * takes the batch where it is symbolic or unknown, any other unknown one
 * takes 1. Sets *batched when dimension 0 took the batch. */
static int resolve_dims(fed_input *input, long batch, int *batched)
{
    size_t j, count = 1, element_size;

    if (input->info.rank < 0 || input->info.rank > MAX_INPUT_RANK) {
        bench_error("input '%s' declares %s; the benchmark "
                    "needs a declared shape of rank %d at most\n",
                    input->info.name, input->info.rank < 0 ? "no shape" :
                    "a rank above the limit", MAX_INPUT_RANK);
        return -1;
    }
    input->rank = (size_t)input->info.rank;
    for (j = 0; j < input->rank; j++) {
        int64_t d = input->info.dims[j];

        if (d < 0) {
            d = j == 0 ? batch : 1;
            if (j == 0)
                *batched = 1;
        }
        input->dims[j] = d;
        if (d != 0 && count > SIZE_MAX / (size_t)d) {
            bench_error("input '%s' is too large\n",
                        input->info.name);
            return -1;
        }
        count *= (size_t)d;
    }

    element_size = onnxmini_dtype_size(input->info.dtype);
    if (element_size == 0 || count > SIZE_MAX / element_size) {
        bench_error("input '%s' has element type %s, which the "
                    "benchmark cannot fill\n", input->info.name,
                    onnxmini_dtype_name(input->info.dtype));
        return -1;
    }
    input->bytes = count * element_size;
    return 0;
}

/* The machine's free memory in bytes (its physical memory where the
 * system does not report free pages), or 0 when unknown. A benchmark
 * whose inputs or arena would not fit fails with a message instead of
 * being ended by the system's out-of-memory killer. */
static size_t free_memory(void)
{
#if defined(_SC_AVPHYS_PAGES) && defined(_SC_PAGESIZE)
    long pages = sysconf(_SC_AVPHYS_PAGES), page = sysconf(_SC_PAGESIZE);
#elif defined(_SC_PHYS_PAGES) && defined(_SC_PAGESIZE)
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
#endif
#if defined(_SC_PAGESIZE) && (defined(_SC_AVPHYS_PAGES) || defined(_SC_PHYS_PAGES))
    if (pages > 0 && page > 0 && (size_t)pages <= SIZE_MAX / (size_t)page)
        return (size_t)pages * (size_t)page;
#endif
    return 0;
}

/* Creates the data of every graph input. Fails when an input cannot be
 * filled, or when --batch is above 1 but no input has a symbolic first
 * dimension to take it. */
static int make_inputs(const onnxmini_model *model, long batch,
                       fed_input **inputs_out, size_t *count_out)
{
    size_t n = onnxmini_model_input_count(model), i;
    fed_input *inputs = calloc(n ? n : 1, sizeof *inputs);
    int batched = 0;

    *inputs_out = inputs;
    *count_out = 0;
    if (!inputs) {
        bench_error("out of memory\n");
        return -1;
    }
    for (i = 0; i < n; i++) {
        fed_input *input = &inputs[i];

        onnxmini_model_input_info(model, i, &input->info);
        *count_out = i + 1;
        if (resolve_dims(input, batch, &batched) != 0)
            return -1;
        if (free_memory() && input->bytes > free_memory()) {
            bench_error("input '%s' needs %zu bytes, more than the "
                        "%zu bytes of free memory; use a smaller "
                        "--batch\n",
                        input->info.name, input->bytes, free_memory());
            return -1;
        }
        input->data = malloc(input->bytes ? input->bytes : 1);
        if (!input->data) {
            bench_error("out of memory for input '%s' (%zu "
                        "bytes)\n", input->info.name, input->bytes);
            return -1;
        }
        if (fill_random(input->info.dtype, input->data,
                        input->bytes / onnxmini_dtype_size(input->info.dtype),
                        i + 1) != 0) {
            bench_error("input '%s' has element type %s, which "
                        "the benchmark cannot fill\n", input->info.name,
                        onnxmini_dtype_name(input->info.dtype));
            return -1;
        }
    }
    if (batch != 1 && !batched) {
        bench_error("--batch %ld cannot apply: no input of the "
                    "model has a symbolic or unknown dimension 0\n", batch);
        return -1;
    }
    return 0;
}

static void free_inputs(fed_input *inputs, size_t count)
{
    size_t i;

    for (i = 0; inputs && i < count; i++)
        free(inputs[i].data);
    free(inputs);
}

/* ------------------------------------------------------------ session */

/* Creates the session. When an explicit --isa fails, a second session with
 * the default instruction set distinguishes an unavailable instruction set
 * (exit status 3) from a model that does not plan at all (exit status 1). */
static int create_session(const onnxmini_model *model,
                          const bench_options *o, onnxmini_session **session)
{
    onnxmini_session_options options;
    onnxmini_session *fallback = NULL;
    onnxmini_error err, fallback_err;

    onnxmini_session_options_init(&options);
    options.isa = o->isa;
    options.threads = (int)o->threads;
    /* A plan larger than the machine's memory fails with a message. */
    options.max_arena_bytes = free_memory();
    if (onnxmini_session_create(model, &options, session, &err) ==
        ONNXMINI_OK)
        return 0;

    if (o->isa) {
        options.isa = NULL;
        if (onnxmini_session_create(model, &options, &fallback,
                                    &fallback_err) == ONNXMINI_OK) {
            onnxmini_session_destroy(fallback);
            bench_error("--isa %s: %s\n", o->isa,
                        err.message);
            return EXIT_ISA_UNAVAILABLE;
        }
    }
    bench_error("cannot create a session for %s: %s\n",
                o->model_path, err.message);
    return EXIT_FAILURE;
}

static int set_inputs(onnxmini_session *session, const fed_input *inputs,
                      size_t count)
{
    size_t i;

    for (i = 0; i < count; i++)
        if (onnxmini_session_set_input_at(session, i, inputs[i].info.dtype,
                                          inputs[i].dims, inputs[i].rank,
                                          inputs[i].data,
                                          inputs[i].bytes) != ONNXMINI_OK) {
            bench_error("cannot set input '%s': %s\n", inputs[i].info.name,
                        onnxmini_session_message(session));
            return -1;
        }
    return 0;
}

/* ------------------------------------------------------------ timing */

static double now_seconds(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int run_once(onnxmini_session *session)
{
    if (onnxmini_session_run(session) != ONNXMINI_OK) {
        bench_error("run failed: %s\n",
                    onnxmini_session_message(session));
        return -1;
    }
    return 0;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* Returns the q-quantile (0 < q <= 1) of sorted[n] by the nearest-rank
 * method: the smallest sample with at least q * n samples at or below. */
static double nearest_rank(const double *sorted, size_t n, double q)
{
    size_t rank = (size_t)ceil(q * (double)n);

    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return sorted[rank - 1];
}

/* Runs the warm-up, then the timed loop, and fills *stats. */
static int measure(onnxmini_session *session, const bench_options *o,
                   bench_stats *stats)
{
    size_t capacity = (size_t)o->iterations, n = 0, i;
    double *seconds = malloc(capacity * sizeof *seconds);
    double start;

    memset(stats, 0, sizeof *stats);
    if (!seconds) {
        bench_error("out of memory\n");
        return -1;
    }

    /* Warm-up: fill caches, fault in the arena's pages. */
    start = now_seconds();
    for (i = 0; i < (size_t)o->warmup; i++) {
        if (run_once(session) != 0)
            goto fail;
        stats->warmup_runs++;
        if (o->max_time > 0 && now_seconds() - start >= o->max_time)
            break;
    }

    /* Timed runs: each call on its own, so the quantiles are of single
     * runs rather than of averages. */
    start = now_seconds();
    for (;;) {
        double t0, t1, elapsed;

        if (n == capacity) {
            double *grown = realloc(seconds, 2 * capacity * sizeof *grown);

            if (!grown) {
                bench_error("out of memory\n");
                goto fail;
            }
            seconds = grown;
            capacity *= 2;
        }
        t0 = now_seconds();
        if (onnxmini_session_run(session) != ONNXMINI_OK) {
            bench_error("run failed: %s\n",
                        onnxmini_session_message(session));
            goto fail;
        }
        t1 = now_seconds();
        seconds[n++] = t1 - t0;

        elapsed = t1 - start;
        if (n >= (size_t)o->iterations && elapsed >= o->min_time)
            break;
        if (o->max_time > 0 && elapsed >= o->max_time && n >= MIN_TIMED_RUNS)
            break;
    }

    /* The statistics, in microseconds. */
    qsort(seconds, n, sizeof *seconds, compare_doubles);
    stats->runs = n;
    stats->median_us = 1e6 * (n % 2 ? seconds[n / 2] :
                              (seconds[n / 2 - 1] + seconds[n / 2]) / 2);
    stats->p90_us = 1e6 * nearest_rank(seconds, n, 0.90);
    stats->p99_us = 1e6 * nearest_rank(seconds, n, 0.99);
    stats->min_us = 1e6 * seconds[0];
    stats->max_us = 1e6 * seconds[n - 1];
    free(seconds);
    return 0;

fail:
    free(seconds);
    return -1;
}

/* ------------------------------------------------------------ FLOPs */

/* Counts the FLOPs, then checks the counter's output shapes against the
 * ones the library produced: a mismatch means the counter propagated
 * differently from the library, so the count is marked unknown. */
static void count_flops(const bench_options *o, onnxmini_session *session,
                        const onnxmini_model *model, const fed_input *inputs,
                        size_t n_inputs, flop_count *count)
{
    flop_input_shape *shapes = calloc(n_inputs ? n_inputs : 1,
                                      sizeof *shapes);
    size_t i, j;

    if (!shapes) {
        memset(count, 0, sizeof *count);
        snprintf(count->reason, sizeof count->reason, "out of memory");
        return;
    }
    for (i = 0; i < n_inputs; i++) {
        shapes[i].name = inputs[i].info.name;
        shapes[i].rank = inputs[i].rank;
        shapes[i].dims = inputs[i].dims;
    }
    flop_count_model(o->model_path, shapes, n_inputs, count);
    free(shapes);
    if (!count->known)
        return;

    for (i = 0; i < onnxmini_model_output_count(model); i++) {
        onnxmini_tensor out;
        const flop_output_shape *derived = NULL;
        onnxmini_value_info info;
        int same;

        onnxmini_model_output_info(model, i, &info);
        for (j = 0; j < count->n_outputs; j++)
            if (strcmp(count->outputs[j].name, info.name) == 0)
                derived = &count->outputs[j];
        if (onnxmini_session_output(session, i, &out) != ONNXMINI_OK ||
            !derived)
            same = 0;
        else
            same = derived->rank == out.rank &&
                   memcmp(derived->dims, out.dims,
                          out.rank * sizeof *out.dims) == 0;
        if (!same) {
            flop_count_free(count);
            count->known = 0;
            snprintf(count->reason, sizeof count->reason,
                     "the FLOP counter's shape of output '%s' differs from "
                     "the library's", info.name);
            return;
        }
    }
}

/* ------------------------------------------------------------ report */

static void print_json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

/* Prints a JSON number with `decimals` digits after the point, or null for
 * a value that is not finite. */
static void print_json_number(double v, int decimals)
{
    if (isfinite(v))
        printf("%.*f", decimals, v);
    else
        printf("null");
}

typedef struct bench_report {
    const bench_options *options;
    const char *isa;
    bench_stats stats;
    const flop_count *flops;
    double inferences_per_second;
    double gflops;              /* NAN when the count is unknown */
    double fraction_of_peak;    /* NAN when unknown or no peak was given */
} bench_report;

static void print_json(const bench_report *r)
{
    const bench_options *o = r->options;

    printf("{\"model\": ");
    print_json_string(o->model_path);
    printf(", \"library_version\": ");
    print_json_string(onnxmini_version());
    printf(", \"isa\": ");
    print_json_string(r->isa);
    printf(", \"isa_requested\": ");
    if (o->isa)
        print_json_string(o->isa);
    else
        printf("null");
    printf(", \"batch\": %ld, \"threads\": %ld", o->batch, o->threads);
    printf(", \"warmup_runs\": %zu, \"runs\": %zu", r->stats.warmup_runs,
           r->stats.runs);
    printf(", \"median_us\": %.3f, \"p90_us\": %.3f, \"p99_us\": %.3f",
           r->stats.median_us, r->stats.p90_us, r->stats.p99_us);
    printf(", \"min_us\": %.3f, \"max_us\": %.3f", r->stats.min_us,
           r->stats.max_us);
    printf(", \"inferences_per_second\": ");
    print_json_number(r->inferences_per_second, 3);
    printf(", \"flops_per_run\": ");
    print_json_number(r->flops->known ? r->flops->flops : NAN, 0);
    printf(", \"gflops\": ");
    print_json_number(r->gflops, 4);
    printf(", \"flop_count_note\": ");
    print_json_string(r->flops->reason);
    printf(", \"peak_gflops\": ");
    print_json_number(o->peak_gflops > 0 ? o->peak_gflops : NAN, 3);
    printf(", \"fraction_of_peak\": ");
    print_json_number(r->fraction_of_peak, 6);
    printf("}\n");
}

static void print_text(const bench_report *r)
{
    const bench_options *o = r->options;

    printf("model              %s\n", o->model_path);
    printf("isa                %s%s\n", r->isa,
           o->isa ? "" : " (library default)");
    printf("batch              %ld\n", o->batch);
    printf("threads            %ld\n", o->threads);
    printf("runs               %zu timed, after %zu warm-up\n",
           r->stats.runs, r->stats.warmup_runs);
    printf("median             %.1f us\n", r->stats.median_us);
    printf("p90                %.1f us\n", r->stats.p90_us);
    printf("p99                %.1f us\n", r->stats.p99_us);
    printf("min                %.1f us\n", r->stats.min_us);
    printf("inferences/s       %.1f\n", r->inferences_per_second);
    if (r->flops->known) {
        printf("FLOPs per run      %.4g\n", r->flops->flops);
        printf("GFLOP/s            %.3f\n", r->gflops);
    } else {
        printf("GFLOP/s            unknown (%s)\n", r->flops->reason);
    }
    if (o->peak_gflops > 0 && isfinite(r->fraction_of_peak))
        printf("fraction of peak   %.2f %% of %g GFLOP/s\n",
               100 * r->fraction_of_peak, o->peak_gflops);
    else if (o->peak_gflops > 0)
        printf("fraction of peak   unknown\n");
}

/* ------------------------------------------------------------ main */

int onnxmini_bench_main(const char *program, int argc, char **argv)
{
    bench_options o;
    onnxmini_model *model = NULL;
    onnxmini_session *session = NULL;
    onnxmini_error err;
    fed_input *inputs = NULL;
    size_t n_inputs = 0;
    flop_count flops;
    bench_report report;
    int status = EXIT_FAILURE, parsed;

    program_name = program;
    memset(&flops, 0, sizeof flops);
    parsed = parse_options(argc, argv, &o);
    if (parsed != 0) {
        if (parsed < 0)
            fprintf(stderr, "Try '%s --help'.\n", program_name);
        return parsed > 0 ? EXIT_SUCCESS : EXIT_USAGE;
    }

    /* Load, plan and feed. */
    if (onnxmini_model_load_file(o.model_path, &model, &err) != ONNXMINI_OK) {
        /* The library's message names the file. */
        bench_error("%s\n", err.message);
        return EXIT_FAILURE;
    }
    if (make_inputs(model, o.batch, &inputs, &n_inputs) != 0)
        goto done;
    if ((status = create_session(model, &o, &session)) != 0)
        goto done;
    status = EXIT_FAILURE;
    if (set_inputs(session, inputs, n_inputs) != 0)
        goto done;

    /* Measure, then count the FLOPs against the shapes of the last run. */
    memset(&report, 0, sizeof report);
    if (measure(session, &o, &report.stats) != 0)
        goto done;
    count_flops(&o, session, model, inputs, n_inputs, &flops);

    report.options = &o;
    report.isa = onnxmini_session_isa(session);
    report.flops = &flops;
    report.inferences_per_second = report.stats.median_us > 0 ?
        (double)o.batch / (report.stats.median_us * 1e-6) : NAN;
    report.gflops = flops.known && report.stats.median_us > 0 ?
        flops.flops / (report.stats.median_us * 1e-6) / 1e9 : NAN;
    report.fraction_of_peak = o.peak_gflops > 0 ?
        report.gflops / o.peak_gflops : NAN;
    if (o.json)
        print_json(&report);
    else
        print_text(&report);
    status = EXIT_SUCCESS;

done:
    flop_count_free(&flops);
    onnxmini_session_destroy(session);
    free_inputs(inputs, n_inputs);
    onnxmini_model_free(model);
    return status;
}
