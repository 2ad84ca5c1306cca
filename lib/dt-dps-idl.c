/*
 * dt-dps-idl: fills a lib/dt-dps policy service from the dovetail
 * database replica.  See dt-dps-idl.h.
 *
 * This is the only part of the policy service that sees the IDL.  Each
 * dps_sync_*() function turns one row into the arguments of a
 * dps_*_set() call, after checking everything that call would otherwise
 * ovs_assert(): a row from the database is input, not a caller's bug.
 */
#include <config.h>
#include "lib/dt-dps-idl.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "coverage.h"
#include "lib/dovetail-idl.h"
#include "lib/dt-addr.h"
#include "lib/dt-db.h"
#include "lib/dt-dps.h"
#include "openvswitch/util.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "packets.h"
#include "util.h"
#include "uuid.h"

VLOG_DEFINE_THIS_MODULE(dt_dps_idl);

COVERAGE_DEFINE(dps_idl_rebuild);
COVERAGE_DEFINE(dps_idl_incremental);
COVERAGE_DEFINE(dps_idl_bad_row);

static bool skip_row(const char *kind, const char *name, char *error);
static char *check_network(const struct dps *,
                           const struct dtrec_virtual_network *);
static char *check_domain(const struct dps *,
                          const struct dtrec_virtual_network *,
                          const struct dtrec_policy_domain *);

/* Whether the IDL tracked 'row' as deleted. */
static bool
row_is_deleted(const struct ovsdb_idl_row *row)
{
    return ovsdb_idl_row_get_seqno(row, OVSDB_IDL_CHANGE_DELETE) > 0;
}

/* Calls 'remove' for every row of 'table' that 'idl' tracked as deleted. */
static void
remove_tracked(struct dps *dps, const struct ovsdb_idl *idl,
               const struct ovsdb_idl_table_class *table,
               void (*remove)(struct dps *, const struct uuid *))
{
    const struct ovsdb_idl_row *row;

    for (row = ovsdb_idl_track_get_first(idl, table); row;
         row = ovsdb_idl_track_get_next(row)) {
        if (row_is_deleted(row)) {
            remove(dps, &row->uuid);
        }
    }
}

/* The per-row functions, for a table-driven loop over generic rows (each
 * dtrec_* struct begins with its ovsdb_idl_row). */
static bool
sync_network_row(struct dps *dps, const struct ovsdb_idl_row *row)
{
    return dps_sync_network(dps, (const struct dtrec_virtual_network *) row);
}

static bool
sync_hypervisor_row(struct dps *dps, const struct ovsdb_idl_row *row)
{
    return dps_sync_hypervisor(dps, (const struct dtrec_hypervisor *) row);
}

static bool
sync_domain_row(struct dps *dps, const struct ovsdb_idl_row *row)
{
    return dps_sync_domain(dps, (const struct dtrec_policy_domain *) row);
}

static bool
sync_action_row(struct dps *dps, const struct ovsdb_idl_row *row)
{
    return dps_sync_action(dps, (const struct dtrec_policy_action *) row);
}

static bool
sync_policy_row(struct dps *dps, const struct ovsdb_idl_row *row)
{
    return dps_sync_policy(dps, (const struct dtrec_policy *) row);
}

static bool
sync_endpoint_row(struct dps *dps, const struct ovsdb_idl_row *row)
{
    return dps_sync_endpoint(dps, (const struct dtrec_endpoint *) row);
}

/* The tables in the order their rows must go into a dps: everything a row
 * refers to first. */
static const struct {
    const struct ovsdb_idl_table_class *table;
    bool (*sync)(struct dps *, const struct ovsdb_idl_row *);
} sync_order[] = {
    { &dtrec_table_virtual_network, sync_network_row },
    { &dtrec_table_hypervisor, sync_hypervisor_row },
    { &dtrec_table_policy_domain, sync_domain_row },
    { &dtrec_table_policy_action, sync_action_row },
    { &dtrec_table_policy, sync_policy_row },
    { &dtrec_table_endpoint, sync_endpoint_row },
};

