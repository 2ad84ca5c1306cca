/*
 * bench-flowmod: the "flowmod" subcommand of dovetail-bench, which
 * measures how fast a running ovs-vswitchd installs flows, to decide how
 * the controller should expire its reactive policy-cache flows: with a
 * hard_timeout the switch enforces, or by deleting them itself.
 *
 * It connects to one switch (an OpenFlow 1.4 or 1.5 vconn, so that
 * bundles are native) and, for each mode, empties the test table, sends
 * N distinct flow_mods, waits until the switch says they are done,
 * checks with an aggregate-stats request that the table holds exactly
 * the flows it should, and reports the flow_mods per second:
 *
 *   single-timeout    N OFPFC_ADDs with hard_timeout=300, one message each,
 *                     all sent without waiting, then a barrier; timed
 *                     until the barrier reply.
 *   bundle-timeout    The same adds inside OFPBF_ATOMIC | OFPBF_ORDERED
 *                     bundles of at most --bundle-size flows (open, adds,
 *                     commit for each, all pipelined); timed until the
 *                     last commit reply.
 *   single-notimeout  As single-timeout, without a hard_timeout.
 *   bundle-notimeout  As bundle-timeout, without a hard_timeout.
 *   bundle-delete     What expiry by the controller costs: installs the N
 *                     flows (untimed), then deletes them with
 *                     OFPFC_DELETE_STRICTs in bundles as above; timed
 *                     until the last commit reply, and the table must end
 *                     up empty.
 *
 * Flow i (0 <= i < N) is
 *
 *   table=T, priority=100, metadata=100, reg1=0x1234, ip,
 *   nw_dst=10.0.0.0+i, cookie=(mode << 32) + i, actions=output:1
 *
 * Every message is encoded before the clock starts, so the time is the
 * switch's (and the socket's), not ours.  Any OpenFlow error reply, or a
 * flow count other than expected, makes the exit status 1.
 */
#include <config.h>

#include "utilities/bench.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "byte-order.h"
#include "command-line.h"
#include "openflow/openflow.h"
#include "openvswitch/json.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-bundle.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofp-util.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/util.h"
#include "openvswitch/vconn.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "socket-util.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(bench_flowmod);

/* The modes, in the order they run:
 *
 *     FLOWMOD_MODE(ENUM, NAME, BUNDLE, TIMEOUT, DELETE)
 *
 * BUNDLE: in bundles rather than one message at a time; TIMEOUT: the adds
 * carry a hard_timeout; DELETE: deletes the flows rather than adding. */
#define FLOWMOD_MODES                                                   \
    FLOWMOD_MODE(SINGLE_TIMEOUT,   "single-timeout",   false, true,  false) \
    FLOWMOD_MODE(BUNDLE_TIMEOUT,   "bundle-timeout",   true,  true,  false) \
    FLOWMOD_MODE(SINGLE_NOTIMEOUT, "single-notimeout", false, false, false) \
    FLOWMOD_MODE(BUNDLE_NOTIMEOUT, "bundle-notimeout", true,  false, false) \
    FLOWMOD_MODE(BUNDLE_DELETE,    "bundle-delete",    true,  false, true)

enum flowmod_mode_id {
#define FLOWMOD_MODE(ENUM, NAME, BUNDLE, TIMEOUT, DELETE) FLOWMOD_##ENUM,
    FLOWMOD_MODES
#undef FLOWMOD_MODE
    FLOWMOD_N_MODES
};

/* One mode, see FLOWMOD_MODES. */
struct flowmod_mode {
    const char *name;           /* As in --mode and the output. */
    bool bundle;                /* In bundles, not one message at a time. */
    bool timeout;               /* Adds carry FLOWMOD_HARD_TIMEOUT. */
    bool delete;                /* Deletes the flows instead of adding. */
};

