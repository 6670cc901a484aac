/*
 * ctl.c - control-channel client (see ctl.h and proto.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lab/ctl.h"
#include "lab/proto.h"
#include "lab/serial.h"
#include "lab/state.h"
#include "util/clock.h"
#include "util/file.h"
#include "util/sock.h"
#include "util/strbuf.h"

#define EXEC_MARGIN_MS	30000	/* host wait beyond the dom0 timeout */
#define PANIC_CHECK_MS	2000	/* a silent command: look for a panic */
#define HELLO_SILENCE_MS	10000	/* no answer: hang up and call again */

/* Take the first free STATE/ctlN.lock; *port gets N.  Waits for one. */
static int
lock_port(const char *state, int64_t deadline, int *port,
    struct xk_error *err)
{
	int fds[XK_CTL_PORTS], i, opened = 0, fd = -1;
	char path[PATH_MAX];

	for (; opened < XK_CTL_PORTS; opened++) {
		if (snprintf(path, sizeof(path), "%s/ctl%d.lock", state,
		    opened) >= (int)sizeof(path)) {
			xk_error_set(err, "%s: path too long", state);
			goto out;
		}
		fds[opened] = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fds[opened] == -1) {
			xk_error_errno(err, errno, "%s", path);
			goto out;
		}
	}
	/* flock has no timeout: try each, and again until the deadline. */
	for (;;) {
		struct timespec ts = { 0, 20 * 1000000L };

		for (i = 0; i < XK_CTL_PORTS; i++) {
			if (flock(fds[i], LOCK_EX | LOCK_NB) == 0) {
				fd = fds[i];
				fds[i] = -1;
				*port = i;
				goto out;
			}
		}
		if (xk_mono_ms() > deadline) {
			xk_error_errno(err, ETIMEDOUT, "all %d control ports "
			    "of %s are busy", XK_CTL_PORTS, state);
			goto out;
		}
		nanosleep(&ts, NULL);
	}
out:
	for (i = 0; i < opened; i++)
		if (fds[i] != -1)
			close(fds[i]);
	return fd;
}

/* HELLO with a fresh nonce; skip frames until it comes back. */
static int
hello(int fd, int64_t deadline, struct xk_error *err)
{
	char nonce[64];
	struct xk_frame f;
	int r, n;

	n = snprintf(nonce, sizeof(nonce), "%ld.%lld", (long)getpid(),
	    (long long)xk_mono_ms());
	if (xk_frame_write(fd, XK_FRAME_HELLO, nonce, (size_t)n, err) == -1)
		return -1;
	for (;;) {
		r = xk_frame_read(fd, &f, deadline, err);
		if (r == 0) {
			xk_error_set(err, "control channel closed (QEMU gone?)");
			return -1;
		}
		if (r == -1)
			return -1;
		if (f.type == XK_FRAME_HELLO && f.len == (uint32_t)n &&
		    memcmp(f.data, nonce, (size_t)n) == 0) {
			xk_frame_free(&f);
			return 0;
		}
		xk_frame_free(&f);
	}
}

/* Did the hypervisor panic while we waited for what?  err says so. */
static bool
lost(const struct xk_ctl *c, const char *what, struct xk_error *err)
{
	char sig[512];

	if (xk_lab_panicked(c->state, sig, sizeof(sig)) != 1)
		return false;
	xk_error_set(err, "lab lost while waiting for %s: %s", what, sig);
	return true;
}

/*
 * Connect to the port and say HELLO, reconnecting after each
 * HELLO_SILENCE_MS without an answer.  Why: the agent's end of a port
 * can still hold a dead client's half-sent frame (our HELLO would be
 * read as the rest of it) or a command whose client went away
 * unnoticed; a hang-up makes the agent drop both, so a client that
 * only waited would wait for nothing.  The pause lets the agent see
 * the hang-up before the next connection hides it.
 */
static int
connect_hello(struct xk_ctl *c, const char *path, int64_t deadline,
    struct xk_error *err)
{
	struct timespec pause = { 0, 500 * 1000000L };
	int64_t until;

	for (;;) {
		c->fd = xk_unix_connect(path, 0, "lab control socket", err);
		if (c->fd == -1)
			return -1;
		until = xk_mono_ms() + HELLO_SILENCE_MS;
		if (until > deadline)
			until = deadline;
		if (hello(c->fd, until, err) == 0)
			return 0;
		if (err->errnum != ETIMEDOUT || until >= deadline)
			return -1;
		if (lost(c, "the agent's answer", err))
			return -1;
		close(c->fd);
		c->fd = -1;
		xk_error_clear(err);
		nanosleep(&pause, NULL);
	}
}

