/*
 * external.c - tensor data stored outside the model file.
 *
 * ONNX lets a TensorProto keep its bytes in another file (data_location
 * EXTERNAL) described by the keys "location" (a path relative to the
 * model's folder), "offset" and "length" (in bytes) and "checksum". Since
 * a model is untrusted input, the location may not be absolute and may not
 * leave the model's folder, neither through ".." nor through a symbolic
 * link.
 */
/* realpath() is an XSI extension of POSIX. */
#if !defined(_WIN32) && !defined(_XOPEN_SOURCE)
#define _XOPEN_SOURCE 700
#endif

#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "onnx.pb-c.h"

#if defined(_WIN32) && !defined(S_ISREG)
#define S_ISREG(mode) (((mode) & _S_IFMT) == _S_IFREG)
#endif

#ifdef _WIN32
/* NOTE: _fullpath only makes the path absolute and removes "." and "..";
 * unlike realpath it does not follow symbolic links or junctions, so on
 * Windows a link inside the model's folder can still lead out of it. */
#define OM_REALPATH(path, resolved) _fullpath((resolved), (path), PATH_MAX)
/* The C runtime's struct stat has a 32-bit st_size, too small for files
 * of 2 GiB or more, the very files that external data is for. */
typedef struct _stat64 om_file_info;
#define OM_STAT(path, info) _stat64((path), (info))
#else
#define OM_REALPATH(path, resolved) realpath((path), (resolved))
typedef struct stat om_file_info;
#define OM_STAT(path, info) stat((path), (info))
#endif

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

/* Parses a non-negative decimal byte count. */
static int parse_size(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return 0;
}

/* Rejects absolute locations and any ".." component, with '/' and '\' both
 * taken as separators so that the rule holds on every system. */
static int location_is_safe(const char *loc)
{
    const char *p = loc;
    if (!loc[0] || loc[0] == '/' || loc[0] == '\\' ||
        (loc[0] && loc[1] == ':'))
        return 0;
    while (*p) {
        size_t n = strcspn(p, "/\\");
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return 0;
        p += n;
        if (*p)
            p++;
    }
    return 1;
}

