/*
 * t3000-disk - lib/formats disk images: VHD written and read back,
 * corrupt VHDs refused with errors naming file and field, raw extents,
 * sink ordering and the no-partial-output rule.  The cross-checks
 * against qemu-img are in t3001-convert.sh.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/disk.h"
#include "formats/vhd.h"
#include "harness.h"

#define MiB (1024ull * 1024)

static char *
path_in(const char *name)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s/%s", xk_test_tmpdir(), name);
	return buf;
}

/* Deterministic non-zero content for offset off. */
static void
pattern(unsigned char *buf, size_t len, uint64_t off)
{
	for (size_t i = 0; i < len; i++) {
		uint64_t x = off + i;

		buf[i] = (unsigned char)((x * 2654435761u >> 13) | 1);
	}
}

/* Write a VHD of size bytes with data in the ranges [s,e) of ranges. */
static int
write_vhd(const char *path, uint64_t size, const uint64_t *ranges,
    size_t n, struct xk_error *err)
{
	struct xk_disk_sink *sink = xk_disk_sink_create(path, XK_IMG_VHD,
	    size, err);
	unsigned char *buf = malloc(MiB);

	if (sink == NULL || buf == NULL) {
		free(buf);
		xk_disk_sink_abort(sink);
		return -1;
	}
	for (size_t i = 0; i < n; i += 2) {
		for (uint64_t o = ranges[i]; o < ranges[i + 1];) {
			size_t len = ranges[i + 1] - o > MiB ? MiB :
			    ranges[i + 1] - o;

			pattern(buf, len, o);
			if (xk_disk_sink_pwrite(sink, buf, len, o, err) < 0) {
				free(buf);
				xk_disk_sink_abort(sink);
				return -1;
			}
			o += len;
		}
	}
	free(buf);
	return xk_disk_sink_commit(sink, err);
}

static bool
in_ranges(uint64_t off, const uint64_t *ranges, size_t n)
{
	for (size_t i = 0; i < n; i += 2)
		if (off >= ranges[i] && off < ranges[i + 1])
			return true;
	return false;
}

/* Read all of src and check it against pattern-in-ranges, else zero. */
static bool
content_ok(struct xk_disk_src *src, const uint64_t *ranges, size_t n)
{
	unsigned char *buf = malloc(MiB), *want = malloc(MiB);
	uint64_t size = xk_disk_src_size(src);
	struct xk_error err = { 0 };
	bool ok = buf != NULL && want != NULL;

	for (uint64_t o = 0; ok && o < size; o += MiB) {
		size_t len = size - o > MiB ? MiB : size - o;

		pattern(want, len, o);
		for (size_t i = 0; i < len; i++)
			if (!in_ranges(o + i, ranges, n))
				want[i] = 0;
		ok = xk_disk_src_pread(src, buf, len, o, &err) == 0 &&
		    memcmp(buf, want, len) == 0;
	}
	free(buf);
	free(want);
	return ok;
}

static const uint64_t ranges1[] = {
	512, 1024,			/* one sector */
	3 * MiB - 4096, 3 * MiB + 8192,	/* across a block boundary */
	9 * MiB, 11 * MiB,		/* one whole block */
	13 * MiB + 1000, 13 * MiB + 1001,	/* one byte */
};

