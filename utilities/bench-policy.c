/*
 * bench-policy: the "policy" subcommand of dovetail-bench, which measures
 * how fast a running dovetail-controller resolves policy cache misses, and
 * how fast ovs-testcontroller answers table misses, with the same tool.
 *
 * It plays N vswitches, each over its own real OpenFlow 1.4 connection to
 * the controller, and does what ovs-vswitchd would: hello, features reply
 * with the switch's datapath id, port description reply, an (empty) flow
 * dump, replies to every bundle control message and barrier.  Then it
 * sends packet-ins and checks every reply.
 *
 * --target=dovetail (the default).  First it writes a generated fabric
 * into the dovetail database (--db): N Hypervisor rows and one network
 * (a blueprint, lib/dt-blueprint-db) with D domains, P policies and E
 * endpoints:
 *
 *   hypervisor h     "bench-hv<h>", datapath id POLICY_DPID_BASE + h,
 *                    tunnel IP 172.31.(h / 250).(h % 250 + 1)
 *   endpoint j       "bench-ep<j>", domain (j / N) % D, MAC 02:be:...
 *                    and IPv4 10.0.0.0 + j + 1 (both from j), hypervisor
 *                    j % N, port "bep<j>"
 *   policy i         from domain (i / D) % D to domain i % D (so at most
 *                    D * D of them), deny if i % 3 == 2, else allow
 *   default policy   deny, so every pair without a policy is denied
 *
 * and reads back the rows' UUIDs and tracking numbers, so it knows the
 * exact answer to every request.  Each emulated switch h reports a port
 * "vxlan0" (the controller's default tunnel port, OpenFlow port 1) and one
 * port per endpoint on it.  A request on switch h is the policy-miss
 * packet-in ovs-vswitchd sends (sp_encode_packet_in()): an IPv4 packet
 * from a local endpoint of domain k to endpoint d, with metadata = VNI and
 * reg1 = domain k's UUID prefix.  It is answered when the bundled flow_mod
 * for it arrives, which must be: table 30, priority 100, match metadata,
 * reg1, ip, nw_dst exactly; cookie pl_cookie(policy, tracking, d);
 * hard_timeout the policy's TTL; actions a tunnel to d's hypervisor, an
 * output to d's port with the MAC rewritten, or drop.  Anything else is a
 * wrong answer.  Allowed requests must also get a packet-out.
 *
 * The keys (domain k, destination d) of a switch are visited in a fixed
 * pseudo-random cycle.  The controller remembers what it installed until
 * the entry's TTL passes (it then answers a repeat miss with a packet-out
 * only), so a key is never sent again before TTL + POLICY_REUSE_MARGIN_MS
 * since it was last sent: a switch that runs out of keys stalls, which the
 * output reports.  Give the controller a high --packet-in-rate, or its
 * per-port rate limit drops requests (they then count as unanswered).
 *
 * --target=reflect.  For "dovetail-bench reflect" (bench-reflect.c), a
 * controller that answers without resolving: no database, domains named
 * by made-up UUID prefixes, the same requests as for dovetail, and every
 * answer must be a deny with cookie BENCH_REFLECT_COOKIE and hard timeout
 * --ttl, checked as for dovetail.  The reflector builds its answers from
 * this file's templates (bench_policy_reflection()), so what it measures
 * is the floor under any controller's cost, not a second opinion on what
 * a right answer is.
 *
 * --target=testcontroller.  For ovs-testcontroller (OVS's learning
 * switch): no database.  Each switch first sends one broadcast packet-in
 * (reason no_match) from each local endpoint so the controller learns
 * their MACs, then requests from a local endpoint to another local
 * endpoint, each answered by a flow_mod that must output to the
 * destination's port (and a packet-out).  Replies are matched to requests
 * in order.
 *
 * Modes: closed loop (--outstanding=K requests in flight per switch, as
 * fast as the controller answers) or open loop (--rate=R requests/s in
 * all, each scheduled at its own time; latency is measured from the time
 * it was scheduled, so a bench that falls behind shows up as latency).
 *
 * The data path does its own socket I/O: non-blocking sockets, every
 * read takes all there is and parses every whole message in it, every
 * write sends all that is queued.  While it sends requests (closed loop or
 * open) it polls without sleeping, so that no answer has to wake it: pin
 * it to its own core.
 *
 * So that the bench costs far less than the controller per request, the
 * dovetail target encodes and decodes almost nothing while requests run
 * (the output reports its CPU time per request):
 *
 *   - a packet-in is a copy of a template (sp_encode_packet_in() with
 *     sentinels, ofproto-ext/oftemplate.h) with in_port, reg1 and the
 *     packet written in; each switch's first POLICY_SELF_CHECKS are also
 *     encoded in full, and a difference is fatal;
 *
 *   - an answer (a bundle add message) is checked by its bytes: the key at
 *     the offsets of reg1 and nw_dst names the pending request, and the
 *     flow_mod inside must be, but for its xid, byte for byte the
 *     template of that request's answer shape (the bench's own encoding
 *     of the flow_mod it expects, made on first use and kept only if
 *     decoding it passes the full check; one per actions and TTL, except
 *     that local deliveries share one) with the request's cookie, reg1
 *     and nw_dst (and for a local delivery the destination's MAC and
 *     port) written in.  Anything else, including a right answer encoded
 *     some other way, is decoded and checked in full, which names what is
 *     wrong.  The first POLICY_SELF_CHECKS answers of each template that
 *     pass by their bytes are decoded and checked as well.  The output
 *     counts the answers checked each way;
 *     --expect-wrong makes every Nth expectation wrong, to show that no
 *     wrong answer passes;
 *
 *   - packet-outs are counted and bundle control requests answered from
 *     their headers.
 */
#include <config.h>

#include "utilities/bench.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "command-line.h"
#include "controller/pcache.h"
#include "flow.h"
#include "hash.h"
#include "lib/dovetail-idl.h"
#include "lib/dt-blueprint-db.h"
#include "lib/dt-blueprint.h"
#include "lib/dt-db.h"
#include "lib/dt-histogram.h"
#include "ofproto-ext/oftemplate.h"
#include "ofproto-ext/pipeline.h"
#include "ofproto-ext/slowpath.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/json.h"
#include "openvswitch/list.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-bundle.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/ofp-port.h"
#include "openvswitch/ofp-switch.h"
#include "openvswitch/ofp-util.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/util.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "packets.h"
#include "socket-util.h"
#include "unaligned.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(bench_policy);

/* Datapath id of emulated switch 0. */
#define POLICY_DPID_BASE UINT64_C(0xbe00000000)

/* OpenFlow port of the tunnel port; endpoints' ports follow. */
#define POLICY_TUNNEL_OFPORT 1
#define POLICY_TUNNEL_NAME "vxlan0"

/* The most one send() on a Unix domain socket carries: as the
 * controller's OFIO_UNIX_SEND_SIZE (controller/ofio.h), so that Linux
 * keeps the bytes in the socket buffer's own memory rather than in page
 * fragments. */
#define POLICY_UNIX_SEND_SIZE 3584

/* How long after its TTL a key may be requested again. */
#define POLICY_REUSE_MARGIN_MS 1000

/* Open loop: a request sent this long after it was due is late. */
#define POLICY_LATE_NS 100000

/* How many keys ahead of the next one a switch prefetches the
 * destination endpoint's data. */
#define POLICY_PREFETCH_KEYS 8

/* Largest read per recv() call. */
#define POLICY_READ_SIZE (256 * 1024)

/* Wrong answers printed; the rest are only counted. */
#define POLICY_MAX_PRINTED 10

/* The controller counts as settled once it has sent no flow_mod or bundle
 * for this long (after the database import it may program the switches
 * several times), and only then do requests start. */
#define POLICY_SETTLE_NS 1000000000LL

/* How long to wait for the packet-outs after the last flow_mod. */
#define POLICY_GRACE_NS 2000000000LL

/* The OpenFlow 1.4 message types the bench recognises from the
 * header alone (lib/ofp-msgs.h in Open vSwitch). */
#define POLICY_OFPT_ECHO_REQUEST 2
#define POLICY_OFPT_PACKET_OUT 13
#define POLICY_OFPT14_BUNDLE_CONTROL 33
#define POLICY_OFPT14_BUNDLE_ADD_MESSAGE 34

/* A bundle control message without properties. */
#define POLICY_BUNDLE_CTRL_LEN \
    (sizeof(struct ofp_header) + sizeof(struct ofp14_bundle_ctrl_msg))

/* How many messages of each kind that the bench builds from a template, or
 * accepts by its bytes, it also encodes or decodes the slow way, to check
 * that both ways agree (a bench bug otherwise, fatal). */
#define POLICY_SELF_CHECKS 32

/* The actions of a denied request's answer. */
static const char policy_drop_actions[] = "drop";

/* Sentinels for the templates: values that no request's fields take
 * together, each found exactly once in an encoding. */
#define POLICY_SENTINEL_MAC ETH_ADDR_C(5e, 17, 1e, a9, 3c, 04)
#define POLICY_SENTINEL_PORT 0xfa5e
#define POLICY_SENTINEL_DOMAIN 0x6d0a1b2cU
#define POLICY_SENTINEL_DST 0xe2d3c4b5U
#define POLICY_SENTINEL_COOKIE UINT64_C(0x5ab1e7c00c1e5eed)

enum policy_target {
    POLICY_DOVETAIL,            /* dovetail-controller: policy misses. */
    POLICY_REFLECT,             /* "dovetail-bench reflect": the same
                                 * policy misses, every one denied. */
    POLICY_TESTCONTROLLER,      /* ovs-testcontroller: table misses. */
};

/* True if 'target' is sent policy misses (dovetail-controller's kind of
 * request and answer), false for table misses. */
static bool
policy_misses(enum policy_target target)
{
    return target != POLICY_TESTCONTROLLER;
}

/* The parameters of a "policy" run. */
struct policy_params {
    const char *remote;         /* The controller's address. */
    const char *db;             /* Database, for POLICY_DOVETAIL. */
    enum policy_target target;
    unsigned int n_switches;    /* --switches. */
    unsigned int n_endpoints;   /* --endpoints. */
    unsigned int n_domains;     /* --domains. */
    unsigned int n_policies;    /* --policies. */
    unsigned int ttl;           /* --ttl, seconds. */
    unsigned int vni;           /* --vni. */
    unsigned int outstanding;   /* --outstanding: closed loop. */
    double rate;                /* --rate: open loop if nonzero. */
    unsigned long long int n_requests; /* --requests, 0 for --seconds. */
    double seconds;             /* --seconds. */
    double warmup;              /* --warmup: seconds sent before those
                                 * measured. */
    double timeout;             /* --timeout: a request is unanswered after
                                 * this many seconds. */
    bool json;                  /* --format=json. */
    bool reuse_fabric;          /* --reuse-fabric: do not write the fabric,
                                 * an earlier run with the same parameters
                                 * did. */
    unsigned int expect_wrong;  /* --expect-wrong=N: expect a wrong cookie
                                 * for every Nth request (testing). */
};

/* The generated fabric and the answers it implies. */
struct policy_endpoint {
    struct eth_addr mac;
    ovs_be32 ip;
    unsigned int domain;        /* Domain index. */
    unsigned int hv;            /* Hypervisor (switch) index. */
    ofp_port_t ofport;          /* Its port on its switch. */
    uint32_t uuid0;             /* First 32 bits of its row's UUID. */
    char *local_actions;        /* Canonical actions to reach it from its
                                 * own switch. */
};

struct policy_rule {
    bool deny;
    uint32_t uuid0;             /* First 32 bits of the Policy row's UUID. */
    uint64_t tracking;          /* Its tracking number. */
    unsigned int ttl;
};

struct policy_fabric {
    struct policy_endpoint *eps;
    size_t n_eps;
    uint32_t *domain_uuid0;     /* Per domain index. */
    size_t n_domains;
    struct policy_rule *rules;  /* [src * n_domains + dst], or 'dflt'. */
    bool *has_rule;
    struct policy_rule dflt;    /* The default policy. */
    char **remote_actions;      /* Per hypervisor: canonical tunnel
                                 * actions to reach it. */
    size_t n_hvs;
    char *local_shape;          /* Canonical actions to reach an endpoint
                                 * with the sentinel MAC and port from its
                                 * own switch: every local answer's
                                 * template. */
};

/* The answer a dovetail request must get: its bundled flow_mod. */
struct policy_answer {
    uint32_t domain;            /* reg1 to match. */
    ovs_be32 dst;               /* nw_dst to match. */
    uint64_t cookie;
    unsigned int ttl;           /* hard_timeout. */
    const char *actions;        /* Canonical actions, from the fabric. */
    bool deny;

    /* Its template: 'actions', or for a local delivery the fabric's
     * 'local_shape' with the destination's MAC and port written in. */
    const char *shape;
    struct eth_addr local_mac;
    ofp_port_t local_port;
};

/* One request in flight. */
struct policy_request {
    struct hmap_node hmap_node; /* In policy_switch 'pending', by key. */
    struct ovs_list list_node;  /* In policy_switch 'fifo', in send order. */
    uint32_t domain;            /* reg1 sent. */
    ovs_be32 dst;               /* nw_dst sent. */
    unsigned int dst_ep;        /* Destination endpoint index. */
    long long int start_ns;     /* When sent (closed) or due (open). */
    struct policy_answer answer; /* Dovetail: the answer it must get, worked
                                  * out as it is sent, while what that
                                  * takes from the fabric is in cache. */
};

/* The packet-in of a request as sp_encode_packet_in() encodes it, with
 * sentinels where requests differ. */