static const struct flowmod_mode flowmod_modes[FLOWMOD_N_MODES] = {
#define FLOWMOD_MODE(ENUM, NAME, BUNDLE, TIMEOUT, DELETE) \
    [FLOWMOD_##ENUM] = { NAME, BUNDLE, TIMEOUT, DELETE },
    FLOWMOD_MODES
#undef FLOWMOD_MODE
};

/* The hard_timeout of the *-timeout modes, in seconds: longer than any
 * run, so that no flow expires before it is counted. */
#define FLOWMOD_HARD_TIMEOUT 300

/* The test flows' priority, metadata and reg1 (see the top comment). */
#define FLOWMOD_PRIORITY 100
#define FLOWMOD_METADATA 100
#define FLOWMOD_REG1 0x1234

/* Flows go to 10.0.0.0 + i, so there can be at most this many. */
#define FLOWMOD_MAX_FLOWS (1u << 24)

/* Bundle flags. */
#define FLOWMOD_BUNDLE_FLAGS (OFPBF_ATOMIC | OFPBF_ORDERED)

/* Error replies printed per batch; the rest are only counted. */
#define FLOWMOD_MAX_PRINTED_ERRORS 10

/* The parameters of a "flowmod" run. */
struct flowmod_params {
    const char *target;         /* The switch's vconn name. */
    unsigned int n_flows;       /* Flows per mode (--flows). */
    unsigned int bundle_size;   /* Most flow_mods per bundle. */
    uint8_t table_id;           /* The test table (--table). */
    unsigned int modes;         /* 1 << enum flowmod_mode_id per mode. */
    bool json;                  /* --format=json. */
};

/* What one mode measured. */
struct flowmod_result {
    bool ran;                   /* Did this mode run? */
    bool ok;                    /* No error replies, right flow count. */
    double seconds;             /* Time from first send to last reply. */
};

/* A reply that ends a batch: a barrier reply, or a bundle control reply
 * to an open or a commit. */
struct flowmod_awaited {
    ovs_be32 xid;               /* Of the request. */
    enum ofptype type;          /* Type of the reply expected. */
    uint16_t bundle_type;       /* If a bundle reply, OFPBCT_*_REPLY. */
    bool replied;               /* Reply (or error) received? */
};

/* A sequence of requests, encoded ahead of time, and the replies that say
 * the switch has processed them all. */
struct flowmod_batch {
    /* The requests, sent in order (sending consumes them). */
    struct ofpbuf **msgs;
    size_t n_msgs, allocated_msgs;

    /* The replies to wait for, in the order they are due. */
    struct flowmod_awaited *awaited;
    size_t n_awaited, allocated_awaited;
    size_t n_replied;           /* Number with 'replied' true. */
    size_t next;                /* First index not yet replied. */

    unsigned int n_errors;      /* Error replies and unexpected replies. */
};

/* The connection to the switch. */
struct flowmod_conn {
    struct vconn *vconn;                /* Connected. */
    enum ofp_version version;           /* Negotiated: 1.4 or 1.5. */
    enum ofputil_protocol protocol;     /* For 'version'. */
};

static void flowmod_parse(int argc, char *argv[], struct flowmod_params *);
OVS_NO_RETURN static void flowmod_usage(void);
static bool flowmod_run_mode(struct flowmod_conn *,
                             const struct flowmod_params *,
                             enum flowmod_mode_id, struct flowmod_result *);
static bool flowmod_clear_table(struct flowmod_conn *,
                                const struct flowmod_params *);
static void flowmod_encode(const struct flowmod_conn *,
                           const struct flowmod_params *,
                           enum flowmod_mode_id, bool bundle, bool delete,
                           struct flowmod_batch *);
static struct ofpbuf *flowmod_encode_flow(const struct flowmod_conn *,
                                          const struct flowmod_params *,
                                          enum flowmod_mode_id,
                                          unsigned int i, bool delete);
static void flowmod_encode_bundle_ctrl(const struct flowmod_conn *,
                                       uint32_t bundle_id, uint16_t type,
                                       struct flowmod_batch *);
static void flowmod_execute(struct flowmod_conn *, struct flowmod_batch *);
static void flowmod_send(struct flowmod_conn *, struct flowmod_batch *,
                         struct ofpbuf *);
static void flowmod_drain(struct flowmod_conn *, struct flowmod_batch *);
static void flowmod_handle(struct flowmod_conn *, struct flowmod_batch *,
                           struct ofpbuf *);
static struct flowmod_awaited *flowmod_find_awaited(struct flowmod_batch *,
                                                    ovs_be32 xid);
static void flowmod_batch_init(struct flowmod_batch *);
static void flowmod_batch_destroy(struct flowmod_batch *);
static void flowmod_batch_add(struct flowmod_batch *, struct ofpbuf *);
static void flowmod_batch_await(struct flowmod_batch *, ovs_be32 xid,
                                enum ofptype, uint16_t bundle_type);
static uint32_t flowmod_count(struct flowmod_conn *,
                              const struct flowmod_params *);
static void flowmod_print_json(const struct flowmod_params *,
                               const struct flowmod_result[]);
static double flowmod_now(void);

/* "flowmod": runs each selected mode against the switch, prints the
 * results and exits with status 1 if any mode got an error reply or left
 * the wrong number of flows in the table. */
void
bench_flowmod(struct ovs_cmdl_context *ctx)
{
    struct flowmod_result results[FLOWMOD_N_MODES];
    struct flowmod_params p;
    struct flowmod_conn conn;
    int n_failed = 0;
    int error;

    flowmod_parse(ctx->argc, ctx->argv, &p);

    error = vconn_open_block(p.target, ((1u << OFP14_VERSION)
                                        | (1u << OFP15_VERSION)),
                             DSCP_DEFAULT, -1, &conn.vconn);
    if (error) {
        ovs_fatal(error, "%s: failed to connect with OpenFlow 1.4 or 1.5",
                  p.target);
    }
    conn.version = vconn_get_version(conn.vconn);
    conn.protocol = ofputil_protocol_from_ofp_version(conn.version);

    memset(results, 0, sizeof results);
    for (int m = 0; m < FLOWMOD_N_MODES; m++) {
        struct flowmod_result *r = &results[m];

        if (!(p.modes & (1u << m))) {
            continue;
        }
        r->ran = true;
        r->ok = flowmod_run_mode(&conn, &p, m, r);
        if (!r->ok) {
            n_failed++;
        }
        if (!p.json) {
            printf("%s: %u flows in %.3f s = %.0f flow_mods/s%s\n",
                   flowmod_modes[m].name, p.n_flows, r->seconds,
                   p.n_flows / MAX(r->seconds, 1e-9),
                   r->ok ? "" : " (FAILED)");
            fflush(stdout);
        }
    }
    if (p.json) {
        flowmod_print_json(&p, results);
    }

    /* Leave the table as we found it (if it was empty). */
    flowmod_clear_table(&conn, &p);
    vconn_close(conn.vconn);

    if (n_failed) {
        ovs_fatal(0, "%d of the modes failed", n_failed);
    }
}

/* Runs mode 'm': empties the test table, does what the mode says, checks
 * the flow count and stores the time taken in '*r'.  Returns true if
 * everything succeeded, false (after saying why on stderr) otherwise. */
static bool
flowmod_run_mode(struct flowmod_conn *conn, const struct flowmod_params *p,
                 enum flowmod_mode_id m, struct flowmod_result *r)
{
    const struct flowmod_mode *mode = &flowmod_modes[m];
    struct flowmod_batch batch;
    bool ok = flowmod_clear_table(conn, p);

    if (mode->delete) {
        /* Install the flows to delete, untimed, the fastest way. */
        flowmod_batch_init(&batch);
        flowmod_encode(conn, p, m, true, false, &batch);
        flowmod_execute(conn, &batch);
        if (batch.n_errors) {
            fprintf(stderr, "%s: %u errors installing the flows to "
                    "delete\n", mode->name, batch.n_errors);
            ok = false;
        }
        flowmod_batch_destroy(&batch);

        uint32_t n = flowmod_count(conn, p);
        if (n != p->n_flows) {
            fprintf(stderr, "%s: %"PRIu32" flows in table %u before "
                    "deleting, expected %u\n", mode->name, n, p->table_id,
                    p->n_flows);
            ok = false;
        }
    }

    flowmod_batch_init(&batch);
    flowmod_encode(conn, p, m, mode->bundle, mode->delete, &batch);
    double start = flowmod_now();
    flowmod_execute(conn, &batch);
    r->seconds = flowmod_now() - start;
    if (batch.n_errors) {
        fprintf(stderr, "%s: %u error replies\n", mode->name,
                batch.n_errors);
        ok = false;
    }
    flowmod_batch_destroy(&batch);

    uint32_t n = flowmod_count(conn, p);
    uint32_t expected = mode->delete ? 0 : p->n_flows;
    if (n != expected) {
        fprintf(stderr, "%s: %"PRIu32" flows in table %u, expected %"PRIu32
                "\n", mode->name, n, p->table_id, expected);
        ok = false;
    }
    return ok;
}

/* Deletes every flow in the test table and waits for the switch to be
 * done.  Returns false (after saying why on stderr) if the switch
 * replied with an error. */
static bool
flowmod_clear_table(struct flowmod_conn *conn,
                    const struct flowmod_params *p)
{
    struct ofputil_flow_mod fm;
    struct flowmod_batch batch;
    struct ofpbuf *msg;
    bool ok;

    memset(&fm, 0, sizeof fm);
    minimatch_init_catchall(&fm.match);
    fm.command = OFPFC_DELETE;
    fm.table_id = p->table_id;
    fm.buffer_id = UINT32_MAX;
    fm.out_port = OFPP_ANY;
    fm.out_group = OFPG_ANY;
    msg = ofputil_encode_flow_mod(&fm, conn->protocol);
    minimatch_destroy(&fm.match);

    flowmod_batch_init(&batch);
    flowmod_batch_add(&batch, msg);
    msg = ofputil_encode_barrier_request(conn->version);
    flowmod_batch_await(&batch, ((struct ofp_header *) msg->data)->xid,
                        OFPTYPE_BARRIER_REPLY, 0);
    flowmod_batch_add(&batch, msg);
    flowmod_execute(conn, &batch);
    ok = !batch.n_errors;
    if (!ok) {
        fprintf(stderr, "failed to empty table %u\n", p->table_id);
    }
    flowmod_batch_destroy(&batch);
    return ok;
}

/* Appends to 'batch' the requests for mode 'm' to add (or, if 'delete',
 * to strictly delete) the N test flows, one message each followed by a
 * barrier or, if 'bundle', in bundles, and the replies that end it. */
static void
flowmod_encode(const struct flowmod_conn *conn,
               const struct flowmod_params *p, enum flowmod_mode_id m,
               bool bundle, bool delete, struct flowmod_batch *batch)
{
    if (!bundle) {
        for (unsigned int i = 0; i < p->n_flows; i++) {
            flowmod_batch_add(batch,
                              flowmod_encode_flow(conn, p, m, i, delete));
        }

        struct ofpbuf *barrier
            = ofputil_encode_barrier_request(conn->version);
        flowmod_batch_await(batch,
                            ((struct ofp_header *) barrier->data)->xid,
                            OFPTYPE_BARRIER_REPLY, 0);
        flowmod_batch_add(batch, barrier);
        return;
    }

    uint32_t bundle_id = 0;
    for (unsigned int i = 0; i < p->n_flows; ) {
        unsigned int end = i + MIN(p->bundle_size, p->n_flows - i);

        bundle_id++;
        flowmod_encode_bundle_ctrl(conn, bundle_id, OFPBCT_OPEN_REQUEST,
                                   batch);
        for (; i < end; i++) {
            struct ofpbuf *fm = flowmod_encode_flow(conn, p, m, i, delete);
            struct ofputil_bundle_add_msg bam = {
                .bundle_id = bundle_id,
                .flags = FLOWMOD_BUNDLE_FLAGS,
                .msg = fm->data,
            };

            flowmod_batch_add(batch,
                              ofputil_encode_bundle_add(conn->version, &bam));
            ofpbuf_delete(fm);
        }
        flowmod_encode_bundle_ctrl(conn, bundle_id, OFPBCT_COMMIT_REQUEST,
                                   batch);
    }
}

/* Returns the flow_mod that adds (or, if 'delete', strictly deletes) test
 * flow 'i' of mode 'm'. */
static struct ofpbuf *
flowmod_encode_flow(const struct flowmod_conn *conn,
                    const struct flowmod_params *p, enum flowmod_mode_id m,
                    unsigned int i, bool delete)
{
    const struct flowmod_mode *mode = &flowmod_modes[m];
    struct ofputil_flow_mod fm;
    struct ofpbuf ofpacts;
    struct match match;
    struct ofpbuf *msg;

    match_init_catchall(&match);
    match_set_metadata(&match, htonll(FLOWMOD_METADATA));
    match_set_reg(&match, 1, FLOWMOD_REG1);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_nw_dst(&match, htonl(0x0a000000 + i));

    memset(&fm, 0, sizeof fm);
    minimatch_init(&fm.match, &match);
    fm.priority = FLOWMOD_PRIORITY;
    fm.table_id = p->table_id;
    fm.buffer_id = UINT32_MAX;
    fm.out_port = OFPP_ANY;
    fm.out_group = OFPG_ANY;
    ofpbuf_init(&ofpacts, 0);
    if (delete) {
        fm.command = OFPFC_DELETE_STRICT;
    } else {
        fm.command = OFPFC_ADD;
        fm.new_cookie = htonll(((uint64_t) m << 32) | i);
        fm.hard_timeout = mode->timeout ? FLOWMOD_HARD_TIMEOUT : 0;
        ofpact_put_OUTPUT(&ofpacts)->port = OFP_PORT_C(1);
        fm.ofpacts = ofpacts.data;
        fm.ofpacts_len = ofpacts.size;
    }
    msg = ofputil_encode_flow_mod(&fm, conn->protocol);

    minimatch_destroy(&fm.match);
    ofpbuf_uninit(&ofpacts);
    return msg;
}

/* Appends to 'batch' a bundle control request of 'type' for 'bundle_id',
 * and its reply to the replies awaited. */
static void
flowmod_encode_bundle_ctrl(const struct flowmod_conn *conn,
                           uint32_t bundle_id, uint16_t type,
                           struct flowmod_batch *batch)
{
    struct ofputil_bundle_ctrl_msg bc = {
        .bundle_id = bundle_id,
        .type = type,
        .flags = FLOWMOD_BUNDLE_FLAGS,
    };
    struct ofpbuf *msg = ofputil_encode_bundle_ctrl_request(conn->version,
                                                            &bc);

    flowmod_batch_await(batch, ((struct ofp_header *) msg->data)->xid,
                        OFPTYPE_BUNDLE_CONTROL, type + 1);
    flowmod_batch_add(batch, msg);
}

/* Sends all the requests in 'batch', without waiting for any reply, then
 * receives until every awaited reply (or an error in its place) is in,
 * counting errors in 'batch->n_errors'. */
static void
flowmod_execute(struct flowmod_conn *conn, struct flowmod_batch *batch)
{
    for (size_t i = 0; i < batch->n_msgs; i++) {
        flowmod_send(conn, batch, batch->msgs[i]);
        batch->msgs[i] = NULL;
    }
    batch->n_msgs = 0;

    while (batch->n_replied < batch->n_awaited) {
        struct ofpbuf *msg;
        int error = vconn_recv_block(conn->vconn, &msg);

        if (error) {
            ovs_fatal(error, "%s: receive failed",
                      vconn_get_name(conn->vconn));
        }
        flowmod_handle(conn, batch, msg);
    }
}

/* Sends 'msg' (and takes it).  While the socket is full, receives what
 * the switch sends, so that neither side blocks the other. */
static void
flowmod_send(struct flowmod_conn *conn, struct flowmod_batch *batch,
             struct ofpbuf *msg)
{
    for (;;) {
        int error = vconn_send(conn->vconn, msg);

        if (!error) {
            return;
        } else if (error != EAGAIN) {
            ovs_fatal(error, "%s: send failed", vconn_get_name(conn->vconn));
        }

        flowmod_drain(conn, batch);
        vconn_run(conn->vconn);
        vconn_run_wait(conn->vconn);
        vconn_send_wait(conn->vconn);
        vconn_recv_wait(conn->vconn);
        poll_block();
    }
}

/* Handles every message already received from the switch, without
 * blocking. */
static void
flowmod_drain(struct flowmod_conn *conn, struct flowmod_batch *batch)
{
    for (;;) {
        struct ofpbuf *msg;
        int error = vconn_recv(conn->vconn, &msg);

        if (error == EAGAIN) {
            return;
        } else if (error) {
            ovs_fatal(error, "%s: receive failed",
                      vconn_get_name(conn->vconn));
        }
        flowmod_handle(conn, batch, msg);
    }
}

/* Handles 'msg' (and frees it): counts an error reply or an unexpected
 * reply in 'batch->n_errors', marks a reply awaited by 'batch' as in,
 * answers an echo request, ignores anything else (asynchronous
 * messages). */
static void
flowmod_handle(struct flowmod_conn *conn, struct flowmod_batch *batch,
               struct ofpbuf *msg)
{
    const struct ofp_header *oh = msg->data;
    struct flowmod_awaited *a = flowmod_find_awaited(batch, oh->xid);
    const char *request = "request";
    const char *problem = NULL;
    enum ofptype type;
    enum ofperr error;

    error = ofptype_decode(&type, oh);
    if (error) {
        problem = ofperr_to_string(error);
    } else if (type == OFPTYPE_ERROR) {
        struct ofpbuf payload;
        enum ofpraw raw;

        problem = ofperr_to_string(ofperr_decode_msg(oh, &payload));
        if (!ofpraw_decode_partial(&raw, payload.data, payload.size)) {
            request = ofpraw_get_name(raw);
        }
        ofpbuf_uninit(&payload);
    } else if (a && type != a->type) {
        problem = "unexpected reply type";
    } else if (a && type == OFPTYPE_BUNDLE_CONTROL) {
        struct ofputil_bundle_ctrl_msg bc;

        if (ofputil_decode_bundle_ctrl(oh, &bc)
            || bc.type != a->bundle_type) {
            problem = "unexpected bundle control reply";
        }
    } else if (type == OFPTYPE_ECHO_REQUEST) {
        struct ofpbuf *reply = ofputil_encode_echo_reply(oh);

        if (vconn_send(conn->vconn, reply)) {
            ofpbuf_delete(reply);   /* The switch will ask again. */
        }
    } else if (!a) {
        VLOG_DBG("%s: ignoring %s message", vconn_get_name(conn->vconn),
                 ofptype_get_name(type));
    }

    if (problem) {
        if (++batch->n_errors <= FLOWMOD_MAX_PRINTED_ERRORS) {
            fprintf(stderr, "%s: reply to %s with xid %#"PRIx32": %s\n",
                    vconn_get_name(conn->vconn), request, ntohl(oh->xid),
                    problem);
        }
    }
    if (a) {
        a->replied = true;
        batch->n_replied++;
        while (batch->next < batch->n_awaited
               && batch->awaited[batch->next].replied) {
            batch->next++;
        }
    }
    ofpbuf_delete(msg);
}

/* Returns the reply awaited by 'batch' for 'xid' and not yet received, or
 * NULL.  Replies come in order, so this is normally the first one. */
static struct flowmod_awaited *
flowmod_find_awaited(struct flowmod_batch *batch, ovs_be32 xid)
{
    for (size_t i = batch->next; i < batch->n_awaited; i++) {
        struct flowmod_awaited *a = &batch->awaited[i];

        if (!a->replied && a->xid == xid) {
            return a;
        }
    }
    return NULL;
}

/* Sends an aggregate-stats request for the test table and returns the
 * number of flows in it. */
static uint32_t
flowmod_count(struct flowmod_conn *conn, const struct flowmod_params *p)
{
    struct ofputil_flow_stats_request fsr;
    struct ofputil_aggregate_stats stats;
    struct ofpbuf *request, *reply;
    enum ofptype type;
    enum ofperr error;
    int retval;

    memset(&fsr, 0, sizeof fsr);
    fsr.aggregate = true;
    match_init_catchall(&fsr.match);
    fsr.out_port = OFPP_ANY;
    fsr.out_group = OFPG_ANY;
    fsr.table_id = p->table_id;
    request = ofputil_encode_flow_stats_request(&fsr, conn->protocol);

    retval = vconn_transact(conn->vconn, request, &reply);
    if (retval) {
        ovs_fatal(retval, "%s: aggregate stats request failed",
                  vconn_get_name(conn->vconn));
    }
    error = ofptype_decode(&type, reply->data);
    if (!error && type == OFPTYPE_ERROR) {
        error = ofperr_decode_msg(reply->data, NULL);
    } else if (!error && type != OFPTYPE_AGGREGATE_STATS_REPLY) {
        ovs_fatal(0, "%s: unexpected %s reply to an aggregate stats "
                  "request", vconn_get_name(conn->vconn),
                  ofptype_get_name(type));
    }
    if (!error) {
        error = ofputil_decode_aggregate_stats_reply(&stats, reply->data);
    }
    if (error) {
        ovs_fatal(0, "%s: aggregate stats request failed: %s",
                  vconn_get_name(conn->vconn), ofperr_to_string(error));
    }
    ofpbuf_delete(reply);
    return stats.flow_count;
}

/* Prints the results in 'results' as one JSON object. */
static void
flowmod_print_json(const struct flowmod_params *p,
                   const struct flowmod_result results[])
{
    struct json *modes = json_object_create();
    struct json *top = json_object_create();

    for (int m = 0; m < FLOWMOD_N_MODES; m++) {
        const struct flowmod_result *r = &results[m];

        if (r->ran) {
            struct json *mode = json_object_create();
            long long int rate = p->n_flows / MAX(r->seconds, 1e-9) + 0.5;
            long long int us = r->seconds * 1e6 + 0.5;

            json_object_put(mode, "seconds", json_real_create(us / 1e6));
            json_object_put(mode, "rate", json_integer_create(rate));
            json_object_put(modes, flowmod_modes[m].name, mode);
        }
    }
    json_object_put(top, "flows", json_integer_create(p->n_flows));
    json_object_put(top, "modes", modes);

    char *s = json_to_string(top, JSSF_SORT);
    puts(s);
    free(s);
    json_destroy(top);
}

/* Parses the "flowmod" options and argument in 'argv' (argv[0] is
 * "flowmod") into '*p'. */
static void
flowmod_parse(int argc, char *argv[], struct flowmod_params *p)
{
    enum {
        OPT_FLOWS = UCHAR_MAX + 1,
        OPT_MODE,
        OPT_BUNDLE_SIZE,
        OPT_TABLE,
        OPT_FORMAT,
    };
    static const struct option long_options[] = {
        {"flows", required_argument, NULL, OPT_FLOWS},
        {"mode", required_argument, NULL, OPT_MODE},
        {"bundle-size", required_argument, NULL, OPT_BUNDLE_SIZE},
        {"table", required_argument, NULL, OPT_TABLE},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    unsigned int table_id;
    int m;

    p->target = NULL;
    p->n_flows = 10000;
    p->bundle_size = 1000;
    p->table_id = 30;
    p->modes = 0;
    p->json = false;

    optind = 0;                 /* Restart getopt on the new argv. */
    for (;;) {
        int c = getopt_long(argc, argv, "h", long_options, NULL);

        if (c == -1) {
            break;
        }
        switch (c) {
        case OPT_FLOWS:
            if (!str_to_uint(optarg, 10, &p->n_flows) || !p->n_flows
                || p->n_flows > FLOWMOD_MAX_FLOWS) {
                ovs_fatal(0, "--flows=%s: expected a number of flows from "
                          "1 to %u", optarg, FLOWMOD_MAX_FLOWS);
            }
            break;

        case OPT_MODE:
            for (m = 0; m < FLOWMOD_N_MODES; m++) {
                if (!strcmp(optarg, flowmod_modes[m].name)) {
                    p->modes |= 1u << m;
                    break;
                }
            }
            if (!strcmp(optarg, "all")) {
                p->modes = (1u << FLOWMOD_N_MODES) - 1;
            } else if (m == FLOWMOD_N_MODES) {
                ovs_fatal(0, "--mode=%s: unknown mode (expected "
                          "single-timeout, bundle-timeout, single-notimeout, "
                          "bundle-notimeout, bundle-delete or all)", optarg);
            }
            break;

        case OPT_BUNDLE_SIZE:
            if (!str_to_uint(optarg, 10, &p->bundle_size) || !p->bundle_size
                || p->bundle_size > FLOWMOD_MAX_FLOWS) {
                ovs_fatal(0, "--bundle-size=%s: expected a number of "
                          "flow_mods per bundle from 1 to %u", optarg,
                          FLOWMOD_MAX_FLOWS);
            }
            break;

        case OPT_TABLE:
            if (!str_to_uint(optarg, 10, &table_id) || table_id > 254) {
                ovs_fatal(0, "--table=%s: expected a table number from 0 "
                          "to 254", optarg);
            }
            p->table_id = table_id;
            break;

        case OPT_FORMAT:
            p->json = bench_parse_format(optarg);
            break;

        case 'h':
            flowmod_usage();

        case '?':
            exit(EXIT_FAILURE);

        default:
            OVS_NOT_REACHED();
        }
    }

    if (optind >= argc) {
        ovs_fatal(0, "flowmod: missing VCONN (try \"unix:"
                  "/var/run/openvswitch/br0.mgmt\")");
    } else if (optind + 1 < argc) {
        ovs_fatal(0, "flowmod: unexpected argument \"%s\" after VCONN",
                  argv[optind + 1]);
    }
    p->target = argv[optind];
    if (!p->modes) {
        p->modes = (1u << FLOWMOD_N_MODES) - 1;
    }
}

/* Prints the usage message of "flowmod" and exits successfully. */
static void
flowmod_usage(void)
{
    printf("%s flowmod: flow_mod installation rate of a switch\n"
           "usage: %s flowmod [OPTIONS] VCONN\n"
           "\nOptions:\n"
           "  --flows=N          flows per mode (default: 10000)\n"
           "  --mode=MODE        run MODE, repeatable (default: all):\n"
           "                     single-timeout, bundle-timeout,\n"
           "                     single-notimeout, bundle-notimeout,\n"
           "                     bundle-delete\n"
           "  --bundle-size=N    most flow_mods per bundle (default: 1000)\n"
           "  --table=N          the test table, emptied by every mode\n"
           "                     (default: 30)\n"
           "  --format=text|json output format (default: text)\n",
           program_name, program_name);
    exit(EXIT_SUCCESS);
}

/* Batches. */

/* Initializes 'batch' as empty. */
static void
flowmod_batch_init(struct flowmod_batch *batch)
{
    memset(batch, 0, sizeof *batch);
}

/* Frees what 'batch' holds, including requests never sent. */
static void
flowmod_batch_destroy(struct flowmod_batch *batch)
{
    for (size_t i = 0; i < batch->n_msgs; i++) {
        ofpbuf_delete(batch->msgs[i]);
    }
    free(batch->msgs);
    free(batch->awaited);
}

/* Appends 'msg' to the requests of 'batch', which takes it. */
static void
flowmod_batch_add(struct flowmod_batch *batch, struct ofpbuf *msg)
{
    if (batch->n_msgs >= batch->allocated_msgs) {
        batch->msgs = x2nrealloc(batch->msgs, &batch->allocated_msgs,
                                 sizeof *batch->msgs);
    }
    batch->msgs[batch->n_msgs++] = msg;
}

/* Appends a reply of 'type' (and if it is a bundle control reply, of
 * 'bundle_type') to request 'xid' to the replies 'batch' waits for. */
static void
flowmod_batch_await(struct flowmod_batch *batch, ovs_be32 xid,
                    enum ofptype type, uint16_t bundle_type)
{
    if (batch->n_awaited >= batch->allocated_awaited) {
        batch->awaited = x2nrealloc(batch->awaited,
                                    &batch->allocated_awaited,
                                    sizeof *batch->awaited);
    }
    batch->awaited[batch->n_awaited++] = (struct flowmod_awaited) {
        .xid = xid,
        .type = type,
        .bundle_type = bundle_type,
        .replied = false,
    };
}

/* Returns a monotonic time in seconds. */
static double
flowmod_now(void)
{
    struct timespec ts;

    xclock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}
