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

/*
 * Serve a request in control/shutdown, if there is one: take it, say
 * "xk-guest: control REQ" on the console, and
 *  - poweroff, halt, reboot: return the reason for the caller to shut
 *    down with once it has said what it must;
 *  - suspend: suspend (xg_suspend); resumed in a new domain, take the
 *    new xenstore ring (xg_xs_resume) and call RESUMED(ARG) for what
 *    else is the caller's to set up again (its watches, the grant
 *    table, its devices); say "xk-guest: resumed" or "xk-guest:
 *    suspend cancelled"; return -1: go on.
 * Also -1 when nothing was asked or the request is not one of these
 * (said on the console).  A failed acknowledgement or suspend is what a
 * guest cannot go on from: xg_panic.
 */
int xg_control_serve(struct xg_xs *xs, void (*resumed)(void *), void *arg);

#endif
