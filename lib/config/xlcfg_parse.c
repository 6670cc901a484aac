/*
 * xlcfg_parse.c - the xl.cfg lexer and parser.
 *
 * The grammar is libxlutil 4.17's (tools/libs/util/libxlu_cfg_[ly].[ly]),
 * re-derived from its behaviour and checked against it by the
 * differential test in tests/config:
 *
 *   file    := { stmt } [ assign ]
 *   stmt    := assign end | end
 *   assign  := IDENT ( "=" | "+=" ) value
 *   end     := NEWLINE | ";"
 *   value   := STRING | NUMBER | "[" nl* [ value nl* { "," nl* value nl* }
 *              [ "," nl* ] ] "]"
 *
 *   IDENT   := [a-z][._0-9a-z]*          NUMBER := [0-9][0-9a-fx]*
 *   STRING  := "..." or '...' with backslash escapes, on one line
 *   comment := "#" up to and including the newline (it must end in one)
 *   blanks  := space and tab only (CR, FF, VT are errors)
 *
 * "+=" appends a list to a list or a string to a string; the last
 * assignment of a key wins, as in xl.
 */
#include <ctype.h>
#include <stdio.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg.h"
#include "util/file.h"

enum tok {
	T_EOF,
	T_IDENT,
	T_NUMBER,
	T_STRING,
	T_NEWLINE,
	T_ASSIGN,
	T_APPEND,
	T_LBRACKET,
	T_RBRACKET,
	T_COMMA,
	T_SEMI,
};

struct lexer {
	const char *file;
	const char *p, *end;
	int line, col;		/* of p */
	/* the current token */
	enum tok tok;
	const char *start;	/* its text */
	size_t len;
	int tline, tcol;
	struct strbuf text;	/* dequoted STRING, or IDENT/NUMBER text */
	/* the items of the lists being read (nested lists stack up) */
	struct xlcfg_value **items;
	size_t nitems, capitems;
	struct xlcfg *cfg;	/* for notes */
	struct xk_error *err;
};

static int add_note(struct xlcfg *cfg, int line, int col, const char *msg);

static const char *
tok_name(enum tok t)
{
	static const char *const names[] = {
		[T_EOF] = "end of file", [T_IDENT] = "a key",
		[T_NUMBER] = "a number", [T_STRING] = "a string",
		[T_NEWLINE] = "end of line", [T_ASSIGN] = "'='",
		[T_APPEND] = "'+='", [T_LBRACKET] = "'['",
		[T_RBRACKET] = "']'", [T_COMMA] = "','", [T_SEMI] = "';'",
	};
	return names[t];
}

static int lex_error(struct lexer *lx, int line, int col, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static int
lex_error(struct lexer *lx, int line, int col, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	xk_error_set(lx->err, "%s:%d:%d: %s", lx->file, line, col, what);
	return -1;
}

static void
advance(struct lexer *lx, size_t n)
{
	while (n-- > 0) {
		if (*lx->p == '\n') {
			lx->line++;
			lx->col = 1;
		} else {
			lx->col++;
		}
		lx->p++;
	}
}

static bool
is_ident_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    c == '_' || c == '.';
}

static bool
is_number_char(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == 'x';
}

/*
 * libxlutil's numeric escapes: after a backslash and an octal digit it
 * takes up to three more characters, reads them with strtoul(base 10)
 * and needs more than one character consumed; the value itself is
 * dropped, so "\101" reads as "".  Hex escapes ("\x41") never pass its
 * check.  We reproduce this so that both parsers agree; xk cfg check
 * warns that such escapes do not do what they look like.
 */
static int
skip_numeric_escape(struct lexer *lx, const char **pp, const char *qend,
    int line, int col)
{
	char buf[4] = { 0 };
	size_t n = 0, i = 0;

	while (n < 3 && *pp + n < qend + 1)
		buf[n] = (*pp)[n], n++;
	while (i < n && isspace((unsigned char)buf[i]))
		i++;
	if (i < n && (buf[i] == '+' || buf[i] == '-'))
		i++;
	if (i >= n || !isdigit((unsigned char)buf[i]))
		return lex_error(lx, line, col, "%s", "invalid digit after "
		    "backslash octal escape in quoted string");
	while (i < n && isdigit((unsigned char)buf[i]))
		i++;
	if (i <= 1)
		return lex_error(lx, line, col, "%s", "invalid digit after "
		    "backslash octal escape in quoted string");
	*pp += i;
	return 0;
}

