/*
 * mcast: the flows that carry IPv4 multicast from a VM to the members of
 * its group (Multicast_Group), across tenants, computed from the dovetail
 * database for one hypervisor.  controller/overlay calls it while it
 * builds a hypervisor's flows.
 *
 * Seed overlay-tenant-oui-vlan, "multidestination packets", first
 * approach: the tunnel ingress copies the packet once per target and
 * rewrites each copy's destination MAC to the target tenant's OUI with
 * the I/G bit set plus the low 24 bits of the group address (mcast_oui,
 * ofproto-ext/actions.h), so the tunnel egress still finds the tenant in
 * the inner destination MAC's OUI.
 *
 *   PL_INGRESS (0)  IPv4 to 224.0.0.0/4 from a VM, past port security and
 *                   classified like its other IP, goes to PL_MCAST.
 *   PL_MCAST  (25)  on the sender's hypervisor, per group of the sender's
 *                   network that has members: one flow whose actions copy
 *                   the packet out the port of every member hosted here,
 *                   and once per (hypervisor, member network) into the
 *                   tunnel, each tunnelled copy with the VNI of its
 *                   member's network and the DMAC of its tenant's first
 *                   OUI (unchanged if the tenant owns no OUI).  The
 *                   sender never gets its own packet back: OpenFlow does
 *                   not output a packet to its input port.  A group with
 *                   no member, or no group: dropped by the priority-0
 *                   flow, which counts it.
 *   PL_TUNNEL_IN (40)  on a member's hypervisor: (VNI, DMAC, group) ->
 *                   the standard IPv4 multicast MAC 01:00:5e + the low 23
 *                   bits of the group back, out to every member of that
 *                   network hosted here.  Any other multicast from the
 *                   tunnel is dropped there.
 *
 * A group's members may be endpoints of other networks, those of other
 * tenants included (a feed shared by several tenants): members of
 * network N of every group with address G are the receivers of G in N,
 * whichever group's sender the packet came from.
 */
#ifndef CONTROLLER_MCAST_H
#define CONTROLLER_MCAST_H 1

#include <stdint.h>

#include "openvswitch/types.h"

struct dtrec_hypervisor;
struct flowtab;
struct ovsdb_idl;
struct simap;

/* (The PL_INGRESS flows that send a VM's IPv4 multicast to PL_MCAST are
 * built with its other ingress flows, in overlay.c.) */

/* Adds to 'flows' the PL_MCAST and PL_TUNNEL_IN flows of hypervisor 'hv'
 * for every multicast group in 'idl', given the switch's ports 'ports'
 * (name -> OpenFlow port number) and the number of its tunnel port,
 * 'tunnel_ofport' (0 if it has none: then no copy leaves the
 * hypervisor). */
void mcast_build_flows(const struct ovsdb_idl *idl,
                       const struct dtrec_hypervisor *hv,
                       const struct simap *ports, unsigned int tunnel_ofport,
                       struct flowtab *flows);

#endif /* controller/mcast.h */
