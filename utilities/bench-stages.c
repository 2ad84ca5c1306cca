/*
 * bench-stages: "dovetail-bench stages", what two stages of the
 * controller's answer to a policy miss cost on one core, each alone.
 *
 * The closed loop of "dovetail-bench policy" measures the whole
 * controller, kernel and machine included, and on a shared or virtual
 * machine its rate moves by 15% from one run to the next: a change that
 * saves 5% cannot be seen in it.  This command times three stages without
 * sockets or other processes:
 *
 *   decode  sp_decode_packet_in() of the NXT_PACKET_IN2 that
 *           ovs-vswitchd sends for an IPv4 policy miss (OpenFlow 1.4),
 *           the same message over and over, into one packet-in, as
 *           pinctrl decodes a batch of policy misses: the instructions'
 *           cost, with the message in the CPU cache.  The first result
 *           is checked.
 *
 *   cache   a policy cache (controller/pcache) answering misses as
 *           pinctrl does: 50 keys at a time are hashed and their index
 *           slots prefetched, then each is looked up and installed (its
 *           flow_mod encoded into a buffer), and expiry runs after each
 *           simulated millisecond.  The keys come from a cycle of twice
 *           --entries keys, at a rate that keeps --entries entries in the
 *           cache (TTL 1 s, then EXPIRY_GRACE_MSEC), so after a warm-up
 *           of 4 simulated seconds every install also forgets one entry:
 *           the cost at that size, the waits for memory included.  The
 *           number of entries is checked after the warm-up and at the
 *           end.
 *
 *   refresh the same, but the cycle is --entries keys, each asked for
 *           again 2 simulated seconds after the last time: its flow has
 *           expired on the switch (TTL 1 s) and its entry has left the
 *           index, though the cache still remembers it for invalidation
 *           (for EXPIRY_GRACE_MSEC more), so every install is a new entry
 *           beside the record of the old one, and forgets one from 3
 *           seconds before.  This is what the closed loop of
 *           "dovetail-bench policy" does once warm when its key space is
 *           small: its switches ask for each of their keys again as soon
 *           as the TTL and a margin allow.  The number of entries and that
 *           one is forgotten per install are checked.
 *
 * Simulated time runs as fast as the core allows.  See
 * Documentation/performance.rst.
 */
#include <config.h>

#include "utilities/bench.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command-line.h"
#include "controller/pcache.h"
#include "flow.h"
#include "ofproto-ext/pipeline.h"
#include "ofproto-ext/slowpath.h"
#include "openvswitch/json.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/util.h"
#include "packets.h"
#include "util.h"

/* The request the stages work on: network, source domain, destination. */
#define STAGES_VNI 100
#define STAGES_DOMAIN 0x10000
#define STAGES_DST 0x0a000001   /* 10.0.0.1, the first destination. */
#define STAGES_DSTS 20000       /* Destinations per domain in the cycle. */

/* The step through the key cycle: a prime that divides no cycle length
 * (the cache stage's, a multiple of STAGES_DSTS below 2**32; the refresh
 * stage's, a multiple of STAGES_REFRESH_MS at most 100000000). */
#define STAGES_STEP UINT64_C(1000003)

/* Keys handled per batch (pinctrl's batches are as large as a read). */
#define STAGES_BATCH 50

/* The TTL of the cache stage's entries, in ms, and how long the cache
 * keeps each. */
#define STAGES_TTL_MS 1000
#define STAGES_KEPT_MS (STAGES_TTL_MS + EXPIRY_GRACE_MSEC)

/* How long the refresh stage's key cycle takes, in simulated ms: more
 * than the TTL, less than STAGES_KEPT_MS. */
#define STAGES_REFRESH_MS 2000
BUILD_ASSERT_DECL(STAGES_REFRESH_MS > STAGES_TTL_MS
                  && STAGES_REFRESH_MS < STAGES_KEPT_MS);

/* The parameters of a "stages" run. */
struct stages_params {
    double seconds;             /* --seconds, per stage. */
    unsigned int entries;       /* --entries. */
    bool decode;                /* --stage=decode or all. */
    bool cache;                 /* --stage=cache or all. */
    bool refresh;               /* --stage=refresh or all. */
    bool json;                  /* --format=json. */
};

/* What a stage measured. */
struct stage_result {
    unsigned long long int n;   /* Operations timed. */
    double seconds;             /* How long they took. */
    size_t entries;             /* Cache stages: entries at the end. */
};

static void stages_parse(int argc, char *argv[], struct stages_params *);
OVS_NO_RETURN static void stages_usage(void);
static void stage_decode(const struct stages_params *,
                         struct stage_result *);
