/*
 * vhd.c - VHD images: fixed and dynamic ones read through footer, header
 * and BAT (every checksum verified, every BAT entry bounds-checked before
 * the first read), dynamic ones written in the streamable layout XAPI's
 * import wants: footer copy, header, BAT, blocks in ascending order,
 * footer.  See xk-vhd(5) for the field-by-field description.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "formats/disk-impl.h"
#include "formats/vhd.h"

#define SECTOR 512u
#define FOOTER_SIZE 512u
#define HEADER_SIZE 1024u
#define BAT_UNUSED 0xffffffffu
/* BAT entries kept in memory at most (16 MiB): 2040 GiB of 2 MiB blocks
 * need 1044480, so only odd small block sizes on huge disks hit it. */
#define MAX_BAT_ENTRIES (4u << 20)
#define VHD_EPOCH 946684800	/* 2000-01-01T00:00:00Z */

/* Footer field offsets. */
enum {
	F_COOKIE = 0, F_FEATURES = 8, F_VERSION = 12, F_DATA_OFFSET = 16,
	F_TIMESTAMP = 24, F_CREATOR_APP = 28, F_CREATOR_VER = 32,
	F_CREATOR_OS = 36, F_ORIG_SIZE = 40, F_CUR_SIZE = 48, F_CYL = 56,
	F_HEADS = 58, F_SPT = 59, F_TYPE = 60, F_CHECKSUM = 64, F_UUID = 68,
};

/* Dynamic header field offsets. */
enum {
	H_COOKIE = 0, H_DATA_OFFSET = 8, H_TABLE_OFFSET = 16, H_VERSION = 24,
	H_MAX_ENTRIES = 28, H_BLOCK_SIZE = 32, H_CHECKSUM = 36,
};

/* One's complement of the byte sum, the checksum field counted as 0. */
static uint32_t
vhd_checksum(const unsigned char *p, size_t len, size_t field)
{
	uint32_t sum = 0;

	for (size_t i = 0; i < len; i++)
		if (i < field || i >= field + 4)
			sum += p[i];
	return ~sum;
}

uint64_t
xk_vhd_chs(uint64_t size, uint16_t *cyl, uint8_t *heads, uint8_t *spt)
{
	uint64_t total = size / SECTOR, cth;
	uint32_t h, s;

	if (total > 65535ull * 16 * 255)
		total = 65535ull * 16 * 255;
	if (total >= 65535ull * 16 * 63) {
		s = 255;
		h = 16;
		cth = total / s;
	} else {
		s = 17;
		cth = total / s;
		h = (uint32_t)((cth + 1023) / 1024);
		if (h < 4)
			h = 4;
		if (cth >= h * 1024ull || h > 16) {
			s = 31;
			h = 16;
			cth = total / s;
		}
		if (cth >= h * 1024ull) {
			s = 63;
			h = 16;
			cth = total / s;
		}
	}
	*cyl = (uint16_t)(cth / h);
	*heads = (uint8_t)h;
	*spt = (uint8_t)s;
	return (uint64_t)*cyl * h * s * SECTOR;
}

static void
copy_tag(char out[5], const unsigned char *in)
{
	memcpy(out, in, 4);
	out[4] = '\0';
}

/* Parse and check a footer; where says which copy, for messages. */
static int
parse_footer(const unsigned char *f, const char *path, const char *where,
    struct xk_vhd_info *info, struct xk_error *err)
{
	static const char *const qemu_trusts[] = {
		"win ", "qem2", "d2v ", "CTXS", "tap\0",
	};
	uint32_t stored = xk_be32(f + F_CHECKSUM);
	uint32_t computed = vhd_checksum(f, FOOTER_SIZE, F_CHECKSUM);

