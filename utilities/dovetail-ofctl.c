/*
 * dovetail-ofctl: ovs-ofctl's flow commands plus dovetail's extension
 * actions.
 *
 * add-flow, add-flows, mod-flows, del-flows and dump-flows take
 * ovs-ofctl's syntax.  Every flow is expanded by ofproto-ext/actions.h
 * into standard OVS flows, all of them are checked before anything is
 * sent, and the flow_mods go to the switch over libopenvswitch's vconn: in
 * one atomic bundle when there are several and the switch speaks
 * OpenFlow 1.3 or later, otherwise one at a time, each followed by a
 * barrier.  With --dry-run the expanded flows are printed instead and no
 * switch is contacted.  An unknown action or a malformed argument is
 * reported with its column (and line, for add-flows) and exit status 2.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command-line.h"
#include "dirs.h"
#include "fatal-signal.h"
#include "ofp-version-opt.h"
#include "ofproto-ext/actions.h"
#include "openflow/openflow.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/list.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-port.h"
#include "openvswitch/ofp-print.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/vconn.h"
#include "openvswitch/vlog.h"
#include "socket-util.h"
#include "svec.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(dovetail_ofctl);

/* Exit status for a command line or a flow that is wrong. */
#define EXIT_USAGE 2

/* --dry-run: print the expanded flows, contact no switch. */
static bool dry_run;

/* --strict: mod-flows and del-flows match priority and match exactly. */
static bool strict;

/* --no-stats: dump-flows leaves out the statistics. */
static bool show_stats = true;

/* -t, --timeout: seconds before giving up (0: never). */
static int timeout;

OVS_NO_RETURN static void usage(void);
static void parse_options(int argc, char *argv[]);
static const struct ovs_cmdl_command *get_all_commands(void);

int
main(int argc, char *argv[])
{
    struct ovs_cmdl_context ctx = { .argc = 0, };

    set_program_name(argv[0]);
    parse_options(argc, argv);
    fatal_ignore_sigpipe();
    ctx.argc = argc - optind;
    ctx.argv = argv + optind;
    if (!ctx.argc) {
        fprintf(stderr, "%s: missing command name; use --help for help\n",
                program_name);
        exit(EXIT_USAGE);
    }
    ovs_cmdl_run_command(&ctx, get_all_commands());
    return 0;
}

/* The switch's port names, so that flows can name ports as ovs-ofctl
 * allows ("in_port=vm1", "uplink=rtr"); read once from the switch, not
 * with --dry-run (which connects to nothing). */
static struct ofputil_port_map port_map = OFPUTIL_PORT_MAP_INITIALIZER(
    &port_map);

static struct vconn *open_switch(const char *name);
OVS_NO_RETURN static void openflow_error(const struct vconn *,
                                         const struct ofpbuf *reply);

/* Reads 'switch_name''s port names into 'port_map', unless --dry-run. */
static void
load_port_map(const char *switch_name)
{
    if (dry_run) {
        return;
    }

    struct vconn *vconn = open_switch(switch_name);
    enum ofp_version version = vconn_get_version(vconn);
    struct ovs_list requests = OVS_LIST_INITIALIZER(&requests);
    struct ovs_list replies;
    struct ofpbuf *reply;

    ovs_list_push_back(&requests, &ofputil_encode_port_desc_stats_request(
                           version, OFPP_ANY)->list_node);
    int error = vconn_transact_multipart(vconn, &requests, &replies);
    if (error) {
        ovs_fatal(error, "%s: reading port names failed",
                  vconn_get_name(vconn));
    }
    LIST_FOR_EACH_POP (reply, list_node, &replies) {
        const struct ofp_header *oh = reply->data;
        struct ofpbuf b = ofpbuf_const_initializer(oh, ntohs(oh->length));
        struct ofputil_phy_port pp;
        enum ofpraw raw;

        if (ofpraw_pull(&raw, &b) || raw == OFPRAW_OFPT_ERROR) {
            openflow_error(vconn, reply);
        }
        while (!ofputil_pull_phy_port(oh->version, &b, &pp)) {
            ofputil_port_map_put(&port_map, pp.port_no, pp.name);
        }
        ofpbuf_delete(reply);
    }
    vconn_close(vconn);
}

