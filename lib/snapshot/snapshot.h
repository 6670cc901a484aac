/*
 * snapshot.h - the snapshot engine: create, list, revert, delete and
 * repair, with every operation journaled in the catalog.
 *
 * Journal protocol (one unfinished operation per domain):
 *   1. in one catalog transaction, write the operation's complete plan
 *      (every file name, node name and action decided up front) into
 *      the journal, step 1;
 *   2. do the work in steps, each idempotent, recording the step after
 *      it completes;
 *   3. in one catalog transaction, apply the result to the catalog and
 *      delete the journal row (create), or mark it step 9 (revert,
 *      delete: what follows, closing the block nodes nothing uses,
 *      removing unneeded images and letting a guest the revert stopped
 *      run again, is journaled too; the row goes after it).
 * A crash leaves the journal row.  `list` shows it; the next operation
 * on the domain (or `repair`) runs the recovery first: create rolls
 * back unless its commit point (the QMP transaction; offline, the
 * renames) was passed, then it rolls forward; revert rolls back before
 * its new images exist, forward after; delete always rolls forward
 * (the data it merges is never lost by merging it again).  repair also
 * closes every block node xenkit opened that nothing uses, journaled
 * or not.
 *
 * Test hook: a fault point follows every effect others can see
 * (xk_snap_fault: a catalog commit, a QMP command, a file made or
 * removed, a pause or resume).  XK_SNAPSHOT_FAULT=POINT kills the
 * process (SIGKILL) at the first point of that name: OP:N right after
 * step N of OP (create, revert, delete) is recorded, OP:commit after
 * its final transaction, qmp:CMD after the answer to QMP command CMD
 * (not a query: it changes nothing),
 * "switch:1" between the two graph changes of a live qcow2 revert,
 * "pause:1" in a blkback create's pause, before its disks are copied;
 * XK_SNAPSHOT_FAULT=@N at the Nth point passed, whatever it is.
 * XK_SNAPSHOT_FAULT_LOG=FILE appends "N POINT" for each point passed.
 */
#ifndef XK_SNAPSHOT_SNAPSHOT_H
#define XK_SNAPSHOT_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "snapshot/backend.h"
#include "snapshot/catalog.h"

/* A running Xen domain, found through libxl (xen.c). */
struct xk_snap_xen {
	uint32_t domid;
	char uuid[40];
	char qmp[64];		/* /var/run/xen/qmp-libxl-DOMID */
	char lock[160];		/* libxl's QMP lock file */
	bool has_qmp;		/* it has a device model with that socket */
};

struct xk_snap_ctx {
	struct xk_catalog *cat;
	char *domain;
	int64_t domid;		/* catalog id, 0 before the first create */
	char *qmp_path;		/* NULL: the domain is stopped */
	struct xk_snap_env env;
	int lockfd;
	json_t *notes;		/* strings the command may print */
	int64_t seq;		/* for copies' file names (create) */
	struct xk_snap_xen xen;	/* when DOMAIN is a running Xen domain */
	bool blkback;		/* ...without a device model: every disk
				   served by blkback, paused around a
				   create (see doc/xk-snapshot.1.scd) */
};

/*
 * Open the catalog and connect to the domain's QMP socket (when given).
 * Modifying operations take the catalog's lock file.
 */
int xk_snap_open(struct xk_snap_ctx *ctx, const char *catalog,
    const char *domain, const char *qmp_path, const char *qmp_lock,
    bool modify, struct xk_error *err);
void xk_snap_close(struct xk_snap_ctx *ctx);

/* vdevs: NULL for every disk that can be snapshotted.  *made: name. */
int xk_snap_create(struct xk_snap_ctx *ctx, const char *name,
    const char *description, char *const *vdevs, size_t nvdevs,
    char **made, struct xk_error *err);
/*
 * The same with the domain's memory (a running Xen domain): the plan
 * names the memory image; after step 2 (disks prepared) the memory is
 * saved (the domain suspended), step 3; the disks are snapshotted
 * (the commit point), step 4; then the domain resumes.  Reverting to
 * such a snapshot destroys the domain if it runs (after step 2),
 * reverts its disks (step 3), restores the domain from the memory
 * image (step 4).
 */
