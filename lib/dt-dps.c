/*
 * dt-dps: the DOVE Policy Service's resolution, over indexes of its own.
 * See dt-dps.h for what it answers and the rules its callers follow.
 *
 * Layout.  Every object is one malloc'd struct with an embedded hmap_node
 * in its kind's UUID index ('dps->networks', 'dps->endpoints', ...), and
 * objects point at each other directly (an endpoint at its network,
 * domain and hypervisor, a policy at its domains and actions), so
 * resolution follows pointers instead of looking up UUIDs.  Setting an
 * object that exists updates it in place, so those pointers stay valid.
 * The per-network indexes live in 'struct dps_network':
 *
 *     ip4s        each IPv4 address, in an open-addressed index
 *                 (lib/dt-oamap.h) whose slot holds what resolution reads
 *                 of the endpoint with it (see "IPv4 address index")
 *     ips         struct dps_ip, one per (network, vIP) of every other
 *                 address, hashed on the IP, in an open-addressed index
 *     macs        struct dps_endpoint, hashed on the MAC
 *     policies    struct dps_policy, hashed on (src domain, dst domain);
 *                 default policies under (NULL, NULL), with the first one
 *                 cached in 'default_policy'
 *     externals   struct dps_external, longest prefix first
 *
 * Memory.  There are about a million endpoints for a hundred thousand
 * policies, so the endpoint is what is kept small: one struct of 168
 * bytes that embeds the entry of its first IP address (further addresses
 * go into one array), plus one block holding its name and port name
 * together.  'dps->bytes' counts every block the dps allocates as the
 * allocator charges it (see malloc_cost()); dps_get_stats() adds the
 * hmaps' bucket arrays and the address indexes' slots.  With a million
 * endpoints that comes to about 280 bytes per endpoint, all objects and
 * indexes included.
 *
 * Resolution (dps_resolve_ip()) is one hash lookup for the destination
 * address (plus the short external-prefix scan only when that misses),
 * one for the policy, and a walk over the policy's actions.  It reads
 * only and never allocates.  At a million endpoints its time goes almost
 * all to cache misses (the source endpoint, the address's index slots,
 * the destination endpoint, the policy), so the structs put what
 * resolution reads in their first bytes, the address indexes are open
 * addressed (a lookup reads one line of slots and then the entry whose
 * hash matches, never a chain of entries), the policy index is kept at a
 * low load factor (hot_hmap_insert()), and dps_resolve_ip_batch()
 * prefetches, so that the misses of many requests overlap.
 *
 * IPv4 address index.  A policy cache in front of the dps asks about
 * destinations at random, and beside its own millions of entries every
 * endpoint it reads is a cache miss of its own, after the one for the
 * address's slot.  So for IPv4 the slot itself holds what deciding a
 * verdict reads of the destination (struct dps_dst): the slot's hash is a
 * bijection of the address (ip4_key()), so equal hashes mean equal
 * addresses and no entry is read to compare; beside it are the first 32
 * bits of the endpoint's UUID, the endpoint's number in the endpoint slab
 * (dt_slab_id()), its domain's number (struct dps_domain's 'number') and
 * whether it has a location, in the 16 bytes a slot of pointers takes.  A
 * lookup that ends in a deny, the usual answer in a fabric whose default
 * is deny, reads the slot and never the endpoint.  The slots change with
 * the endpoint (endpoint_index()) and its hypervisor
 * (hypervisor_destroy()); a domain's number is fixed while endpoints use
 * it.
 */
#include <config.h>
#include "lib/dt-dps.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "coverage.h"
#include "hash.h"
#include "lib/dt-addr.h"
#include "lib/dt-hash.h"
#include "lib/dt-oamap.h"
#include "lib/dt-slab.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "openvswitch/util.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "util.h"
#include "uuid.h"

VLOG_DEFINE_THIS_MODULE(dt_dps);

COVERAGE_DEFINE(dps_unknown_address);
COVERAGE_DEFINE(dps_unknown_location);
COVERAGE_DEFINE(dps_prefix_scan);
COVERAGE_DEFINE(dps_policy_miss);
COVERAGE_DEFINE(dps_deny);
COVERAGE_DEFINE(dps_hypervisor_detach);

/* A virtual network and the indexes that resolve addresses in it. */
struct dps_network {
    struct hmap_node uuid_node;     /* In dps->networks. */
    struct hmap_node name_node;     /* In dps->networks_by_name. */
    struct uuid uuid;               /* Database row. */
    char *name;                     /* Unique network name. */
    uint32_t vni;                   /* VXLAN network identifier. */
    enum dt_encap encap;            /* Across the underlay. */
    bool sarp;                      /* Fabric mode "sarp"? */

    /* Resolution indexes. */
    const struct dps *dps;          /* The dps it is in. */
    struct oamap ip4s;              /* IPv4 addresses: ip4_slot_value(),
                                     * by ip_hash(). */
    struct oamap ips;               /* Other addresses: struct dps_ip, by
                                     * ip_hash(). */
    struct hmap macs;               /* struct dps_endpoint, by MAC. */
    struct hmap policies;           /* struct dps_policy, by domains. */
    const struct dps_policy *default_policy; /* NULL: implicit default. */
    struct ovs_list externals;      /* struct dps_external, by -plen. */

    /* Counts. */
    size_t n_unaddressed;           /* Endpoints with no IP, not external. */
    size_t n_refs;                  /* Domains, actions, policies and
                                     * endpoints in this network. */
};

/* A hypervisor: where endpoints are. */
struct dps_hypervisor {
    struct hmap_node uuid_node;     /* In dps->hypervisors. */
    struct uuid uuid;               /* Database row. */
    char *name;                     /* Hypervisor name. */
    uint64_t dpid;                  /* Its integration bridge's dpid. */
    ovs_be32 tunnel_ip;             /* Where tunnels to it go. */
    struct ovs_list endpoints;      /* struct dps_endpoint's 'hv_node'. */
};

/* A policy domain. */
struct dps_domain {
    struct hmap_node uuid_node;     /* In dps->domains. */
    struct uuid uuid;               /* Database row. */
    struct dps_network *network;    /* The network it belongs to. */
    char *name;                     /* Domain name, unique in network. */
    uint32_t hash;                  /* Hash of 'uuid', for policy keys. */
    uint32_t number;                /* In dps->domains_by_number, > 0. */
    size_t n_refs;                  /* Policies and endpoints using it. */
};

/* A policy action. */
struct dps_action {
    /* What resolution reads, first. */
    enum dps_action_kind kind;      /* What it does. */
    char *location;                 /* Waypoint appliance, else NULL. */
    char *name;                     /* Action name, unique in network. */

    struct hmap_node uuid_node;     /* In dps->actions. */
    struct uuid uuid;               /* Database row. */
    struct dps_network *network;    /* The network it belongs to. */
    size_t n_refs;                  /* Policies using it. */
};

/* The hash indexes that resolution searches keep a load factor of at most
 * 1 / HOT_HMAP_LOAD_INV: see hot_hmap_insert(). */
#define HOT_HMAP_LOAD_INV 2

/* How many actions a policy keeps inline (most have one or two). */
#define POLICY_INLINE_ACTIONS 2

/* A policy: from one domain to another, or a network's default. */
struct dps_policy {
    /* What resolution reads, in the first 64 bytes. */
    struct hmap_node key_node;      /* In network->policies. */
    struct dps_domain *src_domain;  /* NULL (with 'dst_domain' NULL too)
                                     * for the default policy. */
    struct dps_domain *dst_domain;
    uint64_t tracking_number;       /* The reply's caching terms. */
    uint32_t ttl;                   /* Seconds. */
    uint32_t n_actions;             /* 1 to DPS_MAX_ACTIONS. */
    struct dps_action *inline_actions[POLICY_INLINE_ACTIONS];

    /* The actions if there are more than fit in 'inline_actions'. */
    struct dps_action **heap_actions;

    struct hmap_node uuid_node;     /* In dps->policies. */
    struct uuid uuid;               /* Database row. */
    struct dps_network *network;    /* The network it belongs to. */
};

/* One (network, vIP) -> endpoint entry. */
struct dps_ip {
    struct in6_addr ip;             /* IPv4 mapped into IPv6. */
    struct dps_endpoint *endpoint;  /* The endpoint with 'ip'. */
};

/* An endpoint: a VM's interface or an external prefix. */
struct dps_endpoint {
    /* What resolution reads, first, in as few cache lines as possible:
     * the first IP's entry (what a lookup by IP finds), what governs the
     * endpoint and where it is, and its UUID (which names it in a policy
     * cache entry's cookie).  These 64 bytes span at most two cache lines
     * of one huge page (the slab aligns endpoints to 16 bytes, as malloc()
     * would: to a cache line would cost 16 bytes an endpoint). */
    struct dps_ip ip0;              /* Valid if 'n_ips > 0'. */
    struct dps_domain *domain;      /* NULL: in no domain. */
    struct dps_hypervisor *hypervisor; /* NULL: location unknown. */
    const char *port;               /* Within 'name''s block, or NULL. */
    struct uuid uuid;               /* Database row. */

    struct dps_network *network;    /* Always nonnull. */
    struct eth_addr mac;            /* Valid if 'has_mac'. */
    bool has_mac;                   /* Has a MAC, in network->macs. */
    bool is_external;               /* Has a struct dps_external. */

    /* Other index nodes. */
    struct hmap_node uuid_node;     /* In dps->endpoints. */
    struct hmap_node name_node;     /* In dps->endpoints_by_name. */
    struct hmap_node mac_node;      /* In network->macs if 'has_mac'. */
    struct ovs_list hv_node;        /* In hypervisor->endpoints if
                                     * 'hypervisor' is nonnull. */

    char *name;                     /* One block: the name, then 'port'. */

    /* The first IP (the lowest) is 'ip0', the others are in 'extra_ips'. */
    uint32_t n_ips;                 /* Including 'ip0'. */
    uint32_t id;                    /* dt_slab_id() in the endpoint slab. */
    struct dps_ip *extra_ips;       /* 'n_ips - 1' entries, or NULL. */
};

/* The end of what resolution reads first from an endpoint. */
#define ENDPOINT_HOT_END (offsetof(struct dps_endpoint, uuid) \
                          + sizeof(struct uuid))
BUILD_ASSERT_DECL(ENDPOINT_HOT_END <= 64);

