/*
 * dovetail-ctl: the command line for the dovetail database.
 *
 * An operator describes the fabric in the dovetail OVSDB database, the
 * state of the DOVE policy service: tenants and their OUIs, virtual
 * networks, and in each network its policy domains, policy actions
 * (allow, deny, or a waypoint appliance), one-way policies between domains
 * plus a default policy, and endpoints (a vMAC and vIPs, a domain, and a
 * location: a port on a hypervisor, or an external prefix).  Hypervisors
 * are named with the datapath id of their bridge and their tunnel address.
 * dovetail-controller reads the same database and programs the switches.
 *
 * Like vtep-ctl and ovn-nbctl it is built on OVS's db-ctl-base: the command
 * line is a sequence of commands separated by "--", executed in a single
 * OVSDB transaction, so either every command takes effect or none does.
 * On top of the generic commands (list, get, set, create, ...) it has a
 * family of commands per table (dtctl-tables.c) and whole-network views
 * and blueprints (dtctl-views.c).  Every argument is validated with
 * lib/dt-addr before anything is looked up; before committing, the
 * transaction's policies get their tracking numbers (lib/dt-db) and the
 * whole database is held to the rules the schema cannot express
 * (lib/dt-check).  A failed check reports the bad value on stderr and
 * exits with status 1 without committing anything.
 *
 * Commands look rows up by iterating the IDL's tables: the IDL reflects
 * the changes earlier commands made in the same transaction, so
 * "network-add blue 10 -- domain-add blue web" works.
 */
#include <config.h>

#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
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
#include "lib/dt-check.h"
#include "lib/dt-db.h"
#include "utilities/dtctl.h"

VLOG_DEFINE_THIS_MODULE(dovetail_ctl);

/* --db: The database server to contact. */
static const char *db;

/* --oneline: Write each command's output as a single line? */
static bool oneline;

/* --dry-run: Do not commit any changes. */
static bool dry_run;

/* --timeout: Time to wait for a connection to 'db'. */
static unsigned int timeout;

/* Format for table output, and whether --format chose it.  The generic
 * "list" and "find" print records one per paragraph by default, as in
 * ovs-vsctl; dovetail's own listings print a table. */