/* Dequote the string token [start, qend] (qend is the closing quote). */
static int
dequote(struct lexer *lx, const char *start, const char *qend)
{
	static const char esc_in[] = "\"'\\abfnrtv";
	static const char esc_out[] = "\"'\\\a\b\f\n\r\t\v";
	const char *p = start + 1;
	int col = lx->tcol + 1;

	strbuf_reset(&lx->text);
	while (p < qend) {
		char c = *p++;
		const char *e;

		if (c != '\\') {
			if (strbuf_addc(&lx->text, c) < 0)
				goto nomem;
			col++;
			continue;
		}
		c = *p++;
		if (c == 'x')
			return lex_error(lx, lx->tline, col, "%s",
			    "hex escapes (\\xNN) are not supported by xl");
		if (c >= '0' && c <= '7') {
			if (skip_numeric_escape(lx, &p, qend, lx->tline,
			    col) < 0)
				return -1;
			if (add_note(lx->cfg, lx->tline, col, "numeric "
			    "escape: xl 4.17 drops it and the digits after "
			    "it (libxlutil bug); write the character itself")
			    < 0)
				goto nomem;
			col = lx->tcol + (int)(p - start);
			continue;
		}
		e = c != '\0' ? strchr(esc_in, c) : NULL;
		if (e == NULL)
			return lex_error(lx, lx->tline, col,
			    "invalid character after backslash in quoted "
			    "string");
		if (strbuf_addc(&lx->text, esc_out[e - esc_in]) < 0)
			goto nomem;
		col += 2;
	}
	return 0;
nomem:
	xk_error_errno(lx->err, ENOMEM, "%s", lx->file);
	return -1;
}

static int
lex_string(struct lexer *lx)
{
	char q = *lx->p;
	const char *s = lx->p + 1;

	while (s < lx->end && *s != q && *s != '\n') {
		if (*s == '\\') {
			if (s + 1 >= lx->end || s[1] == '\n')
				break;
			s++;
		}
		s++;
	}
	if (s >= lx->end || *s != q)
		return lex_error(lx, lx->line, lx->col,
		    "unterminated string: %s", "no closing quote on this line");
	lx->tok = T_STRING;
	lx->len = (size_t)(s - lx->p) + 1;
	return dequote(lx, lx->p, s);
}

static int
lex_word(struct lexer *lx, enum tok t, bool (*ok)(int))
{
	const char *s = lx->p + 1;

	while (s < lx->end && ok((unsigned char)*s))
		s++;
	lx->tok = t;
	lx->len = (size_t)(s - lx->p);
	strbuf_reset(&lx->text);
	if (strbuf_add(&lx->text, lx->p, lx->len) < 0) {
		xk_error_errno(lx->err, ENOMEM, "%s", lx->file);
		return -1;
	}
	return 0;
}

/*
 * libxlutil ignores one stray character when it is the very last byte
 * of the file (its error rule needs more text after it): so do we, but
 * we say so.  The token becomes the end of the file.
 */
static int lex_unexpected(struct lexer *lx);

static bool
starts_token(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("\n=[],;", c) != NULL);
}

static int
stray_at_end(struct lexer *lx)
{
	char msg[96];
	unsigned char c = (unsigned char)*lx->p;

	if (c == '\0')
		return lex_unexpected(lx);
	snprintf(msg, sizeof(msg), isprint(c) ? "stray '%c' at end of file "
	    "ignored, as xl ignores it" : "stray byte 0x%02x at end of file "
	    "ignored, as xl ignores it", c);
	if (add_note(lx->cfg, lx->line, lx->col, msg) < 0) {
		xk_error_errno(lx->err, ENOMEM, "%s", lx->file);
		return -1;
	}
	advance(lx, 1);
	lx->tok = T_EOF;
	lx->len = 0;
	return 0;
}

static int
lex_unexpected(struct lexer *lx)
{
	unsigned char c = (unsigned char)*lx->p;
	char what[32];

	if (c == '\r')
		snprintf(what, sizeof(what), "a carriage return (CRLF?)");
	else if (c == '\0')
		snprintf(what, sizeof(what), "a NUL byte (binary file?)");
	else if (isprint(c))
		snprintf(what, sizeof(what), "'%c'", c);
	else
		snprintf(what, sizeof(what), "byte 0x%02x", c);
	return lex_error(lx, lx->line, lx->col, "unexpected %s", what);
}

