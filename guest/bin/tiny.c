/*
 * xk-guest-tiny - shut down at once, with the reason the command line
 * names: the events lab tests' guest (tests/lab/events-lib.sh), where
 * a booting Linux would only add time.  It replaced tinypv, a
 * stand-alone PV kernel with the same command line; this one is built
 * on the guest library and boots as PVH too.
 *
 *	extra = "poweroff"	(reboot, suspend, crash, soft_reset: the
 *				same SCHEDOP_shutdown a Linux guest makes;
 *				anything else is crash)
 *	extra = "watchdog"	arms Xen's domain watchdog for 1 s
 *				(SCHEDOP_watchdog) and never feeds it
 *	extra = "spin"		burns its vCPU for ever, without a
 *				hypercall: a guest that wants all of its
 *				pCPU (the power cap's tests, t95xx)
 *	extra = "poweroff at=MS"
 *				sleeps until Xen's wallclock reaches MS
 *				(milliseconds since the epoch) first, so
 *				that many guests ask at the same instant
 *
 * Just before the shutdown request it writes "xk-tiny: t=NS" to its
 * console: Xen's wallclock in nanoseconds since the epoch, so that
 * bench/events-latency can measure from the request itself.
 */
#include "xg_cmdline.h"
#include "xg_console.h"
#include "xg_hcall.h"
#include "xg_shutdown.h"
#include "xg_time.h"

void
xg_main(struct xg *xg)
{
	static const struct {
		const char *word;
		unsigned int reason;
	} reasons[] = {
		{ "poweroff", SHUTDOWN_poweroff },
		{ "reboot", SHUTDOWN_reboot },
		{ "suspend", SHUTDOWN_suspend },
		{ "crash", SHUTDOWN_crash },
		{ "soft_reset", SHUTDOWN_soft_reset },
	};
	unsigned int reason = SHUTDOWN_crash;
	size_t len;
	const char *at = xg_cmdline_opt(xg->cmdline, "at", &len);

	if (xg_cmdline_word(xg->cmdline, "spin"))
		for (;;)	/* the compiler must not drop the loop */
			__asm__ volatile("" ::: "memory");
	if (xg_cmdline_word(xg->cmdline, "watchdog")) {
		struct sched_watchdog wd = { .id = 0, .timeout = 1 };

		xg_sched_op(SCHEDOP_watchdog, &wd);
		for (;;)	/* never fed: Xen ends the domain */
			xg_sched_op(SCHEDOP_yield, NULL);
	}
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (xg_cmdline_word(xg->cmdline, reasons[i].word))
			reason = reasons[i].reason;
	if (at != NULL) {
		uint64_t when = xg_cmdline_u64(at, len) * XG_MS;
		uint64_t boot = xg_time_boot_wallclock(xg);

		if (when > boot)
			xg_sleep_until(xg, when - boot);
	}
	xg_printf(xg, "xk-tiny: t=%llu\n", (unsigned long long)
	    (xg_time_boot_wallclock(xg) + xg_time_now(xg)));
	xg_shutdown(xg, reason);
}
