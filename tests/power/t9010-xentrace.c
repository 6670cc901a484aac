/*
 * t9010-xentrace - the power cap's alignment measure from xentrace's
 * file (lib/power/xentrace.c) on traces built here record by record:
 * idle and all-idle time, the span every pCPU is known in, blocks in
 * any order, and malformed files refused with the offset.  The lab
 * reads real traces (tests/lab/t9520).
 */
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "power/xentrace.h"

#define IDLE 0x7fff
#define SWITCH (0x0002800au | 4u << 28 | 1u << 31)
#define LOST (0x0001f001u | 1u << 28 | 1u << 31)

struct tr {
	uint8_t b[8192];
	size_t n, blk;
};

static void
put32(struct tr *t, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		t->b[t->n++] = (uint8_t)(v >> 8 * i);
}

static void
block(struct tr *t, uint32_t cpu)
{
	put32(t, 0x0001f003u | 2u << 28);	/* TRC_TRACE_CPU_CHANGE */
	put32(t, cpu);
	t->blk = t->n;
	put32(t, 0);
}

static void
block_end(struct tr *t)
{
	uint32_t size = (uint32_t)(t->n - t->blk - 4);

	for (int i = 0; i < 4; i++)
		t->b[t->blk + i] = (uint8_t)(size >> 8 * i);
}

/* a switch on the current block's pCPU at TSC from domain PREV to NEXT */
static void
sw(struct tr *t, uint64_t tsc, uint32_t prev, uint32_t next)
{
	put32(t, SWITCH);
	put32(t, (uint32_t)tsc);
	put32(t, (uint32_t)(tsc >> 32));
	put32(t, prev);
	put32(t, 0);
	put32(t, next);
	put32(t, 0);
}

/* a pCPU idle in [a, b) and [c, d), busy around, traced 0..1000 */
static void
cpu_idle_twice(struct tr *t, uint32_t cpu, uint64_t a, uint64_t b,
    uint64_t c, uint64_t d)
{
	block(t, cpu);
	sw(t, 0, IDLE, 1);
	sw(t, a, 1, IDLE);
	sw(t, b, IDLE, 1);
	sw(t, c, 1, IDLE);
	sw(t, d, IDLE, 2);
	sw(t, 1000, 2, 1);
	block_end(t);
}

static int
measure(struct tr *t, struct xk_xt_idle *m, struct xk_error *e)
{
	xk_error_clear(e);
	return xk_xt_idle_measure(t->b, t->n, m, e);
}

TEST(aligned_idle_is_all_idle)
{
	struct tr t = { 0 };
	struct xk_xt_idle m;
	struct xk_error e = { 0 };

	cpu_idle_twice(&t, 0, 100, 200, 500, 600);
	cpu_idle_twice(&t, 1, 100, 200, 500, 600);
	CHECK(measure(&t, &m, &e) == 0);
	CHECK_INT_EQ(m.cpus, 2);
	CHECK_INT_EQ(m.span, 1000);
	CHECK_INT_EQ(m.idle_sum, 400);
	CHECK_INT_EQ(m.all_idle, 200);
	CHECK_INT_EQ(m.switches, 12);
	CHECK_INT_EQ(m.lost, 0);
}

TEST(staggered_idle_is_not)
{
	struct tr t = { 0 };
	struct xk_xt_idle m;
	struct xk_error e = { 0 };

	cpu_idle_twice(&t, 0, 100, 200, 500, 600);
	cpu_idle_twice(&t, 3, 150, 250, 600, 700);	/* ids may be sparse */
	CHECK(measure(&t, &m, &e) == 0);
	CHECK_INT_EQ(m.cpus, 2);
	CHECK_INT_EQ(m.idle_sum, 400);
	CHECK_INT_EQ(m.all_idle, 50);	/* 150-200 only: 600 is an edge */
}

TEST(blocks_in_any_order_and_split)
{
	struct tr t = { 0 };
	struct xk_xt_idle m;
	struct xk_error e = { 0 };

	/* xentrace writes what each pCPU's buffer holds, a block at a
	 * time: a pCPU's records come in several blocks, interleaved */
	block(&t, 1);
	sw(&t, 0, IDLE, 1);
	sw(&t, 100, 1, IDLE);
	block_end(&t);
	block(&t, 0);
	sw(&t, 0, IDLE, 1);
	sw(&t, 100, 1, IDLE);
	sw(&t, 300, IDLE, 1);
	sw(&t, 1000, 1, 2);
	block_end(&t);
	block(&t, 1);
	sw(&t, 200, IDLE, 1);
	sw(&t, 1000, 1, 2);
	block_end(&t);
	CHECK(measure(&t, &m, &e) == 0);
	CHECK_INT_EQ(m.idle_sum, 300);
	CHECK_INT_EQ(m.all_idle, 100);
}

