/*
 * file.c - whole-file reads for the loaders.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"

/* Replaces *buf (used bytes of *capacity) by a block twice as large,
 * because the allocator interface has no realloc. */
static int grow(const onnxmini_allocator *a, unsigned char **buf,
                size_t used, size_t *capacity)
{
    size_t grown = *capacity * 2;
    unsigned char *p;

    if (grown < *capacity)
        return -1;
    p = om_malloc(a, grown);
    if (!p)
        return -1;
    if (used)
        memcpy(p, *buf, used);
    om_free(a, *buf);
    *buf = p;
    *capacity = grown;
    return 0;
}

onnxmini_status om_read_file(const onnxmini_allocator *a, const char *path,
                             const char *what, void **data, size_t *size,
                             onnxmini_error *err)
{
    FILE *f;
    unsigned char *buf = NULL;
    size_t used = 0, capacity;
    uint64_t stat_size;
    onnxmini_status st = ONNXMINI_OK;

    *data = NULL;
    *size = 0;
    if (!path)
        return om_fail(err, ONNXMINI_ERR_INVALID_ARGUMENT,
                       "the %s path is NULL", what);
    /* Only regular files: a device or a FIFO may never end. */
    {
#ifdef _WIN32
        struct _stat64 info;
        int found = _stat64(path, &info) == 0;
        int regular = found && (info.st_mode & _S_IFMT) == _S_IFREG;
#else
        struct stat info;
        int found = stat(path, &info) == 0;
        int regular = found && S_ISREG(info.st_mode);
#endif
        if (!found)
            return om_fail(err, ONNXMINI_ERR_IO, "cannot open %s file '%s': %s",
                           what, path, strerror(errno));
        if (!regular)
            return om_fail(err, ONNXMINI_ERR_IO,
                           "%s file '%s' is not a regular file", what, path);
        stat_size = info.st_size > 0 ? (uint64_t)info.st_size : 0;
    }
    if (stat_size >= SIZE_MAX / 2)
        return om_fail(err, ONNXMINI_ERR_OUT_OF_MEMORY,
                       "%s file '%s' has %llu bytes, more than this system "
                       "can address",
                       what, path, (unsigned long long)stat_size);
    f = fopen(path, "rb");
    if (!f)
        return om_fail(err, ONNXMINI_ERR_IO, "cannot open %s file '%s': %s",
                       what, path, strerror(errno));

    /* One byte more than the size stat reported, so that a file that has
     * not changed is read into one block and its end is seen without
     * growing it. A file that grows meanwhile, or reports no size (as
     * some virtual file systems do), is read on in doubling blocks. */
    capacity = (size_t)stat_size + 1;
    buf = om_malloc(a, capacity);
    if (!buf) {
        st = om_fail(err, ONNXMINI_ERR_OUT_OF_MEMORY,
                     "cannot allocate %zu bytes to read %s file '%s'",
                     capacity, what, path);
        goto fail;
    }
    for (;;) {
        size_t got;
        if (used == capacity && grow(a, &buf, used, &capacity) != 0) {
            st = om_fail(err, ONNXMINI_ERR_OUT_OF_MEMORY,
                         "cannot allocate %zu bytes to read %s file '%s'",
                         capacity * 2, what, path);
            goto fail;
        }
        got = fread(buf + used, 1, capacity - used, f);
        used += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        st = om_fail(err, ONNXMINI_ERR_IO, "cannot read %s file '%s': %s",
                     what, path, strerror(errno));
        goto fail;
    }
    if (used == 0) {
        st = om_fail(err, ONNXMINI_ERR_PARSE, "%s file '%s' is empty", what,
                     path);
        goto fail;
    }
    fclose(f);
    *data = buf;
    *size = used;
    return ONNXMINI_OK;

fail:
    om_free(a, buf);
    fclose(f);
    return st;
}

char *om_dirname(const onnxmini_allocator *a, const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir;
    size_t n;

#ifdef _WIN32
    const char *backslash = strrchr(path, '\\');
    if (backslash && (!slash || backslash > slash))
        slash = backslash;
#endif
    if (!slash)
        return om_strdup(a, ".");
    n = slash == path ? 1 : (size_t)(slash - path);
    dir = om_malloc(a, n + 1);
    if (dir) {
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    return dir;
}
