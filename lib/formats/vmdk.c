/*
 * vmdk.c - streamOptimized VMDK output, the disk format OVA packages
 * carry (VMware's Virtual Disk Format 5.0 technical note).
 *
 * Layout, all written front to back, nothing rewritten:
 *   sector 0     header (gdOffset = GD_AT_END: the footer has the real one)
 *   sector 1..   descriptor text, not indented (VirtualBox wants that)
 *   sector 128.. grains: each a marker {u64 lba, u32 size} and the grain
 *                deflated (zlib), padded to a sector; all-zero grains
 *                are left out
 *   after every 512 grains (32 MiB): a GT marker and the grain table
 *   at the end: GD marker and grain directory, footer marker and footer
 *                (the header with gdOffset set), end-of-stream marker
 * Every grain table is written, even an empty one, so readers that do
 * not expect a zero directory entry still work.  Little-endian fields.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <zlib.h>

#include "formats/disk-impl.h"

#define SECTOR 512u
#define GRAIN_SECTORS 128u			/* 64 KiB grains */
#define GRAIN (GRAIN_SECTORS * SECTOR)
#define GT_ENTRIES 512u
#define GT_SECTORS (GT_ENTRIES * 4 / SECTOR)
#define FIRST_GRAIN 128u			/* sectors of overhead */
#define DESC_MAX ((FIRST_GRAIN - 1) * SECTOR)

enum { MARKER_EOS, MARKER_GT, MARKER_GD, MARKER_FOOTER };

struct vmdk_sink {
	uint64_t capacity;	/* sectors */
	uint64_t ngrains;
	uint32_t ngts;		/* grain directory entries */
	uint32_t *gd;		/* sector of each grain table */
	uint32_t gt[GT_ENTRIES];/* the grain table being filled */
	uint32_t gt_index;	/* which one */
	uint64_t pos;		/* next free sector of the file */
	int64_t cur;		/* grain in grain, or -1 */
	unsigned char *grain;
	unsigned char *out;	/* marker + deflated grain */
	size_t out_size;
};

static void
make_header(unsigned char *h, uint64_t capacity, uint64_t desc_sectors,
    uint64_t gd_offset)
{
	memset(h, 0, SECTOR);
	memcpy(h, "KDMV", 4);
	xk_put_le32(h + 4, 3);			/* stream-optimized version */
	/* valid newline test, compressed grains, markers */
	xk_put_le32(h + 8, 1u | 1u << 16 | 1u << 17);
	xk_put_le64(h + 12, capacity);
	xk_put_le64(h + 20, GRAIN_SECTORS);
	xk_put_le64(h + 28, 1);			/* descriptor offset */
	xk_put_le64(h + 36, desc_sectors);
	xk_put_le32(h + 44, GT_ENTRIES);
	xk_put_le64(h + 48, 0);			/* no redundant GD */
	xk_put_le64(h + 56, gd_offset);
	xk_put_le64(h + 64, FIRST_GRAIN);	/* overhead */
	h[72] = 0;				/* clean shutdown */
	h[73] = '\n';
	h[74] = ' ';
	h[75] = '\r';
	h[76] = '\n';
	h[77] = 1;				/* deflate */
	h[78] = 0;
}

static int
write_at(struct xk_disk_sink *sink, const void *buf, size_t len,
    uint64_t sector, struct xk_error *err)
{
	return xk_pwrite_full(sink->out.fd, buf, len, sector * SECTOR, sink->out.tmp,
	    err);
}

/* Grain tables hold 32-bit sector numbers: the file stops at 2 TiB. */
static int
room(struct xk_disk_sink *sink, uint64_t sectors, struct xk_error *err)
{
	struct vmdk_sink *v = sink->priv;

	if (v->pos + sectors > UINT32_MAX) {
		xk_error_set(err, "%s: the VMDK would grow past 2 TiB, more "
		    "than its grain tables can address", sink->out.dest);
		return -1;
	}
	return 0;
}

/* A metadata marker and its sectors of data (GT, GD, footer). */
static int
write_meta(struct xk_disk_sink *sink, uint32_t type, const void *data,
    size_t len, struct xk_error *err)
{
	struct vmdk_sink *v = sink->priv;
	unsigned char marker[SECTOR];
	uint64_t sectors = (len + SECTOR - 1) / SECTOR;
	unsigned char *padded = calloc(sectors ? sectors : 1, SECTOR);
	int rc;

	if (padded == NULL) {
		xk_error_errno(err, ENOMEM, "%s", sink->out.dest);
		return -1;
	}
	if (room(sink, 1 + sectors, err) < 0) {
		free(padded);
		return -1;
	}
	memcpy(padded, data, len);
	memset(marker, 0, sizeof(marker));
	xk_put_le64(marker, sectors);
	xk_put_le32(marker + 12, type);
	rc = write_at(sink, marker, SECTOR, v->pos, err);
	if (rc == 0 && sectors > 0)
		rc = write_at(sink, padded, sectors * SECTOR, v->pos + 1, err);
	free(padded);
	if (rc == 0)
		v->pos += 1 + sectors;
	return rc;
}

