/*
 * Unit tests for lib/dt-dps: policy resolution over the DOVE paper's
 * three-tier example (section 4.2.1, Tables 1 to 4), built through the
 * dps_*_set() API with fixed UUIDs, and every way a resolution can end:
 * explicit, default and implicit default policies, waypoints in order,
 * deny, unknown address, unknown location, external prefixes, IPv6,
 * updates in place, removals, textual requests and the formatted reply.
 *
 * The network "blue" (VNI 5001):
 *
 *   domains   External, Load-Balancer, Application, Database
 *   actions   FW-1 (waypoint 9.2.5.1), SSL (waypoint 9.2.5.4),
 *             Compression (waypoint 9.2.4.3), Deny, Accept
 *   policies  External -> Load-Balancer       FW-1, Accept       1 / 300
 *             Load-Balancer -> Application    SSL, Accept      137 / 200
 *             Application -> Database         FW-1, SSL,
 *                                             Compression, Accept  3 / 120
 *             Database -> Application         Compression, Accept  1 / 300
 *             Application -> External         FW-1, Accept       2 / 300
 *             Application -> Application      Accept             5 / 60
 *             Load-Balancer -> Database       FW-1, Deny, SSL    9 / 30
 *             default                         Deny               1 / 300
 *
 * and "green" (VNI 5002), two domains and no policy at all.
 */
#include <config.h>
#include "tests/check-tap.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "lib/dt-addr.h"
#include "lib/dt-dps.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/util.h"
#include "packets.h"
#include "util.h"

/* Object kinds, for fixed UUIDs. */
enum {
    NET = 1, HV, DOM, ACT, POL, EP,
};

/* Returns the fixed UUID of object 'n' of 'kind'. */
static struct uuid
U(int kind, int n)
{
    struct uuid uuid = { .parts = { kind << 24 | n, 0xd0e, kind, n } };
    return uuid;
}

/* Pointers to fixed UUIDs, for the API's "const struct uuid *". */
#define UP(KIND, N) (&(struct uuid) { .parts = { (KIND) << 24 | (N), 0xd0e, \
                                                 (KIND), (N) } })

static struct dps *dps;

static struct in6_addr
ip(const char *s)
{
    struct in6_addr addr;
    char *error = dt_parse_ip(s, &addr, NULL);
    ck_assert_msg(!error, "%s", error);
    return addr;
}

static struct eth_addr
mac(const char *s)
{
    struct eth_addr ea;
    char *error = dt_parse_mac(s, &ea);
    ck_assert_msg(!error, "%s", error);
    return ea;
}

/* Sets endpoint 'n' with the given columns: 'ips' is a NULL-terminated
 * list, 'mac_s', 'prefix', 'hv' (0 for none) and 'port' may be absent. */
static void
set_endpoint(int n, const char *name, int network, int domain,
             const char *mac_s, const char *const *ips, int hv,
             const char *port, const char *prefix)
{
    struct dps_endpoint_spec spec;
    struct in6_addr addrs[8];
    size_t n_addrs = 0;

    memset(&spec, 0, sizeof spec);
    spec.name = name;
    spec.network = U(NET, network);
    spec.domain = domain ? UP(DOM, domain) : NULL;
    if (mac_s) {
        spec.has_mac = true;
        spec.mac = mac(mac_s);
    }
    for (; ips && ips[n_addrs]; n_addrs++) {
        addrs[n_addrs] = ip(ips[n_addrs]);
    }
    spec.ips = addrs;
    spec.n_ips = n_addrs;
    spec.hypervisor = hv ? UP(HV, hv) : NULL;
    spec.port = port;
    if (prefix) {
        char *error = dt_parse_ip_prefix(prefix, &spec.prefix, &spec.plen);
        ck_assert_msg(!error, "%s", error);
        spec.is_external = true;
    }
    dps_endpoint_set(dps, UP(EP, n), &spec);
}

#define IPS(...) ((const char *const []) { __VA_ARGS__, NULL })

/* Sets policy 'n' in blue from domain 'src' to 'dst' (0, 0: default) with
 * the actions listed after 'tracking'. */
static void
set_policy(int n, int src, int dst, uint32_t ttl, uint64_t tracking,
           size_t n_actions, ...)
{
    struct uuid actions[DPS_MAX_ACTIONS];
    va_list args;

    va_start(args, n_actions);
    for (size_t i = 0; i < n_actions; i++) {
        actions[i] = U(ACT, va_arg(args, int));
    }
    va_end(args);
    dps_policy_set(dps, UP(POL, n), UP(NET, 1),
                   src ? UP(DOM, src) : NULL, dst ? UP(DOM, dst) : NULL,
                   actions, n_actions, ttl, tracking);
}

static void
build_dove_example(void)
{
    dps = dps_create();

    dps_network_set(dps, UP(NET, 1), "blue", 5001);
    dps_network_set(dps, UP(NET, 2), "green", 5002);

    for (int i = 1; i <= 4; i++) {
        char name[8];
        snprintf(name, sizeof name, "hv%d", i);
        dps_hypervisor_set(dps, UP(HV, i), name, i,
                           htonl(0x0a000000 | i));
    }

    /* Table 1. */
    dps_domain_set(dps, UP(DOM, 1), UP(NET, 1), "External");
    dps_domain_set(dps, UP(DOM, 2), UP(NET, 1), "Load-Balancer");
    dps_domain_set(dps, UP(DOM, 3), UP(NET, 1), "Application");
    dps_domain_set(dps, UP(DOM, 4), UP(NET, 1), "Database");
    dps_domain_set(dps, UP(DOM, 5), UP(NET, 2), "web");
    dps_domain_set(dps, UP(DOM, 6), UP(NET, 2), "db");

    /* Table 4. */
    dps_action_set(dps, UP(ACT, 1), UP(NET, 1), "FW-1",
                   DPS_ACTION_WAYPOINT, "9.2.5.1");
    dps_action_set(dps, UP(ACT, 2), UP(NET, 1), "SSL",
                   DPS_ACTION_WAYPOINT, "9.2.5.4");
    dps_action_set(dps, UP(ACT, 3), UP(NET, 1), "Compression",
                   DPS_ACTION_WAYPOINT, "9.2.4.3");
    dps_action_set(dps, UP(ACT, 4), UP(NET, 1), "Deny",
                   DPS_ACTION_DENY, NULL);
    dps_action_set(dps, UP(ACT, 5), UP(NET, 1), "Accept",
                   DPS_ACTION_ALLOW, NULL);

    /* Table 2 and more. */
    set_policy(1, 1, 2, 300, 1, 2, 1, 5);
    set_policy(3, 2, 3, 200, 137, 2, 2, 5);
    set_policy(4, 3, 4, 120, 3, 4, 1, 2, 3, 5);
    set_policy(6, 4, 3, 300, 1, 2, 3, 5);
    set_policy(7, 3, 1, 300, 2, 2, 1, 5);
    set_policy(8, 3, 3, 60, 5, 1, 5);
    set_policy(10, 2, 4, 30, 9, 3, 1, 4, 2);
    set_policy(9, 0, 0, 300, 1, 1, 4);

    /* Table 3 and more. */
    set_endpoint(1, "Ext", 1, 1, NULL, NULL, 1, NULL, "198.51.100.0/24");
    set_endpoint(2, "LB", 1, 2, "02:00:00:00:00:02", IPS("9.2.10.34"), 2,
                 "tap-lb", NULL);
    set_endpoint(3, "WS1", 1, 3, "02:00:00:00:00:03", IPS("9.2.10.26"), 3,
                 "tap-ws1", NULL);
    set_endpoint(4, "WS2", 1, 3, "02:00:00:00:00:04", IPS("9.2.10.27"), 4,
                 "tap-ws2", NULL);
    set_endpoint(5, "DB1", 1, 4, "02:00:00:00:00:05", NULL, 3, "tap-db1",
                 NULL);
    set_endpoint(6, "DB2", 1, 4, "02:00:00:00:00:06", NULL, 4, "tap-db2",
                 NULL);
    set_endpoint(7, "Partner", 1, 1, NULL, NULL, 1, NULL,
                 "198.51.100.128/25");
    set_endpoint(8, "partner-host", 1, 1, NULL, IPS("198.51.100.201"), 1,
                 "uplink", NULL);
    set_endpoint(9, "WS4", 1, 3, "02:00:00:00:00:09", IPS("9.2.10.29"), 0,
                 "tap-ws4", NULL);
    set_endpoint(10, "orphan", 1, 0, NULL, IPS("9.2.10.50"), 2,
                 "tap-orphan", NULL);
    set_endpoint(11, "v6host", 1, 3, NULL, IPS("9.2.10.40", "2001:db8::10"),
                 2, "tap-v6", NULL);
    set_endpoint(12, "v6ext", 1, 1, NULL, NULL, 1, NULL, "2001:db8:ff::/48");

    set_endpoint(20, "g1", 2, 5, "02:00:00:00:00:02", IPS("10.1.0.1"), 1,
                 "tap-g1", NULL);
    set_endpoint(21, "g2", 2, 6, NULL, IPS("10.1.0.2", "9.2.10.26"), 2,
                 "tap-g2", NULL);
}