	if (memcmp(f + F_COOKIE, "conectix", 8) != 0) {
		xk_error_set(err, "%s: no VHD footer (cookie \"conectix\") %s",
		    path, where);
		return -1;
	}
	if (stored != computed) {
		xk_error_set(err, "%s: bad VHD footer checksum %s: field "
		    "checksum is 0x%08x, contents sum to 0x%08x", path, where,
		    stored, computed);
		return -1;
	}
	memset(info, 0, sizeof(*info));
	copy_tag(info->creator_app, f + F_CREATOR_APP);
	info->creator_ver = xk_be32(f + F_CREATOR_VER);
	copy_tag(info->creator_os, f + F_CREATOR_OS);
	info->disk_type = xk_be32(f + F_TYPE);
	info->original_size = xk_be64(f + F_ORIG_SIZE);
	info->current_size = xk_be64(f + F_CUR_SIZE);
	info->cylinders = (uint16_t)(f[F_CYL] << 8 | f[F_CYL + 1]);
	info->heads = f[F_HEADS];
	info->sectors = f[F_SPT];
	info->chs_size = (uint64_t)info->cylinders * info->heads *
	    info->sectors * SECTOR;
	info->timestamp = xk_be32(f + F_TIMESTAMP);
	memcpy(info->uuid, f + F_UUID, 16);
	for (size_t i = 0; i < 5; i++)
		if (memcmp(f + F_CREATOR_APP, qemu_trusts[i], 4) == 0)
			info->qemu_current_size = true;
	if (info->current_size > XK_VHD_MAX_SIZE) {
		xk_error_set(err, "%s: VHD footer field current_size declares "
		    "%llu bytes, more than the format's 2040 GiB", path,
		    (unsigned long long)info->current_size);
		return -1;
	}
	return 0;
}

/* The reader. */
struct vhd_src {
	int fd;
	uint64_t file_size;
	uint32_t block_size;
	uint32_t bitmap_size;	/* bytes before each block's data */
	uint32_t nblocks;	/* BAT entries the virtual size needs */
	uint32_t *bat;		/* host order */
	int64_t cached;		/* block whose bitmap is loaded, or -1 */
	unsigned char *bitmap;
};

static bool
bit_set(const unsigned char *bm, uint32_t i)
{
	return bm[i / 8] & (0x80 >> (i % 8));
}

static int
load_bitmap(struct xk_disk_src *src, uint32_t blk, struct xk_error *err)
{
	struct vhd_src *vs = src->priv;

	if (vs->cached == (int64_t)blk)
		return 0;
	vs->cached = -1;
	if (xk_pread_full(vs->fd, vs->bitmap, vs->bitmap_size,
	    (uint64_t)vs->bat[blk] * SECTOR, src->path, err) < 0)
		return -1;
	vs->cached = blk;
	return 0;
}

/*
 * Data is in allocated blocks, in the sectors whose bitmap bit is set:
 * the specification (and XAPI) read clear sectors as zeros.
 */
static int
vhd_next_data(struct xk_disk_src *src, uint64_t off, uint64_t *start,
    uint64_t *len, struct xk_error *err)
{
	struct vhd_src *vs = src->priv;
	uint32_t spb = vs->block_size / SECTOR;

	for (uint64_t blk = off / vs->block_size; blk < vs->nblocks; blk++) {
		uint64_t base = blk * vs->block_size;
		uint32_t s, e;

		if (vs->bat[blk] == BAT_UNUSED)
			continue;
		if (load_bitmap(src, (uint32_t)blk, err) < 0)
			return -1;
		s = off > base ? (uint32_t)((off - base) / SECTOR) : 0;
		while (s < spb && !bit_set(vs->bitmap, s))
			s++;
		if (s == spb || base + (uint64_t)s * SECTOR >= src->size)
			continue;
		for (e = s; e < spb && bit_set(vs->bitmap, e); e++)
			;
		*start = base + (uint64_t)s * SECTOR;
		if (*start < off)
			*start = off;
		*len = base + (uint64_t)e * SECTOR;
		if (*len > src->size)
			*len = src->size;
		*len -= *start;
		return 0;
	}
	return 1;
}

static int
vhd_pread(struct xk_disk_src *src, void *buf, size_t len, uint64_t off,
    struct xk_error *err)
{
	struct vhd_src *vs = src->priv;
	unsigned char *p = buf;

