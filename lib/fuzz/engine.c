/*
 * engine.c - the toolstack engine's loop in dom0 (see engine.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "fuzz/console.h"
#include "fuzz/engine.h"
#include "fuzz/hcall-xen.h"
#include "fuzz/model.h"
#include "util/clock.h"
#include "util/strbuf.h"

/* Write and flush: the line must be on its way before what it names
 * happens. */
static int
emit(FILE *out, const char *s, struct xk_error *err)
{
	if (fputs(s, out) == EOF || fflush(out) == EOF) {
		xk_error_errno(err, errno, "write the log");
		return -1;
	}
	return 0;
}

/* The operation's line, n-th of the run: to the host, then to Xen's
 * console (console.h says why both). */
static int
emit_op(FILE *out, struct xk_fuzz_console *cons, size_t n,
    const struct xk_fuzz_op *op, struct xk_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	int r;

	if (xk_oplog_format(op, &sb) == -1) {
		strbuf_free(&sb);
		xk_error_errno(err, ENOMEM, "log");
		return -1;
	}
	r = emit(out, strbuf_str(&sb), err);
	if (r == 0)
		r = xk_fuzz_console_write(cons, n, strbuf_str(&sb), err);
	strbuf_free(&sb);
	return r;
}

static int
loop(const struct xk_fuzz_engine_opts *o, struct xk_fuzz_xen *x,
    struct xk_fuzz_console *cons, int *found, size_t *done,
    struct xk_error *err)
{
	size_t n = o->replay != NULL ? o->replay->n : o->ops;
	struct xk_fuzz_model m, after;
	struct xk_fuzz_violation v;
	struct xk_prng prng;
	struct xk_fuzz_op op;
	const char *why;
	int r;

	xk_fuzz_model_init(&m);
	xk_prng_seed(&prng, o->seed);
	for (size_t i = 0; i < n; i++) {
		if (o->replay != NULL)
			op = o->replay->ops[i];
		else
			xk_fuzz_generate(&m, &prng, &op);
		if ((why = xk_fuzz_model_refuses(&m, &op)) != NULL) {
			fprintf(o->out, "# skip %zu: %s\n", i, why);
			continue;
		}
		if (emit_op(o->out, cons, *done, &op, err) == -1)
			return -1;
		after = m;
		xk_fuzz_model_apply(&after, &op);
		(*done)++;
		r = xk_fuzz_xen_step(x, &m, &op, &after, &v, err);
		if (r == -1)
			return -1;
		m = after;
		if (r == 1) {
			fprintf(o->out, "# violation op=%zu\t%s\t%s\n", i, v.sig,
			    v.detail);
			*found = 1;
			break;
		}
	}
	return 0;
}

/* The hypercall engine: no model (what Xen answers is counted, not
 * judged); the host looks for the crash. */
static int
hcall_loop(const struct xk_fuzz_engine_opts *o, struct xk_hc_xen *x,
    struct xk_fuzz_console *cons, size_t *done, struct xk_error *err)
{
	size_t n = o->replay != NULL ? o->replay->n : o->ops;
	struct xk_prng prng;
	struct xk_fuzz_op op;

	xk_prng_seed(&prng, o->seed);
	for (size_t i = 0; i < n; i++) {
		if (o->replay != NULL) {
			op = o->replay->ops[i];
		} else {
			memset(&op, 0, sizeof(op));
			op.verb = XK_OP_HCALL;
			xk_hc_generate(&prng, &op.call, op.arg);
		}
		if (emit_op(o->out, cons, *done, &op, err) == -1)
			return -1;
		(*done)++;
		if (xk_hc_xen_step(x, &op, err) == -1)
			return -1;
	}
	xk_hc_xen_stats(x, o->out);
	return 0;
}

static int
run_toolstack(const struct xk_fuzz_engine_opts *o,
    struct xk_fuzz_console *cons, const char *hdr, int *found, size_t *done,
    struct xk_error *err)
{
	struct xk_fuzz_xen *x;
	int r;

	if ((x = xk_fuzz_xen_open(o->plant, err)) == NULL)
		return -1;
	r = xk_fuzz_xen_reset(x, true, err);
	if (r == 0)
		r = emit(o->out, hdr, err);
	if (r == 0)
		r = loop(o, x, cons, found, done, err);
	/* leave dom0 as it was, whatever happened (the first error is
	 * the one to tell) */
	if (r == 0)
		r = xk_fuzz_xen_reset(x, false, err);
	else
		xk_fuzz_xen_reset(x, false, &(struct xk_error){ 0 });
	xk_fuzz_xen_close(x);
	return r;
}

static int
run_hcall(const struct xk_fuzz_engine_opts *o, struct xk_fuzz_console *cons,
    const char *hdr, size_t *done, struct xk_error *err)
{
	struct xk_hc_xen *x;
	int r;

	if ((x = xk_hc_xen_open(err)) == NULL)
		return -1;
	r = xk_hc_xen_reset(x, err);
	if (r == 0)
		r = emit(o->out, hdr, err);
	if (r == 0)
		r = hcall_loop(o, x, cons, done, err);
	if (r == 0)
		r = xk_hc_xen_reset(x, err);
	else
		xk_hc_xen_reset(x, &(struct xk_error){ 0 });
	xk_hc_xen_close(x);
	return r;
}

int
xk_fuzz_engine_run(const struct xk_fuzz_engine_opts *o, int *found,
    struct xk_error *err)
{
	struct strbuf hdr = STRBUF_INIT;
	struct xk_fuzz_console *cons;
	int64_t t0 = xk_mono_ms();
	size_t done = 0;
	int r;

	*found = 0;
	if ((cons = xk_fuzz_console_open(err)) == NULL)
		return -1;
	if (xk_oplog_header(o->hcall ? "hypercall" : "toolstack",
	    o->replay != NULL ? o->replay->seed : o->seed, &hdr) == -1) {
		xk_error_errno(err, ENOMEM, "log");
		r = -1;
	} else if (o->hcall) {
		r = run_hcall(o, cons, strbuf_str(&hdr), &done, err);
	} else {
		r = run_toolstack(o, cons, strbuf_str(&hdr), found, &done,
		    err);
	}
	if (r == 0) {
		fprintf(o->out, "# done ops=%zu ms=%" PRId64 "\n", done,
		    xk_mono_ms() - t0);
		r = emit(o->out, "", err);
	}
	strbuf_free(&hdr);
	xk_fuzz_console_close(cons);
	return r;
}
