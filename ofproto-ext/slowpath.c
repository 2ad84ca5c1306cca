/*
 * slowpath: the controller actions of dovetail's flow programs and the
 * packet-ins they produce.  See slowpath.h.
 *
 * sp_decode_packet_in() is the trust boundary between a vswitch (and the
 * VMs whose packets it forwards) and the controller.  It checks, in this
 * order, and stops at the first problem:
 *
 *   1. the OpenFlow framing: a packet-in OVS can decode (counted as
 *      slowpath_bad_message);
 *   2. the userdata: present, SP_USERDATA_LEN bytes, magic "dt", version
 *      SP_VERSION (slowpath_bad_userdata), a known opcode
 *      (slowpath_unknown_opcode);
 *   3. the reason and the metadata the pipeline set (slowpath_bad_message);
 *   4. that the switch sent the whole packet (slowpath_truncated);
 *   5. that the packet is what its opcode expects, with every header it
 *      needs complete (slowpath_bad_packet).
 *
 * Every length that comes from the wire is checked against the bytes
 * actually present before anything behind it is read.  Headers are copied
 * out of the packet before use, so no check depends on the packet's
 * alignment inside the message.
 *
 * Logging is the caller's job (it knows which switch sent the message):
 * it logs the returned error text through a rate limiter.
 *
 * Step 1 for the packet-ins a dovetail pipeline sends is done here, by
 * decode_framing_fast(), which is several times cheaper than Open
 * vSwitch's general decoder and handles only what it is sure of: an
 * NXT_PACKET_IN2 without continuation whose metadata holds only the
 * fields dovetail's pipeline sets, each once and exact.  Anything else
 * (another message, another property or field, a mask, a bad length)
 * goes to Open vSwitch's decoder, which accepts it or names the problem;
 * tests/test-slowpath checks that the two agree on every message of its
 * fuzz loops.
 */
#include <config.h>
#include "ofproto-ext/slowpath.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "coverage.h"
#include "dhcp.h"
#include "dp-packet.h"
#include "flow.h"
#include "ofproto-ext/pipeline.h"
#include "openflow/nicira-ext.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/util.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(slowpath);

COVERAGE_DEFINE(slowpath_packet_in);
COVERAGE_DEFINE(slowpath_bad_message);
COVERAGE_DEFINE(slowpath_bad_userdata);
COVERAGE_DEFINE(slowpath_unknown_opcode);
COVERAGE_DEFINE(slowpath_truncated);
COVERAGE_DEFINE(slowpath_bad_packet);
COVERAGE_DEFINE(slowpath_general_framing);

bool sp_fast_framing = true;

/* The BOOTP fixed header plus the DHCP magic cookie (RFC 2131). */
#define SP_DHCP_OPTIONS_OFS (DHCP_HEADER_LEN + 4)
#define SP_DHCP_OPT_SERVER_ID 54
#define SP_DHCP_FLAG_BROADCAST 0x8000

/* The pipeline metadata of a packet-in, as far as dovetail reads it: a few
 * fields instead of a struct flow, which is several hundred bytes to clear
 * and copy per message. */
struct metadata {
    union flow_in_port in_port;
    ovs_be64 metadata;
    uint32_t regs[FLOW_N_REGS];
    ovs_be64 tun_id;
    ovs_be32 tun_src;
    ovs_be32 tun_dst;
};

/* What sp_decode_packet_in() reads of a packet-in's framing, from either
 * decoder. */
struct framing {
    const uint8_t *packet;
    size_t packet_len;          /* Bytes at 'packet'. */
    size_t total_len;           /* The packet's whole length. */
    uint32_t buffer_id;
    enum ofp_packet_in_reason reason;
    uint8_t table_id;
    ovs_be64 cookie;
    const uint8_t *userdata;
    size_t userdata_len;
    struct metadata md;         /* The pipeline's metadata. */
};

static bool decode_framing_fast(const struct ofp_header *, struct framing *);
static char *decode_framing_general(const struct ofp_header *,
                                    struct framing *,
                                    struct ofputil_packet_in *);
static char *decode_userdata(const struct framing *, enum sp_opcode *);
static char *decode_metadata(const struct framing *, struct sp_packet_in *);
static void extract_flow(struct sp_packet_in *, const struct metadata *,
                         struct dp_packet *);
static void put_metadata(struct flow *, const struct metadata *);
static bool extract_flow_partial(struct sp_packet_in *,
                                 const struct metadata *,
                                 struct dp_packet *);
static char *check_packet(struct sp_packet_in *, const struct dp_packet *);
static char *check_ipv6(const struct sp_packet_in *,
                        const struct dp_packet *,
                        struct ovs_16aligned_ip6_hdr *);
static char *check_ipv4(const struct sp_packet_in *,
                        const struct dp_packet *, struct ip_header *,
                        const uint8_t **payload, size_t *payload_len);
static char *check_arp(const struct sp_packet_in *,
                       const struct dp_packet *, struct arp_eth_header *);
static char *check_dhcp(struct sp_packet_in *, const struct dp_packet *);
static const uint8_t *l3_bytes(const struct dp_packet *, size_t *len);

/* Returns the name of 'opcode' ("policy_miss"...), or NULL if it is not an
 * opcode. */
const char *
sp_opcode_to_string(enum sp_opcode opcode)
{
    switch (opcode) {
#define SP_OPCODE(ENUM, VALUE, NAME) case SP_##ENUM: return NAME;
        SP_OPCODES
#undef SP_OPCODE
    }
    return NULL;
}

/* Stores in '*opcode' the opcode named 's'; returns false (leaving
 * '*opcode' alone) if there is none. */
bool
sp_opcode_from_string(const char *s, enum sp_opcode *opcode)
{
#define SP_OPCODE(ENUM, VALUE, NAME)            \
    if (!strcmp(s, NAME)) {                     \
        *opcode = SP_##ENUM;                    \
        return true;                            \
    }
    SP_OPCODES
#undef SP_OPCODE
    return false;
}

