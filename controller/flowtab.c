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
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ofproto-ext/actions.h"
#include "svec.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(flowtab);

static struct vlog_rate_limit add_rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* What a flow is and does, shared by every table that holds the flow: a
 * switch's desired and installed tables, and the desired tables of other
 * switches (every switch of a network answers ARP for each of its
 * endpoints with the same flow).  Immutable once made.
 *
 * A rule parsed from text is interned by that text, so building a table
 * again, or another switch's, parses each distinct flow once: a rule
 * lives as long as some table holds it. */
struct flowtab_rule {
    struct hmap_node intern_node; /* In 'interned', if 'text'. */
    char *text;                 /* The text it was parsed from, or NULL. */
    size_t refcnt;

    uint32_t key_hash;          /* flow_key_hash() of the key. */
    uint8_t table_id;
    uint16_t priority;
    struct minimatch match;
    ovs_be64 cookie;
    struct ofpact *ofpacts;
    size_t ofpacts_len;
    char *actions_s;            /* 'ofpacts' formatted: ofpacts hold
                                 * padding and decoding details that differ
                                 * between a flow parsed from text and the
                                 * same flow read back from a switch, so
                                 * flows are compared by this. */
};

/* Rules parsed from text, by hash_string() of the text. */
static struct hmap interned = HMAP_INITIALIZER(&interned);
static size_t n_rules;          /* Rules in existence, interned or not. */

static struct flowtab_flow *flowtab_find(const struct flowtab *,
                                         uint8_t table_id, uint16_t priority,
                                         const struct minimatch *,
                                         uint32_t hash);
static uint32_t flow_key_hash(uint8_t table_id, uint16_t priority,
                              const struct minimatch *);
static struct flowtab_rule *rule_create(uint8_t table_id, uint16_t priority,
                                        const struct minimatch *,
                                        ovs_be64 cookie,
                                        const struct ofpact *,
                                        size_t ofpacts_len);
static struct flowtab_rule *rule_ref(const struct flowtab_rule *);
static void rule_unref(struct flowtab_rule *);
static bool flowtab_insert(struct flowtab *, struct flowtab_rule *);
static struct flowtab_flow *flow_create(struct flowtab_rule *);
static void flow_destroy(struct flowtab_flow *);
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

/* Flows of emptied tables, still to be freed: each a heap-allocated hmap
 * of struct flowtab_flow. */
struct pending_flows {
    struct ovs_list list_node;  /* In 'pending'. */
    struct hmap flows;
};
static struct ovs_list pending = OVS_LIST_INITIALIZER(&pending);
static size_t n_pending;        /* Flows in 'pending'. */

/* The flows flowtab_run() frees a call: a few milliseconds' worth. */
#define FLOWTAB_FREE_BATCH 4096

/* Empties 'ft' at once; its flows are freed later, by flowtab_run(). */
void
flowtab_clear_later(struct flowtab *ft)
{
    if (hmap_is_empty(&ft->flows)) {
        return;
    }
    struct pending_flows *p = xmalloc(sizeof *p);
    hmap_init(&p->flows);
    hmap_swap(&p->flows, &ft->flows);
    n_pending += hmap_count(&p->flows);
    ovs_list_push_back(&pending, &p->list_node);
}

/* flowtab_destroy(), but for flowtab_clear_later() in place of
 * flowtab_clear(). */
void
flowtab_destroy_later(struct flowtab *ft)
{
    if (ft) {
        flowtab_clear_later(ft);
        flowtab_destroy(ft);    /* Empty now: frees only the table. */
    }
}

/* Frees up to 'max' of the flows flowtab_clear_later() left, oldest first.
 * Returns how many are left. */
size_t
flowtab_free_pending(size_t max)
{
    while (max && !ovs_list_is_empty(&pending)) {
        struct pending_flows *p = CONTAINER_OF(ovs_list_front(&pending),
                                               struct pending_flows,
                                               list_node);
        struct flowtab_flow *f;
        HMAP_FOR_EACH_POP (f, node, &p->flows) {
            flow_destroy(f);
            n_pending--;
            if (!--max) {
                break;
            }
        }
        if (hmap_is_empty(&p->flows)) {
            ovs_list_remove(&p->list_node);
            hmap_destroy(&p->flows);
            free(p);
        }
    }
    return n_pending;
}

/* Returns the number of flows flowtab_clear_later() left to free. */
size_t
flowtab_count_pending(void)
{
    return n_pending;
}

/* Frees a batch of the flows flowtab_clear_later() left. */
void
flowtab_run(void)
{
    flowtab_free_pending(FLOWTAB_FREE_BATCH);
}

