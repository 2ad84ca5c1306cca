/*
 * overlay: desired flows for one hypervisor from the database.  See
 * overlay.h; the table layout is ofproto-ext/pipeline.h.
 *
 * Every value read from the database is validated again here (a generic
 * "dovetail-ctl set" can write anything a column's type allows); a row
 * with a bad value contributes no flows and is logged, rate-limited.
 */
#include <config.h>
#include "controller/overlay.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "controller/channel.h"
#include "controller/flowtab.h"
#include "controller/mcast.h"
#include "controller/sarp.h"
#include "coverage.h"
#include "flow.h"
#include "hmapx.h"
#include "lib/dovetail-idl.h"
#include "lib/dt-addr.h"
#include "lib/dt-db.h"
#include "ofproto-ext/actions.h"
#include "ofproto-ext/pipeline.h"
#include "ofproto-ext/slowpath.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "simap.h"
#include "smap.h"
#include "sset.h"
#include "svec.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(overlay);

COVERAGE_DEFINE(overlay_build);
COVERAGE_DEFINE(overlay_build_slice);
COVERAGE_DEFINE(overlay_bad_row);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* An endpoint's validated addresses. */
struct ep_addrs {
    struct eth_addr mac;
    char mac_s[ETH_ADDR_STRLEN + 1];
    uint32_t vni;
    size_t n_ips;
    ovs_be32 *ips;              /* Valid IPv4 addresses only. */

    /* The network's anycast gateway MAC (see net_anycast()). */
    bool anycast;               /* Does the network have one? */
    char anycast_s[ETH_ADDR_STRLEN + 1]; /* If so, it, canonical. */
};

/* An endpoint behind a conventional vswitch (controller/vlan.h): reached
 * through the trunk port its Endpoint.port names, tagged with its VLAN. */
struct ep_trunk {
    bool trunk;                 /* Is it?  If not, the rest is unused. */
    ofp_port_t port;            /* The trunk port. */
    int vid;                    /* Its VLAN. */
    int also;                   /* During a re-tag: the VLAN its conventional
                                 * vswitch still has it on, else 0. */
};

static bool ep_addrs_get(const struct dtrec_endpoint *, struct ep_addrs *);
static void ep_trunk_get(const struct dtrec_endpoint *, ofp_port_t,
                         struct ep_trunk *);
static void add_ingress_flow(struct flowtab *, const struct ep_trunk *,
                             bool pop, int table, int priority,
                             uint32_t cookie, const char *match,
                             const char *actions);

static bool add_ext_flow(struct flowtab *, const char *what,
                         const char *flow);
static uint32_t ep_cookie(const struct dtrec_endpoint *);
static char *ep_classify(const struct dtrec_endpoint *,
                         const struct ep_addrs *);
static bool net_anycast(const struct dtrec_virtual_network *,
                        char mac_s[ETH_ADDR_STRLEN + 1]);
static void add_anycast_flows(struct flowtab *,
                              const struct dtrec_virtual_network *,
                              const struct simap *ports);
static void add_gre_ingress(struct flowtab *, const struct ovsdb_idl *,
                            unsigned int gre_port);

/* A computation of one switch's flows under way: see overlay.h. */
struct overlay_build {
    const struct ovsdb_idl *idl;
    uint64_t dpid;
    const struct dtrec_hypervisor *hv;  /* The switch's hypervisor. */
    const struct simap *ports;          /* The switch's, looked up anew in
                                         * each slice (they may change in
                                         * between). */
    const char *const *tunnel_ports;    /* DT_N_ENCAPS names. */
    struct flowtab *flows;              /* The result. */

    /* The endpoints still to look at: those of the stage, from 'next'. */
    enum {
        BUILD_LOCAL,            /* Local endpoints: port security, DHCP,
                                 * delivery. */
        BUILD_ARP,              /* ARP answers. */
        BUILD_DONE
    } stage;
    const struct dtrec_endpoint *next;

    struct hmapx local_nets;    /* Networks with a local endpoint. */
    struct sset port_flows;     /* Ports whose own flows are added. */
    struct ds dhcp_request;     /* The controller actions of the local */
    struct ds dhcp_reply;       /* endpoints' flows. */
    struct ds learn_address;
};

static void add_local_endpoint(struct overlay_build *,
                               const struct dtrec_endpoint *);
static void add_arp_answers(struct overlay_build *,
                            const struct dtrec_endpoint *);
static void build_finish(struct overlay_build *);

