/*
 * dovetail-controller: the OpenFlow controller of a dovetail fabric.
 *
 * It listens for OpenFlow connections from the hypervisors' vswitches
 * (ptcp:, pssl:, punix:), follows the dovetail database through an OVSDB
 * IDL replica (one server, or the members of a Raft cluster: the IDL
 * moves to another member by itself when one fails), mirrors the policy
 * service's state into lib/dt-dps's indexes so that a policy request is
 * answered without waiting on the database, and keeps every connected switch's flow tables equal to
 * what the database says that hypervisor should hold (overlay.c), by
 * diffing desired against installed flows and applying the difference in
 * atomic bundles (swconn.c).  Nothing is sent to a switch before the
 * database has been read at least once, so a restarted controller, or one
 * whose database is down, never empties a switch's tables.
 *
 * It is an ordinary OVS daemon: the poll loop of ovs-testcontroller,
 * --detach/--pidfile/--log-file, vlog, and unixctl commands for everything
 * an operator would ask it.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command-line.h"
#include "controller/flowtab.h"
#include "controller/overlay.h"
#include "controller/swconn.h"
#include "daemon.h"
#include "dirs.h"
#include "fatal-signal.h"
#include "lib/dovetail-idl.h"
#include "lib/dt-addr.h"
#include "lib/dt-db.h"
#include "lib/dt-dps-idl.h"
#include "lib/dt-dps.h"
#include "coverage.h"
#include "memory.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/list.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vconn.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "simap.h"
#include "stream-ssl.h"
#include "stream.h"
#include "svec.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(dovetail_controller);

COVERAGE_DEFINE(controller_dps_sync);
COVERAGE_DEFINE(controller_dps_resolve);

/* Most switch connections served at once. */
#define MAX_SWITCHES 4096

/* A connected switch. */
struct switch_node {
    struct ovs_list list_node;  /* In 'switches'. */
    struct swconn *swconn;      /* Its OpenFlow session. */
};

/* The database and the IDL replica of it. */
static char *db_remote;
static struct ovsdb_idl *idl;

/* The policy service's indexes, following 'idl': row by row as it
 * changes, rebuilt from scratch when that cannot be done (see
 * dps_sync_tracked()) and after every reconnection to the database. */
static struct dps *dps;
static bool dps_synced;         /* Filled from 'idl' since it connected? */
static unsigned long long int dps_n_rebuilds;
static unsigned long long int dps_n_updates;

/* Listeners and switches. */
static struct pvconn **listeners;
static size_t n_listeners;
static struct ovs_list switches = OVS_LIST_INITIALIZER(&switches);
static size_t n_switches;

/* Options. */
static char *unixctl_path;
static char *tunnel_port = OVERLAY_DEFAULT_TUNNEL_PORT;

static bool exiting;

static void parse_options(int argc, char *argv[]);
OVS_NO_RETURN static void usage(void);
static void accept_switches(void);
static void run_switches(bool db_changed);
static void update_desired(struct swconn *);
static struct swconn *find_switch(const char *dpid_s, struct ds *error);
static void report_memory(void);
static void sync_dps(void);

static unixctl_cb_func dovetail_exit;
static unixctl_cb_func switch_list;
static unixctl_cb_func switch_flows;
static unixctl_cb_func dps_resolve_cmd;
static unixctl_cb_func dps_show_cmd;

