/*
 * xg_time.h - Xen time: system time (ns since the host booted) from
 * vCPU 0's pvclock record in shared_info (TSC scaled by
 * tsc_to_system_mul and tsc_shift, read under its version counter),
 * the wallclock (shared_info wc_*), and a one-shot timer.
 */
#ifndef XG_TIME_H
#define XG_TIME_H

#include "xg_boot.h"

/* Xen system time, ns.  Deadlines in this library are in it. */
uint64_t xg_time_now(struct xg *xg);

/* Wallclock at system time 0, ns since the epoch; add xg_time_now for
 * the time of day. */
uint64_t xg_time_boot_wallclock(struct xg *xg);

/* Bind VIRQ_TIMER to a port to wait on (once per guest); stops the
 * periodic timer, so that the port fires only as xg_timer_set says. */
long xg_timer_bind(struct xg *xg, evtchn_port_t *port);

/* Have the timer port fire once at DEADLINE (system time, ns):
 * VCPUOP_set_singleshot_timer, or set_timer_op where Xen refuses it. */
long xg_timer_set(struct xg *xg, uint64_t deadline);

/* Sleep until DEADLINE: a poll of no port with that timeout. */
void xg_sleep_until(struct xg *xg, uint64_t deadline);

#define XG_US 1000ULL
#define XG_MS 1000000ULL
#define XG_S 1000000000ULL

#endif
