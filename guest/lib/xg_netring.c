/*
 * xg_netring.c - the front end's side of the netif rings (see
 * xg_netring.h).
 */
#include <stdarg.h>

#include "xg_fmt.h"
#include "xg_netring.h"
#include "xg_string.h"

#define TX_RING __CONST_RING_SIZE(netif_tx, XG_PAGE_SIZE)
#define RX_RING __CONST_RING_SIZE(netif_rx, XG_PAGE_SIZE)

/* The back end broke the protocol: nothing it shares is used again. */
static int
broken(struct xg_netring *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
broken(struct xg_netring *r, const char *fmt, ...)
{
	va_list ap;

	r->broken = 1;
	va_start(ap, fmt);
	xg_vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	return -1;
}

void
xg_netring_init(struct xg_netring *r, void *tx_page, void *rx_page,
    const void *rx_buf, void *tx_buf)
{
	memset(r, 0, sizeof(*r));
	memset(tx_page, 0, XG_PAGE_SIZE);
	memset(rx_page, 0, XG_PAGE_SIZE);
	r->txs = tx_page;
	r->rxs = rx_page;
	r->rx_buf = rx_buf;
	r->tx_buf = tx_buf;
	/* as SHARED_RING_INIT: the first response is worth an event */
	r->txs->req_event = r->txs->rsp_event = 1;
	r->rxs->req_event = r->rxs->rsp_event = 1;
}

/* Publish requests up to NEW on a ring whose shared req_prod and
 * req_event are at PROD and EVENT; does the back end want an event?
 * (RING_PUSH_REQUESTS_AND_CHECK_NOTIFY's rule: it does when its
 * req_event lies among the requests just published.) */
static int
push(volatile RING_IDX *prod, volatile RING_IDX *event, RING_IDX new)
{
	RING_IDX old = *prod;

	xg_wmb();	/* the requests before the index that shows them */
	*prod = new;
	xg_mb();	/* the index before reading the back end's event */
	return (RING_IDX)(new - *event) < (RING_IDX)(new - old);
}

int
xg_netring_post_rx(struct xg_netring *r, unsigned int count)
{
	for (unsigned int i = 0; i < count; i++) {
		unsigned int id = r->rx_prod % XG_NETRING_RX;
		volatile netif_rx_request_t *req =
		    &r->rxs->ring[r->rx_prod % RX_RING].req;

		req->id = (uint16_t)id;
		req->gref = r->rx_ref[id];
		r->rx_prod++;
	}
	return push(&r->rxs->req_prod, &r->rxs->req_event, r->rx_prod);
}

/* Responses waiting on the rx ring (0 when none); -1 when the back
 * end claims more than the requests it has. */
static long
rx_waiting(struct xg_netring *r)
{
	RING_IDX prod = r->rxs->rsp_prod;

	xg_rmb();	/* the index before the responses it shows */
	if ((RING_IDX)(prod - r->rx_cons) > (RING_IDX)(r->rx_prod -
	    r->rx_cons))
		return broken(r, "rx response index %u beyond the requests "
		    "(%u to %u)", prod, r->rx_cons, r->rx_prod);
	return (long)(RING_IDX)(prod - r->rx_cons);
}

/* Take the response in the slot at rx_cons: its frame's length once
 * copied to BUF, 0 when the slot held none we keep (dropped, or part
 * of a refused frame), -1 when it breaks the protocol. */
static long
rx_take(struct xg_netring *r, void *buf, size_t cap)
{
	volatile union netif_rx_sring_entry *e =
	    &r->rxs->ring[r->rx_cons % RX_RING];
	unsigned int id = r->rx_cons % XG_NETRING_RX;
	netif_rx_response_t rsp;

	if (r->rx_extra) {
		/* an extra info slot (struct netif_extra_info laid over
		 * the response): only its flags byte matters, to skip it */
		uint8_t flags = ((const volatile uint8_t *)e)[1];

		r->rx_extra = (flags & XEN_NETIF_EXTRA_FLAG_MORE) != 0;
		return 0;
	}
	rsp.id = e->rsp.id;
	rsp.offset = e->rsp.offset;
	rsp.flags = e->rsp.flags;
	rsp.status = e->rsp.status;
	if (rsp.id != id)
		return broken(r, "rx response %u names buffer %u, not %u",
		    r->rx_cons, rsp.id, id);
	if (r->rx_more) {	/* the rest of a frame already dropped */
		r->rx_more = (rsp.flags & NETRXF_more_data) != 0;
		return 0;
	}
	r->rx_more = (rsp.flags & NETRXF_more_data) != 0;
	r->rx_extra = (rsp.flags & NETRXF_extra_info) != 0;
	if (r->rx_more || r->rx_extra || rsp.status <= 0 ||
	    (size_t)rsp.status > cap) {
		r->stats.rx_dropped++;
		return 0;
	}
	if ((size_t)rsp.offset + (size_t)rsp.status > XG_PAGE_SIZE)
		return broken(r, "rx response %u: %d bytes at offset %u run "
		    "past the page", r->rx_cons, rsp.status, rsp.offset);
	memcpy(buf, r->rx_buf + id * XG_PAGE_SIZE + rsp.offset,
	    (size_t)rsp.status);
	r->stats.rx_frames++;
	return rsp.status;
}

long
xg_netring_recv(struct xg_netring *r, void *buf, size_t cap, int *notify)
{
	unsigned int taken = 0;
	long n = 0, waiting;

	*notify = 0;
	if (r->broken)
		return -1;
	for (;;) {
		waiting = rx_waiting(r);
		if (waiting < 0)
			return -1;
		if (waiting == 0) {
			/* an event for the next response; then look once
			 * more, for one that came before the back end saw
			 * the request for it (RING_FINAL_CHECK_FOR_RESPONSES) */
			r->rxs->rsp_event = r->rx_cons + 1;
			xg_mb();
			if ((waiting = rx_waiting(r)) <= 0)
				break;
		}
		n = rx_take(r, buf, cap);
		if (n < 0)
			return -1;
		r->rx_cons++;
		taken++;
		if (n > 0)
			break;
	}
	if (waiting < 0)
		return -1;
	/* the buffers just emptied go back at once */
	if (taken > 0)
		*notify = xg_netring_post_rx(r, taken);
	return n;
}

/* Take the back end's tx responses: the buffers they name are free. */
static int
tx_reap(struct xg_netring *r)
{
	RING_IDX prod = r->txs->rsp_prod;

	xg_rmb();
	if ((RING_IDX)(prod - r->tx_cons) > (RING_IDX)(r->tx_prod -
	    r->tx_cons))
		return broken(r, "tx response index %u beyond the requests "
		    "(%u to %u)", prod, r->tx_cons, r->tx_prod);
	for (; r->tx_cons != prod; r->tx_cons++) {
		volatile union netif_tx_sring_entry *e =
		    &r->txs->ring[r->tx_cons % TX_RING];
		uint16_t id = e->rsp.id;
		int16_t status = e->rsp.status;

		if (id >= XG_NETRING_TX || !r->tx_busy[id])
			return broken(r, "tx response %u names buffer %u, "
			    "which is not in flight", r->tx_cons, id);
		r->tx_busy[id] = 0;
		if (status < 0)
			r->stats.tx_errors++;
	}
	return 0;
}

int
xg_netring_send(struct xg_netring *r, const void *frame, size_t len,
    int *notify)
{
	volatile netif_tx_request_t *req;
	unsigned int id;

	*notify = 0;
	if (r->broken)
		return -1;
	if (len == 0 || len > XG_PAGE_SIZE) {
		xg_snprintf(r->err, sizeof(r->err), "a frame of %zu bytes",
		    len);
		return -1;
	}
	if (tx_reap(r) < 0)
		return -1;
	for (id = 0; id < XG_NETRING_TX && r->tx_busy[id]; id++)
		;
	if (id == XG_NETRING_TX) {
		xg_snprintf(r->err, sizeof(r->err), "all %u tx buffers in "
		    "flight", XG_NETRING_TX);
		return -1;
	}
	memcpy(r->tx_buf + id * XG_PAGE_SIZE, frame, len);
	req = &r->txs->ring[r->tx_prod % TX_RING].req;
	req->gref = r->tx_ref[id];
	req->offset = 0;
	req->flags = 0;		/* whole, checksums complete */
	req->id = (uint16_t)id;
	req->size = (uint16_t)len;
	r->tx_busy[id] = 1;
	r->tx_prod++;
	*notify = push(&r->txs->req_prod, &r->txs->req_event, r->tx_prod);
	r->stats.tx_frames++;
	return 0;
}
