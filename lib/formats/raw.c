/*
 * raw.c - raw images: files (sparse through SEEK_DATA/SEEK_HOLE) and
 * block devices as sources, sparse files as sinks.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/disk-impl.h"

/* Zero runs shorter than this are written, not skipped as holes. */
#define RAW_GRAIN 4096

struct raw_src {
	int fd;
	bool no_seek_data;	/* the file system cannot say: all data */
};

static int
raw_next_data(struct xk_disk_src *src, uint64_t off, uint64_t *start,
    uint64_t *len, struct xk_error *err)
{
	struct raw_src *rs = src->priv;
	off_t data, hole;

	if (rs->no_seek_data)
		goto all;
	data = lseek(rs->fd, (off_t)off, SEEK_DATA);
	if (data < 0 && errno == ENXIO)
		return 1;
	if (data < 0 && (errno == EINVAL || errno == EOPNOTSUPP)) {
		rs->no_seek_data = true;
		goto all;
	}
	if (data < 0) {
		xk_error_errno(err, errno, "%s: SEEK_DATA at offset %llu",
		    src->path, (unsigned long long)off);
		return -1;
	}
	if ((uint64_t)data >= src->size)
		return 1;
	hole = lseek(rs->fd, data, SEEK_HOLE);
	if (hole < 0) {
		xk_error_errno(err, errno, "%s: SEEK_HOLE at offset %lld",
		    src->path, (long long)data);
		return -1;
	}
	*start = (uint64_t)data;
	*len = ((uint64_t)hole < src->size ? (uint64_t)hole : src->size) -
	    *start;
	return *len == 0 ? 1 : 0;
all:
	*start = off;
	*len = src->size - off;
	return 0;
}

static int
raw_pread(struct xk_disk_src *src, void *buf, size_t len, uint64_t off,
    struct xk_error *err)
{
	struct raw_src *rs = src->priv;

	return xk_pread_full(rs->fd, buf, len, off, src->path, err);
}

static void
raw_close(struct xk_disk_src *src)
{
	struct raw_src *rs = src->priv;

	close(rs->fd);
	free(rs);
}

static const struct xk_disk_src_ops raw_src_ops = {
	.next_data = raw_next_data,
	.pread = raw_pread,
	.close = raw_close,
};

struct xk_disk_src *
xk_raw_src_fd(int fd, const char *path, uint64_t size, struct xk_error *err)
{
	struct raw_src *rs = calloc(1, sizeof(*rs));
	struct xk_disk_src *src;

	if (rs == NULL) {
		close(fd);
		xk_error_errno(err, ENOMEM, "%s", path);
		return NULL;
	}
	rs->fd = fd;
	src = xk_disk_src_new(path, &raw_src_ops, size, rs, err);
	if (src == NULL) {
		close(fd);
		free(rs);
		return NULL;
	}
	src->origin_fd = fd;
	return src;
}

struct xk_disk_src *
xk_raw_src_open(const char *path, struct xk_error *err)
{
	struct stat st;
	uint64_t size;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		xk_error_errno(err, errno, "%s: cannot open", path);
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		xk_error_errno(err, errno, "%s: stat", path);
		close(fd);
		return NULL;
	}
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, &size) < 0) {
			xk_error_errno(err, errno, "%s: BLKGETSIZE64", path);
			close(fd);
			return NULL;
		}
	} else if (S_ISREG(st.st_mode)) {
		size = (uint64_t)st.st_size;
	} else {
		xk_error_set(err, "%s: not a regular file or block device",
		    path);
		close(fd);
		return NULL;
	}
	return xk_raw_src_fd(fd, path, size, err);
}

/*
 * The sink: the temporary file is truncated to the full size up front,
 * so every range not written stays a hole; zero grains are skipped;
 * the others are cloned from a raw source where the file system can.
 */
static int
raw_sink_pwrite(struct xk_disk_sink *sink, const void *buf, size_t len,
    uint64_t off, struct xk_error *err)
{
	const unsigned char *p = buf;
	size_t i = 0;

	while (i < len) {
		size_t n = RAW_GRAIN - (size_t)((off + i) % RAW_GRAIN);
		size_t run;

		if (n > len - i)
			n = len - i;
		if (xk_is_zero(p + i, n)) {
			i += n;
			continue;
		}
		/* extend the run over following non-zero grains */
		run = n;
		while (i + run < len) {
			size_t m = len - i - run < RAW_GRAIN ?
			    len - i - run : RAW_GRAIN;

			if (xk_is_zero(p + i + run, m))
				break;
			run += m;
		}
		if (!xk_sink_clone(sink, off + i, run, off + i) &&
		    xk_pwrite_full(sink->out.fd, p + i, run, off + i, sink->out.tmp,
		    err) < 0)
			return -1;
		i += run;
		xk_sink_write_behind(sink, off + i);
	}
	return 0;
}

static int
raw_sink_finish(struct xk_disk_sink *sink, struct xk_error *err)
{
	(void)sink;
	(void)err;
	return 0;
}

static void
raw_sink_destroy(struct xk_disk_sink *sink)
{
	(void)sink;
}

static const struct xk_disk_sink_ops raw_sink_ops = {
	.pwrite = raw_sink_pwrite,
	.finish = raw_sink_finish,
	.destroy = raw_sink_destroy,
};

int
xk_raw_sink_init(struct xk_disk_sink *sink, struct xk_error *err)
{
	if (ftruncate(sink->out.fd, (off_t)sink->size) < 0) {
		xk_error_errno(err, errno, "%s: cannot size to %llu bytes",
		    sink->out.tmp, (unsigned long long)sink->size);
		return -1;
	}
	sink->ops = &raw_sink_ops;
	return 0;
}
