/*
 * dovetail-controller: the OpenFlow controller of a dovetail fabric.
 *
 * It listens for OpenFlow connections from the hypervisors' vswitches
 * (ptcp:, pssl:, punix:), follows the dovetail database through an OVSDB
 * IDL replica (one server, or the members of a Raft cluster: the IDL
 * moves to another member by itself when one fails), mirrors the policy
 * service's state into lib/dt-dps's indexes so that a policy request is
 * answered without waiting on the database, and keeps every connected
 * switch's flow tables equal to what the database says that hypervisor
 * should hold (overlay.c), by
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
#include "controller/channel.h"
#include "controller/ctlsw.h"
#include "controller/flowtab.h"
#include "controller/overlay.h"
#include "controller/pcache.h"
#include "controller/pinctrl.h"
#include "controller/sarp.h"
#include "controller/swconn.h"
#include "controller/vlan.h"
#include "daemon.h"
#include "dirs.h"
#include "fatal-signal.h"
#include "lib/dovetail-idl.h"
#include "lib/dt-addr.h"
#include "lib/dt-db.h"
#include "lib/dt-dps-idl.h"
#include "lib/dt-dps.h"
#include "coverage.h"
#include "flow.h"
#include "memory.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/list.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-port.h"
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
static struct pstream **listeners;
static size_t n_listeners;
static struct ovs_list switches = OVS_LIST_INITIALIZER(&switches);
static size_t n_switches;

/* Options. */
static char *unixctl_path;
static const char *tunnel_ports[DT_N_ENCAPS] = {  /* By enum dt_encap. */
    [DT_ENCAP_VXLAN] = OVERLAY_DEFAULT_TUNNEL_PORT,
    [DT_ENCAP_GENEVE] = OVERLAY_DEFAULT_GENEVE_PORT,
    [DT_ENCAP_GRE] = OVERLAY_DEFAULT_GRE_PORT,
};
static unsigned int packet_in_rate = PINCTRL_DEFAULT_RATE;
static unsigned int packet_in_burst = PINCTRL_DEFAULT_BURST;

/* Next time to forget expired cache entries. */
static long long int next_expire;

static bool exiting;

static void parse_options(int argc, char *argv[]);
OVS_NO_RETURN static void usage(void);
static void accept_switches(void);
static void run_switches(bool db_changed, bool flows_changed);
static void assign_vlans(void);
static void switch_destroy(struct ctlsw *);
static void mark_stale(struct ctlsw *);
static void recompute_stale(void);
static bool compute_start(struct ctlsw *);
static void compute_finish(void);
static void compute_end(void);
static struct swconn *find_switch(const char *dpid_s, struct ds *error);
static struct ctlsw *find_ctlsw(const char *dpid_s, struct ds *error);
static void report_memory(void);
static void sync_dps(void);
static void revalidate_cache(struct ctlsw *);

static const struct swconn_hooks switch_hooks;

static unixctl_cb_func dovetail_exit;
static unixctl_cb_func switch_list;
static unixctl_cb_func switch_flows;
static unixctl_cb_func dps_resolve_cmd;
static unixctl_cb_func dps_show_cmd;
static unixctl_cb_func cache_show_cmd;
static unixctl_cb_func cache_dump_cmd;
static unixctl_cb_func pinctrl_show_cmd;

/* A switch that sends this many messages in one pass keeps the main loop
 * from sleeping. */
#define BUSY_MSGS 16

/* Computing switches' desired flows stops for this pass once it has taken
 * this long, so that on a large fabric the other switches' packet-ins
 * wait for a slice of one switch's flows, not for all of them: a switch's
 * computation looks at RECOMPUTE_SLICE endpoints between looks at the
 * clock. */
#define RECOMPUTE_MSEC 20
#define RECOMPUTE_SLICE 256

/* The computation of one switch's desired flows under way, if any
 * (controller/overlay.h).  It holds pointers to the database's rows, so
 * while it is under way the controller reads no update from the
 * database. */
