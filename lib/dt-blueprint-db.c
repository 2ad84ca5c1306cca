/*
 * dt-blueprint-db: blueprints into and out of the dovetail database.  See
 * dt-blueprint-db.h.
 *
 * An import checks everything first and writes only if all is well, so a
 * failed import leaves the transaction as it found it (the caller aborts
 * it anyway).  Rows are then written in reference order: the network, its
 * domains and actions, the policies that name them, the endpoints with
 * their Address rows.  A new policy starts at tracking number 1.
 *
 * Replacing a network empties it in the same transaction: its endpoints,
 * policies, actions, domains and multicast groups are deleted, and OVSDB
 * collects the endpoints' Address rows, which nothing refers to any more.
 * The Virtual_Network row itself stays (with the blueprint's VNI, tenant
 * and fabric mode, and its own external_ids): every Address row refers to
 * its network, and OVSDB checks that a deleted row has no references left
 * before it collects unreferenced non-root rows, so a network cannot be
 * deleted in the transaction that deletes its endpoints.  (The IDL sends
 * no "delete" for non-root rows, which would have been the other way.)
 */
#include <config.h>
#include "lib/dt-blueprint-db.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/dovetail-idl.h"
#include "lib/dt-blueprint.h"
#include "lib/dt-db.h"
#include "openvswitch/shash.h"
#include "openvswitch/util.h"
#include "smap.h"
#include "svec.h"
#include "util.h"

/* What an import found in the database, for writing once all checks
 * passed. */
struct import_refs {
    const struct dtrec_virtual_network *old;   /* Network replaced, or
                                                * NULL. */
    const struct dtrec_tenant *tenant;          /* Owning tenant, or NULL. */
    const struct dtrec_hypervisor **hvs;        /* One per endpoint, NULL
                                                 * for none. */
};

static char *check_import(struct ovsdb_idl *, const struct dt_blueprint *,
                          bool replace, struct import_refs *);
static void empty_network(struct ovsdb_idl *,
                          const struct dtrec_virtual_network *);
static void write_blueprint(struct ovsdb_idl_txn *,
                            const struct dt_blueprint *,
                            const struct import_refs *);

/* Adds the rows of 'bp', a blueprint that dt_blueprint_from_file() (or
 * dt_blueprint_db_export()) produced, to 'txn' on 'idl': a new network
 * with everything in it.  If a network of the same name exists, that is an
 * error unless 'replace' is true, in which case everything in the old
 * network is deleted in 'txn' first and the network row takes the
 * blueprint's VNI, tenant and fabric mode.
 *
 * Returns NULL on success.  On error, returns a malloc'd message naming
 * the blueprint's JSON path, e.g. "endpoints[2].hypervisor: unknown
 * hypervisor \"hv9\"", and leaves 'txn' unchanged; the caller should
 * abort it. */
char *
dt_blueprint_db_import(struct ovsdb_idl *idl, struct ovsdb_idl_txn *txn,
                       const struct dt_blueprint *bp, bool replace)
{
    struct import_refs refs = {
        .hvs = xcalloc(bp->n_endpoints, sizeof *refs.hvs),
    };
    char *error = check_import(idl, bp, replace, &refs);
    if (!error) {
        if (refs.old) {
            empty_network(idl, refs.old);
        }
        write_blueprint(txn, bp, &refs);
    }
    free(refs.hvs);
    return error;
}

/* Reads network 'network_name' and everything in it from 'idl' into 'bp',
 * which this function initializes.  Returns NULL on success, otherwise a
 * malloc'd error message, with 'bp' left empty.  Tracking numbers and
 * other rows' external_ids (except "description" of domains and actions)
 * are not part of a blueprint. */
char *
dt_blueprint_db_export(const struct ovsdb_idl *idl, const char *network_name,
                       struct dt_blueprint *bp)
{
    dt_blueprint_init(bp);

    const struct dtrec_virtual_network *net
        = dt_db_find_network(idl, network_name);
    if (!net) {
        return xasprintf("\"%s\": no such network", network_name);
    }
    bp->network = xstrdup(net->name);
    bp->vni = net->vni;
    bp->tenant = net->tenant ? xstrdup(net->tenant->name) : NULL;
    bp->fabric_mode = xstrdup(net->fabric_mode);

