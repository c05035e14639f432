/*
 * main.c - the onnxmini-bench program; the benchmark itself is in
 * onnxmini_bench.c.
 */
#include "onnxmini_bench.h"

int main(int argc, char **argv)
{
    return onnxmini_bench_main("onnxmini-bench", argc, argv);
}
