/*
 * t4800-fuzz - lib/fuzz without Xen: the PRNG gives the reference
 * numbers, the log reads back what it writes and refuses bad lines
 * with LINE:COLUMN, the generator only draws what the model accepts,
 * and the shrinker finds a 1-minimal failing subsequence; the hypercall
 * engine's lines are refused where a call would stop the host.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz/model.h"
#include "fuzz/oplog.h"
#include "fuzz/prng.h"
#include "fuzz/shrink.h"
#include "harness.h"

/* xoshiro256** from state {1, 2, 3, 4}: the first outputs of the
 * authors' reference code (prng.di.unimi.it), as other ports test. */
TEST(xoshiro_reference)
{
	static const uint64_t want[] = { 11520, 0, 1509978240,
	    1215971899390074240ULL };
	struct xk_prng p = { { 1, 2, 3, 4 } };

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		CHECK(xk_prng_next(&p) == want[i]);
}

TEST(same_seed_same_numbers)
{
	struct xk_prng a, b, c;
	int differ = 0;

	xk_prng_seed(&a, 42);
	xk_prng_seed(&b, 42);
	xk_prng_seed(&c, 43);
	for (int i = 0; i < 1000; i++) {
		uint64_t x = xk_prng_next(&a);

		CHECK(x == xk_prng_next(&b));
		differ += x != xk_prng_next(&c);
	}
	CHECK(differ > 990);
}

TEST(range_bounds_and_spread)
{
	struct xk_prng p;
	int seen[7] = { 0 };

	xk_prng_seed(&p, 7);
	for (int i = 0; i < 7000; i++) {
		uint64_t v = xk_prng_range(&p, 3, 9);

		CHECK(v >= 3 && v <= 9);
		seen[v - 3]++;
	}
	for (int i = 0; i < 7; i++)
		CHECK(seen[i] > 700 && seen[i] < 1300);
	CHECK(xk_prng_range(&p, 5, 5) == 5);
}

/* Every generated operation is accepted, and its line reads back to
 * the same operation; the same seed draws the same log. */
static char *
generate_log(uint64_t seed, size_t n, int *bad)
{
	struct strbuf sb = STRBUF_INIT;
	struct xk_fuzz_model m;
	struct xk_fuzz_op op;
	struct xk_prng p;

	*bad = 0;
	xk_fuzz_model_init(&m);
	xk_prng_seed(&p, seed);
	xk_oplog_header("toolstack", seed, &sb);
	for (size_t i = 0; i < n; i++) {
		xk_fuzz_generate(&m, &p, &op);
		if (xk_fuzz_model_refuses(&m, &op) != NULL)
			(*bad)++;
		xk_fuzz_model_apply(&m, &op);
		xk_oplog_format(&op, &sb);
	}
	return strbuf_detach(&sb);
}

TEST(generate_roundtrip)
{
	struct xk_error err = { 0 };
	struct xk_oplog log;
	int bad, bad2, verbs[XK_OP_NVERBS] = { 0 };
	char *a = generate_log(99, 2000, &bad), *b = generate_log(99, 2000,
	    &bad2);
	struct strbuf again = STRBUF_INIT;

	CHECK_INT_EQ(bad, 0);
	CHECK_STR_EQ(a, b);
	CHECK(xk_oplog_parse(a, strlen(a), "gen", &log, &err) == 0);
	CHECK_INT_EQ(log.n, 2000);
	CHECK(log.seed == 99);
	xk_oplog_header("toolstack", 99, &again);
	for (size_t i = 0; i < log.n; i++) {
		xk_oplog_format(&log.ops[i], &again);
		verbs[log.ops[i].verb]++;
	}
	CHECK_STR_EQ(strbuf_str(&again), a);
	for (int v = 0; v < XK_OP_HCALL; v++)	/* the toolstack's verbs */
		CHECK(verbs[v] > 0);	/* every verb is drawn */
	CHECK_INT_EQ(verbs[XK_OP_HCALL], 0);
	strbuf_free(&again);
	xk_oplog_free(&log);
	free(a);
	free(b);
}

static void
parse_err(const char *text, char *msg, size_t len)
{
	struct xk_error err = { 0 };
	struct xk_oplog log;

	if (xk_oplog_parse(text, strlen(text), "L", &log, &err) == 0) {
		xk_oplog_free(&log);
		snprintf(msg, len, "accepted");
		return;
	}
	snprintf(msg, len, "%s", err.msg);
}

