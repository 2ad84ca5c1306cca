/*
 * dtctl-tables: dovetail-ctl's commands for the rows of each table.
 *
 * For each kind of row, an -add (with --may-exist), a -del (with
 * --if-exists), a -list (a table in the --format the user chose) and,
 * where an operator changes rows in place, a -set or -move.  Every
 * argument is parsed with lib/dt-addr first, so a malformed value is
 * reported as such and not as "no such row"; then the rows are looked up;
 * then the change is made.  Rules that span rows (a MAC used twice, a
 * waypoint without a location, ...) are left to lib/dt-check, which
 * dovetail-ctl runs over the whole database before committing, so the
 * generic commands are held to them too.  The pools of the
 * overlay-tenant-OUI design (lib/dt-pool) are the exception: tenant-add
 * and tenant-oui-add allocate OUIs, endpoint-add allocates MACs from the
 * tenant's OUIs, and they and endpoint-set-addresses check a MAC against
 * them, each from a pool built from the database as the transaction
 * leaves it.
 */
#include <config.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "db-ctl-base.h"
#include "lib/dovetail-idl.h"
#include "lib/dt-addr.h"
#include "lib/dt-db.h"
#include "lib/dt-dps.h"
#include "lib/dt-pool-idl.h"
#include "lib/dt-pool.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/shash.h"
#include "ovsdb-idl.h"
#include "packets.h"
#include "smap.h"
#include "svec.h"
#include "table.h"
#include "util.h"
#include "utilities/dtctl.h"

/* The default TTL of a new policy, in seconds (DOVE's Table 2 uses 300). */
#define DEFAULT_TTL 300

/* Tenants. */

/* Parses 'arg' as an OUI and stores it in '*oui' and, as the database
 * stores it, in 's'.  Returns false with ctx->error set on failure. */
static bool
parse_oui(struct ctl_context *ctx, const char *arg, uint32_t *oui,
          char s[POOL_OUI_STRLEN])
{
    if (dtctl_error(ctx, dt_parse_oui(arg, oui))) {
        return false;
    }
    pool_format_oui(*oui, s);
    return true;
}

/* Initializes 'pool' with what the database, as the transaction leaves
 * it, owns and uses: every tenant's OUIs, every endpoint's MAC except
 * 'except''s. */
static void
build_pool(struct ctl_context *ctx, struct pool *pool,
           const struct dtrec_endpoint *except)
{
    pool_init(pool);
    pool_fill_from_idl(pool, ctx->idl, except);
}

/* Allocates a free locally administered OUI for 'tenant' and stores it
 * in 's'.  Returns false with ctx->error set if there is none. */
static bool
alloc_oui(struct ctl_context *ctx, const char *tenant,
          char s[POOL_OUI_STRLEN])
{
    struct pool pool;
    uint32_t oui;

    build_pool(ctx, &pool, NULL);
    char *error = pool_alloc_oui(&pool, tenant, POOL_OUI_LOCAL_FIRST,
                                 POOL_OUI_LOCAL_LAST, &oui);
    pool_destroy(&pool);
    if (dtctl_error(ctx, error)) {
        return false;
    }
    pool_format_oui(oui, s);
    return true;
}

static void
cmd_tenant_add(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    struct svec ouis = SVEC_EMPTY_INITIALIZER;   /* As text. */
    uint32_t *values = xmalloc(ctx->argc * sizeof *values);
    struct pool pool;

    if (dtctl_error(ctx, dt_parse_name("tenant", name))) {
        goto out;
    }
    for (size_t i = 2; i < ctx->argc; i++) {
        char s[POOL_OUI_STRLEN];
        if (!parse_oui(ctx, ctx->argv[i], &values[ouis.n], s)) {
            goto out;
        }
        if (svec_contains_unsorted(&ouis, s)) {
            ctl_error(ctx, "\"%s\": OUI given twice", ctx->argv[i]);
            goto out;
        }
        svec_add(&ouis, s);
    }

    const struct dtrec_tenant *tenant = dt_db_find_tenant(ctx->idl, name);
    if (tenant) {
        if (!dtctl_option(ctx, "--may-exist")) {
            ctl_error(ctx, "\"%s\": tenant already exists", name);
        }
        goto out;
    }

    /* The OUIs given must be free; with none given, one is allocated. */
    build_pool(ctx, &pool, NULL);
    for (size_t i = 0; i < ouis.n; i++) {
        if (dtctl_error(ctx, pool_check_oui(&pool, values[i], name))) {
            pool_destroy(&pool);
            goto out;
        }
    }
    pool_destroy(&pool);
    if (!ouis.n) {
        char s[POOL_OUI_STRLEN];
        if (!alloc_oui(ctx, name, s)) {
            goto out;
        }
        svec_add(&ouis, s);
    }

    struct dtrec_tenant *t = dtrec_tenant_insert(ctx->txn);
    dtrec_tenant_set_name(t, name);
    dtrec_tenant_set_ouis(t, (const char **) ouis.names, ouis.n);

out:
    free(values);
    svec_destroy(&ouis);
}

static void
cmd_tenant_del(struct ctl_context *ctx)
{
    const struct dtrec_tenant *tenant
        = dtctl_tenant(ctx, ctx->argv[1], dtctl_option(ctx, "--if-exists"));
    if (!tenant) {
        return;
    }

    const struct dtrec_virtual_network *net;
    DTREC_VIRTUAL_NETWORK_FOR_EACH (net, ctx->idl) {
        if (dt_db_same_row(net->tenant, tenant)) {
            ctl_error(ctx, "\"%s\": tenant still owns network \"%s\"",
                      tenant->name, net->name);
            return;
        }
    }
    dtrec_tenant_delete(tenant);
}

/* Stores 'ep''s MAC in '*mac' and returns true, or returns false if it has
 * none (or a malformed one, which lib/dt-check reports). */
static bool
endpoint_mac(const struct dtrec_endpoint *ep, struct eth_addr *mac)
{
    char *error = ep->mac ? dt_parse_mac(ep->mac, mac) : NULL;
    bool ok = ep->mac && !error;
    free(error);
    return ok;
}

/* Returns the index in 'tenant''s OUIs of 'oui', or SIZE_MAX if it does
 * not own it. */
static size_t
find_tenant_oui(const struct dtrec_tenant *tenant, uint32_t oui)
{
    for (size_t i = 0; i < tenant->n_ouis; i++) {
        uint32_t owned;
        char *error = dt_parse_oui(tenant->ouis[i], &owned);
        bool found = !error && owned == oui;
        free(error);
        if (found) {
            return i;
        }
    }
    return SIZE_MAX;
}

/* Sets 'tenant''s OUIs to those it has, plus 'add' if nonnull, minus the
 * one at index 'del' if it is not SIZE_MAX.  (The whole column is written,
 * rather than an addvalue or delvalue, so that the following commands of
 * the transaction see the change.) */
static void
set_tenant_ouis(const struct dtrec_tenant *tenant, const char *add,
                size_t del)
{
    const char **ouis = xmalloc((tenant->n_ouis + 1) * sizeof *ouis);
    size_t n = 0;

    for (size_t i = 0; i < tenant->n_ouis; i++) {
        if (i != del) {
            ouis[n++] = tenant->ouis[i];
        }
    }
    if (add) {
        ouis[n++] = add;
    }
    dtrec_tenant_set_ouis(tenant, ouis, n);
    free(ouis);
}

