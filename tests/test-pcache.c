/*
 * Unit tests for controller/pcache's flow_mod encoding: an entry's
 * flow_mod is a copy of a template encoded once per (actions, TTL,
 * protocol) with the entry's cookie, network, source domain and
 * destination written in.  Each one is decoded back by Open vSwitch and
 * must be exactly the flow_mod of that entry, for every OpenFlow version
 * the controller speaks, including the first entry of a template and
 * entries whose values are zero or all ones, IPv4 and IPv6 destinations;
 * packet-outs, copies of a template with the input port written in and
 * the packet appended; expiry by TTL queues, and of entries read back
 * from a switch; and the index of entries, which at its largest holds
 * the latest.
 */
#include <config.h>
#include "tests/check-tap.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "controller/pcache.h"
#include "controller/pcache-private.h"
#include "flow.h"
#include "ofproto-ext/pipeline.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofpbuf.h"
#include "packets.h"
#include "util.h"

/* pcache_install() and pcache_find(), hashing 'key' for them. */
static void
install(struct pcache *pc, const struct pcache_key *key,
        const struct pcache_result *r, enum ofputil_protocol protocol,
        long long int now, struct ofpbuf *out)
{
    pcache_install(pc, key, pcache_key_hash(key), r, protocol, now, out);
}

static const struct pcache_entry *
find(const struct pcache *pc, const struct pcache_key *key,
     long long int now)
{
    return pcache_find(pc, key, pcache_key_hash(key), now);
}

/* Fills 'r' with actions 'text' (parsed) and the rest. */
static void
make_result(struct pcache_result *r, const char *text, uint64_t cookie,
            uint32_t ttl)
{
    ck_assert(pcache_result_init(r, strcmp(text, "drop") ? DPS_FORWARD
                                 : DPS_DENY, cookie, ttl, text));
}

/* Revalidates 'pc' against a policy service that answers nothing, so that
 * every entry is wrong, and checks that 'n' entries were invalidated by
 * 'n_msgs' deletes. */
static void
revalidate_all_wrong(struct pcache *pc, size_t n, size_t n_msgs)
{
    enum ofputil_protocol protocol
        = ofputil_protocol_from_ofp_version(OFP14_VERSION);
    struct dps *dps = dps_create();
    struct pcache_switch sw = { .dpid = 1 };
    struct ovs_list msgs = OVS_LIST_INITIALIZER(&msgs);

    ck_assert_uint_eq(pcache_revalidate(pc, dps, &sw, protocol, &msgs), n);
    ck_assert_uint_eq(ovs_list_size(&msgs), n_msgs);
    ofpbuf_list_delete(&msgs);
    dps_destroy(dps);
}

/* Checks that decoded actions 'ofpacts' are those of 'r', compared as
 * text: parsed and decoded ofpacts differ in padding. */
static void
check_actions(const struct ofpact *ofpacts, size_t ofpacts_len,
              const struct pcache_result *r)
{
    struct ds a = DS_EMPTY_INITIALIZER, b = DS_EMPTY_INITIALIZER;
    struct ofpact_format_params fa = { .s = &a }, fb = { .s = &b };
    ofpacts_format(ofpacts, ofpacts_len, &fa);
    ofpacts_format(r->ofpacts.data, r->ofpacts.size, &fb);
    ck_assert_str_eq(ds_cstr(&a), ds_cstr(&b));
    ds_destroy(&a);
    ds_destroy(&b);
}

