/*
 * bench-reflect: the "reflect" subcommand of dovetail-bench, a controller
 * that answers policy misses without resolving them.  What
 * "dovetail-bench policy --target=reflect" measures against it is the
 * floor under what answering a policy miss costs on the machine: the
 * sockets, the bench and dovetail-controller's connection code, with no
 * policy work at all.  The controller's own figure, over the same
 * requests, is then the floor plus its work.
 *
 * It listens on each PSTREAM and talks to each switch that connects with
 * dovetail-controller's connection code (controller/ofio: the hello
 * exchange, echo replies, one read of up to OFIO_READ_SIZE and few
 * send() calls per main-loop pass) in a main loop of the controller's
 * shape (poll_block(); listeners and unixctl looked at every
 * REFLECT_LISTEN_MSEC).  It programs each switch with one empty bundle,
 * which is what the bench waits for before it sends requests.  Then it
 * answers every packet-in of the bench's policy-miss shape (its length
 * and the bytes that are the same in all)
 * with the answer --target=reflect expects: a copy of one flow_mod (a
 * deny in table PL_POLICY, cookie BENCH_REFLECT_COOKIE, hard timeout
 * --ttl) with the request's reg1 and nw_dst copied in, in a bundle add.
 * The answers to what one pass read from a switch go in one bundle, as
 * the controller's do.  Nothing is decoded, looked up or allocated per
 * request.
 *
 * A packet-in of any other shape is not answered (the bench then counts
 * its request unanswered), and it and every other message are counted
 * (reflect/show) and logged at a limited rate.
 */
#include <config.h>

#include "utilities/bench.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "command-line.h"
#include "controller/ofio.h"
#include "daemon.h"
#include "fatal-signal.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/list.h"
#include "openvswitch/ofp-bundle.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vconn.h"
#include "openvswitch/vlog.h"
#include "stream.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(bench_reflect);

/* How often listeners and the unixctl server are looked at, as
 * dovetail-controller's LISTEN_INTERVAL_MSEC. */
#define REFLECT_LISTEN_MSEC 10

/* Switches connected at most (the bench plays up to 1000); more wait in
 * the listeners' backlog. */
#define REFLECT_MAX_CONNS 1024

/* Inactivity probe of a switch connection. */
#define REFLECT_PROBE_MSEC 5000

/* The OpenFlow message types looked at, by their number (the same in
 * OpenFlow 1.4, the one version spoken). */
#define REFLECT_OFPT_ERROR 1
#define REFLECT_OFPT_EXPERIMENTER 4
#define REFLECT_OFPT_PACKET_IN 10
#define REFLECT_OFPT14_BUNDLE_CONTROL 33
#define REFLECT_OFPT14_BUNDLE_ADD_MESSAGE 34

/* The start of a bundle add message (a header and a struct
 * ofp14_bundle_ctrl_msg) before the message it carries. */
#define REFLECT_BUNDLE_ADD_LEN 16

struct reflect_conn {
    struct ovs_list list_node;  /* In 'conns'. */
    struct ofio *io;
    bool programmed;            /* Its empty bundle sent? */
    uint32_t bundle_id;         /* The last bundle's id. */
    uint32_t xid;               /* The last xid sent. */
};

/* Counters, for reflect/show. */
struct reflect_stats {
    unsigned long long int accepted;   /* Connections. */
    unsigned long long int answered;   /* Packet-ins answered... */
    unsigned long long int bundles;    /* ...in this many bundles. */
    unsigned long long int misshapen;  /* Packet-ins of another length. */
    unsigned long long int errors;     /* Error messages received. */
    unsigned long long int other;      /* Any other message. */
};

static struct reflect_params {
    unsigned int ttl;           /* --ttl. */
    unsigned int vni;           /* --vni. */
    char *unixctl_path;         /* --unixctl. */
    char **listen;              /* The PSTREAM arguments... */
    size_t n_listen;            /* ...and how many. */
} params;

static struct bench_reflection refl;
static struct ovs_list conns = OVS_LIST_INITIALIZER(&conns);
static size_t n_conns;
static struct reflect_stats stats;
static bool exiting;

