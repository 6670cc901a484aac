/*
 * guided.c - the coverage-guided loop (see guided.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/edges.h"
#include "fuzz/guide.h"
#include "fuzz/guided.h"
#include "lab/coverage.h"
#include "util/clock.h"
#include "util/strbuf.h"
#include "util/tempfile.h"

/* The input as a log (drive.h's writer): the header names the seed. */
static int
input_text(const struct xk_fuzz_guided *g, const struct xk_fuzz_op *ops,
    size_t n, struct strbuf *sb, struct xk_error *err)
{
	struct xk_oplog log = { .engine = "hypercall", .seed = g->seed };

	if (xk_oplog_to_text(&log, ops, n, sb) == -1) {
		xk_error_errno(err, ENOMEM, "input");
		return -1;
	}
	return 0;
}

/* A kept input as corpus_dir/input-NNNNNN.log. */
static int
keep_file(const struct xk_fuzz_guided *g, size_t index,
    const struct strbuf *text, struct xk_error *err)
{
	char path[PATH_MAX];

	if (g->corpus_dir == NULL)
		return 0;
	if (snprintf(path, sizeof(path), "%s/input-%06zu.log", g->corpus_dir,
	    index) >= (int)sizeof(path)) {
		xk_error_set(err, "%s: path too long", g->corpus_dir);
		return -1;
	}
	return xk_tempfile_write(path, text->buf, text->len, err);
}

/* What the input reached: the counters read, its edges fed back. */
static int
feedback(struct xk_guide *guide, const struct xk_fuzz_guided *g,
    const struct xk_fuzz_op *ops, size_t n, size_t *gain,
    struct xk_error *err)
{
	struct strbuf raw = STRBUF_INIT;
	struct xk_edges e = { 0 };
	int r = -1;

	if (xk_lab_xencov(g->state, "read", &raw, err) == 0 &&
	    xk_edges_from_xencov((const uint8_t *)raw.buf, raw.len, &e,
	    err) == 0)
		r = xk_guide_feedback(guide, ops, n, &e, gain, err);
	xk_edges_free(&e);
	strbuf_free(&raw);
	return r;
}

/* One input: made, run, fed back; its line printed. */
static int
one_input(struct xk_guide *guide, const struct xk_fuzz_guided *g,
    struct xk_fuzz_guided_totals *t, int64_t t0, struct xk_error *err)
{
	struct strbuf text = STRBUF_INIT;
	struct xk_fuzz_outcome o;
	struct xk_fuzz_op *ops = NULL;
	const char *how;
	size_t n, gain = 0;
	int r = -1;

	if (g->restart(g->arg, err) == -1 ||
	    xk_guide_next(guide, &ops, &n, &how, err) == -1 ||
	    input_text(g, ops, n, &text, err) == -1 ||
	    xk_lab_xencov(g->state, "reset", NULL, err) == -1 ||
	    xk_fuzz_lab_replay(g->state, &text, NULL, 2, g->timeout_s, &o,
	    err) == -1)
		goto out;
	t->inputs++;
	t->ops += o.ops;
	if (o.found) {
		t->findings++;
		g->found(g->arg, &o, strbuf_str(&text));
		fprintf(g->out, "%.1f s: input %zu (%s): found %s\n",
		    (double)(xk_mono_ms() - t0) / 1000.0, t->inputs, how, o.sig);
		r = 0;
		goto out;
	}
	if (feedback(guide, g, ops, n, &gain, err) == -1 ||
	    (gain > 0 && keep_file(g, guide->ncorpus, &text, err) == -1))
		goto out;
	t->kept = guide->ncorpus;
	t->edges = guide->known.n;
	fprintf(g->out, "%.1f s: input %zu (%s): %zu calls, +%zu edges, %zu "
	    "in all, corpus %zu\n", (double)(xk_mono_ms() - t0) / 1000.0,
	    t->inputs, how, o.ops, gain, t->edges, t->kept);
	fflush(g->out);
	r = 0;
out:
	free(ops);
	strbuf_free(&text);
	return r;
}

int
xk_fuzz_guided_run(const struct xk_fuzz_guided *g,
    struct xk_fuzz_guided_totals *t, struct xk_error *err)
{
	struct xk_guide guide;
	int64_t t0 = xk_mono_ms();
	int r = 0;

	memset(t, 0, sizeof(*t));
	xk_guide_init(&guide, g->seed, g->ops, g->guided);
	while (r == 0 && xk_mono_ms() - t0 < g->duration_ms)
		r = one_input(&guide, g, t, t0, err);
	fprintf(g->out, "%s: %zu inputs, %zu calls, %zu edges, corpus %zu, "
	    "%zu findings in %.1f s\n", g->guided ? "guided" : "unguided",
	    t->inputs, t->ops, t->edges, t->kept, t->findings,
	    (double)(xk_mono_ms() - t0) / 1000.0);
	xk_guide_free(&guide);
	return r;
}
