/*
 * dt-check: cross-row rules of the dovetail database.  See dt-check.h.
 *
 * One pass per table, each row checked on its own, plus two hash sets for
 * the uniqueness rules (MAC per network, OUI across tenants).  The whole
 * replica is checked rather than the rows a transaction touched, so a
 * change made with the generic commands ("set Endpoint web1 mac=...") is
 * held to the same rules as one made with endpoint-add; a check costs a
 * few hundred nanoseconds per row.
 */
#include <config.h>
#include "lib/dt-check.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "hash.h"
#include "lib/dovetail-idl.h"
#include "lib/dt-addr.h"
#include "lib/dt-db.h"
#include "lib/dt-dps.h"
#include "openvswitch/hmap.h"
#include "openvswitch/types.h"
#include "openvswitch/util.h"
#include "packets.h"
#include "util.h"

/* A (scope, value) pair already seen, and by which row, for the uniqueness
 * rules. */
struct seen {
    struct hmap_node node;      /* In a 'struct hmap' of 'struct seen'. */
    struct uuid scope;          /* Network (for MACs), zero for OUIs. */
    struct in6_addr value;      /* IP, or a MAC or an OUI (see key()). */
    const char *owner;          /* Name of the row that has it. */
};

static char *check_tenants(const struct ovsdb_idl *);
static char *check_networks(const struct ovsdb_idl *);
static char *check_domains(const struct ovsdb_idl *);
static char *check_actions(const struct ovsdb_idl *);
static char *check_policies(const struct ovsdb_idl *);
static char *check_endpoints(const struct ovsdb_idl *);
static char *check_hypervisors(const struct ovsdb_idl *);
static char *check_groups(const struct ovsdb_idl *);
static struct in6_addr key(uint64_t);
static const struct seen *seen_add(struct hmap *, const struct uuid *scope,
                                   const struct in6_addr *value,
                                   const char *owner);
static void seen_destroy(struct hmap *);

char *
dt_check_db(const struct ovsdb_idl *idl)
{
    char *(*const checks[])(const struct ovsdb_idl *) = {
        check_tenants, check_networks, check_domains, check_actions,
        check_policies, check_hypervisors, check_endpoints, check_groups,
    };

    for (size_t i = 0; i < ARRAY_SIZE(checks); i++) {
        char *error = checks[i](idl);
        if (error) {
            return error;
        }
    }
    return NULL;
}

static const char *
net_name(const struct dtrec_virtual_network *net)
{
    return net ? net->name : "(none)";
}

/* Returns 'error' prefixed with "WHAT \"NAME\" in network \"NET\": ",
 * freeing 'error', for rows whose names are unique within a network. */
static char *
network_row_error(char *error, const char *what, const char *name,
                  const struct dtrec_virtual_network *net)
{
    char *s = xasprintf("%s \"%s\" in network \"%s\": %s", what, name,
                        net_name(net), error);
    free(error);
    return s;
}

/* Returns a message that 'value' (e.g. "MAC 00:00:00:00:00:01") is used
 * by both the KIND rows named 'a' and 'b' 'where' (e.g. " in network
 * \"blue\""), naming them in sorted order so that the message does not
 * depend on the order rows are checked in. */
static char *
used_twice(const char *value, const char *kind, const char *a,
           const char *b, const char *where)
{
    if (strcmp(a, b) > 0) {
        const char *tmp = a;
        a = b;
        b = tmp;
    }
    return xasprintf("%s is used by both %s \"%s\" and %s \"%s\"%s", value,
                     kind, a, kind, b, where);
}

/* Returns 'error' prefixed with "WHAT \"NAME\": ", freeing 'error'. */
static char *
prefix_error(char *error, const char *what, const char *name)
{
    char *s = xasprintf("%s \"%s\": %s", what, name, error);
    free(error);
    return s;
}

