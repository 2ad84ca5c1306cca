/*
 * actions: dovetail's extension actions (see actions.h), expanded into
 * standard OVS flows.
 *
 * ofext_expand_flow() splits a flow into its match and its action list,
 * has OVS parse the match (so that every check on it, "does the flow
 * already match dl_dst?", sees what OVS sees), then walks the action
 * list: each extension action is parsed and encoded, each standard action
 * is handed to OVS's own parser alone so that a bad one is reported with
 * its column, and clone(...) is expanded recursively.  The flows that come
 * out are parsed by OVS once more before they are returned: an expansion
 * is never a flow the switch would reject.
 */
#include <config.h>
#include "ofproto-ext/actions.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-port.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "svec.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(ofext_actions);

/* Characters that separate the items of a match or an action list, as in
 * OVS's ofputil_parse_key_value(). */
#define SEPARATORS ", \t\r\n"

/* One item of a list (a match field, an action, an action's argument),
 * pointing into the flow text. */
struct item {
    const char *s;              /* Its first character. */
    size_t len;                 /* Its length. */
    int col;                    /* Column of 's' in the flow, 1-based. */
};

/* The items of a list, in order. */
struct items {
    struct item *items;
    size_t n, allocated;
};

/* One argument of an extension action: "key=value" or a bare "key". */
struct arg {
    struct item key;
    char *value;                /* Malloc'd, NULL for a bare key. */
};

/* Context for parsing one extension action. */
struct parse_ctx {
    const char *name;           /* The action's name. */
    const struct ofputil_port_map *port_map;
    int end_col;                /* Column of its closing parenthesis. */
};

/* What encode_<ENUM>() learns about the flow the action is in. */
struct encode_ctx {
    const struct match *match;  /* The flow's match, as OVS parsed it. */
    const struct ofputil_port_map *port_map;
    bool followed;              /* Does another action follow it? */
};

/* A variant of the flow added by a forking action at priority + 1. */
struct variant {
    char *match;                /* The extra match field(s). */
    char *actions;              /* What replaces the action in it. */
};

/* What an action encodes to. */
struct encoding {
    struct ds actions;          /* What replaces it in the base flow. */
    bool ends;                  /* Base flow: drop the actions after it? */
    struct variant *variants;   /* Variants (forking actions only). */
    size_t n_variants;
};

/* The per-action functions, declared for the table below. */
#define OFEXT_ACTION(ENUM, NAME, FORKS)                                 \
    static char *parse_##ENUM(const struct arg *, size_t n_args,         \
                              const struct parse_ctx *,                  \
                              struct ofext_action *);                    \
    static void format_##ENUM(const struct ofext_action *,               \
                              const struct ofputil_port_map *,           \
                              struct ds *);                              \
    static char *encode_##ENUM(const struct ofext_action *,              \
                               const struct encode_ctx *,                \
                               struct encoding *);                       \
    static void free_##ENUM(struct ofext_action *);
OFEXT_ACTIONS
#undef OFEXT_ACTION

/* Everything the module knows about each action. */
struct action_class {
    const char *name;
    bool forks;
    char *(*parse)(const struct arg *, size_t, const struct parse_ctx *,
                   struct ofext_action *);
    void (*format)(const struct ofext_action *,
                   const struct ofputil_port_map *, struct ds *);
    char *(*encode)(const struct ofext_action *, const struct encode_ctx *,
                    struct encoding *);
    void (*free)(struct ofext_action *);
};