static struct {
    struct ctlsw *sw;           /* The switch, or NULL if none. */
    struct overlay_build *build;
    bool built;                 /* Has 'build' finished? */
    struct flowtab desired;     /* What it computes. */
    unsigned long long int stale; /* 'sw->stale' when it started: if that
                                 * has changed since, the switch's flows
                                 * went stale again, and are computed
                                 * again. */
} computing;

/* Order in which switches' desired flows went stale (ctlsw 'stale'). */
static unsigned long long int stale_seq;

/* How often the listeners and the unixctl server are looked at. */
#define LISTEN_INTERVAL_MSEC 10

int
main(int argc, char *argv[])
{
    struct unixctl_server *unixctl;
    long long int next_listen = LLONG_MIN;
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
    unixctl_command_register("cache/show", "[DPID]", 0, 1, cache_show_cmd,
                             NULL);
    unixctl_command_register("cache/dump", "DPID", 1, 1, cache_dump_cmd,
                             NULL);
    unixctl_command_register("pinctrl/show", "", 0, 0, pinctrl_show_cmd,
                             NULL);
    channel_register_commands();
    dps = dps_create();

    idl = ovsdb_idl_create(db_remote, &dtrec_idl_class, true, true);
    ovsdb_idl_set_leader_only(idl, false);
    ovsdb_idl_track_add_all(idl);
    pinctrl_init(dps, idl, packet_in_rate, packet_in_burst);
    sarp_init();

    daemonize_complete();
    VLOG_INFO("dovetail-controller %s, database %s", DOVETAIL_VERSION,
              db_remote);

    while (!exiting) {
        memory_run();
        if (memory_should_report()) {
            report_memory();
        }

        if (!computing.sw) {
            ovsdb_idl_run(idl);
        }
        unsigned int seqno = ovsdb_idl_get_seqno(idl);
        bool db_changed = seqno != last_seqno;
        last_seqno = seqno;
        if (!ovsdb_idl_is_connected(idl)) {
            dps_synced = false;
        }
        if (db_changed) {
            sync_dps();
            assign_vlans();
        }

        /* A SARP cache that changed (controller/sarp.h) changes its
         * edge's flows. */
        bool sarp_changed = (ovsdb_idl_has_ever_connected(idl)
                             && sarp_run(idl, db_changed));

        /* New connections and unixctl commands are looked at every
         * LISTEN_INTERVAL_MSEC, not on every pass: under load a pass
         * handles a few dozen packet-ins, and the accept() calls cost
         * more than the work. */
        long long int now = time_msec();
        bool listen = now >= next_listen;
        if (listen) {
            next_listen = now + LISTEN_INTERVAL_MSEC;
            accept_switches();
        }
        run_switches(db_changed, sarp_changed);
        pinctrl_run();
        flowtab_run();
        if (listen) {
            unixctl_server_run(unixctl);
        }

        memory_wait();
        ovsdb_idl_wait(idl);
        if (!listen) {
            poll_timer_wait_until(next_listen);
        } else if (n_switches < MAX_SWITCHES) {
            for (size_t i = 0; i < n_listeners; i++) {
                pstream_wait(listeners[i]);
            }
        }
        struct ctlsw *node;
        LIST_FOR_EACH (node, list_node, &switches) {
            swconn_wait(node->swconn);
        }
        if (n_switches) {
            poll_timer_wait_until(next_expire);
        }
        pinctrl_wait();
        sarp_wait();
        flowtab_wait();
        if (listen) {
            unixctl_server_wait(unixctl);
        }
        if (exiting) {
            poll_immediate_wake();
        }
        poll_block();
    }

    struct ctlsw *node;
    compute_end();
    LIST_FOR_EACH_POP (node, list_node, &switches) {
        switch_destroy(node);
    }
    pinctrl_destroy();
    sarp_destroy();
    for (size_t i = 0; i < n_listeners; i++) {
        pstream_close(listeners[i]);
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
        struct stream *stream;
        int error = pstream_accept(listeners[i], &stream);

        if (!error) {
            struct ctlsw *node = xzalloc(sizeof *node);
            node->swconn = swconn_create(stream, &switch_hooks, node);
            pcache_init(&node->pcache);
            ovs_list_push_back(&switches, &node->list_node);
            n_switches++;
        } else if (error != EAGAIN) {
            static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
            VLOG_WARN_RL(&rl, "%s: accept: %s", pstream_get_name(listeners[i]),
                         ovs_strerror(error));
        }
    }
}

