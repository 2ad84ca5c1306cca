/*
 * dovetail-bench: benchmarks of dovetail's components, one subcommand per
 * benchmark (a struct ovs_cmdl_command table, like ovs-ofctl's).
 *
 *   resolve   The policy service (lib/dt-dps): loads a synthetic fabric
 *             of N endpoints and P policies straight through the dps API,
 *             reports the load time and the memory per endpoint (as the
 *             dps counts it and as the process's RSS grows), then calls
 *             dps_resolve_ip() in a tight loop on one thread for S
 *             seconds over a pre-generated pseudo-random sequence of
 *             (source endpoint, destination IP) pairs, then does the same
 *             with dps_resolve_ip_batch(), checking every answer against
 *             what the generator expects.
 *
 * The others live in a file each (utilities/bench.h): "flowmod"
 * (bench-flowmod.c), "policy" (bench-policy.c), "reflect"
 * (bench-reflect.c), "noise" (bench-noise.c) and "stages"
 * (bench-stages.c).
 *
 * Any wrong answer makes the exit status 1, so a small run doubles as a
 * test ("dovetail-bench resolve --endpoints=1000 --policies=100
 * --seconds=0.2").
 *
 * The synthetic fabric of "resolve", for E endpoints, N networks of D
 * domains each and P policies:
 *
 *   endpoint j       network j % N, domain (j / N) % D, IPv4 10.0.0.0 + j
 *                    + 1, a MAC, a port, hypervisor j / 50; except that
 *                    every 997th has no IP yet and every 1000th no
 *                    hypervisor
 *   per network      one external endpoint for 172.16.0.0/12 (domain 0),
 *                    actions W0..W3 (waypoints), allow and deny, and a
 *                    default policy unless n % 4 == 3 (implicit default)
 *   policy i         network i % N, from domain (i / N) / D to domain
 *                    (i / N) % D, so up to N * D * D distinct policies;
 *                    its actions a function of i (deny, allow, or 1 to 4
 *                    waypoints then allow)
 *   queries          1 in 64 to an address nobody has (11.0.0.0/8),
 *                    1 in 64 to the external prefix, the rest to a random
 *                    endpoint of the source's network
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "command-line.h"
#include "csum.h"
#include "hash.h"
#include "lib/dt-dps.h"
#include "openvswitch/util.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "timeval.h"
#include "util.h"
#include "utilities/bench.h"

VLOG_DEFINE_THIS_MODULE(dovetail_bench);

OVS_NO_RETURN static void usage(void);
static void parse_options(int argc, char *argv[]);
static const struct ovs_cmdl_command *get_all_commands(void);

int
main(int argc, char *argv[])
{
    struct ovs_cmdl_context ctx = { .argc = 0, };

    ovs_set_program_name(argv[0], "(dovetail) " DOVETAIL_VERSION);
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_WARN);
    parse_options(argc, argv);

    ctx.argc = argc - optind;
    ctx.argv = argv + optind;
    ovs_cmdl_run_command(&ctx, get_all_commands());
    return 0;
}

/* Parses the options before the subcommand (each subcommand parses its
 * own, after its name). */
