/*
 * interrupt.h - stop long writes cleanly on SIGINT, SIGTERM and SIGHUP.
 *
 * A signal handler may not unlink files or free memory, so the handler
 * only records which signal came.  The loops that write outputs call
 * xk_interrupt_check() between pieces of work: once a signal has been
 * caught it fails like an I/O error would ("interrupted by SIGINT"),
 * and the ordinary error paths remove the temporary files.
 *
 * Commands that write call xk_interrupt_catch() before creating
 * anything and, when they failed, xk_interrupt_raise() after saying
 * why: a process that stopped because of a signal dies of it, so the
 * shell (or a loop in a script) knows it was interrupted.
 */
#ifndef XK_UTIL_INTERRUPT_H
#define XK_UTIL_INTERRUPT_H

#include "util/error.h"

/*
 * Catch SIGINT, SIGTERM and SIGHUP from now on; a signal that is
 * ignored (nohup, a background job of a shell script) stays ignored.
 */
int xk_interrupt_catch(struct xk_error *err);
/* The signal caught so far, 0 if none. */
int xk_interrupt_signal(void);
/*
 * A descriptor that becomes readable when a signal is caught, for
 * loops that sleep in poll(2) (xk create's monitor); -1 before
 * xk_interrupt_catch().  Never read it: it stays readable.
 */
int xk_interrupt_fd(void);
/* 0, or -1 with err "interrupted by SIGxxx" once a signal was caught. */
int xk_interrupt_check(struct xk_error *err);
/*
 * When a signal was caught, make err say so first: whatever failed
 * after it is its consequence (a qemu-nbd killed by the same Ctrl-C,
 * a read cut short), and which chunk a loop had reached is no news.
 * Nothing otherwise.
 */
void xk_interrupt_blame(struct xk_error *err);
/*
 * The same, and add path to the partial outputs err says were removed
 * (call it when the error path unlinks path).
 */
void xk_interrupt_removed(struct xk_error *err, const char *path);
/* Die of the signal caught, if any (stdio flushed first). */
void xk_interrupt_raise(void);

#endif
