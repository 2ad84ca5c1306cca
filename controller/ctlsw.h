/*
 * ctlsw: a switch connected to dovetail-controller, as the controller's
 * modules (the policy cache, the packet-in handlers) see it: its OpenFlow
 * session, the controller's record of its policy cache, and what its
 * slow path has done.  The list of switches lives in
 * dovetail-controller.c.
 */
#ifndef CONTROLLER_CTLSW_H
#define CONTROLLER_CTLSW_H 1

#include <stdbool.h>
#include <stdint.h>

#include "controller/pcache.h"
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"

struct swconn;

/* Slow-path counters, per switch. */
struct ctlsw_stats {
    unsigned long long int packet_ins;      /* Received. */
    unsigned long long int bad_packet_ins;  /* Malformed, dropped. */
    unsigned long long int rate_limited;    /* Over the port's rate. */
    unsigned long long int arp_answered;    /* By the controller. */
    unsigned long long int arp_unknown;     /* No answer given. */
    unsigned long long int probes;          /* Silent-host ARP probes. */
    unsigned long long int location_misses; /* Packets for endpoints not
                                             * here (any more). */
    unsigned long long int forwarded;       /* ...sent on. */
    unsigned long long int learned;         /* Locations learned. */
    unsigned long long int dhcp_copies;     /* Unicast DHCP copies. */
    unsigned long long int dropped;         /* Other slow-path drops. */
};

struct ctlsw {
    struct ovs_list list_node;  /* In the controller's list. */
    struct swconn *swconn;      /* The OpenFlow session. */
    struct pcache pcache;       /* Its policy cache. */
    bool revalidate;            /* Check 'pcache' against the policy
                                 * service at the next chance. */
    unsigned long long int stale; /* Nonzero if the switch's desired flows
                                   * are to be computed again: the order in
                                   * which they went stale. */
    struct pinctrl_rates *rates[256]; /* Packet-in rate limit of each
                                 * in_port, by its high byte (struct in
                                 * pinctrl.c); NULL until one is used. */
    struct ctlsw_stats stats;

    /* Its tunnel ports, by enum dt_encap, as of its ports'
     * swconn_get_ports_seqno() 'tunnel_ports_seqno' (0: not yet looked
     * up): a policy cache miss reads them, for every batch. */
    ofp_port_t tunnel_ports[DT_N_ENCAPS];
    uint64_t tunnel_ports_seqno;
};

/* Returns the connected switch with datapath id 'dpid', or NULL.
 * (dovetail-controller.c.) */
struct ctlsw *ctlsw_find(uint64_t dpid);

/* Returns true if 'sw' holds the flows the database implies now: none of
 * its desired flows waits to be computed again (after a database change
 * or a change of its ports), sent, or committed.  (dovetail-controller.c.)
 */
bool ctlsw_is_synced(const struct ctlsw *sw);

/* Fills '*psw' with what computing 'sw''s cache entries needs.  Returns
 * false if 'sw' is not ready for that (its identity or ports unknown). */
bool ctlsw_pcache_switch(struct ctlsw *sw, struct pcache_switch *psw);

#endif /* controller/ctlsw.h */
