/*
 * serial.c - reading a crashed lab's serial log (see serial.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/console.h"
#include "fuzz/oplog.h"
#include "fuzz/serial.h"

#define FIELD_MAX	256	/* of a reason or a function name */

/* The next line of text at *p: [start, *len), *p moved past it. */
static const char *
next_line(const char **p, size_t *len)
{
	const char *s = *p, *nl;

	if (*s == '\0')
		return NULL;
	nl = strchr(s, '\n');
	*len = nl != NULL ? (size_t)(nl - s) : strlen(s);
	*p = nl != NULL ? nl + 1 : s + *len;
	while (*len > 0 && s[*len - 1] == '\r')
		(*len)--;
	return s;
}

/* Skip Xen's "(XEN) " and "[ 30.55] " before a console line's text. */
static const char *
xen_text(const char *s, size_t *len)
{
	const char *e = s + *len, *rb;

	if (*len >= 6 && memcmp(s, "(XEN) ", 6) == 0)
		s += 6;
	if (s < e && *s == '[' && (rb = memchr(s, ']', (size_t)(e - s))) !=
	    NULL && rb + 1 < e && rb[1] == ' ')
		s = rb + 2;
	*len = (size_t)(e - s);
	return s;
}

/* "RIP:    e008:[<ffff82d04033b5c8>] vpic.c#vpic_save+0x15/0xf5":
 * the function, without its offset, and a static one's file without
 * its directory (builds name it "arch/x86/hvm/vpic.c#vpic_save" or
 * "vpic.c#vpic_save": the same function). */
static void
rip_function(const char *s, size_t len, char *out)
{
	const char *e = s + len, *f = memchr(s, ']', len), *plus, *hash;
	size_t n;

	if (f == NULL || f + 2 > e)
		return;
	f += 2;
	plus = memchr(f, '+', (size_t)(e - f));
	if (plus == NULL)
		plus = e;
	hash = memchr(f, '#', (size_t)(plus - f));
	for (const char *c = f; hash != NULL && c < hash; c++)
		if (*c == '/')
			f = c + 1;
	n = (size_t)(plus - f);
	if (n > 0 && n < FIELD_MAX)
		snprintf(out, FIELD_MAX, "%.*s", (int)n, f);
}

/*
 * Xen formats panic()'s message into a buffer of 128 bytes: a longer
 * one (an assertion's text) is cut, and the "****" line that follows
 * runs on after it.  The first report of the same assertion or BUG,
 * before the register dump, is whole: take that one when the panic's
 * line is its beginning.
 */
static void
whole_reason(char *reason, const char *earlier)
{
	size_t n = strlen(reason);

	while (n > 0 && reason[n - 1] == '*')
		n--;
	reason[n] = '\0';
	if (n > 0 && strncmp(earlier, reason, n) == 0)
		snprintf(reason, FIELD_MAX, "%s", earlier);
}

int
xk_fuzz_serial_panic(const char *text, char *sig, size_t len)
{
	char fn[FIELD_MAX] = "", reason[FIELD_MAX] = "", first[FIELD_MAX] = "";
	const char *p = text, *s;
	size_t n;
	int panic = 0;

	while ((s = next_line(&p, &n)) != NULL) {
		s = xen_text(s, &n);
		if (panic == 1) {
			snprintf(reason, sizeof(reason), "%.*s", (int)(n <
			    FIELD_MAX - 1 ? n : FIELD_MAX - 1), s);
			whole_reason(reason, first);
			panic = 2;
			break;
		}
		if (n > 6 && memcmp(s, "RIP:", 4) == 0)
			rip_function(s, n, fn);
		else if (n > 13 && memcmp(s, "Panic on CPU ", 13) == 0)
			panic = 1;
		else if ((n > 11 && memcmp(s, "Assertion '", 11) == 0) ||
		    (n > 11 && memcmp(s, "Xen BUG at ", 11) == 0))
			snprintf(first, sizeof(first), "%.*s", (int)(n <
			    FIELD_MAX - 1 ? n : FIELD_MAX - 1), s);
	}
	if (panic != 2)
		return 0;
	if (fn[0] != '\0')
		snprintf(sig, len, "Xen panicked: %s (in %s)", reason, fn);
	else
		snprintf(sig, len, "Xen panicked: %s", reason);
	return 1;
}

int
xk_fuzz_serial_ops(const char *text, size_t from,
    int (*fn)(const char *line, size_t len, void *arg), void *arg)
{
	const size_t tl = sizeof(XK_FUZZ_CONSOLE_TAG) - 1;
	const char *p = text, *s, *t;
	size_t n, want = from;
	char *end;

	while ((s = next_line(&p, &n)) != NULL) {
		unsigned long long k;

		/* the tag may follow other output on the same line */
		t = memmem(s, n, XK_FUZZ_CONSOLE_TAG, tl);
		if (t == NULL || n > XK_OPLOG_LINE_MAX + 64)
			continue;
		if (t[tl] < '0' || t[tl] > '9')
			continue;
		k = strtoull(t + tl, &end, 10);
		if (end >= s + n - 2 || end[0] != ':' || end[1] != ' ' ||
		    k != want)
			continue;
		end += 2;
		if (fn(end, (size_t)(s + n - end), arg) == -1)
			return -1;
		want++;
	}
	return (int)(want - from);
}
