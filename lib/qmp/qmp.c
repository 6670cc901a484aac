/*
 * qmp.c - the QMP connection: poll()-based I/O with deadlines, command
 * ids, and a queue for events that arrive while we wait for replies.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "qmp/qmp.h"
#include "util/clock.h"
#include "util/sock.h"

struct xk_qmp {
	int fd;
	int lockfd;
	char *path;
	char *buf;		/* bytes read but not yet parsed */
	size_t len, cap;
	json_t *events;		/* array of queued event messages */
	json_int_t next_id;
	char idtag[48];		/* this connection's ids: "TAG-N" */
	void (*hook)(void *, const char *);	/* xk_qmp_set_reply_hook */
	void *hook_arg;
	int major, minor, micro;
};

/* Milliseconds left until deadline (0 when past). */
static int
left_ms(int64_t deadline)
{
	int64_t d = deadline - xk_mono_ms();

	return d < 0 ? 0 : (int)d;
}

static int
take_lock(const char *lockpath, int timeout_ms, struct xk_error *err)
{
	int64_t deadline = xk_mono_ms() + timeout_ms;
	int fd;

	fd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		xk_error_errno(err, errno, "QMP lock %s", lockpath);
		return -1;
	}
	/*
	 * flock has no timeout; libxl holds this lock only for the length
	 * of one QMP exchange, so retrying briefly is enough.
	 */
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			xk_error_errno(err, errno, "QMP lock %s", lockpath);
			close(fd);
			return -1;
		}
		if (left_ms(deadline) == 0) {
			xk_error_set(err, "QMP lock %s: held by another "
			    "process (libxl?) for more than %d ms", lockpath,
			    timeout_ms);
			close(fd);
			return -1;
		}
		poll(NULL, 0, 10);
	}
	return fd;
}

/*
 * Read until a full line is buffered or the deadline passes; returns the
 * line length (without '\n'), -1 on error or timeout (*timedout set).
 */
static ssize_t
read_line(struct xk_qmp *q, int64_t deadline, int *timedout,
    struct xk_error *err)
{
	*timedout = 0;
	for (;;) {
		char *nl = q->len ? memchr(q->buf, '\n', q->len) : NULL;
		struct pollfd pfd = { .fd = q->fd, .events = POLLIN };
		ssize_t n;
		int r;

		if (nl != NULL)
			return nl - q->buf;
		if (q->len >= XK_QMP_MAX_MESSAGE) {
			xk_error_set(err, "QMP socket %s: message longer than "
			    "%u bytes", q->path, XK_QMP_MAX_MESSAGE);
			return -1;
		}
		if (q->cap - q->len < 4096) {
			size_t ncap = q->cap ? q->cap * 2 : 65536;
			char *nb = realloc(q->buf, ncap);

			if (nb == NULL) {
				xk_error_errno(err, ENOMEM, "QMP buffer");
				return -1;
			}
			q->buf = nb;
			q->cap = ncap;
		}
		r = poll(&pfd, 1, left_ms(deadline));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			xk_error_errno(err, errno, "QMP socket %s: poll",
			    q->path);
			return -1;
		}
		if (r == 0) {
			*timedout = 1;
			xk_error_set(err, "QMP socket %s: no answer within "
			    "the time limit", q->path);
			return -1;
		}
		n = read(q->fd, q->buf + q->len, q->cap - q->len);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0) {
			xk_error_errno(err, errno, "QMP socket %s: read",
			    q->path);
			return -1;
		}
		if (n == 0) {
			xk_error_set(err, "QMP socket %s: QEMU closed the "
			    "connection", q->path);
			return -1;
		}
		q->len += (size_t)n;
	}
}

