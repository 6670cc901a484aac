/*
 * xen.h - the toolstack engine's hands and eyes in dom0: each operation
 * done through libxl or xenstore, then every postcondition the model
 * implies checked against what libxl and xenstore report.
 *
 * Domains are named xk-fuzz-d0 ... xk-fuzz-d7, xenstore nodes live
 * under XK_FUZZ_XS_PREFIX; both are cleared before and after a run.
 *
 * Test hook: a planted bug (xk_fuzz_xen.plant, from `xk fuzz run`'s
 * XK_FUZZ_PLANT, see xk-fuzz(1)) makes the checker, never Xen, see a
 * wrong state after one combination of operations, so that tests can
 * show a violation is found, shrunk and replayed.
 */
#ifndef XK_FUZZ_XEN_H
#define XK_FUZZ_XEN_H

#include <stdbool.h>
#include <stdint.h>

#include "fuzz/model.h"
#include "util/error.h"

#define XK_FUZZ_XS_PREFIX	"/local/domain/0/xk-fuzz"
#define XK_FUZZ_NAME_FMT	"xk-fuzz-d%d"

enum xk_fuzz_plant {
	XK_PLANT_NONE,
	XK_PLANT_VCPUS_PAUSE	/* "vcpus-pause": a domain paused after
				 * a vcpus operation looks unpaused */
};

struct xk_fuzz_violation {
	char sig[160];		/* what went wrong, without numbers or
				 * names: the same bug, the same text */
	char detail[768];	/* the same with the values */
};

struct xk_fuzz_xen;

/* Reach libxl and xenstore.  plant: XK_PLANT_NONE outside tests. */
struct xk_fuzz_xen *xk_fuzz_xen_open(enum xk_fuzz_plant plant,
    struct xk_error *err);
void xk_fuzz_xen_close(struct xk_fuzz_xen *x);
/* Parse a plant's name ("vcpus-pause"); -1 for an unknown one. */
int xk_fuzz_plant_parse(const char *s, enum xk_fuzz_plant *p);

/* Destroy every xk-fuzz-dN domain and remove the xenstore prefix;
 * fresh: make it again, empty, for a run. */
int xk_fuzz_xen_reset(struct xk_fuzz_xen *x, bool fresh,
    struct xk_error *err);

/*
 * Take over what an earlier engine left (a run resumed from a
 * checkpoint): its domains and cpupool, found by their names; then
 * check all of it against m, the model it left.  0 when all holds, 1
 * with *v filled ("at resume: ..."), -1 when the engine cannot go on.
 */
int xk_fuzz_xen_adopt(struct xk_fuzz_xen *x, const struct xk_fuzz_model *m,
    struct xk_fuzz_violation *v, struct xk_error *err);

/*
 * Do op (which m, the state before it, accepts) and check the state
 * after it (m_after).  Returns 0 when all holds, 1 with *v filled on a
 * violation, -1 when the engine itself cannot go on.
 */
int xk_fuzz_xen_step(struct xk_fuzz_xen *x, const struct xk_fuzz_model *m,
    const struct xk_fuzz_op *op, const struct xk_fuzz_model *m_after,
    struct xk_fuzz_violation *v, struct xk_error *err);

#endif