/* Flows to send: the expanded standard flows, each with where it came
 * from for error messages. */
struct flows {
    struct svec texts;          /* Standard flows, ovs-ofctl syntax. */
    struct svec origins;        /* "" or "FILE:LINE: " for each. */
};

/* Exits with EXIT_USAGE after printing "ORIGIN" 'error'. */
OVS_NO_RETURN static void
flow_error(const char *origin, char *error)
{
    fprintf(stderr, "%s: %s%s\n", program_name, origin, error);
    free(error);
    exit(EXIT_USAGE);
}

/* Expands 'flow', from 'origin', into 'flows'; exits on error. */
static void
expand(const char *flow, const char *origin, struct flows *flows)
{
    size_t n = flows->texts.n;
    char *error = ofext_expand_flow(flow, &port_map, &flows->texts);

    if (error) {
        flow_error(origin, error);
    }
    for (; n < flows->texts.n; n++) {
        svec_add(&flows->origins, origin);
    }
}

/* Parses every flow of 'flows' for 'command' into 'fms', ANDing what each
 * can be sent with into '*usable'; exits on error. */
static struct ofputil_flow_mod *
parse_flows(const struct flows *flows, int command,
            enum ofputil_protocol *usable)
{
    struct ofputil_flow_mod *fms = xcalloc(flows->texts.n + 1, sizeof *fms);

    *usable = OFPUTIL_P_ANY;
    for (size_t i = 0; i < flows->texts.n; i++) {
        enum ofputil_protocol u;
        char *error = parse_ofp_flow_mod_str(&fms[i], flows->texts.names[i],
                                             &port_map, NULL, command, &u);
        if (error) {
            flow_error(flows->origins.names[i], error);
        }
        *usable &= u;
    }
    return fms;
}

/* Opens 'name', a bridge (its management socket in the OVS run directory)
 * or a vconn name, and negotiates a version the user allows. */
static struct vconn *
open_switch(const char *name)
{
    char *vconn_name = (strchr(name, ':')
                        ? xstrdup(name)
                        : xasprintf("unix:%s/%s.mgmt", ovs_rundir(), name));
    struct vconn *vconn;
    int error;

    error = vconn_open_block(vconn_name, get_allowed_ofp_versions(),
                             DSCP_DEFAULT, -1, &vconn);
    if (error) {
        ovs_fatal(0, "%s: failed to connect (%s)", vconn_name,
                  ovs_strerror(error));
    }
    free(vconn_name);
    return vconn;
}

/* Switches 'vconn' to a protocol in 'usable', like ovs-ofctl does for
 * flow_mods (Nicira extensions over OpenFlow 1.0 when needed). */
static enum ofputil_protocol
set_protocol(struct vconn *vconn, enum ofputil_protocol usable)
{
    enum ofputil_protocol cur
        = ofputil_protocol_from_ofp_version(vconn_get_version(vconn));
    enum ofputil_protocol allowed
        = ofputil_protocols_from_version_bitmap(get_allowed_ofp_versions());

    if (cur & usable & allowed) {
        return cur;
    }
    for (int i = 0; i < sizeof(enum ofputil_protocol) * CHAR_BIT; i++) {
        enum ofputil_protocol want = 1u << i;
        enum ofputil_protocol next;
        struct ofpbuf *request, *reply;

        if (!(want & usable & allowed)) {
            continue;
        }
        request = ofputil_encode_set_protocol(cur, want, &next);
        if (!request) {
            if (cur == want) {
                return cur;
            }
            continue;
        }
        int error = vconn_transact_noreply(vconn, request, &reply);
        if (error) {
            ovs_fatal(error, "talking to %s", vconn_get_name(vconn));
        }
        if (!reply) {
            return next;
        }
        ofpbuf_delete(reply);
    }

    char *s = ofputil_protocols_to_string(usable);
    ovs_fatal(0, "%s: the switch speaks none of the protocols these flows "
              "need (%s)", vconn_get_name(vconn), s);
}