/* Checks that 'msg' is the flow_mod of entry 'key' with result 'r'. */
static void
check_flow_mod(const struct ofpbuf *msg, const struct pcache_key *key,
               const struct pcache_result *r, enum ofputil_protocol protocol)
{
    const struct ofp_header *oh = msg->data;
    ck_assert_int_eq(oh->version, ofputil_protocol_to_ofp_version(protocol));

    struct ofputil_flow_mod fm;
    struct ofpbuf ofpacts;
    enum ofputil_protocol decoded_protocol = protocol;

    ofpbuf_init(&ofpacts, 64);
    enum ofperr error = ofputil_decode_flow_mod(&fm, msg->data,
                                                decoded_protocol, NULL, NULL,
                                                &ofpacts, OFPP_MAX, 255);
    ck_assert_msg(!error, "decode: %s", ofperr_to_string(error));
    ck_assert_int_eq(fm.command, OFPFC_ADD);
    ck_assert_int_eq(fm.table_id, PL_POLICY);
    ck_assert_int_eq(fm.priority, PL_CACHE_PRIORITY);
    ck_assert_int_eq(fm.hard_timeout, r->ttl);
    ck_assert_int_eq(fm.idle_timeout, 0);
    ck_assert(ntohll(fm.new_cookie) == r->cookie);

    struct match want, got;
    match_init_catchall(&want);
    match_set_metadata(&want, htonll(key->vni));
    match_set_reg(&want, PL_DOMAIN_REG, key->domain);
    if (IN6_IS_ADDR_V4MAPPED(&key->dst)) {
        match_set_dl_type(&want, htons(ETH_TYPE_IP));
        match_set_nw_dst(&want, in6_addr_get_mapped_ipv4(&key->dst));
    } else {
        match_set_dl_type(&want, htons(ETH_TYPE_IPV6));
        match_set_ipv6_dst(&want, &key->dst);
    }
    minimatch_expand(&fm.match, &got);
    char *w = match_to_string(&want, NULL, OFP_DEFAULT_PRIORITY);
    char *g = match_to_string(&got, NULL, OFP_DEFAULT_PRIORITY);
    ck_assert_str_eq(g, w);
    free(w);
    free(g);
    check_actions(fm.ofpacts, fm.ofpacts_len, r);
    minimatch_destroy(&fm.match);
    ofpbuf_uninit(&ofpacts);
}

START_TEST(test_install_encoding)
{
    static const char *const actions[] = {
        "drop",
        "set_field:0x64->tun_id,set_field:172.31.0.3->tun_dst,output:1",
        "set_field:02:00:00:00:00:03->eth_dst,bundle_load(eth_src,0,hrw,"
        "ofport,NXM_NX_REG2[],members:7),resubmit(,41)",
        "set_field:0x64->metadata,resubmit(,51)",
    };
    static const char *const dsts[] = {
        "10.0.0.3", "10.0.0.4", "10.0.0.1", "255.255.255.255",
        "226.211.196.181", "fd00::3", "fd00::4", "::1",
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        "fd5e:171e:a93c:4b7:61d2:8f35:c07a:1be4",
    };
    static const uint32_t vnis[] = { 100, 100, 1, 16777215, 7 };
    static const uint32_t domains[] = {
        0x1234abcd, 0x1234abcd, 0, 0xffffffff, 0xe2d3c4b5,
    };
    struct pcache_key keys[ARRAY_SIZE(dsts)];
    for (size_t i = 0; i < ARRAY_SIZE(dsts); i++) {
        keys[i].vni = vnis[i % ARRAY_SIZE(vnis)];
        keys[i].domain = domains[i % ARRAY_SIZE(domains)];
        ck_assert(ipv6_parse(dsts[i], &keys[i].dst)
                  || (ovs_scan(dsts[i], IP_SCAN_FMT,
                               IP_SCAN_ARGS(&keys[i].dst.s6_addr32[3]))
                      && (in6_addr_set_mapped_ipv4(
                              &keys[i].dst, keys[i].dst.s6_addr32[3]), 1)));
    }
    static const enum ofp_version versions[] = {
        OFP13_VERSION, OFP14_VERSION, OFP15_VERSION,
    };

    for (size_t v = 0; v < ARRAY_SIZE(versions); v++) {
        enum ofputil_protocol protocol
            = ofputil_protocol_from_ofp_version(versions[v]);
        for (size_t a = 0; a < ARRAY_SIZE(actions); a++) {
            for (uint32_t ttl = 1; ttl <= 300; ttl += 299) {
                struct pcache pc;
                pcache_init(&pc);
                ovs_be32 last_xid = 0;
                for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
                    struct pcache_result r;
                    make_result(&r, actions[a],
                                UINT64_C(0xd00001000000abcd) + k, ttl);
                    struct ofpbuf *msg = ofpbuf_new(0);
                    install(&pc, &keys[k], &r, protocol, 0, msg);
                    check_flow_mod(msg, &keys[k], &r, protocol);
                    const struct ofp_header *oh = msg->data;
                    ck_assert(oh->xid != last_xid);
                    last_xid = oh->xid;
                    ofpbuf_delete(msg);
                    pcache_result_uninit(&r);
                }
                ck_assert_int_eq(pcache_count(&pc), ARRAY_SIZE(keys));
                pcache_destroy(&pc);
            }
        }
    }

    /* Installs one after another that differ in one thing only: the
     * actions, the TTL, the version or the address family, in the order
     * of a Gray code over the four, twice round.  The template of each
     * must not be taken for the next (the one used last is tried
     * first). */
    for (unsigned int i = 0; i < 32; i++) {
        unsigned int g = i ^ (i >> 1);
        const struct pcache_key *key = &keys[g & 1 ? 5 : 0];
        uint32_t ttl = g & 2 ? 300 : 1;
        enum ofputil_protocol protocol = ofputil_protocol_from_ofp_version(
            g & 4 ? OFP15_VERSION : OFP13_VERSION);
        struct pcache_result r;
        make_result(&r, actions[g & 8 ? 1 : 0], UINT64_C(0xd00002000000) + i,
                    ttl);

        struct pcache pc;
        pcache_init(&pc);
        struct ofpbuf *msg = ofpbuf_new(0);
        install(&pc, key, &r, protocol, 0, msg);
        check_flow_mod(msg, key, &r, protocol);
        ofpbuf_delete(msg);
        pcache_result_uninit(&r);
        pcache_destroy(&pc);
    }
}
END_TEST