    const struct dtrec_policy_domain *dom;
    DTREC_POLICY_DOMAIN_FOR_EACH (dom, idl) {
        if (dt_db_same_row(dom->network, net)) {
            struct dt_blueprint_domain *domain
                = dt_blueprint_add_domain(bp, dom->name);
            domain->description = nullable_xstrdup(
                smap_get(&dom->external_ids, "description"));
            for (size_t i = 0; i < dom->n_dhcp_servers; i++) {
                svec_add(&domain->dhcp_servers, dom->dhcp_servers[i]);
            }
        }
    }

    const struct dtrec_policy_action *act;
    DTREC_POLICY_ACTION_FOR_EACH (act, idl) {
        if (dt_db_same_row(act->network, net)) {
            struct dt_blueprint_action *action
                = dt_blueprint_add_action(bp, act->name, act->kind);
            action->description = nullable_xstrdup(
                smap_get(&act->external_ids, "description"));
            action->location = nullable_xstrdup(act->location);
            smap_destroy(&action->config);
            smap_clone(&action->config, &act->config);
        }
    }

    const struct dtrec_policy *pol;
    DTREC_POLICY_FOR_EACH (pol, idl) {
        if (dt_db_same_row(pol->network, net)) {
            struct dt_blueprint_policy *policy = dt_blueprint_add_policy(
                bp, pol->src_domain ? pol->src_domain->name : NULL,
                pol->dst_domain ? pol->dst_domain->name : NULL, pol->ttl);

            const struct dtrec_policy_action **actions
                = dt_db_policy_actions(pol);
            for (size_t i = 0; i < pol->n_actions; i++) {
                svec_add(&policy->actions, actions[i]->name);
            }
            free(actions);
        }
    }

    const struct dtrec_endpoint *e;
    DTREC_ENDPOINT_FOR_EACH (e, idl) {
        if (dt_db_same_row(e->network, net)) {
            struct dt_blueprint_endpoint *ep
                = dt_blueprint_add_endpoint(bp, e->name);
            ep->domain = e->domain ? xstrdup(e->domain->name) : NULL;
            ep->mac = nullable_xstrdup(e->mac);
            for (size_t i = 0; i < e->n_addresses; i++) {
                svec_add(&ep->ips, e->addresses[i]->ip);
            }
            ep->external = nullable_xstrdup(e->external_prefix);
            ep->hypervisor = e->hypervisor ? xstrdup(e->hypervisor->name)
                                           : NULL;
            ep->port = nullable_xstrdup(e->port);
        }
    }
    return NULL;
}

/* Checks what importing 'bp' needs of the database behind 'idl' and fills
 * in 'refs'. */
static char *
check_import(struct ovsdb_idl *idl, const struct dt_blueprint *bp,
             bool replace, struct import_refs *refs)
{
    refs->old = dt_db_find_network(idl, bp->network);
    if (refs->old && !replace) {
        return xasprintf("network: network \"%s\" already exists (use "
                         "--replace to replace it)", bp->network);
    }

    const struct dtrec_virtual_network *other
        = dt_db_find_network_by_vni(idl, bp->vni);
    if (other && !dt_db_same_row(other, refs->old)) {
        return xasprintf("vni: VNI %"PRIu32" is already used by network "
                         "\"%s\"", bp->vni, other->name);
    }

    refs->tenant = NULL;
    if (bp->tenant) {
        refs->tenant = dt_db_find_tenant(idl, bp->tenant);
        if (!refs->tenant) {
            return xasprintf("tenant: unknown tenant \"%s\"", bp->tenant);
        }
    }

    /* Endpoint names are unique across networks. */
    struct shash endpoints = SHASH_INITIALIZER(&endpoints);
    const struct dtrec_endpoint *e;
    DTREC_ENDPOINT_FOR_EACH (e, idl) {
        if (!dt_db_same_row(e->network, refs->old)) {
            shash_add_once(&endpoints, e->name, e);
        }
    }

    char *error = NULL;
    for (size_t i = 0; !error && i < bp->n_endpoints; i++) {
        const struct dt_blueprint_endpoint *ep = &bp->endpoints[i];

        e = shash_find_data(&endpoints, ep->name);
        if (e) {
            error = xasprintf("endpoints[%"PRIuSIZE"].name: endpoint \"%s\" "
                              "already exists in network \"%s\"", i,
                              ep->name,
                              e->network ? e->network->name : "(none)");
        } else if (ep->hypervisor) {
            refs->hvs[i] = dt_db_find_hypervisor(idl, ep->hypervisor);
            if (!refs->hvs[i]) {
                error = xasprintf("endpoints[%"PRIuSIZE"].hypervisor: "
                                  "unknown hypervisor \"%s\"", i,
                                  ep->hypervisor);
            }
        }
    }
    shash_destroy(&endpoints);
    return error;
}

