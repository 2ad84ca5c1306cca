/*
 * sarp: the scaled ARP proxy fabric mode.  See sarp.h; the tables are
 * ofproto-ext/pipeline.h's PL_SARP_*.
 *
 * The SARP caches live here, one per edge (by datapath id); each holds
 * its records (remote edge MAC -> the addresses behind it) and an index
 * of its addresses by (VNI, IPv4 address).  The flows of an edge are a
 * function of the database and its cache, computed by sarp_build_flows()
 * whenever either changes.
 */
#include <config.h>
#include "controller/sarp.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "controller/ctlsw.h"
#include "controller/flowtab.h"
#include "controller/overlay.h"
#include "controller/pinctrl.h"
#include "controller/swconn.h"
#include "coverage.h"
#include "dp-packet.h"
#include "hash.h"
#include "lib/dovetail-idl.h"
#include "lib/dt-addr.h"
#include "lib/dt-db.h"
#include "ofproto-ext/pipeline.h"
#include "ofproto-ext/slowpath.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "simap.h"
#include "smap.h"
#include "sset.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(sarp);

COVERAGE_DEFINE(sarp_cache_hit);
COVERAGE_DEFINE(sarp_cache_miss);
COVERAGE_DEFINE(sarp_cache_aged);
COVERAGE_DEFINE(sarp_cache_moved);
COVERAGE_DEFINE(sarp_rewrite);
COVERAGE_DEFINE(sarp_request_sent);
COVERAGE_DEFINE(sarp_reply_sent);
COVERAGE_DEFINE(sarp_garp);
COVERAGE_DEFINE(sarp_announce);
COVERAGE_DEFINE(sarp_drop);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* How long an address asked for across the interconnect waits for a
 * reply. */
#define SARP_PENDING_MSEC 5000

/* One remote edge L2 address and the L3 addresses behind it. */
struct sarp_record {
    struct hmap_node node;      /* In 'records' of its edge, by MAC. */
    struct eth_addr mac;        /* The remote edge's MAC. */
    struct ovs_list addrs;      /* struct sarp_addr's 'record_node'. */
    size_t n_addrs;             /* Length of 'addrs'. */
};

/* Where a cache entry came from. */
enum sarp_source {
    SARP_SRC_DPS,               /* The database (endpoint -> hypervisor). */
    SARP_SRC_WIRE,              /* A request, reply or gratuitous ARP from
                                 * the interconnect. */
};

/* One remote L3 address. */
struct sarp_addr {
    struct hmap_node node;      /* In 'addrs' of its edge. */
    uint32_t vni;               /* Its network. */
    ovs_be32 ip;                /* The address. */

    struct sarp_record *record; /* Its edge, or NULL while it is being
                                 * asked for across the interconnect. */
    struct ovs_list record_node; /* In 'record->addrs' if 'record'. */

    enum sarp_source source;
    long long int stored;       /* When stored or last refreshed. */
    long long int expires;      /* When it ages out. */

    /* While asked for across the interconnect: the local VM's ARP request
     * that caused it, answered when the reply comes. */
    bool waiting;
    ofp_port_t waiter_port;
    struct eth_addr waiter_mac;
    ovs_be32 waiter_ip;
};

/* One edge's SARP cache. */
struct sarp_edge {
    struct hmap_node node;      /* In 'edges', by datapath id. */
    uint64_t dpid;
    struct hmap records;        /* struct sarp_record, by MAC. */
    struct hmap addrs;          /* struct sarp_addr, by (vni, ip). */
    unsigned long long int hits, misses, aged, moved; /* Counters. */
};

static struct hmap edges = HMAP_INITIALIZER(&edges);
static bool caches_changed;     /* Some edge's flows are out of date. */

/* Announcements: a gratuitous ARP across the interconnect, from the edge's
 * MAC, for each address of a VM that has arrived at an edge, so that
 * every other edge (dovetail's or not) finds it there at once.
 * 'announced' holds "DPID/VNI/IP" of each address announced and still
 * local; 'announcements' those to send (from sarp_build_flows(), sent by
 * sarp_run()). */
struct sarp_announcement {
    uint64_t dpid;
    ofp_port_t port;            /* The interconnect port. */
    struct eth_addr mac;        /* The edge's MAC. */
    ovs_be32 ip;
};
static struct sset announced = SSET_INITIALIZER(&announced);
static struct sarp_announcement *announcements;
static size_t n_announcements, allocated_announcements;
static long long int next_expiry = LLONG_MAX;
static const struct ovsdb_idl *show_idl; /* For "sarp/show". */

static bool hv_edge_mac(const struct dtrec_hypervisor *, struct eth_addr *);
static const char *hv_port(const struct dtrec_hypervisor *);
static long long int net_aging_msec(const struct ovsdb_idl *, uint32_t vni);
static bool ep_ipv4s(const struct dtrec_endpoint *, ovs_be32 **ips,
                     size_t *n);
