/*
 * Unit tests for ofproto-ext/slowpath: the controller action text (and
 * that OVS parses it), packet-ins encoded the way ovs-vswitchd encodes
 * them and decoded back for every opcode, every kind of malformed message
 * with the exact error an operator sees in the log, the coverage counter
 * each outcome bumps, and a fuzz loop over flipped bits and truncations.
 *
 * The fuzz loops decode copies held in buffers of exactly the message's
 * size, with the packet as the last property and its padding poisoned
 * when built with AddressSanitizer, so that reading one byte past the
 * packet or the message fails the test.
 */
#include <config.h>
#include "tests/check-tap.h"

#include <stdlib.h>
#include <string.h>

#include "coverage.h"
#include "csum.h"
#include "dhcp.h"
#include "dp-packet.h"
#include "ofproto-ext/pipeline.h"
#include "ofproto-ext/slowpath.h"
#include "openflow/nicira-ext.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/ofp-prop.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/util.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "util.h"

#if defined(__SANITIZE_ADDRESS__)
#define SP_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SP_TEST_ASAN 1
#endif
#endif
#ifdef SP_TEST_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(ADDR, SIZE) ASAN_POISON_MEMORY_REGION(ADDR, SIZE)
#define UNPOISON(ADDR, SIZE) ASAN_UNPOISON_MEMORY_REGION(ADDR, SIZE)
#else
#define POISON(ADDR, SIZE) ((void) (ADDR), (void) (SIZE))
#define UNPOISON(ADDR, SIZE) ((void) (ADDR), (void) (SIZE))
#endif

/* The counters slowpath.c defines with COVERAGE_DEFINE(); count() returns
 * this thread's count since the last call and zeroes it. */
extern struct coverage_counter counter_slowpath_packet_in;
extern struct coverage_counter counter_slowpath_bad_message;
extern struct coverage_counter counter_slowpath_bad_userdata;
extern struct coverage_counter counter_slowpath_unknown_opcode;
extern struct coverage_counter counter_slowpath_truncated;
extern struct coverage_counter counter_slowpath_bad_packet;
extern struct coverage_counter counter_slowpath_general_framing;

/* The pipeline metadata every test packet-in carries. */
#define IN_PORT 7
#define VNI 5001
#define DOMAIN 0x1234abcd
#define COOKIE 0xd000010200000042ULL
#define TUN_ID 5001
#define TUN_SRC 0xc0a80002      /* 192.168.0.2 */

/* Addresses in the test packets. */
#define VM_IP 0x0a000001        /* 10.0.0.1 */
#define PEER_IP 0x0a000002      /* 10.0.0.2 */
#define SERVER_IP 0x0a0000fe    /* 10.0.0.254 */
#define XID 0x5eed1234
static const struct eth_addr vm_mac = ETH_ADDR_C(02,00,00,00,00,01);
static const struct eth_addr peer_mac = ETH_ADDR_C(02,00,00,00,00,02);

/* Packet builders.  Each returns a new dp_packet (dp_packet_delete()). */

/* An Ethernet frame from 'src' carrying an IPv4 packet with protocol
 * 'proto' and payload 'l4' ('l4_len' bytes). */
static struct dp_packet *
make_ipv4(uint8_t proto, ovs_be32 src, ovs_be32 dst, const void *l4,
          size_t l4_len)
{
    struct dp_packet *p = dp_packet_new(0);
    struct ip_header *ip = eth_compose(p, peer_mac, vm_mac, ETH_TYPE_IP,
                                       IP_HEADER_LEN + l4_len);
    ip->ip_ihl_ver = IP_IHL_VER(5, 4);
    ip->ip_tot_len = htons(IP_HEADER_LEN + l4_len);
    ip->ip_ttl = 64;
    ip->ip_proto = proto;
    put_16aligned_be32(&ip->ip_src, src);
    put_16aligned_be32(&ip->ip_dst, dst);
    ip->ip_csum = csum(ip, IP_HEADER_LEN);
    memcpy(ip + 1, l4, l4_len);
    dp_packet_set_l4(p, ip + 1);
    return p;
}

/* A TCP SYN from the VM to its peer's port 80: a policy miss. */
static struct dp_packet *
make_tcp(void)
{
    struct tcp_header tcp;

    memset(&tcp, 0, sizeof tcp);
    tcp.tcp_src = htons(12345);
    tcp.tcp_dst = htons(80);
    tcp.tcp_ctl = TCP_CTL(TCP_SYN, 5);
    return make_ipv4(IPPROTO_TCP, htonl(VM_IP), htonl(PEER_IP), &tcp,
                     sizeof tcp);
}

/* A UDP datagram with payload 'payload' ('len' bytes). */
static struct dp_packet *
make_udp(ovs_be32 src, ovs_be32 dst, uint16_t src_port, uint16_t dst_port,
         const void *payload, size_t len)
{
    struct ofpbuf l4;
    ofpbuf_init(&l4, 0);

    struct udp_header *udp = ofpbuf_put_zeros(&l4, sizeof *udp);
    udp->udp_src = htons(src_port);
    udp->udp_dst = htons(dst_port);
    udp->udp_len = htons(UDP_HEADER_LEN + len);
    ofpbuf_put(&l4, payload, len);

    struct dp_packet *p = make_ipv4(IPPROTO_UDP, src, dst, l4.data, l4.size);
    ofpbuf_uninit(&l4);
    return p;
}

/* An ARP packet with 'op' from the VM asking for (or telling about) its
 * peer's address. */
static struct dp_packet *
make_arp(uint16_t op)
{
    struct dp_packet *p = dp_packet_new(0);
    compose_arp(p, op, vm_mac, op == ARP_OP_REQUEST ? eth_addr_zero
                                                     : peer_mac,
                op == ARP_OP_REQUEST, htonl(VM_IP), htonl(PEER_IP));
    return p;
}

/* A minimal Ethernet frame from 'src' of an experimental ethertype. */
static struct dp_packet *
make_frame(struct eth_addr src)
{
    struct dp_packet *p = dp_packet_new(0);
    eth_compose(p, peer_mac, src, 0x88b5, 46);
    return p;
}

/* Appends to 'b' a BOOTP/DHCP message from (op 1) or to (op 2) the VM:
 * message type 'msg_type' (none if 0), the server identifier option if
 * 'server_id' is nonzero, and the end option. */
static void
put_dhcp(struct ofpbuf *b, uint8_t op, uint8_t msg_type, ovs_be32 yiaddr,
         ovs_be32 server_id, bool broadcast)
{
    struct dhcp_header *h = ofpbuf_put_zeros(b, sizeof *h);
    h->op = op;
    h->htype = ARP_HRD_ETHERNET;
    h->hlen = ETH_ADDR_LEN;
    h->xid = htonl(XID);
    h->flags = htons(broadcast ? 0x8000 : 0);
    h->yiaddr = yiaddr;
    memcpy(h->chaddr, vm_mac.ea, ETH_ADDR_LEN);

    ovs_be32 cookie = htonl(DHCP_MAGIC_COOKIE);
    ofpbuf_put(b, &cookie, sizeof cookie);
    if (msg_type) {
        uint8_t opt[] = { DHCP_OPT_MSG_TYPE, 1, msg_type };
        ofpbuf_put(b, opt, sizeof opt);
    }
    if (server_id) {
        uint8_t opt[] = { 54, 4 };
        ofpbuf_put(b, opt, sizeof opt);
        ofpbuf_put(b, &server_id, sizeof server_id);
    }
    uint8_t end = DHCP_OPT_END;
    ofpbuf_put(b, &end, 1);
}

/* A DHCPDISCOVER from the VM (broadcast) if 'request', otherwise a
 * DHCPOFFER of VM_IP from SERVER_IP. */
static struct dp_packet *
make_dhcp(bool request)
{
    struct ofpbuf payload;
    struct dp_packet *p;

    ofpbuf_init(&payload, 0);
    if (request) {
        put_dhcp(&payload, DHCP_OP_REQUEST, DHCP_MSG_DISCOVER, 0, 0, true);
        p = make_udp(htonl(0), htonl(0xffffffff), DHCP_CLIENT_PORT,
                     DHCP_SERVER_PORT, payload.data, payload.size);
    } else {
        put_dhcp(&payload, DHCP_OP_REPLY, DHCP_MSG_OFFER, htonl(VM_IP),
                 htonl(SERVER_IP), false);
        p = make_udp(htonl(SERVER_IP), htonl(VM_IP), DHCP_SERVER_PORT,
                     DHCP_CLIENT_PORT, payload.data, payload.size);
    }
    ofpbuf_uninit(&payload);
    return p;
}

/* A valid packet for 'opcode'. */
static struct dp_packet *
make_valid(enum sp_opcode opcode)
{
    switch (opcode) {
    case SP_POLICY_MISS:
        return make_tcp();
    case SP_ARP_MISS:
        return make_arp(ARP_OP_REQUEST);
    case SP_LOCATION:
    case SP_LEARN:
        return make_frame(vm_mac);
    case SP_LEARN_ADDRESS:
        return make_arp(ARP_OP_REPLY);
    case SP_DHCP_REQUEST:
        return make_dhcp(true);
    case SP_DHCP_REPLY:
        return make_dhcp(false);
    case SP_IGMP: {
        /* An IGMPv2 report for 224.1.1.1. */
        static const uint8_t report[8] = { 0x16, 0, 0, 0, 224, 1, 1, 1 };
        return make_ipv4(IPPROTO_IGMP, htonl(VM_IP), htonl(0xe0010101),
                         report, sizeof report);
    }
    case SP_SARP:
        return make_arp(ARP_OP_REQUEST);
    }
    OVS_NOT_REACHED();
}

