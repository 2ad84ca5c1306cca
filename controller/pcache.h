/*
 * pcache: the controller's record of one vswitch's policy cache.
 *
 * A vswitch caches policy resolutions as flows in PL_POLICY
 * (ofproto-ext/pipeline.h), keyed by (network, source domain, destination
 * IPv4 address), each with hard_timeout = the policy's TTL and a cookie
 * that names the policy, its tracking number and the destination
 * endpoint.  The first packet that misses goes to the controller, which
 * resolves it (lib/dt-dps) and installs the entry (pcache_install()).
 *
 * The controller remembers every entry it installed on every switch, so
 * that when the database changes it can find exactly the entries whose
 * resolution is no longer what the policy service would answer
 * (pcache_revalidate()) and delete exactly those, on exactly the switches
 * that hold them: with one cookie/mask delete where every entry of a
 * policy, or of a destination endpoint, on that switch is affected, and a
 * strict delete per entry otherwise.  Entries expire on the switch by
 * themselves (OVS hard timeouts); the record forgets them a little later
 * (pcache_expire()).  A restarted controller reads the switch's entries
 * back (pcache_adopt()) and checks them the same way, so nothing stale
 * survives a restart and nothing valid is thrown away.
 */
#ifndef CONTROLLER_PCACHE_H
#define CONTROLLER_PCACHE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/dt-dps.h"
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/types.h"

struct ds;
struct ofputil_flow_stats;
struct ovs_list;
struct simap;
struct sset;

/* What a cache entry is for. */
struct pcache_key {
    uint32_t vni;               /* Network. */
    uint32_t domain;            /* Source domain (UUID prefix), or 0. */
    struct in6_addr dst;        /* Destination: IPv6, or IPv4 mapped. */
};

/* The switch a cache belongs to, as far as computing entries goes. */
struct pcache_switch {
    uint64_t dpid;              /* Its datapath id. */
    const struct simap *ports;  /* Port name -> OpenFlow port number. */
    const struct sset *down_ports; /* Names of ports that are down. */
    ofp_port_t tunnel_ports[DT_N_ENCAPS]; /* Its tunnel port for each
                                 * encapsulation, or OFPP_NONE. */
};

/* What an entry should be. */
struct pcache_result {
    enum dps_verdict verdict;   /* DPS_FORWARD or DPS_DENY. */
    uint64_t cookie;            /* pl_cookie(). */
    uint32_t ttl;               /* Seconds. */
    const char *actions;        /* Canonical action text ("drop" for
                                 * deny), the cache's shared copy. */
    struct ofpbuf ofpacts;      /* The same actions, parsed: read only,
                                 * valid until the next pcache_compute()
                                 * or pcache_result_init(). */
};

struct pcache_queue;

/* One entry the switch holds. */
struct pcache_entry {
    uint32_t hash;              /* Of 'key', for struct pcache's index. */
    uint32_t id;                /* Its number in the pool of entries, by
                                 * which the index names it. */
    struct pcache_key key;
    uint64_t cookie;
    uint32_t ttl;               /* Seconds. */
    const char *actions;        /* Canonical action text, shared. */
    long long int expires;      /* When the switch drops it (msec). */

    /* Where it waits to expire: in its TTL's queue, at 'queue_pos', or
     * (with 'queue' NULL) in 'adopted' or alone if it never expires, by
     * 'expiry_node' (which also links the free entries). */
    struct pcache_queue *queue;
    uint64_t queue_pos;
    struct ovs_list expiry_node;
};

/* Counters, per switch. */
struct pcache_stats {
    unsigned long long int misses;      /* Policy misses handled. */
    unsigned long long int installs;    /* Entries installed. */
    unsigned long long int denies;      /* ...of which drops. */
    unsigned long long int hits_after_install; /* Misses for an entry
                                         * already installed (the packet
                                         * raced its flow). */
    unsigned long long int unknown;     /* Misses for no known endpoint. */
    unsigned long long int invalidated; /* Entries deleted as wrong. */
    unsigned long long int invalidation_msgs; /* Delete flow_mods sent. */
    unsigned long long int expired;     /* Entries timed out. */
    unsigned long long int adopted;     /* Entries read back. */
};

/* How long after its hard timeout an entry is forgotten: the switch
 * expires flows on its own clock, a little after the controller's. */
#define EXPIRY_GRACE_MSEC 2000

