/*
 * pinctrl: dovetail-controller's slow path.  See pinctrl.h.
 */
#include <config.h>
#include "controller/pinctrl.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "controller/channel.h"
#include "controller/ctlsw.h"
#include "controller/pcache.h"
#include "controller/sarp.h"
#include "controller/swconn.h"
#include "coverage.h"
#include "flow.h"
#include "dp-packet.h"
#include "hash.h"
#include "lib/dovetail-idl.h"
#include "lib/dt-addr.h"
#include "lib/dt-db.h"
#include "lib/dt-dps.h"
#include "ofproto-ext/pipeline.h"
#include "ofproto-ext/slowpath.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/list.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/token-bucket.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "packets.h"
#include "sat-math.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(pinctrl);

COVERAGE_DEFINE(pinctrl_bad_packet_in);
COVERAGE_DEFINE(pinctrl_rate_limited);
COVERAGE_DEFINE(pcache_miss);
COVERAGE_DEFINE(pcache_hit_after_install);
COVERAGE_DEFINE(pcache_unknown);
COVERAGE_DEFINE(pinctrl_arp_answer);
COVERAGE_DEFINE(pinctrl_arp_unknown);
COVERAGE_DEFINE(pinctrl_igmp_join);
COVERAGE_DEFINE(pinctrl_igmp_leave);
COVERAGE_DEFINE(pinctrl_probe);
COVERAGE_DEFINE(pinctrl_location_miss);
COVERAGE_DEFINE(pinctrl_forward);
COVERAGE_DEFINE(pinctrl_learn);
COVERAGE_DEFINE(pinctrl_learn_address);
COVERAGE_DEFINE(pinctrl_dhcp_copy);
COVERAGE_DEFINE(pinctrl_dhcp_drop);
COVERAGE_DEFINE(pinctrl_hold);
COVERAGE_DEFINE(pinctrl_hold_drop);
COVERAGE_DEFINE(pinctrl_drop);
COVERAGE_DEFINE(pinctrl_db_write);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* What the slow path works from. */
static const struct dps *dps;
static struct ovsdb_idl *idl;
static unsigned int pin_rate, pin_burst;

/* Rate limits of 256 input ports of one switch, those whose numbers share
 * their high byte, by the low byte: a port's is found with one look into
 * memory (which pinctrl_packet_ins() prefetches), where a hash table (of
 * 10000 ports a switch, say) walked a chain rarely in the CPU's cache.  A
 * bucket with 'last_fill' 0 is not yet initialized (token_bucket_init()
 * sets LLONG_MIN, and a withdrawal the time). */
struct pinctrl_rates {
    struct token_bucket tb[256];
};

/* A packet held until something it waits for happens. */
enum held_kind {
    HELD_LOCATION,              /* For 'endpoint' to be reachable from
                                 * 'origin', and its switch to hold its
                                 * flows; then forwarded from there. */
    HELD_REPLAY,                /* For 'origin' to hold flows that say
                                 * 'endpoint' is there; then sent through
                                 * its pipeline from 'in_port'. */
    HELD_ARP,                   /* For an endpoint to have 'ip' in
                                 * network 'vni'; then the ARP request is
                                 * answered on 'origin', out 'in_port'. */
    HELD_POLICY,                /* For 'endpoint' to have a location, and
                                 * its switch its flows; then sent through
                                 * 'origin''s pipeline from 'in_port'
                                 * again. */
    HELD_ADDRESS,               /* For 'endpoint' to have an address and
                                 * 'origin' the flows that say so; then
                                 * sent through its pipeline from
                                 * 'in_port'. */
};

struct held {
    struct ovs_list list_node;  /* In 'held_packets'. */
    enum held_kind kind;
    uint64_t origin;            /* Datapath id of the switch. */
    ofp_port_t in_port;         /* Port it came in on. */
    struct uuid endpoint;       /* HELD_LOCATION, HELD_REPLAY. */
    uint32_t vni;               /* HELD_ARP. */
    ovs_be32 ip;                /* HELD_ARP. */
    long long int expires;      /* Dropped at this time. */
    size_t len;                 /* Bytes in 'data'. */
    uint8_t data[];             /* The packet. */
};

static struct ovs_list held_packets = OVS_LIST_INITIALIZER(&held_packets);
static size_t n_held;

/* A write to the database the slow path decided on. */
enum db_op_kind {
    DB_OP_LOCATION,             /* Endpoint is at (hypervisor, port). */
    DB_OP_ADDRESS,              /* Endpoint has address 'ip'. */
    DB_OP_VLAN,                 /* Endpoint has VLAN 'vlan' on hypervisor
                                 * 'port' (its name). */
    DB_OP_JOIN,                 /* Endpoint joined multicast group 'ip'. */
    DB_OP_LEAVE,                /* Endpoint left multicast group 'ip'. */
};

struct db_op {
    struct ovs_list list_node;  /* In 'db_queued' or 'db_inflight'. */
    enum db_op_kind kind;
    struct uuid endpoint;
    struct uuid hypervisor;     /* DB_OP_LOCATION. */
    char *port;                 /* DB_OP_LOCATION. */
    ovs_be32 ip;                /* DB_OP_ADDRESS, DB_OP_JOIN/LEAVE. */
    int vlan;                   /* DB_OP_VLAN. */
};

static struct ovs_list db_queued = OVS_LIST_INITIALIZER(&db_queued);
static struct ovs_list db_inflight = OVS_LIST_INITIALIZER(&db_inflight);
static struct ovsdb_idl_txn *db_txn;

/* Global statistics for pinctrl/show. */
static unsigned long long int n_held_total, n_held_dropped, n_db_writes;

/* What pinctrl_packet_ins() keeps of a decoded packet-in until its turn to
 * be handled.  A policy miss needs only these few fields, so it is decoded
 * into a 'struct sp_packet_in' that the next packet-in reuses (one that
 * stays in the CPU cache), unless its network is SARP's: it may go to the
 * SARP cache, which reads the whole flow. */
struct decoded {
    enum sp_opcode opcode;
    ofp_port_t in_port;
    const void *packet;         /* Points into the message. */
    size_t packet_len;
    struct sp_packet_in *pin;   /* The whole packet-in, or NULL. */
};

static void handle_policy_miss(struct ctlsw *, const struct pcache_switch *,
                               enum ofputil_protocol, const struct decoded *,
                               const struct dps_network *,
                               const struct pcache_key *, uint32_t hash,
                               uint32_t dst_hash, long long int now);
static void handle_arp_miss(struct ctlsw *, const struct sp_packet_in *);
static void handle_location(struct ctlsw *, const struct sp_packet_in *);
static void handle_learn(struct ctlsw *, const struct sp_packet_in *);
static void handle_learn_address(struct ctlsw *,
                                 const struct sp_packet_in *);