int
xk_ctl_open(struct xk_ctl *c, const char *state, int timeout_ms,
    struct xk_error *err)
{
	int64_t deadline = xk_mono_ms() + timeout_ms;
	char path[PATH_MAX];
	int port = 0;

	c->fd = c->lock = -1;
	c->state = state;
	c->lock = lock_port(state, deadline, &port, err);
	if (c->lock == -1)
		return -1;
	snprintf(path, sizeof(path), "%s/ctl%d.sock", state, port);
	if (connect_hello(c, path, deadline, err) == -1) {
		if (err->errnum == ETIMEDOUT)
			xk_error_errno(err, ETIMEDOUT,
			    "dom0 agent did not answer on port %d within %d ms",
			    port, timeout_ms);
		xk_ctl_close(c);
		return -1;
	}
	return 0;
}

void
xk_ctl_close(struct xk_ctl *c)
{
	if (c->fd != -1)
		close(c->fd);
	if (c->lock != -1)
		close(c->lock);
	c->fd = c->lock = -1;
}

static int
send_stdin(int fd, int in_fd, struct xk_error *err)
{
	char *buf;
	ssize_t n;
	int r = 0;

	buf = malloc(XK_FRAME_MAX);
	if (buf == NULL) {
		xk_error_errno(err, errno, "malloc");
		return -1;
	}
	for (;;) {
		n = read(in_fd, buf, XK_FRAME_MAX);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			xk_error_errno(err, errno, "read stdin");
			r = -1;
			break;
		}
		if (n == 0)
			break;
		if (xk_frame_write(fd, XK_FRAME_STDIN, buf, (size_t)n,
		    err) == -1) {
			r = -1;
			break;
		}
	}
	free(buf);
	return r;
}

static int
parse_status(const char *s, int *status, struct xk_error *err)
{
	int n;

	if (sscanf(s, "exit %d", &n) == 1)
		*status = n;
	else if (sscanf(s, "signal %d", &n) == 1)
		*status = 128 + n;
	else if (strcmp(s, "timeout") == 0)
		*status = 124;
	else {
		xk_error_set(err, "dom0 agent: %s", s);
		return -1;
	}
	return 0;
}

/*
 * The next frame of a command's answer, waiting at most until deadline
 * (0: none).  While no byte comes, the serial log is looked at every
 * PANIC_CHECK_MS: a panicked hypervisor never answers, and its QEMU
 * can stay up (a reboot that hangs), so the socket would not close.
 */
static int
wait_frame(struct xk_ctl *c, const char *what, struct xk_frame *f,
    int64_t deadline, struct xk_error *err)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	int64_t now;
	int r, ms;

	for (;;) {
		now = xk_mono_ms();
		ms = PANIC_CHECK_MS;
		if (deadline > 0 && deadline - now < ms)
			ms = deadline > now ? (int)(deadline - now) : 0;
		r = poll(&p, 1, ms);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			xk_error_errno(err, errno, "poll");
			return -1;
		}
		if (r > 0)
			break;
		if (lost(c, what, err))
			return -1;
		if (deadline > 0 && xk_mono_ms() >= deadline) {
			xk_error_errno(err, ETIMEDOUT, "%s: no answer from "
			    "dom0", what);
			return -1;
		}
	}
	r = xk_frame_read(c->fd, f, deadline, err);
	if (r == 0) {
		if (!lost(c, what, err))
			xk_error_set(err, "control channel closed while "
			    "running %s (QEMU gone?)", what);
		return -1;
	}
	if (r == -1 && err->errnum == ETIMEDOUT)
		xk_error_errno(err, ETIMEDOUT, "%s: no answer from dom0",
		    what);
	return r == 1 ? 0 : -1;
}

int
xk_ctl_exec_fn(struct xk_ctl *c, const char *const argv[], int in_fd,
    xk_ctl_out_fn out, void *arg, int err_fd, int timeout_s, int *status,
    struct xk_error *err)
{
	int64_t deadline = 0;
	struct xk_frame f;
	char tmo[32];
	int i, r;

	for (i = 0; argv[i] != NULL; i++) {
		if (xk_frame_write(c->fd, XK_FRAME_ARG, argv[i],
		    strlen(argv[i]), err) == -1)
			return -1;
	}
	if (in_fd != -1 && send_stdin(c->fd, in_fd, err) == -1)
		return -1;
	r = snprintf(tmo, sizeof(tmo), "%d", timeout_s);
	if (xk_frame_write(c->fd, XK_FRAME_RUN, tmo, (size_t)r, err) == -1)
		return -1;
	if (timeout_s > 0)
		deadline = xk_mono_ms() + (int64_t)timeout_s * 1000 +
		    EXEC_MARGIN_MS;
	for (;;) {
		r = wait_frame(c, argv[0], &f, deadline, err);
		if (r == -1)
			return -1;
		switch (f.type) {
		case XK_FRAME_OUT:
			r = out((const char *)f.data, f.len, arg, err);
			break;
		case XK_FRAME_ERR:
			r = xk_write_all(err_fd, f.data, f.len,
			    "the command's output", err);
			break;
		case XK_FRAME_EXIT:
			r = parse_status((const char *)f.data, status, err);
			xk_frame_free(&f);
			return r;
		default:
			r = 0;	/* a stale HELLO: ignore */
		}
		xk_frame_free(&f);
		if (r == -1)
			return -1;
	}
}

