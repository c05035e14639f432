/*
 * alloc.c - the default allocator and the helpers that allocate through an
 * onnxmini_allocator. These are the library's only calls to the C
 * library's allocator, so a caller's allocator receives every
 * allocation.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <protobuf-c/protobuf-c.h>

#include "internal.h"

#ifdef _WIN32
/* The UCRT has neither aligned_alloc nor posix_memalign. Every block comes
 * from _aligned_malloc, because _aligned_free can release only those. */
static void *default_allocate(void *user, size_t bytes, size_t alignment)
{
    (void)user;
    return _aligned_malloc(bytes ? bytes : 1, alignment);
}

static void default_release(void *user, void *pointer)
{
    (void)user;
    _aligned_free(pointer);
}
#else
/* malloc covers alignments up to _Alignof(max_align_t) (16 bytes on
 * x86-64 and aarch64) and posix_memalign the larger ones. free releases
 * both, so release needs no record of which one allocated a block. */
static void *default_allocate(void *user, size_t bytes, size_t alignment)
{
    void *p = NULL;

    (void)user;
    if (alignment <= _Alignof(max_align_t))
        return malloc(bytes ? bytes : 1);
    if (posix_memalign(&p, alignment, bytes ? bytes : 1) != 0)
        return NULL;
    return p;
}

static void default_release(void *user, void *pointer)
{
    (void)user;
    free(pointer);
}
#endif

const onnxmini_allocator om_default_allocator = {
    default_allocate, default_release, NULL,
};

void *om_malloc(const onnxmini_allocator *a, size_t bytes)
{
    return a->allocate(a->user, bytes ? bytes : 1, OM_OBJECT_ALIGNMENT);
}

void *om_calloc(const onnxmini_allocator *a, size_t count, size_t size)
{
    size_t bytes;
    void *p;

    if (size && count > SIZE_MAX / size)
        return NULL;
    bytes = count * size;
    p = om_malloc(a, bytes);
    if (p)
        memset(p, 0, bytes ? bytes : 1);
    return p;
}

void *om_aligned_malloc(const onnxmini_allocator *a, size_t bytes)
{
    return a->allocate(a->user, bytes ? bytes : 1, OM_ALIGNMENT);
}

void om_free(const onnxmini_allocator *a, void *p)
{
    if (p)
        a->release(a->user, p);
}

char *om_strdup(const onnxmini_allocator *a, const char *s)
{
    size_t n = strlen(s ? s : "") + 1;
    char *d = om_malloc(a, n);
    if (d)
        memcpy(d, s ? s : "", n);
    return d;
}

/* ------------------------------------------------------------- protobuf-c */

/* protobuf-c's allocator passes no alignment. Its messages hold pointers,
 * sizes and scalars of at most 8 bytes, and 16 is what malloc gives on
 * 64-bit hosts. */
#define PROTOBUF_ALIGNMENT 16

typedef struct protobuf_context {
    const onnxmini_allocator *alloc;
    int failed;                       /* an allocation returned NULL */
} protobuf_context;

static void *protobuf_allocate(void *data, size_t size)
{
    protobuf_context *c = data;
    void *p = c->alloc->allocate(c->alloc->user, size ? size : 1,
                                 PROTOBUF_ALIGNMENT);
    if (!p)
        c->failed = 1;
    return p;
}

static void protobuf_release(void *data, void *pointer)
{
    protobuf_context *c = data;
    if (pointer)
        c->alloc->release(c->alloc->user, pointer);
}

ProtobufCMessage *om_unpack(const onnxmini_allocator *a,
                            const ProtobufCMessageDescriptor *descriptor,
                            size_t size, const void *data, int *out_of_memory)
{
    protobuf_context context;
    ProtobufCAllocator allocator;
    ProtobufCMessage *message;

    context.alloc = a;
    context.failed = 0;
    allocator.alloc = protobuf_allocate;
    allocator.free = protobuf_release;
    allocator.allocator_data = &context;
    message = protobuf_c_message_unpack(descriptor, &allocator, size, data);
    *out_of_memory = !message && context.failed;
    return message;
}

void om_unpack_free(const onnxmini_allocator *a, ProtobufCMessage *message)
{
    protobuf_context context;
    ProtobufCAllocator allocator;

    if (!message)
        return;
    context.alloc = a;
    context.failed = 0;
    allocator.alloc = protobuf_allocate;
    allocator.free = protobuf_release;
    allocator.allocator_data = &context;
    protobuf_c_message_free_unpacked(message, &allocator);
}
