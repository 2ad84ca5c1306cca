/*
 * sarp: the "sarp" fabric mode, a scaled ARP proxy (seed
 * scaled-address-resolution, US 9,253,141) over a plain layer-2
 * interconnect.
 *
 * A virtual network whose Virtual_Network.fabric_mode is "sarp" uses no
 * tunnels.  Each dovetail hypervisor's br-int is the edge of one access
 * segment (the VMs bound to it) and has one port on an L2 interconnect
 * shared by all edges; there it is known by its edge MAC.  Configuration,
 * in the database:
 *
 *   Hypervisor.external_ids:sarp-mac    the edge MAC (default 0a:5a plus
 *                                       the low 32 bits of the datapath
 *                                       id)
 *   Hypervisor.external_ids:sarp-port   the br-int port to the
 *                                       interconnect (default "sarp0")
 *   Virtual_Network.external_ids:sarp-aging
 *                                       cache entry lifetime in seconds
 *                                       (default 300)
 *
 * Only edge MACs ever appear on the interconnect: a frame from a local VM
 * to a remote one leaves with the local edge's MAC as source and the
 * remote edge's MAC as destination (egress rewrite); the remote edge
 * gives it the VM's MAC back by destination IP (ingress rewrite).  ARP
 * for a VM of the same segment is answered with the VM's own MAC and
 * never leaves the edge; ARP for a remote VM is answered with the remote
 * edge's MAC, from the edge's SARP cache.
 *
 * A local VM's IP goes through the policy cache first, as in an overlay
 * network (controller/pcache.h): an allowed entry for a remote endpoint
 * leads to the egress rewrite, a denied one is a cached drop.  An address
 * learned from the wire has no endpoint and so no policy: it skips the
 * policy cache.  What reaches an edge for a VM that has left it goes to
 * the controller, which sends it on to where the VM is now
 * (pinctrl_locate()).
 *
 * The SARP cache, one per edge, maps remote L3 address -> remote edge L2
 * address, one L2 record shared by all the L3 entries behind that edge
 * (the seed's FIG. 5A).  An entry is created on a miss (an ARP request or
 * an IP packet for an address no flow knows) from the database (endpoint
 * -> hypervisor -> edge MAC), or, for an address the database does not
 * know, by the seed's request/reply exchange across the interconnect,
 * which also works with edges that are not dovetail's.  Entries age out
 * after the network's sarp-aging and are re-resolved on the next miss,
 * which the controller forwards, so nothing is lost; a changed location
 * in the database (a migrated VM's first frame on its new edge) and a
 * gratuitous ARP from the interconnect move an entry to its new record in
 * every edge's cache at once.  An edge announces each address of a VM
 * that appears on it with a gratuitous ARP across the interconnect from
 * its edge MAC, for the edges that are not dovetail's.
 *
 * Tables (ofproto-ext/pipeline.h): PL_SARP_ARP, PL_SARP, PL_SARP_IN.
 */
#ifndef CONTROLLER_SARP_H
#define CONTROLLER_SARP_H 1

#include <stdbool.h>
#include <stdint.h>

struct ctlsw;
struct dtrec_hypervisor;
struct dtrec_virtual_network;
struct flowtab;
struct ovsdb_idl;
struct simap;
struct sp_packet_in;

#define SARP_DEFAULT_PORT "sarp0"
#define SARP_DEFAULT_AGING 300  /* Seconds. */

/* Registers the unixctl command "sarp/show [DPID]". */
void sarp_init(void);
void sarp_destroy(void);

/* Returns true if 'net''s fabric mode is "sarp": its endpoints get their
 * flows from sarp_build_flows(), not from controller/overlay. */
bool sarp_network_is_sarp(const struct dtrec_virtual_network *);

/* Adds to 'flows' the flows that hypervisor 'hv' (the switch whose ports
 * are 'ports', name -> OpenFlow port) needs as a SARP edge: those of its
 * local endpoints of "sarp" networks, of its interconnect port, and of
 * the entries of its SARP cache.  Adds nothing if 'hv' has no endpoint in
 * a "sarp" network. */
void sarp_build_flows(const struct ovsdb_idl *,
                      const struct dtrec_hypervisor *,
                      const struct simap *ports, struct flowtab *);

/* Handles an SP_SARP packet-in from 'sw': an ARP request or IP packet
 * that no flow resolved, or ARP from the interconnect. */
void sarp_packet_in(const struct ovsdb_idl *, struct ctlsw *,
                    const struct sp_packet_in *);

/* Ages cache entries and, if 'db_changed', moves entries whose endpoint
 * has moved.  Returns true if some edge's cache changed, so its switch's
 * flows are to be recomputed. */
bool sarp_run(const struct ovsdb_idl *, bool db_changed);
void sarp_wait(void);

#endif /* controller/sarp.h */