static void stage_cache(const struct stages_params *, bool refresh,
                        struct stage_result *);
static void stages_report(const struct stages_params *,
                          const struct stage_result *decode,
                          const struct stage_result *cache,
                          const struct stage_result *refresh);

/* "stages": see the top of the file. */
void
bench_stages(struct ovs_cmdl_context *ctx)
{
    struct stages_params p;
    struct stage_result decode, cache, refresh;

    stages_parse(ctx->argc, ctx->argv, &p);
    memset(&decode, 0, sizeof decode);
    memset(&cache, 0, sizeof cache);
    memset(&refresh, 0, sizeof refresh);
    if (p.decode) {
        stage_decode(&p, &decode);
    }
    if (p.cache) {
        stage_cache(&p, false, &cache);
    }
    if (p.refresh) {
        stage_cache(&p, true, &refresh);
    }
    stages_report(&p, &decode, &cache, &refresh);
}

/* Returns the policy-miss packet-in of the decode stage. */
static struct ofpbuf *
stages_packet_in(void)
{
    static const struct eth_addr src_mac
        = ETH_ADDR_C(02, be, 00, 00, 00, 02);
    static const struct eth_addr dst_mac
        = ETH_ADDR_C(02, be, 00, 00, 00, 01);
    uint8_t packet[64];
    size_t len = bench_udp_packet(&src_mac, htonl(STAGES_DST + 1), &dst_mac,
                                  htonl(STAGES_DST), packet);

    struct ofpbuf *msg = sp_encode_packet_in(
        ofputil_protocol_from_ofp_version(OFP14_VERSION), SP_POLICY_MISS,
        PL_POLICY, htonll(0), u16_to_ofp(2), STAGES_VNI, STAGES_DOMAIN,
        htonll(0), htonl(0), packet, len);
    ofpmsg_update_length(msg);
    return msg;
}

static void
stage_decode(const struct stages_params *p, struct stage_result *r)
{
    struct ofpbuf *msg = stages_packet_in();
    static struct sp_packet_in pin;

    char *error = sp_decode_packet_in(msg->data, &pin);
    if (error) {
        ovs_fatal(0, "decode: %s", error);
    }
    if (pin.opcode != SP_POLICY_MISS || pin.vni != STAGES_VNI
        || pin.domain != STAGES_DOMAIN
        || pin.flow.nw_dst != htonl(STAGES_DST)) {
        ovs_fatal(0, "decode: the packet-in decoded wrong (opcode %d, vni "
                  "%"PRIu32", domain %#"PRIx32", nw_dst "IP_FMT")",
                  pin.opcode, pin.vni, pin.domain, IP_ARGS(pin.flow.nw_dst));
    }

    long long int start = bench_monotonic_ns();
    long long int deadline = start + p->seconds * 1e9;
    long long int now;
    do {
        for (size_t i = 0; i < 65536; i++) {
            error = sp_decode_packet_in(msg->data, &pin);
            if (error) {
                ovs_fatal(0, "decode: %s", error);
            }
        }
        r->n += 65536;
        now = bench_monotonic_ns();
    } while (now < deadline);
    r->seconds = (now - start) / 1e9;
    ofpbuf_delete(msg);
}

/* Runs 'pc' from simulated time '*t' for 'ms' milliseconds, or until
 * 'deadline' (a bench_monotonic_ns() time) if that is nonzero, handling
 * 'per_ms' misses each millisecond; '*k' is the position in the key cycle
 * of 'space' keys.  Returns the misses handled. */