	while (len > 0) {
		uint32_t blk = (uint32_t)(off / vs->block_size);
		uint32_t in = (uint32_t)(off % vs->block_size);
		uint32_t sec = in / SECTOR;
		uint64_t n = SECTOR - in % SECTOR;
		bool set;

		if (vs->bat[blk] == BAT_UNUSED) {
			n = vs->block_size - in;
			set = false;
		} else {
			if (load_bitmap(src, blk, err) < 0)
				return -1;
			set = bit_set(vs->bitmap, sec);
			/* extend over the following sectors alike */
			for (uint32_t s = sec + 1; s < vs->block_size /
			    SECTOR && bit_set(vs->bitmap, s) == set; s++)
				n += SECTOR;
		}
		if (n > len)
			n = len;
		if (!set)
			memset(p, 0, n);
		else if (xk_pread_full(vs->fd, p, n, (uint64_t)vs->bat[blk] *
		    SECTOR + vs->bitmap_size + in, src->path, err) < 0)
			return -1;
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

static void
vhd_close(struct xk_disk_src *src)
{
	struct vhd_src *vs = src->priv;

	close(vs->fd);
	free(vs->bat);
	free(vs->bitmap);
	free(vs);
}

static const struct xk_disk_src_ops vhd_src_ops = {
	.next_data = vhd_next_data,
	.pread = vhd_pread,
	.close = vhd_close,
};

/* Read the footer at the end, naming a truncated file when we can. */
static int
read_footer(int fd, const char *path, uint64_t file_size,
    struct xk_vhd_info *info, struct xk_error *err)
{
	unsigned char f[FOOTER_SIZE], head[FOOTER_SIZE];

	if (file_size < FOOTER_SIZE) {
		xk_error_set(err, "%s: %llu bytes is too small for a VHD "
		    "(a footer alone is 512)", path,
		    (unsigned long long)file_size);
		return -1;
	}
	if (xk_pread_full(fd, f, FOOTER_SIZE, file_size - FOOTER_SIZE, path,
	    err) < 0)
		return -1;
	if (memcmp(f, "conectix", 8) != 0 && file_size >= 2 * FOOTER_SIZE) {
		if (xk_pread_full(fd, head, FOOTER_SIZE, 0, path, err) < 0)
			return -1;
		if (memcmp(head, "conectix", 8) == 0) {
			xk_error_set(err, "%s: no VHD footer at the end of the "
			    "file, only its copy at offset 0: the file is "
			    "truncated or was not finished", path);
			return -1;
		}
	}
	return parse_footer(f, path, "at the end of the file", info, err);
}

/* Check the footer copy at offset 0, when there is one. */
static int
check_footer_copy(int fd, const char *path, struct xk_error *err)
{
	unsigned char f[FOOTER_SIZE];
	struct xk_vhd_info copy;

	if (xk_pread_full(fd, f, FOOTER_SIZE, 0, path, err) < 0)
		return -1;
	if (memcmp(f, "conectix", 8) != 0)
		return 0;
	return parse_footer(f, path, "(copy at offset 0)", &copy, err);
}

/*
 * Load the entries the virtual size needs and check each one lies, with
 * its bitmap and data, before the footer: a bad entry is refused here,
 * not discovered half-way through a conversion.
 */
static int
read_bat(struct vhd_src *vs, const char *path, uint64_t table_offset,
    struct xk_vhd_info *info, struct xk_error *err)
{
	uint64_t need = (info->current_size + vs->block_size - 1) /
	    vs->block_size;
	uint64_t limit = vs->file_size - FOOTER_SIZE;
	unsigned char *raw;

	if (need > info->max_table_entries) {
		xk_error_set(err, "%s: VHD header field max_table_entries %u "
		    "is too small for current_size %llu (%llu blocks of %u "
		    "bytes)", path, info->max_table_entries,
		    (unsigned long long)info->current_size,
		    (unsigned long long)need, vs->block_size);
		return -1;
	}
	if (need > MAX_BAT_ENTRIES) {
		xk_error_set(err, "%s: VHD BAT of %llu entries is too large "
		    "(block size %u)", path, (unsigned long long)need,
		    vs->block_size);
		return -1;
	}
	if (table_offset > limit || need * 4 > limit - table_offset) {
		xk_error_set(err, "%s: VHD header field table_offset %llu "
		    "puts the BAT (%llu entries) beyond the end of the file "
		    "(%llu bytes)", path, (unsigned long long)table_offset,
		    (unsigned long long)need,
		    (unsigned long long)vs->file_size);
		return -1;
	}
	vs->nblocks = (uint32_t)need;
	vs->bitmap_size = (vs->block_size / SECTOR / 8 + SECTOR - 1) /
	    SECTOR * SECTOR;
	vs->bitmap = malloc(vs->bitmap_size);
	vs->bat = malloc(need > 0 ? need * 4 : 1);
	raw = malloc(need > 0 ? need * 4 : 1);
	if (vs->bitmap == NULL || vs->bat == NULL || raw == NULL) {
		free(raw);
		xk_error_errno(err, ENOMEM, "%s: VHD BAT", path);
		return -1;
	}
	if (xk_pread_full(vs->fd, raw, need * 4, table_offset, path,
	    err) < 0) {
		free(raw);
		return -1;
	}
	for (uint32_t i = 0; i < need; i++) {
		uint64_t at;

		vs->bat[i] = xk_be32(raw + 4 * i);
		if (vs->bat[i] == BAT_UNUSED)
			continue;
		info->allocated_blocks++;
		at = (uint64_t)vs->bat[i] * SECTOR;
		if (at > limit ||
		    limit - at < (uint64_t)vs->bitmap_size + vs->block_size) {
			xk_error_set(err, "%s: VHD BAT entry %u (sector %u, "
			    "byte %llu) points beyond the end of the file's "
			    "data (%llu bytes before the footer)", path, i,
			    vs->bat[i], (unsigned long long)at,
			    (unsigned long long)limit);
			free(raw);
			return -1;
		}
	}
	free(raw);
	return 0;
}

static int
read_header(struct vhd_src *vs, const char *path, uint64_t data_offset,
    struct xk_vhd_info *info, struct xk_error *err)
{
	unsigned char h[HEADER_SIZE];
	uint32_t stored, computed;

	if (data_offset < FOOTER_SIZE || data_offset > vs->file_size ||
	    vs->file_size - data_offset < HEADER_SIZE + FOOTER_SIZE) {
		xk_error_set(err, "%s: VHD footer field data_offset %llu "
		    "puts the dynamic header outside the file (%llu bytes)",
		    path, (unsigned long long)data_offset,
		    (unsigned long long)vs->file_size);
		return -1;
	}
	if (xk_pread_full(vs->fd, h, HEADER_SIZE, data_offset, path, err) < 0)
		return -1;
	if (memcmp(h + H_COOKIE, "cxsparse", 8) != 0) {
		xk_error_set(err, "%s: no VHD dynamic header (cookie "
		    "\"cxsparse\") at offset %llu", path,
		    (unsigned long long)data_offset);
		return -1;
	}
	stored = xk_be32(h + H_CHECKSUM);
	computed = vhd_checksum(h, HEADER_SIZE, H_CHECKSUM);
	if (stored != computed) {
		xk_error_set(err, "%s: bad VHD dynamic header checksum at "
		    "offset %llu: field checksum is 0x%08x, contents sum to "
		    "0x%08x", path, (unsigned long long)data_offset, stored,
		    computed);
		return -1;
	}
	info->block_size = xk_be32(h + H_BLOCK_SIZE);
	info->max_table_entries = xk_be32(h + H_MAX_ENTRIES);
	if (info->block_size < SECTOR || info->block_size > (256u << 20) ||
	    (info->block_size & (info->block_size - 1)) != 0) {
		xk_error_set(err, "%s: VHD header field block_size %u is not "
		    "a power of two between 512 B and 256 MiB", path,
		    info->block_size);
		return -1;
	}
	vs->block_size = info->block_size;
	return read_bat(vs, path, xk_be64(h + H_TABLE_OFFSET), info, err);
}

struct xk_disk_src *
xk_vhd_src_fd(int fd, const char *name, struct xk_vhd_info *info,
    struct xk_error *err)
{
	struct xk_vhd_info local;
	struct vhd_src *vs = NULL;
	struct xk_disk_src *src;
	unsigned char f[FOOTER_SIZE];
	struct stat st;

	if (info == NULL)
		info = &local;
	if (fstat(fd, &st) < 0) {
		xk_error_errno(err, errno, "%s: stat", name);
		goto fail;
	}
	if (read_footer(fd, name, (uint64_t)st.st_size, info, err) < 0)
		goto fail;
	switch (info->disk_type) {
	case XK_VHD_FIXED:
		if ((uint64_t)st.st_size - FOOTER_SIZE < info->current_size) {
			xk_error_set(err, "%s: fixed VHD of %llu bytes is "
			    "truncated: the file holds only %llu bytes of "
			    "data", name,
			    (unsigned long long)info->current_size,
			    (unsigned long long)st.st_size - FOOTER_SIZE);
			goto fail;
		}
		return xk_raw_src_fd(fd, name, info->current_size, err);
	case XK_VHD_DYNAMIC:
		break;
	case XK_VHD_DIFFERENCING:
		xk_error_set(err, "%s: differencing VHD (it needs its parent): "
		    "not supported; coalesce the chain first", name);
		goto fail;
	default:
		xk_error_set(err, "%s: VHD footer field disk_type %u is none "
		    "of fixed (2), dynamic (3), differencing (4)", name,
		    info->disk_type);
		goto fail;
	}
	if (check_footer_copy(fd, name, err) < 0)
		goto fail;
	vs = calloc(1, sizeof(*vs));
	if (vs == NULL) {
		xk_error_errno(err, ENOMEM, "%s", name);
		goto fail;
	}
	vs->fd = fd;
	vs->cached = -1;
	vs->file_size = (uint64_t)st.st_size;
	if (xk_pread_full(fd, f, FOOTER_SIZE, vs->file_size - FOOTER_SIZE,
	    name, err) < 0 ||
	    read_header(vs, name, xk_be64(f + F_DATA_OFFSET), info, err) < 0)
		goto fail;
	src = xk_disk_src_new(name, &vhd_src_ops, info->current_size, vs, err);
	if (src != NULL)
		return src;
fail:
	if (vs != NULL) {
		free(vs->bat);
		free(vs->bitmap);
		free(vs);
	}
	close(fd);
	return NULL;
}

struct xk_disk_src *
xk_vhd_src_open(const char *path, struct xk_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		xk_error_errno(err, errno, "%s: cannot open", path);
		return NULL;
	}
	return xk_vhd_src_fd(fd, path, NULL, err);
}

int
xk_vhd_read_info(const char *path, struct xk_vhd_info *info,
    struct xk_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct xk_disk_src *src;

	if (fd < 0) {
		xk_error_errno(err, errno, "%s: cannot open", path);
		return -1;
	}
	src = xk_vhd_src_fd(fd, path, info, err);
	if (src == NULL)
		return -1;
	xk_disk_src_close(src);
	return 0;
}

/*
 * The writer.  Blocks are buffered one at a time (writes ascend) and
 * appended after the BAT as they complete; an all-zero block is never
 * allocated, and a block's bitmap marks exactly its non-zero sectors.
 * Footer copy, header and BAT are written at commit, when the BAT is
 * known, at their fixed places before the first block.
 */
struct vhd_sink {
	uint64_t vsize;		/* size rounded up to a sector */
	uint32_t nblocks;
	unsigned char *bat;	/* big-endian, padded to a sector */
	size_t bat_bytes;
	uint64_t next;		/* where the next block goes */
	int64_t cur;		/* block in buf, or -1 */
	size_t lo, hi;		/* bytes of buf's block written so far */
	unsigned char *buf;	/* bitmap sector + block data */
};

#define BITMAP_BYTES SECTOR	/* for 2 MiB blocks: 4096 bits */
#define BAT_OFFSET (FOOTER_SIZE + HEADER_SIZE)

#define SPB (XK_VHD_BLOCK_SIZE / SECTOR)
/* Zero gaps shorter than this inside a block are written, not skipped. */
#define HOLE_MIN 128u	/* sectors: 64 KiB */
#define DATA_ALIGN 4096u

static bool
sector_set(const unsigned char *bitmap, uint32_t s)
{
	return bitmap[s / 8] & (0x80 >> (s % 8));
}

/*
 * Where a block whose bitmap would go at next goes instead: its data
 * (after the bitmap) begins on a 4 KiB boundary, the gap left a hole.
 * blktap, XenServer's own VHD code, lays blocks out the same way ("data
 * region of segment should begin on page boundary"): tapdisk reads
 * with O_DIRECT, and page-aligned data is also what lets a filesystem
 * share or move whole blocks of it.
 */
static uint64_t
data_aligned(uint64_t next)
{
	uint64_t data = next + BITMAP_BYTES;

	return (data + DATA_ALIGN - 1) / DATA_ALIGN * DATA_ALIGN -
	    BITMAP_BYTES;
}

/* Write sectors [s, e) of the block's data at its place in the file. */
static int
write_run(struct xk_disk_sink *sink, const unsigned char *data, uint32_t s,
    uint32_t e, struct xk_error *err)
{
	struct vhd_sink *v = sink->priv;

	return xk_pwrite_full(sink->out.fd, data + (size_t)s * SECTOR,
	    (size_t)(e - s) * SECTOR, v->next + BITMAP_BYTES +
	    (uint64_t)s * SECTOR, sink->out.tmp, err);
}

/* Bitmap and data of a full block in one pwritev; false if it fell
 * short (the caller then writes it piece by piece). */
static bool
write_whole(struct xk_disk_sink *sink, const unsigned char *bitmap,
    const unsigned char *data)
{
	struct vhd_sink *v = sink->priv;
	struct iovec iov[2] = {
		{ (void *)bitmap, BITMAP_BYTES },
		{ (void *)data, XK_VHD_BLOCK_SIZE },
	};
	ssize_t n;

	do
		n = pwritev(sink->out.fd, iov, 2, (off_t)v->next);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)(BITMAP_BYTES + XK_VHD_BLOCK_SIZE);
}

