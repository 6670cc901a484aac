/*
 * t9000-power - lib/power's pure parts: pCPU sets (list and mask
 * spellings), the settings and state files, the control loop against a
 * model of the host (no Xen: what talks to Xen is tested in the lab,
 * tests/lab/t95xx).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "power/cpuset.h"
#include "power/ctl.h"
#include "power/pcfile.h"

static int
list_is(const char *in, const char *want)
{
	struct xk_cpuset s;
	struct xk_error e = { 0 };
	char buf[256];

	if (xk_cpuset_parse_list(in, &s, "cpus", &e) < 0)
		return 0;
	return xk_cpuset_format(&s, buf, sizeof(buf)) == 0 &&
	    strcmp(buf, want) == 0;
}

TEST(cpuset_lists)
{
	CHECK(list_is("0", "0"));
	CHECK(list_is("0-3,6", "0-3,6"));
	CHECK(list_is("6,0-3,2", "0-3,6"));
	CHECK(list_is("5-5", "5"));
	CHECK(list_is("1023", "1023"));
}

TEST(cpuset_list_errors_say_where)
{
	static const char *bad[] = { "", "-1", "3-1", "1,,2", "1,", "a",
	    "1024", "0-1024", "1 2", "99999999999999999999" };
	struct xk_cpuset s;
	struct xk_error e = { 0 };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		xk_error_clear(&e);
		CHECK(xk_cpuset_parse_list(bad[i], &s, "--cpus", &e) < 0);
		CHECK_STR_HAS(e.msg, "--cpus '");
	}
	xk_cpuset_parse_list("3-1", &s, "--cpus", &e);
	CHECK_STR_HAS(e.msg, "goes down");
}

TEST(cpuset_masks_as_smp_affinity)
{
	struct xk_cpuset s;
	struct xk_error e = { 0 };
	char buf[64];

	CHECK(xk_cpuset_parse_mask("f", &s, "m", &e) == 0);
	CHECK(xk_cpuset_format(&s, buf, sizeof(buf)) == 0);
	CHECK_STR_EQ(buf, "0-3");
	CHECK(xk_cpuset_parse_mask("0x5", &s, "m", &e) == 0);
	CHECK(xk_cpuset_format(&s, buf, sizeof(buf)) == 0);
	CHECK_STR_EQ(buf, "0,2");
	/* 32-bit groups, the lowest CPUs last */
	CHECK(xk_cpuset_parse_mask("1,00000000", &s, "m", &e) == 0);
	CHECK(xk_cpuset_format(&s, buf, sizeof(buf)) == 0);
	CHECK_STR_EQ(buf, "32");
	CHECK(xk_cpuset_parse_mask("g", &s, "m", &e) < 0);
	CHECK(xk_cpuset_parse_mask("", &s, "m", &e) < 0);
	CHECK(xk_cpuset_parse_mask("0x", &s, "m", &e) < 0);
	CHECK(xk_cpuset_parse_mask(",1", &s, "m", &e) < 0);
	CHECK(xk_cpuset_parse_mask("1,", &s, "m", &e) < 0);
	CHECK(xk_cpuset_parse_mask("1,,1", &s, "m", &e) < 0);
	/* leading zeros name no CPU, however many */
	CHECK(xk_cpuset_parse_mask("0000000000000000000000000000000000000"
	    "0000000000000000000000000000000000000000000000000000000000000"
	    "0000000000000000000000000000000000000000000000000000000000000"
	    "0000000000000000000000000000000000000000000000000000000000000"
	    "00000000000000000000000000000000000000000000000000000000001",
	    &s, "m", &e) == 0);
	CHECK_INT_EQ(xk_cpuset_count(&s), 1);
	CHECK(xk_cpuset_parse_mask("1000000000000000000000000000000000000"
	    "0000000000000000000000000000000000000000000000000000000000000"
	    "0000000000000000000000000000000000000000000000000000000000000"
	    "0000000000000000000000000000000000000000000000000000000000000"
	    "00000000000000000000000000000000000000000000000000000000000",
	    &s, "m", &e) < 0);
	CHECK_STR_HAS(e.msg, "beyond");
}

