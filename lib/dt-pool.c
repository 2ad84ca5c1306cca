/*
 * dt-pool: OUI, MAC and VLAN pools.  See dt-pool.h.
 *
 * A pool is a hash map from OUI to what is known of it: the tenant that
 * owns it, if any, and the NIC parts of the MACs in use with it, as a
 * sorted array.  The lowest free NIC part of an OUI is then found by a
 * binary search (the used NIC parts below it are exactly 1, 2, ..., so
 * nics[i] == i + 1 up to the first gap), and a check is a binary search
 * too.  Adding MACs in any order only appends; the array is sorted the
 * first time it is searched.  Four bytes per MAC in use, nothing per MAC
 * that is not.
 *
 * A hypervisor's VLANs are a 4096-bit bitmap: the lowest free one is a
 * scan of 64 words.
 */
#include <config.h>
#include "lib/dt-pool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bitmap.h"
#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/util.h"
#include "packets.h"
#include "util.h"

/* What a pool knows of one OUI. */
struct pool_oui {
    struct hmap_node node;      /* In struct pool's 'ouis', by hash_int(). */
    uint32_t oui;               /* The OUI, 24 bits. */
    char *tenant;               /* Name of the tenant that owns it, or NULL
                                 * if none does (but MACs with it are in
                                 * use). */

    /* The NIC parts (low 24 bits) of the MACs in use with this OUI. */
    uint32_t *nics;             /* 'n_nics' of them. */
    size_t n_nics;
    size_t allocated_nics;      /* Room in 'nics'. */
    bool sorted;                /* Ascending and without duplicates? */
};

static struct pool_oui *find_oui(const struct pool *, uint32_t oui);
static struct pool_oui *get_oui(struct pool *, uint32_t oui);
static bool oui_is_taken(const struct pool_oui *);
static struct pool_oui **tenant_ouis(const struct pool *, const char *tenant,
                                     size_t *n);
static char *format_ouis(struct pool_oui **, size_t n);
static void sort_nics(struct pool_oui *);
static size_t lowest_free_nic(const struct pool_oui *, uint32_t *nic);
static uint32_t mac_nic(const struct eth_addr);
static int compare_nics(const void *, const void *);

/* Writes 'oui' (24 bits) as "xx:xx:xx" into 'buf'.  Returns 'buf'.  The
 * text form is what dt_parse_oui() in lib/dt-addr.h parses. */
char *
pool_format_oui(uint32_t oui, char buf[POOL_OUI_STRLEN])
{
    snprintf(buf, POOL_OUI_STRLEN, "%02x:%02x:%02x", (oui >> 16) & 0xff,
             (oui >> 8) & 0xff, oui & 0xff);
    return buf;
}

/* Returns the OUI of 'mac': its first three bytes as a 24-bit number. */
uint32_t
pool_mac_oui(const struct eth_addr mac)
{
    return (mac.ea[0] << 16) | (mac.ea[1] << 8) | mac.ea[2];
}

/* Initializes 'pool' as empty: no OUI owned, no MAC in use. */
void
pool_init(struct pool *pool)
{
    hmap_init(&pool->ouis);
}

/* Frees everything 'pool' holds.  A null 'pool' is a no-op. */
void
pool_destroy(struct pool *pool)
{
    if (pool) {
        struct pool_oui *e;

        HMAP_FOR_EACH_POP (e, node, &pool->ouis) {
            free(e->tenant);
            free(e->nics);
            free(e);
        }
        hmap_destroy(&pool->ouis);
    }
}

/* Records that 'tenant' owns 'oui', if pool_check_oui() allows it (which
 * is then the error returned and 'pool' is unchanged).  Owning an OUI
 * twice is not an error. */
char *
pool_add_oui(struct pool *pool, uint32_t oui, const char *tenant)
{
    char *error = pool_check_oui(pool, oui, tenant);
    if (!error) {
        struct pool_oui *e = get_oui(pool, oui);
        if (!e->tenant) {
            e->tenant = xstrdup(tenant);
        }
    }
    return error;
}

/* Returns the name of the tenant that owns 'oui', or NULL if none does. */
const char *
pool_oui_owner(const struct pool *pool, uint32_t oui)
{
    const struct pool_oui *e = find_oui(pool, oui);
    return e ? e->tenant : NULL;
}

/* Checks that 'tenant' may own 'oui': it is unicast (I/G bit clear) and no
 * other tenant owns it.  It may be 'tenant''s already. */
