/*
 * xg_control.c - control/shutdown (see xg_control.h).
 */
#include "xg_console.h"
#include "xg_control.h"
#include "xg_shutdown.h"
#include "xg_string.h"
#include "xg_xen.h"

int
xg_control_take(struct xg_xs *xs, char *req, size_t cap)
{
	if (xg_xs_read(xs, 0, "control/shutdown", req, cap) <= 0)
		return 0;
	return xg_xs_write(xs, 0, "control/shutdown", "") < 0 ? -1 : 1;
}

int
xg_control_reason(const char *req)
{
	if (strcmp(req, "poweroff") == 0 || strcmp(req, "halt") == 0)
		return SHUTDOWN_poweroff;
	if (strcmp(req, "reboot") == 0)
		return SHUTDOWN_reboot;
	if (strcmp(req, "suspend") == 0)
		return SHUTDOWN_suspend;
	return -1;
}

int
xg_control_serve(struct xg_xs *xs, void (*resumed)(void *), void *arg)
{
	char req[32];
	long rc;
	int r = xg_control_take(xs, req, sizeof(req));

	if (r < 0)
		xg_panic(xs->xg, "cannot acknowledge control/shutdown: %s",
		    xs->err);
	if (r == 0)
		return -1;	/* gone, empty: nothing asked */
	xg_printf(xs->xg, "xk-guest: control %s\n", req);
	r = xg_control_reason(req);
	if (r < 0)
		xg_printf(xs->xg, "xk-guest: control %s: not a request a "
		    "guest knows, ignored\n", req);
	if (r != SHUTDOWN_suspend)
		return r;
	rc = xg_suspend(xs->xg);
	if (rc < 0)
		xg_panic(xs->xg, "suspend failed: %ld", rc);
	if (rc == 0) {	/* a new domain: new rings, no watches */
		xg_xs_resume(xs);
		if (resumed != NULL)
			resumed(arg);
	}
	xg_printf(xs->xg, "xk-guest: %s\n", rc == 0 ? "resumed" :
	    "suspend cancelled");
	return -1;
}
