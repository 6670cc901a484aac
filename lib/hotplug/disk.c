/*
 * disk.c - the whole of a block add in one process: the disk's lock,
 * the check that the backend still waits, the sharing check, a loop
 * device for a file, the nodes for blkback.  In shell each of these is
 * a process, and the lab showed the cost: under load every process
 * start is a second or more, and a lock held across four of them made
 * 40 read-only adds of one file take longer than libxl's 40 s.
 * Read-only adds take the disk's lock shared, so they do not wait for
 * each other at all; a read-write add takes it exclusive.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/loop.h>
#include <xenstore.h>

#include "hotplug/hotplug.h"

#define LOOP_TRIES	100	/* free loop devices taken by others first */

static void
on_alarm(int sig)
{
	(void)sig;	/* only to interrupt flock(2) */
}

/* Xen's with-lock-ex protocol: the lock is ours once the file we locked
 * is still the one at the path. */
int
xk_hp_lock(const char *dir, const char *name, bool shared, unsigned int secs,
    struct xk_error *err)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	char path[PATH_MAX];
	struct stat a, b;
	int fd, r;

	if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
		xk_error_errno(err, errno, "%s", dir);
		return -1;
	}
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path)) {
		xk_error_set(err, "%s/%s: path too long", dir, name);
		return -1;
	}
	sigaction(SIGALRM, &sa, NULL);
	for (;;) {
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd == -1) {
			xk_error_errno(err, errno, "%s", path);
			return -1;
		}
		alarm(secs);
		r = flock(fd, shared ? LOCK_SH : LOCK_EX);
		alarm(0);
		if (r == -1) {
			if (errno == EINTR)
				xk_error_set(err, "lock %s still held by "
				    "another script after %u s", name, secs);
			else
				xk_error_errno(err, errno, "flock %s", path);
			close(fd);
			return -1;
		}
		if (fstat(fd, &a) == 0 && stat(path, &b) == 0 &&
		    a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			return fd;
		close(fd);
	}
}

/* The last holder removes the file: a shared holder only when it can
 * take the lock exclusive at once (no one else holds it). */
void
xk_hp_unlock(const char *dir, const char *name, int fd)
{
	char path[PATH_MAX];
	struct stat a, b;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (flock(fd, LOCK_EX | LOCK_NB) == 0 && fstat(fd, &a) == 0 &&
	    stat(path, &b) == 0 && a.st_ino == b.st_ino &&
	    a.st_dev == b.st_dev)
		unlink(path);
	close(fd);
}

/* A free loop device set up on file: its number, or -1. */
static int
loop_setup(const char *file, bool ro, char *dev, size_t devlen,
    struct xk_error *err)
{
	struct loop_config cfg;
	int ctl, ffd, lfd = -1, n = -1, tries;

	ffd = open(file, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (ffd == -1) {
		xk_error_errno(err, errno, "%s", file);
		return -1;
	}
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl == -1) {
		xk_error_errno(err, errno, "/dev/loop-control");
		close(ffd);
		return -1;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.fd = ffd;
	cfg.info.lo_flags = ro ? LO_FLAGS_READ_ONLY : 0;
	snprintf((char *)cfg.info.lo_file_name, LO_NAME_SIZE, "%s", file);
	for (tries = 0; tries < LOOP_TRIES; tries++) {
		n = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (n < 0) {
			xk_error_errno(err, errno, "no free loop device");
			break;
		}
		snprintf(dev, devlen, "/dev/loop%d", n);
		lfd = open(dev, O_RDWR | O_CLOEXEC);
		if (lfd == -1) {
			xk_error_errno(err, errno, "%s", dev);
			n = -1;
			break;
		}
		if (ioctl(lfd, LOOP_CONFIGURE, &cfg) == 0)
			break;
		close(lfd);
		lfd = -1;
		if (errno != EBUSY) {
			xk_error_errno(err, errno, "%s: set up on %s", dev,
			    file);
			n = -1;
			break;
		}
		n = -1;		/* taken meanwhile: ask again */
	}
	if (n == -1 && tries == LOOP_TRIES)
		xk_error_set(err, "no loop device stayed free");
	if (lfd != -1)
		close(lfd);
	close(ctl);
	close(ffd);
	return n;
}

static void
loop_clear(const char *dev)
{
	int fd = open(dev, O_RDWR | O_CLOEXEC);

	if (fd != -1) {
		ioctl(fd, LOOP_CLR_FD, 0);
		close(fd);
	}
}

/* Everything under the lock: 0 attached, 1 refused (why set), -1. */
static int
locked_attach(struct xs_handle *xs, const char *base, const char *path,
    char mode, bool file, char *why, size_t whylen, struct xk_error *err)
{
	const char *names[] = { "physical-device", "physical-device-path",
	    "hotplug-status", "node" };
	const char *values[4];
	char dev[64], mm[32], *state;
	struct stat st;
	unsigned int len;
	char sp[PATH_MAX];
	int r;

	if (file) {
		snprintf(sp, sizeof(sp), "%s/state", base);
		state = xs_read(xs, XBT_NULL, sp, &len);
		r = state != NULL && strcmp(state, "2") == 0;
		if (!r)
			xk_error_set(err, "%s closed or removed during "
			    "hotplug add (state %s)", base,
			    state != NULL ? state : "none");
		free(state);
		if (!r)
			return -1;
	}
	if (mode != '!') {
		r = xk_hp_check_sharing(xs, base, path, mode, why, whylen,
		    err);
		if (r != 0)
			return r;
	}
	snprintf(dev, sizeof(dev), "%s", path);
	if (file && loop_setup(path, mode == 'r', dev, sizeof(dev),
	    err) == -1)
		return -1;
	if (stat(dev, &st) == -1) {
		xk_error_errno(err, errno, "%s", dev);
		return -1;
	}
	snprintf(mm, sizeof(mm), "%x:%x", major(st.st_rdev),
	    minor(st.st_rdev));
	values[0] = mm;
	values[1] = dev;
	values[2] = "connected";
	values[3] = dev;
	if (xk_hp_write(xs, base, names, values, file ? 4 : 3, err) == -1) {
		if (file)
			loop_clear(dev);
		return -1;
	}
	snprintf(why, whylen, "%s", dev);
	return 0;
}

int
xk_hp_attach_disk(struct xs_handle *xs, const char *base, const char *path,
    char mode, const char *lockdir, unsigned int secs, char *why,
    size_t whylen, struct xk_error *err)
{
	struct xk_hp_ident id;
	char name[80];
	struct stat st;
	int fd, r;

	if (stat(path, &st) == -1) {
		xk_error_errno(err, errno, "%s", path);
		return -1;
	}
	if (xk_hp_ident_path(path, &id, err) == -1)
		return -1;
	xk_hp_ident_name(&id, name, sizeof(name));
	fd = xk_hp_lock(lockdir, name, mode == 'r', secs, err);
	if (fd == -1)
		return -1;
	r = locked_attach(xs, base, path, mode, S_ISREG(st.st_mode), why,
	    whylen, err);
	xk_hp_unlock(lockdir, name, fd);
	return r;
}