/* The most slots struct pcache's index has (256 kB of them). */
#define PCACHE_INDEX_MAX_SLOTS 32768

/* A slot of struct pcache's index: an entry and its key's hash, in 8
 * bytes, so that a cache line holds 8 slots. */
struct pcache_slot {
    uint32_t hash;
    uint32_t entry;             /* The entry's 'id'; 0 if the slot is
                                 * free. */
};

struct pcache {
    /* The entries whose TTL has not passed, by key, for a miss whose
     * packet raced its flow (pcache_find()): a table of cache lines of 8
     * slots, a key's slot anywhere in the line its hash picks, so that a
     * lookup reads one line and, unless it finds its key, no entry.
     *
     * The table is at most PCACHE_INDEX_MAX_SLOTS (256 kB): what every
     * request reads at random stays in the CPU's caches, where a table of
     * every entry (tens of megabytes a switch under load) made each
     * request wait for memory twice, once to insert and once to remove
     * (Documentation/performance.rst, item 27).  Below that size it
     * grows when it would be more than a quarter full or a line is full,
     * and holds every entry (but for one that two lines halved into one
     * cannot hold, about once in a million lines).  At that size a full
     * line gives up one of its slots to the new entry: the entry that
     * loses it stays in its queue (it is still remembered, expires and is
     * revalidated) but is no longer found, and a miss for its key installs
     * it again, a second entry for the same key.  At the rates that fill
     * the table a slot lasts tens of milliseconds, far longer than a
     * packet races its flow. */
    struct pcache_slot *slots;
    size_t slot_mask;           /* Number of slots - 1 (a power of 2, at
                                 * least 8). */
    size_t n_entries;           /* Whose TTL has not passed, in the index
                                 * or not. */
    size_t n_expired;           /* Their TTL passed, and remembered until
                                 * the grace ends (see struct
                                 * pcache_queue). */
    unsigned int next_victim;   /* Slot of a full line to give up next. */

    struct hmap queues;         /* struct pcache_queue, by TTL: the entries
                                 * installed with that TTL, in the order
                                 * they expire. */
    struct pcache_queue *last_queue; /* The one last installed to, or
                                 * NULL: most entries share one TTL. */
    struct ovs_list adopted;    /* Entries read from the switch, which
                                 * expire in no particular order (or
                                 * never)... */
    long long int adopted_scan; /* ...so are looked at once a second:
                                 * next at this time. */
    struct pcache_stats stats;
};

void pcache_init(struct pcache *);
void pcache_destroy(struct pcache *);
void pcache_clear(struct pcache *);
size_t pcache_count(const struct pcache *);
size_t pcache_pool_bytes(void);

bool pcache_compute(const struct dps *, const struct pcache_switch *,
                    const struct dps_network *,
                    const struct pcache_key *, uint32_t dst_hash,
                    struct pcache_result *);
bool pcache_result_init(struct pcache_result *, enum dps_verdict,
                        uint64_t cookie, uint32_t ttl, const char *actions);
void pcache_result_uninit(struct pcache_result *);

uint32_t pcache_key_hash(const struct pcache_key *);
void pcache_prefetch(const struct pcache *, uint32_t hash);
const struct pcache_entry *pcache_find(const struct pcache *,
                                       const struct pcache_key *,
                                       uint32_t hash, long long int now);
void pcache_install(struct pcache *, const struct pcache_key *,
                    uint32_t hash, const struct pcache_result *,
                    enum ofputil_protocol, long long int now,
                    struct ofpbuf *out);
void pcache_put_packet_out(const struct pcache_result *, ofp_port_t in_port,
                           const void *packet, size_t len,
                           enum ofputil_protocol, struct ofpbuf *out);
void pcache_adopt(struct pcache *, const struct ofputil_flow_stats *,
                  long long int now);
size_t pcache_revalidate(struct pcache *, const struct dps *,
                         const struct pcache_switch *,
                         enum ofputil_protocol, struct ovs_list *msgs);
long long int pcache_next_expiry(const struct pcache *, long long int now);
void pcache_expire(struct pcache *, long long int now);

bool pcache_location_actions(const struct pcache_switch *,
                             const struct dps_network *,
                             uint64_t dpid, ovs_be32 tunnel_ip,
                             const char *port, const struct eth_addr *mac,
                             struct ds *actions);
void pcache_format(const struct pcache *, long long int now, struct ds *);

#endif /* controller/pcache.h */