static void
cmd_tenant_oui_add(struct ctl_context *ctx)
{
    char s[POOL_OUI_STRLEN];
    uint32_t oui;

    if (ctx->argc > 2 && !parse_oui(ctx, ctx->argv[2], &oui, s)) {
        return;
    }
    const struct dtrec_tenant *tenant = dtctl_tenant(ctx, ctx->argv[1],
                                                     false);
    if (!tenant) {
        return;
    }

    if (ctx->argc > 2) {
        if (find_tenant_oui(tenant, oui) != SIZE_MAX) {
            if (!dtctl_option(ctx, "--may-exist")) {
                ctl_error(ctx, "\"%s\": tenant already owns OUI %s",
                          tenant->name, s);
            }
            return;
        }

        struct pool pool;
        build_pool(ctx, &pool, NULL);
        char *error = pool_check_oui(&pool, oui, tenant->name);
        pool_destroy(&pool);
        if (dtctl_error(ctx, error)) {
            return;
        }
    } else if (!alloc_oui(ctx, tenant->name, s)) {
        return;
    }
    set_tenant_ouis(tenant, s, SIZE_MAX);
}

static void
cmd_tenant_oui_del(struct ctl_context *ctx)
{
    char s[POOL_OUI_STRLEN];
    uint32_t oui;

    if (!parse_oui(ctx, ctx->argv[2], &oui, s)) {
        return;
    }
    const struct dtrec_tenant *tenant = dtctl_tenant(ctx, ctx->argv[1],
                                                     false);
    if (!tenant) {
        return;
    }
    size_t idx = find_tenant_oui(tenant, oui);
    if (idx == SIZE_MAX) {
        if (!dtctl_option(ctx, "--if-exists")) {
            ctl_error(ctx, "\"%s\": tenant does not own OUI %s",
                      tenant->name, s);
        }
        return;
    }

    /* A VM whose MAC is in the OUI would lose its tenant. */
    const struct dtrec_endpoint *ep;
    DTREC_ENDPOINT_FOR_EACH (ep, ctx->idl) {
        struct eth_addr mac;
        if (endpoint_mac(ep, &mac) && pool_mac_oui(mac) == oui) {
            ctl_error(ctx, "\"%s\": OUI %s is still used by endpoint \"%s\" "
                      "(MAC %s)", tenant->name, s, ep->name, ep->mac);
            return;
        }
    }
    set_tenant_ouis(tenant, NULL, idx);
}

