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

#include "controller/flowtab.h"
#include "coverage.h"
#include "hmapx.h"
#include "lib/dovetail-idl.h"
#include "lib/dt-addr.h"
#include "lib/dt-db.h"
#include "ofproto-ext/pipeline.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "simap.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(overlay);

COVERAGE_DEFINE(overlay_build);
COVERAGE_DEFINE(overlay_bad_row);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* An endpoint's validated addresses. */
struct ep_addrs {
    struct eth_addr mac;
    char mac_s[ETH_ADDR_STRLEN + 1];
    uint32_t vni;
    size_t n_ips;
    ovs_be32 *ips;              /* Valid IPv4 addresses only. */
};

static bool ep_addrs_get(const struct dtrec_endpoint *, struct ep_addrs *);
static void add_flow(struct flowtab *, const char *format, ...)
    OVS_PRINTF_FORMAT(2, 3);
static uint32_t ep_cookie(const struct dtrec_endpoint *);

/* Computes into 'flows' (which should be empty) the flows the switch with
 * datapath id 'dpid' should hold, given its ports 'ports' (name -> OpenFlow
 * port number) and the name of its tunnel port.  Returns false, leaving
 * 'flows' empty, if no Hypervisor row has that datapath id: a switch the
 * database does not know is left alone. */
bool
overlay_build_flows(const struct ovsdb_idl *idl, uint64_t dpid,
                    const struct simap *ports, const char *tunnel_port,
                    struct flowtab *flows)
{
    const struct dtrec_hypervisor *hv
        = dt_db_find_hypervisor_by_dpid(idl, dpid);
    const struct simap_node *tun_node = simap_find(ports, tunnel_port);
    const struct dtrec_endpoint *ep;
    struct hmapx local_nets = HMAPX_INITIALIZER(&local_nets);

    if (!hv) {
        return false;
    }
    COVERAGE_INC(overlay_build);

    /* Every stage ends in a drop whose counter shows what it refused. */
    add_flow(flows, "table=%d,priority=0,actions=drop", PL_INGRESS);
    add_flow(flows, "table=%d,priority=0,actions=drop", PL_ARP);
    add_flow(flows, "table=%d,priority=0,actions=drop", PL_L2);
    add_flow(flows, "table=%d,priority=0,actions=drop", PL_TUNNEL_IN);

    /* Local endpoints: port security and delivery. */
    DTREC_ENDPOINT_FOR_EACH (ep, idl) {
        struct ep_addrs a;
        const struct simap_node *port;

        if (ep->hypervisor != hv || !ep->port
            || !(port = simap_find(ports, ep->port))
            || !ep_addrs_get(ep, &a)) {
            continue;
        }
        hmapx_add(&local_nets, CONST_CAST(struct dtrec_virtual_network *,
                                          ep->network));
        uint32_t cookie = ep_cookie(ep);
        for (size_t i = 0; i < a.n_ips; i++) {
            add_flow(flows, "table=%d,priority=100,cookie=%#"PRIx32","
                     "in_port=%u,dl_src=%s,ip,nw_src="IP_FMT
                     ",actions=set_field:%"PRIu32"->"PL_NETWORK_FIELD
                     ",goto_table:%d", PL_INGRESS, cookie, port->data,
                     a.mac_s, IP_ARGS(a.ips[i]), a.vni, PL_L2);
            add_flow(flows, "table=%d,priority=100,cookie=%#"PRIx32","
                     "in_port=%u,dl_src=%s,arp,arp_spa="IP_FMT",arp_sha=%s"
                     ",actions=set_field:%"PRIu32"->"PL_NETWORK_FIELD
                     ",goto_table:%d", PL_INGRESS, cookie, port->data,
                     a.mac_s, IP_ARGS(a.ips[i]), a.mac_s, a.vni, PL_ARP);
            /* A gratuitous ARP announces the endpoint's own address:
             * consumed, never answered. */
            add_flow(flows, "table=%d,priority=110,cookie=%#"PRIx32","
                     PL_NETWORK_FIELD"=%"PRIu32",arp,arp_spa="IP_FMT
                     ",arp_tpa="IP_FMT",actions=drop", PL_ARP, cookie,
                     a.vni, IP_ARGS(a.ips[i]), IP_ARGS(a.ips[i]));
        }
        add_flow(flows, "table=%d,priority=100,cookie=%#"PRIx32","
                 PL_NETWORK_FIELD"=%"PRIu32",dl_dst=%s,actions=output:%u",
                 PL_L2, cookie, a.vni, a.mac_s, port->data);
        add_flow(flows, "table=%d,priority=100,cookie=%#"PRIx32","
                 PL_NETWORK_FIELD"=%"PRIu32",dl_dst=%s,actions=output:%u",
                 PL_TUNNEL_IN, cookie, a.vni, a.mac_s, port->data);
        free(a.ips);
    }

