/*
 * xk-guest-fuzz - the hands of xk fuzz's guest engine: an unprivileged
 * PVH guest that makes the hypercalls dom0 hands it, so that the
 * guest-to-hypervisor boundary is fuzzed from where an attacker sits.
 *
 * It knows nothing of the calls: dom0's engine (lib/fuzz/hcall-guest.c)
 * lays each call's structure and registers, with the addresses this
 * guest published at boot, and the guest makes the call as told.  All
 * the knowledge of the calls stays in one place, the host's table.
 *
 * At boot it writes to data/fuzz/ready (hexadecimal):
 *
 *	arg=ADDR scratch=ADDR spare=GFN bad=ADDR
 *
 * the page a call's structure goes to, the scratch pages its buffers
 * point into (SCRATCH_PAGES of them, then as many again of padding, so
 * that a length Xen believes writes into the guest's own pages and
 * nothing else), the first of the guest frames it keeps free for calls
 * that take frames (populate_physmap, add_to_physmap ...: frames of its
 * own RAM, which a call could take from under it, are never handed
 * out), and an address with no mapping.  Then, each time data/fuzz/op
 * changes, it reads
 *
 *	SEQ NR A1 A2 A3 A4 A5 SEED MODE HEX
 *
 * (decimal but HEX: the structure's bytes), copies the structure to
 * its page, fills the scratch pages from SEED (MODE 1: with frame
 * numbers, each one of the 256 spare frames), makes hypercall NR with
 * A1..A5 and writes "SEQ RC" to data/fuzz/done.
 *
 * A call may wreck this guest (a port it needs closed, its shared_info
 * moved): that is the guest's business, not Xen's, and dom0 restarts
 * it.  Only what happens to Xen and dom0 is a finding.
 */
#include "xg_cmdline.h"
#include "xg_console.h"
#include "xg_fmt.h"
#include "xg_hcall.h"
#include "xg_shutdown.h"
#include "xg_string.h"
#include "xg_time.h"
#include "xg_xs.h"

#define PAGE		4096
#define SCRATCH_PAGES	4
#define SPARE_GFN	0x10000ULL	/* 256 MiB: above the guest's RAM,
					 * below the MMIO hole */
#define SPARE_FRAMES	256
#define BAD_ADDRESS	(1ULL << 40)	/* beyond the identity map */
#define HEX_MAX		(PAGE * 2)

static unsigned char area[(1 + 2 * SCRATCH_PAGES) * PAGE]
    __attribute__((aligned(PAGE)));
static struct xg_xs xs;
static char line[XENSTORE_PAYLOAD_MAX + 1];

/* Splitmix64: the scratch pages' bytes from the call's own seed. */
static uint64_t
mix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
fill_scratch(uint64_t seed, int gfns)
{
	uint64_t *w = (uint64_t *)(area + PAGE);

	for (size_t i = 0; i < SCRATCH_PAGES * PAGE / 8; i++) {
		uint64_t v = mix(&seed);

		w[i] = gfns ? SPARE_GFN + (v & (SPARE_FRAMES - 1)) : v;
	}
}

/* A decimal number at *s, which moves past it and one space; -1 when
 * there is none. */
static int
number(const char **s, uint64_t *v)
{
	const char *p = *s;

	*v = 0;
	if (*p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9')
		*v = *v * 10 + (uint64_t)(*p++ - '0');
	if (*p == ' ')
		p++;
	*s = p;
	return 0;
}

static int
hexdigit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ?
	    c - 'a' + 10 : -1;
}

/* The structure's bytes into the argument page, the rest zero. */
static int
structure(const char *s)
{
	size_t n = strlen(s), i;

	if (n % 2 != 0 || n > HEX_MAX)
		return -1;
	memset(area, 0, PAGE);
	for (i = 0; i < n / 2; i++) {
		int hi = hexdigit(s[2 * i]), lo = hexdigit(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		area[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* Make the call s names (the line after its sequence number). */
static long
call(struct xg *xg, const char *s)
{
	uint64_t nr, a[5], seed, mode;

	if (number(&s, &nr) < 0 || nr >= PAGE / 32)
		xg_panic(xg, "xk-guest-fuzz: bad call: %s", line);
	for (int i = 0; i < 5; i++)
		if (number(&s, &a[i]) < 0)
			xg_panic(xg, "xk-guest-fuzz: bad call: %s", line);
	if (number(&s, &seed) < 0 || number(&s, &mode) < 0 ||
	    structure(s) < 0)
		xg_panic(xg, "xk-guest-fuzz: bad call: %s", line);
	fill_scratch(seed, mode == 1);
	return xg_hcall5((unsigned int)nr, a[0], a[1], a[2], a[3], a[4]);
}

static void
publish(struct xg *xg)
{
	char ready[128];

	xg_snprintf(ready, sizeof(ready), "arg=%llx scratch=%llx spare=%llx "
	    "bad=%llx", (unsigned long long)(uintptr_t)area,
	    (unsigned long long)(uintptr_t)(area + PAGE), SPARE_GFN,
	    BAD_ADDRESS);
	if (xg_xs_watch(&xs, "data/fuzz/op", "op") < 0 ||
	    xg_xs_write(&xs, 0, "data/fuzz/ready", ready) < 0)
		xg_panic(xg, "xk-guest-fuzz: xenstore: %s", xs.err);
}

void
xg_main(struct xg *xg)
{
	char path[64], token[8], done[48];
	uint64_t seq, last = 0;

	if (xg->mode != XG_PVH)
		xg_panic(xg, "xk-guest-fuzz: boot me as PVH");
	if (xg_xs_init(&xs, xg) < 0)
		xg_panic(xg, "xk-guest-fuzz: no xenstore ring");
	publish(xg);
	for (;;) {
		const char *s = line;
		long rc;

		xg_xs_next_event(&xs, path, sizeof(path), token,
		    sizeof(token), 0);
		if (xg_xs_read(&xs, 0, "data/fuzz/op", line, sizeof(line)) < 0)
			continue;	/* the watch's first event: no call yet */
		if (number(&s, &seq) < 0)
			xg_panic(xg, "xk-guest-fuzz: bad call: %s", line);
		if (seq == last)
			continue;	/* a second event for the same call */
		last = seq;
		rc = call(xg, s);
		xg_snprintf(done, sizeof(done), "%llu %ld",
		    (unsigned long long)seq, rc);
		if (xg_xs_write(&xs, 0, "data/fuzz/done", done) < 0)
			xg_panic(xg, "xk-guest-fuzz: xenstore: %s", xs.err);
	}
}
