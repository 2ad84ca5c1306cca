/*
 * dt-blueprint: blueprints as JSON.  See dt-blueprint.h.
 *
 * Reading walks the jansson document in a fixed order: the network's own
 * keys, then the domains, actions, policies and endpoints, each array in
 * file order and each object's keys in the order of its key table.  So a
 * file with several errors always reports the same one, and the sections
 * may come in any order in the file, since a policy's references are
 * resolved after every domain and action has been read.  Each function
 * gets the JSON path of the value it reads ("" for the top level) and
 * prefixes its errors with it.
 *
 * Writing builds a jansson document from sorted copies of the arrays, with
 * keys in key-table order, and dumps it with a two-space indent.  Names
 * sort "naturally" (digit runs by value, so "E-2" comes before "E-10");
 * policies by source then destination domain, the default policy last.
 *
 * jansson and libopenvswitch both export json_object(), json_array(),
 * json_string(), json_integer(), json_real() and json_equal(), and in a
 * dovetail program libopenvswitch's win.  jansson's own calls to them are
 * bound inside the library, but ours would reach OVS's: this file builds
 * values with json_pack() and never calls those six.
 */
#include <config.h>
#include "lib/dt-blueprint.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <jansson.h>

#include "lib/dt-addr.h"
#include "lib/dt-dps.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/shash.h"
#include "openvswitch/util.h"
#include "packets.h"
#include "smap.h"
#include "sset.h"
#include "svec.h"
#include "util.h"

/* The keys each kind of object may have, in the order they are read and
 * written. */
static const char *const network_keys[] = {
    "network", "vni", "tenant", "fabric_mode",
    "domains", "actions", "policies", "endpoints", NULL,
};
static const char *const domain_keys[] = {
    "name", "description", "dhcp_servers", NULL,
};
static const char *const action_keys[] = {
    "name", "description", "kind", "location", "config", NULL,
};
static const char *const policy_keys[] = {
    "src_domain", "dst_domain", "default", "actions", "ttl", NULL,
};
static const char *const endpoint_keys[] = {
    "name", "domain", "mac", "ips", "external", "hypervisor", "port", NULL,
};

/* The values of the enumerated columns. */
static const char *const fabric_modes[] = {
    "overlay", "sarp", "channel", NULL,
};
static const char *const action_kinds[] = {
    "allow", "deny", "waypoint", NULL,
};

/* Names already defined while reading one blueprint: each maps a name to
 * the element that defines it. */
struct blueprint_names {
    struct shash domains;       /* Name -> struct dt_blueprint_domain. */
    struct shash actions;       /* Name -> struct dt_blueprint_action. */
    struct shash endpoints;     /* Name -> struct dt_blueprint_endpoint. */
    struct shash policies;      /* "SRC/DST" -> struct dt_blueprint_policy;
                                 * "" for the default policy. */
    struct shash macs;          /* MAC -> struct dt_blueprint_endpoint. */
    struct shash ips;           /* vIP -> struct dt_blueprint_endpoint. */
};

static char *blueprint_from_json(json_t *, const char *source,
                                 struct dt_blueprint *);
static char *parse_network(json_t *, struct dt_blueprint *);
static char *parse_domains(json_t *, struct dt_blueprint *,
                           struct blueprint_names *);
static char *parse_actions(json_t *, struct dt_blueprint *,
                           struct blueprint_names *);
static char *parse_policies(json_t *, struct dt_blueprint *,
                            struct blueprint_names *);
static char *parse_endpoints(json_t *, struct dt_blueprint *,
                             struct blueprint_names *);
static json_t *blueprint_to_json(const struct dt_blueprint *);

static void domain_init(struct dt_blueprint_domain *, const char *name);
static void domain_destroy(struct dt_blueprint_domain *);
static void action_init(struct dt_blueprint_action *, const char *name,
                        const char *kind);
static void action_destroy(struct dt_blueprint_action *);
static void policy_init(struct dt_blueprint_policy *, const char *src_domain,
                        const char *dst_domain, uint32_t ttl);
static void policy_destroy(struct dt_blueprint_policy *);
static void endpoint_init(struct dt_blueprint_endpoint *, const char *name);
static void endpoint_destroy(struct dt_blueprint_endpoint *);

/* Initializes 'bp' as an empty blueprint: no network name, no contents. */
void
dt_blueprint_init(struct dt_blueprint *bp)
{
    memset(bp, 0, sizeof *bp);
}

/* Frees everything 'bp' owns (not 'bp' itself) and leaves it empty, as
 * after dt_blueprint_init().  A null 'bp' is a no-op. */
void
dt_blueprint_destroy(struct dt_blueprint *bp)
{
    if (!bp) {
        return;
    }
    free(bp->network);
    free(bp->tenant);
    free(bp->fabric_mode);
    for (size_t i = 0; i < bp->n_domains; i++) {
        domain_destroy(&bp->domains[i]);
    }
    free(bp->domains);
    for (size_t i = 0; i < bp->n_actions; i++) {
        action_destroy(&bp->actions[i]);
    }
    free(bp->actions);
    for (size_t i = 0; i < bp->n_policies; i++) {
        policy_destroy(&bp->policies[i]);
    }
    free(bp->policies);
    for (size_t i = 0; i < bp->n_endpoints; i++) {
        endpoint_destroy(&bp->endpoints[i]);
    }
    free(bp->endpoints);
    dt_blueprint_init(bp);
}

/* Reads the blueprint in JSON file 'file_name' ("-" for standard input)
 * into 'bp', which this function initializes, and checks it (see the
 * comment at the top of dt-blueprint.h).  Returns NULL on success,
 * otherwise a malloc'd error message, with 'bp' left empty. */
