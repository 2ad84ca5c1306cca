# dovetail-controller: OpenFlow sessions with every vswitch, desired vs.
# installed flow reconciliation, and the unixctl commands.

bin_PROGRAMS += controller/dovetail-controller
controller_dovetail_controller_SOURCES = \
	controller/dovetail-controller.c
controller_dovetail_controller_LDADD = lib/libdovetail.la $(OVS_LIBS)