static void
parse_options(int argc, char *argv[])
{
    enum {
        VLOG_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        VLOG_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    char *tmp = ovs_cmdl_long_options_to_short_options(long_options);
    char *short_options = xasprintf("+%s", tmp);   /* Stop at the command. */
    free(tmp);

    for (;;) {
        int c = getopt_long(argc, argv, short_options, long_options, NULL);
        if (c == -1) {
            break;
        }

        switch (c) {
        case 'h':
            usage();

        case 'V':
            ovs_print_version(0, 0);
            exit(EXIT_SUCCESS);

        VLOG_OPTION_HANDLERS

        case '?':
            exit(EXIT_FAILURE);

        default:
            OVS_NOT_REACHED();
        }
    }
    free(short_options);
}

/* Prints the usage message and exits successfully. */
static void
usage(void)
{
    printf("%s: dovetail benchmarks\n"
           "usage: %s [OPTIONS] COMMAND [ARG...]\n"
           "\nCommands:\n"
           "  resolve [--endpoints=N] [--policies=N] [--domains=N]\n"
           "          [--networks=N] [--seconds=S] [--batch=B]\n"
           "          [--format=text|json]\n"
           "      load N endpoints and P policies into a policy service,\n"
           "      report memory per endpoint, and time dps_resolve_ip()\n"
           "      on one thread for S seconds, then dps_resolve_ip_batch()\n"
           "      B at a time, checking every answer (defaults: 1000000\n"
           "      endpoints, 100000 policies, 10 networks of 100 domains,\n"
           "      3 seconds, batches of 16, text)\n"
           "  flowmod [--flows=N] [--mode=MODE]... [--bundle-size=N]\n"
           "          [--table=N] [--format=text|json] VCONN\n"
           "      install N flows into table N of the switch at VCONN one\n"
           "      flow_mod at a time and in bundles, with and without\n"
           "      hard_timeout, and delete them in bundles; report\n"
           "      flow_mods per second for each (\"flowmod --help\")\n"
           "  policy [--switches=N] [--endpoints=E] [--domains=D]\n"
           "         [--rate=R] [--target=dovetail|reflect|testcontroller]\n"
           "         ...\n"
           "         unix:FILE|tcp:IP[:PORT]\n"
           "      emulate N switches sending policy-miss packet-ins to\n"
           "      the controller at the address, check every answer, and\n"
           "      report resolutions/s (closed loop) or latency at R\n"
           "      requests/s (open loop) (\"policy --help\")\n"
           "  reflect [--ttl=S] [--vni=VNI] [--detach] PSTREAM...\n"
           "      a controller that answers the policy misses of \"policy\n"
           "      --target=reflect\" without resolving them: the floor\n"
           "      under what a controller costs here (\"reflect --help\")\n"
           "  noise [--seconds=S] [--threshold=US] [--format=text|json]\n"
           "      spin on the core it is pinned to for S seconds and\n"
           "      report the gaps over US microseconds (default 100) in\n"
           "      which it did not run: a floor under any latency tail\n"
           "      measured on that core (\"noise --help\")\n"
           "  stages [--stage=all|decode|cache] [--entries=N]\n"
           "         [--seconds=S] [--format=text|json]\n"
           "      time decoding a policy-miss packet-in and a policy\n"
           "      cache of N entries answering misses, each alone on\n"
           "      one core (\"stages --help\")\n",
           program_name, program_name);
    vlog_usage();
    printf("\nOther options:\n"
           "  -h, --help                  display this help message\n"
           "  -V, --version               display version information\n");
    exit(EXIT_SUCCESS);
}

/* The "resolve" benchmark. */

/* Endpoints per hypervisor. */
#define RESOLVE_PER_HYPERVISOR 50

/* Waypoint actions per network. */
#define RESOLVE_N_WAYPOINTS 4

/* The parameters of a "resolve" run. */
struct resolve_params {
    unsigned int n_endpoints;   /* Internal endpoints (externals extra). */
    unsigned int n_policies;    /* Explicit policies (defaults extra). */
    unsigned int n_domains;     /* Per network. */
    unsigned int n_networks;    /* Virtual networks. */
    double seconds;             /* Time to resolve for, per mode. */
    size_t batch;               /* Batch size, 1 for no batched run. */
    bool json;                  /* --format=json. */
};

/* The expected answer to one query. */
struct resolve_answer {
    const struct dps_endpoint *dst;         /* Destination or NULL. */
    uint64_t tracking_number;               /* 0 if none applies. */
    uint8_t verdict;                        /* enum dps_verdict. */
    uint8_t n_waypoints;                    /* Waypoints on the path. */
};

/* Pre-generated requests and the answers they must get, as parallel
 * arrays ('srcs' and 'dst_ips' are what dps_resolve_ip_batch() takes). */
struct resolve_queries {
    size_t n;                               /* A power of 2. */
    const struct dps_endpoint **srcs;       /* Source endpoints. */
    struct in6_addr *dst_ips;               /* Destination addresses. */
    struct resolve_answer *answers;         /* What each must resolve to. */
};

/* What one timed run of resolutions measured. */
struct resolve_run {
    uint64_t n_resolved;                    /* Resolutions made. */
    uint64_t n_wrong;                       /* Wrong answers among them. */
    uint64_t n_verdicts[3];                 /* By enum dps_verdict. */
    double seconds;                         /* Time taken. */
};

/* The answer the synthetic fabric's policies give. */
struct resolve_expect {
    enum dps_verdict verdict;   /* DPS_FORWARD or DPS_DENY. */
    uint64_t tracking_number;   /* Of the deciding policy, 0 if implicit. */
    size_t n_waypoints;         /* On the path (0 for a deny). */
};

static void resolve_parse(int argc, char *argv[], struct resolve_params *);
static void resolve_load(struct dps *, const struct resolve_params *);
static void resolve_generate(const struct dps *,
                             const struct resolve_params *,
                             struct resolve_queries *);
static void resolve_run(const struct dps *, const struct resolve_queries *,
                        double seconds, size_t batch, struct resolve_run *);
static void resolve_check(const struct resolve_queries *, size_t q,
                          const struct dps_resolution *,
                          struct resolve_run *);
static struct resolve_expect resolve_expect(const struct resolve_params *,
                                            unsigned int network,
                                            unsigned int src_domain,
                                            unsigned int dst_domain);
static size_t policy_actions(unsigned int policy, unsigned int actions[]);
static struct uuid bench_uuid(unsigned int kind, unsigned int index);
static bool endpoint_has_ip(unsigned int j);
static bool endpoint_has_location(unsigned int j);
static unsigned int endpoint_domain(const struct resolve_params *,
                                    unsigned int j);
static uint64_t random_next(uint64_t *state);
static size_t rss_bytes(void);

/* Object kinds, for bench_uuid(). */
enum {
    KIND_NETWORK = 1, KIND_HYPERVISOR, KIND_DOMAIN, KIND_ACTION,
    KIND_POLICY, KIND_ENDPOINT, KIND_EXTERNAL,
};

/* "resolve": loads the synthetic fabric, measures memory, resolves for
 * --seconds one at a time and then in batches, prints the results and
 * exits with status 1 if any answer was wrong. */
static void
bench_resolve(struct ovs_cmdl_context *ctx)
{
    struct resolve_params p;
    struct dps_stats stats;

    resolve_parse(ctx->argc, ctx->argv, &p);

    /* Load. */
    size_t rss_before = rss_bytes();
    long long int start = bench_monotonic_ns();
    struct dps *dps = dps_create();
    resolve_load(dps, &p);
    double load_seconds = (bench_monotonic_ns() - start) / 1e9;
    size_t rss_after = rss_bytes();
    dps_get_stats(dps, &stats);

    double dps_per_ep = (double) stats.bytes / stats.n_endpoints;
    double rss_per_ep = ((double) (rss_after > rss_before
                                   ? rss_after - rss_before : 0)
                         / stats.n_endpoints);

    /* Resolve: one request at a time, then in batches. */
    struct resolve_queries queries;
    queries.n = MIN(1u << 20, MAX(4096, ROUND_UP_POW2(4 * p.n_endpoints)));
    fprintf(stderr, "generating %"PRIuSIZE" queries...\n", queries.n);
    resolve_generate(dps, &p, &queries);

    struct resolve_run single, batched;
    resolve_run(dps, &queries, p.seconds, 1, &single);
    memset(&batched, 0, sizeof batched);
    if (p.batch > 1) {
        resolve_run(dps, &queries, p.seconds, p.batch, &batched);
    }
    uint64_t n_wrong = single.n_wrong + batched.n_wrong;
    uint64_t n_forward = (single.n_verdicts[DPS_FORWARD]
                          + batched.n_verdicts[DPS_FORWARD]);
    uint64_t n_deny = (single.n_verdicts[DPS_DENY]
                       + batched.n_verdicts[DPS_DENY]);
    uint64_t n_unknown = (single.n_verdicts[DPS_UNKNOWN]
                          + batched.n_verdicts[DPS_UNKNOWN]);
    double rate = single.n_resolved / single.seconds;
    double batch_rate = (p.batch > 1
                         ? batched.n_resolved / batched.seconds : 0);

    if (p.json) {
        printf("{\"endpoints\": %"PRIuSIZE", \"policies\": %"PRIuSIZE", "
               "\"networks\": %"PRIuSIZE", \"domains\": %"PRIuSIZE", "
               "\"hypervisors\": %"PRIuSIZE", \"ips\": %"PRIuSIZE", "
               "\"load_seconds\": %.3f, \"dps_bytes\": %"PRIuSIZE", "
               "\"dps_bytes_per_endpoint\": %.1f, "
               "\"rss_bytes_per_endpoint\": %.1f, "
               "\"resolutions\": %"PRIu64", \"seconds\": %.3f, "
               "\"resolutions_per_second\": %.0f, "
               "\"batch\": %"PRIuSIZE", \"batch_resolutions\": %"PRIu64
               ", \"batch_seconds\": %.3f, "
               "\"batch_resolutions_per_second\": %.0f, "
               "\"forward\": %"PRIu64", \"deny\": %"PRIu64", "
               "\"unknown\": %"PRIu64", \"wrong\": %"PRIu64"}\n",
               stats.n_endpoints, stats.n_policies, stats.n_networks,
               stats.n_domains, stats.n_hypervisors, stats.n_ips,
               load_seconds, stats.bytes, dps_per_ep, rss_per_ep,
               single.n_resolved, single.seconds, rate,
               p.batch, batched.n_resolved, batched.seconds, batch_rate,
               n_forward, n_deny, n_unknown, n_wrong);
    } else {
        printf("dps: %"PRIuSIZE" endpoints (%"PRIuSIZE" IPs), %"PRIuSIZE
               " policies, %"PRIuSIZE" networks, %"PRIuSIZE" domains, %"
               PRIuSIZE" hypervisors\n",
               stats.n_endpoints, stats.n_ips, stats.n_policies,
               stats.n_networks, stats.n_domains, stats.n_hypervisors);
        printf("load: %.3f s (%.0f endpoints/s)\n", load_seconds,
               stats.n_endpoints / MAX(load_seconds, 1e-9));
        printf("memory: %.1f bytes/endpoint counted by the dps "
               "(%"PRIuSIZE" bytes), %.1f bytes/endpoint of RSS growth\n",
               dps_per_ep, stats.bytes, rss_per_ep);
        printf("resolve: %"PRIu64" dps_resolve_ip() in %.3f s on one "
               "thread: %.0f resolutions/s\n",
               single.n_resolved, single.seconds, rate);
        if (p.batch > 1) {
            printf("resolve batch: %"PRIu64" in batches of %"PRIuSIZE
                   " (dps_resolve_ip_batch()) in %.3f s on one thread: "
                   "%.0f resolutions/s\n", batched.n_resolved, p.batch,
                   batched.seconds, batch_rate);
        }
        printf("answers: %"PRIu64" forward, %"PRIu64" deny, %"PRIu64
               " unknown, %"PRIu64" wrong\n",
               n_forward, n_deny, n_unknown, n_wrong);
    }

    free(queries.srcs);
    free(queries.dst_ips);
    free(queries.answers);
    dps_destroy(dps);
    if (n_wrong) {
        ovs_fatal(0, "%"PRIu64" wrong answers", n_wrong);
    }
}

/* Resolves 'queries' over and over for 'seconds' (at least 1024 of
 * them), with dps_resolve_ip() if 'batch' is 1, otherwise with
 * dps_resolve_ip_batch() 'batch' at a time, checking every answer.
 * Reports in '*run'. */
static void
resolve_run(const struct dps *dps, const struct resolve_queries *queries,
            double seconds, size_t batch, struct resolve_run *run)
{
    struct dps_resolution res[256];
    size_t q = 0;

    ovs_assert(batch >= 1 && batch <= ARRAY_SIZE(res));
    memset(run, 0, sizeof *run);

    long long int start = bench_monotonic_ns();
    long long int deadline = start + seconds * 1e9;
    do {
        if (batch == 1) {
            for (int i = 0; i < 1024; i++) {
                dps_resolve_ip(dps, queries->srcs[q], &queries->dst_ips[q],
                               &res[0]);
                resolve_check(queries, q, &res[0], run);
                q = (q + 1) & (queries->n - 1);
            }
            run->n_resolved += 1024;
        } else {
            for (int i = 0; i < 1024; i += batch) {
                size_t n = MIN(batch, queries->n - q);

                dps_resolve_ip_batch(dps, n, &queries->srcs[q],
                                     &queries->dst_ips[q], res);
                for (size_t k = 0; k < n; k++) {
                    resolve_check(queries, q + k, &res[k], run);
                }
                run->n_resolved += n;
                q = (q + n) & (queries->n - 1);
            }
        }
    } while (bench_monotonic_ns() < deadline);
    run->seconds = (bench_monotonic_ns() - start) / 1e9;
}

/* Checks 'res', the answer to query 'q', and counts it in '*run'. */
static void
resolve_check(const struct resolve_queries *queries, size_t q,
              const struct dps_resolution *res, struct resolve_run *run)
{
    const struct resolve_answer *a = &queries->answers[q];

    run->n_verdicts[res->verdict]++;
    if (OVS_LIKELY(res->verdict == a->verdict && res->dst == a->dst
                   && res->tracking_number == a->tracking_number
                   && res->n_waypoints == a->n_waypoints)) {
        return;
    }
    if (++run->n_wrong <= 10) {
        char buf[INET6_ADDRSTRLEN];

        fprintf(stderr, "wrong answer from %s to %s: verdict %d, "
                "destination %s, tracking %"PRIu64", %"PRIuSIZE
                " waypoints; expected %d, %s, %"PRIu64", %d\n",
                dps_endpoint_name(queries->srcs[q]),
                inet_ntop(AF_INET6, &queries->dst_ips[q], buf, sizeof buf),
                res->verdict, res->dst ? dps_endpoint_name(res->dst) : "none",
                res->tracking_number, res->n_waypoints, a->verdict,
                a->dst ? dps_endpoint_name(a->dst) : "none",
                a->tracking_number, a->n_waypoints);
    }
}

/* Parses the "resolve" options in 'argv' (argv[0] is "resolve"). */
static void
resolve_parse(int argc, char *argv[], struct resolve_params *p)
{
    enum {
        OPT_ENDPOINTS = UCHAR_MAX + 1,
        OPT_POLICIES,
        OPT_DOMAINS,
        OPT_NETWORKS,
        OPT_SECONDS,
        OPT_FORMAT,
        OPT_BATCH,
    };
    static const struct option long_options[] = {
        {"endpoints", required_argument, NULL, OPT_ENDPOINTS},
        {"policies", required_argument, NULL, OPT_POLICIES},
        {"domains", required_argument, NULL, OPT_DOMAINS},
        {"networks", required_argument, NULL, OPT_NETWORKS},
        {"seconds", required_argument, NULL, OPT_SECONDS},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"batch", required_argument, NULL, OPT_BATCH},
        {NULL, 0, NULL, 0},
    };

    p->n_endpoints = 1000000;
    p->n_policies = 100000;
    p->n_domains = 100;
    p->n_networks = 10;
    p->seconds = 3;
    p->batch = DPS_BATCH;
    p->json = false;

    optind = 0;                 /* Restart getopt on the new argv. */
    for (;;) {
        int c = getopt_long(argc, argv, "+", long_options, NULL);
        unsigned int *count = NULL;

        if (c == -1) {
            break;
        }
        switch (c) {
        case OPT_ENDPOINTS:
            count = &p->n_endpoints;
            break;
        case OPT_POLICIES:
            count = &p->n_policies;
            break;
        case OPT_DOMAINS:
            count = &p->n_domains;
            break;
        case OPT_NETWORKS:
            count = &p->n_networks;
            break;
        case OPT_SECONDS:
            if (!str_to_double(optarg, &p->seconds) || p->seconds < 0
                || p->seconds > 86400) {
                ovs_fatal(0, "--seconds=%s: expected a number of seconds "
                          "from 0 to 86400", optarg);
            }
            break;
        case OPT_BATCH: {
            unsigned int batch;
            if (!str_to_uint(optarg, 10, &batch) || batch < 1
                || batch > 256) {
                ovs_fatal(0, "--batch=%s: expected a batch size from 1 "
                          "(no batched run) to 256", optarg);
            }
            p->batch = batch;
            break;
        }
        case OPT_FORMAT:
            p->json = bench_parse_format(optarg);
            break;
        case '?':
            exit(EXIT_FAILURE);
        default:
            OVS_NOT_REACHED();
        }
        if (count && !str_to_uint(optarg, 10, count)) {
            ovs_fatal(0, "%s: expected a nonnegative integer",
                      argv[optind - 1]);
        }
    }
    if (optind != argc) {
        ovs_fatal(0, "resolve: unexpected argument \"%s\"", argv[optind]);
    }

    /* Every endpoint gets a distinct address in 10.0.0.0/8. */
    if (p->n_endpoints < 1 || p->n_endpoints > (1u << 24) - 2) {
        ovs_fatal(0, "--endpoints must be from 1 to %u", (1u << 24) - 2);
    }
    if (p->n_networks < 1 || p->n_networks > 4096) {
        ovs_fatal(0, "--networks must be from 1 to 4096");
    }
    if (p->n_domains < 1 || p->n_domains > 65536) {
        ovs_fatal(0, "--domains must be from 1 to 65536");
    }
    uint64_t max_policies = ((uint64_t) p->n_networks * p->n_domains
                             * p->n_domains);
    if (p->n_policies > max_policies) {
        ovs_fatal(0, "--policies=%u: %u networks of %u domains have only "
                  "%"PRIu64" domain pairs", p->n_policies, p->n_networks,
                  p->n_domains, max_policies);
    }
}

