/*
 * swconn: an OpenFlow session with one vswitch and the reconciliation of
 * its flow tables.  See swconn.h for the state machine.
 */
#include <config.h>
#include "controller/swconn.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "controller/flowtab.h"
#include "controller/ofio.h"
#include "coverage.h"
#include "ofproto-ext/pipeline.h"
#include "openflow/openflow-1.4.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/list.h"
#include "openvswitch/ofp-bundle.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-match.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/ofp-port.h"
#include "openvswitch/ofp-print.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofp-switch.h"
#include "openvswitch/ofp-util.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "flow.h"
#include "simap.h"
#include "socket-util.h"
#include "sset.h"
#include "timeval.h"
#include "unaligned.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(swconn);

COVERAGE_DEFINE(swconn_connect);
COVERAGE_DEFINE(swconn_bundle);
COVERAGE_DEFINE(swconn_bundle_failed);
COVERAGE_DEFINE(swconn_bundle_slice);
COVERAGE_DEFINE(swconn_flow_mod);
COVERAGE_DEFINE(swconn_packet_in);
COVERAGE_DEFINE(swconn_switch_error);
COVERAGE_DEFINE(swconn_bad_message);

/* Most messages handled from one switch in one swconn_run(), so one busy
 * switch cannot starve the others. */
#define MAX_MSGS_PER_RUN SWCONN_MAX_BATCH

/* How long to wait before reading a switch's flows again after one of
 * our bundles failed, so a persistent failure cannot spin: RETRY_MSEC
 * after the first failure, twice as long after each further one in a row,
 * up to RETRY_MAX_MSEC. */
#define RETRY_MSEC 1000
#define RETRY_MAX_MSEC 32000

/* Inactivity probe interval for switch connections, in seconds. */
#define PROBE_INTERVAL 15

/* Flow_mods in one reconciliation bundle, at most: see
 * swconn_set_max_bundle(). */
static size_t max_bundle = SWCONN_DEFAULT_MAX_BUNDLE;

/* Flow_mods of a reconciliation bundle encoded in one pass, at most (see
 * reconcile()): about 10 ms of work. */
#define SWCONN_FILL_SLICE 4096

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

struct bundle_add_prefix;

struct swconn {
    struct ofio *conn;          /* The OpenFlow connection. */
    struct swconn_hooks hooks;  /* The owner's callbacks. */
    void *aux;                  /* Their argument. */
    enum swconn_state state;    /* See swconn.h. */
    long long int connected_at; /* Time the connection was accepted. */

    /* Identity, from the features reply. */
    bool features_sent;         /* Features request sent? */
    bool has_dpid;              /* Has 'dpid' been learned? */
    uint64_t dpid;              /* Datapath id. */

    /* Ports, from the port description reply and port-status messages. */
    struct simap ports;         /* Port name -> OpenFlow port number. */
    struct sset down_ports;     /* Names of ports in 'ports' that are
                                 * administratively down or have no link:
                                 * nothing sent out of them arrives. */
    bool changed;               /* Ports changed since swconn_take_changed. */
    uint64_t ports_seqno;       /* Changes with 'ports' or 'down_ports'. */

    /* Flow tables. */
    struct flowtab installed;   /* What the switch holds, as far as known. */
    struct flowtab desired;     /* What the controller wants. */
    bool has_desired;           /* Has the caller ever set 'desired'? */
    bool dirty;                 /* 'desired' or 'installed' may differ
                                 * since reconcile() last compared them. */
    bool synced;                /* If !dirty: did they agree then? */
    struct flowtab_plan plan;   /* Changes from 'installed' to 'desired',
                                 * valid while !dirty. */
    struct flowtab_changes committing; /* The pending bundle's changes. */

    /* Outstanding requests. */
    ovs_be32 ports_xid;         /* Port description request. */
    ovs_be32 dump_xid;          /* Flow-stats request. */
    bool bundle_pending;        /* A bundle is being sent ('filling') or
                                 * awaits its commit reply. */
    bool filling;               /* Its flow_mods are being sent, a slice a
                                 * pass, and its commit is not yet... */
    size_t n_filled;            /* ...after these many of them. */
    bool bundle_failed;         /* An error arrived for the pending bundle. */
    uint32_t bundle_id;         /* Id of the last bundle opened. */
    uint32_t pending_id;        /* Id of the pending bundle. */
    long long int retry_at;     /* No new dump before this time. */
    unsigned int n_failed_in_row; /* Bundles failed since one committed. */
    long long int programmed_at; /* When the switch first held exactly the
                                 * desired flows, or 0. */

    /* Statistics for switch/list. */
    unsigned int n_bundles;     /* Bundles committed. */
    unsigned int n_flow_mods;   /* Flow_mods in committed bundles. */
    unsigned int n_failures;    /* Bundles that failed. */
    unsigned int n_other_bundles; /* Bundles of swconn_send_bundle(). */

    /* Packet-ins received one after another in this swconn_run(), not yet
     * handed to the owner (they point into the connection's buffer). */
    const struct ofp_header *pins[SWCONN_MAX_BATCH];
    size_t n_pins;