/* Deletes every row in 'net' (but not 'net'). */
static void
empty_network(struct ovsdb_idl *idl, const struct dtrec_virtual_network *net)
{
    const struct dtrec_endpoint *ep;
    DTREC_ENDPOINT_FOR_EACH_SAFE (ep, idl) {
        if (dt_db_same_row(ep->network, net)) {
            dtrec_endpoint_delete(ep);
        }
    }

    const struct dtrec_multicast_group *group;
    DTREC_MULTICAST_GROUP_FOR_EACH_SAFE (group, idl) {
        if (dt_db_same_row(group->network, net)) {
            dtrec_multicast_group_delete(group);
        }
    }

    const struct dtrec_policy *policy;
    DTREC_POLICY_FOR_EACH_SAFE (policy, idl) {
        if (dt_db_same_row(policy->network, net)) {
            dtrec_policy_delete(policy);
        }
    }

    const struct dtrec_policy_action *action;
    DTREC_POLICY_ACTION_FOR_EACH_SAFE (action, idl) {
        if (dt_db_same_row(action->network, net)) {
            dtrec_policy_action_delete(action);
        }
    }

    const struct dtrec_policy_domain *domain;
    DTREC_POLICY_DOMAIN_FOR_EACH_SAFE (domain, idl) {
        if (dt_db_same_row(domain->network, net)) {
            dtrec_policy_domain_delete(domain);
        }
    }
}

/* Sets 'row''s "description" in 'external_ids' column with 'set' (one of
 * the dtrec_*_set_external_ids() functions) if 'description' is nonnull. */
#define SET_DESCRIPTION(ROW, DESCRIPTION, SET)                          \
    do {                                                                \
        if (DESCRIPTION) {                                              \
            struct smap ids = SMAP_INITIALIZER(&ids);                   \
            smap_add(&ids, "description", DESCRIPTION);                 \
            SET(ROW, &ids);                                             \
            smap_destroy(&ids);                                         \
        }                                                               \
    } while (0)

/* Inserts endpoint 'ep' of network 'net' into 'txn', with its addresses,
 * in policy domain 'domain' and on hypervisor 'hv' (each possibly NULL):
 * the rows dt_blueprint_db_import() writes for it, for a caller that adds
 * endpoints to a network it imported (without the import's checks). */
void
dt_blueprint_db_insert_endpoint(struct ovsdb_idl_txn *txn,
                                const struct dtrec_virtual_network *net,
                                const struct dtrec_policy_domain *domain,
                                const struct dtrec_hypervisor *hv,
                                const struct dt_blueprint_endpoint *ep)
{
    struct dtrec_endpoint *row = dtrec_endpoint_insert(txn);
    struct dtrec_address **addrs = xmalloc(ep->ips.n * sizeof *addrs);

    dtrec_endpoint_set_name(row, ep->name);
    dtrec_endpoint_set_network(row, net);
    if (domain) {
        dtrec_endpoint_set_domain(row, domain);
    }
    dtrec_endpoint_set_mac(row, ep->mac);
    for (size_t j = 0; j < ep->ips.n; j++) {
        addrs[j] = dtrec_address_insert(txn);
        dtrec_address_set_network(addrs[j], net);
        dtrec_address_set_ip(addrs[j], ep->ips.names[j]);
    }
    dtrec_endpoint_set_addresses(row, addrs, ep->ips.n);
    dtrec_endpoint_set_hypervisor(row, hv);
    dtrec_endpoint_set_port(row, ep->port);
    dtrec_endpoint_set_external_prefix(row, ep->external);
    free(addrs);
}

