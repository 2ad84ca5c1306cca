/*
 * pcache: the controller's record of a vswitch's policy cache.  See
 * pcache.h.
 */
#include <config.h>
#include "controller/pcache.h"
#include "controller/pcache-private.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "coverage.h"
#include "flow.h"
#include "hash.h"
#include "lib/dt-hash.h"
#include "ofproto-ext/actions.h"
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
COVERAGE_DEFINE(pcache_index_evict);

/* The record keeps an entry this long after the switch should have
 * dropped it: OVS checks hard timeouts about once a second, and an entry
 * forgotten too early could escape an invalidation. */

/* OpenFlow's hard_timeout is 16 bits: a longer TTL is cut to this. */
#define MAX_HARD_TIMEOUT UINT16_MAX

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

static struct pcache_entry *entry_lookup(const struct pcache *,
                                         const struct pcache_key *,
                                         uint32_t hash);
static struct pcache_entry *entry_get(struct pcache *, uint32_t hash,
                                      const struct pcache_key *);
static bool key_equals(const struct pcache_key *,
                       const struct pcache_key *);
static void entry_remove(struct pcache *, struct pcache_entry *);
static struct pcache_entry *entry_alloc(void);
static struct pcache_entry *entry_by_id(uint32_t id);
static void entry_free(struct pcache_entry *);
static void id_free(uint32_t id);
static struct pcache_slot *slots_alloc(size_t n);
static void slots_free(struct pcache_slot *);
static char *canonical_actions(const char *text, struct ofpbuf *ofpacts);
static const struct parsed_actions *parse_actions(const char *text);
static const char *actions_intern(const char *text);

/* The entries installed with one TTL, in the order they expire (an entry
 * installed again goes to the back): records, each with what expiry
 * needs of its entry (number, hash, expiry time, actions), so that expiry
 * reads the records in order, in memory it streams through, knows the
 * index slots it will touch far enough ahead to prefetch them, and never
 * reads the entries themselves (a linked list of the entries cost a cache
 * miss per entry, one after another, a sixth of the controller's time
 * under load; reading each entry, prefetched, still a tenth).
 *
 * The records are numbered on from 0 (never wrapping) and kept in blocks
 * of QUEUE_BLOCK_RECORDS: record 'pos' is in block 'pos >>
 * QUEUE_BLOCK_SHIFT'.  Blocks come from a free list shared by every
 * queue and go back to it when expiry has passed them, so a queue never
 * copies its records to grow and, once the cache has reached its size,
 * takes no memory new to the process. */
struct pcache_queue {
    struct hmap_node node;      /* In struct pcache 'queues', by TTL. */
    uint32_t ttl;
    struct expiry_record **blocks; /* Block 'k' at 'blocks[k & mask]'... */
    size_t mask;                   /* ...('mask' + 1 a power of 2). */
    uint64_t head, tail;        /* The queue: records 'head' to 'tail'.
                                 * The one at 'head' is live unless the
                                 * queue is empty; later ones whose entry
                                 * left have 'id' 0. */
    uint64_t live;              /* Records from 'head' to this one are
                                 * expired: their entries are out of the
                                 * index, remembered only so that
                                 * invalidation still deletes what the
                                 * switch may hold, until
                                 * EXPIRY_GRACE_MSEC after their expiry.
                                 * Never below 'head'. */
};

struct expiry_record {
    uint32_t id;                /* The entry's 'id'; 0 if it left. */
    uint32_t hash;              /* The entry's 'hash'... */
    long long int expires;      /* ...'expires'... */
    const char *actions;        /* ...and 'actions', whose reference the
                                 * record holds while the entry waits. */
};

#define QUEUE_BLOCK_SHIFT 12
#define QUEUE_BLOCK_RECORDS (1u << QUEUE_BLOCK_SHIFT)
#define QUEUE_MIN_BLOCKS 4

/* How far ahead expiry prefetches the index lines of the entries it
 * removes (at 8, the first read of each line was still nearly all of
 * index_remove()'s samples: Documentation/performance.rst, item 33). */
#define EXPIRY_PREFETCH 16

static void queue_push(struct pcache_queue *, struct pcache_entry *);
static void queue_advance(struct pcache_queue *);
static struct expiry_record *queue_record(const struct pcache_queue *,
                                          uint64_t pos);
static void queue_destroy(struct pcache_queue *);
static void entry_unqueue(struct pcache_entry *);
/* Action texts already parsed: a policy cache entry's actions are one of
 * few texts (a tunnel to each hypervisor, a port of each local VM, drop),
 * and parsing one is most of the cost of an entry.  Emptied when it holds
 * PARSED_MAX. */
struct parsed_actions {
    struct hmap_node node;      /* In 'parsed', by hash of 'text'. */
    char *text;                 /* As composed. */
    const char *canonical;      /* canonical_actions() of it, shared. */
    struct ofpbuf ofpacts;      /* The same, parsed. */
};
/* How a packet from a switch reaches a destination, as
 * pcache_location_actions() describes: all its action text is made of.
 * Also the key of 'ways', the memo of that text, parsed: finding the way
 * and then its memo costs a fraction of composing the text and looking
 * that up.  No padding, so that it hashes and compares as bytes. */
enum way_kind {
    WAY_DROP,                   /* Denied. */
    WAY_LOCAL,                  /* Out of port 'n', with 'mac' if 'has_mac'. */
    WAY_SARP,                   /* Through the SARP stage, network 'n'. */
    WAY_TUNNEL,                 /* VNI 'n' to 'tunnel_ip' by 'tunnel_port'. */
    WAY_GRE,                    /* Keyless GRE, the same. */
};
struct way {
    uint8_t kind;               /* enum way_kind. */
    uint8_t has_mac;
    uint16_t tunnel_port;
    uint32_t n;
    ovs_be32 tunnel_ip;
    struct eth_addr mac;
    uint16_t pad;               /* Zero. */
};
BUILD_ASSERT_DECL(sizeof(struct way) == 20);
struct way_memo {
    struct hmap_node node;      /* In 'ways', by hash of 'way'. */
    struct way way;
    const struct parsed_actions *pa;
};
static struct hmap ways = HMAP_INITIALIZER(&ways);
#define WAYS_MAX 65536
static const struct parsed_actions *drop_actions; /* WAY_DROP's, once
                                                  * asked for, until
                                                  * ways_clear(). */
