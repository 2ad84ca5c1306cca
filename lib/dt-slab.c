/*
 * dt-slab: objects of one size carved from 2 MB blocks on huge pages (see
 * dt-slab.h), and the blocks themselves for callers that want one large
 * array on huge pages.
 */
#include <config.h>
#include "lib/dt-slab.h"

#include <string.h>
#include <sys/mman.h>

#include "util.h"

/* Initializes 'slab' for objects of 'size' bytes aligned to 'align'. */
void
dt_slab_init(struct dt_slab *slab, size_t size, size_t align)
{
    ovs_assert(is_pow2(align) && align <= 4096);
    ovs_assert(size >= sizeof(void *) && size <= DT_SLAB_BLOCK);
    slab->size = ROUND_UP(size, MAX(align, sizeof(void *)));

    /* Room for each place in a block in dt_slab_id()'s low bits. */
    slab->size = MAX(slab->size, DT_SLAB_BLOCK >> DT_SLAB_ID_SHIFT);
    slab->align = align;
    slab->blocks = NULL;
    slab->n_blocks = 0;
    slab->allocated_blocks = 0;
    slab->carved = DT_SLAB_BLOCK;
    slab->free_list = NULL;
    slab->n_objects = 0;
}

/* Frees every block of 'slab', and so every object in it. */
void
dt_slab_destroy(struct dt_slab *slab)
{
    if (slab) {
        for (size_t i = 0; i < slab->n_blocks; i++) {
            dt_huge_free(slab->blocks[i], DT_SLAB_BLOCK);
        }
        free(slab->blocks);
        dt_slab_init(slab, slab->size, slab->align);
    }
}

/* Returns an object of the slab's size, its contents undefined. */
void *
dt_slab_alloc(struct dt_slab *slab)
{
    void *p;

    if (slab->free_list) {
        p = slab->free_list;
        memcpy(&slab->free_list, p, sizeof slab->free_list);
    } else {
        if (slab->carved + slab->size > DT_SLAB_BLOCK) {
            if (slab->n_blocks >= slab->allocated_blocks) {
                slab->blocks = x2nrealloc(slab->blocks,
                                          &slab->allocated_blocks,
                                          sizeof *slab->blocks);
            }
            slab->blocks[slab->n_blocks++] = dt_huge_alloc(DT_SLAB_BLOCK);
            slab->carved = 0;
        }
        p = slab->blocks[slab->n_blocks - 1] + slab->carved;
        slab->carved += slab->size;
    }
    slab->n_objects++;
    return p;
}

/* Gives back 'p' (nullable), which dt_slab_alloc() returned for 'slab'. */
void
dt_slab_free(struct dt_slab *slab, void *p)
{
    if (p) {
        ovs_assert(slab->n_objects > 0);
        memcpy(p, &slab->free_list, sizeof slab->free_list);
        slab->free_list = p;
        slab->n_objects--;
    }
}

/* Returns the number of 'p', an object of 'slab' (allocated or not), for
 * dt_slab_at(): the same for the object's lifetime and after it is reused.
 * Takes time in proportion to the number of blocks (a few hundred at most
 * for a million objects), so an index should ask once per object, not per
 * lookup. */
uint32_t
dt_slab_id(const struct dt_slab *slab, const void *p)
{
    const char *c = p;

    ovs_assert(slab->n_blocks < (1u << (32 - DT_SLAB_ID_SHIFT)));
    for (size_t i = slab->n_blocks; i-- > 0; ) {
        const char *block = slab->blocks[i];
        if (c >= block && c < block + DT_SLAB_BLOCK) {
            size_t offset = c - block;
            ovs_assert(offset % slab->size == 0);
            return (i << DT_SLAB_ID_SHIFT) | (offset / slab->size);
        }
    }
    OVS_NOT_REACHED();
}

/* Returns the bytes of 'slab''s blocks. */
size_t
dt_slab_bytes(const struct dt_slab *slab)
{
    return slab->n_blocks * DT_SLAB_BLOCK;
}

/* Returns 'size' zeroed bytes, aligned to 2 MB and on 2 MB pages where
 * the kernel allows if 'size' is at least that; free with
 * dt_huge_free(). */
void *
dt_huge_alloc(size_t size)
{
    if (size < DT_SLAB_BLOCK) {
        return xzalloc(size);
    }

    size = ROUND_UP(size, DT_SLAB_BLOCK);
    void *p = xmalloc_size_align(size, DT_SLAB_BLOCK);
#ifdef MADV_HUGEPAGE
    /* Before the first write, so that the faults take huge pages. */
    madvise(p, size, MADV_HUGEPAGE);
#endif
    memset(p, 0, size);
    return p;
}

/* Frees 'p' (nullable), which dt_huge_alloc() returned for 'size'
 * bytes. */
void
dt_huge_free(void *p, size_t size)
{
    if (size < DT_SLAB_BLOCK) {
        free(p);
    } else {
        free_size_align(p);
    }
}