static void handle_dhcp_request(struct ctlsw *, const struct sp_packet_in *);
static void handle_dhcp_reply(struct ctlsw *, const struct sp_packet_in *);
static void handle_igmp(struct ctlsw *, const struct sp_packet_in *);

static struct token_bucket *port_bucket(struct ctlsw *, ofp_port_t);
static bool rate_allows(struct ctlsw *, ofp_port_t);
static void packet_out(struct ctlsw *, const void *packet, size_t len,
                       ofp_port_t in_port, const char *actions);
static void packet_out_ofpacts(struct ctlsw *, const void *packet,
                               size_t len, ofp_port_t in_port,
                               const struct ofpact *, size_t ofpacts_len);
static bool endpoint_switch_synced(const struct dps_endpoint *);
static bool endpoint_reachable(struct ctlsw *,
                               const struct dps_endpoint *);
static bool endpoint_actions(struct ctlsw *, const struct dps_endpoint *,
                             struct ds *);
static bool forward_to_endpoint(struct ctlsw *, const void *packet,
                                size_t len, const struct dps_endpoint *,
                                const struct eth_addr *set_dst);
static void answer_arp(struct ctlsw *, ofp_port_t, const struct flow *req,
                       struct eth_addr mac);
static void hold(enum held_kind, const struct ctlsw *, ofp_port_t,
                 const struct uuid *endpoint, uint32_t vni, ovs_be32 ip,
                 const void *packet, size_t len);
static void run_held(void);
static void run_db(void);
static void queue_db_op(enum db_op_kind, const struct uuid *endpoint,
                        const struct uuid *hypervisor, const char *port,
                        ovs_be32 ip);
static const struct dtrec_policy_domain *endpoint_domain_row(
    const struct dps_endpoint *);
static bool is_dhcp_server(const struct dtrec_policy_domain *, ovs_be32 ip);

/* Starts the slow path on policy service 'dps_' and database 'idl_', with
 * packet-ins limited to 'rate' per second (bursts of 'burst') per input
 * port of each switch. */
void
pinctrl_init(const struct dps *dps_, struct ovsdb_idl *idl_,
             unsigned int rate, unsigned int burst)
{
    dps = dps_;
    idl = idl_;
    pin_rate = rate;
    pin_burst = burst;
}

void
pinctrl_destroy(void)
{
    struct held *h;
    struct db_op *op;

    LIST_FOR_EACH_POP (h, list_node, &held_packets) {
        free(h);
    }
    n_held = 0;
    ovs_list_push_back_all(&db_queued, &db_inflight);
    LIST_FOR_EACH_POP (op, list_node, &db_queued) {
        free(op->port);
        free(op);
    }
    if (db_txn) {
        ovsdb_idl_txn_destroy(db_txn);
        db_txn = NULL;
    }
}

/* Frees what the slow path keeps for 'sw', which is going away. */
void
pinctrl_switch_destroy(struct ctlsw *sw)
{
    for (size_t i = 0; i < ARRAY_SIZE(sw->rates); i++) {
        free(sw->rates[i]);
        sw->rates[i] = NULL;
    }
}

/* Decodes 'oh' into '*pin', counting it.  Returns false if it is to be
 * dropped. */
static bool
decode_packet_in(struct ctlsw *sw, const struct ofp_header *oh,
                 struct sp_packet_in *pin)
{
    sw->stats.packet_ins++;
    char *error = sp_decode_packet_in(oh, pin);
    if (error) {
        COVERAGE_INC(pinctrl_bad_packet_in);
        sw->stats.bad_packet_ins++;
        VLOG_WARN_RL(&rl, "dropping a packet-in: %s", error);
        free(error);
        return false;
    }
    OVS_PREFETCH(port_bucket(sw, pin->in_port));
    return true;
}

/* Checks a decoded packet-in from 'in_port' against the port's rate limit,
 * counting it.  Returns false if it is to be dropped. */
static bool
check_rate(struct ctlsw *sw, ofp_port_t in_port)
{
    if (!rate_allows(sw, in_port)) {
        COVERAGE_INC(pinctrl_rate_limited);
        sw->stats.rate_limited++;
        VLOG_DBG_RL(&rl, "port %"PRIu16": over the packet-in rate limit",
                    ofp_to_u16(in_port));
        return false;
    }
    return true;
}

/* Stores in '*key' the policy cache key of policy miss 'pin'. */
static void
policy_miss_key(const struct sp_packet_in *pin, struct pcache_key *key)
{
    key->vni = pin->vni;
    key->domain = pin->domain;
    if (pin->flow.dl_type == htons(ETH_TYPE_IPV6)) {
        key->dst = pin->flow.ipv6_dst;
    } else {
        /* ::ffff:a.b.c.d, stored as the two 64-bit words that
         * pcache_key_hash() reads right after: a load that spans several
         * narrower stores waits for them to retire. */
        uint64_t words[2] = {
            0, htonll(UINT64_C(0xffff) << 32 | ntohl(pin->flow.nw_dst)),
        };
        memcpy(&key->dst, words, sizeof words);
    }
}

static void
handle_sarp(struct ctlsw *sw, const struct sp_packet_in *pin)
{
    sarp_packet_in(idl, sw, pin);
}

/* The handler of each opcode but SP_POLICY_MISS. */
static void (*const handlers[])(struct ctlsw *,
                                const struct sp_packet_in *) = {
    [SP_ARP_MISS] = handle_arp_miss,
    [SP_LOCATION] = handle_location,
    [SP_LEARN] = handle_learn,
    [SP_LEARN_ADDRESS] = handle_learn_address,
    [SP_DHCP_REQUEST] = handle_dhcp_request,
    [SP_DHCP_REPLY] = handle_dhcp_reply,
    [SP_IGMP] = handle_igmp,
    [SP_SARP] = handle_sarp,
};

/* How much of a packet-in pinctrl_packet_ins() prefetches two messages
 * ahead: a policy miss from ovs-vswitchd (an NXT_PACKET_IN2 with its
 * metadata and a small packet) is about this long. */
#define PREFETCH_MSG_BYTES 256

/* Handles the 'n' packet-ins 'ohs' from 'sw', in order.  They are decoded
 * first, then checked against their ports' rate limits, and what the
 * policy misses among them will look up (their ports' rate limits, the
 * policy cache's index, the destinations in the policy service) is
 * prefetched into the CPU cache, request after request and stage after
 * stage, and only then is each handled: a burst of misses waits for memory
 * about once instead of once per request. */
