/*
 * engine.h - inside the snapshot engine: what its files share.
 *
 *   engine.c    the core: the context, the journal, fault points,
 *               catalog reads, the domain's run state, and what
 *               follows a commit (closing nodes, removing images);
 *   create.c    create: plan, prepare, freeze, finish or undo;
 *   revert.c    revert: plan, new images, switch, roll back or forward;
 *   delete.c    delete: plan, merge, remove;
 *   snapshot.c  the public operations: recovery first (it dispatches to
 *               the three above), then the operation; list.
 * Each depends only on the ones above it in this list (engine.c on
 * none), so there is no circle.  See snapshot.h for the protocol.
 */
#ifndef XK_SNAPSHOT_ENGINE_H
#define XK_SNAPSHOT_ENGINE_H

#include "snapshot/snapshot.h"

/*
 * The journal step of a revert or delete whose result is in the catalog:
 * what is left (closing nodes, removing images, the guest's run state)
 * is done by snap_settle, and by recovery when it was interrupted.
 */
#define STEP_COMMITTED 9

/* engine.c */
const struct xk_snap_backend *snap_backend_of(json_t *disk);
json_t *snap_group(json_t *disks, const struct xk_snap_backend *be);
void snap_note(struct xk_snap_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void snap_watch_qmp(struct xk_snap_ctx *ctx);
int snap_journal_start(struct xk_snap_ctx *ctx, const char *op,
    const char *snap, json_t *plan, struct xk_error *err);
int snap_journal_step(struct xk_snap_ctx *ctx, const char *op, int step,
    struct xk_error *err);
int snap_journal_mark(struct xk_snap_ctx *ctx, int step,
    struct xk_error *err);
int snap_journal_end(struct xk_snap_ctx *ctx, struct xk_error *err);
json_t *snap_journal_get(struct xk_snap_ctx *ctx, struct xk_error *err);
json_t *snap_row(struct xk_snap_ctx *ctx, const char *name,
    struct xk_error *err);
json_t *snap_active_image(struct xk_snap_ctx *ctx, const char *vdev,
    struct xk_error *err);
json_int_t snap_chain_pos(struct xk_snap_ctx *ctx, json_int_t active,
    json_int_t id, struct xk_error *err);
void snap_image_name(char *buf, size_t len, const char *path,
    const char *tag);
void snap_qmp_release(struct xk_snap_ctx *ctx);
int snap_qmp_reattach(struct xk_snap_ctx *ctx, struct xk_error *err);
int snap_xen_resume(struct xk_snap_ctx *ctx, json_t *plan,
    struct xk_error *err);
int snap_xen_unpause(struct xk_snap_ctx *ctx, json_t *plan,
    struct xk_error *err);
void snap_resume(struct xk_snap_ctx *ctx, json_t *plan);
const char *snap_vm_status(struct xk_snap_ctx *ctx);
int snap_offline_guard(struct xk_snap_ctx *ctx, struct xk_error *err);
json_t *snap_disks_of(struct xk_snap_ctx *ctx, json_int_t snap,
    struct xk_error *err);
int snap_prune_nodes(struct xk_snap_ctx *ctx, struct xk_error *err);
void snap_gc_images(struct xk_snap_ctx *ctx);
int snap_settle(struct xk_snap_ctx *ctx, json_t *plan, struct xk_error *err);

/* create.c */
int snap_create_op(struct xk_snap_ctx *ctx, const char *name,
    const char *description, char *const *vdevs, size_t nvdevs,
    bool memory, char **made, struct xk_error *err);
int snap_finish_create(struct xk_snap_ctx *ctx, json_t *plan,
    struct xk_error *err);
int snap_abort_create(struct xk_snap_ctx *ctx, json_t *plan,
    struct xk_error *err);
int snap_create_done(struct xk_snap_ctx *ctx, json_t *plan, json_int_t step,
    struct xk_error *err);

/* revert.c */
int snap_revert_op(struct xk_snap_ctx *ctx, const char *name,
    struct xk_error *err);
int snap_revert_forward(struct xk_snap_ctx *ctx, json_t *plan,
    json_int_t step, struct xk_error *err);
int snap_revert_back(struct xk_snap_ctx *ctx, json_t *plan,
    struct xk_error *err);

/* delete.c */
int snap_delete_op(struct xk_snap_ctx *ctx, const char *name,
    struct xk_error *err);
int snap_delete_forward(struct xk_snap_ctx *ctx, json_t *plan,
    struct xk_error *err);

#endif