static const struct dtrec_endpoint *find_endpoint(const struct ovsdb_idl *,
                                                  uint32_t vni, ovs_be32 ip,
                                                  bool any_vni);
static struct sarp_edge *edge_find(uint64_t dpid, bool create);
static struct sarp_addr *addr_find(struct sarp_edge *, uint32_t vni,
                                   ovs_be32 ip);
static void addr_set(struct sarp_edge *, uint32_t vni, ovs_be32 ip,
                     const struct eth_addr *mac, enum sarp_source,
                     long long int now, long long int lifetime);
static void addr_remove(struct sarp_edge *, struct sarp_addr *);
static struct sarp_addr *resolve(const struct ovsdb_idl *,
                                 struct sarp_edge *,
                                 const struct dtrec_hypervisor *,
                                 uint32_t vni, ovs_be32 ip,
                                 const struct dtrec_endpoint **local);
static void handle_interconnect(const struct ovsdb_idl *, struct ctlsw *,
                                struct sarp_edge *,
                                const struct dtrec_hypervisor *,
                                const struct eth_addr *edge_mac,
                                const struct sp_packet_in *);
static void announce_arrivals(const struct dtrec_hypervisor *,
                              const struct sset *arrived, ofp_port_t,
                              struct eth_addr);
static void send_announcements(void);
static void send_arp(struct ctlsw *, ofp_port_t out, uint16_t op,
                     struct eth_addr sha, struct eth_addr tha, bool bcast,
                     ovs_be32 spa, ovs_be32 tpa);
static void sarp_show(struct unixctl_conn *, int argc, const char *argv[],
                      void *aux);

void
sarp_init(void)
{
    unixctl_command_register("sarp/show", "[DPID]", 0, 1, sarp_show, NULL);
}

void
sarp_destroy(void)
{
    sset_destroy(&announced);
    free(announcements);
    announcements = NULL;
    n_announcements = allocated_announcements = 0;

    struct sarp_edge *edge;

    HMAP_FOR_EACH_POP (edge, node, &edges) {
        struct sarp_addr *a;
        HMAP_FOR_EACH_SAFE (a, node, &edge->addrs) {
            addr_remove(edge, a);
        }
        hmap_destroy(&edge->addrs);
        hmap_destroy(&edge->records);
        free(edge);
    }
}

bool
sarp_network_is_sarp(const struct dtrec_virtual_network *net)
{
    return net && net->fabric_mode && !strcmp(net->fabric_mode, "sarp");
}