/* The bitmap, then the runs of sectors it marks, short zero gaps
 * included, longer ones left as holes. */
static int
write_runs(struct xk_disk_sink *sink, const unsigned char *bitmap,
    const unsigned char *data, uint32_t slo, uint32_t shi,
    struct xk_error *err)
{
	struct vhd_sink *v = sink->priv;

	if (xk_pwrite_full(sink->out.fd, bitmap, BITMAP_BYTES, v->next,
	    sink->out.tmp, err) < 0)
		return -1;
	for (uint32_t s = slo; s < shi; s++) {
		uint32_t last;

		if (!sector_set(bitmap, s))
			continue;
		last = s;
		for (uint32_t t = s + 1; t < shi && t - last <= HOLE_MIN; t++)
			if (sector_set(bitmap, t))
				last = t;
		if (write_run(sink, data, s, last + 1, err) < 0)
			return -1;
		s = last;
	}
	return 0;
}

/*
 * Append block blk with a bitmap of its non-zero sectors.  data holds
 * XK_VHD_BLOCK_SIZE bytes of which only sectors [slo, shi) are looked
 * at (the others are zeros, maybe not even initialised).  An all-zero
 * block is not allocated at all.  A full block is cloned from the
 * source where the file system can (its data is 4 KiB aligned, see
 * data_aligned), else goes out in one pwritev; a partly zero one as
 * runs of its non-zero sectors, its zero stretches left as holes in
 * the (new, so zero-reading) file, as qemu-img does.
 */
