/*
 * event.h - one domain event, as the monitor exports it.
 *
 * An event is what happened to a domain (created, shut down with a
 * reason, died, restarted under a new domid), when the monitor saw it,
 * and how the monitor knows the reason (source).  On disk and on the
 * monitor's socket an event is one JSON object on one line (see
 * doc/xk-events.5.scd):
 *
 *	{"ts":"2026-11-21T22:10:03.123Z","event":"shutdown","domain":"web",
 *	 "domid":7,"uuid":"...","reason":"poweroff","source":"hypervisor"}
 */
#ifndef XK_EVENTS_EVENT_H
#define XK_EVENTS_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

enum xk_evtype {
	XK_EV_CREATE,
	XK_EV_SHUTDOWN,
	XK_EV_DEATH,
	XK_EV_RESTART,
	XK_EV_NTYPES
};

/*
 * Reasons.  The first six are Xen's shutdown codes (SHUTDOWN_poweroff 0
 * ... SHUTDOWN_soft_reset 5), so a code maps to its reason by value.
 */
enum xk_reason {
	XK_R_POWEROFF = 0,
	XK_R_REBOOT = 1,
	XK_R_SUSPEND = 2,
	XK_R_CRASH = 3,
	XK_R_WATCHDOG = 4,
	XK_R_SOFT_RESET = 5,
	XK_R_UNKNOWN,		/* it shut down or died; why is not known */
	XK_R_DESTROYED,		/* death without a shutdown: destroyed */
	XK_R_NONE,		/* create and restart events carry none */
	XK_R_NREASONS
};

#define XK_DOMNAME_MAX 64	/* Xen's limit for a domain name, + NUL */
#define XK_UUID_LEN 37		/* 36 characters + NUL */
#define XK_NO_DOMID (-1L)

struct xk_event {
	int64_t ts_ms;		/* when the monitor saw it, ms since epoch */
	enum xk_evtype type;
	char domain[XK_DOMNAME_MAX];
	long domid;
	char uuid[XK_UUID_LEN];
	enum xk_reason reason;
	long previous_domid;	/* restart: the domid it had before */
	char source[16];	/* hypervisor, xl-log, libxl, reconcile */
};

const char *xk_evtype_name(enum xk_evtype t);
int xk_evtype_parse(const char *s, enum xk_evtype *t);
const char *xk_reason_name(enum xk_reason r);
int xk_reason_parse(const char *s, enum xk_reason *r);
/* Xen's shutdown code (0..255) to a reason; codes Xen does not define
 * give XK_R_UNKNOWN. */
enum xk_reason xk_reason_from_code(unsigned int code);

/* Now, in ms since the epoch (CLOCK_REALTIME). */
int64_t xk_now_ms(void);

/* "2026-11-21T22:10:03.123Z" (UTC, milliseconds); buf >= 25 bytes. */
void xk_format_time(int64_t ms, char *buf, size_t len);
/*
 * Parse RFC 3339 ("2026-11-21T22:10:03Z", ".123", "+01:00", a space
 * for T), a date alone (midnight UTC), or a relative "-90s", "-5m",
 * "-2h", "-1d" (before now_ms).  Returns -1 with a message on error.
 */
int xk_parse_time(const char *s, int64_t now_ms, int64_t *ms,
    struct xk_error *err);

/* The event as one JSON line, with its '\n'; the caller frees it. */
char *xk_event_to_line(const struct xk_event *ev, struct xk_error *err);
/* Parse one line (without or with its '\n'); -1 with a message when it
 * is not a valid event. */
int xk_event_from_line(const char *line, size_t len, struct xk_event *ev,
    struct xk_error *err);

#endif
