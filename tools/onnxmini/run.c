/*
 * run.c - 'onnxmini run': run a model once on inputs read from TensorProto
 * (.pb) or NumPy (.npy) files, summarise every output on stdout and
 * optionally write them as output_K.pb (and output_K.npy) files.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "npy.h"
#include "tool.h"

/* Values shown per output in the summary. */
#define SUMMARY_VALUES 8

static void usage(FILE *out)
{
    fprintf(out,
"Usage: onnxmini run MODEL [options]\n"
"\n"
"Run a model once and summarise each output: name, element type, shape,\n"
"minimum, maximum and first values.\n"
"\n"
"Options:\n"
"  --input NAME=FILE  feed graph input NAME from FILE, an ONNX TensorProto\n"
"                     (.pb) or a NumPy array (.npy); repeat for each input\n"
"  --input-dir DIR    feed the files DIR/input_0.pb, input_1.pb, ... (or\n"
"                     input_K.npy) of an ONNX test data set: each goes to\n"
"                     the input named in the file, else to the K-th input\n"
"                     not backed by an initializer\n"
"  --output-dir DIR   write output_0.pb, output_1.pb, ... in graph output\n"
"                     order, as TensorProtos named after the outputs; DIR and\n"
"                     its missing parents are created\n"
"  --npy              with --output-dir, also write output_K.npy\n"
"  --isa X            kernel instruction set (default: the library's\n"
"                     choice; see 'onnxmini --version' for this CPU's)\n"
"  -h, --help         show this help\n"
"\n"
"Exit status: 0 on success, 1 on a failure, 2 on an invalid command line.\n");
}

typedef struct run_options {
    const char *model_path;
    const char *input_dir;
    const char *output_dir;
    const char *isa;
    int npy;
    const char **input_args;    /* [n_input_args] "NAME=FILE" */
    size_t n_input_args;
} run_options;

/* One input file and the graph input it feeds. */
typedef struct fed_file {
    char *path;
    char *name;
    tool_tensor tensor;
} fed_file;

typedef struct fed_files {
    fed_file *items;
    size_t count;
} fed_files;

/* ------------------------------------------------------------ options */

/* Parses the options; returns 0 to go on, -1 after printing the help, or
 * EXIT_USAGE after printing a message. */
static int parse_options(int argc, char **argv, run_options *o)
{
    const char *value;
    int i, r;

    memset(o, 0, sizeof *o);
    o->input_args = calloc((size_t)argc, sizeof *o->input_args);
    if (!o->input_args) {
        tool_error("out of memory");
        return EXIT_USAGE;
    }
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];

        if (tool_is_help(arg)) {
            usage(stdout);
            return -1;
        }
        if (strcmp(arg, "--npy") == 0) {
            o->npy = 1;
        } else if ((r = tool_option_value(argc, argv, &i, "--input",
                                          &value)) != 0) {
            if (r < 0)
                return EXIT_USAGE;
            if (!strchr(value, '=') || value[0] == '=')
                return tool_usage_error("invalid value '%s' for --input: "
                                        "expected NAME=FILE", value);
            o->input_args[o->n_input_args++] = value;
        } else if ((r = tool_option_value(argc, argv, &i, "--input-dir",
                                          &o->input_dir)) != 0 ||
                   (r = tool_option_value(argc, argv, &i, "--output-dir",
                                          &o->output_dir)) != 0 ||
                   (r = tool_option_value(argc, argv, &i, "--isa",
                                          &o->isa)) != 0) {
            if (r < 0)
                return EXIT_USAGE;
        } else if (arg[0] == '-' && arg[1]) {
            return tool_usage_error("unknown option '%s'", arg);
        } else if (o->model_path) {
            return tool_usage_error("more than one model given ('%s' and "
                                    "'%s')", o->model_path, arg);
        } else {
            o->model_path = arg;
        }
    }
    if (!o->model_path)
        return tool_usage_error("no model given");
    if (o->npy && !o->output_dir)
        return tool_usage_error("--npy needs --output-dir");
    return 0;
}