struct policy_pin_template {
    struct ofpbuf *msg;         /* The encoding. */
    size_t port_ofs;            /* Offset of in_port (be32). */
    size_t domain_ofs;          /* Offset of reg1 (be32). */
    size_t packet_ofs;          /* Offset of the packet. */
    size_t packet_len;          /* Its length. */
    size_t dst_ofs;             /* Offset of the packet's nw_dst (be32). */
};

/* The flow_mod that answers one shape of request (actions and TTL), as
 * the bench encodes it, with sentinels where answers of that shape
 * differ.  Messages equal to it byte for byte, but for the xid and with
 * an answer's values written in, are that answer. */
struct policy_fm_template {
    struct hmap_node hmap_node; /* In policy_run 'fm_templates'. */
    const char *actions;        /* From the fabric: compared by address. */
    unsigned int ttl;
    struct ofpbuf *msg;         /* The encoding; holds the last answer's
                                 * values, not the sentinels. */
    size_t cookie_ofs;          /* Offset of the cookie (be64). */
    size_t domain_ofs;          /* Offset of reg1 (be32). */
    size_t dst_ofs;             /* Offset of nw_dst (be32). */
    size_t mac_ofs;             /* Local shape: offset of the destination's
                                 * MAC, else SIZE_MAX. */
    size_t port_ofs;            /* Local shape: of its port (be16). */
    bool usable;                /* False: compare decoded answers only. */
    unsigned int n_checked;     /* Answers accepted by their bytes that were
                                 * also decoded and checked. */
};

/* A source of requests on a switch: one local endpoint per domain. */
struct policy_source {
    unsigned int ep;            /* Endpoint index. */
};

/* The states of an emulated switch. */
enum policy_state {
    POLICY_CONNECTING,          /* Connecting, hello not yet received. */
    POLICY_HANDSHAKE,           /* Until the controller has programmed it
                                 * (dovetail) or learned it
                                 * (testcontroller). */
    POLICY_READY,               /* Sending requests. */
};

/* One emulated switch. */
struct policy_switch {
    unsigned int index;
    uint64_t dpid;
    int fd;
    enum policy_state state;
    struct ofpbuf rx;           /* Received, not yet processed. */
    struct ofpbuf tx;           /* To send... */
    size_t max_send;            /* ...at most this many bytes a send(). */
    bool hup;                   /* Connection closed or failed. */

    /* Local endpoints. */
    unsigned int *local;
    size_t n_local;

    /* Key space: n_sources * n_eps keys, visited 'stride' apart. */
    struct policy_source *sources;
    size_t n_sources;
    size_t n_keys;
    size_t next_key;
    size_t stride;
    size_t next_pos;            /* Position of 'next_key' in the cycle. */
    size_t prefetch_key;        /* POLICY_PREFETCH_KEYS after 'next_key'. */
    long long int *last_sent_ms; /* Per position in the cycle (so the key
                                  * there), read in order, unlike keys. */

    /* Requests. */
    struct hmap pending;        /* By (domain, dst): dovetail. */
    struct ovs_list fifo;       /* All, oldest first. */
    size_t n_pending;
    unsigned long long int n_sent;
    unsigned long long int next_due; /* Open loop: index of next request. */
    size_t n_primed;            /* Testcontroller: learning answers. */
};

/* Results. */
struct policy_stats {
    unsigned long long int sent, answered, wrong, unanswered;
    unsigned long long int allowed, denied, packet_outs, errors;
    unsigned long long int stalls; /* Requests delayed for key reuse. */
    unsigned long long int refreshes; /* Dovetail, measured: requests for
                                    * a key sent again before the
                                    * controller forgets its entry (TTL +
                                    * EXPIRY_GRACE_MSEC after), so that it
                                    * refreshes the entry it holds... */
    unsigned long long int fresh;  /* ...and for a key it does not hold. */
    unsigned long long int late;   /* Open loop: sent more than
                                    * POLICY_LATE_NS after they were due... */
    long long int max_late_ns;     /* ...and the latest. */
    unsigned long long int by_bytes; /* Answers checked by their bytes. */
    unsigned long long int decoded;  /* Answers decoded and checked. */
    unsigned long long int n_checked_ctrl; /* Bundle control replies
                                            * checked against OVS's. */
    long long int start_ns;     /* The first request. */
    long long int measure_ns;   /* The end of the warm-up: only requests
                                 * due (open loop) or sent (closed) from
                                 * then on count in 'measured', 'lat',
                                 * 'late' and the rate... */
    long long int end_ns;       /* ...up to the last answer. */
    unsigned long long int measured;
    long long int cpu_ns;       /* The bench's own CPU time from the first
                                 * request to the end of the run... */
    long long int cpu_sys_ns;   /* ...and the part of it in the kernel. */
    struct dt_histogram lat;    /* Latency of every measured answer, in
                                 * ns: a fixed size, so that counting one
                                 * never allocates (nor faults in a page)
                                 * during the run. */
};

/* The whole run. */
struct policy_run {
    struct policy_params p;
    struct policy_fabric fabric;
    struct policy_switch *sws;
    size_t n_sws;
    struct policy_stats st;
    struct policy_request *free_reqs; /* Free list through 'dst_ep'. */
    bool started;               /* Requests started? */
    bool sending;               /* Still sending new requests? */
    unsigned long long int limit; /* Requests to send, or ULLONG_MAX. */
    long long int stop_ns;      /* Stop sending at, or LLONG_MAX. */
    long long int programmed_ns; /* Last programming message, before the
                                  * requests start. */
    long long int progress_ns;  /* Last message but an echo request, before
                                 * the requests start. */

    /* Encoding and checking by bytes (dovetail). */
    struct policy_pin_template pin_template;
    struct hmap fm_templates;   /* Of struct policy_fm_template. */
    size_t fm_domain_ofs;       /* Where received flow_mods have their... */
    size_t fm_dst_ofs;          /* ...request's key, if they are answers. */
    size_t fm_min_len;          /* Shorter ones are not answers. */
};

static void policy_parse(int argc, char *argv[], struct policy_params *);
OVS_NO_RETURN static void policy_usage(void);
static void policy_generate(struct policy_run *);
static void policy_load_db(struct policy_run *);
static void policy_write_db(struct policy_run *, struct ovsdb_idl *);
static void policy_expect_actions(struct policy_run *);
static char *policy_local_actions(struct eth_addr, ofp_port_t);
static char *policy_canonical_actions(const char *text);
static void policy_parse_actions(const char *text, struct ofpbuf *ofpacts);
static void policy_init_templates(struct policy_run *);
static void policy_connect(struct policy_run *, struct policy_switch *);
static void policy_loop(struct policy_run *);
static void policy_switch_run(struct policy_run *, struct policy_switch *,
                              bool readable, long long int now);
static void policy_send_requests(struct policy_run *,
                                 struct policy_switch *, long long int now);
static bool policy_send_one(struct policy_run *, struct policy_switch *,
                            long long int start, long long int now);
static size_t policy_step_key(const struct policy_switch *, size_t key);
static void policy_put_packet_in(struct policy_run *, struct policy_switch *,
                                 ofp_port_t in_port, uint32_t domain,
                                 const uint8_t *packet, size_t len);
static struct ofpbuf *policy_encode_packet_in(const struct policy_run *,
                                              ofp_port_t in_port,
                                              uint32_t domain,
                                              const uint8_t *packet,
                                              size_t len);
static void policy_process(struct policy_run *, struct policy_switch *,
                           const struct ofp_header *, long long int now);
static bool policy_process_raw(struct policy_run *, struct policy_switch *,
                               const struct ofp_header *, long long int now);
static bool policy_answer_by_bytes(struct policy_run *,
                                   struct policy_switch *,
                                   const struct ofp_header *,
                                   long long int now);
static void policy_bundle_ctrl_reply(struct policy_run *,
                                     struct policy_switch *,
                                     const struct ofp_header *);
static void policy_bundle_add(struct policy_run *, struct policy_switch *,
                              const struct ofp_header *, long long int now);
static void policy_flow_mod(struct policy_run *, struct policy_switch *,
                            const struct ofp_header *, long long int now);
static enum ofperr policy_decode_flow_mod(const struct ofp_header *,
                                          struct ofputil_flow_mod *,
                                          struct ofpbuf *ofpacts);
static void policy_check_dovetail(struct policy_run *,
                                  struct policy_switch *,
                                  const struct ofputil_flow_mod *,
                                  long long int now);
static struct policy_request *policy_find_request(
    const struct policy_switch *, uint32_t domain, ovs_be32 dst);
static void policy_expect(const struct policy_run *,
                          const struct policy_switch *,
                          struct policy_request *,
                          const struct policy_endpoint *src);
static char *policy_judge(const struct policy_run *,
                          const struct ofputil_flow_mod *,
                          const struct policy_answer *);
static char *policy_judge_msg(const struct policy_run *,
                              const struct ofp_header *,
                              const struct policy_answer *);
static void policy_answer_match(const struct policy_run *,
                                const struct policy_answer *, struct match *);
static struct ofpbuf *policy_encode_answer(const struct policy_run *,
                                           const struct policy_answer *);
static struct policy_fm_template *policy_fm_template(struct policy_run *,
                                                     const char *actions,
                                                     unsigned int ttl);
static void policy_self_check(const char *what, const void *got, size_t n,
                              struct ofpbuf *want);
static void policy_check_testcontroller(struct policy_run *,
                                        struct policy_switch *,
                                        const struct ofputil_flow_mod *,
                                        long long int now);
static void policy_answered(struct policy_run *, struct policy_switch *,
                            struct policy_request *, long long int now);
static void policy_wrong(struct policy_run *, const struct policy_switch *,
                         const char *format, ...) OVS_PRINTF_FORMAT(3, 4);
static void policy_send_msg(struct policy_switch *, struct ofpbuf *);
static void policy_send_reply_list(struct policy_switch *, struct ovs_list *);
static void policy_flush(struct policy_switch *);
static void policy_read(struct policy_run *, struct policy_switch *,
                        long long int now);
static size_t policy_build_packet(const struct policy_endpoint *src,
                                  const struct policy_endpoint *dst,
                                  uint8_t packet[64]);
static void policy_report(const struct policy_run *);

/* "policy": see the top of the file.  Exits with status 1 if any request
 * got a wrong answer or none, or the controller reported an error. */
void
bench_policy(struct ovs_cmdl_context *ctx)
{
    /* Lives as long as the process, which exits after one run. */
    static struct policy_run run;

    memset(&run, 0, sizeof run);
    dt_histogram_init(&run.st.lat);
    policy_parse(ctx->argc, ctx->argv, &run.p);
    policy_generate(&run);
    hmap_init(&run.fm_templates);
    if (run.p.target == POLICY_DOVETAIL) {
        policy_load_db(&run);
        policy_expect_actions(&run);
        policy_init_templates(&run);
    } else if (run.p.target == POLICY_REFLECT) {
        /* No database: domains are named by made-up UUID prefixes (never
         * 0, which a packet-in leaves out), and every answer is the same
         * deny (policy_expect()). */
        for (size_t d = 0; d < run.fabric.n_domains; d++) {
            run.fabric.domain_uuid0[d] = 0x7e000000 + d + 1;
        }
        policy_init_templates(&run);
    }

    for (size_t i = 0; i < run.n_sws; i++) {
        policy_connect(&run, &run.sws[i]);
    }
    policy_loop(&run);
    policy_report(&run);

    const struct policy_stats *st = &run.st;
    if (st->wrong || st->unanswered || st->errors
        || st->answered != st->sent) {
        exit(EXIT_FAILURE);
    }
}

/* The fabric. */

