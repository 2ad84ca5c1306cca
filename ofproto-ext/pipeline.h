/*
 * pipeline: the OpenFlow table map of a dovetail vswitch.
 *
 * Every flow the controller installs lives in one of these tables; the
 * numbers are spaced so later stages (anycast DMAC, per-VM VLANs) slot in
 * without renumbering.  A packet walks them in order:
 *
 *   PL_INGRESS   (0)  classify: VM port + source MAC/IP (port security)
 *                     -> network (VNI) into metadata, the source's policy
 *                     domain into PL_DOMAIN_FIELD; DHCP to the controller;
 *                     a frame from a port no endpoint is bound to (a VM
 *                     that just arrived) to the controller, which learns
 *                     its location.  Tunnel port + VNI -> PL_TUNNEL_IN.
 *   PL_ARP      (10)  ARP requests answered in place from responder
 *                     flows; a request they do not answer goes to the
 *                     controller, never out of the hypervisor.
 *   PL_ND_ADVERT (11) fabric mode channel: the second half of the
 *                     neighbour discovery responder (controller/channel.h):
 *                     a solicitation that PL_ARP has turned into an
 *                     advertisement gets its target link-layer address
 *                     (OpenFlow allows setting nd_tll only in a flow that
 *                     matches an advertisement) and goes back out.
 *   PL_L2       (20)  in a network with an anycast gateway MAC: hosted
 *                     destination MACs and the anycast MAC on to the
 *                     policy cache; any other unicast destination through
 *                     anycast_on_miss (ofproto-ext/actions.h): rewritten
 *                     to the anycast MAC and routed by IP, or out the
 *                     network's uplink port; multicast and broadcast on
 *                     untouched.
 *   PL_MCAST    (25)  IPv4 multicast from a VM (PL_INGRESS sends everything
 *                     to 224.0.0.0/4 here instead of to PL_L2/PL_POLICY):
 *                     per (network, group) one flow that copies the packet
 *                     out the port of each member hosted here and, once per
 *                     (hypervisor, member network), into the tunnel with
 *                     that network's VNI and its tenant's OUI as
 *                     destination MAC (mcast_oui).  Members may be in
 *                     other tenants' networks.  See controller/mcast.h.
 *   PL_POLICY   (30)  the policy cache: (network, source domain,
 *                     destination IP) -> deliver, tunnel or drop, with
 *                     hard_timeout = the policy's TTL and a cookie that
 *                     names policy, tracking number and destination
 *                     endpoint (PL_COOKIE_*).  A miss goes to the
 *                     controller, which resolves it and installs the
 *                     entry.
 *   PL_TUNNEL_IN (40) from the tunnel: a local endpoint's MAC -> its port,
 *                     if that port is live, into PL_PORT_FIELD
 *                     (bundle_load, active-backup over that one port).
 *                     A multicast copy (VNI, tenant OUI DMAC, group) gets
 *                     the standard 01:00:5e MAC back and goes out to the
 *                     group's members here; other multicast is dropped.
 *   PL_DELIVER  (41)  PL_PORT_FIELD -> out that port (a trunk to a
 *                     conventional vswitch: by destination MAC, with the
 *                     VM's VLAN pushed, controller/vlan.h).  Local
 *                     delivery from the policy cache comes here too.  A
 *                     packet for an endpoint that is not here (any
 *                     more), or whose port
 *                     has just gone, goes to the controller (location
 *                     invalidation), which forwards it to where the
 *                     endpoint is now: nothing is output to a port that
 *                     no longer exists while the controller catches up.
 *
 * A network in fabric mode "channel" uses the same tables with flows of
 * its own (by channel at ingress, by destination IP out): see
 * controller/channel.h.
 *
 * In a network whose fabric mode is "sarp" (controller/sarp.h) a local
 * VM's ARP goes from PL_INGRESS to PL_SARP_ARP instead; its IP goes
 * through the policy cache as in an overlay network, whose entries for a
 * remote destination lead to PL_SARP instead of a tunnel; IP from the L2
 * interconnect goes to PL_SARP_IN:
 *
 *   PL_SARP_ARP (50)  ARP requests answered in place: a local VM's address
 *                     with its own MAC, a remote one with its edge's MAC
 *                     (the SARP cache); a miss to the controller.
 *   PL_SARP     (51)  by destination IP, from the SARP cache: source MAC
 *                     rewritten to this edge's, destination MAC to the
 *                     remote edge's, out the interconnect port; a miss to
 *                     the controller.
 *   PL_SARP_IN  (52)  from the interconnect, to this edge's MAC: the
 *                     destination MAC rewritten to the VM's by
 *                     destination IP -> PL_DELIVER; a miss (a VM that has
 *                     left) to the controller, which sends it on.
 *
 * Anything that matches no flow in a stage is dropped by that stage's
 * priority-0 flow, whose packet counter tells the operator how much.
 */