/* Inserts the rows of 'bp' into 'txn', in network 'refs->old' if it is
 * nonnull (and empty by now), otherwise in a new network. */
static void
write_blueprint(struct ovsdb_idl_txn *txn, const struct dt_blueprint *bp,
                const struct import_refs *refs)
{
    const struct dtrec_virtual_network *net = refs->old;
    if (!net) {
        net = dtrec_virtual_network_insert(txn);
        dtrec_virtual_network_set_name(net, bp->network);
    }
    dtrec_virtual_network_set_vni(net, bp->vni);
    dtrec_virtual_network_set_tenant(net, refs->tenant);
    dtrec_virtual_network_set_fabric_mode(net, bp->fabric_mode
                                               ? bp->fabric_mode
                                               : "overlay");

    struct shash domains = SHASH_INITIALIZER(&domains);
    for (size_t i = 0; i < bp->n_domains; i++) {
        const struct dt_blueprint_domain *domain = &bp->domains[i];
        struct dtrec_policy_domain *row = dtrec_policy_domain_insert(txn);

        dtrec_policy_domain_set_network(row, net);
        dtrec_policy_domain_set_name(row, domain->name);
        dtrec_policy_domain_set_dhcp_servers(
            row, (const char **) domain->dhcp_servers.names,
            domain->dhcp_servers.n);
        SET_DESCRIPTION(row, domain->description,
                        dtrec_policy_domain_set_external_ids);
        shash_add(&domains, domain->name, row);
    }

    struct shash actions = SHASH_INITIALIZER(&actions);
    for (size_t i = 0; i < bp->n_actions; i++) {
        const struct dt_blueprint_action *action = &bp->actions[i];
        struct dtrec_policy_action *row = dtrec_policy_action_insert(txn);

        dtrec_policy_action_set_network(row, net);
        dtrec_policy_action_set_name(row, action->name);
        dtrec_policy_action_set_kind(row, action->kind);
        dtrec_policy_action_set_location(row, action->location);
        dtrec_policy_action_set_config(row, &action->config);
        SET_DESCRIPTION(row, action->description,
                        dtrec_policy_action_set_external_ids);
        shash_add(&actions, action->name, row);
    }

    for (size_t i = 0; i < bp->n_policies; i++) {
        const struct dt_blueprint_policy *policy = &bp->policies[i];
        struct dtrec_policy *row = dtrec_policy_insert(txn);
        size_t n = policy->actions.n;
        int64_t *keys = xmalloc(n * sizeof *keys);
        struct dtrec_policy_action **values = xmalloc(n * sizeof *values);

        dtrec_policy_set_network(row, net);
        if (policy->src_domain) {
            dtrec_policy_set_src_domain(
                row, shash_find_data(&domains, policy->src_domain));
        }
        if (policy->dst_domain) {
            dtrec_policy_set_dst_domain(
                row, shash_find_data(&domains, policy->dst_domain));
        }
        for (size_t j = 0; j < n; j++) {
            keys[j] = j;
            values[j] = shash_find_data(&actions, policy->actions.names[j]);
            ovs_assert(values[j]);
        }
        dtrec_policy_set_actions(row, keys, values, n);
        dtrec_policy_set_ttl(row, policy->ttl);
        dtrec_policy_set_tracking_number(row, 1);
        free(keys);
        free(values);
    }

    for (size_t i = 0; i < bp->n_endpoints; i++) {
        const struct dt_blueprint_endpoint *ep = &bp->endpoints[i];
        const struct dtrec_policy_domain *domain
            = ep->domain ? shash_find_data(&domains, ep->domain) : NULL;

        dt_blueprint_db_insert_endpoint(txn, net, domain, refs->hvs[i], ep);
    }

    shash_destroy(&domains);
    shash_destroy(&actions);
}

