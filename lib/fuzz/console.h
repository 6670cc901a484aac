/*
 * console.h - the fuzz engines' second copy of their log: each
 * operation's line written to Xen's own console (console_io write from
 * dom0) before the operation runs.
 *
 * The line the engine flushes to the control channel may still sit in
 * dom0 when the operation brings Xen down: the agent that forwards it
 * runs on another vCPU, which the panic stops.  Xen's console is
 * written synchronously by the hypercall and flushed by the panic, so
 * the lab's serial log has the line whatever happens next; the host
 * takes the ones the channel lost from there (drive.c).
 */
#ifndef XK_FUZZ_CONSOLE_H
#define XK_FUZZ_CONSOLE_H

#include <stddef.h>

#include "util/error.h"

/* What each line starts with on the console: "xk-fuzz op N: LINE". */
#define XK_FUZZ_CONSOLE_TAG	"xk-fuzz op "

struct xk_fuzz_console;

struct xk_fuzz_console *xk_fuzz_console_open(struct xk_error *err);
void xk_fuzz_console_close(struct xk_fuzz_console *c);
/* Write "xk-fuzz op N: " and line (which ends in a newline). */
int xk_fuzz_console_write(struct xk_fuzz_console *c, size_t n,
    const char *line, struct xk_error *err);

#endif