/* Write grain tables up to (not including) number upto. */
static int
flush_gts(struct xk_disk_sink *sink, uint32_t upto, struct xk_error *err)
{
	struct vmdk_sink *v = sink->priv;

	while (v->gt_index < upto) {
		unsigned char gt[GT_ENTRIES * 4];

		for (uint32_t i = 0; i < GT_ENTRIES; i++)
			xk_put_le32(gt + 4 * i, v->gt[i]);
		v->gd[v->gt_index] = (uint32_t)(v->pos + 1);
		if (write_meta(sink, MARKER_GT, gt, sizeof(gt), err) < 0)
			return -1;
		memset(v->gt, 0, sizeof(v->gt));
		v->gt_index++;
	}
	return 0;
}

static int
write_grain(struct xk_disk_sink *sink, uint64_t g, const unsigned char *data,
    struct xk_error *err)
{
	struct vmdk_sink *v = sink->priv;
	uLongf clen = v->out_size - 12;
	size_t total;
	int zrc;

	if (xk_is_zero(data, GRAIN))
		return 0;
	if (flush_gts(sink, (uint32_t)(g / GT_ENTRIES), err) < 0)
		return -1;
	zrc = compress2(v->out + 12, &clen, data, GRAIN, Z_BEST_SPEED);
	if (zrc != Z_OK) {
		xk_error_set(err, "%s: zlib compress2 failed (%d)", sink->out.dest,
		    zrc);
		return -1;
	}
	xk_put_le64(v->out, g * GRAIN_SECTORS);
	xk_put_le32(v->out + 8, (uint32_t)clen);
	total = (12 + clen + SECTOR - 1) / SECTOR * SECTOR;
	if (room(sink, total / SECTOR, err) < 0)
		return -1;
	memset(v->out + 12 + clen, 0, total - 12 - clen);
	if (write_at(sink, v->out, total, v->pos, err) < 0)
		return -1;
	v->gt[g % GT_ENTRIES] = (uint32_t)v->pos;
	v->pos += total / SECTOR;
	xk_sink_write_behind(sink, v->pos * SECTOR);
	return 0;
}

static int
flush_grain(struct xk_disk_sink *sink, struct xk_error *err)
{
	struct vmdk_sink *v = sink->priv;
	int rc;

	if (v->cur < 0)
		return 0;
	rc = write_grain(sink, (uint64_t)v->cur, v->grain, err);
	v->cur = -1;
	return rc;
}