/* dps_resolve_ip_batch() counts on a lookup by IP finding, as a rule, an
 * endpoint's 'ip0' at the start of the endpoint. */
BUILD_ASSERT_DECL(offsetof(struct dps_endpoint, ip0) == 0);

/* An external endpoint's prefix, in network->externals. */
struct dps_external {
    struct ovs_list list_node;      /* In network->externals. */
    struct in6_addr prefix;         /* Host bits zero. */
    struct in6_addr mask;           /* 'plen' one bits. */
    unsigned int plen;              /* IPv6 bits (IPv4 /24 is 120). */
    struct dps_endpoint *endpoint;  /* The external endpoint. */
};

/* The policy service: every object, and the indexes that are not per
 * network. */
struct dps {
    /* Every object, by UUID. */
    struct hmap networks;           /* struct dps_network. */
    struct hmap hypervisors;        /* struct dps_hypervisor. */
    struct hmap domains;            /* struct dps_domain. */
    struct hmap actions;            /* struct dps_action. */
    struct hmap policies;           /* struct dps_policy. */
    struct hmap endpoints;          /* struct dps_endpoint. */

    /* By name. */
    struct hmap networks_by_name;   /* struct dps_network. */
    struct hmap endpoints_by_name;  /* struct dps_endpoint. */

    /* The endpoints' memory, on 2 MB pages (lib/dt-slab.h). */
    struct dt_slab endpoint_slab;

    /* Domains by their numbers, which the IPv4 address index holds instead
     * of pointers: 0 means no domain, a number freed is NULL here and in
     * 'free_domain_numbers' until a new domain takes it. */
    struct dps_domain **domains_by_number; /* 'n_domain_numbers'. */
    size_t n_domain_numbers;        /* Highest number handed out + 1. */
    size_t allocated_domain_numbers;
    uint32_t *free_domain_numbers;  /* 'n_free_domain_numbers'. */
    size_t n_free_domain_numbers;
    size_t allocated_free_domain_numbers;

    size_t bytes;                   /* Blocks allocated (malloc_cost(),
                                     * and endpoints at their slab size),
                                     * without the hmaps' buckets. */
};

/* What deciding a verdict reads of a destination endpoint: from the IPv4
 * address index's slot (dst_from_ip4_slot()), without reading the
 * endpoint, or from the endpoint (dst_from_endpoint()). */
struct dps_dst {
    const struct dps_endpoint *endpoint;
    const struct dps_domain *domain;    /* NULL: in no domain. */
    uint32_t uuid0;                     /* The first 32 bits of its UUID. */
    bool located;                       /* Has a hypervisor? */
};

/* An IPv4 address index slot's 'value' (ip4_slot_value()): the
 * endpoint's dt_slab_id() in the low 32 bits, its domain's number (0 for
 * none) above them, IP4_LOCATED if it has a hypervisor, and IP4_IN_USE
 * always, since a slot's value is never 0.  Its 'aux' is the first 32
 * bits of the endpoint's UUID. */
#define IP4_DOMAIN_SHIFT 32
#define IP4_MAX_DOMAIN_NUMBER ((UINT32_C(1) << 30) - 1)
#define IP4_LOCATED (UINT64_C(1) << 62)
#define IP4_IN_USE (UINT64_C(1) << 63)

static void *dps_alloc(struct dps *, size_t);
static void dps_free(struct dps *, void *, size_t);
static char *dps_strdup(struct dps *, const char *);
static void dps_free_string(struct dps *, char *);
static size_t malloc_cost(size_t);
static size_t hmap_cost(const struct hmap *);
static size_t oamap_cost(const struct oamap *);
static void hot_hmap_insert(struct hmap *, struct hmap_node *, uint32_t);

static struct dps_network *network_lookup(const struct dps *,
                                          const struct uuid *);
static struct dps_hypervisor *hypervisor_lookup(const struct dps *,
                                                const struct uuid *);
static struct dps_domain *domain_lookup(const struct dps *,
                                        const struct uuid *);
static struct dps_action *action_lookup(const struct dps *,
                                        const struct uuid *);
static struct dps_policy *policy_lookup(const struct dps *,
                                        const struct uuid *);
static struct dps_endpoint *endpoint_lookup(const struct dps *,
                                            const struct uuid *);

static void network_destroy(struct dps *, struct dps_network *);
static void hypervisor_destroy(struct dps *, struct dps_hypervisor *);
static void domain_destroy(struct dps *, struct dps_domain *);
static void action_destroy(struct dps *, struct dps_action *);
static void policy_unindex(struct dps_policy *);
static void policy_destroy(struct dps *, struct dps_policy *);
static void policy_refresh_default(struct dps_network *);
static struct dps_action *const *policy_actions(const struct dps_policy *);
static void endpoint_unindex(struct dps *, struct dps_endpoint *);
static void endpoint_index(struct dps *, struct dps_endpoint *,
                           const struct dps_endpoint_spec *);
static void endpoint_destroy(struct dps *, struct dps_endpoint *);
static size_t endpoint_strings_size(const struct dps_endpoint *);
static struct dps_ip *endpoint_ip_entry(const struct dps_endpoint *,
                                        size_t i);
static void domain_number_take(struct dps *, struct dps_domain *);
static void domain_number_give(struct dps *, struct dps_domain *);
static uint64_t ip4_slot_value(const struct dps_endpoint *);
static struct oamap_slot *ip4_slot(const struct dps_endpoint *,
                                   const struct in6_addr *, size_t *pos);

static const struct dps_endpoint *find_ip(const struct dps_network *,
                                          const struct in6_addr *);
static bool find_ip_dst(const struct dps_network *, const struct in6_addr *,
                        uint32_t hash, struct dps_dst *);
static bool find_dst(const struct dps_network *, const struct in6_addr *,
                     uint32_t hash, struct dps_dst *);
static bool find_external_dst(const struct dps_network *,
                              const struct in6_addr *, struct dps_dst *);
static const struct dps_endpoint *find_external(const struct dps_network *,
                                                const struct in6_addr *);
static const struct dps_endpoint *find_mac(const struct dps_network *,
                                           struct eth_addr);
static void dst_from_ip4_slot(const struct dps *, const struct oamap_slot *,
                              struct dps_dst *);
static void dst_from_endpoint(const struct dps_endpoint *, struct dps_dst *);
static void resolve_from(const struct dps_network *,
                         const struct dps_domain *src_domain,
                         const struct dps_endpoint *src,
                         const struct dps_dst *, bool locate,
                         struct dps_resolution *);
static void resolve_to(const struct dps_endpoint *src, const struct dps_dst *,
                       struct dps_resolution *);
static void resolve_policy(const struct dps_network *,
                           const struct dps_domain *src_domain,
                           const struct dps_domain *dst_domain,
                           struct dps_resolution *);
static void resolve_location(const struct dps_endpoint *,
                             struct dps_resolution *);

static uint32_t ip_hash(const struct in6_addr *);
static uint32_t ip4_key(ovs_be32);
static uint32_t mac_hash(struct eth_addr);
static uint32_t domains_hash(const struct dps_domain *src,
                             const struct dps_domain *dst);
static uint32_t name_hash(const char *);
static int compare_ips(const void *, const void *);

/* Returns "allow", "deny" or "waypoint". */
const char *
dps_action_kind_to_string(enum dps_action_kind kind)
{
    switch (kind) {
    case DPS_ACTION_ALLOW:
        return "allow";
    case DPS_ACTION_DENY:
        return "deny";
    case DPS_ACTION_WAYPOINT:
        return "waypoint";
    }
    OVS_NOT_REACHED();
}

/* Parses "allow", "deny" or "waypoint" into '*kind'.  Returns false for any
 * other string, leaving '*kind' alone. */
bool
dps_action_kind_from_string(const char *s, enum dps_action_kind *kind)
{
    if (!strcmp(s, "allow")) {
        *kind = DPS_ACTION_ALLOW;
    } else if (!strcmp(s, "deny")) {
        *kind = DPS_ACTION_DENY;
    } else if (!strcmp(s, "waypoint")) {
        *kind = DPS_ACTION_WAYPOINT;
    } else {
        return false;
    }
    return true;
}

/* Returns a new, empty dps.  The caller frees it with dps_destroy(). */
struct dps *
dps_create(void)
{
    struct dps *dps = xzalloc(sizeof *dps);

    hmap_init(&dps->networks);
    hmap_init(&dps->hypervisors);
    hmap_init(&dps->domains);
    hmap_init(&dps->actions);
    hmap_init(&dps->policies);
    hmap_init(&dps->endpoints);
    hmap_init(&dps->networks_by_name);
    hmap_init(&dps->endpoints_by_name);
    dt_slab_init(&dps->endpoint_slab, sizeof(struct dps_endpoint), 16);
    dps->bytes = malloc_cost(sizeof *dps);
    return dps;
}

/* Frees 'dps' and everything in it.  NULL is a no-op. */
void
dps_destroy(struct dps *dps)
{
    if (dps) {
        dps_clear(dps);
        hmap_destroy(&dps->networks);
        hmap_destroy(&dps->hypervisors);
        hmap_destroy(&dps->domains);
        hmap_destroy(&dps->actions);
        hmap_destroy(&dps->policies);
        hmap_destroy(&dps->endpoints);
        hmap_destroy(&dps->networks_by_name);
        hmap_destroy(&dps->endpoints_by_name);
        dt_slab_destroy(&dps->endpoint_slab);
        free(dps);
    }
}

/* Removes every object from 'dps', in the order references require, and
 * gives back the indexes' memory. */