static void
destroy_dps(void)
{
    dps_destroy(dps);
    dps = NULL;
}

static const struct dps_endpoint *
EPN(const char *name)
{
    const struct dps_endpoint *ep = dps_find_endpoint_by_name(dps, name);
    ck_assert_msg(ep != NULL, "no endpoint %s", name);
    return ep;
}

static void
resolve(const char *src, const char *dst_ip, struct dps_resolution *res)
{
    struct in6_addr addr = ip(dst_ip);
    memset(res, 0xcc, sizeof *res);
    dps_resolve_ip(dps, EPN(src), &addr, res);
}

static void
resolve_mac(const char *src, const char *dst_mac, struct dps_resolution *res)
{
    memset(res, 0xcc, sizeof *res);
    dps_resolve_mac(dps, EPN(src), mac(dst_mac), res);
}

/* Asserts that '*res' forwards to 'dst' on hypervisor 'hv' (dpid and
 * tunnel 10.0.0.hv) port 'port' through the NULL-terminated 'waypoints'. */
static void
assert_forward(const struct dps_resolution *res, const char *dst, int hv,
               const char *port, const char *const *waypoints)
{
    char name[8];
    size_t n = 0;

    ck_assert_int_eq(res->verdict, DPS_FORWARD);
    ck_assert_int_eq(res->unknown_reason, DPS_UNKNOWN_NONE);
    ck_assert_ptr_eq(res->dst, EPN(dst));
    snprintf(name, sizeof name, "hv%d", hv);
    ck_assert_str_eq(res->hypervisor_name, name);
    ck_assert_uint_eq(res->dpid, hv);
    ck_assert_uint_eq(ntohl(res->tunnel_ip), 0x0a000000 | hv);
    if (port) {
        ck_assert_str_eq(res->port, port);
    } else {
        ck_assert_ptr_null(res->port);
    }
    for (; waypoints && waypoints[n]; n++) {
        ck_assert_uint_lt(n, res->n_waypoints);
        ck_assert_str_eq(res->waypoints[n], waypoints[n]);
    }
    ck_assert_uint_eq(res->n_waypoints, n);
    ck_assert_ptr_null(res->deny_action);
    ck_assert_uint_eq(res->n_unaddressed, 0);
}

/* Asserts that '*res' was decided by policy 'n' (0: implicit default). */
static void
assert_policy(const struct dps_resolution *res, int n, bool is_default,
              uint64_t tracking, uint32_t ttl)
{
    if (n) {
        ck_assert_ptr_nonnull(dps_find_policy(dps, UP(POL, n)));
        ck_assert_ptr_eq(res->policy, dps_find_policy(dps, UP(POL, n)));
    } else {
        ck_assert_ptr_null(res->policy);
    }
    ck_assert_int_eq(res->is_default, is_default);
    ck_assert_uint_eq(res->tracking_number, tracking);
    ck_assert_uint_eq(res->ttl, ttl);
}

/* Returns true if '*res' is about destination IP 's'. */
static bool
dst_ip_is(const struct dps_resolution *res, const char *s)
{
    struct in6_addr addr = ip(s);
    return !res->dst_is_mac && ipv6_addr_equals(&res->dst_ip, &addr);
}

static char *
format(const struct dps_resolution *res)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    dps_resolution_format(res, &s);
    return ds_steal_cstr(&s);
}

#define ck_assert_format(RES, EXPECTED)         \
    do {                                        \
        char *text_ = format(RES);              \
        ck_assert_str_eq(text_, EXPECTED);      \
        free(text_);                            \
    } while (0)

START_TEST(test_action_kind)
{
    enum dps_action_kind kind = DPS_ACTION_ALLOW;

    ck_assert_str_eq(dps_action_kind_to_string(DPS_ACTION_ALLOW), "allow");
    ck_assert_str_eq(dps_action_kind_to_string(DPS_ACTION_DENY), "deny");
    ck_assert_str_eq(dps_action_kind_to_string(DPS_ACTION_WAYPOINT),
                     "waypoint");
    ck_assert(dps_action_kind_from_string("waypoint", &kind));
    ck_assert_int_eq(kind, DPS_ACTION_WAYPOINT);
    ck_assert(dps_action_kind_from_string("deny", &kind));
    ck_assert_int_eq(kind, DPS_ACTION_DENY);
    ck_assert(dps_action_kind_from_string("allow", &kind));
    ck_assert_int_eq(kind, DPS_ACTION_ALLOW);
    ck_assert(!dps_action_kind_from_string("Allow", &kind));
    ck_assert(!dps_action_kind_from_string("", &kind));
    ck_assert_int_eq(kind, DPS_ACTION_ALLOW);
}
END_TEST

START_TEST(test_lookups)
{
    const struct dps_network *blue = dps_find_network_by_name(dps, "blue");
    const struct dps_network *green = dps_find_network(dps, UP(NET, 2));
    struct in6_addr addr;

    ck_assert_ptr_nonnull(blue);
    ck_assert_ptr_eq(blue, dps_find_network(dps, UP(NET, 1)));
    ck_assert_str_eq(dps_network_name(blue), "blue");
    ck_assert_uint_eq(dps_network_vni(blue), 5001);
    ck_assert_str_eq(dps_network_name(green), "green");

    /* VXLAN until told otherwise; a rename keeps the encapsulation. */
    ck_assert_int_eq(dps_network_encap(green), DT_ENCAP_VXLAN);
    dps_network_set_encap(dps, UP(NET, 2), DT_ENCAP_GRE);
    ck_assert_int_eq(dps_network_encap(green), DT_ENCAP_GRE);
    dps_network_set(dps, UP(NET, 2), "green", 5002);
    ck_assert_int_eq(dps_network_encap(green), DT_ENCAP_GRE);
    ck_assert_ptr_null(dps_find_network_by_name(dps, "red"));
    ck_assert_ptr_null(dps_find_network(dps, UP(NET, 3)));

    ck_assert_ptr_eq(dps_find_endpoint(dps, UP(EP, 3)), EPN("WS1"));
    ck_assert_str_eq(dps_endpoint_name(EPN("WS1")), "WS1");
    ck_assert_ptr_eq(dps_endpoint_network(EPN("g1")), green);
    ck_assert_ptr_null(dps_find_endpoint(dps, UP(EP, 99)));
    ck_assert_ptr_null(dps_find_endpoint_by_name(dps, "ws1"));

    /* Exact lookups, per network. */
    addr = ip("9.2.10.26");
    ck_assert_ptr_eq(dps_find_endpoint_by_ip(dps, blue, &addr), EPN("WS1"));
    ck_assert_ptr_eq(dps_find_endpoint_by_ip(dps, green, &addr), EPN("g2"));
    addr = ip("198.51.100.7");
    ck_assert_ptr_null(dps_find_endpoint_by_ip(dps, blue, &addr));
    addr = ip("2001:db8::10");
    ck_assert_ptr_eq(dps_find_endpoint_by_ip(dps, blue, &addr),
                     EPN("v6host"));
    ck_assert_ptr_eq(dps_find_endpoint_by_mac(dps, blue,
                                              mac("02:00:00:00:00:02")),
                     EPN("LB"));
    ck_assert_ptr_eq(dps_find_endpoint_by_mac(dps, green,
                                              mac("02:00:00:00:00:02")),
                     EPN("g1"));
    ck_assert_ptr_null(dps_find_endpoint_by_mac(dps, green,
                                                mac("02:00:00:00:00:03")));

    ck_assert_ptr_nonnull(dps_find_hypervisor(dps, UP(HV, 4)));
    ck_assert_ptr_null(dps_find_hypervisor(dps, UP(HV, 5)));
    ck_assert_ptr_nonnull(dps_find_domain(dps, UP(DOM, 6)));
    ck_assert_ptr_null(dps_find_domain(dps, UP(DOM, 7)));
    ck_assert_ptr_nonnull(dps_find_action(dps, UP(ACT, 5)));
    ck_assert_ptr_null(dps_find_action(dps, UP(ACT, 6)));
    ck_assert_ptr_nonnull(dps_find_policy(dps, UP(POL, 9)));
    ck_assert_ptr_null(dps_find_policy(dps, UP(POL, 2)));
}
END_TEST

