/*
 * engine.c - the toolstack engine's loop in dom0 (see engine.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz/console.h"
#include "fuzz/engine.h"
#include "fuzz/hcall-guest.h"
#include "fuzz/hcall-xen.h"
#include "fuzz/model.h"
#include "util/clock.h"
#include "util/file.h"
#include "util/strbuf.h"
#include "util/tempfile.h"

#define STATE_MAGIC	"xkfzst1"

/*
 * What a segment leaves for the next (engine.h): this binary's own
 * structures, behind a magic and their size.  A checkpoint brings back
 * the same dom0 with the same xk, which alone reads the file.
 */
struct saved {
	char magic[8];
	uint32_t size;
	uint64_t ops;			/* the run's operations so far */
	struct xk_fuzz_model model;
	struct xk_prng prng;
};

static int
save_state(const struct xk_fuzz_model *m, const struct xk_prng *p,
    size_t ops, struct xk_error *err)
{
	struct saved s;

	memset(&s, 0, sizeof(s));
	memcpy(s.magic, STATE_MAGIC, sizeof(STATE_MAGIC));
	s.size = sizeof(s);
	s.ops = ops;
	s.model = *m;
	s.prng = *p;
	if (mkdir("/run/xk-fuzz", 0700) == -1 && errno != EEXIST) {
		xk_error_errno(err, errno, "/run/xk-fuzz");
		return -1;
	}
	return xk_tempfile_write(XK_FUZZ_ENGINE_STATE, &s, sizeof(s), err);
}

static int
load_state(struct xk_fuzz_model *m, struct xk_prng *p, size_t *ops,
    struct xk_error *err)
{
	struct saved s;
	char *data;
	size_t len;

	if (xk_read_file(XK_FUZZ_ENGINE_STATE, sizeof(s) + 1, &data, &len,
	    err) == -1) {
		xk_error_prefix(err, "resume: no state a segment left");
		return -1;
	}
	if (len == sizeof(s))
		memcpy(&s, data, sizeof(s));
	free(data);
	if (len != sizeof(s) || memcmp(s.magic, STATE_MAGIC,
	    sizeof(STATE_MAGIC)) != 0 || s.size != sizeof(s)) {
		xk_error_set(err, "resume: %s is not this engine's state "
		    "(another xk wrote it?)", XK_FUZZ_ENGINE_STATE);
		return -1;
	}
	*m = s.model;
	*p = s.prng;
	*ops = (size_t)s.ops;
	return 0;
}

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

/*
 * The test hook's crash (engine.h): the two calls of
 * tests/lab/fuzz/vpic-save.log, which take Xen 4.17.5 down (a bug the
 * hypercall engine found: share/xen-patches/fixes/0001).  On a fixed Xen
 * they fail, and the run goes on.
 */
static const char *const crash_calls[] = {
	"hc domctl.createdomain dom=@2 flags=0x3 max_vcpus=4 grant_opts=1 "
	    "max_grant_frames=56 emulation=0x1",
	"hc domctl.gethvmcontext dom=@2 size=16385 buffer=buf",
};

static int
crash(FILE *out, size_t n, struct xk_error *err)
{
	struct xk_hc_xen *h;
	struct xk_fuzz_op op;
	int r = 0;

	fprintf(out, "# crash-at %zu: the test hook's calls "
	    "(tests/lab/fuzz/vpic-save.log)\n", n);
	if (fflush(out) == EOF || (h = xk_hc_xen_open(err)) == NULL)
		return -1;
	for (size_t i = 0; r == 0 && i < sizeof(crash_calls) /
	    sizeof(crash_calls[0]); i++) {
		r = xk_oplog_parse_op(crash_calls[i], strlen(crash_calls[i]),
		    i + 1, &op, err);
		if (r == 0)
			r = xk_hc_xen_step(h, &op, err);
	}
	if (r == 0)
		r = xk_hc_xen_reset(h, err);
	xk_hc_xen_close(h);
	return r;
}