TEST(settings_round_trip)
{
	struct xk_pc_settings s, t;
	struct xk_error e = { 0 };
	char *text;

	xk_pc_settings_default(&s);
	s.target = 25;
	s.max_idle = 60;
	s.window_ms = 500;
	s.all_cpus = 0;
	CHECK(xk_cpuset_parse_list("0-1,4", &s.cpus, "cpus", &e) == 0);
	CHECK(xk_pc_settings_format(&s, &text, &e) == 0);
	CHECK(xk_pc_settings_parse(text, strlen(text), "f", &t, &e) == 0);
	free(text);
	CHECK_INT_EQ(t.target, 25);
	CHECK_INT_EQ(t.max_idle, 60);
	CHECK_INT_EQ(t.window_ms, 500);
	CHECK_INT_EQ(t.all_cpus, 0);
	CHECK(memcmp(&t.cpus, &s.cpus, sizeof(s.cpus)) == 0);
	CHECK_INT_EQ(t.mechanism, XK_PC_MECH_CAPS);
}

TEST(settings_mechanism)
{
	struct xk_pc_settings s, t;
	struct xk_error e = { 0 };
	char *text;

	xk_pc_settings_default(&s);
	CHECK_INT_EQ(s.mechanism, XK_PC_MECH_CAPS);
	CHECK_INT_EQ(s.period_ms, 20);
	s.mechanism = XK_PC_MECH_XEN;
	s.period_ms = 200;
	CHECK(xk_pc_settings_format(&s, &text, &e) == 0);
	CHECK_STR_HAS(text, "mechanism xen\nperiod 200\n");
	CHECK(xk_pc_settings_parse(text, strlen(text), "f", &t, &e) == 0);
	free(text);
	CHECK_INT_EQ(t.mechanism, XK_PC_MECH_XEN);
	CHECK_INT_EQ(t.period_ms, 200);
	/* the hypervisor's injection is one setting for every pCPU */
	s.all_cpus = 0;
	CHECK(xk_cpuset_parse_list("1", &s.cpus, "cpus", &e) == 0);
	CHECK(xk_pc_settings_check(&s, "f", &e) < 0);
	CHECK_STR_HAS(e.msg, "mechanism caps");
}

static const char *
settings_error(const char *text)
{
	static struct xk_error e;
	struct xk_pc_settings s;

	xk_error_clear(&e);
	if (xk_pc_settings_parse(text, strlen(text), "pc.conf", &s, &e) == 0)
		return "(accepted)";
	return e.msg;
}

TEST(settings_refused_with_place_and_reason)
{
	CHECK_STR_HAS(settings_error("target 60\n"), "target 60%");
	CHECK_STR_HAS(settings_error("target 60\n"), "max_idle 50%");
	CHECK_STR_HAS(settings_error("max_idle 70\ntarget 60\n"),
	    "(accepted)");
	CHECK_STR_HAS(settings_error("\n\ntarget -1\n"), "pc.conf:3: target");
	CHECK_STR_HAS(settings_error("target 101\n"), "0 to 100");
	CHECK_STR_HAS(settings_error("target 2x\n"), "target '2x'");
	CHECK_STR_HAS(settings_error("window 99\n"), "100 to 10000");
	CHECK_STR_HAS(settings_error("cpus 2-1\n"), "pc.conf:1");
	CHECK_STR_HAS(settings_error("target 1\ntarget 2\n"), "given twice");
	CHECK_STR_HAS(settings_error("speed 9\n"), "unknown key 'speed'");
	CHECK_STR_HAS(settings_error("mechanism pause\n"),
	    "pc.conf:1: mechanism 'pause': want caps or xen");
	CHECK_STR_HAS(settings_error("mechanism xen\ncpus 0\n"),
	    "every pCPU");
	CHECK_STR_HAS(settings_error("period 0\n"), "period '0'");
	CHECK_STR_HAS(settings_error("period 1001\n"), "1 to 1000");
	CHECK_STR_HAS(settings_error("max_idle 0\n"), "max_idle");
	CHECK_STR_HAS(settings_error("# c\n  target   7  \r\n"), "(accepted)");
}