/* Packet-in builders.  Each returns a new ofpbuf (ofpbuf_delete()). */

/* A packet-in for 'opcode' with the usual metadata. */
static struct ofpbuf *
encode(enum sp_opcode opcode, const void *packet, size_t len)
{
    return sp_encode_packet_in(OFPUTIL_P_OF13_OXM, opcode, PL_INGRESS,
                               htonll(COOKIE), u16_to_ofp(IN_PORT), VNI,
                               DOMAIN, 0, 0, packet, len);
}

/* Like encode(), for a packet in a dp_packet. */
static struct ofpbuf *
encode_packet(enum sp_opcode opcode, const struct dp_packet *packet)
{
    return encode(opcode, dp_packet_data(packet), dp_packet_size(packet));
}

/* A packet-in encoded by OVS directly, in 'format', with 'reason',
 * 'userdata' ('userdata_len' bytes, none if 0) and metadata 'md'. */
static struct ofpbuf *
encode_raw(enum ofputil_packet_in_format format,
           enum ofp_packet_in_reason reason, const struct match *md,
           const uint8_t *userdata, size_t userdata_len,
           const struct dp_packet *packet)
{
    struct ofputil_packet_in_private pin;

    memset(&pin, 0, sizeof pin);
    pin.base.packet = dp_packet_data(packet);
    pin.base.packet_len = dp_packet_size(packet);
    pin.base.reason = reason;
    pin.base.cookie = htonll(COOKIE);
    pin.base.userdata = CONST_CAST(uint8_t *, userdata);
    pin.base.userdata_len = userdata_len;
    pin.base.flow_metadata = *md;
    return ofputil_encode_packet_in_private(&pin, OFPUTIL_P_OF13_OXM,
                                            format);
}

/* Metadata with only the input port. */
static struct match
in_port_only(void)
{
    struct match md;

    match_init_catchall(&md);
    match_set_in_port(&md, u16_to_ofp(IN_PORT));
    return md;
}

/* Appends 'prop_type' with 'value' to the packet-in 'msg'. */
static void
add_u32_prop(struct ofpbuf *msg, uint16_t prop_type, uint32_t value)
{
    ofpprop_put_u32(msg, prop_type, value);
    ofpmsg_update_length(msg);
}

/* Returns a copy of the NXT_PACKET_IN2 'template' with its packet replaced
 * by 'packet' ('len' bytes) and moved to be the last property, so that the
 * packet ends at the end of the message but for the property's padding,
 * whose size it stores in '*pad'. */
static struct ofpbuf *
packet_last(const struct ofpbuf *template, const void *packet, size_t len,
            size_t *pad)
{
    struct ofpbuf b = ofpbuf_const_initializer(template->data,
                                               template->size);
    ofpraw_pull_assert(&b);

    struct ofpbuf *msg = ofpbuf_new(template->size + len);
    ofpbuf_put(msg, template->data, template->size - b.size);
    while (b.size) {
        struct ofpbuf prop;
        uint64_t type;

        ck_assert_int_eq(ofpprop_pull(&b, &prop, &type), 0);
        if (type != NXPINT_PACKET) {
            ofpbuf_put(msg, prop.data, ROUND_UP(prop.size, 8));
        }
    }
    ofpprop_put(msg, NXPINT_PACKET, packet, len);
    ofpmsg_update_length(msg);
    *pad = ROUND_UP(4 + len, 8) - (4 + len);
    return msg;
}

/* If 'pin''s flow is partial, asserts that the fields it holds (struct
 * sp_packet_in: the metadata, the Ethernet addresses and type, and the IP
 * addresses of its IP version) are the complete flow's. */
static void
check_partial_flow(const struct sp_packet_in *pin)
{
    if (!pin->flow_partial) {
        return;
    }
    ck_assert_int_eq(pin->opcode, SP_POLICY_MISS);

    struct sp_packet_in complete = *pin;
    sp_complete_flow(&complete);
    ck_assert(!complete.flow_partial);

    const struct flow *c = &complete.flow;
    const struct flow *p = &pin->flow;
    ck_assert_uint_eq(p->in_port.ofp_port, c->in_port.ofp_port);
    ck_assert(p->metadata == c->metadata);
    ck_assert(!memcmp(p->regs, c->regs, sizeof p->regs));
    ck_assert(p->tunnel.tun_id == c->tunnel.tun_id);
    ck_assert_uint_eq(p->tunnel.ip_src, c->tunnel.ip_src);
    ck_assert_uint_eq(p->tunnel.ip_dst, c->tunnel.ip_dst);
    ck_assert(eth_addr_equals(p->dl_dst, c->dl_dst));
    ck_assert(eth_addr_equals(p->dl_src, c->dl_src));
    ck_assert_uint_eq(p->dl_type, c->dl_type);
    if (p->dl_type == htons(ETH_TYPE_IP)) {
        ck_assert_uint_eq(p->nw_src, c->nw_src);
        ck_assert_uint_eq(p->nw_dst, c->nw_dst);
    } else {
        ck_assert_uint_eq(p->dl_type, htons(ETH_TYPE_IPV6));
        ck_assert(ipv6_addr_equals(&p->ipv6_src, &c->ipv6_src));
        ck_assert(ipv6_addr_equals(&p->ipv6_dst, &c->ipv6_dst));
    }
}

/* Decodes 'oh' into '*pin' as sp_decode_packet_in() does, and again with
 * Open vSwitch's decoder alone (sp_fast_framing off), and asserts that
 * both give the same: the same error text, or the same packet-in. */
static char *
decode_both(const void *oh, struct sp_packet_in *pin)
{
    struct sp_packet_in general;

    /* The same bytes under both, which no decoder may rely on: a partial
     * flow leaves the rest of the flow as it was. */
    memset(&general, 0xa5, sizeof general);
    memset(pin, 0xa5, sizeof *pin);
    sp_fast_framing = false;
    char *general_error = sp_decode_packet_in(oh, &general);
    sp_fast_framing = true;
    char *error = sp_decode_packet_in(oh, pin);
    if (error || general_error) {
        ck_assert_msg(error && general_error
                      && !strcmp(error, general_error),
                      "fast framing: %s, Open vSwitch's: %s",
                      error ? error : "success",
                      general_error ? general_error : "success");
        free(general_error);
    } else {
        /* 'dhcp' and 'igmp' are written only for their opcodes. */
        ck_assert(!memcmp(pin, &general, offsetof(struct sp_packet_in,
                                                  dhcp)));
        if (pin->opcode == SP_DHCP_REQUEST || pin->opcode == SP_DHCP_REPLY) {
            ck_assert(!memcmp(&pin->dhcp, &general.dhcp, sizeof pin->dhcp));
        } else if (pin->opcode == SP_IGMP) {
            ck_assert(!memcmp(&pin->igmp, &general.igmp, sizeof pin->igmp));
        }
        check_partial_flow(pin);
    }
    return error;
}

/* Decodes a copy of the 'size' bytes at 'data' held in a buffer of
 * exactly that size whose last 'poison' bytes are unreadable (under
 * AddressSanitizer), and asserts that the result is a success or an
 * error text, the same with and without the fast framing. */
static void
decode_copy(const void *data, size_t size, size_t poison)
{
    uint8_t *copy = xmemdup(data, size);
    void *oh = copy;
    struct sp_packet_in pin;

    POISON(copy + size - poison, poison);
    char *error = decode_both(oh, &pin);
    if (error) {
        ck_assert(error[0] != '\0');
        free(error);
    }
    UNPOISON(copy + size - poison, poison);
    free(copy);
}

/* Asserts that decoding 'msg' (which it frees) fails with 'expected'. */
static void
check_decode_error(struct ofpbuf *msg, const char *expected)
{
    struct sp_packet_in pin;

    ck_assert_error(sp_decode_packet_in(msg->data, &pin), expected);
    ofpbuf_delete(msg);
}

/* Asserts that a packet-in for 'opcode' carrying 'packet' (which it frees)
 * fails to decode with 'expected'. */
static void
check_packet_error(enum sp_opcode opcode, struct dp_packet *packet,
                   const char *expected)
{
    check_decode_error(encode_packet(opcode, packet), expected);
    dp_packet_delete(packet);
}

/* Returns a DHCP request whose UDP payload is 'payload' ('len' bytes). */
static struct dp_packet *
make_dhcp_request_payload(const void *payload, size_t len)
{
    return make_udp(htonl(0), htonl(0xffffffff), DHCP_CLIENT_PORT,
                    DHCP_SERVER_PORT, payload, len);
}

