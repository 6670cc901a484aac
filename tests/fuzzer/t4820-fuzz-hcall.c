/*
 * t4820-fuzz-hcall - the hypercall engine without Xen: its table fits
 * Xen's structures, the generator draws every call, mostly valid
 * arguments and the edges too, never dom0 where the table forbids it,
 * and its lines read back to the same calls; the serial log reader
 * names a panic and takes back the operation lines the control
 * channel lost; the shrinker's slice follows a call's slot; coverage
 * guidance keeps what adds edges and mutates it into inputs the log
 * reads back.
 */
#include <stdlib.h>
#include <string.h>

#include <xenctrl.h>

#include "fuzz/guide.h"
#include "fuzz/hcall.h"
#include "fuzz/oplog.h"
#include "fuzz/serial.h"
#include "lab/serial.h"
#include "fuzz/shrink.h"
#include "harness.h"

/* Where a call's arguments may go: its structure's size. */
static size_t
room(const struct xk_hc_call *c)
{
	switch (c->layout) {
	case XK_HC_DOMCTL:
		return sizeof(((struct xen_domctl *)0)->u);
	case XK_HC_SYSCTL:
		return sizeof(((struct xen_sysctl *)0)->u);
	case XK_HC_PLATFORM:
		return sizeof(((struct xen_platform_op *)0)->u);
	case XK_HC_PTR:
	case XK_HC_PTR1:
	case XK_HC_VCPU:
		return c->size;
	case XK_HC_CMDBUF:
	case XK_HC_REGS:
		return 0;
	}
	return 0;
}

TEST(table_fits_xen)
{
	for (size_t i = 0; i < xk_hc_ncalls(); i++) {
		const struct xk_hc_call *c = xk_hc_call(i);

		CHECK(c->weight > 0);
		CHECK(xk_hc_find(c->name, strlen(c->name)) == (int)i);
		if (c->creates || c->destroys)	/* the slot is the header's */
			CHECK(c->a[0].kind == XK_HC_DOM &&
			    c->a[0].off == XK_HC_HDR_DOM);
		for (int j = 0; j < xk_hc_nargs(i); j++) {
			const struct xk_hc_arg *a = &c->a[j];

			CHECK(a->size == 1 || a->size == 2 || a->size == 4 ||
			    a->size == 8);
			CHECK(a->lo <= a->hi);
			if (a->kind == XK_HC_BUF)
				CHECK(a->size == 8);
			if (a->off != XK_HC_HDR_DOM && a->off != XK_HC_REG &&
			    c->layout != XK_HC_CMDBUF)
				CHECK(a->off + a->size <= room(c));
			/* registers only where the layout has them */
			if (c->layout == XK_HC_REGS || (c->layout ==
			    XK_HC_VCPU && j == 0))
				CHECK(a->off == XK_HC_REG);
			else if (c->layout != XK_HC_CMDBUF)
				CHECK(a->off != XK_HC_REG);
			/* a frame only where a guest resolves it */
			if (a->kind == XK_HC_GFN || (a->kind == XK_HC_BUF &&
			    a->hi == XK_HC_GFNS))
				CHECK(c->guest);
		}
		/* the guest's calls: after dom0's, named so, no slots */
		CHECK(c->guest == (strncmp(c->name, "guest.", 6) == 0));
		if (c->guest)
			CHECK(!c->creates && !c->destroys &&
			    c->layout != XK_HC_DOMCTL && c->layout !=
			    XK_HC_SYSCTL && c->layout != XK_HC_PLATFORM);
		if (i > 0)
			CHECK(!xk_hc_call(i - 1)->guest || c->guest);
	}
	CHECK(xk_hc_find("domctl.setdomainhandle", 22) == -1);	/* left out */
	CHECK(xk_hc_call(xk_hc_ncalls()) == NULL);
}

static int
fits(const struct xk_hc_arg *a, uint64_t v)
{
	return a->kind != XK_HC_NUM || (v >= a->lo && v <= a->hi);
}

