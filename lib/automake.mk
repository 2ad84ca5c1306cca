# libdovetail: the schema and its IDL, address and identifier parsing,
# and (later) policy resolution, pools and caches.  No I/O loop and no
# OpenFlow sockets live here.

noinst_LTLIBRARIES += lib/libdovetail.la
lib_libdovetail_la_SOURCES = \
	lib/dt-addr.c \
	lib/dt-addr.h \
	lib/dt-blueprint.c \
	lib/dt-blueprint.h \
	lib/dt-blueprint-db.c \
	lib/dt-blueprint-db.h \
	lib/dt-check.c \
	lib/dt-check.h \
	lib/dt-db.c \
	lib/dt-db.h \
	lib/dt-dps.c \
	lib/dt-dps.h \
	lib/dt-dps-idl.c \
	lib/dt-dps-idl.h \
	lib/dt-hash.h \
	lib/dt-histogram.c \
	lib/dt-histogram.h \
	lib/dt-oamap.c \
	lib/dt-oamap.h \
	lib/dt-pool.c \
	lib/dt-pool.h \
	lib/dt-pool-idl.c \
	lib/dt-pool-idl.h \
	lib/dt-slab.c \
	lib/dt-slab.h
nodist_lib_libdovetail_la_SOURCES = \
	lib/dovetail-idl.c \
	lib/dovetail-idl.h
lib_libdovetail_la_LIBADD = $(OVS_LIBS) $(JANSSON_LIBS)
lib_libdovetail_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)

pkgdata_DATA += lib/dovetail.ovsschema
EXTRA_DIST += lib/dovetail.ovsschema lib/dovetail-idl.ann

DOVETAIL_IDL_BUILT = lib/dovetail-idl.c lib/dovetail-idl.h lib/dovetail-idl.ovsidl
BUILT_SOURCES += $(DOVETAIL_IDL_BUILT)
CLEANFILES += $(DOVETAIL_IDL_BUILT)

lib/dovetail-idl.ovsidl: lib/dovetail.ovsschema lib/dovetail-idl.ann $(OVS_BUILT_STAMP)
	$(AM_V_GEN)$(MKDIR_P) lib && $(OVSDB_IDLC) annotate \
		$(srcdir)/lib/dovetail.ovsschema $(srcdir)/lib/dovetail-idl.ann \
		> $@.tmp && mv $@.tmp $@
lib/dovetail-idl.c: lib/dovetail-idl.ovsidl
	$(AM_V_GEN)$(OVSDB_IDLC) c-idl-source $< > $@.tmp && mv $@.tmp $@
lib/dovetail-idl.h: lib/dovetail-idl.ovsidl
	$(AM_V_GEN)$(OVSDB_IDLC) c-idl-header $< > $@.tmp && mv $@.tmp $@
