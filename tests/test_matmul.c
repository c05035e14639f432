/*
 * test_matmul.c - MatMul (opsets 1, 9, 13) through the public API.
 *
 * MatMul follows numpy.matmul. A 1-D A is treated as [1, K] and a 1-D B as
 * [K, 1], and that dimension is removed from the result again. Dimensions
 * before the last two are batch dimensions and broadcast numpy-style.
 * Opset 1 accepts float16, float and double; opset 9 adds int32, int64,
 * uint32 and uint64.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "model_builder.h"

#define MAX_RANK 6

/* Elements of the largest output or operand in the reference
 * comparisons. */
#define MAX_ELEMENTS 8192

/* Builds Y = MatMul(A, B) with A fed at run time and B either fed or an
 * initializer. */
static mb_model *matmul_model(void **state, int64_t opset,
                              onnxmini_dtype dtype, int rank_a,
                              const int64_t *dims_a, const void *a,
                              int rank_b, const int64_t *dims_b,
                              const void *b, int b_is_initializer)
{
    mb_model *m = mb_case_model(state, opset);

    mb_node_add(m, "MatMul", "matmul", MB_NAMES("A", "B"), MB_NAMES("Y"));
    mb_input_data(m, "A", dtype, rank_a, dims_a, a);
    if (b_is_initializer)
        mb_initializer(m, "B", dtype, rank_b, dims_b, b, MB_RAW);
    else
        mb_input_data(m, "B", dtype, rank_b, dims_b, b);
    mb_output(m, "Y", dtype, MB_NO_SHAPE, NULL);
    return m;
}

/* Reference float MatMul with numpy.matmul rules, by explicit loops. Fills
 * dims_y and returns its rank, or -1 when the shapes do not fit or the
 * output has more than `capacity` elements. */
static int reference_matmul(int rank_a, const int64_t *dims_a, const float *a,
                            int rank_b, const int64_t *dims_b, const float *b,
                            int64_t *dims_y, float *y, size_t capacity)
{
    int64_t m_size, k_size, n_size;
    int batch_a = rank_a > 2 ? rank_a - 2 : 0;
    int batch_b = rank_b > 2 ? rank_b - 2 : 0;
    int batch = batch_a > batch_b ? batch_a : batch_b;
    int64_t ba[MAX_RANK], bb[MAX_RANK], by[MAX_RANK];
    size_t batch_count = 1;
    int rank_y = 0;

    /* Matrix dimensions, promoting 1-D operands. */
    m_size = rank_a == 1 ? 1 : dims_a[rank_a - 2];
    k_size = dims_a[rank_a - 1];
    n_size = rank_b == 1 ? 1 : dims_b[rank_b - 1];
    if ((rank_b == 1 ? dims_b[0] : dims_b[rank_b - 2]) != k_size)
        return -1;

    /* Batch dimensions, left-padded with 1s and broadcast. */
    for (int i = 0; i < batch; i++) {
        int ia = i - (batch - batch_a), ib = i - (batch - batch_b);

        ba[i] = ia >= 0 ? dims_a[ia] : 1;
        bb[i] = ib >= 0 ? dims_b[ib] : 1;
        by[i] = ba[i] == 1 ? bb[i] : ba[i];
        if (ba[i] != bb[i] && ba[i] != 1 && bb[i] != 1)
            return -1;
        dims_y[rank_y++] = by[i];
        batch_count *= (size_t)by[i];
    }
    if (rank_a > 1)
        dims_y[rank_y++] = m_size;
    if (rank_b > 1)
        dims_y[rank_y++] = n_size;
    if (batch_count * (size_t)(m_size * n_size) > capacity)
        return -1;

    for (size_t flat = 0; flat < batch_count; flat++) {
        size_t rest = flat, batch_offset_a = 0, batch_offset_b = 0;
        size_t stride_a = 1, stride_b = 1;

        for (int i = batch - 1; i >= 0; i--) {
            size_t coord = rest % (size_t)by[i];

            rest /= (size_t)by[i];
            batch_offset_a += (ba[i] == 1 ? 0 : coord) * stride_a;
            batch_offset_b += (bb[i] == 1 ? 0 : coord) * stride_b;
            stride_a *= (size_t)ba[i];
            stride_b *= (size_t)bb[i];
        }

        const float *pa = a + batch_offset_a * (size_t)(m_size * k_size);
        const float *pb = b + batch_offset_b * (size_t)(k_size * n_size);
        float *py = y + flat * (size_t)(m_size * n_size);

        for (int64_t i = 0; i < m_size; i++)
            for (int64_t j = 0; j < n_size; j++) {
                float sum = 0;

                for (int64_t k = 0; k < k_size; k++)
                    sum += pa[i * k_size + k] * pb[k * n_size + j];
                py[i * n_size + j] = sum;
            }
    }
    return rank_y;
}