/* Draw n calls from seed as a log's text; count what was drawn. */
static char *
draw(bool guest, uint64_t seed, size_t n, int *calls, size_t *valid,
    size_t *edges, size_t *slots, size_t *dom0_bad)
{
	struct strbuf sb = STRBUF_INIT;
	struct xk_fuzz_op op;
	struct xk_prng p;

	xk_prng_seed(&p, seed);
	xk_oplog_header(guest ? "guest" : "hypercall", seed, &sb);
	for (size_t i = 0; i < n; i++) {
		const struct xk_hc_call *c;
		int all = 1;

		memset(&op, 0, sizeof(op));
		op.verb = XK_OP_HCALL;
		xk_hc_generate(&p, guest, &op.call, op.arg);
		c = xk_hc_call(op.call);
		calls[op.call]++;
		for (int j = 0; j < xk_hc_nargs(op.call); j++) {
			all &= fits(&c->a[j], op.arg[j]);
			*edges += c->a[j].kind == XK_HC_NUM &&
			    (op.arg[j] == c->a[j].hi + 1 ||
			    op.arg[j] + 1 == c->a[j].lo);
			*slots += c->a[j].kind == XK_HC_DOM &&
			    op.arg[j] >= XK_HC_SLOT(1);
			*dom0_bad += c->a[j].kind == XK_HC_DOM && !c->dom0_ok &&
			    (op.arg[j] == 0 || op.arg[j] == DOMID_SELF);
		}
		*valid += all;
		xk_oplog_format(&op, &sb);
	}
	return strbuf_detach(&sb);
}

TEST(generate_roundtrip)
{
	int calls[128] = { 0 }, calls2[128] = { 0 };
	size_t valid = 0, edges = 0, slots = 0, dom0 = 0, x = 0;
	char *a = draw(false, 5, 20000, calls, &valid, &edges, &slots, &dom0);
	char *b = draw(false, 5, 20000, calls2, &x, &x, &x, &x);
	struct strbuf again = STRBUF_INIT;
	struct xk_error err = { 0 };
	struct xk_oplog log;

	CHECK(xk_hc_ncalls() <= XK_HC_CALLS_MAX);	/* the counters' */
	CHECK_STR_EQ(a, b);			/* the seed alone decides */
	for (size_t i = 0; i < xk_hc_ncalls(); i++)	/* every one of dom0's */
		CHECK(xk_hc_call(i)->guest ? calls[i] == 0 : calls[i] > 0);
	CHECK(valid > 20000 / 2);		/* most are valid... */
	CHECK(valid < 20000 * 9 / 10);		/* ...not all */
	CHECK(edges > 500);			/* one past the range */
	CHECK(slots > 10000);
	CHECK_INT_EQ(dom0, 0);
	CHECK(xk_oplog_parse(a, strlen(a), "gen", &log, &err) == 0);
	CHECK_INT_EQ(log.n, 20000);
	CHECK(xk_oplog_is_hcall(&log));
	xk_oplog_header("hypercall", 5, &again);
	for (size_t i = 0; i < log.n; i++)
		xk_oplog_format(&log.ops[i], &again);
	CHECK_STR_EQ(strbuf_str(&again), a);
	strbuf_free(&again);
	xk_oplog_free(&log);
	free(a);
	free(b);
}

/* The guest engine's: only the guest's calls, every one of them; its
 * own domain mostly, never a slot; frames spare or far; frame lists. */
