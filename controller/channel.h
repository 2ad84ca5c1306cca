/*
 * channel: the flows of fabric mode "channel" (seed arp-free-servers),
 * computed from the dovetail database for one hypervisor.
 * controller/overlay calls it while it builds a hypervisor's flows and
 * leaves the endpoints of channel networks to it.
 *
 * In a network whose Virtual_Network.fabric_mode is "channel", every VM
 * has a logical channel of its own to the hypervisor's vswitch (the
 * network device): a dedicated port (Endpoint.port, no vlan_request), or
 * a VLAN (Endpoint.vlan, given by controller/vlan.h) on a trunk shared
 * through a multiplexing switch.  The VM's /32 (IPv4) and /128 (IPv6)
 * addresses are bound to its channel, and the vswitch forwards by IP to
 * channels, with no ARP or neighbour table:
 *
 *   PL_INGRESS (0)  from a channel: IP whose source is one of the
 *                   channel's /32s or /128s, from any source MAC,
 *                   classified into its network and policy domain (the
 *                   VLAN popped), on to the policy cache; ARP from one of
 *                   its addresses, and any neighbour solicitation, tag
 *                   kept, on to PL_ARP (a duplicate address detection
 *                   probe, from ::, is dropped unanswered; the VM's own
 *                   advertisements are consumed).  Anything else the
 *                   channel sends is dropped and counted.  No DHCP: the
 *                   addresses are configured.
 *   PL_ARP    (10)  any ARP request in the network is answered with the
 *                   network's one fixed MAC (CHANNEL_DEFAULT_MAC, or
 *                   Virtual_Network external_ids:channel-mac), back out
 *                   the channel; a VM's announcement of its own address
 *                   is consumed.  Nothing is learned from either.  A
 *                   neighbour solicitation for any target is turned into
 *                   the advertisement of the same MAC (with
 *                   PL_ND_ADVERT), in the datapath as well.
 *   PL_POLICY (30)  the policy cache, as in overlay mode: by destination
 *                   IP to a local channel (PL_DELIVER) or through the
 *                   tunnel to the hypervisor that has it.
 *   PL_TUNNEL_IN (40) from the tunnel: by destination /32 or /128 to the
 *                   live channel port (the frame's destination MAC is
 *                   the fixed MAC, not the VM's).
 *   PL_DELIVER (41) (port, destination /32 or /128) -> source MAC the
 *                   fixed MAC, destination MAC the VM's own (configured
 *                   in the database, never learned), the VLAN pushed on
 *                   a trunk, out.  The destination IP, not the MAC,
 *                   tells two VMs apart, so two VMs with the same MAC
 *                   (even on one trunk) are harmless.  Two channels of
 *                   one trunk with the same address (in two networks) are
 *                   not: the second one's flows are refused, and logged.
 *
 * Multicast (the seed's FIG. 5): a VM's IGMP goes to the controller
 * (ofproto-ext/slowpath.h SP_IGMP), which writes the groups it joins and
 * leaves into Multicast_Group.members (IGMP snooping on the channels).
 * IPv4 multicast from a channel goes to PL_MCAST, where one flow per
 * (network, group), and one per member channel that excludes the sender,
 * copies it to every member channel here, with the fixed MAC as source,
 * and once into the tunnel to each other hypervisor with members, whose
 * PL_TUNNEL_IN flow copies it to its member channels.  Towards a
 * multiplexing switch the members of one trunk get one copy per two
 * members, double-tagged: an 802.1ad (0x88a8) outer tag with the one
 * member's VLAN and an 802.1Q (0x8100) inner tag with the other's, lower
 * VLAN outside; the switch fans it out into both VLANs (in the test
 * fabric, dt_chv_fanout of utilities/dovetail-fabric.sh).  An odd member
 * gets a single-tagged copy.
 *
 * A migration moves the Endpoint row's hypervisor and port: the channel's
 * flows (its /32 "route") disappear from the departing hypervisor and
 * appear on the arriving one with the next computation, and the policy
 * cache's location invalidation moves the remote entries.
 */
#ifndef CONTROLLER_CHANNEL_H
#define CONTROLLER_CHANNEL_H 1

#include <stdbool.h>
#include <stdint.h>

#include "openvswitch/types.h"

struct dtrec_endpoint;
struct dtrec_hypervisor;
struct dtrec_multicast_group;
struct dtrec_virtual_network;
struct flowtab;
struct simap;
struct ovsdb_idl;

/* The MAC every ARP request in a channel network is answered with, unless
 * the network's external_ids:channel-mac names another. */
#define CHANNEL_DEFAULT_MAC "02:dc:00:00:00:01"

/* Returns true if 'net' (may be NULL) is in fabric mode "channel". */
bool channel_network(const struct dtrec_virtual_network *net);

/* Adds to 'flows' the flows of every channel of hypervisor 'hv', whose
 * switch has datapath id 'dpid', ports 'ports' (name -> OpenFlow port
 * number) and tunnel port 'tunnel_ofport' (0 if none: no multicast copy
 * leaves), and records the hypervisor's channel table for channel/show. */
void channel_build_flows(const struct ovsdb_idl *,
                         const struct dtrec_hypervisor *hv, uint64_t dpid,
                         const struct simap *ports,
                         unsigned int tunnel_ofport, struct flowtab *);

/* Returns the Multicast_Group row of 'net' for IPv4 address 'group', or
 * NULL. */
const struct dtrec_multicast_group *channel_group_find(
    const struct ovsdb_idl *, const struct dtrec_virtual_network *net,
    ovs_be32 group);

/* Returns true if endpoint 'ep' is a member of its network's group
 * 'group'. */
bool channel_group_has(const struct ovsdb_idl *,
                       const struct dtrec_endpoint *ep, ovs_be32 group);

/* Registers the unixctl command "channel/show [DPID]". */
void channel_register_commands(void);

#endif /* controller/channel.h */