/* Run the operations from model m and generator prng (replayed from
 * o->replay, or drawn); *done counts them from o->first. */
static int
loop(const struct xk_fuzz_engine_opts *o, struct xk_fuzz_xen *x,
    struct xk_fuzz_console *cons, struct xk_fuzz_model *m,
    struct xk_prng *prng, int *found, size_t *done, struct xk_error *err)
{
	size_t n = o->replay != NULL ? o->replay->n : o->ops;
	struct xk_fuzz_model after;
	struct xk_fuzz_violation v;
	struct xk_fuzz_op op;
	const char *why;
	int r;

	for (size_t i = 0; i < n; i++) {
		if (o->replay != NULL)
			op = o->replay->ops[i];
		else
			xk_fuzz_generate(m, prng, &op);
		if ((why = xk_fuzz_model_refuses(m, &op)) != NULL) {
			fprintf(o->out, "# skip %zu: %s\n", i, why);
			continue;
		}
		if (o->crash_at != 0 && o->reseed == 0 &&
		    *done == o->crash_at && crash(o->out, *done, err) == -1)
			return -1;
		if (emit_op(o->out, cons, *done, &op, err) == -1)
			return -1;
		after = *m;
		xk_fuzz_model_apply(&after, &op);
		(*done)++;
		r = xk_fuzz_xen_step(x, m, &op, &after, &v, err);
		if (r == -1)
			return -1;
		*m = after;
		if (r == 1) {
			fprintf(o->out, "# violation op=%zu\t%s\t%s\n",
			    o->first + i, v.sig, v.detail);
			*found = 1;
			break;
		}
	}
	return 0;
}

/* How many domains and nodes the model holds (for "# resumed"). */
static void
model_size(const struct xk_fuzz_model *m, int *doms, size_t *nodes)
{
	*doms = 0;
	for (int i = 0; i < XK_FUZZ_DOMS; i++)
		*doms += m->dom[i].state != XK_DOM_NONE;
	*nodes = m->nxs;
}

/*
 * The model and generator a run starts from: fresh (Xen reset), or
 * the last segment's, checked against Xen first (a violation there is
 * the finding: *found).
 */
static int
start(const struct xk_fuzz_engine_opts *o, struct xk_fuzz_xen *x,
    struct xk_fuzz_model *m, struct xk_prng *prng, int *found,
    struct xk_error *err)
{
	struct xk_fuzz_violation v;
	size_t ops, nodes;
	int doms, r;

	if (!o->resume) {
		xk_fuzz_model_init(m);
		xk_prng_seed(prng, o->seed);
		return xk_fuzz_xen_reset(x, true, err);
	}
	if (load_state(m, prng, &ops, err) == -1)
		return -1;
	if (o->reseed != 0)
		xk_prng_seed(prng, o->reseed);
	if ((r = xk_fuzz_xen_adopt(x, m, &v, err)) == -1)
		return -1;
	if (r == 1) {
		fprintf(o->out, "# violation op=%zu\t%s\t%s\n", o->first,
		    v.sig, v.detail);
		*found = 1;
		return 0;
	}
	model_size(m, &doms, &nodes);
	fprintf(o->out, "# resumed ops=%zu domains=%d nodes=%zu\n", ops, doms,
	    nodes);
	return 0;
}

/* Who makes the calls: dom0 (x) or the guest engine's guest (g). */
struct hands {
	struct xk_hc_xen *x;
	struct xk_hc_guest *g;
};

static int
hcall_step(const struct xk_fuzz_engine_opts *o, struct hands *h,
    const struct xk_fuzz_op *op, size_t n, struct xk_error *err)
{
	char lost[256];
	long rc;

	if (h->g == NULL)
		return xk_hc_xen_step(h->x, op, err);
	if (xk_hc_guest_step(h->g, op, &rc, lost, sizeof(lost), err) == -1)
		return -1;
	if (lost[0] != '\0')
		fprintf(o->out, "# guest lost op=%zu: %s\n", n, lost);
	else if (o->replay != NULL)	/* a reproducer's reader wants it */
		fprintf(o->out, "# rc op=%zu: %ld\n", n, rc);
	return 0;
}