    /* The bundle of the flow_mods appended to swconn_batch() while
     * 'in_run', composed in the connection's output and committed at the
     * end of the run. */
    bool in_run;
    size_t n_batched;           /* Flow_mods in it; 0 if none is open. */
    struct ofpbuf *batch_out;   /* The connection's output, and the offset
                                 * in it... */
    size_t batch_ofs;           /* ...of the bundle add message being
                                 * composed... */
    const struct bundle_add_prefix *batch_prefix; /* ...and its start. */
    unsigned int n_errors;      /* Errors the switch reported. */
};

static void swconn_process(struct swconn *, const struct ofpbuf *);
static void flush_packet_ins(struct swconn *);
static struct ofpbuf *batch_begin_msg(struct swconn *);
static void batch_end_msg(struct swconn *);
static void send_batch(struct swconn *);
static void process_features_reply(struct swconn *,
                                   const struct ofp_header *);
static void process_port_desc_reply(struct swconn *,
                                    const struct ofp_header *);
static void put_port(struct swconn *, const struct ofputil_phy_port *);
static void process_port_status(struct swconn *, const struct ofp_header *);
static void process_flow_stats_reply(struct swconn *,
                                     const struct ofp_header *);
static void process_bundle_reply(struct swconn *, const struct ofp_header *);
static void process_error(struct swconn *, const struct ofp_header *);
static void start_dump(struct swconn *);
static void reconcile(struct swconn *);
static void send_msg(struct swconn *, struct ofpbuf *);
static enum ofp_version swconn_version(const struct swconn *);

const char *
swconn_state_name(enum swconn_state state)
{
    switch (state) {
#define SWCONN_STATE(NAME, STR) case SWCONN_##NAME: return STR;
        SWCONN_STATES
#undef SWCONN_STATE
    }
    return "<unknown>";
}

/* Creates a session on 'stream', a connection just accepted from a switch,
 * and takes ownership of it. */
struct swconn *
swconn_create(struct stream *stream, const struct swconn_hooks *hooks,
              void *aux)
{
    struct swconn *sw = xzalloc(sizeof *sw);

    sw->hooks = *hooks;
    sw->aux = aux;
    COVERAGE_INC(swconn_connect);
    sw->conn = ofio_create(stream, OFPUTIL_DEFAULT_VERSIONS,
                           PROBE_INTERVAL * 1000);
    sw->state = SWCONN_FEATURES;
    sw->connected_at = time_msec();
    simap_init(&sw->ports);
    sset_init(&sw->down_ports);
    flowtab_init(&sw->installed);
    flowtab_init(&sw->desired);
    flowtab_plan_init(&sw->plan);
    flowtab_changes_init(&sw->committing);
    VLOG_INFO("%s: switch connected", ofio_get_name(sw->conn));
    return sw;
}

void
swconn_destroy(struct swconn *sw)
{
    if (sw) {
        if (sw->has_dpid) {
            VLOG_INFO("%016"PRIx64": switch disconnected", sw->dpid);
        }
        ofio_destroy(sw->conn);
        simap_destroy(&sw->ports);
        sset_destroy(&sw->down_ports);
        flowtab_plan_destroy(&sw->plan);   /* It points into both. */
        flowtab_destroy_later(&sw->installed);
        flowtab_destroy_later(&sw->desired);
        flowtab_changes_destroy(&sw->committing);
        free(sw);
    }
}

/* Processes what 'sw' received and sends what it owes.  Never blocks.
 * Returns the number of messages it processed. */
size_t
swconn_run(struct swconn *sw)
{
    ofio_run(sw->conn);

    if (sw->state == SWCONN_FEATURES && !sw->features_sent
        && ofio_get_version(sw->conn) > 0) {
        /* Version negotiated: ask the switch who it is. */
        sw->features_sent = true;
        send_msg(sw, ofpraw_alloc(OFPRAW_OFPT_FEATURES_REQUEST,
                                  swconn_version(sw), 0));
    }

    sw->in_run = true;
    size_t n_msgs;
    for (n_msgs = 0; n_msgs < MAX_MSGS_PER_RUN; n_msgs++) {
        const struct ofp_header *oh = ofio_recv(sw->conn);
        if (!oh) {
            break;
        }
        struct ofpbuf msg;
        ofpbuf_use_const(&msg, oh, ntohs(oh->length));
        swconn_process(sw, &msg);
    }
    flush_packet_ins(sw);
    sw->in_run = false;
    send_batch(sw);
    /* The answers go now, not at the next pass: the switch (and the
     * packets it holds back) works on them while the other switches'
     * messages are processed. */
    ofio_flush(sw->conn);

    if (sw->state == SWCONN_DUMP && !sw->dump_xid
        && time_msec() >= sw->retry_at) {
        start_dump(sw);
    }
    if (sw->state == SWCONN_READY && sw->has_desired
        && (sw->filling
            || (!sw->bundle_pending
                && (sw->dirty || flowtab_plan_left(&sw->plan))))) {
        reconcile(sw);
    }
    if (!sw->programmed_at && swconn_is_synced(sw)) {
        sw->programmed_at = time_msec();
        VLOG_INFO("%016"PRIx64": programmed %lld ms after connecting",
                  sw->dpid, sw->programmed_at - sw->connected_at);
    }
    return n_msgs;
}

