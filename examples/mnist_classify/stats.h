/*
 * stats.h - timing and latency statistics for the evaluation mode.
 */
#ifndef MNIST_CLASSIFY_STATS_H
#define MNIST_CLASSIFY_STATS_H

#include <stddef.h>

#include "error_message.h"

/* Returns a monotonic time in microseconds (CLOCK_MONOTONIC), for
 * differences only, or 0 when the clock is not available. */
double monotonic_microseconds(void);

/* Latencies of single inferences, in microseconds. Zero-initialise. */
typedef struct latency_log {
    double *values;
    size_t count;
    size_t capacity;
} latency_log;

/* Appends one latency, growing the array as needed. */
int latency_log_add(latency_log *log, double microseconds,
                    error_message *error);

/* Frees the values and zeroes *log. */
void latency_log_free(latency_log *log);

typedef struct latency_summary {
    double median_us; /* middle value; the mean of the two for an even count */
    double p99_us;    /* 99th percentile, nearest-rank method */
    double total_us;  /* sum of all latencies */
} latency_summary;

/* Sorts the log in place and summarises it. An empty log gives zeros. */
void latency_summarise(latency_log *log, latency_summary *summary);

#endif
