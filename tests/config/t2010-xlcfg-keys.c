/*
 * t2010-xlcfg-keys - many keys and repeated keys: the cost of a key
 * lookup does not grow with the number of keys, and a repeat names where
 * the key was first set (issue 21, items 6 and 10).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg.h"
#include "harness.h"
#include "util/strbuf.h"

static struct xlcfg *
parse(const char *text, size_t len, struct xk_error *e)
{
	return xlcfg_parse("t.cfg", text, len, e);
}

/*
 * 100k distinct keys, each looked up once while parsing and once more
 * here: a list scan makes ~n^2/2 = 5e9 key comparisons, a hash table
 * about one per lookup.  The bound (8 per lookup) is generous.
 */
TEST(many_distinct_keys_linear)
{
	enum { N = 100000 };
	struct strbuf sb = STRBUF_INIT;
	struct xk_error e = { 0 };
	struct xlcfg *cfg;
	char key[32];

	for (int i = 0; i < N; i++)
		CHECK(strbuf_addf(&sb, "k%d=%d\n", i, i % 10) == 0);
	CHECK(sb.len < XLCFG_MAX_SIZE);
	cfg = parse(sb.buf, sb.len, &e);
	strbuf_free(&sb);
	CHECK(cfg != NULL);
	CHECK_INT_EQ(cfg->nsettings, N);
	for (int i = 0; i < N; i += 997) {
		snprintf(key, sizeof(key), "k%d", i);
		CHECK(xlcfg_get(cfg, key) != NULL);
		CHECK_INT_EQ(atoi(xlcfg_get(cfg, key)->str), i % 10);
	}
	CHECK(xlcfg_get(cfg, "k100000") == NULL);
	CHECK(xlcfg_key_compares(cfg) <= 8 * (size_t)(N + N / 997 + 2));
	/* settings stay in file order */
	CHECK_STR_EQ(cfg->settings[0].key, "k0");
	CHECK_STR_EQ(cfg->settings[N - 1].key, "k99999");
	xlcfg_free(cfg);
}

/* Repeats keep xl's rule: the last "=" wins, "+=" adds to the last. */
TEST(repeated_keys_as_xl)
{
	const char *text = "a = 1\nb = [\"x\"]\na = 2\nb += [\"y\"]\n"
	    "a = 3\nb = [\"z\"]\nb += [\"w\"]\n";
	struct xk_error e = { 0 };
	struct xlcfg *cfg = parse(text, strlen(text), &e);
	const struct xlcfg_value *b;

	CHECK(cfg != NULL);
	CHECK_INT_EQ(cfg->nsettings, 2);
	CHECK_STR_EQ(xlcfg_get(cfg, "a")->str, "3");
	b = xlcfg_get(cfg, "b");
	CHECK_INT_EQ(b->nitems, 2);
	CHECK_STR_EQ(b->items[0]->str, "z");
	CHECK_STR_EQ(b->items[1]->str, "w");
	xlcfg_free(cfg);
}

/* The warning for a repeat names the first setting, not the previous. */
TEST(repeat_note_names_first_line)
{
	const char *text = "a = 1\n\nx = 0\na = 2\na = 3\n";
	struct xk_error e = { 0 };
	struct xlcfg *cfg = parse(text, strlen(text), &e);

	CHECK(cfg != NULL);
	CHECK_INT_EQ(cfg->nnotes, 2);
	CHECK_INT_EQ(cfg->notes[0].line, 4);
	CHECK_STR_HAS(cfg->notes[0].msg, "first set on line 1)");
	CHECK_INT_EQ(cfg->notes[1].line, 5);
	CHECK_STR_HAS(cfg->notes[1].msg, "first set on line 1)");
	CHECK_INT_EQ(xlcfg_find(cfg, "a")->line, 5);
	CHECK_INT_EQ(xlcfg_find(cfg, "a")->first_line, 1);
	xlcfg_free(cfg);
}