void
pinctrl_packet_ins(struct ctlsw *sw, const struct ofp_header *const ohs[],
                   size_t n)
{
    /* At 856 bytes each on x86-64, all of these do not fit in the L1
     * cache; a batch of policy misses uses only the first. */
    static struct sp_packet_in pins[SWCONN_MAX_BATCH];
    size_t n_pins = 0;

    struct decoded decoded[SWCONN_MAX_BATCH];
    uint8_t order[SWCONN_MAX_BATCH]; /* Indexes into 'decoded' of those
                                      * within their ports' rate limits. */
    struct pcache_key keys[SWCONN_MAX_BATCH];
    uint32_t hashes[SWCONN_MAX_BATCH];
    uint32_t dst_hashes[SWCONN_MAX_BATCH];
    const struct dps_network *nets[SWCONN_MAX_BATCH];
    size_t n_decoded = 0;
    size_t n_allowed = 0;

    BUILD_ASSERT_DECL(SWCONN_MAX_BATCH <= UINT8_MAX + 1);
    ovs_assert(n <= SWCONN_MAX_BATCH);
    for (size_t i = 0; i < n; i++) {
        if (i + 2 < n) {
            /* The messages are in the connection's read buffer, which is
             * larger than the L1 cache: each line of one was a wait. */
            const char *next = (const char *) ohs[i + 2];
            for (size_t ofs = 0; ofs < PREFETCH_MSG_BYTES; ofs += 64) {
                OVS_PREFETCH(next + ofs);
            }
        }

        struct sp_packet_in *pin = &pins[n_pins];
        if (!decode_packet_in(sw, ohs[i], pin)) {
            continue;
        }
        struct decoded *d = &decoded[n_decoded];
        d->opcode = pin->opcode;
        d->in_port = pin->in_port;
        d->packet = pin->packet;
        d->packet_len = pin->packet_len;
        d->pin = pin;
        nets[n_decoded] = NULL;
        if (pin->opcode == SP_POLICY_MISS) {
            struct pcache_key *key = &keys[n_decoded];
            const struct dps_network *net;

            policy_miss_key(pin, key);
            hashes[n_decoded] = pcache_key_hash(key);
            pcache_prefetch(&sw->pcache, hashes[n_decoded]);
            dst_hashes[n_decoded] = dps_ip_hash(&key->dst);
            net = nets[n_decoded] = dps_find_network_by_vni(dps, pin->vni);
            if (net) {
                dps_prefetch_ip(net, &key->dst, dst_hashes[n_decoded], 0);
            }
            if (!net || !dps_network_is_sarp(net)) {
                d->pin = NULL;
            }
        }
        n_pins += d->pin != NULL;
        n_decoded++;
    }
    for (size_t i = 0; i < n_decoded; i++) {
        if (check_rate(sw, decoded[i].in_port)) {
            order[n_allowed++] = i;
        }
    }
    for (size_t i = 0; i < n_allowed; i++) {
        size_t j = order[i];
        if (nets[j]) {
            dps_prefetch_ip(nets[j], &keys[j].dst, dst_hashes[j], 1);
        }
    }

    struct pcache_switch psw;
    bool have_psw = ctlsw_pcache_switch(sw, &psw);
    enum ofputil_protocol protocol = (have_psw
                                      ? swconn_get_protocol(sw->swconn)
                                      : 0);
    long long int now = time_msec();
    for (size_t i = 0; i < n_allowed; i++) {
        size_t j = order[i];
        const struct decoded *d = &decoded[j];

        if (d->opcode == SP_POLICY_MISS) {
            handle_policy_miss(sw, have_psw ? &psw : NULL, protocol, d,
                               nets[j], &keys[j], hashes[j], dst_hashes[j],
                               now);
        } else {
            ovs_assert(d->opcode < ARRAY_SIZE(handlers)
                       && handlers[d->opcode]);
            handlers[d->opcode](sw, d->pin);
        }
    }
}

/* Releases or expires held packets and moves database writes along. */
void
pinctrl_run(void)
{
    run_held();
    run_db();
}

void
pinctrl_wait(void)
{
    if (!ovs_list_is_empty(&held_packets)) {
        /* Held packets wait for database or switch events, which wake the
         * loop anyway; the timer only expires them. */
        const struct held *h = CONTAINER_OF(ovs_list_front(&held_packets),
                                            struct held, list_node);
        poll_timer_wait_until(h->expires);
    }
    if (db_txn || !ovs_list_is_empty(&db_queued)) {
        poll_immediate_wake();
    }
}

/* Appends the slow path's global state to 's'. */
void
pinctrl_format(struct ds *s)
{
    ds_put_format(s, "held packets: %"PRIuSIZE" now, %llu in all, %llu "
                  "dropped unreleased\n", n_held, n_held_total,
                  n_held_dropped);
    ds_put_format(s, "database writes: %llu committed, %"PRIuSIZE
                  " queued, %"PRIuSIZE" in flight\n", n_db_writes,
                  ovs_list_size(&db_queued), ovs_list_size(&db_inflight));
    ds_put_format(s, "packet-in rate limit per port: %u/s, burst %u\n",
                  pin_rate, pin_burst);
}

/* Opcode handlers. */

static const struct dps_endpoint *
source_endpoint(const struct sp_packet_in *pin,
                const struct dps_network **netp)
{
    const struct dps_network *net = dps_find_network_by_vni(dps, pin->vni);

    *netp = net;
    return net ? dps_find_endpoint_by_mac(dps, net, pin->flow.dl_src) : NULL;
}

/* Handles policy miss 'd' for 'key' (whose pcache_key_hash() is 'hash',
 * its destination's dps_ip_hash() 'dst_hash', and its network 'net', or
 * NULL if the policy service has none with its VNI) from 'sw', which is
 * 'psw' to the policy cache (NULL if the switch's ports are not known
 * yet) and speaks 'protocol' (if 'psw' is nonnull), at 'now'.  Its whole
 * packet-in is there only if 'net' is SARP's (struct decoded), and its
 * flow may be partial (struct sp_packet_in): the SARP cache, which reads
 * more of it than the policy cache does, completes it first. */
