/*
 * xen.c - idle counters and scheduler caps through libxenctrl and libxl.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xenctrl.h>
#include <xencall.h>

#include "power/xen.h"

struct xk_pc_xen {
	xc_interface *xch;
	xencall_handle *xcall;		/* opened by the first inject call */
	int nr_cpus;
};

/*
 * libxenctrl only: the daemon calls these every window, and libxl's
 * versions look up the domain's cpupool (xenstore) on each call, which
 * under a loaded dom0 cost a third of a pCPU at one window a second.
 */
struct xk_pc_xen *
xk_pc_xen_open(struct xk_error *err)
{
	struct xk_pc_xen *x = calloc(1, sizeof(*x));
	xc_physinfo_t info = { 0 };

	if (x == NULL) {
		xk_error_errno(err, errno, "Xen");
		return NULL;
	}
	x->xch = xc_interface_open(NULL, NULL, 0);
	if (x->xch == NULL) {
		xk_error_errno(err, errno, "xc_interface_open (is this a "
		    "Xen dom0, run as root?)");
		goto fail;
	}
	if (xc_physinfo(x->xch, &info) != 0) {
		xk_error_errno(err, errno, "xc_physinfo");
		goto fail;
	}
	x->nr_cpus = (int)info.nr_cpus;
	if (x->nr_cpus > XK_CPUSET_MAX)
		x->nr_cpus = XK_CPUSET_MAX;
	return x;
fail:
	xk_pc_xen_close(x);
	return NULL;
}

void
xk_pc_xen_close(struct xk_pc_xen *x)
{
	if (x == NULL)
		return;
	if (x->xch != NULL)
		xc_interface_close(x->xch);
	if (x->xcall != NULL)
		xencall_close(x->xcall);
	free(x);
}

int
xk_pc_xen_nr_cpus(const struct xk_pc_xen *x)
{
	return x->nr_cpus;
}

int
xk_pc_sample(struct xk_pc_xen *x, struct xk_pc_sample *s,
    struct xk_error *err)
{
	xc_cpuinfo_t *info;
	struct timespec ts;
	int i, nr = 0;

	if ((info = calloc((size_t)x->nr_cpus, sizeof(*info))) == NULL) {
		xk_error_errno(err, errno, "idle counters");
		return -1;
	}
	if (xc_getcpuinfo(x->xch, x->nr_cpus, info, &nr) != 0) {
		xk_error_errno(err, errno, "xc_getcpuinfo");
		free(info);
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	s->when_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	s->nr = nr;
	for (i = 0; i < nr; i++)
		s->idle_ns[i] = info[i].idletime;
	free(info);
	return 0;
}

double
xk_pc_idle(const struct xk_pc_sample *a, const struct xk_pc_sample *b,
    const struct xk_cpuset *set, double *per)
{
	int64_t dt = b->when_ns - a->when_ns;
	int i, n = a->nr < b->nr ? a->nr : b->nr, used = 0;
	double sum = 0, v;

	if (dt <= 0)
		return -1;
	for (i = 0; i < n; i++) {
		v = b->idle_ns[i] >= a->idle_ns[i] ?
		    100.0 * (double)(b->idle_ns[i] - a->idle_ns[i]) / dt : 0;
		/* the counter and the clock are read a moment apart */
		v = v > 100 ? 100 : v;
		if (per != NULL)
			per[i] = v;
		if (xk_cpuset_has(set, i)) {
			sum += v;
			used++;
		}
	}
	return used ? sum / used : -1;
}

int
xk_pc_guests(struct xk_pc_xen *x, struct xk_pc_guest **out, int *n,
    struct xk_error *err)
{
	enum { CHUNK = 256 };
	xc_domaininfo_t info[CHUNK];
	struct xk_pc_guest *g = NULL, *ng;
	uint32_t next = 1;		/* dom0 is never capped */
	int i, got, k = 0;
	const uint8_t *u;

	do {
		got = xc_domain_getinfolist(x->xch, next, CHUNK, info);
		if (got < 0) {
			xk_error_errno(err, errno, "xc_domain_getinfolist");
			free(g);
			return -1;
		}
		if ((ng = realloc(g, (size_t)(k + got + 1) * sizeof(*g))) ==
		    NULL) {
			xk_error_errno(err, errno, "domain list");
			free(g);
			return -1;
		}
		g = ng;
		for (i = 0; i < got; i++) {
			next = info[i].domain + 1U;
			/*
			 * A domain shut down for a suspend may resume
			 * (xl save -c): kept, so that its cap is not lost
			 */
			if (info[i].flags & XEN_DOMINF_dying)
				continue;
			u = info[i].handle;
			g[k].domid = info[i].domain;
			snprintf(g[k].uuid, sizeof(g[k].uuid), "%02x%02x%02x%02x"
			    "-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
			    u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8],
			    u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
			g[k].vcpus = (int)info[i].max_vcpu_id + 1;
			k++;
		}
	} while (got == CHUNK);
	*out = g;
	*n = k;
	return 0;
}

/*
 * The cap through whichever of credit2 and credit runs the domain's
 * cpupool: the other refuses with EINVAL.  Weight 0 leaves the weight.
 */
int
xk_pc_cap_get(struct xk_pc_xen *x, uint32_t domid, int *cap,
    struct xk_error *err)
{
	struct xen_domctl_sched_credit2 c2 = { 0, 0 };
	struct xen_domctl_sched_credit c1 = { 0, 0 };

