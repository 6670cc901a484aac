/*
 * xk-agent - the lab's dom0 side of the control channel.
 *
 * Runs inside dom0 (started by the lab's /init), reads request frames
 * from the virtio-serial port (lib/lab/proto.h), runs each command with
 * the stdin the host sent, and streams back its stdout, stderr and exit
 * status.  Built static so it runs on whatever libc the image has.
 *
 * The port is a single byte stream shared by successive host clients.
 * read() returning 0 means no host is connected: the agent drops any
 * half-received request then, and a new client's HELLO resets it too.
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lab/proto.h"
#include "util/clock.h"

#define MAX_ARGS	1024
#define XK_MAX_PORTS	16
#define DRAIN_MS	500	/* output still accepted after the command exits */

struct request {
	char *argv[MAX_ARGS + 1];
	int argc;
	int in;			/* memfd holding stdin, or -1 */
};

static void
request_reset(struct request *rq)
{
	int i;

	for (i = 0; i < rq->argc; i++)
		free(rq->argv[i]);
	rq->argc = 0;
	rq->argv[0] = NULL;
	if (rq->in != -1)
		close(rq->in);
	rq->in = -1;
}

static void
logmsg(const char *what, const struct xk_error *err)
{
	fprintf(stderr, "xk-agent: %s: %s\n", what, err->msg);
}

static void
pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static int
add_stdin(struct request *rq, const struct xk_frame *f, struct xk_error *err)
{
	const unsigned char *p = f->data;
	size_t left = f->len;

	if (rq->in == -1) {
		rq->in = memfd_create("xk-stdin", MFD_CLOEXEC);
		if (rq->in == -1) {
			xk_error_errno(err, errno, "memfd_create");
			return -1;
		}
	}
	while (left > 0) {
		ssize_t n = write(rq->in, p, left);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			xk_error_errno(err, errno, "stdin buffer");
			return -1;
		}
		p += n;
		left -= (size_t)n;
	}
	return 0;
}

static void
child(struct request *rq, int outw, int errw)
{
	int in;

	setsid();
	if (rq->in != -1) {
		in = rq->in;
		lseek(in, 0, SEEK_SET);
	} else {
		in = open("/dev/null", O_RDONLY);
	}
	if (in == -1 || dup2(in, 0) == -1 || dup2(outw, 1) == -1 ||
	    dup2(errw, 2) == -1)
		_exit(126);
	if (chdir("/root") == -1 && chdir("/") == -1)
		_exit(126);
	setenv("HOME", "/root", 1);
	setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
	    "/sbin:/bin", 1);
	signal(SIGPIPE, SIG_DFL);
	execvp(rq->argv[0], rq->argv);
	fprintf(stderr, "xk-agent: %s: %s\n", rq->argv[0], strerror(errno));
	_exit(127);
}

/* Forward what is readable on *pfd as a frame; close it at EOF. */
static int
forward(int port, struct pollfd *pfd, int type, struct xk_error *err)
{
	char buf[65536];
	ssize_t n;

	n = read(pfd->fd, buf, sizeof(buf));
	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return 0;
		n = 0;
	}
	if (n == 0) {
		close(pfd->fd);
		pfd->fd = -1;
		return 0;
	}
	return xk_frame_write(port, type, buf, (size_t)n, err);
}

