/*
 * dt-db: lookups in the dovetail database replica.  See dt-db.h.
 */
#include <config.h>
#include "lib/dt-db.h"

#include <stdlib.h>
#include <string.h>

#include "lib/dovetail-idl.h"
#include "openvswitch/hmap.h"
#include "ovsdb-data.h"
#include "ovsdb-idl-provider.h"
#include "bitmap.h"
#include "hmapx.h"
#include "util.h"

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

/* One action of a policy with its position, for sorting. */
struct ranked_action {
    int64_t key;                /* Position in Policy.actions. */
    const struct dtrec_policy_action *action;
};

static int
compare_ranked_actions(const void *a_, const void *b_)
{
    const struct ranked_action *a = a_, *b = b_;
    return a->key < b->key ? -1 : a->key > b->key;
}

const struct dtrec_policy_action **
dt_db_policy_actions(const struct dtrec_policy *policy)
{
    size_t n = policy->n_actions;
    struct ranked_action *ranked = xmalloc((n ? n : 1) * sizeof *ranked);
    const struct dtrec_policy_action **actions
        = xmalloc((n ? n : 1) * sizeof *actions);

    for (size_t i = 0; i < n; i++) {
        ranked[i].key = policy->key_actions[i];
        ranked[i].action = policy->value_actions[i];
    }
    qsort(ranked, n, sizeof *ranked, compare_ranked_actions);
    for (size_t i = 0; i < n; i++) {
        actions[i] = ranked[i].action;
    }
    free(ranked);
    return actions;
}

bool
dt_db_same_row(const void *a_, const void *b_)
{
    const struct ovsdb_idl_row *a = a_, *b = b_;
    return a == b || (a && b && uuid_equals(&a->uuid, &b->uuid));
}

const struct dtrec_tenant *
dt_db_find_tenant(const struct ovsdb_idl *idl, const char *name)
{
    const struct dtrec_tenant *tenant;

    DTREC_TENANT_FOR_EACH (tenant, idl) {
        if (!strcmp(tenant->name, name)) {
            return tenant;
        }
    }
    return NULL;
}

const struct dtrec_policy_domain *
dt_db_find_domain(const struct ovsdb_idl *idl,
                  const struct dtrec_virtual_network *net, const char *name)
{
    const struct dtrec_policy_domain *dom;

    DTREC_POLICY_DOMAIN_FOR_EACH (dom, idl) {
        if (dt_db_same_row(dom->network, net) && !strcmp(dom->name, name)) {
            return dom;
        }
    }
    return NULL;
}

const struct dtrec_policy_action *
dt_db_find_action(const struct ovsdb_idl *idl,
                  const struct dtrec_virtual_network *net, const char *name)
{
    const struct dtrec_policy_action *act;

    DTREC_POLICY_ACTION_FOR_EACH (act, idl) {
        if (dt_db_same_row(act->network, net) && !strcmp(act->name, name)) {
            return act;
        }
    }
    return NULL;
}

const struct dtrec_policy *
dt_db_find_policy(const struct ovsdb_idl *idl,
                  const struct dtrec_virtual_network *net,
                  const struct dtrec_policy_domain *src,
                  const struct dtrec_policy_domain *dst)
{
    const struct dtrec_policy *policy;

    DTREC_POLICY_FOR_EACH (policy, idl) {
        if (dt_db_same_row(policy->network, net)
            && dt_db_same_row(policy->src_domain, src)
            && dt_db_same_row(policy->dst_domain, dst)) {
            return policy;
        }
    }
    return NULL;
}

const struct dtrec_endpoint *
dt_db_find_endpoint(const struct ovsdb_idl *idl, const char *name)
{
    const struct dtrec_endpoint *ep;

    DTREC_ENDPOINT_FOR_EACH (ep, idl) {
        if (!strcmp(ep->name, name)) {
            return ep;
        }
    }
    return NULL;
}

const struct dtrec_multicast_group *
dt_db_find_group(const struct ovsdb_idl *idl,
                 const struct dtrec_virtual_network *net, const char *group)
{
    const struct dtrec_multicast_group *g;

    DTREC_MULTICAST_GROUP_FOR_EACH (g, idl) {
        if (dt_db_same_row(g->network, net) && !strcmp(g->group, group)) {
            return g;
        }
    }
    return NULL;
}

/* Returns true if the current transaction changes 'row': inserts it, or
 * writes a column other than 'ignore' with a value different from the
 * committed one.  Reads the IDL's transaction state (ovsdb-idl-provider.h)
 * because the IDL has no public call for it. */
static bool
row_changed(const struct ovsdb_idl_row *row,
            const struct ovsdb_idl_column *ignore)
{
    if (!row->new_datum) {
        return false;           /* Deleted. */
    }
    if (!row->old_datum) {
        return true;            /* Inserted. */
    }
    if (!row->written || row->new_datum == row->old_datum) {
        return false;
    }

    const struct ovsdb_idl_table_class *class = row->table->class_;
    for (size_t i = 0; i < class->n_columns; i++) {
        const struct ovsdb_idl_column *column = &class->columns[i];
        if (column != ignore && bitmap_is_set(row->written, i)
            && !ovsdb_datum_equals(&row->old_datum[i], &row->new_datum[i],
                                   &column->type)) {
            return true;
        }
    }
    return false;
}

size_t
dt_db_bump_tracking(const struct ovsdb_idl *idl)
{
    struct hmapx changed_actions = HMAPX_INITIALIZER(&changed_actions);
    const struct dtrec_policy_action *act;
    const struct dtrec_policy *policy;
    size_t n = 0;

    DTREC_POLICY_ACTION_FOR_EACH (act, idl) {
        if (row_changed(&act->header_, NULL)) {
            hmapx_add(&changed_actions,
                      CONST_CAST(void *, (const void *) act));
        }
    }

    DTREC_POLICY_FOR_EACH (policy, idl) {
        const struct ovsdb_idl_row *row = &policy->header_;
        bool changed = row_changed(row, &dtrec_policy_col_tracking_number);

        for (size_t i = 0; !changed && i < policy->n_actions; i++) {
            changed = hmapx_contains(&changed_actions,
                                     policy->value_actions[i]);
        }
        if (!changed) {
            continue;
        }

        int64_t tracking = 1;
        if (row->old_datum) {
            const struct ovsdb_datum *old
                = &row->old_datum[DTREC_POLICY_COL_TRACKING_NUMBER];
            dtrec_policy_verify_tracking_number(policy);
            tracking = (old->n ? old->keys[0].integer : 0) + 1;
        }
        dtrec_policy_set_tracking_number(policy, tracking);
        n++;
    }
    hmapx_destroy(&changed_actions);
    return n;
}
