/*
 * main.c - the onnxmini command-line tool: inspect, run and benchmark ONNX
 * models with libonnxmini.
 *
 * Usage: onnxmini COMMAND [options]; see usage() or --help. Results go to
 * stdout, messages to stderr. Exit status: 0 on success, 1 on a failure,
 * 2 on an invalid command line.
 */
#include <string.h>

#include "onnxmini_bench.h"
#include "tool.h"

static void usage(FILE *out)
{
    fprintf(out,
"Usage: onnxmini COMMAND [options]\n"
"\n"
"Inspect, run and benchmark ONNX models with libonnxmini.\n"
"\n"
"Commands:\n"
"  info MODEL        describe a model: inputs, outputs, operators, the\n"
"                    operators this library does not support, parameters\n"
"                    and the planned memory\n"
"  run MODEL         run a model on inputs from .pb or .npy files and\n"
"                    print or write the outputs\n"
"  bench MODEL       measure the inference latency\n"
"  ops               list the operators this library supports\n"
"  compare A B       compare two tensor files within a tolerance\n"
"\n"
"Options:\n"
"  --version         print the tool's and the library's version\n"
"  -h, --help        show this help\n"
"\n"
"'onnxmini COMMAND --help' describes each command's options.\n"
"Exit status: 0 on success, 1 on a failure, 2 on an invalid command line\n"
"(and 3 from bench when the instruction set named by --isa is not\n"
"available).\n");
}

static void print_version(void)
{
    size_t i;

    printf("onnxmini %s (libonnxmini %s; instruction sets:",
           ONNXMINI_VERSION_STRING, onnxmini_version());
    for (i = 0; i < onnxmini_isa_count(); i++)
        printf(" %s", onnxmini_isa_name(i));
    printf(")\n");
}

int main(int argc, char **argv)
{
    const char *command;

    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    command = argv[1];
    if (tool_is_help(command)) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(command, "--version") == 0) {
        print_version();
        return EXIT_OK;
    }

    /* Each command receives its own name as argv[0]. */
    if (strcmp(command, "info") == 0) {
        tool_set_command("onnxmini info");
        return tool_info(argc - 1, argv + 1);
    }
    if (strcmp(command, "run") == 0) {
        tool_set_command("onnxmini run");
        return tool_run(argc - 1, argv + 1);
    }
    if (strcmp(command, "bench") == 0)
        return onnxmini_bench_main("onnxmini bench", argc - 1, argv + 1);
    if (strcmp(command, "ops") == 0) {
        tool_set_command("onnxmini ops");
        return tool_ops(argc - 1, argv + 1);
    }
    if (strcmp(command, "compare") == 0) {
        tool_set_command("onnxmini compare");
        return tool_compare(argc - 1, argv + 1);
    }
    if (command[0] == '-')
        return tool_usage_error("unknown option '%s'", command);
    return tool_usage_error("unknown command '%s'; the commands are info, "
                            "run, bench, ops and compare", command);
}
