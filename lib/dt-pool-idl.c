/*
 * dt-pool-idl: pools from the database.  See dt-pool-idl.h.
 */
#include <config.h>
#include "lib/dt-pool-idl.h"

#include <stdlib.h>

#include "lib/dovetail-idl.h"
#include "lib/dt-addr.h"
#include "lib/dt-pool.h"
#include "packets.h"
#include "util.h"

void
pool_fill_from_idl(struct pool *pool, const struct ovsdb_idl *idl,
                   const struct dtrec_endpoint *except)
{
    const struct dtrec_tenant *tenant;
    DTREC_TENANT_FOR_EACH (tenant, idl) {
        for (size_t i = 0; i < tenant->n_ouis; i++) {
            uint32_t oui;
            char *error = dt_parse_oui(tenant->ouis[i], &oui);
            if (!error) {
                error = pool_add_oui(pool, oui, tenant->name);
            }
            free(error);
        }
    }

    const struct dtrec_endpoint *ep;
    DTREC_ENDPOINT_FOR_EACH (ep, idl) {
        if (ep != except && ep->mac) {
            struct eth_addr mac;
            char *error = dt_parse_mac(ep->mac, &mac);
            if (!error) {
                pool_add_mac(pool, mac);
            }
            free(error);
        }
    }
}

void
pool_vlans_fill_from_idl(struct pool_vlans *vlans,
                         const struct ovsdb_idl *idl,
                         const struct dtrec_hypervisor *hv,
                         const struct dtrec_endpoint *except)
{
    const struct dtrec_endpoint *ep;
    DTREC_ENDPOINT_FOR_EACH (ep, idl) {
        if (ep != except && ep->hypervisor == hv && ep->n_vlan) {
            pool_vlans_add(vlans, ep->vlan[0]);
        }
    }
}
