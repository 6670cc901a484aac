/*
 * segment.h - a toolstack run in segments with a checkpoint of the
 * whole lab between them (xk fuzz run --checkpoint N, xk-fuzz(1)).
 *
 * Each segment is one engine run of N operations that leaves its
 * domains, nodes and model in place (engine.h: keep, resume); after it
 * the lab is saved (lab/checkpoint.h).  When a segment takes the lab
 * down, the crash is handed to found() (a report), the log is cut back
 * to the checkpoint, the lab is started from the checkpoint and the
 * segment runs again from there along another path (a new seed): the
 * state built up before the crash is not lost.  A finding that did not
 * take the lab down (a model violation), or a crash before the first
 * checkpoint, ends the run as a run without segments would.
 *
 * The log is the path the lab took: what ran up to the last checkpoint,
 * then the segments that followed it, with comments saying where each
 * checkpoint was taken and where a crash's path was cut off; it replays
 * from its first line as any log does.
 */
#ifndef XK_FUZZ_SEGMENT_H
#define XK_FUZZ_SEGMENT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fuzz/drive.h"
#include "util/error.h"

#define XK_FUZZ_RESUMES_MAX	8	/* crashes resumed in one run */

struct xk_fuzz_segments {
	const char *state;		/* the lab */
	const char *const *argv;	/* the engine, with --seed and its
					 * other options; segment options
					 * are added */
	uint64_t seed;			/* the run's (new paths from it) */
	size_t ops;			/* operations in all */
	size_t every;			/* a checkpoint every this many */
	const char *checkpoint;		/* where the lab is saved */
	int log_fd, err_fd;
	int timeout_s;			/* each segment's */
	FILE *msg;			/* progress lines */
	/* a crash resumed from the checkpoint: keep it as a report; the
	 * log (log_fd's file) then holds the crashed path whole */
	void (*found)(void *arg, const struct xk_fuzz_outcome *o);
	void *arg;
};

/*
 * Run.  0 with *o filled (its ops and ms for the whole run) when the
 * run ended: passed, or a finding that ends it; -1 when it could not
 * go on (err says why).
 */
int xk_fuzz_run_segments(const struct xk_fuzz_segments *s,
    struct xk_fuzz_outcome *o, struct xk_error *err);

#endif
