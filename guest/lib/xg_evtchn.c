/*
 * xg_evtchn.c - event channels (see xg_evtchn.h).
 */
#include "xg_evtchn.h"
#include "xg_hcall.h"
#include "xg_time.h"

long
xg_evtchn_alloc_unbound(struct xg *xg, domid_t remote, evtchn_port_t *port)
{
	struct evtchn_alloc_unbound op = { .dom = DOMID_SELF,
	    .remote_dom = remote };
	long rc = xg_evtchn_op(EVTCHNOP_alloc_unbound, &op);

	(void)xg;
	if (rc == 0)
		*port = op.port;
	return rc;
}

long
xg_evtchn_bind_interdomain(struct xg *xg, domid_t remote, evtchn_port_t rport,
    evtchn_port_t *port)
{
	struct evtchn_bind_interdomain op = { .remote_dom = remote,
	    .remote_port = rport };
	long rc = xg_evtchn_op(EVTCHNOP_bind_interdomain, &op);

	(void)xg;
	if (rc == 0)
		*port = op.local_port;
	return rc;
}

long
xg_evtchn_bind_virq(struct xg *xg, uint32_t virq, evtchn_port_t *port)
{
	struct evtchn_bind_virq op = { .virq = virq, .vcpu = 0 };
	long rc = xg_evtchn_op(EVTCHNOP_bind_virq, &op);

	(void)xg;
	if (rc == 0)
		*port = op.port;
	return rc;
}

long
xg_evtchn_close(struct xg *xg, evtchn_port_t port)
{
	struct evtchn_close op = { .port = port };

	(void)xg;
	return xg_evtchn_op(EVTCHNOP_close, &op);
}

long
xg_evtchn_send(struct xg *xg, evtchn_port_t port)
{
	struct evtchn_send op = { .port = port };

	(void)xg;
	return xg_evtchn_op(EVTCHNOP_send, &op);
}

long
xg_evtchn_unmask(struct xg *xg, evtchn_port_t port)
{
	struct evtchn_unmask op = { .port = port };

	(void)xg;
	return xg_evtchn_op(EVTCHNOP_unmask, &op);
}

void
xg_evtchn_mask(struct xg *xg, evtchn_port_t port)
{
	volatile xen_ulong_t *w = &xg->shared->evtchn_mask[port / 64];

	__atomic_fetch_or(w, 1UL << (port % 64), __ATOMIC_SEQ_CST);
}

int
xg_evtchn_test_and_clear(struct xg *xg, evtchn_port_t port)
{
	volatile xen_ulong_t *w = &xg->shared->evtchn_pending[port / 64];
	xen_ulong_t bit = 1UL << (port % 64);

	return (__atomic_fetch_and(w, ~bit, __ATOMIC_SEQ_CST) & bit) != 0;
}

static int
any_pending(struct xg *xg, const evtchn_port_t *ports, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (xg->shared->evtchn_pending[ports[i] / 64] &
		    (1UL << (ports[i] % 64)))
			return 1;
	return 0;
}

int
xg_evtchn_wait(struct xg *xg, const evtchn_port_t *ports, unsigned int n,
    uint64_t deadline)
{
	struct sched_poll poll = { .nr_ports = n, .timeout = deadline };
	long rc;

	set_xen_guest_handle(poll.ports, (evtchn_port_t *)ports);
	for (;;) {
		if (any_pending(xg, ports, n))
			return 1;
		if (deadline != 0 && xg_time_now(xg) >= deadline)
			return 0;
		rc = xg_sched_op(SCHEDOP_poll, &poll);
		if (rc < 0)
			return (int)rc;
	}
}