/* ------------------------------------------------------------ inputs */

static char *copy_string(const char *s, size_t length)
{
    char *copy = malloc(length + 1);

    if (copy) {
        memcpy(copy, s, length);
        copy[length] = '\0';
    }
    return copy;
}

/* Adds a file to the list; its name is resolved later when NULL. */
static int add_file(fed_files *files, char *path, char *name)
{
    fed_file *grown = realloc(files->items,
                              (files->count + 1) * sizeof *grown);

    if (!grown || !path) {
        free(path);
        free(name);
        tool_error("out of memory");
        if (grown)
            files->items = grown;
        return -1;
    }
    files->items = grown;
    memset(&grown[files->count], 0, sizeof *grown);
    grown[files->count].path = path;
    grown[files->count].name = name;
    files->count++;
    return 0;
}

/* Lists DIR/input_K.pb (or input_K.npy) for K = 0, 1, ... up to the first
 * missing one, as the ONNX backend test layout numbers them. */
static int list_input_dir(const char *dir, fed_files *files)
{
    size_t k;

    for (k = 0;; k++) {
        char file[48];
        char *path;

        snprintf(file, sizeof file, "input_%zu.pb", k);
        path = tool_join_path(dir, file);
        if (path && !tool_is_file(path)) {
            free(path);
            snprintf(file, sizeof file, "input_%zu.npy", k);
            path = tool_join_path(dir, file);
            if (path && !tool_is_file(path)) {
                free(path);
                break;
            }
        }
        if (add_file(files, path, NULL) != 0)
            return -1;
    }
    if (k == 0) {
        struct stat st;

        if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
            tool_error("input folder '%s' not found", dir);
            return -1;
        }
    }
    return 0;
}

/* Reads every file and resolves the graph input each feeds: the name given
 * with --input, else the name stored in the file, else its position among
 * the inputs not backed by an initializer (the conformance runner's
 * rule). */
static int load_inputs(const run_options *o, const onnxmini_model *model,
                       fed_files *files)
{
    size_t n_from_dir, i, j;

    if (o->input_dir && list_input_dir(o->input_dir, files) != 0)
        return -1;
    n_from_dir = files->count;
    for (i = 0; i < o->n_input_args; i++) {
        const char *arg = o->input_args[i], *equals = strchr(arg, '=');
        char *name = copy_string(arg, (size_t)(equals - arg));
        char *path = copy_string(equals + 1, strlen(equals + 1));

        if (!name) {
            free(path);
            tool_error("out of memory");
            return -1;
        }
        if (add_file(files, path, name) != 0)
            return -1;
    }

    for (i = 0; i < files->count; i++) {
        fed_file *f = &files->items[i];
        const char *stored;

        if (tool_tensor_load(f->path, &f->tensor) != 0)
            return -1;
        if (f->name)
            continue;
        stored = f->tensor.name;
        if (!stored[0]) {
            onnxmini_value_info info;

            if (onnxmini_model_input_info(model, i, &info) != ONNXMINI_OK) {
                tool_error("'%s' names no input, and the model has only %zu "
                           "inputs not backed by an initializer", f->path,
                           onnxmini_model_input_count(model));
                return -1;
            }
            stored = info.name;
        }
        f->name = copy_string(stored, strlen(stored));
        if (!f->name) {
            tool_error("out of memory");
            return -1;
        }
    }

    /* Each input once. */
    for (i = 0; i < files->count; i++)
        for (j = 0; j < i; j++)
            if (strcmp(files->items[i].name, files->items[j].name) == 0) {
                tool_error("input '%s' is given twice: by '%s'%s and by "
                           "'%s'%s", files->items[i].name,
                           files->items[j].path,
                           j < n_from_dir ? " (--input-dir)" : "",
                           files->items[i].path,
                           i < n_from_dir ? " (--input-dir)" : "");
                return -1;
            }
    return 0;
}