TEST(generate_guest)
{
	int calls[128] = { 0 };
	size_t valid = 0, edges = 0, slots = 0, dom0 = 0, self = 0, far = 0,
	    gfns = 0;
	char *a = draw(true, 7, 20000, calls, &valid, &edges, &slots, &dom0);
	struct xk_error err = { 0 };
	struct xk_oplog log;

	for (size_t i = 0; i < xk_hc_ncalls(); i++)
		CHECK(xk_hc_call(i)->guest ? calls[i] > 0 : calls[i] == 0);
	CHECK_INT_EQ(slots, 0);
	CHECK(valid > 20000 / 2 && valid < 20000 * 9 / 10);
	CHECK(xk_oplog_parse(a, strlen(a), "gen", &log, &err) == 0);
	CHECK(xk_oplog_is_guest(&log) && xk_oplog_is_hcall(&log));
	for (size_t i = 0; i < log.n; i++) {
		const struct xk_hc_call *c = xk_hc_call(log.ops[i].call);

		for (int j = 0; j < xk_hc_nargs(log.ops[i].call); j++) {
			uint64_t v = log.ops[i].arg[j];

			self += c->a[j].kind == XK_HC_DOM && v == DOMID_SELF;
			gfns += c->a[j].kind == XK_HC_BUF && v == XK_HC_GFNS;
			if (c->a[j].kind == XK_HC_GFN) {
				CHECK(v < XK_HC_SPARE || v >= XK_HC_FAR_GFN);
				far += v >= XK_HC_FAR_GFN;
			}
		}
	}
	CHECK(self > 5000 && far > 100 && gfns > 1000);
	xk_oplog_free(&log);
	free(a);
}

/* A log's engine and its calls must agree; a guest's frame is spare
 * or far, never one of its own. */
TEST(guest_log_checks)
{
	static const char *const bad[] = {
	    "xk-fuzz-log 1 engine=hypercall seed=1\n"
	    "hc guest.evtchn.send port=1\n",
	    "xk-fuzz-log 1 engine=guest seed=1\n"
	    "hc domctl.getdomaininfo dom=@1\n",
	    "xk-fuzz-log 1 engine=guest seed=1\n"
	    "hc guest.memory.remove_from_physmap dom=32753 gpfn=300\n",
	    "xk-fuzz-log 1 engine=guest seed=1\n"
	    "hc guest.evtchn.status dom=@1 port=2\n",
	    "xk-fuzz-log 1 engine=guest seed=1\n"
	    "hc domctl.ioport_permission dom=@1 first_port=1 nr_ports=1 "
	    "allow=1\n",
	    "xk-fuzz-log 1 engine=hypercall seed=1\n"
	    "hc memory.increase_reservation dom=@1 extents=gfns nr=1 "
	    "order=0 flags=0x0\n",
	};
	static const char good[] = "xk-fuzz-log 1 engine=guest seed=1\n"
	    "hc guest.memory.remove_from_physmap dom=32753 gpfn=255\n"
	    "hc guest.gnttab.copy src=4294967296 src_dom=0 src_off=0 dest=3 "
	    "dest_dom=32753 len=8\n"
	    "hc guest.memory.populate_physmap dom=32753 extents=gfns nr=2 "
	    "order=0 flags=0x0\n";
	struct xk_error err = { 0 };
	struct xk_oplog log;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(xk_oplog_parse(bad[i], strlen(bad[i]), "t", &log,
		    &err) == -1);
		CHECK(strncmp(err.msg, "t:2:", 4) == 0);
	}
	CHECK(xk_oplog_parse(good, strlen(good), "t", &log, &err) == 0);
	CHECK_INT_EQ(log.n, 3);
	CHECK_INT_EQ(log.ops[0].arg[1], 255);
	CHECK(log.ops[1].arg[0] == XK_HC_FAR_GFN);
	CHECK_INT_EQ(log.ops[2].arg[1], XK_HC_GFNS);
	xk_oplog_free(&log);
}

#define HC "xk-fuzz-log 1 engine=hypercall seed=5\n"

