/*
 * prng.c - xoshiro256** seeded by splitmix64 (see prng.h).
 */
#include "fuzz/prng.h"

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void
xk_prng_seed(struct xk_prng *p, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		p->s[i] = splitmix64(&seed);
}

uint64_t
xk_prng_next(struct xk_prng *p)
{
	uint64_t *s = p->s;
	uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

uint64_t
xk_prng_range(struct xk_prng *p, uint64_t lo, uint64_t hi)
{
	uint64_t span = hi - lo + 1, lim, v;

	if (span == 0)		/* the whole 64-bit range */
		return xk_prng_next(p);
	/* reject the top partial block so every value is equally likely */
	lim = UINT64_MAX - UINT64_MAX % span;
	do
		v = xk_prng_next(p);
	while (v >= lim);
	return lo + v % span;
}