/* Fills in the fabric and the switches' key spaces from the parameters. */
static void
policy_generate(struct policy_run *run)
{
    const struct policy_params *p = &run->p;
    struct policy_fabric *f = &run->fabric;

    f->n_eps = p->n_endpoints;
    f->eps = xcalloc(f->n_eps, sizeof *f->eps);
    f->n_domains = p->n_domains;
    f->domain_uuid0 = xcalloc(f->n_domains, sizeof *f->domain_uuid0);
    f->rules = xcalloc(f->n_domains * f->n_domains, sizeof *f->rules);
    f->has_rule = xcalloc(f->n_domains * f->n_domains, sizeof *f->has_rule);
    f->n_hvs = p->n_switches;
    f->remote_actions = xcalloc(f->n_hvs, sizeof *f->remote_actions);

    run->n_sws = p->n_switches;
    run->sws = xcalloc(run->n_sws, sizeof *run->sws);
    for (size_t h = 0; h < run->n_sws; h++) {
        struct policy_switch *sw = &run->sws[h];

        sw->index = h;
        sw->dpid = POLICY_DPID_BASE + h;
        sw->fd = -1;
        ofpbuf_init(&sw->rx, POLICY_READ_SIZE);
        ofpbuf_init(&sw->tx, 65536);
        hmap_init(&sw->pending);
        ovs_list_init(&sw->fifo);
        sw->local = xmalloc(sizeof *sw->local * (f->n_eps / run->n_sws + 1));
        sw->sources = xcalloc(f->n_domains, sizeof *sw->sources);
    }

    for (size_t j = 0; j < f->n_eps; j++) {
        struct policy_endpoint *ep = &f->eps[j];
        struct policy_switch *sw = &run->sws[j % run->n_sws];

        ep->mac = (struct eth_addr) ETH_ADDR_C(02, be, 00, 00, 00, 00);
        ep->mac.ea[3] = j >> 16;
        ep->mac.ea[4] = j >> 8;
        ep->mac.ea[5] = j;
        ep->ip = htonl(0x0a000000 + j + 1);
        /* Every hypervisor hosts endpoints of every domain (j % D would
         * give each only D / gcd(D, N) of them, and the keys with them). */
        ep->domain = (j / run->n_sws) % f->n_domains;
        ep->hv = j % run->n_sws;
        ep->ofport = u16_to_ofp(POLICY_TUNNEL_OFPORT + 1 + sw->n_local);
        sw->local[sw->n_local++] = j;
    }

    for (size_t i = 0; i < p->n_policies; i++) {
        size_t src = (i / f->n_domains) % f->n_domains;
        size_t dst = i % f->n_domains;
        struct policy_rule *r = &f->rules[src * f->n_domains + dst];

        f->has_rule[src * f->n_domains + dst] = true;
        r->deny = i % 3 == 2;
        r->ttl = p->ttl;
    }
    f->dflt.deny = true;
    f->dflt.ttl = p->ttl;

    for (size_t h = 0; h < run->n_sws; h++) {
        struct policy_switch *sw = &run->sws[h];

        if (policy_misses(p->target)) {
            /* One source per domain that has a local endpoint; every
             * endpoint of the fabric a destination. */
            bool *seen = xcalloc(f->n_domains, sizeof *seen);
            for (size_t i = 0; i < sw->n_local; i++) {
                unsigned int d = f->eps[sw->local[i]].domain;
                if (!seen[d]) {
                    seen[d] = true;
                    sw->sources[sw->n_sources++].ep = sw->local[i];
                }
            }
            free(seen);
            sw->n_keys = sw->n_sources * f->n_eps;
        } else {
            /* Every ordered pair of distinct local endpoints. */
            sw->n_keys = sw->n_local * sw->n_local;
        }
        sw->last_sent_ms = xmalloc(sw->n_keys * sizeof *sw->last_sent_ms);
        for (size_t k = 0; k < sw->n_keys; k++) {
            sw->last_sent_ms[k] = LLONG_MIN / 2;
        }

        /* A stride coprime to n_keys, about 0.618 of it, visits every key
         * once per cycle, scattered. */
        sw->stride = sw->n_keys * 0.618 + 1;
        while (sw->n_keys > 1) {
            size_t a = sw->stride, b = sw->n_keys;
            while (b) {
                size_t t = a % b;
                a = b;
                b = t;
            }
            if (a == 1) {
                break;
            }
            sw->stride++;
        }
        if (!sw->n_keys) {
            ovs_fatal(0, "switch %zu has no requests to send: too few "
                      "endpoints", h);
        }
        sw->stride %= sw->n_keys;   /* Still coprime; steps need no '%'. */
        sw->next_key = h % sw->n_keys;
        sw->prefetch_key = ((sw->next_key
                             + POLICY_PREFETCH_KEYS % sw->n_keys * sw->stride)
                            % sw->n_keys);
    }
}

/* Writes the fabric into the database (unless --reuse-fabric), waits until
 * the IDL shows it, and reads back the UUIDs and tracking numbers the
 * answers depend on. */
static void
policy_load_db(struct policy_run *run)
{
    const struct policy_params *p = &run->p;
    struct policy_fabric *f = &run->fabric;
    struct ovsdb_idl *idl = ovsdb_idl_create(p->db, &dtrec_idl_class,
                                             true, true);

    ovsdb_idl_get_initial_snapshot(idl);
    while (!ovsdb_idl_has_ever_connected(idl)) {
        ovsdb_idl_run(idl);
        ovsdb_idl_wait(idl);
        poll_block();
    }

    if (!p->reuse_fabric) {
        policy_write_db(run, idl);
    }

    /* Wait until the replica holds every endpoint just written.  A
     * database that should already hold them (--reuse-fabric) either does
     * now, since the replica has its whole contents, or never will. */
    char *last = xasprintf("bench-ep%zu", f->n_eps - 1);
    const struct dtrec_virtual_network *net;
    long long int deadline = time_msec() + p->timeout * 1000;
    while (!(net = dt_db_find_network(idl, "bench"))
           || !dt_db_find_endpoint(idl, last)) {
        if (p->reuse_fabric || time_msec() > deadline) {
            ovs_fatal(0, "%s: no %s \"%s\" %s", p->db,
                      net ? "endpoint" : "network", net ? last : "bench",
                      p->reuse_fabric
                      ? "(--reuse-fabric, but no earlier run with these "
                        "parameters wrote the fabric there)"
                      : "although it was written: the database did not show "
                        "it within --timeout");
        }
        ovsdb_idl_run(idl);
        ovsdb_idl_wait(idl);
        poll_timer_wait_until(deadline + 1);
        poll_block();
    }
    free(last);

    const struct dtrec_policy_domain **domains
        = xcalloc(f->n_domains, sizeof *domains);
    for (size_t d = 0; d < f->n_domains; d++) {
        char *name = xasprintf("d%zu", d);
        domains[d] = dt_db_find_domain(idl, net, name);
        ovs_assert(domains[d]);
        f->domain_uuid0 [d] = domains[d]->header_.uuid.parts[0];
        free(name);
    }
    for (size_t i = 0; i < f->n_domains * f->n_domains; i++) {
        if (f->has_rule[i]) {
            const struct dtrec_policy *row = dt_db_find_policy(
                idl, net, domains[i / f->n_domains],
                domains[i % f->n_domains]);
            ovs_assert(row);
            f->rules[i].uuid0 = row->header_.uuid.parts[0];
            f->rules[i].tracking = row->tracking_number;
        }
    }
    const struct dtrec_policy *dflt = dt_db_find_policy(idl, net, NULL,
                                                        NULL);
    ovs_assert(dflt);
    f->dflt.uuid0 = dflt->header_.uuid.parts[0];
    f->dflt.tracking = dflt->tracking_number;
    /* One pass over the endpoints: looking each one up by name would take
     * time quadratic in their number. */
    bool *found = xcalloc(f->n_eps, sizeof *found);
    size_t n_found = 0;
    const struct dtrec_endpoint *row;
    DTREC_ENDPOINT_FOR_EACH (row, idl) {
        size_t j;
        int len;

        if (dt_db_same_row(row->network, net)
            && sscanf(row->name, "bench-ep%zu%n", &j, &len) == 1
            && !row->name[len] && j < f->n_eps && !found[j]) {
            found[j] = true;
            n_found++;
            f->eps[j].uuid0 = row->header_.uuid.parts[0];
        }
    }
    free(found);
    if (n_found != f->n_eps) {
        ovs_fatal(0, "%s: network \"bench\" holds %"PRIuSIZE" of the %"
                  PRIuSIZE" endpoints expected%s", p->db, n_found, f->n_eps,
                  p->reuse_fabric ? " (--reuse-fabric with other "
                  "parameters than the run that wrote it?)" : "");
    }
    free(domains);
    ovsdb_idl_destroy(idl);
}

/* Endpoints written per database transaction: one transaction for a
 * million endpoints took ovsdb-server past 11 GB before it committed. */
#define POLICY_WRITE_CHUNK 50000

/* Commits 'txn' and destroys it; dies naming 'what' unless it succeeded.
 * Returns false if it must be tried again. */
static bool
policy_commit(const struct policy_params *p, struct ovsdb_idl_txn *txn,
              const char *what)
{
    enum ovsdb_idl_txn_status status = ovsdb_idl_txn_commit_block(txn);
    if (status != TXN_SUCCESS && status != TXN_UNCHANGED
        && status != TXN_TRY_AGAIN) {
        ovs_fatal(0, "%s: %s failed (%s): %s", p->db, what,
                  ovsdb_idl_txn_status_to_string(status),
                  ovsdb_idl_txn_get_error(txn));
    }
    ovsdb_idl_txn_destroy(txn);
    return status != TXN_TRY_AGAIN;
}

/* Fills in blueprint endpoint 'be' for the fabric's endpoint 'j'. */
static void
policy_blueprint_endpoint(const struct policy_fabric *f, size_t j,
                          struct dt_blueprint_endpoint *be)
{
    const struct policy_endpoint *ep = &f->eps[j];

    be->domain = xasprintf("d%u", ep->domain);
    be->mac = xasprintf(ETH_ADDR_FMT, ETH_ADDR_ARGS(ep->mac));
    svec_add_nocopy(&be->ips, xasprintf(IP_FMT, IP_ARGS(ep->ip)));
    be->hypervisor = xasprintf("bench-hv%u", ep->hv);
    be->port = xasprintf("bep%zu", j);
}

/* Inserts the fabric's endpoints 'start' up to 'end' into the network
 * "bench", which the replica behind 'idl' already holds with its domains,
 * as the blueprint import would have. */
static void
policy_append_endpoints(struct policy_run *run, struct ovsdb_idl *idl,
                        size_t start, size_t end)
{
    const struct policy_params *p = &run->p;
    const struct policy_fabric *f = &run->fabric;
    const struct dtrec_virtual_network *net;

    /* The network and its domains, as the import committed them. */
    while (!(net = dt_db_find_network(idl, "bench"))
           || !dt_db_find_domain(idl, net, "d0")) {
        ovsdb_idl_run(idl);
        ovsdb_idl_wait(idl);
        poll_block();
    }
    const struct dtrec_policy_domain **domains
        = xmalloc(f->n_domains * sizeof *domains);
    for (size_t d = 0; d < f->n_domains; d++) {
        char *name = xasprintf("d%zu", d);
        domains[d] = dt_db_find_domain(idl, net, name);
        ovs_assert(domains[d]);
        free(name);
    }
    const struct dtrec_hypervisor **hvs = xmalloc(run->n_sws * sizeof *hvs);
    for (size_t h = 0; h < run->n_sws; h++) {
        char *name = xasprintf("bench-hv%zu", h);
        hvs[h] = dt_db_find_hypervisor(idl, name);
        ovs_assert(hvs[h]);
        free(name);
    }

    for (size_t j0 = start; j0 < end; ) {
        size_t j1 = MIN(end, j0 + POLICY_WRITE_CHUNK);
        struct ovsdb_idl_txn *txn = ovsdb_idl_txn_create(idl);

        for (size_t j = j0; j < j1; j++) {
            struct dt_blueprint_endpoint be;

            memset(&be, 0, sizeof be);
            svec_init(&be.ips);
            be.name = xasprintf("bench-ep%zu", j);
            policy_blueprint_endpoint(f, j, &be);
            dt_blueprint_db_insert_endpoint(txn, net,
                                            domains[f->eps[j].domain],
                                            hvs[f->eps[j].hv], &be);
            free(be.name);
            free(be.domain);
            free(be.mac);
            svec_destroy(&be.ips);
            free(be.hypervisor);
            free(be.port);
        }
        if (policy_commit(p, txn, "writing endpoints")) {
            j0 = j1;
            fprintf(stderr, "dovetail-bench: wrote %"PRIuSIZE" of %"PRIuSIZE
                    " endpoints\n", j0, f->n_eps);
        }
        ovsdb_idl_run(idl);
    }
    free(domains);
    free(hvs);
}

/* Writes the fabric into the database behind 'idl': the hypervisors, then
 * the network as a blueprint, replacing a network of the same name, with
 * its first POLICY_WRITE_CHUNK endpoints, and the rest POLICY_WRITE_CHUNK
 * a transaction. */
static void
policy_write_db(struct policy_run *run, struct ovsdb_idl *idl)
{
    const struct policy_params *p = &run->p;
    const struct policy_fabric *f = &run->fabric;
    struct dt_blueprint bp;

    /* The hypervisors first: the blueprint's endpoints refer to them. */
    struct ovsdb_idl_txn *txn = ovsdb_idl_txn_create(idl);
    for (size_t h = 0; h < run->n_sws; h++) {
        char *name = xasprintf("bench-hv%zu", h);
        char *ip = xasprintf("172.31.%zu.%zu", h / 250, h % 250 + 1);
        const struct dtrec_hypervisor *hv = dt_db_find_hypervisor(idl, name);

        if (!hv) {
            hv = dtrec_hypervisor_insert(txn);
            dtrec_hypervisor_set_name(hv, name);
        }
        dtrec_hypervisor_set_datapath_id(hv, run->sws[h].dpid);
        dtrec_hypervisor_set_tunnel_ip(hv, ip);
        free(name);
        free(ip);
    }
    if (!policy_commit(p, txn, "adding the hypervisors")) {
        ovs_fatal(0, "%s: adding the hypervisors failed: the database "
                  "changed meanwhile", p->db);
    }

    dt_blueprint_init(&bp);
    bp.network = xstrdup("bench");
    bp.vni = p->vni;
    bp.fabric_mode = xstrdup("overlay");
    for (size_t d = 0; d < f->n_domains; d++) {
        char *name = xasprintf("d%zu", d);
        dt_blueprint_add_domain(&bp, name);
        free(name);
    }
    dt_blueprint_add_action(&bp, "ok", "allow");
    dt_blueprint_add_action(&bp, "no", "deny");
    for (size_t i = 0; i < f->n_domains * f->n_domains; i++) {
        if (f->has_rule[i]) {
            char *src = xasprintf("d%zu", i / f->n_domains);
            char *dst = xasprintf("d%zu", i % f->n_domains);
            struct dt_blueprint_policy *pol
                = dt_blueprint_add_policy(&bp, src, dst, f->rules[i].ttl);
            svec_add(&pol->actions, f->rules[i].deny ? "no" : "ok");
            free(src);
            free(dst);
        }
    }
    svec_add(&dt_blueprint_add_policy(&bp, NULL, NULL, p->ttl)->actions,
             "no");
    size_t n_first = MIN(f->n_eps, POLICY_WRITE_CHUNK);
    for (size_t j = 0; j < n_first; j++) {
        char *name = xasprintf("bench-ep%zu", j);
        policy_blueprint_endpoint(f, j, dt_blueprint_add_endpoint(&bp, name));
        free(name);
    }

    do {
        char *error;

        ovsdb_idl_run(idl);
        txn = ovsdb_idl_txn_create(idl);
        error = dt_blueprint_db_import(idl, txn, &bp, true);
        if (error) {
            ovs_fatal(0, "%s: importing the fabric: %s", p->db, error);
        }
    } while (!policy_commit(p, txn, "importing the fabric"));
    dt_blueprint_destroy(&bp);

    fprintf(stderr, "dovetail-bench: wrote %"PRIuSIZE" of %"PRIuSIZE
            " endpoints\n", n_first, f->n_eps);
    if (n_first < f->n_eps) {
        policy_append_endpoints(run, idl, n_first, f->n_eps);
    }
}

