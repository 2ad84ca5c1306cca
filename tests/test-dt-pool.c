/*
 * Unit tests for lib/dt-pool: OUI ownership and allocation, MAC
 * allocation and checks, per-hypervisor VLANs, with the exact error text
 * an operator sees, exhaustion included.
 */
#include <config.h>
#include "tests/check-tap.h"

#include <stdlib.h>
#include <string.h>

#include "lib/dt-pool.h"
#include "openvswitch/util.h"
#include "packets.h"

/* Returns the MAC made of 'oui' and 'nic' (24 bits each). */
static struct eth_addr
make_mac(uint32_t oui, uint32_t nic)
{
    return (struct eth_addr) { .ea = {
        oui >> 16, oui >> 8, oui, nic >> 16, nic >> 8, nic } };
}

/* Allocates a MAC for 'tenant' from 'pool' and asserts that it is
 * 'expected' ("xx:xx:xx:xx:xx:xx"). */
static void
assert_alloc_mac(struct pool *pool, const char *tenant, const char *expected)
{
    struct eth_addr mac;
    char s[ETH_ADDR_STRLEN + 1];

    ck_assert_no_error(pool_alloc_mac(pool, tenant, &mac));
    snprintf(s, sizeof s, ETH_ADDR_FMT, ETH_ADDR_ARGS(mac));
    ck_assert_str_eq(s, expected);
}

START_TEST(test_oui_format)
{
    char buf[POOL_OUI_STRLEN];

    ck_assert_str_eq(pool_format_oui(0x02aabb, buf), "02:aa:bb");
    ck_assert_str_eq(pool_format_oui(0, buf), "00:00:00");
    ck_assert_uint_eq(pool_mac_oui(make_mac(0xfe0102, 0x030405)), 0xfe0102);
}
END_TEST

START_TEST(test_oui_owners)
{
    struct pool pool;

    pool_init(&pool);
    ck_assert_no_error(pool_add_oui(&pool, 0x02aabb, "red"));
    ck_assert_no_error(pool_add_oui(&pool, 0x0a0000, "red"));
    ck_assert_no_error(pool_add_oui(&pool, 0x02aabb, "red"));
    ck_assert_str_eq(pool_oui_owner(&pool, 0x02aabb), "red");
    ck_assert_ptr_null(pool_oui_owner(&pool, 0x02aabc));

    ck_assert_error(pool_add_oui(&pool, 0x02aabb, "blue"),
                    "OUI 02:aa:bb is already owned by tenant \"red\"");
    ck_assert_error(pool_check_oui(&pool, 0x0a0000, "blue"),
                    "OUI 0a:00:00 is already owned by tenant \"red\"");
    ck_assert_error(pool_add_oui(&pool, 0x03aabb, "blue"),
                    "OUI 03:aa:bb is not unicast (the I/G bit is set)");
    ck_assert_no_error(pool_check_oui(&pool, 0x02aabb, "red"));
    ck_assert_no_error(pool_check_oui(&pool, 0x000001, "blue"));
    ck_assert_str_eq(pool_oui_owner(&pool, 0x02aabb), "red");
    ck_assert_ptr_null(pool_oui_owner(&pool, 0x03aabb));
    pool_destroy(&pool);
    pool_destroy(NULL);
}
END_TEST