static struct table_style table_style = TABLE_STYLE_DEFAULT;
static bool format_given;

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

    /* With --timeout, keep trying to reach the database (and, for a
     * cluster, its leader: during an election no member accepts writes)
     * until the timeout; without it, fail at once if it cannot be
     * reached. */
    struct ovsdb_idl *idl = the_idl = ovsdb_idl_create(db, &dtrec_idl_class,
                                                       false, timeout != 0);
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
        if (c == 'f') {
            format_given = true;
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
Views:\n\
  show [NETWORK]              print each network as a tree (all of them\n\
                              followed by the hypervisors, or NETWORK)\n\
  resolve NETWORK SRC DST     resolve a policy request from endpoint SRC to\n\
                              DST (an IP, a MAC or an endpoint) and say why\n\
  policy-graph NETWORK        print the policy graph in Graphviz dot\n\
  export NETWORK              print NETWORK as a JSON blueprint\n\
  [--replace] import FILE     create the network a JSON blueprint describes\n\
  channel-list [HYPERVISOR]   the channel table of each hypervisor (mode\n\
                              channel)\n\
  [--controller=SOCKET] sarp-cache [HYPERVISOR]\n\
                              each edge's SARP cache (mode sarp), asked of\n\
                              dovetail-controller\n\
\n\
Tenants:\n\
  tenant-add TENANT [OUI...]  create TENANT owning the OUIs (xx:xx:xx), or\n\
                              a free locally administered one if none given\n\
  tenant-oui-add TENANT [OUI] give TENANT another OUI (a free one if omitted)\n\
  tenant-oui-del TENANT OUI   take OUI from TENANT (no endpoint may use it)\n\
  tenant-del TENANT           delete TENANT (no network may name it)\n\
  tenant-list                 list tenants\n\
\n\
Networks:\n\
  [--tenant=TENANT] [--mode=overlay|sarp|channel]\n\
  [--encap=vxlan|geneve|gre] network-add NETWORK VNI\n\
                              create NETWORK with VXLAN network id VNI\n\
  network-del NETWORK         delete NETWORK with its domains, actions,\n\
                              policies and groups (it must have no endpoints)\n\
  network-list                list networks\n\
\n\
Policy domains:\n\
  domain-add NETWORK DOMAIN   create DOMAIN in NETWORK\n\
  domain-del NETWORK DOMAIN   delete DOMAIN (no policy or endpoint may use it)\n\
  domain-list [NETWORK]       list domains with their members\n\
  domain-set-dhcp NETWORK DOMAIN [IP...]\n\
                              set the DHCP servers of DOMAIN's endpoints\n\
\n\
Policy actions:\n\
  action-add NETWORK ACTION allow|deny [KEY=VALUE...]\n\
  action-add NETWORK ACTION waypoint LOCATION [KEY=VALUE...]\n\
                              create ACTION; a waypoint is an appliance at\n\
                              LOCATION with opaque configuration KEY=VALUE\n\
  action-del NETWORK ACTION   delete ACTION (no policy may use it)\n\
  action-list [NETWORK]       list actions\n\
\n\
Policies (one-way, from a source domain to a destination domain):\n\
  [--ttl=SECS] policy-add NETWORK SRC DST ACTION[,ACTION...]\n\
  --default [--ttl=SECS] policy-add NETWORK ACTION[,ACTION...]\n\
                              create the policy SRC -> DST, or the default\n\
  [--ttl=SECS] policy-set NETWORK SRC DST [ACTION[,ACTION...]]\n\
  --default [--ttl=SECS] policy-set NETWORK [ACTION[,ACTION...]]\n\
                              change a policy's actions and/or TTL\n\
  policy-del NETWORK SRC DST | --default policy-del NETWORK\n\
  policy-list [NETWORK]       list policies with TTL and tracking number\n\
\n\
Endpoints:\n\
  [--domain=DOMAIN] [--hypervisor=HV --port=PORT] [--external=PREFIX]\n\
  endpoint-add NETWORK ENDPOINT [MAC [IP...]]\n\
                              create ENDPOINT in NETWORK; if the network's\n\
                              tenant has OUIs, the MAC is in one of them\n\
                              (allocated if not given)\n\
  endpoint-del ENDPOINT       delete ENDPOINT\n\
  endpoint-move ENDPOINT [HV PORT]\n\
                              attach ENDPOINT to PORT on HV (or detach it)\n\
  endpoint-set-domain ENDPOINT [DOMAIN]\n\
  endpoint-set-addresses ENDPOINT [MAC] [IP...]\n\
  endpoint-list [NETWORK]     list endpoints\n\
\n\
Hypervisors:\n\
  hypervisor-add HV DPID TUNNEL_IP\n\
                              create HV, bridge datapath id DPID, whose\n\
                              tunnels start from TUNNEL_IP\n\
  hypervisor-del HV           delete HV (its endpoints become unattached)\n\
  hypervisor-list             list hypervisors\n\
\n\
Multicast groups:\n\
  mcast-group-add NETWORK GROUP [ENDPOINT...]\n\
  mcast-group-del NETWORK GROUP\n\
  mcast-group-list [NETWORK]\n\
\n\
A command's options come before its name, as in ovs-vsctl.  Add commands\n\
take --may-exist, delete commands --if-exists.  Listings print in the\n\
--format chosen (table, list, csv, html or json).\n\
\n\
%s\
%s\
\n\
Options:\n\
  --db=DATABASE               connect to DATABASE, or several comma-separated\n\
                              members of a clustered database (default:\n\
                              $DOVETAIL_DB, else unix:%s/dovetail-db.sock)\n\
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
 * "get Hypervisor hv1 tunnel_ip", "list Endpoint web1", "list Tenant
 * acme", and domains and actions by name where the name is used in one
 * network only ("set Policy_Action FW-1 location=9.2.5.1"). */
static const struct ctl_table_class tables[DTREC_N_TABLES] = {
    [DTREC_TABLE_TENANT].row_ids[0] = {&dtrec_tenant_col_name, NULL, NULL},
    [DTREC_TABLE_VIRTUAL_NETWORK].row_ids = {
        {&dtrec_virtual_network_col_name, NULL, NULL},
        {&dtrec_virtual_network_col_vni, NULL, NULL},
    },
    [DTREC_TABLE_POLICY_DOMAIN].row_ids[0]
    = {&dtrec_policy_domain_col_name, NULL, NULL},
    [DTREC_TABLE_POLICY_ACTION].row_ids[0]
    = {&dtrec_policy_action_col_name, NULL, NULL},
    [DTREC_TABLE_HYPERVISOR].row_ids[0]
    = {&dtrec_hypervisor_col_name, NULL, NULL},
    [DTREC_TABLE_ENDPOINT].row_ids[0]
    = {&dtrec_endpoint_col_name, NULL, NULL},
    [DTREC_TABLE_MULTICAST_GROUP].row_ids[0]
    = {&dtrec_multicast_group_col_group, NULL, NULL},
};

/* What the command files share (dtctl.h). */

/* Replicates every column of every dovetail table: the commands read
 * across tables (show, the checks before commit). */
void
dtctl_pre(struct ctl_context *ctx)
{
    for (size_t i = 0; i < DTREC_N_TABLES; i++) {
        const struct ovsdb_idl_table_class *tc = &dtrec_table_classes[i];

        ovsdb_idl_add_table(ctx->idl, tc);
        for (size_t j = 0; j < tc->n_columns; j++) {
            ovsdb_idl_add_column(ctx->idl, &tc->columns[j]);
        }
    }
}

bool
dtctl_error(struct ctl_context *ctx, char *error)
{
    if (error) {
        ovs_assert(!ctx->error);
        ctx->error = error;
        return true;
    }
    return false;
}

bool
dtctl_option(const struct ctl_context *ctx, const char *name)
{
    return shash_find(&ctx->options, name) != NULL;
}

const char *
dtctl_option_value(const struct ctl_context *ctx, const char *name)
{
    return shash_find_data(&ctx->options, name);
}

/* Looks up a row by name: 'what' names its kind for messages, 'where'
 * (may be NULL) the network it is looked up in, 'row' is what the finder
 * returned. */
static const void *
lookup_result(struct ctl_context *ctx, const char *what, const char *name,
              const char *where, const void *row, bool if_exists)
{
    if (!row && !if_exists) {
        if (where) {
            ctl_error(ctx, "\"%s\": no such %s in network \"%s\"",
                      name, what, where);
        } else {
            ctl_error(ctx, "\"%s\": no such %s", name, what);
        }
    }
    return row;
}

const struct dtrec_virtual_network *
dtctl_network(struct ctl_context *ctx, const char *name, bool if_exists)
{
    if (dtctl_error(ctx, dt_parse_name("network", name))) {
        return NULL;
    }
    return lookup_result(ctx, "network", name, NULL,
                         dt_db_find_network(ctx->idl, name), if_exists);
}

const struct dtrec_hypervisor *
dtctl_hypervisor(struct ctl_context *ctx, const char *name, bool if_exists)
{
    if (dtctl_error(ctx, dt_parse_name("hypervisor", name))) {
        return NULL;
    }
    return lookup_result(ctx, "hypervisor", name, NULL,
                         dt_db_find_hypervisor(ctx->idl, name), if_exists);
}

const struct dtrec_tenant *
dtctl_tenant(struct ctl_context *ctx, const char *name, bool if_exists)
{
    if (dtctl_error(ctx, dt_parse_name("tenant", name))) {
        return NULL;
    }
    return lookup_result(ctx, "tenant", name, NULL,
                         dt_db_find_tenant(ctx->idl, name), if_exists);
}

const struct dtrec_policy_domain *
dtctl_domain(struct ctl_context *ctx, const struct dtrec_virtual_network *net,
             const char *name, bool if_exists)
{
    if (dtctl_error(ctx, dt_parse_name("domain", name))) {
        return NULL;
    }
    return lookup_result(ctx, "domain", name, net->name,
                         dt_db_find_domain(ctx->idl, net, name), if_exists);
}

const struct dtrec_policy_action *
dtctl_action(struct ctl_context *ctx, const struct dtrec_virtual_network *net,
             const char *name, bool if_exists)
{
    if (dtctl_error(ctx, dt_parse_name("action", name))) {
        return NULL;
    }
    return lookup_result(ctx, "action", name, net->name,
                         dt_db_find_action(ctx->idl, net, name), if_exists);
}

const struct dtrec_endpoint *
dtctl_endpoint(struct ctl_context *ctx, const char *name, bool if_exists)
{
    if (dtctl_error(ctx, dt_parse_name("endpoint", name))) {
        return NULL;
    }
    return lookup_result(ctx, "endpoint", name, NULL,
                         dt_db_find_endpoint(ctx->idl, name), if_exists);
}

const void **
dtctl_sorted_rows(struct ctl_context *ctx,
                  const struct ovsdb_idl_table_class *table,
                  bool (*filter)(const void *row, const void *aux),
                  const void *aux,
                  int (*compare)(const void *, const void *), size_t *n)
{
    const struct ovsdb_idl_row *row;
    const void **rows = NULL;
    size_t allocated = 0;

    *n = 0;
    for (row = ovsdb_idl_first_row(ctx->idl, table); row;
         row = ovsdb_idl_next_row(row)) {
        if (filter && !filter(row, aux)) {
            continue;
        }
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

/* Name of the network a row of each kind is in, for sorting and
 * filtering.  Every table these serve has a "network" column first among
 * the columns that matter; the accessors differ only in type. */
#define NETWORK_OF(ROW) ((ROW)->network ? (ROW)->network->name : "")

static int
compare_networks(const void *a_, const void *b_)
{
    const struct dtrec_virtual_network *const *a = a_, *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

static int
compare_hypervisors(const void *a_, const void *b_)
{
    const struct dtrec_hypervisor *const *a = a_, *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

static int
compare_domains(const void *a_, const void *b_)
{
    const struct dtrec_policy_domain *const *a = a_, *const *b = b_;
    int cmp = strcmp(NETWORK_OF(*a), NETWORK_OF(*b));
    return cmp ? cmp : strcmp((*a)->name, (*b)->name);
}

static int
compare_actions(const void *a_, const void *b_)
{
    const struct dtrec_policy_action *const *a = a_, *const *b = b_;
    int cmp = strcmp(NETWORK_OF(*a), NETWORK_OF(*b));
    return cmp ? cmp : strcmp((*a)->name, (*b)->name);
}

/* Policies sort by network, then source and destination domain, with the
 * default policy last. */
static int
compare_policies(const void *a_, const void *b_)
{
    const struct dtrec_policy *const *a = a_, *const *b = b_;
    int cmp = strcmp(NETWORK_OF(*a), NETWORK_OF(*b));
    if (cmp) {
        return cmp;
    }
    if (!(*a)->src_domain || !(*b)->src_domain) {
        return !(*a)->src_domain - !(*b)->src_domain;
    }
    cmp = strcmp((*a)->src_domain->name, (*b)->src_domain->name);
    return (cmp ? cmp
            : strcmp((*a)->dst_domain ? (*a)->dst_domain->name : "",
                     (*b)->dst_domain ? (*b)->dst_domain->name : ""));
}

static int
compare_endpoints(const void *a_, const void *b_)
{
    const struct dtrec_endpoint *const *a = a_, *const *b = b_;
    int cmp = strcmp(NETWORK_OF(*a), NETWORK_OF(*b));
    return cmp ? cmp : strcmp((*a)->name, (*b)->name);
}

/* Filters for dtctl_sorted_rows(): is the row in network 'aux'?  The
 * network column's offset differs per table, hence one per table. */
static bool
domain_in(const void *row, const void *net)
{
    return dt_db_same_row(((const struct dtrec_policy_domain *) row)->network,
                          net);
}

static bool
action_in(const void *row, const void *net)
{
    return dt_db_same_row(((const struct dtrec_policy_action *) row)->network,
                          net);
}

static bool
policy_in(const void *row, const void *net)
{
    return dt_db_same_row(((const struct dtrec_policy *) row)->network, net);
}

static bool
endpoint_in(const void *row, const void *net)
{
    return dt_db_same_row(((const struct dtrec_endpoint *) row)->network,
                          net);
}

const struct dtrec_virtual_network **
dtctl_networks(struct ctl_context *ctx, size_t *n)
{
    return (const struct dtrec_virtual_network **) dtctl_sorted_rows(
        ctx, &dtrec_table_virtual_network, NULL, NULL, compare_networks, n);
}

const struct dtrec_hypervisor **
dtctl_hypervisors(struct ctl_context *ctx, size_t *n)
{
    return (const struct dtrec_hypervisor **) dtctl_sorted_rows(
        ctx, &dtrec_table_hypervisor, NULL, NULL, compare_hypervisors, n);
}

const struct dtrec_policy_domain **
dtctl_domains(struct ctl_context *ctx,
              const struct dtrec_virtual_network *net, size_t *n)
{
    return (const struct dtrec_policy_domain **) dtctl_sorted_rows(
        ctx, &dtrec_table_policy_domain, net ? domain_in : NULL, net,
        compare_domains, n);
}

const struct dtrec_policy_action **
dtctl_actions(struct ctl_context *ctx,
              const struct dtrec_virtual_network *net, size_t *n)
{
    return (const struct dtrec_policy_action **) dtctl_sorted_rows(
        ctx, &dtrec_table_policy_action, net ? action_in : NULL, net,
        compare_actions, n);
}

const struct dtrec_policy **
dtctl_policies(struct ctl_context *ctx,
               const struct dtrec_virtual_network *net, size_t *n)
{
    return (const struct dtrec_policy **) dtctl_sorted_rows(
        ctx, &dtrec_table_policy, net ? policy_in : NULL, net,
        compare_policies, n);
}

const struct dtrec_endpoint **
dtctl_endpoints(struct ctl_context *ctx,
                const struct dtrec_virtual_network *net, size_t *n)
{
    return (const struct dtrec_endpoint **) dtctl_sorted_rows(
        ctx, &dtrec_table_endpoint, net ? endpoint_in : NULL, net,
        compare_endpoints, n);
}

/* Appends the endpoint's IPs to 's', sorted and separated by commas. */
void
dtctl_format_ips(const struct dtrec_endpoint *ep, struct ds *s)
{
    struct svec ips = SVEC_EMPTY_INITIALIZER;

    for (size_t i = 0; i < ep->n_addresses; i++) {
        svec_add(&ips, ep->addresses[i]->ip);
    }
    svec_sort(&ips);
    for (size_t i = 0; i < ips.n; i++) {
        ds_put_format(s, "%s%s", i ? "," : "", ips.names[i]);
    }
    svec_destroy(&ips);
}

/* Appends where the endpoint is: "HV:PORT", "HV", "external PREFIX [via
 * HV[:PORT]]", or "(none)" if it is not attached anywhere, and after a
 * hypervisor the VLAN the endpoint has there, if any: "HV:PORT vlan 7". */
void
dtctl_format_location(const struct dtrec_endpoint *ep, struct ds *s)
{
    size_t start = s->length;

    if (ep->external_prefix) {
        ds_put_format(s, "external %s", ep->external_prefix);
        if (ep->hypervisor) {
            ds_put_cstr(s, " via ");
        }
    }
    if (ep->hypervisor) {
        ds_put_cstr(s, ep->hypervisor->name);
        if (ep->port) {
            ds_put_format(s, ":%s", ep->port);
        }
        if (ep->n_vlan) {
            ds_put_format(s, " vlan %"PRId64, ep->vlan[0]);
        }
    }
    if (s->length == start) {
        ds_put_cstr(s, "(none)");
    }
}

/* Appends the policy's actions in order, separated by commas. */
void
dtctl_format_policy_actions(const struct dtrec_policy *policy, struct ds *s)
{
    const struct dtrec_policy_action **actions = dt_db_policy_actions(policy);

    for (size_t i = 0; i < policy->n_actions; i++) {
        ds_put_format(s, "%s%s", i ? "," : "", actions[i]->name);
    }
    free(actions);
}

/* Appends "SRC -> DST" or "default". */
void
dtctl_format_policy_name(const struct dtrec_policy *policy, struct ds *s)
{
    if (policy->src_domain && policy->dst_domain) {
        ds_put_format(s, "%s -> %s", policy->src_domain->name,
                      policy->dst_domain->name);
    } else {
        ds_put_cstr(s, "default");
    }
}

struct table *
dtctl_table(struct ctl_context *ctx, ...)
{
    struct table *table = xmalloc(sizeof *table);
    const char *heading;
    va_list args;

    table_init(table);
    va_start(args, ctx);
    while ((heading = va_arg(args, const char *)) != NULL) {
        table_add_column(table, "%s", heading);
    }
    va_end(args);
    ctx->table = table;
    return table;
}

void
dtctl_cell(struct table *table, const char *text)
{
    table_add_cell(table)->text = xstrdup(text);
}

/* Running the commands. */

static void
run_prerequisites(struct ctl_command *commands, size_t n_commands,
                  struct ovsdb_idl *idl)
{
    /* Every table and column, whatever the commands: the checks before
     * commit (dt_check_db(), dt_db_bump_tracking()) read the whole
     * database, also after a generic "set" that asked for one column. */
    struct ctl_context all;
    ctl_context_init(&all, NULL, idl, NULL, NULL, NULL);
    dtctl_pre(&all);
    ctl_context_done(&all, NULL);

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

    if (ctl_might_write_to_db(commands, n_commands)) {
        dt_db_bump_tracking(idl);
        char *error = dt_check_db(idl);
        if (error) {
            ctl_fatal("%s", error);
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
        struct table_style style = table_style;
        if (!format_given && strcmp(c->syntax->name, "list")
            && strcmp(c->syntax->name, "find")) {
            style.format = TF_TABLE;
        }
        if (c->table->n_rows || style.format != TF_TABLE) {
            /* An empty listing prints nothing, not a lone heading. */
            table_print(c->table, &style);
        }
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


/* Registers the generic db-ctl-base commands (without their generic
 * "show", which would not know how to draw the fabric) and ours. */
static void
dtctl_cmd_init(void)
{
    ctl_init(&dtrec_idl_class, dtrec_table_classes, tables, NULL,
             dtctl_exit);
    ctl_register_commands(dtctl_table_commands);
    ctl_register_commands(dtctl_view_commands);
}
