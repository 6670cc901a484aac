/*
 * t5000-lab - unit tests of lib/lab that need no running lab: the
 * control-channel framing, the overlay cpio writer and what the overlay
 * carries, the console relay, cache verification,
 * the image key, state directories and the serial log tail.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "lab/cpio.h"
#include "lab/ctl.h"
#include "lab/image.h"
#include "lab/lab.h"
#include "lab/serial.h"
#include "lab/overlay.h"
#include "lab/proto.h"
#include "util/clock.h"
#include "util/sock.h"

static int
write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL)
		return -1;
	fputs(text, fp);
	return fclose(fp);
}

/* Frames survive junk in front of them: a dead client's leftovers. */
TEST(frame_resync)
{
	struct xk_error err = { 0 };
	struct xk_frame f;
	int p[2];

	CHECK(pipe(p) == 0);
	/* Stale bytes, even a false magic with a huge length. */
	CHECK(write(p[1], "garbage x xk\xff\xff\xff\xff", 16) == 16);
	CHECK(xk_frame_write(p[1], XK_FRAME_ARG, "hello", 5, &err) == 0);
	CHECK(xk_frame_write(p[1], XK_FRAME_EXIT, "exit 3", 6, &err) == 0);
	close(p[1]);
	CHECK_INT_EQ(xk_frame_read(p[0], &f, 0, &err), 1);
	CHECK_INT_EQ(f.type, XK_FRAME_ARG);
	CHECK_STR_EQ((char *)f.data, "hello");
	xk_frame_free(&f);
	CHECK_INT_EQ(xk_frame_read(p[0], &f, 0, &err), 1);
	CHECK_STR_EQ((char *)f.data, "exit 3");
	xk_frame_free(&f);
	CHECK_INT_EQ(xk_frame_read(p[0], &f, 0, &err), 0);
	close(p[0]);
}

TEST(frame_truncated_and_timeout)
{
	struct xk_error err = { 0 };
	struct xk_frame f;
	int p[2];

	CHECK(pipe(p) == 0);
	/* A header announcing 100 bytes, then only 3. */
	CHECK(write(p[1], "xkO\0\0\0" "dabc", 10) == 10);
	CHECK_INT_EQ(xk_frame_read(p[0], &f, xk_mono_ms() + 200, &err), -1);
	CHECK_INT_EQ(err.errnum, ETIMEDOUT);
	close(p[0]);
	close(p[1]);
	CHECK(pipe(p) == 0);
	CHECK(write(p[1], "xkO\0\0\0" "dabc", 10) == 10);
	close(p[1]);
	CHECK_INT_EQ(xk_frame_read(p[0], &f, 0, &err), -1);
	CHECK_STR_HAS(err.msg, "stream ended inside a frame");
	close(p[0]);
	CHECK(xk_frame_write(1, 'O', "", XK_FRAME_MAX + 1, &err) == -1);
}

/* The overlay archive lists what went in, with parents first. */
TEST(cpio_overlay)
{
	char arch[512], src[512], cmd[1200], line[256];
	struct xk_error err = { 0 };
	const char *dir = xk_test_tmpdir();
	struct xk_cpio *a;
	FILE *fp;
	int n = 0;

	snprintf(src, sizeof(src), "%s/tree", dir);
	CHECK(mkdir(src, 0755) == 0);
	snprintf(arch, sizeof(arch), "%s/tree/f", dir);
	CHECK(write_text(arch, "data\n") == 0);
	snprintf(arch, sizeof(arch), "%s/tree/l", dir);
	CHECK(symlink("f", arch) == 0);
	snprintf(arch, sizeof(arch), "%s/o.cpio.gz", dir);
	a = xk_cpio_open(arch, &err);
	CHECK(a != NULL);
	CHECK(xk_cpio_tree(a, "usr/lib/x", src, &err) == 0);
	CHECK(xk_cpio_close(a, &err) == 0);
	snprintf(cmd, sizeof(cmd), "zcat %s | cpio -it --quiet | sort", arch);
	fp = popen(cmd, "r");
	CHECK(fp != NULL);
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		n++;
		if (n == 1)
			CHECK_STR_EQ(line, "usr");
		if (n == 5)
			CHECK_STR_EQ(line, "usr/lib/x/l");
	}
	CHECK_INT_EQ(pclose(fp), 0);
	CHECK_INT_EQ(n, 5);	/* usr usr/lib usr/lib/x x/f x/l */
}