/* Appends to 's' "controller(userdata=64.74.01.OP)" for 'opcode', which
 * must be an opcode.  The controller action sends the whole packet
 * (max_len defaults to 65535) and, because it has userdata, only in
 * NXT_PACKET_IN2 messages. */
void
sp_put_controller_action(struct ds *s, enum sp_opcode opcode)
{
    ovs_assert(sp_opcode_to_string(opcode));
    ds_put_format(s, "controller(userdata=%02x.%02x.%02x.%02x)",
                  SP_MAGIC0, SP_MAGIC1, SP_VERSION, (unsigned int) opcode);
}

/* Decodes and validates the packet-in 'oh' into '*pin' (on error it holds
 * nothing useful).  On success 'pin->packet' points into 'oh', which must
 * outlive the use of '*pin'.  Increments exactly one coverage counter per
 * call. */
char *
sp_decode_packet_in(const struct ofp_header *oh, struct sp_packet_in *pin)
{
    /* Only what comes before 'flow', which extract_flow() writes whole;
     * 'dhcp' and 'igmp' are written by the parsers of their opcodes.  At
     * over a kilobyte, clearing all of '*pin' would be a good part of the
     * cost of a message. */
    memset(pin, 0, offsetof(struct sp_packet_in, flow));

    struct framing f;
    struct ofputil_packet_in opin;  /* For Open vSwitch's decoder. */
    if (!sp_fast_framing || !decode_framing_fast(oh, &f)) {
        COVERAGE_INC(slowpath_general_framing);
        char *error = decode_framing_general(oh, &f, &opin);
        if (error) {
            COVERAGE_INC(slowpath_bad_message);
            return error;
        }
    }

    /* Userdata first: only with an opcode do the other errors have a name
     * to go with them. */
    char *error = decode_userdata(&f, &pin->opcode);
    if (error) {
        return error;
    }
    const char *name = sp_opcode_to_string(pin->opcode);

    /* A controller action sends OFPR_ACTION, except in a table-miss flow
     * (priority 0, matching everything), where OVS makes it an explicit
     * miss: OFPR_NO_MATCH on the wire for OpenFlow 1.3 and later. */
    if (f.reason != OFPR_ACTION && f.reason != OFPR_NO_MATCH) {
        char reasonbuf[OFPUTIL_PACKET_IN_REASON_BUFSIZE];
        COVERAGE_INC(slowpath_bad_message);
        return xasprintf("%s: unexpected packet-in reason %s", name,
                         ofputil_packet_in_reason_to_string(
                             f.reason, reasonbuf, sizeof reasonbuf));
    }

    error = decode_metadata(&f, pin);
    if (error) {
        COVERAGE_INC(slowpath_bad_message);
        return error;
    }

    if (f.buffer_id != UINT32_MAX) {
        COVERAGE_INC(slowpath_truncated);
        return xasprintf("%s: packet buffered in the switch (buffer_id "
                         "%"PRIu32"), not sent whole", name, f.buffer_id);
    }
    if (f.total_len != f.packet_len) {
        COVERAGE_INC(slowpath_truncated);
        return xasprintf("%s: truncated packet: %"PRIuSIZE" of %"PRIuSIZE
                         " bytes", name, f.packet_len, f.total_len);
    }
    if (f.packet_len < ETH_HEADER_LEN) {
        COVERAGE_INC(slowpath_bad_packet);
        return xasprintf("%s: packet too short for an Ethernet header "
                         "(%"PRIuSIZE" bytes)", name, f.packet_len);
    }
    pin->packet = f.packet;
    pin->packet_len = f.packet_len;

    struct dp_packet packet;
    if (pin->opcode != SP_POLICY_MISS
        || !extract_flow_partial(pin, &f.md, &packet)) {
        extract_flow(pin, &f.md, &packet);
    }

    error = check_packet(pin, &packet);
    if (error) {
        COVERAGE_INC(slowpath_bad_packet);
        return error;
    }

    COVERAGE_INC(slowpath_packet_in);
    return NULL;
}

/* Parses the BOOTP header, the DHCP magic cookie and the options of the
 * 'len' bytes at 'payload' into '*dhcp' (zeroed first).  Accepts plain
 * BOOTP (no option 53: 'msg_type' 0), tolerates a missing end option, and
 * ignores options it does not need, including option 52 (overload): a
 * message type hidden in 'sname' or 'file' is not found. */
