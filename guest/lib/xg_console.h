/*
 * xg_console.h - the PV console ring (xen/io/console.h): out[2048] to
 * xenconsoled, in[1024] from it, byte rings (xg_ring.h).  PV guests
 * find it in start_info, PVH guests in HVM_PARAM_CONSOLE_PFN/EVTCHN
 * (xg_boot.c).  Lines written here are what `xl console` shows and
 * what the lab logs in /var/log/xen/console/guest-NAME.log.
 */
#ifndef XG_CONSOLE_H
#define XG_CONSOLE_H

#include <stdarg.h>

#include "xg_boot.h"

/* How long a write waits for xenconsoled to make room before the rest
 * is dropped: a guest must not hang on a console nobody reads. */
#define XG_CONSOLE_WAIT_NS (2 * 1000000000ULL)

/* Write N bytes; returns how many went out (fewer when the ring stayed
 * full, 0 without a console). */
size_t xg_console_write(struct xg *xg, const char *s, size_t n);

/* Take up to CAP bytes of input without waiting; returns how many. */
size_t xg_console_read(struct xg *xg, char *buf, size_t cap);

/* Formatted output to the console (xg_fmt.h conversions). */
int xg_printf(struct xg *xg, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int xg_vprintf(struct xg *xg, const char *fmt, va_list ap);

#endif