void
dps_clear(struct dps *dps)
{
    struct dps_endpoint *ep;
    HMAP_FOR_EACH_SAFE (ep, uuid_node, &dps->endpoints) {
        endpoint_destroy(dps, ep);
    }
    struct dps_policy *policy;
    HMAP_FOR_EACH_SAFE (policy, uuid_node, &dps->policies) {
        policy_unindex(policy);
        policy_destroy(dps, policy);
    }
    struct dps_action *action;
    HMAP_FOR_EACH_SAFE (action, uuid_node, &dps->actions) {
        action_destroy(dps, action);
    }
    struct dps_domain *domain;
    HMAP_FOR_EACH_SAFE (domain, uuid_node, &dps->domains) {
        domain_destroy(dps, domain);
    }
    struct dps_hypervisor *hv;
    HMAP_FOR_EACH_SAFE (hv, uuid_node, &dps->hypervisors) {
        hypervisor_destroy(dps, hv);
    }
    struct dps_network *net;
    HMAP_FOR_EACH_SAFE (net, uuid_node, &dps->networks) {
        network_destroy(dps, net);
    }

    /* Give back the endpoints' blocks, the domain numbers and the bucket
     * arrays. */
    ovs_assert(!dps->endpoint_slab.n_objects);
    dt_slab_destroy(&dps->endpoint_slab);
    free(dps->domains_by_number);
    free(dps->free_domain_numbers);
    dps->domains_by_number = NULL;
    dps->free_domain_numbers = NULL;
    dps->n_domain_numbers = dps->allocated_domain_numbers = 0;
    dps->n_free_domain_numbers = dps->allocated_free_domain_numbers = 0;
    struct hmap *maps[] = {
        &dps->networks, &dps->hypervisors, &dps->domains, &dps->actions,
        &dps->policies, &dps->endpoints, &dps->networks_by_name,
        &dps->endpoints_by_name,
    };
    for (size_t i = 0; i < ARRAY_SIZE(maps); i++) {
        ovs_assert(hmap_is_empty(maps[i]));
        hmap_destroy(maps[i]);
        hmap_init(maps[i]);
    }
    ovs_assert(dps->bytes == malloc_cost(sizeof *dps));
}

/* Creates the network with UUID 'uuid', or updates it if 'dps' has it. */
void
dps_network_set(struct dps *dps, const struct uuid *uuid,
                const char *name, uint32_t vni)
{
    struct dps_network *net = network_lookup(dps, uuid);

    if (!net) {
        net = dps_alloc(dps, sizeof *net);
        net->uuid = *uuid;
        net->name = NULL;
        net->dps = dps;
        oamap_init(&net->ip4s);
        oamap_init(&net->ips);
        hmap_init(&net->macs);
        hmap_init(&net->policies);
        net->default_policy = NULL;
        ovs_list_init(&net->externals);
        net->n_unaddressed = 0;
        net->n_refs = 0;
        net->encap = DT_ENCAP_VXLAN;
        hmap_insert(&dps->networks, &net->uuid_node, uuid_hash(uuid));
    } else if (!strcmp(net->name, name)) {
        net->vni = vni;
        return;
    } else {
        hmap_remove(&dps->networks_by_name, &net->name_node);
        dps_free_string(dps, net->name);
    }
    net->name = dps_strdup(dps, name);
    net->vni = vni;
    hmap_insert(&dps->networks_by_name, &net->name_node, name_hash(name));
}

/* Sets how the packets of the network with UUID 'uuid' (which must exist)
 * cross the underlay.  A network is DT_ENCAP_VXLAN until this says
 * otherwise. */
void
dps_network_set_encap(struct dps *dps, const struct uuid *uuid,
                      enum dt_encap encap)
{
    struct dps_network *net = network_lookup(dps, uuid);

    ovs_assert(net);
    net->encap = encap;
}

/* Sets whether the network with UUID 'uuid' (which must exist) is in
 * fabric mode "sarp": its remote endpoints are reached across an L2
 * interconnect through the edges' SARP caches (controller/sarp.h), not
 * through tunnels.  A network is not until this says otherwise. */
void
dps_network_set_sarp(struct dps *dps, const struct uuid *uuid, bool sarp)
{
    struct dps_network *net = network_lookup(dps, uuid);

    ovs_assert(net);
    net->sarp = sarp;
}

/* Removes the network with UUID 'uuid' (nothing may be in it any more). */
void
dps_network_remove(struct dps *dps, const struct uuid *uuid)
{
    struct dps_network *net = network_lookup(dps, uuid);

    if (net) {
        ovs_assert(!net->n_refs);
        network_destroy(dps, net);
    }
}

/* Creates the hypervisor with UUID 'uuid', or updates it if 'dps' has it;
 * endpoints on it stay on it. */
void
dps_hypervisor_set(struct dps *dps, const struct uuid *uuid,
                   const char *name, uint64_t dpid, ovs_be32 tunnel_ip)
{
    struct dps_hypervisor *hv = hypervisor_lookup(dps, uuid);

    if (!hv) {
        hv = dps_alloc(dps, sizeof *hv);
        hv->uuid = *uuid;
        hv->name = NULL;
        ovs_list_init(&hv->endpoints);
        hmap_insert(&dps->hypervisors, &hv->uuid_node, uuid_hash(uuid));
    }
    if (!hv->name || strcmp(hv->name, name)) {
        dps_free_string(dps, hv->name);
        hv->name = dps_strdup(dps, name);
    }
    hv->dpid = dpid;
    hv->tunnel_ip = tunnel_ip;
}

/* Removes the hypervisor with UUID 'uuid'.  The endpoints on it stay, with
 * no location, until they are set again. */
void
dps_hypervisor_remove(struct dps *dps, const struct uuid *uuid)
{
    struct dps_hypervisor *hv = hypervisor_lookup(dps, uuid);

    if (hv) {
        hypervisor_destroy(dps, hv);
    }
}

/* Creates the policy domain with UUID 'uuid' in 'network', or updates it
 * if 'dps' has it.  A domain that policies or endpoints use cannot move to
 * another network. */
void
dps_domain_set(struct dps *dps, const struct uuid *uuid,
               const struct uuid *network, const char *name)
{
    struct dps_network *net = network_lookup(dps, network);
    struct dps_domain *domain = domain_lookup(dps, uuid);

    ovs_assert(net);
    if (!domain) {
        domain = dps_alloc(dps, sizeof *domain);
        domain->uuid = *uuid;
        domain->network = net;
        domain->name = NULL;
        domain->hash = hash_bytes(uuid, sizeof *uuid, 0);
        domain->n_refs = 0;
        domain_number_take(dps, domain);
        net->n_refs++;
        hmap_insert(&dps->domains, &domain->uuid_node, uuid_hash(uuid));
    } else if (domain->network != net) {
        ovs_assert(!domain->n_refs);
        domain->network->n_refs--;
        domain->network = net;
        net->n_refs++;
    }
    if (!domain->name || strcmp(domain->name, name)) {
        dps_free_string(dps, domain->name);
        domain->name = dps_strdup(dps, name);
    }
}

/* Removes the policy domain with UUID 'uuid' (no policy or endpoint may
 * use it any more). */
void
dps_domain_remove(struct dps *dps, const struct uuid *uuid)
{
    struct dps_domain *domain = domain_lookup(dps, uuid);

    if (domain) {
        ovs_assert(!domain->n_refs);
        domain_destroy(dps, domain);
    }
}

/* Creates the policy action with UUID 'uuid' in 'network', or updates it
 * if 'dps' has it (every policy that uses it sees the change).  'location'
 * is only kept for a waypoint.  An action that policies use cannot move to
 * another network. */
void
dps_action_set(struct dps *dps, const struct uuid *uuid,
               const struct uuid *network, const char *name,
               enum dps_action_kind kind, const char *location)
{
    struct dps_network *net = network_lookup(dps, network);
    struct dps_action *action = action_lookup(dps, uuid);

    ovs_assert(net);
    if (!action) {
        action = dps_alloc(dps, sizeof *action);
        action->uuid = *uuid;
        action->network = net;
        action->name = NULL;
        action->location = NULL;
        action->n_refs = 0;
        net->n_refs++;
        hmap_insert(&dps->actions, &action->uuid_node, uuid_hash(uuid));
    } else if (action->network != net) {
        ovs_assert(!action->n_refs);
        action->network->n_refs--;
        action->network = net;
        net->n_refs++;
    }
    if (!action->name || strcmp(action->name, name)) {
        dps_free_string(dps, action->name);
        action->name = dps_strdup(dps, name);
    }
    action->kind = kind;
    if (kind != DPS_ACTION_WAYPOINT) {
        location = NULL;
    }
    if (!location || !action->location || strcmp(action->location,
                                                 location)) {
        dps_free_string(dps, action->location);
        action->location = location ? dps_strdup(dps, location) : NULL;
    }
}

/* Removes the policy action with UUID 'uuid' (no policy may use it any
 * more). */
void
dps_action_remove(struct dps *dps, const struct uuid *uuid)
{
    struct dps_action *action = action_lookup(dps, uuid);

    if (action) {
        ovs_assert(!action->n_refs);
        action_destroy(dps, action);
    }
}

/* Creates the policy with UUID 'uuid', or updates it in place if 'dps' has
 * it.  The network, the domains (both or neither) and the actions must be
 * in 'dps', and the domains and actions in 'network'. */
void
dps_policy_set(struct dps *dps, const struct uuid *uuid,
               const struct uuid *network,
               const struct uuid *src_domain,
               const struct uuid *dst_domain,
               const struct uuid actions[], size_t n_actions,
               uint32_t ttl, uint64_t tracking_number)
{
    struct dps_network *net = network_lookup(dps, network);
    struct dps_domain *src = NULL, *dst = NULL;
    struct dps_action *new_actions[DPS_MAX_ACTIONS];

    ovs_assert(net);
    ovs_assert(!src_domain == !dst_domain);
    ovs_assert(n_actions >= 1 && n_actions <= DPS_MAX_ACTIONS);
    if (src_domain) {
        src = domain_lookup(dps, src_domain);
        dst = domain_lookup(dps, dst_domain);
        ovs_assert(src && src->network == net);
        ovs_assert(dst && dst->network == net);
    }
    for (size_t i = 0; i < n_actions; i++) {
        new_actions[i] = action_lookup(dps, &actions[i]);
        ovs_assert(new_actions[i] && new_actions[i]->network == net);
    }

    struct dps_policy *policy = policy_lookup(dps, uuid);
    if (!policy) {
        policy = dps_alloc(dps, sizeof *policy);
        policy->uuid = *uuid;
        policy->n_actions = 0;
        hmap_insert(&dps->policies, &policy->uuid_node, uuid_hash(uuid));
    } else {
        policy_unindex(policy);
        if (policy->n_actions > POLICY_INLINE_ACTIONS) {
            dps_free(dps, policy->heap_actions,
                     policy->n_actions * sizeof *policy->heap_actions);
        }
    }

    policy->network = net;
    policy->src_domain = src;
    policy->dst_domain = dst;
    policy->ttl = ttl;
    policy->tracking_number = tracking_number;
    policy->n_actions = n_actions;
    if (n_actions > POLICY_INLINE_ACTIONS) {
        policy->heap_actions = dps_alloc(dps, n_actions
                                         * sizeof *policy->heap_actions);
        memcpy(policy->heap_actions, new_actions,
               n_actions * sizeof *new_actions);
    } else {
        memcpy(policy->inline_actions, new_actions,
               n_actions * sizeof *new_actions);
    }

    /* References and index. */
    net->n_refs++;
    if (src) {
        src->n_refs++;
        dst->n_refs++;
    }
    for (size_t i = 0; i < n_actions; i++) {
        new_actions[i]->n_refs++;
    }
    hot_hmap_insert(&net->policies, &policy->key_node,
                    domains_hash(src, dst));
    if (!src) {
        policy_refresh_default(net);
    }
}