/* Runs MatMul on random float data of the given shapes, with B fed and
 * with B an initializer, on every kernel instruction set, and compares
 * with the reference. */
static void check_against_reference(void **state, int rank_a,
                                    const int64_t *dims_a, int rank_b,
                                    const int64_t *dims_b, uint32_t seed)
{
    const char *const isas[] = {NULL, "scalar"};
    size_t count_a = mb_element_count(rank_a, dims_a);
    size_t count_b = mb_element_count(rank_b, dims_b);
    float *a = mb_case_alloc(state, count_a * sizeof *a);
    float *b = mb_case_alloc(state, count_b * sizeof *b);
    float *expected = mb_case_alloc(state, MAX_ELEMENTS * sizeof *expected);
    int64_t dims_y[MAX_RANK];
    int rank_y;

    mb_random_floats(&seed, a, count_a);
    mb_random_floats(&seed, b, count_b);
    rank_y = reference_matmul(rank_a, dims_a, a, rank_b, dims_b, b, dims_y,
                              expected, MAX_ELEMENTS);
    assert_true(rank_y >= 0);

    for (int constant = 0; constant <= 1; constant++) {
        matmul_model(state, 13, ONNXMINI_FLOAT, rank_a, dims_a, a, rank_b,
                     dims_b, b, constant);
        for (size_t k = 0; k < sizeof isas / sizeof isas[0]; k++) {
            onnxmini_session_options options;

            onnxmini_session_options_init(&options);
            options.isa = isas[k];
            mb_result *r = mb_case_run_with(state, &options);
            mb_subcontext("B %s, isa %s", constant ? "initializer" : "fed",
                          isas[k] != NULL ? isas[k] : "default");
            mb_assert_ok(r);
            /* Products of multiples of 1/4 summed over K <= 128 are exact,
             * whatever the order of summation. */
            mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, rank_y, dims_y,
                             expected, 0);
        }
    }
}

/* Ensures a plain [2,3] x [3,4] product. */
static void test_matmul_2d(void **state)
{
    const float a[6] = {1, 2, 3, 4, 5, 6};
    const float b[12] = {1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1};
    /* B is [I | 1], so Y = [A | row sums of A]. */
    const float expected[8] = {1, 2, 3, 6, 4, 5, 6, 15};

    matmul_model(state, 13, ONNXMINI_FLOAT, MB_DIMS(2, 3), a, MB_DIMS(3, 4),
                 b, 0);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(2, 4), expected,
                     0);
}

/* Ensures a 1-D A is a row vector and the result drops that dimension:
 * [3] x [3,2] is [2]. */
static void test_matmul_1d_left(void **state)
{
    const float a[3] = {1, 2, 3};
    const float b[6] = {1, 2, 3, 4, 5, 6};
    /* [1*1 + 2*3 + 3*5, 1*2 + 2*4 + 3*6] */
    const float expected[2] = {22, 28};

    matmul_model(state, 13, ONNXMINI_FLOAT, MB_DIMS(3), a, MB_DIMS(3, 2), b,
                 0);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(2), expected, 0);
}

/* Ensures a 1-D B is a column vector and the result drops that dimension:
 * [2,3] x [3] is [2]. */
static void test_matmul_1d_right(void **state)
{
    const float a[6] = {1, 2, 3, 4, 5, 6};
    const float b[3] = {1, 0, -1};
    const float expected[2] = {-2, -2};

    matmul_model(state, 13, ONNXMINI_FLOAT, MB_DIMS(2, 3), a, MB_DIMS(3), b,
                 0);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(2), expected, 0);
}

