/*
 * dt-oamap: an open-addressed hash index of pointers, for the lookups a
 * request makes in a table far larger than the CPU's caches.
 *
 * An hmap finds a node through its bucket and then the chain of nodes that
 * share it, each a dependent read: where the nodes are cold, every node the
 * walk passes is a wait for main memory that no prefetch issued ahead of
 * time covers.  Here a slot holds the hash and the pointer itself, four to
 * a cache line, with linear probing at most half full, so a lookup reads
 * one line of slots (rarely two) and then only the object whose hash
 * matches: prefetch the slots (oamap_prefetch()), later read them and
 * prefetch the object, later still compare.  The policy service's index
 * of endpoint addresses is one (lib/dt-dps.c).
 *
 * The map does not know what its pointers point to: the caller hashes,
 * compares and owns the objects, as with an hmap.  The same pointer may be
 * in a map once; the pointers inserted with one hash come back from a
 * lookup in no particular order.  Not thread-safe.
 */
#ifndef DT_OAMAP_H
#define DT_OAMAP_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openvswitch/compiler.h"
#include "openvswitch/util.h"

/* A slot: empty if 'p' is NULL. */
struct oamap_slot {
    uint32_t hash;              /* The hash 'p' was inserted with. */
    void *p;                    /* The pointer, or NULL. */
};

struct oamap {
    struct oamap_slot *slots;   /* 'mask + 1' slots, or one static empty
                                 * slot while the map has never held
                                 * anything. */
    size_t mask;                /* Number of slots - 1. */
    size_t n;                   /* Number of pointers. */
};

void oamap_init(struct oamap *);
void oamap_destroy(struct oamap *);

void oamap_insert(struct oamap *, void *p, uint32_t hash);
void oamap_remove(struct oamap *, const void *p, uint32_t hash);

static inline size_t oamap_count(const struct oamap *);
size_t oamap_allocated(const struct oamap *);

static inline void oamap_prefetch(const struct oamap *, uint32_t hash);
static inline void *oamap_first_with_hash(const struct oamap *,
                                          uint32_t hash, size_t *pos);
static inline void *oamap_next_with_hash(const struct oamap *,
                                         uint32_t hash, size_t *pos);

/* Iterates 'P' (a pointer to void or to the objects' type) over the
 * pointers in 'MAP' inserted with 'HASH', with 'POS' (a size_t) as the
 * cursor.  The loop must not change 'MAP'. */
#define OAMAP_FOR_EACH_WITH_HASH(P, POS, HASH, MAP)                     \
    for ((P) = oamap_first_with_hash(MAP, HASH, &(POS)); (P);          \
         (P) = oamap_next_with_hash(MAP, HASH, &(POS)))

/* Returns the number of pointers in 'map'. */
static inline size_t
oamap_count(const struct oamap *map)
{
    return map->n;
}

/* Prefetches into the CPU cache the slot a lookup of 'hash' in 'map'
 * reads first. */
static inline void
oamap_prefetch(const struct oamap *map, uint32_t hash)
{
    OVS_PREFETCH(&map->slots[hash & map->mask]);
}

/* Scans 'map' from slot '*pos' for a pointer inserted with 'hash': returns
 * it and leaves its slot in '*pos', or returns NULL at the first empty
 * slot. */
static inline void *
oamap_scan__(const struct oamap *map, uint32_t hash, size_t *pos)
{
    for (size_t i = *pos; ; i = (i + 1) & map->mask) {
        const struct oamap_slot *s = &map->slots[i];
        if (!s->p) {
            return NULL;
        } else if (s->hash == hash) {
            *pos = i;
            return s->p;
        }
    }
}

/* Returns the first pointer in 'map' inserted with 'hash', its position in
 * '*pos' for oamap_next_with_hash(), or NULL. */
static inline void *
oamap_first_with_hash(const struct oamap *map, uint32_t hash, size_t *pos)
{
    *pos = hash & map->mask;
    return oamap_scan__(map, hash, pos);
}

/* Returns the pointer inserted with 'hash' after the one at '*pos', and
 * updates '*pos', or returns NULL. */
static inline void *
oamap_next_with_hash(const struct oamap *map, uint32_t hash, size_t *pos)
{
    *pos = (*pos + 1) & map->mask;
    return oamap_scan__(map, hash, pos);
}

#endif /* lib/dt-oamap.h */