static int
compare_tenants(const void *a_, const void *b_)
{
    const struct dtrec_tenant *const *a = a_, *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

static void
cmd_tenant_list(struct ctl_context *ctx)
{
    size_t n;
    const struct dtrec_tenant **tenants = (const struct dtrec_tenant **)
        dtctl_sorted_rows(ctx, &dtrec_table_tenant, NULL, NULL,
                          compare_tenants, &n);
    struct table *t = dtctl_table(ctx, "name", "ouis", NULL);

    for (size_t i = 0; i < n; i++) {
        struct svec ouis = SVEC_EMPTY_INITIALIZER;
        for (size_t j = 0; j < tenants[i]->n_ouis; j++) {
            svec_add(&ouis, tenants[i]->ouis[j]);
        }
        svec_sort(&ouis);
        char *joined = svec_join(&ouis, ",", "");

        table_add_row(t);
        dtctl_cell(t, tenants[i]->name);
        dtctl_cell(t, joined);
        free(joined);
        svec_destroy(&ouis);
    }
    free(tenants);
}

/* Networks. */

/* Validates a --mode option's value. */
static char *
parse_mode(const char *mode)
{
    if (strcmp(mode, "overlay") && strcmp(mode, "sarp")
        && strcmp(mode, "channel")) {
        return xasprintf("\"%s\": unknown fabric mode (expected overlay, "
                         "sarp or channel)", mode);
    }
    return NULL;
}

/* Over keyless GRE nothing but the inner source MAC's OUI tells the
 * receiver the network, so a "gre" network needs a tenant 'tenant' that
 * owns an OUI, and no other "gre" network of that tenant.  Returns false,
 * with ctx->error set, if that is not so. */
static bool
check_gre_tenant(struct ctl_context *ctx, const struct dtrec_tenant *tenant)
{
    const struct dtrec_virtual_network *net;

    if (!tenant) {
        ctl_error(ctx, "--encap=gre requires --tenant (the tenant's OUI "
                  "identifies the network over keyless GRE)");
        return false;
    }
    if (!tenant->n_ouis) {
        ctl_error(ctx, "--encap=gre: tenant \"%s\" owns no OUI",
                  tenant->name);
        return false;
    }
    DTREC_VIRTUAL_NETWORK_FOR_EACH (net, ctx->idl) {
        if (net->tenant == tenant && net->encap
            && !strcmp(net->encap, dt_encap_name(DT_ENCAP_GRE))) {
            ctl_error(ctx, "--encap=gre: tenant \"%s\" already has a gre "
                      "network \"%s\" (its OUIs can identify only one)",
                      tenant->name, net->name);
            return false;
        }
    }
    return true;
}

/* Deletes the network and its configuration (policies, actions, domains,
 * multicast groups), but not endpoints: they stand for running VMs, and
 * deleting a network under them is almost certainly a mistake. */
static void
cmd_network_add(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    const char *vni_s = ctx->argv[2];
    const char *tenant_name = dtctl_option_value(ctx, "--tenant");
    const char *mode = dtctl_option_value(ctx, "--mode");
    const char *anycast = dtctl_option_value(ctx, "--anycast-mac");
    const char *uplink = dtctl_option_value(ctx, "--anycast-uplink");
    const char *encap_s = dtctl_option_value(ctx, "--encap");
    struct eth_addr anycast_mac;
    enum dt_encap encap;
    uint32_t vni;

    if (dtctl_error(ctx, dt_parse_name("network", name))
        || dtctl_error(ctx, dt_parse_vni(vni_s, &vni))
        || (mode && dtctl_error(ctx, parse_mode(mode)))
        || dtctl_error(ctx, dt_parse_encap(encap_s, &encap))
        || (anycast
            && dtctl_error(ctx, dt_parse_endpoint_mac(anycast, &anycast_mac)))
        || (uplink
            && dtctl_error(ctx, dt_parse_name("uplink port", uplink)))) {
        return;
    }
    if (uplink && !anycast) {
        ctl_error(ctx, "--anycast-uplink requires --anycast-mac");
        return;
    }
    const struct dtrec_tenant *tenant = NULL;
    if (tenant_name) {
        tenant = dtctl_tenant(ctx, tenant_name, false);
        if (!tenant) {
            return;
        }
    }

    const struct dtrec_virtual_network *net
        = dt_db_find_network(ctx->idl, name);
    if (!net && encap == DT_ENCAP_GRE && !check_gre_tenant(ctx, tenant)) {
        return;
    }
    if (net) {
        if (!dtctl_option(ctx, "--may-exist")) {
            ctl_error(ctx, "\"%s\": network already exists", name);
        } else if (net->vni != vni) {
            ctl_error(ctx, "\"%s\": network already exists with VNI "
                      "%"PRId64, name, net->vni);
        }
        return;
    }
    net = dt_db_find_network_by_vni(ctx->idl, vni);
    if (net) {
        ctl_error(ctx, "\"%s\": VNI already used by network \"%s\"",
                  vni_s, net->name);
        return;
    }

    struct dtrec_virtual_network *new_net
        = dtrec_virtual_network_insert(ctx->txn);
    dtrec_virtual_network_set_name(new_net, name);
    dtrec_virtual_network_set_vni(new_net, vni);
    dtrec_virtual_network_set_tenant(new_net, tenant);
    dtrec_virtual_network_set_fabric_mode(new_net, mode ? mode : "overlay");
    if (anycast) {
        char mac_s[ETH_ADDR_STRLEN + 1];
        snprintf(mac_s, sizeof mac_s, ETH_ADDR_FMT,
                 ETH_ADDR_ARGS(anycast_mac));
        dtrec_virtual_network_set_anycast_mac(new_net, mac_s);
    }
    if (uplink) {
        dtrec_virtual_network_set_anycast_uplink(new_net, uplink);
    }
    if (encap_s) {
        dtrec_virtual_network_set_encap(new_net, dt_encap_name(encap));
    }
}

static void
cmd_network_del(struct ctl_context *ctx)
{
    const struct dtrec_virtual_network *net
        = dtctl_network(ctx, ctx->argv[1], dtctl_option(ctx, "--if-exists"));
    if (!net) {
        return;
    }

    size_t n;
    const struct dtrec_endpoint **eps = dtctl_endpoints(ctx, net, &n);
    free(eps);
    if (n) {
        ctl_error(ctx, "\"%s\": network still has %"PRIuSIZE" endpoint%s "
                  "(delete %s first)", net->name, n, n > 1 ? "s" : "",
                  n > 1 ? "them" : "it");
        return;
    }

    const struct dtrec_policy **policies = dtctl_policies(ctx, net, &n);
    for (size_t i = 0; i < n; i++) {
        dtrec_policy_delete(policies[i]);
    }
    free(policies);

    const struct dtrec_policy_action **actions = dtctl_actions(ctx, net, &n);
    for (size_t i = 0; i < n; i++) {
        dtrec_policy_action_delete(actions[i]);
    }
    free(actions);

    const struct dtrec_policy_domain **domains = dtctl_domains(ctx, net, &n);
    for (size_t i = 0; i < n; i++) {
        dtrec_policy_domain_delete(domains[i]);
    }
    free(domains);

    const struct dtrec_multicast_group *g, *next;
    DTREC_MULTICAST_GROUP_FOR_EACH_SAFE (g, next, ctx->idl) {
        if (dt_db_same_row(g->network, net)) {
            dtrec_multicast_group_delete(g);
        }
    }
    dtrec_virtual_network_delete(net);
}

static void
cmd_network_list(struct ctl_context *ctx)
{
    size_t n;
    const struct dtrec_virtual_network **nets = dtctl_networks(ctx, &n);
    struct table *t = dtctl_table(ctx, "name", "vni", "tenant", "mode",
                                  "endpoints", NULL);

    for (size_t i = 0; i < n; i++) {
        size_t n_eps;
        free(dtctl_endpoints(ctx, nets[i], &n_eps));

        char *vni = xasprintf("%"PRId64, nets[i]->vni);
        char *count = xasprintf("%"PRIuSIZE, n_eps);
        table_add_row(t);
        dtctl_cell(t, nets[i]->name);
        dtctl_cell(t, vni);
        dtctl_cell(t, nets[i]->tenant ? nets[i]->tenant->name : "");
        dtctl_cell(t, nets[i]->fabric_mode);
        dtctl_cell(t, count);
        free(vni);
        free(count);
    }
    free(nets);
}

/* Policy domains. */

static void
cmd_domain_add(struct ctl_context *ctx)
{
    const char *name = ctx->argv[2];

    if (dtctl_error(ctx, dt_parse_name("domain", name))) {
        return;
    }
    const struct dtrec_virtual_network *net = dtctl_network(ctx, ctx->argv[1],
                                                            false);
    if (!net) {
        return;
    }
    if (dt_db_find_domain(ctx->idl, net, name)) {
        if (!dtctl_option(ctx, "--may-exist")) {
            ctl_error(ctx, "\"%s\": domain already exists in network \"%s\"",
                      name, net->name);
        }
        return;
    }

    struct dtrec_policy_domain *dom = dtrec_policy_domain_insert(ctx->txn);
    dtrec_policy_domain_set_network(dom, net);
    dtrec_policy_domain_set_name(dom, name);
}

static void
cmd_domain_del(struct ctl_context *ctx)
{
    bool if_exists = dtctl_option(ctx, "--if-exists");
    const struct dtrec_virtual_network *net = dtctl_network(ctx, ctx->argv[1],
                                                            if_exists);
    if (!net) {
        return;
    }
    const struct dtrec_policy_domain *dom = dtctl_domain(ctx, net,
                                                         ctx->argv[2],
                                                         if_exists);
    if (!dom) {
        return;
    }

    /* Name the first policy in sorted order, so the message is the same
     * every time. */
    size_t n;
    const struct dtrec_policy **policies = dtctl_policies(ctx, net, &n);
    for (size_t i = 0; i < n; i++) {
        if (dt_db_same_row(policies[i]->src_domain, dom)
            || dt_db_same_row(policies[i]->dst_domain, dom)) {
            struct ds name = DS_EMPTY_INITIALIZER;
            dtctl_format_policy_name(policies[i], &name);
            ctl_error(ctx, "\"%s\": domain is used by policy %s (delete it "
                      "first)", dom->name, ds_cstr(&name));
            ds_destroy(&name);
            free(policies);
            return;
        }
    }
    free(policies);
    const struct dtrec_endpoint *ep;
    DTREC_ENDPOINT_FOR_EACH (ep, ctx->idl) {
        if (dt_db_same_row(ep->domain, dom)) {
            ctl_error(ctx, "\"%s\": domain still has endpoint \"%s\"",
                      dom->name, ep->name);
            return;
        }
    }
    dtrec_policy_domain_delete(dom);
}

/* Appends the names of the endpoints in 'dom', sorted, comma-separated. */
static void
format_members(struct ctl_context *ctx, const struct dtrec_policy_domain *dom,
               struct ds *s)
{
    size_t n;
    const struct dtrec_endpoint **eps = dtctl_endpoints(ctx, dom->network,
                                                        &n);
    bool first = true;

    for (size_t i = 0; i < n; i++) {
        if (dt_db_same_row(eps[i]->domain, dom)) {
            ds_put_format(s, "%s%s", first ? "" : ",", eps[i]->name);
            first = false;
        }
    }
    free(eps);
}

static void
cmd_domain_list(struct ctl_context *ctx)
{
    const struct dtrec_virtual_network *net = NULL;
    if (ctx->argc > 1 && !(net = dtctl_network(ctx, ctx->argv[1], false))) {
        return;
    }

    size_t n;
    const struct dtrec_policy_domain **doms = dtctl_domains(ctx, net, &n);
    struct table *t = dtctl_table(ctx, "network", "name", "members",
                                  "dhcp_servers", NULL);
    for (size_t i = 0; i < n; i++) {
        struct ds members = DS_EMPTY_INITIALIZER;
        struct svec dhcp = SVEC_EMPTY_INITIALIZER;

        format_members(ctx, doms[i], &members);
        for (size_t j = 0; j < doms[i]->n_dhcp_servers; j++) {
            svec_add(&dhcp, doms[i]->dhcp_servers[j]);
        }
        svec_sort(&dhcp);
        char *dhcp_s = svec_join(&dhcp, ",", "");

        table_add_row(t);
        dtctl_cell(t, doms[i]->network ? doms[i]->network->name : "");
        dtctl_cell(t, doms[i]->name);
        dtctl_cell(t, ds_cstr(&members));
        dtctl_cell(t, dhcp_s);
        free(dhcp_s);
        svec_destroy(&dhcp);
        ds_destroy(&members);
    }
    free(doms);
}

static void
cmd_domain_set_dhcp(struct ctl_context *ctx)
{
    struct svec ips = SVEC_EMPTY_INITIALIZER;

    for (size_t i = 3; i < ctx->argc; i++) {
        char canonical[INET6_ADDRSTRLEN];
        struct in6_addr ip;

        if (dtctl_error(ctx, dt_parse_ip(ctx->argv[i], &ip, canonical))) {
            svec_destroy(&ips);
            return;
        }
        svec_add(&ips, canonical);
    }

    const struct dtrec_virtual_network *net = dtctl_network(ctx, ctx->argv[1],
                                                            false);
    const struct dtrec_policy_domain *dom
        = net ? dtctl_domain(ctx, net, ctx->argv[2], false) : NULL;
    if (dom) {
        dtrec_policy_domain_set_dhcp_servers(dom, (const char **) ips.names,
                                             ips.n);
    }
    svec_destroy(&ips);
}

/* Policy actions. */

static void
cmd_action_add(struct ctl_context *ctx)
{
    const char *name = ctx->argv[2];
    const char *kind_s = ctx->argv[3];
    enum dps_action_kind kind;
    char location[INET6_ADDRSTRLEN];
    struct smap config = SMAP_INITIALIZER(&config);
    size_t i = 4;

    if (dtctl_error(ctx, dt_parse_name("action", name))) {
        return;
    }
    if (!dps_action_kind_from_string(kind_s, &kind)) {
        ctl_error(ctx, "\"%s\": unknown action kind (expected allow, deny or "
                  "waypoint)", kind_s);
        return;
    }
    if (kind == DPS_ACTION_WAYPOINT) {
        struct in6_addr ip;
        if (ctx->argc < 5) {
            ctl_error(ctx, "\"%s\": a waypoint action needs a LOCATION (the "
                      "appliance's IP address)", name);
            return;
        }
        if (dtctl_error(ctx, dt_parse_ip(ctx->argv[4], &ip, location))) {
            return;
        }
        i = 5;
    }
    for (; i < ctx->argc; i++) {
        const char *eq = strchr(ctx->argv[i], '=');
        if (!eq || eq == ctx->argv[i]) {
            ctl_error(ctx, "\"%s\": expected KEY=VALUE%s", ctx->argv[i],
                      kind == DPS_ACTION_WAYPOINT ? ""
                      : " (only a waypoint action has a location)");
            smap_destroy(&config);
            return;
        }
        char *key = xmemdup0(ctx->argv[i], eq - ctx->argv[i]);
        smap_replace(&config, key, eq + 1);
        free(key);
    }

    const struct dtrec_virtual_network *net = dtctl_network(ctx, ctx->argv[1],
                                                            false);
    if (!net) {
        smap_destroy(&config);
        return;
    }
    if (dt_db_find_action(ctx->idl, net, name)) {
        if (!dtctl_option(ctx, "--may-exist")) {
            ctl_error(ctx, "\"%s\": action already exists in network \"%s\"",
                      name, net->name);
        }
        smap_destroy(&config);
        return;
    }

    struct dtrec_policy_action *act = dtrec_policy_action_insert(ctx->txn);
    dtrec_policy_action_set_network(act, net);
    dtrec_policy_action_set_name(act, name);
    dtrec_policy_action_set_kind(act, kind_s);
    if (kind == DPS_ACTION_WAYPOINT) {
        dtrec_policy_action_set_location(act, location);
    }
    dtrec_policy_action_set_config(act, &config);
    smap_destroy(&config);
}

static void
cmd_action_del(struct ctl_context *ctx)
{
    bool if_exists = dtctl_option(ctx, "--if-exists");
    const struct dtrec_virtual_network *net = dtctl_network(ctx, ctx->argv[1],
                                                            if_exists);
    const struct dtrec_policy_action *act
        = net ? dtctl_action(ctx, net, ctx->argv[2], if_exists) : NULL;
    if (!act) {
        return;
    }

    size_t n;
    const struct dtrec_policy **policies = dtctl_policies(ctx, net, &n);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < policies[i]->n_actions; j++) {
            if (dt_db_same_row(policies[i]->value_actions[j], act)) {
                struct ds name = DS_EMPTY_INITIALIZER;
                dtctl_format_policy_name(policies[i], &name);
                ctl_error(ctx, "\"%s\": action is used by policy %s (delete "
                          "or change it first)", act->name, ds_cstr(&name));
                ds_destroy(&name);
                free(policies);
                return;
            }
        }
    }
    free(policies);
    dtrec_policy_action_delete(act);
}

