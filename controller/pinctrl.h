/*
 * pinctrl: dovetail-controller's slow path, the answers to the packet-ins
 * of ofproto-ext/slowpath.h.
 *
 *   policy_miss    resolve (network, source domain, destination) in the
 *                  policy service, install the cache entry in a bundle
 *                  (pcache.c), release the packet with the same actions
 *   arp_miss       answer from the database; for an address nobody has,
 *                  probe the network's endpoints whose address is unknown
 *                  (silent hosts), with unicast ARP, and answer when one
 *                  replies; never flood
 *   location       a tunnelled packet for an endpoint its vswitch no
 *                  longer hosts: forward it to where the endpoint is now,
 *                  or hold it until the endpoint's new location is known
 *   learn          a frame from a port no endpoint is bound to: the VM
 *                  of that port and MAC has arrived; write its location
 *                  to the database, and replay the frame once the
 *                  vswitch's flows say it is here
 *   learn_address  an ARP from an endpoint whose address is unknown:
 *                  write the address to the database
 *   dhcp_request   unicast copies to the DHCP servers of the client's
 *                  policy domain, and nowhere else
 *   dhcp_reply     from a configured server only, to the client only; a
 *                  DHCPACK writes the leased address to the database
 *
 * Packet-ins are rate-limited per (switch, input port), so one VM
 * flooding new destinations cannot starve another VM's resolutions, and
 * every drop is counted.  Packets held for a location or an answer wait
 * at most PINCTRL_HOLD_MSEC, and at most PINCTRL_MAX_HELD at a time.
 */
#ifndef CONTROLLER_PINCTRL_H
#define CONTROLLER_PINCTRL_H 1

#include <stdbool.h>
#include <stddef.h>

#include "openvswitch/types.h"

struct ctlsw;
struct dps;
struct ds;
struct ofp_header;
struct ovsdb_idl;
struct sp_packet_in;
struct uuid;

#define PINCTRL_HOLD_MSEC 2000
#define PINCTRL_MAX_HELD 4096

/* Default packet-in rate limit per (switch, input port). */
#define PINCTRL_DEFAULT_RATE 1000
#define PINCTRL_DEFAULT_BURST 2000

void pinctrl_init(const struct dps *, struct ovsdb_idl *,
                  unsigned int rate, unsigned int burst);
void pinctrl_destroy(void);
void pinctrl_packet_ins(struct ctlsw *, const struct ofp_header *const[],
                        size_t n);
void pinctrl_run(void);
void pinctrl_wait(void);
void pinctrl_switch_destroy(struct ctlsw *);
void pinctrl_format(struct ds *);

/* Sends 'packet' ('len' bytes) out of 'sw' with 'actions' (ovs-ofctl
 * syntax) as if it came in on 'in_port'. */
void pinctrl_packet_out(struct ctlsw *, const void *packet, size_t len,
                        ofp_port_t in_port, const char *actions);
/* Sends a packet that came to a switch for an endpoint it no longer
 * hosts on to where the endpoint is now, or holds it until that is known
 * (the "location" packet-in, for callers with a packet of their own). */
void pinctrl_locate(struct ctlsw *, const struct sp_packet_in *,
                    const struct uuid *endpoint);

void pinctrl_set_vlan(const struct uuid *endpoint, int vlan,
                      const char *home);

#endif /* controller/pinctrl.h */
