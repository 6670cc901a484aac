/*
 * tar.c - a minimal ustar writer (see tar.h for why not libarchive).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/tar.h"
#include "util/interrupt.h"

struct xk_tarw {
	int fd;
	const char *path;
	uint64_t off;		/* bytes written */
	uint64_t left;		/* of the open member */
	uint64_t size;		/* of the open member */
	uint64_t flushed;	/* bytes handed to writeback so far */
	bool no_flush;		/* fd is no file (a pipe): never mind */
	int open;
};

/*
 * Writeback window: every WRITE_BEHIND bytes written, start writeback of
 * them (without waiting), so the disk works while we hash and write and
 * the caller's fsync before its rename has little left to do; without
 * it a multi-GiB archive sits dirty in the page cache until the dirty
 * limits throttle the writer, and the fsync then waits for the rest
 * (2.2 s of a 4 GiB XVA export in bench/formats-disk.sh).  The archive
 * offsets are taken as file offsets: callers write a new file.
 */
#define WRITE_BEHIND (32u << 20)

static void
write_behind(struct xk_tarw *tw)
{
	if (tw->no_flush || tw->off < tw->flushed + WRITE_BEHIND)
		return;
	/* advisory: a write error shows up in the caller's fsync */
	if (sync_file_range(tw->fd, (off_t)tw->flushed,
	    (off_t)(tw->off - tw->flushed), SYNC_FILE_RANGE_WRITE) < 0 &&
	    (errno == ESPIPE || errno == EINVAL))
		tw->no_flush = true;
	tw->flushed = tw->off;
}

static void
octal(unsigned char *field, size_t width, uint64_t v)
{
	/* width - 1 digits, zero-padded, then NUL */
	field[width - 1] = '\0';
	for (size_t i = width - 1; i > 0; i--) {
		field[i - 1] = (unsigned char)('0' + (v & 7));
		v >>= 3;
	}
}

int
xk_tar_header(unsigned char hdr[XK_TAR_BLOCK], const char *name,
    uint64_t size)
{
	size_t n = strlen(name);
	unsigned sum = 0;

	if (n == 0 || n > XK_TAR_NAME_MAX)
		return -1;
	memset(hdr, 0, XK_TAR_BLOCK);
	memcpy(hdr, name, n);
	octal(hdr + 100, 8, 0644);		/* mode */
	octal(hdr + 108, 8, 0);			/* uid */
	octal(hdr + 116, 8, 0);			/* gid */
	if (size < (1ULL << 33)) {
		octal(hdr + 124, 12, size);
	} else {
		/* base-256: high bit of the first byte, big-endian */
		hdr[124] = 0x80;
		for (int i = 11; i > 0; i--) {
			hdr[124 + i] = (unsigned char)(size & 0xff);
			size >>= 8;
		}
	}
	octal(hdr + 136, 12, 0);		/* mtime */
	hdr[156] = '0';				/* regular file */
	memcpy(hdr + 257, "ustar", 6);		/* magic, NUL */
	memcpy(hdr + 263, "00", 2);		/* version */
	memset(hdr + 148, ' ', 8);
	for (size_t i = 0; i < XK_TAR_BLOCK; i++)
		sum += hdr[i];
	octal(hdr + 148, 7, sum);		/* six digits, NUL, space */
	hdr[155] = ' ';
	return 0;
}

struct xk_tarw *
xk_tarw_new(int fd, const char *path, struct xk_error *err)
{
	struct xk_tarw *tw = calloc(1, sizeof(*tw));

	if (tw == NULL) {
		xk_error_errno(err, ENOMEM, "%s", path);
		return NULL;
	}
	tw->fd = fd;
	tw->path = path;
	return tw;
}

static int
put(struct xk_tarw *tw, const void *data, size_t len, struct xk_error *err)
{
	const char *p = data;

	/* every archive xenkit writes goes through here: stop on a signal */
	if (xk_interrupt_check(err) < 0)
		return -1;
	while (len > 0) {
		ssize_t w = write(tw->fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			xk_error_errno(err, errno, "%s: writing at offset %llu",
			    tw->path, (unsigned long long)tw->off);
			return -1;
		}
		p += w;
		len -= (size_t)w;
		tw->off += (uint64_t)w;
	}
	write_behind(tw);
	return 0;
}

int
xk_tarw_begin(struct xk_tarw *tw, const char *name, uint64_t size,
    struct xk_error *err)
{
	unsigned char hdr[XK_TAR_BLOCK];

	if (tw->open) {
		xk_error_set(err, "%s: member %s begun inside another",
		    tw->path, name);
		return -1;
	}
	if (xk_tar_header(hdr, name, size) < 0) {
		xk_error_set(err, "%s: member name '%s' does not fit a ustar "
		    "header", tw->path, name);
		return -1;
	}
	if (put(tw, hdr, sizeof(hdr), err) < 0)
		return -1;
	tw->open = 1;
	tw->left = tw->size = size;
	return 0;
}

int
xk_tarw_write(struct xk_tarw *tw, const void *data, size_t len,
    struct xk_error *err)
{
	if (!tw->open || len > tw->left) {
		xk_error_set(err, "%s: member data longer than its header "
		    "says", tw->path);
		return -1;
	}
	tw->left -= len;
	return put(tw, data, len, err);
}

int
xk_tarw_end(struct xk_tarw *tw, struct xk_error *err)
{
	static const unsigned char zero[XK_TAR_BLOCK];
	size_t pad = (size_t)((XK_TAR_BLOCK - tw->size % XK_TAR_BLOCK) %
	    XK_TAR_BLOCK);

	if (!tw->open || tw->left != 0) {
		xk_error_set(err, "%s: member ended %llu bytes short",
		    tw->path, (unsigned long long)tw->left);
		return -1;
	}
	tw->open = 0;
	return put(tw, zero, pad, err);
}

int
xk_tarw_add(struct xk_tarw *tw, const char *name, const void *data,
    size_t len, struct xk_error *err)
{
	if (xk_tarw_begin(tw, name, len, err) < 0 ||
	    xk_tarw_write(tw, data, len, err) < 0)
		return -1;
	return xk_tarw_end(tw, err);
}

int
xk_tarw_finish(struct xk_tarw *tw, struct xk_error *err)
{
	static const unsigned char zero[2 * XK_TAR_BLOCK];

	if (tw->open) {
		xk_error_set(err, "%s: archive finished inside a member",
		    tw->path);
		return -1;
	}
	return put(tw, zero, sizeof(zero), err);
}

uint64_t
xk_tarw_offset(const struct xk_tarw *tw)
{
	return tw->off;
}

void
xk_tarw_free(struct xk_tarw *tw)
{
	free(tw);
}
