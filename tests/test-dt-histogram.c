/*
 * Unit tests for lib/dt-histogram: exact below 256, within 1/128 above,
 * never below the exact percentile nor above the largest value.
 */
#include <config.h>
#include "tests/check-tap.h"

#include <inttypes.h>
#include <stdlib.h>

#include "lib/dt-histogram.h"
#include "util.h"

START_TEST(test_empty)
{
    struct dt_histogram h;

    dt_histogram_init(&h);
    ck_assert_uint_eq(dt_histogram_quantile(&h, 0.5), 0);
    ck_assert_uint_eq(h.n, 0);
    ck_assert_uint_eq(h.max, 0);
}
END_TEST

START_TEST(test_small_values_exact)
{
    struct dt_histogram h;

    dt_histogram_init(&h);
    for (uint32_t v = 0; v < 256; v++) {
        dt_histogram_add(&h, v);
    }
    ck_assert_uint_eq(h.n, 256);
    ck_assert_uint_eq(dt_histogram_quantile(&h, 0), 0);
    ck_assert_uint_eq(dt_histogram_quantile(&h, 0.5), 128);
    ck_assert_uint_eq(dt_histogram_quantile(&h, 0.99), 253);
    ck_assert_uint_eq(dt_histogram_quantile(&h, 1), 255);
}
END_TEST

START_TEST(test_rounds_up_to_bucket)
{
    struct dt_histogram h;

    dt_histogram_init(&h);
    dt_histogram_add(&h, 1000);     /* Bucket [1000, 1003]. */
    dt_histogram_add(&h, 2000);     /* Bucket [2000, 2007]. */
    dt_histogram_add(&h, 2001);
    ck_assert_uint_eq(dt_histogram_quantile(&h, 0), 1003);
    ck_assert_uint_eq(dt_histogram_quantile(&h, 0.5), 2001);   /* Max. */
    ck_assert_uint_eq(h.max, 2001);

    dt_histogram_add(&h, 4000);     /* Bucket [4000, 4015]. */
    dt_histogram_add(&h, 5000);
    ck_assert_uint_eq(dt_histogram_quantile(&h, 0.5), 2007);
    ck_assert_uint_eq(dt_histogram_quantile(&h, 0.7), 4015);
}
END_TEST

START_TEST(test_extremes)
{
    struct dt_histogram h;

    dt_histogram_init(&h);
    dt_histogram_add(&h, UINT32_MAX);
    dt_histogram_add(&h, UINT32_MAX - 1);
    dt_histogram_add(&h, 256);
    ck_assert_uint_eq(dt_histogram_quantile(&h, 0), 257);
    ck_assert_uint_eq(dt_histogram_quantile(&h, 0.5), UINT32_MAX);
    ck_assert_uint_eq(dt_histogram_quantile(&h, 1), UINT32_MAX);
    ck_assert_uint_eq(h.counts[DT_HISTOGRAM_BUCKETS - 1], 2);
}
END_TEST

static int
compare_u32(const void *a_, const void *b_)
{
    uint32_t a = *(const uint32_t *) a_;
    uint32_t b = *(const uint32_t *) b_;
    return a < b ? -1 : a > b;
}

/* Against the exact percentiles of a sorted copy, over values spread
 * from tens of nanoseconds to seconds. */
START_TEST(test_against_sorted)
{
    enum { N = 100000 };
    static const double qs[] = { 0, 0.5, 0.9, 0.99, 0.999, 0.9999, 1 };
    uint32_t *values = xmalloc(N * sizeof *values);
    struct dt_histogram h;
    uint32_t seed = 12345;

    dt_histogram_init(&h);
    for (size_t i = 0; i < N; i++) {
        seed = seed * 1103515245 + 12345;
        unsigned int bits = 5 + (seed >> 16) % 27;
        seed = seed * 1103515245 + 12345;
        values[i] = ((uint64_t) seed << 16 ^ seed) & ((1ull << bits) - 1);
        dt_histogram_add(&h, values[i]);
    }
    qsort(values, N, sizeof *values, compare_u32);
    ck_assert_uint_eq(h.max, values[N - 1]);
    for (size_t i = 0; i < ARRAY_SIZE(qs); i++) {
        uint32_t exact = values[MIN(N - 1, (size_t) (qs[i] * N))];
        uint32_t got = dt_histogram_quantile(&h, qs[i]);
        ck_assert_msg(got >= exact && got <= exact + exact / 128,
                      "q %g: exact %"PRIu32", histogram %"PRIu32,
                      qs[i], exact, got);
    }
    free(values);
}
END_TEST

Suite *
unit_suite(void)
{
    Suite *s = suite_create("dt-histogram");
    TCase *tc = tcase_create("histogram");

    tcase_add_test(tc, test_empty);
    tcase_add_test(tc, test_small_values_exact);
    tcase_add_test(tc, test_rounds_up_to_bucket);
    tcase_add_test(tc, test_extremes);
    tcase_add_test(tc, test_against_sorted);
    suite_add_tcase(s, tc);
    return s;
}
