/*
 * edges-count - the edges of xencov blobs (lib/fuzz/edges.h), for
 * t4830's comparison with gcc's own gcov-dump.
 *
 * Usage: edges-count BLOB [BLOB2]
 *   prints "edges N" (BLOB's); with BLOB2 also "new N" (BLOB2's edges
 *   not in BLOB's) and "union N".  A blob the parser refuses: its
 *   message on stderr, exit 1.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz/edges.h"
#include "lab/coverage.h"
#include "util/file.h"

static int
load(const char *path, struct xk_edges *e, struct xk_error *err)
{
	char *buf = NULL;
	size_t len = 0;
	int r;

	if (xk_read_file(path, XK_XENCOV_MAX, &buf, &len, err) == -1)
		return -1;
	r = xk_edges_from_xencov((const uint8_t *)buf, len, e, err);
	free(buf);
	return r;
}

int
main(int argc, char **argv)
{
	struct xk_edges a = { 0 }, b = { 0 };
	struct xk_error err = { 0 };
	int r = 1;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: edges-count BLOB [BLOB2]\n");
		return 2;
	}
	if (load(argv[1], &a, &err) == -1 ||
	    (argc == 3 && load(argv[2], &b, &err) == -1)) {
		fprintf(stderr, "edges-count: %s\n", err.msg);
		goto out;
	}
	printf("edges %zu\n", a.n);
	if (argc == 3) {
		printf("new %zu\n", xk_edges_count_new(&a, &b));
		if (xk_edges_merge(&a, &b, &err) == -1) {
			fprintf(stderr, "edges-count: %s\n", err.msg);
			goto out;
		}
		printf("union %zu\n", a.n);
	}
	r = 0;
out:
	xk_edges_free(&a);
	xk_edges_free(&b);
	return r;
}
