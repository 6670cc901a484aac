/*
 * cmd-monitor.c - xk monitor: the host-wide domain event daemon.
 *
 * Runs in the foreground (systemd: share/systemd/xk-monitor.service);
 * everything is in lib/events/monitor.c.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "event-opts.h"
#include "events/monitor.h"
#include "xk.h"

enum {
	OPT_INTERVAL = XK_OPT_EVENTS_END, OPT_XL_LOGDIR, OPT_SYNC,
	OPT_NO_SYSLOG,
};

static const struct option monitor_options[] = {
	XK_EVENT_OPTIONS,
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "xl-logdir", required_argument, NULL, OPT_XL_LOGDIR },
	{ "sync", no_argument, NULL, OPT_SYNC },
	{ "no-syslog", no_argument, NULL, OPT_NO_SYSLOG },
	{ NULL, 0, NULL, 0 },
};

struct sayer {
	int use_syslog;
};

static void
say(int prio, const char *msg, void *arg)
{
	struct sayer *s = arg;

	xk_warnx("monitor", "%s", msg);
	if (s->use_syslog)
		syslog(prio, "%s", msg);
}

/* mkdir -p the directory that will hold path (best effort: the open
 * that follows reports what is really wrong). */
static void
make_parent(const char *path)
{
	char dir[PATH_MAX], *p;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return;
	p = strrchr(dir, '/');
	if (p == NULL || p == dir)
		return;
	*p = '\0';
	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(dir, 0755);
		*p = '/';
	}
	mkdir(dir, 0755);
}

int
cmd_monitor(int argc, char **argv)
{
	const char *cmd = "monitor";
	struct xk_monitor_cfg cfg = { 0 };
	struct xk_error err = { 0 };
	struct sayer sayer = { 1 };
	struct stat st;
	int c, rc;

	xk_event_opts_defaults(&cfg.em, &cfg.sock_path);
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:", monitor_options, NULL)) != -1) {
		switch (xk_event_opt(cmd, c, &cfg.em, &cfg.sock_path)) {
		case 1:
			continue;
		case -1:
			return XK_EXIT_USAGE;
		}
		switch (c) {
		case OPT_INTERVAL:
			if (xk_parse_seconds(optarg, &cfg.interval_ms) < 0)
				return xk_usage_error(cmd, "bad --interval "
				    "'%s': want seconds", optarg);
			break;
		case OPT_XL_LOGDIR:
			cfg.xl_logdir = optarg;
			break;
		case OPT_SYNC:
			cfg.em.sync = true;
			break;
		case OPT_NO_SYSLOG:
			sayer.use_syslog = 0;
			break;
		default:
			return xk_bad_option(cmd, c, argv);
		}
	}
	if (optind < argc)
		return xk_usage_error(cmd, "unexpected argument '%s'",
		    argv[optind]);
	cfg.em.syslog = sayer.use_syslog;
	cfg.em.say = say;
	cfg.em.say_arg = &sayer;
	if (sayer.use_syslog)
		openlog("xk-monitor", LOG_PID, LOG_DAEMON);
	if (stat(cfg.em.hooks.dir, &st) < 0)
		xk_warnx(cmd, "hooks directory %s: %s: events are still "
		    "logged; hooks run once it exists", cfg.em.hooks.dir,
		    strerror(errno));
	make_parent(cfg.em.log_path);
	make_parent(cfg.sock_path);
	rc = xk_monitor_run(&cfg, &err);
	if (sayer.use_syslog)
		closelog();
	if (rc < 0)
		return xk_fail(cmd, &err);
	return XK_EXIT_OK;
}