char *
pool_check_oui(const struct pool *pool, uint32_t oui, const char *tenant)
{
    char s[POOL_OUI_STRLEN];

    ovs_assert(oui <= 0xffffff);
    if (oui & POOL_OUI_GROUP) {
        return xasprintf("OUI %s is not unicast (the I/G bit is set)",
                         pool_format_oui(oui, s));
    }

    const char *owner = pool_oui_owner(pool, oui);
    if (owner && strcmp(owner, tenant)) {
        return xasprintf("OUI %s is already owned by tenant \"%s\"",
                         pool_format_oui(oui, s), owner);
    }
    return NULL;
}

/* Finds the lowest locally administered unicast OUI from 'first' to 'last'
 * (both 24-bit; POOL_OUI_LOCAL_FIRST and POOL_OUI_LOCAL_LAST for the whole
 * range) that no tenant owns and no MAC in use has, stores it in '*oui'
 * and records that 'tenant' owns it.  Skipping OUIs that MACs use keeps a
 * new tenant from inheriting endpoints that predate it.  Fails if there is
 * none left. */
char *
pool_alloc_oui(struct pool *pool, const char *tenant, uint32_t first,
               uint32_t last, uint32_t *oui)
{
    ovs_assert(first <= last && last <= 0xffffff);

    uint32_t candidate = first;
    while (candidate <= last) {
        if ((candidate & (POOL_OUI_GROUP | POOL_OUI_LOCAL))
            != POOL_OUI_LOCAL) {
            /* Not locally administered unicast: on to the next first
             * byte. */
            candidate = (candidate | 0xffff) + 1;
        } else if (oui_is_taken(find_oui(pool, candidate))) {
            candidate++;
        } else {
            *oui = candidate;
            get_oui(pool, candidate)->tenant = xstrdup(tenant);
            return NULL;
        }
    }

    char a[POOL_OUI_STRLEN], b[POOL_OUI_STRLEN];
    return xasprintf("no free OUI for tenant \"%s\": every locally "
                     "administered OUI from %s to %s is owned by a tenant "
                     "or used by an endpoint's MAC", tenant,
                     pool_format_oui(first, a), pool_format_oui(last, b));
}

/* Records that 'mac' is in use (by an endpoint).  Adding a MAC twice is
 * the same as adding it once. */
void
pool_add_mac(struct pool *pool, const struct eth_addr mac)
{
    struct pool_oui *e = get_oui(pool, pool_mac_oui(mac));
    uint32_t nic = mac_nic(mac);

    if (e->n_nics >= e->allocated_nics) {
        e->nics = x2nrealloc(e->nics, &e->allocated_nics, sizeof *e->nics);
    }
    if (e->n_nics && nic <= e->nics[e->n_nics - 1]) {
        e->sorted = false;
    }
    e->nics[e->n_nics++] = nic;
}

/* Returns true if 'mac' is in use.  (Non-const: the first search of an
 * OUI sorts its MACs.) */
bool
pool_mac_in_use(struct pool *pool, const struct eth_addr mac)
{
    struct pool_oui *e = find_oui(pool, pool_mac_oui(mac));
    if (!e || !e->n_nics) {
        return false;
    }
    sort_nics(e);

    uint32_t nic = mac_nic(mac);
    return bsearch(&nic, e->nics, e->n_nics, sizeof *e->nics,
                   compare_nics) != NULL;
}

/* Checks that an endpoint of 'tenant' may have 'mac': its OUI is one of
 * 'tenant''s and no other endpoint uses it (so the caller builds 'pool'
 * without the MAC of the endpoint being changed, if it has one).  The
 * error says which rule 'mac' breaks. */
char *
pool_check_mac(struct pool *pool, const struct eth_addr mac,
               const char *tenant)
{
    uint32_t oui = pool_mac_oui(mac);
    const char *owner = pool_oui_owner(pool, oui);
    char *error = NULL;

    if (owner && strcmp(owner, tenant)) {
        char s[POOL_OUI_STRLEN];
        error = xasprintf("MAC "ETH_ADDR_FMT" is in OUI %s of tenant \"%s\", "
                          "not of tenant \"%s\"", ETH_ADDR_ARGS(mac),
                          pool_format_oui(oui, s), owner, tenant);
    } else if (!owner) {
        size_t n;
        struct pool_oui **ouis = tenant_ouis(pool, tenant, &n);
        char *list = format_ouis(ouis, n);
        error = xasprintf("MAC "ETH_ADDR_FMT" is not in an OUI of tenant "
                          "\"%s\" (%s)", ETH_ADDR_ARGS(mac), tenant,
                          n ? list : "it owns none");
        free(list);
        free(ouis);
    } else if (pool_mac_in_use(pool, mac)) {
        error = xasprintf("MAC "ETH_ADDR_FMT" is already used by another "
                          "endpoint", ETH_ADDR_ARGS(mac));
    }
    return error;
}

