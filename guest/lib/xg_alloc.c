/*
 * xg_alloc.c - first-fit allocator with coalescing (see xg_alloc.h).
 */
#include "xg_alloc.h"
#include "xg_string.h"

#define ALIGN 16
#define TAG_USED 0x7573656475736564ULL	/* "usedused" */
#define TAG_FREE 0x6672656566726565ULL	/* "freefree" */

/* A block's header; a free block's next is its free-list link. */
struct xg_block {
	size_t size;		/* the whole block, header included */
	uint64_t tag;
	struct xg_block *next;	/* free blocks only (in the payload) */
};

#define HDR 16		/* size + tag: what an allocated block costs */
#define MIN_BLOCK 32	/* header + a free block's link, rounded */

void
xg_heap_init(struct xg_heap *h, void *mem, size_t size)
{
	uintptr_t start = ((uintptr_t)mem + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1);
	size_t lost = start - (uintptr_t)mem;

	memset(h, 0, sizeof(*h));
	if (size < lost + MIN_BLOCK)
		return;
	h->base = (unsigned char *)start;
	h->size = (size - lost) & ~(size_t)(ALIGN - 1);
	h->free = (struct xg_block *)h->base;
	h->free->size = h->size;
	h->free->tag = TAG_FREE;
	h->free->next = NULL;
	h->nfree = 1;
}

void *
xg_alloc(struct xg_heap *h, size_t n)
{
	struct xg_block **link, *b;
	size_t need;

	if (n == 0 || n > h->size)
		return NULL;
	need = (n + HDR + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (need < MIN_BLOCK)
		need = MIN_BLOCK;
	for (link = &h->free; (b = *link) != NULL; link = &b->next) {
		if (b->size < need)
			continue;
		if (b->size - need >= MIN_BLOCK) {
			/* split: the tail stays free, in b's place */
			struct xg_block *rest = (void *)((char *)b + need);

			rest->size = b->size - need;
			rest->tag = TAG_FREE;
			rest->next = b->next;
			*link = rest;
			b->size = need;
		} else {
			*link = b->next;
			h->nfree--;
		}
		b->tag = TAG_USED;
		h->used += b->size;
		if (h->used > h->peak)
			h->peak = h->used;
		return (char *)b + HDR;
	}
	return NULL;
}

void *
xg_zalloc(struct xg_heap *h, size_t n)
{
	void *p = xg_alloc(h, n);

	if (p != NULL)
		memset(p, 0, n);
	return p;
}

/* Merge B with the block right after it when that one is NEXT. */
static void
merge(struct xg_heap *h, struct xg_block *b, struct xg_block *next)
{
	if (next != NULL && (char *)b + b->size == (char *)next) {
		b->size += next->size;
		b->next = next->next;
		next->tag = 0;
		h->nfree--;
	}
}

int
xg_free(struct xg_heap *h, void *p)
{
	struct xg_block *b, *prev = NULL, *cur;
	uintptr_t a = (uintptr_t)p;

	if (p == NULL)
		return 0;
	if (a < (uintptr_t)h->base + HDR || a >= (uintptr_t)h->base + h->size ||
	    (a - (uintptr_t)h->base) % ALIGN != 0)
		return -1;
	b = (struct xg_block *)(a - HDR);
	if (b->tag != TAG_USED || b->size < MIN_BLOCK ||
	    b->size > (size_t)(h->base + h->size - (unsigned char *)b))
		return -1;
	/* a free block's tag says so: the tag test above refused it */
	for (cur = h->free; cur != NULL && cur < b; cur = cur->next)
		prev = cur;
	b->tag = TAG_FREE;
	b->next = cur;
	h->used -= b->size;
	h->nfree++;
	if (prev != NULL)
		prev->next = b;
	else
		h->free = b;
	merge(h, b, cur);
	if (prev != NULL)
		merge(h, prev, b);
	return 0;
}