/* Ensures two 1-D operands give their dot product as a rank-0 tensor. */
static void test_matmul_both_1d_gives_scalar(void **state)
{
    const float a[3] = {1, 2, 3};
    const float b[3] = {4, 5, 6};
    const float expected = 32;

    matmul_model(state, 13, ONNXMINI_FLOAT, MB_DIMS(3), a, MB_DIMS(3), b, 0);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, 0, NULL, &expected, 0);
}

/* Ensures batch dimensions broadcast: [2,1,3,4] x [5,4,2] is
 * [2,5,3,2]. */
static void test_matmul_broadcast_batch(void **state)
{
    check_against_reference(state, MB_DIMS(2, 1, 3, 4), MB_DIMS(5, 4, 2), 1);
}

/* Ensures equal batch dimensions pair up: [2,3,4] x [2,4,5]. */
static void test_matmul_equal_batch(void **state)
{
    check_against_reference(state, MB_DIMS(2, 3, 4), MB_DIMS(2, 4, 5), 2);
}

/* Ensures a 2-D B is shared by every batch of A: [3,2,4] x [4,5]. */
static void test_matmul_batched_left_2d_right(void **state)
{
    check_against_reference(state, MB_DIMS(3, 2, 4), MB_DIMS(4, 5), 3);
}

/* Ensures a 1-D A against a batched B: [4] x [2,4,3] is [2,3]. */
static void test_matmul_1d_left_batched_right(void **state)
{
    check_against_reference(state, MB_DIMS(4), MB_DIMS(2, 4, 3), 4);
}

/* Ensures a batched A against a 1-D B: [2,3,4] x [4] is [2,3]. */
static void test_matmul_batched_left_1d_right(void **state)
{
    check_against_reference(state, MB_DIMS(2, 3, 4), MB_DIMS(4), 5);
}

/* Ensures sizes below, at and above common register tiles (4, 8, 16 lanes;
 * 4 to 8 rows) give the reference result. */
static void test_matmul_sizes_around_tiles(void **state)
{
    static const int64_t sizes[][3] = {
        {1, 1, 1},   {1, 17, 1},  {3, 5, 7},   {4, 8, 16},  {5, 9, 17},
        {8, 16, 8},  {13, 31, 33}, {16, 64, 24}, {33, 65, 9}, {6, 128, 40},
        {64, 3, 100}, {7, 1, 31},
        /* Narrow outputs with long sums: the dot-product path. */
        {1, 64, 10}, {2, 100, 3}, {5, 128, 17}, {9, 96, 20}, {1, 128, 1},
    };

    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        mb_context("M %lld, K %lld, N %lld", (long long)sizes[i][0],
                   (long long)sizes[i][1], (long long)sizes[i][2]);
        check_against_reference(state, MB_DIMS(sizes[i][0], sizes[i][1]),
                                MB_DIMS(sizes[i][1], sizes[i][2]),
                                (uint32_t)(100 + i));
    }
}

/* Ensures an inner-dimension mismatch is an error that names the node. */
static void test_matmul_inner_mismatch_fails(void **state)
{
    const float a[6] = {0};
    const float b[8] = {0};
    mb_model *m = mb_case_model(state, 13);

    mb_node_add(m, "MatMul", "mm_bad", MB_NAMES("A", "B"), MB_NAMES("Y"));
    mb_input_data(m, "A", ONNXMINI_FLOAT, MB_DIMS(2, 3), a);
    mb_input_data(m, "B", ONNXMINI_FLOAT, MB_DIMS(4, 2), b);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_model_error(r, "mm_bad");
}

/* Ensures batch dimensions that cannot broadcast ([2,3,4] x [3,4,5]) are an
 * error. */
static void test_matmul_batch_mismatch_fails(void **state)
{
    float a[24] = {0}, b[60] = {0};
    mb_model *m = mb_case_model(state, 13);

    mb_node_add(m, "MatMul", "mm_batch", MB_NAMES("A", "B"), MB_NAMES("Y"));
    mb_input_data(m, "A", ONNXMINI_FLOAT, MB_DIMS(2, 3, 4), a);
    mb_input_data(m, "B", ONNXMINI_FLOAT, MB_DIMS(3, 4, 5), b);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_model_error(r, "mm_batch");
}