static int
run(int port, struct request *rq, long timeout_s, struct xk_error *err)
{
	int out[2], errp[2], status = 0, exited = 0, timedout = 0;
	int hostgone = 0;
	struct pollfd pfd[3];
	int64_t deadline, drain = 0;
	char msg[64];
	pid_t pid;

	if (rq->argc == 0)
		return xk_frame_write(port, XK_FRAME_EXIT, "error: no command",
		    17, err);
	if (pipe2(out, O_CLOEXEC) == -1 || pipe2(errp, O_CLOEXEC) == -1) {
		snprintf(msg, sizeof(msg), "error: pipe: %s", strerror(errno));
		return xk_frame_write(port, XK_FRAME_EXIT, msg, strlen(msg), err);
	}
	pid = fork();
	if (pid == -1) {
		snprintf(msg, sizeof(msg), "error: fork: %s", strerror(errno));
		close(out[0]), close(out[1]), close(errp[0]), close(errp[1]);
		return xk_frame_write(port, XK_FRAME_EXIT, msg, strlen(msg), err);
	}
	if (pid == 0)
		child(rq, out[1], errp[1]);
	close(out[1]);
	close(errp[1]);
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	fcntl(errp[0], F_SETFL, O_NONBLOCK);
	pfd[0] = (struct pollfd){ .fd = out[0], .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = errp[0], .events = POLLIN };
	/* POLLHUP on the port: the host went away (killed, Ctrl-C) */
	pfd[2] = (struct pollfd){ .fd = port, .events = 0 };
	deadline = timeout_s > 0 ? xk_mono_ms() + timeout_s * 1000 : 0;

	/*
	 * Read until both pipes close.  A daemon the command left behind
	 * may hold them open: once the command itself has exited, give
	 * the output DRAIN_MS to arrive and stop there.
	 */
	while (pfd[0].fd != -1 || pfd[1].fd != -1) {
		int64_t now = xk_mono_ms();
		int wait = 100, n;

		if (!exited && waitpid(pid, &status, WNOHANG) == pid) {
			exited = 1;
			drain = now + DRAIN_MS;
		}
		if (exited && now >= drain)
			break;
		if (!exited && deadline > 0 && now >= deadline) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			timedout = 1;
			deadline = 0;
		}
		n = poll(pfd, 3, wait);
		if (n < 0 && errno != EINTR)
			break;
		if (n <= 0)
			continue;
		if ((pfd[2].revents & (POLLHUP | POLLERR)) ||
		    (pfd[0].fd != -1 && pfd[0].revents &&
		    forward(port, &pfd[0], XK_FRAME_OUT, err) == -1) ||
		    (pfd[1].fd != -1 && pfd[1].revents &&
		    forward(port, &pfd[1], XK_FRAME_ERR, err) == -1)) {
			hostgone = 1;
			break;
		}
	}
	/*
	 * Nobody will read the output of a command whose host went away:
	 * kill it, or it would hold this port (and the next client who
	 * picks the port would wait for it in vain).
	 */
	if (hostgone && !exited) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	if (pfd[0].fd != -1)
		close(pfd[0].fd);
	if (pfd[1].fd != -1)
		close(pfd[1].fd);
	if (!exited) {
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
	}
	if (hostgone) {
		if (err->msg[0] == '\0')
			xk_error_set(err, "the host went away: %s killed",
			    rq->argv[0]);
		return -1;
	}
	if (timedout)
		snprintf(msg, sizeof(msg), "timeout");
	else if (WIFSIGNALED(status))
		snprintf(msg, sizeof(msg), "signal %d", WTERMSIG(status));
	else
		snprintf(msg, sizeof(msg), "exit %d", WEXITSTATUS(status));
	return xk_frame_write(port, XK_FRAME_EXIT, msg, strlen(msg), err);
}

static int
handle(int port, struct request *rq, const struct xk_frame *f,
    struct xk_error *err)
{
	int r = 0;

	switch (f->type) {
	case XK_FRAME_HELLO:
		request_reset(rq);
		return xk_frame_write(port, XK_FRAME_HELLO, f->data, f->len,
		    err);
	case XK_FRAME_ARG:
		if (rq->argc == MAX_ARGS) {
			xk_error_set(err, "more than %d arguments", MAX_ARGS);
			return -1;
		}
		rq->argv[rq->argc] = strdup((const char *)f->data);
		if (rq->argv[rq->argc] == NULL) {
			xk_error_errno(err, errno, "strdup");
			return -1;
		}
		rq->argv[++rq->argc] = NULL;
		return 0;
	case XK_FRAME_STDIN:
		return add_stdin(rq, f, err);
	case XK_FRAME_RUN:
		r = run(port, rq, strtol((const char *)f->data, NULL, 10), err);
		request_reset(rq);
		return r;
	default:
		xk_error_set(err, "unknown frame type 0x%02x", f->type);
		return -1;
	}
}