/* Gives each VM behind a conventional vswitch its VLAN (controller/vlan.h),
 * writing what changes through pinctrl's database queue. */
static void
assign_vlans(void)
{
    struct vlan_changes changes = { .n = 0 };

    if (!ovsdb_idl_has_ever_connected(idl)) {
        return;
    }
    vlan_compute(idl, &changes);
    for (size_t i = 0; i < changes.n; i++) {
        const struct vlan_change *c = &changes.changes[i];
        pinctrl_set_vlan(&c->endpoint, c->vlan, c->home);
    }
    vlan_changes_destroy(&changes);
}

/* Runs every switch session, drops dead ones, and recomputes the desired
 * flows of each switch whose ports changed, or of all if 'db_changed' or
 * 'flows_changed'. */
static void
run_switches(bool db_changed, bool flows_changed)
{
    long long int now = time_msec();
    struct ctlsw *node;

    /* Every switch is stale before any of them is run: the packet-ins the
     * first one brings are handled against the policy service as it is
     * now, and a switch whose flows do not show that yet must not look
     * synced to them (ctlsw_is_synced()). */
    if (db_changed || flows_changed) {
        LIST_FOR_EACH (node, list_node, &switches) {
            mark_stale(node);
        }
    }

    /* Cache entries are forgotten as they expire, a few at a time, not in
     * one burst a second (which showed as latency). */
    next_expire = LLONG_MAX;
    LIST_FOR_EACH_SAFE (node, list_node, &switches) {
        struct swconn *sw = node->swconn;

        if (swconn_run(sw) >= BUSY_MSGS) {
            /* Busy: more is surely on its way.  Look again without
             * sleeping, so that the switch's next messages do not have to
             * wake the controller (under load, the wake-ups cost more
             * than the passes that find nothing). */
            poll_immediate_wake();
        }
        if (!swconn_is_alive(sw)) {
            ovs_list_remove(&node->list_node);
            switch_destroy(node);
            n_switches--;
            continue;
        }

        bool sw_changed = swconn_take_changed(sw);
        if (sw_changed) {
            mark_stale(node);
        }
        if (db_changed || sw_changed) {
            node->revalidate = true;
        }
        if (node->revalidate && dps_synced && swconn_is_ready(sw)) {
            revalidate_cache(node);
        }
        if (now >= pcache_next_expiry(&node->pcache, now)) {
            pcache_expire(&node->pcache, now);
        }
        next_expire = MIN(next_expire,
                          pcache_next_expiry(&node->pcache, now));
    }
    recompute_stale();
}

/* Marks 'sw''s desired flows to be computed again.  A switch whose flows
 * are being computed goes to the back of the queue (the computation under
 * way may have missed what changed, so another follows it, but only after
 * the other switches' turn). */
static void
mark_stale(struct ctlsw *sw)
{
    if (!sw->stale || sw == computing.sw) {
        sw->stale = ++stale_seq;
    }
}

/* Computes the desired flows of the switches whose flows went stale,
 * those that went stale first first, for RECOMPUTE_MSEC at most; the rest
 * waits for the next pass, which comes at once.  A computation that took
 * more than one pass is followed by a pass that reads the database before
 * the next one starts. */