TEST(vhd_roundtrip_odd_size)
{
	struct xk_error err = { 0 };
	struct xk_vhd_info info;
	struct xk_disk_src *src;
	uint64_t size = 13 * MiB + 1536, start, len, off = 0, data = 0;
	const char *p = path_in("a.vhd");

	CHECK(write_vhd(p, size, ranges1, 8, &err) == 0);
	CHECK(xk_vhd_read_info(p, &info, &err) == 0);
	CHECK_STR_EQ(info.creator_app, "qem2");
	CHECK_INT_EQ(info.disk_type, XK_VHD_DYNAMIC);
	CHECK_INT_EQ(info.current_size, size);
	CHECK_INT_EQ(info.block_size, 2 * MiB);
	CHECK_INT_EQ(info.max_table_entries, 7);
	CHECK_INT_EQ(info.allocated_blocks, 5);	/* 0, 1, 4, 5, 6 */
	src = xk_disk_src_open(p, XK_IMG_VHD, &err);
	CHECK(src != NULL);
	CHECK_INT_EQ(xk_disk_src_size(src), size);
	CHECK(content_ok(src, ranges1, 8));
	/* extents follow the sector bitmaps: exactly the written sectors */
	while (xk_disk_src_next_data(src, off, &start, &len, &err) == 0) {
		CHECK(start >= off);
		data += len;
		off = start + len;
	}
	CHECK_INT_EQ(data, 512 + 12288 + 2 * MiB + 512);
	xk_disk_src_close(src);
	/* blktap's layout: each block's data (after its 512-byte bitmap)
	 * on a 4 KiB boundary, blocks in order, none overlapping */
	{
		int fd = open(p, O_RDONLY);
		unsigned char bat[7 * 4];
		uint64_t prev_end = 1536 + 512, nalloc = 0;

		CHECK(fd >= 0);
		CHECK(pread(fd, bat, sizeof(bat), 1536) == sizeof(bat));
		for (int i = 0; i < 7; i++) {
			uint64_t sec = (uint64_t)bat[4 * i] << 24 |
			    (uint64_t)bat[4 * i + 1] << 16 |
			    (uint64_t)bat[4 * i + 2] << 8 | bat[4 * i + 3];

			if (sec == 0xffffffffu)
				continue;
			nalloc++;
			CHECK_INT_EQ((sec * 512 + 512) % 4096, 0);
			CHECK(sec * 512 >= prev_end);
			prev_end = sec * 512 + 512 + 2 * MiB;
		}
		CHECK_INT_EQ(nalloc, 5);
		close(fd);
	}
}

TEST(vhd_empty_disk_has_no_blocks)
{
	struct xk_error err = { 0 };
	struct xk_vhd_info info;
	struct stat st;
	const char *p = path_in("empty.vhd");

	CHECK(write_vhd(p, 10ull << 30, NULL, 0, &err) == 0);
	CHECK(xk_vhd_read_info(p, &info, &err) == 0);
	CHECK_INT_EQ(info.allocated_blocks, 0);
	CHECK_INT_EQ(info.current_size, 10ull << 30);
	CHECK(stat(p, &st) == 0);
	/* footer copy, header, 5120 BAT entries (20 KiB), footer */
	CHECK_INT_EQ(st.st_size, 512 + 1024 + 20480 + 512);
}

TEST(chs_from_the_specification)
{
	uint16_t c;
	uint8_t h, s;

	/* 10 GiB: 40 KiB short in CHS, what qemu reads of a "caml" VHD */
	CHECK_INT_EQ(xk_vhd_chs(10ull << 30, &c, &h, &s),
	    (10ull << 30) - 40960);
	CHECK_INT_EQ(h, 16);
	CHECK_INT_EQ(s, 63);
	CHECK_INT_EQ(c, 20805);
	/* small disks: 17 sectors, at least 4 heads */
	xk_vhd_chs(20 * MiB, &c, &h, &s);
	CHECK_INT_EQ(s, 17);
	CHECK_INT_EQ(h, 4);
	CHECK_INT_EQ(c, 40960 / 17 / 4);
	/* capped at 65535/16/255 */
	xk_vhd_chs(2000ull << 30, &c, &h, &s);
	CHECK_INT_EQ(c, 65535);
	CHECK_INT_EQ(h, 16);
	CHECK_INT_EQ(s, 255);
}

