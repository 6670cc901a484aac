/*
 * eventlog.c - the JSON-lines event log (see eventlog.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "events/eventlog.h"
#include "util/file.h"

struct xk_evlog {
	int fd;
	bool sync;
	dev_t dev;
	ino_t ino;
	char *path;
};

static int
open_fd(struct xk_evlog *log, struct xk_error *err)
{
	struct stat st;

	/* read access too: the append looks at the last byte */
	log->fd = open(log->path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC,
	    0640);
	if (log->fd < 0) {
		xk_error_errno(err, errno, "event log %s: open", log->path);
		return -1;
	}
	if (fstat(log->fd, &st) < 0) {
		xk_error_errno(err, errno, "event log %s: fstat", log->path);
		close(log->fd);
		log->fd = -1;
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		xk_error_set(err, "event log %s: not a regular file",
		    log->path);
		close(log->fd);
		log->fd = -1;
		return -1;
	}
	log->dev = st.st_dev;
	log->ino = st.st_ino;
	return 0;
}

struct xk_evlog *
xk_evlog_open(const char *path, bool sync, struct xk_error *err)
{
	struct xk_evlog *log = calloc(1, sizeof(*log));

	if (log == NULL || (log->path = strdup(path)) == NULL) {
		free(log);
		xk_error_errno(err, ENOMEM, "event log %s", path);
		return NULL;
	}
	log->sync = sync;
	if (open_fd(log, err) < 0) {
		free(log->path);
		free(log);
		return NULL;
	}
	return log;
}

const char *
xk_evlog_path(const struct xk_evlog *log)
{
	return log->path;
}

void
xk_evlog_close(struct xk_evlog *log)
{
	if (log == NULL)
		return;
	if (log->fd >= 0)
		close(log->fd);
	free(log->path);
	free(log);
}

/* Reopen when the file was renamed or removed (log rotation). */
static int
follow_rotation(struct xk_evlog *log, struct xk_error *err)
{
	struct stat st;

	if (log->fd >= 0 && stat(log->path, &st) == 0 &&
	    st.st_dev == log->dev && st.st_ino == log->ino)
		return 0;
	if (log->fd >= 0)
		close(log->fd);
	return open_fd(log, err);
}

/* Under the lock: append line, cutting back a partial write. */
static int
append_locked(struct xk_evlog *log, const char *line, size_t len,
    struct xk_error *err)
{
	struct stat st;
	char last;
	int e;

	if (fstat(log->fd, &st) < 0) {
		xk_error_errno(err, errno, "event log %s: fstat", log->path);
		return -1;
	}
	/* A line some writer left unfinished (it crashed) stays a bad
	 * line of its own rather than swallowing ours. */
	if (st.st_size > 0 && pread(log->fd, &last, 1, st.st_size - 1) == 1 &&
	    last != '\n' && xk_write_all(log->fd, "\n", 1, log->path, err) < 0)
		goto fail;
	if (xk_write_all(log->fd, line, len, log->path, err) < 0)
		goto fail;
	if (log->sync && fdatasync(log->fd) < 0) {
		err->errnum = errno;
		goto fail;
	}
	return 0;
fail:
	/* the line is not in the log: no half of it may be either.  The
	 * message is what xk monitor's readers (and t6400) know. */
	e = err->errnum;
	if (ftruncate(log->fd, st.st_size) < 0)
		xk_error_errno(err, e, "event log %s: write (and cutting "
		    "back a partial line failed too)", log->path);
	else
		xk_error_errno(err, e, "event log %s: write", log->path);
	return -1;
}

int
xk_evlog_append(struct xk_evlog *log, const char *line,
    struct xk_error *err)
{
	size_t len = strlen(line);
	int rc;

	if (len == 0 || line[len - 1] != '\n' || len > XK_EVLOG_LINE_MAX) {
		xk_error_set(err, "event log %s: refusing a malformed line",
		    log->path);
		return -1;
	}
	if (follow_rotation(log, err) < 0)
		return -1;
	while (flock(log->fd, LOCK_EX) < 0)
		if (errno != EINTR) {
			xk_error_errno(err, errno, "event log %s: flock",
			    log->path);
			return -1;
		}
	rc = append_locked(log, line, len, err);
	flock(log->fd, LOCK_UN);
	return rc;
}

bool
xk_evfilter_match(const struct xk_evfilter *f, const struct xk_event *ev)
{
	char id[24];

	if (f == NULL)
		return true;
	if (ev->ts_ms < f->since_ms)
		return false;
	if (f->domain == NULL)
		return true;
	snprintf(id, sizeof(id), "%ld", ev->domid);
	return strcmp(f->domain, ev->domain) == 0 ||
	    strcmp(f->domain, ev->uuid) == 0 || strcmp(f->domain, id) == 0;
}

static void
note_bad(struct xk_evlog_stats *st, size_t lineno, const char *why)
{
	st->bad++;
	if (st->first_bad_line == 0) {
		st->first_bad_line = lineno;
		size_t n = strnlen(why, sizeof(st->first_bad) - 1);

		memcpy(st->first_bad, why, n);
		st->first_bad[n] = '\0';
	}
}