/* A panic as a debug Xen 4.17 prints it (abridged from a lab run). */
static const char panic_text[] =
    "xk-fuzz op 14: hc domctl.max_mem dom=@1 max_memkb=5\r\n"
    "(XEN) [   30.535182] HVM d3 save: PIC\r\n"
    "(XEN) [   30.537574] ----[ Xen-4.17.5  x86_64  debug=y ]----\r\n"
    "(XEN) [   30.539419] RIP:    e008:[<ffff82d04033b5c8>] "
    "vpic.c#vpic_save+0x15/0xf5\r\n"
    "(XEN) [   30.552807]    [<ffff82d04033b5c8>] R vpic.c#vpic_save\r\n"
    "(XEN) [   30.555799] ****************************************\r\n"
    "(XEN) [   30.556062] Panic on CPU 0:\r\n"
    "(XEN) [   30.556211] FATAL PAGE FAULT\r\n"
    "(XEN) [   30.556354] [error_code=0000]\r\n";

TEST(serial_panic)
{
	char sig[256];

	CHECK(xk_serial_panic(panic_text, sig, sizeof(sig)) == 1);
	CHECK_STR_EQ(sig, "Xen panicked: FATAL PAGE FAULT (in "
	    "vpic.c#vpic_save)");
	CHECK(xk_serial_panic("(XEN) Panic on CPU 1:\n(XEN) Assertion "
	    "'s <= e' failed at common/rangeset.c:257\n", sig,
	    sizeof(sig)) == 1);
	CHECK_STR_EQ(sig, "Xen panicked: Assertion 's <= e' failed at "
	    "common/rangeset.c:257");
	/* panic() cuts a long message at 128 bytes: the first report of
	 * the same assertion is whole */
	CHECK(xk_serial_panic("(XEN) [ 1.6] Assertion '!memchr_inv(b->"
	    "ptr.buffer)' failed at common/xmalloc_tlsf.c:246\r\n"
	    "(XEN) [ 1.6] RIP:    e008:[<ffff82d04023e08b>] "
	    "xmem_pool_free+0x280/0x403\r\n(XEN) [ 1.7] Panic on CPU 0:\r\n"
	    "(XEN) [ 1.7] Assertion '!memchr_inv(b->ptr.buffer)' failed at "
	    "co*********\r\n", sig, sizeof(sig)) == 1);
	CHECK_STR_EQ(sig, "Xen panicked: Assertion '!memchr_inv(b->ptr."
	    "buffer)' failed at common/xmalloc_tlsf.c:246 (in "
	    "xmem_pool_free)");
	/* Debian's build names the file with its directory */
	CHECK(xk_serial_panic("(XEN) RIP:    e008:[<ffff82d04033b5c8>] "
	    "arch/x86/hvm/vpic.c#vpic_save+0x15/0xf5\n(XEN) Panic on CPU 0:\n"
	    "(XEN) FATAL PAGE FAULT\n", sig, sizeof(sig)) == 1);
	CHECK_STR_EQ(sig, "Xen panicked: FATAL PAGE FAULT (in "
	    "vpic.c#vpic_save)");
	CHECK(xk_serial_panic("(XEN) Panic on CPU 0:", sig,
	    sizeof(sig)) == 0);		/* cut before the reason */
	CHECK(xk_serial_panic("dom0 booted\nxk-guest: ok\n", sig,
	    sizeof(sig)) == 0);
	CHECK(xk_serial_panic("", sig, sizeof(sig)) == 0);
}

struct got {
	struct strbuf sb;
	int fail_at;
};

static int
take(const char *line, size_t len, void *arg)
{
	struct got *g = arg;

	if (g->fail_at-- == 0)
		return -1;
	return strbuf_add(&g->sb, line, len) == 0 &&
	    strbuf_addc(&g->sb, '|') == 0 ? 0 : -1;
}