static int
write_block(struct xk_disk_sink *sink, uint64_t blk, const unsigned char *data,
    uint32_t slo, uint32_t shi, struct xk_error *err)
{
	struct vhd_sink *v = sink->priv;
	uint64_t base = blk * XK_VHD_BLOCK_SIZE;
	unsigned char bitmap[BITMAP_BYTES];
	uint32_t nset = 0;
	int rc;

	memset(bitmap, 0, sizeof(bitmap));
	for (uint32_t s = slo; s < shi && base + (uint64_t)s * SECTOR <
	    v->vsize; s++) {
		if (!xk_is_zero(data + s * SECTOR, SECTOR)) {
			bitmap[s / 8] |= 0x80 >> (s % 8);
			nset++;
		}
	}
	if (nset == 0)
		return 0;
	v->next = data_aligned(v->next);
	if (nset == SPB && xk_sink_clone(sink, base, XK_VHD_BLOCK_SIZE,
	    v->next + BITMAP_BYTES))	/* the data shared, the bitmap ours */
		rc = xk_pwrite_full(sink->out.fd, bitmap, BITMAP_BYTES, v->next,
		    sink->out.tmp, err);
	else if (nset == SPB && write_whole(sink, bitmap, data))
		rc = 0;
	else
		rc = write_runs(sink, bitmap, data, slo, shi, err);
	if (rc < 0)
		return -1;
	xk_put_be32(v->bat + 4 * blk, (uint32_t)(v->next / SECTOR));
	v->next += BITMAP_BYTES + XK_VHD_BLOCK_SIZE;
	xk_sink_write_behind(sink, v->next);
	return 0;
}