START_TEST(test_opcode_strings)
{
    static const struct {
        enum sp_opcode opcode;
        int value;
        const char *name;
    } opcodes[] = {
        { SP_POLICY_MISS, 1, "policy_miss" },
        { SP_ARP_MISS, 2, "arp_miss" },
        { SP_LOCATION, 3, "location" },
        { SP_LEARN, 4, "learn" },
        { SP_LEARN_ADDRESS, 5, "learn_address" },
        { SP_DHCP_REQUEST, 6, "dhcp_request" },
        { SP_DHCP_REPLY, 7, "dhcp_reply" },
        { SP_IGMP, 8, "igmp" },
        { SP_SARP, 9, "sarp" },
    };
    static const char *const unknown[] = {
        "", "policy-miss", "POLICY_MISS", "policy_miss ", "arp", "0", "1",
    };
    enum sp_opcode opcode;

    for (size_t i = 0; i < ARRAY_SIZE(opcodes); i++) {
        ck_assert_int_eq(opcodes[i].opcode, opcodes[i].value);
        ck_assert_str_eq(sp_opcode_to_string(opcodes[i].opcode),
                         opcodes[i].name);
        ck_assert(sp_opcode_from_string(opcodes[i].name, &opcode));
        ck_assert_int_eq(opcode, opcodes[i].opcode);
    }
    ck_assert_ptr_null(sp_opcode_to_string(0));
    ck_assert_ptr_null(sp_opcode_to_string(10));
    ck_assert_ptr_null(sp_opcode_to_string(200));
    for (size_t i = 0; i < ARRAY_SIZE(unknown); i++) {
        opcode = SP_LEARN;
        ck_assert(!sp_opcode_from_string(unknown[i], &opcode));
        ck_assert_int_eq(opcode, SP_LEARN);
    }
}
END_TEST

START_TEST(test_controller_action)
{
    for (int op = SP_POLICY_MISS; op <= SP_DHCP_REPLY; op++) {
        struct ds s = DS_EMPTY_INITIALIZER;
        char *expected = xasprintf("controller(userdata=64.74.01.%02x)",
                                   op);

        ds_put_cstr(&s, "x,");
        sp_put_controller_action(&s, op);
        ck_assert_str_eq(ds_cstr(&s) + 2, expected);
        free(expected);

        /* OVS parses it, as an action list and as instructions, into a
         * controller action that sends the whole packet with our
         * userdata. */
        for (int instructions = 0; instructions < 2; instructions++) {
            enum ofputil_protocol usable = OFPUTIL_P_ANY;
            struct ofpbuf ofpacts;
            ofpbuf_init(&ofpacts, 0);
            struct ofpact_parse_params pp = {
                .ofpacts = &ofpacts,
                .usable_protocols = &usable,
            };
            const char *text = ds_cstr(&s) + 2;
            ck_assert_no_error(instructions
                               ? ofpacts_parse_instructions(text, &pp)
                               : ofpacts_parse_actions(text, &pp));

            /* Apply-actions instructions are plain actions here. */
            const struct ofpact *a = ofpacts.data;
            ck_assert_ptr_nonnull(a);
            ck_assert_uint_eq(ofpacts.size, OFPACT_ALIGN(a->len));
            ck_assert_int_eq(a->type, OFPACT_CONTROLLER);
            const struct ofpact_controller *c = ofpact_get_CONTROLLER(a);
            static const uint8_t magic[] = { 0x64, 0x74, 0x01 };
            ck_assert_uint_eq(c->userdata_len, SP_USERDATA_LEN);
            ck_assert(!memcmp(c->userdata, magic, sizeof magic));
            ck_assert_uint_eq(c->userdata[3], op);
            ck_assert_uint_eq(c->max_len, UINT16_MAX);
            ck_assert_int_eq(c->reason, OFPR_ACTION);
            ck_assert(!c->pause);
            ofpbuf_uninit(&ofpacts);
        }
        ds_destroy(&s);
    }
}
END_TEST

/* Every opcode, both OpenFlow 1.3 and 1.5, with and without a tunnel:
 * encode, decode, and compare everything the controller uses. */
START_TEST(test_round_trip)
{
    static const enum ofputil_protocol protocols[] = {
        OFPUTIL_P_OF13_OXM, OFPUTIL_P_OF15_OXM,
    };

    for (size_t i = 0; i < ARRAY_SIZE(protocols); i++) {
        for (int op = SP_POLICY_MISS; op <= SP_DHCP_REPLY; op++) {
            struct dp_packet *packet = make_valid(op);
            bool tunnel = op == SP_LOCATION;
            uint8_t table_id = (op == SP_POLICY_MISS ? PL_POLICY
                                : op == SP_ARP_MISS ? PL_ARP
                                : op == SP_LOCATION ? PL_TUNNEL_IN
                                : PL_INGRESS);
            struct ofpbuf *msg = sp_encode_packet_in(
                protocols[i], op, table_id, htonll(COOKIE + op),
                u16_to_ofp(IN_PORT), VNI, DOMAIN,
                tunnel ? htonll(TUN_ID) : 0, tunnel ? htonl(TUN_SRC) : 0,
                dp_packet_data(packet), dp_packet_size(packet));
            struct sp_packet_in pin;

            /* The fast framing reads what the pipeline sends: only the
             * decode with it off counts as general. */
            counter_slowpath_general_framing.count();
            ck_assert_no_error(decode_both(msg->data, &pin));
            ck_assert_uint_eq(counter_slowpath_general_framing.count(), 1);
            ck_assert_int_eq(pin.opcode, op);
            ck_assert_uint_eq(pin.table_id, table_id);
            ck_assert(pin.cookie == htonll(COOKIE + op));
            ck_assert_uint_eq(ofp_to_u16(pin.in_port), IN_PORT);
            ck_assert_uint_eq(pin.vni, VNI);
            ck_assert_uint_eq(pin.domain, DOMAIN);
            ck_assert(pin.tun_id == (tunnel ? htonll(TUN_ID) : 0));
            ck_assert_uint_eq(pin.tun_src, tunnel ? htonl(TUN_SRC) : 0);
            ck_assert_uint_eq(pin.packet_len, dp_packet_size(packet));
            ck_assert(!memcmp(pin.packet, dp_packet_data(packet),
                              pin.packet_len));
            ck_assert((const uint8_t *) pin.packet > (uint8_t *) msg->data);
            ck_assert((const uint8_t *) pin.packet + pin.packet_len
                      <= (uint8_t *) msg->data + msg->size);

            /* The flow: headers plus metadata. */
            const struct flow *flow = &pin.flow;
            ck_assert_uint_eq(ofp_to_u16(flow->in_port.ofp_port), IN_PORT);
            ck_assert(flow->metadata == htonll(VNI));
            ck_assert_uint_eq(flow->regs[PL_DOMAIN_REG], DOMAIN);
            ck_assert(flow->tunnel.tun_id == pin.tun_id);
            ck_assert_uint_eq(flow->tunnel.ip_src, pin.tun_src);
            ck_assert(eth_addr_equals(flow->dl_src, vm_mac));

            switch ((enum sp_opcode) op) {
            case SP_POLICY_MISS:
                /* Partial: the addresses, and no more until completed. */
                ck_assert(pin.flow_partial);
                ck_assert_uint_eq(flow->dl_type, htons(ETH_TYPE_IP));
                ck_assert_uint_eq(flow->nw_src, htonl(VM_IP));
                ck_assert_uint_eq(flow->nw_dst, htonl(PEER_IP));
                sp_complete_flow(&pin);
                ck_assert(!pin.flow_partial);
                ck_assert(eth_addr_equals(flow->dl_src, vm_mac));
                ck_assert_uint_eq(flow->dl_type, htons(ETH_TYPE_IP));
                ck_assert_uint_eq(flow->nw_src, htonl(VM_IP));
                ck_assert_uint_eq(flow->nw_dst, htonl(PEER_IP));
                ck_assert_uint_eq(flow->nw_proto, IPPROTO_TCP);
                ck_assert_uint_eq(flow->tp_dst, htons(80));
                ck_assert(flow->metadata == htonll(VNI));
                ck_assert_uint_eq(flow->regs[PL_DOMAIN_REG], DOMAIN);
                break;
            case SP_ARP_MISS:
            case SP_LEARN_ADDRESS:
                ck_assert_uint_eq(flow->dl_type, htons(ETH_TYPE_ARP));
                ck_assert_uint_eq(flow->nw_proto, op == SP_ARP_MISS
                                  ? ARP_OP_REQUEST : ARP_OP_REPLY);
                ck_assert_uint_eq(flow->nw_src, htonl(VM_IP));  /* spa */
                ck_assert_uint_eq(flow->nw_dst, htonl(PEER_IP)); /* tpa */
                ck_assert(eth_addr_equals(flow->arp_sha, vm_mac));
                break;
            case SP_LOCATION:
            case SP_LEARN:
                ck_assert_uint_eq(flow->dl_type, htons(0x88b5));
                ck_assert(eth_addr_equals(flow->dl_dst, peer_mac));
                break;
            case SP_DHCP_REQUEST:
                ck_assert_uint_eq(flow->tp_src, htons(68));
                ck_assert_uint_eq(flow->tp_dst, htons(67));
                ck_assert_uint_eq(pin.dhcp.op, DHCP_OP_REQUEST);
                ck_assert_uint_eq(pin.dhcp.msg_type, DHCP_MSG_DISCOVER);
                ck_assert_uint_eq(pin.dhcp.xid, htonl(XID));
                ck_assert(pin.dhcp.broadcast);
                ck_assert_uint_eq(pin.dhcp.ciaddr, 0);
                ck_assert_uint_eq(pin.dhcp.yiaddr, 0);
                ck_assert(eth_addr_equals(pin.dhcp.chaddr, vm_mac));
                ck_assert_uint_eq(pin.dhcp.server_id, 0);
                break;
            case SP_DHCP_REPLY:
                ck_assert_uint_eq(flow->nw_dst, htonl(VM_IP));
                ck_assert_uint_eq(flow->tp_src, htons(67));
                ck_assert_uint_eq(flow->tp_dst, htons(68));
                ck_assert_uint_eq(pin.dhcp.op, DHCP_OP_REPLY);
                ck_assert_uint_eq(pin.dhcp.msg_type, DHCP_MSG_OFFER);
                ck_assert_uint_eq(pin.dhcp.xid, htonl(XID));
                ck_assert(!pin.dhcp.broadcast);
                ck_assert_uint_eq(pin.dhcp.yiaddr, htonl(VM_IP));
                ck_assert(eth_addr_equals(pin.dhcp.chaddr, vm_mac));
                ck_assert_uint_eq(pin.dhcp.server_id, htonl(SERVER_IP));
                break;
            case SP_IGMP:
                ck_assert_uint_eq(flow->nw_proto, IPPROTO_IGMP);
                ck_assert_uint_eq(pin.igmp.n, 1);
                ck_assert_uint_eq(pin.igmp.groups[0], htonl(0xe0010101));
                ck_assert(pin.igmp.joins[0]);
                break;
            case SP_SARP:
                /* make_valid() gives it an ARP request from the VM. */
                ck_assert_uint_eq(flow->dl_type, htons(ETH_TYPE_ARP));
                ck_assert_uint_eq(flow->nw_proto, ARP_OP_REQUEST);
                ck_assert_uint_eq(flow->nw_dst, htonl(PEER_IP));
                break;
            }
            ofpbuf_delete(msg);
            dp_packet_delete(packet);
        }
    }
}
END_TEST

