/*
 * daemon.c - the power cap daemon and its repair (see daemon.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <signal.h>
#include <unistd.h>

#include "power/ctl.h"
#include "power/daemon.h"
#include "power/pcfile.h"
#include "util/file.h"
#include "util/interrupt.h"

struct pcd {
	const struct xk_pc_daemon_cfg *cfg;
	struct xk_pc_xen *x;
	struct xk_pc_settings set;	/* in force */
	struct xk_cpuset cpus;		/* the pCPUs measured */
	struct xk_pc_state st;		/* as in the state file */
	struct xk_pc_ctl ctl;
	struct xk_pc_sample prev;
	int settings_bad;		/* said so already */
	int xen_cur;			/* the injection set, -1: unknown */
	int xen_period_cur;		/* and its period, us */
	long cdev_last;			/* the cooling device's, -1: none */
};

static void say(struct pcd *d, int prio, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(struct pcd *d, int prio, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (d->cfg->say != NULL)
		d->cfg->say(prio, msg, d->cfg->say_arg);
}

/* Is domid still the domain that was recorded (same uuid)? */
static const struct xk_pc_guest *
guest_of(const struct xk_pc_guest *g, int n, uint32_t domid)
{
	int i;

	for (i = 0; i < n; i++)
		if (g[i].domid == domid)
			return &g[i];
	return NULL;
}

int
xk_pc_repair(struct xk_pc_xen *x, const char *dir, int *undone,
    struct xk_error *err)
{
	struct xk_pc_state st;
	struct xk_pc_guest *g = NULL;
	const struct xk_pc_guest *cur;
	int n = 0, rc;
	size_t i;

	*undone = 0;
	if ((rc = xk_pc_state_load(dir, &st, err)) <= 0)
		return rc;
	if (xk_pc_guests(x, &g, &n, err) < 0)
		goto fail;
	/* not counted in *undone: no domain's */
	if (st.xen_pct >= 0 && xk_pc_inject_set(x, st.xen_pct,
	    st.xen_period_us, &rc, err) < 0)
		goto fail;
	for (i = 0; i < st.n; i++) {
		cur = guest_of(g, n, st.doms[i].domid);
		if (cur == NULL || strcmp(cur->uuid, st.doms[i].uuid) != 0)
			continue;	/* gone, or its domid reused */
		if (xk_pc_cap_set(x, st.doms[i].domid, st.doms[i].orig_cap,
		    err) < 0)
			goto fail;
		(*undone)++;
	}
	free(g);
	xk_pc_state_free(&st);
	return xk_pc_state_remove_file(dir, err);
fail:
	free(g);
	xk_pc_state_free(&st);
	return -1;
}

long
xk_pc_daemon_pid(const char *dir, struct xk_error *err)
{
	struct xk_pc_state st;
	char path[64], *cmdline = NULL;
	size_t len = 0;
	long pid;
	int rc;

	if ((rc = xk_pc_state_load(dir, &st, err)) <= 0)
		return rc;
	pid = st.pid;
	xk_pc_state_free(&st);
	if (pid <= 0 || pid == (long)getpid() ||
	    (kill((pid_t)pid, 0) < 0 && errno == ESRCH))
		return 0;
	/* a killed daemon's pid may be someone else's by now */
	snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
	if (xk_read_file(path, 65536, &cmdline, &len, err) < 0) {
		xk_error_clear(err);
		return 0;
	}
	rc = memmem(cmdline, len, "powercap", 8) != NULL;
	free(cmdline);
	return rc ? pid : 0;
}

/* A domain's cap for an injection of inject% over ncpus pCPUs. */
static int
cap_for(double inject, int vcpus, int ncpus)
{
	int share = vcpus < ncpus ? vcpus : ncpus;
	int cap = (int)((100.0 - inject) * (share > 0 ? share : 1) + 0.5);

	return cap < 1 ? 1 : cap;
}

static int
give_back(struct pcd *d, uint32_t domid, struct xk_error *err)
{
	struct xk_pc_dom *r = xk_pc_state_find(&d->st, domid);

	if (r == NULL)
		return 0;
	if (xk_pc_cap_set(d->x, domid, r->orig_cap, err) < 0)
		return -1;
	xk_pc_state_remove(&d->st, domid);
	return 0;
}

/* Record g (and its cap before) in the state file, before capping it. */
static int
record(struct pcd *d, const struct xk_pc_guest *g, struct xk_error *err)
{
	int cap;

	if (xk_pc_cap_get(d->x, g->domid, &cap, err) < 0 ||
	    xk_pc_state_add(&d->st, g->domid, g->uuid, cap, err) < 0)
		return -1;
	if (xk_pc_state_store(d->cfg->dir, &d->st, err) < 0) {
		xk_pc_state_remove(&d->st, g->domid);
		return -1;
	}
	return 0;
}

/*
 * Forget recorded domains that are gone (or whose domid now names a
 * new domain: that one was never capped by us).
 */
static void
forget_gone(struct pcd *d, const struct xk_pc_guest *g, int n)
{
	const struct xk_pc_guest *cur;
	size_t i = 0;

	while (i < d->st.n) {
		cur = guest_of(g, n, d->st.doms[i].domid);
		if (cur == NULL || strcmp(cur->uuid, d->st.doms[i].uuid)) {
			say(d, LOG_INFO, "domain %u is gone: forgotten",
			    d->st.doms[i].domid);
			xk_pc_state_remove(&d->st, d->st.doms[i].domid);
		} else
			i++;
	}
}

/* A recorded domain's cap, when it changes (a hypercall saved a window). */
static int
set_cap(struct pcd *d, uint32_t domid, int cap, struct xk_error *err)
{
	struct xk_pc_dom *r = xk_pc_state_find(&d->st, domid);

	if (r->cur_cap == cap)
		return 0;
	if (xk_pc_cap_set(d->x, domid, cap, err) < 0)
		return -1;
	r->cur_cap = cap;
	return 0;
}

/*
 * The hypervisor's injection back to what it was before the daemon
 * first set it (recorded in the state file), when it did.
 */
static int
xen_give_back(struct pcd *d, struct xk_error *err)
{
	int unsupported;

	if (d->st.xen_pct < 0)
		return 0;
	if (xk_pc_inject_set(d->x, d->st.xen_pct, d->st.xen_period_us,
	    &unsupported, err) < 0)
		return -1;
	d->st.xen_pct = -1;
	d->xen_cur = -1;
	return xk_pc_state_store(d->cfg->dir, &d->st, err);
}

/*
 * Mechanism xen: the hypervisor idles every pCPU for inject% of each
 * period, all at once.  Its setting before is recorded in the state
 * file before the first change, as a guest's cap is.
 */
static int
xen_enforce(struct pcd *d, double inject, struct xk_error *err)
{
	int pct = (int)(inject + 0.5), period, unsupported;
	int want_us = d->set.period_ms * 1000;

	if (pct > XK_PC_XEN_INJECT_MAX)
		pct = XK_PC_XEN_INJECT_MAX;
	if (pct == d->xen_cur && want_us == d->xen_period_cur)
		return 0;
	if (d->st.xen_pct < 0) {
		if (pct == 0)
			return 0;
		if (xk_pc_inject_get(d->x, &d->st.xen_pct, &period,
		    &unsupported, err) < 0)
			return -1;
		d->st.xen_period_us = period;
		if (xk_pc_state_store(d->cfg->dir, &d->st, err) < 0) {
			d->st.xen_pct = -1;
			return -1;
		}
	}
	if (xk_pc_inject_set(d->x, pct, want_us, &unsupported, err) < 0)
		return -1;
	d->xen_cur = pct;
	d->xen_period_cur = want_us;
	return 0;
}

/* Apply inject% to every guest: caps, or none when 0. */
static int
enforce_caps(struct pcd *d, double inject, struct xk_error *err)
{
	struct xk_pc_guest *g;
	int i, n, ncpus = xk_cpuset_count(&d->cpus);

	if (xk_pc_guests(d->x, &g, &n, err) < 0)
		return -1;
	forget_gone(d, g, n);
	for (i = 0; i < n; i++) {
		struct xk_error e = { 0 };
		int rc;

		if (inject <= 0)
			rc = give_back(d, g[i].domid, &e);
		else if (xk_pc_state_find(&d->st, g[i].domid) == NULL &&
		    record(d, &g[i], &e) < 0)
			rc = -1;
		else
			rc = set_cap(d, g[i].domid, cap_for(inject,
			    g[i].vcpus, ncpus), &e);
		/* a domain going away under us is no reason to stop */
		if (rc < 0)
			say(d, LOG_WARNING, "%s", e.msg);
	}
	free(g);
	return 0;
}

/* inject% by the mechanism of the settings; the other one's undone. */
static int
enforce(struct pcd *d, double inject, struct xk_error *err)
{
	if (d->set.mechanism == XK_PC_MECH_XEN)
		return enforce_caps(d, 0, err) < 0 ? -1 :
		    xen_enforce(d, inject, err);
	return xen_give_back(d, err) < 0 ? -1 :
	    enforce_caps(d, inject, err);
}

/* The pCPUs of the settings, checked against the host's. */
static int
settings_cpus(struct pcd *d, const struct xk_pc_settings *s,
    struct xk_cpuset *out, struct xk_error *err)
{
	int nr = xk_pc_xen_nr_cpus(d->x);

	if (s->all_cpus) {
		xk_cpuset_fill(out, nr);
		return 0;
	}
	if (xk_cpuset_last(&s->cpus) >= nr) {
		xk_error_set(err, "cpus: pCPU %d: the host has %d (0-%d)",
		    xk_cpuset_last(&s->cpus), nr, nr - 1);
		return -1;
	}
	*out = s->cpus;
	return 0;
}

/*
 * The xen_powerclamp cooling device (share/powercap): a change of its
 * cur_state becomes the target, written into the settings file so that
 * `xk powercap show` and the next window agree (the last writer, the
 * device or `xk powercap set`, wins).  A device found at 0 when the
 * daemon starts asks for nothing.
 */
static void
follow_cdev(struct pcd *d)
{
	struct xk_pc_settings s;
	struct xk_error e = { 0 };
	char *text = NULL, *end;
	size_t len;
	long v;

	if (access(XK_PC_CDEV, R_OK) < 0) {
		d->cdev_last = -1;
		return;
	}
	if (xk_read_file(XK_PC_CDEV, 64, &text, &len, &e) < 0)
		return;
	v = strtol(text, &end, 10);
	free(text);
	if (v < 0 || v > 100 || v == d->cdev_last)
		return;
	if (d->cdev_last < 0 && v == 0) {
		d->cdev_last = 0;
		return;
	}
	d->cdev_last = v;
	if (xk_pc_settings_load(d->cfg->dir, &s, &e) < 0)
		xk_pc_settings_default(&s);
	if (v > s.max_idle) {
		say(d, LOG_ERR, "cooling device: %ld%% is above max_idle %d%%: "
		    "ignored", v, s.max_idle);
		return;
	}
	s.target = (int)v;
	if (xk_pc_settings_store(d->cfg->dir, &s, &e) < 0)
		say(d, LOG_ERR, "cooling device: %s", e.msg);
}

/* Has the hypervisor idle injection? (A set on stock Xen gets there.) */
static int
xen_probe(struct pcd *d, struct xk_error *err)
{
	int pct, period, unsupported;

	return xk_pc_inject_get(d->x, &pct, &period, &unsupported, err);
}

/* Take up the settings file's contents; a bad file keeps the last good. */
static void
reload(struct pcd *d)
{
	struct xk_pc_settings s;
	struct xk_cpuset cpus;
	struct xk_error e = { 0 };

	follow_cdev(d);
	if (xk_pc_settings_load(d->cfg->dir, &s, &e) < 0 ||
	    settings_cpus(d, &s, &cpus, &e) < 0 ||
	    (s.mechanism == XK_PC_MECH_XEN && d->set.mechanism !=
	    XK_PC_MECH_XEN && xen_probe(d, &e) < 0)) {
		if (!d->settings_bad)
			say(d, LOG_ERR, "%s: keeping target %d%%", e.msg,
			    d->set.target);
		d->settings_bad = 1;
		return;
	}
	d->settings_bad = 0;
	if (s.target != d->set.target)
		say(d, LOG_INFO, "target %d%% idle (was %d%%)", s.target,
		    d->set.target);
	/*
	 * What held a target with caps says nothing of what holds it in
	 * the hypervisor (caps overshoot under TCG): learn afresh
	 */
	if (s.mechanism != d->set.mechanism) {
		say(d, LOG_INFO, "mechanism %s (was %s)",
		    xk_pc_mechanism_name(s.mechanism),
		    xk_pc_mechanism_name(d->set.mechanism));
		xk_pc_ctl_init(&d->ctl);
	}
	d->set = s;
	d->cpus = cpus;
	xk_pc_ctl_set_target(&d->ctl, s.target);
}

static void
sleep_until(int64_t ns)
{
	struct timespec ts = { ns / 1000000000, ns % 1000000000 };

	/* EINTR: a signal; the loop looks at the flag */
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

/* One control window's end: measure, step, enforce, record. */
static int
window(struct pcd *d, struct xk_error *err)
{
	struct xk_pc_sample cur;
	double idle, inject;

	if (xk_pc_sample(d->x, &cur, err) < 0)
		return -1;
	idle = xk_pc_idle(&d->prev, &cur, &d->cpus, NULL);
	d->prev = cur;
	reload(d);
	if (idle < 0)
		return 0;
	inject = xk_pc_ctl_step(&d->ctl, idle);
	if (enforce(d, inject, err) < 0)
		return -1;
	d->st.target = d->set.target;
	d->st.inject = inject;
	d->st.idle = idle;
	return xk_pc_state_store(d->cfg->dir, &d->st, err);
}

static int
loop(struct pcd *d, struct xk_error *err)
{
	int64_t next;

	if (xk_pc_sample(d->x, &d->prev, err) < 0)
		return -1;
	next = d->prev.when_ns;
	while (xk_interrupt_signal() == 0) {
		next += (int64_t)d->set.window_ms * 1000000;
		sleep_until(next);
		if (xk_interrupt_signal() != 0)
			break;
		if (window(d, err) < 0)
			/* a signal cut a write short: stopping anyway */
			return xk_interrupt_signal() != 0 ? 0 : -1;
		/* a late wake-up (a loaded dom0) starts a fresh grid */
		if (d->prev.when_ns > next + (int64_t)d->set.window_ms *
		    1000000)
			next = d->prev.when_ns;
	}
	return 0;
}

int
xk_pc_run(const struct xk_pc_daemon_cfg *cfg, struct xk_error *err)
{
	struct pcd d = { .cfg = cfg, .cdev_last = -1, .xen_cur = -1 };
	struct xk_error e2 = { 0 };
	int undone, rc;
	long other;

	xk_pc_settings_default(&d.set);
	xk_pc_ctl_init(&d.ctl);
	xk_pc_state_init(&d.st);
	if (xk_interrupt_catch(err) < 0 ||
	    (d.x = xk_pc_xen_open(err)) == NULL)
		return -1;
	xk_cpuset_fill(&d.cpus, xk_pc_xen_nr_cpus(d.x));
	if ((other = xk_pc_daemon_pid(cfg->dir, err)) != 0) {
		if (other > 0)
			xk_error_set(err, "another powercap daemon runs (pid "
			    "%ld)", other);
		xk_pc_xen_close(d.x);
		return -1;
	}
	if (xk_pc_repair(d.x, cfg->dir, &undone, err) < 0) {
		xk_error_prefix(err, "undoing a previous daemon's caps");
		xk_pc_xen_close(d.x);
		return -1;
	}
	if (undone > 0)
		say(&d, LOG_WARNING, "a previous daemon left %d domain%s "
		    "capped: caps given back", undone, undone > 1 ? "s" : "");
	d.st.pid = (long)getpid();
	rc = xk_pc_state_store(cfg->dir, &d.st, err) < 0 ? -1 :
	    loop(&d, err);
	/* on every way out: caps back, state file gone */
	if (xk_pc_repair(d.x, cfg->dir, &undone, &e2) < 0) {
		if (rc < 0)
			say(&d, LOG_ERR, "undoing the caps: %s", e2.msg);
		else
			*err = e2;
		rc = -1;
	}
	xk_pc_state_free(&d.st);
	xk_pc_xen_close(d.x);
	return rc;
}
