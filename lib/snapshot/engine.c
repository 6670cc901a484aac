/*
 * engine.c - the core of the snapshot engine: the context, the journal,
 * fault points, catalog reads, the domain's run state, and what follows
 * an operation's commit.  Backends (qcow2.c, ...) move the data; the
 * engine decides what moves where and records it.  See snapshot.h for
 * the journal protocol, engine.h for how the engine's files divide.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "snapshot/engine.h"
#include "util/json.h"
#include "util/run.h"
#include "util/strbuf.h"

#define QMP_TIMEOUT_MS 10000

const struct xk_snap_backend *
snap_backend_of(json_t *disk)
{
	const struct xk_snap_backend *be = xk_snap_backend_named(xk_jstr(disk,
	    "backend"));

	/* plans from before backends were named had the first one only */
	return be ? be : xk_snap_backends[0];
}

/* The plan's disks that backend be handles (a new array). */
json_t *
snap_group(json_t *disks, const struct xk_snap_backend *be)
{
	json_t *g = json_array(), *d;
	size_t i;

	json_array_foreach(disks, i, d)
		if (snap_backend_of(d) == be)
			json_array_append(g, d);
	return g;
}

bool
xk_snap_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 64 || name[0] == '-' || name[0] == '.')
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+:-") == n;
}

void
snap_note(struct xk_snap_ctx *ctx, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(ctx->notes, json_string(buf));
}

/*
 * Without --qmp, DOMAIN may be a running Xen domain: then its device
 * model's QMP socket (and libxl's lock) is where its disks are.  A Xen
 * domain running without a device model has only blkback disks: xk
 * pauses it around a create (freeze_blkback) and reverts it only when
 * stopped.  Anywhere else (no Xen, domain not running) the domain is
 * stopped.
 */
static int
xen_device_model(struct xk_snap_ctx *ctx, const char **qmp,
    const char **lock, struct xk_error *err)
{
	(void)err;
	if (xk_snap_xen_find(ctx->domain, &ctx->xen, NULL) != 1)
		return 0;
	if (!ctx->xen.has_qmp) {
		ctx->blkback = true;
		snap_note(ctx, "Xen domain %s: domid %u, no device model (its "
		    "disks are served by blkback)", ctx->domain,
		    ctx->xen.domid);
		return 0;
	}
	*qmp = ctx->xen.qmp;
	*lock = ctx->xen.lock;
	ctx->qmp_path = strdup(*qmp);
	snap_note(ctx, "Xen domain %s: domid %u, device model %s", ctx->domain,
	    ctx->xen.domid, *qmp);
	return 0;
}

int
xk_snap_open(struct xk_snap_ctx *ctx, const char *catalog,
    const char *domain, const char *qmp_path, const char *qmp_lock,
    bool modify, struct xk_error *err)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->lockfd = -1;
	ctx->env.timeout_ms = QMP_TIMEOUT_MS;
	ctx->notes = json_array();
	ctx->domain = strdup(domain);
	if (qmp_path != NULL)
		ctx->qmp_path = strdup(qmp_path);
	if ((ctx->cat = xk_catalog_open(catalog, err)) == NULL)
		goto fail;
	if (modify) {
		char lock[4096];

		snprintf(lock, sizeof(lock), "%s.lock", catalog);
		ctx->lockfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (ctx->lockfd < 0) {
			xk_error_errno(err, errno, "lock %s", lock);
			goto fail;
		}
		if (flock(ctx->lockfd, LOCK_EX | LOCK_NB) < 0) {
			xk_error_errno(err, errno, "lock %s: another xk "
			    "snapshot operation is running", lock);
			goto fail;
		}
	}
	if ((ctx->domid = xk_catalog_domain(ctx->cat, domain, false,
	    err)) < 0)
		goto fail;
	if (modify && qmp_path == NULL && xen_device_model(ctx, &qmp_path,
	    &qmp_lock, err) < 0)
		goto fail;
	if (qmp_path != NULL && (ctx->env.qmp = xk_qmp_connect(qmp_path,
	    qmp_lock, ctx->env.timeout_ms, err)) == NULL)
		goto fail;
	snap_watch_qmp(ctx);
	return 0;
