/*
 * channel: the flows of fabric mode "channel" for one hypervisor.  See
 * channel.h; the table layout is ofproto-ext/pipeline.h.
 *
 * Every value read from the database is validated again here; a row with
 * a bad value contributes no flows and is logged, rate-limited.
 */
#include <config.h>
#include "controller/channel.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "controller/flowtab.h"
#include "coverage.h"
#include "hmapx.h"
#include "lib/dovetail-idl.h"
#include "lib/dt-addr.h"
#include "ofproto-ext/actions.h"
#include "ofproto-ext/pipeline.h"
#include "ofproto-ext/slowpath.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "simap.h"
#include "smap.h"
#include "svec.h"
#include "unixctl.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(channel);

COVERAGE_DEFINE(channel_build);
COVERAGE_DEFINE(channel_bad_row);
COVERAGE_DEFINE(channel_down);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* The last channel table computed for each hypervisor, for channel/show:
 * "%016"PRIx64 datapath id -> malloc'd text. */
static struct shash tables = SHASH_INITIALIZER(&tables);

/* One VM's channel, validated. */
struct chan {
    const struct dtrec_endpoint *ep;
    uint32_t cookie;            /* First 32 bits of the Endpoint's UUID. */
    uint32_t vni;               /* Its network. */
    uint32_t domain;            /* Its policy domain, 0 if none. */
    char mac_s[ETH_ADDR_STRLEN + 1];   /* The VM's MAC, canonical. */
    char fixed_s[ETH_ADDR_STRLEN + 1]; /* The network's fixed MAC. */
    size_t n_ips;
    ovs_be32 *ips;              /* Its valid IPv4 addresses (/32s). */
    size_t n_ip6s;
    struct in6_addr *ip6s;      /* Its valid IPv6 addresses (/128s). */

    /* How it reaches the vswitch. */
    unsigned int port;          /* OpenFlow port: dedicated, or trunk. */
    int vid;                    /* Its VLAN on the trunk, 0: dedicated. */
    int also;                   /* During a re-tag: the VLAN the
                                 * multiplexing switch still has it on. */
};

static bool chan_get(const struct dtrec_endpoint *, const struct simap *,
                     struct chan *, struct ds *table);
static bool fixed_mac(const struct dtrec_virtual_network *,
                      char mac_s[ETH_ADDR_STRLEN + 1]);
static void add_chan_flows(struct flowtab *, const struct chan *);
static void add_arp_responder(struct flowtab *, uint32_t vni,
                              const char *fixed_s);
static void add_nd_responder(struct flowtab *, uint32_t vni,
                             const char *fixed_s);
static void add_chan_route_flows(struct flowtab *, const struct chan *,
                                 const struct in6_addr *);
static void add_group_flows(struct flowtab *,
                            const struct dtrec_multicast_group *,
                            const struct dtrec_hypervisor *,
                            const struct simap *ports,
                            unsigned int tunnel_ofport);
static void put_copies(struct ds *, const struct chan *, size_t n,
                       size_t skip, const struct svec *tunnels);
static int chan_compare(const void *, const void *);
static void put_match(struct ds *, const struct chan *, int vid);
static void add_expanded(struct flowtab *, const char *flow);

bool
channel_network(const struct dtrec_virtual_network *net)
{
    return net && net->fabric_mode && !strcmp(net->fabric_mode, "channel");
}

void
channel_build_flows(const struct ovsdb_idl *idl,
                    const struct dtrec_hypervisor *hv, uint64_t dpid,
                    const struct simap *ports, unsigned int tunnel_ofport,
                    struct flowtab *flows)
{
    struct hmapx nets = HMAPX_INITIALIZER(&nets);
    struct svec lines = SVEC_EMPTY_INITIALIZER;
    struct ds line = DS_EMPTY_INITIALIZER;
    const struct dtrec_endpoint *ep;