START_TEST(test_intra_domain)
{
    struct dps_resolution res;

    resolve("WS1", "9.2.10.27", &res);
    assert_forward(&res, "WS2", 4, "tap-ws2", NULL);
    assert_policy(&res, 8, false, 5, 60);
    ck_assert_ptr_eq(res.src, EPN("WS1"));

    /* To itself. */
    resolve("WS1", "9.2.10.26", &res);
    assert_forward(&res, "WS1", 3, "tap-ws1", NULL);
    assert_policy(&res, 8, false, 5, 60);
}
END_TEST

START_TEST(test_inter_domain_waypoints)
{
    struct dps_resolution res;

    /* Table 2's P-3: tracking 137, TTL 200, through SSL. */
    resolve("LB", "9.2.10.26", &res);
    assert_forward(&res, "WS1", 3, "tap-ws1", IPS("9.2.5.4"));
    assert_policy(&res, 3, false, 137, 200);

    /* Three waypoints, in the policy's order. */
    resolve_mac("WS2", "02:00:00:00:00:06", &res);
    assert_forward(&res, "DB2", 4, "tap-db2",
                   IPS("9.2.5.1", "9.2.5.4", "9.2.4.3"));
    assert_policy(&res, 4, false, 3, 120);
    ck_assert(res.dst_is_mac);
    ck_assert(eth_addr_equals(res.dst_mac, mac("02:00:00:00:00:06")));

    /* The reverse direction has its own policy. */
    resolve_mac("DB1", "02:00:00:00:00:03", &res);
    assert_forward(&res, "WS1", 3, "tap-ws1", IPS("9.2.4.3"));
    assert_policy(&res, 6, false, 1, 300);
}
END_TEST

START_TEST(test_default_policy)
{
    struct dps_resolution res;

    /* Application -> Load-Balancer has no policy: the default denies. */
    resolve("WS1", "9.2.10.34", &res);
    ck_assert_int_eq(res.verdict, DPS_DENY);
    ck_assert_int_eq(res.unknown_reason, DPS_UNKNOWN_NONE);
    ck_assert_ptr_eq(res.dst, EPN("LB"));
    ck_assert_str_eq(res.deny_action, "Deny");
    ck_assert_uint_eq(res.n_waypoints, 0);
    assert_policy(&res, 9, true, 1, 300);

    /* An endpoint in no domain is governed by the default only, as source
     * and as destination, even between domains that have a policy. */
    resolve("orphan", "9.2.10.26", &res);
    ck_assert_int_eq(res.verdict, DPS_DENY);
    assert_policy(&res, 9, true, 1, 300);
    resolve("WS1", "9.2.10.50", &res);
    ck_assert_int_eq(res.verdict, DPS_DENY);
    ck_assert_ptr_eq(res.dst, EPN("orphan"));
    assert_policy(&res, 9, true, 1, 300);

    /* Make the default allow through FW-1. */
    set_policy(9, 0, 0, 100, 2, 2, 1, 5);
    resolve("WS1", "9.2.10.34", &res);
    assert_forward(&res, "LB", 2, "tap-lb", IPS("9.2.5.1"));
    assert_policy(&res, 9, true, 2, 100);
}
END_TEST

START_TEST(test_implicit_default)
{
    struct dps_resolution res;

    /* Green has no policy at all. */
    resolve("g1", "10.1.0.2", &res);
    assert_forward(&res, "g2", 2, "tap-g2", NULL);
    assert_policy(&res, 0, true, 0, DPS_IMPLICIT_TTL);

    /* Blue without its default. */
    dps_policy_remove(dps, UP(POL, 9));
    resolve("WS1", "9.2.10.34", &res);
    assert_forward(&res, "LB", 2, "tap-lb", NULL);
    assert_policy(&res, 0, true, 0, 300);

    /* And with it back. */
    set_policy(9, 0, 0, 300, 2, 1, 4);
    resolve("WS1", "9.2.10.34", &res);
    ck_assert_int_eq(res.verdict, DPS_DENY);
    assert_policy(&res, 9, true, 2, 300);
}
END_TEST

START_TEST(test_deny)
{
    struct dps_resolution res;

    /* FW-1, Deny, SSL: the deny wins and no waypoint is reported. */
    resolve_mac("LB", "02:00:00:00:00:05", &res);
    ck_assert_int_eq(res.verdict, DPS_DENY);
    ck_assert_int_eq(res.unknown_reason, DPS_UNKNOWN_NONE);
    ck_assert_ptr_eq(res.src, EPN("LB"));
    ck_assert_ptr_eq(res.dst, EPN("DB1"));
    ck_assert_str_eq(res.deny_action, "Deny");
    ck_assert_uint_eq(res.n_waypoints, 0);
    assert_policy(&res, 10, false, 9, 30);

    /* An action that changes kind changes every policy that uses it. */
    dps_action_set(dps, UP(ACT, 4), UP(NET, 1), "Deny", DPS_ACTION_ALLOW,
                   NULL);
    resolve_mac("LB", "02:00:00:00:00:05", &res);
    assert_forward(&res, "DB1", 3, "tap-db1", IPS("9.2.5.1", "9.2.5.4"));
    dps_action_set(dps, UP(ACT, 4), UP(NET, 1), "Block", DPS_ACTION_DENY,
                   "ignored");
    resolve_mac("LB", "02:00:00:00:00:05", &res);
    ck_assert_int_eq(res.verdict, DPS_DENY);
    ck_assert_str_eq(res.deny_action, "Block");
}
END_TEST