/* Starts computing the flows of the switch with datapath id 'dpid'.  See
 * overlay.h. */
struct overlay_build *
overlay_build_start(const struct ovsdb_idl *idl, uint64_t dpid,
                    const struct simap *ports,
                    const char *const tunnel_ports[DT_N_ENCAPS],
                    struct flowtab *flows)
{
    const struct dtrec_hypervisor *hv
        = dt_db_find_hypervisor_by_dpid(idl, dpid);
    struct ds miss = DS_EMPTY_INITIALIZER;

    if (!hv) {
        return NULL;
    }
    COVERAGE_INC(overlay_build);

    struct overlay_build *b = xmalloc(sizeof *b);
    *b = (struct overlay_build) {
        .idl = idl,
        .dpid = dpid,
        .hv = hv,
        .ports = ports,
        .tunnel_ports = tunnel_ports,
        .flows = flows,
        .stage = BUILD_LOCAL,
        .next = dtrec_endpoint_first(idl),
        .local_nets = HMAPX_INITIALIZER(&b->local_nets),
        .port_flows = SSET_INITIALIZER(&b->port_flows),
        .dhcp_request = DS_EMPTY_INITIALIZER,
        .dhcp_reply = DS_EMPTY_INITIALIZER,
        .learn_address = DS_EMPTY_INITIALIZER,
    };
    sp_put_controller_action(&b->dhcp_request, SP_DHCP_REQUEST);
    sp_put_controller_action(&b->dhcp_reply, SP_DHCP_REPLY);
    sp_put_controller_action(&b->learn_address, SP_LEARN_ADDRESS);

    /* Every stage ends in a drop whose counter shows what it refused, or
     * in the controller action that handles what it cannot.  A frame from
     * a port no endpoint is bound to here goes to the controller, which
     * learns a VM that has just arrived (a rate-limited slow path). */
    sp_put_controller_action(&miss, SP_LEARN);
    flowtab_add(flows, "table=%d,priority=0,actions=%s", PL_INGRESS,
                ds_cstr(&miss));
    flowtab_add(flows, "table=%d,priority=1,in_port=LOCAL,actions=drop",
                PL_INGRESS);
    ds_clear(&miss);
    sp_put_controller_action(&miss, SP_ARP_MISS);
    flowtab_add(flows, "table=%d,priority=1,arp,arp_op=1,actions=%s", PL_ARP,
                ds_cstr(&miss));
    flowtab_add(flows, "table=%d,priority=0,actions=drop", PL_ARP);
    ds_clear(&miss);
    sp_put_controller_action(&miss, SP_POLICY_MISS);
    flowtab_add(flows, "table=%d,priority=1,ip,actions=%s", PL_POLICY,
                ds_cstr(&miss));
    flowtab_add(flows, "table=%d,priority=1,ipv6,actions=%s", PL_POLICY,
                ds_cstr(&miss));
    flowtab_add(flows, "table=%d,priority=0,actions=drop", PL_POLICY);
    ds_clear(&miss);
    sp_put_controller_action(&miss, SP_LOCATION);
    flowtab_add(flows, "table=%d,priority=1,actions=%s", PL_TUNNEL_IN,
                ds_cstr(&miss));
    flowtab_add(flows, "table=%d,priority=1,actions=%s", PL_DELIVER,
                ds_cstr(&miss));

    /* Tunnel ingress: over VXLAN and Geneve the VNI is the network; over
     * keyless GRE the inner source MAC's OUI tells it. */
    for (int i = 0; i < DT_N_ENCAPS; i++) {
        const struct simap_node *node = simap_find(ports, tunnel_ports[i]);
        if (!node) {
            continue;
        } else if (i == DT_ENCAP_GRE) {
            add_gre_ingress(flows, idl, node->data);
        } else {
            flowtab_add(flows, "table=%d,priority=100,in_port=%u,actions="
                        "move:NXM_NX_TUN_ID[0..31]->OXM_OF_METADATA[0..31],"
                        "goto_table:%d", PL_INGRESS, node->data, PL_TUNNEL_IN);
        }
    }
    ds_destroy(&miss);
    return b;
}

/* Looks at up to 'max' more endpoints for 'b' (at least one, if any is
 * left).  Returns true if the computation is done: the flows are all in
 * the table 'b' was started with. */