static int
flush_block(struct xk_disk_sink *sink, struct xk_error *err)
{
	struct vhd_sink *v = sink->priv;
	unsigned char *data = v->buf + BITMAP_BYTES;
	int rc;

	size_t end = (v->hi + SECTOR - 1) / SECTOR * SECTOR;

	if (v->cur < 0)
		return 0;
	/* the tail of the last sector written */
	memset(data + v->hi, 0, end - v->hi);
	rc = write_block(sink, (uint64_t)v->cur, data,
	    (uint32_t)(v->lo / SECTOR), (uint32_t)(end / SECTOR), err);
	v->cur = -1;
	return rc;
}

static int
vhd_sink_pwrite(struct xk_disk_sink *sink, const void *buf, size_t len,
    uint64_t off, struct xk_error *err)
{
	struct vhd_sink *v = sink->priv;
	const unsigned char *p = buf;

	while (len > 0) {
		int64_t blk = (int64_t)(off / XK_VHD_BLOCK_SIZE);
		size_t in = (size_t)(off % XK_VHD_BLOCK_SIZE);
		size_t n = XK_VHD_BLOCK_SIZE - in;

		if (n > len)
			n = len;
		if (blk != v->cur && n == XK_VHD_BLOCK_SIZE) {
			/* a whole block: straight from the caller's buffer */
			if (flush_block(sink, err) < 0 ||
			    write_block(sink, (uint64_t)blk, p, 0, SPB,
			    err) < 0)
				return -1;
			p += n;
			off += n;
			len -= n;
			continue;
		}
		if (blk != v->cur) {
			if (flush_block(sink, err) < 0)
				return -1;
			/* a block wholly zero need not be buffered */
			if (xk_is_zero(p, n)) {
				p += n;
				off += n;
				len -= n;
				continue;
			}
			/* only the range written is kept: no 2 MiB memset */
			v->cur = blk;
			v->lo = v->hi = in;
			memset(v->buf + BITMAP_BYTES + in / SECTOR * SECTOR, 0,
			    in % SECTOR);
		}
		if (in > v->hi)		/* a gap in the block: zeros */
			memset(v->buf + BITMAP_BYTES + v->hi, 0, in - v->hi);
		memcpy(v->buf + BITMAP_BYTES + in, p, n);
		v->hi = in + n;
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

static void
make_footer(unsigned char *f, uint64_t size, const struct xk_disk_id *id)
{
	uint16_t cyl;
	uint8_t heads, spt;
	time_t now = id != NULL ? (time_t)id->mtime : time(NULL);

	memset(f, 0, FOOTER_SIZE);
	memcpy(f + F_COOKIE, "conectix", 8);
	xk_put_be32(f + F_FEATURES, 2);
	xk_put_be32(f + F_VERSION, 0x00010000);
	xk_put_be64(f + F_DATA_OFFSET, FOOTER_SIZE);
	xk_put_be32(f + F_TIMESTAMP, now > VHD_EPOCH ?
	    (uint32_t)(now - VHD_EPOCH) : 0);
	/* "qem2": qemu then reads current_size, not CHS (force_size) */
	memcpy(f + F_CREATOR_APP, "qem2", 4);
	xk_put_be32(f + F_CREATOR_VER, 0x00010000);
	memcpy(f + F_CREATOR_OS, "Lnux", 4);
	xk_put_be64(f + F_ORIG_SIZE, size);
	xk_put_be64(f + F_CUR_SIZE, size);
	xk_vhd_chs(size, &cyl, &heads, &spt);
	f[F_CYL] = (unsigned char)(cyl >> 8);
	f[F_CYL + 1] = (unsigned char)cyl;
	f[F_HEADS] = heads;
	f[F_SPT] = spt;
	xk_put_be32(f + F_TYPE, XK_VHD_DYNAMIC);
	if (id != NULL) {
		memcpy(f + F_UUID, id->uuid, 16);
	} else {
		if (getrandom(f + F_UUID, 16, 0) != 16)
			xk_put_be64(f + F_UUID, (uint64_t)now ^
			    (uint64_t)getpid());
		f[F_UUID + 6] = (f[F_UUID + 6] & 0x0f) | 0x40;	/* v4 */
		f[F_UUID + 8] = (f[F_UUID + 8] & 0x3f) | 0x80;
	}
	xk_put_be32(f + F_CHECKSUM, vhd_checksum(f, FOOTER_SIZE, F_CHECKSUM));
}

static void
make_header(unsigned char *h, uint32_t entries)
{
	memset(h, 0, HEADER_SIZE);
	memcpy(h + H_COOKIE, "cxsparse", 8);
	xk_put_be64(h + H_DATA_OFFSET, UINT64_MAX);
	xk_put_be64(h + H_TABLE_OFFSET, BAT_OFFSET);
	xk_put_be32(h + H_VERSION, 0x00010000);
	xk_put_be32(h + H_MAX_ENTRIES, entries);
	xk_put_be32(h + H_BLOCK_SIZE, XK_VHD_BLOCK_SIZE);
	xk_put_be32(h + H_CHECKSUM, vhd_checksum(h, HEADER_SIZE, H_CHECKSUM));
}

static int
vhd_sink_finish(struct xk_disk_sink *sink, struct xk_error *err)
{
	struct vhd_sink *v = sink->priv;
	unsigned char footer[FOOTER_SIZE], header[HEADER_SIZE];

	if (flush_block(sink, err) < 0)
		return -1;
	make_footer(footer, v->vsize, sink->id);
	make_header(header, v->nblocks);
	if (xk_pwrite_full(sink->out.fd, footer, FOOTER_SIZE, v->next, sink->out.tmp,
	    err) < 0 ||
	    xk_pwrite_full(sink->out.fd, footer, FOOTER_SIZE, 0, sink->out.tmp,
	    err) < 0 ||
	    xk_pwrite_full(sink->out.fd, header, HEADER_SIZE, FOOTER_SIZE,
	    sink->out.tmp, err) < 0 ||
	    xk_pwrite_full(sink->out.fd, v->bat, v->bat_bytes, BAT_OFFSET,
	    sink->out.tmp, err) < 0)
		return -1;
	return 0;
}

static void
vhd_sink_destroy(struct xk_disk_sink *sink)
{
	struct vhd_sink *v = sink->priv;

	if (v == NULL)
		return;
	free(v->bat);
	free(v->buf);
	free(v);
	sink->priv = NULL;
}

static const struct xk_disk_sink_ops vhd_sink_ops = {
	.pwrite = vhd_sink_pwrite,
	.finish = vhd_sink_finish,
	.destroy = vhd_sink_destroy,
};

int
xk_vhd_sink_init(struct xk_disk_sink *sink, struct xk_error *err)
{
	struct vhd_sink *v;
	uint64_t vsize = (sink->size + SECTOR - 1) / SECTOR * SECTOR;

	if (vsize > XK_VHD_MAX_SIZE) {
		xk_error_set(err, "%s: %llu bytes is more than a VHD can hold "
		    "(2040 GiB)", sink->out.dest, (unsigned long long)sink->size);
		return -1;
	}
	v = calloc(1, sizeof(*v));
	if (v == NULL) {
		xk_error_errno(err, ENOMEM, "%s", sink->out.dest);
		return -1;
	}
	v->vsize = vsize;
	v->nblocks = (uint32_t)((vsize + XK_VHD_BLOCK_SIZE - 1) /
	    XK_VHD_BLOCK_SIZE);
	v->bat_bytes = ((size_t)v->nblocks * 4 + SECTOR - 1) / SECTOR * SECTOR;
	if (v->bat_bytes == 0)
		v->bat_bytes = SECTOR;
	v->bat = malloc(v->bat_bytes);
	v->buf = malloc(BITMAP_BYTES + XK_VHD_BLOCK_SIZE);
	if (v->bat == NULL || v->buf == NULL) {
		xk_error_errno(err, ENOMEM, "%s", sink->out.dest);
		free(v->bat);
		free(v->buf);
		free(v);
		return -1;
	}
	memset(v->bat, 0xff, v->bat_bytes);
	v->next = BAT_OFFSET + v->bat_bytes;
	v->cur = -1;
	sink->priv = v;
	sink->ops = &vhd_sink_ops;
	return 0;
}
