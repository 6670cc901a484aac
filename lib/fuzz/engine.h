/*
 * engine.h - the toolstack engine's loop, run in dom0 (`xk fuzz
 * engine`, started by the host's `xk fuzz run` and `replay` over the
 * lab's control channel): the toolstack engine (model.h, xen.h), the
 * hypercall engine (hcall.h, hcall-xen.h) or the guest engine, the
 * hypercall engine's calls made from an unprivileged guest
 * (hcall-guest.h), which adds a comment when a call costs it its guest:
 *
 *	# guest lost op=N: HOW		(started again for the next call)
 *	# rc op=N: RC			(a replay's: what Xen answered)
 *
 * It writes the log to out as it goes: the header, then each operation's
 * line, flushed BEFORE the operation runs, so that the host has it even
 * if the operation brings dom0 down; then, as comments, what it found:
 *
 *	# skip N: why			(replay: an operation the model
 *					 refuses where it stands, as after
 *					 shrinking)
 *	# violation op=N<TAB>SIGNATURE<TAB>DETAIL
 *	# done ops=N ms=N
 *
 * A run in segments (xk fuzz run --checkpoint, xk-fuzz(1)): a segment
 * run with keep leaves its domains, pool and nodes in place and its
 * model and generator in XK_FUZZ_ENGINE_STATE (dom0's /run, so that a
 * checkpoint of the lab holds them); the next one, with resume, takes
 * them over, checks Xen against the model first and says so:
 *
 *	# resumed ops=N domains=N nodes=N
 *
 * then goes on where the last stopped, or along another path when
 * reseed is given (after a crash, from a checkpoint).
 */
#ifndef XK_FUZZ_ENGINE_H
#define XK_FUZZ_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "fuzz/oplog.h"
#include "fuzz/xen.h"

struct xk_fuzz_engine_opts {
	uint64_t seed;
	size_t ops;			/* how many to generate */
	const struct xk_oplog *replay;	/* or these, from a log */
	enum xk_fuzz_plant plant;	/* the toolstack engine's */
	bool hcall;			/* the hypercall engine */
	bool guest;			/* with hcall: the guest engine */
	FILE *out;
	/* segments (the toolstack engine's): */
	bool resume;			/* take over the last segment's state */
	bool keep;			/* leave the state for the next one */
	uint64_t reseed;		/* resume: a new path from this seed
					 * (0: the same generator goes on) */
	size_t first;			/* operations the run made before */
	size_t crash_at;		/* test hook (xk-fuzz(1)): crash Xen
					 * before this operation, 0: never */
};

#define XK_FUZZ_ENGINE_STATE	"/run/xk-fuzz/engine.state"

/* Run; *found = 1 after a violation.  -1 when the engine failed. */
int xk_fuzz_engine_run(const struct xk_fuzz_engine_opts *o, int *found,
    struct xk_error *err);

#endif
