/*
 * slowpath: the controller actions of dovetail's flow programs and the
 * packet-ins they produce.
 *
 * A stage of the pipeline (ofproto-ext/pipeline.h) that cannot finish a
 * packet by itself (a policy cache miss, an ARP request no responder flow
 * answers, a tunnelled packet for an endpoint that has moved, DHCP, a
 * frame from a VM that just arrived) sends it to the controller with
 *
 *     controller(userdata=64.74.01.OP)
 *
 * where OP names what the controller should do: the opcode.  The
 * userdata is "d" "t", the format version (1), the opcode.  OVS delivers
 * userdata only in NXT_PACKET_IN2 messages, so the controller asks every
 * switch for that format when it connects.
 *
 * Everything in a packet-in comes from a packet a VM sent: this module
 * checks all of it (message framing, reason, userdata, opcode, that the
 * packet is complete and is what its opcode expects: an IPv4 packet for a
 * policy miss, an ARP request for an ARP miss, a well-formed BOOTP/DHCP
 * message for DHCP) before the controller acts on it, counts each kind of
 * rejection, and never trusts a length it has not checked.
 */
#ifndef OFPROTO_EXT_SLOWPATH_H
#define OFPROTO_EXT_SLOWPATH_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openvswitch/compiler.h"
#include "openvswitch/flow.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/types.h"

struct ds;
struct ofp_header;
struct ofpbuf;

/* The opcodes: SP_OPCODE(ENUM, VALUE, NAME). */
#define SP_OPCODES                                                        \
    /* IPv4 packet with no policy cache entry for (network, source       \
     * domain, destination): resolve, install, release the packet. */    \
    SP_OPCODE(POLICY_MISS, 1, "policy_miss")                              \
    /* ARP request no responder flow answered: answer from the database, \
     * or find a silent host. */                                          \
    SP_OPCODE(ARP_MISS, 2, "arp_miss")                                    \
    /* Tunnelled packet for an endpoint this vswitch does not host: tell \
     * the controller (location invalidation), which forwards it. */      \
    SP_OPCODE(LOCATION, 3, "location")                                    \
    /* Frame from a port no endpoint is bound to on this vswitch: a VM   \
     * that arrived; learn its location. */                               \
    SP_OPCODE(LEARN, 4, "learn")                                          \
    /* ARP from an endpoint whose IP address the database lacks (a       \
     * silent host answering a probe): learn the address. */              \
    SP_OPCODE(LEARN_ADDRESS, 5, "learn_address")                          \
    /* DHCP from a client (to UDP port 67): unicast copies to the        \
     * domain's DHCP servers. */                                          \
    SP_OPCODE(DHCP_REQUEST, 6, "dhcp_request")                            \
    /* DHCP from a server (to UDP port 68): deliver to the client by its \
     * hardware address. */                                               \
    SP_OPCODE(DHCP_REPLY, 7, "dhcp_reply")                                \
    /* IGMP from a VM's channel (fabric mode channel): snooping, the     \
     * groups it joins or leaves (controller/channel.h). */               \
    SP_OPCODE(IGMP, 8, "igmp")                                            \
    /* SARP fabric mode (controller/sarp.h): an ARP request or IPv4      \
     * packet from a VM that no flow resolved, or ARP from the L2        \
     * interconnect. */                                                   \
    SP_OPCODE(SARP, 9, "sarp")

enum sp_opcode {
#define SP_OPCODE(ENUM, VALUE, NAME) SP_##ENUM = VALUE,
    SP_OPCODES
#undef SP_OPCODE
};

/* Userdata: magic "dt", version, opcode. */
#define SP_USERDATA_LEN 4
#define SP_MAGIC0 0x64          /* 'd' */
#define SP_MAGIC1 0x74          /* 't' */
#define SP_VERSION 1

/* Returns the name of 'opcode' ("policy_miss"...), or NULL if it is not
 * an opcode. */
const char *sp_opcode_to_string(enum sp_opcode);

/* Stores in '*opcode' the opcode named 's'; returns false if there is
 * none. */
bool sp_opcode_from_string(const char *s, enum sp_opcode *opcode);

/* Appends to 's' the action text that sends a packet to the controller
 * with 'opcode', in ovs-ofctl syntax:
 * "controller(userdata=64.74.01.01)". */
void sp_put_controller_action(struct ds *s, enum sp_opcode);

/* The memberships an IGMP message (v1 or v2 report, v2 leave, v3
 * report) reports; a query or anything else reports none. */
#define SP_IGMP_MAX_GROUPS 16
struct sp_igmp {
    size_t n;                   /* Groups below (at most the first
                                 * SP_IGMP_MAX_GROUPS of a v3 report). */
    ovs_be32 groups[SP_IGMP_MAX_GROUPS]; /* Each a multicast address. */
    bool joins[SP_IGMP_MAX_GROUPS];      /* Joined, else left. */
};