/* The hypercall and guest engines: no model (what Xen answers is
 * counted, not judged); the host looks for the crash. */
static int
hcall_loop(const struct xk_fuzz_engine_opts *o, struct hands *h,
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
			xk_hc_generate(&prng, o->guest, &op.call, op.arg);
		}
		if (emit_op(o->out, cons, *done, &op, err) == -1)
			return -1;
		(*done)++;
		if (hcall_step(o, h, &op, *done - 1, err) == -1)
			return -1;
	}
	if (h->g != NULL)
		xk_hc_guest_stats(h->g, o->out);
	else
		xk_hc_xen_stats(h->x, o->out);
	return 0;
}

static int
run_toolstack(const struct xk_fuzz_engine_opts *o,
    struct xk_fuzz_console *cons, const char *hdr, int *found, size_t *done,
    struct xk_error *err)
{
	struct xk_fuzz_model m;
	struct xk_prng prng;
	struct xk_fuzz_xen *x;
	int r;

	if ((x = xk_fuzz_xen_open(o->plant, err)) == NULL)
		return -1;
	/* a resumed segment's log goes on the last one's: no header */
	r = o->resume ? 0 : emit(o->out, hdr, err);
	if (r == 0)
		r = start(o, x, &m, &prng, found, err);
	if (r == 0 && !*found)
		r = loop(o, x, cons, &m, &prng, found, done, err);
	/* a segment that ran through leaves its state for the next;
	 * otherwise dom0 is left as it was, whatever happened (the first
	 * error is the one to tell) */
	if (r == 0 && o->keep && !*found)
		r = save_state(&m, &prng, *done, err);
	else if (r == 0)
		r = xk_fuzz_xen_reset(x, false, err);
	else
		xk_fuzz_xen_reset(x, false, &(struct xk_error){ 0 });
	xk_fuzz_xen_close(x);
	return r;
}

static int
hands_reset(struct hands *h, struct xk_error *err)
{
	return h->g != NULL ? xk_hc_guest_reset(h->g, err) :
	    xk_hc_xen_reset(h->x, err);
}

static int
run_hcall(const struct xk_fuzz_engine_opts *o, struct xk_fuzz_console *cons,
    const char *hdr, size_t *done, struct xk_error *err)
{
	struct hands h = { NULL, NULL };
	int r;

	if (o->guest ? (h.g = xk_hc_guest_open(err)) == NULL :
	    (h.x = xk_hc_xen_open(err)) == NULL)
		return -1;
	r = hands_reset(&h, err);
	if (r == 0)
		r = emit(o->out, hdr, err);
	if (r == 0)
		r = hcall_loop(o, &h, cons, done, err);
	if (r == 0)
		r = hands_reset(&h, err);
	else
		hands_reset(&h, &(struct xk_error){ 0 });
	xk_hc_guest_close(h.g);
	xk_hc_xen_close(h.x);
	return r;
}

int
xk_fuzz_engine_run(const struct xk_fuzz_engine_opts *o, int *found,
    struct xk_error *err)
{
	struct strbuf hdr = STRBUF_INIT;
	struct xk_fuzz_console *cons;
	int64_t t0 = xk_mono_ms();
	size_t done = o->first;
	int r;

	*found = 0;
	if ((cons = xk_fuzz_console_open(err)) == NULL)
		return -1;
	if (xk_oplog_header(o->guest ? "guest" : o->hcall ? "hypercall" :
	    "toolstack",
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
		fprintf(o->out, "# done ops=%zu ms=%" PRId64 "\n",
		    done - o->first, xk_mono_ms() - t0);
		r = emit(o->out, "", err);
	}
	strbuf_free(&hdr);
	xk_fuzz_console_close(cons);
	return r;
}
