/*
 * xg_ring.h - byte rings shared with a back end: the console
 * (xen/io/console.h, struct xencons_interface) and xenstore
 * (xen/io/xs_wire.h, struct xenstore_domain_interface) both carry bytes
 * in arrays whose SIZE is a power of two, with free-running 32-bit
 * producer and consumer indexes: the unread bytes are prod - cons
 * (unsigned, so wrapping at 2^32 is harmless) and index i lives at
 * i & (SIZE - 1).
 *
 * The indexes are written by the other side, which a guest must not
 * trust: a pair is sane only when prod - cons <= SIZE.  These functions
 * do the arithmetic and the copies; the caller reads the indexes once,
 * puts the memory barriers around them and publishes its own index.
 * Pure: no hypervisor needed, tested hosted (tests/guest).
 */
#ifndef XG_RING_H
#define XG_RING_H

#include <stddef.h>
#include <stdint.h>

/* Bytes between cons and prod in a ring of SIZE, or -1 when the pair
 * is impossible (more than SIZE apart). */
long xg_ring_used(uint32_t prod, uint32_t cons, uint32_t size);

/* Bytes a producer may still write, or -1 for an impossible pair. */
long xg_ring_free(uint32_t prod, uint32_t cons, uint32_t size);

/* Copy up to N bytes from SRC into the ring at index PROD (wrapping
 * round the end); returns how many fitted (0 for an impossible pair).
 * The caller then publishes prod + that count. */
size_t xg_ring_put(volatile char *ring, uint32_t size, uint32_t prod,
    uint32_t cons, const void *src, size_t n);

/* Copy up to N unread bytes from index CONS into DST; returns how many
 * (0 for an impossible pair).  The caller publishes cons + that. */
size_t xg_ring_get(const volatile char *ring, uint32_t size, uint32_t prod,
    uint32_t cons, void *dst, size_t n);

#endif
