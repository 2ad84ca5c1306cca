/*
 * dovetail-ctl: the command line for the dovetail database.
 *
 * An operator describes the fabric in the dovetail OVSDB database: the
 * virtual networks (a name and a VXLAN network identifier each), the
 * hypervisors (a name, the datapath id of their bridge and the IP their
 * tunnels start from) and the endpoints (a VM interface: a MAC and IPs in
 * one network, attached to a port on one hypervisor).  dovetail-controller
 * reads the same database and programs the switches from it.
 *
 * This program is the database's only writer meant for people.  Like
 * vtep-ctl and ovn-nbctl it is built on OVS's db-ctl-base: the command
 * line is a sequence of commands separated by "--", executed in a single
 * OVSDB transaction, so either every command takes effect or none does.
 * On top of the generic commands (list, get, set, create, ...) it adds
 * the dovetail commands (network-add, endpoint-move, show, ...), which
 * validate every argument with lib/dt-addr before touching the database
 * and check the fabric's uniqueness rules (one VNI per network, one MAC
 * and one IP per network, ...).  A failed check reports the bad value on
 * stderr and exits with status 1 without committing anything.
 *
 * Commands look rows up by iterating the IDL's tables rather than keeping
 * a cache: the IDL reflects the changes earlier commands made in the same
 * transaction, so "network-add blue 10 -- endpoint-add blue ..." works.
 */
#include <config.h>

#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command-line.h"
#include "db-ctl-base.h"
#include "dirs.h"
#include "fatal-signal.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovsdb-data.h"
#include "ovsdb-idl.h"
#include "packets.h"
#include "process.h"
#include "stream-ssl.h"
#include "stream.h"
#include "svec.h"
#include "table.h"
#include "util.h"

#include "lib/dovetail-idl.h"
#include "lib/dt-addr.h"
#include "lib/dt-db.h"

VLOG_DEFINE_THIS_MODULE(dovetail_ctl);

/* --db: The database server to contact. */
static const char *db;

/* --oneline: Write each command's output as a single line? */
static bool oneline;

/* --dry-run: Do not commit any changes. */
static bool dry_run;

/* --timeout: Time to wait for a connection to 'db'. */
static unsigned int timeout;

/* Format for table output. */
static struct table_style table_style = TABLE_STYLE_DEFAULT;

/* The IDL and the current transaction, if any.  For dtctl_exit() only,
 * so that ctl_fatal() can abort the transaction; other code uses the
 * context it is given. */
static struct ovsdb_idl *the_idl;
static struct ovsdb_idl_txn *the_idl_txn;

OVS_NO_RETURN static void dtctl_exit(int status);
OVS_NO_RETURN static void usage(void);
static void dtctl_cmd_init(void);
static void parse_options(int argc, char *argv[],
                          struct shash *local_options);
static void run_prerequisites(struct ctl_command[], size_t n_commands,
                              struct ovsdb_idl *);
static bool do_dtctl(const char *args, struct ctl_command *, size_t n,
                     struct ovsdb_idl *);
static void print_output(struct ctl_command *);

int
main(int argc, char *argv[])
{
    struct ctl_command *commands;
    struct shash local_options;
    size_t n_commands;

    set_program_name(argv[0]);
    fatal_ignore_sigpipe();
    vlog_set_levels(NULL, VLF_CONSOLE, VLL_WARN);
    vlog_set_levels_from_string_assert("reconnect:warn");

    dtctl_cmd_init();

    char *args = process_escape_args(argv);
    shash_init(&local_options);
    parse_options(argc, argv, &local_options);
    char *error = ctl_parse_commands(argc - optind, argv + optind,
                                     &local_options, &commands, &n_commands);
    if (error) {
        ctl_fatal("%s", error);
    }
    VLOG(ctl_might_write_to_db(commands, n_commands) ? VLL_INFO : VLL_DBG,
         "Called as %s", args);

    ctl_timeout_setup(timeout);

    struct ovsdb_idl *idl = the_idl = ovsdb_idl_create(db, &dtrec_idl_class,
                                                       false, false);
    run_prerequisites(commands, n_commands, idl);

    /* Retry the whole command sequence each time the database changes
     * under a transaction that failed because of that change: there is no
     * point in trying twice against the same view of the database. */
    unsigned int seqno = ovsdb_idl_get_seqno(idl);
    for (;;) {
        ovsdb_idl_run(idl);
        if (!ovsdb_idl_is_alive(idl)) {
            int retval = ovsdb_idl_get_last_error(idl);
            ctl_fatal("%s: database connection failed (%s)",
                      db, ovs_retval_to_string(retval));
        }

        if (seqno != ovsdb_idl_get_seqno(idl)) {
            seqno = ovsdb_idl_get_seqno(idl);
            if (do_dtctl(args, commands, n_commands, idl)) {
                free(args);
                exit(EXIT_SUCCESS);
            }
        }

        if (seqno == ovsdb_idl_get_seqno(idl)) {
            ovsdb_idl_wait(idl);
            poll_block();
        }
    }
}