TEST(settings_nul_byte_refused)
{
	struct xk_pc_settings s;
	struct xk_error e = { 0 };

	CHECK(xk_pc_settings_parse("target 5\0\n", 10, "f", &s, &e) < 0);
	CHECK_STR_HAS(e.msg, "NUL");
}

TEST(settings_files_stored_and_missing_is_default)
{
	const char *dir = xk_test_tmpdir();
	struct xk_pc_settings s;
	struct xk_error e = { 0 };

	CHECK(xk_pc_settings_load(dir, &s, &e) == 0);
	CHECK_INT_EQ(s.target, 0);
	CHECK_INT_EQ(s.max_idle, XK_PC_MAX_IDLE_DEFAULT);
	s.target = 30;
	CHECK(xk_pc_settings_store(dir, &s, &e) == 0);
	s.target = 0;
	CHECK(xk_pc_settings_load(dir, &s, &e) == 0);
	CHECK_INT_EQ(s.target, 30);
	s.target = 80;	/* above max_idle: never written */
	CHECK(xk_pc_settings_store(dir, &s, &e) < 0);
	CHECK(xk_pc_settings_load(dir, &s, &e) == 0);
	CHECK_INT_EQ(s.target, 30);
}

TEST(state_round_trip_and_file)
{
	const char *dir = xk_test_tmpdir();
	struct xk_pc_state st, back;
	struct xk_error e = { 0 };
	const char *u = "0b9d3c38-1234-4abc-8def-00112233440a";

	xk_pc_state_init(&st);
	CHECK(xk_pc_state_load(dir, &back, &e) == 0);
	st.pid = 42;
	st.target = 25;
	st.inject = 27.5;
	st.idle = 24.8;
	CHECK(xk_pc_state_add(&st, 3, u, 0, &e) == 0);
	CHECK(xk_pc_state_add(&st, 7, u, 150, &e) == 0);
	CHECK(xk_pc_state_add(&st, 3, u, 0, &e) < 0);
	CHECK(xk_pc_state_store(dir, &st, &e) == 0);
	CHECK(xk_pc_state_load(dir, &back, &e) == 1);
	CHECK_INT_EQ(back.pid, 42);
	CHECK_INT_EQ(back.target, 25);
	CHECK(fabs(back.inject - 27.5) < 0.01);
	CHECK_INT_EQ(back.n, 2);
	CHECK(xk_pc_state_find(&back, 7) != NULL);
	CHECK_INT_EQ(xk_pc_state_find(&back, 7)->orig_cap, 150);
	CHECK_INT_EQ(back.xen_pct, -1);
	xk_pc_state_free(&back);
	st.xen_pct = 0;
	st.xen_period_us = 20000;
	CHECK(xk_pc_state_store(dir, &st, &e) == 0);
	CHECK(xk_pc_state_load(dir, &back, &e) == 1);
	CHECK_INT_EQ(back.xen_pct, 0);
	CHECK_INT_EQ(back.xen_period_us, 20000);
	CHECK_STR_EQ(xk_pc_state_find(&back, 3)->uuid, u);
	xk_pc_state_remove(&back, 3);
	CHECK(xk_pc_state_find(&back, 3) == NULL);
	CHECK_INT_EQ(back.n, 1);
	xk_pc_state_free(&back);
	xk_pc_state_free(&st);
	CHECK(xk_pc_state_remove_file(dir, &e) == 0);
	CHECK(xk_pc_state_load(dir, &back, &e) == 0);
}

static const char *
state_error(const char *text)
{
	static struct xk_error e;
	struct xk_pc_state st;

	xk_error_clear(&e);
	if (xk_pc_state_parse(text, strlen(text), "pc.state", &st, &e) == 0) {
		xk_pc_state_free(&st);
		return "(accepted)";
	}
	return e.msg;
}