/* Overwrite len bytes at off in path. */
static int
poke(const char *path, uint64_t off, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pwrite(fd, buf, len, (off_t)off);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

static uint64_t
file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* Make a small valid VHD, damage it with fn, return the error text. */
static const char *
open_error(const char *name, void (*damage)(const char *path))
{
	static struct xk_error err;
	struct xk_error werr = { 0 };
	struct xk_disk_src *src;
	const char *p = path_in(name);
	static const uint64_t r[] = { 0, 4 * MiB + 512 };

	xk_error_clear(&err);
	if (write_vhd(p, 6 * MiB, r, 2, &werr) < 0)
		return "(could not write the test VHD)";
	damage(p);
	src = xk_disk_src_open(p, XK_IMG_VHD, &err);
	if (src != NULL) {
		xk_disk_src_close(src);
		return "(opened fine)";
	}
	return err.msg;
}

static void
bad_footer_sum(const char *p)
{
	unsigned char b = 0x99;

	poke(p, file_size(p) - 512 + 40, &b, 1);	/* original_size */
}

static void
bad_header_sum(const char *p)
{
	unsigned char b = 0x01;

	poke(p, 512 + 28, &b, 1);	/* max_table_entries */
}

static void
bad_copy_sum(const char *p)
{
	unsigned char b = 0x99;

	poke(p, 40, &b, 1);
}

/* Recompute the header checksum after setting a field. */
static void
fix_header(const char *p, size_t field, const unsigned char *v, size_t n)
{
	unsigned char h[1024];
	uint32_t sum = 0;
	int fd = open(p, O_RDWR);

	if (fd < 0 || pread(fd, h, sizeof(h), 512) != (ssize_t)sizeof(h)) {
		if (fd >= 0)
			close(fd);
		return;
	}
	memcpy(h + field, v, n);
	memset(h + 36, 0, 4);
	for (size_t i = 0; i < sizeof(h); i++)
		sum += h[i];
	sum = ~sum;
	h[36] = sum >> 24;
	h[37] = sum >> 16;
	h[38] = sum >> 8;
	h[39] = sum;
	if (pwrite(fd, h, sizeof(h), 512) != (ssize_t)sizeof(h))
		fprintf(stderr, "pwrite: %s\n", strerror(errno));
	close(fd);
}

static void
fix_footer(const char *p, size_t field, const unsigned char *v, size_t n)
{
	unsigned char f[512];
	uint32_t sum = 0;
	uint64_t at = file_size(p) - 512;
	int fd = open(p, O_RDWR);

	if (fd < 0 || pread(fd, f, sizeof(f), (off_t)at) != 512) {
		if (fd >= 0)
			close(fd);
		return;
	}
	memcpy(f + field, v, n);
	memset(f + 64, 0, 4);
	for (size_t i = 0; i < sizeof(f); i++)
		sum += f[i];
	sum = ~sum;
	f[64] = sum >> 24;
	f[65] = sum >> 16;
	f[66] = sum >> 8;
	f[67] = sum;
	if (pwrite(fd, f, sizeof(f), (off_t)at) != 512 ||
	    pwrite(fd, f, sizeof(f), 0) != 512)
		fprintf(stderr, "pwrite: %s\n", strerror(errno));
	close(fd);
}

static void
bat_beyond_end(const char *p)
{
	unsigned char e[4] = { 0x00, 0x10, 0x00, 0x00 };	/* sector 1M */

	poke(p, 1536 + 4, e, 4);
}

static void
truncate_tail(const char *p)
{
	if (truncate(p, (off_t)file_size(p) - 4096) < 0)
		fprintf(stderr, "truncate: %s\n", strerror(errno));
}

static void
huge_size(const char *p)
{
	unsigned char v[8] = { 0x00, 0x00, 0x04, 0x00, 0, 0, 0, 0 }; /* 4 TiB */

	fix_footer(p, 48, v, 8);
}

static void
size_beyond_bat(const char *p)
{
	unsigned char v[8] = { 0, 0, 0, 0x01, 0, 0, 0, 0 };	/* 4 GiB */

	fix_footer(p, 48, v, 8);
}

static void
odd_block_size(const char *p)
{
	unsigned char v[4] = { 0x00, 0x20, 0x10, 0x00 };

	fix_header(p, 32, v, 4);
}

static void
differencing(const char *p)
{
	unsigned char v[4] = { 0, 0, 0, 4 };

	fix_footer(p, 60, v, 4);
}

TEST(vhd_refuses_bad_footer_checksum)
{
	const char *m = open_error("f.vhd", bad_footer_sum);

	CHECK_STR_HAS(m, "f.vhd: bad VHD footer checksum at the end");
	CHECK_STR_HAS(m, "field checksum is 0x");
}

TEST(vhd_refuses_bad_footer_copy_checksum)
{
	CHECK_STR_HAS(open_error("c.vhd", bad_copy_sum),
	    "c.vhd: bad VHD footer checksum (copy at offset 0)");
}

TEST(vhd_refuses_bad_header_checksum)
{
	CHECK_STR_HAS(open_error("h.vhd", bad_header_sum),
	    "h.vhd: bad VHD dynamic header checksum at offset 512");
}

TEST(vhd_refuses_bat_entry_beyond_end)
{
	CHECK_STR_HAS(open_error("b.vhd", bat_beyond_end),
	    "b.vhd: VHD BAT entry 1 (sector 1048576");
}

TEST(vhd_refuses_truncated_file)
{
	CHECK_STR_HAS(open_error("t.vhd", truncate_tail),
	    "t.vhd: no VHD footer at the end of the file, only its copy at "
	    "offset 0: the file is truncated");
}

TEST(vhd_refuses_huge_size)
{
	CHECK_STR_HAS(open_error("z.vhd", huge_size),
	    "z.vhd: VHD footer field current_size declares 4398046511104 "
	    "bytes");
}

TEST(vhd_refuses_size_beyond_bat)
{
	CHECK_STR_HAS(open_error("s.vhd", size_beyond_bat),
	    "s.vhd: VHD header field max_table_entries 3 is too small");
}

TEST(vhd_refuses_bad_block_size)
{
	CHECK_STR_HAS(open_error("k.vhd", odd_block_size),
	    "k.vhd: VHD header field block_size 2101248");
}

TEST(vhd_refuses_differencing)
{
	CHECK_STR_HAS(open_error("d.vhd", differencing),
	    "d.vhd: differencing VHD");
}

TEST(vhd_refuses_non_vhd)
{
	struct xk_error err = { 0 };
	const char *p = path_in("zero.img");
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	CHECK(fd >= 0);
	CHECK(ftruncate(fd, 4096) == 0);
	close(fd);
	CHECK(xk_disk_src_open(p, XK_IMG_VHD, &err) == NULL);
	CHECK_STR_HAS(err.msg, "zero.img: no VHD footer (cookie \"conectix\")");
}

TEST(raw_extents_follow_holes)
{
	struct xk_error err = { 0 };
	struct xk_disk_src *src;
	const char *p = path_in("sparse.raw");
	unsigned char buf[8192];
	uint64_t start, len, data = 0, off = 0;
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	CHECK(fd >= 0);
	pattern(buf, sizeof(buf), 0);
	CHECK(ftruncate(fd, 64 * MiB) == 0);
	CHECK(pwrite(fd, buf, sizeof(buf), 32 * MiB) == sizeof(buf));
	close(fd);
	src = xk_disk_src_open(p, XK_IMG_RAW, &err);
	CHECK(src != NULL);
	CHECK_INT_EQ(xk_disk_src_size(src), 64 * MiB);
	while (xk_disk_src_next_data(src, off, &start, &len, &err) == 0) {
		data += len;
		off = start + len;
	}
	xk_disk_src_close(src);
	/* the file system may round the extent, never to the whole disk */
	CHECK(data >= sizeof(buf));
	CHECK(data <= 2 * MiB);
}

TEST(sink_refuses_descending_and_out_of_range_writes)
{
	struct xk_error err = { 0 };
	unsigned char buf[512];
	struct xk_disk_sink *sink;
	const char *p = path_in("order.vhd");

	memset(buf, 7, sizeof(buf));
	sink = xk_disk_sink_create(p, XK_IMG_VHD, 4 * MiB, &err);
	CHECK(sink != NULL);
	CHECK(xk_disk_sink_pwrite(sink, buf, 512, MiB, &err) == 0);
	CHECK(xk_disk_sink_pwrite(sink, buf, 512, 0, &err) < 0);
	CHECK_STR_HAS(err.msg, "writes must ascend");
	CHECK(xk_disk_sink_pwrite(sink, buf, 512, 4 * MiB, &err) < 0);
	CHECK_STR_HAS(err.msg, "beyond the disk's 4194304 bytes");
	xk_disk_sink_abort(sink);
}

/* Only "." and ".." may be left in dir. */
static int
entries(const char *dir)
{
	char cmd[4200];
	FILE *f;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", dir);
	f = popen(cmd, "r");
	if (f == NULL)
		return -1;
	if (fscanf(f, "%d", &n) != 1)
		n = -1;
	pclose(f);
	return n;
}

TEST(abort_leaves_nothing)
{
	struct xk_error err = { 0 };
	unsigned char buf[4096];
	char dir[4096];
	struct xk_disk_sink *sink;

	snprintf(dir, sizeof(dir), "%s/abort", xk_test_tmpdir());
	CHECK(mkdir(dir, 0755) == 0);
	pattern(buf, sizeof(buf), 0);
	for (int f = XK_IMG_RAW; f <= XK_IMG_VMDK; f++) {
		char out[4200];

		snprintf(out, sizeof(out), "%s/out.%s", dir,
		    xk_img_format_name((enum xk_img_format)f));
		sink = xk_disk_sink_create(out, (enum xk_img_format)f,
		    8 * MiB, &err);
		CHECK(sink != NULL);
		CHECK(xk_disk_sink_pwrite(sink, buf, sizeof(buf), 0,
		    &err) == 0);
		CHECK_INT_EQ(entries(dir), 1);	/* the temporary file */
		xk_disk_sink_abort(sink);
		CHECK_INT_EQ(entries(dir), 0);
	}
}

TEST(unwritable_destination_is_a_clear_error)
{
	struct xk_error err = { 0 };
	struct xk_disk_sink *sink;

	sink = xk_disk_sink_create("/proc/xk-no/out.vhd", XK_IMG_VHD, MiB,
	    &err);
	CHECK(sink == NULL);
	CHECK_STR_HAS(err.msg, "/proc/xk-no/out.vhd: cannot create a "
	    "temporary file in /proc/xk-no");
}

TEST(sink_refuses_to_replace_a_directory)
{
	struct xk_error err = { 0 };

	CHECK(xk_disk_sink_create(xk_test_tmpdir(), XK_IMG_RAW, MiB,
	    &err) == NULL);
	CHECK_STR_HAS(err.msg, "is not a regular file");
}

TEST(vhd_sink_refuses_more_than_2040_gib)
{
	struct xk_error err = { 0 };

	CHECK(xk_disk_sink_create(path_in("big.vhd"), XK_IMG_VHD,
	    XK_VHD_MAX_SIZE + 512, &err) == NULL);
	CHECK_STR_HAS(err.msg, "more than a VHD can hold");
	CHECK_INT_EQ(entries(xk_test_tmpdir()), 0);
}

TEST(format_names)
{
	enum xk_img_format f;

	CHECK(xk_img_format_from_name("/x/disk.QCOW2", &f) == 0);
	CHECK_INT_EQ(f, XK_IMG_QCOW2);
	CHECK(xk_img_format_from_name("a.b/disk", &f) < 0);
	CHECK(xk_img_format_from_name("d.vhd", &f) == 0);
	CHECK_INT_EQ(f, XK_IMG_VHD);
	CHECK(xk_img_format_parse("vmdk", &f) == 0);
	CHECK_INT_EQ(f, XK_IMG_VMDK);
	CHECK(xk_img_format_parse("vpc", &f) < 0);
}

static void
creator_caml(const char *p)
{
	fix_footer(p, 28, (const unsigned char *)"caml", 4);
}

TEST(vhd_size_is_current_size_whatever_the_creator)
{
	struct xk_error err = { 0 };
	struct xk_vhd_info info;
	struct xk_disk_src *src;
	const char *p = path_in("caml.vhd");

	/* an XAPI-made 10 GiB VHD: qemu would read 40 KiB less (CHS) */
	CHECK(write_vhd(p, 10ull << 30, NULL, 0, &err) == 0);
	creator_caml(p);
	CHECK(xk_vhd_read_info(p, &info, &err) == 0);
	CHECK_STR_EQ(info.creator_app, "caml");
	CHECK(!info.qemu_current_size);
	CHECK_INT_EQ(info.chs_size, (10ull << 30) - 40960);
	src = xk_disk_src_open(p, XK_IMG_VHD, &err);
	CHECK(src != NULL);
	CHECK_INT_EQ(xk_disk_src_size(src), 10ull << 30);
	xk_disk_src_close(src);
}

TEST(vhd_writes_with_gaps_inside_a_block)
{
	static const uint64_t r[] = {
		4 * MiB + 100, 4 * MiB + 700,		/* mid-sector ends */
		4 * MiB + 300000, 4 * MiB + 300001,	/* 290 KiB gap */
		4 * MiB + 300100, 5 * MiB,		/* same sector */
		6 * MiB - 1, 6 * MiB + 1,		/* a block edge */
	};
	struct xk_error err = { 0 };
	struct xk_disk_src *src;
	const char *p = path_in("gaps.vhd");

	CHECK(write_vhd(p, 7 * MiB, r, 8, &err) == 0);
	src = xk_disk_src_open(p, XK_IMG_VHD, &err);
	CHECK(src != NULL);
	CHECK(content_ok(src, r, 8));
	xk_disk_src_close(src);
}