START_TEST(test_oui_alloc)
{
    struct pool pool;
    uint32_t oui;

    pool_init(&pool);

    /* The lowest locally administered unicast OUI, then the next ones. */
    ck_assert_no_error(pool_alloc_oui(&pool, "red", POOL_OUI_LOCAL_FIRST,
                                      POOL_OUI_LOCAL_LAST, &oui));
    ck_assert_uint_eq(oui, 0x020000);
    ck_assert_str_eq(pool_oui_owner(&pool, 0x020000), "red");

    /* An OUI an endpoint's MAC uses is not handed out, nor one a tenant
     * owns, whoever it is. */
    pool_add_mac(&pool, make_mac(0x020001, 5));
    ck_assert_no_error(pool_add_oui(&pool, 0x020002, "blue"));
    ck_assert_no_error(pool_alloc_oui(&pool, "red", POOL_OUI_LOCAL_FIRST,
                                      POOL_OUI_LOCAL_LAST, &oui));
    ck_assert_uint_eq(oui, 0x020003);
    ck_assert_no_error(pool_alloc_oui(&pool, "blue", POOL_OUI_LOCAL_FIRST,
                                      POOL_OUI_LOCAL_LAST, &oui));
    ck_assert_uint_eq(oui, 0x020004);

    /* Universally administered and multicast OUIs are skipped: from
     * 00:00:00 the first is 02:00:00 (taken, like the next four), after
     * 02:ff:ff it is 06:00:00, after fa:ff:ff it is fe:00:00. */
    ck_assert_no_error(pool_alloc_oui(&pool, "red", 0, 0x02ffff, &oui));
    ck_assert_uint_eq(oui, 0x020005);
    ck_assert_no_error(pool_add_oui(&pool, 0x02ffff, "blue"));
    ck_assert_no_error(pool_alloc_oui(&pool, "red", 0x02ffff, 0x0fffff,
                                      &oui));
    ck_assert_uint_eq(oui, 0x060000);
    ck_assert_no_error(pool_alloc_oui(&pool, "red", 0x030000, 0x06ffff,
                                      &oui));
    ck_assert_uint_eq(oui, 0x060001);
    ck_assert_no_error(pool_alloc_oui(&pool, "red", 0xfb0000,
                                      POOL_OUI_LOCAL_LAST, &oui));
    ck_assert_uint_eq(oui, 0xfe0000);

    /* Exhaustion: a range with nothing free, or with no local OUI. */
    ck_assert_no_error(pool_add_oui(&pool, 0x0a0000, "blue"));
    ck_assert_no_error(pool_add_oui(&pool, 0x0a0001, "green"));
    ck_assert_error(pool_alloc_oui(&pool, "red", 0x0a0000, 0x0a0001, &oui),
                    "no free OUI for tenant \"red\": every locally "
                    "administered OUI from 0a:00:00 to 0a:00:01 is owned by "
                    "a tenant or used by an endpoint's MAC");
    ck_assert_error(pool_alloc_oui(&pool, "red", 0x000000, 0x01ffff, &oui),
                    "no free OUI for tenant \"red\": every locally "
                    "administered OUI from 00:00:00 to 01:ff:ff is owned by "
                    "a tenant or used by an endpoint's MAC");
    pool_destroy(&pool);
}
END_TEST

START_TEST(test_mac_alloc)
{
    struct pool pool;

    pool_init(&pool);
    ck_assert_no_error(pool_add_oui(&pool, 0x02aabb, "red"));

    /* The lowest free NIC part, never 00:00:00, whatever order the MACs
     * in use were added in and however often. */
    assert_alloc_mac(&pool, "red", "02:aa:bb:00:00:01");
    assert_alloc_mac(&pool, "red", "02:aa:bb:00:00:02");
    pool_add_mac(&pool, make_mac(0x02aabb, 5));
    pool_add_mac(&pool, make_mac(0x02aabb, 3));
    pool_add_mac(&pool, make_mac(0x02aabb, 3));
    pool_add_mac(&pool, make_mac(0x02aabb, 0));
    assert_alloc_mac(&pool, "red", "02:aa:bb:00:00:04");
    assert_alloc_mac(&pool, "red", "02:aa:bb:00:00:06");
    ck_assert(pool_mac_in_use(&pool, make_mac(0x02aabb, 4)));
    ck_assert(!pool_mac_in_use(&pool, make_mac(0x02aabb, 7)));
    ck_assert(!pool_mac_in_use(&pool, make_mac(0x02aabc, 1)));

    /* A MAC of an OUI no tenant owns does not matter to "red". */
    pool_add_mac(&pool, make_mac(0x02aabc, 7));
    assert_alloc_mac(&pool, "red", "02:aa:bb:00:00:07");

    /* A tenant with no OUI. */
    ck_assert_error(pool_alloc_mac(&pool, "blue", &(struct eth_addr) {{{0}}}),
                    "tenant \"blue\" owns no OUI to allocate a MAC from");
    pool_destroy(&pool);
}
END_TEST

/* A full OUI (all 16777214 NIC parts, 64 MB of pool): exhaustion, then
 * the next OUI of the tenant. */
