/*
 * Unit tests for lib/dt-addr: every accepted form and every rejected one,
 * with the exact error text an operator sees.
 */
#include <config.h>
#include "tests/check-tap.h"

#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "lib/dt-addr.h"
#include "openvswitch/util.h"
#include "packets.h"

START_TEST(test_mac_valid)
{
    static const struct eth_addr expected = ETH_ADDR_C(02,00,00,aa,bb,0c);
    struct eth_addr mac;

    ck_assert_no_error(dt_parse_mac("02:00:00:aa:Bb:0c", &mac));
    ck_assert(eth_addr_equals(mac, expected));
    ck_assert_no_error(dt_parse_mac("ff:ff:ff:ff:ff:ff", &mac));
    ck_assert(eth_addr_is_broadcast(mac));
}
END_TEST

START_TEST(test_mac_malformed)
{
    static const char *const bad[] = {
        "", "02:00:00:00:00", "02:00:00:00:00:00:00", "02:00:00:00:00:0g",
        "02-00-00-00-00-01", "02:00:00:00:00:01 ", "2:0:0:0:0:1",
        "02:00:00:00:00:+1",
    };
    struct eth_addr mac;

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        char *error = dt_parse_mac(bad[i], &mac);
        char *expected = xasprintf("\"%s\": malformed MAC address "
                                   "(expected xx:xx:xx:xx:xx:xx)", bad[i]);
        ck_assert_error(error, expected);
        free(expected);
    }
}
END_TEST

START_TEST(test_endpoint_mac)
{
    struct eth_addr mac;

    ck_assert_no_error(dt_parse_endpoint_mac("02:00:00:00:00:01", &mac));
    ck_assert_error(dt_parse_endpoint_mac("01:00:5e:00:00:01", &mac),
                    "\"01:00:5e:00:00:01\": not a unicast MAC address "
                    "(the I/G bit is set)");
    ck_assert_error(dt_parse_endpoint_mac("00:00:00:00:00:00", &mac),
                    "\"00:00:00:00:00:00\": the all-zeros MAC address "
                    "cannot be an endpoint's");
    ck_assert_error(dt_parse_endpoint_mac("zz", &mac),
                    "\"zz\": malformed MAC address "
                    "(expected xx:xx:xx:xx:xx:xx)");
}
END_TEST

START_TEST(test_ipv4)
{
    ovs_be32 ip;

    ck_assert_no_error(dt_parse_ipv4("10.0.0.1", &ip));
    ck_assert_uint_eq(ip, htonl(0x0a000001));
    ck_assert_error(dt_parse_ipv4("10.0.0", &ip),
                    "\"10.0.0\": malformed IPv4 address (expected a.b.c.d)");
    ck_assert_error(dt_parse_ipv4("10.0.0.256", &ip),
                    "\"10.0.0.256\": malformed IPv4 address "
                    "(expected a.b.c.d)");
    ck_assert_error(dt_parse_ipv4("10.0.0.1/24", &ip),
                    "\"10.0.0.1/24\": malformed IPv4 address "
                    "(expected a.b.c.d)");
}
END_TEST

START_TEST(test_vni)
{
    static const char *const bad[] = {
        "0", "16777216", "-1", "", "12a", " 5", "99999999999999999999999",
    };
    uint32_t vni;

    ck_assert_no_error(dt_parse_vni("1", &vni));
    ck_assert_uint_eq(vni, 1);
    ck_assert_no_error(dt_parse_vni("16777215", &vni));
    ck_assert_uint_eq(vni, 16777215);
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        char *expected = xasprintf("\"%s\": invalid VNI (expected an integer "
                                   "from 1 to 16777215)", bad[i]);
        ck_assert_error(dt_parse_vni(bad[i], &vni), expected);
        free(expected);
    }
}
END_TEST

START_TEST(test_encap)
{
    enum dt_encap encap;

    ck_assert_no_error(dt_parse_encap(NULL, &encap));
    ck_assert_int_eq(encap, DT_ENCAP_VXLAN);
    for (int i = 0; i < DT_N_ENCAPS; i++) {
        ck_assert_no_error(dt_parse_encap(dt_encap_name(i), &encap));
        ck_assert_int_eq(encap, i);
    }
    ck_assert_str_eq(dt_encap_name(DT_ENCAP_GRE), "gre");
    ck_assert_error(dt_parse_encap("GRE", &encap),
                    "\"GRE\": invalid encapsulation (expected vxlan, geneve "
                    "or gre)");
}
END_TEST

START_TEST(test_dpid)
{
    uint64_t dpid;

    ck_assert_no_error(dt_parse_dpid("00000000000000a1", &dpid));
    ck_assert_uint_eq(dpid, 0xa1);
    ck_assert_no_error(dt_parse_dpid("0xFFFFFFFFFFFFFFFF", &dpid));
    ck_assert(dpid == UINT64_MAX);
    ck_assert_error(dt_parse_dpid("00000000000000000a1", &dpid),
                    "\"00000000000000000a1\": invalid datapath id (expected "
                    "up to 16 hex digits, e.g. 00000000000000a1)");
    ck_assert_error(dt_parse_dpid("0x", &dpid),
                    "\"0x\": invalid datapath id (expected "
                    "up to 16 hex digits, e.g. 00000000000000a1)");
    ck_assert_error(dt_parse_dpid("g1", &dpid),
                    "\"g1\": invalid datapath id (expected "
                    "up to 16 hex digits, e.g. 00000000000000a1)");
}
END_TEST

START_TEST(test_name)
{
    ck_assert_no_error(dt_parse_name("network", "blue-net_1.a"));
    ck_assert_error(dt_parse_name("network", ""),
                    "\"\": invalid network name (1 to 64 letters, digits, "
                    "'_', '.' or '-', not starting with '-')");
    ck_assert_error(dt_parse_name("hypervisor", "-x"),
                    "\"-x\": invalid hypervisor name (1 to 64 letters, "
                    "digits, '_', '.' or '-', not starting with '-')");
    ck_assert_error(dt_parse_name("network", "a b"),
                    "\"a b\": invalid network name (1 to 64 letters, "
                    "digits, '_', '.' or '-', not starting with '-')");
}
END_TEST

Suite *
unit_suite(void)
{
    Suite *s = suite_create("dt-addr");
    TCase *tc;

#define ADD_CASE(NAME)                          \
    tc = tcase_create(#NAME);                   \
    tcase_add_test(tc, test_##NAME);            \
    suite_add_tcase(s, tc);

    ADD_CASE(mac_valid);
    ADD_CASE(mac_malformed);
    ADD_CASE(endpoint_mac);
    ADD_CASE(ipv4);
    ADD_CASE(vni);
    ADD_CASE(encap);
    ADD_CASE(dpid);
    ADD_CASE(name);
    return s;
}