/* No VNI, no domain, no tunnel yet (a frame at PL_INGRESS): all zero. */
START_TEST(test_round_trip_no_metadata)
{
    struct dp_packet *packet = make_frame(vm_mac);
    struct ofpbuf *msg = sp_encode_packet_in(
        OFPUTIL_P_OF15_OXM, SP_LEARN, PL_INGRESS, 0, u16_to_ofp(1), 0, 0,
        htonll(99), 0, dp_packet_data(packet), dp_packet_size(packet));
    struct sp_packet_in pin;

    ck_assert_no_error(sp_decode_packet_in(msg->data, &pin));
    ck_assert_int_eq(pin.opcode, SP_LEARN);
    ck_assert_uint_eq(ofp_to_u16(pin.in_port), 1);
    ck_assert_uint_eq(pin.vni, 0);
    ck_assert_uint_eq(pin.domain, 0);
    ck_assert(pin.tun_id == 0);     /* No tunnel source: no key either. */
    ck_assert_uint_eq(pin.tun_src, 0);
    ck_assert(pin.cookie == 0);
    ck_assert(pin.flow.metadata == 0);
    ofpbuf_delete(msg);
    dp_packet_delete(packet);
}
END_TEST

/* A controller action in a table-miss flow: OVS sends an explicit miss,
 * OFPR_NO_MATCH on the wire.  Other reasons are not from our actions. */
START_TEST(test_reason)
{
    static const uint8_t userdata[] = { 0x64, 0x74, 1, SP_LEARN };
    struct dp_packet *packet = make_frame(vm_mac);
    struct match md = in_port_only();
    struct sp_packet_in pin;

    struct ofpbuf *msg = encode_raw(OFPUTIL_PACKET_IN_NXT2,
                                    OFPR_EXPLICIT_MISS, &md, userdata,
                                    sizeof userdata, packet);
    ck_assert_no_error(sp_decode_packet_in(msg->data, &pin));
    ck_assert_int_eq(pin.opcode, SP_LEARN);
    ofpbuf_delete(msg);

    check_decode_error(encode_raw(OFPUTIL_PACKET_IN_NXT2, OFPR_INVALID_TTL,
                                  &md, userdata, sizeof userdata, packet),
                       "learn: unexpected packet-in reason invalid_ttl");
    dp_packet_delete(packet);
}
END_TEST

START_TEST(test_not_packet_in)
{
    struct ofpbuf *echo = ofpraw_alloc(OFPRAW_OFPT_ECHO_REQUEST,
                                       OFP13_VERSION, 0);
    ofpmsg_update_length(echo);
    check_decode_error(echo, "not a packet-in (OFPT_ECHO_REQUEST)");

    /* A header whose type OVS does not know. */
    struct ofp_header oh = {
        .version = OFP13_VERSION, .type = 99, .length = htons(sizeof oh),
    };
    struct sp_packet_in pin;
    char *expected = xasprintf("undecodable OpenFlow message (%s)",
                               ofperr_to_string(OFPERR_OFPBRC_BAD_TYPE));
    ck_assert_error(sp_decode_packet_in(&oh, &pin), expected);
    free(expected);
}
END_TEST

START_TEST(test_no_userdata)
{
    static const char expected[] = "packet-in without userdata (not from a "
                                   "dovetail controller action)";
    struct dp_packet *packet = make_frame(vm_mac);
    struct match md = in_port_only();

    /* An NXT_PACKET_IN2 without the property, an OpenFlow 1.3 packet-in,
     * an NXT_PACKET_IN: none carries userdata. */
    check_decode_error(encode_raw(OFPUTIL_PACKET_IN_NXT2, OFPR_ACTION, &md,
                                  NULL, 0, packet), expected);
    check_decode_error(encode_raw(OFPUTIL_PACKET_IN_STD, OFPR_ACTION, &md,
                                  NULL, 0, packet), expected);
    check_decode_error(encode_raw(OFPUTIL_PACKET_IN_NXT, OFPR_ACTION, &md,
                                  NULL, 0, packet), expected);
    dp_packet_delete(packet);
}
END_TEST

START_TEST(test_bad_userdata)
{
    static const struct {
        uint8_t userdata[8];
        size_t len;
        const char *error;
    } cases[] = {
        { { 0x64, 0x74, 1 }, 3, "userdata has 3 bytes (expected 4)" },
        { { 0x64, 0x74, 1, 1, 0 }, 5, "userdata has 5 bytes (expected 4)" },
        { { 0x64, 0x74, 1, 1, 0, 0, 0, 0 }, 8,
          "userdata has 8 bytes (expected 4)" },
        { { 0x64, 0x75, 1, 1 }, 4,
          "bad userdata magic 64.75 (expected 64.74, \"dt\")" },
        { { 0, 0, 0, 0 }, 4,
          "bad userdata magic 00.00 (expected 64.74, \"dt\")" },
        { { 0x64, 0x74, 2, 1 }, 4,
          "unsupported userdata version 2 (expected 1)" },
        { { 0x64, 0x74, 0, 1 }, 4,
          "unsupported userdata version 0 (expected 1)" },
        { { 0x64, 0x74, 1, 0 }, 4, "unknown opcode 0" },
        { { 0x64, 0x74, 1, 10 }, 4, "unknown opcode 10" },
        { { 0x64, 0x74, 1, 200 }, 4, "unknown opcode 200" },
    };
    struct dp_packet *packet = make_frame(vm_mac);
    struct match md = in_port_only();

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        check_decode_error(encode_raw(OFPUTIL_PACKET_IN_NXT2, OFPR_ACTION,
                                      &md, cases[i].userdata, cases[i].len,
                                      packet),
                           cases[i].error);
    }
    dp_packet_delete(packet);
}
END_TEST

/* The header's length is right, the properties inside are not. */
START_TEST(test_bad_properties)
{
    static const uint16_t bad_lengths[] = { 0, 3, 0xfff8, 0xffff };
    struct dp_packet *packet = make_tcp();
    char *expected = xasprintf("malformed packet-in (%s)",
                               ofperr_to_string(OFPERR_OFPBPC_BAD_LEN));

    for (size_t i = 0; i < ARRAY_SIZE(bad_lengths); i++) {
        /* The first property, NXPINT_PACKET, follows the 16-byte Nicira
         * header; its length is its bytes 2 and 3. */
        struct ofpbuf *msg = encode_packet(SP_POLICY_MISS, packet);
        uint8_t *prop = (uint8_t *) msg->data + 16;
        ck_assert_uint_eq(prop[0] << 8 | prop[1], NXPINT_PACKET);
        prop[2] = bad_lengths[i] >> 8;
        prop[3] = bad_lengths[i];
        check_decode_error(msg, expected);
    }

    /* The last property, the 8-byte NXPINT_USERDATA, claims 12 bytes:
     * more than the message has left. */
    struct ofpbuf *msg = encode_packet(SP_POLICY_MISS, packet);
    uint8_t *userdata_prop = (uint8_t *) msg->data + msg->size - 8;
    ck_assert_uint_eq(userdata_prop[1], NXPINT_USERDATA);
    ck_assert_uint_eq(userdata_prop[3], 8);
    userdata_prop[3] = 12;
    check_decode_error(msg, expected);
    free(expected);

    /* Its length cut to 6: still a well-formed property, but the wrong
     * userdata. */
    msg = encode_packet(SP_POLICY_MISS, packet);
    userdata_prop = (uint8_t *) msg->data + msg->size - 8;
    userdata_prop[3] = 6;
    check_decode_error(msg, "userdata has 2 bytes (expected 4)");
    dp_packet_delete(packet);
}
END_TEST