/* A packet-out from a template must be byte for byte the encoder's, but
 * for its transaction id, and decode to the packet, port and actions. */
START_TEST(test_packet_out_encoding)
{
    static const char *const actions[] = {
        "set_field:0x64->tun_id,set_field:172.31.0.3->tun_dst,output:1",
        "set_field:02:00:00:00:00:03->eth_dst,bundle_load(eth_src,0,hrw,"
        "ofport,NXM_NX_REG2[],members:7),resubmit(,41)",
        "set_field:0x64->metadata,resubmit(,51)",
    };
    static const uint16_t ports[] = {
        1, 0x1234, 0xfedc, 0xfeff, 0, 0xfffe /* OFPP_LOCAL: encoded anew */,
    };
    static const size_t lens[] = { 0, 1, 60, 1500 };
    static const enum ofp_version versions[] = {
        OFP10_VERSION, OFP13_VERSION, OFP14_VERSION, OFP15_VERSION,
    };
    uint8_t packet[1500];
    for (size_t i = 0; i < sizeof packet; i++) {
        packet[i] = i * 7 + 3;
    }

    for (size_t v = 0; v < ARRAY_SIZE(versions); v++) {
        enum ofputil_protocol protocol
            = ofputil_protocol_from_ofp_version(versions[v]);
        for (size_t a = 0; a < ARRAY_SIZE(actions); a++) {
            struct pcache_result r;
            make_result(&r, actions[a], 1, 10);
            ovs_be32 last_xid = 0;
            for (size_t p = 0; p < ARRAY_SIZE(ports); p++) {
                for (size_t l = 0; l < ARRAY_SIZE(lens); l++) {
                    ofp_port_t in_port = u16_to_ofp(ports[p]);
                    struct ofpbuf got;
                    ofpbuf_init(&got, 0);
                    ofpbuf_put_zeros(&got, 8);  /* Appended, not put. */
                    pcache_put_packet_out(&r, in_port, packet, lens[l],
                                          protocol, &got);
                    ck_assert(is_all_zeros(got.data, 8));
                    ofpbuf_pull(&got, 8);

                    struct ofputil_packet_out po = {
                        .packet = packet,
                        .packet_len = lens[l],
                        .buffer_id = UINT32_MAX,
                        .ofpacts = CONST_CAST(struct ofpact *,
                                              r.ofpacts.data),
                        .ofpacts_len = r.ofpacts.size,
                    };
                    match_init_catchall(&po.flow_metadata);
                    match_set_in_port(&po.flow_metadata, in_port);
                    struct ofpbuf *want = ofputil_encode_packet_out(
                        &po, protocol);
                    struct ofp_header *goth = got.data;
                    const struct ofp_header *wanth = want->data;
                    ck_assert(goth->xid != last_xid);
                    last_xid = goth->xid;
                    goth->xid = wanth->xid;
                    ck_assert_int_eq(got.size, want->size);
                    ck_assert(!memcmp(got.data, want->data, got.size));
                    ofpbuf_delete(want);

                    /* And Open vSwitch reads it back as sent. */
                    struct ofputil_packet_out dpo;
                    struct ofpbuf ofpacts;
                    ofpbuf_init(&ofpacts, 64);
                    ck_assert(!ofputil_decode_packet_out(&dpo, got.data,
                                                         NULL, &ofpacts));
                    ck_assert_int_eq(dpo.packet_len, lens[l]);
                    ck_assert(!memcmp(dpo.packet, packet, lens[l]));
                    ck_assert_int_eq(ofp_to_u16(dpo.flow_metadata.flow
                                                .in_port.ofp_port),
                                     ports[p]);
                    if (versions[v] >= OFP12_VERSION) {
                        /* (OpenFlow 1.0 has no set_field: it decodes as
                         * load.) */
                        check_actions(dpo.ofpacts, dpo.ofpacts_len, &r);
                    }
                    ofpbuf_uninit(&ofpacts);
                    ofpbuf_uninit(&got);
                }
            }
            pcache_result_uninit(&r);
        }
    }
}
END_TEST