/* Removes the policy with UUID 'uuid'. */
void
dps_policy_remove(struct dps *dps, const struct uuid *uuid)
{
    struct dps_policy *policy = policy_lookup(dps, uuid);

    if (policy) {
        policy_unindex(policy);
        policy_destroy(dps, policy);
    }
}

/* Creates the endpoint with UUID 'uuid' as 'spec' describes it, or updates
 * it in place if 'dps' has it.  The network and the domain (in that
 * network) must be in 'dps'; an unknown hypervisor leaves the endpoint
 * without a location. */
void
dps_endpoint_set(struct dps *dps, const struct uuid *uuid,
                 const struct dps_endpoint_spec *spec)
{
    struct dps_endpoint *ep = endpoint_lookup(dps, uuid);

    if (!ep) {
        ep = dt_slab_alloc(&dps->endpoint_slab);
        dps->bytes += dps->endpoint_slab.size;
        ep->uuid = *uuid;
        ep->id = dt_slab_id(&dps->endpoint_slab, ep);
        hmap_insert(&dps->endpoints, &ep->uuid_node, uuid_hash(uuid));
    } else {
        endpoint_unindex(dps, ep);
    }
    endpoint_index(dps, ep, spec);
}

/* Removes the endpoint with UUID 'uuid'. */
void
dps_endpoint_remove(struct dps *dps, const struct uuid *uuid)
{
    struct dps_endpoint *ep = endpoint_lookup(dps, uuid);

    if (ep) {
        endpoint_destroy(dps, ep);
    }
}

/* Returns the network with UUID 'uuid', or NULL. */
const struct dps_network *
dps_find_network(const struct dps *dps, const struct uuid *uuid)
{
    return network_lookup(dps, uuid);
}

/* Returns the network named 'name', or NULL. */
const struct dps_network *
dps_find_network_by_name(const struct dps *dps, const char *name)
{
    const struct dps_network *net;

    HMAP_FOR_EACH_WITH_HASH (net, name_node, name_hash(name),
                             &dps->networks_by_name) {
        if (!strcmp(net->name, name)) {
            return net;
        }
    }
    return NULL;
}

/* Returns the endpoint with UUID 'uuid', or NULL. */
const struct dps_endpoint *
dps_find_endpoint(const struct dps *dps, const struct uuid *uuid)
{
    return endpoint_lookup(dps, uuid);
}

/* Returns the endpoint named 'name', or NULL. */
const struct dps_endpoint *
dps_find_endpoint_by_name(const struct dps *dps, const char *name)
{
    const struct dps_endpoint *ep;

    HMAP_FOR_EACH_WITH_HASH (ep, name_node, name_hash(name),
                             &dps->endpoints_by_name) {
        if (!strcmp(ep->name, name)) {
            return ep;
        }
    }
    return NULL;
}

/* Returns the endpoint in 'net' whose IP addresses include 'ip', or NULL.
 * External prefixes are not consulted. */
const struct dps_endpoint *
dps_find_endpoint_by_ip(const struct dps *dps OVS_UNUSED,
                        const struct dps_network *net,
                        const struct in6_addr *ip)
{
    return find_ip(net, ip);
}

/* Returns the endpoint in 'net' whose MAC is 'mac', or NULL. */
const struct dps_endpoint *
dps_find_endpoint_by_mac(const struct dps *dps OVS_UNUSED,
                         const struct dps_network *net, struct eth_addr mac)
{
    return find_mac(net, mac);
}

/* Returns the hypervisor with UUID 'uuid', or NULL. */
const struct dps_hypervisor *
dps_find_hypervisor(const struct dps *dps, const struct uuid *uuid)
{
    return hypervisor_lookup(dps, uuid);
}

/* Returns the policy domain with UUID 'uuid', or NULL. */
const struct dps_domain *
dps_find_domain(const struct dps *dps, const struct uuid *uuid)
{
    return domain_lookup(dps, uuid);
}

/* Returns the policy action with UUID 'uuid', or NULL. */
const struct dps_action *
dps_find_action(const struct dps *dps, const struct uuid *uuid)
{
    return action_lookup(dps, uuid);
}

/* Returns the policy with UUID 'uuid', or NULL. */
const struct dps_policy *
dps_find_policy(const struct dps *dps, const struct uuid *uuid)
{
    return policy_lookup(dps, uuid);
}

/* Returns 'net''s name. */
const char *
dps_network_name(const struct dps_network *net)
{
    return net->name;
}

/* Returns 'net''s VNI. */
uint32_t
dps_network_vni(const struct dps_network *net)
{
    return net->vni;
}

/* Returns how 'net''s packets cross the underlay. */
enum dt_encap
dps_network_encap(const struct dps_network *net)
{
    return net->encap;
}

bool
dps_network_is_sarp(const struct dps_network *net)
{
    return net->sarp;
}

/* Returns 'ep''s name. */
const char *
dps_endpoint_name(const struct dps_endpoint *ep)
{
    return ep->name;
}

/* Returns the network 'ep' is in. */
const struct dps_network *
dps_endpoint_network(const struct dps_endpoint *ep)
{
    return ep->network;
}

/* Returns the network whose VNI is 'vni', or NULL. */
const struct dps_network *
dps_find_network_by_vni(const struct dps *dps, uint32_t vni)
{
    const struct dps_network *net;

    /* Networks are few; a linear search is enough. */
    HMAP_FOR_EACH (net, uuid_node, &dps->networks) {
        if (net->vni == vni) {
            return net;
        }
    }
    return NULL;
}

/* Returns the policy domain of 'net' whose UUID begins with the 32 bits
 * 'prefix' (what the pipeline carries in its domain register), or NULL. */
const struct dps_domain *
dps_find_domain_by_prefix(const struct dps *dps,
                          const struct dps_network *net, uint32_t prefix)
{
    const struct dps_domain *d;

    /* uuid_hash() is the UUID's first 32 bits. */
    HMAP_FOR_EACH_WITH_HASH (d, uuid_node, prefix, &dps->domains) {
        if (d->uuid.parts[0] == prefix && d->network == net) {
            return d;
        }
    }
    return NULL;
}

const struct uuid *
dps_domain_uuid(const struct dps_domain *d)
{
    return &d->uuid;
}

const struct uuid *
dps_policy_uuid(const struct dps_policy *p)
{
    return &p->uuid;
}

const struct uuid *
dps_endpoint_uuid(const struct dps_endpoint *ep)
{
    return &ep->uuid;
}

/* Returns 'ep''s policy domain, or NULL. */
const struct dps_domain *
dps_endpoint_domain(const struct dps_endpoint *ep)
{
    return ep->domain;
}

/* Stores 'ep''s MAC in '*mac' and returns true, if it has one. */
bool
dps_endpoint_mac(const struct dps_endpoint *ep, struct eth_addr *mac)
{
    *mac = ep->mac;
    return ep->has_mac;
}

/* Returns the number of IP addresses 'ep' has. */
size_t
dps_endpoint_n_ips(const struct dps_endpoint *ep)
{
    return ep->is_external ? 0 : ep->n_ips;
}

/* Where 'ep' is: stores its hypervisor's datapath id and tunnel IP in
 * '*dpid' and '*tunnel_ip' and returns its port name (NULL if unknown),
 * if it has a hypervisor; returns NULL with '*dpid' 0 otherwise. */
const char *
dps_endpoint_location(const struct dps_endpoint *ep, uint64_t *dpid,
                      ovs_be32 *tunnel_ip)
{
    if (!ep->hypervisor) {
        *dpid = 0;
        *tunnel_ip = htonl(0);
        return NULL;
    }
    *dpid = ep->hypervisor->dpid;
    *tunnel_ip = ep->hypervisor->tunnel_ip;
    return ep->port;
}

/* Resolves a packet from 'src' to 'dst_ip' in src's network into '*res'
 * (DOVE 4.2.2): the endpoint with exactly that IP, else the external
 * endpoint whose prefix matches it longest. */
void
dps_resolve_ip(const struct dps *dps OVS_UNUSED,
               const struct dps_endpoint *src,
               const struct in6_addr *dst_ip, struct dps_resolution *res)
{
    struct dps_dst dst;
    bool found = find_dst(src->network, dst_ip, ip_hash(dst_ip), &dst);

    res->dst_is_mac = false;
    res->dst_ip = *dst_ip;
    resolve_to(src, found ? &dst : NULL, res);
}

/* Resolves a packet from a source in 'src_domain' (NULL: in no domain) of
 * 'net' to 'dst_ip', whose dps_ip_hash() is 'dst_hash', into '*res', like
 * dps_resolve_ip() but without naming the source endpoint (res->src is
 * NULL): what a policy cache entry keyed by (network, source domain,
 * destination) holds, and what the controller checks such an entry
 * against when the database changes. */
void
dps_resolve_ip_from_domain(const struct dps *dps OVS_UNUSED,
                           const struct dps_network *net,
                           const struct dps_domain *src_domain,
                           const struct in6_addr *dst_ip, uint32_t dst_hash,
                           struct dps_resolution *res)
{
    struct dps_dst dst;
    bool found = find_dst(net, dst_ip, dst_hash, &dst);

    res->dst_is_mac = false;
    res->dst_ip = *dst_ip;
    resolve_from(net, src_domain, NULL, found ? &dst : NULL, false, res);
}

/* Resolves a packet from 'src' to 'dst_mac' in src's network into '*res':
 * the endpoint with that MAC. */
void
dps_resolve_mac(const struct dps *dps OVS_UNUSED,
                const struct dps_endpoint *src,
                struct eth_addr dst_mac, struct dps_resolution *res)
{
    const struct dps_endpoint *ep = find_mac(src->network, dst_mac);
    struct dps_dst dst;