/* Finds the lowest MAC not in use in the lowest of 'tenant''s OUIs that
 * has one free, never with NIC part 00:00:00 or ff:ff:ff, stores it in
 * '*mac' and records it as in use.  Fails if 'tenant' owns no OUI or
 * every MAC of its OUIs is in use. */
char *
pool_alloc_mac(struct pool *pool, const char *tenant, struct eth_addr *mac)
{
    size_t n;
    struct pool_oui **ouis = tenant_ouis(pool, tenant, &n);
    char *error = NULL;

    if (!n) {
        error = xasprintf("tenant \"%s\" owns no OUI to allocate a MAC "
                          "from", tenant);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        struct pool_oui *e = ouis[i];
        uint32_t nic;

        sort_nics(e);
        size_t pos = lowest_free_nic(e, &nic);
        if (nic <= POOL_NIC_LAST) {
            if (e->n_nics >= e->allocated_nics) {
                e->nics = x2nrealloc(e->nics, &e->allocated_nics,
                                     sizeof *e->nics);
            }
            memmove(&e->nics[pos + 1], &e->nics[pos],
                    (e->n_nics - pos) * sizeof *e->nics);
            e->nics[pos] = nic;
            e->n_nics++;

            uint32_t oui = e->oui;
            *mac = (struct eth_addr) { .ea = {
                oui >> 16, oui >> 8, oui, nic >> 16, nic >> 8, nic } };
            goto out;
        }
    }

    char *list = format_ouis(ouis, n);
    error = xasprintf("no free MAC for tenant \"%s\": every MAC of its "
                      "OUI%s %s is in use", tenant, n > 1 ? "s" : "", list);
    free(list);

out:
    free(ouis);
    return error;
}

/* Initializes 'vlans' with no VLAN in use. */
void
pool_vlans_init(struct pool_vlans *vlans)
{
    memset(vlans->used, 0, sizeof vlans->used);
}

/* Records that 'vlan' is in use.  A value outside POOL_VLAN_MIN to
 * POOL_VLAN_MAX is ignored. */
void
pool_vlans_add(struct pool_vlans *vlans, int64_t vlan)
{
    if (vlan >= POOL_VLAN_MIN && vlan <= POOL_VLAN_MAX) {
        bitmap_set1(vlans->used, vlan);
    }
}

/* Returns true if 'vlan' is in use. */
bool
pool_vlans_in_use(const struct pool_vlans *vlans, int64_t vlan)
{
    return (vlan >= POOL_VLAN_MIN && vlan <= POOL_VLAN_MAX
            && bitmap_is_set(vlans->used, vlan));
}

/* Stores in '*vlan' a VLAN free on the hypervisor whose VLANs in use are
 * 'vlans', and records it as in use: 'preferred' (a VM keeps its VLAN
 * across a migration) if it is free, otherwise the lowest free one.  Pass
 * 0 as 'preferred' for no preference.  Fails, naming 'hypervisor', if all
 * 4094 are in use. */
char *
pool_alloc_vlan(struct pool_vlans *vlans, const char *hypervisor,
                int64_t preferred, int *vlan)
{
    size_t v;

    if (preferred >= POOL_VLAN_MIN && preferred <= POOL_VLAN_MAX
        && !bitmap_is_set(vlans->used, preferred)) {
        v = preferred;
    } else {
        v = bitmap_scan(vlans->used, false, POOL_VLAN_MIN, POOL_VLAN_MAX + 1);
        if (v > POOL_VLAN_MAX) {
            return xasprintf("no free VLAN on hypervisor \"%s\": all %d "
                             "(%d to %d) are in use", hypervisor,
                             POOL_VLAN_MAX - POOL_VLAN_MIN + 1,
                             POOL_VLAN_MIN, POOL_VLAN_MAX);
        }
    }
    bitmap_set1(vlans->used, v);
    *vlan = v;
    return NULL;
}

