/*
 * vmdk-read.c - a streamOptimized VMDK read front to back (see ovf.h),
 * as OVA packages from Xen Orchestra and VMware carry it; beside
 * vmdk.c, which writes the format.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "formats/ovf.h"

#define VMDK_SECTOR	512u
#define VMDK_MAX_GRAIN	2048u	/* sectors: 1 MiB grains at most */

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

struct vstream {
	const char *path;
	FILE *f;
	uint64_t pos;		/* bytes read */
};

static int
vread(struct vstream *v, void *buf, size_t len, struct xk_error *err)
{
	if (fread(buf, 1, len, v->f) != len) {
		xk_error_set(err, "%s: truncated VMDK at byte %llu", v->path,
		    (unsigned long long)v->pos);
		return -1;
	}
	v->pos += len;
	return 0;
}

static int
vskip(struct vstream *v, uint64_t len, struct xk_error *err)
{
	if (len > INT64_MAX - v->pos ||
	    fseeko(v->f, (off_t)(v->pos + len), SEEK_SET) != 0) {
		xk_error_set(err, "%s: bad VMDK offset", v->path);
		return -1;
	}
	v->pos += len;
	return 0;
}

static int
inflate_grain(const unsigned char *in, size_t inlen, unsigned char *out,
    size_t outlen, size_t *got)
{
	z_stream z;
	int rc;

	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK)
		return -1;
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)inlen;
	z.next_out = out;
	z.avail_out = (uInt)outlen;
	rc = inflate(&z, Z_FINISH);
	*got = outlen - z.avail_out;
	inflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : -1;
}

static int
vmdk_header(struct vstream *v, uint64_t size, uint64_t *grain,
    struct xk_error *err)
{
	unsigned char h[VMDK_SECTOR];
	uint64_t cap, overhead;
	uint32_t flags;

	if (vread(v, h, sizeof(h), err) < 0)
		return -1;
	flags = le32(h + 8);
	cap = le64(h + 12);
	*grain = le64(h + 20);
	overhead = le64(h + 64);
	if (memcmp(h, "KDMV", 4) != 0) {
		xk_error_set(err, "%s: not a VMDK (no KDMV magic)", v->path);
		return -1;
	}
	if (!(flags & 1u << 16) || !(flags & 1u << 17) ||
	    (h[77] | h[78] << 8) != 1) {
		xk_error_set(err, "%s: not a streamOptimized VMDK (needs "
		    "deflated grains with markers)", v->path);
		return -1;
	}
	if (*grain == 0 || *grain > VMDK_MAX_GRAIN || (*grain & (*grain - 1))) {
		xk_error_set(err, "%s: VMDK grain of %llu sectors", v->path,
		    (unsigned long long)*grain);
		return -1;
	}
	if (cap > UINT64_MAX / VMDK_SECTOR || cap * VMDK_SECTOR != size) {
		xk_error_set(err, "%s: the VMDK holds %llu sectors, the "
		    "descriptor says %llu bytes", v->path,
		    (unsigned long long)cap, (unsigned long long)size);
		return -1;
	}
	if (overhead < 1 || overhead > (1u << 20))
		return xk_error_set(err, "%s: bad VMDK overhead", v->path), -1;
	return vskip(v, (overhead - 1) * VMDK_SECTOR, err);
}

int
xk_vmdk_stream_read(FILE *f, const char *path, uint64_t size,
    int (*write)(void *arg, const void *buf, size_t len, uint64_t off,
    struct xk_error *err), void *arg, struct xk_error *err)
{
	struct vstream v = { path, f, 0 };
	unsigned char m[VMDK_SECTOR], *in = NULL, *out = NULL;
	uint64_t grain, gbytes, end = 0;
	int rc = -1;

	if (vmdk_header(&v, size, &grain, err) < 0)
		goto out;
	gbytes = grain * VMDK_SECTOR;
	in = malloc(2 * gbytes + VMDK_SECTOR);
	out = malloc(gbytes);
	if (in == NULL || out == NULL) {
		xk_error_errno(err, ENOMEM, "%s", path);
		goto out;
	}
	for (;;) {
		uint64_t lba, off;
		uint32_t csize;
		size_t got, pad;

		if (vread(&v, m, 12, err) < 0)
			goto out;
		lba = le64(m);
		csize = le32(m + 8);
		if (csize == 0) {
			/* metadata: rest of its sector, then lba sectors */
			if (vread(&v, m + 12, VMDK_SECTOR - 12, err) < 0)
				goto out;
			if (le32(m + 12) == 0)
				break;		/* end of stream */
			if (lba > (1ULL << 32)) {
				xk_error_set(err, "%s: VMDK metadata of %llu "
				    "sectors", path, (unsigned long long)lba);
				goto out;
			}
			if (vskip(&v, lba * VMDK_SECTOR, err) < 0)
				goto out;
			continue;
		}
		if (csize > 2 * gbytes) {
			xk_error_set(err, "%s: grain at sector %llu: %u "
			    "compressed bytes for a %llu-byte grain", path,
			    (unsigned long long)lba, csize,
			    (unsigned long long)gbytes);
			goto out;
		}
		if (vread(&v, in, csize, err) < 0)
			goto out;
		pad = (size_t)((VMDK_SECTOR - (12 + csize) % VMDK_SECTOR) %
		    VMDK_SECTOR);
		if (vskip(&v, pad, err) < 0)
			goto out;
		off = lba * VMDK_SECTOR;
		if (lba % grain != 0 || lba >= size / VMDK_SECTOR ||
		    off < end) {
			xk_error_set(err, "%s: grain at sector %llu out of "
			    "order or out of the disk", path,
			    (unsigned long long)lba);
			goto out;
		}
		/*
		 * A whole grain, or what is left of the disk; a last grain
		 * may also come whole, zero-padded past the end.
		 */
		if (inflate_grain(in, csize, out, (size_t)gbytes, &got) < 0 ||
		    (got != gbytes && got != size - off) ||
		    (got == gbytes && got > size - off &&
		    (out[size - off] != 0 || memcmp(out + (size - off), out +
		    (size - off) + 1, (size_t)(gbytes - (size - off) - 1))))) {
			xk_error_set(err, "%s: grain at sector %llu does not "
			    "inflate to a grain", path,
			    (unsigned long long)lba);
			goto out;
		}
		if (got > size - off)
			got = (size_t)(size - off);
		if (write(arg, out, got, off, err) < 0)
			goto out;
		end = off + got;
	}
	rc = 0;
out:
	free(in);
	free(out);
	return rc;
}

struct vsink {
	struct xk_disk_sink *sink;
	struct xk_progress *progress;
	uint64_t base;
};

static int
vsink_write(void *arg, const void *buf, size_t len, uint64_t off,
    struct xk_error *err)
{
	struct vsink *vs = arg;

	/* no sink: read through only (xk inspect) */
	if (vs->sink != NULL &&
	    xk_disk_sink_pwrite(vs->sink, buf, len, off, err) < 0)
		return -1;
	if (vs->progress != NULL)
		xk_progress_update(vs->progress, vs->base + off + len);
	return 0;
}

int
xk_vmdk_stream_copy(const char *path, uint64_t size,
    struct xk_disk_sink *sink, struct xk_progress *progress, uint64_t base,
    struct xk_error *err)
{
	struct vsink vs = { sink, progress, base };
	FILE *f = fopen(path, "rb");
	int rc;

	if (f == NULL)
		return xk_error_errno(err, errno, "%s", path), -1;
	rc = xk_vmdk_stream_read(f, path, size, vsink_write, &vs, err);
	fclose(f);
	return rc;
}