/* Read the next token into lx->tok. */
static int
lex_next(struct lexer *lx)
{
	while (lx->p < lx->end && (*lx->p == ' ' || *lx->p == '\t'))
		advance(lx, 1);
	lx->tline = lx->line;
	lx->tcol = lx->col;
	lx->start = lx->p;
	lx->len = 1;
	if (lx->p >= lx->end) {
		lx->tok = T_EOF;
		lx->len = 0;
		return 0;
	}
	if (lx->p + 1 == lx->end && !starts_token(*lx->p))
		return stray_at_end(lx);
	switch (*lx->p) {
	case '#': {
		const char *nl = memchr(lx->p, '\n', (size_t)(lx->end - lx->p));

		if (nl == NULL)
			return lex_error(lx, lx->line, lx->col, "%s",
			    "comment at end of file without a newline "
			    "(xl rejects it)");
		lx->tok = T_NEWLINE;
		lx->len = (size_t)(nl - lx->p) + 1;
		break;
	}
	case '\n': lx->tok = T_NEWLINE; break;
	case '=': lx->tok = T_ASSIGN; break;
	case '[': lx->tok = T_LBRACKET; break;
	case ']': lx->tok = T_RBRACKET; break;
	case ',': lx->tok = T_COMMA; break;
	case ';': lx->tok = T_SEMI; break;
	case '+':
		if (lx->p + 1 >= lx->end || lx->p[1] != '=')
			return lex_unexpected(lx);
		lx->tok = T_APPEND;
		lx->len = 2;
		break;
	case '"':
	case '\'':
		if (lex_string(lx) < 0)
			return -1;
		break;
	default:
		if (*lx->p >= 'a' && *lx->p <= 'z') {
			if (lex_word(lx, T_IDENT, is_ident_char) < 0)
				return -1;
		} else if (*lx->p >= '0' && *lx->p <= '9') {
			if (lex_word(lx, T_NUMBER, is_number_char) < 0)
				return -1;
		} else {
			return lex_unexpected(lx);
		}
	}
	advance(lx, lx->len);
	return 0;
}

static int
expected(struct lexer *lx, const char *what)
{
	char got[64];

	if (lx->tok == T_IDENT || lx->tok == T_NUMBER)
		snprintf(got, sizeof(got), "%s '%.32s'", tok_name(lx->tok),
		    strbuf_str(&lx->text));
	else
		snprintf(got, sizeof(got), "%s", tok_name(lx->tok));
	xk_error_set(lx->err, "%s:%d:%d: expected %s, found %s", lx->file,
	    lx->tline, lx->tcol, what, got);
	return -1;
}

static int
skip_newlines(struct lexer *lx)
{
	while (lx->tok == T_NEWLINE)
		if (lex_next(lx) < 0)
			return -1;
	return 0;
}

static struct xlcfg_value *parse_value(struct lexer *lx, int depth);

static int
push_item(struct lexer *lx, struct xlcfg_value *item)
{
	if (lx->nitems == lx->capitems) {
		size_t cap = lx->capitems ? lx->capitems * 2 : 64;
		struct xlcfg_value **p;

		p = reallocarray(lx->items, cap, sizeof(*p));
		if (p == NULL) {
			xlcfg_value_free(item);
			xk_error_errno(lx->err, ENOMEM, "%s", lx->file);
			return -1;
		}
		lx->items = p;
		lx->capitems = cap;
	}
	lx->items[lx->nitems++] = item;
	return 0;
}

/* Read items onto lx->items up to the closing ']'. */
static int
parse_list_items(struct lexer *lx, int depth)
{
	for (;;) {
		struct xlcfg_value *item;

		if (skip_newlines(lx) < 0)
			return -1;
		if (lx->tok == T_RBRACKET)
			return 0;
		item = parse_value(lx, depth + 1);
		if (item == NULL || push_item(lx, item) < 0)
			return -1;
		if (skip_newlines(lx) < 0)
			return -1;
		if (lx->tok == T_RBRACKET)
			return 0;
		if (lx->tok != T_COMMA)
			return expected(lx, "',' or ']' in a list");
		if (lex_next(lx) < 0)
			return -1;
	}
}

