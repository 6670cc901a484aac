/*
 * checkpoint.h - the whole lab saved to a file and started again from
 * it: Xen, dom0 and every guest, as they were.
 *
 * A checkpoint is QEMU's migration stream of the lab (its RAM and its
 * devices' state).  The lab keeps nothing else that changes: dom0's
 * root is a read-only image and the rest of dom0 lives in memory, so
 * the stream holds the whole host.  Saving stops the lab's vCPUs, writes
 * the stream under a temporary name (renamed when complete) and lets the
 * lab go on; loading starts a QEMU with the lab's recorded boot
 * (restart.h) that takes its state from the file instead of booting.
 * xk fuzz resumes from one after a crash (xk-fuzz(1)).
 *
 * The file is only good for the same QEMU binary, the same image and
 * hypervisor files and the same machine: a QEMU that cannot take it
 * says so, and the load fails.
 */
#ifndef XK_LAB_CHECKPOINT_H
#define XK_LAB_CHECKPOINT_H

#include "util/error.h"

/* Save the running lab in state to path; the lab goes on afterwards. */
int xk_lab_checkpoint_save(const char *state, const char *path,
    int timeout_ms, struct xk_error *err);

/*
 * Start the lab in state from the checkpoint at path (its boot record
 * says how QEMU ran; a QEMU still there is killed first: a lab is
 * loaded after it was lost) and wait until dom0 answers.
 */
int xk_lab_checkpoint_load(const char *state, const char *path,
    int timeout_ms, struct xk_error *err);

/* May path be handed to QEMU's "exec:" migration (a shell word)? */
int xk_lab_checkpoint_path_ok(const char *path, struct xk_error *err);

#endif
