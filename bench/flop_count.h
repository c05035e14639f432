/*
 * flop_count.h - count the floating-point operations of an ONNX graph for the
 * benchmark.
 *
 * The public API does not expose the shapes inside a graph, so the counter
 * parses the model itself with the protobuf-c code generated from the
 * library's onnx.proto and propagates shapes from the input shapes the
 * benchmark feeds. It has rules for every operator the library supports:
 * Add, Clip, Concat, Constant, Conv, Flatten, Gemm, GlobalAveragePool,
 * Identity, MatMul, MaxPool, Relu and Reshape (with a constant shape). Any
 * other operator makes the count unknown.
 *
 * Only multiply-adds count: a Conv, MatMul or Gemm adds 2 FLOPs per
 * multiply-accumulate of its product. Bias terms, Add, Relu, Clip, MaxPool,
 * GlobalAveragePool and the operators that only move or reshape data
 * (Concat, Flatten, Reshape, Identity, Constant) add none.
 */
#ifndef BENCH_FLOP_COUNT_H
#define BENCH_FLOP_COUNT_H

#include <stddef.h>
#include <stdint.h>

/* The highest rank the counter propagates; the library's limit is 8 too. */
#define FLOP_COUNT_MAX_RANK 8

/* The shape of one graph input as the benchmark feeds it. */
typedef struct flop_input_shape {
    const char *name;
    size_t rank;
    const int64_t *dims;        /* [rank] */
} flop_input_shape;

/* The shape the counter derived for one graph output. */
typedef struct flop_output_shape {
    char *name;
    size_t rank;
    int64_t dims[FLOP_COUNT_MAX_RANK];
} flop_output_shape;

typedef struct flop_count {
    /* 1 when every node's shapes were derived, 0 otherwise. */
    int known;
    /* FLOPs of one run: 2 * multiply-accumulates of every Conv, MatMul and
     * Gemm. Bias additions and every other operator count as 0. */
    double flops;
    /* Why the count is unknown; "" when it is known. */
    char reason[256];
    /* [n_outputs] derived shapes of the graph outputs, in graph order, so
     * that the caller can compare them with what the library computed. */
    size_t n_outputs;
    flop_output_shape *outputs;
} flop_count;

/* Parses the model at `path`, propagates shapes from `inputs` (every graph
 * input that is not an initializer must be listed) and fills *count. A
 * model that cannot be read or propagated leaves count->known at 0, with
 * the reason in count->reason. Free the result with flop_count_free(). */
void flop_count_model(const char *path, const flop_input_shape *inputs,
                      size_t n_inputs, flop_count *count);

/* Frees the output shapes of *count. */
void flop_count_free(flop_count *count);

#endif /* BENCH_FLOP_COUNT_H */