    COVERAGE_INC(channel_build);
    DTREC_ENDPOINT_FOR_EACH (ep, idl) {
        struct chan c;

        if (ep->hypervisor != hv || !channel_network(ep->network)) {
            continue;
        }
        ds_clear(&line);
        bool up = chan_get(ep, ports, &c, &line);
        svec_add(&lines, ds_cstr(&line));
        if (!up) {
            continue;
        }
        add_chan_flows(flows, &c);
        if (hmapx_add(&nets, CONST_CAST(struct dtrec_virtual_network *,
                                        ep->network))) {
            add_arp_responder(flows, c.vni, c.fixed_s);
            add_nd_responder(flows, c.vni, c.fixed_s);
        }
        free(c.ips);
        free(c.ip6s);
    }
    hmapx_destroy(&nets);

    const struct dtrec_multicast_group *g;
    DTREC_MULTICAST_GROUP_FOR_EACH (g, idl) {
        if (channel_network(g->network)) {
            add_group_flows(flows, g, hv, ports, tunnel_ofport);
        }
    }

    /* The table, in the order of network and endpoint names. */
    svec_sort(&lines);
    ds_clear(&line);
    for (size_t i = 0; i < lines.n; i++) {
        ds_put_cstr(&line, lines.names[i]);
    }
    char *key = xasprintf("%016"PRIx64, dpid);
    free(shash_replace(&tables, key, ds_steal_cstr(&line)));
    free(key);
    svec_destroy(&lines);
}

const struct dtrec_multicast_group *
channel_group_find(const struct ovsdb_idl *idl,
                   const struct dtrec_virtual_network *net, ovs_be32 group)
{
    const struct dtrec_multicast_group *g;
    ovs_be32 ip;

    DTREC_MULTICAST_GROUP_FOR_EACH (g, idl) {
        if (g->network == net && ip_parse(g->group, &ip) && ip == group) {
            return g;
        }
    }
    return NULL;
}

bool
channel_group_has(const struct ovsdb_idl *idl,
                  const struct dtrec_endpoint *ep, ovs_be32 group)
{
    const struct dtrec_multicast_group *g
        = channel_group_find(idl, ep->network, group);

    for (size_t i = 0; g && i < g->n_members; i++) {
        if (g->members[i] == ep) {
            return true;
        }
    }
    return false;
}

