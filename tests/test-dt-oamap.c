/*
 * Unit tests for lib/dt-oamap: every pointer inserted is found under its
 * hash and no other, removal keeps the rest findable (runs that collide,
 * share hashes and wrap around the end of the slots), and the map grows
 * and shrinks within its load bounds; a map of values keeps each value
 * and its 'aux' together through all of that, and a value changed in
 * place stays changed.
 */
#include <config.h>
#include "tests/check-tap.h"

#include <stdlib.h>

#include "lib/dt-oamap.h"
#include "random.h"
#include "util.h"

/* Objects the tests put into maps: each knows its own hash. */
struct object {
    uint32_t hash;
    bool in;                    /* In the map under test? */
};

/* Returns how many times 'o' is found under its hash in 'map', checking
 * that everything found under that hash has it. */
static size_t
count_found(const struct oamap *map, const struct object *o)
{
    const struct object *p;
    size_t pos;
    size_t n = 0;

    OAMAP_FOR_EACH_WITH_HASH (p, pos, o->hash, map) {
        ck_assert_uint_eq(p->hash, o->hash);
        n += p == o;
    }
    return n;
}

/* Checks 'map' against 'objs': each object in it is found exactly once,
 * each other object not at all, the count matches, and the load is at
 * most a half (and at least an eighth above the minimum size). */
static void
check_map(const struct oamap *map, const struct object objs[], size_t n)
{
    size_t n_in = 0;

    for (size_t i = 0; i < n; i++) {
        ck_assert_uint_eq(count_found(map, &objs[i]), objs[i].in ? 1 : 0);
        n_in += objs[i].in;
    }
    ck_assert_uint_eq(oamap_count(map), n_in);
    if (n_in) {
        size_t n_slots = map->mask + 1;
        ck_assert_uint_le(n_in * 2, n_slots);
        ck_assert(n_slots == 16 || n_in * 8 >= n_slots);
        ck_assert_uint_eq(oamap_allocated(map),
                          n_slots * sizeof(struct oamap_slot));
    } else {
        ck_assert_uint_eq(oamap_allocated(map), 0);
    }
}

START_TEST(test_empty)
{
    struct oamap map;
    struct object o = { .hash = 7 };
    size_t pos;

    oamap_init(&map);
    ck_assert_ptr_null(oamap_first_with_hash(&map, 7, &pos));
    ck_assert_uint_eq(count_found(&map, &o), 0);
    ck_assert_uint_eq(oamap_count(&map), 0);
    ck_assert_uint_eq(oamap_allocated(&map), 0);
    oamap_destroy(&map);
    oamap_destroy(NULL);
}
END_TEST

/* Objects whose hashes all fall on the last slots, so that their run
 * wraps around to the first, some sharing a hash; removed in an order
 * that makes the shift move slots across the end. */
START_TEST(test_wraparound)
{
    static const uint32_t hashes[] = {
        14, 15, 15, 14, 0x1000e, 15, 1, 14,
    };
    struct object objs[ARRAY_SIZE(hashes)];
    struct oamap map;

    oamap_init(&map);
    for (size_t i = 0; i < ARRAY_SIZE(hashes); i++) {
        objs[i] = (struct object) { .hash = hashes[i], .in = true };
        oamap_insert(&map, &objs[i], objs[i].hash);
        check_map(&map, objs, i + 1);
    }
    ck_assert_uint_eq(map.mask, 15);    /* Eight in 16 slots. */

    static const size_t order[] = { 0, 5, 1, 7, 3, 6, 2, 4 };
    for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
        objs[order[i]].in = false;
        oamap_remove(&map, &objs[order[i]], objs[order[i]].hash);
        check_map(&map, objs, ARRAY_SIZE(objs));
    }
    oamap_destroy(&map);
}
END_TEST

/* Random inserts and removals against the objects' own flags, with few
 * distinct hashes (long runs, many shared) and then many. */
static void
random_ops(uint32_t n_hashes)
{
    enum { N = 600 };
    struct object *objs = xcalloc(N, sizeof *objs);
    struct oamap map;

    random_set_seed(0x0a3a9 + n_hashes);
    for (size_t i = 0; i < N; i++) {
        objs[i].hash = random_range(n_hashes) * 0x9e3779b9u;
    }
    oamap_init(&map);
    for (size_t step = 0; step < 6000; step++) {
        /* Fill up in the first third, empty out in the last. */
        unsigned int insert_pct = step < 2000 ? 80 : step < 4000 ? 50 : 20;
        struct object *o = &objs[random_range(N)];

        if (!o->in && random_range(100) < insert_pct) {
            oamap_insert(&map, o, o->hash);
            o->in = true;
        } else if (o->in && random_range(100) >= insert_pct) {
            oamap_remove(&map, o, o->hash);
            o->in = false;
        }
        if (step % 97 == 0) {
            check_map(&map, objs, N);
        }
    }
    check_map(&map, objs, N);
    for (size_t i = 0; i < N; i++) {
        if (objs[i].in) {
            oamap_remove(&map, &objs[i], objs[i].hash);
            objs[i].in = false;
        }
    }
    check_map(&map, objs, N);
    oamap_destroy(&map);
    free(objs);
}

