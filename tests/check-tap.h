/*
 * check-tap: the main() every Check unit-test program shares.  A test
 * program defines unit_suite(); main() runs it with TAP on stdout, which
 * automake's tap-driver.sh turns into one PASS/FAIL line per test case.
 */
#ifndef TESTS_CHECK_TAP_H
#define TESTS_CHECK_TAP_H 1

#include <check.h>

/* Returns the suite the program runs.  Defined by each test program. */
Suite *unit_suite(void);

#endif /* tests/check-tap.h */