fail:
	xk_snap_close(ctx);
	return -1;
}

void
xk_snap_close(struct xk_snap_ctx *ctx)
{
	xk_qmp_close(ctx->env.qmp);
	xk_catalog_close(ctx->cat);
	if (ctx->lockfd >= 0)
		close(ctx->lockfd);
	json_decref(ctx->notes);
	free(ctx->domain);
	free(ctx->qmp_path);
	memset(ctx, 0, sizeof(*ctx));
	ctx->lockfd = -1;
}

/*
 * The answer to every QMP command that changes something is a fault
 * point "qmp:CMD"; a query is no effect, so no new window.
 */
static void
qmp_fault(void *arg, const char *cmd)
{
	char point[96];

	if (strncmp(cmd, "query-", 6) == 0 ||
	    strncmp(cmd, "x-debug-query-", 14) == 0)
		return;
	snprintf(point, sizeof(point), "qmp:%s", cmd);
	xk_snap_fault(arg, point);
}

void
snap_watch_qmp(struct xk_snap_ctx *ctx)
{
	if (ctx->env.qmp != NULL)
		xk_qmp_set_reply_hook(ctx->env.qmp, qmp_fault, &ctx->env);
}

int
snap_journal_start(struct xk_snap_ctx *ctx, const char *op, const char *snap,
    json_t *plan, struct xk_error *err)
{
	char *text = json_dumps(plan, JSON_COMPACT);
	int r;

	if (text == NULL) {
		xk_error_errno(err, ENOMEM, "journal");
		return -1;
	}
	r = xk_catalog_exec(ctx->cat, err, "INSERT INTO journal (domain, op, "
	    "snapshot, step, started, pid, plan) VALUES (?, ?, ?, 1, ?, ?, "
	    "?)", "issiis", ctx->domid, op, snap, (int64_t)time(NULL),
	    (int64_t)getpid(), text);
	free(text);
	return r < 0 ? -1 : 0;
}

int
snap_journal_step(struct xk_snap_ctx *ctx, const char *op, int step,
    struct xk_error *err)
{
	if (xk_catalog_exec(ctx->cat, err, "UPDATE journal SET step = ? "
	    "WHERE domain = ?", "ii", (int64_t)step, ctx->domid) < 0)
		return -1;
	xk_snap_fault_step(&ctx->env, op, step);
	return 0;
}

/* The step of the journal row, inside the caller's transaction. */
int
snap_journal_mark(struct xk_snap_ctx *ctx, int step, struct xk_error *err)
{
	return xk_catalog_exec(ctx->cat, err, "UPDATE journal SET step = ? "
	    "WHERE domain = ?", "ii", (int64_t)step, ctx->domid) < 0 ? -1 : 0;
}

int
snap_journal_end(struct xk_snap_ctx *ctx, struct xk_error *err)
{
	return xk_catalog_exec(ctx->cat, err, "DELETE FROM journal WHERE "
	    "domain = ?", "i", ctx->domid) < 0 ? -1 : 0;
}

/* The pending journal row, or NULL (json null on error: see err). */
json_t *
snap_journal_get(struct xk_snap_ctx *ctx, struct xk_error *err)
{
	json_t *rows = xk_catalog_query(ctx->cat, err, "SELECT op, snapshot, "
	    "step, started, pid, plan FROM journal WHERE domain = ?", "i",
	    ctx->domid);
	json_t *row;

	if (rows == NULL)
		return json_null();
	row = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	return row;
}

json_t *
snap_row(struct xk_snap_ctx *ctx, const char *name, struct xk_error *err)
{
	json_t *rows = xk_catalog_query(ctx->cat, err, "SELECT * FROM "
	    "snapshot WHERE domain = ? AND name = ?", "is", ctx->domid, name);
	json_t *row;

	if (rows == NULL)
		return NULL;
	row = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	if (row == NULL && ctx->domid <= 0)
		xk_error_set(err, "no domain %s in the catalog %s (it has no "
		    "snapshots)", ctx->domain, xk_catalog_path(ctx->cat));
	else if (row == NULL)
		xk_error_set(err, "domain %s has no snapshot %s", ctx->domain,
		    name);
	return row;
}

