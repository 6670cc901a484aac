/*
 * xg_alloc.h - a small allocator over one region the caller gives
 * (guests use a static array: a PV guest has only its initial mappings,
 * a PVH guest only the identity map of its RAM).
 *
 * First fit over a free list kept in address order, neighbours merged
 * on free, 16-byte alignment.  Each block has a 16-byte header with its
 * size and a tag, so that freeing a pointer the heap did not hand out,
 * or freeing one twice, is detected and refused instead of corrupting
 * the list.  Pure: tested hosted (tests/guest).
 */
#ifndef XG_ALLOC_H
#define XG_ALLOC_H

#include <stddef.h>
#include <stdint.h>

struct xg_block;

struct xg_heap {
	unsigned char *base;
	size_t size;
	struct xg_block *free;	/* free blocks, in address order */
	size_t used, peak;	/* bytes handed out, headers included */
	size_t nfree;		/* free blocks (a fragmentation gauge) */
};

/* Take SIZE bytes at MEM (any alignment) as the heap's region. */
void xg_heap_init(struct xg_heap *h, void *mem, size_t size);

/* N bytes aligned to 16, or NULL when no free block is large enough
 * (or N is 0). */
void *xg_alloc(struct xg_heap *h, size_t n);

/* N zeroed bytes, as xg_alloc. */
void *xg_zalloc(struct xg_heap *h, size_t n);

/* Give P back; 0, or -1 (nothing changed) when P is not a block this
 * heap handed out and has not had back yet.  P NULL is 0. */
int xg_free(struct xg_heap *h, void *p);

#endif
