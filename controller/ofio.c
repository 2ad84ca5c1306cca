/*
 * ofio: an OpenFlow connection with batched socket I/O.  See ofio.h.
 */
#include <config.h>
#include "controller/ofio.h"

#include <errno.h>
#include <string.h>

#include "coverage.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-print.h"
#include "openvswitch/ofp-util.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "stream.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(ofio);

COVERAGE_DEFINE(ofio_recv);
COVERAGE_DEFINE(ofio_read);
COVERAGE_DEFINE(ofio_write);
COVERAGE_DEFINE(ofio_realign);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* Message types that are the same in every OpenFlow version. */
#define OFPT_HELLO 0
#define OFPT_ECHO_REQUEST 2

enum ofio_state {
    OFIO_CONNECTING,            /* The stream is being set up (SSL). */
    OFIO_HELLO,                 /* Hello sent, waiting for the peer's. */
    OFIO_CONNECTED,             /* Version negotiated. */
    OFIO_DEAD,                  /* Closed, or an error. */
};

struct ofio {
    struct stream *stream;
    char *name;
    enum ofio_state state;
    uint32_t allowed_versions;
    int version;                /* Negotiated, or -1. */

    struct ofpbuf rx;           /* Bytes read and not yet handed out. */
    size_t rx_ofs;              /* Offset of the next message in 'rx'. */
    void **copies;              /* Copies handed out of messages that were
                                 * misaligned in 'rx', freed at the next
                                 * ofio_run(). */
    size_t n_copies, allocated_copies;
    struct ofpbuf tx;           /* Bytes to send... */
    size_t max_send;            /* ...at most this many per send(). */

    /* The peer is alive while it sends or takes what is sent to it.
     * After 'probe_msec' of neither it gets an echo request, and after
     * 'probe_msec' more without a sign of life it is given up on. */
    int probe_msec;
    long long int last_alive;   /* When something last arrived, or the
                                 * peer last took some of 'tx'. */
    uint64_t tx_bytes;          /* Bytes sent, in all. */
    uint64_t tx_bytes_seen;     /* 'tx_bytes' at the last ofio_run(). */
    long long int probe_sent;   /* When the echo request went, or 0 if none
                                 * since 'last_alive'. */
};

static void ofio_fail(struct ofio *, int error, const char *what);
static void ofio_alive(struct ofio *, long long int now);
static void ofio_read(struct ofio *);
static const struct ofp_header *next_message(struct ofio *);
static void free_copies(struct ofio *);
static void process_hello(struct ofio *, const struct ofp_header *);

/* Creates a connection on 'stream' (taking ownership), allowing the
 * OpenFlow versions in 'allowed_versions' (a bitmap of OFP*_VERSION), and
 * sends the hello. */
struct ofio *
ofio_create(struct stream *stream, uint32_t allowed_versions,
            int probe_msec)
{
    struct ofio *io = xzalloc(sizeof *io);

    io->stream = stream;
    io->name = xstrdup(stream_get_name(stream));
    io->max_send = (!strncmp(io->name, "unix", 4) ? OFIO_UNIX_SEND_SIZE
                    : SIZE_MAX);
    io->state = OFIO_CONNECTING;
    io->allowed_versions = allowed_versions;
    io->version = -1;
    ofpbuf_init(&io->rx, OFIO_READ_SIZE);
    ofpbuf_init(&io->tx, 4096);
    io->probe_msec = probe_msec;
    io->last_alive = time_msec();

    struct ofpbuf *hello = ofputil_encode_hello(allowed_versions);
    ofpbuf_put(&io->tx, hello->data, hello->size);
    ofpbuf_delete(hello);
    return io;
}

void
ofio_destroy(struct ofio *io)
{
    if (io) {
        stream_close(io->stream);
        free_copies(io);
        free(io->copies);
        ofpbuf_uninit(&io->rx);
        ofpbuf_uninit(&io->tx);
        free(io->name);
        free(io);
    }
}

