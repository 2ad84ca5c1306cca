/*
 * pcache: the controller's record of a vswitch's policy cache.  See
 * pcache.h.
 */
#include <config.h>
#include "controller/pcache.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "coverage.h"
#include "flow.h"
#include "hash.h"
#include "ofproto-ext/actions.h"
#include "ofproto-ext/oftemplate.h"
#include "ofproto-ext/pipeline.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/list.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-port.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "simap.h"
#include "sset.h"
#include "svec.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(pcache);

COVERAGE_DEFINE(pcache_install);
COVERAGE_DEFINE(pcache_invalidate);
COVERAGE_DEFINE(pcache_expire);
COVERAGE_DEFINE(pcache_adopt);
COVERAGE_DEFINE(pcache_adopt_bad);

/* The record keeps an entry this long after the switch should have
 * dropped it: OVS checks hard timeouts about once a second, and an entry
 * forgotten too early could escape an invalidation. */

/* OpenFlow's hard_timeout is 16 bits: a longer TTL is cut to this. */
#define MAX_HARD_TIMEOUT UINT16_MAX

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

static uint32_t key_hash(const struct pcache_key *);
static void key_to_match(const struct pcache_key *, struct match *);
static struct pcache_entry *entry_lookup(const struct pcache *,
                                         const struct pcache_key *);
static void entry_remove(struct pcache *, struct pcache_entry *);
static char *canonical_actions(const char *text, struct ofpbuf *ofpacts);
static char *parse_actions(const char *text, struct ofpbuf *ofpacts);

/* The entries installed with one TTL, in the order they expire (an entry
 * installed again goes to the back). */
struct pcache_queue {
    struct hmap_node node;      /* In struct pcache 'queues', by TTL. */
    uint32_t ttl;
    struct ovs_list entries;    /* struct pcache_entry, by expiry_node. */
};
static struct pcache_queue *queue_for(struct pcache *, uint32_t ttl);
static void expire(struct pcache *, struct pcache_entry *);
static struct ofpbuf *encode_install(const struct pcache_key *,
                                     const struct pcache_result *,
                                     enum ofputil_protocol);
static bool put_mac_in_ip(ovs_be32 remote, ofp_port_t port,
                          struct ds *actions);
static struct ofpbuf *encode_delete(const struct pcache_key *,
                                    uint64_t cookie, uint64_t cookie_mask,
                                    enum ofputil_protocol);

void
pcache_init(struct pcache *pc)
{
    hmap_init(&pc->entries);
    hmap_init(&pc->queues);
    ovs_list_init(&pc->adopted);
    pc->adopted_scan = 0;
    memset(&pc->stats, 0, sizeof pc->stats);
}

void
pcache_destroy(struct pcache *pc)
{
    if (pc) {
        pcache_clear(pc);
        hmap_destroy(&pc->entries);

        struct pcache_queue *q;
        HMAP_FOR_EACH_POP (q, node, &pc->queues) {
            free(q);
        }
        hmap_destroy(&pc->queues);
    }
}

/* Forgets every entry (the statistics stay). */
void
pcache_clear(struct pcache *pc)
{
    struct pcache_entry *e;

    HMAP_FOR_EACH_SAFE (e, node, &pc->entries) {
        entry_remove(pc, e);
    }
}

size_t
pcache_count(const struct pcache *pc)
{
    return hmap_count(&pc->entries);
}

/* Computes into '*r' the entry switch 'sw' should hold for 'key', from the
 * policy service 'dps'.  Returns false, leaving '*r' uninitialized, if
 * nothing should be cached: the network or destination is unknown, or
 * the destination cannot be reached from 'sw' (not located, its port not
 * there yet, no tunnel).  On success the caller must
 * pcache_result_uninit(r). */
