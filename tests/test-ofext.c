/*
 * Unit tests for ofproto-ext/actions: each extension action's expansion
 * into standard flows (input flow text -> the exact flows that come out),
 * every error with its exact text and column, parse(format(a)) == a for
 * every action, and that OVS's own flow parser accepts every flow an
 * expansion produces, over OpenFlow 1.3 (what dovetail-ofctl and the
 * controller speak).
 */
#include <config.h>
#include "tests/check-tap.h"

#include <stdlib.h>
#include <string.h>

#include "ofproto-ext/actions.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "svec.h"
#include "util.h"

/* An expansion: a flow and the flows it becomes, one a line. */
struct expansion_case {
    const char *flow;
    const char *expected;
};

static const struct expansion_case expansions[] = {
    /* Standard flows pass through untouched. */
    { "in_port=1,actions=output:2",
      "in_port=1,actions=output:2\n" },
    { "priority=5 ip actions=dec_ttl,resubmit(,30)",
      "priority=5,ip,actions=dec_ttl,resubmit(,30)\n" },
    { "actions=drop",
      "actions=drop\n" },

    /* anycast_on_miss: overlay mode, then literal (uplink) mode. */
    { "in_port=1,actions=anycast_on_miss(mac=00:00:de:ad:be:ef),output:2",
      "in_port=1,actions=set_field:00:00:de:ad:be:ef->eth_dst,output:2\n"
      "priority=32769,in_port=1,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,"
      "actions=output:2\n" },
    { "table=20,priority=10,metadata=5001,"
      "actions=anycast_on_miss(mac=02:00:00:00:00:fe),goto_table:30",
      "table=20,priority=10,metadata=5001,"
      "actions=set_field:02:00:00:00:00:fe->eth_dst,goto_table:30\n"
      "table=20,priority=11,metadata=5001,"
      "dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,actions=goto_table:30\n" },
    { "table=20,priority=10,ip,"
      "actions=dec_ttl,anycast_on_miss(mac=02:00:00:00:00:fe,uplink=3)",
      "table=20,priority=10,ip,"
      "actions=dec_ttl,set_field:02:00:00:00:00:fe->eth_dst,output:3\n"
      "table=20,priority=11,ip,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,"
      "actions=dec_ttl\n" },
    { "table=20,priority=10,metadata=7,"
      "actions=anycast_on_miss(mac=02:00:00:00:00:fe,uplink=2),"
      "goto_table:30",
      "table=20,priority=10,metadata=7,"
      "actions=set_field:02:00:00:00:00:fe->eth_dst,output:2\n"
      "table=20,priority=11,metadata=7,"
      "dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,actions=goto_table:30\n" },
    { "priority=0,actions=anycast_on_miss(mac=02:00:00:00:00:fe,uplink=3)",
      "priority=0,actions=set_field:02:00:00:00:00:fe->eth_dst,output:3\n"
      "priority=1,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,"
      "actions=drop\n" },

    /* tenant_from_oui: a variant per OUI, base flow drops the rest. */
    { "in_port=4,actions=tenant_from_oui(02:aa:bb=5001,02:cc:dd=5002),"
      "goto_table:10",
      "in_port=4,actions=drop\n"
      "priority=32769,in_port=4,dl_src=02:aa:bb:00:00:00/ff:ff:ff:00:00:00,"
      "actions=set_field:5001->metadata,goto_table:10\n"
      "priority=32769,in_port=4,dl_src=02:cc:dd:00:00:00/ff:ff:ff:00:00:00,"
      "actions=set_field:5002->metadata,goto_table:10\n" },
    /* ...a flow that already matches the source MAC needs no variant. */
    { "in_port=4,dl_src=02:cc:dd:00:00:07,"
      "actions=tenant_from_oui(02:aa:bb=5001,02:cc:dd=5002),goto_table:10",
      "in_port=4,dl_src=02:cc:dd:00:00:07,"
      "actions=set_field:5002->metadata,goto_table:10\n" },
    { "dl_src=02:aa:bb:00:00:00/ff:ff:ff:00:00:00,"
      "actions=tenant_from_oui(02:aa:bb=16777215)",
      "dl_src=02:aa:bb:00:00:00/ff:ff:ff:00:00:00,"
      "actions=set_field:16777215->metadata\n" },

    /* vlan_unique. */
    { "priority=50,actions=vlan_unique(ingress,trunk=1,vid=100),"
      "goto_table:10",
      "priority=50,actions=drop\n"
      "priority=51,in_port=1,dl_vlan=100,actions=strip_vlan,goto_table:10\n" },
    { "in_port=1,actions=vlan_unique(ingress,trunk=1,vid=100,also=4094),"
      "resubmit(,10)",
      "in_port=1,actions=drop\n"
      "priority=32769,in_port=1,dl_vlan=100,actions=strip_vlan,"
      "resubmit(,10)\n"
      "priority=32769,in_port=1,dl_vlan=4094,actions=strip_vlan,"
      "resubmit(,10)\n" },
    { "dl_dst=02:aa:bb:00:00:01,actions=vlan_unique(egress,trunk=1,vid=100)",
      "dl_dst=02:aa:bb:00:00:01,"
      "actions=push_vlan:0x8100,set_field:0x1064->vlan_vid,output:1\n" },

    /* mac_in_ip. */
    { "in_port=2,actions=mac_in_ip(remote=172.31.0.2,port=5)",
      "in_port=2,actions=set_field:172.31.0.2->tun_dst,output:5\n" },

    /* mcast_oui, alone and once per tenant inside clone(). */
    { "ip,nw_dst=239.1.2.3,actions=mcast_oui(oui=02:aa:bb),output:3",
      "ip,nw_dst=239.1.2.3,actions=set_field:03:aa:bb:00:00:00/"
      "ff:ff:ff:00:00:00->eth_dst,"
      "move:NXM_OF_IP_DST[0..23]->NXM_OF_ETH_DST[0..23],output:3\n" },
    { "udp,actions=clone(mcast_oui(oui=02:aa:bb),output:1),"
      "clone(mcast_oui(oui=06:cc:dd),output:2)",
      "udp,actions="
      "clone(set_field:03:aa:bb:00:00:00/ff:ff:ff:00:00:00->eth_dst,"
      "move:NXM_OF_IP_DST[0..23]->NXM_OF_ETH_DST[0..23],output:1),"
      "clone(set_field:07:cc:dd:00:00:00/ff:ff:ff:00:00:00->eth_dst,"
      "move:NXM_OF_IP_DST[0..23]->NXM_OF_ETH_DST[0..23],output:2)\n" },

    /* A forking and a plain extension action in one flow. */
    { "ip,actions=tenant_from_oui(02:aa:bb=7),mcast_oui(oui=02:aa:bb),"
      "output:9",
      "ip,actions=drop\n"
      "priority=32769,ip,dl_src=02:aa:bb:00:00:00/ff:ff:ff:00:00:00,"
      "actions=set_field:7->metadata,set_field:03:aa:bb:00:00:00/"
      "ff:ff:ff:00:00:00->eth_dst,"
      "move:NXM_OF_IP_DST[0..23]->NXM_OF_ETH_DST[0..23],output:9\n" },
};