static void
recompute_stale(void)
{
    long long int start = time_msec();
    bool resumed = computing.sw != NULL;

    for (;;) {
        if (!computing.sw) {
            struct ctlsw *node, *oldest = NULL;

            LIST_FOR_EACH (node, list_node, &switches) {
                if (node->stale && swconn_ports_known(node->swconn)
                    && (!oldest || node->stale < oldest->stale)) {
                    oldest = node;
                }
            }
            if (!oldest) {
                return;
            } else if (resumed) {
                poll_immediate_wake();
                return;
            } else if (!compute_start(oldest)) {
                continue;
            }
        }
        if (time_msec() - start >= RECOMPUTE_MSEC) {
            poll_immediate_wake();
            return;
        } else if (computing.built) {
            compute_finish();
        } else {
            computing.built = overlay_build_run(computing.build,
                                                RECOMPUTE_SLICE);
        }
    }
}

/* Starts computing 'sw''s desired flows, if the database has been read and
 * names the switch, and returns true; otherwise leaves the switch alone,
 * no longer stale, and returns false. */
static bool
compute_start(struct ctlsw *sw)
{
    uint64_t dpid;

    if (ovsdb_idl_has_ever_connected(idl)
        && swconn_get_dpid(sw->swconn, &dpid)) {
        flowtab_init(&computing.desired);
        computing.build = overlay_build_start(idl, dpid,
                                              swconn_get_ports(sw->swconn),
                                              tunnel_ports,
                                              &computing.desired);
        if (computing.build) {
            computing.built = false;
            computing.sw = sw;
            computing.stale = sw->stale;
            return true;
        }
        flowtab_destroy(&computing.desired);

        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
        VLOG_INFO_RL(&rl, "%016"PRIx64": no Hypervisor row has this datapath "
                     "id; leaving the switch's flows alone", dpid);
    }
    sw->stale = 0;
    return false;
}

/* Hands the finished computation's flows to its switch. */
static void
compute_finish(void)
{
    struct ctlsw *sw = computing.sw;

    swconn_set_desired(sw->swconn, &computing.desired);
    if (sw->stale == computing.stale) {
        sw->stale = 0;
    }
    compute_end();
}

/* Ends the computation under way, if any, and frees what is left of it.
 * Its switch stays stale unless compute_finish() handed it its flows. */
static void
compute_end(void)
{
    if (computing.sw) {
        overlay_build_destroy(computing.build);
        flowtab_destroy_later(&computing.desired);
        computing.sw = NULL;
        computing.build = NULL;
    }
}

/* Deletes from 'sw''s policy cache exactly the entries the policy service
 * would now answer differently. */
static void
revalidate_cache(struct ctlsw *sw)
{
    struct ovs_list msgs = OVS_LIST_INITIALIZER(&msgs);
    struct pcache_switch psw;

    sw->revalidate = false;
    if (!ctlsw_pcache_switch(sw, &psw)) {
        return;
    }
    size_t n = pcache_revalidate(&sw->pcache, dps, &psw,
                                 swconn_get_protocol(sw->swconn), &msgs);
    if (n) {
        VLOG_INFO("%016"PRIx64": invalidating %"PRIuSIZE" policy cache "
                  "entries with %"PRIuSIZE" flow_mods", psw.dpid, n,
                  ovs_list_size(&msgs));
        swconn_send_bundle(sw->swconn, &msgs);
    }
}

static void
switch_destroy(struct ctlsw *sw)
{
    if (sw == computing.sw) {
        compute_end();
    }
    swconn_destroy(sw->swconn);
    pcache_destroy(&sw->pcache);
    pinctrl_switch_destroy(sw);
    free(sw);
}

/* Hooks of every switch session. */

static void
switch_packet_ins(struct swconn *swconn OVS_UNUSED,
                  const struct ofp_header *const ohs[], size_t n, void *sw_)
{
    struct ctlsw *sw = sw_;

    if (dps_synced) {
        pinctrl_packet_ins(sw, ohs, n);
    }
}

static void
switch_cache_reset(struct swconn *swconn OVS_UNUSED, void *sw_)
{
    struct ctlsw *sw = sw_;
    pcache_clear(&sw->pcache);
}

static void
switch_cache_flow(struct swconn *swconn OVS_UNUSED,
                  const struct ofputil_flow_stats *fs, void *sw_)
{
    struct ctlsw *sw = sw_;

    pcache_adopt(&sw->pcache, fs, time_msec());
    sw->revalidate = true;
}