static const struct action_class classes[N_OFEXT_ACTIONS] = {
#define OFEXT_ACTION(ENUM, NAME, FORKS)                                 \
    [OFEXT_##ENUM] = { NAME, FORKS, parse_##ENUM, format_##ENUM,        \
                       encode_##ENUM, free_##ENUM },
    OFEXT_ACTIONS
#undef OFEXT_ACTION
};

/* The expansion of one action list. */
struct expansion {
    struct svec pieces;         /* Each action's expansion ("" for none). */
    size_t fork;                /* Index in 'pieces' of the forking
                                 * action, SIZE_MAX if none. */
    int fork_col;               /* Its column. */
    const char *fork_name;      /* Its name. */
    struct encoding fork_enc;   /* Its encoding. */
};

static char *split_flow(const char *flow, struct item *match,
                        struct item *actions);
static char *split_list(const char *s, size_t len, int col,
                        struct items *);
static void items_destroy(struct items *);
static char *parse_match(const struct items *match,
                         const struct ofputil_port_map *,
                         struct match *, int *priority);
static char *expand_list(const struct item *list, bool in_clone,
                         const struct encode_ctx *, struct expansion *);
static void expansion_init(struct expansion *);
static void expansion_destroy(struct expansion *);
static char *expand_action(const struct item *, bool in_clone,
                           const struct encode_ctx *, struct expansion *);
static char *check_standard_action(const struct item *, bool in_clone,
                                   const struct ofputil_port_map *);
static char *parse_action(const struct item *,
                          const struct ofputil_port_map *,
                          struct ofext_action *);
static void join_actions(struct ds *, const struct svec *pieces,
                         size_t start, size_t end);
static void put_flow(struct svec *flows, const struct items *match,
                     const char *priority, const char *extra_match,
                     const struct ds *actions);
static void encoding_init(struct encoding *);
static void encoding_destroy(struct encoding *);
static void encoding_add_variant(struct encoding *, char *match,
                                 char *actions);
static char *item_error(const struct item *, const char *format, ...)
    OVS_PRINTF_FORMAT(2, 3);
static char *arg_error(const struct parse_ctx *, const struct arg *,
                       const char *format, ...)
    OVS_PRINTF_FORMAT(3, 4);
static size_t item_key_len(const struct item *);

char *
ofext_expand_flow(const char *flow, const struct ofputil_port_map *port_map,
                  struct svec *flows)
{
    struct items match_items = { NULL, 0, 0 };
    struct item match_text = { NULL, 0, 0 }, actions_text = { NULL, 0, 0 };
    struct expansion exp;
    struct svec out = SVEC_EMPTY_INITIALIZER;
    struct match match;
    int priority = 0;
    char *error;

    expansion_init(&exp);
    error = split_flow(flow, &match_text, &actions_text);
    if (!error) {
        error = split_list(match_text.s, match_text.len, match_text.col,
                           &match_items);
    }
    if (!error) {
        error = parse_match(&match_items, port_map, &match, &priority);
    }
    if (!error) {
        struct encode_ctx ctx = { .match = &match, .port_map = port_map };
        error = expand_list(&actions_text, false, &ctx, &exp);
    }
    if (!error && exp.fork != SIZE_MAX && exp.fork_enc.n_variants
        && priority >= UINT16_MAX) {
        error = xasprintf("column %d: %s: priority %d leaves no room for "
                          "its variants at priority + 1", exp.fork_col,
                          exp.fork_name, priority);
    }
    if (!error) {
        size_t n = exp.pieces.n;
        struct ds actions = DS_EMPTY_INITIALIZER;

        if (exp.fork == SIZE_MAX) {
            join_actions(&actions, &exp.pieces, 0, n);
            put_flow(&out, &match_items, NULL, NULL, &actions);
        } else {
            size_t f = exp.fork;
            char *priority_s = xasprintf("priority=%d", priority + 1);

            /* The base flow. */
            join_actions(&actions, &exp.pieces, 0, f);
            if (exp.fork_enc.actions.length) {
                ds_put_format(&actions, "%s%s", actions.length ? "," : "",
                              ds_cstr(&exp.fork_enc.actions));
            }
            if (!exp.fork_enc.ends) {
                join_actions(&actions, &exp.pieces, f + 1, n);
            }
            put_flow(&out, &match_items, NULL, NULL, &actions);

            /* Its variants. */
            for (size_t i = 0; i < exp.fork_enc.n_variants; i++) {
                const struct variant *v = &exp.fork_enc.variants[i];

                ds_clear(&actions);
                join_actions(&actions, &exp.pieces, 0, f);
                if (v->actions[0]) {
                    ds_put_format(&actions, "%s%s",
                                  actions.length ? "," : "", v->actions);
                }
                join_actions(&actions, &exp.pieces, f + 1, n);
                put_flow(&out, &match_items, priority_s, v->match, &actions);
            }
            free(priority_s);
        }
        ds_destroy(&actions);
    }

    /* Every flow that comes out must be one OVS accepts. */
    for (size_t i = 0; !error && i < out.n; i++) {
        struct ofputil_flow_mod fm;
        enum ofputil_protocol usable;

        error = parse_ofp_flow_mod_str(&fm, out.names[i], port_map, NULL,
                                       OFPFC_ADD, &usable);
        if (error) {
            char *e = error;
            error = xasprintf("column %d: %s", actions_text.col, e);
            free(e);
        } else {
            minimatch_destroy(&fm.match);
            free(fm.ofpacts);
        }
    }

    if (!error) {
        for (size_t i = 0; i < out.n; i++) {
            svec_add(flows, out.names[i]);
        }
    }
    svec_destroy(&out);
    expansion_destroy(&exp);
    items_destroy(&match_items);
    return error;
}

char *
ofext_action_parse(const char *s, const struct ofputil_port_map *port_map,
                   struct ofext_action *action)
{
    struct item item = { s, strlen(s), 1 };
    return parse_action(&item, port_map, action);
}

void
ofext_action_format(const struct ofext_action *action,
                    const struct ofputil_port_map *port_map, struct ds *s)
{
    ovs_assert(action->type < N_OFEXT_ACTIONS);
    ds_put_format(s, "%s(", classes[action->type].name);
    classes[action->type].format(action, port_map, s);
    ds_put_char(s, ')');
}

void
ofext_action_uninit(struct ofext_action *action)
{
    if (action) {
        ovs_assert(action->type < N_OFEXT_ACTIONS);
        classes[action->type].free(action);
    }
}

const char *
ofext_action_name(enum ofext_action_type type)
{
    return type < N_OFEXT_ACTIONS ? classes[type].name : NULL;
}

bool
ofext_action_from_name(const char *name, size_t len,
                       enum ofext_action_type *type)
{
    for (size_t i = 0; i < N_OFEXT_ACTIONS; i++) {
        if (strlen(classes[i].name) == len
            && !strncmp(classes[i].name, name, len)) {
            *type = i;
            return true;
        }
    }
    return false;
}

/* Flows and action lists. */

/* Finds, in 'flow', the match (everything before "actions=", as OVS's
 * ofp_extract_actions() finds it) and the action list after it. */
static char *
split_flow(const char *flow, struct item *match, struct item *actions)
{
    const char *kw = strstr(flow, "action");
    const char *eq = kw ? strchr(kw, '=') : NULL;

    if (!eq) {
        return xasprintf("column %d: must specify an action (\"actions=\")",
                         (int) strlen(flow) + 1);
    }
    match->s = flow;
    match->len = kw - flow;
    match->col = 1;
    actions->s = eq + 1;
    actions->len = strlen(eq + 1);
    actions->col = eq + 1 - flow + 1;
    return NULL;
}

/* Splits the 'len' bytes at 's', which begin at column 'col', at the
 * separators outside parentheses, appending the items to 'items'. */
static char *
split_list(const char *s, size_t len, int col, struct items *items)
{
    size_t i = 0;

    while (i < len) {
        if (strchr(SEPARATORS, s[i])) {
            i++;
            continue;
        }

        size_t start = i;
        int depth = 0;
        for (; i < len && (depth || !strchr(SEPARATORS, s[i])); i++) {
            if (s[i] == '(') {
                depth++;
            } else if (s[i] == ')' && --depth < 0) {
                return xasprintf("column %d: unbalanced \")\"",
                                 col + (int) i);
            }
        }
        if (depth) {
            return xasprintf("column %d: \"(\" is never closed",
                             col + (int) start);
        }
        if (items->n >= items->allocated) {
            items->items = x2nrealloc(items->items, &items->allocated,
                                      sizeof *items->items);
        }
        items->items[items->n++] = (struct item) {
            s + start, i - start, col + (int) start
        };
    }
    return NULL;
}

static void
items_destroy(struct items *items)
{
    free(items->items);
}

/* Has OVS parse the flow's match, stores it in '*match' and its priority
 * in '*priority'.  If OVS rejects it, finds the field OVS rejects alone,
 * so that the error names its column. */
static char *
parse_match(const struct items *items,
            const struct ofputil_port_map *port_map, struct match *match,
            int *priority)
{
    struct ofputil_flow_mod fm;
    enum ofputil_protocol usable;
    struct ds s = DS_EMPTY_INITIALIZER;
    char *error;

    for (size_t i = 0; i < items->n; i++) {
        ds_put_format(&s, "%.*s,", (int) items->items[i].len,
                      items->items[i].s);
    }
    ds_put_cstr(&s, "actions=drop");
    error = parse_ofp_flow_mod_str(&fm, ds_cstr(&s), port_map, NULL,
                                   OFPFC_ADD, &usable);
    if (!error) {
        minimatch_expand(&fm.match, match);
        *priority = fm.priority;
        minimatch_destroy(&fm.match);
        free(fm.ofpacts);
        ds_destroy(&s);
        return NULL;
    }

    /* Which field? */
    int col = 1;
    for (size_t i = 0; i < items->n; i++) {
        char *e;

        ds_clear(&s);
        ds_put_format(&s, "%.*s,actions=drop", (int) items->items[i].len,
                      items->items[i].s);
        e = parse_ofp_flow_mod_str(&fm, ds_cstr(&s), port_map, NULL,
                                   OFPFC_ADD, &usable);
        if (e) {
            free(error);
            error = e;
            col = items->items[i].col;
            break;
        }
        minimatch_destroy(&fm.match);
        free(fm.ofpacts);
    }
    ds_destroy(&s);

    char *e = xasprintf("column %d: %s", col, error);
    free(error);
    return e;
}

/* Expands the action list 'list' into 'exp'. */
static char *
expand_list(const struct item *list, bool in_clone,
            const struct encode_ctx *ctx_, struct expansion *exp)
{
    struct items actions = { NULL, 0, 0 };
    char *error = split_list(list->s, list->len, list->col, &actions);

    for (size_t i = 0; !error && i < actions.n; i++) {
        struct encode_ctx ctx = *ctx_;
        ctx.followed = i + 1 < actions.n;
        error = expand_action(&actions.items[i], in_clone, &ctx, exp);
    }
    items_destroy(&actions);
    return error;
}

static void
expansion_init(struct expansion *exp)
{
    svec_init(&exp->pieces);
    exp->fork = SIZE_MAX;
    exp->fork_col = 0;
    exp->fork_name = NULL;
    encoding_init(&exp->fork_enc);
}

static void
expansion_destroy(struct expansion *exp)
{
    svec_destroy(&exp->pieces);
    encoding_destroy(&exp->fork_enc);
}

/* Expands one action, 'item', appending its expansion to 'exp'. */
static char *
expand_action(const struct item *item, bool in_clone,
              const struct encode_ctx *ctx, struct expansion *exp)
{
    size_t key_len = item_key_len(item);
    enum ofext_action_type type;

    if (key_len == strlen("clone") && !strncasecmp(item->s, "clone", key_len)
        && item->s[key_len] == '(') {
        /* clone(ACTIONS): expand ACTIONS, which may not fork. */
        struct item inner = { item->s + key_len + 1, item->len - key_len - 2,
                              item->col + (int) key_len + 1 };
        struct expansion inner_exp;
        struct encode_ctx inner_ctx = *ctx;
        char *error;

        expansion_init(&inner_exp);
        error = expand_list(&inner, true, &inner_ctx, &inner_exp);
        if (!error) {
            struct ds s = DS_EMPTY_INITIALIZER;

            ds_put_cstr(&s, "clone(");
            join_actions(&s, &inner_exp.pieces, 0, inner_exp.pieces.n);
            ds_put_char(&s, ')');
            svec_add_nocopy(&exp->pieces, ds_steal_cstr(&s));
        }
        expansion_destroy(&inner_exp);
        return error;
    }

    if (!ofext_action_from_name(item->s, key_len, &type)) {
        char *error = check_standard_action(item, in_clone, ctx->port_map);
        if (!error) {
            svec_add_nocopy(&exp->pieces, xmemdup0(item->s, item->len));
        }
        return error;
    }

    struct ofext_action action;
    char *error = parse_action(item, ctx->port_map, &action);
    if (error) {
        return error;
    }

    const char *name = classes[type].name;
    struct encoding enc;
    encoding_init(&enc);
    error = classes[type].encode(&action, ctx, &enc);
    if (error) {
        char *e = error;
        error = item_error(item, "%s: %s", name, e);
        free(e);
    } else if (enc.n_variants || enc.ends) {
        if (in_clone) {
            error = item_error(item, "%s: may not be used inside clone(), "
                               "because it adds flows", name);
        } else if (exp->fork != SIZE_MAX) {
            error = item_error(item, "%s: a flow may contain one action "
                               "that adds flows at most, and %s at column "
                               "%d already does", name, exp->fork_name,
                               exp->fork_col);
        } else {
            exp->fork = exp->pieces.n;
            exp->fork_col = item->col;
            exp->fork_name = name;
            exp->fork_enc = enc;
            encoding_init(&enc);
            svec_add(&exp->pieces, "");
        }
    } else {
        svec_add(&exp->pieces, ds_cstr(&enc.actions));
    }
    encoding_destroy(&enc);
    ofext_action_uninit(&action);
    return error;
}

/* Has OVS parse 'item', a standard action, on its own. */
static char *
check_standard_action(const struct item *item, bool in_clone,
                      const struct ofputil_port_map *port_map)
{
    uint64_t stub[1024 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    enum ofputil_protocol usable = OFPUTIL_P_ANY;
    struct ofpact_parse_params pp = {
        .port_map = port_map,
        .ofpacts = &ofpacts,
        .usable_protocols = &usable,
    };
    char *s = xmemdup0(item->s, item->len);
    char *error = (in_clone
                   ? ofpacts_parse_actions(s, &pp)
                   : ofpacts_parse_instructions(s, &pp));
    ofpbuf_uninit(&ofpacts);
    free(s);

    if (error) {
        size_t key_len = item_key_len(item);
        char *e = error;

        if (!strncmp(e, "unknown action ", strlen("unknown action "))) {
            error = item_error(item, "unknown action \"%.*s\"",
                               (int) key_len, item->s);
        } else {
            error = item_error(item, "%.*s: %s", (int) key_len, item->s, e);
        }
        free(e);
    }
    return error;
}

/* Parses 'item' as an extension action "name(args)". */
static char *
parse_action(const struct item *item,
             const struct ofputil_port_map *port_map,
             struct ofext_action *action)
{
    size_t key_len = item_key_len(item);
    enum ofext_action_type type;

    if (!ofext_action_from_name(item->s, key_len, &type)) {
        return item_error(item, "unknown action \"%.*s\"", (int) key_len,
                          item->s);
    }

    struct parse_ctx ctx = { classes[type].name, port_map,
                             item->col + (int) item->len - 1 };
    if (key_len + 2 > item->len || item->s[key_len] != '('
        || item->s[item->len - 1] != ')') {
        return item_error(item, "%s: expects its arguments in "
                          "parentheses: %s(...)", ctx.name, ctx.name);
    }

    struct items list = { NULL, 0, 0 };
    char *error = split_list(item->s + key_len + 1, item->len - key_len - 2,
                             item->col + (int) key_len + 1, &list);
    struct arg *args = xcalloc(list.n ? list.n : 1, sizeof *args);
    for (size_t i = 0; !error && i < list.n; i++) {
        const struct item *it = &list.items[i];
        const char *eq = memchr(it->s, '=', it->len);

        args[i].key = *it;
        if (eq) {
            args[i].key.len = eq - it->s;
            args[i].value = xmemdup0(eq + 1, it->len - (eq + 1 - it->s));
        }
    }
    if (!error) {
        memset(action, 0, sizeof *action);
        action->type = type;
        error = classes[type].parse(args, list.n, &ctx, action);
        if (error) {
            classes[type].free(action);
        }
    }
    for (size_t i = 0; i < list.n; i++) {
        free(args[i].value);
    }
    free(args);
    items_destroy(&list);
    return error;
}

/* Appends the non-empty 'pieces' from 'start' up to 'end' to 's', comma
 * separated, after a comma if 's' is not empty. */
static void
join_actions(struct ds *s, const struct svec *pieces, size_t start,
             size_t end)
{
    for (size_t i = start; i < end; i++) {
        if (pieces->names[i][0]) {
            if (s->length && s->string[s->length - 1] != '(') {
                ds_put_char(s, ',');
            }
            ds_put_cstr(s, pieces->names[i]);
        }
    }
}

/* Appends to 'flows' the flow with match 'match', its priority replaced by
 * (or, if it has none, preceded by) 'priority' (e.g. "priority=101")
 * unless that is NULL, plus the fields
 * 'extra_match' (if nonnull), and actions 'actions' ("drop" if empty). */
static void
put_flow(struct svec *flows, const struct items *match, const char *priority,
         const char *extra_match, const struct ds *actions)
{
    struct ds flow = DS_EMPTY_INITIALIZER;
    bool replaced = false;

    for (size_t i = 0; i < match->n; i++) {
        const struct item *it = &match->items[i];
        size_t key_len = item_key_len(it);

        if (priority && key_len == strlen("priority")
            && !strncasecmp(it->s, "priority", key_len)) {
            ds_put_format(&flow, "%s,", priority);
            replaced = true;
        } else {
            ds_put_format(&flow, "%.*s,", (int) it->len, it->s);
        }
    }
    if (priority && !replaced) {
        /* The flow had the default priority: say the new one first. */
        char *rest = ds_steal_cstr(&flow);
        ds_put_format(&flow, "%s,%s", priority, rest);
        free(rest);
    }
    if (extra_match) {
        ds_put_format(&flow, "%s,", extra_match);
    }
    ds_put_format(&flow, "actions=%s",
                  actions->length ? ds_cstr_ro(actions) : "drop");
    svec_add_nocopy(flows, ds_steal_cstr(&flow));
}

static void
encoding_init(struct encoding *enc)
{
    ds_init(&enc->actions);
    enc->ends = false;
    enc->variants = NULL;
    enc->n_variants = 0;
}

static void
encoding_destroy(struct encoding *enc)
{
    ds_destroy(&enc->actions);
    for (size_t i = 0; i < enc->n_variants; i++) {
        free(enc->variants[i].match);
        free(enc->variants[i].actions);
    }
    free(enc->variants);
}

/* Adds a variant with extra match 'match' in which the action is replaced
 * by 'actions'; takes ownership of both strings. */
static void
encoding_add_variant(struct encoding *enc, char *match, char *actions)
{
    enc->variants = xrealloc(enc->variants,
                             (enc->n_variants + 1) * sizeof *enc->variants);
    enc->variants[enc->n_variants++] = (struct variant) { match, actions };
}

/* Returns "column C: " followed by 'format', where C is 'item''s column. */
static char *
item_error(const struct item *item, const char *format, ...)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    va_list args;

    ds_put_format(&s, "column %d: ", item->col);
    va_start(args, format);
    ds_put_format_valist(&s, format, args);
    va_end(args);
    return ds_steal_cstr(&s);
}

/* Returns "column C: ACTION: " followed by 'format', where C is the column
 * of 'arg'. */
static char *
arg_error(const struct parse_ctx *ctx, const struct arg *arg,
          const char *format, ...)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    va_list args;

    ds_put_format(&s, "column %d: %s: ", arg->key.col, ctx->name);
    va_start(args, format);
    ds_put_format_valist(&s, format, args);
    va_end(args);
    return ds_steal_cstr(&s);
}

