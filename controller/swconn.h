/*
 * swconn: one OpenFlow connection from a vswitch, and the state machine
 * that brings the switch's flow tables to what the controller wants.
 *
 *   accept ──> FEATURES ──features reply──> PORTS ──port list──> DUMP
 *                                                                 │
 *         ┌────── bundle failed: read the switch's flows again ───┤
 *         │                                                       v
 *         └─────────────────────────────────────────────────── READY
 *
 * FEATURES learns the datapath id (which hypervisor this is), PORTS the
 * switch's port names and numbers (kept current from port-status
 * messages), DUMP reads every flow the switch holds into the "installed"
 * table.  Only in READY, and only once the caller has supplied a desired
 * table (swconn_set_desired()), does the switch get flow_mods: the
 * difference between desired and installed, as one atomic OpenFlow
 * bundle, then nothing until that bundle's commit is answered.  A
 * difference of more than SWCONN_DEFAULT_MAX_BUNDLE flow_mods (see
 * swconn_set_max_bundle()) goes in several such bundles, one after
 * another.  A switch that reconnects, or a controller that restarts,
 * therefore rewrites only what differs and never empties a table on the
 * way.
 */
#ifndef CONTROLLER_SWCONN_H
#define CONTROLLER_SWCONN_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/types.h"

struct ds;
struct flowtab;
struct ofp_header;
struct ofputil_flow_stats;
struct ovs_list;
struct ofpbuf;
struct swconn;
struct simap;
struct sset;
struct stream;

#define SWCONN_STATES                                       \
    SWCONN_STATE(FEATURES, "features")                     \
    SWCONN_STATE(PORTS, "ports")                           \
    SWCONN_STATE(DUMP, "dump")                             \
    SWCONN_STATE(READY, "ready")

enum swconn_state {
#define SWCONN_STATE(NAME, STR) SWCONN_##NAME,
    SWCONN_STATES
#undef SWCONN_STATE
};

const char *swconn_state_name(enum swconn_state);

/* Flow_mods in one reconciliation bundle, at most, by default. */
#define SWCONN_DEFAULT_MAX_BUNDLE 65536

/* What the owner of a session hears from it.  Every callback gets 'aux'.
 *
 * 'packet_ins' is called with the packet-ins the switch sends, whole
 * messages (controller/ofio.h has checked their lengths), in order: those
 * that arrived one after another together, up to SWCONN_MAX_BATCH, so
 * that the owner can work on them as a batch.
 *
 * 'cache_flow' is called, while the switch's flows are read back (after
 * it connects, or after a failed bundle), for each flow that is a policy
 * cache entry (its cookie has PL_COOKIE_TAG): such flows are the owner's
 * to keep track of, not part of the desired/installed reconciliation,
 * which never deletes them.  'cache_reset' is called first, when the read
 * back starts: the owner forgets what it knew of the switch's cache. */
#define SWCONN_MAX_BATCH 64

struct swconn_hooks {
    void (*packet_ins)(struct swconn *, const struct ofp_header *const[],
                       size_t n, void *aux);
    void (*cache_reset)(struct swconn *, void *aux);
    void (*cache_flow)(struct swconn *, const struct ofputil_flow_stats *,
                       void *aux);
};

struct swconn *swconn_create(struct stream *, const struct swconn_hooks *,
                             void *aux);
void swconn_destroy(struct swconn *);
size_t swconn_run(struct swconn *);
void swconn_wait(struct swconn *);
bool swconn_is_alive(const struct swconn *);

bool swconn_get_dpid(const struct swconn *, uint64_t *dpid);
const struct simap *swconn_get_ports(const struct swconn *);
const struct sset *swconn_get_down_ports(const struct swconn *);
bool swconn_ports_known(const struct swconn *);
uint64_t swconn_get_ports_seqno(const struct swconn *);
bool swconn_take_changed(struct swconn *);
void swconn_set_desired(struct swconn *, struct flowtab *);
void swconn_set_max_bundle(size_t);
bool swconn_is_synced(const struct swconn *);

/* Sending to a READY switch, besides the reconciliation. */
bool swconn_is_ready(const struct swconn *);
enum ofputil_protocol swconn_get_protocol(const struct swconn *);
void swconn_send(struct swconn *, struct ofpbuf *);
struct ofpbuf *swconn_output(struct swconn *);
void swconn_send_bundle(struct swconn *, struct ovs_list *msgs);
struct ofpbuf *swconn_batch(struct swconn *);
void swconn_batch_added(struct swconn *);
const char *swconn_port_name(const struct swconn *, ofp_port_t);
long long int swconn_programmed_msec(const struct swconn *);

size_t swconn_count_flows(const struct swconn *);
void swconn_format(const struct swconn *, bool synced, struct ds *);
void swconn_format_flows(const struct swconn *, bool installed, struct ds *);

#endif /* controller/swconn.h */