/* Entries leave the index exactly when their TTL has passed and are
 * forgotten EXPIRY_GRACE_MSEC later, whatever the order they were
 * installed in, with several TTLs; an entry installed again lives from
 * then on, and one installed again once it expired is an entry anew. */
START_TEST(test_expiry)
{
    struct pcache_key k1 = { 100, 1, IN6ADDR_ANY_INIT };
    struct pcache_key k2 = k1, k3 = k1;
    in6_addr_set_mapped_ipv4(&k1.dst, htonl(1));
    in6_addr_set_mapped_ipv4(&k2.dst, htonl(2));
    ck_assert(ipv6_parse("fd00::3", &k3.dst));
    enum ofputil_protocol protocol
        = ofputil_protocol_from_ofp_version(OFP14_VERSION);
    struct pcache pc;
    struct pcache_result r1, r5;

    make_result(&r1, "drop", 1, 1);
    make_result(&r5, "drop", 2, 5);
    struct ofpbuf msgs;
    ofpbuf_init(&msgs, 0);
    pcache_init(&pc);
    install(&pc, &k1, &r1, protocol, 0, &msgs);
    install(&pc, &k3, &r5, protocol, 0, &msgs);
    install(&pc, &k2, &r1, protocol, 100, &msgs);
    install(&pc, &k1, &r1, protocol, 500, &msgs);
    ofpbuf_uninit(&msgs);

    /* k1 was installed again: the first to go is k2, which leaves the
     * index at its expiry and is forgotten EXPIRY_GRACE_MSEC later. */
    ck_assert(pcache_next_expiry(&pc, 600) == 1100);
    pcache_expire(&pc, 1099);
    ck_assert_ptr_nonnull(find(&pc, &k2, 0));
    pcache_expire(&pc, 1100);
    ck_assert_ptr_null(find(&pc, &k2, 0));
    ck_assert_int_eq(pcache_count(&pc), 3);
    ck_assert(pcache_next_expiry(&pc, 1100) == 1500);
    pcache_expire(&pc, 1500);
    ck_assert_ptr_null(find(&pc, &k1, 0));
    ck_assert_ptr_nonnull(find(&pc, &k3, 0));
    ck_assert_int_eq(pcache_count(&pc), 3);
    ck_assert(pcache_next_expiry(&pc, 1500) == 1100 + EXPIRY_GRACE_MSEC);
    pcache_expire(&pc, 1100 + EXPIRY_GRACE_MSEC - 1);
    ck_assert_int_eq(pcache_count(&pc), 3);
    pcache_expire(&pc, 1100 + EXPIRY_GRACE_MSEC);
    ck_assert_int_eq(pcache_count(&pc), 2);

    /* k1, installed again while remembered, is an entry anew. */
    ofpbuf_init(&msgs, 0);
    install(&pc, &k1, &r5, protocol, 1600, &msgs);
    ofpbuf_uninit(&msgs);
    ck_assert_int_eq(pcache_count(&pc), 3);
    ck_assert_ptr_nonnull(find(&pc, &k1, 1600));
    pcache_expire(&pc, 1500 + EXPIRY_GRACE_MSEC);
    ck_assert_int_eq(pcache_count(&pc), 2);
    ck_assert_ptr_nonnull(find(&pc, &k1, 1600));
    ck_assert_ptr_nonnull(find(&pc, &k3, 0));
    ck_assert(pcache_next_expiry(&pc, 3500) == 5000);
    pcache_expire(&pc, 6600 + EXPIRY_GRACE_MSEC);
    ck_assert_int_eq(pcache_count(&pc), 0);
    ck_assert(pcache_next_expiry(&pc, 8000) == LLONG_MAX);

    pcache_result_uninit(&r1);
    pcache_result_uninit(&r5);
    pcache_destroy(&pc);
}
END_TEST

