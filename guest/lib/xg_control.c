/*
 * xg_control.c - control/shutdown (see xg_control.h).
 */
#include "xg_control.h"
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