char *
sp_parse_dhcp(const void *payload, size_t len, struct sp_dhcp *dhcp)
{
    const uint8_t *bytes = payload;
    struct dhcp_header h;

    memset(dhcp, 0, sizeof *dhcp);
    if (len < DHCP_HEADER_LEN) {
        return xasprintf("BOOTP header truncated (%"PRIuSIZE" of %d bytes)",
                         len, DHCP_HEADER_LEN);
    }
    memcpy(&h, bytes, sizeof h);
    if (h.op != DHCP_OP_REQUEST && h.op != DHCP_OP_REPLY) {
        return xasprintf("bad BOOTP op %"PRIu8" (expected 1 or 2)", h.op);
    }
    if (h.htype != ARP_HRD_ETHERNET || h.hlen != ETH_ADDR_LEN) {
        return xasprintf("BOOTP hardware type %"PRIu8", address length "
                         "%"PRIu8" is not Ethernet (1, 6)", h.htype, h.hlen);
    }
    if (len < SP_DHCP_OPTIONS_OFS) {
        return xasprintf("DHCP magic cookie missing (%"PRIuSIZE" bytes)",
                         len);
    }
    ovs_be32 cookie;
    memcpy(&cookie, &bytes[DHCP_HEADER_LEN], sizeof cookie);
    if (cookie != htonl(DHCP_MAGIC_COOKIE)) {
        return xasprintf("bad DHCP magic cookie "IP_FMT" (expected "
                         "99.130.83.99)", IP_ARGS(cookie));
    }

    dhcp->op = h.op;
    dhcp->xid = h.xid;
    dhcp->broadcast = (h.flags & htons(SP_DHCP_FLAG_BROADCAST)) != 0;
    dhcp->ciaddr = h.ciaddr;
    dhcp->yiaddr = h.yiaddr;
    memcpy(dhcp->chaddr.ea, h.chaddr, ETH_ADDR_LEN);

    bool have_msg_type = false;
    bool have_server_id = false;
    size_t ofs = SP_DHCP_OPTIONS_OFS;
    while (ofs < len) {
        uint8_t code = bytes[ofs];
        if (code == DHCP_OPT_PAD) {
            ofs++;
            continue;
        } else if (code == DHCP_OPT_END) {
            break;
        }
        if (len - ofs < 2 || bytes[ofs + 1] > len - ofs - 2) {
            return xasprintf("DHCP option %"PRIu8" overruns the packet",
                             code);
        }
        uint8_t opt_len = bytes[ofs + 1];
        const uint8_t *value = &bytes[ofs + 2];

        if (code == DHCP_OPT_MSG_TYPE) {
            if (have_msg_type) {
                return xstrdup("DHCP option 53 (message type) appears "
                               "twice");
            } else if (opt_len != 1) {
                return xasprintf("DHCP option 53 (message type) has length "
                                 "%"PRIu8" (expected 1)", opt_len);
            } else if (!value[0]) {
                return xstrdup("DHCP message type 0 is invalid");
            }
            dhcp->msg_type = value[0];
            have_msg_type = true;
        } else if (code == SP_DHCP_OPT_SERVER_ID) {
            if (have_server_id) {
                return xstrdup("DHCP option 54 (server identifier) appears "
                               "twice");
            } else if (opt_len != 4) {
                return xasprintf("DHCP option 54 (server identifier) has "
                                 "length %"PRIu8" (expected 4)", opt_len);
            }
            memcpy(&dhcp->server_id, value, sizeof dhcp->server_id);
            have_server_id = true;
        }
        ofs += 2 + opt_len;
    }
    return NULL;
}

/* Returns a new NXT_PACKET_IN2 for 'protocol' that looks like the one
 * ovs-vswitchd sends for "controller(userdata=64.74.01.OP)" with
 * 'opcode', which must be an opcode.  The message is the caller's to
 * free; it does not point to 'packet'. */
struct ofpbuf *
sp_encode_packet_in(enum ofputil_protocol protocol, enum sp_opcode opcode,
                    uint8_t table_id, ovs_be64 cookie, ofp_port_t in_port,
                    uint32_t vni, uint32_t domain, ovs_be64 tun_id,
                    ovs_be32 tun_src, const void *packet, size_t len)
{
    uint8_t userdata[SP_USERDATA_LEN] = {
        SP_MAGIC0, SP_MAGIC1, SP_VERSION, opcode
    };
    struct ofputil_packet_in_private pin;

    ovs_assert(sp_opcode_to_string(opcode));
    memset(&pin, 0, sizeof pin);
    pin.base.packet = CONST_CAST(void *, packet);
    pin.base.packet_len = len;
    pin.base.reason = OFPR_ACTION;
    pin.base.table_id = table_id;
    pin.base.cookie = cookie;
    pin.base.userdata = userdata;
    pin.base.userdata_len = sizeof userdata;

    struct match *md = &pin.base.flow_metadata;
    match_init_catchall(md);
    match_set_in_port(md, in_port);
    if (vni) {
        match_set_metadata(md, htonll(vni));
    }
    if (domain) {
        match_set_reg(md, PL_DOMAIN_REG, domain);
    }
    if (tun_src) {
        match_set_tun_id(md, tun_id);
        match_set_tun_src(md, tun_src);
    }

    struct ofpbuf *msg = ofputil_encode_packet_in_private(
        &pin, protocol, OFPUTIL_PACKET_IN_NXT2);

    /* The message's length field is 16 bits wide. */
    ovs_assert(msg->size <= UINT16_MAX);
    return msg;
}

/* The values at 'p', in network byte order, which may be unaligned. */
static uint16_t
read_be16(const void *p)
{
    ovs_be16 v;
    memcpy(&v, p, sizeof v);
    return ntohs(v);
}

static uint32_t
read_be32(const void *p)
{
    ovs_be32 v;
    memcpy(&v, p, sizeof v);
    return ntohl(v);
}

static uint64_t
read_be64(const void *p)
{
    ovs_be64 v;
    memcpy(&v, p, sizeof v);
    return ntohll(v);
}

/* The metadata fields decode_framing_fast() reads: an OXM or NXM header
 * (class, field, no mask, length) and where its value goes. */
#define FAST_OXM(CLASS, FIELD, LEN) \
    (((uint32_t) (CLASS) << 16) | ((FIELD) << 9) | (LEN))
#define FAST_OXM_W(CLASS, FIELD, LEN) (FAST_OXM(CLASS, FIELD, 2 * (LEN)) \
                                       | 0x100)
#define FAST_IN_PORT FAST_OXM(0x8000, 0, 4)     /* OXM_OF_IN_PORT */
#define FAST_METADATA FAST_OXM(0x8000, 2, 8)    /* OXM_OF_METADATA */
#define FAST_TUNNEL_ID FAST_OXM(0x8000, 38, 8)  /* OXM_OF_TUNNEL_ID */
#define FAST_XREG0 FAST_OXM(0x8001, 0, 8)       /* OXM_OF_PKT_REG0... */
#define FAST_XREG0_W FAST_OXM_W(0x8001, 0, 8)   /* ...masked (OF1.5) */
#define FAST_REG0 FAST_OXM(0x0001, 0, 4)        /* NXM_NX_REG0... */
#define FAST_TUN_ID FAST_OXM(0x0001, 16, 8)     /* NXM_NX_TUN_ID */
#define FAST_TUN_SRC FAST_OXM(0x0001, 31, 4)    /* NXM_NX_TUN_IPV4_SRC */
#define FAST_TUN_DST FAST_OXM(0x0001, 32, 4)    /* NXM_NX_TUN_IPV4_DST */