json_t *
snap_active_image(struct xk_snap_ctx *ctx, const char *vdev,
    struct xk_error *err)
{
	json_t *rows = xk_catalog_query(ctx->cat, err, "SELECT * FROM image "
	    "WHERE domain = ? AND vdev = ? AND active = 1", "is", ctx->domid,
	    vdev);
	json_t *row;

	if (rows == NULL)
		return NULL;
	row = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	if (row == NULL)
		xk_error_set(err, "domain %s: disk %s has no active image in "
		    "the catalog", ctx->domain, vdev);
	return row;
}

/* Position of image id in the chain that starts at the active image. */
json_int_t
snap_chain_pos(struct xk_snap_ctx *ctx, json_int_t active, json_int_t id,
    struct xk_error *err)
{
	json_int_t cur = active;

	for (json_int_t pos = 0; cur != 0 && pos < 100000; pos++) {
		json_t *rows;

		if (cur == id)
			return pos;
		rows = xk_catalog_query(ctx->cat, err, "SELECT parent FROM "
		    "image WHERE id = ?", "i", (int64_t)cur);
		if (rows == NULL)
			return -2;
		cur = xk_jint(json_array_get(rows, 0), "parent");
		json_decref(rows);
	}
	return -1;
}

/*
 * The name of a new image of the disk whose active image is at path:
 * the original file name with ".xk-TAG" in place of any such suffix.
 */
void
snap_image_name(char *buf, size_t len, const char *path, const char *tag)
{
	const char *slash = strrchr(path, '/');
	const char *mark = strstr(slash ? slash : path, ".xk-");
	int keep = mark ? (int)(mark - path) : (int)strlen(path);

	snprintf(buf, len, "%.*s.xk-%s", keep, path, tag);
}

/*
 * libxl takes the device model's QMP lock itself: xk lets go of QEMU
 * around every libxl call, and talks to it again after.
 */
void
snap_qmp_release(struct xk_snap_ctx *ctx)
{
	xk_qmp_close(ctx->env.qmp);
	ctx->env.qmp = NULL;
}

int
snap_qmp_reattach(struct xk_snap_ctx *ctx, struct xk_error *err)
{
	if (ctx->env.qmp != NULL || ctx->qmp_path == NULL)
		return 0;
	ctx->env.qmp = xk_qmp_connect(ctx->qmp_path, ctx->xen.lock[0] ?
	    ctx->xen.lock : NULL, ctx->env.timeout_ms, err);
	snap_watch_qmp(ctx);
	return ctx->env.qmp == NULL ? -1 : 0;
}

/* A memory create's domain, left suspended by its save: let it go on. */
int
snap_xen_resume(struct xk_snap_ctx *ctx, json_t *plan, struct xk_error *err)
{
	uint32_t domid = (uint32_t)xk_jint(plan, "xen_domid");
	int s, r = 0;

	if (json_object_get(plan, "memory") == NULL)
		return 0;
	if ((s = xk_snap_xen_suspended(domid, err)) <= 0)
		return s;
	snap_qmp_release(ctx);
	if (xk_snap_xen_resume(domid, err) < 0)
		r = -1;
	if (snap_qmp_reattach(ctx, r < 0 ? NULL : err) < 0)
		r = -1;
	return r;
}

/*
 * A domain whose disks blkback serves, paused by a create
 * (freeze_blkback): let it go on.  Only when it is still that domain
 * (its UUID) and paused: called again by repair, it does nothing.
 */
