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
 * bundle, then nothing until that bundle's commit is answered.  A switch
 * that reconnects, or a controller that restarts, therefore rewrites only
 * what differs and never empties a table on the way.
 */
#ifndef CONTROLLER_SWCONN_H
#define CONTROLLER_SWCONN_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ds;
struct flowtab;
struct simap;
struct vconn;

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

struct swconn *swconn_create(struct vconn *);
void swconn_destroy(struct swconn *);
void swconn_run(struct swconn *);
void swconn_wait(struct swconn *);
bool swconn_is_alive(const struct swconn *);

bool swconn_get_dpid(const struct swconn *, uint64_t *dpid);
const struct simap *swconn_get_ports(const struct swconn *);
bool swconn_ports_known(const struct swconn *);
bool swconn_take_changed(struct swconn *);
void swconn_set_desired(struct swconn *, struct flowtab *);
bool swconn_is_synced(const struct swconn *);

size_t swconn_count_flows(const struct swconn *);
void swconn_format(const struct swconn *, struct ds *);
void swconn_format_flows(const struct swconn *, bool installed, struct ds *);

#endif /* controller/swconn.h */