/* Prints the OpenFlow error in 'reply' and exits. */
OVS_NO_RETURN static void
openflow_error(const struct vconn *vconn, const struct ofpbuf *reply)
{
    enum ofperr error = ofperr_decode_msg(reply->data, NULL);

    if (error) {
        ovs_fatal(0, "%s: the switch refused: %s (%s)", vconn_get_name(vconn),
                  ofperr_to_string(error), ofperr_get_description(error));
    }
    char *s = ofp_to_string(reply->data, reply->size, NULL, NULL, 2);
    ovs_fatal(0, "%s: unexpected reply: %s", vconn_get_name(vconn), s);
}

/* Sends the 'n' flow_mods 'fms' to 'switch_name', frees them. */
static void
send_flow_mods(const char *switch_name, struct ofputil_flow_mod *fms,
               size_t n, enum ofputil_protocol usable)
{
    struct vconn *vconn = open_switch(switch_name);
    bool bundle = n > 1 && vconn_get_version(vconn) >= OFP13_VERSION;
    enum ofputil_protocol protocol
        = set_protocol(vconn, bundle ? usable & OFPUTIL_P_OF13_UP : usable);
    struct ovs_list requests = OVS_LIST_INITIALIZER(&requests);
    int error;

    for (size_t i = 0; i < n; i++) {
        struct ofpbuf *request = ofputil_encode_flow_mod(&fms[i], protocol);
        ovs_list_push_back(&requests, &request->list_node);
        minimatch_destroy(&fms[i].match);
        free(fms[i].ofpacts);
    }

    if (bundle) {
        struct ovs_list errors;
        struct ofpbuf *reply;

        error = vconn_bundle_transact(vconn, &requests,
                                      OFPBF_ORDERED | OFPBF_ATOMIC, &errors);
        LIST_FOR_EACH_POP (reply, list_node, &errors) {
            openflow_error(vconn, reply);
        }
        ofpbuf_list_delete(&requests);
    } else {
        struct ofpbuf *reply;

        /* Each flow_mod followed by a barrier. */
        error = vconn_transact_multiple_noreply(vconn, &requests, &reply);
        if (!error && reply) {
            openflow_error(vconn, reply);
        }
    }
    if (error) {
        ovs_fatal(error, "talking to %s", vconn_get_name(vconn));
    }
    vconn_close(vconn);
}

/* Sends or (with --dry-run) prints 'flows' as 'command' flow_mods. */
static void
do_flows(const char *switch_name, const struct flows *flows, int command)
{
    enum ofputil_protocol usable;
    struct ofputil_flow_mod *fms = parse_flows(flows, command, &usable);

    if (dry_run) {
        for (size_t i = 0; i < flows->texts.n; i++) {
            puts(flows->texts.names[i]);
            minimatch_destroy(&fms[i].match);
            free(fms[i].ofpacts);
        }
    } else if (flows->texts.n) {
        send_flow_mods(switch_name, fms, flows->texts.n, usable);
    }
    free(fms);
}

static void
flows_init(struct flows *flows)
{
    svec_init(&flows->texts);
    svec_init(&flows->origins);
}

static void
flows_destroy(struct flows *flows)
{
    svec_destroy(&flows->texts);
    svec_destroy(&flows->origins);
}

/* The commands. */

static void
cmd_add_flow(struct ovs_cmdl_context *ctx)
{
    struct flows flows;

    flows_init(&flows);
    load_port_map(ctx->argv[1]);
    expand(ctx->argv[2], "", &flows);
    do_flows(ctx->argv[1], &flows, OFPFC_ADD);
    flows_destroy(&flows);
}

/* add-flows SWITCH FILE: one flow a line; blank lines and lines that begin
 * with '#' are skipped.  FILE "-" is standard input. */
