/*
 * dt-dps: the DOVE Policy Service's resolution, over indexes of its own.
 *
 * The database (lib/dovetail.ovsschema) holds virtual networks, policy
 * domains, policy actions, policies, endpoints and hypervisors.  Resolving
 * a policy request (DOVE section 4.2.2) takes a handful of lookups into
 * that state, and a controller answering packet-ins must never wait on the
 * database to do them.  A 'struct dps' therefore keeps its own copy of
 * exactly what resolution needs, in hash indexes:
 *
 *     (network, vIP)                  -> endpoint
 *     (network, vMAC)                 -> endpoint
 *     (network, src domain, dst dom.) -> policy
 *     network                         -> default policy, external prefixes
 *     UUID                            -> every object (for updates)
 *
 * The indexes are filled through the dps_*_set() and dps_*_remove()
 * functions, keyed by the database row's UUID; lib/dt-dps-idl.c feeds them
 * from an OVSDB IDL replica, and unit tests and benchmarks feed them
 * directly.  This module does no I/O and never blocks.
 *
 * Ordering: an object must be set before anything that refers to it (a
 * network before its domains, actions before the policies that use them,
 * ...), and removed after everything that refers to it, exactly the order
 * OVSDB's strong references impose.  Setting an object that refers to a
 * UUID the dps does not hold is a bug in the caller (ovs_assert()), except
 * for an endpoint's hypervisor, which is a weak reference in the database:
 * an unknown hypervisor leaves the endpoint without a location, and
 * removing a hypervisor detaches the endpoints on it.
 *
 * Resolution (dps_resolve_ip(), dps_resolve_mac()), DOVE 4.2.2:
 *
 *   1. The source endpoint gives the network and the source domain.
 *   2. The destination address gives the destination endpoint: an exact
 *      (network, vIP) or (network, vMAC) match, or else, for an IP, the
 *      external endpoint of the network whose prefix matches it longest.
 *      No endpoint: DPS_UNKNOWN (the trigger for address resolution).
 *      An endpoint with no location: DPS_UNKNOWN too, for the same reason.
 *   3. (network, src domain, dst domain) gives the policy, or else the
 *      network's default policy.  An endpoint outside every domain is
 *      governed by the default policy only.  A network without a default
 *      policy behaves as if it had one that allows, with
 *      DPS_IMPLICIT_TTL.
 *   4. The policy's actions, in order: "allow" adds nothing, "waypoint"
 *      appends its location to the path, "deny" makes the verdict
 *      DPS_DENY.
 *   5. The reply: destination hypervisor and port, waypoint path,
 *      tracking number and TTL, or deny.
 *
 * Addresses: IPv4 addresses are given and returned as IPv4-mapped IPv6
 * addresses (in6_addr_set_mapped_ipv4()).  Inside, IPv4 addresses have an
 * index of their own whose slots also hold what a verdict needs of the
 * endpoint, so that a deny reads no endpoint at all (see dt-dps.c).
 */
#ifndef DT_DPS_H
#define DT_DPS_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "lib/dt-addr.h"
#include "openvswitch/compiler.h"
#include "openvswitch/types.h"
#include "openvswitch/uuid.h"

struct ds;

/* A policy's waypoint path holds at most this many appliances; lib/dt-check
 * rejects policies with more actions than this. */
#define DPS_MAX_ACTIONS 16

/* TTL, in seconds, of the implicit "allow" of a network that has no default
 * policy. */
#define DPS_IMPLICIT_TTL 300

enum dps_action_kind {
    DPS_ACTION_ALLOW,
    DPS_ACTION_DENY,
    DPS_ACTION_WAYPOINT,
};

/* Returns "allow", "deny" or "waypoint". */
const char *dps_action_kind_to_string(enum dps_action_kind);
/* Parses "allow", "deny" or "waypoint" into '*kind'.  Returns false for any
 * other string. */
bool dps_action_kind_from_string(const char *, enum dps_action_kind *kind);

/* The policy service's indexes.  Opaque. */
struct dps *dps_create(void);
void dps_destroy(struct dps *);          /* NULL is a no-op. */
void dps_clear(struct dps *);            /* Removes everything. */

/* Virtual networks. */
void dps_network_set(struct dps *, const struct uuid *,
                     const char *name, uint32_t vni);
void dps_network_set_encap(struct dps *, const struct uuid *,
                           enum dt_encap);