/* If 'header' is field 'base' + N (for N below 'n', fields numbered in
 * steps of one), returns N, otherwise -1. */
static int
fast_oxm_index(uint32_t header, uint32_t base, int n)
{
    uint32_t d = header - base;
    return header >= base && !(d & 0x1ff) && (d >> 9) < n ? d >> 9 : -1;
}

/* Reads the 'len' bytes of OXM match at 'p' into 'md' (which the caller
 * zeroed), as
 * Open vSwitch's oxm_decode_match() would into a match's flow, if each of
 * its entries is one of the fields above with a value Open vSwitch accepts
 * as is, none set twice.  Returns false otherwise. */
static bool
decode_metadata_fast(const uint8_t *p, size_t len, struct metadata *md)
{
    /* What is set so far, as in a match's wildcards: Open vSwitch refuses
     * a field whose bits are already matched (OFPBMC_DUP_FIELD). */
    uint32_t reg_masks[FLOW_N_REGS] = { 0 };
    bool in_port = false, metadata = false, tun_id = false;
    bool tun_src = false, tun_dst = false;

    while (len) {
        if (len < 4) {
            return false;
        }
        uint32_t header = read_be32(p);
        size_t value_len = header & 0xff;
        if (len < 4 + value_len) {
            return false;
        }
        const uint8_t *value = p + 4;
        bool *seen = NULL;
        int idx;

        if (header == FAST_IN_PORT) {
            uint32_t port = read_be32(value);
            if (port >= ofp_to_u16(OFPP_MAX)) {
                return false;   /* OVS maps or refuses a reserved port. */
            }
            md->in_port.ofp_port = u16_to_ofp(port);
            seen = &in_port;
        } else if (header == FAST_METADATA) {
            md->metadata = htonll(read_be64(value));
            seen = &metadata;
        } else if ((idx = fast_oxm_index(header, FAST_REG0,
                                         FLOW_N_REGS)) >= 0) {
            if (reg_masks[idx]) {
                return false;
            }
            md->regs[idx] = read_be32(value);
            reg_masks[idx] = UINT32_MAX;
        } else if ((idx = fast_oxm_index(header, FAST_XREG0,
                                         FLOW_N_XREGS)) >= 0
                   || (idx = fast_oxm_index(header, FAST_XREG0_W,
                                            FLOW_N_XREGS)) >= 0) {
            /* Two registers, the first in the high bits. */
            uint64_t x = read_be64(value);
            uint64_t mask = (header & 0x100 ? read_be64(value + 8)
                             : UINT64_MAX);
            if (reg_masks[2 * idx] || reg_masks[2 * idx + 1]
                || x & ~mask) {
                return false;   /* Twice, or OFPBMC_BAD_WILDCARDS. */
            }
            md->regs[2 * idx] = x >> 32;
            md->regs[2 * idx + 1] = x;
            reg_masks[2 * idx] = mask >> 32;
            reg_masks[2 * idx + 1] = mask;
        } else if (header == FAST_TUN_ID || header == FAST_TUNNEL_ID) {
            md->tun_id = htonll(read_be64(value));
            seen = &tun_id;
        } else if (header == FAST_TUN_SRC) {
            md->tun_src = htonl(read_be32(value));
            seen = &tun_src;
        } else if (header == FAST_TUN_DST) {
            md->tun_dst = htonl(read_be32(value));
            seen = &tun_dst;
        } else {
            return false;
        }
        if (seen) {
            if (*seen) {
                return false;
            }
            *seen = true;
        }
        p += 4 + value_len;
        len -= 4 + value_len;
    }
    return true;
}

/* Reads 'oh' into '*f' as Open vSwitch's
 * decoder would, if it is an NXT_PACKET_IN2 of the kind dovetail's
 * pipeline sends (see the comment at the top).  Returns false, having
 * decided nothing, for anything else. */
static bool
decode_framing_fast(const struct ofp_header *oh, struct framing *f)
{
    /* ofp_header, experimenter (vendor) id, subtype: 16 bytes, then
     * properties padded to 8 bytes each. */
    const uint8_t *msg = (const uint8_t *) oh;
    size_t len = ntohs(oh->length);
    if (oh->version < OFP10_VERSION || oh->version > OFP15_VERSION
        || oh->type != 4 /* OFPT_VENDOR, OFPT_EXPERIMENTER */
        || len < 16 || (len - 16) % 8
        || read_be32(msg + 8) != NX_VENDOR_ID
        || read_be32(msg + 12) != 30 /* NXT_PACKET_IN2 */) {
        return false;
    }

    memset(f, 0, sizeof *f);
    f->cookie = OVS_BE64_MAX;
    f->buffer_id = UINT32_MAX;

    bool has_metadata = false;
    for (size_t ofs = 16; ofs < len; ) {
        if (len - ofs < 4) {
            return false;
        }
        uint16_t type = read_be16(msg + ofs);
        size_t prop_len = read_be16(msg + ofs + 2);
        if (prop_len < 4 || ROUND_UP(prop_len, 8) > len - ofs) {
            return false;
        }
        const uint8_t *value = msg + ofs + 4;
        size_t value_len = prop_len - 4;

        switch (type) {
        case NXPINT_PACKET:
            f->packet = value;
            f->packet_len = value_len;
            break;
        case NXPINT_FULL_LEN:
        case NXPINT_BUFFER_ID:
            if (value_len != 4) {
                return false;
            }
            if (type == NXPINT_FULL_LEN) {
                f->total_len = read_be32(value);
            } else {
                f->buffer_id = read_be32(value);
            }
            break;
        case NXPINT_TABLE_ID:
        case NXPINT_REASON:
            if (!value_len) {
                return false;
            }
            if (type == NXPINT_TABLE_ID) {
                f->table_id = value[0];
            } else {
                f->reason = value[0];
            }
            break;
        case NXPINT_COOKIE:
            /* 4 bytes of padding to align the value. */
            if (value_len != 12) {
                return false;
            }
            f->cookie = htonll(read_be64(value + 4));
            break;
        case NXPINT_METADATA:
            if (has_metadata
                || !decode_metadata_fast(value, value_len, &f->md)) {
                return false;
            }
            has_metadata = true;
            break;
        case NXPINT_USERDATA:
            f->userdata = value;
            f->userdata_len = value_len;
            break;
        default:
            return false;
        }
        ofs += ROUND_UP(prop_len, 8);
    }
    if (!f->packet_len || (f->total_len && f->total_len < f->packet_len)) {
        return false;
    } else if (!f->total_len) {
        f->total_len = f->packet_len;
    }
    return true;
}

