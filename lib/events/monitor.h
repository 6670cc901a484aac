/*
 * monitor.h - the host-wide domain monitor (xk monitor).
 *
 * How no shutdown reason is lost, even when xl's own per-domain monitor
 * (which destroys or restarts the domain the moment it shuts down) wins
 * the race:
 *
 * 1. Read the hypervisor directly.  On every @introduceDomain and
 *    @releaseDomain watch, and every interval, the monitor reads all
 *    domains with one xc_domain_getinfolist() call.  Xen keeps a
 *    domain's shutdown flag and code while it is being destroyed
 *    (dying), until its last page is freed.  libxl's own death event
 *    reports a dying domain as DEATH without its reason; reading the
 *    flags ourselves keeps the reason through xl's whole destroy
 *    (device teardown first, then the dying domain's release).
 * 2. Fall back to what xl recorded.  A domain that vanished between two
 *    looks gets the reason xl's monitor wrote to its log before acting
 *    ("Domain N has shut down, reason code R"), source "xl-log".
 * 3. Reconcile.  At start the table is rebuilt from the event log and
 *    compared with the hypervisor: what changed while the daemon was
 *    down is reported once, nothing is reported twice.
 * 4. `xk create` domains have xenkit as their only monitor: no race.
 *    The daemon leaves their export to that process while it lives.
 */
#ifndef XK_EVENTS_MONITOR_H
#define XK_EVENTS_MONITOR_H

#include "events/emitter.h"
#include "util/error.h"

#define XK_MONITOR_SOCKET "/run/xenkit/monitor.sock"
#define XK_MONITOR_LOG "/var/log/xenkit/events.jsonl"
#define XK_MONITOR_HOOKS "/etc/xenkit/hooks.d"
/* Where `xk create` marks the domains it monitors (by uuid). */
#define XK_OWNED_DIR "/local/domain/0/xenkit"
#define XK_OWNED_PATH XK_OWNED_DIR "/owned"

struct xk_monitor_cfg {
	struct xk_emitter_cfg em;	/* log, hooks, syslog, say */
	const char *sock_path;
	const char *xl_logdir;
	int interval_ms;		/* periodic scan; 0: 5 s */
};

/* Run until SIGTERM or SIGINT; -1 (err) when it cannot start. */
int xk_monitor_run(const struct xk_monitor_cfg *cfg, struct xk_error *err);

/* The uuid of a Xen domain handle, as text (37 bytes). */
void xk_uuid_format(const unsigned char h[16], char *buf);

#endif
