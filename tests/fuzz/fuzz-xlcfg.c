/*
 * fuzz-xlcfg - the xl.cfg parser, the typed model and the writer.
 *
 * Besides not crashing: an input xenkit accepts must also be accepted
 * by libxlutil with the same value for every key (checked when the
 * input holds no NUL, on which libxlutil asserts), and the canonical
 * output must parse back to equal values.
 *
 * And memory stays within what xk-cfg(1) promises: reading the input,
 * its typed model and its JSON document (what xk cfg check and show
 * --json do) never have more than 40 bytes per input byte allocated at
 * once, plus a fixed 64 KiB; ASan's malloc hooks count the bytes.  Run
 * it with -rss_limit_mb=512 (libFuzzer's own and ASan's memory on top).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxlutil.h>
#include <sanitizer/allocator_interface.h>

#include "config/domcfg.h"
#include "config/domcfg_json.h"
#include "config/xlcfg.h"

#define BYTES_PER_INPUT_BYTE	40
#define FIXED_BYTES		(64 * 1024)

static FILE *devnull;
static long long live, peak;	/* bytes allocated now, and the most */

static void
on_malloc(const volatile void *p, size_t size)
{
	long long now = __atomic_add_fetch(&live, (long long)size,
	    __ATOMIC_RELAXED);

	if (now > __atomic_load_n(&peak, __ATOMIC_RELAXED))
		__atomic_store_n(&peak, now, __ATOMIC_RELAXED);
}

static void
on_free(const volatile void *p)
{
	if (p != NULL)
		__atomic_sub_fetch(&live, (long long)
		    __sanitizer_get_allocated_size((const void *)p),
		    __ATOMIC_RELAXED);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	devnull = fopen("/dev/null", "w");
	if (devnull == NULL ||
	    !__sanitizer_install_malloc_and_free_hooks(on_malloc, on_free))
		abort();
	return 0;
}

static bool same_value(const XLU_Config *xc, const struct xlcfg_value *v,
    XLU_ConfigValue *xv);

/* v (a list) has the same items as libxlutil's list l. */
static bool
same_list(const XLU_Config *xc, const struct xlcfg_value *v,
    XLU_ConfigList *l)
{
	for (size_t i = 0; i < v->nitems; i++) {
		XLU_ConfigValue *it = xlu_cfg_get_listitem2(l, (int)i);

		if (it == NULL || !same_value(xc, v->items[i], it))
			return false;
	}
	return xlu_cfg_get_listitem2(l, (int)v->nitems) == NULL;
}

static bool
same_value(const XLU_Config *xc, const struct xlcfg_value *v,
    XLU_ConfigValue *xv)
{
	XLU_ConfigList *l;
	char *s;

	if (v->type == XLCFG_STRING)
		return xlu_cfg_value_type(xv) == XLU_STRING &&
		    xlu_cfg_value_get_string(xc, xv, &s, 1) == 0 &&
		    strcmp(s, v->str) == 0;
	return xlu_cfg_value_type(xv) == XLU_LIST &&
	    xlu_cfg_value_get_list(xc, xv, &l, 1) == 0 && same_list(xc, v, l);
}

static bool
same_setting(const XLU_Config *xc, const struct xlcfg_setting *s)
{
	XLU_ConfigList *l;
	const char *str;

	if (s->value->type == XLCFG_STRING)
		return xlu_cfg_get_string(xc, s->key, &str, 1) == 0 &&
		    strcmp(str, s->value->str) == 0;
	return xlu_cfg_get_list(xc, s->key, &l, NULL, 1) == 0 &&
	    same_list(xc, s->value, l);
}

static void
compare_with_xlu(const struct xlcfg *cfg, const uint8_t *data, size_t size)
{
	XLU_Config *xc = xlu_cfg_init(devnull, "fuzz");
	int xrc;

	if (xc == NULL)
		return;
	xrc = xlu_cfg_readdata(xc, (const char *)data, (int)size);
	if ((cfg != NULL) != (xrc == 0))
		abort();	/* one accepts what the other rejects */
	for (size_t i = 0; cfg != NULL && i < cfg->nsettings; i++)
		if (!same_setting(xc, &cfg->settings[i]))
			abort();
	xlu_cfg_destroy(xc);
}

static void
round_trip(const struct xlcfg *cfg)
{
	struct strbuf sb = STRBUF_INIT;
	struct xk_error e = { 0 };
	struct xlcfg *again;

	if (xlcfg_write(&sb, cfg, NULL) < 0)
		abort();
	again = xlcfg_parse("out", sb.buf ? sb.buf : "", sb.len, &e);
	if (again == NULL || again->nsettings != cfg->nsettings)
		abort();
	for (size_t i = 0; i < cfg->nsettings; i++)
		if (!xlcfg_value_equal(cfg->settings[i].value,
		    again->settings[i].value))
			abort();
	xlcfg_free(again);
	strbuf_free(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static long long
now(void)
{
	return __atomic_load_n(&live, __ATOMIC_RELAXED);
}

static long long
highest_since(long long from)
{
	long long p = __atomic_load_n(&peak, __ATOMIC_RELAXED);

	__atomic_store_n(&peak, now(), __ATOMIC_RELAXED);
	return p - from;
}

/*
 * Parse, then (outside the count) compare with libxlutil and write the
 * canonical form back, then the typed model and its JSON document: the
 * syntax tree stays allocated throughout, as in xk cfg show --json.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	long long start, parsed, extra, used, later;
	struct xk_error e = { 0 };
	struct xlcfg *cfg;
	struct xk_domcfg *dc;

	start = now();
	(void)highest_since(start);
	cfg = xlcfg_parse("fuzz", (const char *)data, size, &e);
	used = highest_since(start);
	parsed = now();
	if (memchr(data, '\0', size) == NULL && size < 65536)
		compare_with_xlu(cfg, data, size);
	if (cfg != NULL)
		round_trip(cfg);
	extra = now() - parsed;	/* what those left, not ours to count */
	(void)highest_since(now());
	dc = cfg != NULL ? xk_domcfg_from_xlcfg(cfg, &e) : NULL;
	if (dc != NULL)
		(void)xk_domcfg_write_json(devnull, dc, &e);
	later = highest_since(start) - extra;
	if (later > used)
		used = later;
	if (used > BYTES_PER_INPUT_BYTE * (long long)size + FIXED_BYTES)
		abort();	/* more memory than xk-cfg(1) promises */
	if (dc != NULL) {
		struct strbuf sb = STRBUF_INIT;

		if (xk_domcfg_write(&sb, dc, &e) < 0)
			abort();
		strbuf_free(&sb);
		xk_domcfg_free(dc);
	}
	return 0;
}