/* Applies the rows that changed in 'idl' since its tracked changes were
 * last cleared.  The order keeps every reference the dps holds valid and
 * every index free of stale entries once it is done:
 *
 *   1. deleted endpoints and policies go (nothing refers to them, and a
 *      row replacing one may reuse its name, address or domain pair);
 *   2. new and changed networks, hypervisors, domains and actions;
 *   3. new and changed policies and endpoints (which may now refer to
 *      what step 2 added, and no longer to what step 4 removes);
 *   4. deleted actions, domains, hypervisors and networks.
 *
 * Returns false, having possibly changed some of the dps, if a change
 * cannot be applied row by row exactly as a rebuild would apply it: a row
 * that is skipped (a rebuild would leave out its old version too), a
 * domain or action moved to another network, a network deleted (its name
 * may be reused in the same batch), or an Address row changed in place
 * (the endpoints using it are not marked changed).  The caller then calls
 * dps_sync_from_idl(). */
bool
dps_sync_tracked(struct dps *dps, const struct ovsdb_idl *idl)
{
    const struct dtrec_virtual_network *net;
    const struct dtrec_policy_domain *domain;
    const struct dtrec_policy_action *action;
    const struct dtrec_address *address;

    DTREC_ADDRESS_FOR_EACH_TRACKED (address, idl) {
        if (!dtrec_address_is_new(address)
            && !dtrec_address_is_deleted(address)) {
            return false;
        }
    }
    DTREC_VIRTUAL_NETWORK_FOR_EACH_TRACKED (net, idl) {
        if (dtrec_virtual_network_is_deleted(net)) {
            return false;
        }
    }
    DTREC_POLICY_DOMAIN_FOR_EACH_TRACKED (domain, idl) {
        if (!dtrec_policy_domain_is_new(domain)
            && !dtrec_policy_domain_is_deleted(domain)
            && dtrec_policy_domain_is_updated(
                domain, DTREC_POLICY_DOMAIN_COL_NETWORK)) {
            return false;
        }
    }
    DTREC_POLICY_ACTION_FOR_EACH_TRACKED (action, idl) {
        if (!dtrec_policy_action_is_new(action)
            && !dtrec_policy_action_is_deleted(action)
            && dtrec_policy_action_is_updated(
                action, DTREC_POLICY_ACTION_COL_NETWORK)) {
            return false;
        }
    }

    COVERAGE_INC(dps_idl_incremental);

    /* 1. */
    remove_tracked(dps, idl, &dtrec_table_endpoint, dps_endpoint_remove);
    remove_tracked(dps, idl, &dtrec_table_policy, dps_policy_remove);

    /* 2 and 3. */
    for (size_t i = 0; i < ARRAY_SIZE(sync_order); i++) {
        const struct ovsdb_idl_row *row;

        for (row = ovsdb_idl_track_get_first(idl, sync_order[i].table); row;
             row = ovsdb_idl_track_get_next(row)) {
            if (!row_is_deleted(row) && !sync_order[i].sync(dps, row)) {
                return false;
            }
        }
    }

    /* 4. */
    remove_tracked(dps, idl, &dtrec_table_policy_action, dps_action_remove);
    remove_tracked(dps, idl, &dtrec_table_policy_domain, dps_domain_remove);
    remove_tracked(dps, idl, &dtrec_table_hypervisor, dps_hypervisor_remove);
    return true;
}

/* Empties 'dps' and fills it from every row of 'idl'. */
void
dps_sync_from_idl(struct dps *dps, const struct ovsdb_idl *idl)
{
    COVERAGE_INC(dps_idl_rebuild);
    dps_clear(dps);
    for (size_t i = 0; i < ARRAY_SIZE(sync_order); i++) {
        const struct ovsdb_idl_row *row;

        for (row = ovsdb_idl_first_row(idl, sync_order[i].table); row;
             row = ovsdb_idl_next_row(row)) {
            sync_order[i].sync(dps, row);
        }
    }
}

