/*
 * oplog.c - the operation log: write and strictly read (see oplog.h).
 *
 * One table says which operands each verb takes and their ranges; the
 * writer and the reader both follow it, so what one writes the other
 * reads back (fuzz-oplog checks that).
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/oplog.h"
#include "util/file.h"

struct field {
	const char *name;
	size_t off;		/* of a uint32_t in struct xk_fuzz_op */
	uint32_t lo, hi;
};

#define F(n, m, lo, hi) { n, offsetof(struct xk_fuzz_op, m), lo, hi }

static const struct verb {
	const char *name;
	int dom, key, val;	/* which positional operands it takes */
	struct field f[5];
} verbs[XK_OP_NVERBS] = {
	[XK_OP_CREATE] = { "create", 1, 0, 0, { F("mem", mem, 64, 1024),
	    F("maxmem", maxmem, 64, 1024), F("vcpus", vcpus, 1, 8),
	    F("maxvcpus", maxvcpus, 1, 8), F("paused", paused, 0, 1) } },
	[XK_OP_PAUSE] = { "pause", 1, 0, 0, { { NULL, 0, 0, 0 } } },
	[XK_OP_UNPAUSE] = { "unpause", 1, 0, 0, { { NULL, 0, 0, 0 } } },
	[XK_OP_SHUTDOWN] = { "shutdown", 1, 0, 0, { { NULL, 0, 0, 0 } } },
	[XK_OP_REBOOT] = { "reboot", 1, 0, 0, { { NULL, 0, 0, 0 } } },
	[XK_OP_DESTROY] = { "destroy", 1, 0, 0, { { NULL, 0, 0, 0 } } },
	[XK_OP_MEM] = { "mem", 1, 0, 0, { F("target", target, 64, 1024) } },
	[XK_OP_VCPUS] = { "vcpus", 1, 0, 0, { F("online", online, 1, 8) } },
	[XK_OP_SCHED] = { "sched", 1, 0, 0, { F("weight", weight, 1, 65535),
	    F("cap", cap, 0, 800) } },
	[XK_OP_POOL] = { "pool", 1, 0, 0, { F("pool", pool, 0, 1) } },
	[XK_OP_DISK_ATTACH] = { "disk-attach", 1, 0, 0, { { NULL, 0, 0, 0 } } },
	[XK_OP_DISK_DETACH] = { "disk-detach", 1, 0, 0, { { NULL, 0, 0, 0 } } },
	[XK_OP_SAVE] = { "save", 1, 0, 0, { { NULL, 0, 0, 0 } } },
	[XK_OP_XS_WRITE] = { "xs-write", 0, 1, 1, { { NULL, 0, 0, 0 } } },
	[XK_OP_XS_READ] = { "xs-read", 0, 1, 0, { { NULL, 0, 0, 0 } } },
	[XK_OP_XS_RM] = { "xs-rm", 0, 1, 0, { { NULL, 0, 0, 0 } } },
	[XK_OP_HCALL] = { "hc", 0, 0, 0, { { NULL, 0, 0, 0 } } },
};

bool
xk_oplog_is_hcall(const struct xk_oplog *log)
{
	return strcmp(log->engine, "hypercall") == 0 || xk_oplog_is_guest(log);
}

bool
xk_oplog_is_guest(const struct xk_oplog *log)
{
	return strcmp(log->engine, "guest") == 0;
}

const char *
xk_fuzz_verb_name(enum xk_fuzz_verb v)
{
	return v < XK_OP_NVERBS ? verbs[v].name : "?";
}

static uint32_t *
field_ptr(struct xk_fuzz_op *op, const struct field *f)
{
	return (uint32_t *)(void *)((char *)op + f->off);
}