/* Fills 'dps' with the synthetic fabric that 'p' describes, reporting
 * progress on stderr. */
static void
resolve_load(struct dps *dps, const struct resolve_params *p)
{
    unsigned int n_hypervisors = DIV_ROUND_UP(p->n_endpoints,
                                              RESOLVE_PER_HYPERVISOR);
    char name[64];

    /* Networks, and in each: domains, actions, a default policy, an
     * external endpoint. */
    for (unsigned int n = 0; n < p->n_networks; n++) {
        struct uuid net = bench_uuid(KIND_NETWORK, n);

        snprintf(name, sizeof name, "net%u", n);
        dps_network_set(dps, &net, name, 1000 + n);
        for (unsigned int d = 0; d < p->n_domains; d++) {
            struct uuid domain = bench_uuid(KIND_DOMAIN,
                                            n * p->n_domains + d);
            snprintf(name, sizeof name, "dom%u", d);
            dps_domain_set(dps, &domain, &net, name);
        }
        for (unsigned int a = 0; a < RESOLVE_N_WAYPOINTS + 2; a++) {
            struct uuid action = bench_uuid(KIND_ACTION,
                                            n * (RESOLVE_N_WAYPOINTS + 2)
                                            + a);
            if (a < RESOLVE_N_WAYPOINTS) {
                char location[32];
                snprintf(name, sizeof name, "W%u", a);
                snprintf(location, sizeof location, "192.168.%u.%u",
                         n % 256, a + 1);
                dps_action_set(dps, &action, &net, name,
                               DPS_ACTION_WAYPOINT, location);
            } else {
                bool allow = a == RESOLVE_N_WAYPOINTS;
                dps_action_set(dps, &action, &net, allow ? "allow" : "deny",
                               allow ? DPS_ACTION_ALLOW : DPS_ACTION_DENY,
                               NULL);
            }
        }
        if (n % 4 != 3) {
            struct uuid default_uuid = bench_uuid(KIND_POLICY,
                                                  p->n_policies + n);
            struct uuid actions[2];
            size_t n_actions = 0;

            /* Even networks: allow; odd: W0 then allow. */
            if (n % 2) {
                actions[n_actions++] = bench_uuid(
                    KIND_ACTION, n * (RESOLVE_N_WAYPOINTS + 2));
            }
            actions[n_actions++] = bench_uuid(
                KIND_ACTION, n * (RESOLVE_N_WAYPOINTS + 2)
                + RESOLVE_N_WAYPOINTS);
            dps_policy_set(dps, &default_uuid, &net, NULL, NULL,
                           actions, n_actions, 300, 1);
        }
    }

    for (unsigned int h = 0; h < n_hypervisors; h++) {
        struct uuid hv = bench_uuid(KIND_HYPERVISOR, h);
        snprintf(name, sizeof name, "hv%u", h);
        dps_hypervisor_set(dps, &hv, name, h + 1, htonl(0xac100000 + h));
    }

    /* Policies. */
    for (unsigned int i = 0; i < p->n_policies; i++) {
        unsigned int n = i % p->n_networks;
        unsigned int pair = i / p->n_networks;
        struct uuid src = bench_uuid(KIND_DOMAIN, (n * p->n_domains
                                                   + pair / p->n_domains));
        struct uuid dst = bench_uuid(KIND_DOMAIN, (n * p->n_domains
                                                   + pair % p->n_domains));
        struct uuid net = bench_uuid(KIND_NETWORK, n);
        struct uuid policy = bench_uuid(KIND_POLICY, i);
        unsigned int indexes[DPS_MAX_ACTIONS];
        struct uuid actions[DPS_MAX_ACTIONS];
        size_t n_actions = policy_actions(i, indexes);

        for (size_t a = 0; a < n_actions; a++) {
            actions[a] = bench_uuid(KIND_ACTION,
                                    n * (RESOLVE_N_WAYPOINTS + 2)
                                    + indexes[a]);
        }
        dps_policy_set(dps, &policy, &net, &src, &dst, actions, n_actions,
                       60 + i % 300, i + 1);
    }

    /* External endpoints. */
    for (unsigned int n = 0; n < p->n_networks; n++) {
        struct uuid hv = bench_uuid(KIND_HYPERVISOR, 0);
        struct uuid domain = bench_uuid(KIND_DOMAIN, n * p->n_domains);
        struct dps_endpoint_spec spec;

        memset(&spec, 0, sizeof spec);
        snprintf(name, sizeof name, "ext%u", n);
        spec.name = name;
        spec.network = bench_uuid(KIND_NETWORK, n);
        spec.domain = &domain;
        spec.hypervisor = &hv;
        spec.is_external = true;
        in6_addr_set_mapped_ipv4(&spec.prefix, htonl(0xac100000));
        spec.plen = 96 + 12;
        struct uuid uuid = bench_uuid(KIND_EXTERNAL, n);
        dps_endpoint_set(dps, &uuid, &spec);
    }

    /* Endpoints. */
    bool tty = isatty(STDERR_FILENO);
    unsigned int step = MAX(1, p->n_endpoints / 10);
    for (unsigned int j = 0; j < p->n_endpoints; j++) {
        struct uuid domain = bench_uuid(KIND_DOMAIN,
                                        (j % p->n_networks) * p->n_domains
                                        + endpoint_domain(p, j));
        struct uuid hv = bench_uuid(KIND_HYPERVISOR,
                                    j / RESOLVE_PER_HYPERVISOR);
        struct dps_endpoint_spec spec;
        struct in6_addr ip;
        char port[32];

        memset(&spec, 0, sizeof spec);
        snprintf(name, sizeof name, "vm%07u", j);
        snprintf(port, sizeof port, "tap%07u", j);
        spec.name = name;
        spec.network = bench_uuid(KIND_NETWORK, j % p->n_networks);
        spec.domain = &domain;
        spec.has_mac = true;
        spec.mac = (struct eth_addr) { .ea = { 0x02, 0x00, j >> 24, j >> 16,
                                               j >> 8, j } };
        if (endpoint_has_ip(j)) {
            in6_addr_set_mapped_ipv4(&ip, htonl(0x0a000001 + j));
            spec.ips = &ip;
            spec.n_ips = 1;
        }
        spec.hypervisor = endpoint_has_location(j) ? &hv : NULL;
        spec.port = port;
        struct uuid uuid = bench_uuid(KIND_ENDPOINT, j);
        dps_endpoint_set(dps, &uuid, &spec);

        if ((j + 1) % step == 0 || j + 1 == p->n_endpoints) {
            fprintf(stderr, "%sloading: %u/%u endpoints%s",
                    tty ? "\r" : "", j + 1, p->n_endpoints,
                    tty && j + 1 < p->n_endpoints ? "" : "\n");
        }
    }
}