static char *
check_tenants(const struct ovsdb_idl *idl)
{
    const struct dtrec_tenant *tenant;
    struct hmap ouis = HMAP_INITIALIZER(&ouis);
    static const struct uuid no_scope;
    char *error = NULL;

    DTREC_TENANT_FOR_EACH (tenant, idl) {
        error = dt_parse_name("tenant", tenant->name);
        for (size_t i = 0; !error && i < tenant->n_ouis; i++) {
            uint32_t oui;

            error = dt_parse_oui(tenant->ouis[i], &oui);
            if (error) {
                error = prefix_error(error, "tenant", tenant->name);
            } else {
                struct in6_addr k = key(oui);
                const struct seen *other = seen_add(&ouis, &no_scope, &k,
                                                    tenant->name);
                if (other && strcmp(other->owner, tenant->name)) {
                    char *value = xasprintf("OUI %s", tenant->ouis[i]);
                    error = used_twice(value, "tenant", other->owner,
                                       tenant->name, "");
                    free(value);
                }
            }
        }
        if (error) {
            break;
        }
    }
    seen_destroy(&ouis);
    return error;
}

static char *
check_networks(const struct ovsdb_idl *idl)
{
    const struct dtrec_virtual_network *net;

    DTREC_VIRTUAL_NETWORK_FOR_EACH (net, idl) {
        char *error = dt_parse_name("network", net->name);
        if (error) {
            return error;
        }
    }
    return NULL;
}

static char *
check_domains(const struct ovsdb_idl *idl)
{
    const struct dtrec_policy_domain *dom;

    DTREC_POLICY_DOMAIN_FOR_EACH (dom, idl) {
        char *error = dt_parse_name("domain", dom->name);
        for (size_t i = 0; !error && i < dom->n_dhcp_servers; i++) {
            struct in6_addr ip;
            error = dt_parse_ip(dom->dhcp_servers[i], &ip, NULL);
        }
        if (error) {
            return network_row_error(error, "domain", dom->name,
                                     dom->network);
        }
    }
    return NULL;
}

static char *
check_actions(const struct ovsdb_idl *idl)
{
    const struct dtrec_policy_action *act;

    DTREC_POLICY_ACTION_FOR_EACH (act, idl) {
        char *error = dt_parse_name("action", act->name);
        bool waypoint = !strcmp(act->kind, "waypoint");

        if (!error && waypoint && !act->location) {
            error = xstrdup("a waypoint action needs a location (the "
                            "appliance's IP address)");
        } else if (!error && waypoint) {
            struct in6_addr ip;
            error = dt_parse_ip(act->location, &ip, NULL);
        } else if (!error && act->location) {
            error = xasprintf("only a waypoint action has a location, not "
                              "a \"%s\" action", act->kind);
        }
        if (error) {
            return network_row_error(error, "action", act->name,
                                     act->network);
        }
    }
    return NULL;
}

/* Appends "SRC\" -> \"DST" or "default" naming 'policy' for messages. */
static char *
policy_name(const struct dtrec_policy *policy)
{
    if (!policy->src_domain && !policy->dst_domain) {
        return xasprintf("default policy of network \"%s\"",
                         net_name(policy->network));
    }
    return xasprintf("policy \"%s\" -> \"%s\" in network \"%s\"",
                     policy->src_domain ? policy->src_domain->name : "",
                     policy->dst_domain ? policy->dst_domain->name : "",
                     net_name(policy->network));
}

static char *
check_policy(const struct dtrec_policy *policy)
{
    if (!policy->src_domain != !policy->dst_domain) {
        return xstrdup("a policy has both a source and a destination "
                       "domain, or neither (the network's default policy)");
    }
    const struct dtrec_virtual_network *net = policy->network;
    if ((policy->src_domain
         && !dt_db_same_row(policy->src_domain->network, net))
        || (policy->dst_domain
            && !dt_db_same_row(policy->dst_domain->network, net))) {
        return xstrdup("its domains must be in the policy's network");
    }
    if (policy->n_actions > DPS_MAX_ACTIONS) {
        return xasprintf("%"PRIuSIZE" actions, more than the %d a policy "
                         "may have", policy->n_actions, DPS_MAX_ACTIONS);
    }
    for (size_t i = 0; i < policy->n_actions; i++) {
        const struct dtrec_policy_action *act = policy->value_actions[i];

        if (!dt_db_same_row(act->network, policy->network)) {
            return xasprintf("action \"%s\" is in network \"%s\", not the "
                             "policy's", act->name, net_name(act->network));
        }
        for (size_t j = 0; j < i; j++) {
            if (dt_db_same_row(policy->value_actions[j], act)) {
                return xasprintf("action \"%s\" is listed twice", act->name);
            }
        }
    }
    return NULL;
}

