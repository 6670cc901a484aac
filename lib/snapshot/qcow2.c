/*
 * qcow2.c - the qcow2 backend: external overlays, live through QMP or
 * offline with qemu-img.
 *
 * A snapshot freezes the active image where it is and puts a new, empty
 * overlay next to it ("BASE.xk-ID", backing file "basename(frozen)");
 * the QMP transaction (blockdev-snapshot for every disk at once) is the
 * moment the guest's writes move to the overlays.  Revert puts a fresh
 * overlay ("BASE.xk-rID") over the snapshot's frozen image and drops
 * the old active one.  Delete streams the frozen image's data into its
 * only child (block-stream live, qemu-img rebase offline) before
 * removing it, so no other snapshot and not the current state ever
 * loses data.
 *
 * Files are never renamed while QEMU may have them open: QEMU reopens
 * a node by its file name (e.g. when blockdev-snapshot makes the old
 * top read-only, or block-stream makes a backing node writable), so a
 * renamed file would silently become another image.  Backing strings
 * are relative (all images of a disk live in one directory) and always
 * written by us.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "snapshot/backend.h"
#include "util/clock.h"
#include "util/file.h"
#include "util/json.h"
#include "util/run.h"
#include "util/strbuf.h"

#define QCOW2_MAGIC 0x514649fbu
#define EXT_BACKING_FORMAT 0xe2792acau

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static uint64_t
be64(const unsigned char *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

/*
 * Read the backing file name (and the backing format extension) from a
 * qcow2 header: offsets from QEMU's docs/interop/qcow2.txt.
 */
static int
qcow2_header(const char *path, char **backing, char **fmt,
    struct xk_error *err)
{
	unsigned char h[4096];
	uint64_t boff;
	uint32_t blen, hlen, version;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*backing = NULL;
	if (fmt != NULL)
		*fmt = NULL;
	if (fd < 0) {
		xk_error_errno(err, errno, "%s", path);
		return -1;
	}
	n = pread(fd, h, sizeof(h), 0);
	close(fd);
	if (n < 72 || be32(h) != QCOW2_MAGIC) {
		xk_error_set(err, "%s: not a qcow2 image", path);
		return -1;
	}
	version = be32(h + 4);
	boff = be64(h + 8);
	blen = be32(h + 16);
	hlen = version >= 3 && n >= 104 ? be32(h + 100) : 72;
	if (blen > 1023 || (boff != 0 && boff + blen > (uint64_t)n)) {
		xk_error_set(err, "%s: backing file name at offset %llu, "
		    "%u bytes: outside the first %zd bytes", path,
		    (unsigned long long)boff, blen, n);
		return -1;
	}
	*backing = strndup(boff ? (const char *)h + boff : "", boff ? blen :
	    0);
	/* header extensions follow the header, 8-byte aligned */
	for (uint64_t off = hlen; fmt != NULL && off + 8 <= (uint64_t)n;) {
		uint32_t magic = be32(h + off), len = be32(h + off + 4);

		if (magic == 0 || off + 8 + len > (uint64_t)n)
			break;
		if (magic == EXT_BACKING_FORMAT)
			*fmt = strndup((const char *)h + off + 8, len);
		off += 8 + ((len + 7) & ~7u);
	}
	if (*backing == NULL) {
		xk_error_errno(err, ENOMEM, "%s", path);
		return -1;
	}
	return 0;
}

static int
qcow2_size(const char *path, uint64_t *size, struct xk_error *err)
{
	unsigned char h[32];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		xk_error_errno(err, errno, "%s", path);
		return -1;
	}
	n = pread(fd, h, sizeof(h), 0);
	close(fd);
	if (n != (ssize_t)sizeof(h) || be32(h) != QCOW2_MAGIC) {
		xk_error_set(err, "%s: not a qcow2 image", path);
		return -1;
	}
	*size = be64(h + 24);
	return 0;
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* qemu-img create an empty overlay at path backed by backing (fmt). */
static int
make_overlay(struct xk_snap_env *env, const char *path, const char *backing,
    const char *fmt, uint64_t size, struct xk_error *err)
{
	char sz[32];
	const char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2",
	    "-u", "-F", fmt, "-b", base_name(backing), path, sz, NULL };

	snprintf(sz, sizeof(sz), "%llu", (unsigned long long)size);
	unlink(path);	/* a leftover of an interrupted try */
	if (xk_run_ok(argv, NULL, err) < 0)
		return -1;
	xk_snap_fault(env, "qcow2:overlay");
	return 0;
}

