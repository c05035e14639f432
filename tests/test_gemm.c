/*
 * test_gemm.c - float Gemm with a constant B through the public API.
 *
 * Gemm computes Y = alpha * A' * B' + beta * C, where A' is A or its
 * transpose (transA) and B' likewise (transB). A constant B is packed once
 * per session, into panels for the GEMM kernel or, when N is narrow, as
 * B' transposed for the dot-product kernel. Both layouts must give the
 * definition's result.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "model_builder.h"

/* Elements of the largest operand in these tests. */
#define MAX_ELEMENTS 8192

/* One Gemm case: sizes, transpositions, scales and whether C is given. */
typedef struct gemm_case {
    int64_t m, k, n;
    int trans_a, trans_b;
    float alpha, beta;
    int has_c;
} gemm_case;

/* Computes Y by the definition, in double. A is stored [K, M] when
 * transposed and B [N, K], and C is one value per column. */
static void reference_gemm(const gemm_case *g, const float *a, const float *b,
                           const float *c, float *y)
{
    for (int64_t i = 0; i < g->m; i++)
        for (int64_t j = 0; j < g->n; j++) {
            double sum = 0.0;
            for (int64_t p = 0; p < g->k; p++) {
                double av = g->trans_a ? a[p * g->m + i] : a[i * g->k + p];
                double bv = g->trans_b ? b[j * g->k + p] : b[p * g->n + j];
                sum += av * bv;
            }
            sum *= g->alpha;
            if (g->has_c)
                sum += (double)g->beta * c[j];
            y[i * g->n + j] = (float)sum;
        }
}

/* Builds the case's model with B and C as initializers, runs it and
 * compares Y with the reference. Products of multiples of 1/4 summed over
 * K <= 128, scaled by powers of two, are exact in any order. */
static void check_gemm(void **state, const gemm_case *g, uint32_t seed)
{
    float *a = mb_case_alloc(state, MAX_ELEMENTS * sizeof *a);
    float *b = mb_case_alloc(state, MAX_ELEMENTS * sizeof *b);
    float *c = mb_case_alloc(state, MAX_ELEMENTS * sizeof *c);
    float *expected = mb_case_alloc(state, MAX_ELEMENTS * sizeof *expected);
    mb_model *m;
    mb_node *node;

    assert_true(g->m * g->k <= MAX_ELEMENTS && g->k * g->n <= MAX_ELEMENTS &&
                g->m * g->n <= MAX_ELEMENTS);
    mb_random_floats(&seed, a, (size_t)(g->m * g->k));
    mb_random_floats(&seed, b, (size_t)(g->k * g->n));
    mb_random_floats(&seed, c, (size_t)g->n);
    reference_gemm(g, a, b, c, expected);

    m = mb_case_model(state, 13);
    node = mb_node_add(m, "Gemm", "gemm",
                       g->has_c ? MB_NAMES("A", "B", "C") : MB_NAMES("A", "B"),
                       MB_NAMES("Y"));
    mb_attr_int(node, "transA", g->trans_a);
    mb_attr_int(node, "transB", g->trans_b);
    mb_attr_float(node, "alpha", g->alpha);
    mb_attr_float(node, "beta", g->beta);
    if (g->trans_a)
        mb_input_data(m, "A", ONNXMINI_FLOAT, MB_DIMS(g->k, g->m), a);
    else
        mb_input_data(m, "A", ONNXMINI_FLOAT, MB_DIMS(g->m, g->k), a);
    if (g->trans_b)
        mb_initializer(m, "B", ONNXMINI_FLOAT, MB_DIMS(g->n, g->k), b, MB_RAW);
    else
        mb_initializer(m, "B", ONNXMINI_FLOAT, MB_DIMS(g->k, g->n), b, MB_RAW);
    if (g->has_c)
        mb_initializer(m, "C", ONNXMINI_FLOAT, MB_DIMS(g->n), c, MB_RAW);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);

    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(g->m, g->n),
                     expected, 0);
}

/* Runs one case for every combination of transA and transB. */
static void check_all_transpositions(void **state, gemm_case g, uint32_t seed)
{
    for (g.trans_a = 0; g.trans_a <= 1; g.trans_a++)
        for (g.trans_b = 0; g.trans_b <= 1; g.trans_b++) {
            mb_context("M %lld, K %lld, N %lld, transA %d, transB %d, "
                       "alpha %g, beta %g, C %s",
                       (long long)g.m, (long long)g.k, (long long)g.n,
                       g.trans_a, g.trans_b, (double)g.alpha, (double)g.beta,
                       g.has_c ? "given" : "absent");
            check_gemm(state, &g, seed++);
        }
}

/* Ensures narrow outputs (a classifier's 10 classes, 1 and 20 columns)
 * with long sums, the dot-product layout, match the definition. */
static void test_gemm_narrow_outputs(void **state)
{
    static const int64_t sizes[][3] = {
        {1, 64, 10}, {1, 128, 1}, {3, 96, 10}, {8, 100, 20}, {17, 65, 7},
    };

    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        gemm_case g = {sizes[i][0], sizes[i][1], sizes[i][2], 0, 0,
                       1.0f, 1.0f, 1};
        check_all_transpositions(state, g, (uint32_t)(10 + 4 * i));
    }
}

/* Ensures wide outputs, the packed-panel layout, match the definition. */
static void test_gemm_wide_outputs(void **state)
{
    static const int64_t sizes[][3] = {
        {1, 64, 100}, {5, 33, 64}, {9, 7, 40}, {2, 128, 31},
    };

    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        gemm_case g = {sizes[i][0], sizes[i][1], sizes[i][2], 0, 0,
                       1.0f, 1.0f, 1};
        check_all_transpositions(state, g, (uint32_t)(40 + 4 * i));
    }
}

/* Ensures alpha and beta scale the product and C in both layouts, and
 * that C is optional (opset 11 and later). */
static void test_gemm_alpha_beta_and_no_c(void **state)
{
    gemm_case narrow = {4, 96, 10, 0, 0, 0.5f, 2.0f, 1};
    gemm_case wide = {4, 16, 70, 0, 0, 0.5f, 2.0f, 1};

    check_all_transpositions(state, narrow, 70);
    check_all_transpositions(state, wide, 74);
    narrow.has_c = 0;
    wide.has_c = 0;
    check_all_transpositions(state, narrow, 78);
    check_all_transpositions(state, wide, 82);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        MB_TEST(test_gemm_narrow_outputs),
        MB_TEST(test_gemm_wide_outputs),
        MB_TEST(test_gemm_alpha_beta_and_no_c),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
