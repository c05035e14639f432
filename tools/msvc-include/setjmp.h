/* Stand-in for the UCRT's <setjmp.h>; see README. Clang's <intrin.h>
 * includes it for jmp_buf. */
#ifndef OM_STUB_SETJMP_H
#define OM_STUB_SETJMP_H
typedef struct _JBTYPE { unsigned __int64 part[2]; } _JBTYPE;
typedef _JBTYPE jmp_buf[16];
int __cdecl _setjmp(jmp_buf env);
#define setjmp(env) _setjmp(env)
__declspec(noreturn) void __cdecl longjmp(jmp_buf env, int value);
#endif