START_TEST(test_mac_exhaustion)
{
    struct pool pool;
    struct eth_addr mac;

    pool_init(&pool);
    ck_assert_no_error(pool_add_oui(&pool, 0x0a0000, "red"));
    for (uint32_t nic = POOL_NIC_FIRST; nic <= POOL_NIC_LAST; nic++) {
        pool_add_mac(&pool, make_mac(0x0a0000, nic));
    }
    ck_assert_error(pool_alloc_mac(&pool, "red", &mac),
                    "no free MAC for tenant \"red\": every MAC of its OUI "
                    "0a:00:00 is in use");

    /* ff:ff:ff is never handed out, even when it is the only one left. */
    pool_add_mac(&pool, make_mac(0x0a0000, 0xffffff));
    ck_assert_error(pool_alloc_mac(&pool, "red", &mac),
                    "no free MAC for tenant \"red\": every MAC of its OUI "
                    "0a:00:00 is in use");

    /* Another OUI: allocation goes on there.  The full one still comes
     * first in the message. */
    ck_assert_no_error(pool_add_oui(&pool, 0x020000, "red"));
    pool_add_mac(&pool, make_mac(0x020000, 1));
    assert_alloc_mac(&pool, "red", "02:00:00:00:00:02");
    ck_assert(!pool_mac_in_use(&pool, make_mac(0x0a0000, 0)));
    ck_assert(pool_mac_in_use(&pool, make_mac(0x0a0000, 0xfffffe)));

    struct pool small;
    pool_init(&small);
    ck_assert_no_error(pool_add_oui(&small, 0x060000, "blue"));
    ck_assert_no_error(pool_add_oui(&small, 0x020000, "blue"));
    ck_assert_no_error(pool_add_oui(&small, 0x0e0000, "green"));
    assert_alloc_mac(&small, "blue", "02:00:00:00:00:01");
    pool_destroy(&small);
    pool_destroy(&pool);
}
END_TEST

/* Several OUIs: the lowest OUI first; a check lists them all. */
START_TEST(test_mac_several_ouis)
{
    struct pool pool;

    pool_init(&pool);
    ck_assert_no_error(pool_add_oui(&pool, 0x0e0000, "red"));
    ck_assert_no_error(pool_add_oui(&pool, 0x060000, "red"));
    ck_assert_no_error(pool_add_oui(&pool, 0x0a0000, "blue"));
    assert_alloc_mac(&pool, "red", "06:00:00:00:00:01");
    ck_assert_no_error(pool_check_mac(&pool, make_mac(0x0e0000, 9), "red"));
    ck_assert_error(pool_check_mac(&pool, make_mac(0x020000, 9), "red"),
                    "MAC 02:00:00:00:00:09 is not in an OUI of tenant "
                    "\"red\" (06:00:00, 0e:00:00)");
    pool_destroy(&pool);
}
END_TEST

START_TEST(test_mac_check)
{
    struct pool pool;

    pool_init(&pool);
    ck_assert_no_error(pool_add_oui(&pool, 0x02aabb, "red"));
    ck_assert_no_error(pool_add_oui(&pool, 0x02aabc, "blue"));
    pool_add_mac(&pool, make_mac(0x02aabb, 1));

    ck_assert_no_error(pool_check_mac(&pool, make_mac(0x02aabb, 2), "red"));
    ck_assert_error(pool_check_mac(&pool, make_mac(0x02aabb, 1), "red"),
                    "MAC 02:aa:bb:00:00:01 is already used by another "
                    "endpoint");
    ck_assert_error(pool_check_mac(&pool, make_mac(0x02aabc, 1), "red"),
                    "MAC 02:aa:bc:00:00:01 is in OUI 02:aa:bc of tenant "
                    "\"blue\", not of tenant \"red\"");
    ck_assert_error(pool_check_mac(&pool, make_mac(0x02aabd, 1), "red"),
                    "MAC 02:aa:bd:00:00:01 is not in an OUI of tenant "
                    "\"red\" (02:aa:bb)");
    ck_assert_error(pool_check_mac(&pool, make_mac(0x02aabd, 1), "green"),
                    "MAC 02:aa:bd:00:00:01 is not in an OUI of tenant "
                    "\"green\" (it owns none)");
    pool_destroy(&pool);
}
END_TEST

/* The pool is built from what is in use; a MAC whose endpoint is gone is
 * not, and comes back first. */
