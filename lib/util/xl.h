/*
 * xl.h - a libxl context and the logger it writes libxl's own messages
 * to, made and freed together: what every part of xenkit that talks to
 * libxl starts with, as xl does.
 */
#ifndef XK_UTIL_XL_H
#define XK_UTIL_XL_H

#include <libxl.h>
#include <xentoollog.h>

#include "util/error.h"

struct xk_xl {
	xentoollog_logger_stdiostream *log;
	libxl_ctx *ctx;
};

/*
 * libxl's messages from level up go to stderr (XTL_ERROR: its errors,
 * as xl shows them; XTL_NUM_LEVELS: none).  -1 when there is no libxl
 * to reach (not a Xen dom0, or not root), with *x left empty.
 */
int xk_xl_open(struct xk_xl *x, xentoollog_level level, struct xk_error *err);
/* Free both; an empty or closed one is left as it is. */
void xk_xl_close(struct xk_xl *x);

#endif
