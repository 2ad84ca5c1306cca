/*
 * pcache-template: the messages the policy cache record sends for an
 * entry, copied from templates.  An entry's flow_mod, and the packet-out
 * of the packet that missed, differ from entry to entry in a few fields
 * only; each kind is encoded once per (actions, protocol, ...) by Open
 * vSwitch's encoder with sentinel values in those fields
 * (ofproto-ext/oftemplate.h), and each message is a copy with its own
 * values written in.  tests/test-pcache compares every kind with the
 * encoder's own output.  See controller/pcache.h.
 */
#include <config.h>
#include "controller/pcache.h"
#include "controller/pcache-private.h"

#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "hash.h"
#include "ofproto-ext/oftemplate.h"
#include "ofproto-ext/pipeline.h"
#include "openvswitch/hmap.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/ofp-port.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(pcache_template);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* What every message template has: the actions and protocol it was
 * encoded for and the encoding, with sentinels in the fields that differ
 * from copy to copy (ofproto-ext/oftemplate.h).  First in each kind. */
struct msg_template {
    struct hmap_node node;      /* In the hmap of its kind. */
    const char *actions;        /* Canonical action text, shared. */
    enum ofputil_protocol protocol;
    struct ofpbuf msg;          /* Encoded with the sentinels. */
};

/* Initializes 't' for 'r' and 'protocol' with encoding 'msg', which it
 * takes. */
static void
msg_template_init(struct msg_template *t, const struct pcache_result *r,
                  enum ofputil_protocol protocol, struct ofpbuf *msg)
{
    t->actions = pcache_actions_ref(r->actions);
    t->protocol = protocol;
    ofpbuf_init(&t->msg, msg->size);
    ofpbuf_put(&t->msg, msg->data, msg->size);
    ofpbuf_delete(msg);
}

/* Frees the templates in 'map', each a kind whose first member is a
 * struct msg_template. */
static void
msg_templates_clear(struct hmap *map)
{
    struct msg_template *t;

    HMAP_FOR_EACH_POP (t, node, map) {
        pcache_actions_unref(t->actions);
        ofpbuf_uninit(&t->msg);
        free(t);
    }
}

/* A flow_mod that installs an entry, encoded once per (actions, TTL,
 * protocol) with sentinel values in the fields that differ between
 * entries, and the offsets of those fields: an entry's flow_mod is a copy
 * with its values written in (see encode_install()). */
struct install_template {
    struct msg_template up;     /* In 'templates'. */
    uint32_t ttl;
    bool ipv6;                  /* An IPv6 destination (else IPv4)? */
    size_t cookie_ofs, vni_ofs, domain_ofs, dst_ofs;
};
static struct hmap templates = HMAP_INITIALIZER(&templates);

/* The usable template get_template() returned last, or NULL.  Nearly
 * every answer in a fabric whose default is deny is the same drop, and
 * finding its template in 'templates' (thousands of them, one for each
 * VM's actions) went through colder templates in its bucket first: 5% of
 * the controller's time under load (Documentation/performance.rst, item
 * 29). */
static const struct install_template *last_template;

/* Templates of each kind kept at most, then all forgotten.  The actions
 * to each VM on the switch are their own (its MAC, its port), so a switch
 * with thousands of VMs has thousands of templates: 4096 made them
 * thrash (encoded anew, a fifth of the time) at 5000 VMs a switch. */
#define TEMPLATES_MAX 65536

/* Sentinels: values no real entry's fields take together, each found
 * exactly once in the encoded template. */
#define SENTINEL_COOKIE UINT64_C(0x5ab1e7c00c1e5eed)
#define SENTINEL_VNI 0x7e3a9b1cU
#define SENTINEL_DOMAIN 0x6d0a1b2cU
#define SENTINEL_DST 0xe2d3c4b5U
static const struct in6_addr sentinel_dst6 = { { {
    0xfd, 0x5e, 0x17, 0x1e, 0xa9, 0x3c, 0x04, 0xb7,
    0x61, 0xd2, 0x8f, 0x35, 0xc0, 0x7a, 0x1b, 0xe4 } } };