static void
cmd_action_list(struct ctl_context *ctx)
{
    const struct dtrec_virtual_network *net = NULL;
    if (ctx->argc > 1 && !(net = dtctl_network(ctx, ctx->argv[1], false))) {
        return;
    }

    size_t n;
    const struct dtrec_policy_action **acts = dtctl_actions(ctx, net, &n);
    struct table *t = dtctl_table(ctx, "network", "name", "kind", "location",
                                  "config", NULL);
    for (size_t i = 0; i < n; i++) {
        struct ds config = DS_EMPTY_INITIALIZER;
        const struct smap_node **nodes = smap_sort(&acts[i]->config);
        for (size_t j = 0; j < smap_count(&acts[i]->config); j++) {
            ds_put_format(&config, "%s%s=%s", j ? "," : "", nodes[j]->key,
                          nodes[j]->value);
        }
        free(nodes);

        table_add_row(t);
        dtctl_cell(t, acts[i]->network ? acts[i]->network->name : "");
        dtctl_cell(t, acts[i]->name);
        dtctl_cell(t, acts[i]->kind);
        dtctl_cell(t, acts[i]->location ? acts[i]->location : "");
        dtctl_cell(t, ds_cstr(&config));
        ds_destroy(&config);
    }
    free(acts);
}

/* Policies. */

/* What a policy command was told: the network, the two domains (NULL for
 * the default policy) and the position of the next argument. */
struct policy_args {
    const struct dtrec_virtual_network *net;
    const struct dtrec_policy_domain *src, *dst;
    size_t next;                /* Index in ctx->argv after the domains. */
};

/* Parses "NETWORK SRC DST" or, with --default, "NETWORK".  Returns false
 * with ctx->error set (unless 'if_exists' and something merely does not
 * exist, in which case pa->net or a domain is NULL) on failure. */
static bool
parse_policy_args(struct ctl_context *ctx, bool if_exists,
                  struct policy_args *pa)
{
    bool is_default = dtctl_option(ctx, "--default");

    memset(pa, 0, sizeof *pa);
    pa->next = is_default ? 2 : 4;
    if (ctx->argc < pa->next) {
        ctl_error(ctx, "'%s' needs NETWORK SRC_DOMAIN DST_DOMAIN, or "
                  "--default and NETWORK", ctx->argv[0]);
        return false;
    }
    pa->net = dtctl_network(ctx, ctx->argv[1], if_exists);
    if (!pa->net) {
        return false;
    }
    if (!is_default) {
        pa->src = dtctl_domain(ctx, pa->net, ctx->argv[2], if_exists);
        pa->dst = pa->src ? dtctl_domain(ctx, pa->net, ctx->argv[3],
                                         if_exists) : NULL;
        if (!pa->src || !pa->dst) {
            return false;
        }
    }
    return true;
}

/* Parses "A,B,C" into the actions of 'net' in order. */
static bool
parse_policy_actions(struct ctl_context *ctx,
                     const struct dtrec_virtual_network *net, const char *s,
                     struct dtrec_policy_action ***actionsp, size_t *n)
{
    char *copy = xstrdup(s), *save = NULL;
    struct dtrec_policy_action **actions = NULL;
    size_t allocated = 0;

    *n = 0;
    for (char *name = strtok_r(copy, ",", &save); name;
         name = strtok_r(NULL, ",", &save)) {
        const struct dtrec_policy_action *act = dtctl_action(ctx, net, name,
                                                             false);
        if (!act) {
            free(actions);
            free(copy);
            return false;
        }
        if (*n >= allocated) {
            actions = x2nrealloc(actions, &allocated, sizeof *actions);
        }
        actions[(*n)++] = CONST_CAST(struct dtrec_policy_action *, act);
    }
    free(copy);
    if (!*n) {
        ctl_error(ctx, "\"%s\": a policy needs at least one action", s);
        return false;
    }
    if (*n > DPS_MAX_ACTIONS) {
        ctl_error(ctx, "\"%s\": %"PRIuSIZE" actions, more than the %d a "
                  "policy may have", s, *n, DPS_MAX_ACTIONS);
        free(actions);
        return false;
    }
    *actionsp = actions;
    return true;
}

/* Sets 'policy''s actions to 'actions' in order. */
static void
set_policy_actions(const struct dtrec_policy *policy,
                   struct dtrec_policy_action **actions, size_t n)
{
    int64_t *keys = xmalloc(n * sizeof *keys);

    for (size_t i = 0; i < n; i++) {
        keys[i] = i;
    }
    dtrec_policy_set_actions(policy, keys, actions, n);
    free(keys);
}

/* Parses the --ttl option into '*ttl' if it was given.  Returns false on
 * error. */
