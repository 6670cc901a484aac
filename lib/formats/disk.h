/*
 * disk.h - disk images as streams: the one interface every format in
 * xenkit reads and writes disks through (XVA, OVA, VHD, convert).
 *
 * A source is opened read-only and never modified.  It reports where its
 * data is (extents), so a sparse 20 GiB disk with 1 GiB written costs
 * 1 GiB of reading: raw files through SEEK_DATA/SEEK_HOLE, VHD through
 * its BAT, qcow2 through qemu-nbd's block status (libnbd).  Whatever is
 * not in an extent reads as zeros.
 *
 * A sink writes a new image under a temporary name in the destination
 * directory; xk_disk_sink_commit() flushes and renames it into place,
 * xk_disk_sink_abort() (or a failed commit) removes it.  Writes must come
 * in ascending offset order (streamed formats need it); gaps are zeros.
 * Memory stays bounded whatever the disk size.
 */
#ifndef XK_FORMATS_DISK_H
#define XK_FORMATS_DISK_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

enum xk_img_format {
	XK_IMG_RAW,
	XK_IMG_QCOW2,
	XK_IMG_VHD,		/* dynamic (sparse) VHD; fixed VHD read too */
	XK_IMG_VMDK,		/* streamOptimized, write only (OVA) */
};

const char *xk_img_format_name(enum xk_img_format f);
/* "raw", "qcow2", "vhd", "vmdk" -> format; -1 if unknown. */
int xk_img_format_parse(const char *name, enum xk_img_format *f);
/* Detect the format of an existing image from its content. */
int xk_img_probe(const char *path, enum xk_img_format *f,
    struct xk_error *err);

struct xk_disk_src;

struct xk_disk_src *xk_disk_src_open(const char *path, enum xk_img_format f,
    struct xk_error *err);
uint64_t xk_disk_src_size(const struct xk_disk_src *src);
/*
 * The first extent holding data at or after offset: sets *start and
 * *len and returns 0; returns 1 when there is no more data; -1 on error.
 * Extents may be conservative (include zeros), never miss data.
 */
int xk_disk_src_next_data(struct xk_disk_src *src, uint64_t offset,
    uint64_t *start, uint64_t *len, struct xk_error *err);
/* Read exactly len bytes at off (zeros where there is no data). */
int xk_disk_src_pread(struct xk_disk_src *src, void *buf, size_t len,
    uint64_t off, struct xk_error *err);
void xk_disk_src_close(struct xk_disk_src *src);

/*
 * Added for convert/export: the format a file name's extension names
 * (.raw .img .bin, .qcow2 .qcow, .vhd .vpc, .vmdk); -1 if none.
 */
int xk_img_format_from_name(const char *path, enum xk_img_format *f);

struct xk_disk_sink;

/* Create path's temporary sibling for an image of size bytes. */
struct xk_disk_sink *xk_disk_sink_create(const char *path,
    enum xk_img_format f, uint64_t size, struct xk_error *err);
/*
 * For reproducible images: what a VHD footer or a VMDK descriptor
 * otherwise takes from the kernel's randomness, the clock and the
 * temporary file's name.  uuid: the VHD's UUID (a VMDK's CID is its
 * first four bytes); mtime: the VHD's time stamp, seconds since the
 * epoch; name: the file name a VMDK's extent line gives (NULL: the
 * sink's final name).
 */
struct xk_disk_id {
	unsigned char uuid[16];
	int64_t mtime;
	const char *name;
};
/* The same with a fixed identity; id must outlive the sink. */
struct xk_disk_sink *xk_disk_sink_create_id(const char *path,
    enum xk_img_format f, uint64_t size, const struct xk_disk_id *id,
    struct xk_error *err);
/*
 * Write len bytes at off; off must not go below earlier writes' end.
 * Fails with "interrupted by SIGxxx" once a signal was caught (see
 * util/interrupt.h): every copy into a sink stops there.
 */
int xk_disk_sink_pwrite(struct xk_disk_sink *sink, const void *buf,
    size_t len, uint64_t off, struct xk_error *err);
/*
 * Flush, finish the format's metadata, fsync, rename into place; not
 * when a signal was caught first (the image is removed then).
 */
int xk_disk_sink_commit(struct xk_disk_sink *sink, struct xk_error *err);
/* Remove the temporary file; frees sink (commit frees it too). */
void xk_disk_sink_abort(struct xk_disk_sink *sink);
/* The same after a failure err describes: if a signal caused it, err
 * names the temporary file removed. */
void xk_disk_sink_discard(struct xk_disk_sink *sink, struct xk_error *err);

/*
 * Progress on a TTY (bytes, rate, ETA), silent otherwise: long
 * operations call xk_progress_update as they go.
 */
struct xk_progress;

struct xk_progress *xk_progress_start(const char *what, uint64_t total);
void xk_progress_update(struct xk_progress *p, uint64_t done);
/* Add base to later updates (the next of several disks). */
void xk_progress_base(struct xk_progress *p, uint64_t base);
void xk_progress_end(struct xk_progress *p);

/*
 * Copy every data extent of src into sink, in ascending order (added
 * for convert/export).  Does not commit or abort the sink: the caller
 * does either.  progress may be NULL.  stats (may be NULL) says how
 * much was read (extent bytes) and what the virtual size was.  With
 * sink NULL, src is read through and checked the same way, nothing
 * written (xk inspect checks what xk import would read).
 */
struct xk_disk_copy_stats {
	uint64_t size;		/* virtual size of src */
	uint64_t data;		/* bytes read from src's data extents */
};

int xk_disk_copy(struct xk_disk_src *src, struct xk_disk_sink *sink,
    struct xk_progress *progress, struct xk_disk_copy_stats *stats,
    struct xk_error *err);

#endif
