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

check_PROGRAMS += tests/test-dt-histogram
TESTS += tests/test-dt-histogram
tests_test_dt_histogram_SOURCES = tests/test-dt-histogram.c \
	tests/check-tap.c tests/check-tap.h
tests_test_dt_histogram_CFLAGS = $(UNIT_TEST_CFLAGS)
tests_test_dt_histogram_LDADD = $(UNIT_TEST_LDADD)

check_PROGRAMS += tests/test-dt-hash
TESTS += tests/test-dt-hash
tests_test_dt_hash_SOURCES = tests/test-dt-hash.c tests/check-tap.c \
	tests/check-tap.h
tests_test_dt_hash_CFLAGS = $(UNIT_TEST_CFLAGS)
tests_test_dt_hash_LDADD = $(UNIT_TEST_LDADD)

check_PROGRAMS += tests/test-dt-oamap
TESTS += tests/test-dt-oamap
tests_test_dt_oamap_SOURCES = tests/test-dt-oamap.c tests/check-tap.c \
	tests/check-tap.h
tests_test_dt_oamap_CFLAGS = $(UNIT_TEST_CFLAGS)
tests_test_dt_oamap_LDADD = $(UNIT_TEST_LDADD)

check_PROGRAMS += tests/test-dt-slab
TESTS += tests/test-dt-slab
tests_test_dt_slab_SOURCES = tests/test-dt-slab.c tests/check-tap.c \
	tests/check-tap.h
tests_test_dt_slab_CFLAGS = $(UNIT_TEST_CFLAGS)
tests_test_dt_slab_LDADD = $(UNIT_TEST_LDADD)

check_PROGRAMS += tests/test-dt-dps
TESTS += tests/test-dt-dps
tests_test_dt_dps_SOURCES = tests/test-dt-dps.c tests/check-tap.c \
	tests/check-tap.h
tests_test_dt_dps_CFLAGS = $(UNIT_TEST_CFLAGS)
tests_test_dt_dps_LDADD = $(UNIT_TEST_LDADD)

check_PROGRAMS += tests/test-dt-pool
TESTS += tests/test-dt-pool
tests_test_dt_pool_SOURCES = tests/test-dt-pool.c tests/check-tap.c \
	tests/check-tap.h
tests_test_dt_pool_CFLAGS = $(UNIT_TEST_CFLAGS)
tests_test_dt_pool_LDADD = $(UNIT_TEST_LDADD)

check_PROGRAMS += tests/test-dt-blueprint
TESTS += tests/test-dt-blueprint
tests_test_dt_blueprint_SOURCES = tests/test-dt-blueprint.c \
	tests/check-tap.c tests/check-tap.h
tests_test_dt_blueprint_CFLAGS = $(UNIT_TEST_CFLAGS) $(JANSSON_CFLAGS)
tests_test_dt_blueprint_LDADD = $(UNIT_TEST_LDADD)

check_PROGRAMS += tests/test-slowpath
TESTS += tests/test-slowpath
tests_test_slowpath_SOURCES = tests/test-slowpath.c tests/check-tap.c \
	tests/check-tap.h
tests_test_slowpath_CFLAGS = $(UNIT_TEST_CFLAGS)
tests_test_slowpath_LDADD = ofproto-ext/libofext.la $(UNIT_TEST_LDADD)

check_PROGRAMS += tests/test-pcache
TESTS += tests/test-pcache
tests_test_pcache_SOURCES = tests/test-pcache.c tests/check-tap.c \
	tests/check-tap.h controller/pcache.c controller/pcache.h \
	controller/pcache-private.h controller/pcache-template.c
tests_test_pcache_CFLAGS = $(UNIT_TEST_CFLAGS)
tests_test_pcache_LDADD = ofproto-ext/libofext.la $(UNIT_TEST_LDADD)

check_PROGRAMS += tests/test-flowtab
TESTS += tests/test-flowtab
tests_test_flowtab_SOURCES = tests/test-flowtab.c tests/check-tap.c \
	tests/check-tap.h controller/flowtab.c controller/flowtab.h
tests_test_flowtab_CFLAGS = $(UNIT_TEST_CFLAGS)
tests_test_flowtab_LDADD = ofproto-ext/libofext.la $(UNIT_TEST_LDADD)

check_PROGRAMS += tests/test-ofext
TESTS += tests/test-ofext
tests_test_ofext_SOURCES = tests/test-ofext.c tests/check-tap.c \
	tests/check-tap.h
