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

#include "events/monitor.h"
#include "xk.h"

enum {
	OPT_HOOKS = 1, OPT_LOG, OPT_SOCKET, OPT_HOOK_TIMEOUT, OPT_INTERVAL,
	OPT_XL_LOGDIR, OPT_SYNC, OPT_NO_SYSLOG,
};

static const struct option monitor_options[] = {
	{ "hooks", required_argument, NULL, OPT_HOOKS },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "socket", required_argument, NULL, OPT_SOCKET },
	{ "hook-timeout", required_argument, NULL, OPT_HOOK_TIMEOUT },
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

	cfg.em.log_path = XK_MONITOR_LOG;
	cfg.em.hooks.dir = XK_MONITOR_HOOKS;
	cfg.em.hooks.report_fd = -1;
	cfg.sock_path = XK_MONITOR_SOCKET;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:", monitor_options, NULL)) != -1) {
		switch (c) {
		case OPT_HOOKS:
			cfg.em.hooks.dir = optarg;
			break;
		case OPT_LOG:
			cfg.em.log_path = optarg;
			break;
		case OPT_SOCKET:
			cfg.sock_path = optarg;
			break;
		case OPT_HOOK_TIMEOUT:
			if (xk_parse_seconds(optarg,
			    &cfg.em.hooks.timeout_ms) < 0)
				return xk_usage_error(cmd, "bad --hook-timeout "
				    "'%s': want seconds", optarg);
			break;
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