/* Returns the length of the key of 'item': up to ':', '=' or '('. */
static size_t
item_key_len(const struct item *item)
{
    size_t n = 0;
    while (n < item->len && !strchr(":=(", item->s[n])) {
        n++;
    }
    return n;
}

/* Arguments. */

/* Is 'arg''s key 'key'? */
static bool
arg_is(const struct arg *arg, const char *key)
{
    return arg->key.len == strlen(key)
           && !strncmp(arg->key.s, key, arg->key.len);
}

/* Checks that 'arg' has a value and that no earlier argument among the
 * 'i' before it in 'args' has the same key. */
static char *
arg_check(const struct parse_ctx *ctx, const struct arg *args, size_t i)
{
    const struct arg *arg = &args[i];

    if (!arg->value) {
        return arg_error(ctx, arg, "\"%.*s\" needs a value (%.*s=...)",
                         (int) arg->key.len, arg->key.s,
                         (int) arg->key.len, arg->key.s);
    }
    for (size_t j = 0; j < i; j++) {
        if (args[j].key.len == arg->key.len
            && !strncmp(args[j].key.s, arg->key.s, arg->key.len)) {
            return arg_error(ctx, arg, "\"%.*s\" given twice",
                             (int) arg->key.len, arg->key.s);
        }
    }
    return NULL;
}

