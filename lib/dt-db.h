/*
 * dt-db: lookups in a replica of the dovetail database (an IDL whose
 * class is dtrec_idl_class), shared by dovetail-ctl and the controller.
 *
 * The finders return the row or NULL.  They scan the table: they serve
 * the command line and configuration changes, never a packet (packets are
 * resolved through lib/dt-dps's own indexes).
 *
 * dt_db_bump_tracking() keeps the DOVE tracking numbers: every writer calls
 * it just before committing.
 */
#ifndef DT_DB_H
#define DT_DB_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ovsdb_idl;

const struct dtrec_virtual_network *dt_db_find_network(
    const struct ovsdb_idl *, const char *name);
const struct dtrec_virtual_network *dt_db_find_network_by_vni(
    const struct ovsdb_idl *, int64_t vni);
const struct dtrec_hypervisor *dt_db_find_hypervisor(
    const struct ovsdb_idl *, const char *name);
const struct dtrec_hypervisor *dt_db_find_hypervisor_by_dpid(
    const struct ovsdb_idl *, uint64_t dpid);

const struct dtrec_tenant *dt_db_find_tenant(const struct ovsdb_idl *,
                                             const char *name);
const struct dtrec_policy_domain *dt_db_find_domain(
    const struct ovsdb_idl *, const struct dtrec_virtual_network *,
    const char *name);
const struct dtrec_policy_action *dt_db_find_action(
    const struct ovsdb_idl *, const struct dtrec_virtual_network *,
    const char *name);
/* The policy from 'src' to 'dst' in 'net', or the default policy of 'net'
 * if both are NULL. */
const struct dtrec_policy *dt_db_find_policy(
    const struct ovsdb_idl *, const struct dtrec_virtual_network *,
    const struct dtrec_policy_domain *src,
    const struct dtrec_policy_domain *dst);
const struct dtrec_endpoint *dt_db_find_endpoint(const struct ovsdb_idl *,
                                                 const char *name);
const struct dtrec_multicast_group *dt_db_find_group(
    const struct ovsdb_idl *, const struct dtrec_virtual_network *,
    const char *group);

/* Returns 'policy''s n_actions actions in order (the Policy.actions map
 * sorted by key), as a malloc'd array. */
const struct dtrec_policy_action **dt_db_policy_actions(
    const struct dtrec_policy *);

/* Returns true if 'a' and 'b' are the same row or both NULL. */
bool dt_db_same_row(const void *a, const void *b);

/* For every Policy row that the current transaction on 'idl' inserts or
 * changes, or whose actions it changes (an action's kind, location or
 * configuration), sets the tracking number to the committed value plus
 * one (1 for a new policy) and verifies the committed value, so that two
 * concurrent changes cannot both commit the same number (the second one
 * retries).  Vswitches compare tracking numbers to tell a stale cached
 * policy from the current one (DOVE section 4.2.1).  Returns the number of
 * policies changed. */
size_t dt_db_bump_tracking(const struct ovsdb_idl *);

#endif /* lib/dt-db.h */