static void free_inputs(fed_files *files)
{
    size_t i;

    for (i = 0; i < files->count; i++) {
        tool_tensor_free(&files->items[i].tensor);
        free(files->items[i].path);
        free(files->items[i].name);
    }
    free(files->items);
}

/* Sets every input on the session; a graph input that no file feeds is an
 * error that names it. */
static int set_inputs(onnxmini_session *session, const onnxmini_model *model,
                      const fed_files *files)
{
    size_t i, j;

    for (i = 0; i < files->count; i++) {
        const fed_file *f = &files->items[i];
        const onnxmini_tensor *t = &f->tensor.view;

        if (onnxmini_session_set_input(session, f->name, t->dtype, t->dims,
                                       t->rank, t->data,
                                       t->bytes) != ONNXMINI_OK) {
            tool_error("cannot feed input '%s' from '%s': %s", f->name,
                       f->path, onnxmini_session_message(session));
            return -1;
        }
    }
    for (i = 0; i < onnxmini_model_input_count(model); i++) {
        onnxmini_value_info info;

        onnxmini_model_input_info(model, i, &info);
        for (j = 0; j < files->count; j++)
            if (strcmp(files->items[j].name, info.name) == 0)
                break;
        if (j == files->count) {
            tool_error("input '%s' is not given; pass --input %s=FILE or "
                       "--input-dir DIR", info.name, info.name);
            return -1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------ outputs */

/* Prints "name: type [dims], min X, max Y" and the first values. */
static void summarise(const char *name, const onnxmini_tensor *t)
{
    size_t element = onnxmini_dtype_size(t->dtype);
    size_t count = element ? t->bytes / element : 0, i, n_nan = 0;
    size_t min_at = 0, max_at = 0, n_real = 0;
    double min = 0, max = 0;
    char dims[1024], a[64], b[64];

    tool_format_dims(dims, sizeof dims, t->dims, t->rank);
    printf("%s: %s %s", name, onnxmini_dtype_name(t->dtype), dims);

    /* Minimum and maximum of real values, NaN left out. */
    for (i = 0; i < count; i++) {
        double v;

        if (!tool_element_as_double(t->dtype, t->data, i, &v))
            break;
        if (isnan(v)) {
            n_nan++;
            continue;
        }
        if (n_real == 0 || v < min) {
            min = v;
            min_at = i;
        }
        if (n_real == 0 || v > max) {
            max = v;
            max_at = i;
        }
        n_real++;
    }
    if (count == 0) {
        printf(", no elements\n");
        return;
    }
    if (n_real > 0) {
        tool_format_element(a, sizeof a, t->dtype, t->data, min_at, 6);
        tool_format_element(b, sizeof b, t->dtype, t->data, max_at, 6);
        printf(", min %s, max %s", a, b);
    }
    if (n_nan)
        printf(", %zu NaN", n_nan);
    printf("\n  values:");
    for (i = 0; i < count && i < SUMMARY_VALUES; i++) {
        tool_format_element(a, sizeof a, t->dtype, t->data, i, 6);
        printf(" %s", a);
    }
    if (count > SUMMARY_VALUES)
        printf(" ... (first %d of %zu)", SUMMARY_VALUES, count);
    printf("\n");
}

/* Creates one folder unless it exists. */
static int make_folder(const char *dir)
{
    struct stat st;

    if (stat(dir, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return 0;
        tool_error("output folder '%s' exists and is not a folder", dir);
        return -1;
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        tool_error("cannot create output folder '%s': %s", dir,
                   strerror(errno));
        return -1;
    }
    return 0;
}

/* Creates `dir` and its missing parents, as mkdir -p does. */
static int make_output_dir(const char *dir)
{
    size_t length = strlen(dir), i;
    char *path = malloc(length + 1);
    int status = 0;

    if (!path) {
        tool_error("out of memory");
        return -1;
    }
    memcpy(path, dir, length + 1);
    for (i = 1; i < length && status == 0; i++) {
        if (path[i] != '/' || path[i - 1] == '/')
            continue;
        path[i] = '\0';
        status = make_folder(path);
        path[i] = '/';
    }
    if (status == 0)
        status = make_folder(path);
    free(path);
    return status;
}

static int write_npy(const char *path, const onnxmini_tensor *t)
{
    uint8_t *bytes;
    size_t size;
    char message[256];
    int status;

    if (npy_encode(t, &bytes, &size, message, sizeof message) != 0) {
        tool_error("cannot write '%s': %s", path, message);
        return -1;
    }
    status = tool_write_file(path, bytes, size);
    free(bytes);
    return status;
}

/* Writes output_K.pb (and output_K.npy) into the output folder. */
static int write_output(const run_options *o, size_t k, const char *name,
                        const onnxmini_tensor *t)
{
    char file[48];
    char *path;
    int status;

    snprintf(file, sizeof file, "output_%zu.pb", k);
    path = tool_join_path(o->output_dir, file);
    if (!path) {
        tool_error("out of memory");
        return -1;
    }
    status = tool_write_tensor_proto(path, name, t);
    free(path);
    if (status != 0 || !o->npy)
        return status;

    snprintf(file, sizeof file, "output_%zu.npy", k);
    path = tool_join_path(o->output_dir, file);
    if (!path) {
        tool_error("out of memory");
        return -1;
    }
    status = write_npy(path, t);
    free(path);
    return status;
}

static int report_outputs(const run_options *o, onnxmini_session *session,
                          const onnxmini_model *model)
{
    size_t n = onnxmini_model_output_count(model), k;

    if (o->output_dir && make_output_dir(o->output_dir) != 0)
        return -1;
    for (k = 0; k < n; k++) {
        onnxmini_value_info info;
        onnxmini_tensor t;

        onnxmini_model_output_info(model, k, &info);
        if (onnxmini_session_output(session, k, &t) != ONNXMINI_OK) {
            tool_error("cannot read output '%s': %s", info.name,
                       onnxmini_session_message(session));
            return -1;
        }
        summarise(info.name, &t);
        if (o->output_dir && write_output(o, k, info.name, &t) != 0)
            return -1;
    }
    if (o->output_dir)
        printf("wrote %zu output%s to %s (output_K.pb%s)\n", n,
               n == 1 ? "" : "s", o->output_dir,
               o->npy ? " and output_K.npy" : "");
    return 0;
}

/* ------------------------------------------------------------ main */

int tool_run(int argc, char **argv)
{
    run_options o;
    onnxmini_model *model = NULL;
    onnxmini_session *session = NULL;
    onnxmini_session_options options;
    onnxmini_error err;
    fed_files files = {NULL, 0};
    int status = EXIT_FAILED;

    switch (parse_options(argc, argv, &o)) {
    case 0:
        break;
    case -1:
        free(o.input_args);
        return EXIT_OK;
    default:
        free(o.input_args);
        return EXIT_USAGE;
    }

    /* Load the model and the inputs, then plan a session. */
    if (onnxmini_model_load_file(o.model_path, &model, &err) != ONNXMINI_OK) {
        /* The library's message names the file. */
        tool_error("%s", err.message);
        goto done;
    }
    if (load_inputs(&o, model, &files) != 0)
        goto done;
    onnxmini_session_options_init(&options);
    options.isa = o.isa;
    if (onnxmini_session_create(model, &options, &session, &err) !=
        ONNXMINI_OK) {
        tool_error("cannot create a session for '%s': %s", o.model_path,
                   err.message);
        goto done;
    }

    /* Feed, run, report. */
    if (set_inputs(session, model, &files) != 0)
        goto done;
    if (onnxmini_session_run(session) != ONNXMINI_OK) {
        tool_error("run failed: %s", onnxmini_session_message(session));
        goto done;
    }
    if (report_outputs(&o, session, model) == 0)
        status = EXIT_OK;

done:
    onnxmini_session_destroy(session);
    free_inputs(&files);
    onnxmini_model_free(model);
    free(o.input_args);
    return status;
}
