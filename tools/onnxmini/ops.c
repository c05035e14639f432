/*
 * ops.c - 'onnxmini ops': the operators of the library's registry, with
 * their domains and opset ranges, as a text or Markdown table.
 */
#include <string.h>

#include "tool.h"

static void usage(FILE *out)
{
    fprintf(out,
"Usage: onnxmini ops [--markdown]\n"
"\n"
"List the operators libonnxmini implements, in alphabetical order, with\n"
"their domain and the opset versions a model may import to use them.\n"
"\n"
"Options:\n"
"  --markdown        print a Markdown table\n"
"  -h, --help        show this help\n");
}

static const char *domain_name(const char *domain)
{
    return domain[0] ? domain : "ai.onnx";
}

int tool_ops(int argc, char **argv)
{
    size_t n = onnxmini_op_count(), i;
    int markdown = 0, width = (int)strlen("operator"), a;

    for (a = 1; a < argc; a++) {
        if (tool_is_help(argv[a])) {
            usage(stdout);
            return EXIT_OK;
        }
        if (strcmp(argv[a], "--markdown") == 0)
            markdown = 1;
        else if (argv[a][0] == '-')
            return tool_usage_error("unknown option '%s'", argv[a]);
        else
            return tool_usage_error("unexpected argument '%s'", argv[a]);
    }

    for (i = 0; i < n; i++) {
        onnxmini_op_info op;

        if (onnxmini_op_get(i, &op) == ONNXMINI_OK &&
            (int)strlen(op.op_type) > width)
            width = (int)strlen(op.op_type);
    }

    if (markdown)
        printf("| operator | domain | opset versions |\n|---|---|---|\n");
    else
        printf("%-*s  %-10s  %s\n", width, "operator", "domain",
               "opset versions");
    for (i = 0; i < n; i++) {
        onnxmini_op_info op;

        if (onnxmini_op_get(i, &op) != ONNXMINI_OK) {
            tool_error("the registry has no operator %zu of %zu", i, n);
            return EXIT_FAILED;
        }
        if (markdown)
            printf("| %s | %s | %d to %d |\n", op.op_type,
                   domain_name(op.domain), op.first_opset, op.last_opset);
        else
            printf("%-*s  %-10s  %d to %d\n", width, op.op_type,
                   domain_name(op.domain), op.first_opset, op.last_opset);
    }
    if (!markdown)
        printf("%zu operators\n", n);
    return EXIT_OK;
}
