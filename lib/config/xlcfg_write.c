/*
 * xlcfg_write.c - write the syntax tree back as xl.cfg text.
 *
 * The output is canonical (one setting per line, lists of more than one
 * item one item per line with a trailing comma, strings in double
 * quotes) and reads back, through libxlutil or xenkit, to equal values.
 * Lists inside lists inside lists are written on one line: indenting
 * each level would make 64 nested lists cost 2,000 tabs.
 */
#include <string.h>
#include <stdio.h>

#include "config/xlcfg.h"

/* A NUMBER token: [0-9][0-9a-fx]*; anything else must be quoted. */
static bool
is_number_token(const char *s)
{
	if (*s < '0' || *s > '9')
		return false;
	for (s++; *s != '\0'; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') ||
		    *s == 'x'))
			return false;
	return true;
}

/*
 * libxlutil has no working numeric escapes, so every byte but these is
 * written as itself: inside quotes its lexer takes any byte but '\n'.
 */
static int
write_string(struct strbuf *out, const char *s)
{
	if (strbuf_addc(out, '"') < 0)
		return -1;
	for (; *s != '\0'; s++) {
		const char *esc = NULL;

		switch (*s) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		case '\a': esc = "\\a"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\v': esc = "\\v"; break;
		}
		if (esc != NULL ? strbuf_adds(out, esc) : strbuf_addc(out, *s))
			return -1;
	}
	return strbuf_addc(out, '"');
}

static int write_value(struct strbuf *out, const struct xlcfg_value *v,
    int indent);

static bool
fits_one_line(const struct xlcfg_value *v)
{
	if (v->nitems > 1)
		return false;
	for (size_t i = 0; i < v->nitems; i++)
		if (v->items[i]->type == XLCFG_LIST ||
		    strlen(v->items[i]->str) > 60)
			return false;
	return true;
}

/* [ A, B, [ C ] ] on one line. */
static int
write_flat(struct strbuf *out, const struct xlcfg_value *v, int indent)
{
	if (strbuf_adds(out, v->nitems ? "[ " : "[") < 0)
		return -1;
	for (size_t i = 0; i < v->nitems; i++)
		if ((i > 0 && strbuf_adds(out, ", ") < 0) ||
		    write_value(out, v->items[i], indent) < 0)
			return -1;
	return strbuf_adds(out, v->nitems ? " ]" : "]");
}

static int
write_list(struct strbuf *out, const struct xlcfg_value *v, int indent)
{
	if (indent >= 2)
		return write_flat(out, v, indent);
	if (fits_one_line(v)) {
		if (strbuf_adds(out, v->nitems ? "[ " : "[") < 0)
			return -1;
		if (v->nitems && write_value(out, v->items[0], indent) < 0)
			return -1;
		return strbuf_adds(out, v->nitems ? " ]" : "]");
	}
	if (strbuf_adds(out, "[\n") < 0)
		return -1;
	for (size_t i = 0; i < v->nitems; i++) {
		for (int t = 0; t <= indent; t++)
			if (strbuf_addc(out, '\t') < 0)
				return -1;
		if (write_value(out, v->items[i], indent + 1) < 0 ||
		    strbuf_adds(out, ",\n") < 0)
			return -1;
	}
	for (int t = 0; t < indent; t++)
		if (strbuf_addc(out, '\t') < 0)
			return -1;
	return strbuf_addc(out, ']');
}

static int
write_value(struct strbuf *out, const struct xlcfg_value *v, int indent)
{
	if (v->type == XLCFG_LIST)
		return write_list(out, v, indent);
	if (v->bare && is_number_token(v->str))
		return strbuf_adds(out, v->str);
	return write_string(out, v->str);
}

int
xlcfg_write_value(struct strbuf *out, const struct xlcfg_value *v)
{
	return write_value(out, v, 0);
}

static int
write_setting(struct strbuf *out, const struct xlcfg_setting *s)
{
	if (strbuf_addf(out, "%s = ", s->key) < 0 ||
	    write_value(out, s->value, 0) < 0)
		return -1;
	return strbuf_addc(out, '\n');
}

static bool
in_order(const char *const *order, const char *key)
{
	for (; order != NULL && *order != NULL; order++)
		if (strcmp(*order, key) == 0)
			return true;
	return false;
}

int
xlcfg_write(struct strbuf *out, const struct xlcfg *cfg,
    const char *const *order)
{
	for (const char *const *k = order; k != NULL && *k != NULL; k++) {
		const struct xlcfg_setting *s = xlcfg_find(cfg, *k);

		if (s != NULL && write_setting(out, s) < 0)
			return -1;
	}
	for (size_t i = 0; i < cfg->nsettings; i++) {
		const struct xlcfg_setting *s = &cfg->settings[i];

		if (!in_order(order, s->key) && write_setting(out, s) < 0)
			return -1;
	}
	return 0;
}
