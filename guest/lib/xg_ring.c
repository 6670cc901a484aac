/*
 * xg_ring.c - byte-ring index arithmetic and copies (see xg_ring.h).
 */
#include "xg_ring.h"

long
xg_ring_used(uint32_t prod, uint32_t cons, uint32_t size)
{
	uint32_t used = prod - cons;

	return used > size ? -1 : (long)used;
}

long
xg_ring_free(uint32_t prod, uint32_t cons, uint32_t size)
{
	long used = xg_ring_used(prod, cons, size);

	return used < 0 ? -1 : (long)size - used;
}

size_t
xg_ring_put(volatile char *ring, uint32_t size, uint32_t prod, uint32_t cons,
    const void *src, size_t n)
{
	const char *s = src;
	long room = xg_ring_free(prod, cons, size);
	size_t i;

	if (room < 0)
		return 0;
	if (n > (size_t)room)
		n = (size_t)room;
	for (i = 0; i < n; i++)
		ring[(prod + (uint32_t)i) & (size - 1)] = s[i];
	return n;
}

size_t
xg_ring_get(const volatile char *ring, uint32_t size, uint32_t prod,
    uint32_t cons, void *dst, size_t n)
{
	char *d = dst;
	long avail = xg_ring_used(prod, cons, size);
	size_t i;

	if (avail < 0)
		return 0;
	if (n > (size_t)avail)
		n = (size_t)avail;
	for (i = 0; i < n; i++)
		d[i] = ring[(cons + (uint32_t)i) & (size - 1)];
	return n;
}