/* Sets the stream up, sends what is queued, reads what arrived, and
 * probes a silent peer.  Never blocks. */
void
ofio_run(struct ofio *io)
{
    if (io->state == OFIO_DEAD) {
        return;
    }
    free_copies(io);
    stream_run(io->stream);
    if (io->state == OFIO_CONNECTING) {
        int error = stream_connect(io->stream);
        if (error == EAGAIN) {
            return;
        } else if (error) {
            ofio_fail(io, error, "connect");
            return;
        }
        io->state = OFIO_HELLO;
    }

    ofio_flush(io);
    ofio_read(io);

    long long int now = time_msec();
    if (io->tx_bytes != io->tx_bytes_seen) {
        io->tx_bytes_seen = io->tx_bytes;
        ofio_alive(io, now);
    }
    if (io->state == OFIO_CONNECTED && io->probe_msec > 0) {
        /* Time spent here without running (a long computation) does not
         * count against the peer: it is given up on only 'probe_msec'
         * after the echo request went. */
        if (io->probe_sent && now >= io->probe_sent + io->probe_msec) {
            VLOG_INFO("%s: no response to inactivity probe after %lld "
                      "seconds, disconnecting", io->name,
                      (now - io->last_alive) / 1000);
            ofio_fail(io, 0, NULL);
        } else if (!io->probe_sent && now >= io->last_alive + io->probe_msec) {
            io->probe_sent = now;
            ofio_send(io, ofputil_encode_echo_request(io->version));
            ofio_flush(io);
            io->tx_bytes_seen = io->tx_bytes;
        }
    }
}

void
ofio_wait(struct ofio *io)
{
    if (io->state == OFIO_DEAD) {
        return;
    }
    stream_run_wait(io->stream);
    if (io->state == OFIO_CONNECTING) {
        stream_connect_wait(io->stream);
        return;
    }
    if (io->rx_ofs < io->rx.size) {
        /* A message may be complete in 'rx' already. */
        if (next_message(io)) {
            poll_immediate_wake();
        }
    }
    stream_recv_wait(io->stream);
    if (io->tx.size) {
        stream_send_wait(io->stream);
    }
    if (io->state == OFIO_CONNECTED && io->probe_msec > 0) {
        poll_timer_wait_until((io->probe_sent ? io->probe_sent
                               : io->last_alive) + io->probe_msec);
    }
}

/* Returns the next message received, or NULL if none is complete.  The
 * message stays valid until the next call to ofio_run() (so a caller may
 * gather several before it processes them), and it is 8-byte aligned, as
 * Open vSwitch's decoders expect.  Hellos and echo requests are handled
 * here and never returned. */
const struct ofp_header *
ofio_recv(struct ofio *io)
{
    for (;;) {
        const struct ofp_header *oh = next_message(io);
        if (!oh) {
            if (io->rx_ofs && io->rx_ofs == io->rx.size) {
                io->rx.size = io->rx_ofs = 0;
            }
            return NULL;
        }
        io->rx_ofs += ntohs(oh->length);
        COVERAGE_INC(ofio_recv);

        if (io->state == OFIO_HELLO) {
            process_hello(io, oh);
            continue;
        } else if (oh->version != io->version) {
            VLOG_WARN_RL(&rl, "%s: received OpenFlow version %#"PRIx8" != "
                         "negotiated %#x", io->name, oh->version,
                         io->version);
            ofio_fail(io, EPROTO, NULL);
            return NULL;
        } else if (oh->type == OFPT_ECHO_REQUEST) {
            ofio_send(io, ofputil_encode_echo_reply(oh));
            continue;
        }
        return oh;
    }
}

/* Queues 'msg' to be sent, taking ownership.  Sent by ofio_run(), or
 * at once if a lot is queued. */