    if (ep) {
        dst_from_endpoint(ep, &dst);
    }
    res->dst_is_mac = true;
    res->dst_mac = dst_mac;
    resolve_to(src, ep ? &dst : NULL, res);
}

/* Resolves 'n' requests, each like dps_resolve_ip(dps, srcs[i],
 * &dst_ips[i], &res[i]).
 *
 * With a dps much larger than the CPU's caches, every request waits for
 * main memory three or four times in a row (the source endpoint, the
 * address's index slots, the destination endpoint, the policy), and one
 * request at a time leaves the memory system idle in between.  This
 * processes the requests in groups of DPS_BATCH, in stages: each stage
 * prefetches, for every request of the group, what the next stage will
 * read, so that the group's cache misses overlap instead of queuing. */
void
dps_resolve_ip_batch(const struct dps *dps OVS_UNUSED, size_t n,
                     const struct dps_endpoint *const srcs[],
                     const struct in6_addr dst_ips[],
                     struct dps_resolution res[])
{
    for (size_t base = 0; base < n; base += DPS_BATCH) {
        size_t m = MIN(n - base, DPS_BATCH);
        const struct dps_endpoint *const *src = &srcs[base];
        const struct in6_addr *ip = &dst_ips[base];
        struct hmap_node *const *buckets[DPS_BATCH];
        struct dps_dst dst[DPS_BATCH];
        bool found[DPS_BATCH];
        uint32_t hash[DPS_BATCH];

        /* The sources (their network and domain). */
        for (size_t i = 0; i < m; i++) {
            OVS_PREFETCH(&src[i]->network);
            hash[i] = ip_hash(&ip[i]);
        }
        /* The destination addresses' index slots.  Then, for an IPv4
         * address, its slot, which names the endpoint (whose location a
         * forward reads); for another, the first entry with its hash:
         * usually the destination's 'ip0', the start of the endpoint. */
        for (size_t i = 0; i < m; i++) {
            dps_prefetch_ip(src[i]->network, &ip[i], hash[i], 0);
        }
        for (size_t i = 0; i < m; i++) {
            if (IN6_IS_ADDR_V4MAPPED(&ip[i])) {
                found[i] = find_ip_dst(src[i]->network, &ip[i], hash[i],
                                       &dst[i]);
                if (OVS_LIKELY(found[i])) {
                    const char *ep = (const char *) dst[i].endpoint;
                    OVS_PREFETCH(ep);
                    OVS_PREFETCH(ep + ENDPOINT_HOT_END - 1);
                }
            } else {
                found[i] = false;
                dps_prefetch_ip(src[i]->network, &ip[i], hash[i], 1);
            }
        }
        /* The destinations' hypervisors and policy buckets. */
        for (size_t i = 0; i < m; i++) {
            const struct dps_network *net = src[i]->network;

            if (!IN6_IS_ADDR_V4MAPPED(&ip[i])) {
                found[i] = find_ip_dst(net, &ip[i], hash[i], &dst[i]);
            }
            if (OVS_LIKELY(found[i])) {
                OVS_PREFETCH(dst[i].endpoint->hypervisor);
                if (OVS_LIKELY(src[i]->domain && dst[i].domain)) {
                    const struct hmap *policies = &net->policies;
                    uint32_t h = domains_hash(src[i]->domain,
                                              dst[i].domain);

                    buckets[i] = &policies->buckets[h & policies->mask];
                    OVS_PREFETCH(buckets[i]);
                    continue;
                }
            }
            buckets[i] = NULL;
        }
        /* The policies (the first 64 bytes of each, which may straddle
         * two cache lines). */
        for (size_t i = 0; i < m; i++) {
            if (buckets[i] && *buckets[i]) {
                const char *node = (const char *) *buckets[i];
                OVS_PREFETCH(node);
                OVS_PREFETCH(node + 63);
            }
        }
        /* Everything is (nearly) in cache: resolve. */
        for (size_t i = 0; i < m; i++) {
            struct dps_resolution *r = &res[base + i];

            if (OVS_UNLIKELY(!found[i])) {
                /* The address indexes were searched above. */
                found[i] = find_external_dst(src[i]->network, &ip[i],
                                             &dst[i]);
            }
            r->dst_is_mac = false;
            r->dst_ip = ip[i];
            resolve_to(src[i], found[i] ? &dst[i] : NULL, r);
        }
    }
}

/* Resolves the textual request ('network', 'src', 'dst') into '*res'.
 * Returns NULL on success, otherwise a malloc'd error naming the bad
 * argument.  See dt-dps.h. */
char *
dps_resolve_request(const struct dps *dps, const char *network,
                    const char *src, const char *dst,
                    struct dps_resolution *res)
{
    const struct dps_network *net = dps_find_network_by_name(dps, network);
    if (!net) {
        return xasprintf("\"%s\": no such network", network);
    }

    const struct dps_endpoint *src_ep = dps_find_endpoint_by_name(dps, src);
    if (!src_ep || src_ep->network != net) {
        return xasprintf("\"%s\": no such endpoint in network \"%s\"",
                         src, network);
    }

    struct in6_addr ip;
    struct eth_addr mac;
    char *error = dt_parse_ip(dst, &ip, NULL);
    if (!error) {
        dps_resolve_ip(dps, src_ep, &ip, res);
        return NULL;
    }
    free(error);

    error = dt_parse_mac(dst, &mac);
    if (!error) {
        dps_resolve_mac(dps, src_ep, mac, res);
        return NULL;
    }
    free(error);

    const struct dps_endpoint *dst_ep = dps_find_endpoint_by_name(dps, dst);
    if (!dst_ep || dst_ep->network != net) {
        return xasprintf("\"%s\": not an IP address, a MAC address or an "
                         "endpoint in network \"%s\"", dst, network);
    }
    if (dst_ep->n_ips) {
        dps_resolve_ip(dps, src_ep, &dst_ep->ip0.ip, res);
    } else if (dst_ep->has_mac) {
        dps_resolve_mac(dps, src_ep, dst_ep->mac, res);
    } else {
        return xasprintf("\"%s\": endpoint has no IP or MAC address", dst);
    }
    return NULL;
}

/* Appends '*res' to 's' as "key: value" lines.  See dt-dps.h for the
 * lines and their order. */
void
dps_resolution_format(const struct dps_resolution *res, struct ds *s)
{
    const struct dps_endpoint *src = res->src;
    const struct dps_endpoint *dst = res->dst;

    ds_put_format(s, "network: %s (vni %"PRIu32")\n",
                  src->network->name, src->network->vni);
    ds_put_format(s, "source: %s ", src->name);
    if (src->domain) {
        ds_put_format(s, "(domain %s)\n", src->domain->name);
    } else {
        ds_put_cstr(s, "(no domain)\n");
    }

    if (!dst) {
        ds_put_cstr(s, "destination: unknown\n");
    } else {
        ds_put_format(s, "destination: %s ", dst->name);
        if (dst->domain) {
            ds_put_format(s, "(domain %s)\n", dst->domain->name);
        } else {
            ds_put_cstr(s, "(no domain)\n");
        }
    }

    if (res->verdict == DPS_UNKNOWN) {
        if (res->unknown_reason == DPS_UNKNOWN_LOCATION) {
            ds_put_cstr(s, "location: none\n");
            ds_put_format(s, "verdict: unknown: endpoint %s has no location"
                          "\n", dst->name);
        } else {
            ds_put_cstr(s, "verdict: unknown: no endpoint has ");
            if (res->dst_is_mac) {
                ds_put_format(s, ETH_ADDR_FMT, ETH_ADDR_ARGS(res->dst_mac));
            } else {
                char buf[INET6_ADDRSTRLEN];
                ds_put_cstr(s, dt_format_ip(&res->dst_ip, buf));
            }
            ds_put_format(s, " (%"PRIuSIZE" endpoint%s no IP yet)\n",
                          res->n_unaddressed,
                          res->n_unaddressed == 1 ? " has" : "s have");
        }
        return;
    }

    ds_put_format(s, "location: %s (dpid %016"PRIx64", tunnel "IP_FMT")",
                  res->hypervisor_name, res->dpid,
                  IP_ARGS(res->tunnel_ip));
    if (res->port) {
        ds_put_format(s, " port %s", res->port);
    }
    ds_put_char(s, '\n');

    const struct dps_policy *policy = res->policy;
    if (!policy) {
        ds_put_format(s, "policy: implicit default: allow (ttl %"PRIu32")\n",
                      res->ttl);
    } else {
        if (res->is_default) {
            ds_put_cstr(s, "policy: default");
        } else {
            ds_put_format(s, "policy: \"%s\" -> \"%s\"",
                          policy->src_domain->name,
                          policy->dst_domain->name);
        }
        ds_put_format(s, " (tracking %"PRIu64", ttl %"PRIu32")\n",
                      res->tracking_number, res->ttl);
        ds_put_cstr(s, "actions: ");
        for (size_t i = 0; i < policy->n_actions; i++) {
            const struct dps_action *action = policy_actions(policy)[i];

            if (i) {
                ds_put_cstr(s, ", ");
            }
            if (action->kind == DPS_ACTION_WAYPOINT) {
                ds_put_format(s, "%s (waypoint %s)", action->name,
                              action->location);
            } else {
                ds_put_format(s, "%s (%s)", action->name,
                              dps_action_kind_to_string(action->kind));
            }
        }
        ds_put_char(s, '\n');
    }

    if (res->verdict == DPS_DENY) {
        ds_put_format(s, "verdict: deny (action %s)\n", res->deny_action);
        return;
    }
    ds_put_cstr(s, "verdict: forward ");
    for (size_t i = 0; i < res->n_waypoints; i++) {
        ds_put_format(s, "%s%s", i ? ", " : "via ", res->waypoints[i]);
    }
    ds_put_format(s, "%sto "IP_FMT, res->n_waypoints ? " " : "",
                  IP_ARGS(res->tunnel_ip));
    if (res->port) {
        ds_put_format(s, " port %s", res->port);
    }
    ds_put_char(s, '\n');
}

/* Fills '*stats' with counts of what 'dps' holds and the memory it uses,
 * bucket arrays included. */
