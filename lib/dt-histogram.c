/*
 * dt-histogram: a log-linear histogram of fixed size.  See dt-histogram.h.
 *
 * A value below 2**(BITS+1) is its own bucket.  A larger one is shifted
 * right until BITS+1 significant bits remain (its top bit and BITS more);
 * the shift picks a group of 2**BITS buckets, the remaining low BITS bits
 * the bucket in it.
 */
#include <config.h>
#include "lib/dt-histogram.h"

#include <string.h>

#include "openvswitch/util.h"
#include "util.h"

#define SUB (1u << DT_HISTOGRAM_BITS)

/* The bucket of 'value' and, in '*shift', how far its values were
 * shifted. */
static size_t
bucket_of(uint32_t value, unsigned int *shift)
{
    if (value < 2 * SUB) {
        *shift = 0;
        return value;
    }
    unsigned int s = log_2_floor(value) - DT_HISTOGRAM_BITS;
    *shift = s;
    /* 'value >> s' lies in [SUB, 2 * SUB). */
    return (size_t) s * SUB + (value >> s);
}

/* The largest value counted in bucket 'b'. */
static uint32_t
bucket_max(size_t b)
{
    if (b < 2 * SUB) {
        return b;
    }
    unsigned int s = b / SUB - 1;
    uint64_t top = (uint64_t) (b - (size_t) s * SUB + 1) << s;
    return MIN(top - 1, UINT32_MAX);
}

/* Makes 'h' empty. */
void
dt_histogram_init(struct dt_histogram *h)
{
    memset(h, 0, sizeof *h);
}

/* Counts 'value' in 'h'. */
void
dt_histogram_add(struct dt_histogram *h, uint32_t value)
{
    unsigned int shift;

    h->counts[bucket_of(value, &shift)]++;
    h->n++;
    h->max = MAX(h->max, value);
}

/* Returns the 'q' quantile (0 <= q <= 1) of what 'h' counted: the value
 * at 0-based rank MIN(n - 1, q * n) in sorted order, rounded up to the
 * largest value of its bucket (but never above the largest value
 * counted).  Returns 0 if 'h' is empty. */
uint32_t
dt_histogram_quantile(const struct dt_histogram *h, double q)
{
    if (!h->n) {
        return 0;
    }
    uint64_t rank = q <= 0 ? 0 : MIN(h->n - 1, (uint64_t) (q * h->n));
    uint64_t seen = 0;
    for (size_t b = 0; b < DT_HISTOGRAM_BUCKETS; b++) {
        seen += h->counts[b];
        if (seen > rank) {
            return MIN(bucket_max(b), h->max);
        }
    }
    OVS_NOT_REACHED();
}
