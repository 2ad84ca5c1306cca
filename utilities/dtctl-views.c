/*
 * dtctl-views: dovetail-ctl's commands that take in a whole network.
 *
 *   show [NETWORK]        each network as an indented tree: its domains
 *                         with their endpoints, actions, policies and
 *                         multicast groups; then the hypervisors.
 *   policy-graph NETWORK  the network as DOVE draws an application: a
 *                         directed graph, domains as vertices and one-way
 *                         policies as labelled edges, in Graphviz dot.
 *   resolve NETWORK SRC DST
 *                         a policy request answered by the same code the
 *                         controller runs (lib/dt-dps over a copy of the
 *                         database), with every step of the answer.
 *   import [--replace] FILE, export NETWORK
 *                         JSON blueprints (lib/dt-blueprint).
 */
#include <config.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "db-ctl-base.h"
#include "dirs.h"
#include "jsonrpc.h"
#include "lib/dovetail-idl.h"
#include "lib/dt-blueprint-db.h"
#include "lib/dt-blueprint.h"
#include "lib/dt-db.h"
#include "lib/dt-dps-idl.h"
#include "lib/dt-dps.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/vlog.h"
#include "smap.h"
#include "svec.h"
#include "table.h"
#include "unixctl.h"
#include "util.h"
#include "utilities/dtctl.h"

/* "show". */

/* Appends one endpoint line: "endpoint NAME: MAC IPS on LOCATION". */
static void
show_endpoint(const struct dtrec_endpoint *ep, struct ds *s)
{
    ds_put_format(s, "        endpoint %s:", ep->name);
    if (ep->mac) {
        ds_put_format(s, " %s", ep->mac);
    }
    if (ep->n_addresses) {
        ds_put_char(s, ' ');
        dtctl_format_ips(ep, s);
    }
    if (!ep->mac && !ep->n_addresses && !ep->external_prefix) {
        ds_put_cstr(s, " (no address yet)");
    }
    if (ep->external_prefix || ep->hypervisor) {
        ds_put_cstr(s, ep->external_prefix ? " " : " on ");
        dtctl_format_location(ep, s);
    } else {
        ds_put_cstr(s, " (not attached)");
    }
    ds_put_char(s, '\n');
}

/* Appends the endpoints of 'eps' in domain 'dom' (NULL: in no domain). */
static void
show_members(const struct dtrec_endpoint **eps, size_t n,
             const struct dtrec_policy_domain *dom, struct ds *s)
{
    for (size_t i = 0; i < n; i++) {
        if (dt_db_same_row(eps[i]->domain, dom)) {
            show_endpoint(eps[i], s);
        }
    }
}

