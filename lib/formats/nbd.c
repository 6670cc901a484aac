/*
 * nbd.c - qcow2 through qemu's own qcow2 code: qemu-nbd serves the image
 * and libnbd talks to it, as virt-v2v does.
 *
 * Why not a qcow2 reader of our own: qcow2 has compressed clusters,
 * subclusters, external data files, zstd, snapshots and a corruption
 * state machine; qemu is the reference implementation and is already a
 * dependency (qemu-utils).  qemu-nbd is started by libnbd with systemd
 * socket activation (no socket path, no port, no daemon left behind:
 * nbd_close waits for it), and block status (base:allocation) gives the
 * extents, so a sparse qcow2 costs what is allocated.
 *
 * Writing: `qemu-img create -f qcow2` makes an empty image under the
 * temporary name, then qemu-nbd serves it writable and only non-zero
 * 64 KiB grains are written (a fresh qcow2 reads zeros everywhere), so
 * nothing is staged in a raw file first and memory stays bounded.
 *
 * Images are always passed to qemu as absolute paths (so a name like
 * "json:{...}" or "nbd:..." is never taken as a protocol) with the
 * format given, never probed.  A qcow2 with a backing file or an
 * external data file is refused: it would make qemu open other files.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libnbd.h>

#include "formats/disk-impl.h"
#include "util/run.h"

#define NBD_CHUNK (4u << 20)		/* per request; NBD allows 32 MiB */
#define STATUS_SPAN (1ull << 30)	/* per block status request */
#define QCOW2_GRAIN (64u << 10)		/* qemu-img's default cluster */

/* Is prog on PATH?  Gives a clear error instead of a failed exec. */
static int
need_program(const char *prog, struct xk_error *err)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	if (path == NULL)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path != '\0') {
		size_t n = strcspn(path, ":");

		if (n > 0 && snprintf(buf, sizeof(buf), "%.*s/%s", (int)n,
		    path, prog) < (int)sizeof(buf) && access(buf, X_OK) == 0)
			return 0;
		path += n;
		if (*path == ':')
			path++;
	}
	xk_error_set(err, "%s not found on PATH (install the Debian package "
	    "qemu-utils): it is needed for qcow2 images", prog);
	return -1;
}

static void
nbd_err(struct xk_error *err, const char *path, const char *what)
{
	int e = nbd_get_errno();
	const char *m = nbd_get_error();

	if (m != NULL)
		xk_error_set(err, "%s: %s: %s", path, what, m);
	else
		xk_error_set(err, "%s: %s: %s", path, what,
		    e ? strerror(e) : "libnbd error");
}

/* Check the qcow2 header for what we refuse; return the virtual size. */
static int
check_qcow2(const char *path, uint64_t *size, struct xk_error *err)
{
	unsigned char h[104];
	uint32_t version;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		xk_error_errno(err, errno, "%s: cannot open", path);
		return -1;
	}
	memset(h, 0, sizeof(h));
	if (xk_pread_full(fd, h, 72, 0, path, err) < 0) {
		close(fd);
		return -1;
	}
	version = xk_be32(h + 4);
	if (version >= 3 && xk_pread_full(fd, h + 72, 32, 72, path, err) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	if (memcmp(h, "QFI\xfb", 4) != 0 || version < 2 || version > 3) {
		xk_error_set(err, "%s: not a qcow2 image (version 2 or 3)",
		    path);
		return -1;
	}
	if (xk_be64(h + 8) != 0) {
		xk_error_set(err, "%s: qcow2 image has a backing file: not "
		    "supported; flatten it first (qemu-img convert -O qcow2)",
		    path);
		return -1;
	}
	if (version >= 3 && (xk_be64(h + 72) & 4) != 0) {
		xk_error_set(err, "%s: qcow2 image has an external data file: "
		    "not supported", path);
		return -1;
	}
	*size = xk_be64(h + 24);
	return 0;
}

/* Start qemu-nbd on abspath and connect; NULL on error. */
static struct nbd_handle *
serve(const char *abspath, const char *name, bool readonly,
    struct xk_error *err)
{
	char *ro[] = { (char *)"qemu-nbd", (char *)"--read-only",
	    (char *)"--format=qcow2", (char *)abspath, NULL };
	char *rw[] = { (char *)"qemu-nbd", (char *)"--format=qcow2",
	    (char *)"--cache=writeback", (char *)abspath, NULL };
	struct nbd_handle *h;