/* Read and parse the next message. */
static int
read_msg(struct xk_qmp *q, int64_t deadline, struct xk_qmp_msg *msg,
    int *timedout, struct xk_error *err)
{
	ssize_t n = read_line(q, deadline, timedout, err);
	int r;

	if (n < 0)
		return -1;
	r = xk_qmp_parse(q->buf, (size_t)n, msg, err);
	memmove(q->buf, q->buf + n + 1, q->len - (size_t)n - 1);
	q->len -= (size_t)n + 1;
	if (r < 0)
		xk_error_prefix(err, "QMP socket %s", q->path);
	return r;
}

static int
write_all(struct xk_qmp *q, const char *s, size_t len, int64_t deadline,
    struct xk_error *err)
{
	while (len > 0) {
		struct pollfd pfd = { .fd = q->fd, .events = POLLOUT };
		ssize_t n;
		int r = poll(&pfd, 1, left_ms(deadline));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			xk_error_set(err, "QMP socket %s: cannot send "
			    "(timeout or error)", q->path);
			return -1;
		}
		n = send(q->fd, s, len, MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0) {
			xk_error_errno(err, errno, "QMP socket %s: send",
			    q->path);
			return -1;
		}
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

static void
read_version(struct xk_qmp *q, json_t *greeting)
{
	json_t *v = json_object_get(json_object_get(greeting, "version"),
	    "qemu");

	q->major = (int)json_integer_value(json_object_get(v, "major"));
	q->minor = (int)json_integer_value(json_object_get(v, "minor"));
	q->micro = (int)json_integer_value(json_object_get(v, "micro"));
}

static int
greet(struct xk_qmp *q, int timeout_ms, struct xk_error *err)
{
	struct xk_qmp_msg msg;
	json_t *r;
	int timedout;

	int64_t deadline = xk_mono_ms() + timeout_ms;

	/*
	 * A client that died mid-conversation (a killed xk) may still get
	 * answers: QEMU sends its replies and events to whoever is
	 * connected by the time they are ready, and that can be us, even
	 * before our greeting.  They are not ours: skip them.
	 */
	for (;;) {
		if (read_msg(q, deadline, &msg, &timedout, err) < 0) {
			if (timedout)
				xk_error_set(err, "QMP socket %s: busy: no "
				    "greeting within %d ms (QMP serves one "
				    "client at a time: is another client "
				    "connected?)", q->path, timeout_ms);
			return -1;
		}
		if (msg.kind == XK_QMP_GREETING)
			break;
		xk_qmp_msg_free(&msg);
	}
	read_version(q, msg.value);
	xk_qmp_msg_free(&msg);
	r = xk_qmp_execute(q, "qmp_capabilities", NULL, timeout_ms, err);
	if (r == NULL)
		return -1;
	json_decref(r);
	return 0;
}

struct xk_qmp *
xk_qmp_connect(const char *path, const char *lockpath, int timeout_ms,
    struct xk_error *err)
{
	struct xk_qmp *q = calloc(1, sizeof(*q));