void
ofio_send(struct ofio *io, struct ofpbuf *msg)
{
    if (io->state != OFIO_DEAD) {
        ofpmsg_update_length(msg);
        ofpbuf_put(&io->tx, msg->data, msg->size);
        if (io->tx.size >= OFIO_FLUSH_SIZE) {
            ofio_flush(io);
        }
    }
    ofpbuf_delete(msg);
}

/* Appends 'n' uninitialized bytes to what is queued and returns them, for
 * a caller that composes messages in place: it must fill them with whole
 * messages, lengths set, before anything else is sent.  (What is put on a
 * dead connection is never sent.) */
void *
ofio_put_uninit(struct ofio *io, size_t n)
{
    return ofpbuf_put_uninit(ofio_tx(io), n);
}

/* Returns the buffer of what is queued, for a caller that appends to it
 * whole messages, lengths set, as ofio_put_uninit() describes. */
struct ofpbuf *
ofio_tx(struct ofio *io)
{
    if (io->tx.size >= OFIO_FLUSH_SIZE) {
        ofio_flush(io);
    }
    return &io->tx;
}

/* Sends as much of what is queued as the socket takes now. */
void
ofio_flush(struct ofio *io)
{
    if (io->state == OFIO_CONNECTING || io->state == OFIO_DEAD) {
        return;
    }
    while (io->tx.size) {
        ssize_t n = stream_send(io->stream, io->tx.data,
                                MIN(io->tx.size, io->max_send));
        if (n > 0) {
            COVERAGE_INC(ofio_write);
            ofpbuf_pull(&io->tx, n);
            io->tx_bytes += n;
        } else if (n == -EAGAIN) {
            break;
        } else {
            ofio_fail(io, n ? -n : EPIPE, "send");
            return;
        }
    }
    if (!io->tx.size) {
        /* Back to the start of the buffer. */
        ofpbuf_clear(&io->tx);
    }
}

/* Returns the negotiated OpenFlow version, or -1 before that. */
int
ofio_get_version(const struct ofio *io)
{
    return io->state == OFIO_CONNECTED ? io->version : -1;
}

const char *
ofio_get_name(const struct ofio *io)
{
    return io->name;
}

/* Is the connection still open? */
bool
ofio_is_alive(const struct ofio *io)
{
    return io->state != OFIO_DEAD;
}

/* Is the connection open, with a version negotiated? */
bool
ofio_is_connected(const struct ofio *io)
{
    return io->state == OFIO_CONNECTED;
}

void
ofio_disconnect(struct ofio *io)
{
    ofio_fail(io, 0, NULL);
}

static void
ofio_fail(struct ofio *io, int error, const char *what)
{
    if (io->state != OFIO_DEAD) {
        if (error == EOF) {
            VLOG_INFO("%s: connection closed by peer", io->name);
        } else if (error) {
            VLOG_WARN_RL(&rl, "%s: %s: %s", io->name, what ? what : "error",
                         ovs_strerror(error));
        }
        io->state = OFIO_DEAD;
    }
}

/* Notes that the peer showed it is alive at 'now'. */
static void
ofio_alive(struct ofio *io, long long int now)
{
    io->last_alive = now;
    io->probe_sent = 0;
}

/* Reads what the socket holds, up to OFIO_READ_SIZE. */
static void
ofio_read(struct ofio *io)
{
    if (io->rx.size - io->rx_ofs >= OFIO_READ_SIZE) {
        return;                 /* Enough not handed out yet. */
    }
    if (io->rx_ofs) {
        /* Keep only what was not handed out yet. */
        size_t left = io->rx.size - io->rx_ofs;
        memmove(io->rx.data, (char *) io->rx.data + io->rx_ofs, left);
        io->rx.size = left;
        io->rx_ofs = 0;
    }
    ofpbuf_prealloc_tailroom(&io->rx, OFIO_READ_SIZE);
    ssize_t n = stream_recv(io->stream, ofpbuf_tail(&io->rx),
                            OFIO_READ_SIZE);
    if (n > 0) {
        COVERAGE_INC(ofio_read);
        io->rx.size += n;
        ofio_alive(io, time_msec());
    } else if (n == 0) {
        ofio_fail(io, EOF, NULL);
    } else if (n != -EAGAIN) {
        ofio_fail(io, -n, "recv");
    }
}