/* Entries whose TTL has passed are still invalidated while remembered
 * (the switch may hold them yet), and shown by pcache_format(), unless
 * their key was installed again: then only the new entry counts. */
START_TEST(test_revalidate_expired)
{
    struct pcache_key keys[3];
    enum ofputil_protocol protocol
        = ofputil_protocol_from_ofp_version(OFP14_VERSION);
    struct pcache_result r;
    struct ofpbuf out;
    struct pcache pc;

    make_result(&r, "drop", UINT64_C(0xd000010000000001), 1);
    ofpbuf_init(&out, 0);
    pcache_init(&pc);
    for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
        keys[i] = (struct pcache_key) { 100, 1, IN6ADDR_ANY_INIT };
        in6_addr_set_mapped_ipv4(&keys[i].dst, htonl(i + 1));
        install(&pc, &keys[i], &r, protocol, 0, &out);
    }
    pcache_expire(&pc, 1000);
    install(&pc, &keys[1], &r, protocol, 1500, &out);
    ofpbuf_uninit(&out);
    ck_assert_int_eq(pcache_count(&pc), 4);

    struct ds s = DS_EMPTY_INITIALIZER;
    pcache_format(&pc, 1500, &s);
    ck_assert_str_eq(ds_cstr(&s),
        "vni=100 domain=0x1 dst=0.0.0.1 cookie=0xd000010000000001 ttl=1 "
        "expires=0s actions=drop\n"
        "vni=100 domain=0x1 dst=0.0.0.2 cookie=0xd000010000000001 ttl=1 "
        "expires=1s actions=drop\n"
        "vni=100 domain=0x1 dst=0.0.0.3 cookie=0xd000010000000001 ttl=1 "
        "expires=0s actions=drop\n");
    ds_destroy(&s);

    /* A policy service that answers nothing: every entry is wrong, and
     * since they share a policy, one delete by cookie covers them. */
    revalidate_all_wrong(&pc, 3, 1);
    /* What is left is the record of the key installed again, forgotten
     * in its time. */
    ck_assert_int_eq(pcache_count(&pc), 1);
    ck_assert(pcache_next_expiry(&pc, 1500) <= 1000 + EXPIRY_GRACE_MSEC);
    pcache_expire(&pc, 1000 + EXPIRY_GRACE_MSEC - 1);
    ck_assert_int_eq(pcache_count(&pc), 1);
    pcache_expire(&pc, 1000 + EXPIRY_GRACE_MSEC);
    ck_assert_int_eq(pcache_count(&pc), 0);
    ck_assert(pcache_next_expiry(&pc, 1500) == LLONG_MAX);

    pcache_result_uninit(&r);
    pcache_destroy(&pc);
}
END_TEST

/* Many entries, in rounds that each install a different set and expire
 * part of the last: every entry is found while it lives and gone after,
 * through the index growing and shrinking and entries being recycled. */
