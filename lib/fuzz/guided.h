/*
 * guided.h - coverage-guided fuzzing with the hypercall engine, from
 * the host against a lab that boots a coverage build of Xen (xk lab xen
 * --config CONFIG_COVERAGE=y): each input (guide.h) is replayed by the
 * engine in dom0 with the counters zeroed before it, the counters are
 * read after it (xencov), and the edges it reached decide whether it
 * joins the corpus.  Guided or not (the reference), the same loop, so a
 * bench compares the two on equal terms; guided, an input that seems
 * to add edges is run a second time, and only the new edges both runs
 * reached count (guide.h: the rest is dom0's noise).
 */
#ifndef XK_FUZZ_GUIDED_H
#define XK_FUZZ_GUIDED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fuzz/drive.h"
#include "util/error.h"

struct xk_fuzz_guided {
	const char *state;		/* the lab's state directory */
	uint64_t seed;
	size_t ops;			/* an input's operations, at most */
	bool guided;
	int64_t duration_ms;
	int timeout_s;			/* one input's bound in dom0 */
	const char *corpus_dir;		/* each kept input as a log there,
					 * or NULL */
	FILE *out;			/* a line per input, then totals */
	/* the lab up again when its QEMU died (a crash), 0 or -1 */
	int (*restart)(void *arg, struct xk_error *err);
	/* a finding and its input's log, to keep as a report */
	void (*found)(void *arg, const struct xk_fuzz_outcome *o,
	    const char *log_text);
	void *arg;
};

struct xk_fuzz_guided_totals {
	size_t inputs, ops, findings, kept;
	size_t edges;		/* every edge an input's run reached */
	size_t confirmed;	/* the gains: guided, reached twice */
	size_t reruns;		/* guided: inputs run twice (guide.h) */
};

/*
 * Run inputs until the duration has passed.  A finding is handed to
 * found, the lab restarted and the loop goes on (that input's counters
 * are lost with the lab).  -1 when the loop cannot go on (no lab, a
 * restart failed, xencov failed: not a coverage build).
 */
int xk_fuzz_guided_run(const struct xk_fuzz_guided *g,
    struct xk_fuzz_guided_totals *t, struct xk_error *err);

#endif
