/*
 * onnxmini-conformance - run ONNX backend tests (model.onnx plus
 * test_data_set_N/input_K.pb and output_K.pb) with libonnxmini.
 *
 * Usage: onnxmini-conformance [options] PATH...
 *
 * Each PATH is one test folder or a folder of test folders. Every data set
 * of every test is run and every output compared. One line per test:
 *   PASS name
 *   FAIL name: what differs, or the library's message
 *   UNSUPPORTED name: the library's message naming what is missing
 * and a summary line "N passed, N failed, N skipped".
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "onnxmini.h"

enum verdict { VERDICT_PASS, VERDICT_FAIL, VERDICT_UNSUPPORTED };

static const char *const verdict_names[] = {"PASS", "FAIL", "UNSUPPORTED"};

typedef struct options {
    double rtol;
    double atol;
    int json;
    const char *expect_path;
} options;

/* The result of one test. */
typedef struct result {
    char *path;
    char *name;
    enum verdict verdict;
    char message[1024];
} result;

typedef struct results {
    result *items;
    size_t count, capacity;
} results;

static void fail_message(result *r, enum verdict v, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void fail_message(result *r, enum verdict v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->message, sizeof r->message, fmt, ap);
    va_end(ap);
    r->verdict = v;
}

static char *join_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Orders test_data_set_2 before test_data_set_10. */
static int compare_numbered(const void *a, const void *b)
{
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    size_t lx = strlen(x), ly = strlen(y);
    if (lx != ly)
        return lx < ly ? -1 : 1;
    return strcmp(x, y);
}

/* Lists the entries of a directory whose names start with `prefix` (all
 * when prefix is ""), sorted; returns the count or -1. */
static int list_dir(const char *dir, const char *prefix, char ***out,
                    int (*cmp)(const void *, const void *))
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0;

    *out = NULL;
    if (!d)
        return -1;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' ||
            strncmp(e->d_name, prefix, strlen(prefix)) != 0)
            continue;
        if (n == cap) {
            char **grown;
            cap = cap ? cap * 2 : 16;
            grown = realloc(names, cap * sizeof *names);
            if (!grown)
                break;
            names = grown;
        }
        names[n] = strdup(e->d_name);
        if (!names[n])
            break;
        n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp);
    *out = names;
    return (int)n;
}