START_TEST(test_truncated)
{
    struct dp_packet *packet = make_tcp();
    size_t len = dp_packet_size(packet);

    /* The switch says the packet was longer than what it sent. */
    struct ofpbuf *msg = encode_packet(SP_POLICY_MISS, packet);
    add_u32_prop(msg, NXPINT_FULL_LEN, 1500);
    char *expected = xasprintf("policy_miss: truncated packet: %"PRIuSIZE
                               " of 1500 bytes", len);
    check_decode_error(msg, expected);
    free(expected);

    /* Exactly as long: fine. */
    msg = encode_packet(SP_POLICY_MISS, packet);
    add_u32_prop(msg, NXPINT_FULL_LEN, len);
    struct sp_packet_in pin;
    ck_assert_no_error(sp_decode_packet_in(msg->data, &pin));
    ofpbuf_delete(msg);

    /* Shorter than what it sent: OVS rejects that itself. */
    msg = encode_packet(SP_POLICY_MISS, packet);
    add_u32_prop(msg, NXPINT_FULL_LEN, len - 1);
    expected = xasprintf("malformed packet-in (%s)",
                         ofperr_to_string(OFPERR_OFPBRC_BAD_LEN));
    check_decode_error(msg, expected);
    free(expected);

    /* Buffered in the switch. */
    msg = encode_packet(SP_POLICY_MISS, packet);
    add_u32_prop(msg, NXPINT_BUFFER_ID, 42);
    check_decode_error(msg, "policy_miss: packet buffered in the switch "
                       "(buffer_id 42), not sent whole");
    dp_packet_delete(packet);
}
END_TEST

START_TEST(test_bad_metadata)
{
    static const uint8_t userdata[] = { 0x64, 0x74, 1, SP_POLICY_MISS };
    struct dp_packet *packet = make_tcp();
    struct match md = in_port_only();
    struct sp_packet_in pin;

    match_set_metadata(&md, htonll(UINT64_C(0x100000000)));
    check_decode_error(encode_raw(OFPUTIL_PACKET_IN_NXT2, OFPR_ACTION, &md,
                                  userdata, sizeof userdata, packet),
                       "policy_miss: metadata 0x100000000 is not a VNI");

    match_set_metadata(&md, htonll(UINT32_MAX));
    struct ofpbuf *msg = encode_raw(OFPUTIL_PACKET_IN_NXT2, OFPR_ACTION, &md,
                                    userdata, sizeof userdata, packet);
    ck_assert_no_error(sp_decode_packet_in(msg->data, &pin));
    ck_assert_uint_eq(pin.vni, UINT32_MAX);
    ofpbuf_delete(msg);
    dp_packet_delete(packet);
}
END_TEST

START_TEST(test_short_packet)
{
    static const uint8_t frame[ETH_HEADER_LEN] = {
        2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x88, 0xb5,
    };
    struct sp_packet_in pin;

    for (size_t len = 1; len < ETH_HEADER_LEN; len++) {
        char *expected = xasprintf("location: packet too short for an "
                                   "Ethernet header (%"PRIuSIZE" bytes)",
                                   len);
        check_decode_error(encode(SP_LOCATION, frame, len), expected);
        free(expected);
    }

    /* A bare Ethernet header is enough for a location packet-in. */
    struct ofpbuf *msg = encode(SP_LOCATION, frame, sizeof frame);
    ck_assert_no_error(sp_decode_packet_in(msg->data, &pin));
    ck_assert_uint_eq(pin.packet_len, ETH_HEADER_LEN);
    ck_assert_uint_eq(pin.flow.dl_type, htons(0x88b5));
    ofpbuf_delete(msg);
}
END_TEST

START_TEST(test_policy_miss_bad_packet)
{
    struct dp_packet *p;

    /* IPv6 (fabric mode channel's /128s): a whole header decodes, with
     * the destination in the flow. */
    p = dp_packet_new(0);
    uint8_t *ip6 = eth_compose(p, peer_mac, vm_mac, ETH_TYPE_IPV6,
                               IPV6_HEADER_LEN);
    ip6[0] = 0x60;
    ip6[6] = IPPROTO_NONE;
    ip6[7] = 64;
    ip6[24] = 0xfd;
    ip6[39] = 0x02;
    struct ofpbuf *msg6 = encode_packet(SP_POLICY_MISS, p);
    struct sp_packet_in pin6;
    ck_assert_no_error(sp_decode_packet_in(msg6->data, &pin6));
    ck_assert(pin6.flow.dl_type == htons(ETH_TYPE_IPV6));
    ck_assert_int_eq(pin6.flow.ipv6_dst.s6_addr[0], 0xfd);
    ck_assert_int_eq(pin6.flow.ipv6_dst.s6_addr[15], 0x02);
    ck_assert(pin6.flow_partial);
    check_partial_flow(&pin6);
    ofpbuf_delete(msg6);

    /* ...and a truncated one, a version 4 in it, or a payload length
     * beyond the packet do not. */
    struct dp_packet *q = dp_packet_clone(p);
    dp_packet_set_size(q, ETH_HEADER_LEN + 30);
    check_packet_error(SP_POLICY_MISS, q, "policy_miss: IPv6 header "
                       "truncated (30 of 40 bytes)");
    q = dp_packet_clone(p);
    ((uint8_t *) dp_packet_l3(q))[0] = 0x40;
    check_packet_error(SP_POLICY_MISS, q, "policy_miss: IP version 4 in an "
                       "IPv6 packet");
    q = dp_packet_clone(p);
    ((uint8_t *) dp_packet_l3(q))[5] = 8;
    check_packet_error(SP_POLICY_MISS, q, "policy_miss: IPv6 payload length "
                       "8 does not fit the packet (0 bytes after the "
                       "header)");
    dp_packet_delete(p);

    /* ARP. */
    check_packet_error(SP_POLICY_MISS, make_arp(ARP_OP_REQUEST),
                       "policy_miss: not an IPv4 packet (dl_type 0x0806)");

    /* The IPv4 header cut short. */
    p = make_tcp();
    dp_packet_set_size(p, ETH_HEADER_LEN + 10);
    check_packet_error(SP_POLICY_MISS, p, "policy_miss: IPv4 header "
                       "truncated (10 of 20 bytes)");

    /* Options announced, not present. */
    p = make_tcp();
    struct ip_header *ip = dp_packet_l3(p);
    ip->ip_ihl_ver = IP_IHL_VER(15, 4);
    dp_packet_set_size(p, ETH_HEADER_LEN + 40);
    check_packet_error(SP_POLICY_MISS, p, "policy_miss: IPv4 header "
                       "truncated (40 of 60 bytes)");

    /* A header length below the minimum. */
    p = make_tcp();
    ip = dp_packet_l3(p);
    ip->ip_ihl_ver = IP_IHL_VER(4, 4);
    check_packet_error(SP_POLICY_MISS, p, "policy_miss: bad IPv4 header "
                       "length 16 bytes");

    /* Version 6 in an IPv4 ethertype. */
    p = make_tcp();
    ip = dp_packet_l3(p);
    ip->ip_ihl_ver = IP_IHL_VER(5, 6);
    check_packet_error(SP_POLICY_MISS, p, "policy_miss: IP version 6 in an "
                       "IPv4 packet");

    /* Total length past the end of the frame, and shorter than the
     * header. */
    p = make_tcp();
    ip = dp_packet_l3(p);
    ip->ip_tot_len = htons(41);
    check_packet_error(SP_POLICY_MISS, p, "policy_miss: IPv4 total length "
                       "41 does not fit header (20) and packet (40 bytes)");
    p = make_tcp();
    ip = dp_packet_l3(p);
    ip->ip_tot_len = htons(19);
    check_packet_error(SP_POLICY_MISS, p, "policy_miss: IPv4 total length "
                       "19 does not fit header (20) and packet (40 bytes)");

    /* Ethernet padding after the IPv4 packet is fine. */
    p = make_tcp();
    dp_packet_put_zeros(p, 6);
    struct ofpbuf *msg = encode_packet(SP_POLICY_MISS, p);
    struct sp_packet_in pin;
    ck_assert_no_error(sp_decode_packet_in(msg->data, &pin));
    ck_assert_uint_eq(pin.packet_len, ETH_HEADER_LEN + 46);
    ofpbuf_delete(msg);
    dp_packet_delete(p);
}
END_TEST

START_TEST(test_arp_bad_packet)
{
    struct dp_packet *p;
    struct arp_eth_header *arp;

    check_packet_error(SP_ARP_MISS, make_arp(ARP_OP_REPLY),
                       "arp_miss: not an ARP request (op 2)");
    check_packet_error(SP_ARP_MISS, make_tcp(),
                       "arp_miss: not an ARP packet (dl_type 0x0800)");
    check_packet_error(SP_LEARN_ADDRESS, make_tcp(),
                       "learn_address: not an ARP packet (dl_type 0x0800)");

    /* RARP is not ARP. */
    p = make_arp(ARP_OP_REQUEST);
    struct eth_header *eth = dp_packet_eth(p);
    eth->eth_type = htons(ETH_TYPE_RARP);
    check_packet_error(SP_ARP_MISS, p, "arp_miss: not an ARP packet "
                       "(dl_type 0x8035)");

    p = make_arp(ARP_OP_REQUEST);
    dp_packet_set_size(p, ETH_HEADER_LEN + 27);
    check_packet_error(SP_ARP_MISS, p, "arp_miss: ARP packet truncated "
                       "(27 of 28 bytes)");

    p = make_arp(ARP_OP_REQUEST);
    arp = dp_packet_l3(p);
    arp->ar_pro = htons(ETH_TYPE_IPV6);
    check_packet_error(SP_ARP_MISS, p, "arp_miss: not an Ethernet/IPv4 ARP "
                       "packet (hardware type 1, protocol 0x86dd, address "
                       "lengths 6/4)");

    p = make_arp(ARP_OP_REPLY);
    arp = dp_packet_l3(p);
    arp->ar_hln = 8;
    check_packet_error(SP_LEARN_ADDRESS, p, "learn_address: not an "
                       "Ethernet/IPv4 ARP packet (hardware type 1, protocol "
                       "0x0800, address lengths 8/4)");

    p = make_arp(ARP_OP_RARP);
    check_packet_error(SP_LEARN_ADDRESS, p, "learn_address: not an ARP "
                       "request or reply (op 3)");

    /* Both kinds are addresses to learn. */
    struct sp_packet_in pin;
    p = make_arp(ARP_OP_REQUEST);
    struct ofpbuf *msg = encode_packet(SP_LEARN_ADDRESS, p);
    ck_assert_no_error(sp_decode_packet_in(msg->data, &pin));
    ck_assert_uint_eq(pin.flow.nw_proto, ARP_OP_REQUEST);
    ofpbuf_delete(msg);
    dp_packet_delete(p);
}
END_TEST

