/*
 * bench: the subcommands of dovetail-bench that live outside
 * dovetail-bench.c, one file each.
 */
#ifndef UTILITIES_BENCH_H
#define UTILITIES_BENCH_H 1

#include <stdbool.h>

struct ovs_cmdl_context;

/* Parses the argument of --format (text|json): true for json. */
bool bench_parse_format(const char *);

/* "flowmod": flow_mod installation rate of a running ovs-vswitchd, see
 * utilities/bench-flowmod.c. */
void bench_flowmod(struct ovs_cmdl_context *);

/* "policy": policy resolutions per second of a running dovetail-controller
 * (or table-miss answers of ovs-testcontroller) over emulated switches,
 * see utilities/bench-policy.c. */
void bench_policy(struct ovs_cmdl_context *);

/* "noise": how much of its core a spinning thread does not get (a floor
 * under any latency tail measured there), see utilities/bench-noise.c. */
void bench_noise(struct ovs_cmdl_context *);

/* Returns a monotonic time in nanoseconds. */
long long int bench_monotonic_ns(void);

/* Returns the CPU time the process has used so far, in nanoseconds. */
long long int bench_cpu_ns(void);

/* Returns the part of that time spent in the kernel, in nanoseconds. */
long long int bench_cpu_sys_ns(void);

#endif /* utilities/bench.h */
