/*
 * t7006-guest-netring - netfront's side of the netif rings
 * (guest/lib/xg_netring.c), compiled for the host, with this test
 * playing the back end: it reads the requests the front end posts and
 * writes responses into the shared pages as netback would, and
 * responses no back end should write, which must break the rings or be
 * dropped, never be used.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "xg_netring.h"

#define PAGE 4096
#define RXN XG_NETRING_RX
#define TXN XG_NETRING_TX
#define RING_N 256	/* both rings in a page (netif.h) */

struct rig {
	struct xg_netring r;
	unsigned char *tx_page, *rx_page, *rx_buf, *tx_buf;
};

static void
rig_init(struct rig *g)
{
	g->tx_page = aligned_alloc(PAGE, PAGE);
	g->rx_page = aligned_alloc(PAGE, PAGE);
	g->rx_buf = aligned_alloc(PAGE, RXN * PAGE);
	g->tx_buf = aligned_alloc(PAGE, TXN * PAGE);
	if (!g->tx_page || !g->rx_page || !g->rx_buf || !g->tx_buf)
		abort();
	xg_netring_init(&g->r, g->tx_page, g->rx_page, g->rx_buf, g->tx_buf);
	for (unsigned int i = 0; i < RXN; i++)
		g->r.rx_ref[i] = 100 + i;
	for (unsigned int i = 0; i < TXN; i++)
		g->r.tx_ref[i] = 200 + i;
}

static void
rig_free(struct rig *g)
{
	free(g->tx_page);
	free(g->rx_page);
	free(g->rx_buf);
	free(g->tx_buf);
}

static volatile netif_rx_sring_t *
rxs(struct rig *g)
{
	return g->r.rxs;
}

/* The back end answers rx request slot IDX: LEN bytes of BYTE at
 * OFFSET in the buffer the request named, FLAGS; STATUS overrides LEN
 * as the status when not 0; the response's id is ID (-1: the
 * request's). */
static void
rx_answer(struct rig *g, RING_IDX idx, unsigned int off, int len,
    unsigned int flags, int id)
{
	volatile union netif_rx_sring_entry *e = &rxs(g)->ring[idx % RING_N];
	unsigned int req_id = e->req.id;

	if (len > 0 && off + (unsigned int)len <= PAGE)
		memset(g->rx_buf + req_id * PAGE + off, (int)(idx & 0xff),
		    (size_t)len);
	e->rsp.id = (uint16_t)(id < 0 ? (int)req_id : id);
	e->rsp.offset = (uint16_t)off;
	e->rsp.flags = (uint16_t)flags;
	e->rsp.status = (int16_t)len;
}

static void
rx_publish(struct rig *g, RING_IDX prod)
{
	rxs(g)->rsp_prod = prod;
}

TEST(posts_every_buffer_in_order)
{
	struct rig g;

	rig_init(&g);
	CHECK_INT_EQ(rxs(&g)->req_event, 1);
	/* the back end waits for the first request: an event */
	CHECK_INT_EQ(xg_netring_post_rx(&g.r, RXN), 1);
	CHECK_INT_EQ(rxs(&g)->req_prod, RXN);
	for (unsigned int i = 0; i < RXN; i++) {
		CHECK_INT_EQ(rxs(&g)->ring[i].req.id, i);
		CHECK_INT_EQ(rxs(&g)->ring[i].req.gref, 100 + i);
	}
	rig_free(&g);
}

TEST(receives_frames_and_reposts)
{
	struct rig g;
	unsigned char buf[2048];
	int notify;
	long n;

	rig_init(&g);
	xg_netring_post_rx(&g.r, RXN);
	CHECK_INT_EQ(xg_netring_recv(&g.r, buf, sizeof(buf), &notify), 0);
	/* nothing waiting: it asks for an event at the next response */
	CHECK_INT_EQ(rxs(&g)->rsp_event, 1);
	rx_answer(&g, 0, 10, 60, 0, -1);
	rx_answer(&g, 1, 0, 1514, NETRXF_data_validated, -1);
	/* the back end wants to hear of new requests again */
	rxs(&g)->req_event = RXN + 1;
	rx_publish(&g, 2);
	n = xg_netring_recv(&g.r, buf, sizeof(buf), &notify);
	CHECK_INT_EQ(n, 60);
	CHECK(buf[0] == 0 && buf[59] == 0);
	CHECK_INT_EQ(notify, 1);
	/* buffer 0 went back at once, as request 16 */
	CHECK_INT_EQ(rxs(&g)->req_prod, RXN + 1);
	CHECK_INT_EQ(rxs(&g)->ring[RXN].req.id, 0);
	CHECK_INT_EQ(rxs(&g)->ring[RXN].req.gref, 100);
	n = xg_netring_recv(&g.r, buf, sizeof(buf), &notify);
	CHECK_INT_EQ(n, 1514);
	CHECK(buf[0] == 1 && buf[1513] == 1);
	/* req_event is behind: no event needed for this one */
	CHECK_INT_EQ(notify, 0);
	CHECK_INT_EQ(xg_netring_recv(&g.r, buf, sizeof(buf), &notify), 0);
	CHECK_INT_EQ(rxs(&g)->rsp_event, 3);
	CHECK_INT_EQ(g.r.stats.rx_frames, 2);
	CHECK_INT_EQ(g.r.stats.rx_dropped, 0);
	rig_free(&g);
}

