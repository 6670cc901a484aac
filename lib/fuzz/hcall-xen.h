/*
 * hcall-xen.h - the hypercall engine's hands in dom0: each call of
 * hcall.h's table made through privcmd (libxencall, the way libxenctrl
 * makes its own), with its domain slots resolved and its buffers in
 * hypercall-safe pages.
 *
 * The engine's domains are empty ones it creates itself
 * (domctl.createdomain: no memory, no kernel, never run), marked by
 * their handle, XK_HC_HANDLE, so that a reset finds and destroys them,
 * also those of a run that died.  A createdomain on a slot whose domain
 * still lives destroys that one first: at most three at once.
 */
#ifndef XK_FUZZ_HCALL_XEN_H
#define XK_FUZZ_HCALL_XEN_H

#include <stdio.h>

#include "fuzz/oplog.h"
#include "util/error.h"

#define XK_HC_HANDLE	"xk-fuzz-hcall\0\0"	/* 16 bytes with its NUL */

struct xk_hc_xen;

struct xk_hc_xen *xk_hc_xen_open(struct xk_error *err);
void xk_hc_xen_close(struct xk_hc_xen *x);

/* Destroy every domain with the engine's handle; empty the slots. */
int xk_hc_xen_reset(struct xk_hc_xen *x, struct xk_error *err);

/* Make the call op names (what Xen answers is counted, not judged:
 * a crash is what the host looks for).  -1 when the engine cannot go
 * on (its own buffers, its slots). */
int xk_hc_xen_step(struct xk_hc_xen *x, const struct xk_fuzz_op *op,
    struct xk_error *err);

/* "# calls NAME ok=N failed=N" for each call made, to out. */
void xk_hc_xen_stats(const struct xk_hc_xen *x, FILE *out);

#endif