/* A cache entry whose file changed is refused, and says so. */
TEST(image_verify)
{
	static const char *const files[] = { "xen.elf", "vmlinux",
	    "dom0.sqfs", "boot.cpio.gz", "guest.cpio.gz", "versions",
	    "key.txt", NULL };
	char path[512], cmd[1024];
	struct xk_error err = { 0 };
	const char *dir = xk_test_tmpdir();
	int i;

	for (i = 0; files[i] != NULL; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		CHECK(write_text(path, files[i]) == 0);
	}
	snprintf(cmd, sizeof(cmd), "cd %s && sha256sum xen.elf vmlinux "
	    "dom0.sqfs boot.cpio.gz guest.cpio.gz versions key.txt "
	    ">SHA256SUMS", dir);
	CHECK(system(cmd) == 0);
	CHECK(xk_image_verify(dir, &err) == 0);
	snprintf(path, sizeof(path), "%s/vmlinux", dir);
	CHECK(write_text(path, "vmlinuz") == 0);
	CHECK(xk_image_verify(dir, &err) == -1);
	CHECK_STR_HAS(err.msg, "checksum mismatch");
	snprintf(path, sizeof(path), "%s/SHA256SUMS", dir);
	CHECK(write_text(path, "") == 0);
	CHECK(xk_image_verify(dir, &err) == -1);
	CHECK_STR_HAS(err.msg, "lists 0 files");
}

/* The key covers the recipe: same inputs, same key; a change, another. */
TEST(image_key)
{
	char k1[XK_IMAGE_KEY_LEN], k2[XK_IMAGE_KEY_LEN], path[512], cmd[1024];
	struct xk_error err = { 0 };
	const char *dir = xk_test_tmpdir();
	char *desc = NULL;

	if (access("/usr/bin/apt-cache", X_OK) != 0)
		return;		/* not a Debian host: nothing to key on */
	snprintf(cmd, sizeof(cmd), "cd %s/../share/lab && cp build-image.sh "
	    "build-guest.sh guest-init boot-init %s", xk_test_datadir(), dir);
	CHECK(system(cmd) == 0);
	CHECK(xk_image_key(dir, k1, &desc, &err) == 0);
	CHECK_INT_EQ((int)strlen(k1), 64);
	CHECK_STR_HAS(desc, "package xen-hypervisor-4.17-amd64 ");
	CHECK_STR_HAS(desc, "package linux-image-amd64 ");
	free(desc);
	CHECK(xk_image_key(dir, k2, NULL, &err) == 0);
	CHECK_STR_EQ(k1, k2);
	snprintf(path, sizeof(path), "%s/guest-init", dir);
	CHECK(write_text(path, "#!/bin/sh\n") == 0);
	CHECK(xk_image_key(dir, k2, NULL, &err) == 0);
	CHECK(strcmp(k1, k2) != 0);
}

/*
 * A build keeps the new entry and the previous "latest", and removes
 * older entries and dead builds' leftovers.  The recipe here is a
 * stand-in that writes the entry's files (the real one takes minutes);
 * the cache logic under test is the real one.
 */
