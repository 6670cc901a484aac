/*
 * run.c - run a program and wait for it (see run.h).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/run.h"

/* environ with LC_ALL=C in place of any LC_ALL; NULL when out of memory */
static char **
c_locale_env(void)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ[n] != NULL)
		n++;
	env = calloc(n + 2, sizeof(*env));
	if (env == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "LC_ALL=", 7) != 0)
			env[k++] = environ[i];
	env[k++] = (char *)"LC_ALL=C";	/* posix_spawn never writes it */
	env[k] = NULL;
	return env;
}

/* Wire descriptor target (1 or 2) as chosen; pipe_w is the capture pipe. */
static int
wire(posix_spawn_file_actions_t *fa, int choice, int target, int pipe_w)
{
	if (choice == XK_RUN_INHERIT)
		return 0;
	if (choice == XK_RUN_DEVNULL)
		return posix_spawn_file_actions_addopen(fa, target,
		    "/dev/null", O_WRONLY, 0);
	return posix_spawn_file_actions_adddup2(fa,
	    choice == XK_RUN_CAPTURE ? pipe_w : choice, target);
}

static int
spawn(const char *const argv[], const struct xk_run_opts *o, int pipe_w,
    pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	char **env = environ;
	short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
	int rc;

	sigemptyset(&none);
	sigfillset(&all);
	if (o->setsid)
		flags |= POSIX_SPAWN_SETSID;
	if (o->c_locale && (env = c_locale_env()) == NULL)
		return ENOMEM;
	if ((rc = posix_spawn_file_actions_init(&fa)) != 0)
		goto out_env;
	if ((rc = posix_spawnattr_init(&attr)) != 0)
		goto out_fa;
	if ((rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null",
	    O_RDONLY, 0)) == 0 &&
	    (rc = wire(&fa, o->out, 1, pipe_w)) == 0 &&
	    (rc = wire(&fa, o->err, 2, pipe_w)) == 0 &&
	    (o->hold_fd <= 2 || (rc = posix_spawn_file_actions_adddup2(&fa,
	    o->hold_fd, o->hold_fd)) == 0) &&
	    (rc = posix_spawnattr_setsigmask(&attr, &none)) == 0 &&
	    (rc = posix_spawnattr_setsigdefault(&attr, &all)) == 0 &&
	    (rc = posix_spawnattr_setflags(&attr, flags)) == 0)
		rc = posix_spawnp(pid, argv[0], &fa, &attr,
		    (char *const *)argv, env);
	posix_spawnattr_destroy(&attr);
out_fa:
	posix_spawn_file_actions_destroy(&fa);
out_env:
	if (env != environ)
		free(env);
	return rc;
}

/*
 * Read the pipe to its end; keep the first XK_RUN_OUTPUT_MAX bytes.
 * With a deadline (xk_mono_ms), 1 when it passed first.
 */
static int
drain(int fd, int64_t deadline, struct strbuf *out, const char *prog,
    struct xk_error *err)
{
	char buf[8192];
	size_t kept = 0;
	ssize_t n;
	int rc = 0;

	for (;;) {
		if (deadline > 0) {
			int64_t left = deadline - xk_mono_ms();
			struct pollfd p = { fd, POLLIN, 0 };
			int r;

			if (left <= 0)
				return 1;
			r = poll(&p, 1, (int)left);
			if (r == 0)
				return 1;
			if (r < 0 && errno == EINTR)
				continue;	/* look at the clock again */
			if (r < 0) {
				xk_error_errno(err, errno, "%s: waiting for "
				    "its output", prog);
				return -1;
			}
		}
		n = read(fd, buf, sizeof(buf));
		if (n == 0)
			return rc;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			xk_error_errno(err, errno, "%s: reading its output",
			    prog);
			return -1;
		}
		if (rc < 0 || out == NULL || kept >= XK_RUN_OUTPUT_MAX)
			continue;	/* keep reading: never block the child */
		if ((size_t)n > XK_RUN_OUTPUT_MAX - kept)
			n = (ssize_t)(XK_RUN_OUTPUT_MAX - kept);
		if (strbuf_add(out, buf, (size_t)n) < 0) {
			xk_error_errno(err, ENOMEM, "%s: its output", prog);
			rc = -1;
		}
		kept += (size_t)n;
	}
}

static int
wait_for(pid_t pid, const char *prog, int *status, struct xk_error *err)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			xk_error_errno(err, errno, "%s: waitpid", prog);
			return -1;
		}
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return 0;
}

int
xk_run(const char *const argv[], const struct xk_run_opts *o,
    struct strbuf *out, int *status, struct xk_error *err)
{
	bool capture = o->out == XK_RUN_CAPTURE || o->err == XK_RUN_CAPTURE;
	struct xk_error ignore;
	int p[2] = { -1, -1 }, rc;
	pid_t pid;

	if (capture && pipe2(p, O_CLOEXEC) < 0) {
		xk_error_errno(err, errno, "%s: pipe", argv[0]);
		return -1;
	}
	rc = spawn(argv, o, p[1], &pid);
	if (p[1] >= 0)
		close(p[1]);
	if (rc != 0) {
		if (p[0] >= 0)
			close(p[0]);
		if (rc == ENOENT) {
			xk_error_set(err, "%s: not found", argv[0]);
			err->errnum = ENOENT;
		} else
			xk_error_errno(err, rc, "%s: cannot run it", argv[0]);
		return -1;
	}
	rc = capture ? drain(p[0], o->timeout_ms > 0 ? xk_mono_ms() +
	    o->timeout_ms : 0, out, argv[0], err) : 0;
	if (p[0] >= 0)
		close(p[0]);
	if (rc == 1) {
		kill(pid, SIGKILL);
		xk_error_set(err, "%s: killed after %d s without finishing",
		    argv[0], o->timeout_ms / 1000);
		err->errnum = ETIMEDOUT;
		rc = -1;
	} else if (rc < 0 && o->timeout_ms > 0) {
		/* its output is lost: the bound can no longer be kept
		 * by watching it, so do not wait without one */
		kill(pid, SIGKILL);
	}
	/* reap it even when its output was lost (err says why already) */
	if (wait_for(pid, argv[0], status, rc < 0 ? &ignore : err) < 0)
		return -1;
	return rc;
}

int
xk_run_ok(const char *const argv[], struct strbuf *out,
    struct xk_error *err)
{
	static const struct xk_run_opts o = { .out = XK_RUN_CAPTURE,
	    .err = XK_RUN_CAPTURE, .c_locale = true };
	struct strbuf mine = STRBUF_INIT, *sb = out ? out : &mine;
	size_t start = sb->len;
	int status;

	if (xk_run(argv, &o, sb, &status, err) < 0) {
		strbuf_free(&mine);
		return -1;
	}
	while (sb->len > start && isspace((unsigned char)sb->buf[sb->len - 1]))
		sb->buf[--sb->len] = '\0';
	/* the output's start says why: most tools print one line */
	if (status != 0)
		xk_error_set(err, "%s%s%s failed (status %d): %.600s", argv[0],
		    argv[1] ? " " : "", argv[1] ? argv[1] : "", status,
		    sb->len > start ? sb->buf + start : "no output");
	strbuf_free(&mine);
	return status == 0 ? 0 : -1;
}
