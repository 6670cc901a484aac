/*
 * t6000-events - lib/events without Xen: times, the event line format,
 * the event log (including a full disk), hooks, the domain table that
 * does reconciliation, xl's log, and the monitor's socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "events/domtab.h"
#include "events/emitter.h"
#include "events/event.h"
#include "events/eventlog.h"
#include "events/evsock.h"
#include "events/hooks.h"
#include "events/xllog.h"
#include "harness.h"

static const char U1[] = "11111111-2222-3333-4444-555555555555";
static const char U2[] = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

static struct xk_event
mkev(enum xk_evtype t, const char *name, long domid, const char *uuid,
    enum xk_reason r, int64_t ts)
{
	struct xk_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.ts_ms = ts;
	ev.type = t;
	snprintf(ev.domain, sizeof(ev.domain), "%s", name);
	ev.domid = domid;
	snprintf(ev.uuid, sizeof(ev.uuid), "%s", uuid);
	ev.reason = r;
	ev.previous_domid = XK_NO_DOMID;
	snprintf(ev.source, sizeof(ev.source), "hypervisor");
	return ev;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (f == NULL)
		return strdup("");
	buf = calloc(1, 1 << 20);
	n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return;
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static char *
path_in(const char *dir, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, name) < 0)
		return NULL;
	return p;
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Poll for a file to exist (a real condition), up to ms. */
static int
wait_for_file(const char *path, int ms)
{
	int64_t end = mono_ms() + ms;

	while (mono_ms() < end) {
		if (access(path, F_OK) == 0)
			return 1;
		poll(NULL, 0, 10);
	}
	return access(path, F_OK) == 0;
}

/* ---- times ---- */

TEST(time_format_and_parse)
{
	struct xk_error e = { 0 };
	char buf[40];
	int64_t ms;

	xk_format_time(1795626603123LL, buf, sizeof(buf));
	CHECK_STR_EQ(buf, "2026-11-25T17:10:03.123Z");
	CHECK_INT_EQ(xk_parse_time(buf, 0, &ms, &e), 0);
	CHECK_INT_EQ(ms, 1795626603123LL);
	CHECK_INT_EQ(xk_parse_time("2026-11-25T18:10:03.123+01:00", 0, &ms,
	    &e), 0);
	CHECK_INT_EQ(ms, 1795626603123LL);
	CHECK_INT_EQ(xk_parse_time("2026-11-25 17:10:03Z", 0, &ms, &e), 0);
	CHECK_INT_EQ(ms, 1795626603000LL);
	CHECK_INT_EQ(xk_parse_time("2026-11-25T17:10:03.5Z", 0, &ms, &e), 0);
	CHECK_INT_EQ(ms, 1795626603500LL);
	CHECK_INT_EQ(xk_parse_time("2026-11-25", 0, &ms, &e), 0);
	CHECK_INT_EQ(ms, 1795626603000LL - (17 * 3600 + 10 * 60 + 3) * 1000LL);
	CHECK_INT_EQ(xk_parse_time("-90s", 1000000, &ms, &e), 0);
	CHECK_INT_EQ(ms, 1000000 - 90000);
	CHECK_INT_EQ(xk_parse_time("-2h", 10000000, &ms, &e), 0);
	CHECK_INT_EQ(ms, 10000000 - 7200000);
	CHECK_INT_EQ(xk_parse_time("-1d", 100000000, &ms, &e), 0);
	CHECK_INT_EQ(ms, 100000000 - 86400000);
	/* before 1970 formats too */
	xk_format_time(-1, buf, sizeof(buf));
	CHECK_STR_EQ(buf, "1969-12-31T23:59:59.999Z");
}

TEST(time_rejects)
{
	static const char *const bad[] = {
		"", "yesterday", "2026-13-01", "2026-02-30", "2026-11-21T25:00:00Z",
		"2026-11-21T22:10:03", "2026-11-21T22:10:03Zjunk", "-5x", "-",
		"-5", "2026-11-21T22:10:03.Z", "2026-11-21T22:10:03+1:00",
		"26-11-21", "-99999999999d",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct xk_error e = { 0 };
		int64_t ms;

		if (xk_parse_time(bad[i], 0, &ms, &e) == 0) {
			xk_test_fail(xk_failed_, __FILE__, __LINE__,
			    "accepted '%s'", bad[i]);
			return;
		}
		CHECK_STR_HAS(e.msg, "bad");
	}
}

/* ---- event lines ---- */

TEST(event_line_roundtrip)
{
	struct xk_error e = { 0 };
	struct xk_event ev = mkev(XK_EV_RESTART, "we\"b\\1\xc3\xa9", 42, U1,
	    XK_R_REBOOT, 1795626603123LL), back;
	char *line;

	ev.previous_domid = 41;
	line = xk_event_to_line(&ev, &e);
	CHECK(line != NULL);
	CHECK(line[strlen(line) - 1] == '\n');
	CHECK(strchr(line, '\n') == line + strlen(line) - 1);
	CHECK_STR_HAS(line, "\"ts\":\"2026-11-25T17:10:03.123Z\"");
	CHECK_STR_HAS(line, "\"previous_domid\":41");
	CHECK_INT_EQ(xk_event_from_line(line, strlen(line), &back, &e), 0);
	free(line);
	CHECK_INT_EQ(back.ts_ms, ev.ts_ms);
	CHECK_INT_EQ(back.type, XK_EV_RESTART);
	CHECK_STR_EQ(back.domain, ev.domain);
	CHECK_INT_EQ(back.domid, 42);
	CHECK_STR_EQ(back.uuid, U1);
	CHECK_INT_EQ(back.reason, XK_R_REBOOT);
	CHECK_INT_EQ(back.previous_domid, 41);
	CHECK_STR_EQ(back.source, "hypervisor");
	/* no previous_domid: the field is absent */
	ev.previous_domid = XK_NO_DOMID;
	line = xk_event_to_line(&ev, &e);
	CHECK(line != NULL && strstr(line, "previous") == NULL);
	free(line);
}

