/*
 * Unit tests for lib/dt-hash: every input bit reaches every output bit,
 * and the policy cache's keys spread over its index lines as keys placed
 * at random would.
 */
#include <config.h>
#include "tests/check-tap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "lib/dt-hash.h"
#include "util.h"

/* A fixed sequence of pseudo-random words (xorshift64). */
static uint64_t
next_word(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

#define TRIALS 4000

/* Over TRIALS random inputs of 'n_words' words, flips each input bit in
 * turn and checks that each of the 32 output bits flips in between 44%
 * and 56% of the trials: 7.6 standard deviations (0.5 / sqrt(TRIALS)) on
 * either side of half, never crossed by chance.  A finish of one
 * multiplication instead of two fails it (an input bit that flips an
 * output bit in 62% of the trials), and no finish at all fails it and
 * test_cache_keys_spread(). */
static void
check_avalanche(size_t n_words, uint32_t (*hash)(const uint64_t *))
{
    uint64_t state = 0x2545f4914f6cdd1dULL;
    int *flips = xcalloc(n_words * 64 * 32, sizeof *flips);

    for (int t = 0; t < TRIALS; t++) {
        uint64_t w[3];
        for (size_t i = 0; i < n_words; i++) {
            w[i] = next_word(&state);
        }
        uint32_t h = hash(w);
        for (size_t bit = 0; bit < n_words * 64; bit++) {
            w[bit / 64] ^= UINT64_C(1) << (bit % 64);
            uint32_t diff = h ^ hash(w);
            w[bit / 64] ^= UINT64_C(1) << (bit % 64);
            for (int o = 0; o < 32; o++) {
                flips[bit * 32 + o] += (diff >> o) & 1;
            }
        }
    }
    for (size_t bit = 0; bit < n_words * 64; bit++) {
        for (int o = 0; o < 32; o++) {
            int n = flips[bit * 32 + o];
            ck_assert_msg(n >= TRIALS * 44 / 100 && n <= TRIALS * 56 / 100,
                          "input bit %zu flips output bit %d in %d of %d "
                          "trials", bit, o, n, TRIALS);
        }
    }
    free(flips);
}

static uint32_t
hash3(const uint64_t *w)
{
    return dt_hash_3words64(w[0], w[1], w[2]);
}

static uint32_t
hash2(const uint64_t *w)
{
    return dt_hash_2words(w[0] >> 32, w[0]);
}

START_TEST(test_avalanche_3words64)
{
    check_avalanche(3, hash3);
}
END_TEST

START_TEST(test_avalanche_2words)
{
    check_avalanche(1, hash2);
}
END_TEST

START_TEST(test_order_matters)
{
    ck_assert_uint_ne(dt_hash_2words(1, 2), dt_hash_2words(2, 1));
    ck_assert_uint_ne(dt_hash_3words64(1, 2, 3), dt_hash_3words64(3, 2, 1));
    ck_assert_uint_ne(dt_hash_3words64(1, 2, 3), dt_hash_3words64(2, 1, 3));
}
END_TEST

/* The keys of "dovetail-bench policy": one network, 64 source domains,
 * 40000 consecutive IPv4 destinations (mapped into IPv6), hashed as
 * pcache_key_hash() does, over 2^20 lines picked as the cache's index
 * picks them (lines of 8 slots, controller/pcache.c), 2.44 keys a
 * line.  Checks the number of lines
 * that hold each count of keys against the Poisson distribution that
 * random placement gives: chi-square over the counts 0 to 9 (and 10 or
 * more), 10 degrees of freedom, below 40 (exceeded by chance about once
 * in 60000 runs; a hash that leaves the address's bits out of the line
 * number is in the millions). */
START_TEST(test_cache_keys_spread)
{
    enum { LINE_BITS = 20, N_DOMAINS = 64, N_ADDRS = 40000, MAX_K = 10 };
    size_t n_lines = (size_t) 1 << LINE_BITS;
    uint8_t *count = xcalloc(n_lines, sizeof *count);
    size_t n_keys = 0;

    for (uint32_t d = 0; d < N_DOMAINS; d++) {
        uint32_t domain = 0x9c3e0000 + d * 0x01000193;  /* UUID prefixes. */
        for (uint32_t i = 0; i < N_ADDRS; i++) {
            uint8_t dst[16] = { [10] = 0xff, [11] = 0xff };
            ovs_be32 ip = htonl(0x0a000000 + i);
            uint64_t words[2];

            memcpy(&dst[12], &ip, sizeof ip);
            memcpy(words, dst, sizeof words);
            uint32_t h = dt_hash_3words64(((uint64_t) 5001 << 32) | domain,
                                          words[0], words[1]);
            uint8_t *c = &count[(h >> 3) & (n_lines - 1)];
            *c += *c < UINT8_MAX;
            n_keys++;
        }
    }

    size_t observed[MAX_K + 1] = { 0 };
    for (size_t i = 0; i < n_lines; i++) {
        observed[MIN(count[i], MAX_K)]++;
    }

    double lambda = (double) n_keys / n_lines;
    double p = exp(-lambda), p_rest = 1.0, chi2 = 0;
    for (int k = 0; k <= MAX_K; k++) {
        double pk = k < MAX_K ? p : p_rest;
        double expected = pk * n_lines;
        double d = observed[k] - expected;
        chi2 += d * d / expected;
        p_rest -= p;
        p *= lambda / (k + 1);
    }
    ck_assert_msg(chi2 < 40, "chi-square %.1f over line occupancy", chi2);
    free(count);
}
END_TEST

Suite *
unit_suite(void)
{
    Suite *s = suite_create("dt-hash");
    TCase *tc = tcase_create("hash");

    tcase_add_test(tc, test_avalanche_3words64);
    tcase_add_test(tc, test_avalanche_2words);
    tcase_add_test(tc, test_order_matters);
    tcase_add_test(tc, test_cache_keys_spread);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}
