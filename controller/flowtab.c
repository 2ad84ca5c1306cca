/*
 * flowtab: flows keyed by (table, priority, match), and the diff between
 * a desired and an installed table.  See flowtab.h.
 */
#include <config.h>
#include "controller/flowtab.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "byte-order.h"
#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/util.h"
#include "openvswitch/vlog.h"
#include "ofproto-ext/actions.h"
#include "svec.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(flowtab);

static struct vlog_rate_limit add_rl = VLOG_RATE_LIMIT_INIT(5, 20);

static struct flowtab_flow *flowtab_find(const struct flowtab *,
                                         uint8_t table_id, uint16_t priority,
                                         const struct minimatch *,
                                         uint32_t hash);
static uint32_t flow_key_hash(uint8_t table_id, uint16_t priority,
                              const struct minimatch *);
static bool flowtab_insert(struct flowtab *, uint8_t table_id,
                           uint16_t priority, const struct minimatch *,
                           ovs_be64 cookie, const struct ofpact *,
                           size_t ofpacts_len);
static void flow_destroy(struct flowtab_flow *);
static struct flowtab_flow *flow_copy(const struct flowtab_flow *);
static bool flow_actions_equal(const struct flowtab_flow *,
                               const struct flowtab_flow *);
static struct ofpbuf *encode_flow_mod(const struct flowtab_flow *,
                                      uint16_t command,
                                      enum ofputil_protocol);
static int compare_flows(const void *, const void *);
static void forget_raw_encodings(struct ofpact *, size_t ofpacts_len);

void
flowtab_init(struct flowtab *ft)
{
    hmap_init(&ft->flows);
}

void
flowtab_destroy(struct flowtab *ft)
{
    if (ft) {
        flowtab_clear(ft);
        hmap_destroy(&ft->flows);
    }
}

/* Removes every flow from 'ft'. */
void
flowtab_clear(struct flowtab *ft)
{
    struct flowtab_flow *f;

    HMAP_FOR_EACH_POP (f, node, &ft->flows) {
        flow_destroy(f);
    }
}

void
flowtab_swap(struct flowtab *a, struct flowtab *b)
{
    hmap_swap(&a->flows, &b->flows);
}

size_t
flowtab_count(const struct flowtab *ft)
{
    return hmap_count(&ft->flows);
}

/* Parses a flow in ovs-ofctl add-flow syntax ("table=10,priority=100,
 * arp,... actions=...") built from 'format' and adds it to 'ft'.  Returns
 * NULL on success or a malloc'd error: the flow does not parse, or 'ft'
 * already has a flow with the same table, priority and match (the first
 * one stays). */
char *
flowtab_add_str(struct flowtab *ft, const char *format, ...)
{
    enum ofputil_protocol usable;
    struct ofputil_flow_mod fm;
    va_list args;
    char *error;
    char *s;

    va_start(args, format);
    s = xvasprintf(format, args);
    va_end(args);

    error = parse_ofp_flow_mod_str(&fm, s, NULL, NULL, OFPFC_ADD, &usable);
    if (error) {
        char *msg = xasprintf("%s: %s", s, error);
        free(error);
        free(s);
        return msg;
    }
    if (!flowtab_insert(ft, fm.table_id == 0xff ? 0 : fm.table_id,
                        fm.priority, &fm.match, fm.new_cookie,
                        fm.ofpacts, fm.ofpacts_len)) {
        error = xasprintf("%s: duplicate flow", s);
    }
    minimatch_destroy(&fm.match);
    free(fm.ofpacts);
    free(s);
    return error;
}

/* Like flowtab_add_str(), but logs the error (rate-limited) instead of
 * returning it.  Returns true if the flow was added. */
bool
flowtab_add(struct flowtab *ft, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    char *s = xvasprintf(format, args);
    va_end(args);

    char *error = flowtab_add_str(ft, "%s", s);
    if (error) {
        /* Duplicates arise from duplicate addresses in the database. */
        VLOG_WARN_RL(&add_rl, "%s", error);
        free(error);
    }
    free(s);
    return !error;
}

/* Adds 'flow', whose actions may include dovetail's extension actions
 * (ofproto-ext/actions.h), as the plain OpenFlow flows it expands to.
 * Logs an error as flowtab_add() does.  Returns true if every
 * flow was added. */
