/*
 * create.c - xk snapshot create: the plan, the backends' prepare, the
 * freeze (QMP transaction, or a pause), the catalog's record; undoing a
 * create that did not reach its commit point.
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
#include "util/clock.h"
#include "util/json.h"
#include "util/strbuf.h"

static int
gen_name(struct xk_snap_ctx *ctx, char *buf, size_t len, struct xk_error *err)
{
	time_t now = time(NULL);
	struct tm tm;
	char base[48];

	gmtime_r(&now, &tm);
	strftime(base, sizeof(base), "snap-%Y%m%d-%H%M%S", &tm);
	for (int i = 0; i < 1000; i++) {
		json_t *rows;
		size_t n;

		if (i == 0)
			snprintf(buf, len, "%s", base);
		else
			snprintf(buf, len, "%s-%d", base, i);
		rows = xk_catalog_query(ctx->cat, err, "SELECT id FROM snapshot "
		    "WHERE domain = ? AND name = ?", "is", ctx->domid, buf);
		if (rows == NULL)
			return -1;
		n = json_array_size(rows);
		json_decref(rows);
		if (n == 0)
			return 0;
	}
	xk_error_set(err, "cannot find a free snapshot name");
	return -1;
}

/*
 * One image opened by two devices of the domain (an HVM guest's
 * emulated AHCI disk and the PV-driver disk of the same file: Xen's
 * unplug takes IDE disks away, not AHCI ones) cannot be snapshotted:
 * each device would get an overlay of its own, the guest's writes would
 * split between them.  Seen in the lab (t4520); refused.
 */
static int
refuse_shared_image(const struct xk_snap_ctx *ctx,
    const struct xk_snap_disk *all, size_t n, size_t j, struct xk_error *err)
{
	for (size_t k = 0; k < n; k++) {
		if (k == j || all[k].path == NULL || all[j].path == NULL ||
		    strcmp(all[k].path, all[j].path) != 0)
			continue;
		xk_error_set(err, "domain %s: disks %s and %s are one image, "
		    "%s, opened twice (an HVM guest's emulated AHCI disk and "
		    "its PV-driver disk: Xen does not unplug AHCI disks); a "
		    "snapshot would split the guest's writes between two "
		    "overlays: nothing was taken (name the other disks with "
		    "--disk; a vdev of xvdg or later is PV only, opened "
		    "once; or use hdtype=\"ide\", or shut the domain down)",
		    ctx->domain, all[j].vdev, all[k].vdev, all[j].path);
		return -1;
	}
	return 0;
}

/* Choose the disks: the named ones (all must work) or all that can. */
static int
select_disks(struct xk_snap_ctx *ctx, struct xk_snap_disk *all, size_t n,
    char *const *vdevs, size_t nvdevs, struct xk_error *err)
{
	struct strbuf why = STRBUF_INIT;
	int chosen = 0;

	for (size_t i = 0; i < nvdevs; i++) {
		size_t j;

		for (j = 0; j < n && strcmp(all[j].vdev, vdevs[i]) != 0; j++)
			;
		if (j == n) {
			xk_error_set(err, "domain %s has no disk %s",
			    ctx->domain, vdevs[i]);
			return -1;
		}
		if (all[j].be == NULL) {
			xk_error_set(err, "disk %s cannot be snapshotted: %s",
			    vdevs[i], all[j].why);
			return -1;
		}
	}
	for (size_t j = 0; j < n; j++) {
		bool want = nvdevs == 0;

		for (size_t i = 0; i < nvdevs; i++)
			want = want || strcmp(all[j].vdev, vdevs[i]) == 0;
		if (!want) {
			all[j].be = NULL;
			continue;
		}
		/*
		 * Under blkback a disk left out would go on changing while
		 * the others are frozen: all writable disks, or the ones
		 * named with --disk, never a silent subset.
		 */
		if (ctx->blkback && nvdevs == 0 && all[j].be == NULL &&
		    !all[j].readonly && !all[j].empty) {
			xk_error_set(err, "domain %s: disk %s (%s) cannot be "
			    "snapshotted: %s; nothing was taken (name the "
			    "disks to snapshot with --disk to leave it out)",
			    ctx->domain, all[j].vdev, all[j].path,
			    all[j].why);
			strbuf_free(&why);
			return -1;
		}
		if (all[j].be != NULL &&
		    refuse_shared_image(ctx, all, n, j, err) < 0) {
			strbuf_free(&why);
			return -1;
		}
		if (all[j].be == NULL) {
			snap_note(ctx, "disk %s skipped: %s", all[j].vdev,
			    all[j].why);
			strbuf_addf(&why, "%s%s: %s", why.len ? "; " : "",
			    all[j].vdev, all[j].why);
		} else {
			chosen++;
		}
	}
	if (chosen == 0)
		xk_error_set(err, "domain %s: no disk can be snapshotted%s%s",
		    ctx->domain, why.len ? ": " : "", strbuf_str(&why));
	strbuf_free(&why);
	return chosen == 0 ? -1 : 0;
}

