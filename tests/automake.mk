# Unit tests (Check, reported in TAP: one PASS/FAIL line per test case)
# and system tests (autotest, tests/testsuite.at).

LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) \
	$(top_srcdir)/build-aux/tap-driver.sh

# Each unit-test program: its own .c plus the shared TAP main().
UNIT_TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
UNIT_TEST_LDADD = lib/libdovetail.la $(OVS_LIBS) $(CHECK_LIBS)

check_PROGRAMS += tests/test-dt-addr
TESTS += tests/test-dt-addr
tests_test_dt_addr_SOURCES = tests/test-dt-addr.c tests/check-tap.c \
	tests/check-tap.h
tests_test_dt_addr_CFLAGS = $(UNIT_TEST_CFLAGS)
tests_test_dt_addr_LDADD = $(UNIT_TEST_LDADD)
