/*
 * ovaxml.c - XML-RPC values for ova.xml: build, write, parse (libxml2).
 *
 * Parsing safety: a DTD or an entity reference stops the parse when
 * libxml2 meets it (no billion laughs, no external entities), libxml2
 * runs with XML_PARSE_NONET and without XML_PARSE_NOENT (no
 * substitution), and the value tree is capped in depth, count and
 * bytes while it is built (no DOM: memory is bounded whatever the
 * input's size).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/SAX2.h>
#include <libxml/tree.h>

#include "formats/ovaxml.h"

struct xk_xv *
xk_xv_new(enum xk_xv_type t, const char *text)
{
	struct xk_xv *v = calloc(1, sizeof(*v));

	if (v == NULL)
		return NULL;
	v->type = t;
	if (t != XK_XV_STRUCT && t != XK_XV_ARRAY) {
		v->text = strdup(text != NULL ? text : "");
		if (v->text == NULL) {
			free(v);
			return NULL;
		}
	}
	return v;
}

struct xk_xv *
xk_xv_str(const char *s)
{
	return xk_xv_new(XK_XV_STRING, s);
}

struct xk_xv *
xk_xv_strf(const char *fmt, ...)
{
	struct xk_xv *v;
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	v = xk_xv_str(s);
	free(s);
	return v;
}

struct xk_xv *
xk_xv_bool(bool b)
{
	return xk_xv_new(XK_XV_BOOL, b ? "1" : "0");
}

struct xk_xv *
xk_xv_struct(void)
{
	return xk_xv_new(XK_XV_STRUCT, NULL);
}

struct xk_xv *
xk_xv_array(void)
{
	return xk_xv_new(XK_XV_ARRAY, NULL);
}

void
xk_xv_free(struct xk_xv *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->n; i++) {
		if (v->type == XK_XV_STRUCT) {
			free(v->members[i].name);
			xk_xv_free(v->members[i].value);
		} else {
			xk_xv_free(v->items[i]);
		}
	}
	free(v->members);
	free(v->items);
	free(v->text);
	free(v);
}

static int
grow(struct xk_xv *v)
{
	size_t cap = v->cap ? v->cap * 2 : 8;
	void *p;

	if (v->n < v->cap)
		return 0;
	if (v->type == XK_XV_STRUCT)
		p = reallocarray(v->members, cap, sizeof(*v->members));
	else
		p = reallocarray(v->items, cap, sizeof(*v->items));
	if (p == NULL)
		return -1;
	if (v->type == XK_XV_STRUCT)
		v->members = p;
	else
		v->items = p;
	v->cap = cap;
	return 0;
}

int
xk_xv_set(struct xk_xv *st, const char *name, struct xk_xv *v)
{
	char *dup;

	if (v == NULL || st == NULL || st->type != XK_XV_STRUCT)
		goto fail;
	for (size_t i = 0; i < st->n; i++) {
		if (strcmp(st->members[i].name, name) == 0) {
			xk_xv_free(st->members[i].value);
			st->members[i].value = v;
			return 0;
		}
	}
	if (grow(st) < 0 || (dup = strdup(name)) == NULL)
		goto fail;
	st->members[st->n].name = dup;
	st->members[st->n++].value = v;
	return 0;
fail:
	xk_xv_free(v);
	return -1;
}

int
xk_xv_append(struct xk_xv *arr, struct xk_xv *v)
{
	if (v == NULL || arr == NULL || arr->type != XK_XV_ARRAY ||
	    grow(arr) < 0) {
		xk_xv_free(v);
		return -1;
	}
	arr->items[arr->n++] = v;
	return 0;
}

const struct xk_xv *
xk_xv_get(const struct xk_xv *st, const char *name)
{
	if (st == NULL || st->type != XK_XV_STRUCT)
		return NULL;
	for (size_t i = 0; i < st->n; i++)
		if (strcmp(st->members[i].name, name) == 0)
			return st->members[i].value;
	return NULL;
}

const char *
xk_xv_text(const struct xk_xv *st, const char *name)
{
	const struct xk_xv *v = xk_xv_get(st, name);

	return v != NULL ? v->text : NULL;
}

/* Escape text for element content; NUL-free by construction. */
static int
put_text(struct strbuf *out, const char *s)
{
	int rc = 0;

	for (; *s != '\0' && rc == 0; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '&')
			rc = strbuf_adds(out, "&amp;");
		else if (c == '<')
			rc = strbuf_adds(out, "&lt;");
		else if (c == '>')
			rc = strbuf_adds(out, "&gt;");
		else if (c == '\r')
			rc = strbuf_adds(out, "&#13;");
		else if (c < 0x20 && c != '\t' && c != '\n') {
			errno = EINVAL;	/* XML 1.0 cannot carry it */
			return -1;
		} else
			rc = strbuf_addc(out, (char)c);
	}
	return rc;
}

