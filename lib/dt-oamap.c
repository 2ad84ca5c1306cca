/*
 * dt-oamap: an open-addressed hash index of pointers or of values (see
 * dt-oamap.h).
 *
 * Linear probing, at most half full, at least an eighth full above the
 * minimum size; removal shifts the rest of the run back, so there are no
 * tombstones and a lookup stops at the first empty slot.  Slots of 2 MB
 * or more are on huge pages (lib/dt-slab.h).
 */
#include <config.h>
#include "lib/dt-oamap.h"

#include <string.h>

#include "lib/dt-slab.h"
#include "util.h"

/* The fewest slots an allocated map has. */
#define OAMAP_MIN_SLOTS 16

/* What a map that has never held anything points to: one empty slot, so
 * that lookups need no test for it. */
static struct oamap_slot empty_slot;

BUILD_ASSERT_DECL(sizeof(struct oamap_slot) == 16);

static void oamap_resize(struct oamap *, size_t n_slots);
static void oamap_put(struct oamap *, const struct oamap_slot *);

void
oamap_init(struct oamap *map)
{
    map->slots = &empty_slot;
    map->mask = 0;
    map->n = 0;
}

/* Frees 'map''s slots; the objects its pointers point to are the
 * caller's. */
void
oamap_destroy(struct oamap *map)
{
    if (map && map->slots != &empty_slot) {
        dt_huge_free(map->slots, (map->mask + 1) * sizeof *map->slots);
        map->slots = &empty_slot;
        map->mask = 0;
        map->n = 0;
    }
}

/* Inserts 'p' (nonnull, and not in 'map') with 'hash'. */
void
oamap_insert(struct oamap *map, void *p, uint32_t hash)
{
    ovs_assert(p);
    oamap_insert_value(map, hash, 0, (uintptr_t) p);
}

/* Removes 'p', which is in 'map' with 'hash'. */
void
oamap_remove(struct oamap *map, const void *p, uint32_t hash)
{
    struct oamap_slot *s;
    size_t pos;

    OAMAP_FOR_EACH_SLOT_WITH_HASH (s, pos, hash, map) {
        if (s->value == (uintptr_t) p) {
            oamap_remove_at(map, pos);
            return;
        }
    }
    OVS_NOT_REACHED();
}

/* Inserts 'value' (nonzero) and 'aux' with 'hash', in a map of values. */
void
oamap_insert_value(struct oamap *map, uint32_t hash, uint32_t aux,
                   uint64_t value)
{
    ovs_assert(value);
    if (map->slots == &empty_slot || (map->n + 1) * 2 > map->mask + 1) {
        oamap_resize(map, (map->slots == &empty_slot
                           ? OAMAP_MIN_SLOTS : (map->mask + 1) * 2));
    }
    oamap_put(map, &(struct oamap_slot) { hash, aux, value });
    map->n++;
}

/* Removes what is at 'pos', where OAMAP_FOR_EACH_SLOT_WITH_HASH found
 * it. */
void
oamap_remove_at(struct oamap *map, size_t pos)
{
    size_t mask = map->mask;
    size_t hole = pos;

    ovs_assert(pos <= mask && map->slots[pos].value);

    /* Shift back each later slot of the run that may move into the hole:
     * one whose home slot is not after the hole, cyclically. */
    for (size_t i = (hole + 1) & mask; map->slots[i].value;
         i = (i + 1) & mask) {
        size_t home = map->slots[i].hash & mask;
        if (((i - home) & mask) >= ((i - hole) & mask)) {
            map->slots[hole] = map->slots[i];
            hole = i;
        }
    }
    map->slots[hole].value = 0;
    map->n--;

    if (!map->n) {
        oamap_destroy(map);
    } else if (map->mask + 1 > OAMAP_MIN_SLOTS && map->n * 8 < map->mask + 1) {
        oamap_resize(map, (map->mask + 1) / 2);
    }
}

/* Returns the bytes 'map' has allocated, or 0. */
size_t
oamap_allocated(const struct oamap *map)
{
    return (map->slots == &empty_slot ? 0
            : (map->mask + 1) * sizeof *map->slots);
}

static void
oamap_resize(struct oamap *map, size_t n_slots)
{
    struct oamap old = *map;

    ovs_assert(is_pow2(n_slots) && n_slots >= OAMAP_MIN_SLOTS);
    map->slots = dt_huge_alloc(n_slots * sizeof *map->slots);
    map->mask = n_slots - 1;
    if (old.slots != &empty_slot) {
        for (size_t i = 0; i <= old.mask; i++) {
            if (old.slots[i].value) {
                oamap_put(map, &old.slots[i]);
            }
        }
        dt_huge_free(old.slots, (old.mask + 1) * sizeof *old.slots);
    }
}

/* Copies 's' into the first empty slot from its home on; 'map' has
 * one. */
static void
oamap_put(struct oamap *map, const struct oamap_slot *s)
{
    size_t i = s->hash & map->mask;

    while (map->slots[i].value) {
        i = (i + 1) & map->mask;
    }
    map->slots[i] = *s;
}
