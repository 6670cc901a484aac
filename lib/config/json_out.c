/*
 * json_out.c - a streaming JSON writer and UTF-8 checks.
 */
#include <stdint.h>
#include <stdio.h>

#include "config/json_out.h"
#include "util/strbuf.h"

void
json_out_init(struct json_out *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->after_key = false;
	j->count[0] = 0;
}

/* What goes before a value or a key: a comma, a newline, the indent. */
static void
separate(struct json_out *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->depth == 0)
		return;
	if (j->count[j->depth]++ > 0)
		putc(',', j->f);
	putc('\n', j->f);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

void
json_out_open(struct json_out *j, char c)
{
	separate(j);
	putc(c, j->f);
	/* deeper than any xlcfg value can nest: a caller bug */
	if (j->depth + 1 < JSON_OUT_MAX_DEPTH)
		j->count[++j->depth] = 0;
}

void
json_out_close(struct json_out *j, char c)
{
	if (j->count[j->depth] > 0) {
		putc('\n', j->f);
		for (int i = 1; i < j->depth; i++)
			fputs("  ", j->f);
	}
	j->depth--;
	putc(c, j->f);
}

static void
quoted(struct json_out *j, const char *s)
{
	putc('"', j->f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", j->f); break;
		case '\\': fputs("\\\\", j->f); break;
		case '\b': fputs("\\b", j->f); break;
		case '\f': fputs("\\f", j->f); break;
		case '\n': fputs("\\n", j->f); break;
		case '\r': fputs("\\r", j->f); break;
		case '\t': fputs("\\t", j->f); break;
		default:
			if (*p < 0x20)
				fprintf(j->f, "\\u%04x", *p);
			else
				putc(*p, j->f);
		}
	}
	putc('"', j->f);
}

void
json_out_key(struct json_out *j, const char *key)
{
	separate(j);
	quoted(j, key);
	fputs(": ", j->f);
	j->after_key = true;
}

void
json_out_string(struct json_out *j, const char *s)
{
	separate(j);
	quoted(j, s);
}

void
json_out_null(struct json_out *j)
{
	separate(j);
	fputs("null", j->f);
}

void
json_out_string_or_null(struct json_out *j, const char *s)
{
	if (s != NULL)
		json_out_string(j, s);
	else
		json_out_null(j);
}

void
json_out_long(struct json_out *j, long l)
{
	separate(j);
	fprintf(j->f, "%ld", l);
}

void
json_out_bool(struct json_out *j, bool b)
{
	separate(j);
	fputs(b ? "true" : "false", j->f);
}

/* Length of the valid UTF-8 sequence at p, or 0 (RFC 3629 table). */
static size_t
utf8_len(const unsigned char *p)
{
	size_t n;
	unsigned char lo = 0x80, hi = 0xbf;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;	/* no surrogates */
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;	/* nothing above U+10FFFF */
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

long
json_utf8_check(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		size_t n = utf8_len(p);

		if (n == 0)
			return (long)(p - (const unsigned char *)s);
		p += n;
	}
	return -1;
}

int
json_utf8_escape(struct strbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		size_t n = utf8_len(p);

		if (n == 0) {
			if (strbuf_addf(sb, "\\x%02x", *p) < 0)
				return -1;
			p++;
		} else {
			if (strbuf_add(sb, p, n) < 0)
				return -1;
			p += n;
		}
	}
	return 0;
}
