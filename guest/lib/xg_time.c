/*
 * xg_time.c - pvclock, wallclock and timers (see xg_time.h).
 */
#include "xg_hcall.h"
#include "xg_time.h"

static inline uint64_t
rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

uint64_t
xg_time_now(struct xg *xg)
{
	volatile struct vcpu_time_info *t = &xg->shared->vcpu_info[0].time;
	uint32_t version, mul;
	uint64_t stamp, base, delta;
	int8_t shift;

	do {	/* odd version: Xen is updating the record */
		version = t->version;
		xg_rmb();
		stamp = t->tsc_timestamp;
		base = t->system_time;
		mul = t->tsc_to_system_mul;
		shift = t->tsc_shift;
		xg_rmb();
	} while ((version & 1) != 0 || version != t->version);
	delta = rdtsc() - stamp;
	delta = shift < 0 ? delta >> -shift : delta << shift;
	return base + (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}

uint64_t
xg_time_boot_wallclock(struct xg *xg)
{
	volatile struct shared_info *sh = xg->shared;
	uint32_t version;
	uint64_t ns;

	do {
		version = sh->wc_version;
		xg_rmb();
		ns = ((uint64_t)sh->wc_sec_hi << 32 | sh->wc_sec) * XG_S +
		    sh->wc_nsec;
		xg_rmb();
	} while ((version & 1) != 0 || version != sh->wc_version);
	return ns;
}

long
xg_timer_bind(struct xg *xg, evtchn_port_t *port)
{
	struct evtchn_bind_virq op = { .virq = VIRQ_TIMER, .vcpu = 0 };
	long rc = xg_evtchn_op(EVTCHNOP_bind_virq, &op);

	(void)xg;
	if (rc != 0)
		return rc;
	*port = op.port;
	/* a PV vCPU starts with a periodic timer on the same VIRQ: stop
	 * it, or the port would fire every few ms, not when it was set */
	xg_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
	return 0;
}

long
xg_timer_set(struct xg *xg, uint64_t deadline)
{
	struct vcpu_set_singleshot_timer t = { .timeout_abs_ns = deadline };
	long rc = xg_vcpu_op(VCPUOP_set_singleshot_timer, 0, &t);

	(void)xg;
	if (rc != 0)
		rc = xg_hcall2(__HYPERVISOR_set_timer_op, deadline, 0);
	return rc;
}

void
xg_sleep_until(struct xg *xg, uint64_t deadline)
{
	struct sched_poll poll = { .nr_ports = 0, .timeout = deadline };

	while (xg_time_now(xg) < deadline)
		if (xg_sched_op(SCHEDOP_poll, &poll) < 0)
			break;
}
