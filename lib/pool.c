/*
 * pool.c - worker threads owned by a session: POSIX threads, or the Win32
 * API on Windows.
 */
#include <string.h>

#include "pool.h"

#ifdef _WIN32
#include <windows.h>
typedef HANDLE thread_t;
typedef SRWLOCK mutex_t;
typedef CONDITION_VARIABLE cond_t;
#define mutex_init(m) (InitializeSRWLock(m), 0)
#define mutex_destroy(m) ((void)(m))
#define mutex_lock(m) AcquireSRWLockExclusive(m)
#define mutex_unlock(m) ReleaseSRWLockExclusive(m)
#define cond_init(c) InitializeConditionVariable(c)
#define cond_destroy(c) ((void)(c))
#define cond_wait(c, m) SleepConditionVariableSRW((c), (m), INFINITE, 0)
#define cond_broadcast(c) WakeAllConditionVariable(c)
#define cond_signal(c) WakeConditionVariable(c)
#else
#include <pthread.h>
typedef pthread_t thread_t;
typedef pthread_mutex_t mutex_t;
typedef pthread_cond_t cond_t;
#define mutex_init(m) pthread_mutex_init((m), NULL)
#define mutex_destroy(m) pthread_mutex_destroy(m)
#define mutex_lock(m) pthread_mutex_lock(m)
#define mutex_unlock(m) pthread_mutex_unlock(m)
#define cond_init(c) pthread_cond_init((c), NULL)
#define cond_destroy(c) pthread_cond_destroy(c)
#define cond_wait(c, m) pthread_cond_wait((c), (m))
#define cond_broadcast(c) pthread_cond_broadcast(c)
#define cond_signal(c) pthread_cond_signal(c)
#endif

typedef struct worker {
    om_pool *pool;
    int index;                        /* 1 .. threads - 1 */
    thread_t thread;
} worker;

struct om_pool {
    onnxmini_allocator alloc;
    int threads;
    int started;                      /* workers running */
    worker *workers;                  /* [threads - 1] */

    mutex_t lock;
    cond_t start;                     /* a new job, or stop */
    cond_t done;                      /* the last task of a job finished */
    unsigned long generation;         /* counts jobs */
    int stop;

    /* The current job, read under the lock. A worker that wakes late
     * finds every task claimed and goes back to sleep, so the caller waits
     * only for the tasks, never for a worker to be scheduled. */
    om_task_fn fn;
    void *ctx;
    size_t n;
    size_t next;                      /* next task to claim */
    size_t pending;                   /* tasks not finished */
};

/* Claims and runs tasks until none is left to claim. */
static void work(om_pool *pool, int index)
{
    for (;;) {
        om_task_fn fn;
        void *ctx;
        size_t task;

        mutex_lock(&pool->lock);
        if (pool->next >= pool->n) {
            mutex_unlock(&pool->lock);
            return;
        }
        task = pool->next++;
        fn = pool->fn;
        ctx = pool->ctx;
        mutex_unlock(&pool->lock);

        fn(ctx, task, index);

        mutex_lock(&pool->lock);
        if (--pool->pending == 0)
            cond_signal(&pool->done);
        mutex_unlock(&pool->lock);
    }
}

static void worker_loop(worker *w)
{
    om_pool *pool = w->pool;
    unsigned long seen = 0;

    for (;;) {
        mutex_lock(&pool->lock);
        while (pool->generation == seen && !pool->stop)
            cond_wait(&pool->start, &pool->lock);
        if (pool->stop) {
            mutex_unlock(&pool->lock);
            return;
        }
        seen = pool->generation;
        mutex_unlock(&pool->lock);

        work(pool, w->index);
    }
}

#ifdef _WIN32
static DWORD WINAPI thread_main(LPVOID arg)
{
    worker_loop(arg);
    return 0;
}
#else
static void *thread_main(void *arg)
{
    worker_loop(arg);
    return NULL;
}
#endif

static void stop_workers(om_pool *pool)
{
    int i;
    mutex_lock(&pool->lock);
    pool->stop = 1;
    cond_broadcast(&pool->start);
    mutex_unlock(&pool->lock);
    for (i = 0; i < pool->started; i++) {
#ifdef _WIN32
        WaitForSingleObject(pool->workers[i].thread, INFINITE);
        CloseHandle(pool->workers[i].thread);
#else
        pthread_join(pool->workers[i].thread, NULL);
#endif
    }
    pool->started = 0;
}

om_pool *om_pool_create(int threads, const onnxmini_allocator *alloc,
                        onnxmini_error *err)
{
    om_pool *pool;
    int i;

    if (threads <= 1)
        return NULL;
    pool = alloc->allocate(alloc->user, sizeof *pool, OM_ALIGNMENT);
    if (!pool) {
        om_fail(err, ONNXMINI_ERR_OUT_OF_MEMORY, "out of memory");
        return NULL;
    }
    memset(pool, 0, sizeof *pool);
    pool->alloc = *alloc;
    pool->threads = threads;
    pool->workers = alloc->allocate(alloc->user,
                                    (size_t)(threads - 1) * sizeof *pool->workers,
                                    OM_ALIGNMENT);
    if (!pool->workers || mutex_init(&pool->lock) != 0) {
        if (pool->workers)
            alloc->release(alloc->user, pool->workers);
        alloc->release(alloc->user, pool);
        om_fail(err, ONNXMINI_ERR_OUT_OF_MEMORY, "out of memory");
        return NULL;
    }
    cond_init(&pool->start);
    cond_init(&pool->done);

    for (i = 0; i < threads - 1; i++) {
        worker *w = &pool->workers[i];
        int failed;
        w->pool = pool;
        w->index = i + 1;
#ifdef _WIN32
        w->thread = CreateThread(NULL, 0, thread_main, w, 0, NULL);
        failed = w->thread == NULL;
#else
        failed = pthread_create(&w->thread, NULL, thread_main, w) != 0;
#endif
        if (failed) {
            om_fail(err, ONNXMINI_ERR_OUT_OF_MEMORY,
                    "cannot start worker thread %d of %d", i + 1,
                    threads - 1);
            om_pool_destroy(pool);
            return NULL;
        }
        pool->started++;
    }
    return pool;
}

void om_pool_destroy(om_pool *pool)
{
    onnxmini_allocator alloc;
    if (!pool)
        return;
    stop_workers(pool);
    cond_destroy(&pool->start);
    cond_destroy(&pool->done);
    mutex_destroy(&pool->lock);
    alloc = pool->alloc;
    alloc.release(alloc.user, pool->workers);
    alloc.release(alloc.user, pool);
}

int om_pool_threads(const om_pool *pool)
{
    return pool ? pool->threads : 1;
}

void om_pool_run(om_pool *pool, size_t n, om_task_fn fn, void *ctx)
{
    size_t t;

    if (!pool || n <= 1) {
        for (t = 0; t < n; t++)
            fn(ctx, t, 0);
        return;
    }
    mutex_lock(&pool->lock);
    pool->fn = fn;
    pool->ctx = ctx;
    pool->n = n;
    pool->next = 0;
    pool->pending = n;
    pool->generation++;
    cond_broadcast(&pool->start);
    mutex_unlock(&pool->lock);

    work(pool, 0);

    mutex_lock(&pool->lock);
    while (pool->pending > 0)
        cond_wait(&pool->done, &pool->lock);
    pool->n = 0;                      /* nothing left for late workers */
    pool->next = 0;
    mutex_unlock(&pool->lock);
}