    /* Tunnel ingress for every network with a local endpoint. */
    struct hmapx_node *node;
    if (tun_node) {
        HMAPX_FOR_EACH (node, &local_nets) {
            const struct dtrec_virtual_network *net = node->data;
            add_flow(flows, "table=%d,priority=100,in_port=%u,"
                     "tun_id=%"PRId64",actions=set_field:%"PRId64"->"
                     PL_NETWORK_FIELD",goto_table:%d", PL_INGRESS,
                     tun_node->data, net->vni, net->vni, PL_TUNNEL_IN);
        }
    } else if (!hmapx_is_empty(&local_nets)) {
        VLOG_WARN_RL(&rl, "%016"PRIx64": no tunnel port \"%s\": remote "
                     "endpoints unreachable", dpid, tunnel_port);
    }

    /* ARP answers for, and tunnels to, every endpoint of those networks. */
    DTREC_ENDPOINT_FOR_EACH (ep, idl) {
        struct ep_addrs a;

        if (!hmapx_contains(&local_nets,
                            CONST_CAST(struct dtrec_virtual_network *,
                                       ep->network))
            || !ep_addrs_get(ep, &a)) {
            continue;
        }
        uint32_t cookie = ep_cookie(ep);
        for (size_t i = 0; i < a.n_ips; i++) {
            add_flow(flows, "table=%d,priority=100,cookie=%#"PRIx32","
                     PL_NETWORK_FIELD"=%"PRIu32",arp,arp_op=1,arp_tpa="IP_FMT
                     ",actions=move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],"
                     "set_field:%s->eth_src,set_field:2->arp_op,"
                     "move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],"
                     "set_field:%s->arp_sha,"
                     "move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],"
                     "set_field:"IP_FMT"->arp_spa,in_port",
                     PL_ARP, cookie, a.vni, IP_ARGS(a.ips[i]), a.mac_s,
                     a.mac_s, IP_ARGS(a.ips[i]));
        }

        ovs_be32 tun_ip;
        char *error;
        if (tun_node && ep->hypervisor && ep->hypervisor != hv) {
            error = dt_parse_ipv4(ep->hypervisor->tunnel_ip, &tun_ip);
            if (error) {
                COVERAGE_INC(overlay_bad_row);
                VLOG_WARN_RL(&rl, "hypervisor %s: tunnel_ip %s",
                             ep->hypervisor->name, error);
                free(error);
            } else {
                add_flow(flows, "table=%d,priority=100,cookie=%#"PRIx32","
                         PL_NETWORK_FIELD"=%"PRIu32",dl_dst=%s,"
                         "actions=set_field:%"PRIu32"->tun_id,"
                         "set_field:"IP_FMT"->tun_dst,output:%u",
                         PL_L2, cookie, a.vni, a.mac_s, a.vni,
                         IP_ARGS(tun_ip), tun_node->data);
            }
        }
        free(a.ips);
    }

    hmapx_destroy(&local_nets);
    return true;
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

static void
add_flow(struct flowtab *flows, const char *format, ...)
{
    va_list args;
    char *s, *error;

    va_start(args, format);
    s = xvasprintf(format, args);
    va_end(args);

    error = flowtab_add_str(flows, "%s", s);
    if (error) {
        /* Duplicates arise from duplicate addresses in the database. */
        VLOG_WARN_RL(&rl, "%s", error);
        free(error);
    }
    free(s);
}