/* Ensures int64 products are exact beyond 2^53 (opset 9 adds int64). */
static void test_matmul_int64(void **state)
{
    const int64_t a[4] = {INT64_C(1) << 40, 3, -2, 5};
    const int64_t b[4] = {1 << 20, 1, 7, -1};
    /* [2^40 * 2^20 + 3 * 7, 2^40 - 3; -2 * 2^20 + 35, -2 - 5] */
    const int64_t expected[4] = {(INT64_C(1) << 60) + 21,
                                 (INT64_C(1) << 40) - 3,
                                 -(INT64_C(2) << 20) + 35, -7};

    matmul_model(state, 13, ONNXMINI_INT64, MB_DIMS(2, 2), a, MB_DIMS(2, 2),
                 b, 0);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_INT64, MB_DIMS(2, 2), expected,
                     0);
}

/* Ensures int32 products (opset 9). */
static void test_matmul_int32(void **state)
{
    const int32_t a[3] = {1000, -2000, 3};
    const int32_t b[3] = {1000, 1000, -4};
    const int32_t expected = 1000000 - 2000000 - 12;

    matmul_model(state, 9, ONNXMINI_INT32, MB_DIMS(1, 3), a, MB_DIMS(3, 1), b,
                 0);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_INT32, MB_DIMS(1, 1), &expected,
                     0);
}

/* Ensures double products keep double precision: float would round
 * 1 + 1e-10 to 1 and 1e-200 to 0. */
static void test_matmul_double(void **state)
{
    const double a[4] = {1.0, 1e-10, 1e-200, 1e-200};
    const double b[2] = {1.0, 1.0};
    const double expected[2] = {1.0 + 1e-10, 1e-200 + 1e-200};

    matmul_model(state, 13, ONNXMINI_DOUBLE, MB_DIMS(2, 2), a, MB_DIMS(2, 1),
                 b, 0);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_DOUBLE, MB_DIMS(2, 1), expected,
                     1e-15);
}

/* Ensures opset 1 MatMul runs on float. */
static void test_matmul_opset1(void **state)
{
    const float a[4] = {1, 2, 3, 4};
    const float b[4] = {0, 1, 1, 0};
    /* B swaps the columns of A. */
    const float expected[4] = {2, 1, 4, 3};

    matmul_model(state, 1, ONNXMINI_FLOAT, MB_DIMS(2, 2), a, MB_DIMS(2, 2), b,
                 0);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(2, 2), expected,
                     0);
}

/* Ensures int64 is rejected at opset 1, whose type constraint lists only
 * float16, float and double. */
static void test_matmul_int64_opset1_fails(void **state)
{
    const int64_t a[1] = {1}, b[1] = {1};
    mb_model *m = mb_case_model(state, 1);

    mb_node_add(m, "MatMul", "mm_int", MB_NAMES("A", "B"), MB_NAMES("Y"));
    mb_input_data(m, "A", ONNXMINI_INT64, MB_DIMS(1, 1), a);
    mb_input_data(m, "B", ONNXMINI_INT64, MB_DIMS(1, 1), b);
    mb_output(m, "Y", ONNXMINI_INT64, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_model_error(r, "mm_int");
}

/* Ensures MatMul followed by Add of a bias row (a pattern the library may
 * fuse) gives A x B + bias. */
static void test_matmul_then_add_bias(void **state)
{
    float a[15], b[20], bias[4], expected[12];
    uint32_t seed = 9;
    int64_t dims_y[MAX_RANK];
    mb_model *m;

    mb_random_floats(&seed, a, 15);
    mb_random_floats(&seed, b, 20);
    mb_random_floats(&seed, bias, 4);
    assert_int_equal(reference_matmul(MB_DIMS(3, 5), a, MB_DIMS(5, 4), b,
                                      dims_y, expected, 12),
                     2);
    for (int i = 0; i < 12; i++)
        expected[i] += bias[i % 4];

    m = mb_case_model(state, 13);
    mb_node_add(m, "MatMul", "matmul", MB_NAMES("A", "B"), MB_NAMES("T"));
    mb_node_add(m, "Add", "bias", MB_NAMES("T", "C"), MB_NAMES("Y"));
    mb_input_data(m, "A", ONNXMINI_FLOAT, MB_DIMS(3, 5), a);
    mb_initializer(m, "B", ONNXMINI_FLOAT, MB_DIMS(5, 4), b, MB_RAW);
    mb_initializer(m, "C", ONNXMINI_FLOAT, MB_DIMS(4), bias, MB_RAW);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(3, 4), expected,
                     0);
}

