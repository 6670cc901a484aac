/*
 * disk-impl.h - what the formats behind disk.h share (private to
 * lib/formats: callers use disk.h only).
 *
 * A source or sink is a small object with a table of operations; disk.c
 * checks the arguments every format would otherwise check (bounds,
 * ascending writes) and owns the temporary-file life cycle of sinks.
 */
#ifndef XK_FORMATS_DISK_IMPL_H
#define XK_FORMATS_DISK_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/disk.h"
#include "util/file.h"
#include "util/tempfile.h"

struct xk_disk_src_ops {
	int (*next_data)(struct xk_disk_src *src, uint64_t off,
	    uint64_t *start, uint64_t *len, struct xk_error *err);
	/* off + len <= size is checked by disk.c */
	int (*pread)(struct xk_disk_src *src, void *buf, size_t len,
	    uint64_t off, struct xk_error *err);
	void (*close)(struct xk_disk_src *src);
};

struct xk_disk_src {
	const struct xk_disk_src_ops *ops;
	char *path;		/* for messages */
	uint64_t size;
	int origin_fd;		/* a file holding byte X of the disk at its
				 * offset X (raw files), or -1 */
	void *priv;
};

struct xk_disk_sink_ops {
	/* Bounds and ordering are checked by disk.c. */
	int (*pwrite)(struct xk_disk_sink *sink, const void *buf, size_t len,
	    uint64_t off, struct xk_error *err);
	/* Write the format's metadata; disk.c then fsyncs and renames. */
	int (*finish)(struct xk_disk_sink *sink, struct xk_error *err);
	/* Release what the format holds (not the file itself). */
	void (*destroy)(struct xk_disk_sink *sink);
};

struct xk_disk_sink {
	const struct xk_disk_sink_ops *ops;
	struct xk_tempfile out;	/* dest: the final name; tmp and fd:
				 * the sibling being written (O_RDWR) */
	uint64_t size;		/* virtual size asked for */
	uint64_t end;		/* end of the last write */
	uint64_t flushed;	/* file bytes handed to writeback so far */
	int origin_fd;		/* the source's origin_fd while xk_disk_copy
				 * writes (same offsets), or -1 */
	bool no_clone;		/* the file system refused a clone */
	const struct xk_disk_id *id;	/* NULL: random, the clock */
	void *priv;
};

/* Sources, one per format (raw.c, vhd.c, nbd.c). */
struct xk_disk_src *xk_raw_src_open(const char *path, struct xk_error *err);
/* A raw view of fd's first size bytes (fixed VHD); takes fd. */
struct xk_disk_src *xk_raw_src_fd(int fd, const char *path, uint64_t size,
    struct xk_error *err);
struct xk_disk_src *xk_vhd_src_open(const char *path, struct xk_error *err);
struct xk_disk_src *xk_qcow2_src_open(const char *path,
    struct xk_error *err);

/* Sink setup, called on a sink whose tmp file is created and open. */
int xk_raw_sink_init(struct xk_disk_sink *sink, struct xk_error *err);
int xk_vhd_sink_init(struct xk_disk_sink *sink, struct xk_error *err);
int xk_qcow2_sink_init(struct xk_disk_sink *sink, struct xk_error *err);
int xk_vmdk_sink_init(struct xk_disk_sink *sink, struct xk_error *err);

/* Helpers (disk.c). */
struct xk_disk_src *xk_disk_src_new(const char *path,
    const struct xk_disk_src_ops *ops, uint64_t size, void *priv,
    struct xk_error *err);
bool xk_is_zero(const void *buf, size_t len);
/* (whole reads and writes at an offset: util/file.h) */
/*
 * Sinks whose file grows sequentially call this with the file's written
 * end: it starts writeback of each finished window, so the disk works
 * while we convert and the fsync at commit has little left to do.
 */
void xk_sink_write_behind(struct xk_disk_sink *sink, uint64_t file_end);

/*
 * Make file bytes [dst, dst + len) of the sink a clone of bytes
 * [off, off + len) of its origin (FICLONERANGE: a reflink file system,
 * XFS or btrfs, shares the extents; nothing is copied or written).
 * Only for data the caller has just read from the origin at off.
 * true when done; false when the sink must write the bytes itself: no
 * origin, or the file system refused (no reflink, another file system,
 * ranges not on its block boundaries), after which it is not asked
 * again.
 */
bool xk_sink_clone(struct xk_disk_sink *sink, uint64_t off, uint64_t len,
    uint64_t dst);

/* Big-endian and little-endian field access. */
static inline uint32_t
xk_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t
xk_be64(const unsigned char *p)
{
	return (uint64_t)xk_be32(p) << 32 | xk_be32(p + 4);
}

static inline void
xk_put_be32(unsigned char *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static inline void
xk_put_be64(unsigned char *p, uint64_t v)
{
	xk_put_be32(p, v >> 32);
	xk_put_be32(p + 4, (uint32_t)v);
}

static inline void
xk_put_le32(unsigned char *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static inline void
xk_put_le64(unsigned char *p, uint64_t v)
{
	xk_put_le32(p, (uint32_t)v);
	xk_put_le32(p + 4, v >> 32);
}

#endif