TEST(serial_ops)
{
	static const char text[] =
	    "xk-fuzz op 3: hc xen_version cmd=1 arg=buf\r\n"
	    "[  12.1] some kernel line xk-fuzz op 4: hc sysctl.physinfo\n"
	    "xk-fuzz op 6: hc sysctl.sched_id\n"	/* after a gap */
	    "xk-fuzz op 5: hc domctl.getdomaininfo dom=@2\n"
	    "xk-fuzz op 6 hc missing colon\n"
	    "xk-fuzz op 6: hc domctl.resumedomain dom=@1\n"
	    "xk-fuzz op 7:";
	struct got g = { STRBUF_INIT, -1 };

	CHECK_INT_EQ(xk_fuzz_serial_ops(text, 4, take, &g), 3);
	CHECK_STR_EQ(strbuf_str(&g.sb), "hc sysctl.physinfo|hc "
	    "domctl.getdomaininfo dom=@2|hc domctl.resumedomain dom=@1|");
	strbuf_reset(&g.sb);
	CHECK_INT_EQ(xk_fuzz_serial_ops(text, 9, take, &g), 0);
	CHECK_INT_EQ(xk_fuzz_serial_ops(text, 0, take, &g), 0);
	g.fail_at = 1;
	CHECK_INT_EQ(xk_fuzz_serial_ops(text, 3, take, &g), -1);
	strbuf_free(&g.sb);
}

/* Fails while the last call and one call on its slot, a create, are
 * there: the slice keeps the slot's calls alone. */
static int
needs_create(const struct xk_fuzz_op *ops, size_t n, void *arg,
    struct xk_error *err)
{
	int create = 0;

	for (size_t i = 0; i + 1 < n; i++)
		create |= xk_hc_call(ops[i].call)->creates &&
		    ops[i].arg[0] == XK_HC_SLOT(2);
	return n > 0 && create && ops[n - 1].arg[1] == 77;
}

TEST(shrink_slice_by_slot)
{
	static const char text[] = HC
	    "hc domctl.createdomain dom=@2 flags=0x0 max_vcpus=1 grant_opts=1 "
	    "max_grant_frames=1 emulation=0x0\n"
	    "hc domctl.pausedomain dom=@1\n"
	    "hc domctl.getdomaininfo dom=@2\n"
	    "hc sysctl.physinfo\n"
	    "hc domctl.max_mem dom=@2 max_memkb=77\n";
	struct xk_error err = { 0 };
	struct xk_oplog log;
	size_t n, runs = 0;

	CHECK(xk_oplog_parse(text, strlen(text), "s", &log, &err) == 0);
	n = log.n;
	CHECK(xk_fuzz_shrink_slice(log.ops, &n, needs_create, NULL, &runs,
	    &err) == 0);
	CHECK_INT_EQ(n, 3);		/* @2's: create, getdomaininfo, max_mem */
	CHECK_INT_EQ(runs, 1);
	CHECK(xk_fuzz_shrink(log.ops, &n, needs_create, NULL, &runs, &err) ==
	    0);
	CHECK_INT_EQ(n, 2);
	xk_oplog_free(&log);
}

/* The pairs cut: the last call alone fails nothing here, the last with
 * the create before it does: found in the third test. */
TEST(shrink_pairs)
{
	static const char text[] = HC
	    "hc domctl.pausedomain dom=@1\n"
	    "hc domctl.createdomain dom=@2 flags=0x0 max_vcpus=1 grant_opts=1 "
	    "max_grant_frames=1 emulation=0x0\n"
	    "hc sysctl.physinfo\n"
	    "hc domctl.max_mem dom=@2 max_memkb=77\n";
	struct xk_error err = { 0 };
	struct xk_oplog log;
	size_t n, runs = 0;

	CHECK(xk_oplog_parse(text, strlen(text), "p", &log, &err) == 0);
	n = log.n;
	CHECK(xk_fuzz_shrink_pairs(log.ops, &n, needs_create, NULL, &runs,
	    &err) == 0);
	CHECK_INT_EQ(n, 2);
	CHECK_INT_EQ(runs, 3);
	CHECK(xk_hc_call(log.ops[0].call)->creates);
	CHECK(log.ops[1].arg[1] == 77);
	n = XK_SHRINK_PAIRS_MAX + 1;	/* too long: left to ddmin */
	runs = 0;
	CHECK(xk_fuzz_shrink_pairs(log.ops, &n, needs_create, NULL, &runs,
	    &err) == 0);
	CHECK_INT_EQ(runs, 0);
	xk_oplog_free(&log);
}

