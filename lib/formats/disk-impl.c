/*
 * disk-impl.c - what every format's source and sink shares (see
 * disk-impl.h): the source object and its methods, zero detection,
 * writeback and clones for sinks.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "formats/disk-impl.h"

bool
xk_is_zero(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t head = len < 16 ? len : 16;

	/* The first bytes decide most non-zero buffers quickly; then the
	 * buffer equals itself shifted by 16 only if all of it is zero. */
	for (size_t i = 0; i < head; i++)
		if (p[i] != 0)
			return false;
	return len <= 16 || memcmp(p, p + 16, len - 16) == 0;
}

/* Writeback window: large enough for big requests, small enough that
 * dirty pages never pile up into one long fsync at the end. */
#define WRITE_BEHIND (32u << 20)

void
xk_sink_write_behind(struct xk_disk_sink *sink, uint64_t file_end)
{
	if (file_end < sink->flushed + WRITE_BEHIND)
		return;
	/* advisory: a failure here shows up in the fsync at commit */
	(void)sync_file_range(sink->out.fd, (off_t)sink->flushed,
	    (off_t)(file_end - sink->flushed), SYNC_FILE_RANGE_WRITE);
	sink->flushed = file_end;
}

bool
xk_sink_clone(struct xk_disk_sink *sink, uint64_t off, uint64_t len,
    uint64_t dst)
{
	struct file_clone_range r = {
		.src_fd = sink->origin_fd,
		.src_offset = off,
		.src_length = len,
		.dest_offset = dst,
	};

	if (sink->origin_fd < 0 || sink->no_clone)
		return false;
	if (ioctl(sink->out.fd, FICLONERANGE, &r) == 0)
		return true;
	/* EOPNOTSUPP, EXDEV, EINVAL...: whatever the reason, the bytes
	 * are written instead, over anything a partial clone left */
	sink->no_clone = true;
	return false;
}

struct xk_disk_src *
xk_disk_src_new(const char *path, const struct xk_disk_src_ops *ops,
    uint64_t size, void *priv, struct xk_error *err)
{
	struct xk_disk_src *src = calloc(1, sizeof(*src));

	if (src == NULL || (src->path = strdup(path)) == NULL) {
		free(src);
		xk_error_errno(err, ENOMEM, "%s", path);
		return NULL;
	}
	src->ops = ops;
	src->size = size;
	src->origin_fd = -1;
	src->priv = priv;
	return src;
}

uint64_t
xk_disk_src_size(const struct xk_disk_src *src)
{
	return src->size;
}

int
xk_disk_src_next_data(struct xk_disk_src *src, uint64_t offset,
    uint64_t *start, uint64_t *len, struct xk_error *err)
{
	if (offset >= src->size)
		return 1;
	return src->ops->next_data(src, offset, start, len, err);
}

int
xk_disk_src_pread(struct xk_disk_src *src, void *buf, size_t len,
    uint64_t off, struct xk_error *err)
{
	if (off > src->size || len > src->size - off) {
		xk_error_set(err, "%s: read of %zu bytes at offset %llu is "
		    "beyond the disk's %llu bytes", src->path, len,
		    (unsigned long long)off, (unsigned long long)src->size);
		return -1;
	}
	if (len == 0)
		return 0;
	return src->ops->pread(src, buf, len, off, err);
}

void
xk_disk_src_close(struct xk_disk_src *src)
{
	if (src == NULL)
		return;
	src->ops->close(src);
	free(src->path);
	free(src);
}
