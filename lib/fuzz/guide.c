/*
 * guide.c - coverage guidance's corpus and mutations (see guide.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/guide.h"

void
xk_guide_init(struct xk_guide *g, uint64_t seed, size_t ops, bool guided)
{
	memset(g, 0, sizeof(*g));
	xk_prng_seed(&g->prng, seed);
	g->ops = ops == 0 ? 1 : ops;
	g->guided = guided;
}

/* A fresh operation: a call and its arguments from the generator. */
static void
draw(struct xk_guide *g, struct xk_fuzz_op *op)
{
	memset(op, 0, sizeof(*op));
	op->verb = XK_OP_HCALL;
	xk_hc_generate(&g->prng, false, &op->call, op->arg);
}

static const struct xk_guide_entry *
pick(struct xk_guide *g)
{
	return &g->corpus[xk_prng_range(&g->prng, 0, g->ncorpus - 1)];
}

/* ops[0..n) becomes a mutation of a corpus entry; *n its length. */
static const char *
mutate(struct xk_guide *g, struct xk_fuzz_op *ops, size_t *n)
{
	const struct xk_guide_entry *a = pick(g), *b;
	size_t i, k, from, times;

	switch (xk_prng_range(&g->prng, 0, 2)) {
	case 0:
		memcpy(ops, a->ops, a->n * sizeof(*ops));
		*n = a->n;
		times = (size_t)xk_prng_range(&g->prng, 1, 4);
		for (i = 0; i < times; i++)
			draw(g, &ops[xk_prng_range(&g->prng, 0, *n - 1)]);
		return "replace";
	case 1:
		k = (size_t)xk_prng_range(&g->prng, 0, a->n - 1);
		memcpy(ops, a->ops, k * sizeof(*ops));
		for (i = k; i < g->ops; i++)
			draw(g, &ops[i]);
		*n = g->ops;
		return "tail";
	default:
		b = pick(g);
		k = (size_t)xk_prng_range(&g->prng, 1, a->n);
		from = (size_t)xk_prng_range(&g->prng, 0, b->n - 1);
		memcpy(ops, a->ops, k * sizeof(*ops));
		*n = k;
		for (i = from; i < b->n && *n < g->ops; i++)
			ops[(*n)++] = b->ops[i];
		return "splice";
	}
}

int
xk_guide_next(struct xk_guide *g, struct xk_fuzz_op **ops, size_t *n,
    const char **how, struct xk_error *err)
{
	size_t i;

	if ((*ops = calloc(g->ops, sizeof(**ops))) == NULL) {
		xk_error_errno(err, ENOMEM, "input");
		return -1;
	}
	/* a fresh input one time in four even when guided: new ground
	 * beside what the corpus leads to */
	if (g->guided && g->ncorpus > 0 &&
	    xk_prng_range(&g->prng, 0, 3) != 0) {
		*how = mutate(g, *ops, n);
		return 0;
	}
	for (i = 0; i < g->ops; i++)
		draw(g, &(*ops)[i]);
	*n = g->ops;
	*how = "fresh";
	return 0;
}

static int
keep(struct xk_guide *g, const struct xk_fuzz_op *ops, size_t n, size_t gain,
    struct xk_error *err)
{
	struct xk_guide_entry *c, *e;

	if (n == 0 || n > g->ops) {	/* not one of the guide's inputs */
		xk_error_set(err, "corpus: an input of %zu operations (1 to "
		    "%zu)", n, g->ops);
		return -1;
	}
	if (g->ncorpus == g->cap) {
		g->cap = g->cap == 0 ? 16 : g->cap * 2;
		if ((c = realloc(g->corpus, g->cap * sizeof(*c))) == NULL) {
			xk_error_errno(err, ENOMEM, "corpus");
			return -1;
		}
		g->corpus = c;
	}
	e = &g->corpus[g->ncorpus];
	if ((e->ops = malloc(n * sizeof(*ops))) == NULL) {
		xk_error_errno(err, ENOMEM, "corpus");
		return -1;
	}
	memcpy(e->ops, ops, n * sizeof(*ops));
	e->n = n;
	e->gain = gain;
	g->ncorpus++;
	return 0;
}

int
xk_guide_feedback(struct xk_guide *g, const struct xk_fuzz_op *ops,
    size_t n, const struct xk_edges *run, const struct xk_edges *again,
    size_t *gain, struct xk_error *err)
{
	struct xk_edges both = { 0 };
	int r = 0;

	if (again != NULL && xk_edges_intersect(run, again, &both, err) == -1)
		return -1;
	*gain = xk_edges_count_new(&g->known, again != NULL ? &both : run);
	xk_edges_free(&both);
	if (xk_edges_merge(&g->known, run, err) == -1 || (again != NULL &&
	    xk_edges_merge(&g->known, again, err) == -1))
		return -1;
	if (*gain > 0)
		r = keep(g, ops, n, *gain, err);
	return r;
}

void
xk_guide_free(struct xk_guide *g)
{
	size_t i;

	for (i = 0; i < g->ncorpus; i++)
		free(g->corpus[i].ops);
	free(g->corpus);
	xk_edges_free(&g->known);
	memset(g, 0, sizeof(*g));
}
