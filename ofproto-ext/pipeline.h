/*
 * pipeline: the OpenFlow table map of a dovetail vswitch.
 *
 * Every flow the controller installs lives in one of these tables; the
 * numbers are spaced so later stages (policy cache, anycast DMAC, per-VM
 * VLANs) slot in without renumbering.  A packet walks them in order:
 *
 *   PL_INGRESS  (0)   classify: VM port + source MAC/IP (port security)
 *                     or tunnel port + VNI -> network into metadata
 *   PL_ARP      (10)  ARP requests answered in place from the endpoints
 *                     the database knows; everything else ARP dropped
 *   PL_L2       (20)  destination MAC of the network: local port, or
 *                     tunnel to the hypervisor that hosts it
 *   PL_TUNNEL_IN (40) from the tunnel: deliver to a local endpoint
 *
 * Anything that matches no flow in a stage is dropped by that stage's
 * priority-0 flow, whose packet counter tells the operator how much.
 */
#ifndef OFPROTO_EXT_PIPELINE_H
#define OFPROTO_EXT_PIPELINE_H 1

enum pl_table {
    PL_INGRESS = 0,
    PL_ARP = 10,
    PL_L2 = 20,
    PL_TUNNEL_IN = 40,
};

/* The register that carries the virtual network (its VNI) between
 * stages. */
#define PL_NETWORK_FIELD "metadata"

#endif /* ofproto-ext/pipeline.h */