TEST(event_line_rejects)
{
	static const char *const bad[] = {
		"",
		"[]",
		"{}",
		"{\"ts\":\"2026-11-25T17:10:03.123Z\",\"event\":\"boom\","
		    "\"domain\":\"a\",\"domid\":1,\"uuid\":\"u\","
		    "\"reason\":\"none\",\"source\":\"x\"}",
		"{\"ts\":\"2026-11-25T17:10:03.123Z\",\"event\":\"create\","
		    "\"domain\":\"a\",\"domid\":-1,\"uuid\":\"u\","
		    "\"reason\":\"none\",\"source\":\"x\"}",
		"{\"ts\":\"-5m\",\"event\":\"create\",\"domain\":\"a\","
		    "\"domid\":1,\"uuid\":\"u\",\"reason\":\"none\","
		    "\"source\":\"x\"}",
		"{\"ts\":\"2026-11-25T17:10:03.123Z\",\"event\":\"create\","
		    "\"domain\":\"a\",\"domid\":1,\"uuid\":\"u\","
		    "\"reason\":\"why\",\"source\":\"x\"}",
		"{\"ts\":\"2026-11-25T17:10:03.123Z\",\"event\":\"create\","
		    "\"domain\":\"a\",\"domain\":\"b\",\"domid\":1,"
		    "\"uuid\":\"u\",\"reason\":\"none\",\"source\":\"x\"}",
		"{\"ts\":\"2026-11-25T17:10:03.123Z\",\"event\":\"create\","
		    "\"domain\":\"a\\u0000b\",\"domid\":1,\"uuid\":\"u\","
		    "\"reason\":\"none\",\"source\":\"x\"}",
		"{\"ts\":\"2026-11-25T17:10:03.123Z\",\"event\":\"create\","
		    "\"domain\":\"a\",\"domid\":1.5,\"uuid\":\"u\","
		    "\"reason\":\"none\",\"source\":\"x\"}",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct xk_error e = { 0 };
		struct xk_event ev;

		if (xk_event_from_line(bad[i], strlen(bad[i]), &ev, &e) == 0) {
			xk_test_fail(xk_failed_, __FILE__, __LINE__,
			    "accepted %s", bad[i]);
			return;
		}
		CHECK(e.msg[0] != '\0');
	}
}

/* ---- the log ---- */

struct got {
	struct xk_event ev[64];
	size_t n;
};

static int
collect(const struct xk_event *ev, const char *line, size_t len, void *arg)
{
	struct got *g = arg;

	if (g->n < 64)
		g->ev[g->n++] = *ev;
	return 0;
}

static int
append_ev(struct xk_evlog *log, const struct xk_event *ev,
    struct xk_error *e)
{
	char *line = xk_event_to_line(ev, e);
	int rc;

	if (line == NULL)
		return -1;
	rc = xk_evlog_append(log, line, e);
	free(line);
	return rc;
}

TEST(evlog_append_read_filter)
{
	const char *dir = xk_test_tmpdir();
	char *path = path_in(dir, "ev.jsonl");
	struct xk_error e = { 0 };
	struct xk_evlog *log = xk_evlog_open(path, true, &e);
	struct xk_event a = mkev(XK_EV_CREATE, "web", 3, U1, XK_R_NONE, 1000);
	struct xk_event b = mkev(XK_EV_SHUTDOWN, "web", 3, U1, XK_R_CRASH,
	    2000);
	struct xk_event c = mkev(XK_EV_CREATE, "db", 4, U2, XK_R_NONE, 3000);
	struct xk_evfilter f = XK_EVFILTER_ALL;
	struct xk_evlog_stats st = { 0 };
	struct got g = { .n = 0 };
	off_t off = 0;

	CHECK(log != NULL);
	CHECK_INT_EQ(append_ev(log, &a, &e), 0);
	CHECK_INT_EQ(append_ev(log, &b, &e), 0);
	CHECK_INT_EQ(append_ev(log, &c, &e), 0);
	xk_evlog_close(log);
	CHECK_INT_EQ(xk_evlog_read_file(path, &off, &f, collect, &g, &st, &e),
	    0);
	CHECK_INT_EQ(g.n, 3);
	CHECK_INT_EQ(st.events, 3);
	CHECK_INT_EQ(st.bad, 0);
	CHECK_INT_EQ(g.ev[1].reason, XK_R_CRASH);
	/* reading again from the offset finds nothing new */
	g.n = 0;
	CHECK_INT_EQ(xk_evlog_read_file(path, &off, &f, collect, &g, &st, &e),
	    0);
	CHECK_INT_EQ(g.n, 0);
	/* filters: since, name, uuid, domid */
	f.since_ms = 2000;
	off = 0;
	CHECK_INT_EQ(xk_evlog_read_file(path, &off, &f, collect, &g, &st, &e),
	    0);
	CHECK_INT_EQ(g.n, 2);
	f.since_ms = INT64_MIN;
	f.domain = "web";
	g.n = 0;
	off = 0;
	CHECK_INT_EQ(xk_evlog_read_file(path, &off, &f, collect, &g, &st, &e),
	    0);
	CHECK_INT_EQ(g.n, 2);
	f.domain = U2;
	g.n = 0;
	off = 0;
	CHECK_INT_EQ(xk_evlog_read_file(path, &off, &f, collect, &g, &st, &e),
	    0);
	CHECK_INT_EQ(g.n, 1);
	f.domain = "4";
	g.n = 0;
	off = 0;
	CHECK_INT_EQ(xk_evlog_read_file(path, &off, &f, collect, &g, &st, &e),
	    0);
	CHECK_INT_EQ(g.n, 1);
	CHECK_STR_EQ(g.ev[0].domain, "db");
	free(path);
}

TEST(evlog_bad_lines_and_torn_tail)
{
	const char *dir = xk_test_tmpdir();
	char *path = path_in(dir, "torn.jsonl");
	struct xk_error e = { 0 };
	struct xk_event a = mkev(XK_EV_CREATE, "web", 3, U1, XK_R_NONE, 1000);
	struct xk_evlog_stats st = { 0 };
	struct got g = { .n = 0 };
	struct xk_evlog *log;
	char *text;
	off_t off = 0;

	/* garbage, then a line a crashed writer left without its '\n' */
	write_file(path, "not json\n{\"ts\":\"2026-11", 0644);
	log = xk_evlog_open(path, false, &e);
	CHECK(log != NULL);
	CHECK_INT_EQ(append_ev(log, &a, &e), 0);
	xk_evlog_close(log);
	CHECK_INT_EQ(xk_evlog_read_file(path, &off, NULL, collect, &g, &st,
	    &e), 0);
	CHECK_INT_EQ(g.n, 1);
	CHECK_STR_EQ(g.ev[0].domain, "web");
	CHECK_INT_EQ(st.bad, 2);
	CHECK_INT_EQ(st.first_bad_line, 1);
	/* a torn last line is not an error: a writer may be in it */
	text = slurp(path);
	write_file(path, "{\"ts\":\"2026", 0644);
	memset(&st, 0, sizeof(st));
	off = 0;
	g.n = 0;
	CHECK_INT_EQ(xk_evlog_read_file(path, &off, NULL, collect, &g, &st,
	    &e), 0);
	CHECK_INT_EQ(st.bad, 0);
	CHECK(st.partial_tail);
	CHECK_INT_EQ(off, 0);
	free(text);
	free(path);
}

TEST(evlog_follows_rotation)
{
	const char *dir = xk_test_tmpdir();
	char *path = path_in(dir, "rot.jsonl"), *old = path_in(dir, "rot.1");
	struct xk_error e = { 0 };
	struct xk_event a = mkev(XK_EV_CREATE, "web", 3, U1, XK_R_NONE, 1000);
	struct xk_evlog *log = xk_evlog_open(path, false, &e);
	struct xk_evlog_stats st = { 0 };
	struct got g = { .n = 0 };
	off_t off = 0;

	CHECK(log != NULL);
	CHECK_INT_EQ(append_ev(log, &a, &e), 0);
	CHECK_INT_EQ(rename(path, old), 0);
	a.domid = 9;
	CHECK_INT_EQ(append_ev(log, &a, &e), 0);
	xk_evlog_close(log);
	CHECK_INT_EQ(xk_evlog_read_file(path, &off, NULL, collect, &g, &st,
	    &e), 0);
	CHECK_INT_EQ(g.n, 1);
	CHECK_INT_EQ(g.ev[0].domid, 9);
	free(path);
	free(old);
}