/* Remove path (gone already is fine): a fault point. */
static int
remove_file(struct xk_snap_env *env, const char *path, struct xk_error *err)
{
	if (unlink(path) < 0 && errno != ENOENT) {
		xk_error_errno(err, errno, "remove %s", path);
		return -1;
	}
	xk_snap_fault(env, "qcow2:unlink");
	return 0;
}

static bool
exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* The set of node names QEMU has now, as a JSON object name -> true. */
static json_t *
node_names(struct xk_snap_env *env, struct xk_error *err)
{
	json_t *r = xk_qmp_executef(env->qmp, env->timeout_ms, err,
	    "query-named-block-nodes", "{s:b}", "flat", 1);
	json_t *set, *n;
	size_t i;

	if (r == NULL)
		return NULL;
	set = json_object();
	json_array_foreach(r, i, n)
		json_object_set_new(set, xk_jstr(n, "node-name"), json_true());
	json_decref(r);
	return set;
}

/* blockdev-add a qcow2 node (and its file node) unless it exists. */
static int
add_node(struct xk_snap_env *env, json_t *have, const char *node,
    const char *file, bool ro, bool nobacking, struct xk_error *err)
{
	char fnode[64];
	json_t *args, *r;

	snprintf(fnode, sizeof(fnode), "%sf", node);
	if (json_object_get(have, fnode) == NULL) {
		r = xk_qmp_executef(env->qmp, env->timeout_ms, err,
		    "blockdev-add", "{s:s, s:s, s:s, s:b}", "driver", "file",
		    "node-name", fnode, "filename", file, "read-only", ro);
		if (r == NULL)
			return -1;
		json_decref(r);
	}
	if (json_object_get(have, node) != NULL)
		return 0;
	args = json_pack("{s:s, s:s, s:s, s:b}", "driver", "qcow2",
	    "node-name", node, "file", fnode, "read-only", ro);
	if (nobacking)
		json_object_set_new(args, "backing", json_null());
	r = xk_qmp_execute(env->qmp, "blockdev-add", args, env->timeout_ms,
	    err);
	if (r == NULL)
		return -1;
	json_decref(r);
	return 0;
}

static void
del_node(struct xk_snap_env *env, const char *node)
{
	char fnode[64];
	json_t *r;

	snprintf(fnode, sizeof(fnode), "%sf", node);
	r = xk_qmp_executef(env->qmp, env->timeout_ms, NULL, "blockdev-del",
	    "{s:s}", "node-name", node);
	json_decref(r);
	r = xk_qmp_executef(env->qmp, env->timeout_ms, NULL, "blockdev-del",
	    "{s:s}", "node-name", fnode);
	json_decref(r);
}

static int
qcow2_probe(const struct xk_snap_env *env, const struct xk_snap_disk *d,
    struct xk_error *err)
{
	if (strcmp(d->format, "qcow2") != 0) {
		xk_error_set(err, "format %s: the qcow2 backend needs qcow2 "
		    "(an overlay would change the disk's format)", d->format);
		return -1;
	}
	if (d->path[0] != '/') {
		xk_error_set(err, "%s is not a local file path", d->path);
		return -1;
	}
	return 0;
}

static int
qcow2_prepare(struct xk_snap_env *env, json_t *disks, struct xk_error *err)
{
	json_t *have = NULL, *d;
	size_t i;
	int r = 0;

	if (env->qmp != NULL && (have = node_names(env, err)) == NULL)
		return -1;
	json_array_foreach(disks, i, d) {
		const char *np = xk_jstr(d, "new_path");

		if ((r = make_overlay(env, np, xk_jstr(d, "frozen"), xk_jstr(d,
		    "format"), (uint64_t)xk_jint(d, "size"), err)) < 0)
			break;
		if ((r = xk_sync_parent_dir(np, err)) < 0)
			break;
		if (env->qmp != NULL && (r = add_node(env, have,
		    xk_jstr(d, "new_node"), np, false, true, err)) < 0)
			break;
	}
	json_decref(have);
	return r;
}

