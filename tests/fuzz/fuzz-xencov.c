/*
 * fuzz-xencov - the coverage counters xencov reads from the hypervisor
 * (xk lab coverage collect): the blob's records, and the .gcda path
 * each name maps to under the report, and the edges of its .gcda
 * files (fuzz/edges.h).  A mapped path must stay under the report's
 * directory; the edges must be a set (sorted, no duplicates), with
 * nothing new against itself.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/edges.h"
#include "lab/coverage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
record(const char *name, const uint8_t *d, size_t len, void *arg,
    struct xk_error *err)
{
	char path[PATH_MAX];

	(void)d;
	(void)len;
	(void)arg;
	if (xk_xencov_path(name, "/b/xen", "/r/src", path, sizeof(path),
	    err) == 0 && (strncmp(path, "/r/src/", 7) != 0 ||
	    strstr(path, "/../") != NULL || strstr(path, "/./") != NULL))
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xk_error e = { 0 };
	struct xk_edges edges = { 0 };
	size_t n, i;

	xk_xencov_parse(data, size, record, NULL, &n, &e);
	if (xk_edges_from_xencov(data, size, &edges, &e) == 0) {
		for (i = 1; i < edges.n; i++)
			if (edges.v[i - 1] >= edges.v[i])
				abort();
		if (xk_edges_count_new(&edges, &edges) != 0)
			abort();
	}
	xk_edges_free(&edges);
	return 0;
}
