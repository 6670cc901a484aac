/*
 * snapshot.c - the snapshot engine's public operations: recovery of an
 * interrupted one first (dispatched to create.c, revert.c, delete.c),
 * then the operation; repair; list.  See snapshot.h and engine.h.
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
#include "util/strbuf.h"

/*
 * The interrupted operation worked on a QEMU: talk to it again if it is
 * still there (a stale catalog would otherwise be "repaired" under a
 * running guest).  When it is gone, files are changed directly, and
 * only if no other QEMU holds them.
 */
static int
attach_plan_qmp(struct xk_snap_ctx *ctx, json_t *plan, struct xk_error *err)
{
	const char *path = json_string_value(json_object_get(plan, "qmp"));
	struct xk_error e = { 0 };

	/* a memory revert destroys the domain before it changes files */
	if (json_object_get(plan, "restore") != NULL) {
		snap_qmp_release(ctx);
		return 0;
	}
	if (ctx->env.qmp != NULL || path == NULL)
		return ctx->env.qmp == NULL ? snap_offline_guard(ctx, err) : 0;
	ctx->env.qmp = xk_qmp_connect(path, NULL, ctx->env.timeout_ms, &e);
	snap_watch_qmp(ctx);
	if (ctx->env.qmp != NULL)
		return 0;
	if (e.errnum != ENOENT && e.errnum != ECONNREFUSED) {
		*err = e;
		xk_error_prefix(err, "the interrupted operation's QEMU");
		return -1;
	}
	return snap_offline_guard(ctx, err);
}

static int
recover(struct xk_snap_ctx *ctx, json_t *j, char **done, struct xk_error *err)
{
	const char *op = xk_jstr(j, "op");
	json_int_t step = xk_jint(j, "step");
	json_error_t je;
	json_t *plan = json_loads(xk_jstr(j, "plan"), 0, &je);
	char what[512];
	int r = -1, fwd = 1;

	if (plan == NULL) {
		xk_error_set(err, "journal of domain %s: unreadable plan: %s",
		    ctx->domain, je.text);
		return -1;
	}
	/*
	 * A domain a create left paused goes on first, whatever follows: a
	 * blkback create is rolled forward only when every copy exists
	 * (made in the pause), so none is made after this.
	 */
	if (strcmp(op, "create") == 0 && snap_xen_unpause(ctx, plan, err) < 0)
		goto out;
	if (attach_plan_qmp(ctx, plan, err) < 0)
		goto out;
	if (strcmp(op, "create") == 0) {
		int c;

		if ((c = snap_create_done(ctx, plan, step, err)) < 0)
			goto out;
		fwd = c == 1;
		r = fwd ? snap_finish_create(ctx, plan, err) : snap_abort_create(ctx,
		    plan, err);
		if (r == 0)
			snap_resume(ctx, plan);
		if (r == 0 && fwd && snap_xen_resume(ctx, plan, err) < 0)
			r = -1;
	} else if (step >= STEP_COMMITTED &&
	    (strcmp(op, "revert") == 0 || strcmp(op, "delete") == 0)) {
		r = snap_settle(ctx, plan, err);
	} else if (strcmp(op, "revert") == 0) {
		fwd = step >= 2;
		r = fwd ? snap_revert_forward(ctx, plan, step, err) :
		    snap_revert_back(ctx, plan, err);
	} else if (strcmp(op, "delete") == 0) {
		r = snap_delete_forward(ctx, plan, err);
	} else {
		xk_error_set(err, "journal of domain %s: unknown operation %s",
		    ctx->domain, op);
	}
	snprintf(what, sizeof(what), "%s %s of snapshot %s (interrupted "
	    "after step %lld)", fwd ? "finished" : "rolled back", op,
	    xk_jstr(j, "snapshot"), (long long)step);
	if (r == 0 && done != NULL)
		*done = strdup(what);
	if (r == 0)
		snap_note(ctx, "%s", what);
out:
	json_decref(plan);
	return r;
}

static int
run_recovery(struct xk_snap_ctx *ctx, char **done, struct xk_error *err)
{
	json_t *j;
	int r;

	if (done != NULL)
		*done = NULL;
	if (ctx->domid <= 0)
		return 0;
	j = snap_journal_get(ctx, err);
	if (json_is_null(j))
		return -1;
	if (j == NULL)
		return 0;
	r = recover(ctx, j, done, err);
	if (r < 0)
		xk_error_prefix(err, "domain %s: an interrupted %s of %s "
		    "cannot be completed yet", ctx->domain, xk_jstr(j, "op"),
		    xk_jstr(j, "snapshot"));
	json_decref(j);
	return r;
}

/*
 * Every operation finishes or rolls back an interrupted one first
 * (snapshot.h), then runs (create.c, revert.c, delete.c).
 */
int
xk_snap_create(struct xk_snap_ctx *ctx, const char *name,
    const char *description, char *const *vdevs, size_t nvdevs,
    char **made, struct xk_error *err)
{
	*made = NULL;
	if (run_recovery(ctx, NULL, err) < 0)
		return -1;
	return snap_create_op(ctx, name, description, vdevs, nvdevs, false,
	    made, err);
}

