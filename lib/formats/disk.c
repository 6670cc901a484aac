/*
 * disk.c - format names, probing, opening a source or creating a sink of
 * a given format, and the sink's life cycle (see disk.h).  What the
 * formats share is in disk-impl.c, the copy between them in copy.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/disk-impl.h"
#include "util/interrupt.h"
#include "util/file.h"

static const char *const format_names[] = {
	[XK_IMG_RAW] = "raw",
	[XK_IMG_QCOW2] = "qcow2",
	[XK_IMG_VHD] = "vhd",
	[XK_IMG_VMDK] = "vmdk",
};

#define NFORMATS (sizeof(format_names) / sizeof(format_names[0]))

const char *
xk_img_format_name(enum xk_img_format f)
{
	if ((unsigned)f >= NFORMATS)
		return "unknown";
	return format_names[f];
}

int
xk_img_format_parse(const char *name, enum xk_img_format *f)
{
	for (size_t i = 0; i < NFORMATS; i++) {
		if (strcmp(name, format_names[i]) == 0) {
			*f = (enum xk_img_format)i;
			return 0;
		}
	}
	return -1;
}

int
xk_img_format_from_name(const char *path, enum xk_img_format *f)
{
	static const struct {
		const char *ext;
		enum xk_img_format f;
	} exts[] = {
		{ ".raw", XK_IMG_RAW }, { ".img", XK_IMG_RAW },
		{ ".bin", XK_IMG_RAW }, { ".qcow2", XK_IMG_QCOW2 },
		{ ".qcow", XK_IMG_QCOW2 }, { ".vhd", XK_IMG_VHD },
		{ ".vpc", XK_IMG_VHD }, { ".vmdk", XK_IMG_VMDK },
	};
	const char *dot = strrchr(path, '.');

	if (dot == NULL || strchr(dot, '/') != NULL)
		return -1;
	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		if (strcasecmp(dot, exts[i].ext) == 0) {
			*f = exts[i].f;
			return 0;
		}
	}
	return -1;
}

/*
 * Probe by magic: qcow2 "QFI\xfb", VMDK "KDMV", a VHD footer copy at
 * offset 0 (dynamic) or a footer in the last 512 bytes (fixed); anything
 * else is raw.
 */
int
xk_img_probe(const char *path, enum xk_img_format *f, struct xk_error *err)
{
	unsigned char head[512], tail[512];
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		xk_error_errno(err, errno, "%s: cannot open", path);
		return -1;
	}
	memset(head, 0, sizeof(head));
	memset(tail, 0, sizeof(tail));
	if (fstat(fd, &st) < 0 ||
	    pread(fd, head, sizeof(head), 0) < 0) {
		xk_error_errno(err, errno, "%s: cannot read", path);
		close(fd);
		return -1;
	}
	if (S_ISREG(st.st_mode) && st.st_size >= 1024 &&
	    pread(fd, tail, sizeof(tail), st.st_size - 512) < 0) {
		xk_error_errno(err, errno, "%s: cannot read", path);
		close(fd);
		return -1;
	}
	close(fd);
	if (memcmp(head, "QFI\xfb", 4) == 0)
		*f = XK_IMG_QCOW2;
	else if (memcmp(head, "KDMV", 4) == 0)
		*f = XK_IMG_VMDK;
	else if (memcmp(head, "conectix", 8) == 0 ||
	    memcmp(tail, "conectix", 8) == 0)
		*f = XK_IMG_VHD;
	else
		*f = XK_IMG_RAW;
	return 0;
}

struct xk_disk_src *
xk_disk_src_open(const char *path, enum xk_img_format f, struct xk_error *err)
{
	switch (f) {
	case XK_IMG_RAW:
		return xk_raw_src_open(path, err);
	case XK_IMG_VHD:
		return xk_vhd_src_open(path, err);
	case XK_IMG_QCOW2:
		return xk_qcow2_src_open(path, err);
	default:
		xk_error_set(err, "%s: reading %s images is not supported",
		    path, xk_img_format_name(f));
		return NULL;
	}
}