int
snap_xen_unpause(struct xk_snap_ctx *ctx, json_t *plan, struct xk_error *err)
{
	uint32_t domid = (uint32_t)xk_jint(plan, "xen_pause");
	int p;

	if (json_object_get(plan, "xen_pause") == NULL)
		return 0;
	if ((p = xk_snap_xen_paused(domid, xk_jstr(plan, "xen_uuid"),
	    err)) <= 0)
		return p;
	if (xk_snap_xen_unpause(domid, err) < 0)
		return -1;
	snap_note(ctx, "Xen domain %s (domid %u) unpaused", ctx->domain, domid);
	return 0;
}

/* Let a guest we stopped run again (it ran when the plan was made). */
void
snap_resume(struct xk_snap_ctx *ctx, json_t *plan)
{
	if (ctx->env.qmp == NULL || strcmp(xk_jstr(plan, "vmstate"),
	    "running") != 0 || strcmp(snap_vm_status(ctx), "paused") != 0)
		return;
	json_decref(xk_qmp_execute(ctx->env.qmp, "cont", NULL,
	    ctx->env.timeout_ms, NULL));
}

const char *
snap_vm_status(struct xk_snap_ctx *ctx)
{
	json_t *r;
	static const char *const states[] = { "running", "paused",
	    "prelaunch", "inmigrate", "postmigrate", "suspended",
	    "shutdown", "guest-panicked", "io-error", "watchdog" };
	const char *s;

	if (ctx->blkback)
		return xk_snap_xen_paused(ctx->xen.domid, ctx->xen.uuid,
		    NULL) == 1 ? "paused" : "running";
	if (ctx->env.qmp == NULL)
		return "stopped";
	r = xk_qmp_execute(ctx->env.qmp, "query-status", NULL,
	    ctx->env.timeout_ms, NULL);
	s = json_string_value(json_object_get(r, "status"));
	for (size_t i = 0; s != NULL && i < sizeof(states) / sizeof(*states);
	    i++)
		if (strcmp(s, states[i]) == 0) {
			json_decref(r);
			return states[i];
		}
	json_decref(r);
	return "unknown";
}

/*
 * Without QEMU we change files directly: refuse when a QEMU still has
 * one of the domain's active images open for writing (its image lock
 * says so; qemu-img info without -U asks for it).
 */
int
snap_offline_guard(struct xk_snap_ctx *ctx, struct xk_error *err)
{
	json_t *rows, *r;
	size_t i;
	int rc = 0;

	rows = xk_catalog_query(ctx->cat, err, "SELECT vdev, path, format "
	    "FROM image WHERE domain = ? AND active = 1", "i", ctx->domid);
	if (rows == NULL)
		return -1;
	json_array_foreach(rows, i, r) {
		const char *argv[] = { "qemu-img", "info", "-f",
		    xk_jstr(r, "format"), xk_jstr(r, "path"), NULL };
		struct xk_error e = { 0 };

		if (xk_run_ok(argv, NULL, &e) == 0)
			continue;
		if (strstr(e.msg, "lock") != NULL)
			xk_error_set(err, "domain %s: disk %s (%s) is in use by "
			    "a running QEMU: give its QMP socket with --qmp",
			    ctx->domain, xk_jstr(r, "vdev"), xk_jstr(r, "path"));
		else
			xk_error_set(err, "domain %s: disk %s: %s", ctx->domain,
			    xk_jstr(r, "vdev"), e.msg);
		rc = -1;
		break;
	}
	json_decref(rows);
	return rc;
}

json_t *
snap_disks_of(struct xk_snap_ctx *ctx, json_int_t snap, struct xk_error *err)
{
	return xk_catalog_query(ctx->cat, err, "SELECT sd.vdev AS vdev, "
	    "i.id AS id, i.path AS path, i.format AS format, i.backend AS "
	    "backend, i.parent AS parent FROM snapshot_disk sd JOIN image i "
	    "ON i.id = sd.image WHERE sd.snapshot = ? ORDER BY sd.vdev", "i",
	    (int64_t)snap);
}

/*
 * Close the block nodes xenkit opened (all named "xk...") that nothing
 * uses any more: no device, node or job above them in QEMU's block
 * graph.  Found by what they are, not by their names' shape: whatever
 * an interrupted run left open (a file node whose format node was
 * closed, a scratch overlay) goes too.  Closing a format node leaves
 * its file node unused, closed in the next pass.  Returns how many
 * were closed, -1 when QEMU cannot be asked; a node QEMU refuses to
 * close is noted and left.
 */