bool
flowtab_add_expanded(struct flowtab *ft, const char *flow)
{
    struct svec expanded = SVEC_EMPTY_INITIALIZER;
    char *error = ofext_expand_flow(flow, NULL, &expanded);
    bool ok = !error;

    if (error) {
        VLOG_WARN_RL(&add_rl, "%s: %s", flow, error);
        free(error);
    }
    for (size_t i = 0; i < expanded.n; i++) {
        ok = flowtab_add(ft, "%s", expanded.names[i]) && ok;
    }
    svec_destroy(&expanded);
    return ok;
}

/* Adds the flow described by 'fs' (from a flow-stats reply) to 'ft'. */
void
flowtab_add_stats(struct flowtab *ft, const struct ofputil_flow_stats *fs)
{
    struct minimatch match;

    minimatch_init(&match, &fs->match);
    flowtab_insert(ft, fs->table_id, fs->priority, &match, fs->cookie,
                   fs->ofpacts, fs->ofpacts_len);
    minimatch_destroy(&match);
}

/* Returns true if 'a' and 'b' hold exactly the same flows. */
bool
flowtab_equal(const struct flowtab *a, const struct flowtab *b)
{
    const struct flowtab_flow *f;

    if (flowtab_count(a) != flowtab_count(b)) {
        return false;
    }
    HMAP_FOR_EACH (f, node, &a->flows) {
        const struct flowtab_flow *g = flowtab_find(b, f->table_id,
                                                    f->priority, &f->match,
                                                    f->node.hash);
        if (!g || !flow_actions_equal(f, g)) {
            return false;
        }
    }
    return true;
}

void
flowtab_plan_init(struct flowtab_plan *plan)
{
    memset(plan, 0, sizeof *plan);
}

void
flowtab_plan_destroy(struct flowtab_plan *plan)
{
    free(plan->flows);
}

/* Empties 'plan': nothing left to take. */
void
flowtab_plan_clear(struct flowtab_plan *plan)
{
    plan->n_dels = plan->n = plan->next = 0;
}

static void
plan_push(struct flowtab_plan *plan, const struct flowtab_flow *f)
{
    if (plan->n >= plan->allocated) {
        plan->flows = x2nrealloc(plan->flows, &plan->allocated,
                                 sizeof *plan->flows);
    }
    plan->flows[plan->n++] = f;
}

/* Makes 'plan' the changes that turn 'installed' into 'desired': a strict
 * delete for every installed flow that is not desired, then an add for
 * every desired flow that is new or whose cookie or actions differ. */
void
flowtab_plan(struct flowtab_plan *plan, const struct flowtab *desired,
             const struct flowtab *installed)
{
    const struct flowtab_flow *f;

    flowtab_plan_clear(plan);
    HMAP_FOR_EACH (f, node, &installed->flows) {
        if (!flowtab_find(desired, f->table_id, f->priority, &f->match,
                          f->node.hash)) {
            plan_push(plan, f);
        }
    }
    plan->n_dels = plan->n;
    HMAP_FOR_EACH (f, node, &desired->flows) {
        const struct flowtab_flow *g = flowtab_find(installed, f->table_id,
                                                    f->priority, &f->match,
                                                    f->node.hash);
        if (!g || !flow_actions_equal(f, g)) {
            plan_push(plan, f);
        }
    }
}

/* Returns the number of changes in 'plan' not yet taken. */
size_t
flowtab_plan_left(const struct flowtab_plan *plan)
{
    return plan->n - plan->next;
}

void
flowtab_changes_init(struct flowtab_changes *changes)
{
    memset(changes, 0, sizeof *changes);
    flowtab_init(&changes->adds);
}

void
flowtab_changes_destroy(struct flowtab_changes *changes)
{
    free(changes->dels);
    flowtab_destroy(&changes->adds);
}

void
flowtab_changes_clear(struct flowtab_changes *changes)
{
    changes->n_dels = 0;
    flowtab_clear(&changes->adds);
}

/* Takes the next (at most) 'max' changes of 'plan': appends their
 * flow_mods, encoded for 'protocol', to 'msgs' (a list of struct ofpbuf)
 * and records them in 'changes' (which must be empty), for
 * flowtab_apply() once the switch has carried them out.  Returns the
 * number taken. */