/* Reads 'oh' into '*f' through Open vSwitch's decoder, which fills 'opin'
 * (that '*f' then points into).  Returns NULL or an error text. */
static char *
decode_framing_general(const struct ofp_header *oh, struct framing *f,
                       struct ofputil_packet_in *opin)
{
    enum ofptype type;
    enum ofperr ofperr = ofptype_decode(&type, oh);
    if (ofperr) {
        return xasprintf("undecodable OpenFlow message (%s)",
                         ofperr_to_string(ofperr));
    }
    if (type != OFPTYPE_PACKET_IN) {
        return xasprintf("not a packet-in (%s)", ofptype_get_name(type));
    }

    ofperr = ofputil_decode_packet_in(oh, true, NULL, NULL, opin,
                                      &f->total_len, &f->buffer_id, NULL);
    if (ofperr) {
        return xasprintf("malformed packet-in (%s)",
                         ofperr_to_string(ofperr));
    }
    f->packet = opin->packet;
    f->packet_len = opin->packet_len;
    f->reason = opin->reason;
    f->table_id = opin->table_id;
    f->cookie = opin->cookie;
    f->userdata = opin->userdata;
    f->userdata_len = opin->userdata_len;

    const struct flow *md = &opin->flow_metadata.flow;
    f->md.in_port = md->in_port;
    f->md.metadata = md->metadata;
    memcpy(f->md.regs, md->regs, sizeof f->md.regs);
    f->md.tun_id = md->tunnel.tun_id;
    f->md.tun_src = md->tunnel.ip_src;
    f->md.tun_dst = md->tunnel.ip_dst;
    return NULL;
}

/* Checks the userdata of 'f' and stores its opcode in '*opcode'. */
static char *
decode_userdata(const struct framing *f, enum sp_opcode *opcode)
{
    const uint8_t *userdata = f->userdata;

    if (!userdata || !f->userdata_len) {
        COVERAGE_INC(slowpath_bad_userdata);
        return xstrdup("packet-in without userdata (not from a dovetail "
                       "controller action)");
    }
    if (f->userdata_len != SP_USERDATA_LEN) {
        COVERAGE_INC(slowpath_bad_userdata);
        return xasprintf("userdata has %"PRIuSIZE" bytes (expected %d)",
                         f->userdata_len, SP_USERDATA_LEN);
    }
    if (userdata[0] != SP_MAGIC0 || userdata[1] != SP_MAGIC1) {
        COVERAGE_INC(slowpath_bad_userdata);
        return xasprintf("bad userdata magic %02"PRIx8".%02"PRIx8
                         " (expected %02x.%02x, \"dt\")",
                         userdata[0], userdata[1], SP_MAGIC0, SP_MAGIC1);
    }
    if (userdata[2] != SP_VERSION) {
        COVERAGE_INC(slowpath_bad_userdata);
        return xasprintf("unsupported userdata version %"PRIu8
                         " (expected %d)", userdata[2], SP_VERSION);
    }
    if (!sp_opcode_to_string(userdata[3])) {
        COVERAGE_INC(slowpath_unknown_opcode);
        return xasprintf("unknown opcode %"PRIu8, userdata[3]);
    }
    *opcode = userdata[3];
    return NULL;
}

/* Copies the pipeline's metadata from 'f' into 'pin', whose opcode is
 * set. */
static char *
decode_metadata(const struct framing *f, struct sp_packet_in *pin)
{
    const struct metadata *md = &f->md;
    uint64_t metadata = ntohll(md->metadata);

    if (metadata > UINT32_MAX) {
        return xasprintf("%s: metadata 0x%"PRIx64" is not a VNI",
                         sp_opcode_to_string(pin->opcode), metadata);
    }
    pin->table_id = f->table_id;
    pin->cookie = f->cookie;
    pin->in_port = md->in_port.ofp_port;
    pin->vni = metadata;
    pin->domain = md->regs[PL_DOMAIN_REG];
    pin->tun_id = md->tun_id;
    pin->tun_src = md->tun_src;
    return NULL;
}

/* Extracts the headers of the packet 'pin->packet' into 'pin->flow', over
 * which it initializes 'packet' (whose layer offsets the checks use), and
 * overlays the pipeline metadata 'md'. */
static void
extract_flow(struct sp_packet_in *pin, const struct metadata *md,
             struct dp_packet *packet)
{
    dp_packet_use_const(packet, pin->packet, pin->packet_len);
    packet->md.in_port.ofp_port = md->in_port.ofp_port;
    flow_extract(packet, &pin->flow);
    put_metadata(&pin->flow, md);
    pin->flow_partial = false;
}