/*
 * The items are gathered on a stack and the list allocated once, with
 * its items in the same allocation: no slack, no per-list array.
 */
static struct xlcfg_value *
parse_list(struct lexer *lx, int depth)
{
	struct xlcfg_value *list = NULL;
	int line = lx->tline, col = lx->tcol;
	size_t base = lx->nitems;

	if (depth >= XLCFG_MAX_DEPTH) {
		lex_error(lx, line, col, "lists nested more than %d deep",
		    XLCFG_MAX_DEPTH);
		return NULL;
	}
	if (lex_next(lx) < 0 || parse_list_items(lx, depth) < 0)
		goto out;
	/* no items pushed yet: lx->items may be NULL, not an array */
	list = xlcfg_value_list_of(lx->nitems > base ? lx->items + base : NULL,
	    lx->nitems - base);
	if (list == NULL) {
		xk_error_errno(lx->err, ENOMEM, "%s", lx->file);
		goto out;
	}
	lx->nitems = base;	/* the list owns them now */
	list->line = line;
	list->col = col;
	if (lex_next(lx) < 0) {	/* past ']' */
		xlcfg_value_free(list);
		list = NULL;
	}
out:
	while (lx->nitems > base)
		xlcfg_value_free(lx->items[--lx->nitems]);
	return list;
}

static struct xlcfg_value *
parse_value(struct lexer *lx, int depth)
{
	struct xlcfg_value *v;

	if (lx->tok == T_LBRACKET)
		return parse_list(lx, depth);
	if (lx->tok != T_STRING && lx->tok != T_NUMBER) {
		expected(lx, "a string, a number or '['");
		return NULL;
	}
	v = xlcfg_value_string(strbuf_str(&lx->text), lx->tok == T_NUMBER);
	if (v == NULL) {
		xk_error_errno(lx->err, ENOMEM, "%s", lx->file);
		return NULL;
	}
	v->line = lx->tline;
	v->col = lx->tcol;
	if (lex_next(lx) < 0) {
		xlcfg_value_free(v);
		return NULL;
	}
	return v;
}

static int
add_note(struct xlcfg *cfg, int line, int col, const char *msg)
{
	struct xlcfg_note *n;

	if (cfg->nnotes == cfg->capnotes) {
		size_t cap = cfg->capnotes ? cfg->capnotes * 2 : 4;

		n = reallocarray(cfg->notes, cap, sizeof(*n));
		if (n == NULL)
			return -1;
		cfg->notes = n;
		cfg->capnotes = cap;
	}
	n = &cfg->notes[cfg->nnotes];
	n->line = line;
	n->col = col;
	n->msg = strdup(msg);
	if (n->msg == NULL)
		return -1;
	cfg->nnotes++;
	return 0;
}

/* key += v: strings concatenate, lists append; v is consumed. */
static int
append_value(struct lexer *lx, struct xlcfg_setting *s,
    struct xlcfg_value *v)
{
	struct xlcfg_value *old = s->value;

	if (old->type != v->type) {
		lex_error(lx, v->line, v->col, "'+=' cannot add %s",
		    v->type == XLCFG_LIST ? "a list to a string" :
		    "a string to a list");
		xlcfg_value_free(v);
		return -1;
	}
	if (old->type == XLCFG_STRING) {
		size_t b = strlen(v->str);

		if (xlcfg_string_append(old, s->len, v->str, b) < 0)
			goto nomem;
		s->len += b;
		old->bare = old->bare && v->bare;
		xlcfg_value_free(v);
		return 0;
	}
	for (size_t i = 0; i < v->nitems; i++) {
		if (xlcfg_list_append(old, v->items[i]) < 0)
			goto nomem;
		v->items[i] = NULL;
	}
	xlcfg_value_free(v);
	return 0;
nomem:
	xlcfg_value_free(v);
	xk_error_errno(lx->err, ENOMEM, "%s", lx->file);
	return -1;
}

static int
store(struct lexer *lx, struct xlcfg *cfg, const char *key, bool append,
    struct xlcfg_value *v, int line, int col)
{
	struct xlcfg_setting *s = (struct xlcfg_setting *)xlcfg_find(cfg, key);
	bool first = s == NULL;
	char note[256];