int
xk_oplog_format(const struct xk_fuzz_op *op, struct strbuf *sb)
{
	const struct verb *v = &verbs[op->verb];
	int r = strbuf_adds(sb, v->name);

	if (r == 0 && v->dom)
		r = strbuf_addf(sb, " d%d", op->dom);
	if (r == 0 && v->key)
		r = strbuf_addf(sb, " %s", op->key);
	if (r == 0 && v->val)
		r = strbuf_addf(sb, " %s", op->val);
	if (r == 0 && op->verb == XK_OP_HCALL)
		r = strbuf_addf(sb, " %s", xk_hc_call(op->call)->name) == 0 ?
		    xk_hc_format(op->call, op->arg, sb) : -1;
	for (int i = 0; r == 0 && i < 5 && v->f[i].name != NULL; i++)
		r = strbuf_addf(sb, " %s=%" PRIu32, v->f[i].name,
		    *field_ptr((struct xk_fuzz_op *)op, &v->f[i]));
	if (r == 0)
		r = strbuf_addc(sb, '\n');
	return r;
}

int
xk_oplog_header(const char *engine, uint64_t seed, struct strbuf *sb)
{
	return strbuf_addf(sb, "xk-fuzz-log %d engine=%s seed=%" PRIu64 "\n",
	    XK_OPLOG_VERSION, engine, seed);
}

/* A token of line: [*pos, end of token); advances *pos past a space. */
struct tok {
	const char *s;
	size_t len, col;
};

static int
next_tok(const char *line, size_t len, size_t *pos, struct tok *t)
{
	size_t p = *pos;

	if (p >= len)
		return 0;
	t->s = line + p;
	t->col = p + 1;
	while (p < len && line[p] != ' ')
		p++;
	t->len = p - (size_t)(t->s - line);
	*pos = p < len ? p + 1 : p;
	return 1;
}

