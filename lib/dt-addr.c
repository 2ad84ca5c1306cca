/*
 * dt-addr: parsing and validation of MACs, IPv4 addresses, VNIs, datapath
 * ids and names.  See dt-addr.h.
 *
 * The parsers are strict where OVS's own are lenient: "1.2.3" or a MAC
 * with trailing garbage is an error here, because a typo that parses as
 * some other address would silently program the wrong flows.
 */
#include <config.h>
#include "lib/dt-addr.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "openvswitch/util.h"
#include "packets.h"
#include "util.h"

/* Parses 's' as a MAC address "xx:xx:xx:xx:xx:xx" (exactly six groups of
 * two hex digits) into '*mac'. */
char *
dt_parse_mac(const char *s, struct eth_addr *mac)
{
    int n = 0;

    if (strlen(s) != 17
        || !ovs_scan(s, ETH_ADDR_SCAN_FMT"%n", ETH_ADDR_SCAN_ARGS(*mac), &n)
        || n != 17) {
        return xasprintf("\"%s\": malformed MAC address "
                         "(expected xx:xx:xx:xx:xx:xx)", s);
    }
    for (const char *p = s; *p; p++) {
        if (!isxdigit((unsigned char) *p) && *p != ':') {
            return xasprintf("\"%s\": malformed MAC address "
                             "(expected xx:xx:xx:xx:xx:xx)", s);
        }
    }
    return NULL;
}

/* Parses 's' like dt_parse_mac() and also requires a unicast address that
 * is not all-zeros: the only kind a VM's interface may own. */
char *
dt_parse_endpoint_mac(const char *s, struct eth_addr *mac)
{
    char *error = dt_parse_mac(s, mac);
    if (error) {
        return error;
    }
    if (eth_addr_is_multicast(*mac)) {
        return xasprintf("\"%s\": not a unicast MAC address "
                         "(the I/G bit is set)", s);
    }
    if (eth_addr_is_zero(*mac)) {
        return xasprintf("\"%s\": the all-zeros MAC address cannot be an "
                         "endpoint's", s);
    }
    return NULL;
}

/* Parses 's' as a dotted-quad IPv4 address into '*ip'. */
char *
dt_parse_ipv4(const char *s, ovs_be32 *ip)
{
    struct in_addr in;

    if (inet_pton(AF_INET, s, &in) != 1) {
        return xasprintf("\"%s\": malformed IPv4 address "
                         "(expected a.b.c.d)", s);
    }
    *ip = in.s_addr;
    return NULL;
}

/* Parses 's' as an IPv4 address (dotted quad) or an IPv6 address into
 * '*ip', IPv4 as an IPv4-mapped IPv6 address.  If 'canonical' is nonnull,
 * writes the address's canonical text there (at least INET6_ADDRSTRLEN
 * bytes), which is how the database stores it. */
char *
dt_parse_ip(const char *s, struct in6_addr *ip, char *canonical)
{
    struct in_addr in4;

    if (inet_pton(AF_INET, s, &in4) == 1) {
        in6_addr_set_mapped_ipv4(ip, in4.s_addr);
    } else if (!strchr(s, ':') || inet_pton(AF_INET6, s, ip) != 1
               || IN6_IS_ADDR_V4MAPPED(ip)) {
        return xasprintf("\"%s\": malformed IP address (expected a.b.c.d "
                         "or an IPv6 address)", s);
    }
    if (canonical) {
        dt_format_ip(ip, canonical);
    }
    return NULL;
}

/* Writes 'ip' (IPv4-mapped for IPv4) as text into 'buf', which must have
 * room for INET6_ADDRSTRLEN bytes.  Returns 'buf'. */
char *
dt_format_ip(const struct in6_addr *ip, char *buf)
{
    if (IN6_IS_ADDR_V4MAPPED(ip)) {
        ovs_be32 ip4 = in6_addr_get_mapped_ipv4(ip);
        inet_ntop(AF_INET, &ip4, buf, INET6_ADDRSTRLEN);
    } else {
        inet_ntop(AF_INET6, ip, buf, INET6_ADDRSTRLEN);
    }
    return buf;
}

/* Parses 's' as an IP prefix "ADDR/LEN" (IPv4 or IPv6; a bare address
 * means a host prefix) into '*prefix' and '*plen', where '*plen' counts
 * IPv6 bits, so an IPv4 /24 gives 96 + 24.  Bits beyond the prefix
 * length must be zero. */
char *
dt_parse_ip_prefix(const char *s, struct in6_addr *prefix,
                   unsigned int *plen)
{
    const char *slash = strchr(s, '/');
    char *addr = slash ? xmemdup0(s, slash - s) : xstrdup(s);
    char *error = dt_parse_ip(addr, prefix, NULL);
    free(addr);
    if (error) {
        free(error);
        return xasprintf("\"%s\": malformed IP prefix (expected "
                         "ADDRESS/LENGTH, e.g. 10.1.0.0/16)", s);
    }

    bool is_v4 = IN6_IS_ADDR_V4MAPPED(prefix);
    unsigned int max = is_v4 ? 32 : 128;
    unsigned int len = max;
    if (slash) {
        const char *p = slash + 1;
        if (!isdigit((unsigned char) *p) || strlen(p) > 3
            || strspn(p, "0123456789") != strlen(p)
            || (len = atoi(p)) > max) {
            return xasprintf("\"%s\": invalid prefix length (expected 0 to "
                             "%u)", s, max);
        }
    }
    *plen = len + (is_v4 ? 96 : 0);

    struct in6_addr mask = ipv6_create_mask(*plen);
    struct in6_addr masked = ipv6_addr_bitand(prefix, &mask);
    if (!ipv6_addr_equals(&masked, prefix)) {
        return xasprintf("\"%s\": host bits set beyond the prefix length",
                         s);
    }
    return NULL;
}

