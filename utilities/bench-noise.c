/*
 * bench-noise: "dovetail-bench noise", how much of a core a spinning
 * thread does not get.
 *
 * A latency benchmark on a shared or virtual machine measures the machine
 * as much as the program: a request that arrives while the controller's
 * (or the bench's) core is taken by another task or by the hypervisor
 * waits for as long as the core is gone.  This command spins on the core
 * it is pinned to for --seconds, reading the monotonic clock, and reports
 * every gap between two readings longer than --threshold: how many, the
 * longest, and the share of the run they took.  That share is a floor
 * under the tail of any latency measured on that core: if 2% of the time
 * is lost in gaps over 100 us, about 2% of requests arriving at a steady
 * rate wait over 100 us, whatever the program does.  It also counts the
 * times another task preempted it (getrusage()) and the time the
 * hypervisor says it stole from its core (/proc/stat), to tell the two
 * apart.  utilities/dovetail-bench-policy.sh runs it on both cores next to
 * the policy benchmark; see Documentation/performance.rst.
 */
#include <config.h>

#include "utilities/bench.h"

#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "command-line.h"
#include "openvswitch/json.h"
#include "openvswitch/util.h"
#include "util.h"

/* The parameters of a "noise" run. */
struct noise_params {
    double seconds;             /* --seconds. */
    unsigned int threshold_us;  /* --threshold: a shorter gap is not
                                 * counted. */
    bool json;                  /* --format=json. */
};

/* What a run saw. */
struct noise_result {
    int cpu;                    /* The core it ran on, or -1. */
    double seconds;             /* How long it spun. */
    unsigned long long int gaps;        /* Gaps over the threshold... */
    unsigned long long int gaps_1ms;    /* ...over 1 ms... */
    unsigned long long int gaps_10ms;   /* ...and over 10 ms. */
    long long int max_gap_ns;           /* The longest gap. */
    long long int lost_ns;              /* All gaps over the threshold. */
    long int preemptions;       /* Involuntary context switches. */
    long long int steal_ms;     /* Stolen from 'cpu', -1 if unknown. */
};

static void noise_parse(int argc, char *argv[], struct noise_params *);
OVS_NO_RETURN static void noise_usage(void);
static long long int steal_ms(int cpu);
static void noise_report(const struct noise_params *,
                         const struct noise_result *);

/* "noise": see the top of the file. */
void
bench_noise(struct ovs_cmdl_context *ctx)
{
    struct noise_params p;
    struct noise_result r;
    struct rusage ru;

    noise_parse(ctx->argc, ctx->argv, &p);
    memset(&r, 0, sizeof r);
    r.cpu = sched_getcpu();

    long long int steal0 = steal_ms(r.cpu);
    getrusage(RUSAGE_SELF, &ru);
    long int nivcsw0 = ru.ru_nivcsw;

    long long int threshold_ns = p.threshold_us * 1000LL;
    long long int start = bench_monotonic_ns();
    long long int deadline = start + p.seconds * 1e9;
    long long int prev = start;
    while (prev < deadline) {
        long long int now = bench_monotonic_ns();
        long long int gap = now - prev;
        if (gap > threshold_ns) {
            r.gaps++;
            r.gaps_1ms += gap > 1000000;
            r.gaps_10ms += gap > 10000000;
            r.lost_ns += gap;
            r.max_gap_ns = MAX(r.max_gap_ns, gap);
        }
        prev = now;
    }
    r.seconds = (prev - start) / 1e9;

    getrusage(RUSAGE_SELF, &ru);
    r.preemptions = ru.ru_nivcsw - nivcsw0;
    long long int steal1 = steal_ms(r.cpu);
    r.steal_ms = steal0 >= 0 && steal1 >= 0 ? steal1 - steal0 : -1;

    noise_report(&p, &r);
}

