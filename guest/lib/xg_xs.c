/*
 * xg_xs.c - the xenstore client (see xg_xs.h).
 */
#include "xg_evtchn.h"
#include "xg_ring.h"
#include "xg_shutdown.h"
#include "xg_string.h"
#include "xg_time.h"
#include "xg_xs.h"

int
xg_xs_init(struct xg_xs *xs, struct xg *xg)
{
	memset(xs, 0, sizeof(*xs));
	if (xg->store == NULL)
		return -1;
	xs->xg = xg;
	xs->ring = xg->store;
	xs->port = xg->store_port;
	xs->next_req = 1;
	xs->timeout_ns = XG_XS_TIMEOUT_NS;
	return 0;
}

/* Wait for the store port, or panic at DEADLINE saying what we waited
 * for. */
static void
wait_store(struct xg_xs *xs, uint64_t deadline, const char *what)
{
	int rc = xg_evtchn_wait(xs->xg, &xs->port, 1, deadline);

	if (rc == 0)
		xg_panic(xs->xg, "xenstore: no %s within %llu ms", what,
		    (unsigned long long)(xs->timeout_ns / XG_MS));
	if (rc < 0)
		xg_panic(xs->xg, "xenstore: SCHEDOP_poll failed: %d", rc);
}

static void
send_bytes(struct xg_xs *xs, const unsigned char *p, size_t n,
    uint64_t deadline)
{
	volatile struct xenstore_domain_interface *r = xs->ring;

	while (n > 0) {
		uint32_t cons = r->req_cons, prod = r->req_prod;
		size_t k;

		xg_mb();
		if (xg_ring_free(prod, cons, XENSTORE_RING_SIZE) < 0)
			xg_panic(xs->xg, "xenstore: request ring indexes "
			    "prod %u cons %u are impossible", prod, cons);
		k = xg_ring_put(r->req, XENSTORE_RING_SIZE, prod, cons, p, n);
		if (k > 0) {
			xg_wmb();
			r->req_prod = prod + (uint32_t)k;
			xg_evtchn_send(xs->xg, xs->port);
			p += k;
			n -= k;
			continue;
		}
		if (xg_evtchn_test_and_clear(xs->xg, xs->port))
			continue;	/* look again before sleeping */
		wait_store(xs, deadline, "room in the request ring");
	}
}

static void
recv_bytes(struct xg_xs *xs, void *dst, size_t n, uint64_t deadline,
    const char *what)
{
	volatile struct xenstore_domain_interface *r = xs->ring;
	unsigned char *d = dst;

	while (n > 0) {
		uint32_t cons = r->rsp_cons, prod = r->rsp_prod;
		size_t k;

		xg_rmb();
		if (xg_ring_used(prod, cons, XENSTORE_RING_SIZE) < 0)
			xg_panic(xs->xg, "xenstore: response ring indexes "
			    "prod %u cons %u are impossible", prod, cons);
		k = xg_ring_get(r->rsp, XENSTORE_RING_SIZE, prod, cons, d, n);
		if (k > 0) {
			xg_mb();
			r->rsp_cons = cons + (uint32_t)k;
			xg_evtchn_send(xs->xg, xs->port);
			d += k;
			n -= k;
			continue;
		}
		if (xg_evtchn_test_and_clear(xs->xg, xs->port))
			continue;
		wait_store(xs, deadline, what);
	}
}

/* Read one whole message into xs->hdr and xs->payload. */
static void
recv_msg(struct xg_xs *xs, uint64_t deadline, const char *what)
{
	const char *why;

	recv_bytes(xs, &xs->hdr, XG_XS_HDR, deadline, what);
	if (xg_xs_check_header(&xs->hdr, &why) < 0)
		xg_panic(xs->xg, "xenstore: malformed message (type %u, "
		    "len %u): %s", xs->hdr.type, xs->hdr.len, why);
	recv_bytes(xs, xs->payload, xs->hdr.len, deadline, what);
	xs->payload[xs->hdr.len] = '\0';
}

static void
queue_event(struct xg_xs *xs)
{
	if (xs->nevents == XG_XS_EVENTS) {
		xs->lost_events++;
		return;
	}
	xs->events[xs->nevents].len = xs->hdr.len;
	memcpy(xs->events[xs->nevents].payload, xs->payload, xs->hdr.len);
	xs->nevents++;
}

/* Send a request of TYPE made of PARTS and wait for its reply, left in
 * xs->hdr/payload.  0, or -1 for an error reply (xs->err). */
static int
request(struct xg_xs *xs, uint32_t type, uint32_t tx,
    const struct xg_xs_part *parts, size_t nparts)
{
	uint64_t deadline = xg_time_now(xs->xg) + xs->timeout_ns;
	uint32_t req = xs->next_req++;
	const char *why;
	long n;

	n = xg_xs_encode(xs->msg, sizeof(xs->msg), type, req, tx, parts, nparts);
	if (n < 0) {
		memcpy(xs->err, "E2BIG", 6);
		return -1;
	}
	send_bytes(xs, xs->msg, (size_t)n, deadline);
	for (;;) {
		recv_msg(xs, deadline, "reply");
		switch (xg_xs_check_reply(&xs->hdr, xs->payload, type, req,
		    &why)) {
		case XG_XS_EVENT:
			queue_event(xs);
			continue;
		case XG_XS_REPLY:
			return 0;
		case XG_XS_ERROR_REPLY:
			memcpy(xs->err, xs->payload, xs->hdr.len);
			return -1;
		case XG_XS_MALFORMED:
			break;
		}
		xg_panic(xs->xg, "xenstore: malformed reply to %s "
		    "(type %s, len %u): %s", xg_xs_type_name(type),
		    xg_xs_type_name(xs->hdr.type), xs->hdr.len, why);
	}
}