START_TEST(test_churn)
{
    enum ofputil_protocol protocol
        = ofputil_protocol_from_ofp_version(OFP14_VERSION);
    struct pcache_result r;
    struct pcache pc;
    struct ofpbuf msgs;
    /* At most 3 * N / 2 entries live at once (the last round's and half a
     * round of new ones), so that the index never reaches
     * PCACHE_INDEX_MAX_SLOTS (4 slots an entry): below it, a full line
     * makes it grow, and no entry is ever given up.  (With N = 5000 it
     * reached it, where a line that fills gives up a live entry: for
     * 7500 keys placed at random in its 4096 lines, 0.5 lines of 9 or
     * more are expected.) */
    enum { N = 2000, ROUNDS = 6 };
    BUILD_ASSERT_DECL(4 * (3 * N / 2) <= PCACHE_INDEX_MAX_SLOTS / 2);

    make_result(&r, "drop", 1, 1);
    ofpbuf_init(&msgs, 0);
    pcache_init(&pc);
    for (int round = 0; round < ROUNDS; round++) {
        /* Round 'round' installs keys [round * N / 2, round * N / 2 + N)
         * at time round * 1000: half of them are the last round's. */
        long long int now = round * 1000LL;
        for (uint32_t i = 0; i < N; i++) {
            struct pcache_key key = { 7, 3, IN6ADDR_ANY_INIT };
            in6_addr_set_mapped_ipv4(&key.dst, htonl(round * N / 2 + i));
            install(&pc, &key, &r, protocol, now, &msgs);
            ofpbuf_clear(&msgs);

            /* Found at once, and so is one installed earlier, as the
             * index grows and shrinks: below PCACHE_INDEX_MAX_SLOTS it
             * holds every entry. */
            struct pcache_key earlier = key;
            in6_addr_set_mapped_ipv4(&earlier.dst,
                                     htonl(round * N / 2 + i / 2));
            ck_assert_ptr_nonnull(find(&pc, &key, now));
            ck_assert_ptr_nonnull(find(&pc, &earlier, now));
        }
        /* What was installed only before this round has expired: out of
         * the index, and remembered EXPIRY_GRACE_MSEC (two rounds)
         * longer: half a round's worth from each of the last two. */
        BUILD_ASSERT_DECL(EXPIRY_GRACE_MSEC == 2000);
        pcache_expire(&pc, now + 999);
        ck_assert_int_eq(pcache_count(&pc), N + MIN(round, 2) * N / 2);
        for (uint32_t ip = 0; ip < (round + 3) * N / 2; ip++) {
            struct pcache_key key = { 7, 3, IN6ADDR_ANY_INIT };
            in6_addr_set_mapped_ipv4(&key.dst, htonl(ip));
            bool live = ip >= round * N / 2 && ip < round * N / 2 + N;
            ck_assert_msg((find(&pc, &key, now) != NULL) == live,
                          "round %d, key %"PRIu32, round, ip);
        }
    }
    pcache_expire(&pc, LLONG_MAX / 2);
    ck_assert_int_eq(pcache_count(&pc), 0);

    /* Twice as many as were freed: the recycled entries, then new ones. */
    for (uint32_t i = 0; i < 2 * N; i++) {
        struct pcache_key key = { 8, 3, IN6ADDR_ANY_INIT };
        in6_addr_set_mapped_ipv4(&key.dst, htonl(i));
        install(&pc, &key, &r, protocol, 0, &msgs);
        ofpbuf_clear(&msgs);
    }
    ck_assert_int_eq(pcache_count(&pc), 2 * N);
    pcache_clear(&pc);
    ck_assert_int_eq(pcache_count(&pc), 0);
    ofpbuf_uninit(&msgs);
    pcache_result_uninit(&r);
    pcache_destroy(&pc);
}
END_TEST

/* The key of an IPv4 destination 'ip'. */
static struct pcache_key
ip_key(uint32_t ip)
{
    struct pcache_key key = { 9, 4, IN6ADDR_ANY_INIT };
    in6_addr_set_mapped_ipv4(&key.dst, htonl(ip));
    return key;
}

/* Past PCACHE_INDEX_MAX_SLOTS the index holds the latest entries only:
 * an entry that lost its slot is still remembered, expires and is
 * revalidated, and a miss for its key installs it again as a second
 * entry, which pcache_format() shows in place of the first. */