/* Edges standing for what an input reached: {base, ..., base+n-1}. */
static void
fake_edges(struct xk_edges *e, uint64_t base, size_t n)
{
	e->v = calloc(n, sizeof(*e->v));
	for (size_t i = 0; i < n; i++)
		e->v[i] = base + i;
	e->n = n;
}

/* The input as a log's text, read back: every operation a valid call. */
static bool
reads_back(const struct xk_fuzz_op *ops, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	struct xk_error err = { 0 };
	struct xk_oplog log;
	bool ok;

	xk_oplog_header("hypercall", 1, &sb);
	for (size_t i = 0; i < n; i++)
		xk_oplog_format(&ops[i], &sb);
	ok = xk_oplog_parse(strbuf_str(&sb), sb.len, "guide", &log, &err) == 0 &&
	    log.n == n;
	if (ok)
		xk_oplog_free(&log);
	strbuf_free(&sb);
	return ok;
}

TEST(guide_keeps_what_adds_edges)
{
	struct xk_guide g;
	struct xk_edges a, b, c;
	struct xk_error err = { 0 };
	struct xk_fuzz_op *ops;
	const char *how;
	size_t n, gain;

	xk_guide_init(&g, 9, 50, true);
	fake_edges(&a, 100, 10);	/* 100..109 */
	fake_edges(&b, 105, 10);	/* 105..114: 5 new */
	fake_edges(&c, 100, 15);	/* nothing new */
	CHECK(xk_guide_next(&g, &ops, &n, &how, &err) == 0);
	CHECK_STR_EQ(how, "fresh");	/* an empty corpus: nothing to mutate */
	CHECK_INT_EQ(n, 50);
	CHECK(xk_guide_feedback(&g, ops, n, &a, NULL, &gain, &err) == 0);
	CHECK_INT_EQ(gain, 10);
	CHECK(xk_guide_feedback(&g, ops, n, &b, NULL, &gain, &err) == 0);
	CHECK_INT_EQ(gain, 5);
	CHECK(xk_guide_feedback(&g, ops, n, &c, NULL, &gain, &err) == 0);
	CHECK_INT_EQ(gain, 0);
	CHECK_INT_EQ(g.ncorpus, 2);
	CHECK_INT_EQ(g.known.n, 15);
	CHECK_INT_EQ(g.corpus[1].gain, 5);
	CHECK(xk_guide_feedback(&g, ops, 0, &(struct xk_edges){ &(uint64_t){ 7 },
	    1 }, NULL, &gain, &err) == -1);		/* not one of its inputs */
	CHECK_STR_HAS(err.msg, "an input of 0 operations");
	free(ops);
	xk_edges_free(&a);
	xk_edges_free(&b);
	xk_edges_free(&c);
	xk_guide_free(&g);
}

/* An input run twice: only the new edges both runs reached count (the
 * rest is noise), and everything either run reached is known after. */