bool
overlay_build_run(struct overlay_build *b, size_t max)
{
    size_t n = 0;               /* Endpoints looked at in this call. */

    while (b->stage != BUILD_DONE) {
        if (b->next) {
            if (n >= max && n) {
                COVERAGE_INC(overlay_build_slice);
                return false;
            }
            const struct dtrec_endpoint *ep = b->next;
            b->next = dtrec_endpoint_next(ep);
            if (b->stage == BUILD_LOCAL) {
                add_local_endpoint(b, ep);
            } else {
                add_arp_answers(b, ep);
            }
            n++;
        } else if (b->stage == BUILD_LOCAL) {
            b->stage = BUILD_ARP;
            b->next = dtrec_endpoint_first(b->idl);
        } else {
            build_finish(b);
            b->stage = BUILD_DONE;
        }
    }
    return true;
}

void
overlay_build_destroy(struct overlay_build *b)
{
    if (b) {
        hmapx_destroy(&b->local_nets);
        sset_destroy(&b->port_flows);
        ds_destroy(&b->dhcp_request);
        ds_destroy(&b->dhcp_reply);
        ds_destroy(&b->learn_address);
        free(b);
    }
}

/* Port security, DHCP and delivery for 'ep', if it is local. */
static void
add_local_endpoint(struct overlay_build *b, const struct dtrec_endpoint *ep)
{
    const struct dtrec_hypervisor *hv = b->hv;
    const struct simap *ports = b->ports;
    struct flowtab *flows = b->flows;
    struct ep_addrs a;
    struct ep_trunk t;
    const struct simap_node *port;

    if (ep->hypervisor != hv || !ep->port
        || channel_network(ep->network)     /* controller/channel.h */
        || sarp_network_is_sarp(ep->network)
        || !(port = simap_find(ports, ep->port))
        || !ep_addrs_get(ep, &a)) {
        return;
    }
    ep_trunk_get(ep, u16_to_ofp(port->data), &t);
    if (ep->n_vlan_request && !t.trunk) {
        /* Behind a conventional vswitch, but no VLAN yet. */
        free(a.ips);
        return;
    }
    uint32_t cookie = ep_cookie(ep);
    char *classify = ep_classify(ep, &a);
    if (!classify) {
        free(a.ips);
        return;
    }
    hmapx_add(&b->local_nets, CONST_CAST(struct dtrec_virtual_network *,
                                         ep->network));

    /* A port with an endpoint bound to it admits only what the
     * endpoint may send: its own MAC.  Frames with another source
     * MAC are dropped here, those whose OUI is another tenant's (or
     * nobody's) apart from those that claim another MAC of the
     * endpoint's own tenant, so each flow's counter tells which.  (A
     * trunk is shared: its flows are added once.) */
    const struct dtrec_tenant *tenant = ep->network->tenant;
    bool first_on_port = sset_add(&b->port_flows, ep->port) != NULL;
    if (first_on_port) {
        flowtab_add(flows, "table=%d,priority=10,cookie=%#"PRIx32","
                    "in_port=%u,actions=drop", PL_INGRESS, cookie,
                    port->data);
    }
    for (size_t i = 0; first_on_port && tenant && i < tenant->n_ouis;
         i++) {
        uint32_t oui;
        char *error = dt_parse_oui(tenant->ouis[i], &oui);
        if (error) {
            free(error);    /* ep_classify() logged it. */
            continue;
        }
        flowtab_add(flows, "table=%d,priority=11,cookie=%#"PRIx32","
                    "in_port=%u,dl_src=%02"PRIx32":%02"PRIx32":%02"PRIx32
                    ":00:00:00/ff:ff:ff:00:00:00,actions=drop", PL_INGRESS,
                    cookie, port->data, oui >> 16, (oui >> 8) & 0xff,
                    oui & 0xff);
    }
    /* DHCP, before it has an address and after: to the controller,
     * which sends it to the domain's servers only (or, from a
     * server, to the client only). */
    char *match = xasprintf("in_port=%u,dl_src=%s,udp,tp_src=68,"
                            "tp_dst=67", port->data, a.mac_s);
    char *actions = xasprintf("%s,%s", classify, ds_cstr(&b->dhcp_request));
    add_ingress_flow(flows, &t, true, PL_INGRESS, 120, cookie, match,
                     actions);
    free(match);
    free(actions);
    match = xasprintf("in_port=%u,dl_src=%s,udp,tp_src=67,tp_dst=68",
                      port->data, a.mac_s);
    actions = xasprintf("%s,%s", classify, ds_cstr(&b->dhcp_reply));
    add_ingress_flow(flows, &t, true, PL_INGRESS, 120, cookie, match,
                     actions);
    free(match);
    free(actions);
    for (size_t i = 0; i < a.n_ips; i++) {
        /* IP goes on to the policy cache, through the L2 stage if the
         * network has an anycast gateway MAC. */
        match = xasprintf("in_port=%u,dl_src=%s,ip,nw_src="IP_FMT,
                          port->data, a.mac_s, IP_ARGS(a.ips[i]));
        actions = xasprintf("%s,goto_table:%d", classify,
                            a.anycast ? PL_L2 : PL_POLICY);
        add_ingress_flow(flows, &t, true, PL_INGRESS, 100, cookie, match,
                         actions);
        free(match);
        free(actions);
        /* IPv4 multicast goes to the multicast stage instead
         * (controller/mcast.h). */
        match = xasprintf("in_port=%u,dl_src=%s,ip,nw_src="IP_FMT
                          ",nw_dst=224.0.0.0/4", port->data, a.mac_s,
                          IP_ARGS(a.ips[i]));
        actions = xasprintf("%s,goto_table:%d", classify, PL_MCAST);
        add_ingress_flow(flows, &t, true, PL_INGRESS, 105, cookie, match,
                         actions);
        free(match);
        free(actions);
        if (a.anycast) {
            /* Routed to this VM: a frame that reached its hypervisor
             * with the anycast gateway MAC as destination gets the
             * VM's own MAC back. */
            flowtab_add(flows, "table=%d,priority=100,cookie=%#"PRIx32","
                        PL_NETWORK_FIELD"=%"PRIu32",dl_dst=%s,ip,nw_dst="
                        IP_FMT",actions=set_field:%s->eth_dst,"
                        PL_LOAD_LIVE_PORT",goto_table:%d",
                        PL_TUNNEL_IN, cookie, a.vni, a.anycast_s,
                        IP_ARGS(a.ips[i]), a.mac_s, port->data,
                        PL_DELIVER);
        }
        /* ARP keeps its tag, if any: the responder sends the answer
         * back out the port it came in on, to the same VLAN. */
        match = xasprintf("in_port=%u,dl_src=%s,arp,arp_spa="IP_FMT
                          ",arp_sha=%s", port->data, a.mac_s,
                          IP_ARGS(a.ips[i]), a.mac_s);
        actions = xasprintf("%s,goto_table:%d", classify, PL_ARP);
        add_ingress_flow(flows, &t, false, PL_INGRESS, 100, cookie, match,
                        actions);
        free(match);
        free(actions);
        /* A gratuitous ARP announces the endpoint's own address:
         * consumed, never answered. */
        flowtab_add(flows, "table=%d,priority=110,cookie=%#"PRIx32","
                    PL_NETWORK_FIELD"=%"PRIu32",arp,arp_spa="IP_FMT
                    ",arp_tpa="IP_FMT",actions=drop", PL_ARP, cookie,
                    a.vni, IP_ARGS(a.ips[i]), IP_ARGS(a.ips[i]));
    }
    if (!a.n_ips) {
        /* The database knows the endpoint's MAC but not its address
         * (a silent host): its ARP tells the controller. */
        match = xasprintf("in_port=%u,dl_src=%s,arp,arp_sha=%s",
                          port->data, a.mac_s, a.mac_s);
        actions = xasprintf("%s,%s", classify, ds_cstr(&b->learn_address));
        add_ingress_flow(flows, &t, false, PL_INGRESS, 100, cookie, match,
                        actions);
        free(match);
        free(actions);
    }
    /* Delivery from the tunnel only while the port is live: a VM
     * leaving this hypervisor takes its port with it before the
     * controller has removed this flow, and what arrives meanwhile
     * goes to the controller instead of out a port that is gone. */
    flowtab_add(flows, "table=%d,priority=100,cookie=%#"PRIx32","
                PL_NETWORK_FIELD"=%"PRIu32",dl_dst=%s,actions="
                PL_LOAD_LIVE_PORT",goto_table:%d",
                PL_TUNNEL_IN, cookie, a.vni, a.mac_s, port->data,
                PL_DELIVER);
    if (!t.trunk) {
        flowtab_add(flows, "table=%d,priority=100,cookie=%#"PRIx32","
                    PL_PORT_FIELD"=%u,actions=output:%u", PL_DELIVER,
                    cookie, port->data, port->data);
    } else {
        /* Out the trunk with the VM's tag; during a re-tag, with the
         * old one as well: the conventional vswitch delivers whichever
         * the VM's access port has at that moment, so the move loses
         * nothing. */
        struct ds flow = DS_EMPTY_INITIALIZER;
        ds_put_format(&flow, "table=%d,priority=110,cookie=%#"PRIx32","
                      PL_PORT_FIELD"=%u,dl_dst=%s,actions=", PL_DELIVER,
                      cookie, port->data, a.mac_s);
        /* From one VM of the trunk to another, out the port it came
         * in on: OpenFlow outputs there only once in_port is not it. */
        ds_put_cstr(&flow, "load:0->NXM_OF_IN_PORT[],");
        if (t.also) {
            ds_put_format(&flow, "clone(vlan_unique(egress,trunk=%u,"
                          "vid=%d)),", port->data, t.also);
        }
        ds_put_format(&flow, "vlan_unique(egress,trunk=%u,vid=%d)",
                      port->data, t.vid);
        add_ext_flow(flows, ep->name, ds_cstr(&flow));
        ds_destroy(&flow);
    }
    if (a.anycast) {
        /* The L2 stage: a MAC hosted here is switched here (through
         * the policy cache, which delivers it locally). */
        flowtab_add(flows, "table=%d,priority=100,cookie=%#"PRIx32","
                    PL_NETWORK_FIELD"=%"PRIu32",dl_dst=%s,"
                    "actions=goto_table:%d", PL_L2, cookie, a.vni, a.mac_s,
                    PL_POLICY);
    }
    free(classify);
    free(a.ips);
}

