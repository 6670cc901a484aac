/*
 * xg_fmt.h - printf-style formatting for guests, without a C library.
 *
 * Conversions: d i u x X o c s p %, with the flags - 0 + space #, a
 * width and a precision (numbers or *), and the length modifiers hh h
 * l ll z j t.  No floating point (guests are built without SSE).
 * Results follow C99 snprintf: the return value is the length the
 * whole output would have, the buffer holds a NUL-terminated prefix.
 * An unknown conversion is copied out as written.  Pure: tested
 * hosted against the C library's snprintf (tests/guest).
 */
#ifndef XG_FMT_H
#define XG_FMT_H

#include <stdarg.h>
#include <stddef.h>

/* Where formatted text goes, a piece at a time. */
typedef void xg_put_fn(void *arg, const char *s, size_t n);

/* Format to PUT; returns the number of bytes produced. */
int xg_vformat(xg_put_fn *put, void *arg, const char *fmt, va_list ap);

int xg_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap);
int xg_snprintf(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