/* Computes the canonical actions of every answer, as the controller
 * builds them (controller/pcache.c pcache_location_actions()). */
static void
policy_expect_actions(struct policy_run *run)
{
    struct policy_fabric *f = &run->fabric;

    for (size_t h = 0; h < f->n_hvs; h++) {
        char *text = xasprintf("set_field:%u->tun_id,set_field:172.31.%zu."
                               "%zu->tun_dst,output:%d", run->p.vni,
                               h / 250, h % 250 + 1, POLICY_TUNNEL_OFPORT);
        f->remote_actions[h] = policy_canonical_actions(text);
        free(text);
    }
    for (size_t j = 0; j < f->n_eps; j++) {
        struct policy_endpoint *ep = &f->eps[j];
        ep->local_actions = policy_local_actions(ep->mac, ep->ofport);
    }
    f->local_shape = policy_local_actions(
        (struct eth_addr) POLICY_SENTINEL_MAC,
        u16_to_ofp(POLICY_SENTINEL_PORT));
}

/* Returns the canonical actions that deliver to port 'ofport' with MAC
 * 'mac' on the same switch, malloc'd. */
static char *
policy_local_actions(struct eth_addr mac, ofp_port_t ofport)
{
    char *text = xasprintf("set_field:"ETH_ADDR_FMT"->eth_dst,"
                           PL_LOAD_LIVE_PORT",resubmit(,%d)",
                           ETH_ADDR_ARGS(mac),
                           (unsigned int) ofp_to_u16(ofport), PL_DELIVER);
    char *actions = policy_canonical_actions(text);
    free(text);
    return actions;
}

/* Returns 'text' parsed and formatted again, malloc'd. */
static char *
policy_canonical_actions(const char *text)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct ofpbuf ofpacts;

    ofpbuf_init(&ofpacts, 64);
    policy_parse_actions(text, &ofpacts);
    struct ofpact_format_params fp = { .s = &s };
    ofpacts_format(ofpacts.data, ofpacts.size, &fp);
    ofpbuf_uninit(&ofpacts);
    return ds_steal_cstr(&s);
}

/* Parses actions 'text' into 'ofpacts' (initialized, appended to), or
 * exits if it is not valid. */
static void
policy_parse_actions(const char *text, struct ofpbuf *ofpacts)
{
    enum ofputil_protocol usable;
    struct ofpact_parse_params pp = {
        .ofpacts = ofpacts,
        .usable_protocols = &usable,
    };

    char *error = ofpacts_parse_actions(text, &pp);
    if (error) {
        ovs_fatal(0, "%s: %s", text, error);
    }
}

/* Templates. */

/* Builds the packet-in template and, from a first flow_mod template,
 * learns where answers carry their request's key. */
static void
policy_init_templates(struct policy_run *run)
{
    struct policy_pin_template *t = &run->pin_template;
    struct policy_endpoint src = {
        .mac = POLICY_SENTINEL_MAC,
        .ip = htonl(0xb761d28f),
    };
    struct policy_endpoint dst = {
        .mac = ETH_ADDR_C(c0, 7a, 1b, e4, 35, 8f),
        .ip = htonl(0xd5a3c70e),
    };
    uint8_t packet[64] OVS_ALIGNED_VAR(8);
    ovs_be32 port = htonl(POLICY_SENTINEL_PORT);
    ovs_be32 domain = htonl(POLICY_SENTINEL_DOMAIN);

    t->packet_len = policy_build_packet(&src, &dst, packet);
    t->msg = policy_encode_packet_in(run, u16_to_ofp(POLICY_SENTINEL_PORT),
                                     POLICY_SENTINEL_DOMAIN, packet,
                                     t->packet_len);
    t->port_ofs = oftemplate_find_once(t->msg, &port, sizeof port);
    t->domain_ofs = oftemplate_find_once(t->msg, &domain, sizeof domain);
    t->packet_ofs = oftemplate_find_once(t->msg, packet, t->packet_len);
    t->dst_ofs = oftemplate_find_once(t->msg, &dst.ip, sizeof dst.ip);
    if (t->port_ofs == SIZE_MAX || t->domain_ofs == SIZE_MAX
        || t->packet_ofs == SIZE_MAX || t->dst_ofs == SIZE_MAX) {
        ovs_fatal(0, "the packet-in template lacks a sentinel (a bench bug)");
    }

    const struct policy_fm_template *ft
        = policy_fm_template(run, policy_drop_actions, run->p.ttl);
    if (!ft->usable) {
        VLOG_WARN("answers cannot be checked by their bytes: every one "
                  "will be decoded");
    }
}

/* Fills in 'r' with what "dovetail-bench reflect" needs to answer the
 * policy misses of a run with --vni='vni' as one with --target=reflect
 * and --ttl='ttl' expects (see bench.h). */
void
bench_policy_reflection(unsigned int vni, unsigned int ttl,
                        struct bench_reflection *r)
{
    /* Lives as long as the process: only its parameters and templates. */
    static struct policy_run run;

    memset(&run, 0, sizeof run);
    run.p.target = POLICY_REFLECT;
    run.p.vni = vni;
    run.p.ttl = ttl;
    hmap_init(&run.fm_templates);
    policy_init_templates(&run);

    const struct policy_pin_template *pt = &run.pin_template;
    r->pin = ofpbuf_clone(pt->msg);
    r->pin_same = MIN(MIN(pt->port_ofs, pt->domain_ofs), pt->packet_ofs);
    ovs_assert(r->pin_same >= sizeof(struct ofp_header));
    r->pin_domain_ofs = pt->domain_ofs;
    r->pin_dst_ofs = pt->dst_ofs;

    const struct policy_fm_template *ft
        = policy_fm_template(&run, policy_drop_actions, ttl);
    if (!ft->usable) {
        ovs_fatal(0, "no template for the answers (a bench bug)");
    }
    ovs_be64 cookie = htonll(BENCH_REFLECT_COOKIE);
    r->answer = ofpbuf_clone(ft->msg);
    memcpy((uint8_t *) r->answer->data + ft->cookie_ofs, &cookie,
           sizeof cookie);
    r->answer_domain_ofs = ft->domain_ofs;
    r->answer_dst_ofs = ft->dst_ofs;
}

/* Returns the flow_mod template for answers with 'actions' (from the
 * fabric, compared by address: an answer's 'shape') and 'ttl', making it
 * if need be.  The first one made sets where answers carry their key; a
 * template is usable only if it has its sentinels there, and if decoding
 * it gives the answer it was made from. */
static struct policy_fm_template *
policy_fm_template(struct policy_run *run, const char *actions,
                   unsigned int ttl)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    uint32_t hash = hash_pointer(actions, ttl);
    struct policy_fm_template *t;

    HMAP_FOR_EACH_WITH_HASH (t, hmap_node, hash, &run->fm_templates) {
        if (t->actions == actions && t->ttl == ttl) {
            return t;
        }
    }

    struct policy_answer a = {
        .domain = POLICY_SENTINEL_DOMAIN,
        .dst = htonl(POLICY_SENTINEL_DST),
        .cookie = POLICY_SENTINEL_COOKIE,
        .ttl = ttl,
        .actions = actions,
    };
    ovs_be64 cookie = htonll(a.cookie);
    ovs_be32 domain = htonl(a.domain);

    t = xzalloc(sizeof *t);
    t->actions = actions;
    t->ttl = ttl;
    t->msg = policy_encode_answer(run, &a);
    t->cookie_ofs = oftemplate_find_once(t->msg, &cookie, sizeof cookie);
    t->domain_ofs = oftemplate_find_once(t->msg, &domain, sizeof domain);
    t->dst_ofs = oftemplate_find_once(t->msg, &a.dst, sizeof a.dst);
    t->mac_ofs = t->port_ofs = SIZE_MAX;
    bool local = actions == run->fabric.local_shape;
    if (local) {
        struct eth_addr mac = POLICY_SENTINEL_MAC;
        ovs_be16 port = htons(POLICY_SENTINEL_PORT);
        t->mac_ofs = oftemplate_find_once(t->msg, &mac, sizeof mac);
        t->port_ofs = oftemplate_find_once(t->msg, &port, sizeof port);
    }

    char *error = policy_judge_msg(run, t->msg->data, &a);
    if (!error && (t->cookie_ofs == SIZE_MAX || t->domain_ofs == SIZE_MAX
                   || t->dst_ofs == SIZE_MAX
                   || (local && (t->mac_ofs == SIZE_MAX
                                 || t->port_ofs == SIZE_MAX)))) {
        error = xstrdup("a sentinel is missing");
    }
    if (!error && !run->fm_min_len) {
        run->fm_domain_ofs = t->domain_ofs;
        run->fm_dst_ofs = t->dst_ofs;
        run->fm_min_len = MAX(t->domain_ofs, t->dst_ofs) + sizeof(ovs_be32);
    }
    if (!error && (t->domain_ofs != run->fm_domain_ofs
                   || t->dst_ofs != run->fm_dst_ofs)) {
        error = xstrdup("the key is elsewhere");
    }
    t->usable = !error;
    if (error) {
        VLOG_WARN_RL(&rl, "actions %s, TTL %u: no template (%s), answers "
                     "will be decoded", actions, ttl, error);
        free(error);
    }
    hmap_insert(&run->fm_templates, &t->hmap_node, hash);
    return t;
}

/* Checks that the 'n' bytes at 'got', which the bench built from a
 * template, are 'want' (which it takes), encoded the slow way: if not,
 * the bench itself is wrong, and it says so and exits. */
static void
policy_self_check(const char *what, const void *got, size_t n,
                  struct ofpbuf *want)
{
    if (want->size != n || memcmp(got, want->data, n)) {
        fprintf(stderr, "%s from its template:\n", what);
        ovs_hex_dump(stderr, got, n, 0, false);
        fprintf(stderr, "%s encoded in full:\n", what);
        ovs_hex_dump(stderr, want->data, want->size, 0, false);
        ovs_fatal(0, "%s: the template and the full encoding differ (a "
                  "bench bug)", what);
    }
    ofpbuf_delete(want);
}

/* Connections. */

/* Starts connecting 'sw' to the controller and queues its hello. */
static void
policy_connect(struct policy_run *run, struct policy_switch *sw)
{
    const char *remote = run->p.remote;
    int error;

    if (!strncmp(remote, "unix:", 5)) {
        error = make_unix_socket(SOCK_STREAM, true, NULL, remote + 5);
        if (error >= 0) {
            sw->fd = error;
            sw->max_send = POLICY_UNIX_SEND_SIZE;
            error = 0;
        } else {
            error = -error;
        }
    } else if (!strncmp(remote, "tcp:", 4)) {
        error = inet_open_active(SOCK_STREAM, remote + 4, 6653, NULL,
                                 &sw->fd, 0);
        if (!error) {
            setsockopt_tcp_nodelay(sw->fd);
        }
        sw->max_send = SIZE_MAX;
    } else {
        ovs_fatal(0, "%s: expected unix:FILE or tcp:IP[:PORT]", remote);
    }
    if (error && error != EINPROGRESS && error != EAGAIN) {
        ovs_fatal(error, "%s: connect failed", remote);
    }
    sw->state = POLICY_CONNECTING;
    policy_send_msg(sw, ofputil_encode_hello(1u << OFP14_VERSION));
}