static void
say_to_file(int prio, const char *msg, void *arg)
{
	FILE *f = fopen(arg, "a");

	if (f != NULL) {
		fprintf(f, "%d %s\n", prio, msg);
		fclose(f);
	}
}

/*
 * In a private mount namespace, on a 16 KiB tmpfs: fill the disk, check
 * that a failed append leaves the log whole, that the emitter holds the
 * events and writes them, in order, once there is room.  Returns a
 * failure description or NULL.
 */
static const char *
full_disk_child(const char *dir)
{
	static char why[256];
	char *path = path_in(dir, "ev.jsonl"), *fill = path_in(dir, "fill");
	char *said = path_in(dir, "said");
	struct xk_emitter_cfg cfg = { 0 };
	struct xk_error e = { 0 };
	struct xk_emitter *em;
	struct xk_evlog_stats st = { 0 };
	struct got g = { .n = 0 };
	struct stat before, after;
	off_t off = 0;
	char block[512];
	int fd, i;

	if (mount("tmpfs", dir, "tmpfs", 0, "size=16k") < 0)
		return "mount tmpfs";
	/* said lives outside the tiny disk */
	free(said);
	said = strdup("/dev/shm/xk-t6000-said");
	unlink(said);
	cfg.log_path = path;
	cfg.say = say_to_file;
	cfg.say_arg = said;
	cfg.hooks.report_fd = -1;
	em = xk_emitter_new(&cfg, &e);
	if (em == NULL)
		return "emitter";
	memset(block, 'x', sizeof(block));
	fd = open(fill, O_WRONLY | O_CREAT, 0644);
	while (write(fd, block, sizeof(block)) > 0)
		;
	close(fd);
	if (stat(path, &before) < 0)
		return "stat";
	for (i = 0; i < 10; i++) {
		struct xk_event ev = mkev(XK_EV_SHUTDOWN, "full", 10 + i, U1,
		    XK_R_POWEROFF, 1000 + i);

		if (xk_emitter_emit(em, &ev, &e) < 0)
			return "emit failed outright";
	}
	if (xk_emitter_held(em) != 10)
		return "events not held";
	if (stat(path, &after) < 0 || after.st_size != before.st_size)
		return "a partial line stayed in the log";
	{
		char *s = slurp(said), want[600];
		int ok;

		/* the words the lab's t6400 and administrators' greps know */
		snprintf(want, sizeof(want), "event log %s: write: No space "
		    "left on device; holding", path);
		ok = strstr(s, want) != NULL;

		free(s);
		if (!ok)
			return "full disk not reported";
	}
	unlink(fill);	/* room again */
	if (xk_emitter_tick(em) != 0)
		return "held events not written";
	xk_emitter_free(em);
	if (xk_evlog_read_file(path, &off, NULL, collect, &g, &st, &e) < 0)
		return "read";
	if (g.n != 10 || st.bad != 0) {
		snprintf(why, sizeof(why), "%zu events, %zu bad", g.n, st.bad);
		return why;
	}
	for (i = 0; i < 10; i++)
		if (g.ev[i].domid != 10 + i)
			return "held events out of order";
	{
		char *s = slurp(said);
		int ok = strstr(s, "writable again") != NULL;

		free(s);
		unlink(said);
		if (!ok)
			return "recovery not reported";
	}
	umount(dir);
	return NULL;
}

