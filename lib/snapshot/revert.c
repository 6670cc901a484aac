/*
 * revert.c - xk snapshot revert: the plan, new images, the switch (live
 * through QMP, or on files), rolling back or forward.
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
revert_plan_disks(struct xk_snap_ctx *ctx, json_t *sdisks,
    struct xk_error *err)
{
	json_t *disks = json_array(), *sd;
	size_t i;

	json_array_foreach(sdisks, i, sd) {
		json_t *act = snap_active_image(ctx, xk_jstr(sd, "vdev"), err);
		char np[4200], tag[32], node[32], *top = NULL;
		uint64_t size;
		json_int_t pos;

		if (act != NULL && ctx->env.qmp != NULL &&
		    !(snap_backend_of(sd)->caps & XK_SNAP_CAP_LIVE_REVERT)) {
			xk_error_set(err, "disk %s (%s, %s): reverting it needs "
			    "the domain stopped", xk_jstr(sd, "vdev"), xk_jstr(act,
			    "path"), xk_jstr(sd, "backend"));
			json_decref(act);
			goto fail;
		}
		if (act != NULL && snap_backend_of(sd)->caps & XK_SNAP_CAP_COPY) {
			snprintf(tag, sizeof(tag), "%lld%d",
			    (long long)time(NULL) % 100000000, (int)getpid());
			json_array_append_new(disks, json_pack("{s:s, s:s, s:s, "
			    "s:s, s:I, s:s}", "vdev", xk_jstr(sd, "vdev"), "path",
			    xk_jstr(act, "path"), "target_path", xk_jstr(sd, "path"),
			    "backend", xk_jstr(sd, "backend"), "target_id",
			    xk_jint(sd, "id"), "tag", tag));
			json_decref(act);
			continue;
		}
		if (act == NULL || snap_backend_of(sd)->size(xk_jstr(sd, "path"),
		    &size, err) < 0) {
			json_decref(act);
			goto fail;
		}
		pos = snap_chain_pos(ctx, xk_jint(act, "id"), xk_jint(sd, "id"), err);
		snprintf(tag, sizeof(tag), "r%lld", (long long)xk_jint(act, "id"));
		snap_image_name(np, sizeof(np), xk_jstr(act, "path"), tag);
		snprintf(node, sizeof(node), "xkr%lld",
		    (long long)xk_jint(act, "id"));
		/* the device's top node now: how a rerun knows its progress */
		if (ctx->env.qmp != NULL && (top = xk_snap_live_top(
		    ctx->env.qmp, xk_jstr(sd, "vdev"), ctx->env.timeout_ms,
		    err)) == NULL) {
			json_decref(act);
			goto fail;
		}
		json_array_append_new(disks, json_pack("{s:s, s:s, s:s, s:s, "
		    "s:I, s:I, s:s, s:s, s:I, s:I, s:s, s:s}", "vdev", xk_jstr(sd,
		    "vdev"), "path", xk_jstr(act, "path"), "new_path", np, "new_node",
		    node, "active_id", xk_jint(act, "id"), "target_id", xk_jint(sd,
		    "id"), "target_path", xk_jstr(sd, "path"), "target_format",
		    xk_jstr(sd, "format"), "target_pos", pos, "size",
		    (json_int_t)size, "backend", xk_jstr(sd, "backend"), "old_node",
		    top ? top : ""));
		free(top);
		top = NULL;
		json_decref(act);
		if (pos < -1)
			goto fail;
	}
	return disks;
fail:
	json_decref(disks);
	return NULL;
}

static int
finish_revert(struct xk_snap_ctx *ctx, json_t *plan, struct xk_error *err)
{
	json_t *d;
	size_t i;

	if (xk_catalog_begin(ctx->cat, err) < 0)
		return -1;
	json_array_foreach(json_object_get(plan, "disks"), i, d) {
		if (snap_backend_of(d)->caps & XK_SNAP_CAP_COPY)
			continue;	/* the active image stays */
		if (xk_catalog_exec(ctx->cat, err, "DELETE FROM image WHERE "
		    "id = ? AND active = 1", "i", (int64_t)xk_jint(d,
		    "active_id")) < 0 ||
		    xk_catalog_exec(ctx->cat, err, "INSERT INTO image (domain, "
		    "vdev, backend, path, format, parent, active) VALUES (?, ?, "
		    "?, ?, ?, ?, 1)", "issssi", ctx->domid, xk_jstr(d, "vdev"),
		    xk_jstr(d, "backend"), xk_jstr(d, "new_path"),
		    snap_backend_of(d)->image_format,
		    (int64_t)xk_jint(d, "target_id")) < 0)
			goto fail;
	}
	if (xk_catalog_exec(ctx->cat, err, "UPDATE domain SET current = ? "
	    "WHERE id = ?", "ii", (int64_t)xk_jint(plan, "snapshot_id"),
	    ctx->domid) < 0 || snap_journal_mark(ctx, STEP_COMMITTED, err) < 0)
		goto fail;
	if (xk_catalog_commit(ctx->cat, err) < 0)
		return -1;
	xk_snap_fault(&ctx->env, "revert:commit");
	return 0;
fail:
	xk_catalog_rollback(ctx->cat);
	return -1;
}