char *
dt_blueprint_from_file(const char *file_name, struct dt_blueprint *bp)
{
    bool is_stdin = !strcmp(file_name, "-");
    const char *source = is_stdin ? "(standard input)" : file_name;

    dt_blueprint_init(bp);
    FILE *stream = is_stdin ? stdin : fopen(file_name, "r");
    if (!stream) {
        return xasprintf("%s: %s", source, ovs_strerror(errno));
    }

    /* A read error (e.g. 'file_name' is a directory) looks like the end
     * of the file to jansson, which would report a syntax error. */
    json_error_t jerror;
    json_t *json = json_loadf(stream, JSON_REJECT_DUPLICATES, &jerror);
    int read_errno = ferror(stream) ? errno : 0;
    if (!is_stdin) {
        fclose(stream);
    }

    char *error;
    if (read_errno) {
        json_decref(json);
        error = xasprintf("%s: read error (%s)", source,
                          ovs_strerror(read_errno));
    } else if (!json) {
        error = xasprintf("%s:%d:%d: %s", source, jerror.line,
                          jerror.column, jerror.text);
    } else {
        error = blueprint_from_json(json, source, bp);
        json_decref(json);
    }
    return error;
}

/* Like dt_blueprint_from_file(), for the JSON text 'text'.  'source'
 * names the text in errors that have no JSON path (syntax errors, a
 * document that is not an object), like a file name. */
char *
dt_blueprint_from_string(const char *text, const char *source,
                         struct dt_blueprint *bp)
{
    json_error_t jerror;

    dt_blueprint_init(bp);
    json_t *json = json_loads(text, JSON_REJECT_DUPLICATES, &jerror);
    if (!json) {
        return xasprintf("%s:%d:%d: %s", source, jerror.line, jerror.column,
                         jerror.text);
    }
    char *error = blueprint_from_json(json, source, bp);
    json_decref(json);
    return error;
}

/* Returns 'bp' as canonical JSON text in a malloc'd string: two-space
 * indent, keys in a fixed order, arrays sorted, optional keys left out
 * when empty, a final new-line.  Equal blueprints give identical text, and
 * dt_blueprint_from_string() reads it back into an equal blueprint. */
char *
dt_blueprint_to_string(const struct dt_blueprint *bp)
{
    json_t *json = blueprint_to_json(bp);
    char *s = json_dumps(json, JSON_INDENT(2));
    json_decref(json);
    ovs_assert(s);

    char *text = xasprintf("%s\n", s);
    free(s);
    return text;
}

/* Appends a new domain named 'name', with no description and no DHCP
 * servers, to 'bp', and returns it.  The pointer is valid until the next
 * dt_blueprint_add_domain() on 'bp'. */
struct dt_blueprint_domain *
dt_blueprint_add_domain(struct dt_blueprint *bp, const char *name)
{
    bp->domains = xrealloc(bp->domains,
                           (bp->n_domains + 1) * sizeof *bp->domains);
    struct dt_blueprint_domain *domain = &bp->domains[bp->n_domains++];
    domain_init(domain, name);
    return domain;
}

/* Appends a new action named 'name' of kind 'kind', with no description,
 * location or configuration, to 'bp', and returns it.  The pointer is
 * valid until the next dt_blueprint_add_action() on 'bp'. */
struct dt_blueprint_action *
dt_blueprint_add_action(struct dt_blueprint *bp, const char *name,
                        const char *kind)
{
    bp->actions = xrealloc(bp->actions,
                           (bp->n_actions + 1) * sizeof *bp->actions);
    for (size_t i = 0; i < bp->n_actions; i++) {
        /* An smap may point into itself. */
        hmap_moved(&bp->actions[i].config.map);
    }
    struct dt_blueprint_action *action = &bp->actions[bp->n_actions++];
    action_init(action, name, kind);
    return action;
}

/* Appends a new policy from domain 'src_domain' to 'dst_domain' (both NULL
 * for the default policy) with TTL 'ttl' and no actions yet to 'bp', and
 * returns it.  The pointer is valid until the next
 * dt_blueprint_add_policy() on 'bp'. */
struct dt_blueprint_policy *
dt_blueprint_add_policy(struct dt_blueprint *bp, const char *src_domain,
                        const char *dst_domain, uint32_t ttl)
{
    bp->policies = xrealloc(bp->policies,
                            (bp->n_policies + 1) * sizeof *bp->policies);
    struct dt_blueprint_policy *policy = &bp->policies[bp->n_policies++];
    policy_init(policy, src_domain, dst_domain, ttl);
    return policy;
}

/* Appends a new endpoint named 'name', with nothing else known about it,
 * to 'bp', and returns it.  The pointer is valid until the next
 * dt_blueprint_add_endpoint() on 'bp'. */
struct dt_blueprint_endpoint *
dt_blueprint_add_endpoint(struct dt_blueprint *bp, const char *name)
{
    bp->endpoints = xrealloc(bp->endpoints,
                             (bp->n_endpoints + 1) * sizeof *bp->endpoints);
    struct dt_blueprint_endpoint *ep = &bp->endpoints[bp->n_endpoints++];
    endpoint_init(ep, name);
    return ep;
}

/* Reading. */

static char *parse_domain(json_t *, const char *path,
                          const struct dt_blueprint *,
                          struct dt_blueprint_domain *,
                          struct blueprint_names *);
static char *parse_action(json_t *, const char *path,
                          const struct dt_blueprint *,
                          struct dt_blueprint_action *,
                          struct blueprint_names *);
static char *parse_policy(json_t *, const char *path,
                          const struct dt_blueprint *,
                          struct dt_blueprint_policy *,
                          struct blueprint_names *);
static char *parse_endpoint(json_t *, const char *path,
                            const struct dt_blueprint *,
                            struct dt_blueprint_endpoint *,
                            struct blueprint_names *);
static char *parse_ips(json_t *, const char *path, const char *key,
                       struct svec *ips, struct sset *seen);
static char *check_keys(json_t *, const char *path,
                        const char *const keys[]);
static char *get_member(json_t *, const char *path, const char *key,
                        json_type, bool required, json_t **value);
static char *get_string(json_t *, const char *path, const char *key,
                        bool required, const char **value);
static char *get_name(json_t *, const char *path, const char *key,
                      const char *what, bool required, char **name);
static char *get_enum(json_t *, const char *path, const char *key,
                      const char *what, const char *const values[],
                      char **value);