/* Overlays the pipeline metadata 'md' on 'flow'. */
static void
put_metadata(struct flow *flow, const struct metadata *md)
{
    flow->in_port = md->in_port;
    flow->metadata = md->metadata;
    memcpy(flow->regs, md->regs, sizeof flow->regs);
    flow->tunnel.tun_id = md->tun_id;
    flow->tunnel.ip_src = md->tun_src;
    flow->tunnel.ip_dst = md->tun_dst;
}

/* extract_flow(), partly, for a packet whose L3 header follows an
 * untagged Ethernet header, as in every policy miss from a VM: sets in
 * 'pin->flow' only the metadata and the Ethernet header, leaving the rest
 * as it was (check_packet() adds the IP addresses), and over 'pin->packet'
 * initializes 'packet' with the L3 offset that flow_extract() would have
 * set.  Returns false, doing nothing, for any other packet.
 *
 * flow_extract() is most of the cost of decoding a policy miss, and the
 * policy cache reads nothing of the flow but the destination address.
 * Zeroing the rest of the flow, 11 cache lines a packet-in, was a third of
 * what remained (Documentation/performance.rst, item 28). */
static bool
extract_flow_partial(struct sp_packet_in *pin, const struct metadata *md,
                     struct dp_packet *packet)
{
    struct eth_header eth;

    ovs_assert(pin->packet_len >= sizeof eth);
    memcpy(&eth, pin->packet, sizeof eth);
    if (eth.eth_type != htons(ETH_TYPE_IP)
        && eth.eth_type != htons(ETH_TYPE_IPV6)) {
        return false;
    }

    put_metadata(&pin->flow, md);
    pin->flow.dl_dst = eth.eth_dst;
    pin->flow.dl_src = eth.eth_src;
    pin->flow.dl_type = eth.eth_type;
    pin->flow_partial = true;

    dp_packet_use_const(packet, pin->packet, pin->packet_len);
    packet->l3_ofs = sizeof eth;
    return true;
}

void
sp_complete_flow(struct sp_packet_in *pin)
{
    if (pin->flow_partial) {
        const struct flow *flow = &pin->flow;
        struct metadata md = {
            .in_port = flow->in_port,
            .metadata = flow->metadata,
            .tun_id = flow->tunnel.tun_id,
            .tun_src = flow->tunnel.ip_src,
            .tun_dst = flow->tunnel.ip_dst,
        };
        memcpy(md.regs, flow->regs, sizeof md.regs);

        struct dp_packet packet;
        extract_flow(pin, &md, &packet);
    }
}

/* Checks that the packet of 'pin' is what its opcode expects. */
static char *
check_packet(struct sp_packet_in *pin, const struct dp_packet *packet)
{
    const char *name = sp_opcode_to_string(pin->opcode);
    struct arp_eth_header arp;

    switch (pin->opcode) {
    case SP_POLICY_MISS: {
        if (pin->flow.dl_type == htons(ETH_TYPE_IPV6)) {
            struct ovs_16aligned_ip6_hdr ip6;
            memset(&ip6, 0, sizeof ip6);
            char *error = check_ipv6(pin, packet, &ip6);
            if (!error && pin->flow_partial) {
                /* As flow_extract() does for a header that passes the
                 * checks. */
                memcpy(&pin->flow.ipv6_src, &ip6.ip6_src,
                       sizeof pin->flow.ipv6_src);
                memcpy(&pin->flow.ipv6_dst, &ip6.ip6_dst,
                       sizeof pin->flow.ipv6_dst);
            }
            return error;
        }
        struct ip_header ip;
        const uint8_t *payload;
        size_t payload_len;
        char *error = check_ipv4(pin, packet, &ip, &payload, &payload_len);
        if (!error && pin->flow_partial) {
            pin->flow.nw_src = get_16aligned_be32(&ip.ip_src);
            pin->flow.nw_dst = get_16aligned_be32(&ip.ip_dst);
        }
        return error;
    }

    case SP_ARP_MISS: {
        char *error = check_arp(pin, packet, &arp);
        if (!error && arp.ar_op != htons(ARP_OP_REQUEST)) {
            error = xasprintf("%s: not an ARP request (op %"PRIu16")",
                              name, ntohs(arp.ar_op));
        }
        return error;
    }

    case SP_LEARN_ADDRESS: {
        char *error = check_arp(pin, packet, &arp);
        if (!error && arp.ar_op != htons(ARP_OP_REQUEST)
            && arp.ar_op != htons(ARP_OP_REPLY)) {
            error = xasprintf("%s: not an ARP request or reply "
                              "(op %"PRIu16")", name, ntohs(arp.ar_op));
        }
        return error;
    }

    case SP_LOCATION:
        return NULL;

    case SP_LEARN:
        if (eth_addr_is_multicast(pin->flow.dl_src)) {
            return xasprintf("%s: source MAC "ETH_ADDR_FMT" is not unicast",
                             name, ETH_ADDR_ARGS(pin->flow.dl_src));
        } else if (eth_addr_is_zero(pin->flow.dl_src)) {
            return xasprintf("%s: source MAC is all-zeros", name);
        }
        return NULL;

    case SP_DHCP_REQUEST:
    case SP_DHCP_REPLY:
        return check_dhcp(pin, packet);

    case SP_IGMP: {
        struct ip_header ip;
        const uint8_t *payload;
        size_t payload_len;
        char *error = check_ipv4(pin, packet, &ip, &payload, &payload_len);
        if (!error && ip.ip_proto != IPPROTO_IGMP) {
            error = xasprintf("%s: not an IGMP packet (IP protocol %"PRIu8
                              ")", name, ip.ip_proto);
        } else if (!error && IP_IS_FRAGMENT(ip.ip_frag_off)) {
            error = xasprintf("%s: IPv4 fragment", name);
        }
        if (!error) {
            char *e = sp_parse_igmp(payload, payload_len, &pin->igmp);
            if (e) {
                error = xasprintf("%s: %s", name, e);
                free(e);
            }
        }
        return error;
    }
    case SP_SARP:
        if (pin->flow.dl_type == htons(ETH_TYPE_ARP)) {
            return check_arp(pin, packet, &arp);
        } else {
            struct ip_header ip;
            const uint8_t *payload;
            size_t payload_len;
            return check_ipv4(pin, packet, &ip, &payload, &payload_len);
        }
    }
    OVS_NOT_REACHED();
}