int
main(int argc, char *argv[])
{
    struct unixctl_server *unixctl;
    unsigned int last_seqno = 0;
    int retval;

    ovs_set_program_name(argv[0], "(dovetail) " DOVETAIL_VERSION);
    ovs_cmdl_proctitle_init(argc, argv);
    service_start(&argc, &argv);
    fatal_ignore_sigpipe();
    parse_options(argc, argv);

    daemonize_start(false);

    retval = unixctl_server_create(unixctl_path, &unixctl);
    if (retval) {
        exit(EXIT_FAILURE);
    }
    unixctl_command_register("exit", "", 0, 0, dovetail_exit, NULL);
    unixctl_command_register("switch/list", "", 0, 0, switch_list, NULL);
    unixctl_command_register("switch/flows", "DPID [installed|desired]",
                             1, 2, switch_flows, NULL);
    unixctl_command_register("dps/resolve", "NETWORK SRC DST", 3, 3,
                             dps_resolve_cmd, NULL);
    unixctl_command_register("dps/show", "", 0, 0, dps_show_cmd, NULL);
    dps = dps_create();

    idl = ovsdb_idl_create(db_remote, &dtrec_idl_class, true, true);
    ovsdb_idl_set_leader_only(idl, false);
    ovsdb_idl_track_add_all(idl);

    daemonize_complete();
    VLOG_INFO("dovetail-controller %s, database %s", DOVETAIL_VERSION,
              db_remote);

    while (!exiting) {
        memory_run();
        if (memory_should_report()) {
            report_memory();
        }

        ovsdb_idl_run(idl);
        unsigned int seqno = ovsdb_idl_get_seqno(idl);
        bool db_changed = seqno != last_seqno;
        last_seqno = seqno;
        if (!ovsdb_idl_is_connected(idl)) {
            dps_synced = false;
        }
        if (db_changed) {
            sync_dps();
        }

        accept_switches();
        run_switches(db_changed);
        unixctl_server_run(unixctl);

        memory_wait();
        ovsdb_idl_wait(idl);
        if (n_switches < MAX_SWITCHES) {
            for (size_t i = 0; i < n_listeners; i++) {
                pvconn_wait(listeners[i]);
            }
        }
        struct switch_node *node;
        LIST_FOR_EACH (node, list_node, &switches) {
            swconn_wait(node->swconn);
        }
        unixctl_server_wait(unixctl);
        if (exiting) {
            poll_immediate_wake();
        }
        poll_block();
    }

    struct switch_node *node;
    LIST_FOR_EACH_POP (node, list_node, &switches) {
        swconn_destroy(node->swconn);
        free(node);
    }
    for (size_t i = 0; i < n_listeners; i++) {
        pvconn_close(listeners[i]);
    }
    free(listeners);
    dps_destroy(dps);
    ovsdb_idl_destroy(idl);
    unixctl_server_destroy(unixctl);
    free(db_remote);
    service_stop();
    return 0;
}

/* Accepts new switch connections on every listener. */
static void
accept_switches(void)
{
    for (size_t i = 0; i < n_listeners && n_switches < MAX_SWITCHES; i++) {
        struct vconn *vconn;
        int error = pvconn_accept(listeners[i], &vconn);

        if (!error) {
            struct switch_node *node = xmalloc(sizeof *node);
            node->swconn = swconn_create(vconn);
            ovs_list_push_back(&switches, &node->list_node);
            n_switches++;
        } else if (error != EAGAIN) {
            static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
            VLOG_WARN_RL(&rl, "%s: accept: %s", pvconn_get_name(listeners[i]),
                         ovs_strerror(error));
        }
    }
}

/* Runs every switch session, drops dead ones, and recomputes the desired
 * flows of each switch whose ports changed, or of all if 'db_changed'. */
static void
run_switches(bool db_changed)
{
    struct switch_node *node;

    LIST_FOR_EACH_SAFE (node, list_node, &switches) {
        struct swconn *sw = node->swconn;

        swconn_run(sw);
        if (!swconn_is_alive(sw)) {
            ovs_list_remove(&node->list_node);
            swconn_destroy(sw);
            free(node);
            n_switches--;
            continue;
        }

        bool sw_changed = swconn_take_changed(sw);
        if ((db_changed || sw_changed) && swconn_ports_known(sw)) {
            update_desired(sw);
        }
    }
}

/* Computes the flows 'sw' should hold, if the database has been read and
 * names the switch; otherwise leaves the switch alone. */
static void
update_desired(struct swconn *sw)
{
    struct flowtab desired;
    uint64_t dpid;

    if (!ovsdb_idl_has_ever_connected(idl) || !swconn_get_dpid(sw, &dpid)) {
        return;
    }
    flowtab_init(&desired);
    if (overlay_build_flows(idl, dpid, swconn_get_ports(sw), tunnel_port,
                            &desired)) {
        swconn_set_desired(sw, &desired);
    } else {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
        VLOG_INFO_RL(&rl, "%016"PRIx64": no Hypervisor row has this datapath "
                     "id; leaving the switch's flows alone", dpid);
    }
    flowtab_destroy(&desired);
}

static void
report_memory(void)
{
    struct simap usage = SIMAP_INITIALIZER(&usage);
    struct switch_node *node;

    simap_increase(&usage, "switches", n_switches);
    LIST_FOR_EACH (node, list_node, &switches) {
        simap_increase(&usage, "installed-flows",
                       swconn_count_flows(node->swconn));
    }
    ovsdb_idl_get_memory_usage(idl, &usage);

    struct dps_stats stats;
    dps_get_stats(dps, &stats);
    simap_increase(&usage, "dps-endpoints", stats.n_endpoints);
    simap_increase(&usage, "dps-policies", stats.n_policies);
    simap_increase(&usage, "dps-kB", stats.bytes / 1024);
    memory_report(&usage);
    simap_destroy(&usage);
}

