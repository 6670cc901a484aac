/*
 * diag.c - how commands talk to the user when things go wrong.
 *
 * One format everywhere, err(3)-like: "xk: CMD: what: why".  Library
 * errors already carry "what: why"; commands add their name.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
