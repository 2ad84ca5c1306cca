/*
 * dt-addr: parsing and validation of the identifiers an operator types
 * and the database stores: MAC addresses, IPv4 addresses, VXLAN network
 * identifiers, tunnel encapsulations, OpenFlow datapath ids and dovetail
 * object names.
 *
 * Every value that reaches the database through dovetail-ctl, and every
 * value the controller reads back from it, goes through these functions,
 * so the rules live in one place.  Each parser returns NULL on success or
 * a malloc'd error message that quotes the bad value and says what was
 * expected; the caller frees it.
 */
#ifndef DT_ADDR_H
#define DT_ADDR_H 1

#include <stdint.h>
#include "openvswitch/types.h"
#include "openvswitch/compiler.h"

struct eth_addr;

/* Largest VXLAN network identifier (24 bits); 0 is reserved. */
#define DT_VNI_MAX 0xffffff
#define DT_TTL_MAX 86400        /* A day; the schema's bound too. */

struct in6_addr;

/* How a network's packets cross the underlay between hypervisors (the
 * Virtual_Network "encap" column; absent means VXLAN). */
enum dt_encap {
    DT_ENCAP_VXLAN,             /* VXLAN, the VNI in the key. */
    DT_ENCAP_GENEVE,            /* Geneve, the VNI in the key. */
    DT_ENCAP_GRE,               /* Keyless GRE (MAC-in-IP without UDP):
                                 * the receiver recovers the network from
                                 * the inner source MAC's OUI. */
    DT_N_ENCAPS
};

char *dt_parse_mac(const char *s, struct eth_addr *mac)
    OVS_WARN_UNUSED_RESULT;
char *dt_parse_endpoint_mac(const char *s, struct eth_addr *mac)
    OVS_WARN_UNUSED_RESULT;
char *dt_parse_ipv4(const char *s, ovs_be32 *ip) OVS_WARN_UNUSED_RESULT;
char *dt_parse_ip(const char *s, struct in6_addr *ip, char *canonical)
    OVS_WARN_UNUSED_RESULT;
char *dt_format_ip(const struct in6_addr *ip, char *buf);
char *dt_parse_ip_prefix(const char *s, struct in6_addr *prefix,
                         unsigned int *plen) OVS_WARN_UNUSED_RESULT;
char *dt_format_ip_prefix(const struct in6_addr *prefix, unsigned int plen);
char *dt_parse_oui(const char *s, uint32_t *oui) OVS_WARN_UNUSED_RESULT;
char *dt_parse_ttl(const char *s, uint32_t *ttl) OVS_WARN_UNUSED_RESULT;
char *dt_parse_vni(const char *s, uint32_t *vni) OVS_WARN_UNUSED_RESULT;
char *dt_parse_encap(const char *s, enum dt_encap *) OVS_WARN_UNUSED_RESULT;
const char *dt_encap_name(enum dt_encap);
char *dt_parse_dpid(const char *s, uint64_t *dpid) OVS_WARN_UNUSED_RESULT;
char *dt_parse_name(const char *what, const char *s) OVS_WARN_UNUSED_RESULT;

#endif /* lib/dt-addr.h */