static bool location_way(const struct pcache_switch *,
                         const struct dps_network *, uint64_t dpid,
                         ovs_be32 tunnel_ip, const char *port,
                         const struct eth_addr *mac, struct way *);
static bool way_format(const struct way *, struct ds *);
static const struct parsed_actions *way_actions(const struct way *);
static void ways_clear(void);
static void result_init(struct pcache_result *, enum dps_verdict,
                        uint64_t cookie, uint32_t ttl,
                        const struct parsed_actions *);
static struct pcache_queue *queue_for(struct pcache *, uint32_t ttl);
static void expire(struct pcache *, struct pcache_entry *);
static void unindex_record(struct pcache *, struct expiry_record *);
static void forget_record(struct pcache *, struct pcache_queue *,
                          struct expiry_record *);
static bool put_mac_in_ip(ovs_be32 remote, ofp_port_t port,
                          struct ds *actions);
static struct ofpbuf *encode_delete(const struct pcache_key *,
                                    uint64_t cookie, uint64_t cookie_mask,
                                    enum ofputil_protocol);

#define MIN_SLOTS 16

/* Slots to a line of the index (a cache line of them). */
#define LINE_SLOTS 8
BUILD_ASSERT_DECL(LINE_SLOTS * sizeof(struct pcache_slot) == CACHE_LINE_SIZE);

/* The index grows to twice its slots when it would be more than a quarter
 * full, and shrinks by halves while it is less than a sixteenth full. */
#define INDEX_MIN_SLOTS_PER_ENTRY 4
#define INDEX_SHRINK_SLOTS_PER_ENTRY 16

/* An entry's number, from FIRST_ID up: 0 is a free slot. */
#define SLOT_FREE 0
#define FIRST_ID 1

static void index_rehash(struct pcache *, size_t n_slots);

void
pcache_init(struct pcache *pc)
{
    pc->slots = slots_alloc(MIN_SLOTS);
    pc->slot_mask = MIN_SLOTS - 1;
    pc->n_entries = 0;
    pc->n_expired = 0;
    pc->next_victim = 0;
    hmap_init(&pc->queues);
    pc->last_queue = NULL;
    ovs_list_init(&pc->adopted);
    pc->adopted_scan = 0;
    memset(&pc->stats, 0, sizeof pc->stats);
}

void
pcache_destroy(struct pcache *pc)
{
    if (pc) {
        pcache_clear(pc);
        slots_free(pc->slots);

        struct pcache_queue *q;
        HMAP_FOR_EACH_POP (q, node, &pc->queues) {
            queue_destroy(q);
        }
        hmap_destroy(&pc->queues);
        pc->last_queue = NULL;
    }
}

/* Forgets every entry (the statistics stay). */
void
pcache_clear(struct pcache *pc)
{
    struct pcache_queue *q;
    struct pcache_entry *e;

    HMAP_FOR_EACH (q, node, &pc->queues) {
        /* The record at 'head', unless the queue is empty, has an
         * entry. */
        while (q->head < q->tail) {
            struct expiry_record *rec = queue_record(q, q->head);
            if (q->head < q->live) {
                forget_record(pc, q, rec);
            } else {
                entry_remove(pc, entry_by_id(rec->id));
            }
        }
    }
    LIST_FOR_EACH_SAFE (e, expiry_node, &pc->adopted) {
        entry_remove(pc, e);
    }
    ovs_assert(!pc->n_entries && !pc->n_expired);

    slots_free(pc->slots);
    pc->slots = slots_alloc(MIN_SLOTS);
    pc->slot_mask = MIN_SLOTS - 1;
}

/* Returns the entries 'pc' remembers: those whose TTL has not passed, and
 * those whose TTL has passed but whose grace has not.  A key installed
 * again after the index gave up its entry's slot (see struct pcache)
 * counts twice until the older entry is forgotten. */
size_t
pcache_count(const struct pcache *pc)
{
    return pc->n_entries + pc->n_expired;
}

/* The index. */

/* Memory for 'n' zeroed slots, aligned to a cache line. */
static struct pcache_slot *
slots_alloc(size_t n)
{
    return xzalloc_cacheline(n * sizeof(struct pcache_slot));
}

/* Frees 'slots' (nullable). */
static void
slots_free(struct pcache_slot *slots)
{
    free_cacheline(slots);
}

/* The first slot of the line of 'pc''s index where the key whose hash is
 * 'hash' goes. */
static struct pcache_slot *
index_line(const struct pcache *pc, uint32_t hash)
{
    return &pc->slots[hash & pc->slot_mask & ~(size_t) (LINE_SLOTS - 1)];
}

/* Puts the entry with 'id', whose hash is 'hash', in a free slot of its
 * line, and returns true; or returns false if the line is full. */
static bool
slots_put(struct pcache *pc, uint32_t hash, uint32_t id)
{
    struct pcache_slot *line = index_line(pc, hash);

    for (size_t i = 0; i < LINE_SLOTS; i++) {
        if (line[i].entry == SLOT_FREE) {
            line[i].hash = hash;
            line[i].entry = id;
            return true;
        }
    }
    return false;
}

/* Puts the entry with 'id', whose hash is 'hash', in a slot of its full
 * line, in place of the entry there (see struct pcache). */
static void
slots_evict(struct pcache *pc, uint32_t hash, uint32_t id)
{
    struct pcache_slot *slot
        = &index_line(pc, hash)[pc->next_victim++ % LINE_SLOTS];
    slot->hash = hash;
    slot->entry = id;
    COVERAGE_INC(pcache_index_evict);
}

/* Makes the index 'n_slots' slots (a power of 2, from MIN_SLOTS to
 * PCACHE_INDEX_MAX_SLOTS), moving its entries over.  Doubling splits each
 * line in two, so no line overflows; halving merges lines, which at the
 * load a shrink leaves (at most an eighth full) hardly ever overflows, and
 * then gives up a slot. */
static void
index_rehash(struct pcache *pc, size_t n_slots)
{
    struct pcache_slot *old = pc->slots;
    size_t n_old = pc->slot_mask + 1;

    pc->slots = slots_alloc(n_slots);
    pc->slot_mask = n_slots - 1;
    for (size_t i = 0; i < n_old; i++) {
        if (old[i].entry != SLOT_FREE
            && !slots_put(pc, old[i].hash, old[i].entry)) {
            slots_evict(pc, old[i].hash, old[i].entry);
        }
    }
    slots_free(old);
}