size_t
flowtab_plan_take(struct flowtab_plan *plan, size_t max,
                  enum ofputil_protocol protocol, struct ovs_list *msgs,
                  struct flowtab_changes *changes)
{
    size_t n = MIN(max, flowtab_plan_left(plan));

    for (size_t i = plan->next; i < plan->next + n; i++) {
        const struct flowtab_flow *f = plan->flows[i];

        if (i < plan->n_dels) {
            if (changes->n_dels >= changes->allocated_dels) {
                changes->dels = x2nrealloc(changes->dels,
                                           &changes->allocated_dels,
                                           sizeof *changes->dels);
            }
            changes->dels[changes->n_dels++] = f;
            ovs_list_push_back(msgs, &encode_flow_mod(f, OFPFC_DELETE_STRICT,
                                                      protocol)->list_node);
        } else {
            hmap_insert(&changes->adds.flows, &flow_copy(f)->node,
                        f->node.hash);
            ovs_list_push_back(msgs, &encode_flow_mod(f, OFPFC_ADD,
                                                      protocol)->list_node);
        }
    }
    plan->next += n;
    return n;
}

/* Carries out 'changes' on 'installed', the table whose flows they
 * delete, and empties them. */
void
flowtab_apply(struct flowtab *installed, struct flowtab_changes *changes)
{
    for (size_t i = 0; i < changes->n_dels; i++) {
        struct flowtab_flow *f = CONST_CAST(struct flowtab_flow *,
                                            changes->dels[i]);
        hmap_remove(&installed->flows, &f->node);
        flow_destroy(f);
    }
    changes->n_dels = 0;

    struct flowtab_flow *f;
    HMAP_FOR_EACH_POP (f, node, &changes->adds.flows) {
        struct flowtab_flow *old = flowtab_find(installed, f->table_id,
                                                f->priority, &f->match,
                                                f->node.hash);
        if (old) {
            hmap_remove(&installed->flows, &old->node);
            flow_destroy(old);
        }
        hmap_insert(&installed->flows, &f->node, f->node.hash);
    }
}

/* Appends 'ft' to 's', one flow a line in ovs-ofctl's syntax, sorted by
 * table, then descending priority, then match. */
void
flowtab_format(const struct flowtab *ft, struct ds *s)
{
    size_t n = flowtab_count(ft);
    const struct flowtab_flow **flows = xmalloc((n ? n : 1) * sizeof *flows);
    const struct flowtab_flow *f;
    size_t i = 0;

    HMAP_FOR_EACH (f, node, &ft->flows) {
        flows[i++] = f;
    }
    qsort(flows, n, sizeof *flows, compare_flows);
    for (i = 0; i < n; i++) {
        f = flows[i];
        ds_put_format(s, "cookie=%#"PRIx64", table=%"PRIu8", priority=%"
                      PRIu16, ntohll(f->cookie), f->table_id, f->priority);
        struct ds match = DS_EMPTY_INITIALIZER;
        minimatch_format(&f->match, NULL, NULL, &match, OFP_DEFAULT_PRIORITY);
        if (match.length) {
            ds_put_format(s, ",%s", ds_cstr(&match));
        }
        ds_destroy(&match);
        ds_put_format(s, " actions=%s\n", f->actions_s);
    }
    free(flows);
}

static uint32_t
flow_key_hash(uint8_t table_id, uint16_t priority,
              const struct minimatch *match)
{
    return minimatch_hash(match, hash_2words(table_id, priority));
}

static struct flowtab_flow *
flowtab_find(const struct flowtab *ft, uint8_t table_id, uint16_t priority,
             const struct minimatch *match, uint32_t hash)
{
    struct flowtab_flow *f;

    HMAP_FOR_EACH_WITH_HASH (f, node, hash, &ft->flows) {
        if (f->table_id == table_id && f->priority == priority
            && minimatch_equal(&f->match, match)) {
            return f;
        }
    }
    return NULL;
}

/* Inserts a copy of the flow into 'ft', unless a flow with the same key is
 * already there; returns true if it inserted. */
