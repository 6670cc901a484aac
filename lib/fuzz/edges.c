/*
 * edges.c - the edges a coverage hypervisor counted (see edges.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/edges.h"
#include "lab/coverage.h"

#define GCDA_MAGIC	0x67636461u	/* "gcda" */
#define TAG_FUNCTION	0x01000000u
#define TAG_ARCS	0x01a10000u	/* GCOV_TAG_FOR_COUNTER(0) */
#define TAG_SUMMARY	0xa1000000u	/* gcc's object summary */

/* The edges of one run, as they are found: sorted at the end. */
struct collect {
	struct xk_edges *e;
	size_t cap;
};

static uint32_t
word(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s != '\0'; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
	return h;
}

/* splitmix64's finaliser: every input bit moves every output bit */
static uint64_t
mix(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint64_t
edge_name(uint64_t object, uint32_t ident, size_t index)
{
	return mix(object ^ mix(((uint64_t)ident << 32) ^ (uint64_t)index));
}

static int
push(struct collect *c, uint64_t edge, struct xk_error *err)
{
	uint64_t *v;

	if (c->e->n == c->cap) {
		c->cap = c->cap == 0 ? 1024 : c->cap * 2;
		v = realloc(c->e->v, c->cap * sizeof(*v));
		if (v == NULL) {
			xk_error_errno(err, ENOMEM, "edges");
			return -1;
		}
		c->e->v = v;
	}
	c->e->v[c->e->n++] = edge;
	return 0;
}

/* One arc counter record of bytes bytes at p: each non-zero counter
 * is an edge. */
static int
arcs(struct collect *c, uint64_t object, uint32_t ident, const uint8_t *p,
    size_t bytes, struct xk_error *err)
{
	size_t i;

	for (i = 0; i < bytes / 8; i++)
		if ((word(p + 8 * i) | word(p + 8 * i + 4)) != 0 &&
		    push(c, edge_name(object, ident, i), err) == -1)
			return -1;
	return 0;
}

/*
 * One object's .gcda: a checksum after the stamp means GCC 12's
 * format, whose record lengths are in bytes; without one they are in
 * 32-bit words.
 */
static int
one_gcda(const char *name, const uint8_t *d, size_t len, void *arg,
    struct xk_error *err)
{
	struct collect *c = arg;
	uint64_t object = fnv1a(name);
	size_t off = 12, unit = 4, bytes;
	uint32_t tag, length, ident = 0;
	int in_function = 0;

	if (len < 12 || word(d) != GCDA_MAGIC) {
		xk_error_set(err, "xencov data: %s: no gcda magic", name);
		return -1;
	}
	if (len >= 16 && word(d + 12) != TAG_FUNCTION &&
	    word(d + 12) != TAG_SUMMARY) {
		off = 16;
		unit = 1;
	}
	while (off < len) {
		/* gcc's own files end with a zero word */
		if (len - off >= 4 && word(d + off) == 0)
			break;
		if (len - off < 8) {
			xk_error_set(err, "xencov data: %s at offset %zu: a "
			    "record cut short", name, off);
			return -1;
		}
		tag = word(d + off);
		length = word(d + off + 4);
		/* gcc 12 writes counters that are all zero as a negative
		 * length and no data (Xen writes them out) */
		if (tag == TAG_ARCS && unit == 1 && (int32_t)length < 0)
			length = 0;
		if (length > (len - off - 8) / unit) {
			xk_error_set(err, "xencov data: %s at offset %zu: a "
			    "record of %u %s, %zu bytes are left", name, off,
			    length, unit == 1 ? "bytes" : "words",
			    len - off - 8);
			return -1;
		}
		bytes = (size_t)length * unit;
		if (tag == TAG_FUNCTION) {
			if (bytes < 4) {
				xk_error_set(err, "xencov data: %s at offset "
				    "%zu: a function without its ident", name,
				    off);
				return -1;
			}
			ident = word(d + off + 8);
			in_function = 1;
		} else if (tag == TAG_ARCS) {
			if (!in_function || bytes % 8 != 0) {
				xk_error_set(err, "xencov data: %s at offset "
				    "%zu: %s", name, off, !in_function ?
				    "arc counters outside a function" :
				    "arc counters of a partial 64-bit value");
				return -1;
			}
			if (arcs(c, object, ident, d + off + 8, bytes,
			    err) == -1)
				return -1;
		}
		off += 8 + bytes;
	}
	return 0;
}

static int
compare(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Sort and drop duplicates (two objects' arcs may collide: rare, and
 * then they count as one). */
static void
normalise(struct xk_edges *e)
{
	size_t i, n = 0;

	if (e->n == 0)
		return;
	qsort(e->v, e->n, sizeof(*e->v), compare);
	for (i = 1; i < e->n; i++)
		if (e->v[i] != e->v[n])
			e->v[++n] = e->v[i];
	e->n = n + 1;
}

int
xk_edges_from_xencov(const uint8_t *blob, size_t len, struct xk_edges *e,
    struct xk_error *err)
{
	struct collect c = { e, 0 };
	size_t objects;

	xk_edges_free(e);
	if (xk_xencov_parse(blob, len, one_gcda, &c, &objects, err) == -1) {
		xk_edges_free(e);
		return -1;
	}
	normalise(e);
	return 0;
}

size_t
xk_edges_count_new(const struct xk_edges *known, const struct xk_edges *run)
{
	size_t i = 0, j = 0, n = 0;

	while (j < run->n) {
		if (i < known->n && known->v[i] < run->v[j]) {
			i++;
		} else {
			if (i == known->n || known->v[i] != run->v[j])
				n++;
			else
				i++;
			j++;
		}
	}
	return n;
}

int
xk_edges_intersect(const struct xk_edges *a, const struct xk_edges *b,
    struct xk_edges *out, struct xk_error *err)
{
	size_t i = 0, j = 0, n = 0;
	uint64_t *v = NULL;

	xk_edges_free(out);
	if (a->n > 0 && b->n > 0 &&
	    (v = malloc((a->n < b->n ? a->n : b->n) * sizeof(*v))) == NULL) {
		xk_error_errno(err, ENOMEM, "edges");
		return -1;
	}
	while (i < a->n && j < b->n) {
		if (a->v[i] < b->v[j])
			i++;
		else if (b->v[j] < a->v[i])
			j++;
		else {
			v[n++] = a->v[i++];
			j++;
		}
	}
	out->v = v;
	out->n = n;
	return 0;
}

int
xk_edges_merge(struct xk_edges *known, const struct xk_edges *run,
    struct xk_error *err)
{
	size_t i = 0, j = 0, n = 0, total = known->n + run->n;
	uint64_t *v;

	if (run->n == 0)
		return 0;
	if ((v = malloc(total * sizeof(*v))) == NULL) {
		xk_error_errno(err, ENOMEM, "edges");
		return -1;
	}
	while (i < known->n || j < run->n) {
		if (j == run->n || (i < known->n && known->v[i] < run->v[j]))
			v[n++] = known->v[i++];
		else if (i == known->n || run->v[j] < known->v[i])
			v[n++] = run->v[j++];
		else {
			v[n++] = known->v[i++];
			j++;
		}
	}
	free(known->v);
	known->v = v;
	known->n = n;
	return 0;
}

void
xk_edges_free(struct xk_edges *e)
{
	free(e->v);
	e->v = NULL;
	e->n = 0;
}
