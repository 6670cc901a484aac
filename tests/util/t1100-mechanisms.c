/*
 * t1100-mechanisms - the shared mechanisms of lib/util: temporary files
 * renamed into place and swept after a killed writer, running programs,
 * whole writes, Unix sockets.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "util/file.h"
#include "util/run.h"
#include "util/sock.h"
#include "util/tempfile.h"

static char *
scratch_dir(void)
{
	char tmpl[] = "/tmp/xk-t1100.XXXXXX";
	char *d = mkdtemp(tmpl);

	return d ? strdup(d) : NULL;
}

static void
remove_dir(const char *dir)
{
	const char *argv[] = { "rm", "-rf", dir, NULL };
	struct xk_error e = { 0 };

	xk_run_ok(argv, NULL, &e);
}

/* How many entries the directory holds besides . and .. */
static int
entries(const char *dir)
{
	char cmd[256];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A %s | wc -l", dir);
	p = popen(cmd, "r");
	if (p != NULL) {
		if (fscanf(p, "%d", &n) != 1)
			n = -1;
		pclose(p);
	}
	return n;
}

static int
read_all(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

TEST(tempfile_commit_replaces_destination_atomically)
{
	char *dir = scratch_dir(), dest[512], buf[64];
	struct xk_tempfile t = XK_TEMPFILE_INIT;
	struct xk_error e = { 0 };
	struct stat st;
	int fd;

	CHECK(dir != NULL);
	snprintf(dest, sizeof(dest), "%s/out.img", dir);
	fd = open(dest, O_WRONLY | O_CREAT, 0644);
	CHECK(xk_write_all(fd, "old", 3, dest, &e) == 0);
	close(fd);
	CHECK(xk_tempfile_open(&t, dest, &e) == 0);
	CHECK(t.tmp != NULL && strstr(t.tmp, "/.out.img.xk-") != NULL);
	CHECK(xk_write_all(t.fd, "new", 3, t.tmp, &e) == 0);
	/* until the commit, the destination is the old file */
	CHECK(read_all(dest, buf, sizeof(buf)) == 0);
	CHECK_STR_EQ(buf, "old");
	CHECK(stat(t.tmp, &st) == 0);
	CHECK(xk_tempfile_commit(&t, &e) == 0);
	CHECK(t.tmp == NULL && t.fd == -1);
	CHECK(read_all(dest, buf, sizeof(buf)) == 0);
	CHECK_STR_EQ(buf, "new");
	CHECK_INT_EQ(entries(dir), 1);
	remove_dir(dir);
	free(dir);
}

TEST(tempfile_abort_leaves_nothing)
{
	char *dir = scratch_dir(), dest[512];
	struct xk_tempfile t = XK_TEMPFILE_INIT;
	struct xk_error e = { 0 };

	CHECK(dir != NULL);
	snprintf(dest, sizeof(dest), "%s/x.vhd", dir);
	xk_tempfile_abort(&t, &e);	/* never opened: a no-op */
	CHECK(xk_tempfile_open(&t, dest, &e) == 0);
	CHECK_INT_EQ(entries(dir), 1);
	xk_tempfile_abort(&t, &e);
	CHECK_INT_EQ(entries(dir), 0);
	CHECK(access(dest, F_OK) < 0);
	/* a directory that does not exist: a clear error, nothing made */
	snprintf(dest, sizeof(dest), "%s/no/such/x.vhd", dir);
	CHECK(xk_tempfile_open(&t, dest, &e) < 0);
	CHECK_STR_HAS(e.msg, "x.vhd: cannot create a temporary file");
	remove_dir(dir);
	free(dir);
}

TEST(tempfile_owner_is_read_from_the_name)
{
	char host[128];
	long pid;

	CHECK(xk_tempfile_owner(".web.vhd.xk-h1.example.org.4242."
	    "0123456789abcdef", host, sizeof(host), &pid) == 1);
	CHECK_STR_EQ(host, "h1.example.org");
	CHECK_INT_EQ(pid, 4242);
	/* a destination whose own name holds the tag */
	CHECK(xk_tempfile_owner(".a.xk-b.xk-h.7.0123456789abcdef", host,
	    sizeof(host), &pid) == 1);
	CHECK_STR_EQ(host, "h");
	CHECK_INT_EQ(pid, 7);
	/* not ours: the old random-only names, snapshot overlays, a
	 * short random part, no host, no dot in front */
	CHECK(xk_tempfile_owner(".web.vhd.xk-5f0c9a61d2e8b347", host,
	    sizeof(host), &pid) == 0);
	CHECK(xk_tempfile_owner("d0.img.xk-3", host, sizeof(host), &pid) == 0);
	CHECK(xk_tempfile_owner(".w.xk-h.1.0123", host, sizeof(host),
	    &pid) == 0);
	CHECK(xk_tempfile_owner(".w.xk-.1.0123456789abcdef", host,
	    sizeof(host), &pid) == 0);
	CHECK(xk_tempfile_owner("w.xk-h.1.0123456789abcdef", host,
	    sizeof(host), &pid) == 0);
	CHECK(xk_tempfile_owner(".w.xk-h.x.0123456789abcdef", host,
	    sizeof(host), &pid) == 0);
}

/* A writer that dies with its temporary in place, as SIGKILL leaves it. */
static pid_t
killed_writer(const char *dest, char *tmp, size_t len)
{
	int p[2];
	pid_t pid;

	if (pipe(p) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		struct xk_tempfile t = XK_TEMPFILE_INIT;
		struct xk_error e = { 0 };

		close(p[0]);
		if (xk_tempfile_open(&t, dest, &e) == 0)
			dprintf(p[1], "%s", t.tmp);
		close(p[1]);
		pause();
		_exit(0);
	}
	close(p[1]);
	memset(tmp, 0, len);
	if (read(p[0], tmp, len - 1) <= 0)
		tmp[0] = '\0';
	close(p[0]);
	return pid;
}

TEST(tempfile_sweep_removes_only_dead_writers_leftovers)
{
	char *dir = scratch_dir(), dest[512], dead[600], alive[600];
	char other[700], mine[600];
	struct xk_tempfile t = XK_TEMPFILE_INIT;
	struct xk_swept sw = { 0 };
	struct xk_error e = { 0 };
	pid_t a, b;
	int fd;

	CHECK(dir != NULL);
	snprintf(dest, sizeof(dest), "%s/disk.img", dir);
	a = killed_writer(dest, dead, sizeof(dead));
	b = killed_writer(dest, alive, sizeof(alive));
	CHECK(a > 0 && b > 0 && dead[0] != '\0' && alive[0] != '\0');
	kill(a, SIGKILL);
	waitpid(a, NULL, 0);
	/* another host's writer on a shared file system: not ours to judge */
	snprintf(other, sizeof(other), "%s/.disk.img.xk-elsewhere.%ld."
	    "0123456789abcdef", dir, (long)a);
	fd = open(other, O_CREAT | O_WRONLY, 0644);
	CHECK(fd >= 0);
	close(fd);
	/* our own, open right now */
	CHECK(xk_tempfile_open(&t, dest, &e) == 0);
	snprintf(mine, sizeof(mine), "%s", t.tmp);
	CHECK(xk_tempfile_sweep(dir, &sw, &e) == 0);
	CHECK_INT_EQ(sw.n, 1);
	if (sw.n == 1)
		CHECK_STR_EQ(sw.paths[0], dead);
	CHECK(access(dead, F_OK) < 0);
	CHECK(access(alive, F_OK) == 0);
	CHECK(access(other, F_OK) == 0);
	CHECK(access(mine, F_OK) == 0);
	xk_swept_free(&sw);
	kill(b, SIGKILL);
	waitpid(b, NULL, 0);
	CHECK(xk_tempfile_sweep_for(dest, &sw, &e) == 0);
	CHECK_INT_EQ(sw.n, 1);
	xk_swept_free(&sw);
	/* a directory that is not there holds nothing stale */
	CHECK(xk_tempfile_sweep("/nonexistent/xk", &sw, &e) == 0);
	CHECK_INT_EQ(sw.n, 0);
	xk_tempfile_abort(&t, &e);
	remove_dir(dir);
	free(dir);
}

TEST(run_captures_output_and_status)
{
	const char *echo[] = { "sh", "-c", "echo out; echo err >&2; exit 3",
	    NULL };
	const char *loc[] = { "sh", "-c", "echo $LC_ALL", NULL };
	const char *none[] = { "xk-no-such-program", NULL };
	struct xk_run_opts split = { .out = XK_RUN_CAPTURE,
	    .err = XK_RUN_DEVNULL };
	struct strbuf sb = STRBUF_INIT;
	struct xk_error e = { 0 };
	int status = -1;

	CHECK(xk_run(echo, &split, &sb, &status, &e) == 0);
	CHECK_INT_EQ(status, 3);
	CHECK_STR_EQ(strbuf_str(&sb), "out\n");
	strbuf_reset(&sb);
	/* xk_run_ok: both streams, trimmed, a failure quotes them */
	CHECK(xk_run_ok(echo, &sb, &e) < 0);
	CHECK_STR_EQ(strbuf_str(&sb), "out\nerr");
	CHECK_STR_HAS(e.msg, "sh -c failed (status 3): out");
	strbuf_reset(&sb);
	CHECK(xk_run_ok(loc, &sb, &e) == 0);
	CHECK_STR_EQ(strbuf_str(&sb), "C");
	strbuf_reset(&sb);
	CHECK(xk_run_ok(none, &sb, &e) < 0);
	CHECK_STR_HAS(e.msg, "xk-no-such-program: not found");
	strbuf_free(&sb);
}

TEST(run_bounds_what_it_keeps_and_reaps_a_killed_child)
{
	const char *flood[] = { "sh", "-c", "head -c 5000000 /dev/zero; "
	    "exit 0", NULL };
	const char *killed[] = { "sh", "-c", "kill -9 $$", NULL };
	struct xk_run_opts o = { .out = XK_RUN_CAPTURE,
	    .err = XK_RUN_CAPTURE };
	struct strbuf sb = STRBUF_INIT;
	struct xk_error e = { 0 };
	int status = -1;

	CHECK(xk_run(flood, &o, &sb, &status, &e) == 0);
	CHECK_INT_EQ(status, 0);
	CHECK_INT_EQ(sb.len, XK_RUN_OUTPUT_MAX);
	strbuf_reset(&sb);
	CHECK(xk_run(killed, &o, &sb, &status, &e) == 0);
	CHECK_INT_EQ(status, 128 + SIGKILL);
	strbuf_free(&sb);
}

TEST(run_kills_a_program_past_its_timeout)
{
	const char *sleeper[] = { "sh", "-c", "echo started; exec sleep 600",
	    NULL };
	struct xk_run_opts o = { .out = XK_RUN_CAPTURE, .err = XK_RUN_INHERIT,
	    .timeout_ms = 200 };
	struct strbuf sb = STRBUF_INIT;
	struct xk_error e = { 0 };
	int status = -1;

	/* returns (the test does not hang for 600 s) and says why */
	CHECK(xk_run(sleeper, &o, &sb, &status, &e) < 0);
	CHECK_INT_EQ(e.errnum, ETIMEDOUT);
	CHECK_STR_HAS(e.msg, "sh: killed after");
	CHECK_STR_EQ(strbuf_str(&sb), "started\n");
	strbuf_free(&sb);
}

TEST(write_all_reports_where)
{
	struct xk_error e = { 0 };
	int p[2];

	CHECK(pipe(p) == 0);
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	CHECK(xk_write_all(p[1], "x", 1, "the pipe", &e) < 0);
	CHECK_STR_HAS(e.msg, "write to the pipe");
	CHECK_INT_EQ(e.errnum, EPIPE);
	close(p[1]);
}

TEST(unix_connect_names_the_socket)
{
	char longpath[200];
	struct xk_error e = { 0 };

	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	CHECK(xk_unix_connect(longpath, 0, "QMP socket", &e) < 0);
	CHECK_STR_HAS(e.msg, "path too long");
	CHECK(xk_unix_connect("/nonexistent/xk.sock", 0, "QMP socket",
	    &e) < 0);
	CHECK_STR_HAS(e.msg, "QMP socket /nonexistent/xk.sock: connect");
	CHECK_INT_EQ(e.errnum, ENOENT);
}
