/*
 * xk-guest-disk - writes and verifies a pattern through blkfront
 * (xg_blkfront.h): what the Linux test guest's write:DEV and verify:DEV
 * do, in a unikernel.  Two modes.
 *
 * One shot, on one disk:
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
 * Console: "xk-guest: disk: connected ...", "xk-guest: disk: wrote N
 * sectors in T ms (R KiB/s)", "xk-guest: disk: pattern verified seed=S
 * sectors=N (pv|pvh), read in T ms (R KiB/s)", and the guest powers
 * off.  Anything else (a bad command line, a back end that never
 * connects or says what blkif.h does not allow, a failed request, a
 * byte that is not the pattern's) is "xk-guest: panic: disk: WHY" and
 * a crash.
 *
 * A list of actions, on up to four disks (what the snapshot tests'
 * guest does; the words and console lines are the Linux test guest's,
 * share/lab/guest-init, so the tests read both alike):
 *	extra = "do=A+B+... seed=S [sectors=N] [timeout=SECS]
 *		[marker=NAME]"
 *	write:DEV	write the pattern on DEV (xvda to xvdd), flush:
 *			"write ok"
 *	verify:DEV	"verify ok" when DEV holds the pattern, "verify
 *			FAILED (sector N byte B)" when not
 *	wipe:DEV	zero the pattern's sectors: "wipe ok"
 *	hold		"holding", then wait until data/release appears
 *			in the guest's xenstore home (the key is removed):
 *			"released".  A test's synchronisation point,
 *			where the Linux guest had to burn a guessed time
 *	idle:SECS	wait SECS seconds of Xen system time: "idled SECS"
 *	burn:SECS	spin for SECS seconds: "burnt SECS"
 *	sleep		"sleeping", then wait for ever
 *	poweroff, reboot, crash
 * each line starting "xk-guest: ".  A failed I/O says "ACTION FAILED
 * (why)" and the guest goes on; a bad list is a panic before anything
 * is done.  First "xk-guest: marker NAME" (NAME from marker= or the
 * domain's name); then every disk up to xvdd is connected, as a Linux
 * guest connects its disks at boot.  While it holds, idles, burns or sleeps, the guest
 * answers control/shutdown (xl shutdown, reboot, save): suspended and
 * resumed in a new domain (xl restore, xk snapshot --memory), it
 * connects its disks again and goes on where it was.  Save works for
 * PVH only (xk-guest-xs says why).
 *
 * The pattern, sector by sector (512 bytes, sector n from 0): the line
 * "xk-disk seed=S sector=n\n", then for each byte offset i up to 510
 * the letter 'a' + (S + n + i) % 26, then '\n' at 511.  Text, so that
 * dom0 can make it with awk and compare it with cmp (t7040).
 */
#include "xg_blkfront.h"
#include "xg_cmdline.h"
#include "xg_console.h"
#include "xg_control.h"
#include "xg_fmt.h"
#include "xg_shutdown.h"
#include "xg_string.h"
#include "xg_time.h"

#define CHUNK (XG_BLK_SLOTS * XG_BLKIF_MAX_SECTORS)	/* sectors */
#define SEED_MAX 999999999ULL
#define NDEV 4			/* xvda to xvdd */
#define XVDA 51712		/* xvda's vbd number: 202 << 8 */
#define ACTS_MAX 256		/* bytes of do= */

/* The pages each device shares with its back end (about 180 KiB
 * each), and the buffer the pattern is made and checked in. */
static struct xg_blkfront blk[NDEV];
static unsigned char buf[CHUNK * XG_BLKIF_SECTOR];

struct args {
	int write;
	uint64_t seed, sectors, timeout;
	char dev[64];
	char acts[ACTS_MAX];	/* do=, '+' turned into NULs */
	size_t acts_len;
};

/* What the guest holds: the command line's orders and the connections
 * (the grant table and the xenstore client are the devices'). */
