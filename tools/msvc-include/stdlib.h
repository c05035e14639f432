/* Stand-in for the UCRT's <stdlib.h>; see README. */
#ifndef OM_STUB_STDLIB_H
#define OM_STUB_STDLIB_H
#include <stddef.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1
#define RAND_MAX 0x7fff
#define _MAX_PATH 260

typedef struct _div_t { int quot, rem; } div_t;
typedef struct _ldiv_t { long quot, rem; } ldiv_t;

void *__cdecl malloc(size_t size);
void *__cdecl calloc(size_t count, size_t size);
void *__cdecl realloc(void *block, size_t size);
void __cdecl free(void *block);
void *__cdecl _aligned_malloc(size_t size, size_t alignment);
void __cdecl _aligned_free(void *block);

__declspec(noreturn) void __cdecl abort(void);
__declspec(noreturn) void __cdecl exit(int status);
__declspec(noreturn) void __cdecl _Exit(int status);
int __cdecl atexit(void(__cdecl *function)(void));
char *__cdecl getenv(const char *name);
int __cdecl system(const char *command);

int __cdecl atoi(const char *s);
long __cdecl atol(const char *s);
double __cdecl atof(const char *s);
long __cdecl strtol(const char *s, char **end, int base);
unsigned long __cdecl strtoul(const char *s, char **end, int base);
long long __cdecl strtoll(const char *s, char **end, int base);
unsigned long long __cdecl strtoull(const char *s, char **end, int base);
float __cdecl strtof(const char *s, char **end);
double __cdecl strtod(const char *s, char **end);

int __cdecl abs(int x);
long __cdecl labs(long x);
long long __cdecl llabs(long long x);
div_t __cdecl div(int numerator, int denominator);
int __cdecl rand(void);
void __cdecl srand(unsigned seed);

void __cdecl qsort(void *base, size_t count, size_t size,
                   int(__cdecl *compare)(const void *, const void *));
void *__cdecl bsearch(const void *key, const void *base, size_t count,
                      size_t size,
                      int(__cdecl *compare)(const void *, const void *));

char *__cdecl _fullpath(char *absolute, const char *relative, size_t size);
#endif