/* ARP answers for 'ep', if its network has a local endpoint: no ARP
 * request ever leaves the hypervisor. */
static void
add_arp_answers(struct overlay_build *b, const struct dtrec_endpoint *ep)
{
    const struct dtrec_hypervisor *hv = b->hv;
    struct flowtab *flows = b->flows;
    struct ep_addrs a;

    if (!hmapx_contains(&b->local_nets,
                        CONST_CAST(struct dtrec_virtual_network *,
                                   ep->network))
        || !ep_addrs_get(ep, &a)) {
        return;
    }
    uint32_t cookie = ep_cookie(ep);
    /* With an anycast gateway MAC, a VM learns the real MAC only of
     * the VMs on its own hypervisor, so local traffic never hairpins;
     * the others are behind the gateway. */
    const char *answer = (a.anycast && ep->hypervisor != hv
                          ? a.anycast_s : a.mac_s);
    for (size_t i = 0; i < a.n_ips; i++) {
        overlay_add_arp_responder(flows, PL_ARP, cookie, a.vni,
                                  a.ips[i], answer);
    }
    free(a.ips);
}

/* The flows that do not come an endpoint at a time. */
static void
build_finish(struct overlay_build *b)
{
    const struct ovsdb_idl *idl = b->idl;
    const struct dtrec_hypervisor *hv = b->hv;
    const struct simap *ports = b->ports;
    const char *const *tunnel_ports = b->tunnel_ports;
    struct flowtab *flows = b->flows;
    const struct simap_node *tun_node
        = simap_find(ports, tunnel_ports[DT_ENCAP_VXLAN]);

    /* Endpoints of "sarp" networks: controller/sarp.h. */
    sarp_build_flows(idl, hv, ports, flows);

    /* The L2 stage of each local network with an anycast gateway MAC. */
    struct hmapx_node *hn;
    HMAPX_FOR_EACH (hn, &b->local_nets) {
        add_anycast_flows(flows, hn->data, ports);
    }
    flowtab_add(flows, "table=%d,priority=0,actions=drop", PL_L2);
    channel_build_flows(idl, hv, b->dpid, ports, tun_node ? tun_node->data : 0,
                        flows);
    mcast_build_flows(idl, hv, ports, tun_node ? tun_node->data : 0, flows);

    if (!tun_node && !hmapx_is_empty(&b->local_nets)) {
        VLOG_WARN_RL(&rl, "%016"PRIx64": no tunnel port \"%s\": remote "
                     "endpoints unreachable", b->dpid,
                     tunnel_ports[DT_ENCAP_VXLAN]);
    }
}