void dps_network_set_sarp(struct dps *, const struct uuid *, bool sarp);
void dps_network_remove(struct dps *, const struct uuid *);

/* Hypervisors.  'tunnel_ip' is the IPv4 address tunnels to it go to. */
void dps_hypervisor_set(struct dps *, const struct uuid *,
                        const char *name, uint64_t dpid, ovs_be32 tunnel_ip);
void dps_hypervisor_remove(struct dps *, const struct uuid *);

/* Policy domains, in network 'network'. */
void dps_domain_set(struct dps *, const struct uuid *,
                    const struct uuid *network, const char *name);
void dps_domain_remove(struct dps *, const struct uuid *);

/* Policy actions, in network 'network'.  'location' is the waypoint
 * appliance's address (NULL for allow and deny). */
void dps_action_set(struct dps *, const struct uuid *,
                    const struct uuid *network, const char *name,
                    enum dps_action_kind, const char *location);
void dps_action_remove(struct dps *, const struct uuid *);

/* Policies, in network 'network', from 'src_domain' to 'dst_domain', or
 * the network's default policy if both are NULL.  'actions' lists the
 * n_actions (1 to DPS_MAX_ACTIONS) action UUIDs in order. */
void dps_policy_set(struct dps *, const struct uuid *,
                    const struct uuid *network,
                    const struct uuid *src_domain,
                    const struct uuid *dst_domain,
                    const struct uuid actions[], size_t n_actions,
                    uint32_t ttl, uint64_t tracking_number);
void dps_policy_remove(struct dps *, const struct uuid *);

/* What an endpoint is: the columns of an Endpoint row that resolution
 * uses. */
struct dps_endpoint_spec {
    const char *name;                /* Unique endpoint ID. */
    struct uuid network;
    const struct uuid *domain;       /* NULL: in no policy domain. */

    /* Virtual addresses. */
    bool has_mac;
    struct eth_addr mac;
    const struct in6_addr *ips;      /* IPv4 mapped into IPv6. */
    size_t n_ips;

    /* Location: a hypervisor and a port on it, either or both unknown. */
    const struct uuid *hypervisor;   /* NULL: unknown. */
    const char *port;                /* NULL: unknown. */

    /* External endpoint: the prefix it stands for (plen counts IPv6 bits,
     * so an IPv4 /24 has plen 96 + 24). */
    bool is_external;
    struct in6_addr prefix;
    unsigned int plen;
};

void dps_endpoint_set(struct dps *, const struct uuid *,
                      const struct dps_endpoint_spec *);
void dps_endpoint_remove(struct dps *, const struct uuid *);

/* Lookups. */
const struct dps_network *dps_find_network(const struct dps *,
                                           const struct uuid *);
const struct dps_network *dps_find_network_by_name(const struct dps *,
                                                   const char *name);
const struct dps_endpoint *dps_find_endpoint(const struct dps *,
                                             const struct uuid *);
const struct dps_endpoint *dps_find_endpoint_by_name(const struct dps *,
                                                     const char *name);
/* The endpoint in 'net' that has exactly 'ip' / 'mac' (external prefixes
 * are not consulted), or NULL. */
const struct dps_endpoint *dps_find_endpoint_by_ip(
    const struct dps *, const struct dps_network *net,
    const struct in6_addr *ip);
const struct dps_endpoint *dps_find_endpoint_by_mac(
    const struct dps *, const struct dps_network *net, struct eth_addr mac);

/* Lookups by UUID of the other kinds of objects, so that a caller (such as
 * lib/dt-dps-idl.c) can check that what a row refers to is present before
 * it calls dps_*_set() for the row. */
const struct dps_hypervisor *dps_find_hypervisor(const struct dps *,
                                                 const struct uuid *);
const struct dps_domain *dps_find_domain(const struct dps *,
                                         const struct uuid *);
const struct dps_action *dps_find_action(const struct dps *,
                                         const struct uuid *);
const struct dps_policy *dps_find_policy(const struct dps *,
                                         const struct uuid *);

/* The network with VNI 'vni', and the domain of 'net' whose UUID begins
 * with 'prefix' (PL_DOMAIN_FIELD's value), or NULL. */
const struct dps_network *dps_find_network_by_vni(const struct dps *,
                                                  uint32_t vni);
const struct dps_domain *dps_find_domain_by_prefix(
    const struct dps *, const struct dps_network *net, uint32_t prefix);

