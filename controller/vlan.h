/*
 * vlan: one VLAN per VM, unique on its hypervisor (seed
 * overlay-tenant-oui-vlan).
 *
 * An endpoint whose Endpoint.vlan_request is set sits behind a
 * conventional vswitch (one that switches locally), attached to the
 * dovetail hypervisor (the edge) through the trunk port named by
 * Endpoint.port.  Giving every such VM a VLAN that no other VM of that
 * hypervisor has means the conventional vswitch can never switch between
 * two VMs itself: all their traffic goes through the edge and its policy.
 *
 * vlan_compute() decides, from the database, which VLAN each such endpoint
 * should have (Endpoint.vlan, with external_ids:vlan-home = the hypervisor
 * it was given on):
 *
 *   - an endpoint keeps its VLAN where it was given (a resident);
 *   - an endpoint that arrived from another hypervisor (a migration) keeps
 *     its VLAN there too if it can: a resident that has it is moved to a
 *     free VLAN instead, make-before-break (the edge keeps accepting and
 *     delivering the resident's old VLAN until the plug script reports it
 *     applied the new one in external_ids:vlan-plugged);
 *   - any other endpoint gets its vlan_request if nonzero and free, else
 *     the lowest free VLAN.
 *
 * It changes nothing itself: the caller writes the changes.
 */
#ifndef CONTROLLER_VLAN_H
#define CONTROLLER_VLAN_H 1

#include <stddef.h>
#include "openvswitch/uuid.h"

struct ovsdb_idl;

/* One endpoint whose VLAN (or home) must change. */
struct vlan_change {
    struct uuid endpoint;       /* The Endpoint row. */
    int vlan;                   /* Its new VLAN, 1 to 4094. */
    char *home;                 /* Name of the hypervisor it is given on. */
};

/* A set of changes. */
struct vlan_changes {
    struct vlan_change *changes;
    size_t n, allocated;
};

void vlan_compute(const struct ovsdb_idl *, struct vlan_changes *);
void vlan_changes_destroy(struct vlan_changes *);

#endif /* controller/vlan.h */
