/*
 * vhd.h - VHD (Virtual Hard Disk, "conectix") specifics beyond disk.h:
 * what `xk inspect` shows and what the fuzzer drives.
 *
 * Size semantics (see xk-vhd(5)): xenkit reads a VHD's virtual size from
 * the footer's current_size, always, as XAPI, blktap and Hyper-V do.
 * qemu does so only for the creators "win ", "qem2", "d2v ", "CTXS" and
 * "tap\0" and otherwise uses the CHS geometry, which can be smaller (an
 * XAPI "caml" VHD of 10 GiB reads 40 KiB short in qemu).  xenkit writes
 * creator "qem2" and the exact size, so qemu and XAPI agree with it.
 */
#ifndef XK_FORMATS_VHD_H
#define XK_FORMATS_VHD_H

#include <stdbool.h>
#include <stdint.h>

#include "formats/disk.h"
#include "util/error.h"

#define XK_VHD_MAX_SIZE (2040ull << 30)	/* the format's limit */
#define XK_VHD_BLOCK_SIZE (2u << 20)	/* what xenkit writes */

enum {
	XK_VHD_FIXED = 2,
	XK_VHD_DYNAMIC = 3,
	XK_VHD_DIFFERENCING = 4,
};

struct xk_vhd_info {
	char creator_app[5];	/* NUL-terminated; "tap\0" reads "tap" */
	uint32_t creator_ver;
	char creator_os[5];
	uint32_t disk_type;	/* XK_VHD_FIXED, XK_VHD_DYNAMIC... */
	uint64_t current_size;	/* the virtual size xenkit uses */
	uint64_t original_size;
	uint16_t cylinders;
	uint8_t heads, sectors;
	uint64_t chs_size;	/* cylinders * heads * sectors * 512 */
	bool qemu_current_size;	/* qemu reads current_size (not CHS) */
	unsigned char uuid[16];
	uint32_t timestamp;	/* seconds since 2000-01-01 UTC */
	/* dynamic disks only */
	uint32_t block_size;
	uint32_t max_table_entries;
	uint32_t allocated_blocks;
};

/* Read and verify footer, header and BAT; fill info. */
int xk_vhd_read_info(const char *path, struct xk_vhd_info *info,
    struct xk_error *err);

/*
 * Open a VHD already open as fd (read-only; the source takes fd and
 * closes it); name is used in messages.  The fuzzer's entry point.
 */
struct xk_disk_src *xk_vhd_src_fd(int fd, const char *name,
    struct xk_vhd_info *info, struct xk_error *err);

/*
 * The CHS geometry the VHD specification derives from a size (its
 * appendix algorithm, capped at 65535/16/255); returns the size the
 * geometry covers, which is at most size.
 */
uint64_t xk_vhd_chs(uint64_t size, uint16_t *cyl, uint8_t *heads,
    uint8_t *spt);

#endif
