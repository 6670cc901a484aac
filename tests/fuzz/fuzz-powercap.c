/*
 * fuzz-powercap - the power cap's parsers of outside input: the settings
 * file (also written by hand or by the cooling device's forwarder), the
 * state file a killed daemon left, and the --cpus/--cpumask spellings.
 * What is accepted must write out and parse back to the same thing.
 */
#include <stdlib.h>
#include <string.h>

#include "power/cpuset.h"
#include "power/pcfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
settings(const char *text, size_t len)
{
	struct xk_error e = { 0 };
	struct xk_pc_settings s, t;
	char *out;

	if (xk_pc_settings_parse(text, len, "f", &s, &e) < 0)
		return;
	if (xk_pc_settings_format(&s, &out, &e) < 0)
		return;		/* a set too long to write: refused, fine */
	if (xk_pc_settings_parse(out, strlen(out), "f", &t, &e) < 0 ||
	    t.target != s.target || t.max_idle != s.max_idle ||
	    t.window_ms != s.window_ms || t.all_cpus != s.all_cpus ||
	    (!s.all_cpus && memcmp(&t.cpus, &s.cpus, sizeof(s.cpus)) != 0))
		abort();
	free(out);
}

static void
state(const char *text, size_t len)
{
	struct xk_error e = { 0 };
	struct xk_pc_state st, back;
	char *out;
	size_t i;

	if (xk_pc_state_parse(text, len, "f", &st, &e) < 0)
		return;
	if (xk_pc_state_format(&st, &out, &e) < 0 ||
	    xk_pc_state_parse(out, strlen(out), "f", &back, &e) < 0 ||
	    back.n != st.n)
		abort();
	for (i = 0; i < st.n; i++)
		if (back.doms[i].domid != st.doms[i].domid ||
		    back.doms[i].orig_cap != st.doms[i].orig_cap ||
		    strcmp(back.doms[i].uuid, st.doms[i].uuid) != 0)
			abort();
	free(out);
	xk_pc_state_free(&back);
	xk_pc_state_free(&st);
}

static void
cpus(const char *s)
{
	struct xk_error e = { 0 };
	struct xk_cpuset a, b;
	char buf[8192];

	if (xk_cpuset_parse_list(s, &a, "l", &e) == 0) {
		if (xk_cpuset_format(&a, buf, sizeof(buf)) < 0 ||
		    xk_cpuset_parse_list(buf, &b, "l", &e) < 0 ||
		    memcmp(&a, &b, sizeof(a)) != 0)
			abort();
	}
	xk_cpuset_parse_mask(s, &a, "m", &e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = strndup((const char *)data, size);

	if (s == NULL)
		return 0;
	settings((const char *)data, size);
	state((const char *)data, size);
	cpus(s);
	free(s);
	return 0;
}