TEST(image_prune)
{
	static const char *const keys[] = { "aa", "bb", "cc" };
	char share[512], cache[512], k[3][XK_IMAGE_KEY_LEN], path[1024];
	char link[XK_IMAGE_KEY_LEN] = "";
	struct xk_error err = { 0 };
	const char *dir = xk_test_tmpdir();
	struct stat st;
	ssize_t n;
	int i;

	if (geteuid() != 0 || access("/usr/sbin/debootstrap", X_OK) != 0)
		return;		/* xk_image_build needs both */
	snprintf(share, sizeof(share), "%s/prune-share", dir);
	snprintf(cache, sizeof(cache), "%s/prune-cache", dir);
	CHECK(mkdir(share, 0755) == 0 && mkdir(cache, 0755) == 0);
	snprintf(path, sizeof(path), "%s/build-image.sh", share);
	CHECK(write_text(path, "mkdir -p \"$1\" && cd \"$1\" && for f in "
	    "xen.elf vmlinux dom0.sqfs boot.cpio.gz guest.cpio.gz versions; "
	    "do echo $f >$f; done\n") == 0);
	for (i = 0; i < 3; i++) {
		memset(k[i], keys[i][0], XK_IMAGE_KEY_LEN - 1);
		k[i][XK_IMAGE_KEY_LEN - 1] = '\0';
	}
	/* aa: built first; bb: built next ("latest"); a dead build's tmp */
	CHECK(xk_image_build(share, cache, k[0], "desc", 0, 2, &err) == 0);
	CHECK(xk_image_build(share, cache, k[1], "desc", 0, 2, &err) == 0);
	snprintf(path, sizeof(path), "%s/%s.tmp.99999", cache, k[0]);
	CHECK(mkdir(path, 0755) == 0);
	CHECK(xk_image_build(share, cache, k[2], "desc", 0, 2, &err) == 0);

	snprintf(path, sizeof(path), "%s/latest", cache);
	n = readlink(path, link, sizeof(link) - 1);
	CHECK(n > 0);
	link[n > 0 ? n : 0] = '\0';
	CHECK_STR_EQ(link, k[2]);
	snprintf(path, sizeof(path), "%s/%s", cache, k[2]);
	CHECK(xk_image_verify(path, &err) == 0);
	snprintf(path, sizeof(path), "%s/%s", cache, k[1]);
	CHECK(xk_image_verify(path, &err) == 0);	/* the previous one */
	snprintf(path, sizeof(path), "%s/%s", cache, k[0]);
	CHECK(access(path, F_OK) == -1);		/* older: gone */
	/* a verifying entry is kept, unless forced (xk lab build --force) */
	snprintf(path, sizeof(path), "%s/%s/versions", cache, k[2]);
	CHECK(write_text(path, "versions\n") == 0);	/* same bytes */
	CHECK(utimensat(AT_FDCWD, path, (struct timespec[2]){ { 0, 0 },
	    { 1, 0 } }, 0) == 0);
	CHECK(xk_image_build(share, cache, k[2], "desc", 0, 2, &err) == 0);
	CHECK(stat(path, &st) == 0 && st.st_mtime == 1);
	CHECK(xk_image_build(share, cache, k[2], "desc", 1, 2, &err) == 0);
	CHECK(stat(path, &st) == 0 && st.st_mtime != 1);
	snprintf(path, sizeof(path), "%s/%s.tmp.99999", cache, k[0]);
	CHECK(access(path, F_OK) == -1);		/* leftovers: gone */
	snprintf(path, sizeof(path), "%s/build.lock", cache);
	CHECK(access(path, F_OK) == 0);			/* not an entry */
}

/*
 * A build whose xk is killed (SIGKILL: no handler can help) leaves its
 * recipe running; the recipe holds the cache's lock, so the next build
 * waits for it rather than sweeping its directory.  The recipe here
 * blocks on a FIFO until the test lets it go.
 */
