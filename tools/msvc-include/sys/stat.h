/* Stand-in for the UCRT's <sys/stat.h>; see README. As in the UCRT, the
 * POSIX name struct stat has a 32-bit st_size and there are no S_ISREG or
 * S_ISDIR macros; struct _stat64 and _stat64() handle large files. */
#ifndef OM_STUB_SYS_STAT_H
#define OM_STUB_SYS_STAT_H
#include <stddef.h>

typedef unsigned int _dev_t;
typedef unsigned short _ino_t;
typedef long _off_t;
typedef __int64 __time64_t;

#define _S_IFMT 0xF000
#define _S_IFDIR 0x4000
#define _S_IFCHR 0x2000
#define _S_IFIFO 0x1000
#define _S_IFREG 0x8000
#define S_IFMT _S_IFMT
#define S_IFDIR _S_IFDIR
#define S_IFREG _S_IFREG

struct _stat64 {
    _dev_t st_dev;
    _ino_t st_ino;
    unsigned short st_mode;
    short st_nlink;
    short st_uid;
    short st_gid;
    _dev_t st_rdev;
    __int64 st_size;
    __time64_t st_atime;
    __time64_t st_mtime;
    __time64_t st_ctime;
};

struct stat {
    _dev_t st_dev;
    _ino_t st_ino;
    unsigned short st_mode;
    short st_nlink;
    short st_uid;
    short st_gid;
    _dev_t st_rdev;
    _off_t st_size;
    __time64_t st_atime;
    __time64_t st_mtime;
    __time64_t st_ctime;
};

int __cdecl _stat64(const char *path, struct _stat64 *info);
int __cdecl stat(const char *path, struct stat *info);
#endif
