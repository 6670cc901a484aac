/*
 * cmd-powercap.c - xk powercap: hold a target idle percentage on the
 * host's pCPUs (set, show, stop, run, repair), and how aligned the
 * idle was in a xentrace file (aligned).  The daemon, the files and the
 * trace reader are in lib/power.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "power/daemon.h"
#include "power/pcfile.h"
#include "power/xentrace.h"
#include "util/file.h"
#include "xk.h"

enum {
	OPT_DIR = 1, OPT_CPUS, OPT_CPUMASK, OPT_WINDOW, OPT_MAX_IDLE,
	OPT_JSON, OPT_INTERVAL, OPT_MECHANISM, OPT_PERIOD,
};

static const struct option pc_options[] = {
	{ "dir", required_argument, NULL, OPT_DIR },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "cpumask", required_argument, NULL, OPT_CPUMASK },
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ "max-idle", required_argument, NULL, OPT_MAX_IDLE },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "mechanism", required_argument, NULL, OPT_MECHANISM },
	{ "period", required_argument, NULL, OPT_PERIOD },
	{ NULL, 0, NULL, 0 },
};

struct pc_args {
	const char *cmd;
	const char *dir;
	struct xk_pc_settings set;	/* what set asks for, over the file's */
	unsigned given;			/* which of the options above */
	int json;
	int interval_ms;
};

#define GIVEN(o) (1u << (o))

/* "25" or "25%", lo..hi: 0 and *v, or -1. */
static int
parse_int(const char *s, int lo, int hi, int pct, int *v)
{
	char *end;
	long n;

	n = strtol(s, &end, 10);
	if (end == s || (pct && *end == '%' ? end[1] : *end) != '\0' ||
	    n < lo || n > hi)
		return -1;
	*v = (int)n;
	return 0;
}

static int
opt(struct pc_args *a, int c, char **argv)
{
	struct xk_error e = { 0 };

	switch (c) {
	case OPT_DIR:
		a->dir = optarg;
		break;
	case OPT_CPUS:
	case OPT_CPUMASK:
		if ((c == OPT_CPUS ? xk_cpuset_parse_list(optarg, &a->set.cpus,
		    "--cpus", &e) : xk_cpuset_parse_mask(optarg, &a->set.cpus,
		    "--cpumask", &e)) < 0)
			return xk_usage_error(a->cmd, "%s", e.msg);
		if (xk_cpuset_count(&a->set.cpus) == 0)
			return xk_usage_error(a->cmd, "%s '%s': no pCPU",
			    c == OPT_CPUS ? "--cpus" : "--cpumask", optarg);
		a->set.all_cpus = 0;
		c = OPT_CPUS;
		break;
	case OPT_WINDOW:
		if (parse_int(optarg, XK_PC_WINDOW_MIN, XK_PC_WINDOW_MAX, 0,
		    &a->set.window_ms) < 0)
			return xk_usage_error(a->cmd, "bad --window '%s': want "
			    "milliseconds, %d to %d", optarg, XK_PC_WINDOW_MIN,
			    XK_PC_WINDOW_MAX);
		break;
	case OPT_MAX_IDLE:
		if (parse_int(optarg, 1, 100, 1, &a->set.max_idle) < 0)
			return xk_usage_error(a->cmd, "bad --max-idle '%s': "
			    "want a percentage, 1 to 100", optarg);
		break;
	case OPT_JSON:
		a->json = 1;
		break;
	case OPT_INTERVAL:
		if (parse_int(optarg, 10, 60000, 0, &a->interval_ms) < 0)
			return xk_usage_error(a->cmd, "bad --interval '%s': "
			    "want milliseconds, 10 to 60000", optarg);
		break;
	case OPT_PERIOD:
		if (parse_int(optarg, XK_PC_PERIOD_MIN, XK_PC_PERIOD_MAX, 0,
		    &a->set.period_ms) < 0)
			return xk_usage_error(a->cmd, "bad --period '%s': want "
			    "milliseconds, %d to %d", optarg, XK_PC_PERIOD_MIN,
			    XK_PC_PERIOD_MAX);
		break;
	case OPT_MECHANISM:
		if (xk_pc_mechanism_parse(optarg, &a->set.mechanism) < 0)
			return xk_usage_error(a->cmd, "bad --mechanism '%s': "
			    "want caps or xen", optarg);
		break;
	default:
		return xk_bad_option(a->cmd, c, argv);
	}
	a->given |= GIVEN(c);
	return 0;
}

