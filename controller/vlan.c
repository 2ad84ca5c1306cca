/*
 * vlan: which VLAN each VM behind a conventional vswitch should have.  See
 * vlan.h.
 */
#include <config.h>
#include "controller/vlan.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "coverage.h"
#include "lib/dovetail-idl.h"
#include "lib/dt-pool.h"
#include "openvswitch/vlog.h"
#include "smap.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(vlan);

COVERAGE_DEFINE(vlan_assign);
COVERAGE_DEFINE(vlan_retag);
COVERAGE_DEFINE(vlan_exhausted);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

static int compare_by_hypervisor(const void *, const void *);
static void compute_hypervisor(const struct dtrec_endpoint **, size_t n,
                               struct vlan_changes *);
static void add_change(struct vlan_changes *, const struct dtrec_endpoint *,
                       int vlan);

/* Appends to 'changes' (initially zeroed) every endpoint of 'idl' whose
 * VLAN should change, as vlan.h describes. */
void
vlan_compute(const struct ovsdb_idl *idl, struct vlan_changes *changes)
{
    const struct dtrec_endpoint **eps = NULL;
    size_t n = 0, allocated = 0;
    const struct dtrec_endpoint *ep;

    DTREC_ENDPOINT_FOR_EACH (ep, idl) {
        if (ep->n_vlan_request && ep->hypervisor && ep->port) {
            if (n >= allocated) {
                eps = x2nrealloc(eps, &allocated, sizeof *eps);
            }
            eps[n++] = ep;
        }
    }
    if (n > 1) {
        qsort(eps, n, sizeof *eps, compare_by_hypervisor);
    }
    for (size_t i = 0; i < n; ) {
        size_t j = i + 1;
        while (j < n && eps[j]->hypervisor == eps[i]->hypervisor) {
            j++;
        }
        compute_hypervisor(&eps[i], j - i, changes);
        i = j;
    }
    free(eps);
}

void
vlan_changes_destroy(struct vlan_changes *changes)
{
    for (size_t i = 0; i < changes->n; i++) {
        free(changes->changes[i].home);
    }
    free(changes->changes);
}

/* Orders endpoints by hypervisor, then by name, so that who is allocated
 * first (and so which VLAN each gets) does not depend on hash order. */
static int
compare_by_hypervisor(const void *a_, const void *b_)
{
    const struct dtrec_endpoint *const *a = a_, *const *b = b_;
    int cmp = strcmp((*a)->hypervisor->name, (*b)->hypervisor->name);
    return cmp ? cmp : strcmp((*a)->name, (*b)->name);
}

/* Is 'ep' at home: given its VLAN on the hypervisor it is on? */
static bool
is_resident(const struct dtrec_endpoint *ep)
{
    const char *home = smap_get(&ep->external_ids, "vlan-home");
    return (ep->n_vlan && home
            && !strcmp(home, ep->hypervisor->name));
}

/* The VLANs of the 'n' endpoints 'eps', all on one hypervisor. */
static void
compute_hypervisor(const struct dtrec_endpoint **eps, size_t n,
                   struct vlan_changes *changes)
{
    const struct dtrec_endpoint *owner[POOL_VLAN_MAX + 1];
    const struct dtrec_endpoint **pending = xmalloc(n * sizeof *pending);
    size_t n_pending = 0;
    struct pool_vlans used;
    const char *hv_name = eps[0]->hypervisor->name;

    pool_vlans_init(&used);
    memset(owner, 0, sizeof owner);

    /* Residents keep their VLANs (two that clash: the second moves). */
    for (size_t i = 0; i < n; i++) {
        const struct dtrec_endpoint *ep = eps[i];
        if (!is_resident(ep)) {
            continue;
        }
        int64_t v = *ep->vlan;
        if (v >= POOL_VLAN_MIN && v <= POOL_VLAN_MAX && !owner[v]) {
            owner[v] = ep;
            pool_vlans_add(&used, v);
        } else {
            pending[n_pending++] = ep;
        }
    }

    /* Arrivals keep theirs, displacing a resident; new ones get what they
     * asked for if it is free. */
    for (size_t i = 0; i < n; i++) {
        const struct dtrec_endpoint *ep = eps[i];
        if (is_resident(ep)) {
            continue;
        }
        int64_t v = ep->n_vlan ? *ep->vlan : *ep->vlan_request;
        if (ep->n_vlan && v >= POOL_VLAN_MIN && v <= POOL_VLAN_MAX
            && owner[v] && is_resident(owner[v])) {
            /* The arrival keeps its VLAN; the resident moves. */
            COVERAGE_INC(vlan_retag);
            VLOG_INFO("hypervisor %s: endpoint %s arrives with VLAN %"PRId64
                      ", which endpoint %s had there: %s moves",
                      hv_name, ep->name, v, owner[v]->name, owner[v]->name);
            pending[n_pending++] = owner[v];
            owner[v] = ep;
            add_change(changes, ep, v);
        } else if (v >= POOL_VLAN_MIN && v <= POOL_VLAN_MAX && !owner[v]) {
            owner[v] = ep;
            pool_vlans_add(&used, v);
            add_change(changes, ep, v);
        } else {
            pending[n_pending++] = ep;
        }
    }

    /* Everyone else: the lowest free VLAN. */
    for (size_t i = 0; i < n_pending; i++) {
        const struct dtrec_endpoint *ep = pending[i];
        int vlan;
        char *error = pool_alloc_vlan(&used, hv_name, 0, &vlan);
        if (error) {
            COVERAGE_INC(vlan_exhausted);
            VLOG_WARN_RL(&rl, "endpoint %s: %s", ep->name, error);
            free(error);
            continue;
        }
        owner[vlan] = ep;
        add_change(changes, ep, vlan);
    }
    free(pending);
}

/* Records that 'ep' should have 'vlan' on its hypervisor, unless it has
 * already. */
static void
add_change(struct vlan_changes *changes, const struct dtrec_endpoint *ep,
           int vlan)
{
    if (is_resident(ep) && *ep->vlan == vlan) {
        return;
    }
    if (changes->n >= changes->allocated) {
        changes->changes = x2nrealloc(changes->changes, &changes->allocated,
                                      sizeof *changes->changes);
    }
    struct vlan_change *c = &changes->changes[changes->n++];
    c->endpoint = ep->header_.uuid;
    c->vlan = vlan;
    c->home = xstrdup(ep->hypervisor->name);
    COVERAGE_INC(vlan_assign);
}