static const struct swconn_hooks switch_hooks = {
    .packet_ins = switch_packet_ins,
    .cache_reset = switch_cache_reset,
    .cache_flow = switch_cache_flow,
};

struct ctlsw *
ctlsw_find(uint64_t dpid)
{
    struct ctlsw *node;
    uint64_t node_dpid;

    LIST_FOR_EACH (node, list_node, &switches) {
        if (swconn_get_dpid(node->swconn, &node_dpid) && node_dpid == dpid) {
            return node;
        }
    }
    return NULL;
}

bool
ctlsw_is_synced(const struct ctlsw *sw)
{
    return !sw->stale && swconn_is_synced(sw->swconn);
}

bool
ctlsw_pcache_switch(struct ctlsw *sw, struct pcache_switch *psw)
{
    if (!swconn_get_dpid(sw->swconn, &psw->dpid)
        || !swconn_ports_known(sw->swconn)) {
        return false;
    }
    psw->ports = swconn_get_ports(sw->swconn);
    psw->down_ports = swconn_get_down_ports(sw->swconn);

    /* Looked up by name only when the ports change: three lookups a batch
     * of packet-ins were 1% of a closed loop's time, their nodes out of
     * cache every time. */
    uint64_t seqno = swconn_get_ports_seqno(sw->swconn);
    if (sw->tunnel_ports_seqno != seqno) {
        for (int i = 0; i < DT_N_ENCAPS; i++) {
            const struct simap_node *tun = simap_find(psw->ports,
                                                      tunnel_ports[i]);
            sw->tunnel_ports[i] = tun ? u16_to_ofp(tun->data) : OFPP_NONE;
        }
        sw->tunnel_ports_seqno = seqno;
    }
    memcpy(psw->tunnel_ports, sw->tunnel_ports, sizeof psw->tunnel_ports);
    return true;
}