static char *
check_policies(const struct ovsdb_idl *idl)
{
    const struct dtrec_policy *policy;

    DTREC_POLICY_FOR_EACH (policy, idl) {
        char *error = check_policy(policy);
        if (error) {
            char *name = policy_name(policy);
            char *s = xasprintf("%s: %s", name, error);
            free(name);
            free(error);
            return s;
        }
    }
    return NULL;
}

static char *
check_hypervisors(const struct ovsdb_idl *idl)
{
    const struct dtrec_hypervisor *hv;

    struct hmap ips = HMAP_INITIALIZER(&ips);
    static const struct uuid no_scope;
    char *error = NULL;

    DTREC_HYPERVISOR_FOR_EACH (hv, idl) {
        ovs_be32 ip;
        error = dt_parse_name("hypervisor", hv->name);
        if (!error) {
            error = dt_parse_ipv4(hv->tunnel_ip, &ip);
        }
        if (error) {
            error = prefix_error(error, "hypervisor", hv->name);
            break;
        }

        struct in6_addr k;
        in6_addr_set_mapped_ipv4(&k, ip);
        const struct seen *other = seen_add(&ips, &no_scope, &k, hv->name);
        if (other) {
            char *value = xasprintf("tunnel IP %s", hv->tunnel_ip);
            error = used_twice(value, "hypervisor", other->owner, hv->name,
                               "");
            free(value);
            break;
        }
    }
    seen_destroy(&ips);
    return error;
}

/* Checks one endpoint on its own. */
static char *
check_endpoint(const struct dtrec_endpoint *ep)
{
    char *error = dt_parse_name("endpoint", ep->name);
    if (error || !ep->network) {
        /* An endpoint always has a network, unless the replica is missing
         * the row (never, since dovetail-ctl replicates everything). */
        return error;
    }
    if (ep->domain && !dt_db_same_row(ep->domain->network, ep->network)) {
        return xasprintf("domain \"%s\" is in network \"%s\", not the "
                         "endpoint's network \"%s\"", ep->domain->name,
                         net_name(ep->domain->network),
                         net_name(ep->network));
    }
    if (ep->mac) {
        struct eth_addr mac;

        error = dt_parse_endpoint_mac(ep->mac, &mac);
        if (error) {
            return error;
        }
    }
    for (size_t i = 0; i < ep->n_addresses; i++) {
        const struct dtrec_address *addr = ep->addresses[i];
        char canonical[INET6_ADDRSTRLEN];
        struct in6_addr ip;

        error = dt_parse_ip(addr->ip, &ip, canonical);
        if (error) {
            return error;
        }
        if (strcmp(canonical, addr->ip)) {
            return xasprintf("IP address \"%s\" is not in canonical form "
                             "(\"%s\")", addr->ip, canonical);
        }
        if (!dt_db_same_row(addr->network, ep->network)) {
            return xasprintf("IP address %s is recorded in network \"%s\", "
                             "not the endpoint's", addr->ip,
                             net_name(addr->network));
        }
    }
    if (ep->external_prefix) {
        struct in6_addr prefix;
        unsigned int plen;

        error = dt_parse_ip_prefix(ep->external_prefix, &prefix, &plen);
        if (error) {
            return error;
        }
    }
    return NULL;
}

/* Returns the message that endpoints 'owner' and 'ep' share 'value' (a
 * malloc'd "MAC ..." or "IP address ...", freed here) in ep's network. */
static char *
endpoints_share(char *value, const char *owner,
                const struct dtrec_endpoint *ep)
{
    char *where = xasprintf(" in network \"%s\"", net_name(ep->network));
    char *error = used_twice(value, "endpoint", owner, ep->name, where);
    free(value);
    free(where);
    return error;
}

/* MACs are unique per network, checked only here.  IP addresses are
 * unique per network by the Address table's index, which OVSDB enforces;
 * checking here as well gives the operator the names of both endpoints
 * instead of a constraint violation. */