static char *
arg_unknown(const struct parse_ctx *ctx, const struct arg *arg)
{
    return arg_error(ctx, arg, "unknown argument \"%.*s\"",
                     (int) arg->key.len, arg->key.s);
}

/* Error for a required argument 'key' that the action lacks, at the
 * column of its closing parenthesis. */
static char *
arg_missing(const struct parse_ctx *ctx, const char *key)
{
    struct arg end = { .key = { .col = ctx->end_col } };
    return arg_error(ctx, &end, "missing \"%s\"", key);
}

static char *
parse_unicast_mac(const struct parse_ctx *ctx, const struct arg *arg,
                  struct eth_addr *mac)
{
    if (!eth_addr_from_string(arg->value, mac)
        || eth_addr_is_multicast(*mac) || eth_addr_is_zero(*mac)) {
        return arg_error(ctx, arg, "\"%.*s\" must be a unicast MAC, not %s",
                         (int) arg->key.len, arg->key.s, arg->value);
    }
    return NULL;
}

static char *
parse_port(const struct parse_ctx *ctx, const struct arg *arg,
           ofp_port_t *port)
{
    if (!ofputil_port_from_string(arg->value, ctx->port_map, port)
        || *port == OFPP_NONE) {
        return arg_error(ctx, arg, "\"%.*s\" must be a port, not %s",
                         (int) arg->key.len, arg->key.s, arg->value);
    }
    return NULL;
}