TEST(state_refused_with_place_and_reason)
{
	const char *u = "0b9d3c38-1234-4abc-8def-00112233440a";
	char buf[256];

	CHECK_STR_HAS(state_error("garbage\n"), "not a powercap state");
	CHECK_STR_HAS(state_error("xk-powercap-state 1\npid x\n"),
	    "pc.state:2: pid 'x'");
	snprintf(buf, sizeof(buf), "xk-powercap-state 1\ndom 3 %s 0\n", u);
	CHECK_STR_HAS(state_error(buf), "(accepted)");
	snprintf(buf, sizeof(buf), "xk-powercap-state 1\ndom 40000 %s 0\n", u);
	CHECK_STR_HAS(state_error(buf), "pc.state:2: dom");
	snprintf(buf, sizeof(buf), "xk-powercap-state 1\ndom 3 %s -1\n", u);
	CHECK_STR_HAS(state_error(buf), "CAP");
	CHECK_STR_HAS(state_error("xk-powercap-state 1\ndom 3 nope 0\n"),
	    "UUID");
	snprintf(buf, sizeof(buf), "xk-powercap-state 1\ndom 3 %s 0 9\n", u);
	CHECK_STR_HAS(state_error(buf), "pc.state:2");
	CHECK_STR_HAS(state_error("xk-powercap-state 1\nxen_inject 25 20000\n"),
	    "(accepted)");
	CHECK_STR_HAS(state_error("xk-powercap-state 1\nxen_inject 25 999\n"),
	    "pc.state:2: xen_inject '25 999'");
	CHECK_STR_HAS(state_error("xk-powercap-state 1\nxen_inject 101 20000\n"),
	    "PERCENT");
	CHECK_STR_HAS(state_error("xk-powercap-state 1\nxen_inject 5\n"),
	    "PERIOD_US");
	snprintf(buf, sizeof(buf), "xk-powercap-state 1\ndom 3 %s 0\n"
	    "dom 3 %s 0\n", u, u);
	CHECK_STR_HAS(state_error(buf), "twice");
	CHECK_STR_HAS(state_error("xk-powercap-state 1\nfoo 1\n"), "unknown");
}

/*
 * A model of a host whose guests burn every pCPU under caps: the idle
 * is what is injected, less what dom0 itself uses, never below the
 * natural idle (guests that do not want the pCPUs).
 */
static double
host(double inject, double natural, double dom0)
{
	double idle = inject - dom0;

	if (idle < natural)
		idle = natural;
	return idle < 0 ? 0 : idle;
}

/* Windows the loop needs to be within the guard of target, or -1. */
static int
settle(struct xk_pc_ctl *c, double natural, double dom0, int max)
{
	int i;

	for (i = 1; i <= max; i++) {
		double idle = host(c->inject, natural, dom0);

		xk_pc_ctl_step(c, idle);
		if (fabs(host(c->inject, natural, dom0) - c->target) <=
		    xk_pc_guard(c->target))
			return i;
	}
	return -1;
}

TEST(ctl_reaches_and_holds_targets)
{
	static const int targets[] = { 10, 25, 50 };
	struct xk_pc_ctl c;
	size_t k;
	int i;

	for (k = 0; k < 3; k++) {
		xk_pc_ctl_init(&c);
		xk_pc_ctl_step(&c, 0);	/* a first window: guests burn */
		xk_pc_ctl_set_target(&c, targets[k]);
		CHECK(settle(&c, 0, 3, 10) > 0);
		/* and it stays there */
		for (i = 0; i < 50; i++) {
			xk_pc_ctl_step(&c, host(c.inject, 0, 3));
			CHECK(fabs(host(c.inject, 0, 3) - targets[k]) <= 1.0);
		}
		/* dom0's own use is compensated: injected above target */
		CHECK(fabs(c.inject - (targets[k] + 3)) < 1.0);
	}
}

