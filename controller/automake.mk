# dovetail-controller: OpenFlow sessions with every vswitch, desired vs.
# installed flow reconciliation, and the unixctl commands.

bin_PROGRAMS += controller/dovetail-controller
controller_dovetail_controller_SOURCES = \
	controller/channel.c \
	controller/channel.h \
	controller/ctlsw.h \
	controller/dovetail-controller.c \
	controller/flowtab.c \
	controller/flowtab.h \
	controller/mcast.c \
	controller/mcast.h \
	controller/ofio.c \
	controller/ofio.h \
	controller/overlay.c \
	controller/overlay.h \
	controller/pcache.c \
	controller/pcache.h \
	controller/pcache-private.h \
	controller/pcache-template.c \
	controller/pinctrl.c \
	controller/pinctrl.h \
	controller/sarp.c \
	controller/sarp.h \
	controller/swconn.c \
	controller/swconn.h \
	controller/vlan.c \
	controller/vlan.h
controller_dovetail_controller_LDADD = ofproto-ext/libofext.la lib/libdovetail.la $(OVS_LIBS)

dist_man_MANS += controller/dovetail-controller.8