static void free_list(char **names, int n)
{
    int i;
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* ------------------------------------------------------------ comparison */

static double element_as_double(const void *data, onnxmini_dtype dtype,
                                size_t i)
{
    switch (dtype) {
    case ONNXMINI_FLOAT:
        return ((const float *)data)[i];
    case ONNXMINI_DOUBLE:
        return ((const double *)data)[i];
    default:
        return 0.0;
    }
}

static int is_float_type(onnxmini_dtype dtype)
{
    return dtype == ONNXMINI_FLOAT || dtype == ONNXMINI_DOUBLE;
}

/* Formats element i of an integer or bool tensor. */
static void format_integer(char *buf, size_t size, const void *data,
                           onnxmini_dtype dtype, size_t i)
{
    const unsigned char *p = data;
    switch (dtype) {
    case ONNXMINI_INT8:
        snprintf(buf, size, "%d", ((const int8_t *)data)[i]);
        break;
    case ONNXMINI_UINT8:
    case ONNXMINI_BOOL:
        snprintf(buf, size, "%u", p[i]);
        break;
    case ONNXMINI_INT16:
        snprintf(buf, size, "%d", ((const int16_t *)data)[i]);
        break;
    case ONNXMINI_UINT16:
        snprintf(buf, size, "%u", ((const uint16_t *)data)[i]);
        break;
    case ONNXMINI_INT32:
        snprintf(buf, size, "%ld", (long)((const int32_t *)data)[i]);
        break;
    case ONNXMINI_UINT32:
        snprintf(buf, size, "%lu", (unsigned long)((const uint32_t *)data)[i]);
        break;
    case ONNXMINI_INT64:
        snprintf(buf, size, "%lld", (long long)((const int64_t *)data)[i]);
        break;
    default:
        snprintf(buf, size, "%llu",
                 (unsigned long long)((const uint64_t *)data)[i]);
        break;
    }
}

static void format_shape(char *buf, size_t size, const onnxmini_tensor *t)
{
    size_t used = (size_t)snprintf(buf, size, "[");
    size_t i;
    for (i = 0; i < t->rank && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%lld",
                                 i ? "," : "", (long long)t->dims[i]);
    if (used < size)
        snprintf(buf + used, size - used, "]");
}

/* Compares an output with its expected value; on a difference fills the
 * result's message and returns 0. */
static int compare_tensor(const options *opt, result *r, const char *set,
                          int k, const char *name, const onnxmini_tensor *got,
                          const onnxmini_tensor *want)
{
    char sg[128], sw[128];
    size_t elem, count, i, first_bad = (size_t)-1, n_bad = 0, worst_at = 0;
    double worst = 0.0;

    /* Type and shape. */
    if (got->dtype != want->dtype) {
        fail_message(r, VERDICT_FAIL,
                     "%s output %d '%s': element type %s, expected %s", set,
                     k, name, onnxmini_dtype_name(got->dtype),
                     onnxmini_dtype_name(want->dtype));
        return 0;
    }
    format_shape(sg, sizeof sg, got);
    format_shape(sw, sizeof sw, want);
    if (got->rank != want->rank ||
        (got->rank &&
         memcmp(got->dims, want->dims, got->rank * sizeof *got->dims) != 0)) {
        fail_message(r, VERDICT_FAIL, "%s output %d '%s': shape %s, expected %s",
                     set, k, name, sg, sw);
        return 0;
    }
    elem = onnxmini_dtype_size(want->dtype);
    if (elem == 0 || got->bytes != want->bytes) {
        fail_message(r, VERDICT_FAIL,
                     "%s output %d '%s': %zu bytes, expected %zu", set, k,
                     name, got->bytes, want->bytes);
        return 0;
    }
    count = want->bytes / elem;

    /* Values: floats within atol + rtol * |expected|, NaN equal to NaN;
     * every other type exactly. */
    if (is_float_type(want->dtype)) {
        for (i = 0; i < count; i++) {
            double a = element_as_double(got->data, got->dtype, i);
            double e = element_as_double(want->data, want->dtype, i);
            double diff;
            if (isnan(a) && isnan(e))
                continue;
            diff = fabs(a - e);
            if (isnan(a) || isnan(e) ||
                (isinf(e) && a != e) ||
                (!isinf(e) && !(diff <= opt->atol + opt->rtol * fabs(e)))) {
                if (first_bad == (size_t)-1)
                    first_bad = i;
                n_bad++;
                if (!(diff <= worst) || isnan(diff)) {
                    worst = diff;
                    worst_at = i;
                }
            }
        }
        if (n_bad) {
            fail_message(
                r, VERDICT_FAIL,
                "%s output %d '%s': %zu of %zu values differ; first at index "
                "%zu: got %.9g, expected %.9g; largest error %.3g at index %zu",
                set, k, name, n_bad, count, first_bad,
                element_as_double(got->data, got->dtype, first_bad),
                element_as_double(want->data, want->dtype, first_bad), worst,
                worst_at);
            return 0;
        }
        return 1;
    }
    for (i = 0; i < count; i++)
        if (memcmp((const char *)got->data + i * elem,
                   (const char *)want->data + i * elem, elem) != 0) {
            if (first_bad == (size_t)-1)
                first_bad = i;
            n_bad++;
        }
    if (n_bad) {
        char a[32], e[32];
        if (want->dtype == ONNXMINI_FLOAT16 ||
            want->dtype == ONNXMINI_BFLOAT16 ||
            onnxmini_dtype_size(want->dtype) > 8 ||
            want->dtype == ONNXMINI_COMPLEX64) {
            snprintf(a, sizeof a, "(bits differ)");
            snprintf(e, sizeof e, "(bits differ)");
        } else {
            format_integer(a, sizeof a, got->data, got->dtype, first_bad);
            format_integer(e, sizeof e, want->data, want->dtype, first_bad);
        }
        fail_message(r, VERDICT_FAIL,
                     "%s output %d '%s': %zu of %zu values differ; first at "
                     "index %zu: got %s, expected %s",
                     set, k, name, n_bad, count, first_bad, a, e);
        return 0;
    }
    return 1;
}

/* ------------------------------------------------------------ one test */

/* Loads input_K.pb or output_K.pb files of a data set until one is
 * missing; returns the count or -1 after filling the result's message. */
static int load_tensors(const char *dir, const char *prefix,
                        onnxmini_tensor_proto ***out, result *r)
{
    onnxmini_tensor_proto **list = NULL;
    int n = 0;

    for (;;) {
        char file[64];
        char *path;
        onnxmini_tensor_proto **grown;
        onnxmini_error err;

        snprintf(file, sizeof file, "%s_%d.pb", prefix, n);
        path = join_path(dir, file);
        if (!path || !is_file(path)) {
            free(path);
            break;
        }
        grown = realloc(list, (size_t)(n + 1) * sizeof *list);
        if (!grown) {
            free(path);
            break;
        }
        list = grown;
        if (onnxmini_tensor_proto_load_file(path, &list[n], &err) !=
            ONNXMINI_OK) {
            fail_message(r,
                         err.status == ONNXMINI_ERR_UNSUPPORTED
                             ? VERDICT_UNSUPPORTED
                             : VERDICT_FAIL,
                         "%s", err.message);
            free(path);
            *out = list;
            return -1 - n;
        }
        free(path);
        n++;
    }
    *out = list;
    return n;
}

static void free_tensors(onnxmini_tensor_proto **list, int n)
{
    int i;
    if (n < 0)
        n = -1 - n;
    for (i = 0; i < n; i++)
        onnxmini_tensor_proto_free(list[i]);
    free(list);
}

/* Feeds the inputs of one data set: by the name in each file, else to the
 * K-th graph input that is not backed by an initializer. */
static int feed_inputs(onnxmini_session *session, const onnxmini_model *model,
                       onnxmini_tensor_proto **inputs, int n, const char *set,
                       result *r)
{
    int k;
    for (k = 0; k < n; k++) {
        const char *name = onnxmini_tensor_proto_name(inputs[k]);
        onnxmini_tensor t;
        onnxmini_status st;

        onnxmini_tensor_proto_view(inputs[k], &t);
        if (name[0]) {
            st = onnxmini_session_set_input(session, name, t.dtype, t.dims,
                                            t.rank, t.data, t.bytes);
        } else {
            if ((size_t)k >= onnxmini_model_input_count(model)) {
                fail_message(r, VERDICT_FAIL,
                             "%s: input_%d.pb has no name and the model has "
                             "only %zu inputs",
                             set, k, onnxmini_model_input_count(model));
                return 0;
            }
            st = onnxmini_session_set_input_at(session, (size_t)k, t.dtype,
                                               t.dims, t.rank, t.data,
                                               t.bytes);
        }
        if (st != ONNXMINI_OK) {
            fail_message(r,
                         st == ONNXMINI_ERR_UNSUPPORTED ? VERDICT_UNSUPPORTED
                                                        : VERDICT_FAIL,
                         "%s: input_%d.pb: %s", set, k,
                         onnxmini_session_message(session));
            return 0;
        }
    }
    return 1;
}

static void run_data_set(const options *opt, onnxmini_session *session,
                         const onnxmini_model *model, const char *dir,
                         const char *set, result *r)
{
    onnxmini_tensor_proto **inputs = NULL, **outputs = NULL;
    int n_in, n_out = 0, k;
    onnxmini_status st;

    n_in = load_tensors(dir, "input", &inputs, r);
    if (n_in < 0)
        goto done;
    n_out = load_tensors(dir, "output", &outputs, r);
    if (n_out < 0)
        goto done;
    if ((size_t)n_out > onnxmini_model_output_count(model)) {
        fail_message(r, VERDICT_FAIL,
                     "%s: %d expected outputs, but the model has %zu", set,
                     n_out, onnxmini_model_output_count(model));
        goto done;
    }
    if (!feed_inputs(session, model, inputs, n_in, set, r))
        goto done;

    st = onnxmini_session_run(session);
    if (st != ONNXMINI_OK) {
        fail_message(r,
                     st == ONNXMINI_ERR_UNSUPPORTED ? VERDICT_UNSUPPORTED
                                                    : VERDICT_FAIL,
                     "%s: run failed: %s", set,
                     onnxmini_session_message(session));
        goto done;
    }
    for (k = 0; k < n_out; k++) {
        onnxmini_tensor got, want;
        onnxmini_value_info info;
        onnxmini_model_output_info(model, (size_t)k, &info);
        if (onnxmini_session_output(session, (size_t)k, &got) != ONNXMINI_OK) {
            fail_message(r, VERDICT_FAIL, "%s: output %d: %s", set, k,
                         onnxmini_session_message(session));
            goto done;
        }
        onnxmini_tensor_proto_view(outputs[k], &want);
        if (!compare_tensor(opt, r, set, k, info.name, &got, &want))
            goto done;
    }

done:
    free_tensors(inputs, n_in);
    free_tensors(outputs, n_out);
}

static void run_test(const options *opt, const char *dir, result *r)
{
    char *model_path = join_path(dir, "model.onnx");
    onnxmini_model *model = NULL;
    onnxmini_session *session = NULL;
    onnxmini_error err;
    char **sets = NULL;
    int n_sets, i;

    r->verdict = VERDICT_PASS;
    r->message[0] = '\0';
    if (!model_path) {
        fail_message(r, VERDICT_FAIL, "out of memory");
        return;
    }
    if (onnxmini_model_load_file(model_path, &model, &err) != ONNXMINI_OK) {
        fail_message(r,
                     err.status == ONNXMINI_ERR_UNSUPPORTED ? VERDICT_UNSUPPORTED
                                                            : VERDICT_FAIL,
                     "%s", err.message);
        goto done;
    }
    if (onnxmini_session_create(model, NULL, &session, &err) != ONNXMINI_OK) {
        fail_message(r,
                     err.status == ONNXMINI_ERR_UNSUPPORTED ? VERDICT_UNSUPPORTED
                                                            : VERDICT_FAIL,
                     "session: %s", err.message);
        goto done;
    }

    n_sets = list_dir(dir, "test_data_set_", &sets, compare_numbered);
    if (n_sets <= 0) {
        fail_message(r, VERDICT_FAIL, "no test_data_set_N folder");
        free_list(sets, n_sets < 0 ? 0 : n_sets);
        goto done;
    }
    for (i = 0; i < n_sets && r->verdict == VERDICT_PASS; i++) {
        char *set_dir = join_path(dir, sets[i]);
        if (set_dir && is_dir(set_dir))
            run_data_set(opt, session, model, set_dir, sets[i], r);
        free(set_dir);
    }
    free_list(sets, n_sets);

done:
    onnxmini_session_destroy(session);
    onnxmini_model_free(model);
    free(model_path);
}

/* ------------------------------------------------------------ discovery */

static int add_result(results *rs, const char *path)
{
    result *r;
    const char *slash;
    size_t len = strlen(path);

    if (rs->count == rs->capacity) {
        size_t cap = rs->capacity ? rs->capacity * 2 : 64;
        result *grown = realloc(rs->items, cap * sizeof *grown);
        if (!grown)
            return -1;
        rs->items = grown;
        rs->capacity = cap;
    }
    r = &rs->items[rs->count];
    memset(r, 0, sizeof *r);
    r->path = strdup(path);
    if (!r->path)
        return -1;
    /* Drop trailing slashes for the name. */
    while (len > 1 && r->path[len - 1] == '/')
        r->path[--len] = '\0';
    slash = strrchr(r->path, '/');
    r->name = strdup(slash ? slash + 1 : r->path);
    if (!r->name) {
        free(r->path);
        return -1;
    }
    rs->count++;
    return 0;
}

/* Collects test folders: PATH itself when it holds model.onnx, else each
 * direct subfolder that does. */
static int collect(results *rs, const char *path)
{
    char *model = join_path(path, "model.onnx");
    char **names;
    int n, i, found = 0;

    if (model && is_file(model)) {
        free(model);
        return add_result(rs, path) == 0 ? 1 : -1;
    }
    free(model);
    n = list_dir(path, "", &names, compare_names);
    if (n < 0) {
        fprintf(stderr, "onnxmini-conformance: cannot read '%s': %s\n", path,
                strerror(errno));
        return -1;
    }
    for (i = 0; i < n; i++) {
        char *sub = join_path(path, names[i]);
        char *sub_model = sub ? join_path(sub, "model.onnx") : NULL;
        if (sub_model && is_file(sub_model)) {
            if (add_result(rs, sub) != 0) {
                free(sub);
                free(sub_model);
                free_list(names, n);
                return -1;
            }
            found++;
        }
        free(sub);
        free(sub_model);
    }
    free_list(names, n);
    if (!found)
        fprintf(stderr,
                "onnxmini-conformance: '%s' holds no model.onnx and no test "
                "folders\n",
                path);
    return found;
}

/* ------------------------------------------------------------ expectations */

typedef struct expectations {
    char **names;
    int count;
} expectations;

/* Reads one test path per line; blank lines and lines starting with # are
 * skipped. Returns -1 when the file cannot be read. */
static int read_expectations(const char *path, expectations *ex)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    int cap = 0;

    ex->names = NULL;
    ex->count = 0;
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f)) {
        size_t len = strcspn(line, "\r\n");
        char *start = line;
        line[len] = '\0';
        while (*start == ' ' || *start == '\t')
            start++;
        if (!*start || *start == '#')
            continue;
        if (ex->count == cap) {
            char **grown;
            cap = cap ? cap * 2 : 64;
            grown = realloc(ex->names, (size_t)cap * sizeof *grown);
            if (!grown)
                break;
            ex->names = grown;
        }
        ex->names[ex->count] = strdup(start);
        if (ex->names[ex->count])
            ex->count++;
    }
    fclose(f);
    return 0;
}