void
swconn_wait(struct swconn *sw)
{
    ofio_wait(sw->conn);
    if (sw->state == SWCONN_DUMP && !sw->dump_xid) {
        poll_timer_wait_until(sw->retry_at);
    }
}

bool
swconn_is_alive(const struct swconn *sw)
{
    return ofio_is_alive(sw->conn);
}

/* Stores the switch's datapath id in '*dpid' and returns true, if it is
 * known yet. */
bool
swconn_get_dpid(const struct swconn *sw, uint64_t *dpid)
{
    *dpid = sw->dpid;
    return sw->has_dpid;
}

/* Returns the switch's ports, name -> OpenFlow port number. */
const struct simap *
swconn_get_ports(const struct swconn *sw)
{
    return &sw->ports;
}

/* Returns the names of the switch's ports that are down (administratively
 * or without link): a packet output to one is lost. */
const struct sset *
swconn_get_down_ports(const struct swconn *sw)
{
    return &sw->down_ports;
}

/* Returns a number that changes whenever swconn_get_ports() or
 * swconn_get_down_ports() does, so that a caller can keep what it derives
 * from them until then. */
uint64_t
swconn_get_ports_seqno(const struct swconn *sw)
{
    return sw->ports_seqno;
}

/* Returns true once the switch's identity and ports are known, that is,
 * when the caller can compute the flows it wants for it. */
bool
swconn_ports_known(const struct swconn *sw)
{
    return sw->state == SWCONN_DUMP || sw->state == SWCONN_READY;
}

/* Returns true, once, after the switch's identity or ports changed, so
 * the caller computes its desired flows again. */
bool
swconn_take_changed(struct swconn *sw)
{
    bool changed = sw->changed;
    sw->changed = false;
    return changed;
}

/* Replaces the flows the controller wants on 'sw' by the contents of
 * 'desired', which is left empty. */
void
swconn_set_desired(struct swconn *sw, struct flowtab *desired)
{
    flowtab_plan_clear(&sw->plan);     /* It points into 'desired'. */
    flowtab_clear_later(&sw->desired);
    flowtab_swap(&sw->desired, desired);
    sw->has_desired = true;
    sw->dirty = true;
    if (sw->state == SWCONN_READY && !sw->bundle_pending) {
        reconcile(sw);
    }
}

/* Sets the number of flow_mods one reconciliation bundle carries, at
 * most, to 'n' (at least 1).  A larger difference goes in several bundles,
 * one after another, each atomic: the switch answers each commit, so it
 * is seen to be alive, and neither side holds the whole difference
 * encoded at once. */
void
swconn_set_max_bundle(size_t n)
{
    max_bundle = MAX(n, 1);
}

/* Returns true if 'sw' holds exactly the flows the controller wants (as
 * reconcile() last found, which it does whenever either may have
 * changed: comparing whole tables on every call would cost more than the
 * rest of the main loop), and its ports have not changed since (which
 * changes what the controller wants; swconn_take_changed()). */
bool
swconn_is_synced(const struct swconn *sw)
{
    return (sw->state == SWCONN_READY && sw->has_desired && !sw->changed
            && !sw->bundle_pending && !sw->dirty && sw->synced);
}

/* Returns true if 'sw' is READY: its flows have been read back, and it
 * may be sent flow_mods and packet-outs. */
bool
swconn_is_ready(const struct swconn *sw)
{
    return sw->state == SWCONN_READY && ofio_is_connected(sw->conn);
}

/* Returns the protocol to encode messages to a READY 'sw' in. */
enum ofputil_protocol
swconn_get_protocol(const struct swconn *sw)
{
    return ofputil_protocol_from_ofp_version(swconn_version(sw));
}

/* Sends 'msg' to 'sw', taking ownership. */
void
swconn_send(struct swconn *sw, struct ofpbuf *msg)
{
    send_msg(sw, msg);
}

/* Returns the buffer of what is to be sent to 'sw', to which a caller may
 * append whole messages, their lengths set (a packet-out from a template),
 * instead of handing swconn_send() one of its own. */
struct ofpbuf *
swconn_output(struct swconn *sw)
{
    return ofio_tx(sw->conn);
}

/* Sends the flow_mods in 'msgs' (a list of struct ofpbuf, emptied) to 'sw'
 * as one atomic, ordered bundle, besides (and never confused with) the
 * bundles that reconcile desired and installed flows.  An error the
 * switch reports for it is logged and counted. */
void
swconn_send_bundle(struct swconn *sw, struct ovs_list *msgs)
{
    struct ofpbuf *msg;

    send_batch(sw);             /* A bundle of its own, first. */
    LIST_FOR_EACH_POP (msg, list_node, msgs) {
        ofpbuf_put(batch_begin_msg(sw), msg->data, msg->size);
        batch_end_msg(sw);
        ofpbuf_delete(msg);
    }
    send_batch(sw);
}