START_TEST(test_unknown_address)
{
    struct dps_resolution res;

    resolve("WS1", "9.2.10.99", &res);
    ck_assert_int_eq(res.verdict, DPS_UNKNOWN);
    ck_assert_int_eq(res.unknown_reason, DPS_UNKNOWN_ADDRESS);
    ck_assert_ptr_eq(res.src, EPN("WS1"));
    ck_assert_ptr_null(res.dst);
    assert_policy(&res, 0, false, 0, 0);
    ck_assert_ptr_null(res.hypervisor_name);
    ck_assert_ptr_null(res.port);
    ck_assert_uint_eq(res.n_waypoints, 0);
    ck_assert_ptr_null(res.deny_action);
    ck_assert_uint_eq(res.n_unaddressed, 2);      /* DB1, DB2. */
    ck_assert(!res.dst_is_mac);
    ck_assert(dst_ip_is(&res, "9.2.10.99"));

    /* Green's addresses are not blue's. */
    resolve("WS1", "10.1.0.1", &res);
    ck_assert_int_eq(res.unknown_reason, DPS_UNKNOWN_ADDRESS);
    resolve("g1", "9.2.10.27", &res);
    ck_assert_int_eq(res.unknown_reason, DPS_UNKNOWN_ADDRESS);
    ck_assert_uint_eq(res.n_unaddressed, 0);

    /* An unknown MAC. */
    resolve_mac("WS1", "02:00:00:00:00:99", &res);
    ck_assert_int_eq(res.verdict, DPS_UNKNOWN);
    ck_assert_int_eq(res.unknown_reason, DPS_UNKNOWN_ADDRESS);
    ck_assert_ptr_null(res.dst);
    ck_assert_uint_eq(res.n_unaddressed, 2);

    /* DB1 learns its address: one fewer to probe. */
    set_endpoint(5, "DB1", 1, 4, "02:00:00:00:00:05", IPS("9.2.10.61"), 3,
                 "tap-db1", NULL);
    resolve("WS1", "9.2.10.99", &res);
    ck_assert_uint_eq(res.n_unaddressed, 1);
    resolve("WS1", "9.2.10.61", &res);
    assert_forward(&res, "DB1", 3, "tap-db1",
                   IPS("9.2.5.1", "9.2.5.4", "9.2.4.3"));

    /* A new endpoint without an address. */
    set_endpoint(13, "DB3", 1, 4, NULL, NULL, 4, "tap-db3", NULL);
    resolve("WS1", "9.2.10.99", &res);
    ck_assert_uint_eq(res.n_unaddressed, 2);
    dps_endpoint_remove(dps, UP(EP, 13));
    resolve("WS1", "9.2.10.99", &res);
    ck_assert_uint_eq(res.n_unaddressed, 1);
}
END_TEST

START_TEST(test_unaddressed_endpoint)
{
    struct dps_resolution res;

    /* DB1 has no IP yet: it still sends... */
    resolve("DB1", "9.2.10.27", &res);
    assert_forward(&res, "WS2", 4, "tap-ws2", IPS("9.2.4.3"));
    assert_policy(&res, 6, false, 1, 300);
    ck_assert_ptr_eq(res.src, EPN("DB1"));

    /* ...and receives by MAC. */
    resolve_mac("WS1", "02:00:00:00:00:05", &res);
    assert_forward(&res, "DB1", 3, "tap-db1",
                   IPS("9.2.5.1", "9.2.5.4", "9.2.4.3"));
}
END_TEST

START_TEST(test_unknown_location)
{
    struct dps_resolution res;

    resolve("WS1", "9.2.10.29", &res);
    ck_assert_int_eq(res.verdict, DPS_UNKNOWN);
    ck_assert_int_eq(res.unknown_reason, DPS_UNKNOWN_LOCATION);
    ck_assert_ptr_eq(res.dst, EPN("WS4"));
    assert_policy(&res, 0, false, 0, 0);
    ck_assert_ptr_null(res.hypervisor_name);
    ck_assert_uint_eq(res.n_waypoints, 0);
    ck_assert_uint_eq(res.n_unaddressed, 0);

    resolve_mac("WS1", "02:00:00:00:00:09", &res);
    ck_assert_int_eq(res.unknown_reason, DPS_UNKNOWN_LOCATION);

    /* WS4 as a source is fine. */
    resolve("WS4", "9.2.10.26", &res);
    assert_forward(&res, "WS1", 3, "tap-ws1", NULL);

    /* A hypervisor that does not exist (yet) is no location either. */
    set_endpoint(9, "WS4", 1, 3, "02:00:00:00:00:09", IPS("9.2.10.29"), 7,
                 "tap-ws4", NULL);
    resolve("WS1", "9.2.10.29", &res);
    ck_assert_int_eq(res.unknown_reason, DPS_UNKNOWN_LOCATION);

    dps_hypervisor_set(dps, UP(HV, 7), "hv7", 7, htonl(0x0a000007));
    set_endpoint(9, "WS4", 1, 3, "02:00:00:00:00:09", IPS("9.2.10.29"), 7,
                 "tap-ws4", NULL);
    resolve("WS1", "9.2.10.29", &res);
    assert_forward(&res, "WS4", 7, "tap-ws4", NULL);

    /* A location without a port. */
    set_endpoint(9, "WS4", 1, 3, "02:00:00:00:00:09", IPS("9.2.10.29"), 7,
                 NULL, NULL);
    resolve("WS1", "9.2.10.29", &res);
    assert_forward(&res, "WS4", 7, NULL, NULL);
}
END_TEST

START_TEST(test_external)
{
    struct dps_resolution res;

    /* The /24. */
    resolve("WS1", "198.51.100.7", &res);
    assert_forward(&res, "Ext", 1, NULL, IPS("9.2.5.1"));
    assert_policy(&res, 7, false, 2, 300);
    ck_assert(!res.dst_is_mac);
    ck_assert(dst_ip_is(&res, "198.51.100.7"));

    /* The /25 inside it is longer. */
    resolve("WS1", "198.51.100.200", &res);
    assert_forward(&res, "Partner", 1, NULL, IPS("9.2.5.1"));

    /* An exact endpoint beats both. */
    resolve("WS1", "198.51.100.201", &res);
    assert_forward(&res, "partner-host", 1, "uplink", IPS("9.2.5.1"));

    /* Outside every prefix. */
    resolve("WS1", "198.51.101.1", &res);
    ck_assert_int_eq(res.unknown_reason, DPS_UNKNOWN_ADDRESS);

    /* Prefixes are per network. */
    resolve("g1", "198.51.100.7", &res);
    ck_assert_int_eq(res.unknown_reason, DPS_UNKNOWN_ADDRESS);

    /* Shrinking the /25 to a /26 moves .200 back to the /24; removing
     * it does too. */
    set_endpoint(7, "Partner", 1, 1, NULL, NULL, 1, NULL,
                 "198.51.100.128/26");
    resolve("WS1", "198.51.100.200", &res);
    ck_assert_ptr_eq(res.dst, EPN("Ext"));
    resolve("WS1", "198.51.100.130", &res);
    ck_assert_ptr_eq(res.dst, EPN("Partner"));
    dps_endpoint_remove(dps, UP(EP, 7));
    resolve("WS1", "198.51.100.130", &res);
    ck_assert_ptr_eq(res.dst, EPN("Ext"));

    /* An external endpoint that stops being external. */
    set_endpoint(1, "Ext", 1, 1, NULL, NULL, 1, NULL, NULL);
    resolve("WS1", "198.51.100.130", &res);
    ck_assert_int_eq(res.unknown_reason, DPS_UNKNOWN_ADDRESS);
    ck_assert_uint_eq(res.n_unaddressed, 3);
}
END_TEST

START_TEST(test_ipv6)
{
    struct dps_resolution res;

    resolve("WS1", "2001:db8::10", &res);
    assert_forward(&res, "v6host", 2, "tap-v6", NULL);
    assert_policy(&res, 8, false, 5, 60);
    resolve("WS1", "9.2.10.40", &res);
    assert_forward(&res, "v6host", 2, "tap-v6", NULL);

    resolve("v6host", "2001:db8:ff:1::1", &res);
    assert_forward(&res, "v6ext", 1, NULL, IPS("9.2.5.1"));

    resolve("v6host", "2001:db8::11", &res);
    ck_assert_int_eq(res.unknown_reason, DPS_UNKNOWN_ADDRESS);

    /* An IPv4 address is not the IPv6 address with the same bits. */
    resolve("WS1", "::9.2.10.40", &res);
    ck_assert_int_eq(res.unknown_reason, DPS_UNKNOWN_ADDRESS);
}
END_TEST

