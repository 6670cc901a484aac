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
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "events/hooks.h"
#include "util/clock.h"

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

/*
 * The queue.  One job per event: its hooks run one after another, each
 * a child of this process, supervised from the caller's loop (no
 * process in between: starting one costs hundreds of ms in a PV dom0
 * under nested TCG, and the hook's start is what users wait for).
 * Jobs of one domain run one at a time, in the order of its events.
 */
struct job {
	struct xk_event ev;
	bool started;		/* hooks listed, environment built; once
				 * started, no hook running (pid 0) means
				 * the job is over */
	char what[256];		/* "shutdown web domid 7", for reports */
	char **paths;
	size_t npaths, next;	/* next: the hook to start after this one */
	char **env;
	/* the hook running now (pid 0: none) */
	pid_t pid;
	int out;		/* read end of its stdout+stderr, or -1 */
	char tag[512];
	char buf[1024];
	size_t len;
	int64_t start, deadline;
	int killed;		/* signals sent past the limit */
	struct job *next_job;
};

struct xk_hookq {
	struct xk_hooks_cfg cfg;
	char *dir;
	int rfd;		/* where reports go */
	struct job *head, **tail;
	int failed;		/* hooks that failed, over finished jobs */
	bool unlisted;		/* a job could not read the directory */
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
	if (q->cfg.timeout_ms <= 0)
		q->cfg.timeout_ms = 30000;
	if (q->cfg.grace_ms <= 0)
		q->cfg.grace_ms = 2000;
	q->rfd = cfg->report_fd >= 0 ? cfg->report_fd : 2;
	q->tail = &q->head;
	return q;
nomem:
	xk_error_errno(err, ENOMEM, "hook queue");
	return NULL;
}

/* List the hooks and build the environment; false: nothing to run. */
static bool
begin_job(struct xk_hookq *q, struct job *j)
{
	struct xk_error err = { 0 };

	j->started = true;
	snprintf(j->what, sizeof(j->what), "%s %s domid %ld",
	    xk_evtype_name(j->ev.type), j->ev.domain, j->ev.domid);
	if (xk_hooks_list(q->cfg.dir, &j->paths, &j->npaths, &err) < 0) {
		report(q->rfd, "hooks for %s: %s; no hook run", j->what,
		    err.msg);
		q->unlisted = true;
		return false;
	}
	j->env = xk_hooks_env(&j->ev);
	if (j->env == NULL) {
		report(q->rfd, "hooks for %s: out of memory; no hook run",
		    j->what);
		q->unlisted = true;
		return false;
	}
	return true;
}

/* Start the job's next hook that can be started, if any is left. */
static void
start_next_hook(struct xk_hookq *q, struct job *j)
{
	while (j->next < j->npaths) {
		const char *path = j->paths[j->next++];
		int p[2], rc;

		snprintf(j->tag, sizeof(j->tag), "hook %s (%s)", path,
		    j->what);
		if (pipe2(p, O_CLOEXEC) < 0) {
			report(q->rfd, "%s: pipe: %s", j->tag,
			    strerror(errno));
			q->failed++;
			continue;
		}
		rc = spawn(path, j->env, p[1], &j->pid);
		close(p[1]);
		if (rc != 0) {
			report(q->rfd, "%s: could not execute: %s", j->tag,
			    strerror(rc));
			close(p[0]);
			j->pid = 0;
			q->failed++;
			continue;
		}
		/* non-blocking: a hook's output never holds up the loop */
		if (fcntl(p[0], F_SETFL, O_NONBLOCK) < 0) {
			close(p[0]);
			p[0] = -1;
		}
		j->out = p[0];
		j->len = 0;
		j->killed = 0;
		j->start = xk_mono_ms();
		j->deadline = j->start + q->cfg.timeout_ms;
		return;
	}
}

/* Forward what the hook wrote so far; close the pipe at its end. */
static void
read_output(struct xk_hookq *q, struct job *j)
{
	while (j->out >= 0) {
		ssize_t n = read(j->out, j->buf + j->len,
		    sizeof(j->buf) - 1 - j->len);

		if (n > 0) {
			j->len += (size_t)n;
			pass_output(q->rfd, j->tag, j->buf, &j->len, 0);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 || errno != EAGAIN) {
			close(j->out);
			j->out = -1;
		}
		break;
	}
}

/* Past the limit: SIGTERM to the hook's process group, SIGKILL once
 * the grace time is over too (again every second until it is gone). */
static void
enforce_limit(struct xk_hookq *q, struct job *j, int64_t now)
{
	int sig = j->killed == 0 ? SIGTERM : SIGKILL;

	if (now < j->deadline)
		return;
	if (j->killed == 0)
		report(q->rfd, "%s: still running after %d ms: SIGTERM",
		    j->tag, q->cfg.timeout_ms);
	else if (j->killed == 1)
		report(q->rfd, "%s: still running: SIGKILL", j->tag);
	kill(-j->pid, sig);
	kill(j->pid, sig);
	j->killed++;
	j->deadline = now + (j->killed == 1 ? q->cfg.grace_ms : 1000);
}