bool
pcache_compute(const struct dps *dps, const struct pcache_switch *sw,
               const struct pcache_key *key, struct pcache_result *r)
{
    const struct dps_network *net = dps_find_network_by_vni(dps, key->vni);
    if (!net) {
        return false;
    }
    const struct dps_domain *domain = NULL;
    if (key->domain) {
        domain = dps_find_domain_by_prefix(dps, net, key->domain);
        if (!domain) {
            return false;
        }
    }

    struct dps_resolution res;
    dps_resolve_ip_from_domain(dps, net, domain, &key->dst, &res);
    if (res.verdict == DPS_UNKNOWN) {
        return false;
    }

    struct ds actions = DS_EMPTY_INITIALIZER;
    if (res.verdict == DPS_DENY) {
        ds_put_cstr(&actions, "drop");
    } else {
        uint64_t dpid = res.dpid;
        ovs_be32 tunnel_ip = res.tunnel_ip;
        const char *port = res.port;
        struct eth_addr dst_mac;
        bool has_mac = dps_endpoint_mac(res.dst, &dst_mac);

        if (res.n_waypoints) {
            /* Through the first appliance: it sends the packet on. */
            const struct dps_endpoint *wp
                = dps_find_endpoint_by_name(dps, res.waypoints[0]);
            if (!wp || dps_endpoint_network(wp) != net) {
                VLOG_WARN_RL(&rl, "network %s: waypoint \"%s\" is not an "
                             "endpoint of the network",
                             dps_network_name(net), res.waypoints[0]);
                return false;
            }
            port = dps_endpoint_location(wp, &dpid, &tunnel_ip);
            has_mac = false;    /* The appliance gets the frame as sent. */
        }
        if (!pcache_location_actions(sw, net, dpid, tunnel_ip, port,
                                     has_mac ? &dst_mac : NULL, &actions)) {
            ds_destroy(&actions);
            return false;
        }
    }

    uint32_t policy = res.policy ? dps_policy_uuid(res.policy)->parts[0] : 0;
    r->verdict = res.verdict;
    r->cookie = pl_cookie(policy, res.tracking_number,
                          dps_endpoint_uuid(res.dst)->parts[0]);
    r->ttl = MIN(res.ttl, MAX_HARD_TIMEOUT);

    ofpbuf_init(&r->ofpacts, 64);
    r->actions = parse_actions(ds_cstr(&actions), &r->ofpacts);
    ds_destroy(&actions);
    if (!r->actions) {
        ofpbuf_uninit(&r->ofpacts);
        return false;
    }
    return true;
}

void
pcache_result_uninit(struct pcache_result *r)
{
    free(r->actions);
    ofpbuf_uninit(&r->ofpacts);
}

/* Appends to 'actions' the actions that take a packet of network 'net'
 * from switch 'sw' to port 'port' of the hypervisor with datapath id
 * 'dpid' and tunnel IP 'tunnel_ip': out the port if that is 'sw', else
 * through the tunnel of the network's encapsulation (VXLAN or Geneve with
 * the VNI as key; keyless GRE through the mac_in_ip extension action), or,
 * in fabric mode "sarp", through the SARP stage to the interconnect; the
 * former with the destination MAC set to '*mac' if that is nonnull (a
 * frame routed to the anycast gateway MAC gets the VM's own back).
 * Returns false if there is no way, which includes a local port that is
 * down: a VM leaving this hypervisor takes its link down before its port
 * goes, and what is sent out of it then is lost. */
bool
pcache_location_actions(const struct pcache_switch *sw,
                        const struct dps_network *net,
                        uint64_t dpid, ovs_be32 tunnel_ip, const char *port,
                        const struct eth_addr *mac, struct ds *actions)
{
    if (!dpid) {
        return false;
    }
    if (dpid == sw->dpid) {
        const struct simap_node *node = port ? simap_find(sw->ports, port)
                                             : NULL;
        if (!node || sset_contains(sw->down_ports, port)) {
            return false;
        }
        if (mac) {
            ds_put_format(actions, "set_field:"ETH_ADDR_FMT"->eth_dst,",
                          ETH_ADDR_ARGS(*mac));
        }
        /* Through the delivery stage, which knows how each port is
         * reached (a VM behind a trunk needs its VLAN tag), and only while
         * the port is live. */
        ds_put_format(actions, PL_LOAD_LIVE_PORT",resubmit(,%d)",
                      node->data, PL_DELIVER);
        return true;
    }
    if (dps_network_is_sarp(net)) {
        /* Across the L2 interconnect, through this edge's SARP cache
         * (controller/sarp.h), which knows the remote edge's MAC.  The
         * network into the metadata for a packet-out. */
        ds_put_format(actions, "set_field:%"PRIu32"->"PL_NETWORK_FIELD","
                      "resubmit(,%d)", dps_network_vni(net), PL_SARP);
        return true;
    }
    enum dt_encap encap = dps_network_encap(net);
    ofp_port_t tunnel_port = sw->tunnel_ports[encap];
    if (!tunnel_ip || tunnel_port == OFPP_NONE) {
        return false;
    }
    if (encap == DT_ENCAP_GRE) {
        return put_mac_in_ip(tunnel_ip, tunnel_port, actions);
    }
    ds_put_format(actions, "set_field:%"PRIu32"->tun_id,set_field:"IP_FMT
                  "->tun_dst,output:%"PRIu16, dps_network_vni(net),
                  IP_ARGS(tunnel_ip), ofp_to_u16(tunnel_port));
    return true;
}

