/*
 * backend.h - the interface every snapshot backend implements.
 *
 * A backend knows one kind of disk (qcow2 files; raw files on a
 * filesystem with reflinks; ...).  The engine (engine.h) owns the
 * catalog, the journal and the order of steps; a backend only moves
 * data, and every one of its operations is idempotent so that an
 * interrupted operation can be run again by repair.
 *
 * Steps of a create, for all disks of a domain at once:
 *   prepare  everything that can happen while the guest runs (create
 *            overlay files, open them in QEMU);
 *   create   the freeze: as short as possible (one QMP transaction for
 *            every live qcow2 disk, or pause + reflink + resume);
 * then the engine records the result.  revert and delete work on one
 * disk, from a plan the engine journaled first.
 */
#ifndef XK_SNAPSHOT_BACKEND_H
#define XK_SNAPSHOT_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "qmp/qmp.h"
#include "util/error.h"

enum {
	XK_SNAP_CAP_LIVE = 1 << 0,	/* create while the domain runs */
	XK_SNAP_CAP_OFFLINE = 1 << 1,	/* create while it is stopped */
	XK_SNAP_CAP_LIVE_REVERT = 1 << 2, /* revert under a running QEMU */
	XK_SNAP_CAP_TREE = 1 << 3,	/* branches after a revert */
	XK_SNAP_CAP_PAUSE = 1 << 4,	/* create needs the vCPUs stopped */
	XK_SNAP_CAP_COPY = 1 << 5,	/* a snapshot is a copy: the active
					   image keeps its file */
};

/* Where the domain's disks are served from. */
struct xk_snap_env {
	struct xk_qmp *qmp;	/* the device model's QMP; NULL: stopped */
	int timeout_ms;		/* for each QMP command */
	double freeze_ms;	/* out: how long the guest's I/O was frozen */
	unsigned faults;	/* fault points passed (xk_snap_fault) */
};

/* One disk of the domain as it is now. */
struct xk_snap_disk {
	char *vdev;		/* catalog key: QMP device name or vdev */
	char *path;		/* the path the domain's config names */
	char *format;		/* format of the active image */
	char *node;		/* live: the device's top node name */
	uint64_t size;		/* virtual size in bytes */
	bool readonly, removable, empty;
	const struct xk_snap_backend *be;	/* NULL: cannot snapshot */
	char why[1400];		/* when be is NULL: why, and what would */
};

struct xk_snap_backend {
	const char *name;
	unsigned caps;
	/* Can this backend snapshot d?  0 yes; -1 no, with why in err. */
	int (*probe)(const struct xk_snap_env *env,
	    const struct xk_snap_disk *d, struct xk_error *err);
	/* plan: the journaled create plan; disks: its "disks" entries */
	int (*prepare)(struct xk_snap_env *env, json_t *disks,
	    struct xk_error *err);
	int (*create)(struct xk_snap_env *env, json_t *disks,
	    struct xk_error *err);
	/* Has create's commit point been passed for these disks? */
	int (*created)(struct xk_snap_env *env, json_t *disks,
	    struct xk_error *err);
	/* Undo prepare (and create when it did not take effect). */
	int (*abort_create)(struct xk_snap_env *env, json_t *disks,
	    struct xk_error *err);
	/* Revert: make the new image (no effect on the domain yet)... */
	int (*revert_prepare)(struct xk_snap_env *env, json_t *disk,
	    struct xk_error *err);
	/* ...then switch to it; a no-op when already switched. */
	int (*revert)(struct xk_snap_env *env, json_t *disk,
	    struct xk_error *err);
	int (*delete)(struct xk_snap_env *env, json_t *disk,
	    struct xk_error *err);
	/* Without XK_SNAP_CAP_COPY: the format of the images it makes. */
	const char *image_format;
	/*
	 * The virtual size of the image at path (every backend without
	 * XK_SNAP_CAP_COPY: a revert's new image is as large).
	 */
	int (*size)(const char *path, uint64_t *size, struct xk_error *err);
	/*
	 * A delete plan's disk d merges the image at d.path into its only
	 * child: add what the merge needs to d (qcow2: the image's backing
	 * file and format).  NULL: nothing.
	 */
	int (*plan_merge)(json_t *d, struct xk_error *err);
	/* XK_SNAP_CAP_COPY: where the copy tagged tag of path goes. */
	void (*copy_name)(const char *path, const char *tag, char *buf,
	    size_t len);
};

extern const struct xk_snap_backend xk_snap_qcow2;
extern const struct xk_snap_backend xk_snap_reflink;
extern const struct xk_snap_backend xk_snap_lvm;

/* Every backend, NULL-terminated, in the order create runs them. */
extern const struct xk_snap_backend *const xk_snap_backends[];
const struct xk_snap_backend *xk_snap_backend_named(const char *name);

/* Pick the backend for d (sets d->be or d->why). */
void xk_snap_pick_backend(const struct xk_snap_env *env,
    struct xk_snap_disk *d);

/* Helpers shared by backends and the engine (common.c, live.c). */
/* Node names of dev's chain, top first (live); a JSON array. */
json_t *xk_snap_live_chain(struct xk_qmp *q, const char *top_node,
    int timeout_ms, struct xk_error *err);
/*
 * Block nodes named prefix... that nothing uses (no device, node or job
 * above them); a JSON array of names.
 */
json_t *xk_snap_live_unused(struct xk_qmp *q, const char *prefix,
    int timeout_ms, struct xk_error *err);
/* The device's top node name for vdev (NULL if gone). */
char *xk_snap_live_top(struct xk_qmp *q, const char *vdev, int timeout_ms,
    struct xk_error *err);
/*
 * A fault point, after an effect someone else can see (a catalog
 * commit, a QMP command, a file made, renamed or removed, a domain
 * paused or resumed).  Test hook: SIGKILL when XK_SNAPSHOT_FAULT names
 * it, or says "@N" and it is the Nth point passed (snapshot.h).
 */
void xk_snap_fault(struct xk_snap_env *env, const char *point);
/* The same for point "OP:STEP". */
void xk_snap_fault_step(struct xk_snap_env *env, const char *op, int step);

#endif