static void
show_network(struct ctl_context *ctx, const struct dtrec_virtual_network *net)
{
    struct ds *s = &ctx->output;
    size_t n_doms, n_eps, n_acts, n_pols;
    const struct dtrec_policy_domain **doms = dtctl_domains(ctx, net,
                                                            &n_doms);
    const struct dtrec_endpoint **eps = dtctl_endpoints(ctx, net, &n_eps);
    const struct dtrec_policy_action **acts = dtctl_actions(ctx, net,
                                                            &n_acts);
    const struct dtrec_policy **pols = dtctl_policies(ctx, net, &n_pols);

    ds_put_format(s, "network %s (vni %"PRId64", mode %s", net->name,
                  net->vni, net->fabric_mode);
    if (net->tenant) {
        ds_put_format(s, ", tenant %s", net->tenant->name);
    }
    ds_put_cstr(s, ")\n");

    for (size_t i = 0; i < n_doms; i++) {
        const struct dtrec_policy_domain *dom = doms[i];
        const char *description = smap_get(&dom->external_ids,
                                           "description");

        ds_put_format(s, "    domain %s", dom->name);
        if (description) {
            ds_put_format(s, " \"%s\"", description);
        }
        if (dom->n_dhcp_servers) {
            struct svec dhcp = SVEC_EMPTY_INITIALIZER;
            for (size_t j = 0; j < dom->n_dhcp_servers; j++) {
                svec_add(&dhcp, dom->dhcp_servers[j]);
            }
            svec_sort(&dhcp);
            char *joined = svec_join(&dhcp, ",", "");
            ds_put_format(s, " (dhcp %s)", joined);
            free(joined);
            svec_destroy(&dhcp);
        }
        ds_put_char(s, '\n');
        show_members(eps, n_eps, dom, s);
    }

    bool any_outside = false;
    for (size_t i = 0; i < n_eps; i++) {
        any_outside |= !eps[i]->domain;
    }
    if (any_outside) {
        ds_put_cstr(s, "    no domain\n");
        show_members(eps, n_eps, NULL, s);
    }

    for (size_t i = 0; i < n_acts; i++) {
        ds_put_format(s, "    action %s: %s", acts[i]->name, acts[i]->kind);
        if (acts[i]->location) {
            ds_put_format(s, " %s", acts[i]->location);
        }
        ds_put_char(s, '\n');
    }
    for (size_t i = 0; i < n_pols; i++) {
        ds_put_cstr(s, "    policy ");
        dtctl_format_policy_name(pols[i], s);
        ds_put_cstr(s, ": ");
        dtctl_format_policy_actions(pols[i], s);
        ds_put_format(s, " (ttl %"PRId64", tracking %"PRId64")\n",
                      pols[i]->ttl, pols[i]->tracking_number);
    }

    const struct dtrec_multicast_group *g;
    DTREC_MULTICAST_GROUP_FOR_EACH (g, ctx->idl) {
        if (dt_db_same_row(g->network, net)) {
            ds_put_format(s, "    multicast group %s: %"PRIuSIZE
                          " member%s\n", g->group, g->n_members,
                          g->n_members == 1 ? "" : "s");
        }
    }

    free(doms);
    free(eps);
    free(acts);
    free(pols);
}

static void
cmd_show(struct ctl_context *ctx)
{
    if (ctx->argc > 1) {
        const struct dtrec_virtual_network *net
            = dtctl_network(ctx, ctx->argv[1], false);
        if (net) {
            show_network(ctx, net);
        }
        return;
    }

    size_t n_nets, n_hvs;
    const struct dtrec_virtual_network **nets = dtctl_networks(ctx, &n_nets);
    for (size_t i = 0; i < n_nets; i++) {
        show_network(ctx, nets[i]);
    }
    free(nets);

    const struct dtrec_hypervisor **hvs = dtctl_hypervisors(ctx, &n_hvs);
    for (size_t i = 0; i < n_hvs; i++) {
        ds_put_format(&ctx->output, "hypervisor %s (dpid %016"PRIx64
                      ", tunnel %s)\n", hvs[i]->name,
                      (uint64_t) hvs[i]->datapath_id, hvs[i]->tunnel_ip);
    }
    free(hvs);
}

/* The hypervisor a command's optional last argument (argv[1]) names, into
 * '*hv', NULL if there is none.  Returns false (with an error in 'ctx') if
 * it names none. */
static bool
optional_hypervisor(struct ctl_context *ctx,
                    const struct dtrec_hypervisor **hv)
{
    *hv = ctx->argc > 1 ? dtctl_hypervisor(ctx, ctx->argv[1], false) : NULL;
    return ctx->argc <= 1 || *hv;
}

/* "channel-list": the channel table of each hypervisor (fabric mode
 * channel, dovetail-controller's controller/channel.h). */
