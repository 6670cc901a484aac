/*
 * cmd-create.c - xk create: create a domain through libxl, with xenkit
 * as its monitor (lib/events/owner.c).
 *
 * The xl.cfg is read by xl itself (`xl create -n`, which prints the
 * libxl domain configuration as JSON without creating anything), so
 * the domain is exactly the one `xl create` would make; a file that
 * already holds libxl JSON is used as it is.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "event-opts.h"
#include "events/owner.h"
#include "util/file.h"
#include "util/interrupt.h"
#include "util/run.h"
#include "util/strbuf.h"
#include "xk.h"

#define CREATE_LOG "/var/log/xenkit/xk-create.log"
#define XL_TIMEOUT_MS 60000

enum { OPT_FOREGROUND = XK_OPT_EVENTS_END, OPT_OUTPUT };

static const struct option create_options[] = {
	XK_EVENT_OPTIONS,
	{ "hook", required_argument, NULL, XK_OPT_HOOKS },
	{ "foreground", no_argument, NULL, OPT_FOREGROUND },
	{ "output", required_argument, NULL, OPT_OUTPUT },
	{ NULL, 0, NULL, 0 },
};

static void
say(int prio, const char *msg, void *arg)
{
	xk_warnx("create", "%s", msg);
	syslog(prio, "%s", msg);
}

/* `xl create -n CFG`: the config as libxl JSON, bounded in time. */
static char *
xl_dryrun(const char *cfg, struct xk_error *err)
{
	const char *argv[] = { "xl", "create", "-n", "-q", cfg, NULL };
	/* xl's own messages go to the user, as with xl itself */
	const struct xk_run_opts o = { .out = XK_RUN_CAPTURE,
	    .err = XK_RUN_INHERIT, .timeout_ms = XL_TIMEOUT_MS };
	struct strbuf sb = STRBUF_INIT;
	int status;

	if (xk_run(argv, &o, &sb, &status, err) < 0) {
		strbuf_free(&sb);
		if (err->errnum == ETIMEDOUT)
			xk_error_set(err, "%s: `xl create -n` did not finish "
			    "in %d s", cfg, XL_TIMEOUT_MS / 1000);
		return NULL;
	}
	if (status != 0 || sb.len == 0) {
		strbuf_free(&sb);
		xk_error_set(err, "%s: `xl create -n` could not read it (see "
		    "xl's message above)", cfg);
		return NULL;
	}
	return strbuf_detach(&sb);
}

static char *
load_json(const char *cfg, struct xk_error *err)
{
	char *data;
	size_t len, i = 0;

	if (xk_read_file(cfg, 1 << 20, &data, &len, err) < 0)
		return NULL;
	while (i < len && (data[i] == ' ' || data[i] == '\n' ||
	    data[i] == '\t' || data[i] == '\r'))
		i++;
	if (i < len && data[i] == '{')
		return data;	/* libxl JSON already */
	free(data);
	return xl_dryrun(cfg, err);
}

/* Parent side of the fork: wait for the domid or the error. */
static int
await_child(int fd)
{
	char buf[XK_ERROR_MAX + 32];
	size_t len = 0;
	ssize_t n;

	while (len < sizeof(buf) - 1 &&
	    (n = read(fd, buf + len, sizeof(buf) - 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		len += (size_t)n;
		if (memchr(buf, '\n', len) != NULL)
			break;
	}
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (strncmp(buf, "domid ", 6) == 0) {
		printf("%s\n", buf);
		return XK_EXIT_OK;
	}
	if (strncmp(buf, "error ", 6) == 0)
		xk_warnx("create", "%s", buf + 6);
	else
		xk_warnx("create", "the monitor process ended before the "
		    "domain was created (see %s)", CREATE_LOG);
	return XK_EXIT_FAIL;
}

static void
detach(const char *output)
{
	int nul = open("/dev/null", O_RDWR), out;

	out = open(output, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	setsid();
	if (nul >= 0)
		dup2(nul, 0);
	dup2(out >= 0 ? out : nul, 1);
	dup2(out >= 0 ? out : nul, 2);
	if (nul > 2)
		close(nul);
	if (out > 2)
		close(out);
}

/*
 * Be the domain's monitor until it is gone.  SIGINT, SIGTERM and SIGHUP
 * do not kill this process inside libxl (a half-built domain would be
 * left): the create or restart in progress finishes, then the domain
 * is left running and `xk monitor` takes its events over.
 */
static int
run_owner(struct xk_owner_cfg *cfg, struct xk_error *err)
{
	int rc;

	if (xk_interrupt_catch(err) < 0)
		return -1;
	cfg->stop_fd = xk_interrupt_fd();
	rc = xk_owner_run(cfg, err);
	if (rc == 1)
		xk_warnx("create", "stopped by a signal: the domain keeps "
		    "running, without xk create as its monitor");
	return rc;
}

int
cmd_create(int argc, char **argv)
{
	const char *cmd = "create", *output = CREATE_LOG;
	struct xk_owner_cfg cfg = { 0 };
	struct xk_error err = { 0 };
	int c, fg = 0, p[2];
	char *json;
	pid_t pid;

	xk_event_opts_defaults(&cfg.em, &cfg.sock_path);
	cfg.stop_fd = -1;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:", create_options, NULL)) != -1) {
		switch (xk_event_opt(cmd, c, &cfg.em, &cfg.sock_path)) {
		case 1:
			continue;
		case -1:
			return XK_EXIT_USAGE;
		}
		switch (c) {
		case OPT_FOREGROUND:
			fg = 1;
			break;
		case OPT_OUTPUT:
			output = optarg;
			break;
		default:
			return xk_bad_option(cmd, c, argv);
		}
	}
	if (optind + 1 != argc)
		return xk_usage_error(cmd, "want exactly one CFG");
	json = load_json(argv[optind], &err);
	if (json == NULL)
		return xk_fail(cmd, &err);
	cfg.json = json;
	cfg.em.syslog = true;
	cfg.em.say = say;
	openlog("xk-create", LOG_PID, LOG_DAEMON);
	if (fg) {
		cfg.notify_fd = 1;
		c = run_owner(&cfg, &err) < 0 ? xk_fail(cmd, &err) :
		    XK_EXIT_OK;
		free(json);
		xk_interrupt_raise();	/* stopped by a signal: die of it */
		return c;
	}
	if (pipe2(p, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
		xk_error_errno(&err, errno, "cannot start the monitor process");
		free(json);
		return xk_fail(cmd, &err);
	}
	if (pid > 0) {
		close(p[1]);
		free(json);
		c = await_child(p[0]);
		close(p[0]);
		return c;
	}
	close(p[0]);
	mkdir("/var/log/xenkit", 0755);
	detach(output);
	cfg.notify_fd = p[1];
	c = run_owner(&cfg, &err);
	if (c < 0)
		xk_warnx(cmd, "%s", err.msg);
	close(p[1]);
	free(json);
	_exit(c < 0 ? 1 : 0);
}
