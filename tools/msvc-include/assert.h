/* Stand-in for the UCRT's <assert.h>; see README. */
#undef assert
#ifdef NDEBUG
#define assert(expression) ((void)0)
#else
void __cdecl _assert(const char *message, const char *file, unsigned line);
#define assert(expression)                                                 \
    ((void)((!!(expression)) || (_assert(#expression, __FILE__, __LINE__), 0)))
#endif
