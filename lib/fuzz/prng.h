/*
 * prng.h - the fuzzer's pseudo-random numbers: xoshiro256** (Blackman
 * and Vigna, 2018, public domain), its state filled from the 64-bit
 * seed by splitmix64 as its authors recommend.  Integer arithmetic only,
 * so one seed gives the same numbers on every machine and compiler: a
 * run is reproduced from its seed alone.
 */
#ifndef XK_FUZZ_PRNG_H
#define XK_FUZZ_PRNG_H

#include <stdint.h>

struct xk_prng {
	uint64_t s[4];
};

void xk_prng_seed(struct xk_prng *p, uint64_t seed);
uint64_t xk_prng_next(struct xk_prng *p);
/* A number in [lo, hi] (hi >= lo), without modulo bias. */
uint64_t xk_prng_range(struct xk_prng *p, uint64_t lo, uint64_t hi);

#endif