static int
check_dest(const char *path, struct xk_error *err)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		xk_error_errno(err, errno, "%s", path);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		xk_error_set(err, "%s: exists and is not a regular file; "
		    "refusing to replace it", path);
		return -1;
	}
	return 0;
}

struct xk_disk_sink *
xk_disk_sink_create(const char *path, enum xk_img_format f, uint64_t size,
    struct xk_error *err)
{
	return xk_disk_sink_create_id(path, f, size, NULL, err);
}

struct xk_disk_sink *
xk_disk_sink_create_id(const char *path, enum xk_img_format f, uint64_t size,
    const struct xk_disk_id *id, struct xk_error *err)
{
	static int (*const init[])(struct xk_disk_sink *, struct xk_error *) = {
		[XK_IMG_RAW] = xk_raw_sink_init,
		[XK_IMG_QCOW2] = xk_qcow2_sink_init,
		[XK_IMG_VHD] = xk_vhd_sink_init,
		[XK_IMG_VMDK] = xk_vmdk_sink_init,
	};
	struct xk_disk_sink *sink;

	if ((unsigned)f >= NFORMATS) {
		xk_error_set(err, "%s: unknown image format %d", path, (int)f);
		return NULL;
	}
	if (check_dest(path, err) < 0)
		return NULL;
	sink = calloc(1, sizeof(*sink));
	if (sink == NULL) {
		xk_error_errno(err, ENOMEM, "%s", path);
		return NULL;
	}
	sink->origin_fd = -1;
	sink->size = size;
	sink->id = id;
	if (xk_tempfile_open(&sink->out, path, err) < 0) {
		free(sink);
		return NULL;
	}
	if (init[f](sink, err) < 0) {
		sink->ops = NULL;	/* init cleaned up after itself */
		xk_disk_sink_discard(sink, err);
		return NULL;
	}
	return sink;
}

int
xk_disk_sink_pwrite(struct xk_disk_sink *sink, const void *buf, size_t len,
    uint64_t off, struct xk_error *err)
{
	if (off < sink->end) {
		xk_error_set(err, "%s: write at offset %llu goes back before "
		    "offset %llu (writes must ascend)", sink->out.dest,
		    (unsigned long long)off, (unsigned long long)sink->end);
		return -1;
	}
	if (off > sink->size || len > sink->size - off) {
		xk_error_set(err, "%s: write of %zu bytes at offset %llu is "
		    "beyond the disk's %llu bytes", sink->out.dest, len,
		    (unsigned long long)off, (unsigned long long)sink->size);
		return -1;
	}
	if (xk_interrupt_check(err) < 0)
		return -1;
	if (len == 0)
		return 0;
	if (sink->ops->pwrite(sink, buf, len, off, err) < 0)
		return -1;
	sink->end = off + len;
	return 0;
}

/* The format's state and the sink; the file is the caller's business. */
static void
sink_free(struct xk_disk_sink *sink)
{
	if (sink->ops != NULL)
		sink->ops->destroy(sink);
	free(sink);
}

int
xk_disk_sink_commit(struct xk_disk_sink *sink, struct xk_error *err)
{
	int rc = -1;

	if (xk_interrupt_check(err) < 0 || sink->ops->finish(sink, err) < 0)
		xk_tempfile_abort(&sink->out, err);
	else
		rc = xk_tempfile_commit(&sink->out, err);
	sink_free(sink);
	return rc;
}

void
xk_disk_sink_abort(struct xk_disk_sink *sink)
{
	if (sink == NULL)
		return;
	xk_tempfile_abort(&sink->out, NULL);
	sink_free(sink);
}

void
xk_disk_sink_discard(struct xk_disk_sink *sink, struct xk_error *err)
{
	if (sink == NULL)
		return;
	xk_tempfile_abort(&sink->out, err);
	sink_free(sink);
}