	if (need_program("qemu-nbd", err) < 0)
		return NULL;
	h = nbd_create();
	if (h == NULL) {
		nbd_err(err, name, "libnbd");
		return NULL;
	}
	if (nbd_add_meta_context(h, LIBNBD_CONTEXT_BASE_ALLOCATION) < 0 ||
	    nbd_connect_systemd_socket_activation(h, readonly ? ro : rw) < 0) {
		nbd_err(err, name, "cannot serve it with qemu-nbd");
		nbd_close(h);
		return NULL;
	}
	return h;
}

struct nbd_src {
	struct nbd_handle *h;
};

struct extent_find {
	uint64_t from;		/* looking for data at or after this */
	uint64_t start, len;	/* the data found, len 0 if none */
	uint64_t end;		/* end of what the reply covered */
};

static int
extent_cb(void *opaque, const char *ctx, uint64_t offset, uint32_t *ents,
    size_t n, int *error)
{
	struct extent_find *f = opaque;

	(void)error;
	if (strcmp(ctx, LIBNBD_CONTEXT_BASE_ALLOCATION) != 0)
		return 0;
	for (size_t i = 0; i + 1 < n; i += 2) {
		uint64_t end = offset + ents[i];
		bool data = (ents[i + 1] & LIBNBD_STATE_ZERO) == 0;

		if (data && end > f->from) {
			if (f->len == 0)
				f->start = offset > f->from ? offset : f->from;
			else if (f->start + f->len != offset)
				break;
			f->len = end - f->start;
		} else if (f->len != 0) {
			break;
		}
		offset = end;
	}
	if (offset > f->end)
		f->end = offset;
	return 0;
}

static int
nbd_next_data(struct xk_disk_src *src, uint64_t off, uint64_t *start,
    uint64_t *len, struct xk_error *err)
{
	struct nbd_src *ns = src->priv;

	while (off < src->size) {
		struct extent_find f = { .from = off, .end = off };
		uint64_t span = src->size - off;

		if (span > STATUS_SPAN)
			span = STATUS_SPAN;
		if (nbd_block_status(ns->h, span, off, (nbd_extent_callback) {
		    .callback = extent_cb, .user_data = &f }, 0) < 0) {
			nbd_err(err, src->path, "block status");
			return -1;
		}
		if (f.len != 0) {
			*start = f.start;
			*len = f.start + f.len > src->size ?
			    src->size - f.start : f.len;
			return 0;
		}
		if (f.end <= off) {
			xk_error_set(err, "%s: qemu-nbd's block status made no "
			    "progress at offset %llu", src->path,
			    (unsigned long long)off);
			return -1;
		}
		off = f.end;
	}
	return 1;
}

static int
nbd_src_pread(struct xk_disk_src *src, void *buf, size_t len, uint64_t off,
    struct xk_error *err)
{
	struct nbd_src *ns = src->priv;
	unsigned char *p = buf;

