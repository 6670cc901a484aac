/*
 * fuzz-vhd - the VHD reader: footer, footer copy, dynamic header and BAT
 * parsing, then every data extent read through the sector bitmaps.  The
 * input is put in a memfd so the real file code runs, not a copy of it.
 * An accepted image must keep its promises: extents ascend and stay
 * inside the disk, and reads inside the disk succeed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "formats/disk.h"
#include "formats/vhd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
walk(struct xk_disk_src *src)
{
	struct xk_error err = { 0 };
	uint64_t off = 0, start, len, disk = xk_disk_src_size(src);
	static unsigned char buf[64 * 1024];
	int r, steps = 0;

	while ((r = xk_disk_src_next_data(src, off, &start, &len, &err)) == 0) {
		if (start < off || len == 0 || start + len > disk) {
			fprintf(stderr, "bad extent %llu+%llu after %llu\n",
			    (unsigned long long)start,
			    (unsigned long long)len, (unsigned long long)off);
			abort();
		}
		/* read the extent's head: the bitmap and data paths */
		if (xk_disk_src_pread(src, buf, len < sizeof(buf) ? len :
		    sizeof(buf), start, &err) < 0) {
			fprintf(stderr, "read failed: %s\n", err.msg);
			abort();
		}
		off = start + len;
		if (++steps > 100000)
			break;
	}
	/* a read across the end must be refused, not performed */
	if (xk_disk_src_pread(src, buf, 2, disk > 0 ? disk - 1 : 0, &err) == 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xk_error err = { 0 };
	struct xk_vhd_info info;
	struct xk_disk_src *src;
	int fd;

	if (size > 1 << 20)
		return 0;
	fd = memfd_create("fuzz.vhd", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	src = xk_vhd_src_fd(fd, "fuzz.vhd", &info, &err);	/* takes fd */
	if (src == NULL) {
		if (err.msg[0] == '\0')
			abort();	/* refused without saying why */
		return 0;
	}
	walk(src);
	xk_disk_src_close(src);
	return 0;
}