/* Options allowed is a mask of GIVEN(); returns optind or -1 (usage). */
static int
parse(struct pc_args *a, int argc, char **argv, unsigned allowed)
{
	int c;

	a->dir = XK_PC_DIR;
	a->interval_ms = 1000;
	xk_pc_settings_default(&a->set);
	optind = 0;
	opterr = 0;
	/* options after the percentage too: permuted */
	while ((c = getopt_long(argc, argv, ":", pc_options, NULL)) != -1) {
		if (c == '?' && argv[optind - 1][0] == '-' &&
		    argv[optind - 1][1] >= '0' && argv[optind - 1][1] <= '9') {
			xk_usage_error(a->cmd, "bad value '%s': a negative "
			    "number", argv[optind - 1]);
			return -1;
		}
		if (c > 0 && c != ':' && c != '?' && !(allowed & GIVEN(c))) {
			xk_usage_error(a->cmd, "option '%s' does not apply "
			    "here", argv[optind - 1]);
			return -1;
		}
		if (opt(a, c, argv) != 0)
			return -1;
	}
	return optind;
}

static void
say(int prio, const char *msg, void *arg)
{
	xk_warnx("powercap run", "%s", msg);
	syslog(prio, "%s", msg);
}

/*
 * Mechanism xen wants a hypervisor with XEN_SYSCTL_idle_inject: asked
 * here, so that a stock Xen refuses at once rather than in the daemon.
 */
static int
xen_has_inject(struct pc_args *a)
{
	struct xk_pc_xen *x;
	struct xk_error e = { 0 };
	int pct, period, unsupported, rc;

	if ((x = xk_pc_xen_open(&e)) == NULL)
		return xk_fail(a->cmd, &e);
	rc = xk_pc_inject_get(x, &pct, &period, &unsupported, &e);
	xk_pc_xen_close(x);
	if (rc == 0)
		return XK_EXIT_OK;
	if (unsupported)
		return xk_usage_error(a->cmd, "--mechanism xen: %s", e.msg);
	return xk_fail(a->cmd, &e);
}

/* The settings file with what the command line changed, stored. */
static int
store_settings(struct pc_args *a, int target)
{
	struct xk_pc_settings s;
	struct xk_pc_xen *x;
	struct xk_error e = { 0 };
	int nr, rc;

	if (xk_pc_settings_load(a->dir, &s, &e) < 0)
		xk_warnx(a->cmd, "%s: replaced", e.msg);
	xk_error_clear(&e);
	s.target = target;
	if (a->given & GIVEN(OPT_CPUS)) {
		s.all_cpus = 0;
		s.cpus = a->set.cpus;
	}
	if (a->given & GIVEN(OPT_WINDOW))
		s.window_ms = a->set.window_ms;
	if (a->given & GIVEN(OPT_MAX_IDLE))
		s.max_idle = a->set.max_idle;
	if (a->given & GIVEN(OPT_MECHANISM))
		s.mechanism = a->set.mechanism;
	if (a->given & GIVEN(OPT_PERIOD))
		s.period_ms = a->set.period_ms;
	if (!s.all_cpus && s.mechanism == XK_PC_MECH_XEN)
		return xk_usage_error(a->cmd, "mechanism xen injects idle on "
		    "every pCPU: --cpus wants --mechanism caps");
	if ((a->given & GIVEN(OPT_MECHANISM)) &&
	    s.mechanism == XK_PC_MECH_XEN && (rc = xen_has_inject(a)) !=
	    XK_EXIT_OK)
		return rc;
	if (s.target > s.max_idle)
		return xk_usage_error(a->cmd, "target %d%% is above max_idle "
		    "%d%% (--max-idle raises it)", s.target, s.max_idle);
	if (!s.all_cpus) {
		if ((x = xk_pc_xen_open(&e)) == NULL)
			return xk_fail(a->cmd, &e);
		nr = xk_pc_xen_nr_cpus(x);
		xk_pc_xen_close(x);
		if (xk_cpuset_last(&s.cpus) >= nr)
			return xk_usage_error(a->cmd, "pCPU %d: the host has "
			    "%d (0-%d)", xk_cpuset_last(&s.cpus), nr, nr - 1);
	}
	if (xk_pc_settings_store(a->dir, &s, &e) < 0)
		return xk_fail(a->cmd, &e);
	if (xk_pc_daemon_pid(a->dir, &e) <= 0)
		xk_warnx(a->cmd, "no daemon is running: the target is "
		    "enforced once `xk powercap run` (xk-powercap.service) "
		    "starts");
	return XK_EXIT_OK;
}

