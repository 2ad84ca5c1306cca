/*
 * flowtab: a table of OpenFlow flows keyed by (table, priority, match),
 * the way OVN's ofctrl keeps its desired and installed flows.
 *
 * The controller keeps two per switch: the flows it wants (built from the
 * database by overlay.c) and the flows the switch holds (read back with a
 * flow-stats dump when the switch connects, then kept up to date as the
 * controller's own bundles commit).  flowtab_diff() turns the difference
 * into flow_mods, so a switch that reconnects, or a controller that
 * restarts, rewrites only what actually differs and never empties a
 * table on the way.
 */
#ifndef CONTROLLER_FLOWTAB_H
#define CONTROLLER_FLOWTAB_H 1

#include <stddef.h>
#include <stdint.h>
#include "openvswitch/compiler.h"
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/types.h"

struct ds;
struct ofpact;
struct ofputil_flow_stats;

/* One flow. */
struct flowtab_flow {
    struct hmap_node node;      /* In struct flowtab 'flows'. */

    /* The key: at most one flow per (table, priority, match). */
    uint8_t table_id;
    uint16_t priority;
    struct minimatch match;

    /* What the flow does. */
    ovs_be64 cookie;
    struct ofpact *ofpacts;     /* Owned by the flow. */
    size_t ofpacts_len;         /* Bytes in 'ofpacts'. */
    char *actions_s;            /* 'ofpacts' formatted: ofpacts hold
                                 * padding and decoding details that differ
                                 * between a flow parsed from text and the
                                 * same flow read back from a switch, so
                                 * flows are compared by this. */
};

/* A set of flows. */
struct flowtab {
    struct hmap flows;          /* Contains "struct flowtab_flow"s. */
};

void flowtab_init(struct flowtab *);
void flowtab_destroy(struct flowtab *);
void flowtab_clear(struct flowtab *);
void flowtab_swap(struct flowtab *, struct flowtab *);
void flowtab_clone(struct flowtab *dst, const struct flowtab *src);
size_t flowtab_count(const struct flowtab *);

char *flowtab_add_str(struct flowtab *, const char *format, ...)
    OVS_PRINTF_FORMAT(2, 3) OVS_WARN_UNUSED_RESULT;
bool flowtab_add(struct flowtab *, const char *format, ...)
    OVS_PRINTF_FORMAT(2, 3);
bool flowtab_add_expanded(struct flowtab *, const char *flow);
void flowtab_add_stats(struct flowtab *, const struct ofputil_flow_stats *);
bool flowtab_equal(const struct flowtab *, const struct flowtab *);

/* The difference between a desired and an installed table, as flow_mods
 * encoded for 'protocol', appended to 'msgs' (a list of struct ofpbuf).
 * Returns the number of messages appended. */
size_t flowtab_diff(const struct flowtab *desired,
                    const struct flowtab *installed,
                    enum ofputil_protocol protocol, struct ovs_list *msgs);

void flowtab_format(const struct flowtab *, struct ds *);

#endif /* controller/flowtab.h */