static void
cmd_channel_list(struct ctl_context *ctx)
{
    const struct dtrec_hypervisor *only;
    if (!optional_hypervisor(ctx, &only)) {
        return;
    }

    size_t n_hvs, n_eps;
    const struct dtrec_hypervisor **hvs = dtctl_hypervisors(ctx, &n_hvs);
    const struct dtrec_endpoint **eps = dtctl_endpoints(ctx, NULL, &n_eps);
    struct table *t = dtctl_table(ctx, "hypervisor", "network", "endpoint",
                                  "routes", "channel", "mac", "groups",
                                  NULL);
    struct ds cell = DS_EMPTY_INITIALIZER;
    for (size_t i = 0; i < n_hvs; i++) {
        if (only && hvs[i] != only) {
            continue;
        }
        for (size_t j = 0; j < n_eps; j++) {
            const struct dtrec_endpoint *ep = eps[j];
            if (ep->hypervisor != hvs[i] || !ep->network
                || strcmp(ep->network->fabric_mode, "channel")) {
                continue;
            }
            table_add_row(t);
            dtctl_cell(t, hvs[i]->name);
            dtctl_cell(t, ep->network->name);
            dtctl_cell(t, ep->name);

            /* Each address a /32 (or /128) route to the channel. */
            struct svec ips = SVEC_EMPTY_INITIALIZER;
            for (size_t k = 0; k < ep->n_addresses; k++) {
                const char *ip = ep->addresses[k]->ip;
                svec_add_nocopy(&ips, xasprintf("%s/%d", ip,
                                                strchr(ip, ':') ? 128 : 32));
            }
            svec_sort(&ips);
            ds_clear(&cell);
            for (size_t k = 0; k < ips.n; k++) {
                ds_put_format(&cell, "%s%s", k ? "," : "", ips.names[k]);
            }
            svec_destroy(&ips);
            dtctl_cell(t, ds_cstr(&cell));

            ds_clear(&cell);
            ds_put_cstr(&cell, ep->port ? ep->port : "(none)");
            if (ep->n_vlan_request) {
                if (ep->n_vlan) {
                    ds_put_format(&cell, " vlan %"PRId64, *ep->vlan);
                } else {
                    ds_put_cstr(&cell, " vlan (waiting)");
                }
            }
            dtctl_cell(t, ds_cstr(&cell));
            dtctl_cell(t, ep->mac ? ep->mac : "");

            struct svec groups = SVEC_EMPTY_INITIALIZER;
            const struct dtrec_multicast_group *g;
            DTREC_MULTICAST_GROUP_FOR_EACH (g, ctx->idl) {
                for (size_t k = 0; k < g->n_members; k++) {
                    if (g->members[k] == ep) {
                        svec_add(&groups, g->group);
                    }
                }
            }
            svec_sort(&groups);
            char *joined = svec_join(&groups, ",", "");
            dtctl_cell(t, joined);
            free(joined);
            svec_destroy(&groups);
        }
    }
    ds_destroy(&cell);
    free(eps);
    free(hvs);
}

/* "policy-graph". */

/* Appends 'text' as a double-quoted dot string, a newline in 'text'
 * becoming dot's line break "\\n". */
static void
put_dot_string(struct ds *s, const char *text)
{
    ds_put_char(s, '"');
    for (const char *p = text; *p; p++) {
        if (*p == '\n') {
            ds_put_cstr(s, "\\n");
            continue;
        }
        if (*p == '"' || *p == '\\') {
            ds_put_char(s, '\\');
        }
        ds_put_char(s, *p);
    }
    ds_put_char(s, '"');
}

/* Appends "ACTIONS (ttl T, tracking N)", each action by its description
 * if it has one ("FW-1"), else by its name. */
static void
put_policy_label(const struct dtrec_policy *policy, struct ds *s)
{
    const struct dtrec_policy_action **actions = dt_db_policy_actions(policy);

    for (size_t i = 0; i < policy->n_actions; i++) {
        const char *description = smap_get(&actions[i]->external_ids,
                                           "description");
        ds_put_format(s, "%s%s", i ? ", " : "",
                      description ? description : actions[i]->name);
    }
    free(actions);
    ds_put_format(s, " (ttl %"PRId64", tracking %"PRId64")", policy->ttl,
                  policy->tracking_number);
}

