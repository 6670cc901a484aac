/*
 * daemon.h - xk powercap run: hold the idle target of the settings file
 * with credit scheduler caps on every guest, and repair.
 *
 * Each control window the daemon reads the settings (power/pcfile.h),
 * measures the idle of the cap's pCPUs over the window (power/xen.h),
 * steps the control loop (power/ctl.h) and gives every guest domain a
 * cap of (100 - inject)% of each pCPU it can use (its online vCPUs, at
 * most the cap's pCPUs).  dom0 is never capped: it runs the toolstack
 * and this daemon.  A domain is written into the state file, with the
 * cap it had, before its cap is changed; it leaves the file when its
 * cap is given back or it is gone.  So whatever kills the daemon, its
 * caps are undone by xk_pc_repair() (`xk powercap repair`, and the
 * next daemon's start).
 */
#ifndef XK_POWER_DAEMON_H
#define XK_POWER_DAEMON_H

#include "power/xen.h"
#include "util/error.h"

/* The xen_powerclamp cooling device's target (share/powercap). */
#define XK_PC_CDEV "/sys/module/xen_powerclamp/parameters/target"

/* What the daemon has to say while it runs (the command prints it). */
typedef void xk_pc_say_fn(int prio, const char *msg, void *arg);

struct xk_pc_daemon_cfg {
	const char *dir;	/* settings and state: XK_PC_DIR */
	xk_pc_say_fn *say;
	void *say_arg;
};

/*
 * Give every domain recorded in dir's state file its cap back (a domid
 * now holding another domain, by uuid, is left alone) and remove the
 * file.  *undone gets how many caps were given back.
 */
int xk_pc_repair(struct xk_pc_xen *x, const char *dir, int *undone,
    struct xk_error *err);
/*
 * The pid of a daemon that is running on dir's state file, 0 when none
 * is (or -1 when the file cannot be read).
 */
long xk_pc_daemon_pid(const char *dir, struct xk_error *err);
/* Run until SIGINT/SIGTERM/SIGHUP (util/interrupt.h); caps undone on the way out. */
int xk_pc_run(const struct xk_pc_daemon_cfg *cfg, struct xk_error *err);

#endif