/* Sets the network that 'row' describes. */
bool
dps_sync_network(struct dps *dps, const struct dtrec_virtual_network *row)
{
    if (row->vni < 1 || row->vni > DT_VNI_MAX) {
        return skip_row("network", row->name,
                        xasprintf("VNI %"PRId64" out of range", row->vni));
    }
    enum dt_encap encap;
    char *error = dt_parse_encap(row->encap, &encap);
    if (error) {
        return skip_row("network", row->name, error);
    }
    dps_network_set(dps, &row->header_.uuid, row->name, row->vni);
    dps_network_set_encap(dps, &row->header_.uuid, encap);
    dps_network_set_sarp(dps, &row->header_.uuid,
                         row->fabric_mode && !strcmp(row->fabric_mode,
                                                     "sarp"));
    return true;
}

/* Sets the hypervisor that 'row' describes. */
bool
dps_sync_hypervisor(struct dps *dps, const struct dtrec_hypervisor *row)
{
    ovs_be32 tunnel_ip;
    char *error = dt_parse_ipv4(row->tunnel_ip, &tunnel_ip);

    if (error) {
        return skip_row("hypervisor", row->name, error);
    }
    dps_hypervisor_set(dps, &row->header_.uuid, row->name,
                       row->datapath_id, tunnel_ip);
    return true;
}

/* Sets the policy domain that 'row' describes. */
bool
dps_sync_domain(struct dps *dps, const struct dtrec_policy_domain *row)
{
    char *error = check_network(dps, row->network);

    if (error) {
        return skip_row("domain", row->name, error);
    }
    dps_domain_set(dps, &row->header_.uuid, &row->network->header_.uuid,
                   row->name);
    return true;
}

/* Sets the policy action that 'row' describes. */
bool
dps_sync_action(struct dps *dps, const struct dtrec_policy_action *row)
{
    enum dps_action_kind kind;
    char *error = check_network(dps, row->network);

    if (error) {
        return skip_row("action", row->name, error);
    }
    if (!dps_action_kind_from_string(row->kind, &kind)) {
        return skip_row("action", row->name,
                        xasprintf("unknown kind \"%s\"", row->kind));
    }
    if (kind == DPS_ACTION_WAYPOINT && !row->location) {
        return skip_row("action", row->name,
                        xstrdup("waypoint without a location"));
    }
    dps_action_set(dps, &row->header_.uuid, &row->network->header_.uuid,
                   row->name, kind, row->location);
    return true;
}

/* Sets the policy that 'row' describes, its actions in the order of the
 * keys of its 'actions' column. */
bool
dps_sync_policy(struct dps *dps, const struct dtrec_policy *row)
{
    char name[UUID_LEN + 1];
    char *error;

    snprintf(name, sizeof name, UUID_FMT, UUID_ARGS(&row->header_.uuid));
    error = check_network(dps, row->network);
    if (error) {
        return skip_row("policy", name, error);
    }
    if (!row->src_domain != !row->dst_domain) {
        return skip_row("policy", name,
                        xstrdup("src_domain and dst_domain must both be "
                                "set or both be empty"));
    }
    if (row->src_domain) {
        error = check_domain(dps, row->network, row->src_domain);
        if (!error) {
            error = check_domain(dps, row->network, row->dst_domain);
        }
        if (error) {
            return skip_row("policy", name, error);
        }
    }
    if (!row->n_actions || row->n_actions > DPS_MAX_ACTIONS) {
        return skip_row("policy", name,
                        xasprintf("%"PRIuSIZE" actions (expected 1 to %d)",
                                  row->n_actions, DPS_MAX_ACTIONS));
    }
    if (row->ttl < 1 || row->ttl > DT_TTL_MAX || row->tracking_number < 1) {
        return skip_row("policy", name,
                        xasprintf("ttl %"PRId64" or tracking number %"PRId64
                                  " out of range", row->ttl,
                                  row->tracking_number));
    }

    const struct dtrec_policy_action **actions = dt_db_policy_actions(row);
    struct uuid uuids[DPS_MAX_ACTIONS];
    for (size_t i = 0; i < row->n_actions; i++) {
        const struct dtrec_policy_action *action = actions[i];

        if (!action) {
            error = xasprintf("action %"PRIuSIZE" is missing", i);
        } else if (!dt_db_same_row(action->network, row->network)) {
            error = xasprintf("action \"%s\" is in another network",
                              action->name);
        } else if (!dps_find_action(dps, &action->header_.uuid)) {
            error = xasprintf("action \"%s\" was skipped", action->name);
        } else {
            uuids[i] = action->header_.uuid;
            continue;
        }
        free(actions);
        return skip_row("policy", name, error);
    }
    free(actions);

    dps_policy_set(dps, &row->header_.uuid, &row->network->header_.uuid,
                   row->src_domain ? &row->src_domain->header_.uuid : NULL,
                   row->dst_domain ? &row->dst_domain->header_.uuid : NULL,
                   uuids, row->n_actions, row->ttl, row->tracking_number);
    return true;
}