START_TEST(test_update_in_place)
{
    const struct dps_policy *p3 = dps_find_policy(dps, UP(POL, 3));
    const struct dps_endpoint *ws1 = EPN("WS1");
    const struct dps_endpoint *ws2 = EPN("WS2");
    struct dps_resolution res;
    struct dps_stats stats;

    /* A policy's tracking number changes. */
    set_policy(3, 2, 3, 200, 138, 2, 2, 5);
    ck_assert_ptr_eq(dps_find_policy(dps, UP(POL, 3)), p3);
    resolve("LB", "9.2.10.26", &res);
    assert_policy(&res, 3, false, 138, 200);

    /* A policy's actions grow past what it was created with, and shrink
     * back. */
    set_policy(8, 3, 3, 60, 6, 4, 3, 2, 1, 5);
    resolve("WS1", "9.2.10.27", &res);
    assert_forward(&res, "WS2", 4, "tap-ws2",
                   IPS("9.2.4.3", "9.2.5.4", "9.2.5.1"));
    set_policy(8, 3, 3, 60, 7, 1, 5);
    resolve("WS1", "9.2.10.27", &res);
    assert_forward(&res, "WS2", 4, "tap-ws2", NULL);
    assert_policy(&res, 8, false, 7, 60);

    /* A policy moves to other domains. */
    set_policy(8, 3, 2, 60, 8, 1, 5);
    resolve("WS1", "9.2.10.27", &res);
    ck_assert_int_eq(res.verdict, DPS_DENY);
    resolve("WS1", "9.2.10.34", &res);
    assert_forward(&res, "LB", 2, "tap-lb", NULL);
    assert_policy(&res, 8, false, 8, 60);

    /* An endpoint migrates to another hypervisor. */
    set_endpoint(3, "WS1", 1, 3, "02:00:00:00:00:03", IPS("9.2.10.26"), 4,
                 "tap-ws1b", NULL);
    ck_assert_ptr_eq(EPN("WS1"), ws1);
    resolve("LB", "9.2.10.26", &res);
    assert_forward(&res, "WS1", 4, "tap-ws1b", IPS("9.2.5.4"));

    /* An endpoint's IP and MAC change: the old ones no longer resolve. */
    set_endpoint(4, "WS2", 1, 3, "02:00:00:00:01:04", IPS("9.2.10.28"), 4,
                 "tap-ws2", NULL);
    ck_assert_ptr_eq(EPN("WS2"), ws2);
    resolve("LB", "9.2.10.27", &res);
    ck_assert_int_eq(res.unknown_reason, DPS_UNKNOWN_ADDRESS);
    resolve_mac("LB", "02:00:00:00:00:04", &res);
    ck_assert_int_eq(res.unknown_reason, DPS_UNKNOWN_ADDRESS);
    resolve("LB", "9.2.10.28", &res);
    assert_forward(&res, "WS2", 4, "tap-ws2", IPS("9.2.5.4"));
    resolve_mac("LB", "02:00:00:00:01:04", &res);
    ck_assert_ptr_eq(res.dst, ws2);

    /* An endpoint is renamed and changes domain. */
    set_endpoint(4, "DB9", 1, 4, NULL, IPS("9.2.10.28", "9.2.10.30"), 4,
                 "tap-db9", NULL);
    ck_assert_ptr_null(dps_find_endpoint_by_name(dps, "WS2"));
    ck_assert_ptr_eq(EPN("DB9"), ws2);
    resolve("LB", "9.2.10.30", &res);
    ck_assert_int_eq(res.verdict, DPS_DENY);
    ck_assert_ptr_eq(res.dst, ws2);
    dps_get_stats(dps, &stats);
    ck_assert_uint_eq(stats.n_ips, 12);

    /* An endpoint moves to another network. */
    set_endpoint(4, "DB9", 2, 6, NULL, IPS("9.2.10.28"), 4, "tap-db9",
                 NULL);
    resolve("LB", "9.2.10.28", &res);
    ck_assert_int_eq(res.unknown_reason, DPS_UNKNOWN_ADDRESS);
    resolve("g1", "9.2.10.28", &res);
    assert_forward(&res, "DB9", 4, "tap-db9", NULL);

    /* Hypervisor and network changes show through the pointers. */
    dps_hypervisor_set(dps, UP(HV, 4), "hv4-new", 44, htonl(0x0a000104));
    resolve("g1", "9.2.10.28", &res);
    ck_assert_str_eq(res.hypervisor_name, "hv4-new");
    ck_assert_uint_eq(res.dpid, 44);
    ck_assert_uint_eq(ntohl(res.tunnel_ip), 0x0a000104);
    dps_network_set(dps, UP(NET, 2), "emerald", 5003);
    ck_assert_ptr_null(dps_find_network_by_name(dps, "green"));
    ck_assert_str_eq(dps_network_name(dps_find_network_by_name(dps,
                                                               "emerald")),
                     "emerald");
    dps_network_set(dps, UP(NET, 2), "emerald", 5004);
    ck_assert_uint_eq(dps_network_vni(dps_find_network(dps, UP(NET, 2))),
                      5004);

    /* A domain renamed. */
    dps_domain_set(dps, UP(DOM, 6), UP(NET, 2), "database");
    resolve("g1", "9.2.10.28", &res);
    char *text = format(&res);
    ck_assert_ptr_nonnull(strstr(text, "destination: DB9 (domain database)"
                                 "\n"));
    free(text);

    /* An unused domain and action move to another network. */
    dps_domain_set(dps, UP(DOM, 7), UP(NET, 1), "spare");
    dps_domain_set(dps, UP(DOM, 7), UP(NET, 2), "spare");
    dps_action_set(dps, UP(ACT, 7), UP(NET, 1), "spare", DPS_ACTION_ALLOW,
                   NULL);
    dps_action_set(dps, UP(ACT, 7), UP(NET, 2), "spare", DPS_ACTION_ALLOW,
                   NULL);
    dps_domain_remove(dps, UP(DOM, 7));
    dps_action_remove(dps, UP(ACT, 7));
}
END_TEST

START_TEST(test_multiple_ips)
{
    struct dps_resolution res;
    struct dps_stats stats;
    char *error;

    set_endpoint(14, "multi", 1, 3, NULL,
                 IPS("9.2.10.60", "2001:db8::1", "9.2.10.50", "9.2.10.60"),
                 2, "tap-m", NULL);
    dps_get_stats(dps, &stats);
    ck_assert_uint_eq(stats.n_ips, 11 + 3);   /* 9.2.10.60 once; 9.2.10.50
                                               * is orphan's too. */
    resolve("WS1", "2001:db8::1", &res);
    ck_assert_ptr_eq(res.dst, EPN("multi"));
    resolve("WS1", "9.2.10.60", &res);
    ck_assert_ptr_eq(res.dst, EPN("multi"));

    /* By name: the lowest address, 9.2.10.50 (IPv4-mapped sorts before
     * 2001:db8::1), which orphan holds too. */
    error = dps_resolve_request(dps, "blue", "WS1", "multi", &res);
    ck_assert_ptr_null(error);
    ck_assert(dst_ip_is(&res, "9.2.10.50"));

    dps_endpoint_remove(dps, UP(EP, 14));
    resolve("WS1", "2001:db8::1", &res);
    ck_assert_int_eq(res.unknown_reason, DPS_UNKNOWN_ADDRESS);
    resolve("WS1", "9.2.10.50", &res);
    ck_assert_ptr_eq(res.dst, EPN("orphan"));
}
END_TEST