	if (q == NULL || (q->path = strdup(path)) == NULL ||
	    (q->events = json_array()) == NULL) {
		xk_error_errno(err, ENOMEM, "QMP");
		if (q != NULL) {
			free(q->path);
			free(q);
		}
		return NULL;
	}
	q->fd = q->lockfd = -1;
	q->next_id = 1;
	/*
	 * Ids no other connection uses (the process, the moment), so that
	 * a late reply to a dead client's command never passes for ours.
	 */
	{
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		snprintf(q->idtag, sizeof(q->idtag), "xk%ld.%lld.%ld",
		    (long)getpid(), (long long)ts.tv_sec, (long)ts.tv_nsec);
	}
	if (lockpath != NULL &&
	    (q->lockfd = take_lock(lockpath, timeout_ms, err)) < 0)
		goto fail;
	if ((q->fd = xk_unix_connect(path, SOCK_NONBLOCK, "QMP socket",
	    err)) < 0)
		goto fail;
	if (greet(q, timeout_ms, err) < 0)
		goto fail;
	return q;
fail:
	xk_qmp_close(q);
	return NULL;
}

void
xk_qmp_close(struct xk_qmp *q)
{
	if (q == NULL)
		return;
	if (q->fd >= 0)
		close(q->fd);
	if (q->lockfd >= 0)
		close(q->lockfd);	/* releases the flock */
	json_decref(q->events);
	free(q->buf);
	free(q->path);
	free(q);
}

void
xk_qmp_set_reply_hook(struct xk_qmp *q, void (*fn)(void *, const char *),
    void *arg)
{
	q->hook = fn;
	q->hook_arg = arg;
}

void
xk_qmp_version(const struct xk_qmp *q, int *major, int *minor, int *micro)
{
	*major = q->major;
	*minor = q->minor;
	*micro = q->micro;
}

size_t
xk_qmp_pending_events(const struct xk_qmp *q)
{
	return json_array_size(q->events);
}

static int
queue_event(struct xk_qmp *q, struct xk_qmp_msg *msg)
{
	int r = json_array_append(q->events, msg->root);

	xk_qmp_msg_free(msg);
	return r;
}

json_t *
xk_qmp_execute(struct xk_qmp *q, const char *cmd, json_t *args,
    int timeout_ms, struct xk_error *err)
{
	int64_t deadline = xk_mono_ms() + timeout_ms;
	char id[80];
	json_t *req;
	char *text;
	int r;

	snprintf(id, sizeof(id), "%s-%lld", q->idtag,
	    (long long)q->next_id++);
	req = json_pack("{s:s, s:s}", "execute", cmd, "id", id);
	if (req == NULL || (args != NULL &&
	    json_object_set_new(req, "arguments", args) < 0)) {
		if (req == NULL)
			json_decref(args);
		json_decref(req);
		xk_error_set(err, "QMP %s: cannot build the request", cmd);
		return NULL;
	}
	text = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (text == NULL) {
		xk_error_set(err, "QMP %s: cannot encode the request", cmd);
		return NULL;
	}
	r = write_all(q, text, strlen(text), deadline, err);
	if (r == 0)
		r = write_all(q, "\n", 1, deadline, err);
	free(text);
	if (r < 0)
		return NULL;
	for (;;) {
		struct xk_qmp_msg msg;
		json_t *ret;
		int timedout;

		if (read_msg(q, deadline, &msg, &timedout, err) < 0) {
			xk_error_prefix(err, "QMP %s", cmd);
			return NULL;
		}
		if (msg.kind == XK_QMP_EVENT) {
			if (queue_event(q, &msg) < 0) {
				xk_error_errno(err, ENOMEM, "QMP events");
				return NULL;
			}
			continue;
		}
		/* a reply to an older, timed-out command: drop it */
		if (msg.kind == XK_QMP_GREETING || msg.id == NULL ||
		    !json_is_string(msg.id) ||
		    strcmp(json_string_value(msg.id), id) != 0) {
			xk_qmp_msg_free(&msg);
			continue;
		}
		if (q->hook != NULL)
			q->hook(q->hook_arg, cmd);
		if (msg.kind == XK_QMP_ERROR) {
			xk_error_set(err, "QMP %s: %s: %s", cmd, msg.eclass,
			    msg.edesc);
			xk_qmp_msg_free(&msg);
			return NULL;
		}
		ret = json_incref(msg.value);
		xk_qmp_msg_free(&msg);
		return ret;
	}
}

json_t *
xk_qmp_executef(struct xk_qmp *q, int timeout_ms, struct xk_error *err,
    const char *cmd, const char *fmt, ...)
{
	json_error_t je;
	json_t *args;
	va_list ap;

	va_start(ap, fmt);
	args = json_vpack_ex(&je, 0, fmt, ap);
	va_end(ap);
	if (args == NULL) {
		xk_error_set(err, "QMP %s: bad arguments: %s", cmd, je.text);
		return NULL;
	}
	return xk_qmp_execute(q, cmd, args, timeout_ms, err);
}

int
xk_qmp_hmp(struct xk_qmp *q, const char *cmdline, char **out,
    int timeout_ms, struct xk_error *err)
{
	json_t *r = xk_qmp_executef(q, timeout_ms, err,
	    "human-monitor-command", "{s:s}", "command-line", cmdline);

	if (r == NULL)
		return -1;
	if (!json_is_string(r)) {
		xk_error_set(err, "QMP human-monitor-command: the reply is "
		    "not a string");
		json_decref(r);
		return -1;
	}
	*out = strdup(json_string_value(r));
	json_decref(r);
	if (*out == NULL) {
		xk_error_errno(err, ENOMEM, "QMP");
		return -1;
	}
	return 0;
}

/* Index of the first queued event that matches, or -1. */
static ssize_t
find_event(struct xk_qmp *q, const char *name,
    int (*match)(json_t *, void *), void *arg)
{
	for (size_t i = 0; i < json_array_size(q->events); i++) {
		json_t *ev = json_array_get(q->events, i);
		const char *n = json_string_value(json_object_get(ev,
		    "event"));

		if (name != NULL && (n == NULL || strcmp(n, name) != 0))
			continue;
		if (match != NULL && !match(json_object_get(ev, "data"), arg))
			continue;
		return (ssize_t)i;
	}
	return -1;
}

json_t *
xk_qmp_wait_event(struct xk_qmp *q, const char *name,
    int (*match)(json_t *data, void *arg), void *arg, int timeout_ms,
    struct xk_error *err)
{
	int64_t deadline = xk_mono_ms() + timeout_ms;