static char *
parse_vid(const struct parse_ctx *ctx, const struct arg *arg, uint16_t *vid)
{
    int n = 0, v;
    if (!ovs_scan(arg->value, "%d%n", &v, &n) || arg->value[n]
        || v < 1 || v > 4094) {
        return arg_error(ctx, arg, "\"%.*s\" must be a VLAN ID from 1 to "
                         "4094, not %s", (int) arg->key.len, arg->key.s,
                         arg->value);
    }
    *vid = v;
    return NULL;
}

/* Parses 's' as a unicast OUI "xx:xx:xx" into '*oui'. */
static bool
oui_from_string(const char *s, struct ofext_oui *oui)
{
    int n = 0;
    return (ovs_scan(s, "%"SCNx8":%"SCNx8":%"SCNx8"%n",
                     &oui->b[0], &oui->b[1], &oui->b[2], &n)
            && n == 8 && !s[n] && !(oui->b[0] & 1));
}

static void
oui_format(const struct ofext_oui *oui, struct ds *s)
{
    ds_put_format(s, "%02x:%02x:%02x", oui->b[0], oui->b[1], oui->b[2]);
}

/* Does 'mac' begin with 'oui'? */
static bool
oui_matches(const struct ofext_oui *oui, struct eth_addr mac)
{
    return !memcmp(oui->b, mac.ea, 3);
}