static void
handle_policy_miss(struct ctlsw *sw, const struct pcache_switch *psw,
                   enum ofputil_protocol protocol, const struct decoded *d,
                   const struct dps_network *net,
                   const struct pcache_key *key_, uint32_t hash,
                   uint32_t dst_hash, long long int now)
{
    const struct pcache_key key = *key_;

    COVERAGE_INC(pcache_miss);
    sw->pcache.stats.misses++;
    if (!psw) {
        return;
    }

    const struct pcache_entry *e = pcache_find(&sw->pcache, &key, hash,
                                               now);
    if (e) {
        /* Installed already: the packet raced its flow. */
        COVERAGE_INC(pcache_hit_after_install);
        sw->pcache.stats.hits_after_install++;
        if (strcmp(e->actions, "drop")) {
            packet_out(sw, d->packet, d->packet_len, d->in_port,
                       e->actions);
        }
        return;
    }

    struct pcache_result r;
    if (!pcache_compute(dps, psw, net, &key, dst_hash, &r)) {
        COVERAGE_INC(pcache_unknown);
        sw->pcache.stats.unknown++;
        if (!VLOG_DROP_DBG(&rl)) {
            struct ds dst = DS_EMPTY_INITIALIZER;
            ipv6_format_mapped(&key.dst, &dst);
            VLOG_DBG("%016"PRIx64": vni %"PRIu32" to %s: no resolution",
                     psw->dpid, key.vni, ds_cstr(&dst));
            ds_destroy(&dst);
        }

        /* An endpoint between two locations (its port unbound for a
         * migration, or its port here down as it leaves): hold the packet
         * until it can be reached, then replay it through the pipeline. */
        const struct dps_endpoint *ep
            = net ? dps_find_endpoint_by_ip(dps, net, &key.dst) : NULL;
        uint64_t dpid;
        ovs_be32 tunnel_ip;
        if (ep && ((!dps_endpoint_location(ep, &dpid, &tunnel_ip) && !dpid)
                   || dpid == psw->dpid)) {
            hold(HELD_POLICY, sw, d->in_port, dps_endpoint_uuid(ep), 0,
                 htonl(0), d->packet, d->packet_len);
        } else if (!ep && net && dps_network_is_sarp(net)) {
            /* Perhaps behind an edge that is not dovetail's: the SARP
             * cache asks across the interconnect (controller/sarp.h).  In
             * a SARP network the packet-in was kept whole. */
            sp_complete_flow(d->pin);
            sarp_packet_in(idl, sw, d->pin);
        }
        return;
    }

    pcache_install(&sw->pcache, &key, hash, &r, protocol, now,
                   swconn_batch(sw->swconn));
    swconn_batch_added(sw->swconn);
    if (r.verdict == DPS_FORWARD) {
        pcache_put_packet_out(&r, d->in_port, d->packet, d->packet_len,
                              protocol, swconn_output(sw->swconn));
    }
    pcache_result_uninit(&r);
}

static void
handle_arp_miss(struct ctlsw *sw, const struct sp_packet_in *pin)
{
    const struct dps_network *net = dps_find_network_by_vni(dps, pin->vni);
    const struct flow *f = &pin->flow;
    struct in6_addr tpa;

    if (!net || f->nw_src == f->nw_dst) {
        /* Unknown network; or an address announcement. */
        sw->stats.dropped++;
        COVERAGE_INC(pinctrl_drop);
        return;
    }
    in6_addr_set_mapped_ipv4(&tpa, f->nw_dst);
    const struct dps_endpoint *ep = dps_find_endpoint_by_ip(dps, net, &tpa);
    struct eth_addr mac;
    if (ep && dps_endpoint_mac(ep, &mac)) {
        answer_arp(sw, pin->in_port, f, mac);
        return;
    }

    /* Nobody has the address, as far as the database knows.  If some
     * endpoints of the network have no known address, one of them may be
     * a silent host that does: ask each with a unicast ARP request, as
     * from the requester, and hold the request until one answers. */
    size_t n_probes = 0;
    const struct dtrec_endpoint *row;
    DTREC_ENDPOINT_FOR_EACH (row, idl) {
        const struct dps_endpoint *cand;
        struct eth_addr cand_mac;
        uint64_t dpid;
        ovs_be32 tunnel_ip;

        if (row->n_addresses || !row->mac || row->external_prefix
            || !(cand = dps_find_endpoint(dps, &row->header_.uuid))
            || dps_endpoint_network(cand) != net
            || !dps_endpoint_mac(cand, &cand_mac)) {
            continue;
        }
        const char *port = dps_endpoint_location(cand, &dpid, &tunnel_ip);
        struct ctlsw *target = dpid ? ctlsw_find(dpid) : NULL;
        struct pcache_switch psw;
        struct ds actions = DS_EMPTY_INITIALIZER;
        if (target && ctlsw_pcache_switch(target, &psw)
            && pcache_location_actions(&psw, net, dpid, tunnel_ip,
                                       port, NULL, &actions)) {
            struct dp_packet probe;
            dp_packet_init(&probe, 64);
            compose_arp(&probe, ARP_OP_REQUEST, f->dl_src, cand_mac, false,
                        f->nw_src, f->nw_dst);
            packet_out(target, dp_packet_data(&probe), dp_packet_size(&probe),
                       OFPP_CONTROLLER, ds_cstr(&actions));
            dp_packet_uninit(&probe);
            n_probes++;
        }
        ds_destroy(&actions);
    }
    if (n_probes) {
        COVERAGE_ADD(pinctrl_probe, n_probes);
        sw->stats.probes += n_probes;
        hold(HELD_ARP, sw, pin->in_port, NULL, pin->vni, f->nw_dst,
             pin->packet, pin->packet_len);
    } else {
        COVERAGE_INC(pinctrl_arp_unknown);
        sw->stats.arp_unknown++;
    }
}

/* IGMP snooping on a channel (controller/channel.h): the groups its VM
 * joins and leaves are written into Multicast_Group.members, from which
 * the replication flows are computed. */
static void
handle_igmp(struct ctlsw *sw, const struct sp_packet_in *pin)
{
    const struct dps_network *net = dps_find_network_by_vni(dps, pin->vni);
    const struct dps_endpoint *ep = NULL;
    struct in6_addr src;

    in6_addr_set_mapped_ipv4(&src, pin->flow.nw_src);
    if (net) {
        ep = dps_find_endpoint_by_ip(dps, net, &src);
    }
    const struct dtrec_endpoint *row
        = ep ? dtrec_endpoint_get_for_uuid(idl, dps_endpoint_uuid(ep)) : NULL;
    if (!row || !channel_network(row->network)) {
        sw->stats.dropped++;
        COVERAGE_INC(pinctrl_drop);
        return;
    }
    for (size_t i = 0; i < pin->igmp.n; i++) {
        ovs_be32 group = pin->igmp.groups[i];
        bool join = pin->igmp.joins[i];

        if ((ntohl(group) & 0xffffff00) == 0xe0000000) {
            continue;           /* 224.0.0.0/24: link-local, never routed. */
        }
        if (join != channel_group_has(idl, row, group)) {
            if (join) {
                COVERAGE_INC(pinctrl_igmp_join);
            } else {
                COVERAGE_INC(pinctrl_igmp_leave);
            }
            VLOG_INFO("endpoint %s %s group "IP_FMT, row->name,
                      join ? "joined" : "left", IP_ARGS(group));
            queue_db_op(join ? DB_OP_JOIN : DB_OP_LEAVE, &row->header_.uuid,
                        NULL, NULL, group);
        }
    }
}

