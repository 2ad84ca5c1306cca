/*
 * dt-pool-idl: builds the pools of lib/dt-pool.h from a replica of the
 * dovetail database (an OVSDB IDL of class dtrec_idl_class).
 *
 * The database is the source of truth for what is owned and what is in
 * use: Tenant.ouis say which tenant owns which OUI, Endpoint.mac which
 * MACs are taken, Endpoint.hypervisor and Endpoint.vlan which VLANs are
 * taken on each hypervisor.  So a pool is built from the rows just before
 * it is asked anything (one pass over the tables), and an endpoint that
 * was deleted has given its MAC and VLAN back.  Within a dovetail-ctl
 * transaction the IDL already shows the transaction's own changes, so
 * "tenant-add a -- tenant-add b" gives the two tenants different OUIs.
 *
 * Values that do not parse, and an OUI claimed by a second tenant, are
 * left out: lib/dt-check reports them before any commit.
 */
#ifndef DT_POOL_IDL_H
#define DT_POOL_IDL_H 1

struct ovsdb_idl;
struct pool;
struct pool_vlans;
struct dtrec_endpoint;
struct dtrec_hypervisor;

/* Fills empty 'pool' with the OUIs every tenant of 'idl' owns and the MAC
 * of every endpoint but 'except' (NULL: every endpoint). */
void pool_fill_from_idl(struct pool *, const struct ovsdb_idl *,
                        const struct dtrec_endpoint *except);

/* Fills empty 'vlans' with the VLANs of the endpoints of 'idl' on 'hv',
 * but 'except''s (NULL: every endpoint's). */
void pool_vlans_fill_from_idl(struct pool_vlans *, const struct ovsdb_idl *,
                              const struct dtrec_hypervisor *hv,
                              const struct dtrec_endpoint *except);

#endif /* lib/dt-pool-idl.h */