static void
report_memory(void)
{
    struct simap usage = SIMAP_INITIALIZER(&usage);
    struct ctlsw *node;

    simap_increase(&usage, "switches", n_switches);
    LIST_FOR_EACH (node, list_node, &switches) {
        simap_increase(&usage, "installed-flows",
                       swconn_count_flows(node->swconn));
        simap_increase(&usage, "cache-entries",
                       pcache_count(&node->pcache));
    }
    simap_increase(&usage, "flow-rules", flowtab_count_rules());
    simap_increase(&usage, "flows-to-free", flowtab_count_pending());
    simap_increase(&usage, "cache-pool-kB", pcache_pool_bytes() / 1024);
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
        OPT_GENEVE_PORT,
        OPT_GRE_PORT,
        OPT_PACKET_IN_RATE,
        OPT_PACKET_IN_BURST,
        OPT_MAX_BUNDLE_FLOWS,
        VLOG_OPTION_ENUMS,
        DAEMON_OPTION_ENUMS,
        SSL_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"unixctl", required_argument, NULL, OPT_UNIXCTL},
        {"tunnel-port", required_argument, NULL, OPT_TUNNEL_PORT},
        {"geneve-port", required_argument, NULL, OPT_GENEVE_PORT},
        {"gre-port", required_argument, NULL, OPT_GRE_PORT},
        {"packet-in-rate", required_argument, NULL, OPT_PACKET_IN_RATE},
        {"packet-in-burst", required_argument, NULL, OPT_PACKET_IN_BURST},
        {"max-bundle-flows", required_argument, NULL, OPT_MAX_BUNDLE_FLOWS},
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
            tunnel_ports[DT_ENCAP_VXLAN] = optarg;
            break;

        case OPT_GENEVE_PORT:
            tunnel_ports[DT_ENCAP_GENEVE] = optarg;
            break;

        case OPT_GRE_PORT:
            tunnel_ports[DT_ENCAP_GRE] = optarg;
            break;

        case OPT_PACKET_IN_RATE:
        case OPT_PACKET_IN_BURST: {
            unsigned int value;
            if (!str_to_uint(optarg, 10, &value) || !value) {
                free(short_options);
                ovs_fatal(0, "--%s=%s: expected a positive integer",
                          c == OPT_PACKET_IN_RATE ? "packet-in-rate"
                          : "packet-in-burst", optarg);
            }
            *(c == OPT_PACKET_IN_RATE ? &packet_in_rate
              : &packet_in_burst) = value;
            break;
        }

        case OPT_MAX_BUNDLE_FLOWS: {
            unsigned int value;
            if (!str_to_uint(optarg, 10, &value) || !value) {
                free(short_options);
                ovs_fatal(0, "--max-bundle-flows=%s: expected a positive "
                          "integer", optarg);
            }
            swconn_set_max_bundle(value);
            break;
        }

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
        struct pstream *pstream;
        int error = pstream_open_with_default_port(argv[i], OFP_PORT,
                                                   &pstream, DSCP_DEFAULT);
        if (error) {
            ovs_fatal(error, "%s: cannot listen for OpenFlow connections "
                      "(expected ptcp:[PORT][:IP], pssl:[PORT][:IP] or "
                      "punix:FILE)", argv[i]);
        }
        listeners[n_listeners++] = pstream;
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
           "  --geneve-port=NAME      Geneve port on each integration bridge "
           "(default: %s)\n"
           "  --gre-port=NAME         keyless GRE port on each integration "
           "bridge (%s)\n"
           "  --packet-in-rate=N      packet-ins handled per second per "
           "switch port (%d)\n"
           "  --packet-in-burst=N     ...in bursts of up to N (%d)\n"
           "  --max-bundle-flows=N    flow_mods per bundle when syncing a "
           "switch (%d)\n"
           "  --unixctl=SOCKET        override default control socket name\n"
           "  -h, --help              display this help message\n"
           "  -V, --version           display version information\n",
           ovs_rundir(), OVERLAY_DEFAULT_TUNNEL_PORT,
           OVERLAY_DEFAULT_GENEVE_PORT, OVERLAY_DEFAULT_GRE_PORT,
           PINCTRL_DEFAULT_RATE,
           PINCTRL_DEFAULT_BURST, SWCONN_DEFAULT_MAX_BUNDLE);
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

/* Appends 'lines', sorted, one a line, to 's', and destroys 'lines'. */
static void
put_sorted_lines(struct svec *lines, struct ds *s)
{
    const char *line;
    size_t i;

    svec_sort(lines);
    SVEC_FOR_EACH (i, line, lines) {
        ds_put_format(s, "%s\n", line);
    }
    svec_destroy(lines);
}

/* "switch/list": one line per connected switch, sorted by datapath id,
 * with the hypervisor it is (or "unknown"). */
static void
switch_list(struct unixctl_conn *conn, int argc OVS_UNUSED,
            const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct ctlsw *node;
    struct svec lines = SVEC_EMPTY_INITIALIZER;

    LIST_FOR_EACH (node, list_node, &switches) {
        struct ds line = DS_EMPTY_INITIALIZER;
        const struct dtrec_hypervisor *hv = NULL;
        uint64_t dpid;

        if (swconn_get_dpid(node->swconn, &dpid)) {
            hv = dt_db_find_hypervisor_by_dpid(idl, dpid);
        }
        swconn_format(node->swconn, ctlsw_is_synced(node), &line);
        ds_put_format(&line, " hypervisor=%s", hv ? hv->name : "unknown");
        svec_add_nocopy(&lines, ds_steal_cstr(&line));
    }
    put_sorted_lines(&lines, &s);
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
    struct ctlsw *sw = find_ctlsw(dpid_s, error);
    return sw ? sw->swconn : NULL;
}

/* Returns the connected switch whose datapath id is 'dpid_s', or NULL
 * after writing why to 'error'. */