/* Numbers for copies' file names: never reused (AUTOINCREMENT). */
static int
next_seq(struct xk_snap_ctx *ctx, struct xk_error *err)
{
	json_t *rows = xk_catalog_query(ctx->cat, err, "SELECT seq FROM "
	    "sqlite_sequence WHERE name = 'image'", "");

	if (rows == NULL)
		return -1;
	ctx->seq = xk_jint(json_array_get(rows, 0), "seq");
	json_decref(rows);
	return 0;
}

/* Build the create plan's disk entries (and active image rows). */
static json_t *
create_plan_disks(struct xk_snap_ctx *ctx, struct xk_snap_disk *all,
    size_t n, struct xk_error *err)
{
	json_t *disks = json_array();

	for (size_t j = 0; j < n; j++) {
		struct xk_snap_disk *d = &all[j];
		json_t *act;
		char np[4200], tag[32], node[32];
		json_int_t id;

		if (d->be == NULL)
			continue;
		act = snap_active_image(ctx, d->vdev, NULL);
		if (act == NULL) {
			if (xk_catalog_exec(ctx->cat, err, "INSERT INTO image "
			    "(domain, vdev, backend, path, format, active) "
			    "VALUES (?, ?, ?, ?, ?, 1)", "issss", ctx->domid,
			    d->vdev, d->be->name, d->path, d->format) < 0)
				goto fail;
			act = snap_active_image(ctx, d->vdev, err);
			if (act == NULL)
				goto fail;
		}
		id = xk_jint(act, "id");
		if (d->be->caps & XK_SNAP_CAP_COPY)
			snprintf(tag, sizeof(tag), "c%lld",
			    (long long)++ctx->seq);
		else
			snprintf(tag, sizeof(tag), "%lld", (long long)id);
		if (d->be->copy_name != NULL)
			d->be->copy_name(xk_jstr(act, "path"), tag, np,
			    sizeof(np));
		else
			snap_image_name(np, sizeof(np), xk_jstr(act, "path"), tag);
		snprintf(node, sizeof(node), "xkc%lld", (long long)id);
		json_array_append_new(disks, json_pack("{s:s, s:s, s:s, s:s, "
		    "s:I, s:I, s:s, s:s, s:s, s:s}", "vdev", d->vdev, "path",
		    xk_jstr(act, "path"), "format", d->format, "node",
		    d->node ? d->node : "", "size", (json_int_t)d->size,
		    "active_id", id, "frozen", xk_jstr(act, "path"), "new_path",
		    np, "new_node",
		    node, "backend", d->be->name));
		json_decref(act);
	}
	return disks;
fail:
	json_decref(disks);
	return NULL;
}

