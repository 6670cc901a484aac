/*
 * hooks.c - hook scripts per event (see hooks.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "events/hooks.h"

#define HOOK_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:" \
	"/sbin:/bin"

/* run-parts' default rule (LANANA names): [A-Za-z0-9_-]+ */
static int
valid_name(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
xk_hooks_free_list(char **paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

int
xk_hooks_list(const char *dir, char ***paths, size_t *n,
    struct xk_error *err)
{
	struct dirent **ents = NULL;
	char **out = NULL;
	size_t k = 0;
	int m;

	*paths = NULL;
	*n = 0;
	m = scandir(dir, &ents, NULL, alphasort);
	if (m < 0) {
		xk_error_errno(err, errno, "hooks directory %s", dir);
		return -1;
	}
	out = calloc((size_t)m + 1, sizeof(*out));
	for (int i = 0; i < m; i++) {
		struct stat st;
		char *p;

		if (out != NULL && valid_name(ents[i]->d_name) &&
		    asprintf(&p, "%s/%s", dir, ents[i]->d_name) >= 0) {
			if (stat(p, &st) == 0 && S_ISREG(st.st_mode) &&
			    access(p, X_OK) == 0)
				out[k++] = p;
			else
				free(p);
		}
		free(ents[i]);
	}
	free(ents);
	if (out == NULL) {
		xk_error_errno(err, ENOMEM, "hooks directory %s", dir);
		return -1;
	}
	/* alphasort follows the locale; run-parts uses C order */
	qsort(out, k, sizeof(*out), cmp_str);
	*paths = out;
	*n = k;
	return 0;
}

void
xk_hooks_free_env(char **env)
{
	if (env == NULL)
		return;
	for (char **e = env; *e != NULL; e++)
		free(*e);
	free(env);
}

/* *slot = the formatted string, or NULL (asprintf leaves it undefined
 * on failure); 0 or -1. */
static int setvar(char **slot, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
setvar(char **slot, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(slot, fmt, ap);
	va_end(ap);
	if (n < 0)
		*slot = NULL;
	return n < 0 ? -1 : 0;
}

char **
xk_hooks_env(const struct xk_event *ev)
{
	char ts[40], **env = calloc(10, sizeof(*env));
	int k = 0, bad = 0;

	if (env == NULL)
		return NULL;
	xk_format_time(ev->ts_ms, ts, sizeof(ts));
	bad |= setvar(&env[k++], "%s", HOOK_PATH);
	bad |= setvar(&env[k++], "XK_EVENT=%s", xk_evtype_name(ev->type));
	bad |= setvar(&env[k++], "XK_DOMAIN=%s", ev->domain);
	bad |= setvar(&env[k++], "XK_DOMID=%ld", ev->domid);
	bad |= setvar(&env[k++], "XK_UUID=%s", ev->uuid);
	bad |= setvar(&env[k++], "XK_REASON=%s", xk_reason_name(ev->reason));
	bad |= setvar(&env[k++], "XK_TIMESTAMP=%s", ts);
	bad |= setvar(&env[k++], "XK_SOURCE=%s", ev->source);
	if (ev->previous_domid != XK_NO_DOMID)
		bad |= setvar(&env[k++], "XK_PREVIOUS_DOMID=%ld",
		    ev->previous_domid);
	if (bad) {
		for (int i = 0; i < k; i++)
			free(env[i]);
		free(env);
		return NULL;
	}
	return env;
}

static void report(int fd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
report(int fd, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	/* best effort: a report that cannot be written is not a reason
	 * to stop running hooks */
	if (write(fd, buf, (size_t)n) < 0)
		return;
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Forward complete lines of the hook's output; keep the rest. */
static void
pass_output(int fd, const char *tag, char *buf, size_t *len, int flush)
{
	char *start = buf, *nl;

	while ((nl = memchr(start, '\n', *len - (size_t)(start - buf)))) {
		*nl = '\0';
		report(fd, "%s: %s", tag, start);
		start = nl + 1;
	}
	*len -= (size_t)(start - buf);
	memmove(buf, start, *len);
	if (*len > 0 && (flush || *len >= 512)) {
		buf[*len] = '\0';
		report(fd, "%s: %s", tag, buf);
		*len = 0;
	}
}

/*
 * Start the hook at path with stdin /dev/null, stdout and stderr on
 * out, in a process group of its own, no signal blocked or ignored.
 * posix_spawn, not fork: glibc's spawn shares our memory until the
 * exec instead of copying our page tables, which is most of the cost
 * of starting a hook in a Xen PV dom0 (each page table is validated by
 * the hypervisor).  Returns 0, or an errno value (the exec's too).
 */
static int
spawn(const char *path, char **env, int out, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	char *argv[] = { (char *)path, NULL };
	int rc;

	sigemptyset(&none);
	sigfillset(&all);
	if ((rc = posix_spawn_file_actions_init(&fa)) != 0)
		return rc;
	if ((rc = posix_spawnattr_init(&attr)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return rc;
	}
	/* the monitor blocks the signals it reads from a signalfd: a hook
	 * must start with none blocked, or SIGTERM could not stop it */
	if ((rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null",
	    O_RDONLY, 0)) == 0 &&
	    (rc = posix_spawn_file_actions_adddup2(&fa, out, 1)) == 0 &&
	    (rc = posix_spawn_file_actions_adddup2(&fa, out, 2)) == 0 &&
	    (rc = posix_spawnattr_setsigmask(&attr, &none)) == 0 &&
	    (rc = posix_spawnattr_setsigdefault(&attr, &all)) == 0 &&
	    (rc = posix_spawnattr_setpgroup(&attr, 0)) == 0 &&
	    (rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP)) == 0)
		rc = posix_spawn(pid, path, &fa, &attr, argv, env);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

/* Run one hook to its end or its limit; 0 when it exited 0. */
static int
run_one(const struct xk_hooks_cfg *cfg, int rfd, const char *path,
    char **env, const char *what)
{
	int p[2], status = 0, grace = cfg->grace_ms ? cfg->grace_ms : 2000;
	int limit = cfg->timeout_ms ? cfg->timeout_ms : 30000;
	char buf[1024], tag[512];
	size_t len = 0;
	int64_t start = mono_ms(), deadline = start + limit;
	int killed = 0, exited = 0, open_pipe = 1, rc;
	pid_t pid;

	snprintf(tag, sizeof(tag), "hook %s (%s)", path, what);
	if (pipe2(p, O_CLOEXEC) < 0) {
		report(rfd, "%s: pipe: %s", tag, strerror(errno));
		return -1;
	}
	rc = spawn(path, env, p[1], &pid);
	close(p[1]);
	if (rc != 0) {
		report(rfd, "%s: could not execute: %s", tag, strerror(rc));
		close(p[0]);
		return -1;
	}
	while (!exited) {
		int64_t now = mono_ms();
		struct pollfd pfd = { p[0], POLLIN, 0 };
		int wait = 50;

		if (now >= deadline) {
			if (killed == 0)
				report(rfd, "%s: still running after %d ms: "
				    "SIGTERM", tag, limit);
			else
				report(rfd, "%s: still running: SIGKILL", tag);
			kill(-pid, killed == 0 ? SIGTERM : SIGKILL);
			kill(pid, killed == 0 ? SIGTERM : SIGKILL);
			killed++;
			deadline = now + (killed == 1 ? grace : 1000);
		}
		if (open_pipe && poll(&pfd, 1, wait) > 0) {
			ssize_t n = read(p[0], buf + len, sizeof(buf) - 1 - len);

			if (n > 0) {
				len += (size_t)n;
				pass_output(rfd, tag, buf, &len, 0);
			} else if (n == 0 || errno != EINTR) {
				open_pipe = 0;
			}
		} else if (!open_pipe) {
			poll(NULL, 0, wait);
		}
		if (waitpid(pid, &status, WNOHANG) == pid)
			exited = 1;
	}
	/* what the hook wrote just before it ended */
	while (open_pipe) {
		struct pollfd pfd = { p[0], POLLIN, 0 };
		ssize_t n;

		if (poll(&pfd, 1, 0) <= 0)
			break;
		n = read(p[0], buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		pass_output(rfd, tag, buf, &len, 0);
	}
	pass_output(rfd, tag, buf, &len, 1);
	close(p[0]);
	if (killed > 0) {
		report(rfd, "%s: timed out after %d ms, killed", tag, limit);
		return -1;
	}
	if (WIFSIGNALED(status)) {
		report(rfd, "%s: killed by signal %d", tag, WTERMSIG(status));
		return -1;
	}
	if (WEXITSTATUS(status) != 0) {
		report(rfd, "%s: failed, exit status %d", tag,
		    WEXITSTATUS(status));
		return -1;
	}
	report(rfd, "%s: ok (%lld ms)", tag, (long long)(mono_ms() - start));
	return 0;
}

int
xk_hooks_run(const struct xk_hooks_cfg *cfg, const struct xk_event *ev)
{
	struct xk_error err = { 0 };
	int rfd = cfg->report_fd >= 0 ? cfg->report_fd : 2;
	char what[256], **paths, **env;
	size_t n;
	int failed = 0;

	if (cfg->dir == NULL)
		return 0;
	snprintf(what, sizeof(what), "%s %s domid %ld",
	    xk_evtype_name(ev->type), ev->domain, ev->domid);
	if (xk_hooks_list(cfg->dir, &paths, &n, &err) < 0) {
		report(rfd, "hooks for %s: %s; no hook run", what, err.msg);
		return -1;
	}
	env = xk_hooks_env(ev);
	if (env == NULL) {
		report(rfd, "hooks for %s: out of memory; no hook run", what);
		xk_hooks_free_list(paths, n);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (run_one(cfg, rfd, paths[i], env, what) < 0)
			failed++;
	xk_hooks_free_env(env);
	xk_hooks_free_list(paths, n);
	return failed;
}

struct job {
	struct xk_event ev;
	pid_t pid;		/* 0 while waiting */
	struct job *next;
};

struct xk_hookq {
	struct xk_hooks_cfg cfg;
	char *dir;
	struct job *head, **tail;
};

struct xk_hookq *
xk_hookq_new(const struct xk_hooks_cfg *cfg, struct xk_error *err)
{
	struct xk_hookq *q = calloc(1, sizeof(*q));

	if (q == NULL)
		goto nomem;
	q->cfg = *cfg;
	if (cfg->dir != NULL && (q->dir = strdup(cfg->dir)) == NULL) {
		free(q);
		goto nomem;
	}
	q->cfg.dir = q->dir;
	q->tail = &q->head;
	return q;
nomem:
	xk_error_errno(err, ENOMEM, "hook queue");
	return NULL;
}

static int
same_domain(const struct xk_event *a, const struct xk_event *b)
{
	return a->domid == b->domid && strcmp(a->uuid, b->uuid) == 0;
}

static int
start(struct xk_hookq *q, struct job *j)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int failed = xk_hooks_run(&q->cfg, &j->ev);

		_exit(failed == 0 ? 0 : 1);
	}
	j->pid = pid;
	return 0;
}

/* Start every waiting job whose domain has no earlier job pending. */
static void
start_ready(struct xk_hookq *q)
{
	for (struct job *j = q->head; j != NULL; j = j->next) {
		int blocked = 0;

		if (j->pid != 0)
			continue;
		for (struct job *e = q->head; e != j; e = e->next)
			if (same_domain(&e->ev, &j->ev))
				blocked = 1;
		if (!blocked && start(q, j) < 0)
			return;	/* fork failed: try on the next poll */
	}
}

int
xk_hookq_push(struct xk_hookq *q, const struct xk_event *ev,
    struct xk_error *err)
{
	struct job *j;

	if (q->cfg.dir == NULL)
		return 0;
	j = calloc(1, sizeof(*j));
	if (j == NULL) {
		xk_error_errno(err, ENOMEM, "hook queue");
		return -1;
	}
	j->ev = *ev;
	*q->tail = j;
	q->tail = &j->next;
	/* not started here: a fork costs far more than writing an event
	 * (hundreds of ms in a PV dom0 under load), and the events that
	 * came with this one must reach the log first; the caller's next
	 * xk_hookq_poll starts it */
	return 0;
}

size_t
xk_hookq_poll(struct xk_hookq *q)
{
	struct job **pp = &q->head;
	size_t n = 0;

	while (*pp != NULL) {
		struct job *j = *pp;
		int status;
		pid_t r = j->pid > 0 ? waitpid(j->pid, &status, WNOHANG) : 0;

		/* ECHILD: reaped by someone else (a library with a SIGCHLD
		 * handler of its own); it is over all the same, and a job
		 * kept forever would hold its domain's later hooks */
		if (j->pid > 0 && (r == j->pid || (r < 0 &&
		    errno == ECHILD))) {
			*pp = j->next;
			free(j);
			continue;
		}
		pp = &j->next;
	}
	q->tail = pp;
	start_ready(q);
	for (struct job *j = q->head; j != NULL; j = j->next)
		n++;
	return n;
}

void
xk_hookq_drain(struct xk_hookq *q)
{
	while (xk_hookq_poll(q) > 0)
		poll(NULL, 0, 20);
}

void
xk_hookq_free(struct xk_hookq *q)
{
	if (q == NULL)
		return;
	while (q->head != NULL) {
		struct job *j = q->head;

		q->head = j->next;
		free(j);
	}
	free(q->dir);
	free(q);
}