/* anycast_on_miss(mac=M[,uplink=PORT]). */

static char *
parse_ANYCAST_ON_MISS(const struct arg *args, size_t n,
                      const struct parse_ctx *ctx, struct ofext_action *a)
{
    struct ofext_anycast_on_miss *am = &a->anycast_on_miss;
    bool has_mac = false;

    for (size_t i = 0; i < n; i++) {
        const struct arg *arg = &args[i];
        char *error = arg_check(ctx, args, i);

        if (error) {
            return error;
        } else if (arg_is(arg, "mac")) {
            error = parse_unicast_mac(ctx, arg, &am->mac);
            has_mac = true;
        } else if (arg_is(arg, "uplink")) {
            error = parse_port(ctx, arg, &am->uplink);
            am->has_uplink = true;
        } else {
            error = arg_unknown(ctx, arg);
        }
        if (error) {
            return error;
        }
    }
    return has_mac ? NULL : arg_missing(ctx, "mac");
}

static void
format_ANYCAST_ON_MISS(const struct ofext_action *a,
                       const struct ofputil_port_map *port_map, struct ds *s)
{
    const struct ofext_anycast_on_miss *am = &a->anycast_on_miss;

    ds_put_format(s, "mac="ETH_ADDR_FMT, ETH_ADDR_ARGS(am->mac));
    if (am->has_uplink) {
        ds_put_cstr(s, ",uplink=");
        ofputil_format_port(am->uplink, port_map, s);
    }
}

/* The L2 stage's miss flow: a unicast destination that no higher-priority
 * flow delivered gets DMAC = the anycast MAC and goes on with the actions
 * that follow (or out the uplink, which ends its actions); a variant for
 * multicast and broadcast (the I/G bit) leaves it alone and goes on with
 * the actions that follow. */
static char *
encode_ANYCAST_ON_MISS(const struct ofext_action *a,
                       const struct encode_ctx *ctx, struct encoding *enc)
{
    const struct ofext_anycast_on_miss *am = &a->anycast_on_miss;

    if (!eth_addr_is_zero(ctx->match->wc.masks.dl_dst)) {
        return xstrdup("the flow already matches dl_dst (the action is "
                       "for the miss flow of the L2 stage)");
    }
    ds_put_format(&enc->actions, "set_field:"ETH_ADDR_FMT"->eth_dst",
                  ETH_ADDR_ARGS(am->mac));
    if (am->has_uplink) {
        /* Out to the physical router; what follows is for multicast and
         * broadcast only. */
        ds_put_cstr(&enc->actions, ",output:");
        ofputil_format_port(am->uplink, ctx->port_map, &enc->actions);
        enc->ends = true;
    }
    encoding_add_variant(enc,
                         xstrdup("dl_dst=01:00:00:00:00:00/"
                                 "01:00:00:00:00:00"),
                         xstrdup(""));
    return NULL;
}

static void
free_ANYCAST_ON_MISS(struct ofext_action *a OVS_UNUSED)
{
}

/* tenant_from_oui(OUI=VNI[,OUI=VNI...]). */

static char *
parse_TENANT_FROM_OUI(const struct arg *args, size_t n,
                      const struct parse_ctx *ctx, struct ofext_action *a)
{
    struct ofext_tenant_from_oui *tf = &a->tenant_from_oui;

    if (!n) {
        return arg_missing(ctx, "OUI=VNI");
    }
    tf->tenants = xcalloc(n, sizeof *tf->tenants);
    for (size_t i = 0; i < n; i++) {
        const struct arg *arg = &args[i];
        struct ofext_tenant *t = &tf->tenants[i];
        char *key = xmemdup0(arg->key.s, arg->key.len);
        bool ok = oui_from_string(key, &t->oui);
        int len = 0;

        free(key);
        if (!ok) {
            return arg_error(ctx, arg, "\"%.*s\" must be a unicast OUI "
                             "(xx:xx:xx with the low bit of the first byte "
                             "clear)", (int) arg->key.len, arg->key.s);
        }
        char *error = arg_check(ctx, args, i);
        if (error) {
            return error;
        }
        for (size_t j = 0; j < i; j++) {
            if (!memcmp(&tf->tenants[j].oui, &t->oui, sizeof t->oui)) {
                return arg_error(ctx, arg, "OUI %.*s given twice",
                                 (int) arg->key.len, arg->key.s);
            }
        }
        if (!ovs_scan(arg->value, "%"SCNu32"%n", &t->vni, &len)
            || arg->value[len] || t->vni < 1 || t->vni > 0xffffff) {
            return arg_error(ctx, arg, "the VNI of %.*s must be from 1 to "
                             "16777215, not %s", (int) arg->key.len,
                             arg->key.s, arg->value);
        }
        tf->n_tenants++;
    }
    return NULL;
}

static void
format_TENANT_FROM_OUI(const struct ofext_action *a,
                       const struct ofputil_port_map *port_map OVS_UNUSED,
                       struct ds *s)
{
    const struct ofext_tenant_from_oui *tf = &a->tenant_from_oui;

    for (size_t i = 0; i < tf->n_tenants; i++) {
        if (i) {
            ds_put_char(s, ',');
        }
        oui_format(&tf->tenants[i].oui, s);
        ds_put_format(s, "=%"PRIu32, tf->tenants[i].vni);
    }
}

/* A variant per OUI sets the tenant's VNI in PL_NETWORK_FIELD; the base
 * flow drops a frame from any other OUI (its packet counter counts
 * them).  A flow that already matches the source MAC's OUI needs no
 * variant. */
