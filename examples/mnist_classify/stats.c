/* stats.c - the monotonic clock and latency percentiles. */
#include "stats.h"

#include <stdlib.h>
#include <time.h>

double monotonic_microseconds(void)
{
    struct timespec now;

    /* CLOCK_MONOTONIC is optional in POSIX.1-2008. Linux, the BSDs and
     * macOS have it; elsewhere every latency reads 0. */
    if (clock_gettime(CLOCK_MONOTONIC, &now) != 0)
        return 0.0;
    return (double)now.tv_sec * 1e6 + (double)now.tv_nsec / 1e3;
}

int latency_log_add(latency_log *log, double microseconds,
                    error_message *error)
{
    if (log->count == log->capacity) {
        size_t capacity = log->capacity == 0 ? 1024 : 2 * log->capacity;
        double *values = realloc(log->values, capacity * sizeof *values);

        if (values == NULL)
            return error_set(error, "out of memory for %zu latencies",
                             capacity);
        log->values = values;
        log->capacity = capacity;
    }
    log->values[log->count++] = microseconds;
    return 0;
}

void latency_log_free(latency_log *log)
{
    free(log->values);
    log->values = NULL;
    log->count = 0;
    log->capacity = 0;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

void latency_summarise(latency_log *log, latency_summary *summary)
{
    size_t n = log->count;
    size_t rank;

    summary->median_us = 0.0;
    summary->p99_us = 0.0;
    summary->total_us = 0.0;
    if (n == 0)
        return;

    qsort(log->values, n, sizeof *log->values, compare_doubles);
    for (size_t i = 0; i < n; i++)
        summary->total_us += log->values[i];

    summary->median_us = n % 2 == 1
        ? log->values[n / 2]
        : (log->values[n / 2 - 1] + log->values[n / 2]) / 2.0;

    /* Nearest rank: the smallest value with at least 99 % of the values at
     * or below it, at 1-based rank ceil(0.99 n). Integer arithmetic avoids
     * rounding 0.99 n up by one. */
    rank = (99 * n + 99) / 100;
    summary->p99_us = log->values[rank - 1];
}
