/*
 * restart.h - start a lab again as it was booted: the same image,
 * hypervisor and overlay, after its QEMU died (xk fuzz restarts a lab
 * that a crash it found brought down, and goes on).
 *
 * `xk lab up` records the boot in STATE/boot, a text file of
 * KEY=VALUE lines (image, xen, overlay: paths; empty when not given);
 * a restart reads it back.  STATE/overlay.cpio.gz survives a crash, so
 * the restarted dom0 gets the same files.
 */
#ifndef XK_LAB_RESTART_H
#define XK_LAB_RESTART_H

#include <stdbool.h>

#include "lab/lab.h"
#include "util/error.h"

/* Write STATE/boot for b (a temporary renamed into place). */
int xk_lab_boot_record(const struct xk_lab_boot *b, struct xk_error *err);

/* Remove STATE/boot: the lab was brought down, not lost. */
void xk_lab_boot_forget(const char *state);

/* Did the lab in state die (a boot recorded, and no QEMU running or
 * its hypervisor panicked)? */
bool xk_lab_died(const char *state);

/*
 * Start the lab in state again from its STATE/boot and wait until dom0
 * is ready (at most timeout_ms).  The QEMU of a panicked hypervisor is
 * killed first; refused while a live one runs; a lab
 * that never recorded a boot (brought up by an older xk) cannot be.
 */
int xk_lab_restart(const char *state, int timeout_ms, struct xk_error *err);

/* Start QEMU as STATE/boot says, without waiting for dom0; its
 * machine's state from incoming, a checkpoint (checkpoint.h checks
 * it), when not NULL. */
int xk_lab_start_recorded(const char *state, const char *incoming,
    struct xk_error *err);

#endif
