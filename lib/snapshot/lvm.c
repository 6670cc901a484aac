/*
 * lvm.c - LVM logical volumes (Xen's phy disks, or a QEMU host_device):
 * a snapshot is an LVM snapshot volume "LV_xkcN" next to the disk's
 * volume, made while the guest is stopped (it takes milliseconds).
 *
 * Thin volumes get thin snapshots (no size, any number, independent of
 * each other).  Classic volumes get classic copy-on-write snapshots
 * sized at a quarter of the volume (at least 8 MiB): a snapshot whose
 * exception store fills up becomes invalid, as LVM documents.
 *
 * Revert needs the domain stopped (blkback or QEMU holds the volume
 * open and would not see a volume swapped underneath it).  A thin
 * revert makes a thin snapshot of the snapshot and renames it into the
 * disk's name (the old volume goes); a classic revert copies the
 * snapshot's blocks back onto the volume (its other snapshots keep
 * theirs: LVM copies on write).  Either way the snapshot stays.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snapshot/backend.h"
#include "util/json.h"
#include "util/run.h"

struct lv {
	char vg[128], name[128], seg[32], attr[16];
	uint64_t size;
};

/* lvs about one volume (a path or VG/LV); -1 when it is not one. */
static int
lv_info(const char *what, struct lv *lv, struct xk_error *err)
{
	const char *argv[] = { "lvs", "--noheadings", "--nosuffix",
	    "--units", "b", "--separator", "|", "-o",
	    "vg_name,lv_name,segtype,lv_attr,lv_size", what, NULL };
	struct strbuf out = STRBUF_INIT;
	char *f[5], *p;
	int n = 0;

	if (xk_run_ok(argv, &out, err) < 0) {
		strbuf_free(&out);
		return -1;
	}
	p = out.buf;
	while (p != NULL && *p == ' ')
		p++;
	while (p != NULL && n < 5 && (f[n] = strsep(&p, "|")) != NULL)
		n++;
	if (n != 5) {
		xk_error_set(err, "lvs %s: unexpected output", what);
		strbuf_free(&out);
		return -1;
	}
	snprintf(lv->vg, sizeof(lv->vg), "%s", f[0]);
	snprintf(lv->name, sizeof(lv->name), "%s", f[1]);
	snprintf(lv->seg, sizeof(lv->seg), "%s", f[2]);
	snprintf(lv->attr, sizeof(lv->attr), "%s", f[3]);
	lv->size = strtoull(f[4], NULL, 10);
	strbuf_free(&out);
	return 0;
}

static bool
lv_exists(const char *vg, const char *name)
{
	char full[300];
	struct lv lv;

	snprintf(full, sizeof(full), "%s/%s", vg, name);
	return lv_info(full, &lv, NULL) == 0;
}

/* Run an LVM command: the arguments, NULL-terminated. */
static int lvm(struct xk_error *err, ...) __attribute__((sentinel));