int xk_snap_create_memory(struct xk_snap_ctx *ctx, const char *name,
    const char *description, char *const *vdevs, size_t nvdevs,
    char **made, struct xk_error *err);
int xk_snap_revert(struct xk_snap_ctx *ctx, const char *name,
    struct xk_error *err);
int xk_snap_delete(struct xk_snap_ctx *ctx, const char *name,
    struct xk_error *err);
/* Finish or roll back an interrupted operation; *done says what. */
int xk_snap_repair(struct xk_snap_ctx *ctx, char **done,
    struct xk_error *err);

/*
 * The domain's snapshots: {"domain", "current", "snapshots": [{"name",
 * "created", "parent", "description", "kind", "disks": [{"vdev",
 * "backend", "path", "format"}]}], "pending": null | {"op",
 * "snapshot", "step", "pid", "started"}, "active": [{"vdev", "path",
 * "format", "backend"}]}: active is what the domain's disks are now
 * (the files to start it from).  Snapshots are in creation
 * order.  name != NULL: only that one (error when absent).
 */
json_t *xk_snap_list(struct xk_snap_ctx *ctx, const char *name,
    struct xk_error *err);

/* 1: domain (a name or domid) is running; 0: not (err says why). */
int xk_snap_xen_find(const char *domain, struct xk_snap_xen *x,
    struct xk_error *err);

/*
 * A Xen domain's memory (xenmem.c), all through libxl.  config: the
 * domain's libxl configuration as libxl JSON (free()).  save suspends
 * the domain and writes its memory to path (under path.tmp, renamed
 * when complete); it stays suspended until resume (suspend_cancel, as
 * xl save -c).  start: a new domain from config, its disks' targets
 * replaced by targets ({vdev: path}), restored from the memory image at
 * path (as xl restore) or, path NULL, booted (as xl create); unpaused.
 */
char *xk_snap_xen_config(uint32_t domid, struct xk_error *err);
int xk_snap_xen_save(uint32_t domid, const char *path, struct xk_error *err);
int xk_snap_xen_suspended(uint32_t domid, struct xk_error *err);
int xk_snap_xen_resume(uint32_t domid, struct xk_error *err);
int xk_snap_xen_destroy(uint32_t domid, struct xk_error *err);
int xk_snap_xen_start(const char *config, json_t *targets,
    const char *path, uint32_t *domid, struct xk_error *err);
/*
 * A domain without a device model: paused (libxl_domain_pause, counted
 * by Xen, so a user's own pause stays) around a create; its disks as
 * libxl lists them, bk[i] saying which are served by blkback (free()).
 */
int xk_snap_xen_pause(uint32_t domid, struct xk_error *err);
int xk_snap_xen_unpause(uint32_t domid, struct xk_error *err);
int xk_snap_xen_paused(uint32_t domid, const char *uuid,
    struct xk_error *err);
int xk_snap_xen_disks(uint32_t domid, struct xk_snap_disk **disks,
    size_t *n, bool **bk, struct xk_error *err);
/*
 * Which backend snapshots d, a disk of a domain whose disks blkback
 * serves (bk: this one is), with the domain paused: like
 * xk_snap_pick_backend, but only backends that work outside QEMU while
 * the vCPUs are stopped (XK_SNAP_CAP_PAUSE).
 */
void xk_snap_pick_paused(const struct xk_snap_env *env,
    struct xk_snap_disk *d, bool bk);

/*
 * Copy every disk of the running domain into DIR/VDEV.qcow2 (mirror.c),
 * all as of one instant; *made: the files written.
 */
int xk_snap_mirror(struct xk_snap_ctx *ctx, const char *dir, json_t **made,
    struct xk_error *err);

/* QEMU's disks (query-block), one xk_snap_disk each. */
int xk_snap_live_disks(struct xk_qmp *q, int timeout_ms,
    struct xk_snap_disk **disks, size_t *n, struct xk_error *err);
void xk_snap_disks_free(struct xk_snap_disk *disks, size_t n);

/* Is name acceptable as a snapshot name (it becomes part of nothing on
 * disk, but it is shown and typed): 1..64 of [A-Za-z0-9._+:-]. */
bool xk_snap_name_ok(const char *name);

#endif