/* An expectation "node/test_add" matches a test at ".../node/test_add". */
static int path_matches(const char *path, const char *expected)
{
    size_t lp = strlen(path), le = strlen(expected);
    if (lp < le || strcmp(path + lp - le, expected) != 0)
        return 0;
    return lp == le || path[lp - le - 1] == '/';
}

/* ------------------------------------------------------------ output */

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: onnxmini-conformance [options] PATH...\n"
            "\n"
            "Run ONNX backend tests: each PATH is a test folder (model.onnx "
            "and\n"
            "test_data_set_N/) or a folder of test folders.\n"
            "\n"
            "  --rtol X       relative tolerance for float outputs (default "
            "1e-3)\n"
            "  --atol X       absolute tolerance for float outputs (default "
            "1e-7)\n"
            "  --expect FILE  exit non-zero exactly when a test listed in "
            "FILE\n"
            "                 (one path such as node/test_add per line) does "
            "not pass\n"
            "  --json         print the results as one JSON object\n"
            "  --list-isas    print the kernel instruction sets this build "
            "and CPU\n"
            "                 have, best first, and exit\n"
            "  -h, --help     show this help\n"
            "\n"
            "Without --expect the exit status is non-zero when any test "
            "fails.\n");
}

static int parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return errno == 0 && end != s && *end == '\0' && *out >= 0;
}