static char *get_number(json_t *, const char *path, const char *key,
                        char *(*parse)(const char *, uint32_t *),
                        uint32_t *value);
static char *get_array(json_t *, const char *path, const char *key,
                       bool required, json_t **array);
static char *path_key(const char *path, const char *key);
static char *path_index(const char *path, size_t index);
static char *path_error(const char *path, const char *format, ...)
    OVS_PRINTF_FORMAT(2, 3);
static char *path_wrap(const char *path, char *error);
static const char *json_type_name(json_type);
static char *format_list(const char *const words[]);

/* Fills empty blueprint 'bp' from 'json', the document read from
 * 'source'.  On error, empties 'bp' again. */
static char *
blueprint_from_json(json_t *json, const char *source, struct dt_blueprint *bp)
{
    if (!json_is_object(json)) {
        return xasprintf("%s: expected a JSON object at the top level, "
                         "not %s", source,
                         json_type_name(json_typeof(json)));
    }

    struct blueprint_names names;
    shash_init(&names.domains);
    shash_init(&names.actions);
    shash_init(&names.endpoints);
    shash_init(&names.policies);
    shash_init(&names.macs);
    shash_init(&names.ips);

    char *error = parse_network(json, bp);
    if (!error) {
        error = parse_domains(json, bp, &names);
    }
    if (!error) {
        error = parse_actions(json, bp, &names);
    }
    if (!error) {
        error = parse_policies(json, bp, &names);
    }
    if (!error) {
        error = parse_endpoints(json, bp, &names);
    }

    shash_destroy(&names.domains);
    shash_destroy(&names.actions);
    shash_destroy(&names.endpoints);
    shash_destroy(&names.policies);
    shash_destroy(&names.macs);
    shash_destroy(&names.ips);
    if (error) {
        dt_blueprint_destroy(bp);
    }
    return error;
}

/* Reads the top level's own keys: the Virtual_Network row. */
static char *
parse_network(json_t *json, struct dt_blueprint *bp)
{
    char *error = check_keys(json, "", network_keys);
    if (!error) {
        error = get_name(json, "", "network", "network", true, &bp->network);
    }
    if (!error) {
        error = get_number(json, "", "vni", dt_parse_vni, &bp->vni);
    }
    if (!error) {
        error = get_name(json, "", "tenant", "tenant", false, &bp->tenant);
    }
    if (!error) {
        error = get_enum(json, "", "fabric_mode", "fabric mode",
                         fabric_modes, &bp->fabric_mode);
        if (!error && !bp->fabric_mode) {
            bp->fabric_mode = xstrdup("overlay");
        }
    }
    return error;
}

static char *
parse_domains(json_t *json, struct dt_blueprint *bp,
              struct blueprint_names *names)
{
    json_t *array;
    char *error = get_array(json, "", "domains", false, &array);
    if (error || !array) {
        return error;
    }

    /* Allocated once, so that 'names' may point into it. */
    size_t n = json_array_size(array);
    bp->domains = xcalloc(n, sizeof *bp->domains);
    for (size_t i = 0; !error && i < n; i++) {
        struct dt_blueprint_domain *domain = &bp->domains[bp->n_domains++];
        char *path = path_index("domains", i);

        domain_init(domain, NULL);
        error = parse_domain(json_array_get(array, i), path, bp, domain,
                             names);
        free(path);
    }
    return error;
}


static char *
parse_domain(json_t *json, const char *path, const struct dt_blueprint *bp,
             struct dt_blueprint_domain *domain,
             struct blueprint_names *names)
{
    if (!json_is_object(json)) {
        return path_error(path, "expected an object, not %s",
                          json_type_name(json_typeof(json)));
    }

    const char *description;
    char *error = check_keys(json, path, domain_keys);
    if (!error) {
        error = get_name(json, path, "name", "domain", true, &domain->name);
    }
    if (!error) {
        const struct dt_blueprint_domain *other
            = shash_find_data(&names->domains, domain->name);
        if (other) {
            char *name_path = path_key(path, "name");
            error = path_error(name_path, "domain \"%s\" is already defined "
                               "at domains[%"PRIuSIZE"]", domain->name,
                               (size_t) (other - bp->domains));
            free(name_path);
        } else {
            shash_add(&names->domains, domain->name, domain);
        }
    }
    if (!error) {
        error = get_string(json, path, "description", false, &description);
        domain->description = nullable_xstrdup(description);
    }
    if (!error) {
        struct sset seen = SSET_INITIALIZER(&seen);
        error = parse_ips(json, path, "dhcp_servers", &domain->dhcp_servers,
                          &seen);
        sset_destroy(&seen);
    }
    return error;
}

static char *
parse_actions(json_t *json, struct dt_blueprint *bp,
              struct blueprint_names *names)
{
    json_t *array;
    char *error = get_array(json, "", "actions", false, &array);
    if (error || !array) {
        return error;
    }

    size_t n = json_array_size(array);
    bp->actions = xcalloc(n, sizeof *bp->actions);
    for (size_t i = 0; !error && i < n; i++) {
        struct dt_blueprint_action *action = &bp->actions[bp->n_actions++];
        char *path = path_index("actions", i);

        action_init(action, NULL, NULL);
        error = parse_action(json_array_get(array, i), path, bp, action,
                             names);
        free(path);
    }
    return error;
}

static char *
parse_action(json_t *json, const char *path, const struct dt_blueprint *bp,
             struct dt_blueprint_action *action,
             struct blueprint_names *names)
{
    if (!json_is_object(json)) {
        return path_error(path, "expected an object, not %s",
                          json_type_name(json_typeof(json)));
    }