static bool
parse_ttl_option(struct ctl_context *ctx, uint32_t *ttl)
{
    const char *ttl_s = dtctl_option_value(ctx, "--ttl");
    return !ttl_s || !dtctl_error(ctx, dt_parse_ttl(ttl_s, ttl));
}

static void
cmd_policy_add(struct ctl_context *ctx)
{
    struct policy_args pa;
    uint32_t ttl = DEFAULT_TTL;

    if (!parse_ttl_option(ctx, &ttl) || !parse_policy_args(ctx, false, &pa)) {
        return;
    }
    if (ctx->argc != pa.next + 1) {
        ctl_error(ctx, "'policy-add' takes %s and then the ACTIONS as one "
                  "comma-separated argument", pa.src ? "NETWORK SRC DST"
                  : "--default NETWORK");
        return;
    }

    struct dtrec_policy_action **actions;
    size_t n;
    if (!parse_policy_actions(ctx, pa.net, ctx->argv[pa.next], &actions,
                              &n)) {
        return;
    }
    if (dt_db_find_policy(ctx->idl, pa.net, pa.src, pa.dst)) {
        if (!dtctl_option(ctx, "--may-exist")) {
            if (pa.src) {
                ctl_error(ctx, "policy %s -> %s already exists in network "
                          "\"%s\"", pa.src->name, pa.dst->name, pa.net->name);
            } else {
                ctl_error(ctx, "network \"%s\" already has a default policy",
                          pa.net->name);
            }
        }
        free(actions);
        return;
    }

    struct dtrec_policy *policy = dtrec_policy_insert(ctx->txn);
    dtrec_policy_set_network(policy, pa.net);
    dtrec_policy_set_src_domain(policy, pa.src);
    dtrec_policy_set_dst_domain(policy, pa.dst);
    set_policy_actions(policy, actions, n);
    dtrec_policy_set_ttl(policy, ttl);
    dtrec_policy_set_tracking_number(policy, 1);
    free(actions);
}

static const struct dtrec_policy *
find_policy(struct ctl_context *ctx, const struct policy_args *pa,
            bool if_exists)
{
    const struct dtrec_policy *policy = dt_db_find_policy(ctx->idl, pa->net,
                                                          pa->src, pa->dst);
    if (!policy && !if_exists) {
        if (pa->src) {
            ctl_error(ctx, "no policy %s -> %s in network \"%s\"",
                      pa->src->name, pa->dst->name, pa->net->name);
        } else {
            ctl_error(ctx, "network \"%s\" has no default policy",
                      pa->net->name);
        }
    }
    return policy;
}

static void
cmd_policy_set(struct ctl_context *ctx)
{
    struct policy_args pa;
    uint32_t ttl = 0;

    if (!parse_ttl_option(ctx, &ttl) || !parse_policy_args(ctx, false, &pa)) {
        return;
    }
    if (ctx->argc > pa.next + 1) {
        ctl_error(ctx, "'policy-set' takes the ACTIONS as one "
                  "comma-separated argument");
        return;
    }

    const struct dtrec_policy *policy = find_policy(ctx, &pa, false);
    if (!policy) {
        return;
    }
    if (ctx->argc == pa.next + 1) {
        struct dtrec_policy_action **actions;
        size_t n;
        if (!parse_policy_actions(ctx, pa.net, ctx->argv[pa.next], &actions,
                                  &n)) {
            return;
        }
        set_policy_actions(policy, actions, n);
        free(actions);
    }
    if (ttl) {
        dtrec_policy_set_ttl(policy, ttl);
    }
}

static void
cmd_policy_del(struct ctl_context *ctx)
{
    bool if_exists = dtctl_option(ctx, "--if-exists");
    struct policy_args pa;

    if (!parse_policy_args(ctx, if_exists, &pa)) {
        return;
    }
    if (ctx->argc != pa.next) {
        ctl_error(ctx, "'policy-del' takes NETWORK SRC_DOMAIN DST_DOMAIN, "
                  "or --default and NETWORK");
        return;
    }
    const struct dtrec_policy *policy = find_policy(ctx, &pa, if_exists);
    if (policy) {
        dtrec_policy_delete(policy);
    }
}

static void
cmd_policy_list(struct ctl_context *ctx)
{
    const struct dtrec_virtual_network *net = NULL;
    if (ctx->argc > 1 && !(net = dtctl_network(ctx, ctx->argv[1], false))) {
        return;
    }

    size_t n;
    const struct dtrec_policy **policies = dtctl_policies(ctx, net, &n);
    struct table *t = dtctl_table(ctx, "network", "src_domain", "dst_domain",
                                  "actions", "ttl", "tracking", NULL);
    for (size_t i = 0; i < n; i++) {
        const struct dtrec_policy *p = policies[i];
        struct ds actions = DS_EMPTY_INITIALIZER;
        dtctl_format_policy_actions(p, &actions);
        char *ttl = xasprintf("%"PRId64, p->ttl);
        char *tracking = xasprintf("%"PRId64, p->tracking_number);

        table_add_row(t);
        dtctl_cell(t, p->network ? p->network->name : "");
        dtctl_cell(t, p->src_domain ? p->src_domain->name : "(default)");
        dtctl_cell(t, p->dst_domain ? p->dst_domain->name : "(default)");
        dtctl_cell(t, ds_cstr(&actions));
        dtctl_cell(t, ttl);
        dtctl_cell(t, tracking);
        free(ttl);
        free(tracking);
        ds_destroy(&actions);
    }
    free(policies);
}

/* Endpoints. */

/* An endpoint's virtual addresses as given on the command line. */
struct ep_addrs {
    char *mac;                  /* Canonical, or NULL. */
    struct svec ips;            /* Canonical. */
};

/* Parses argv[first..] as "[MAC] [IP...]" into 'a' (a MAC may only come
 * first).  Returns false with ctx->error set on failure. */
static bool
parse_ep_addrs(struct ctl_context *ctx, size_t first, struct ep_addrs *a)
{
    a->mac = NULL;
    svec_init(&a->ips);
    for (size_t i = first; i < ctx->argc; i++) {
        const char *arg = ctx->argv[i];
        char canonical[INET6_ADDRSTRLEN];
        struct in6_addr ip;
        struct eth_addr mac;
        char *error;

        if (i == first && strlen(arg) == 17 && arg[2] == ':') {
            error = dt_parse_endpoint_mac(arg, &mac);
            if (!error) {
                a->mac = xasprintf(ETH_ADDR_FMT, ETH_ADDR_ARGS(mac));
            }
        } else {
            error = dt_parse_ip(arg, &ip, canonical);
            if (!error) {
                if (svec_contains_unsorted(&a->ips, canonical)) {
                    error = xasprintf("\"%s\": IP address given twice", arg);
                } else {
                    svec_add(&a->ips, canonical);
                }
            }
        }
        if (dtctl_error(ctx, error)) {
            free(a->mac);
            svec_destroy(&a->ips);
            return false;
        }
    }
    return true;
}

/* Returns the tenant whose OUIs the MAC of 'ep', in network 'net', must
 * come from: the network's tenant if it owns any OUI, unless 'ep' is
 * external (it stands for hosts outside the fabric).  Otherwise NULL: any
 * unicast MAC will do. */
static const struct dtrec_tenant *
mac_tenant(const struct dtrec_endpoint *ep,
           const struct dtrec_virtual_network *net)
{
    const struct dtrec_tenant *tenant = net->tenant;
    return (tenant && tenant->n_ouis && !ep->external_prefix
            ? tenant : NULL);
}

/* Checks that 'ep' in 'net' may have 'mac' (canonical): in one of its
 * tenant's OUIs, if mac_tenant() says so, and used by no other endpoint.
 * Returns false with ctx->error set if not. */