static void
parse_options(int argc, char *argv[])
{
    enum {
        OPT_DB = UCHAR_MAX + 1,
        OPT_UNIXCTL,
        OPT_TUNNEL_PORT,
        VLOG_OPTION_ENUMS,
        DAEMON_OPTION_ENUMS,
        SSL_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"unixctl", required_argument, NULL, OPT_UNIXCTL},
        {"tunnel-port", required_argument, NULL, OPT_TUNNEL_PORT},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        DAEMON_LONG_OPTIONS,
        VLOG_LONG_OPTIONS,
        STREAM_SSL_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    char *short_options = ovs_cmdl_long_options_to_short_options(long_options);

    for (;;) {
        int c = getopt_long(argc, argv, short_options, long_options, NULL);
        if (c == -1) {
            break;
        }

        switch (c) {
        case OPT_DB:
            free(db_remote);
            db_remote = xstrdup(optarg);
            break;

        case OPT_UNIXCTL:
            unixctl_path = optarg;
            break;

        case OPT_TUNNEL_PORT:
            tunnel_port = optarg;
            break;

        case 'h':
            usage();

        case 'V':
            ovs_print_version(0, 0);
            exit(EXIT_SUCCESS);

        VLOG_OPTION_HANDLERS
        DAEMON_OPTION_HANDLERS
        STREAM_SSL_OPTION_HANDLERS

        case '?':
            exit(EXIT_FAILURE);

        default:
            abort();
        }
    }
    free(short_options);

    if (!db_remote) {
        const char *env = getenv("DOVETAIL_DB");
        db_remote = (env && env[0]
                     ? xstrdup(env)
                     : xasprintf("unix:%s/dovetail-db.sock", ovs_rundir()));
    }

    argc -= optind;
    argv += optind;
    static char *default_target[] = { "ptcp:6653" };
    if (!argc) {
        argc = 1;
        argv = default_target;
    }
    listeners = xmalloc(argc * sizeof *listeners);
    for (int i = 0; i < argc; i++) {
        struct pvconn *pvconn;
        int error = pvconn_open(argv[i], 0, DSCP_DEFAULT, &pvconn);
        if (error) {
            ovs_fatal(error, "%s: cannot listen for OpenFlow connections "
                      "(expected ptcp:[PORT][:IP], pssl:[PORT][:IP] or "
                      "punix:FILE)", argv[i]);
        }
        listeners[n_listeners++] = pvconn;
    }
}

static void
usage(void)
{
    printf("%s: dovetail fabric OpenFlow controller\n"
           "usage: %s [OPTIONS] [PVCONN...]\n"
           "\nListens for OpenFlow connections from vswitches on each "
           "PVCONN\n(default: ptcp:6653) and programs them from the dovetail "
           "database.\n",
           program_name, program_name);
    vconn_usage(false, true, false);
    printf("\nOptions:\n"
           "  --db=DATABASE           dovetail database (default: "
           "$DOVETAIL_DB,\n"
           "                          else unix:%s/dovetail-db.sock)\n"
           "  --tunnel-port=NAME      VXLAN port on each integration bridge "
           "(default: %s)\n"
           "  --unixctl=SOCKET        override default control socket name\n"
           "  -h, --help              display this help message\n"
           "  -V, --version           display version information\n",
           ovs_rundir(), OVERLAY_DEFAULT_TUNNEL_PORT);
    daemon_usage();
    vlog_usage();
    stream_usage("database", true, false, false);
    exit(EXIT_SUCCESS);
}

static void
dovetail_exit(struct unixctl_conn *conn, int argc OVS_UNUSED,
              const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    exiting = true;
    unixctl_command_reply(conn, NULL);
}

/* "switch/list": one line per connected switch, sorted by datapath id,
 * with the hypervisor it is (or "unknown"). */
