/*
 * dt-blueprint: a whole virtual network as one JSON document.
 *
 * DOVE (section 3) describes an application's network as a blueprint: the
 * policy domains its endpoints fall into, the policy actions (appliances
 * and verdicts) the network offers, the unidirectional policies between
 * pairs of domains (plus a default policy) and the endpoints themselves.
 * "dovetail-ctl import FILE" loads such a blueprint into the database in
 * one transaction and "dovetail-ctl export NETWORK" prints one back;
 * Documentation/blueprints.rst describes the format and walks through the
 * paper's three-tier example (Documentation/blueprints/three-tier.json).
 *
 * This module is the plain C model of a blueprint ('struct dt_blueprint')
 * with its JSON reader and writer.  It knows nothing of the database:
 * lib/dt-blueprint-db writes a blueprint through the IDL and reads one
 * back.  (The two are separate because jansson's header, which this module
 * uses, cannot share a translation unit with OVS's JSON header, which the
 * IDL pulls in.)
 *
 * dt_blueprint_from_file() checks everything that can be checked without
 * the database: JSON types, required and unknown keys, the syntax of every
 * name, MAC, IP address, prefix, VNI and TTL (lib/dt-addr), duplicate
 * names, references between sections (a policy's domains and actions, an
 * endpoint's domain), that no vIP or MAC is used by two endpoints, that a
 * waypoint action has a location, the shape and number of policies.  Its
 * errors name the JSON path of the bad value and the problem, e.g.
 * "policies[3].dst_domain: unknown domain \"D-7\"" (array indexes count
 * from 0), or the file, line and column for a file that is not JSON.
 *
 * Values in a 'struct dt_blueprint' are canonical: IP addresses as
 * dt_parse_ip() writes them, MACs in lowercase, prefixes as ADDRESS/LENGTH.
 * The arrays keep the order of the file (so that later errors can name
 * the same paths); dt_blueprint_to_string() sorts them, so that equal
 * blueprints print as identical text.
 */
#ifndef DT_BLUEPRINT_H
#define DT_BLUEPRINT_H 1

#include <stddef.h>
#include <stdint.h>

#include "openvswitch/compiler.h"
#include "smap.h"
#include "svec.h"

/* A policy domain (DOVE Table 1). */
struct dt_blueprint_domain {
    char *name;                 /* Unique in the network, e.g. "D-1". */
    char *description;          /* Free text, e.g. "External", or NULL. */
    struct svec dhcp_servers;   /* Canonical IP addresses. */
};

/* A policy action (DOVE Table 4). */
struct dt_blueprint_action {
    char *name;                 /* Unique in the network, e.g. "A-1". */
    char *description;          /* Free text, e.g. "FW-1", or NULL. */
    char *kind;                 /* "allow", "deny" or "waypoint". */
    char *location;             /* A waypoint's appliance IP (canonical);
                                 * NULL for the other kinds. */
    struct smap config;         /* The appliance's configuration, opaque to
                                 * dovetail. */
};

/* A policy (DOVE Table 2): from 'src_domain' to 'dst_domain', or the
 * network's default policy if both are NULL. */
struct dt_blueprint_policy {
    char *src_domain;           /* Source domain's name, or NULL. */
    char *dst_domain;           /* Destination domain's name, or NULL. */
    struct svec actions;        /* Action names, in the order applied. */
    uint32_t ttl;               /* Seconds a switch may cache the policy,
                                 * 1 to DT_TTL_MAX. */
};

/* An endpoint (DOVE Table 3). */
struct dt_blueprint_endpoint {
    char *name;                 /* Unique across all networks. */
    char *domain;               /* Its policy domain's name, or NULL. */

    /* Virtual addresses, each possibly unknown. */
    char *mac;                  /* Lowercase xx:xx:xx:xx:xx:xx, or NULL. */
    struct svec ips;            /* Canonical IP addresses. */
    char *external;             /* External endpoint: the prefix it stands
                                 * for, canonical "ADDRESS/LENGTH"; NULL for
                                 * an ordinary endpoint. */

    /* Location, each part possibly unknown. */
    char *hypervisor;           /* Hypervisor's name, or NULL. */
    char *port;                 /* Port on the hypervisor, or NULL. */
};

/* A blueprint: one virtual network and everything in it. */
struct dt_blueprint {
    /* The Virtual_Network row. */
    char *network;              /* Network name. */
    uint32_t vni;               /* VXLAN network id, 1 to DT_VNI_MAX. */
    char *tenant;               /* Owning tenant's name, or NULL. */
    char *fabric_mode;          /* "overlay", "sarp" or "channel". */

    /* Its contents. */
    struct dt_blueprint_domain *domains;
    size_t n_domains;
    struct dt_blueprint_action *actions;
    size_t n_actions;
    struct dt_blueprint_policy *policies;
    size_t n_policies;
    struct dt_blueprint_endpoint *endpoints;
    size_t n_endpoints;
};

void dt_blueprint_init(struct dt_blueprint *);
void dt_blueprint_destroy(struct dt_blueprint *);

char *dt_blueprint_from_file(const char *file_name, struct dt_blueprint *)
    OVS_WARN_UNUSED_RESULT;
char *dt_blueprint_from_string(const char *text, const char *source,
                               struct dt_blueprint *) OVS_WARN_UNUSED_RESULT;
char *dt_blueprint_to_string(const struct dt_blueprint *);

struct dt_blueprint_domain *dt_blueprint_add_domain(struct dt_blueprint *,
                                                    const char *name);
struct dt_blueprint_action *dt_blueprint_add_action(struct dt_blueprint *,
                                                    const char *name,
                                                    const char *kind);
struct dt_blueprint_policy *dt_blueprint_add_policy(struct dt_blueprint *,
                                                    const char *src_domain,
                                                    const char *dst_domain,
                                                    uint32_t ttl);
struct dt_blueprint_endpoint *dt_blueprint_add_endpoint(
    struct dt_blueprint *, const char *name);

#endif /* lib/dt-blueprint.h */