/* Runs every switch until the run is done. */
static void
policy_loop(struct policy_run *run)
{
    const struct policy_params *p = &run->p;
    struct pollfd *pfds = xcalloc(run->n_sws, sizeof *pfds);
    long long int timeout_ns = p->timeout * 1e9;
    long long int done_at = 0;

    run->limit = p->n_requests ? p->n_requests : ULLONG_MAX;
    run->stop_ns = LLONG_MAX;
    run->progress_ns = bench_monotonic_ns();
    for (size_t i = 0; i < run->n_sws; i++) {
        pfds[i].revents = POLLIN;   /* Try every socket the first time. */
    }
    for (;;) {
        long long int now = bench_monotonic_ns();
        bool all_ready = true;

        for (size_t i = 0; i < run->n_sws; i++) {
            struct policy_switch *sw = &run->sws[i];

            policy_switch_run(run, sw, pfds[i].revents != 0, now);
            if (sw->hup) {
                ovs_fatal(0, "switch %016"PRIx64": the controller closed "
                          "the connection", sw->dpid);
            }
            all_ready &= sw->state == POLICY_READY;
        }

        if (!run->started) {
            if (all_ready && now - run->programmed_ns > POLICY_SETTLE_NS) {
                run->started = true;
                run->sending = true;
                run->st.start_ns = now;
                run->st.measure_ns = now + p->warmup * 1e9;
                run->st.cpu_ns = -bench_cpu_ns();
                run->st.cpu_sys_ns = -bench_cpu_sys_ns();
                if (!p->n_requests) {
                    run->stop_ns = run->st.measure_ns + p->seconds * 1e9;
                }
                continue;
            } else if (now - run->progress_ns > timeout_ns) {
                /* Programming a large fabric takes as long as it takes:
                 * what fails the run is the controller going quiet. */
                size_t n_ready = 0;
                for (size_t i = 0; i < run->n_sws; i++) {
                    n_ready += run->sws[i].state == POLICY_READY;
                }
                ovs_fatal(0, "%"PRIuSIZE" of %"PRIuSIZE" switches "
                          "programmed, and nothing more from the controller "
                          "for %g s (does the database have a Hypervisor "
                          "row for each datapath id?)", n_ready, run->n_sws,
                          p->timeout);
            }
        } else {
            if (run->sending && (run->st.sent >= run->limit
                                 || now >= run->stop_ns)) {
                run->sending = false;
            }

            /* Unanswered requests: the oldest of each switch. */
            for (size_t i = 0; i < run->n_sws; i++) {
                struct policy_switch *sw = &run->sws[i];
                if (!ovs_list_is_empty(&sw->fifo)) {
                    struct policy_request *r = CONTAINER_OF(
                        ovs_list_front(&sw->fifo), struct policy_request,
                        list_node);
                    if (now - r->start_ns > timeout_ns) {
                        run->st.unanswered += sw->n_pending;
                        policy_wrong(run, sw, "%zu requests unanswered after "
                                     "%g s", sw->n_pending, p->timeout);
                        run->st.end_ns = now;
                        run->st.cpu_ns += bench_cpu_ns();
                        run->st.cpu_sys_ns += bench_cpu_sys_ns();
                        free(pfds);
                        return;
                    }
                }
            }

            bool idle = !run->sending;
            for (size_t i = 0; i < run->n_sws; i++) {
                idle &= !run->sws[i].n_pending;
            }
            if (idle) {
                if (!done_at) {
                    done_at = now;
                    run->st.end_ns = run->st.measured ? run->st.end_ns : now;
                }
                if (run->st.packet_outs >= run->st.allowed
                    || now - done_at > POLICY_GRACE_NS) {
                    run->st.cpu_ns += bench_cpu_ns();
                    run->st.cpu_sys_ns += bench_cpu_sys_ns();
                    break;
                }
            }
        }

        /* Busy-poll while sending; otherwise sleep until a socket is
         * ready, at most a millisecond. */
        int poll_ms = run->sending ? 0 : 1;
        for (size_t i = 0; i < run->n_sws; i++) {
            struct policy_switch *sw = &run->sws[i];
            pfds[i].fd = sw->fd;
            pfds[i].events = POLLIN | (sw->tx.size ? POLLOUT : 0);
            pfds[i].revents = 0;
        }
        if (poll(pfds, run->n_sws, poll_ms) < 0 && errno != EINTR) {
            ovs_fatal(errno, "poll failed");
        }
    }
    free(pfds);
}

/* Reads and processes what 'sw' received (if poll() said it is
 * 'readable', or closed), sends what is due, and flushes its output. */
static void
policy_switch_run(struct policy_run *run, struct policy_switch *sw,
                  bool readable, long long int now)
{
    if (readable) {
        policy_read(run, sw, now);
    }
    if (sw->state == POLICY_READY && run->sending) {
        policy_send_requests(run, sw, now);
    }
    policy_flush(sw);
}

/* Returns the 'len'-byte message at 'msg', or a copy of it aligned as
 * OpenFlow's structures need, valid until the next call, if 'msg' is not:
 * a packet-out of a packet whose length is not a multiple of 8 leaves the
 * next message misaligned. */
static const struct ofp_header *
policy_aligned(const void *msg, size_t len)
{
    static uint64_t copy[UINT16_MAX / 8 + 1];

    if (!((uintptr_t) msg % 8)) {
        return msg;
    }
    memcpy(copy, msg, len);
    return (const struct ofp_header *) copy;
}

/* Reads everything there is on 'sw''s socket and processes every whole
 * message in it. */
static void
policy_read(struct policy_run *run, struct policy_switch *sw,
            long long int now)
{
    for (;;) {
        ofpbuf_prealloc_tailroom(&sw->rx, POLICY_READ_SIZE);
        ssize_t n = recv(sw->fd, ofpbuf_tail(&sw->rx),
                         ofpbuf_tailroom(&sw->rx), MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            } else if (errno != EAGAIN && errno != ENOTCONN) {
                sw->hup = true;
            }
            break;
        } else if (!n) {
            sw->hup = true;
            break;
        }
        sw->rx.size += n;

        while (sw->rx.size >= sizeof(struct ofp_header)) {
            /* Read by bytes: a message may follow one of any length. */
            ovs_be16 len_be;
            memcpy(&len_be, (const uint8_t *) sw->rx.data
                   + offsetof(struct ofp_header, length), sizeof len_be);
            size_t len = ntohs(len_be);
            if (len < sizeof(struct ofp_header)) {
                ovs_fatal(0, "switch %016"PRIx64": bad OpenFlow length %zu",
                          sw->dpid, len);
            } else if (sw->rx.size < len) {
                break;
            }
            policy_process(run, sw, policy_aligned(sw->rx.data, len), now);
            ofpbuf_pull(&sw->rx, len);
        }
        /* Move a partial message to the front. */
        if (sw->rx.data != sw->rx.base) {
            memmove(sw->rx.base, sw->rx.data, sw->rx.size);
            sw->rx.data = sw->rx.base;
        }
        if (n < POLICY_READ_SIZE / 2) {
            break;              /* Probably all there was. */
        }
    }
}

/* Sends as much of 'sw''s output as the socket takes. */
static void
policy_flush(struct policy_switch *sw)
{
    while (sw->tx.size) {
        ssize_t n = send(sw->fd, sw->tx.data, MIN(sw->tx.size, sw->max_send),
                         MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            } else if (errno != EAGAIN && errno != ENOTCONN) {
                sw->hup = true;
            }
            break;
        }
        ofpbuf_pull(&sw->tx, n);
    }
    if (!sw->tx.size) {
        ofpbuf_clear(&sw->tx);
    }
}

/* Queues 'msg' (and takes it) for sending to the controller, with its
 * header's length set, since not every encoder sets it. */
static void
policy_send_msg(struct policy_switch *sw, struct ofpbuf *msg)
{
    ofpmsg_update_length(msg);
    ofpbuf_put(&sw->tx, msg->data, msg->size);
    ofpbuf_delete(msg);
}

/* Queues every message in 'replies' (a multipart reply, emptied). */
static void
policy_send_reply_list(struct policy_switch *sw, struct ovs_list *replies)
{
    struct ofpbuf *msg;

    LIST_FOR_EACH_POP (msg, list_node, replies) {
        policy_send_msg(sw, msg);
    }
}

/* Requests. */

/* Sends the requests that are due on 'sw'. */
static void
policy_send_requests(struct policy_run *run, struct policy_switch *sw,
                     long long int now)
{
    const struct policy_params *p = &run->p;

    if (p->rate) {
        /* Request i of switch h is due at start + (i * N + h) / rate. */
        double ns_per = 1e9 / p->rate;
        for (;;) {
            long long int due = run->st.start_ns
                + (sw->next_due * run->n_sws + sw->index) * ns_per;
            if (due > now || run->st.sent >= run->limit
                || due >= run->stop_ns
                || !policy_send_one(run, sw, due, now)) {
                break;
            }
            /* A request the bench itself sends late counts in its
             * latency: say how often that happened. */
            long long int late = now - due;
            if (due >= run->st.measure_ns) {
                if (late > POLICY_LATE_NS) {
                    run->st.late++;
                }
                run->st.max_late_ns = MAX(run->st.max_late_ns, late);
            }
            sw->next_due++;
        }
    } else {
        while (sw->n_pending < p->outstanding
               && run->st.sent < run->limit
               && policy_send_one(run, sw, now, now)) {
            continue;
        }
    }
}

/* Sends the next request of 'sw', timed from 'start'.  Returns false if
 * the next key was used too recently to send now. */
static bool
policy_send_one(struct policy_run *run, struct policy_switch *sw,
                long long int start, long long int now)
{
    const struct policy_fabric *f = &run->fabric;
    size_t key = sw->next_key;
    long long int now_ms = now / 1000000;
    unsigned int src_ep, dst_ep;

    if (policy_misses(run->p.target)) {
        long long int reuse_ms = run->p.ttl * 1000LL + POLICY_REUSE_MARGIN_MS;
        long long int age_ms = now_ms - sw->last_sent_ms[sw->next_pos];
        if (age_ms < reuse_ms) {
            run->st.stalls++;
            return false;
        }
        if (now >= run->st.measure_ns && run->p.target == POLICY_DOVETAIL) {
            if (age_ms < run->p.ttl * 1000LL + EXPIRY_GRACE_MSEC) {
                run->st.refreshes++;
            } else {
                run->st.fresh++;
            }
        }
        src_ep = sw->sources[key / f->n_eps].ep;
        dst_ep = key % f->n_eps;
    } else {
        src_ep = sw->local[key / sw->n_local];
        dst_ep = sw->local[key % sw->n_local];
    }
    sw->last_sent_ms[sw->next_pos] = now_ms;
    sw->next_key = policy_step_key(sw, key);
    sw->next_pos = sw->next_pos + 1 < sw->n_keys ? sw->next_pos + 1 : 0;
    sw->prefetch_key = policy_step_key(sw, sw->prefetch_key);
    if (policy_misses(run->p.target)) {
        /* Its destination's data, a random one of many, is a cache miss
         * otherwise. */
        OVS_PREFETCH(&f->eps[sw->prefetch_key % f->n_eps]);
    }
    if (run->p.target == POLICY_TESTCONTROLLER && src_ep == dst_ep) {
        return true;            /* Not a request; on to the next key. */
    }

    const struct policy_endpoint *src = &f->eps[src_ep];
    const struct policy_endpoint *dst = &f->eps[dst_ep];
    uint8_t packet[64] OVS_ALIGNED_VAR(8);
    size_t len = policy_build_packet(src, dst, packet);

    struct policy_request *r = run->free_reqs;
    if (r) {
        run->free_reqs = (struct policy_request *) r->hmap_node.next;
    } else {
        r = xmalloc(sizeof *r);
    }
    r->dst = dst->ip;
    r->dst_ep = dst_ep;
    r->start_ns = start;
    ovs_list_push_back(&sw->fifo, &r->list_node);

    if (policy_misses(run->p.target)) {
        r->domain = f->domain_uuid0[src->domain];
        policy_expect(run, sw, r, src);
        if (run->p.expect_wrong
            && (run->st.sent + 1) % run->p.expect_wrong == 0) {
            r->answer.cookie ^= 1;
        }
        hmap_insert(&sw->pending, &r->hmap_node,
                    hash_2words(r->domain, (OVS_FORCE uint32_t) r->dst));
        policy_put_packet_in(run, sw, src->ofport, r->domain, packet, len);
    } else {
        struct ofputil_packet_in_private pin;

        memset(&pin, 0, sizeof pin);
        pin.base.packet = packet;
        pin.base.packet_len = len;
        pin.base.reason = OFPR_NO_MATCH;
        pin.base.cookie = OVS_BE64_MAX;
        match_init_catchall(&pin.base.flow_metadata);
        match_set_in_port(&pin.base.flow_metadata, src->ofport);
        policy_send_msg(sw, ofputil_encode_packet_in_private(
                            &pin, ofputil_protocol_from_ofp_version(
                                OFP14_VERSION), OFPUTIL_PACKET_IN_STD));
    }
    sw->n_pending++;
    sw->n_sent++;
    run->st.sent++;
    return true;
}

/* Returns the key after 'key' in 'sw''s cycle. */
static size_t
policy_step_key(const struct policy_switch *sw, size_t key)
{
    key += sw->stride;
    return key >= sw->n_keys ? key - sw->n_keys : key;
}

/* Queues on 'sw' the policy-miss packet-in of 'packet' ('len' bytes)
 * from port 'in_port' of domain 'domain': a copy of the template with
 * those written in.  The first POLICY_SELF_CHECKS of each switch are also
 * encoded in full and compared. */
static void
policy_put_packet_in(struct policy_run *run, struct policy_switch *sw,
                     ofp_port_t in_port, uint32_t domain,
                     const uint8_t *packet, size_t len)
{
    const struct policy_pin_template *t = &run->pin_template;

    if (!domain || len != t->packet_len) {
        /* reg1 = 0 is left out of the encoding: no template for that. */
        policy_send_msg(sw, policy_encode_packet_in(run, in_port, domain,
                                                    packet, len));
        return;
    }

    uint8_t *p = ofpbuf_put(&sw->tx, t->msg->data, t->msg->size);
    ovs_be32 port = htonl(ofp_to_u16(in_port));
    ovs_be32 reg = htonl(domain);
    memcpy(p + t->port_ofs, &port, sizeof port);
    memcpy(p + t->domain_ofs, &reg, sizeof reg);
    memcpy(p + t->packet_ofs, packet, len);

    if (sw->n_sent < POLICY_SELF_CHECKS) {
        policy_self_check("packet-in", p, t->msg->size,
                          policy_encode_packet_in(run, in_port, domain,
                                                  packet, len));
    }
}

/* Returns the policy-miss packet-in of 'packet' ('len' bytes) from port
 * 'in_port' of domain 'domain', as ovs-vswitchd sends it. */
static struct ofpbuf *
policy_encode_packet_in(const struct policy_run *run, ofp_port_t in_port,
                        uint32_t domain, const uint8_t *packet, size_t len)
{
    struct ofpbuf *msg = sp_encode_packet_in(
        ofputil_protocol_from_ofp_version(OFP14_VERSION), SP_POLICY_MISS,
        PL_POLICY, htonll(0), in_port, run->p.vni, domain, htonll(0),
        htonl(0), packet, len);

    ofpmsg_update_length(msg);
    return msg;
}