/* Validates 'ep''s MAC, network and IPv4 addresses into 'a' (IPv6
 * addresses are left to later stages).  Returns
 * false, logging why, if the endpoint cannot have flows.  On success the
 * caller frees a->ips. */
static bool
ep_addrs_get(const struct dtrec_endpoint *ep, struct ep_addrs *a)
{
    char *error;

    if (!ep->network || !ep->mac) {
        /* Without a MAC (an external endpoint, or one whose address is
         * not known yet) there is nothing to switch to. */
        return false;
    }
    error = dt_parse_endpoint_mac(ep->mac, &a->mac);
    if (error) {
        COVERAGE_INC(overlay_bad_row);
        VLOG_WARN_RL(&rl, "endpoint in network %s: %s", ep->network->name,
                     error);
        free(error);
        return false;
    }
    snprintf(a->mac_s, sizeof a->mac_s, ETH_ADDR_FMT, ETH_ADDR_ARGS(a->mac));
    a->vni = ep->network->vni;
    a->anycast = net_anycast(ep->network, a->anycast_s);
    a->ips = xmalloc((ep->n_addresses ? ep->n_addresses : 1)
                     * sizeof *a->ips);
    a->n_ips = 0;
    for (size_t i = 0; i < ep->n_addresses; i++) {
        struct in6_addr ip;

        error = dt_parse_ip(ep->addresses[i]->ip, &ip, NULL);
        if (error) {
            COVERAGE_INC(overlay_bad_row);
            VLOG_WARN_RL(&rl, "endpoint %s: %s", ep->name, error);
            free(error);
        } else if (IN6_IS_ADDR_V4MAPPED(&ip)) {
            /* The ARP responder and port security here are IPv4's. */
            a->ips[a->n_ips++] = in6_addr_get_mapped_ipv4(&ip);
        }
    }
    return true;
}

