/*
 * xg_fmt.c - printf-style formatting (see xg_fmt.h).
 */
#include <stdint.h>

#include "xg_fmt.h"
#include "xg_string.h"

/* One conversion specification, as parsed. */
struct spec {
	int left, zero, plus, space, alt;
	int width;		/* -1: none */
	int prec;		/* -1: none */
	int size;		/* 'H' hh, 'h', 0 int, 'l', 'L' ll, 'z', 'j', 't' */
	char conv;
};

struct out {
	xg_put_fn *put;
	void *arg;
	int total;
};

static void
emit(struct out *o, const char *s, size_t n)
{
	if (n == 0)
		return;
	o->put(o->arg, s, n);
	o->total += (int)n;
}

static void
pad(struct out *o, char c, int n)
{
	char buf[16];

	memset(buf, c, sizeof(buf));
	while (n > 0) {
		int k = n < (int)sizeof(buf) ? n : (int)sizeof(buf);

		emit(o, buf, (size_t)k);
		n -= k;
	}
}

/* Emit BODY (LEN bytes) with PREFIX, padded to the spec's width. */
static void
field(struct out *o, const struct spec *sp, const char *prefix,
    const char *body, size_t len, int zeros)
{
	int plen = (int)strlen(prefix);
	int width = sp->width;
	int fill = width - plen - zeros - (int)len;

	if (!sp->left && !(sp->zero && sp->prec < 0 && sp->conv != 's' &&
	    sp->conv != 'c'))
		pad(o, ' ', fill);
	emit(o, prefix, (size_t)plen);
	if (!sp->left && sp->zero && sp->prec < 0 && sp->conv != 's' &&
	    sp->conv != 'c')
		pad(o, '0', fill);
	pad(o, '0', zeros);
	emit(o, body, len);
	if (sp->left)
		pad(o, ' ', fill);
}

static void
number(struct out *o, const struct spec *sp, uintmax_t v, int negative)
{
	const char *digits = sp->conv == 'X' ? "0123456789ABCDEF" :
	    "0123456789abcdef";
	unsigned base = sp->conv == 'o' ? 8 :
	    (sp->conv == 'x' || sp->conv == 'X' || sp->conv == 'p') ? 16 : 10;
	char buf[32], *p = buf + sizeof(buf);
	const char *prefix = "";
	int len, zeros = 0;

	while (v != 0) {
		*--p = digits[v % base];
		v /= base;
	}
	len = (int)(buf + sizeof(buf) - p);
	if (sp->prec > len)
		zeros = sp->prec - len;
	else if (len == 0 && sp->prec != 0)
		zeros = 1;	/* the value 0 */
	if (negative)
		prefix = "-";
	else if (sp->conv == 'd' || sp->conv == 'i')
		prefix = sp->plus ? "+" : sp->space ? " " : "";
	if (sp->conv == 'p' || (sp->alt && base == 16 && len > 0))
		prefix = sp->conv == 'X' ? "0X" : "0x";
	else if (sp->alt && base == 8 && zeros == 0)
		zeros = 1;	/* %#o always starts with 0 */
	field(o, sp, prefix, p, (size_t)len, zeros);
}

static uintmax_t
get_unsigned(const struct spec *sp, va_list *ap)
{
	switch (sp->size) {
	case 'H': return (unsigned char)va_arg(*ap, unsigned int);
	case 'h': return (unsigned short)va_arg(*ap, unsigned int);
	case 'l': return va_arg(*ap, unsigned long);
	case 'L': return va_arg(*ap, unsigned long long);
	case 'z': return va_arg(*ap, size_t);
	case 'j': return va_arg(*ap, uintmax_t);
	case 't': return (uintmax_t)va_arg(*ap, ptrdiff_t);
	default: return va_arg(*ap, unsigned int);
	}
}

static intmax_t
get_signed(const struct spec *sp, va_list *ap)
{
	switch (sp->size) {
	case 'H': return (signed char)va_arg(*ap, int);
	case 'h': return (short)va_arg(*ap, int);
	case 'l': return va_arg(*ap, long);
	case 'L': return va_arg(*ap, long long);
	case 'z': return (intmax_t)va_arg(*ap, size_t);
	case 'j': return va_arg(*ap, intmax_t);
	case 't': return va_arg(*ap, ptrdiff_t);
	default: return va_arg(*ap, int);
	}
}

