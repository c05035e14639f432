/*
 * file.c - whole-file reads for the loaders.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

onnxmini_status om_read_file(const char *path, const char *what, void **data,
                             size_t *size, onnxmini_error *err)
{
    FILE *f;
    unsigned char *buf = NULL;
    size_t used = 0, capacity = 0;
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
    }
    f = fopen(path, "rb");
    if (!f)
        return om_fail(err, ONNXMINI_ERR_IO, "cannot open %s file '%s': %s",
                       what, path, strerror(errno));

    /* Read in growing chunks until the end: the size that fseek and ftell
     * report is meaningless for directories, pipes and special files. */
    for (;;) {
        size_t got;
        if (used == capacity) {
            size_t grown = capacity ? capacity * 2 : 64 * 1024;
            unsigned char *p;
            if (grown < capacity || !(p = realloc(buf, grown))) {
                st = om_fail(err, ONNXMINI_ERR_OUT_OF_MEMORY,
                             "cannot allocate %zu bytes to read %s file '%s'",
                             grown, what, path);
                goto fail;
            }
            buf = p;
            capacity = grown;
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
    free(buf);
    fclose(f);
    return st;
}

char *om_dirname(const char *path)
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
        return om_strdup(".");
    n = slash == path ? 1 : (size_t)(slash - path);
    dir = malloc(n + 1);
    if (dir) {
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    return dir;
}