/* Fills 'queries' (whose 'n' is set) with pseudo-random queries over the
 * fabric in 'dps', each with its expected answer. */
static void
resolve_generate(const struct dps *dps, const struct resolve_params *p,
                 struct resolve_queries *queries)
{
    uint64_t state = 0x9e3779b97f4a7c15ULL;

    queries->srcs = xmalloc(queries->n * sizeof *queries->srcs);
    queries->dst_ips = xmalloc(queries->n * sizeof *queries->dst_ips);
    queries->answers = xmalloc(queries->n * sizeof *queries->answers);
    for (size_t i = 0; i < queries->n; i++) {
        struct in6_addr *dst_ip = &queries->dst_ips[i];
        struct resolve_answer *answer = &queries->answers[i];
        unsigned int j = random_next(&state) % p->n_endpoints;
        unsigned int n = j % p->n_networks;
        unsigned int kind = random_next(&state) % 64;
        uint32_t r = random_next(&state);
        struct uuid uuid = bench_uuid(KIND_ENDPOINT, j);
        struct resolve_expect expect = { DPS_UNKNOWN, 0, 0 };

        queries->srcs[i] = dps_find_endpoint(dps, &uuid);
        ovs_assert(queries->srcs[i]);
        answer->dst = NULL;
        if (kind == 0) {
            /* Nobody has it. */
            in6_addr_set_mapped_ipv4(dst_ip,
                                     htonl(0x0b000000 | (r & 0xffffff)));
        } else if (kind == 1) {
            /* The network's external prefix, in domain 0. */
            uuid = bench_uuid(KIND_EXTERNAL, n);
            in6_addr_set_mapped_ipv4(dst_ip,
                                     htonl(0xac100000 | (r & 0xfffff)));
            answer->dst = dps_find_endpoint(dps, &uuid);
            expect = resolve_expect(p, n, endpoint_domain(p, j), 0);
        } else {
            /* An endpoint k of the same network: unknown if it has no
             * address yet or no location. */
            unsigned int n_same = (p->n_endpoints - n
                                   + p->n_networks - 1) / p->n_networks;
            unsigned int k = (r % n_same) * p->n_networks + n;

            uuid = bench_uuid(KIND_ENDPOINT, k);
            in6_addr_set_mapped_ipv4(dst_ip, htonl(0x0a000001 + k));
            if (endpoint_has_ip(k)) {
                answer->dst = dps_find_endpoint(dps, &uuid);
                if (endpoint_has_location(k)) {
                    expect = resolve_expect(p, n, endpoint_domain(p, j),
                                            endpoint_domain(p, k));
                }
            }
        }
        answer->verdict = expect.verdict;
        answer->tracking_number = expect.tracking_number;
        answer->n_waypoints = expect.n_waypoints;
    }
}