    const char *description, *location;
    char *error = check_keys(json, path, action_keys);
    if (!error) {
        error = get_name(json, path, "name", "action", true, &action->name);
    }
    if (!error) {
        const struct dt_blueprint_action *other
            = shash_find_data(&names->actions, action->name);
        if (other) {
            char *name_path = path_key(path, "name");
            error = path_error(name_path, "action \"%s\" is already defined "
                               "at actions[%"PRIuSIZE"]", action->name,
                               (size_t) (other - bp->actions));
            free(name_path);
        } else {
            shash_add(&names->actions, action->name, action);
        }
    }
    if (!error) {
        error = get_string(json, path, "description", false, &description);
        action->description = nullable_xstrdup(description);
    }
    if (!error) {
        error = get_enum(json, path, "kind", "action kind", action_kinds,
                         &action->kind);
        if (!error && !action->kind) {
            char *kind_path = path_key(path, "kind");
            error = path_error(kind_path, "required but missing");
            free(kind_path);
        }
    }
    if (!error) {
        error = get_string(json, path, "location", false, &location);
    }
    if (!error) {
        bool waypoint = !strcmp(action->kind, "waypoint");
        char *location_path = path_key(path, "location");

        if (waypoint && !location) {
            error = path_error(path, "a waypoint action needs a location "
                               "(the appliance's IP address)");
        } else if (!waypoint && location) {
            error = path_error(location_path, "only a waypoint action has a "
                               "location, not a \"%s\" action",
                               action->kind);
        } else if (location) {
            char canonical[INET6_ADDRSTRLEN];
            struct in6_addr ip;

            error = path_wrap(location_path,
                              dt_parse_ip(location, &ip, canonical));
            if (!error) {
                action->location = xstrdup(canonical);
            }
        }
        free(location_path);
    }
    if (!error) {
        json_t *config;
        error = get_member(json, path, "config", JSON_OBJECT, false, &config);
        for (void *iter = config ? json_object_iter(config) : NULL;
             !error && iter; iter = json_object_iter_next(config, iter)) {
            const char *key = json_object_iter_key(iter);
            json_t *value = json_object_iter_value(iter);

            if (!json_is_string(value)) {
                char *config_path = path_key(path, "config");
                char *key_path = path_key(config_path, key);
                error = path_error(key_path, "expected a string, not %s",
                                   json_type_name(json_typeof(value)));
                free(key_path);
                free(config_path);
            } else {
                smap_add(&action->config, key, json_string_value(value));
            }
        }
    }
    return error;
}

static char *
parse_policies(json_t *json, struct dt_blueprint *bp,
               struct blueprint_names *names)
{
    json_t *array;
    char *error = get_array(json, "", "policies", false, &array);
    if (error || !array) {
        return error;
    }

    size_t n = json_array_size(array);
    bp->policies = xcalloc(n, sizeof *bp->policies);
    for (size_t i = 0; !error && i < n; i++) {
        struct dt_blueprint_policy *policy = &bp->policies[bp->n_policies++];
        char *path = path_index("policies", i);

        policy_init(policy, NULL, NULL, 0);
        error = parse_policy(json_array_get(array, i), path, bp, policy,
                             names);
        free(path);
    }
    return error;
}

/* Reads optional domain reference 'key' of the object at 'path' into
 * '*name'. */
static char *
get_domain_ref(json_t *json, const char *path, const char *key,
               const struct blueprint_names *names, char **name)
{
    const char *s;
    char *error = get_string(json, path, key, false, &s);

    if (!error && s) {
        if (!shash_find(&names->domains, s)) {
            char *key_path = path_key(path, key);
            error = path_error(key_path, "unknown domain \"%s\"", s);
            free(key_path);
        } else {
            *name = xstrdup(s);
        }
    }
    return error;
}

static char *
parse_policy(json_t *json, const char *path, const struct dt_blueprint *bp,
             struct dt_blueprint_policy *policy,
             struct blueprint_names *names)
{
    if (!json_is_object(json)) {
        return path_error(path, "expected an object, not %s",
                          json_type_name(json_typeof(json)));
    }

    json_t *is_default, *actions;
    char *error = check_keys(json, path, policy_keys);
    if (!error) {
        error = get_domain_ref(json, path, "src_domain", names,
                               &policy->src_domain);
    }
    if (!error) {
        error = get_domain_ref(json, path, "dst_domain", names,
                               &policy->dst_domain);
    }
    if (!error) {
        error = get_member(json, path, "default", JSON_TRUE, false,
                           &is_default);
    }

    /* Both domains, or "default": true and neither. */
    if (!error && is_default && json_is_true(is_default)) {
        if (policy->src_domain || policy->dst_domain) {
            error = path_error(path, "the default policy has no src_domain "
                               "or dst_domain");
        }
    } else if (!error && (!policy->src_domain || !policy->dst_domain)) {
        error = path_error(path, "a policy needs both src_domain and "
                           "dst_domain, or \"default\": true");
    }
    if (!error) {
        char *key = (policy->src_domain
                     ? xasprintf("%s/%s", policy->src_domain,
                                 policy->dst_domain)
                     : xstrdup(""));
        const struct dt_blueprint_policy *other
            = shash_find_data(&names->policies, key);
        if (!other) {
            shash_add_nocopy(&names->policies, key, policy);
        } else if (policy->src_domain) {
            error = path_error(path, "a second policy from \"%s\" to \"%s\" "
                               "(the first is policies[%"PRIuSIZE"])",
                               policy->src_domain, policy->dst_domain,
                               (size_t) (other - bp->policies));
            free(key);
        } else {
            error = path_error(path, "a second default policy (the first "
                               "is policies[%"PRIuSIZE"])",
                               (size_t) (other - bp->policies));
            free(key);
        }
    }

    if (!error) {
        error = get_array(json, path, "actions", true, &actions);
    }
    if (!error) {
        size_t n = json_array_size(actions);
        char *actions_path = path_key(path, "actions");

        if (!n) {
            error = path_error(actions_path, "a policy needs at least one "
                               "action");
        } else if (n > DPS_MAX_ACTIONS) {
            error = path_error(actions_path, "%"PRIuSIZE" actions, more than "
                               "the %d a policy may have", n,
                               DPS_MAX_ACTIONS);
        }
        for (size_t i = 0; !error && i < n; i++) {
            json_t *action = json_array_get(actions, i);
            char *action_path = path_index(actions_path, i);

            if (!json_is_string(action)) {
                error = path_error(action_path, "expected a string, not %s",
                                   json_type_name(json_typeof(action)));
            } else if (!shash_find(&names->actions,
                                   json_string_value(action))) {
                error = path_error(action_path, "unknown action \"%s\"",
                                   json_string_value(action));
            } else if (svec_contains_unsorted(&policy->actions,
                                              json_string_value(action))) {
                error = path_error(action_path, "action \"%s\" is listed "
                                   "twice", json_string_value(action));
            } else {
                svec_add(&policy->actions, json_string_value(action));
            }
            free(action_path);
        }
        free(actions_path);
    }
    if (!error) {
        error = get_number(json, path, "ttl", dt_parse_ttl, &policy->ttl);
    }
    return error;
}

