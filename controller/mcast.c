/*
 * mcast: IPv4 multicast to the members of a group, once per tenant.  See
 * mcast.h; the table layout is ofproto-ext/pipeline.h.
 *
 * Like controller/overlay, every value read from the database is
 * validated again here; a bad group address, tunnel IP or OUI contributes
 * no flows (or no copy) and is logged, rate-limited.
 */
#include <config.h>
#include "controller/mcast.h"

#include <inttypes.h>
#include <stdlib.h>

#include "controller/channel.h"
#include "controller/flowtab.h"
#include "coverage.h"
#include "hash.h"
#include "hmapx.h"
#include "lib/dovetail-idl.h"
#include "lib/dt-addr.h"
#include "ofproto-ext/actions.h"
#include "ofproto-ext/pipeline.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "simap.h"
#include "sset.h"
#include "svec.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(mcast);

COVERAGE_DEFINE(mcast_bad_row);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* The members of one network hosted on this hypervisor that receive one
 * group address from the tunnel. */
struct mcast_rx {
    struct hmap_node node;      /* In a map, by rx_hash(). */
    const struct dtrec_virtual_network *network; /* The members' network. */
    ovs_be32 group;             /* The group address. */
    uint32_t cookie;            /* The cookie of the first group seen. */
    struct sset outputs;        /* "output:N" for each member's port. */
};

static const struct simap_node *local_port(const struct dtrec_endpoint *,
                                           const struct dtrec_hypervisor *,
                                           const struct simap *ports);
static bool group_parse(const struct dtrec_multicast_group *, ovs_be32 *);
static bool tenant_oui(const struct dtrec_tenant *, size_t i, uint32_t *);
static char *remote_copy(const struct dtrec_endpoint *,
                         unsigned int tunnel_ofport);
static void rx_add(struct hmap *rxs, const struct dtrec_endpoint *,
                   ovs_be32 group, uint32_t cookie, unsigned int ofport);
static void rx_flows(struct flowtab *, const struct mcast_rx *);
static void add_flow(struct flowtab *, char *flow);

void
mcast_build_flows(const struct ovsdb_idl *idl,
                  const struct dtrec_hypervisor *hv,
                  const struct simap *ports, unsigned int tunnel_ofport,
                  struct flowtab *flows)
{
    struct hmapx local_nets = HMAPX_INITIALIZER(&local_nets);
    struct hmap rxs = HMAP_INITIALIZER(&rxs);
    const struct dtrec_multicast_group *g;
    const struct dtrec_endpoint *ep;

    add_flow(flows, xasprintf("table=%d,priority=0,actions=drop", PL_MCAST));
    add_flow(flows, xasprintf("table=%d,priority=50,ip,nw_dst=224.0.0.0/4,"
                              "actions=drop", PL_TUNNEL_IN));

    /* The networks that may have a sender here. */
    DTREC_ENDPOINT_FOR_EACH (ep, idl) {
        if (ep->network && local_port(ep, hv, ports)) {
            hmapx_add(&local_nets, CONST_CAST(struct dtrec_virtual_network *,
                                              ep->network));
        }
    }

    DTREC_MULTICAST_GROUP_FOR_EACH (g, idl) {
        struct svec copies = SVEC_EMPTY_INITIALIZER;
        uint32_t cookie = g->header_.uuid.parts[0];
        bool sender_here = hmapx_contains(
            &local_nets, CONST_CAST(struct dtrec_virtual_network *,
                                    g->network));
        ovs_be32 group;

        if (channel_network(g->network)) {
            continue;           /* controller/channel.h replicates. */
        } else if (!group_parse(g, &group)) {
            continue;
        }
        for (size_t i = 0; i < g->n_members; i++) {
            const struct dtrec_endpoint *m = g->members[i];
            const struct simap_node *port = local_port(m, hv, ports);

            if (!m->network || !m->hypervisor) {
                continue;       /* Nowhere to send it. */
            } else if (port) {
                svec_add_nocopy(&copies, xasprintf("output:%u", port->data));
                rx_add(&rxs, m, group, cookie, port->data);
            } else if (m->hypervisor != hv && sender_here && tunnel_ofport) {
                char *copy = remote_copy(m, tunnel_ofport);
                if (copy) {
                    svec_add_nocopy(&copies, copy);
                }
            }
        }
        if (sender_here && copies.n) {
            /* One copy per port, and one per (hypervisor, network): the
             * members behind one tunnel copy are found by the receiving
             * hypervisor's PL_TUNNEL_IN flow. */
            svec_sort_unique(&copies);
            char *actions = svec_join(&copies, ",", "");
            add_flow(flows, xasprintf("table=%d,priority=100,cookie=%#"PRIx32
                                      ","PL_NETWORK_FIELD"=%"PRId64",ip,"
                                      "nw_dst="IP_FMT",actions=%s", PL_MCAST,
                                      cookie, g->network->vni,
                                      IP_ARGS(group), actions));
            free(actions);
        }
        svec_destroy(&copies);
    }

