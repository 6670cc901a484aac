/*
 * mirror.c - copy a running domain's disks with QMP blockdev-mirror:
 * every disk's whole chain, flattened into one standalone qcow2 file
 * per disk in a destination directory, all disks as of one instant.
 *
 * Each copy is written under DIR/VDEV.qcow2.tmp; the mirror jobs run
 * while the guest runs until every one is READY (source and copy in
 * step), then the vCPUs stop for a moment, every job is cancelled
 * (after READY that means: finish, keep the copy as it is now, do not
 * switch the guest to it), the vCPUs go on, and the files are renamed
 * into place.  The domain's own images are never touched.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "snapshot/snapshot.h"
#include "util/file.h"
#include "util/run.h"
#include "util/tempfile.h"

#define MIRROR_TIMEOUT_MS (6 * 3600 * 1000)

static int
is_job(json_t *data, void *arg)
{
	const char *dev = json_string_value(json_object_get(data, "device"));

	return dev != NULL && strcmp(dev, arg) == 0;
}

static int
qmp_ok(struct xk_qmp *q, json_t *r)
{
	(void)q;
	json_decref(r);
	return r == NULL ? -1 : 0;
}

/* Start one disk's mirror into tmp; job and node are named name. */
static int
start_one(struct xk_snap_ctx *ctx, struct xk_snap_disk *d, const char *tmp,
    const char *name, struct xk_error *err)
{
	char size[32];
	const char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2",
	    tmp, size, NULL };
	struct xk_qmp *q = ctx->env.qmp;
	int t = ctx->env.timeout_ms;

	snprintf(size, sizeof(size), "%llu", (unsigned long long)d->size);
	if (xk_run_ok(argv, NULL, err) < 0)
		return -1;
	if (qmp_ok(q, xk_qmp_executef(q, t, err, "blockdev-add", "{s:s, s:s, "
	    "s:{s:s, s:s}}", "driver", "qcow2", "node-name", name, "file",
	    "driver", "file", "filename", tmp)) < 0)
		return -1;
	return qmp_ok(q, xk_qmp_executef(q, t, err, "blockdev-mirror", "{s:s, "
	    "s:s, s:s, s:s}", "job-id", name, "device", d->node, "target",
	    name, "sync", "full"));
}

static void
cleanup(struct xk_snap_ctx *ctx, char names[][32], char tmps[][4200],
    size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_decref(xk_qmp_executef(ctx->env.qmp, ctx->env.timeout_ms,
		    NULL, "block-job-cancel", "{s:s, s:b}", "device", names[i],
		    "force", 1));
		json_decref(xk_qmp_wait_event(ctx->env.qmp, NULL, is_job,
		    names[i], ctx->env.timeout_ms, NULL));
		json_decref(xk_qmp_executef(ctx->env.qmp, ctx->env.timeout_ms,
		    NULL, "blockdev-del", "{s:s}", "node-name", names[i]));
		unlink(tmps[i]);
	}
}

/* Stop the guest, end every job at this instant, let the guest go. */
static int
finish_all(struct xk_snap_ctx *ctx, char names[][32], size_t n,
    struct xk_error *err)
{
	struct xk_qmp *q = ctx->env.qmp;
	int t = ctx->env.timeout_ms, rc = 0;
	json_t *st = xk_qmp_execute(q, "query-status", NULL, t, err);
	bool running = json_is_true(json_object_get(st, "running"));

	json_decref(st);
	if (running && qmp_ok(q, xk_qmp_execute(q, "stop", NULL, t, err)) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = qmp_ok(q, xk_qmp_executef(q, t, err, "block-job-cancel",
		    "{s:s}", "device", names[i]));
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = xk_qmp_wait_job(q, names[i], t, err);
	if (running)
		json_decref(xk_qmp_execute(q, "cont", NULL, t, NULL));
	for (size_t i = 0; i < n; i++)
		json_decref(xk_qmp_executef(q, t, NULL, "blockdev-del",
		    "{s:s}", "node-name", names[i]));
	return rc;
}

int
xk_snap_mirror(struct xk_snap_ctx *ctx, const char *dir, json_t **made,
    struct xk_error *err)
{
	struct xk_snap_disk *all = NULL;
	char (*names)[32] = NULL, (*tmps)[4200] = NULL;
	size_t n = 0, m = 0;
	int rc = -1;

	*made = json_array();
	if (ctx->blkback) {
		xk_error_set(err, "Xen domain %s has no device model (its disks "
		    "are served by blkback), and mirror copies through QEMU's "
		    "blockdev-mirror: take a snapshot (xk snapshot create) and "
		    "copy its volumes or files instead", ctx->domain);
		return -1;
	}
	if (ctx->env.qmp == NULL) {
		xk_error_set(err, "domain %s is not running: copy its disks "
		    "with qemu-img convert instead", ctx->domain);
		return -1;
	}
	if (access(dir, W_OK) < 0) {
		xk_error_errno(err, errno, "destination %s", dir);
		return -1;
	}
	if (xk_snap_live_disks(ctx->env.qmp, ctx->env.timeout_ms, &all, &n,
	    err) < 0)
		return -1;
	names = calloc(n + 1, sizeof(*names));
	tmps = calloc(n + 1, sizeof(*tmps));
	if (names == NULL || tmps == NULL) {
		xk_error_errno(err, ENOMEM, "mirror");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (all[i].empty || all[i].vdev == NULL)
			continue;
		snprintf(names[m], sizeof(names[m]), "xkm%zu", m);
		snprintf(tmps[m], sizeof(tmps[m]), "%s/%s.qcow2.tmp", dir,
		    all[i].vdev);
		if (access(tmps[m], F_OK) == 0) {
			/* not ours: leave it, and undo what is */
			xk_error_set(err, "disk %s: %s exists (another mirror "
			    "running?)", all[i].vdev, tmps[m]);
			cleanup(ctx, names, tmps, m);
			goto out;
		}
		if (start_one(ctx, &all[i], tmps[m], names[m], err) < 0) {
			xk_error_prefix(err, "disk %s", all[i].vdev);
			cleanup(ctx, names, tmps, m + 1);
			goto out;
		}
		m++;
	}
	/* in step: every job READY */
	for (size_t i = 0; i < m; i++) {
		json_t *ev = xk_qmp_wait_event(ctx->env.qmp, "BLOCK_JOB_READY",
		    is_job, names[i], MIRROR_TIMEOUT_MS, err);

		if (ev == NULL) {
			cleanup(ctx, names, tmps, m);
			goto out;
		}
		json_decref(ev);
	}
	if (finish_all(ctx, names, m, err) < 0) {
		cleanup(ctx, names, tmps, m);
		goto out;
	}
	for (size_t i = 0; i < m; i++) {
		char final[4200];

		snprintf(final, sizeof(final), "%.*s", (int)(strlen(tmps[i]) -
		    4), tmps[i]);
		if (xk_rename_durable(tmps[i], final, err) < 0)
			goto out;
		json_array_append_new(*made, json_string(final));
	}
	rc = 0;
out:
	free(names);
	free(tmps);
	xk_snap_disks_free(all, n);
	return rc;
}