static const char *
scalar_tag(enum xk_xv_type t)
{
	switch (t) {
	case XK_XV_INT:
		return "i4";
	case XK_XV_BOOL:
		return "boolean";
	case XK_XV_DOUBLE:
		return "double";
	case XK_XV_DATE:
		return "dateTime.iso8601";
	default:
		return NULL;
	}
}

int
xk_xv_write(struct strbuf *out, const struct xk_xv *v)
{
	const char *tag;
	int rc = 0;

	switch (v->type) {
	case XK_XV_STRING:
		if (v->text[0] == '\0')
			return strbuf_adds(out, "<value/>");
		rc |= strbuf_adds(out, v->tagged ? "<value><string>" :
		    "<value>");
		if (put_text(out, v->text) < 0)
			return -1;
		return rc | strbuf_adds(out, v->tagged ? "</string></value>" :
		    "</value>");
	case XK_XV_STRUCT:
		rc |= strbuf_adds(out, "<value><struct>");
		for (size_t i = 0; i < v->n && rc == 0; i++) {
			rc |= strbuf_adds(out, "<member><name>");
			if (put_text(out, v->members[i].name) < 0 ||
			    strbuf_adds(out, "</name>") < 0 ||
			    xk_xv_write(out, v->members[i].value) < 0)
				return -1;
			rc |= strbuf_adds(out, "</member>");
		}
		return rc | strbuf_adds(out, "</struct></value>");
	case XK_XV_ARRAY:
		rc |= strbuf_adds(out, "<value><array><data>");
		for (size_t i = 0; i < v->n && rc == 0; i++)
			if (xk_xv_write(out, v->items[i]) < 0)
				return -1;
		return rc | strbuf_adds(out, "</data></array></value>");
	default:
		tag = scalar_tag(v->type);
		rc |= strbuf_addf(out, "<value><%s>", tag);
		if (put_text(out, v->text) < 0)
			return -1;
		return rc | strbuf_addf(out, "</%s></value>", tag);
	}
}

bool
xk_xml_has_dtd(const char *data, size_t len)
{
	return memmem(data, len, "<!DOCTYPE", 9) != NULL ||
	    memmem(data, len, "<!ENTITY", 8) != NULL ||
	    memmem(data, len, "<!doctype", 9) != NULL;
}

/*
 * Parsing is streaming (libxml2's SAX2 push parser, fed in chunks): the
 * value tree is built as elements arrive and no DOM is ever made, so
 * memory is the tree's, and the tree is capped while it grows (values,
 * estimated bytes, depth).  Text is kept only where a value can hold it.
 */
enum fkind { F_VALUE, F_STRUCT, F_MEMBER, F_NAME, F_ARRAY, F_DATA, F_SCALAR };

struct frame {
	enum fkind kind;
	struct xk_xv *v;	/* VALUE: its typed value; MEMBER: the value */
	char *name;		/* MEMBER: the name */
	bool child;		/* VALUE: holds an element; MEMBER: a <value> */
	enum xk_xv_type type;	/* SCALAR */
	int line;
};

/*
 * The member names of the structs being read, in one hash set keyed by
 * (struct, name): a duplicate is found in constant time, where scanning
 * the struct made a struct of 100 000 members take a minute.
 */