/* Returns the buffer to which to append one flow_mod (a whole message, its
 * length set) for 'sw' to send in a bundle, as swconn_send_bundle() does;
 * call swconn_batch_added() right after, with nothing else sent to 'sw'
 * in between.  While 'sw' processes what it received (from a packet-in
 * callback), the flow_mods of all the packet-ins of the run go in one
 * bundle, committed when they are all processed: one bundle open and
 * commit for a batch of policy cache entries instead of one each, and no
 * message of its own for each.  Each flow_mod is encoded in place in the
 * connection's output, in its bundle add message: other messages sent
 * meanwhile (the packet-outs of the packets that missed) go between them,
 * which OpenFlow allows (a message outside a bundle is executed as it
 * arrives, before the bundle's commit, as it was when they went first). */
struct ofpbuf *
swconn_batch(struct swconn *sw)
{
    return batch_begin_msg(sw);
}

void
swconn_batch_added(struct swconn *sw)
{
    batch_end_msg(sw);
    if (!sw->in_run) {
        send_batch(sw);
    }
}

/* The start of a bundle add message for 'version', up to the message it
 * carries: what ofputil_encode_bundle_add() writes there, and the offsets
 * of the fields that differ from one to the next. */
struct bundle_add_prefix {
    uint8_t bytes[32];
    size_t len;
    size_t bundle_id_ofs, flags_ofs;
};

static const struct bundle_add_prefix *
get_bundle_add_prefix(enum ofp_version version)
{
    static struct bundle_add_prefix prefixes[OFP15_VERSION + 1];
    struct bundle_add_prefix *p = &prefixes[version];

    if (!p->len) {
        /* Encoded around an empty message, with recognizable values. */
        struct ofp_header dummy = {
            .version = version,
            .length = htons(sizeof dummy),
        };
        struct ofputil_bundle_add_msg bam = {
            .bundle_id = 0x0b0c0d0e,
            .flags = 0x0506,
            .msg = &dummy,
        };
        struct ofpbuf *msg = ofputil_encode_bundle_add(version, &bam);
        const uint8_t *b = msg->data;

        p->len = msg->size - sizeof dummy;
        ovs_assert(p->len >= 16 && p->len <= sizeof p->bytes);
        memcpy(p->bytes, b, p->len);
        p->bundle_id_ofs = p->len - 8;  /* struct ofp14_bundle_ctrl_msg */
        p->flags_ofs = p->len - 2;
        ovs_assert(get_unaligned_be32(ALIGNED_CAST(const ovs_be32 *,
                                                   b + p->bundle_id_ofs))
                   == htonl(bam.bundle_id));
        ovs_assert(b[p->flags_ofs] == 0x05 && b[p->flags_ofs + 1] == 0x06);
        ofpbuf_delete(msg);
    }
    return p;
}

/* The flags of the bundles of swconn_batch() and swconn_send_bundle(). */
#define BATCH_FLAGS (OFPBF_ATOMIC | OFPBF_ORDERED)

/* Starts a bundle add message in 'sw''s output, opening a bundle first if
 * none is: the part before the message it carries, to be completed by
 * batch_end_msg() once the message follows.  Returns the output, to which
 * the caller appends that message (and nothing else: until then the
 * output must not be sent, so not even ofio_tx() may be called). */
static struct ofpbuf *
batch_begin_msg(struct swconn *sw)
{
    enum ofp_version version = swconn_version(sw);
    if (!sw->n_batched) {
        COVERAGE_INC(swconn_bundle);
        struct ofputil_bundle_ctrl_msg bc = {
            .bundle_id = ++sw->bundle_id,
            .type = OFPBCT_OPEN_REQUEST,
            .flags = BATCH_FLAGS,
        };
        send_msg(sw, ofputil_encode_bundle_ctrl_request(version, &bc));
    }

    const struct bundle_add_prefix *p = get_bundle_add_prefix(version);
    struct ofpbuf *out = ofio_tx(sw->conn);
    sw->batch_out = out;
    sw->batch_ofs = out->size;
    sw->batch_prefix = p;
    uint8_t *prefix = ofpbuf_put(out, p->bytes, p->len);
    ovs_be32 bundle_id = htonl(sw->bundle_id);
    ovs_be16 flags = htons(BATCH_FLAGS);
    memcpy(prefix + p->bundle_id_ofs, &bundle_id, sizeof bundle_id);
    memcpy(prefix + p->flags_ofs, &flags, sizeof flags);
    return out;
}

/* Completes the bundle add message that batch_begin_msg() started, now
 * that the message it carries follows it in the output: its length, and
 * the transaction id of that message, as ofputil_encode_bundle_add()
 * gives. */
static void
batch_end_msg(struct swconn *sw)
{
    const struct bundle_add_prefix *p = sw->batch_prefix;
    const struct ofpbuf *out = sw->batch_out;
    uint8_t *msg = (uint8_t *) out->data + sw->batch_ofs;
    const uint8_t *inner = msg + p->len;
    size_t len = out->size - sw->batch_ofs;

    /* One whole message, of a length a message may have.  Read by bytes:
     * a packet-out before it in the output may have any length. */
    ovs_be16 inner_len;
    ovs_assert(len >= p->len + sizeof(struct ofp_header));
    memcpy(&inner_len, inner + offsetof(struct ofp_header, length),
           sizeof inner_len);
    ovs_assert(len == p->len + ntohs(inner_len) && len <= UINT16_MAX);
    ovs_be16 total = htons(len);
    memcpy(msg + offsetof(struct ofp_header, length), &total, sizeof total);
    memcpy(msg + offsetof(struct ofp_header, xid),
           inner + offsetof(struct ofp_header, xid), sizeof(ovs_be32));
    sw->n_batched++;
    COVERAGE_INC(swconn_flow_mod);
}