#define HDR "xk-fuzz-log 1 engine=toolstack seed=5\n"

TEST(bad_logs)
{
	char m[XK_ERROR_MAX];
	char *longl = malloc(400);

	parse_err("", m, sizeof(m));
	CHECK_STR_HAS(m, "L:1:1: empty log");
	parse_err("hello\n", m, sizeof(m));
	CHECK_STR_HAS(m, "L:1:1: not an xk fuzz log");
	parse_err("xk-fuzz-log 1 engine=trinity seed=5\n", m, sizeof(m));
	CHECK_STR_HAS(m, "unknown engine");
	parse_err("xk-fuzz-log 1 engine=toolstack seed=99999999999999999999\n",
	    m, sizeof(m));
	CHECK_STR_HAS(m, "bad seed");
	parse_err(HDR "frobnicate d1\n", m, sizeof(m));
	CHECK_STR_HAS(m, "L:2:1: unknown operation 'frobnicate'");
	parse_err(HDR "pause d9\n", m, sizeof(m));
	CHECK_STR_HAS(m, "L:2:7: want a domain d0 to d7");
	parse_err(HDR "# c\nmem d1 target=9999\n", m, sizeof(m));
	CHECK_STR_HAS(m, "L:3:15: target: want a number from 64 to 1024");
	parse_err(HDR "create d0 mem=256 maxmem=128 vcpus=1 maxvcpus=1 "
	    "paused=0\n", m, sizeof(m));
	CHECK_STR_HAS(m, "mem is above maxmem");
	parse_err(HDR "pause d1 d2\n", m, sizeof(m));
	CHECK_STR_HAS(m, "L:2:10: unexpected operand");
	parse_err(HDR "sched d1 weight=5\n", m, sizeof(m));
	CHECK_STR_HAS(m, "missing cap=N");
	parse_err(HDR "xs-write a//b v\n", m, sizeof(m));
	CHECK_STR_HAS(m, "want a key");
	parse_err(HDR "pause d1", m, sizeof(m));
	CHECK_STR_HAS(m, "L:2:9: no newline");
	parse_err(HDR "pause d01\n", m, sizeof(m));
	CHECK_STR_HAS(m, "want a domain");
	parse_err(HDR "disk-attach d1 ro=1\n", m, sizeof(m));
	CHECK_STR_HAS(m, "L:2:16: unexpected operand");
	parse_err(HDR "disk-detach\n", m, sizeof(m));
	CHECK_STR_HAS(m, "L:2:12: missing domain (d0 to d7)");
	memset(longl, 'x', 399);
	memcpy(longl, HDR, strlen(HDR));
	longl[398] = '\n';
	longl[399] = '\0';
	parse_err(longl, m, sizeof(m));
	CHECK_STR_HAS(m, "L:2:257: line too long");
	free(longl);
}

/* The model: xenstore's parents and removals, pause counts. */
#define HC "xk-fuzz-log 1 engine=hypercall seed=5\n"

/* the hypercall engine's lines (the calls: t4820) */
TEST(bad_calls)
{
	char m[XK_ERROR_MAX];

	parse_err(HC "hc domctl.getdomaininfo dom=0\n", m, sizeof(m));
	CHECK_STR_EQ(m, "accepted");	/* read-only: dom0 allowed */
	parse_err(HC "hc domctl.max_mem dom=32752 max_memkb=1\n", m,
	    sizeof(m));			/* DOMID_SELF is dom0 */
	CHECK_STR_HAS(m, "L:2:23: dom: this call is not made on dom0");
	parse_err(HC "hc domctl.max_mem dom=@1 max_memkb=0x\n", m, sizeof(m));
	CHECK_STR_HAS(m, "max_memkb: want a number");
	parse_err(HC "hc domctl.max_mem dom=@1 max_memkb=018\n", m, sizeof(m));
	CHECK_STR_HAS(m, "max_memkb: want a number");
	parse_err(HC "hc domctl.setdebugging dom=@1 enable=256\n", m,
	    sizeof(m));			/* a uint8_t */
	CHECK_STR_HAS(m, "enable: want a number that fits");
	parse_err(HC "hc domctl.destroydomain dom=7\n", m, sizeof(m));
	CHECK_STR_EQ(m, "accepted");	/* a raw domid is a raw domid */
	parse_err(HC "hc domctl.createdomain dom=7 flags=0x0 max_vcpus=1 "
	    "grant_opts=1 max_grant_frames=1 emulation=0x0\n", m, sizeof(m));
	CHECK_STR_HAS(m, "dom: want a slot @1 to @3");
	parse_err(HC "hc xen_version cmd=1 arg=buf extra=1\n", m, sizeof(m));
	CHECK_STR_HAS(m, "unexpected operand");
	parse_err(HC "hc xen_version arg=buf cmd=1\n", m, sizeof(m));
	CHECK_STR_HAS(m, "want cmd=");
	parse_err(HC "hc\n", m, sizeof(m));
	CHECK_STR_HAS(m, "hc: missing the call's name");
	parse_err(HC "hc xen_version cmd=18446744073709551616 arg=buf\n", m,
	    sizeof(m));
	CHECK_STR_HAS(m, "cmd: want a number");
}