/* Adds the flows of hypervisor 'hv' as a SARP edge.  See sarp.h. */
void
sarp_build_flows(const struct ovsdb_idl *idl,
                 const struct dtrec_hypervisor *hv,
                 const struct simap *ports, struct flowtab *flows)
{
    const struct simap_node *ic = simap_find(ports, hv_port(hv));
    const struct dtrec_endpoint *ep;
    struct sset local = SSET_INITIALIZER(&local);
    struct sset arrived = SSET_INITIALIZER(&arrived);
    struct ds miss = DS_EMPTY_INITIALIZER;
    struct eth_addr edge_mac;
    char edge_s[ETH_ADDR_STRLEN + 1];
    bool any = false;

    show_idl = idl;
    if (!hv_edge_mac(hv, &edge_mac)) {
        return;
    }
    snprintf(edge_s, sizeof edge_s, ETH_ADDR_FMT, ETH_ADDR_ARGS(edge_mac));
    sp_put_controller_action(&miss, SP_SARP);

    /* Local endpoints: port security, local ARP answered with the VM's
     * own MAC, local delivery, and the ingress rewrite from the
     * interconnect (edge MAC -> VM MAC, by destination IP). */
    DTREC_ENDPOINT_FOR_EACH (ep, idl) {
        const struct simap_node *port;
        struct eth_addr mac;
        ovs_be32 *ips;
        size_t n_ips;

        if (ep->hypervisor != hv || !sarp_network_is_sarp(ep->network)
            || !ep->port || !(port = simap_find(ports, ep->port))
            || !ep->mac || !ep_ipv4s(ep, &ips, &n_ips)) {
            continue;
        }
        char *error = dt_parse_endpoint_mac(ep->mac, &mac);
        if (error) {
            VLOG_WARN_RL(&rl, "endpoint %s: %s", ep->name, error);
            free(error);
            free(ips);
            continue;
        }
        any = true;

        uint32_t cookie = ep->header_.uuid.parts[0];
        uint32_t vni = ep->network->vni;
        uint32_t domain = ep->domain ? ep->domain->header_.uuid.parts[0] : 0;
        unsigned int p = port->data;
        char mac_s[ETH_ADDR_STRLEN + 1];
        snprintf(mac_s, sizeof mac_s, ETH_ADDR_FMT, ETH_ADDR_ARGS(mac));

        flowtab_add(flows, "table=%d,priority=10,cookie=%#"PRIx32","
                    "in_port=%u,actions=drop", PL_INGRESS, cookie, p);
        flowtab_add(flows, "table=%d,priority=100,cookie=%#"PRIx32","
                    PL_PORT_FIELD"=%u,actions=output:%u", PL_DELIVER,
                    cookie, p, p);
        for (size_t i = 0; i < n_ips; i++) {
            ovs_be32 ip = ips[i];

            sset_add_and_free(&local, xasprintf("%"PRIu32"/"IP_FMT, vni,
                                                IP_ARGS(ip)));
            sset_add_and_free(&arrived, xasprintf("%016"PRIx64"/%"PRIu32
                                                  "/"IP_FMT, hv->datapath_id,
                                                  vni, IP_ARGS(ip)));
            /* IP through the policy cache (controller/pcache.h), whose
             * entries for a remote destination lead to PL_SARP. */
            flowtab_add(flows, "table=%d,priority=100,cookie=%#"PRIx32","
                        "in_port=%u,dl_src=%s,ip,nw_src="IP_FMT",actions="
                        "set_field:%"PRIu32"->"PL_NETWORK_FIELD","
                        "set_field:%#"PRIx32"->"PL_DOMAIN_FIELD","
                        "goto_table:%d", PL_INGRESS, cookie, p, mac_s,
                        IP_ARGS(ip), vni, domain, PL_POLICY);
            flowtab_add(flows, "table=%d,priority=100,cookie=%#"PRIx32","
                        "in_port=%u,dl_src=%s,arp,arp_spa="IP_FMT","
                        "arp_sha=%s,actions=set_field:%"PRIu32"->"
                        PL_NETWORK_FIELD",goto_table:%d", PL_INGRESS,
                        cookie, p, mac_s, IP_ARGS(ip), mac_s, vni,
                        PL_SARP_ARP);
            /* A gratuitous ARP from a local VM stays local. */
            flowtab_add(flows, "table=%d,priority=110,cookie=%#"PRIx32","
                        PL_NETWORK_FIELD"=%"PRIu32",arp,arp_spa="IP_FMT","
                        "arp_tpa="IP_FMT",actions=drop", PL_SARP_ARP,
                        cookie, vni, IP_ARGS(ip), IP_ARGS(ip));
            overlay_add_arp_responder(flows, PL_SARP_ARP, cookie, vni, ip,
                                      mac_s);
            /* The ingress rewrite.  A VM that has left (its port down or
             * gone) falls through PL_DELIVER to the controller, which
             * sends the packet on to where the VM is now. */
            flowtab_add(flows, "table=%d,priority=100,cookie=%#"PRIx32","
                        "ip,nw_dst="IP_FMT",actions=set_field:%s->eth_dst,"
                        "set_field:%"PRIu32"->"PL_NETWORK_FIELD","
                        PL_LOAD_LIVE_PORT",resubmit(,%d)", PL_SARP_IN,
                        cookie, IP_ARGS(ip), mac_s, vni, p, PL_DELIVER);
        }
        free(ips);
    }

    if (!any && !ic) {
        sset_destroy(&local);
        sset_destroy(&arrived);
        ds_destroy(&miss);
        return;
    }

    /* What no flow resolves goes to the controller. */
    flowtab_add(flows, "table=%d,priority=1,arp,arp_op=1,actions=%s",
                PL_SARP_ARP, ds_cstr(&miss));
    flowtab_add(flows, "table=%d,priority=0,actions=drop", PL_SARP_ARP);
    flowtab_add(flows, "table=%d,priority=1,ip,actions=%s", PL_SARP,
                ds_cstr(&miss));
    flowtab_add(flows, "table=%d,priority=0,actions=drop", PL_SARP);
    flowtab_add(flows, "table=%d,priority=0,actions=%s", PL_SARP_IN,
                ds_cstr(&miss));

    if (!ic) {
        VLOG_WARN_RL(&rl, "%s: no interconnect port \"%s\": remote "
                     "endpoints of SARP networks unreachable", hv->name,
                     hv_port(hv));
        sset_destroy(&local);
        sset_destroy(&arrived);
        ds_destroy(&miss);
        return;
    }

    /* The interconnect: IP to this edge's MAC is for a local VM; ARP goes
     * to the controller (answers, learning); nothing else comes in. */
    unsigned int icp = ic->data;
    flowtab_add(flows, "table=%d,priority=100,in_port=%u,arp,actions=%s",
                PL_INGRESS, icp, ds_cstr(&miss));
    flowtab_add(flows, "table=%d,priority=100,in_port=%u,ip,dl_dst=%s,"
                "actions=goto_table:%d", PL_INGRESS, icp, edge_s,
                PL_SARP_IN);
    flowtab_add(flows, "table=%d,priority=90,in_port=%u,actions=drop",
                PL_INGRESS, icp);

    announce_arrivals(hv, &arrived, u16_to_ofp(icp), edge_mac);

    /* The cache: ARP for a remote VM answered with its edge's MAC, and
     * the egress rewrite of both MACs to edge MACs.  An address the
     * database does not know (behind an edge that is not dovetail's) has
     * no policy to check: it skips the policy cache. */
    struct sarp_edge *edge = edge_find(hv->datapath_id, true);
    const struct sarp_addr *a;
    HMAP_FOR_EACH (a, node, &edge->addrs) {
        char key[64];

        snprintf(key, sizeof key, "%"PRIu32"/"IP_FMT, a->vni,
                 IP_ARGS(a->ip));
        if (!a->record || sset_contains(&local, key)) {
            continue;
        }
        char rmac_s[ETH_ADDR_STRLEN + 1];
        snprintf(rmac_s, sizeof rmac_s, ETH_ADDR_FMT,
                 ETH_ADDR_ARGS(a->record->mac));
        overlay_add_arp_responder(flows, PL_SARP_ARP, 0, a->vni, a->ip,
                                  rmac_s);
        flowtab_add(flows, "table=%d,priority=100,"PL_NETWORK_FIELD"=%"
                    PRIu32",ip,nw_dst="IP_FMT",actions=set_field:%s->"
                    "eth_src,set_field:%s->eth_dst,output:%u", PL_SARP,
                    a->vni, IP_ARGS(a->ip), edge_s, rmac_s, icp);
        if (a->source == SARP_SRC_WIRE) {
            flowtab_add(flows, "table=%d,priority=50,"PL_NETWORK_FIELD"=%"
                        PRIu32",ip,nw_dst="IP_FMT",actions=goto_table:%d",
                        PL_POLICY, a->vni, IP_ARGS(a->ip), PL_SARP);
        }
    }
    sset_destroy(&local);
    sset_destroy(&arrived);
    ds_destroy(&miss);
}