/* An error: a flow and exactly what ofext_expand_flow() says of it. */
struct error_case {
    const char *flow;
    const char *error;
};

static const struct error_case errors[] = {
    { "in_port=1,actions=anycst_on_miss(mac=00:00:de:ad:be:ef)",
      "column 19: unknown action \"anycst_on_miss\"" },
    { "in_port=1,actions=output:2,frobnicate",
      "column 28: unknown action \"frobnicate\"" },
    { "in_port=1,actions=output:2,clone(output:3,frob:1)",
      "column 43: unknown action \"frob\"" },
    { "in_port=1,actions=set_field:zz->eth_dst",
      "column 19: set_field: zz: invalid Ethernet address" },
    { "in_porx=1,actions=output:2",
      "column 1: unknown keyword in_porx" },
    { "in_port=1,output:2",
      "column 19: must specify an action (\"actions=\")" },
    { "in_port=1,actions=clone(output:2",
      "column 19: \"(\" is never closed" },
    { "actions=set_field:10.0.0.1->ip_dst",
      "column 9: actions are invalid with specified match "
      "(OFPBAC_MATCH_INCONSISTENT)" },

    /* anycast_on_miss. */
    { "in_port=1,actions=anycast_on_miss(mac=01:00:5e:00:00:01),output:2",
      "column 35: anycast_on_miss: \"mac\" must be a unicast MAC, not "
      "01:00:5e:00:00:01" },
    { "actions=anycast_on_miss(mac=00:00:00:00:00:00)",
      "column 25: anycast_on_miss: \"mac\" must be a unicast MAC, not "
      "00:00:00:00:00:00" },
    { "actions=anycast_on_miss(mac=00:00:de:ad:be)",
      "column 25: anycast_on_miss: \"mac\" must be a unicast MAC, not "
      "00:00:de:ad:be" },
    { "actions=anycast_on_miss()",
      "column 25: anycast_on_miss: missing \"mac\"" },
    { "actions=anycast_on_miss",
      "column 9: anycast_on_miss: expects its arguments in parentheses: "
      "anycast_on_miss(...)" },
    { "actions=anycast_on_miss(mac=02:00:00:00:00:01,gw=1)",
      "column 47: anycast_on_miss: unknown argument \"gw\"" },
    { "actions=anycast_on_miss(mac=02:00:00:00:00:01,mac=02:00:00:00:00:02)",
      "column 47: anycast_on_miss: \"mac\" given twice" },
    { "actions=anycast_on_miss(mac)",
      "column 25: anycast_on_miss: \"mac\" needs a value (mac=...)" },
    { "actions=anycast_on_miss(mac=02:00:00:00:00:01,uplink=eth9)",
      "column 47: anycast_on_miss: \"uplink\" must be a port, not eth9" },
    { "dl_dst=02:00:00:00:00:09,"
      "actions=anycast_on_miss(mac=02:00:00:00:00:01)",
      "column 34: anycast_on_miss: the flow already matches dl_dst (the "
      "action is for the miss flow of the L2 stage)" },
    { "priority=65535,actions=anycast_on_miss(mac=02:00:00:00:00:01)",
      "column 24: anycast_on_miss: priority 65535 leaves no room for its "
      "variants at priority + 1" },
    { "actions=clone(anycast_on_miss(mac=02:00:00:00:00:01))",
      "column 15: anycast_on_miss: may not be used inside clone(), because "
      "it adds flows" },
    { "actions=anycast_on_miss(mac=02:00:00:00:00:01),"
      "tenant_from_oui(02:aa:bb=1)",
      "column 48: tenant_from_oui: a flow may contain one action that adds "
      "flows at most, and anycast_on_miss at column 9 already does" },

    /* tenant_from_oui. */
    { "actions=tenant_from_oui(03:aa:bb=1)",
      "column 25: tenant_from_oui: \"03:aa:bb\" must be a unicast OUI "
      "(xx:xx:xx with the low bit of the first byte clear)" },
    { "actions=tenant_from_oui(02:aa=1)",
      "column 25: tenant_from_oui: \"02:aa\" must be a unicast OUI "
      "(xx:xx:xx with the low bit of the first byte clear)" },
    { "actions=tenant_from_oui(02:aa:bb=0)",
      "column 25: tenant_from_oui: the VNI of 02:aa:bb must be from 1 to "
      "16777215, not 0" },
    { "actions=tenant_from_oui(02:aa:bb=16777216)",
      "column 25: tenant_from_oui: the VNI of 02:aa:bb must be from 1 to "
      "16777215, not 16777216" },
    { "actions=tenant_from_oui(02:aa:bb=1,02:AA:BB=2)",
      "column 36: tenant_from_oui: OUI 02:AA:BB given twice" },
    { "actions=tenant_from_oui()",
      "column 25: tenant_from_oui: missing \"OUI=VNI\"" },
    { "dl_src=02:cc:cc:00:00:01,actions=tenant_from_oui(02:aa:bb=1)",
      "column 34: tenant_from_oui: the flow matches dl_src="
      "02:cc:cc:00:00:01, whose OUI 02:cc:cc belongs to no tenant listed" },
    { "dl_src=02:00:00:00:00:00/02:00:00:00:00:00,"
      "actions=tenant_from_oui(02:aa:bb=1)",
      "column 52: tenant_from_oui: the flow matches dl_src="
      "02:00:00:00:00:00/02:00:00:00:00:00, which does not fix the source "
      "OUI" },

    /* vlan_unique. */
    { "actions=vlan_unique(trunk=1,vid=5)",
      "column 21: vlan_unique: the first argument must be \"ingress\" or "
      "\"egress\"" },
    { "actions=vlan_unique(ingress,trunk=1,vid=4095)",
      "column 37: vlan_unique: \"vid\" must be a VLAN ID from 1 to 4094, "
      "not 4095" },
    { "actions=vlan_unique(ingress,trunk=1)",
      "column 36: vlan_unique: missing \"vid\"" },
    { "actions=vlan_unique(egress,vid=5)",
      "column 33: vlan_unique: missing \"trunk\"" },
    { "actions=vlan_unique(egress,trunk=1,vid=5,also=6)",
      "column 42: vlan_unique: unknown argument \"also\"" },
    { "actions=vlan_unique(ingress,trunk=1,vid=5,also=5)",
      "column 43: vlan_unique: \"also\" must differ from \"vid\"" },
    { "in_port=2,actions=vlan_unique(ingress,trunk=1,vid=5)",
      "column 19: vlan_unique: the flow matches in_port=2, not the trunk 1" },
    { "dl_vlan=5,actions=vlan_unique(ingress,trunk=1,vid=5)",
      "column 19: vlan_unique: the flow already matches the VLAN (dl_vlan, "
      "vlan_tci or vlan_vid)" },

    /* mac_in_ip. */
    { "actions=mac_in_ip(remote=224.0.0.5,port=5)",
      "column 19: mac_in_ip: \"remote\" must be a unicast IPv4 address, not "
      "224.0.0.5" },
    { "actions=mac_in_ip(remote=0.0.0.0,port=5)",
      "column 19: mac_in_ip: \"remote\" must be a unicast IPv4 address, not "
      "0.0.0.0" },
    { "actions=mac_in_ip(remote=10.0.0.1)",
      "column 34: mac_in_ip: missing \"port\"" },

    /* mcast_oui. */
    { "actions=mcast_oui(oui=02:aa:bb)",
      "column 9: mcast_oui: the flow must match ip (dl_type=0x0800): the "
      "action copies the IPv4 destination into the DMAC" },
    { "ip,actions=mcast_oui(oui=01:00:5e)",
      "column 22: mcast_oui: \"oui\" must be a unicast OUI (xx:xx:xx with "
      "the low bit of the first byte clear), not 01:00:5e" },
    { "ip,actions=clone(output:1,mcast_oui(group=1))",
      "column 37: mcast_oui: unknown argument \"group\"" },
};