START_TEST(test_removals)
{
    struct dps_resolution res;
    struct dps_stats stats;

    /* Removing a hypervisor detaches its endpoints. */
    dps_hypervisor_remove(dps, UP(HV, 4));
    ck_assert_ptr_null(dps_find_hypervisor(dps, UP(HV, 4)));
    resolve("LB", "9.2.10.27", &res);
    ck_assert_int_eq(res.verdict, DPS_UNKNOWN);
    ck_assert_int_eq(res.unknown_reason, DPS_UNKNOWN_LOCATION);
    ck_assert_ptr_eq(res.dst, EPN("WS2"));
    resolve_mac("WS1", "02:00:00:00:00:06", &res);
    ck_assert_int_eq(res.unknown_reason, DPS_UNKNOWN_LOCATION);
    resolve("WS1", "9.2.10.26", &res);       /* Others stay. */
    assert_forward(&res, "WS1", 3, "tap-ws1", NULL);

    /* Back: endpoints are attached when they are set again. */
    dps_hypervisor_set(dps, UP(HV, 4), "hv4", 4, htonl(0x0a000004));
    resolve("LB", "9.2.10.27", &res);
    ck_assert_int_eq(res.unknown_reason, DPS_UNKNOWN_LOCATION);
    set_endpoint(4, "WS2", 1, 3, "02:00:00:00:00:04", IPS("9.2.10.27"), 4,
                 "tap-ws2", NULL);
    resolve("LB", "9.2.10.27", &res);
    assert_forward(&res, "WS2", 4, "tap-ws2", IPS("9.2.5.4"));

    /* Removing an endpoint. */
    dps_endpoint_remove(dps, UP(EP, 4));
    dps_endpoint_remove(dps, UP(EP, 4));
    ck_assert_ptr_null(dps_find_endpoint_by_name(dps, "WS2"));
    resolve("LB", "9.2.10.27", &res);
    ck_assert_int_eq(res.unknown_reason, DPS_UNKNOWN_ADDRESS);

    /* Removing a policy falls back to the default. */
    dps_policy_remove(dps, UP(POL, 3));
    dps_policy_remove(dps, UP(POL, 3));
    resolve("LB", "9.2.10.26", &res);
    ck_assert_int_eq(res.verdict, DPS_DENY);
    assert_policy(&res, 9, true, 1, 300);

    /* Now nothing uses SSL... */
    dps_policy_remove(dps, UP(POL, 4));
    dps_policy_remove(dps, UP(POL, 10));
    dps_action_remove(dps, UP(ACT, 2));
    ck_assert_ptr_null(dps_find_action(dps, UP(ACT, 2)));

    /* ...and nothing is in Load-Balancer once LB and P-1 are gone. */
    dps_endpoint_remove(dps, UP(EP, 2));
    dps_policy_remove(dps, UP(POL, 1));
    dps_domain_remove(dps, UP(DOM, 2));
    ck_assert_ptr_null(dps_find_domain(dps, UP(DOM, 2)));

    /* Unknown UUIDs are no-ops. */
    dps_network_remove(dps, UP(NET, 9));
    dps_hypervisor_remove(dps, UP(HV, 9));
    dps_domain_remove(dps, UP(DOM, 9));
    dps_action_remove(dps, UP(ACT, 9));

    /* Emptying green, then removing it. */
    dps_endpoint_remove(dps, UP(EP, 20));
    dps_endpoint_remove(dps, UP(EP, 21));
    dps_domain_remove(dps, UP(DOM, 5));
    dps_domain_remove(dps, UP(DOM, 6));
    dps_network_remove(dps, UP(NET, 2));
    ck_assert_ptr_null(dps_find_network_by_name(dps, "green"));

    dps_get_stats(dps, &stats);
    ck_assert_uint_eq(stats.n_networks, 1);
    ck_assert_uint_eq(stats.n_domains, 3);
    ck_assert_uint_eq(stats.n_actions, 4);
    ck_assert_uint_eq(stats.n_policies, 4);
    ck_assert_uint_eq(stats.n_endpoints, 10);
    ck_assert_uint_eq(stats.n_hypervisors, 4);
}
END_TEST

START_TEST(test_clear_and_stats)
{
    struct dps *empty = dps_create();
    struct dps_stats stats, empty_stats;

    dps_get_stats(dps, &stats);
    ck_assert_uint_eq(stats.n_networks, 2);
    ck_assert_uint_eq(stats.n_domains, 6);
    ck_assert_uint_eq(stats.n_actions, 5);
    ck_assert_uint_eq(stats.n_policies, 8);
    ck_assert_uint_eq(stats.n_endpoints, 14);
    ck_assert_uint_eq(stats.n_hypervisors, 4);
    ck_assert_uint_eq(stats.n_ips, 11);

    dps_get_stats(empty, &empty_stats);
    ck_assert_uint_eq(empty_stats.n_endpoints, 0);
    ck_assert_uint_gt(empty_stats.bytes, 0);
    ck_assert_uint_gt(stats.bytes, empty_stats.bytes + 14 * 200);

    /* Everything removed in reference order gives every byte back, and so
     * does dps_clear(). */
    for (int i = 1; i <= 21; i++) {
        dps_endpoint_remove(dps, UP(EP, i));
    }
    for (int i = 1; i <= 10; i++) {
        dps_policy_remove(dps, UP(POL, i));
    }
    for (int i = 1; i <= 6; i++) {
        dps_action_remove(dps, UP(ACT, i));
        dps_domain_remove(dps, UP(DOM, i));
    }
    for (int i = 1; i <= 4; i++) {
        dps_hypervisor_remove(dps, UP(HV, i));
    }
    dps_network_remove(dps, UP(NET, 1));
    dps_network_remove(dps, UP(NET, 2));
    dps_get_stats(dps, &stats);
    ck_assert_uint_eq(stats.n_networks + stats.n_endpoints + stats.n_ips, 0);

    destroy_dps();
    build_dove_example();
    dps_clear(dps);
    dps_get_stats(dps, &stats);
    ck_assert_uint_eq(stats.n_networks + stats.n_endpoints + stats.n_ips
                      + stats.n_policies + stats.n_hypervisors, 0);
    ck_assert_uint_eq(stats.bytes, empty_stats.bytes);

    /* And it can be filled again. */
    destroy_dps();
    build_dove_example();
    dps_destroy(empty);
    dps_destroy(NULL);
}
END_TEST

START_TEST(test_memory_per_endpoint)
{
    enum { N = 1 << 14 };
    struct dps_stats before, after;

    dps_get_stats(dps, &before);
    for (int i = 0; i < N; i++) {
        struct dps_endpoint_spec spec;
        struct in6_addr addr;
        char name[16], port[16];

        snprintf(name, sizeof name, "ep%07d", i);
        snprintf(port, sizeof port, "tap%07d", i);
        in6_addr_set_mapped_ipv4(&addr, htonl(0x0b000000 + i));
        memset(&spec, 0, sizeof spec);
        spec.name = name;
        spec.network = U(NET, 1);
        spec.domain = UP(DOM, 3);
        spec.has_mac = true;
        spec.mac = (struct eth_addr) ETH_ADDR_C(02,00,00,00,00,00);
        spec.mac.ea[4] = i >> 8;
        spec.mac.ea[5] = i;
        spec.ips = &addr;
        spec.n_ips = 1;
        spec.hypervisor = UP(HV, 1 + i % 4);
        spec.port = port;
        dps_endpoint_set(dps, UP(EP, 1000 + i), &spec);
    }
    dps_get_stats(dps, &after);
    ck_assert_uint_eq(after.n_endpoints, before.n_endpoints + N);
    ck_assert_uint_eq(after.n_ips, before.n_ips + N);
    ck_assert_uint_le((after.bytes - before.bytes) / N, 300);
}
END_TEST

/* Asserts that 'a' and 'b' are the same answer. */
static void
assert_same_resolution(const struct dps_resolution *a,
                       const struct dps_resolution *b)
{
    ck_assert_int_eq(a->verdict, b->verdict);
    ck_assert_int_eq(a->unknown_reason, b->unknown_reason);
    ck_assert_ptr_eq(a->src, b->src);
    ck_assert_ptr_eq(a->dst, b->dst);
    ck_assert_uint_eq(a->dst_uuid0, b->dst_uuid0);
    ck_assert_uint_eq(a->dst_uuid0,
                      a->dst ? dps_endpoint_uuid(a->dst)->parts[0] : 0);
    ck_assert_uint_eq(a->n_unaddressed, b->n_unaddressed);
    ck_assert_ptr_eq(a->policy, b->policy);
    ck_assert_int_eq(a->is_default, b->is_default);
    ck_assert_uint_eq(a->tracking_number, b->tracking_number);
    ck_assert_uint_eq(a->ttl, b->ttl);
    ck_assert_ptr_eq(a->hypervisor_name, b->hypervisor_name);
    ck_assert_uint_eq(a->dpid, b->dpid);
    ck_assert_uint_eq(a->tunnel_ip, b->tunnel_ip);
    ck_assert_ptr_eq(a->port, b->port);
    ck_assert_uint_eq(a->n_waypoints, b->n_waypoints);
    for (size_t i = 0; i < a->n_waypoints; i++) {
        ck_assert_ptr_eq(a->waypoints[i], b->waypoints[i]);
    }
    ck_assert_ptr_eq(a->deny_action, b->deny_action);
    ck_assert_int_eq(a->dst_is_mac, b->dst_is_mac);
    ck_assert(ipv6_addr_equals(&a->dst_ip, &b->dst_ip));
}