static bool
flowtab_insert(struct flowtab *ft, uint8_t table_id, uint16_t priority,
               const struct minimatch *match, ovs_be64 cookie,
               const struct ofpact *ofpacts, size_t ofpacts_len)
{
    uint32_t hash = flow_key_hash(table_id, priority, match);
    struct flowtab_flow *f;

    if (flowtab_find(ft, table_id, priority, match, hash)) {
        return false;
    }
    f = xmalloc(sizeof *f);
    f->table_id = table_id;
    f->priority = priority;
    minimatch_clone(&f->match, match);
    f->cookie = cookie;
    f->ofpacts = xmemdup(ofpacts, ofpacts_len);
    f->ofpacts_len = ofpacts_len;
    forget_raw_encodings(f->ofpacts, f->ofpacts_len);

    struct ds actions = DS_EMPTY_INITIALIZER;
    struct ofpact_format_params fp = { .s = &actions };
    ofpacts_format(f->ofpacts, f->ofpacts_len, &fp);
    f->actions_s = ds_steal_cstr(&actions);
    hmap_insert(&ft->flows, &f->node, hash);
    return true;
}

static void
flow_destroy(struct flowtab_flow *f)
{
    minimatch_destroy(&f->match);
    free(f->ofpacts);
    free(f->actions_s);
    free(f);
}

/* Returns a copy of 'f', not in any table. */
static struct flowtab_flow *
flow_copy(const struct flowtab_flow *f)
{
    struct flowtab_flow *copy = xmalloc(sizeof *copy);

    copy->table_id = f->table_id;
    copy->priority = f->priority;
    minimatch_clone(&copy->match, &f->match);
    copy->cookie = f->cookie;
    copy->ofpacts = xmemdup(f->ofpacts, f->ofpacts_len);
    copy->ofpacts_len = f->ofpacts_len;
    copy->actions_s = xstrdup(f->actions_s);
    return copy;
}

static bool
flow_actions_equal(const struct flowtab_flow *a, const struct flowtab_flow *b)
{
    return a->cookie == b->cookie && !strcmp(a->actions_s, b->actions_s);
}

static struct ofpbuf *
encode_flow_mod(const struct flowtab_flow *f, uint16_t command,
                enum ofputil_protocol protocol)
{
    struct ofputil_flow_mod fm = {
        .match = f->match,
        .priority = f->priority,
        .new_cookie = command == OFPFC_ADD ? f->cookie : OVS_BE64_MAX,
        .table_id = f->table_id,
        .command = command,
        .buffer_id = UINT32_MAX,
        .out_port = OFPP_ANY,
        .out_group = OFPG_ANY,
        .ofpacts = command == OFPFC_ADD ? f->ofpacts : NULL,
        .ofpacts_len = command == OFPFC_ADD ? f->ofpacts_len : 0,
    };
    return ofputil_encode_flow_mod(&fm, protocol);
}

static int
compare_flows(const void *a_, const void *b_)
{
    const struct flowtab_flow *const *a = a_;
    const struct flowtab_flow *const *b = b_;
    const struct flowtab_flow *fa = *a, *fb = *b;

    if (fa->table_id != fb->table_id) {
        return fa->table_id < fb->table_id ? -1 : 1;
    }
    if (fa->priority != fb->priority) {
        return fa->priority > fb->priority ? -1 : 1;
    }
    struct ds sa = DS_EMPTY_INITIALIZER, sb = DS_EMPTY_INITIALIZER;
    minimatch_format(&fa->match, NULL, NULL, &sa, OFP_DEFAULT_PRIORITY);
    minimatch_format(&fb->match, NULL, NULL, &sb, OFP_DEFAULT_PRIORITY);
    int cmp = strcmp(ds_cstr(&sa), ds_cstr(&sb));
    ds_destroy(&sa);
    ds_destroy(&sb);
    return cmp;
}

/* Every ofpact remembers the wire encoding it was decoded from ('raw'), so
 * the same action parsed from text and read back from a switch would
 * compare unequal.  Forgets it: the controller compares meanings. */
static void
forget_raw_encodings(struct ofpact *ofpacts, size_t ofpacts_len)
{
    struct ofpact *a;

    OFPACT_FOR_EACH (a, ofpacts, ofpacts_len) {
        a->raw = UINT8_MAX;
    }
}
