/*
 * hcall-guest.h - the guest engine's hands in dom0: each of the
 * guest's calls (hcall-guest-calls.c) made by xk-guest-fuzz, an
 * unprivileged PVH guest (guest/bin/fuzz.c), over xenstore.
 *
 * dom0 lays the call here, with the addresses the guest published at
 * boot (its argument page, scratch pages, spare frames, an unmapped
 * address), writes it to the guest's data/fuzz/op and waits for
 * data/fuzz/done.  The guest is started when the first call needs it,
 * and again after it is lost: a call that wrecks the guest (it died,
 * shut down or stopped answering within XK_HC_GUEST_WAIT_MS) is the
 * guest's business, not Xen's; the step says so and the run goes on.
 * Findings are the host's to see, as for the hypercall engine: Xen or
 * dom0 going down.
 */
#ifndef XK_FUZZ_HCALL_GUEST_H
#define XK_FUZZ_HCALL_GUEST_H

#include <stddef.h>
#include <stdio.h>

#include "fuzz/oplog.h"
#include "util/error.h"

#define XK_HC_GUEST_NAME	"xk-fuzz-guest"
#define XK_HC_GUEST_KERNEL	"/usr/lib/xk-lab/guests/xk-guest-fuzz"
#define XK_HC_GUEST_WAIT_MS	5000	/* a call's answer, the guest's boot */

struct xk_hc_guest;

struct xk_hc_guest *xk_hc_guest_open(struct xk_error *err);
void xk_hc_guest_close(struct xk_hc_guest *g);

/* Destroy the engine's guest, also one a run that died left. */
int xk_hc_guest_reset(struct xk_hc_guest *g, struct xk_error *err);

/*
 * Make the call op names from the guest.  0, with what Xen answered in
 * *rc (a negative errno value, or the call's result: for the memory
 * reservation calls, the extents done) and lost[0..len) empty, or
 * lost saying how the guest was lost at this call (it is started
 * again for the next); -1 when the engine cannot go on (the guest does
 * not start, xenstore fails).
 */
int xk_hc_guest_step(struct xk_hc_guest *g, const struct xk_fuzz_op *op,
    long *rc, char *lost, size_t len, struct xk_error *err);

/* "# calls NAME ok=N failed=N" for each call made, then
 * "# guest starts=N", to out. */
void xk_hc_guest_stats(const struct xk_hc_guest *g, FILE *out);

#endif