static unsigned long long int
cache_run(struct pcache *pc, const struct pcache_result *res,
          long long int *t, unsigned long long int *k, unsigned int space,
          unsigned int per_ms, long long int ms, long long int deadline)
{
    enum ofputil_protocol protocol
        = ofputil_protocol_from_ofp_version(OFP14_VERSION);
    struct ofpbuf out;
    unsigned long long int n = 0;

    ofpbuf_init(&out, 64 * 1024);
    for (long long int i = 0; i < ms; i++, ++*t) {
        for (unsigned int done = 0; done < per_ms; ) {
            unsigned int batch = MIN(per_ms - done, STAGES_BATCH);
            struct pcache_key keys[STAGES_BATCH];
            uint32_t hashes[STAGES_BATCH];

            for (unsigned int j = 0; j < batch; j++) {
                /* A step coprime with 'space' visits every key once per
                 * cycle, in a scattered order. */
                unsigned int x = (*k)++ * STAGES_STEP % space;
                keys[j].vni = STAGES_VNI;
                keys[j].domain = STAGES_DOMAIN + x / STAGES_DSTS;
                in6_addr_set_mapped_ipv4(&keys[j].dst,
                                         htonl(STAGES_DST + x % STAGES_DSTS));
                hashes[j] = pcache_key_hash(&keys[j]);
                pcache_prefetch(pc, hashes[j]);
            }
            for (unsigned int j = 0; j < batch; j++) {
                if (pcache_find(pc, &keys[j], hashes[j], *t)) {
                    ovs_fatal(0, "cache: key %llu found unexpired: the key "
                              "cycle is shorter than the TTL",
                              *k - batch + j);
                }
                pcache_install(pc, &keys[j], hashes[j], res, protocol, *t,
                               &out);
            }
            ofpbuf_clear(&out);
            done += batch;
        }
        n += per_ms;
        pcache_expire(pc, *t);
        if (deadline && !(i % 16) && bench_monotonic_ns() >= deadline) {
            ++*t;
            break;
        }
    }
    ofpbuf_uninit(&out);
    return n;
}

/* The cache stage, or with 'refresh' the refresh stage (see the top of the
 * file). */
static void
stage_cache(const struct stages_params *p, bool refresh,
            struct stage_result *r)
{
    const char *name = refresh ? "refresh" : "cache";
    unsigned int per_ms, space;
    size_t expected;

    if (refresh) {
        /* Every key asked for once per STAGES_REFRESH_MS, and all kept.
         * STAGES_STEP, a prime above 'per_ms' (at most 100000000 /
         * STAGES_REFRESH_MS), does not divide 'space'. */
        per_ms = p->entries / STAGES_REFRESH_MS;
        space = per_ms * STAGES_REFRESH_MS;
        expected = (size_t) per_ms * STAGES_KEPT_MS;
    } else {
        /* A cycle twice as long as the entries live, a multiple of
         * STAGES_DSTS keys (each domain with all the destinations), which
         * STAGES_STEP is coprime with. */
        per_ms = MAX(1, p->entries / STAGES_KEPT_MS);
        expected = (size_t) per_ms * STAGES_KEPT_MS;
        space = ROUND_UP(2 * expected, STAGES_DSTS);
    }

    struct pcache_result res;
    struct pcache pc;

    ovs_assert(pcache_result_init(&res, DPS_FORWARD,
                                  UINT64_C(0xd000010000001234),
                                  STAGES_TTL_MS / 1000,
                                  "set_field:0x64->tun_id,"
                                  "set_field:172.31.0.3->tun_dst,output:1"));
    pcache_init(&pc);

    long long int t = 1000000;
    unsigned long long int k = 0;
    cache_run(&pc, &res, &t, &k, space, per_ms, STAGES_KEPT_MS + 1000, 0);
    if (pcache_count(&pc) != expected) {
        ovs_fatal(0, "%s: %"PRIuSIZE" entries after the warm-up, "
                  "expected %"PRIuSIZE, name, pcache_count(&pc), expected);
    }

    unsigned long long int expired = pc.stats.expired;
    long long int start = bench_monotonic_ns();
    r->n = cache_run(&pc, &res, &t, &k, space, per_ms, LLONG_MAX,
                     start + p->seconds * 1e9);
    r->seconds = (bench_monotonic_ns() - start) / 1e9;
    r->entries = pcache_count(&pc);
    if (r->entries != expected) {
        ovs_fatal(0, "%s: %"PRIuSIZE" entries at the end, expected "
                  "%"PRIuSIZE, name, r->entries, expected);
    }
    if (refresh && pc.stats.expired - expired != r->n) {
        ovs_fatal(0, "refresh: %llu entries forgotten in %llu installs, "
                  "expected as many", pc.stats.expired - expired, r->n);
    }
    pcache_destroy(&pc);
    pcache_result_uninit(&res);
}

/* Returns the nanoseconds each of 'r''s operations took. */
static double
stage_ns(const struct stage_result *r)
{
    return r->n ? r->seconds * 1e9 / r->n : 0;
}

/* Adds to 'top' the figures of cache stage 'name' ("cache" or
 * "refresh"). */
static void
put_cache_json(struct json *top, const char *name,
               const struct stage_result *r)
{
    bool cache = !strcmp(name, "cache");
    char *key;

    json_object_put(top, cache ? "installs" : "refreshes",
                    json_integer_create(r->n));
    key = xasprintf("%s_seconds", name);
    json_object_put(top, key, json_real_create(r->seconds));
    free(key);
    key = xasprintf("%s_ns", name);
    json_object_put(top, key, json_real_create(stage_ns(r)));
    free(key);
    json_object_put(top, cache ? "entries" : "refresh_entries",
                    json_integer_create(r->entries));
}

