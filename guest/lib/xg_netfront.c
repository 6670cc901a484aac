/*
 * xg_netfront.c - the network front end (see xg_netfront.h).
 */
#include "xg_evtchn.h"
#include "xg_fmt.h"
#include "xg_inet.h"
#include "xg_netfront.h"
#include "xg_string.h"

#define TX_RING __CONST_RING_SIZE(netif_tx, XG_PAGE_SIZE)
#define RX_RING __CONST_RING_SIZE(netif_rx, XG_PAGE_SIZE)

static int
fail(struct xg_netfront *nf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
fail(struct xg_netfront *nf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xg_vsnprintf(nf->err, sizeof(nf->err), fmt, ap);
	va_end(ap);
	return -1;
}

/* The back end broke the protocol: nothing it shares is used again. */
static int
broken(struct xg_netfront *nf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
broken(struct xg_netfront *nf, const char *fmt, ...)
{
	va_list ap;

	nf->broken = 1;
	va_start(ap, fmt);
	xg_vsnprintf(nf->err, sizeof(nf->err), fmt, ap);
	va_end(ap);
	return -1;
}

/* NODE/NAME of our device, or of the back end's (BACKEND 1). */
static int
path(struct xg_netfront *nf, char *buf, size_t cap, int backend,
    const char *name)
{
	int n = xg_snprintf(buf, cap, "%s/%s", backend ? nf->dev.backend :
	    nf->dev.node, name);

	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* The vif's MAC: our node's "mac" (as Linux's netfront reads it), or
 * the back end's where the toolstack wrote only that one. */
static int
read_mac(struct xg_netfront *nf)
{
	char p[192], mac[32];
	long n = -1;

	for (int be = 0; be <= 1 && n < 0; be++)
		if (path(nf, p, sizeof(p), be, "mac") == 0)
			n = xg_xs_read(nf->dev.xs, 0, p, mac, sizeof(mac));
	if (n < 0)
		return fail(nf, "%s: no mac: %s", nf->dev.node,
		    nf->dev.xs->err);
	if (xg_inet_parse_mac(mac, (size_t)n, nf->mac) < 0)
		return fail(nf, "%s: mac \"%s\" is not a MAC address",
		    nf->dev.node, mac);
	return 0;
}

/* The back end copies into our buffers (feature-rx-copy = 1): the
 * only receive path this front end has. */
static int
check_rx_copy(struct xg_netfront *nf)
{
	char p[192], v[8];

	if (path(nf, p, sizeof(p), 1, "feature-rx-copy") < 0 ||
	    xg_xs_read(nf->dev.xs, 0, p, v, sizeof(v)) < 0 ||
	    strcmp(v, "1") != 0)
		return fail(nf, "%s: back end %s cannot copy received frames "
		    "(feature-rx-copy is not 1)", nf->dev.node,
		    nf->dev.backend);
	return 0;
}

/* Take back every grant and the port; how many grants were still
 * mapped by the back end (those stay granted). */
static unsigned int
release(struct xg_netfront *nf)
{
	long *refs[2 + XG_NETFRONT_RX + XG_NETFRONT_TX];
	unsigned int n = 0, busy = 0;

	refs[n++] = &nf->tx_ring_ref;
	refs[n++] = &nf->rx_ring_ref;
	for (unsigned int i = 0; i < XG_NETFRONT_RX; i++)
		refs[n++] = &nf->rx_ref[i];
	for (unsigned int i = 0; i < XG_NETFRONT_TX; i++)
		refs[n++] = &nf->tx_ref[i];
	for (unsigned int i = 0; i < n; i++) {
		if (*refs[i] < 0)
			continue;
		if (xg_gnttab_end(nf->gt, (grant_ref_t)*refs[i]) < 0)
			busy++;
		else
			*refs[i] = -1;
	}
	if (nf->have_port)
		xg_evtchn_close(nf->xg, nf->port);
	nf->have_port = 0;
	return busy;
}

static long
grant(struct xg_netfront *nf, const void *page, int readonly)
{
	return xg_gnttab_grant(nf->gt, (domid_t)nf->dev.backend_id, page,
	    readonly);
}

/* Empty shared rings, every page granted, the event channel. */
static int
setup_rings(struct xg_netfront *nf)
{
	long rc;

	memset(nf->tx_page, 0, sizeof(nf->tx_page));
	memset(nf->rx_page, 0, sizeof(nf->rx_page));
	nf->txs = (volatile netif_tx_sring_t *)nf->tx_page;
	nf->rxs = (volatile netif_rx_sring_t *)nf->rx_page;
	/* as SHARED_RING_INIT: the first response is worth an event */
	nf->txs->req_event = nf->txs->rsp_event = 1;
	nf->rxs->req_event = nf->rxs->rsp_event = 1;
	nf->tx_ring_ref = grant(nf, nf->tx_page, 0);
	nf->rx_ring_ref = grant(nf, nf->rx_page, 0);
	for (unsigned int i = 0; i < XG_NETFRONT_RX; i++)
		nf->rx_ref[i] = grant(nf, nf->rx_buf[i], 0);
	for (unsigned int i = 0; i < XG_NETFRONT_TX; i++)
		nf->tx_ref[i] = grant(nf, nf->tx_buf[i], 1);
	if (nf->tx_ring_ref < 0 || nf->rx_ring_ref < 0 ||
	    nf->rx_ref[XG_NETFRONT_RX - 1] < 0 ||
	    nf->tx_ref[XG_NETFRONT_TX - 1] < 0)
		return fail(nf, "%s: out of grant entries", nf->dev.node);
	rc = xg_evtchn_alloc_unbound(nf->xg, (domid_t)nf->dev.backend_id,
	    &nf->port);
	if (rc != 0)
		return fail(nf, "%s: EVTCHNOP_alloc_unbound: %ld",
		    nf->dev.node, rc);
	nf->have_port = 1;
	return 0;
}

/* Our keys, in one transaction (retried when another writer came
 * first). */
static int
publish(struct xg_netfront *nf)
{
	const struct { const char *name; long v; } keys[] = {
		{ "tx-ring-ref", nf->tx_ring_ref },
		{ "rx-ring-ref", nf->rx_ring_ref },
		{ "event-channel", (long)nf->port },
		{ "request-rx-copy", 1 },
		{ "feature-rx-notify", 1 },
		{ "feature-no-csum-offload", 1 },
	};
	struct xg_xs *xs = nf->dev.xs;
	char p[192], v[24];

	for (int tries = 0; tries < 10; tries++) {
		uint32_t tx;
		size_t i;

		if (xg_xs_transaction_start(xs, &tx) < 0)
			break;
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			xg_snprintf(v, sizeof(v), "%ld", keys[i].v);
			if (path(nf, p, sizeof(p), 0, keys[i].name) < 0 ||
			    xg_xs_write(xs, tx, p, v) < 0)
				break;
		}
		if (i < sizeof(keys) / sizeof(keys[0])) {
			xg_xs_transaction_end(xs, tx, 0);
			break;
		}
		if (xg_xs_transaction_end(xs, tx, 1) == 0)
			return 0;
		if (strcmp(xs->err, "EAGAIN") != 0)
			break;
	}
	return fail(nf, "%s: cannot write the ring references: %s",
	    nf->dev.node, xs->err);
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

static void
post_rx(struct xg_netfront *nf, unsigned int count)
{
	for (unsigned int i = 0; i < count; i++) {
		unsigned int id = nf->rx_prod % XG_NETFRONT_RX;
		volatile netif_rx_request_t *req =
		    &nf->rxs->ring[nf->rx_prod % RX_RING].req;

		req->id = (uint16_t)id;
		req->gref = (grant_ref_t)nf->rx_ref[id];
		nf->rx_prod++;
	}
	if (push(&nf->rxs->req_prod, &nf->rxs->req_event, nf->rx_prod))
		xg_evtchn_send(nf->xg, nf->port);
}

/* Wait for the back end's state in WANT (a mask), by DEADLINE: the
 * state, or -1 (nf->err saying what we waited for) when none came. */
static int
await(struct xg_netfront *nf, unsigned int want, const char *what,
    uint64_t deadline)
{
	int last, state = xg_xenbus_wait(&nf->dev, want, deadline, &last);

	if (state < 0)
		return fail(nf, "%s: back end %s (domain %u) not %s in time: "
		    "%s, its state %s", nf->dev.node, nf->dev.backend,
		    nf->dev.backend_id, what, nf->dev.xs->err,
		    xg_xenbus_state_name(last));
	return state;
}

/* Wait for WANT, or fail at once when the back end closes instead. */
static int
await_or_closed(struct xg_netfront *nf, int want, const char *what,
    uint64_t deadline)
{
	int state = await(nf, 1U << want | 1U << XenbusStateClosing |
	    1U << XenbusStateClosed, what, deadline);

	if (state < 0 || state == want)
		return state;
	return fail(nf, "%s: back end %s (domain %u) is %s, not %s",
	    nf->dev.node, nf->dev.backend, nf->dev.backend_id,
	    xg_xenbus_state_name(state), what);
}

int
xg_netfront_connect(struct xg_netfront *nf, struct xg *xg, struct xg_xs *xs,
    struct xg_gnttab *gt, const char *node, uint64_t deadline)
{
	nf->xg = xg;
	nf->gt = gt;
	nf->have_port = nf->broken = nf->rx_more = nf->rx_extra = 0;
	nf->tx_prod = nf->tx_cons = nf->rx_prod = nf->rx_cons = 0;
	nf->tx_ring_ref = nf->rx_ring_ref = -1;
	for (unsigned int i = 0; i < XG_NETFRONT_RX; i++)
		nf->rx_ref[i] = -1;
	for (unsigned int i = 0; i < XG_NETFRONT_TX; i++) {
		nf->tx_ref[i] = -1;
		nf->tx_busy[i] = 0;
	}
	memset(&nf->stats, 0, sizeof(nf->stats));
	nf->err[0] = '\0';
	if (xg_xenbus_open(&nf->dev, xs, node) < 0)
		return fail(nf, "%s: no such device: %s", node, xs->err);
	if (read_mac(nf) < 0)
		return -1;
	if (xg_xenbus_switch(&nf->dev, XenbusStateInitialising) < 0)
		return fail(nf, "%s: cannot publish Initialising: %s", node,
		    xs->err);
	if (await_or_closed(nf, XenbusStateInitWait, "InitWait",
	    deadline) < 0 ||
	    check_rx_copy(nf) < 0 || setup_rings(nf) < 0 ||
	    publish(nf) < 0)
		goto undo;
	post_rx(nf, XG_NETFRONT_RX);
	if (xg_xenbus_switch(&nf->dev, XenbusStateConnected) < 0) {
		fail(nf, "%s: cannot publish Connected: %s", node, xs->err);
		goto undo;
	}
	if (await_or_closed(nf, XenbusStateConnected, "Connected",
	    deadline) == XenbusStateConnected)
		return 0;
undo:
	xg_xenbus_switch(&nf->dev, XenbusStateClosed);
	release(nf);
	nf->broken = 1;
	return -1;
}

/* --- receiving --- */

/* Responses waiting on the rx ring (0 when none); -1 when the back
 * end claims more than the requests it has. */
static long
rx_waiting(struct xg_netfront *nf)
{
	RING_IDX prod = nf->rxs->rsp_prod;

	xg_rmb();	/* the index before the responses it shows */
	if ((RING_IDX)(prod - nf->rx_cons) > (RING_IDX)(nf->rx_prod -
	    nf->rx_cons))
		return broken(nf, "%s: rx response index %u beyond the "
		    "requests (%u to %u)", nf->dev.node, prod, nf->rx_cons,
		    nf->rx_prod);
	return (long)(RING_IDX)(prod - nf->rx_cons);
}

/* Take the response in the slot at rx_cons: its frame's length once
 * copied to BUF, 0 when the slot held none we keep (dropped, or part
 * of a refused frame), -1 when it breaks the protocol. */
static long
rx_take(struct xg_netfront *nf, void *buf, size_t cap)
{
	volatile union netif_rx_sring_entry *e =
	    &nf->rxs->ring[nf->rx_cons % RX_RING];
	unsigned int id = nf->rx_cons % XG_NETFRONT_RX;
	netif_rx_response_t r;

	if (nf->rx_extra) {
		/* an extra info slot (struct netif_extra_info laid over
		 * the response): only its flags byte matters, to skip it */
		uint8_t flags = ((const volatile uint8_t *)e)[1];

		nf->rx_extra = (flags & XEN_NETIF_EXTRA_FLAG_MORE) != 0;
		return 0;
	}
	r.id = e->rsp.id;
	r.offset = e->rsp.offset;
	r.flags = e->rsp.flags;
	r.status = e->rsp.status;
	/* the back end answers our requests in order, each with its id */
	if (r.id != id)
		return broken(nf, "%s: rx response %u names buffer %u, not %u",
		    nf->dev.node, nf->rx_cons, r.id, id);
	if (nf->rx_more) {	/* the rest of a frame already dropped */
		nf->rx_more = (r.flags & NETRXF_more_data) != 0;
		return 0;
	}
	/* we asked for neither scatter-gather nor offloads: a frame in
	 * several slots or with extra info is dropped whole */
	nf->rx_more = (r.flags & NETRXF_more_data) != 0;
	nf->rx_extra = (r.flags & NETRXF_extra_info) != 0;
	if (nf->rx_more || nf->rx_extra || r.status <= 0 ||
	    (size_t)r.status > cap) {
		nf->stats.rx_dropped++;
		return 0;
	}
	if ((size_t)r.offset + (size_t)r.status > XG_PAGE_SIZE)
		return broken(nf, "%s: rx response %u: %d bytes at offset %u "
		    "run past the page", nf->dev.node, nf->rx_cons, r.status,
		    r.offset);
	memcpy(buf, nf->rx_buf[id] + r.offset, (size_t)r.status);
	nf->stats.rx_frames++;
	return r.status;
}

long
xg_netfront_recv(struct xg_netfront *nf, void *buf, size_t cap)
{
	unsigned int taken = 0;
	long n = 0, waiting;

	if (nf->broken)
		return -1;
	for (;;) {
		waiting = rx_waiting(nf);
		if (waiting < 0)
			return -1;
		if (waiting == 0) {
			/* an event for the next response; then look once
			 * more, for one that came before the back end saw
			 * the request for it (RING_FINAL_CHECK_FOR_RESPONSES) */
			nf->rxs->rsp_event = nf->rx_cons + 1;
			xg_mb();
			if ((waiting = rx_waiting(nf)) <= 0)
				break;
		}
		n = rx_take(nf, buf, cap);
		if (n < 0)
			return -1;
		nf->rx_cons++;
		taken++;
		if (n > 0)
			break;
	}
	/* the buffers just emptied go back at once */
	if (taken > 0)
		post_rx(nf, taken);
	return waiting < 0 ? -1 : n;
}

/* --- sending --- */

/* Take the back end's tx responses: the buffers they name are free. */
static int
tx_reap(struct xg_netfront *nf)
{
	RING_IDX prod = nf->txs->rsp_prod;

	xg_rmb();
	if ((RING_IDX)(prod - nf->tx_cons) > (RING_IDX)(nf->tx_prod -
	    nf->tx_cons))
		return broken(nf, "%s: tx response index %u beyond the "
		    "requests (%u to %u)", nf->dev.node, prod, nf->tx_cons,
		    nf->tx_prod);
	for (; nf->tx_cons != prod; nf->tx_cons++) {
		volatile union netif_tx_sring_entry *e =
		    &nf->txs->ring[nf->tx_cons % TX_RING];
		uint16_t id = e->rsp.id;
		int16_t status = e->rsp.status;

		if (id >= XG_NETFRONT_TX || !nf->tx_busy[id])
			return broken(nf, "%s: tx response %u names buffer "
			    "%u, which is not in flight", nf->dev.node,
			    nf->tx_cons, id);
		nf->tx_busy[id] = 0;
		if (status < 0)
			nf->stats.tx_errors++;
	}
	return 0;
}

int
xg_netfront_send(struct xg_netfront *nf, const void *frame, size_t len)
{
	volatile netif_tx_request_t *req;
	unsigned int id;

	if (nf->broken)
		return -1;
	if (len < XG_ETH_HLEN || len > XG_PAGE_SIZE)
		return fail(nf, "%s: a frame of %zu bytes", nf->dev.node, len);
	if (tx_reap(nf) < 0)
		return -1;
	for (id = 0; id < XG_NETFRONT_TX && nf->tx_busy[id]; id++)
		;
	if (id == XG_NETFRONT_TX)
		return fail(nf, "%s: all %u tx buffers in flight",
		    nf->dev.node, XG_NETFRONT_TX);
	memcpy(nf->tx_buf[id], frame, len);
	req = &nf->txs->ring[nf->tx_prod % TX_RING].req;
	req->gref = (grant_ref_t)nf->tx_ref[id];
	req->offset = 0;
	req->flags = 0;		/* whole, checksums complete */
	req->id = (uint16_t)id;
	req->size = (uint16_t)len;
	nf->tx_busy[id] = 1;
	nf->tx_prod++;
	if (push(&nf->txs->req_prod, &nf->txs->req_event, nf->tx_prod))
		xg_evtchn_send(nf->xg, nf->port);
	nf->stats.tx_frames++;
	return 0;
}

/* --- closing --- */

int
xg_netfront_disconnect(struct xg_netfront *nf, uint64_t deadline)
{
	unsigned int gone = 1U << XenbusStateUnknown | 1U << XenbusStateClosed;
	unsigned int busy;
	int r = 0;

	if (xg_xenbus_switch(&nf->dev, XenbusStateClosing) < 0)
		r = fail(nf, "%s: cannot publish Closing: %s", nf->dev.node,
		    nf->dev.xs->err);
	else if (await(nf, gone | 1U << XenbusStateClosing, "Closing",
	    deadline) < 0)
		r = -1;
	if (xg_xenbus_switch(&nf->dev, XenbusStateClosed) < 0) {
		if (r == 0)
			r = fail(nf, "%s: cannot publish Closed: %s",
			    nf->dev.node, nf->dev.xs->err);
	} else if (r == 0 && await(nf, gone | 1U << XenbusStateInitWait,
	    "Closed", deadline) < 0)
		r = -1;
	/* the back end unmaps the rings as it closes */
	busy = release(nf);
	nf->broken = 1;
	if (busy > 0 && r == 0)
		r = fail(nf, "%s: %u grants still mapped by the back end",
		    nf->dev.node, busy);
	return r;
}