static char *
encode_TENANT_FROM_OUI(const struct ofext_action *a,
                       const struct encode_ctx *ctx, struct encoding *enc)
{
    const struct ofext_tenant_from_oui *tf = &a->tenant_from_oui;
    const struct eth_addr src = ctx->match->flow.dl_src;
    const struct eth_addr src_mask = ctx->match->wc.masks.dl_src;

    if (eth_addr_is_zero(src_mask)) {
        for (size_t i = 0; i < tf->n_tenants; i++) {
            struct ds m = DS_EMPTY_INITIALIZER;

            ds_put_cstr(&m, "dl_src=");
            oui_format(&tf->tenants[i].oui, &m);
            ds_put_cstr(&m, ":00:00:00/ff:ff:ff:00:00:00");
            encoding_add_variant(enc, ds_steal_cstr(&m),
                                 xasprintf("set_field:%"PRIu32"->metadata",
                                           tf->tenants[i].vni));
        }
        enc->ends = true;
        return NULL;
    }

    if ((src_mask.ea[0] & src_mask.ea[1] & src_mask.ea[2]) != 0xff) {
        return xasprintf("the flow matches dl_src="ETH_ADDR_FMT"/"
                         ETH_ADDR_FMT", which does not fix the source OUI",
                         ETH_ADDR_ARGS(src), ETH_ADDR_ARGS(src_mask));
    }
    for (size_t i = 0; i < tf->n_tenants; i++) {
        if (oui_matches(&tf->tenants[i].oui, src)) {
            ds_put_format(&enc->actions, "set_field:%"PRIu32"->metadata",
                          tf->tenants[i].vni);
            return NULL;
        }
    }
    return xasprintf("the flow matches dl_src="ETH_ADDR_FMT", whose OUI "
                     "%02x:%02x:%02x belongs to no tenant listed",
                     ETH_ADDR_ARGS(src), src.ea[0], src.ea[1], src.ea[2]);
}

static void
free_TENANT_FROM_OUI(struct ofext_action *a)
{
    free(a->tenant_from_oui.tenants);
}

/* vlan_unique(ingress|egress,trunk=PORT,vid=V[,also=V2]). */

static char *
parse_VLAN_UNIQUE(const struct arg *args, size_t n,
                  const struct parse_ctx *ctx, struct ofext_action *a)
{
    struct ofext_vlan_unique *vu = &a->vlan_unique;
    bool has_trunk = false;

    if (!n || args[0].value
        || (!arg_is(&args[0], "ingress") && !arg_is(&args[0], "egress"))) {
        return (n
                ? arg_error(ctx, &args[0], "the first argument must be "
                            "\"ingress\" or \"egress\"")
                : arg_missing(ctx, "ingress|egress"));
    }
    vu->egress = arg_is(&args[0], "egress");
    for (size_t i = 1; i < n; i++) {
        const struct arg *arg = &args[i];
        char *error = arg_check(ctx, args, i);

        if (error) {
            return error;
        } else if (arg_is(arg, "trunk")) {
            error = parse_port(ctx, arg, &vu->trunk);
            has_trunk = true;
        } else if (arg_is(arg, "vid")) {
            error = parse_vid(ctx, arg, &vu->vid);
        } else if (arg_is(arg, "also") && !vu->egress) {
            error = parse_vid(ctx, arg, &vu->also);
        } else {
            error = arg_unknown(ctx, arg);
        }
        if (error) {
            return error;
        }
    }
    if (!has_trunk) {
        return arg_missing(ctx, "trunk");
    } else if (!vu->vid) {
        return arg_missing(ctx, "vid");
    } else if (vu->also == vu->vid) {
        return arg_error(ctx, &args[n - 1], "\"also\" must differ from "
                         "\"vid\"");
    }
    return NULL;
}

static void
format_VLAN_UNIQUE(const struct ofext_action *a,
                   const struct ofputil_port_map *port_map, struct ds *s)
{
    const struct ofext_vlan_unique *vu = &a->vlan_unique;

    ds_put_format(s, "%s,trunk=", vu->egress ? "egress" : "ingress");
    ofputil_format_port(vu->trunk, port_map, s);
    ds_put_format(s, ",vid=%"PRIu16, vu->vid);
    if (vu->also) {
        ds_put_format(s, ",also=%"PRIu16, vu->also);
    }
}

/* Egress: tag with the VM's VLAN and out the trunk.  Ingress: a variant
 * per accepted VLAN on the trunk strips the tag and goes on; the base
 * flow drops everything else. */
static char *
encode_VLAN_UNIQUE(const struct ofext_action *a,
                   const struct encode_ctx *ctx, struct encoding *enc)
{
    const struct ofext_vlan_unique *vu = &a->vlan_unique;
    const struct match *m = ctx->match;

    if (vu->egress) {
        /* 0x1000: OFPVID_PRESENT, "there is a tag". */
        ds_put_format(&enc->actions, "push_vlan:0x8100,set_field:%#x->"
                      "vlan_vid,output:", 0x1000 | vu->vid);
        ofputil_format_port(vu->trunk, ctx->port_map, &enc->actions);
        return NULL;
    }

    bool has_in_port = m->wc.masks.in_port.ofp_port != 0;
    if (has_in_port && m->flow.in_port.ofp_port != vu->trunk) {
        struct ds s = DS_EMPTY_INITIALIZER;
        ds_put_cstr(&s, "the flow matches in_port=");
        ofputil_format_port(m->flow.in_port.ofp_port, ctx->port_map, &s);
        ds_put_cstr(&s, ", not the trunk ");
        ofputil_format_port(vu->trunk, ctx->port_map, &s);
        return ds_steal_cstr(&s);
    }
    if (m->wc.masks.vlans[0].tci) {
        return xstrdup("the flow already matches the VLAN (dl_vlan, "
                       "vlan_tci or vlan_vid)");
    }

    uint16_t vids[2] = { vu->vid, vu->also };
    for (size_t i = 0; i < ARRAY_SIZE(vids) && vids[i]; i++) {
        struct ds match = DS_EMPTY_INITIALIZER;
        if (!has_in_port) {
            ds_put_cstr(&match, "in_port=");
            ofputil_format_port(vu->trunk, ctx->port_map, &match);
            ds_put_char(&match, ',');
        }
        ds_put_format(&match, "dl_vlan=%"PRIu16, vids[i]);
        encoding_add_variant(enc, ds_steal_cstr(&match),
                             xstrdup("strip_vlan"));
    }
    enc->ends = true;
    return NULL;
}

