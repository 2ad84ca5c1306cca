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
