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
