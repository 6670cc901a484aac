/*
 * disk.c - format names, probing, and the checks and temporary-file life
 * cycle every source and sink shares (see disk.h, disk-impl.h).
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

/* Copy buffer size: one VHD block, a multiple of every format's unit. */
#define COPY_CHUNK (2u << 20)

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

int
xk_pread_full(int fd, void *buf, size_t len, uint64_t off, const char *path,
    struct xk_error *err)
{
	unsigned char *p = buf;

	while (len > 0) {
		ssize_t n = pread(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			xk_error_errno(err, errno, "%s: read at offset %llu",
			    path, (unsigned long long)off);
			return -1;
		}
		if (n == 0) {
			xk_error_set(err, "%s: unexpected end of file at "
			    "offset %llu (truncated?)", path,
			    (unsigned long long)off);
			return -1;
		}
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

int
xk_pwrite_full(int fd, const void *buf, size_t len, uint64_t off,
    const char *path, struct xk_error *err)
{
	const unsigned char *p = buf;

	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			xk_error_errno(err, n < 0 ? errno : EIO,
			    "%s: write at offset %llu", path,
			    (unsigned long long)off);
			return -1;
		}
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
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
	(void)sync_file_range(sink->fd, (off_t)sink->flushed,
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
	if (ioctl(sink->fd, FICLONERANGE, &r) == 0)
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

/*
 * Create ".NAME.xk-XXXXXXXXXXXXXXXX" next to path, with O_EXCL (mode
 * 0666 & ~umask like any new file), so a crash leaves a recognisable
 * dot-file and never a half-written image under the final name.
 */
static int
create_tmp(struct xk_disk_sink *sink, struct xk_error *err)
{
	char *copy1 = strdup(sink->path), *copy2 = strdup(sink->path);
	const char *dir, *base;
	int rc = -1;

	if (copy1 == NULL || copy2 == NULL) {
		xk_error_errno(err, ENOMEM, "%s", sink->path);
		goto out;
	}
	dir = dirname(copy1);
	base = basename(copy2);
	for (int tries = 0; tries < 16; tries++) {
		uint64_t r;

		if (getrandom(&r, sizeof(r), 0) != sizeof(r))
			r = (uint64_t)getpid() << 20 ^ (uint64_t)tries;
		free(sink->tmp);
		if (asprintf(&sink->tmp, "%s/.%s.xk-%016llx", dir, base,
		    (unsigned long long)r) < 0) {
			sink->tmp = NULL;
			xk_error_errno(err, ENOMEM, "%s", sink->path);
			goto out;
		}
		sink->fd = open(sink->tmp, O_RDWR | O_CREAT | O_EXCL |
		    O_CLOEXEC, 0666);
		if (sink->fd >= 0) {
			rc = 0;
			goto out;
		}
		if (errno != EEXIST)
			break;
	}
	xk_error_errno(err, errno, "%s: cannot create a temporary file in "
	    "%s", sink->path, dir);
	free(sink->tmp);
	sink->tmp = NULL;
out:
	free(copy1);
	free(copy2);
	return rc;
}

/* Refuse to replace anything but a regular file (a device, a dir). */
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
	if (sink == NULL || (sink->path = strdup(path)) == NULL) {
		free(sink);
		xk_error_errno(err, ENOMEM, "%s", path);
		return NULL;
	}
	sink->fd = -1;
	sink->origin_fd = -1;
	sink->size = size;
	sink->id = id;
	if (create_tmp(sink, err) < 0) {
		free(sink->path);
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
		    "offset %llu (writes must ascend)", sink->path,
		    (unsigned long long)off, (unsigned long long)sink->end);
		return -1;
	}
	if (off > sink->size || len > sink->size - off) {
		xk_error_set(err, "%s: write of %zu bytes at offset %llu is "
		    "beyond the disk's %llu bytes", sink->path, len,
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

static void
sink_free(struct xk_disk_sink *sink)
{
	if (sink->ops != NULL)
		sink->ops->destroy(sink);
	if (sink->fd >= 0)
		close(sink->fd);
	free(sink->tmp);
	free(sink->path);
	free(sink);
}

int
xk_disk_sink_commit(struct xk_disk_sink *sink, struct xk_error *err)
{
	if (xk_interrupt_check(err) < 0 || sink->ops->finish(sink, err) < 0)
		goto fail;
	if (fsync(sink->fd) < 0) {
		xk_error_errno(err, errno, "%s: fsync", sink->tmp);
		goto fail;
	}
	/* the last moment to give up: after the rename, the image is done */
	if (xk_interrupt_check(err) < 0)
		goto fail;
	if (close(sink->fd) < 0) {
		sink->fd = -1;
		xk_error_errno(err, errno, "%s: close", sink->tmp);
		goto fail;
	}
	sink->fd = -1;
	if (rename(sink->tmp, sink->path) < 0) {
		xk_error_errno(err, errno, "%s: cannot rename %s into place",
		    sink->path, sink->tmp);
		goto fail;
	}
	free(sink->tmp);
	sink->tmp = NULL;
	if (xk_sync_parent_dir(sink->path, err) < 0) {
		sink_free(sink);
		return -1;
	}
	sink_free(sink);
	return 0;
fail:
	xk_disk_sink_discard(sink, err);
	return -1;
}

void
xk_disk_sink_abort(struct xk_disk_sink *sink)
{
	if (sink == NULL)
		return;
	if (sink->tmp != NULL)
		unlink(sink->tmp);
	sink_free(sink);
}

void
xk_disk_sink_discard(struct xk_disk_sink *sink, struct xk_error *err)
{
	if (sink == NULL)
		return;
	if (sink->tmp != NULL)
		xk_interrupt_removed(err, sink->tmp);
	xk_disk_sink_abort(sink);
}

/*
 * xk_disk_copy runs two threads: this one reads the source into a ring
 * of buffers while a writer thread hands them to the sink, so reading,
 * the sink's work (zero scans, bitmaps) and its writes overlap, as in
 * qemu-img's parallel requests.  Memory: COPY_SLOTS chunks.
 */
#define COPY_SLOTS 4

struct copy_slot {
	unsigned char *buf;
	uint64_t off;
	size_t len;
};

struct copy_pipe {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct copy_slot slot[COPY_SLOTS];
	unsigned head;		/* next slot the reader fills */
	unsigned tail;		/* next slot the writer drains */
	bool done;		/* the reader has no more slots */
	bool stop;		/* the reader failed: drop what is queued */
	bool failed;		/* the writer failed: werr says why */
	struct xk_disk_sink *sink;
	struct xk_progress *progress;
	struct xk_error werr;
};

static void *
copy_writer(void *arg)
{
	struct copy_pipe *cp = arg;

	pthread_mutex_lock(&cp->lock);
	for (;;) {
		struct copy_slot *s;
		int rc;

		while (cp->head == cp->tail && !cp->done && !cp->stop)
			pthread_cond_wait(&cp->cond, &cp->lock);
		if (cp->stop || cp->head == cp->tail)
			break;
		s = &cp->slot[cp->tail % COPY_SLOTS];
		pthread_mutex_unlock(&cp->lock);
		/* no sink: the source is only read through (checked) */
		rc = cp->sink == NULL ? 0 : xk_disk_sink_pwrite(cp->sink,
		    s->buf, s->len, s->off, &cp->werr);
		if (rc == 0)
			xk_progress_update(cp->progress, s->off + s->len);
		pthread_mutex_lock(&cp->lock);
		if (rc < 0) {
			cp->failed = true;
			pthread_cond_broadcast(&cp->cond);
			break;
		}
		cp->tail++;
		pthread_cond_broadcast(&cp->cond);
	}
	pthread_mutex_unlock(&cp->lock);
	return NULL;
}

/* Wait for a free slot; NULL if the writer failed. */
static struct copy_slot *
copy_get_slot(struct copy_pipe *cp)
{
	struct copy_slot *s = NULL;

	pthread_mutex_lock(&cp->lock);
	while (cp->head - cp->tail == COPY_SLOTS && !cp->failed)
		pthread_cond_wait(&cp->cond, &cp->lock);
	if (!cp->failed)
		s = &cp->slot[cp->head % COPY_SLOTS];
	pthread_mutex_unlock(&cp->lock);
	return s;
}

static void
copy_put_slot(struct copy_pipe *cp)
{
	pthread_mutex_lock(&cp->lock);
	cp->head++;
	pthread_cond_broadcast(&cp->cond);
	pthread_mutex_unlock(&cp->lock);
}

/* Read every extent into slots; 0, or -1 with err set. */
static int
copy_reader(struct xk_disk_src *src, struct copy_pipe *cp, uint64_t *data,
    struct xk_error *err)
{
	uint64_t off = 0, start, len;
	int r;

	while ((r = xk_disk_src_next_data(src, off, &start, &len, err)) == 0) {
		uint64_t end = start + len;

		if (start < off || len == 0 || end > src->size) {
			xk_error_set(err, "%s: bad extent %llu+%llu",
			    src->path, (unsigned long long)start,
			    (unsigned long long)len);
			return -1;
		}
		for (uint64_t pos = start; pos < end;) {
			/* keep pieces aligned to COPY_CHUNK boundaries */
			uint64_t n = COPY_CHUNK - pos % COPY_CHUNK;
			struct copy_slot *s = copy_get_slot(cp);

			if (s == NULL)
				return 0;	/* the writer's error wins */
			if (n > end - pos)
				n = end - pos;
			if (xk_disk_src_pread(src, s->buf, n, pos, err) < 0)
				return -1;
			s->off = pos;
			s->len = n;
			copy_put_slot(cp);
			pos += n;
			*data += n;
		}
		off = end;
	}
	return r < 0 ? -1 : 0;
}

int
xk_disk_copy(struct xk_disk_src *src, struct xk_disk_sink *sink,
    struct xk_progress *progress, struct xk_disk_copy_stats *stats,
    struct xk_error *err)
{
	struct copy_pipe cp = { .sink = sink, .progress = progress };
	uint64_t data = 0;
	pthread_t writer;
	int rc = -1, e;

	if (sink != NULL && sink->size < src->size) {
		xk_error_set(err, "%s: image of %llu bytes is smaller than "
		    "its source %s (%llu bytes)", sink->path,
		    (unsigned long long)sink->size, src->path,
		    (unsigned long long)src->size);
		return -1;
	}
	for (int i = 0; i < COPY_SLOTS; i++) {
		cp.slot[i].buf = malloc(COPY_CHUNK);
		if (cp.slot[i].buf == NULL) {
			xk_error_errno(err, ENOMEM, "%s", src->path);
			goto out;
		}
	}
	/* what is written at offset X was read at X: where the file
	 * system can share the source's extents, the sink may clone */
	if (sink != NULL)
		sink->origin_fd = src->origin_fd;
	pthread_mutex_init(&cp.lock, NULL);
	pthread_cond_init(&cp.cond, NULL);
	e = pthread_create(&writer, NULL, copy_writer, &cp);
	if (e != 0) {
		xk_error_errno(err, e, "%s: cannot start a writer thread",
		    src->path);
		goto destroy;
	}
	rc = copy_reader(src, &cp, &data, err);
	pthread_mutex_lock(&cp.lock);
	cp.done = true;
	cp.stop = rc < 0;
	pthread_cond_broadcast(&cp.cond);
	pthread_mutex_unlock(&cp.lock);
	pthread_join(writer, NULL);
	if (rc == 0 && cp.failed) {
		*err = cp.werr;
		rc = -1;
	}
	if (rc == 0) {
		xk_progress_update(progress, src->size);
		if (stats != NULL) {
			stats->size = src->size;
			stats->data = data;
		}
	}
destroy:
	if (sink != NULL)
		sink->origin_fd = -1;
	pthread_cond_destroy(&cp.cond);
	pthread_mutex_destroy(&cp.lock);
out:
	for (int i = 0; i < COPY_SLOTS; i++)
		free(cp.slot[i].buf);
	return rc;
}
