/*
 * serial.h - the lab's serial log (STATE/serial.log): Xen's console and
 * dom0's, as QEMU writes it.
 *
 * Read as untrusted text (a crashed hypervisor writes it), bounded, a
 * line at a time.  xk lab log prints its tail; the control channel
 * (ctl.h) reads it to tell a dead hypervisor from a slow command; xk
 * fuzz names the crash it found by it (fuzz/serial.h).
 */
#ifndef XK_LAB_SERIAL_H
#define XK_LAB_SERIAL_H

#include <stddef.h>

#include "util/error.h"

/* The last n lines of the serial log, malloc'd (never NULL on success). */
int xk_lab_log_tail(const char *state, int n, char **out,
    struct xk_error *err);

/*
 * The next line of text at *p (NUL-terminated): returns its start and
 * its length in *len without the line's end, moves *p past it; NULL at
 * the end.
 */
const char *xk_serial_line(const char **p, size_t *len);

/*
 * Xen's panic in text, as a signature without numbers that change
 * from run to run: "Xen panicked: REASON (in FUNCTION)", REASON the
 * line after "Panic on CPU N:", FUNCTION the last RIP before it.  1
 * when there is one, 0 if not.
 */
int xk_serial_panic(const char *text, char *sig, size_t len);

/*
 * Did the hypervisor of the lab in state panic?  1 with its signature
 * in sig, 0 if its serial log's tail shows no panic (or cannot be
 * read: the caller's own wait decides then).  Each boot starts a new
 * log, so a panic there is this boot's.
 */
int xk_lab_panicked(const char *state, char *sig, size_t len);

#endif