int
cmd_powercap_set(int argc, char **argv)
{
	struct pc_args a = { .cmd = "powercap set" };
	int i, target;

	if ((i = parse(&a, argc, argv, GIVEN(OPT_DIR) | GIVEN(OPT_CPUS) |
	    GIVEN(OPT_CPUMASK) | GIVEN(OPT_WINDOW) | GIVEN(OPT_MAX_IDLE) |
	    GIVEN(OPT_MECHANISM) | GIVEN(OPT_PERIOD))) < 0)
		return XK_EXIT_USAGE;
	if (argc - i != 1)
		return xk_usage_error(a.cmd, "want one PERCENT");
	if (parse_int(argv[i], 0, 100, 1, &target) < 0)
		return xk_usage_error(a.cmd, "bad target '%s': want an idle "
		    "percentage, 0 (off) to max_idle", argv[i]);
	return store_settings(&a, target);
}

int
cmd_powercap_stop(int argc, char **argv)
{
	struct pc_args a = { .cmd = "powercap stop" };
	int i;

	if ((i = parse(&a, argc, argv, GIVEN(OPT_DIR))) < 0)
		return XK_EXIT_USAGE;
	if (i < argc)
		return xk_usage_error(a.cmd, "unexpected argument '%s'",
		    argv[i]);
	return store_settings(&a, 0);
}

int
cmd_powercap_run(int argc, char **argv)
{
	struct pc_args a = { .cmd = "powercap run" };
	struct xk_pc_daemon_cfg cfg = { 0 };
	struct xk_error e = { 0 };
	int i, rc;

	if ((i = parse(&a, argc, argv, GIVEN(OPT_DIR))) < 0)
		return XK_EXIT_USAGE;
	if (i < argc)
		return xk_usage_error(a.cmd, "unexpected argument '%s'",
		    argv[i]);
	cfg.dir = a.dir;
	cfg.say = say;
	openlog("xk-powercap", LOG_PID, LOG_DAEMON);
	rc = xk_pc_run(&cfg, &e);
	closelog();
	return rc < 0 ? xk_fail(a.cmd, &e) : XK_EXIT_OK;
}

int
cmd_powercap_repair(int argc, char **argv)
{
	struct pc_args a = { .cmd = "powercap repair" };
	struct xk_pc_xen *x;
	struct xk_error e = { 0 };
	long pid;
	int i, undone;

	if ((i = parse(&a, argc, argv, GIVEN(OPT_DIR))) < 0)
		return XK_EXIT_USAGE;
	if (i < argc)
		return xk_usage_error(a.cmd, "unexpected argument '%s'",
		    argv[i]);
	if ((pid = xk_pc_daemon_pid(a.dir, &e)) != 0) {
		if (pid < 0)
			return xk_fail(a.cmd, &e);
		xk_warnx(a.cmd, "the daemon (pid %ld) is running: stop it "
		    "first (its caps are undone when it stops)", pid);
		return XK_EXIT_FAIL;
	}
	if ((x = xk_pc_xen_open(&e)) == NULL)
		return xk_fail(a.cmd, &e);
	i = xk_pc_repair(x, a.dir, &undone, &e);
	xk_pc_xen_close(x);
	if (i < 0)
		return xk_fail(a.cmd, &e);
	printf("%d domain%s given %s cap back\n", undone,
	    undone == 1 ? "" : "s", undone == 1 ? "its" : "their");
	return XK_EXIT_OK;
}