static int
out_to_fd(const char *data, size_t len, void *arg, struct xk_error *err)
{
	return xk_write_all(*(int *)arg, data, len, "the command's output",
	    err);
}

int
xk_ctl_exec(struct xk_ctl *c, const char *const argv[], int in_fd, int out_fd,
    int err_fd, int timeout_s, int *status, struct xk_error *err)
{
	return xk_ctl_exec_fn(c, argv, in_fd, out_to_fd, &out_fd, err_fd,
	    timeout_s, status, err);
}

/* Read back the memfd one stream of output was collected in. */
static int
slurp(int fd, char **out, struct xk_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[8192];
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) == -1) {
		xk_error_errno(err, errno, "lseek");
		return -1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (strbuf_add(&sb, buf, (size_t)n) == -1) {
			xk_error_errno(err, ENOMEM, "output");
			strbuf_free(&sb);
			return -1;
		}
	}
	if (n < 0) {
		xk_error_errno(err, errno, "read output");
		strbuf_free(&sb);
		return -1;
	}
	if (sb.buf == NULL && strbuf_adds(&sb, "") == -1) {
		xk_error_errno(err, ENOMEM, "output");
		return -1;
	}
	*out = strbuf_detach(&sb);
	return 0;
}

int
xk_ctl_run(struct xk_ctl *c, const char *const argv[], int timeout_s,
    char **out, char **errout, int *status, struct xk_error *err)
{
	int ofd, efd, r = -1;

	if (out != NULL)
		*out = NULL;
	if (errout != NULL)
		*errout = NULL;
	ofd = memfd_create("xk-out", MFD_CLOEXEC);
	efd = memfd_create("xk-err", MFD_CLOEXEC);
	if (ofd == -1 || efd == -1) {
		xk_error_errno(err, errno, "memfd_create");
		goto out;
	}
	if (xk_ctl_exec(c, argv, -1, ofd, efd, timeout_s, status, err) == -1)
		goto out;
	if (out != NULL && slurp(ofd, out, err) == -1)
		goto out;
	if (errout != NULL && slurp(efd, errout, err) == -1) {
		if (out != NULL) {
			free(*out);
			*out = NULL;
		}
		goto out;
	}
	r = 0;
out:
	if (ofd != -1)
		close(ofd);
	if (efd != -1)
		close(efd);
	return r;
}

/* Relay between in_fd and the serial socket until Ctrl-] or an end. */
static int
relay(int sock, int in_fd, int out_fd, struct xk_error *err)
{
	struct pollfd p[2] = { { .fd = in_fd, .events = POLLIN },
	    { .fd = sock, .events = POLLIN } };
	char buf[4096];
	ssize_t n;

	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			xk_error_errno(err, errno, "poll");
			return -1;
		}
		if (p[0].revents) {
			n = read(in_fd, buf, sizeof(buf));
			if (n <= 0 || memchr(buf, 0x1d, (size_t)n) != NULL)
				return 0;
			if (xk_write_all(sock, buf, (size_t)n, "the serial line",
			    err) == -1)
				return -1;
		}
		if (p[1].revents) {
			n = read(sock, buf, sizeof(buf));
			if (n <= 0)
				return 0;
			if (xk_write_all(out_fd, buf, (size_t)n, "the terminal",
			    err) == -1)
				return -1;
		}
	}
}

int
xk_lab_console_open(const char *state, struct xk_error *err)
{
	char path[PATH_MAX];
	int sock;

	if (snprintf(path, sizeof(path), "%s/%s", state, XK_LAB_SERIAL_SOCK)
	    >= (int)sizeof(path)) {
		xk_error_set(err, "%s: path too long", state);
		return -1;
	}
	sock = xk_unix_connect(path, 0, "lab serial socket", err);
	if (sock == -1)
		xk_error_prefix(err, "serial line");
	return sock;
}

int
xk_lab_console_relay(int sock, int in_fd, int out_fd,
    struct xk_error *err)
{
	int r = relay(sock, in_fd, out_fd, err);

	close(sock);
	return r;
}