START_TEST(test_resolve_batch)
{
    static const char *const srcs[] = {
        "Ext", "LB", "WS1", "WS2", "DB1", "WS4", "orphan", "v6host",
    };
    static const char *const dsts[] = {
        "9.2.10.34", "9.2.10.26", "9.2.10.27", "9.2.10.29", "9.2.10.40",
        "9.2.10.50", "9.2.10.99", "198.51.100.7", "198.51.100.200",
        "198.51.100.201", "2001:db8::10", "2001:db8:ff::1", "2001:db8::99",
    };
    enum { N = ARRAY_SIZE(srcs) * ARRAY_SIZE(dsts) };
    const struct dps_endpoint *src_eps[N];
    struct in6_addr dst_ips[N];
    struct dps_resolution *res = xmalloc(N * sizeof *res);

    /* Every pair, more than DPS_BATCH of them, in an order that mixes
     * the kinds of answer within each group. */
    for (size_t i = 0; i < N; i++) {
        src_eps[i] = EPN(srcs[i % ARRAY_SIZE(srcs)]);
        dst_ips[i] = ip(dsts[i % ARRAY_SIZE(dsts)]);
    }
    for (size_t n = 0; n <= N; n += n < 3 ? 1 : 37) {
        memset(res, 0xcc, N * sizeof *res);
        dps_resolve_ip_batch(dps, n, src_eps, dst_ips, res);
        for (size_t i = 0; i < n; i++) {
            struct dps_resolution one;

            memset(&one, 0xcc, sizeof one);
            dps_resolve_ip(dps, src_eps[i], &dst_ips[i], &one);
            assert_same_resolution(&res[i], &one);
        }
    }

    /* A network whose indexes are empty (no bucket array at all). */
    dps_network_set(dps, UP(NET, 3), "red", 5003);
    set_endpoint(30, "r1", 3, 0, NULL, NULL, 1, "tap-r1", NULL);
    src_eps[0] = EPN("r1");
    dst_ips[0] = ip("10.1.0.2");
    dps_resolve_ip_batch(dps, 1, src_eps, dst_ips, res);
    ck_assert_int_eq(res[0].verdict, DPS_UNKNOWN);
    ck_assert_int_eq(res[0].unknown_reason, DPS_UNKNOWN_ADDRESS);
    ck_assert_uint_eq(res[0].n_unaddressed, 1);
    free(res);
}
END_TEST

/* Resolves every pair of 'srcs' and 'dsts' both by the source endpoint and
 * by its domain alone (as a policy cache does): the same answers, but for
 * the source, and without the location of a destination denied. */
static void
check_from_domain(const char *const srcs[], size_t n_srcs,
                  const char *const dsts[], size_t n_dsts)
{
    for (size_t i = 0; i < n_srcs; i++) {
        const struct dps_endpoint *src = EPN(srcs[i]);

        for (size_t j = 0; j < n_dsts; j++) {
            struct in6_addr dst_ip = ip(dsts[j]);
            struct dps_resolution one, from;

            memset(&one, 0xcc, sizeof one);
            dps_resolve_ip(dps, src, &dst_ip, &one);
            memset(&from, 0xcc, sizeof from);
            dps_resolve_ip_from_domain(dps, dps_endpoint_network(src),
                                       dps_endpoint_domain(src), &dst_ip,
                                       dps_ip_hash(&dst_ip), &from);
            ck_assert_ptr_null(from.src);
            from.src = one.src;
            if (one.verdict == DPS_DENY) {
                ck_assert_ptr_null(from.hypervisor_name);
                ck_assert_uint_eq(from.dpid, 0);
                ck_assert_uint_eq(from.tunnel_ip, 0);
                ck_assert_ptr_null(from.port);
                from.hypervisor_name = one.hypervisor_name;
                from.dpid = one.dpid;
                from.tunnel_ip = one.tunnel_ip;
                from.port = one.port;
            }
            assert_same_resolution(&from, &one);
        }
    }
}

START_TEST(test_resolve_from_domain)
{
    static const char *const srcs[] = {
        "Ext", "LB", "WS1", "WS2", "DB1", "WS4", "orphan", "v6host", "g1",
    };
    static const char *const dsts[] = {
        "9.2.10.34", "9.2.10.26", "9.2.10.27", "9.2.10.29", "9.2.10.40",
        "9.2.10.50", "9.2.10.61", "9.2.10.99", "198.51.100.7",
        "198.51.100.200", "10.1.0.1", "10.1.0.2", "2001:db8::10",
        "2001:db8:ff::1", "2001:db8::99",
    };
#define CHECK_ALL() \
    check_from_domain(srcs, ARRAY_SIZE(srcs), dsts, ARRAY_SIZE(dsts))
    struct dps_resolution res;

    CHECK_ALL();

    /* The IPv4 address index's copies follow what they copy: a
     * hypervisor's removal, an endpoint's new location and domain, a
     * domain's number freed and taken by a new domain. */
    dps_hypervisor_remove(dps, UP(HV, 4));
    CHECK_ALL();
    dps_hypervisor_set(dps, UP(HV, 4), "hv4", 4, htonl(0x0a000004));
    set_endpoint(4, "WS2", 1, 4, "02:00:00:00:00:04", IPS("9.2.10.27"), 4,
                 "tap-ws2", NULL);
    CHECK_ALL();

    set_endpoint(5, "DB1", 1, 4, NULL, IPS("9.2.10.61"), 3, "tap-db1",
                 NULL);
    resolve("WS1", "9.2.10.61", &res);
    assert_policy(&res, 4, false, 3, 120);
    dps_domain_set(dps, UP(DOM, 7), UP(NET, 1), "Spare");
    dps_domain_remove(dps, UP(DOM, 7));
    dps_domain_set(dps, UP(DOM, 8), UP(NET, 1), "Staging");
    set_endpoint(5, "DB1", 1, 8, NULL, IPS("9.2.10.61"), 3, "tap-db1",
                 NULL);
    resolve("WS1", "9.2.10.61", &res);
    ck_assert_ptr_eq(dps_endpoint_domain(res.dst),
                     dps_find_domain(dps, UP(DOM, 8)));
    assert_policy(&res, 9, true, 1, 300);
    CHECK_ALL();
#undef CHECK_ALL
}
END_TEST

START_TEST(test_resolve_request)
{
    struct dps_resolution res;
    char *error;

    error = dps_resolve_request(dps, "blue", "WS1", "9.2.10.27", &res);
    ck_assert_ptr_null(error);
    assert_forward(&res, "WS2", 4, "tap-ws2", NULL);

    error = dps_resolve_request(dps, "blue", "WS1", "2001:db8::10", &res);
    ck_assert_ptr_null(error);
    ck_assert_ptr_eq(res.dst, EPN("v6host"));

    error = dps_resolve_request(dps, "blue", "WS1", "02:00:00:00:00:06",
                                &res);
    ck_assert_ptr_null(error);
    ck_assert_ptr_eq(res.dst, EPN("DB2"));
    ck_assert(res.dst_is_mac);

    /* By name: its IP, else its MAC. */
    error = dps_resolve_request(dps, "blue", "LB", "WS1", &res);
    ck_assert_ptr_null(error);
    assert_forward(&res, "WS1", 3, "tap-ws1", IPS("9.2.5.4"));
    ck_assert(!res.dst_is_mac);
    error = dps_resolve_request(dps, "blue", "WS1", "DB1", &res);
    ck_assert_ptr_null(error);
    ck_assert_ptr_eq(res.dst, EPN("DB1"));
    ck_assert(res.dst_is_mac);

    /* Addresses nobody has are answers, not errors. */
    error = dps_resolve_request(dps, "blue", "WS1", "9.2.10.99", &res);
    ck_assert_ptr_null(error);
    ck_assert_int_eq(res.unknown_reason, DPS_UNKNOWN_ADDRESS);

    /* Errors. */
    error = dps_resolve_request(dps, "red", "WS1", "9.2.10.27", &res);
    ck_assert_str_eq(error, "\"red\": no such network");
    free(error);
    error = dps_resolve_request(dps, "blue", "vm9", "9.2.10.27", &res);
    ck_assert_str_eq(error, "\"vm9\": no such endpoint in network \"blue\"");
    free(error);
    error = dps_resolve_request(dps, "blue", "g1", "9.2.10.27", &res);
    ck_assert_str_eq(error, "\"g1\": no such endpoint in network \"blue\"");
    free(error);
    error = dps_resolve_request(dps, "blue", "WS1", "9.2.10", &res);
    ck_assert_str_eq(error, "\"9.2.10\": not an IP address, a MAC address "
                     "or an endpoint in network \"blue\"");
    free(error);
    error = dps_resolve_request(dps, "blue", "WS1", "g2", &res);
    ck_assert_str_eq(error, "\"g2\": not an IP address, a MAC address "
                     "or an endpoint in network \"blue\"");
    free(error);
    error = dps_resolve_request(dps, "blue", "WS1", "Ext", &res);
    ck_assert_str_eq(error, "\"Ext\": endpoint has no IP or MAC address");
    free(error);
}
END_TEST