    struct mcast_rx *rx;
    HMAP_FOR_EACH_POP (rx, node, &rxs) {
        rx_flows(flows, rx);
        sset_destroy(&rx->outputs);
        free(rx);
    }
    hmap_destroy(&rxs);
    hmapx_destroy(&local_nets);
}

/* Returns the node of 'ports' for the port that 'ep' is bound to, if 'ep'
 * is hosted on 'hv' and its port exists, otherwise NULL. */
static const struct simap_node *
local_port(const struct dtrec_endpoint *ep, const struct dtrec_hypervisor *hv,
           const struct simap *ports)
{
    return (ep->hypervisor == hv && ep->port
            ? simap_find(ports, ep->port) : NULL);
}

/* Parses 'g''s address into '*group'.  Returns false, logging why unless
 * it is an IPv6 group (which these flows leave alone), if it is not an
 * IPv4 multicast address. */
static bool
group_parse(const struct dtrec_multicast_group *g, ovs_be32 *group)
{
    if (strchr(g->group, ':')) {
        return false;
    }
    char *error = dt_parse_ipv4(g->group, group);
    if (!error && !ip_is_multicast(*group)) {
        error = xstrdup("not a multicast address");
    }
    if (error) {
        COVERAGE_INC(mcast_bad_row);
        VLOG_WARN_RL(&rl, "multicast group %s: %s", g->group, error);
        free(error);
        return false;
    }
    return true;
}

/* Stores the 'i'th OUI of 'tenant' (may be NULL) in '*oui' and returns
 * true, or returns false if it has none or that one is not valid. */
static bool
tenant_oui(const struct dtrec_tenant *tenant, size_t i, uint32_t *oui)
{
    if (!tenant || i >= tenant->n_ouis) {
        return false;
    }
    char *error = dt_parse_oui(tenant->ouis[i], oui);
    if (error) {
        COVERAGE_INC(mcast_bad_row);
        VLOG_WARN_RL(&rl, "tenant %s: %s", tenant->name, error);
        free(error);
        return false;
    }
    return true;
}

/* Returns the clone(...) action that sends a copy of a multicast packet to
 * the hypervisor of member 'm', in the tunnel with the VNI of 'm''s network
 * and the destination MAC of its tenant's first OUI (unchanged if the
 * tenant has none), or NULL, logging why, if that hypervisor has no valid
 * tunnel IP.  The caller frees it. */
static char *
remote_copy(const struct dtrec_endpoint *m, unsigned int tunnel_ofport)
{
    ovs_be32 tunnel_ip;
    char *error = dt_parse_ipv4(m->hypervisor->tunnel_ip, &tunnel_ip);
    if (error) {
        COVERAGE_INC(mcast_bad_row);
        VLOG_WARN_RL(&rl, "hypervisor %s: %s", m->hypervisor->name, error);
        free(error);
        return NULL;
    }

    struct ds copy = DS_EMPTY_INITIALIZER;
    uint32_t oui;
    ds_put_cstr(&copy, "clone(");
    if (tenant_oui(m->network->tenant, 0, &oui)) {
        ds_put_format(&copy, "mcast_oui(oui=%02"PRIx32":%02"PRIx32":%02"
                      PRIx32"),", oui >> 16, (oui >> 8) & 0xff, oui & 0xff);
    }
    ds_put_format(&copy, "set_field:%"PRId64"->tun_id,set_field:"IP_FMT
                  "->tun_dst,output:%u)", m->network->vni,
                  IP_ARGS(tunnel_ip), tunnel_ofport);
    return ds_steal_cstr(&copy);
}

