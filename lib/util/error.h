/*
 * error.h - how the library reports failure to its callers.
 *
 * Library functions never print.  A function that can fail takes a
 * struct xk_error * as its last argument, fills it on failure and
 * returns -1 (or NULL).  The command layer decides how to show it
 * (see src/diag.h: "xk: CMD: what: why").
 *
 * Messages say what failed, where (FILE:LINE:COLUMN when there is a
 * place in an input) and why, without a trailing newline or period.
 */
#ifndef XK_UTIL_ERROR_H
#define XK_UTIL_ERROR_H

#include <stdarg.h>

#define XK_ERROR_MAX 1024

struct xk_error {
	int errnum;		/* errno value when a system call failed, else 0 */
	char msg[XK_ERROR_MAX];
};

/* Set the message; errnum is cleared. */
void xk_error_set(struct xk_error *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Set the message and append ": strerror(errnum)". */
void xk_error_errno(struct xk_error *e, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Put "prefix: " in front of an existing message (adds context). */
void xk_error_prefix(struct xk_error *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void xk_error_clear(struct xk_error *e);

#endif
