/*
 * flowtab: a table of OpenFlow flows keyed by (table, priority, match),
 * the way OVN's ofctrl keeps its desired and installed flows.
 *
 * The controller keeps two per switch: the flows it wants (built from the
 * database by overlay.c) and the flows the switch holds (read back with a
 * flow-stats dump when the switch connects, then kept up to date as the
 * controller's own bundles commit).  flowtab_plan() finds the difference
 * and flowtab_plan_take() turns it into flow_mods, a bundle's worth at a
 * time, so a switch that reconnects, or a controller that restarts,
 * rewrites only what actually differs and never empties a table on the
 * way.
 *
 * A table's flows refer to shared, immutable rules (key, cookie,
 * actions): a flow several tables hold (a switch's desired and installed
 * tables, or every switch's ARP answer for one endpoint) is held once.  A
 * rule parsed from text is found again by that text, so computing a
 * table again parses only the flows that changed.
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
struct flowtab_rule;
struct ofpact;
struct ofputil_flow_stats;

/* One flow of a table: a reference to the flow's rule (its key, cookie
 * and actions), which tables that hold the same flow share. */
struct flowtab_flow {
    struct hmap_node node;      /* In struct flowtab 'flows', by key. */
    const struct flowtab_rule *rule;
};

/* A set of flows. */
struct flowtab {
    struct hmap flows;          /* Contains "struct flowtab_flow"s. */
};

void flowtab_init(struct flowtab *);
void flowtab_destroy(struct flowtab *);
void flowtab_clear(struct flowtab *);

/* Freeing a switch's tables (a few hundred thousand flows with a large
 * fabric) takes hundreds of milliseconds: flowtab_clear_later() empties a
 * table at once and leaves its flows to be freed a batch at a time by
 * flowtab_run(), so that no pass of the main loop spends that long.  Until
 * then the flows keep their rules, so a table built meanwhile may share
 * them as usual. */
void flowtab_clear_later(struct flowtab *);
void flowtab_destroy_later(struct flowtab *);
size_t flowtab_free_pending(size_t max);
size_t flowtab_count_pending(void);
void flowtab_run(void);
void flowtab_wait(void);
void flowtab_swap(struct flowtab *, struct flowtab *);
size_t flowtab_count(const struct flowtab *);
size_t flowtab_count_rules(void);

char *flowtab_add_str(struct flowtab *, const char *format, ...)
    OVS_PRINTF_FORMAT(2, 3) OVS_WARN_UNUSED_RESULT;
bool flowtab_add(struct flowtab *, const char *format, ...)
    OVS_PRINTF_FORMAT(2, 3);
bool flowtab_add_expanded(struct flowtab *, const char *flow);
void flowtab_add_stats(struct flowtab *, const struct ofputil_flow_stats *);
bool flowtab_equal(const struct flowtab *, const struct flowtab *);

/* The changes that turn an installed table into a desired one: the
 * installed flows to delete (a strict delete each), then the desired flows
 * to add (an add replaces the flow with the same key).  It points into
 * both tables, so it is good only while neither changes, except as
 * flowtab_apply() changes the installed one. */
struct flowtab_plan {
    const struct flowtab_flow **flows; /* [0, n_dels): installed flows to
                                        * delete; [n_dels, n): desired
                                        * flows to add. */
    size_t n_dels;
    size_t n;
    size_t allocated;
    size_t next;                /* First change not yet taken. */
};

void flowtab_plan_init(struct flowtab_plan *);
void flowtab_plan_destroy(struct flowtab_plan *);
void flowtab_plan_clear(struct flowtab_plan *);
void flowtab_plan(struct flowtab_plan *, const struct flowtab *desired,
                  struct flowtab *installed);
size_t flowtab_plan_left(const struct flowtab_plan *);

/* The flows a bundle of changes deletes and adds, taken from a plan:
 * independent of the desired table, which may change before the bundle
 * commits. */
struct flowtab_changes {
    const struct flowtab_flow **dels;   /* Flows of the installed table. */
    size_t n_dels, allocated_dels;
    struct flowtab adds;                /* Copies of desired flows. */
};

void flowtab_changes_init(struct flowtab_changes *);
void flowtab_changes_destroy(struct flowtab_changes *);
void flowtab_changes_clear(struct flowtab_changes *);
size_t flowtab_plan_take(struct flowtab_plan *, size_t max,
                         enum ofputil_protocol, struct ovs_list *msgs,
                         struct flowtab_changes *);
void flowtab_apply(struct flowtab *installed, struct flowtab_changes *);

void flowtab_format(const struct flowtab *, struct ds *);

#endif /* controller/flowtab.h */
