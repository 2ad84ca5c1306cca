/*
 * dt-db: lookups in a replica of the dovetail database (an IDL whose
 * class is dtrec_idl_class), shared by dovetail-ctl and the controller.
 *
 * Each returns the row or NULL.  They scan the table; the databases the
 * first slice serves are small, and the database issue replaces them with
 * hash indexes without changing a caller.
 */
#ifndef DT_DB_H
#define DT_DB_H 1

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

#endif /* lib/dt-db.h */
