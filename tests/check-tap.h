/*
 * check-tap: the main() every Check unit-test program shares.  A test
 * program defines unit_suite(); main() runs it with TAP on stdout, which
 * automake's tap-driver.sh turns into one PASS/FAIL line per test case.
 */
#ifndef TESTS_CHECK_TAP_H
#define TESTS_CHECK_TAP_H 1

#include <check.h>

/* Asserts that 'error' (a malloc'd error string or NULL) is NULL,
 * printing it otherwise. */
#define ck_assert_no_error(ERROR)                                   \
    do {                                                            \
        char *error_ = (ERROR);                                     \
        ck_assert_msg(!error_, "unexpected error: %s", error_);    \
    } while (0)

/* Asserts that 'error' is exactly 'expected', and frees it. */
#define ck_assert_error(ERROR, EXPECTED)                            \
    do {                                                            \
        char *error_ = (ERROR);                                     \
        ck_assert_ptr_nonnull(error_);                              \
        ck_assert_str_eq(error_, EXPECTED);                         \
        free(error_);                                               \
    } while (0)

/* Returns the suite the program runs.  Defined by each test program. */
Suite *unit_suite(void);

#endif /* tests/check-tap.h */
