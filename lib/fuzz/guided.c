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

/* The edges the lab's counters hold, into e. */
static int
read_edges(const struct xk_fuzz_guided *g, struct xk_edges *e,
    struct xk_error *err)
{
	struct strbuf raw = STRBUF_INIT;
	int r = -1;

	if (xk_lab_xencov(g->state, "read", &raw, err) == 0 &&
	    xk_edges_from_xencov((const uint8_t *)raw.buf, raw.len, e,
	    err) == 0)
		r = 0;
	strbuf_free(&raw);
	return r;
}

/* The input's text run in the lab, the counters zeroed before it. */
static int
run_input(const struct xk_fuzz_guided *g, const struct strbuf *text,
    struct xk_fuzz_outcome *o, struct xk_error *err)
{
	if (xk_lab_xencov(g->state, "reset", NULL, err) == -1)
		return -1;
	return xk_fuzz_lab_replay(g->state, text, NULL, 2, g->timeout_s, o,
	    err);
}

/* A finding: kept by the caller's callback, said on a line. */
static void
finding(const struct xk_fuzz_guided *g, struct xk_fuzz_guided_totals *t,
    const struct xk_fuzz_outcome *o, const char *how,
    const struct strbuf *text, int64_t t0)
{
	t->findings++;
	g->found(g->arg, o, strbuf_str(text));
	fprintf(g->out, "%.1f s: input %zu (%s): found %s\n",
	    (double)(xk_mono_ms() - t0) / 1000.0, t->inputs, how, o->sig);
}

/*
 * What the input reached, fed back.  Guided, an input that seems to
 * add edges runs again, and the guide counts only what both runs
 * reached; a finding on that second run is kept, and the first run's
 * edges alone are fed back.
 */
static int
feedback(struct xk_guide *guide, const struct xk_fuzz_guided *g,
    struct xk_fuzz_guided_totals *t, const struct xk_fuzz_op *ops,
    size_t n, const struct strbuf *text, const char *how, int64_t t0,
    size_t *gain, struct xk_error *err)
{
	struct xk_edges e = { 0 }, again = { 0 };
	struct xk_fuzz_outcome o = { 0 };
	bool twice = false;
	int r = -1;

	if (read_edges(g, &e, err) == -1)
		goto out;
	if (g->guided && xk_edges_count_new(&guide->known, &e) > 0) {
		t->reruns++;
		if (run_input(g, text, &o, err) == -1)
			goto out;
		if (o.found)
			finding(g, t, &o, how, text, t0);
		else if (read_edges(g, &again, err) == -1)
			goto out;
		twice = !o.found;
	}
	r = xk_guide_feedback(guide, ops, n, &e, twice ? &again : NULL, gain,
	    err);
out:
	xk_edges_free(&e);
	xk_edges_free(&again);
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
	    run_input(g, &text, &o, err) == -1)
		goto out;
	t->inputs++;
	t->ops += o.ops;
	if (o.found) {
		finding(g, t, &o, how, &text, t0);
		r = 0;
		goto out;
	}
	if (feedback(guide, g, t, ops, n, &text, how, t0, &gain, err) == -1 ||
	    (gain > 0 && keep_file(g, guide->ncorpus, &text, err) == -1))
		goto out;
	t->kept = guide->ncorpus;
	t->edges = guide->known.n;
	t->confirmed += gain;
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
	fprintf(g->out, "%s: %zu inputs (%zu run twice), %zu calls, %zu "
	    "edges (%zu kept), corpus %zu, %zu findings in %.1f s\n",
	    g->guided ? "guided" : "unguided", t->inputs, t->reruns, t->ops,
	    t->edges, t->confirmed, t->kept, t->findings,
	    (double)(xk_mono_ms() - t0) / 1000.0);
	xk_guide_free(&guide);
	return r;
}