/* Flows that exist because of an endpoint carry the first 32 bits of its
 * row UUID as their cookie, so "ovs-ofctl dump-flows" output leads back to
 * the row ("dovetail-ctl list Endpoint"). */
static uint32_t
ep_cookie(const struct dtrec_endpoint *ep)
{
    return ep->header_.uuid.parts[0];
}

/* Returns the actions that classify a frame from endpoint 'ep' (whose
 * validated addresses are 'a'): its network's VNI into PL_NETWORK_FIELD and
 * its policy domain into PL_DOMAIN_FIELD.  If the network's tenant owns
 * OUIs, the VNI is derived from the endpoint's source MAC's OUI
 * (tenant_from_oui, ofproto-ext/actions.h), and an endpoint whose MAC is in
 * none of them gets no flows: returns NULL, logging why.  The caller frees
 * the result. */
static char *
ep_classify(const struct dtrec_endpoint *ep, const struct ep_addrs *a)
{
    const struct dtrec_tenant *tenant = ep->network->tenant;
    uint32_t domain = ep->domain ? ep->domain->header_.uuid.parts[0] : 0;
    struct ds flow = DS_EMPTY_INITIALIZER;
    char *network = NULL;

    if (tenant && tenant->n_ouis) {
        struct svec expanded = SVEC_EMPTY_INITIALIZER;

        ds_put_format(&flow, "dl_src=%s,actions=tenant_from_oui(", a->mac_s);
        for (size_t i = 0; i < tenant->n_ouis; i++) {
            ds_put_format(&flow, "%s%s=%"PRIu32, i ? "," : "",
                          tenant->ouis[i], a->vni);
        }
        ds_put_char(&flow, ')');

        char *error = ofext_expand_flow(ds_cstr(&flow), NULL, &expanded);
        if (error) {
            COVERAGE_INC(overlay_bad_row);
            VLOG_WARN_RL(&rl, "endpoint %s: tenant %s: %s", ep->name,
                         tenant->name, error);
            free(error);
        } else if (expanded.n == 1 && strstr(expanded.names[0], "actions=")) {
            network = xstrdup(strstr(expanded.names[0], "actions=")
                              + strlen("actions="));
        }
        svec_destroy(&expanded);
        ds_destroy(&flow);
        if (!network) {
            return NULL;
        }
    } else {
        network = xasprintf("set_field:%"PRIu32"->"PL_NETWORK_FIELD, a->vni);
    }

    char *classify = xasprintf("%s,set_field:%#"PRIx32"->"PL_DOMAIN_FIELD,
                               network, domain);
    free(network);
    return classify;
}

/* Returns true and puts the canonical form of 'net''s anycast gateway MAC
 * into 'mac_s' if it has a valid one. */
