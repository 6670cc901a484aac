/*
 * xlcfg.c - the xl.cfg syntax tree: settings and values.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg.h"
#include "config/xlcfg_index.h"

struct xlcfg *
xlcfg_new(const char *filename)
{
	struct xlcfg *cfg = calloc(1, sizeof(*cfg));

	if (cfg == NULL)
		return NULL;
	cfg->filename = strdup(filename != NULL ? filename : "-");
	if (cfg->filename == NULL) {
		free(cfg);
		return NULL;
	}
	return cfg;
}

void
xlcfg_free(struct xlcfg *cfg)
{
	if (cfg == NULL)
		return;
	for (size_t i = 0; i < cfg->nsettings; i++) {
		free(cfg->settings[i].key);
		xlcfg_value_free(cfg->settings[i].value);
	}
	for (size_t i = 0; i < cfg->nnotes; i++)
		free(cfg->notes[i].msg);
	xlcfg_index_free(cfg->index);
	free(cfg->settings);
	free(cfg->notes);
	free(cfg->filename);
	free(cfg);
}

const struct xlcfg_setting *
xlcfg_find(const struct xlcfg *cfg, const char *key)
{
	size_t i = xlcfg_index_find(cfg, key);

	return i != XLCFG_NOT_FOUND ? &cfg->settings[i] : NULL;
}

const struct xlcfg_value *
xlcfg_get(const struct xlcfg *cfg, const char *key)
{
	const struct xlcfg_setting *s = xlcfg_find(cfg, key);

	return s != NULL ? s->value : NULL;
}

int
xlcfg_set(struct xlcfg *cfg, const char *key, struct xlcfg_value *v)
{
	struct xlcfg_setting *s = (struct xlcfg_setting *)xlcfg_find(cfg, key);

	if (s != NULL) {
		xlcfg_value_free(s->value);
		s->value = v;
		return 0;
	}
	if (cfg->nsettings == cfg->capsettings) {
		size_t cap = cfg->capsettings ? cfg->capsettings * 2 : 16;

		s = reallocarray(cfg->settings, cap, sizeof(*s));
		if (s == NULL)
			goto fail;
		cfg->settings = s;
		cfg->capsettings = cap;
	}
	s = &cfg->settings[cfg->nsettings];
	memset(s, 0, sizeof(*s));
	s->key = strdup(key);
	if (s->key == NULL)
		goto fail;
	if (xlcfg_index_add(cfg, cfg->nsettings) < 0) {
		free(s->key);
		goto fail;
	}
	s->value = v;
	cfg->nsettings++;
	return 0;
fail:
	xlcfg_value_free(v);
	return -1;
}

/* What follows a value in its allocation: its text or its items. */
static void *
inline_part(const struct xlcfg_value *v)
{
	return (void *)(v + 1);
}

struct xlcfg_value *
xlcfg_value_string(const char *str, bool bare)
{
	size_t len = strlen(str);
	struct xlcfg_value *v = calloc(1, sizeof(*v) + len + 1);

	if (v == NULL)
		return NULL;
	v->type = XLCFG_STRING;
	v->bare = bare;
	v->str = inline_part(v);
	memcpy(v->str, str, len + 1);
	return v;
}

struct xlcfg_value *
xlcfg_value_list(void)
{
	struct xlcfg_value *v = calloc(1, sizeof(*v));

	if (v != NULL)
		v->type = XLCFG_LIST;
	return v;
}

struct xlcfg_value *
xlcfg_value_list_of(struct xlcfg_value *const *items, size_t n)
{
	struct xlcfg_value *v;

	if (n > UINT32_MAX || n > (SIZE_MAX - sizeof(*v)) / sizeof(*items))
		return NULL;
	v = calloc(1, sizeof(*v) + n * sizeof(*items));
	if (v == NULL)
		return NULL;
	v->type = XLCFG_LIST;
	v->items = inline_part(v);
	if (n > 0)
		memcpy(v->items, items, n * sizeof(*items));
	v->nitems = (uint32_t)n;
	return v;
}

/* Heap arrays and strings hold a power of two, so appends are O(1). */
static size_t
heap_cap(size_t n)
{
	size_t cap = 16;

	while (cap < n)
		cap *= 2;
	return cap;
}

int
xlcfg_list_append(struct xlcfg_value *list, struct xlcfg_value *item)
{
	struct xlcfg_value **items = list->items;
	size_t n = list->nitems;

	if (n >= UINT32_MAX)
		return -1;
	if (items == NULL || items == inline_part(list)) {
		items = calloc(heap_cap(n + 1), sizeof(*items));
		if (items == NULL)
			return -1;
		if (n > 0)
			memcpy(items, list->items, n * sizeof(*items));
	} else if (n == heap_cap(n)) {
		items = reallocarray(items, heap_cap(n + 1), sizeof(*items));
		if (items == NULL)
			return -1;
	}
	list->items = items;
	list->items[list->nitems++] = item;
	return 0;
}

int
xlcfg_string_append(struct xlcfg_value *a, size_t alen, const char *b,
    size_t blen)
{
	char *s = a->str;

	if (blen > SIZE_MAX / 2 - alen)
		return -1;
	if (s == inline_part(a)) {
		s = malloc(heap_cap(alen + blen + 1));
		if (s == NULL)
			return -1;
		memcpy(s, a->str, alen);
	} else if (heap_cap(alen + 1) < alen + blen + 1) {
		s = realloc(s, heap_cap(alen + blen + 1));
		if (s == NULL)
			return -1;
	}
	memcpy(s + alen, b, blen);
	s[alen + blen] = '\0';
	a->str = s;
	return 0;
}

void
xlcfg_value_free(struct xlcfg_value *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->nitems; i++)
		xlcfg_value_free(v->items[i]);
	if (v->items != inline_part(v))
		free(v->items);
	if (v->str != inline_part(v))
		free(v->str);
	free(v);
}

struct xlcfg_value *
xlcfg_value_dup(const struct xlcfg_value *v)
{
	struct xlcfg_value **items, *c = NULL;
	size_t n = 0;

	if (v->type == XLCFG_STRING) {
		c = xlcfg_value_string(v->str, v->bare);
		goto out;
	}
	/* copied items first, then the list sized exactly around them */
	items = calloc(v->nitems + 1, sizeof(*items));
	if (items == NULL)
		return NULL;
	while (n < v->nitems && (items[n] = xlcfg_value_dup(v->items[n])))
		n++;
	if (n == v->nitems)
		c = xlcfg_value_list_of(items, n);
	if (c == NULL)
		while (n > 0)
			xlcfg_value_free(items[--n]);
	free(items);
out:
	if (c != NULL) {
		c->line = v->line;
		c->col = v->col;
	}
	return c;
}

/* Equal as libxlutil sees them: NUMBER and STRING are both strings. */
bool
xlcfg_value_equal(const struct xlcfg_value *a, const struct xlcfg_value *b)
{
	if (a->type != b->type)
		return false;
	if (a->type == XLCFG_STRING)
		return strcmp(a->str, b->str) == 0;
	if (a->nitems != b->nitems)
		return false;
	for (size_t i = 0; i < a->nitems; i++)
		if (!xlcfg_value_equal(a->items[i], b->items[i]))
			return false;
	return true;
}

bool
xlcfg_valid_key(const char *key)
{
	if (key[0] < 'a' || key[0] > 'z')
		return false;
	for (const char *p = key + 1; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '_' || *p == '.'))
			return false;
	return true;
}
