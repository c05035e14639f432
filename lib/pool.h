/*
 * pool.h - a session's worker threads.
 *
 * A pool runs n tasks of one function on the calling thread and its
 * workers. Which thread runs a task is not fixed, so a task must compute
 * the same values whatever thread runs it: operators split their work
 * into tasks that write disjoint outputs with the same arithmetic, which
 * keeps results bit-identical for any thread count. Each thread has an
 * index (0 is the caller) to pick its own scratch memory.
 */
#ifndef OM_POOL_H
#define OM_POOL_H

#include "internal.h"

typedef struct om_pool om_pool;

typedef void (*om_task_fn)(void *ctx, size_t task, int thread);

/* Starts threads - 1 workers (none for threads <= 1) with memory from the
 * allocator. Returns NULL with a message when a thread cannot start. */
om_pool *om_pool_create(int threads, const onnxmini_allocator *alloc,
                        onnxmini_error *err);

/* Stops the workers and frees the pool. NULL is allowed. */
void om_pool_destroy(om_pool *pool);

/* Number of threads, the caller included (1 for a NULL pool). */
int om_pool_threads(const om_pool *pool);

/* Runs fn(ctx, task, thread) for every task in [0, n) and returns when all
 * are done. Allocates nothing. With a NULL pool, runs them in order on the
 * calling thread. */
void om_pool_run(om_pool *pool, size_t n, om_task_fn fn, void *ctx);

#endif /* OM_POOL_H */
