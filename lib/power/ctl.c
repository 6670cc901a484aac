/*
 * ctl.c - the control loop (see ctl.h for the why).
 */
#include <string.h>

#include "power/ctl.h"

void
xk_pc_ctl_init(struct xk_pc_ctl *c)
{
	memset(c, 0, sizeof(*c));
	c->last_idle = -1;
}

int
xk_pc_guard(int target)
{
	return 1 + target / 20;
}

static double
clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

void
xk_pc_ctl_set_target(struct xk_pc_ctl *c, int target)
{
	double natural;

	if (target < 0)
		target = 0;
	if (target > 100)
		target = 100;
	if (target == c->target)
		return;
	c->target = target;
	if (target == 0) {
		c->inject = 0;
		return;
	}
	if (c->cal[target].confidence >= XK_PC_CONFIDENT) {
		c->inject = c->cal[target].comp;
		return;
	}
	/*
	 * What idle there would be without injection: measured minus
	 * what was injected (an estimate while injecting; exact when
	 * not).  Unknown before a first window: assume none.
	 */
	natural = c->last_idle < 0 ? 0 : clamp(c->last_idle - c->inject,
	    0, 100);
	c->inject = clamp(target - natural, 0, XK_PC_INJECT_MAX);
	if (c->inject < XK_PC_INJECT_MIN)
		c->inject = 0;
}

static void
learn(struct xk_pc_ctl *c)
{
	struct xk_pc_cal *k = &c->cal[c->target];

	if (k->confidence == 0)
		k->comp = c->inject;
	else	/* a running mean that keeps following slow changes */
		k->comp = (k->comp * 3 + c->inject) / 4;
	if (k->confidence < 1000)
		k->confidence++;
}

double
xk_pc_ctl_step(struct xk_pc_ctl *c, double measured)
{
	double err;

	measured = clamp(measured, 0, 100);
	c->last_idle = measured;
	if (c->target == 0) {
		c->inject = 0;
		return 0;
	}
	err = c->target - measured;
	if (c->inject == 0 && err <= 0)
		return 0;	/* natural idle suffices: inject nothing */
	if (err >= -xk_pc_guard(c->target) && err <= xk_pc_guard(c->target)
	    && c->inject > 0)
		learn(c);
	c->inject = clamp(c->inject + XK_PC_GAIN * err, 0, XK_PC_INJECT_MAX);
	if (c->inject < XK_PC_INJECT_MIN)
		c->inject = 0;
	return c->inject;
}
