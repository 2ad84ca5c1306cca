/*
 * dt-pool: the address pools of the overlay-tenant-OUI design: which
 * tenant owns which OUI, the MACs a tenant's VMs are given from its OUIs,
 * and the VLAN each VM gets on its hypervisor.
 *
 * A tenant is known on the wire by the OUI (the first three bytes) of its
 * VMs' source MACs, so an OUI belongs to at most one tenant, and a tenant
 * may own several.  A tenant's OUIs are configured, or allocated from the
 * locally administered range (the U/L bit, 0x02 of the first byte, set;
 * the I/G bit, 0x01, clear: 02:xx:xx, 06:xx:xx, ..., fe:xx:xx).  A VM's
 * MAC is made from one of its tenant's OUIs and a NIC part (the last three
 * bytes) that no other endpoint uses.  A VM's VLAN is unique on its
 * hypervisor, so that a conventional vswitch there can never switch
 * between two VMs itself, and a VM keeps its VLAN when it migrates if it
 * can.
 *
 * The database is the source of truth: a pool is built from the Tenant
 * and Endpoint rows (lib/dt-pool-idl.h does that from an IDL replica),
 * asked for an allocation or a check, and thrown away.  An endpoint's
 * removal therefore releases its MAC and VLAN with nothing more to do: the
 * next pool built does not have them.  An allocation also takes what it
 * returns, so that several in a row from one pool give different values.
 *
 * This module does no I/O.  Functions that can fail return NULL or a
 * malloc'd message that names the value and the rule it breaks; the
 * caller frees it.
 */
#ifndef DT_POOL_H
#define DT_POOL_H 1

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "openvswitch/compiler.h"
#include "openvswitch/hmap.h"
#include "openvswitch/types.h"
#include "openvswitch/util.h"

/* OUIs are 24-bit numbers: the first byte of the MAC in bits 16 to 23. */
#define POOL_OUI_GROUP 0x010000     /* I/G bit: multicast. */
#define POOL_OUI_LOCAL 0x020000     /* U/L bit: locally administered. */

/* The locally administered unicast OUIs, lowest and highest. */
#define POOL_OUI_LOCAL_FIRST 0x020000
#define POOL_OUI_LOCAL_LAST 0xfeffff

/* The NIC parts (low 24 bits of a MAC) that allocation hands out: never
 * 00:00:00 nor ff:ff:ff. */
#define POOL_NIC_FIRST 0x000001
#define POOL_NIC_LAST 0xfffffe

/* Room for an OUI as text, "xx:xx:xx" and its null. */
#define POOL_OUI_STRLEN 9

/* Who owns each OUI and which MACs are in use. */
struct pool {
    struct hmap ouis;           /* Contains 'struct pool_oui's (dt-pool.c),
                                 * one per OUI that a tenant owns or that
                                 * some MAC in use has. */
};

/* OUIs. */
char *pool_format_oui(uint32_t oui, char buf[POOL_OUI_STRLEN]);
uint32_t pool_mac_oui(const struct eth_addr);

/* A pool. */
void pool_init(struct pool *);
void pool_destroy(struct pool *);

/* Ownership of OUIs. */
char *pool_add_oui(struct pool *, uint32_t oui, const char *tenant)
    OVS_WARN_UNUSED_RESULT;
const char *pool_oui_owner(const struct pool *, uint32_t oui);
char *pool_check_oui(const struct pool *, uint32_t oui, const char *tenant)
    OVS_WARN_UNUSED_RESULT;
char *pool_alloc_oui(struct pool *, const char *tenant, uint32_t first,
                     uint32_t last, uint32_t *oui) OVS_WARN_UNUSED_RESULT;

/* MACs in use. */
void pool_add_mac(struct pool *, const struct eth_addr);
bool pool_mac_in_use(struct pool *, const struct eth_addr);
char *pool_check_mac(struct pool *, const struct eth_addr,
                     const char *tenant) OVS_WARN_UNUSED_RESULT;
char *pool_alloc_mac(struct pool *, const char *tenant, struct eth_addr *)
    OVS_WARN_UNUSED_RESULT;

/* The VLANs in use on one hypervisor: 1 to 4094 (0 and 4095 are
 * reserved by 802.1Q). */
#define POOL_VLAN_MIN 1
#define POOL_VLAN_MAX 4094
#define POOL_VLAN_BITS 4096

struct pool_vlans {
    unsigned long used[DIV_ROUND_UP(POOL_VLAN_BITS, BITMAP_ULONG_BITS)];
                                /* Bit V set: VLAN V is in use. */
};

void pool_vlans_init(struct pool_vlans *);
void pool_vlans_add(struct pool_vlans *, int64_t vlan);
bool pool_vlans_in_use(const struct pool_vlans *, int64_t vlan);
char *pool_alloc_vlan(struct pool_vlans *, const char *hypervisor,
                      int64_t preferred, int *vlan) OVS_WARN_UNUSED_RESULT;

#endif /* lib/dt-pool.h */