/* Returns the entry for 'key' that has not expired by 'now', or NULL. */
const struct pcache_entry *
pcache_find(const struct pcache *pc, const struct pcache_key *key,
            long long int now)
{
    const struct pcache_entry *e = entry_lookup(pc, key);
    return e && e->expires > now ? e : NULL;
}

/* Records that 'key' is cached as 'r' from 'now' on, and returns the
 * flow_mod that installs it, encoded for 'protocol'. */
struct ofpbuf *
pcache_install(struct pcache *pc, const struct pcache_key *key,
               const struct pcache_result *r, enum ofputil_protocol protocol,
               long long int now)
{
    struct pcache_entry *e = entry_lookup(pc, key);

    if (!e) {
        e = xzalloc(sizeof *e);
        e->key = *key;
        ovs_list_init(&e->expiry_node);
        hmap_insert(&pc->entries, &e->node, key_hash(key));
    } else {
        free(e->actions);
    }
    e->cookie = r->cookie;
    e->ttl = r->ttl;
    e->actions = xstrdup(r->actions);
    e->expires = now + r->ttl * 1000LL;
    ovs_list_remove(&e->expiry_node);
    ovs_list_push_back(&queue_for(pc, r->ttl)->entries, &e->expiry_node);
    COVERAGE_INC(pcache_install);
    pc->stats.installs++;
    if (r->verdict == DPS_DENY) {
        pc->stats.denies++;
    }

    return encode_install(key, r, protocol);
}

/* A flow_mod that installs an entry, encoded once per (actions, TTL,
 * protocol) with sentinel values in the fields that differ between
 * entries, and the offsets of those fields: an entry's flow_mod is a copy
 * with its values written in (see encode_install()). */
struct install_template {
    struct hmap_node node;      /* In 'templates'. */
    char *actions;              /* Canonical action text. */
    uint32_t ttl;
    enum ofputil_protocol protocol;
    bool ipv6;                  /* An IPv6 destination (else IPv4)? */
    struct ofpbuf msg;          /* Encoded with the sentinels. */
    size_t cookie_ofs, vni_ofs, domain_ofs, dst_ofs;
};
static struct hmap templates = HMAP_INITIALIZER(&templates);
#define TEMPLATES_MAX 4096

/* Sentinels: values no real entry's fields take together, each found
 * exactly once in the encoded template. */
#define SENTINEL_COOKIE UINT64_C(0x5ab1e7c00c1e5eed)
#define SENTINEL_VNI 0x7e3a9b1cU
#define SENTINEL_DOMAIN 0x6d0a1b2cU
#define SENTINEL_DST 0xe2d3c4b5U
static const struct in6_addr sentinel_dst6 = { { {
    0xfd, 0x5e, 0x17, 0x1e, 0xa9, 0x3c, 0x04, 0xb7,
    0x61, 0xd2, 0x8f, 0x35, 0xc0, 0x7a, 0x1b, 0xe4 } } };

static struct ofpbuf *
encode_install__(const struct pcache_key *key, uint64_t cookie,
                 const struct pcache_result *r,
                 enum ofputil_protocol protocol)
{
    struct match match;
    key_to_match(key, &match);

    struct ofputil_flow_mod fm = {
        .priority = PL_CACHE_PRIORITY,
        .new_cookie = htonll(cookie),
        .table_id = PL_POLICY,
        .command = OFPFC_ADD,
        .hard_timeout = r->ttl,
        .buffer_id = UINT32_MAX,
        .out_port = OFPP_ANY,
        .out_group = OFPG_ANY,
        .ofpacts = r->ofpacts.data,
        .ofpacts_len = r->ofpacts.size,
    };
    minimatch_init(&fm.match, &match);
    struct ofpbuf *msg = ofputil_encode_flow_mod(&fm, protocol);
    minimatch_destroy(&fm.match);
    return msg;
}

static void
templates_clear(void)
{
    struct install_template *t;

    HMAP_FOR_EACH_POP (t, node, &templates) {
        free(t->actions);
        ofpbuf_uninit(&t->msg);
        free(t);
    }
}

/* Returns the template for 'r' and 'protocol', making it if need be, or
 * NULL if a sentinel cannot be found in the encoding. */