/* Puts the entry with 'id', whose hash is 'hash', in the index, which
 * grows first if it would be more than a quarter full, or if the entry's
 * line is full, and may; at its largest, a full line gives up a slot (see
 * struct pcache).  (The caller has the two in registers: read back from
 * the entry just written, as one 8-byte load from two 4-byte stores, they
 * waited for the stores to retire.) */
static void
index_insert(struct pcache *pc, uint32_t hash, uint32_t id)
{
    pc->n_entries++;
    for (;;) {
        size_t n_slots = pc->slot_mask + 1;
        bool may_grow = n_slots < PCACHE_INDEX_MAX_SLOTS;
        if (may_grow && INDEX_MIN_SLOTS_PER_ENTRY * pc->n_entries > n_slots) {
            index_rehash(pc, 2 * n_slots);
        } else if (slots_put(pc, hash, id)) {
            return;
        } else if (may_grow) {
            index_rehash(pc, 2 * n_slots);
        } else {
            slots_evict(pc, hash, id);
            return;
        }
    }
}

/* Takes the entry with 'id', whose hash is 'hash', out of the index, if it
 * has a slot there. */
static void
index_remove(struct pcache *pc, uint32_t hash, uint32_t id)
{
    struct pcache_slot *line = index_line(pc, hash);

    for (size_t i = 0; i < LINE_SLOTS; i++) {
        if (line[i].entry == id) {
            line[i].entry = SLOT_FREE;
            break;
        }
    }
    pc->n_entries--;

    /* Give back memory after a burst. */
    size_t n_slots = pc->slot_mask + 1;
    if (n_slots > MIN_SLOTS
        && pc->n_entries * INDEX_SHRINK_SLOTS_PER_ENTRY < n_slots) {
        do {
            n_slots /= 2;
        } while (n_slots > MIN_SLOTS
                 && pc->n_entries * INDEX_SHRINK_SLOTS_PER_ENTRY < n_slots);
        index_rehash(pc, n_slots);
    }
}

/* Computes into '*r' the entry switch 'sw' should hold for 'key' (whose
 * destination's dps_ip_hash() is 'dst_hash'), from the policy service
 * 'dps', in which 'net' is the network of the key's VNI
 * (dps_find_network_by_vni(), looked up once by a caller that also
 * prefetches from it), or NULL if there is none.  Returns false, leaving
 * '*r' uninitialized, if nothing should be cached: the network or
 * destination is unknown, or the destination cannot be reached from 'sw'
 * (not located, its port not there yet, no tunnel).  On success the
 * caller must pcache_result_uninit(r). */
bool
pcache_compute(const struct dps *dps, const struct pcache_switch *sw,
               const struct dps_network *net,
               const struct pcache_key *key, uint32_t dst_hash,
               struct pcache_result *r)
{
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
    dps_resolve_ip_from_domain(dps, net, domain, &key->dst, dst_hash, &res);
    if (res.verdict == DPS_UNKNOWN) {
        return false;
    }

    struct way way;
    const struct parsed_actions *pa;
    if (res.verdict == DPS_DENY) {
        /* Nearly every answer, in a fabric whose default is deny: its
         * actions without hashing a way. */
        if (!drop_actions) {
            memset(&way, 0, sizeof way);
            way.kind = WAY_DROP;
            drop_actions = way_actions(&way);
        }
        pa = drop_actions;
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
        if (!location_way(sw, net, dpid, tunnel_ip, port,
                          has_mac ? &dst_mac : NULL, &way)) {
            return false;
        }
        pa = way_actions(&way);
    }
    if (!pa) {
        return false;
    }

    uint32_t policy = res.policy ? dps_policy_uuid(res.policy)->parts[0] : 0;
    result_init(r, res.verdict,
                pl_cookie(policy, res.tracking_number, res.dst_uuid0),
                MIN(res.ttl, MAX_HARD_TIMEOUT), pa);
    return true;
}

/* Initializes '*r' with the rest and 'actions' (ovs-ofctl syntax), which
 * it parses, or returns false, logging why, if they do not parse. */
bool
pcache_result_init(struct pcache_result *r, enum dps_verdict verdict,
                   uint64_t cookie, uint32_t ttl, const char *actions)
{
    const struct parsed_actions *pa = parse_actions(actions);
    if (!pa) {
        return false;
    }
    result_init(r, verdict, cookie, ttl, pa);
    return true;
}

static void
result_init(struct pcache_result *r, enum dps_verdict verdict,
            uint64_t cookie, uint32_t ttl, const struct parsed_actions *pa)
{
    r->verdict = verdict;
    r->cookie = cookie;
    r->ttl = ttl;
    r->actions = pcache_actions_ref(pa->canonical);
    ofpbuf_use_const(&r->ofpacts, pa->ofpacts.data, pa->ofpacts.size);
}

void
pcache_result_uninit(struct pcache_result *r)
{
    pcache_actions_unref(r->actions);
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
    struct way way;
    return (location_way(sw, net, dpid, tunnel_ip, port, mac, &way)
            && way_format(&way, actions));
}

/* Finds the way from 'sw' to a location as pcache_location_actions()
 * describes, into '*way'.  Returns false if there is none. */
static bool
location_way(const struct pcache_switch *sw, const struct dps_network *net,
             uint64_t dpid, ovs_be32 tunnel_ip, const char *port,
             const struct eth_addr *mac, struct way *way)
{
    memset(way, 0, sizeof *way);
    if (!dpid) {
        return false;
    }
    if (dpid == sw->dpid) {
        const struct simap_node *node = port ? simap_find(sw->ports, port)
                                             : NULL;
        if (!node || sset_contains(sw->down_ports, port)) {
            return false;
        }
        way->kind = WAY_LOCAL;
        way->n = node->data;
        if (mac) {
            way->has_mac = true;
            way->mac = *mac;
        }
        return true;
    }
    if (dps_network_is_sarp(net)) {
        way->kind = WAY_SARP;
        way->n = dps_network_vni(net);
        return true;
    }
    enum dt_encap encap = dps_network_encap(net);
    ofp_port_t tunnel_port = sw->tunnel_ports[encap];
    if (!tunnel_ip || tunnel_port == OFPP_NONE) {
        return false;
    }
    way->kind = encap == DT_ENCAP_GRE ? WAY_GRE : WAY_TUNNEL;
    way->n = dps_network_vni(net);
    way->tunnel_ip = tunnel_ip;
    way->tunnel_port = ofp_to_u16(tunnel_port);
    return true;
}