/* Every action in its canonical text. */
static const char *const canonical[] = {
    "anycast_on_miss(mac=00:00:de:ad:be:ef)",
    "anycast_on_miss(mac=02:00:00:00:00:fe,uplink=3)",
    "anycast_on_miss(mac=02:00:00:00:00:fe,uplink=LOCAL)",
    "tenant_from_oui(02:aa:bb=5001)",
    "tenant_from_oui(02:aa:bb=5001,02:cc:dd=16777215,fe:00:01=1)",
    "vlan_unique(ingress,trunk=1,vid=100)",
    "vlan_unique(ingress,trunk=7,vid=1,also=4094)",
    "vlan_unique(egress,trunk=1,vid=4094)",
    "mac_in_ip(remote=172.31.0.2,port=5)",
    "mcast_oui(oui=02:aa:bb)",
};

/* Flows as OVS parses them: every expansion must be one it accepts over
 * OpenFlow 1.3. */
static void
check_ovs_accepts(const char *flow)
{
    struct ofputil_flow_mod fm;
    enum ofputil_protocol usable;

    ck_assert_no_error(parse_ofp_flow_mod_str(&fm, flow, NULL, NULL,
                                              OFPFC_ADD, &usable));
    ck_assert_msg(usable & OFPUTIL_P_OF13_OXM,
                  "not usable over OpenFlow 1.3: %s", flow);
    minimatch_destroy(&fm.match);
    free(fm.ofpacts);
}

