/*
 * oftemplate: OpenFlow messages made once and then copied, with the
 * fields that differ from copy to copy written in place.
 *
 * Encoding a message with Open vSwitch's encoders (a flow_mod, a
 * packet-in) costs microseconds; copying one costs nanoseconds.  A
 * template is a message encoded with a sentinel in each field that
 * varies: a value that no real message carries and that the encoding
 * holds exactly once, so that its offset is where that field goes.  The
 * controller installs its policy-cache entries from templates
 * (controller/pcache.c), and dovetail-bench's policy benchmark sends its
 * packet-ins and checks the answers with them
 * (utilities/bench-policy.c).  Each user checks in its tests that a
 * filled-in template is byte for byte what the encoder gives.
 */
#ifndef OFPROTO_EXT_OFTEMPLATE_H
#define OFPROTO_EXT_OFTEMPLATE_H 1

#include <stddef.h>

struct ofpbuf;

/* Returns the offset of the only copy of the 'n' bytes at 'p' in 'msg', or
 * SIZE_MAX if there is none or more than one. */
size_t oftemplate_find_once(const struct ofpbuf *msg, const void *p,
                            size_t n);

#endif /* ofproto-ext/oftemplate.h */