START_TEST(test_random_shared_hashes)
{
    random_ops(40);
}
END_TEST

START_TEST(test_random_distinct_hashes)
{
    random_ops(UINT32_MAX);
}
END_TEST

/* Growing to a thousand and shrinking back: the slots double and halve. */
START_TEST(test_grow_shrink)
{
    enum { N = 1000 };
    struct object *objs = xcalloc(N, sizeof *objs);
    struct oamap map;

    oamap_init(&map);
    for (size_t i = 0; i < N; i++) {
        objs[i] = (struct object) { .hash = i * 2654435761u, .in = true };
        oamap_insert(&map, &objs[i], objs[i].hash);
    }
    check_map(&map, objs, N);
    ck_assert_uint_eq(map.mask + 1, 2048);
    for (size_t i = 0; i < N - 3; i++) {
        objs[i].in = false;
        oamap_remove(&map, &objs[i], objs[i].hash);
    }
    check_map(&map, objs, N);
    ck_assert_uint_eq(map.mask + 1, 16);
    oamap_destroy(&map);
    ck_assert_uint_eq(oamap_count(&map), 0);
    free(objs);
}
END_TEST

/* One value of the values test: its key (the hash, a few distinct ones so
 * that keys repeat), what it is, and whether it is in the map. */
struct entry {
    uint32_t key;
    uint64_t value;             /* Distinct, nonzero. */
    uint32_t aux;
    bool in;
};

/* Returns the position of 'e' in 'map', or SIZE_MAX; checks that it is
 * there at most once, with its 'aux'. */
static size_t
find_entry(const struct oamap *map, const struct entry *e)
{
    const struct oamap_slot *slot;
    size_t found = SIZE_MAX;
    size_t pos;

    OAMAP_FOR_EACH_SLOT_WITH_HASH (slot, pos, e->key, map) {
        ck_assert_uint_eq(slot->hash, e->key);
        if (slot->value == e->value) {
            ck_assert_uint_eq(found, SIZE_MAX);
            ck_assert_uint_eq(slot->aux, e->aux);
            found = pos;
        }
    }
    return found;
}

/* Values inserted and removed at random, several under each key, some
 * changed in place, while the map grows and shrinks: each is found once
 * under its key with its own 'aux', or not at all. */
START_TEST(test_values)
{
    enum { N = 500 };
    struct entry *entries = xcalloc(N, sizeof *entries);
    struct oamap map;

    random_set_seed(0x7a1e);
    for (size_t i = 0; i < N; i++) {
        entries[i].key = random_range(60) * 0x9e3779b9u;
        entries[i].value = (UINT64_C(1) << 63) | ((uint64_t) i << 32) | i;
    }
    oamap_init(&map);
    for (size_t step = 0; step < 8000; step++) {
        unsigned int insert_pct = step < 3000 ? 80 : step < 5000 ? 50 : 15;
        struct entry *e = &entries[random_range(N)];

        if (!e->in && random_range(100) < insert_pct) {
            e->aux = random_uint32();
            oamap_insert_value(&map, e->key, e->aux, e->value);
            e->in = true;
        } else if (e->in && random_range(100) >= insert_pct) {
            size_t pos = find_entry(&map, e);
            ck_assert_uint_ne(pos, SIZE_MAX);
            oamap_remove_at(&map, pos);
            e->in = false;
        } else if (e->in) {
            size_t pos = find_entry(&map, e);
            ck_assert_uint_ne(pos, SIZE_MAX);
            e->value ^= UINT64_C(1) << 62;
            map.slots[pos].value = e->value;
        }
        if (step % 89 == 0 || step == 7999) {
            size_t n_in = 0;
            for (size_t i = 0; i < N; i++) {
                ck_assert_uint_eq(find_entry(&map, &entries[i]) != SIZE_MAX,
                                  entries[i].in);
                n_in += entries[i].in;
            }
            ck_assert_uint_eq(oamap_count(&map), n_in);
            ck_assert(!n_in || n_in * 2 <= map.mask + 1);
        }
    }
    oamap_destroy(&map);
    free(entries);
}
END_TEST

Suite *
unit_suite(void)
{
    Suite *s = suite_create("dt-oamap");
    TCase *tc = tcase_create("oamap");

    tcase_add_test(tc, test_empty);
    tcase_add_test(tc, test_wraparound);
    tcase_add_test(tc, test_random_shared_hashes);
    tcase_add_test(tc, test_random_distinct_hashes);
    tcase_add_test(tc, test_grow_shrink);
    tcase_add_test(tc, test_values);
    suite_add_tcase(s, tc);
    return s;
}
