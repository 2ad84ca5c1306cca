/*
 * overlay: the proactive flows that make one hypervisor's vswitch part of
 * the overlay fabric, computed from the dovetail database.
 *
 * For a switch whose datapath id names a Hypervisor row, it yields the
 * pipeline of ofproto-ext/pipeline.h except the policy cache entries
 * (which controller/pcache installs on demand): port security on every
 * local endpoint's port, classifying its packets into their network and
 * source policy domain; DHCP to the controller; an ARP responder for
 * every endpoint of the networks the hypervisor takes part in (so no ARP
 * request ever leaves the hypervisor); delivery of tunnelled packets to
 * local endpoints; and at the end of every stage a counted drop or the
 * controller action of ofproto-ext/slowpath that handles what the stage
 * cannot.  Endpoints of different networks never share a flow, so
 * networks are isolated at the ingress vswitch.
 */
#ifndef CONTROLLER_OVERLAY_H
#define CONTROLLER_OVERLAY_H 1

#include <stdbool.h>
#include <stdint.h>

#include "lib/dt-addr.h"
#include "openvswitch/types.h"

struct flowtab;
struct ovsdb_idl;
struct simap;

/* Names of the tunnel ports on every hypervisor's integration bridge, one
 * per encapsulation (enum dt_encap): a VXLAN and a Geneve port with
 * options:remote_ip=flow and options:key=flow, and a GRE port with
 * options:remote_ip=flow and no key (keyless GRE). */
#define OVERLAY_DEFAULT_TUNNEL_PORT "vxlan0"
#define OVERLAY_DEFAULT_GENEVE_PORT "geneve0"
#define OVERLAY_DEFAULT_GRE_PORT "gre0"

/* Computing a switch's flows reads every endpoint of the database, which
 * with tens of thousands of endpoints a hypervisor takes over a second:
 * it goes a slice at a time, so that the controller answers its switches
 * in between.
 *
 * overlay_build_start() starts computing into 'flows' (which should be
 * empty) the flows the switch with datapath id 'dpid' should hold, given
 * its ports 'ports' (name -> OpenFlow port number) and the names of its
 * tunnel ports, indexed by enum dt_encap.  It returns NULL, leaving
 * 'flows' empty, if no Hypervisor row has that datapath id: a switch the
 * database does not know is left alone.  Then overlay_build_run() looks
 * at a slice of the endpoints each call, until it returns true: the flows
 * are all there.  Until then the database must not change (the
 * computation keeps pointers to its rows), nor must 'ports', 'flows' or
 * 'tunnel_ports' go away; 'ports' may change. */
struct overlay_build;
struct overlay_build *overlay_build_start(
    const struct ovsdb_idl *, uint64_t dpid, const struct simap *ports,
    const char *const tunnel_ports[DT_N_ENCAPS], struct flowtab *);
bool overlay_build_run(struct overlay_build *, size_t max_endpoints);
void overlay_build_destroy(struct overlay_build *);

void overlay_add_arp_responder(struct flowtab *, int table, uint32_t cookie,
                               uint32_t vni, ovs_be32 ip, const char *mac_s);

#endif /* controller/overlay.h */