TEST(span_is_where_all_are_known)
{
	struct tr t = { 0 };
	struct xk_xt_idle m;
	struct xk_error e = { 0 };

	block(&t, 0);
	sw(&t, 0, 1, IDLE);	/* idle 0-1000: counts from 400 on */
	sw(&t, 1000, IDLE, 1);
	block_end(&t);
	block(&t, 1);
	sw(&t, 400, 1, IDLE);	/* first known at 400 */
	sw(&t, 800, IDLE, 1);	/* last at 800: the span ends */
	block_end(&t);
	CHECK(measure(&t, &m, &e) == 0);
	CHECK_INT_EQ(m.span, 400);
	CHECK_INT_EQ(m.idle_sum, 800);
	CHECK_INT_EQ(m.all_idle, 400);
}

TEST(other_records_skipped_lost_counted)
{
	struct tr t = { 0 };
	struct xk_xt_idle m;
	struct xk_error e = { 0 };

	block(&t, 0);
	sw(&t, 0, IDLE, 1);
	put32(&t, 0x00021234u | 3u << 28);	/* no TSC, 3 words */
	put32(&t, 1);
	put32(&t, 2);
	put32(&t, 3);
	put32(&t, LOST);
	put32(&t, 5);
	put32(&t, 0);
	put32(&t, 7);
	put32(&t, 0x0002800au | 1u << 28);	/* a switch too short */
	put32(&t, IDLE);
	sw(&t, 100, 1, IDLE);
	block_end(&t);
	CHECK(measure(&t, &m, &e) == 0);
	CHECK_INT_EQ(m.lost, 1);
	CHECK_INT_EQ(m.switches, 2);
	CHECK_INT_EQ(m.idle_sum, 0);
	CHECK_INT_EQ(m.span, 100);
}

TEST(malformed_refused_with_offset)
{
	struct tr t = { 0 };
	struct xk_xt_idle m;
	struct xk_error e = { 0 };

	put32(&t, 0x12345678);
	CHECK(measure(&t, &m, &e) == -1);
	CHECK_STR_HAS(e.msg, "offset 0: not a pCPU block's header");

	memset(&t, 0, sizeof(t));
	cpu_idle_twice(&t, 0, 100, 200, 500, 600);
	t.n -= 3;	/* the last block cut short */
	CHECK(measure(&t, &m, &e) == -1);
	CHECK_STR_HAS(e.msg, "offset 8: a block of 168 bytes, 165 left");

	memset(&t, 0, sizeof(t));
	block(&t, 0);
	sw(&t, 0, IDLE, 1);
	put32(&t, SWITCH);	/* says 6 words more, has none */
	block_end(&t);
	CHECK(measure(&t, &m, &e) == -1);
	CHECK_STR_HAS(e.msg, "offset 40: record 0x0002800a of 28 bytes "
	    "runs past its block's end");

	memset(&t, 0, sizeof(t));
	block(&t, 256);
	block_end(&t);
	CHECK(measure(&t, &m, &e) == -1);
	CHECK_STR_HAS(e.msg, "offset 4: pCPU 256 (at most 256)");
}

TEST(nothing_to_measure_refused)
{
	struct tr t = { 0 };
	struct xk_xt_idle m;
	struct xk_error e = { 0 };

	CHECK(measure(&t, &m, &e) == -1);
	CHECK_STR_HAS(e.msg, "0 switches on 0 pCPUs");
	block(&t, 0);
	sw(&t, 5, 1, IDLE);
	block_end(&t);
	CHECK(measure(&t, &m, &e) == -1);
	CHECK_STR_HAS(e.msg, "1 switches on 1 pCPUs");
	/* two pCPUs whose traced times do not meet */
	memset(&t, 0, sizeof(t));
	block(&t, 0);
	sw(&t, 0, 1, IDLE);
	sw(&t, 10, IDLE, 1);
	block_end(&t);
	block(&t, 1);
	sw(&t, 20, 1, IDLE);
	sw(&t, 30, IDLE, 1);
	block_end(&t);
	CHECK(measure(&t, &m, &e) == -1);
}

TEST(span_longer_than_a_day_refused)
{
	struct tr t = { 0 };
	struct xk_xt_idle m;
	struct xk_error e = { 0 };

	block(&t, 0);
	sw(&t, 1, 1, IDLE);
	sw(&t, (1ull << 48) + 2, IDLE, 1);
	block_end(&t);
	CHECK(measure(&t, &m, &e) == -1);
	CHECK_STR_HAS(e.msg, "a span of 281474976710657 TSC cycles");
}
