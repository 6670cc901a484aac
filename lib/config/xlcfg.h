/*
 * xlcfg.h - the xl.cfg(5) syntax: a faithful parser and a canonical writer.
 *
 * This layer knows the syntax only: KEY = VALUE and KEY += VALUE
 * statements, strings, numbers and (nested) lists.  What the keys mean
 * lives in domcfg.h.  The parser accepts exactly what libxlutil 4.17
 * accepts, quirks included (tests/config checks it against libxlutil
 * itself), with two deliberate differences, both refusals of input that
 * libxlutil mishandles: NUL bytes (libxlutil asserts) and lists nested
 * deeper than XLCFG_MAX_DEPTH.
 */
#ifndef XK_CONFIG_XLCFG_H
#define XK_CONFIG_XLCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"
#include "util/strbuf.h"

#define XLCFG_MAX_SIZE	(1024 * 1024)	/* larger files are refused */
#define XLCFG_MAX_DEPTH	64		/* list nesting */

enum xlcfg_type {
	XLCFG_STRING,
	XLCFG_LIST,
};

/*
 * 32 bytes, and one allocation per value (the text of a string, the items
 * of a parsed list follow it): a list of 500,000 one-byte items is what
 * 1 MiB of input can hold, and memory must stay a small multiple of the
 * input (xk-cfg(1) says how small).
 */
struct xlcfg_value {
	char *str;			/* STRING: the text, dequoted */
	struct xlcfg_value **items;	/* LIST */
	uint32_t nitems;
	int line, col;			/* where the value starts */
	enum xlcfg_type type : 8;
	bool bare : 1;			/* STRING: was a NUMBER token */
};

struct xlcfg_setting {
	char *key;
	struct xlcfg_value *value;	/* the value in force (last wins) */
	int line, col;			/* of the statement that set it last */
	int first_line, first_col;	/* of the statement that set it first */
	int assignments;		/* > 1 when the key was repeated */
	size_t len;			/* the parser's: a STRING value's length,
					 * so that "+=" costs what it adds */
};

/* A note about the input that is not an error (a repeated key...). */
struct xlcfg_note {
	int line, col;
	char *msg;
};

struct xlcfg_index;

struct xlcfg {
	char *filename;
	struct xlcfg_setting *settings;	/* in order of first appearance */
	size_t nsettings, capsettings;
	struct xlcfg_index *index;	/* key -> setting, a hash table */
	struct xlcfg_note *notes;
	size_t nnotes, capnotes;
};

/* Parse len bytes of data; filename is only used in messages. */
struct xlcfg *xlcfg_parse(const char *filename, const char *data, size_t len,
    struct xk_error *err);
/* Read and parse a file (at most XLCFG_MAX_SIZE bytes). */
struct xlcfg *xlcfg_load(const char *path, struct xk_error *err);
struct xlcfg *xlcfg_new(const char *filename);
void xlcfg_free(struct xlcfg *cfg);

const struct xlcfg_setting *xlcfg_find(const struct xlcfg *cfg,
    const char *key);
const struct xlcfg_value *xlcfg_get(const struct xlcfg *cfg, const char *key);
/* Key comparisons made by lookups so far (tests bound the cost with it). */
size_t xlcfg_key_compares(const struct xlcfg *cfg);

/* Build values (for writers of configs: import, tests). */
struct xlcfg_value *xlcfg_value_string(const char *s, bool bare);
struct xlcfg_value *xlcfg_value_list(void);
int xlcfg_list_append(struct xlcfg_value *list, struct xlcfg_value *item);
/* A list of the n items (taking them), or NULL (the items are kept). */
struct xlcfg_value *xlcfg_value_list_of(struct xlcfg_value *const *items,
    size_t n);
/* Append b to the string a, whose length is alen; -1 when out of memory. */
int xlcfg_string_append(struct xlcfg_value *a, size_t alen, const char *b,
    size_t blen);
void xlcfg_value_free(struct xlcfg_value *v);
struct xlcfg_value *xlcfg_value_dup(const struct xlcfg_value *v);
bool xlcfg_value_equal(const struct xlcfg_value *a,
    const struct xlcfg_value *b);
/* Set key to v (taking ownership of v), replacing any value. */
int xlcfg_set(struct xlcfg *cfg, const char *key, struct xlcfg_value *v);

/* Is key a valid xl.cfg identifier? */
bool xlcfg_valid_key(const char *key);
/* Append v in xl.cfg syntax (quoted as libxlutil will read it back). */
int xlcfg_write_value(struct strbuf *out, const struct xlcfg_value *v);
/*
 * Append the whole config: first the keys named in order (NULL-ended,
 * may be NULL) that are set, then every other key in file order.
 */
int xlcfg_write(struct strbuf *out, const struct xlcfg *cfg,
    const char *const *order);

#endif
