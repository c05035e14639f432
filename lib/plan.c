/*
 * plan.c - place buffers with known lifetimes in one arena.
 */
#include <stdlib.h>
#include <string.h>

#include "plan.h"

static size_t align_up(size_t n)
{
    return (n + OM_ALIGNMENT - 1) / OM_ALIGNMENT * OM_ALIGNMENT;
}

typedef struct sized {
    size_t bytes;
    int index;
} sized;

/* Largest first; ties by index, so that the placement does not depend on
 * qsort's stability. */
static int by_size_desc(const void *pa, const void *pb)
{
    const sized *a = pa, *b = pb;
    if (a->bytes != b->bytes)
        return a->bytes > b->bytes ? -1 : 1;
    return a->index - b->index;
}

static int by_offset(const void *pa, const void *pb)
{
    const om_plan_buffer *a = *(const om_plan_buffer *const *)pa;
    const om_plan_buffer *b = *(const om_plan_buffer *const *)pb;
    if (a->offset != b->offset)
        return a->offset < b->offset ? -1 : 1;
    return 0;
}

size_t om_plan_work_bytes(int n)
{
    size_t count = n > 0 ? (size_t)n : 1;
    return count * (sizeof(sized) + sizeof(om_plan_buffer *) + sizeof(int));
}

onnxmini_status om_plan_place(om_plan_buffer *bufs, int n, void *work,
                              size_t *total, onnxmini_error *err)
{
    size_t count = n > 0 ? (size_t)n : 1;
    sized *order = work;
    om_plan_buffer **live = (om_plan_buffer **)(void *)(order + count);
    int *placed = (int *)(void *)(live + count);
    size_t end = 0;
    int i, j;

    memset(placed, 0, count * sizeof *placed);

    /* Greedy best fit, largest buffers first: each buffer goes into the
     * smallest gap between buffers already placed whose lifetimes overlap
     * its own, or after the last of them. */
    for (i = 0; i < n; i++) {
        order[i].bytes = bufs[i].bytes;
        order[i].index = i;
    }
    qsort(order, (size_t)n, sizeof *order, by_size_desc);

    for (i = 0; i < n; i++) {
        om_plan_buffer *b = &bufs[order[i].index];
        size_t size = align_up(b->bytes), cursor = 0;
        size_t best = (size_t)-1, best_gap = (size_t)-1;
        int n_live = 0;

        for (j = 0; j < n; j++) {
            om_plan_buffer *o = &bufs[j];
            if (placed[j] && o->first <= b->last && b->first <= o->last)
                live[n_live++] = o;
        }
        qsort(live, (size_t)n_live, sizeof *live, by_offset);
        if (b->bytes > OM_MAX_TENSOR_BYTES) {
            return om_fail(err, ONNXMINI_ERR_LIMIT,
                           "a buffer of %zu bytes is too large", b->bytes);
        }
        for (j = 0; j < n_live; j++) {
            if (live[j]->offset >= cursor) {
                size_t gap = live[j]->offset - cursor;
                if (gap >= size && gap < best_gap) {
                    best = cursor;
                    best_gap = gap;
                }
            }
            if (live[j]->offset + align_up(live[j]->bytes) > cursor)
                cursor = live[j]->offset + align_up(live[j]->bytes);
        }
        b->offset = best != (size_t)-1 ? best : cursor;
        placed[order[i].index] = 1;
        if (b->offset > SIZE_MAX - OM_ALIGNMENT - size) {
            return om_fail(err, ONNXMINI_ERR_LIMIT,
                           "the intermediate values need more memory than "
                           "the address space has");
        }
        if (b->offset + size > end)
            end = b->offset + size;
    }

    *total = end;
    return ONNXMINI_OK;
}
