/*
 * xg_control.h - the toolstack's requests to the guest in its
 * xenstore home's control/shutdown (xl shutdown, xl reboot, xl save):
 * taken and acknowledged here; what to do about each is the guest's.
 */
#ifndef XG_CONTROL_H
#define XG_CONTROL_H

#include <stddef.h>

#include "xg_xs.h"

/* Take the request in control/shutdown into REQ (CAP bytes, NUL
 * added) and acknowledge it by emptying the key, which libxl waits
 * for.  1: a request taken; 0: none (the key empty or gone); -1: the
 * acknowledgement failed (xs->err). */
int xg_control_take(struct xg_xs *xs, char *req, size_t cap);

/* The shutdown reason REQ asks for: SHUTDOWN_poweroff for "poweroff"
 * and "halt", SHUTDOWN_reboot, SHUTDOWN_suspend; -1 for anything
 * else. */
int xg_control_reason(const char *req);

#endif
