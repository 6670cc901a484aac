/*
 * owner.h - create a domain through libxl and be its only monitor
 * (xk create), the way xl's create daemon is for `xl create`.
 *
 * The difference from xl: the shutdown event is exported (log, hooks,
 * syslog, the daemon's followers) before on_poweroff / on_reboot /
 * on_crash / on_watchdog / on_soft_reset is applied, so nothing can
 * destroy the domain before its reason is out.  While this process
 * lives, the domain's uuid is marked in xenstore (XK_OWNED_PATH) and
 * `xk monitor` leaves the export of its events to it.
 */
#ifndef XK_EVENTS_OWNER_H
#define XK_EVENTS_OWNER_H

#include "events/emitter.h"
#include "util/error.h"

struct xk_owner_cfg {
	struct xk_emitter_cfg em;
	const char *sock_path;	/* the daemon's socket, to publish */
	const char *json;	/* the domain config, libxl JSON */
	int notify_fd;		/* gets "domid N\n" or "error MSG\n"; -1 */
	int stop_fd;		/* readable: stop following; -1: never */
};

/*
 * Create the domain and follow it to its end (restarts included):
 * 0 when it is gone for good, -1 on failure.  When stop_fd becomes
 * readable (a signal, see util/interrupt.h) the create or restart in
 * progress is finished, the events already pending are handled and 1
 * is returned: the domain keeps running, unmarked, so that `xk
 * monitor` exports its events from then on (as with a killed `xl
 * create` monitor, nobody applies its on_* actions any more).
 */
int xk_owner_run(const struct xk_owner_cfg *cfg, struct xk_error *err);

#endif