/* Returns the answer of the synthetic fabric's policies in network
 * 'network' from domain 'src_domain' to 'dst_domain'. */
static struct resolve_expect
resolve_expect(const struct resolve_params *p, unsigned int network,
               unsigned int src_domain, unsigned int dst_domain)
{
    struct resolve_expect expect = { DPS_FORWARD, 0, 0 };
    uint64_t pair = (uint64_t) src_domain * p->n_domains + dst_domain;
    uint64_t i = pair * p->n_networks + network;

    if (i < p->n_policies) {
        unsigned int actions[DPS_MAX_ACTIONS];
        size_t n_actions = policy_actions(i, actions);

        expect.tracking_number = i + 1;
        for (size_t a = 0; a < n_actions; a++) {
            if (actions[a] < RESOLVE_N_WAYPOINTS) {
                expect.n_waypoints++;
            } else if (actions[a] == RESOLVE_N_WAYPOINTS + 1) {
                expect.verdict = DPS_DENY;
                expect.n_waypoints = 0;
                break;
            }
        }
    } else if (network % 4 != 3) {
        expect.tracking_number = 1;
        expect.n_waypoints = network % 2;
    }
    return expect;
}

/* Stores in 'actions' the actions of policy 'i' (indexes within its
 * network: 0 to RESOLVE_N_WAYPOINTS - 1 are waypoints, then allow, then
 * deny) and returns how many. */
