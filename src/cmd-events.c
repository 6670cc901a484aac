/*
 * cmd-events.c - xk events: read the event log, follow the monitor.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "events/eventlog.h"
#include "events/evsock.h"
#include "events/monitor.h"
#include "xk.h"

enum { OPT_FOLLOW = 1, OPT_SINCE, OPT_DOMAIN, OPT_JSON, OPT_LOG, OPT_SOCKET };

static const struct option events_options[] = {
	{ "follow", no_argument, NULL, OPT_FOLLOW },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "domain", required_argument, NULL, OPT_DOMAIN },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "socket", required_argument, NULL, OPT_SOCKET },
	{ NULL, 0, NULL, 0 },
};

/* Lines already printed from the log that the socket may repeat. */
#define RECENT_MAX 256

struct out {
	int json;		/* 1: array document, 2: JSON lines */
	json_t *array;
	char *recent[RECENT_MAX];
	size_t nrecent, next;
	int64_t recent_since;
};

static void
print_text(const struct xk_event *ev)
{
	char ts[40];

	xk_format_time(ev->ts_ms, ts, sizeof(ts));
	printf("%s  %-8s  %-20s  domid %-5ld  reason %-10s", ts,
	    xk_evtype_name(ev->type), ev->domain, ev->domid,
	    xk_reason_name(ev->reason));
	if (ev->previous_domid != XK_NO_DOMID)
		printf("  previous domid %ld", ev->previous_domid);
	printf("  (%s, %s)\n", ev->uuid, ev->source);
}

static int
show(const struct xk_event *ev, const char *line, size_t len, void *arg)
{
	struct out *o = arg;

	if (o->json == 1) {
		json_t *j = json_loadb(line, len, 0, NULL);

		if (j != NULL)
			json_array_append_new(o->array, j);
	} else if (o->json == 2) {
		printf("%.*s\n", (int)len, line);
	} else {
		print_text(ev);
	}
	if (ev->ts_ms >= o->recent_since) {
		free(o->recent[o->next]);
		o->recent[o->next] = strndup(line, len);
		o->next = (o->next + 1) % RECENT_MAX;
		if (o->nrecent < RECENT_MAX)
			o->nrecent++;
	}
	return 0;
}

static int
seen(struct out *o, const char *line, size_t len)
{
	for (size_t i = 0; i < RECENT_MAX; i++)
		if (o->recent[i] != NULL && strlen(o->recent[i]) == len &&
		    memcmp(o->recent[i], line, len) == 0)
			return 1;
	return 0;
}

/* Print events from the socket until the daemon hangs up. */
static int
follow(const char *cmd, int fd, const struct xk_evfilter *f, struct out *o)
{
	char buf[2 * XK_EVLOG_LINE_MAX];
	size_t len = 0;

	fflush(stdout);
	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - len);
		char *nl;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			xk_warnx(cmd, "the monitor closed the connection");
			return XK_EXIT_FAIL;
		}
		len += (size_t)n;
		while ((nl = memchr(buf, '\n', len)) != NULL) {
			size_t l = (size_t)(nl - buf);
			struct xk_evlog_stats st = { 0 };

			if (!seen(o, buf, l))
				xk_evlog_read_buf(buf, l + 1, f, show, o, &st);
			memmove(buf, nl + 1, len - l - 1);
			len -= l + 1;
			fflush(stdout);
		}
		if (len == sizeof(buf))
			len = 0;	/* not an event: drop it */
	}
}

int
cmd_events(int argc, char **argv)
{
	const char *cmd = "events", *log = XK_MONITOR_LOG;
	const char *sock = XK_MONITOR_SOCKET;
	struct xk_evfilter f = XK_EVFILTER_ALL;
	struct xk_evlog_stats st = { 0 };
	struct xk_error err = { 0 };
	struct out o = { 0 };
	int c, do_follow = 0, fd = -1, rc = XK_EXIT_OK;
	off_t off = 0;

	optind = 0;
	opterr = 0;
	o.recent_since = INT64_MAX;
	while ((c = getopt_long(argc, argv, "+:", events_options, NULL)) != -1) {
		switch (c) {
		case OPT_FOLLOW:
			do_follow = 1;
			break;
		case OPT_SINCE:
			if (xk_parse_time(optarg, xk_now_ms(), &f.since_ms,
			    &err) < 0)
				return xk_usage_error(cmd, "--since: %s",
				    err.msg);
			break;
		case OPT_DOMAIN:
			f.domain = optarg;
			break;
		case OPT_JSON:
			o.json = 1;
			break;
		case OPT_LOG:
			log = optarg;
			break;
		case OPT_SOCKET:
			sock = optarg;
			break;
		default:
			return xk_bad_option(cmd, c, argv);
		}
	}
	if (optind < argc)
		return xk_usage_error(cmd, "unexpected argument '%s'",
		    argv[optind]);
	if (do_follow) {
		/* subscribe before reading the log: nothing falls between
		 * the two; what both show is printed once */
		fd = xk_evsock_request(sock, "FOLLOW", &err);
		if (fd < 0) {
			xk_error_prefix(&err, "cannot follow (is xk monitor "
			    "running?)");
			return xk_fail(cmd, &err);
		}
		o.recent_since = xk_now_ms() - 10000;
		if (o.json)
			o.json = 2;
	}
	if (o.json == 1)
		o.array = json_array();
	if (xk_evlog_read_file(log, &off, &f, show, &o, &st, &err) < 0) {
		rc = xk_fail(cmd, &err);
		goto out;
	}
	if (st.bad > 0)
		xk_warnx(cmd, "%s: %zu line(s) are not events, skipped "
		    "(first: line %zu: %s)", log, st.bad, st.first_bad_line,
		    st.first_bad);
	if (st.partial_tail)
		xk_warnx(cmd, "%s: the last line has no newline (a writer may "
		    "be in the middle of it, or was killed there): not read",
		    log);
	if (o.json == 1) {
		json_dumpf(o.array, stdout, JSON_INDENT(2));
		putchar('\n');
	}
	if (do_follow)
		rc = follow(cmd, fd, &f, &o);
out:
	if (fd >= 0)
		close(fd);
	json_decref(o.array);
	for (size_t i = 0; i < RECENT_MAX; i++)
		free(o.recent[i]);
	return rc;
}
