/*
 * actions: dovetail's extension actions, compiled into standard OpenFlow
 * flows that a stock ovs-vswitchd runs.
 *
 * OVS has no plugin interface for new actions (ARCHITECTURE.md), so each
 * extension action is a macro over OVS's own actions: a flow written in
 * ovs-ofctl syntax that uses one is expanded into one or more standard
 * flows in ovs-ofctl syntax, which dovetail-ofctl sends to the switch and
 * the controller installs.  The actions, from the seeds
 * vm-mobility-anycast-dmac and overlay-tenant-oui-vlan:
 *
 *   anycast_on_miss(mac=M[,uplink=PORT])    unicast L2 miss -> DMAC M
 *   tenant_from_oui(OUI=VNI[,OUI=VNI...])   tenant (metadata) from SMAC OUI
 *   vlan_unique(ingress,trunk=P,vid=V[,also=V2])  per-VM VLAN in from trunk
 *   vlan_unique(egress,trunk=P,vid=V)       per-VM VLAN out to the trunk
 *   mac_in_ip(remote=IP,port=PORT)          keyless GRE, no UDP, no key
 *   mcast_oui(oui=OUI)                      DMAC = OUI|I/G + IPv4 group
 *
 * Most of them are a plain substitution: the action is replaced by OVS
 * actions in place.  Some "fork" the flow: they need a different outcome
 * for packets that a match can tell apart (multicast vs unicast
 * destination, one source OUI or another, one VLAN or another), so besides
 * the flow as written ("the base flow") they add variants of it at
 * priority + 1, each with one more match field, in which the action is
 * replaced by something else.  A flow may contain one forking action at
 * most.  In every flow, the actions written before and after the
 * extension action stay where they are, except that a base flow in which
 * the action drops the packet ends the list there.
 *
 * Extension actions may also appear inside clone(...), so that one packet
 * can be copied once per tenant: clone(mcast_oui(oui=02:aa:bb),output:1),
 * clone(mcast_oui(oui=02:cc:dd),output:2).
 *
 * None of the actions needs the controller today.  One that does would
 * encode its slow-path part as slowpath.h's controller action with an
 * opcode of its own (sp_put_controller_action()).
 *
 * The code follows OVN's lib/actions.c: one X-macro, OFEXT_ACTIONS, lists
 * every action; each has parse_<ENUM>(), format_<ENUM>(), encode_<ENUM>()
 * and free_<ENUM>() in actions.c, and parse(format(a)) == a.
 */
#ifndef OFPROTO_EXT_ACTIONS_H
#define OFPROTO_EXT_ACTIONS_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openvswitch/compiler.h"
#include "openvswitch/types.h"
#include "openvswitch/util.h"

struct ds;
struct ofputil_port_map;
struct svec;

/* Every extension action: OFEXT_ACTION(ENUM, NAME, FORKS). FORKS is true
 * for actions that may add variants of their flow (see above). */
#define OFEXT_ACTIONS                                           \
    OFEXT_ACTION(ANYCAST_ON_MISS, "anycast_on_miss", true)      \
    OFEXT_ACTION(TENANT_FROM_OUI, "tenant_from_oui", true)      \
    OFEXT_ACTION(VLAN_UNIQUE,     "vlan_unique",     true)      \
    OFEXT_ACTION(MAC_IN_IP,       "mac_in_ip",       false)     \
    OFEXT_ACTION(MCAST_OUI,       "mcast_oui",       false)

enum ofext_action_type {
#define OFEXT_ACTION(ENUM, NAME, FORKS) OFEXT_##ENUM,
    OFEXT_ACTIONS
#undef OFEXT_ACTION
    N_OFEXT_ACTIONS
};

/* An organizationally unique identifier: the first 3 bytes of a MAC. */
struct ofext_oui {
    uint8_t b[3];
};

/* anycast_on_miss(mac=M[,uplink=PORT]). */
struct ofext_anycast_on_miss {
    struct eth_addr mac;        /* The anycast gateway MAC (unicast). */
    bool has_uplink;            /* Literal mode: out 'uplink', no routing. */
    ofp_port_t uplink;          /* The uplink port if 'has_uplink'. */
};