/* The hook has ended: forward what it wrote last, close its pipe. */
static void
close_hook(struct xk_hookq *q, struct job *j)
{
	/* a descendant may still hold the pipe open: no waiting for end
	 * of file */
	read_output(q, j);
	pass_output(q->rfd, j->tag, j->buf, &j->len, 1);
	if (j->out >= 0)
		close(j->out);
	j->out = -1;
	j->pid = 0;
}

/* How the hook ended, reported; the count of failures kept. */
static void
report_end(struct xk_hookq *q, struct job *j, int status)
{
	if (j->killed > 0)
		report(q->rfd, "%s: timed out after %d ms, killed", j->tag,
		    q->cfg.timeout_ms);
	else if (WIFSIGNALED(status))
		report(q->rfd, "%s: killed by signal %d", j->tag,
		    WTERMSIG(status));
	else if (WEXITSTATUS(status) != 0)
		report(q->rfd, "%s: failed, exit status %d", j->tag,
		    WEXITSTATUS(status));
	else
		report(q->rfd, "%s: ok (%lld ms)", j->tag,
		    (long long)(xk_mono_ms() - j->start));
	if (j->killed > 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		q->failed++;
}

/* Move a running job on: output, limit, end, next hook. */
static void
service(struct xk_hookq *q, struct job *j)
{
	int status = 0;
	pid_t r;

	read_output(q, j);
	enforce_limit(q, j, xk_mono_ms());
	r = waitpid(j->pid, &status, WNOHANG);
	if (r == j->pid) {
		close_hook(q, j);
		report_end(q, j, status);
	} else if (r < 0 && errno == ECHILD) {
		/* reaped by someone else (a library's SIGCHLD handler): it
		 * is over all the same, how it ended unknown */
		close_hook(q, j);
		report(q->rfd, "%s: reaped elsewhere, exit status unknown",
		    j->tag);
	} else {
		return;
	}
	start_next_hook(q, j);
}

static int
same_domain(const struct xk_event *a, const struct xk_event *b)
{
	return a->domid == b->domid && strcmp(a->uuid, b->uuid) == 0;
}

/* Is an earlier job of the same domain still there? */
static bool
held_back(const struct xk_hookq *q, const struct job *j)
{
	for (const struct job *e = q->head; e != j; e = e->next_job)
		if (same_domain(&e->ev, &j->ev))
			return true;
	return false;
}

static void
free_job(struct job *j)
{
	if (j->out >= 0)
		close(j->out);
	xk_hooks_free_list(j->paths, j->npaths);
	xk_hooks_free_env(j->env);
	free(j);
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
	j->out = -1;
	*q->tail = j;
	q->tail = &j->next_job;
	/* not started here: the events that came with this one reach the
	 * log first; the caller's next xk_hookq_poll starts it */
	return 0;
}

size_t
xk_hookq_poll(struct xk_hookq *q)
{
	struct job **pp = &q->head;
	size_t n = 0;

	while (*pp != NULL) {
		struct job *j = *pp;

		if (j->pid > 0)
			service(q, j);
		else if (!j->started && !held_back(q, j) && begin_job(q, j))
			start_next_hook(q, j);
		if (j->started && j->pid == 0) {
			*pp = j->next_job;
			free_job(j);
			continue;
		}
		n++;
		pp = &j->next_job;
	}
	q->tail = pp;
	return n;
}

size_t
xk_hookq_pollfds(const struct xk_hookq *q, struct pollfd *fds, size_t room)
{
	size_t n = 0;

	for (const struct job *j = q->head; j != NULL && n < room;
	    j = j->next_job)
		if (j->out >= 0)
			fds[n++] = (struct pollfd){ j->out, POLLIN, 0 };
	return n;
}

int
xk_hookq_wait_ms(const struct xk_hookq *q, int wait)
{
	int64_t now = xk_mono_ms();

	for (const struct job *j = q->head; j != NULL; j = j->next_job) {
		int64_t left = j->deadline - now;

		if (j->pid <= 0)
			continue;
		if (left < 0)
			left = 0;
		if (wait < 0 || left < wait)
			wait = (int)left;
	}
	return wait;
}

void
xk_hookq_drain(struct xk_hookq *q)
{
	struct pollfd fds[64];

	while (xk_hookq_poll(q) > 0) {
		size_t n = xk_hookq_pollfds(q, fds, 64);

		/* woken by output or its end; the short bound catches an
		 * exit whose pipe a descendant holds open */
		poll(fds, n, xk_hookq_wait_ms(q, 20));
	}
}

void
xk_hookq_free(struct xk_hookq *q)
{
	if (q == NULL)
		return;
	while (q->head != NULL) {
		struct job *j = q->head;

		q->head = j->next_job;
		free_job(j);
	}
	free(q->dir);
	free(q);
}

int
xk_hooks_run(const struct xk_hooks_cfg *cfg, const struct xk_event *ev)
{
	struct xk_error err = { 0 };
	struct xk_hookq *q;
	int failed;

	if (cfg->dir == NULL)
		return 0;
	q = xk_hookq_new(cfg, &err);
	if (q == NULL || xk_hookq_push(q, ev, &err) < 0) {
		report(cfg->report_fd >= 0 ? cfg->report_fd : 2,
		    "hooks: %s; no hook run", err.msg);
		xk_hookq_free(q);
		return -1;
	}
	xk_hookq_drain(q);
	failed = q->unlisted ? -1 : q->failed;
	xk_hookq_free(q);
	return failed;
}
