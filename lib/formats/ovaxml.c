/*
 * ovaxml.c - XML-RPC values for ova.xml: build, write, parse (libxml2).
 *
 * Parsing safety: a document with a DTD or an entity declaration is
 * refused before libxml2 sees it (no billion laughs, no external
 * entities), libxml2 runs with XML_PARSE_NONET and without
 * XML_PARSE_NOENT (no substitution), and the value tree is capped in
 * depth and size.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
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

struct xparse {
	const char *name;
	size_t nodes;
	struct xk_error *err;
};

static bool
is_elem(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	    strcmp((const char *)n->name, name) == 0;
}

/* The only element child of n; text must be whitespace. */
static int
only_child(struct xparse *xp, const xmlNode *n, const xmlNode **child)
{
	*child = NULL;
	for (const xmlNode *c = n->children; c != NULL; c = c->next) {
		if (c->type == XML_ELEMENT_NODE) {
			if (*child != NULL) {
				xk_error_set(xp->err, "%s: line %d: <%s> holds "
				    "more than one element", xp->name,
				    c->line, (const char *)n->name);
				return -1;
			}
			*child = c;
		} else if (c->type == XML_ENTITY_REF_NODE) {
			xk_error_set(xp->err, "%s: line %d: entity "
			    "references are not allowed", xp->name, n->line);
			return -1;
		}
	}
	return 0;
}

static char *
text_of(const xmlNode *n)
{
	xmlChar *s = xmlNodeGetContent(n);
	char *dup;

	if (s == NULL)
		return strdup("");
	dup = strdup((const char *)s);
	xmlFree(s);
	return dup;
}

static struct xk_xv *value_of(struct xparse *xp, const xmlNode *n, int depth);

static struct xk_xv *
fail(struct xparse *xp, const xmlNode *n, const char *what, struct xk_xv *v)
{
	xk_error_set(xp->err, "%s: line %d: %s", xp->name, n->line, what);
	xk_xv_free(v);
	return NULL;
}

static struct xk_xv *
struct_of(struct xparse *xp, const xmlNode *s, int depth)
{
	struct xk_xv *v = xk_xv_struct();

	if (v == NULL)
		return fail(xp, s, "out of memory", NULL);
	for (const xmlNode *m = s->children; m != NULL; m = m->next) {
		const xmlNode *name = NULL, *val = NULL;
		struct xk_xv *mv;
		char *key;

		if (m->type != XML_ELEMENT_NODE)
			continue;
		if (!is_elem(m, "member"))
			return fail(xp, m, "<struct> holds an element other "
			    "than <member>", v);
		for (const xmlNode *c = m->children; c != NULL; c = c->next) {
			if (is_elem(c, "name") && name == NULL)
				name = c;
			else if (is_elem(c, "value") && val == NULL)
				val = c;
			else if (c->type == XML_ELEMENT_NODE)
				return fail(xp, c, "unexpected element in "
				    "<member>", v);
		}
		if (name == NULL || val == NULL)
			return fail(xp, m, "<member> without <name> and "
			    "<value>", v);
		key = text_of(name);
		if (key == NULL)
			return fail(xp, m, "out of memory", v);
		if (xk_xv_get(v, key) != NULL) {
			xk_error_set(xp->err, "%s: line %d: member '%.64s' "
			    "appears twice", xp->name, m->line, key);
			free(key);
			xk_xv_free(v);
			return NULL;
		}
		mv = value_of(xp, val, depth + 1);
		if (mv == NULL || xk_xv_set(v, key, mv) < 0) {
			free(key);
			if (mv != NULL)
				return fail(xp, m, "out of memory", v);
			xk_xv_free(v);
			return NULL;
		}
		free(key);
	}
	return v;
}

static struct xk_xv *
array_of(struct xparse *xp, const xmlNode *a, int depth)
{
	const xmlNode *data;
	struct xk_xv *v;

	if (only_child(xp, a, &data) < 0)
		return NULL;
	if (data == NULL || !is_elem(data, "data"))
		return fail(xp, a, "<array> without <data>", NULL);
	v = xk_xv_array();
	if (v == NULL)
		return fail(xp, a, "out of memory", NULL);
	for (const xmlNode *c = data->children; c != NULL; c = c->next) {
		struct xk_xv *item;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (!is_elem(c, "value"))
			return fail(xp, c, "<data> holds an element other "
			    "than <value>", v);
		item = value_of(xp, c, depth + 1);
		if (item == NULL) {
			xk_xv_free(v);
			return NULL;
		}
		if (xk_xv_append(v, item) < 0)
			return fail(xp, c, "out of memory", v);
	}
	return v;
}

