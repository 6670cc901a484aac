/*
 * guide.h - coverage guidance for the hypercall engine: which input to
 * run next, and what to keep of the inputs run so far.
 *
 * An input is a sequence of hypercall operations (oplog.h).  The
 * corpus holds every input that reached an edge of the hypervisor no
 * input before it had (edges.h); the next input is a fresh one from
 * the generator, or, guided, one of the corpus's mutated:
 *
 *	replace		1 to 4 operations drawn afresh (a call and its
 *			arguments), the rest as they were
 *	tail		a prefix kept, the rest drawn afresh: the state
 *			the prefix builds (domains in slots, settings)
 *			is where new calls start
 *	splice		a prefix of one entry, a suffix of another
 *
 * Unguided (the bench's reference), every input is fresh and the
 * corpus only counts.  Pure: inputs come from the PRNG and the corpus
 * alone, so a guide's seed and the edges it is fed make the same
 * inputs again.
 */
#ifndef XK_FUZZ_GUIDE_H
#define XK_FUZZ_GUIDE_H

#include <stdbool.h>
#include <stddef.h>

#include "fuzz/edges.h"
#include "fuzz/oplog.h"
#include "fuzz/prng.h"
#include "util/error.h"

struct xk_guide_entry {
	struct xk_fuzz_op *ops;
	size_t n;
	size_t gain;		/* the edges it added when it ran */
};

struct xk_guide {
	struct xk_prng prng;
	struct xk_edges known;		/* every input's, so far */
	struct xk_guide_entry *corpus;
	size_t ncorpus, cap;
	size_t ops;			/* an input's length, at most */
	bool guided;
};

/* A guide drawing from seed, inputs of up to ops operations. */
void xk_guide_init(struct xk_guide *g, uint64_t seed, size_t ops,
    bool guided);

/*
 * The next input into *ops (allocated, *n of them; the caller frees
 * it); *how says how it was made ("fresh", "replace", "tail",
 * "splice").
 */
int xk_guide_next(struct xk_guide *g, struct xk_fuzz_op **ops, size_t *n,
    const char **how, struct xk_error *err);

/*
 * What an input reached: *gain gets the edges of run no input had
 * before; they join the known set, and an input with a gain joins the
 * corpus (copied).  With again (a second run of the same input, or
 * NULL), only the new edges both runs reached count: dom0 and the
 * hypervisor's own work add edges while an input runs, and those
 * seldom come twice; both runs' edges join the known set.
 */
int xk_guide_feedback(struct xk_guide *g, const struct xk_fuzz_op *ops,
    size_t n, const struct xk_edges *run, const struct xk_edges *again,
    size_t *gain, struct xk_error *err);

void xk_guide_free(struct xk_guide *g);

#endif