void
dps_get_stats(const struct dps *dps, struct dps_stats *stats)
{
    const struct dps_network *net;

    memset(stats, 0, sizeof *stats);
    stats->n_networks = hmap_count(&dps->networks);
    stats->n_domains = hmap_count(&dps->domains);
    stats->n_actions = hmap_count(&dps->actions);
    stats->n_policies = hmap_count(&dps->policies);
    stats->n_endpoints = hmap_count(&dps->endpoints);
    stats->n_hypervisors = hmap_count(&dps->hypervisors);

    stats->bytes = dps->bytes
        + hmap_cost(&dps->networks) + hmap_cost(&dps->hypervisors)
        + hmap_cost(&dps->domains) + hmap_cost(&dps->actions)
        + hmap_cost(&dps->policies) + hmap_cost(&dps->endpoints)
        + hmap_cost(&dps->networks_by_name)
        + hmap_cost(&dps->endpoints_by_name);
    if (dps->allocated_domain_numbers) {
        stats->bytes += malloc_cost(dps->allocated_domain_numbers
                                    * sizeof *dps->domains_by_number);
    }
    if (dps->allocated_free_domain_numbers) {
        stats->bytes += malloc_cost(dps->allocated_free_domain_numbers
                                    * sizeof *dps->free_domain_numbers);
    }
    HMAP_FOR_EACH (net, uuid_node, &dps->networks) {
        stats->n_ips += oamap_count(&net->ip4s) + oamap_count(&net->ips);
        stats->bytes += (oamap_cost(&net->ip4s) + oamap_cost(&net->ips)
                         + hmap_cost(&net->macs)
                         + hmap_cost(&net->policies));
    }
}

/* Resolution. */

uint32_t
dps_ip_hash(const struct in6_addr *ip)
{
    return ip_hash(ip);
}

void
dps_prefetch_ip(const struct dps_network *net, const struct in6_addr *ip,
                uint32_t hash, int stage)
{
    if (OVS_LIKELY(IN6_IS_ADDR_V4MAPPED(ip))) {
        if (!stage) {
            oamap_prefetch(&net->ip4s, hash);
        }
    } else if (!stage) {
        oamap_prefetch(&net->ips, hash);
    } else {
        size_t pos;
        const char *entry = oamap_first_with_hash(&net->ips, hash, &pos);
        if (entry) {
            /* Usually the endpoint's 'ip0', its start, followed by what
             * resolution reads from it. */
            OVS_PREFETCH(entry);
            OVS_PREFETCH(entry + ENDPOINT_HOT_END - 1);
        }
    }
}

/* Looks up 'ip', whose ip_hash() is 'hash', in 'net''s address indexes:
 * fills in '*dst' for the endpoint with exactly that address and returns
 * true, or returns false. */
static bool
find_ip_dst(const struct dps_network *net, const struct in6_addr *ip,
            uint32_t hash, struct dps_dst *dst)
{
    if (OVS_LIKELY(IN6_IS_ADDR_V4MAPPED(ip))) {
        /* The hash is the address (ip4_key()). */
        size_t pos;
        const struct oamap_slot *slot = oamap_first_slot(&net->ip4s, hash,
                                                         &pos);
        if (slot) {
            dst_from_ip4_slot(net->dps, slot, dst);
            return true;
        }
        return false;
    }

    const struct dps_ip *entry;
    size_t pos;
    OAMAP_FOR_EACH_WITH_HASH (entry, pos, hash, &net->ips) {
        if (ipv6_addr_equals(&entry->ip, ip)) {
            dst_from_endpoint(entry->endpoint, dst);
            return true;
        }
    }
    return false;
}

/* Fills in '*dst' for the destination of a packet to 'ip' (whose
 * ip_hash() is 'hash') in 'net', as DOVE 4.2.2 has it: the endpoint with
 * exactly that IP, else the external endpoint whose prefix matches it
 * longest.  Returns false if there is none. */
static bool
find_dst(const struct dps_network *net, const struct in6_addr *ip,
         uint32_t hash, struct dps_dst *dst)
{
    return (OVS_LIKELY(find_ip_dst(net, ip, hash, dst))
            || find_external_dst(net, ip, dst));
}

/* Fills in '*dst' for the external endpoint in 'net' whose prefix matches
 * 'ip' longest and returns true, or returns false if none matches. */
static bool
find_external_dst(const struct dps_network *net, const struct in6_addr *ip,
                  struct dps_dst *dst)
{
    const struct dps_endpoint *ep = find_external(net, ip);

    if (ep) {
        dst_from_endpoint(ep, dst);
    }
    return ep != NULL;
}

/* Returns the endpoint in 'net' with IP 'ip', or NULL. */
static const struct dps_endpoint *
find_ip(const struct dps_network *net, const struct in6_addr *ip)
{
    struct dps_dst dst;

    return find_ip_dst(net, ip, ip_hash(ip), &dst) ? dst.endpoint : NULL;
}

/* Fills in '*dst' from IPv4 address index slot 'slot' of a network of
 * 'dps', without reading the endpoint. */
static void
dst_from_ip4_slot(const struct dps *dps, const struct oamap_slot *slot,
                  struct dps_dst *dst)
{
    uint32_t number = ((slot->value >> IP4_DOMAIN_SHIFT)
                       & IP4_MAX_DOMAIN_NUMBER);

    dst->endpoint = dt_slab_at(&dps->endpoint_slab, (uint32_t) slot->value);
    dst->domain = number ? dps->domains_by_number[number] : NULL;
    dst->uuid0 = slot->aux;
    dst->located = (slot->value & IP4_LOCATED) != 0;
}

/* Fills in '*dst' from 'ep'. */
static void
dst_from_endpoint(const struct dps_endpoint *ep, struct dps_dst *dst)
{
    dst->endpoint = ep;
    dst->domain = ep->domain;
    dst->uuid0 = ep->uuid.parts[0];
    dst->located = ep->hypervisor != NULL;
}

/* Returns the external endpoint in 'net' whose prefix matches 'ip'
 * longest, or NULL. */
static const struct dps_endpoint *
find_external(const struct dps_network *net, const struct in6_addr *ip)
{
    const struct dps_external *ext;

    COVERAGE_INC(dps_prefix_scan);
    LIST_FOR_EACH (ext, list_node, &net->externals) {
        struct in6_addr masked = ipv6_addr_bitand(ip, &ext->mask);
        if (ipv6_addr_equals(&masked, &ext->prefix)) {
            return ext->endpoint;
        }
    }
    return NULL;
}

/* Returns the endpoint in 'net' with MAC 'mac', or NULL. */
static const struct dps_endpoint *
find_mac(const struct dps_network *net, struct eth_addr mac)
{
    const struct dps_endpoint *ep;

    HMAP_FOR_EACH_WITH_HASH (ep, mac_node, mac_hash(mac), &net->macs) {
        if (eth_addr_equals(ep->mac, mac)) {
            return ep;
        }
    }
    return NULL;
}

/* Fills '*res' (except the requested address) for a packet from 'src' to
 * the destination 'dst' (NULL if no endpoint has the address): steps 2 to
 * 5 of the resolution in dt-dps.h. */
static void
resolve_to(const struct dps_endpoint *src, const struct dps_dst *dst,
           struct dps_resolution *res)
{
    resolve_from(src->network, src->domain, src, dst, true, res);
}

/* Fills '*res' for a packet from a source in 'net' and 'src_domain' (NULL:
 * in no domain), 'src' itself if known, to 'dst'.  The destination's
 * location is filled in for DPS_FORWARD, and also for DPS_DENY if
 * 'locate' (which reads the endpoint, where the verdict may not need
 * to). */
static void
resolve_from(const struct dps_network *net,
             const struct dps_domain *src_domain,
             const struct dps_endpoint *src, const struct dps_dst *dst,
             bool locate, struct dps_resolution *res)
{
    res->src = src;
    res->dst = dst ? dst->endpoint : NULL;
    res->dst_uuid0 = dst ? dst->uuid0 : 0;
    res->n_unaddressed = 0;
    res->policy = NULL;
    res->is_default = false;
    res->tracking_number = 0;
    res->ttl = 0;
    res->hypervisor_name = NULL;
    res->dpid = 0;
    res->tunnel_ip = htonl(0);
    res->port = NULL;
    res->n_waypoints = 0;
    res->deny_action = NULL;

    if (OVS_UNLIKELY(!dst)) {
        COVERAGE_INC(dps_unknown_address);
        res->verdict = DPS_UNKNOWN;
        res->unknown_reason = DPS_UNKNOWN_ADDRESS;
        res->n_unaddressed = net->n_unaddressed;
        return;
    }
    if (OVS_UNLIKELY(!dst->located)) {
        COVERAGE_INC(dps_unknown_location);
        res->verdict = DPS_UNKNOWN;
        res->unknown_reason = DPS_UNKNOWN_LOCATION;
        return;
    }

    resolve_policy(net, src_domain, dst->domain, res);
    if (locate || res->verdict == DPS_FORWARD) {
        resolve_location(dst->endpoint, res);
    }
}

/* Fills in the policy, the verdict and what goes with them in '*res', for
 * a packet from 'src_domain' to 'dst_domain' (each NULL if in no domain)
 * in 'net'. */
static void
resolve_policy(const struct dps_network *net,
               const struct dps_domain *src_domain,
               const struct dps_domain *dst_domain,
               struct dps_resolution *res)
{
    /* The policy: explicit, else the default, else the implicit default. */
    const struct dps_policy *policy = NULL;
    if (OVS_LIKELY(src_domain && dst_domain)) {
        const struct dps_policy *p;

        HMAP_FOR_EACH_WITH_HASH (p, key_node,
                                 domains_hash(src_domain, dst_domain),
                                 &net->policies) {
            if (p->src_domain == src_domain && p->dst_domain == dst_domain) {
                policy = p;
                break;
            }
        }
    }
    if (OVS_UNLIKELY(!policy)) {
        COVERAGE_INC(dps_policy_miss);
        res->is_default = true;
        policy = net->default_policy;
        if (!policy) {
            res->verdict = DPS_FORWARD;
            res->unknown_reason = DPS_UNKNOWN_NONE;
            res->ttl = DPS_IMPLICIT_TTL;
            return;
        }
    }
    res->policy = policy;
    res->tracking_number = policy->tracking_number;
    res->ttl = policy->ttl;
    res->unknown_reason = DPS_UNKNOWN_NONE;

