/* Stand-in for the UCRT's <errno.h>; see README. */
#ifndef OM_STUB_ERRNO_H
#define OM_STUB_ERRNO_H
int *__cdecl _errno(void);
#define errno (*_errno())
#define ENOENT 2
#define EIO 5
#define EBADF 9
#define ENOMEM 12
#define EACCES 13
#define EEXIST 17
#define EINVAL 22
#define ENOSPC 28
#define EDOM 33
#define ERANGE 34
#define EILSEQ 42
#define EOVERFLOW 132
#endif