static const struct install_template *
get_template(const struct pcache_result *r, enum ofputil_protocol protocol,
             bool ipv6)
{
    uint32_t hash = hash_3words(hash_string(r->actions, r->ttl), protocol,
                                ipv6);
    struct install_template *t;

    HMAP_FOR_EACH_WITH_HASH (t, node, hash, &templates) {
        if (t->ttl == r->ttl && t->protocol == protocol && t->ipv6 == ipv6
            && !strcmp(t->actions, r->actions)) {
            return t->cookie_ofs != SIZE_MAX ? t : NULL;
        }
    }
    if (hmap_count(&templates) >= TEMPLATES_MAX) {
        templates_clear();
    }

    struct pcache_key sentinel = {
        .vni = SENTINEL_VNI,
        .domain = SENTINEL_DOMAIN,
    };
    if (ipv6) {
        sentinel.dst = sentinel_dst6;
    } else {
        in6_addr_set_mapped_ipv4(&sentinel.dst, htonl(SENTINEL_DST));
    }
    struct ofpbuf *msg = encode_install__(&sentinel, SENTINEL_COOKIE, r,
                                          protocol);
    ovs_be64 cookie = htonll(SENTINEL_COOKIE);
    ovs_be64 vni = htonll(SENTINEL_VNI);
    ovs_be32 domain = htonl(SENTINEL_DOMAIN);
    ovs_be32 dst = htonl(SENTINEL_DST);

    t = xzalloc(sizeof *t);
    t->actions = xstrdup(r->actions);
    t->ttl = r->ttl;
    t->protocol = protocol;
    t->ipv6 = ipv6;
    ofpbuf_init(&t->msg, msg->size);
    ofpbuf_put(&t->msg, msg->data, msg->size);
    ofpbuf_delete(msg);
    t->cookie_ofs = oftemplate_find_once(&t->msg, &cookie, sizeof cookie);
    t->vni_ofs = oftemplate_find_once(&t->msg, &vni, sizeof vni);
    t->domain_ofs = oftemplate_find_once(&t->msg, &domain, sizeof domain);
    t->dst_ofs = (ipv6
                  ? oftemplate_find_once(&t->msg, &sentinel_dst6,
                                         sizeof sentinel_dst6)
                  : oftemplate_find_once(&t->msg, &dst, sizeof dst));
    if (t->vni_ofs == SIZE_MAX || t->domain_ofs == SIZE_MAX
        || t->dst_ofs == SIZE_MAX) {
        t->cookie_ofs = SIZE_MAX;   /* Unusable: encode each time. */
    }
    hmap_insert(&templates, &t->node, hash);
    return t->cookie_ofs != SIZE_MAX ? t : NULL;
}

/* Encodes the flow_mod that installs 'r' for 'key': a copy of its
 * template with the entry's cookie, network, domain and destination
 * written in, which is what encoding it from scratch gives (checked by
 * tests/test-pcache). */
static struct ofpbuf *
encode_install(const struct pcache_key *key, const struct pcache_result *r,
               enum ofputil_protocol protocol)
{
    bool ipv6 = !IN6_IS_ADDR_V4MAPPED(&key->dst);
    const struct install_template *t = get_template(r, protocol, ipv6);
    if (!t) {
        return encode_install__(key, r->cookie, r, protocol);
    }

    static uint32_t next_xid;
    struct ofpbuf *msg = ofpbuf_clone(&t->msg);
    char *data = msg->data;
    struct ofp_header *oh = msg->data;

    /* Transaction ids of their own, apart from Open vSwitch's (which count
     * up from 1). */
    oh->xid = htonl(0x80000000 | next_xid++);
    ovs_be64 cookie = htonll(r->cookie);
    ovs_be64 vni = htonll(key->vni);
    ovs_be32 domain = htonl(key->domain);

    memcpy(data + t->cookie_ofs, &cookie, sizeof cookie);
    memcpy(data + t->vni_ofs, &vni, sizeof vni);
    memcpy(data + t->domain_ofs, &domain, sizeof domain);
    if (ipv6) {
        memcpy(data + t->dst_ofs, &key->dst, sizeof key->dst);
    } else {
        ovs_be32 dst = in6_addr_get_mapped_ipv4(&key->dst);
        memcpy(data + t->dst_ofs, &dst, sizeof dst);
    }
    return msg;
}

/* Records the cache entry 'fs', read back from the switch at 'now'.  An
 * entry whose match is not a cache key is ignored (and counted): it is
 * not one the controller would have installed. */