static bool
check_tenant_mac(struct ctl_context *ctx, const struct dtrec_endpoint *ep,
                 const struct dtrec_virtual_network *net, const char *mac)
{
    const struct dtrec_tenant *tenant = mac_tenant(ep, net);
    struct eth_addr ea;
    struct pool pool;

    if (!tenant) {
        return true;
    }
    bool canonical = eth_addr_from_string(mac, &ea);
    ovs_assert(canonical);
    build_pool(ctx, &pool, ep);
    char *error = pool_check_mac(&pool, ea, tenant->name);
    pool_destroy(&pool);
    return !dtctl_error(ctx, error);
}

/* Makes 'ep''s MAC and IP addresses those in 'a', in network 'net'.  An
 * address already used by another endpoint of the network is reported
 * here, naming that endpoint (OVSDB would reject it too, less clearly),
 * and so is a MAC outside the OUIs of the network's tenant. */
static bool
set_ep_addrs(struct ctl_context *ctx, const struct dtrec_endpoint *ep,
             const struct dtrec_virtual_network *net,
             const struct ep_addrs *a)
{
    const struct dtrec_endpoint *other;
    DTREC_ENDPOINT_FOR_EACH (other, ctx->idl) {
        if (other == ep || !dt_db_same_row(other->network, net)) {
            continue;
        }
        if (a->mac && other->mac && !strcmp(a->mac, other->mac)
            && strcmp(net->fabric_mode, "channel")) {
            /* (In a channel network MACs may repeat: lib/dt-check.c.) */
            ctl_error(ctx, "\"%s\": MAC already used in network \"%s\" by "
                      "endpoint \"%s\"", a->mac, net->name, other->name);
            return false;
        }
        for (size_t i = 0; i < other->n_addresses; i++) {
            if (svec_contains_unsorted(&a->ips, other->addresses[i]->ip)) {
                ctl_error(ctx, "\"%s\": IP address already used in network "
                          "\"%s\" by endpoint \"%s\"",
                          other->addresses[i]->ip, net->name, other->name);
                return false;
            }
        }
    }
    if (a->mac && !check_tenant_mac(ctx, ep, net, a->mac)) {
        return false;
    }

    struct dtrec_address **addrs = xmalloc((a->ips.n ? a->ips.n : 1)
                                           * sizeof *addrs);
    for (size_t i = 0; i < a->ips.n; i++) {
        /* Keep the Address row of an IP the endpoint already has; the
         * rows it no longer refers to are garbage-collected by OVSDB. */
        addrs[i] = NULL;
        for (size_t j = 0; j < ep->n_addresses; j++) {
            if (!strcmp(ep->addresses[j]->ip, a->ips.names[i])) {
                addrs[i] = ep->addresses[j];
            }
        }
        if (!addrs[i]) {
            addrs[i] = dtrec_address_insert(ctx->txn);
            dtrec_address_set_network(addrs[i], net);
            dtrec_address_set_ip(addrs[i], a->ips.names[i]);
        }
    }
    dtrec_endpoint_set_mac(ep, a->mac);
    dtrec_endpoint_set_addresses(ep, addrs, a->ips.n);
    free(addrs);
    return true;
}

static void
cmd_endpoint_add(struct ctl_context *ctx)
{
    const char *name = ctx->argv[2];
    const char *domain_name = dtctl_option_value(ctx, "--domain");
    const char *hv_name = dtctl_option_value(ctx, "--hypervisor");
    const char *port = dtctl_option_value(ctx, "--port");
    const char *external = dtctl_option_value(ctx, "--external");
    const char *vlan_s = dtctl_option_value(ctx, "--vlan");
    long long int vlan_request = 0;
    struct ep_addrs a;

    /* Every argument's syntax first, then the lookups. */
    if (dtctl_error(ctx, dt_parse_name("endpoint", name))
        || (port && dtctl_error(ctx, dt_parse_name("port", port)))) {
        return;
    }
    if (vlan_s && strcmp(vlan_s, "auto")
        && (!str_to_llong(vlan_s, 10, &vlan_request)
            || vlan_request < 1 || vlan_request > 4094)) {
        ctl_error(ctx, "\"%s\": --vlan takes \"auto\" or a VLAN from 1 to "
                  "4094", vlan_s);
        return;
    }
    if (vlan_s && !port) {
        ctl_error(ctx, "--vlan needs --port (the trunk to the conventional "
                  "vswitch the VM is on)");
        return;
    }
    char *external_norm = NULL;
    if (external) {
        struct in6_addr prefix;
        unsigned int plen;
        if (dtctl_error(ctx, dt_parse_ip_prefix(external, &prefix, &plen))) {
            return;
        }
        external_norm = dt_format_ip_prefix(&prefix, plen);
    }
    if (port && !hv_name) {
        ctl_error(ctx, "\"%s\": --port needs --hypervisor", port);
        free(external_norm);
        return;
    }
    if (!parse_ep_addrs(ctx, 3, &a)) {
        free(external_norm);
        return;
    }

    const struct dtrec_virtual_network *net;
    const struct dtrec_policy_domain *dom = NULL;
    const struct dtrec_hypervisor *hv = NULL;
    if (!(net = dtctl_network(ctx, ctx->argv[1], false))
        || (domain_name && !(dom = dtctl_domain(ctx, net, domain_name,
                                                false)))
        || (hv_name && !(hv = dtctl_hypervisor(ctx, hv_name, false)))) {
        goto out;
    }

    const struct dtrec_endpoint *ep = dt_db_find_endpoint(ctx->idl, name);
    if (ep) {
        if (!dt_db_same_row(ep->network, net)) {
            ctl_error(ctx, "\"%s\": endpoint already exists in network "
                      "\"%s\" (an endpoint is in one network only)", name,
                      ep->network ? ep->network->name : "(none)");
        } else if (!dtctl_option(ctx, "--may-exist")) {
            ctl_error(ctx, "\"%s\": endpoint already exists", name);
        }
        goto out;
    }

    struct dtrec_endpoint *new_ep = dtrec_endpoint_insert(ctx->txn);
    dtrec_endpoint_set_name(new_ep, name);
    dtrec_endpoint_set_network(new_ep, net);
    dtrec_endpoint_set_domain(new_ep, dom);
    dtrec_endpoint_set_hypervisor(new_ep, hv);
    dtrec_endpoint_set_port(new_ep, port);
    dtrec_endpoint_set_external_prefix(new_ep, external_norm);
    if (vlan_s) {
        int64_t request = vlan_request;
        dtrec_endpoint_set_vlan_request(new_ep, &request, 1);
    }

    /* No MAC given: one from the tenant's OUIs, if it has any. */
    const struct dtrec_tenant *tenant = mac_tenant(new_ep, net);
    if (!a.mac && tenant) {
        struct eth_addr mac;
        struct pool pool;

        build_pool(ctx, &pool, new_ep);
        char *error = pool_alloc_mac(&pool, tenant->name, &mac);
        pool_destroy(&pool);
        if (dtctl_error(ctx, error)) {
            goto out;
        }
        a.mac = xasprintf(ETH_ADDR_FMT, ETH_ADDR_ARGS(mac));
    }
    set_ep_addrs(ctx, new_ep, net, &a);

out:
    free(external_norm);
    free(a.mac);
    svec_destroy(&a.ips);
}

static void
cmd_endpoint_del(struct ctl_context *ctx)
{
    const struct dtrec_endpoint *ep
        = dtctl_endpoint(ctx, ctx->argv[1], dtctl_option(ctx, "--if-exists"));
    if (ep) {
        dtrec_endpoint_delete(ep);
    }
}

static void
cmd_endpoint_move(struct ctl_context *ctx)
{
    if (ctx->argc == 3) {
        ctl_error(ctx, "'endpoint-move' takes ENDPOINT HV PORT, or ENDPOINT "
                  "alone to detach it");
        return;
    }
    if (ctx->argc == 4
        && dtctl_error(ctx, dt_parse_name("port", ctx->argv[3]))) {
        return;
    }

    const struct dtrec_endpoint *ep = dtctl_endpoint(ctx, ctx->argv[1],
                                                     false);
    const struct dtrec_hypervisor *hv = NULL;
    if (!ep || (ctx->argc == 4
                && !(hv = dtctl_hypervisor(ctx, ctx->argv[2], false)))) {
        return;
    }
    dtrec_endpoint_set_hypervisor(ep, hv);
    dtrec_endpoint_set_port(ep, hv ? ctx->argv[3] : NULL);
}