static void
cmd_add_flows(struct ovs_cmdl_context *ctx)
{
    const char *file_name = ctx->argv[2];
    FILE *stream = (!strcmp(file_name, "-") ? stdin
                    : fopen(file_name, "r"));
    struct ds line = DS_EMPTY_INITIALIZER;
    struct flows flows;
    int line_number = 0;

    if (!stream) {
        ovs_fatal(errno, "%s: open failed", file_name);
    }
    flows_init(&flows);
    load_port_map(ctx->argv[1]);
    while (!ds_get_line(&line, stream)) {
        const char *s = ds_cstr(&line);
        line_number++;
        s += strspn(s, " \t\r");
        if (*s && *s != '#') {
            char *origin = xasprintf("%s:%d: ", file_name, line_number);
            expand(s, origin, &flows);
            free(origin);
        }
    }
    if (stream != stdin) {
        fclose(stream);
    }
    ds_destroy(&line);
    do_flows(ctx->argv[1], &flows, OFPFC_ADD);
    flows_destroy(&flows);
}

static void
cmd_mod_flows(struct ovs_cmdl_context *ctx)
{
    struct flows flows;

    flows_init(&flows);
    load_port_map(ctx->argv[1]);
    expand(ctx->argv[2], "", &flows);
    do_flows(ctx->argv[1], &flows,
             strict ? OFPFC_MODIFY_STRICT : OFPFC_MODIFY);
    flows_destroy(&flows);
}

/* del-flows SWITCH [FLOW]: a match only, nothing to expand. */
static void
cmd_del_flows(struct ovs_cmdl_context *ctx)
{
    struct flows flows;

    flows_init(&flows);
    load_port_map(ctx->argv[1]);
    svec_add(&flows.texts, ctx->argc > 2 ? ctx->argv[2] : "");
    svec_add(&flows.origins, "");
    do_flows(ctx->argv[1], &flows,
             strict ? OFPFC_DELETE_STRICT : OFPFC_DELETE);
    flows_destroy(&flows);
}

/* dump-flows SWITCH [FLOW]: the switch's flows, in ovs-ofctl's format. */
static void
cmd_dump_flows(struct ovs_cmdl_context *ctx)
{
    struct ofputil_flow_stats_request fsr;
    enum ofputil_protocol usable, protocol;
    struct ofputil_flow_stats *fses;
    size_t n_fses;
    char *error;

    error = parse_ofp_flow_stats_request_str(&fsr, false,
                                             ctx->argc > 2 ? ctx->argv[2] : "",
                                             NULL, NULL, &usable);
    if (error) {
        flow_error("", error);
    }

    struct vconn *vconn = open_switch(ctx->argv[1]);
    protocol = set_protocol(vconn, usable);
    int retval = vconn_dump_flows(vconn, &fsr, protocol, &fses, &n_fses);
    if (retval) {
        ovs_fatal(retval, "%s: dumping flows", vconn_get_name(vconn));
    }

    struct ds s = DS_EMPTY_INITIALIZER;
    for (size_t i = 0; i < n_fses; i++) {
        ds_clear(&s);
        ofputil_flow_stats_format(&s, &fses[i], NULL, NULL, show_stats);
        printf(" %s\n", ds_cstr(&s));
        free(CONST_CAST(struct ofpact *, fses[i].ofpacts));
    }
    ds_destroy(&s);
    free(fses);
    vconn_close(vconn);
}

static void
cmd_help(struct ovs_cmdl_context *ctx OVS_UNUSED)
{
    usage();
}

static const struct ovs_cmdl_command all_commands[] = {
    { "add-flow", "switch flow", 2, 2, cmd_add_flow, OVS_RW },
    { "add-flows", "switch file", 2, 2, cmd_add_flows, OVS_RW },
    { "mod-flows", "switch flow", 2, 2, cmd_mod_flows, OVS_RW },
    { "del-flows", "switch [flow]", 1, 2, cmd_del_flows, OVS_RW },
    { "dump-flows", "switch [flow]", 1, 2, cmd_dump_flows, OVS_RO },
    { "help", NULL, 0, INT_MAX, cmd_help, OVS_RO },
    { NULL, NULL, 0, 0, NULL, OVS_RO },
};