/* Queues an announcement for each address in 'arrived' ("DPID/VNI/IP",
 * the local addresses of edge 'hv' whose VM's port is there) that was not
 * announced yet, and forgets the announced addresses of 'hv' that are no
 * longer local, so that a VM that comes back is announced again. */
static void
announce_arrivals(const struct dtrec_hypervisor *hv,
                  const struct sset *arrived, ofp_port_t port,
                  struct eth_addr mac)
{
    char *prefix = xasprintf("%016"PRIx64"/", hv->datapath_id);
    const char *key, *next;

    SSET_FOR_EACH_SAFE (key, next, &announced) {
        if (!strncmp(key, prefix, strlen(prefix))
            && !sset_contains(arrived, key)) {
            sset_delete(&announced, SSET_NODE_FROM_NAME(key));
        }
    }
    free(prefix);

    SSET_FOR_EACH (key, arrived) {
        uint32_t vni;
        ovs_be32 ip;

        if (sset_contains(&announced, key)
            || !ovs_scan(key, "%*x/%"SCNu32"/"IP_SCAN_FMT, &vni,
                         IP_SCAN_ARGS(&ip))) {
            continue;
        }
        sset_add(&announced, key);
        if (n_announcements >= allocated_announcements) {
            announcements = x2nrealloc(announcements,
                                       &allocated_announcements,
                                       sizeof *announcements);
        }
        announcements[n_announcements++] = (struct sarp_announcement) {
            .dpid = hv->datapath_id, .port = port, .mac = mac, .ip = ip,
        };
    }
}

/* Sends the queued announcements: a gratuitous ARP request, broadcast. */
static void
send_announcements(void)
{
    for (size_t i = 0; i < n_announcements; i++) {
        const struct sarp_announcement *an = &announcements[i];
        struct ctlsw *sw = ctlsw_find(an->dpid);
        if (sw) {
            COVERAGE_INC(sarp_announce);
            send_arp(sw, an->port, ARP_OP_REQUEST, an->mac, eth_addr_zero,
                     true, an->ip, an->ip);
        }
    }
    n_announcements = 0;
}