TEST(indexes_wrap)
{
	struct rig g;
	unsigned char buf[128];
	RING_IDX start = UINT32_MAX - 5;
	int notify;

	rig_init(&g);
	g.r.rx_prod = g.r.rx_cons = start;
	rxs(&g)->req_prod = rxs(&g)->rsp_prod = start;
	xg_netring_post_rx(&g.r, RXN);
	for (RING_IDX i = start; i != start + 3 * RXN; i++) {
		rx_answer(&g, i, 0, 64, 0, -1);
		rx_publish(&g, i + 1);
		CHECK_INT_EQ(xg_netring_recv(&g.r, buf, sizeof(buf), &notify),
		    64);
		CHECK_INT_EQ(buf[0], i & 0xff);
	}
	CHECK_INT_EQ(g.r.stats.rx_frames, 3 * RXN);
	CHECK(!g.r.broken);
	rig_free(&g);
}

TEST(refused_frames_are_dropped)
{
	struct rig g;
	unsigned char buf[256];
	int notify;

	rig_init(&g);
	xg_netring_post_rx(&g.r, RXN);
	rx_answer(&g, 0, 0, -1, 0, -1);			/* an error */
	rx_answer(&g, 1, 0, 0, 0, -1);			/* empty */
	rx_answer(&g, 2, 0, 300, 0, -1);		/* too big for buf */
	rx_answer(&g, 3, 0, 100, NETRXF_more_data, -1);	/* 3 slots */
	rx_answer(&g, 4, 0, 100, NETRXF_more_data, -1);
	rx_answer(&g, 5, 0, 100, 0, -1);
	rx_answer(&g, 6, 0, 100, NETRXF_extra_info, -1); /* 2 extras */
	/* extra info slots: a type and flags (MORE), no id to check */
	rx_answer(&g, 7, 0, 0, 0, 0x1234);
	((volatile uint8_t *)&rxs(&g)->ring[7])[1] = XEN_NETIF_EXTRA_FLAG_MORE;
	rx_answer(&g, 8, 0, 0, 0, 0x5678);
	((volatile uint8_t *)&rxs(&g)->ring[8])[1] = 0;
	rx_answer(&g, 9, 5, 42, 0, -1);			/* a good one */
	rx_publish(&g, 10);
	CHECK_INT_EQ(xg_netring_recv(&g.r, buf, sizeof(buf), &notify), 42);
	CHECK_INT_EQ(buf[0], 9);
	CHECK_INT_EQ(g.r.stats.rx_dropped, 5);
	CHECK_INT_EQ(g.r.stats.rx_frames, 1);
	/* every slot's buffer went back */
	CHECK_INT_EQ(rxs(&g)->req_prod, RXN + 10);
	CHECK(!g.r.broken);
	rig_free(&g);
}

/* A fresh rig with buffers posted, the responses up to slot 0 written
 * by SETUP, published up to PROD: recv must fail, saying WHY.  (Takes
 * the test's failure flag, for CHECK.) */
static void
expect_broken(bool *xk_failed_, void (*setup)(struct rig *), RING_IDX prod,
    const char *why)
{
	struct rig g;
	unsigned char buf[256];
	int notify;

	rig_init(&g);
	xg_netring_post_rx(&g.r, RXN);
	setup(&g);
	rx_publish(&g, prod);
	CHECK_INT_EQ(xg_netring_recv(&g.r, buf, sizeof(buf), &notify), -1);
	CHECK(g.r.broken);
	CHECK_STR_HAS(g.r.err, why);
	/* and stays so, whatever comes next */
	rx_answer(&g, prod, 0, 10, 0, -1);
	CHECK_INT_EQ(xg_netring_recv(&g.r, buf, sizeof(buf), &notify), -1);
	rig_free(&g);
}

static void
wrong_id(struct rig *g)
{
	rx_answer(g, 0, 0, 10, 0, 3);
}

static void
past_page(struct rig *g)
{
	rx_answer(g, 0, 4000, 100, 0, -1);
}

