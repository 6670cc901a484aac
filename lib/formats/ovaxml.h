/*
 * ovaxml.h - the XML-RPC value model of an XVA's ova.xml.
 *
 * XAPI writes ova.xml as one XML-RPC <value>.  Scalars keep their text
 * exactly as written (XAPI sends ints as bare strings), with the tag
 * they came in so a validator can check encodings.  The parser refuses
 * DTDs and entities outright (no expansion, no network), streams (no
 * DOM), and caps the document size, nesting depth, number of values and
 * the bytes the values take while it reads.
 */
#ifndef XK_FORMATS_OVAXML_H
#define XK_FORMATS_OVAXML_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"
#include "util/strbuf.h"

#define XK_XV_MAX_DOC	(64u * 1024 * 1024)	/* bytes of ova.xml */
#define XK_XV_MAX_DEPTH	32			/* nested values */
#define XK_XV_MAX_NODES	(1u << 17)		/* values in a doc */
/*
 * Bytes the parsed tree may take: its text plus an estimate per value.
 * XAPI's ova.xml of a VM with a hundred snapshots holds well under
 * 100 000 values and a few MB of text; together with the parser this
 * keeps a parse well under 64 MiB whatever the input.
 */
#define XK_XV_MAX_MEM	(32u * 1024 * 1024)
#define XK_XV_MAX_TEXT	(4u * 1024 * 1024)	/* one value's or name's */

enum xk_xv_type {
	XK_XV_STRING,	/* bare text or <string> */
	XK_XV_INT,	/* <int>, <i4>, <i8> */
	XK_XV_BOOL,	/* <boolean> 0 or 1 */
	XK_XV_DOUBLE,	/* <double> */
	XK_XV_DATE,	/* <dateTime.iso8601> */
	XK_XV_STRUCT,
	XK_XV_ARRAY,
};

struct xk_xv;

struct xk_xv_member {
	char *name;
	struct xk_xv *value;
};

struct xk_xv {
	enum xk_xv_type type;
	char *text;			/* scalars: the text, never NULL */
	bool tagged;			/* STRING: came as <string> */
	struct xk_xv_member *members;	/* STRUCT */
	struct xk_xv **items;		/* ARRAY */
	size_t n, cap;
};

/* Constructors return NULL on ENOMEM. */
struct xk_xv *xk_xv_new(enum xk_xv_type t, const char *text);
struct xk_xv *xk_xv_str(const char *s);
struct xk_xv *xk_xv_strf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
struct xk_xv *xk_xv_bool(bool b);
struct xk_xv *xk_xv_struct(void);
struct xk_xv *xk_xv_array(void);
void xk_xv_free(struct xk_xv *v);

/*
 * Set a struct member (replacing one of that name) or append an array
 * item; both take ownership of v, also on failure (v NULL is ENOMEM).
 */
int xk_xv_set(struct xk_xv *st, const char *name, struct xk_xv *v);
int xk_xv_append(struct xk_xv *arr, struct xk_xv *v);

/* A struct member (NULL if absent or st is not a struct). */
const struct xk_xv *xk_xv_get(const struct xk_xv *st, const char *name);
/* A scalar member's text, or NULL if absent or not a scalar. */
const char *xk_xv_text(const struct xk_xv *st, const char *name);

/* Append v as XAPI writes it (<value>...</value>). */
int xk_xv_write(struct strbuf *out, const struct xk_xv *v);

/* Parse a document holding one <value>; name is used in messages. */
struct xk_xv *xk_xv_parse(const char *name, const char *data, size_t len,
    struct xk_error *err);

/*
 * The same in pieces, for a document read as a stream: feed it the
 * bytes as they come (-1 on the first error, in err given to new),
 * then finish, which returns the value (NULL on error) and frees p.
 * xk_xv_parser_free drops a parser that is not finished.
 */
struct xk_xv_parser;
struct xk_xv_parser *xk_xv_parser_new(const char *name, struct xk_error *err);
int xk_xv_parser_feed(struct xk_xv_parser *p, const char *buf, size_t len);
struct xk_xv *xk_xv_parser_finish(struct xk_xv_parser *p);
void xk_xv_parser_free(struct xk_xv_parser *p);

/* Does data hold a DTD or entity declaration (refused by every parser)? */
bool xk_xml_has_dtd(const char *data, size_t len);

#endif