int
xk_snap_create_memory(struct xk_snap_ctx *ctx, const char *name,
    const char *description, char *const *vdevs, size_t nvdevs,
    char **made, struct xk_error *err)
{
	*made = NULL;
	if (run_recovery(ctx, NULL, err) < 0)
		return -1;
	return snap_create_op(ctx, name, description, vdevs, nvdevs, true,
	    made, err);
}

int
xk_snap_revert(struct xk_snap_ctx *ctx, const char *name,
    struct xk_error *err)
{
	if (run_recovery(ctx, NULL, err) < 0)
		return -1;
	return snap_revert_op(ctx, name, err);
}

int
xk_snap_delete(struct xk_snap_ctx *ctx, const char *name,
    struct xk_error *err)
{
	if (run_recovery(ctx, NULL, err) < 0)
		return -1;
	return snap_delete_op(ctx, name, err);
}

int
xk_snap_repair(struct xk_snap_ctx *ctx, char **done, struct xk_error *err)
{
	char what[96];
	int closed;

	if (run_recovery(ctx, done, err) < 0)
		return -1;
	/* and whatever a run killed outside its journal left open */
	if ((closed = snap_prune_nodes(ctx, err)) < 0) {
		xk_error_prefix(err, "domain %s: close unused block nodes",
		    ctx->domain);
		return -1;
	}
	if (closed > 0 && done != NULL && *done == NULL) {
		snprintf(what, sizeof(what), "closed %d block node%s nothing "
		    "used", closed, closed == 1 ? "" : "s");
		*done = strdup(what);
	}
	return 0;
}

/* --- list -------------------------------------------------------------- */

static json_t *
list_disks(struct xk_snap_ctx *ctx, json_int_t snap, struct xk_error *err)
{
	json_t *rows = snap_disks_of(ctx, snap, err), *out, *r;
	size_t i;

	if (rows == NULL)
		return NULL;
	out = json_array();
	json_array_foreach(rows, i, r)
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s}",
		    "vdev", xk_jstr(r, "vdev"), "backend", xk_jstr(r, "backend"),
		    "path", xk_jstr(r, "path"), "format", xk_jstr(r, "format")));
	json_decref(rows);
	return out;
}

json_t *
xk_snap_list(struct xk_snap_ctx *ctx, const char *name, struct xk_error *err)
{
	json_t *rows, *snaps = json_array(), *r, *cur, *j, *pending, *active;
	const char *current = NULL;
	struct xk_snap_xen x;
	size_t i;

	rows = xk_catalog_query(ctx->cat, err, "SELECT s.id AS id, s.name AS "
	    "name, s.created AS created, p.name AS parent, s.description AS "
	    "description, s.kind AS kind, s.vmstate AS vmstate, s.memory AS "
	    "memory FROM snapshot "
	    "s LEFT JOIN snapshot p ON p.id = s.parent WHERE s.domain = ? "
	    "AND (? IS NULL OR s.name = ?) ORDER BY s.id", "iss", ctx->domid,
	    name, name);
	cur = xk_catalog_query(ctx->cat, err, "SELECT s.name AS name FROM "
	    "domain d JOIN snapshot s ON s.id = d.current WHERE d.id = ?",
	    "i", ctx->domid);
	if (rows == NULL || cur == NULL)
		goto fail;
	if (ctx->domid <= 0 && xk_snap_xen_find(ctx->domain, &x, NULL) != 1) {
		xk_error_set(err, "no domain %s in the catalog %s, and no "
		    "running Xen domain of that name", ctx->domain,
		    xk_catalog_path(ctx->cat));
		goto fail;
	}
	if (name != NULL && json_array_size(rows) == 0) {
		xk_error_set(err, "domain %s has no snapshot %s", ctx->domain,
		    name);
		goto fail;
	}
	current = json_string_value(json_object_get(json_array_get(cur, 0),
	    "name"));
	json_array_foreach(rows, i, r) {
		json_t *disks = list_disks(ctx, xk_jint(r, "id"), err);

		if (disks == NULL)
			goto fail;
		json_object_set_new(r, "disks", disks);
		json_object_set_new(r, "current", json_boolean(current &&
		    strcmp(current, xk_jstr(r, "name")) == 0));
		json_object_del(r, "id");
		json_array_append(snaps, r);
	}
	j = ctx->domid ? snap_journal_get(ctx, err) : NULL;
	if (json_is_null(j))
		goto fail;
	pending = j ? json_pack("{s:s, s:s, s:I, s:I, s:I}", "op", xk_jstr(j,
	    "op"), "snapshot", xk_jstr(j, "snapshot"), "step", xk_jint(j, "step"),
	    "pid", xk_jint(j, "pid"), "started", xk_jint(j, "started")) :
	    json_null();
	json_decref(j);
	active = xk_catalog_query(ctx->cat, err, "SELECT vdev, path, format, "
	    "backend FROM image WHERE domain = ? AND active = 1 ORDER BY vdev",
	    "i", ctx->domid);
	if (active == NULL) {
		json_decref(pending);
		goto fail;
	}
	r = json_pack("{s:s, s:s?, s:O, s:o, s:o}", "domain", ctx->domain,
	    "current", current, "snapshots", snaps, "pending", pending,
	    "active", active);
	json_decref(rows);
	json_decref(cur);
	json_decref(snaps);
	return r;
fail:
	json_decref(rows);
	json_decref(cur);
	json_decref(snaps);
	return NULL;
}