/* Appends the action text of 'way' to 'actions'.  Returns false if it
 * cannot be composed. */
static bool
way_format(const struct way *way, struct ds *actions)
{
    switch ((enum way_kind) way->kind) {
    case WAY_DROP:
        ds_put_cstr(actions, "drop");
        return true;

    case WAY_LOCAL:
        /* The VM's own MAC back, if asked, and then through the delivery
         * stage, which knows how each port is reached (a VM behind a trunk
         * needs its VLAN tag), and only while the port is live. */
        if (way->has_mac) {
            ds_put_format(actions, "set_field:"ETH_ADDR_FMT"->eth_dst,",
                          ETH_ADDR_ARGS(way->mac));
        }
        ds_put_format(actions, PL_LOAD_LIVE_PORT",resubmit(,%d)",
                      way->n, PL_DELIVER);
        return true;

    case WAY_SARP:
        /* Across the L2 interconnect, through this edge's SARP cache
         * (controller/sarp.h), which knows the remote edge's MAC.  The
         * network into the metadata for a packet-out. */
        ds_put_format(actions, "set_field:%"PRIu32"->"PL_NETWORK_FIELD","
                      "resubmit(,%d)", way->n, PL_SARP);
        return true;

    case WAY_GRE:
        return put_mac_in_ip(way->tunnel_ip, u16_to_ofp(way->tunnel_port),
                             actions);

    case WAY_TUNNEL:
        ds_put_format(actions, "set_field:%"PRIu32"->tun_id,set_field:"
                      IP_FMT"->tun_dst,output:%"PRIu32, way->n,
                      IP_ARGS(way->tunnel_ip), way->tunnel_port);
        return true;
    }
    OVS_NOT_REACHED();
}

/* Returns the parsed actions of 'way', composing and parsing them only the
 * first time, or NULL if they cannot be composed or do not parse.  Valid
 * until the next call. */
static const struct parsed_actions *
way_actions(const struct way *way)
{
    uint32_t hash = hash_bytes(way, sizeof *way, 0);
    struct way_memo *m;

    HMAP_FOR_EACH_WITH_HASH (m, node, hash, &ways) {
        if (!memcmp(&m->way, way, sizeof *way)) {
            return m->pa;
        }
    }

    struct ds text = DS_EMPTY_INITIALIZER;
    const struct parsed_actions *pa = (way_format(way, &text)
                                       ? parse_actions(ds_cstr(&text))
                                       : NULL);
    ds_destroy(&text);
    if (pa) {
        if (hmap_count(&ways) >= WAYS_MAX) {
            ways_clear();
        }
        m = xmalloc(sizeof *m);
        m->way = *way;
        m->pa = pa;
        hmap_insert(&ways, &m->node, hash);
    }
    return pa;
}

static void
ways_clear(void)
{
    struct way_memo *m;

    HMAP_FOR_EACH_POP (m, node, &ways) {
        free(m);
    }
    drop_actions = NULL;
}

/* Returns the hash of 'key' that pcache_prefetch(), pcache_find() and
 * pcache_install() take, so that a caller who calls them in turn for one
 * key hashes it once. */
uint32_t
pcache_key_hash(const struct pcache_key *key)
{
    uint64_t dst[2];

    memcpy(dst, &key->dst, sizeof dst);
    return dt_hash_3words64(((uint64_t) key->vni << 32) | key->domain,
                            dst[0], dst[1]);
}

/* Prefetches into the CPU cache the slots of 'pc''s index that a lookup of
 * a key whose pcache_key_hash() is 'hash' reads first: for a caller with
 * a batch of keys to look up, which prefetches them all first so that the
 * cache misses overlap. */
void
pcache_prefetch(const struct pcache *pc, uint32_t hash)
{
    OVS_PREFETCH(index_line(pc, hash));
}

/* Returns the entry for 'key', whose pcache_key_hash() is 'hash', that has
 * not expired by 'now', or NULL. */
const struct pcache_entry *
pcache_find(const struct pcache *pc, const struct pcache_key *key,
            uint32_t hash, long long int now)
{
    const struct pcache_entry *e = entry_lookup(pc, key, hash);
    return e && e->expires > now ? e : NULL;
}

/* Records that 'key', whose pcache_key_hash() is 'hash', is cached as 'r'
 * from 'now' on, and appends to 'out' the flow_mod that installs it,
 * encoded for 'protocol'. */
void
pcache_install(struct pcache *pc, const struct pcache_key *key,
               uint32_t hash, const struct pcache_result *r,
               enum ofputil_protocol protocol, long long int now,
               struct ofpbuf *out)
{
    struct pcache_entry *e = entry_get(pc, hash, key);

    e->cookie = r->cookie;
    e->ttl = r->ttl;
    e->actions = pcache_actions_ref(r->actions);
    e->expires = now + r->ttl * 1000LL;
    queue_push(queue_for(pc, r->ttl), e);
    COVERAGE_INC(pcache_install);
    pc->stats.installs++;
    if (r->verdict == DPS_DENY) {
        pc->stats.denies++;
    }

    pcache_encode_install(key, r, protocol, out);
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