	while (len > 0) {
		size_t n = len > NBD_CHUNK ? NBD_CHUNK : len;

		if (nbd_pread(ns->h, p, n, off, 0) < 0) {
			char what[64];

			snprintf(what, sizeof(what), "read at offset %llu",
			    (unsigned long long)off);
			nbd_err(err, src->path, what);
			return -1;
		}
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

static void
nbd_src_close(struct xk_disk_src *src)
{
	struct nbd_src *ns = src->priv;

	nbd_close(ns->h);
	free(ns);
}

static const struct xk_disk_src_ops nbd_src_ops = {
	.next_data = nbd_next_data,
	.pread = nbd_src_pread,
	.close = nbd_src_close,
};

struct xk_disk_src *
xk_qcow2_src_open(const char *path, struct xk_error *err)
{
	struct nbd_src *ns;
	struct xk_disk_src *src;
	char *abspath;
	uint64_t size;
	int64_t served;

	if (check_qcow2(path, &size, err) < 0)
		return NULL;
	abspath = realpath(path, NULL);
	if (abspath == NULL) {
		xk_error_errno(err, errno, "%s", path);
		return NULL;
	}
	ns = calloc(1, sizeof(*ns));
	if (ns == NULL) {
		free(abspath);
		xk_error_errno(err, ENOMEM, "%s", path);
		return NULL;
	}
	ns->h = serve(abspath, path, true, err);
	free(abspath);
	if (ns->h == NULL) {
		free(ns);
		return NULL;
	}
	served = nbd_get_size(ns->h);
	if (served < 0 || (uint64_t)served < size) {
		xk_error_set(err, "%s: qemu-nbd serves %lld bytes, the qcow2 "
		    "header says %llu", path, (long long)served,
		    (unsigned long long)size);
		nbd_close(ns->h);
		free(ns);
		return NULL;
	}
	src = xk_disk_src_new(path, &nbd_src_ops, size, ns, err);
	if (src == NULL) {
		nbd_close(ns->h);
		free(ns);
	}
	return src;
}

struct nbd_sink {
	struct nbd_handle *h;
};

static int
nbd_sink_pwrite(struct xk_disk_sink *sink, const void *buf, size_t len,
    uint64_t off, struct xk_error *err)
{
	struct nbd_sink *ns = sink->priv;
	const unsigned char *p = buf;
	size_t i = 0;

	while (i < len) {
		size_t n = QCOW2_GRAIN - (size_t)((off + i) % QCOW2_GRAIN);
		size_t run = 0;

		if (n > len - i)
			n = len - i;
		if (xk_is_zero(p + i, n)) {
			i += n;
			continue;
		}
		/* this grain and the non-zero ones after it, in one write */
		while (i + run < len && run < NBD_CHUNK) {
			size_t m = run == 0 ? n : len - i - run;

			if (m > QCOW2_GRAIN)
				m = QCOW2_GRAIN;
			if (run != 0 && xk_is_zero(p + i + run, m))
				break;
			run += m;
		}
		if (nbd_pwrite(ns->h, p + i, run, off + i, 0) < 0) {
			nbd_err(err, sink->out.tmp, "write");
			return -1;
		}
		i += run;
	}
	return 0;
}

static int
nbd_sink_finish(struct xk_disk_sink *sink, struct xk_error *err)
{
	struct nbd_sink *ns = sink->priv;

	if (nbd_flush(ns->h, 0) < 0) {
		nbd_err(err, sink->out.tmp, "flush");
		return -1;
	}
	if (nbd_shutdown(ns->h, 0) < 0) {
		nbd_err(err, sink->out.tmp, "disconnect");
		return -1;
	}
	nbd_close(ns->h);	/* waits for qemu-nbd to exit */
	ns->h = NULL;
	return 0;
}

static void
nbd_sink_destroy(struct xk_disk_sink *sink)
{
	struct nbd_sink *ns = sink->priv;

	if (ns == NULL)
		return;
	if (ns->h != NULL)
		nbd_close(ns->h);
	free(ns);
	sink->priv = NULL;
}

static const struct xk_disk_sink_ops nbd_sink_ops = {
	.pwrite = nbd_sink_pwrite,
	.finish = nbd_sink_finish,
	.destroy = nbd_sink_destroy,
};

int
xk_qcow2_sink_init(struct xk_disk_sink *sink, struct xk_error *err)
{
	char size[32];
	const char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2",
	    NULL, size, NULL };
	char *abspath;
	struct nbd_sink *ns;

	if (need_program("qemu-img", err) < 0)
		return -1;
	abspath = realpath(sink->out.tmp, NULL);
	if (abspath == NULL) {
		xk_error_errno(err, errno, "%s", sink->out.tmp);
		return -1;
	}
	/* qemu-img wants whole sectors; writes stay within sink->size */
	snprintf(size, sizeof(size), "%llu",
	    (unsigned long long)((sink->size + 511) / 512 * 512));
	argv[5] = abspath;
	if (xk_run_ok(argv, NULL, err) < 0) {
		xk_error_prefix(err, "%s", sink->out.dest);
		free(abspath);
		return -1;
	}
	ns = calloc(1, sizeof(*ns));
	if (ns == NULL) {
		free(abspath);
		xk_error_errno(err, ENOMEM, "%s", sink->out.dest);
		return -1;
	}
	ns->h = serve(abspath, sink->out.dest, false, err);
	free(abspath);
	if (ns->h == NULL) {
		free(ns);
		return -1;
	}
	sink->priv = ns;
	sink->ops = &nbd_sink_ops;
	return 0;
}