/*
 * The device node of the virtio-serial port called name.  dom0 runs no
 * udev, so there is no /dev/virtio-ports/NAME link: look the name up
 * in sysfs and use the devtmpfs node (/dev/vportNpM).
 */
static int
find_port(const char *name, char *path, size_t len)
{
	char file[PATH_MAX], buf[256];
	struct dirent *de;
	int found = 0;
	DIR *dir;
	FILE *fp;

	dir = opendir("/sys/class/virtio-ports");
	if (dir == NULL)
		return 0;
	while (!found && (de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "/sys/class/virtio-ports/%s/name",
		    de->d_name);
		fp = fopen(file, "re");
		if (fp == NULL)
			continue;
		if (fgets(buf, sizeof(buf), fp) != NULL) {
			buf[strcspn(buf, "\n")] = '\0';
			if (strcmp(buf, name) == 0) {
				snprintf(path, len, "/dev/%s", de->d_name);
				found = 1;
			}
		}
		fclose(fp);
	}
	closedir(dir);
	return found;
}

/* The port appears once virtio_console has probed: wait for it. */
static int
open_port(const char *name)
{
	int64_t deadline = xk_mono_ms() + 60000;
	char path[PATH_MAX];
	int fd = -1;

	for (;;) {
		if (strchr(name, '/') != NULL)
			snprintf(path, sizeof(path), "%s", name);
		else if (!find_port(name, path, sizeof(path)))
			snprintf(path, sizeof(path), "/dev/virtio-ports/%s",
			    name);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd != -1)
			return fd;
		if (xk_mono_ms() > deadline) {
			fprintf(stderr, "xk-agent: %s: %s\n", path,
			    strerror(errno));
			return -1;
		}
		pause_ms(100);
	}
}

/* Serve one port for ever. */
static void
serve(int port)
{
	struct request rq = { .argc = 0, .in = -1 };
	struct xk_error err;
	struct xk_frame f;
	int r;

	for (;;) {
		xk_error_clear(&err);
		r = xk_frame_read(port, &f, 0, &err);
		if (r <= 0) {
			/*
			 * No host connected (or it went away mid-frame):
			 * forget the partial request and look again soon.
			 * The port reports the hang-up, not the reconnect,
			 * so this has to poll.
			 */
			request_reset(&rq);
			pause_ms(50);
			continue;
		}
		if (handle(port, &rq, &f, &err) == -1) {
			logmsg("request", &err);
			request_reset(&rq);
		}
		xk_frame_free(&f);
	}
}

/*
 * xk-agent NAME N: serve the ports NAME0 .. NAME<N-1>, one process
 * each, so that several host clients run commands at once.  If one
 * server dies they all go, and dom0's init starts the agent again.
 */
int
main(int argc, char **argv)
{
	pid_t pids[XK_MAX_PORTS];
	char name[256];
	int i, n, port, status;

	signal(SIGPIPE, SIG_IGN);
	if (argc == 2) {
		port = open_port(argv[1]);
		if (port == -1)
			return 1;
		serve(port);
	}
	n = argc == 3 ? atoi(argv[2]) : 0;
	if (n < 1 || n > XK_MAX_PORTS) {
		fprintf(stderr, "usage: xk-agent PORT-NAME|DEVICE\n"
		    "       xk-agent PORT-PREFIX COUNT (at most %d)\n",
		    XK_MAX_PORTS);
		return 2;
	}
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s%d", argv[1], i);
		pids[i] = fork();
		if (pids[i] == -1) {
			perror("xk-agent: fork");
			n = i;
			break;
		}
		if (pids[i] == 0) {
			port = open_port(name);
			if (port == -1)
				_exit(1);
			serve(port);
		}
	}
	while (wait(&status) == -1 && errno == EINTR)
		;
	for (i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	while (wait(&status) > 0 || errno == EINTR)
		;
	return 1;
}