static void
handle_location(struct ctlsw *sw, const struct sp_packet_in *pin)
{
    const struct dps_network *net = dps_find_network_by_vni(dps, pin->vni);
    const struct dps_endpoint *ep
        = net ? dps_find_endpoint_by_mac(dps, net, pin->flow.dl_dst) : NULL;

    if (!ep && net && pin->flow.dl_type == htons(ETH_TYPE_IP)) {
        /* Routed by IP, not MAC (fabric mode channel, controller/
         * channel.h): its destination MAC is the network's fixed MAC. */
        struct in6_addr dst;
        in6_addr_set_mapped_ipv4(&dst, pin->flow.nw_dst);
        ep = dps_find_endpoint_by_ip(dps, net, &dst);
    }
    if (!ep) {
        COVERAGE_INC(pinctrl_location_miss);
        sw->stats.location_misses++;
        sw->stats.dropped++;
        COVERAGE_INC(pinctrl_drop);
        return;
    }
    pinctrl_locate(sw, pin, dps_endpoint_uuid(ep));
}

/* Sends the packet of 'pin', which came to 'sw' for endpoint 'uuid' but
 * did not find it there, on to where that endpoint is now, or holds it
 * until the endpoint can be reached: it is leaving this hypervisor and has
 * not been seen anywhere else yet, or the switch it has moved to does not
 * hold its flows yet (what reached that switch first would find no way to
 * the endpoint there, and be lost). */
void
pinctrl_locate(struct ctlsw *sw, const struct sp_packet_in *pin,
               const struct uuid *uuid)
{
    const struct dps_endpoint *ep = dps_find_endpoint(dps, uuid);

    COVERAGE_INC(pinctrl_location_miss);
    sw->stats.location_misses++;
    if (!ep) {
        sw->stats.dropped++;
        COVERAGE_INC(pinctrl_drop);
    } else if (!endpoint_switch_synced(ep)
               || !forward_to_endpoint(sw, pin->packet, pin->packet_len, ep,
                                       NULL)) {
        hold(HELD_LOCATION, sw, pin->in_port, uuid, 0, htonl(0),
             pin->packet, pin->packet_len);
    }
}

static void
handle_learn(struct ctlsw *sw, const struct sp_packet_in *pin)
{
    const char *port = swconn_port_name(sw->swconn, pin->in_port);
    uint64_t dpid;
    char mac_s[ETH_ADDR_STRLEN + 1];

    swconn_get_dpid(sw->swconn, &dpid);
    const struct dtrec_hypervisor *hv
        = dt_db_find_hypervisor_by_dpid(idl, dpid);
    if (!port || !hv) {
        sw->stats.dropped++;
        COVERAGE_INC(pinctrl_drop);
        return;
    }

    /* The endpoint this port is for, by its port name and MAC: a VM can
     * only claim its own location. */
    snprintf(mac_s, sizeof mac_s, ETH_ADDR_FMT,
             ETH_ADDR_ARGS(pin->flow.dl_src));
    const struct dtrec_endpoint *row, *found = NULL;
    DTREC_ENDPOINT_FOR_EACH (row, idl) {
        struct eth_addr mac;

        if (row->port && !strcmp(row->port, port) && row->mac) {
            char *error = dt_parse_mac(row->mac, &mac);
            if (error) {
                free(error);
            } else if (eth_addr_equals(mac, pin->flow.dl_src)) {
                found = row;
                break;
            }
        }
    }
    if (!found) {
        sw->stats.dropped++;
        COVERAGE_INC(pinctrl_drop);
        VLOG_DBG_RL(&rl, "%016"PRIx64": port %s: frame from %s, which no "
                    "endpoint on that port has", dpid, port, mac_s);
        return;
    }

    if (found->hypervisor != hv) {
        COVERAGE_INC(pinctrl_learn);
        sw->stats.learned++;
        VLOG_INFO("endpoint %s (%s) is now on hypervisor %s port %s",
                  found->name, mac_s, hv->name, port);
        queue_db_op(DB_OP_LOCATION, &found->header_.uuid, &hv->header_.uuid,
                    port, htonl(0));
    }
    /* The frame goes through this switch's pipeline again once its flows
     * say the endpoint is here. */
    hold(HELD_REPLAY, sw, pin->in_port, &found->header_.uuid, 0, htonl(0),
         pin->packet, pin->packet_len);
}

static void
handle_learn_address(struct ctlsw *sw, const struct sp_packet_in *pin)
{
    const struct dps_network *net;
    const struct dps_endpoint *ep = source_endpoint(pin, &net);
    ovs_be32 spa = pin->flow.nw_src;
    struct in6_addr ip;

    in6_addr_set_mapped_ipv4(&ip, spa);
    if (!ep || !spa || ip_is_multicast(spa) || spa == htonl(INADDR_BROADCAST)
        || dps_endpoint_n_ips(ep) || dps_find_endpoint_by_ip(dps, net, &ip)) {
        /* Nothing to learn: an address probe (0.0.0.0), a bad address,
         * an endpoint that has one, or an address someone else has. */
        sw->stats.dropped++;
        COVERAGE_INC(pinctrl_drop);
        return;
    }
    COVERAGE_INC(pinctrl_learn_address);
    VLOG_INFO("endpoint %s has address "IP_FMT" (learned from its ARP)",
              dps_endpoint_name(ep), IP_ARGS(spa));
    queue_db_op(DB_OP_ADDRESS, dps_endpoint_uuid(ep), NULL, NULL, spa);

    /* The silent host is asking for someone: once the switch's flows know
     * its address, its request goes through the pipeline again and is
     * answered there, instead of waiting for the guest to ask again. */
    if (pin->flow.nw_proto == ARP_OP_REQUEST) {
        hold(HELD_ADDRESS, sw, pin->in_port, dps_endpoint_uuid(ep), 0,
             htonl(0), pin->packet, pin->packet_len);
    }
}

static void
handle_dhcp_request(struct ctlsw *sw, const struct sp_packet_in *pin)
{
    const struct dps_network *net;
    const struct dps_endpoint *client = source_endpoint(pin, &net);
    const struct dtrec_policy_domain *domain
        = client ? endpoint_domain_row(client) : NULL;
    size_t n_copies = 0;

    if (domain) {
        for (size_t i = 0; i < domain->n_dhcp_servers; i++) {
            struct in6_addr ip;
            struct eth_addr mac;
            char *error = dt_parse_ip(domain->dhcp_servers[i], &ip, NULL);

            if (error) {
                free(error);
                continue;
            }
            const struct dps_endpoint *server
                = dps_find_endpoint_by_ip(dps, net, &ip);
            if (server && server != client && dps_endpoint_mac(server, &mac)
                && forward_to_endpoint(sw, pin->packet, pin->packet_len,
                                       server, &mac)) {
                n_copies++;
            }
        }
    }
    if (n_copies) {
        COVERAGE_ADD(pinctrl_dhcp_copy, n_copies);
        sw->stats.dhcp_copies += n_copies;
    } else {
        COVERAGE_INC(pinctrl_dhcp_drop);
        sw->stats.dropped++;
        VLOG_DBG_RL(&rl, "DHCP from "ETH_ADDR_FMT": no server reachable for "
                    "its domain", ETH_ADDR_ARGS(pin->flow.dl_src));
    }
}