static void reflect_parse(int argc, char *argv[]);
OVS_NO_RETURN static void reflect_usage(void);
static void reflect_accept(struct pstream **, size_t n);
static void reflect_conn_run(struct reflect_conn *);
static void reflect_bundle_ctrl(struct reflect_conn *, uint16_t type);
static bool reflect_is_policy_miss(const struct ofp_header *);
static void reflect_answer(struct reflect_conn *, const struct ofp_header *);
static unixctl_cb_func reflect_exit;
static unixctl_cb_func reflect_show;

void
bench_reflect(struct ovs_cmdl_context *ctx)
{
    vlog_set_levels(NULL, VLF_FILE, VLL_INFO);  /* A daemon's log. */
    reflect_parse(ctx->argc, ctx->argv);
    bench_policy_reflection(params.vni, params.ttl, &refl);

    struct pstream **listeners = xcalloc(params.n_listen, sizeof *listeners);
    for (size_t i = 0; i < params.n_listen; i++) {
        int error = pstream_open_with_default_port(params.listen[i],
                                                   OFP_PORT, &listeners[i],
                                                   DSCP_DEFAULT);
        if (error) {
            ovs_fatal(error, "%s: could not listen", params.listen[i]);
        }
    }

    fatal_ignore_sigpipe();
    daemonize_start(false);
    struct unixctl_server *unixctl;
    if (unixctl_server_create(params.unixctl_path, &unixctl)) {
        exit(EXIT_FAILURE);
    }
    unixctl_command_register("exit", "", 0, 0, reflect_exit, NULL);
    unixctl_command_register("reflect/show", "", 0, 0, reflect_show, NULL);
    daemonize_complete();
    VLOG_INFO("answering policy misses of %"PRIu32" bytes (VNI %u, TTL "
              "%u s) without resolving them", refl.pin->size, params.vni,
              params.ttl);

    long long int next_listen = LLONG_MIN;
    while (!exiting) {
        long long int now = time_msec();
        bool listen = now >= next_listen;
        if (listen) {
            next_listen = now + REFLECT_LISTEN_MSEC;
            reflect_accept(listeners, params.n_listen);
            unixctl_server_run(unixctl);
        }

        struct reflect_conn *c;
        LIST_FOR_EACH_SAFE (c, list_node, &conns) {
            reflect_conn_run(c);
            if (!ofio_is_alive(c->io)) {
                ovs_list_remove(&c->list_node);
                ofio_destroy(c->io);
                free(c);
                n_conns--;
            }
        }

        LIST_FOR_EACH (c, list_node, &conns) {
            ofio_wait(c->io);
        }
        if (listen) {
            for (size_t i = 0; n_conns < REFLECT_MAX_CONNS
                               && i < params.n_listen; i++) {
                pstream_wait(listeners[i]);
            }
            unixctl_server_wait(unixctl);
        } else {
            poll_timer_wait_until(next_listen);
        }
        if (exiting) {
            poll_immediate_wake();
        }
        poll_block();
    }

    struct reflect_conn *c;
    LIST_FOR_EACH_POP (c, list_node, &conns) {
        ofio_destroy(c->io);
        free(c);
    }
    for (size_t i = 0; i < params.n_listen; i++) {
        pstream_close(listeners[i]);
    }
    free(listeners);
    unixctl_server_destroy(unixctl);
    ofpbuf_delete(refl.pin);
    ofpbuf_delete(refl.answer);
}

/* Accepts every connection waiting on the 'n' 'listeners', up to
 * REFLECT_MAX_CONNS connected. */
static void
reflect_accept(struct pstream **listeners, size_t n)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);

    for (size_t i = 0; i < n; i++) {
        while (n_conns < REFLECT_MAX_CONNS) {
            struct stream *stream;
            int error = pstream_accept(listeners[i], &stream);
            if (error) {
                if (error != EAGAIN) {
                    VLOG_WARN_RL(&rl, "%s: accept: %s",
                                 pstream_get_name(listeners[i]),
                                 ovs_strerror(error));
                }
                break;
            }

            struct reflect_conn *c = xzalloc(sizeof *c);
            c->io = ofio_create(stream, 1u << OFP14_VERSION,
                                REFLECT_PROBE_MSEC);
            ovs_list_push_back(&conns, &c->list_node);
            n_conns++;
            stats.accepted++;
        }
    }
}