TEST(guide_counts_edges_reached_twice)
{
	struct xk_guide g;
	struct xk_edges a, b, both = { 0 };
	struct xk_error err = { 0 };
	struct xk_fuzz_op *ops;
	const char *how;
	size_t n, gain;

	fake_edges(&a, 100, 10);	/* 100..109 */
	fake_edges(&b, 105, 10);	/* 105..114 */
	CHECK(xk_edges_intersect(&a, &b, &both, &err) == 0);
	CHECK_INT_EQ(both.n, 5);
	CHECK(both.v[0] == a.v[5] && both.v[4] == a.v[9]);
	CHECK(xk_edges_intersect(&a, &(struct xk_edges){ NULL, 0 }, &both,
	    &err) == 0);
	CHECK_INT_EQ(both.n, 0);
	xk_guide_init(&g, 9, 50, true);
	CHECK(xk_guide_next(&g, &ops, &n, &how, &err) == 0);
	CHECK(xk_guide_feedback(&g, ops, n, &a, &b, &gain, &err) == 0);
	CHECK_INT_EQ(gain, 5);			/* 105..109 */
	CHECK_INT_EQ(g.known.n, 15);		/* 100..114 */
	CHECK_INT_EQ(g.ncorpus, 1);
	/* noise alone (each run its own new edges): nothing kept */
	xk_edges_free(&a);
	xk_edges_free(&b);
	fake_edges(&a, 200, 3);
	fake_edges(&b, 300, 3);
	CHECK(xk_guide_feedback(&g, ops, n, &a, &b, &gain, &err) == 0);
	CHECK_INT_EQ(gain, 0);
	CHECK_INT_EQ(g.ncorpus, 1);
	CHECK_INT_EQ(g.known.n, 21);
	free(ops);
	xk_edges_free(&a);
	xk_edges_free(&b);
	xk_edges_free(&both);
	xk_guide_free(&g);
}

/* 400 inputs from a guide whose corpus holds 3: how each was made,
 * each read back, each derived from the corpus where mutated. */
static void
guide_draws(uint64_t seed, bool guided, size_t made[4], bool *all_read,
    bool *derived, char **trace)
{
	static const char *const kinds[4] = { "fresh", "replace", "tail",
	    "splice" };
	struct strbuf sb = STRBUF_INIT;
	struct xk_error err = { 0 };
	struct xk_guide g;
	struct xk_fuzz_op *ops;
	struct xk_edges e;
	const char *how;
	size_t n, gain;

	xk_guide_init(&g, seed, 30, guided);
	for (int k = 0; k < 3; k++) {
		xk_guide_next(&g, &ops, &n, &how, &err);
		fake_edges(&e, 1000u * (unsigned)k, 5);
		xk_guide_feedback(&g, ops, n, &e, NULL, &gain, &err);
		xk_edges_free(&e);
		free(ops);
	}
	*all_read = true;
	*derived = true;
	for (int i = 0; i < 400; i++) {
		if (xk_guide_next(&g, &ops, &n, &how, &err) == -1)
			break;
		for (int k = 0; k < 4; k++)
			if (strcmp(how, kinds[k]) == 0)
				made[k]++;
		if (n == 0 || n > 30 || !reads_back(ops, n))
			*all_read = false;
		/* a mutation's first operation is a corpus entry's, or
		 * one drawn afresh in its place (replace, tail at 0) */
		if (strcmp(how, "splice") == 0) {
			bool from = false;

			for (size_t c = 0; c < g.ncorpus; c++)
				from |= memcmp(&ops[0], &g.corpus[c].ops[0],
				    sizeof(*ops)) == 0;
			*derived &= from;
		}
		strbuf_addf(&sb, "%s %u;", how, ops[0].call);
		free(ops);
	}
	*trace = strbuf_detach(&sb);
	xk_guide_free(&g);
}

TEST(guide_mutates_the_corpus)
{
	size_t made[4] = { 0 }, made2[4] = { 0 }, plain[4] = { 0 };
	bool all_read, derived, x;
	char *a, *b, *c;

	guide_draws(3, true, made, &all_read, &derived, &a);
	guide_draws(3, true, made2, &x, &x, &b);
	CHECK_STR_EQ(a, b);		/* seed and feedback decide */
	CHECK(all_read);
	CHECK(derived);
	CHECK(made[0] > 50 && made[0] < 150);	/* about one in four */
	CHECK(made[1] > 50);
	CHECK(made[2] > 50);
	CHECK(made[3] > 50);
	guide_draws(3, false, plain, &all_read, &x, &c);
	CHECK_INT_EQ(plain[0], 400);	/* unguided: fresh only */
	CHECK(all_read);
	free(a);
	free(b);
	free(c);
}
