/*
 * t2000-xlcfg - the xl.cfg syntax: values, "+=", repeats, errors with
 * their location, and the writer's round trip.
 */
#include <stdlib.h>
#include <string.h>

#include "config/xlcfg.h"
#include "harness.h"

static struct xlcfg *
parse(const char *text, struct xk_error *e)
{
	return xlcfg_parse("t.cfg", text, strlen(text), e);
}

/* Parse text, which must fail, and return the message. */
static const char *
parse_error(const char *text, struct xk_error *e)
{
	struct xlcfg *cfg = parse(text, e);

	if (cfg != NULL) {
		xlcfg_free(cfg);
		return "(accepted)";
	}
	return e->msg;
}

TEST(strings_numbers_lists)
{
	struct xk_error e = { 0 };
	struct xlcfg *cfg = parse("name = \"web\"\nmemory = 0x200\n"
	    "x = 'it\\'s'  # comment\nl = [ 1, \"two\",\n  [ \"n\" ],\n]\n", &e);
	const struct xlcfg_value *v;

	CHECK(cfg != NULL);
	CHECK_STR_EQ(xlcfg_get(cfg, "name")->str, "web");
	v = xlcfg_get(cfg, "memory");
	CHECK_STR_EQ(v->str, "0x200");
	CHECK(v->bare);
	CHECK_STR_EQ(xlcfg_get(cfg, "x")->str, "it's");
	v = xlcfg_get(cfg, "l");
	CHECK(v->type == XLCFG_LIST);
	CHECK_INT_EQ(v->nitems, 3);
	CHECK_STR_EQ(v->items[1]->str, "two");
	CHECK(v->items[2]->type == XLCFG_LIST);
	CHECK_STR_EQ(v->items[2]->items[0]->str, "n");
	CHECK_INT_EQ(v->line, 4);
	CHECK_INT_EQ(v->col, 5);
	xlcfg_free(cfg);
}

TEST(escapes_as_libxlutil_reads_them)
{
	struct xk_error e = { 0 };
	struct xlcfg *cfg = parse("a = \"t\\tn\\n\\\\q\\\"\"\n"
	    "b = \"\\123x\"\n", &e);

	CHECK(cfg != NULL);
	CHECK_STR_EQ(xlcfg_get(cfg, "a")->str, "t\tn\n\\q\"");
	/* libxlutil 4.17 drops numeric escapes and their digits */
	CHECK_STR_EQ(xlcfg_get(cfg, "b")->str, "x");
	CHECK_INT_EQ(cfg->nnotes, 1);
	CHECK_STR_HAS(cfg->notes[0].msg, "numeric escape");
	xlcfg_free(cfg);
	CHECK_STR_HAS(parse_error("a = \"\\x41\"\n", &e), "hex escapes");
	CHECK_STR_HAS(parse_error("a = \"\\q\"\n", &e),
	    "t.cfg:1:6: invalid character after backslash");
}

TEST(append_and_repeat)
{
	struct xk_error e = { 0 };
	struct xlcfg *cfg = parse("s = \"ab\"\ns += \"cd\"\nl = [1]\n"
	    "l += [2, 3]\nn = 1\nn = 2\n", &e);
	const struct xlcfg_value *l;

	CHECK(cfg != NULL);
	CHECK_STR_EQ(xlcfg_get(cfg, "s")->str, "abcd");
	l = xlcfg_get(cfg, "l");
	CHECK_INT_EQ(l->nitems, 3);
	CHECK_STR_EQ(l->items[2]->str, "3");
	CHECK_STR_EQ(xlcfg_get(cfg, "n")->str, "2");
	CHECK_INT_EQ(cfg->nsettings, 3);
	CHECK_INT_EQ(cfg->nnotes, 1);
	CHECK_STR_HAS(cfg->notes[0].msg, "'n' set again (first set on line 5)");
	CHECK_INT_EQ(cfg->notes[0].line, 6);
	xlcfg_free(cfg);
	CHECK_STR_HAS(parse_error("s = \"x\"\ns += [1]\n", &e),
	    "t.cfg:2:6: '+=' cannot add a list to a string");
}

TEST(statement_separators)
{
	struct xk_error e = { 0 };
	struct xlcfg *cfg = parse("a=1;b=2 ;; c = 3", &e);

	CHECK(cfg != NULL);
	CHECK_INT_EQ(cfg->nsettings, 3);
	CHECK_STR_EQ(xlcfg_get(cfg, "c")->str, "3");
	xlcfg_free(cfg);
}

