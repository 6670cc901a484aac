/*
 * evsock.c - the monitor's Unix socket (see evsock.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "events/event.h"
#include "events/evsock.h"
#include "util/sock.h"

#define MAX_CLIENTS 64
#define REQ_MAX 8192

struct client {
	int fd;
	int follower;
	size_t len;
	char buf[REQ_MAX];
};

struct xk_evsrv {
	int fd;
	char *path;
	xk_status_fn status;
	void *arg;
	struct client *c[MAX_CLIENTS];
	size_t n;
};

struct xk_evsrv *
xk_evsrv_open(const char *path, xk_status_fn status, void *arg,
    struct xk_error *err)
{
	struct sockaddr_un sa;
	struct xk_evsrv *s;
	int probe;

	if (xk_unix_addr(&sa, path, err) < 0)
		return NULL;
	probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (probe >= 0 && connect(probe, (struct sockaddr *)&sa,
	    sizeof(sa)) == 0) {
		close(probe);
		xk_error_set(err, "socket %s: another monitor is running",
		    path);
		return NULL;
	}
	if (probe >= 0)
		close(probe);
	s = calloc(1, sizeof(*s));
	if (s == NULL || (s->path = strdup(path)) == NULL) {
		free(s);
		xk_error_errno(err, ENOMEM, "socket %s", path);
		return NULL;
	}
	s->status = status;
	s->arg = arg;
	unlink(path);	/* stale: nobody answered */
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(s->fd, 16) < 0) {
		xk_error_errno(err, errno, "socket %s", path);
		if (s->fd >= 0)
			close(s->fd);
		free(s->path);
		free(s);
		return NULL;
	}
	chmod(path, 0660);
	return s;
}

static void
drop(struct xk_evsrv *s, size_t i)
{
	close(s->c[i]->fd);
	free(s->c[i]);
	s->c[i] = s->c[--s->n];
}

size_t
xk_evsrv_pollfds(struct xk_evsrv *s, struct pollfd *fds, size_t max)
{
	size_t k = 0;

	if (max == 0)
		return 0;
	fds[k++] = (struct pollfd){ s->fd, POLLIN, 0 };
	for (size_t i = 0; i < s->n && k < max; i++)
		fds[k++] = (struct pollfd){ s->c[i]->fd, POLLIN, 0 };
	return k;
}

/* Send all of line or give up (non-blocking); 0 when sent. */
static int
send_line(int fd, const char *line)
{
	size_t len = strlen(line);

	while (len > 0) {
		ssize_t n = send(fd, line, len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		line += n;
		len -= (size_t)n;
	}
	return 0;
}

void
xk_evsrv_broadcast(struct xk_evsrv *s, const char *line)
{
	for (size_t i = 0; i < s->n;) {
		if (s->c[i]->follower && send_line(s->c[i]->fd, line) < 0) {
			drop(s, i);
			continue;
		}
		i++;
	}
}

size_t
xk_evsrv_followers(const struct xk_evsrv *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++)
		n += s->c[i]->follower != 0;
	return n;
}

/* One request line from client i; returns 1 when it was dropped. */
static int
request(struct xk_evsrv *s, size_t i, char *line)
{
	struct xk_error e = { 0 };
	struct xk_event ev;

	if (strcmp(line, "FOLLOW") == 0) {
		s->c[i]->follower = 1;
		return 0;
	}
	if (strncmp(line, "PUBLISH ", 8) == 0) {
		char *l = line + 8;
		size_t len = strlen(l);

		/* only valid events reach followers */
		if (xk_event_from_line(l, len, &ev, &e) == 0) {
			l[len] = '\n';
			l[len + 1] = '\0';
			xk_evsrv_broadcast(s, l);
		}
		return 0;
	}
	if (strcmp(line, "STATUS") == 0 && s->status != NULL) {
		char *st = s->status(s->arg);

		if (st != NULL)
			send_line(s->c[i]->fd, st);
		free(st);
	}
	drop(s, i);
	return 1;
}

/* Read what client i sent; returns 1 when it was dropped. */
static int
readable(struct xk_evsrv *s, size_t i)
{
	struct client *c = s->c[i];
	char *nl;
	ssize_t n;

	n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - 2 - c->len,
	    MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		drop(s, i);
		return 1;
	}
	c->len += (size_t)n;
	while ((nl = memchr(c->buf, '\n', c->len)) != NULL) {
		size_t used = (size_t)(nl - c->buf) + 1;
		char line[REQ_MAX];

		memcpy(line, c->buf, used - 1);
		line[used - 1] = '\0';
		memmove(c->buf, c->buf + used, c->len - used);
		c->len -= used;
		if (request(s, i, line))
			return 1;
	}
	if (c->len >= sizeof(c->buf) - 2) {	/* a line too long */
		drop(s, i);
		return 1;
	}
	return 0;
}

void
xk_evsrv_handle(struct xk_evsrv *s, const struct pollfd *fds, size_t n)
{
	/* clients first: their indexes in fds match s->c until one drops */
	for (size_t k = n; k-- > 1;) {
		if (fds[k].revents == 0)
			continue;
		for (size_t i = 0; i < s->n; i++)
			if (s->c[i]->fd == fds[k].fd) {
				readable(s, i);
				break;
			}
	}
	if (n > 0 && (fds[0].revents & POLLIN)) {
		int fd = accept4(s->fd, NULL, NULL,
		    SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (fd < 0)
			return;
		if (s->n == MAX_CLIENTS) {
			close(fd);
			return;
		}
		s->c[s->n] = calloc(1, sizeof(struct client));
		if (s->c[s->n] == NULL) {
			close(fd);
			return;
		}
		s->c[s->n++]->fd = fd;
	}
}

void
xk_evsrv_close(struct xk_evsrv *s)
{
	if (s == NULL)
		return;
	while (s->n > 0)
		drop(s, 0);
	close(s->fd);
	unlink(s->path);
	free(s->path);
	free(s);
}

int
xk_evsock_request(const char *path, const char *req, struct xk_error *err)
{
	char *line;
	int fd;

	fd = xk_unix_connect(path, 0, "monitor socket", err);
	if (fd < 0)
		return -1;
	if (asprintf(&line, "%s\n", req) < 0) {
		close(fd);
		xk_error_errno(err, ENOMEM, "monitor socket %s", path);
		return -1;
	}
	if (send(fd, line, strlen(line), MSG_NOSIGNAL) !=
	    (ssize_t)strlen(line)) {
		xk_error_errno(err, errno, "monitor socket %s: send", path);
		free(line);
		close(fd);
		return -1;
	}
	free(line);
	return fd;
}
