/*
 * test_kernels.c - every kernel table against the scalar reference.
 *
 * An internal-API test: it calls the kernel tables of kernels.h directly,
 * for every table that this build has and this CPU runs, so the SIMD code
 * is covered on whatever machine runs the suite. Elementwise kernels are
 * compared with om_kernels_scalar, the ground truth. GEMM results are
 * compared with om_f32_gemm_reference plus the epilogue computed here.
 *
 * Data are multiples of 1/4 in [-4, 4], so every product is a multiple of
 * 1/16 and every sum of up to 257 products stays below 2^24 / 16. All
 * these sums are exact in float whatever the order or FMA, so results
 * must match bit for bit in every instruction set.
 *
 * Outputs sit between guard elements that contain a sentinel bit pattern
 * and must stay untouched. In the tests named "reads within", each input
 * ends exactly where an inaccessible page starts, so an over-read faults
 * even without valgrind or a sanitizer.
 */

/* MAP_ANONYMOUS is a BSD and Linux extension, beyond POSIX.1-2008. */
#define _DEFAULT_SOURCE

#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "kernels/kernels.h"

/* More than the number of tables any build has. */
#define MAX_TABLES 8

/* Guard elements on each side of an output: 64 bytes, so an output keeps
 * its offset from a 64-byte boundary. */
#define GUARD 16

/* Bit pattern of the guard elements: a signalling NaN that no kernel
 * produces from the data here. */
#define SENTINEL_BITS 0x7fbadbadu

/* Alignment of test buffers: 64 bytes, the width of an AVX-512 register. */
#define ALIGNMENT 64

/* ------------------------------------------------------------- arena */

/* One allocation of a test: heap memory, or a mapping with an
 * inaccessible last page. */
typedef struct allocation {
    void *ptr;
    size_t map_bytes;                 /* 0 for heap memory */
} allocation;

/* Everything a test allocates, released by the teardown even when the
 * test fails half-way. */
typedef struct arena {
    allocation *items;
    size_t count, capacity;
} arena;

static int arena_setup(void **state)
{
    arena *pool = calloc(1, sizeof *pool);

    if (pool == NULL)
        return -1;
    *state = pool;
    return 0;
}

/* Frees the allocations made after the first `mark` ones. */
static void arena_release(arena *pool, size_t mark)
{
    while (pool->count > mark) {
        allocation *item = &pool->items[--pool->count];
        if (item->map_bytes)
            munmap(item->ptr, item->map_bytes);
        else
            free(item->ptr);
    }
}

static int arena_teardown(void **state)
{
    arena *pool = *state;

    arena_release(pool, 0);
    free(pool->items);
    free(pool);
    return 0;
}

static void arena_push(arena *pool, void *ptr, size_t map_bytes)
{
    if (pool->count == pool->capacity) {
        size_t capacity = pool->capacity ? 2 * pool->capacity : 64;
        allocation *items = realloc(pool->items, capacity * sizeof *items);
        assert_non_null(items);
        pool->items = items;
        pool->capacity = capacity;
    }
    pool->items[pool->count].ptr = ptr;
    pool->items[pool->count].map_bytes = map_bytes;
    pool->count++;
}