/*
 * The revert of a Xen domain that libxl starts again (a memory
 * snapshot, or a running domain's disks), after step 2: the domain
 * destroyed if it runs (it may be the one started by an interrupted
 * run), its disks reverted, step 3, the domain restored from the memory
 * image, or booted, on the new active images, step 4.
 */
static int
revert_domain(struct xk_snap_ctx *ctx, json_t *plan, struct xk_error *err)
{
	json_t *d, *targets, *act;
	struct xk_snap_xen x;
	uint32_t domid;
	size_t i;
	int r;

	if (xk_snap_xen_find(ctx->domain, &x, NULL) == 1) {
		if (xk_snap_xen_destroy(x.domid, err) < 0) {
			xk_error_prefix(err, "destroy Xen domain %s before "
			    "restoring it", ctx->domain);
			return -1;
		}
		snap_note(ctx, "Xen domain %s (domid %u) destroyed", ctx->domain,
		    x.domid);
	}
	json_array_foreach(json_object_get(plan, "disks"), i, d)
		if (snap_backend_of(d)->revert(&ctx->env, d, err) < 0) {
			xk_error_prefix(err, "disk %s", xk_jstr(d, "vdev"));
			return -1;
		}
	if (snap_journal_step(ctx, "revert", 3, err) < 0)
		return -1;
	/* every disk on its active image, the reverted ones on their new */
	if ((targets = xk_catalog_query(ctx->cat, err, "SELECT vdev, path "
	    "FROM image WHERE domain = ? AND active = 1", "i",
	    ctx->domid)) == NULL)
		return -1;
	act = targets;
	targets = json_object();
	json_array_foreach(act, i, d)
		json_object_set_new(targets, xk_jstr(d, "vdev"),
		    json_string(xk_jstr(d, "path")));
	json_decref(act);
	json_array_foreach(json_object_get(plan, "disks"), i, d)
		json_object_set_new(targets, xk_jstr(d, "vdev"), json_string(
		    json_object_get(d, "new_path") ? xk_jstr(d, "new_path") :
		    xk_jstr(d, "path")));
	/* with no memory image, a new domain boots on the reverted disks */
	r = xk_snap_xen_start(xk_jstr(plan, "config"), targets,
	    json_object_get(plan, "memory") ? xk_jstr(plan, "memory") : NULL,
	    &domid, err);
	json_decref(targets);
	if (r < 0) {
		xk_error_prefix(err, "%s Xen domain %s (snapshot %s)",
		    json_object_get(plan, "memory") ? "restore" : "boot again",
		    ctx->domain, xk_jstr(plan, "name"));
		return -1;
	}
	if (json_object_get(plan, "memory") != NULL)
		snap_note(ctx, "Xen domain %s restored from %s: domid %u",
		    ctx->domain, xk_jstr(plan, "memory"), domid);
	else
		snap_note(ctx, "Xen domain %s booted again on the reverted disks: "
		    "domid %u", ctx->domain, domid);
	return snap_journal_step(ctx, "revert", 4, err);
}

/* Roll a revert forward from step (2 or more: its new images exist). */
int
snap_revert_forward(struct xk_snap_ctx *ctx, json_t *plan, json_int_t step,
    struct xk_error *err)
{
	json_t *d;
	size_t i;

	if (json_object_get(plan, "restore") != NULL) {
		if ((step < 4 && revert_domain(ctx, plan, err) < 0) ||
		    finish_revert(ctx, plan, err) < 0)
			return -1;
		return snap_settle(ctx, plan, err);
	}
	if (ctx->env.qmp != NULL && strcmp(snap_vm_status(ctx), "running") == 0) {
		json_t *r = xk_qmp_execute(ctx->env.qmp, "stop", NULL,
		    ctx->env.timeout_ms, err);

		if (r == NULL)
			return -1;
		json_decref(r);
	}
	json_array_foreach(json_object_get(plan, "disks"), i, d)
		if (snap_backend_of(d)->revert(&ctx->env, d, err) < 0) {
			xk_error_prefix(err, "disk %s", xk_jstr(d, "vdev"));
			return -1;
		}
	if (snap_journal_step(ctx, "revert", 3, err) < 0 ||
	    finish_revert(ctx, plan, err) < 0)
		return -1;
	return snap_settle(ctx, plan, err);
}