static void
free_VLAN_UNIQUE(struct ofext_action *a OVS_UNUSED)
{
}

/* mac_in_ip(remote=IP,port=PORT). */

static char *
parse_MAC_IN_IP(const struct arg *args, size_t n,
                const struct parse_ctx *ctx, struct ofext_action *a)
{
    struct ofext_mac_in_ip *mi = &a->mac_in_ip;
    bool has_remote = false, has_port = false;

    for (size_t i = 0; i < n; i++) {
        const struct arg *arg = &args[i];
        char *error = arg_check(ctx, args, i);

        if (error) {
            return error;
        } else if (arg_is(arg, "remote")) {
            if (!ip_parse(arg->value, &mi->remote) || !mi->remote
                || ip_is_multicast(mi->remote)
                || mi->remote == OVS_BE32_MAX) {
                return arg_error(ctx, arg, "\"remote\" must be a unicast "
                                 "IPv4 address, not %s", arg->value);
            }
            has_remote = true;
        } else if (arg_is(arg, "port")) {
            error = parse_port(ctx, arg, &mi->port);
            has_port = true;
        } else {
            error = arg_unknown(ctx, arg);
        }
        if (error) {
            return error;
        }
    }
    return (!has_remote ? arg_missing(ctx, "remote")
            : !has_port ? arg_missing(ctx, "port")
            : NULL);
}

static void
format_MAC_IN_IP(const struct ofext_action *a,
                 const struct ofputil_port_map *port_map, struct ds *s)
{
    const struct ofext_mac_in_ip *mi = &a->mac_in_ip;

    ds_put_format(s, "remote="IP_FMT",port=", IP_ARGS(mi->remote));
    ofputil_format_port(mi->port, port_map, s);
}

/* Out a keyless GRE port to 'remote': the tunnel header carries no tenant;
 * the receiver gets it from the inner source OUI (tenant_from_oui). */
static char *
encode_MAC_IN_IP(const struct ofext_action *a, const struct encode_ctx *ctx,
                 struct encoding *enc)
{
    const struct ofext_mac_in_ip *mi = &a->mac_in_ip;

    ds_put_format(&enc->actions, "set_field:"IP_FMT"->tun_dst,output:",
                  IP_ARGS(mi->remote));
    ofputil_format_port(mi->port, ctx->port_map, &enc->actions);
    return NULL;
}

static void
free_MAC_IN_IP(struct ofext_action *a OVS_UNUSED)
{
}

/* mcast_oui(oui=OUI). */

static char *
parse_MCAST_OUI(const struct arg *args, size_t n,
                const struct parse_ctx *ctx, struct ofext_action *a)
{
    struct ofext_mcast_oui *mo = &a->mcast_oui;
    bool has_oui = false;

    for (size_t i = 0; i < n; i++) {
        const struct arg *arg = &args[i];
        char *error = arg_check(ctx, args, i);

        if (error) {
            return error;
        } else if (arg_is(arg, "oui")) {
            if (!oui_from_string(arg->value, &mo->oui)) {
                return arg_error(ctx, arg, "\"oui\" must be a unicast OUI "
                                 "(xx:xx:xx with the low bit of the first "
                                 "byte clear), not %s", arg->value);
            }
            has_oui = true;
        } else {
            return arg_unknown(ctx, arg);
        }
    }
    return has_oui ? NULL : arg_missing(ctx, "oui");
}

static void
format_MCAST_OUI(const struct ofext_action *a,
                 const struct ofputil_port_map *port_map OVS_UNUSED,
                 struct ds *s)
{
    ds_put_cstr(s, "oui=");
    oui_format(&a->mcast_oui.oui, s);
}

/* DMAC = the OUI with the I/G bit set, then the low 24 bits of the IPv4
 * destination (the group). */
static char *
encode_MCAST_OUI(const struct ofext_action *a, const struct encode_ctx *ctx,
                 struct encoding *enc)
{
    const struct ofext_oui *oui = &a->mcast_oui.oui;
    const struct match *m = ctx->match;

    if (m->wc.masks.dl_type != OVS_BE16_MAX
        || m->flow.dl_type != htons(ETH_TYPE_IP)) {
        return xstrdup("the flow must match ip (dl_type=0x0800): the "
                       "action copies the IPv4 destination into the DMAC");
    }
    ds_put_format(&enc->actions, "set_field:%02x:%02x:%02x:00:00:00/"
                  "ff:ff:ff:00:00:00->eth_dst,"
                  "move:NXM_OF_IP_DST[0..23]->NXM_OF_ETH_DST[0..23]",
                  oui->b[0] | 1, oui->b[1], oui->b[2]);
    return NULL;
}

static void
free_MCAST_OUI(struct ofext_action *a OVS_UNUSED)
{
}