/* Handles an SP_SARP packet-in.  See sarp.h. */
void
sarp_packet_in(const struct ovsdb_idl *idl, struct ctlsw *sw,
               const struct sp_packet_in *pin)
{
    const struct dtrec_hypervisor *hv;
    struct eth_addr edge_mac;
    uint64_t dpid;

    if (!swconn_get_dpid(sw->swconn, &dpid)
        || !(hv = dt_db_find_hypervisor_by_dpid(idl, dpid))
        || !hv_edge_mac(hv, &edge_mac)) {
        COVERAGE_INC(sarp_drop);
        return;
    }
    const struct simap_node *ic = simap_find(swconn_get_ports(sw->swconn),
                                             hv_port(hv));
    if (!ic) {
        COVERAGE_INC(sarp_drop);
        return;
    }
    ofp_port_t ic_port = u16_to_ofp(ic->data);
    struct sarp_edge *edge = edge_find(dpid, true);
    const struct flow *f = &pin->flow;

    if (pin->in_port == ic_port) {
        handle_interconnect(idl, sw, edge, hv, &edge_mac, pin);
        return;
    }

    /* From a local VM: an ARP request or an IP packet no flow knows. */
    bool arp = f->dl_type == htons(ETH_TYPE_ARP);
    ovs_be32 target = f->nw_dst;
    const struct dtrec_endpoint *local = NULL;
    struct sarp_addr *a = resolve(idl, edge, hv, pin->vni, target, &local);

    if (a && a->record) {
        if (arp) {
            send_arp(sw, pin->in_port, ARP_OP_REPLY, a->record->mac,
                     f->arp_sha, false, target, f->nw_src);
        } else {
            /* The egress rewrite, done here this once. */
            char *actions = xasprintf("set_field:"ETH_ADDR_FMT"->eth_src,"
                                      "set_field:"ETH_ADDR_FMT"->eth_dst,"
                                      "output:%"PRIu16,
                                      ETH_ADDR_ARGS(edge_mac),
                                      ETH_ADDR_ARGS(a->record->mac),
                                      ofp_to_u16(ic_port));
            COVERAGE_INC(sarp_rewrite);
            pinctrl_packet_out(sw, pin->packet, pin->packet_len,
                               OFPP_CONTROLLER, actions);
            free(actions);
        }
    } else if (local) {
        /* A VM that has just arrived here; its flows are coming.  Local
         * ARP stays local: the VM answers for itself. */
        struct eth_addr mac;
        char *error = dt_parse_endpoint_mac(local->mac, &mac);
        if (!error && arp) {
            send_arp(sw, pin->in_port, ARP_OP_REPLY, mac, f->arp_sha, false,
                     target, f->nw_src);
        }
        free(error);
    } else if (!a) {
        /* Nobody in the database: the seed's request across the
         * interconnect, from this edge's MAC and the asking VM's
         * address, for edges that are not dovetail's. */
        addr_set(edge, pin->vni, target, NULL, SARP_SRC_WIRE, time_msec(),
                 SARP_PENDING_MSEC);
        COVERAGE_INC(sarp_request_sent);
        send_arp(sw, ic_port, ARP_OP_REQUEST, edge_mac, eth_addr_zero, true,
                 f->nw_src, target);
        a = addr_find(edge, pin->vni, target);
    } else {
        COVERAGE_INC(sarp_drop);    /* Still waiting for an answer. */
    }
    if (a && !a->record && arp) {
        a->waiting = true;
        a->waiter_port = pin->in_port;
        a->waiter_mac = f->arp_sha;
        a->waiter_ip = f->nw_src;
    }
}

/* Ages the caches; on a database change, moves what moved.  See
 * sarp.h. */
bool
sarp_run(const struct ovsdb_idl *idl, bool db_changed)
{
    long long int now = time_msec();
    struct sarp_edge *edge;

    show_idl = idl;
    send_announcements();
    if (now < next_expiry && !db_changed) {
        bool changed = caches_changed;
        caches_changed = false;
        return changed;
    }
    next_expiry = LLONG_MAX;
    HMAP_FOR_EACH (edge, node, &edges) {
        const struct dtrec_hypervisor *hv
            = dt_db_find_hypervisor_by_dpid(idl, edge->dpid);
        struct sarp_addr *a;

        HMAP_FOR_EACH_SAFE (a, node, &edge->addrs) {
            if (a->expires <= now) {
                COVERAGE_INC(sarp_cache_aged);
                edge->aged++;
                addr_remove(edge, a);
                continue;
            }
            if (db_changed && a->source == SARP_SRC_DPS && a->record) {
                /* The database is the truth for what it knows: the entry
                 * follows its endpoint (or goes with it). */
                const struct dtrec_endpoint *ep
                    = find_endpoint(idl, a->vni, a->ip, false);
                struct eth_addr mac;
                if (!ep || !ep->hypervisor || ep->hypervisor == hv
                    || !hv_edge_mac(ep->hypervisor, &mac)) {
                    addr_remove(edge, a);
                    continue;
                } else if (!eth_addr_equals(mac, a->record->mac)) {
                    COVERAGE_INC(sarp_cache_moved);
                    edge->moved++;
                    addr_set(edge, a->vni, a->ip, &mac, SARP_SRC_DPS, now,
                             net_aging_msec(idl, a->vni));
                }
            }
            next_expiry = MIN(next_expiry, a->expires);
        }
    }
    bool changed = caches_changed;
    caches_changed = false;
    return changed;
}

void
sarp_wait(void)
{
    if (caches_changed || n_announcements) {
        poll_immediate_wake();
    } else if (next_expiry != LLONG_MAX) {
        poll_timer_wait_until(next_expiry);
    }
}

/* The resolution of a miss for (vni, ip) at 'edge' (hypervisor 'hv'):
 * returns the cache entry, creating it from the database if it is not
 * there, or NULL if the database does not know the address.  An address
 * of a VM on 'hv' itself is no cache entry: stores its endpoint in
 * '*local' and returns NULL. */