static int
lvm(struct xk_error *err, ...)
{
	const char *argv[16];
	va_list ap;
	int n = 0;

	va_start(ap, err);
	while (n < 15 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	return xk_run_ok(argv, NULL, err);
}

/* "/dev/VG/LV" -> "VG/LV_xkTAG"; copy_name gives the /dev path. */
static void
lvm_copy_name(const char *path, const char *tag, char *buf, size_t len)
{
	snprintf(buf, len, "%s_xk%s", path, tag);
}

static int
lvm_probe(const struct xk_snap_env *env, const struct xk_snap_disk *d,
    struct xk_error *err)
{
	struct stat st;
	struct lv lv;

	(void)env;
	if (strcmp(d->format, "raw") != 0) {
		xk_error_set(err, "format %s: LVM snapshots are for raw "
		    "volumes", d->format);
		return -1;
	}
	/* "format ...": not the reason shown for a file (reflink's is) */
	if (stat(d->path, &st) < 0 || !S_ISBLK(st.st_mode)) {
		xk_error_set(err, "format raw: %s is not a block device (LVM "
		    "snapshots are for logical volumes)", d->path);
		return -1;
	}
	if (lv_info(d->path, &lv, NULL) < 0) {
		xk_error_set(err, "block device %s is not an LVM logical "
		    "volume (other block devices cannot be snapshotted)",
		    d->path);
		return -1;
	}
	if (strstr(lv.seg, "thin") == NULL && lv.attr[0] == 's') {
		xk_error_set(err, "%s is itself a snapshot volume", d->path);
		return -1;
	}
	return 0;
}

/* The snapshot's LV name: the last part of new_path. */
static const char *
snap_name(json_t *d)
{
	const char *p = strrchr(xk_jstr(d, "new_path"), '/');

	return p ? p + 1 : xk_jstr(d, "new_path");
}

/*
 * Before the freeze, ask lvs what create needs (each lvs takes a
 * while, seconds on a slow host): the freeze is then only lvcreate.
 * Kept in the plan's disk entries in memory (not journaled): a create
 * run again by repair asks lvs itself.
 */
static int
lvm_prepare(struct xk_snap_env *env, json_t *disks, struct xk_error *err)
{
	json_t *d;
	size_t i;

	(void)env;
	json_array_foreach(disks, i, d) {
		struct lv lv;

		if (lv_info(xk_jstr(d, "path"), &lv, err) < 0)
			return -1;
		if (lv_exists(lv.vg, snap_name(d))) {
			xk_error_set(err, "LVM volume %s/%s exists already",
			    lv.vg, snap_name(d));
			return -1;
		}
		json_object_set_new(d, "lv", json_pack("{s:s, s:s, s:s, s:I}",
		    "vg", lv.vg, "name", lv.name, "seg", lv.seg, "size",
		    (json_int_t)lv.size));
	}
	return 0;
}

static int
lvm_create(struct xk_snap_env *env, json_t *disks, struct xk_error *err)
{
	json_t *d;
	size_t i;

	(void)env;
	json_array_foreach(disks, i, d) {
		json_t *pre = json_object_get(d, "lv");
		char full[300], size[32];
		struct lv lv;

		if (pre != NULL) {	/* prepared: the snapshot is new */
			snprintf(lv.vg, sizeof(lv.vg), "%s", xk_jstr(pre, "vg"));
			snprintf(lv.name, sizeof(lv.name), "%s", xk_jstr(pre,
			    "name"));
			snprintf(lv.seg, sizeof(lv.seg), "%s", xk_jstr(pre,
			    "seg"));
			lv.size = (uint64_t)json_integer_value(json_object_get(
			    pre, "size"));
		} else if (lv_info(xk_jstr(d, "path"), &lv, err) < 0) {
			return -1;
		} else if (lv_exists(lv.vg, snap_name(d))) {
			continue;
		}
		snprintf(full, sizeof(full), "%s/%s", lv.vg, lv.name);
		snprintf(size, sizeof(size), "%llub", (unsigned long long)
		    (lv.size / 4 > (8u << 20) ? lv.size / 4 : 8u << 20));
		if (strcmp(lv.seg, "thin") == 0 ? lvm(err, "lvcreate", "-q",
		    "-s", "-n", snap_name(d), full, NULL) < 0 : lvm(err,
		    "lvcreate", "-q", "-s", "-L", size, "-n", snap_name(d),
		    full, NULL) < 0)
			return -1;
		xk_snap_fault(env, "lvm:lvcreate");
	}
	return 0;
}

static int
lvm_created(struct xk_snap_env *env, json_t *disks, struct xk_error *err)
{
	json_t *d;
	size_t i;

	(void)env;
	json_array_foreach(disks, i, d) {
		struct lv lv;

		if (lv_info(xk_jstr(d, "path"), &lv, err) < 0)
			return -1;
		if (!lv_exists(lv.vg, snap_name(d)))
			return 0;
	}
	return 1;
}

static int
remove_lv(const char *vg, const char *name, struct xk_error *err)
{
	char full[300];

	if (!lv_exists(vg, name))
		return 0;
	snprintf(full, sizeof(full), "%s/%s", vg, name);
	return lvm(err, "lvremove", "-q", "-f", full, NULL, NULL, NULL);
}

static int
lvm_abort_create(struct xk_snap_env *env, json_t *disks,
    struct xk_error *err)
{
	json_t *d;
	size_t i;

	json_array_foreach(disks, i, d) {
		struct lv lv;

		if (lv_info(xk_jstr(d, "path"), &lv, err) < 0 ||
		    remove_lv(lv.vg, snap_name(d), err) < 0)
			return -1;
		xk_snap_fault(env, "lvm:lvremove");
	}
	return 0;
}

static int
lvm_revert_prepare(struct xk_snap_env *env, json_t *d, struct xk_error *err)
{
	(void)d;
	if (env->qmp != NULL) {
		xk_error_set(err, "disk %s is an LVM volume: reverting it needs "
		    "the domain stopped", xk_jstr(d, "vdev"));
		return -1;
	}
	return 0;
}

/*
 * Copy the snapshot's blocks onto the volume (classic revert): only the
 * 4 KiB blocks that differ.  Every block written to an origin is first
 * copied into each of its snapshots' exception stores: writing the
 * whole volume would fill the store of the snapshot being read (a
 * quarter of the volume) and invalidate it halfway.  The blocks that
 * differ are the ones already in its store, so it takes no more.
 */
static int
copy_blocks(const char *src, const char *dst, struct xk_error *err)
{
	size_t bs = 1u << 20, blk = 4096;
	char *buf = malloc(bs), *cur = malloc(bs);
	int in = open(src, O_RDONLY | O_CLOEXEC);
	int out = open(dst, O_RDWR | O_CLOEXEC);
	ssize_t n, m = 0;
	off_t off = 0;
	int r = -1;

	if (buf == NULL || cur == NULL || in < 0 || out < 0) {
		xk_error_errno(err, errno, "open %s / %s", src, dst);
		goto out;
	}
	while ((n = pread(in, buf, bs, off)) > 0) {
		if ((m = pread(out, cur, (size_t)n, off)) != n) {
			xk_error_errno(err, m < 0 ? errno : EIO, "read %s at "
			    "%lld", dst, (long long)off);
			goto out;
		}
		for (size_t i = 0; i < (size_t)n; i += blk) {
			size_t len = (size_t)n - i < blk ? (size_t)n - i : blk;

			if (memcmp(buf + i, cur + i, len) == 0)
				continue;
			if (pwrite(out, buf + i, len, off + (off_t)i) !=
			    (ssize_t)len) {
				xk_error_errno(err, errno, "write %s at %lld",
				    dst, (long long)(off + (off_t)i));
				goto out;
			}
		}
		off += n;
	}
	if (n < 0 || fsync(out) < 0) {
		xk_error_errno(err, errno, "copy %s to %s at %lld", src, dst,
		    (long long)off);
		goto out;
	}
	r = 0;
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	free(buf);
	free(cur);
	return r;
}

/*
 * Thin revert, idempotent: NEW = snapshot of the snapshot; rename the
 * disk's volume to OLD, NEW to the disk's name; remove OLD.  The names
 * carry the plan's tag, so a rerun knows which renames are done.
 */
static int
thin_revert(struct lv *lv, json_t *d, struct xk_error *err)
{
	const char *snap = strrchr(xk_jstr(d, "target_path"), '/');
	char nw[160], old[160], full[300], from[300], to[300];

	snprintf(nw, sizeof(nw), "%s_xkn%s", lv->name, xk_jstr(d, "tag"));
	snprintf(old, sizeof(old), "%s_xko%s", lv->name, xk_jstr(d, "tag"));
	snprintf(full, sizeof(full), "%s/%s", lv->vg, snap ? snap + 1 : "");
	if (!lv_exists(lv->vg, old)) {
		snprintf(from, sizeof(from), "%s/%s", lv->vg, nw);
		/* thin snapshots skip activation by default: not this one */
		if (!lv_exists(lv->vg, nw) && lvm(err, "lvcreate", "-q", "-s",
		    "-n", nw, full, NULL) < 0)
			return -1;
		if (lvm(err, "lvchange", "-q", "-kn", from, NULL, NULL,
		    NULL) < 0)
			return -1;
		snprintf(from, sizeof(from), "%s/%s", lv->vg, lv->name);
		snprintf(to, sizeof(to), "%s/%s", lv->vg, old);
		if (lvm(err, "lvrename", "-q", from, to, NULL, NULL, NULL) < 0)
			return -1;
	}
	if (!lv_exists(lv->vg, lv->name)) {
		snprintf(from, sizeof(from), "%s/%s", lv->vg, nw);
		snprintf(to, sizeof(to), "%s/%s", lv->vg, lv->name);
		if (lvm(err, "lvrename", "-q", from, to, NULL, NULL, NULL) < 0 ||
		    lvm(err, "lvchange", "-q", "-ay", to, NULL) < 0)
			return -1;
	}
	return remove_lv(lv->vg, old, err);
}

static int
lvm_revert(struct xk_snap_env *env, json_t *d, struct xk_error *err)
{
	const char *path = xk_jstr(d, "path");
	struct lv lv = { 0 };
	const char *slash;

	if (env->qmp != NULL)
		return lvm_revert_prepare(env, d, err);
	/* the disk's name may be gone mid-rename: name it from the path */
	slash = strrchr(path, '/');
	if (lv_info(path, &lv, NULL) < 0) {
		char vgdir[256];

		snprintf(vgdir, sizeof(vgdir), "%.*s", (int)(slash - path),
		    path);
		snprintf(lv.vg, sizeof(lv.vg), "%s", strrchr(vgdir, '/') + 1);
		snprintf(lv.name, sizeof(lv.name), "%s", slash + 1);
		snprintf(lv.seg, sizeof(lv.seg), "thin");
	}
	if (lv.attr[5] == 'o') {
		xk_error_set(err, "LVM volume %s is open (is the domain still "
		    "running?)", path);
		return -1;
	}
	if ((strcmp(lv.seg, "thin") == 0 ? thin_revert(&lv, d, err) :
	    copy_blocks(xk_jstr(d, "target_path"), path, err)) < 0)
		return -1;
	xk_snap_fault(env, "lvm:revert");
	return 0;
}

static int
lvm_delete(struct xk_snap_env *env, json_t *d, struct xk_error *err)
{
	const char *p = xk_jstr(d, "path"), *slash = strrchr(p, '/');
	char vgdir[256];

	if (slash == NULL)
		return 0;
	snprintf(vgdir, sizeof(vgdir), "%.*s", (int)(slash - p), p);
	if (remove_lv(strrchr(vgdir, '/') ? strrchr(vgdir, '/') + 1 : vgdir,
	    slash + 1, err) < 0)
		return -1;
	xk_snap_fault(env, "lvm:lvremove");
	return 0;
}

const struct xk_snap_backend xk_snap_lvm = {
	.name = "lvm",
	.caps = XK_SNAP_CAP_LIVE | XK_SNAP_CAP_OFFLINE | XK_SNAP_CAP_TREE |
	    XK_SNAP_CAP_PAUSE | XK_SNAP_CAP_COPY,
	.probe = lvm_probe,
	.prepare = lvm_prepare,
	.create = lvm_create,
	.created = lvm_created,
	.abort_create = lvm_abort_create,
	.revert_prepare = lvm_revert_prepare,
	.revert = lvm_revert,
	.delete = lvm_delete,
	.copy_name = lvm_copy_name,
};