static char *
parse_endpoints(json_t *json, struct dt_blueprint *bp,
                struct blueprint_names *names)
{
    json_t *array;
    char *error = get_array(json, "", "endpoints", false, &array);
    if (error || !array) {
        return error;
    }

    size_t n = json_array_size(array);
    bp->endpoints = xcalloc(n, sizeof *bp->endpoints);
    for (size_t i = 0; !error && i < n; i++) {
        struct dt_blueprint_endpoint *ep = &bp->endpoints[bp->n_endpoints++];
        char *path = path_index("endpoints", i);

        endpoint_init(ep, NULL);
        error = parse_endpoint(json_array_get(array, i), path, bp, ep, names);
        free(path);
    }
    return error;
}

static char *
parse_endpoint(json_t *json, const char *path, const struct dt_blueprint *bp,
               struct dt_blueprint_endpoint *ep,
               struct blueprint_names *names)
{
    if (!json_is_object(json)) {
        return path_error(path, "expected an object, not %s",
                          json_type_name(json_typeof(json)));
    }

    const char *mac_s, *external;
    char *error = check_keys(json, path, endpoint_keys);
    if (!error) {
        error = get_name(json, path, "name", "endpoint", true, &ep->name);
    }
    if (!error) {
        const struct dt_blueprint_endpoint *other
            = shash_find_data(&names->endpoints, ep->name);
        if (other) {
            char *name_path = path_key(path, "name");
            error = path_error(name_path, "endpoint \"%s\" is already "
                               "defined at endpoints[%"PRIuSIZE"]", ep->name,
                               (size_t) (other - bp->endpoints));
            free(name_path);
        } else {
            shash_add(&names->endpoints, ep->name, ep);
        }
    }
    if (!error) {
        error = get_domain_ref(json, path, "domain", names, &ep->domain);
    }
    if (!error) {
        error = get_string(json, path, "mac", false, &mac_s);
    }
    if (!error && mac_s) {
        char *mac_path = path_key(path, "mac");
        struct eth_addr mac;

        error = path_wrap(mac_path, dt_parse_endpoint_mac(mac_s, &mac));
        if (!error) {
            ep->mac = xasprintf(ETH_ADDR_FMT, ETH_ADDR_ARGS(mac));
            const struct dt_blueprint_endpoint *other
                = shash_find_data(&names->macs, ep->mac);
            if (other) {
                error = path_error(mac_path, "MAC %s is already used by "
                                   "endpoint \"%s\"", ep->mac, other->name);
            } else {
                shash_add(&names->macs, ep->mac, ep);
            }
        }
        free(mac_path);
    }
    if (!error) {
        struct sset seen = SSET_INITIALIZER(&seen);
        error = parse_ips(json, path, "ips", &ep->ips, &seen);
        sset_destroy(&seen);
    }
    for (size_t i = 0; !error && i < ep->ips.n; i++) {
        const struct dt_blueprint_endpoint *other
            = shash_find_data(&names->ips, ep->ips.names[i]);
        if (other) {
            char *ips_path = path_key(path, "ips");
            char *ip_path = path_index(ips_path, i);
            error = path_error(ip_path, "IP address %s is already used by "
                               "endpoint \"%s\"", ep->ips.names[i],
                               other->name);
            free(ip_path);
            free(ips_path);
        } else {
            shash_add(&names->ips, ep->ips.names[i], ep);
        }
    }
    if (!error) {
        error = get_string(json, path, "external", false, &external);
    }
    if (!error && external) {
        char *external_path = path_key(path, "external");
        struct in6_addr prefix;
        unsigned int plen;

        error = path_wrap(external_path,
                          dt_parse_ip_prefix(external, &prefix, &plen));
        if (!error) {
            char buf[INET6_ADDRSTRLEN];
            bool is_v4 = IN6_IS_ADDR_V4MAPPED(&prefix);

            ep->external = xasprintf("%s/%u", dt_format_ip(&prefix, buf),
                                     is_v4 ? plen - 96 : plen);
        }
        free(external_path);
    }
    if (!error) {
        error = get_name(json, path, "hypervisor", "hypervisor", false,
                         &ep->hypervisor);
    }
    if (!error) {
        error = get_name(json, path, "port", "port", false, &ep->port);
    }
    return error;
}

/* Reads optional array 'key' of the object at 'path', a list of IP
 * addresses, appending them in canonical form to 'ips'.  An address listed
 * twice (as found in 'seen', to which this adds) is an error. */
static char *
parse_ips(json_t *json, const char *path, const char *key, struct svec *ips,
          struct sset *seen)
{
    json_t *array;
    char *error = get_array(json, path, key, false, &array);
    if (error || !array) {
        return error;
    }

    char *array_path = path_key(path, key);
    for (size_t i = 0; !error && i < json_array_size(array); i++) {
        json_t *value = json_array_get(array, i);
        char *ip_path = path_index(array_path, i);

        if (!json_is_string(value)) {
            error = path_error(ip_path, "expected a string, not %s",
                               json_type_name(json_typeof(value)));
        } else {
            char canonical[INET6_ADDRSTRLEN];
            struct in6_addr ip;

            error = path_wrap(ip_path, dt_parse_ip(json_string_value(value),
                                                   &ip, canonical));
            if (!error && !sset_add(seen, canonical)) {
                error = path_error(ip_path, "IP address %s is listed twice",
                                   canonical);
            } else if (!error) {
                svec_add(ips, canonical);
            }
        }
        free(ip_path);
    }
    free(array_path);
    return error;
}

