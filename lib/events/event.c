/*
 * event.c - event names, times and the JSON-line form of an event.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "events/event.h"

static const char *const evtype_names[XK_EV_NTYPES] = {
	"create", "shutdown", "death", "restart",
};

static const char *const reason_names[XK_R_NREASONS] = {
	"poweroff", "reboot", "suspend", "crash", "watchdog", "soft_reset",
	"unknown", "destroyed", "none",
};

const char *
xk_evtype_name(enum xk_evtype t)
{
	return (unsigned)t < XK_EV_NTYPES ? evtype_names[t] : "?";
}

int
xk_evtype_parse(const char *s, enum xk_evtype *t)
{
	for (int i = 0; i < XK_EV_NTYPES; i++)
		if (strcmp(s, evtype_names[i]) == 0) {
			*t = i;
			return 0;
		}
	return -1;
}

const char *
xk_reason_name(enum xk_reason r)
{
	return (unsigned)r < XK_R_NREASONS ? reason_names[r] : "?";
}

int
xk_reason_parse(const char *s, enum xk_reason *r)
{
	for (int i = 0; i < XK_R_NREASONS; i++)
		if (strcmp(s, reason_names[i]) == 0) {
			*r = i;
			return 0;
		}
	return -1;
}

enum xk_reason
xk_reason_from_code(unsigned int code)
{
	return code <= XK_R_SOFT_RESET ? (enum xk_reason)code : XK_R_UNKNOWN;
}

int64_t
xk_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
xk_format_time(int64_t ms, char *buf, size_t len)
{
	time_t sec = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	int frac = (int)(ms - (int64_t)sec * 1000);
	struct tm tm;

	if (gmtime_r(&sec, &tm) == NULL) {
		snprintf(buf, len, "?");
		return;
	}
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, frac);
}

/* Read exactly n digits at *p into *v. */
static int
digits(const char **p, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		*v = *v * 10 + (**p - '0');
		(*p)++;
	}
	return 0;
}

static int
parse_relative(const char *s, int64_t now_ms, int64_t *ms,
    struct xk_error *err)
{
	char *end;
	long long n;
	int64_t unit;

	errno = 0;
	n = strtoll(s + 1, &end, 10);
	if (errno != 0 || end == s + 1 || n < 0 || n > 100000000LL)
		goto bad;
	switch (*end) {
	case 's': unit = 1000; break;
	case 'm': unit = 60 * 1000; break;
	case 'h': unit = 3600 * 1000; break;
	case 'd': unit = 86400 * 1000; break;
	default: goto bad;
	}
	if (end[1] != '\0')
		goto bad;
	*ms = now_ms - n * unit;
	return 0;
bad:
	xk_error_set(err, "bad relative time '%s': want -N followed by "
	    "s, m, h or d", s);
	return -1;
}

int
xk_parse_time(const char *s, int64_t now_ms, int64_t *ms,
    struct xk_error *err)
{
	const char *p = s;
	struct tm tm = { 0 };
	int y, mo, d, h = 0, mi = 0, sec = 0, frac = 0, off = 0;
	time_t t;

	if (s[0] == '-')
		return parse_relative(s, now_ms, ms, err);
	if (digits(&p, 4, &y) < 0 || *p++ != '-' || digits(&p, 2, &mo) < 0 ||
	    *p++ != '-' || digits(&p, 2, &d) < 0)
		goto bad;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (digits(&p, 2, &h) < 0 || *p++ != ':' ||
		    digits(&p, 2, &mi) < 0 || *p++ != ':' ||
		    digits(&p, 2, &sec) < 0)
			goto bad;
		if (*p == '.') {
			int scale = 100, n = 0;

			p++;
			while (isdigit((unsigned char)*p)) {
				frac += (*p - '0') * scale;
				scale /= 10;
				p++;
				n++;
			}
			if (n == 0)
				goto bad;
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p++ == '-' ? -1 : 1, oh, om;

			if (digits(&p, 2, &oh) < 0 || *p++ != ':' ||
			    digits(&p, 2, &om) < 0 || oh > 23 || om > 59)
				goto bad;
			off = sign * (oh * 60 + om);
		} else {
			goto bad;
		}
	}
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60)
		goto bad;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	if (tm.tm_mday != d)	/* timegm normalised Feb 30 to March */
		goto bad;
	*ms = ((int64_t)t - (int64_t)off * 60) * 1000 + frac;
	return 0;