/* What the daemon said last, for show. */
static void
show_daemon(const struct pc_args *a, const struct xk_pc_settings *s)
{
	struct xk_pc_state st;
	struct xk_error e = { 0 };
	long pid = xk_pc_daemon_pid(a->dir, &e);
	char cpus[4096] = "all";
	size_t k;

	if (!s->all_cpus && xk_cpuset_format(&s->cpus, cpus,
	    sizeof(cpus)) < 0)
		snprintf(cpus, sizeof(cpus), "(too many to list)");
	if (xk_pc_state_load(a->dir, &st, &e) < 0) {
		xk_warnx(a->cmd, "%s", e.msg);
		xk_pc_state_init(&st);
	}
	if (a->json) {
		printf(",\"settings\":{\"target\":%d,\"max_idle\":%d,"
		    "\"window_ms\":%d,\"cpus\":\"%s\",\"mechanism\":\"%s\","
		    "\"period_ms\":%d},\"daemon\":", s->target, s->max_idle,
		    s->window_ms, cpus, xk_pc_mechanism_name(s->mechanism),
		    s->period_ms);
		if (pid <= 0)
			printf("null");
		else
			printf("{\"pid\":%ld,\"target\":%d,\"inject\":%.1f,"
			    "\"idle\":%.1f,\"capped\":[", pid, st.target,
			    st.inject, st.idle);
		for (k = 0; pid > 0 && k < st.n; k++)
			printf("%s{\"domid\":%u,\"uuid\":\"%s\","
			    "\"cap_before\":%d}", k ? "," : "",
			    st.doms[k].domid, st.doms[k].uuid,
			    st.doms[k].orig_cap);
		printf("%s}\n", pid > 0 ? "]}" : "");
	} else {
		printf("target %d%% (max_idle %d%%, window %d ms, cpus %s, "
		    "mechanism %s)\n", s->target, s->max_idle, s->window_ms,
		    cpus, xk_pc_mechanism_name(s->mechanism));
		if (pid <= 0)
			printf("daemon: not running%s\n", st.n ? " (caps left "
			    "behind: xk powercap repair)" : "");
		else
			printf("daemon: pid %ld, measured %.1f%%, injecting "
			    "%.1f%%, %zu domain%s capped\n", pid, st.idle,
			    st.inject, st.n, st.n == 1 ? "" : "s");
	}
	xk_pc_state_free(&st);
}

static int
measure(struct pc_args *a, const struct xk_pc_settings *s)
{
	struct xk_pc_sample *s0, *s1;
	struct xk_pc_xen *x;
	struct xk_error e = { 0 };
	struct xk_cpuset all;
	struct timespec ts = { a->interval_ms / 1000,
	    (a->interval_ms % 1000) * 1000000L };
	double per[XK_CPUSET_MAX], host;
	int i, rc = -1, xpct, xperiod, unsupported;

	s0 = calloc(2, sizeof(*s0));
	if (s0 == NULL || (x = xk_pc_xen_open(&e)) == NULL) {
		free(s0);
		return s0 ? xk_fail(a->cmd, &e) : XK_EXIT_FAIL;
	}
	s1 = s0 + 1;
	if (xk_pc_sample(x, s0, &e) == 0) {
		nanosleep(&ts, NULL);	/* the window measured: not a wait */
		rc = xk_pc_sample(x, s1, &e);
	}
	xk_cpuset_fill(&all, xk_pc_xen_nr_cpus(x));
	/* the hypervisor's idle injection, where it has one */
	if (xk_pc_inject_get(x, &xpct, &xperiod, &unsupported, &e) < 0) {
		if (!unsupported)
			xk_warnx(a->cmd, "%s", e.msg);
		xpct = -1;
	}
	xk_error_clear(&e);
	xk_pc_xen_close(x);
	if (rc < 0 || (host = xk_pc_idle(s0, s1, &all, per)) < 0) {
		free(s0);
		return rc < 0 ? xk_fail(a->cmd, &e) : XK_EXIT_FAIL;
	}
	if (a->json)
		printf("{\"interval_ms\":%d,\"host_idle\":%.1f,\"pcpus\":[",
		    a->interval_ms, host);
	else
		printf("pCPU  idle (over %d ms)\n", a->interval_ms);
	for (i = 0; i < s1->nr; i++)
		printf(a->json ? "%s{\"cpu\":%d,\"idle\":%.1f}" :
		    "%s%-5d %5.1f%%\n", a->json ? (i ? "," : "") : "", i,
		    per[i]);
	if (a->json && xpct < 0)
		printf("],\"xen_inject\":null");
	else if (a->json)
		printf("],\"xen_inject\":{\"pct\":%d,\"period_us\":%d}", xpct,
		    xperiod);
	else {
		printf("host  %5.1f%%\n", host);
		if (xpct >= 0)
			printf("hypervisor: injecting %d%% of every %d us\n",
			    xpct, xperiod);
	}
	show_daemon(a, s);
	free(s0);
	return XK_EXIT_OK;
}