TEST(evlog_full_disk)
{
	const char *dir = xk_test_tmpdir();
	char *sub = path_in(dir, "tiny"), *res = path_in(dir, "res");
	pid_t pid;
	int status;

	CHECK_INT_EQ(mkdir(sub, 0755), 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		const char *why;
		FILE *f;

		/* root: a mount namespace; otherwise a user namespace too */
		if (unshare(CLONE_NEWNS) < 0 &&
		    unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
			_exit(3);
		mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
		why = full_disk_child(sub);
		f = fopen(res, "w");
		if (f != NULL) {
			fprintf(f, "%s", why ? why : "ok");
			fclose(f);
		}
		_exit(why ? 1 : 0);
	}
	CHECK_INT_EQ(waitpid(pid, &status, 0), pid);
	{
		char *r = slurp(res);

		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			xk_test_fail(xk_failed_, __FILE__, __LINE__,
			    "full disk: %s (status %d)", r[0] ? r :
			    "could not make a private tmpfs", status);
		free(r);
	}
	free(sub);
	free(res);
}

/* ---- hooks ---- */

static char *
mkhooks(const char *name)
{
	char *dir = path_in(xk_test_tmpdir(), name);

	mkdir(dir, 0755);
	return dir;
}

static void
hook(const char *dir, const char *name, const char *body, mode_t mode)
{
	char *p = path_in(dir, name), *text;

	if (asprintf(&text, "#!/bin/sh\n%s\n", body) >= 0) {
		write_file(p, text, mode);
		free(text);
	}
	free(p);
}

TEST(hooks_list_run_parts_order)
{
	char *dir = mkhooks("order"), **paths, *sub;
	struct xk_error e = { 0 };
	size_t n;

	hook(dir, "2-a", "", 0755);
	hook(dir, "10-b", "", 0755);
	hook(dir, "Z", "", 0755);
	hook(dir, "_x", "", 0755);
	hook(dir, "a.sh", "", 0755);	/* run-parts skips names with dots */
	hook(dir, "noexec", "", 0644);
	sub = path_in(dir, "subdir");
	mkdir(sub, 0755);
	CHECK_INT_EQ(xk_hooks_list(dir, &paths, &n, &e), 0);
	CHECK_INT_EQ(n, 4);
	CHECK_STR_HAS(paths[0], "/10-b");
	CHECK_STR_HAS(paths[1], "/2-a");
	CHECK_STR_HAS(paths[2], "/Z");
	CHECK_STR_HAS(paths[3], "/_x");
	xk_hooks_free_list(paths, n);
	free(sub);
	free(dir);
}

TEST(hooks_env_output_and_failures)
{
	char *dir = mkhooks("env"), *rep = path_in(xk_test_tmpdir(), "rep");
	char *envf = path_in(xk_test_tmpdir(), "env.out"), *body, *r, *env;
	struct xk_event ev = mkev(XK_EV_RESTART, "web", 7, U1, XK_R_WATCHDOG,
	    1795626603123LL);
	struct xk_hooks_cfg cfg = { 0 };

	ev.previous_domid = 6;
	CHECK(asprintf(&body, "env | grep ^XK_ | sort > %s\necho hello\n"
	    "echo oops >&2", envf) > 0);
	hook(dir, "10-env", body, 0755);
	hook(dir, "20-fail", "exit 3", 0755);
	hook(dir, "30-after", "echo still-run", 0755);
	free(body);
	cfg.dir = dir;
	cfg.report_fd = open(rep, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(cfg.report_fd >= 0);
	CHECK_INT_EQ(xk_hooks_run(&cfg, &ev), 1);
	close(cfg.report_fd);
	env = slurp(envf);
	CHECK_STR_HAS(env, "XK_EVENT=restart\n");
	CHECK_STR_HAS(env, "XK_DOMAIN=web\n");
	CHECK_STR_HAS(env, "XK_DOMID=7\n");
	CHECK_STR_HAS(env, "XK_UUID=11111111-2222-3333-4444-555555555555\n");
	CHECK_STR_HAS(env, "XK_REASON=watchdog\n");
	CHECK_STR_HAS(env, "XK_TIMESTAMP=2026-11-25T17:10:03.123Z\n");
	CHECK_STR_HAS(env, "XK_PREVIOUS_DOMID=6\n");
	r = slurp(rep);
	CHECK_STR_HAS(r, "10-env (restart web domid 7): hello");
	CHECK_STR_HAS(r, "10-env (restart web domid 7): oops");
	CHECK_STR_HAS(r, "10-env (restart web domid 7): ok");
	CHECK_STR_HAS(r, "20-fail (restart web domid 7): failed, exit status 3");
	CHECK_STR_HAS(r, "30-after (restart web domid 7): still-run");
	free(r);
	free(env);
	free(envf);
	free(rep);
	free(dir);
}

TEST(hooks_timeout_kills)
{
	char *dir = mkhooks("hang"), *rep = path_in(xk_test_tmpdir(), "hrep");
	char *pidf = path_in(xk_test_tmpdir(), "hang.pid"), *body, *r, *p;
	struct xk_event ev = mkev(XK_EV_SHUTDOWN, "web", 7, U1, XK_R_CRASH, 1);
	struct xk_hooks_cfg cfg = { 0 };
	long pid;

	/* ignores SIGTERM: only SIGKILL ends it */
	CHECK(asprintf(&body, "trap '' TERM\necho $$ > %s\n"
	    "while :; do sleep 1; done", pidf) > 0);
	hook(dir, "hang", body, 0755);
	free(body);
	cfg.dir = dir;
	cfg.timeout_ms = 300;
	cfg.grace_ms = 200;
	cfg.report_fd = open(rep, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK_INT_EQ(xk_hooks_run(&cfg, &ev), 1);
	close(cfg.report_fd);
	r = slurp(rep);
	CHECK_STR_HAS(r, "still running after 300 ms: SIGTERM");
	CHECK_STR_HAS(r, "SIGKILL");
	CHECK_STR_HAS(r, "timed out after 300 ms, killed");
	p = slurp(pidf);
	pid = strtol(p, NULL, 10);
	CHECK(pid > 0);
	CHECK(kill((pid_t)pid, 0) < 0 && errno == ESRCH);
	free(p);
	free(r);
	free(pidf);
	free(rep);
	free(dir);
}

TEST(hooks_start_with_no_signal_blocked)
{
	char *dir = mkhooks("sig"), *out = path_in(xk_test_tmpdir(), "sigblk");
	char *body, *r;
	struct xk_event ev = mkev(XK_EV_CREATE, "web", 7, U1, XK_R_NONE, 1);
	struct xk_hooks_cfg cfg = { 0 };
	sigset_t set, old;

	/* builtins only: the shell's own mask, not one it holds while it
	 * forks a child */
	CHECK(asprintf(&body, "while read -r l; do case $l in SigBlk*) "
	    "echo \"$l\" > %s;; esac; done < /proc/$$/status", out) > 0);
	hook(dir, "sig", body, 0755);
	free(body);
	cfg.dir = dir;
	cfg.report_fd = open("/dev/null", O_WRONLY);
	/* as in the monitor, which reads these from a signalfd */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &old);
	CHECK_INT_EQ(xk_hooks_run(&cfg, &ev), 0);
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(cfg.report_fd);
	r = slurp(out);
	CHECK_STR_EQ(r, "SigBlk:\t0000000000000000\n");
	free(r);
	free(out);
	free(dir);
}

TEST(hooks_start_with_default_signal_actions)
{
	char *dir = mkhooks("sigign"), *out = path_in(xk_test_tmpdir(), "sigign.out");
	char *body, *r;
	struct xk_event ev = mkev(XK_EV_CREATE, "web", 7, U1, XK_R_NONE, 1);
	struct xk_hooks_cfg cfg = { 0 };
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;

	CHECK(asprintf(&body, "while read -r l; do case $l in SigIgn*) "
	    "echo \"$l\" > %s;; esac; done < /proc/$$/status", out) > 0);
	hook(dir, "ign", body, 0755);
	free(body);
	cfg.dir = dir;
	cfg.report_fd = open("/dev/null", O_WRONLY);
	/* a daemon that ignores SIGPIPE must not hand that to its hooks */
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old);
	CHECK_INT_EQ(xk_hooks_run(&cfg, &ev), 0);
	sigaction(SIGPIPE, &old, NULL);
	close(cfg.report_fd);
	r = slurp(out);
	CHECK_STR_HAS(r, "SigIgn:\t");
	/* (glibc's posix_spawn leaves its own internal signals, 32 and 33,
	 * ignored: a new program's libc sets those up again itself) */
	CHECK((strtoull(r + strlen("SigIgn:\t"), NULL, 16) &
	    (1ULL << (SIGPIPE - 1))) == 0);
	free(r);
	free(out);
	free(dir);
}

TEST(hooks_unexecutable_reported_others_run)
{
	char *dir = mkhooks("noexec"), *rep = path_in(xk_test_tmpdir(), "nrep");
	char *bad = path_in(dir, "10-bad"), *r;
	struct xk_event ev = mkev(XK_EV_DEATH, "web", 7, U1, XK_R_NONE, 1);
	struct xk_hooks_cfg cfg = { 0 };

	/* executable, but its interpreter does not exist */
	write_file(bad, "#!/nonexistent/xk-interpreter\n", 0755);
	hook(dir, "20-good", "echo still-run", 0755);
	cfg.dir = dir;
	cfg.report_fd = open(rep, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK_INT_EQ(xk_hooks_run(&cfg, &ev), 1);
	close(cfg.report_fd);
	r = slurp(rep);
	CHECK_STR_HAS(r, "10-bad (death web domid 7): could not execute: "
	    "No such file or directory");
	CHECK_STR_HAS(r, "20-good (death web domid 7): still-run");
	free(r);
	free(bad);
	free(rep);
	free(dir);
}

TEST(hooks_missing_directory)
{
	char *rep = path_in(xk_test_tmpdir(), "mrep"), *r;
	struct xk_event ev = mkev(XK_EV_CREATE, "web", 7, U1, XK_R_NONE, 1);
	struct xk_hooks_cfg cfg = { 0 };

	cfg.dir = "/nonexistent/xk-hooks.d";
	cfg.report_fd = open(rep, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK_INT_EQ(xk_hooks_run(&cfg, &ev), -1);
	close(cfg.report_fd);
	r = slurp(rep);
	CHECK_STR_HAS(r, "hooks directory /nonexistent/xk-hooks.d: No such "
	    "file or directory; no hook run");
	free(r);
	free(rep);
}

/*
 * The hooks are the caller's own children, started at the first poll
 * (no process in between: its cost is what the hook's start waits
 * for), and their output reaches the report through the descriptors
 * the caller's loop polls.
 */
TEST(hookq_hooks_are_our_children)
{
	char *dir = mkhooks("child"), *rep = path_in(xk_test_tmpdir(), "crep");
	struct xk_event ev = mkev(XK_EV_SHUTDOWN, "web", 7, U1, XK_R_REBOOT, 1);
	struct xk_hooks_cfg cfg = { 0 };
	struct xk_error e = { 0 };
	struct pollfd fds[4];
	struct xk_hookq *q;
	char want[64], *r;

	hook(dir, "ppid", "echo parent=$PPID", 0755);
	cfg.dir = dir;
	cfg.timeout_ms = 5000;
	cfg.report_fd = open(rep, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	q = xk_hookq_new(&cfg, &e);
	CHECK(q != NULL);
	CHECK_INT_EQ(xk_hookq_pollfds(q, fds, 4), 0);
	CHECK_INT_EQ(xk_hookq_wait_ms(q, -1), -1);	/* nothing running */
	CHECK_INT_EQ(xk_hookq_push(q, &ev, &e), 0);
	CHECK_INT_EQ(xk_hookq_poll(q), 1);
	CHECK_INT_EQ(xk_hookq_pollfds(q, fds, 4), 1);	/* its output */
	CHECK(xk_hookq_wait_ms(q, -1) > 0);		/* its limit */
	CHECK(xk_hookq_wait_ms(q, -1) <= 5000);
	CHECK_INT_EQ(xk_hookq_wait_ms(q, 7), 7);
	xk_hookq_drain(q);
	CHECK_INT_EQ(xk_hookq_poll(q), 0);
	xk_hookq_free(q);
	close(cfg.report_fd);
	r = slurp(rep);
	snprintf(want, sizeof(want), "(shutdown web domid 7): parent=%ld\n",
	    (long)getpid());
	CHECK_STR_HAS(r, want);
	CHECK_STR_HAS(r, "(shutdown web domid 7): ok (");
	free(r);
	free(rep);
	free(dir);
}

TEST(hookq_never_blocks_and_keeps_order)
{
	char *dir = mkhooks("q"), *order = path_in(xk_test_tmpdir(), "order");
	char *fast = path_in(xk_test_tmpdir(), "fast-B"), *body;
	struct xk_hooks_cfg cfg = { 0 };
	struct xk_error e = { 0 };
	struct xk_hookq *q;
	struct xk_event a1 = mkev(XK_EV_SHUTDOWN, "A", 1, U1, XK_R_POWEROFF, 1);
	struct xk_event a2 = mkev(XK_EV_DEATH, "A", 1, U1, XK_R_POWEROFF, 2);
	struct xk_event b = mkev(XK_EV_SHUTDOWN, "B", 2, U2, XK_R_REBOOT, 3);
	int64_t t0;

	/* A's shutdown hook hangs until killed; B's writes a file */
	CHECK(asprintf(&body, "echo $XK_EVENT >> %s\n"
	    "if [ $XK_DOMAIN = B ]; then touch %s; exit 0; fi\n"
	    "if [ $XK_EVENT = shutdown ]; then sleep 30; fi", order,
	    fast) > 0);
	hook(dir, "h", body, 0755);
	free(body);
	cfg.dir = dir;
	cfg.timeout_ms = 1500;
	cfg.grace_ms = 200;
	cfg.report_fd = open("/dev/null", O_WRONLY);
	q = xk_hookq_new(&cfg, &e);
	CHECK(q != NULL);
	t0 = mono_ms();
	CHECK_INT_EQ(xk_hookq_push(q, &a1, &e), 0);
	CHECK_INT_EQ(xk_hookq_push(q, &a2, &e), 0);
	CHECK_INT_EQ(xk_hookq_push(q, &b, &e), 0);
	/* push only queues: no hook started yet (no child at all) */
	CHECK(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD);
	CHECK_INT_EQ(xk_hookq_poll(q), 3);	/* A's first and B's start */
	/* poll returned at once; B's hook runs while A's hangs */
	CHECK(wait_for_file(fast, 5000));
	CHECK(xk_hookq_poll(q) >= 2);	/* A's two are still pending */
	xk_hookq_drain(q);
	CHECK(mono_ms() - t0 >= 1500);	/* A's death waited for A's kill */
	{
		char *o = slurp(order);
		char *s1 = strstr(o, "shutdown\n"), *d = strstr(o, "death\n");

		CHECK(s1 != NULL && d != NULL && s1 < d);
		free(o);
	}
	xk_hookq_free(q);
	close(cfg.report_fd);
	free(order);
	free(fast);
	free(dir);
}

/* ---- the domain table: live monitoring and reconciliation ---- */

static struct xk_scan_dom
sd(long domid, const char *uuid, const char *name, int shutdown, int dying,
    unsigned code)
{
	struct xk_scan_dom s;

	memset(&s, 0, sizeof(s));
	s.domid = domid;
	snprintf(s.uuid, sizeof(s.uuid), "%s", uuid);
	snprintf(s.name, sizeof(s.name), "%s", name);
	s.shutdown = shutdown;
	s.dying = dying;
	s.code = code;
	s.ran = true;
	return s;
}

static int
xl_says_reboot(const struct xk_dom *d, enum xk_reason *r, char *src,
    void *arg)
{
	*r = XK_R_REBOOT;
	snprintf(src, 16, "xl-log");
	return 0;
}

static int
nobody_knows(const struct xk_dom *d, enum xk_reason *r, char *src,
    void *arg)
{
	return -1;
}

#define UPDATE(scan, n, now, fb) do {                                      \
	xk_evlist_free(&out);                                              \
	CHECK_INT_EQ(xk_domtab_update(&t, scan, n, now, "hypervisor", fb,  \
	    NULL, &out, &e), 0);                                           \
} while (0)

TEST(domtab_shutdown_then_death)
{
	struct xk_domtab t = { 0 };
	struct xk_evlist out = { 0 };
	struct xk_error e = { 0 };
	struct xk_scan_dom s[2];

	s[0] = sd(0, U2, "Domain-0", 0, 0, 0);
	s[1] = sd(5, U1, "web", 0, 0, 0);
	UPDATE(s, 2, 1000, NULL);
	CHECK_INT_EQ(out.n, 1);	/* dom0 is never reported */
	CHECK_INT_EQ(out.v[0].type, XK_EV_CREATE);
	CHECK_INT_EQ(out.v[0].domid, 5);
	CHECK_STR_EQ(out.v[0].domain, "web");
	UPDATE(s, 2, 1100, NULL);
	CHECK_INT_EQ(out.n, 0);	/* nothing changed: nothing said */
	s[1] = sd(5, U1, "", 1, 0, 3);
	UPDATE(s, 2, 1200, NULL);
	CHECK_INT_EQ(out.n, 1);
	CHECK_INT_EQ(out.v[0].type, XK_EV_SHUTDOWN);
	CHECK_INT_EQ(out.v[0].reason, XK_R_CRASH);
	CHECK_STR_EQ(out.v[0].domain, "web");
	/* xl destroys it: dying keeps the code; then it is gone */
	s[1] = sd(5, U1, "", 1, 1, 3);
	UPDATE(s, 2, 1300, NULL);
	CHECK_INT_EQ(out.n, 1);
	CHECK_INT_EQ(out.v[0].type, XK_EV_DEATH);
	CHECK_INT_EQ(out.v[0].reason, XK_R_CRASH);
	UPDATE(s, 1, 1400, NULL);
	CHECK_INT_EQ(out.n, 0);
	xk_evlist_free(&out);
	xk_domtab_free(&t);
}

TEST(domtab_zombie_is_not_reborn)
{
	struct xk_domtab t = { 0 };
	struct xk_evlist out = { 0 };
	struct xk_error e = { 0 };
	struct xk_scan_dom s = sd(17, U1, "web", 0, 0, 0);

	UPDATE(&s, 1, 1000, NULL);
	s = sd(17, U1, "", 1, 1, 3);
	UPDATE(&s, 1, 1100, NULL);
	CHECK_INT_EQ(out.n, 2);
	/* Xen still lists the dying domain for a while, its name gone
	 * from xenstore: no second create, shutdown or death */
	UPDATE(&s, 1, 1200, NULL);
	CHECK_INT_EQ(out.n, 0);
	/* ... even past the restart window */
	UPDATE(&s, 1, 1100 + XK_RESTART_WINDOW_MS + 5000, NULL);
	CHECK_INT_EQ(out.n, 0);
	UPDATE(&s, 1, 1100 + 2 * XK_RESTART_WINDOW_MS, NULL);
	CHECK_INT_EQ(out.n, 0);
	UPDATE(&s, 0, 1100 + 3 * XK_RESTART_WINDOW_MS, NULL);
	CHECK_INT_EQ(out.n, 0);
	CHECK_INT_EQ(t.n, 0);
	xk_evlist_free(&out);
	xk_domtab_free(&t);
}

TEST(domtab_seen_only_dying_keeps_reason)
{
	struct xk_domtab t = { 0 };
	struct xk_evlist out = { 0 };
	struct xk_error e = { 0 };
	struct xk_scan_dom s = sd(8, U1, "web", 0, 0, 0);

	UPDATE(&s, 1, 1000, NULL);
	/* the first look after the shutdown finds it already dying: the
	 * shutdown code is still there, both events come out */
	s = sd(8, U1, "", 1, 1, 4);
	UPDATE(&s, 1, 1100, NULL);
	CHECK_INT_EQ(out.n, 2);
	CHECK_INT_EQ(out.v[0].type, XK_EV_SHUTDOWN);
	CHECK_INT_EQ(out.v[0].reason, XK_R_WATCHDOG);
	CHECK_INT_EQ(out.v[1].type, XK_EV_DEATH);
	CHECK_INT_EQ(out.v[1].reason, XK_R_WATCHDOG);
	xk_evlist_free(&out);
	xk_domtab_free(&t);
}

TEST(domtab_vanished_uses_xl_log_and_links_restart)
{
	struct xk_domtab t = { 0 };
	struct xk_evlist out = { 0 };
	struct xk_error e = { 0 };
	struct xk_scan_dom s = sd(5, U1, "web", 0, 0, 0);

	UPDATE(&s, 1, 1000, xl_says_reboot);
	/* xl's monitor won: gone before we looked; it comes back as 6
	 * with the same uuid (xl keeps it across a restart) */
	s = sd(6, U1, "web", 0, 0, 0);
	UPDATE(&s, 1, 2000, xl_says_reboot);
	CHECK_INT_EQ(out.n, 3);
	CHECK_INT_EQ(out.v[0].type, XK_EV_SHUTDOWN);
	CHECK_INT_EQ(out.v[0].domid, 5);
	CHECK_INT_EQ(out.v[0].reason, XK_R_REBOOT);
	CHECK_STR_EQ(out.v[0].source, "xl-log");
	CHECK_INT_EQ(out.v[1].type, XK_EV_DEATH);
	CHECK_INT_EQ(out.v[2].type, XK_EV_RESTART);
	CHECK_INT_EQ(out.v[2].domid, 6);
	CHECK_INT_EQ(out.v[2].previous_domid, 5);
	CHECK_INT_EQ(out.v[2].reason, XK_R_REBOOT);
	/* the next domain with that name is not linked to 5 again */
	s = sd(7, U2, "web", 0, 0, 0);
	UPDATE(&s, 1, 3000, xl_says_reboot);
	CHECK_INT_EQ(out.n, 3);
	CHECK_INT_EQ(out.v[0].type, XK_EV_SHUTDOWN);	/* 6 went */
	CHECK_INT_EQ(out.v[1].type, XK_EV_DEATH);
	CHECK_INT_EQ(out.v[2].type, XK_EV_RESTART);
	CHECK_INT_EQ(out.v[2].previous_domid, 6);
	xk_evlist_free(&out);
	xk_domtab_free(&t);
}

static int late_calls;

static int
xl_says_crash_late(const struct xk_dom *d, enum xk_reason *r, char *src,
    void *arg)
{
	if (++late_calls < 3)
		return -1;
	*r = XK_R_CRASH;
	snprintf(src, 16, "xl-log");
	return 0;
}

TEST(domtab_waits_for_a_late_reason)
{
	struct xk_domtab t = { 0 };
	struct xk_evlist out = { 0 };
	struct xk_error e = { 0 };
	struct xk_scan_dom s = sd(5, U1, "web", 0, 0, 0);

	UPDATE(&s, 1, 1000, xl_says_crash_late);
	UPDATE(&s, 0, 2000, xl_says_crash_late);
	CHECK_INT_EQ(out.n, 0);		/* not known yet: wait */
	UPDATE(&s, 0, 3000, xl_says_crash_late);
	CHECK_INT_EQ(out.n, 0);
	UPDATE(&s, 0, 4000, xl_says_crash_late);
	CHECK_INT_EQ(out.n, 2);
	CHECK_INT_EQ(out.v[0].type, XK_EV_SHUTDOWN);
	CHECK_INT_EQ(out.v[0].reason, XK_R_CRASH);
	/* and one that never turns up is unknown after the wait */
	s = sd(6, U2, "db", 0, 0, 0);
	UPDATE(&s, 1, 5000, nobody_knows);
	UPDATE(&s, 0, 6000, nobody_knows);
	CHECK_INT_EQ(out.n, 0);
	UPDATE(&s, 0, 6000 + XK_FALLBACK_WAIT_MS, nobody_knows);
	CHECK_INT_EQ(out.n, 1);
	CHECK_INT_EQ(out.v[0].reason, XK_R_UNKNOWN);
	xk_evlist_free(&out);
	xk_domtab_free(&t);
}

/* One that vanishes before it ever ran was destroyed, at once. */
TEST(domtab_never_ran)
{
	struct xk_domtab t = { 0 };
	struct xk_evlist out = { 0 };
	struct xk_error e = { 0 };
	struct xk_scan_dom s = sd(7, U1, "web", 0, 0, 0);

	s.ran = false;			/* paused, being built */
	UPDATE(&s, 1, 1000, nobody_knows);
	CHECK_INT_EQ(out.n, 1);
	CHECK_INT_EQ(out.v[0].type, XK_EV_CREATE);
	UPDATE(&s, 0, 1100, nobody_knows);
	CHECK_INT_EQ(out.n, 1);
	CHECK_INT_EQ(out.v[0].type, XK_EV_DEATH);
	CHECK_INT_EQ(out.v[0].reason, XK_R_DESTROYED);
	/* once it has run, the same vanishing waits for a reason */
	s = sd(8, U2, "db", 0, 0, 0);
	s.ran = false;
	UPDATE(&s, 1, 2000, nobody_knows);
	s.ran = true;
	UPDATE(&s, 1, 2100, nobody_knows);
	UPDATE(&s, 0, 2200, nobody_knows);
	CHECK_INT_EQ(out.n, 0);
	xk_evlist_free(&out);
	xk_domtab_free(&t);
}

TEST(domtab_unknown_and_destroyed)
{
	struct xk_domtab t = { 0 };
	struct xk_evlist out = { 0 };
	struct xk_error e = { 0 };
	struct xk_scan_dom s[2];

	s[0] = sd(5, U1, "web", 0, 0, 0);
	s[1] = sd(9, U2, "db", 0, 0, 0);
	UPDATE(s, 2, 1000, nobody_knows);
	/* db destroyed while running (xl destroy): dying, no shutdown */
	s[1] = sd(9, U2, "db", 0, 1, 0);
	UPDATE(s, 2, 1100, nobody_knows);
	CHECK_INT_EQ(out.n, 1);
	CHECK_INT_EQ(out.v[0].type, XK_EV_DEATH);
	CHECK_INT_EQ(out.v[0].reason, XK_R_DESTROYED);
	/* web vanishes unseen and nobody knows why: said so, once the
	 * wait for a late reason is over */
	UPDATE(s, 0, 1200, nobody_knows);
	CHECK_INT_EQ(out.n, 0);
	UPDATE(s, 0, 1200 + XK_FALLBACK_WAIT_MS, nobody_knows);
	CHECK_INT_EQ(out.n, 1);	/* db, already dead, says nothing */
	CHECK_INT_EQ(out.v[0].type, XK_EV_DEATH);
	CHECK_INT_EQ(out.v[0].domid, 5);
	CHECK_INT_EQ(out.v[0].reason, XK_R_UNKNOWN);
	/* a destroyed domain created again is a create, not a restart */
	s[0] = sd(10, U2, "db", 0, 0, 0);
	UPDATE(s, 1, 1300 + XK_FALLBACK_WAIT_MS, nobody_knows);
	CHECK_INT_EQ(out.n, 1);
	CHECK_INT_EQ(out.v[0].type, XK_EV_CREATE);
	xk_evlist_free(&out);
	xk_domtab_free(&t);
}

TEST(domtab_soft_reset_same_domid)
{
	struct xk_domtab t = { 0 };
	struct xk_evlist out = { 0 };
	struct xk_error e = { 0 };
	struct xk_scan_dom s = sd(5, U1, "web", 0, 0, 0);

	UPDATE(&s, 1, 1000, NULL);
	s = sd(5, U1, "", 1, 0, 5);
	UPDATE(&s, 1, 1100, NULL);
	CHECK_INT_EQ(out.v[0].reason, XK_R_SOFT_RESET);
	s = sd(5, U1, "", 0, 0, 0);
	UPDATE(&s, 1, 1200, NULL);
	CHECK_INT_EQ(out.n, 1);
	CHECK_INT_EQ(out.v[0].type, XK_EV_RESTART);
	CHECK_INT_EQ(out.v[0].previous_domid, 5);
	CHECK_INT_EQ(out.v[0].domid, 5);
	xk_evlist_free(&out);
	xk_domtab_free(&t);
}

TEST(domtab_twenty_at_once)
{
	struct xk_domtab t = { 0 };
	struct xk_evlist out = { 0 };
	struct xk_error e = { 0 };
	struct xk_scan_dom s[20];
	char name[16];

	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "g%02d", i);
		s[i] = sd(100 + i, U1, name, 0, 0, 0);
		snprintf(s[i].uuid, sizeof(s[i].uuid),
		    "00000000-0000-0000-0000-0000000000%02d", i);
	}
	UPDATE(s, 20, 1000, NULL);
	CHECK_INT_EQ(out.n, 20);
	for (int i = 0; i < 20; i++) {
		s[i].shutdown = true;
		s[i].code = (unsigned)(i % 6);
		s[i].dying = i % 2;
		s[i].name[0] = '\0';
	}
	UPDATE(s, 20, 1100, NULL);
	CHECK_INT_EQ(out.n, 30);
	for (size_t k = 0, i = 0; k < out.n; k++) {
		const struct xk_event *ev = &out.v[k];

		if (ev->type == XK_EV_SHUTDOWN) {
			CHECK_INT_EQ(ev->domid, 100 + (long)i);
			CHECK_INT_EQ(ev->reason, (long)(i % 6));
			snprintf(name, sizeof(name), "g%02zu", i);
			CHECK_STR_EQ(ev->domain, name);
			i++;
		} else {
			CHECK_INT_EQ(ev->type, XK_EV_DEATH);
			CHECK_INT_EQ(ev->domid, out.v[k - 1].domid);
		}
	}
	xk_evlist_free(&out);
	xk_domtab_free(&t);
}

TEST(domtab_reconcile_from_log)
{
	struct xk_domtab t = { 0 }, live = { 0 };
	struct xk_evlist out = { 0 }, tmp = { 0 };
	struct xk_error e = { 0 };
	struct xk_scan_dom s[3];

	/* what the daemon saw and logged before it was killed */
	s[0] = sd(5, U1, "web", 0, 0, 0);
	s[1] = sd(6, U2, "db", 1, 0, 0);
	s[2] = sd(7, "77777777-0000-0000-0000-000000000000", "gone", 0, 0, 0);
	CHECK_INT_EQ(xk_domtab_update(&live, s, 3, 1000, "hypervisor", NULL,
	    NULL, &tmp, &e), 0);
	CHECK_INT_EQ(tmp.n, 4);	/* 3 creates + db's shutdown */
	/* restart: replay those events into a fresh table */
	for (size_t i = 0; i < tmp.n; i++)
		CHECK_INT_EQ(xk_domtab_apply(&t, &tmp.v[i], &e), 0);
	/* meanwhile: web unchanged, db died, gone went away having
	 * rebooted (xl's log says), a new domain appeared */
	s[1] = sd(7, "77777777-0000-0000-0000-000000000000", "gone", 0, 0,
	    0);
	s[1].domid = 12;
	s[2] = sd(13, "99999999-0000-0000-0000-000000000000", "new", 0, 0, 0);
	s[1] = s[2];
	xk_evlist_free(&out);
	CHECK_INT_EQ(xk_domtab_update(&t, s, 2, 500000, "reconcile",
	    xl_says_reboot, NULL, &out, &e), 0);
	/* db: death (reason poweroff, known); gone: shutdown+death from
	 * xl's log; new: create.  web: nothing (no duplicate). */
	CHECK_INT_EQ(out.n, 4);
	CHECK_INT_EQ(out.v[0].type, XK_EV_DEATH);
	CHECK_INT_EQ(out.v[0].domid, 6);
	CHECK_INT_EQ(out.v[0].reason, XK_R_POWEROFF);
	CHECK_STR_EQ(out.v[0].source, "reconcile");
	CHECK_INT_EQ(out.v[1].type, XK_EV_SHUTDOWN);
	CHECK_INT_EQ(out.v[1].domid, 7);
	CHECK_INT_EQ(out.v[1].reason, XK_R_REBOOT);
	CHECK_INT_EQ(out.v[2].type, XK_EV_DEATH);
	CHECK_INT_EQ(out.v[3].type, XK_EV_CREATE);
	CHECK_INT_EQ(out.v[3].domid, 13);
	/* and a second reconcile says nothing more */
	xk_evlist_free(&out);
	CHECK_INT_EQ(xk_domtab_update(&t, s, 2, 500100, "reconcile",
	    xl_says_reboot, NULL, &out, &e), 0);
	CHECK_INT_EQ(out.n, 0);
	xk_evlist_free(&out);
	xk_evlist_free(&tmp);
	xk_domtab_free(&t);
	xk_domtab_free(&live);
}

/* ---- xl's log ---- */

TEST(xllog_scan_and_lookup)
{
	static const char text[] =
	    "Waiting for domain web (domid 12) to die [pid 311]\n"
	    "Domain 12 has shut down, reason code 1 0x1\n"
	    "Action for shutdown reason code 1 is restart\n"
	    "Domain 123 has shut down, reason code 3 0x3\n"
	    "Domain 1 has shut down, reason code 4 0x4\n"
	    "Domain 13 has shut down, reason code\n"
	    "Domain 12 has shut down, reason code 0 0x0\n";
	char *dir = mkhooks("xllog"), *p;
	struct xk_error e = { 0 };
	enum xk_reason r;

	CHECK_INT_EQ(xk_xllog_scan(text, strlen(text), 12), 0);
	CHECK_INT_EQ(xk_xllog_scan(text, strlen(text), 123), 3);
	CHECK_INT_EQ(xk_xllog_scan(text, strlen(text), 1), 4);
	CHECK_INT_EQ(xk_xllog_scan(text, strlen(text), 13), -1);
	CHECK_INT_EQ(xk_xllog_scan(text, strlen(text), 2), -1);
	/* the current log, then the rotated one */
	p = path_in(dir, "xl-web.log.1");
	write_file(p, text, 0644);
	free(p);
	p = path_in(dir, "xl-web.log");
	write_file(p, "Domain 40 has shut down, reason code 2 0x2\n", 0644);
	free(p);
	CHECK_INT_EQ(xk_xllog_lookup(dir, "web", 40, &r, &e), 0);
	CHECK_INT_EQ(r, XK_R_SUSPEND);
	CHECK_INT_EQ(xk_xllog_lookup(dir, "web", 123, &r, &e), 0);
	CHECK_INT_EQ(r, XK_R_CRASH);
	CHECK_INT_EQ(xk_xllog_lookup(dir, "web", 77, &r, &e), 1);
	CHECK_INT_EQ(xk_xllog_lookup(dir, "nosuch", 12, &r, &e), 1);
	CHECK_INT_EQ(xk_xllog_lookup(dir, "../etc", 12, &r, &e), -1);
	free(dir);
}

/* ---- the socket ---- */

static char *
read_line_fd(int fd, int ms)
{
	char buf[8192];
	size_t len = 0;
	int64_t end = mono_ms() + ms;

	while (mono_ms() < end && len < sizeof(buf) - 1) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t n;

		if (poll(&p, 1, 20) <= 0)
			continue;
		n = read(fd, buf + len, 1);
		if (n <= 0)
			break;
		if (buf[len++] == '\n')
			break;
	}
	buf[len] = '\0';
	return strdup(buf);
}

