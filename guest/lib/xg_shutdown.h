/*
 * xg_shutdown.h - ending the domain (SCHEDOP_shutdown, xen/sched.h):
 * the reason is what `xl` and xk monitor report.  A guest that cannot
 * go on says why on its console and crashes (xg_panic): the rule for
 * anything that would otherwise hang or guess, such as a malformed
 * xenstore reply or a back end that never answers.
 */
#ifndef XG_SHUTDOWN_H
#define XG_SHUTDOWN_H

#include "xg_boot.h"

/* Shut down with REASON (SHUTDOWN_poweroff, _reboot, _crash,
 * _soft_reset, _suspend without resuming); never returns. */
void xg_shutdown(struct xg *xg, unsigned int reason)
    __attribute__((noreturn));

/* Suspend: the toolstack saves the domain (xl save, migrate).  Returns
 * 1 when the suspend was cancelled and the guest goes on in the same
 * domain, 0 when it resumes in a new domain (shared_info, console and
 * xenstore are set up again first: the rings are new), a negative Xen
 * errno value when Xen refused, or when set-up after resume failed.
 * A PVH guest names an event callback vector for the time of the
 * suspend, without which the toolstack could not tell it that the
 * suspend was cancelled (xg_shutdown.c). */
long xg_suspend(struct xg *xg);

/* "xk-guest: panic: " and the message on the console, then crash. */
void xg_panic(struct xg *xg, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 2, 3)));

#endif