static char *
check_addresses(const struct ovsdb_idl *idl)
{
    const struct dtrec_endpoint *ep;
    struct hmap ips = HMAP_INITIALIZER(&ips);
    struct hmap macs = HMAP_INITIALIZER(&macs);
    char *error = NULL;

    DTREC_ENDPOINT_FOR_EACH (ep, idl) {
        for (size_t i = 0; ep->network && !error && i < ep->n_addresses;
             i++) {
            struct in6_addr ip;
            char *e = dt_parse_ip(ep->addresses[i]->ip, &ip, NULL);
            if (e) {
                free(e);
                continue;
            }
            const struct seen *other = seen_add(&ips,
                                                &ep->network->header_.uuid,
                                                &ip, ep->name);
            if (other) {
                char *value = xasprintf("IP address %s",
                                        ep->addresses[i]->ip);
                error = endpoints_share(value, other->owner, ep);
            }
        }
        /* In fabric mode "channel" (seed arp-free-servers) a VM is told
         * apart by its channel, never by its MAC: MACs may repeat. */
        if (!error && ep->network && ep->mac
            && strcmp(ep->network->fabric_mode, "channel")) {
            struct eth_addr mac;
            char *e = dt_parse_mac(ep->mac, &mac);
            if (e) {
                free(e);
                continue;
            }
            struct in6_addr k = key(eth_addr_to_uint64(mac));
            const struct seen *other = seen_add(&macs,
                                                &ep->network->header_.uuid,
                                                &k, ep->name);
            if (other) {
                error = endpoints_share(xasprintf("MAC %s", ep->mac),
                                        other->owner, ep);
            }
        }
        if (error) {
            break;
        }
    }
    seen_destroy(&ips);
    seen_destroy(&macs);
    return error;
}

static char *
check_endpoints(const struct ovsdb_idl *idl)
{
    const struct dtrec_endpoint *ep;

    DTREC_ENDPOINT_FOR_EACH (ep, idl) {
        char *error = check_endpoint(ep);
        if (error) {
            return prefix_error(error, "endpoint", ep->name);
        }
    }
    return check_addresses(idl);
}

static char *
check_groups(const struct ovsdb_idl *idl)
{
    const struct dtrec_multicast_group *group;

    DTREC_MULTICAST_GROUP_FOR_EACH (group, idl) {
        struct in6_addr ip;
        char *error = dt_parse_ip(group->group, &ip, NULL);

        if (!error && !(IN6_IS_ADDR_V4MAPPED(&ip)
                        ? ip_is_multicast(in6_addr_get_mapped_ipv4(&ip))
                        : ipv6_addr_is_multicast(&ip))) {
            error = xstrdup("not a multicast address");
        }
        /* Members may be endpoints of any network, other tenants' too:
         * a group can be meant for several tenants (controller/mcast.h
         * sends each its own copy). */
        if (error) {
            return network_row_error(error, "multicast group", group->group,
                                     group->network);
        }
    }
    return NULL;
}

/* Returns a MAC or an OUI as a 'struct seen' value: the number in the
 * low 64 bits. */
static struct in6_addr
key(uint64_t x)
{
    struct in6_addr k = IN6ADDR_ANY_INIT;
    ovs_be64 be = htonll(x);
    memcpy(&k.s6_addr[8], &be, sizeof be);
    return k;
}

/* Adds (scope, value) owned by 'owner' to 'set'.  Returns NULL if it was
 * new, otherwise the entry that already had it. */
static const struct seen *
seen_add(struct hmap *set, const struct uuid *scope,
         const struct in6_addr *value, const char *owner)
{
    uint32_t hash = hash_bytes(value, sizeof *value, uuid_hash(scope));
    struct seen *s;

    HMAP_FOR_EACH_WITH_HASH (s, node, hash, set) {
        if (ipv6_addr_equals(&s->value, value)
            && uuid_equals(&s->scope, scope)) {
            return s;
        }
    }
    s = xmalloc(sizeof *s);
    s->scope = *scope;
    s->value = *value;
    s->owner = owner;
    hmap_insert(set, &s->node, hash);
    return NULL;
}

static void
seen_destroy(struct hmap *set)
{
    struct seen *s;

    HMAP_FOR_EACH_POP (s, node, set) {
        free(s);
    }
    hmap_destroy(set);
}
