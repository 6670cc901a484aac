/*
 * ctl.h - the power cap's control loop, in the spirit of Linux's
 * intel_powerclamp: measure the idle time each control window, inject
 * only the shortfall, and learn per target how much injection holds it.
 *
 * Pure arithmetic (no Xen): the daemon feeds it the idle percentage it
 * measured over the pCPUs of the cap and gets back the idle to inject
 * over the next window, which a mechanism (power/xen.h: credit caps)
 * turns into something Xen enforces.
 *
 * The loop is an integral controller on the injected idle r:
 *	r += GAIN * (target - measured)
 * clamped to [0, XK_PC_INJECT_MAX].  Natural idle is never topped up:
 * while nothing is injected and the measured idle is at or above the
 * target, r stays 0.  When a window ends within the guard of the target
 * (powerclamp's guard = 1 + target/20), r is folded into the target's
 * compensation; once a target has XK_PC_CONFIDENT such windows, a
 * later change to it starts from the learned r instead of from the
 * shortfall, which is what makes settling after a change fast.
 */
#ifndef XK_POWER_CTL_H
#define XK_POWER_CTL_H

#include <stdbool.h>

#define XK_PC_GAIN 0.6		/* of the error, per window: < 1 damps noise */
#define XK_PC_INJECT_MAX 99.0	/* more would stop the guests outright */
#define XK_PC_CONFIDENT 3	/* powerclamp's CONFIDENCE_OK */
/*
 * Less than this is no injection: caps are whole percentages, so a
 * smaller r would only leave every guest "capped" at 100% of its vCPUs
 * (and on the books as capped) for nothing.
 */
#define XK_PC_INJECT_MIN 0.5

struct xk_pc_cal {
	double comp;		/* injection that held the target */
	int confidence;		/* windows that ended within the guard */
};

struct xk_pc_ctl {
	int target;		/* idle percent, 0: off */
	double inject;		/* idle percent injected now */
	double last_idle;	/* measured over the last window; -1: none */
	struct xk_pc_cal cal[101];
};

void xk_pc_ctl_init(struct xk_pc_ctl *c);
/* powerclamp's guard band around target, in percentage points. */
int xk_pc_guard(int target);
/*
 * A new target (0..100; the caller checked it against max_idle): the
 * injection restarts from the learned compensation when the target is
 * confident, else from the shortfall of the last natural idle.
 */
void xk_pc_ctl_set_target(struct xk_pc_ctl *c, int target);
/* One control window ended with measured idle percent; the new injection. */
double xk_pc_ctl_step(struct xk_pc_ctl *c, double measured);

#endif
