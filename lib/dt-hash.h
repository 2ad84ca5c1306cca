/*
 * dt-hash: hashes of the small fixed-size keys the policy path hashes for
 * every request: a policy cache key (controller/pcache.h) and a pair of
 * policy domains (lib/dt-dps.h).
 *
 * Open vSwitch's hash functions, in a build for any x86-64 (without SSE
 * 4.2's CRC32 instruction), add each 32-bit word to the hash by a chain of
 * multiplications, each waiting on the one before: a cache key of five
 * words and its finish is a chain of twelve.  These multiply each 64-bit
 * word once, the words independently of one another, and mix the result
 * with two more, so that every bit of the key reaches the low bits a
 * table indexes by.  For an index, not for anything an attacker could aim at: the keys
 * are the controller's own (a network, a domain, an endpoint's address).
 */
#ifndef DT_HASH_H
#define DT_HASH_H 1

#include <stdint.h>

/* Mixes 'x' into 32 bits, each of which flips with about even odds when
 * any one bit of 'x' does (SplitMix64's finisher). */
static inline uint32_t
dt_hash_finish64(uint64_t x)
{
    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    x ^= x >> 31;
    return x;
}

/* Returns a hash of the three words 'a', 'b' and 'c', in that order. */
static inline uint32_t
dt_hash_3words64(uint64_t a, uint64_t b, uint64_t c)
{
    return dt_hash_finish64((a * UINT64_C(0x9e3779b97f4a7c15))
                            ^ (b * UINT64_C(0xc2b2ae3d27d4eb4f))
                            ^ (c * UINT64_C(0x165667b19e3779f9)));
}

/* Returns a hash of the two 32-bit words 'a' and 'b', in that order. */
static inline uint32_t
dt_hash_2words(uint32_t a, uint32_t b)
{
    return dt_hash_finish64((((uint64_t) a << 32) | b)
                            * UINT64_C(0x9e3779b97f4a7c15));
}

#endif /* dt-hash.h */
