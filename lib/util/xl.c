/*
 * xl.c - a libxl context with its logger (see xl.h).
 */
#include <stdio.h>

#include "util/xl.h"

int
xk_xl_open(struct xk_xl *x, xentoollog_level level, struct xk_error *err)
{
	x->ctx = NULL;
	x->log = xtl_createlogger_stdiostream(stderr, level, 0);
	if (x->log == NULL || libxl_ctx_alloc(&x->ctx, LIBXL_VERSION, 0,
	    (xentoollog_logger *)x->log) != 0) {
		xk_xl_close(x);
		xk_error_set(err, "cannot reach Xen through libxl (not a Xen "
		    "dom0, or not root)");
		return -1;
	}
	return 0;
}

void
xk_xl_close(struct xk_xl *x)
{
	if (x->ctx != NULL)
		libxl_ctx_free(x->ctx);
	if (x->log != NULL)
		xtl_logger_destroy((xentoollog_logger *)x->log);
	x->ctx = NULL;
	x->log = NULL;
}