static struct ofpbuf *
encode_install__(const struct pcache_key *key, uint64_t cookie,
                 const struct pcache_result *r,
                 enum ofputil_protocol protocol)
{
    struct match match;
    pcache_key_to_match(key, &match);

    struct ofputil_flow_mod fm = {
        .priority = PL_CACHE_PRIORITY,
        .new_cookie = htonll(cookie),
        .table_id = PL_POLICY,
        .command = OFPFC_ADD,
        .hard_timeout = r->ttl,
        .buffer_id = UINT32_MAX,
        .out_port = OFPP_ANY,
        .out_group = OFPG_ANY,
        .ofpacts = r->ofpacts.data,
        .ofpacts_len = r->ofpacts.size,
    };
    minimatch_init(&fm.match, &match);
    struct ofpbuf *msg = ofputil_encode_flow_mod(&fm, protocol);
    minimatch_destroy(&fm.match);
    return msg;
}

/* Returns the template for 'r' and 'protocol', making it if need be, or
 * NULL if a sentinel cannot be found in the encoding. */
static const struct install_template *
get_template(const struct pcache_result *r, enum ofputil_protocol protocol,
             bool ipv6)
{
    const struct install_template *last = last_template;
    if (last && last->up.actions == r->actions && last->ttl == r->ttl
        && last->up.protocol == protocol && last->ipv6 == ipv6) {
        return last;
    }

    uint32_t hash = hash_3words(hash_pointer(r->actions, r->ttl), protocol,
                                ipv6);
    struct install_template *t;

    HMAP_FOR_EACH_WITH_HASH (t, up.node, hash, &templates) {
        if (t->ttl == r->ttl && t->up.protocol == protocol
            && t->ipv6 == ipv6 && t->up.actions == r->actions) {
            if (t->cookie_ofs == SIZE_MAX) {
                return NULL;
            }
            last_template = t;
            return t;
        }
    }
    if (hmap_count(&templates) >= TEMPLATES_MAX) {
        last_template = NULL;
        msg_templates_clear(&templates);
    }

    struct pcache_key sentinel = {
        .vni = SENTINEL_VNI,
        .domain = SENTINEL_DOMAIN,
    };
    if (ipv6) {
        sentinel.dst = sentinel_dst6;
    } else {
        in6_addr_set_mapped_ipv4(&sentinel.dst, htonl(SENTINEL_DST));
    }
    struct ofpbuf *msg = encode_install__(&sentinel, SENTINEL_COOKIE, r,
                                          protocol);
    ovs_be64 cookie = htonll(SENTINEL_COOKIE);
    ovs_be64 vni = htonll(SENTINEL_VNI);
    ovs_be32 domain = htonl(SENTINEL_DOMAIN);
    ovs_be32 dst = htonl(SENTINEL_DST);

    t = xzalloc(sizeof *t);
    msg_template_init(&t->up, r, protocol, msg);
    t->ttl = r->ttl;
    t->ipv6 = ipv6;
    const struct ofpbuf *m = &t->up.msg;
    t->cookie_ofs = oftemplate_find_once(m, &cookie, sizeof cookie);
    t->vni_ofs = oftemplate_find_once(m, &vni, sizeof vni);
    t->domain_ofs = oftemplate_find_once(m, &domain, sizeof domain);
    t->dst_ofs = (ipv6
                  ? oftemplate_find_once(m, &sentinel_dst6,
                                         sizeof sentinel_dst6)
                  : oftemplate_find_once(m, &dst, sizeof dst));
    if (t->vni_ofs == SIZE_MAX || t->domain_ofs == SIZE_MAX
        || t->dst_ofs == SIZE_MAX) {
        t->cookie_ofs = SIZE_MAX;   /* Unusable: encode each time. */
    }
    hmap_insert(&templates, &t->up.node, hash);
    if (t->cookie_ofs == SIZE_MAX) {
        return NULL;
    }
    last_template = t;
    return t;
}

