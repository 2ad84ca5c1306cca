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

/* Makes 'dst' (which must be initialized) a copy of 'src'. */
void
flowtab_clone(struct flowtab *dst, const struct flowtab *src)
{
    const struct flowtab_flow *f;

    flowtab_clear(dst);
    HMAP_FOR_EACH (f, node, &src->flows) {
        flowtab_insert(dst, f->table_id, f->priority, &f->match, f->cookie,
                       f->ofpacts, f->ofpacts_len);
    }
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

/* Appends to 'msgs' the flow_mods that turn 'installed' into 'desired':
 * an add for every flow that is new or whose cookie or actions differ (an
 * add replaces the flow with the same key), a strict delete for every
 * installed flow that is not desired. */
size_t
flowtab_diff(const struct flowtab *desired, const struct flowtab *installed,
             enum ofputil_protocol protocol, struct ovs_list *msgs)
{
    const struct flowtab_flow *f;
    size_t n = 0;

    HMAP_FOR_EACH (f, node, &installed->flows) {
        if (!flowtab_find(desired, f->table_id, f->priority, &f->match,
                          f->node.hash)) {
            ovs_list_push_back(msgs, &encode_flow_mod(f, OFPFC_DELETE_STRICT,
                                                      protocol)->list_node);
            n++;
        }
    }
    HMAP_FOR_EACH (f, node, &desired->flows) {
        const struct flowtab_flow *g = flowtab_find(installed, f->table_id,
                                                    f->priority, &f->match,
                                                    f->node.hash);
        if (!g || !flow_actions_equal(f, g)) {
            ovs_list_push_back(msgs, &encode_flow_mod(f, OFPFC_ADD,
                                                      protocol)->list_node);
            n++;
        }
    }
    return n;
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
