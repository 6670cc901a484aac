/*
 * json_out.h - a streaming JSON writer, and UTF-8 checks for JSON text.
 *
 * Writes as it goes, so a document costs no memory beyond the data it
 * is made of; the layout is jansson's JSON_INDENT(2).  Strings must be
 * valid UTF-8 (callers check first, with json_utf8_check, so that a
 * refusal comes before any output).  Write errors stay in the FILE:
 * callers check ferror() at the end.
 */
#ifndef XK_CONFIG_JSON_OUT_H
#define XK_CONFIG_JSON_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util/strbuf.h"

#define JSON_OUT_MAX_DEPTH 80

struct json_out {
	FILE *f;
	int depth;
	bool after_key;			/* a value completes "key": */
	size_t count[JSON_OUT_MAX_DEPTH];	/* items so far per level */
};

void json_out_init(struct json_out *j, FILE *f);
void json_out_open(struct json_out *j, char c);	/* '{' or '[' */
void json_out_close(struct json_out *j, char c);	/* '}' or ']' */
void json_out_key(struct json_out *j, const char *key);
void json_out_string(struct json_out *j, const char *s);
void json_out_string_or_null(struct json_out *j, const char *s);
void json_out_long(struct json_out *j, long l);
void json_out_bool(struct json_out *j, bool b);
void json_out_null(struct json_out *j);

/* Offset of the first byte of s that is not valid UTF-8, or -1. */
long json_utf8_check(const char *s);
/*
 * Append s to sb with each byte that is not part of valid UTF-8 written
 * as the four characters \xNN: for text meant for people (messages,
 * file names), never for values.  -1 when out of memory.
 */
int json_utf8_escape(struct strbuf *sb, const char *s);

#endif