tests_test_ofext_CFLAGS = $(UNIT_TEST_CFLAGS)
tests_test_ofext_LDADD = ofproto-ext/libofext.la $(UNIT_TEST_LDADD)

# System tests: an Autotest suite (tests/testsuite.at) that runs real
# ovsdb-server, ovs-vswitchd and dovetail processes in namespaces.
#   make check TESTSUITEFLAGS='-j2 -k harness'
TESTSUITE_AT = \
	tests/testsuite.at \
	tests/ovs-macros.at \
	tests/dovetail-macros.at \
	tests/harness.at \
	tests/dovetail-ctl.at \
	tests/fabric.at \
	tests/dps.at \
	tests/blueprint.at \
	tests/cluster.at \
	tests/policy-cache.at \
	tests/migration.at \
	tests/addr-resolution.at \
	tests/faults.at \
	tests/ofctl.at \
	tests/anycast.at \
	tests/tenant.at \
	tests/encap.at \
	tests/vlan.at \
	tests/channel.at \
	tests/sarp.at \
	tests/mcast.at \
	tests/bench.at
TESTSUITE = $(srcdir)/tests/testsuite
TESTSUITE_DIR = $(abs_top_builddir)/tests/testsuite.dir
EXTRA_DIST += \
	$(TESTSUITE_AT) \
	$(TESTSUITE) \
	tests/atlocal.in \
	$(srcdir)/tests/package.m4 \
	tests/flood.py \
	tests/odd-switch.py \
	utilities/dovetail-fabric.sh

# Our programs first, then the Open vSwitch daemons and utilities the tests
# run (ovs-vswitchd, ovsdb-server, ovsdb-tool, ovs-vsctl, ovs-ofctl,
# ovs-appctl) from the OVS build.
AUTOTEST_PATH = controller:utilities:tests:$(OVSBUILDDIR)/utilities:$(OVSBUILDDIR)/vswitchd:$(OVSBUILDDIR)/ovsdb

# RECHECK=yes runs the system tests that failed once more, as Open
# vSwitch's "make check RECHECK=yes" does, unless one of them saw a
# sanitizer report: a test that passes the second time is still listed,
# and what it left the first time is kept in testsuite.dir.first, its
# log in testsuite.log.first.
check-local: $(TESTSUITE)
	set $(SHELL) '$(TESTSUITE)' -C tests AUTOTEST_PATH='$(AUTOTEST_PATH)'; \
	"$$@" $(TESTSUITEFLAGS) || \
	(test X'$(RECHECK)' = Xyes \
	 && ! grep -rqE 'ERROR: AddressSanitizer|runtime error:' \
		'$(TESTSUITE_DIR)' \
	 && rm -rf '$(TESTSUITE_DIR).first' \
	 && cp -r '$(TESTSUITE_DIR)' '$(TESTSUITE_DIR).first' \
	 && cp tests/testsuite.log tests/testsuite.log.first \
	 && echo "RECHECK: the failed tests once more; the first attempt is in $(TESTSUITE_DIR).first" \
	 && "$$@" --recheck)

clean-local:
	test ! -f '$(TESTSUITE)' || \
		$(SHELL) '$(TESTSUITE)' -C tests --clean
	rm -rf '$(TESTSUITE_DIR)' '$(TESTSUITE_DIR).first' \
		tests/testsuite.log.first

AUTOM4TE = $(SHELL) $(top_srcdir)/build-aux/missing autom4te
AUTOTEST = $(AUTOM4TE) --language=autotest
$(TESTSUITE): $(srcdir)/tests/package.m4 $(TESTSUITE_AT)
	$(AM_V_GEN)$(AUTOTEST) -I '$(srcdir)' -I '$(srcdir)/tests' -o $@.tmp $@.at
	$(AM_V_at)mv $@.tmp $@

# The ':;' works around a Bash 3.2 bug when the output is not writable.
$(srcdir)/tests/package.m4: $(top_srcdir)/configure.ac
	$(AM_V_GEN):;{ \
	  echo '# Signature of the current package.' && \
	  echo 'm4_define([AT_PACKAGE_NAME],      [$(PACKAGE_NAME)])' && \
	  echo 'm4_define([AT_PACKAGE_TARNAME],   [$(PACKAGE_TARNAME)])' && \
	  echo 'm4_define([AT_PACKAGE_VERSION],   [$(PACKAGE_VERSION)])' && \
	  echo 'm4_define([AT_PACKAGE_STRING],    [$(PACKAGE_STRING)])' && \
	  echo 'm4_define([AT_PACKAGE_BUGREPORT], [$(PACKAGE_BUGREPORT)])'; \
	} > '$@'