    struct pcache_entry *e = entry_get(pc, pcache_key_hash(&key), &key);
    struct ds actions = DS_EMPTY_INITIALIZER;
    struct ofpact_format_params fp = { .s = &actions };
    ofpacts_format(fs->ofpacts, fs->ofpacts_len, &fp);
    e->actions = actions_intern(ds_cstr(&actions));
    ds_destroy(&actions);
    e->cookie = ntohll(fs->cookie);
    e->ttl = fs->hard_timeout;
    e->expires = (fs->hard_timeout
                  ? now + (fs->hard_timeout - MIN(fs->duration_sec,
                                                  fs->hard_timeout)) * 1000LL
                  : LLONG_MAX);
    ovs_list_push_back(&pc->adopted, &e->expiry_node);
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

/* Returns the entry of record 'rec', which must lie before its queue's
 * 'live', if it is expired and remembered and its key was not installed
 * again since (then the switch's flow is the new entry's), or NULL.  (A
 * key installed again whose new entry has since lost its slot in a full
 * index is taken for one not installed again: its old entry is then
 * revalidated too, as is an older entry of a key installed twice within
 * its TTL, which at worst deletes the switch's flow for that key once
 * more than needed, and the next packet asks for it again.) */
static struct pcache_entry *
remembered_entry(const struct pcache *pc, const struct expiry_record *rec)
{
    if (!rec->id) {
        return NULL;
    }
    struct pcache_entry *e = entry_by_id(rec->id);
    return entry_lookup(pc, &e->key, e->hash) ? NULL : e;
}

/* An entry found wrong by pcache_revalidate(): in the index, or expired
 * and remembered by record 'rec' of 'q'. */
struct invalid_entry {
    struct pcache_entry *e;
    struct pcache_queue *q;     /* NULL if in the index. */
    struct expiry_record *rec;
};

/* Checks entry 'e' against what 'dps' answers for its key now, counting it
 * in 'by_policy' and 'by_endpoint', and if it is wrong appends it (with
 * 'q' and 'rec', see struct invalid_entry) to '*invalid'. */
static void
revalidate_entry(const struct dps *dps, const struct pcache_switch *sw,
                 struct pcache_entry *e, struct pcache_queue *q,
                 struct expiry_record *rec,
                 struct hmap *by_policy, struct hmap *by_endpoint,
                 struct invalid_entry **invalid, size_t *n_invalid,
                 size_t *allocated)
{
    struct pcache_result r;
    bool valid = pcache_compute(dps, sw,
                                dps_find_network_by_vni(dps, e->key.vni),
                                &e->key, dps_ip_hash(&e->key.dst), &r);
    if (valid) {
        valid = r.cookie == e->cookie && r.actions == e->actions;
        pcache_result_uninit(&r);
    }

    struct cookie_count *cp = cookie_count_get(by_policy, e->cookie >> 32);
    struct cookie_count *ce = cookie_count_get(by_endpoint,
                                               (uint32_t) e->cookie);
    cp->n++;
    ce->n++;
    if (!valid) {
        cp->n_invalid++;
        ce->n_invalid++;
        if (*n_invalid >= *allocated) {
            *invalid = x2nrealloc(*invalid, allocated, sizeof **invalid);
        }
        (*invalid)[(*n_invalid)++] = (struct invalid_entry) { e, q, rec };
    }
}

/* Checks every entry of 'pc' against what 'dps' now answers for its key,
 * and appends to 'msgs' the deletes (encoded for 'protocol') of exactly
 * the entries that differ (another policy or tracking number, another
 * destination endpoint or location, allow turned deny, or no answer at
 * all), forgetting them.  Where every entry of one policy (and tracking
 * number), or of one destination endpoint, is wrong, one cookie/mask
 * delete removes them all.  Entries whose TTL has passed count too, as
 * long as they are remembered (the switch may not have dropped them yet),
 * unless the same key was installed again since.  Returns the number of
 * entries invalidated. */
size_t
pcache_revalidate(struct pcache *pc, const struct dps *dps,
                  const struct pcache_switch *sw,
                  enum ofputil_protocol protocol, struct ovs_list *msgs)
{
    struct hmap by_policy = HMAP_INITIALIZER(&by_policy);
    struct hmap by_endpoint = HMAP_INITIALIZER(&by_endpoint);
    struct invalid_entry *invalid = NULL;
    size_t n_invalid = 0, allocated = 0;
    struct pcache_queue *q;
    struct pcache_entry *e;

    HMAP_FOR_EACH (q, node, &pc->queues) {
        for (uint64_t pos = q->head; pos < q->tail; pos++) {
            struct expiry_record *rec = queue_record(q, pos);
            if (pos >= q->live) {
                if (rec->id) {
                    revalidate_entry(dps, sw, entry_by_id(rec->id), NULL,
                                     NULL, &by_policy, &by_endpoint,
                                     &invalid, &n_invalid, &allocated);
                }
            } else {
                e = remembered_entry(pc, rec);
                if (e) {
                    revalidate_entry(dps, sw, e, q, rec, &by_policy,
                                     &by_endpoint, &invalid, &n_invalid,
                                     &allocated);
                }
            }
        }
    }
    LIST_FOR_EACH (e, expiry_node, &pc->adopted) {
        revalidate_entry(dps, sw, e, NULL, NULL, &by_policy, &by_endpoint,
                         &invalid, &n_invalid, &allocated);
    }