static int
vmdk_pwrite(struct xk_disk_sink *sink, const void *buf, size_t len,
    uint64_t off, struct xk_error *err)
{
	struct vmdk_sink *v = sink->priv;
	const unsigned char *p = buf;

	while (len > 0) {
		int64_t g = (int64_t)(off / GRAIN);
		size_t in = (size_t)(off % GRAIN), n = GRAIN - in;

		if (n > len)
			n = len;
		if (g != v->cur && n == GRAIN) {
			if (flush_grain(sink, err) < 0 ||
			    write_grain(sink, (uint64_t)g, p, err) < 0)
				return -1;
		} else {
			if (g != v->cur) {
				if (flush_grain(sink, err) < 0)
					return -1;
				memset(v->grain, 0, GRAIN);
				v->cur = g;
			}
			memcpy(v->grain + in, p, n);
		}
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

static int
vmdk_finish(struct xk_disk_sink *sink, struct xk_error *err)
{
	struct vmdk_sink *v = sink->priv;
	unsigned char footer[SECTOR], *gd;
	uint64_t gd_sector;
	int rc;

	if (flush_grain(sink, err) < 0 || flush_gts(sink, v->ngts, err) < 0)
		return -1;
	gd = malloc((size_t)v->ngts * 4 + 1);
	if (gd == NULL) {
		xk_error_errno(err, ENOMEM, "%s", sink->out.dest);
		return -1;
	}
	for (uint32_t i = 0; i < v->ngts; i++)
		xk_put_le32(gd + 4 * i, v->gd[i]);
	gd_sector = v->pos + 1;
	rc = write_meta(sink, MARKER_GD, gd, (size_t)v->ngts * 4, err);
	free(gd);
	if (rc < 0)
		return -1;
	make_header(footer, v->capacity, (DESC_MAX + SECTOR - 1) / SECTOR,
	    gd_sector);
	if (write_meta(sink, MARKER_FOOTER, footer, SECTOR, err) < 0)
		return -1;
	memset(footer, 0, sizeof(footer));	/* end-of-stream marker */
	if (write_at(sink, footer, SECTOR, v->pos, err) < 0)
		return -1;
	v->pos++;
	return 0;
}

static void
vmdk_destroy(struct xk_disk_sink *sink)
{
	struct vmdk_sink *v = sink->priv;

	if (v == NULL)
		return;
	free(v->gd);
	free(v->grain);
	free(v->out);
	free(v);
	sink->priv = NULL;
}

static const struct xk_disk_sink_ops vmdk_sink_ops = {
	.pwrite = vmdk_pwrite,
	.finish = vmdk_finish,
	.destroy = vmdk_destroy,
};

/* Header and descriptor, at sectors 0 and 1. */
static int
write_head(struct xk_disk_sink *sink, struct xk_error *err)
{
	struct vmdk_sink *v = sink->priv;
	const char *base = strrchr(sink->out.dest, '/');
	/* the extent's file name: the sink's, or the one the caller gives
	 * (an OVA member, written under a temporary name first) */
	const char *fname = sink->id != NULL && sink->id->name != NULL ?
	    sink->id->name : base != NULL ? base + 1 : sink->out.dest;
	unsigned char *buf = calloc(FIRST_GRAIN, SECTOR);
	uint32_t cid;
	uint64_t cyl = v->capacity / (255 * 63);
	int n, rc;

	if (buf == NULL) {
		xk_error_errno(err, ENOMEM, "%s", sink->out.dest);
		return -1;
	}
	if (sink->id != NULL) {
		cid = (uint32_t)sink->id->uuid[0] << 24 |
		    (uint32_t)sink->id->uuid[1] << 16 |
		    (uint32_t)sink->id->uuid[2] << 8 | sink->id->uuid[3];
	} else if (getrandom(&cid, sizeof(cid), 0) != sizeof(cid)) {
		cid = (uint32_t)v->capacity;
	}
	if (cyl > 65535)
		cyl = 65535;
	make_header(buf, v->capacity, (DESC_MAX + SECTOR - 1) / SECTOR,
	    UINT64_MAX);
	n = snprintf((char *)buf + SECTOR, DESC_MAX,
	    "# Disk DescriptorFile\n"
	    "version=1\n"
	    "CID=%08x\n"
	    "parentCID=ffffffff\n"
	    "createType=\"streamOptimized\"\n"
	    "\n"
	    "# Extent description\n"
	    "RW %llu SPARSE \"%s\"\n"
	    "\n"
	    "# The Disk Data Base\n"
	    "#DDB\n"
	    "\n"
	    "ddb.virtualHWVersion = \"4\"\n"
	    "ddb.geometry.cylinders = \"%llu\"\n"
	    "ddb.geometry.heads = \"255\"\n"
	    "ddb.geometry.sectors = \"63\"\n"
	    "ddb.adapterType = \"lsilogic\"\n",
	    cid, (unsigned long long)v->capacity,
	    fname, (unsigned long long)cyl);
	if (n < 0 || n >= (int)DESC_MAX || strchr(fname, '"') != NULL) {
		xk_error_set(err, "%s: file name too long or holds a quote: "
		    "cannot go in a VMDK descriptor", sink->out.dest);
		free(buf);
		return -1;
	}
	rc = write_at(sink, buf, FIRST_GRAIN * SECTOR, 0, err);
	free(buf);
	return rc;
}

int
xk_vmdk_sink_init(struct xk_disk_sink *sink, struct xk_error *err)
{
	struct vmdk_sink *v = calloc(1, sizeof(*v));

	if (v == NULL) {
		xk_error_errno(err, ENOMEM, "%s", sink->out.dest);
		return -1;
	}
	if (sink->size == 0) {
		/* qemu refuses a 0-sector extent, so would OVA importers */
		xk_error_set(err, "%s: a VMDK cannot hold an empty disk",
		    sink->out.dest);
		free(v);
		return -1;
	}
	v->capacity = (sink->size + SECTOR - 1) / SECTOR;
	v->ngrains = (v->capacity + GRAIN_SECTORS - 1) / GRAIN_SECTORS;
	/* sector numbers are 32-bit in grain tables: about 2 TiB */
	if (sink->size > (2ull << 40)) {
		xk_error_set(err, "%s: %llu bytes is too large for a "
		    "streamOptimized VMDK (2 TiB)", sink->out.dest,
		    (unsigned long long)sink->size);
		free(v);
		return -1;
	}
	v->ngts = (uint32_t)((v->ngrains + GT_ENTRIES - 1) / GT_ENTRIES);
	v->out_size = 12 + compressBound(GRAIN) + SECTOR;
	v->gd = calloc(v->ngts ? v->ngts : 1, 4);
	v->grain = malloc(GRAIN);
	v->out = malloc(v->out_size);
	v->cur = -1;
	v->pos = FIRST_GRAIN;
	sink->priv = v;
	if (v->gd == NULL || v->grain == NULL || v->out == NULL) {
		xk_error_errno(err, ENOMEM, "%s", sink->out.dest);
		vmdk_destroy(sink);
		return -1;
	}
	if (write_head(sink, err) < 0) {
		vmdk_destroy(sink);
		return -1;
	}
	sink->ops = &vmdk_sink_ops;
	return 0;
}