static bool
actions_equal(const struct ofext_action *a, const struct ofext_action *b)
{
    if (a->type != b->type) {
        return false;
    }
    switch (a->type) {
    case OFEXT_ANYCAST_ON_MISS:
        return (eth_addr_equals(a->anycast_on_miss.mac,
                                b->anycast_on_miss.mac)
                && a->anycast_on_miss.has_uplink
                   == b->anycast_on_miss.has_uplink
                && a->anycast_on_miss.uplink == b->anycast_on_miss.uplink);
    case OFEXT_TENANT_FROM_OUI:
        return (a->tenant_from_oui.n_tenants == b->tenant_from_oui.n_tenants
                && !memcmp(a->tenant_from_oui.tenants,
                           b->tenant_from_oui.tenants,
                           a->tenant_from_oui.n_tenants
                           * sizeof *a->tenant_from_oui.tenants));
    case OFEXT_VLAN_UNIQUE:
        return (a->vlan_unique.egress == b->vlan_unique.egress
                && a->vlan_unique.trunk == b->vlan_unique.trunk
                && a->vlan_unique.vid == b->vlan_unique.vid
                && a->vlan_unique.also == b->vlan_unique.also);
    case OFEXT_MAC_IN_IP:
        return (a->mac_in_ip.remote == b->mac_in_ip.remote
                && a->mac_in_ip.port == b->mac_in_ip.port);
    case OFEXT_MCAST_OUI:
        return !memcmp(&a->mcast_oui.oui, &b->mcast_oui.oui,
                       sizeof a->mcast_oui.oui);
    case N_OFEXT_ACTIONS:
    default:
        OVS_NOT_REACHED();
    }
}