/* Composes in 'packet' a UDP packet from 'src' to 'dst' and returns its
 * length. */
static size_t
policy_build_packet(const struct policy_endpoint *src,
                    const struct policy_endpoint *dst, uint8_t packet[64])
{
    return bench_udp_packet(&src->mac, src->ip, &dst->mac, dst->ip, packet);
}

/* Replies. */

/* Processes message 'oh' from the controller to 'sw'. */
static void
policy_process(struct policy_run *run, struct policy_switch *sw,
               const struct ofp_header *oh, long long int now)
{
    if (!run->started && oh->type != POLICY_OFPT_ECHO_REQUEST) {
        run->progress_ns = now;
    }
    if (policy_process_raw(run, sw, oh, now)) {
        return;
    }

    enum ofptype type;
    enum ofperr error = ofptype_decode(&type, oh);

    if (error) {
        run->st.errors++;
        policy_wrong(run, sw, "undecodable message: %s",
                     ofperr_to_string(error));
        return;
    }

    if (type == OFPTYPE_HELLO) {
        uint32_t versions;
        if (!ofputil_decode_hello(oh, &versions)
            || !(versions & (1u << OFP14_VERSION))) {
            ovs_fatal(0, "switch %016"PRIx64": the controller does not "
                      "speak OpenFlow 1.4", sw->dpid);
        }
        sw->state = POLICY_HANDSHAKE;
    } else if (type == OFPTYPE_ECHO_REQUEST) {
        policy_send_msg(sw, ofputil_encode_echo_reply(oh));
    } else if (type == OFPTYPE_FEATURES_REQUEST) {
        struct ofputil_switch_features features = {
            .datapath_id = sw->dpid,
            .n_buffers = 0,
            .n_tables = 254,
            .capabilities = OFPUTIL_C_FLOW_STATS | OFPUTIL_C_TABLE_STATS
                            | OFPUTIL_C_PORT_STATS,
        };
        struct ofpbuf *reply = ofputil_encode_switch_features(
            &features, ofputil_protocol_from_ofp_version(oh->version),
            oh->xid);
        policy_send_msg(sw, reply);
        if (run->p.target == POLICY_TESTCONTROLLER) {
            /* Teach it the local MACs: a broadcast from each. */
            for (size_t i = 0; i < sw->n_local; i++) {
                const struct policy_endpoint *ep
                    = &run->fabric.eps[sw->local[i]];
                struct policy_endpoint bcast = *ep;
                struct ofputil_packet_in_private pin;
                uint8_t packet[64] OVS_ALIGNED_VAR(8);

                bcast.mac = eth_addr_broadcast;
                memset(&pin, 0, sizeof pin);
                pin.base.packet = packet;
                pin.base.packet_len = policy_build_packet(ep, &bcast, packet);
                pin.base.reason = OFPR_NO_MATCH;
                match_init_catchall(&pin.base.flow_metadata);
                match_set_in_port(&pin.base.flow_metadata, ep->ofport);
                policy_send_msg(sw, ofputil_encode_packet_in_private(
                                    &pin, ofputil_protocol_from_ofp_version(
                                        oh->version), OFPUTIL_PACKET_IN_STD));
            }
        }
    } else if (type == OFPTYPE_PORT_DESC_STATS_REQUEST) {
        struct ovs_list replies;
        struct ofputil_phy_port pp;

        ofpmp_init(&replies, oh);
        memset(&pp, 0, sizeof pp);
        pp.port_no = u16_to_ofp(POLICY_TUNNEL_OFPORT);
        ovs_strlcpy(pp.name, POLICY_TUNNEL_NAME, sizeof pp.name);
        pp.hw_addr = (struct eth_addr) ETH_ADDR_C(02, be, ff, 00, 00, 01);
        ofputil_append_port_desc_stats_reply(&pp, &replies);
        for (size_t i = 0; i < sw->n_local; i++) {
            const struct policy_endpoint *ep = &run->fabric.eps[sw->local[i]];
            pp.port_no = ep->ofport;
            snprintf(pp.name, sizeof pp.name, "bep%u", sw->local[i]);
            pp.hw_addr = ep->mac;
            ofputil_append_port_desc_stats_reply(&pp, &replies);
        }
        policy_send_reply_list(sw, &replies);
    } else if (type == OFPTYPE_FLOW_STATS_REQUEST) {
        policy_send_msg(sw, ofpraw_alloc_stats_reply(oh, 0));
    } else if (type == OFPTYPE_BARRIER_REQUEST) {
        policy_send_msg(sw, ofpraw_alloc_reply(OFPRAW_OFPT11_BARRIER_REPLY,
                                                oh, 0));
    } else if (type == OFPTYPE_BUNDLE_CONTROL) {
        struct ofputil_bundle_ctrl_msg bc;
        error = ofputil_decode_bundle_ctrl(oh, &bc);
        if (error) {
            run->st.errors++;
            policy_wrong(run, sw, "bad bundle control: %s",
                         ofperr_to_string(error));
            return;
        }
        bc.type++;              /* OFPBCT_*_REQUEST -> OFPBCT_*_REPLY. */
        policy_send_msg(sw, ofputil_encode_bundle_ctrl_reply(oh, &bc));
        if (bc.type == OFPBCT_COMMIT_REPLY && sw->state == POLICY_HANDSHAKE
            && policy_misses(run->p.target)) {
            sw->state = POLICY_READY;   /* Programmed. */
        }
    } else if (type == OFPTYPE_BUNDLE_ADD_MESSAGE && !run->started) {
        run->programmed_ns = now;
    } else if (type == OFPTYPE_BUNDLE_ADD_MESSAGE) {
        policy_bundle_add(run, sw, oh, now);
    } else if (type == OFPTYPE_FLOW_MOD) {
        policy_flow_mod(run, sw, oh, now);
    } else if (type == OFPTYPE_PACKET_OUT) {
        if (sw->state == POLICY_READY) {
            run->st.packet_outs++;
        } else if (run->p.target == POLICY_TESTCONTROLLER
                   && ++sw->n_primed == sw->n_local) {
            sw->state = POLICY_READY;   /* Every local MAC learned. */
        }
    } else if (type == OFPTYPE_ERROR) {
        run->st.errors++;
        policy_wrong(run, sw, "controller sent error: %s",
                     ofperr_to_string(ofperr_decode_msg(oh, NULL)));
    }
    /* Anything else (set_config, set_packet_in_format, role...) needs no
     * answer. */
}

/* Processes what the request phase receives most from its header and bytes
 * alone, without decoding: answers right byte for byte, packet-outs,
 * bundle control requests.  Returns false if policy_process() must decode
 * 'oh' instead (anything else, and answers that differ from their
 * template in any byte, right or wrong). */
static bool
policy_process_raw(struct policy_run *run, struct policy_switch *sw,
                   const struct ofp_header *oh, long long int now)
{
    if (oh->version != OFP14_VERSION) {
        return false;
    }
    switch (oh->type) {
    case POLICY_OFPT14_BUNDLE_ADD_MESSAGE:
        return (run->started && sw->state == POLICY_READY
                && policy_misses(run->p.target)
                && policy_answer_by_bytes(run, sw, oh, now));

    case POLICY_OFPT_PACKET_OUT:
        if (sw->state == POLICY_READY) {
            run->st.packet_outs++;
            return true;
        }
        return false;

    case POLICY_OFPT14_BUNDLE_CONTROL:
        if (ntohs(oh->length) == POLICY_BUNDLE_CTRL_LEN) {
            policy_bundle_ctrl_reply(run, sw, oh);
            return true;
        }
        return false;

    default:
        return false;
    }
}

/* Checks bundle add message 'oh' on 'sw' by its bytes: if, but for its
 * xid, the flow_mod in it is byte for byte the template of the answer to
 * the request its key names, with that answer's values written in, counts
 * the request answered and returns true.  Otherwise returns false and
 * changes nothing, for policy_process() to decode it. */
static bool
policy_answer_by_bytes(struct policy_run *run, struct policy_switch *sw,
                       const struct ofp_header *oh, long long int now)
{
    size_t len = ntohs(oh->length);
    if (!run->fm_min_len || len < POLICY_BUNDLE_CTRL_LEN + run->fm_min_len) {
        return false;
    }

    /* The outer header: exactly one message, with the same xid. */
    const uint8_t *inner = (const uint8_t *) oh + POLICY_BUNDLE_CTRL_LEN;
    const struct ofp_header *ih = ALIGNED_CAST(const struct ofp_header *,
                                               inner);
    size_t inner_len = len - POLICY_BUNDLE_CTRL_LEN;
    if (ih->version != oh->version || ih->xid != oh->xid
        || ntohs(ih->length) != inner_len) {
        return false;
    }

    /* The request its key names. */
    ovs_be32 domain = get_unaligned_be32(ALIGNED_CAST(
        const ovs_be32 *, inner + run->fm_domain_ofs));
    ovs_be32 dst = get_unaligned_be32(ALIGNED_CAST(
        const ovs_be32 *, inner + run->fm_dst_ofs));
    struct policy_request *r = policy_find_request(sw, ntohl(domain), dst);
    if (!r) {
        return false;
    }

    /* Its answer's template, with its values. */
    const struct policy_answer *a = &r->answer;
    struct policy_fm_template *t = policy_fm_template(run, a->shape, a->ttl);
    if (!t->usable || t->msg->size != inner_len) {
        return false;
    }
    uint8_t *want = t->msg->data;
    ovs_be64 want_cookie = htonll(a->cookie);
    ovs_be32 want_domain = htonl(a->domain);
    memcpy(want + t->cookie_ofs, &want_cookie, sizeof want_cookie);
    memcpy(want + t->domain_ofs, &want_domain, sizeof want_domain);
    memcpy(want + t->dst_ofs, &a->dst, sizeof a->dst);
    if (t->mac_ofs != SIZE_MAX) {
        ovs_be16 port = htons(ofp_to_u16(a->local_port));
        memcpy(want + t->mac_ofs, &a->local_mac, sizeof a->local_mac);
        memcpy(want + t->port_ofs, &port, sizeof port);
    }

    size_t xid_ofs = offsetof(struct ofp_header, xid);
    size_t body_ofs = sizeof(struct ofp_header);
    if (memcmp(inner, want, xid_ofs)
        || memcmp(inner + body_ofs, want + body_ofs, inner_len - body_ofs)) {
        return false;
    }

    if (t->n_checked < POLICY_SELF_CHECKS) {
        t->n_checked++;
        char *error = policy_judge_msg(run, ih, a);
        if (error) {
            ovs_fatal(0, "switch %016"PRIx64": an answer right by its bytes "
                      "is wrong decoded (a bench bug): %s", sw->dpid, error);
        }
    }
    hmap_remove(&sw->pending, &r->hmap_node);
    run->st.by_bytes++;
    if (a->deny) {
        run->st.denied++;
    } else {
        run->st.allowed++;
    }
    policy_answered(run, sw, r, now);
    return true;
}

/* Answers bundle control request 'oh' (without properties) on 'sw' from
 * its bytes: the reply echoes its xid, bundle id and flags, with
 * OFPBCT_*_REQUEST turned into OFPBCT_*_REPLY.  The first few are checked
 * against Open vSwitch's encoding. */
static void
policy_bundle_ctrl_reply(struct policy_run *run, struct policy_switch *sw,
                         const struct ofp_header *oh)
{
    struct ofp_header h;
    struct ofp14_bundle_ctrl_msg bc;

    memcpy(&h, oh, sizeof h);
    memcpy(&bc, oh + 1, sizeof bc);
    uint16_t type = ntohs(bc.type) + 1;
    bc.type = htons(type);
    ofpbuf_put(&sw->tx, &h, sizeof h);
    ofpbuf_put(&sw->tx, &bc, sizeof bc);

    if (run->st.n_checked_ctrl < POLICY_SELF_CHECKS) {
        struct ofputil_bundle_ctrl_msg msg;

        run->st.n_checked_ctrl++;
        ovs_assert(!ofputil_decode_bundle_ctrl(oh, &msg));
        msg.type++;
        struct ofpbuf *reply = ofputil_encode_bundle_ctrl_reply(oh, &msg);
        ofpmsg_update_length(reply);
        policy_self_check("bundle control reply",
                          ofpbuf_at_assert(&sw->tx, sw->tx.size - sizeof h
                                           - sizeof bc, sizeof h + sizeof bc),
                          sizeof h + sizeof bc, reply);
    }
    if (type == OFPBCT_COMMIT_REPLY && sw->state == POLICY_HANDSHAKE
        && policy_misses(run->p.target)) {
        sw->state = POLICY_READY;   /* Programmed. */
    }
}

/* Processes a bundle add message: the flow_mod in it. */
static void
policy_bundle_add(struct policy_run *run, struct policy_switch *sw,
                  const struct ofp_header *oh, long long int now)
{
    struct ofputil_bundle_add_msg bam;
    enum ofptype type;
    enum ofperr error = ofputil_decode_bundle_add(oh, &bam, &type);

    if (error) {
        run->st.errors++;
        policy_wrong(run, sw, "bad bundle add: %s", ofperr_to_string(error));
    } else if (type == OFPTYPE_FLOW_MOD) {
        policy_flow_mod(run, sw, bam.msg, now);
    }
}