static void
cmd_endpoint_set_domain(struct ctl_context *ctx)
{
    const struct dtrec_endpoint *ep = dtctl_endpoint(ctx, ctx->argv[1],
                                                     false);
    const struct dtrec_policy_domain *dom = NULL;

    if (!ep || (ctx->argc > 2
                && !(dom = dtctl_domain(ctx, ep->network, ctx->argv[2],
                                        false)))) {
        return;
    }
    dtrec_endpoint_set_domain(ep, dom);
}

static void
cmd_endpoint_set_addresses(struct ctl_context *ctx)
{
    struct ep_addrs a;

    if (!parse_ep_addrs(ctx, 2, &a)) {
        return;
    }
    const struct dtrec_endpoint *ep = dtctl_endpoint(ctx, ctx->argv[1],
                                                     false);
    if (ep) {
        set_ep_addrs(ctx, ep, ep->network, &a);
    }
    free(a.mac);
    svec_destroy(&a.ips);
}

static void
cmd_endpoint_list(struct ctl_context *ctx)
{
    const struct dtrec_virtual_network *net = NULL;
    if (ctx->argc > 1 && !(net = dtctl_network(ctx, ctx->argv[1], false))) {
        return;
    }

    size_t n;
    const struct dtrec_endpoint **eps = dtctl_endpoints(ctx, net, &n);
    struct table *t = dtctl_table(ctx, "network", "name", "domain", "mac",
                                  "ips", "location", NULL);
    for (size_t i = 0; i < n; i++) {
        struct ds ips = DS_EMPTY_INITIALIZER;
        struct ds location = DS_EMPTY_INITIALIZER;
        dtctl_format_ips(eps[i], &ips);
        dtctl_format_location(eps[i], &location);

        table_add_row(t);
        dtctl_cell(t, eps[i]->network ? eps[i]->network->name : "");
        dtctl_cell(t, eps[i]->name);
        dtctl_cell(t, eps[i]->domain ? eps[i]->domain->name : "");
        dtctl_cell(t, eps[i]->mac ? eps[i]->mac : "");
        dtctl_cell(t, ds_cstr(&ips));
        dtctl_cell(t, ds_cstr(&location));
        ds_destroy(&ips);
        ds_destroy(&location);
    }
    free(eps);
}

/* Hypervisors. */

static const struct dtrec_hypervisor *
find_hypervisor_by_tunnel_ip(struct ctl_context *ctx, ovs_be32 ip)
{
    const struct dtrec_hypervisor *hv;

    DTREC_HYPERVISOR_FOR_EACH (hv, ctx->idl) {
        ovs_be32 other;
        char *error = dt_parse_ipv4(hv->tunnel_ip, &other);
        if (!error && other == ip) {
            return hv;
        }
        free(error);
    }
    return NULL;
}

static void
cmd_hypervisor_add(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    const char *dpid_s = ctx->argv[2];
    const char *ip_s = ctx->argv[3];
    uint64_t dpid;
    ovs_be32 ip;

    if (dtctl_error(ctx, dt_parse_name("hypervisor", name))
        || dtctl_error(ctx, dt_parse_dpid(dpid_s, &dpid))
        || dtctl_error(ctx, dt_parse_ipv4(ip_s, &ip))) {
        return;
    }
    if (dpid > INT64_MAX) {
        /* OVSDB integers are signed 64-bit. */
        ctl_error(ctx, "\"%s\": datapath id too large for the database "
                  "(at most %016"PRIx64")", dpid_s, (uint64_t) INT64_MAX);
        return;
    }

    const struct dtrec_hypervisor *hv = dt_db_find_hypervisor(ctx->idl, name);
    if (hv) {
        if (!dtctl_option(ctx, "--may-exist")) {
            ctl_error(ctx, "\"%s\": hypervisor already exists", name);
        } else if (hv->datapath_id != dpid
                   || find_hypervisor_by_tunnel_ip(ctx, ip) != hv) {
            ctl_error(ctx, "\"%s\": hypervisor already exists with dpid "
                      "%016"PRIx64" and tunnel IP %s", name,
                      (uint64_t) hv->datapath_id, hv->tunnel_ip);
        }
        return;
    }
    hv = dt_db_find_hypervisor_by_dpid(ctx->idl, dpid);
    if (hv) {
        ctl_error(ctx, "\"%s\": datapath id already used by hypervisor "
                  "\"%s\"", dpid_s, hv->name);
        return;
    }
    hv = find_hypervisor_by_tunnel_ip(ctx, ip);
    if (hv) {
        ctl_error(ctx, "\"%s\": tunnel IP already used by hypervisor \"%s\"",
                  ip_s, hv->name);
        return;
    }

    struct dtrec_hypervisor *new_hv = dtrec_hypervisor_insert(ctx->txn);
    char *ip_norm = xasprintf(IP_FMT, IP_ARGS(ip));
    dtrec_hypervisor_set_name(new_hv, name);
    dtrec_hypervisor_set_datapath_id(new_hv, dpid);
    dtrec_hypervisor_set_tunnel_ip(new_hv, ip_norm);
    free(ip_norm);
}

static void
cmd_hypervisor_del(struct ctl_context *ctx)
{
    const struct dtrec_hypervisor *hv
        = dtctl_hypervisor(ctx, ctx->argv[1],
                           dtctl_option(ctx, "--if-exists"));
    if (!hv) {
        return;
    }

    /* The database drops the weak references itself on commit; clearing
     * them here too keeps later commands in this transaction (e.g. "--
     * show") from seeing a deleted hypervisor. */
    const struct dtrec_endpoint *ep;
    DTREC_ENDPOINT_FOR_EACH (ep, ctx->idl) {
        if (dt_db_same_row(ep->hypervisor, hv)) {
            dtrec_endpoint_set_hypervisor(ep, NULL);
        }
    }
    dtrec_hypervisor_delete(hv);
}

static void
cmd_hypervisor_list(struct ctl_context *ctx)
{
    size_t n;
    const struct dtrec_hypervisor **hvs = dtctl_hypervisors(ctx, &n);
    struct table *t = dtctl_table(ctx, "name", "dpid", "tunnel_ip", NULL);

    for (size_t i = 0; i < n; i++) {
        char *dpid = xasprintf("%016"PRIx64, (uint64_t) hvs[i]->datapath_id);
        table_add_row(t);
        dtctl_cell(t, hvs[i]->name);
        dtctl_cell(t, dpid);
        dtctl_cell(t, hvs[i]->tunnel_ip);
        free(dpid);
    }
    free(hvs);
}

/* Multicast groups. */

static void
cmd_mcast_group_add(struct ctl_context *ctx)
{
    char group[INET6_ADDRSTRLEN];
    struct in6_addr ip;

    if (dtctl_error(ctx, dt_parse_ip(ctx->argv[2], &ip, group))) {
        return;
    }
    const struct dtrec_virtual_network *net = dtctl_network(ctx, ctx->argv[1],
                                                            false);
    if (!net) {
        return;
    }

    size_t n = ctx->argc - 3;
    struct dtrec_endpoint **members = xmalloc((n ? n : 1) * sizeof *members);
    for (size_t i = 0; i < n; i++) {
        const struct dtrec_endpoint *ep = dtctl_endpoint(ctx,
                                                         ctx->argv[3 + i],
                                                         false);
        if (!ep) {
            free(members);
            return;
        }
        members[i] = CONST_CAST(struct dtrec_endpoint *, ep);
    }

    if (dt_db_find_group(ctx->idl, net, group)) {
        if (!dtctl_option(ctx, "--may-exist")) {
            ctl_error(ctx, "\"%s\": multicast group already exists in "
                      "network \"%s\"", group, net->name);
        }
    } else {
        struct dtrec_multicast_group *g
            = dtrec_multicast_group_insert(ctx->txn);
        dtrec_multicast_group_set_network(g, net);
        dtrec_multicast_group_set_group(g, group);
        dtrec_multicast_group_set_members(g, members, n);
    }
    free(members);
}

