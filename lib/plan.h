/*
 * plan.h - arena placement for buffers with known lifetimes.
 */
#ifndef OM_PLAN_H
#define OM_PLAN_H

#include "internal.h"

/* A buffer live from step `first` to step `last`, inclusive. */
typedef struct om_plan_buffer {
    size_t bytes;
    int first;
    int last;
    size_t offset;                    /* set by om_plan_place */
} om_plan_buffer;

/* Assigns each buffer an OM_ALIGNMENT-aligned offset so that buffers whose
 * lifetimes overlap never overlap in memory, and sets *total to the arena
 * size needed. */
onnxmini_status om_plan_place(om_plan_buffer *bufs, int n, void *work,
                              size_t *total, onnxmini_error *err);

/* Bytes of the work memory om_plan_place needs for n buffers. */
size_t om_plan_work_bytes(int n);

#endif /* OM_PLAN_H */
