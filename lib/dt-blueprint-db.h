/*
 * dt-blueprint-db: blueprints into and out of the dovetail database.
 *
 * lib/dt-blueprint reads a blueprint (a virtual network with its policy
 * domains, actions, policies and endpoints) from JSON and checks all it
 * can without the database.  This module does the rest: it checks what
 * depends on the database's contents (the network's name and VNI are
 * free, the tenant and the hypervisors exist, no other network has an
 * endpoint of the same name) and writes the blueprint's rows through an
 * IDL transaction; and it reads a network back out of an IDL replica into
 * a blueprint.
 *
 * Errors name the blueprint's JSON path, as lib/dt-blueprint's do, e.g.
 * "endpoints[2].hypervisor: unknown hypervisor \"dswitch9\"", where index
 * 2 is the blueprint's endpoints[2], which for a blueprint read by
 * dt_blueprint_from_file() is the file's.
 *
 * The IDL must replicate every column of every dovetail table (as
 * dovetail-ctl's does).
 */
#ifndef DT_BLUEPRINT_DB_H
#define DT_BLUEPRINT_DB_H 1

#include <stdbool.h>

#include "openvswitch/compiler.h"

struct dt_blueprint;
struct dt_blueprint_endpoint;
struct dtrec_hypervisor;
struct dtrec_policy_domain;
struct dtrec_virtual_network;
struct ovsdb_idl;
struct ovsdb_idl_txn;

char *dt_blueprint_db_import(struct ovsdb_idl *, struct ovsdb_idl_txn *,
                             const struct dt_blueprint *, bool replace)
    OVS_WARN_UNUSED_RESULT;
char *dt_blueprint_db_export(const struct ovsdb_idl *,
                             const char *network_name,
                             struct dt_blueprint *) OVS_WARN_UNUSED_RESULT;
void dt_blueprint_db_insert_endpoint(struct ovsdb_idl_txn *,
                                     const struct dtrec_virtual_network *,
                                     const struct dtrec_policy_domain *,
                                     const struct dtrec_hypervisor *,
                                     const struct dt_blueprint_endpoint *);

#endif /* lib/dt-blueprint-db.h */