/* One complete line (without '\n'); lineno counts from 1. */
static int
one_line(const char *line, size_t len, size_t lineno,
    const struct xk_evfilter *f, xk_evlog_fn fn, void *arg,
    struct xk_evlog_stats *st)
{
	struct xk_error e = { 0 };
	struct xk_event ev;

	if (len == 0)
		return 0;
	if (len > XK_EVLOG_LINE_MAX) {
		note_bad(st, lineno, "line too long");
		return 0;
	}
	if (memchr(line, '\0', len) != NULL) {
		note_bad(st, lineno, "NUL byte in line");
		return 0;
	}
	if (xk_event_from_line(line, len, &ev, &e) < 0) {
		note_bad(st, lineno, e.msg);
		return 0;
	}
	st->events++;
	if (!xk_evfilter_match(f, &ev))
		return 0;
	return fn(&ev, line, len, arg);
}

int
xk_evlog_read_buf(const char *buf, size_t len,
    const struct xk_evfilter *f, xk_evlog_fn fn, void *arg,
    struct xk_evlog_stats *st)
{
	size_t pos = 0, lineno = st->events + st->bad;

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		int rc;

		if (nl == NULL) {
			st->partial_tail = true;
			break;
		}
		rc = one_line(buf + pos, (size_t)(nl - (buf + pos)), ++lineno,
		    f, fn, arg, st);
		if (rc != 0)
			return rc;
		pos = (size_t)(nl - buf) + 1;
	}
	return 0;
}

/*
 * The reader's window: at least one line of the longest kind we accept
 * and its newline.  Longer lines are not events: they pass through the
 * window and are counted, never held whole, so memory stays this much
 * whatever the file holds (a 1 GiB line, a log without newlines).
 */
#define READ_WINDOW (16 * XK_EVLOG_LINE_MAX)

struct reader {
	const struct xk_evfilter *f;
	xk_evlog_fn fn;
	void *arg;
	struct xk_evlog_stats *st;
	off_t *offset;		/* just after the last whole line taken */
	size_t lineno;
	bool skipping;		/* inside a line too long to be an event */
	off_t skipped;		/* how much of it was dropped so far */
};

/*
 * Take the complete lines at the start of buf[0..len): returns how many
 * bytes they used (*rc: nonzero when fn asked to stop).
 */
static size_t
take_lines(struct reader *r, const char *buf, size_t len, int *rc)
{
	size_t pos = 0;

	while (pos < len && *rc == 0) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n;

		if (nl == NULL)
			break;
		n = (size_t)(nl - (buf + pos));
		r->lineno++;
		if (r->skipping) {
			note_bad(r->st, r->lineno, "line too long");
			*r->offset += r->skipped;
			r->skipping = false;
			r->skipped = 0;
		} else {
			*rc = one_line(buf + pos, n, r->lineno, r->f, r->fn,
			    r->arg, r->st);
		}
		pos += n + 1;
	}
	*r->offset += (off_t)pos;
	return pos;
}

/* Read fd to its end through the window. */
static int
read_lines(int fd, char *buf, struct reader *r, const char *path,
    struct xk_error *err)
{
	size_t have = 0;
	int rc = 0;

	for (;;) {
		ssize_t n = read(fd, buf + have, READ_WINDOW - have);
		size_t used;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			xk_error_errno(err, errno, "event log %s: read", path);
			return -1;
		}
		if (n == 0)
			break;
		have += (size_t)n;
		used = take_lines(r, buf, have, &rc);
		memmove(buf, buf + used, have - used);
		have -= used;
		if (rc != 0)
			return rc;
		if (have > XK_EVLOG_LINE_MAX) {
			/* no event is this long: drop what we have of it,
			 * and the rest up to its newline as it comes */
			r->skipping = true;
			r->skipped += (off_t)have;
			have = 0;
		}
	}
	/* a last line without its newline, perhaps being written */
	r->st->partial_tail = have > 0 || r->skipping;
	return 0;
}

int
xk_evlog_read_file(const char *path, off_t *offset,
    const struct xk_evfilter *f, xk_evlog_fn fn, void *arg,
    struct xk_evlog_stats *st, struct xk_error *err)
{
	struct reader r = { f, fn, arg, st, offset, 0, false, 0 };
	struct stat sb;
	off_t start = *offset;
	char *buf;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		xk_error_errno(err, errno, "event log %s: open", path);
		return -1;
	}
	if (fstat(fd, &sb) < 0) {
		xk_error_errno(err, errno, "event log %s: fstat", path);
		close(fd);
		return -1;
	}
	/* a device or a pipe is no log: /dev/zero would never end */
	if (!S_ISREG(sb.st_mode)) {
		xk_error_set(err, "event log %s: not a regular file", path);
		close(fd);
		return -1;
	}
	buf = malloc(READ_WINDOW);
	if (buf == NULL) {
		xk_error_errno(err, ENOMEM, "event log %s", path);
		close(fd);
		return -1;
	}
	st->partial_tail = false;
	if (start > 0 && lseek(fd, start, SEEK_SET) < 0) {
		xk_error_errno(err, errno, "event log %s: seek", path);
		rc = -1;
	} else {
		rc = read_lines(fd, buf, &r, path, err);
	}
	free(buf);
	close(fd);
	return rc;
}