START_TEST(test_learn_bad_source)
{
    check_packet_error(SP_LEARN, make_frame(eth_addr_broadcast),
                       "learn: source MAC ff:ff:ff:ff:ff:ff is not unicast");
    check_packet_error(SP_LEARN,
                       make_frame((struct eth_addr) ETH_ADDR_C(01,00,5e,
                                                               00,00,01)),
                       "learn: source MAC 01:00:5e:00:00:01 is not unicast");
    check_packet_error(SP_LEARN, make_frame(eth_addr_zero),
                       "learn: source MAC is all-zeros");

    /* A location packet-in does not care. */
    struct dp_packet *p = make_frame(eth_addr_broadcast);
    struct ofpbuf *msg = encode_packet(SP_LOCATION, p);
    struct sp_packet_in pin;
    ck_assert_no_error(sp_decode_packet_in(msg->data, &pin));
    ofpbuf_delete(msg);
    dp_packet_delete(p);
}
END_TEST

START_TEST(test_dhcp_bad_packet)
{
    struct ofpbuf payload;
    struct dp_packet *p;

    ofpbuf_init(&payload, 0);
    put_dhcp(&payload, DHCP_OP_REQUEST, DHCP_MSG_DISCOVER, 0, 0, true);

    /* The BOOTP header cut short, with consistent IP and UDP lengths. */
    p = make_dhcp_request_payload(payload.data, 100);
    check_packet_error(SP_DHCP_REQUEST, p, "dhcp_request: BOOTP header "
                       "truncated (100 of 236 bytes)");
    p = make_dhcp_request_payload(payload.data, 0);
    check_packet_error(SP_DHCP_REQUEST, p, "dhcp_request: BOOTP header "
                       "truncated (0 of 236 bytes)");

    /* The magic cookie cut short, and wrong. */
    p = make_dhcp_request_payload(payload.data, DHCP_HEADER_LEN + 2);
    check_packet_error(SP_DHCP_REQUEST, p, "dhcp_request: DHCP magic "
                       "cookie missing (238 bytes)");
    uint8_t *bytes = payload.data;
    memcpy(&bytes[DHCP_HEADER_LEN], "\x01\x02\x03\x04", 4);
    p = make_dhcp_request_payload(payload.data, payload.size);
    check_packet_error(SP_DHCP_REQUEST, p, "dhcp_request: bad DHCP magic "
                       "cookie 1.2.3.4 (expected 99.130.83.99)");

    /* An option running past the end of the UDP payload. */
    payload.size = 0;
    put_dhcp(&payload, DHCP_OP_REQUEST, DHCP_MSG_DISCOVER, 0, 0, true);
    payload.size--;             /* Drop the end option. */
    static const uint8_t hostname[] = { 12, 50, 'v', 'm', '1' };
    ofpbuf_put(&payload, hostname, sizeof hostname);
    p = make_dhcp_request_payload(payload.data, payload.size);
    check_packet_error(SP_DHCP_REQUEST, p, "dhcp_request: DHCP option 12 "
                       "overruns the packet");

    /* Wrong ports, both directions. */
    payload.size = 0;
    put_dhcp(&payload, DHCP_OP_REQUEST, DHCP_MSG_DISCOVER, 0, 0, true);
    p = make_udp(htonl(0), htonl(0xffffffff), DHCP_SERVER_PORT,
                 DHCP_CLIENT_PORT, payload.data, payload.size);
    check_packet_error(SP_DHCP_REQUEST, p, "dhcp_request: UDP ports 67 -> "
                       "68 (expected 68 -> 67)");
    p = make_udp(htonl(0), htonl(0xffffffff), DHCP_CLIENT_PORT, 53,
                 payload.data, payload.size);
    check_packet_error(SP_DHCP_REQUEST, p, "dhcp_request: UDP ports 68 -> "
                       "53 (expected 68 -> 67)");
    p = make_udp(htonl(0), htonl(0xffffffff), DHCP_CLIENT_PORT,
                 DHCP_SERVER_PORT, payload.data, payload.size);
    check_packet_error(SP_DHCP_REPLY, p, "dhcp_reply: UDP ports 68 -> 67 "
                       "(expected 67 -> 68)");

    /* Right ports, wrong op. */
    p = make_udp(htonl(SERVER_IP), htonl(VM_IP), DHCP_SERVER_PORT,
                 DHCP_CLIENT_PORT, payload.data, payload.size);
    check_packet_error(SP_DHCP_REPLY, p, "dhcp_reply: BOOTP op 1 (expected "
                       "2, BOOTREPLY)");

    /* Not UDP; a fragment; not IPv4. */
    p = make_ipv4(IPPROTO_TCP, htonl(0), htonl(0xffffffff), payload.data,
                  payload.size);
    check_packet_error(SP_DHCP_REQUEST, p, "dhcp_request: not a UDP packet "
                       "(IP protocol 6)");
    p = make_dhcp(true);
    struct ip_header *ip = dp_packet_l3(p);
    ip->ip_frag_off = htons(IP_MORE_FRAGMENTS);
    check_packet_error(SP_DHCP_REQUEST, p, "dhcp_request: IPv4 fragment");
    check_packet_error(SP_DHCP_REPLY, make_arp(ARP_OP_REPLY),
                       "dhcp_reply: not an IPv4 packet (dl_type 0x0806)");

    /* UDP header cut short, UDP length past the IP payload or below the
     * UDP header. */
    p = make_ipv4(IPPROTO_UDP, htonl(0), htonl(0xffffffff), payload.data, 7);
    check_packet_error(SP_DHCP_REQUEST, p, "dhcp_request: UDP header "
                       "truncated (7 of 8 bytes)");
    p = make_dhcp(true);
    struct udp_header *udp = dp_packet_l4(p);
    udp->udp_len = htons(ntohs(udp->udp_len) + 1);
    char *expected = xasprintf("dhcp_request: UDP length %"PRIuSIZE" "
                               "inconsistent with the %"PRIuSIZE" bytes of "
                               "IP payload", (size_t) payload.size + 9,
                               (size_t) payload.size + 8);
    check_packet_error(SP_DHCP_REQUEST, p, expected);
    free(expected);
    p = make_dhcp(true);
    udp = dp_packet_l4(p);
    udp->udp_len = htons(7);
    expected = xasprintf("dhcp_request: UDP length 7 inconsistent with the "
                         "%"PRIuSIZE" bytes of IP payload",
                         (size_t) payload.size + 8);
    check_packet_error(SP_DHCP_REQUEST, p, expected);
    free(expected);

    /* A UDP length shorter than the IP payload ends the DHCP message
     * there: here, before its magic cookie. */
    p = make_dhcp(true);
    udp = dp_packet_l4(p);
    udp->udp_len = htons(UDP_HEADER_LEN + DHCP_HEADER_LEN);
    check_packet_error(SP_DHCP_REQUEST, p, "dhcp_request: DHCP magic cookie "
                       "missing (236 bytes)");

    ofpbuf_uninit(&payload);
}
END_TEST

