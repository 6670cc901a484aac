/*
 * convert.c - xk_disk_convert: one image into another format, the
 * output renamed into place when complete (see convert.h).
 */
#include <sys/stat.h>

#include "formats/convert.h"

/* Converting a file onto itself would replace the input. */
static int
same_file(const char *in, const char *out, struct xk_error *err)
{
	struct stat a, b;

	if (stat(in, &a) == 0 && stat(out, &b) == 0 && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino) {
		xk_error_set(err, "%s and %s are the same file", in, out);
		return -1;
	}
	return 0;
}

int
xk_disk_convert(const char *in, enum xk_img_format from, const char *out,
    enum xk_img_format to, struct xk_disk_copy_stats *stats,
    struct xk_swept *swept, struct xk_error *err)
{
	struct xk_disk_src *src;
	struct xk_disk_sink *sink;
	struct xk_progress *p;
	int rc;

	if (same_file(in, out, err) < 0 ||
	    xk_tempfile_sweep_for(out, swept, err) < 0)
		return -1;
	src = xk_disk_src_open(in, from, err);
	if (src == NULL)
		return -1;
	sink = xk_disk_sink_create(out, to, xk_disk_src_size(src), err);
	if (sink == NULL) {
		xk_disk_src_close(src);
		return -1;
	}
	p = xk_progress_start(out, xk_disk_src_size(src));
	rc = xk_disk_copy(src, sink, p, stats, err);
	xk_progress_end(p);
	if (rc < 0)
		xk_disk_sink_discard(sink, err);
	else
		rc = xk_disk_sink_commit(sink, err);
	xk_disk_src_close(src);
	return rc;
}