/* Commits the bundle that swconn_batch() or swconn_send_bundle() opened in
 * 'sw''s output, if one is open. */
static void
send_batch(struct swconn *sw)
{
    if (!sw->n_batched) {
        return;
    }
    struct ofputil_bundle_ctrl_msg bc = {
        .bundle_id = sw->bundle_id,
        .type = OFPBCT_COMMIT_REQUEST,
        .flags = BATCH_FLAGS,
    };
    send_msg(sw, ofputil_encode_bundle_ctrl_request(swconn_version(sw),
                                                    &bc));
    sw->n_batched = 0;
    sw->n_other_bundles++;
}

/* Returns the name of 'sw''s port 'port', or NULL if it has none. */
const char *
swconn_port_name(const struct swconn *sw, ofp_port_t port)
{
    const struct simap_node *node;

    SIMAP_FOR_EACH (node, &sw->ports) {
        if (node->data == ofp_to_u16(port)) {
            return node->name;
        }
    }
    return NULL;
}

/* Returns how long after connecting 'sw' first held exactly the flows
 * the controller wants, in milliseconds, or -1 if it has not yet. */
long long int
swconn_programmed_msec(const struct swconn *sw)
{
    return sw->programmed_at ? sw->programmed_at - sw->connected_at : -1;
}

/* Returns the number of flows 'sw' is believed to hold. */
size_t
swconn_count_flows(const struct swconn *sw)
{
    return flowtab_count(&sw->installed);
}

/* Appends one line describing 'sw' to 's', with " synced" at its end if
 * 'synced' (the caller knows whether the flows 'sw' wants are current;
 * swconn_is_synced() is only part of that). */
void
swconn_format(const struct swconn *sw, bool synced, struct ds *s)
{
    if (sw->has_dpid) {
        ds_put_format(s, "%016"PRIx64, sw->dpid);
    } else {
        ds_put_cstr(s, "(unknown dpid)");
    }
    ds_put_format(s, " %s state=%s version=%s ports=%zu flows=%zu "
                  "desired=%s bundles=%u flow_mods=%u failures=%u "
                  "cache_bundles=%u errors=%u connected=%llds%s",
                  ofio_get_name(sw->conn), swconn_state_name(sw->state),
                  ofio_get_version(sw->conn) > 0
                  ? ofputil_version_to_string(ofio_get_version(sw->conn))
                  : "none",
                  simap_count(&sw->ports), flowtab_count(&sw->installed),
                  sw->has_desired ? "yes" : "no", sw->n_bundles,
                  sw->n_flow_mods, sw->n_failures, sw->n_other_bundles,
                  sw->n_errors,
                  (time_msec() - sw->connected_at) / 1000,
                  synced ? " synced" : "");
}

/* Appends 'sw''s installed (or desired) flows to 's'. */
void
swconn_format_flows(const struct swconn *sw, bool installed, struct ds *s)
{
    flowtab_format(installed ? &sw->installed : &sw->desired, s);
}

static enum ofp_version
swconn_version(const struct swconn *sw)
{
    int version = ofio_get_version(sw->conn);
    ovs_assert(version > 0 && version < 0xff);
    return version;
}

static void
send_msg(struct swconn *sw, struct ofpbuf *b)
{
    ofio_send(sw->conn, b);
}

/* Hands the packet-ins gathered in 'sw' to its owner. */
static void
flush_packet_ins(struct swconn *sw)
{
    if (sw->n_pins) {
        size_t n = sw->n_pins;
        sw->n_pins = 0;
        sw->hooks.packet_ins(sw, sw->pins, n, sw->aux);
    }
}

/* Is 'msg' an NXT_PACKET_IN2 (an experimenter message of Nicira's, subtype
 * 30), by its header? */
static bool
is_nx_packet_in2(const struct ofpbuf *msg)
{
    const struct ofp_header *oh = msg->data;
    ovs_be32 ids[2];            /* Experimenter id, subtype. */

    if (msg->size < sizeof *oh + sizeof ids
        || oh->type != 4 /* OFPT_VENDOR, OFPT_EXPERIMENTER */) {
        return false;
    }
    memcpy(ids, oh + 1, sizeof ids);
    return ids[0] == htonl(NX_VENDOR_ID) && ids[1] == htonl(30);
}

