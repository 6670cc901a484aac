/*
 * shrink.h - delta debugging over an operation sequence (Zeller and
 * Hildebrandt's ddmin, complements only): remove chunks, halving them
 * down to single operations, and keep each removal after which the
 * sequence still fails the same way.  The result is 1-minimal: taking
 * out any one operation more makes the failure go.
 */
#ifndef XK_FUZZ_SHRINK_H
#define XK_FUZZ_SHRINK_H

#include <stddef.h>

#include "fuzz/oplog.h"
#include "util/error.h"

/* Does ops[0..n) still fail the same way?  1 yes, 0 no, -1 error. */
typedef int (*xk_shrink_test_fn)(const struct xk_fuzz_op *ops, size_t n,
    void *arg, struct xk_error *err);

/*
 * A failure that comes only now and then (a race in Xen: finding 2 of
 * xk-fuzz(1) panics within 4-12 s, not on one fixed operation): one
 * passing run of a candidate proves nothing.  xk_shrink_flaky_test is
 * a test (arg: a struct xk_shrink_flaky) that runs the wrapped test up
 * to tries times and says "still fails" at the first failure; only
 * tries passes in a row drop a candidate.
 */
struct xk_shrink_flaky {
	xk_shrink_test_fn test;
	void *arg;
	unsigned int tries;	/* 1: a deterministic failure */
};
int xk_shrink_flaky_test(const struct xk_fuzz_op *ops, size_t n, void *arg,
    struct xk_error *err);

/*
 * A first cut, before ddmin (one test where ddmin takes many, and each
 * test is a replay in the lab): when the last operation names a domain
 * (dN, or a call's slot @K), try the operations on that domain alone.  Keeps them (*n shrinks) if
 * they still fail.  0, or -1 when the test fails with an error.
 */
int xk_fuzz_shrink_slice(struct xk_fuzz_op *ops, size_t *n,
    xk_shrink_test_fn test, void *arg, size_t *runs, struct xk_error *err);

/*
 * A second cut, for short sequences (at most XK_SHRINK_PAIRS_MAX): the
 * last operation alone, then with each one before it in turn.  Most
 * bugs take one or two operations, a test that passes is cheap and one
 * that fails may cost a restart of the lab, so this finds a pair in one
 * failing test where ddmin takes several.  Keeps the first that fails
 * (*n becomes 1 or 2).  0, or -1 when a test fails with an error.
 */
#define XK_SHRINK_PAIRS_MAX	32
int xk_fuzz_shrink_pairs(struct xk_fuzz_op *ops, size_t *n,
    xk_shrink_test_fn test, void *arg, size_t *runs, struct xk_error *err);

/*
 * Shrink ops[0..*n) in place (the caller knows it fails).  *runs counts
 * the tests made.  -1 when a test fails with an error.
 */
int xk_fuzz_shrink(struct xk_fuzz_op *ops, size_t *n, xk_shrink_test_fn test,
    void *arg, size_t *runs, struct xk_error *err);

#endif
