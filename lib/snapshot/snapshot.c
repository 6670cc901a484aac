/*
 * snapshot.c - the engine: plans, journal, catalog updates, recovery.
 * Backends (qcow2.c) move the data; this file decides what moves where
 * and records it.  See snapshot.h for the journal protocol.
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

#include "snapshot/snapshot.h"
#include "util/strbuf.h"

#define QMP_TIMEOUT_MS 10000
/*
 * The journal step of a revert or delete whose result is in the catalog:
 * what is left (closing nodes, removing images, the guest's run state)
 * is done by settle, and by recovery when it was interrupted.
 */
#define STEP_COMMITTED 9

static const char *
jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static json_int_t
jint(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static const struct xk_snap_backend *
backend_of(json_t *disk)
{
	const struct xk_snap_backend *be = xk_snap_backend_named(jstr(disk,
	    "backend"));

	return be ? be : &xk_snap_qcow2;
}

/* The plan's disks that backend be handles (a new array). */
static json_t *
group(json_t *disks, const struct xk_snap_backend *be)
{
	json_t *g = json_array(), *d;
	size_t i;

	json_array_foreach(disks, i, d)
		if (backend_of(d) == be)
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

static void
note(struct xk_snap_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
note(struct xk_snap_ctx *ctx, const char *fmt, ...)
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
		note(ctx, "Xen domain %s: domid %u, no device model (its "
		    "disks are served by blkback)", ctx->domain,
		    ctx->xen.domid);
		return 0;
	}
	*qmp = ctx->xen.qmp;
	*lock = ctx->xen.lock;
	ctx->qmp_path = strdup(*qmp);
	note(ctx, "Xen domain %s: domid %u, device model %s", ctx->domain,
	    ctx->xen.domid, *qmp);
	return 0;
}

static void watch_qmp(struct xk_snap_ctx *ctx);

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
	watch_qmp(ctx);
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

/* --- the journal ------------------------------------------------------ */

void
xk_snap_fault(struct xk_snap_env *env, const char *point)
{
	const char *f = getenv("XK_SNAPSHOT_FAULT");
	const char *log = getenv("XK_SNAPSHOT_FAULT_LOG");
	unsigned n = ++env->faults;
	char nth[24];

	if (log != NULL) {
		/* which point is which number, for the tests' messages */
		FILE *l = fopen(log, "a");

		if (l != NULL) {
			fprintf(l, "%u %s\n", n, point);
			fclose(l);
		}
	}
	snprintf(nth, sizeof(nth), "@%u", n);
	if (f != NULL && (strcmp(f, point) == 0 || strcmp(f, nth) == 0))
		raise(SIGKILL);	/* as if killed: no cleanup at all */
}

void
xk_snap_fault_step(struct xk_snap_env *env, const char *op, int step)
{
	char point[64];

	snprintf(point, sizeof(point), "%s:%d", op, step);
	xk_snap_fault(env, point);
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

static void
watch_qmp(struct xk_snap_ctx *ctx)
{
	if (ctx->env.qmp != NULL)
		xk_qmp_set_reply_hook(ctx->env.qmp, qmp_fault, &ctx->env);
}

static int
journal_start(struct xk_snap_ctx *ctx, const char *op, const char *snap,
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

static int
journal_step(struct xk_snap_ctx *ctx, const char *op, int step,
    struct xk_error *err)
{
	if (xk_catalog_exec(ctx->cat, err, "UPDATE journal SET step = ? "
	    "WHERE domain = ?", "ii", (int64_t)step, ctx->domid) < 0)
		return -1;
	xk_snap_fault_step(&ctx->env, op, step);
	return 0;
}

/* The step of the journal row, inside the caller's transaction. */
static int
journal_mark(struct xk_snap_ctx *ctx, int step, struct xk_error *err)
{
	return xk_catalog_exec(ctx->cat, err, "UPDATE journal SET step = ? "
	    "WHERE domain = ?", "ii", (int64_t)step, ctx->domid) < 0 ? -1 : 0;
}

static int
journal_end(struct xk_snap_ctx *ctx, struct xk_error *err)
{
	return xk_catalog_exec(ctx->cat, err, "DELETE FROM journal WHERE "
	    "domain = ?", "i", ctx->domid) < 0 ? -1 : 0;
}

/* The pending journal row, or NULL (json null on error: see err). */
static json_t *
journal_get(struct xk_snap_ctx *ctx, struct xk_error *err)
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

/* --- catalog reads ----------------------------------------------------- */

static json_t *
snapshot_row(struct xk_snap_ctx *ctx, const char *name, struct xk_error *err)
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

static json_t *
active_image(struct xk_snap_ctx *ctx, const char *vdev, struct xk_error *err)
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
static json_int_t
chain_pos(struct xk_snap_ctx *ctx, json_int_t active, json_int_t id,
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
		cur = jint(json_array_get(rows, 0), "parent");
		json_decref(rows);
	}
	return -1;
}

/* --- create ------------------------------------------------------------ */

/*
 * The name of a new image of the disk whose active image is at path:
 * the original file name with ".xk-TAG" in place of any such suffix.
 */
static void
image_name(char *buf, size_t len, const char *path, const char *tag)
{
	const char *slash = strrchr(path, '/');
	const char *mark = strstr(slash ? slash : path, ".xk-");
	int keep = mark ? (int)(mark - path) : (int)strlen(path);

	snprintf(buf, len, "%.*s.xk-%s", keep, path, tag);
}

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
 * split between them.  Seen in the lab (t5120); refused.
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
			note(ctx, "disk %s skipped: %s", all[j].vdev,
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
	ctx->seq = jint(json_array_get(rows, 0), "seq");
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
		act = active_image(ctx, d->vdev, NULL);
		if (act == NULL) {
			if (xk_catalog_exec(ctx->cat, err, "INSERT INTO image "
			    "(domain, vdev, backend, path, format, active) "
			    "VALUES (?, ?, ?, ?, ?, 1)", "issss", ctx->domid,
			    d->vdev, d->be->name, d->path, d->format) < 0)
				goto fail;
			act = active_image(ctx, d->vdev, err);
			if (act == NULL)
				goto fail;
		}
		id = jint(act, "id");
		if (d->be->caps & XK_SNAP_CAP_COPY)
			snprintf(tag, sizeof(tag), "c%lld",
			    (long long)++ctx->seq);
		else
			snprintf(tag, sizeof(tag), "%lld", (long long)id);
		if (d->be->copy_name != NULL)
			d->be->copy_name(jstr(act, "path"), tag, np,
			    sizeof(np));
		else
			image_name(np, sizeof(np), jstr(act, "path"), tag);
		snprintf(node, sizeof(node), "xkc%lld", (long long)id);
		json_array_append_new(disks, json_pack("{s:s, s:s, s:s, s:s, "
		    "s:I, s:I, s:s, s:s, s:s, s:s}", "vdev", d->vdev, "path",
		    jstr(act, "path"), "format", d->format, "node",
		    d->node ? d->node : "", "size", (json_int_t)d->size,
		    "active_id", id, "frozen", jstr(act, "path"), "new_path",
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
static int
finish_create(struct xk_snap_ctx *ctx, json_t *plan, struct xk_error *err)
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
	parent = jint(json_array_get(cur, 0), "current");
	json_decref(cur);
	if (xk_catalog_exec(ctx->cat, err, "INSERT INTO snapshot (domain, "
	    "name, parent, created, description, kind, vmstate, memory, "
	    "config) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", parent ?
	    "isiisssss" : "isnisssss", ctx->domid,
	    jstr(plan, "name"), (int64_t)parent, (int64_t)jint(plan, "created"),
	    json_string_value(json_object_get(plan, "description")),
	    json_object_get(plan, "memory") ? "memory" : "disk",
	    jstr(plan, "vmstate"), json_string_value(json_object_get(plan,
	    "memory")), json_string_value(json_object_get(plan,
	    "config"))) < 0)
		goto fail;
	snap = xk_catalog_last_id(ctx->cat);
	json_array_foreach(json_object_get(plan, "disks"), i, d) {
		int64_t id = jint(d, "active_id");

		if (backend_of(d)->caps & XK_SNAP_CAP_COPY) {
			if (xk_catalog_exec(ctx->cat, err, "INSERT INTO image "
			    "(domain, vdev, backend, path, format, active) VALUES "
			    "(?, ?, ?, ?, ?, 0)", "issss", ctx->domid, jstr(d,
			    "vdev"), jstr(d, "backend"), jstr(d, "new_path"),
			    jstr(d, "format")) < 0 ||
			    xk_catalog_exec(ctx->cat, err, "INSERT INTO "
			    "snapshot_disk (snapshot, vdev, image) VALUES (?, ?, "
			    "?)", "isi", (int64_t)snap, jstr(d, "vdev"),
			    xk_catalog_last_id(ctx->cat)) < 0)
				goto fail;
			continue;
		}
		if (xk_catalog_exec(ctx->cat, err, "UPDATE image SET active = 0 "
		    "WHERE id = ?", "i", id) < 0 ||
		    xk_catalog_exec(ctx->cat, err, "INSERT INTO image (domain, "
		    "vdev, backend, path, format, parent, active) VALUES (?, ?, "
		    "?, ?, 'qcow2', ?, 1)", "isssi", ctx->domid, jstr(d, "vdev"),
		    jstr(d, "backend"), jstr(d, "new_path"), id) < 0 ||
		    xk_catalog_exec(ctx->cat, err, "INSERT INTO snapshot_disk "
		    "(snapshot, vdev, image) VALUES (?, ?, ?)", "isi",
		    (int64_t)snap, jstr(d, "vdev"), id) < 0)
			goto fail;
	}
	if (xk_catalog_exec(ctx->cat, err, "UPDATE domain SET current = ? "
	    "WHERE id = ?", "ii", (int64_t)snap, ctx->domid) < 0 ||
	    journal_end(ctx, err) < 0)
		goto fail;
	if (xk_catalog_commit(ctx->cat, err) < 0)
		return -1;
	xk_snap_fault(&ctx->env, "create:commit");
	return 0;
fail:
	xk_catalog_rollback(ctx->cat);
	return -1;
}

static const char *vm_status(struct xk_snap_ctx *ctx);

/*
 * libxl takes the device model's QMP lock itself: xk lets go of QEMU
 * around every libxl call, and talks to it again after.
 */
static void
qmp_release(struct xk_snap_ctx *ctx)
{
	xk_qmp_close(ctx->env.qmp);
	ctx->env.qmp = NULL;
}

static int
qmp_reattach(struct xk_snap_ctx *ctx, struct xk_error *err)
{
	if (ctx->env.qmp != NULL || ctx->qmp_path == NULL)
		return 0;
	ctx->env.qmp = xk_qmp_connect(ctx->qmp_path, ctx->xen.lock[0] ?
	    ctx->xen.lock : NULL, ctx->env.timeout_ms, err);
	watch_qmp(ctx);
	return ctx->env.qmp == NULL ? -1 : 0;
}

/* A memory create's domain, left suspended by its save: let it go on. */
static int
xen_resume(struct xk_snap_ctx *ctx, json_t *plan, struct xk_error *err)
{
	uint32_t domid = (uint32_t)jint(plan, "xen_domid");
	int s, r = 0;

	if (json_object_get(plan, "memory") == NULL)
		return 0;
	if ((s = xk_snap_xen_suspended(domid, err)) <= 0)
		return s;
	qmp_release(ctx);
	if (xk_snap_xen_resume(domid, err) < 0)
		r = -1;
	if (qmp_reattach(ctx, r < 0 ? NULL : err) < 0)
		r = -1;
	return r;
}

/*
 * A domain whose disks blkback serves, paused by a create
 * (freeze_blkback): let it go on.  Only when it is still that domain
 * (its UUID) and paused: called again by repair, it does nothing.
 */
static int
xen_unpause(struct xk_snap_ctx *ctx, json_t *plan, struct xk_error *err)
{
	uint32_t domid = (uint32_t)jint(plan, "xen_pause");
	int p;

	if (json_object_get(plan, "xen_pause") == NULL)
		return 0;
	if ((p = xk_snap_xen_paused(domid, jstr(plan, "xen_uuid"),
	    err)) <= 0)
		return p;
	if (xk_snap_xen_unpause(domid, err) < 0)
		return -1;
	note(ctx, "Xen domain %s (domid %u) unpaused", ctx->domain, domid);
	return 0;
}

/* Let a guest we stopped run again (it ran when the plan was made). */
static void
resume(struct xk_snap_ctx *ctx, json_t *plan)
{
	if (ctx->env.qmp == NULL || strcmp(jstr(plan, "vmstate"),
	    "running") != 0 || strcmp(vm_status(ctx), "paused") != 0)
		return;
	json_decref(xk_qmp_execute(ctx->env.qmp, "cont", NULL,
	    ctx->env.timeout_ms, NULL));
}

/* Undo a create that did not reach its commit point. */
static int
abort_create(struct xk_snap_ctx *ctx, json_t *plan, struct xk_error *err)
{
	json_t *disks = json_object_get(plan, "disks");

	for (size_t i = 0; xk_snap_backends[i] != NULL; i++) {
		json_t *g = group(disks, xk_snap_backends[i]);
		int r = json_array_size(g) == 0 ? 0 :
		    xk_snap_backends[i]->abort_create(&ctx->env, g, err);

		json_decref(g);
		if (r < 0)
			return -1;
	}
	if (json_object_get(plan, "memory") != NULL) {
		char tmp[4200];

		snprintf(tmp, sizeof(tmp), "%s.tmp", jstr(plan, "memory"));
		if ((unlink(tmp) < 0 && errno != ENOENT) ||
		    (unlink(jstr(plan, "memory")) < 0 && errno != ENOENT)) {
			xk_error_errno(err, errno, "remove the memory image %s",
			    jstr(plan, "memory"));
			return -1;
		}
	}
	resume(ctx, plan);
	if (xen_resume(ctx, plan, err) < 0 || xen_unpause(ctx, plan, err) < 0)
		return -1;
	return journal_end(ctx, err);
}

static int run_recovery(struct xk_snap_ctx *ctx, char **done,
    struct xk_error *err);

static const char *
vm_status(struct xk_snap_ctx *ctx)
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
static int
offline_guard(struct xk_snap_ctx *ctx, struct xk_error *err)
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
		    jstr(r, "format"), jstr(r, "path"), NULL };
		struct xk_error e = { 0 };

		if (xk_snap_run(argv, &e) == 0)
			continue;
		if (strstr(e.msg, "lock") != NULL)
			xk_error_set(err, "domain %s: disk %s (%s) is in use by "
			    "a running QEMU: give its QMP socket with --qmp",
			    ctx->domain, jstr(r, "vdev"), jstr(r, "path"));
		else
			xk_error_set(err, "domain %s: disk %s: %s", ctx->domain,
			    jstr(r, "vdev"), e.msg);
		rc = -1;
		break;
	}
	json_decref(rows);
	return rc;
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
	if (offline_guard(ctx, err) < 0)
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

		d->vdev = strdup(jstr(r, "vdev"));
		d->path = strdup(jstr(r, "path"));
		d->format = strdup(jstr(r, "format"));
		if (strcmp(d->format, "qcow2") == 0 &&
		    xk_qcow2_size(d->path, &d->size, err) < 0) {
			json_decref(rows);
			return -1;
		}
		xk_snap_pick_backend(&ctx->env, d);
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
		act = ctx->domid ? active_image(ctx, d->vdev, NULL) : NULL;
		if (act != NULL) {
			free(d->path);
			d->path = strdup(jstr(act, "path"));
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
		json_t *g = group(disks, be);
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

static double
ms_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1e3 + (b.tv_nsec - a->tv_nsec) / 1e6;
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
	struct timespec t0;
	size_t i;

	json_array_foreach(disks, i, d)
		pause = pause || (backend_of(d)->caps & XK_SNAP_CAP_PAUSE);
	pause = pause && ctx->env.qmp != NULL &&
	    strcmp(jstr(plan, "vmstate"), "running") == 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (pause) {
		r = xk_qmp_execute(ctx->env.qmp, "stop", NULL,
		    ctx->env.timeout_ms, err);
		if (r == NULL)
			return -1;
		json_decref(r);
	}
	if (run_groups(ctx, disks, true, err) < 0 ||
	    journal_step(ctx, "create", 3, err) < 0)
		return -1;
	resume(ctx, plan);
	if (pause)
		ctx->env.freeze_ms = ms_since(&t0);
	return 0;
}

/* fsync every disk's file or volume (see freeze_blkback). */
static int
sync_disks(json_t *disks, struct xk_error *err)
{
	json_t *d;
	size_t i;

	json_array_foreach(disks, i, d) {
		int fd = open(jstr(d, "path"), O_RDONLY | O_CLOEXEC);

		if (fd < 0 || fsync(fd) < 0) {
			xk_error_errno(err, errno, "flush disk %s (%s)",
			    jstr(d, "vdev"), jstr(d, "path"));
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
	uint32_t domid = (uint32_t)jint(plan, "xen_pause");
	struct xk_error e = { 0 };
	struct timespec t0;
	int r;

	if (sync_disks(disks, err) < 0)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (pause && xk_snap_xen_pause(domid, err) < 0)
		return -1;
	xk_snap_fault(&ctx->env, "pause:1");
	r = sync_disks(disks, err) < 0 || run_groups(ctx, disks, true,
	    err) < 0 || journal_step(ctx, "create", 3, err) < 0 ? -1 : 0;
	if (pause && xk_snap_xen_unpause(domid, &e) < 0) {
		if (r < 0 && err != NULL) {
			char first[XK_ERROR_MAX];

			snprintf(first, sizeof(first), "%s", err->msg);
			xk_error_set(err, "%s (and %s)", first, e.msg);
		} else if (r == 0) {
			/* past the commit point: the snapshot stands */
			note(ctx, "the snapshot is made, but %s", e.msg);
		}
	}
	ctx->env.freeze_ms = ms_since(&t0);
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
	uint32_t domid = (uint32_t)jint(plan, "xen_domid");
	struct xk_error e = { 0 };
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	qmp_release(ctx);
	if (xk_snap_xen_save(domid, jstr(plan, "memory"), err) < 0) {
		xk_error_prefix(err, "save the memory of Xen domain %s",
		    ctx->domain);
		qmp_reattach(ctx, NULL);
		return -1;
	}
	if (journal_step(ctx, "create", 3, err) < 0 ||
	    qmp_reattach(ctx, err) < 0 ||
	    run_groups(ctx, json_object_get(plan, "disks"), true, err) < 0)
		return -1;
	if (journal_step(ctx, "create", 4, err) < 0)
		return -1;
	ctx->env.freeze_ms = ms_since(&t0);
	/* past the commit point: the snapshot stands even if this fails */
	if (xen_resume(ctx, plan, &e) < 0)
		note(ctx, "the snapshot is made, but the domain could not be "
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

static int
create(struct xk_snap_ctx *ctx, const char *name, const char *description,
    char *const *vdevs, size_t nvdevs, bool memory, char **made,
    struct xk_error *err)
{
	struct xk_snap_disk *all = NULL;
	json_t *plan = NULL, *disks, *row;
	char gen[96], mem[4200];
	char *config = NULL;
	json_int_t now = (json_int_t)time(NULL);
	size_t n = 0;
	int rc = -1;

	*made = NULL;
	if (run_recovery(ctx, NULL, err) < 0)
		return -1;
	if (memory && (ctx->xen.uuid[0] == '\0' || !ctx->xen.has_qmp)) {
		xk_error_set(err, "domain %s is not a running Xen domain with a "
		    "device model: a memory snapshot is saved through libxl "
		    "(as xl save -c does) and needs one", ctx->domain);
		return -1;
	}
	if (memory) {
		qmp_release(ctx);
		config = xk_snap_xen_config(ctx->xen.domid, err);
		if (config == NULL || qmp_reattach(ctx, err) < 0) {
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
	} else if ((row = snapshot_row(ctx, name, NULL)) != NULL) {
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
	    "vmstate", vm_status(ctx), "qmp", ctx->qmp_path, "disks", disks);
	/* what freeze_blkback pauses and xen_unpause lets go */
	if (plan != NULL && ctx->blkback && strcmp(jstr(plan, "vmstate"),
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
	if (plan == NULL || journal_start(ctx, "create", name, plan, err) < 0 ||
	    xk_catalog_commit(ctx->cat, err) < 0)
		goto rollback;
	xk_snap_fault_step(&ctx->env, "create", 1);
	if (run_groups(ctx, disks, false, err) < 0 ||
	    journal_step(ctx, "create", 2, err) < 0)
		goto abort;
	if ((memory ? freeze_memory(ctx, plan, err) : ctx->blkback ?
	    freeze_blkback(ctx, plan, err) : freeze(ctx, plan, err)) < 0)
		goto abort;
	if (finish_create(ctx, plan, err) < 0)
		goto out;	/* past the commit point: repair finishes */
	*made = strdup(name);
	rc = 0;
	goto out;
abort:
	{
		struct xk_error e2 = { 0 };

		if (abort_create(ctx, plan, &e2) < 0)
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

int
xk_snap_create(struct xk_snap_ctx *ctx, const char *name,
    const char *description, char *const *vdevs, size_t nvdevs,
    char **made, struct xk_error *err)
{
	return create(ctx, name, description, vdevs, nvdevs, false, made,
	    err);
}

int
xk_snap_create_memory(struct xk_snap_ctx *ctx, const char *name,
    const char *description, char *const *vdevs, size_t nvdevs,
    char **made, struct xk_error *err)
{
	return create(ctx, name, description, vdevs, nvdevs, true, made,
	    err);
}

/* --- revert ------------------------------------------------------------ */

static json_t *
snapshot_disks(struct xk_snap_ctx *ctx, json_int_t snap, struct xk_error *err)
{
	return xk_catalog_query(ctx->cat, err, "SELECT sd.vdev AS vdev, "
	    "i.id AS id, i.path AS path, i.format AS format, i.backend AS "
	    "backend, i.parent AS parent FROM snapshot_disk sd JOIN image i "
	    "ON i.id = sd.image WHERE sd.snapshot = ? ORDER BY sd.vdev", "i",
	    (int64_t)snap);
}

static json_t *
revert_plan_disks(struct xk_snap_ctx *ctx, json_t *sdisks,
    struct xk_error *err)
{
	json_t *disks = json_array(), *sd;
	size_t i;

	json_array_foreach(sdisks, i, sd) {
		json_t *act = active_image(ctx, jstr(sd, "vdev"), err);
		char np[4200], tag[32], node[32], *top = NULL;
		uint64_t size;
		json_int_t pos;

		if (act != NULL && ctx->env.qmp != NULL &&
		    !(backend_of(sd)->caps & XK_SNAP_CAP_LIVE_REVERT)) {
			xk_error_set(err, "disk %s (%s, %s): reverting it needs "
			    "the domain stopped", jstr(sd, "vdev"), jstr(act,
			    "path"), jstr(sd, "backend"));
			json_decref(act);
			goto fail;
		}
		if (act != NULL && backend_of(sd)->caps & XK_SNAP_CAP_COPY) {
			snprintf(tag, sizeof(tag), "%lld%d",
			    (long long)time(NULL) % 100000000, (int)getpid());
			json_array_append_new(disks, json_pack("{s:s, s:s, s:s, "
			    "s:s, s:I, s:s}", "vdev", jstr(sd, "vdev"), "path",
			    jstr(act, "path"), "target_path", jstr(sd, "path"),
			    "backend", jstr(sd, "backend"), "target_id",
			    jint(sd, "id"), "tag", tag));
			json_decref(act);
			continue;
		}
		if (act == NULL || xk_qcow2_size(jstr(sd, "path"), &size,
		    err) < 0) {
			json_decref(act);
			goto fail;
		}
		pos = chain_pos(ctx, jint(act, "id"), jint(sd, "id"), err);
		snprintf(tag, sizeof(tag), "r%lld", (long long)jint(act, "id"));
		image_name(np, sizeof(np), jstr(act, "path"), tag);
		snprintf(node, sizeof(node), "xkr%lld",
		    (long long)jint(act, "id"));
		/* the device's top node now: how a rerun knows its progress */
		if (ctx->env.qmp != NULL && (top = xk_snap_live_top(
		    ctx->env.qmp, jstr(sd, "vdev"), ctx->env.timeout_ms,
		    err)) == NULL) {
			json_decref(act);
			goto fail;
		}
		json_array_append_new(disks, json_pack("{s:s, s:s, s:s, s:s, "
		    "s:I, s:I, s:s, s:s, s:I, s:I, s:s, s:s}", "vdev", jstr(sd,
		    "vdev"), "path", jstr(act, "path"), "new_path", np, "new_node",
		    node, "active_id", jint(act, "id"), "target_id", jint(sd,
		    "id"), "target_path", jstr(sd, "path"), "target_format",
		    jstr(sd, "format"), "target_pos", pos, "size",
		    (json_int_t)size, "backend", jstr(sd, "backend"), "old_node",
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
		if (backend_of(d)->caps & XK_SNAP_CAP_COPY)
			continue;	/* the active image stays */
		if (xk_catalog_exec(ctx->cat, err, "DELETE FROM image WHERE "
		    "id = ? AND active = 1", "i", (int64_t)jint(d,
		    "active_id")) < 0 ||
		    xk_catalog_exec(ctx->cat, err, "INSERT INTO image (domain, "
		    "vdev, backend, path, format, parent, active) VALUES (?, ?, "
		    "?, ?, 'qcow2', ?, 1)", "isssi", ctx->domid, jstr(d, "vdev"),
		    jstr(d, "backend"), jstr(d, "new_path"),
		    (int64_t)jint(d, "target_id")) < 0)
			goto fail;
	}
	if (xk_catalog_exec(ctx->cat, err, "UPDATE domain SET current = ? "
	    "WHERE id = ?", "ii", (int64_t)jint(plan, "snapshot_id"),
	    ctx->domid) < 0 || journal_mark(ctx, STEP_COMMITTED, err) < 0)
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
 * Close the block nodes xenkit opened (all named "xk...") that nothing
 * uses any more: no device, node or job above them in QEMU's block
 * graph.  Found by what they are, not by their names' shape: whatever
 * an interrupted run left open (a file node whose format node was
 * closed, a scratch overlay) goes too.  Closing a format node leaves
 * its file node unused, closed in the next pass.  Returns how many
 * were closed, -1 when QEMU cannot be asked; a node QEMU refuses to
 * close is noted and left.
 */
static int
prune_nodes(struct xk_snap_ctx *ctx, struct xk_error *err)
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
				note(ctx, "block node %s left open: %s",
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
static void
gc_images(struct xk_snap_ctx *ctx)
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
			    jstr(r, "path"), "action", "unlink", "backend",
			    jstr(r, "backend"));

			if (backend_of(d)->delete(&ctx->env, d, NULL) == 0 &&
			    xk_catalog_exec(ctx->cat, NULL, "DELETE FROM "
			    "image WHERE id = ?", "i",
			    (int64_t)jint(r, "id")) == 0)
				xk_snap_fault(&ctx->env, "gc:row");
			json_decref(d);
		}
		json_decref(rows);
	}
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
		note(ctx, "Xen domain %s (domid %u) destroyed", ctx->domain,
		    x.domid);
	}
	json_array_foreach(json_object_get(plan, "disks"), i, d)
		if (backend_of(d)->revert(&ctx->env, d, err) < 0) {
			xk_error_prefix(err, "disk %s", jstr(d, "vdev"));
			return -1;
		}
	if (journal_step(ctx, "revert", 3, err) < 0)
		return -1;
	/* every disk on its active image, the reverted ones on their new */
	if ((targets = xk_catalog_query(ctx->cat, err, "SELECT vdev, path "
	    "FROM image WHERE domain = ? AND active = 1", "i",
	    ctx->domid)) == NULL)
		return -1;
	act = targets;
	targets = json_object();
	json_array_foreach(act, i, d)
		json_object_set_new(targets, jstr(d, "vdev"),
		    json_string(jstr(d, "path")));
	json_decref(act);
	json_array_foreach(json_object_get(plan, "disks"), i, d)
		json_object_set_new(targets, jstr(d, "vdev"), json_string(
		    json_object_get(d, "new_path") ? jstr(d, "new_path") :
		    jstr(d, "path")));
	/* with no memory image, a new domain boots on the reverted disks */
	r = xk_snap_xen_start(jstr(plan, "config"), targets,
	    json_object_get(plan, "memory") ? jstr(plan, "memory") : NULL,
	    &domid, err);
	json_decref(targets);
	if (r < 0) {
		xk_error_prefix(err, "%s Xen domain %s (snapshot %s)",
		    json_object_get(plan, "memory") ? "restore" : "boot again",
		    ctx->domain, jstr(plan, "name"));
		return -1;
	}
	if (json_object_get(plan, "memory") != NULL)
		note(ctx, "Xen domain %s restored from %s: domid %u",
		    ctx->domain, jstr(plan, "memory"), domid);
	else
		note(ctx, "Xen domain %s booted again on the reverted disks: "
		    "domid %u", ctx->domain, domid);
	return journal_step(ctx, "revert", 4, err);
}

/*
 * After a revert's or a delete's catalog commit (STEP_COMMITTED): close
 * the nodes nothing uses, remove the images nothing needs, let a guest
 * the revert stopped run again (rebooted: its memory no longer matches
 * its disks), and only then end the journal, so that recovery does
 * whatever of it an interruption left undone.  Every part can run
 * again.
 */
static int
settle(struct xk_snap_ctx *ctx, json_t *plan, struct xk_error *err)
{
	json_t *r;

	if (prune_nodes(ctx, err) < 0)
		return -1;
	gc_images(ctx);
	if (ctx->env.qmp != NULL && json_is_true(json_object_get(plan,
	    "was_running"))) {
		if ((r = xk_qmp_execute(ctx->env.qmp, "system_reset", NULL,
		    ctx->env.timeout_ms, err)) == NULL)
			return -1;
		json_decref(r);
		if (strcmp(vm_status(ctx), "running") != 0 &&
		    (r = xk_qmp_execute(ctx->env.qmp, "cont", NULL,
		    ctx->env.timeout_ms, err)) == NULL)
			return -1;
		json_decref(r);
	}
	return journal_end(ctx, err);
}

/* Roll a revert forward from step (2 or more: its new images exist). */
static int
revert_forward(struct xk_snap_ctx *ctx, json_t *plan, json_int_t step,
    struct xk_error *err)
{
	json_t *d;
	size_t i;

	if (json_object_get(plan, "restore") != NULL) {
		if ((step < 4 && revert_domain(ctx, plan, err) < 0) ||
		    finish_revert(ctx, plan, err) < 0)
			return -1;
		return settle(ctx, plan, err);
	}
	if (ctx->env.qmp != NULL && strcmp(vm_status(ctx), "running") == 0) {
		json_t *r = xk_qmp_execute(ctx->env.qmp, "stop", NULL,
		    ctx->env.timeout_ms, err);

		if (r == NULL)
			return -1;
		json_decref(r);
	}
	json_array_foreach(json_object_get(plan, "disks"), i, d)
		if (backend_of(d)->revert(&ctx->env, d, err) < 0) {
			xk_error_prefix(err, "disk %s", jstr(d, "vdev"));
			return -1;
		}
	if (journal_step(ctx, "revert", 3, err) < 0 ||
	    finish_revert(ctx, plan, err) < 0)
		return -1;
	return settle(ctx, plan, err);
}

static int
revert_back(struct xk_snap_ctx *ctx, json_t *plan, struct xk_error *err)
{
	json_t *d;
	size_t i;

	json_array_foreach(json_object_get(plan, "disks"), i, d)
		if (json_object_get(d, "new_path") != NULL) {
			if (unlink(jstr(d, "new_path")) < 0 && errno != ENOENT) {
				xk_error_errno(err, errno, "remove %s",
				    jstr(d, "new_path"));
				return -1;
			}
			xk_snap_fault(&ctx->env, "revert:unlink");
		}
	if (prune_nodes(ctx, err) < 0)
		return -1;
	return journal_end(ctx, err);
}

int
xk_snap_revert(struct xk_snap_ctx *ctx, const char *name,
    struct xk_error *err)
{
	json_t *snap = NULL, *sdisks = NULL, *disks, *plan = NULL, *d;
	bool mem, running, restart;
	char *config = NULL;
	size_t i;
	int rc = -1;

	if (run_recovery(ctx, NULL, err) < 0)
		return -1;
	if ((snap = snapshot_row(ctx, name, err)) == NULL ||
	    (sdisks = snapshot_disks(ctx, jint(snap, "id"), err)) == NULL)
		goto out;
	/*
	 * A memory snapshot brings the whole domain back: destroyed (if it
	 * runs) and restored by libxl, so its disks change with no QEMU.
	 */
	mem = jstr(snap, "memory")[0] != '\0';
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
		qmp_release(ctx);
	if (restart && (config = xk_snap_xen_config(ctx->xen.domid,
	    err)) == NULL)
		goto out;
	if (ctx->env.qmp == NULL && !running && offline_guard(ctx, err) < 0)
		goto out;
	if (xk_catalog_begin(ctx->cat, err) < 0)
		goto out;
	if ((disks = revert_plan_disks(ctx, sdisks, err)) == NULL) {
		xk_catalog_rollback(ctx->cat);
		goto out;
	}
	plan = json_pack("{s:s, s:I, s:b, s:s?, s:o}", "name", name,
	    "snapshot_id", jint(snap, "id"), "was_running",
	    strcmp(vm_status(ctx), "running") == 0, "qmp", mem || restart ?
	    NULL : ctx->qmp_path, "disks", disks);
	if (mem) {
		json_object_set_new(plan, "restore", json_true());
		json_object_set_new(plan, "memory", json_string(jstr(snap,
		    "memory")));
		json_object_set_new(plan, "config", json_string(jstr(snap,
		    "config")));
	} else if (restart) {
		json_object_set_new(plan, "restore", json_true());
		json_object_set_new(plan, "config", json_string(config));
	}
	if (journal_start(ctx, "revert", name, plan, err) < 0 ||
	    xk_catalog_commit(ctx->cat, err) < 0) {
		xk_catalog_rollback(ctx->cat);
		goto out;
	}
	xk_snap_fault_step(&ctx->env, "revert", 1);
	json_array_foreach(disks, i, d)
		if (backend_of(d)->revert_prepare(&ctx->env, d, err) < 0) {
			struct xk_error e2 = { 0 };

			revert_back(ctx, plan, &e2);
			goto out;
		}
	if (journal_step(ctx, "revert", 2, err) < 0 ||
	    revert_forward(ctx, plan, 2, err) < 0)
		goto out;
	rc = 0;
out:
	free(config);
	json_decref(plan);
	json_decref(snap);
	json_decref(sdisks);
	return rc;
}

/* --- delete ------------------------------------------------------------ */

static json_t *
delete_plan_disk(struct xk_snap_ctx *ctx, json_t *sd, struct xk_error *err)
{
	json_t *kids = xk_catalog_query(ctx->cat, err, "SELECT * FROM image "
	    "WHERE parent = ?", "i", (int64_t)jint(sd, "id"));
	json_t *d = NULL, *kid, *act;
	char *backing = NULL, *bfmt = NULL;
	const char *action;

	if (kids == NULL)
		return NULL;
	action = json_array_size(kids) == 0 ? "unlink" :
	    json_array_size(kids) == 1 ? "merge" : "keep";
	d = json_pack("{s:s, s:I, s:s, s:s, s:s}", "vdev", jstr(sd, "vdev"),
	    "image_id", jint(sd, "id"), "path", jstr(sd, "path"), "action",
	    action, "backend", jstr(sd, "backend"));
	if (strcmp(action, "merge") != 0)
		goto out;
	kid = json_array_get(kids, 0);
	if (xk_qcow2_backing(jstr(sd, "path"), &backing, err) < 0 ||
	    (backing[0] != '\0' && (bfmt = xk_qcow2_backing_format(jstr(sd,
	    "path"), err)) == NULL) ||
	    (act = active_image(ctx, jstr(sd, "vdev"), err)) == NULL) {
		json_decref(d);
		d = NULL;
		goto out;
	}
	json_object_set_new(d, "child_id", json_integer(jint(kid, "id")));
	json_object_set_new(d, "child_path", json_string(jstr(kid, "path")));
	json_object_set_new(d, "child_pos", json_integer(chain_pos(ctx,
	    jint(act, "id"), jint(kid, "id"), err)));
	json_object_set_new(d, "backing", json_string(backing));
	json_object_set_new(d, "backing_format", json_string(bfmt ? bfmt :
	    ""));
	json_decref(act);
out:
	free(backing);
	free(bfmt);
	json_decref(kids);
	return d;
}

static int
finish_delete(struct xk_snap_ctx *ctx, json_t *plan, struct xk_error *err)
{
	int64_t sid = jint(plan, "snapshot_id");
	json_t *d, *rows;
	json_int_t parent;
	size_t i;

	if (xk_catalog_begin(ctx->cat, err) < 0)
		return -1;
	rows = xk_catalog_query(ctx->cat, err, "SELECT parent FROM snapshot "
	    "WHERE id = ?", "i", sid);
	if (rows == NULL)
		goto fail;
	parent = jint(json_array_get(rows, 0), "parent");
	json_decref(rows);
	if (xk_catalog_exec(ctx->cat, err, "DELETE FROM snapshot_disk WHERE "
	    "snapshot = ?", "i", sid) < 0)
		goto fail;
	json_array_foreach(json_object_get(plan, "disks"), i, d) {
		const char *action = jstr(d, "action");
		int64_t id = jint(d, "image_id");

		if (strcmp(action, "keep") == 0)
			continue;
		if (strcmp(action, "merge") == 0 && xk_catalog_exec(ctx->cat,
		    err, "UPDATE image SET parent = (SELECT parent FROM image "
		    "WHERE id = ?) WHERE id = ?", "ii", id,
		    (int64_t)jint(d, "child_id")) < 0)
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
	    "i", sid) < 0 || journal_mark(ctx, STEP_COMMITTED, err) < 0)
		goto fail;
	if (xk_catalog_commit(ctx->cat, err) < 0)
		return -1;
	xk_snap_fault(&ctx->env, "delete:commit");
	return 0;
fail:
	xk_catalog_rollback(ctx->cat);
	return -1;
}

static int
delete_forward(struct xk_snap_ctx *ctx, json_t *plan, struct xk_error *err)
{
	json_t *d;
	size_t i;

	json_array_foreach(json_object_get(plan, "disks"), i, d)
		if (backend_of(d)->delete(&ctx->env, d, err) < 0) {
			xk_error_prefix(err, "disk %s", jstr(d, "vdev"));
			return -1;
		}
	if (json_object_get(plan, "memory") != NULL && unlink(jstr(plan,
	    "memory")) < 0 && errno != ENOENT) {
		xk_error_errno(err, errno, "remove the memory image %s",
		    jstr(plan, "memory"));
		return -1;
	}
	if (journal_step(ctx, "delete", 2, err) < 0 ||
	    finish_delete(ctx, plan, err) < 0)
		return -1;
	return settle(ctx, plan, err);
}

int
xk_snap_delete(struct xk_snap_ctx *ctx, const char *name,
    struct xk_error *err)
{
	json_t *snap = NULL, *sdisks = NULL, *disks, *plan = NULL, *sd;
	size_t i;
	int rc = -1;

	if (run_recovery(ctx, NULL, err) < 0)
		return -1;
	if ((snap = snapshot_row(ctx, name, err)) == NULL ||
	    (sdisks = snapshot_disks(ctx, jint(snap, "id"), err)) == NULL)
		goto out;
	/*
	 * A live delete changes no data the guest sees (the stream job
	 * copies into the image above): allowed under a running Xen
	 * guest too, unlike a revert.
	 */
	if (ctx->env.qmp == NULL && offline_guard(ctx, err) < 0)
		goto out;
	if (xk_catalog_begin(ctx->cat, err) < 0)
		goto out;
	disks = json_array();
	plan = json_pack("{s:s, s:I, s:s?, s:s?, s:o}", "name", name,
	    "snapshot_id", jint(snap, "id"), "qmp", ctx->qmp_path, "memory",
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
	if (journal_start(ctx, "delete", name, plan, err) < 0 ||
	    xk_catalog_commit(ctx->cat, err) < 0) {
		xk_catalog_rollback(ctx->cat);
		goto out;
	}
	xk_snap_fault_step(&ctx->env, "delete", 1);
	if (delete_forward(ctx, plan, err) < 0)
		goto out;
	rc = 0;
out:
	json_decref(plan);
	json_decref(snap);
	json_decref(sdisks);
	return rc;
}

/* --- repair -------------------------------------------------------------- */

/*
 * Was an interrupted create's commit point passed?  qcow2's transaction
 * is it when there are qcow2 disks (the other backends' copies are then
 * made now: the guest has been stopped since); otherwise every copy
 * must exist.  Returns 1 (finish), 0 (roll back) or -1.
 */
static int
create_done(struct xk_snap_ctx *ctx, json_t *plan, json_int_t step,
    struct xk_error *err)
{
	json_t *disks = json_object_get(plan, "disks");
	json_t *q = group(disks, &xk_snap_qcow2), *g;
	int c = 1;

	/* a memory create's disks are snapshotted after its memory */
	if (step < (json_object_get(plan, "memory") ? 4 : 3)) {
		c = json_array_size(q) > 0 ?
		    xk_snap_qcow2.created(&ctx->env, q, err) : 1;
		for (size_t i = 1; c == 1 && json_array_size(q) == 0 &&
		    xk_snap_backends[i] != NULL; i++) {
			g = group(disks, xk_snap_backends[i]);
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
		g = group(disks, xk_snap_backends[i]);
		if (json_array_size(g) > 0 &&
		    xk_snap_backends[i]->created(&ctx->env, g, err) == 0 &&
		    xk_snap_backends[i]->create(&ctx->env, g, err) < 0)
			c = -1;
		json_decref(g);
	}
	return c;
}

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
		qmp_release(ctx);
		return 0;
	}
	if (ctx->env.qmp != NULL || path == NULL)
		return ctx->env.qmp == NULL ? offline_guard(ctx, err) : 0;
	ctx->env.qmp = xk_qmp_connect(path, NULL, ctx->env.timeout_ms, &e);
	watch_qmp(ctx);
	if (ctx->env.qmp != NULL)
		return 0;
	if (e.errnum != ENOENT && e.errnum != ECONNREFUSED) {
		*err = e;
		xk_error_prefix(err, "the interrupted operation's QEMU");
		return -1;
	}
	return offline_guard(ctx, err);
}

static int
recover(struct xk_snap_ctx *ctx, json_t *j, char **done, struct xk_error *err)
{
	const char *op = jstr(j, "op");
	json_int_t step = jint(j, "step");
	json_error_t je;
	json_t *plan = json_loads(jstr(j, "plan"), 0, &je);
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
	if (strcmp(op, "create") == 0 && xen_unpause(ctx, plan, err) < 0)
		goto out;
	if (attach_plan_qmp(ctx, plan, err) < 0)
		goto out;
	if (strcmp(op, "create") == 0) {
		int c;

		if ((c = create_done(ctx, plan, step, err)) < 0)
			goto out;
		fwd = c == 1;
		r = fwd ? finish_create(ctx, plan, err) : abort_create(ctx,
		    plan, err);
		if (r == 0)
			resume(ctx, plan);
		if (r == 0 && fwd && xen_resume(ctx, plan, err) < 0)
			r = -1;
	} else if (step >= STEP_COMMITTED &&
	    (strcmp(op, "revert") == 0 || strcmp(op, "delete") == 0)) {
		r = settle(ctx, plan, err);
	} else if (strcmp(op, "revert") == 0) {
		fwd = step >= 2;
		r = fwd ? revert_forward(ctx, plan, step, err) :
		    revert_back(ctx, plan, err);
	} else if (strcmp(op, "delete") == 0) {
		r = delete_forward(ctx, plan, err);
	} else {
		xk_error_set(err, "journal of domain %s: unknown operation %s",
		    ctx->domain, op);
	}
	snprintf(what, sizeof(what), "%s %s of snapshot %s (interrupted "
	    "after step %lld)", fwd ? "finished" : "rolled back", op,
	    jstr(j, "snapshot"), (long long)step);
	if (r == 0 && done != NULL)
		*done = strdup(what);
	if (r == 0)
		note(ctx, "%s", what);
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
	j = journal_get(ctx, err);
	if (json_is_null(j))
		return -1;
	if (j == NULL)
		return 0;
	r = recover(ctx, j, done, err);
	if (r < 0)
		xk_error_prefix(err, "domain %s: an interrupted %s of %s "
		    "cannot be completed yet", ctx->domain, jstr(j, "op"),
		    jstr(j, "snapshot"));
	json_decref(j);
	return r;
}

int
xk_snap_repair(struct xk_snap_ctx *ctx, char **done, struct xk_error *err)
{
	char what[96];
	int closed;

	if (run_recovery(ctx, done, err) < 0)
		return -1;
	/* and whatever a run killed outside its journal left open */
	if ((closed = prune_nodes(ctx, err)) < 0) {
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
	json_t *rows = snapshot_disks(ctx, snap, err), *out, *r;
	size_t i;

	if (rows == NULL)
		return NULL;
	out = json_array();
	json_array_foreach(rows, i, r)
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s}",
		    "vdev", jstr(r, "vdev"), "backend", jstr(r, "backend"),
		    "path", jstr(r, "path"), "format", jstr(r, "format")));
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
		json_t *disks = list_disks(ctx, jint(r, "id"), err);

		if (disks == NULL)
			goto fail;
		json_object_set_new(r, "disks", disks);
		json_object_set_new(r, "current", json_boolean(current &&
		    strcmp(current, jstr(r, "name")) == 0));
		json_object_del(r, "id");
		json_array_append(snaps, r);
	}
	j = ctx->domid ? journal_get(ctx, err) : NULL;
	if (json_is_null(j))
		goto fail;
	pending = j ? json_pack("{s:s, s:s, s:I, s:I, s:I}", "op", jstr(j,
	    "op"), "snapshot", jstr(j, "snapshot"), "step", jint(j, "step"),
	    "pid", jint(j, "pid"), "started", jint(j, "started")) :
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