	if (s == NULL || !append) {
		if (s != NULL) {
			snprintf(note, sizeof(note), "'%s' set again (first "
			    "set on line %d): the last value wins, as in xl",
			    key, s->first_line);
			if (add_note(cfg, line, col, note) < 0) {
				xlcfg_value_free(v);
				xk_error_errno(lx->err, ENOMEM, "%s", lx->file);
				return -1;
			}
		}
		if (xlcfg_set(cfg, key, v) < 0) {
			xk_error_errno(lx->err, ENOMEM, "%s", lx->file);
			return -1;
		}
		s = (struct xlcfg_setting *)xlcfg_find(cfg, key);
		if (s->value->type == XLCFG_STRING)
			s->len = strlen(s->value->str);
	} else if (append_value(lx, s, v) < 0) {
		return -1;
	}
	if (first) {
		s->first_line = line;
		s->first_col = col;
	}
	s->line = line;
	s->col = col;
	s->assignments++;
	return 0;
}

static int
parse_assignment(struct lexer *lx, struct xlcfg *cfg)
{
	char *key = strdup(strbuf_str(&lx->text));
	int line = lx->tline, col = lx->tcol;
	struct xlcfg_value *v;
	bool append;
	int rc = -1;

	if (key == NULL) {
		xk_error_errno(lx->err, ENOMEM, "%s", lx->file);
		return -1;
	}
	if (lex_next(lx) < 0)
		goto out;
	if (lx->tok != T_ASSIGN && lx->tok != T_APPEND) {
		expected(lx, "'=' or '+=' after the key");
		goto out;
	}
	append = lx->tok == T_APPEND;
	if (lex_next(lx) < 0)
		goto out;
	v = parse_value(lx, 0);
	if (v == NULL)
		goto out;
	rc = store(lx, cfg, key, append, v, line, col);
out:
	free(key);
	return rc;
}

static int
parse_file(struct lexer *lx, struct xlcfg *cfg)
{
	if (lex_next(lx) < 0)
		return -1;
	for (;;) {
		switch (lx->tok) {
		case T_EOF:
			return 0;
		case T_NEWLINE:
		case T_SEMI:
			break;
		case T_IDENT:
			if (parse_assignment(lx, cfg) < 0)
				return -1;
			if (lx->tok == T_EOF)
				return 0;
			if (lx->tok != T_NEWLINE && lx->tok != T_SEMI)
				return expected(lx,
				    "end of line or ';' after the value");
			break;
		default:
			return expected(lx, "a key");
		}
		if (lex_next(lx) < 0)
			return -1;
	}
}

/* A NUL byte means a binary file; libxlutil would assert on it. */
static int
refuse_nul(struct lexer *lx)
{
	const char *nul = memchr(lx->p, '\0', (size_t)(lx->end - lx->p));

	if (nul == NULL)
		return 0;
	advance(lx, (size_t)(nul - lx->p));
	return lex_unexpected(lx);
}

struct xlcfg *
xlcfg_parse(const char *filename, const char *data, size_t len,
    struct xk_error *err)
{
	struct lexer lx = {
		.file = filename, .p = data, .end = data + len,
		.line = 1, .col = 1, .text = STRBUF_INIT, .err = err,
	};
	struct xlcfg *cfg;

	if (len > XLCFG_MAX_SIZE) {
		xk_error_set(err, "%s: larger than %d bytes: not an xl.cfg",
		    filename, XLCFG_MAX_SIZE);
		return NULL;
	}
	if (refuse_nul(&lx) < 0)
		return NULL;
	cfg = xlcfg_new(filename);
	if (cfg == NULL) {
		xk_error_errno(err, ENOMEM, "%s", filename);
		return NULL;
	}
	lx.cfg = cfg;
	if (parse_file(&lx, cfg) < 0) {
		xlcfg_free(cfg);
		cfg = NULL;
	}
	strbuf_free(&lx.text);
	free(lx.items);
	return cfg;
}

struct xlcfg *
xlcfg_load(const char *path, struct xk_error *err)
{
	struct xlcfg *cfg;
	char *data;
	size_t len;

	if (xk_read_file(path, XLCFG_MAX_SIZE, &data, &len, err) < 0)
		return NULL;
	cfg = xlcfg_parse(path, data, len, err);
	free(data);
	return cfg;
}
