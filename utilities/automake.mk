# dovetail-ctl, the database command line, and the quick-start scripts.

bin_PROGRAMS += utilities/dovetail-ctl
utilities_dovetail_ctl_SOURCES = \
	utilities/dovetail-ctl.c \
	utilities/dtctl.h \
	utilities/dtctl-tables.c \
	utilities/dtctl-views.c
utilities_dovetail_ctl_LDADD = lib/libdovetail.la $(OVS_LIBS)

# The manual page gets the version substituted.
man_MANS += utilities/dovetail-ctl.8
EXTRA_DIST += utilities/dovetail-ctl.8.in
CLEANFILES += utilities/dovetail-ctl.8
utilities/dovetail-ctl.8: utilities/dovetail-ctl.8.in Makefile
	$(AM_V_GEN)$(MKDIR_P) utilities && \
	$(SED) -e 's|[@]VERSION[@]|$(PACKAGE_VERSION)|g' \
		$(srcdir)/utilities/dovetail-ctl.8.in > $@.tmp && mv $@.tmp $@

# dovetail-bench: benchmarks of the policy service.
bin_PROGRAMS += utilities/dovetail-bench
utilities_dovetail_bench_SOURCES = utilities/dovetail-bench.c \
	utilities/bench.h \
	utilities/bench-flowmod.c \
	utilities/bench-noise.c \
	utilities/bench-policy.c \
	utilities/bench-reflect.c \
	utilities/bench-stages.c \
	controller/ofio.c controller/ofio.h \
	controller/pcache.c controller/pcache.h \
	controller/pcache-private.h controller/pcache-template.c
utilities_dovetail_bench_LDADD = ofproto-ext/libofext.la lib/libdovetail.la $(OVS_LIBS)
dist_man_MANS += utilities/dovetail-bench.8

# dovetail-ofctl: ovs-ofctl's flow commands plus the extension actions.
bin_PROGRAMS += utilities/dovetail-ofctl
utilities_dovetail_ofctl_SOURCES = utilities/dovetail-ofctl.c
utilities_dovetail_ofctl_LDADD = ofproto-ext/libofext.la lib/libdovetail.la \
	$(OVS_LIBS)
dist_man_MANS += utilities/dovetail-ofctl.8

# dovetail-vif-plug: the hypervisor side of one VLAN per VM.
bin_SCRIPTS += utilities/dovetail-vif-plug
EXTRA_DIST += utilities/dovetail-vif-plug.in
CLEANFILES += utilities/dovetail-vif-plug
utilities/dovetail-vif-plug: utilities/dovetail-vif-plug.in Makefile
	$(AM_V_GEN)$(MKDIR_P) utilities && \
	$(SED) -e 's|[@]VERSION[@]|$(PACKAGE_VERSION)|g' \
		$(srcdir)/utilities/dovetail-vif-plug.in > $@.tmp && \
	chmod +x $@.tmp && mv $@.tmp $@
dist_man_MANS += utilities/dovetail-vif-plug.8

# The policy-service benchmark (Documentation/performance.rst): "make
# bench" runs it against the programs just built.
EXTRA_DIST += utilities/dovetail-bench-policy.sh
bench: all
	PATH="$(abs_builddir)/utilities:$(abs_builddir)/controller:$(OVSBUILDDIR)/ovsdb:$(OVSBUILDDIR)/utilities:$$PATH" \
	DT_SCHEMA=$(abs_srcdir)/lib/dovetail.ovsschema \
	$(srcdir)/utilities/dovetail-bench-policy.sh
.PHONY: bench

# The bring-up benchmark (Documentation/performance.rst): "make
# bench-bringup" runs it, as root, against the programs just built and
# Debian's OVN 23.03.
EXTRA_DIST += utilities/dovetail-bench-bringup.sh \
	utilities/dovetail-bench-probe.py
bench-bringup: all
	PATH="$(abs_builddir)/utilities:$(abs_builddir)/controller:$(OVSBUILDDIR)/ovsdb:$(OVSBUILDDIR)/utilities:$(OVSBUILDDIR)/vswitchd:$$PATH" \
	DT_SCHEMA=$(abs_srcdir)/lib/dovetail.ovsschema \
	DT_OVS_SCHEMA=$(OVSDIR)/vswitchd/vswitch.ovsschema \
	$(srcdir)/utilities/dovetail-bench-bringup.sh
.PHONY: bench-bringup

# The fabric benchmark (Documentation/performance.rst: migration, data path,
# memory): "make bench-fabric" runs it, as root, against the programs just
# built; BENCH_FABRIC="migration datapath memory" chooses the measurements
# (default all), DT_BENCH_* in the environment how much.
EXTRA_DIST += utilities/dovetail-bench-fabric.sh
bench-fabric: all
	PATH="$(abs_builddir)/utilities:$(abs_builddir)/controller:$(OVSBUILDDIR)/ovsdb:$(OVSBUILDDIR)/utilities:$(OVSBUILDDIR)/vswitchd:$$PATH" \
	DT_SCHEMA=$(abs_srcdir)/lib/dovetail.ovsschema \
	DT_OVS_SCHEMA=$(OVSDIR)/vswitchd/vswitch.ovsschema \
	$(srcdir)/utilities/dovetail-bench-fabric.sh $(BENCH_FABRIC)
.PHONY: bench-fabric
