/*
 * run.h - running another program and waiting for it: qemu-img,
 * qemu-nbd, lvcreate, apt-cache, the lab's image recipe and QEMU.
 *
 * The child starts with standard input on /dev/null, default signal
 * dispositions and an empty signal mask (whatever we block or ignore is
 * ours, not its), through posix_spawn: no copy of our page tables, which
 * in a PV dom0 costs hypercalls per page.  What it prints goes where
 * the caller says: into a buffer (bounded: a program that prints
 * without end costs us XK_RUN_OUTPUT_MAX bytes, the rest is read and
 * dropped), onto a descriptor (a log file), or nowhere.
 */
#ifndef XK_UTIL_RUN_H
#define XK_UTIL_RUN_H

#include <stdbool.h>

#include "util/error.h"
#include "util/strbuf.h"

#define XK_RUN_OUTPUT_MAX (1024 * 1024)

/* Where a child's standard output or error goes, besides a descriptor. */
#define XK_RUN_CAPTURE	(-1)	/* into the caller's buffer */
#define XK_RUN_DEVNULL	(-2)	/* nowhere */
#define XK_RUN_INHERIT	(-3)	/* ours: the user sees it (xl's messages) */

struct xk_run_opts {
	int out;	/* a descriptor or one of the three above */
	int err;	/* the same choices; both CAPTURE: one stream */
	bool c_locale;	/* LC_ALL=C: output we parse, messages we quote */
	bool setsid;	/* a session of its own (outlives our terminal) */
	int timeout_ms;	/* with a capture: SIGKILL after this long, and
			 * fail with ETIMEDOUT; 0: wait for ever */
	int hold_fd;	/* above 2: a descriptor the child keeps open
			 * (a lock that must outlive us while it runs) */
};

/*
 * Run argv[0] (searched on PATH) with argv and wait for it.  *status is
 * its exit status, or 128 + the signal that killed it.  Captured output
 * is appended to out (may be NULL when nothing is captured).  Returns
 * 0 when the program ran, whatever its status; -1 when it could not be
 * started ("qemu-img: not found", err->errnum ENOENT), was killed at
 * its timeout (err->errnum ETIMEDOUT) or could not be waited for.
 */
int xk_run(const char *const argv[], const struct xk_run_opts *o,
    struct strbuf *out, int *status, struct xk_error *err);

/*
 * The common case: standard output and error captured together into
 * out (may be NULL: a private buffer), in the C locale; a non-zero
 * status is an error that quotes the program's first line of output:
 * "qemu-img create failed (status 1): ...".  Trailing white space is
 * cut off out.
 */
int xk_run_ok(const char *const argv[], struct strbuf *out,
    struct xk_error *err);

#endif
