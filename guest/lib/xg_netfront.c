/*
 * xg_netfront.c - the network front end (see xg_netfront.h).
 */
#include "xg_evtchn.h"
#include "xg_fmt.h"
#include "xg_inet.h"
#include "xg_netfront.h"
#include "xg_string.h"

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

	xg_netring_init(&nf->ring, nf->tx_page, nf->rx_page, nf->rx_buf,
	    nf->tx_buf);
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
	for (unsigned int i = 0; i < XG_NETFRONT_RX; i++)
		nf->ring.rx_ref[i] = (grant_ref_t)nf->rx_ref[i];
	for (unsigned int i = 0; i < XG_NETFRONT_TX; i++)
		nf->ring.tx_ref[i] = (grant_ref_t)nf->tx_ref[i];
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
	nf->have_port = nf->broken = 0;
	nf->tx_ring_ref = nf->rx_ring_ref = -1;
	for (unsigned int i = 0; i < XG_NETFRONT_RX; i++)
		nf->rx_ref[i] = -1;
	for (unsigned int i = 0; i < XG_NETFRONT_TX; i++)
		nf->tx_ref[i] = -1;
	memset(&nf->ring, 0, sizeof(nf->ring));
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
	if (xg_netring_post_rx(&nf->ring, XG_NETFRONT_RX))
		xg_evtchn_send(nf->xg, nf->port);
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

/* --- frames --- */

/* A ring call failed: its reason, and the device given up when the
 * back end broke the protocol. */
static int
ring_failed(struct xg_netfront *nf)
{
	if (nf->ring.broken)
		nf->broken = 1;
	xg_snprintf(nf->err, sizeof(nf->err), "%s: %s", nf->dev.node,
	    nf->ring.err);
	return -1;
}

long
xg_netfront_recv(struct xg_netfront *nf, void *buf, size_t cap)
{
	int notify;
	long n;

	if (nf->broken)
		return -1;
	n = xg_netring_recv(&nf->ring, buf, cap, &notify);
	if (n < 0)
		return ring_failed(nf);
	if (notify)
		xg_evtchn_send(nf->xg, nf->port);
	return n;
}

int
xg_netfront_send(struct xg_netfront *nf, const void *frame, size_t len)
{
	int notify;

	if (nf->broken)
		return -1;
	if (xg_netring_send(&nf->ring, frame, len, &notify) < 0)
		return ring_failed(nf);
	if (notify)
		xg_evtchn_send(nf->xg, nf->port);
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
