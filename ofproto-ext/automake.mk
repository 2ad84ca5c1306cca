# ofproto-ext: the pipeline (table map) the controller's flows live in,
# the slow path (controller actions and the packet-ins they produce), and
# the extension actions compiled into standard OpenFlow flows.

noinst_LTLIBRARIES += ofproto-ext/libofext.la
ofproto_ext_libofext_la_SOURCES = \
	ofproto-ext/actions.c \
	ofproto-ext/actions.h \
	ofproto-ext/oftemplate.c \
	ofproto-ext/oftemplate.h \
	ofproto-ext/pipeline.h \
	ofproto-ext/slowpath.c \
	ofproto-ext/slowpath.h
ofproto_ext_libofext_la_LIBADD = lib/libdovetail.la $(OVS_LIBS)