#define STR(s) { (s), strlen(s) + 1 }

long
xg_xs_read(struct xg_xs *xs, uint32_t tx, const char *path, char *buf,
    size_t cap)
{
	struct xg_xs_part p[] = { STR(path) };

	if (request(xs, XS_READ, tx, p, 1) < 0)
		return -1;
	if (xs->hdr.len >= cap) {
		memcpy(xs->err, "E2BIG", 6);
		return -1;
	}
	memcpy(buf, xs->payload, xs->hdr.len + 1);
	return xs->hdr.len;
}

int
xg_xs_write(struct xg_xs *xs, uint32_t tx, const char *path,
    const char *value)
{
	struct xg_xs_part p[] = { STR(path), { value, strlen(value) } };

	return request(xs, XS_WRITE, tx, p, 2);
}

int
xg_xs_rm(struct xg_xs *xs, uint32_t tx, const char *path)
{
	struct xg_xs_part p[] = { STR(path) };

	return request(xs, XS_RM, tx, p, 1);
}

long
xg_xs_directory(struct xg_xs *xs, uint32_t tx, const char *path, char *buf,
    size_t cap)
{
	struct xg_xs_part p[] = { STR(path) };
	size_t off = 0, used = 0;
	const char *name;
	long count = 0;

	if (request(xs, XS_DIRECTORY, tx, p, 1) < 0)
		return -1;
	while ((name = xg_xs_dir_next(xs->payload, xs->hdr.len, &off)) !=
	    NULL) {
		size_t n = strlen(name) + 1;

		if (n > cap - used) {
			memcpy(xs->err, "E2BIG", 6);
			return -1;
		}
		memcpy(buf + used, name, n);
		used += n;
		count++;
	}
	return count;
}

int
xg_xs_watch(struct xg_xs *xs, const char *path, const char *token)
{
	struct xg_xs_part p[] = { STR(path), STR(token) };

	return request(xs, XS_WATCH, 0, p, 2);
}

int
xg_xs_unwatch(struct xg_xs *xs, const char *path, const char *token)
{
	struct xg_xs_part p[] = { STR(path), STR(token) };

	return request(xs, XS_UNWATCH, 0, p, 2);
}

static void
copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (cap == 0)
		return;
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void
take_event(const char *payload, size_t len, char *path, size_t pcap,
    char *token, size_t tcap)
{
	const char *p, *t;

	xg_xs_event(payload, len, &p, &t);
	copy_str(path, pcap, p);
	copy_str(token, tcap, t);
}

/* Is a message waiting on the response ring? */
static int
rsp_waiting(struct xg_xs *xs)
{
	uint32_t cons = xs->ring->rsp_cons, prod = xs->ring->rsp_prod;

	xg_rmb();
	return prod != cons;
}

int
xg_xs_next_event(struct xg_xs *xs, char *path, size_t pcap, char *token,
    size_t tcap, uint64_t deadline)
{
	const char *why;

	if (xs->nevents > 0) {
		take_event(xs->events[0].payload, xs->events[0].len, path, pcap,
		    token, tcap);
		xs->nevents--;
		memmove(&xs->events[0], &xs->events[1],
		    xs->nevents * sizeof(xs->events[0]));
		return 1;
	}
	/* the first bytes may be a while coming: wait for them here,
	 * with the caller's deadline; the rest must follow promptly */
	while (!rsp_waiting(xs)) {
		if (xg_evtchn_test_and_clear(xs->xg, xs->port))
			continue;
		if (deadline != 0 && xg_time_now(xs->xg) >= deadline)
			return 0;
		if (xg_evtchn_wait(xs->xg, &xs->port, 1, deadline) < 0)
			xg_panic(xs->xg, "xenstore: SCHEDOP_poll failed");
	}
	recv_msg(xs, xg_time_now(xs->xg) + xs->timeout_ns, "watch event");
	if (xg_xs_check_reply(&xs->hdr, xs->payload, 0, 0, &why) !=
	    XG_XS_EVENT)
		xg_panic(xs->xg, "xenstore: malformed message while no "
		    "request waits (type %s, len %u): %s",
		    xg_xs_type_name(xs->hdr.type), xs->hdr.len, why);
	take_event(xs->payload, xs->hdr.len, path, pcap, token, tcap);
	return 1;
}

int
xg_xs_transaction_start(struct xg_xs *xs, uint32_t *tx)
{
	struct xg_xs_part p[] = { { "", 1 } };

	if (request(xs, XS_TRANSACTION_START, 0, p, 1) < 0)
		return -1;
	*tx = xg_xs_txid(xs->payload, xs->hdr.len);
	return 0;
}

int
xg_xs_transaction_end(struct xg_xs *xs, uint32_t tx, int commit)
{
	struct xg_xs_part p[] = { { commit ? "T" : "F", 2 } };

	return request(xs, XS_TRANSACTION_END, tx, p, 1);
}

void
xg_xs_resume(struct xg_xs *xs)
{
	xs->ring = xs->xg->store;
	xs->port = xs->xg->store_port;
	xs->nevents = 0;
}
