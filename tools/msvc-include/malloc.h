/* Stand-in for the UCRT's <malloc.h>; see README. Clang's <mm_malloc.h>
 * includes it for _aligned_malloc. */
#ifndef OM_STUB_MALLOC_H
#define OM_STUB_MALLOC_H
#include <stdlib.h>
void *__cdecl _alloca(size_t size);
size_t __cdecl _msize(void *block);
#endif
