/*
 * cpuset.c - sets of physical CPUs, their list and mask spellings.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "power/cpuset.h"

void
xk_cpuset_clear(struct xk_cpuset *s)
{
	memset(s, 0, sizeof(*s));
}

void
xk_cpuset_fill(struct xk_cpuset *s, int n)
{
	int i;

	xk_cpuset_clear(s);
	for (i = 0; i < n && i < XK_CPUSET_MAX; i++)
		xk_cpuset_add(s, i);
}

void
xk_cpuset_add(struct xk_cpuset *s, int cpu)
{
	if (cpu >= 0 && cpu < XK_CPUSET_MAX)
		s->bits[cpu / 64] |= (uint64_t)1 << (cpu % 64);
}

bool
xk_cpuset_has(const struct xk_cpuset *s, int cpu)
{
	if (cpu < 0 || cpu >= XK_CPUSET_MAX)
		return false;
	return (s->bits[cpu / 64] >> (cpu % 64)) & 1;
}

int
xk_cpuset_count(const struct xk_cpuset *s)
{
	int i, n = 0;

	for (i = 0; i < XK_CPUSET_MAX / 64; i++)
		n += __builtin_popcountll(s->bits[i]);
	return n;
}

int
xk_cpuset_last(const struct xk_cpuset *s)
{
	int i;

	for (i = XK_CPUSET_MAX - 1; i >= 0; i--)
		if (xk_cpuset_has(s, i))
			return i;
	return -1;
}

/* A CPU number at *p (decimal, below XK_CPUSET_MAX); advances *p. */
static int
parse_cpu(const char **p, const char *s, const char *what,
    struct xk_error *err)
{
	long v = 0;
	const char *q = *p;

	if (!isdigit((unsigned char)*q)) {
		xk_error_set(err, "%s '%s': at column %d: want a CPU number",
		    what, s, (int)(q - s) + 1);
		return -1;
	}
	while (isdigit((unsigned char)*q)) {
		v = v * 10 + (*q++ - '0');
		if (v >= XK_CPUSET_MAX) {
			xk_error_set(err, "%s '%s': CPU number too large "
			    "(the limit is %d)", what, s, XK_CPUSET_MAX - 1);
			return -1;
		}
	}
	*p = q;
	return (int)v;
}

int
xk_cpuset_parse_list(const char *s, struct xk_cpuset *out,
    const char *what, struct xk_error *err)
{
	const char *p = s;
	int a, b, i;

	xk_cpuset_clear(out);
	for (;;) {
		if ((a = parse_cpu(&p, s, what, err)) < 0)
			return -1;
		b = a;
		if (*p == '-') {
			p++;
			if ((b = parse_cpu(&p, s, what, err)) < 0)
				return -1;
			if (b < a) {
				xk_error_set(err, "%s '%s': range %d-%d goes "
				    "down", what, s, a, b);
				return -1;
			}
		}
		for (i = a; i <= b; i++)
			xk_cpuset_add(out, i);
		if (*p == '\0')
			return 0;
		if (*p != ',') {
			xk_error_set(err, "%s '%s': at column %d: want ',' "
			    "or '-'", what, s, (int)(p - s) + 1);
			return -1;
		}
		p++;
	}
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
xk_cpuset_parse_mask(const char *s, struct xk_cpuset *out,
    const char *what, struct xk_error *err)
{
	const char *p = s, *end;
	int bit = 0, digits = 0, v;

	xk_cpuset_clear(out);
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	if (*p == '\0') {
		xk_error_set(err, "%s '%s': empty mask", what, s);
		return -1;
	}
	/* From the lowest CPUs (the last digit) up; commas only group. */
	for (end = p + strlen(p); end > p; end--) {
		if (end[-1] == ',') {
			if (end - 1 == p || end[0] == '\0' || end[0] == ',') {
				xk_error_set(err, "%s '%s': empty group",
				    what, s);
				return -1;
			}
			continue;
		}
		if ((v = hexval((unsigned char)end[-1])) < 0) {
			xk_error_set(err, "%s '%s': '%c' is not a hex digit",
			    what, s, end[-1]);
			return -1;
		}
		if (v != 0 && bit + 4 > XK_CPUSET_MAX) {
			xk_error_set(err, "%s '%s': names CPUs beyond %d",
			    what, s, XK_CPUSET_MAX - 1);
			return -1;
		}
		for (int i = 0; i < 4; i++)
			if (v & (1 << i))
				xk_cpuset_add(out, bit + i);
		bit += 4;
		digits++;
	}
	return digits ? 0 : (xk_error_set(err, "%s '%s': no digits", what,
	    s), -1);
}

int
xk_cpuset_format(const struct xk_cpuset *s, char *buf, size_t len)
{
	size_t used = 0;
	int i = 0, j, n;

	if (len == 0)
		return -1;
	buf[0] = '\0';
	while (i < XK_CPUSET_MAX) {
		if (!xk_cpuset_has(s, i)) {
			i++;
			continue;
		}
		for (j = i; j + 1 < XK_CPUSET_MAX && xk_cpuset_has(s, j + 1);
		    j++)
			;
		if (j == i)
			n = snprintf(buf + used, len - used, "%s%d",
			    used ? "," : "", i);
		else
			n = snprintf(buf + used, len - used, "%s%d-%d",
			    used ? "," : "", i, j);
		if (n < 0 || (size_t)n >= len - used)
			return -1;
		used += (size_t)n;
		i = j + 1;
	}
	return 0;
}