/* Sets the endpoint that 'row' describes: its addresses from its Address
 * rows, its external prefix, its location. */
bool
dps_sync_endpoint(struct dps *dps, const struct dtrec_endpoint *row)
{
    struct dps_endpoint_spec spec;
    char *error = check_network(dps, row->network);

    if (error) {
        return skip_row("endpoint", row->name, error);
    }

    memset(&spec, 0, sizeof spec);
    spec.name = row->name;
    spec.network = row->network->header_.uuid;
    if (row->domain) {
        error = check_domain(dps, row->network, row->domain);
        if (error) {
            return skip_row("endpoint", row->name, error);
        }
        spec.domain = &row->domain->header_.uuid;
    }

    if (row->mac) {
        error = dt_parse_mac(row->mac, &spec.mac);
        if (error) {
            return skip_row("endpoint", row->name, error);
        }
        spec.has_mac = true;
    }

    if (row->external_prefix) {
        error = dt_parse_ip_prefix(row->external_prefix, &spec.prefix,
                                   &spec.plen);
        if (error) {
            return skip_row("endpoint", row->name, error);
        }
        spec.is_external = true;
    }

    struct in6_addr *ips = xmalloc((row->n_addresses ? row->n_addresses : 1)
                                   * sizeof *ips);
    for (size_t i = 0; i < row->n_addresses; i++) {
        const struct dtrec_address *address = row->addresses[i];

        if (!address) {
            error = xasprintf("address %"PRIuSIZE" is missing", i);
        } else if (!dt_db_same_row(address->network, row->network)) {
            error = xasprintf("address %s is in another network",
                              address->ip);
        } else {
            error = dt_parse_ip(address->ip, &ips[i], NULL);
        }
        if (error) {
            free(ips);
            return skip_row("endpoint", row->name, error);
        }
    }
    spec.ips = ips;
    spec.n_ips = row->n_addresses;

    spec.hypervisor = row->hypervisor ? &row->hypervisor->header_.uuid : NULL;
    spec.port = row->port;

    dps_endpoint_set(dps, &row->header_.uuid, &spec);
    free(ips);
    return true;
}

/* Logs that the row of 'kind' named 'name' is skipped because of 'error',
 * frees 'error' and returns false. */
static bool
skip_row(const char *kind, const char *name, char *error)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

    COVERAGE_INC(dps_idl_bad_row);
    VLOG_WARN_RL(&rl, "%s %s: %s; not used for policy resolution",
                 kind, name, error);
    free(error);
    return false;
}

/* Returns NULL if 'net' (a row's network) is in 'dps', else an error. */
static char *
check_network(const struct dps *dps, const struct dtrec_virtual_network *net)
{
    if (!net) {
        return xstrdup("no network");
    }
    if (!dps_find_network(dps, &net->header_.uuid)) {
        return xasprintf("network \"%s\" was skipped", net->name);
    }
    return NULL;
}

/* Returns NULL if 'domain', which a row in 'net' refers to, is in 'net'
 * and in 'dps', else an error. */
static char *
check_domain(const struct dps *dps, const struct dtrec_virtual_network *net,
             const struct dtrec_policy_domain *domain)
{
    if (!dt_db_same_row(domain->network, net)) {
        return xasprintf("domain \"%s\" is in another network",
                         domain->name);
    }
    if (!dps_find_domain(dps, &domain->header_.uuid)) {
        return xasprintf("domain \"%s\" was skipped", domain->name);
    }
    return NULL;
}
