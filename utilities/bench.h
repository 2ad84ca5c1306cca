/*
 * bench: the subcommands of dovetail-bench that live outside
 * dovetail-bench.c, one file each.
 */
#ifndef UTILITIES_BENCH_H
#define UTILITIES_BENCH_H 1

struct ovs_cmdl_context;

/* "flowmod": flow_mod installation rate of a running ovs-vswitchd, see
 * utilities/bench-flowmod.c. */
void bench_flowmod(struct ovs_cmdl_context *);

#endif /* utilities/bench.h */