static void
handle_dhcp_reply(struct ctlsw *sw, const struct sp_packet_in *pin)
{
    const struct dps_network *net;
    const struct dps_endpoint *server = source_endpoint(pin, &net);
    const struct dps_endpoint *client
        = net ? dps_find_endpoint_by_mac(dps, net, pin->dhcp.chaddr) : NULL;
    const struct dtrec_policy_domain *domain
        = client ? endpoint_domain_row(client) : NULL;

    /* Only a server configured for the client's domain may answer it. */
    if (!server || !client || !domain
        || !is_dhcp_server(domain, pin->flow.nw_src)
        || !forward_to_endpoint(sw, pin->packet, pin->packet_len, client,
                                &pin->dhcp.chaddr)) {
        COVERAGE_INC(pinctrl_dhcp_drop);
        sw->stats.dropped++;
        VLOG_DBG_RL(&rl, "DHCP reply from "IP_FMT" for "ETH_ADDR_FMT
                    " dropped", IP_ARGS(pin->flow.nw_src),
                    ETH_ADDR_ARGS(pin->dhcp.chaddr));
        return;
    }
    COVERAGE_INC(pinctrl_dhcp_copy);
    sw->stats.dhcp_copies++;

    /* DHCPACK: the client has this address now. */
    struct in6_addr ip;
    in6_addr_set_mapped_ipv4(&ip, pin->dhcp.yiaddr);
    if (pin->dhcp.msg_type == 5 && pin->dhcp.yiaddr
        && !dps_endpoint_n_ips(client)
        && !dps_find_endpoint_by_ip(dps, net, &ip)) {
        VLOG_INFO("endpoint %s leased address "IP_FMT,
                  dps_endpoint_name(client), IP_ARGS(pin->dhcp.yiaddr));
        queue_db_op(DB_OP_ADDRESS, dps_endpoint_uuid(client), NULL, NULL,
                    pin->dhcp.yiaddr);
    }
}

/* Helpers. */

/* Returns the rate limit of 'sw''s input port 'port'. */
static struct token_bucket *
port_bucket(struct ctlsw *sw, ofp_port_t port)
{
    uint16_t p = ofp_to_u16(port);
    struct pinctrl_rates **rates = &sw->rates[p >> 8];

    if (OVS_UNLIKELY(!*rates)) {
        *rates = xzalloc(sizeof **rates);
    }
    return &(*rates)->tb[p & 0xff];
}

static bool
rate_allows(struct ctlsw *sw, ofp_port_t port)
{
    struct token_bucket *tb = port_bucket(sw, port);

    if (OVS_UNLIKELY(!tb->last_fill)) {
        /* An OVS token bucket earns 'rate' tokens per millisecond: with a
         * packet-in costing 1000 tokens, that is 'pin_rate' packet-ins per
         * second, in bursts of 'pin_burst' (as OVS's ofproto/pinsched.c). */
        token_bucket_init(tb, pin_rate, sat_mul(pin_burst, 1000));
    }
    return token_bucket_withdraw(tb, 1000);
}

/* Sends packet 'packet' ('len' bytes) out of 'sw' with 'actions' (ovs-ofctl
 * syntax) as if it came in on 'in_port'. */
static void
packet_out(struct ctlsw *sw, const void *packet, size_t len,
           ofp_port_t in_port, const char *actions)
{
    enum ofputil_protocol usable;
    struct ofpbuf ofpacts;
    ofpbuf_init(&ofpacts, 64);
    struct ofpact_parse_params pp = {
        .ofpacts = &ofpacts,
        .usable_protocols = &usable,
    };
    char *error = ofpacts_parse_actions(actions, &pp);
    if (error) {
        VLOG_ERR_RL(&rl, "%s: %s", actions, error);
        free(error);
        ofpbuf_uninit(&ofpacts);
        return;
    }
    packet_out_ofpacts(sw, packet, len, in_port, ofpacts.data, ofpacts.size);
    ofpbuf_uninit(&ofpacts);
}

void
pinctrl_packet_out(struct ctlsw *sw, const void *packet, size_t len,
                   ofp_port_t in_port, const char *actions)
{
    packet_out(sw, packet, len, in_port, actions);
}

/* Like packet_out(), with actions already parsed. */
static void
packet_out_ofpacts(struct ctlsw *sw, const void *packet, size_t len,
                   ofp_port_t in_port, const struct ofpact *ofpacts,
                   size_t ofpacts_len)
{
    struct ofputil_packet_out po = {
        .packet = packet,
        .packet_len = len,
        .buffer_id = UINT32_MAX,
        .ofpacts = CONST_CAST(struct ofpact *, ofpacts),
        .ofpacts_len = ofpacts_len,
    };
    match_init_catchall(&po.flow_metadata);
    match_set_in_port(&po.flow_metadata, in_port);
    swconn_send(sw->swconn, ofputil_encode_packet_out(
                    &po, swconn_get_protocol(sw->swconn)));
}

/* Returns true if a packet sent from 'sw' can reach endpoint 'ep' now. */
static bool
endpoint_reachable(struct ctlsw *sw, const struct dps_endpoint *ep)
{
    struct ds actions = DS_EMPTY_INITIALIZER;
    bool ok = endpoint_actions(sw, ep, &actions);
    ds_destroy(&actions);
    return ok;
}

/* Returns true unless the switch that hosts 'ep' is connected but does not
 * yet hold the flows the database implies (ctlsw_is_synced()): an answer
 * that leads a VM to send to 'ep' waits for that, so that 'ep''s reply is
 * not refused by port security that does not know its new address yet,
 * and so does a packet forwarded or replayed towards 'ep', so that it does
 * not reach a switch that has no way to 'ep' yet. */
static bool
endpoint_switch_synced(const struct dps_endpoint *ep)
{
    uint64_t dpid;
    ovs_be32 tunnel_ip;
    dps_endpoint_location(ep, &dpid, &tunnel_ip);
    const struct ctlsw *sw = dpid ? ctlsw_find(dpid) : NULL;
    return !sw || ctlsw_is_synced(sw);
}

/* Sends 'packet' from 'sw' to where endpoint 'ep' is (out a local port or
 * through the tunnel), first rewriting its destination MAC to '*set_dst'
 * if that is nonnull.  Returns false if 'ep' cannot be reached from 'sw'
 * now. */