/* Returns the complete message at 'rx_ofs' in 'rx', or NULL.  A message
 * whose length field is shorter than a header kills the connection.
 *
 * A message that follows one whose length is not a multiple of 8 (which
 * OpenFlow allows: an error carrying part of a request, a packet-in of
 * OpenFlow 1.0 to 1.3, an echo with any payload) is misaligned in 'rx',
 * and reading it through Open vSwitch's structures is undefined (the
 * sanitizer build stops on it): such a message is handed out as an
 * aligned copy.  NXT_PACKET_IN2, the message of the hot path, is padded
 * to 8 bytes, so copies are rare. */
static const struct ofp_header *
next_message(struct ofio *io)
{
    size_t left = io->rx.size - io->rx_ofs;
    if (io->state == OFIO_DEAD || left < sizeof(struct ofp_header)) {
        return NULL;
    }
    const uint8_t *msg = (const uint8_t *) io->rx.data + io->rx_ofs;
    ovs_be16 len_be;
    memcpy(&len_be, msg + offsetof(struct ofp_header, length),
           sizeof len_be);
    size_t len = ntohs(len_be);
    if (len < sizeof(struct ofp_header)) {
        VLOG_WARN_RL(&rl, "%s: received too-short ofp_header (%"PRIuSIZE
                     " bytes)", io->name, len);
        ofio_fail(io, EPROTO, NULL);
        return NULL;
    } else if (len > left) {
        return NULL;
    } else if (!((uintptr_t) msg % 8)) {
        return ALIGNED_CAST(const struct ofp_header *, msg);
    }

    COVERAGE_INC(ofio_realign);
    if (io->n_copies >= io->allocated_copies) {
        io->copies = x2nrealloc(io->copies, &io->allocated_copies,
                                sizeof *io->copies);
    }
    void *copy = xmemdup(msg, len);
    io->copies[io->n_copies++] = copy;
    return copy;
}

static void
free_copies(struct ofio *io)
{
    for (size_t i = 0; i < io->n_copies; i++) {
        free(io->copies[i]);
    }
    io->n_copies = 0;
}

/* Negotiates the version from the peer's first message 'oh', which must
 * be a hello. */
static void
process_hello(struct ofio *io, const struct ofp_header *oh)
{
    uint32_t theirs;

    if (oh->type != OFPT_HELLO) {
        VLOG_WARN_RL(&rl, "%s: received message type %"PRIu8" before hello",
                     io->name, oh->type);
        ofio_fail(io, EPROTO, NULL);
        return;
    }
    ofputil_decode_hello(oh, &theirs);
    uint32_t common = io->allowed_versions & theirs;
    if (!common) {
        VLOG_WARN_RL(&rl, "%s: no OpenFlow version in common (we allow "
                     "%#"PRIx32", the peer %#"PRIx32")", io->name,
                     io->allowed_versions, theirs);
        struct ofpbuf *error = ofperr_encode_hello(
            OFPERR_OFPHFC_INCOMPATIBLE, oh->version < OFP10_VERSION
            ? OFP10_VERSION : oh->version, "no common version");
        ofpbuf_put(&io->tx, error->data, error->size);
        ofpbuf_delete(error);
        ofio_flush(io);
        ofio_fail(io, 0, NULL);
        return;
    }
    io->version = leftmost_1bit_idx(common);
    io->state = OFIO_CONNECTED;
    poll_immediate_wake();      /* The owner may now talk. */
    VLOG_DBG("%s: negotiated OpenFlow version %#x", io->name, io->version);
}