	if (xc_sched_credit2_domain_get(x->xch, domid, &c2) == 0) {
		*cap = c2.cap;
		return 0;
	}
	if (errno == EINVAL &&
	    xc_sched_credit_domain_get(x->xch, domid, &c1) == 0) {
		*cap = c1.cap;
		return 0;
	}
	xk_error_errno(err, errno, "domain %u: reading its cap (credit2 "
	    "or credit scheduler?)", domid);
	return -1;
}

int
xk_pc_cap_set(struct xk_pc_xen *x, uint32_t domid, int cap,
    struct xk_error *err)
{
	struct xen_domctl_sched_credit2 c2 = { 0, (uint16_t)cap };
	struct xen_domctl_sched_credit c1 = { 0, (uint16_t)cap };

	if (xc_sched_credit2_domain_set(x->xch, domid, &c2) == 0)
		return 0;
	if (errno == EINVAL &&
	    xc_sched_credit_domain_set(x->xch, domid, &c1) == 0)
		return 0;
	xk_error_errno(err, errno, "domain %u: setting its cap to %d%% "
	    "(credit2 or credit scheduler?)", domid, cap);
	return -1;
}

/*
 * XEN_SYSCTL_idle_inject is not in Debian's headers (the patch adds
 * it), nor is there a libxenctrl call for it: the sysctl is issued
 * through libxencall as libxenctrl issues its own, with the layout of
 * the patch's public/sysctl.h (the union is 128 bytes there).
 */
#define PC_SYSCTL_idle_inject 30
#define PC_INJECT_get 0
#define PC_INJECT_set 1

struct pc_sysctl {
	uint32_t cmd;
	uint32_t interface_version;
	union {
		struct {
			uint32_t cmd, pct, period_us, pad;
		} idle_inject;
		uint8_t pad[128];
	} u;
};

static int
inject_op(struct xk_pc_xen *x, uint32_t cmd, int *pct, int *period_us,
    int *unsupported, struct xk_error *err)
{
	struct pc_sysctl *op;
	int rc, e;

	*unsupported = 0;
	if (x->xcall == NULL && (x->xcall = xencall_open(NULL, 0)) == NULL) {
		xk_error_errno(err, errno, "xencall_open");
		return -1;
	}
	if ((op = xencall_alloc_buffer(x->xcall, sizeof(*op))) == NULL) {
		xk_error_errno(err, errno, "xencall_alloc_buffer");
		return -1;
	}
	memset(op, 0, sizeof(*op));
	op->cmd = PC_SYSCTL_idle_inject;
	op->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
	op->u.idle_inject.cmd = cmd;
	op->u.idle_inject.pct = (uint32_t)*pct;
	op->u.idle_inject.period_us = (uint32_t)*period_us;
	rc = xencall1(x->xcall, __HYPERVISOR_sysctl, (uint64_t)(uintptr_t)op);
	e = errno;
	if (rc == 0) {
		*pct = (int)op->u.idle_inject.pct;
		*period_us = (int)op->u.idle_inject.period_us;
	}
	xencall_free_buffer(x->xcall, op);
	if (rc == 0)
		return 0;
	if (e == ENOSYS || e == EOPNOTSUPP) {
		*unsupported = 1;
		xk_error_set(err, "this hypervisor has no idle injection "
		    "(XEN_SYSCTL_idle_inject answers %s): it is Xen with "
		    "share/xen-patches/powercap only; use the caps mechanism",
		    e == ENOSYS ? "ENOSYS" : "EOPNOTSUPP");
	} else
		xk_error_errno(err, e, "XEN_SYSCTL_idle_inject %s",
		    cmd == PC_INJECT_get ? "get" : "set");
	return -1;
}

int
xk_pc_inject_get(struct xk_pc_xen *x, int *pct, int *period_us,
    int *unsupported, struct xk_error *err)
{
	*pct = 0;
	*period_us = 0;
	return inject_op(x, PC_INJECT_get, pct, period_us, unsupported, err);
}

int
xk_pc_inject_set(struct xk_pc_xen *x, int pct, int period_us,
    int *unsupported, struct xk_error *err)
{
	return inject_op(x, PC_INJECT_set, &pct, &period_us, unsupported,
	    err);
}
