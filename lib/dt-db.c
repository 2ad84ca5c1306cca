/*
 * dt-db: lookups in the dovetail database replica.  See dt-db.h.
 */
#include <config.h>
#include "lib/dt-db.h"

#include <string.h>

#include "lib/dovetail-idl.h"

/* Returns the network named 'name'. */
const struct dtrec_virtual_network *
dt_db_find_network(const struct ovsdb_idl *idl, const char *name)
{
    const struct dtrec_virtual_network *net;

    DTREC_VIRTUAL_NETWORK_FOR_EACH (net, idl) {
        if (!strcmp(net->name, name)) {
            return net;
        }
    }
    return NULL;
}

/* Returns the network whose VNI is 'vni'. */
const struct dtrec_virtual_network *
dt_db_find_network_by_vni(const struct ovsdb_idl *idl, int64_t vni)
{
    const struct dtrec_virtual_network *net;

    DTREC_VIRTUAL_NETWORK_FOR_EACH (net, idl) {
        if (net->vni == vni) {
            return net;
        }
    }
    return NULL;
}

/* Returns the hypervisor named 'name'. */
const struct dtrec_hypervisor *
dt_db_find_hypervisor(const struct ovsdb_idl *idl, const char *name)
{
    const struct dtrec_hypervisor *hv;

    DTREC_HYPERVISOR_FOR_EACH (hv, idl) {
        if (!strcmp(hv->name, name)) {
            return hv;
        }
    }
    return NULL;
}

/* Returns the hypervisor whose integration bridge has datapath id
 * 'dpid'. */
const struct dtrec_hypervisor *
dt_db_find_hypervisor_by_dpid(const struct ovsdb_idl *idl, uint64_t dpid)
{
    const struct dtrec_hypervisor *hv;

    DTREC_HYPERVISOR_FOR_EACH (hv, idl) {
        if ((uint64_t) hv->datapath_id == dpid) {
            return hv;
        }
    }
    return NULL;
}