TEST(cache_killed_builder)
{
	static const char *const files[] = { "f", "key.txt", NULL };
	char dir[512], script[600], fifo[600], started[600], lockp[600];
	const char *argv[] = { "/bin/sh", script, NULL };
	struct xk_error err = { 0 };
	struct xk_cache_job j = { .key = "kk", .desc = "d", .files = files,
	    .argv = argv, .what = "recipe", .log_fd = 2 };
	pid_t builder;
	int i, lock, go, st, held;

	snprintf(dir, sizeof(dir), "%s/killed-build", xk_test_tmpdir());
	CHECK(mkdir(dir, 0755) == 0);
	j.cache = dir;
	snprintf(fifo, sizeof(fifo), "%s/go", dir);
	snprintf(started, sizeof(started), "%s/started", dir);
	snprintf(script, sizeof(script), "%s/recipe.sh", dir);
	snprintf(lockp, sizeof(lockp), "%s/build.lock", dir);
	CHECK(mkfifo(fifo, 0600) == 0);
	{
		char text[2048];

		snprintf(text, sizeof(text), ": >'%s'; read -r x <'%s'; "
		    "exit 1\n", started, fifo);
		CHECK(write_text(script, text) == 0);
	}
	builder = fork();
	CHECK(builder >= 0);
	if (builder == 0)
		_exit(xk_cache_build(&j, &err) == 0 ? 0 : 1);
	for (i = 0; i < 3000 && access(started, F_OK) == -1; i++)
		usleep(10000);	/* a bounded wait for the recipe to start */
	CHECK(access(started, F_OK) == 0);
	CHECK(kill(builder, SIGKILL) == 0);
	CHECK(waitpid(builder, &st, 0) == builder);
	lock = open(lockp, O_RDWR | O_CLOEXEC);
	CHECK(lock != -1);
	held = flock(lock, LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK;
	/* let the recipe go before any check can end the test */
	go = open(fifo, O_WRONLY | O_CLOEXEC);
	CHECK(go != -1 && write(go, "x\n", 2) == 2);
	close(go);
	CHECK(held);
	CHECK(flock(lock, LOCK_EX) == 0);	/* the recipe ended */
	close(lock);
}

TEST(state_dir)
{
	struct xk_error err = { 0 };
	char buf[256];

	setenv("XK_LAB_STATE", "/tmp/a,b", 1);
	CHECK(xk_lab_state_dir("x", buf, sizeof(buf), &err) == -1);
	CHECK_STR_HAS(err.msg, "cannot contain ','");
	unsetenv("XK_LAB_STATE");
	CHECK(xk_lab_state_dir("two", buf, sizeof(buf), &err) == 0);
	CHECK_STR_HAS(buf, "/two");
}

/* No lab: the client fails at once, naming the socket. */
TEST(ctl_no_lab)
{
	struct xk_error err = { 0 };
	struct xk_ctl c;
	pid_t pid;

	CHECK(xk_ctl_open(&c, xk_test_tmpdir(), 2000, &err) == -1);
	CHECK_STR_HAS(err.msg, "ctl0.sock");
	CHECK(xk_lab_pid(xk_test_tmpdir(), &pid, &err) == 0);
	CHECK_INT_EQ((int)pid, 0);
}

/*
 * The agent's end of a port that swallows the first caller's HELLO (a
 * dead client's half frame still being read, or a command whose client
 * went away unnoticed): the client hangs up after a silence and calls
 * again, and the second call is answered.  Serves ctl0.sock in dir.
 */
static pid_t
deaf_once_agent(const char *dir)
{
	struct xk_error err = { 0 };
	struct sockaddr_un sa;
	char path[600];
	struct xk_frame f;
	int ls, fd, calls;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/ctl0.sock", dir);
	if (xk_unix_addr(&sa, path, &err) == -1)
		return -1;
	ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls == -1 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(ls, 4) == -1)
		return -1;
	pid = fork();
	if (pid != 0) {
		close(ls);
		return pid;
	}
	alarm(120);	/* a client that never calls again fails, not hangs */
	for (calls = 1; calls <= 2; calls++) {
		fd = accept(ls, NULL, NULL);
		if (fd == -1)
			_exit(2);
		/* the first call: read and drop everything until hang-up */
		while (calls == 1 && xk_frame_read(fd, &f, 0, &err) == 1)
			xk_frame_free(&f);
		if (calls == 2 && (xk_frame_read(fd, &f, 0, &err) != 1 ||
		    f.type != XK_FRAME_HELLO ||
		    xk_frame_write(fd, XK_FRAME_HELLO, f.data, f.len,
		    &err) == -1))
			_exit(3);
		if (calls == 2)
			xk_frame_read(fd, &f, 0, &err);	/* until the client goes */
		close(fd);
	}
	_exit(0);
}