int main(int argc, char **argv)
{
    options opt = {1e-3, 1e-7, 0, NULL};
    expectations ex = {NULL, 0};
    results rs = {NULL, 0, 0};
    int counts[3] = {0, 0, 0}, n_paths = 0, i, j, exit_code = 0;
    int expected_missing = 0;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--list-isas") == 0) {
            size_t k;
            for (k = 0; k < onnxmini_isa_count(); k++)
                printf("%s\n", onnxmini_isa_name(k));
            return 0;
        } else if (strcmp(a, "--json") == 0) {
            opt.json = 1;
        } else if ((strcmp(a, "--rtol") == 0 || strcmp(a, "--atol") == 0) &&
                   i + 1 < argc) {
            double *target = a[2] == 'r' ? &opt.rtol : &opt.atol;
            if (!parse_double(argv[++i], target)) {
                fprintf(stderr,
                        "onnxmini-conformance: %s needs a non-negative "
                        "number, got '%s'\n",
                        a, argv[i]);
                return 2;
            }
        } else if (strcmp(a, "--expect") == 0 && i + 1 < argc) {
            opt.expect_path = argv[++i];
        } else if (a[0] == '-') {
            fprintf(stderr, "onnxmini-conformance: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        } else {
            argv[++n_paths] = argv[i];
        }
    }
    if (n_paths == 0) {
        usage(stderr);
        return 2;
    }
    if (opt.expect_path && read_expectations(opt.expect_path, &ex) != 0) {
        fprintf(stderr, "onnxmini-conformance: cannot read '%s': %s\n",
                opt.expect_path, strerror(errno));
        return 2;
    }

    /* Find the tests, then run them in order. */
    for (i = 1; i <= n_paths; i++)
        if (collect(&rs, argv[i]) <= 0)
            exit_code = 1;
    for (i = 0; i < (int)rs.count; i++) {
        result *r = &rs.items[i];
        run_test(&opt, r->path, r);
        counts[r->verdict]++;
        if (!opt.json) {
            if (r->message[0])
                printf("%s %s: %s\n", verdict_names[r->verdict], r->name,
                       r->message);
            else
                printf("%s %s\n", verdict_names[r->verdict], r->name);
            fflush(stdout);
        }
    }

    /* Expected passes: every listed test must have run and passed. */
    if (opt.expect_path) {
        exit_code = exit_code || 0;
        for (j = 0; j < ex.count; j++) {
            int passed = 0, seen = 0;
            for (i = 0; i < (int)rs.count; i++)
                if (path_matches(rs.items[i].path, ex.names[j])) {
                    seen = 1;
                    passed = rs.items[i].verdict == VERDICT_PASS;
                    break;
                }
            if (!passed) {
                expected_missing++;
                if (!opt.json)
                    fprintf(stderr, "expected to pass but %s: %s\n",
                            seen ? "did not" : "was not run", ex.names[j]);
            }
        }
        exit_code = exit_code || expected_missing > 0;
    } else {
        exit_code = exit_code || counts[VERDICT_FAIL] > 0;
    }

    if (opt.json) {
        printf("{\"tests\": [");
        for (i = 0; i < (int)rs.count; i++) {
            const result *r = &rs.items[i];
            printf("%s\n  {\"name\": ", i ? "," : "");
            json_string(stdout, r->name);
            printf(", \"path\": ");
            json_string(stdout, r->path);
            printf(", \"verdict\": \"%s\", \"message\": ",
                   verdict_names[r->verdict]);
            json_string(stdout, r->message);
            printf("}");
        }
        printf("\n], \"passed\": %d, \"failed\": %d, \"skipped\": %d",
               counts[VERDICT_PASS], counts[VERDICT_FAIL],
               counts[VERDICT_UNSUPPORTED]);
        if (opt.expect_path)
            printf(", \"expected\": %d, \"expected_not_passed\": %d", ex.count,
                   expected_missing);
        printf("}\n");
    } else {
        if (opt.expect_path)
            printf("expected to pass: %d tests listed in %s, %d of them did "
                   "not pass\n",
                   ex.count, opt.expect_path, expected_missing);
        printf("%d passed, %d failed, %d skipped\n", counts[VERDICT_PASS],
               counts[VERDICT_FAIL], counts[VERDICT_UNSUPPORTED]);
    }

    for (i = 0; i < (int)rs.count; i++) {
        free(rs.items[i].path);
        free(rs.items[i].name);
    }
    free(rs.items);
    for (j = 0; j < ex.count; j++)
        free(ex.names[j]);
    free(ex.names);
    return exit_code;
}
