/*
 * engine.h - the toolstack engine's loop, run in dom0 (`xk fuzz
 * engine`, started by the host's `xk fuzz run` and `replay` over the
 * lab's control channel): the toolstack engine (model.h, xen.h) or the
 * hypercall engine (hcall.h, hcall-xen.h).
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
	FILE *out;
};

/* Run; *found = 1 after a violation.  -1 when the engine failed. */
int xk_fuzz_engine_run(const struct xk_fuzz_engine_opts *o, int *found,
    struct xk_error *err);

#endif
