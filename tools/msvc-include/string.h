/* Stand-in for the UCRT's <string.h>; see README. */
#ifndef OM_STUB_STRING_H
#define OM_STUB_STRING_H
#include <stddef.h>

void *__cdecl memcpy(void *to, const void *from, size_t size);
void *__cdecl memmove(void *to, const void *from, size_t size);
void *__cdecl memset(void *to, int value, size_t size);
int __cdecl memcmp(const void *a, const void *b, size_t size);
void *__cdecl memchr(const void *s, int c, size_t size);

size_t __cdecl strlen(const char *s);
size_t __cdecl strnlen(const char *s, size_t max_size);
int __cdecl strcmp(const char *a, const char *b);
int __cdecl strncmp(const char *a, const char *b, size_t size);
char *__cdecl strcpy(char *to, const char *from);
char *__cdecl strncpy(char *to, const char *from, size_t size);
char *__cdecl strcat(char *to, const char *from);
char *__cdecl strncat(char *to, const char *from, size_t size);
char *__cdecl strchr(const char *s, int c);
char *__cdecl strrchr(const char *s, int c);
char *__cdecl strstr(const char *s, const char *part);
size_t __cdecl strspn(const char *s, const char *accept);
size_t __cdecl strcspn(const char *s, const char *reject);
char *__cdecl strpbrk(const char *s, const char *accept);
char *__cdecl strtok(char *s, const char *delimiters);
char *__cdecl strerror(int code);
char *__cdecl _strdup(const char *s);
int __cdecl _stricmp(const char *a, const char *b);
#endif