static struct ctlsw *
find_ctlsw(const char *dpid_s, struct ds *error)
{
    uint64_t want;

    char *parse_error = dt_parse_dpid(dpid_s, &want);
    if (parse_error) {
        ds_put_cstr(error, parse_error);
        free(parse_error);
        return NULL;
    }
    struct ctlsw *sw = ctlsw_find(want);
    if (!sw) {
        ds_put_format(error, "%016"PRIx64": no such switch connected", want);
    }
    return sw;
}

/* Appends to 's' one line about 'sw''s policy cache and slow path. */
static void
format_cache_line(const struct ctlsw *sw, struct ds *s)
{
    const struct pcache_stats *st = &sw->pcache.stats;
    uint64_t dpid;

    swconn_get_dpid(sw->swconn, &dpid);
    ds_put_format(s, "%016"PRIx64" entries=%"PRIuSIZE" misses=%llu "
                  "installed=%llu denies=%llu hits_after_install=%llu "
                  "unknown=%llu invalidated=%llu invalidation_msgs=%llu "
                  "expired=%llu adopted=%llu rate_limited=%llu",
                  dpid, pcache_count(&sw->pcache), st->misses, st->installs,
                  st->denies, st->hits_after_install, st->unknown,
                  st->invalidated, st->invalidation_msgs, st->expired,
                  st->adopted, sw->stats.rate_limited);
}

/* "cache/show [DPID]": per switch, the policy cache entries held and what
 * the slow path did for it. */
static void
cache_show_cmd(struct unixctl_conn *conn, int argc, const char *argv[],
               void *aux OVS_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    if (argc > 1) {
        struct ctlsw *sw = find_ctlsw(argv[1], &s);
        if (!sw) {
            unixctl_command_reply_error(conn, ds_cstr(&s));
            ds_destroy(&s);
            return;
        }
        format_cache_line(sw, &s);
        ds_put_char(&s, '\n');
    } else {
        struct svec lines = SVEC_EMPTY_INITIALIZER;
        struct ctlsw *sw;
        LIST_FOR_EACH (sw, list_node, &switches) {
            struct ds line = DS_EMPTY_INITIALIZER;
            if (swconn_ports_known(sw->swconn)) {
                format_cache_line(sw, &line);
                svec_add_nocopy(&lines, ds_steal_cstr(&line));
            } else {
                ds_destroy(&line);
            }
        }
        put_sorted_lines(&lines, &s);
    }
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

/* "cache/dump DPID": the policy cache entries 'DPID' holds. */
static void
cache_dump_cmd(struct unixctl_conn *conn, int argc OVS_UNUSED,
               const char *argv[], void *aux OVS_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct ctlsw *sw = find_ctlsw(argv[1], &s);

    if (!sw) {
        unixctl_command_reply_error(conn, ds_cstr(&s));
    } else {
        pcache_format(&sw->pcache, time_msec(), &s);
        unixctl_command_reply(conn, ds_cstr(&s));
    }
    ds_destroy(&s);
}

/* "pinctrl/show": the slow path, globally and per switch. */
static void
pinctrl_show_cmd(struct unixctl_conn *conn, int argc OVS_UNUSED,
                 const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct svec lines = SVEC_EMPTY_INITIALIZER;
    struct ctlsw *sw;

    pinctrl_format(&s);
    LIST_FOR_EACH (sw, list_node, &switches) {
        const struct ctlsw_stats *st = &sw->stats;
        uint64_t dpid;

        if (!swconn_get_dpid(sw->swconn, &dpid)) {
            continue;
        }
        svec_add_nocopy(&lines, xasprintf(
            "%016"PRIx64" packet_ins=%llu bad=%llu rate_limited=%llu "
            "arp_answered=%llu arp_unknown=%llu probes=%llu "
            "location_misses=%llu forwarded=%llu learned=%llu "
            "dhcp_copies=%llu dropped=%llu", dpid, st->packet_ins,
            st->bad_packet_ins, st->rate_limited, st->arp_answered,
            st->arp_unknown, st->probes, st->location_misses, st->forwarded,
            st->learned, st->dhcp_copies, st->dropped));
    }
    put_sorted_lines(&lines, &s);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}
