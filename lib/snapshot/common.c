/*
 * common.c - what every part of the snapshot code uses: running a
 * program, syncing a directory, the fault points (backend.h).  It
 * depends on no other file of lib/snapshot.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "snapshot/backend.h"

int
xk_snap_run_out(const char *const argv[], char *out, size_t size,
    struct xk_error *err)
{
	int pfd[2], status;
	size_t len = 0;
	pid_t pid;
	ssize_t n;

	if (pipe2(pfd, O_CLOEXEC) < 0) {
		xk_error_errno(err, errno, "%s: pipe", argv[0]);
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		xk_error_errno(err, errno, "%s: fork", argv[0]);
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		dup2(null, 0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	while ((n = read(pfd[0], out + len, size - 1 - len)) > 0 ||
	    (n < 0 && errno == EINTR))
		if (n > 0)
			len += (size_t)n;
	out[len] = '\0';
	while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == '\r' ||
	    out[len - 1] == ' '))
		out[--len] = '\0';
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			xk_error_errno(err, errno, "%s: wait", argv[0]);
			return -1;
		}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		xk_error_set(err, "%s %s failed (status %d): %s", argv[0],
		    argv[1] ? argv[1] : "", WIFEXITED(status) ?
		    WEXITSTATUS(status) : -1, len ? out : "no output");
		return -1;
	}
	return 0;
}

int
xk_snap_run(const char *const argv[], struct xk_error *err)
{
	char out[700];

	return xk_snap_run_out(argv, out, sizeof(out), err);
}

int
xk_snap_sync_dir(const char *path, struct xk_error *err)
{
	char *copy = strdup(path);
	int fd, r = 0;

	if (copy == NULL) {
		xk_error_errno(err, ENOMEM, "%s", path);
		return -1;
	}
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0) {
		xk_error_errno(err, errno, "sync directory of %s", path);
		r = -1;
	}
	if (fd >= 0)
		close(fd);
	free(copy);
	return r;
}

void
xk_snap_fault(struct xk_snap_env *env, const char *point)
{
	const char *f = getenv("XK_SNAPSHOT_FAULT");
	const char *log = getenv("XK_SNAPSHOT_FAULT_LOG");
	unsigned n = ++env->faults;
	char nth[24];

	if (log != NULL) {
		/* which point is which number, for the tests' messages */
		FILE *l = fopen(log, "a");

		if (l != NULL) {
			fprintf(l, "%u %s\n", n, point);
			fclose(l);
		}
	}
	snprintf(nth, sizeof(nth), "@%u", n);
	if (f != NULL && (strcmp(f, point) == 0 || strcmp(f, nth) == 0))
		raise(SIGKILL);	/* as if killed: no cleanup at all */
}

void
xk_snap_fault_step(struct xk_snap_env *env, const char *op, int step)
{
	char point[64];

	snprintf(point, sizeof(point), "%s:%d", op, step);
	xk_snap_fault(env, point);
}
