/*
 * xg_evtchn.h - event channels, 2-level ABI (xen/event_channel.h): the
 * pending and mask bitmaps live in shared_info.  Guests of this
 * library take no upcalls (xg_boot.h): they wait for ports with
 * SCHEDOP_poll, which returns when one of them is pending, masked or
 * not, or when the deadline (Xen system time, xg_time.h) passes.
 * Functions return 0 or a negative Xen errno value.
 */
#ifndef XG_EVTCHN_H
#define XG_EVTCHN_H

#include "xg_boot.h"

/* A port another domain (REMOTE) may bind to. */
long xg_evtchn_alloc_unbound(struct xg *xg, domid_t remote,
    evtchn_port_t *port);
/* A port bound to REMOTE's port RPORT. */
long xg_evtchn_bind_interdomain(struct xg *xg, domid_t remote,
    evtchn_port_t rport, evtchn_port_t *port);
/* A port for virtual interrupt VIRQ (e.g. VIRQ_TIMER) of vCPU 0. */
long xg_evtchn_bind_virq(struct xg *xg, uint32_t virq, evtchn_port_t *port);
long xg_evtchn_close(struct xg *xg, evtchn_port_t port);
long xg_evtchn_send(struct xg *xg, evtchn_port_t port);
long xg_evtchn_unmask(struct xg *xg, evtchn_port_t port);
void xg_evtchn_mask(struct xg *xg, evtchn_port_t port);

/* Is PORT pending?  Clear it and say whether it was. */
int xg_evtchn_test_and_clear(struct xg *xg, evtchn_port_t port);

/* Block until one of the N ports is pending or Xen's system time
 * reaches DEADLINE (ns; 0: no deadline).  Pending bits are left set:
 * clear them (xg_evtchn_test_and_clear) before looking at what the
 * event announces, so that a later one is not lost.  Returns 1 when a
 * port is pending, 0 at the deadline, a negative errno value when Xen
 * refuses the poll. */
int xg_evtchn_wait(struct xg *xg, const evtchn_port_t *ports, unsigned int n,
    uint64_t deadline);

#endif