struct disk {
	struct xg *xg;
	struct args a;
	struct xg_xs xs;
	struct xg_gnttab gt;
	unsigned int connected;	/* a bit per blk[] connected */
	char why[192];		/* the last failed action's reason */
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

/* The value of KEY= into OUT (CAP bytes, NUL added); 0 when absent. */
static int
opt_str(struct xg *xg, const char *key, char *out, size_t cap)
{
	size_t len;
	const char *s = xg_cmdline_opt(xg->cmdline, key, &len);

	if (s == NULL)
		return 0;
	if (len >= cap)
		xg_panic(xg, "disk: %s=%.*s: too long", key, (int)len, s);
	memcpy(out, s, len);
	out[len] = '\0';
	return 1;
}

static void
parse_args(struct xg *xg, struct args *a)
{
	if (opt_str(xg, "do", a->acts, sizeof(a->acts))) {
		a->acts_len = strlen(a->acts);
		for (size_t i = 0; i < a->acts_len; i++)
			if (a->acts[i] == '+')
				a->acts[i] = '\0';
	} else if (xg_cmdline_word(xg->cmdline, "write"))
		a->write = 1;
	else if (!xg_cmdline_word(xg->cmdline, "verify"))
		xg_panic(xg, "disk: command line \"%s\": none of write, "
		    "verify, do=", xg->cmdline);
	a->seed = opt_num(xg, "seed", SEED_MAX, -1);
	a->sectors = opt_num(xg, "sectors", UINT32_MAX, 1024);
	a->timeout = opt_num(xg, "timeout", 3600, 60);
	if (a->timeout == 0)
		xg_panic(xg, "disk: timeout=0: at least 1 s");
	if (!opt_str(xg, "dev", a->dev, sizeof(a->dev)))
		memcpy(a->dev, "device/vbd/51712", sizeof("device/vbd/51712"));
}

/* KiB/s for BYTES in NS (integer: guests have no floating point; in
 * microseconds, so that BYTES up to 2^43 do not overflow). */
static unsigned long long
kibps(uint64_t bytes, uint64_t ns)
{
	uint64_t us = ns / 1000;

	return us == 0 ? 0 : (unsigned long long)(bytes * 1000000 / 1024 / us);
}

/* Sectors from AT that one request burst covers, up to END. */
static uint64_t
chunk(uint64_t at, uint64_t end)
{
	return end - at < CHUNK ? end - at : CHUNK;
}

/* Write the pattern (ZERO: zeros) over a->sectors of BF and flush:
 * 0, or -1 with the reason in d->why. */
static int
fill(struct disk *d, struct xg_blkfront *bf, int zero)
{
	for (uint64_t at = 0; at < d->a.sectors; at += CHUNK) {
		uint64_t n = chunk(at, d->a.sectors);

		for (uint64_t i = 0; i < n; i++)
			if (zero)
				memset(buf + i * XG_BLKIF_SECTOR, 0,
				    XG_BLKIF_SECTOR);
			else
				pattern(buf + i * XG_BLKIF_SECTOR, d->a.seed,
				    at + i);
		if (xg_blk_write(bf, at, n, buf) < 0)
			goto failed;
	}
	if (bf->flush && xg_blk_flush(bf) < 0)
		goto failed;
	return 0;
failed:
	xg_snprintf(d->why, sizeof(d->why), "%s", bf->err);
	return -1;
}

/* Is the pattern on a->sectors of BF?  0, or -1 with the first
 * difference (or the I/O error) in d->why; the reading time into *NS. */
static int
check(struct disk *d, struct xg_blkfront *bf, uint64_t *ns)
{
	unsigned char want[XG_BLKIF_SECTOR];

	*ns = 0;
	for (uint64_t at = 0; at < d->a.sectors; at += CHUNK) {
		uint64_t n = chunk(at, d->a.sectors), t0 = xg_time_now(d->xg);

		if (xg_blk_read(bf, at, n, buf) < 0) {
			xg_snprintf(d->why, sizeof(d->why), "%s", bf->err);
			return -1;
		}
		*ns += xg_time_now(d->xg) - t0;
		for (uint64_t i = 0; i < n; i++) {
			const unsigned char *got = buf + i * XG_BLKIF_SECTOR;
			unsigned int b = 0;

			pattern(want, d->a.seed, at + i);
			while (b < XG_BLKIF_SECTOR && got[b] == want[b])
				b++;
			if (b == XG_BLKIF_SECTOR)
				continue;
			xg_snprintf(d->why, sizeof(d->why), "pattern mismatch "
			    "at sector %llu byte %u (seed %llu): read 0x%02x, "
			    "expected 0x%02x", (unsigned long long)(at + i), b,
			    (unsigned long long)d->a.seed, got[b], want[b]);
			return -1;
		}
	}
	return 0;
}

/* Connect BF to NODE (d->a.timeout for each wait) or panic. */
static void
connect(struct disk *d, struct xg_blkfront *bf, const char *node)
{
	bf->timeout_ns = d->a.timeout * XG_S;
	if (xg_blk_connect(bf, d->xg, &d->xs, &d->gt, node) < 0)
		xg_panic(d->xg, "disk: %s", bf->err);
	xg_printf(d->xg, "xk-guest: disk: connected %s (%s): %llu sectors of "
	    "%u bytes, info %#x, flush %s\n", node, bf->dev.backend,
	    (unsigned long long)bf->sectors, bf->sector_size, bf->info,
	    bf->flush ? "yes" : "no");
	if (d->a.sectors > bf->sectors)
		xg_panic(d->xg, "disk: sectors=%llu: %s has only %llu",
		    (unsigned long long)d->a.sectors, node,
		    (unsigned long long)bf->sectors);
}

/* The one-shot mode: write and verify, or verify, then power off. */
static void
one_shot(struct disk *d)
{
	struct xg_blkfront *bf = &blk[0];
	uint64_t t0, ns;

	connect(d, bf, d->a.dev);
	if (d->a.write) {
		t0 = xg_time_now(d->xg);
		if (fill(d, bf, 0) < 0)
			xg_panic(d->xg, "disk: %s", d->why);
		ns = xg_time_now(d->xg) - t0;
		xg_printf(d->xg, "xk-guest: disk: wrote %llu sectors in %llu "
		    "ms (%llu KiB/s)%s\n", (unsigned long long)d->a.sectors,
		    (unsigned long long)(ns / XG_MS),
		    kibps(d->a.sectors * XG_BLKIF_SECTOR, ns),
		    bf->flush ? ", flushed" : "");
	}
	if (check(d, bf, &ns) < 0)
		xg_panic(d->xg, "disk: %s", d->why);
	xg_printf(d->xg, "xk-guest: disk: pattern verified seed=%llu "
	    "sectors=%llu (%s), read in %llu ms (%llu KiB/s)\n",
	    (unsigned long long)d->a.seed, (unsigned long long)d->a.sectors,
	    d->xg->mode == XG_PV ? "pv" : "pvh",
	    (unsigned long long)(ns / XG_MS),
	    kibps(d->a.sectors * XG_BLKIF_SECTOR, ns));
	if (xg_blk_disconnect(bf) < 0)
		xg_panic(d->xg, "disk: disconnect: %s", bf->err);
	xg_printf(d->xg, "xk-guest: disk: disconnected (%llu requests, %llu "
	    "notifications)\n", (unsigned long long)bf->requests,
	    (unsigned long long)bf->notifies);
}

/* The device an action names ("xvda" to "xvdd"): its index, or -1. */
static int
dev_index(const char *name)
{
	if (strlen(name) != 4 || memcmp(name, "xvd", 3) != 0 ||
	    name[3] < 'a' || name[3] >= 'a' + NDEV)
		return -1;
	return name[3] - 'a';
}

/* ACT's argument after "WORD:", or NULL when ACT is not WORD:... */
static const char *
arg_of(const char *act, const char *word)
{
	size_t n = strlen(word);

	return strncmp(act, word, n) == 0 && act[n] == ':' ? act + n + 1 :
	    NULL;
}

/* Seconds in "idle:SECS" and "burn:SECS" (at most a day). */
static int
seconds(const char *s, uint64_t *n)
{
	return xg_blkif_parse_u64(s, 86400, n);
}

/* Is ACT one the list may hold?  Checked for the whole list before
 * the first is done, so that a typo cannot leave half a test run. */
static int
valid(const char *act)
{
	static const char *const plain[] = {
		"hold", "sleep", "poweroff", "reboot", "crash", NULL
	};
	static const char *const on_dev[] = { "write", "verify", "wipe", NULL };
	const char *v;
	uint64_t n;

	for (int i = 0; plain[i] != NULL; i++)
		if (strcmp(act, plain[i]) == 0)
			return 1;
	for (int i = 0; on_dev[i] != NULL; i++)
		if ((v = arg_of(act, on_dev[i])) != NULL)
			return dev_index(v) >= 0;
	if ((v = arg_of(act, "idle")) != NULL ||
	    (v = arg_of(act, "burn")) != NULL)
		return seconds(v, &n) == 0;
	return 0;
}

static void
watch_all(struct disk *d)
{
	if (xg_xs_watch(&d->xs, "control/shutdown", "control") < 0 ||
	    xg_xs_watch(&d->xs, "data/release", "release") < 0)
		xg_panic(d->xg, "disk: cannot set watches: %s", d->xs.err);
}

/* Resumed in a new domain: its grant table is new and empty and the
 * back ends are new ones; connect every disk again. */
static void
resumed(void *arg)
{
	struct disk *d = arg;
	long rc = xg_gnttab_init(&d->gt, d->xg);

	if (rc != 0)
		xg_panic(d->xg, "disk: grant table set-up after resume: %ld",
		    rc);
	for (int i = 0; i < NDEV; i++)
		if ((d->connected & 1U << i) && xg_blk_resume(&blk[i]) < 0)
			xg_panic(d->xg, "disk: xvd%c after resume: %s", 'a' + i,
			    blk[i].err);
	watch_all(d);
}

/* Answer control/shutdown; shut down when it says so. */
static void
serve_control(struct disk *d)
{
	int reason = xg_control_serve(&d->xs, resumed, d);

	if (reason >= 0)
		xg_shutdown(d->xg, (unsigned int)reason);
}

/* Has data/release appeared?  Taken (removed) when it has. */
static int
released(struct disk *d)
{
	char v[16];

	if (xg_xs_read(&d->xs, 0, "data/release", v, sizeof(v)) < 0)
		return 0;
	if (xg_xs_rm(&d->xs, 0, "data/release") < 0)
		xg_panic(d->xg, "disk: cannot remove data/release: %s",
		    d->xs.err);
	return 1;
}

/*
 * Wait until DEADLINE (system time; 0: none) or, with HOLD, until
 * data/release appears, answering control/shutdown meanwhile.  Both
 * keys are read again after every wake-up: a watch only says "look
 * again", and events that came while a device was connecting were
 * dropped (xg_xenbus_wait).
 */
static void
wait_events(struct disk *d, uint64_t deadline, int hold)
{
	char path[64], token[16];

	for (;;) {
		serve_control(d);
		if (hold && released(d))
			return;
		if (deadline != 0 && xg_time_now(d->xg) >= deadline)
			return;
		xg_xs_next_event(&d->xs, path, sizeof(path), token,
		    sizeof(token), deadline);
	}
}

/* Spin for SECS seconds, answering control/shutdown every 10 ms. */
static void
burn(struct disk *d, uint64_t secs)
{
	char path[64], token[16];
	uint64_t end = xg_time_now(d->xg) + secs * XG_S;

	for (;;) {
		uint64_t now = xg_time_now(d->xg), slice = now + 10 * XG_MS;

		if (now >= end)
			return;
		while (xg_time_now(d->xg) < slice)
			;
		if (xg_xs_next_event(&d->xs, path, sizeof(path), token,
		    sizeof(token), xg_time_now(d->xg)))
			serve_control(d);
	}
}

/* Device I (connected at its first use). */
static struct xg_blkfront *
device(struct disk *d, int i)
{
	char node[32];

	if (!(d->connected & 1U << i)) {
		xg_snprintf(node, sizeof(node), "device/vbd/%d", XVDA + 16 * i);
		connect(d, &blk[i], node);
		d->connected |= 1U << i;
	}
	return &blk[i];
}

/* The result of ACT's I/O: "xk-guest: ACT ok", or "FAILED (why)". */
static void
report(struct disk *d, const char *word, int rc)
{
	if (rc == 0)
		xg_printf(d->xg, "xk-guest: %s ok\n", word);
	else
		xg_printf(d->xg, "xk-guest: %s FAILED (%s)\n", word, d->why);
}

static void
act(struct disk *d, const char *act)
{
	const char *v;
	uint64_t n, ns;

	if ((v = arg_of(act, "write")) != NULL)
		report(d, "write", fill(d, device(d, dev_index(v)), 0));
	else if ((v = arg_of(act, "wipe")) != NULL)
		report(d, "wipe", fill(d, device(d, dev_index(v)), 1));
	else if ((v = arg_of(act, "verify")) != NULL)
		report(d, "verify", check(d, device(d, dev_index(v)), &ns));
	else if ((v = arg_of(act, "idle")) != NULL) {
		seconds(v, &n);
		wait_events(d, xg_time_now(d->xg) + n * XG_S, 0);
		xg_printf(d->xg, "xk-guest: idled %llu\n", (unsigned long long)n);
	} else if ((v = arg_of(act, "burn")) != NULL) {
		seconds(v, &n);
		burn(d, n);
		xg_printf(d->xg, "xk-guest: burnt %llu\n", (unsigned long long)n);
	} else if (strcmp(act, "hold") == 0) {
		xg_printf(d->xg, "xk-guest: holding\n");
		wait_events(d, 0, 1);
		xg_printf(d->xg, "xk-guest: released\n");
	} else if (strcmp(act, "sleep") == 0) {
		xg_printf(d->xg, "xk-guest: sleeping\n");
		wait_events(d, 0, 0);
	} else {
		xg_printf(d->xg, "xk-guest: %s\n", act);
		xg_shutdown(d->xg, strcmp(act, "reboot") == 0 ? SHUTDOWN_reboot :
		    strcmp(act, "crash") == 0 ? SHUTDOWN_crash :
		    SHUTDOWN_poweroff);
	}
}

/* Connect every disk the guest was given, as a Linux guest does at
 * boot: the back ends are Connected before the first action, whatever
 * the actions use.  Disks past xvdd are left alone. */
static void
connect_all(struct disk *d)
{
	char names[256];
	long n = xg_xs_directory(&d->xs, 0, "device/vbd", names, sizeof(names));
	const char *name = names;

	if (n < 0 && strcmp(d->xs.err, "ENOENT") != 0)
		xg_panic(d->xg, "disk: cannot list device/vbd: %s", d->xs.err);
	for (long i = 0; i < n; i++, name += strlen(name) + 1) {
		uint64_t vdev;

		if (xg_blkif_parse_u64(name, UINT32_MAX, &vdev) == 0 &&
		    vdev >= XVDA && (vdev - XVDA) % 16 == 0 &&
		    (vdev - XVDA) / 16 < NDEV)
			device(d, (int)((vdev - XVDA) / 16));
	}
}

/* The list mode: check every action, say the marker, connect the
 * disks, do the actions. */
static void
run_list(struct disk *d)
{
	char name[64];
	size_t at;

	for (at = 0; at < d->a.acts_len; at += strlen(d->a.acts + at) + 1)
		if (!valid(d->a.acts + at))
			xg_panic(d->xg, "disk: do=: \"%s\" is not an action "
			    "(write:, verify:, wipe: xvda to xvdd; idle:, "
			    "burn: SECS; hold, sleep, poweroff, reboot, "
			    "crash)", d->a.acts + at);
	if (!opt_str(d->xg, "marker", name, sizeof(name)) &&
	    xg_xs_read(&d->xs, 0, "name", name, sizeof(name)) < 0)
		xg_panic(d->xg, "disk: cannot read name: %s", d->xs.err);
	xg_printf(d->xg, "xk-guest: marker %s\n", name);
	connect_all(d);
	watch_all(d);
	for (at = 0; at < d->a.acts_len; at += strlen(d->a.acts + at) + 1)
		act(d, d->a.acts + at);
}

void
xg_main(struct xg *xg)
{
	static struct disk d;
	long rc;

	d.xg = xg;
	parse_args(xg, &d.a);
	if (xg_xs_init(&d.xs, xg) < 0)
		xg_panic(xg, "disk: no xenstore ring");
	if ((rc = xg_gnttab_init(&d.gt, xg)) != 0)
		xg_panic(xg, "disk: grant table set-up failed: %ld", rc);
	/* a long timeout= also bounds xenstore replies: a loaded dom0
	 * may leave xenstored as slow as the back end (seen in the lab:
	 * dom0's vCPUs stalled for over 30 s) */
	if (d.a.timeout * XG_S > d.xs.timeout_ns)
		d.xs.timeout_ns = d.a.timeout * XG_S;
	if (d.a.acts_len > 0)
		run_list(&d);
	else
		one_shot(&d);
}
