/*
 * dispatch.c - choose a kernel table by instruction set.
 *
 * The CPU is asked afresh at every choice (a few CPUID instructions, once
 * per session), so the library keeps no global state at all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "kernels/kernels.h"

#if defined(__x86_64__) || defined(_M_X64)
#define OM_X86_64 1
#if defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h>
#else
#include <cpuid.h>
#endif
#endif

/* Every table of this build, best first. */
static const om_kernels *const tables[] = {
#ifdef OM_HAVE_AVX512
    &om_kernels_avx512,
#endif
#ifdef OM_HAVE_AVX2
    &om_kernels_avx2,
#endif
#ifdef OM_HAVE_SSE2
    &om_kernels_sse2,
#endif
#ifdef OM_HAVE_NEON
    &om_kernels_neon,
#endif
    &om_kernels_scalar,
};

#define N_TABLES (sizeof tables / sizeof tables[0])

#ifdef OM_X86_64
static void cpuid(unsigned leaf, unsigned sub, unsigned r[4])
{
#if defined(_MSC_VER) && !defined(__clang__)
    int v[4];
    __cpuidex(v, (int)leaf, (int)sub);
    r[0] = (unsigned)v[0], r[1] = (unsigned)v[1];
    r[2] = (unsigned)v[2], r[3] = (unsigned)v[3];
#else
    __cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
#endif
}

/* The register state the operating system saves (XCR0). */
static unsigned long long xgetbv0(void)
{
#if defined(_MSC_VER) && !defined(__clang__)
    return _xgetbv(0);
#else
    unsigned eax, edx;
    __asm__ __volatile__("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
#endif
}

/* Whether this CPU and operating system run the table's instructions:
 * the CPUID feature bits, and for AVX and AVX-512 also that the system
 * saves the wider registers on a context switch (OSXSAVE, then XCR0). */
static int cpu_runs(const om_kernels *t)
{
    unsigned r1[4], r7[4] = {0, 0, 0, 0}, max_leaf[4];
    unsigned long long xcr0 = 0;
    int avx_state, avx512_state;

    if (t == &om_kernels_scalar || strcmp(t->isa, "sse2") == 0)
        return 1;                     /* SSE2 is part of x86-64 */
    cpuid(0, 0, max_leaf);
    cpuid(1, 0, r1);
    if (max_leaf[0] >= 7)
        cpuid(7, 0, r7);
    if (r1[2] & (1u << 27))           /* OSXSAVE */
        xcr0 = xgetbv0();
    avx_state = (xcr0 & 0x6) == 0x6;  /* XMM and YMM */
    avx512_state = avx_state && (xcr0 & 0xE0) == 0xE0; /* opmask, ZMM */

    if (strcmp(t->isa, "avx2") == 0)
        return avx_state && (r1[2] & (1u << 28)) /* AVX */ &&
               (r1[2] & (1u << 12)) /* FMA */ && (r7[1] & (1u << 5));
    if (strcmp(t->isa, "avx512") == 0)
        return avx512_state && (r1[2] & (1u << 12)) &&
               (r7[1] & (1u << 16)) /* AVX512F */;
    return 0;
}
#else
static int cpu_runs(const om_kernels *t)
{
    (void)t;
    return 1;
}
#endif

size_t onnxmini_isa_count(void)
{
    const om_kernels *t[N_TABLES];
    return om_kernels_available(t, N_TABLES);
}

const char *onnxmini_isa_name(size_t index)
{
    const om_kernels *t[N_TABLES];
    size_t n = om_kernels_available(t, N_TABLES);
    return index < n ? t[index]->isa : NULL;
}

size_t om_kernels_available(const om_kernels **out, size_t capacity)
{
    size_t i, n = 0;
    for (i = 0; i < N_TABLES && n < capacity; i++)
        if (cpu_runs(tables[i]))
            out[n++] = tables[i];
    return n;
}

onnxmini_status om_kernels_select(const char *isa, const om_kernels **out,
                                  onnxmini_error *err)
{
    char names[128] = "";
    size_t i, used = 0;

    if (!isa || !isa[0])
        isa = getenv("ONNXMINI_ISA");
    if (isa && !isa[0])
        isa = NULL;

    /* Without a request, the best table the CPU runs; the scalar one
     * always runs. */
    for (i = 0; i < N_TABLES; i++) {
        if (isa && strcmp(tables[i]->isa, isa) != 0)
            continue;
        if (cpu_runs(tables[i])) {
            *out = tables[i];
            return ONNXMINI_OK;
        }
        if (isa)
            return om_fail(err, ONNXMINI_ERR_UNSUPPORTED,
                           "instruction set '%s' is built in, but this CPU "
                           "or operating system does not support it",
                           isa);
    }
    for (i = 0; i < N_TABLES && used < sizeof names; i++)
        used += (size_t)snprintf(names + used, sizeof names - used, "%s%s",
                                 i ? ", " : "", tables[i]->isa);
    return om_fail(err, ONNXMINI_ERR_UNSUPPORTED,
                   "instruction set '%s' is not available in this build "
                   "(built in: %s)",
                   isa, names);
}