TEST(model_rules)
{
	struct xk_fuzz_model m;
	struct xk_fuzz_op op = { .verb = XK_OP_XS_WRITE, .key = "k1/s2",
	    .val = "v" };

	xk_fuzz_model_init(&m);
	CHECK(!xk_fuzz_model_rm_ok(&m, "k1/s2"));	/* no parent */
	CHECK(xk_fuzz_model_rm_ok(&m, "k1"));		/* the prefix is */
	xk_fuzz_model_apply(&m, &op);
	CHECK_STR_EQ(xk_fuzz_model_node(&m, "k1")->val, "");
	CHECK_INT_EQ(m.nxs, 2);
	op = (struct xk_fuzz_op){ .verb = XK_OP_XS_RM, .key = "k1" };
	xk_fuzz_model_apply(&m, &op);
	CHECK_INT_EQ(m.nxs, 0);
	op = (struct xk_fuzz_op){ .verb = XK_OP_UNPAUSE, .dom = 3 };
	CHECK_STR_EQ(xk_fuzz_model_refuses(&m, &op), "no such domain");
	op = (struct xk_fuzz_op){ .verb = XK_OP_CREATE, .dom = 3, .mem = 128,
	    .maxmem = 128, .vcpus = 1, .maxvcpus = 2, .paused = 1 };
	xk_fuzz_model_apply(&m, &op);
	op = (struct xk_fuzz_op){ .verb = XK_OP_SHUTDOWN, .dom = 3 };
	CHECK_STR_EQ(xk_fuzz_model_refuses(&m, &op),
	    "paused: the guest cannot answer");
	op = (struct xk_fuzz_op){ .verb = XK_OP_UNPAUSE, .dom = 3 };
	CHECK(xk_fuzz_model_refuses(&m, &op) == NULL);
	xk_fuzz_model_apply(&m, &op);
	CHECK_STR_EQ(xk_fuzz_model_refuses(&m, &op), "not paused");
	op = (struct xk_fuzz_op){ .verb = XK_OP_SCHED, .dom = 3, .weight = 1,
	    .cap = 201 };
	CHECK(xk_fuzz_model_refuses(&m, &op) != NULL);
	/* a move to the other cpupool: new scheduler data there, the
	 * defaults; no move to the pool the domain is in */
	op.cap = 100;
	xk_fuzz_model_apply(&m, &op);
	op = (struct xk_fuzz_op){ .verb = XK_OP_POOL, .dom = 3, .pool = 0 };
	CHECK_STR_EQ(xk_fuzz_model_refuses(&m, &op), "in that cpupool already");
	op.pool = 1;
	CHECK(xk_fuzz_model_refuses(&m, &op) == NULL);
	xk_fuzz_model_apply(&m, &op);
	CHECK_INT_EQ(m.dom[3].pool, 1);
	CHECK_INT_EQ(m.dom[3].weight, 256);
	CHECK_INT_EQ(m.dom[3].cap, 0);
	/* one disk: attached once, detached only when attached */
	op = (struct xk_fuzz_op){ .verb = XK_OP_DISK_DETACH, .dom = 3 };
	CHECK_STR_EQ(xk_fuzz_model_refuses(&m, &op), "no disk attached");
	op.verb = XK_OP_DISK_ATTACH;
	CHECK(xk_fuzz_model_refuses(&m, &op) == NULL);
	xk_fuzz_model_apply(&m, &op);
	CHECK_INT_EQ(m.dom[3].disk, 1);
	CHECK_STR_EQ(xk_fuzz_model_refuses(&m, &op),
	    "its disk is attached already");
	op = (struct xk_fuzz_op){ .verb = XK_OP_DESTROY, .dom = 3 };
	xk_fuzz_model_apply(&m, &op);
	op = (struct xk_fuzz_op){ .verb = XK_OP_CREATE, .dom = 3, .mem = 128,
	    .maxmem = 128, .vcpus = 1, .maxvcpus = 1 };
	xk_fuzz_model_apply(&m, &op);
	CHECK_INT_EQ(m.dom[3].pool, 0);		/* a new domain: Pool-0 */
	CHECK_INT_EQ(m.dom[3].disk, 0);		/* and no disk */
}