static void
parse_options(int argc, char *argv[], struct shash *local_options)
{
    enum {
        OPT_DB = UCHAR_MAX + 1,
        OPT_ONELINE,
        OPT_DRY_RUN,
        OPT_LOCAL,
        VLOG_OPTION_ENUMS,
        TABLE_OPTION_ENUMS,
        SSL_OPTION_ENUMS,
    };
    static const struct option global_long_options[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"dry-run", no_argument, NULL, OPT_DRY_RUN},
        {"oneline", no_argument, NULL, OPT_ONELINE},
        {"timeout", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        VLOG_LONG_OPTIONS,
        TABLE_LONG_OPTIONS,
        STREAM_SSL_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    const int n_global_long_options = ARRAY_SIZE(global_long_options) - 1;

    char *tmp = ovs_cmdl_long_options_to_short_options(global_long_options);
    char *short_options = xasprintf("+%s", tmp);
    free(tmp);

    /* getopt_long() parses the global options and the options of every
     * command ("--may-exist", "--if-exists", "--id=", ...) together; the
     * latter are collected into 'local_options' for ctl_parse_commands(). */
    struct option *options = xmemdup(global_long_options,
                                     sizeof global_long_options);
    size_t allocated_options = ARRAY_SIZE(global_long_options);
    size_t n_options = n_global_long_options;
    ctl_add_cmd_options(&options, &n_options, &allocated_options, OPT_LOCAL);

    for (;;) {
        int idx;
        int c = getopt_long(argc, argv, short_options, options, &idx);
        if (c == -1) {
            break;
        }

        switch (c) {
        case OPT_DB:
            db = optarg;
            break;

        case OPT_ONELINE:
            oneline = true;
            break;

        case OPT_DRY_RUN:
            dry_run = true;
            break;

        case OPT_LOCAL:
            if (shash_find(local_options, options[idx].name)) {
                ctl_fatal("'%s' option specified multiple times",
                          options[idx].name);
            }
            shash_add_nocopy(local_options,
                             xasprintf("--%s", options[idx].name),
                             nullable_xstrdup(optarg));
            break;

        case 'h':
            usage();

        case 'V':
            printf("%s (dovetail) %s\n", program_name, DOVETAIL_VERSION);
            printf("DB Schema %s\n", dtrec_get_db_version());
            exit(EXIT_SUCCESS);

        case 't':
            if (!str_to_uint(optarg, 10, &timeout) || !timeout) {
                ctl_fatal("value %s on -t or --timeout is invalid", optarg);
            }
            break;

        VLOG_OPTION_HANDLERS
        TABLE_OPTION_HANDLERS(&table_style)
        STREAM_SSL_OPTION_HANDLERS

        case '?':
            exit(EXIT_FAILURE);

        default:
            OVS_NOT_REACHED();
        }
    }
    free(short_options);

    if (!db) {
        const char *env = getenv("DOVETAIL_DB");
        db = (env && env[0]
              ? env
              : xasprintf("unix:%s/dovetail-db.sock", ovs_rundir()));
    }

    for (size_t i = n_global_long_options; options[i].name; i++) {
        free(CONST_CAST(char *, options[i].name));
    }
    free(options);
}

/* Aborts and frees the current transaction and the IDL, then exits with
 * 'status'.  Called by ctl_fatal(), which is how every error ends, so an
 * error never commits anything. */
static void
dtctl_exit(int status)
{
    if (the_idl_txn) {
        ovsdb_idl_txn_abort(the_idl_txn);
        ovsdb_idl_txn_destroy(the_idl_txn);
    }
    ovsdb_idl_destroy(the_idl);
    exit(status);
}

static void
usage(void)
{
    printf("\
%s: dovetail database command line\n\
usage: %s [OPTIONS] COMMAND [ARG...] [-- COMMAND [ARG...]]...\n\
\n\
General commands:\n\
  show                        print an overview of the database\n\
\n\
Network commands:\n\
  network-add NETWORK VNI     create NETWORK with VXLAN network id VNI\n\
  network-del NETWORK         delete NETWORK (it must have no endpoints)\n\
  network-list                print NETWORK (VNI) for every network\n\
\n\
Hypervisor commands:\n\
  hypervisor-add HV DPID TUNNEL_IP\n\
                              create HV, bridge datapath id DPID, whose\n\
                              tunnels start from TUNNEL_IP\n\
  hypervisor-del HV           delete HV (its endpoints become unbound)\n\
  hypervisor-list             print HV dpid=DPID tunnel_ip=IP for each\n\
\n\
Endpoint commands:\n\
  endpoint-add NETWORK MAC IP HV PORT\n\
                              create the endpoint MAC with IP in NETWORK,\n\
                              attached to PORT on HV\n\
  endpoint-del NETWORK MAC    delete endpoint MAC from NETWORK\n\
  endpoint-move NETWORK MAC HV PORT\n\
                              attach endpoint MAC to PORT on HV\n\
  endpoint-list [NETWORK]     print NETWORK MAC IP HV:PORT for each\n\
\n\
Add commands take --may-exist, delete commands --if-exists.\n\
\n\
%s\
%s\
\n\
Options:\n\
  --db=DATABASE               connect to DATABASE\n\
                              (default: $DOVETAIL_DB, else\n\
                              unix:%s/dovetail-db.sock)\n\
  -t, --timeout=SECS          wait at most SECS seconds\n\
  --dry-run                   do not commit changes to database\n\
  --oneline                   print exactly one line of output per command\n",
           program_name, program_name, ctl_get_db_cmd_usage(),
           ctl_list_db_tables_usage(), ovs_rundir());
    table_usage();
    vlog_usage();
    stream_usage("database", true, true, false);
    printf("\n\
Other options:\n\
  -h, --help                  display this help message\n\
  -V, --version               display version information\n");
    exit(EXIT_SUCCESS);
}

/* Generic commands name rows by these columns as well as by UUID:
 * "list Virtual_Network blue", "get Virtual_Network 100 name",
 * "get Hypervisor hv1 tunnel_ip", "list Endpoint 00:00:00:00:00:01" (an
 * error if that MAC is in more than one network). */
static const struct ctl_table_class tables[DTREC_N_TABLES] = {
    [DTREC_TABLE_VIRTUAL_NETWORK].row_ids = {
        {&dtrec_virtual_network_col_name, NULL, NULL},
        {&dtrec_virtual_network_col_vni, NULL, NULL},
    },
    [DTREC_TABLE_HYPERVISOR].row_ids[0]
    = {&dtrec_hypervisor_col_name, NULL, NULL},
    [DTREC_TABLE_ENDPOINT].row_ids[0]
    = {&dtrec_endpoint_col_mac, NULL, NULL},
};

/* Replicates every column of every dovetail table: the dovetail commands
 * read across all three tables (show, the uniqueness checks), and the
 * database is small. */
static void
pre_dtctl(struct ctl_context *ctx)
{
    for (size_t i = 0; i < DTREC_N_TABLES; i++) {
        const struct ovsdb_idl_table_class *tc = &dtrec_table_classes[i];

        ovsdb_idl_add_table(ctx->idl, tc);
        for (size_t j = 0; j < tc->n_columns; j++) {
            ovsdb_idl_add_column(ctx->idl, &tc->columns[j]);
        }
    }
}

/* Stores 'error' (a malloc'd message from a dt-addr parser, or NULL) as
 * the command's error.  Returns true if there was one, so that callers
 * read "if (set_error(ctx, dt_parse_...)) { return; }". */
static bool
set_error(struct ctl_context *ctx, char *error)
{
    if (error) {
        ovs_assert(!ctx->error);
        ctx->error = error;
        return true;
    }
    return false;
}

/* Returns true if 's' is an IPv4 address equal to 'ip', comparing parsed
 * addresses so that equal addresses written differently still match; a
 * stored value that does not parse (set with the generic commands) is
 * compared as text. */
static bool
ip_matches(const char *s, ovs_be32 ip, const char *ip_s)
{
    ovs_be32 other;
    char *error = dt_parse_ipv4(s, &other);

    if (error) {
        free(error);
        return !strcmp(s, ip_s);
    }
    return other == ip;
}

/* Like ip_matches() for MAC addresses. */
static bool
mac_matches(const char *s, struct eth_addr mac, const char *mac_s)
{
    struct eth_addr other;
    char *error = dt_parse_mac(s, &other);

    if (error) {
        free(error);
        return !strcmp(s, mac_s);
    }
    return eth_addr_equals(other, mac);
}

static const struct dtrec_hypervisor *
find_hypervisor_by_tunnel_ip(struct ctl_context *ctx, ovs_be32 ip,
                             const char *ip_s)
{
    const struct dtrec_hypervisor *hv;

    DTREC_HYPERVISOR_FOR_EACH (hv, ctx->idl) {
        if (ip_matches(hv->tunnel_ip, ip, ip_s)) {
            return hv;
        }
    }
    return NULL;
}

static bool
endpoint_in_network(const struct dtrec_endpoint *ep,
                    const struct dtrec_virtual_network *net)
{
    return ep->network && uuid_equals(&ep->network->header_.uuid,
                                      &net->header_.uuid);
}

/* Returns the endpoint with 'mac' in 'net', or NULL. */
static const struct dtrec_endpoint *
find_endpoint(struct ctl_context *ctx,
              const struct dtrec_virtual_network *net,
              struct eth_addr mac, const char *mac_s)
{
    const struct dtrec_endpoint *ep;

    DTREC_ENDPOINT_FOR_EACH (ep, ctx->idl) {
        if (endpoint_in_network(ep, net) && mac_matches(ep->mac, mac, mac_s)) {
            return ep;
        }
    }
    return NULL;
}

/* Returns the endpoint in 'net' that has 'ip' among its IPs, or NULL. */
static const struct dtrec_endpoint *
find_endpoint_by_ip(struct ctl_context *ctx,
                    const struct dtrec_virtual_network *net,
                    ovs_be32 ip, const char *ip_s)
{
    const struct dtrec_endpoint *ep;

    DTREC_ENDPOINT_FOR_EACH (ep, ctx->idl) {
        if (endpoint_in_network(ep, net)) {
            for (size_t i = 0; i < ep->n_ips; i++) {
                if (ip_matches(ep->ips[i], ip, ip_s)) {
                    return ep;
                }
            }
        }
    }
    return NULL;
}

/* Looks up the network named 'name', validating the name first.  On
 * failure sets ctx->error (unless 'if_exists' and the name is merely
 * unknown) and returns NULL. */
static const struct dtrec_virtual_network *
lookup_network(struct ctl_context *ctx, const char *name, bool if_exists)
{
    if (set_error(ctx, dt_parse_name("network", name))) {
        return NULL;
    }
    const struct dtrec_virtual_network *net
        = dt_db_find_network(ctx->idl, name);
    if (!net && !if_exists) {
        ctl_error(ctx, "\"%s\": no such network", name);
    }
    return net;
}

/* Like lookup_network(), for hypervisors. */
static const struct dtrec_hypervisor *
lookup_hypervisor(struct ctl_context *ctx, const char *name, bool if_exists)
{
    if (set_error(ctx, dt_parse_name("hypervisor", name))) {
        return NULL;
    }
    const struct dtrec_hypervisor *hv = dt_db_find_hypervisor(ctx->idl, name);
    if (!hv && !if_exists) {
        ctl_error(ctx, "\"%s\": no such hypervisor", name);
    }
    return hv;
}

/* Formatting. */

/* Appends the endpoint's IPs to 's', sorted and separated by commas, or
 * "(none)". */
static void
format_ips(const struct dtrec_endpoint *ep, struct ds *s)
{
    if (!ep->n_ips) {
        ds_put_cstr(s, "(none)");
        return;
    }

    struct svec ips = SVEC_EMPTY_INITIALIZER;
    for (size_t i = 0; i < ep->n_ips; i++) {
        svec_add(&ips, ep->ips[i]);
    }
    svec_sort(&ips);
    for (size_t i = 0; i < ips.n; i++) {
        ds_put_format(s, "%s%s", i ? "," : "", ips.names[i]);
    }
    svec_destroy(&ips);
}

/* Appends where the endpoint is attached to 's': "HV:PORT", with
 * "(none)" for a missing hypervisor (e.g. after hypervisor-del) and no
 * ":PORT" for a missing port. */
static void
format_location(const struct dtrec_endpoint *ep, struct ds *s)
{
    ds_put_cstr(s, ep->hypervisor ? ep->hypervisor->name : "(none)");
    if (ep->port) {
        ds_put_format(s, ":%s", ep->port);
    }
}

static int
compare_networks(const void *a_, const void *b_)
{
    const struct dtrec_virtual_network *const *a = a_;
    const struct dtrec_virtual_network *const *b = b_;

    return strcmp((*a)->name, (*b)->name);
}

static int
compare_hypervisors(const void *a_, const void *b_)
{
    const struct dtrec_hypervisor *const *a = a_;
    const struct dtrec_hypervisor *const *b = b_;

    return strcmp((*a)->name, (*b)->name);
}

/* Orders endpoints by network name, then MAC. */
static int
compare_endpoints(const void *a_, const void *b_)
{
    const struct dtrec_endpoint *const *a = a_;
    const struct dtrec_endpoint *const *b = b_;
    const char *a_net = (*a)->network ? (*a)->network->name : "";
    const char *b_net = (*b)->network ? (*b)->network->name : "";
    int cmp = strcmp(a_net, b_net);

    return cmp ? cmp : strcmp((*a)->mac, (*b)->mac);
}

/* Returns a malloc'd array of every row of 'table', sorted by 'compare',
 * and stores their number in '*n'.  The array holds pointers to the
 * table's dtrec_* structs (each begins with its ovsdb_idl_row), so
 * 'compare' and the caller treat it as an array of those. */
static const void **
sorted_rows(struct ctl_context *ctx, const struct ovsdb_idl_table_class *table,
            int (*compare)(const void *, const void *), size_t *n)
{
    const struct ovsdb_idl_row *row;
    const void **rows = NULL;
    size_t allocated = 0;

    *n = 0;
    for (row = ovsdb_idl_first_row(ctx->idl, table); row;
         row = ovsdb_idl_next_row(row)) {
        if (*n >= allocated) {
            rows = x2nrealloc(rows, &allocated, sizeof *rows);
        }
        rows[(*n)++] = row;
    }
    if (*n) {
        qsort(rows, *n, sizeof *rows, compare);
    }
    return rows;
}

/* The networks, sorted by name; see sorted_rows(). */
static const struct dtrec_virtual_network **
sorted_networks(struct ctl_context *ctx, size_t *n)
{
    return (const struct dtrec_virtual_network **)
        sorted_rows(ctx, &dtrec_table_virtual_network, compare_networks, n);
}

/* The hypervisors, sorted by name; see sorted_rows(). */
static const struct dtrec_hypervisor **
sorted_hypervisors(struct ctl_context *ctx, size_t *n)
{
    return (const struct dtrec_hypervisor **)
        sorted_rows(ctx, &dtrec_table_hypervisor, compare_hypervisors, n);
}

/* The endpoints in 'net' (all endpoints if 'net' is NULL), sorted by
 * network name and MAC; see sorted_rows(). */
static const struct dtrec_endpoint **
sorted_endpoints(struct ctl_context *ctx,
                 const struct dtrec_virtual_network *net, size_t *n)
{
    const struct dtrec_endpoint **eps = (const struct dtrec_endpoint **)
        sorted_rows(ctx, &dtrec_table_endpoint, compare_endpoints, n);
    size_t kept = 0;

    for (size_t i = 0; i < *n; i++) {
        if (!net || endpoint_in_network(eps[i], net)) {
            eps[kept++] = eps[i];
        }
    }
    *n = kept;
    return eps;
}

/* "show". */

static void
cmd_show(struct ctl_context *ctx)
{
    size_t n_nets, n_hvs;
    const struct dtrec_virtual_network **nets = sorted_networks(ctx,
                                                                &n_nets);
    const struct dtrec_hypervisor **hvs = sorted_hypervisors(ctx, &n_hvs);

    for (size_t i = 0; i < n_nets; i++) {
        const struct dtrec_virtual_network *net = nets[i];
        size_t n_eps;
        const struct dtrec_endpoint **eps = sorted_endpoints(ctx, net,
                                                             &n_eps);

        ds_put_format(&ctx->output, "network %s (vni %"PRId64")\n",
                      net->name, net->vni);
        for (size_t j = 0; j < n_eps; j++) {
            ds_put_format(&ctx->output, "    endpoint %s\n", eps[j]->mac);
            ds_put_cstr(&ctx->output, "        ips: ");
            format_ips(eps[j], &ctx->output);
            ds_put_cstr(&ctx->output, "\n        hypervisor: ");
            format_location(eps[j], &ctx->output);
            ds_put_char(&ctx->output, '\n');
        }
        free(eps);
    }
    for (size_t i = 0; i < n_hvs; i++) {
        ds_put_format(&ctx->output, "hypervisor %s\n"
                      "    dpid: %016"PRIx64"\n"
                      "    tunnel_ip: %s\n",
                      hvs[i]->name, (uint64_t) hvs[i]->datapath_id,
                      hvs[i]->tunnel_ip);
    }
    free(nets);
    free(hvs);
}

/* Network commands. */

static void
cmd_network_add(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    const char *vni_s = ctx->argv[2];
    bool may_exist = shash_find(&ctx->options, "--may-exist") != NULL;
    uint32_t vni;

    if (set_error(ctx, dt_parse_name("network", name))
        || set_error(ctx, dt_parse_vni(vni_s, &vni))) {
        return;
    }

    const struct dtrec_virtual_network *net
        = dt_db_find_network(ctx->idl, name);
    if (net) {
        if (!may_exist) {
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
}

static void
cmd_network_del(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    bool if_exists = shash_find(&ctx->options, "--if-exists") != NULL;

    const struct dtrec_virtual_network *net = lookup_network(ctx, name,
                                                             if_exists);
    if (!net) {
        return;
    }

    size_t n_eps = 0;
    const struct dtrec_endpoint *ep;
    DTREC_ENDPOINT_FOR_EACH (ep, ctx->idl) {
        n_eps += endpoint_in_network(ep, net);
    }
    if (n_eps) {
        ctl_error(ctx, "\"%s\": network still has %"PRIuSIZE" endpoint%s "
                  "(delete %s first)", name, n_eps, n_eps > 1 ? "s" : "",
                  n_eps > 1 ? "them" : "it");
        return;
    }
    dtrec_virtual_network_delete(net);
}

static void
cmd_network_list(struct ctl_context *ctx)
{
    size_t n;
    const struct dtrec_virtual_network **nets = sorted_networks(ctx, &n);

    for (size_t i = 0; i < n; i++) {
        ds_put_format(&ctx->output, "%s (%"PRId64")\n",
                      nets[i]->name, nets[i]->vni);
    }
    free(nets);
}

/* Hypervisor commands. */

static void
cmd_hypervisor_add(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    const char *dpid_s = ctx->argv[2];
    const char *ip_s = ctx->argv[3];
    bool may_exist = shash_find(&ctx->options, "--may-exist") != NULL;
    uint64_t dpid;
    ovs_be32 ip;

    if (set_error(ctx, dt_parse_name("hypervisor", name))
        || set_error(ctx, dt_parse_dpid(dpid_s, &dpid))
        || set_error(ctx, dt_parse_ipv4(ip_s, &ip))) {
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
        if (!may_exist) {
            ctl_error(ctx, "\"%s\": hypervisor already exists", name);
        } else if (hv->datapath_id != dpid
                   || !ip_matches(hv->tunnel_ip, ip, ip_s)) {
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
    hv = find_hypervisor_by_tunnel_ip(ctx, ip, ip_s);
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
    bool if_exists = shash_find(&ctx->options, "--if-exists") != NULL;
    const struct dtrec_hypervisor *hv = lookup_hypervisor(ctx, ctx->argv[1],
                                                          if_exists);
    if (!hv) {
        return;
    }

    /* The database drops the weak references itself on commit; clearing
     * them here too keeps later commands in this transaction (e.g. "--
     * show") from seeing a deleted hypervisor. */
    const struct dtrec_endpoint *ep;
    DTREC_ENDPOINT_FOR_EACH (ep, ctx->idl) {
        if (ep->hypervisor
            && uuid_equals(&ep->hypervisor->header_.uuid, &hv->header_.uuid)) {
            dtrec_endpoint_set_hypervisor(ep, NULL);
        }
    }
    dtrec_hypervisor_delete(hv);
}

static void
cmd_hypervisor_list(struct ctl_context *ctx)
{
    size_t n;
    const struct dtrec_hypervisor **hvs = sorted_hypervisors(ctx, &n);

    for (size_t i = 0; i < n; i++) {
        ds_put_format(&ctx->output, "%s dpid=%016"PRIx64" tunnel_ip=%s\n",
                      hvs[i]->name, (uint64_t) hvs[i]->datapath_id,
                      hvs[i]->tunnel_ip);
    }
    free(hvs);
}

/* Endpoint commands. */

static void
cmd_endpoint_add(struct ctl_context *ctx)
{
    const char *net_name = ctx->argv[1];
    const char *mac_s = ctx->argv[2];
    const char *ip_s = ctx->argv[3];
    const char *hv_name = ctx->argv[4];
    const char *port = ctx->argv[5];
    bool may_exist = shash_find(&ctx->options, "--may-exist") != NULL;
    struct eth_addr mac;
    ovs_be32 ip;

    /* Every argument's syntax first, then the lookups. */
    if (set_error(ctx, dt_parse_name("network", net_name))
        || set_error(ctx, dt_parse_endpoint_mac(mac_s, &mac))
        || set_error(ctx, dt_parse_ipv4(ip_s, &ip))
        || set_error(ctx, dt_parse_name("hypervisor", hv_name))
        || set_error(ctx, dt_parse_name("port", port))) {
        return;
    }
    const struct dtrec_virtual_network *net = lookup_network(ctx, net_name,
                                                             false);
    if (!net) {
        return;
    }
    const struct dtrec_hypervisor *hv = lookup_hypervisor(ctx, hv_name,
                                                          false);
    if (!hv) {
        return;
    }

    const struct dtrec_endpoint *ep = find_endpoint(ctx, net, mac, mac_s);
    if (ep) {
        if (!may_exist) {
            ctl_error(ctx, "\"%s\": network \"%s\" already has an endpoint "
                      "with this MAC", mac_s, net_name);
        } else if (ep->n_ips != 1 || !ip_matches(ep->ips[0], ip, ip_s)
                   || ep->hypervisor != hv
                   || !ep->port || strcmp(ep->port, port)) {
            struct ds where = DS_EMPTY_INITIALIZER;
            format_ips(ep, &where);
            ds_put_cstr(&where, " on ");
            format_location(ep, &where);
            ctl_error(ctx, "\"%s\": endpoint already exists in network "
                      "\"%s\" with %s", mac_s, net_name, ds_cstr(&where));
            ds_destroy(&where);
        }
        return;
    }
    ep = find_endpoint_by_ip(ctx, net, ip, ip_s);
    if (ep) {
        ctl_error(ctx, "\"%s\": IP already used in network \"%s\" by "
                  "endpoint %s", ip_s, net_name, ep->mac);
        return;
    }

    struct dtrec_endpoint *new_ep = dtrec_endpoint_insert(ctx->txn);
    char *mac_norm = xasprintf(ETH_ADDR_FMT, ETH_ADDR_ARGS(mac));
    char *ip_norm = xasprintf(IP_FMT, IP_ARGS(ip));
    const char *ips[] = { ip_norm };
    dtrec_endpoint_set_network(new_ep, net);
    dtrec_endpoint_set_mac(new_ep, mac_norm);
    dtrec_endpoint_set_ips(new_ep, ips, 1);
    dtrec_endpoint_set_hypervisor(new_ep, hv);
    dtrec_endpoint_set_port(new_ep, port);
    free(mac_norm);
    free(ip_norm);
}

static void
cmd_endpoint_del(struct ctl_context *ctx)
{
    const char *net_name = ctx->argv[1];
    const char *mac_s = ctx->argv[2];
    bool if_exists = shash_find(&ctx->options, "--if-exists") != NULL;
    struct eth_addr mac;

    if (set_error(ctx, dt_parse_name("network", net_name))
        || set_error(ctx, dt_parse_mac(mac_s, &mac))) {
        return;
    }
    const struct dtrec_virtual_network *net = lookup_network(ctx, net_name,
                                                             if_exists);
    if (!net) {
        return;
    }
    const struct dtrec_endpoint *ep = find_endpoint(ctx, net, mac, mac_s);
    if (!ep) {
        if (!if_exists) {
            ctl_error(ctx, "\"%s\": no such endpoint in network \"%s\"",
                      mac_s, net_name);
        }
        return;
    }
    dtrec_endpoint_delete(ep);
}

static void
cmd_endpoint_move(struct ctl_context *ctx)
{
    const char *net_name = ctx->argv[1];
    const char *mac_s = ctx->argv[2];
    const char *hv_name = ctx->argv[3];
    const char *port = ctx->argv[4];
    struct eth_addr mac;

    if (set_error(ctx, dt_parse_name("network", net_name))
        || set_error(ctx, dt_parse_mac(mac_s, &mac))
        || set_error(ctx, dt_parse_name("hypervisor", hv_name))
        || set_error(ctx, dt_parse_name("port", port))) {
        return;
    }
    const struct dtrec_virtual_network *net = lookup_network(ctx, net_name,
                                                             false);
    if (!net) {
        return;
    }
    const struct dtrec_hypervisor *hv = lookup_hypervisor(ctx, hv_name,
                                                          false);
    if (!hv) {
        return;
    }
    const struct dtrec_endpoint *ep = find_endpoint(ctx, net, mac, mac_s);
    if (!ep) {
        ctl_error(ctx, "\"%s\": no such endpoint in network \"%s\"",
                  mac_s, net_name);
        return;
    }

    dtrec_endpoint_set_hypervisor(ep, hv);
    dtrec_endpoint_set_port(ep, port);
}

static void
cmd_endpoint_list(struct ctl_context *ctx)
{
    const struct dtrec_virtual_network *net = NULL;

    if (ctx->argc > 1) {
        net = lookup_network(ctx, ctx->argv[1], false);
        if (!net) {
            return;
        }
    }

    size_t n;
    const struct dtrec_endpoint **eps = sorted_endpoints(ctx, net, &n);
    for (size_t i = 0; i < n; i++) {
        ds_put_format(&ctx->output, "%s %s ",
                      eps[i]->network ? eps[i]->network->name : "(none)",
                      eps[i]->mac);
        format_ips(eps[i], &ctx->output);
        ds_put_char(&ctx->output, ' ');
        format_location(eps[i], &ctx->output);
        ds_put_char(&ctx->output, '\n');
    }
    free(eps);
}

/* Running the commands. */

static void
run_prerequisites(struct ctl_command *commands, size_t n_commands,
                  struct ovsdb_idl *idl)
{
    for (struct ctl_command *c = commands; c < &commands[n_commands]; c++) {
        if (c->syntax->prerequisites) {
            struct ctl_context ctx;

            ds_init(&c->output);
            c->table = NULL;

            ctl_context_init(&ctx, c, idl, NULL, NULL, NULL);
            (c->syntax->prerequisites)(&ctx);
            if (ctx.error) {
                ctl_fatal("%s", ctx.error);
            }
            ctl_context_done(&ctx, c);

            ovs_assert(!c->output.string);
            ovs_assert(!c->table);
        }
    }
}

/* Runs every command in one transaction and commits it.  Returns true if
 * done (the output has been printed), false if the database changed under
 * the transaction and the caller should retry with a fresh view.  Any
 * error is fatal and leaves the database as it was. */
static bool
do_dtctl(const char *args, struct ctl_command *commands, size_t n_commands,
         struct ovsdb_idl *idl)
{
    struct ovsdb_idl_txn *txn = the_idl_txn = ovsdb_idl_txn_create(idl);
    if (dry_run) {
        ovsdb_idl_txn_set_dry_run(txn);
    }
    ovsdb_idl_txn_add_comment(txn, "dovetail-ctl: %s", args);

    struct ovsdb_symbol_table *symtab = ovsdb_symbol_table_create();
    for (struct ctl_command *c = commands; c < &commands[n_commands]; c++) {
        ds_init(&c->output);
        c->table = NULL;
    }

    struct ctl_context ctx;
    ctl_context_init(&ctx, NULL, idl, txn, symtab, NULL);
    for (struct ctl_command *c = commands; c < &commands[n_commands]; c++) {
        ctl_context_init_command(&ctx, c, c == &commands[n_commands - 1]);
        if (c->syntax->run) {
            (c->syntax->run)(&ctx);
        }
        if (ctx.error) {
            ctl_fatal("%s", ctx.error);
        }
        ctl_context_done_command(&ctx, c);

        if (ctx.try_again) {
            ctl_context_done(&ctx, NULL);
            goto try_again;
        }
    }
    ctl_context_done(&ctx, NULL);

    struct shash_node *node;
    SHASH_FOR_EACH (node, &symtab->sh) {
        struct ovsdb_symbol *symbol = node->data;
        if (!symbol->created) {
            ctl_fatal("row id \"%s\" is referenced but never created "
                      "(e.g. with \"-- --id=%s create ...\")",
                      node->name, node->name);
        }
    }

    enum ovsdb_idl_txn_status status = ovsdb_idl_txn_commit_block(txn);
    if (status == TXN_UNCHANGED || status == TXN_SUCCESS) {
        for (struct ctl_command *c = commands; c < &commands[n_commands];
             c++) {
            if (c->syntax->postprocess) {
                ctl_context_init(&ctx, c, idl, txn, symtab, NULL);
                (c->syntax->postprocess)(&ctx);
                if (ctx.error) {
                    ctl_fatal("%s", ctx.error);
                }
                ctl_context_done(&ctx, c);
            }
        }
    }
    char *error = xstrdup(ovsdb_idl_txn_get_error(txn));
    ovsdb_idl_txn_destroy(txn);
    txn = the_idl_txn = NULL;

    switch (status) {
    case TXN_UNCOMMITTED:
    case TXN_INCOMPLETE:
        OVS_NOT_REACHED();

    case TXN_ABORTED:
        /* Should not happen: nothing calls ovsdb_idl_txn_abort(). */
        ctl_fatal("transaction aborted");

    case TXN_UNCHANGED:
    case TXN_SUCCESS:
        break;

    case TXN_TRY_AGAIN:
        free(error);
        goto try_again;

    case TXN_ERROR:
        ctl_fatal("transaction error: %s", error);

    case TXN_NOT_LOCKED:
        /* Should not happen: nothing calls ovsdb_idl_set_lock(). */
        ctl_fatal("database not locked");

    default:
        OVS_NOT_REACHED();
    }
    free(error);

    ovsdb_symbol_table_destroy(symtab);

    for (struct ctl_command *c = commands; c < &commands[n_commands]; c++) {
        print_output(c);
        ds_destroy(&c->output);
        table_destroy(c->table);
        free(c->table);
        shash_destroy_free_data(&c->options);
    }
    free(commands);
    ovsdb_idl_destroy(idl);
    the_idl = NULL;
    return true;

try_again:
    /* The transaction must be rerun against a newer view of the database
     * ("wait-until" not yet satisfied, or a conflicting change). */
    if (txn) {
        ovsdb_idl_txn_abort(txn);
        ovsdb_idl_txn_destroy(txn);
        the_idl_txn = NULL;
    }
    ovsdb_symbol_table_destroy(symtab);
    for (struct ctl_command *c = commands; c < &commands[n_commands]; c++) {
        ds_destroy(&c->output);
        table_destroy(c->table);
        free(c->table);
    }
    return false;
}

/* Prints command 'c''s output: its table in the chosen --format, or its
 * text, on a single line with "\n" escaped if --oneline. */
static void
print_output(struct ctl_command *c)
{
    struct ds *ds = &c->output;

    if (c->table) {
        table_print(c->table, &table_style);
    } else if (oneline) {
        ds_chomp(ds, '\n');
        for (size_t i = 0; i < ds->length; i++) {
            int ch = ds->string[i];
            switch (ch) {
            case '\n':
                fputs("\\n", stdout);
                break;

            case '\\':
                fputs("\\\\", stdout);
                break;

            default:
                putchar(ch);
            }
        }
        putchar('\n');
    } else {
        fputs(ds_cstr(ds), stdout);
    }
}

static const struct ctl_command_syntax dtctl_commands[] = {
    {"show", 0, 0, "", pre_dtctl, cmd_show, NULL, "", RO},

    {"network-add", 2, 2, "NETWORK VNI", pre_dtctl, cmd_network_add, NULL,
     "--may-exist", RW},
    {"network-del", 1, 1, "NETWORK", pre_dtctl, cmd_network_del, NULL,
     "--if-exists", RW},
    {"network-list", 0, 0, "", pre_dtctl, cmd_network_list, NULL, "", RO},

    {"hypervisor-add", 3, 3, "HV DPID TUNNEL_IP", pre_dtctl,
     cmd_hypervisor_add, NULL, "--may-exist", RW},
    {"hypervisor-del", 1, 1, "HV", pre_dtctl, cmd_hypervisor_del, NULL,
     "--if-exists", RW},
    {"hypervisor-list", 0, 0, "", pre_dtctl, cmd_hypervisor_list, NULL, "",
     RO},

    {"endpoint-add", 5, 5, "NETWORK MAC IP HV PORT", pre_dtctl,
     cmd_endpoint_add, NULL, "--may-exist", RW},
    {"endpoint-del", 2, 2, "NETWORK MAC", pre_dtctl, cmd_endpoint_del, NULL,
     "--if-exists", RW},
    {"endpoint-move", 4, 4, "NETWORK MAC HV PORT", pre_dtctl,
     cmd_endpoint_move, NULL, "", RW},
    {"endpoint-list", 0, 1, "[NETWORK]", pre_dtctl, cmd_endpoint_list, NULL,
     "", RO},

    {NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, RO},
};

/* Registers the generic db-ctl-base commands (without their generic
 * "show", which would not know how to draw the fabric) and ours. */
static void
dtctl_cmd_init(void)
{
    ctl_init(&dtrec_idl_class, dtrec_table_classes, tables, NULL,
             dtctl_exit);
    ctl_register_commands(dtctl_commands);
}