bad:
	xk_error_set(err, "bad time '%s': want RFC 3339 "
	    "(2026-11-21T22:10:03Z, 2026-11-21T23:10:03.5+01:00), a date "
	    "(2026-11-21) or a relative time (-10m)", s);
	return -1;
}

char *
xk_event_to_line(const struct xk_event *ev, struct xk_error *err)
{
	char ts[40], *s, *line;
	json_t *o;
	size_t n;

	xk_format_time(ev->ts_ms, ts, sizeof(ts));
	o = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:s}", "ts", ts,
	    "event", xk_evtype_name(ev->type), "domain", ev->domain,
	    "domid", (json_int_t)ev->domid, "uuid", ev->uuid,
	    "reason", xk_reason_name(ev->reason), "source", ev->source);
	if (o == NULL)
		goto nomem;
	if (ev->previous_domid != XK_NO_DOMID &&
	    json_object_set_new(o, "previous_domid",
	    json_integer(ev->previous_domid)) < 0) {
		json_decref(o);
		goto nomem;
	}
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (s == NULL)
		goto nomem;
	n = strlen(s);
	line = realloc(s, n + 2);
	if (line == NULL) {
		free(s);
		goto nomem;
	}
	line[n] = '\n';
	line[n + 1] = '\0';
	return line;
nomem:
	xk_error_errno(err, ENOMEM, "event to JSON");
	return NULL;
}

/* Copy a JSON string member into buf; absent or too long is an error. */
static int
get_str(json_t *o, const char *key, char *buf, size_t len,
    struct xk_error *err)
{
	json_t *v = json_object_get(o, key);
	const char *s;

	if (!json_is_string(v)) {
		xk_error_set(err, "\"%s\" missing or not a string", key);
		return -1;
	}
	s = json_string_value(v);
	if (strlen(s) >= len || strlen(s) != json_string_length(v)) {
		xk_error_set(err, "\"%s\" too long or holds a NUL", key);
		return -1;
	}
	memcpy(buf, s, strlen(s) + 1);
	return 0;
}

static int
get_domid(json_t *o, const char *key, long *domid, struct xk_error *err)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > 0x7fff0) {
		xk_error_set(err, "\"%s\" missing or not a domid", key);
		return -1;
	}
	*domid = (long)json_integer_value(v);
	return 0;
}

int
xk_event_from_line(const char *line, size_t len, struct xk_event *ev,
    struct xk_error *err)
{
	char buf[40];
	json_error_t je;
	json_t *o;
	int rc = -1;

	memset(ev, 0, sizeof(*ev));
	ev->previous_domid = XK_NO_DOMID;
	o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
	if (o == NULL) {
		xk_error_set(err, "column %d: %s", je.column, je.text);
		return -1;
	}
	if (!json_is_object(o)) {
		xk_error_set(err, "not a JSON object");
		goto out;
	}
	if (get_str(o, "ts", buf, sizeof(buf), err) < 0)
		goto bad;
	if (buf[0] == '-') {	/* relative times are for users, not logs */
		xk_error_set(err, "bad time '%s'", buf);
		goto bad;
	}
	if (xk_parse_time(buf, 0, &ev->ts_ms, err) < 0)
		goto bad;
	if (get_str(o, "event", buf, sizeof(buf), err) < 0)
		goto bad;
	if (xk_evtype_parse(buf, &ev->type) < 0) {
		xk_error_set(err, "unknown event '%s'", buf);
		goto bad;
	}
	if (get_str(o, "reason", buf, sizeof(buf), err) < 0)
		goto bad;
	if (xk_reason_parse(buf, &ev->reason) < 0) {
		xk_error_set(err, "unknown reason '%s'", buf);
		goto bad;
	}
	if (get_str(o, "domain", ev->domain, sizeof(ev->domain), err) < 0 ||
	    get_str(o, "uuid", ev->uuid, sizeof(ev->uuid), err) < 0 ||
	    get_str(o, "source", ev->source, sizeof(ev->source), err) < 0 ||
	    get_domid(o, "domid", &ev->domid, err) < 0)
		goto bad;
	if (json_object_get(o, "previous_domid") != NULL &&
	    get_domid(o, "previous_domid", &ev->previous_domid, err) < 0)
		goto bad;
	rc = 0;
	goto out;
bad:
	xk_error_prefix(err, "bad event");
out:
	json_decref(o);
	return rc;
}