static bool
net_anycast(const struct dtrec_virtual_network *net,
            char mac_s[ETH_ADDR_STRLEN + 1])
{
    struct eth_addr mac;
    char *error;

    if (!net->anycast_mac) {
        return false;
    }
    error = dt_parse_endpoint_mac(net->anycast_mac, &mac);
    if (error) {
        COVERAGE_INC(overlay_bad_row);
        VLOG_WARN_RL(&rl, "network %s: anycast_mac: %s", net->name, error);
        free(error);
        return false;
    }
    snprintf(mac_s, ETH_ADDR_STRLEN + 1, ETH_ADDR_FMT, ETH_ADDR_ARGS(mac));
    return true;
}

/* Adds the L2 stage's flows for network 'net', if it has an anycast
 * gateway MAC: frames to that MAC are routed; any other unicast
 * destination not hosted here (a stale ARP entry, after its owner
 * migrated) is rewritten to it and routed by IP, or sent out the uplink to
 * the physical router; multicast and broadcast go on untouched. */
static void
add_anycast_flows(struct flowtab *flows,
                  const struct dtrec_virtual_network *net,
                  const struct simap *ports)
{
    char anycast_s[ETH_ADDR_STRLEN + 1];
    struct ds action = DS_EMPTY_INITIALIZER;

    if (!net_anycast(net, anycast_s)) {
        return;
    }
    const struct simap_node *uplink = NULL;
    if (net->anycast_uplink) {
        uplink = simap_find(ports, net->anycast_uplink);
        if (!uplink) {
            VLOG_WARN_RL(&rl, "network %s: no anycast uplink port \"%s\" "
                         "here: unicast misses dropped", net->name,
                         net->anycast_uplink);
            return;
        }
    }

    /* To the gateway itself: routed here, or by the physical router. */
    if (uplink) {
        flowtab_add(flows, "table=%d,priority=100,"PL_NETWORK_FIELD"=%"PRId64
                    ",dl_dst=%s,actions=output:%u", PL_L2, net->vni, anycast_s,
                    uplink->data);
    } else {
        flowtab_add(flows, "table=%d,priority=100,"PL_NETWORK_FIELD"=%"PRId64
                    ",dl_dst=%s,actions=goto_table:%d", PL_L2, net->vni,
                    anycast_s, PL_POLICY);
    }

    /* The miss. */
    ds_put_format(&action, "table=%d,priority=10,"PL_NETWORK_FIELD"=%"PRId64
                  ",actions=anycast_on_miss(mac=%s", PL_L2, net->vni,
                  anycast_s);
    if (uplink) {
        ds_put_format(&action, ",uplink=%u", uplink->data);
    }
    ds_put_format(&action, "),goto_table:%d", PL_POLICY);

    add_ext_flow(flows, net->name, ds_cstr(&action));
    ds_destroy(&action);
}

/* Adds the ingress flow of the keyless GRE port 'gre_port': the network
 * of a frame is the "gre" network of the tenant that owns its source
 * MAC's OUI (tenant_from_oui, ofproto-ext/actions.h), then on to
 * delivery.  A frame whose source OUI is no such tenant's is dropped and
 * counted by the base flow. */
static void
add_gre_ingress(struct flowtab *flows, const struct ovsdb_idl *idl,
                unsigned int gre_port)
{
    const struct dtrec_virtual_network *net;
    struct ds tenants = DS_EMPTY_INITIALIZER;

    DTREC_VIRTUAL_NETWORK_FOR_EACH (net, idl) {
        enum dt_encap encap;
        char *error = dt_parse_encap(net->encap, &encap);
        if (error) {
            COVERAGE_INC(overlay_bad_row);
            VLOG_WARN_RL(&rl, "network %s: %s", net->name, error);
            free(error);
            continue;
        } else if (encap != DT_ENCAP_GRE || !net->tenant) {
            continue;
        }
        for (size_t i = 0; i < net->tenant->n_ouis; i++) {
            uint32_t oui;
            error = dt_parse_oui(net->tenant->ouis[i], &oui);
            if (error) {
                COVERAGE_INC(overlay_bad_row);
                VLOG_WARN_RL(&rl, "tenant %s: %s", net->tenant->name, error);
                free(error);
                continue;
            }
            ds_put_format(&tenants, "%s%02"PRIx32":%02"PRIx32":%02"PRIx32
                          "=%"PRId64, tenants.length ? "," : "",
                          oui >> 16, (oui >> 8) & 0xff, oui & 0xff,
                          net->vni);
        }
    }
    if (!tenants.length) {
        /* No network is carried over GRE: nothing comes in that way. */
        flowtab_add(flows, "table=%d,priority=100,in_port=%u,actions=drop",
                    PL_INGRESS, gre_port);
        ds_destroy(&tenants);
        return;
    }

    char *flow = xasprintf("table=%d,priority=100,in_port=%u,actions="
                           "tenant_from_oui(%s),goto_table:%d", PL_INGRESS,
                           gre_port, ds_cstr(&tenants), PL_TUNNEL_IN);
    if (!add_ext_flow(flows, "keyless GRE ingress", flow)) {
        flowtab_add(flows, "table=%d,priority=100,in_port=%u,actions=drop",
                    PL_INGRESS, gre_port);
    }
    free(flow);
    ds_destroy(&tenants);
}