/* Wakes the main loop at once while flowtab_run() has flows to free. */
void
flowtab_wait(void)
{
    if (n_pending) {
        poll_immediate_wake();
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

/* Returns the number of distinct flows all tables hold between them. */
size_t
flowtab_count_rules(void)
{
    return n_rules;
}

/* Adds the flow in add-flow syntax 's' to 'ft'.  Returns NULL or a
 * malloc'd error, as flowtab_add_str() does. */
static char *
add_text(struct flowtab *ft, const char *s, size_t len)
{
    uint32_t hash = hash_bytes(s, len, 0);
    struct flowtab_rule *rule = NULL;
    struct flowtab_rule *r;

    HMAP_FOR_EACH_WITH_HASH (r, intern_node, hash, &interned) {
        if (!strcmp(r->text, s)) {
            rule = rule_ref(r);
            break;
        }
    }
    if (!rule) {
        enum ofputil_protocol usable;
        struct ofputil_flow_mod fm;
        char *error = parse_ofp_flow_mod_str(&fm, s, NULL, NULL, OFPFC_ADD,
                                             &usable);
        if (error) {
            char *msg = xasprintf("%s: %s", s, error);
            free(error);
            return msg;
        }
        rule = rule_create(fm.table_id == 0xff ? 0 : fm.table_id,
                           fm.priority, &fm.match, fm.new_cookie,
                           fm.ofpacts, fm.ofpacts_len);
        minimatch_destroy(&fm.match);
        free(fm.ofpacts);
        rule->text = xmemdup0(s, len);
        hmap_insert(&interned, &rule->intern_node, hash);
    }
    char *error = (flowtab_insert(ft, rule_ref(rule)) ? NULL
                   : xasprintf("%s: duplicate flow", rule->text));
    rule_unref(rule);
    return error;
}

/* Formats 'format' into a buffer kept from call to call (a table of a
 * million flows is built a flow at a time: no allocation per flow for the
 * text, which is copied only when it is new) and adds it to 'ft'. */
static char * OVS_PRINTF_FORMAT(2, 0)
add_format(struct flowtab *ft, const char *format, va_list args)
{
    static struct ds text = DS_EMPTY_INITIALIZER;

    ds_clear(&text);
    ds_put_format_valist(&text, format, args);
    return add_text(ft, ds_cstr(&text), text.length);
}

/* Parses a flow in ovs-ofctl add-flow syntax ("table=10,priority=100,
 * arp,... actions=...") built from 'format' and adds it to 'ft'.  Returns
 * NULL on success or a malloc'd error: the flow does not parse, or 'ft'
 * already has a flow with the same table, priority and match (the first
 * one stays). */
char *
flowtab_add_str(struct flowtab *ft, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    char *error = add_format(ft, format, args);
    va_end(args);
    return error;
}

/* Like flowtab_add_str(), but logs the error (rate-limited) instead of
 * returning it.  Returns true if the flow was added. */
bool
flowtab_add(struct flowtab *ft, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    char *error = add_format(ft, format, args);
    va_end(args);
    if (error) {
        /* Duplicates arise from duplicate addresses in the database. */
        VLOG_WARN_RL(&add_rl, "%s", error);
        free(error);
    }
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
    flowtab_insert(ft, rule_create(fs->table_id, fs->priority, &match,
                                   fs->cookie, fs->ofpacts,
                                   fs->ofpacts_len));
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
        const struct flowtab_rule *r = f->rule;
        const struct flowtab_flow *g = flowtab_find(b, r->table_id,
                                                    r->priority, &r->match,
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
 * every desired flow that is new or whose cookie or actions differ.  An
 * installed flow equal to a desired one (read back from the switch) comes
 * to share the desired one's rule. */
void
flowtab_plan(struct flowtab_plan *plan, const struct flowtab *desired,
             struct flowtab *installed)
{
    const struct flowtab_flow *f;

    flowtab_plan_clear(plan);
    HMAP_FOR_EACH (f, node, &installed->flows) {
        const struct flowtab_rule *r = f->rule;
        if (!flowtab_find(desired, r->table_id, r->priority, &r->match,
                          f->node.hash)) {
            plan_push(plan, f);
        }
    }
    plan->n_dels = plan->n;
    HMAP_FOR_EACH (f, node, &desired->flows) {
        const struct flowtab_rule *r = f->rule;
        struct flowtab_flow *g = flowtab_find(installed, r->table_id,
                                              r->priority, &r->match,
                                              f->node.hash);
        if (!g || !flow_actions_equal(f, g)) {
            plan_push(plan, f);
        } else if (g->rule != f->rule) {
            /* The same flow, read back from the switch: hold it once. */
            rule_unref(CONST_CAST(struct flowtab_rule *, g->rule));
            g->rule = rule_ref(f->rule);
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
            /* The rule is shared, and outlives the desired table. */
            hmap_insert(&changes->adds.flows,
                        &flow_create(rule_ref(f->rule))->node, f->node.hash);
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
        const struct flowtab_rule *r = f->rule;
        struct flowtab_flow *old = flowtab_find(installed, r->table_id,
                                                r->priority, &r->match,
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
        const struct flowtab_rule *r = flows[i]->rule;
        ds_put_format(s, "cookie=%#"PRIx64", table=%"PRIu8", priority=%"
                      PRIu16, ntohll(r->cookie), r->table_id, r->priority);
        struct ds match = DS_EMPTY_INITIALIZER;
        minimatch_format(&r->match, NULL, NULL, &match, OFP_DEFAULT_PRIORITY);
        if (match.length) {
            ds_put_format(s, ",%s", ds_cstr(&match));
        }
        ds_destroy(&match);
        ds_put_format(s, " actions=%s\n", r->actions_s);
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
        const struct flowtab_rule *r = f->rule;
        if (r->table_id == table_id && r->priority == priority
            && minimatch_equal(&r->match, match)) {
            return f;
        }
    }
    return NULL;
}

/* Returns a new rule, with one reference, not interned. */
static struct flowtab_rule *
rule_create(uint8_t table_id, uint16_t priority,
            const struct minimatch *match, ovs_be64 cookie,
            const struct ofpact *ofpacts, size_t ofpacts_len)
{
    struct flowtab_rule *r = xmalloc(sizeof *r);

    r->text = NULL;
    r->refcnt = 1;
    r->key_hash = flow_key_hash(table_id, priority, match);
    r->table_id = table_id;
    r->priority = priority;
    minimatch_clone(&r->match, match);
    r->cookie = cookie;
    r->ofpacts = xmemdup(ofpacts, ofpacts_len);
    r->ofpacts_len = ofpacts_len;
    forget_raw_encodings(r->ofpacts, r->ofpacts_len);

    struct ds actions = DS_EMPTY_INITIALIZER;
    struct ofpact_format_params fp = { .s = &actions };
    ofpacts_format(r->ofpacts, r->ofpacts_len, &fp);
    r->actions_s = ds_steal_cstr(&actions);
    n_rules++;
    return r;
}

static struct flowtab_rule *
rule_ref(const struct flowtab_rule *r_)
{
    struct flowtab_rule *r = CONST_CAST(struct flowtab_rule *, r_);
    r->refcnt++;
    return r;
}

static void
rule_unref(struct flowtab_rule *r)
{
    if (r && !--r->refcnt) {
        if (r->text) {
            hmap_remove(&interned, &r->intern_node);
            free(r->text);
        }
        minimatch_destroy(&r->match);
        free(r->ofpacts);
        free(r->actions_s);
        free(r);
        n_rules--;
    }
}

/* Inserts a flow holding 'rule' (taking over the caller's reference) into
 * 'ft', unless a flow with the same key is already there; returns true if
 * it inserted. */
static bool
flowtab_insert(struct flowtab *ft, struct flowtab_rule *rule)
{
    if (flowtab_find(ft, rule->table_id, rule->priority, &rule->match,
                     rule->key_hash)) {
        rule_unref(rule);
        return false;
    }
    hmap_insert(&ft->flows, &flow_create(rule)->node, rule->key_hash);
    return true;
}

/* Returns a flow, in no table, that holds 'rule' (taking over the caller's
 * reference). */
static struct flowtab_flow *
flow_create(struct flowtab_rule *rule)
{
    struct flowtab_flow *f = xmalloc(sizeof *f);
    f->rule = rule;
    return f;
}

static void
flow_destroy(struct flowtab_flow *f)
{
    rule_unref(CONST_CAST(struct flowtab_rule *, f->rule));
    free(f);
}

static bool
flow_actions_equal(const struct flowtab_flow *a, const struct flowtab_flow *b)
{
    const struct flowtab_rule *ra = a->rule, *rb = b->rule;
    return ra == rb || (ra->cookie == rb->cookie
                        && !strcmp(ra->actions_s, rb->actions_s));
}

static struct ofpbuf *
encode_flow_mod(const struct flowtab_flow *f, uint16_t command,
                enum ofputil_protocol protocol)
{
    const struct flowtab_rule *r = f->rule;
    struct ofputil_flow_mod fm = {
        .match = r->match,
        .priority = r->priority,
        .new_cookie = command == OFPFC_ADD ? r->cookie : OVS_BE64_MAX,
        .table_id = r->table_id,
        .command = command,
        .buffer_id = UINT32_MAX,
        .out_port = OFPP_ANY,
        .out_group = OFPG_ANY,
        .ofpacts = command == OFPFC_ADD ? r->ofpacts : NULL,
        .ofpacts_len = command == OFPFC_ADD ? r->ofpacts_len : 0,
    };
    return ofputil_encode_flow_mod(&fm, protocol);
}

static int
compare_flows(const void *a_, const void *b_)
{
    const struct flowtab_flow *const *a = a_;
    const struct flowtab_flow *const *b = b_;
    const struct flowtab_rule *fa = (*a)->rule, *fb = (*b)->rule;

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