/* Parse flags, width, precision and size at *FMT into SP. */
static void
parse_spec(const char **fmt, struct spec *sp, va_list *ap)
{
	const char *f = *fmt;

	memset(sp, 0, sizeof(*sp));
	sp->width = sp->prec = -1;
	for (;; f++) {
		if (*f == '-') sp->left = 1;
		else if (*f == '0') sp->zero = 1;
		else if (*f == '+') sp->plus = 1;
		else if (*f == ' ') sp->space = 1;
		else if (*f == '#') sp->alt = 1;
		else break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = 1;
			sp->width = -sp->width;
		}
		f++;
	} else
		for (; *f >= '0' && *f <= '9'; f++)
			sp->width = (sp->width < 0 ? 0 : sp->width * 10) +
			    (*f - '0');
	if (*f == '.') {
		f++;
		sp->prec = 0;
		if (*f == '*') {
			sp->prec = va_arg(*ap, int);
			if (sp->prec < 0)
				sp->prec = -1;
			f++;
		} else
			for (; *f >= '0' && *f <= '9'; f++)
				sp->prec = sp->prec * 10 + (*f - '0');
	}
	if (f[0] == 'h' && f[1] == 'h') { sp->size = 'H'; f += 2; }
	else if (f[0] == 'l' && f[1] == 'l') { sp->size = 'L'; f += 2; }
	else if (*f == 'h' || *f == 'l' || *f == 'z' || *f == 'j' ||
	    *f == 't')
		sp->size = *f++;
	sp->conv = *f;
	*fmt = *f != '\0' ? f + 1 : f;
}

static void
convert(struct out *o, struct spec *sp, va_list *ap)
{
	intmax_t s;
	const char *str;
	char c;
	size_t n;

	switch (sp->conv) {
	case 'd':
	case 'i':
		s = get_signed(sp, ap);
		number(o, sp, s < 0 ? -(uintmax_t)s : (uintmax_t)s, s < 0);
		break;
	case 'u':
	case 'x':
	case 'X':
	case 'o':
		number(o, sp, get_unsigned(sp, ap), 0);
		break;
	case 'p':
		number(o, sp, (uintptr_t)va_arg(*ap, void *), 0);
		break;
	case 'c':
		c = (char)va_arg(*ap, int);
		field(o, sp, "", &c, 1, 0);
		break;
	case 's':
		str = va_arg(*ap, const char *);
		if (str == NULL)
			str = "(null)";
		for (n = 0; str[n] != '\0' && (sp->prec < 0 ||
		    n < (size_t)sp->prec); n++)
			;
		field(o, sp, "", str, n, 0);
		break;
	default:
		break;
	}
}

int
xg_vformat(xg_put_fn *put, void *arg, const char *fmt, va_list ap)
{
	struct out o = { put, arg, 0 };
	struct spec sp;
	va_list aq;

	va_copy(aq, ap);
	while (*fmt != '\0') {
		const char *start = fmt;

		while (*fmt != '\0' && *fmt != '%')
			fmt++;
		emit(&o, start, (size_t)(fmt - start));
		if (*fmt == '\0')
			break;
		start = fmt++;
		if (*fmt == '%') {
			emit(&o, fmt++, 1);
			continue;
		}
		parse_spec(&fmt, &sp, &aq);
		if (strchr("diuxXocsp", sp.conv) == NULL || sp.conv == '\0')
			emit(&o, start, (size_t)(fmt - start));
		else
			convert(&o, &sp, &aq);
	}
	va_end(aq);
	return o.total;
}

struct sbuf {
	char *buf;
	size_t cap, len;
};

static void
sbuf_put(void *arg, const char *s, size_t n)
{
	struct sbuf *b = arg;

	for (size_t i = 0; i < n; i++, b->len++)
		if (b->len + 1 < b->cap)
			b->buf[b->len] = s[i];
}

int
xg_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap)
{
	struct sbuf b = { buf, cap, 0 };
	int n = xg_vformat(sbuf_put, &b, fmt, ap);

	if (cap > 0)
		buf[b.len < cap ? b.len : cap - 1] = '\0';
	return n;
}

int
xg_snprintf(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = xg_vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
	return n;
}