int
cmd_powercap_show(int argc, char **argv)
{
	struct pc_args a = { .cmd = "powercap show" };
	struct xk_pc_settings s;
	struct xk_error e = { 0 };
	int i;

	if ((i = parse(&a, argc, argv, GIVEN(OPT_DIR) | GIVEN(OPT_JSON) |
	    GIVEN(OPT_INTERVAL))) < 0)
		return XK_EXIT_USAGE;
	if (i < argc)
		return xk_usage_error(a.cmd, "unexpected argument '%s'",
		    argv[i]);
	if (xk_pc_settings_load(a.dir, &s, &e) < 0)
		return xk_fail(a.cmd, &e);
	return measure(&a, &s);
}

/* The measure of a trace, as text or JSON. */
static void
print_aligned(const struct pc_args *a, const struct xk_xt_idle *m)
{
	double span = (double)m->span * m->cpus;
	double idle = 100.0 * (double)m->idle_sum / span;
	double all = 100.0 * (double)m->all_idle / (double)m->span;
	double aligned = m->idle_sum == 0 ? 0 :
	    100.0 * (double)m->all_idle * m->cpus / (double)m->idle_sum;

	if (a->json) {
		printf("{\"pcpus\": %u, \"switches\": %llu, \"lost\": %llu, "
		    "\"idle\": %.1f, \"all_idle\": %.1f, \"aligned\": %.1f}\n",
		    m->cpus, (unsigned long long)m->switches,
		    (unsigned long long)m->lost, idle, all, aligned);
		return;
	}
	printf("pCPUs traced: %u (%llu scheduler switches, %llu records "
	    "lost)\n", m->cpus, (unsigned long long)m->switches,
	    (unsigned long long)m->lost);
	printf("idle:         %.1f%% (the pCPUs' mean)\n", idle);
	printf("all idle:     %.1f%% of the time\n", all);
	printf("aligned:      %.1f%% of the idle time had every pCPU "
	    "idle\n", aligned);
}

int
cmd_powercap_aligned(int argc, char **argv)
{
	struct pc_args a = { .cmd = "powercap aligned" };
	struct xk_xt_idle m;
	struct xk_error e = { 0 };
	char *data;
	size_t len;
	int i, rc;

	if ((i = parse(&a, argc, argv, GIVEN(OPT_JSON))) < 0)
		return XK_EXIT_USAGE;
	if (i != argc - 1)
		return xk_usage_error(a.cmd, "one xentrace file, please");
	if (xk_read_file(argv[i], XK_XT_FILE_MAX, &data, &len, &e) < 0)
		return xk_fail(a.cmd, &e);
	rc = xk_xt_idle_measure((const uint8_t *)data, len, &m, &e);
	free(data);
	if (rc < 0) {
		xk_error_prefix(&e, "%s", argv[i]);
		return xk_fail(a.cmd, &e);
	}
	if (m.lost > 0)
		xk_warnx(a.cmd, "%s: Xen's trace buffers overflowed (%llu "
		    "records lost): the measure has gaps; trace with a "
		    "larger xentrace -S", argv[i],
		    (unsigned long long)m.lost);
	print_aligned(&a, &m);
	return XK_EXIT_OK;
}