TEST(ctl_calls_again)
{
	struct xk_error err = { 0 };
	char dir[512];
	struct xk_ctl c;
	pid_t agent;
	int st;

	snprintf(dir, sizeof(dir), "%s/deaf-port", xk_test_tmpdir());
	CHECK(mkdir(dir, 0700) == 0);
	agent = deaf_once_agent(dir);
	CHECK(agent > 0);
	CHECK(xk_ctl_open(&c, dir, 60000, &err) == 0);
	xk_ctl_close(&c);
	CHECK(waitpid(agent, &st, 0) == agent);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/*
 * A lab whose QEMU was killed leaves qemu.pid naming a process that is
 * gone (or, after pid reuse, one that is not QEMU): xk_lab_dead_pid
 * names it; no pid file, no dead lab.
 */
TEST(dead_lab)
{
	char dir[512], path[600], text[32];
	pid_t child;
	int st;

	snprintf(dir, sizeof(dir), "%s/dead-lab", xk_test_tmpdir());
	CHECK(mkdir(dir, 0755) == 0);
	CHECK_INT_EQ((int)xk_lab_dead_pid(dir), 0);
	child = fork();
	if (child == 0)
		_exit(0);
	CHECK(child > 0 && waitpid(child, &st, 0) == child);
	snprintf(path, sizeof(path), "%s/qemu.pid", dir);
	snprintf(text, sizeof(text), "%ld\n", (long)child);
	CHECK(write_text(path, text) == 0);
	CHECK_INT_EQ((int)xk_lab_dead_pid(dir), (int)child);
	snprintf(text, sizeof(text), "%ld\n", (long)getpid());
	CHECK(write_text(path, text) == 0);	/* alive, but not QEMU */
	CHECK_INT_EQ((int)xk_lab_dead_pid(dir), (int)getpid());
}

TEST(log_tail)
{
	struct xk_error err = { 0 };
	char path[512], *tail = NULL;

	snprintf(path, sizeof(path), "%s/serial.log", xk_test_tmpdir());
	CHECK(write_text(path, "one\ntwo\nthree\nfour\n") == 0);
	CHECK(xk_lab_log_tail(xk_test_tmpdir(), 2, &tail, &err) == 0);
	CHECK_STR_EQ(tail, "three\nfour\n");
	free(tail);
}

/* mkdir root/name with a file in it, its mtime age_s in the past. */
static int
old_state(const char *root, const char *name, int age_s, char *dir,
    size_t len)
{
	struct timespec ts[2];
	char file[512];

	snprintf(dir, len, "%s/%s", root, name);
	snprintf(file, sizeof(file), "%s/serial.log", dir);
	if (mkdir(dir, 0700) == -1 || write_text(file, "log\n") != 0)
		return -1;
	clock_gettime(CLOCK_REALTIME, &ts[0]);
	ts[0].tv_sec -= age_s;
	ts[1] = ts[0];
	return utimensat(AT_FDCWD, dir, ts, 0);
}

/* `down` removes a lab's directory; a subdirectory is not ours. */
TEST(state_remove)
{
	struct xk_error err = { 0 };
	char dir[512], sub[600];

	CHECK(old_state(xk_test_tmpdir(), "gone", 0, dir, sizeof(dir)) == 0);
	CHECK(xk_lab_remove_state(dir, &err) == 0);
	CHECK(access(dir, F_OK) == -1 && errno == ENOENT);
	CHECK(xk_lab_remove_state(dir, &err) == 0);	/* already gone */
	CHECK(old_state(xk_test_tmpdir(), "odd", 0, dir, sizeof(dir)) == 0);
	snprintf(sub, sizeof(sub), "%s/keep", dir);
	CHECK(mkdir(sub, 0700) == 0);
	CHECK(xk_lab_remove_state(dir, &err) == -1);
	CHECK_STR_HAS(err.msg, "odd");
	CHECK(access(sub, F_OK) == 0);
}

/* `up` sweeps dead labs' directories, not fresh ones, not its own,
 * and nothing under a directory the user chose. */
TEST(state_prune)
{
	char root[512], self[600], dead[600], fresh[600];

	snprintf(root, sizeof(root), "%s/labs", xk_test_tmpdir());
	CHECK(mkdir(root, 0700) == 0);
	CHECK(old_state(root, "self", 3600, self, sizeof(self)) == 0);
	CHECK(old_state(root, "dead", 3600, dead, sizeof(dead)) == 0);
	CHECK(old_state(root, "fresh", 10, fresh, sizeof(fresh)) == 0);
	setenv("XK_LAB_STATE", self, 1);
	CHECK_INT_EQ(xk_lab_prune(self, 600), 0);
	CHECK(access(dead, F_OK) == 0);
	unsetenv("XK_LAB_STATE");
	CHECK_INT_EQ(xk_lab_prune(self, 600), 1);
	CHECK(access(dead, F_OK) == -1);
	CHECK(access(fresh, F_OK) == 0);
	CHECK(access(self, F_OK) == 0);
}

/* mkdir -p for the test's trees; 0 or -1 */
static int
make_dirs(const char *path)
{
	char p[600], *s;

	snprintf(p, sizeof(p), "%s", path);
	for (s = p + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (mkdir(p, 0755) == -1 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return mkdir(p, 0755) == -1 && errno != EEXIST ? -1 : 0;
}

static int
put_file(const char *dir, const char *name)
{
	char p[700];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return write_text(p, name);
}

/*
 * The overlay carries a build tree's parts to where the lab tests look
 * for them: tests/lib.sh beside the lab's tests, the events tests'
 * the guests of guest/, tests/lab's programs, this xk.
 */
TEST(overlay_contents)
{
	const char *want[] = { "init", "usr/lib/xk-lab/shutdown",
	    "usr/share/xenkit/lab/guests/pv.cfg", "usr/lib/xk-lab/xk-agent",
	    "usr/lib/xk-lab/tests/t1-x.sh", "usr/lib/xk-lab/lib.sh",
	    "usr/lib/xk-lab/bin/prog",
	    "usr/lib/xk-lab/guests/xk-guest-tiny",
	    "usr/local/bin/xk", "./etc/added", NULL };
	char src[512], d[600], out[600], cmd[1400], list[4096] = "\n";
	struct xk_lab_parts parts;
	struct xk_error err = { 0 };
	size_t len;
	FILE *fp;

	snprintf(src, sizeof(src), "%s/ov", xk_test_tmpdir());
	snprintf(d, sizeof(d), "%s/share/guests", src);
	CHECK(make_dirs(d) == 0);
	CHECK(put_file(d, "pv.cfg") == 0);
	snprintf(d, sizeof(d), "%s/share", src);
	CHECK(put_file(d, "dom0-init") == 0 && put_file(d, "dom0-shutdown")
	    == 0);
	snprintf(d, sizeof(d), "%s/tests/lab", src);
	CHECK(make_dirs(d) == 0 && put_file(d, "t1-x.sh") == 0);
	snprintf(d, sizeof(d), "%s/tests", src);
	CHECK(put_file(d, "lib.sh") == 0);
	snprintf(d, sizeof(d), "%s/build/src", src);
	CHECK(make_dirs(d) == 0 && put_file(d, "xk-agent") == 0 &&
	    put_file(d, "xk") == 0);
	snprintf(d, sizeof(d), "%s/build/tests/lab", src);
	CHECK(make_dirs(d) == 0 && put_file(d, "prog") == 0);
	snprintf(d, sizeof(d), "%s/build/guest", src);
	CHECK(make_dirs(d) == 0 && put_file(d, "xk-guest-tiny") == 0);
	snprintf(d, sizeof(d), "%s/add/etc", src);
	CHECK(make_dirs(d) == 0 && put_file(d, "added") == 0);
	snprintf(parts.share, sizeof(parts.share), "%s/share", src);
	snprintf(parts.tests, sizeof(parts.tests), "%s/tests/lab", src);
	snprintf(parts.build, sizeof(parts.build), "%s/build", src);
	snprintf(parts.self, sizeof(parts.self), "%s/build/src/xk", src);
	snprintf(d, sizeof(d), "%s/add", src);
	snprintf(out, sizeof(out), "%s/overlay.cpio.gz", src);
	CHECK(xk_lab_overlay(&parts, d, out, &err) == 0);
	snprintf(cmd, sizeof(cmd), "zcat %s | cpio -it --quiet", out);
	fp = popen(cmd, "r");
	CHECK(fp != NULL);
	len = fread(list + 1, 1, sizeof(list) - 2, fp);
	list[len + 1] = '\0';
	CHECK_INT_EQ(pclose(fp), 0);
	for (int i = 0; want[i] != NULL; i++) {
		char line[128];

		snprintf(line, sizeof(line), "\n%s\n", want[i]);
		CHECK_STR_HAS(list, line);
	}
	/* the lab's own files are required: one missing says which */
	snprintf(d, sizeof(d), "%s/share/dom0-init", src);
	CHECK(unlink(d) == 0);
	CHECK(xk_lab_overlay(&parts, NULL, out, &err) == -1);
	CHECK_STR_HAS(err.msg, "dom0-init");
}

/* The console relays both ways until its input ends, or Ctrl-]. */
TEST(console_relay)
{
	struct xk_error err = { 0 };
	int in[2], out[2], sv[2];
	char buf[64];

	CHECK(pipe(in) == 0 && pipe(out) == 0);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(write(sv[1], "login: ", 7) == 7);
	CHECK(write(in[1], "root\n", 5) == 5);
	close(in[1]);
	CHECK(xk_lab_console_relay(sv[0], in[0], out[1], &err) == 0);
	close(in[0]);
	close(out[1]);
	CHECK(read(out[0], buf, sizeof(buf)) == 7 &&
	    memcmp(buf, "login: ", 7) == 0);
	CHECK(read(sv[1], buf, sizeof(buf)) == 5 &&
	    memcmp(buf, "root\n", 5) == 0);
	close(out[0]);
	close(sv[1]);
	/* Ctrl-] leaves at once: the chunk holding it goes nowhere */
	CHECK(pipe(in) == 0);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(write(in[1], "ls\x1d", 3) == 3);
	CHECK(xk_lab_console_relay(sv[0], in[0], 1, &err) == 0);
	CHECK(read(sv[1], buf, sizeof(buf)) == 0);
	close(in[0]);
	close(in[1]);
	close(sv[1]);
}