START_TEST(test_index_full)
{
    enum ofputil_protocol protocol
        = ofputil_protocol_from_ofp_version(OFP14_VERSION);
    enum { N = 4 * PCACHE_INDEX_MAX_SLOTS };
    struct pcache_result r1, r2;
    struct ofpbuf msgs;
    struct pcache pc;

    make_result(&r1, "drop", UINT64_C(0xd000010000000001), 5);
    make_result(&r2, "drop", UINT64_C(0xd000020000000002), 5);
    ofpbuf_init(&msgs, 0);
    pcache_init(&pc);
    for (uint32_t ip = 1; ip <= N; ip++) {
        struct pcache_key key = ip_key(ip);
        install(&pc, &key, &r1, protocol, 0, &msgs);
        ofpbuf_clear(&msgs);
        ck_assert_ptr_nonnull(find(&pc, &key, 0));
    }
    ck_assert_int_eq(pcache_count(&pc), N);
    ck_assert_uint_eq(pc.slot_mask + 1, PCACHE_INDEX_MAX_SLOTS);

    /* The index holds as many as it has slots, the latest of them: the
     * last ten installed are all there (of the 4096 lines, two of them
     * fall in one line once in 90 times, and then the later takes the
     * earlier's slot once in 8). */
    uint32_t lost = 0, n_found = 0;
    for (uint32_t ip = 1; ip <= N; ip++) {
        struct pcache_key key = ip_key(ip);
        if (find(&pc, &key, 0)) {
            n_found++;
        } else {
            ck_assert_uint_le(ip, N - 10);
            lost = lost ? lost : ip;
        }
    }
    ck_assert_uint_eq(n_found, PCACHE_INDEX_MAX_SLOTS);

    /* A key that lost its slot, installed again at 1000 with another
     * cookie: a second entry, found, and the one pcache_format() shows. */
    struct pcache_key key = ip_key(lost);
    install(&pc, &key, &r2, protocol, 1000, &msgs);
    ofpbuf_uninit(&msgs);
    ck_assert_int_eq(pcache_count(&pc), N + 1);
    const struct pcache_entry *e = find(&pc, &key, 1000);
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->cookie, r2.cookie);
    struct ds s = DS_EMPTY_INITIALIZER;
    pcache_format(&pc, 1000, &s);
    size_t n_lines = 0;
    for (const char *p = ds_cstr(&s); (p = strchr(p, '\n')); p++) {
        n_lines++;
    }
    ck_assert_uint_eq(n_lines, N);
    char *line = xasprintf("vni=9 domain=0x4 dst="IP_FMT" "
                           "cookie=0xd000020000000002 ttl=5 expires=5s "
                           "actions=drop\n", IP_ARGS(htonl(lost)));
    ck_assert_ptr_nonnull(strstr(ds_cstr(&s), line));
    free(line);
    ds_destroy(&s);

    /* The first one leaves the index at its time, the second at its
     * own; each is forgotten EXPIRY_GRACE_MSEC later. */
    pcache_expire(&pc, 5000);
    ck_assert_ptr_nonnull(find(&pc, &key, 5000));
    pcache_expire(&pc, 5999);
    ck_assert_ptr_nonnull(find(&pc, &key, 5999));
    pcache_expire(&pc, 6000);
    ck_assert_ptr_null(find(&pc, &key, 6000));
    ck_assert_int_eq(pcache_count(&pc), N + 1);
    pcache_expire(&pc, 5000 + EXPIRY_GRACE_MSEC);
    ck_assert_int_eq(pcache_count(&pc), 1);

    /* Revalidated against a policy service that answers nothing, the
     * second one, remembered, is deleted by its cookie; then the index is
     * back to its smallest. */
    revalidate_all_wrong(&pc, 1, 1);
    ck_assert_int_eq(pcache_count(&pc), 0);
    ck_assert_uint_eq(pc.slot_mask + 1, 16);

    /* Entries within their TTL are revalidated, and cleared, whether or
     * not they kept their slot. */
    ofpbuf_init(&msgs, 0);
    for (int round = 0; round < 2; round++) {
        for (uint32_t ip = 1; ip <= N; ip++) {
            key = ip_key(ip);
            install(&pc, &key, &r1, protocol, 10000, &msgs);
            ofpbuf_clear(&msgs);
        }
        ck_assert_int_eq(pcache_count(&pc), N);
        if (!round) {
            revalidate_all_wrong(&pc, N, 1);
        } else {
            pcache_clear(&pc);
        }
        ck_assert_int_eq(pcache_count(&pc), 0);
        ck_assert_uint_eq(pc.slot_mask + 1, 16);
    }
    ofpbuf_uninit(&msgs);

    pcache_result_uninit(&r1);
    pcache_result_uninit(&r2);
    pcache_destroy(&pc);
}
END_TEST

