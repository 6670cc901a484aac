#include <stdio.h>
#include <string.h>

#include "util/error.h"

void
xk_error_clear(struct xk_error *e)
{
	if (e == NULL)
		return;
	e->errnum = 0;
	e->msg[0] = '\0';
}

void
xk_error_set(struct xk_error *e, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	e->errnum = 0;
}

void
xk_error_errno(struct xk_error *e, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	if (e == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	len = strlen(e->msg);
	snprintf(e->msg + len, sizeof(e->msg) - len, ": %s", strerror(errnum));
	e->errnum = errnum;
}

void
xk_error_prefix(struct xk_error *e, const char *fmt, ...)
{
	char prefix[XK_ERROR_MAX];
	size_t plen, mlen;
	va_list ap;

	if (e == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix) - 2, fmt, ap);
	va_end(ap);
	strcat(prefix, ": ");
	plen = strlen(prefix);
	mlen = strlen(e->msg);
	if (plen + mlen >= sizeof(e->msg))	/* keep the tail: the reason */
		mlen = sizeof(e->msg) - plen - 1;
	memmove(e->msg + plen, e->msg, mlen);
	memcpy(e->msg, prefix, plen);
	e->msg[plen + mlen] = '\0';
}