TEST(errors_say_where_and_what)
{
	struct xk_error e = { 0 };

	CHECK_STR_HAS(parse_error("a = \"open\nb = 1\n", &e),
	    "t.cfg:1:5: unterminated string");
	CHECK_STR_HAS(parse_error("a = [1, 2\n", &e),
	    "t.cfg:2:1: expected ',' or ']' in a list, found end of file");
	CHECK_STR_HAS(parse_error("a = 1\nb =\n", &e),
	    "t.cfg:2:4: expected a string, a number or '['");
	CHECK_STR_HAS(parse_error("a = 1 2\n", &e),
	    "t.cfg:1:7: expected end of line or ';' after the value");
	CHECK_STR_HAS(parse_error("a = 1\r\n", &e),
	    "t.cfg:1:6: unexpected a carriage return");
	CHECK_STR_HAS(parse_error("Name = 1\n", &e), "t.cfg:1:1: unexpected 'N'");
	CHECK_STR_HAS(parse_error("a = 1\n# no newline", &e),
	    "t.cfg:2:1: comment at end of file without a newline");
	CHECK_STR_HAS(parse_error("a = [ , ]\n", &e),
	    "t.cfg:1:7: expected a string, a number or '['");
	CHECK_STR_HAS(parse_error("9 = 1\n", &e), "expected a key, found a number");
}

TEST(binary_and_huge_input_refused)
{
	struct xk_error e = { 0 };
	static const char nul[] = "a = \"x\0y\"\n";
	char *big, deep[400];

	CHECK(xlcfg_parse("t.cfg", nul, sizeof(nul) - 1, &e) == NULL);
	CHECK_STR_HAS(e.msg, "NUL byte");
	big = malloc(XLCFG_MAX_SIZE + 2);
	CHECK(big != NULL);
	memset(big, '\n', XLCFG_MAX_SIZE + 1);
	CHECK(xlcfg_parse("t.cfg", big, XLCFG_MAX_SIZE + 1, &e) == NULL);
	free(big);
	CHECK_STR_HAS(e.msg, "larger than");
	memset(deep, '[', sizeof(deep));
	memcpy(deep, "a = ", 4);
	deep[sizeof(deep) - 1] = '\0';
	CHECK_STR_HAS(parse_error(deep, &e), "nested more than 64 deep");
}

/* parse -> write -> parse gives equal values, for awkward strings too. */
TEST(writer_round_trips)
{
	struct xk_error e = { 0 };
	const char *text = "name = 'a \"quoted\" \\\\ name'\nmemory = 1024\n"
	    "s = \"tab\\there\\nnl \\a\\b\\f\\v\\r # not a comment\"\n"
	    "n = \"0x10\"\nl = [ [ ], [ 'x', [ \"y\" ] ], 7 ]\ne = []\n"
	    "u = \"caf\xc3\xa9\"\nlong = [ \"" 
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" ]\n";
	struct xlcfg *a = parse(text, &e), *b;
	struct strbuf sb = STRBUF_INIT;

	CHECK(a != NULL);
	CHECK(xlcfg_write(&sb, a, NULL) == 0);
	b = xlcfg_parse("out.cfg", sb.buf, sb.len, &e);
	CHECK(b != NULL);
	CHECK_INT_EQ(a->nsettings, b->nsettings);
	for (size_t i = 0; i < a->nsettings; i++) {
		CHECK_STR_EQ(a->settings[i].key, b->settings[i].key);
		CHECK(xlcfg_value_equal(a->settings[i].value,
		    b->settings[i].value));
		CHECK(a->settings[i].value->bare == b->settings[i].value->bare);
	}
	CHECK_STR_HAS(sb.buf, "memory = 1024\n");
	CHECK_STR_HAS(sb.buf, "n = \"0x10\"\n");
	xlcfg_free(a);
	xlcfg_free(b);
	strbuf_free(&sb);
}

TEST(writer_orders_named_keys_first)
{
	struct xk_error e = { 0 };
	static const char *const order[] = { "name", "memory", NULL };
	struct xlcfg *cfg = parse("z = 1\nmemory = 2\nname = \"n\"\n", &e);
	struct strbuf sb = STRBUF_INIT;

	CHECK(cfg != NULL);
	CHECK(xlcfg_write(&sb, cfg, order) == 0);
	CHECK_STR_EQ(sb.buf, "name = \"n\"\nmemory = 2\nz = 1\n");
	xlcfg_free(cfg);
	strbuf_free(&sb);
}

/* libxlutil ignores one stray character as the file's last byte. */
TEST(stray_last_character_ignored_with_a_note)
{
	struct xk_error e = { 0 };
	struct xlcfg *cfg = parse("a = 1\nb = 2J", &e);

	CHECK(cfg != NULL);
	CHECK_STR_EQ(xlcfg_get(cfg, "b")->str, "2");
	CHECK_INT_EQ(cfg->nnotes, 1);
	CHECK_STR_HAS(cfg->notes[0].msg, "stray 'J' at end of file ignored");
	xlcfg_free(cfg);
	CHECK_STR_HAS(parse_error("a = 1\nb = 2Jx", &e), "t.cfg:2:6");
	CHECK_STR_HAS(parse_error("a = 1J\n", &e), "unexpected 'J'");
}