static int
qcow2_create(struct xk_snap_env *env, json_t *disks, struct xk_error *err)
{
	double t0;
	json_t *actions, *d, *r;
	size_t i;

	if (env->qmp == NULL)
		return 0;	/* stopped: the catalog update switches */
	actions = json_array();
	json_array_foreach(disks, i, d)
		json_array_append_new(actions, json_pack("{s:s, s:{s:s, s:s}}",
		    "type", "blockdev-snapshot", "data", "node", xk_jstr(d, "node"),
		    "overlay", xk_jstr(d, "new_node")));
	t0 = xk_mono_seconds();
	/* the freeze: QEMU drains I/O, switches every disk, resumes */
	r = xk_qmp_executef(env->qmp, env->timeout_ms, err, "transaction",
	    "{s:o}", "actions", actions);
	env->freeze_ms = (xk_mono_seconds() - t0) * 1e3;
	if (r == NULL)
		return -1;
	json_decref(r);
	return 0;
}

static int
qcow2_created(struct xk_snap_env *env, json_t *disks, struct xk_error *err)
{
	json_t *d;
	size_t i;

	json_array_foreach(disks, i, d) {
		if (env->qmp != NULL) {
			char *top = xk_snap_live_top(env->qmp, xk_jstr(d, "vdev"),
			    env->timeout_ms, err);
			bool done = top && strcmp(top, xk_jstr(d, "new_node")) == 0;

			free(top);
			/* one transaction: all disks or none */
			return done;
		}
		/*
		 * QEMU is gone: if the transaction happened, the guest wrote
		 * to the overlay, and if not, the overlay is empty and shows
		 * the frozen image: keeping it loses nothing either way.
		 */
		if (!exists(xk_jstr(d, "new_path")))
			return 0;
	}
	return 1;
}

static int
qcow2_abort_create(struct xk_snap_env *env, json_t *disks,
    struct xk_error *err)
{
	json_t *d;
	size_t i;

	json_array_foreach(disks, i, d) {
		const char *np = xk_jstr(d, "new_path");

		if (env->qmp != NULL)
			del_node(env, xk_jstr(d, "new_node"));
		if (remove_file(env, np, err) < 0)
			return -1;
	}
	return 0;
}

/*
 * Open the snapshot's frozen image (not in the device's chain) so that
 * it can become the backing node of the new overlay; target gets its
 * node name.  It is opened the way QEMU opens backing files (through a
 * scratch overlay "Z" whose backing it is): read-only, yet allowed to
 * become writable, which a later delete's block-stream needs.  A node
 * added directly is either read-only for good or takes the write lock,
 * which would keep its backing files from being opened elsewhere.
 */
static int
open_target(struct xk_snap_env *env, json_t *have, json_t *d, char *target,
    size_t len, struct xk_error *err)
{
	char z[64], zpath[4200];
	json_t *chain;
	int rc = -1;

	snprintf(z, sizeof(z), "xkz%lld", (long long)xk_jint(d, "target_id"));
	snprintf(zpath, sizeof(zpath), "%s.z", xk_jstr(d, "new_path"));
	if (json_object_get(have, z) == NULL &&
	    (make_overlay(env, zpath, xk_jstr(d, "target_path"), xk_jstr(d,
	    "target_format"), (uint64_t)xk_jint(d, "size"), err) < 0 ||
	    add_node(env, have, z, zpath, true, false, err) < 0))
		goto out;
	if ((chain = xk_snap_live_chain(env->qmp, z, env->timeout_ms,
	    err)) == NULL)
		goto out;
	if (json_array_size(chain) < 2) {
		xk_error_set(err, "%s: QEMU did not open its backing file %s",
		    zpath, xk_jstr(d, "target_path"));
	} else {
		snprintf(target, len, "%s", json_string_value(
		    json_array_get(chain, 1)));
		rc = 0;
	}
	json_decref(chain);
out:
	/* QEMU holds it open if it needs it */
	if (remove_file(env, zpath, rc < 0 ? NULL : err) < 0)
		rc = -1;
	return rc;
}