int
snap_prune_nodes(struct xk_snap_ctx *ctx, struct xk_error *err)
{
	int closed = 0;

	if (ctx->env.qmp == NULL)
		return 0;
	for (int pass = 0; pass < 16; pass++) {
		json_t *u = xk_snap_live_unused(ctx->env.qmp, "xk",
		    ctx->env.timeout_ms, err), *n;
		int before = closed;
		size_t i;

		if (u == NULL)
			return -1;
		json_array_foreach(u, i, n) {
			struct xk_error e = { 0 };
			json_t *x = xk_qmp_executef(ctx->env.qmp,
			    ctx->env.timeout_ms, &e, "blockdev-del", "{s:s}",
			    "node-name", json_string_value(n));

			if (x == NULL)
				snap_note(ctx, "block node %s left open: %s",
				    json_string_value(n), e.msg);
			else
				closed++;
			json_decref(x);
		}
		json_decref(u);
		if (closed == before)
			break;
	}
	return closed;
}

/*
 * Remove images nothing needs any more: no snapshot, not active, no
 * image backed by them (a shared image left by a delete, once its
 * branches are gone).  File first, then row: a crash in between leaves
 * a row whose file is already gone, which the next pass removes.
 */
void
snap_gc_images(struct xk_snap_ctx *ctx)
{
	json_t *rows, *r;
	size_t i;

	for (int pass = 0; pass < 64; pass++) {
		rows = xk_catalog_query(ctx->cat, NULL, "SELECT id, path, "
		    "backend FROM image i WHERE domain = ? AND active = 0 AND "
		    "NOT EXISTS (SELECT 1 FROM snapshot_disk sd WHERE sd.image "
		    "= i.id) AND NOT EXISTS (SELECT 1 FROM image c WHERE "
		    "c.parent = i.id)", "i", ctx->domid);
		if (rows == NULL || json_array_size(rows) == 0) {
			json_decref(rows);
			return;
		}
		json_array_foreach(rows, i, r) {
			json_t *d = json_pack("{s:s, s:s, s:s}", "path",
			    xk_jstr(r, "path"), "action", "unlink", "backend",
			    xk_jstr(r, "backend"));

			if (snap_backend_of(d)->delete(&ctx->env, d, NULL) == 0 &&
			    xk_catalog_exec(ctx->cat, NULL, "DELETE FROM "
			    "image WHERE id = ?", "i",
			    (int64_t)xk_jint(r, "id")) == 0)
				xk_snap_fault(&ctx->env, "gc:row");
			json_decref(d);
		}
		json_decref(rows);
	}
}

/*
 * After a revert's or a delete's catalog commit (STEP_COMMITTED): close
 * the nodes nothing uses, remove the images nothing needs, let a guest
 * the revert stopped run again (rebooted: its memory no longer matches
 * its disks), and only then end the journal, so that recovery does
 * whatever of it an interruption left undone.  Every part can run
 * again.
 */
int
snap_settle(struct xk_snap_ctx *ctx, json_t *plan, struct xk_error *err)
{
	json_t *r;

	if (snap_prune_nodes(ctx, err) < 0)
		return -1;
	snap_gc_images(ctx);
	if (ctx->env.qmp != NULL && json_is_true(json_object_get(plan,
	    "was_running"))) {
		if ((r = xk_qmp_execute(ctx->env.qmp, "system_reset", NULL,
		    ctx->env.timeout_ms, err)) == NULL)
			return -1;
		json_decref(r);
		if (strcmp(snap_vm_status(ctx), "running") != 0) {
			if ((r = xk_qmp_execute(ctx->env.qmp, "cont", NULL,
			    ctx->env.timeout_ms, err)) == NULL)
				return -1;
			json_decref(r);
		}
	}
	return snap_journal_end(ctx, err);
}
