/*
 * ofio: an OpenFlow connection with batched socket I/O.
 *
 * dovetail-controller's connection to one switch.  Open vSwitch's vconn
 * reads a message with two recv() calls (header, then body) and writes
 * each message with its own send(); at a policy cache miss per request
 * that is most of the controller's time (Documentation/performance.rst).
 * An ofio reads whatever the socket holds, up to OFIO_READ_SIZE at a
 * time, and hands out every complete message in it without copying (but
 * for one that arrives misaligned, after a message whose length is not a
 * multiple of 8); what is sent is appended to one buffer that goes out
 * with as few send() calls as the socket takes, once per main-loop pass
 * (ofio_run()) or when it grows past OFIO_FLUSH_SIZE.
 *
 * It speaks the OpenFlow connection setup itself: the hello exchange and
 * version negotiation (the highest version both sides allow), echo
 * replies, and an inactivity probe: an echo request after 'probe_msec'
 * in which the peer neither sent anything nor took any of what is sent to
 * it, and the connection is dead if 'probe_msec' more pass that way after
 * the request went (so a controller busy for longer than that does not
 * blame its switches).  Any stream Open vSwitch supports carries it
 * (unix:, tcp:, ssl:).
 */
#ifndef CONTROLLER_OFIO_H
#define CONTROLLER_OFIO_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ofp_header;
struct ofpbuf;
struct stream;

#define OFIO_READ_SIZE (128 * 1024)
#define OFIO_FLUSH_SIZE (256 * 1024)

/* The most one send() on a Unix domain socket carries.  Linux puts the
 * bytes of a larger write beyond about 3.7 kB in page fragments taken
 * from the page allocator.  On the development machine (a virtual
 * machine whose free memory goes back to the host) those were at times
 * pages the host had to fault in again, and copying into them was a
 * sixth of the controller's time under load; with writes this size the
 * bytes go in the socket buffer's own slab memory and the copy took 0.2%
 * in the same run.  When the pages were warm it made no difference
 * either way (Documentation/performance.rst).  A TCP socket copies into a
 * page fragment it reuses, so its writes are not split. */
#define OFIO_UNIX_SEND_SIZE 3584

struct ofio *ofio_create(struct stream *, uint32_t allowed_versions,
                         int probe_msec);
void ofio_destroy(struct ofio *);

void ofio_run(struct ofio *);
void ofio_wait(struct ofio *);

const struct ofp_header *ofio_recv(struct ofio *);
void ofio_send(struct ofio *, struct ofpbuf *);
void *ofio_put_uninit(struct ofio *, size_t n);
struct ofpbuf *ofio_tx(struct ofio *);
void ofio_flush(struct ofio *);

int ofio_get_version(const struct ofio *);
const char *ofio_get_name(const struct ofio *);
bool ofio_is_alive(const struct ofio *);
bool ofio_is_connected(const struct ofio *);
void ofio_disconnect(struct ofio *);

#endif /* controller/ofio.h */