static void
cmd_policy_graph(struct ctl_context *ctx)
{
    const struct dtrec_virtual_network *net = dtctl_network(ctx, ctx->argv[1],
                                                            false);
    if (!net) {
        return;
    }

    struct ds *s = &ctx->output;
    size_t n_doms, n_pols;
    const struct dtrec_policy_domain **doms = dtctl_domains(ctx, net,
                                                            &n_doms);
    const struct dtrec_policy **pols = dtctl_policies(ctx, net, &n_pols);
    const struct dtrec_policy *def = dt_db_find_policy(ctx->idl, net, NULL,
                                                       NULL);
    struct ds label = DS_EMPTY_INITIALIZER;

    ds_put_cstr(s, "digraph ");
    put_dot_string(s, net->name);
    ds_put_cstr(s, " {\n    label=");
    ds_put_format(&label, "network %s (vni %"PRId64"): default policy ",
                  net->name, net->vni);
    if (def) {
        put_policy_label(def, &label);
    } else {
        ds_put_format(&label, "none, so implicitly allow (ttl %d)",
                      DPS_IMPLICIT_TTL);
    }
    put_dot_string(s, ds_cstr(&label));
    ds_put_cstr(s, ";\n    labelloc=t;\n    node [shape=box];\n");

    for (size_t i = 0; i < n_doms; i++) {
        const char *description = smap_get(&doms[i]->external_ids,
                                           "description");
        ds_put_cstr(s, "    ");
        put_dot_string(s, doms[i]->name);
        ds_clear(&label);
        ds_put_cstr(&label, doms[i]->name);
        if (description) {
            ds_put_format(&label, "\n%s", description);
        }
        ds_put_cstr(s, " [label=");
        put_dot_string(s, ds_cstr(&label));
        ds_put_cstr(s, "];\n");
    }
    for (size_t i = 0; i < n_pols; i++) {
        const struct dtrec_policy *p = pols[i];
        if (!p->src_domain || !p->dst_domain) {
            continue;
        }
        ds_put_cstr(s, "    ");
        put_dot_string(s, p->src_domain->name);
        ds_put_cstr(s, " -> ");
        put_dot_string(s, p->dst_domain->name);
        ds_clear(&label);
        put_policy_label(p, &label);
        ds_put_cstr(s, " [label=");
        put_dot_string(s, ds_cstr(&label));
        ds_put_cstr(s, "];\n");
    }
    ds_put_cstr(s, "}\n");

    ds_destroy(&label);
    free(doms);
    free(pols);
}

/* "resolve". */

static void
cmd_resolve(struct ctl_context *ctx)
{
    struct dps *dps = dps_create();
    struct dps_resolution res;

    dps_sync_from_idl(dps, ctx->idl);
    char *error = dps_resolve_request(dps, ctx->argv[1], ctx->argv[2],
                                      ctx->argv[3], &res);
    if (!dtctl_error(ctx, error)) {
        dps_resolution_format(&res, &ctx->output);
    }
    dps_destroy(dps);
}

/* Blueprints. */

static void
cmd_import(struct ctl_context *ctx)
{
    struct dt_blueprint bp;
    char *error = dt_blueprint_from_file(ctx->argv[1], &bp);

    if (dtctl_error(ctx, error)) {
        return;
    }
    dtctl_error(ctx, dt_blueprint_db_import(ctx->idl, ctx->txn, &bp,
                                            dtctl_option(ctx, "--replace")));
    dt_blueprint_destroy(&bp);
}

static void
cmd_export(struct ctl_context *ctx)
{
    struct dt_blueprint bp;

    if (dtctl_error(ctx, dt_blueprint_db_export(ctx->idl, ctx->argv[1],
                                                &bp))) {
        return;
    }
    char *json = dt_blueprint_to_string(&bp);
    ds_put_cstr(&ctx->output, json);
    free(json);
    dt_blueprint_destroy(&bp);
}

