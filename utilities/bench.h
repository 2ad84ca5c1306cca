/*
 * bench: the subcommands of dovetail-bench that live outside
 * dovetail-bench.c, one file each.
 */
#ifndef UTILITIES_BENCH_H
#define UTILITIES_BENCH_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "openvswitch/types.h"

struct eth_addr;
struct ofpbuf;
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

/* "reflect": a controller that answers the policy misses of
 * "dovetail-bench policy --target=reflect" without resolving them, see
 * utilities/bench-reflect.c. */
void bench_reflect(struct ovs_cmdl_context *);

/* The cookie of every answer "reflect" gives. */
#define BENCH_REFLECT_COOKIE UINT64_C(0x7ef1ec7000000000)

/* What "reflect" copies from a policy-miss packet-in of the bench into its
 * answer, and where (utilities/bench-policy.c). */
struct bench_reflection {
    struct ofpbuf *pin;         /* Every request's packet-in is this one */
    size_t pin_same;            /* with the same first 'pin_same' bytes but
                                 * for the xid, the same length, */
    size_t pin_domain_ofs;      /* reg1 (be32) here, */
    size_t pin_dst_ofs;         /* and the packet's nw_dst (be32) here. */
    struct ofpbuf *answer;      /* Its answer (a flow_mod), with the same */
    size_t answer_domain_ofs;   /* reg1 written here, */
    size_t answer_dst_ofs;      /* and the same nw_dst here. */
};
void bench_policy_reflection(unsigned int vni, unsigned int ttl,
                             struct bench_reflection *);

/* "noise": how much of its core a spinning thread does not get (a floor
 * under any latency tail measured there), see utilities/bench-noise.c. */
void bench_noise(struct ovs_cmdl_context *);

/* "stages": what decoding a policy miss and caching its answer cost on one
 * core, each alone, see utilities/bench-stages.c. */
void bench_stages(struct ovs_cmdl_context *);

/* Composes in 'packet' (zeroed first) the UDP packet a benchmark's VMs
 * send, from 'src_mac' and 'src_ip' to 'dst_mac' and 'dst_ip', and
 * returns its length. */
size_t bench_udp_packet(const struct eth_addr *src_mac, ovs_be32 src_ip,
                        const struct eth_addr *dst_mac, ovs_be32 dst_ip,
                        uint8_t packet[64]);

/* Returns a monotonic time in nanoseconds. */
long long int bench_monotonic_ns(void);

/* Returns the CPU time the process has used so far, in nanoseconds. */
long long int bench_cpu_ns(void);

/* Returns the part of that time spent in the kernel, in nanoseconds. */
long long int bench_cpu_sys_ns(void);

#endif /* utilities/bench.h */