/* Fills 't' for endpoint 'ep', bound to port 'port': a trunk endpoint is
 * one with a vlan_request that the controller has given a VLAN. */
static void
ep_trunk_get(const struct dtrec_endpoint *ep, ofp_port_t port,
             struct ep_trunk *t)
{
    memset(t, 0, sizeof *t);
    if (!ep->n_vlan_request || !ep->n_vlan
        || *ep->vlan < 1 || *ep->vlan > 4094) {
        return;
    }
    t->trunk = true;
    t->port = port;
    t->vid = *ep->vlan;

    int plugged;
    const char *s = smap_get(&ep->external_ids, "vlan-plugged");
    if (s && str_to_int(s, 10, &plugged) && plugged >= 1 && plugged <= 4094
        && plugged != t->vid) {
        t->also = plugged;
    }
}

/* Adds the ingress flow of 'priority' in 'table' that matches 'match' and
 * does 'actions', for an endpoint reached as 't' says.  Through a trunk,
 * the flow takes only frames tagged with the endpoint's VLAN (or, during a
 * re-tag, its old one), and pops the tag if 'pop' (vlan_unique,
 * ofproto-ext/actions.h); ARP keeps it, so that the answer goes back out
 * the port it came in on with it. */
static void
add_ingress_flow(struct flowtab *flows, const struct ep_trunk *t, bool pop,
                 int table, int priority, uint32_t cookie, const char *match,
                 const char *actions)
{
    if (!t->trunk) {
        flowtab_add(flows, "table=%d,priority=%d,cookie=%#"PRIx32",%s,"
                    "actions=%s", table, priority, cookie, match, actions);
    } else if (pop) {
        char *flow = xasprintf("table=%d,priority=%d,cookie=%#"PRIx32",%s,"
                               "actions=vlan_unique(ingress,trunk=%u,vid=%d"
                               "%s%.0d),%s", table, priority, cookie, match,
                               ofp_to_u16(t->port), t->vid,
                               t->also ? ",also=" : "", t->also, actions);
        add_ext_flow(flows, match, flow);
        free(flow);
    } else {
        int vids[2] = { t->vid, t->also };
        for (size_t i = 0; i < ARRAY_SIZE(vids) && vids[i]; i++) {
            flowtab_add(flows, "table=%d,priority=%d,cookie=%#"PRIx32",%s,"
                        "dl_vlan=%d,actions=%s", table, priority, cookie,
                        match, vids[i], actions);
        }
    }
}

/* Adds 'flow', whose actions include an extension action, expanded by
 * ofproto-ext into standard flows.  Returns false, logging the error
 * with 'what' (a network name...) and adding nothing, if it does not
 * expand. */
static bool
add_ext_flow(struct flowtab *flows, const char *what, const char *flow)
{
    if (!flowtab_add_expanded(flows, flow)) {
        COVERAGE_INC(overlay_bad_row);
        VLOG_WARN_RL(&rl, "%s: bad flow", what);
        return false;
    }
    return true;
}

/* Adds to 'flows' the flow in table 'table' that answers an ARP request
 * for 'ip' in network 'vni' with 'mac_s', back out the port it came in
 * on. */
void
overlay_add_arp_responder(struct flowtab *flows, int table, uint32_t cookie,
                          uint32_t vni, ovs_be32 ip, const char *mac_s)
{
    flowtab_add(flows, "table=%d,priority=100,cookie=%#"PRIx32","
                PL_NETWORK_FIELD"=%"PRIu32",arp,arp_op=1,"
                "arp_tpa="IP_FMT",actions="
                "move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],"
                "set_field:%s->eth_src,set_field:2->arp_op,"
                "move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],"
                "set_field:%s->arp_sha,"
                "move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],"
                "set_field:"IP_FMT"->arp_spa,in_port",
                table, cookie, vni, IP_ARGS(ip), mac_s, mac_s, IP_ARGS(ip));
}
