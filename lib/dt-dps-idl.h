/*
 * dt-dps-idl: fills a policy service (lib/dt-dps.h) from a replica of the
 * dovetail database (an OVSDB IDL of class dtrec_idl_class).
 *
 * lib/dt-dps keeps its own indexes and knows nothing of OVSDB; this module
 * is the translation: it parses each row's text columns (MACs, IPs,
 * prefixes, tunnel IPs) with lib/dt-addr, checks the rules the schema
 * cannot express (a policy's src_domain and dst_domain both set or both
 * empty, at most DPS_MAX_ACTIONS actions, every reference inside the
 * row's own network), and calls the dps_*_set() functions.  A row that
 * breaks a rule, or that refers to a row that was itself skipped, is
 * skipped with a rate-limited warning and counted (coverage counter
 * dps_idl_bad_row), so that one bad row never stops the others from
 * resolving.
 *
 * dps_sync_from_idl() rebuilds everything; dps_sync_tracked() applies
 * only the rows the IDL tracked as changed.  The per-row functions do one
 * row each, in the same way; they return whether the row went into the
 * dps and, when it did not, leave the dps unchanged.
 */
#ifndef DT_DPS_IDL_H
#define DT_DPS_IDL_H 1

#include <stdbool.h>

struct dps;
struct ovsdb_idl;
struct dtrec_virtual_network;
struct dtrec_hypervisor;
struct dtrec_policy_domain;
struct dtrec_policy_action;
struct dtrec_policy;
struct dtrec_endpoint;

/* Empties 'dps' and fills it from every row of 'idl': networks,
 * hypervisors, domains, actions, policies, endpoints, in that order. */
void dps_sync_from_idl(struct dps *, const struct ovsdb_idl *);

/* Applies to 'dps' the changes 'idl' tracked (ovsdb_idl_track_add_all())
 * since they were last cleared, row by row, in time proportional to the
 * change.  Returns false if it could not, in which case the caller must
 * call dps_sync_from_idl(); see dt-dps-idl.c for when. */
bool dps_sync_tracked(struct dps *, const struct ovsdb_idl *);

/* Sets the one object that the row describes in the dps (creating it or
 * updating it in place).  Returns true on success, false if the row was
 * skipped (after logging why).  What a row refers to must already be in
 * the dps (call them in the order dps_sync_from_idl() does). */
bool dps_sync_network(struct dps *, const struct dtrec_virtual_network *);
bool dps_sync_hypervisor(struct dps *, const struct dtrec_hypervisor *);
bool dps_sync_domain(struct dps *, const struct dtrec_policy_domain *);
bool dps_sync_action(struct dps *, const struct dtrec_policy_action *);
bool dps_sync_policy(struct dps *, const struct dtrec_policy *);
bool dps_sync_endpoint(struct dps *, const struct dtrec_endpoint *);

#endif /* lib/dt-dps-idl.h */
