/*
 * model.h - the toolstack engine's model of what Xen should hold, and
 * the generator that draws operations from it (QuickCheck's state
 * machine: preconditions, next state, generators).
 *
 * The model is pure: the same seed draws the same operations whatever
 * Xen answers, so a run is reproduced from its seed, and a log replays
 * on a model rebuilt from its operations alone.
 */
#ifndef XK_FUZZ_MODEL_H
#define XK_FUZZ_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "fuzz/oplog.h"
#include "fuzz/prng.h"

#define XK_FUZZ_LIVE_MAX	2	/* domains alive at once: the lab's
					 * memory and its two slow CPUs */
#define XK_FUZZ_XS_MAX		32	/* nodes under the prefix */
#define XK_FUZZ_PVH_FIRST	4	/* d0-d3 are PV guests, d4-d7 PVH:
					 * only a PVH xk-guest-xs saves */

enum xk_fuzz_dstate {
	XK_DOM_NONE,		/* never created, or destroyed */
	XK_DOM_LIVE,		/* created, not asked to stop */
	XK_DOM_STOPPING		/* asked to shut down or reboot: when the
				 * guest obeys is its business, so only
				 * destroy follows */
};

struct xk_fuzz_dom {
	enum xk_fuzz_dstate state;
	uint32_t maxmem, target;	/* MiB */
	uint32_t maxvcpus, online;
	uint32_t weight, cap;
	uint32_t pool;			/* 0 Pool-0, 1 the fuzzer's cpupool */
	uint32_t disk;			/* 1: the engine's disk is xvdb */
	uint32_t pod;			/* 1: made with mem below maxmem, so
					 * (PVH) populate-on-demand */
	int pauses;			/* the toolstack's pause count */
};

struct xk_fuzz_node {
	char key[XK_FUZZ_KEY_MAX];
	char val[XK_FUZZ_VAL_MAX];	/* "" for a node made as a parent */
};

struct xk_fuzz_model {
	struct xk_fuzz_dom dom[XK_FUZZ_DOMS];
	struct xk_fuzz_node xs[XK_FUZZ_XS_MAX];
	size_t nxs;
};

void xk_fuzz_model_init(struct xk_fuzz_model *m);
/* May op run in this state?  NULL if so, else why not. */
const char *xk_fuzz_model_refuses(const struct xk_fuzz_model *m,
    const struct xk_fuzz_op *op);
/* The state after op (which the model accepts). */
void xk_fuzz_model_apply(struct xk_fuzz_model *m,
    const struct xk_fuzz_op *op);
/* The node at key, or NULL. */
const struct xk_fuzz_node *xk_fuzz_model_node(const struct xk_fuzz_model *m,
    const char *key);
/* Does xs-rm of key succeed (xenstored: the node or its parent is
 * there)? */
bool xk_fuzz_model_rm_ok(const struct xk_fuzz_model *m, const char *key);

/* Draw the next operation, one the model accepts. */
void xk_fuzz_generate(const struct xk_fuzz_model *m, struct xk_prng *p,
    struct xk_fuzz_op *op);

#endif