/* Allocates `bytes` (at least one) aligned to ALIGNMENT. */
static void *arena_aligned(arena *pool, size_t bytes)
{
    size_t rounded = (bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    void *p = aligned_alloc(ALIGNMENT, rounded ? rounded : ALIGNMENT);

    assert_non_null(p);
    arena_push(pool, p, 0);
    return p;
}

/* Allocates n floats that end exactly where an inaccessible page starts,
 * so that reading one float past the end faults. */
static float *arena_before_fault(arena *pool, size_t n)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t data = (n * sizeof(float) + page - 1) / page * page;
    char *base = mmap(NULL, data + page, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    assert_true(base != MAP_FAILED);
    arena_push(pool, base, data + page);
    assert_int_equal(mprotect(base + data, page, PROT_NONE), 0);
    return (float *)(void *)(base + data) - n;
}

/* ------------------------------------------------------------- faults */

/* The case that is running where a read may fault. cmocka reports SIGSEGV
 * as a failure that names only the test, so report_fault prints this. */
static char fault_case[224];
static void (*cmocka_handler)(int);

static void report_fault(int sig)
{
    static const char prefix[] = "read past an input in: ";
    ssize_t ignored;

    ignored = write(STDERR_FILENO, prefix, sizeof prefix - 1);
    ignored = write(STDERR_FILENO, fault_case, strlen(fault_case));
    ignored = write(STDERR_FILENO, "\n", 1);
    (void)ignored;
    if (cmocka_handler == SIG_DFL || cmocka_handler == SIG_IGN ||
        cmocka_handler == SIG_ERR) {
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    cmocka_handler(sig);
}

/* Makes a fault in the current test print fault_case. cmocka restores
 * its own handler after each test. */
static void watch_faults(void)
{
    fault_case[0] = '\0';
    cmocka_handler = signal(SIGSEGV, report_fault);
}

/* Names the case that runs next, for report_fault. */
static void set_fault_case(const char *context)
{
    snprintf(fault_case, sizeof fault_case, "%s", context);
}

/* ------------------------------------------------------------- data */

static uint32_t next_random(uint32_t *seed)
{
    *seed = *seed * 1664525u + 1013904223u;
    return *seed >> 8;
}

/* Returns a multiple of 1/4 in [-4, 4], which keeps every GEMM sum exact
 * (see the file comment). */
static float random_quarter(uint32_t *seed)
{
    return (float)((int)(next_random(seed) % 33u) - 16) / 4.0f;
}

static void fill_random(uint32_t *seed, float *x, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        x[i] = random_quarter(seed);
}

static uint32_t float_bits(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static void fill_sentinel(float *x, size_t n)
{
    const uint32_t bits = SENTINEL_BITS;
    size_t i;
    for (i = 0; i < n; i++)
        memcpy(&x[i], &bits, sizeof bits);
}

/* Whether two results agree: both NaN (the payload may differ between
 * instruction sets), or the same bits, so +0 and -0 differ. */
static int same_result(float got, float expected)
{
    if (isnan(got) || isnan(expected))
        return isnan(got) && isnan(expected);
    return float_bits(got) == float_bits(expected);
}

/* Fails unless got[0 .. n) matches expected. `context` names the
 * instruction set and the case. */
static void check_floats(const char *context, const float *got,
                         const float *expected, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (!same_result(got[i], expected[i]))
            fail_msg("%s: element %zu is %g (0x%08x), expected %g (0x%08x)",
                     context, i, (double)got[i], (unsigned)float_bits(got[i]),
                     (double)expected[i], (unsigned)float_bits(expected[i]));
}

/* Fails unless x[0 .. n) still contains the sentinel. */
static void check_sentinel(const char *context, const char *where,
                           const float *x, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (float_bits(x[i]) != SENTINEL_BITS)
            fail_msg("%s: %s element %zu was overwritten with %g", context,
                     where, i, (double)x[i]);
}

/* An output of n floats, `offset` floats past a 64-byte boundary, with
 * GUARD sentinel elements on each side. */
typedef struct guarded {
    float *base;
    float *data;
    size_t n, offset;
} guarded;

static guarded guarded_alloc(arena *pool, size_t n, size_t offset)
{
    guarded g;

    g.n = n;
    g.offset = offset;
    g.base = arena_aligned(pool, (2 * GUARD + offset + n) * sizeof(float));
    g.data = g.base + GUARD + offset;
    fill_sentinel(g.base, 2 * GUARD + offset + n);
    return g;
}

/* Fails unless the elements around the data still contain the
 * sentinel. */
static void check_guards(const char *context, const guarded *g)
{
    check_sentinel(context, "guard before the output", g->base,
                   GUARD + g->offset);
    check_sentinel(context, "guard after the output", g->data + g->n, GUARD);
}

/* ------------------------------------------------------------- tables */

/* The tables this build has and this CPU runs, best first. */
static size_t available_tables(const om_kernels **tables)
{
    size_t count = om_kernels_available(tables, MAX_TABLES);

    assert_true(count >= 1);
    /* A full array could mean that tables were cut off. */
    assert_true(count < MAX_TABLES);
    return count;
}

/* Lengths: every one up to 70 (below, at and above every vector width and
 * their multiples), then larger ones around powers of two. */
static const size_t long_lengths[] = {100, 127, 128, 129, 255, 256, 257, 1000};
#define N_LENGTHS (71 + sizeof long_lengths / sizeof long_lengths[0])

static size_t length_at(size_t index)
{
    return index <= 70 ? index : long_lengths[index - 71];
}

/* MaxPool strides: 1 and 2 have their own SIMD paths, larger ones take
 * other paths or the scalar loop. */
static const size_t strides[] = {1, 2, 3, 4, 7};
#define N_STRIDES (sizeof strides / sizeof strides[0])

/* ------------------------------------------------------------- relu */

/* Runs the relu of one table on n random values, x and y at the given
 * offsets from a 64-byte boundary (x == y when in_place), and compares the
 * result and the guards with the scalar table's. */
static void relu_case(arena *pool, const om_kernels *t, size_t n,
                      size_t x_offset, size_t y_offset, int in_place,
                      uint32_t *seed)
{
    size_t mark = pool->count;
    guarded y = guarded_alloc(pool, n, y_offset);
    float *x = in_place ? y.data : (float *)arena_aligned(
                   pool, (x_offset + n) * sizeof(float)) + x_offset;
    float *expected = arena_aligned(pool, n * sizeof(float));
    char context[160];

    fill_random(seed, x, n);
    om_kernels_scalar.f32_relu(n, x, expected);
    t->f32_relu(n, x, y.data);

    snprintf(context, sizeof context, "%s: relu n=%zu x+%zu y+%zu%s", t->isa,
             n, x_offset, y_offset, in_place ? " in place" : "");
    check_floats(context, y.data, expected, n);
    check_guards(context, &y);
    arena_release(pool, mark);
}

/* Ensures relu matches the scalar table at every length, on aligned data. */
static void test_relu_lengths_match_scalar(void **state)
{
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t, s;
    uint32_t seed = 1;

    for (t = 0; t < count; t++)
        for (s = 0; s < N_LENGTHS; s++)
            relu_case(*state, tables[t], length_at(s), 0, 0, 0, &seed);
}

/* Ensures relu matches the scalar table on pointers 1 to 3 floats past a
 * 64-byte boundary. */
static void test_relu_unaligned_matches_scalar(void **state)
{
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t, s, xo, yo;
    uint32_t seed = 2;

    for (t = 0; t < count; t++)
        for (s = 0; s < N_LENGTHS; s++)
            for (xo = 0; xo <= 3; xo++)
                for (yo = 1; yo <= 3; yo++)
                    relu_case(*state, tables[t], length_at(s), xo, yo, 0,
                              &seed);
}

/* Ensures relu with x == y gives the same values as into a separate
 * output. */
static void test_relu_in_place_matches_scalar(void **state)
{
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t, s, o;
    uint32_t seed = 3;

    for (t = 0; t < count; t++)
        for (s = 0; s < N_LENGTHS; s++)
            for (o = 0; o <= 3; o++)
                relu_case(*state, tables[t], length_at(s), o, o, 1, &seed);
}

/* Special values, and ordinary ones to mix with them. */
static const float specials[] = {NAN,   -0.0f, INFINITY, -INFINITY,
                                 -1.5f, 2.25f, -NAN};
#define N_SPECIALS (sizeof specials / sizeof specials[0])

/* Fills x with the special values repeated, so each value lands in every
 * lane of a vector body and in the scalar or masked tail. */
static void fill_specials(float *x, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        x[i] = specials[i % N_SPECIALS];
}

/* Ensures NaN stays NaN, +inf stays, -inf becomes 0, and -0.0 keeps the
 * sign that the scalar table gives it, in body and tail. */
static void test_relu_special_values(void **state)
{
    arena *pool = *state;
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t, n, i;
    float x[70], expected[70], scalar_zero, zero_in = -0.0f;
    char context[96];

    /* The scalar table's -0.0 is the reference for the sign of a zero, so
     * that a result does not depend on the CPU. */
    om_kernels_scalar.f32_relu(1, &zero_in, &scalar_zero);
    assert_true(scalar_zero == 0.0f);

    for (t = 0; t < count; t++)
        for (n = 1; n <= 70; n++) {
            size_t mark = pool->count;
            guarded out = guarded_alloc(pool, n, 0);

            fill_specials(x, n);
            for (i = 0; i < n; i++) {
                if (isnan(x[i]))
                    expected[i] = x[i];
                else if (x[i] == 0.0f)
                    expected[i] = scalar_zero;
                else
                    expected[i] = x[i] > 0.0f ? x[i] : 0.0f;
            }
            tables[t]->f32_relu(n, x, out.data);

            snprintf(context, sizeof context,
                     "%s: relu of special values n=%zu", tables[t]->isa, n);
            check_floats(context, out.data, expected, n);
            check_guards(context, &out);
            arena_release(pool, mark);
        }
}

/* Ensures relu reads no float past x[n - 1]: x ends at an inaccessible
 * page. */
static void test_relu_reads_within_input(void **state)
{
    arena *pool = *state;
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t, s;
    uint32_t seed = 4;

    watch_faults();
    for (t = 0; t < count; t++)
        for (s = 0; s < N_LENGTHS; s++) {
            size_t n = length_at(s), mark = pool->count;
            float *x = arena_before_fault(pool, n);
            float *y = arena_aligned(pool, n * sizeof(float));
            float *expected = arena_aligned(pool, n * sizeof(float));
            char context[96];

            fill_random(&seed, x, n);
            om_kernels_scalar.f32_relu(n, x, expected);
            snprintf(context, sizeof context,
                     "%s: relu n=%zu before a guard page", tables[t]->isa, n);
            set_fault_case(context);
            tables[t]->f32_relu(n, x, y);

            check_floats(context, y, expected, n);
            arena_release(pool, mark);
        }
}

/* ------------------------------------------------------------- add */

/* Where add's output goes. */
enum add_output { ADD_SEPARATE, ADD_INTO_A, ADD_INTO_B };

/* Runs one table's add of n elements with the given steps and pointer
 * offsets, and compares the result and the guards with the scalar
 * table's. A step-0 operand is one float. */
static void add_case(arena *pool, const om_kernels *t, size_t n, size_t step_a,
                     size_t step_b, size_t offset, enum add_output output,
                     uint32_t *seed)
{
    size_t mark = pool->count;
    size_t len_a = step_a ? n : 1, len_b = step_b ? n : 1;
    guarded y = guarded_alloc(pool, n, offset);
    float *in_a, *in_b, *copy_a, *copy_b, *expected;
    char context[160];

    /* An operand that is also the output lives in y's buffer. The offsets
     * of a and b differ from y's so that the three are unaligned to each
     * other too. */
    in_a = output == ADD_INTO_A ? y.data : (float *)arena_aligned(
               pool, (len_a + 3) * sizeof(float)) + (offset + 1) % 4;
    in_b = output == ADD_INTO_B ? y.data : (float *)arena_aligned(
               pool, (len_b + 3) * sizeof(float)) + (offset + 2) % 4;
    fill_random(seed, in_a, len_a);
    fill_random(seed, in_b, len_b);

    /* The scalar table works on copies, as the operand may be
     * overwritten. */
    copy_a = arena_aligned(pool, len_a * sizeof(float));
    copy_b = arena_aligned(pool, len_b * sizeof(float));
    expected = arena_aligned(pool, n * sizeof(float));
    memcpy(copy_a, in_a, len_a * sizeof(float));
    memcpy(copy_b, in_b, len_b * sizeof(float));
    om_kernels_scalar.f32_add(n, copy_a, step_a, copy_b, step_b, expected);

    t->f32_add(n, in_a, step_a, in_b, step_b, y.data);

    snprintf(context, sizeof context,
             "%s: add n=%zu steps (%zu, %zu) offset %zu%s", t->isa, n, step_a,
             step_b, offset,
             output == ADD_INTO_A   ? " into a"
             : output == ADD_INTO_B ? " into b"
                                    : "");
    check_floats(context, y.data, expected, n);
    check_guards(context, &y);
    arena_release(pool, mark);
}

/* Runs add_case for every table and length with the given steps, on
 * aligned and unaligned outputs. */
static void add_all_lengths(arena *pool, size_t step_a, size_t step_b,
                            size_t max_offset, enum add_output output,
                            uint32_t seed)
{
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t, s, o;

    for (t = 0; t < count; t++)
        for (s = 0; s < N_LENGTHS; s++)
            for (o = 0; o <= max_offset; o++)
                add_case(pool, tables[t], length_at(s), step_a, step_b, o,
                         output, &seed);
}

/* Ensures add of two vectors, steps (1, 1), matches the scalar table. */
static void test_add_both_vectors_match_scalar(void **state)
{
    add_all_lengths(*state, 1, 1, 0, ADD_SEPARATE, 10);
}

/* Ensures add of a vector and a broadcast b, steps (1, 0), matches the
 * scalar table. */
static void test_add_broadcast_b_matches_scalar(void **state)
{
    add_all_lengths(*state, 1, 0, 0, ADD_SEPARATE, 11);
}

/* Ensures add of a broadcast a and a vector, steps (0, 1), matches the
 * scalar table. */
static void test_add_broadcast_a_matches_scalar(void **state)
{
    add_all_lengths(*state, 0, 1, 0, ADD_SEPARATE, 12);
}

/* Ensures add of two broadcast values, steps (0, 0), fills all n outputs
 * like the scalar table. */
static void test_add_both_broadcast_match_scalar(void **state)
{
    add_all_lengths(*state, 0, 0, 0, ADD_SEPARATE, 13);
}

/* Ensures add matches the scalar table with every step combination on
 * pointers 1 to 3 floats past a 64-byte boundary. */
static void test_add_unaligned_matches_scalar(void **state)
{
    add_all_lengths(*state, 1, 1, 3, ADD_SEPARATE, 14);
    add_all_lengths(*state, 1, 0, 3, ADD_SEPARATE, 15);
    add_all_lengths(*state, 0, 1, 3, ADD_SEPARATE, 16);
    add_all_lengths(*state, 0, 0, 3, ADD_SEPARATE, 17);
}

/* Ensures add with y == a (step_a 1) matches the scalar table, with b a
 * vector or a broadcast value. */
static void test_add_in_place_on_a(void **state)
{
    add_all_lengths(*state, 1, 1, 3, ADD_INTO_A, 18);
    add_all_lengths(*state, 1, 0, 3, ADD_INTO_A, 19);
}

/* Ensures add with y == b (step_b 1) matches the scalar table, with a a
 * vector or a broadcast value. */
static void test_add_in_place_on_b(void **state)
{
    add_all_lengths(*state, 1, 1, 3, ADD_INTO_B, 20);
    add_all_lengths(*state, 0, 1, 3, ADD_INTO_B, 21);
}

/* Ensures NaN and infinities follow IEEE addition in every step
 * combination: NaN wins, inf + -inf is NaN, -0 + -0 is -0. */
static void test_add_special_values(void **state)
{
    arena *pool = *state;
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t, n, i, c, v;
    static const size_t steps[4][2] = {{1, 1}, {1, 0}, {0, 1}, {0, 0}};
    float x[70], z[70], expected[70];
    char context[128];

    /* b[i] is specials[i / N_SPECIALS], so for n >= 49 every pair of
     * special values is added once with steps (1, 1). */
    fill_specials(x, 70);
    for (i = 0; i < 70; i++)
        z[i] = specials[i / N_SPECIALS % N_SPECIALS];

    for (t = 0; t < count; t++)
        for (c = 0; c < 4; c++)
            for (n = 1; n <= 70; n++)
                /* A step-0 operand takes each special value in turn. */
                for (v = 0; v < N_SPECIALS; v++) {
                    size_t sa = steps[c][0], sb = steps[c][1];
                    size_t mark = pool->count;
                    const float *in_a = sa ? x : &specials[v];
                    const float *in_b =
                        sb ? z : &specials[(v + 3) % N_SPECIALS];
                    guarded out;

                    /* With two vectors, one pass covers every pair. */
                    if (sa && sb && v > 0)
                        break;
                    out = guarded_alloc(pool, n, 0);
                    for (i = 0; i < n; i++)
                        expected[i] = in_a[i * sa] + in_b[i * sb];
                    tables[t]->f32_add(n, in_a, sa, in_b, sb, out.data);

                    snprintf(context, sizeof context,
                             "%s: add of special values n=%zu steps (%zu, "
                             "%zu), broadcast value %zu",
                             tables[t]->isa, n, sa, sb, v);
                    check_floats(context, out.data, expected, n);
                    check_guards(context, &out);
                    arena_release(pool, mark);
                }
}

/* Ensures add reads only a[0 .. n) and b[0 .. n) for step 1 and only a[0]
 * or b[0] for step 0: each operand ends at an inaccessible page. */
static void test_add_reads_within_inputs(void **state)
{
    arena *pool = *state;
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t, s, c;
    static const size_t steps[4][2] = {{1, 1}, {1, 0}, {0, 1}, {0, 0}};
    uint32_t seed = 22;

    watch_faults();
    for (t = 0; t < count; t++)
        for (c = 0; c < 4; c++)
            for (s = 0; s < N_LENGTHS; s++) {
                size_t n = length_at(s), mark = pool->count;
                size_t sa = steps[c][0], sb = steps[c][1];
                size_t len_a = sa ? n : 1, len_b = sb ? n : 1;
                float *in_a = arena_before_fault(pool, len_a);
                float *in_b = arena_before_fault(pool, len_b);
                float *y = arena_aligned(pool, n * sizeof(float));
                float *expected = arena_aligned(pool, n * sizeof(float));
                char context[128];

                fill_random(&seed, in_a, len_a);
                fill_random(&seed, in_b, len_b);
                om_kernels_scalar.f32_add(n, in_a, sa, in_b, sb, expected);
                snprintf(context, sizeof context,
                         "%s: add n=%zu steps (%zu, %zu) before guard pages",
                         tables[t]->isa, n, sa, sb);
                set_fault_case(context);
                tables[t]->f32_add(n, in_a, sa, in_b, sb, y);

                check_floats(context, y, expected, n);
                arena_release(pool, mark);
            }
}

/* ------------------------------------------------------------- max */

/* The geometry of one f32_max_window call over a 2-D input. */
typedef struct window_shape {
    size_t n;                         /* outputs */
    size_t stride, dilation;          /* in input columns */
    size_t rows, cols;                /* window size */
    size_t pad;                       /* NaN columns ending each input row */
} window_shape;

/* Input row stride: what the windows of one row span, plus the pad. */
static size_t window_row_stride(const window_shape *w)
{
    size_t span = (w->n ? (w->n - 1) * w->stride : 0) +
                  (w->cols - 1) * w->dilation + 1;
    return span + w->pad;
}

/* Floats from x[0] to the last element of the last window, the part of
 * the input that the kernel may read. */
static size_t window_input_length(const window_shape *w)
{
    if (w->n == 0)
        return 0;
    return (w->rows - 1) * window_row_stride(w) + (w->n - 1) * w->stride +
           (w->cols - 1) * w->dilation + 1;
}

/* Fills the input with random values and the pad of every row but the
 * last with NaN, so that a kernel that uses a value outside its windows
 * gives NaN and fails the comparison. */
static void fill_window_input(uint32_t *seed, float *x, const window_shape *w)
{
    size_t row_stride = window_row_stride(w), r, q;

    fill_random(seed, x, window_input_length(w));
    if (w->n == 0)
        return;
    for (r = 0; r + 1 < w->rows; r++)
        for (q = row_stride - w->pad; q < row_stride; q++)
            x[r * row_stride + q] = NAN;
}

static void call_max_window(const om_kernels *t, const window_shape *w,
                            const float *x, float *y)
{
    t->f32_max_window(w->n, x, window_row_stride(w), w->rows, w->cols,
                      w->stride, w->dilation, y);
}

static void describe_window(char *out, size_t size, const char *isa,
                            const char *label, const window_shape *w)
{
    snprintf(out, size,
             "%s: max_window %s n=%zu stride %zu window %zux%zu dilation %zu "
             "row pad %zu",
             isa, label, w->n, w->stride, w->rows, w->cols, w->dilation,
             w->pad);
}

/* Runs one table's f32_max_window on a random input at x_offset floats
 * past a 64-byte boundary, into y at y_offset, and compares the result and
 * the guards with the scalar table's. */
static void max_window_case(arena *pool, const om_kernels *t,
                            const window_shape *w, size_t x_offset,
                            size_t y_offset, uint32_t *seed)
{
    size_t mark = pool->count, len = window_input_length(w);
    guarded y = guarded_alloc(pool, w->n, y_offset);
    float *x = (float *)arena_aligned(pool, (len + x_offset) * sizeof(float)) +
               x_offset;
    float *expected = arena_aligned(pool, w->n * sizeof(float));
    char context[192], label[32];

    fill_window_input(seed, x, w);
    call_max_window(&om_kernels_scalar, w, x, expected);
    call_max_window(t, w, x, y.data);

    snprintf(label, sizeof label, "x+%zu y+%zu", x_offset, y_offset);
    describe_window(context, sizeof context, t->isa, label, w);
    check_floats(context, y.data, expected, w->n);
    check_guards(context, &y);
    arena_release(pool, mark);
}

/* Largest window side in most tests: MaxPool in common models uses 2x2 or
 * 3x3 windows. */
#define MAX_WINDOW 3

/* Ensures f32_max_window matches the scalar table for every length,
 * stride, window of up to 3x3 and dilation 1 or 2, on aligned data. */
static void test_max_window_lengths_match_scalar(void **state)
{
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t, s, r;
    uint32_t seed = 30;
    window_shape w;

    for (t = 0; t < count; t++)
        for (r = 0; r < N_STRIDES; r++)
            for (w.rows = 1; w.rows <= MAX_WINDOW; w.rows++)
                for (w.cols = 1; w.cols <= MAX_WINDOW; w.cols++)
                    for (w.dilation = 1; w.dilation <= 2; w.dilation++)
                        for (s = 0; s < N_LENGTHS; s++) {
                            w.n = length_at(s);
                            w.stride = strides[r];
                            w.pad = w.rows > 1 ? 2 : 0;
                            max_window_case(*state, tables[t], &w, 0, 0,
                                            &seed);
                        }
}

/* Ensures input rows that follow each other without a gap (row stride
 * equal to the span of the windows) give the scalar table's result. */
static void test_max_window_adjacent_rows_match_scalar(void **state)
{
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t, s, r;
    uint32_t seed = 31;
    window_shape w;

    w.rows = 3;
    w.cols = 2;
    w.dilation = 1;
    w.pad = 0;
    for (t = 0; t < count; t++)
        for (r = 0; r < N_STRIDES; r++)
            for (s = 0; s < N_LENGTHS; s++) {
                w.n = length_at(s);
                w.stride = strides[r];
                max_window_case(*state, tables[t], &w, 0, 0, &seed);
            }
}

/* Ensures windows 15 to 17 columns wide, around the 16 lanes of an
 * AVX-512 register, match the scalar table. */
static void test_max_window_wide_windows_match_scalar(void **state)
{
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t, r;
    uint32_t seed = 32;
    window_shape w;

    for (t = 0; t < count; t++)
        for (r = 0; r < N_STRIDES; r++)
            for (w.rows = 1; w.rows <= 2; w.rows++)
                for (w.cols = 15; w.cols <= 17; w.cols++)
                    for (w.n = 0; w.n <= 40; w.n++) {
                        w.stride = strides[r];
                        w.dilation = 1;
                        w.pad = 2;
                        max_window_case(*state, tables[t], &w, 0, 0, &seed);
                    }
}

/* Ensures f32_max_window matches the scalar table on pointers 1 to 3
 * floats past a 64-byte boundary. */
static void test_max_window_unaligned_matches_scalar(void **state)
{
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t, s, r, xo, yo;
    uint32_t seed = 33;
    window_shape w;

    w.rows = 2;
    w.cols = 3;
    w.dilation = 1;
    w.pad = 2;
    for (t = 0; t < count; t++)
        for (r = 0; r < N_STRIDES; r++)
            for (s = 0; s < N_LENGTHS; s++)
                for (xo = 0; xo <= 3; xo++)
                    for (yo = 1; yo <= 3; yo++) {
                        w.n = length_at(s);
                        w.stride = strides[r];
                        max_window_case(*state, tables[t], &w, xo, yo, &seed);
                    }
}

/* Returns the maximum of one window by the definition in kernels.h: NaN
 * when the window contains a NaN, else the largest value. */
static float window_max_by_definition(const float *x, const window_shape *w,
                                      size_t i)
{
    size_t row_stride = window_row_stride(w), r, c;
    float m = -INFINITY;

    for (r = 0; r < w->rows; r++)
        for (c = 0; c < w->cols; c++) {
            float v = x[r * row_stride + i * w->stride + c * w->dilation];
            if (isnan(v))
                return v;
            if (v > m)
                m = v;
        }
    return m;
}

/* Runs every table on inputs where `special` replaces every `period`-th
 * element (and -special every period + 1-th when `both_signs`), and
 * compares with the definition. */
static void max_window_specials(arena *pool, float special, size_t period,
                                int both_signs, const char *label,
                                uint32_t seed)
{
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t, r, i;
    window_shape w;

    w.dilation = 1;
    w.pad = 0;
    for (t = 0; t < count; t++)
        for (r = 0; r < N_STRIDES; r++)
            for (w.rows = 1; w.rows <= 2; w.rows++)
                for (w.cols = 1; w.cols <= 2; w.cols++)
                    for (w.n = 1; w.n <= 70; w.n++) {
                        size_t mark = pool->count, len;
                        guarded y;
                        float *x, *expected;
                        char context[192];

                        w.stride = strides[r];
                        len = window_input_length(&w);
                        y = guarded_alloc(pool, w.n, 0);
                        x = arena_aligned(pool, len * sizeof(float));
                        expected = arena_aligned(pool, w.n * sizeof(float));

                        fill_window_input(&seed, x, &w);
                        for (i = 0; i < len; i++) {
                            if (i % period == period - 1)
                                x[i] = special;
                            if (both_signs && i % (period + 1) == period)
                                x[i] = -special;
                        }
                        for (i = 0; i < w.n; i++)
                            expected[i] = window_max_by_definition(x, &w, i);
                        call_max_window(tables[t], &w, x, y.data);

                        describe_window(context, sizeof context,
                                        tables[t]->isa, label, &w);
                        check_floats(context, y.data, expected, w.n);
                        check_guards(context, &y);
                        arena_release(pool, mark);
                    }
}

/* Ensures a window containing a NaN gives NaN, wherever the NaN sits in
 * the window and in the vector. */
static void test_max_window_nan_gives_nan(void **state)
{
    /* Every 11th element is NaN and every 12th -NaN, so windows with and
     * without a NaN occur in every lane. */
    max_window_specials(*state, NAN, 11, 1, "with NaN", 34);
}

/* Ensures +inf wins over every value and -inf loses to every value. */
static void test_max_window_infinities(void **state)
{
    max_window_specials(*state, INFINITY, 7, 1, "with infinities", 35);
}

/* Ensures a window of zeros of either sign gives a zero. The sign is not
 * checked, because ONNX MaxPool leaves it open. */
static void test_max_window_signed_zeros(void **state)
{
    arena *pool = *state;
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t, r, i;
    window_shape w;

    w.rows = 2;
    w.cols = 2;
    w.dilation = 1;
    w.pad = 0;
    for (t = 0; t < count; t++)
        for (r = 0; r < N_STRIDES; r++)
            for (w.n = 1; w.n <= 70; w.n++) {
                size_t mark = pool->count, len;
                float *x, *y;

                w.stride = strides[r];
                len = window_input_length(&w);
                x = arena_aligned(pool, len * sizeof(float));
                y = arena_aligned(pool, w.n * sizeof(float));
                for (i = 0; i < len; i++)
                    x[i] = i % 3 ? -0.0f : 0.0f;
                call_max_window(tables[t], &w, x, y);

                for (i = 0; i < w.n; i++)
                    if (y[i] != 0.0f)
                        fail_msg("%s: max_window of zeros n=%zu stride %zu: "
                                 "element %zu is %g, expected a zero",
                                 tables[t]->isa, w.n, w.stride, i,
                                 (double)y[i]);
                arena_release(pool, mark);
            }
}

/* Ensures f32_max_window reads nothing past the last element of the last
 * window: the input ends at an inaccessible page there. */
static void test_max_window_reads_within_input(void **state)
{
    arena *pool = *state;
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t, r, s;
    uint32_t seed = 36;
    window_shape w;

    watch_faults();
    w.pad = 1;
    for (t = 0; t < count; t++)
        for (r = 0; r < N_STRIDES; r++)
            for (w.rows = 1; w.rows <= 2; w.rows++)
                for (w.cols = 1; w.cols <= MAX_WINDOW; w.cols++)
                    for (w.dilation = 1; w.dilation <= 2; w.dilation++)
                        for (s = 0; s < N_LENGTHS; s++) {
                            size_t mark = pool->count, len;
                            float *x, *y, *expected;
                            char context[192];

                            w.n = length_at(s);
                            w.stride = strides[r];
                            len = window_input_length(&w);
                            x = arena_before_fault(pool, len);
                            y = arena_aligned(pool, w.n * sizeof(float));
                            expected = arena_aligned(pool,
                                                     w.n * sizeof(float));

                            fill_window_input(&seed, x, &w);
                            call_max_window(&om_kernels_scalar, &w, x,
                                            expected);
                            describe_window(context, sizeof context,
                                            tables[t]->isa,
                                            "before a guard page", &w);
                            set_fault_case(context);
                            call_max_window(tables[t], &w, x, y);

                            check_floats(context, y, expected, w.n);
                            arena_release(pool, mark);
                        }
}

/* ------------------------------------------------------------- tiled max pool */

/* The geometry of one f32_max_pool_tiled call. Input rows are
 * out_w * kernel_w + gap floats long, and planes are separated by `gap`
 * floats, so that the input has elements outside the windows. Outputs are
 * laid out the same way with gaps of y_gap floats. */
typedef struct tiled_shape {
    size_t planes, out_h, out_w;
    size_t kernel_h, kernel_w;
    size_t stride_h;                  /* input rows between pooling rows */
    size_t dilation_h;                /* input rows between window rows */
    size_t gap, y_gap;
} tiled_shape;

/* The kernel parameters of a shape. */
static om_max_pool_tiled_params tiled_params(const tiled_shape *s)
{
    om_max_pool_tiled_params p;
    size_t in_w = s->out_w * s->kernel_w + s->gap;
    size_t in_h = s->out_h == 0 ? 0
                                : (s->out_h - 1) * s->stride_h +
                                      (s->kernel_h - 1) * s->dilation_h + 1;

    p.planes = s->planes;
    p.out_h = s->out_h;
    p.out_w = s->out_w;
    p.kernel_h = s->kernel_h;
    p.kernel_w = s->kernel_w;
    p.x_plane = in_h * in_w + s->gap;
    p.x_out_row = s->stride_h * in_w;
    p.x_window_row = s->dilation_h * in_w;
    p.y_row = s->out_w + s->y_gap;
    p.y_plane = s->out_h * p.y_row + s->y_gap;
    return p;
}

/* Floats from x[0] to the last element of the last window, the part of
 * the input that the kernel may read. */
static size_t tiled_input_length(const tiled_shape *s)
{
    om_max_pool_tiled_params p = tiled_params(s);

    if (s->planes == 0 || s->out_h == 0 || s->out_w == 0)
        return 0;
    return (s->planes - 1) * p.x_plane + (s->out_h - 1) * p.x_out_row +
           (s->kernel_h - 1) * p.x_window_row + s->out_w * s->kernel_w;
}

/* Floats from y[0] to the last output. */
static size_t tiled_output_length(const tiled_shape *s)
{
    om_max_pool_tiled_params p = tiled_params(s);

    if (s->planes == 0 || s->out_h == 0 || s->out_w == 0)
        return 0;
    return (s->planes - 1) * p.y_plane + (s->out_h - 1) * p.y_row + s->out_w;
}

/* Offset of element (r, c) of window (plane, i, j) in the input. */
static size_t tiled_offset(const om_max_pool_tiled_params *p, size_t plane,
                           size_t i, size_t j, size_t r, size_t c)
{
    return plane * p->x_plane + i * p->x_out_row + r * p->x_window_row +
           j * p->kernel_w + c;
}

/* Fills the input with NaN, then every window element with a random
 * value, so that a kernel that uses an element outside the windows gives
 * NaN and fails the comparison. */
static void fill_tiled_input(uint32_t *seed, float *x, const tiled_shape *s)
{
    om_max_pool_tiled_params p = tiled_params(s);
    size_t len = tiled_input_length(s), plane, i, j, r, c;

    for (j = 0; j < len; j++)
        x[j] = NAN;
    for (plane = 0; plane < s->planes; plane++)
        for (i = 0; i < s->out_h; i++)
            for (j = 0; j < s->out_w; j++)
                for (r = 0; r < s->kernel_h; r++)
                    for (c = 0; c < s->kernel_w; c++)
                        x[tiled_offset(&p, plane, i, j, r, c)] =
                            random_quarter(seed);
}

/* Returns the maximum of one window by the definition in kernels.h: the
 * first NaN in column-major order when there is one, else the last of
 * the largest elements in column-major order (which decides the sign of
 * a zero). */
static float tiled_max_by_definition(const float *x,
                                     const om_max_pool_tiled_params *p,
                                     size_t plane, size_t i, size_t j)
{
    float best = -INFINITY;
    size_t r, c;
    int found = 0;

    for (c = 0; c < p->kernel_w; c++)
        for (r = 0; r < p->kernel_h; r++) {
            float v = x[tiled_offset(p, plane, i, j, r, c)];
            if (isnan(v))
                return v;
            if (!found || v >= best) {
                best = v;
                found = 1;
            }
        }
    return best;
}

static void describe_tiled(char *out, size_t size, const char *isa,
                           const char *label, const tiled_shape *s)
{
    snprintf(out, size,
             "%s: max_pool_tiled %s planes %zu rows %zu columns %zu "
             "window %zux%zu stride_h %zu dilation_h %zu gap %zu",
             isa, label, s->planes, s->out_h, s->out_w, s->kernel_h,
             s->kernel_w, s->stride_h, s->dilation_h, s->gap);
}

/* Runs one table on x into a buffer of sentinels y_offset floats past a
 * 64-byte boundary, and compares every output with the definition, bit
 * for bit when `exact_nan` is set and with any NaN matching any NaN
 * otherwise. The gaps between outputs and the guards must keep the
 * sentinel. */
static void check_tiled(arena *pool, const om_kernels *t, const tiled_shape *s,
                        const float *x, size_t y_offset, int exact_nan,
                        const char *label)
{
    om_max_pool_tiled_params p = tiled_params(s);
    size_t mark = pool->count, plane, i, j;
    guarded y = guarded_alloc(pool, tiled_output_length(s), y_offset);
    char context[224];

    describe_tiled(context, sizeof context, t->isa, label, s);
    t->f32_max_pool_tiled(x, &p, y.data);
    check_guards(context, &y);

    for (plane = 0; plane < s->planes; plane++)
        for (i = 0; i < s->out_h; i++) {
            const float *out = y.data + plane * p.y_plane + i * p.y_row;
            for (j = 0; j < s->out_w; j++) {
                float expected = tiled_max_by_definition(x, &p, plane, i, j);
                int same = exact_nan
                               ? float_bits(out[j]) == float_bits(expected)
                               : same_result(out[j], expected);
                if (!same)
                    fail_msg("%s: plane %zu row %zu output %zu is %g "
                             "(0x%08x), expected %g (0x%08x)",
                             context, plane, i, j, (double)out[j],
                             (unsigned)float_bits(out[j]), (double)expected,
                             (unsigned)float_bits(expected));
            }
            /* The output gap after this row, when there is a next row. */
            if (plane + 1 < s->planes || i + 1 < s->out_h)
                check_sentinel(context, "gap after an output row",
                               out + s->out_w, s->y_gap);
        }
    arena_release(pool, mark);
}

/* Runs one table on a random input at x_offset floats past a 64-byte
 * boundary and checks it (see check_tiled). */
static void tiled_case(arena *pool, const om_kernels *t, const tiled_shape *s,
                       size_t x_offset, size_t y_offset, uint32_t *seed)
{
    size_t mark = pool->count, len = tiled_input_length(s);
    float *x = (float *)arena_aligned(pool, (len + x_offset) * sizeof(float)) +
               x_offset;

    fill_tiled_input(seed, x, s);
    check_tiled(pool, t, s, x, y_offset, 0, "random");
    arena_release(pool, mark);
}

/* Returns a shape of `planes` planes of `out_h` pooling rows whose
 * vertical stride is kernel_h and whose vertical dilation is 1. */
static tiled_shape tiled_plain(size_t planes, size_t out_h, size_t out_w,
                               size_t kernel_h, size_t kernel_w)
{
    tiled_shape s;

    s.planes = planes;
    s.out_h = out_h;
    s.out_w = out_w;
    s.kernel_h = kernel_h;
    s.kernel_w = kernel_w;
    s.stride_h = kernel_h;
    s.dilation_h = 1;
    s.gap = 3;
    s.y_gap = 2;
    return s;
}

/* Widest window in the tests: the SIMD tables have paths for 1 to 4
 * columns and hand wider windows to the scalar table. */
#define MAX_TILED_WIDTH 5

/* Ensures every table, the scalar one included, follows the definition
 * for every row length, window of up to 3 x 5 and two planes of two
 * rows, on aligned data. */
static void test_max_pool_tiled_lengths_match_definition(void **state)
{
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t, s, kh, kw;
    uint32_t seed = 40;

    for (t = 0; t < count; t++)
        for (kh = 1; kh <= 3; kh++)
            for (kw = 1; kw <= MAX_TILED_WIDTH; kw++)
                for (s = 0; s < N_LENGTHS; s++) {
                    tiled_shape shape =
                        tiled_plain(2, 2, length_at(s), kh, kw);
                    tiled_case(*state, tables[t], &shape, 0, 0, &seed);
                }
}

/* Ensures vertical strides and dilations other than the window height,
 * and planes of one output row, follow the definition. */
static void test_max_pool_tiled_row_steps_match_definition(void **state)
{
    static const size_t steps[][2] = {{1, 1}, {1, 2}, {2, 1}, {3, 2},
                                      {4, 1}};
    static const size_t widths[] = {1, 7, 15, 16, 17, 33};
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t, k, w, kh, kw, h;
    uint32_t seed = 41;

    for (t = 0; t < count; t++)
        for (k = 0; k < sizeof steps / sizeof steps[0]; k++)
            for (w = 0; w < sizeof widths / sizeof widths[0]; w++)
                for (kh = 1; kh <= 3; kh++)
                    for (kw = 1; kw <= 4; kw++)
                        for (h = 1; h <= 3; h++) {
                            tiled_shape shape =
                                tiled_plain(3, h, widths[w], kh, kw);
                            shape.stride_h = steps[k][0];
                            shape.dilation_h = steps[k][1];
                            tiled_case(*state, tables[t], &shape, 0, 0,
                                       &seed);
                        }
}

/* Ensures planes that are a single input row (window height 1), as a
 * pooling over [N, C, 1, W] gives, follow the definition, also with
 * planes that follow each other without a gap. */
static void test_max_pool_tiled_one_row_planes(void **state)
{
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t, s, kw, gap;
    uint32_t seed = 42;

    for (t = 0; t < count; t++)
        for (kw = 1; kw <= MAX_TILED_WIDTH; kw++)
            for (gap = 0; gap <= 1; gap++)
                for (s = 0; s <= 40; s++) {
                    tiled_shape shape = tiled_plain(5, 1, s, 1, kw);
                    shape.gap = gap;
                    shape.y_gap = gap;
                    tiled_case(*state, tables[t], &shape, 0, 0, &seed);
                }
}

/* Ensures every table follows the definition on pointers 1 to 3 floats
 * past a 64-byte boundary. */
static void test_max_pool_tiled_unaligned(void **state)
{
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t, s, kw, xo, yo;
    uint32_t seed = 43;

    for (t = 0; t < count; t++)
        for (kw = 1; kw <= 4; kw++)
            for (s = 0; s < N_LENGTHS; s++)
                for (xo = 0; xo <= 3; xo++)
                    for (yo = 1; yo <= 3; yo++) {
                        tiled_shape shape = tiled_plain(1, 2, length_at(s),
                                                        2, kw);
                        tiled_case(*state, tables[t], &shape, xo, yo, &seed);
                    }
}

/* Ensures a NaN at any position (r, c) of a window makes that window NaN
 * and leaves the others alone: every third window of a row gets one, so
 * windows with and without a NaN fall in every lane. */
static void test_max_pool_tiled_nan_in_every_position(void **state)
{
    arena *pool = *state;
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t, n, kh, kw, r, c, j, i;
    uint32_t seed = 44;

    for (t = 0; t < count; t++)
        for (kh = 1; kh <= 3; kh++)
            for (kw = 1; kw <= 4; kw++)
                for (r = 0; r < kh; r++)
                    for (c = 0; c < kw; c++)
                        for (n = 1; n <= 40; n++) {
                            tiled_shape shape = tiled_plain(1, 2, n, kh, kw);
                            om_max_pool_tiled_params p = tiled_params(&shape);
                            size_t mark = pool->count;
                            float *x = arena_aligned(
                                pool,
                                tiled_input_length(&shape) * sizeof(float));

                            fill_tiled_input(&seed, x, &shape);
                            for (i = 0; i < shape.out_h; i++)
                                for (j = i; j < n; j += 3)
                                    x[tiled_offset(&p, 0, i, j, r, c)] =
                                        j % 2 ? -NAN : NAN;
                            check_tiled(pool, tables[t], &shape, x, 0, 0,
                                        "with NaN");
                            arena_release(pool, mark);
                        }
}

/* Returns a quiet NaN whose payload is `payload`. */
static float nan_with_payload(uint32_t payload)
{
    uint32_t bits = 0x7fc00000u | (payload & 0x3fffffu);
    float v;

    memcpy(&v, &bits, sizeof v);
    return v;
}

/* Ensures a window with two NaNs gives the first in column-major order,
 * payload included, in every table: the tables fold in the same order. */
static void test_max_pool_tiled_nan_payload_order(void **state)
{
    arena *pool = *state;
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t, n, kh, kw, j, a, b;
    uint32_t seed = 45;

    for (t = 0; t < count; t++)
        for (kh = 1; kh <= 3; kh++)
            for (kw = 1; kw <= 4; kw++)
                for (n = 1; n <= 34; n += 11) {
                    tiled_shape shape = tiled_plain(1, 1, n, kh, kw);
                    om_max_pool_tiled_params p = tiled_params(&shape);
                    size_t cells = kh * kw, mark = pool->count;
                    float *x = arena_aligned(
                        pool, tiled_input_length(&shape) * sizeof(float));

                    /* Every pair of window positions (a before b in
                     * row-major numbering) in turn. */
                    for (a = 0; a < cells; a++)
                        for (b = a + 1; b < cells; b++) {
                            fill_tiled_input(&seed, x, &shape);
                            for (j = 0; j < n; j++) {
                                x[tiled_offset(&p, 0, 0, j, a / kw,
                                               a % kw)] = nan_with_payload(1);
                                x[tiled_offset(&p, 0, 0, j, b / kw,
                                               b % kw)] = nan_with_payload(2);
                            }
                            check_tiled(pool, tables[t], &shape, x, 0, 1,
                                        "with two NaN payloads");
                        }
                    arena_release(pool, mark);
                }
}

/* Ensures +inf wins a window, -inf loses to every value, and a window of
 * -inf elements gives -inf. */
static void test_max_pool_tiled_infinities(void **state)
{
    arena *pool = *state;
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t, n, kw, k, len;
    uint32_t seed = 46;

    for (t = 0; t < count; t++)
        for (kw = 1; kw <= 4; kw++)
            for (n = 1; n <= 40; n++) {
                tiled_shape shape = tiled_plain(2, 2, n, 2, kw);
                size_t mark = pool->count;
                float *x;

                len = tiled_input_length(&shape);
                x = arena_aligned(pool, len * sizeof(float));

                /* Random values with every 7th float +inf and every 5th
                 * -inf, then all -inf. */
                fill_tiled_input(&seed, x, &shape);
                for (k = 0; k < len; k++) {
                    if (isnan(x[k]))
                        continue;
                    if (k % 7 == 6)
                        x[k] = INFINITY;
                    else if (k % 5 == 4)
                        x[k] = -INFINITY;
                }
                check_tiled(pool, tables[t], &shape, x, 0, 0,
                            "with infinities");
                for (k = 0; k < len; k++)
                    if (!isnan(x[k]))
                        x[k] = -INFINITY;
                check_tiled(pool, tables[t], &shape, x, 0, 0,
                            "all -inf");
                arena_release(pool, mark);
            }
}

/* Ensures a window of zeros gives the zero that the definition picks, the
 * last in column-major order, so every table gives the scalar table's
 * sign. */
static void test_max_pool_tiled_signed_zeros(void **state)
{
    arena *pool = *state;
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t, n, kh, kw, k, len;
    uint32_t seed = 47;

    for (t = 0; t < count; t++)
        for (kh = 1; kh <= 3; kh++)
            for (kw = 1; kw <= 4; kw++)
                for (n = 1; n <= 40; n++) {
                    tiled_shape shape = tiled_plain(1, 2, n, kh, kw);
                    size_t mark = pool->count;
                    float *x;

                    len = tiled_input_length(&shape);
                    x = arena_aligned(pool, len * sizeof(float));
                    fill_tiled_input(&seed, x, &shape);
                    for (k = 0; k < len; k++)
                        if (!isnan(x[k]))
                            x[k] = next_random(&seed) % 2 ? -0.0f : 0.0f;
                    check_tiled(pool, tables[t], &shape, x, 0, 0,
                                "of zeros");
                    arena_release(pool, mark);
                }
}

/* Ensures f32_max_pool_tiled reads nothing past the last element of the
 * last window: the input ends at an inaccessible page there. */
static void test_max_pool_tiled_reads_within_input(void **state)
{
    arena *pool = *state;
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t, s, kh, kw;
    uint32_t seed = 48;

    watch_faults();
    for (t = 0; t < count; t++)
        for (kh = 1; kh <= 3; kh++)
            for (kw = 1; kw <= MAX_TILED_WIDTH; kw++)
                for (s = 0; s < N_LENGTHS; s++) {
                    tiled_shape shape = tiled_plain(2, 2, length_at(s), kh,
                                                    kw);
                    size_t mark = pool->count;
                    float *x;
                    char context[224];

                    /* No gap after the last row: its last window ends the
                     * input. */
                    shape.gap = 0;
                    x = arena_before_fault(pool, tiled_input_length(&shape));
                    fill_tiled_input(&seed, x, &shape);
                    describe_tiled(context, sizeof context, tables[t]->isa,
                                   "before a guard page", &shape);
                    set_fault_case(context);
                    check_tiled(pool, tables[t], &shape, x, 0, 0,
                                "before a guard page");
                    arena_release(pool, mark);
                }
}

/* ------------------------------------------------------------- depthwise */

/* The geometry of one f32_depthwise_conv_rows call. */
typedef struct depthwise_shape {
    size_t n;                         /* outputs, dropped ones included */
    size_t stride, dilation;          /* along a row */
    size_t kernel_h, kernel_w;
    size_t width, pitch;              /* kept outputs per row of pitch */
    size_t pad;                       /* NaN floats ending each input row */
} depthwise_shape;

/* Input row stride: what the windows of one row span, plus the pad. */
static size_t depthwise_row_stride(const depthwise_shape *d)
{
    size_t span = (d->n ? (d->n - 1) * d->stride : 0) +
                  (d->kernel_w - 1) * d->dilation + 1;
    return span + d->pad;
}

/* Floats from x[0] to the last element of the last window, the part of
 * the input that the kernel may read. */
static size_t depthwise_input_length(const depthwise_shape *d)
{
    if (d->n == 0)
        return 0;
    return (d->kernel_h - 1) * depthwise_row_stride(d) +
           (d->n - 1) * d->stride + (d->kernel_w - 1) * d->dilation + 1;
}

/* The outputs j < n with j % pitch < width, which y receives. */
static size_t depthwise_kept_count(const depthwise_shape *d)
{
    size_t rest = d->n % d->pitch;
    return d->n / d->pitch * d->width + (rest < d->width ? rest : d->width);
}

/* Fills the input with random values and the pad of every row but the
 * last with NaN, so that a kernel that uses a value outside its windows
 * gives NaN and fails the comparison. */
static void fill_depthwise_input(uint32_t *seed, float *x,
                                 const depthwise_shape *d)
{
    size_t row_stride = depthwise_row_stride(d), r, q;

    fill_random(seed, x, depthwise_input_length(d));
    if (d->n == 0)
        return;
    for (r = 0; r + 1 < d->kernel_h; r++)
        for (q = row_stride - d->pad; q < row_stride; q++)
            x[r * row_stride + q] = NAN;
}

/* Parameters for shape d with random weights (kernel_h * kernel_w floats
 * at `weights`) and bias, clamped to [lo, hi]. */
static om_depthwise_params depthwise_params(uint32_t *seed,
                                            const depthwise_shape *d,
                                            float *weights, float lo, float hi)
{
    om_depthwise_params p;

    fill_random(seed, weights, d->kernel_h * d->kernel_w);
    p.kernel_h = d->kernel_h;
    p.kernel_w = d->kernel_w;
    p.row_stride = depthwise_row_stride(d);
    p.stride = d->stride;
    p.dilation = d->dilation;
    p.width = d->width;
    p.pitch = d->pitch;
    p.weights = weights;
    p.bias = random_quarter(seed);
    p.lo = lo;
    p.hi = hi;
    return p;
}

static void describe_depthwise(char *out, size_t size, const char *isa,
                               const char *label, const depthwise_shape *d)
{
    snprintf(out, size,
             "%s: depthwise %s n=%zu stride %zu kernel %zux%zu dilation %zu "
             "width %zu of %zu row pad %zu",
             isa, label, d->n, d->stride, d->kernel_h, d->kernel_w,
             d->dilation, d->width, d->pitch, d->pad);
}

/* Runs one table's f32_depthwise_conv_rows on a random input at x_offset
 * floats past a 64-byte boundary, into y at y_offset, and compares the
 * kept outputs and the guards with the scalar table's. */
static void depthwise_case(arena *pool, const om_kernels *t,
                           const depthwise_shape *d, float lo, float hi,
                           size_t x_offset, size_t y_offset, uint32_t *seed)
{
    size_t mark = pool->count, len = depthwise_input_length(d);
    size_t kept = depthwise_kept_count(d);
    guarded y = guarded_alloc(pool, kept, y_offset);
    float *x = (float *)arena_aligned(pool, (len + x_offset) * sizeof(float)) +
               x_offset;
    float *expected = arena_aligned(pool, kept * sizeof(float));
    float *weights =
        arena_aligned(pool, d->kernel_h * d->kernel_w * sizeof(float));
    om_depthwise_params p = depthwise_params(seed, d, weights, lo, hi);
    char context[224], label[48];

    fill_depthwise_input(seed, x, d);
    om_kernels_scalar.f32_depthwise_conv_rows(d->n, x, &p, expected);
    t->f32_depthwise_conv_rows(d->n, x, &p, y.data);

    snprintf(label, sizeof label, "x+%zu y+%zu clamp [%g, %g]", x_offset,
             y_offset, (double)lo, (double)hi);
    describe_depthwise(context, sizeof context, t->isa, label, d);
    check_floats(context, y.data, expected, kept);
    check_guards(context, &y);
    arena_release(pool, mark);
}

/* Depthwise strides: 1 and 2 have SIMD paths, 3 the scalar loop. */
static const size_t depthwise_strides[] = {1, 2, 3};
#define N_DEPTHWISE_STRIDES \
    (sizeof depthwise_strides / sizeof depthwise_strides[0])

/* Kernel shapes (rows, columns): a point, the common 3x3, a wide 5x5 and
 * two non-square ones. */
static const size_t depthwise_kernels[][2] = {
    {1, 1}, {3, 3}, {5, 5}, {1, 3}, {2, 1}};
#define N_DEPTHWISE_KERNELS \
    (sizeof depthwise_kernels / sizeof depthwise_kernels[0])

/* Ensures f32_depthwise_conv_rows keeping every output matches the scalar
 * table for every length, stride, kernel shape and dilation 1 or 2, on
 * aligned data. */
static void test_depthwise_lengths_match_scalar(void **state)
{
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t, r, k, s;
    uint32_t seed = 40;
    depthwise_shape d;

    for (t = 0; t < count; t++)
        for (r = 0; r < N_DEPTHWISE_STRIDES; r++)
            for (k = 0; k < N_DEPTHWISE_KERNELS; k++)
                for (d.dilation = 1; d.dilation <= 2; d.dilation++)
                    for (s = 0; s < N_LENGTHS; s++) {
                        d.n = length_at(s);
                        d.stride = depthwise_strides[r];
                        d.kernel_h = depthwise_kernels[k][0];
                        d.kernel_w = depthwise_kernels[k][1];
                        d.width = d.n ? d.n : 1;
                        d.pitch = d.width;
                        d.pad = d.kernel_h > 1 ? 2 : 0;
                        depthwise_case(*state, tables[t], &d, -INFINITY,
                                       INFINITY, 0, 0, &seed);
                    }
}

/* Kept and row widths of flat bands: narrow planes (7 of 9, 14 of 16),
 * rows around the 4, 8 and 16 lanes of a vector, rows wider than a
 * 64-output block, and a single kept column. */
static const size_t depthwise_rows[][2] = {
    {7, 9},   {14, 16}, {1, 1},   {1, 3},   {3, 4},   {4, 6},
    {7, 8},   {8, 10},  {15, 17}, {16, 18}, {17, 19}, {5, 32},
    {56, 58}, {64, 66}, {65, 67}, {30, 62}};
#define N_DEPTHWISE_ROWS (sizeof depthwise_rows / sizeof depthwise_rows[0])

/* Ensures outputs past the width of each row are dropped and the kept
 * ones packed as the scalar table does, for whole and partial last rows,
 * at strides 1 to 3. */
static void test_depthwise_dropped_columns_match_scalar(void **state)
{
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t, r, w, rows, extra;
    uint32_t seed = 41;
    depthwise_shape d;

    d.kernel_h = 3;
    d.kernel_w = 3;
    d.dilation = 1;
    d.pad = 1;
    for (t = 0; t < count; t++)
        for (r = 0; r < N_DEPTHWISE_STRIDES; r++)
            for (w = 0; w < N_DEPTHWISE_ROWS; w++)
                for (rows = 1; rows <= 5; rows++)
                    /* The last row ends at the width, before it, or
                     * inside the dropped part. */
                    for (extra = 0; extra < 3; extra++) {
                        d.width = depthwise_rows[w][0];
                        d.pitch = depthwise_rows[w][1];
                        d.stride = depthwise_strides[r];
                        d.n = (rows - 1) * d.pitch + d.width;
                        if (extra == 1)
                            d.n -= (d.width + 1) / 2;
                        else if (extra == 2)
                            d.n += (d.pitch - d.width + 1) / 2;
                        depthwise_case(*state, tables[t], &d, -INFINITY,
                                       INFINITY, 0, 0, &seed);
                    }
}

/* Ensures f32_depthwise_conv_rows matches the scalar table on pointers 1
 * to 3 floats past a 64-byte boundary, with and without dropped
 * columns. */
static void test_depthwise_unaligned_matches_scalar(void **state)
{
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t, r, s, xo, yo, flat;
    uint32_t seed = 42;
    depthwise_shape d;

    d.kernel_h = 3;
    d.kernel_w = 3;
    d.dilation = 1;
    d.pad = 2;
    for (t = 0; t < count; t++)
        for (r = 0; r < N_DEPTHWISE_STRIDES; r++)
            for (s = 0; s < N_LENGTHS; s++)
                for (flat = 0; flat <= 1; flat++)
                    for (xo = 0; xo <= 3; xo++)
                        for (yo = 1; yo <= 3; yo++) {
                            d.n = length_at(s);
                            d.stride = depthwise_strides[r];
                            d.width = d.n ? d.n : 1;
                            d.pitch = d.width;
                            if (flat) {
                                d.width = 7;
                                d.pitch = 9;
                            }
                            depthwise_case(*state, tables[t], &d, -INFINITY,
                                           INFINITY, xo, yo, &seed);
                        }
}

/* Ensures the clamp of a fused Relu ([0, +inf]) and of a Clip to [-1, 6]
 * matches the scalar table. */
static void test_depthwise_clamp_matches_scalar(void **state)
{
    static const float bounds[][2] = {{0.0f, INFINITY}, {-1.0f, 6.0f}};
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t, r, b, s;
    uint32_t seed = 43;
    depthwise_shape d;

    d.kernel_h = 3;
    d.kernel_w = 3;
    d.dilation = 1;
    d.pad = 0;
    for (t = 0; t < count; t++)
        for (r = 0; r < N_DEPTHWISE_STRIDES; r++)
            for (b = 0; b < 2; b++)
                for (s = 0; s < N_LENGTHS; s++) {
                    d.n = length_at(s);
                    d.stride = depthwise_strides[r];
                    d.width = d.n > 3 ? d.n - 3 : 1;
                    d.pitch = d.width + 3;
                    depthwise_case(*state, tables[t], &d, bounds[b][0],
                                   bounds[b][1], 0, 0, &seed);
                }
}

/* Returns kept output j of shape d by the definition in kernels.h. */
static float depthwise_by_definition(const float *x, const depthwise_shape *d,
                                     const om_depthwise_params *p, size_t j)
{
    float sum = 0.0f, v;
    size_t r, c;

    for (r = 0; r < d->kernel_h; r++)
        for (c = 0; c < d->kernel_w; c++)
            sum += x[j * d->stride + r * p->row_stride + c * d->dilation] *
                   p->weights[r * d->kernel_w + c];
    v = sum + p->bias;
    if (v < p->lo)
        v = p->lo;
    if (v > p->hi)
        v = p->hi;
    return v;
}

/* Ensures every table, the scalar one included, gives the definition in
 * kernels.h: output j at y[(j / pitch) * width + j % pitch], the rest
 * dropped, and a NaN in a window gives NaN through the clamp. */
static void test_depthwise_matches_definition(void **state)
{
    arena *pool = *state;
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t, r, i, j;
    uint32_t seed = 44;
    depthwise_shape d;

    d.kernel_h = 3;
    d.kernel_w = 2;
    d.dilation = 2;
    d.pad = 0;
    d.width = 11;
    d.pitch = 13;
    for (t = 0; t < count; t++)
        for (r = 0; r < N_DEPTHWISE_STRIDES; r++)
            for (d.n = 1; d.n <= 80; d.n++) {
                size_t mark = pool->count, len, kept = depthwise_kept_count(&d);
                guarded y = guarded_alloc(pool, kept, 0);
                float weights[6], *x, *expected;
                om_depthwise_params p;
                char context[224];

                d.stride = depthwise_strides[r];
                len = depthwise_input_length(&d);
                x = arena_aligned(pool, len * sizeof(float));
                expected = arena_aligned(pool, kept * sizeof(float));
                p = depthwise_params(&seed, &d, weights, -2.0f, 3.0f);
                fill_depthwise_input(&seed, x, &d);
                for (i = 0; i < len; i++)
                    if (i % 23 == 22)
                        x[i] = NAN;

                for (j = 0; j < d.n; j++)
                    if (j % d.pitch < d.width)
                        expected[j / d.pitch * d.width + j % d.pitch] =
                            depthwise_by_definition(x, &d, &p, j);
                tables[t]->f32_depthwise_conv_rows(d.n, x, &p, y.data);

                describe_depthwise(context, sizeof context, tables[t]->isa,
                                   "by definition", &d);
                check_floats(context, y.data, expected, kept);
                check_guards(context, &y);
                arena_release(pool, mark);
            }
}

/* Ensures an output does not depend on where it falls in a call: outputs
 * computed in two calls split at every point give the bits of one call.
 * The input is scaled by 0.3 so that the sums round, and a product fused
 * in one place but rounded in another would show. */
static void test_depthwise_split_calls_identical(void **state)
{
    arena *pool = *state;
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t, r, k, i;
    uint32_t seed = 46;
    depthwise_shape d;

    d.kernel_h = 3;
    d.kernel_w = 3;
    d.dilation = 1;
    d.pad = 0;
    d.n = 150;
    d.width = d.n;
    d.pitch = d.n;
    for (t = 0; t < count; t++)
        for (r = 0; r < N_DEPTHWISE_STRIDES; r++) {
            size_t mark = pool->count, len;
            float *x, *whole, *parts, weights[9];
            om_depthwise_params p;
            char context[224];

            d.stride = depthwise_strides[r];
            len = depthwise_input_length(&d);
            x = arena_aligned(pool, len * sizeof(float));
            whole = arena_aligned(pool, d.n * sizeof(float));
            parts = arena_aligned(pool, d.n * sizeof(float));
            p = depthwise_params(&seed, &d, weights, -INFINITY, INFINITY);
            fill_depthwise_input(&seed, x, &d);
            for (i = 0; i < len; i++)
                x[i] *= 0.3f;
            tables[t]->f32_depthwise_conv_rows(d.n, x, &p, whole);

            for (k = 1; k < d.n; k++) {
                tables[t]->f32_depthwise_conv_rows(k, x, &p, parts);
                tables[t]->f32_depthwise_conv_rows(d.n - k, x + k * d.stride,
                                                   &p, parts + k);
                snprintf(context, sizeof context,
                         "%s: depthwise n=%zu stride %zu split at %zu",
                         tables[t]->isa, d.n, d.stride, k);
                check_floats(context, parts, whole, d.n);
            }
            arena_release(pool, mark);
        }
}

/* Ensures f32_depthwise_conv_rows reads nothing past the last element of
 * the last window: the input ends at an inaccessible page there. */
static void test_depthwise_reads_within_input(void **state)
{
    arena *pool = *state;
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t, r, k, s, flat;
    uint32_t seed = 45;
    depthwise_shape d;

    watch_faults();
    d.pad = 1;
    for (t = 0; t < count; t++)
        for (r = 0; r < N_DEPTHWISE_STRIDES; r++)
            for (k = 0; k < N_DEPTHWISE_KERNELS; k++)
                for (d.dilation = 1; d.dilation <= 2; d.dilation++)
                    for (flat = 0; flat <= 1; flat++)
                        for (s = 0; s < N_LENGTHS; s++) {
                            size_t mark = pool->count, len, kept;
                            float *x, *y, *expected, weights[25];
                            om_depthwise_params p;
                            char context[224];

                            d.n = length_at(s);
                            d.stride = depthwise_strides[r];
                            d.kernel_h = depthwise_kernels[k][0];
                            d.kernel_w = depthwise_kernels[k][1];
                            d.width = d.n ? d.n : 1;
                            d.pitch = d.width;
                            if (flat) {
                                d.width = 14;
                                d.pitch = 16;
                            }
                            len = depthwise_input_length(&d);
                            kept = depthwise_kept_count(&d);
                            x = arena_before_fault(pool, len);
                            y = arena_aligned(pool, kept * sizeof(float));
                            expected = arena_aligned(pool,
                                                     kept * sizeof(float));
                            p = depthwise_params(&seed, &d, weights,
                                                 -INFINITY, INFINITY);

                            fill_depthwise_input(&seed, x, &d);
                            om_kernels_scalar.f32_depthwise_conv_rows(
                                d.n, x, &p, expected);
                            describe_depthwise(context, sizeof context,
                                               tables[t]->isa,
                                               "before a guard page", &d);
                            set_fault_case(context);
                            tables[t]->f32_depthwise_conv_rows(d.n, x, &p, y);

                            check_floats(context, y, expected, kept);
                            arena_release(pool, mark);
                        }
}

/* ------------------------------------------------------------- gemm */

/* One GEMM case: sizes, epilogue and layout of B. */
typedef struct gemm_case {
    const char *label;                /* the epilogue, for messages */
    size_t m, n, k;
    int bias_m, bias_n;               /* whether each bias is given */
    float lo, hi;                     /* clamp bounds */
    int nan_in_a;                     /* A[m - 1][k - 1] is NaN */
    int nan_in_bias;                  /* bias_m[0] and bias_n[n - 1] NaN */
    int shifted_rows;                 /* B as windows of one buffer */
} gemm_case;

static size_t round_up(size_t x, size_t multiple)
{
    return (x + multiple - 1) / multiple * multiple;
}

/* Applies the epilogue by its definition in kernels.h: add the biases,
 * then clamp to [lo, hi], keeping NaN. */
static float apply_epilogue(float v, const float *bias_m, const float *bias_n,
                            size_t i, size_t j, float lo, float hi)
{
    if (bias_m)
        v += bias_m[i];
    if (bias_n)
        v += bias_n[j];
    if (isnan(v))
        return v;
    return fminf(fmaxf(v, lo), hi);
}

/* Builds B for the case and returns the kernel's b argument. It fills
 * *rows and *tile_stride, and stores the same B as dense [k][n] for the
 * reference. The kernel's B ends at an inaccessible page, so the kernel
 * can read only as far as kernels.h allows. */
static const float *gemm_make_b(arena *pool, const gemm_case *gc, size_t nr,
                                uint32_t *seed, float *dense, size_t **rows,
                                size_t *tile_stride)
{
    size_t k = gc->k, n = gc->n, p, j;
    float *b;

    *rows = arena_aligned(pool, k * sizeof(size_t));
    if (gc->shifted_rows) {
        /* Each row is a window that starts anywhere in [0, 40]. The
         * buffer ends exactly at the last float that a tile may read. */
        size_t max_offset = 0, len;
        for (p = 0; p < k; p++) {
            (*rows)[p] = next_random(seed) % 41u;
            if ((*rows)[p] > max_offset)
                max_offset = (*rows)[p];
        }
        len = k ? max_offset + round_up(n, nr) : 0;
        b = arena_before_fault(pool, len);
        fill_random(seed, b, len);
        for (p = 0; p < k; p++)
            for (j = 0; j < n; j++)
                dense[p * n + j] = b[(*rows)[p] + j];
        *tile_stride = nr;
        return b;
    }

    /* Packed panels, from a dense B with a row stride wider than n. */
    {
        size_t ldb = n + 2;
        float *src = arena_aligned(pool, k * ldb * sizeof(float));
        fill_random(seed, src, k * ldb);
        for (p = 0; p < k; p++)
            for (j = 0; j < n; j++)
                dense[p * n + j] = src[p * ldb + j];
        b = arena_before_fault(pool,
                               om_packed_b_bytes(k, n, nr) / sizeof(float));
        om_pack_b(k, n, src, ldb, nr, b);
        om_packed_b_rows(k, nr, *rows);
        *tile_stride = k * nr;
        return b;
    }
}

/* Runs one GEMM case on one table and compares C with the reference
 * product plus the epilogue, bit for bit. C has a row stride of n + 3 and
 * one guard row above and below, and the gap columns and guard rows must
 * stay untouched. */
static void gemm_check(arena *pool, const om_kernels *t, const gemm_case *gc,
                       uint32_t *seed)
{
    const size_t m = gc->m, n = gc->n, k = gc->k;
    const size_t mr = t->gemm_mr, nr = t->gemm_nr;
    const size_t lda = k + 1, ldc = n + 3;
    size_t mark = pool->count, i, j, tile_stride;
    float *dense_a = arena_aligned(pool, m * lda * sizeof(float));
    float *dense_b = arena_aligned(pool, k * n * sizeof(float));
    float *expected = arena_aligned(pool, m * n * sizeof(float));
    float *c_buffer = arena_aligned(pool, (m + 2) * ldc * sizeof(float));
    float *c = c_buffer + ldc, *packed_a, *bias_m = NULL, *bias_n = NULL;
    size_t *rows;
    const float *b;
    om_gemm_epilogue ep;
    char context[192];

    /* A, packed into a buffer that ends at an inaccessible page. */
    fill_random(seed, dense_a, m * lda);
    if (gc->nan_in_a && k > 0)
        dense_a[(m - 1) * lda + k - 1] = NAN;
    packed_a = arena_before_fault(pool, om_packed_a_bytes(m, k, mr) /
                                         sizeof(float));
    om_pack_a(m, k, dense_a, lda, mr, packed_a);

    b = gemm_make_b(pool, gc, nr, seed, dense_b, &rows, &tile_stride);

    /* Biases end at inaccessible pages too: bias_m after m floats,
     * bias_n after n. */
    if (gc->bias_m) {
        bias_m = arena_before_fault(pool, m);
        fill_random(seed, bias_m, m);
    }
    if (gc->bias_n) {
        bias_n = arena_before_fault(pool, n);
        fill_random(seed, bias_n, n);
    }
    if (gc->nan_in_bias) {
        bias_m[0] = NAN;
        bias_n[n - 1] = NAN;
    }
    ep.bias_m = bias_m;
    ep.bias_n = bias_n;
    ep.lo = gc->lo;
    ep.hi = gc->hi;

    /* The expected result. */
    om_f32_gemm_reference(m, n, k, dense_a, lda, dense_b, n, expected, n);
    for (i = 0; i < m; i++)
        for (j = 0; j < n; j++)
            expected[i * n + j] = apply_epilogue(expected[i * n + j], bias_m,
                                                 bias_n, i, j, gc->lo, gc->hi);

    fill_sentinel(c_buffer, (m + 2) * ldc);
    snprintf(context, sizeof context, "%s: gemm %s m=%zu n=%zu k=%zu (%s)",
             t->isa, gc->shifted_rows ? "shifted rows" : "packed B", m, n, k,
             gc->label);
    set_fault_case(context);
    t->f32_gemm(m, n, k, packed_a, b, rows, tile_stride, c, ldc, &ep);

    for (i = 0; i < m; i++) {
        char row_context[224];
        snprintf(row_context, sizeof row_context, "%s row %zu", context, i);
        check_floats(row_context, c + i * ldc, expected + i * n, n);
        check_sentinel(row_context, "gap column", c + i * ldc + n, ldc - n);
    }
    check_sentinel(context, "guard row before C", c_buffer, ldc);
    check_sentinel(context, "guard row after C", c + m * ldc, ldc);
    arena_release(pool, mark);
}

/* Runs base_case for every table over sizes around its tile: m in
 * {1, mr-1, mr, mr+1, 2mr, 2mr+3}, n in {1, nr-1, nr, nr+1, 2nr, 3nr+5,
 * 4nr, 4nr+1, 9nr+5} (from 4nr on, the one-row path that takes four
 * panels at a time) and k in {0, 1, 2, 7, 64, 257}. */
static void gemm_all_sizes(arena *pool, const gemm_case *base_case,
                           uint32_t seed)
{
    static const size_t ks[] = {0, 1, 2, 7, 64, 257};
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t, im, in, ik;

    watch_faults();
    for (t = 0; t < count; t++) {
        const size_t mr = tables[t]->gemm_mr, nr = tables[t]->gemm_nr;
        const size_t ms[] = {1, mr - 1, mr, mr + 1, 2 * mr, 2 * mr + 3};
        const size_t ns[] = {1,      nr - 1, nr,         nr + 1,    2 * nr,
                             3 * nr + 5, 4 * nr, 4 * nr + 1, 9 * nr + 5};

        for (im = 0; im < 6; im++)
            for (in = 0; in < sizeof ns / sizeof ns[0]; in++)
                for (ik = 0; ik < 6; ik++) {
                    gemm_case gc = *base_case;
                    gc.m = ms[im];
                    gc.n = ns[in];
                    gc.k = ks[ik];
                    /* A tile dimension of 1 makes mr - 1 or nr - 1
                     * zero. An empty C is skipped. */
                    if (gc.m == 0 || gc.n == 0)
                        continue;
                    gemm_check(pool, tables[t], &gc, &seed);
                }
    }
}

/* Returns a case template without epilogue. The tests set the fields they
 * vary. */
static gemm_case plain_case(const char *label)
{
    gemm_case gc;

    memset(&gc, 0, sizeof gc);
    gc.label = label;
    gc.lo = -INFINITY;
    gc.hi = INFINITY;
    return gc;
}

/* Ensures the plain product matches the reference at every size around
 * the tile, with gap columns and neighbouring rows untouched. */
static void test_gemm_no_epilogue_matches_reference(void **state)
{
    gemm_case gc = plain_case("no epilogue");
    gemm_all_sizes(*state, &gc, 40);
}

/* Ensures a per-row bias is added to every column of its row. */
static void test_gemm_bias_m_matches_reference(void **state)
{
    gemm_case gc = plain_case("bias_m");
    gc.bias_m = 1;
    gemm_all_sizes(*state, &gc, 41);
}

/* Ensures a per-column bias is added to every row of its column. */
static void test_gemm_bias_n_matches_reference(void **state)
{
    gemm_case gc = plain_case("bias_n");
    gc.bias_n = 1;
    gemm_all_sizes(*state, &gc, 42);
}

/* Ensures both biases are added together. */
static void test_gemm_both_biases_match_reference(void **state)
{
    gemm_case gc = plain_case("bias_m and bias_n");
    gc.bias_m = 1;
    gc.bias_n = 1;
    gemm_all_sizes(*state, &gc, 43);
}

/* Ensures the clamp to [0, +inf], a fused Relu, applies after both
 * biases. */
static void test_gemm_relu_clamp_matches_reference(void **state)
{
    gemm_case gc = plain_case("both biases, clamp [0, inf]");
    gc.bias_m = 1;
    gc.bias_n = 1;
    gc.lo = 0.0f;
    gemm_all_sizes(*state, &gc, 44);
}

/* Ensures a clamp to [-1, 1] bounds both sides. */
static void test_gemm_clamp_both_sides_matches_reference(void **state)
{
    gemm_case gc = plain_case("bias_n, clamp [-1, 1]");
    gc.bias_n = 1;
    gc.lo = -1.0f;
    gc.hi = 1.0f;
    gemm_all_sizes(*state, &gc, 45);
}

/* Ensures a NaN in A makes its row of C NaN through both clamps rather
 * than a clamp bound. */
static void test_gemm_nan_in_a_stays_nan(void **state)
{
    gemm_case gc = plain_case("NaN in A, clamp [0, inf]");
    gc.nan_in_a = 1;
    gc.lo = 0.0f;
    gemm_all_sizes(*state, &gc, 46);
    gc.label = "NaN in A, clamp [-1, 1]";
    gc.lo = -1.0f;
    gc.hi = 1.0f;
    gemm_all_sizes(*state, &gc, 47);
}

/* Ensures a NaN in bias_m or bias_n makes its row or column of C NaN
 * through the clamp. */
static void test_gemm_nan_in_bias_stays_nan(void **state)
{
    gemm_case gc = plain_case("NaN in biases, clamp [-1, 1]");
    gc.bias_m = 1;
    gc.bias_n = 1;
    gc.nan_in_bias = 1;
    gc.lo = -1.0f;
    gc.hi = 1.0f;
    gemm_all_sizes(*state, &gc, 48);
}

/* Ensures B given as shifted windows of one buffer (b_tile_stride = nr)
 * matches the reference, reading no further than the documented bound. */
static void test_gemm_shifted_rows_match_reference(void **state)
{
    gemm_case gc = plain_case("no epilogue");
    gc.shifted_rows = 1;
    gemm_all_sizes(*state, &gc, 49);
}

/* Ensures shifted rows also work with both biases and a Relu clamp, the
 * form a convolution uses. */
static void test_gemm_shifted_rows_with_epilogue(void **state)
{
    gemm_case gc = plain_case("both biases, clamp [0, inf]");
    gc.shifted_rows = 1;
    gc.bias_m = 1;
    gc.bias_n = 1;
    gc.lo = 0.0f;
    gemm_all_sizes(*state, &gc, 50);
}

/* ------------------------------------------------------------- segments */

/* Runs f32_gemm_segments of one table and compares C with the reference.
 * B rows are windows of one buffer that ends where the last vector may
 * read. Segments have random offsets and counts from 0 to gemm_segment,
 * and a gap after each segment's part of C must keep its sentinel. Random
 * quarters make the sums exact, so C must match bit for bit. */
static void gemm_segments_check(arena *pool, const om_kernels *t, size_t m,
                                size_t segments, size_t k,
                                const gemm_case *gc, uint32_t *seed)
{
    const size_t seg = t->gemm_segment, mr = t->gemm_mr;
    const size_t pitch = seg + 2, ldc = segments * pitch + 1;
    size_t mark = pool->count, i, p, q, l, len = 0, max_row = 0;
    size_t *rows = arena_aligned(pool, (k + 1) * sizeof(size_t));
    om_gemm_segment *segs =
        arena_aligned(pool, segments * sizeof(om_gemm_segment));
    float *dense_a = arena_aligned(pool, (m * k + 1) * sizeof(float));
    float *c_buffer = arena_aligned(pool, (m + 2) * ldc * sizeof(float));
    float *c = c_buffer + ldc, *packed_a, *b, *bias_m = NULL;
    om_gemm_epilogue ep;
    char context[192];

    for (p = 0; p < k; p++) {
        rows[p] = next_random(seed) % 41u;
        if (rows[p] > max_row)
            max_row = rows[p];
    }
    for (q = 0; q < segments; q++) {
        segs[q].b_offset = next_random(seed) % 50u;
        segs[q].c_offset = q * pitch;
        segs[q].count = next_random(seed) % (seg + 1);
        if (segs[q].b_offset + max_row + seg > len)
            len = segs[q].b_offset + max_row + seg;
    }
    b = arena_before_fault(pool, len);
    fill_random(seed, b, len);
    fill_random(seed, dense_a, m * k);
    if (gc->nan_in_a && k > 0)
        dense_a[m * k - 1] = NAN;
    packed_a = arena_before_fault(pool, om_packed_a_bytes(m, k, mr) /
                                         sizeof(float));
    om_pack_a(m, k, dense_a, k, mr, packed_a);
    if (gc->bias_m) {
        bias_m = arena_before_fault(pool, m);
        fill_random(seed, bias_m, m);
    }
    ep.bias_m = bias_m;
    ep.bias_n = NULL;
    ep.lo = gc->lo;
    ep.hi = gc->hi;

    fill_sentinel(c_buffer, (m + 2) * ldc);
    snprintf(context, sizeof context,
             "%s: gemm_segments m=%zu segments=%zu k=%zu (%s)", t->isa, m,
             segments, k, gc->label);
    set_fault_case(context);
    t->f32_gemm_segments(m, segments, k, packed_a, b, rows, segs, c, ldc, &ep);

    for (i = 0; i < m; i++)
        for (q = 0; q < segments; q++) {
            char where[256];
            float expected[64];
            for (l = 0; l < segs[q].count; l++) {
                float sum = 0.0f;
                for (p = 0; p < k; p++)
                    sum += dense_a[i * k + p] *
                           b[segs[q].b_offset + rows[p] + l];
                expected[l] = apply_epilogue(sum, bias_m, NULL, i, 0, gc->lo,
                                             gc->hi);
            }
            snprintf(where, sizeof where, "%s row %zu segment %zu (count %zu)",
                     context, i, q, segs[q].count);
            check_floats(where, c + i * ldc + segs[q].c_offset, expected,
                         segs[q].count);
            check_sentinel(where, "columns past the count",
                           c + i * ldc + segs[q].c_offset + segs[q].count,
                           pitch - segs[q].count);
        }
    check_sentinel(context, "guard row before C", c_buffer, ldc);
    check_sentinel(context, "guard row after C", c + m * ldc, ldc);
    arena_release(pool, mark);
}

/* Runs one case for every table with segments over m around the row tile,
 * one to five tiles of segments and k in {0, 1, 7, 64, 257}. */
static void gemm_segments_all_sizes(arena *pool, const gemm_case *gc,
                                    uint32_t seed)
{
    static const size_t ks[] = {0, 1, 7, 64, 257};
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t, im, it, ik, tested = 0;

    watch_faults();
    for (t = 0; t < count; t++) {
        const size_t mr = tables[t]->gemm_mr;
        const size_t ms[] = {1, mr - 1, mr, mr + 1, 2 * mr + 3};
        size_t per_tile;

        if (tables[t]->gemm_segment == 0) {
            assert_null(tables[t]->f32_gemm_segments);
            continue;
        }
        assert_int_equal(tables[t]->gemm_nr % tables[t]->gemm_segment, 0);
        assert_true(tables[t]->gemm_segment <= 64);
        per_tile = tables[t]->gemm_nr / tables[t]->gemm_segment;
        tested++;
        for (im = 0; im < sizeof ms / sizeof ms[0]; im++)
            for (it = 1; it <= 5; it += 2)
                for (ik = 0; ik < sizeof ks / sizeof ks[0]; ik++)
                    if (ms[im] > 0)
                        gemm_segments_check(pool, tables[t], ms[im],
                                            it * per_tile, ks[ik], gc, &seed);
    }
    print_message("gemm_segments: %zu of %zu tables have it\n", tested, count);
}

/* Ensures segments compute the product of their own columns, store only
 * their count and read no further than their vectors. */
static void test_gemm_segments_match_reference(void **state)
{
    gemm_case gc = plain_case("no epilogue");
    gemm_segments_all_sizes(*state, &gc, 70);
}

/* Ensures segments apply the row bias and then the clamp. */
static void test_gemm_segments_epilogue(void **state)
{
    gemm_case gc = plain_case("bias_m, clamp [-1, 1]");
    gc.bias_m = 1;
    gc.lo = -1.0f;
    gc.hi = 1.0f;
    gemm_segments_all_sizes(*state, &gc, 71);
}

/* Ensures a NaN in A gives NaN through a Relu clamp. */
static void test_gemm_segments_nan_in_a(void **state)
{
    gemm_case gc = plain_case("NaN in A, clamp [0, inf]");
    gc.nan_in_a = 1;
    gc.lo = 0.0f;
    gemm_segments_all_sizes(*state, &gc, 72);
}

/* ------------------------------------------------------------- gemm_nt */

/* Runs f32_gemm_nt of one table on m x n x k with random quarters (whose
 * sums are exact, so every summation order agrees with the reference bit
 * for bit) and compares C with the reference product plus the epilogue.
 * A and Bt have rows wider than k and end at inaccessible pages; C has a
 * row stride of n + 3 and guard rows, which must stay untouched. */
static void gemm_nt_check(arena *pool, const om_kernels *t, size_t m, size_t n,
                          size_t k, const gemm_case *gc, uint32_t *seed)
{
    const size_t lda = k + 1, ldb = k + 3, ldc = n + 3;
    size_t mark = pool->count, i, j, p;
    float *a = arena_before_fault(pool, (m - 1) * lda + k);
    float *bt = arena_before_fault(pool, (n - 1) * ldb + k);
    float *dense_a = arena_aligned(pool, (m * k + 1) * sizeof(float));
    float *dense_b = arena_aligned(pool, (k * n + 1) * sizeof(float));
    float *expected = arena_aligned(pool, m * n * sizeof(float));
    float *c_buffer = arena_aligned(pool, (m + 2) * ldc * sizeof(float));
    float *c = c_buffer + ldc, *bias_m = NULL, *bias_n = NULL;
    om_gemm_epilogue ep;
    char context[192];

    fill_random(seed, a, (m - 1) * lda + k);
    fill_random(seed, bt, (n - 1) * ldb + k);
    if (gc->nan_in_a && k > 0)
        a[(m - 1) * lda + k - 1] = NAN;
    for (i = 0; i < m; i++)
        for (p = 0; p < k; p++)
            dense_a[i * k + p] = a[i * lda + p];
    for (j = 0; j < n; j++)
        for (p = 0; p < k; p++)
            dense_b[p * n + j] = bt[j * ldb + p];
    if (gc->bias_m) {
        bias_m = arena_before_fault(pool, m);
        fill_random(seed, bias_m, m);
    }
    if (gc->bias_n) {
        bias_n = arena_before_fault(pool, n);
        fill_random(seed, bias_n, n);
    }
    ep.bias_m = bias_m;
    ep.bias_n = bias_n;
    ep.lo = gc->lo;
    ep.hi = gc->hi;

    om_f32_gemm_reference(m, n, k, dense_a, k, dense_b, n, expected, n);
    for (i = 0; i < m; i++)
        for (j = 0; j < n; j++)
            expected[i * n + j] = apply_epilogue(expected[i * n + j], bias_m,
                                                 bias_n, i, j, gc->lo, gc->hi);

    fill_sentinel(c_buffer, (m + 2) * ldc);
    snprintf(context, sizeof context, "%s: gemm_nt m=%zu n=%zu k=%zu (%s)",
             t->isa, m, n, k, gc->label);
    set_fault_case(context);
    t->f32_gemm_nt(m, n, k, a, lda, bt, ldb, c, ldc, &ep);

    for (i = 0; i < m; i++) {
        char row_context[224];
        snprintf(row_context, sizeof row_context, "%s row %zu", context, i);
        check_floats(row_context, c + i * ldc, expected + i * n, n);
        check_sentinel(row_context, "gap column", c + i * ldc + n, ldc - n);
    }
    check_sentinel(context, "guard row before C", c_buffer, ldc);
    check_sentinel(context, "guard row after C", c + m * ldc, ldc);
    arena_release(pool, mark);
}

/* Runs one case for every table over m in {1, 2, 5}, n around the group
 * of eight columns and k around the vector widths (4, 8 and 16). */
static void gemm_nt_all_sizes(arena *pool, const gemm_case *gc, uint32_t seed)
{
    static const size_t ms[] = {1, 2, 5};
    static const size_t ns[] = {1, 7, 8, 9, 10, 16, 17, 33};
    static const size_t ks[] = {0, 1, 3, 4, 7, 8, 15, 16, 17, 64, 100, 257};
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t, im, in, ik;

    watch_faults();
    for (t = 0; t < count; t++)
        for (im = 0; im < sizeof ms / sizeof ms[0]; im++)
            for (in = 0; in < sizeof ns / sizeof ns[0]; in++)
                for (ik = 0; ik < sizeof ks / sizeof ks[0]; ik++)
                    gemm_nt_check(pool, tables[t], ms[im], ns[in], ks[ik], gc,
                                  &seed);
}

/* Ensures the dot-product GEMM matches the reference at every size, with
 * neighbouring memory untouched. */
static void test_gemm_nt_matches_reference(void **state)
{
    gemm_case gc = plain_case("no epilogue");
    gemm_nt_all_sizes(*state, &gc, 60);
}

/* Ensures the dot-product GEMM applies both biases and then the clamp. */
static void test_gemm_nt_epilogue_matches_reference(void **state)
{
    gemm_case gc = plain_case("both biases, clamp [-1, 1]");
    gc.bias_m = 1;
    gc.bias_n = 1;
    gc.lo = -1.0f;
    gc.hi = 1.0f;
    gemm_nt_all_sizes(*state, &gc, 61);
}

/* Ensures a NaN in A gives NaN through a Relu clamp. */
static void test_gemm_nt_nan_in_a_stays_nan(void **state)
{
    gemm_case gc = plain_case("NaN in A, clamp [0, inf]");
    gc.nan_in_a = 1;
    gc.lo = 0.0f;
    gemm_nt_all_sizes(*state, &gc, 62);
}

/* Ensures an output does not depend on how the columns are split between
 * calls, as threads split them: with data whose sums round, every split
 * of n = 21 columns gives the same bits as one call. */
static void test_gemm_nt_split_calls_identical(void **state)
{
    arena *pool = *state;
    const size_t m = 3, n = 21, k = 301;
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t, split, i;
    om_gemm_epilogue ep = {NULL, NULL, -INFINITY, INFINITY};
    float *a = arena_aligned(pool, m * k * sizeof(float));
    float *bt = arena_aligned(pool, n * k * sizeof(float));
    float *whole = arena_aligned(pool, m * n * sizeof(float));
    float *parts = arena_aligned(pool, m * n * sizeof(float));

    for (i = 0; i < m * k; i++)
        a[i] = sinf((float)i * 0.37f) * 1.3f;
    for (i = 0; i < n * k; i++)
        bt[i] = cosf((float)i * 0.11f) / 3.0f;
    for (t = 0; t < count; t++) {
        tables[t]->f32_gemm_nt(m, n, k, a, k, bt, k, whole, n, &ep);
        for (split = 1; split < n; split++) {
            char context[96];
            tables[t]->f32_gemm_nt(m, split, k, a, k, bt, k, parts, n, &ep);
            tables[t]->f32_gemm_nt(m, n - split, k, a, k, bt + split * k, k,
                                   parts + split, n, &ep);
            snprintf(context, sizeof context,
                     "%s: gemm_nt split at column %zu", tables[t]->isa, split);
            check_floats(context, parts, whole, m * n);
        }
    }
}

/* Ensures the choice of f32_gemm_nt: narrow outputs with long sums only. */
static void test_gemm_prefers_nt_for_narrow_outputs(void **state)
{
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t;

    (void)state;
    for (t = 0; t < count; t++) {
        const size_t nr = tables[t]->gemm_nr;
        /* One column in a panel of nr: the panel is mostly padding once
         * nr is 2 or more. */
        assert_int_equal(om_gemm_prefers_nt(tables[t], 1, 64), nr >= 2);
        assert_false(om_gemm_prefers_nt(tables[t], 1, 63));
        assert_false(om_gemm_prefers_nt(tables[t], 0, 64));
        assert_false(om_gemm_prefers_nt(tables[t], 4 * nr, 4096));
    }
}

/* ------------------------------------------------------------- copy_strided */

/* Ensures f32_copy_strided gathers every stride-th float, for lengths 0
 * to 70, strides 1 to 4 and unaligned outputs. The input ends at an
 * inaccessible page after the last element copied, and guards after
 * y[n - 1] must stay untouched. */
static void test_copy_strided_matches_definition(void **state)
{
    arena *pool = *state;
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t, n, stride, i;
    uint32_t seed = 80;

    watch_faults();
    for (t = 0; t < count; t++)
        for (stride = 1; stride <= 4; stride++)
            for (n = 0; n <= 70; n++) {
                size_t mark = pool->count;
                size_t len = n ? (n - 1) * stride + 1 : 0;
                float *x = arena_before_fault(pool, len);
                guarded y = guarded_alloc(pool, n, n % 3);
                float *expected = arena_aligned(pool, (n + 1) * sizeof(float));
                char context[96];

                fill_random(&seed, x, len);
                for (i = 0; i < n; i++)
                    expected[i] = x[i * stride];
                snprintf(context, sizeof context,
                         "%s: copy_strided n=%zu stride=%zu", tables[t]->isa,
                         n, stride);
                set_fault_case(context);
                tables[t]->f32_copy_strided(n, x, stride, y.data);
                check_floats(context, y.data, expected, n);
                check_guards(context, &y);
                arena_release(pool, mark);
            }
}

/* ------------------------------------------------------------- packing */

/* Ensures om_pack_a stores blocks of [k][mr] with rows past m zero, and
 * writes exactly om_packed_a_bytes. */
static void test_pack_a_layout_and_padding(void **state)
{
    arena *pool = *state;
    static const size_t mrs[] = {1, 3, 4, 8};
    size_t r, m, k, i, p;

    for (r = 0; r < 4; r++)
        for (m = 1; m <= 2 * mrs[r] + 1; m++)
            for (k = 1; k <= 3; k++) {
                const size_t mr = mrs[r], lda = k + 2;
                const size_t count =
                    om_packed_a_bytes(m, k, mr) / sizeof(float);
                size_t mark = pool->count;
                float *src = arena_aligned(pool, m * lda * sizeof(float));
                guarded packed = guarded_alloc(pool, count, 0);
                char context[96];

                /* Distinct values that name their row and column. */
                for (i = 0; i < m; i++)
                    for (p = 0; p < lda; p++)
                        src[i * lda + p] = (float)(100 * i + p + 1);

                /* Sentinels in place of the padding show that it is
                 * written. */
                fill_sentinel(packed.data, count);
                om_pack_a(m, k, src, lda, mr, packed.data);

                snprintf(context, sizeof context, "pack_a m=%zu k=%zu mr=%zu",
                         m, k, mr);
                assert_int_equal(count, round_up(m, mr) * k);
                for (i = 0; i < round_up(m, mr); i++)
                    for (p = 0; p < k; p++) {
                        size_t at = i / mr * k * mr + p * mr + i % mr;
                        float want = i < m ? src[i * lda + p] : 0.0f;
                        if (float_bits(packed.data[at]) != float_bits(want))
                            fail_msg("%s: packed[%zu] (row %zu, column %zu) "
                                     "is %g, expected %g", context, at, i, p,
                                     (double)packed.data[at], (double)want);
                    }
                check_guards(context, &packed);
                arena_release(pool, mark);
            }
}

/* Ensures om_pack_b stores panels of [k][nr] with columns past n zero, and
 * writes exactly om_packed_b_bytes. */
static void test_pack_b_layout_and_padding(void **state)
{
    arena *pool = *state;
    static const size_t nrs[] = {1, 5, 8, 12};
    size_t r, n, k, j, p;

    for (r = 0; r < 4; r++)
        for (n = 1; n <= 2 * nrs[r] + 1; n++)
            for (k = 1; k <= 3; k++) {
                const size_t nr = nrs[r], ldb = n + 3;
                const size_t count =
                    om_packed_b_bytes(k, n, nr) / sizeof(float);
                size_t mark = pool->count;
                float *src = arena_aligned(pool, k * ldb * sizeof(float));
                guarded packed = guarded_alloc(pool, count, 0);
                char context[96];

                for (p = 0; p < k; p++)
                    for (j = 0; j < ldb; j++)
                        src[p * ldb + j] = (float)(100 * p + j + 1);

                fill_sentinel(packed.data, count);
                om_pack_b(k, n, src, ldb, nr, packed.data);

                snprintf(context, sizeof context, "pack_b k=%zu n=%zu nr=%zu",
                         k, n, nr);
                assert_int_equal(count, round_up(n, nr) * k);
                for (j = 0; j < round_up(n, nr); j++)
                    for (p = 0; p < k; p++) {
                        size_t at = j / nr * k * nr + p * nr + j % nr;
                        float want = j < n ? src[p * ldb + j] : 0.0f;
                        if (float_bits(packed.data[at]) != float_bits(want))
                            fail_msg("%s: packed[%zu] (row %zu, column %zu) "
                                     "is %g, expected %g", context, at, p, j,
                                     (double)packed.data[at], (double)want);
                    }
                check_guards(context, &packed);
                arena_release(pool, mark);
            }
}

/* Ensures the packed sizes round m or n up to the tile and are 0 for an
 * empty operand. */
static void test_packed_bytes_round_up_to_tile(void **state)
{
    (void)state;
    assert_int_equal(om_packed_a_bytes(5, 3, 4), 8 * 3 * sizeof(float));
    assert_int_equal(om_packed_a_bytes(8, 3, 4), 8 * 3 * sizeof(float));
    assert_int_equal(om_packed_a_bytes(5, 0, 4), 0);
    assert_int_equal(om_packed_a_bytes(0, 3, 4), 0);
    assert_int_equal(om_packed_b_bytes(3, 13, 12), 3 * 24 * sizeof(float));
    assert_int_equal(om_packed_b_bytes(3, 12, 12), 3 * 12 * sizeof(float));
    assert_int_equal(om_packed_b_bytes(0, 13, 12), 0);
    assert_int_equal(om_packed_b_bytes(3, 0, 12), 0);
}

/* Ensures om_packed_b_rows gives row p the offset p * nr. */
static void test_packed_b_rows_step_by_nr(void **state)
{
    size_t rows[9], p;

    (void)state;
    memset(rows, 0xff, sizeof rows);
    om_packed_b_rows(8, 24, rows);
    for (p = 0; p < 8; p++)
        assert_int_equal(rows[p], p * 24);
    assert_int_equal(rows[8], (size_t)-1);
}

/* Ensures om_gemm_store_tile stores only rows x cols of the tile, with the
 * biases of its position in C added and the clamp applied. */
static void test_store_tile_applies_epilogue_to_valid_part(void **state)
{
    arena *pool = *state;
    const size_t nr = 8, rows = 3, cols = 5, i0 = 4, j0 = 16, ldc = 9;
    float tile[4 * 8], bias_m[8], bias_n[24];
    float *c_buffer = arena_aligned(pool, (rows + 2) * ldc * sizeof(float));
    float *c = c_buffer + ldc;
    om_gemm_epilogue ep;
    size_t i, j;

    for (i = 0; i < 4 * nr; i++)
        tile[i] = (float)i / 4.0f - 3.0f;
    for (i = 0; i < 8; i++)
        bias_m[i] = (float)i / 2.0f;
    for (j = 0; j < 24; j++)
        bias_n[j] = -(float)j / 8.0f;
    ep.bias_m = bias_m;
    ep.bias_n = bias_n;
    ep.lo = -1.0f;
    ep.hi = 2.5f;
    fill_sentinel(c_buffer, (rows + 2) * ldc);

    om_gemm_store_tile(tile, nr, rows, cols, i0, j0, &ep, c, ldc);

    for (i = 0; i < rows; i++) {
        for (j = 0; j < cols; j++) {
            float want = apply_epilogue(tile[i * nr + j], bias_m, bias_n,
                                        i0 + i, j0 + j, ep.lo, ep.hi);
            if (float_bits(c[i * ldc + j]) != float_bits(want))
                fail_msg("store_tile: C[%zu][%zu] is %g, expected %g", i, j,
                         (double)c[i * ldc + j], (double)want);
        }
        check_sentinel("store_tile", "column past cols", c + i * ldc + cols,
                       ldc - cols);
    }
    check_sentinel("store_tile", "row before the tile", c_buffer, ldc);
    check_sentinel("store_tile", "row after the tile", c + rows * ldc, ldc);
}

/* ------------------------------------------------------------- tables */

/* Ensures the scalar table, which every CPU runs, is listed last. */
static void test_available_ends_with_scalar(void **state)
{
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables);

    (void)state;
    assert_ptr_equal(tables[count - 1], &om_kernels_scalar);
}

/* Ensures om_kernels_available stores at most `capacity` tables, best
 * first. */
static void test_available_respects_capacity(void **state)
{
    const om_kernels *tables[MAX_TABLES], *first[2] = {NULL, NULL};

    (void)state;
    available_tables(tables);
    assert_int_equal(om_kernels_available(first, 0), 0);
    assert_null(first[0]);
    assert_int_equal(om_kernels_available(first, 1), 1);
    assert_ptr_equal(first[0], tables[0]);
    assert_null(first[1]);
}

/* Ensures every listed table is complete: a name, every kernel and a
 * tile of at least one element. */
static void test_available_tables_are_complete(void **state)
{
    const om_kernels *tables[MAX_TABLES];
    size_t count = available_tables(tables), t;

    (void)state;
    for (t = 0; t < count; t++) {
        const om_kernels *k = tables[t];
        assert_non_null(k->isa);
        assert_non_null(k->f32_relu);
        assert_non_null(k->f32_add);
        assert_non_null(k->f32_max_window);
        assert_non_null(k->f32_max_pool_tiled);
        assert_non_null(k->f32_gemm);
        assert_non_null(k->f32_gemm_nt);
        assert_non_null(k->f32_copy_strided);
        assert_non_null(k->f32_depthwise_conv_rows);
        assert_true(k->gemm_mr >= 1);
        assert_true(k->gemm_nr >= 1);
    }
}

/* ------------------------------------------------------------- main */

#define ARENA_TEST(f) cmocka_unit_test_setup_teardown(f, arena_setup, \
                                                      arena_teardown)

int main(void)
{
    const struct CMUnitTest table_tests[] = {
        ARENA_TEST(test_available_ends_with_scalar),
        ARENA_TEST(test_available_respects_capacity),
        ARENA_TEST(test_available_tables_are_complete),
    };
    const struct CMUnitTest relu_tests[] = {
        ARENA_TEST(test_relu_lengths_match_scalar),
        ARENA_TEST(test_relu_unaligned_matches_scalar),
        ARENA_TEST(test_relu_in_place_matches_scalar),
        ARENA_TEST(test_relu_special_values),
        ARENA_TEST(test_relu_reads_within_input),
    };
    const struct CMUnitTest add_tests[] = {
        ARENA_TEST(test_add_both_vectors_match_scalar),
        ARENA_TEST(test_add_broadcast_b_matches_scalar),
        ARENA_TEST(test_add_broadcast_a_matches_scalar),
        ARENA_TEST(test_add_both_broadcast_match_scalar),
        ARENA_TEST(test_add_unaligned_matches_scalar),
        ARENA_TEST(test_add_in_place_on_a),
        ARENA_TEST(test_add_in_place_on_b),
        ARENA_TEST(test_add_special_values),
        ARENA_TEST(test_add_reads_within_inputs),
    };
    const struct CMUnitTest max_tests[] = {
        ARENA_TEST(test_max_window_lengths_match_scalar),
        ARENA_TEST(test_max_window_adjacent_rows_match_scalar),
        ARENA_TEST(test_max_window_wide_windows_match_scalar),
        ARENA_TEST(test_max_window_unaligned_matches_scalar),
        ARENA_TEST(test_max_window_nan_gives_nan),
        ARENA_TEST(test_max_window_infinities),
        ARENA_TEST(test_max_window_signed_zeros),
        ARENA_TEST(test_max_window_reads_within_input),
    };
    const struct CMUnitTest tiled_tests[] = {
        ARENA_TEST(test_max_pool_tiled_lengths_match_definition),
        ARENA_TEST(test_max_pool_tiled_row_steps_match_definition),
        ARENA_TEST(test_max_pool_tiled_one_row_planes),
        ARENA_TEST(test_max_pool_tiled_unaligned),
        ARENA_TEST(test_max_pool_tiled_nan_in_every_position),
        ARENA_TEST(test_max_pool_tiled_nan_payload_order),
        ARENA_TEST(test_max_pool_tiled_infinities),
        ARENA_TEST(test_max_pool_tiled_signed_zeros),
        ARENA_TEST(test_max_pool_tiled_reads_within_input),
    };
    const struct CMUnitTest depthwise_tests[] = {
        ARENA_TEST(test_depthwise_lengths_match_scalar),
        ARENA_TEST(test_depthwise_dropped_columns_match_scalar),
        ARENA_TEST(test_depthwise_unaligned_matches_scalar),
        ARENA_TEST(test_depthwise_clamp_matches_scalar),
        ARENA_TEST(test_depthwise_matches_definition),
        ARENA_TEST(test_depthwise_split_calls_identical),
        ARENA_TEST(test_depthwise_reads_within_input),
    };
    const struct CMUnitTest gemm_tests[] = {
        ARENA_TEST(test_gemm_no_epilogue_matches_reference),
        ARENA_TEST(test_gemm_bias_m_matches_reference),
        ARENA_TEST(test_gemm_bias_n_matches_reference),
        ARENA_TEST(test_gemm_both_biases_match_reference),
        ARENA_TEST(test_gemm_relu_clamp_matches_reference),
        ARENA_TEST(test_gemm_clamp_both_sides_matches_reference),
        ARENA_TEST(test_gemm_nan_in_a_stays_nan),
        ARENA_TEST(test_gemm_nan_in_bias_stays_nan),
        ARENA_TEST(test_gemm_shifted_rows_match_reference),
        ARENA_TEST(test_gemm_shifted_rows_with_epilogue),
        ARENA_TEST(test_gemm_segments_match_reference),
        ARENA_TEST(test_gemm_segments_epilogue),
        ARENA_TEST(test_gemm_segments_nan_in_a),
        ARENA_TEST(test_gemm_nt_matches_reference),
        ARENA_TEST(test_gemm_nt_epilogue_matches_reference),
        ARENA_TEST(test_gemm_nt_nan_in_a_stays_nan),
        ARENA_TEST(test_gemm_nt_split_calls_identical),
        ARENA_TEST(test_gemm_prefers_nt_for_narrow_outputs),
        ARENA_TEST(test_copy_strided_matches_definition),
    };
    const struct CMUnitTest pack_tests[] = {
        ARENA_TEST(test_pack_a_layout_and_padding),
        ARENA_TEST(test_pack_b_layout_and_padding),
        ARENA_TEST(test_packed_bytes_round_up_to_tile),
        ARENA_TEST(test_packed_b_rows_step_by_nr),
        ARENA_TEST(test_store_tile_applies_epilogue_to_valid_part),
    };
    const om_kernels *tables[MAX_TABLES];
    size_t count = om_kernels_available(tables, MAX_TABLES), t;
    int failures = 0;

    print_message("kernel tables under test:");
    for (t = 0; t < count; t++)
        print_message(" %s", tables[t]->isa);
    print_message("\n");

    failures += cmocka_run_group_tests_name("tables", table_tests, NULL, NULL);
    failures += cmocka_run_group_tests_name("relu", relu_tests, NULL, NULL);
    failures += cmocka_run_group_tests_name("add", add_tests, NULL, NULL);
    failures += cmocka_run_group_tests_name("max_window", max_tests, NULL,
                                            NULL);
    failures += cmocka_run_group_tests_name("max_pool_tiled", tiled_tests,
                                            NULL, NULL);
    failures += cmocka_run_group_tests_name("depthwise", depthwise_tests,
                                            NULL, NULL);
    failures += cmocka_run_group_tests_name("gemm", gemm_tests, NULL, NULL);
    failures += cmocka_run_group_tests_name("packing", pack_tests, NULL, NULL);
    return failures != 0;
}