/* Ensures a narrow product (N = 10 against K = 96, computed as dot
 * products) takes a following Add and Relu: relu(A x B + bias). */
static void test_matmul_narrow_then_add_relu(void **state)
{
    enum { M = 3, K = 96, N = 10 };
    float a[M * K], b[K * N], bias[N], expected[M * N];
    uint32_t seed = 12;
    int64_t dims_y[MAX_RANK];
    mb_model *m;

    mb_random_floats(&seed, a, M * K);
    mb_random_floats(&seed, b, K * N);
    mb_random_floats(&seed, bias, N);
    assert_int_equal(reference_matmul(MB_DIMS(M, K), a, MB_DIMS(K, N), b,
                                      dims_y, expected, M * N),
                     2);
    for (int i = 0; i < M * N; i++) {
        expected[i] += bias[i % N];
        if (expected[i] < 0.0f)
            expected[i] = 0.0f;
    }

    m = mb_case_model(state, 13);
    mb_node_add(m, "MatMul", "matmul", MB_NAMES("A", "B"), MB_NAMES("T"));
    mb_node_add(m, "Add", "bias", MB_NAMES("T", "C"), MB_NAMES("U"));
    mb_node_add(m, "Relu", "relu", MB_NAMES("U"), MB_NAMES("Y"));
    mb_input_data(m, "A", ONNXMINI_FLOAT, MB_DIMS(M, K), a);
    mb_initializer(m, "B", ONNXMINI_FLOAT, MB_DIMS(K, N), b, MB_RAW);
    mb_initializer(m, "C", ONNXMINI_FLOAT, MB_DIMS(N), bias, MB_RAW);
    mb_output(m, "Y", ONNXMINI_FLOAT, MB_NO_SHAPE, NULL);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(M, N), expected,
                     0);
}

/* Ensures a zero-sized M gives an empty output of the right shape. */
static void test_matmul_zero_rows(void **state)
{
    const float b[6] = {1, 2, 3, 4, 5, 6};

    matmul_model(state, 13, ONNXMINI_FLOAT, MB_DIMS(0, 3), NULL,
                 MB_DIMS(3, 2), b, 0);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(0, 2), NULL, 0);
}

/* Ensures K = 0 gives a zero-filled output, the empty sum. */
static void test_matmul_zero_inner_gives_zeros(void **state)
{
    const float expected[6] = {0, 0, 0, 0, 0, 0};

    matmul_model(state, 13, ONNXMINI_FLOAT, MB_DIMS(2, 0), NULL,
                 MB_DIMS(0, 3), NULL, 0);
    mb_result *r = mb_case_run(state);
    mb_assert_ok(r);
    mb_assert_tensor(&r->outputs[0], ONNXMINI_FLOAT, MB_DIMS(2, 3), expected,
                     0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        MB_TEST(test_matmul_2d),
        MB_TEST(test_matmul_1d_left),
        MB_TEST(test_matmul_1d_right),
        MB_TEST(test_matmul_both_1d_gives_scalar),
        MB_TEST(test_matmul_broadcast_batch),
        MB_TEST(test_matmul_equal_batch),
        MB_TEST(test_matmul_batched_left_2d_right),
        MB_TEST(test_matmul_1d_left_batched_right),
        MB_TEST(test_matmul_batched_left_1d_right),
        MB_TEST(test_matmul_sizes_around_tiles),
        MB_TEST(test_matmul_inner_mismatch_fails),
        MB_TEST(test_matmul_batch_mismatch_fails),
        MB_TEST(test_matmul_int64),
        MB_TEST(test_matmul_int32),
        MB_TEST(test_matmul_double),
        MB_TEST(test_matmul_opset1),
        MB_TEST(test_matmul_int64_opset1_fails),
        MB_TEST(test_matmul_then_add_bias),
        MB_TEST(test_matmul_narrow_then_add_relu),
        MB_TEST(test_matmul_zero_rows),
        MB_TEST(test_matmul_zero_inner_gives_zeros),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
