/* Stand-in for the UCRT's <math.h>; see README. The classification macros
 * use Clang's builtins here; the UCRT implements them with _fdclass and
 * _dclass, with the same results. */
#ifndef OM_STUB_MATH_H
#define OM_STUB_MATH_H

#define HUGE_VAL __builtin_huge_val()
#define HUGE_VALF __builtin_huge_valf()
#define INFINITY __builtin_inff()
#define NAN __builtin_nanf("")

#define FP_INFINITE 1
#define FP_NAN 2
#define FP_NORMAL (-1)
#define FP_SUBNORMAL (-2)
#define FP_ZERO 0

#define fpclassify(x)                                                       \
    __builtin_fpclassify(FP_NAN, FP_INFINITE, FP_NORMAL, FP_SUBNORMAL,     \
                         FP_ZERO, (x))
#define isnan(x) __builtin_isnan(x)
#define isinf(x) __builtin_isinf(x)
#define isfinite(x) __builtin_isfinite(x)
#define signbit(x) __builtin_signbit(x)

#define OM_STUB_MATH_PAIR(name)                                             \
    double __cdecl name(double x);                                          \
    float __cdecl name##f(float x);
OM_STUB_MATH_PAIR(fabs)
OM_STUB_MATH_PAIR(sqrt)
OM_STUB_MATH_PAIR(exp)
OM_STUB_MATH_PAIR(log)
OM_STUB_MATH_PAIR(log2)
OM_STUB_MATH_PAIR(log10)
OM_STUB_MATH_PAIR(floor)
OM_STUB_MATH_PAIR(ceil)
OM_STUB_MATH_PAIR(round)
OM_STUB_MATH_PAIR(trunc)
OM_STUB_MATH_PAIR(rint)
OM_STUB_MATH_PAIR(nearbyint)
OM_STUB_MATH_PAIR(sin)
OM_STUB_MATH_PAIR(cos)
OM_STUB_MATH_PAIR(tan)
OM_STUB_MATH_PAIR(tanh)
OM_STUB_MATH_PAIR(erf)
#undef OM_STUB_MATH_PAIR

double __cdecl pow(double x, double y);
float __cdecl powf(float x, float y);
double __cdecl fmod(double x, double y);
float __cdecl fmodf(float x, float y);
double __cdecl fmax(double x, double y);
float __cdecl fmaxf(float x, float y);
double __cdecl fmin(double x, double y);
float __cdecl fminf(float x, float y);
double __cdecl copysign(double x, double y);
float __cdecl copysignf(float x, float y);
double __cdecl ldexp(double x, int exponent);
double __cdecl frexp(double x, int *exponent);
long __cdecl lrint(double x);
long __cdecl lrintf(float x);
long long __cdecl llrint(double x);
long long __cdecl llrintf(float x);
#endif
