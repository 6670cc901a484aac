/*
 * xk-guest-disk - writes and verifies a pattern through blkfront
 * (xg_blkfront.h): what the Linux test guest's write:DEV and verify:DEV
 * do, in a unikernel.
 *
 *	extra = "write seed=S [sectors=N] [dev=NODE] [timeout=SECS]"
 *		write the pattern of seed S over the first N sectors
 *		(default 1024: 512 KiB), flush when the back end offers
 *		it, then read it back and verify it
 *	extra = "verify seed=S [sectors=N] [dev=NODE] [timeout=SECS]"
 *		only read and verify
 *
 * NODE is the vbd's front-end node (default device/vbd/51712: xvda);
 * SECS bounds each wait for the back end (default 60), and for a
 * xenstore reply when longer than the library's 30 s.  S is a decimal
 * number up to 999999999.
 *
 * The pattern, sector by sector (512 bytes, sector n from 0): the line
 * "xk-disk seed=S sector=n\n", then for each byte offset i up to 510
 * the letter 'a' + (S + n + i) % 26, then '\n' at 511.  Text, so that
 * dom0 can make it with awk and compare it with cmp (t7040).
 *
 * Console: "xk-guest: disk: connected ...", "xk-guest: disk: wrote N
 * sectors in T ms (R KiB/s)", "xk-guest: disk: pattern verified seed=S
 * sectors=N (pv|pvh), read in T ms (R KiB/s)", and the guest powers
 * off.  Anything else (a bad command line, a back end that never
 * connects or says what blkif.h does not allow, a failed request, a
 * byte that is not the pattern's) is "xk-guest: panic: disk: WHY" and
 * a crash.
 */
#include "xg_blkfront.h"
#include "xg_cmdline.h"
#include "xg_console.h"
#include "xg_fmt.h"
#include "xg_shutdown.h"
#include "xg_string.h"
#include "xg_time.h"

#define CHUNK (XG_BLK_SLOTS * XG_BLKIF_MAX_SECTORS)	/* sectors */
#define SEED_MAX 999999999ULL

static struct xg_blkfront blk;
static struct xg_xs xs;
static struct xg_gnttab gt;
static unsigned char buf[CHUNK * XG_BLKIF_SECTOR];

struct args {
	int write;
	uint64_t seed, sectors, timeout;
	char dev[64];
};

/* Sector N of the pattern of SEED into S (512 bytes). */
static void
pattern(unsigned char *s, uint64_t seed, uint64_t n)
{
	int h = xg_snprintf((char *)s, XG_BLKIF_SECTOR,
	    "xk-disk seed=%llu sector=%llu\n", (unsigned long long)seed,
	    (unsigned long long)n);

	for (unsigned int i = (unsigned int)h; i < XG_BLKIF_SECTOR - 1; i++)
		s[i] = (unsigned char)('a' + (seed + n + i) % 26);
	s[XG_BLKIF_SECTOR - 1] = '\n';
}

/* The command line's KEY as a number at most MAX, DEF when absent. */
static uint64_t
opt_num(struct xg *xg, const char *key, uint64_t max, long long def)
{
	char v[24];
	size_t len;
	const char *s = xg_cmdline_opt(xg->cmdline, key, &len);
	uint64_t n;

	if (s == NULL && def >= 0)
		return (uint64_t)def;
	if (s == NULL)
		xg_panic(xg, "disk: no %s= on the command line", key);
	if (len >= sizeof(v))
		len = sizeof(v) - 1;
	memcpy(v, s, len);
	v[len] = '\0';
	if (xg_blkif_parse_u64(v, max, &n) < 0)
		xg_panic(xg, "disk: %s=%s: not a number up to %llu", key, v,
		    (unsigned long long)max);
	return n;
}

static void
parse_args(struct xg *xg, struct args *a)
{
	size_t len;
	const char *dev = xg_cmdline_opt(xg->cmdline, "dev", &len);

	if (xg_cmdline_word(xg->cmdline, "write"))
		a->write = 1;
	else if (!xg_cmdline_word(xg->cmdline, "verify"))
		xg_panic(xg, "disk: command line \"%s\": neither write nor "
		    "verify", xg->cmdline);
	a->seed = opt_num(xg, "seed", SEED_MAX, -1);
	a->sectors = opt_num(xg, "sectors", UINT32_MAX, 1024);
	a->timeout = opt_num(xg, "timeout", 3600, 60);
	if (a->timeout == 0)
		xg_panic(xg, "disk: timeout=0: at least 1 s");
	if (dev == NULL) {
		dev = "device/vbd/51712";
		len = strlen(dev);
	}
	if (len >= sizeof(a->dev))
		xg_panic(xg, "disk: dev=%.*s: too long", (int)len, dev);
	memcpy(a->dev, dev, len);
	a->dev[len] = '\0';
}

/* KiB/s for BYTES in NS (integer: guests have no floating point; in
 * microseconds, so that BYTES up to 2^43 do not overflow). */