char *
sp_parse_igmp(const void *payload_, size_t len, struct sp_igmp *igmp)
{
    const uint8_t *payload = payload_;

    memset(igmp, 0, sizeof *igmp);
    if (len < 8) {
        return xasprintf("IGMP message truncated (%"PRIuSIZE" of 8 bytes)",
                         len);
    }

    uint8_t type = payload[0];
    ovs_be32 group = get_16aligned_be32(
        ALIGNED_CAST(const ovs_16aligned_be32 *, payload + 4));
    if (type == 0x12 || type == 0x16 || type == 0x17) {
        /* v1 or v2 report, v2 leave. */
        if (!ip_is_multicast(group)) {
            return xasprintf("IGMP type %#"PRIx8": group "IP_FMT" is not "
                             "multicast", type, IP_ARGS(group));
        }
        igmp->groups[0] = group;
        igmp->joins[0] = type != 0x17;
        igmp->n = 1;
    } else if (type == 0x22) {
        /* v3 report: group records after the 8-byte header, each 8 bytes
         * plus its sources and auxiliary data. */
        size_t n_records = (payload[6] << 8) | payload[7];
        size_t ofs = 8;
        for (size_t i = 0; i < n_records; i++) {
            if (len - ofs < 8) {
                return xasprintf("IGMPv3 record %"PRIuSIZE" truncated", i);
            }
            const uint8_t *r = payload + ofs;
            size_t n_sources = (r[2] << 8) | r[3];
            size_t rlen = 8 + 4 * n_sources + 4 * r[1];
            if (len - ofs < rlen) {
                return xasprintf("IGMPv3 record %"PRIuSIZE" truncated", i);
            }
            group = get_16aligned_be32(
                ALIGNED_CAST(const ovs_16aligned_be32 *, r + 4));
            if (!ip_is_multicast(group)) {
                return xasprintf("IGMPv3 record %"PRIuSIZE": group "IP_FMT
                                 " is not multicast", i, IP_ARGS(group));
            }
            /* MODE_IS_INCLUDE (1) and CHANGE_TO_INCLUDE_MODE (3) with no
             * source: left; any EXCLUDE (2, 4) or ALLOW_NEW_SOURCES (5):
             * joined; BLOCK_OLD_SOURCES (6) changes nothing here. */
            bool join = r[0] == 2 || r[0] == 4 || r[0] == 5
                        || ((r[0] == 1 || r[0] == 3) && n_sources);
            bool leave = (r[0] == 1 || r[0] == 3) && !n_sources;
            if ((join || leave) && igmp->n < SP_IGMP_MAX_GROUPS) {
                igmp->groups[igmp->n] = group;
                igmp->joins[igmp->n++] = join;
            }
            ofs += rlen;
        }
    }
    return NULL;
}

/* Checks that 'packet' (an IPv6 packet, as the flow says) has a whole
 * IPv6 header whose version is 6 and whose payload length fits in the
 * bytes present. */
static char *
check_ipv6(const struct sp_packet_in *pin, const struct dp_packet *packet,
           struct ovs_16aligned_ip6_hdr *ip6p)
{
    const char *name = sp_opcode_to_string(pin->opcode);
    size_t len;
    const uint8_t *l3 = l3_bytes(packet, &len);
    struct ovs_16aligned_ip6_hdr ip6;

    if (len < sizeof ip6) {
        return xasprintf("%s: IPv6 header truncated (%"PRIuSIZE" of "
                         "%"PRIuSIZE" bytes)", name, len, sizeof ip6);
    }
    memcpy(&ip6, l3, sizeof ip6);
    *ip6p = ip6;
    ovs_be32 flow = get_16aligned_be32(&ip6.ip6_ctlun.ip6_un1.ip6_un1_flow);
    int version = ntohl(flow) >> 28;
    if (version != 6) {
        return xasprintf("%s: IP version %d in an IPv6 packet", name,
                         version);
    }
    size_t plen = ntohs(ip6.ip6_ctlun.ip6_un1.ip6_un1_plen);
    if (plen > len - sizeof ip6) {
        return xasprintf("%s: IPv6 payload length %"PRIuSIZE" does not fit "
                         "the packet (%"PRIuSIZE" bytes after the header)",
                         name, plen, len - sizeof ip6);
    }
    return NULL;
}

/* Checks that 'packet' is an IPv4 packet whose header (copied into '*ip')
 * and total length fit in the bytes present; points '*payload' to the
 * '*payload_len' bytes of IP payload (without Ethernet padding). */