/* Sends what 'c' owes, reads what it received and answers it. */
static void
reflect_conn_run(struct reflect_conn *c)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

    ofio_run(c->io);

    size_t n_answers = 0;
    const struct ofp_header *oh;
    while ((oh = ofio_recv(c->io))) {
        if (reflect_is_policy_miss(oh)) {
            if (!n_answers++) {
                reflect_bundle_ctrl(c, OFPBCT_OPEN_REQUEST);
            }
            reflect_answer(c, oh);
            continue;
        }
        switch (oh->type) {
        case REFLECT_OFPT_PACKET_IN:
        case REFLECT_OFPT_EXPERIMENTER:
            stats.misshapen++;
            VLOG_WARN_RL(&rl, "%s: OpenFlow message type %"PRIu8", %"PRIu16
                         " bytes, not answered: not a policy miss of the "
                         "bench", ofio_get_name(c->io), oh->type,
                         ntohs(oh->length));
            break;

        case REFLECT_OFPT14_BUNDLE_CONTROL:
            break;              /* The switch's replies. */

        case REFLECT_OFPT_ERROR:
            stats.errors++;
            VLOG_WARN_RL(&rl, "%s: switch sent error: %s",
                         ofio_get_name(c->io),
                         ofperr_to_string(ofperr_decode_msg(oh, NULL)));
            break;

        default:
            stats.other++;
            VLOG_DBG_RL(&rl, "%s: OpenFlow message type %"PRIu8" ignored",
                        ofio_get_name(c->io), oh->type);
            break;
        }
    }
    if (n_answers) {
        stats.answered += n_answers;
        stats.bundles++;
        reflect_bundle_ctrl(c, OFPBCT_COMMIT_REQUEST);
    }
    if (!c->programmed && ofio_is_connected(c->io)) {
        c->programmed = true;
        reflect_bundle_ctrl(c, OFPBCT_OPEN_REQUEST);
        reflect_bundle_ctrl(c, OFPBCT_COMMIT_REQUEST);
    }
    /* The answers go now, as dovetail-controller sends its (swconn_run()),
     * not at the next pass. */
    ofio_flush(c->io);
}

/* Returns true if 'oh' has the bench's policy-miss packet-in's length
 * and, but for the xid, its first bytes, which hold all that is the same
 * in every one (OFPT_PACKET_IN or NXT_PACKET_IN2, and what comes before
 * the fields that differ). */
static bool
reflect_is_policy_miss(const struct ofp_header *oh)
{
    const uint8_t *a = (const uint8_t *) oh;
    const uint8_t *b = refl.pin->data;
    size_t xid_ofs = offsetof(struct ofp_header, xid);
    size_t body_ofs = sizeof(struct ofp_header);

    return (!memcmp(a, b, xid_ofs)
            && !memcmp(a + body_ofs, b + body_ofs, refl.pin_same - body_ofs));
}

/* Queues on 'c' a bundle control request of 'type' (OFPBCT_*) for its
 * current bundle, a new one if 'type' is OFPBCT_OPEN_REQUEST. */
static void
reflect_bundle_ctrl(struct reflect_conn *c, uint16_t type)
{
    struct ofputil_bundle_ctrl_msg bc = {
        .bundle_id = (type == OFPBCT_OPEN_REQUEST ? ++c->bundle_id
                      : c->bundle_id),
        .type = type,
        .flags = OFPBF_ATOMIC | OFPBF_ORDERED,
    };
    struct ofpbuf *msg = ofputil_encode_bundle_ctrl_request(OFP14_VERSION,
                                                            &bc);
    struct ofp_header *oh = msg->data;
    oh->xid = htonl(++c->xid);
    ofio_send(c->io, msg);
}

/* Queues on 'c', in its open bundle, the answer to packet-in 'pin' (a
 * policy miss of the bench, reflect_is_policy_miss()). */