/* Checks that every key of object 'json' at 'path' is one of the
 * NULL-terminated 'keys'. */
static char *
check_keys(json_t *json, const char *path, const char *const keys[])
{
    for (void *iter = json_object_iter(json); iter;
         iter = json_object_iter_next(json, iter)) {
        const char *key = json_object_iter_key(iter);
        size_t i;

        for (i = 0; keys[i] && strcmp(keys[i], key); i++) {
            continue;
        }
        if (!keys[i]) {
            char *expected = format_list(keys);
            char *error = path_error(path, "unknown key \"%s\" (expected %s)",
                                     key, expected);
            free(expected);
            return error;
        }
    }
    return NULL;
}

/* Looks up 'key' in object 'json' at 'path'.  If it is there, checks that
 * its type is 'type' (JSON_TRUE stands for either boolean) and stores it
 * in '*value'.  If not, stores NULL, which is an error if 'required'. */
static char *
get_member(json_t *json, const char *path, const char *key, json_type type,
           bool required, json_t **value)
{
    json_t *member = json_object_get(json, key);
    char *error = NULL;

    *value = NULL;
    if (!member) {
        if (required) {
            char *key_path = path_key(path, key);
            error = path_error(key_path, "required but missing");
            free(key_path);
        }
    } else if (type == JSON_TRUE
               ? !json_is_boolean(member)
               : json_typeof(member) != type) {
        char *key_path = path_key(path, key);
        error = path_error(key_path, "expected %s, not %s",
                           json_type_name(type),
                           json_type_name(json_typeof(member)));
        free(key_path);
    } else {
        *value = member;
    }
    return error;
}

/* Reads string 'key' of the object at 'path' into '*value', which points
 * into 'json', or NULL if the key is absent and not 'required'. */
static char *
get_string(json_t *json, const char *path, const char *key, bool required,
           const char **value)
{
    json_t *member;
    char *error = get_member(json, path, key, JSON_STRING, required, &member);

    *value = member ? json_string_value(member) : NULL;
    return error;
}

/* Reads string 'key' of the object at 'path', the name of a 'what'
 * ("network", "domain", ...), checks it with dt_parse_name() and stores a
 * copy in '*name' (NULL if absent and not 'required'). */
static char *
get_name(json_t *json, const char *path, const char *key, const char *what,
         bool required, char **name)
{
    const char *s;
    char *error = get_string(json, path, key, required, &s);

    if (!error && s) {
        char *key_path = path_key(path, key);
        error = path_wrap(key_path, dt_parse_name(what, s));
        free(key_path);
        if (!error) {
            *name = xstrdup(s);
        }
    }
    return error;
}

/* Reads optional string 'key' of the object at 'path', which must be one
 * of the NULL-terminated 'values' (each a 'what'), into '*value'. */
static char *
get_enum(json_t *json, const char *path, const char *key, const char *what,
         const char *const values[], char **value)
{
    const char *s;
    char *error = get_string(json, path, key, false, &s);

    if (!error && s) {
        size_t i;

        for (i = 0; values[i] && strcmp(values[i], s); i++) {
            continue;
        }
        if (values[i]) {
            *value = xstrdup(s);
        } else {
            char *key_path = path_key(path, key);
            char *expected = format_list(values);
            error = path_error(key_path, "\"%s\": unknown %s (expected %s)",
                               s, what, expected);
            free(expected);
            free(key_path);
        }
    }
    return error;
}

/* Reads required integer 'key' of the object at 'path' and checks it with
 * 'parse' (dt_parse_vni() or dt_parse_ttl()), which gets its decimal text,
 * so that the range and the message are those of the command line. */
static char *
get_number(json_t *json, const char *path, const char *key,
           char *(*parse)(const char *, uint32_t *), uint32_t *value)
{
    json_t *member;
    char *error = get_member(json, path, key, JSON_INTEGER, true, &member);

    if (!error) {
        char *s = xasprintf("%"JSON_INTEGER_FORMAT,
                            json_integer_value(member));
        char *key_path = path_key(path, key);

        error = path_wrap(key_path, parse(s, value));
        free(key_path);
        free(s);
    }
    return error;
}

/* Reads array 'key' of the object at 'path' into '*array' (NULL if it is
 * absent and not 'required'). */
static char *
get_array(json_t *json, const char *path, const char *key, bool required,
          json_t **array)
{
    return get_member(json, path, key, JSON_ARRAY, required, array);
}

/* Returns the path of member 'key' of the object at 'path': "PATH.KEY", or
 * "KEY" at the top level. */
static char *
path_key(const char *path, const char *key)
{
    return *path ? xasprintf("%s.%s", path, key) : xstrdup(key);
}

/* Returns the path of element 'index' of the array at 'path'. */
static char *
path_index(const char *path, size_t index)
{
    return xasprintf("%s[%"PRIuSIZE"]", path, index);
}

/* Returns a malloc'd error "PATH: MESSAGE", MESSAGE formatted from
 * 'format' like printf(). */
static char *
path_error(const char *path, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    char *message = xvasprintf(format, args);
    va_end(args);

    char *error = path_wrap(path, message);
    return error;
}

/* Returns 'error' (if nonnull) prefixed with "PATH: ", freeing 'error'. */
static char *
path_wrap(const char *path, char *error)
{
    if (!error) {
        return NULL;
    }
    char *s = xasprintf("%s: %s", *path ? path : "top level", error);
    free(error);
    return s;
}

/* Returns the name of JSON type 'type' with its article, for messages. */
static const char *
json_type_name(json_type type)
{
    switch (type) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a real number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    OVS_NOT_REACHED();
}

/* Returns the NULL-terminated 'words' as "a, b or c", malloc'd. */
static char *
format_list(const char *const words[])
{
    struct ds s = DS_EMPTY_INITIALIZER;

    for (size_t i = 0; words[i]; i++) {
        if (i) {
            ds_put_cstr(&s, words[i + 1] ? ", " : " or ");
        }
        ds_put_cstr(&s, words[i]);
    }
    return ds_steal_cstr(&s);
}