    /* The actions, in order. */
    struct dps_action *const *actions = policy_actions(policy);
    size_t n_waypoints = 0;
    for (size_t i = 0; i < policy->n_actions; i++) {
        const struct dps_action *action = actions[i];

        if (action->kind == DPS_ACTION_WAYPOINT) {
            res->waypoints[n_waypoints++] = action->location;
        } else if (action->kind == DPS_ACTION_DENY) {
            COVERAGE_INC(dps_deny);
            res->verdict = DPS_DENY;
            res->deny_action = action->name;
            return;
        }
    }
    res->verdict = DPS_FORWARD;
    res->n_waypoints = n_waypoints;
}

/* Fills in where 'ep', which has a hypervisor, is in '*res'. */
static void
resolve_location(const struct dps_endpoint *ep, struct dps_resolution *res)
{
    const struct dps_hypervisor *hv = ep->hypervisor;

    ovs_assert(hv);
    res->hypervisor_name = hv->name;
    res->dpid = hv->dpid;
    res->tunnel_ip = hv->tunnel_ip;
    res->port = ep->port;
}

/* Objects. */

static struct dps_network *
network_lookup(const struct dps *dps, const struct uuid *uuid)
{
    struct dps_network *net;

    HMAP_FOR_EACH_WITH_HASH (net, uuid_node, uuid_hash(uuid),
                             &dps->networks) {
        if (uuid_equals(&net->uuid, uuid)) {
            return net;
        }
    }
    return NULL;
}

static struct dps_hypervisor *
hypervisor_lookup(const struct dps *dps, const struct uuid *uuid)
{
    struct dps_hypervisor *hv;

    HMAP_FOR_EACH_WITH_HASH (hv, uuid_node, uuid_hash(uuid),
                             &dps->hypervisors) {
        if (uuid_equals(&hv->uuid, uuid)) {
            return hv;
        }
    }
    return NULL;
}

static struct dps_domain *
domain_lookup(const struct dps *dps, const struct uuid *uuid)
{
    struct dps_domain *domain;

    HMAP_FOR_EACH_WITH_HASH (domain, uuid_node, uuid_hash(uuid),
                             &dps->domains) {
        if (uuid_equals(&domain->uuid, uuid)) {
            return domain;
        }
    }
    return NULL;
}

static struct dps_action *
action_lookup(const struct dps *dps, const struct uuid *uuid)
{
    struct dps_action *action;

    HMAP_FOR_EACH_WITH_HASH (action, uuid_node, uuid_hash(uuid),
                             &dps->actions) {
        if (uuid_equals(&action->uuid, uuid)) {
            return action;
        }
    }
    return NULL;
}

static struct dps_policy *
policy_lookup(const struct dps *dps, const struct uuid *uuid)
{
    struct dps_policy *policy;

    HMAP_FOR_EACH_WITH_HASH (policy, uuid_node, uuid_hash(uuid),
                             &dps->policies) {
        if (uuid_equals(&policy->uuid, uuid)) {
            return policy;
        }
    }
    return NULL;
}

static struct dps_endpoint *
endpoint_lookup(const struct dps *dps, const struct uuid *uuid)
{
    struct dps_endpoint *ep;

    HMAP_FOR_EACH_WITH_HASH (ep, uuid_node, uuid_hash(uuid),
                             &dps->endpoints) {
        if (uuid_equals(&ep->uuid, uuid)) {
            return ep;
        }
    }
    return NULL;
}

/* Frees 'net', which nothing may refer to any more. */
static void
network_destroy(struct dps *dps, struct dps_network *net)
{
    hmap_remove(&dps->networks, &net->uuid_node);
    hmap_remove(&dps->networks_by_name, &net->name_node);
    ovs_assert(!oamap_count(&net->ip4s));
    ovs_assert(!oamap_count(&net->ips));
    ovs_assert(hmap_is_empty(&net->macs));
    ovs_assert(hmap_is_empty(&net->policies));
    ovs_assert(ovs_list_is_empty(&net->externals));
    oamap_destroy(&net->ip4s);
    oamap_destroy(&net->ips);
    hmap_destroy(&net->macs);
    hmap_destroy(&net->policies);
    dps_free_string(dps, net->name);
    dps_free(dps, net, sizeof *net);
}

/* Detaches the endpoints on 'hv' and frees it. */
static void
hypervisor_destroy(struct dps *dps, struct dps_hypervisor *hv)
{
    struct dps_endpoint *ep;

    LIST_FOR_EACH_POP (ep, hv_node, &hv->endpoints) {
        COVERAGE_INC(dps_hypervisor_detach);
        ep->hypervisor = NULL;

        /* The IPv4 address index's copies of "located". */
        for (size_t i = 0; i < ep->n_ips; i++) {
            const struct dps_ip *entry = endpoint_ip_entry(ep, i);
            if (IN6_IS_ADDR_V4MAPPED(&entry->ip)) {
                size_t pos;
                ip4_slot(ep, &entry->ip, &pos)->value = ip4_slot_value(ep);
            }
        }
    }
    hmap_remove(&dps->hypervisors, &hv->uuid_node);
    dps_free_string(dps, hv->name);
    dps_free(dps, hv, sizeof *hv);
}

/* Frees 'domain', which nothing may refer to any more. */
static void
domain_destroy(struct dps *dps, struct dps_domain *domain)
{
    hmap_remove(&dps->domains, &domain->uuid_node);
    domain_number_give(dps, domain);
    domain->network->n_refs--;
    dps_free_string(dps, domain->name);
    dps_free(dps, domain, sizeof *domain);
}

/* Frees 'action', which nothing may refer to any more. */
static void
action_destroy(struct dps *dps, struct dps_action *action)
{
    hmap_remove(&dps->actions, &action->uuid_node);
    action->network->n_refs--;
    dps_free_string(dps, action->name);
    dps_free_string(dps, action->location);
    dps_free(dps, action, sizeof *action);
}

/* Takes 'policy' out of its network's index and drops its references. */
static void
policy_unindex(struct dps_policy *policy)
{
    struct dps_network *net = policy->network;

    hmap_remove(&net->policies, &policy->key_node);
    net->n_refs--;
    if (policy->src_domain) {
        policy->src_domain->n_refs--;
        policy->dst_domain->n_refs--;
    } else {
        policy_refresh_default(net);
    }
    for (size_t i = 0; i < policy->n_actions; i++) {
        policy_actions(policy)[i]->n_refs--;
    }
}

/* Frees 'policy', already unindexed. */
static void
policy_destroy(struct dps *dps, struct dps_policy *policy)
{
    hmap_remove(&dps->policies, &policy->uuid_node);
    if (policy->n_actions > POLICY_INLINE_ACTIONS) {
        dps_free(dps, policy->heap_actions,
                 policy->n_actions * sizeof *policy->heap_actions);
    }
    dps_free(dps, policy, sizeof *policy);
}

/* Returns 'policy''s actions, in order. */
static struct dps_action *const *
policy_actions(const struct dps_policy *policy)
{
    return (policy->n_actions <= POLICY_INLINE_ACTIONS
            ? policy->inline_actions : policy->heap_actions);
}

/* Points 'net''s default policy at one of its default policies (normally
 * the only one), or NULL if it has none. */
static void
policy_refresh_default(struct dps_network *net)
{
    const struct dps_policy *policy;

    net->default_policy = NULL;
    HMAP_FOR_EACH_WITH_HASH (policy, key_node, domains_hash(NULL, NULL),
                             &net->policies) {
        if (!policy->src_domain) {
            net->default_policy = policy;
            break;
        }
    }
}

/* Takes 'ep' out of every index except the UUID one, drops its references
 * and frees what it owns, leaving the struct itself. */
static void
endpoint_unindex(struct dps *dps, struct dps_endpoint *ep)
{
    struct dps_network *net = ep->network;

    hmap_remove(&dps->endpoints_by_name, &ep->name_node);
    dps_free(dps, ep->name, endpoint_strings_size(ep));

    for (size_t i = 0; i < ep->n_ips; i++) {
        const struct dps_ip *entry = endpoint_ip_entry(ep, i);
        if (IN6_IS_ADDR_V4MAPPED(&entry->ip)) {
            size_t pos;
            ip4_slot(ep, &entry->ip, &pos);
            oamap_remove_at(&net->ip4s, pos);
        } else {
            oamap_remove(&net->ips, entry, ip_hash(&entry->ip));
        }
    }
    if (ep->n_ips > 1) {
        dps_free(dps, ep->extra_ips,
                 (ep->n_ips - 1) * sizeof *ep->extra_ips);
    }
    if (ep->has_mac) {
        hmap_remove(&net->macs, &ep->mac_node);
    }
    if (ep->is_external) {
        struct dps_external *ext;
        LIST_FOR_EACH (ext, list_node, &net->externals) {
            if (ext->endpoint == ep) {
                ovs_list_remove(&ext->list_node);
                dps_free(dps, ext, sizeof *ext);
                break;
            }
        }
    } else if (!ep->n_ips) {
        net->n_unaddressed--;
    }

    if (ep->hypervisor) {
        ovs_list_remove(&ep->hv_node);
    }
    if (ep->domain) {
        ep->domain->n_refs--;
    }
    net->n_refs--;
}

/* Fills in 'ep' (whose 'uuid' and 'uuid_node' are set) from 'spec' and
 * puts it into the indexes. */