static struct sarp_addr *
resolve(const struct ovsdb_idl *idl, struct sarp_edge *edge,
        const struct dtrec_hypervisor *hv, uint32_t vni, ovs_be32 ip,
        const struct dtrec_endpoint **local)
{
    struct sarp_addr *a = addr_find(edge, vni, ip);
    if (a && a->record) {
        COVERAGE_INC(sarp_cache_hit);
        edge->hits++;
        return a;
    }

    COVERAGE_INC(sarp_cache_miss);
    edge->misses++;
    const struct dtrec_endpoint *ep = find_endpoint(idl, vni, ip, false);
    struct eth_addr mac;
    if (!ep || !ep->hypervisor) {
        return a;               /* Perhaps pending on the wire. */
    } else if (ep->hypervisor == hv) {
        *local = ep;
        return NULL;
    } else if (!hv_edge_mac(ep->hypervisor, &mac)) {
        return NULL;
    }
    addr_set(edge, vni, ip, &mac, SARP_SRC_DPS, time_msec(),
             net_aging_msec(idl, vni));
    return addr_find(edge, vni, ip);
}

/* ARP from the interconnect: the seed's exchange between edges.  A
 * request for a local VM is answered with this edge's MAC; the
 * requester's (address, edge MAC) is cached, as is the answer to a
 * request of ours; a gratuitous ARP moves the address it announces. */
static void
handle_interconnect(const struct ovsdb_idl *idl, struct ctlsw *sw,
                    struct sarp_edge *edge, const struct dtrec_hypervisor *hv,
                    const struct eth_addr *edge_mac,
                    const struct sp_packet_in *pin)
{
    const struct flow *f = &pin->flow;
    long long int now = time_msec();

    if (f->dl_type == htons(ETH_TYPE_IP)) {
        /* To this edge's MAC, for an address no flow knows here: a VM
         * that has just left (or never was here); the controller sends it
         * on to where the VM is now. */
        const struct dtrec_endpoint *ep = find_endpoint(idl, 0, f->nw_dst,
                                                        true);
        if (ep) {
            pinctrl_locate(sw, pin, &ep->header_.uuid);
        } else {
            COVERAGE_INC(sarp_drop);
        }
        return;
    }
    if (f->dl_type != htons(ETH_TYPE_ARP)
        || eth_addr_equals(f->arp_sha, *edge_mac)
        || eth_addr_is_multicast(f->arp_sha) || !f->nw_src) {
        COVERAGE_INC(sarp_drop);
        return;
    }

    if (f->nw_src == f->nw_dst) {
        /* Gratuitous: every entry for that address, in any network,
         * follows it. */
        struct sarp_addr *a;
        COVERAGE_INC(sarp_garp);
        HMAP_FOR_EACH_SAFE (a, node, &edge->addrs) {
            if (a->ip == f->nw_src) {
                if (a->record && !eth_addr_equals(a->record->mac,
                                                  f->arp_sha)) {
                    edge->moved++;
                    COVERAGE_INC(sarp_cache_moved);
                }
                addr_set(edge, a->vni, a->ip, &f->arp_sha, SARP_SRC_WIRE,
                         now, net_aging_msec(idl, a->vni));
            }
        }
        return;
    }

    const struct dtrec_endpoint *target = find_endpoint(idl, 0, f->nw_dst,
                                                        true);
    if (f->nw_proto == ARP_OP_REQUEST) {
        if (!target || target->hypervisor != hv
            || !sarp_network_is_sarp(target->network)) {
            return;             /* Not ours to answer. */
        }
        /* FIG. 5A: the requester's address, behind its edge's MAC. */
        uint32_t vni = target->network->vni;
        const struct dtrec_endpoint *src
            = find_endpoint(idl, vni, f->nw_src, false);
        if (!src || src->hypervisor != hv) {
            addr_set(edge, vni, f->nw_src, &f->arp_sha,
                     src ? SARP_SRC_DPS : SARP_SRC_WIRE, now,
                     net_aging_msec(idl, vni));
        }
        COVERAGE_INC(sarp_reply_sent);
        send_arp(sw, pin->in_port, ARP_OP_REPLY, *edge_mac, f->arp_sha,
                 false, f->nw_dst, f->nw_src);
    } else if (f->nw_proto == ARP_OP_REPLY
               && eth_addr_equals(f->arp_tha, *edge_mac)) {
        /* The answer to a request of ours: in the network it was asked
         * for in. */
        struct sarp_addr *a, *pending = NULL;
        HMAP_FOR_EACH (a, node, &edge->addrs) {
            if (a->ip == f->nw_src && !a->record) {
                pending = a;
                break;
            }
        }
        if (pending) {
            addr_set(edge, pending->vni, f->nw_src, &f->arp_sha,
                     SARP_SRC_WIRE, now, net_aging_msec(idl, pending->vni));
            if (pending->waiting) {
                /* The local VM that asked gets its answer now. */
                pending->waiting = false;
                send_arp(sw, pending->waiter_port, ARP_OP_REPLY, f->arp_sha,
                         pending->waiter_mac, false, f->nw_src,
                         pending->waiter_ip);
            }
        }
    }
}