/* The catalog half of create, in one transaction with the journal. */
int
snap_finish_create(struct xk_snap_ctx *ctx, json_t *plan, struct xk_error *err)
{
	json_t *d, *cur;
	json_int_t snap, parent = 0;
	size_t i;

	if (xk_catalog_begin(ctx->cat, err) < 0)
		return -1;
	cur = xk_catalog_query(ctx->cat, err, "SELECT current FROM domain "
	    "WHERE id = ?", "i", ctx->domid);
	if (cur == NULL)
		goto fail;
	parent = xk_jint(json_array_get(cur, 0), "current");
	json_decref(cur);
	if (xk_catalog_exec(ctx->cat, err, "INSERT INTO snapshot (domain, "
	    "name, parent, created, description, kind, vmstate, memory, "
	    "config) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", parent ?
	    "isiisssss" : "isnisssss", ctx->domid,
	    xk_jstr(plan, "name"), (int64_t)parent, (int64_t)xk_jint(plan, "created"),
	    json_string_value(json_object_get(plan, "description")),
	    json_object_get(plan, "memory") ? "memory" : "disk",
	    xk_jstr(plan, "vmstate"), json_string_value(json_object_get(plan,
	    "memory")), json_string_value(json_object_get(plan,
	    "config"))) < 0)
		goto fail;
	snap = xk_catalog_last_id(ctx->cat);
	json_array_foreach(json_object_get(plan, "disks"), i, d) {
		int64_t id = xk_jint(d, "active_id");

		if (snap_backend_of(d)->caps & XK_SNAP_CAP_COPY) {
			if (xk_catalog_exec(ctx->cat, err, "INSERT INTO image "
			    "(domain, vdev, backend, path, format, active) VALUES "
			    "(?, ?, ?, ?, ?, 0)", "issss", ctx->domid, xk_jstr(d,
			    "vdev"), xk_jstr(d, "backend"), xk_jstr(d, "new_path"),
			    xk_jstr(d, "format")) < 0 ||
			    xk_catalog_exec(ctx->cat, err, "INSERT INTO "
			    "snapshot_disk (snapshot, vdev, image) VALUES (?, ?, "
			    "?)", "isi", (int64_t)snap, xk_jstr(d, "vdev"),
			    xk_catalog_last_id(ctx->cat)) < 0)
				goto fail;
			continue;
		}
		if (xk_catalog_exec(ctx->cat, err, "UPDATE image SET active = 0 "
		    "WHERE id = ?", "i", id) < 0 ||
		    xk_catalog_exec(ctx->cat, err, "INSERT INTO image (domain, "
		    "vdev, backend, path, format, parent, active) VALUES (?, ?, "
		    "?, ?, ?, ?, 1)", "issssi", ctx->domid, xk_jstr(d, "vdev"),
		    xk_jstr(d, "backend"), xk_jstr(d, "new_path"),
		    snap_backend_of(d)->image_format, id) < 0 ||
		    xk_catalog_exec(ctx->cat, err, "INSERT INTO snapshot_disk "
		    "(snapshot, vdev, image) VALUES (?, ?, ?)", "isi",
		    (int64_t)snap, xk_jstr(d, "vdev"), id) < 0)
			goto fail;
	}
	if (xk_catalog_exec(ctx->cat, err, "UPDATE domain SET current = ? "
	    "WHERE id = ?", "ii", (int64_t)snap, ctx->domid) < 0 ||
	    snap_journal_end(ctx, err) < 0)
		goto fail;
	if (xk_catalog_commit(ctx->cat, err) < 0)
		return -1;
	xk_snap_fault(&ctx->env, "create:commit");
	return 0;
fail:
	xk_catalog_rollback(ctx->cat);
	return -1;
}

/* Undo a create that did not reach its commit point. */
int
snap_abort_create(struct xk_snap_ctx *ctx, json_t *plan, struct xk_error *err)
{
	json_t *disks = json_object_get(plan, "disks");

	for (size_t i = 0; xk_snap_backends[i] != NULL; i++) {
		json_t *g = snap_group(disks, xk_snap_backends[i]);
		int r = json_array_size(g) == 0 ? 0 :
		    xk_snap_backends[i]->abort_create(&ctx->env, g, err);

		json_decref(g);
		if (r < 0)
			return -1;
	}
	if (json_object_get(plan, "memory") != NULL) {
		char tmp[4200];

		snprintf(tmp, sizeof(tmp), "%s.tmp", xk_jstr(plan, "memory"));
		if ((unlink(tmp) < 0 && errno != ENOENT) ||
		    (unlink(xk_jstr(plan, "memory")) < 0 && errno != ENOENT)) {
			xk_error_errno(err, errno, "remove the memory image %s",
			    xk_jstr(plan, "memory"));
			return -1;
		}
	}
	snap_resume(ctx, plan);
	if (snap_xen_resume(ctx, plan, err) < 0 ||
	    snap_xen_unpause(ctx, plan, err) < 0)
		return -1;
	return snap_journal_end(ctx, err);
}