/* Parses 's' as an OUI, the first three bytes of a MAC address written
 * "xx:xx:xx", into '*oui' (the bytes as a 24-bit number).  The I/G bit
 * must be clear: an OUI that tenants' VM MACs are made from is unicast. */
char *
dt_parse_oui(const char *s, uint32_t *oui)
{
    char mac[18];
    struct eth_addr ea;

    if (strlen(s) != 8) {
        return xasprintf("\"%s\": malformed OUI (expected xx:xx:xx)", s);
    }
    snprintf(mac, sizeof mac, "%s:00:00:00", s);
    char *error = dt_parse_mac(mac, &ea);
    if (error) {
        free(error);
        return xasprintf("\"%s\": malformed OUI (expected xx:xx:xx)", s);
    }
    if (eth_addr_is_multicast(ea)) {
        return xasprintf("\"%s\": not a unicast OUI (the I/G bit is set)",
                         s);
    }
    *oui = (ea.ea[0] << 16) | (ea.ea[1] << 8) | ea.ea[2];
    return NULL;
}

/* Returns "ADDRESS/LENGTH" for a prefix that dt_parse_ip_prefix() parsed,
 * in canonical form (an IPv4 length counts IPv4 bits), malloc'd. */
char *
dt_format_ip_prefix(const struct in6_addr *prefix, unsigned int plen)
{
    char buf[INET6_ADDRSTRLEN];
    bool is_v4 = IN6_IS_ADDR_V4MAPPED(prefix);

    return xasprintf("%s/%u", dt_format_ip(prefix, buf),
                     is_v4 ? plen - 96 : plen);
}

/* Parses 's' as a policy TTL: whole seconds from 1 to DT_TTL_MAX. */
char *
dt_parse_ttl(const char *s, uint32_t *ttl)
{
    char *end;
    unsigned long long value;

    errno = 0;
    value = isdigit((unsigned char) s[0]) ? strtoull(s, &end, 10) : 0;
    if (!isdigit((unsigned char) s[0]) || *end || errno
        || value < 1 || value > DT_TTL_MAX) {
        return xasprintf("\"%s\": invalid TTL (expected whole seconds from "
                         "1 to %d)", s, DT_TTL_MAX);
    }
    *ttl = value;
    return NULL;
}

/* Parses 's' as a VXLAN network identifier, a decimal integer from 1 to
 * DT_VNI_MAX, into '*vni'. */
char *
dt_parse_vni(const char *s, uint32_t *vni)
{
    char *end;
    unsigned long long value;

    errno = 0;
    value = isdigit((unsigned char) s[0]) ? strtoull(s, &end, 10) : 0;
    if (!isdigit((unsigned char) s[0]) || *end || errno
        || value < 1 || value > DT_VNI_MAX) {
        return xasprintf("\"%s\": invalid VNI (expected an integer from 1 "
                         "to %d)", s, DT_VNI_MAX);
    }
    *vni = value;
    return NULL;
}

/* Parses 's', a Virtual_Network "encap" value ("vxlan", "geneve" or
 * "gre"), into '*encap'.  A null 's' (the column is empty) is VXLAN. */
char *
dt_parse_encap(const char *s, enum dt_encap *encap)
{
    for (int i = 0; i < DT_N_ENCAPS; i++) {
        if (!s || !strcmp(s, dt_encap_name(i))) {
            *encap = s ? i : DT_ENCAP_VXLAN;
            return NULL;
        }
    }
    return xasprintf("\"%s\": invalid encapsulation (expected vxlan, "
                     "geneve or gre)", s);
}

/* Returns the name of 'encap' as the database stores it ("vxlan"...). */
const char *
dt_encap_name(enum dt_encap encap)
{
    switch (encap) {
    case DT_ENCAP_VXLAN:
        return "vxlan";
    case DT_ENCAP_GENEVE:
        return "geneve";
    case DT_ENCAP_GRE:
        return "gre";
    case DT_N_ENCAPS:
    default:
        OVS_NOT_REACHED();
    }
}

/* Parses 's' as an OpenFlow datapath id: 16 hex digits, optionally with a
 * "0x" prefix, as ovs-ofctl prints it. */
char *
dt_parse_dpid(const char *s, uint64_t *dpid)
{
    const char *p = (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ? s + 2 : s;
    size_t len = strlen(p);

    if (!len || len > 16 || strspn(p, "0123456789abcdefABCDEF") != len) {
        return xasprintf("\"%s\": invalid datapath id (expected up to 16 "
                         "hex digits, e.g. 00000000000000a1)", s);
    }
    *dpid = strtoull(p, NULL, 16);
    return NULL;
}

/* Checks that 's' may name a dovetail object of kind 'what' ("network",
 * "hypervisor", ...): 1 to 64 characters from [A-Za-z0-9_.-], not
 * starting with '-' (so it never reads as an option). */
char *
dt_parse_name(const char *what, const char *s)
{
    size_t len = strlen(s);

    if (!len || len > 64 || s[0] == '-'
        || strspn(s, "abcdefghijklmnopqrstuvwxyz"
                     "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != len) {
        return xasprintf("\"%s\": invalid %s name (1 to 64 letters, digits, "
                         "'_', '.' or '-', not starting with '-')", s, what);
    }
    return NULL;
}
