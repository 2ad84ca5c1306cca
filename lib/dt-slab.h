/*
 * dt-slab: objects of one size carved from 2 MB blocks on huge pages.
 *
 * What a request looks up at random in a table far larger than the CPU's
 * caches costs a TLB miss as well as a cache miss when it sits on 4 kB
 * pages, and on the machine this was measured on a prefetch that misses
 * the TLB held up the instructions behind it for the page walk (about
 * 120 ns a prefetch, against about 5 ns on 2 MB pages:
 * Documentation/performance.rst), so prefetching ahead did not hide the
 * wait.  malloc() puts small
 * objects on the heap's 4 kB pages; a slab asks for transparent huge pages
 * ("madvise" mode) for whole blocks of them.  The policy service's
 * endpoints live in one (lib/dt-dps.c).
 *
 * Objects are aligned to the slab's alignment (a power of 2 up to 4096)
 * and their size rounded up to it.  Freed objects are reused, most
 * recently freed first; blocks are kept until dt_slab_destroy().  Not
 * thread-safe.
 *
 * Each object has a 32-bit number, its block's and its place in the
 * block (dt_slab_id()), from which dt_slab_at() finds it again without
 * reading memory beyond the slab's short list of blocks: an index can
 * name an object in 4 bytes instead of a pointer's 8.
 */
#ifndef DT_SLAB_H
#define DT_SLAB_H 1

#include <stddef.h>
#include <stdint.h>

#include "openvswitch/util.h"

struct dt_slab {
    size_t size;                /* Object size, a multiple of 'align'. */
    size_t align;               /* Object alignment. */
    char **blocks;              /* 'n_blocks' blocks of DT_SLAB_BLOCK. */
    size_t n_blocks;
    size_t allocated_blocks;    /* Room in 'blocks'. */
    size_t carved;              /* Bytes handed out of the last block. */
    void *free_list;            /* Freed objects, each pointing to the
                                 * next. */
    size_t n_objects;           /* Objects allocated and not freed. */
};

/* The size of a block. */
#define DT_SLAB_BLOCK (2 * 1024 * 1024)

void dt_slab_init(struct dt_slab *, size_t size, size_t align);
void dt_slab_destroy(struct dt_slab *);

void *dt_slab_alloc(struct dt_slab *);
void dt_slab_free(struct dt_slab *, void *);

size_t dt_slab_bytes(const struct dt_slab *);

/* Objects in a block: the place in the block takes the low bits of a
 * number. */
#define DT_SLAB_ID_SHIFT 16

uint32_t dt_slab_id(const struct dt_slab *, const void *);
static inline void *dt_slab_at(const struct dt_slab *, uint32_t id);

void *dt_huge_alloc(size_t size);
void dt_huge_free(void *, size_t size);

/* Returns the object of 'slab' whose dt_slab_id() is 'id'. */
static inline void *
dt_slab_at(const struct dt_slab *slab, uint32_t id)
{
    return (slab->blocks[id >> DT_SLAB_ID_SHIFT]
            + (id & ((1u << DT_SLAB_ID_SHIFT) - 1)) * slab->size);
}

#endif /* lib/dt-slab.h */