/* A stopped domain's disks: the catalog's active images. */
static int
catalog_disks(struct xk_snap_ctx *ctx, struct xk_snap_disk **all,
    size_t *n, struct xk_error *err)
{
	json_t *rows, *r;
	size_t i;

	*n = 0;
	*all = NULL;
	if (ctx->domid <= 0) {
		xk_error_set(err, "domain %s: no snapshots yet, so xk does not "
		    "know its disks; give the device model's QMP socket with "
		    "--qmp", ctx->domain);
		return -1;
	}
	if (snap_offline_guard(ctx, err) < 0)
		return -1;
	rows = xk_catalog_query(ctx->cat, err, "SELECT vdev, path, format "
	    "FROM image WHERE domain = ? AND active = 1 ORDER BY vdev", "i",
	    ctx->domid);
	if (rows == NULL)
		return -1;
	*all = calloc(json_array_size(rows) + 1, sizeof(**all));
	if (*all == NULL) {
		json_decref(rows);
		xk_error_errno(err, ENOMEM, "disks");
		return -1;
	}
	json_array_foreach(rows, i, r) {
		struct xk_snap_disk *d = &(*all)[(*n)++];

		d->vdev = strdup(xk_jstr(r, "vdev"));
		d->path = strdup(xk_jstr(r, "path"));
		d->format = strdup(xk_jstr(r, "format"));
		xk_snap_pick_backend(&ctx->env, d);
		if (d->be != NULL && d->be->size != NULL &&
		    d->be->size(d->path, &d->size, err) < 0) {
			json_decref(rows);
			return -1;
		}
	}
	json_decref(rows);
	return 0;
}

/* A running domain's disks that blkback serves, as libxl lists them. */
static int
blkback_disks(struct xk_snap_ctx *ctx, struct xk_snap_disk **all, size_t *n,
    struct xk_error *err)
{
	bool *bk;

	if (xk_snap_xen_disks(ctx->xen.domid, all, n, &bk, err) < 0)
		return -1;
	for (size_t i = 0; i < *n; i++)
		xk_snap_pick_paused(&ctx->env, &(*all)[i], bk[i]);
	free(bk);
	return 0;
}

static int
get_disks(struct xk_snap_ctx *ctx, struct xk_snap_disk **all, size_t *n,
    struct xk_error *err)
{
	if (ctx->blkback)
		return blkback_disks(ctx, all, n, err);
	if (ctx->env.qmp == NULL)
		return catalog_disks(ctx, all, n, err);
	if (xk_snap_live_disks(ctx->env.qmp, ctx->env.timeout_ms, all, n,
	    err) < 0)
		return -1;
	for (size_t i = 0; i < *n; i++) {
		struct xk_snap_disk *d = &(*all)[i];
		json_t *act;

		if (d->vdev == NULL)
			continue;
		/* a -drive's file name is the first image, not the active */
		act = ctx->domid ? snap_active_image(ctx, d->vdev, NULL) : NULL;
		if (act != NULL) {
			free(d->path);
			d->path = strdup(xk_jstr(act, "path"));
			json_decref(act);
		}
		xk_snap_pick_backend(&ctx->env, d);
	}
	return 0;
}

/* Run every backend's prepare (create: false) or create (true). */
static int
run_groups(struct xk_snap_ctx *ctx, json_t *disks, bool create,
    struct xk_error *err)
{
	for (size_t i = 0; xk_snap_backends[i] != NULL; i++) {
		const struct xk_snap_backend *be = xk_snap_backends[i];
		json_t *g = snap_group(disks, be);
		int r = 0;

		if (json_array_size(g) > 0)
			r = create ? be->create(&ctx->env, g, err) :
			    be->prepare(&ctx->env, g, err);
		json_decref(g);
		if (r < 0)
			return -1;
	}
	return 0;
}

/*
 * The freeze: every disk at the same instant.  qcow2 disks alone need
 * only QEMU's transaction; any disk whose backend works outside QEMU
 * (reflink) needs the vCPUs stopped around all of them.
 */