START_TEST(test_expand)
{
    const struct expansion_case *c = &expansions[_i];
    struct svec flows = SVEC_EMPTY_INITIALIZER;
    struct ds s = DS_EMPTY_INITIALIZER;

    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
    ck_assert_no_error(ofext_expand_flow(c->flow, NULL, &flows));
    for (size_t i = 0; i < flows.n; i++) {
        ds_put_format(&s, "%s\n", flows.names[i]);
        check_ovs_accepts(flows.names[i]);
    }
    ck_assert_str_eq(ds_cstr(&s), c->expected);
    ds_destroy(&s);
    svec_destroy(&flows);
}
END_TEST

START_TEST(test_errors)
{
    const struct error_case *c = &errors[_i];
    struct svec flows = SVEC_EMPTY_INITIALIZER;

    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
    svec_add(&flows, "untouched");
    ck_assert_error(ofext_expand_flow(c->flow, NULL, &flows), c->error);
    ck_assert_uint_eq(flows.n, 1);
    svec_destroy(&flows);
}
END_TEST

/* parse(format(a)) == a, and format(parse(text)) == text for the
 * canonical text of every action. */
START_TEST(test_round_trip)
{
    const char *text = canonical[_i];
    struct ofext_action a, b;
    struct ds s1 = DS_EMPTY_INITIALIZER, s2 = DS_EMPTY_INITIALIZER;

    ck_assert_no_error(ofext_action_parse(text, NULL, &a));
    ofext_action_format(&a, NULL, &s1);
    ck_assert_str_eq(ds_cstr(&s1), text);
    ck_assert_no_error(ofext_action_parse(ds_cstr(&s1), NULL, &b));
    ck_assert(actions_equal(&a, &b));
    ofext_action_format(&b, NULL, &s2);
    ck_assert_str_eq(ds_cstr(&s2), ds_cstr(&s1));

    ofext_action_uninit(&a);
    ofext_action_uninit(&b);
    ds_destroy(&s1);
    ds_destroy(&s2);
}
END_TEST

/* Every action in the X-macro has a canonical text above, by name. */
START_TEST(test_every_action)
{
    for (int t = 0; t < N_OFEXT_ACTIONS; t++) {
        const char *name = ofext_action_name(t);
        enum ofext_action_type type;
        bool found = false;

        ck_assert_ptr_nonnull(name);
        ck_assert(ofext_action_from_name(name, strlen(name), &type));
        ck_assert_int_eq(type, t);
        for (size_t i = 0; i < ARRAY_SIZE(canonical); i++) {
            found |= (!strncmp(canonical[i], name, strlen(name))
                      && canonical[i][strlen(name)] == '(');
        }
        ck_assert_msg(found, "%s has no round-trip test", name);
    }
    ck_assert_ptr_null(ofext_action_name(N_OFEXT_ACTIONS));
    enum ofext_action_type type;
    ck_assert(!ofext_action_from_name("mcast_ou", 8, &type));
}
END_TEST

/* Parse errors of a single action name their column in its text. */
START_TEST(test_parse_errors)
{
    struct ofext_action a;

    ck_assert_error(ofext_action_parse("output:1", NULL, &a),
                    "column 1: unknown action \"output\"");
    ck_assert_error(ofext_action_parse("mcast_oui(oui=02:aa:bb,x=1)", NULL,
                                       &a),
                    "column 24: mcast_oui: unknown argument \"x\"");
    ck_assert_error(ofext_action_parse("tenant_from_oui(02:aa:bb=1,"
                                       "02:cc:dd=x)", NULL, &a),
                    "column 28: tenant_from_oui: the VNI of 02:cc:dd must "
                    "be from 1 to 16777215, not x");
}
END_TEST

Suite *
unit_suite(void)
{
    Suite *s = suite_create("ofext");
    TCase *tc;

    tc = tcase_create("expand");
    tcase_add_loop_test(tc, test_expand, 0, ARRAY_SIZE(expansions));
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_loop_test(tc, test_errors, 0, ARRAY_SIZE(errors));
    suite_add_tcase(s, tc);

    tc = tcase_create("round_trip");
    tcase_add_loop_test(tc, test_round_trip, 0, ARRAY_SIZE(canonical));
    tcase_add_test(tc, test_every_action);
    tcase_add_test(tc, test_parse_errors);
    suite_add_tcase(s, tc);
    return s;
}