/* sp_parse_dhcp() on its own: the fixed header and the option walk. */
START_TEST(test_parse_igmp)
{
    /* IGMPv3 report: join 224.1.1.1 (TO_EX {}), leave 224.2.2.2
     * (TO_IN {}), join 224.3.3.3 from one source (ALLOW), ignore a block;
     * 4 records after the 8-byte header. */
    static const uint8_t v3[] = {
        0x22, 0, 0, 0, 0, 0, 0, 4,
        4, 0, 0, 0, 224, 1, 1, 1,
        3, 0, 0, 0, 224, 2, 2, 2,
        5, 0, 0, 1, 224, 3, 3, 3, 10, 0, 0, 9,
        6, 0, 0, 1, 224, 4, 4, 4, 10, 0, 0, 9,
    };
    static const uint8_t leave[8] = { 0x17, 0, 0, 0, 224, 5, 5, 5 };
    static const uint8_t query[8] = { 0x11, 0, 0, 0, 0, 0, 0, 0 };
    static const uint8_t unicast[8] = { 0x16, 0, 0, 0, 10, 0, 0, 1 };
    struct sp_igmp igmp;
    char *error;

    ck_assert_no_error(sp_parse_igmp(v3, sizeof v3, &igmp));
    ck_assert_uint_eq(igmp.n, 3);
    ck_assert_uint_eq(igmp.groups[0], htonl(0xe0010101));
    ck_assert(igmp.joins[0]);
    ck_assert_uint_eq(igmp.groups[1], htonl(0xe0020202));
    ck_assert(!igmp.joins[1]);
    ck_assert_uint_eq(igmp.groups[2], htonl(0xe0030303));
    ck_assert(igmp.joins[2]);

    ck_assert_no_error(sp_parse_igmp(leave, sizeof leave, &igmp));
    ck_assert_uint_eq(igmp.n, 1);
    ck_assert(!igmp.joins[0]);
    ck_assert_no_error(sp_parse_igmp(query, sizeof query, &igmp));
    ck_assert_uint_eq(igmp.n, 0);

    /* Every truncation of the v3 report is an error, never a read past
     * the end. */
    for (size_t len = 0; len < sizeof v3; len++) {
        if (len == 8 + 8 + 8 + 12 + 12) {
            continue;
        }
        error = sp_parse_igmp(v3, len, &igmp);
        ck_assert_msg(error != NULL, "length %zu", len);
        free(error);
    }
    error = sp_parse_igmp(unicast, sizeof unicast, &igmp);
    ck_assert_str_eq(error, "IGMP type 0x16: group 10.0.0.1 is not "
                     "multicast");
    free(error);
}
END_TEST

START_TEST(test_parse_dhcp)
{
    struct ofpbuf b;
    struct sp_dhcp dhcp;
    uint8_t *bytes;

    ofpbuf_init(&b, 0);

    /* Plain BOOTP: no message type. */
    put_dhcp(&b, DHCP_OP_REPLY, 0, htonl(VM_IP), 0, true);
    ck_assert_no_error(sp_parse_dhcp(b.data, b.size, &dhcp));
    ck_assert_uint_eq(dhcp.op, DHCP_OP_REPLY);
    ck_assert_uint_eq(dhcp.msg_type, 0);
    ck_assert_uint_eq(dhcp.xid, htonl(XID));
    ck_assert(dhcp.broadcast);
    ck_assert_uint_eq(dhcp.yiaddr, htonl(VM_IP));
    ck_assert(eth_addr_equals(dhcp.chaddr, vm_mac));
    ck_assert_uint_eq(dhcp.server_id, 0);

    /* No options at all, not even the end option. */
    ck_assert_no_error(sp_parse_dhcp(b.data, DHCP_HEADER_LEN + 4, &dhcp));
    ck_assert_uint_eq(dhcp.msg_type, 0);

    /* Pads, an unknown option, server id, message type, end, and junk
     * after the end. */
    b.size = 0;
    put_dhcp(&b, DHCP_OP_REQUEST, 0, 0, 0, false);
    b.size--;
    static const uint8_t options[] = {
        0, 0, 12, 3, 'v', 'm', '1', 54, 4, 10, 0, 0, 254, 0,
        53, 1, DHCP_MSG_REQUEST, 255, 53, 7,
    };
    ofpbuf_put(&b, options, sizeof options);
    ck_assert_no_error(sp_parse_dhcp(b.data, b.size, &dhcp));
    ck_assert_uint_eq(dhcp.op, DHCP_OP_REQUEST);
    ck_assert_uint_eq(dhcp.msg_type, DHCP_MSG_REQUEST);
    ck_assert_uint_eq(dhcp.server_id, htonl(SERVER_IP));
    ck_assert(!dhcp.broadcast);

    /* The ciaddr. */
    bytes = b.data;
    memcpy(&bytes[12], "\x0a\x00\x00\x01", 4);
    ck_assert_no_error(sp_parse_dhcp(b.data, b.size, &dhcp));
    ck_assert_uint_eq(dhcp.ciaddr, htonl(VM_IP));

    /* Options cut anywhere: the length byte missing, or the value. */
    size_t opts = DHCP_HEADER_LEN + 4;
    ck_assert_error(sp_parse_dhcp(b.data, opts + 3, &dhcp),
                    "DHCP option 12 overruns the packet");
    ck_assert_error(sp_parse_dhcp(b.data, opts + 6, &dhcp),
                    "DHCP option 12 overruns the packet");
    ck_assert_no_error(sp_parse_dhcp(b.data, opts + 7, &dhcp));
    ck_assert_error(sp_parse_dhcp(b.data, opts + 8, &dhcp),
                    "DHCP option 54 overruns the packet");
    ck_assert_error(sp_parse_dhcp(b.data, opts + 12, &dhcp),
                    "DHCP option 54 overruns the packet");
    ck_assert_no_error(sp_parse_dhcp(b.data, opts + 13, &dhcp));
    ck_assert_uint_eq(dhcp.server_id, htonl(SERVER_IP));
    ck_assert_uint_eq(dhcp.msg_type, 0);

    /* Bad option lengths and values. */
    static const struct {
        uint8_t option[8];
        size_t len;
        const char *error;
    } bad[] = {
        { { 53, 2, 1, 1 }, 4,
          "DHCP option 53 (message type) has length 2 (expected 1)" },
        { { 53, 0 }, 2,
          "DHCP option 53 (message type) has length 0 (expected 1)" },
        { { 53, 1, 0 }, 3, "DHCP message type 0 is invalid" },
        { { 53, 1, 1, 53, 1, 3 }, 6,
          "DHCP option 53 (message type) appears twice" },
        { { 54, 3, 1, 2, 3 }, 5,
          "DHCP option 54 (server identifier) has length 3 (expected 4)" },
        { { 54, 4, 1, 2, 3, 4, 54, 0 }, 8,
          "DHCP option 54 (server identifier) appears twice" },
        { { 61 }, 1, "DHCP option 61 overruns the packet" },
        { { 0, 0, 61, 1 }, 4, "DHCP option 61 overruns the packet" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        b.size = opts;
        ofpbuf_put(&b, bad[i].option, bad[i].len);
        ck_assert_error(sp_parse_dhcp(b.data, b.size, &dhcp), bad[i].error);
    }

    /* The fixed header. */
    b.size = 0;
    put_dhcp(&b, DHCP_OP_REQUEST, DHCP_MSG_DISCOVER, 0, 0, true);
    bytes = b.data;
    ck_assert_error(sp_parse_dhcp(b.data, DHCP_HEADER_LEN - 1, &dhcp),
                    "BOOTP header truncated (235 of 236 bytes)");
    ck_assert_error(sp_parse_dhcp(b.data, DHCP_HEADER_LEN, &dhcp),
                    "DHCP magic cookie missing (236 bytes)");
    bytes[0] = 3;
    ck_assert_error(sp_parse_dhcp(b.data, b.size, &dhcp),
                    "bad BOOTP op 3 (expected 1 or 2)");
    bytes[0] = DHCP_OP_REQUEST;
    bytes[1] = 6;
    ck_assert_error(sp_parse_dhcp(b.data, b.size, &dhcp),
                    "BOOTP hardware type 6, address length 6 is not "
                    "Ethernet (1, 6)");
    bytes[1] = ARP_HRD_ETHERNET;
    bytes[2] = 16;
    ck_assert_error(sp_parse_dhcp(b.data, b.size, &dhcp),
                    "BOOTP hardware type 1, address length 16 is not "
                    "Ethernet (1, 6)");
    ofpbuf_uninit(&b);
}
END_TEST

/* Exactly one counter per decode, the one that names the outcome. */
START_TEST(test_coverage)
{
    struct coverage_counter *const counters[] = {
        &counter_slowpath_packet_in,
        &counter_slowpath_bad_message,
        &counter_slowpath_bad_userdata,
        &counter_slowpath_unknown_opcode,
        &counter_slowpath_truncated,
        &counter_slowpath_bad_packet,
    };
    static const uint8_t bad_magic[] = { 0x64, 0x00, 1, 1 };
    static const uint8_t bad_opcode[] = { 0x64, 0x74, 1, 99 };
    struct dp_packet *tcp = make_tcp();
    struct dp_packet *arp = make_arp(ARP_OP_REQUEST);
    struct match md = in_port_only();
    struct ofpbuf *msgs[ARRAY_SIZE(counters)];

    msgs[0] = encode_packet(SP_POLICY_MISS, tcp);
    msgs[1] = ofpraw_alloc(OFPRAW_OFPT_ECHO_REQUEST, OFP13_VERSION, 0);
    ofpmsg_update_length(msgs[1]);
    msgs[2] = encode_raw(OFPUTIL_PACKET_IN_NXT2, OFPR_ACTION, &md,
                         bad_magic, sizeof bad_magic, tcp);
    msgs[3] = encode_raw(OFPUTIL_PACKET_IN_NXT2, OFPR_ACTION, &md,
                         bad_opcode, sizeof bad_opcode, tcp);
    msgs[4] = encode_packet(SP_POLICY_MISS, tcp);
    add_u32_prop(msgs[4], NXPINT_FULL_LEN, 9000);
    msgs[5] = encode_packet(SP_POLICY_MISS, arp);

    for (size_t i = 0; i < ARRAY_SIZE(counters); i++) {
        counters[i]->count();
    }
    for (size_t i = 0; i < ARRAY_SIZE(msgs); i++) {
        struct sp_packet_in pin;
        free(sp_decode_packet_in(msgs[i]->data, &pin));
        for (size_t j = 0; j < ARRAY_SIZE(counters); j++) {
            ck_assert_msg(counters[j]->count() == (i == j),
                          "message %"PRIuSIZE", counter %s", i,
                          counters[j]->name);
        }
        ofpbuf_delete(msgs[i]);
    }
    dp_packet_delete(tcp);
    dp_packet_delete(arp);
}
END_TEST

/* Fuzz: every bit of valid packet-ins flipped, and the messages cut at
 * every length. */
START_TEST(test_fuzz_message)
{
    /* OVS warns about each malformed message it sees. */
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_ERR);
    for (int op = SP_POLICY_MISS; op <= SP_DHCP_REPLY; op++) {
        struct dp_packet *packet = make_valid(op);
        struct ofpbuf *encoded = encode_packet(op, packet);
        size_t pad;
        struct ofpbuf *last = packet_last(encoded, dp_packet_data(packet),
                                          dp_packet_size(packet), &pad);
        struct sp_packet_in pin;

        /* And OpenFlow 1.5's encoding (registers as masked OXM packet
         * registers) with tunnel metadata. */
        struct ofpbuf *of15 = sp_encode_packet_in(
            OFPUTIL_P_OF15_OXM, op, PL_INGRESS, htonll(COOKIE),
            u16_to_ofp(IN_PORT), VNI, DOMAIN, htonll(TUN_ID), htonl(TUN_SRC),
            dp_packet_data(packet), dp_packet_size(packet));

        /* Both orders decode. */
        ck_assert_no_error(sp_decode_packet_in(encoded->data, &pin));
        ck_assert_no_error(sp_decode_packet_in(last->data, &pin));
        ck_assert_no_error(sp_decode_packet_in(of15->data, &pin));

        const struct ofpbuf *msgs[] = { encoded, last, of15 };
        for (size_t m = 0; m < ARRAY_SIZE(msgs); m++) {
            const struct ofpbuf *msg = msgs[m];
            size_t poison = msg == last ? pad : 0;
            uint8_t *copy = xmemdup(msg->data, msg->size);

            /* The packet property's header: with a bit of it flipped, its
             * padding may be read as packet bytes or as the next
             * property's header, both inside the message as framed, so
             * it is not poisoned then. */
            size_t pkt_prop = (msg->size
                               - ROUND_UP(4 + dp_packet_size(packet), 8));

            for (size_t i = 0; i < msg->size; i++) {
                for (int bit = 0; bit < 8; bit++) {
                    copy[i] ^= 1u << bit;

                    /* The caller's vconn never hands over a message whose
                     * length field claims more than it received. */
                    struct ofp_header oh;
                    memcpy(&oh, copy, sizeof oh);
                    if (ntohs(oh.length) <= msg->size) {
                        bool framing = i >= pkt_prop && i < pkt_prop + 4;
                        decode_copy(copy, msg->size, framing ? 0 : poison);
                    }
                    copy[i] ^= 1u << bit;
                }
            }
            for (size_t len = sizeof(struct ofp_header); len < msg->size;
                 len++) {
                struct ofp_header *oh = (void *) copy;
                oh->length = htons(len);
                decode_copy(copy, len, 0);
            }
            free(copy);
        }
        ofpbuf_delete(of15);
        ofpbuf_delete(last);
        ofpbuf_delete(encoded);
        dp_packet_delete(packet);
    }
}
END_TEST