static void
swconn_process(struct swconn *sw, const struct ofpbuf *msg)
{
    const struct ofp_header *oh = msg->data;
    enum ofptype type;

    if (is_nx_packet_in2(msg)) {
        /* The message of the hot path, known by its header: the packet-in
         * hook decodes and checks all of it (sp_decode_packet_in()). */
        type = OFPTYPE_PACKET_IN;
    } else if (ofptype_decode(&type, oh)) {
        COVERAGE_INC(swconn_bad_message);
        VLOG_WARN_RL(&rl, "%s: undecodable message",
                     ofio_get_name(sw->conn));
        return;
    }

    if (type == OFPTYPE_PACKET_IN) {
        COVERAGE_INC(swconn_packet_in);
        if (sw->state == SWCONN_READY) {
            ovs_assert(sw->n_pins < SWCONN_MAX_BATCH);
            sw->pins[sw->n_pins++] = oh;
        }
        return;
    }
    /* What came before goes first. */
    flush_packet_ins(sw);

    /* An if-chain rather than a switch: most of the many message types
     * are ignored, and -Wswitch-enum would have us list them all. */
    if (type == OFPTYPE_FEATURES_REPLY) {
        process_features_reply(sw, oh);
    } else if (type == OFPTYPE_PORT_DESC_STATS_REPLY) {
        process_port_desc_reply(sw, oh);
    } else if (type == OFPTYPE_PORT_STATUS) {
        process_port_status(sw, oh);
    } else if (type == OFPTYPE_FLOW_STATS_REPLY) {
        process_flow_stats_reply(sw, oh);
    } else if (type == OFPTYPE_BUNDLE_CONTROL) {
        process_bundle_reply(sw, oh);
    } else if (type == OFPTYPE_ERROR) {
        process_error(sw, oh);
    } else if (VLOG_IS_DBG_ENABLED()) {
        char *s = ofp_to_string(oh, msg->size, NULL, NULL, 1);
        VLOG_DBG_RL(&rl, "%s: ignored: %s", ofio_get_name(sw->conn), s);
        free(s);
    }
}

static void
process_features_reply(struct swconn *sw, const struct ofp_header *oh)
{
    struct ofputil_switch_features features;
    struct ofpbuf b = ofpbuf_const_initializer(oh, ntohs(oh->length));
    enum ofperr error;

    if (sw->state != SWCONN_FEATURES) {
        return;
    }
    error = ofputil_pull_switch_features(&b, &features);
    if (error) {
        COVERAGE_INC(swconn_bad_message);
        VLOG_WARN_RL(&rl, "%s: bad features reply: %s",
                     ofio_get_name(sw->conn), ofperr_to_string(error));
        ofio_disconnect(sw->conn);
        return;
    }
    sw->dpid = features.datapath_id;
    sw->has_dpid = true;
    sw->changed = true;
    VLOG_INFO("%s: datapath id %016"PRIx64, ofio_get_name(sw->conn),
              sw->dpid);

    /* Only NXT_PACKET_IN2 carries a controller action's userdata, which
     * says what the packet is for (ofproto-ext/slowpath.h). */
    send_msg(sw, ofputil_encode_set_packet_in_format(
                 swconn_version(sw), OFPUTIL_PACKET_IN_NXT2));

    struct ofpbuf *req = ofputil_encode_port_desc_stats_request(
        swconn_version(sw), OFPP_ANY);
    sw->ports_xid = ((struct ofp_header *) req->data)->xid;
    simap_clear(&sw->ports);
    sset_clear(&sw->down_ports);
    sw->ports_seqno++;
    sw->state = SWCONN_PORTS;
    send_msg(sw, req);
}

static void
process_port_desc_reply(struct swconn *sw, const struct ofp_header *oh)
{
    struct ofpbuf b = ofpbuf_const_initializer(oh, ntohs(oh->length));
    struct ofputil_phy_port pp;
    int error;

    if (sw->state != SWCONN_PORTS || oh->xid != sw->ports_xid) {
        return;
    }
    ofpraw_pull_assert(&b);
    while (!(error = ofputil_pull_phy_port(oh->version, &b, &pp))) {
        put_port(sw, &pp);
    }
    if (error != EOF) {
        COVERAGE_INC(swconn_bad_message);
        VLOG_WARN_RL(&rl, "%016"PRIx64": bad port description reply",
                     sw->dpid);
    }
    if (!ofpmp_more(oh)) {
        sw->changed = true;
        sw->state = SWCONN_DUMP;
        start_dump(sw);
    }
}

static void
process_port_status(struct swconn *sw, const struct ofp_header *oh)
{
    struct ofputil_port_status ps;
    enum ofperr error = ofputil_decode_port_status(oh, &ps);

    if (error) {
        COVERAGE_INC(swconn_bad_message);
        VLOG_WARN_RL(&rl, "%016"PRIx64": bad port status: %s", sw->dpid,
                     ofperr_to_string(error));
        return;
    }
    if (sw->state == SWCONN_FEATURES || sw->state == SWCONN_PORTS) {
        /* The port description reply, still to come or in progress, will
         * be at least as fresh. */
        return;
    }
    if (ps.reason == OFPPR_DELETE) {
        simap_find_and_delete(&sw->ports, ps.desc.name);
        sset_find_and_delete(&sw->down_ports, ps.desc.name);
        sw->ports_seqno++;
    } else {
        put_port(sw, &ps.desc);
    }
    VLOG_DBG("%016"PRIx64": port %s %s", sw->dpid, ps.desc.name,
             ps.reason == OFPPR_DELETE ? "deleted" : "added or modified");
    sw->changed = true;
}

/* Records port 'pp' (added or modified) and whether it is down. */
static void
put_port(struct swconn *sw, const struct ofputil_phy_port *pp)
{
    simap_put(&sw->ports, pp->name, ofp_to_u16(pp->port_no));
    if (pp->config & OFPUTIL_PC_PORT_DOWN
        || pp->state & OFPUTIL_PS_LINK_DOWN) {
        sset_add(&sw->down_ports, pp->name);
    } else {
        sset_find_and_delete(&sw->down_ports, pp->name);
    }
    sw->ports_seqno++;
}