TEST(ctl_injects_nothing_over_natural_idle)
{
	struct xk_pc_ctl c;
	int i;

	xk_pc_ctl_init(&c);
	xk_pc_ctl_step(&c, 80);		/* idle guests: 80% natural idle */
	xk_pc_ctl_set_target(&c, 25);
	CHECK(c.inject == 0);
	for (i = 0; i < 20; i++)
		CHECK(xk_pc_ctl_step(&c, host(c.inject, 80, 3)) == 0);
	/* natural idle just short of the target: only the shortfall */
	for (i = 0; i < 30; i++)
		xk_pc_ctl_step(&c, host(c.inject, 20, 0));
	CHECK(c.inject > 0 && c.inject <= 25 + xk_pc_guard(25));
	/* guests go idle while injecting: the injection winds down to 0 */
	for (i = 0; i < 20; i++)
		xk_pc_ctl_step(&c, 90);
	CHECK(c.inject == 0);
}

TEST(ctl_learns_compensation_per_target)
{
	struct xk_pc_ctl c;
	int i, cold, warm;

	xk_pc_ctl_init(&c);
	xk_pc_ctl_step(&c, 0);
	xk_pc_ctl_set_target(&c, 25);
	/* dom0 takes 8 points: the shortfall start is off by that much */
	cold = settle(&c, 0, 8, 40);
	CHECK(cold > 1);
	for (i = 0; i < 10; i++)
		xk_pc_ctl_step(&c, host(c.inject, 0, 8));
	CHECK(c.cal[25].confidence >= XK_PC_CONFIDENT);
	CHECK(fabs(c.cal[25].comp - 33) < 1.5);
	xk_pc_ctl_set_target(&c, 10);
	CHECK(settle(&c, 0, 8, 40) > 0);
	/* back to 25: it starts from what held 25 before */
	xk_pc_ctl_set_target(&c, 25);
	CHECK(fabs(c.inject - c.cal[25].comp) < 0.01);
	warm = settle(&c, 0, 8, 40);
	CHECK(warm == 1);
	CHECK(warm < cold);
}

TEST(ctl_target_zero_stops_and_clamps)
{
	struct xk_pc_ctl c;
	int i;

	xk_pc_ctl_init(&c);
	xk_pc_ctl_set_target(&c, 50);
	/* a host where injection does nothing (a dom0 hog): bounded */
	for (i = 0; i < 200; i++)
		xk_pc_ctl_step(&c, 0);
	CHECK(c.inject <= XK_PC_INJECT_MAX);
	xk_pc_ctl_set_target(&c, 0);
	CHECK(c.inject == 0);
	CHECK(xk_pc_ctl_step(&c, 0) == 0);
}

/* found by fuzz-powercap: a state with no pid yet wrote "pid 0" and
 * could not read it back */
TEST(state_fresh_round_trip)
{
	struct xk_pc_state st, back;
	struct xk_error e = { 0 };
	char *text;

	xk_pc_state_init(&st);
	CHECK(xk_pc_state_format(&st, &text, &e) == 0);
	CHECK(xk_pc_state_parse(text, strlen(text), "f", &back, &e) == 0);
	free(text);
	CHECK_INT_EQ(back.pid, 0);
	CHECK(back.idle < 0);
	xk_pc_state_free(&back);
}

/* found in the lab (t9500): r wound down to 0.04 left every guest
 * "capped" at 100% and on the books; below a whole percent is none */
TEST(ctl_injection_below_cap_resolution_is_none)
{
	struct xk_pc_ctl c;

	xk_pc_ctl_init(&c);
	xk_pc_ctl_step(&c, 0);
	xk_pc_ctl_set_target(&c, 10);
	c.inject = 2;
	xk_pc_ctl_step(&c, 13.3);	/* 2 - 0.6 * 3.3 = 0.02 */
	CHECK(c.inject == 0);
	CHECK(xk_pc_ctl_step(&c, 9.5) == 0);	/* err 0.5: r would be 0.3 */
	xk_pc_ctl_init(&c);
	xk_pc_ctl_step(&c, 9.8);
	xk_pc_ctl_set_target(&c, 10);	/* shortfall 0.2 */
	CHECK(c.inject == 0);
}