static char *
check_ipv4(const struct sp_packet_in *pin, const struct dp_packet *packet,
           struct ip_header *ip, const uint8_t **payload,
           size_t *payload_len)
{
    const char *name = sp_opcode_to_string(pin->opcode);

    if (pin->flow.dl_type != htons(ETH_TYPE_IP)) {
        return xasprintf("%s: not an IPv4 packet (dl_type 0x%04"PRIx16")",
                         name, ntohs(pin->flow.dl_type));
    }

    size_t len;
    const uint8_t *l3 = l3_bytes(packet, &len);
    if (len < IP_HEADER_LEN) {
        return xasprintf("%s: IPv4 header truncated (%"PRIuSIZE" of %d "
                         "bytes)", name, len, IP_HEADER_LEN);
    }
    memcpy(ip, l3, sizeof *ip);
    if (IP_VER(ip->ip_ihl_ver) != 4) {
        return xasprintf("%s: IP version %d in an IPv4 packet", name,
                         IP_VER(ip->ip_ihl_ver));
    }

    size_t ihl = IP_IHL(ip->ip_ihl_ver) * 4;
    if (ihl < IP_HEADER_LEN) {
        return xasprintf("%s: bad IPv4 header length %"PRIuSIZE" bytes",
                         name, ihl);
    } else if (ihl > len) {
        return xasprintf("%s: IPv4 header truncated (%"PRIuSIZE" of "
                         "%"PRIuSIZE" bytes)", name, len, ihl);
    }

    size_t tot_len = ntohs(ip->ip_tot_len);
    if (tot_len < ihl || tot_len > len) {
        return xasprintf("%s: IPv4 total length %"PRIuSIZE" does not fit "
                         "header (%"PRIuSIZE") and packet (%"PRIuSIZE
                         " bytes)", name, tot_len, ihl, len);
    }
    *payload = l3 + ihl;
    *payload_len = tot_len - ihl;
    return NULL;
}

/* Checks that 'packet' is a complete Ethernet/IPv4 ARP packet, copied into
 * '*arp'. */
static char *
check_arp(const struct sp_packet_in *pin, const struct dp_packet *packet,
          struct arp_eth_header *arp)
{
    const char *name = sp_opcode_to_string(pin->opcode);

    if (pin->flow.dl_type != htons(ETH_TYPE_ARP)) {
        return xasprintf("%s: not an ARP packet (dl_type 0x%04"PRIx16")",
                         name, ntohs(pin->flow.dl_type));
    }

    size_t len;
    const uint8_t *l3 = l3_bytes(packet, &len);
    if (len < ARP_ETH_HEADER_LEN) {
        return xasprintf("%s: ARP packet truncated (%"PRIuSIZE" of %d "
                         "bytes)", name, len, ARP_ETH_HEADER_LEN);
    }
    memcpy(arp, l3, sizeof *arp);
    if (arp->ar_hrd != htons(ARP_HRD_ETHERNET)
        || arp->ar_pro != htons(ETH_TYPE_IP)
        || arp->ar_hln != ETH_ADDR_LEN || arp->ar_pln != 4) {
        return xasprintf("%s: not an Ethernet/IPv4 ARP packet (hardware "
                         "type %"PRIu16", protocol 0x%04"PRIx16", address "
                         "lengths %"PRIu8"/%"PRIu8")", name,
                         ntohs(arp->ar_hrd), ntohs(arp->ar_pro),
                         arp->ar_hln, arp->ar_pln);
    }
    return NULL;
}

/* Checks that 'packet' is a DHCP message in the direction of 'pin''s
 * opcode and parses it into 'pin->dhcp'. */
static char *
check_dhcp(struct sp_packet_in *pin, const struct dp_packet *packet)
{
    const char *name = sp_opcode_to_string(pin->opcode);
    bool request = pin->opcode == SP_DHCP_REQUEST;
    uint16_t src_port = request ? DHCP_CLIENT_PORT : DHCP_SERVER_PORT;
    uint16_t dst_port = request ? DHCP_SERVER_PORT : DHCP_CLIENT_PORT;
    uint8_t op = request ? DHCP_OP_REQUEST : DHCP_OP_REPLY;

    struct ip_header ip;
    const uint8_t *l4;
    size_t l4_len;
    char *error = check_ipv4(pin, packet, &ip, &l4, &l4_len);
    if (error) {
        return error;
    }
    if (ip.ip_proto != IPPROTO_UDP) {
        return xasprintf("%s: not a UDP packet (IP protocol %"PRIu8")",
                         name, ip.ip_proto);
    }
    if (IP_IS_FRAGMENT(ip.ip_frag_off)) {
        return xasprintf("%s: IPv4 fragment", name);
    }

    struct udp_header udp;
    if (l4_len < UDP_HEADER_LEN) {
        return xasprintf("%s: UDP header truncated (%"PRIuSIZE" of %d "
                         "bytes)", name, l4_len, UDP_HEADER_LEN);
    }
    memcpy(&udp, l4, sizeof udp);
    if (udp.udp_src != htons(src_port) || udp.udp_dst != htons(dst_port)) {
        return xasprintf("%s: UDP ports %"PRIu16" -> %"PRIu16" (expected "
                         "%"PRIu16" -> %"PRIu16")", name,
                         ntohs(udp.udp_src), ntohs(udp.udp_dst),
                         src_port, dst_port);
    }

    /* Like Linux: a UDP length past the IP payload is an error, a shorter
     * one ends the datagram early. */
    size_t udp_len = ntohs(udp.udp_len);
    if (udp_len < UDP_HEADER_LEN || udp_len > l4_len) {
        return xasprintf("%s: UDP length %"PRIuSIZE" inconsistent with the "
                         "%"PRIuSIZE" bytes of IP payload", name, udp_len,
                         l4_len);
    }

    error = sp_parse_dhcp(l4 + UDP_HEADER_LEN, udp_len - UDP_HEADER_LEN,
                          &pin->dhcp);
    if (error) {
        char *full = xasprintf("%s: %s", name, error);
        free(error);
        return full;
    }
    if (pin->dhcp.op != op) {
        return xasprintf("%s: BOOTP op %"PRIu8" (expected %"PRIu8", %s)",
                         name, pin->dhcp.op, op,
                         request ? "BOOTREQUEST" : "BOOTREPLY");
    }
    return NULL;
}

/* Returns the bytes of 'packet' from its L3 header to its end (including
 * any Ethernet padding) and stores their number in '*len'. */
static const uint8_t *
l3_bytes(const struct dp_packet *packet, size_t *len)
{
    const uint8_t *l3 = dp_packet_l3(packet);

    *len = l3 ? dp_packet_size(packet) - packet->l3_ofs : 0;
    return l3;
}