/* Stores (vni, ip) -> 'mac' (NULL: asked for, no answer yet) in 'edge''s
 * cache, refreshed at 'now', for 'lifetime' ms. */
static void
addr_set(struct sarp_edge *edge, uint32_t vni, ovs_be32 ip,
         const struct eth_addr *mac, enum sarp_source source,
         long long int now, long long int lifetime)
{
    struct sarp_addr *a = addr_find(edge, vni, ip);
    struct sarp_record *r = NULL;

    if (mac) {
        uint32_t hash = hash_bytes(mac, sizeof *mac, 0);
        HMAP_FOR_EACH_WITH_HASH (r, node, hash, &edge->records) {
            if (eth_addr_equals(r->mac, *mac)) {
                break;
            }
        }
        if (!r) {
            r = xzalloc(sizeof *r);
            r->mac = *mac;
            ovs_list_init(&r->addrs);
            hmap_insert(&edge->records, &r->node, hash);
        }
    }
    if (!a) {
        a = xzalloc(sizeof *a);
        a->vni = vni;
        a->ip = ip;
        hmap_insert(&edge->addrs, &a->node, hash_2words(vni, (OVS_FORCE
                                                              uint32_t) ip));
    }
    if (a->record != r) {
        if (a->record) {
            ovs_list_remove(&a->record_node);
            if (!--a->record->n_addrs) {
                hmap_remove(&edge->records, &a->record->node);
                free(a->record);
            }
        }
        a->record = r;
        if (r) {
            ovs_list_push_back(&r->addrs, &a->record_node);
            r->n_addrs++;
        }
        caches_changed = true;
    }
    a->source = source;
    a->stored = now;
    a->expires = now + lifetime;
    next_expiry = MIN(next_expiry, a->expires);
}

static void
addr_remove(struct sarp_edge *edge, struct sarp_addr *a)
{
    if (a->record) {
        ovs_list_remove(&a->record_node);
        if (!--a->record->n_addrs) {
            hmap_remove(&edge->records, &a->record->node);
            free(a->record);
        }
        caches_changed = true;
    }
    hmap_remove(&edge->addrs, &a->node);
    free(a);
}

static struct sarp_addr *
addr_find(struct sarp_edge *edge, uint32_t vni, ovs_be32 ip)
{
    struct sarp_addr *a;

    HMAP_FOR_EACH_WITH_HASH (a, node,
                             hash_2words(vni, (OVS_FORCE uint32_t) ip),
                             &edge->addrs) {
        if (a->vni == vni && a->ip == ip) {
            return a;
        }
    }
    return NULL;
}

static struct sarp_edge *
edge_find(uint64_t dpid, bool create)
{
    struct sarp_edge *edge;
    uint32_t hash = hash_uint64(dpid);

    HMAP_FOR_EACH_WITH_HASH (edge, node, hash, &edges) {
        if (edge->dpid == dpid) {
            return edge;
        }
    }
    if (!create) {
        return NULL;
    }
    edge = xzalloc(sizeof *edge);
    edge->dpid = dpid;
    hmap_init(&edge->records);
    hmap_init(&edge->addrs);
    hmap_insert(&edges, &edge->node, hash);
    return edge;
}

/* Returns the endpoint of a "sarp" network with VNI 'vni' (any, if
 * 'any_vni') that has IPv4 address 'ip', or NULL. */
static const struct dtrec_endpoint *
find_endpoint(const struct ovsdb_idl *idl, uint32_t vni, ovs_be32 ip,
              bool any_vni)
{
    const struct dtrec_endpoint *ep;

    DTREC_ENDPOINT_FOR_EACH (ep, idl) {
        ovs_be32 *ips;
        size_t n;

        if (!sarp_network_is_sarp(ep->network)
            || (!any_vni && ep->network->vni != vni)
            || !ep_ipv4s(ep, &ips, &n)) {
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            if (ips[i] == ip) {
                free(ips);
                return ep;
            }
        }
        free(ips);
    }
    return NULL;
}

/* Stores in '*ips' (to free) the '*n' valid IPv4 addresses of 'ep';
 * returns false (nothing to free) if it has none. */
static bool
ep_ipv4s(const struct dtrec_endpoint *ep, ovs_be32 **ips, size_t *n)
{
    *ips = xmalloc((ep->n_addresses ? ep->n_addresses : 1) * sizeof **ips);
    *n = 0;
    for (size_t i = 0; i < ep->n_addresses; i++) {
        struct in6_addr ip;
        char *error = dt_parse_ip(ep->addresses[i]->ip, &ip, NULL);
        if (error) {
            free(error);
        } else if (IN6_IS_ADDR_V4MAPPED(&ip)) {
            (*ips)[(*n)++] = in6_addr_get_mapped_ipv4(&ip);
        }
    }
    if (!*n) {
        free(*ips);
        *ips = NULL;
        return false;
    }
    return true;
}