static int
freeze(struct xk_snap_ctx *ctx, json_t *plan, struct xk_error *err)
{
	json_t *disks = json_object_get(plan, "disks"), *d, *r;
	bool pause = false;
	double t0;
	size_t i;

	json_array_foreach(disks, i, d)
		pause = pause || (snap_backend_of(d)->caps & XK_SNAP_CAP_PAUSE);
	pause = pause && ctx->env.qmp != NULL &&
	    strcmp(xk_jstr(plan, "vmstate"), "running") == 0;
	t0 = xk_mono_seconds();
	if (pause) {
		r = xk_qmp_execute(ctx->env.qmp, "stop", NULL,
		    ctx->env.timeout_ms, err);
		if (r == NULL)
			return -1;
		json_decref(r);
	}
	if (run_groups(ctx, disks, true, err) < 0 ||
	    snap_journal_step(ctx, "create", 3, err) < 0)
		return -1;
	snap_resume(ctx, plan);
	if (pause)
		ctx->env.freeze_ms = (xk_mono_seconds() - t0) * 1e3;
	return 0;
}

/* fsync every disk's file or volume (see freeze_blkback). */
static int
sync_disks(json_t *disks, struct xk_error *err)
{
	json_t *d;
	size_t i;

	json_array_foreach(disks, i, d) {
		int fd = open(xk_jstr(d, "path"), O_RDONLY | O_CLOEXEC);

		if (fd < 0 || fsync(fd) < 0) {
			xk_error_errno(err, errno, "flush disk %s (%s)",
			    xk_jstr(d, "vdev"), xk_jstr(d, "path"));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(fd);
	}
	return 0;
}

/*
 * The freeze of a domain whose disks blkback serves: the domain paused
 * through libxl (unless it was paused already), every disk's copy made
 * (LVM snapshot, reflink copy), step 3 (the commit point), unpause.
 *
 * Why the copies are crash-consistent, each and together: once the
 * vCPUs are paused the guest issues no request, so every write it has
 * seen complete was issued before the pause.  Such a write is in the
 * copy: blkback completes a write when the device below has it, and
 * for an LV lvcreate suspends the origin (device-mapper waits for the
 * I/O in flight) before the snapshot starts; for a raw file, blkback's
 * loop device writes into the file's page cache, and FICLONE writes the
 * source's dirty pages back before it shares the extents.  Requests
 * still in flight at the pause may or may not be in: the guest has not
 * seen them complete, as with a power cut.  All disks are copied within
 * one pause, so they are consistent with each other.  The fsyncs (each
 * disk's volume or file; for a file, what its loop device wrote) put
 * the data the copies share on stable storage; the first, before the
 * pause, keeps the second, inside it, short.
 *
 * Every error path unpauses; a kill while paused leaves the journal
 * with xen_pause, and repair unpauses first (recover).
 */
static int
freeze_blkback(struct xk_snap_ctx *ctx, json_t *plan, struct xk_error *err)
{
	json_t *disks = json_object_get(plan, "disks");
	bool pause = json_object_get(plan, "xen_pause") != NULL;
	uint32_t domid = (uint32_t)xk_jint(plan, "xen_pause");
	struct xk_error e = { 0 };
	double t0;
	int r;

	if (sync_disks(disks, err) < 0)
		return -1;
	t0 = xk_mono_seconds();
	if (pause && xk_snap_xen_pause(domid, err) < 0)
		return -1;
	xk_snap_fault(&ctx->env, "pause:1");
	r = sync_disks(disks, err) < 0 || run_groups(ctx, disks, true,
	    err) < 0 || snap_journal_step(ctx, "create", 3, err) < 0 ? -1 : 0;
	if (pause && xk_snap_xen_unpause(domid, &e) < 0) {
		if (r < 0 && err != NULL) {
			char first[XK_ERROR_MAX];

			snprintf(first, sizeof(first), "%s", err->msg);
			xk_error_set(err, "%s (and %s)", first, e.msg);
		} else if (r == 0) {
			/* past the commit point: the snapshot stands */
			snap_note(ctx, "the snapshot is made, but %s", e.msg);
		}
	}
	ctx->env.freeze_ms = (xk_mono_seconds() - t0) * 1e3;
	return r;
}

/*
 * The memory half of a memory create, after step 2: save (the domain
 * stays suspended), step 3, the disks while it is, step 4 (the commit
 * point), resume.  libxl and QMP never at the same time.
 */
static int
freeze_memory(struct xk_snap_ctx *ctx, json_t *plan, struct xk_error *err)
{
	uint32_t domid = (uint32_t)xk_jint(plan, "xen_domid");
	struct xk_error e = { 0 };
	double t0;

	t0 = xk_mono_seconds();
	snap_qmp_release(ctx);
	if (xk_snap_xen_save(domid, xk_jstr(plan, "memory"), err) < 0) {
		xk_error_prefix(err, "save the memory of Xen domain %s",
		    ctx->domain);
		snap_qmp_reattach(ctx, NULL);
		return -1;
	}
	if (snap_journal_step(ctx, "create", 3, err) < 0 ||
	    snap_qmp_reattach(ctx, err) < 0 ||
	    run_groups(ctx, json_object_get(plan, "disks"), true, err) < 0)
		return -1;
	if (snap_journal_step(ctx, "create", 4, err) < 0)
		return -1;
	ctx->env.freeze_ms = (xk_mono_seconds() - t0) * 1e3;
	/* past the commit point: the snapshot stands even if this fails */
	if (snap_xen_resume(ctx, plan, &e) < 0)
		snap_note(ctx, "the snapshot is made, but the domain could not be "
		    "resumed: %s", e.msg);
	return 0;
}

/* Where a memory image goes: the catalog's directory. */
static void
memory_path(struct xk_snap_ctx *ctx, const char *name, json_int_t created,
    char *buf, size_t len)
{
	const char *cat = xk_catalog_path(ctx->cat);
	const char *slash = strrchr(cat, '/');

	snprintf(buf, len, "%.*sxk-mem-%lld-%s-%lld", slash ?
	    (int)(slash - cat + 1) : 0, cat, (long long)ctx->domid, name,
	    (long long)created);
}

int
snap_create_op(struct xk_snap_ctx *ctx, const char *name,
    const char *description, char *const *vdevs, size_t nvdevs, bool memory,
    char **made, struct xk_error *err)
{
	struct xk_snap_disk *all = NULL;
	json_t *plan = NULL, *disks, *row;
	char gen[96], mem[4200];
	char *config = NULL;
	json_int_t now = (json_int_t)time(NULL);
	size_t n = 0;
	int rc = -1;

	*made = NULL;
	if (memory && (ctx->xen.uuid[0] == '\0' || !ctx->xen.has_qmp)) {
		xk_error_set(err, "domain %s is not a running Xen domain with a "
		    "device model: a memory snapshot is saved through libxl "
		    "(as xl save -c does) and needs one", ctx->domain);
		return -1;
	}
	if (memory) {
		snap_qmp_release(ctx);
		config = xk_snap_xen_config(ctx->xen.domid, err);
		if (config == NULL || snap_qmp_reattach(ctx, err) < 0) {
			free(config);
			return -1;
		}
	}
	if (name != NULL && !xk_snap_name_ok(name)) {
		xk_error_set(err, "bad snapshot name '%s': use 1 to 64 of "
		    "A-Z a-z 0-9 . _ + : - (not starting with . or -)", name);
		return -1;
	}
	if (get_disks(ctx, &all, &n, err) < 0 ||
	    select_disks(ctx, all, n, vdevs, nvdevs, err) < 0)
		goto out;
	if (xk_catalog_begin(ctx->cat, err) < 0)
		goto out;
	if ((ctx->domid = xk_catalog_domain(ctx->cat, ctx->domain, true,
	    err)) <= 0)
		goto rollback;
	if (name == NULL) {
		if (gen_name(ctx, gen, sizeof(gen), err) < 0)
			goto rollback;
		name = gen;
	} else if ((row = snap_row(ctx, name, NULL)) != NULL) {
		xk_error_set(err, "domain %s already has a snapshot %s",
		    ctx->domain, name);
		json_decref(row);
		goto rollback;
	}
	if (next_seq(ctx, err) < 0 ||
	    (disks = create_plan_disks(ctx, all, n, err)) == NULL)
		goto rollback;
	plan = json_pack("{s:s, s:s?, s:I, s:s, s:s?, s:o}", "name", name,
	    "description", description, "created", now,
	    "vmstate", snap_vm_status(ctx), "qmp", ctx->qmp_path, "disks", disks);
	/* what freeze_blkback pauses and xen_unpause lets go */
	if (plan != NULL && ctx->blkback && strcmp(xk_jstr(plan, "vmstate"),
	    "running") == 0) {
		json_object_set_new(plan, "xen_pause",
		    json_integer(ctx->xen.domid));
		json_object_set_new(plan, "xen_uuid",
		    json_string(ctx->xen.uuid));
	}
	if (plan != NULL && memory) {
		memory_path(ctx, name, now, mem, sizeof(mem));
		json_object_set_new(plan, "memory", json_string(mem));
		json_object_set_new(plan, "config", json_string(config));
		json_object_set_new(plan, "xen_domid",
		    json_integer(ctx->xen.domid));
	}
	if (plan == NULL || snap_journal_start(ctx, "create", name, plan, err) < 0 ||
	    xk_catalog_commit(ctx->cat, err) < 0)
		goto rollback;
	xk_snap_fault_step(&ctx->env, "create", 1);
	if (run_groups(ctx, disks, false, err) < 0 ||
	    snap_journal_step(ctx, "create", 2, err) < 0)
		goto abort;
	if ((memory ? freeze_memory(ctx, plan, err) : ctx->blkback ?
	    freeze_blkback(ctx, plan, err) : freeze(ctx, plan, err)) < 0)
		goto abort;
	if (snap_finish_create(ctx, plan, err) < 0)
		goto out;	/* past the commit point: repair finishes */
	*made = strdup(name);
	rc = 0;
	goto out;
abort:
	{
		struct xk_error e2 = { 0 };

		if (snap_abort_create(ctx, plan, &e2) < 0)
			xk_error_prefix(err, "(and undoing it failed: %s, run "
			    "xk snapshot repair %s)", e2.msg, ctx->domain);
	}
	goto out;
rollback:
	xk_catalog_rollback(ctx->cat);
out:
	json_decref(plan);
	xk_snap_disks_free(all, n);
	free(config);
	return rc;
}

/*
 * Was an interrupted create's commit point passed?  The first backend's
 * create is it when it has disks (xk_snap_backends: qcow2, whose one
 * QMP transaction is the freeze; the other backends' copies are then
 * made now: the guest has been stopped since); otherwise every copy
 * must exist.  Returns 1 (finish), 0 (roll back) or -1.
 */
int
snap_create_done(struct xk_snap_ctx *ctx, json_t *plan, json_int_t step,
    struct xk_error *err)
{
	const struct xk_snap_backend *first = xk_snap_backends[0];
	json_t *disks = json_object_get(plan, "disks");
	json_t *q = snap_group(disks, first), *g;
	int c = 1;

	/* a memory create's disks are snapshotted after its memory */
	if (step < (json_object_get(plan, "memory") ? 4 : 3)) {
		c = json_array_size(q) > 0 ?
		    first->created(&ctx->env, q, err) : 1;
		for (size_t i = 1; c == 1 && json_array_size(q) == 0 &&
		    xk_snap_backends[i] != NULL; i++) {
			g = snap_group(disks, xk_snap_backends[i]);
			if (json_array_size(g) > 0)
				c = xk_snap_backends[i]->created(&ctx->env, g,
				    err);
			json_decref(g);
		}
	}
	json_decref(q);
	if (c < 0 && ctx->env.qmp == NULL)
		c = 0;
	if (c != 1)
		return c;
	/* finish the copies the freeze did not get to */
	for (size_t i = 1; xk_snap_backends[i] != NULL; i++) {
		g = snap_group(disks, xk_snap_backends[i]);
		if (json_array_size(g) > 0 &&
		    xk_snap_backends[i]->created(&ctx->env, g, err) == 0 &&
		    xk_snap_backends[i]->create(&ctx->env, g, err) < 0)
			c = -1;
		json_decref(g);
	}
	return c;
}