struct name_key {
	const struct xk_xv *st;
	const char *name;	/* the member's own copy */
};

struct names {
	struct name_key *v;
	size_t n, cap;		/* cap: a power of two, or 0 */
};

static size_t
name_slot(const struct names *s, const struct xk_xv *st, const char *name)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)(uintptr_t)st;
	size_t i;

	for (const char *c = name; *c != '\0'; c++)
		h = (h ^ (unsigned char)*c) * 1099511628211ULL;
	i = (size_t)h & (s->cap - 1);
	while (s->v[i].st != NULL && (s->v[i].st != st ||
	    strcmp(s->v[i].name, name) != 0))
		i = (i + 1) & (s->cap - 1);
	return i;
}

/* 1 when (st, name) is new and now in the set, 0 if it was, -1 ENOMEM. */
static int
names_add(struct names *s, const struct xk_xv *st, const char *name)
{
	size_t i;

	if (2 * (s->n + 1) > s->cap) {
		struct names t = { NULL, 0, s->cap ? 2 * s->cap : 64 };

		t.v = calloc(t.cap, sizeof(*t.v));
		if (t.v == NULL)
			return -1;
		for (size_t k = 0; k < s->cap; k++)
			if (s->v[k].st != NULL)
				t.v[name_slot(&t, s->v[k].st,
				    s->v[k].name)] = s->v[k];
		t.n = s->n;
		free(s->v);
		*s = t;
	}
	i = name_slot(s, st, name);
	if (s->v[i].st != NULL)
		return 0;
	s->v[i].st = st;
	s->v[i].name = name;
	s->n++;
	return 1;
}

/* Append a member known to be new (no scan); takes name and v. */
static int
add_member(struct xk_xv *st, char *name, struct xk_xv *v)
{
	if (grow(st) < 0)
		return -1;
	st->members[st->n].name = name;
	st->members[st->n++].value = v;
	return 0;
}

#define MAX_FRAMES	(3 * XK_XV_MAX_DEPTH + 8)
#define XV_COST		160	/* bytes a value costs beside its text */

struct xk_xv_parser {
	const char *name;
	struct xk_error *err;
	xmlParserCtxtPtr ctxt;
	struct frame st[MAX_FRAMES];
	int top;		/* st[0..top-1] */
	int depth;		/* nested <value>s */
	struct strbuf text;	/* the text of the innermost leaf */
	bool keep;		/* is text kept right now? */
	size_t nodes, bytes;
	bool failed;
	struct xk_xv *root;
	struct names names;	/* every struct's member names so far */
};

static int
line_of(struct xk_xv_parser *p)
{
	return xmlSAX2GetLineNumber(p->ctxt);
}