static struct xk_xv *
scalar_of(struct xparse *xp, const xmlNode *t)
{
	static const struct { const char *tag; enum xk_xv_type type; } tags[] =
	{
		{ "string", XK_XV_STRING }, { "i4", XK_XV_INT },
		{ "int", XK_XV_INT }, { "i8", XK_XV_INT },
		{ "boolean", XK_XV_BOOL }, { "double", XK_XV_DOUBLE },
		{ "dateTime.iso8601", XK_XV_DATE },
	};
	const xmlNode *inner;
	struct xk_xv *v;
	char *s;

	if (only_child(xp, t, &inner) < 0)
		return NULL;
	if (inner != NULL)
		return fail(xp, t, "a scalar holds an element", NULL);
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		if (strcmp((const char *)t->name, tags[i].tag) != 0)
			continue;
		s = text_of(t);
		if (s == NULL)
			return fail(xp, t, "out of memory", NULL);
		if (tags[i].type == XK_XV_BOOL && strcmp(s, "0") != 0 &&
		    strcmp(s, "1") != 0) {
			free(s);
			return fail(xp, t, "<boolean> must be 0 or 1", NULL);
		}
		v = xk_xv_new(tags[i].type, s);
		free(s);
		if (v == NULL)
			return fail(xp, t, "out of memory", NULL);
		v->tagged = tags[i].type == XK_XV_STRING;
		return v;
	}
	xk_error_set(xp->err, "%s: line %d: unknown value type <%.64s>",
	    xp->name, t->line, (const char *)t->name);
	return NULL;
}

static struct xk_xv *
value_of(struct xparse *xp, const xmlNode *n, int depth)
{
	const xmlNode *t;
	struct xk_xv *v;
	char *s;

	if (depth > XK_XV_MAX_DEPTH)
		return fail(xp, n, "values nested too deeply", NULL);
	if (++xp->nodes > XK_XV_MAX_NODES)
		return fail(xp, n, "too many values", NULL);
	if (only_child(xp, n, &t) < 0)
		return NULL;
	if (t == NULL) {
		s = text_of(n);
		if (s == NULL)
			return fail(xp, n, "out of memory", NULL);
		v = xk_xv_str(s);
		free(s);
		return v != NULL ? v : fail(xp, n, "out of memory", NULL);
	}
	if (is_elem(t, "struct"))
		return struct_of(xp, t, depth);
	if (is_elem(t, "array"))
		return array_of(xp, t, depth);
	return scalar_of(xp, t);
}

struct xk_xv *
xk_xv_parse(const char *name, const char *data, size_t len,
    struct xk_error *err)
{
	struct xparse xp = { name, 0, err };
	xmlParserCtxtPtr ctxt;
	const xmlError *xe;
	struct xk_xv *v = NULL;
	xmlDocPtr doc;
	xmlNode *root;

	if (len > XK_XV_MAX_DOC) {
		xk_error_set(err, "%s: %zu bytes, more than the %u allowed",
		    name, len, XK_XV_MAX_DOC);
		return NULL;
	}
	if (xk_xml_has_dtd(data, len)) {
		xk_error_set(err, "%s: DTDs and entity declarations are not "
		    "allowed", name);
		return NULL;
	}
	ctxt = xmlNewParserCtxt();
	if (ctxt == NULL) {
		xk_error_errno(err, ENOMEM, "%s", name);
		return NULL;
	}
	doc = xmlCtxtReadMemory(ctxt, data, (int)len, name, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
	    XML_PARSE_NOCDATA);
	if (doc == NULL) {
		char msg[256] = "unknown error";

		xe = xmlCtxtGetLastError(ctxt);
		if (xe != NULL && xe->message != NULL)
			snprintf(msg, sizeof(msg), "%s", xe->message);
		msg[strcspn(msg, "\n")] = '\0';
		xk_error_set(err, "%s: line %d: not well-formed XML: %s", name,
		    xe != NULL ? xe->line : 0, msg);
		xmlFreeParserCtxt(ctxt);
		return NULL;
	}
	root = xmlDocGetRootElement(doc);
	if (root == NULL || !is_elem(root, "value"))
		xk_error_set(err, "%s: the document is not one XML-RPC "
		    "<value>", name);
	else if (doc->intSubset != NULL || doc->extSubset != NULL)
		xk_error_set(err, "%s: DTDs are not allowed", name);
	else
		v = value_of(&xp, root, 0);
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return v;
}
