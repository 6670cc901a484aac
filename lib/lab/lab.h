/*
 * lab.h - a Xen 4.17 host inside QEMU (TCG): start, wait, stop.
 *
 * A lab lives in a state directory (several can run side by side; no
 * fixed ports, only UNIX sockets in the directory):
 *
 *	qemu.pid	QEMU's pid (-pidfile)
 *	qemu.log	QEMU's own stderr
 *	serial.log	everything Xen and dom0 print on the serial line
 *	serial.sock	the serial line, for `xk lab console`
 *	ctlN.sock	the control channel's ports (virtio-serial, ctl.h)
 *	qmp.sock	QEMU's QMP monitor
 *	dom0.img	dom0's initramfs: the image's boot.cpio.gz + this
 *			boot's overlay cpio (the root is dom0.sqfs, a disk)
 *	overlay.cpio.gz	this boot's overlay (overlay.h)
 *	hypervisor	which hypervisor and tools it runs (xenbuild.h)
 *	boot		how it was booted, to start it again (restart.h)
 *
 * (Their names, for every file that opens one: state.h.)
 */
#ifndef XK_LAB_LAB_H
#define XK_LAB_LAB_H

#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

struct xk_lab_boot {
	const char *state;	/* state directory (created) */
	const char *image;	/* image directory (image.h) */
	const char *overlay;	/* overlay cpio to append, or NULL */
	const char *xen;	/* hypervisor to boot; NULL: the image's */
	const char *qemu;	/* QEMU binary; NULL: qemu-system-x86_64 */
	int mem_mb;		/* QEMU RAM; 0: 3072 */
	int dom0_mb;		/* dom0_mem; 0: 1536 */
	int cpus;		/* 0: 2 */
	const char *incoming;	/* a checkpoint to start from instead of
				 * booting (checkpoint.h), or NULL */
};

/* The state directory for lab name (XK_LAB_STATE wins when set). */
int xk_lab_state_dir(const char *name, char *buf, size_t len,
    struct xk_error *err);

/*
 * Create the state directory and clear what a previous run left there.
 * Fails if a lab runs there now.
 */
int xk_lab_prepare(const char *state, struct xk_error *err);

/*
 * Start QEMU in the background (-daemonize: returns once QEMU has
 * opened its sockets).  Fails if a lab already runs in that state dir.
 */
int xk_lab_start(const struct xk_lab_boot *b, struct xk_error *err);

/* *pid = the lab's QEMU, or 0 when none runs there. */
int xk_lab_pid(const char *state, pid_t *pid, struct xk_error *err);
/* The pid the state's qemu.pid names when that process is no longer
 * the lab's QEMU (killed or crashed, state left behind), else 0. */
pid_t xk_lab_dead_pid(const char *state);

/*
 * Wait until dom0 is ready: the agent answers and `xl list` works.
 * Fails at once if QEMU exits, with ETIMEDOUT after timeout_ms.
 */
int xk_lab_wait_ready(const char *state, int timeout_ms,
    struct xk_error *err);

/*
 * Stop the lab: ask dom0 to power off (Xen then exits QEMU), and
 * after timeout_ms kill QEMU.  *killed tells which happened.  Fine
 * when nothing runs.
 */
int xk_lab_stop(const char *state, int timeout_ms, int *killed,
    struct xk_error *err);

/* Kill QEMU now (SIGKILL) and wait for it. */
int xk_lab_kill(const char *state, struct xk_error *err);

/*
 * Remove a state directory and the files in it (a lab's directory
 * holds no subdirectories; one that does is left, with an error).
 * Refused while a lab runs there.
 */
int xk_lab_remove_state(const char *state, struct xk_error *err);

/*
 * Remove the state directories next to state (its siblings under the
 * default root, never under an XK_LAB_STATE) that no running QEMU uses
 * and that nothing touched for max_age_s seconds: what killed runs
 * left.  The age spares a lab that another process is starting (its
 * QEMU not running yet).  Returns how many were removed.
 */
int xk_lab_prune(const char *state, int max_age_s);

#endif