static char *
st_fn(void *arg)
{
	return strdup("{\"ok\":true}\n");
}

/* Serve the socket for ms: the monitor's loop, in small. */
static void
serve(struct xk_evsrv *s, int ms)
{
	int64_t end = mono_ms() + ms;

	while (mono_ms() < end) {
		struct pollfd fds[70];
		size_t n = xk_evsrv_pollfds(s, fds, 70);

		if (poll(fds, n, 10) > 0)
			xk_evsrv_handle(s, fds, n);
	}
}

TEST(evsock_follow_publish_status)
{
	char *path = path_in(xk_test_tmpdir(), "mon.sock"), *l;
	struct xk_error e = { 0 };
	struct xk_event ev = mkev(XK_EV_CREATE, "web", 3, U1, XK_R_NONE, 1000);
	struct xk_evsrv *s = xk_evsrv_open(path, st_fn, NULL, &e), *s2;
	char *line = xk_event_to_line(&ev, &e), *req;
	int f, p, st;

	CHECK(s != NULL && line != NULL);
	s2 = xk_evsrv_open(path, NULL, NULL, &e);
	CHECK(s2 == NULL);
	CHECK_STR_HAS(e.msg, "another monitor is running");
	f = xk_evsock_request(path, "FOLLOW", &e);
	CHECK(f >= 0);
	serve(s, 100);
	CHECK_INT_EQ(xk_evsrv_followers(s), 1);
	xk_evsrv_broadcast(s, line);
	l = read_line_fd(f, 2000);
	CHECK_STR_EQ(l, line);
	free(l);
	/* another monitor's event reaches followers; junk does not */
	p = xk_evsock_request(path, "PUBLISH not-an-event", &e);
	CHECK(p >= 0);
	serve(s, 100);
	close(p);
	line[strlen(line) - 1] = '\0';
	CHECK(asprintf(&req, "PUBLISH %s", line) > 0);
	p = xk_evsock_request(path, req, &e);
	CHECK(p >= 0);
	serve(s, 100);
	close(p);
	l = read_line_fd(f, 2000);
	CHECK_STR_HAS(l, line);
	free(l);
	st = xk_evsock_request(path, "STATUS", &e);
	serve(s, 100);
	l = read_line_fd(st, 2000);
	CHECK_STR_EQ(l, "{\"ok\":true}\n");
	free(l);
	close(st);
	close(f);
	xk_evsrv_close(s);
	CHECK(access(path, F_OK) < 0);
	free(req);
	free(line);
	free(path);
}