/* The edge MAC of 'hv' on the interconnect: external_ids:sarp-mac, or
 * 0a:5a plus the low 32 bits of its datapath id. */
static bool
hv_edge_mac(const struct dtrec_hypervisor *hv, struct eth_addr *mac)
{
    const char *s = smap_get(&hv->external_ids, "sarp-mac");
    if (s) {
        char *error = dt_parse_mac(s, mac);
        if (error) {
            VLOG_WARN_RL(&rl, "hypervisor %s: sarp-mac: %s", hv->name,
                         error);
            free(error);
            return false;
        }
        return !eth_addr_is_multicast(*mac);
    }
    uint64_t dpid = hv->datapath_id;
    *mac = (struct eth_addr) { .ea = { 0x0a, 0x5a, dpid >> 24, dpid >> 16,
                                       dpid >> 8, dpid } };
    return true;
}

static const char *
hv_port(const struct dtrec_hypervisor *hv)
{
    return smap_get_def(&hv->external_ids, "sarp-port", SARP_DEFAULT_PORT);
}

static long long int
net_aging_msec(const struct ovsdb_idl *idl, uint32_t vni)
{
    const struct dtrec_virtual_network *net
        = dt_db_find_network_by_vni(idl, vni);
    int aging = net ? smap_get_int(&net->external_ids, "sarp-aging",
                                   SARP_DEFAULT_AGING)
                    : SARP_DEFAULT_AGING;
    return (aging > 0 ? aging : SARP_DEFAULT_AGING) * 1000LL;
}

static void
send_arp(struct ctlsw *sw, ofp_port_t out, uint16_t op, struct eth_addr sha,
         struct eth_addr tha, bool bcast, ovs_be32 spa, ovs_be32 tpa)
{
    struct dp_packet p;
    char actions[32];

    dp_packet_init(&p, 64);
    compose_arp(&p, op, sha, tha, bcast, spa, tpa);
    snprintf(actions, sizeof actions, "output:%"PRIu16, ofp_to_u16(out));
    pinctrl_packet_out(sw, dp_packet_data(&p), dp_packet_size(&p),
                       OFPP_CONTROLLER, actions);
    dp_packet_uninit(&p);
}

/* "sarp/show [DPID]": each edge's cache, one record per remote edge MAC
 * with the addresses behind it. */
static void
sarp_show(struct unixctl_conn *conn, int argc, const char *argv[],
          void *aux OVS_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    long long int now = time_msec();
    unsigned long long int only = 0;
    struct sarp_edge *edge;

    if (argc > 1 && !str_to_ullong(argv[1], 16, &only)) {
        unixctl_command_reply_error(conn, "bad datapath id");
        return;
    }
    HMAP_FOR_EACH (edge, node, &edges) {
        if (argc > 1 && edge->dpid != only) {
            continue;
        }
        const struct dtrec_hypervisor *hv
            = show_idl ? dt_db_find_hypervisor_by_dpid(show_idl, edge->dpid)
                       : NULL;
        struct eth_addr mac = eth_addr_zero;
        if (hv) {
            hv_edge_mac(hv, &mac);
        }
        ds_put_format(&s, "edge %016"PRIx64" (%s) mac "ETH_ADDR_FMT": "
                      "%"PRIuSIZE" records, %"PRIuSIZE" addresses, "
                      "hits %llu misses %llu aged %llu moved %llu\n",
                      edge->dpid, hv ? hv->name : "?", ETH_ADDR_ARGS(mac),
                      hmap_count(&edge->records), hmap_count(&edge->addrs),
                      edge->hits, edge->misses, edge->aged, edge->moved);
        const struct sarp_record *r;
        HMAP_FOR_EACH (r, node, &edge->records) {
            ds_put_format(&s, "  "ETH_ADDR_FMT": %"PRIuSIZE" addresses\n",
                          ETH_ADDR_ARGS(r->mac), r->n_addrs);
            const struct sarp_addr *a;
            LIST_FOR_EACH (a, record_node, &r->addrs) {
                ds_put_format(&s, "    vni %"PRIu32" "IP_FMT" %s, "
                              "expires in %lld ms\n", a->vni, IP_ARGS(a->ip),
                              a->source == SARP_SRC_DPS ? "dps" : "wire",
                              a->expires - now);
            }
        }
        const struct sarp_addr *a;
        HMAP_FOR_EACH (a, node, &edge->addrs) {
            if (!a->record) {
                ds_put_format(&s, "  pending: vni %"PRIu32" "IP_FMT"\n",
                              a->vni, IP_ARGS(a->ip));
            }
        }
    }
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}
