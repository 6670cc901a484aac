/*
 * xg_shutdown.c - shutdown, suspend and panic (see xg_shutdown.h).
 */
#include "xg_console.h"
#include "xg_hcall.h"
#include "xg_shutdown.h"

void
xg_shutdown(struct xg *xg, unsigned int reason)
{
	struct sched_shutdown sd = { .reason = reason };

	(void)xg;
	for (;;)	/* returns only for suspend; never for the others */
		xg_sched_op(SCHEDOP_shutdown, &sd);
}

/*
 * A PVH guest's event callback (HVM_PARAM_CALLBACK_IRQ).  It matters for
 * one thing here: the toolstack's fast resume after a cancelled suspend
 * (xl save -c, a checkpoint) writes the hypercall's return value 1 only
 * into a guest that has one (libxc's modify_returncode: "HVM guests
 * without PV drivers have no return code to modify"); without it the
 * guest would take the cancel for a resume in a new domain.  The vector
 * is never taken: the library runs with interrupts off and polls its
 * event channels.  0xf3 is the one Linux uses.
 */
#define XG_CALLBACK_VECTOR ((uint64_t)HVM_PARAM_CALLBACK_TYPE_VECTOR << 56 | 0xf3)

static long
set_callback(uint64_t value)
{
	struct xen_hvm_param p = { .domid = DOMID_SELF,
	    .index = HVM_PARAM_CALLBACK_IRQ, .value = value };

	return xg_hvm_op(HVMOP_set_param, &p);
}

long
xg_suspend(struct xg *xg)
{
	struct sched_shutdown sd = { .reason = SHUTDOWN_suspend };
	unsigned long srec = 0;
	long rc;

	/* a PV guest names its start_info frame (the "suspend record") in
	 * the third argument: the toolstack rewrites it for the resume */
	if (xg->mode == XG_PV)
		srec = xg_frame(xg, xg->start_info);
	else if ((rc = set_callback(XG_CALLBACK_VECTOR)) != 0)
		return rc;
	rc = xg_hcall3(__HYPERVISOR_sched_op, SCHEDOP_shutdown,
	    (unsigned long)&sd, srec);
	if (xg->mode != XG_PV)
		set_callback(0);	/* as before; none in a new domain */
	if (rc == 0 && xg_platform_setup(xg) < 0)
		return -1;
	return rc;
}

void
xg_panic(struct xg *xg, const char *fmt, ...)
{
	va_list ap;

	xg_printf(xg, "xk-guest: panic: ");
	va_start(ap, fmt);
	xg_vprintf(xg, fmt, ap);
	va_end(ap);
	xg_printf(xg, "\n");
	xg_shutdown(xg, SHUTDOWN_crash);
}
