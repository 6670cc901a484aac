/*
 * emitter.h - hand each event to whoever needs it, in this order:
 * the event log (flushed), the hooks (queued; started by the next
 * xk_emitter_tick, never waited for), syslog, and a sink (the
 * daemon's socket followers).  Callers tick once they have emitted
 * what they had: starting a hook creates a process, which must not
 * hold up the log entries of the events that came at the same moment.
 *
 * When the log cannot be written (full disk, I/O error) the event is
 * kept in memory, in order, and written when the log accepts writes
 * again (xk_emitter_tick, and before every later event); the first
 * failure and the recovery are reported.  Hooks and syslog still get
 * the event at once.
 */
#ifndef XK_EVENTS_EMITTER_H
#define XK_EVENTS_EMITTER_H

#include <stdbool.h>

#include "events/event.h"
#include "events/hooks.h"
#include "util/error.h"

/* How the emitter reports its own trouble: syslog priority + text. */
typedef void (*xk_say_fn)(int prio, const char *msg, void *arg);
/* Where each logged line also goes (may be NULL). */
typedef void (*xk_sink_fn)(const char *line, void *arg);

struct xk_emitter_cfg {
	const char *log_path;	/* NULL: no log */
	bool sync;		/* fdatasync per event */
	struct xk_hooks_cfg hooks;
	bool syslog;		/* openlog() is the caller's */
	xk_say_fn say;
	void *say_arg;
	xk_sink_fn sink;
	void *sink_arg;
};

struct xk_emitter;

struct xk_emitter *xk_emitter_new(const struct xk_emitter_cfg *cfg,
    struct xk_error *err);
/* Export ev.  Fails only on memory exhaustion. */
int xk_emitter_emit(struct xk_emitter *em, const struct xk_event *ev,
    struct xk_error *err);
/* Retry held events, supervise the hooks (xk_hookq_poll).  Returns
 * held events. */
size_t xk_emitter_tick(struct xk_emitter *em);
size_t xk_emitter_held(const struct xk_emitter *em);
struct xk_hookq *xk_emitter_hooks(struct xk_emitter *em);
/* Wait for the hooks, write what can be written, free. */
void xk_emitter_free(struct xk_emitter *em);

#endif
