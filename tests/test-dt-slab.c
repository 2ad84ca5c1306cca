/*
 * Unit tests for lib/dt-slab: objects are aligned, distinct and within
 * their blocks, their numbers find them again, freed ones are reused, the
 * counts add up, and huge blocks come back zeroed and aligned.
 */
#include <config.h>
#include "tests/check-tap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/dt-slab.h"
#include "util.h"

/* Returns true if 'p' lies within one of 'slab''s blocks, whole. */
static bool
in_a_block(const struct dt_slab *slab, const char *p)
{
    for (size_t i = 0; i < slab->n_blocks; i++) {
        if (p >= slab->blocks[i]
            && p + slab->size <= slab->blocks[i] + DT_SLAB_BLOCK) {
            return true;
        }
    }
    return false;
}

START_TEST(test_alloc_free)
{
    enum { N = 30000 };         /* 168-byte objects: three blocks. */
    char **objs = xmalloc(N * sizeof *objs);
    struct dt_slab slab;

    dt_slab_init(&slab, 168, 16);
    ck_assert_uint_eq(slab.size, 176);
    ck_assert_uint_eq(dt_slab_bytes(&slab), 0);
    for (size_t i = 0; i < N; i++) {
        objs[i] = dt_slab_alloc(&slab);
        ck_assert_uint_eq((uintptr_t) objs[i] % 16, 0);
        ck_assert(in_a_block(&slab, objs[i]));
        memset(objs[i], 0xa5, 168);
        if (i) {
            /* Carved in order within a block, so never overlapping. */
            ck_assert(objs[i] >= objs[i - 1] + 176
                      || objs[i] + 176 <= objs[i - 1]);
        }
    }
    ck_assert_uint_eq(slab.n_objects, N);
    ck_assert_uint_eq(slab.n_blocks, 3);
    ck_assert_uint_eq(dt_slab_bytes(&slab), 3 * DT_SLAB_BLOCK);

    /* Each object's number finds it again, and no two share one. */
    for (size_t i = 0; i < N; i++) {
        uint32_t id = dt_slab_id(&slab, objs[i]);
        ck_assert_ptr_eq(dt_slab_at(&slab, id), objs[i]);
        ck_assert_uint_lt(id & 0xffff, DT_SLAB_BLOCK / 176);
        ck_assert_uint_lt(id >> 16, 3);
        if (i && (id & 0xffff)) {
            /* Carved in order: the one before is in the same block. */
            ck_assert_uint_eq(dt_slab_id(&slab, objs[i - 1]), id - 1);
        }
    }

    /* The last freed is the first reused; no new block is taken. */
    dt_slab_free(&slab, objs[10]);
    dt_slab_free(&slab, objs[20]);
    dt_slab_free(&slab, NULL);
    ck_assert_uint_eq(slab.n_objects, N - 2);
    ck_assert_ptr_eq(dt_slab_alloc(&slab), objs[20]);
    ck_assert_ptr_eq(dt_slab_alloc(&slab), objs[10]);
    ck_assert_uint_eq(slab.n_blocks, 3);

    dt_slab_destroy(&slab);
    ck_assert_uint_eq(slab.n_objects, 0);
    ck_assert_uint_eq(dt_slab_bytes(&slab), 0);
    ck_assert_uint_eq(slab.size, 176);
    dt_slab_destroy(NULL);
    free(objs);
}
END_TEST

START_TEST(test_alignment)
{
    struct dt_slab slab;

    dt_slab_init(&slab, 100, 64);
    ck_assert_uint_eq(slab.size, 128);
    for (int i = 0; i < 20000; i++) {
        char *p = dt_slab_alloc(&slab);
        ck_assert_uint_eq((uintptr_t) p % 64, 0);
        ck_assert(in_a_block(&slab, p));
    }
    ck_assert_uint_eq(slab.n_blocks, 2);    /* 16384 to a block. */
    dt_slab_destroy(&slab);

    /* Small objects take 32 bytes, so that a block's places fit the low
     * 16 bits of a number. */
    dt_slab_init(&slab, 8, 8);
    ck_assert_uint_eq(slab.size, 32);
    for (int i = 0; i < 70000; i++) {
        void *p = dt_slab_alloc(&slab);
        ck_assert_ptr_eq(dt_slab_at(&slab, dt_slab_id(&slab, p)), p);
    }
    ck_assert_uint_eq(slab.n_blocks, 2);    /* 65536 to a block. */
    dt_slab_destroy(&slab);
}
END_TEST

START_TEST(test_huge_alloc)
{
    static const size_t sizes[] = { 16, 4096, DT_SLAB_BLOCK,
                                    DT_SLAB_BLOCK * 3 / 2 };

    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        unsigned char *p = dt_huge_alloc(sizes[i]);
        size_t n_nonzero = 0;

        for (size_t j = 0; j < sizes[i]; j++) {
            n_nonzero += p[j] != 0;
        }
        ck_assert_uint_eq(n_nonzero, 0);
        if (sizes[i] >= DT_SLAB_BLOCK) {
            ck_assert_uint_eq((uintptr_t) p % DT_SLAB_BLOCK, 0);
        }
        memset(p, 0xff, sizes[i]);
        dt_huge_free(p, sizes[i]);
    }
    dt_huge_free(NULL, 16);
    dt_huge_free(NULL, DT_SLAB_BLOCK);
}
END_TEST

Suite *
unit_suite(void)
{
    Suite *s = suite_create("dt-slab");
    TCase *tc = tcase_create("slab");

    tcase_add_test(tc, test_alloc_free);
    tcase_add_test(tc, test_alignment);
    tcase_add_test(tc, test_huge_alloc);
    suite_add_tcase(s, tc);
    return s;
}