/* Processes a flow_mod, in a bundle or not. */
static void
policy_flow_mod(struct policy_run *run, struct policy_switch *sw,
                const struct ofp_header *oh, long long int now)
{
    uint64_t ofpacts_stub[1024 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(ofpacts_stub);
    struct ofputil_flow_mod fm;
    enum ofperr error;

    if (sw->state != POLICY_READY) {
        return;                 /* Programming, not an answer. */
    }
    error = policy_decode_flow_mod(oh, &fm, &ofpacts);
    if (error) {
        run->st.errors++;
        policy_wrong(run, sw, "bad flow_mod: %s", ofperr_to_string(error));
    } else {
        if (policy_misses(run->p.target)) {
            policy_check_dovetail(run, sw, &fm, now);
        } else {
            policy_check_testcontroller(run, sw, &fm, now);
        }
        minimatch_destroy(&fm.match);
    }
    ofpbuf_uninit(&ofpacts);
}

/* Decodes flow_mod 'oh' into 'fm', with its actions in 'ofpacts'.  The
 * caller destroys fm->match if it returns 0. */
static enum ofperr
policy_decode_flow_mod(const struct ofp_header *oh,
                       struct ofputil_flow_mod *fm, struct ofpbuf *ofpacts)
{
    return ofputil_decode_flow_mod(fm, oh,
                                   ofputil_protocol_from_ofp_version(
                                       oh->version),
                                   NULL, NULL, ofpacts, OFPP_MAX, 255);
}

/* Checks flow_mod 'fm' against the request it answers. */
static void
policy_check_dovetail(struct policy_run *run, struct policy_switch *sw,
                      const struct ofputil_flow_mod *fm, long long int now)
{
    struct match m;

    if (fm->table_id != PL_POLICY || fm->command != OFPFC_ADD) {
        return;                 /* An invalidation or reprogramming. */
    }
    run->st.decoded++;
    minimatch_expand(&fm->match, &m);

    uint32_t domain = m.flow.regs[PL_DOMAIN_REG];
    ovs_be32 dst = m.flow.nw_dst;
    struct policy_request *r = policy_find_request(sw, domain, dst);
    if (!r) {
        policy_wrong(run, sw, "flow_mod for reg1=%#"PRIx32" nw_dst="IP_FMT
                     " that no request asked for", domain, IP_ARGS(dst));
        return;
    }
    hmap_remove(&sw->pending, &r->hmap_node);

    char *error = policy_judge(run, fm, &r->answer);
    if (error) {
        policy_wrong(run, sw, "%s", error);
        free(error);
    } else if (r->answer.deny) {
        run->st.denied++;
    } else {
        run->st.allowed++;
    }
    policy_answered(run, sw, r, now);
}

/* Returns the request pending on 'sw' for reg1 'domain' and 'dst', or
 * NULL. */
static struct policy_request *
policy_find_request(const struct policy_switch *sw, uint32_t domain,
                    ovs_be32 dst)
{
    struct policy_request *r;

    HMAP_FOR_EACH_WITH_HASH (r, hmap_node,
                             hash_2words(domain, (OVS_FORCE uint32_t) dst),
                             &sw->pending) {
        if (r->domain == domain && r->dst == dst) {
            return r;
        }
    }
    return NULL;
}

/* Stores in r->answer the answer request 'r' on 'sw', from endpoint
 * 'src', must get.  Its key and destination must be set. */
static void
policy_expect(const struct policy_run *run, const struct policy_switch *sw,
              struct policy_request *r, const struct policy_endpoint *src)
{
    const struct policy_fabric *f = &run->fabric;
    const struct policy_endpoint *ep = &f->eps[r->dst_ep];
    size_t rule_idx = src->domain * f->n_domains + ep->domain;
    const struct policy_rule *rule = (f->has_rule[rule_idx]
                                      ? &f->rules[rule_idx] : &f->dflt);
    struct policy_answer *a = &r->answer;

    a->domain = r->domain;
    a->dst = r->dst;
    if (run->p.target == POLICY_REFLECT) {
        a->cookie = BENCH_REFLECT_COOKIE;
        a->ttl = run->p.ttl;
        a->deny = true;
        a->actions = a->shape = policy_drop_actions;
        return;
    }
    a->cookie = pl_cookie(rule->uuid0, rule->tracking, ep->uuid0);
    a->ttl = rule->ttl;
    a->deny = rule->deny;
    if (rule->deny) {
        a->actions = a->shape = policy_drop_actions;
    } else if (ep->hv == sw->index) {
        a->actions = ep->local_actions;
        a->shape = f->local_shape;
        a->local_mac = ep->mac;
        a->local_port = ep->ofport;
    } else {
        a->actions = a->shape = f->remote_actions[ep->hv];
    }
}

/* Returns NULL if flow_mod 'fm' is answer 'a', otherwise a malloc'd
 * description of how it differs. */
static char *
policy_judge(const struct policy_run *run, const struct ofputil_flow_mod *fm,
             const struct policy_answer *a)
{
    struct match expected;
    policy_answer_match(run, a, &expected);

    struct minimatch expected_mm;
    minimatch_init(&expected_mm, &expected);
    bool match_ok = minimatch_equal(&fm->match, &expected_mm);
    minimatch_destroy(&expected_mm);

    struct ds s = DS_EMPTY_INITIALIZER;
    struct ofpact_format_params fp = { .s = &s };
    ofpacts_format(fm->ofpacts, fm->ofpacts_len, &fp);

    char *error = NULL;
    if (fm->table_id != PL_POLICY || fm->command != OFPFC_ADD) {
        error = xasprintf("flow_mod command %d to table %"PRIu8", expected "
                          "an add to table %d", (int) fm->command,
                          fm->table_id, PL_POLICY);
    } else if (!match_ok || fm->priority != PL_CACHE_PRIORITY) {
        struct match m;
        minimatch_expand(&fm->match, &m);
        char *got = match_to_string(&m, NULL, fm->priority);
        char *want = match_to_string(&expected, NULL, PL_CACHE_PRIORITY);
        error = xasprintf("flow_mod %s, expected %s", got, want);
        free(got);
        free(want);
    } else if (ntohll(fm->new_cookie) != a->cookie) {
        error = xasprintf("nw_dst="IP_FMT": cookie %#"PRIx64", expected "
                          "%#"PRIx64, IP_ARGS(a->dst),
                          ntohll(fm->new_cookie), a->cookie);
    } else if (fm->hard_timeout != a->ttl || fm->idle_timeout) {
        error = xasprintf("nw_dst="IP_FMT": hard_timeout %"PRIu16", "
                          "expected %u", IP_ARGS(a->dst), fm->hard_timeout,
                          a->ttl);
    } else if (strcmp(ds_cstr(&s), a->actions)) {
        error = xasprintf("nw_dst="IP_FMT": actions %s, expected %s",
                          IP_ARGS(a->dst), ds_cstr(&s), a->actions);
    }
    ds_destroy(&s);
    return error;
}

/* Decodes flow_mod 'oh' and returns what policy_judge() says of it against
 * answer 'a' (or why it could not be decoded). */
static char *
policy_judge_msg(const struct policy_run *run, const struct ofp_header *oh,
                 const struct policy_answer *a)
{
    uint64_t ofpacts_stub[1024 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(ofpacts_stub);
    struct ofputil_flow_mod fm;
    char *error;

    enum ofperr ofperr = policy_decode_flow_mod(oh, &fm, &ofpacts);
    if (ofperr) {
        error = xasprintf("bad flow_mod: %s", ofperr_to_string(ofperr));
    } else {
        error = policy_judge(run, &fm, a);
        minimatch_destroy(&fm.match);
    }
    ofpbuf_uninit(&ofpacts);
    return error;
}

/* Stores in 'match' what answer 'a' must match. */
static void
policy_answer_match(const struct policy_run *run,
                    const struct policy_answer *a, struct match *match)
{
    match_init_catchall(match);
    match_set_default_packet_type(match);
    match_set_metadata(match, htonll(run->p.vni));
    match_set_reg(match, PL_DOMAIN_REG, a->domain);
    match_set_dl_type(match, htons(ETH_TYPE_IP));
    match_set_nw_dst(match, a->dst);
}

/* Returns answer 'a' encoded as the controller should encode it (as
 * controller/pcache.c encode_install__() does; written out here again on
 * purpose, so that the bench does not take the controller's word for
 * what a right answer looks like). */
static struct ofpbuf *
policy_encode_answer(const struct policy_run *run,
                     const struct policy_answer *a)
{
    struct ofpbuf ofpacts;
    struct match match;

    ofpbuf_init(&ofpacts, 64);
    policy_parse_actions(a->actions, &ofpacts);
    policy_answer_match(run, a, &match);

    struct ofputil_flow_mod fm = {
        .priority = PL_CACHE_PRIORITY,
        .new_cookie = htonll(a->cookie),
        .table_id = PL_POLICY,
        .command = OFPFC_ADD,
        .hard_timeout = a->ttl,
        .buffer_id = UINT32_MAX,
        .out_port = OFPP_ANY,
        .out_group = OFPG_ANY,
        .ofpacts = ofpacts.data,
        .ofpacts_len = ofpacts.size,
    };
    minimatch_init(&fm.match, &match);
    struct ofpbuf *msg = ofputil_encode_flow_mod(
        &fm, ofputil_protocol_from_ofp_version(OFP14_VERSION));
    ofpmsg_update_length(msg);
    minimatch_destroy(&fm.match);
    ofpbuf_uninit(&ofpacts);
    return msg;
}

/* Checks ovs-testcontroller's flow_mod 'fm' against the oldest request. */
static void
policy_check_testcontroller(struct policy_run *run, struct policy_switch *sw,
                            const struct ofputil_flow_mod *fm,
                            long long int now)
{
    if (fm->command != OFPFC_ADD || fm->priority == 0) {
        return;                 /* Its table-miss flow. */
    }
    run->st.decoded++;
    if (ovs_list_is_empty(&sw->fifo)) {
        policy_wrong(run, sw, "flow_mod that no request asked for");
        return;
    }
    struct policy_request *r = CONTAINER_OF(ovs_list_front(&sw->fifo),
                                            struct policy_request,
                                            list_node);
    const struct policy_endpoint *ep = &run->fabric.eps[r->dst_ep];
    const struct ofpact *a = fm->ofpacts;

    if (fm->ofpacts_len < sizeof *a || a->type != OFPACT_OUTPUT
        || ofpact_get_OUTPUT(a)->port != ep->ofport) {
        policy_wrong(run, sw, "flow_mod for "IP_FMT" does not output to "
                     "port %"PRIu16, IP_ARGS(r->dst), ofp_to_u16(ep->ofport));
    } else {
        run->st.allowed++;
    }
    policy_answered(run, sw, r, now);
}

/* Records that 'r' on 'sw' was answered at 'now', and frees it. */
static void
policy_answered(struct policy_run *run, struct policy_switch *sw,
                struct policy_request *r, long long int now)
{
    struct policy_stats *st = &run->st;
    long long int lat = now - r->start_ns;

    ovs_list_remove(&r->list_node);
    sw->n_pending--;
    st->answered++;
    st->end_ns = now;
    if (r->start_ns >= st->measure_ns) {
        st->measured++;
        dt_histogram_add(&st->lat, MIN(MAX(lat, 0), UINT32_MAX));
    }
    r->hmap_node.next = (struct hmap_node *) run->free_reqs;
    run->free_reqs = r;
}

/* Counts a wrong answer and prints the first few. */
static void
policy_wrong(struct policy_run *run, const struct policy_switch *sw,
             const char *format, ...)
{
    if (++run->st.wrong <= POLICY_MAX_PRINTED) {
        va_list args;

        fprintf(stderr, "switch %016"PRIx64": ", sw->dpid);
        va_start(args, format);
        vfprintf(stderr, format, args);
        va_end(args);
        putc('\n', stderr);
    }
}

/* Output. */

static void
policy_report(const struct policy_run *run)
{
    const struct policy_params *p = &run->p;
    const struct policy_stats *st = &run->st;
    double seconds = MAX(st->end_ns - st->measure_ns, 1) / 1e9;
    double rate = st->measured / seconds;
    static const double qs[] = { 0.5, 0.9, 0.99, 0.999 };
    static const char *qnames[] = { "p50", "p90", "p99", "p99.9" };
    double qv[ARRAY_SIZE(qs)];
    const char *target = (p->target == POLICY_DOVETAIL ? "dovetail"
                          : p->target == POLICY_REFLECT ? "reflect"
                          : "testcontroller");

    for (size_t i = 0; i < ARRAY_SIZE(qs); i++) {
        qv[i] = dt_histogram_quantile(&st->lat, qs[i]) / 1e3;
    }
    double max = st->lat.max / 1e3;
    double cpu_per = (double) st->cpu_ns / MAX(st->sent, 1);

    if (p->json) {
        struct json *top = json_object_create();
        struct json *lat = json_object_create();

        json_object_put_string(top, "target", target);
        json_object_put_string(top, "mode", p->rate ? "open" : "closed");
        if (p->rate) {
            json_object_put(top, "offered_rate", json_real_create(p->rate));
        } else {
            json_object_put(top, "outstanding",
                            json_integer_create(p->outstanding));
        }
        json_object_put(top, "switches", json_integer_create(run->n_sws));
        json_object_put(top, "endpoints", json_integer_create(p->n_endpoints));
        json_object_put(top, "domains", json_integer_create(p->n_domains));
        json_object_put(top, "policies", json_integer_create(p->n_policies));
        json_object_put(top, "sent", json_integer_create(st->sent));
        json_object_put(top, "answered", json_integer_create(st->answered));
        json_object_put(top, "wrong", json_integer_create(st->wrong));
        json_object_put(top, "unanswered",
                        json_integer_create(st->unanswered));
        json_object_put(top, "allowed", json_integer_create(st->allowed));
        json_object_put(top, "denied", json_integer_create(st->denied));
        json_object_put(top, "packet_outs",
                        json_integer_create(st->packet_outs));
        json_object_put(top, "errors", json_integer_create(st->errors));
        json_object_put(top, "stalls", json_integer_create(st->stalls));
        if (p->target == POLICY_DOVETAIL) {
            json_object_put(top, "refreshes",
                            json_integer_create(st->refreshes));
            json_object_put(top, "fresh", json_integer_create(st->fresh));
        }
        if (p->rate) {
            json_object_put(top, "sent_late", json_integer_create(st->late));
            json_object_put(top, "max_late_us",
                            json_real_create(st->max_late_ns / 1e3));
        }
        json_object_put(top, "checks_by_bytes",
                        json_integer_create(st->by_bytes));
        json_object_put(top, "checks_decoded",
                        json_integer_create(st->decoded));
        json_object_put(top, "warmup_seconds", json_real_create(p->warmup));
        json_object_put(top, "measured", json_integer_create(st->measured));
        json_object_put(top, "seconds", json_real_create(seconds));
        json_object_put(top, "rate", json_integer_create(rate + 0.5));
        json_object_put(top, "bench_cpu_ns_per_request",
                        json_integer_create(cpu_per + 0.5));
        json_object_put(top, "bench_cpu_sys_ns_per_request",
                        json_integer_create((double) st->cpu_sys_ns
                                            / MAX(st->sent, 1) + 0.5));
        for (size_t i = 0; i < ARRAY_SIZE(qs); i++) {
            json_object_put(lat, qnames[i], json_real_create(qv[i]));
        }
        json_object_put(lat, "max", json_real_create(max));
        json_object_put(top, "latency_us", lat);

        char *s = json_to_string(top, JSSF_SORT);
        puts(s);
        free(s);
        json_destroy(top);
    } else {
        printf("target %s: %zu switches, %u endpoints, %u domains, "
               "%u policies\n", target, run->n_sws, p->n_endpoints,
               p->n_domains, p->n_policies);
        if (p->rate) {
            printf("open loop at %.0f requests/s\n", p->rate);
        } else {
            printf("closed loop, %u outstanding per switch\n",
                   p->outstanding);
        }
        printf("requests: %llu sent, %llu answered, %llu wrong, "
               "%llu unanswered, %llu errors\n", st->sent, st->answered,
               st->wrong, st->unanswered, st->errors);
        printf("answers: %llu allowed, %llu denied, %llu packet-outs, "
               "%llu stalls for key reuse\n", st->allowed, st->denied,
               st->packet_outs, st->stalls);
        printf("checks: %llu by bytes, %llu decoded\n", st->by_bytes,
               st->decoded);
        if (p->target == POLICY_DOVETAIL) {
            printf("keys: %llu requests for a key the controller held "
                   "(refreshes), %llu for one it did not\n",
                   st->refreshes, st->fresh);
        }
        if (p->rate) {
            printf("sent late (over %d us after due): %llu, at most %.1f "
                   "us late\n", POLICY_LATE_NS / 1000, st->late,
                   st->max_late_ns / 1e3);
        }
        if (p->warmup) {
            printf("measured: %llu answers after a %g s warm-up\n",
                   st->measured, p->warmup);
        }
        printf("%.3f s: %.0f %s/s\n", seconds, rate,
               (p->target == POLICY_DOVETAIL ? "resolutions"
                : p->target == POLICY_REFLECT ? "answers" : "flow_mods"));
        printf("latency (us): p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  "
               "max %.1f\n", qv[0], qv[1], qv[2], qv[3], max);
        printf("bench cpu: %.0f ns/request (%.3f s, %.3f s of it in the "
               "kernel)\n", cpu_per, st->cpu_ns / 1e9, st->cpu_sys_ns / 1e9);
    }
    fflush(stdout);

    /* A closed loop whose key cycle is about as long as the controller
     * keeps an entry runs partly refreshing entries and partly making new
     * ones (which costs more), and its rate swings with the mix. */
    unsigned long long int keyed = st->refreshes + st->fresh;
    if (keyed && st->refreshes * 20 > keyed && st->fresh * 20 > keyed) {
        fprintf(stderr, "%s: warning: %.0f%% of the requests were for a key "
                "whose entry the controller still held, %.0f%% for one it "
                "did not: each switch's cycle of keys (%zu) takes about as "
                "long as an entry is kept (TTL + %d s), so the rate depends "
                "on the mix; give more --endpoints for requests that are "
                "all new\n", program_name, 100.0 * st->refreshes / keyed,
                100.0 * st->fresh / keyed, run->sws[0].n_keys,
                EXPIRY_GRACE_MSEC / 1000);
    }
}

/* Options. */

static void
policy_parse(int argc, char *argv[], struct policy_params *p)
{
    enum {
        OPT_DB = UCHAR_MAX + 1,
        OPT_TARGET,
        OPT_SWITCHES,
        OPT_ENDPOINTS,
        OPT_DOMAINS,
        OPT_POLICIES,
        OPT_TTL,
        OPT_VNI,
        OPT_OUTSTANDING,
        OPT_RATE,
        OPT_REQUESTS,
        OPT_SECONDS,
        OPT_WARMUP,
        OPT_TIMEOUT,
        OPT_FORMAT,
        OPT_REUSE_FABRIC,
        OPT_EXPECT_WRONG,
    };
    static const struct option long_options[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"target", required_argument, NULL, OPT_TARGET},
        {"switches", required_argument, NULL, OPT_SWITCHES},
        {"endpoints", required_argument, NULL, OPT_ENDPOINTS},
        {"domains", required_argument, NULL, OPT_DOMAINS},
        {"policies", required_argument, NULL, OPT_POLICIES},
        {"ttl", required_argument, NULL, OPT_TTL},
        {"vni", required_argument, NULL, OPT_VNI},
        {"outstanding", required_argument, NULL, OPT_OUTSTANDING},
        {"rate", required_argument, NULL, OPT_RATE},
        {"requests", required_argument, NULL, OPT_REQUESTS},
        {"seconds", required_argument, NULL, OPT_SECONDS},
        {"warmup", required_argument, NULL, OPT_WARMUP},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"reuse-fabric", no_argument, NULL, OPT_REUSE_FABRIC},
        {"expect-wrong", required_argument, NULL, OPT_EXPECT_WRONG},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };

    bool policies_given = false;

    memset(p, 0, sizeof *p);
    p->db = getenv("DOVETAIL_DB");
    p->target = POLICY_DOVETAIL;
    p->n_switches = 4;
    p->n_endpoints = 10000;
    p->n_domains = 8;
    p->n_policies = 32;
    p->ttl = 1;
    p->vni = 7000;
    p->outstanding = 64;
    p->seconds = 5;
    p->timeout = 10;

    optind = 0;
    for (;;) {
        int c = getopt_long(argc, argv, "h", long_options, NULL);
        unsigned int *uint = NULL;
        unsigned int min = 1, max = UINT_MAX;

        if (c == -1) {
            break;
        }
        switch (c) {
        case OPT_DB:
            p->db = optarg;
            break;
        case OPT_TARGET:
            if (!strcmp(optarg, "dovetail")) {
                p->target = POLICY_DOVETAIL;
            } else if (!strcmp(optarg, "reflect")) {
                p->target = POLICY_REFLECT;
            } else if (!strcmp(optarg, "testcontroller")) {
                p->target = POLICY_TESTCONTROLLER;
            } else {
                ovs_fatal(0, "--target=%s: expected dovetail, reflect or "
                          "testcontroller", optarg);
            }
            break;
        case OPT_SWITCHES:
            uint = &p->n_switches;
            max = 1000;
            break;
        case OPT_ENDPOINTS:
            uint = &p->n_endpoints;
            max = 1 << 24;
            break;
        case OPT_DOMAINS:
            uint = &p->n_domains;
            max = 1024;
            break;
        case OPT_POLICIES:
            policies_given = true;
            uint = &p->n_policies;
            min = 0;
            break;
        case OPT_TTL:
            uint = &p->ttl;
            max = 86400;
            break;
        case OPT_VNI:
            uint = &p->vni;
            max = 0xffffff;
            break;
        case OPT_OUTSTANDING:
            uint = &p->outstanding;
            max = 1 << 20;
            break;
        case OPT_RATE:
            if (!str_to_double(optarg, &p->rate) || p->rate <= 0) {
                ovs_fatal(0, "--rate=%s: expected a positive rate", optarg);
            }
            break;
        case OPT_REQUESTS:
            if (!str_to_ullong(optarg, 10, &p->n_requests)
                || !p->n_requests) {
                ovs_fatal(0, "--requests=%s: expected a positive number",
                          optarg);
            }
            break;
        case OPT_SECONDS:
        case OPT_TIMEOUT:
            if (!str_to_double(optarg, c == OPT_SECONDS ? &p->seconds
                               : &p->timeout)
                || (c == OPT_SECONDS ? p->seconds : p->timeout) <= 0) {
                ovs_fatal(0, "%s: expected a positive number of seconds",
                          argv[optind - 1]);
            }
            break;
        case OPT_WARMUP:
            if (!str_to_double(optarg, &p->warmup) || p->warmup < 0) {
                ovs_fatal(0, "--warmup=%s: expected a number of seconds, "
                          "0 or more", optarg);
            }
            break;
        case OPT_FORMAT:
            p->json = bench_parse_format(optarg);
            break;
        case OPT_REUSE_FABRIC:
            p->reuse_fabric = true;
            break;
        case OPT_EXPECT_WRONG:
            uint = &p->expect_wrong;
            break;
        case 'h':
            policy_usage();
        case '?':
            exit(EXIT_FAILURE);
        default:
            OVS_NOT_REACHED();
        }
        if (uint && (!str_to_uint(optarg, 10, uint) || *uint < min
                     || *uint > max)) {
            ovs_fatal(0, "%s: expected an integer from %u to %u",
                      argv[optind - 1], min, max);
        }
    }

    if (optind + 1 != argc) {
        ovs_fatal(0, "policy: expected one argument, the controller's "
                  "address (unix:FILE or tcp:IP[:PORT])");
    }
    p->remote = argv[optind];
    if (p->target == POLICY_DOVETAIL && !p->db) {
        ovs_fatal(0, "policy: --db (or DOVETAIL_DB) is required");
    }
    if (p->warmup && p->n_requests) {
        ovs_fatal(0, "--warmup: only with --seconds, not --requests");
    }
    if (p->target == POLICY_REFLECT) {
        if (policies_given) {
            ovs_fatal(0, "--policies: not with --target=reflect, which "
                      "denies every request");
        }
        p->n_policies = 0;
    }
    if (p->n_policies > p->n_domains * p->n_domains) {
        ovs_fatal(0, "--policies=%u: at most domains squared (%u)",
                  p->n_policies, p->n_domains * p->n_domains);
    }
    if (p->n_endpoints < 2 * p->n_switches) {
        ovs_fatal(0, "--endpoints=%u: at least two per switch",
                  p->n_endpoints);
    }
    /* Each switch's endpoints have ports from POLICY_TUNNEL_OFPORT + 1 on,
     * and an Open vSwitch bridge numbers its ports below OFPP_MAX. */
    unsigned int per_switch = DIV_ROUND_UP(p->n_endpoints, p->n_switches);
    if (per_switch > ofp_to_u16(OFPP_MAX) - 1 - POLICY_TUNNEL_OFPORT) {
        ovs_fatal(0, "--endpoints=%u over --switches=%u puts %u ports on a "
                  "switch; an Open vSwitch bridge has at most %u: use more "
                  "switches", p->n_endpoints, p->n_switches, per_switch,
                  ofp_to_u16(OFPP_MAX) - 1 - POLICY_TUNNEL_OFPORT);
    }
}

