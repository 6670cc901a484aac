/*
 * tar.h - writing ustar archives member by member, in exact order.
 *
 * XVA importers want plain ustar headers in a fixed order (ova.xml
 * first, then each chunk followed by its checksum) and no PAX or GNU
 * extension records, so xenkit writes tar itself: a header is 512
 * bytes, data is padded to 512, two zero blocks end the archive.
 * Members larger than ustar's 8 GiB (OVA disks) get a base-256 size
 * field, which GNU tar, bsdtar and libarchive read.  Reading is done
 * with libarchive (xva.c), which also undoes gzip and zstd.
 */
#ifndef XK_FORMATS_TAR_H
#define XK_FORMATS_TAR_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define XK_TAR_BLOCK	512
#define XK_TAR_NAME_MAX	99	/* ustar name field without prefix */

struct xk_tarw;

/* Write to fd (not closed by xk_tarw_free); path is for messages. */
struct xk_tarw *xk_tarw_new(int fd, const char *path, struct xk_error *err);
/* A whole member from memory. */
int xk_tarw_add(struct xk_tarw *tw, const char *name, const void *data,
    size_t len, struct xk_error *err);
/* A streamed member: begin with its size, write exactly size bytes. */
int xk_tarw_begin(struct xk_tarw *tw, const char *name, uint64_t size,
    struct xk_error *err);
int xk_tarw_write(struct xk_tarw *tw, const void *data, size_t len,
    struct xk_error *err);
int xk_tarw_end(struct xk_tarw *tw, struct xk_error *err);
/* The two zero blocks; the archive's length so far. */
int xk_tarw_finish(struct xk_tarw *tw, struct xk_error *err);
uint64_t xk_tarw_offset(const struct xk_tarw *tw);
void xk_tarw_free(struct xk_tarw *tw);

/* Fill a 512-byte ustar header (exposed for tests that break archives). */
int xk_tar_header(unsigned char hdr[XK_TAR_BLOCK], const char *name,
    uint64_t size);

#endif