/* A transaction id for a message from a template: ids of their own, apart
 * from Open vSwitch's (which count up from 1). */
static ovs_be32
next_xid(void)
{
    static uint32_t xid;
    return htonl(0x80000000 | xid++);
}

/* Encodes the flow_mod that installs 'r' for 'key': a copy of its
 * template with the entry's cookie, network, domain and destination
 * written in, which is what encoding it from scratch gives (checked by
 * tests/test-pcache). */
void
pcache_encode_install(const struct pcache_key *key,
                      const struct pcache_result *r,
                      enum ofputil_protocol protocol, struct ofpbuf *out)
{
    bool ipv6 = !IN6_IS_ADDR_V4MAPPED(&key->dst);
    const struct install_template *t = get_template(r, protocol, ipv6);
    if (!t) {
        struct ofpbuf *msg = encode_install__(key, r->cookie, r, protocol);
        ofpbuf_put(out, msg->data, msg->size);
        ofpbuf_delete(msg);
        return;
    }

    char *data = ofpbuf_put(out, t->up.msg.data, t->up.msg.size);
    ovs_be32 xid = next_xid();
    ovs_be64 cookie = htonll(r->cookie);
    ovs_be64 vni = htonll(key->vni);
    ovs_be32 domain = htonl(key->domain);

    memcpy(data + offsetof(struct ofp_header, xid), &xid, sizeof xid);
    memcpy(data + t->cookie_ofs, &cookie, sizeof cookie);
    memcpy(data + t->vni_ofs, &vni, sizeof vni);
    memcpy(data + t->domain_ofs, &domain, sizeof domain);
    if (ipv6) {
        memcpy(data + t->dst_ofs, &key->dst, sizeof key->dst);
    } else {
        ovs_be32 dst = in6_addr_get_mapped_ipv4(&key->dst);
        memcpy(data + t->dst_ofs, &dst, sizeof dst);
    }
}

/* A packet-out with a result's actions, encoded once per (actions,
 * protocol) with no packet and a sentinel input port: a packet's is a copy
 * with its input port written in and the packet appended. */
struct packet_out_template {
    struct msg_template up;     /* In 'po_templates'. */
    size_t in_port_ofs;         /* SIZE_MAX if the template is unusable. */
    size_t in_port_len;         /* 2 (OpenFlow 1.0) or 4 bytes. */
};
static struct hmap po_templates = HMAP_INITIALIZER(&po_templates);
#define SENTINEL_IN_PORT 0xfedc /* A port number below OFPP_MAX. */

static struct ofpbuf *
encode_packet_out__(const struct pcache_result *r, ofp_port_t in_port,
                    const void *packet, size_t len,
                    enum ofputil_protocol protocol)
{
    struct ofputil_packet_out po = {
        .packet = packet,
        .packet_len = len,
        .buffer_id = UINT32_MAX,
        .ofpacts = CONST_CAST(struct ofpact *, r->ofpacts.data),
        .ofpacts_len = r->ofpacts.size,
    };
    match_init_catchall(&po.flow_metadata);
    match_set_in_port(&po.flow_metadata, in_port);
    return ofputil_encode_packet_out(&po, protocol);
}

/* Writes 'in_port' at template 't''s offset for it in 'msg'. */
static void
po_put_in_port(const struct packet_out_template *t, uint8_t *msg,
               ofp_port_t in_port)
{
    if (t->in_port_len == 2) {
        ovs_be16 port = htons(ofp_to_u16(in_port));
        memcpy(msg + t->in_port_ofs, &port, sizeof port);
    } else {
        ovs_be32 port = htonl(ofp_to_u16(in_port));
        memcpy(msg + t->in_port_ofs, &port, sizeof port);
    }
}

/* Makes the packet-out template for 'r' and 'protocol' and checks it: a
 * packet-out from it must be byte for byte what the encoder gives for the
 * same packet and port, but for the transaction id; if it is not (an
 * encoding with the packet elsewhere than at the end), the template is
 * marked unusable. */