START_TEST(test_format_forward)
{
    struct dps_resolution res;

    resolve_mac("WS1", "02:00:00:00:00:05", &res);
    ck_assert_format(&res,
        "network: blue (vni 5001)\n"
        "source: WS1 (domain Application)\n"
        "destination: DB1 (domain Database)\n"
        "location: hv3 (dpid 0000000000000003, tunnel 10.0.0.3) "
        "port tap-db1\n"
        "policy: \"Application\" -> \"Database\" (tracking 3, ttl 120)\n"
        "actions: FW-1 (waypoint 9.2.5.1), SSL (waypoint 9.2.5.4), "
        "Compression (waypoint 9.2.4.3), Accept (allow)\n"
        "verdict: forward via 9.2.5.1, 9.2.5.4, 9.2.4.3 to 10.0.0.3 "
        "port tap-db1\n");

    /* No waypoints, no port, no domain. */
    dps_policy_remove(dps, UP(POL, 9));
    resolve("orphan", "198.51.100.7", &res);
    ck_assert_format(&res,
        "network: blue (vni 5001)\n"
        "source: orphan (no domain)\n"
        "destination: Ext (domain External)\n"
        "location: hv1 (dpid 0000000000000001, tunnel 10.0.0.1)\n"
        "policy: implicit default: allow (ttl 300)\n"
        "verdict: forward to 10.0.0.1\n");

    resolve("WS1", "9.2.10.27", &res);
    ck_assert_format(&res,
        "network: blue (vni 5001)\n"
        "source: WS1 (domain Application)\n"
        "destination: WS2 (domain Application)\n"
        "location: hv4 (dpid 0000000000000004, tunnel 10.0.0.4) "
        "port tap-ws2\n"
        "policy: \"Application\" -> \"Application\" (tracking 5, ttl 60)\n"
        "actions: Accept (allow)\n"
        "verdict: forward to 10.0.0.4 port tap-ws2\n");
}
END_TEST

START_TEST(test_format_deny)
{
    struct dps_resolution res;

    resolve("LB", "198.51.100.7", &res);
    ck_assert_format(&res,
        "network: blue (vni 5001)\n"
        "source: LB (domain Load-Balancer)\n"
        "destination: Ext (domain External)\n"
        "location: hv1 (dpid 0000000000000001, tunnel 10.0.0.1)\n"
        "policy: default (tracking 1, ttl 300)\n"
        "actions: Deny (deny)\n"
        "verdict: deny (action Deny)\n");

    resolve_mac("LB", "02:00:00:00:00:05", &res);
    ck_assert_format(&res,
        "network: blue (vni 5001)\n"
        "source: LB (domain Load-Balancer)\n"
        "destination: DB1 (domain Database)\n"
        "location: hv3 (dpid 0000000000000003, tunnel 10.0.0.3) "
        "port tap-db1\n"
        "policy: \"Load-Balancer\" -> \"Database\" (tracking 9, ttl 30)\n"
        "actions: FW-1 (waypoint 9.2.5.1), Deny (deny), "
        "SSL (waypoint 9.2.5.4)\n"
        "verdict: deny (action Deny)\n");

    resolve("WS1", "9.2.10.50", &res);
    ck_assert_format(&res,
        "network: blue (vni 5001)\n"
        "source: WS1 (domain Application)\n"
        "destination: orphan (no domain)\n"
        "location: hv2 (dpid 0000000000000002, tunnel 10.0.0.2) "
        "port tap-orphan\n"
        "policy: default (tracking 1, ttl 300)\n"
        "actions: Deny (deny)\n"
        "verdict: deny (action Deny)\n");
}
END_TEST

START_TEST(test_format_unknown)
{
    struct dps_resolution res;

    resolve("WS1", "9.2.10.99", &res);
    ck_assert_format(&res,
        "network: blue (vni 5001)\n"
        "source: WS1 (domain Application)\n"
        "destination: unknown\n"
        "verdict: unknown: no endpoint has 9.2.10.99 "
        "(2 endpoints have no IP yet)\n");

    resolve("v6host", "2001:db8::99", &res);
    ck_assert_format(&res,
        "network: blue (vni 5001)\n"
        "source: v6host (domain Application)\n"
        "destination: unknown\n"
        "verdict: unknown: no endpoint has 2001:db8::99 "
        "(2 endpoints have no IP yet)\n");

    dps_endpoint_remove(dps, UP(EP, 6));
    resolve_mac("WS1", "02:00:00:00:00:06", &res);
    ck_assert_format(&res,
        "network: blue (vni 5001)\n"
        "source: WS1 (domain Application)\n"
        "destination: unknown\n"
        "verdict: unknown: no endpoint has 02:00:00:00:00:06 "
        "(1 endpoint has no IP yet)\n");

    resolve("g1", "10.1.0.9", &res);
    ck_assert_format(&res,
        "network: green (vni 5002)\n"
        "source: g1 (domain web)\n"
        "destination: unknown\n"
        "verdict: unknown: no endpoint has 10.1.0.9 "
        "(0 endpoints have no IP yet)\n");

    resolve("WS1", "9.2.10.29", &res);
    ck_assert_format(&res,
        "network: blue (vni 5001)\n"
        "source: WS1 (domain Application)\n"
        "destination: WS4 (domain Application)\n"
        "location: none\n"
        "verdict: unknown: endpoint WS4 has no location\n");
}
END_TEST

Suite *
unit_suite(void)
{
    Suite *s = suite_create("dt-dps");
    TCase *tc;

#define ADD_CASE(NAME)                                                  \
    tc = tcase_create(#NAME);                                           \
    tcase_add_checked_fixture(tc, build_dove_example, destroy_dps);     \
    tcase_add_test(tc, test_##NAME);                                    \
    suite_add_tcase(s, tc);

    ADD_CASE(action_kind);
    ADD_CASE(lookups);
    ADD_CASE(intra_domain);
    ADD_CASE(inter_domain_waypoints);
    ADD_CASE(default_policy);
    ADD_CASE(implicit_default);
    ADD_CASE(deny);
    ADD_CASE(unknown_address);
    ADD_CASE(unaddressed_endpoint);
    ADD_CASE(unknown_location);
    ADD_CASE(external);
    ADD_CASE(ipv6);
    ADD_CASE(update_in_place);
    ADD_CASE(multiple_ips);
    ADD_CASE(removals);
    ADD_CASE(clear_and_stats);
    ADD_CASE(memory_per_endpoint);
    ADD_CASE(resolve_batch);
    ADD_CASE(resolve_from_domain);
    ADD_CASE(resolve_request);
    ADD_CASE(format_forward);
    ADD_CASE(format_deny);
    ADD_CASE(format_unknown);
    return s;
}
