/*
 * onnxmini_bench.h - the benchmark's entry point, shared by the
 * onnxmini-bench program and the onnxmini tool's 'bench' subcommand.
 */
#ifndef BENCH_ONNXMINI_BENCH_H
#define BENCH_ONNXMINI_BENCH_H

/* Runs the benchmark as a program's main() would: argv[1 .. argc - 1] are
 * the options and the model (argv[0] is not read), results go to stdout and
 * messages to stderr. `program` is the name that messages and the help
 * start with, such as "onnxmini-bench". Returns the exit status: 0 on
 * success, 1 on an error, 2 on an invalid option, 3 when the model runs
 * with the default instruction set but not with --isa. */
int onnxmini_bench_main(const char *program, int argc, char **argv);

#endif /* BENCH_ONNXMINI_BENCH_H */