void
pcache_adopt(struct pcache *pc, const struct ofputil_flow_stats *fs,
             long long int now)
{
    const struct flow *f = &fs->match.flow;
    const struct flow_wildcards *wc = &fs->match.wc;
    struct pcache_key key;

    if (fs->table_id != PL_POLICY || fs->priority != PL_CACHE_PRIORITY
        || wc->masks.metadata != OVS_BE64_MAX
        || ntohll(f->metadata) > UINT32_MAX
        || wc->masks.regs[PL_DOMAIN_REG] != UINT32_MAX
        || !(f->dl_type == htons(ETH_TYPE_IP)
             ? wc->masks.nw_dst == OVS_BE32_MAX
             : (f->dl_type == htons(ETH_TYPE_IPV6)
                && ipv6_mask_is_exact(&wc->masks.ipv6_dst)))) {
        COVERAGE_INC(pcache_adopt_bad);
        VLOG_WARN_RL(&rl, "ignoring a flow with a policy cache cookie "
                     "(%#"PRIx64") that is not a cache entry",
                     ntohll(fs->cookie));
        return;
    }
    key.vni = ntohll(f->metadata);
    key.domain = f->regs[PL_DOMAIN_REG];
    if (f->dl_type == htons(ETH_TYPE_IP)) {
        in6_addr_set_mapped_ipv4(&key.dst, f->nw_dst);
    } else {
        key.dst = f->ipv6_dst;
    }

    struct pcache_entry *e = entry_lookup(pc, &key);
    if (!e) {
        e = xzalloc(sizeof *e);
        e->key = key;
        ovs_list_init(&e->expiry_node);
        hmap_insert(&pc->entries, &e->node, key_hash(&key));
    } else {
        free(e->actions);
    }
    struct ds actions = DS_EMPTY_INITIALIZER;
    struct ofpact_format_params fp = { .s = &actions };
    ofpacts_format(fs->ofpacts, fs->ofpacts_len, &fp);
    e->actions = ds_steal_cstr(&actions);
    e->cookie = ntohll(fs->cookie);
    e->ttl = fs->hard_timeout;
    e->expires = (fs->hard_timeout
                  ? now + (fs->hard_timeout - MIN(fs->duration_sec,
                                                  fs->hard_timeout)) * 1000LL
                  : LLONG_MAX);
    ovs_list_remove(&e->expiry_node);
    if (e->expires != LLONG_MAX) {
        ovs_list_push_back(&pc->adopted, &e->expiry_node);
    } else {
        ovs_list_init(&e->expiry_node);
    }
    COVERAGE_INC(pcache_adopt);
    pc->stats.adopted++;
}

/* A count of entries sharing a cookie field. */
struct cookie_count {
    struct hmap_node node;
    uint32_t value;             /* The field's value. */
    size_t n;                   /* Entries with it. */
    size_t n_invalid;           /* ...of which invalid. */
};

static struct cookie_count *
cookie_count_get(struct hmap *counts, uint32_t value)
{
    struct cookie_count *c;

    HMAP_FOR_EACH_WITH_HASH (c, node, hash_int(value, 0), counts) {
        if (c->value == value) {
            return c;
        }
    }
    c = xzalloc(sizeof *c);
    c->value = value;
    hmap_insert(counts, &c->node, hash_int(value, 0));
    return c;
}

static void
cookie_counts_destroy(struct hmap *counts)
{
    struct cookie_count *c;

    HMAP_FOR_EACH_POP (c, node, counts) {
        free(c);
    }
    hmap_destroy(counts);
}

/* Checks every entry of 'pc' against what 'dps' now answers for its key,
 * and appends to 'msgs' the deletes (encoded for 'protocol') of exactly
 * the entries that differ (another policy or tracking number, another
 * destination endpoint or location, allow turned deny, or no answer at
 * all), forgetting them.  Where every entry of one policy (and tracking
 * number), or of one destination endpoint, is wrong, one cookie/mask
 * delete removes them all.  Returns the number of entries invalidated. */
size_t
pcache_revalidate(struct pcache *pc, const struct dps *dps,
                  const struct pcache_switch *sw,
                  enum ofputil_protocol protocol, struct ovs_list *msgs)
{
    struct hmap by_policy = HMAP_INITIALIZER(&by_policy);
    struct hmap by_endpoint = HMAP_INITIALIZER(&by_endpoint);
    struct pcache_entry **invalid = NULL;
    size_t n_invalid = 0, allocated = 0;
    struct pcache_entry *e;