/* Writing. */

static json_t *domain_to_json(const struct dt_blueprint_domain *);
static json_t *action_to_json(const struct dt_blueprint_action *);
static json_t *policy_to_json(const struct dt_blueprint_policy *);
static json_t *endpoint_to_json(const struct dt_blueprint_endpoint *);
static json_t *strings_to_json(const struct svec *, bool sort);
static void set_string(json_t *object, const char *key, const char *value);
static json_t *new_object(void);
static json_t *new_array(void);
static json_t *new_string(const char *);
static json_t *new_integer(json_int_t);
static const void **sorted(const void *array, size_t n, size_t size,
                           int (*compare)(const void *, const void *));
static int compare_domains(const void *, const void *);
static int compare_actions(const void *, const void *);
static int compare_policies(const void *, const void *);
static int compare_endpoints(const void *, const void *);
static int compare_strings(const void *, const void *);
static int compare_names(const char *, const char *);

static json_t *
blueprint_to_json(const struct dt_blueprint *bp)
{
    json_t *json = new_object();
    json_t *array;
    const void **p;

    ovs_assert(bp->network);
    set_string(json, "network", bp->network);
    json_object_set_new(json, "vni", new_integer(bp->vni));
    if (bp->tenant) {
        set_string(json, "tenant", bp->tenant);
    }
    set_string(json, "fabric_mode",
               bp->fabric_mode ? bp->fabric_mode : "overlay");

    array = new_array();
    p = sorted(bp->domains, bp->n_domains, sizeof *bp->domains,
               compare_domains);
    for (size_t i = 0; i < bp->n_domains; i++) {
        json_array_append_new(array, domain_to_json(p[i]));
    }
    free(p);
    json_object_set_new(json, "domains", array);

    array = new_array();
    p = sorted(bp->actions, bp->n_actions, sizeof *bp->actions,
               compare_actions);
    for (size_t i = 0; i < bp->n_actions; i++) {
        json_array_append_new(array, action_to_json(p[i]));
    }
    free(p);
    json_object_set_new(json, "actions", array);

    array = new_array();
    p = sorted(bp->policies, bp->n_policies, sizeof *bp->policies,
               compare_policies);
    for (size_t i = 0; i < bp->n_policies; i++) {
        json_array_append_new(array, policy_to_json(p[i]));
    }
    free(p);
    json_object_set_new(json, "policies", array);

    array = new_array();
    p = sorted(bp->endpoints, bp->n_endpoints, sizeof *bp->endpoints,
               compare_endpoints);
    for (size_t i = 0; i < bp->n_endpoints; i++) {
        json_array_append_new(array, endpoint_to_json(p[i]));
    }
    free(p);
    json_object_set_new(json, "endpoints", array);

    return json;
}

static json_t *
domain_to_json(const struct dt_blueprint_domain *domain)
{
    json_t *json = new_object();

    set_string(json, "name", domain->name);
    if (domain->description) {
        set_string(json, "description", domain->description);
    }
    if (domain->dhcp_servers.n) {
        json_object_set_new(json, "dhcp_servers",
                            strings_to_json(&domain->dhcp_servers, true));
    }
    return json;
}

static json_t *
action_to_json(const struct dt_blueprint_action *action)
{
    json_t *json = new_object();

    set_string(json, "name", action->name);
    if (action->description) {
        set_string(json, "description", action->description);
    }
    set_string(json, "kind", action->kind);
    if (action->location) {
        set_string(json, "location", action->location);
    }
    if (!smap_is_empty(&action->config)) {
        const struct smap_node **nodes = smap_sort(&action->config);
        json_t *config = new_object();

        for (size_t i = 0; i < smap_count(&action->config); i++) {
            set_string(config, nodes[i]->key, nodes[i]->value);
        }
        free(nodes);
        json_object_set_new(json, "config", config);
    }
    return json;
}

static json_t *
policy_to_json(const struct dt_blueprint_policy *policy)
{
    json_t *json = new_object();

    if (policy->src_domain || policy->dst_domain) {
        if (policy->src_domain) {
            set_string(json, "src_domain", policy->src_domain);
        }
        if (policy->dst_domain) {
            set_string(json, "dst_domain", policy->dst_domain);
        }
    } else {
        json_object_set_new(json, "default", json_true());
    }
    json_object_set_new(json, "actions",
                        strings_to_json(&policy->actions, false));
    json_object_set_new(json, "ttl", new_integer(policy->ttl));
    return json;
}

static json_t *
endpoint_to_json(const struct dt_blueprint_endpoint *ep)
{
    json_t *json = new_object();

    set_string(json, "name", ep->name);
    if (ep->domain) {
        set_string(json, "domain", ep->domain);
    }
    if (ep->mac) {
        set_string(json, "mac", ep->mac);
    }
    if (ep->ips.n) {
        json_object_set_new(json, "ips", strings_to_json(&ep->ips, true));
    }
    if (ep->external) {
        set_string(json, "external", ep->external);
    }
    if (ep->hypervisor) {
        set_string(json, "hypervisor", ep->hypervisor);
    }
    if (ep->port) {
        set_string(json, "port", ep->port);
    }
    return json;
}

/* Returns 'strings' as a JSON array, sorted if 'sort'. */
static json_t *
strings_to_json(const struct svec *strings, bool sort)
{
    const char **p = xmalloc(strings->n * sizeof *p);
    json_t *array = new_array();

    for (size_t i = 0; i < strings->n; i++) {
        p[i] = strings->names[i];
    }
    if (sort) {
        qsort(p, strings->n, sizeof *p, compare_strings);
    }
    for (size_t i = 0; i < strings->n; i++) {
        json_array_append_new(array, new_string(p[i]));
    }
    free(p);
    return array;
}

/* Sets member 'key' of 'object' to string 'value'. */
static void
set_string(json_t *object, const char *key, const char *value)
{
    json_object_set_new(object, key, new_string(value));
}

/* Constructors, with json_pack() (see the comment at the top). */