static void
policy_usage(void)
{
    printf("%s policy: policy resolutions/s of a controller, over N "
           "emulated switches\n"
           "usage: %s policy [OPTIONS] unix:FILE|tcp:IP[:PORT]\n"
           "\nFabric (written to the database with --target=dovetail):\n"
           "  --db=DATABASE        dovetail database (default: "
           "$DOVETAIL_DB)\n"
           "  --switches=N         emulated switches (default: 4)\n"
           "  --endpoints=E        endpoints (default: 10000)\n"
           "  --domains=D          policy domains (default: 8)\n"
           "  --policies=P         policies, at most D*D (default: 32)\n"
           "  --ttl=S              policies' TTL (default: 1)\n"
           "  --vni=VNI            the network's VNI (default: 7000)\n"
           "  --reuse-fabric       use the fabric an earlier run with the "
           "same fabric\n"
           "                       options wrote, do not write it\n"
           "\nRun:\n"
           "  --target=dovetail|reflect|testcontroller  (default: "
           "dovetail)\n"
           "                       reflect: \"%s reflect\", every answer a "
           "deny\n"
           "  --outstanding=K      closed loop: K requests in flight per "
           "switch (default: 64)\n"
           "  --rate=R             open loop: R requests/s in all\n"
           "  --requests=N         send N requests...\n"
           "  --seconds=S          ...or send for S seconds (default: 5)\n"
           "  --warmup=S           send for S seconds more first, and "
           "measure only what\n"
           "                       follows (default: 0)\n"
           "  --timeout=S          a request unanswered after S seconds, "
           "or S seconds\n"
           "                       of silence while the switches are "
           "programmed, fails\n"
           "                       the run (default: 10)\n"
           "  --format=text|json   output format (default: text)\n"
           "  --expect-wrong=N     testing: expect a wrong cookie in every "
           "Nth request,\n"
           "                       so that every Nth answer must count as "
           "wrong\n",
           program_name, program_name, program_name);
    exit(EXIT_SUCCESS);
}
