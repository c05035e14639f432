/* Stand-in for the UCRT's <stdio.h>; see README. */
#ifndef OM_STUB_STDIO_H
#define OM_STUB_STDIO_H
#include <stdarg.h>
#include <stddef.h>

typedef struct _iobuf { void *_Placeholder; } FILE;
typedef __int64 fpos_t;

#define EOF (-1)
#define BUFSIZ 512
#define FILENAME_MAX 260
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2

FILE *__cdecl __acrt_iob_func(unsigned index);
#define stdin (__acrt_iob_func(0))
#define stdout (__acrt_iob_func(1))
#define stderr (__acrt_iob_func(2))

FILE *__cdecl fopen(const char *path, const char *mode);
int __cdecl fclose(FILE *stream);
int __cdecl fflush(FILE *stream);
size_t __cdecl fread(void *buffer, size_t size, size_t count, FILE *stream);
size_t __cdecl fwrite(const void *buffer, size_t size, size_t count,
                      FILE *stream);
int __cdecl fseek(FILE *stream, long offset, int origin);
long __cdecl ftell(FILE *stream);
int __cdecl _fseeki64(FILE *stream, __int64 offset, int origin);
__int64 __cdecl _ftelli64(FILE *stream);
void __cdecl rewind(FILE *stream);
int __cdecl ferror(FILE *stream);
int __cdecl feof(FILE *stream);
void __cdecl clearerr(FILE *stream);
int __cdecl fgetc(FILE *stream);
int __cdecl getc(FILE *stream);
char *__cdecl fgets(char *buffer, int size, FILE *stream);
int __cdecl fputc(int c, FILE *stream);
int __cdecl putc(int c, FILE *stream);
int __cdecl fputs(const char *s, FILE *stream);
int __cdecl puts(const char *s);
int __cdecl putchar(int c);
int __cdecl remove(const char *path);
int __cdecl rename(const char *from, const char *to);
FILE *__cdecl tmpfile(void);
void __cdecl perror(const char *message);

int __cdecl printf(const char *format, ...);
int __cdecl fprintf(FILE *stream, const char *format, ...);
int __cdecl sprintf(char *buffer, const char *format, ...);
int __cdecl snprintf(char *buffer, size_t size, const char *format, ...);
int __cdecl vprintf(const char *format, va_list args);
int __cdecl vfprintf(FILE *stream, const char *format, va_list args);
int __cdecl vsprintf(char *buffer, const char *format, va_list args);
int __cdecl vsnprintf(char *buffer, size_t size, const char *format,
                      va_list args);
int __cdecl sscanf(const char *buffer, const char *format, ...);
int __cdecl fscanf(FILE *stream, const char *format, ...);

FILE *__cdecl _popen(const char *command, const char *mode);
int __cdecl _pclose(FILE *stream);
int __cdecl _fileno(FILE *stream);
#endif