onnxmini_status om_read_external(const onnxmini_allocator *a,
                                 const void *proto, const char *base_dir,
                                 const char *what, const char *name,
                                 size_t bytes, void **data,
                                 onnxmini_error *err)
{
    om_file_info info;
    const Onnxmini__Pb__TensorProto *tp = proto;
    const char *location = NULL;
    uint64_t offset = 0, length = bytes;
    int has_length = 0;
    char *path = NULL, real_dir[PATH_MAX], real_file[PATH_MAX];
    size_t dir_len, i;
    FILE *f = NULL;
    onnxmini_status st = ONNXMINI_OK;

    /* The keys. */
    for (i = 0; i < tp->n_external_data; i++) {
        const char *key = tp->external_data[i]->key;
        const char *value = tp->external_data[i]->value;
        if (!key || !value)
            continue;
        if (strcmp(key, "location") == 0) {
            location = value;
        } else if (strcmp(key, "offset") == 0 || strcmp(key, "length") == 0) {
            uint64_t *target = key[0] == 'o' ? &offset : &length;
            if (parse_size(value, target) != 0)
                return om_fail(err, ONNXMINI_ERR_INVALID_MODEL,
                               "%s '%s': external data %s '%s' is not a "
                               "byte count",
                               what, name, key, value);
            has_length |= key[0] == 'l';
        }
    }
    *data = NULL;
    if (!location || !location[0])
        return om_fail(err, ONNXMINI_ERR_INVALID_MODEL,
                       "%s '%s': external data has no location", what, name);
    if (!base_dir)
        return om_fail(err, ONNXMINI_ERR_UNSUPPORTED,
                       "%s '%s': external data '%s' is read from the folder "
                       "of the file that refers to it; load that file by its "
                       "path instead of from memory",
                       what, name, location);
    if (!location_is_safe(location))
        return om_fail(err, ONNXMINI_ERR_INVALID_MODEL,
                       "%s '%s': external data location '%s' is absolute or "
                       "contains '..'; it must be relative to the model's "
                       "folder",
                       what, name, location);
    if (has_length && length != bytes)
        return om_fail(err, ONNXMINI_ERR_INVALID_MODEL,
                       "%s '%s': external data length is %llu bytes, expected "
                       "%zu",
                       what, name, (unsigned long long)length, bytes);

    /* The resolved file must lie inside the resolved folder, which also
     * catches symbolic links that point elsewhere. */
    path = om_malloc(a, strlen(base_dir) + strlen(location) + 2);
    if (!path)
        return om_fail(err, ONNXMINI_ERR_OUT_OF_MEMORY, "out of memory");
    sprintf(path, "%s/%s", base_dir, location);
    if (!OM_REALPATH(base_dir, real_dir) || !OM_REALPATH(path, real_file)) {
        st = om_fail(err, ONNXMINI_ERR_IO,
                     "%s '%s': cannot open external data '%s': %s", what, name,
                     path, strerror(errno));
        goto done;
    }
    dir_len = strlen(real_dir);
    while (dir_len > 0 &&
           (real_dir[dir_len - 1] == '/' || real_dir[dir_len - 1] == '\\'))
        dir_len--;                    /* the folder "/" itself */
    if (strncmp(real_file, real_dir, dir_len) != 0 ||
        (real_file[dir_len] != '/' && real_file[dir_len] != '\\')) {
        st = om_fail(err, ONNXMINI_ERR_INVALID_MODEL,
                     "%s '%s': external data '%s' resolves to '%s', outside "
                     "the model's folder",
                     what, name, location, real_file);
        goto done;
    }

    /* Only a regular file, long enough: a FIFO would block and a device
     * would never end. */
    if (OM_STAT(real_file, &info) != 0 || !S_ISREG(info.st_mode)) {
        st = om_fail(err, ONNXMINI_ERR_INVALID_MODEL,
                     "%s '%s': external data '%s' is not a regular file", what,
                     name, location);
        goto done;
    }
    if ((uint64_t)info.st_size < offset ||
        (uint64_t)info.st_size - offset < bytes) {
        st = om_fail(err, ONNXMINI_ERR_INVALID_MODEL,
                     "%s '%s': external data '%s' has %lld bytes, fewer than "
                     "offset %llu plus %zu",
                     what, name, location, (long long)info.st_size,
                     (unsigned long long)offset, bytes);
        goto done;
    }

    /* Read exactly the tensor's bytes at the offset. */
    *data = om_aligned_malloc(a, bytes);
    if (!*data) {
        st = om_fail(err, ONNXMINI_ERR_OUT_OF_MEMORY,
                     "%s '%s': cannot allocate %zu bytes", what, name, bytes);
        goto done;
    }
    f = fopen(real_file, "rb");
    if (!f) {
        st = om_fail(err, ONNXMINI_ERR_IO,
                     "%s '%s': cannot open external data '%s': %s", what, name,
                     real_file, strerror(errno));
        goto done;
    }
#ifdef _WIN32
    if (offset > INT64_MAX || _fseeki64(f, (int64_t)offset, SEEK_SET) != 0) {
#else
    if (offset > LONG_MAX || fseek(f, (long)offset, SEEK_SET) != 0) {
#endif
        st = om_fail(err, ONNXMINI_ERR_IO,
                     "%s '%s': cannot seek to offset %llu in '%s'", what, name,
                     (unsigned long long)offset, real_file);
        goto done;
    }
    if (bytes && fread(*data, 1, bytes, f) != bytes)
        st = om_fail(err, ONNXMINI_ERR_INVALID_MODEL,
                     "%s '%s': external data '%s' has fewer than %zu bytes at "
                     "offset %llu",
                     what, name, location, bytes, (unsigned long long)offset);

done:
    if (f)
        fclose(f);
    om_free(a, path);
    return st;
}