static void
cmd_mcast_group_del(struct ctl_context *ctx)
{
    bool if_exists = dtctl_option(ctx, "--if-exists");
    char group[INET6_ADDRSTRLEN];
    struct in6_addr ip;

    if (dtctl_error(ctx, dt_parse_ip(ctx->argv[2], &ip, group))) {
        return;
    }
    const struct dtrec_virtual_network *net = dtctl_network(ctx, ctx->argv[1],
                                                            if_exists);
    if (!net) {
        return;
    }
    const struct dtrec_multicast_group *g = dt_db_find_group(ctx->idl, net,
                                                             group);
    if (g) {
        dtrec_multicast_group_delete(g);
    } else if (!if_exists) {
        ctl_error(ctx, "\"%s\": no such multicast group in network \"%s\"",
                  group, net->name);
    }
}

static int
compare_groups(const void *a_, const void *b_)
{
    const struct dtrec_multicast_group *const *a = a_, *const *b = b_;
    int cmp = strcmp((*a)->network ? (*a)->network->name : "",
                     (*b)->network ? (*b)->network->name : "");
    return cmp ? cmp : strcmp((*a)->group, (*b)->group);
}

static bool
group_in(const void *row, const void *net)
{
    return dt_db_same_row(
        ((const struct dtrec_multicast_group *) row)->network, net);
}

static void
cmd_mcast_group_list(struct ctl_context *ctx)
{
    const struct dtrec_virtual_network *net = NULL;
    if (ctx->argc > 1 && !(net = dtctl_network(ctx, ctx->argv[1], false))) {
        return;
    }

    size_t n;
    const struct dtrec_multicast_group **groups
        = (const struct dtrec_multicast_group **) dtctl_sorted_rows(
            ctx, &dtrec_table_multicast_group, net ? group_in : NULL, net,
            compare_groups, &n);
    struct table *t = dtctl_table(ctx, "network", "group", "members", NULL);
    for (size_t i = 0; i < n; i++) {
        struct svec members = SVEC_EMPTY_INITIALIZER;
        for (size_t j = 0; j < groups[i]->n_members; j++) {
            svec_add(&members, groups[i]->members[j]->name);
        }
        svec_sort(&members);
        char *joined = svec_join(&members, ",", "");

        table_add_row(t);
        dtctl_cell(t, groups[i]->network ? groups[i]->network->name : "");
        dtctl_cell(t, groups[i]->group);
        dtctl_cell(t, joined);
        free(joined);
        svec_destroy(&members);
    }
    free(groups);
}

const struct ctl_command_syntax dtctl_table_commands[] = {
    {"tenant-add", 1, INT_MAX, "TENANT [OUI...]", dtctl_pre, cmd_tenant_add,
     NULL, "--may-exist", RW},
    {"tenant-del", 1, 1, "TENANT", dtctl_pre, cmd_tenant_del, NULL,
     "--if-exists", RW},
    {"tenant-oui-add", 1, 2, "TENANT [OUI]", dtctl_pre, cmd_tenant_oui_add,
     NULL, "--may-exist", RW},
    {"tenant-oui-del", 2, 2, "TENANT OUI", dtctl_pre, cmd_tenant_oui_del,
     NULL, "--if-exists", RW},
    {"tenant-list", 0, 0, "", dtctl_pre, cmd_tenant_list, NULL, "", RO},

    {"network-add", 2, 2, "NETWORK VNI", dtctl_pre, cmd_network_add, NULL,
     "--may-exist,--tenant=,--mode=,--anycast-mac=,--anycast-uplink=,"
     "--encap=", RW},
    {"network-del", 1, 1, "NETWORK", dtctl_pre, cmd_network_del, NULL,
     "--if-exists", RW},
    {"network-list", 0, 0, "", dtctl_pre, cmd_network_list, NULL, "", RO},

    {"domain-add", 2, 2, "NETWORK DOMAIN", dtctl_pre, cmd_domain_add, NULL,
     "--may-exist", RW},
    {"domain-del", 2, 2, "NETWORK DOMAIN", dtctl_pre, cmd_domain_del, NULL,
     "--if-exists", RW},
    {"domain-list", 0, 1, "[NETWORK]", dtctl_pre, cmd_domain_list, NULL, "",
     RO},
    {"domain-set-dhcp", 2, INT_MAX, "NETWORK DOMAIN [IP...]", dtctl_pre,
     cmd_domain_set_dhcp, NULL, "", RW},

    {"action-add", 3, INT_MAX, "NETWORK ACTION KIND [LOCATION] [KEY=VALUE...]",
     dtctl_pre, cmd_action_add, NULL, "--may-exist", RW},
    {"action-del", 2, 2, "NETWORK ACTION", dtctl_pre, cmd_action_del, NULL,
     "--if-exists", RW},
    {"action-list", 0, 1, "[NETWORK]", dtctl_pre, cmd_action_list, NULL, "",
     RO},

    {"policy-add", 2, 4, "NETWORK SRC DST ACTIONS", dtctl_pre,
     cmd_policy_add, NULL, "--may-exist,--default,--ttl=", RW},
    {"policy-set", 1, 4, "NETWORK SRC DST [ACTIONS]", dtctl_pre,
     cmd_policy_set, NULL, "--default,--ttl=", RW},
    {"policy-del", 1, 3, "NETWORK SRC DST", dtctl_pre, cmd_policy_del, NULL,
     "--if-exists,--default", RW},
    {"policy-list", 0, 1, "[NETWORK]", dtctl_pre, cmd_policy_list, NULL, "",
     RO},

    {"endpoint-add", 2, INT_MAX, "NETWORK ENDPOINT [MAC [IP...]]", dtctl_pre,
     cmd_endpoint_add, NULL,
     "--may-exist,--domain=,--hypervisor=,--port=,--external=,--vlan=", RW},
    {"endpoint-del", 1, 1, "ENDPOINT", dtctl_pre, cmd_endpoint_del, NULL,
     "--if-exists", RW},
    {"endpoint-move", 1, 3, "ENDPOINT [HV PORT]", dtctl_pre,
     cmd_endpoint_move, NULL, "", RW},
    {"endpoint-set-domain", 1, 2, "ENDPOINT [DOMAIN]", dtctl_pre,
     cmd_endpoint_set_domain, NULL, "", RW},
    {"endpoint-set-addresses", 1, INT_MAX, "ENDPOINT [MAC] [IP...]",
     dtctl_pre, cmd_endpoint_set_addresses, NULL, "", RW},
    {"endpoint-list", 0, 1, "[NETWORK]", dtctl_pre, cmd_endpoint_list, NULL,
     "", RO},

    {"hypervisor-add", 3, 3, "HV DPID TUNNEL_IP", dtctl_pre,
     cmd_hypervisor_add, NULL, "--may-exist", RW},
    {"hypervisor-del", 1, 1, "HV", dtctl_pre, cmd_hypervisor_del, NULL,
     "--if-exists", RW},
    {"hypervisor-list", 0, 0, "", dtctl_pre, cmd_hypervisor_list, NULL, "",
     RO},

    {"mcast-group-add", 2, INT_MAX, "NETWORK GROUP [ENDPOINT...]", dtctl_pre,
     cmd_mcast_group_add, NULL, "--may-exist", RW},
    {"mcast-group-del", 2, 2, "NETWORK GROUP", dtctl_pre,
     cmd_mcast_group_del, NULL, "--if-exists", RW},
    {"mcast-group-list", 0, 1, "[NETWORK]", dtctl_pre, cmd_mcast_group_list,
     NULL, "", RO},

    {NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, RO},
};
