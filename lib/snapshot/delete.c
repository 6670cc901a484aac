/*
 * delete.c - xk snapshot delete: the plan (remove, merge into the one
 * child, or keep a shared image), then always forward.
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

static json_t *
delete_plan_disk(struct xk_snap_ctx *ctx, json_t *sd, struct xk_error *err)
{
	json_t *kids = xk_catalog_query(ctx->cat, err, "SELECT * FROM image "
	    "WHERE parent = ?", "i", (int64_t)xk_jint(sd, "id"));
	json_t *d = NULL, *kid, *act;
	const struct xk_snap_backend *be;
	const char *action;

	if (kids == NULL)
		return NULL;
	action = json_array_size(kids) == 0 ? "unlink" :
	    json_array_size(kids) == 1 ? "merge" : "keep";
	d = json_pack("{s:s, s:I, s:s, s:s, s:s}", "vdev", xk_jstr(sd, "vdev"),
	    "image_id", xk_jint(sd, "id"), "path", xk_jstr(sd, "path"), "action",
	    action, "backend", xk_jstr(sd, "backend"));
	if (strcmp(action, "merge") != 0)
		goto out;
	kid = json_array_get(kids, 0);
	be = snap_backend_of(d);
	if ((be->plan_merge != NULL && be->plan_merge(d, err) < 0) ||
	    (act = snap_active_image(ctx, xk_jstr(sd, "vdev"), err)) == NULL) {
		json_decref(d);
		d = NULL;
		goto out;
	}
	json_object_set_new(d, "child_id", json_integer(xk_jint(kid, "id")));
	json_object_set_new(d, "child_path", json_string(xk_jstr(kid, "path")));
	json_object_set_new(d, "child_pos", json_integer(snap_chain_pos(ctx,
	    xk_jint(act, "id"), xk_jint(kid, "id"), err)));
	json_decref(act);
out:
	json_decref(kids);
	return d;
}

static int
finish_delete(struct xk_snap_ctx *ctx, json_t *plan, struct xk_error *err)
{
	int64_t sid = xk_jint(plan, "snapshot_id");
	json_t *d, *rows;
	json_int_t parent;
	size_t i;

	if (xk_catalog_begin(ctx->cat, err) < 0)
		return -1;
	rows = xk_catalog_query(ctx->cat, err, "SELECT parent FROM snapshot "
	    "WHERE id = ?", "i", sid);
	if (rows == NULL)
		goto fail;
	parent = xk_jint(json_array_get(rows, 0), "parent");
	json_decref(rows);
	if (xk_catalog_exec(ctx->cat, err, "DELETE FROM snapshot_disk WHERE "
	    "snapshot = ?", "i", sid) < 0)
		goto fail;
	json_array_foreach(json_object_get(plan, "disks"), i, d) {
		const char *action = xk_jstr(d, "action");
		int64_t id = xk_jint(d, "image_id");

		if (strcmp(action, "keep") == 0)
			continue;
		if (strcmp(action, "merge") == 0 && xk_catalog_exec(ctx->cat,
		    err, "UPDATE image SET parent = (SELECT parent FROM image "
		    "WHERE id = ?) WHERE id = ?", "ii", id,
		    (int64_t)xk_jint(d, "child_id")) < 0)
			goto fail;
		if (xk_catalog_exec(ctx->cat, err, "DELETE FROM image WHERE "
		    "id = ?", "i", id) < 0)
			goto fail;
	}
	if (xk_catalog_exec(ctx->cat, err, "UPDATE snapshot SET parent = ? "
	    "WHERE parent = ?", parent ? "ii" : "ni", parent ?
	    (int64_t)parent : sid, sid) < 0 ||
	    xk_catalog_exec(ctx->cat, err, "UPDATE domain SET current = ? "
	    "WHERE id = ? AND current = ?", parent ? "iii" : "nii", parent ?
	    (int64_t)parent : ctx->domid, ctx->domid, sid) < 0 ||
	    xk_catalog_exec(ctx->cat, err, "DELETE FROM snapshot WHERE id = ?",
	    "i", sid) < 0 || snap_journal_mark(ctx, STEP_COMMITTED, err) < 0)
		goto fail;
	if (xk_catalog_commit(ctx->cat, err) < 0)
		return -1;
	xk_snap_fault(&ctx->env, "delete:commit");
	return 0;
fail:
	xk_catalog_rollback(ctx->cat);
	return -1;
}

int
snap_delete_forward(struct xk_snap_ctx *ctx, json_t *plan, struct xk_error *err)
{
	json_t *d;
	size_t i;

	json_array_foreach(json_object_get(plan, "disks"), i, d)
		if (snap_backend_of(d)->delete(&ctx->env, d, err) < 0) {
			xk_error_prefix(err, "disk %s", xk_jstr(d, "vdev"));
			return -1;
		}
	if (json_object_get(plan, "memory") != NULL && unlink(xk_jstr(plan,
	    "memory")) < 0 && errno != ENOENT) {
		xk_error_errno(err, errno, "remove the memory image %s",
		    xk_jstr(plan, "memory"));
		return -1;
	}
	if (snap_journal_step(ctx, "delete", 2, err) < 0 ||
	    finish_delete(ctx, plan, err) < 0)
		return -1;
	return snap_settle(ctx, plan, err);
}

int
snap_delete_op(struct xk_snap_ctx *ctx, const char *name,
    struct xk_error *err)
{
	json_t *snap = NULL, *sdisks = NULL, *disks, *plan = NULL, *sd;
	size_t i;
	int rc = -1;

	if ((snap = snap_row(ctx, name, err)) == NULL ||
	    (sdisks = snap_disks_of(ctx, xk_jint(snap, "id"), err)) == NULL)
		goto out;
	/*
	 * A live delete changes no data the guest sees (the stream job
	 * copies into the image above): allowed under a running Xen
	 * guest too, unlike a revert.
	 */
	if (ctx->env.qmp == NULL && snap_offline_guard(ctx, err) < 0)
		goto out;
	if (xk_catalog_begin(ctx->cat, err) < 0)
		goto out;
	disks = json_array();
	plan = json_pack("{s:s, s:I, s:s?, s:s?, s:o}", "name", name,
	    "snapshot_id", xk_jint(snap, "id"), "qmp", ctx->qmp_path, "memory",
	    json_string_value(json_object_get(snap, "memory")), "disks",
	    disks);
	json_array_foreach(sdisks, i, sd) {
		json_t *d = delete_plan_disk(ctx, sd, err);

		if (d == NULL) {
			xk_catalog_rollback(ctx->cat);
			goto out;
		}
		json_array_append_new(disks, d);
	}
	if (snap_journal_start(ctx, "delete", name, plan, err) < 0 ||
	    xk_catalog_commit(ctx->cat, err) < 0) {
		xk_catalog_rollback(ctx->cat);
		goto out;
	}
	xk_snap_fault_step(&ctx->env, "delete", 1);
	if (snap_delete_forward(ctx, plan, err) < 0)
		goto out;
	rc = 0;
out:
	json_decref(plan);
	json_decref(snap);
	json_decref(sdisks);
	return rc;
}
