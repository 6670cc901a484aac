/*
 * hooks.h - run every executable in a hooks directory for each event.
 *
 * The hooks are the directory's executables whose names run-parts(8)
 * accepts ([A-Za-z0-9_-]+), in C-locale order, one after another, each
 * with XK_EVENT, XK_DOMAIN, XK_DOMID, XK_UUID, XK_REASON, XK_TIMESTAMP,
 * XK_SOURCE (and XK_PREVIOUS_DOMID for restarts) in its environment,
 * stdin /dev/null, and a time limit: past it the hook's process group
 * gets SIGTERM, then SIGKILL.  Its output and how it ended are written,
 * one line each, to a report stream (the daemon's stderr: the journal).
 *
 * The monitor never waits for hooks: they are its children, started
 * with posix_spawn and supervised from its own loop (output, limit,
 * end) through the queue below.  One event's hooks run one after
 * another; the events of one domain one at a time, in order; other
 * domains are not held up.
 */
#ifndef XK_EVENTS_HOOKS_H
#define XK_EVENTS_HOOKS_H

#include <poll.h>
#include <stdio.h>
#include <sys/types.h>

#include "events/event.h"
#include "util/error.h"

struct xk_hooks_cfg {
	const char *dir;	/* NULL: no hooks */
	int timeout_ms;		/* per hook; 0: 30 s */
	int grace_ms;		/* SIGTERM to SIGKILL; 0: 2 s */
	int report_fd;		/* where hook output goes; -1: stderr */
};

/* The hooks in dir, in run-parts order (names and full paths). */
int xk_hooks_list(const char *dir, char ***paths, size_t *n,
    struct xk_error *err);
void xk_hooks_free_list(char **paths, size_t n);

/* The environment a hook gets for ev (NULL-terminated; free with
 * xk_hooks_free_env). */
char **xk_hooks_env(const struct xk_event *ev);
void xk_hooks_free_env(char **env);

/*
 * Run all hooks for ev here and now, in order, each with its time
 * limit, writing the report to cfg->report_fd.  Returns the number of
 * hooks that failed (exit status not 0, killed, timed out, could not
 * execute), or -1 when the directory cannot be read (reported too).
 */
int xk_hooks_run(const struct xk_hooks_cfg *cfg, const struct xk_event *ev);

/* The queue: non-blocking, ordered per domain. */
struct xk_hookq;

struct xk_hookq *xk_hookq_new(const struct xk_hooks_cfg *cfg,
    struct xk_error *err);
/* Queue ev's hooks; the next xk_hookq_poll starts the first unless
 * the domain has hooks of an earlier event running.  Fails only when
 * memory does. */
int xk_hookq_push(struct xk_hookq *q, const struct xk_event *ev,
    struct xk_error *err);
/* Forward hooks' output, enforce limits, reap hooks that ended and
 * start the next ones; never blocks.  Call after queueing, and when
 * the descriptors of xk_hookq_pollfds are readable, a SIGCHLD came or
 * the time of xk_hookq_wait_ms is up.  Returns the events whose hooks
 * are running or waiting. */
size_t xk_hookq_poll(struct xk_hookq *q);
/* The running hooks' output pipes (at most room), to poll for POLLIN. */
size_t xk_hookq_pollfds(const struct xk_hookq *q, struct pollfd *fds,
    size_t room);
/* wait (ms, -1: forever) shortened to the next hook's time limit. */
int xk_hookq_wait_ms(const struct xk_hookq *q, int wait);
/* Run every queued hook to its end (bounded by their limits). */
void xk_hookq_drain(struct xk_hookq *q);
void xk_hookq_free(struct xk_hookq *q);

#endif
