/*
 * serial.h - what the lab's serial log says after a fuzz run brought
 * the lab down: Xen's panic, and the operation lines the engine wrote
 * to Xen's console (console.h) that the control channel did not carry.
 *
 * Pure functions over the log's text (its tail, as xk_lab_log_tail
 * gives it): the serial log is written by the lab, so it is read as
 * untrusted text, bounded, a line at a time.  Xen's panic is read by
 * lab/serial.h's xk_serial_panic, which the control channel uses too.
 */
#ifndef XK_FUZZ_SERIAL_H
#define XK_FUZZ_SERIAL_H

#include <stddef.h>

/*
 * Call fn for each line "xk-fuzz op N: LINE" in text whose N is from,
 * from + 1 ... in turn (LINE without the tag and the line's end); a
 * gap ends the run.  Returns how many it found, or -1 when fn fails.
 */
int xk_fuzz_serial_ops(const char *text, size_t from,
    int (*fn)(const char *line, size_t len, void *arg), void *arg);

#endif
