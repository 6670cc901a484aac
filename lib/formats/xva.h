/*
 * xva.h - XVA archives (`xe vm-export`): write and stream-read.
 *
 * An XVA is a tar: ova.xml first, then each VDI as 1 MiB chunks named
 * "Ref:NNN/%08d", each followed by "Ref:NNN/%08d.checksum" (SHA1, 40
 * lowercase hex) or ".xxhash" (XXH64, 16 uppercase hex).  Missing chunk
 * numbers are zeros; a VDI's first and last chunks are always there.
 * See xk-xva(5).  Disk data streams through one 1 MiB buffer both ways.
 */
#ifndef XK_FORMATS_XVA_H
#define XK_FORMATS_XVA_H

#include <stdbool.h>
#include <stdint.h>

#include "formats/disk.h"
#include "formats/ovaxml.h"
#include "util/error.h"

enum xk_xva_sum { XK_XVA_SHA1, XK_XVA_XXHASH };

/* "<40 lowercase hex>" or "<16 uppercase hex>" of data, NUL-ended. */
int xk_xva_checksum(enum xk_xva_sum kind, const void *data, size_t len,
    char out[41]);

/* ---- writing ---- */

struct xk_xva_wdisk {
	const char *ref;		/* VDI id in ova.xml */
	struct xk_disk_src *src;
	uint64_t chunks, skipped;	/* set by xk_xva_write */
};

/*
 * Write the archive to fd: ova.xml, then disks in the order given (the
 * caller sorts them by ref).  Zero chunks are skipped except each
 * disk's first and last.  progress may be NULL.
 */
int xk_xva_write(int fd, const char *path, const struct xk_xv *ova,
    struct xk_xva_wdisk *disks, size_t ndisks, enum xk_xva_sum sum,
    struct xk_progress *progress, struct xk_error *err);

/* ---- reading ---- */

/* What the archive holds for one VDI of ova.xml. */
struct xk_xva_vdi {
	char *ref;
	uint64_t size;		/* virtual_size from ova.xml */
	uint64_t offset;	/* rebuilt offset reached so far */
	uint64_t data;		/* bytes in chunks present */
	uint64_t chunks;	/* chunk members (keep-alives included) */
	long last;		/* last chunk number, -1 before the first */
	bool seen, sha1, xxhash;
};

struct xk_xva_reader {
	char *path;
	struct archive *ar;
	struct xk_xv *ova;		/* parsed ova.xml */
	const char *compression;	/* "none", "gzip", "zstd" */
	struct xk_xva_vdi *vdis;
	size_t nvdis;
	unsigned char *buf;		/* one chunk */
};

/* Callbacks for verified disk data, in ascending offsets per VDI. */
struct xk_xva_sink {
	void *arg;
	int (*data)(void *arg, struct xk_xva_vdi *vdi, uint64_t off,
	    const void *buf, size_t len, struct xk_error *err);
};

/*
 * Open path (plain, gzip or zstd tar) and read ova.xml, which must be
 * the first member.
 */
struct xk_xva_reader *xk_xva_open(const char *path, struct xk_error *err);
/* The same from memory (fuzzing, tests); data must outlive the reader. */
struct xk_xva_reader *xk_xva_open_mem(const void *data, size_t len,
    struct xk_error *err);
/*
 * Read every disk member to the end of the archive, verifying each
 * chunk's checksum before handing its data to sink (may be NULL: just
 * verify).  Fails on anything an importer must refuse, naming the disk
 * and chunk.  Every VDI that appears must be complete.
 */
int xk_xva_read_disks(struct xk_xva_reader *r, const struct xk_xva_sink *sink,
    struct xk_error *err);
struct xk_xva_vdi *xk_xva_vdi(struct xk_xva_reader *r, const char *ref);
void xk_xva_close(struct xk_xva_reader *r);

/* Is name a member name an XVA may hold (no "/" start, no "..")? */
bool xk_xva_name_safe(const char *name);

#endif