static void
good_one(struct rig *g)
{
	rx_answer(g, 0, 0, 10, 0, -1);
}

TEST(impossible_responses_break_the_rings)
{
	expect_broken(xk_failed_, wrong_id, 1, "names buffer 3, not 0");
	expect_broken(xk_failed_, past_page, 1, "run past the page");
	/* more responses than requests posted */
	expect_broken(xk_failed_, good_one, RXN + 1, "beyond the requests");
	expect_broken(xk_failed_, good_one, (RING_IDX)-1,
	    "beyond the requests");
}

static volatile netif_tx_sring_t *
txs(struct rig *g)
{
	return g->r.txs;
}

static void
tx_answer(struct rig *g, RING_IDX idx, unsigned int id, int status)
{
	txs(g)->ring[idx % RING_N].rsp.id = (uint16_t)id;
	txs(g)->ring[idx % RING_N].rsp.status = (int16_t)status;
}

TEST(sends_until_every_buffer_is_in_flight)
{
	struct rig g;
	unsigned char frame[100];
	int notify;

	rig_init(&g);
	for (unsigned int i = 0; i < TXN; i++) {
		memset(frame, (int)i + 1, sizeof(frame));
		CHECK_INT_EQ(xg_netring_send(&g.r, frame, sizeof(frame) - i,
		    &notify), 0);
		CHECK_INT_EQ(notify, i == 0);	/* req_event 1 */
		CHECK_INT_EQ(txs(&g)->ring[i].req.id, i);
		CHECK_INT_EQ(txs(&g)->ring[i].req.gref, 200 + i);
		CHECK_INT_EQ(txs(&g)->ring[i].req.size, sizeof(frame) - i);
		CHECK_INT_EQ(txs(&g)->ring[i].req.offset, 0);
		CHECK_INT_EQ(txs(&g)->ring[i].req.flags, 0);
		CHECK_INT_EQ(g.tx_buf[i * PAGE], i + 1);
	}
	CHECK_INT_EQ(xg_netring_send(&g.r, frame, sizeof(frame), &notify), -1);
	CHECK_STR_HAS(g.r.err, "in flight");
	CHECK(!g.r.broken);
	/* the back end answers the fourth (an error) and the second */
	tx_answer(&g, 0, 3, NETIF_RSP_ERROR);
	tx_answer(&g, 1, 1, NETIF_RSP_OKAY);
	txs(&g)->rsp_prod = 2;
	txs(&g)->req_event = TXN + 1;
	CHECK_INT_EQ(xg_netring_send(&g.r, frame, 20, &notify), 0);
	CHECK_INT_EQ(notify, 1);
	CHECK_INT_EQ(txs(&g)->ring[TXN].req.id, 1);
	CHECK_INT_EQ(xg_netring_send(&g.r, frame, 20, &notify), 0);
	CHECK_INT_EQ(txs(&g)->ring[TXN + 1].req.id, 3);
	CHECK_INT_EQ(xg_netring_send(&g.r, frame, 20, &notify), -1);
	CHECK_INT_EQ(g.r.stats.tx_errors, 1);
	CHECK_INT_EQ(g.r.stats.tx_frames, TXN + 2);
	/* frames of no bytes or more than a page are refused */
	CHECK_INT_EQ(xg_netring_send(&g.r, frame, 0, &notify), -1);
	CHECK_INT_EQ(xg_netring_send(&g.r, frame, PAGE + 1, &notify), -1);
	CHECK(!g.r.broken);
	rig_free(&g);
}

TEST(impossible_tx_responses_break_the_rings)
{
	struct rig g;
	unsigned char frame[64] = { 0 };
	int notify;

	rig_init(&g);
	CHECK_INT_EQ(xg_netring_send(&g.r, frame, sizeof(frame), &notify), 0);
	tx_answer(&g, 0, 5, 0);	/* buffer 5 was never sent */
	txs(&g)->rsp_prod = 1;
	CHECK_INT_EQ(xg_netring_send(&g.r, frame, sizeof(frame), &notify), -1);
	CHECK(g.r.broken);
	CHECK_STR_HAS(g.r.err, "names buffer 5, which is not in flight");
	rig_free(&g);

	rig_init(&g);
	CHECK_INT_EQ(xg_netring_send(&g.r, frame, sizeof(frame), &notify), 0);
	tx_answer(&g, 0, 0, 0);
	tx_answer(&g, 1, 0, 0);	/* the same buffer answered twice */
	txs(&g)->rsp_prod = 2;
	CHECK_INT_EQ(xg_netring_send(&g.r, frame, sizeof(frame), &notify), -1);
	CHECK(g.r.broken);
	CHECK_STR_HAS(g.r.err, "beyond the requests");
	rig_free(&g);
}