static void
endpoint_index(struct dps *dps, struct dps_endpoint *ep,
               const struct dps_endpoint_spec *spec)
{
    struct dps_network *net = network_lookup(dps, &spec->network);
    ovs_assert(net);
    ep->network = net;
    net->n_refs++;

    ep->domain = NULL;
    if (spec->domain) {
        ep->domain = domain_lookup(dps, spec->domain);
        ovs_assert(ep->domain && ep->domain->network == net);
        ep->domain->n_refs++;
    }

    ep->hypervisor = (spec->hypervisor
                      ? hypervisor_lookup(dps, spec->hypervisor) : NULL);
    if (ep->hypervisor) {
        ovs_list_push_back(&ep->hypervisor->endpoints, &ep->hv_node);
    }

    /* The name and the port, in one block. */
    size_t name_len = strlen(spec->name) + 1;
    size_t port_len = spec->port ? strlen(spec->port) + 1 : 0;
    ep->name = dps_alloc(dps, name_len + port_len);
    memcpy(ep->name, spec->name, name_len);
    ep->port = NULL;
    if (spec->port) {
        memcpy(ep->name + name_len, spec->port, port_len);
        ep->port = ep->name + name_len;
    }
    hmap_insert(&dps->endpoints_by_name, &ep->name_node,
                name_hash(ep->name));

    ep->has_mac = spec->has_mac;
    if (ep->has_mac) {
        ep->mac = spec->mac;
        hmap_insert(&net->macs, &ep->mac_node, mac_hash(ep->mac));
    } else {
        ep->mac = eth_addr_zero;
    }

    /* IP addresses, lowest first, without duplicates. */
    struct in6_addr *ips = NULL;
    size_t n_ips = 0;
    if (spec->n_ips) {
        ips = xmemdup(spec->ips, spec->n_ips * sizeof *ips);
        qsort(ips, spec->n_ips, sizeof *ips, compare_ips);
        for (size_t i = 0; i < spec->n_ips; i++) {
            if (!n_ips || !ipv6_addr_equals(&ips[n_ips - 1], &ips[i])) {
                ips[n_ips++] = ips[i];
            }
        }
    }
    ep->n_ips = n_ips;
    ep->extra_ips = (n_ips > 1
                     ? dps_alloc(dps, (n_ips - 1) * sizeof *ep->extra_ips)
                     : NULL);
    for (size_t i = 0; i < n_ips; i++) {
        struct dps_ip *entry = endpoint_ip_entry(ep, i);

        entry->ip = ips[i];
        entry->endpoint = ep;
        if (IN6_IS_ADDR_V4MAPPED(&entry->ip)) {
            oamap_insert_value(&net->ip4s, ip_hash(&entry->ip),
                               ep->uuid.parts[0], ip4_slot_value(ep));
        } else {
            oamap_insert(&net->ips, entry, ip_hash(&entry->ip));
        }
    }
    free(ips);

    /* External prefix, kept longest first. */
    ep->is_external = spec->is_external;
    if (ep->is_external) {
        struct dps_external *ext = dps_alloc(dps, sizeof *ext);
        struct ovs_list *before = &net->externals;
        struct dps_external *pos;

        ovs_assert(spec->plen <= 128);
        ext->mask = ipv6_create_mask(spec->plen);
        ext->prefix = ipv6_addr_bitand(&spec->prefix, &ext->mask);
        ext->plen = spec->plen;
        ext->endpoint = ep;
        LIST_FOR_EACH (pos, list_node, &net->externals) {
            if (pos->plen < ext->plen) {
                before = &pos->list_node;
                break;
            }
        }
        ovs_list_insert(before, &ext->list_node);
    } else if (!n_ips) {
        net->n_unaddressed++;
    }
}

/* Takes 'ep' out of every index and frees it. */
static void
endpoint_destroy(struct dps *dps, struct dps_endpoint *ep)
{
    endpoint_unindex(dps, ep);
    hmap_remove(&dps->endpoints, &ep->uuid_node);
    dps->bytes -= dps->endpoint_slab.size;
    dt_slab_free(&dps->endpoint_slab, ep);
}

/* Returns what the IPv4 address index holds of 'ep' beside each of its
 * IPv4 addresses, but for the first 32 bits of its UUID. */
static uint64_t
ip4_slot_value(const struct dps_endpoint *ep)
{
    uint64_t number = ep->domain ? ep->domain->number : 0;

    return (IP4_IN_USE
            | (ep->hypervisor ? IP4_LOCATED : 0)
            | number << IP4_DOMAIN_SHIFT
            | ep->id);
}

/* Returns the slot of 'ep''s IPv4 address 'ip' in its network's IPv4
 * address index, and its position in '*pos'. */
static struct oamap_slot *
ip4_slot(const struct dps_endpoint *ep, const struct in6_addr *ip,
         size_t *pos)
{
    struct oamap_slot *slot;

    OAMAP_FOR_EACH_SLOT_WITH_HASH (slot, *pos, ip_hash(ip),
                                   &ep->network->ip4s) {
        if ((uint32_t) slot->value == ep->id) {
            return slot;
        }
    }
    OVS_NOT_REACHED();
}

/* Gives 'domain' a number for the IPv4 address index: the one freed last,
 * else the next. */
static void
domain_number_take(struct dps *dps, struct dps_domain *domain)
{
    uint32_t number;

    if (dps->n_free_domain_numbers) {
        number = dps->free_domain_numbers[--dps->n_free_domain_numbers];
    } else {
        if (!dps->n_domain_numbers) {
            dps->n_domain_numbers = 1;      /* 0 means no domain. */
        }
        ovs_assert(dps->n_domain_numbers <= IP4_MAX_DOMAIN_NUMBER);
        while (dps->n_domain_numbers >= dps->allocated_domain_numbers) {
            dps->domains_by_number = x2nrealloc(
                dps->domains_by_number, &dps->allocated_domain_numbers,
                sizeof *dps->domains_by_number);
            dps->domains_by_number[0] = NULL;
        }
        number = dps->n_domain_numbers++;
    }
    dps->domains_by_number[number] = domain;
    domain->number = number;
}

/* Frees 'domain''s number for another domain. */
static void
domain_number_give(struct dps *dps, struct dps_domain *domain)
{
    ovs_assert(dps->domains_by_number[domain->number] == domain);
    dps->domains_by_number[domain->number] = NULL;
    if (dps->n_free_domain_numbers >= dps->allocated_free_domain_numbers) {
        dps->free_domain_numbers = x2nrealloc(
            dps->free_domain_numbers, &dps->allocated_free_domain_numbers,
            sizeof *dps->free_domain_numbers);
    }
    dps->free_domain_numbers[dps->n_free_domain_numbers++] = domain->number;
}

/* Returns 'ep''s IP address entry 'i' (less than 'ep->n_ips'): 'ip0' for
 * the first, then 'extra_ips'. */
static struct dps_ip *
endpoint_ip_entry(const struct dps_endpoint *ep, size_t i)
{
    return CONST_CAST(struct dps_ip *, i ? &ep->extra_ips[i - 1] : &ep->ip0);
}

/* Returns the size of the block that holds 'ep''s name and port. */
static size_t
endpoint_strings_size(const struct dps_endpoint *ep)
{
    return (strlen(ep->name) + 1
            + (ep->port ? strlen(ep->port) + 1 : 0));
}

/* Hashing. */

/* Inserts 'node' with 'hash' into 'hmap', one of the indexes that every
 * resolution searches, keeping its load factor at most 1 /
 * HOT_HMAP_LOAD_INV (hmap on its own lets it reach 2): at a million
 * entries, every further node in a bucket's chain costs a lookup a cache
 * miss of its own, which is worth a few more bytes of buckets per entry
 * (about 1.4 times the batched resolution rate for 12 bytes per
 * endpoint). */
static void
hot_hmap_insert(struct hmap *hmap, struct hmap_node *node, uint32_t hash)
{
    size_t n = hmap_count(hmap) + 1;

    if (n * HOT_HMAP_LOAD_INV > hmap->mask + 1) {
        /* hmap_reserve(N) makes at least N / 2 buckets. */
        hmap_reserve(hmap, 2 * HOT_HMAP_LOAD_INV * n);
    }
    hmap_insert(hmap, node, hash);
}

static uint32_t
ip_hash(const struct in6_addr *ip)
{
    if (IN6_IS_ADDR_V4MAPPED(ip)) {
        return ip4_key(in6_addr_get_mapped_ipv4(ip));
    }

    uint64_t words[2];
    memcpy(words, ip, sizeof words);
    return hash_words64_inline(words, 2, 0);
}

/* Returns a hash of 'ip' that is also a bijection, so that two addresses
 * with the same hash are the same address (the IPv4 address index keys on
 * it).  Each step, a shift folded in by exclusive or or a multiplication
 * by an odd number, can be undone; the multipliers are ones found to mix
 * the bits well. */
static uint32_t
ip4_key(ovs_be32 ip)
{
    uint32_t x = ntohl(ip);

    x ^= x >> 16;
    x *= 0x7feb352d;
    x ^= x >> 15;
    x *= 0x846ca68b;
    x ^= x >> 16;
    return x;
}

static uint32_t
mac_hash(struct eth_addr mac)
{
    uint64_t word = 0;

    memcpy(&word, &mac, sizeof mac);
    return hash_uint64(word);
}

static uint32_t
domains_hash(const struct dps_domain *src, const struct dps_domain *dst)
{
    return dt_hash_2words(src ? src->hash : 0, dst ? dst->hash : 0);
}

static uint32_t
name_hash(const char *name)
{
    return hash_string(name, 0);
}

static int
compare_ips(const void *a_, const void *b_)
{
    return memcmp(a_, b_, sizeof(struct in6_addr));
}

/* Memory. */

/* Returns 'size' bytes from xmalloc(), counted in 'dps->bytes'. */
static void *
dps_alloc(struct dps *dps, size_t size)
{
    dps->bytes += malloc_cost(size);
    return xmalloc(size);
}

/* Frees 'p', which dps_alloc() returned for 'size' bytes. */
static void
dps_free(struct dps *dps, void *p, size_t size)
{
    if (p) {
        ovs_assert(dps->bytes >= malloc_cost(size));
        dps->bytes -= malloc_cost(size);
        free(p);
    }
}

/* Returns a copy of 's', counted in 'dps->bytes'. */
static char *
dps_strdup(struct dps *dps, const char *s)
{
    size_t size = strlen(s) + 1;
    return memcpy(dps_alloc(dps, size), s, size);
}

/* Frees 's' (NULL or from dps_strdup()). */
static void
dps_free_string(struct dps *dps, char *s)
{
    if (s) {
        dps_free(dps, s, strlen(s) + 1);
    }
}

/* Returns what a block of 'size' bytes costs in glibc's malloc: a
 * size_t header, rounded up to 16 bytes, at least 4 size_t; large blocks
 * are mmap()ed whole pages. */
static size_t
malloc_cost(size_t size)
{
    if (size >= 128 * 1024) {
        return ROUND_UP(size + 2 * sizeof(size_t), 4096);
    }
    return MAX(ROUND_UP(size + sizeof(size_t), 16), 4 * sizeof(size_t));
}

/* Returns the memory of 'map''s slots (0 if it has none). */
static size_t
oamap_cost(const struct oamap *map)
{
    size_t size = oamap_allocated(map);
    return size ? malloc_cost(size) : 0;
}

/* Returns the memory of 'hmap''s bucket array (0 if it has none of its
 * own). */
static size_t
hmap_cost(const struct hmap *hmap)
{
    return hmap->mask ? malloc_cost((hmap->mask + 1) * sizeof *hmap->buckets)
                      : 0;
}
