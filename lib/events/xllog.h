/*
 * xllog.h - the shutdown reason xl itself recorded.
 *
 * xl's per-domain monitor (the `xl create` daemon) writes
 * "Domain N has shut down, reason code R 0xR" to /var/log/xen/xl-NAME.log
 * as soon as it gets the shutdown event and before it acts on it
 * (destroy, restart...).  When xl's monitor wins the race and the
 * domain is gone before xenkit could read its state, this line still
 * holds the reason.  xl rotates the log on the next `xl create` of the
 * same name (xl-NAME.log.1 ...), so both are searched.
 */
#ifndef XK_EVENTS_XLLOG_H
#define XK_EVENTS_XLLOG_H

#include <stddef.h>

#include "events/event.h"
#include "util/error.h"

#define XK_XL_LOGDIR "/var/log/xen"

/* The last reason code logged for domid in text; -1 when none. */
int xk_xllog_scan(const char *text, size_t len, long domid);

/*
 * Look in LOGDIR/xl-NAME.log, then xl-NAME.log.1.  Returns 0 and sets
 * *r when found, 1 when not, -1 (err) when the name cannot be a file
 * name.  Only the last 1 MiB of each file is read.
 */
int xk_xllog_lookup(const char *logdir, const char *name, long domid,
    enum xk_reason *r, struct xk_error *err);

#endif