static struct pool_oui *
find_oui(const struct pool *pool, uint32_t oui)
{
    struct pool_oui *e;

    HMAP_FOR_EACH_WITH_HASH (e, node, hash_int(oui, 0), &pool->ouis) {
        if (e->oui == oui) {
            return e;
        }
    }
    return NULL;
}

/* Returns the entry for 'oui', creating an empty one if there is none. */
static struct pool_oui *
get_oui(struct pool *pool, uint32_t oui)
{
    struct pool_oui *e = find_oui(pool, oui);
    if (!e) {
        e = xzalloc(sizeof *e);
        e->oui = oui;
        e->sorted = true;
        hmap_insert(&pool->ouis, &e->node, hash_int(oui, 0));
    }
    return e;
}

/* Is an OUI with entry 'e' (NULL: none) owned or used by a MAC? */
static bool
oui_is_taken(const struct pool_oui *e)
{
    return e && (e->tenant || e->n_nics);
}

static int
compare_ouis(const void *a_, const void *b_)
{
    const struct pool_oui *const *a = a_, *const *b = b_;
    return (*a)->oui < (*b)->oui ? -1 : (*a)->oui > (*b)->oui;
}

/* Returns a malloc'd array of the entries of the OUIs 'tenant' owns, in
 * ascending order, and their number in '*n'. */
static struct pool_oui **
tenant_ouis(const struct pool *pool, const char *tenant, size_t *n)
{
    struct pool_oui **ouis = xmalloc((hmap_count(&pool->ouis) + 1)
                                     * sizeof *ouis);
    struct pool_oui *e;

    *n = 0;
    HMAP_FOR_EACH (e, node, &pool->ouis) {
        if (e->tenant && !strcmp(e->tenant, tenant)) {
            ouis[(*n)++] = e;
        }
    }
    qsort(ouis, *n, sizeof *ouis, compare_ouis);
    return ouis;
}

/* Returns the OUIs of 'ouis' as "xx:xx:xx, yy:yy:yy", malloc'd. */
static char *
format_ouis(struct pool_oui **ouis, size_t n)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    for (size_t i = 0; i < n; i++) {
        char buf[POOL_OUI_STRLEN];
        ds_put_format(&s, "%s%s", i ? ", " : "",
                      pool_format_oui(ouis[i]->oui, buf));
    }
    return ds_steal_cstr(&s);
}

/* Sorts 'e''s NIC parts and drops duplicates, unless they already are. */
static void
sort_nics(struct pool_oui *e)
{
    if (e->sorted) {
        return;
    }
    if (e->n_nics < 2) {
        e->sorted = true;
        return;
    }
    qsort(e->nics, e->n_nics, sizeof *e->nics, compare_nics);

    size_t n = 0;
    for (size_t i = 0; i < e->n_nics; i++) {
        if (!n || e->nics[i] != e->nics[n - 1]) {
            e->nics[n++] = e->nics[i];
        }
    }
    e->n_nics = n;
    e->sorted = true;
}

/* Stores in '*nic' the lowest NIC part from POOL_NIC_FIRST that is not in
 * sorted 'e' (POOL_NIC_LAST + 1 if there is none up to POOL_NIC_LAST) and
 * returns the position in 'e->nics' where it belongs. */
static size_t
lowest_free_nic(const struct pool_oui *e, uint32_t *nic)
{
    /* At most one used NIC part is below POOL_NIC_FIRST: 00:00:00, which
     * an operator may give but allocation never does. */
    size_t skip = e->n_nics && e->nics[0] < POOL_NIC_FIRST;

    /* From 'skip' on, the used NIC parts are POOL_NIC_FIRST,
     * POOL_NIC_FIRST + 1, ... up to the first gap: find the first index
     * 'i' where nics[i] != POOL_NIC_FIRST + (i - skip), that is, where
     * nics[i] is larger. */
    size_t lo = skip, hi = e->n_nics;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (e->nics[mid] == POOL_NIC_FIRST + (mid - skip)) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    *nic = POOL_NIC_FIRST + (lo - skip);
    return lo;
}

/* Returns the NIC part of 'mac': its last three bytes. */
static uint32_t
mac_nic(const struct eth_addr mac)
{
    return (mac.ea[3] << 16) | (mac.ea[4] << 8) | mac.ea[5];
}

static int
compare_nics(const void *a_, const void *b_)
{
    const uint32_t *a = a_, *b = b_;
    return *a < *b ? -1 : *a > *b;
}