static size_t
policy_actions(unsigned int i, unsigned int actions[])
{
    unsigned int k = hash_int(i, 0) % 8;
    size_t n = 0;

    if (k == 0) {
        actions[n++] = 0;                           /* W0, deny. */
        actions[n++] = RESOLVE_N_WAYPOINTS + 1;
    } else if (k == 1) {
        actions[n++] = RESOLVE_N_WAYPOINTS;         /* allow. */
    } else {
        unsigned int n_waypoints = (k - 2) % RESOLVE_N_WAYPOINTS + 1;
        for (unsigned int w = 0; w < n_waypoints; w++) {
            actions[n++] = (i + w) % RESOLVE_N_WAYPOINTS;
        }
        actions[n++] = RESOLVE_N_WAYPOINTS;
    }
    return n;
}

/* Returns a UUID for object 'index' of 'kind', as random-looking in its
 * first word (the one hmaps hash on) as a real one. */
static struct uuid
bench_uuid(unsigned int kind, unsigned int index)
{
    struct uuid uuid = { .parts = { hash_2words(kind, index), kind, index,
                                    0xbe9c4 } };
    return uuid;
}

/* Returns true unless endpoint 'j' is one with no IP address yet. */
static bool
endpoint_has_ip(unsigned int j)
{
    return j % 997 != 996;
}