static json_t *
new_object(void)
{
    json_t *json = json_pack("{}");
    ovs_assert(json);
    return json;
}

static json_t *
new_array(void)
{
    json_t *json = json_pack("[]");
    ovs_assert(json);
    return json;
}

/* Returns a JSON string 's'.  The blueprint's strings come from jansson or
 * from OVSDB, both of which accept only valid UTF-8, so jansson never
 * refuses one. */
static json_t *
new_string(const char *s)
{
    json_t *json = json_pack("s", s);
    ovs_assert(json);
    return json;
}

static json_t *
new_integer(json_int_t i)
{
    json_t *json = json_pack("I", i);
    ovs_assert(json);
    return json;
}

/* Returns a malloc'd array of pointers to the 'n' elements of 'size' bytes
 * each in 'array', sorted with 'compare' (which gets pointers to pointers
 * to elements), or in their original order if 'compare' is NULL. */
static const void **
sorted(const void *array, size_t n, size_t size,
       int (*compare)(const void *, const void *))
{
    const void **p = xmalloc(n * sizeof *p);

    for (size_t i = 0; i < n; i++) {
        p[i] = (const char *) array + i * size;
    }
    if (compare) {
        qsort(p, n, sizeof *p, compare);
    }
    return p;
}

static int
compare_domains(const void *a_, const void *b_)
{
    const struct dt_blueprint_domain *const *a = a_;
    const struct dt_blueprint_domain *const *b = b_;

    return compare_names((*a)->name, (*b)->name);
}

static int
compare_actions(const void *a_, const void *b_)
{
    const struct dt_blueprint_action *const *a = a_;
    const struct dt_blueprint_action *const *b = b_;

    return compare_names((*a)->name, (*b)->name);
}

/* Compares optional names 'a' and 'b', NULL after every name. */
static int
compare_optional_names(const char *a, const char *b)
{
    return (a && b ? compare_names(a, b)
            : a ? -1
            : b ? 1
            : 0);
}

/* Orders policies by source domain, then destination domain; the default
 * policy, which has neither, comes last. */
static int
compare_policies(const void *a_, const void *b_)
{
    const struct dt_blueprint_policy *const *a = a_;
    const struct dt_blueprint_policy *const *b = b_;
    int cmp = compare_optional_names((*a)->src_domain, (*b)->src_domain);

    return cmp ? cmp : compare_optional_names((*a)->dst_domain,
                                              (*b)->dst_domain);
}

static int
compare_endpoints(const void *a_, const void *b_)
{
    const struct dt_blueprint_endpoint *const *a = a_;
    const struct dt_blueprint_endpoint *const *b = b_;

    return compare_names((*a)->name, (*b)->name);
}

/* Compares two strings, given pointers to them. */
static int
compare_strings(const void *a_, const void *b_)
{
    const char *const *a = a_;
    const char *const *b = b_;

    return compare_names(*a, *b);
}

/* Compares 'a' and 'b' "naturally": runs of digits by their value, other
 * characters by their code, so "E-2" < "E-10" and, for IPv4 addresses,
 * "9.2.10.26" < "10.0.0.1".  Strings that differ only in leading zeros
 * are ordered by strcmp(), so the order is total. */
static int
compare_names(const char *a, const char *b)
{
    const char *pa = a, *pb = b;

    while (*pa && *pb) {
        if (isdigit((unsigned char) *pa) && isdigit((unsigned char) *pb)) {
            while (*pa == '0') {
                pa++;
            }
            while (*pb == '0') {
                pb++;
            }
            size_t na = strspn(pa, "0123456789");
            size_t nb = strspn(pb, "0123456789");
            if (na != nb) {
                return na < nb ? -1 : 1;
            }
            int cmp = memcmp(pa, pb, na);
            if (cmp) {
                return cmp;
            }
            pa += na;
            pb += nb;
        } else if (*pa != *pb) {
            return (unsigned char) *pa < (unsigned char) *pb ? -1 : 1;
        } else {
            pa++;
            pb++;
        }
    }
    if (*pa || *pb) {
        return *pa ? 1 : -1;
    }
    return strcmp(a, b);
}

/* The elements. */

static void
domain_init(struct dt_blueprint_domain *domain, const char *name)
{
    domain->name = nullable_xstrdup(name);
    domain->description = NULL;
    svec_init(&domain->dhcp_servers);
}

static void
domain_destroy(struct dt_blueprint_domain *domain)
{
    free(domain->name);
    free(domain->description);
    svec_destroy(&domain->dhcp_servers);
}

static void
action_init(struct dt_blueprint_action *action, const char *name,
            const char *kind)
{
    action->name = nullable_xstrdup(name);
    action->description = NULL;
    action->kind = nullable_xstrdup(kind);
    action->location = NULL;
    smap_init(&action->config);
}

static void
action_destroy(struct dt_blueprint_action *action)
{
    free(action->name);
    free(action->description);
    free(action->kind);
    free(action->location);
    smap_destroy(&action->config);
}

static void
policy_init(struct dt_blueprint_policy *policy, const char *src_domain,
            const char *dst_domain, uint32_t ttl)
{
    policy->src_domain = nullable_xstrdup(src_domain);
    policy->dst_domain = nullable_xstrdup(dst_domain);
    svec_init(&policy->actions);
    policy->ttl = ttl;
}

static void
policy_destroy(struct dt_blueprint_policy *policy)
{
    free(policy->src_domain);
    free(policy->dst_domain);
    svec_destroy(&policy->actions);
}

static void
endpoint_init(struct dt_blueprint_endpoint *ep, const char *name)
{
    ep->name = nullable_xstrdup(name);
    ep->domain = NULL;
    ep->mac = NULL;
    svec_init(&ep->ips);
    ep->external = NULL;
    ep->hypervisor = NULL;
    ep->port = NULL;
}

static void
endpoint_destroy(struct dt_blueprint_endpoint *ep)
{
    free(ep->name);
    free(ep->domain);
    free(ep->mac);
    svec_destroy(&ep->ips);
    free(ep->external);
    free(ep->hypervisor);
    free(ep->port);
}
