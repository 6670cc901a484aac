/*
 * xen.h - what the power cap reads from Xen and changes in it, on stock
 * Xen 4.17 from dom0: per-pCPU idle time (XEN_SYSCTL_getcpuinfo, the
 * idle vCPU's running time: it works everywhere, QEMU's TCG included)
 * and the scheduler's per-domain cap (credit2's budget, credit1's
 * parking: a percentage of one pCPU, 0 = none); and on a hypervisor
 * with share/xen-patches/powercap, its own idle injection
 * (XEN_SYSCTL_idle_inject: every pCPU idle in the same moments).
 */
#ifndef XK_POWER_XEN_H
#define XK_POWER_XEN_H

#include <stdint.h>

#include "power/cpuset.h"
#include "util/error.h"

struct xk_pc_xen;

/* A moment's idle counters: ns since boot per pCPU, and when. */
struct xk_pc_sample {
	int64_t when_ns;		/* CLOCK_MONOTONIC */
	int nr;				/* pCPUs read */
	uint64_t idle_ns[XK_CPUSET_MAX];
};

/* A guest domain as the cap sees it. */
struct xk_pc_guest {
	uint32_t domid;
	char uuid[37];
	int vcpus;			/* all it has: credit2 caps count them */
};

struct xk_pc_xen *xk_pc_xen_open(struct xk_error *err);
void xk_pc_xen_close(struct xk_pc_xen *x);
int xk_pc_xen_nr_cpus(const struct xk_pc_xen *x);

int xk_pc_sample(struct xk_pc_xen *x, struct xk_pc_sample *s,
    struct xk_error *err);
/*
 * Idle percent between two samples: of each pCPU (per[i], for i < the
 * samples' nr; may be NULL) and the mean over the pCPUs of set.
 * Returns -1 when no time passed or the set has no pCPU read.
 */
double xk_pc_idle(const struct xk_pc_sample *a, const struct xk_pc_sample *b,
    const struct xk_cpuset *set, double *per);

/* Every domain but dom0 and the dying, *n of them (the caller frees *out). */
int xk_pc_guests(struct xk_pc_xen *x, struct xk_pc_guest **out, int *n,
    struct xk_error *err);
int xk_pc_cap_get(struct xk_pc_xen *x, uint32_t domid, int *cap,
    struct xk_error *err);
int xk_pc_cap_set(struct xk_pc_xen *x, uint32_t domid, int cap,
    struct xk_error *err);

/*
 * The hypervisor's idle injection (XEN_SYSCTL_idle_inject, from
 * share/xen-patches/powercap): pct of each period_us idle on every
 * pCPU, aligned.  On a hypervisor without it, get and set fail with
 * *unsupported set to 1 (the sysctl answers ENOSYS or EOPNOTSUPP) and a
 * message that says so.
 */
#define XK_PC_XEN_INJECT_MAX 90		/* the patch's SCHED_IDLE_INJECT_MAX */
int xk_pc_inject_get(struct xk_pc_xen *x, int *pct, int *period_us,
    int *unsupported, struct xk_error *err);
int xk_pc_inject_set(struct xk_pc_xen *x, int pct, int period_us,
    int *unsupported, struct xk_error *err);

#endif