static int
is_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* A decimal in [lo, hi], no sign, no leading zeros but "0". */
static int
parse_u32(const struct tok *t, uint32_t lo, uint32_t hi, uint32_t *out)
{
	uint64_t v = 0;

	if (t->len == 0 || t->len > 10 || (t->len > 1 && t->s[0] == '0'))
		return -1;
	for (size_t i = 0; i < t->len; i++) {
		if (t->s[i] < '0' || t->s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(t->s[i] - '0');
	}
	if (v < lo || v > hi)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* An xenstore key under the fuzzer's prefix: WORD or WORD/WORD, words
 * of 1 to 8 of [a-z0-9]. */
static int
parse_key(const struct tok *t, char *out)
{
	size_t word = 0, slashes = 0;

	for (size_t i = 0; i < t->len; i++) {
		if (t->s[i] == '/') {
			if (word == 0 || ++slashes > 1)
				return -1;
			word = 0;
		} else if (!is_word_char(t->s[i]) || ++word > 8) {
			return -1;
		}
	}
	if (word == 0)
		return -1;
	memcpy(out, t->s, t->len);
	out[t->len] = '\0';
	return 0;
}

static int
parse_val(const struct tok *t, char *out)
{
	if (t->len == 0 || t->len >= XK_FUZZ_VAL_MAX)
		return -1;
	for (size_t i = 0; i < t->len; i++)
		if (!is_word_char(t->s[i]))
			return -1;
	memcpy(out, t->s, t->len);
	out[t->len] = '\0';
	return 0;
}

static int
bad(struct xk_error *err, size_t lineno, size_t col, const char *why,
    const struct tok *t)
{
	if (t != NULL)
		xk_error_set(err, "%zu:%zu: %s '%.*s'", lineno, col, why,
		    (int)(t->len > 40 ? 40 : t->len), t->s);
	else
		xk_error_set(err, "%zu:%zu: %s", lineno, col, why);
	return -1;
}

static int
parse_field(const struct field *f, const struct tok *t, size_t lineno,
    struct xk_fuzz_op *op, struct xk_error *err)
{
	size_t nl = strlen(f->name);
	struct tok v;

	if (t->len <= nl || memcmp(t->s, f->name, nl) != 0 || t->s[nl] != '=')
		return xk_error_set(err, "%zu:%zu: want %s=N, not '%.*s'",
		    lineno, t->col, f->name, (int)(t->len > 40 ? 40 : t->len),
		    t->s), -1;
	v.s = t->s + nl + 1;
	v.len = t->len - nl - 1;
	v.col = t->col + nl + 1;
	if (parse_u32(&v, f->lo, f->hi, field_ptr(op, f)) == -1)
		return xk_error_set(err, "%zu:%zu: %s: want a number from %"
		    PRIu32 " to %" PRIu32 ", not '%.*s'", lineno, v.col,
		    f->name, f->lo, f->hi, (int)(v.len > 40 ? 40 : v.len),
		    v.s), -1;
	return 0;
}

/* hc NAME ARG=VALUE...: the call, then its arguments in the table's
 * order */
static int
parse_hcall(const char *line, size_t len, size_t *pos, size_t lineno,
    struct xk_fuzz_op *op, struct xk_error *err)
{
	const char *why;
	struct tok t;
	int c, n;

	if (!next_tok(line, len, pos, &t))
		return bad(err, lineno, len + 1, "hc: missing the call's name",
		    NULL);
	if ((c = xk_hc_find(t.s, t.len)) == -1)
		return bad(err, lineno, t.col, "hc: unknown call", &t);
	op->call = (uint16_t)c;
	n = xk_hc_nargs((size_t)c);
	for (int j = 0; j < n; j++) {
		const char *name = xk_hc_call((size_t)c)->a[j].name;
		size_t nl = strlen(name);

		if (!next_tok(line, len, pos, &t))
			return xk_error_set(err, "%zu:%zu: %s: missing %s=",
			    lineno, len + 1, xk_hc_call((size_t)c)->name,
			    name), -1;
		if (t.len <= nl || memcmp(t.s, name, nl) != 0 ||
		    t.s[nl] != '=')
			return xk_error_set(err, "%zu:%zu: want %s=, not "
			    "'%.*s'", lineno, t.col, name, (int)(t.len > 40 ?
			    40 : t.len), t.s), -1;
		why = xk_hc_parse_arg((uint16_t)c, j, t.s + nl + 1, t.len -
		    nl - 1, &op->arg[j]);
		if (why != NULL)
			return xk_error_set(err, "%zu:%zu: %s: %s, not '%.*s'",
			    lineno, t.col + nl + 1, name, why, (int)(t.len -
			    nl - 1 > 40 ? 40 : t.len - nl - 1), t.s + nl + 1),
			    -1;
	}
	return 0;
}

/* Cross-operand rules the ranges alone do not say. */
static int
check_op(const struct xk_fuzz_op *op, size_t lineno, struct xk_error *err)
{
	if (op->verb == XK_OP_CREATE && op->mem > op->maxmem)
		return bad(err, lineno, 1, "create: mem is above maxmem",
		    NULL);
	if (op->verb == XK_OP_CREATE && op->vcpus > op->maxvcpus)
		return bad(err, lineno, 1, "create: vcpus is above maxvcpus",
		    NULL);
	return 0;
}

int
xk_oplog_parse_op(const char *line, size_t len, size_t lineno,
    struct xk_fuzz_op *op, struct xk_error *err)
{
	const struct verb *v = NULL;
	size_t pos = 0;
	struct tok t;
	int i;

	memset(op, 0, sizeof(*op));
	if (len > XK_OPLOG_LINE_MAX)
		return bad(err, lineno, XK_OPLOG_LINE_MAX + 1,
		    "line too long (the limit is 256 bytes)", NULL);
	if (memchr(line, '\0', len) != NULL)
		return bad(err, lineno, (size_t)((const char *)memchr(line,
		    '\0', len) - line) + 1, "NUL byte in the line", NULL);
	if (!next_tok(line, len, &pos, &t) || t.len == 0)
		return bad(err, lineno, 1, "empty line", NULL);
	for (i = 0; i < XK_OP_NVERBS; i++)
		if (strlen(verbs[i].name) == t.len &&
		    memcmp(verbs[i].name, t.s, t.len) == 0)
			v = &verbs[i];
	if (v == NULL)
		return bad(err, lineno, 1, "unknown operation", &t);
	op->verb = (enum xk_fuzz_verb)(v - verbs);
	if (op->verb == XK_OP_HCALL && parse_hcall(line, len, &pos, lineno,
	    op, err) == -1)
		return -1;
	if (v->dom) {
		uint32_t d;
		struct tok n;

		if (!next_tok(line, len, &pos, &t))
			return bad(err, lineno, len + 1, "missing domain "
			    "(d0 to d7)", NULL);
		n.s = t.s + 1;
		n.len = t.len - (t.len > 0);
		if (t.len < 2 || t.s[0] != 'd' || parse_u32(&n, 0,
		    XK_FUZZ_DOMS - 1, &d) == -1)
			return bad(err, lineno, t.col, "want a domain d0 to d7, "
			    "not", &t);
		op->dom = (int)d;
	}
	if (v->key && (!next_tok(line, len, &pos, &t) ||
	    parse_key(&t, op->key) == -1))
		return bad(err, lineno, pos < len ? t.col : len + 1, "want "
		    "a key WORD or WORD/WORD (1-8 of a-z 0-9 each)", NULL);
	if (v->val && (!next_tok(line, len, &pos, &t) ||
	    parse_val(&t, op->val) == -1))
		return bad(err, lineno, pos <= len && t.s != NULL ? t.col :
		    len + 1, "want a value of 1-16 of a-z 0-9", NULL);
	for (i = 0; i < 5 && v->f[i].name != NULL; i++) {
		if (!next_tok(line, len, &pos, &t))
			return xk_error_set(err, "%zu:%zu: %s: missing %s=N",
			    lineno, len + 1, v->name, v->f[i].name), -1;
		if (parse_field(&v->f[i], &t, lineno, op, err) == -1)
			return -1;
	}
	if (next_tok(line, len, &pos, &t))
		return bad(err, lineno, t.col, "unexpected operand", &t);
	if (len > 0 && line[len - 1] == ' ')
		return bad(err, lineno, len, "trailing space", NULL);
	return check_op(op, lineno, err);
}

/* "xk-fuzz-log 1 engine=NAME seed=N" */
static int
parse_header(const char *line, size_t len, struct xk_oplog *log,
    struct xk_error *err)
{
	static const char magic[] = "xk-fuzz-log 1 engine=";
	const char *sp, *e = line + len;
	uint64_t seed = 0;
	size_t n;

	if (len < sizeof(magic) - 1 || memcmp(line, magic, sizeof(magic) - 1)
	    != 0)
		return bad(err, 1, 1, "not an xk fuzz log (want 'xk-fuzz-log "
		    "1 engine=NAME seed=N' first)", NULL);
	line += sizeof(magic) - 1;
	sp = memchr(line, ' ', (size_t)(e - line));
	n = sp != NULL ? (size_t)(sp - line) : 0;
	if (n == 0 || n >= sizeof(log->engine))
		return bad(err, 1, sizeof(magic), "bad engine name", NULL);
	for (size_t i = 0; i < n; i++)
		if (!is_word_char(line[i]))
			return bad(err, 1, sizeof(magic) + i, "bad engine name",
			    NULL);
	if (!(n == 9 && memcmp(line, "toolstack", 9) == 0) &&
	    !(n == 9 && memcmp(line, "hypercall", 9) == 0) &&
	    !(n == 5 && memcmp(line, "guest", 5) == 0))
		return bad(err, 1, sizeof(magic), "unknown engine (this xk "
		    "has 'toolstack', 'hypercall' and 'guest')", NULL);
	memcpy(log->engine, line, n);
	log->engine[n] = '\0';
	line = sp + 1;
	if (e - line < 6 || memcmp(line, "seed=", 5) != 0)
		return bad(err, 1, (size_t)(line - (e - len)) + 1, "want "
		    "seed=N", NULL);
	line += 5;
	if (line == e || e - line > 20 || (line[0] == '0' && e - line > 1))
		return bad(err, 1, (size_t)(line - (e - len)) + 1, "bad seed",
		    NULL);
	for (const char *p = line; p < e; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (*p < '0' || *p > '9' || seed > (UINT64_MAX - d) / 10)
			return bad(err, 1, (size_t)(p - (e - len)) + 1,
			    "bad seed (want 0 to 2^64-1)", NULL);
		seed = seed * 10 + d;
	}
	log->seed = seed;
	return 0;
}

static int
add_op(struct xk_oplog *log, const struct xk_fuzz_op *op, size_t *cap,
    struct xk_error *err)
{
	if (log->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		struct xk_fuzz_op *p = reallocarray(log->ops, nc, sizeof(*p));

		if (p == NULL)
			return xk_error_errno(err, ENOMEM, "log"), -1;
		log->ops = p;
		*cap = nc;
	}
	log->ops[log->n++] = *op;
	return 0;
}

static int
parse_lines(const char *data, size_t len, struct xk_oplog *log,
    struct xk_error *err)
{
	size_t lineno = 0, cap = 0, off = 0;

	while (off < len) {
		const char *nl = memchr(data + off, '\n', len - off);
		size_t ll = nl != NULL ? (size_t)(nl - (data + off)) :
		    len - off;
		struct xk_fuzz_op op;

		lineno++;
		/* a file that is no log at all is named so first */
		if (lineno == 1 && parse_header(data + off,
		    ll > XK_OPLOG_LINE_MAX ? XK_OPLOG_LINE_MAX : ll, log,
		    err) == -1)
			return -1;
		if (nl == NULL)
			return bad(err, lineno, ll + 1, "no newline at the end "
			    "of the last line (a cut log?)", NULL);
		if (ll > XK_OPLOG_LINE_MAX)
			return bad(err, lineno, XK_OPLOG_LINE_MAX + 1, "line "
			    "too long (the limit is 256 bytes)", NULL);
		if (lineno > 1 && (ll == 0 || data[off] != '#')) {
			if (log->n == XK_OPLOG_OPS_MAX)
				return bad(err, lineno, 1, "too many operations "
				    "(the limit is 100000)", NULL);
			if (xk_oplog_parse_op(data + off, ll, lineno, &op,
			    err) == -1)
				return -1;
			if ((op.verb == XK_OP_HCALL) != xk_oplog_is_hcall(log))
				return bad(err, lineno, 1, op.verb ==
				    XK_OP_HCALL ? "a call in a log of the "
				    "toolstack engine" : "an operation of the "
				    "toolstack engine in a log of the "
				    "hypercall engine", NULL);
			if (op.verb == XK_OP_HCALL && xk_hc_call(op.call)->guest
			    != xk_oplog_is_guest(log))
				return bad(err, lineno, 4, xk_oplog_is_guest(log)
				    ? "one of dom0's calls in a log of the "
				    "guest engine" : "a guest's call in a log "
				    "of the hypercall engine", NULL);
			if (add_op(log, &op, &cap, err) == -1)
				return -1;
		}
		off += ll + 1;
	}
	if (lineno == 0)
		return bad(err, 1, 1, "empty log", NULL);
	return 0;
}

int
xk_oplog_parse(const char *data, size_t len, const char *name,
    struct xk_oplog *log, struct xk_error *err)
{
	memset(log, 0, sizeof(*log));
	if (parse_lines(data, len, log, err) == -1) {
		char msg[XK_ERROR_MAX];

		/* "NAME:LINE:COLUMN: why" */
		memcpy(msg, err->msg, sizeof(msg));
		xk_error_set(err, "%s:%s", name, msg);
		xk_oplog_free(log);
		return -1;
	}
	return 0;
}

int
xk_oplog_load(const char *path, struct xk_oplog *log, struct xk_error *err)
{
	/* the longest log the limits allow, header and comments aside */
	size_t max = (size_t)(XK_OPLOG_LINE_MAX + 1) * 2 *
	    (XK_OPLOG_OPS_MAX + 1), len;
	char *data;
	int r;

	if (xk_read_file(path, max, &data, &len, err) == -1)
		return -1;
	r = xk_oplog_parse(data, len, path, log, err);
	free(data);
	return r;
}

void
xk_oplog_free(struct xk_oplog *log)
{
	free(log->ops);
	log->ops = NULL;
	log->n = 0;
}