/* Returns true unless endpoint 'j' is one with no hypervisor. */
static bool
endpoint_has_location(unsigned int j)
{
    return j % 1000 != 999;
}

/* Returns the domain (within its network) of endpoint 'j'. */
static unsigned int
endpoint_domain(const struct resolve_params *p, unsigned int j)
{
    return (j / p->n_networks) % p->n_domains;
}

/* Subcommands. */

static void
bench_help(struct ovs_cmdl_context *ctx OVS_UNUSED)
{
    usage();
}

static void
bench_list_commands(struct ovs_cmdl_context *ctx OVS_UNUSED)
{
    ovs_cmdl_print_commands(get_all_commands());
}

static const struct ovs_cmdl_command all_commands[] = {
    { "resolve", "[--endpoints=N] [--policies=N] [--domains=N] "
      "[--networks=N] [--seconds=S] [--batch=B] [--format=text|json]",
      0, INT_MAX, bench_resolve, OVS_RO },
    { "flowmod", "[--flows=N] [--mode=MODE]... [--format=text|json] "
      "VCONN", 1, INT_MAX, bench_flowmod, OVS_RO },
    { "policy", "[--target=dovetail|reflect|testcontroller] [--db=DB] "
      "[--switches=N] [--endpoints=E] [--outstanding=K | --rate=R] "
      "[--requests=N | --seconds=S] [--format=text|json] REMOTE",
      1, INT_MAX, bench_policy, OVS_RO },
    { "reflect", "[--ttl=S] [--vni=VNI] [--detach] [--pidfile] PSTREAM...",
      0, INT_MAX, bench_reflect, OVS_RO },
    { "noise", "[--seconds=S] [--threshold=US] [--format=text|json]",
      0, INT_MAX, bench_noise, OVS_RO },
    { "stages", "[--stage=all|decode|cache] [--entries=N] [--seconds=S] "
      "[--format=text|json]", 0, INT_MAX, bench_stages, OVS_RO },
    { "help", NULL, 0, INT_MAX, bench_help, OVS_RO },
    { "list-commands", NULL, 0, INT_MAX, bench_list_commands, OVS_RO },
    { NULL, NULL, 0, 0, NULL, OVS_RO },
};