	for (;;) {
		ssize_t i = find_event(q, name, match, arg);
		struct xk_qmp_msg msg;
		int timedout;

		if (i >= 0) {
			json_t *ev = json_incref(json_array_get(q->events,
			    (size_t)i));

			json_array_remove(q->events, (size_t)i);
			return ev;
		}
		if (read_msg(q, deadline, &msg, &timedout, err) < 0) {
			if (timedout)
				xk_error_set(err, "QMP socket %s: no %s "
				    "event within %d ms", q->path,
				    name ? name : "", timeout_ms);
			return NULL;
		}
		if (msg.kind != XK_QMP_EVENT) {
			xk_qmp_msg_free(&msg);	/* a late reply */
			continue;
		}
		if (queue_event(q, &msg) < 0) {
			xk_error_errno(err, ENOMEM, "QMP events");
			return NULL;
		}
	}
}

static int
job_match(json_t *data, void *arg)
{
	const char *dev = json_string_value(json_object_get(data, "device"));

	return dev != NULL && strcmp(dev, arg) == 0;
}

int
xk_qmp_wait_job(struct xk_qmp *q, const char *id, int timeout_ms,
    struct xk_error *err)
{
	int64_t deadline = xk_mono_ms() + timeout_ms;

	for (;;) {
		json_t *ev = xk_qmp_wait_event(q, NULL, job_match, (void *)id,
		    left_ms(deadline), err);
		const char *name, *jerr;
		int r = 1;

		if (ev == NULL) {
			xk_error_prefix(err, "block job %s", id);
			return -1;
		}
		name = json_string_value(json_object_get(ev, "event"));
		jerr = json_string_value(json_object_get(
		    json_object_get(ev, "data"), "error"));
		if (strcmp(name, "BLOCK_JOB_COMPLETED") == 0 && jerr == NULL)
			r = 0;
		else if (strcmp(name, "BLOCK_JOB_COMPLETED") == 0 ||
		    strcmp(name, "BLOCK_JOB_CANCELLED") == 0) {
			xk_error_set(err, "block job %s: %s: %s", id, name,
			    jerr ? jerr : "cancelled");
			r = -1;
		}
		json_decref(ev);
		if (r <= 0)
			return r;
	}
}