/* Asks the switch for every flow it holds. */
static void
start_dump(struct swconn *sw)
{
    struct ofputil_flow_stats_request fsr = {
        .out_port = OFPP_ANY,
        .out_group = OFPG_ANY,
        .table_id = 0xff,
    };
    enum ofputil_protocol protocol;
    struct ofpbuf *req;

    match_init_catchall(&fsr.match);
    protocol = ofputil_protocol_from_ofp_version(swconn_version(sw));
    req = ofputil_encode_flow_stats_request(&fsr, protocol);
    sw->dump_xid = ((struct ofp_header *) req->data)->xid;
    flowtab_plan_clear(&sw->plan);
    flowtab_clear_later(&sw->installed);
    sw->hooks.cache_reset(sw, sw->aux);
    send_msg(sw, req);
}

static void
process_flow_stats_reply(struct swconn *sw, const struct ofp_header *oh)
{
    struct ofpbuf b = ofpbuf_const_initializer(oh, ntohs(oh->length));
    uint64_t ofpacts_stub[1024 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(ofpacts_stub);

    if (sw->state != SWCONN_DUMP || !sw->dump_xid || oh->xid != sw->dump_xid) {
        return;
    }
    for (;;) {
        struct ofputil_flow_stats fs;
        int retval = ofputil_decode_flow_stats_reply(&fs, &b, false,
                                                     &ofpacts);
        if (retval) {
            if (retval != EOF) {
                COVERAGE_INC(swconn_bad_message);
                VLOG_WARN_RL(&rl, "%016"PRIx64": bad flow stats reply",
                             sw->dpid);
            }
            break;
        }
        if (pl_cookie_is_cache(ntohll(fs.cookie))) {
            sw->hooks.cache_flow(sw, &fs, sw->aux);
        } else {
            flowtab_add_stats(&sw->installed, &fs);
        }
    }
    ofpbuf_uninit(&ofpacts);

    if (!ofpmp_more(oh)) {
        VLOG_INFO("%016"PRIx64": switch holds %zu flows", sw->dpid,
                  flowtab_count(&sw->installed));
        sw->dump_xid = 0;
        sw->state = SWCONN_READY;
        sw->dirty = true;
    }
}

/* Sends the next changes that turn the installed flows into the desired
 * ones, as one atomic bundle of at most 'max_bundle' flow_mods, finding
 * the changes first if 'desired' or 'installed' may have moved.  Marks
 * 'sw' synced if there is nothing left to change.
 *
 * A bundle's flow_mods go SWCONN_FILL_SLICE a call, one call a pass, and
 * the commit after the last: encoding 65536 of them took 170 ms, during
 * which every switch's packet-ins waited.  If 'desired' changes
 * meanwhile, the bundle is committed with what it has. */
static void
reconcile(struct swconn *sw)
{
    enum ofp_version version = swconn_version(sw);
    struct ofputil_bundle_ctrl_msg bc = {
        .bundle_id = sw->pending_id,
        .flags = OFPBF_ATOMIC | OFPBF_ORDERED,
    };
    struct ofpbuf *msg;

    if (!sw->filling) {
        if (sw->dirty) {
            flowtab_plan(&sw->plan, &sw->desired, &sw->installed);
            sw->dirty = false;
        }
        sw->synced = !flowtab_plan_left(&sw->plan);
        if (sw->synced) {
            return;
        }

        COVERAGE_INC(swconn_bundle);
        bc.bundle_id = ++sw->bundle_id;
        bc.type = OFPBCT_OPEN_REQUEST;
        send_msg(sw, ofputil_encode_bundle_ctrl_request(version, &bc));
        sw->bundle_pending = true;
        sw->bundle_failed = false;
        sw->pending_id = bc.bundle_id;
        sw->filling = true;
        sw->n_filled = 0;
    }

    struct ovs_list msgs = OVS_LIST_INITIALIZER(&msgs);
    size_t left = flowtab_plan_left(&sw->plan);
    size_t n = flowtab_plan_take(
        &sw->plan, MIN(SWCONN_FILL_SLICE, max_bundle - sw->n_filled),
        ofputil_protocol_from_ofp_version(version), &msgs, &sw->committing);
    COVERAGE_ADD(swconn_flow_mod, n);
    LIST_FOR_EACH_POP (msg, list_node, &msgs) {
        if (VLOG_IS_DBG_ENABLED()) {
            char *s = ofp_to_string(msg->data, msg->size, NULL, NULL, 1);
            VLOG_DBG("%016"PRIx64": bundle %"PRIu32": %s", sw->dpid,
                     bc.bundle_id, s);
            free(s);
        }
        struct ofputil_bundle_add_msg bam = {
            .bundle_id = bc.bundle_id,
            .flags = bc.flags,
            .msg = msg->data,
        };
        send_msg(sw, ofputil_encode_bundle_add(version, &bam));
        ofpbuf_delete(msg);
    }
    sw->n_filled += n;
    left -= n;
    if (left && sw->n_filled < max_bundle) {
        /* More of this bundle at the next pass, which comes at once. */
        COVERAGE_INC(swconn_bundle_slice);
        poll_immediate_wake();
        return;
    }

    bc.type = OFPBCT_COMMIT_REQUEST;
    send_msg(sw, ofputil_encode_bundle_ctrl_request(version, &bc));
    sw->filling = false;

    if (left) {
        VLOG_INFO("%016"PRIx64": bundle %"PRIu32" with %zu flow_mods "
                  "(%zu more to follow)", sw->dpid, bc.bundle_id,
                  sw->n_filled, left);
    } else {
        VLOG_INFO("%016"PRIx64": bundle %"PRIu32" with %zu flow_mods",
                  sw->dpid, bc.bundle_id, sw->n_filled);
    }
    sw->n_flow_mods += sw->n_filled;
}

static void
bundle_done(struct swconn *sw, bool ok)
{
    sw->bundle_pending = false;
    if (ok) {
        sw->n_bundles++;
        sw->n_failed_in_row = 0;
        flowtab_apply(&sw->installed, &sw->committing);
        /* The rest of the plan, if any, still holds, unless 'desired'
         * changed meanwhile (which set 'dirty'). */
        sw->synced = !sw->dirty && !flowtab_plan_left(&sw->plan);
    } else {
        long long int delay = RETRY_MSEC;
        for (unsigned int i = 0; i < sw->n_failed_in_row
                 && delay < RETRY_MAX_MSEC; i++) {
            delay *= 2;
        }
        delay = MIN(delay, RETRY_MAX_MSEC);

        COVERAGE_INC(swconn_bundle_failed);
        sw->n_failures++;
        sw->n_failed_in_row++;
        VLOG_WARN_RL(&rl, "%016"PRIx64": bundle %"PRIu32" failed; reading "
                     "the switch's flows again in %lld ms", sw->dpid,
                     sw->pending_id, delay);
        flowtab_changes_clear(&sw->committing);
        flowtab_plan_clear(&sw->plan);
        sw->dirty = true;
        sw->state = SWCONN_DUMP;
        sw->dump_xid = 0;
        sw->retry_at = time_msec() + delay;
    }
}

static void
process_bundle_reply(struct swconn *sw, const struct ofp_header *oh)
{
    struct ofputil_bundle_ctrl_msg bc;

    if (ofputil_decode_bundle_ctrl(oh, &bc)) {
        COVERAGE_INC(swconn_bad_message);
        return;
    }
    if (sw->bundle_pending && bc.bundle_id == sw->pending_id
        && bc.type == OFPBCT_COMMIT_REPLY) {
        bundle_done(sw, !sw->bundle_failed);
    }
}

/* If 'request', what an error message quotes of the request it is about,
 * is a bundle control or bundle add request, returns true and stores its
 * bundle id in '*bundle_id' and whether it was a commit in '*commit'.  A
 * switch reports a bundle's failure that way: OVS quotes the failed
 * request, whose bundle id comes first after its header, both for a
 * flow_mod it rejected as it was added and for one it could not apply at
 * the commit (and then also the commit). */
static bool
error_bundle(const struct ofpbuf *request, uint32_t *bundle_id,
             bool *commit)
{
    struct ofpbuf b = *request;
    enum ofptype type;

    if (ofptype_pull(&type, &b)
        || (type != OFPTYPE_BUNDLE_CONTROL
            && type != OFPTYPE_BUNDLE_ADD_MESSAGE)
        || b.size < sizeof(struct ofp14_bundle_ctrl_msg)) {
        return false;
    }
    const struct ofp14_bundle_ctrl_msg *bcm = b.data;
    *bundle_id = ntohl(bcm->bundle_id);
    *commit = (type == OFPTYPE_BUNDLE_CONTROL
               && bcm->type == htons(OFPBCT_COMMIT_REQUEST));
    return true;
}

static void
process_error(struct swconn *sw, const struct ofp_header *oh)
{
    struct ofpbuf request;      /* A copy of what the error quotes. */
    enum ofperr error = ofperr_decode_msg(oh, &request);
    uint32_t bundle_id;
    bool commit;
    bool for_bundle = error && error_bundle(&request, &bundle_id, &commit);

    ofpbuf_uninit(&request);
    COVERAGE_INC(swconn_switch_error);
    sw->n_errors++;
    if (!for_bundle) {
        VLOG_WARN_RL(&rl, "%016"PRIx64": switch reported error: %s",
                     sw->dpid, ofperr_to_string(error));
        return;
    }
    VLOG_WARN_RL(&rl, "%016"PRIx64": switch reported error for bundle "
                 "%"PRIu32"%s: %s", sw->dpid, bundle_id,
                 commit ? "'s commit" : "", ofperr_to_string(error));

    /* Only an error for the pending reconciliation bundle fails it; one for
     * a bundle of policy cache entries (swconn_send_bundle() and
     * swconn_batch()), or for any other message sent while it was filling,
     * does not.  The error for its commit comes last, instead of the
     * commit reply. */
    if (sw->bundle_pending && bundle_id == sw->pending_id) {
        sw->bundle_failed = true;
        if (commit) {
            bundle_done(sw, false);
        }
    }
}