/* Switch the live device from its top node to new_node over target. */
static int
live_switch(struct xk_snap_env *env, json_t *d, struct xk_error *err)
{
	const char *node = xk_jstr(d, "new_node"), *old = xk_jstr(d, "old_node");
	char *top = NULL, target[64], fnode[64];
	json_t *have = NULL, *chain = NULL, *r;
	json_int_t pos = xk_jint(d, "target_pos");
	int rc = -1;

	top = xk_snap_live_top(env->qmp, xk_jstr(d, "vdev"), env->timeout_ms,
	    err);
	if (top == NULL || (have = node_names(env, err)) == NULL)
		goto out;
	if (strcmp(top, node) != 0) {
		/* step 1: the new overlay goes on top (over the old top) */
		if (add_node(env, have, node, xk_jstr(d, "new_path"), false,
		    true, err) < 0)
			goto out;
		r = xk_qmp_executef(env->qmp, env->timeout_ms, err,
		    "blockdev-snapshot", "{s:s, s:s}", "node", top, "overlay",
		    node);
		if (r == NULL)
			goto out;
		json_decref(r);
		xk_snap_fault(env, "switch:1");
	}
	/*
	 * step 2: its backing becomes the snapshot's image.  An earlier,
	 * interrupted run may have done step 1 only: then the backing is
	 * still the old top, which the plan names.
	 */
	if ((chain = xk_snap_live_chain(env->qmp, node, env->timeout_ms,
	    err)) == NULL)
		goto out;
	if (strcmp(top, node) == 0 && json_array_size(chain) > 1 &&
	    strcmp(json_string_value(json_array_get(chain, 1)), old) != 0) {
		rc = 0;		/* both steps done before */
		goto out;
	}
	if (pos >= 0 && (size_t)pos + 1 < json_array_size(chain)) {
		snprintf(target, sizeof(target), "%s",
		    json_string_value(json_array_get(chain, (size_t)pos + 1)));
	} else if (open_target(env, have, d, target, sizeof(target), err) <
	    0) {
		goto out;
	}
	snprintf(fnode, sizeof(fnode), "%sf", node);
	r = xk_qmp_executef(env->qmp, env->timeout_ms, err, "blockdev-reopen",
	    "{s:[{s:s, s:s, s:s, s:s}]}", "options", "driver", "qcow2",
	    "node-name", node, "file", fnode, "backing", target);
	if (r == NULL)
		goto out;
	json_decref(r);
	rc = 0;
out:
	json_decref(have);
	json_decref(chain);
	free(top);
	return rc;
}

static int
qcow2_revert_prepare(struct xk_snap_env *env, json_t *d,
    struct xk_error *err)
{
	(void)env;
	if (make_overlay(env, xk_jstr(d, "new_path"), xk_jstr(d, "target_path"),
	    xk_jstr(d, "target_format"), (uint64_t)xk_jint(d, "size"), err) < 0)
		return -1;
	return xk_sync_parent_dir(xk_jstr(d, "new_path"), err);
}

/* Switch (live; stopped: the catalog switches) and drop the old image. */
static int
qcow2_revert(struct xk_snap_env *env, json_t *d, struct xk_error *err)
{
	const char *old = xk_jstr(d, "path");

	if (env->qmp != NULL) {
		if (live_switch(env, d, err) < 0)
			return -1;
	}
	/* QEMU may keep the file open until the engine prunes its node */
	/* the state since the snapshot: discarded, as revert means */
	return remove_file(env, old, err);
}

/* Has the child already been rebased off the image being deleted? */
static int
merged(json_t *d, struct xk_error *err)
{
	char *b;
	int r;

	if (qcow2_header(xk_jstr(d, "child_path"), &b, NULL, err) < 0)
		return -1;
	r = strcmp(b, base_name(xk_jstr(d, "path"))) != 0;
	free(b);
	return r;
}

static bool
job_running(struct xk_snap_env *env, const char *job)
{
	json_t *r = xk_qmp_execute(env->qmp, "query-block-jobs", NULL,
	    env->timeout_ms, NULL), *j;
	bool found = false;
	size_t i;

	json_array_foreach(r, i, j)
		found = found || strcmp(xk_jstr(j, "device"), job) == 0;
	json_decref(r);
	return found;
}