static void
switch_list(struct unixctl_conn *conn, int argc OVS_UNUSED,
            const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct switch_node *node;
    struct svec lines = SVEC_EMPTY_INITIALIZER;

    LIST_FOR_EACH (node, list_node, &switches) {
        struct ds line = DS_EMPTY_INITIALIZER;
        const struct dtrec_hypervisor *hv = NULL;
        uint64_t dpid;

        if (swconn_get_dpid(node->swconn, &dpid)) {
            hv = dt_db_find_hypervisor_by_dpid(idl, dpid);
        }
        swconn_format(node->swconn, &line);
        ds_put_format(&line, " hypervisor=%s", hv ? hv->name : "unknown");
        svec_add_nocopy(&lines, ds_steal_cstr(&line));
    }
    svec_sort(&lines);
    const char *line;
    size_t i;
    SVEC_FOR_EACH (i, line, &lines) {
        ds_put_format(&s, "%s\n", line);
    }
    svec_destroy(&lines);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

/* "switch/flows DPID [installed|desired]". */
static void
switch_flows(struct unixctl_conn *conn, int argc, const char *argv[],
             void *aux OVS_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    bool installed = true;

    if (argc > 2) {
        if (!strcmp(argv[2], "desired")) {
            installed = false;
        } else if (strcmp(argv[2], "installed")) {
            ds_put_format(&s, "\"%s\": expected \"installed\" or \"desired\"",
                          argv[2]);
            unixctl_command_reply_error(conn, ds_cstr(&s));
            ds_destroy(&s);
            return;
        }
    }

    struct swconn *sw = find_switch(argv[1], &s);
    if (!sw) {
        unixctl_command_reply_error(conn, ds_cstr(&s));
    } else {
        swconn_format_flows(sw, installed, &s);
        unixctl_command_reply(conn, ds_cstr(&s));
    }
    ds_destroy(&s);
}

/* Brings 'dps' up to date with 'idl', so that a resolution never waits on
 * the database. */
static void
sync_dps(void)
{
    if (dps_synced && dps_sync_tracked(dps, idl)) {
        dps_n_updates++;
    } else {
        dps_sync_from_idl(dps, idl);
        dps_n_rebuilds++;
    }
    ovsdb_idl_track_clear(idl);
    /* After a reconnection the replica may have been reloaded wholesale;
     * rebuild then rather than trust the tracked changes. */
    dps_synced = ovsdb_idl_is_connected(idl);
    COVERAGE_INC(controller_dps_sync);
}

/* "dps/resolve NETWORK SRC DST": resolves a policy request as a vswitch's
 * miss would, from the controller's own indexes. */
static void
dps_resolve_cmd(struct unixctl_conn *conn, int argc OVS_UNUSED,
                const char *argv[], void *aux OVS_UNUSED)
{
    struct dps_resolution res;
    char *error = dps_resolve_request(dps, argv[1], argv[2], argv[3], &res);

    COVERAGE_INC(controller_dps_resolve);
    if (error) {
        unixctl_command_reply_error(conn, error);
        free(error);
    } else {
        struct ds s = DS_EMPTY_INITIALIZER;
        dps_resolution_format(&res, &s);
        unixctl_command_reply(conn, ds_cstr(&s));
        ds_destroy(&s);
    }
}

/* "dps/show": what the policy service's indexes hold. */
static void
dps_show_cmd(struct unixctl_conn *conn, int argc OVS_UNUSED,
             const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    struct dps_stats st;
    struct ds s = DS_EMPTY_INITIALIZER;

    dps_get_stats(dps, &st);
    ds_put_format(&s, "database: %s (%s)\n", db_remote,
                  ovsdb_idl_is_connected(idl) ? "connected" : "not connected");
    ds_put_format(&s, "networks: %"PRIuSIZE"\n"
                  "domains: %"PRIuSIZE"\n"
                  "actions: %"PRIuSIZE"\n"
                  "policies: %"PRIuSIZE"\n"
                  "endpoints: %"PRIuSIZE"\n"
                  "addresses: %"PRIuSIZE"\n"
                  "hypervisors: %"PRIuSIZE"\n"
                  "memory: %"PRIuSIZE" bytes\n"
                  "syncs: %llu rebuilds, %llu row-by-row updates\n",
                  st.n_networks, st.n_domains, st.n_actions, st.n_policies,
                  st.n_endpoints, st.n_ips, st.n_hypervisors, st.bytes,
                  dps_n_rebuilds, dps_n_updates);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

/* Returns the connected switch whose datapath id is 'dpid_s', or NULL
 * after writing why to 'error'. */
static struct swconn *
find_switch(const char *dpid_s, struct ds *error)
{
    struct switch_node *node;
    uint64_t want, dpid;

    char *parse_error = dt_parse_dpid(dpid_s, &want);
    if (parse_error) {
        ds_put_cstr(error, parse_error);
        free(parse_error);
        return NULL;
    }
    LIST_FOR_EACH (node, list_node, &switches) {
        if (swconn_get_dpid(node->swconn, &dpid) && dpid == want) {
            return node->swconn;
        }
    }
    ds_put_format(error, "%016"PRIx64": no such switch connected", want);
    return NULL;
}