START_TEST(test_mac_release)
{
    struct pool pool;

    pool_init(&pool);
    ck_assert_no_error(pool_add_oui(&pool, 0x02aabb, "red"));
    for (uint32_t nic = 1; nic <= 3; nic++) {
        pool_add_mac(&pool, make_mac(0x02aabb, nic));
    }
    assert_alloc_mac(&pool, "red", "02:aa:bb:00:00:04");
    pool_destroy(&pool);

    /* The endpoint with ...:02 was removed. */
    pool_init(&pool);
    ck_assert_no_error(pool_add_oui(&pool, 0x02aabb, "red"));
    pool_add_mac(&pool, make_mac(0x02aabb, 4));
    pool_add_mac(&pool, make_mac(0x02aabb, 3));
    pool_add_mac(&pool, make_mac(0x02aabb, 1));
    ck_assert_no_error(pool_check_mac(&pool, make_mac(0x02aabb, 2), "red"));
    assert_alloc_mac(&pool, "red", "02:aa:bb:00:00:02");
    assert_alloc_mac(&pool, "red", "02:aa:bb:00:00:05");
    pool_destroy(&pool);
}
END_TEST

START_TEST(test_vlan)
{
    struct pool_vlans vlans;
    int vlan;

    pool_vlans_init(&vlans);
    ck_assert_no_error(pool_alloc_vlan(&vlans, "hv1", 0, &vlan));
    ck_assert_int_eq(vlan, 1);

    /* The preferred VLAN if free (a migrating VM keeps its VLAN), else
     * the lowest free one. */
    ck_assert_no_error(pool_alloc_vlan(&vlans, "hv1", 100, &vlan));
    ck_assert_int_eq(vlan, 100);
    ck_assert_no_error(pool_alloc_vlan(&vlans, "hv1", 100, &vlan));
    ck_assert_int_eq(vlan, 2);
    pool_vlans_add(&vlans, 3);
    pool_vlans_add(&vlans, 0);
    pool_vlans_add(&vlans, 4095);
    pool_vlans_add(&vlans, -1);
    ck_assert(pool_vlans_in_use(&vlans, 3));
    ck_assert(!pool_vlans_in_use(&vlans, 4));
    ck_assert(!pool_vlans_in_use(&vlans, 0));
    ck_assert(!pool_vlans_in_use(&vlans, 4095));
    ck_assert_no_error(pool_alloc_vlan(&vlans, "hv1", 4095, &vlan));
    ck_assert_int_eq(vlan, 4);
    ck_assert_no_error(pool_alloc_vlan(&vlans, "hv1", 4094, &vlan));
    ck_assert_int_eq(vlan, 4094);

    /* Exhaustion: all 4094 in use. */
    for (int v = POOL_VLAN_MIN; v <= POOL_VLAN_MAX; v++) {
        pool_vlans_add(&vlans, v);
    }
    ck_assert_error(pool_alloc_vlan(&vlans, "hv1", 0, &vlan),
                    "no free VLAN on hypervisor \"hv1\": all 4094 (1 to "
                    "4094) are in use");
    ck_assert_error(pool_alloc_vlan(&vlans, "hv2", 7, &vlan),
                    "no free VLAN on hypervisor \"hv2\": all 4094 (1 to "
                    "4094) are in use");

    /* Rebuilt without one endpoint's VLAN: that one is free again. */
    pool_vlans_init(&vlans);
    for (int v = POOL_VLAN_MIN; v <= POOL_VLAN_MAX; v++) {
        if (v != 4000) {
            pool_vlans_add(&vlans, v);
        }
    }
    ck_assert_no_error(pool_alloc_vlan(&vlans, "hv1", 5, &vlan));
    ck_assert_int_eq(vlan, 4000);
}
END_TEST

Suite *
unit_suite(void)
{
    Suite *s = suite_create("dt-pool");
    TCase *tc;

#define ADD_CASE(NAME)                          \
    tc = tcase_create(#NAME);                   \
    tcase_add_test(tc, test_##NAME);            \
    tcase_set_timeout(tc, 60);                  \
    suite_add_tcase(s, tc);

    ADD_CASE(oui_format);
    ADD_CASE(oui_owners);
    ADD_CASE(oui_alloc);
    ADD_CASE(mac_alloc);
    ADD_CASE(mac_exhaustion);
    ADD_CASE(mac_several_ouis);
    ADD_CASE(mac_check);
    ADD_CASE(mac_release);
    ADD_CASE(vlan);
#undef ADD_CASE

    return s;
}
