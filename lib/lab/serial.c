/*
 * serial.c - reading the lab's serial log (see serial.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab/serial.h"
#include "lab/state.h"

#define PANIC_TAIL_LINES 200	/* a panic's register dump and trace fit */

int
xk_lab_log_tail(const char *state, int n, char **out, struct xk_error *err)
{
	char path[PATH_MAX];
	struct stat st;
	char *buf, *p;
	size_t want;
	ssize_t got;
	off_t from;
	int fd, lines = 0;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", state,
	    XK_LAB_SERIAL_LOG) >= sizeof(path)) {
		xk_error_set(err, "%s: path too long", state);
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1 || fstat(fd, &st) == -1) {
		xk_error_errno(err, errno, "%s", path);
		if (fd != -1)
			close(fd);
		return -1;
	}
	/* Lines are short: 200 bytes a line is plenty to find n of them. */
	want = (size_t)n * 200;
	from = st.st_size > (off_t)want ? st.st_size - (off_t)want : 0;
	buf = malloc(want + 1);
	if (buf == NULL) {
		xk_error_errno(err, errno, "malloc");
		close(fd);
		return -1;
	}
	got = pread(fd, buf, want, from);
	close(fd);
	if (got < 0) {
		xk_error_errno(err, errno, "read %s", path);
		free(buf);
		return -1;
	}
	buf[got] = '\0';
	for (p = buf + got; p > buf; p--) {
		if (p[-1] == '\n' && p != buf + got && ++lines == n)
			break;
	}
	memmove(buf, p, strlen(p) + 1);
	*out = buf;
	return 0;
}

#define FIELD_MAX	256	/* of a reason or a function name */

const char *
xk_serial_line(const char **p, size_t *len)
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
xk_serial_panic(const char *text, char *sig, size_t len)
{
	char fn[FIELD_MAX] = "", reason[FIELD_MAX] = "", first[FIELD_MAX] = "";
	const char *p = text, *s;
	size_t n;
	int panic = 0;

	while ((s = xk_serial_line(&p, &n)) != NULL) {
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
xk_lab_panicked(const char *state, char *sig, size_t len)
{
	struct xk_error err = { 0 };
	char *tail;
	int r;

	if (xk_lab_log_tail(state, PANIC_TAIL_LINES, &tail, &err) == -1)
		return 0;
	r = xk_serial_panic(tail, sig, len);
	free(tail);
	return r;
}
