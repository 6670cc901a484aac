/*
 * t4310-blkback - which disks of a Xen domain whose disks blkback
 * serves can be snapshotted with the domain paused
 * (xk_snap_pick_paused), and why not: no Xen needed, real files.
 */
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "harness.h"
#include "snapshot/snapshot.h"

#ifndef XFS_SUPER_MAGIC
#define XFS_SUPER_MAGIC 0x58465342
#endif

/* A disk as libxl would list it; strings owned by the caller. */
static struct xk_snap_disk
disk(char *path, char *format)
{
	struct xk_snap_disk d;

	memset(&d, 0, sizeof(d));
	d.vdev = (char *)(uintptr_t)"xvda";
	d.path = path;
	d.format = format;
	return d;
}

/* A 1 MiB raw file in the test's directory. */
static char *
raw_file(void)
{
	static char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/disk.raw", xk_test_tmpdir());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, 1 << 20) < 0)
		return NULL;
	close(fd);
	return path;
}

static bool
reflink_fs(const char *path)
{
	struct statfs fs;

	return statfs(path, &fs) == 0 && (fs.f_type == BTRFS_SUPER_MAGIC ||
	    fs.f_type == (typeof(fs.f_type))XFS_SUPER_MAGIC);
}

TEST(raw_file_without_reflinks_is_refused_with_what_works)
{
	struct xk_snap_env env = { 0 };
	char *p = raw_file();
	struct xk_snap_disk d;

	CHECK(p != NULL);
	d = disk(p, (char *)(uintptr_t)"raw");
	xk_snap_pick_paused(&env, &d, true);
	if (reflink_fs(p)) {
		CHECK(d.be == &xk_snap_reflink);
		return;
	}
	CHECK(d.be == NULL);
	CHECK_STR_HAS(d.why, "not on btrfs or XFS");
	CHECK_STR_HAS(d.why, "what works under blkback: LVM logical volumes");
	/* qcow2 needs QEMU: not advised for a blkback disk */
	CHECK(strstr(d.why, "qcow2") == NULL);
}

TEST(qcow2_is_refused_under_blkback)
{
	struct xk_snap_env env = { 0 };
	struct xk_snap_disk d = disk((char *)(uintptr_t)"/srv/a.qcow2",
	    (char *)(uintptr_t)"qcow2");

	/* picked by xk_snap_pick_backend, but it needs a device model */
	xk_snap_pick_backend(&env, &d);
	CHECK(d.be == &xk_snap_qcow2);
	xk_snap_pick_paused(&env, &d, true);
	CHECK(d.be == NULL);
	CHECK_STR_HAS(d.why, "/srv/a.qcow2 (qcow2) is served by blkback");
	CHECK_STR_HAS(d.why, "only LVM volumes and raw files on btrfs or XFS");
}

TEST(block_device_not_lvm_is_refused)
{
	struct xk_snap_env env = { 0 };
	struct xk_snap_disk d;

	if (access("/dev/null", F_OK) < 0)
		return;
	d = disk((char *)(uintptr_t)"/dev/null", (char *)(uintptr_t)"raw");
	xk_snap_pick_paused(&env, &d, true);
	CHECK(d.be == NULL);
	CHECK_STR_HAS(d.why, "/dev/null");
	CHECK_STR_HAS(d.why, "what works under blkback");
}

TEST(disk_not_served_by_blkback_is_refused)
{
	struct xk_snap_env env = { 0 };
	char *p = raw_file();
	struct xk_snap_disk d;

	CHECK(p != NULL);
	d = disk(p, (char *)(uintptr_t)"raw");
	xk_snap_pick_paused(&env, &d, false);
	CHECK(d.be == NULL);
	CHECK_STR_HAS(d.why, "is not served by blkback");
}

TEST(read_only_and_empty_disks_need_no_snapshot)
{
	struct xk_snap_env env = { 0 };
	char *p = raw_file();
	struct xk_snap_disk d;

	CHECK(p != NULL);
	d = disk(p, (char *)(uintptr_t)"raw");
	d.readonly = true;
	xk_snap_pick_paused(&env, &d, true);
	CHECK(d.be == NULL);
	CHECK_STR_HAS(d.why, "read-only");
	CHECK(strstr(d.why, "what works") == NULL);

	d = disk((char *)(uintptr_t)"", (char *)(uintptr_t)"empty");
	d.removable = d.empty = true;
	xk_snap_pick_paused(&env, &d, false);
	CHECK(d.be == NULL);
	CHECK_STR_HAS(d.why, "no medium");
}