    HMAP_FOR_EACH (e, node, &pc->entries) {
        struct pcache_result r;
        bool valid = pcache_compute(dps, sw, &e->key, &r);
        if (valid) {
            valid = r.cookie == e->cookie && !strcmp(r.actions, e->actions);
            pcache_result_uninit(&r);
        }

        struct cookie_count *cp = cookie_count_get(&by_policy,
                                                   e->cookie >> 32);
        struct cookie_count *ce = cookie_count_get(&by_endpoint,
                                                   (uint32_t) e->cookie);
        cp->n++;
        ce->n++;
        if (!valid) {
            cp->n_invalid++;
            ce->n_invalid++;
            if (n_invalid >= allocated) {
                invalid = x2nrealloc(invalid, &allocated, sizeof *invalid);
            }
            invalid[n_invalid++] = e;
        }
    }

    for (size_t i = 0; i < n_invalid; i++) {
        e = invalid[i];
        struct cookie_count *cp = cookie_count_get(&by_policy,
                                                   e->cookie >> 32);
        struct cookie_count *ce = cookie_count_get(&by_endpoint,
                                                   (uint32_t) e->cookie);
        struct ofpbuf *msg = NULL;

        if (cp->n == cp->n_invalid) {
            if (cp->n) {
                /* Every entry of this policy and tracking number. */
                msg = encode_delete(NULL, e->cookie & UINT64_C(0xffffffff00000000),
                                    UINT64_C(0xffffffff00000000), protocol);
                cp->n = cp->n_invalid = 0;
            }
        } else if (ce->n == ce->n_invalid) {
            if (ce->n) {
                /* Every entry for this destination endpoint. */
                msg = encode_delete(NULL,
                                    PL_COOKIE_TAG | (uint32_t) e->cookie,
                                    PL_COOKIE_TAG_MASK
                                    | PL_COOKIE_ENDPOINT_MASK, protocol);
                ce->n = ce->n_invalid = 0;
            }
        } else {
            msg = encode_delete(&e->key, 0, 0, protocol);
        }
        if (msg) {
            ovs_list_push_back(msgs, &msg->list_node);
            pc->stats.invalidation_msgs++;
        }
        COVERAGE_INC(pcache_invalidate);
        pc->stats.invalidated++;
        entry_remove(pc, e);
    }

    free(invalid);
    cookie_counts_destroy(&by_policy);
    cookie_counts_destroy(&by_endpoint);
    return n_invalid;
}

/* Forgets the entries the switch has dropped by 'now': from the head of
 * each TTL's queue, where they are in the order they expire, so that only
 * those that expire are visited; and those read from the switch. */
void
pcache_expire(struct pcache *pc, long long int now)
{
    struct pcache_queue *q;
    struct pcache_entry *e;

    HMAP_FOR_EACH (q, node, &pc->queues) {
        LIST_FOR_EACH_SAFE (e, expiry_node, &q->entries) {
            if (e->expires + EXPIRY_GRACE_MSEC > now) {
                break;
            }
            expire(pc, e);
        }
    }
    if (now >= pc->adopted_scan) {
        pc->adopted_scan = now + 1000;
        LIST_FOR_EACH_SAFE (e, expiry_node, &pc->adopted) {
            if (e->expires + EXPIRY_GRACE_MSEC <= now) {
                expire(pc, e);
            }
        }
    }
}

/* Returns when pcache_expire() next has something to forget: the first
 * entry of some TTL's queue expires then (a second from 'now' at the
 * latest while entries read from the switch remain), or LLONG_MAX. */
long long int
pcache_next_expiry(const struct pcache *pc, long long int now)
{
    long long int next = (ovs_list_is_empty(&pc->adopted)
                          ? LLONG_MAX : MAX(pc->adopted_scan, now));
    const struct pcache_queue *q;

    HMAP_FOR_EACH (q, node, &pc->queues) {
        if (!ovs_list_is_empty(&q->entries)) {
            const struct pcache_entry *e
                = CONTAINER_OF(ovs_list_front(&q->entries),
                               struct pcache_entry, expiry_node);
            next = MIN(next, e->expires + EXPIRY_GRACE_MSEC);
        }
    }
    return next;
}

static void
expire(struct pcache *pc, struct pcache_entry *e)
{
    COVERAGE_INC(pcache_expire);
    pc->stats.expired++;
    entry_remove(pc, e);
}