static bool
forward_to_endpoint(struct ctlsw *sw, const void *packet, size_t len,
                    const struct dps_endpoint *ep,
                    const struct eth_addr *set_dst)
{
    struct ds actions = DS_EMPTY_INITIALIZER;

    if (set_dst) {
        ds_put_format(&actions, "set_field:"ETH_ADDR_FMT"->eth_dst,",
                      ETH_ADDR_ARGS(*set_dst));
    }
    if (!endpoint_actions(sw, ep, &actions)) {
        ds_destroy(&actions);
        return false;
    }
    COVERAGE_INC(pinctrl_forward);
    sw->stats.forwarded++;
    packet_out(sw, packet, len, OFPP_CONTROLLER, ds_cstr(&actions));
    ds_destroy(&actions);
    return true;
}

/* Appends to 'actions' the actions that take a packet from 'sw' to where
 * endpoint 'ep' is.  Returns false if it cannot be reached from 'sw' now
 * (no location, or its port here is down). */
static bool
endpoint_actions(struct ctlsw *sw, const struct dps_endpoint *ep,
                 struct ds *actions)
{
    struct pcache_switch psw;
    uint64_t dpid;
    ovs_be32 tunnel_ip;
    const char *port = dps_endpoint_location(ep, &dpid, &tunnel_ip);
    struct eth_addr mac;
    bool has_mac = dps_endpoint_mac(ep, &mac);

    return (ctlsw_pcache_switch(sw, &psw)
            && pcache_location_actions(
                &psw, dps_endpoint_network(ep), dpid,
                tunnel_ip, port, has_mac ? &mac : NULL, actions));
}

/* Answers ARP request 'req' (received on 'port' of 'sw'): its target
 * address is at 'mac'. */
static void
answer_arp(struct ctlsw *sw, ofp_port_t port, const struct flow *req,
           struct eth_addr mac)
{
    struct dp_packet reply;
    char actions[80];

    dp_packet_init(&reply, 64);
    compose_arp(&reply, ARP_OP_REPLY, mac, req->arp_sha, false, req->nw_dst,
                req->nw_src);
    if (req->vlans[0].tci & htons(VLAN_CFI)) {
        /* From a VM behind a trunk: back to it with its tag. */
        snprintf(actions, sizeof actions, "push_vlan:0x8100,set_field:%#"
                 PRIx16"->vlan_vid,output:%"PRIu16,
                 (uint16_t) (VLAN_CFI | vlan_tci_to_vid(req->vlans[0].tci)),
                 ofp_to_u16(port));
    } else {
        snprintf(actions, sizeof actions, "output:%"PRIu16,
                 ofp_to_u16(port));
    }
    packet_out(sw, dp_packet_data(&reply), dp_packet_size(&reply),
               OFPP_CONTROLLER, actions);
    dp_packet_uninit(&reply);
    COVERAGE_INC(pinctrl_arp_answer);
    sw->stats.arp_answered++;
}

/* Holds a copy of 'packet' (see struct held). */
static void
hold(enum held_kind kind, const struct ctlsw *sw, ofp_port_t in_port,
     const struct uuid *endpoint, uint32_t vni, ovs_be32 ip,
     const void *packet, size_t len)
{
    if (n_held >= PINCTRL_MAX_HELD) {
        COVERAGE_INC(pinctrl_hold_drop);
        n_held_dropped++;
        return;
    }

    struct held *h = xmalloc(sizeof *h + len);
    h->kind = kind;
    swconn_get_dpid(sw->swconn, &h->origin);
    h->in_port = in_port;
    h->endpoint = endpoint ? *endpoint : UUID_ZERO;
    h->vni = vni;
    h->ip = ip;
    h->expires = time_msec() + PINCTRL_HOLD_MSEC;
    h->len = len;
    memcpy(h->data, packet, len);
    ovs_list_push_back(&held_packets, &h->list_node);
    n_held++;
    n_held_total++;
    COVERAGE_INC(pinctrl_hold);
}

/* Tries to release each held packet; drops those that waited too long. */
static void
run_held(void)
{
    long long int now = time_msec();
    struct held *h;

    LIST_FOR_EACH_SAFE (h, list_node, &held_packets) {
        struct ctlsw *sw = ctlsw_find(h->origin);
        bool done = false;

        if (sw && swconn_is_ready(sw->swconn)) {
            const struct dps_endpoint *ep = NULL;
            uint64_t dpid;
            ovs_be32 tunnel_ip;

            switch (h->kind) {
            case HELD_LOCATION:
                ep = dps_find_endpoint(dps, &h->endpoint);
                done = (ep && endpoint_switch_synced(ep)
                        && forward_to_endpoint(sw, h->data, h->len, ep,
                                               NULL));
                break;

            case HELD_REPLAY:
                ep = dps_find_endpoint(dps, &h->endpoint);
                if (ep && dps_endpoint_location(ep, &dpid, &tunnel_ip)
                    && dpid == h->origin && ctlsw_is_synced(sw)) {
                    packet_out(sw, h->data, h->len, h->in_port,
                               "resubmit(,0)");
                    done = true;
                }
                break;

            case HELD_POLICY:
                ep = dps_find_endpoint(dps, &h->endpoint);
                if (!ep) {
                    break;
                }
                if (endpoint_switch_synced(ep) && endpoint_reachable(sw, ep)) {
                    packet_out(sw, h->data, h->len, h->in_port,
                               "resubmit(,0)");
                    done = true;
                }
                break;

            case HELD_ADDRESS:
                ep = dps_find_endpoint(dps, &h->endpoint);
                if (ep && dps_endpoint_n_ips(ep)
                    && ctlsw_is_synced(sw)) {
                    packet_out(sw, h->data, h->len, h->in_port,
                               "resubmit(,0)");
                    done = true;
                }
                break;

            case HELD_ARP: {
                const struct dps_network *net
                    = dps_find_network_by_vni(dps, h->vni);
                struct in6_addr ip;
                struct eth_addr mac;
                in6_addr_set_mapped_ipv4(&ip, h->ip);
                ep = net ? dps_find_endpoint_by_ip(dps, net, &ip) : NULL;
                if (ep && dps_endpoint_mac(ep, &mac)
                    && endpoint_switch_synced(ep)) {
                    struct dp_packet b;
                    struct flow req;
                    dp_packet_use_const(&b, h->data, h->len);
                    flow_extract(&b, &req);
                    answer_arp(sw, h->in_port, &req, mac);
                    done = true;
                }
                break;
            }
            }
        }
        if (!done && now >= h->expires) {
            COVERAGE_INC(pinctrl_hold_drop);
            n_held_dropped++;
            done = true;
        }
        if (done) {
            ovs_list_remove(&h->list_node);
            free(h);
            n_held--;
        }
    }
}