/* Read access to the objects, for replies and formatting. */
const struct uuid *dps_domain_uuid(const struct dps_domain *);
const struct uuid *dps_policy_uuid(const struct dps_policy *);
const struct uuid *dps_endpoint_uuid(const struct dps_endpoint *);
const struct dps_domain *dps_endpoint_domain(const struct dps_endpoint *);
bool dps_endpoint_mac(const struct dps_endpoint *, struct eth_addr *);
size_t dps_endpoint_n_ips(const struct dps_endpoint *);
const char *dps_endpoint_location(const struct dps_endpoint *,
                                  uint64_t *dpid, ovs_be32 *tunnel_ip);
const char *dps_network_name(const struct dps_network *);
uint32_t dps_network_vni(const struct dps_network *);
enum dt_encap dps_network_encap(const struct dps_network *);
bool dps_network_is_sarp(const struct dps_network *);
const char *dps_endpoint_name(const struct dps_endpoint *);
const struct dps_network *dps_endpoint_network(const struct dps_endpoint *);

/* The answer to one policy request. */
enum dps_verdict {
    DPS_FORWARD,                /* Deliver, through 'waypoints' in order. */
    DPS_DENY,                   /* Drop. */
    DPS_UNKNOWN,                /* No such destination (yet). */
};

/* Why the verdict is DPS_UNKNOWN. */
enum dps_unknown_reason {
    DPS_UNKNOWN_NONE,           /* Verdict is not DPS_UNKNOWN. */
    DPS_UNKNOWN_ADDRESS,        /* No endpoint has the address. */
    DPS_UNKNOWN_LOCATION,       /* The endpoint is not attached anywhere. */
};

struct dps_resolution {
    enum dps_verdict verdict;
    enum dps_unknown_reason unknown_reason;

    /* The endpoints: 'src' always, 'dst' unless DPS_UNKNOWN_ADDRESS, and
     * the first 32 bits of dst's UUID (what a policy cache entry's cookie
     * names it by), which a caller can read without reading 'dst'. */
    const struct dps_endpoint *src;
    const struct dps_endpoint *dst;
    uint32_t dst_uuid0;

    /* For DPS_UNKNOWN_ADDRESS: how many endpoints of the network have no
     * IP address yet, i.e. the candidates address resolution would
     * probe.  (External endpoints, which stand for a prefix, are not
     * counted.) */
    size_t n_unaddressed;

    /* The policy that decided (NULL for the implicit default), whether it
     * is the network's default ('is_default' is true for the implicit
     * default too), and the reply's caching terms.  For DPS_UNKNOWN, no
     * policy applies: NULL, false and zeros. */
    const struct dps_policy *policy;
    bool is_default;
    uint64_t tracking_number;   /* 0 for the implicit default. */
    uint32_t ttl;               /* Seconds. */

    /* For DPS_FORWARD: where the destination is.  (Also filled in for
     * DPS_DENY, for dps_resolution_format(), except by
     * dps_resolve_ip_from_domain().) */
    const char *hypervisor_name;
    uint64_t dpid;
    ovs_be32 tunnel_ip;
    const char *port;           /* May be NULL (external without port). */

    /* For DPS_FORWARD: the waypoint appliances' locations, in order. */
    const char *waypoints[DPS_MAX_ACTIONS];
    size_t n_waypoints;

    /* For DPS_DENY: the action that denied (its name). */
    const char *deny_action;

    /* The destination address as requested (dps_resolution_format() names
     * it when no endpoint has it): 'dst_mac' if 'dst_is_mac', otherwise
     * 'dst_ip'. */
    bool dst_is_mac;
    struct in6_addr dst_ip;
    struct eth_addr dst_mac;
};

/* Resolves a packet from 'src' to 'dst_ip' (or 'dst_mac') within src's
 * network into '*res'.  Never allocates and never blocks; the pointers in
 * '*res' stay valid until the dps is next modified. */
void dps_resolve_ip(const struct dps *, const struct dps_endpoint *src,
                    const struct in6_addr *dst_ip,
                    struct dps_resolution *res);
void dps_resolve_mac(const struct dps *, const struct dps_endpoint *src,
                     struct eth_addr dst_mac, struct dps_resolution *res);
/* The hash of 'ip' that dps_prefetch_ip() and
 * dps_resolve_ip_from_domain() take, so that a caller who calls both for
 * one address hashes it once. */