/* One tenant of tenant_from_oui(): OUI=VNI. */
struct ofext_tenant {
    struct ofext_oui oui;       /* A unicast OUI the tenant owns. */
    uint32_t vni;               /* The tenant's VNI, 1...16777215. */
};

/* tenant_from_oui(OUI=VNI[,OUI=VNI...]). */
struct ofext_tenant_from_oui {
    struct ofext_tenant *tenants;   /* In the order written. */
    size_t n_tenants;               /* At least 1; OUIs all differ. */
};

/* vlan_unique(ingress|egress,trunk=PORT,vid=V[,also=V2]). */
struct ofext_vlan_unique {
    bool egress;                /* Egress (tag, out the trunk)? Else
                                 * ingress (accept the tag from it). */
    ofp_port_t trunk;           /* The trunk port to the hypervisor. */
    uint16_t vid;               /* The VM's VLAN, 1...4094. */
    uint16_t also;              /* Ingress only: a second VLAN accepted
                                 * during a re-tag, or 0 for none. */
};

/* mac_in_ip(remote=IP,port=PORT). */
struct ofext_mac_in_ip {
    ovs_be32 remote;            /* Unicast IPv4 tunnel destination. */
    ofp_port_t port;            /* The keyless GRE port. */
};

/* mcast_oui(oui=OUI). */
struct ofext_mcast_oui {
    struct ofext_oui oui;       /* The target tenant's (unicast) OUI. */
};

/* A parsed extension action. */
struct ofext_action {
    enum ofext_action_type type;
    union {
        struct ofext_anycast_on_miss anycast_on_miss;
        struct ofext_tenant_from_oui tenant_from_oui;
        struct ofext_vlan_unique vlan_unique;
        struct ofext_mac_in_ip mac_in_ip;
        struct ofext_mcast_oui mcast_oui;
    };
};

/* Expands 'flow', one flow in ovs-ofctl add-flow (or mod-flows) syntax, a
 * match followed by "actions=", whose actions may include extension
 * actions, into standard flows in ovs-ofctl syntax that it appends to
 * 'flows': the base flow first, then its variants in the order the
 * action lists them.  Port names in 'flow' are resolved through
 * 'port_map' (may be NULL: numbers only).
 *
 * Checks everything, including that OVS itself accepts each standard
 * action and every resulting flow.  Returns NULL if successful, otherwise
 * a malloc'd error that names the bad token and its column (1-based) in
 * 'flow', e.g. 'column 23: unknown action "anycst_on_miss"'; then
 * 'flows' is unchanged. */
char *ofext_expand_flow(const char *flow, const struct ofputil_port_map *,
                        struct svec *flows)
    OVS_WARN_UNUSED_RESULT;

/* Parses 's', one extension action such as "mcast_oui(oui=02:aa:bb)",
 * into '*action', resolving port names through 'port_map' (may be NULL).
 * Returns NULL if successful (the caller must then ofext_action_uninit()
 * it), otherwise a malloc'd error naming the bad token and its column in
 * 's'. */
char *ofext_action_parse(const char *s, const struct ofputil_port_map *,
                         struct ofext_action *action)
    OVS_WARN_UNUSED_RESULT;

/* Appends 'action' to 's' in the syntax ofext_action_parse() reads back
 * into an equal action. */
void ofext_action_format(const struct ofext_action *action,
                         const struct ofputil_port_map *, struct ds *s);

/* Frees what 'action' owns (not 'action' itself). */
void ofext_action_uninit(struct ofext_action *action);

/* Returns the name of 'type' ("anycast_on_miss"...). */
const char *ofext_action_name(enum ofext_action_type type);

/* Stores in '*type' the extension action named by the 'len' bytes at
 * 'name' and returns true, or returns false if there is none. */
bool ofext_action_from_name(const char *name, size_t len,
                            enum ofext_action_type *type);

#endif /* ofproto-ext/actions.h */