static int
stream_live(struct xk_snap_env *env, json_t *d, struct xk_error *err)
{
	json_int_t cpos = xk_jint(d, "child_pos");
	char *top, job[64];
	json_t *chain, *args, *r;
	const char *backing = xk_jstr(d, "backing");
	int rc = -1;

	top = xk_snap_live_top(env->qmp, xk_jstr(d, "vdev"), env->timeout_ms,
	    err);
	if (top == NULL)
		return -1;
	chain = xk_snap_live_chain(env->qmp, top, env->timeout_ms, err);
	free(top);
	if (chain == NULL)
		return -1;
	if ((size_t)cpos + 1 >= json_array_size(chain)) {
		xk_error_set(err, "disk %s: the live chain has %zu images, "
		    "expected more than %lld", xk_jstr(d, "vdev"),
		    json_array_size(chain), (long long)cpos + 1);
		goto out;
	}
	snprintf(job, sizeof(job), "xks%lld", (long long)xk_jint(d, "image_id"));
	if (job_running(env, job)) {
		/* started by an interrupted run: QEMU kept it going */
		rc = xk_qmp_wait_job(env->qmp, job, 3600 * 1000, err);
		goto out;
	}
	args = json_pack("{s:s, s:s}", "job-id", job, "device",
	    json_string_value(json_array_get(chain, (size_t)cpos)));
	if (backing[0] != '\0') {
		json_object_set_new(args, "base-node", json_copy(
		    json_array_get(chain, (size_t)cpos + 2)));
		json_object_set_new(args, "backing-file", json_string(backing));
	}
	r = xk_qmp_execute(env->qmp, "block-stream", args, env->timeout_ms,
	    err);
	if (r == NULL)
		goto out;
	json_decref(r);
	/* streaming copies data: allow it far more than one command */
	rc = xk_qmp_wait_job(env->qmp, job, 3600 * 1000, err);
out:
	json_decref(chain);
	return rc;
}

static int
qcow2_delete(struct xk_snap_env *env, json_t *d, struct xk_error *err)
{
	const char *action = xk_jstr(d, "action"), *path = xk_jstr(d, "path");

	if (strcmp(action, "keep") == 0)
		return 0;
	if (strcmp(action, "merge") == 0 && exists(path)) {
		int m = merged(d, err);

		if (m < 0)
			return -1;
		if (m == 0 && env->qmp != NULL && xk_jint(d, "child_pos") >= 0) {
			if (stream_live(env, d, err) < 0)
				return -1;
		} else if (m == 0) {
			const char *argv[] = { "qemu-img", "rebase", "-q",
			    "-f", "qcow2", "-F", xk_jstr(d, "backing_format"),
			    "-b", xk_jstr(d, "backing"), xk_jstr(d, "child_path"),
			    NULL };

			if (xk_jstr(d, "backing")[0] == '\0') {
				argv[5] = "-b";	/* no base: no -F */
				argv[6] = "";
				argv[7] = xk_jstr(d, "child_path");
				argv[8] = NULL;
			}
			if (xk_run_ok(argv, NULL, err) < 0)
				return -1;
			xk_snap_fault(env, "qcow2:rebase");
		}
	}
	if (remove_file(env, path, err) < 0)
		return -1;
	return xk_sync_parent_dir(path, err);
}

/* Backing format of a qcow2 image ("raw" when the header is silent). */
static char *
backing_format(const char *path, struct xk_error *err)
{
	char *b, *f;

	if (qcow2_header(path, &b, &f, err) < 0)
		return NULL;
	free(b);
	return f ? f : strdup("raw");
}

/* A merge (delete) needs the image's backing file and its format. */
static int
qcow2_plan_merge(json_t *d, struct xk_error *err)
{
	char *backing = NULL, *bfmt = NULL;
	int r = -1;

	if (qcow2_header(xk_jstr(d, "path"), &backing, NULL, err) < 0 ||
	    (backing[0] != '\0' && (bfmt = backing_format(xk_jstr(d, "path"),
	    err)) == NULL))
		goto out;
	json_object_set_new(d, "backing", json_string(backing));
	json_object_set_new(d, "backing_format", json_string(bfmt ? bfmt :
	    ""));
	r = 0;
out:
	free(backing);
	free(bfmt);
	return r;
}

const struct xk_snap_backend xk_snap_qcow2 = {
	.name = "qcow2",
	.caps = XK_SNAP_CAP_LIVE | XK_SNAP_CAP_OFFLINE |
	    XK_SNAP_CAP_LIVE_REVERT | XK_SNAP_CAP_TREE,
	.probe = qcow2_probe,
	.prepare = qcow2_prepare,
	.create = qcow2_create,
	.created = qcow2_created,
	.abort_create = qcow2_abort_create,
	.revert_prepare = qcow2_revert_prepare,
	.revert = qcow2_revert,
	.delete = qcow2_delete,
	.image_format = "qcow2",
	.size = qcow2_size,
	.plan_merge = qcow2_plan_merge,
};