uint32_t dps_ip_hash(const struct in6_addr *ip);
/* Prefetches into the CPU cache what a lookup of 'ip', whose dps_ip_hash()
 * is 'ip_hash', in 'net' reads: with 'stage' 0 its index slots (for an
 * IPv4 address, all a lookup reads, since the slot holds what deciding a
 * verdict reads of the endpoint); with 'stage' 1, once those are in cache,
 * for other addresses, the first endpoint with that hash (almost always
 * the one looked up).  For callers that resolve a batch: each stage for
 * every request, then the resolutions, so the cache misses overlap instead
 * of following one another. */
void dps_prefetch_ip(const struct dps_network *, const struct in6_addr *ip,
                     uint32_t ip_hash, int stage);
void dps_resolve_ip_from_domain(const struct dps *,
                                const struct dps_network *net,
                                const struct dps_domain *src_domain,
                                const struct in6_addr *dst_ip,
                                uint32_t dst_hash,
                                struct dps_resolution *res);

/* Resolves 'n' requests at once: for each i < n, the same as
 * dps_resolve_ip(dps, srcs[i], &dst_ips[i], &res[i]).  Never allocates
 * and never blocks.  Faster than 'n' separate calls when the dps is much
 * larger than the CPU caches (it overlaps the requests' memory accesses),
 * so a caller with several requests in hand, such as a burst of
 * packet-ins, should use it; DPS_BATCH requests at a time is plenty. */
#define DPS_BATCH 16
void dps_resolve_ip_batch(const struct dps *, size_t n,
                          const struct dps_endpoint *const srcs[],
                          const struct in6_addr dst_ips[],
                          struct dps_resolution res[]);

/* Resolves a request given as text, as "dovetail-ctl resolve" and the
 * controller's "dps/resolve" take it: in the network named 'network', from
 * the endpoint named 'src' to 'dst', which is an IPv4 or IPv6 address, a
 * MAC address, or an endpoint name (meaning its first IP address in
 * sorted order if it has one, else its MAC).  Returns NULL and fills
 * '*res', or returns a malloc'd error that names the bad argument (e.g.
 * "\"vm9\": no such endpoint in network \"blue\"") and leaves '*res'
 * unspecified. */
char *dps_resolve_request(const struct dps *, const char *network,
                          const char *src, const char *dst,
                          struct dps_resolution *res)
    OVS_WARN_UNUSED_RESULT;

/* Appends to 's' a human-readable account of '*res': the endpoints and
 * their domains, the destination's location, the policy and why it was
 * chosen (explicit, default, implicit default), each action, and the
 * verdict, one "key: value" line each, in this order:
 *
 *   network: NAME (vni N)
 *   source: NAME (domain DOMAIN)          "(no domain)" if none
 *   destination: NAME (domain DOMAIN)     or "destination: unknown"
 *   location: HV (dpid %016x, tunnel A.B.C.D) port PORT   or "location: none"
 *   policy: "SRC" -> "DST" (tracking N, ttl S)
 *        or default (tracking N, ttl S)
 *        or implicit default: allow (ttl 300)
 *   actions: NAME (waypoint LOC), NAME (allow), NAME (deny)
 *   verdict: forward via LOC1, LOC2 to A.B.C.D port PORT
 *        or forward to A.B.C.D port PORT  (no waypoints)
 *        or deny (action NAME)
 *        or unknown: no endpoint has ADDRESS (K endpoints have no IP yet)
 *        or unknown: endpoint NAME has no location
 *
 * Lines that do not apply (location, policy and actions for an unknown
 * destination) are left out.  In detail: DPS_UNKNOWN_ADDRESS has the
 * network, source, "destination: unknown" and verdict lines;
 * DPS_UNKNOWN_LOCATION has the network, source, destination,
 * "location: none" and verdict lines; the implicit default has no
 * actions line; " port PORT" is left out of the location and verdict
 * lines when the port is unknown; and "(1 endpoint has no IP yet)" is
 * singular. */
void dps_resolution_format(const struct dps_resolution *, struct ds *s);

/* Statistics, for memory/show and benchmarks. */
struct dps_stats {
    size_t n_networks;
    size_t n_domains;
    size_t n_actions;
    size_t n_policies;
    size_t n_endpoints;
    size_t n_hypervisors;
    size_t n_ips;               /* Entries in the (network, vIP) index. */
    size_t bytes;               /* Memory the dps itself allocated. */
};
void dps_get_stats(const struct dps *, struct dps_stats *);

#endif /* lib/dt-dps.h */