#ifndef OFPROTO_EXT_PIPELINE_H
#define OFPROTO_EXT_PIPELINE_H 1

#include <stdint.h>

enum pl_table {
    PL_INGRESS = 0,
    PL_ARP = 10,
    PL_ND_ADVERT = 11,
    PL_L2 = 20,
    PL_MCAST = 25,
    PL_POLICY = 30,
    PL_TUNNEL_IN = 40,
    PL_DELIVER = 41,
    PL_SARP_ARP = 50,
    PL_SARP = 51,
    PL_SARP_IN = 52,
};

/* The field that carries the virtual network (its VNI) between stages. */
#define PL_NETWORK_FIELD "metadata"

/* The register that carries the source endpoint's policy domain: the
 * first 32 bits of the Policy_Domain row's UUID (0: in no domain). */
#define PL_DOMAIN_FIELD "reg1"
#define PL_DOMAIN_REG 1

/* The register that carries the port a packet is delivered to, into
 * PL_DELIVER (OFPP_NONE: no live port). */
#define PL_PORT_FIELD "reg2"

/* printf format of the action that loads port %u into PL_PORT_FIELD if the
 * port is live (administratively up, with link), else OFPP_NONE: an
 * active-backup "bundle" of that one port.  Delivery from the tunnel and
 * from the policy cache goes through it, so that a VM's port that has just
 * gone down sends what is meant for it to the controller (PL_DELIVER's
 * miss) instead of into a dead link. */
#define PL_LOAD_LIVE_PORT \
    "bundle_load(eth_src,0,active_backup,ofport,NXM_NX_REG2[0..15]," \
    "members:%u)"

/* Priority of policy cache entries in PL_POLICY. */
#define PL_CACHE_PRIORITY 100

/* The cookie of a policy cache entry:
 *
 *   63    60 59           40 39       32 31                    0
 *  +--------+---------------+-----------+-----------------------+
 *  |  0xd   |    policy     |  tracking |  destination endpoint |
 *  +--------+---------------+-----------+-----------------------+
 *
 * 'policy' is the first 20 bits of the Policy row's UUID (0 for a
 * network's implicit default), 'tracking' the low 8 bits of its tracking
 * number, 'endpoint' the first 32 bits of the destination Endpoint row's
 * UUID: the same value the endpoint's proactive flows carry as their
 * cookie, so "ovs-ofctl dump-flows br-int cookie=0x0000000012345678/-1"
 * and ".../0xffffffff" show everything that exists because of it.  The
 * tag keeps cache entries apart from every other flow the controller
 * installs (whose cookies are endpoint UUID prefixes, below 2**32). */
#define PL_COOKIE_TAG        UINT64_C(0xd000000000000000)
#define PL_COOKIE_TAG_MASK   UINT64_C(0xf000000000000000)
#define PL_COOKIE_POLICY_MASK UINT64_C(0x0fffff0000000000)
#define PL_COOKIE_TRACKING_MASK UINT64_C(0x000000ff00000000)
#define PL_COOKIE_ENDPOINT_MASK UINT64_C(0x00000000ffffffff)

static inline uint64_t
pl_cookie(uint32_t policy, uint64_t tracking, uint32_t endpoint)
{
    return (PL_COOKIE_TAG
            | ((uint64_t) (policy >> 12) << 40)
            | ((tracking & 0xff) << 32)
            | endpoint);
}

static inline int
pl_cookie_is_cache(uint64_t cookie)
{
    return (cookie & PL_COOKIE_TAG_MASK) == PL_COOKIE_TAG;
}

#endif /* ofproto-ext/pipeline.h */
