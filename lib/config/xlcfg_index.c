/*
 * xlcfg_index.c - key -> setting, so that a file of n distinct keys
 * reads in O(n), not O(n^2) as a list scan does.
 *
 * An open-addressing table (linear probing, at most half full) of
 * positions in cfg->settings.  The key hash is SipHash-2-4 with a random
 * key per table: the input is hostile, and with a fixed hash a file could
 * be crafted whose keys all collide, which is the quadratic case again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "config/xlcfg_index.h"

struct xlcfg_index {
	size_t *slots;		/* position + 1; 0 is an empty slot */
	size_t cap;		/* a power of two */
	uint64_t k0, k1;	/* the hash key */
	size_t compares;	/* strcmp calls, for tests */
};

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND do {							\
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);	\
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;				\
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;				\
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);	\
} while (0)

static uint64_t
siphash(uint64_t k0, uint64_t k1, const unsigned char *m, size_t len)
{
	uint64_t v0 = k0 ^ 0x736f6d6570736575ULL, v1 = k1 ^ 0x646f72616e646f6dULL;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ULL, v3 = k1 ^ 0x7465646279746573ULL;
	uint64_t b = (uint64_t)len << 56, w;
	size_t i, rest = len & 7;

	for (i = 0; i + 8 <= len; i += 8) {
		w = 0;
		for (int j = 7; j >= 0; j--)
			w = w << 8 | m[i + (size_t)j];
		v3 ^= w;
		SIPROUND;
		SIPROUND;
		v0 ^= w;
	}
	for (size_t j = 0; j < rest; j++)
		b |= (uint64_t)m[i + j] << (8 * j);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	for (int r = 0; r < 4; r++)
		SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

static size_t
slot_of(const struct xlcfg_index *ix, const char *key)
{
	return (size_t)siphash(ix->k0, ix->k1, (const unsigned char *)key,
	    strlen(key)) & (ix->cap - 1);
}

size_t
xlcfg_index_find(const struct xlcfg *cfg, const char *key)
{
	struct xlcfg_index *ix = cfg->index;

	if (ix == NULL)
		return XLCFG_NOT_FOUND;
	for (size_t h = slot_of(ix, key); ix->slots[h] != 0;
	    h = (h + 1) & (ix->cap - 1)) {
		size_t i = ix->slots[h] - 1;

		ix->compares++;
		if (strcmp(cfg->settings[i].key, key) == 0)
			return i;
	}
	return XLCFG_NOT_FOUND;
}

static void
put(struct xlcfg_index *ix, const struct xlcfg *cfg, size_t i)
{
	size_t h = slot_of(ix, cfg->settings[i].key);

	while (ix->slots[h] != 0)
		h = (h + 1) & (ix->cap - 1);
	ix->slots[h] = i + 1;
}

static struct xlcfg_index *
index_new(void)
{
	struct xlcfg_index *ix = calloc(1, sizeof(*ix));
	uint64_t k[2];

	if (ix == NULL)
		return NULL;
	/* Without entropy the hash is still correct, only predictable. */
	if (getrandom(k, sizeof(k), GRND_NONBLOCK) != (ssize_t)sizeof(k)) {
		k[0] = (uint64_t)(uintptr_t)ix;
		k[1] = (uint64_t)(uintptr_t)&k;
	}
	ix->k0 = k[0];
	ix->k1 = k[1];
	return ix;
}

/* Keep the table at most half full; n is the number of settings. */
static int
grow(struct xlcfg_index *ix, const struct xlcfg *cfg, size_t n)
{
	size_t cap = ix->cap ? ix->cap : 16;
	size_t *old = ix->slots;

	if (ix->slots != NULL && n * 2 <= ix->cap)
		return 0;
	while (n * 2 > cap)
		cap *= 2;
	ix->slots = calloc(cap, sizeof(*ix->slots));
	if (ix->slots == NULL) {
		ix->slots = old;
		return -1;
	}
	free(old);
	ix->cap = cap;
	for (size_t i = 0; i + 1 < n; i++)
		put(ix, cfg, i);
	return 0;
}

int
xlcfg_index_add(struct xlcfg *cfg, size_t i)
{
	if (cfg->index == NULL && (cfg->index = index_new()) == NULL)
		return -1;
	if (grow(cfg->index, cfg, i + 1) < 0)
		return -1;
	put(cfg->index, cfg, i);
	return 0;
}

void
xlcfg_index_free(struct xlcfg_index *ix)
{
	if (ix == NULL)
		return;
	free(ix->slots);
	free(ix);
}

size_t
xlcfg_key_compares(const struct xlcfg *cfg)
{
	return cfg->index != NULL ? cfg->index->compares : 0;
}