/* Fills 'fs' with the cache entry for 'key' that a switch reports, with
 * 'hard_timeout' (0: none) and 'duration' seconds old. */
static void
make_flow_stats(struct ofputil_flow_stats *fs, const struct pcache_key *key,
                uint16_t hard_timeout, uint32_t duration)
{
    memset(fs, 0, sizeof *fs);
    pcache_key_to_match(key, &fs->match);
    fs->table_id = PL_POLICY;
    fs->priority = PL_CACHE_PRIORITY;
    fs->cookie = htonll(UINT64_C(0xd000010000000001));
    fs->hard_timeout = hard_timeout;
    fs->duration_sec = duration;
}

/* Entries read back from a switch: one that expires is forgotten at its
 * time and the grace, one without a hard timeout stays until revalidation
 * finds it wrong. */
START_TEST(test_adopt)
{
    struct pcache_key k1 = ip_key(1), k2 = ip_key(2);
    struct ofputil_flow_stats fs;
    struct pcache pc;

    pcache_init(&pc);
    make_flow_stats(&fs, &k1, 5, 1);
    pcache_adopt(&pc, &fs, 0);
    make_flow_stats(&fs, &k2, 0, 100);
    pcache_adopt(&pc, &fs, 0);
    ck_assert_int_eq(pcache_count(&pc), 2);
    ck_assert_ptr_nonnull(find(&pc, &k1, 3999));
    ck_assert_ptr_null(find(&pc, &k1, 4000));
    ck_assert_ptr_nonnull(find(&pc, &k2, 1000000));

    pcache_expire(&pc, 4000 + EXPIRY_GRACE_MSEC - 1);
    ck_assert_int_eq(pcache_count(&pc), 2);
    pcache_expire(&pc, 4000 + EXPIRY_GRACE_MSEC + 1000);
    ck_assert_int_eq(pcache_count(&pc), 1);
    pcache_expire(&pc, 1000000);
    ck_assert_int_eq(pcache_count(&pc), 1);

    struct ds s = DS_EMPTY_INITIALIZER;
    pcache_format(&pc, 1000000, &s);
    ck_assert_str_eq(ds_cstr(&s),
                     "vni=9 domain=0x4 dst=0.0.0.2 cookie=0xd000010000000001 "
                     "ttl=0 actions=drop\n");
    ds_destroy(&s);

    revalidate_all_wrong(&pc, 1, 1);
    ck_assert_int_eq(pcache_count(&pc), 0);
    ck_assert(pcache_next_expiry(&pc, 1000000) == LLONG_MAX);

    pcache_destroy(&pc);
}
END_TEST

Suite *
unit_suite(void)
{
    Suite *s = suite_create("pcache");
    TCase *tc = tcase_create("install_encoding");
    tcase_add_test(tc, test_install_encoding);
    suite_add_tcase(s, tc);
    tc = tcase_create("packet_out_encoding");
    tcase_add_test(tc, test_packet_out_encoding);
    suite_add_tcase(s, tc);
    tc = tcase_create("expiry");
    tcase_add_test(tc, test_expiry);
    tcase_add_test(tc, test_revalidate_expired);
    tcase_add_test(tc, test_adopt);
    suite_add_tcase(s, tc);
    tc = tcase_create("churn");
    tcase_add_test(tc, test_churn);
    tcase_add_test(tc, test_index_full);
    suite_add_tcase(s, tc);
    return s;
}