static const struct ovs_cmdl_command *
get_all_commands(void)
{
    return all_commands;
}

static void
parse_options(int argc, char *argv[])
{
    enum {
        OPT_DRY_RUN = UCHAR_MAX + 1,
        OPT_STRICT,
        OPT_NO_STATS,
        VLOG_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"dry-run", no_argument, NULL, OPT_DRY_RUN},
        {"strict", no_argument, NULL, OPT_STRICT},
        {"no-stats", no_argument, NULL, OPT_NO_STATS},
        {"timeout", required_argument, NULL, 't'},
        {"protocols", required_argument, NULL, 'O'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        VLOG_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    char *short_options = ovs_cmdl_long_options_to_short_options(long_options);

    for (;;) {
        int c = getopt_long(argc, argv, short_options, long_options, NULL);
        if (c == -1) {
            break;
        }

        switch (c) {
        case OPT_DRY_RUN:
            dry_run = true;
            break;

        case OPT_STRICT:
            strict = true;
            break;

        case OPT_NO_STATS:
            show_stats = false;
            break;

        case 't':
            if (!str_to_int(optarg, 10, &timeout) || timeout < 0) {
                fprintf(stderr, "%s: --timeout: \"%s\" is not a number of "
                        "seconds\n", program_name, optarg);
                exit(EXIT_USAGE);
            }
            time_alarm(timeout);
            break;

        case 'O':
            set_allowed_ofp_versions(optarg);
            break;

        case 'h':
            usage();

        case 'V':
            printf("%s (dovetail) %s\n", program_name, DOVETAIL_VERSION);
            exit(EXIT_SUCCESS);

        VLOG_OPTION_HANDLERS

        case '?':
            exit(EXIT_USAGE);

        default:
            abort();
        }
    }
    free(short_options);
}

static void
usage(void)
{
    printf("\
%s: Open vSwitch flows with dovetail's extension actions\n\
usage: %s [OPTIONS] COMMAND SWITCH [ARG...]\n\
\n\
Commands (ovs-ofctl's syntax, plus the extension actions):\n\
  add-flow SWITCH FLOW        add FLOW\n\
  add-flows SWITCH FILE       add the flows in FILE (\"-\": stdin)\n\
  mod-flows SWITCH FLOW       modify the actions of flows matching FLOW\n\
  del-flows SWITCH [FLOW]     delete the flows matching FLOW\n\
  dump-flows SWITCH [FLOW]    print the flows matching FLOW\n\
\n\
Extension actions:\n\
  anycast_on_miss(mac=MAC[,uplink=PORT])\n\
  tenant_from_oui(OUI=VNI[,OUI=VNI...])\n\
  vlan_unique(ingress,trunk=PORT,vid=VID[,also=VID])\n\
  vlan_unique(egress,trunk=PORT,vid=VID)\n\
  mac_in_ip(remote=IP,port=PORT)\n\
  mcast_oui(oui=OUI)\n\
\n\
SWITCH is a bridge name (its socket %s/BRIDGE.mgmt) or a\n\
connection method such as unix:FILE or tcp:IP:PORT.\n\
\n\
Options:\n\
  --dry-run                   print the expanded flows, send nothing\n\
  --strict                    mod-flows, del-flows: match exactly\n\
  --no-stats                  dump-flows: leave out the statistics\n\
  -O, --protocols=LIST        OpenFlow versions to allow\n\
  -t, --timeout=SECS          give up after SECS seconds\n\
  -h, --help                  display this help message\n\
  -V, --version               display version information\n",
           program_name, program_name, ovs_rundir());
    vlog_usage();
    exit(EXIT_SUCCESS);
}