static void
stop(struct xk_xv_parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Record the first error (with the line) and stop the parser. */
static void
stop(struct xk_xv_parser *p, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (p->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	xk_error_set(p->err, "%s: line %d: %s", p->name, line_of(p), msg);
	p->failed = true;
	xmlStopParser(p->ctxt);
}

static bool
charge(struct xk_xv_parser *p, size_t n)
{
	if (n > XK_XV_MAX_MEM - p->bytes) {
		stop(p, "the values take more than the %u bytes allowed",
		    XK_XV_MAX_MEM);
		return false;
	}
	p->bytes += n;
	return true;
}

static struct frame *
push(struct xk_xv_parser *p, enum fkind k)
{
	struct frame *f;

	if (p->top == MAX_FRAMES) {
		stop(p, "values nested too deeply");
		return NULL;
	}
	f = &p->st[p->top++];
	memset(f, 0, sizeof(*f));
	f->kind = k;
	f->line = line_of(p);
	return f;
}

static struct frame *
top(struct xk_xv_parser *p)
{
	return p->top > 0 ? &p->st[p->top - 1] : NULL;
}

static void
clear(struct frame *f)
{
	xk_xv_free(f->v);
	free(f->name);
	f->v = NULL;
	f->name = NULL;
}

static bool
scalar_type(const char *tag, enum xk_xv_type *t)
{
	static const struct { const char *tag; enum xk_xv_type type; } tags[] =
	{
		{ "string", XK_XV_STRING }, { "i4", XK_XV_INT },
		{ "int", XK_XV_INT }, { "i8", XK_XV_INT },
		{ "boolean", XK_XV_BOOL }, { "double", XK_XV_DOUBLE },
		{ "dateTime.iso8601", XK_XV_DATE },
	};

	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		if (strcmp(tag, tags[i].tag) == 0) {
			*t = tags[i].type;
			return true;
		}
	return false;
}

/* <value> may start: at the top, in <data>, in <member>. */
static void
open_value(struct xk_xv_parser *p, struct frame *up)
{
	if (up != NULL && up->kind != F_DATA && up->kind != F_MEMBER) {
		stop(p, "<value> where it cannot be");
		return;
	}
	if (up == NULL && p->root != NULL) {
		stop(p, "more than one <value> at the top");
		return;
	}
	if (up != NULL && up->kind == F_MEMBER && up->child) {
		stop(p, "unexpected element in <member>");
		return;
	}
	if (++p->depth > XK_XV_MAX_DEPTH + 1) {
		stop(p, "values nested too deeply");
		return;
	}
	if (++p->nodes > XK_XV_MAX_NODES) {
		stop(p, "too many values");
		return;
	}
	if (!charge(p, XV_COST))
		return;
	if (up != NULL && up->kind == F_MEMBER)
		up->child = true;
	if (push(p, F_VALUE) != NULL)
		p->keep = true;
}

/* An element inside <value>: the type of the value. */
static void
open_typed(struct xk_xv_parser *p, struct frame *val, const char *tag)
{
	enum xk_xv_type t;
	struct frame *f;

	if (val->child) {
		stop(p, "<value> holds more than one element");
		return;
	}
	val->child = true;
	if (strcmp(tag, "struct") == 0) {
		if ((val->v = xk_xv_struct()) != NULL)
			push(p, F_STRUCT);
	} else if (strcmp(tag, "array") == 0) {
		if ((val->v = xk_xv_array()) != NULL)
			push(p, F_ARRAY);
	} else if (scalar_type(tag, &t)) {
		if ((f = push(p, F_SCALAR)) != NULL) {
			f->type = t;
			p->keep = true;
		}
		return;
	} else {
		stop(p, "unknown value type <%.64s>", tag);
		return;
	}
	if (val->v == NULL)
		stop(p, "out of memory");
}

static void
on_start(void *ctx, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **ns, int nattr,
    int ndef, const xmlChar **attrs)
{
	struct xk_xv_parser *p = ctx;
	struct frame *up = top(p);
	const char *tag = (const char *)local;

	(void)prefix, (void)uri, (void)nns, (void)ns, (void)nattr;
	(void)ndef, (void)attrs;
	if (p->failed)
		return;
	strbuf_reset(&p->text);
	p->keep = false;
	if (strcmp(tag, "value") == 0 && (up == NULL ||
	    up->kind != F_VALUE)) {
		open_value(p, up);
		return;
	}
	if (up == NULL) {
		stop(p, "the document is not one XML-RPC <value>");
		return;
	}
	switch (up->kind) {
	case F_VALUE:
		open_typed(p, up, tag);
		break;
	case F_STRUCT:
		if (strcmp(tag, "member") != 0)
			stop(p, "<struct> holds an element other than "
			    "<member>");
		else
			push(p, F_MEMBER);
		break;
	case F_MEMBER:
		if (strcmp(tag, "name") != 0 || up->name != NULL)
			stop(p, "unexpected element in <member>");
		else if (push(p, F_NAME) != NULL)
			p->keep = true;
		break;
	case F_ARRAY:
		if (strcmp(tag, "data") != 0 || up->child)
			stop(p, "<array> without <data>");
		else if (push(p, F_DATA) != NULL)
			up->child = true;
		break;
	case F_DATA:
		stop(p, "<data> holds an element other than <value>");
		break;
	default:
		stop(p, "a scalar holds an element");
	}
}

/* A finished value goes to its parent (or becomes the root). */
static void
give(struct xk_xv_parser *p, struct xk_xv *v)
{
	struct frame *up = top(p);

	if (up == NULL) {
		p->root = v;
	} else if (up->kind == F_DATA) {
		/* the <array> frame below <data> holds the array */
		struct frame *arr = &p->st[p->top - 3];

		if (xk_xv_append(arr->v, v) < 0)
			stop(p, "out of memory");
	} else {
		up->v = v;
	}
}

static void
close_value(struct xk_xv_parser *p, struct frame *f)
{
	struct xk_xv *v = f->v;

	f->v = NULL;
	p->depth--;
	if (v == NULL && !f->child)	/* bare text: a string */
		v = xk_xv_str(strbuf_str(&p->text));
	p->top--;
	if (v == NULL) {
		stop(p, f->child ? "a value without its content" :
		    "out of memory");
		return;
	}
	give(p, v);
}

static void
close_member(struct xk_xv_parser *p, struct frame *f)
{
	struct frame *st = &p->st[p->top - 3];	/* VALUE, STRUCT, MEMBER */
	int rc;

	if (f->name == NULL || f->v == NULL) {
		stop(p, "<member> without <name> and <value>");
		return;
	}
	rc = names_add(&p->names, st->v, f->name);
	if (rc == 0) {
		stop(p, "member '%.64s' appears twice", f->name);
		return;
	}
	if (rc < 0 || add_member(st->v, f->name, f->v) < 0) {
		stop(p, "out of memory");
		return;
	}
	f->name = NULL;		/* the struct's now */
	f->v = NULL;
	p->top--;
}

static void
close_scalar(struct xk_xv_parser *p, struct frame *f)
{
	const char *s = strbuf_str(&p->text);
	struct xk_xv *v;

	if (f->type == XK_XV_BOOL && strcmp(s, "0") != 0 &&
	    strcmp(s, "1") != 0) {
		stop(p, "<boolean> must be 0 or 1");
		return;
	}
	v = xk_xv_new(f->type, s);
	if (v == NULL) {
		stop(p, "out of memory");
		return;
	}
	v->tagged = f->type == XK_XV_STRING;
	p->top--;
	p->st[p->top - 1].v = v;	/* the enclosing <value> */
}

static void
on_end(void *ctx, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri)
{
	struct xk_xv_parser *p = ctx;
	struct frame *f = top(p);

	(void)local, (void)prefix, (void)uri;
	if (p->failed || f == NULL)
		return;
	switch (f->kind) {
	case F_VALUE:
		close_value(p, f);
		break;
	case F_MEMBER:
		close_member(p, f);
		break;
	case F_NAME:
		p->top--;
		if ((p->st[p->top - 1].name =
		    strdup(strbuf_str(&p->text))) == NULL)
			stop(p, "out of memory");
		break;
	case F_SCALAR:
		close_scalar(p, f);
		break;
	case F_ARRAY:
		if (!f->child) {
			stop(p, "<array> without <data>");
			return;
		}
		p->top--;	/* the array is in the <value> below */
		break;
	default:	/* STRUCT, DATA: the value is in the frame below */
		p->top--;
	}
	strbuf_reset(&p->text);
	p->keep = false;
}

static void
on_text(void *ctx, const xmlChar *s, int len)
{
	struct xk_xv_parser *p = ctx;
	struct frame *f = top(p);

	if (p->failed || !p->keep || f == NULL || len <= 0)
		return;
	if (f->kind == F_VALUE && f->child)
		return;
	if ((size_t)len > XK_XV_MAX_TEXT - p->text.len) {
		stop(p, "a text of more than the %u bytes allowed",
		    XK_XV_MAX_TEXT);
		return;
	}
	if (charge(p, (size_t)len) && strbuf_add(&p->text, s, (size_t)len) < 0)
		stop(p, "out of memory");
}

static void
on_dtd(void *ctx, const xmlChar *name, const xmlChar *eid,
    const xmlChar *sid)
{
	(void)name, (void)eid, (void)sid;
	stop(ctx, "DTDs and entity declarations are not allowed");
}

/* Errors are taken from the context, never printed. */
static void
quiet(void *ctx, xmlErrorPtr e)
{
	(void)ctx, (void)e;
}

static void
on_entity(void *ctx, const xmlChar *name)
{
	(void)name;
	stop(ctx, "entity references are not allowed");
}

struct xk_xv_parser *
xk_xv_parser_new(const char *name, struct xk_error *err)
{
	struct xk_xv_parser *p = calloc(1, sizeof(*p));
	xmlSAXHandler sax;

	if (p == NULL) {
		xk_error_errno(err, ENOMEM, "%s", name);
		return NULL;
	}
	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = on_start;
	sax.endElementNs = on_end;
	sax.characters = on_text;
	sax.cdataBlock = on_text;
	sax.ignorableWhitespace = on_text;
	sax.internalSubset = on_dtd;
	sax.externalSubset = on_dtd;
	sax.reference = on_entity;
	sax.serror = quiet;
	p->name = name;
	p->err = err;
	p->ctxt = xmlCreatePushParserCtxt(&sax, p, NULL, 0, name);
	if (p->ctxt == NULL ||
	    xmlCtxtUseOptions(p->ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING) < 0) {
		xk_error_errno(err, ENOMEM, "%s", name);
		xk_xv_parser_free(p);
		return NULL;
	}
	return p;
}

/* libxml2's own complaint, once: not well-formed. */
static int
xml_error(struct xk_xv_parser *p)
{
	const xmlError *xe = xmlCtxtGetLastError(p->ctxt);
	char msg[256] = "unknown error";

	if (p->failed)
		return -1;
	if (xe != NULL && xe->message != NULL)
		snprintf(msg, sizeof(msg), "%s", xe->message);
	msg[strcspn(msg, "\n")] = '\0';
	xk_error_set(p->err, "%s: line %d: not well-formed XML: %s", p->name,
	    xe != NULL ? xe->line : 0, msg);
	p->failed = true;
	return -1;
}

int
xk_xv_parser_feed(struct xk_xv_parser *p, const char *buf, size_t len)
{
	if (p->failed)
		return -1;
	while (len > 0) {
		int n = len > (1u << 16) ? 1 << 16 : (int)len;

		if (xmlParseChunk(p->ctxt, buf, n, 0) != 0 || p->failed ||
		    !p->ctxt->wellFormed)
			return xml_error(p);
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

struct xk_xv *
xk_xv_parser_finish(struct xk_xv_parser *p)
{
	struct xk_xv *v = NULL;

	if (!p->failed && (xmlParseChunk(p->ctxt, NULL, 0, 1) != 0 ||
	    p->failed || !p->ctxt->wellFormed))
		(void)xml_error(p);
	if (!p->failed && p->root == NULL)
		xk_error_set(p->err, "%s: the document is not one XML-RPC "
		    "<value>", p->name);
	else if (!p->failed) {
		v = p->root;
		p->root = NULL;
	}
	xk_xv_parser_free(p);
	return v;
}

void
xk_xv_parser_free(struct xk_xv_parser *p)
{
	if (p == NULL)
		return;
	for (int i = 0; i < p->top; i++)
		clear(&p->st[i]);
	xk_xv_free(p->root);
	free(p->names.v);
	strbuf_free(&p->text);
	if (p->ctxt != NULL)
		xmlFreeParserCtxt(p->ctxt);
	free(p);
}

struct xk_xv *
xk_xv_parse(const char *name, const char *data, size_t len,
    struct xk_error *err)
{
	struct xk_xv_parser *p;

	if (len > XK_XV_MAX_DOC) {
		xk_error_set(err, "%s: %zu bytes, more than the %u allowed",
		    name, len, XK_XV_MAX_DOC);
		return NULL;
	}
	p = xk_xv_parser_new(name, err);
	if (p == NULL)
		return NULL;
	if (xk_xv_parser_feed(p, data, len) < 0) {
		xk_xv_parser_free(p);
		return NULL;
	}
	return xk_xv_parser_finish(p);
}