/* What a DHCP (BOOTP) message says, as far as the controller needs it. */
struct sp_dhcp {
    uint8_t op;                 /* 1: BOOTREQUEST, 2: BOOTREPLY. */
    uint8_t msg_type;           /* Option 53 (DHCPDISCOVER = 1...), or 0
                                 * for plain BOOTP. */
    ovs_be32 xid;               /* Transaction id. */
    bool broadcast;             /* Broadcast flag set? */
    ovs_be32 ciaddr;            /* Client address. */
    ovs_be32 yiaddr;            /* "Your" address (offered or leased). */
    struct eth_addr chaddr;     /* Client hardware address. */
    ovs_be32 server_id;         /* Option 54, or 0. */
};

/* A decoded, validated packet-in. */
struct sp_packet_in {
    enum sp_opcode opcode;

    /* Where it came from in the pipeline. */
    uint8_t table_id;           /* Table of the flow that sent it. */
    ovs_be64 cookie;            /* That flow's cookie. */

    /* Metadata the pipeline had set when it was sent. */
    ofp_port_t in_port;         /* Port it arrived on. */
    uint32_t vni;               /* PL_NETWORK_FIELD (0: not set yet). */
    uint32_t domain;            /* PL_DOMAIN_FIELD (0: none). */
    ovs_be64 tun_id;            /* Tunnel key, 0 unless from a tunnel. */
    ovs_be32 tun_src;           /* Tunnel source, 0 unless from a tunnel. */

    /* The packet. */
    bool flow_partial;          /* See 'flow'. */
    struct flow flow;           /* Its headers (flow_extract()) with the
                                 * metadata above: in_port, metadata, the
                                 * registers, tun_id, tunnel ip_src and
                                 * ip_dst; no other tunnel field.
                                 *
                                 * If 'flow_partial', which only a
                                 * policy miss in an untagged Ethernet
                                 * frame of IPv4 or IPv6 is, it holds only
                                 * that metadata, dl_src, dl_dst, dl_type
                                 * and the IP source and destination (IPv4
                                 * or IPv6, as dl_type says), every other
                                 * field unspecified (not to be read),
                                 * until sp_complete_flow(): all the policy
                                 * cache reads, at a fraction of the
                                 * cost. */
    const void *packet;         /* Points into the message. */
    size_t packet_len;          /* Bytes at 'packet': the whole packet. */

    /* For SP_DHCP_REQUEST and SP_DHCP_REPLY (for other opcodes, not
     * written). */
    struct sp_dhcp dhcp;

    /* For SP_IGMP (for other opcodes, not written). */
    struct sp_igmp igmp;
};

/* Decodes the OpenFlow message 'oh' (whose header's length has been
 * checked by the caller's vconn against the bytes received) as a dovetail
 * packet-in into '*pin'.  Returns NULL on success, otherwise a malloc'd
 * string that says what is wrong, for a rate-limited log line: the
 * message is then to be dropped.  Never reads outside the message. */
char *sp_decode_packet_in(const struct ofp_header *oh,
                          struct sp_packet_in *pin) OVS_WARN_UNUSED_RESULT;

/* Completes 'pin->flow' if it is partial (see struct sp_packet_in). */
void sp_complete_flow(struct sp_packet_in *pin);

/* Whether sp_decode_packet_in() reads the NXT_PACKET_IN2 framing itself
 * where it can (true, the default) or always through Open vSwitch's
 * decoder.  Both give the same result for every message; the unit tests
 * turn it off to check that. */
extern bool sp_fast_framing;

/* Parses the UDP payload 'payload' ('len' bytes) of a DHCP message into
 * '*dhcp'.  Returns NULL or a malloc'd error string. */
char *sp_parse_dhcp(const void *payload, size_t len, struct sp_dhcp *dhcp)
    OVS_WARN_UNUSED_RESULT;

/* Parses the IPv4 payload 'payload' ('len' bytes) of an IGMP message into
 * '*igmp'.  Returns NULL or a malloc'd error string (a truncated message,
 * or a group that is not a multicast address). */
char *sp_parse_igmp(const void *payload, size_t len, struct sp_igmp *igmp)
    OVS_WARN_UNUSED_RESULT;

/* Encodes a packet-in the way ovs-vswitchd does when a flow's action is
 * "controller(userdata=...)" for 'opcode': an NXT_PACKET_IN2 for
 * 'protocol', reason OFPR_ACTION, carrying 'packet' ('len' bytes) whole,
 * with metadata in_port, metadata = 'vni', reg1 = 'domain' and, if
 * 'tun_src' is nonzero, the tunnel key and source.  For tests and
 * dovetail-bench, which play the vswitch. */
struct ofpbuf *sp_encode_packet_in(enum ofputil_protocol protocol,
                                   enum sp_opcode opcode, uint8_t table_id,
                                   ovs_be64 cookie, ofp_port_t in_port,
                                   uint32_t vni, uint32_t domain,
                                   ovs_be64 tun_id, ovs_be32 tun_src,
                                   const void *packet, size_t len);

#endif /* ofproto-ext/slowpath.h */
