/*
 * event-opts.c - the event options of xk monitor and xk create (see
 * event-opts.h).
 */
#include "event-opts.h"
#include "events/monitor.h"
#include "xk.h"

void
xk_event_opts_defaults(struct xk_emitter_cfg *em, const char **sock)
{
	em->log_path = XK_MONITOR_LOG;
	em->hooks.dir = XK_MONITOR_HOOKS;
	em->hooks.report_fd = -1;
	*sock = XK_MONITOR_SOCKET;
}

int
xk_event_opt(const char *cmd, int c, struct xk_emitter_cfg *em,
    const char **sock)
{
	switch (c) {
	case XK_OPT_HOOKS:
		em->hooks.dir = optarg;
		return 1;
	case XK_OPT_LOG:
		em->log_path = optarg;
		return 1;
	case XK_OPT_SOCKET:
		*sock = optarg;
		return 1;
	case XK_OPT_HOOK_TIMEOUT:
		if (xk_parse_seconds(optarg, &em->hooks.timeout_ms) < 0) {
			xk_usage_error(cmd, "bad --hook-timeout '%s': want "
			    "seconds", optarg);
			return -1;
		}
		return 1;
	default:
		return 0;
	}
}