int
snap_revert_back(struct xk_snap_ctx *ctx, json_t *plan, struct xk_error *err)
{
	json_t *d;
	size_t i;

	json_array_foreach(json_object_get(plan, "disks"), i, d)
		if (json_object_get(d, "new_path") != NULL) {
			if (unlink(xk_jstr(d, "new_path")) < 0 && errno != ENOENT) {
				xk_error_errno(err, errno, "remove %s",
				    xk_jstr(d, "new_path"));
				return -1;
			}
			xk_snap_fault(&ctx->env, "revert:unlink");
		}
	if (snap_prune_nodes(ctx, err) < 0)
		return -1;
	return snap_journal_end(ctx, err);
}

int
snap_revert_op(struct xk_snap_ctx *ctx, const char *name,
    struct xk_error *err)
{
	json_t *snap = NULL, *sdisks = NULL, *disks, *plan = NULL, *d;
	bool mem, running, restart;
	char *config = NULL;
	size_t i;
	int rc = -1;

	if ((snap = snap_row(ctx, name, err)) == NULL ||
	    (sdisks = snap_disks_of(ctx, xk_jint(snap, "id"), err)) == NULL)
		goto out;
	/*
	 * A memory snapshot brings the whole domain back: destroyed (if it
	 * runs) and restored by libxl, so its disks change with no QEMU.
	 */
	mem = xk_jstr(snap, "memory")[0] != '\0';
	running = ctx->xen.uuid[0] != '\0';
	/*
	 * Under a running Xen guest the disks cannot change: its page
	 * cache holds the old data, and blkback (a loop device, for a file)
	 * keeps the volume or file it opened.  So the domain is destroyed,
	 * its disks reverted, and it is booted again from the configuration
	 * it ran with, on the reverted disks: the snapshot's moment after a
	 * power cut, which is what a crash-consistent snapshot holds.
	 */
	restart = running && !mem;
	/* libxl talks to the device model itself: let go of it first */
	if (mem || restart)
		snap_qmp_release(ctx);
	if (restart && (config = xk_snap_xen_config(ctx->xen.domid,
	    err)) == NULL)
		goto out;
	if (ctx->env.qmp == NULL && !running && snap_offline_guard(ctx, err) < 0)
		goto out;
	if (xk_catalog_begin(ctx->cat, err) < 0)
		goto out;
	if ((disks = revert_plan_disks(ctx, sdisks, err)) == NULL) {
		xk_catalog_rollback(ctx->cat);
		goto out;
	}
	plan = json_pack("{s:s, s:I, s:b, s:s?, s:o}", "name", name,
	    "snapshot_id", xk_jint(snap, "id"), "was_running",
	    strcmp(snap_vm_status(ctx), "running") == 0, "qmp", mem || restart ?
	    NULL : ctx->qmp_path, "disks", disks);
	if (mem) {
		json_object_set_new(plan, "restore", json_true());
		json_object_set_new(plan, "memory", json_string(xk_jstr(snap,
		    "memory")));
		json_object_set_new(plan, "config", json_string(xk_jstr(snap,
		    "config")));
	} else if (restart) {
		json_object_set_new(plan, "restore", json_true());
		json_object_set_new(plan, "config", json_string(config));
	}
	if (snap_journal_start(ctx, "revert", name, plan, err) < 0 ||
	    xk_catalog_commit(ctx->cat, err) < 0) {
		xk_catalog_rollback(ctx->cat);
		goto out;
	}
	xk_snap_fault_step(&ctx->env, "revert", 1);
	json_array_foreach(disks, i, d)
		if (snap_backend_of(d)->revert_prepare(&ctx->env, d, err) < 0) {
			struct xk_error e2 = { 0 };

			snap_revert_back(ctx, plan, &e2);
			goto out;
		}
	if (snap_journal_step(ctx, "revert", 2, err) < 0 ||
	    snap_revert_forward(ctx, plan, 2, err) < 0)
		goto out;
	rc = 0;
out:
	free(config);
	json_decref(plan);
	json_decref(snap);
	json_decref(sdisks);
	return rc;
}
