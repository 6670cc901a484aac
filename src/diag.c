/*
 * diag.c - how commands talk to the user when things go wrong.
 *
 * One format everywhere, err(3)-like: "xk: CMD: what: why".  Library
 * errors already carry "what: why"; commands add their name.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/interrupt.h"
#include "util/tempfile.h"
#include "xk.h"

void
xk_warnx(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "xk: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
xk_fail(const char *cmd, const struct xk_error *err)
{
	xk_warnx(cmd, "%s", err->msg[0] != '\0' ? err->msg :
	    "failed (no reason given)");
	return XK_EXIT_FAIL;
}

int
xk_fail_or_raise(const char *cmd, struct xk_error *err)
{
	xk_interrupt_blame(err);
	xk_fail(cmd, err);
	xk_interrupt_raise();	/* returns only when no signal came */
	return XK_EXIT_FAIL;
}

int
xk_usage_error(const char *cmd, const char *fmt, ...)
{
	const struct xk_cmd *c;
	char first[64], *sp;
	va_list ap;

	fprintf(stderr, "xk: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	snprintf(first, sizeof(first), "%s", cmd);
	sp = strchr(first, ' ');
	if (sp != NULL)
		*sp++ = '\0';
	c = xk_find_command(first, sp);
	if (c != NULL)
		xk_print_usage(cmd, c, stderr);
	return XK_EXIT_USAGE;
}

int
xk_parse_seconds(const char *s, int *ms)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || v < 0.001 ||
	    v > 86400)
		return -1;
	*ms = (int)(v * 1000);
	return 0;
}

/*
 * Option parsing: the usage errors and value tables every command's
 * getopt loop would otherwise spell out for itself.
 */

int
xk_bad_option(const char *cmd, int c, char **argv)
{
	/* getopt_long has moved optind past the option it refused */
	if (c == ':')
		return xk_usage_error(cmd, "option '%s' needs a value",
		    argv[optind - 1]);
	return xk_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
}

int
xk_option_choice(const char *cmd, const char *opt, const char *arg,
    const struct xk_choice *choices, int *value)
{
	char list[256] = "";
	size_t n = 0, len;

	for (const struct xk_choice *c = choices; c->name != NULL; c++) {
		if (strcmp(arg, c->name) == 0) {
			*value = c->value;
			return 0;
		}
		n++;
	}
	/* "a", "a or b", "a, b or c" */
	for (size_t i = 0; i < n; i++) {
		len = strlen(list);
		snprintf(list + len, sizeof(list) - len, "%s%s", i == 0 ? "" :
		    i + 1 == n ? " or " : ", ", choices[i].name);
	}
	xk_usage_error(cmd, "%s %s: expected %s", opt, arg, list);
	return -1;
}

bool
xk_has_suffix(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

int
xk_choice_by_suffix(const char *path, const struct xk_choice *choices,
    int *value)
{
	const char *dot = strrchr(path, '.');

	for (const struct xk_choice *c = choices; dot && c->name; c++) {
		if (strcasecmp(dot + 1, c->name) == 0) {
			*value = c->value;
			return 0;
		}
	}
	return -1;
}

void
xk_report_swept(const char *cmd, const struct xk_swept *sw)
{
	for (size_t i = 0; i < sw->n; i++)
		xk_warnx(cmd, "removed %s: a temporary file left by an earlier "
		    "run that was killed", sw->paths[i]);
}