/* The unixctl socket of the daemon 'target' names, as ovs-appctl's -t
 * takes it: a path (with a '/'), or a program name whose pidfile in the
 * run directory gives its socket.  Returns NULL (and an error in 'ctx')
 * if there is none. */
static char *
unixctl_path(struct ctl_context *ctx, const char *target)
{
    if (strchr(target, '/')) {
        return xstrdup(target);
    }
    char *pidfile = xasprintf("%s/%s.pid", ovs_rundir(), target);
    pid_t pid = read_pidfile(pidfile);
    if (pid < 0) {
        dtctl_error(ctx, xasprintf("cannot read pidfile \"%s\" (%s): is "
                                   "%s running?  (--controller=SOCKET "
                                   "names its control socket)", pidfile,
                                   ovs_retval_to_string(-pid), target));
        free(pidfile);
        return NULL;
    }
    free(pidfile);
    return xasprintf("%s/%s.%ld.ctl", ovs_rundir(), target, (long int) pid);
}

/* "sarp-cache": each SARP edge's cache (fabric mode sarp), which lives in
 * dovetail-controller, not in the database: asked of the controller over
 * its control socket ("sarp/show"). */
static void
cmd_sarp_cache(struct ctl_context *ctx)
{
    const struct dtrec_hypervisor *only;
    if (!optional_hypervisor(ctx, &only)) {
        return;
    }

    const char *target = shash_find_data(&ctx->options, "--controller");
    char *path = unixctl_path(ctx, target ? target : "dovetail-controller");
    if (!path) {
        return;
    }
    /* The error below says what unixctl would warn of. */
    struct vlog_module *module = vlog_module_from_name("unixctl");
    if (module && vlog_get_level(module, VLF_CONSOLE) == VLL_WARN) {
        vlog_set_levels(module, VLF_CONSOLE, VLL_ERR);
    }
    struct jsonrpc *client;
    int error = unixctl_client_create(path, &client);
    if (error) {
        dtctl_error(ctx, xasprintf("%s: cannot connect to dovetail-"
                                   "controller (%s)", path,
                                   ovs_strerror(error)));
        free(path);
        return;
    }

    char *dpid = only ? xasprintf("%016"PRIx64,
                                  (uint64_t) only->datapath_id) : NULL;
    char *args[] = { dpid };
    char *result = NULL, *err = NULL;
    error = unixctl_client_transact(client, "sarp/show", only ? 1 : 0,
                                    only ? args : NULL, &result, &err);
    if (error) {
        dtctl_error(ctx, xasprintf("%s: transaction failed (%s)", path,
                                   ovs_strerror(error)));
    } else if (err) {
        dtctl_error(ctx, xasprintf("%s: %s", path, err));
    } else {
        ds_put_cstr(&ctx->output, result);
    }
    jsonrpc_close(client);
    free(result);
    free(err);
    free(dpid);
    free(path);
}

const struct ctl_command_syntax dtctl_view_commands[] = {
    {"show", 0, 1, "[NETWORK]", dtctl_pre, cmd_show, NULL, "", RO},
    {"channel-list", 0, 1, "[HYPERVISOR]", dtctl_pre, cmd_channel_list, NULL,
     "", RO},
    {"sarp-cache", 0, 1, "[HYPERVISOR]", dtctl_pre, cmd_sarp_cache, NULL,
     "--controller=", RO},
    {"policy-graph", 1, 1, "NETWORK", dtctl_pre, cmd_policy_graph, NULL, "",
     RO},
    {"resolve", 3, 3, "NETWORK SRC DST", dtctl_pre, cmd_resolve, NULL, "",
     RO},
    {"import", 1, 1, "FILE", dtctl_pre, cmd_import, NULL, "--replace", RW},
    {"export", 1, 1, "NETWORK", dtctl_pre, cmd_export, NULL, "", RO},
    {NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, RO},
};