/* save: PVH domains only (d4-d7), unpaused, not populate-on-demand;
 * the restored domain keeps all but its pool (libxl's finding 5) */
TEST(model_save)
{
	struct xk_fuzz_model m;
	struct xk_fuzz_op op = { .verb = XK_OP_CREATE, .dom = 3, .mem = 128,
	    .maxmem = 128, .vcpus = 1, .maxvcpus = 2 };

	xk_fuzz_model_init(&m);
	xk_fuzz_model_apply(&m, &op);
	op = (struct xk_fuzz_op){ .verb = XK_OP_SAVE, .dom = 3 };
	CHECK(strncmp(xk_fuzz_model_refuses(&m, &op), "a PV guest", 10) == 0);
	op = (struct xk_fuzz_op){ .verb = XK_OP_CREATE, .dom = 5, .mem = 128,
	    .maxmem = 160, .vcpus = 1, .maxvcpus = 2 };
	xk_fuzz_model_apply(&m, &op);
	op = (struct xk_fuzz_op){ .verb = XK_OP_SAVE, .dom = 5 };
	CHECK(strstr(xk_fuzz_model_refuses(&m, &op), "finding 4") != NULL);
	op = (struct xk_fuzz_op){ .verb = XK_OP_DESTROY, .dom = 5 };
	xk_fuzz_model_apply(&m, &op);
	op = (struct xk_fuzz_op){ .verb = XK_OP_CREATE, .dom = 5, .mem = 160,
	    .maxmem = 160, .vcpus = 1, .maxvcpus = 2, .paused = 1 };
	xk_fuzz_model_apply(&m, &op);
	op = (struct xk_fuzz_op){ .verb = XK_OP_SAVE, .dom = 5 };
	CHECK_STR_EQ(xk_fuzz_model_refuses(&m, &op),
	    "paused: the guest cannot answer");
	m.dom[5].pauses = 0;
	m.dom[5].pool = 1;
	m.dom[5].disk = 1;
	m.dom[5].target = 144;
	m.dom[5].weight = 7;
	CHECK(xk_fuzz_model_refuses(&m, &op) == NULL);
	xk_fuzz_model_apply(&m, &op);
	CHECK_INT_EQ(m.dom[5].state, XK_DOM_LIVE);
	CHECK_INT_EQ(m.dom[5].pool, 0);
	CHECK_INT_EQ(m.dom[5].disk, 1);
	CHECK_INT_EQ(m.dom[5].target, 144);
	CHECK_INT_EQ(m.dom[5].weight, 7);
}

/* The shrinker against a known cause: the "failure" needs ops 3, 17
 * and 31 of 40 (in order); it must find exactly those. */
static int
needs_three(const struct xk_fuzz_op *ops, size_t n, void *arg,
    struct xk_error *err)
{
	int want[] = { 3, 17, 31 }, k = 0;

	(void)err;
	(*(int *)arg)++;
	for (size_t i = 0; i < n && k < 3; i++)
		if (ops[i].weight == (uint32_t)want[k])
			k++;
	return k == 3;
}

