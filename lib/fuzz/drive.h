/*
 * drive.h - the host's side of xk fuzz: run the engine in a lab's dom0
 * over the control channel, keep each line of its log durably as it
 * arrives (the log survives dom0 and Xen), tell a finding from a pass
 * and from a broken run, and keep findings as reports, one per
 * signature.
 */
#ifndef XK_FUZZ_DRIVE_H
#define XK_FUZZ_DRIVE_H

#include <stddef.h>
#include <stdint.h>

#include "fuzz/oplog.h"
#include "util/error.h"
#include "util/strbuf.h"

struct xk_fuzz_outcome {
	int found;		/* 1: a finding, sig says which */
	int lost;		/* the lab was lost with it (a crash) */
	char sig[256];
	char detail[1024];
	long fail_op;		/* the failing operation's index, or -1 */
	size_t ops;		/* operations the engine started */
	size_t skips;		/* and skipped (replay: "# skip") */
	int64_t ms;		/* the engine's time, from its "# done" */
};

struct xk_fuzz_job {
	const char *state;		/* the lab's state directory */
	const char *const *argv;	/* the engine's command in dom0 */
	int in_fd;			/* a log to replay, or -1 */
	int log_fd;			/* each line goes here, or -1 */
	int err_fd;			/* the engine's stderr */
	int timeout_s;			/* 0: none */
	size_t first;			/* operations the run made before
					 * (a segment's, segment.h) */
};

/*
 * Run the engine.  0 with *o filled when it ran to a pass or a finding
 * (a violation, the engine killed by a signal, dom0 or the lab gone);
 * -1 when it could not run (no lab, the engine failed: err says why).
 */
int xk_fuzz_lab_exec(const struct xk_fuzz_job *j, struct xk_fuzz_outcome *o,
    struct xk_error *err);

/* Where the lab's overlay puts xk in dom0 (the engine's command). */
#define XK_FUZZ_DOM0_XK	"/usr/local/bin/xk"

/*
 * Replay a log's text (header and operations) with the engine in dom0:
 * `xk fuzz engine --replay [--plant PLANT]`, the text as its stdin.
 * As xk_fuzz_lab_exec (the engine's stderr to err_fd).
 */
int xk_fuzz_lab_replay(const char *state, const struct strbuf *text,
    const char *plant, int err_fd, int timeout_s, struct xk_fuzz_outcome *o,
    struct xk_error *err);

/* The log as text (header, one line per operation). */
int xk_oplog_to_text(const struct xk_oplog *log, const struct xk_fuzz_op *ops,
    size_t n, struct strbuf *sb);

/*
 * Keep a finding in dir/SIGHASH/report (tempfile, renamed), with the
 * seed, the signature, the log's text and the serial log's tail.  A
 * signature already there keeps its report (*known = 1); the caller
 * names the directory in *path.  extra (or NULL) goes to
 * dir/SIGHASH/extra_name, replacing an older one.
 */
int xk_fuzz_report(const char *dir, const struct xk_fuzz_outcome *o,
    uint64_t seed, const char *log_text, const char *serial_tail,
    const char *extra_name, const char *extra, char *path, size_t len,
    int *known, struct xk_error *err);

#endif