static unsigned long long
kibps(uint64_t bytes, uint64_t ns)
{
	uint64_t us = ns / 1000;

	return us == 0 ? 0 : (unsigned long long)(bytes * 1000000 / 1024 / us);
}

static void
write_all(struct xg *xg, const struct args *a)
{
	uint64_t t0 = xg_time_now(xg), ns;

	for (uint64_t at = 0; at < a->sectors; at += CHUNK) {
		uint64_t n = a->sectors - at < CHUNK ? a->sectors - at : CHUNK;

		for (uint64_t i = 0; i < n; i++)
			pattern(buf + i * XG_BLKIF_SECTOR, a->seed, at + i);
		if (xg_blk_write(&blk, at, n, buf) < 0)
			xg_panic(xg, "disk: %s", blk.err);
	}
	if (blk.flush && xg_blk_flush(&blk) < 0)
		xg_panic(xg, "disk: %s", blk.err);
	ns = xg_time_now(xg) - t0;
	xg_printf(xg, "xk-guest: disk: wrote %llu sectors in %llu ms "
	    "(%llu KiB/s)%s\n", (unsigned long long)a->sectors,
	    (unsigned long long)(ns / XG_MS),
	    kibps(a->sectors * XG_BLKIF_SECTOR, ns),
	    blk.flush ? ", flushed" : "");
}

static void
verify_all(struct xg *xg, const struct args *a)
{
	unsigned char want[XG_BLKIF_SECTOR];
	uint64_t ns = 0;

	for (uint64_t at = 0; at < a->sectors; at += CHUNK) {
		uint64_t n = a->sectors - at < CHUNK ? a->sectors - at : CHUNK;
		uint64_t t0 = xg_time_now(xg);

		if (xg_blk_read(&blk, at, n, buf) < 0)
			xg_panic(xg, "disk: %s", blk.err);
		ns += xg_time_now(xg) - t0;
		for (uint64_t i = 0; i < n; i++) {
			const unsigned char *got = buf + i * XG_BLKIF_SECTOR;
			unsigned int b = 0;

			pattern(want, a->seed, at + i);
			while (b < XG_BLKIF_SECTOR && got[b] == want[b])
				b++;
			if (b < XG_BLKIF_SECTOR)
				xg_panic(xg, "disk: pattern mismatch at "
				    "sector %llu byte %u (seed %llu): read "
				    "0x%02x, expected 0x%02x",
				    (unsigned long long)(at + i), b,
				    (unsigned long long)a->seed, got[b],
				    want[b]);
		}
	}
	xg_printf(xg, "xk-guest: disk: pattern verified seed=%llu "
	    "sectors=%llu (%s), read in %llu ms (%llu KiB/s)\n",
	    (unsigned long long)a->seed, (unsigned long long)a->sectors,
	    xg->mode == XG_PV ? "pv" : "pvh",
	    (unsigned long long)(ns / XG_MS),
	    kibps(a->sectors * XG_BLKIF_SECTOR, ns));
}

void
xg_main(struct xg *xg)
{
	struct args a = { 0 };
	long rc;

	parse_args(xg, &a);
	if (xg_xs_init(&xs, xg) < 0)
		xg_panic(xg, "disk: no xenstore ring");
	if ((rc = xg_gnttab_init(&gt, xg)) != 0)
		xg_panic(xg, "disk: grant table set-up failed: %ld", rc);
	/* a long timeout= also bounds xenstore replies: a loaded dom0
	 * may leave xenstored as slow as the back end (seen in the lab:
	 * dom0's vCPUs stalled for over 30 s) */
	if (a.timeout * XG_S > xs.timeout_ns)
		xs.timeout_ns = a.timeout * XG_S;
	blk.timeout_ns = a.timeout * XG_S;
	if (xg_blk_connect(&blk, xg, &xs, &gt, a.dev) < 0)
		xg_panic(xg, "disk: %s", blk.err);
	xg_printf(xg, "xk-guest: disk: connected %s (%s): %llu sectors of "
	    "%u bytes, info %#x, flush %s\n", a.dev, blk.dev.backend,
	    (unsigned long long)blk.sectors, blk.sector_size, blk.info,
	    blk.flush ? "yes" : "no");
	if (a.sectors > blk.sectors)
		xg_panic(xg, "disk: sectors=%llu: the disk has only %llu",
		    (unsigned long long)a.sectors,
		    (unsigned long long)blk.sectors);
	if (a.write)
		write_all(xg, &a);
	verify_all(xg, &a);
	if (xg_blk_disconnect(&blk) < 0)
		xg_panic(xg, "disk: disconnect: %s", blk.err);
	xg_printf(xg, "xk-guest: disk: disconnected (%llu requests, %llu "
	    "notifications)\n", (unsigned long long)blk.requests,
	    (unsigned long long)blk.notifies);
}
