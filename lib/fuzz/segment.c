/*
 * segment.c - a toolstack run in segments, checkpointed, resumed after
 * a crash (see segment.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fuzz/segment.h"
#include "lab/checkpoint.h"
#include "util/clock.h"
#include "util/file.h"

#define ARGV_MAX		32
#define CHECKPOINT_TIMEOUT_MS	(300 * 1000)
#define LOAD_TIMEOUT_MS		(600 * 1000)

/* Where the run stands. */
struct progress {
	size_t made;		/* operations kept in the log */
	size_t at;		/* ... when the checkpoint was taken */
	off_t at_off;		/* the log's length then */
	int checkpoints;	/* taken (0: none yet) */
	int resumes;		/* crashes resumed */
	int new_path;		/* the next segment draws from a new seed */
	int64_t ms;		/* the engine's time, all segments */
};

/* A comment in the log, durably (the log's own lines are). */
static int
log_note(int fd, struct xk_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
log_note(int fd, struct xk_error *err, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line)) {
		xk_error_set(err, "log comment too long");
		return -1;
	}
	if (xk_write_all(fd, line, (size_t)n, "the log", err) == -1)
		return -1;
	if (fdatasync(fd) == -1) {
		xk_error_errno(err, errno, "fsync the log");
		return -1;
	}
	return 0;
}

/* A new path's seed after the k-th crash: splitmix64's step, so that
 * each resume of a run draws anew, and the same run the same again. */
static uint64_t
path_seed(uint64_t seed, int k)
{
	uint64_t z = seed + (uint64_t)k * 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return z != 0 ? z : 1;
}

/* One segment: n operations from p->made. */
static int
segment(const struct xk_fuzz_segments *s, const struct progress *p,
    size_t n, struct xk_fuzz_outcome *o, struct xk_error *err)
{
	char ops[24], first[24], reseed[24];
	const char *argv[ARGV_MAX];
	int i = 0;

	while (s->argv[i] != NULL && i < ARGV_MAX - 10) {
		argv[i] = s->argv[i];
		i++;
	}
	snprintf(ops, sizeof(ops), "%zu", n);
	snprintf(first, sizeof(first), "%zu", p->made);
	argv[i++] = "--ops";
	argv[i++] = ops;
	argv[i++] = "--first";
	argv[i++] = first;
	if (p->made > 0)
		argv[i++] = "--resume";
	if (p->made + n < s->ops)
		argv[i++] = "--keep";
	if (p->new_path) {
		snprintf(reseed, sizeof(reseed), "%" PRIu64,
		    path_seed(s->seed, p->resumes));
		argv[i++] = "--reseed";
		argv[i++] = reseed;
	}
	argv[i] = NULL;
	return xk_fuzz_lab_exec(&(struct xk_fuzz_job){ .state = s->state,
	    .argv = argv, .in_fd = -1, .log_fd = s->log_fd,
	    .err_fd = s->err_fd, .timeout_s = s->timeout_s,
	    .first = p->made }, o, err);
}

/* After a segment that ran through: save the lab, mark the log. */
static int
checkpoint(const struct xk_fuzz_segments *s, struct progress *p,
    struct xk_error *err)
{
	int64_t t0 = xk_mono_ms();
	off_t off;

	if (xk_lab_checkpoint_save(s->state, s->checkpoint,
	    CHECKPOINT_TIMEOUT_MS, err) == -1)
		return -1;
	p->checkpoints++;
	if (log_note(s->log_fd, err, "# checkpoint %d ops=%zu\n",
	    p->checkpoints, p->made) == -1)
		return -1;
	if ((off = lseek(s->log_fd, 0, SEEK_END)) == -1) {
		xk_error_errno(err, errno, "the log");
		return -1;
	}
	p->at = p->made;
	p->at_off = off;
	fprintf(s->msg, "checkpoint %d: after operation %zu, in %.1f s\n",
	    p->checkpoints, p->made, (double)(xk_mono_ms() - t0) / 1000.0);
	fflush(s->msg);
	return 0;
}

/* After a crash past a checkpoint: report, cut the log, load the lab. */
static int
resume(const struct xk_fuzz_segments *s, struct progress *p,
    const struct xk_fuzz_outcome *o, struct xk_error *err)
{
	int64_t t0;

	s->found(s->arg, o);
	p->resumes++;
	if (ftruncate(s->log_fd, p->at_off) == -1) {
		xk_error_errno(err, errno, "cut the log back to checkpoint %d",
		    p->checkpoints);
		return -1;
	}
	if (log_note(s->log_fd, err, "# resumed from checkpoint %d after a "
	    "crash (%.160s), along another path\n", p->checkpoints,
	    o->sig) == -1)
		return -1;
	t0 = xk_mono_ms();
	if (xk_lab_checkpoint_load(s->state, s->checkpoint, LOAD_TIMEOUT_MS,
	    err) == -1)
		return -1;
	p->made = p->at;
	p->new_path = 1;
	fprintf(s->msg, "resumed: the lab from checkpoint %d (operation %zu) "
	    "in %.1f s\n", p->checkpoints, p->at,
	    (double)(xk_mono_ms() - t0) / 1000.0);
	fflush(s->msg);
	return 0;
}

int
xk_fuzz_run_segments(const struct xk_fuzz_segments *s,
    struct xk_fuzz_outcome *o, struct xk_error *err)
{
	struct progress p = { 0 };
	size_t n;

	while (p.made < s->ops) {
		n = s->ops - p.made < s->every ? s->ops - p.made : s->every;
		if (segment(s, &p, n, o, err) == -1)
			return -1;
		p.ms += o->ms;
		p.new_path = 0;
		if (!o->found) {
			p.made += n;
			if (p.made < s->ops && checkpoint(s, &p, err) == -1)
				return -1;
			continue;
		}
		/* a crash after a checkpoint is resumed; anything else (a
		 * violation, a crash before, too many) ends the run */
		if (!o->lost || p.checkpoints == 0 ||
		    p.resumes >= XK_FUZZ_RESUMES_MAX)
			break;
		if (resume(s, &p, o, err) == -1)
			return -1;
	}
	if (!o->found)
		o->ops = p.made;
	o->ms = p.ms;
	return 0;
}