    for (size_t i = 0; i < n_invalid; i++) {
        e = invalid[i].e;
        struct cookie_count *cp = cookie_count_get(&by_policy,
                                                   e->cookie >> 32);
        struct cookie_count *ce = cookie_count_get(&by_endpoint,
                                                   (uint32_t) e->cookie);
        struct ofpbuf *msg = NULL;

        if (cp->n == cp->n_invalid) {
            if (cp->n) {
                /* Every entry of this policy and tracking number. */
                uint64_t mask = UINT64_C(0xffffffff00000000);
                msg = encode_delete(NULL, e->cookie & mask, mask, protocol);
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
        if (invalid[i].q) {
            forget_record(pc, invalid[i].q, invalid[i].rec);
        } else {
            entry_remove(pc, e);
        }
    }

    free(invalid);
    cookie_counts_destroy(&by_policy);
    cookie_counts_destroy(&by_endpoint);
    return n_invalid;
}

/* Takes out of the index the entries whose TTL has passed by 'now', and
 * forgets those the switch has surely dropped by then (EXPIRY_GRACE_MSEC
 * later): from the head of each TTL's queue, where they are in the order
 * they expire, so that only those that expire are visited; and those read
 * from the switch.  The index holds only entries that may still be found:
 * its lines are the one part of a cache that a request reads at random
 * (see struct pcache). */
void
pcache_expire(struct pcache *pc, long long int now)
{
    struct pcache_queue *q;
    struct pcache_entry *e;

    HMAP_FOR_EACH (q, node, &pc->queues) {
        /* The records whose TTL has passed leave the index, each line
         * prefetched EXPIRY_PREFETCH records ahead. */
        uint64_t pos;
        for (pos = q->live; pos < q->tail; pos++) {
            if (pos + EXPIRY_PREFETCH < q->tail) {
                uint64_t ahead = pos + EXPIRY_PREFETCH;
                OVS_PREFETCH(index_line(pc, queue_record(q, ahead)->hash));
            }
            struct expiry_record *rec = queue_record(q, pos);
            if (rec->id) {
                if (rec->expires > now) {
                    break;
                }
                unindex_record(pc, rec);
            }
        }
        q->live = pos;

        /* The record at 'head', when expired, has an entry. */
        while (q->head < q->live) {
            struct expiry_record *rec = queue_record(q, q->head);
            if (rec->expires + EXPIRY_GRACE_MSEC > now) {
                break;
            }
            COVERAGE_INC(pcache_expire);
            pc->stats.expired++;
            forget_record(pc, q, rec);
        }
    }
    if (now >= pc->adopted_scan) {
        pc->adopted_scan = now + 1000;
        LIST_FOR_EACH_SAFE (e, expiry_node, &pc->adopted) {
            if (e->expires != LLONG_MAX
                && e->expires + EXPIRY_GRACE_MSEC <= now) {
                expire(pc, e);
            }
        }
    }
}

/* Returns when pcache_expire() next has something to do: the first entry
 * of some TTL's queue leaves the index or is forgotten then (a second from
 * 'now' at the latest while entries read from the switch remain), or
 * LLONG_MAX.  (The record at 'live' may be one whose entry left since:
 * the time is then early, and pcache_expire() moves past it.) */
long long int
pcache_next_expiry(const struct pcache *pc, long long int now)
{
    long long int next = (ovs_list_is_empty(&pc->adopted)
                          ? LLONG_MAX : MAX(pc->adopted_scan, now));
    const struct pcache_queue *q;

    HMAP_FOR_EACH (q, node, &pc->queues) {
        if (q->head < q->live) {
            const struct expiry_record *rec = queue_record(q, q->head);
            next = MIN(next, rec->expires + EXPIRY_GRACE_MSEC);
        }
        if (q->live < q->tail) {
            next = MIN(next, queue_record(q, q->live)->expires);
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

/* Takes the entry of queue record 'rec', whose TTL has passed, out of the
 * index, without reading the entry: the record has what it takes.  The
 * entry stays, and the record with it, until forget_record(). */
static void
unindex_record(struct pcache *pc, struct expiry_record *rec)
{
    index_remove(pc, rec->hash, rec->id);
    pc->n_expired++;
}

/* Forgets the entry of record 'rec' of 'q', which unindex_record() took
 * out of the index, and moves the queue on. */
static void
forget_record(struct pcache *pc, struct pcache_queue *q,
              struct expiry_record *rec)
{
    pcache_actions_unref(rec->actions);
    id_free(rec->id);
    rec->id = 0;
    rec->actions = NULL;
    pc->n_expired--;
    queue_advance(q);
}

/* Returns the queue of entries with TTL 'ttl', creating it if need be. */
static struct pcache_queue *
queue_for(struct pcache *pc, uint32_t ttl)
{
    struct pcache_queue *q = pc->last_queue;

    if (q && q->ttl == ttl) {
        return q;
    }
    HMAP_FOR_EACH_WITH_HASH (q, node, hash_int(ttl, 0), &pc->queues) {
        if (q->ttl == ttl) {
            pc->last_queue = q;
            return q;
        }
    }
    q = xmalloc(sizeof *q);
    q->ttl = ttl;
    q->blocks = xmalloc(QUEUE_MIN_BLOCKS * sizeof *q->blocks);
    q->mask = QUEUE_MIN_BLOCKS - 1;
    q->head = q->tail = q->live = 0;
    hmap_insert(&pc->queues, &q->node, hash_int(ttl, 0));
    pc->last_queue = q;
    return q;
}

/* Blocks of records no queue uses, and the bytes of all blocks. */
static struct expiry_record **free_blocks;
static size_t n_free_blocks, allocated_free_blocks;
static size_t block_bytes;

static struct expiry_record *
block_alloc(void)
{
    if (n_free_blocks) {
        return free_blocks[--n_free_blocks];
    }
    block_bytes += QUEUE_BLOCK_RECORDS * sizeof **free_blocks;
    return xmalloc(QUEUE_BLOCK_RECORDS * sizeof **free_blocks);
}

static void
block_free(struct expiry_record *block)
{
    if (n_free_blocks >= allocated_free_blocks) {
        free_blocks = x2nrealloc(free_blocks, &allocated_free_blocks,
                                 sizeof *free_blocks);
    }
    free_blocks[n_free_blocks++] = block;
}

/* Returns record 'pos' of 'q', which must be in a block 'q' holds. */
static struct expiry_record *
queue_record(const struct pcache_queue *q, uint64_t pos)
{
    return &q->blocks[(pos >> QUEUE_BLOCK_SHIFT) & q->mask]
        [pos & (QUEUE_BLOCK_RECORDS - 1)];
}

/* Appends 'e', which must be in no queue, to 'q', where it expires at
 * 'e->expires'. */
static void
queue_push(struct pcache_queue *q, struct pcache_entry *e)
{
    if (!(q->tail & (QUEUE_BLOCK_RECORDS - 1))) {
        /* A new block, for records 'tail' on. */
        uint64_t first = q->head >> QUEUE_BLOCK_SHIFT;
        uint64_t end = q->tail >> QUEUE_BLOCK_SHIFT;
        if (end - first > q->mask) {
            /* Twice the room for blocks, each at its place. */
            size_t mask = 2 * q->mask + 1;
            struct expiry_record **blocks = xmalloc((mask + 1)
                                                    * sizeof *blocks);
            for (uint64_t k = first; k < end; k++) {
                blocks[k & mask] = q->blocks[k & q->mask];
            }
            free(q->blocks);
            q->blocks = blocks;
            q->mask = mask;
        }
        q->blocks[end & q->mask] = block_alloc();
    }

    struct expiry_record *rec = queue_record(q, q->tail);
    rec->id = e->id;
    rec->hash = e->hash;
    rec->expires = e->expires;
    rec->actions = e->actions;  /* The reference goes with it. */
    e->queue = q;
    e->queue_pos = q->tail++;
}

/* Moves 'q''s head past the records whose entry left, giving back the
 * blocks it leaves behind. */
static void
queue_advance(struct pcache_queue *q)
{
    while (q->head < q->tail && !queue_record(q, q->head)->id) {
        q->head++;
        if (!(q->head & (QUEUE_BLOCK_RECORDS - 1))) {
            block_free(q->blocks[((q->head - 1) >> QUEUE_BLOCK_SHIFT)
                                 & q->mask]);
        }
    }
    q->live = MAX(q->live, q->head);
}

/* Frees 'q', whose entries must all be gone. */
static void
queue_destroy(struct pcache_queue *q)
{
    ovs_assert(q->head == q->tail);
    if (q->head & (QUEUE_BLOCK_RECORDS - 1)) {
        /* The block the next record would have gone in. */
        block_free(q->blocks[(q->head >> QUEUE_BLOCK_SHIFT) & q->mask]);
    }
    free(q->blocks);
    free(q);
}

/* Takes 'e' out of its queue (taking back from its record the reference
 * to its actions) or list, if any. */
static void
entry_unqueue(struct pcache_entry *e)
{
    struct pcache_queue *q = e->queue;

    if (q) {
        struct expiry_record *rec = queue_record(q, e->queue_pos);
        ovs_assert(rec->id == e->id && rec->actions == e->actions);
        rec->id = 0;
        rec->actions = NULL;
        e->queue = NULL;
        queue_advance(q);
    } else {
        ovs_list_remove(&e->expiry_node);
    }
    ovs_list_init(&e->expiry_node);
}

/* When 'e' was installed, for telling apart two entries with one key:
 * an entry read from the switch that never expires counts as oldest. */
static long long int
installed_at(const struct pcache_entry *e)
{
    return e->expires == LLONG_MAX ? LLONG_MIN : e->expires - e->ttl * 1000LL;
}

/* Orders by key, and one key's entries by when they were installed. */
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
    int cmp = memcmp(&ka->dst, &kb->dst, sizeof ka->dst);
    if (cmp) {
        return cmp;
    }
    long long int ia = installed_at(*a), ib = installed_at(*b);
    return ia < ib ? -1 : ia > ib;
}

/* Appends to 's' one line per entry, sorted by network, domain and
 * destination: "vni=100 domain=0x1234abcd dst=10.0.0.2
 * cookie=0xd... ttl=60 expires=59s actions=...". */
void
pcache_format(const struct pcache *pc, long long int now, struct ds *s)
{
    size_t n = pcache_count(pc);
    const struct pcache_entry **entries = xmalloc((n ? n : 1)
                                                  * sizeof *entries);
    const struct pcache_queue *q;
    const struct pcache_entry *e;
    size_t i = 0;

    /* The entries whose TTL has not passed, and the expired ones still
     * remembered, unless installed again. */
    HMAP_FOR_EACH (q, node, &pc->queues) {
        for (uint64_t pos = q->head; pos < q->tail; pos++) {
            const struct expiry_record *rec = queue_record(q, pos);
            e = (pos >= q->live
                 ? (rec->id ? entry_by_id(rec->id) : NULL)
                 : remembered_entry(pc, rec));
            if (e) {
                entries[i++] = e;
            }
        }
    }
    LIST_FOR_EACH (e, expiry_node, &pc->adopted) {
        entries[i++] = e;
    }
    n = i;
    qsort(entries, n, sizeof *entries, compare_entries);
    for (i = 0; i < n; i++) {
        e = entries[i];
        if (i + 1 < n && key_equals(&e->key, &entries[i + 1]->key)) {
            /* Installed again after the index gave up its slot: the
             * switch holds the later one. */
            continue;
        }
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

void
pcache_key_to_match(const struct pcache_key *key, struct match *match)
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

static bool
key_equals(const struct pcache_key *a, const struct pcache_key *b)
{
    return (a->vni == b->vni && a->domain == b->domain
            && ipv6_addr_equals(&a->dst, &b->dst));
}

static struct pcache_entry *
entry_lookup(const struct pcache *pc, const struct pcache_key *key,
             uint32_t hash)
{
    const struct pcache_slot *line = index_line(pc, hash);

    for (size_t i = 0; i < LINE_SLOTS; i++) {
        if (line[i].hash == hash && line[i].entry != SLOT_FREE) {
            struct pcache_entry *e = entry_by_id(line[i].entry);
            if (key_equals(&e->key, key)) {
                return e;
            }
        }
    }
    return NULL;
}

/* Returns the entry for 'key', whose hash is 'hash', out of its queue or
 * list and with its actions dropped, if it had one, or a new one in the
 * index. */
static struct pcache_entry *
entry_get(struct pcache *pc, uint32_t hash, const struct pcache_key *key)
{
    struct pcache_entry *e = entry_lookup(pc, key, hash);

    if (e) {
        entry_unqueue(e);       /* Takes back its actions' reference. */
        pcache_actions_unref(e->actions);
        e->actions = NULL;
    } else {
        e = entry_alloc();
        uint32_t id = e->id;
        e->key = *key;
        e->hash = hash;
        ovs_list_init(&e->expiry_node);
        index_insert(pc, hash, id);
    }
    return e;
}

/* Entries are carved from chunks of POOL_CHUNK bytes (on huge pages where
 * the kernel allows) and recycled, for every cache: no allocation per
 * entry, and no page faults as the caches grow and shrink with the load.
 * The chunks are kept for the next burst.  Each entry has a number, its
 * 'id', from FIRST_ID up in the order carved,
 * ENTRIES_PER_CHUNK to a chunk, by which the index names it in 4 bytes
 * (entry_by_id()). */
#define HUGE_PAGE (2 * 1024 * 1024)
#define POOL_CHUNK HUGE_PAGE
#define ENTRY_STRIDE ROUND_UP(sizeof(struct pcache_entry), 8)
#define ENTRIES_PER_CHUNK (POOL_CHUNK / ENTRY_STRIDE)

/* The free entries' ids, first freed first reused: entries expire in about
 * the order they were installed, so they are reused in about that order
 * too, and the entries installed one after another lie one after another
 * in memory, which the CPU streams through (reused last freed first, they
 * were scattered, and each install was a cache miss).  A ring of
 * 'pool_free_mask' + 1 ids (a power of 2), from 'pool_free_head' to
 * 'pool_free_tail'. */
static uint32_t *pool_free;
static size_t pool_free_mask;
static uint64_t pool_free_head, pool_free_tail;

/* How far ahead entry_alloc() prefetches the free entries it will reuse
 * (item 33, as for EXPIRY_PREFETCH). */
#define ALLOC_PREFETCH 8
static char **pool_chunks;              /* Every chunk, in order. */
static size_t n_pool_chunks, allocated_pool_chunks;
static size_t pool_carved;              /* Entries carved in all chunks. */
static size_t pool_bytes;               /* In all chunks. */

static struct pcache_entry *
entry_by_id(uint32_t id)
{
    size_t n = id - FIRST_ID;
    return ALIGNED_CAST(struct pcache_entry *,
                        pool_chunks[n / ENTRIES_PER_CHUNK]
                        + n % ENTRIES_PER_CHUNK * ENTRY_STRIDE);
}

/* Returns the memory the entries of every cache and their expiry queues
 * take, used or not. */
size_t
pcache_pool_bytes(void)
{
    return pool_bytes + block_bytes;
}

static struct pcache_entry *
entry_alloc(void)
{
    struct pcache_entry *e;
    uint32_t id;

    if (pool_free_head < pool_free_tail) {
        id = pool_free[pool_free_head++ & pool_free_mask];
        e = entry_by_id(id);
        if (pool_free_tail - pool_free_head > ALLOC_PREFETCH) {
            uint64_t ahead = pool_free_head + ALLOC_PREFETCH;
            struct pcache_entry *next
                = entry_by_id(pool_free[ahead & pool_free_mask]);
            OVS_PREFETCH_WRITE(next);
            OVS_PREFETCH_WRITE((char *) next + sizeof *next - 1);
        }
    } else {
        if (pool_carved == n_pool_chunks * ENTRIES_PER_CHUNK) {
            ovs_assert(pool_carved + ENTRIES_PER_CHUNK
                       <= UINT32_MAX - FIRST_ID);
            char *chunk = xmalloc_size_align(POOL_CHUNK, POOL_CHUNK);
#ifdef MADV_HUGEPAGE
            madvise(chunk, POOL_CHUNK, MADV_HUGEPAGE);
#endif
            if (n_pool_chunks >= allocated_pool_chunks) {
                pool_chunks = x2nrealloc(pool_chunks, &allocated_pool_chunks,
                                         sizeof *pool_chunks);
            }
            pool_chunks[n_pool_chunks++] = chunk;
            pool_bytes += POOL_CHUNK;
        }
        id = FIRST_ID + pool_carved++;
        e = entry_by_id(id);
    }
    memset(e, 0, sizeof *e);
    e->id = id;
    return e;
}

/* Puts the entry with 'id' back in the pool, without reading it. */
static void
id_free(uint32_t id)
{
    if (!pool_free || pool_free_tail - pool_free_head > pool_free_mask) {
        size_t n = pool_free ? 2 * (pool_free_mask + 1) : 1024;
        uint32_t *ring = xmalloc(n * sizeof *ring);
        for (uint64_t i = pool_free_head; i < pool_free_tail; i++) {
            ring[i & (n - 1)] = pool_free[i & pool_free_mask];
        }
        free(pool_free);
        pool_free = ring;
        pool_free_mask = n - 1;
    }
    pool_free[pool_free_tail++ & pool_free_mask] = id;
}

/* Frees 'e', which must be in no queue. */
static void
entry_free(struct pcache_entry *e)
{
    pcache_actions_unref(e->actions);
    id_free(e->id);
}

static void
entry_remove(struct pcache *pc, struct pcache_entry *e)
{
    entry_unqueue(e);
    index_remove(pc, e->hash, e->id);
    entry_free(e);
}

/* Canonical action texts, one shared copy of each, counted: what cache
 * entries, results and templates hold.  Two copies are the same text if
 * and only if they are the same pointer. */
struct interned_actions {
    struct hmap_node node;      /* In 'interned', by hash of 'text'. */
    size_t refcount;
    char text[];
};
static struct hmap interned = HMAP_INITIALIZER(&interned);

/* Returns the shared copy of 'text', with a reference for the caller. */
static const char *
actions_intern(const char *text)
{
    uint32_t hash = hash_string(text, 0);
    struct interned_actions *ia;

    HMAP_FOR_EACH_WITH_HASH (ia, node, hash, &interned) {
        if (!strcmp(ia->text, text)) {
            ia->refcount++;
            return ia->text;
        }
    }
    size_t len = strlen(text);
    ia = xmalloc(sizeof *ia + len + 1);
    ia->refcount = 1;
    memcpy(ia->text, text, len + 1);
    hmap_insert(&interned, &ia->node, hash);
    return ia->text;
}

/* Returns 'text', a shared copy, with another reference. */
const char *
pcache_actions_ref(const char *text)
{
    CONTAINER_OF(text, struct interned_actions, text)->refcount++;
    return text;
}

/* Drops a reference to shared copy 'text' (if nonnull). */
void
pcache_actions_unref(const char *text)
{
    if (text) {
        struct interned_actions *ia
            = CONTAINER_OF(text, struct interned_actions, text);
        if (!--ia->refcount) {
            hmap_remove(&interned, &ia->node);
            free(ia);
        }
    }
}

static struct hmap parsed = HMAP_INITIALIZER(&parsed);
#define PARSED_MAX 65536

static void
parsed_clear(void)
{
    struct parsed_actions *pa;

    ways_clear();               /* They point into 'parsed'. */
    HMAP_FOR_EACH_POP (pa, node, &parsed) {
        free(pa->text);
        pcache_actions_unref(pa->canonical);
        ofpbuf_uninit(&pa->ofpacts);
        free(pa);
    }
}

/* Returns the memo of action text 'text', parsing it if need be, or NULL
 * (logging why) if it does not parse.  Valid until the next call. */
static const struct parsed_actions *
parse_actions(const char *text)
{
    uint32_t hash = hash_string(text, 0);
    struct parsed_actions *pa;

    HMAP_FOR_EACH_WITH_HASH (pa, node, hash, &parsed) {
        if (!strcmp(pa->text, text)) {
            return pa;
        }
    }

    struct ofpbuf ofpacts;
    ofpbuf_init(&ofpacts, 64);
    char *canonical = canonical_actions(text, &ofpacts);
    if (!canonical) {
        ofpbuf_uninit(&ofpacts);
        return NULL;
    }
    if (hmap_count(&parsed) >= PARSED_MAX) {
        parsed_clear();
    }
    pa = xmalloc(sizeof *pa);
    pa->text = xstrdup(text);
    pa->canonical = actions_intern(canonical);
    pa->ofpacts = ofpacts;
    hmap_insert(&parsed, &pa->node, hash);
    free(canonical);
    return pa;
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
        pcache_key_to_match(key, &match);
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