/* Fuzz: each valid packet cut at every length, both as is and, for DHCP,
 * with the IP and UDP lengths adjusted so that the cut reaches the DHCP
 * parser; each at the very end of its message. */
START_TEST(test_fuzz_packet)
{
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_ERR);
    for (int op = SP_POLICY_MISS; op <= SP_DHCP_REPLY; op++) {
        struct dp_packet *packet = make_valid(op);
        struct ofpbuf *template = encode_packet(op, packet);
        const uint8_t *data = dp_packet_data(packet);

        for (size_t len = 0; len <= dp_packet_size(packet); len++) {
            size_t pad;
            struct ofpbuf *msg = packet_last(template, data, len, &pad);
            decode_copy(msg->data, msg->size, pad);
            ofpbuf_delete(msg);
        }

        if (op == SP_DHCP_REQUEST || op == SP_DHCP_REPLY) {
            const uint8_t *l4 = dp_packet_l4(packet);
            const uint8_t *dhcp = l4 + UDP_HEADER_LEN;
            size_t dhcp_len = dp_packet_l4_size(packet) - UDP_HEADER_LEN;
            struct udp_header udp;
            memcpy(&udp, l4, sizeof udp);

            for (size_t len = 0; len <= dhcp_len; len++) {
                struct dp_packet *cut = make_udp(
                    htonl(0), htonl(0), ntohs(udp.udp_src),
                    ntohs(udp.udp_dst), dhcp, len);
                size_t pad;
                struct ofpbuf *msg = packet_last(template,
                                                 dp_packet_data(cut),
                                                 dp_packet_size(cut), &pad);
                decode_copy(msg->data, msg->size, pad);
                ofpbuf_delete(msg);
                dp_packet_delete(cut);

                /* And the parser alone, on exactly 'len' bytes. */
                uint8_t *exact = xmemdup(dhcp, len);
                struct sp_dhcp parsed;
                free(sp_parse_dhcp(exact, len, &parsed));
                free(exact);
            }
        }
        ofpbuf_delete(template);
        dp_packet_delete(packet);
    }
}
END_TEST

/* Decodes policy misses whose IP header has each byte set to each of a few
 * values: wherever the decoder accepts one, a partial flow must agree with
 * the complete flow (check_partial_flow(), through decode_copy()).  And a
 * VLAN-tagged policy miss is decoded whole. */
START_TEST(test_fuzz_partial_flow)
{
    static const uint8_t values[] = { 0x00, 0x01, 0x05, 0x06, 0x0f, 0x40,
                                      0x45, 0x46, 0x60, 0x7f, 0x80, 0xff };
    uint8_t l4[8] = { 0 };

    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_ERR);
    for (int v6 = 0; v6 < 2; v6++) {
        struct dp_packet *p;
        size_t l3_len;
        if (v6) {
            p = dp_packet_new(0);
            l3_len = IPV6_HEADER_LEN + sizeof l4;
            uint8_t *ip6 = eth_compose(p, peer_mac, vm_mac, ETH_TYPE_IPV6,
                                       l3_len);
            memset(ip6, 0, l3_len);
            ip6[0] = 0x60;
            ip6[5] = sizeof l4;
            ip6[6] = IPPROTO_UDP;
            ip6[7] = 64;
            ip6[8] = ip6[24] = 0xfd;
            ip6[23] = 0x01;
            ip6[39] = 0x02;
        } else {
            p = make_ipv4(IPPROTO_UDP, htonl(VM_IP), htonl(PEER_IP), l4,
                          sizeof l4);
            l3_len = IP_HEADER_LEN + sizeof l4;
        }
        for (size_t i = 0; i < l3_len; i++) {
            for (size_t j = 0; j < ARRAY_SIZE(values); j++) {
                struct dp_packet *q = dp_packet_clone(p);
                uint8_t *l3 = (uint8_t *) dp_packet_data(q) + ETH_HEADER_LEN;
                l3[i] = values[j];
                struct ofpbuf *msg = encode_packet(SP_POLICY_MISS, q);
                decode_copy(msg->data, msg->size, 0);
                ofpbuf_delete(msg);
                dp_packet_delete(q);
            }
        }
        dp_packet_delete(p);
    }

    /* Tagged: not partial, and the flow has the inner header. */
    struct dp_packet *p = make_tcp();
    eth_push_vlan(p, htons(ETH_TYPE_VLAN), htons(42));
    struct ofpbuf *msg = encode_packet(SP_POLICY_MISS, p);
    struct sp_packet_in pin;
    ck_assert_no_error(decode_both(msg->data, &pin));
    ck_assert(!pin.flow_partial);
    ck_assert_uint_eq(pin.flow.dl_type, htons(ETH_TYPE_IP));
    ck_assert_uint_eq(pin.flow.nw_dst, htonl(PEER_IP));
    ck_assert_uint_eq(pin.flow.tp_dst, htons(80));
    ofpbuf_delete(msg);
    dp_packet_delete(p);
}
END_TEST

Suite *
unit_suite(void)
{
    Suite *s = suite_create("slowpath");
    TCase *tc;

#define ADD_CASE(NAME)                          \
    tc = tcase_create(#NAME);                   \
    tcase_add_test(tc, test_##NAME);            \
    suite_add_tcase(s, tc);

    ADD_CASE(opcode_strings);
    ADD_CASE(controller_action);
    ADD_CASE(round_trip);
    ADD_CASE(round_trip_no_metadata);
    ADD_CASE(reason);
    ADD_CASE(not_packet_in);
    ADD_CASE(no_userdata);
    ADD_CASE(bad_userdata);
    ADD_CASE(bad_properties);
    ADD_CASE(truncated);
    ADD_CASE(bad_metadata);
    ADD_CASE(short_packet);
    ADD_CASE(policy_miss_bad_packet);
    ADD_CASE(arp_bad_packet);
    ADD_CASE(learn_bad_source);
    ADD_CASE(dhcp_bad_packet);
    ADD_CASE(parse_dhcp);
    ADD_CASE(parse_igmp);
    ADD_CASE(coverage);
    ADD_CASE(fuzz_message);
    tcase_set_timeout(tc, 120);
    ADD_CASE(fuzz_packet);
    ADD_CASE(fuzz_partial_flow);
    tcase_set_timeout(tc, 120);
    return s;
}
