/*
 * dt-histogram: a latency histogram of fixed size, for measurements that
 * must not allocate or sort while they run (dovetail-bench's latency
 * percentiles).  Values are unsigned 32-bit (nanoseconds, so up to about
 * 4.3 s); each is counted in a bucket whose width is at most 1/128 of the
 * values it holds, so a percentile read back is within 0.8% of the exact
 * one, and never below it.  Values below 256 are counted exactly.
 */
#ifndef LIB_DT_HISTOGRAM_H
#define LIB_DT_HISTOGRAM_H 1

#include <stdint.h>

/* Sub-buckets per power of two: 2**DT_HISTOGRAM_BITS. */
#define DT_HISTOGRAM_BITS 7
#define DT_HISTOGRAM_BUCKETS ((32 - DT_HISTOGRAM_BITS + 1) \
                              << DT_HISTOGRAM_BITS)

struct dt_histogram {
    uint64_t counts[DT_HISTOGRAM_BUCKETS];
    uint64_t n;                 /* Values counted. */
    uint32_t max;               /* The largest, exactly (0 if none). */
};

void dt_histogram_init(struct dt_histogram *);
void dt_histogram_add(struct dt_histogram *, uint32_t value);
uint32_t dt_histogram_quantile(const struct dt_histogram *, double q);

#endif /* lib/dt-histogram.h */