static void
channel_show(struct unixctl_conn *conn, int argc, const char *argv[],
             void *aux OVS_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    const struct shash_node **nodes = shash_sort(&tables);

    for (size_t i = 0; i < shash_count(&tables); i++) {
        const char *text = nodes[i]->data;
        if (argc > 1 && strcmp(argv[1], nodes[i]->name)) {
            continue;
        }
        ds_put_format(&s, "%s:\n%s", nodes[i]->name,
                      text[0] ? text : "  (no channels)\n");
    }
    free(nodes);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

void
channel_register_commands(void)
{
    unixctl_command_register("channel/show", "[DPID]", 0, 1, channel_show,
                             NULL);
}

/* Validates endpoint 'ep''s channel into 'c', given the switch's 'ports',
 * and puts its line of the channel table into 'table'.  Returns false if
 * it has no flows (yet): no such port here, no VLAN yet, no valid MAC.
 * On success the caller frees c->ips. */
static bool
chan_get(const struct dtrec_endpoint *ep, const struct simap *ports,
         struct chan *c, struct ds *table)
{
    const struct simap_node *port = ep->port ? simap_find(ports, ep->port)
                                             : NULL;
    struct eth_addr mac;
    char *error = NULL;

    memset(c, 0, sizeof *c);
    ds_put_format(table, "  %s %s", ep->network->name, ep->name);
    struct svec routes = SVEC_EMPTY_INITIALIZER;
    for (size_t i = 0; i < ep->n_addresses; i++) {
        const char *ip = ep->addresses[i]->ip;
        svec_add_nocopy(&routes, xasprintf("%s/%d", ip,
                                           strchr(ip, ':') ? 128 : 32));
    }
    svec_sort(&routes);
    for (size_t i = 0; i < routes.n; i++) {
        ds_put_format(table, " %s", routes.names[i]);
    }
    svec_destroy(&routes);
    ds_put_format(table, " port %s", ep->port ? ep->port : "(none)");
    if (ep->n_vlan_request) {
        ds_put_format(table, " vlan %"PRId64, ep->n_vlan ? *ep->vlan : 0);
    }
    ds_put_format(table, " mac %s: ", ep->mac ? ep->mac : "(none)");

    if (!ep->mac || (error = dt_parse_endpoint_mac(ep->mac, &mac))) {
        if (ep->mac) {
            COVERAGE_INC(channel_bad_row);
            VLOG_WARN_RL(&rl, "endpoint %s: %s", ep->name, error);
            free(error);
        }
        ds_put_cstr(table, "no MAC\n");
        return false;
    } else if (!port) {
        COVERAGE_INC(channel_down);
        ds_put_cstr(table, "no port here\n");
        return false;
    } else if (ep->n_vlan_request
               && (!ep->n_vlan || *ep->vlan < 1 || *ep->vlan > 4094)) {
        COVERAGE_INC(channel_down);
        ds_put_cstr(table, "waiting for a VLAN\n");
        return false;
    }
    ds_put_cstr(table, "up\n");

    c->ep = ep;
    c->cookie = ep->header_.uuid.parts[0];
    c->vni = ep->network->vni;
    c->domain = ep->domain ? ep->domain->header_.uuid.parts[0] : 0;
    snprintf(c->mac_s, sizeof c->mac_s, ETH_ADDR_FMT, ETH_ADDR_ARGS(mac));
    fixed_mac(ep->network, c->fixed_s);
    c->port = port->data;
    if (ep->n_vlan_request) {
        int plugged;
        const char *s = smap_get(&ep->external_ids, "vlan-plugged");

        c->vid = *ep->vlan;
        if (s && str_to_int(s, 10, &plugged) && plugged >= 1
            && plugged <= 4094 && plugged != c->vid) {
            c->also = plugged;
        }
    }
    c->ips = xmalloc((ep->n_addresses ? ep->n_addresses : 1)
                     * sizeof *c->ips);
    c->ip6s = xmalloc((ep->n_addresses ? ep->n_addresses : 1)
                      * sizeof *c->ip6s);
    for (size_t i = 0; i < ep->n_addresses; i++) {
        struct in6_addr ip;

        error = dt_parse_ip(ep->addresses[i]->ip, &ip, NULL);
        if (error) {
            COVERAGE_INC(channel_bad_row);
            VLOG_WARN_RL(&rl, "endpoint %s: %s", ep->name, error);
            free(error);
        } else if (IN6_IS_ADDR_V4MAPPED(&ip)) {
            c->ips[c->n_ips++] = in6_addr_get_mapped_ipv4(&ip);
        } else {
            c->ip6s[c->n_ip6s++] = ip;
        }
    }
    return true;
}

/* Puts into 'mac_s' the MAC that answers every ARP request in 'net'. */
static bool
fixed_mac(const struct dtrec_virtual_network *net,
          char mac_s[ETH_ADDR_STRLEN + 1])
{
    const char *s = smap_get(&net->external_ids, "channel-mac");
    struct eth_addr mac;

    if (s) {
        char *error = dt_parse_endpoint_mac(s, &mac);
        if (!error) {
            snprintf(mac_s, ETH_ADDR_STRLEN + 1, ETH_ADDR_FMT,
                     ETH_ADDR_ARGS(mac));
            return true;
        }
        COVERAGE_INC(channel_bad_row);
        VLOG_WARN_RL(&rl, "network %s: channel-mac: %s", net->name, error);
        free(error);
    }
    ovs_strlcpy(mac_s, CHANNEL_DEFAULT_MAC, ETH_ADDR_STRLEN + 1);
    return false;
}

/* Adds the flows of channel 'c': see channel.h. */
static void
add_chan_flows(struct flowtab *flows, const struct chan *c)
{
    int vids[2] = { c->vid, c->also };
    struct ds m = DS_EMPTY_INITIALIZER;
    struct ds f = DS_EMPTY_INITIALIZER;

    /* What the channel sends and no flow below takes: dropped, counted. */
    for (size_t v = 0; v < ARRAY_SIZE(vids) && (!v || vids[v]); v++) {
        ds_clear(&m);
        put_match(&m, c, vids[v]);
        flowtab_add(flows, "table=%d,priority=10,cookie=%#"PRIx32",%s,"
                    "actions=drop", PL_INGRESS, c->cookie, ds_cstr(&m));
    }
    for (size_t i = 0; i < c->n_ips; i++) {
        ovs_be32 ip = c->ips[i];
        struct in6_addr mapped;

        in6_addr_set_mapped_ipv4(&mapped, ip);
        add_chan_route_flows(flows, c, &mapped);

        /* ARP from it, tagged as it came: the answer goes back the same
         * way. */
        for (size_t v = 0; v < ARRAY_SIZE(vids) && (!v || vids[v]); v++) {
            ds_clear(&m);
            put_match(&m, c, vids[v]);
            flowtab_add(flows, "table=%d,priority=100,cookie=%#"PRIx32
                        ",%s,arp,arp_spa="IP_FMT",actions=set_field:%"
                        PRIu32"->"PL_NETWORK_FIELD",goto_table:%d",
                        PL_INGRESS, c->cookie, ds_cstr(&m), IP_ARGS(ip),
                        c->vni, PL_ARP);
        }
        /* IPv4 multicast, tagged as it came, to the multicast stage;
         * IGMP to the controller (snooping). */
        for (size_t v = 0; v < ARRAY_SIZE(vids) && (!v || vids[v]); v++) {
            ds_clear(&m);
            put_match(&m, c, vids[v]);
            flowtab_add(flows, "table=%d,priority=105,cookie=%#"PRIx32
                        ",%s,ip,nw_src="IP_FMT",nw_dst=224.0.0.0/4,"
                        "actions=set_field:%"PRIu32"->"PL_NETWORK_FIELD","
                        "set_field:%#"PRIx32"->"PL_DOMAIN_FIELD","
                        "goto_table:%d", PL_INGRESS, c->cookie,
                        ds_cstr(&m), IP_ARGS(ip), c->vni, c->domain,
                        PL_MCAST);
            ds_clear(&f);
            sp_put_controller_action(&f, SP_IGMP);
            flowtab_add(flows, "table=%d,priority=110,cookie=%#"PRIx32
                        ",%s,ip,nw_proto=2,nw_src="IP_FMT",actions="
                        "set_field:%"PRIu32"->"PL_NETWORK_FIELD",%s",
                        PL_INGRESS, c->cookie, ds_cstr(&m), IP_ARGS(ip),
                        c->vni, ds_cstr(&f));
        }

        /* Its own announcement: consumed. */
        flowtab_add(flows, "table=%d,priority=110,cookie=%#"PRIx32","
                    PL_NETWORK_FIELD"=%"PRIu32",arp,arp_spa="IP_FMT","
                    "arp_tpa="IP_FMT",actions=drop", PL_ARP, c->cookie,
                    c->vni, IP_ARGS(ip), IP_ARGS(ip));
    }
    for (size_t i = 0; i < c->n_ip6s; i++) {
        add_chan_route_flows(flows, c, &c->ip6s[i]);
    }

    /* Neighbour discovery from the channel, from any of its addresses
     * (a VM solicits from its link-local address as well), tagged as it
     * came: solicitations to PL_ARP (answered there with the fixed MAC),
     * advertisements consumed.  A duplicate address detection probe
     * (from ::) gets no answer, so that the VM keeps its address. */
    for (size_t v = 0; c->n_ip6s && v < ARRAY_SIZE(vids) && (!v || vids[v]);
         v++) {
        ds_clear(&m);
        put_match(&m, c, vids[v]);
        flowtab_add(flows, "table=%d,priority=110,cookie=%#"PRIx32",%s,"
                    "icmp6,icmp_type=135,actions=set_field:%"PRIu32"->"
                    PL_NETWORK_FIELD",goto_table:%d", PL_INGRESS, c->cookie,
                    ds_cstr(&m), c->vni, PL_ARP);
        flowtab_add(flows, "table=%d,priority=115,cookie=%#"PRIx32",%s,"
                    "icmp6,ipv6_src=::,actions=drop", PL_INGRESS, c->cookie,
                    ds_cstr(&m));
        flowtab_add(flows, "table=%d,priority=110,cookie=%#"PRIx32",%s,"
                    "icmp6,icmp_type=136,actions=drop", PL_INGRESS,
                    c->cookie, ds_cstr(&m));
    }
    ds_destroy(&m);
    ds_destroy(&f);
}

/* Adds the flows that bind channel 'c''s address 'ip' (a /32 if IPv4
 * mapped, else a /128) to it: IP from it, any source MAC, classified and
 * the tag popped, on to the policy cache; the "route" from the tunnel to
 * the live channel port; and out the channel by destination address. */
static void
add_chan_route_flows(struct flowtab *flows, const struct chan *c,
                     const struct in6_addr *ip)
{
    bool ipv4 = IN6_IS_ADDR_V4MAPPED(ip);
    const char *l3 = ipv4 ? "ip" : "ipv6";
    const char *src = ipv4 ? "nw_src" : "ipv6_src";
    const char *dst = ipv4 ? "nw_dst" : "ipv6_dst";
    char ip_s[INET6_ADDRSTRLEN];
    struct ds f = DS_EMPTY_INITIALIZER;

    ipv6_string_mapped(ip_s, ip);
    ds_put_format(&f, "table=%d,priority=100,cookie=%#"PRIx32","
                  "in_port=%u,%s,%s=%s,actions=", PL_INGRESS, c->cookie,
                  c->port, l3, src, ip_s);
    if (c->vid) {
        ds_put_format(&f, "vlan_unique(ingress,trunk=%u,vid=%d%s%.0d),",
                      c->port, c->vid, c->also ? ",also=" : "", c->also);
    }
    ds_put_format(&f, "set_field:%"PRIu32"->"PL_NETWORK_FIELD","
                  "set_field:%#"PRIx32"->"PL_DOMAIN_FIELD",goto_table:%d",
                  c->vni, c->domain, PL_POLICY);
    add_expanded(flows, ds_cstr(&f));

    flowtab_add(flows, "table=%d,priority=100,cookie=%#"PRIx32","
                PL_NETWORK_FIELD"=%"PRIu32",%s,%s=%s,actions="
                PL_LOAD_LIVE_PORT",goto_table:%d", PL_TUNNEL_IN, c->cookie,
                c->vni, l3, dst, ip_s, c->port, PL_DELIVER);

    /* Out the channel.  (Not by network too: the controller's packet-out
     * of a policy miss enters here from the cache entry's actions, with
     * only PL_PORT_FIELD set.) */
    ds_clear(&f);
    ds_put_format(&f, "table=%d,priority=120,cookie=%#"PRIx32","
                  PL_PORT_FIELD"=%u,%s,%s=%s,actions="
                  "set_field:%s->eth_src,set_field:%s->eth_dst,",
                  PL_DELIVER, c->cookie, c->port, l3, dst, ip_s,
                  c->fixed_s, c->mac_s);
    if (!c->vid) {
        ds_put_format(&f, "output:%u", c->port);
    } else {
        /* From one channel of a trunk to another: OpenFlow outputs to
         * the input port only once in_port is not it. */
        ds_put_cstr(&f, "load:0->NXM_OF_IN_PORT[],");
        if (c->also) {
            ds_put_format(&f, "clone(vlan_unique(egress,trunk=%u,vid=%d)),",
                          c->port, c->also);
        }
        ds_put_format(&f, "vlan_unique(egress,trunk=%u,vid=%d)", c->port,
                      c->vid);
    }
    add_expanded(flows, ds_cstr(&f));
    ds_destroy(&f);
}

/* Adds the neighbour discovery responder of channel network 'vni': every
 * solicitation that carries the sender's link-layer address, for any
 * target, is turned into the advertisement of 'fixed_s' for that target
 * (solicited, override) and sent back out the port it came in on: the
 * IPv6 counterpart of add_arp_responder(), with no neighbour table
 * anywhere. */
static void
add_nd_responder(struct flowtab *flows, uint32_t vni, const char *fixed_s)
{
    flowtab_add(flows, "table=%d,priority=50,"PL_NETWORK_FIELD"=%"PRIu32
                ",icmp6,icmp_type=135,nd_options_type=1,"
                "actions=move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],"
                "set_field:%s->eth_src,"
                "move:NXM_NX_IPV6_SRC[]->NXM_NX_IPV6_DST[],"
                "move:NXM_NX_ND_TARGET[]->NXM_NX_IPV6_SRC[],"
                "set_field:136->icmpv6_type,"
                "set_field:0x60000000->nd_reserved,"
                "set_field:2->nd_options_type,resubmit(,%d)",
                PL_ARP, vni, fixed_s, PL_ND_ADVERT);
    flowtab_add(flows, "table=%d,priority=50,"PL_NETWORK_FIELD"=%"PRIu32
                ",icmp6,icmp_type=136,nd_options_type=2,"
                "actions=set_field:%s->nd_tll,in_port", PL_ND_ADVERT, vni,
                fixed_s);
}

/* Adds the ARP responder of channel network 'vni': every request, for any
 * address, is answered with 'fixed_s', back out the port it came in on. */
static void
add_arp_responder(struct flowtab *flows, uint32_t vni, const char *fixed_s)
{
    flowtab_add(flows, "table=%d,priority=50,"PL_NETWORK_FIELD"=%"PRIu32
                ",arp,arp_op=1,"
                "actions=move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],"
                "set_field:%s->eth_src,set_field:2->arp_op,"
                "move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],"
                "set_field:%s->arp_sha,"
                "move:NXM_OF_ARP_TPA[]->NXM_NX_REG3[],"
                "move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],"
                "move:NXM_NX_REG3[]->NXM_OF_ARP_SPA[],in_port", PL_ARP, vni,
                fixed_s, fixed_s);
}

/* Adds the flows that replicate group 'g' (of a channel network) on
 * hypervisor 'hv': see channel.h. */
static void
add_group_flows(struct flowtab *flows, const struct dtrec_multicast_group *g,
                const struct dtrec_hypervisor *hv, const struct simap *ports,
                unsigned int tunnel_ofport)
{
    struct svec tunnels = SVEC_EMPTY_INITIALIZER;
    struct ds scratch = DS_EMPTY_INITIALIZER;
    struct chan *cs = xcalloc(g->n_members + 1, sizeof *cs);
    uint32_t cookie = g->header_.uuid.parts[0];
    uint32_t vni = g->network->vni;
    size_t n = 0;
    ovs_be32 group;

    if (!ip_parse(g->group, &group) || !ip_is_multicast(group)) {
        COVERAGE_INC(channel_bad_row);
        VLOG_WARN_RL(&rl, "network %s: \"%s\" is not an IPv4 multicast "
                     "group", g->network->name, g->group);
        free(cs);
        return;
    }
    for (size_t i = 0; i < g->n_members; i++) {
        const struct dtrec_endpoint *m = g->members[i];
        ovs_be32 tunnel_ip;

        if (m->network != g->network || !m->hypervisor) {
            continue;
        } else if (m->hypervisor != hv) {
            if (tunnel_ofport && ip_parse(m->hypervisor->tunnel_ip,
                                          &tunnel_ip)) {
                svec_add_nocopy(&tunnels, xasprintf(
                    "clone(set_field:%"PRIu32"->tun_id,set_field:"IP_FMT
                    "->tun_dst,output:%u)", vni, IP_ARGS(tunnel_ip),
                    tunnel_ofport));
            }
        } else if (chan_get(m, ports, &cs[n], &scratch)) {
            n++;
        }
    }
    svec_sort_unique(&tunnels);
    qsort(cs, n, sizeof *cs, chan_compare);

    /* From each member (which gets no copy of its own), and from a sender
     * here that is no member, through a trunk (tagged) or not.  The
     * sender's tag, if any, comes off first. */
    struct ds f = DS_EMPTY_INITIALIZER;
    struct ds copies = DS_EMPTY_INITIALIZER;
    for (size_t i = 0; i <= n + 1; i++) {
        bool tagged = i < n ? cs[i].vid != 0 : i == n;

        ds_clear(&f);
        ds_put_format(&f, "table=%d,priority=%d,cookie=%#"PRIx32",",
                      PL_MCAST, i < n ? 110 : i == n ? 101 : 100, cookie);
        if (i < n) {
            put_match(&f, &cs[i], cs[i].vid);
            ds_put_char(&f, ',');
        } else if (tagged) {
            ds_put_cstr(&f, "vlan_tci=0x1000/0x1000,");
        }
        ds_clear(&copies);
        put_copies(&copies, cs, n, i, &tunnels);
        flowtab_add(flows, "%s"PL_NETWORK_FIELD"=%"PRIu32",ip,nw_dst="IP_FMT
                    ",actions=%s%s%s", ds_cstr(&f), vni, IP_ARGS(group),
                    tagged ? "strip_vlan" : "",
                    tagged && copies.length ? "," : "",
                    copies.length || tagged ? ds_cstr(&copies) : "drop");
    }
    /* From the tunnel: to the members here. */
    if (n) {
        ds_clear(&copies);
        put_copies(&copies, cs, n, SIZE_MAX, NULL);
        flowtab_add(flows, "table=%d,priority=100,cookie=%#"PRIx32","
                    PL_NETWORK_FIELD"=%"PRIu32",ip,nw_dst="IP_FMT",actions=%s",
                    PL_TUNNEL_IN, cookie, vni, IP_ARGS(group),
                    ds_cstr(&copies));
    }
    ds_destroy(&copies);
    ds_destroy(&f);
    for (size_t i = 0; i < n; i++) {
        free(cs[i].ips);
        free(cs[i].ip6s);
    }
    free(cs);
    ds_destroy(&scratch);
    svec_destroy(&tunnels);
}

/* Appends to 'a', comma-separated, the copies of a multicast packet to
 * the 'n' member channels 'cs' (sorted by chan_compare()) except cs[skip],
 * and into the tunnels 'tunnels' (may be NULL). */
static void
put_copies(struct ds *a, const struct chan *cs, size_t n, size_t skip,
           const struct svec *tunnels)
{
    bool *done = xcalloc(n + 1, sizeof *done);

    for (size_t i = 0; i < n; i++) {
        const struct chan *c = &cs[i];

        if (i == skip || done[i]) {
            continue;
        }
        ds_put_format(a, "%sclone(set_field:%s->eth_src,",
                      a->length ? "," : "", c->fixed_s);
        if (!c->vid) {
            ds_put_format(a, "output:%u)", c->port);
            continue;
        }
        /* A second member on the same trunk shares the copy: its VLAN
         * inside (802.1Q), this one's outside (802.1ad). */
        size_t j;
        for (j = i + 1; j < n; j++) {
            if (j != skip && !done[j] && cs[j].vid && cs[j].port == c->port) {
                break;
            }
        }
        ds_put_cstr(a, "load:0->NXM_OF_IN_PORT[],");
        if (j < n) {
            done[j] = true;
            ds_put_format(a, "push_vlan:0x8100,set_field:%d->vlan_vid,"
                          "push_vlan:0x88a8,", 0x1000 | cs[j].vid);
        } else {
            ds_put_cstr(a, "push_vlan:0x8100,");
        }
        ds_put_format(a, "set_field:%d->vlan_vid,output:%u)",
                      0x1000 | c->vid, c->port);
    }
    for (size_t i = 0; tunnels && i < tunnels->n; i++) {
        ds_put_format(a, "%s%s", a->length ? "," : "", tunnels->names[i]);
    }
    free(done);
}

/* qsort() order of channels: by port, then VLAN. */
static int
chan_compare(const void *a_, const void *b_)
{
    const struct chan *a = a_, *b = b_;

    return (a->port != b->port ? (a->port < b->port ? -1 : 1)
            : a->vid < b->vid ? -1 : a->vid > b->vid);
}

/* Appends to 'm' the match of channel 'c''s frames on VLAN 'vid' (0:
 * untagged, a dedicated port). */
static void
put_match(struct ds *m, const struct chan *c, int vid)
{
    ds_put_format(m, "in_port=%u", c->port);
    if (vid) {
        ds_put_format(m, ",dl_vlan=%d", vid);
    }
}

/* Adds 'flow', expanded by ofproto-ext (its extension actions). */
static void
add_expanded(struct flowtab *flows, const char *flow)
{
    if (!flowtab_add_expanded(flows, flow)) {
        COVERAGE_INC(channel_bad_row);
    }
}
