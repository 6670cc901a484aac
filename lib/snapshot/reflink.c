/*
 * reflink.c - raw files on a file system with reflinks (btrfs, XFS):
 * a snapshot is a reflink copy (FICLONE) of the disk file, "FILE.xk-ID",
 * made in O(metadata) while the guest's vCPUs and I/O are stopped.
 * The disk keeps its file (and its format): nothing in the domain's
 * configuration changes.  Revert clones the copy back (over the file in
 * place while QEMU holds it, the vCPUs stopped; through a temporary file
 * and a rename when the domain is stopped); delete removes the copy.
 * Copies are independent of each other, so no delete ever merges.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "snapshot/backend.h"
#include "util/file.h"
#include "util/json.h"
#include "util/tempfile.h"

#ifndef XFS_SUPER_MAGIC
#define XFS_SUPER_MAGIC 0x58465342
#endif

/* Clone src into a new file dst (written under dst.tmp, then renamed). */
static int
clone_file(const char *src, const char *dst, struct xk_error *err)
{
	struct xk_tempfile t = XK_TEMPFILE_INIT;
	char tmp[4200];
	int in;

	/* a journaled name: recovery removes it by this name */
	snprintf(tmp, sizeof(tmp), "%s.tmp", dst);
	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		xk_error_errno(err, errno, "%s", src);
		return -1;
	}
	if (xk_tempfile_open_named(&t, dst, tmp, err) < 0) {
		close(in);
		return -1;
	}
	if (ioctl(t.fd, FICLONE, in) < 0) {
		xk_error_errno(err, errno, "reflink %s to %s", src, tmp);
		xk_tempfile_abort(&t, NULL);
		close(in);
		return -1;
	}
	close(in);
	return xk_tempfile_commit(&t, err);
}

/* Clone src over the contents of dst, in place (same inode). */
static int
clone_over(const char *src, const char *dst, struct xk_error *err)
{
	int in, out, r = 0;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		xk_error_errno(err, errno, "%s", src);
		return -1;
	}
	out = open(dst, O_WRONLY | O_CLOEXEC);
	if (out < 0 || ioctl(out, FICLONE, in) < 0 || fsync(out) < 0) {
		xk_error_errno(err, errno, "reflink %s over %s", src, dst);
		r = -1;
	}
	if (out >= 0)
		close(out);
	close(in);
	return r;
}

static int
reflink_probe(const struct xk_snap_env *env, const struct xk_snap_disk *d,
    struct xk_error *err)
{
	struct statfs fs;
	struct stat st;

	(void)env;
	if (strcmp(d->format, "raw") != 0) {
		xk_error_set(err, "format %s: reflink copies are for raw "
		    "files", d->format);
		return -1;
	}
	/* "format ...": not the reason shown for a block device */
	if (stat(d->path, &st) < 0 || !S_ISREG(st.st_mode)) {
		xk_error_set(err, "format raw: %s is not a regular file (a "
		    "block device needs LVM snapshots)", d->path);
		return -1;
	}
	if (statfs(d->path, &fs) < 0) {
		xk_error_errno(err, errno, "%s", d->path);
		return -1;
	}
	if (fs.f_type != BTRFS_SUPER_MAGIC &&
	    fs.f_type != (typeof(fs.f_type))XFS_SUPER_MAGIC) {
		xk_error_set(err, "raw file %s is not on btrfs or XFS, so it "
		    "cannot be reflinked", d->path);
		return -1;
	}
	return 0;
}

/* Nothing to do before the freeze: a reflink needs no preparation. */
static int
reflink_prepare(struct xk_snap_env *env, json_t *disks, struct xk_error *err)
{
	(void)env;
	(void)disks;
	(void)err;
	return 0;
}

/* The engine has stopped the vCPUs (and so drained I/O) around this. */
static int
reflink_create(struct xk_snap_env *env, json_t *disks, struct xk_error *err)
{
	json_t *d;
	size_t i;

	json_array_foreach(disks, i, d) {
		if (clone_file(xk_jstr(d, "path"), xk_jstr(d, "new_path"), err) < 0)
			return -1;
		xk_snap_fault(env, "reflink:copy");
	}
	return 0;
}

static int
reflink_created(struct xk_snap_env *env, json_t *disks, struct xk_error *err)
{
	json_t *d;
	size_t i;

	(void)env;
	(void)err;
	json_array_foreach(disks, i, d)
		if (access(xk_jstr(d, "new_path"), F_OK) < 0)
			return 0;
	return 1;
}

static int
reflink_abort_create(struct xk_snap_env *env, json_t *disks,
    struct xk_error *err)
{
	json_t *d;
	size_t i;

	json_array_foreach(disks, i, d) {
		char tmp[4200];

		snprintf(tmp, sizeof(tmp), "%s.tmp", xk_jstr(d, "new_path"));
		unlink(tmp);
		if (unlink(xk_jstr(d, "new_path")) < 0 && errno != ENOENT) {
			xk_error_errno(err, errno, "remove %s",
			    xk_jstr(d, "new_path"));
			return -1;
		}
		xk_snap_fault(env, "reflink:unlink");
	}
	return 0;
}

static int
reflink_revert_prepare(struct xk_snap_env *env, json_t *d,
    struct xk_error *err)
{
	(void)env;
	(void)d;
	(void)err;
	return 0;
}

/* Idempotent: cloning the copy again gives the same contents. */
static int
reflink_revert(struct xk_snap_env *env, json_t *d, struct xk_error *err)
{
	if ((env->qmp != NULL ? clone_over(xk_jstr(d, "target_path"),
	    xk_jstr(d, "path"), err) : clone_file(xk_jstr(d, "target_path"),
	    xk_jstr(d, "path"), err)) < 0)
		return -1;
	xk_snap_fault(env, "reflink:revert");
	return 0;
}

static int
reflink_delete(struct xk_snap_env *env, json_t *d, struct xk_error *err)
{
	if (unlink(xk_jstr(d, "path")) < 0 && errno != ENOENT) {
		xk_error_errno(err, errno, "remove %s", xk_jstr(d, "path"));
		return -1;
	}
	xk_snap_fault(env, "reflink:unlink");
	return xk_sync_parent_dir(xk_jstr(d, "path"), err);
}

const struct xk_snap_backend xk_snap_reflink = {
	.name = "reflink",
	.caps = XK_SNAP_CAP_LIVE | XK_SNAP_CAP_OFFLINE |
	    XK_SNAP_CAP_LIVE_REVERT | XK_SNAP_CAP_TREE | XK_SNAP_CAP_PAUSE |
	    XK_SNAP_CAP_COPY,
	.probe = reflink_probe,
	.prepare = reflink_prepare,
	.create = reflink_create,
	.created = reflink_created,
	.abort_create = reflink_abort_create,
	.revert_prepare = reflink_revert_prepare,
	.revert = reflink_revert,
	.delete = reflink_delete,
};