static void
stages_report(const struct stages_params *p, const struct stage_result *d,
              const struct stage_result *c, const struct stage_result *f)
{
    if (p->json) {
        struct json *top = json_object_create();

        if (p->decode) {
            json_object_put(top, "decodes", json_integer_create(d->n));
            json_object_put(top, "decode_seconds",
                            json_real_create(d->seconds));
            json_object_put(top, "decode_ns", json_real_create(stage_ns(d)));
        }
        if (p->cache) {
            put_cache_json(top, "cache", c);
        }
        if (p->refresh) {
            put_cache_json(top, "refresh", f);
        }
        char *s = json_to_string(top, JSSF_SORT);
        puts(s);
        free(s);
        json_destroy(top);
    } else {
        if (p->decode) {
            printf("decode: %llu policy-miss packet-ins in %.3f s: %.1f ns "
                   "each\n", d->n, d->seconds, stage_ns(d));
        }
        if (p->cache) {
            printf("cache: %llu installs in %.3f s at %"PRIuSIZE" entries: "
                   "%.1f ns each (prefetch, lookup, install, expiry)\n",
                   c->n, c->seconds, c->entries, stage_ns(c));
        }
        if (p->refresh) {
            printf("refresh: %llu installs in %.3f s at %"PRIuSIZE" entries: "
                   "%.1f ns each (prefetch, lookup, install, expiry)\n",
                   f->n, f->seconds, f->entries, stage_ns(f));
        }
    }
    fflush(stdout);
}

static void
stages_parse(int argc, char *argv[], struct stages_params *p)
{
    enum {
        OPT_SECONDS = UCHAR_MAX + 1,
        OPT_ENTRIES,
        OPT_STAGE,
        OPT_FORMAT,
    };
    static const struct option long_options[] = {
        {"seconds", required_argument, NULL, OPT_SECONDS},
        {"entries", required_argument, NULL, OPT_ENTRIES},
        {"stage", required_argument, NULL, OPT_STAGE},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };

    p->seconds = 2;
    p->entries = 1000000;
    p->decode = p->cache = p->refresh = true;
    p->json = false;

    optind = 0;
    for (;;) {
        int c = getopt_long(argc, argv, "h", long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case OPT_SECONDS:
            if (!str_to_double(optarg, &p->seconds) || p->seconds <= 0
                || p->seconds > 3600) {
                ovs_fatal(0, "--seconds=%s: expected a number of seconds "
                          "above 0, at most 3600", optarg);
            }
            break;
        case OPT_ENTRIES:
            if (!str_to_uint(optarg, 10, &p->entries)
                || p->entries < STAGES_KEPT_MS
                || p->entries > 100000000) {
                ovs_fatal(0, "--entries=%s: expected from %d to "
                          "100000000", optarg, STAGES_KEPT_MS);
            }
            break;
        case OPT_STAGE:
            p->decode = !strcmp(optarg, "decode");
            p->cache = !strcmp(optarg, "cache");
            p->refresh = !strcmp(optarg, "refresh");
            if (!strcmp(optarg, "all")) {
                p->decode = p->cache = p->refresh = true;
            } else if (!p->decode && !p->cache && !p->refresh) {
                ovs_fatal(0, "--stage=%s: expected all, decode, cache or "
                          "refresh", optarg);
            }
            break;
        case OPT_FORMAT:
            p->json = bench_parse_format(optarg);
            break;
        case 'h':
            stages_usage();
        case '?':
            exit(EXIT_FAILURE);
        default:
            OVS_NOT_REACHED();
        }
    }
    if (optind != argc) {
        ovs_fatal(0, "stages: unexpected argument \"%s\"", argv[optind]);
    }
}

static void
stages_usage(void)
{
    printf("%s stages: what decoding a policy miss and caching its answer "
           "cost on one core\n"
           "usage: %s stages [OPTIONS]   (pin it: taskset -c CPU ...)\n"
           "\nOptions:\n"
           "  --stage=all|decode|cache|refresh  which to time "
           "(default: all)\n"
           "  --seconds=S          time each stage for S seconds "
           "(default: 2)\n"
           "  --entries=N          entries the cache stages keep "
           "(default: 1000000)\n"
           "  --format=text|json   output format (default: text)\n",
           program_name, program_name);
    exit(EXIT_SUCCESS);
}
