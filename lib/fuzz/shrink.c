/*
 * shrink.c - ddmin over operations (see shrink.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/shrink.h"

/* out = ops without [from, from+len) */
static size_t
complement(const struct xk_fuzz_op *ops, size_t n, size_t from, size_t len,
    struct xk_fuzz_op *out)
{
	memcpy(out, ops, from * sizeof(*ops));
	memcpy(out + from, ops + from + len, (n - from - len) * sizeof(*ops));
	return n - len;
}

int
xk_shrink_flaky_test(const struct xk_fuzz_op *ops, size_t n, void *arg,
    struct xk_error *err)
{
	const struct xk_shrink_flaky *f = arg;
	int r = 0;

	for (unsigned int i = 0; i < f->tries && r == 0; i++)
		r = f->test(ops, n, f->arg, err);
	return r;
}

int
xk_fuzz_shrink(struct xk_fuzz_op *ops, size_t *n, xk_shrink_test_fn test,
    void *arg, size_t *runs, struct xk_error *err)
{
	struct xk_fuzz_op *tmp;
	size_t g = 2;

	if (*n < 2)
		return 0;
	if ((tmp = calloc(*n, sizeof(*tmp))) == NULL) {
		xk_error_errno(err, ENOMEM, "shrink");
		return -1;
	}
	while (*n >= 2) {
		size_t chunk = (*n + g - 1) / g, from;
		int r = 0;

		for (from = 0; from < *n; from += chunk) {
			size_t len = chunk < *n - from ? chunk : *n - from;
			size_t m = complement(ops, *n, from, len, tmp);

			(*runs)++;
			if ((r = test(tmp, m, arg, err)) == -1) {
				free(tmp);
				return -1;
			}
			if (r == 1) {
				memcpy(ops, tmp, m * sizeof(*ops));
				*n = m;
				break;
			}
		}
		if (r == 1) {
			g = g > 2 ? g - 1 : 2;
			continue;
		}
		if (g >= *n)
			break;
		g = 2 * g < *n ? 2 * g : *n;
	}
	free(tmp);
	return 0;
}

/* The domain an operation works on: toolstack dN as N, a call's first
 * slot @K as 100 + K; -1 for none (xenstore, calls on no slot). */
static int
op_domain(const struct xk_fuzz_op *op)
{
	if (op->verb < XK_OP_XS_WRITE)
		return op->dom;
	if (op->verb != XK_OP_HCALL)
		return -1;
	for (int j = 0; j < xk_hc_nargs(op->call); j++)
		if (xk_hc_call(op->call)->a[j].kind == XK_HC_DOM &&
		    op->arg[j] >= XK_HC_SLOT(1))
			return 100 + (int)(op->arg[j] - XK_HC_SLOT(0));
	return -1;
}

int
xk_fuzz_shrink_slice(struct xk_fuzz_op *ops, size_t *n,
    xk_shrink_test_fn test, void *arg, size_t *runs, struct xk_error *err)
{
	struct xk_fuzz_op *tmp;
	size_t m = 0;
	int dom, r;

	if (*n < 2 || (dom = op_domain(&ops[*n - 1])) == -1)
		return 0;
	if ((tmp = calloc(*n, sizeof(*tmp))) == NULL) {
		xk_error_errno(err, ENOMEM, "shrink");
		return -1;
	}
	for (size_t i = 0; i < *n; i++)
		if (op_domain(&ops[i]) == dom)
			tmp[m++] = ops[i];
	r = 0;
	if (m < *n) {
		(*runs)++;
		r = test(tmp, m, arg, err);
	}
	if (r == 1) {
		memcpy(ops, tmp, m * sizeof(*ops));
		*n = m;
	}
	free(tmp);
	return r == -1 ? -1 : 0;
}

int
xk_fuzz_shrink_pairs(struct xk_fuzz_op *ops, size_t *n,
    xk_shrink_test_fn test, void *arg, size_t *runs, struct xk_error *err)
{
	struct xk_fuzz_op pair[2];
	int r;

	if (*n < 2 || *n > XK_SHRINK_PAIRS_MAX)
		return 0;
	pair[1] = ops[*n - 1];
	(*runs)++;
	if ((r = test(&pair[1], 1, arg, err)) != 0) {
		if (r == 1) {
			ops[0] = pair[1];
			*n = 1;
		}
		return r == -1 ? -1 : 0;
	}
	for (size_t i = 0; i + 1 < *n; i++) {
		pair[0] = ops[i];
		(*runs)++;
		if ((r = test(pair, 2, arg, err)) == -1)
			return -1;
		if (r == 1) {
			ops[0] = pair[0];
			ops[1] = pair[1];
			*n = 2;
			return 0;
		}
	}
	return 0;
}