static void
noise_report(const struct noise_params *p, const struct noise_result *r)
{
    double lost = r->lost_ns / 1e9 / MAX(r->seconds, 1e-9);

    if (p->json) {
        struct json *top = json_object_create();

        json_object_put(top, "cpu", json_integer_create(r->cpu));
        json_object_put(top, "seconds", json_real_create(r->seconds));
        json_object_put(top, "threshold_us",
                        json_integer_create(p->threshold_us));
        json_object_put(top, "gaps", json_integer_create(r->gaps));
        json_object_put(top, "gaps_over_1ms",
                        json_integer_create(r->gaps_1ms));
        json_object_put(top, "gaps_over_10ms",
                        json_integer_create(r->gaps_10ms));
        json_object_put(top, "max_gap_us",
                        json_real_create(r->max_gap_ns / 1e3));
        json_object_put(top, "lost_fraction", json_real_create(lost));
        json_object_put(top, "preemptions",
                        json_integer_create(r->preemptions));
        json_object_put(top, "steal_ms", json_integer_create(r->steal_ms));

        char *s = json_to_string(top, JSSF_SORT);
        puts(s);
        free(s);
        json_destroy(top);
    } else {
        printf("cpu %d, %.3f s: %llu gaps over %u us (%llu over 1 ms, "
               "%llu over 10 ms), the longest %.1f us; %.2f%% of the time "
               "lost\n", r->cpu, r->seconds, r->gaps, p->threshold_us,
               r->gaps_1ms, r->gaps_10ms, r->max_gap_ns / 1e3, lost * 100);
        printf("preempted by other tasks %ld times", r->preemptions);
        if (r->steal_ms >= 0) {
            printf("; %lld ms stolen by the hypervisor", r->steal_ms);
        }
        putchar('\n');
    }
    fflush(stdout);
}

/* Returns the time the hypervisor stole from 'cpu' so far, in ms, from
 * the "steal" column of /proc/stat, or -1 if it cannot be read. */
static long long int
steal_ms(int cpu)
{
    FILE *stream = fopen("/proc/stat", "r");
    long long int result = -1;
    char line[512];
    char name[32];

    if (!stream || cpu < 0) {
        if (stream) {
            fclose(stream);
        }
        return -1;
    }
    snprintf(name, sizeof name, "cpu%d ", cpu);
    while (fgets(line, sizeof line, stream)) {
        unsigned long long int v[8];
        if (!strncmp(line, name, strlen(name))
            && sscanf(line + strlen(name), "%llu %llu %llu %llu %llu %llu "
                      "%llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
                      &v[6], &v[7]) == 8) {
            long int hz = sysconf(_SC_CLK_TCK);
            result = hz > 0 ? v[7] * 1000 / hz : -1;
            break;
        }
    }
    fclose(stream);
    return result;
}

static void
noise_parse(int argc, char *argv[], struct noise_params *p)
{
    enum {
        OPT_SECONDS = UCHAR_MAX + 1,
        OPT_THRESHOLD,
        OPT_FORMAT,
    };
    static const struct option long_options[] = {
        {"seconds", required_argument, NULL, OPT_SECONDS},
        {"threshold", required_argument, NULL, OPT_THRESHOLD},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };

    p->seconds = 5;
    p->threshold_us = 100;
    p->json = false;

    optind = 0;
    for (;;) {
        int c = getopt_long(argc, argv, "h", long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case OPT_SECONDS:
            if (!str_to_double(optarg, &p->seconds) || p->seconds <= 0) {
                ovs_fatal(0, "--seconds=%s: expected a positive number of "
                          "seconds", optarg);
            }
            break;
        case OPT_THRESHOLD:
            if (!str_to_uint(optarg, 10, &p->threshold_us)
                || !p->threshold_us || p->threshold_us > 1000000) {
                ovs_fatal(0, "--threshold=%s: expected microseconds from 1 "
                          "to 1000000", optarg);
            }
            break;
        case OPT_FORMAT:
            p->json = bench_parse_format(optarg);
            break;
        case 'h':
            noise_usage();
        case '?':
            exit(EXIT_FAILURE);
        default:
            OVS_NOT_REACHED();
        }
    }
    if (optind != argc) {
        ovs_fatal(0, "noise: unexpected argument \"%s\"", argv[optind]);
    }
}

static void
noise_usage(void)
{
    printf("%s noise: how much of its core a spinning thread does not get\n"
           "usage: %s noise [OPTIONS]   (pin it: taskset -c CPU ...)\n"
           "\nOptions:\n"
           "  --seconds=S          spin for S seconds (default: 5)\n"
           "  --threshold=US       count gaps over US microseconds "
           "(default: 100)\n"
           "  --format=text|json   output format (default: text)\n",
           program_name, program_name);
    exit(EXIT_SUCCESS);
}