static const struct ovs_cmdl_command *
get_all_commands(void)
{
    return all_commands;
}

/* Utilities. */

/* Parses the argument of --format: returns true for "json", false for
 * "text", and exits with an error for anything else. */
bool
bench_parse_format(const char *arg)
{
    if (!strcmp(arg, "json")) {
        return true;
    } else if (strcmp(arg, "text")) {
        ovs_fatal(0, "--format=%s: expected text or json", arg);
    }
    return false;
}

/* xorshift64*: a fast generator, deterministic for a given seed. */
static uint64_t
random_next(uint64_t *state)
{
    uint64_t x = *state;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545f4914f6cdd1dULL;
}

size_t
bench_udp_packet(const struct eth_addr *src_mac, ovs_be32 src_ip,
                 const struct eth_addr *dst_mac, ovs_be32 dst_ip,
                 uint8_t packet[64])
{
    struct eth_header *eth = ALIGNED_CAST(struct eth_header *, packet);
    struct ip_header *ip = (struct ip_header *) (eth + 1);
    struct udp_header *udp = (struct udp_header *) (ip + 1);
    /* 61 bytes in all, a length that is not a multiple of 4, as a real
     * packet's may be: a packet-out of it leaves the message after it in
     * the controller's output misaligned, and the sanitizer build then
     * checks that the controller and the bench cope. */
    const size_t payload = 19;
    size_t len = sizeof *eth + sizeof *ip + sizeof *udp + payload;

    memset(packet, 0, 64);
    eth->eth_dst = *dst_mac;
    eth->eth_src = *src_mac;
    eth->eth_type = htons(ETH_TYPE_IP);
    ip->ip_ihl_ver = IP_IHL_VER(5, 4);
    ip->ip_tot_len = htons(len - sizeof *eth);
    ip->ip_ttl = 64;
    ip->ip_proto = IPPROTO_UDP;
    put_16aligned_be32(&ip->ip_src, src_ip);
    put_16aligned_be32(&ip->ip_dst, dst_ip);
    ip->ip_csum = csum(ip, sizeof *ip);
    udp->udp_src = htons(4000);
    udp->udp_dst = htons(5000);
    udp->udp_len = htons(sizeof *udp + payload);
    return len;
}

/* Returns a monotonic time in nanoseconds. */
long long int
bench_monotonic_ns(void)
{
    struct timespec ts;

    xclock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Returns the CPU time this process has used (user and system, all
 * threads), in nanoseconds. */
long long int
bench_cpu_ns(void)
{
    struct timespec ts;

    xclock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Returns the CPU time this process has used in the kernel, in
 * nanoseconds (with the kernel's accounting granularity). */
long long int
bench_cpu_sys_ns(void)
{
    struct rusage ru;

    if (getrusage(RUSAGE_SELF, &ru)) {
        return 0;
    }
    return ru.ru_stime.tv_sec * 1000000000LL + ru.ru_stime.tv_usec * 1000LL;
}

/* Returns the process's resident set size, from /proc/self/statm, or 0 if
 * it cannot be read. */
static size_t
rss_bytes(void)
{
    unsigned long long int size, resident;
    FILE *stream = fopen("/proc/self/statm", "r");
    size_t rss = 0;

    if (stream) {
        if (fscanf(stream, "%llu %llu", &size, &resident) == 2) {
            rss = resident * get_page_size();
        }
        fclose(stream);
    }
    return rss;
}