static void
queue_db_op(enum db_op_kind kind, const struct uuid *endpoint,
            const struct uuid *hypervisor, const char *port, ovs_be32 ip)
{
    struct db_op *op;

    /* Once is enough (once per group for a membership). */
    bool per_ip = kind == DB_OP_JOIN || kind == DB_OP_LEAVE;
    LIST_FOR_EACH (op, list_node, &db_queued) {
        if (op->kind == kind && uuid_equals(&op->endpoint, endpoint)
            && (!per_ip || op->ip == ip)) {
            return;
        }
    }
    LIST_FOR_EACH (op, list_node, &db_inflight) {
        if (op->kind == kind && uuid_equals(&op->endpoint, endpoint)
            && (!per_ip || op->ip == ip)) {
            return;
        }
    }
    op = xzalloc(sizeof *op);
    op->kind = kind;
    op->endpoint = *endpoint;
    if (hypervisor) {
        op->hypervisor = *hypervisor;
    }
    op->port = nullable_xstrdup(port);
    op->ip = ip;
    ovs_list_push_back(&db_queued, &op->list_node);
}

static void
db_ops_free(struct ovs_list *ops)
{
    struct db_op *op;

    LIST_FOR_EACH_POP (op, list_node, ops) {
        free(op->port);
        free(op);
    }
}

/* Queues writing 'vlan' into endpoint 'endpoint''s row, as given on the
 * hypervisor named 'home' (see controller/vlan.h). */
void
pinctrl_set_vlan(const struct uuid *endpoint, int vlan, const char *home)
{
    struct db_op *op;

    /* A write in flight is followed by a fresh look at the database. */
    LIST_FOR_EACH (op, list_node, &db_inflight) {
        if (op->kind == DB_OP_VLAN && uuid_equals(&op->endpoint, endpoint)) {
            return;
        }
    }
    struct db_op *found = NULL;
    LIST_FOR_EACH (op, list_node, &db_queued) {
        if (op->kind == DB_OP_VLAN && uuid_equals(&op->endpoint, endpoint)) {
            found = op;
            break;
        }
    }
    if (!found) {
        queue_db_op(DB_OP_VLAN, endpoint, NULL, home, htonl(0));
        found = CONTAINER_OF(ovs_list_back(&db_queued), struct db_op,
                             list_node);
    }
    found->vlan = vlan;
    free(found->port);
    found->port = xstrdup(home);
}

/* Applies queued database writes in one transaction at a time. */
static void
run_db(void)
{
    if (!db_txn) {
        if (ovs_list_is_empty(&db_queued) || !ovsdb_idl_is_connected(idl)
            || !ovsdb_idl_has_ever_connected(idl)) {
            return;
        }
        db_txn = ovsdb_idl_txn_create(idl);
        ovsdb_idl_txn_add_comment(db_txn, "dovetail-controller: learned");
        ovs_list_push_back_all(&db_inflight, &db_queued);

        struct db_op *op;
        LIST_FOR_EACH (op, list_node, &db_inflight) {
            const struct dtrec_endpoint *ep
                = dtrec_endpoint_get_for_uuid(idl, &op->endpoint);
            if (!ep) {
                continue;
            }
            if (op->kind == DB_OP_LOCATION) {
                const struct dtrec_hypervisor *hv
                    = dtrec_hypervisor_get_for_uuid(idl, &op->hypervisor);
                if (hv) {
                    dtrec_endpoint_verify_hypervisor(ep);
                    dtrec_endpoint_set_hypervisor(ep, hv);
                    dtrec_endpoint_set_port(ep, op->port);
                }
            } else if (op->kind == DB_OP_VLAN) {
                int64_t vlan = op->vlan;
                dtrec_endpoint_verify_hypervisor(ep);
                dtrec_endpoint_set_vlan(ep, &vlan, 1);
                dtrec_endpoint_update_external_ids_setkey(ep, "vlan-home",
                                                          op->port);
            } else if (op->kind == DB_OP_JOIN || op->kind == DB_OP_LEAVE) {
                const struct dtrec_multicast_group *g
                    = channel_group_find(idl, ep->network, op->ip);
                if (!g && op->kind == DB_OP_JOIN && ep->network) {
                    char group_s[INET_ADDRSTRLEN];
                    snprintf(group_s, sizeof group_s, IP_FMT,
                             IP_ARGS(op->ip));
                    g = dtrec_multicast_group_insert(db_txn);
                    dtrec_multicast_group_set_network(g, ep->network);
                    dtrec_multicast_group_set_group(g, group_s);
                }
                if (g && op->kind == DB_OP_JOIN) {
                    dtrec_multicast_group_update_members_addvalue(g, ep);
                } else if (g) {
                    dtrec_multicast_group_update_members_delvalue(g, ep);
                }
            } else if (op->kind == DB_OP_ADDRESS && !ep->n_addresses
                       && ep->network) {
                char ip_s[INET_ADDRSTRLEN];
                struct dtrec_address *a = dtrec_address_insert(db_txn);
                dtrec_endpoint_verify_addresses(ep);
                snprintf(ip_s, sizeof ip_s, IP_FMT, IP_ARGS(op->ip));
                dtrec_address_set_network(a, ep->network);
                dtrec_address_set_ip(a, ip_s);
                dtrec_endpoint_update_addresses_addvalue(ep, a);
            }
        }
    }

    enum ovsdb_idl_txn_status status = ovsdb_idl_txn_commit(db_txn);
    if (status == TXN_INCOMPLETE) {
        return;
    }
    if (status == TXN_SUCCESS || status == TXN_UNCHANGED) {
        COVERAGE_INC(pinctrl_db_write);
        n_db_writes++;
        db_ops_free(&db_inflight);
    } else if (status == TXN_TRY_AGAIN) {
        /* Somebody else wrote first: apply the same writes to fresh
         * data. */
        ovs_list_push_back_all(&db_inflight, &db_queued);
        ovs_list_push_back_all(&db_queued, &db_inflight);
    } else {
        VLOG_WARN_RL(&rl, "database write failed: %s (%s)",
                     ovsdb_idl_txn_status_to_string(status),
                     ovsdb_idl_txn_get_error(db_txn));
        db_ops_free(&db_inflight);
    }
    ovsdb_idl_txn_destroy(db_txn);
    db_txn = NULL;
}

static const struct dtrec_policy_domain *
endpoint_domain_row(const struct dps_endpoint *ep)
{
    const struct dps_domain *d = dps_endpoint_domain(ep);
    return d ? dtrec_policy_domain_get_for_uuid(idl, dps_domain_uuid(d))
             : NULL;
}

static bool
is_dhcp_server(const struct dtrec_policy_domain *domain, ovs_be32 ip)
{
    for (size_t i = 0; i < domain->n_dhcp_servers; i++) {
        ovs_be32 server;
        char *error = dt_parse_ipv4(domain->dhcp_servers[i], &server);
        if (error) {
            free(error);
        } else if (server == ip) {
            return true;
        }
    }
    return false;
}