TEST(shrink_minimal)
{
	struct xk_fuzz_op ops[40];
	struct xk_error err = { 0 };
	size_t n = 40, runs;
	int calls = 0;

	for (int i = 0; i < 40; i++)
		ops[i] = (struct xk_fuzz_op){ .verb = XK_OP_SCHED,
		    .weight = (uint32_t)i };
	runs = 0;
	CHECK(xk_fuzz_shrink(ops, &n, needs_three, &calls, &runs, &err) == 0);
	CHECK_INT_EQ(n, 3);
	CHECK_INT_EQ(ops[0].weight, 3);
	CHECK_INT_EQ(ops[1].weight, 17);
	CHECK_INT_EQ(ops[2].weight, 31);
	CHECK_INT_EQ(runs, calls);
	CHECK(runs < 200);
}

/* A flaky failure: the sequences needs_three accepts fail only on
 * every third run (arg counts the runs). */
static int
needs_three_flaky(const struct xk_fuzz_op *ops, size_t n, void *arg,
    struct xk_error *err)
{
	int fails = needs_three(ops, n, arg, err);

	return fails && *(int *)arg % 3 == 0;
}

TEST(shrink_flaky)
{
	struct xk_fuzz_op ops[40];
	struct xk_error err = { 0 };
	int calls = 0;
	struct xk_shrink_flaky f = { needs_three_flaky, &calls, 3 };
	size_t n = 40, runs = 0;

	for (int i = 0; i < 40; i++)
		ops[i] = (struct xk_fuzz_op){ .verb = XK_OP_SCHED,
		    .weight = (uint32_t)i };
	/* three tries of each candidate: the same 1-minimal result as a
	 * failure that always comes */
	CHECK(xk_fuzz_shrink(ops, &n, xk_shrink_flaky_test, &f, &runs,
	    &err) == 0);
	CHECK_INT_EQ(n, 3);
	CHECK_INT_EQ(ops[0].weight, 3);
	CHECK_INT_EQ(ops[1].weight, 17);
	CHECK_INT_EQ(ops[2].weight, 31);
	CHECK(calls > (int)runs);	/* passing candidates ran 3 times */
	/* one try: most failing candidates pass by chance, and the
	 * result is not minimal */
	for (int i = 0; i < 40; i++)
		ops[i] = (struct xk_fuzz_op){ .verb = XK_OP_SCHED,
		    .weight = (uint32_t)i };
	n = 40;
	calls = 1;
	f.tries = 1;
	CHECK(xk_fuzz_shrink(ops, &n, xk_shrink_flaky_test, &f, &runs,
	    &err) == 0);
	CHECK(n > 3);
}

/* The domain slice: a failure that needs only the last op's domain is
 * cut to its operations in one test; one that needs more is left. */
static int
needs_d2(const struct xk_fuzz_op *ops, size_t n, void *arg,
    struct xk_error *err)
{
	size_t d2 = 0, xs = 0;

	(void)err;
	for (size_t i = 0; i < n; i++) {
		xs += ops[i].verb == XK_OP_XS_WRITE;
		d2 += ops[i].verb != XK_OP_XS_WRITE && ops[i].dom == 2;
	}
	/* arg: does the failure need an xenstore write too? */
	return d2 == 4 && (!*(int *)arg || xs > 0);
}

static void
slice_ops(struct xk_fuzz_op *ops)
{
	for (int i = 0; i < 8; i++)
		ops[i] = i % 3 == 0 || i == 7 ? (struct xk_fuzz_op){
		    .verb = XK_OP_PAUSE, .dom = 2 } : (struct xk_fuzz_op){
		    .verb = i % 2 ? XK_OP_XS_WRITE : XK_OP_MEM, .dom = 1,
		    .key = "k" };
}

TEST(shrink_slice)
{
	struct xk_fuzz_op ops[8];
	struct xk_error err = { 0 };
	size_t n = 8, runs = 0;
	int needs_xs = 0;

	slice_ops(ops);
	CHECK(xk_fuzz_shrink_slice(ops, &n, needs_d2, &needs_xs, &runs,
	    &err) == 0);
	CHECK_INT_EQ(runs, 1);
	CHECK_INT_EQ(n, 4);
	for (size_t i = 0; i < n; i++)
		CHECK(ops[i].verb == XK_OP_PAUSE && ops[i].dom == 2);
	slice_ops(ops);
	n = 8;
	needs_xs = 1;
	CHECK(xk_fuzz_shrink_slice(ops, &n, needs_d2, &needs_xs, &runs,
	    &err) == 0);
	CHECK_INT_EQ(n, 8);
	CHECK_INT_EQ(ops[1].verb, XK_OP_XS_WRITE);
}