/* Returns the queue of entries with TTL 'ttl', creating it if need be. */
static struct pcache_queue *
queue_for(struct pcache *pc, uint32_t ttl)
{
    struct pcache_queue *q;

    HMAP_FOR_EACH_WITH_HASH (q, node, hash_int(ttl, 0), &pc->queues) {
        if (q->ttl == ttl) {
            return q;
        }
    }
    q = xmalloc(sizeof *q);
    q->ttl = ttl;
    ovs_list_init(&q->entries);
    hmap_insert(&pc->queues, &q->node, hash_int(ttl, 0));
    return q;
}

static int
compare_entries(const void *a_, const void *b_)
{
    const struct pcache_entry *const *a = a_;
    const struct pcache_entry *const *b = b_;
    const struct pcache_key *ka = &(*a)->key, *kb = &(*b)->key;

    if (ka->vni != kb->vni) {
        return ka->vni < kb->vni ? -1 : 1;
    }
    if (ka->domain != kb->domain) {
        return ka->domain < kb->domain ? -1 : 1;
    }
    return memcmp(&ka->dst, &kb->dst, sizeof ka->dst);
}

/* Appends to 's' one line per entry, sorted by network, domain and
 * destination: "vni=100 domain=0x1234abcd dst=10.0.0.2
 * cookie=0xd... ttl=60 expires=59s actions=...". */
void
pcache_format(const struct pcache *pc, long long int now, struct ds *s)
{
    size_t n = hmap_count(&pc->entries);
    const struct pcache_entry **entries = xmalloc((n ? n : 1)
                                                  * sizeof *entries);
    const struct pcache_entry *e;
    size_t i = 0;

    HMAP_FOR_EACH (e, node, &pc->entries) {
        entries[i++] = e;
    }
    qsort(entries, n, sizeof *entries, compare_entries);
    for (i = 0; i < n; i++) {
        e = entries[i];
        ds_put_format(s, "vni=%"PRIu32" domain=%#"PRIx32" dst=",
                      e->key.vni, e->key.domain);
        ipv6_format_mapped(&e->key.dst, s);
        ds_put_format(s, " cookie=%#"PRIx64" ttl=%"PRIu32, e->cookie,
                      e->ttl);
        if (e->expires != LLONG_MAX) {
            ds_put_format(s, " expires=%llds",
                          MAX(0, e->expires - now + 999) / 1000);
        }
        ds_put_format(s, " actions=%s\n", e->actions);
    }
    free(entries);
}

static uint32_t
key_hash(const struct pcache_key *key)
{
    return hash_bytes(&key->dst, sizeof key->dst,
                      hash_2words(key->vni, key->domain));
}

static void
key_to_match(const struct pcache_key *key, struct match *match)
{
    match_init_catchall(match);
    match_set_metadata(match, htonll(key->vni));
    match_set_reg(match, PL_DOMAIN_REG, key->domain);
    if (IN6_IS_ADDR_V4MAPPED(&key->dst)) {
        match_set_dl_type(match, htons(ETH_TYPE_IP));
        match_set_nw_dst(match, in6_addr_get_mapped_ipv4(&key->dst));
    } else {
        match_set_dl_type(match, htons(ETH_TYPE_IPV6));
        match_set_ipv6_dst(match, &key->dst);
    }
}

static struct pcache_entry *
entry_lookup(const struct pcache *pc, const struct pcache_key *key)
{
    struct pcache_entry *e;

    HMAP_FOR_EACH_WITH_HASH (e, node, key_hash(key), &pc->entries) {
        if (e->key.vni == key->vni && e->key.domain == key->domain
            && ipv6_addr_equals(&e->key.dst, &key->dst)) {
            return e;
        }
    }
    return NULL;
}

static void
entry_remove(struct pcache *pc, struct pcache_entry *e)
{
    ovs_list_remove(&e->expiry_node);
    hmap_remove(&pc->entries, &e->node);
    free(e->actions);
    free(e);
}

/* Action texts already parsed: a policy cache entry's actions are one of
 * few texts (a tunnel to each hypervisor, a port of each local VM, drop),
 * and parsing one is most of the cost of an entry.  Emptied when it holds
 * PARSED_MAX. */
struct parsed_actions {
    struct hmap_node node;      /* In 'parsed', by hash of 'text'. */
    char *text;                 /* As composed. */
    char *canonical;            /* canonical_actions() of it. */
    struct ofpbuf ofpacts;      /* The same, parsed. */
};
static struct hmap parsed = HMAP_INITIALIZER(&parsed);
#define PARSED_MAX 65536

