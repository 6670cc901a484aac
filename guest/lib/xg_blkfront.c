/*
 * xg_blkfront.c - the block front end (see xg_blkfront.h).
 */
#include "xg_blkfront.h"
#include "xg_evtchn.h"
#include "xg_fmt.h"
#include "xg_string.h"
#include "xg_time.h"

#include <xen/io/protocols.h>

static int __attribute__((format(printf, 2, 3)))
fail(struct xg_blkfront *bf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xg_vsnprintf(bf->err, sizeof(bf->err), fmt, ap);
	va_end(ap);
	return -1;
}

/* An error the connection cannot survive: the ring's state is no
 * longer known (a response that matches no request, a back end that
 * stopped answering), so no later request may use it. */
static int __attribute__((format(printf, 2, 3)))
broken(struct xg_blkfront *bf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xg_vsnprintf(bf->err, sizeof(bf->err), fmt, ap);
	va_end(ap);
	bf->state = -1;
	return -1;
}

static uint64_t
deadline(struct xg_blkfront *bf)
{
	return xg_time_now(bf->xg) + bf->timeout_ns;
}

/* BASE/NAME into BUF: -1 when it does not fit. */
static int
path(char *buf, size_t cap, const char *base, const char *name)
{
	int n = xg_snprintf(buf, cap, "%s/%s", base, name);

	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* Our NAME := VALUE (a front-end node). */
static int
front_write(struct xg_blkfront *bf, const char *name, const char *value)
{
	char p[96];

	if (path(p, sizeof(p), bf->dev.node, name) < 0)
		return fail(bf, "%s/%s: path too long", bf->dev.node, name);
	if (xg_xs_write(bf->xs, 0, p, value) < 0)
		return fail(bf, "cannot write %s: %s", p, bf->xs->err);
	return 0;
}

static int
front_write_num(struct xg_blkfront *bf, const char *name,
    unsigned long value)
{
	char v[24];

	xg_snprintf(v, sizeof(v), "%lu", value);
	return front_write(bf, name, v);
}

/*
 * The back end's NAME as a number at most MAX into *V.  A missing node
 * is DEF when DEF is not -1, an error otherwise; a value that is not a
 * number is always an error ("garbage", with what it was).
 */
static int
backend_u64(struct xg_blkfront *bf, const char *name, uint64_t max,
    long long def, uint64_t *v)
{
	char p[192], value[32];

	if (path(p, sizeof(p), bf->dev.backend, name) < 0)
		return fail(bf, "%s/%s: path too long", bf->dev.backend, name);
	if (xg_xs_read(bf->xs, 0, p, value, sizeof(value)) < 0) {
		if (def >= 0 && strcmp(bf->xs->err, "ENOENT") == 0) {
			*v = (uint64_t)def;
			return 0;
		}
		return fail(bf, "back end's %s: %s", p, bf->xs->err);
	}
	if (xg_blkif_parse_u64(value, max, v) < 0)
		return fail(bf, "back end's %s is \"%s\": not a number up "
		    "to %llu", p, value, (unsigned long long)max);
	return 0;
}

/* Wait for the back end to reach one of WANT (a mask of states). */
static int
wait_backend(struct xg_blkfront *bf, unsigned int want, const char *what)
{
	int state, last;

	state = xg_xenbus_wait(&bf->dev, want, deadline(bf), &last);
	if (state >= 0)
		return 0;
	if (strcmp(bf->xs->err, "ETIMEDOUT") != 0)
		return fail(bf, "%s: back end %s (domain %u): its state: %s%s",
		    bf->dev.node, bf->dev.backend, bf->dev.backend_id,
		    bf->xs->err, strcmp(bf->xs->err, "EINVAL") == 0 ?
		    " (not a xenbus state)" : "");
	return fail(bf, "%s: back end %s (domain %u) not %s within %llu s: "
	    "its state %s", bf->dev.node, bf->dev.backend,
	    bf->dev.backend_id, what,
	    (unsigned long long)(bf->timeout_ns / XG_S),
	    xg_xenbus_state_name(last));
}

/* Revoke every grant and close the channel; -1 (bf->err says which)
 * when the back end still maps a page, which stays granted. */
static int
release(struct xg_blkfront *bf)
{
	int r = 0;

	for (unsigned int i = 0; i < bf->ngranted; i++) {
		grant_ref_t ref = bf->data_ref[i / XG_BLK_SEGS][i % XG_BLK_SEGS];

		if (xg_gnttab_end(bf->gt, ref) < 0)
			r = fail(bf, "the back end still maps data page "
			    "%u (grant %u)", i, ref);
	}
	bf->ngranted = 0;
	if (bf->ring_ref != 0 && xg_gnttab_end(bf->gt, bf->ring_ref) < 0)
		r = fail(bf, "the back end still maps the ring (grant %u)",
		    bf->ring_ref);
	bf->ring_ref = 0;
	if (bf->port != 0)
		xg_evtchn_close(bf->xg, bf->port);
	bf->port = 0;
	bf->state = 0;
	return r;
}

/* The ring page, the data pages and the event channel, for the back
 * end's domain. */
static int
share(struct xg_blkfront *bf)
{
	domid_t be = (domid_t)bf->dev.backend_id;
	long ref, rc;

	memset(bf->ring.page, 0, sizeof(bf->ring.page));
	/* SHARED_RING_INIT: tell us of the first response */
	bf->ring.s.req_event = 1;
	bf->ring.s.rsp_event = 1;
	if ((ref = xg_gnttab_grant(bf->gt, be, bf->ring.page, 0)) < 0)
		return fail(bf, "no free grant entry for the ring");
	bf->ring_ref = (grant_ref_t)ref;
	for (unsigned int i = 0; i < XG_BLK_SLOTS * XG_BLK_SEGS; i++) {
		ref = xg_gnttab_grant(bf->gt, be,
		    bf->data[i / XG_BLK_SEGS][i % XG_BLK_SEGS], 0);
		if (ref < 0)
			return fail(bf, "no free grant entry for data page %u",
			    i);
		bf->data_ref[i / XG_BLK_SEGS][i % XG_BLK_SEGS] =
		    (grant_ref_t)ref;
		bf->ngranted = i + 1;
	}
	if ((rc = xg_evtchn_alloc_unbound(bf->xg, be, &bf->port)) != 0)
		return fail(bf, "event channel for domain %u: %ld", be, rc);
	return 0;
}

/* What the back end publishes for Connected, checked. */
static int
read_backend(struct xg_blkfront *bf)
{
	uint64_t v;

	if (backend_u64(bf, "sectors", UINT64_MAX / XG_BLKIF_SECTOR, -1,
	    &bf->sectors) < 0 ||
	    backend_u64(bf, "sector-size", UINT32_MAX, -1, &v) < 0)
		return -1;
	if (v != XG_BLKIF_SECTOR)
		return fail(bf, "back end's sector-size is %llu: only 512 "
		    "(no feature-large-sector-size)", (unsigned long long)v);
	bf->sector_size = (uint32_t)v;
	if (backend_u64(bf, "info", UINT32_MAX, 0, &v) < 0)
		return -1;
	bf->info = (uint32_t)v;
	if (backend_u64(bf, "feature-flush-cache", 1, 0, &v) < 0)
		return -1;
	bf->flush = (int)v;
	return 0;
}

/* After a failed connect: Closed, and whatever can be revoked is,
 * keeping the error that made us give up. */
static void
abandon(struct xg_blkfront *bf)
{
	char why[sizeof(bf->err)];

	memcpy(why, bf->err, sizeof(why));
	xg_xenbus_switch(&bf->dev, XenbusStateClosed);
	release(bf);
	memcpy(bf->err, why, sizeof(why));
}

int
xg_blk_connect(struct xg_blkfront *bf, struct xg *xg, struct xg_xs *xs,
    struct xg_gnttab *gt, const char *node)
{
	uint64_t t = bf->timeout_ns, vdev;
	const char *slash = NULL;

	memset(bf, 0, sizeof(*bf));
	bf->timeout_ns = t != 0 ? t : XG_BLK_TIMEOUT_NS;
	bf->xg = xg;
	bf->xs = xs;
	bf->gt = gt;
	for (const char *c = node; *c != '\0'; c++)
		if (*c == '/')
			slash = c;
	/* the handle is the node's last part, as Linux's blkfront */
	if (slash == NULL || xg_blkif_parse_u64(slash + 1, UINT32_MAX,
	    &vdev) < 0)
		return fail(bf, "%s: not a vbd node (device/vbd/NUMBER)",
		    node);
	bf->handle = (uint16_t)vdev;
	if (xg_xenbus_open(&bf->dev, xs, node) < 0)
		return fail(bf, "%s: %s", node, xs->err);
	/* Initialising again: a back end left Closed by an earlier
	 * connection goes back to InitWait for it */
	if (xg_xenbus_switch(&bf->dev, XenbusStateInitialising) < 0)
		return fail(bf, "%s: publishing Initialising: %s", node,
		    xs->err);
	if (wait_backend(bf, 1U << XenbusStateInitWait |
	    1U << XenbusStateInitialised | 1U << XenbusStateConnected,
	    "ready") < 0)
		return -1;
	if (share(bf) < 0 ||
	    front_write_num(bf, "ring-ref", bf->ring_ref) < 0 ||
	    front_write_num(bf, "event-channel", bf->port) < 0 ||
	    front_write(bf, "protocol", XEN_IO_PROTO_ABI_X86_64) < 0)
		goto out;
	if (xg_xenbus_switch(&bf->dev, XenbusStateInitialised) < 0) {
		fail(bf, "%s: publishing Initialised: %s", node, xs->err);
		goto out;
	}
	if (wait_backend(bf, 1U << XenbusStateConnected, "connected") < 0 ||
	    read_backend(bf) < 0)
		goto out;
	if (xg_xenbus_switch(&bf->dev, XenbusStateConnected) < 0) {
		fail(bf, "%s: publishing Connected: %s", node, xs->err);
		goto out;
	}
	bf->state = 1;
	return 0;
out:
	abandon(bf);
	return -1;
}

int
xg_blk_resume(struct xg_blkfront *bf)
{
	char node[sizeof(bf->dev.node)];

	if (bf->state != 1)
		return fail(bf, "resume: the device was not connected");
	memcpy(node, bf->dev.node, sizeof(node));
	return xg_blk_connect(bf, bf->xg, bf->xs, bf->gt, node);
}

static int
free_slot(struct xg_blkfront *bf)
{
	for (int s = 0; s < XG_BLK_SLOTS; s++)
		if (!bf->slot[s].busy)
			return s;
	return -1;
}

static int
busy_slots(struct xg_blkfront *bf)
{
	int n = 0;

	for (int s = 0; s < XG_BLK_SLOTS; s++)
		n += bf->slot[s].busy;
	return n;
}

/* Put REQ on the ring for slot S (it is free, and with at most
 * XG_BLK_SLOTS in flight the ring has room). */
static void
enqueue(struct xg_blkfront *bf, int s, const struct blkif_request *req,
    unsigned char *buf, uint64_t sector, unsigned int nsect)
{
	volatile union blkif_sring_entry *e =
	    &bf->ring.s.ring[bf->req_prod % XG_BLKIF_RING_SIZE];

	memcpy((void *)&e->req, req, sizeof(*req));
	bf->req_prod++;
	bf->slot[s].busy = 1;
	bf->slot[s].op = req->operation;
	bf->slot[s].buf = buf;
	bf->slot[s].sector = sector;
	bf->slot[s].nsect = nsect;
	bf->requests++;
}

/* Publish what was enqueued; tell the back end if it asked to be. */
static void
push(struct xg_blkfront *bf)
{
	volatile struct blkif_sring *s = &bf->ring.s;
	uint32_t old = s->req_prod;

	if (old == bf->req_prod)
		return;
	xg_wmb();	/* the requests before the index that shows them */
	s->req_prod = bf->req_prod;
	xg_mb();	/* the index before reading req_event */
	if (xg_blkif_need_notify(old, bf->req_prod, s->req_event)) {
		xg_evtchn_send(bf->xg, bf->port);
		bf->notifies++;
	}
}

static const char *
op_name(uint8_t op)
{
	return op == BLKIF_OP_READ ? "read" : op == BLKIF_OP_WRITE ?
	    "write" : op == BLKIF_OP_FLUSH_DISKCACHE ? "flush" : "?";
}

/* Take one response off the ring: its slot is free again; *FAILED set
 * (and bf->err) when the back end says the request failed. */
static int
take(struct xg_blkfront *bf, int *failed)
{
	struct blkif_response rsp;
	struct xg_blk_slot *sl;

	memcpy(&rsp, (const void *)&bf->ring.s.ring[bf->rsp_cons %
	    XG_BLKIF_RING_SIZE].rsp, sizeof(rsp));
	bf->rsp_cons++;
	if (rsp.id >= XG_BLK_SLOTS || !bf->slot[rsp.id].busy ||
	    bf->slot[rsp.id].op != rsp.operation)
		return broken(bf, "back end answered request %llu (op %u), "
		    "which is not in flight", (unsigned long long)rsp.id,
		    rsp.operation);
	sl = &bf->slot[rsp.id];
	sl->busy = 0;
	if (rsp.status != BLKIF_RSP_OKAY) {
		*failed = 1;
		return fail(bf, "%s of %u sectors at %llu failed: status %d%s",
		    op_name(sl->op), sl->nsect,
		    (unsigned long long)sl->sector, rsp.status,
		    rsp.status == BLKIF_RSP_EOPNOTSUPP ? " (not supported)" :
		    "");
	}
	if (sl->op == BLKIF_OP_READ)
		memcpy(sl->buf, bf->data[rsp.id],
		    (size_t)sl->nsect * XG_BLKIF_SECTOR);
	return 0;
}

/* Wait (bounded) for responses and take all there are. */
static int
reap(struct xg_blkfront *bf, int *failed)
{
	volatile struct blkif_sring *s = &bf->ring.s;
	uint64_t until = deadline(bf);
	long avail;
	int r;

	for (;;) {
		avail = xg_blkif_unconsumed(s->rsp_prod, bf->rsp_cons,
		    bf->req_prod);
		xg_rmb();	/* the index before the responses */
		if (avail < 0)
			return broken(bf, "back end's rsp_prod %u is "
			    "impossible (consumed %u, requested %u)",
			    s->rsp_prod, bf->rsp_cons, bf->req_prod);
		if (avail > 0)
			break;
		/* clear first, then ask and look again: a response
		 * after the look leaves the port pending for the poll */
		xg_evtchn_test_and_clear(bf->xg, bf->port);
		s->rsp_event = bf->rsp_cons + 1;
		xg_mb();
		if (s->rsp_prod != bf->rsp_cons)
			continue;
		r = xg_evtchn_wait(bf->xg, &bf->port, 1, until);
		if (r == 0)
			return broken(bf, "no response from the back end "
			    "within %llu s (%d requests in flight)",
			    (unsigned long long)(bf->timeout_ns / XG_S),
			    busy_slots(bf));
		if (r < 0)
			return broken(bf, "waiting for the back end: poll "
			    "failed: %d", r);
	}
	while (avail-- > 0)
		if (take(bf, failed) < 0 && bf->state < 0)
			return -1;
	return 0;
}

static int
usable(struct xg_blkfront *bf)
{
	if (bf->state == 1)
		return 0;
	if (bf->state == 0)
		return fail(bf, "not connected");
	/* keep the error that broke it: it is the one to report */
	return -1;
}

static int
io(struct xg_blkfront *bf, uint8_t op, uint64_t sector, uint64_t n,
    unsigned char *buf)
{
	struct blkif_request req;
	uint64_t next = 0;
	int failed = 0, s;

	if (usable(bf) < 0)
		return -1;
	if (sector > bf->sectors || n > bf->sectors - sector)
		return fail(bf, "%s of %llu sectors at %llu: beyond the "
		    "disk's %llu", op_name(op), (unsigned long long)n,
		    (unsigned long long)sector,
		    (unsigned long long)bf->sectors);
	if (op == BLKIF_OP_WRITE && (bf->info & VDISK_READONLY))
		return fail(bf, "write: the disk is read-only");
	for (;;) {
		while (!failed && next < n && (s = free_slot(bf)) >= 0) {
			unsigned int k = n - next < XG_BLKIF_MAX_SECTORS ?
			    (unsigned int)(n - next) : XG_BLKIF_MAX_SECTORS;
			unsigned char *p = buf + next * XG_BLKIF_SECTOR;

			/* a slot's pages are contiguous: one copy */
			if (op == BLKIF_OP_WRITE)
				memcpy(bf->data[s], p,
				    (size_t)k * XG_BLKIF_SECTOR);
			xg_blkif_rw(&req, op, bf->handle, (uint64_t)s,
			    sector + next, k, bf->data_ref[s]);
			enqueue(bf, s, &req, p, sector + next, k);
			next += k;
		}
		push(bf);
		if (busy_slots(bf) == 0)
			break;
		if (reap(bf, &failed) < 0 && bf->state < 0)
			return -1;
	}
	return failed ? -1 : 0;
}

int
xg_blk_read(struct xg_blkfront *bf, uint64_t sector, uint64_t n, void *buf)
{
	return io(bf, BLKIF_OP_READ, sector, n, buf);
}

int
xg_blk_write(struct xg_blkfront *bf, uint64_t sector, uint64_t n,
    const void *buf)
{
	/* the buffer is only read: io copies it into the data pages */
	return io(bf, BLKIF_OP_WRITE, sector, n, (unsigned char *)buf);
}

int
xg_blk_flush(struct xg_blkfront *bf)
{
	struct blkif_request req;
	int failed = 0;

	if (usable(bf) < 0)
		return -1;
	if (!bf->flush)
		return fail(bf, "flush: the back end offers none "
		    "(feature-flush-cache)");
	xg_blkif_flush(&req, bf->handle, 0);
	enqueue(bf, 0, &req, NULL, 0, 0);
	push(bf);
	while (bf->slot[0].busy)
		if (reap(bf, &failed) < 0 && bf->state < 0)
			return -1;
	return failed ? -1 : 0;
}

int
xg_blk_disconnect(struct xg_blkfront *bf)
{
	if (bf->state == 0)
		return fail(bf, "not connected");
	if (xg_xenbus_switch(&bf->dev, XenbusStateClosing) < 0)
		return fail(bf, "%s: publishing Closing: %s", bf->dev.node,
		    bf->xs->err);
	if (wait_backend(bf, 1U << XenbusStateClosing |
	    1U << XenbusStateClosed, "closing") < 0)
		return -1;
	if (xg_xenbus_switch(&bf->dev, XenbusStateClosed) < 0)
		return fail(bf, "%s: publishing Closed: %s", bf->dev.node,
		    bf->xs->err);
	if (wait_backend(bf, 1U << XenbusStateClosed, "closed") < 0)
		return -1;
	return release(bf);
}