static struct packet_out_template *
po_template_create(const struct pcache_result *r,
                   enum ofputil_protocol protocol)
{
    struct packet_out_template *t = xzalloc(sizeof *t);
    msg_template_init(&t->up, r, protocol,
                      encode_packet_out__(r, u16_to_ofp(SENTINEL_IN_PORT),
                                          NULL, 0, protocol));
    t->in_port_ofs = SIZE_MAX;

    t->in_port_len = (ofputil_protocol_to_ofp_version(protocol)
                      == OFP10_VERSION ? 2 : 4);
    ovs_be16 port16 = htons(SENTINEL_IN_PORT);
    ovs_be32 port32 = htonl(SENTINEL_IN_PORT);
    size_t ofs = oftemplate_find_once(&t->up.msg, (t->in_port_len == 2
                                                ? (void *) &port16
                                                : (void *) &port32),
                                      t->in_port_len);
    if (ofs != SIZE_MAX) {
        static const uint8_t packet[] = { 0xde, 0xad, 0xbe, 0xef };
        ofp_port_t port = u16_to_ofp(0x1234);
        struct ofpbuf *want = encode_packet_out__(r, port, packet,
                                                  sizeof packet, protocol);
        struct ofpbuf got;
        ofpbuf_init(&got, 0);
        ofpbuf_put(&got, t->up.msg.data, t->up.msg.size);
        ofpbuf_put(&got, packet, sizeof packet);
        t->in_port_ofs = ofs;
        po_put_in_port(t, got.data, port);
        struct ofp_header *goth = got.data, *wanth = want->data;
        goth->length = htons(got.size);
        goth->xid = wanth->xid;
        if (got.size != want->size || memcmp(got.data, want->data,
                                             got.size)) {
            t->in_port_ofs = SIZE_MAX;
        }
        ofpbuf_uninit(&got);
        ofpbuf_delete(want);
    }
    if (t->in_port_ofs == SIZE_MAX) {
        VLOG_WARN_RL(&rl, "%s: no packet-out template for these actions; "
                     "encoding each", ofputil_protocol_to_string(protocol));
    }
    return t;
}

/* Appends to 'out' a packet-out of 'packet' ('len' bytes), as if received
 * on 'in_port', with the actions of 'r', encoded for 'protocol': a copy of
 * a template with the port written in and the packet appended, which is
 * what encoding it from scratch gives (checked by tests/test-pcache). */
void
pcache_put_packet_out(const struct pcache_result *r, ofp_port_t in_port,
                      const void *packet, size_t len,
                      enum ofputil_protocol protocol, struct ofpbuf *out)
{
    uint32_t hash = hash_pointer(r->actions, protocol);
    struct packet_out_template *t;

    HMAP_FOR_EACH_WITH_HASH (t, up.node, hash, &po_templates) {
        if (t->up.actions == r->actions && t->up.protocol == protocol) {
            goto found;
        }
    }
    if (hmap_count(&po_templates) >= TEMPLATES_MAX) {
        msg_templates_clear(&po_templates);
    }
    t = po_template_create(r, protocol);
    hmap_insert(&po_templates, &t->up.node, hash);

found:
    if (t->in_port_ofs == SIZE_MAX
        || ofp_to_u16(in_port) >= ofp_to_u16(OFPP_MAX)
        || t->up.msg.size + len > UINT16_MAX) {
        struct ofpbuf *msg = encode_packet_out__(r, in_port, packet, len,
                                                 protocol);
        ofpbuf_put(out, msg->data, msg->size);
        ofpbuf_delete(msg);
        return;
    }

    const struct ofpbuf *m = &t->up.msg;
    uint8_t *data = ofpbuf_put_uninit(out, m->size + len);
    ovs_be16 length = htons(m->size + len);
    ovs_be32 xid = next_xid();
    memcpy(data, m->data, m->size);
    memcpy(data + m->size, packet, len);
    memcpy(data + offsetof(struct ofp_header, length), &length,
           sizeof length);
    memcpy(data + offsetof(struct ofp_header, xid), &xid, sizeof xid);
    po_put_in_port(t, data, in_port);
}

