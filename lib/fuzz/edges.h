/*
 * edges.h - what a run of the fuzzer covered in the hypervisor, as a
 * set of edges: the arcs of Xen's control-flow graphs that a coverage
 * build (CONFIG_COVERAGE=y) counted at least once.  Coverage guidance
 * keeps an input that adds an edge to what the inputs before it
 * reached; the set is what it compares.
 *
 * The edges come from xencov's blob (lab/coverage.h): one .gcda file
 * per object, in gcc's format as Xen writes it (common/coverage/
 * gcc_4_7.c; share/lab/xen-coverage for GCC 12):
 *
 *	magic "gcda", version, stamp[, checksum: GCC 12 and later]
 *	records: a tag, a length (32-bit words before GCC 12, bytes
 *	since), then the record's data:
 *	  0x01000000  a function: ident, lineno checksum, cfg checksum
 *	  0x01a10000  its arc counters: 64-bit values, low word first
 *	              (gcc's own files: a negative length and no data
 *	              when all are zero)
 *	  others      skipped (gcc's own files have summaries)
 *	  0           the end (gcc's own files)
 *
 * An edge is named by a 64-bit hash of the object's name, the
 * function's ident and the counter's index, so two reads of the same
 * build name an arc the same way.  All words are in the host's byte
 * order (the lab and the host are both x86).
 */
#ifndef XK_FUZZ_EDGES_H
#define XK_FUZZ_EDGES_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* A set of edges: v sorted, no duplicates. */
struct xk_edges {
	uint64_t *v;
	size_t n;
};

/*
 * The edges of a blob into e (emptied first).  A .gcda record cut
 * short, a length that does not fit, a counter record before any
 * function, or a blob lab/coverage.h refuses is an error naming the
 * object and the offset.
 */
int xk_edges_from_xencov(const uint8_t *blob, size_t len, struct xk_edges *e,
    struct xk_error *err);

/* How many edges of run are not in known. */
size_t xk_edges_count_new(const struct xk_edges *known,
    const struct xk_edges *run);

/* out (emptied first) gets the edges both a and b have. */
int xk_edges_intersect(const struct xk_edges *a, const struct xk_edges *b,
    struct xk_edges *out, struct xk_error *err);

/* known gets every edge of run. */
int xk_edges_merge(struct xk_edges *known, const struct xk_edges *run,
    struct xk_error *err);

void xk_edges_free(struct xk_edges *e);

#endif
