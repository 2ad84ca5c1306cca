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
 *
 * A map may instead hold values with no object behind them, for a key
 * small enough that a 32-bit bijection of it serves as the hash (an IPv4
 * address): the hash is then the key itself, and each slot holds 96 bits
 * of the caller's beside it (oamap_insert_value(): 'aux' and a nonzero
 * 'value'), so that a lookup reads one line of slots and nothing else.
 * The policy service's index of IPv4 addresses is one.  A map holds
 * pointers or values, never both.
 */
#ifndef DT_OAMAP_H
#define DT_OAMAP_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openvswitch/compiler.h"
#include "openvswitch/util.h"

/* A slot: empty if 'value' is 0. */
struct oamap_slot {
    uint32_t hash;              /* The hash it was inserted with. */
    uint32_t aux;               /* The caller's (0 beside a pointer). */
    uint64_t value;             /* The pointer or the caller's value, or
                                 * 0. */
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

void oamap_insert_value(struct oamap *, uint32_t hash, uint32_t aux,
                        uint64_t value);
void oamap_remove_at(struct oamap *, size_t pos);

static inline size_t oamap_count(const struct oamap *);
size_t oamap_allocated(const struct oamap *);

static inline void oamap_prefetch(const struct oamap *, uint32_t hash);
static inline void *oamap_first_with_hash(const struct oamap *,
                                          uint32_t hash, size_t *pos);
static inline void *oamap_next_with_hash(const struct oamap *,
                                         uint32_t hash, size_t *pos);
static inline struct oamap_slot *oamap_first_slot(const struct oamap *,
                                                  uint32_t hash,
                                                  size_t *pos);
static inline struct oamap_slot *oamap_next_slot(const struct oamap *,
                                                 uint32_t hash,
                                                 size_t *pos);

/* Iterates 'P' (a pointer to void or to the objects' type) over the
 * pointers in 'MAP' inserted with 'HASH', with 'POS' (a size_t) as the
 * cursor.  The loop must not change 'MAP'. */
#define OAMAP_FOR_EACH_WITH_HASH(P, POS, HASH, MAP)                     \
    for ((P) = oamap_first_with_hash(MAP, HASH, &(POS)); (P);          \
         (P) = oamap_next_with_hash(MAP, HASH, &(POS)))

/* Iterates 'SLOT' (a pointer to struct oamap_slot) over the slots of
 * 'MAP' inserted with 'HASH', with 'POS' (a size_t) as the cursor and the
 * position oamap_remove_at() takes.  The loop may change a slot's 'aux'
 * and 'value' (to nonzero), but not what is in 'MAP'. */
#define OAMAP_FOR_EACH_SLOT_WITH_HASH(SLOT, POS, HASH, MAP)             \
    for ((SLOT) = oamap_first_slot(MAP, HASH, &(POS)); (SLOT);          \
         (SLOT) = oamap_next_slot(MAP, HASH, &(POS)))

/* Returns the number of pointers or values in 'map'. */
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

/* Scans 'map' from slot '*pos' for a slot inserted with 'hash': returns
 * it and leaves its position in '*pos', or returns NULL at the first empty
 * slot. */
static inline struct oamap_slot *
oamap_scan__(const struct oamap *map, uint32_t hash, size_t *pos)
{
    for (size_t i = *pos; ; i = (i + 1) & map->mask) {
        struct oamap_slot *s = &map->slots[i];
        if (!s->value) {
            return NULL;
        } else if (s->hash == hash) {
            *pos = i;
            return s;
        }
    }
}

/* Returns the first slot of 'map' inserted with 'hash', its position in
 * '*pos' for oamap_next_slot(), or NULL. */
static inline struct oamap_slot *
oamap_first_slot(const struct oamap *map, uint32_t hash, size_t *pos)
{
    *pos = hash & map->mask;
    return oamap_scan__(map, hash, pos);
}

/* Returns the slot inserted with 'hash' after the one at '*pos', and
 * updates '*pos', or returns NULL. */
static inline struct oamap_slot *
oamap_next_slot(const struct oamap *map, uint32_t hash, size_t *pos)
{
    *pos = (*pos + 1) & map->mask;
    return oamap_scan__(map, hash, pos);
}

/* Returns the pointer in slot 's' (nullable). */
static inline void *
oamap_slot_pointer__(const struct oamap_slot *s)
{
    return s ? (void *) (uintptr_t) s->value : NULL;
}

/* Returns the first pointer in 'map' inserted with 'hash', its position in
 * '*pos' for oamap_next_with_hash(), or NULL. */
static inline void *
oamap_first_with_hash(const struct oamap *map, uint32_t hash, size_t *pos)
{
    return oamap_slot_pointer__(oamap_first_slot(map, hash, pos));
}

/* Returns the pointer inserted with 'hash' after the one at '*pos', and
 * updates '*pos', or returns NULL. */
static inline void *
oamap_next_with_hash(const struct oamap *map, uint32_t hash, size_t *pos)
{
    return oamap_slot_pointer__(oamap_next_slot(map, hash, pos));
}

#endif /* lib/dt-oamap.h */
