/*
 * serial.c - reading a crashed lab's serial log (see serial.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/console.h"
#include "fuzz/oplog.h"
#include "fuzz/serial.h"
#include "lab/serial.h"

int
xk_fuzz_serial_ops(const char *text, size_t from,
    int (*fn)(const char *line, size_t len, void *arg), void *arg)
{
	const size_t tl = sizeof(XK_FUZZ_CONSOLE_TAG) - 1;
	const char *p = text, *s, *t;
	size_t n, want = from;
	char *end;

	while ((s = xk_serial_line(&p, &n)) != NULL) {
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