static void
parsed_clear(void)
{
    struct parsed_actions *pa;

    HMAP_FOR_EACH_POP (pa, node, &parsed) {
        free(pa->text);
        free(pa->canonical);
        ofpbuf_uninit(&pa->ofpacts);
        free(pa);
    }
}

/* Like canonical_actions(), through the 'parsed' memo. */
static char *
parse_actions(const char *text, struct ofpbuf *ofpacts)
{
    uint32_t hash = hash_string(text, 0);
    struct parsed_actions *pa;

    HMAP_FOR_EACH_WITH_HASH (pa, node, hash, &parsed) {
        if (!strcmp(pa->text, text)) {
            ofpbuf_put(ofpacts, pa->ofpacts.data, pa->ofpacts.size);
            return xstrdup(pa->canonical);
        }
    }

    char *canonical = canonical_actions(text, ofpacts);
    if (canonical) {
        if (hmap_count(&parsed) >= PARSED_MAX) {
            parsed_clear();
        }
        pa = xmalloc(sizeof *pa);
        pa->text = xstrdup(text);
        pa->canonical = xstrdup(canonical);
        ofpbuf_init(&pa->ofpacts, ofpacts->size);
        ofpbuf_put(&pa->ofpacts, ofpacts->data, ofpacts->size);
        hmap_insert(&parsed, &pa->node, hash);
    }
    return canonical;
}

/* Parses action text 'text' into 'ofpacts' and returns it formatted back,
 * the form a flow read from the switch is formatted in, or NULL (logging
 * why) if it does not parse. */
static char *
canonical_actions(const char *text, struct ofpbuf *ofpacts)
{
    enum ofputil_protocol usable;
    struct ofpact_parse_params pp = {
        .ofpacts = ofpacts,
        .usable_protocols = &usable,
    };
    char *error = ofpacts_parse_actions(text, &pp);
    if (error) {
        VLOG_ERR_RL(&rl, "%s: %s", text, error);
        free(error);
        return NULL;
    }

    struct ds s = DS_EMPTY_INITIALIZER;
    struct ofpact_format_params fp = { .s = &s };
    ofpacts_format(ofpacts->data, ofpacts->size, &fp);
    return ds_steal_cstr(&s);
}

/* Encodes a delete of the entry for 'key' (strict), or, if 'key' is NULL,
 * of every entry whose cookie matches 'cookie'/'cookie_mask'. */
static struct ofpbuf *
encode_delete(const struct pcache_key *key, uint64_t cookie,
              uint64_t cookie_mask, enum ofputil_protocol protocol)
{
    struct match match;
    if (key) {
        key_to_match(key, &match);
    } else {
        match_init_catchall(&match);
    }

    struct ofputil_flow_mod fm = {
        .priority = PL_CACHE_PRIORITY,
        .cookie = htonll(cookie),
        .cookie_mask = htonll(cookie_mask),
        .new_cookie = OVS_BE64_MAX,
        .table_id = PL_POLICY,
        .command = key ? OFPFC_DELETE_STRICT : OFPFC_DELETE,
        .buffer_id = UINT32_MAX,
        .out_port = OFPP_ANY,
        .out_group = OFPG_ANY,
    };
    minimatch_init(&fm.match, &match);
    struct ofpbuf *msg = ofputil_encode_flow_mod(&fm, protocol);
    minimatch_destroy(&fm.match);
    return msg;
}

/* Appends to 'actions' the expansion of the extension action
 * "mac_in_ip(remote='remote',port='port')": out the keyless GRE port to
 * 'remote', no key.  Returns false, logging why, if it does not expand. */
static bool
put_mac_in_ip(ovs_be32 remote, ofp_port_t port, struct ds *actions)
{
    char *flow = xasprintf("actions=mac_in_ip(remote="IP_FMT",port=%"PRIu16
                           ")", IP_ARGS(remote), ofp_to_u16(port));
    struct svec expanded = SVEC_EMPTY_INITIALIZER;
    char *error = ofext_expand_flow(flow, NULL, &expanded);
    bool ok = !error && expanded.n == 1
              && !strncmp(expanded.names[0], "actions=", 8);

    if (ok) {
        ds_put_cstr(actions, expanded.names[0] + 8);
    } else {
        VLOG_WARN_RL(&rl, "%s: %s", flow, error ? error : "bad expansion");
    }
    free(error);
    svec_destroy(&expanded);
    free(flow);
    return ok;
}