static uint32_t
rx_hash(const struct dtrec_virtual_network *network, ovs_be32 group)
{
    return hash_pointer(network, (OVS_FORCE uint32_t) group);
}

/* Records in 'rxs' that member 'm', on OpenFlow port 'ofport' here,
 * receives 'group' (whose row has cookie 'cookie') from the tunnel. */
static void
rx_add(struct hmap *rxs, const struct dtrec_endpoint *m, ovs_be32 group,
       uint32_t cookie, unsigned int ofport)
{
    uint32_t hash = rx_hash(m->network, group);
    struct mcast_rx *rx;

    HMAP_FOR_EACH_WITH_HASH (rx, node, hash, rxs) {
        if (rx->network == m->network && rx->group == group) {
            goto found;
        }
    }
    rx = xmalloc(sizeof *rx);
    rx->network = m->network;
    rx->group = group;
    rx->cookie = cookie;
    sset_init(&rx->outputs);
    hmap_insert(rxs, &rx->node, hash);

found:
    sset_add_and_free(&rx->outputs, xasprintf("output:%u", ofport));
}

/* Adds the PL_TUNNEL_IN flows that deliver 'rx''s group to its members:
 * one per OUI of the network's tenant, matching the destination MAC that
 * mcast_oui gives a copy for that OUI, or, if the tenant has no OUI, one
 * matching the standard IPv4 multicast MAC.  Each restores the standard
 * MAC, 01:00:5e + the low 23 bits of the group, which is what a member's
 * IP stack accepts. */
static void
rx_flows(struct flowtab *flows, const struct mcast_rx *rx)
{
    uint32_t low24 = ntohl(rx->group) & 0xffffff;
    struct eth_addr std = ETH_ADDR_C(01, 00, 5e, 00, 00, 00);
    std.ea[3] = (low24 >> 16) & 0x7f;
    std.ea[4] = (low24 >> 8) & 0xff;
    std.ea[5] = low24 & 0xff;

    struct svec outputs = SVEC_EMPTY_INITIALIZER;
    const char *output;
    SSET_FOR_EACH (output, &rx->outputs) {
        svec_add(&outputs, output);
    }
    svec_sort(&outputs);
    char *actions = svec_join(&outputs, ",", "");
    svec_destroy(&outputs);

    const struct dtrec_tenant *tenant = rx->network->tenant;
    size_t n_ouis = tenant ? tenant->n_ouis : 0;
    for (size_t i = 0; i < MAX(n_ouis, 1); i++) {
        struct eth_addr dmac = std;
        uint32_t oui;

        if (n_ouis) {
            if (!tenant_oui(tenant, i, &oui)) {
                continue;
            }
            dmac.ea[0] = (oui >> 16) | 0x01;
            dmac.ea[1] = (oui >> 8) & 0xff;
            dmac.ea[2] = oui & 0xff;
            dmac.ea[3] = low24 >> 16;   /* All 24 bits, I/G included. */
        }
        add_flow(flows, xasprintf("table=%d,priority=100,cookie=%#"PRIx32","
                                  PL_NETWORK_FIELD"=%"PRId64",dl_dst="
                                  ETH_ADDR_FMT",ip,nw_dst="IP_FMT",actions="
                                  "set_field:"ETH_ADDR_FMT"->eth_dst,%s",
                                  PL_TUNNEL_IN, rx->cookie, rx->network->vni,
                                  ETH_ADDR_ARGS(dmac), IP_ARGS(rx->group),
                                  ETH_ADDR_ARGS(std), actions));
    }
    free(actions);
}

/* Expands the extension actions in 'flow', which it frees, and adds the
 * result to 'flows', logging any error. */
static void
add_flow(struct flowtab *flows, char *flow)
{
    flowtab_add_expanded(flows, flow);
    free(flow);
}