static void
reflect_answer(struct reflect_conn *c, const struct ofp_header *pin)
{
    const struct ofpbuf *a = refl.answer;
    uint8_t *out = ofio_put_uninit(c->io, REFLECT_BUNDLE_ADD_LEN + a->size);
    uint8_t *inner = out + REFLECT_BUNDLE_ADD_LEN;
    const uint8_t *in = (const uint8_t *) pin;
    ovs_be32 xid = htonl(++c->xid);
    struct ofp_header oh = {
        .version = OFP14_VERSION,
        .type = REFLECT_OFPT14_BUNDLE_ADD_MESSAGE,
        .length = htons(REFLECT_BUNDLE_ADD_LEN + a->size),
        .xid = xid,
    };
    struct ofp14_bundle_ctrl_msg bc = {
        .bundle_id = htonl(c->bundle_id),
        .flags = htons(OFPBF_ATOMIC | OFPBF_ORDERED),
    };

    BUILD_ASSERT_DECL(REFLECT_BUNDLE_ADD_LEN == sizeof oh + sizeof bc);
    memcpy(out, &oh, sizeof oh);
    memcpy(out + sizeof oh, &bc, sizeof bc);
    memcpy(inner, a->data, a->size);
    memcpy(inner + offsetof(struct ofp_header, xid), &xid, sizeof xid);
    memcpy(inner + refl.answer_domain_ofs, in + refl.pin_domain_ofs, 4);
    memcpy(inner + refl.answer_dst_ofs, in + refl.pin_dst_ofs, 4);
}

static void
reflect_exit(struct unixctl_conn *conn, int argc OVS_UNUSED,
             const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    exiting = true;
    unixctl_command_reply(conn, NULL);
}

static void
reflect_show(struct unixctl_conn *conn, int argc OVS_UNUSED,
             const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    ds_put_format(&s, "switches: %"PRIuSIZE" connected, %llu accepted\n",
                  n_conns, stats.accepted);
    ds_put_format(&s, "answered: %llu packet-ins in %llu bundles\n",
                  stats.answered, stats.bundles);
    ds_put_format(&s, "not answered: %llu packet-ins of another shape, "
                  "%llu errors, %llu other messages\n",
                  stats.misshapen, stats.errors, stats.other);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

/* Options. */

static void
reflect_parse(int argc, char *argv[])
{
    enum {
        OPT_TTL = UCHAR_MAX + 1,
        OPT_VNI,
        OPT_UNIXCTL,
        DAEMON_OPTION_ENUMS,
        VLOG_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"ttl", required_argument, NULL, OPT_TTL},
        {"vni", required_argument, NULL, OPT_VNI},
        {"unixctl", required_argument, NULL, OPT_UNIXCTL},
        {"help", no_argument, NULL, 'h'},
        DAEMON_LONG_OPTIONS,
        VLOG_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };

    char *short_options = ovs_cmdl_long_options_to_short_options(
        long_options);

    params.ttl = 1;
    params.vni = 7000;
    optind = 0;
    for (;;) {
        int c = getopt_long(argc, argv, short_options, long_options, NULL);
        unsigned int *uint = NULL;
        unsigned int max = 0;

        if (c == -1) {
            break;
        }
        switch (c) {
        case OPT_TTL:
            uint = &params.ttl;
            max = 86400;
            break;
        case OPT_VNI:
            uint = &params.vni;
            max = 0xffffff;
            break;
        case OPT_UNIXCTL:
            params.unixctl_path = optarg;
            break;
        case 'h':
            reflect_usage();

        DAEMON_OPTION_HANDLERS
        VLOG_OPTION_HANDLERS

        case '?':
            exit(EXIT_FAILURE);
        default:
            OVS_NOT_REACHED();
        }
        if (uint && (!str_to_uint(optarg, 10, uint) || *uint < 1
                     || *uint > max)) {
            ovs_fatal(0, "%s: expected an integer from 1 to %u",
                      argv[optind - 1], max);
        }
    }
    free(short_options);
    if (optind >= argc) {
        ovs_fatal(0, "reflect: expected at least one address to listen on "
                  "(punix:FILE or ptcp:PORT[:IP])");
    }
    params.listen = argv + optind;
    params.n_listen = argc - optind;
}

static void
reflect_usage(void)
{
    printf("%s reflect: answer the policy misses of \"%s policy "
           "--target=reflect\"\nwithout resolving them\n"
           "usage: %s reflect [OPTIONS] PSTREAM...\n"
           "where PSTREAM is punix:FILE or ptcp:PORT[:IP]\n"
           "\nAnswers (must be the bench's):\n"
           "  --ttl=S              the answers' hard timeout (default: 1)\n"
           "  --vni=VNI            the network's VNI (default: 7000)\n"
           "\nDaemon:\n"
           "  --unixctl=SOCKET     unixctl socket (default: in the run "
           "directory)\n",
           program_name, program_name, program_name);
    daemon_usage();
    vlog_usage();
    exit(EXIT_SUCCESS);
}
