/*
 * eventlog.h - the append-only JSON-lines event log: writer and reader.
 *
 * Writers append one whole line per event with a single write(2) under
 * an exclusive flock, so the daemon and `xk create` monitors can share
 * one log.  A write that fails part-way (a full disk) is cut back off,
 * so the log never holds half a line written by us; the caller keeps
 * the event and tries again later.  Readers skip lines that are not
 * valid events and count them, and ignore a last line without its
 * newline (a writer may be in the middle of it).
 */
#ifndef XK_EVENTS_EVENTLOG_H
#define XK_EVENTS_EVENTLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "events/event.h"
#include "util/error.h"

#define XK_EVLOG_LINE_MAX 4096	/* longer lines are not events */

struct xk_evlog;

/* Open (create, mode 0640) path for appending.  sync: fdatasync after
 * every event, not only write(2). */
struct xk_evlog *xk_evlog_open(const char *path, bool sync,
    struct xk_error *err);
/* Append one line (ending in '\n').  On failure the log is as before. */
int xk_evlog_append(struct xk_evlog *log, const char *line,
    struct xk_error *err);
const char *xk_evlog_path(const struct xk_evlog *log);
void xk_evlog_close(struct xk_evlog *log);

/* Which events a reader wants. */
struct xk_evfilter {
	int64_t since_ms;	/* INT64_MIN: all */
	const char *domain;	/* name, uuid or domid; NULL: all */
};
#define XK_EVFILTER_ALL { INT64_MIN, NULL }

bool xk_evfilter_match(const struct xk_evfilter *f,
    const struct xk_event *ev);

struct xk_evlog_stats {
	size_t events;		/* valid events seen (before filtering) */
	size_t bad;		/* lines that are not events */
	size_t first_bad_line;	/* 1-based; 0 when none */
	char first_bad[256];	/* why that line is bad */
	bool partial_tail;	/* last line had no '\n' (not counted) */
};

/* Called for each valid event that matches; nonzero stops the reading
 * and is returned. */
typedef int (*xk_evlog_fn)(const struct xk_event *ev, const char *line,
    size_t len, void *arg);

/* Read events from a buffer (the whole log, or a piece of it). */
int xk_evlog_read_buf(const char *buf, size_t len,
    const struct xk_evfilter *f, xk_evlog_fn fn, void *arg,
    struct xk_evlog_stats *st);

/*
 * Read the log file from byte *offset on, and set *offset to just after
 * the last complete line.  A missing file reads as empty.  Returns -1
 * on an I/O error, else what the reading returned (0 or fn's value).
 */
int xk_evlog_read_file(const char *path, off_t *offset,
    const struct xk_evfilter *f, xk_evlog_fn fn, void *arg,
    struct xk_evlog_stats *st, struct xk_error *err);

#endif
