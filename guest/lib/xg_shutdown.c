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
	rc = xg_hcall3(__HYPERVISOR_sched_op, SCHEDOP_shutdown,
	    (unsigned long)&sd, srec);
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
